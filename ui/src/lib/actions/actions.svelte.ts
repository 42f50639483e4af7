import {
	commands,
	type Action,
	type ActionBoard,
	type ActionDetail,
	type ActionFilter,
	type ActionId,
	type ActionInput,
	type ActionKind,
	type ActionScope,
	type ActionStatus,
	type Competence,
	type CompetenceId,
	type Effect,
	type Field,
	type Language,
	type Party,
	type RollOutcome,
	type TalkId,
	type TalkSummary,
	type UnitId,
	type UnitNode,
	type UnitPlan
} from '$lib/bindings';
import { call, errorMessage, fieldOf, type AppError } from '$lib/errors';
import { currentLanguage, intlLocales, t, todayIso } from '$lib/i18n/i18n.svelte';
import { app } from '$lib/app.svelte';
import type { Picked } from '$lib/people/people.svelte';

export const actionKinds: readonly ActionKind[] = [
	'course',
	'training',
	'mentoring',
	'rotation',
	'network',
	'shadowing',
	'other'
];
export const actionScopes: readonly ActionScope[] = ['individual', 'group', 'unit'];
/** Every status, for filtering. */
export const actionStatuses: readonly ActionStatus[] = [
	'planned',
	'ongoing',
	'done',
	'cancelled',
	'carriedOver'
];
/** The statuses one can set by hand: carried over is set only by rolling a plan, and is final. */
export const settableStatuses: readonly ActionStatus[] = ['planned', 'ongoing', 'done', 'cancelled'];
export const effects: readonly Effect[] = ['yes', 'partly', 'no'];

export function currentYear(): number {
	return Number(todayIso().slice(0, 4));
}

// ---------------------------------------------------------------------------------------------
// Numbers as people type them

export type Parsed = { ok: true; value: number | null } | { ok: false };

