import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Organisation, UnitNode } from '$lib/bindings';
import { appState, byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		appState: vi.fn(),
		setUiLanguage: vi.fn(),
		openDemo: vi.fn(),
		overview: vi.fn(),
		unitTree: vi.fn(),
		createUnit: vi.fn(),
		peopleInUnit: vi.fn(),
		jobFamilies: vi.fn(),
		searchPeople: vi.fn(),
		getPerson: vi.fn(),
		createPerson: vi.fn(),
		cycle: vi.fn(),
		myUnit: vi.fn(),
		// A person's page loads their history.
		talks: vi.fn(() => Promise.resolve({ status: 'ok', data: [] })),
		actions: vi.fn(() => Promise.resolve({ status: 'ok', data: { actions: [], total: 0, overdue: 0 } })),
		assessmentHistory: vi.fn(() => Promise.resolve({ status: 'ok', data: [] })),
		levelScale: vi.fn(() => Promise.resolve({ status: 'ok', data: [] }))
	}
}));

const { commands } = await import('$lib/bindings');
const { default: AppRoot } = await import('./AppRoot.svelte');
const { app } = await import('$lib/app.svelte');

const organisation: Organisation = { name: 'Egeby Kommune', country: 'DK', language: 'da', currency: 'DKK' };
const tree: UnitNode[] = [
	{ id: 1, name: 'Børn og Unge', parentId: null, depth: 0, managerId: 5, managerName: 'Ida Lund', headcount: 2, totalHeadcount: 14, usesGrus: false, archived: false },
	{ id: 2, name: 'Dagplejen', parentId: 1, depth: 1, managerId: null, managerName: null, headcount: 12, totalHeadcount: 12, usesGrus: false, archived: false }
];


