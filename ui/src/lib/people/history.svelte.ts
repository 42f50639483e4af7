import { actionFilter } from '$lib/actions/actions.svelte';
import {
	commands,
	type Action,
	type Level,
	type PastAssessment,
	type PersonId,
	type TalkSummary
} from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import type { RadarRow } from '$lib/competences/charts';

/** One year of a person's talks, newest year first. */
export type TalkYear = { year: number; talks: TalkSummary[] };

/** A radar of one assessed talk, against the assessment before it. */
export function historyRadar(history: PastAssessment[], index: number): RadarRow[] {
	const shown = history[index];
	if (!shown) return [];
	const before = history[index + 1]?.rows ?? [];
	return shown.rows.map((r) => ({
		competence: r.competence,
		current: r.agreedLevel,
		desired: r.desiredLevel,
		previous: before.find((b) => b.competence.id === r.competence.id)?.agreedLevel ?? null
	}));
}

/** Groups talks by year, newest year first; within a year, in the core's order (soonest first). */
export function byYear(talks: TalkSummary[]): TalkYear[] {
	const years: TalkYear[] = [];
	for (const talk of talks) {
		let year = years.find((y) => y.year === talk.year);
		if (!year) {
			year = { year: talk.year, talks: [] };
			years.push(year);
		}
		year.talks.push(talk);
	}
	return years.sort((a, b) => b.year - a.year);
}

/** A person's history on their page: talks by year, actions, competence assessments. */
export class PersonHistoryState {
	talks = $state<TalkSummary[]>([]);
	actions = $state<Action[]>([]);
	assessments = $state<PastAssessment[]>([]);
	scale = $state<Level[]>([]);
	/** Which assessment the radar shows: an index into `assessments` (newest first). */
	shown = $state(0);
	loaded = $state(false);
	error = $state<AppError | null>(null);
	private person: PersonId | null = null;

	years = $derived(byYear(this.talks));
	radar = $derived(historyRadar(this.assessments, this.shown));

	async load(person: PersonId): Promise<void> {
		this.person = person;
		this.error = null;
		const [talks, actions, assessments, scale] = await Promise.all([
			call(commands.talks({ year: null, unitId: null, personId: person, includeCancelled: true })),
			call(commands.actions(actionFilter({ personId: person }))),
			call(commands.assessmentHistory(person)),
			call(commands.levelScale())
		]);
		// A newer person was chosen while these were on their way.
		if (this.person !== person) return;
		for (const r of [talks, actions, assessments, scale]) {
			if (r.status === 'error') {
				this.error = r.error;
				return;
			}
		}
		if (talks.status === 'ok') this.talks = talks.data;
		if (actions.status === 'ok') this.actions = actions.data.actions;
		if (assessments.status === 'ok') this.assessments = assessments.data;
		if (scale.status === 'ok') this.scale = scale.data;
		this.shown = 0;
		this.loaded = true;
	}
}