function separators(language: Language): { decimal: string } {
	const parts = new Intl.NumberFormat(intlLocales[language]).formatToParts(1.5);
	return { decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
}

/**
 * Reads an amount or a number of hours as typed: "1.234,50", "1 234,50", "1234,5" and
 * "1,234.50" are all 1234.5. With one kind of separator only, a single separator is the
 * decimal mark unless it is not the language's own and exactly three digits follow it
 * ("1.234" is 1234 in Danish, "1,234" is 1.234 in Danish and 1234 in English; "12.5" is 12.5
 * everywhere). A repeated separator groups thousands. Empty is null; a leading minus is
 * kept so that the core can say "cannot be negative" beside the field.
 */
export function parseAmount(text: string, language: Language = currentLanguage()): Parsed {
	let s = text.trim().replace(/[\s\u00a0\u202f'’_]/g, '');
	if (s === '') return { ok: true, value: null };
	let sign = 1;
	if (/^[-−–+]/.test(s)) {
		sign = s[0] === '+' ? 1 : -1;
		s = s.slice(1);
	}
	if (!/^[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) return { ok: false };
	const lastDot = s.lastIndexOf('.');
	const lastComma = s.lastIndexOf(',');
	let decimal: '.' | ',' | null;
	if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
	else if (lastDot < 0 && lastComma < 0) decimal = null;
	else {
		const sep = lastDot >= 0 ? '.' : ',';
		const count = s.split(sep).length - 1;
		if (count > 1) decimal = null;
		else {
			const digitsAfter = s.length - s.indexOf(sep) - 1;
			decimal = sep !== separators(language).decimal && digitsAfter === 3 ? null : sep;
		}
	}
	let whole = s;
	let fraction = '';
	if (decimal) {
		const at = s.lastIndexOf(decimal);
		whole = s.slice(0, at);
		fraction = s.slice(at + 1);
		if (!/^[0-9]*$/.test(fraction)) return { ok: false };
	}
	const group = decimal === '.' ? ',' : decimal === ',' ? '.' : lastDot >= 0 ? '.' : ',';
	if (whole.includes(group)) {
		const groups = whole.split(group);
		if (!/^[0-9]{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^[0-9]{3}$/.test(g))) {
			return { ok: false };
		}
		whole = groups.join('');
	}
	if (!/^[0-9]*$/.test(whole) || whole + fraction === '') return { ok: false };
	const value = Number(`${whole || '0'}.${fraction || '0'}`);
	return Number.isFinite(value) ? { ok: true, value: sign * value } : { ok: false };
}

/** A number as an input shows it for editing: the language's decimal mark, no grouping. */
export function amountText(value: number | null | undefined, language: Language = currentLanguage()): string {
	if (value == null) return '';
	return new Intl.NumberFormat(intlLocales[language], {
		maximumFractionDigits: 2,
		useGrouping: false
	}).format(value);
}

/** An amount in the organisation's currency, in the UI language. */
export function formatMoney(value: number | null | undefined): string {
	if (value == null) return '';
	const locale = intlLocales[currentLanguage()];
	const currency = app.organisation?.currency;
	try {
		if (currency) {
			return new Intl.NumberFormat(locale, {
				style: 'currency',
				currency,
				maximumFractionDigits: 2
			}).format(value);
		}
	} catch {
		// An unknown currency code: show the number and the code as typed.
	}
	const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
	return currency ? `${number} ${currency}` : number;
}

export function formatHours(value: number | null | undefined): string {
	if (value == null) return '';
	return new Intl.NumberFormat(intlLocales[currentLanguage()], { maximumFractionDigits: 2 }).format(value);
}

/** Whom an action develops, as a list names it: the person, or "Group" / "Unit". */
export function whom(action: Action): string {
	if (action.scope === 'individual') return action.person?.name ?? '';
	return t(`actions.scopeShort.${action.scope}`);
}

// ---------------------------------------------------------------------------------------------
// Errors beside their fields

/** One submission's error: beside its field if the form has that field, else above the buttons. */
/** A filter that matches every action but for what `over` narrows. */
export function actionFilter(over: Partial<ActionFilter>): ActionFilter {
	return {
		root: null,
		personId: null,
		talkId: null,
		year: null,
		statuses: [],
		kind: null,
		dueFrom: null,
		dueTo: null,
		overdueOnly: false,
		limit: null,
		...over
	};
}

export class ActionErrors {
	error = $state<AppError | null>(null);

	constructor(private readonly fields: readonly Field[]) {}

	get field(): Field | null {
		const field = fieldOf(this.error);
		return field && this.fields.includes(field) ? field : null;
	}

	for(field: Field): string | null {
		return this.error && this.field === field ? errorMessage(this.error) : null;
	}

	get general(): string | null {
		return this.error && !this.field ? errorMessage(this.error) : null;
	}

	set(error: AppError | null): void {
		this.error = error;
	}
}

// ---------------------------------------------------------------------------------------------
// The board

/** The actions board: the manager's units, filtered. */
export class BoardState {
	/** The units shown: one unit's tree ("my units", remembered), or the whole organisation. */
	root = $state<UnitId | null>(null);
	person = $state<Picked>(null);
	statuses = $state<ActionStatus[]>([]);
	kind = $state<ActionKind | null>(null);
	dueFrom = $state('');
	dueTo = $state('');
	/** null: every year. */
	year = $state<number | null>(currentYear());
	overdueOnly = $state(false);
	readonly limit: number;

	board = $state<ActionBoard | null>(null);
	error = $state<AppError | null>(null);
	loading = $state(false);

	private rootKnown = false;
	private request = 0;

	constructor(limit = 200) {
		this.limit = limit;
	}

	/** The filter as the core takes it. */
	toFilter(): ActionFilter {
		return {
			root: this.root,
			personId: this.person?.id ?? null,
			talkId: null,
			year: this.year,
			statuses: [...this.statuses],
			kind: this.kind,
			dueFrom: this.dueFrom || null,
			dueTo: this.dueTo || null,
			overdueOnly: this.overdueOnly,
			limit: this.limit
		};
	}

	async load(): Promise<void> {
		const request = ++this.request;
		this.loading = true;
		if (!this.rootKnown) {
			const mine = await call(commands.myUnit());
			if (mine.status === 'ok') this.root = mine.data;
			this.rootKnown = true;
		}
		const result = await call(commands.actions(this.toFilter()));
		if (request !== this.request) return;
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.board = result.data;
	}

	/** Shows and remembers "my units", as the Talks page does. */
	async setRoot(root: UnitId | null): Promise<void> {
		this.root = root;
		this.rootKnown = true;
		const saved = await call(commands.setMyUnit(root));
		if (saved.status === 'error') this.error = saved.error;
		await this.load();
	}

	toggleStatus(status: ActionStatus): void {
		this.statuses = this.statuses.includes(status)
			? this.statuses.filter((s) => s !== status)
			: [...this.statuses, status];
	}

	clearFilters(): void {
		this.person = null;
		this.statuses = [];
		this.kind = null;
		this.dueFrom = '';
		this.dueTo = '';
		this.year = currentYear();
		this.overdueOnly = false;
	}

	/** More matched than the board holds. */
	get limited(): boolean {
		return this.board !== null && this.board.total > this.board.actions.length;
	}

	/** One click on the board: the row shows the action as the core returns it. */
	async setStatus(id: ActionId, status: ActionStatus): Promise<boolean> {
		const result = await setStatus(id, status);
		if ('error' in result) {
			this.error = result.error;
			return false;
		}
		this.error = null;
		if (this.board) {
			const before = this.board.actions.find((a) => a.id === id);
			this.board.actions = this.board.actions.map((a) => (a.id === id ? result.action : a));
			if (before && before.overdue !== result.action.overdue) {
				this.board.overdue += result.action.overdue ? 1 : -1;
			}
		}
		return true;
	}

	/** Puts a changed action in its row, if the board shows it. */
	replace(action: Action): void {
		if (this.board) this.board.actions = this.board.actions.map((a) => (a.id === action.id ? action : a));
	}
}

async function setStatus(
	id: ActionId,
	status: ActionStatus
): Promise<{ action: Action } | { error: AppError }> {
	if (!settableStatuses.includes(status)) {
		return { error: { code: 'illegalActionStep', params: { from: status, to: status } } };
	}
	const result = await call(commands.setActionStatus(id, status));
	return result.status === 'error' ? { error: result.error } : { action: result.data };
}

// ---------------------------------------------------------------------------------------------
// The unit plan

/** A unit's action plan of one year, and rolling it into the next. */
export class PlanState {
	unitId = $state<UnitId | null>(null);
	year = $state(currentYear());
	plan = $state<UnitPlan | null>(null);
	error = $state<AppError | null>(null);
	loading = $state(false);
	/** What the last roll did, shown until the plan changes. */
	rolled = $state<{ outcome: RollOutcome; to: number } | null>(null);

	private request = 0;

	/** Starts at "my units", or the first unit of the tree. */
	async start(tree: UnitNode[]): Promise<void> {
		if (this.unitId === null) {
			const mine = await call(commands.myUnit());
			this.unitId = (mine.status === 'ok' ? mine.data : null) ?? tree[0]?.id ?? null;
		}
		await this.load();
	}

	async load(): Promise<void> {
		if (this.unitId === null) {
			this.plan = null;
			return;
		}
		const request = ++this.request;
		this.loading = true;
		const result = await call(commands.unitPlan(this.unitId, this.year));
		if (request !== this.request) return;
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.plan = result.data;
	}

	async choose(unitId: UnitId | null, year: number): Promise<void> {
		if (unitId !== this.unitId || year !== this.year) this.rolled = null;
		this.unitId = unitId;
		this.year = year;
		await this.load();
	}

	/** Group and unit actions; the core lists them first. */
	get shared(): Action[] {
		return this.plan?.actions.filter((a) => a.scope !== 'individual') ?? [];
	}

	get individual(): Action[] {
		return this.plan?.actions.filter((a) => a.scope === 'individual') ?? [];
	}

	/** Carries the plan's open actions into next year's; returns the error to show, or null. */
	async roll(): Promise<AppError | null> {
		if (this.unitId === null) return null;
		const year = this.year;
		const result = await call(commands.rollPlan(this.unitId, year));
		if (result.status === 'error') return result.error;
		this.rolled = { outcome: result.data, to: year + 1 };
		await this.load();
		return null;
	}
}

// ---------------------------------------------------------------------------------------------
// One action in full

export class DetailState {
	detail = $state<ActionDetail | null>(null);
	error = $state<AppError | null>(null);
	judgeErrors = new ActionErrors(['resultNote']);
	noteErrors = new ActionErrors(['followUp']);
	/** The judged result as being edited. */
	result = $state<Effect | null>(null);
	resultNote = $state('');
	followUp = $state('');
	busy = $state(false);

	constructor(public id: ActionId) {}

	async load(): Promise<void> {
		const result = await call(commands.getAction(this.id));
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.detail = result.data;
		this.result = result.data.action.result;
		this.resultNote = result.data.action.resultNote ?? '';
	}

	/** Opens another action (the one this was carried to or from) in the same dialog. */
	async open(id: ActionId): Promise<void> {
		this.id = id;
		this.detail = null;
		this.judgeErrors.set(null);
		this.noteErrors.set(null);
		this.followUp = '';
		await this.load();
	}

	async setStatus(status: ActionStatus): Promise<Action | null> {
		const result = await setStatus(this.id, status);
		if ('error' in result) {
			this.error = result.error;
			return null;
		}
		this.error = null;
		await this.load();
		return result.action;
	}

	async judge(): Promise<Action | null> {
		if (this.busy) return null;
		this.busy = true;
		const result = await call(commands.judgeAction(this.id, this.result, this.resultNote));
		this.busy = false;
		if (result.status === 'error') {
			this.judgeErrors.set(result.error);
			return null;
		}
		this.judgeErrors.set(null);
		if (this.detail) this.detail.action = result.data;
		this.resultNote = result.data.resultNote ?? '';
		return result.data;
	}

	async addFollowUp(): Promise<boolean> {
		if (this.busy) return false;
		this.busy = true;
		const result = await call(commands.addActionFollowUp(this.id, this.followUp));
		this.busy = false;
		if (result.status === 'error') {
			this.noteErrors.set(result.error);
			return false;
		}
		this.noteErrors.set(null);
		this.followUp = '';
		await this.load();
		return true;
	}
}

// ---------------------------------------------------------------------------------------------
// The form

/** The fields the action form shows; an error about any other shows above the buttons. */
export const formFields = [
	'unit',
	'year',
	'person',
	'actionTitle',
	'theme',
	'competence',
	'owner',
	'dueDate',
	'plannedCost',
	'plannedHours',
	'actualCost',
	'actualHours'
] as const satisfies readonly Field[];

/** What a new action starts from. */
export type ActionDefaults = {
	unitId: UnitId | null;
	year: number;
	scope: ActionScope;
	talkId?: TalkId | null;
	person?: Picked;
	owner?: Picked;
};

/** The talk an action is agreed in, as the form needs it. */
export type FormTalk = { participants: Party[]; locked: boolean };

const picked = (party: Party | null): Picked =>
	party ? { id: party.personId, name: party.name } : null;

/** Creating or editing one action. Nothing typed is lost when the core refuses it. */
export class ActionForm {
	readonly id: ActionId | null;
	readonly talkId: TalkId | null;
	unitId = $state<UnitId | null>(null);
	year = $state(currentYear());
	scope = $state<ActionScope>('unit');
	person = $state<Picked>(null);
	title = $state('');
	theme = $state('');
	competenceIds = $state<CompetenceId[]>([]);
	kind = $state<ActionKind>('course');
	owner = $state<Picked>(null);
	dueDate = $state('');
	plannedCost = $state('');
	plannedHours = $state('');
	actualCost = $state('');
	actualHours = $state('');
	confidential = $state(false);

	/** The talk's participants (for an agreed action) and whether its agreement is signed. */
	talk = $state<FormTalk | null>(null);
	/** The catalogue to choose from, plus the action's own competences if since archived. */
	competences = $state<{ id: CompetenceId; name: string }[]>([]);
	errors = new ActionErrors(formFields);
	busy = $state(false);

	private constructor(id: ActionId | null, talkId: TalkId | null) {
		this.id = id;
		this.talkId = talkId;
	}

	static create(defaults: ActionDefaults, talk: FormTalk | null = null): ActionForm {
		const form = new ActionForm(null, defaults.talkId ?? null);
		form.unitId = defaults.unitId;
		form.year = defaults.year;
		form.scope = defaults.scope;
		form.person = defaults.person ?? null;
		form.owner = defaults.owner ?? null;
		form.talk = talk;
		return form;
	}

	static edit(action: Action, talk: FormTalk | null = null): ActionForm {
		const form = new ActionForm(action.id, action.talkId);
		form.unitId = action.unitId;
		form.year = action.year;
		form.scope = action.scope;
		form.person = picked(action.person);
		form.title = action.title;
		form.theme = action.theme;
		form.competenceIds = action.competences.map((c) => c.id);
		form.competences = action.competences.map((c) => ({ id: c.id, name: c.name }));
		form.kind = action.kind;
		form.owner = picked(action.owner);
		form.dueDate = action.dueDate ?? '';
		form.plannedCost = amountText(action.plannedCost);
		form.plannedHours = amountText(action.plannedHours);
		form.actualCost = amountText(action.actualCost);
		form.actualHours = amountText(action.actualHours);
		form.confidential = action.confidential;
		form.talk = talk;
		return form;
	}

	/** What the action is can no longer change: its talk's agreement is signed. */
	get locked(): boolean {
		return this.talk?.locked ?? false;
	}

	/** Reads the catalogue, and for an agreed action its talk, when not given. */
	async prepare(): Promise<void> {
		const catalogue = await call(commands.competences(false));
		if (catalogue.status === 'ok') this.mergeCompetences(catalogue.data);
		if (this.talkId !== null && this.talk === null) {
			const talk = await call(commands.getTalk(this.talkId));
			if (talk.status === 'ok') this.talk = formTalk(talk.data.talk);
		}
	}

	private mergeCompetences(catalogue: Competence[]): void {
		const own = this.competences.filter((c) => !catalogue.some((k) => k.id === c.id));
		this.competences = [...catalogue.map((c) => ({ id: c.id, name: c.name })), ...own];
	}

	toggleCompetence(id: CompetenceId): void {
		this.competenceIds = this.competenceIds.includes(id)
			? this.competenceIds.filter((c) => c !== id)
			: [...this.competenceIds, id];
	}

	/** The input for the core, or the error of the first number that cannot be read. */
	toInput(): { input: ActionInput } | { error: AppError } {
		const numbers: [Field, string][] = [
			['plannedCost', this.plannedCost],
			['plannedHours', this.plannedHours],
			['actualCost', this.actualCost],
			['actualHours', this.actualHours]
		];
		const values: Partial<Record<Field, number | null>> = {};
		for (const [field, text] of numbers) {
			const parsed = parseAmount(text);
			if (!parsed.ok) return { error: { code: 'invalid', params: { field } } };
			values[field] = parsed.value;
		}
		if (this.unitId === null) return { error: { code: 'empty', params: { field: 'unit' } } };
		return {
			input: {
				unitId: this.unitId,
				year: Number(this.year),
				scope: this.scope,
				talkId: this.talkId,
				personId: this.scope === 'individual' ? (this.person?.id ?? null) : null,
				title: this.title,
				theme: this.theme,
				competenceIds: [...this.competenceIds],
				kind: this.kind,
				ownerId: this.owner?.id ?? null,
				dueDate: this.dueDate || null,
				plannedCost: values.plannedCost ?? null,
				plannedHours: values.plannedHours ?? null,
				actualCost: values.actualCost ?? null,
				actualHours: values.actualHours ?? null,
				confidential: this.confidential
			}
		};
	}

	/** Saves; returns the saved action, or null with the error set and every input kept. */
	async save(): Promise<Action | null> {
		if (this.busy) return null;
		const made = this.toInput();
		if ('error' in made) {
			this.errors.set(made.error);
			return null;
		}
		this.busy = true;
		const result = await call(
			this.id === null
				? commands.createAction(made.input)
				: commands.updateAction(this.id, made.input)
		);
		this.busy = false;
		if (result.status === 'error') {
			this.errors.set(result.error);
			return null;
		}
		this.errors.set(null);
		return result.data;
	}
}

/** The form's view of a talk: who can be developed, and whether the agreement is signed. */
export function formTalk(talk: TalkSummary): FormTalk {
	return { participants: talk.participants, locked: isSigned(talk) };
}

export function isSigned(talk: TalkSummary): boolean {
	return talk.state === 'signed' || talk.state === 'followedUp';
}

/** A new agreed action of a talk: its unit and year, the participant, led by the talk's leader. */
export function talkDefaults(talk: TalkSummary): ActionDefaults {
	const first = talk.participants[0] ?? null;
	return {
		unitId: talk.unitId,
		year: talk.year,
		scope: talk.kind === 'grus' ? 'group' : 'individual',
		talkId: talk.id,
		person: talk.kind === 'grus' ? null : picked(first),
		owner: picked(talk.leader)
	};
}

/** A new action of a unit's plan, owned by the unit's manager when it has one. */
export function planDefaults(unit: UnitNode | undefined, year: number): ActionDefaults {
	return {
		unitId: unit?.id ?? null,
		year,
		scope: 'unit',
		owner:
			unit?.managerId != null ? { id: unit.managerId, name: unit.managerName ?? '' } : null
	};
}

// ---------------------------------------------------------------------------------------------
// A talk's actions

/** The actions agreed in one talk. */
export class TalkActionsState {
	actions = $state<Action[]>([]);
	error = $state<AppError | null>(null);
	loaded = $state(false);

	constructor(public talkId: TalkId) {}

	async load(): Promise<void> {
		const result = await call(
			commands.actions(actionFilter({ talkId: this.talkId }))
		);
		this.loaded = true;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		// A carried action is the same agreement: show the one still followed up.
		this.actions = result.data.actions
			.filter((a) => !result.data.actions.some((b) => b.carriedFrom === a.id))
			.sort((a, b) => a.id - b.id);
	}
}