describe('AppRoot', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(() => {
		app.phase = 'loading';
		app.view = 'overview';
		vi.mocked(commands.appState).mockImplementation(() =>
			ok(appState({ organisation: null, uiLanguage: 'en', keyMode: 'keychain' }))
		);
		vi.mocked(commands.setUiLanguage).mockImplementation(() => ok(null));
		vi.mocked(commands.openDemo).mockImplementation(() => ok(organisation));
		vi.mocked(commands.overview).mockImplementation(() =>
			ok({ organisation, units: 2, people: 14, managers: 1, unitsWithoutManager: 1 })
		);
		vi.mocked(commands.unitTree).mockImplementation(() => ok(tree));
		vi.mocked(commands.myUnit).mockImplementation(() => ok(null));
		vi.mocked(commands.cycle).mockImplementation(() =>
			ok({
				year: 2026,
				totals: { due: 14, planned: 3, held: 2, agreed: 1, overdue: 0 },
				units: [],
				reminders: [],
				reminderCount: 0
			})
		);
		vi.mocked(commands.peopleInUnit).mockImplementation(() => ok([]));
		vi.mocked(commands.jobFamilies).mockImplementation(() => ok([]));
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
	});

	it('goes from the welcome screen through the demo to the units tree', async () => {
		component = mount(AppRoot, { target: document.body });
		await settle();
		expect(byTestId('page-title')?.textContent).toBe('Welcome to Samtale');
		expect(byTestId('create-org')).not.toBeNull();

		byTestId('open-demo')!.click();
		await settle();
		expect(commands.openDemo).toHaveBeenCalledWith('en');
		expect(byTestId('org-title')?.textContent).toBe('Egeby Kommune');
		expect(byTestId('overview-people')?.textContent).toBe('14');
		expect(byTestId('overview-units')?.textContent).toBe('2');

		byTestId('nav-units')!.click();
		await settle();
		expect(byTestId('page-title')?.textContent).toBe('Units');
		const rows = document.querySelectorAll('[data-testid="unit-row"]');
		expect(rows).toHaveLength(2);
		expect(rows[1]?.getAttribute('data-unit-id')).toBe('2');
		expect(rows[1]?.textContent).toContain('Dagplejen');
		expect(rows[1]?.textContent).toContain('No manager');
	});

	it('tells what the start-of-day purge removed, or why it could not run, until dismissed', async () => {
		vi.mocked(commands.appState).mockImplementation(() =>
			ok(appState({ organisation, uiLanguage: 'en', keyMode: 'keychain', purged: { counts: [], total: 3 } }))
		);
		component = mount(AppRoot, { target: document.body });
		await settle();
		expect(byTestId('daily-purge')?.textContent).toContain('removed 3 records whose retention period was over');
		(byTestId('daily-purge')!.querySelectorAll('button')[1] as HTMLButtonElement).click();
		await settle();
		expect(byTestId('daily-purge')).toBeNull();
		unmount(component);

		vi.mocked(commands.appState).mockImplementation(() =>
			ok(appState({ organisation, uiLanguage: 'en', keyMode: 'keychain', purgeError: { code: 'storage', params: {} } }))
		);
		component = mount(AppRoot, { target: document.body });
		await settle();
		const failed = byTestId('daily-purge-failed')?.textContent ?? '';
		expect(failed).toContain("Today's retention purge could not run");
		expect(failed).toContain('try again at the next start');
		expect(byTestId('daily-purge')).toBeNull();
	});

	it('shows the core error inline in the add-unit form and follows the language', async () => {
		vi.mocked(commands.appState).mockImplementation(() =>
			ok(appState({ organisation, uiLanguage: 'en', keyMode: 'keychain' }))
		);
		vi.mocked(commands.createUnit).mockResolvedValue({
			status: 'error',
			error: { code: 'empty', params: { field: 'unitName' } }
		});
		component = mount(AppRoot, { target: document.body });
		await settle();
		byTestId('nav-units')!.click();
		await settle();
		byTestId('add-unit')!.click();
		await settle();
		const parent = byTestId('unit-parent') as HTMLSelectElement;
		expect([...parent.options].map((o) => o.value)).toEqual(['', '1', '2']);
		byTestId('unit-submit')!.click();
		await settle();
		expect(commands.createUnit).toHaveBeenCalledWith({ name: '', parentId: null, managerId: null });
		expect(byTestId('error-unitName')?.textContent?.trim()).toBe('Unit name must be filled in.');

		// The form is not modal: the language switch stays usable and the message follows it.
		const language = byTestId('language-select') as HTMLSelectElement;
		language.value = 'da';
		language.dispatchEvent(new Event('change', { bubbles: true }));
		await settle();
		expect(commands.setUiLanguage).toHaveBeenCalledWith('da');
		expect(byTestId('error-unitName')?.textContent?.trim()).toBe('Enhedens navn skal udfyldes.');
		expect(byTestId('nav-units')?.textContent?.trim()).toBe('Enheder');
		expect(document.querySelectorAll('[data-testid="add-unit"]')).toHaveLength(1);
	});

	it('lists people, finds one by search and shows form errors inline', async () => {
		vi.mocked(commands.appState).mockImplementation(() =>
			ok(appState({ organisation, uiLanguage: 'en', keyMode: 'keychain' }))
		);
		const anna = { id: 7, employeeNumber: 'E7', givenName: 'Anna', familyName: 'Berg', jobTitle: 'Pædagog', unitId: 2, unitName: 'Dagplejen', active: true };
		vi.mocked(commands.peopleInUnit).mockImplementation((unitId) => ok(unitId === 2 ? [anna] : []));
		vi.mocked(commands.searchPeople).mockImplementation(() => ok([anna]));
		vi.mocked(commands.getPerson).mockImplementation(() =>
			ok({ ...anna, jobFamily: null, managerId: null, effectiveManagerId: 5, effectiveManagerName: 'Ida Lund', email: null, gender: null, startDate: '2021-03-01', endDate: null, erased: false })
		);
		vi.mocked(commands.createPerson).mockResolvedValue({ status: 'error', error: { code: 'endBeforeStart' } });
		component = mount(AppRoot, { target: document.body });
		await settle();
		byTestId('nav-people')!.click();
		await settle();
		expect(byTestId('page-title')?.textContent).toBe('People');
		const picker = byTestId('people-unit') as HTMLSelectElement;
		expect(picker.value).toBe('1');
		expect(byTestId('add-person')?.textContent?.trim()).toBe('Add the first person');

		const search = byTestId('people-search') as HTMLInputElement;
		search.value = 'ann';
		search.dispatchEvent(new Event('input', { bubbles: true }));
		await new Promise((resolve) => setTimeout(resolve, 200));
		await settle();
		expect(commands.searchPeople).toHaveBeenCalledWith('ann', 20, false);
		const result = byTestId('search-result')!;
		expect(result.textContent).toContain('Dagplejen');
		search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
		await settle();
		expect(picker.value).toBe('2');
		expect(byTestId('person-row')?.textContent).toContain('Anna Berg');
		expect(byTestId('person-detail')?.textContent).toContain('Ida Lund');

		byTestId('add-person')!.click();
		await settle();
		expect((byTestId('person-start-date') as HTMLInputElement).value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		byTestId('person-submit')!.click();
		await settle();
		expect(byTestId('error-endDate')?.textContent?.trim()).toBe('The end date cannot be before the start date.');
	});

	it('shows only the store error when the store is too new', async () => {
		vi.mocked(commands.appState).mockImplementation(() =>
			ok(appState({ uiLanguage: 'sv', storeError: { code: 'storeTooNew', params: { found: 7, supported: 3 } } }))
		);
		component = mount(AppRoot, { target: document.body });
		await settle();
		expect(byTestId('page-title')?.textContent).toBe('Samtale kan inte öppna dina data');
		expect(byTestId('store-error')?.textContent).toContain('7');
		expect(byTestId('nav-units')).toBeNull();
		expect(byTestId('create-org')).toBeNull();
	});
});
