import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Error as ApiError, ImportPreview, ImportProgress, UnitNode } from '$lib/bindings';
import type { Result } from '$lib/errors';
import { byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		chooseImportFile: vi.fn(),
		importPeople: vi.fn(),
		importProgress: vi.fn(),
		cancelImport: vi.fn(),
		unitTree: vi.fn(),
		peopleInUnit: vi.fn(),
		jobFamilies: vi.fn(),
		searchPeople: vi.fn(),
		getPerson: vi.fn(),
		setUiLanguage: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: ImportPage } = await import('./ImportPage.svelte');
const { default: PeoplePage } = await import('$lib/people/PeoplePage.svelte');
const { default: Shell } = await import('$lib/shell/Shell.svelte');
const { app } = await import('$lib/app.svelte');
const { units } = await import('$lib/units/units.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

type Answer = Result<ImportPreview, ApiError>;

function preview(over: Partial<ImportPreview> = {}): ImportPreview {
	return {
		detected: { kind: 'csv', encoding: 'windows1252', delimiter: 'semicolon', sheet: null, sheets: [] },
		headers: ['Lønnr', 'Navn', 'Afdeling', 'CPR', 'Timer'],
		mapping: ['employeeNumber', 'name', 'unit', 'nationalId', 'hours'],
		samples: [
			['1001', 'Hansen, Anne', 'Dagplejen', '010180-1234', '37'],
			['1002', 'Berg, Ole', 'Dagplejen', '020290-2345', '30']
		],
		missing: [],
		notices: [
			{ kind: 'nationalIdIgnored', column: 'CPR' },
			{ kind: 'columnIgnored', column: 'Timer' }
		],
		rows: 14000,
		created: 12000,
		updated: 1,
		unchanged: 1996,
		archived: 0,
		unitsCreated: ['Børn og Unge / Dagplejen'],
		changes: [
			{ line: 2, employeeNumber: '1001', name: 'Anne Hansen', unit: 'Børn og Unge / Dagplejen', change: 'create' },
			{ line: 3, employeeNumber: '1002', name: 'Ole Berg', unit: 'Børn og Unge / Dagplejen', change: 'update' }
		],
		toArchive: [],
		problems: [
			{ line: 7, problem: { kind: 'duplicateEmployeeNumber', number: '1042', firstLine: 3 } },
			{ line: 9, problem: { kind: 'rejected', error: { code: 'empty', params: { field: 'givenName' } } } },
			{ line: 11, problem: { kind: 'ragged', expected: 5, found: 4 } }
		],
		applied: false,
		...over
	};
}

const tree: UnitNode[] = [
	{ id: 1, name: 'Børn og Unge', parentId: null, depth: 0, managerId: null, managerName: null, headcount: 0, totalHeadcount: 2, usesGrus: false, archived: false },
	{ id: 7, name: 'Dagplejen', parentId: 1, depth: 1, managerId: null, managerName: null, headcount: 2, totalHeadcount: 2, usesGrus: false, archived: false }
];

const allByTestId = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const text = (id: string) => byTestId(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

function choose(id: string, value: string) {
	const select = byTestId(id) as HTMLSelectElement;
	select.value = value;
	select.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('ImportPage', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(() => {
		applyLanguage('en');
		app.view = 'import';
		vi.mocked(commands.chooseImportFile).mockImplementation(() => ok({ name: 'loen.csv', bytes: 84_000 }));
		vi.mocked(commands.importPeople).mockImplementation(() => ok(preview()));
		vi.mocked(commands.importProgress).mockImplementation(() =>
			Promise.resolve<ImportProgress>({ stage: 'idle', done: 0, total: 0 })
		);
		vi.mocked(commands.cancelImport).mockImplementation(() => Promise.resolve());
		vi.mocked(commands.unitTree).mockImplementation(() => ok(tree));
		vi.mocked(commands.peopleInUnit).mockImplementation(() => ok([]));
		vi.mocked(commands.jobFamilies).mockImplementation(() => ok([]));
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
		vi.clearAllMocks();
	});

	async function chooseFile() {
		component = mount(ImportPage, { target: document.body });
		await settle();
		byTestId('import-choose')!.click();
		await settle();
	}

	it('explains what works before a file is chosen', async () => {
		component = mount(ImportPage, { target: document.body });
		await settle();
		const intro = text('import-intro');
		expect(intro).toContain('CSV, TSV or XLSX');
		expect(intro).toContain('never stored');
		expect(intro).toContain('Nothing is changed until you press Import');
		expect(byTestId('import-apply')).toBeNull();
		expect(commands.importPeople).not.toHaveBeenCalled();
	});

	it('checks the chosen file and shows what the import would do', async () => {
		await chooseFile();
		expect(text('import-file-name')).toBe('loen.csv');
		expect(text('import-kind')).toBe('Text file (CSV/TSV)');
		const encoding = byTestId('import-encoding') as HTMLSelectElement;
		expect(encoding.value).toBe('');
		expect(encoding.options[0]!.textContent).toBe('Detected: Windows-1252 (Excel on Windows)');
		expect((byTestId('import-delimiter') as HTMLSelectElement).value).toBe('');
		expect(byTestId('import-sheet')).toBeNull();

		expect(allByTestId('import-column')).toHaveLength(5);
		expect((byTestId('import-map-0') as HTMLSelectElement).value).toBe('employeeNumber');
		const cpr = byTestId('import-map-3') as HTMLSelectElement;
		expect(cpr.selectedOptions[0]!.textContent).toBe('National identity number (never stored)');
		// The national identity numbers themselves are never shown.
		expect(text('import-mapping')).not.toContain('010180-1234');
		expect(text('import-mapping')).toContain('Hansen, Anne');
		expect(text('import-notices')).toContain('“CPR” holds national identity numbers');

		expect(text('import-created')).toBe('12,000');
		expect(text('import-updated')).toBe('1');
		expect(text('import-unchanged')).toBe('1,996');
		expect(text('import-archived')).toBe('0');
		expect(text('import-units-created')).toContain('Børn og Unge / Dagplejen');
		expect(allByTestId('import-change')).toHaveLength(2);
		expect(text('import-changes')).toContain('New');

		const apply = byTestId('import-apply') as HTMLButtonElement;
		expect(apply.disabled).toBe(false);
		expect(apply.textContent?.trim()).toBe('Import 12,001 people');
	});

	it('lists the rows left out with their reasons in the user’s language', async () => {
		await chooseFile();
		expect(text('import-problems')).toContain('3 rows have problems and will be skipped');
		expect(allByTestId('import-problem').map((li) => li.textContent?.trim())).toEqual([
			'Line 7: Employee number 1042 is also on line 3.',
			'Line 9: Given name must be filled in.',
			'Line 11: The row has 4 cells, the header has 5.'
		]);

		applyLanguage('sv');
		flushSync();
		expect(allByTestId('import-problem').map((li) => li.textContent?.trim())).toEqual([
			'Rad 7: Anställningsnummer 1042 finns också på rad 3.',
			'Rad 9: Förnamn måste fyllas i.',
			'Rad 11: Raden har 4 celler, rubrikraden har 5.'
		]);
	});

	it('says so when no row has a problem', async () => {
		vi.mocked(commands.importPeople).mockImplementation(() => ok(preview({ problems: [] })));
		await chooseFile();
		expect(text('import-problems')).toContain('No problems found');
		expect(allByTestId('import-problem')).toHaveLength(0);
	});

	it('runs the dry run again when a column is mapped differently', async () => {
		await chooseFile();
		choose('import-map-4', '');
		await settle();
		const calls = vi.mocked(commands.importPeople).mock.calls;
		expect(calls).toHaveLength(2);
		expect(calls[1]![0].mapping).toEqual(['employeeNumber', 'name', 'unit', 'nationalId', null]);
		expect(calls[1]![1]).toBe(false);

		choose('import-delimiter', 'comma');
		await settle();
		expect(calls[2]![0].read).toEqual({ encoding: null, delimiter: 'comma', sheet: null });
		expect(calls[2]![0].mapping).toBeNull();
	});

	it('asks for the missing columns and will not import without them', async () => {
		vi.mocked(commands.importPeople).mockImplementation(() =>
			ok(
				preview({
					mapping: [null, 'givenName', 'unit', 'nationalId', 'hours'],
					missing: ['employeeNumber', 'name'],
					created: 0,
					updated: 0,
					unchanged: 0,
					changes: [],
					problems: []
				})
			)
		);
		await chooseFile();
		const alert = byTestId('import-missing')!;
		expect(alert.getAttribute('role')).toBe('alert');
		expect(alert.textContent).toContain('Choose which column holds: Employee number, Name');
		expect(byTestId('import-map-0')!.classList.contains('attention')).toBe(true);
		expect(byTestId('import-summary')).toBeNull();
		expect((byTestId('import-apply') as HTMLButtonElement).disabled).toBe(true);
	});

	it('shows an XLSX file’s sheets', async () => {
		vi.mocked(commands.importPeople).mockImplementation(() =>
			ok(preview({ detected: { kind: 'xlsx', encoding: null, delimiter: null, sheet: 'Ansatte', sheets: ['Ansatte', 'Enheder'] } }))
		);
		await chooseFile();
		expect(text('import-kind')).toBe('Excel workbook (XLSX)');
		expect(byTestId('import-encoding')).toBeNull();
		const sheet = byTestId('import-sheet') as HTMLSelectElement;
		expect([...sheet.options].map((o) => o.value)).toEqual(['Ansatte', 'Enheder']);
		expect(sheet.value).toBe('Ansatte');
		choose('import-sheet', 'Enheder');
		await settle();
		expect(vi.mocked(commands.importPeople).mock.calls[1]![0].read.sheet).toBe('Enheder');
	});

	it('shows who a full import would archive', async () => {
		await chooseFile();
		vi.mocked(commands.importPeople).mockImplementation(() =>
			ok(
				preview({
					archived: 1,
					toArchive: [{ line: 0, employeeNumber: '0999', name: 'Lis Holm', unit: 'Dagplejen', change: 'update' }]
				})
			)
		);
		const full = byTestId('import-full') as HTMLInputElement;
		full.click();
		await settle();
		expect(vi.mocked(commands.importPeople).mock.calls[1]![0].full).toBe(true);
		expect(text('import-archived')).toBe('1');
		expect(allByTestId('import-archive-row')).toHaveLength(1);
		expect(text('import-to-archive')).toContain('Lis Holm');
		expect(byTestId('import-apply')?.textContent?.trim()).toBe('Import 12,001 people, archive 1');
	});

	it('shows the progress of a run and stops it, keeping the preview', async () => {
		await chooseFile();
		let finish!: (answer: Answer) => void;
		vi.mocked(commands.importPeople).mockImplementation(() => new Promise<Answer>((resolve) => (finish = resolve)));
		vi.mocked(commands.importProgress).mockImplementation(() =>
			Promise.resolve<ImportProgress>({ stage: 'checking', done: 12000, total: 60000 })
		);
		choose('import-encoding', 'utf8');
		await new Promise((resolve) => setTimeout(resolve, 400));
		await settle();
		const progress = byTestId('import-progress') as HTMLProgressElement;
		expect(progress.tagName).toBe('PROGRESS');
		expect(progress.getAttribute('aria-label')).toBe('Progress of the import');
		expect(progress.max).toBe(60000);
		expect(progress.value).toBe(12000);
		expect(text('import-progress-text')).toBe('Checking rows… 12,000 of 60,000');
		expect((byTestId('import-apply') as HTMLButtonElement).disabled).toBe(true);

		byTestId('import-cancel')!.click();
		await settle();
		expect(commands.cancelImport).toHaveBeenCalled();
		finish({ status: 'error', error: { code: 'cancelled' } });
		await settle();
		expect(byTestId('import-progress')).toBeNull();
		expect(text('import-error')).toBe('Cancelled. Nothing was changed.');
		expect(byTestId('import-error')!.getAttribute('role')).toBe('alert');
		expect(text('import-created')).toBe('12,000');
		expect(byTestId('import-recheck')).not.toBeNull();
	});

	it('imports, says what was done and goes to the people', async () => {
		await chooseFile();
		vi.mocked(commands.importPeople).mockImplementation(() =>
			ok(preview({ applied: true, unitsCreated: ['Børn og Unge', 'Børn og Unge / Dagplejen'] }))
		);
		byTestId('import-apply')!.click();
		await settle();
		const calls = vi.mocked(commands.importPeople).mock.calls;
		expect(calls[1]![1]).toBe(true);
		expect(text('import-done')).toContain('Imported: 12,000 new, 1 updated, 0 archived; 2 units created.');
		expect(commands.unitTree).toHaveBeenCalled();
		byTestId('import-show-people')!.click();
		expect(app.view).toBe('people');
	});
});

describe('Reaching the import', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(() => {
		applyLanguage('en');
		app.organisation = { name: 'Egeby Kommune', country: 'DK', language: 'da', currency: 'DKK' };
		vi.mocked(commands.unitTree).mockImplementation(() => ok(tree));
		vi.mocked(commands.peopleInUnit).mockImplementation(() => ok([]));
		vi.mocked(commands.jobFamilies).mockImplementation(() => ok([]));
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
		units.nodes = [];
		units.loaded = false;
		vi.clearAllMocks();
	});

	it('is a button in the People page header', async () => {
		app.view = 'people';
		component = mount(PeoplePage, { target: document.body });
		await settle();
		byTestId('people-import')!.click();
		expect(app.view).toBe('import');
	});

	it('is offered when there are no units yet', async () => {
		vi.mocked(commands.unitTree).mockImplementation(() => ok([]));
		app.view = 'people';
		component = mount(PeoplePage, { target: document.body });
		await settle();
		byTestId('people-import-empty')!.click();
		expect(app.view).toBe('import');
	});

	it('keeps People marked in the menu, and leads back to it', async () => {
		app.view = 'import';
		component = mount(Shell, { target: document.body });
		await settle();
		const nav = byTestId('nav-people')!;
		expect(nav.classList.contains('active')).toBe(true);
		expect(nav.getAttribute('aria-current')).toBe('true');
		expect(byTestId('nav-units')!.classList.contains('active')).toBe(false);
		expect(byTestId('import-choose')).not.toBeNull();
		byTestId('import-back')!.click();
		await settle();
		expect(app.view).toBe('people');
		expect(nav.getAttribute('aria-current')).toBe('page');
	});
});
