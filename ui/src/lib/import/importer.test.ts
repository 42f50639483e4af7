import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Error as ApiError, ImportPreview, ImportProgress, UnitNode } from '$lib/bindings';
import type { Result } from '$lib/errors';
import { ok } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		chooseImportFile: vi.fn(),
		importPeople: vi.fn(),
		importProgress: vi.fn(),
		cancelImport: vi.fn(),
		unitTree: vi.fn(),
		peopleInUnit: vi.fn(),
		jobFamilies: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { Importer, importFields, problemText, unitByPath } = await import('./importer.svelte');
const { errorMessage } = await import('$lib/errors');
const { app } = await import('$lib/app.svelte');
const { people } = await import('$lib/people/people.svelte');
const { units } = await import('$lib/units/units.svelte');
const { applyLanguage, t } = await import('$lib/i18n/i18n.svelte');

type Answer = Result<ImportPreview, ApiError>;

const fail = (error: ApiError) => Promise.resolve({ status: 'error' as const, error });

function preview(over: Partial<ImportPreview> = {}): ImportPreview {
	return {
		detected: { kind: 'csv', encoding: 'windows1252', delimiter: 'semicolon', sheet: null, sheets: [] },
		headers: ['Lønnr', 'Navn', 'Afdeling', 'CPR'],
		mapping: ['employeeNumber', 'name', 'unit', 'nationalId'],
		samples: [
			['1001', 'Hansen, Anne', 'Dagplejen', '010180-1234'],
			['1002', 'Berg, Ole', 'Dagplejen', '020290-2345']
		],
		missing: [],
		notices: [{ kind: 'nationalIdIgnored', column: 'CPR' }],
		rows: 3,
		created: 2,
		updated: 1,
		unchanged: 0,
		archived: 0,
		unitsCreated: ['Børn og Unge / Dagplejen'],
		changes: [
			{ line: 2, employeeNumber: '1001', name: 'Anne Hansen', unit: 'Børn og Unge / Dagplejen', change: 'create' },
			{ line: 3, employeeNumber: '1002', name: 'Ole Berg', unit: 'Børn og Unge / Dagplejen', change: 'update' }
		],
		toArchive: [],
		problems: [],
		applied: false,
		...over
	};
}

