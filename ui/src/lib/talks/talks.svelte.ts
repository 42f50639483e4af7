import {
	commands,
	type Answer,
	type CycleOverview,
	type NoteLayer,
	type PersonCycle,
	type PersonId,
	type Preparation,
	type TalkDetail,
	type TalkId,
	type TalkKind,
	type TalkState,
	type TalkWarning,
	type UnitId
} from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { t } from '$lib/i18n/i18n.svelte';
import { app } from '$lib/app.svelte';

/** The name of a talk kind as the organisation's country calls it, in the UI language. */
export function kindName(kind: TalkKind): string {
	return t(`talkKinds.${app.organisation?.country ?? 'DK'}.${kind}`);
}

/** The year's cycle of the whole organisation and the people of one chosen unit. */
export class CycleState {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
	year = $state(new Date().getFullYear());
	data = $state<CycleOverview | null>(null);
	unit = $state<UnitId | null>(null);
	people = $state<PersonCycle[]>([]);
	error = $state<AppError | null>(null);
	loading = $state(false);

	async load(): Promise<void> {
		this.loading = true;
		const result = await call(commands.cycle(this.year, null));
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.data = result.data;
		if (this.unit !== null) await this.openUnit(this.unit);
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
				templateVersionId: null
			})
		);
		if (result.status === 'error') {
			this.error = result.error;
			return null;
		}
		return result.data.value.id;
	}
}

/** Debounced saving of one text: while typing, on leaving the field, and before the window
 * closes. Text typed up to the debounce delay before a crash is in the store. */
export class Autosave {
	status = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');
	error = $state<AppError | null>(null);
	private timer: ReturnType<typeof setTimeout> | null = null;
	private pending: (() => Promise<AppError | null>) | null = null;

	constructor(private readonly delay = 300) {}

	/** Schedules `save`; a later call replaces an earlier one that has not run yet. */
	schedule(save: () => Promise<AppError | null>): void {
		this.pending = save;
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => void this.flush(), this.delay);
	}

	async flush(): Promise<void> {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const save = this.pending;
		this.pending = null;
		if (!save) return;
		this.status = 'saving';
		const error = await save();
		this.error = error;
		this.status = error ? 'failed' : 'saved';
	}
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
		const result = await call(commands.getTalk(this.id));
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.detail = result.data;
	}

	private async after(error: AppError | null): Promise<boolean> {
		this.error = error;
		if (!error) await this.load();
		return !error;
	}

	async schedule(startsAt: string, minutes: number, place: string): Promise<boolean> {
		const result = await call(
			commands.scheduleTalk(this.id, { startsAt, durationMinutes: minutes, place })
		);
		if (result.status === 'ok') this.warnings = result.data.warnings;
		return this.after(result.status === 'error' ? result.error : null);
	}

	async step(to: TalkState, reason: string | null = null): Promise<boolean> {
		await this.autosave.flush();
		const result = await call(commands.stepTalk(this.id, to, reason));
		return this.after(result.status === 'error' ? result.error : null);
	}

	async writeIcs(title: string): Promise<void> {
		const result = await call(commands.writeInvitation(this.id, title));
		if (result.status === 'error') this.error = result.error;
		else this.icsPath = result.data;
	}

	saveNote(layer: NoteLayer, answer: Answer): void {
		this.autosave.schedule(() => unit(commands.saveNote(this.id, layer, answer)));
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
		this.autosave.schedule(() => unit(commands.savePreparation(this.id, author, answer)));
	}

	saveSummary(text: string): void {
		this.autosave.schedule(() => unit(commands.saveSummary(this.id, text)));
	}

	async share(author: PersonId): Promise<boolean> {
		await this.autosave.flush();
		return this.after(await unit(commands.sharePreparation(this.id, author)));
	}

	async disagree(text: string): Promise<boolean> {
		return this.after(await unit(commands.recordDisagreement(this.id, text)));
	}

	async sign(person: PersonId, typedName: string): Promise<boolean> {
		await this.autosave.flush();
		const result = await call(commands.signTalk(this.id, person, typedName));
		return this.after(result.status === 'error' ? result.error : null);
	}

	async followUp(text: string): Promise<boolean> {
		return this.after(await unit(commands.addFollowUp(this.id, text)));
	}
}
