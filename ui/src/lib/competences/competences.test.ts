import { fieldOf } from '$lib/errors';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AssessmentRow, HeatMap, Level, Profile, TalkAssessment, UnitNode } from '$lib/bindings';
import { ok } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		levelScale: vi.fn(),
		competences: vi.fn(),
		profiles: vi.fn(),
		jobFamilies: vi.fn(),
		myUnit: vi.fn(),
		unitTree: vi.fn(),
		setRequirement: vi.fn(),
		setLevelScale: vi.fn(),
		effectiveProfile: vi.fn(),
		setUnitRequirement: vi.fn(),
		heatMap: vi.fn(),
		talkAssessment: vi.fn(),
		saveAssessment: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { units } = await import('$lib/units/units.svelte');
const {
	AssessmentState,
	CompetenceStore,
	EffectiveView,
	HeatMapState,
	gapOf,
	inheritedFrom,
	levelLabel
} = await import('./competences.svelte');

const fail = (error: { code: string; params?: unknown }) =>
	Promise.resolve({ status: 'error' as const, error: error as never });

const scale: Level[] = [
	{ level: 1, label: 'Basis' },
	{ level: 2, label: 'Øvet' },
	{ level: 3, label: 'Ekspert' }
];

function profile(id: number, parentId: number | null, requirements: [number, number][], extra: Partial<Profile> = {}): Profile {
	return {
		id,
		name: `P${id}`,
		jobFamily: null,
		forLeaders: false,
		parentId,
		starter: false,
		archived: false,
		requirements: requirements.map(([competenceId, level]) => ({ competenceId, level })),
		people: 0,
		...extra
	};
}

function node(id: number, name: string): UnitNode {
	return { id, name, parentId: null, depth: 0, managerId: null, managerName: null, headcount: 0, totalHeadcount: 0, usesGrus: false, archived: false };
}

describe('helpers', () => {
	it('names a level by its label, and an unset one with a dash', () => {
		expect(levelLabel(scale, 2)).toBe('Øvet');
		expect(levelLabel(scale, null)).toBe('–');
		expect(levelLabel(scale, 7)).toBe('7');
	});

	it('finds the nearest profile a requirement is inherited from', () => {
		const profiles = [profile(1, null, [[10, 1], [11, 2]]), profile(2, 1, [[11, 3]]), profile(3, 2, [[12, 1]])];
		expect(inheritedFrom(profiles, 3, 11)).toEqual({ profile: profiles[1], level: 3 });
		expect(inheritedFrom(profiles, 3, 10)).toEqual({ profile: profiles[0], level: 1 });
		expect(inheritedFrom(profiles, 3, 12)).toBeNull();
		expect(inheritedFrom(profiles, 1, 10)).toBeNull();
	});

	it('stops on a cycle instead of looping', () => {
		const profiles = [profile(1, 2, []), profile(2, 1, [])];
		expect(inheritedFrom(profiles, 1, 5)).toBeNull();
	});

	it('puts a duplicate name and a cycle under their inputs', () => {
		expect(fieldOf({ code: 'duplicate', params: { field: 'profileName' } })).toBe('profileName');
		expect(fieldOf({ code: 'profileCycle' })).toBe('profile');
		expect(fieldOf({ code: 'empty', params: { field: 'competenceName' } })).toBe('competenceName');
		expect(fieldOf({ code: 'scaleInUse', params: { level: 4 } })).toBeNull();
	});

	it('computes the gap as desired − agreed current', () => {
		expect(gapOf(1, 3)).toBe(2);
		expect(gapOf(3, 2)).toBe(-1);
		expect(gapOf(null, 3)).toBeNull();
	});
});

