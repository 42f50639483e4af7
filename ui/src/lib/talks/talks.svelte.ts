import {
	commands,
	type Answer,
	type ParticipantExchange,
	type Party,
	type CycleOverview,
	type Exported,
	type NoteLayer,
	type PersonCycle,
	type PersonId,
	type Reminder,
	type Preparation,
	type TalkDetail,
	type TalkId,
	type TalkKind,
	type TalkState,
	type TalkWarning,
	type TemplateSummary,
	type TemplateVersionId,
	type UnitId,
	type UnitNode
} from '$lib/bindings';
import { call, type AppError, type Result } from '$lib/errors';
import { currentLanguage, formatDateTime, t } from '$lib/i18n/i18n.svelte';
import { app } from '$lib/app.svelte';

/** Where a store without an organisation (an employee's own) most likely is, by its language. */
const countryOfLanguage = { da: 'DK', sv: 'SE', nb: 'NO', en: 'DK' } as const;

/** The name of a talk kind as the organisation's country calls it, in the UI language. */
export function kindName(kind: TalkKind): string {
	return t(`talkKinds.${app.organisation?.country ?? countryOfLanguage[currentLanguage()]}.${kind}`);
}

/** The word a list shows for a person's talk: the talk's own state, as its page says it. */
export function stateWord(p: PersonCycle): string {
	return p.state ? t(`talkStates.${p.state}`) : t('progress.notPlanned');
}

/** A reminder as one sentence in the UI language. */
export function reminderText(r: Reminder): string {
	const values = { kind: kindName(r.kind), name: r.person.name };
	switch (r.type) {
		case 'upcoming':
			return t('cycle.upcoming', { ...values, date: formatDateTime(r.startsAt) });
		case 'overdue':
			return t('cycle.overdueReminder', values);
		case 'followUpDue':
			return t('cycle.followUpDue', { ...values, date: formatDateTime(r.signedAt) });
	}
}

/** The year's cycle of the whole organisation and the people of one chosen unit. */
export class CycleState {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
	year = $state(new Date().getFullYear());
	data = $state<CycleOverview | null>(null);
	/** The units shown: one unit's tree (a manager's own), or the whole organisation. */
	root = $state<UnitId | null>(null);
	/** Every active unit, for choosing "my units". */
	allUnits = $state<UnitNode[]>([]);
	unit = $state<UnitId | null>(null);
	people = $state<PersonCycle[]>([]);
	error = $state<AppError | null>(null);
	loading = $state(false);
	/** Guides a new talk can be planned on, and the one chosen per kind (null: built-in). */
	guides = $state<TemplateSummary[]>([]);
	guideFor = $state<Record<TalkKind, TemplateVersionId | null>>({ mus: null, grus: null, lus: null });

	async loadGuides(): Promise<void> {
		const result = await call(commands.templates(false));
		if (result.status === 'ok') this.guides = result.data;
	}

	private rootKnown = false;

	async load(): Promise<void> {
		this.loading = true;
		// "My units" are remembered in the store: the first load starts from them.
		if (!this.rootKnown) {
			const mine = await call(commands.myUnit());
			if (mine.status === 'ok') this.root = mine.data;
			this.rootKnown = true;
		}
		const result = await call(commands.cycle(this.year, this.root));
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.data = result.data;
		// The unit tree names the choices; not a second (organisation-wide) cycle.
		if (this.allUnits.length === 0) {
			const tree = await call(commands.unitTree(false));
			if (tree.status === 'ok') this.allUnits = tree.data;
		}
		if (this.unit !== null && !result.data.units.some((u) => u.unitId === this.unit)) {
			this.unit = null;
			this.people = [];
		}
		if (this.unit !== null) await this.openUnit(this.unit);
	}

	/** Shows and remembers "my units": one unit's tree, or the whole organisation. */
	async setRoot(root: UnitId | null): Promise<void> {
		this.root = root;
		const saved = await call(commands.setMyUnit(root));
		if (saved.status === 'error') this.error = saved.error;
		await this.load();
	}

	/** The name of the unit shown as "my units", if one is chosen. */
	get rootName(): string | null {
		return this.allUnits.find((u) => u.id === this.root)?.name ?? null;
	}

	async openUnit(unit: UnitId): Promise<void> {
		this.unit = unit;
		const result = await call(commands.unitCycle(unit, this.year));
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.people = result.data;
	}

