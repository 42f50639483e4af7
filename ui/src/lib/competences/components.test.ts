import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AssessmentRow, Competence, HeatMap, Level, Profile, TalkAssessment, UnitNode } from '$lib/bindings';
import { byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		levelScale: vi.fn(),
		competences: vi.fn(),
		profiles: vi.fn(),
		jobFamilies: vi.fn(),
		myUnit: vi.fn(),
		unitTree: vi.fn(),
		effectiveProfile: vi.fn(),
		setUnitRequirement: vi.fn(),
		heatMap: vi.fn(),
		talkAssessment: vi.fn(),
		saveAssessment: vi.fn(),
		importCompetences: vi.fn(),
		writeCompetences: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');
const { app } = await import('$lib/app.svelte');
const { default: CompetencesPage } = await import('./CompetencesPage.svelte');
const { default: AssessmentPanel } = await import('./AssessmentPanel.svelte');

const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

const scale: Level[] = [
	{ level: 1, label: 'Basic' },
	{ level: 2, label: 'Skilled' },
	{ level: 3, label: 'Expert' }
];
const catalogue: Competence[] = [
	{ id: 10, name: 'Dialogue', description: '', category: 'social', archived: false },
	{ id: 11, name: 'Documentation', description: 'Writes it down', category: 'professional', archived: false },
	{ id: 12, name: 'Budget', description: '', category: 'leadership', archived: false }
];
const profiles: Profile[] = [
	{ id: 1, name: 'Common', jobFamily: null, forLeaders: false, parentId: null, starter: true, archived: false, requirements: [{ competenceId: 10, level: 2 }], people: 0 },
	{ id: 2, name: 'Leaders', jobFamily: 'Leader', forLeaders: true, parentId: 1, starter: false, archived: false, requirements: [{ competenceId: 12, level: 3 }], people: 4 }
];
const tree: UnitNode[] = [
	{ id: 1, name: 'Children', parentId: null, depth: 0, managerId: null, managerName: null, headcount: 0, totalHeadcount: 3, usesGrus: false, archived: false },
	{ id: 2, name: 'Sunflower', parentId: 1, depth: 1, managerId: null, managerName: null, headcount: 3, totalHeadcount: 3, usesGrus: false, archived: false }
];
const heat: HeatMap = {
	unitId: 2,
	year: 2026,
	maxGap: 2,
	columns: [
		{ competence: { id: 10, name: 'Dialogue', category: 'social' }, totalGap: 3, assessed: 2 },
		{ competence: { id: 11, name: 'Documentation', category: 'professional' }, totalGap: 1, assessed: 2 }
	],
	rows: [
		{ personId: 1, name: 'Anna', jobFamily: 'Teacher', unitId: 2, unitName: 'Solsikken', year: 2026, gaps: [2, 0], totalGap: 2 },
		{ personId: 2, name: 'Bo', jobFamily: null, unitId: 2, unitName: 'Solsikken', year: 2025, gaps: [1, 1], totalGap: 2 },
		{ personId: 3, name: 'Carl', jobFamily: null, unitId: 2, unitName: 'Solsikken', year: null, gaps: [null, null], totalGap: 0 }
	]
};

function row(id: number, name: string, agreed: number | null, desired: number | null): AssessmentRow {
	return {
		competence: { id, name, category: 'professional' },
		required: 2,
		selfLevel: null,
		leaderLevel: null,
		agreedLevel: agreed,
		desiredLevel: desired,
		gap: agreed !== null && desired !== null ? desired - agreed : null
	};
}

describe('competence components', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(() => {
		applyLanguage('en');
		vi.mocked(commands.levelScale).mockImplementation(() => ok(scale));
		vi.mocked(commands.competences).mockImplementation(() => ok(catalogue));
		vi.mocked(commands.profiles).mockImplementation(() => ok(profiles));
		vi.mocked(commands.jobFamilies).mockImplementation(() => ok(['Leader', 'Teacher']));
		vi.mocked(commands.myUnit).mockImplementation(() => ok(2));
		vi.mocked(commands.unitTree).mockImplementation(() => ok(tree));
		vi.mocked(commands.effectiveProfile).mockImplementation((id, unit) =>
			ok({
				profileId: id,
				name: id === 1 ? 'Common' : 'Leaders',
				requirements: [
					{ competence: { id: 10, name: 'Dialogue', category: 'social' as const }, level: unit ? 3 : 2, profileLevel: 2, changedBy: unit ? { unitId: 2, unitName: 'Sunflower' } : null },
					...(id === 2 ? [{ competence: { id: 12, name: 'Budget', category: 'leadership' as const }, level: 3, profileLevel: 3, changedBy: null }] : [])
				]
			})
		);
		vi.mocked(commands.heatMap).mockImplementation(() => ok(heat));
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
	});

	it('shows the profiles, inherited requirements, the unit badge, the catalogue and the heat map', async () => {
		component = mount(CompetencesPage, { target: document.body });
		await settle();
		expect(byTestId('page-title')?.textContent).toBe('Competences');
		expect(byTestId('starter-note')?.textContent).toContain('Starter profile – adapt it freely');
		expect(byTestId('leader-badge')).not.toBeNull();

		byTestId('profile-2')!.click();
		await settle();
		expect(byTestId('requirement-10')?.classList.contains('inherited')).toBe(true);
		expect(byTestId('requirement-10')?.textContent).toContain('Inherited from Common');
		expect(byTestId('remove-requirement-12')).not.toBeNull();

		byTestId('competences-tab-unit')!.click();
		await settle();
		expect(commands.effectiveProfile).toHaveBeenLastCalledWith(1, 2);
		expect(byTestId('unit-changed-10')?.textContent).toContain('Changed by Sunflower: Skilled → Expert');
		expect(byTestId('unit-take-back-10')).not.toBeNull();

		byTestId('competences-tab-catalogue')!.click();
		await settle();
		expect(byTestId('category-social')?.textContent).toContain('Dialogue');
		expect((byTestId('scale-label-2') as HTMLInputElement).value).toBe('Expert');

		byTestId('competences-tab-heatMap')!.click();
		await settle();
		expect(commands.heatMap).toHaveBeenLastCalledWith(2, new Date().getFullYear());
		const cell = byTestId('heat-cell-1-10')!;
		expect(cell.textContent?.trim()).toBe('2');
		expect(cell.style.background).not.toBe('');
		expect(byTestId('heat-cell-1-11')!.style.background).toBe('');
		expect(byTestId('heat-cell-3-10')!.textContent?.trim()).toBe('–');

		const header = byTestId('heat-sort-11')!;
		header.click();
		flushSync();
		expect(header.closest('th')?.getAttribute('aria-sort')).toBe('descending');
		expect(all('heat-row').map((r) => r.querySelector('th')?.textContent?.trim().split(/\s/)[0])).toEqual(['Bo', 'Anna', 'Carl']);
	});

	it('shows the assessment table and radar, and an empty state without a profile', async () => {
		const data: TalkAssessment = {
			person: { personId: 7, name: 'Mette' },
			profile: { profileId: 1, name: 'Common', requirements: [] },
			scale,
			rows: [row(10, 'Dialogue', 1, 3), row(11, 'Documentation', 2, 2), row(12, 'Budget', null, null)],
			previous: { talkId: 3, year: 2025, kind: 'mus', rows: [row(10, 'Dialogue', 1, 2)] }
		};
		vi.mocked(commands.talkAssessment).mockImplementation(() => ok(data));
		vi.mocked(commands.saveAssessment).mockImplementation(() => ok(null));
		component = mount(AssessmentPanel, { target: document.body, props: { talkId: 5, personId: 7, writable: true } });
		await settle();
		expect(byTestId('assessment-panel')).not.toBeNull();
		expect(byTestId('radar')?.querySelector('svg[role="img"]')?.getAttribute('aria-label')).toContain('Mette');
		expect(byTestId('gap-10')?.textContent?.trim()).toBe('+2');

		const select = byTestId('assess-12-agreed') as HTMLSelectElement;
		select.value = '2';
		select.dispatchEvent(new Event('change', { bubbles: true }));
		await settle();
		expect(commands.saveAssessment).toHaveBeenLastCalledWith(5, 7, {
			competenceId: 12,
			selfLevel: null,
			leaderLevel: null,
			agreedLevel: 2,
			desiredLevel: null
		});

		byTestId('radar-table-toggle')!.click();
		flushSync();
		expect(byTestId('radar-table')?.textContent).toContain('Last year (2025)');
		unmount(component);

		vi.mocked(commands.talkAssessment).mockImplementation(() =>
			ok({ ...data, profile: null, rows: [], previous: null })
		);
		component = mount(AssessmentPanel, { target: document.body, props: { talkId: 5, personId: 7, writable: false } });
		await settle();
		expect(byTestId('no-profile')?.textContent).toContain('Mette’s job family has no competence profile');
		byTestId('open-competences')!.click();
		expect(app.view).toBe('competences');
	});

	it('shows the levels as a table when there are fewer than three competences', async () => {
		vi.mocked(commands.talkAssessment).mockImplementation(() =>
			ok({
				person: { personId: 7, name: 'Mette' },
				profile: { profileId: 1, name: 'Common', requirements: [] },
				scale,
				rows: [row(10, 'Dialogue', 1, 3)],
				previous: null
			})
		);
		component = mount(AssessmentPanel, { target: document.body, props: { talkId: 5, personId: 7, writable: true } });
		await settle();
		expect(byTestId('radar-too-few')).not.toBeNull();
		expect(byTestId('radar-table')).not.toBeNull();
	});
});