describe('CompetenceStore', () => {
	beforeEach(() => {
		vi.mocked(commands.levelScale).mockReset().mockImplementation(() => ok(scale));
		vi.mocked(commands.competences).mockReset().mockImplementation(() => ok([]));
		vi.mocked(commands.profiles).mockReset().mockImplementation(() => ok([profile(1, null, [[10, 1]])]));
		vi.mocked(commands.jobFamilies).mockReset().mockImplementation(() => ok(['Pædagog']));
		vi.mocked(commands.myUnit).mockReset().mockImplementation(() => ok(2));
		vi.mocked(commands.unitTree).mockReset().mockImplementation(() => ok([node(1, 'Børn og Unge'), node(2, 'Solsikken')]));
	});

	it('loads everything and starts unit choices at "my unit"', async () => {
		const store = new CompetenceStore();
		await store.load();
		expect(store.loaded).toBe(true);
		expect(store.label(3)).toBe('Ekspert');
		expect(store.jobFamilies).toEqual(['Pædagog']);
		expect(store.defaultUnit).toBe(2);
		vi.mocked(commands.myUnit).mockImplementation(() => ok(99));
		await store.load();
		expect(store.defaultUnit).toBe(units.active[0]!.id);
	});

	it('replaces the profile a requirement was set on', async () => {
		const store = new CompetenceStore();
		await store.load();
		vi.mocked(commands.setRequirement).mockImplementation(() => ok(profile(1, null, [[10, 3]])));
		expect(await store.setRequirement(1, 10, 3)).toBeNull();
		expect(commands.setRequirement).toHaveBeenCalledWith(1, 10, 3);
		expect(store.profiles[0]!.requirements).toEqual([{ competenceId: 10, level: 3 }]);
	});

	it('returns the scale error and keeps the scale', async () => {
		const store = new CompetenceStore();
		await store.load();
		vi.mocked(commands.setLevelScale).mockImplementation(() => fail({ code: 'scaleInUse', params: { level: 3 } }));
		const error = await store.setScale(['Lav', 'Høj']);
		expect(error).toEqual({ code: 'scaleInUse', params: { level: 3 } });
		expect(store.scale).toEqual(scale);
	});

	it('shows a load failure', async () => {
		vi.mocked(commands.profiles).mockImplementation(() => fail({ code: 'storage', params: {} }));
		const store = new CompetenceStore();
		await store.load();
		expect(store.loaded).toBe(false);
		expect(store.error?.code).toBe('storage');
	});
});

describe('EffectiveView', () => {
	it('shows a profile in a unit and takes a unit change back', async () => {
		const effective = { profileId: 1, name: 'P1', requirements: [] };
		vi.mocked(commands.effectiveProfile).mockImplementation(() => ok(effective));
		vi.mocked(commands.setUnitRequirement).mockImplementation(() => ok({ ...effective, name: 'after' }));
		const view = new EffectiveView();
		await view.show(1, 2);
		expect(commands.effectiveProfile).toHaveBeenLastCalledWith(1, 2);
		expect(view.data?.name).toBe('P1');
		expect(await view.setUnitLevel(10, null)).toBeNull();
		expect(commands.setUnitRequirement).toHaveBeenLastCalledWith(2, 1, 10, null);
		expect(view.data?.name).toBe('after');
	});
});

