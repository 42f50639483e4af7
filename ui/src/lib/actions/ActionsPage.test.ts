import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Action, TalkSummary, UnitNode, UnitPlan } from '$lib/bindings';
import { byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		myUnit: vi.fn(),
		setMyUnit: vi.fn(),
		unitTree: vi.fn(),
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
		getTalk: vi.fn(),
		searchPeople: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: ActionsPage } = await import('./ActionsPage.svelte');
const { default: TalkActions } = await import('./TalkActions.svelte');
const { app } = await import('$lib/app.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

const tree: UnitNode[] = [
	{ id: 2, name: 'Hjemmeplejen', parentId: null, depth: 0, managerId: 3, managerName: 'Ole Berg', headcount: 10, totalHeadcount: 10, usesGrus: false, archived: false }
];

function action(id: number, over: Partial<Action> = {}): Action {
	return {
		id,
		unitId: 2,
		unitName: 'Hjemmeplejen',
		year: 2026,
		scope: 'individual',
		talkId: null,
		person: { personId: 9, name: 'Mette Holm' },
		title: `Handling ${id}`,
		theme: '',
		competences: [],
		kind: 'course',
		owner: { personId: 3, name: 'Ole Berg' },
		dueDate: '2026-03-01',
		plannedCost: 1000,
		plannedHours: 8,
		actualCost: null,
		actualHours: null,
		status: 'planned',
		result: null,
		resultNote: null,
		confidential: false,
		carriedFrom: null,
		createdOn: '2026-01-10',
		overdue: false,
		cleared: false,
		...over
	};
}

const plan: UnitPlan = {
	unitId: 2,
	unitName: 'Hjemmeplejen',
	year: 2026,
	actions: [action(2, { scope: 'unit', person: null, carriedFrom: 1 }), action(1)],
	confidential: 2,
	totals: { plannedCost: 2000, actualCost: 0, plannedHours: 16, actualHours: 0, open: 2, done: 0, cancelled: 0, carriedOver: 0 },
	openToRoll: 2,
	carriedIn: 1
};

function input(id: string, value: string) {
	const element = byTestId(id) as HTMLInputElement;
	element.value = value;
	element.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('ActionsPage', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(() => {
		app.organisation = { name: 'Egeby Kommune', country: 'DK', language: 'da', currency: 'DKK' };
		vi.mocked(commands.myUnit).mockImplementation(() => ok(2));
		vi.mocked(commands.setMyUnit).mockImplementation(() => ok(null));
		vi.mocked(commands.unitTree).mockImplementation(() => ok(tree));
		vi.mocked(commands.competences).mockImplementation(() => ok([]));
		vi.mocked(commands.actions).mockImplementation(() =>
			ok({ actions: [action(1, { overdue: true, confidential: true }), action(2)], total: 2, overdue: 1 })
		);
		vi.mocked(commands.unitPlan).mockImplementation(() => ok(plan));
		vi.mocked(commands.getAction).mockImplementation((id) =>
			ok({
				action: action(id),
				events: [{ from: null, to: 'planned' as const, at: '2026-01-10T09:00:00Z', fromKey: null }],
				followUps: [],
				carriedTo: null
			})
		);
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
		vi.clearAllMocks();
	});

	it('shows the board with overdue rows marked in words, and opens an action', async () => {
		component = mount(ActionsPage, { target: document.body });
		await settle();
		expect(byTestId('actions-board')).not.toBeNull();
		const row = byTestId('action-row-1')!;
		expect(row.dataset.overdue).toBe('true');
		expect(byTestId('action-overdue-1')?.textContent).toContain('Overdue');
		expect(byTestId('action-confidential-1')).not.toBeNull();
		expect(byTestId('action-status-1')?.tagName).toBe('SELECT');
		row.querySelector('td:nth-child(4)')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
		await settle();
		expect(byTestId('action-detail')).not.toBeNull();
		expect(commands.getAction).toHaveBeenCalledWith(1);
		expect(byTestId('action-judge-partly')).not.toBeNull();
	});

	it('changes a status from the board', async () => {
		vi.mocked(commands.setActionStatus).mockImplementation((id, status) => ok(action(id, { status })));
		component = mount(ActionsPage, { target: document.body });
		await settle();
		const select = byTestId('action-status-2') as HTMLSelectElement;
		expect([...select.options].map((o) => o.value)).toEqual(['planned', 'ongoing', 'done', 'cancelled']);
		select.value = 'ongoing';
		select.dispatchEvent(new Event('change', { bubbles: true }));
		await settle();
		expect(commands.setActionStatus).toHaveBeenCalledWith(2, 'ongoing');
	});

	it('shows the unit plan and rolls it', async () => {
		vi.mocked(commands.rollPlan).mockImplementation(() => ok({ units: 1, carried: 2 }));
		component = mount(ActionsPage, { target: document.body });
		await settle();
		byTestId('actions-tab-plan')!.click();
		await settle();
		expect(byTestId('unit-plan')).not.toBeNull();
		expect(byTestId('plan-confidential')?.textContent).toContain('2 confidential actions are not shown');
		expect(byTestId('plan-carried-2')?.textContent).toContain('Carried over from 2025');
		expect(byTestId('plan-shared')?.textContent).toContain('Handling 2');
		expect(byTestId('plan-individual')?.textContent).toContain('Handling 1');
		byTestId('plan-roll')!.click();
		await settle();
		byTestId('plan-roll-confirm')!.click();
		await settle();
		expect(commands.rollPlan).toHaveBeenCalledWith(2, 2026);
		expect(byTestId('plan-rolled')?.textContent).toContain('2 actions carried to 2027');
	});

	it('keeps the form when saving fails, with the error beside the field', async () => {
		vi.mocked(commands.createAction).mockImplementation(() =>
			fail({ code: 'negative' as const, params: { field: 'plannedCost' as const } })
		);
		component = mount(ActionsPage, { target: document.body });
		await settle();
		byTestId('actions-tab-plan')!.click();
		await settle();
		byTestId('action-add')!.click();
		await settle();
		expect(byTestId('action-form')).not.toBeNull();
		expect(byTestId('action-owner-value')?.textContent).toBe('Ole Berg');
		input('action-title', 'Temadag om forflytning');
		input('action-planned-cost', '-5');
		byTestId('action-save')!.click();
		await settle();
		expect(commands.createAction).toHaveBeenCalledWith(
			expect.objectContaining({ unitId: 2, scope: 'unit', ownerId: 3, plannedCost: -5, title: 'Temadag om forflytning' })
		);
		expect(byTestId('error-plannedCost')?.textContent).toContain('Planned cost cannot be negative');
		expect((byTestId('action-title') as HTMLInputElement).value).toBe('Temadag om forflytning');
		expect(byTestId('action-form')).not.toBeNull();
	});
});

describe('TalkActions', () => {
	let component: ReturnType<typeof mount> | null = null;

	const talk = (state: TalkSummary['state']): TalkSummary => ({
		id: 40,
		kind: 'mus',
		year: 2026,
		state,
		unitId: 2,
		unitName: 'Hjemmeplejen',
		leader: { personId: 3, name: 'Ole Berg' },
		participants: [{ personId: 9, name: 'Mette Holm' }],
		startsAt: null,
		durationMinutes: null,
		place: null,
		templateVersionId: 1
	});

	beforeEach(() => {
		vi.mocked(commands.competences).mockImplementation(() => ok([]));
		vi.mocked(commands.unitTree).mockImplementation(() => ok(tree));
		vi.mocked(commands.actions).mockImplementation(() =>
			ok({ actions: [action(1, { talkId: 40, status: 'carriedOver' }), action(5, { talkId: 40, carriedFrom: 1, year: 2027 })], total: 2, overdue: 0 })
		);
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
		vi.clearAllMocks();
	});

	it('lists the talk’s actions and adds one prefilled from the talk', async () => {
		component = mount(TalkActions, { target: document.body, props: { talk: talk('agreed') } });
		await settle();
		expect(vi.mocked(commands.actions).mock.calls[0]![0].talkId).toBe(40);
		// The carried original is the same agreement: only the one followed up shows.
		expect(byTestId('talk-action-1')).toBeNull();
		expect(byTestId('talk-action-5')).not.toBeNull();
		const add = byTestId('talk-action-add') as HTMLButtonElement;
		expect(add.disabled).toBe(false);
		add.click();
		await settle();
		expect(byTestId('action-form')).not.toBeNull();
		expect((byTestId('action-person') as HTMLSelectElement).value).toBe('9');
		expect(byTestId('action-owner-value')?.textContent).toBe('Ole Berg');
	});

	it('cannot add to a signed agreement, and says why', async () => {
		component = mount(TalkActions, { target: document.body, props: { talk: talk('signed') } });
		await settle();
		expect((byTestId('talk-action-add') as HTMLButtonElement).disabled).toBe(true);
		expect(byTestId('talk-actions-locked')).not.toBeNull();
	});
});