/** A command answer the test resolves when it wants to. */
function deferred() {
	let resolve!: (value: Answer) => void;
	const promise = new Promise<Answer>((r) => (resolve = r));
	return { promise, resolve };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const calls = () => vi.mocked(commands.importPeople).mock.calls;

const tree: UnitNode[] = [
	{ id: 1, name: 'Børn og Unge', parentId: null, depth: 0, managerId: null, managerName: null, headcount: 0, totalHeadcount: 2, usesGrus: false, archived: false },
	{ id: 7, name: 'Dagplejen', parentId: 1, depth: 1, managerId: null, managerName: null, headcount: 2, totalHeadcount: 2, usesGrus: false, archived: false }
];

describe('Importer', () => {
	beforeEach(() => {
		applyLanguage('en');
		vi.mocked(commands.chooseImportFile).mockImplementation(() => ok({ name: 'loen.csv', bytes: 2048 }));
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
		vi.clearAllMocks();
	});

	it('runs the dry run as soon as a file is chosen, detecting everything', async () => {
		const importer = new Importer();
		await importer.choose();
		expect(commands.chooseImportFile).toHaveBeenCalledWith('Choose a file to import people from');
		expect(importer.file).toEqual({ name: 'loen.csv', bytes: 2048 });
		expect(calls()).toEqual([[{ read: { encoding: null, delimiter: null, sheet: null }, mapping: null, full: false }, false]]);
		expect(importer.preview?.created).toBe(2);
		expect(importer.fresh).toBe(true);
		expect(importer.running).toBeNull();
		expect(importer.columns).toEqual(['employeeNumber', 'name', 'unit', 'nationalId']);
		expect(importer.toImport).toBe(3);
		expect(importer.canApply).toBe(true);
	});

	it('keeps everything when the dialog is closed', async () => {
		const importer = new Importer();
		await importer.choose();
		vi.mocked(commands.chooseImportFile).mockImplementation(() => ok(null));
		await importer.choose();
		expect(importer.file?.name).toBe('loen.csv');
		expect(calls()).toHaveLength(1);
	});

	it('shows why a file cannot be chosen', async () => {
		vi.mocked(commands.chooseImportFile).mockImplementation(() =>
			fail({ code: 'importFile', params: { problem: 'tooLarge' } })
		);
		const importer = new Importer();
		await importer.choose();
		expect(importer.file).toBeNull();
		expect(errorMessage(importer.error!)).toBe('The file cannot be imported. The file is larger than 100 MB.');
		expect(commands.importPeople).not.toHaveBeenCalled();
	});

	it('runs the dry run again with the whole mapping when a column changes', async () => {
		const importer = new Importer();
		await importer.choose();
		await importer.setField(3, null);
		expect(calls()[1]![0].mapping).toEqual(['employeeNumber', 'name', 'unit', null]);
		// A field comes from one column: giving it to another takes it from the first.
		await importer.setField(2, 'employeeNumber');
		expect(calls()[2]![0].mapping).toEqual([null, 'name', 'employeeNumber', null]);
		expect(calls()[2]![1]).toBe(false);
	});

	it('reads the file again with the chosen encoding, and maps the columns afresh', async () => {
		const importer = new Importer();
		await importer.choose();
		await importer.setField(3, null);
		await importer.setEncoding('utf8');
		expect(calls()[2]![0]).toEqual({ read: { encoding: 'utf8', delimiter: null, sheet: null }, mapping: null, full: false });
		await importer.setDelimiter('tab');
		expect(calls()[3]![0].read).toEqual({ encoding: 'utf8', delimiter: 'tab', sheet: null });
		await importer.setFull(true);
		expect(calls()[4]![0].full).toBe(true);
	});

	it('refuses to import while a needed column is missing', async () => {
		vi.mocked(commands.importPeople).mockImplementation(() =>
			ok(preview({ mapping: ['employeeNumber', null, 'unit', 'nationalId'], missing: ['name'], created: 0, updated: 0, changes: [] }))
		);
		const importer = new Importer();
		await importer.choose();
		expect(importer.missing).toEqual(['name']);
		expect(importer.canApply).toBe(false);
		expect(await importer.apply()).toBe(false);
		expect(calls().every(([, apply]) => apply === false)).toBe(true);
	});

	it('has nothing to apply when every person is unchanged', async () => {
		vi.mocked(commands.importPeople).mockImplementation(() =>
			ok(preview({ created: 0, updated: 0, unchanged: 3, changes: [] }))
		);
		const importer = new Importer();
		await importer.choose();
		expect(importer.canApply).toBe(false);
	});

	it('polls the progress while a run goes on, and stops when it ends', async () => {
		const run = deferred();
		vi.mocked(commands.importPeople).mockImplementation(() => run.promise);
		vi.mocked(commands.importProgress).mockImplementation(() =>
			Promise.resolve<ImportProgress>({ stage: 'checking', done: 12000, total: 60000 })
		);
		const importer = new Importer({ pollMs: 5 });
		const choosing = importer.choose();
		await wait(40);
		expect(importer.running).toBe('check');
		expect(importer.progress).toEqual({ stage: 'checking', done: 12000, total: 60000 });
		expect(importer.progressText).toBe('Checking rows… 12,000 of 60,000');
		expect(importer.canApply).toBe(false);
		run.resolve({ status: 'ok', data: preview() });
		await choosing;
		expect(importer.running).toBeNull();
		expect(importer.progress).toBeNull();
		const polls = vi.mocked(commands.importProgress).mock.calls.length;
		expect(polls).toBeGreaterThan(1);
		await wait(40);
		expect(vi.mocked(commands.importProgress).mock.calls.length).toBe(polls);
	});

	it('says the run was stopped and keeps the last preview', async () => {
		const importer = new Importer({ pollMs: 5 });
		await importer.choose();
		const run = deferred();
		vi.mocked(commands.importPeople).mockImplementation(() => run.promise);
		const checking = importer.setFull(true);
		await wait(0);
		expect(importer.running).toBe('check');
		await importer.cancel();
		expect(commands.cancelImport).toHaveBeenCalledTimes(1);
		run.resolve({ status: 'error', error: { code: 'cancelled' } });
		await checking;
		expect(importer.running).toBeNull();
		expect(errorMessage(importer.error!)).toBe('Cancelled. Nothing was changed.');
		expect(importer.preview?.created).toBe(2);
		// The preview is of the options before the change: it cannot be imported as it is.
		expect(importer.fresh).toBe(false);
		expect(importer.canApply).toBe(false);
	});

	it('stops a dry run that a newer change replaces, and drops its answer', async () => {
		const importer = new Importer({ pollMs: 5 });
		await importer.choose();
		const first = deferred();
		vi.mocked(commands.importPeople).mockImplementationOnce(() => first.promise);
		vi.mocked(commands.importPeople).mockImplementationOnce(() => ok(preview({ created: 9 })));
		const older = importer.setFull(true);
		await wait(0);
		await importer.setField(3, null);
		expect(commands.cancelImport).toHaveBeenCalledTimes(1);
		first.resolve({ status: 'error', error: { code: 'cancelled' } });
		await older;
		expect(importer.error).toBeNull();
		expect(importer.preview?.created).toBe(9);
		expect(importer.fresh).toBe(true);
		expect(importer.running).toBeNull();
	});

	it('imports with the mapping shown, refreshes people and units, and opens the new unit', async () => {
		const importer = new Importer();
		await importer.choose();
		vi.mocked(commands.importPeople).mockImplementation(() => ok(preview({ applied: true })));
		expect(await importer.apply()).toBe(true);
		expect(calls()[1]).toEqual([
			{
				read: { encoding: null, delimiter: null, sheet: null },
				mapping: ['employeeNumber', 'name', 'unit', 'nationalId'],
				full: false
			},
			true
		]);
		expect(importer.result?.applied).toBe(true);
		expect(commands.unitTree).toHaveBeenCalled();
		expect(commands.jobFamilies).toHaveBeenCalled();
		expect(units.nodes.map((node) => node.id)).toEqual([1, 7]);

		app.view = 'import';
		importer.showPeople();
		expect(people.unitId).toBe(7);
		expect(app.view).toBe('people');
	});

	it('keeps the preview when the apply is stopped', async () => {
		const importer = new Importer();
		await importer.choose();
		vi.mocked(commands.importPeople).mockImplementation(() => fail({ code: 'cancelled' }));
		expect(await importer.apply()).toBe(false);
		expect(importer.result).toBeNull();
		expect(importer.error?.code).toBe('cancelled');
		expect(importer.preview?.created).toBe(2);
		expect(commands.unitTree).not.toHaveBeenCalled();
	});
});

describe('import words', () => {
	beforeEach(() => applyLanguage('en'));

	it('says why each row is left out', () => {
		expect(
			problemText({ line: 7, problem: { kind: 'duplicateEmployeeNumber', number: '1042', firstLine: 3 } })
		).toBe('Line 7: Employee number 1042 is also on line 3.');
		expect(
			problemText({ line: 9, problem: { kind: 'rejected', error: { code: 'empty', params: { field: 'givenName' } } } })
		).toBe('Line 9: Given name must be filled in.');
		expect(problemText({ line: 12, problem: { kind: 'ragged', expected: 6, found: 5 } })).toBe(
			'Line 12: The row has 5 cells, the header has 6.'
		);
		expect(problemText({ line: 1200, problem: { kind: 'unreadable' } })).toBe('Line 1,200: The row cannot be read.');
		applyLanguage('da');
		expect(
			problemText({ line: 7, problem: { kind: 'duplicateEmployeeNumber', number: '1042', firstLine: 3 } })
		).toBe('Linje 7: Medarbejdernummer 1042 står også på linje 3.');
		expect(problemText({ line: 2, problem: { kind: 'unbalancedQuote' } })).toContain('Linje 2: Et anførselstegn');
	});

	it('has a label for every field in every language', () => {
		for (const language of ['da', 'sv', 'nb', 'en'] as const) {
			applyLanguage(language);
			for (const field of importFields) {
				expect(t(`importPeople.fields.${field}`)).not.toBe(`importPeople.fields.${field}`);
			}
		}
	});

	it('finds the unit a change names by its path', () => {
		expect(unitByPath(tree, 'Børn og Unge / Dagplejen')).toBe(7);
		expect(unitByPath(tree, 'dagplejen')).toBe(7);
		expect(unitByPath(tree, 'Egeby Kommune / Børn og Unge')).toBe(1);
		expect(unitByPath(tree, 'Skoler')).toBeNull();
		expect(unitByPath(tree, '')).toBeNull();
	});
});