	/** Plans a talk and returns its id, or null with `error` set. */
	async plan(kind: TalkKind, leader: PersonId, participants: PersonId[]): Promise<TalkId | null> {
		const result = await call(
			commands.planTalk({
				kind,
				leaderId: leader,
				participantIds: participants,
				year: this.year,
				templateVersionId: this.guideFor[kind]
			})
		);
		if (result.status === 'error') {
			this.error = result.error;
			return null;
		}
		return result.data.value.id;
	}
}

/** Where one field's saving stands: the tag beside it shows this. */
export type FieldSave = { status: 'saving' | 'saved' | 'failed'; error: AppError | null };

/** Debounced saving of what is typed: while typing, on leaving a field, and before the window
 * closes. Each field (by key) keeps its own latest pending save, so typing in a second field
 * never drops the first one's. */
export class Autosave {
	status = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');
	error = $state<AppError | null>(null);
	/** Each field's own state (by key), so the tag beside a field speaks for that field. */
	fields = $state<Record<string, FieldSave>>({});
	private timer: ReturnType<typeof setTimeout> | null = null;
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- internal queue, not shown
	private pending = new Map<string, () => Promise<AppError | null>>();

	constructor(private readonly delay = 300) {}

	/** Schedules `save` for `key`, replacing that key's earlier save if it has not run yet. */
	schedule(key: string, save: () => Promise<AppError | null>): void {
		this.pending.set(key, save);
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => void this.flush(), this.delay);
	}

	/** Runs every pending save now, in the order they were first scheduled. */
	async flush(): Promise<void> {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		if (this.pending.size === 0) return;
		const saves = [...this.pending];
		this.pending.clear();
		this.status = 'saving';
		for (const [key] of saves) this.fields[key] = { status: 'saving', error: null };
		let error: AppError | null = null;
		for (const [key, save] of saves) {
			const failed = await save();
			this.fields[key] = { status: failed ? 'failed' : 'saved', error: failed };
			error = failed ?? error;
		}
		this.error = error;
		this.status = error ? 'failed' : 'saved';
	}
}

/** Puts `answer` into `list` in place of the one to the same question. */
function upsert(list: Answer[], answer: Answer): Answer[] {
	return [
		...list.filter((a) => a.section !== answer.section || a.question !== answer.question),
		answer
	];
}

async function unit(pending: Promise<{ status: 'ok'; data: null } | { status: 'error'; error: AppError }>): Promise<AppError | null> {
	const result = await call(pending);
	return result.status === 'error' ? result.error : null;
}

/** One open talk. */
export class TalkModel {
	detail = $state<TalkDetail | null>(null);
	error = $state<AppError | null>(null);
	warnings = $state<TalkWarning[]>([]);
	icsPath = $state<string | null>(null);
	autosave = new Autosave();

	constructor(readonly id: TalkId) {}

	async load(): Promise<void> {
		const [result, exchanges] = await Promise.all([call(commands.getTalk(this.id)), call(commands.talkExchanges(this.id))]);
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.detail = result.data;
		// Where the files stand is a help beside the talk, not the talk: it may be missing.
		this.exchanges = exchanges.status === 'ok' ? exchanges.data : [];
	}

	private async after(error: AppError | null): Promise<boolean> {
		this.error = error;
		if (!error) await this.load();
		return !error;
	}

	/** Reloads after a change that went through; a failure goes back to the caller, who shows
	 * it beside the control that made it. */
	private async reloadUnless(error: AppError | null): Promise<AppError | null> {
		if (!error) await this.load();
		return error;
	}

	async schedule(startsAt: string, minutes: number, place: string): Promise<AppError | null> {
		const result = await call(
			commands.scheduleTalk(this.id, { startsAt, durationMinutes: minutes, place })
		);
		if (result.status === 'ok') this.warnings = result.data.warnings;
		return this.reloadUnless(result.status === 'error' ? result.error : null);
	}

	async step(to: TalkState, reason: string | null = null): Promise<AppError | null> {
		await this.autosave.flush();
		const result = await call(commands.stepTalk(this.id, to, reason));
		return this.reloadUnless(result.status === 'error' ? result.error : null);
	}

