import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BundleFileResult, HeldBundle, HrSummaryView } from '$lib/bindings';
import { ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		heldBundles: vi.fn(),
		hrSummaryView: vi.fn(),
		importBundles: vi.fn(),
		minGroup: vi.fn(),
		setMinGroup: vi.fn(),
		exportFile: vi.fn(),
		setUiLanguage: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: HrPage } = await import('./HrPage.svelte');
const { hr } = await import('./hr.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

function bundle(over: Partial<HeldBundle> = {}): HeldBundle {
	return {
		unitPath: ['Solby Kommune', 'Børn og Unge', 'Dagplejen'],
		manager: 'Mette Holm',
		madeAt: '2026-11-20T10:00:00Z',
		importedAt: '2026-11-23T09:00:00Z',
		due: 14,
		held: 11,
		actions: 23,
		...over
	};
}

describe('HrPage', () => {
	let target: HTMLElement;
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(async () => {
		vi.mocked(commands.setUiLanguage).mockReturnValue(ok(null));
		vi.mocked(commands.minGroup).mockReturnValue(ok(5));
		vi.mocked(commands.hrSummaryView).mockReturnValue(fail({ code: 'export', params: { problem: 'noData' } }));
		await applyLanguage('en');
		hr.results = null;
		hr.minGroupSaved = false;
		hr.minGroupError = null;
		target = document.createElement('div');
		document.body.append(target);
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		target.remove();
		vi.clearAllMocks();
	});

	async function show() {
		component = mount(HrPage, { target });
		await settle();
	}

	const q = (id: string) => target.querySelector<HTMLElement>(`[data-testid="${id}"]`);
	const all = (id: string) => [...target.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

	it('says what to do when no unit has sent a bundle, and offers no summary of none', async () => {
		vi.mocked(commands.heldBundles).mockReturnValue(ok([]));
		await show();
		expect(commands.heldBundles).toHaveBeenCalledWith(new Date().getFullYear());
		expect(q('hr-bundles-empty')?.textContent).toContain('No unit has sent a bundle');
		expect(q('hr-bundle-export')).toBeNull();
		// The store's own summary is always offered.
		expect(q('hr-own-export-xlsx')).not.toBeNull();
	});

	it('lists the held bundles with their unit path and talks, and exports their summary', async () => {
		vi.mocked(commands.heldBundles).mockReturnValue(ok([bundle(), bundle({ unitPath: ['Solby Kommune', 'Skoler'], manager: null })]));
		vi.mocked(commands.exportFile).mockReturnValue(ok({ path: '/tmp/HR-2026.xlsx', bytes: 1 }));
		await show();
		const rows = all('hr-bundle');
		expect(rows).toHaveLength(2);
		expect(rows[0]!.textContent).toContain('Solby Kommune / Børn og Unge');
		expect(rows[0]!.textContent).toContain('Dagplejen');
		expect(rows[0]!.textContent).toContain('11 of 14');
		expect(rows[1]!.textContent).toContain('–');
		expect(q('hr-bundle-export')?.textContent).toContain('Summary of 2 bundles');
		q('hr-bundle-export-xlsx')!.click();
		await settle();
		expect(commands.exportFile).toHaveBeenCalledWith({ what: 'bundleSummary', year: new Date().getFullYear() }, 'xlsx', 'en', 'Save the export');
	});

	it('imports the chosen files and says of each what became of it', async () => {
		vi.mocked(commands.heldBundles).mockReturnValueOnce(ok([])).mockReturnValue(ok([bundle()]));
		const results: BundleFileResult[] = [
			{ file: 'dagplejen.json', outcome: 'added', error: null },
			{ file: 'skoler.json', outcome: 'older', error: null },
			{ file: 'cut.json', outcome: null, error: { code: 'bundle', params: { problem: 'damaged' } } }
		];
		vi.mocked(commands.importBundles).mockReturnValue(ok(results));
		await show();
		q('hr-import')!.click();
		await settle();
		expect(commands.importBundles).toHaveBeenCalledWith('Choose unit bundles');
		expect(q('hr-results')?.textContent).toContain('1 bundle taken in of 3 files');
		const lines = all('hr-result');
		expect(lines.map((l) => l.dataset.outcome)).toEqual(['added', 'older', 'refused']);
		expect(lines[1]!.textContent).toContain('older than the bundle held');
		expect(lines[2]!.textContent).toContain('The unit bundle was refused.');
		// The list is read again: the new bundle is shown.
		expect(all('hr-bundle')).toHaveLength(1);
	});

	it('keeps the last results when the file dialog is closed', async () => {
		vi.mocked(commands.heldBundles).mockReturnValue(ok([]));
		vi.mocked(commands.importBundles).mockReturnValue(ok(null));
		await show();
		q('hr-import')!.click();
		await settle();
		expect(q('hr-results')).toBeNull();
		expect(q('hr-import-error')).toBeNull();
	});

	it('saves the smallest group and shows the core’s translated refusal', async () => {
		vi.mocked(commands.heldBundles).mockReturnValue(ok([]));
		vi.mocked(commands.setMinGroup).mockReturnValueOnce(fail({ code: 'invalid', params: { field: 'minGroup' } }));
		await show();
		const input = q('hr-min-group') as HTMLInputElement;
		expect(input.value).toBe('5');
		input.value = '1';
		input.dispatchEvent(new Event('input', { bubbles: true }));
		q('hr-min-group-save')!.click();
		await settle();
		expect(commands.setMinGroup).toHaveBeenCalledWith(1);
		expect(q('hr-min-group-error')?.textContent).toBeTruthy();
		vi.mocked(commands.setMinGroup).mockReturnValue(ok(null));
		input.value = '7';
		input.dispatchEvent(new Event('input', { bubbles: true }));
		q('hr-min-group-save')!.click();
		await settle();
		expect(commands.setMinGroup).toHaveBeenLastCalledWith(7);
		expect(q('hr-min-group-saved')).not.toBeNull();
		expect(target.textContent).toContain('“<7”');
	});

	it('shows the year’s summary on screen as the export has it, hidden figures included', async () => {
		vi.mocked(commands.heldBundles).mockReturnValue(ok([]));
		const count = (n: number) => ({ text: String(n), value: n, measure: 'count' as const, hidden: false });
		const summary: HrSummaryView = {
			year: 2026,
			scope: '',
			minGroup: 5,
			views: [
				{
					name: 'Talks by kind',
					columns: ['Kind', 'Due', 'Held', 'Share held'],
					rows: [
						[{ text: 'MUS', value: null, measure: null, hidden: false }, count(40), count(30), { text: '75%', value: 0.75, measure: 'share', hidden: false }],
						[{ text: 'LUS', value: null, measure: null, hidden: false }, count(6), { text: '<5', value: null, measure: null, hidden: true }, { text: '', value: null, measure: null, hidden: false }]
					]
				},
				{ name: 'Actions', columns: ['Kind', 'Total'], rows: [[{ text: 'Course', value: null, measure: null, hidden: false }, count(12)]] }
			]
		};
		vi.mocked(commands.hrSummaryView).mockReturnValue(ok(summary));
		await show();
		expect(commands.hrSummaryView).toHaveBeenCalledWith(new Date().getFullYear(), null, 'en');
		expect(q('hr-view-table')?.dataset.view).toBe('Talks by kind');
		const rows = all('hr-view-row');
		expect(rows.map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['MUS 40 30 75%', 'LUS 6 <5']);
		expect(rows[1]!.querySelector('.hidden-count')?.getAttribute('title')).toContain('Fewer than 5 people');
		q('hr-view-1')!.click();
		await settle();
		expect(q('hr-view-table')?.dataset.view).toBe('Actions');
	});

	it('says the year holds nothing yet instead of showing an error', async () => {
		vi.mocked(commands.heldBundles).mockReturnValue(ok([]));
		await show();
		expect(q('hr-summary-empty')?.textContent).toContain('no talks or actions');
		expect(q('hr-view-table')).toBeNull();
	});
});
