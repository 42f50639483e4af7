import { describe, expect, it } from 'vitest';
import type { AssessmentRow, PastAssessment, TalkSummary } from '$lib/bindings';
import { byYear, historyRadar } from './history.svelte';

function talk(id: number, year: number): TalkSummary {
	return {
		id,
		kind: 'mus',
		year,
		state: 'signed',
		unitId: 1,
		unitName: 'Solsikken',
		leader: { personId: 1, name: 'Mads Leder' },
		participants: [{ personId: 2, name: 'Emma Ansat' }],
		startsAt: null,
		durationMinutes: null,
		place: null,
		templateVersionId: 1
	};
}

function row(id: number, agreed: number | null, desired: number | null): AssessmentRow {
	return {
		competence: { id, name: `C${id}`, category: 'professional' },
		required: null,
		selfLevel: null,
		leaderLevel: null,
		agreedLevel: agreed,
		desiredLevel: desired,
		gap: null
	};
}

describe('a person’s history', () => {
	it('groups talks by year, newest year first, keeping the order within a year', () => {
		const years = byYear([talk(1, 2025), talk(2, 2026), talk(3, 2025)]);
		expect(years.map((y) => y.year)).toEqual([2026, 2025]);
		expect(years[1]!.talks.map((t) => t.id)).toEqual([1, 3]);
	});

	it('draws an assessment against the one before it, and nothing past the oldest', () => {
		const history: PastAssessment[] = [
			{ talkId: 2, year: 2026, kind: 'mus', rows: [row(10, 3, 4), row(11, null, 2)] },
			{ talkId: 1, year: 2025, kind: 'mus', rows: [row(10, 2, 4)] }
		];
		expect(historyRadar(history, 0)).toEqual([
			{ competence: history[0]!.rows[0]!.competence, current: 3, desired: 4, previous: 2 },
			{ competence: history[0]!.rows[1]!.competence, current: null, desired: 2, previous: null }
		]);
		expect(historyRadar(history, 1)[0]!.previous).toBeNull();
		expect(historyRadar(history, 2)).toEqual([]);
	});
});