	/** Takes the last step back, when the core's `undo` allows it. */
	async undo(): Promise<AppError | null> {
		await this.autosave.flush();
		const result = await call(commands.undoTalkStep(this.id));
		return this.reloadUnless(result.status === 'error' ? result.error : null);
	}

	/** Marks the talk held; `heldAt` (RFC 3339) is the time it was held, which the core asks for
	 * when the planned date has not come (`heldDateNeeded`). */
	async hold(heldAt: string | null): Promise<AppError | null> {
		await this.autosave.flush();
		const result = await call(commands.holdTalk(this.id, heldAt));
		return this.reloadUnless(result.status === 'error' ? result.error : null);
	}

	/** Where the exchange of files with each participant stands. */
	exchanges = $state<ParticipantExchange[]>([]);
	/** Why the last exchange file could not be written (said beside its buttons). */
	exchangeError = $state<AppError | null>(null);
	/** Where the last invitation file was saved, and for whom. */
	exchangeWritten = $state<{ name: string; path: string } | null>(null);

	/** Saves the invitation file for one participant's own computer where the user chooses. */
	async writeInvitationFile(person: Party, title: string): Promise<void> {
		await this.exchanged(person, commands.writeInvitationExchange(this.id, person.personId, title, t('talk.invitationFileDialog')));
	}

	/** Saves the agreement (or, `progress`, the actions' progress) file for one participant. */
	async writeAgreementFile(person: Party, progress: boolean): Promise<void> {
		const dialog = t(progress ? 'talk.progressFileDialog' : 'talk.agreementFileDialog');
		await this.exchanged(person, commands.writeAgreementExchange(this.id, person.personId, progress, dialog));
	}

	/** Takes a written exchange file's outcome: where it went (the page then shows where the
	 * files stand), or why it was not written; a closed dialog changes nothing. */
	private async exchanged(person: Party, pending: Promise<Result<Exported | null, AppError>>): Promise<void> {
		const result = await call(pending);
		this.exchangeError = result.status === 'error' ? result.error : null;
		if (result.status === 'ok' && result.data) {
			this.exchangeWritten = { name: person.name, path: result.data.path };
			await this.load();
		}
	}

	async writeIcs(title: string): Promise<void> {
		const result = await call(commands.writeInvitation(this.id, title, t('export.dialogTitle')));
		if (result.status === 'error') this.error = result.error;
		// `null`: the save dialog was closed.
		else if (result.data) this.icsPath = result.data.path;
	}

	saveNote(layer: NoteLayer, answer: Answer): void {
		// Keep the page's copy current, so a section shows what was typed when it is revisited.
		if (this.detail) {
			if (layer === 'shared') this.detail.notes = upsert(this.detail.notes, answer);
			else this.detail.leaderNotes = upsert(this.detail.leaderNotes, answer);
		}
		const key = `${layer}-${answer.section}-${answer.question}`;
		this.autosave.schedule(key, () => unit(commands.saveNote(this.id, layer, answer)));
	}

	/** One party's own preparation, for that party's preparation form. */
	async preparation(author: PersonId): Promise<Preparation | null> {
		await this.autosave.flush();
		const result = await call(commands.getPreparation(this.id, author));
		if (result.status === 'error') {
			this.error = result.error;
			return null;
		}
		return result.data;
	}

	savePreparation(author: PersonId, answer: Answer): void {
		const key = `prep-${author}-${answer.section}-${answer.question}`;
		this.autosave.schedule(key, () => unit(commands.savePreparation(this.id, author, answer)));
	}

	saveSummary(text: string): void {
		if (this.detail) this.detail.summary = text;
		this.autosave.schedule('summary', () => unit(commands.saveSummary(this.id, text)));
	}

	async share(author: PersonId): Promise<boolean> {
		await this.autosave.flush();
		return this.after(await unit(commands.sharePreparation(this.id, author)));
	}

	async disagree(text: string): Promise<boolean> {
		return this.after(await unit(commands.recordDisagreement(this.id, text)));
	}

	async sign(person: PersonId, typedName: string): Promise<AppError | null> {
		await this.autosave.flush();
		const result = await call(commands.signTalk(this.id, person, typedName));
		return this.reloadUnless(result.status === 'error' ? result.error : null);
	}

	async followUp(text: string): Promise<boolean> {
		return this.after(await unit(commands.addFollowUp(this.id, text)));
	}
}
