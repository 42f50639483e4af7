import { fieldOf } from '$lib/errors';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Action, TalkSummary, UnitPlan } from '$lib/bindings';
import { ok } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		myUnit: vi.fn(),
		setMyUnit: vi.fn(),
		actions: vi.fn(),
		getAction: vi.fn(),
		createAction: vi.fn(),
		updateAction: vi.fn(),
		setActionStatus: vi.fn(),
		judgeAction: vi.fn(),
		addActionFollowUp: vi.fn(),
		unitPlan: vi.fn(),
		rollPlan: vi.fn(),
		competences: vi.fn(),
		getTalk: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const {
	ActionForm,
	BoardState,
	DetailState,
	PlanState,
	amountText,
	currentYear,
	parseAmount,
	planDefaults,
	talkDefaults
} = await import('./actions.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

function action(id: number, over: Partial<Action> = {}): Action {
	return {
		id,
		unitId: 2,
		unitName: 'Hjemmeplejen',
		year: 2026,
		scope: 'individual',
		talkId: null,
		person: { personId: 9, name: 'Mette Holm' },
		title: 'Kursus i motiverende samtale',
		theme: '',
		competences: [],
		kind: 'course',
		owner: { personId: 3, name: 'Ole Berg' },
		dueDate: '2026-06-30',
		plannedCost: 1234.5,
		plannedHours: 7.5,
		actualCost: null,
		actualHours: null,
		status: 'planned',
		result: null,
		resultNote: null,
		confidential: false,
		carriedFrom: null,
		createdOn: '2026-02-01',
		overdue: false,
		cleared: false,
		...over
	};
}

function talk(over: Partial<TalkSummary> = {}): TalkSummary {
	return {
		id: 40,
		kind: 'mus',
		year: 2026,
		state: 'held',
		unitId: 2,
		unitName: 'Hjemmeplejen',
		leader: { personId: 3, name: 'Ole Berg' },
		participants: [{ personId: 9, name: 'Mette Holm' }],
		startsAt: null,
		durationMinutes: null,
		place: null,
		templateVersionId: 1,
		...over
	};
}

describe('parseAmount', () => {
	it.each([
		['1.234,50', 'da', 1234.5],
		['1 234,50', 'sv', 1234.5],
		['1\u00a0234,50', 'nb', 1234.5],
		['1\u202f234,50', 'sv', 1234.5],
		['1234,5', 'da', 1234.5],
		['1234.5', 'da', 1234.5],
		['1,234.50', 'en', 1234.5],
		['1.234', 'da', 1234],
		['1,234', 'da', 1.234],
		['1,234', 'en', 1234],
		['1.234', 'sv', 1234],
		['12,5', 'en', 12.5],
		['12.5', 'nb', 12.5],
		['1.234.567', 'da', 1234567],
		['0,25', 'sv', 0.25],
		[',5', 'da', 0.5],
		['  750 ', 'da', 750],
		['-200', 'da', -200],
		['−12,5', 'nb', -12.5]
	] as const)('%s (%s) → %d', (text, language, expected) => {
		expect(parseAmount(text, language)).toEqual({ ok: true, value: expected });
	});

	it('reads empty as no value', () => {
		expect(parseAmount('', 'da')).toEqual({ ok: true, value: null });
		expect(parseAmount('   ', 'en')).toEqual({ ok: true, value: null });
	});

	it.each(['abc', '12 kr', '1.2.3', '1,23,456', '1.234,5,6', '.', '--5', '1e3'])(
		'refuses %s',
		(text) => {
			expect(parseAmount(text, 'da')).toEqual({ ok: false });
		}
	);

	it('writes numbers back so they read the same', () => {
		for (const language of ['da', 'sv', 'nb', 'en'] as const) {
			const text = amountText(1234.5, language);
			expect(parseAmount(text, language)).toEqual({ ok: true, value: 1234.5 });
		}
		expect(amountText(1234.5, 'da')).toBe('1234,5');
		expect(amountText(null, 'da')).toBe('');
	});
});

describe('fieldOf', () => {
	it('places the action errors the generic mapping leaves general', () => {
		expect(fieldOf({ code: 'negative', params: { field: 'plannedCost' } })).toBe('plannedCost');
		expect(fieldOf({ code: 'tooLarge', params: { field: 'actualHours', max: 10000 } })).toBe(
			'actualHours'
		);
		expect(fieldOf({ code: 'dueBeforeCreated' })).toBe('dueDate');
		expect(fieldOf({ code: 'empty', params: { field: 'owner' } })).toBe('owner');
		expect(fieldOf({ code: 'locked' })).toBeNull();
	});
});

describe('BoardState', () => {
	beforeEach(() => {
		vi.mocked(commands.myUnit).mockReset().mockImplementation(() => ok(7));
		vi.mocked(commands.setMyUnit).mockReset().mockImplementation(() => ok(null));
		vi.mocked(commands.actions)
			.mockReset()
			.mockImplementation(() => ok({ actions: [action(1)], total: 1, overdue: 0 }));
		vi.mocked(commands.setActionStatus).mockReset();
	});

	it('starts at the remembered units, this year, with no other condition', async () => {
		const board = new BoardState();
		await board.load();
		expect(commands.myUnit).toHaveBeenCalledOnce();
		expect(commands.actions).toHaveBeenCalledWith({
			root: 7,
			personId: null,
			talkId: null,
			year: currentYear(),
			statuses: [],
			kind: null,
			dueFrom: null,
			dueTo: null,
			overdueOnly: false,
			limit: 200
		});
		expect(board.board?.actions).toHaveLength(1);
	});

	it('maps every filter to the core filter', () => {
		const board = new BoardState(50);
		board.root = null;
		board.person = { id: 9, name: 'Mette Holm' };
		board.toggleStatus('planned');
		board.toggleStatus('ongoing');
		board.toggleStatus('planned');
		board.kind = 'mentoring';
		board.dueFrom = '2026-01-01';
		board.dueTo = '2026-12-31';
		board.year = null;
		board.overdueOnly = true;
		expect(board.toFilter()).toEqual({
			root: null,
			personId: 9,
			talkId: null,
			year: null,
			statuses: ['ongoing'],
			kind: 'mentoring',
			dueFrom: '2026-01-01',
			dueTo: '2026-12-31',
			overdueOnly: true,
			limit: 50
		});
		board.clearFilters();
		expect(board.toFilter()).toMatchObject({ personId: null, statuses: [], kind: null, overdueOnly: false });
	});

	it('remembers a chosen root, and says when the board is limited', async () => {
		vi.mocked(commands.actions).mockImplementation(() =>
			ok({ actions: [action(1), action(2)], total: 640, overdue: 3 })
		);
		const board = new BoardState();
		await board.setRoot(null);
		expect(commands.setMyUnit).toHaveBeenCalledWith(null);
		expect(commands.myUnit).not.toHaveBeenCalled();
		expect(vi.mocked(commands.actions).mock.calls[0]![0].root).toBeNull();
		expect(board.limited).toBe(true);
	});

	it('changes a status in one click and shows the row as the core returns it', async () => {
		vi.mocked(commands.actions).mockImplementation(() =>
			ok({ actions: [action(1, { overdue: true })], total: 1, overdue: 1 })
		);
		vi.mocked(commands.setActionStatus).mockImplementation((id, status) =>
			ok(action(id, { status, overdue: false }))
		);
		const board = new BoardState();
		await board.load();
		expect(await board.setStatus(1, 'done')).toBe(true);
		expect(commands.setActionStatus).toHaveBeenCalledWith(1, 'done');
		expect(board.board?.actions[0]?.status).toBe('done');
		expect(board.board?.overdue).toBe(0);
	});

	it('never offers carried over: it is set only by rolling', async () => {
		const board = new BoardState();
		await board.load();
		expect(await board.setStatus(1, 'carriedOver')).toBe(false);
		expect(commands.setActionStatus).not.toHaveBeenCalled();
		expect(board.error?.code).toBe('illegalActionStep');
	});
});

describe('ActionForm', () => {
	beforeEach(() => {
		vi.mocked(commands.createAction).mockReset();
		vi.mocked(commands.updateAction).mockReset();
		vi.mocked(commands.competences).mockReset().mockImplementation(() => ok([]));
	});

	function filled() {
		const form = ActionForm.create({
			unitId: 2,
			year: 2026,
			scope: 'individual',
			person: { id: 9, name: 'Mette Holm' },
			owner: { id: 3, name: 'Ole Berg' }
		});
		form.title = 'Kursus i motiverende samtale';
		form.theme = 'Samtaler med borgere';
		form.kind = 'course';
		form.dueDate = '2026-06-30';
		form.plannedCost = '1.234,50';
		form.plannedHours = '7,5';
		form.competenceIds = [4];
		return form;
	}

	it('turns what was typed into the core input, reading Nordic numbers', () => {
		const form = filled();
		const made = form.toInput();
		expect(made).toEqual({
			input: {
				unitId: 2,
				year: 2026,
				scope: 'individual',
				talkId: null,
				personId: 9,
				title: 'Kursus i motiverende samtale',
				theme: 'Samtaler med borgere',
				competenceIds: [4],
				kind: 'course',
				ownerId: 3,
				dueDate: '2026-06-30',
				plannedCost: 1234.5,
				plannedHours: 7.5,
				actualCost: null,
				actualHours: null,
				confidential: false
			}
		});
	});

	it('names no person for a group or unit action', () => {
		const form = filled();
		form.scope = 'unit';
		const made = form.toInput();
		expect('input' in made && made.input.personId).toBeNull();
	});

	it('keeps every input when the core refuses, and shows the error beside its field', async () => {
		vi.mocked(commands.createAction).mockImplementation(() =>
			fail({ code: 'negative' as const, params: { field: 'plannedCost' as const } })
		);
		const form = filled();
		form.plannedCost = '-100';
		expect(await form.save()).toBeNull();
		expect(commands.createAction).toHaveBeenCalledOnce();
		expect(vi.mocked(commands.createAction).mock.calls[0]![0].plannedCost).toBe(-100);
		expect(form.errors.field).toBe('plannedCost');
		expect(form.errors.for('plannedCost')).toBeTruthy();
		expect(form.errors.general).toBeNull();
		expect(form.title).toBe('Kursus i motiverende samtale');
		expect(form.theme).toBe('Samtaler med borgere');
		expect(form.plannedCost).toBe('-100');
		expect(form.plannedHours).toBe('7,5');
		expect(form.person).toEqual({ id: 9, name: 'Mette Holm' });
		expect(form.owner).toEqual({ id: 3, name: 'Ole Berg' });
		expect(form.competenceIds).toEqual([4]);
		expect(form.busy).toBe(false);
	});

	it('puts a due date before the action was made beside the due date', async () => {
		vi.mocked(commands.createAction).mockImplementation(() => fail({ code: 'dueBeforeCreated' as const }));
		const form = filled();
		await form.save();
		expect(form.errors.field).toBe('dueDate');
		expect(form.dueDate).toBe('2026-06-30');
	});

	it('shows a locked agreement above the buttons', async () => {
		vi.mocked(commands.updateAction).mockImplementation(() => fail({ code: 'locked' as const }));
		const form = ActionForm.edit(action(5, { talkId: 40 }), { participants: [], locked: true });
		form.title = 'Something else';
		expect(await form.save()).toBeNull();
		expect(commands.updateAction).toHaveBeenCalledWith(5, expect.objectContaining({ talkId: 40 }));
		expect(form.errors.field).toBeNull();
		expect(form.errors.general).toBeTruthy();
		expect(form.title).toBe('Something else');
	});

	it('does not send a number it cannot read, and says which field', async () => {
		const form = filled();
		form.actualHours = 'seven';
		expect(await form.save()).toBeNull();
		expect(commands.createAction).not.toHaveBeenCalled();
		expect(form.errors.field).toBe('actualHours');
		expect(form.actualHours).toBe('seven');
	});

	it('clears the error once saved', async () => {
		vi.mocked(commands.createAction)
			.mockImplementationOnce(() => fail({ code: 'empty' as const, params: { field: 'owner' as const } }))
			.mockImplementationOnce((input) => ok(action(8, { title: input.title })));
		const form = filled();
		form.owner = null;
		expect(await form.save()).toBeNull();
		expect(form.errors.field).toBe('owner');
		form.owner = { id: 3, name: 'Ole Berg' };
		expect((await form.save())?.id).toBe(8);
		expect(form.errors.error).toBeNull();
	});

	it('edits an action with its numbers as the language writes them', () => {
		const form = ActionForm.edit(action(5));
		expect(form.id).toBe(5);
		expect(form.plannedCost).toBe('1234.5');
		expect(form.plannedHours).toBe('7.5');
		expect(form.person).toEqual({ id: 9, name: 'Mette Holm' });
		expect(form.owner).toEqual({ id: 3, name: 'Ole Berg' });
	});

	it('keeps an archived competence of the action among the choices', async () => {
		vi.mocked(commands.competences).mockImplementation(() =>
			ok([{ id: 1, name: 'Dokumentation', description: '', category: 'professional' as const, archived: false }])
		);
		const form = ActionForm.edit(
			action(5, { competences: [{ id: 2, name: 'Gammel', category: 'personal' }] }),
			{ participants: [], locked: false }
		);
		await form.prepare();
		expect(form.competences.map((c) => c.id)).toEqual([1, 2]);
		expect(form.competenceIds).toEqual([2]);
	});
});

describe('defaults', () => {
	it('prefills an agreed action of a MUS for its participant, owned by the leader', () => {
		expect(talkDefaults(talk())).toEqual({
			unitId: 2,
			year: 2026,
			scope: 'individual',
			talkId: 40,
			person: { id: 9, name: 'Mette Holm' },
			owner: { id: 3, name: 'Ole Berg' }
		});
	});

	it('prefills a group action for a GRUS', () => {
		const d = talkDefaults(
			talk({ kind: 'grus', participants: [{ personId: 9, name: 'A' }, { personId: 10, name: 'B' }] })
		);
		expect(d.scope).toBe('group');
		expect(d.person).toBeNull();
	});

	it('gives a plan action to the unit’s manager', () => {
		const unit = {
			id: 2,
			name: 'Hjemmeplejen',
			parentId: 1,
			depth: 1,
			managerId: 3,
			managerName: 'Ole Berg',
			headcount: 10,
			totalHeadcount: 10,
			usesGrus: false,
			archived: false
		};
		expect(planDefaults(unit, 2026)).toEqual({
			unitId: 2,
			year: 2026,
			scope: 'unit',
			owner: { id: 3, name: 'Ole Berg' }
		});
		expect(planDefaults(undefined, 2026).owner).toBeNull();
	});
});

describe('PlanState', () => {
	const plan = (over: Partial<UnitPlan> = {}): UnitPlan => ({
		unitId: 2,
		unitName: 'Hjemmeplejen',
		year: 2026,
		actions: [action(1), action(2, { scope: 'unit', person: null })],
		confidential: 1,
		totals: {
			plannedCost: 0,
			actualCost: 0,
			plannedHours: 0,
			actualHours: 0,
			open: 2,
			done: 0,
			cancelled: 0,
			carriedOver: 0
		},
		openToRoll: 2,
		carriedIn: 0,
		...over
	});

	beforeEach(() => {
		vi.mocked(commands.myUnit).mockReset().mockImplementation(() => ok(2));
		vi.mocked(commands.unitPlan).mockReset().mockImplementation(() => ok(plan()));
		vi.mocked(commands.rollPlan).mockReset();
	});

	it('opens the remembered unit’s plan and splits shared from individual actions', async () => {
		const state = new PlanState();
		await state.start([]);
		expect(commands.unitPlan).toHaveBeenCalledWith(2, currentYear());
		expect(state.shared.map((a) => a.id)).toEqual([2]);
		expect(state.individual.map((a) => a.id)).toEqual([1]);
	});

	it('rolls, says how many were carried, and reloads; rolling again carries none', async () => {
		vi.mocked(commands.rollPlan)
			.mockImplementationOnce(() => ok({ units: 1, carried: 2 }))
			.mockImplementationOnce(() => ok({ units: 1, carried: 0 }));
		const state = new PlanState();
		await state.choose(2, 2026);
		expect(await state.roll()).toBeNull();
		expect(commands.rollPlan).toHaveBeenCalledWith(2, 2026);
		expect(state.rolled).toEqual({ outcome: { units: 1, carried: 2 }, to: 2027 });
		expect(commands.unitPlan).toHaveBeenCalledTimes(2);
		await state.roll();
		expect(state.rolled?.outcome.carried).toBe(0);
		await state.choose(2, 2027);
		expect(state.rolled).toBeNull();
	});
});

describe('DetailState', () => {
	beforeEach(() => {
		vi.mocked(commands.getAction)
			.mockReset()
			.mockImplementation((id) =>
				ok({ action: action(id, { result: 'partly', resultNote: 'Godt' }), events: [], followUps: [], carriedTo: null })
			);
		vi.mocked(commands.judgeAction).mockReset();
		vi.mocked(commands.addActionFollowUp).mockReset();
	});

	it('starts the judged result from the action and saves it', async () => {
		vi.mocked(commands.judgeAction).mockImplementation((id, result, note) =>
			ok(action(id, { result, resultNote: note }))
		);
		const detail = new DetailState(3);
		await detail.load();
		expect(detail.result).toBe('partly');
		expect(detail.resultNote).toBe('Godt');
		detail.result = 'yes';
		await detail.judge();
		expect(commands.judgeAction).toHaveBeenCalledWith(3, 'yes', 'Godt');
		expect(detail.detail?.action.result).toBe('yes');
	});

	it('keeps a follow-up note that could not be added', async () => {
		vi.mocked(commands.addActionFollowUp).mockImplementation(() =>
			fail({ code: 'empty' as const, params: { field: 'followUp' as const } })
		);
		const detail = new DetailState(3);
		await detail.load();
		detail.followUp = '   ';
		expect(await detail.addFollowUp()).toBe(false);
		expect(detail.noteErrors.for('followUp')).toBeTruthy();
		expect(detail.followUp).toBe('   ');
	});
});