describe('HeatMapState', () => {
	const map: HeatMap = {
		unitId: 2,
		year: 2026,
		maxGap: 2,
		columns: [
			{ competence: { id: 10, name: 'Dialog', category: 'social' }, totalGap: 3, assessed: 2 },
			{ competence: { id: 11, name: 'Dokumentation', category: 'professional' }, totalGap: 1, assessed: 2 }
		],
		rows: [
			{ personId: 1, name: 'Anna', jobFamily: null, unitId: 2, unitName: 'Solsikken', year: 2026, gaps: [2, 0], totalGap: 2 },
			{ personId: 2, name: 'Bo', jobFamily: null, unitId: 2, unitName: 'Solsikken', year: 2025, gaps: [1, 1], totalGap: 2 },
			{ personId: 3, name: 'Carl', jobFamily: null, unitId: 2, unitName: 'Solsikken', year: null, gaps: [null, null], totalGap: 0 }
		]
	};

	it('loads the unit and year and re-sorts by a column', async () => {
		vi.mocked(commands.heatMap).mockImplementation(() => ok(map));
		const heat = new HeatMapState();
		heat.unit = 2;
		heat.year = 2026;
		await heat.load();
		expect(commands.heatMap).toHaveBeenLastCalledWith(2, 2026);
		expect(heat.empty).toBe(false);
		expect(heat.rows.map((r) => r.personId)).toEqual([1, 2, 3]);
		expect(heat.ariaSort('total')).toBe('descending');

		heat.sortBy(1);
		expect(heat.ariaSort(1)).toBe('descending');
		expect(heat.ariaSort('total')).toBe('none');
		expect(heat.rows.map((r) => r.personId)).toEqual([2, 1, 3]);
		heat.sortBy(1);
		expect(heat.ariaSort(1)).toBe('ascending');
		expect(heat.rows.map((r) => r.personId)).toEqual([1, 2, 3]);
	});

	it('is empty when no one is assessed', async () => {
		vi.mocked(commands.heatMap).mockImplementation(() =>
			ok({ ...map, columns: [], rows: [{ ...map.rows[2]!, gaps: [] }] })
		);
		const heat = new HeatMapState();
		heat.unit = 2;
		await heat.load();
		expect(heat.empty).toBe(true);
	});
});

describe('AssessmentState', () => {
	function assessmentRow(id: number, agreed: number | null, desired: number | null): AssessmentRow {
		return {
			competence: { id, name: `C${id}`, category: 'professional' },
			required: 2,
			selfLevel: null,
			leaderLevel: null,
			agreedLevel: agreed,
			desiredLevel: desired,
			gap: gapOf(agreed, desired)
		};
	}

	const data = (): TalkAssessment => ({
		person: { personId: 7, name: 'Mette Holm' },
		profile: { profileId: 1, name: 'Pædagog', requirements: [] },
		scale,
		rows: [assessmentRow(10, 1, null), assessmentRow(11, 2, 3)],
		previous: { talkId: 3, year: 2025, kind: 'mus', rows: [assessmentRow(10, 1, 2)] }
	});

	beforeEach(() => {
		vi.mocked(commands.talkAssessment).mockReset().mockImplementation(() => ok(data()));
		vi.mocked(commands.saveAssessment).mockReset();
	});

	it('saves the whole row with the changed level and updates the gap', async () => {
		vi.mocked(commands.saveAssessment).mockImplementation(() => ok(null));
		const assessment = new AssessmentState(5, 7);
		await assessment.load();
		expect(commands.talkAssessment).toHaveBeenCalledWith(5, 7);
		expect(assessment.previousLevels.get(10)).toBe(1);

		expect(await assessment.set(10, 'desiredLevel', 3)).toBe(true);
		expect(commands.saveAssessment).toHaveBeenCalledWith(5, 7, {
			competenceId: 10,
			selfLevel: null,
			leaderLevel: null,
			agreedLevel: 1,
			desiredLevel: 3
		});
		expect(assessment.data!.rows[0]!.gap).toBe(2);
		expect(assessment.status).toBe('saved');
	});

	it('shows the error and what is stored when a save fails', async () => {
		vi.mocked(commands.saveAssessment).mockImplementation(() => fail({ code: 'locked' }));
		const assessment = new AssessmentState(5, 7);
		await assessment.load();
		expect(await assessment.set(11, 'agreedLevel', 3)).toBe(false);
		expect(assessment.error).toEqual({ code: 'locked' });
		expect(assessment.status).toBe('failed');
		expect(assessment.data!.rows[1]!.agreedLevel).toBe(2);
		expect(assessment.data!.rows[1]!.gap).toBe(1);
	});
});
