import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Organisation } from '$lib/bindings';
import { appState } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		appState: vi.fn(),
		setUiLanguage: vi.fn(),
		createOrganisation: vi.fn(),
		setUserName: vi.fn(),
		updateOrganisation: vi.fn(),
		openDemo: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { AppModel } = await import('./app.svelte');
const { currentLanguage } = await import('./i18n/i18n.svelte');

/** The lock fields of an open store that was not just set up. */

const organisation: Organisation = { name: 'Egeby Kommune', country: 'DK', language: 'da', currency: 'DKK' };

describe('AppModel', () => {
	beforeEach(() => {
		vi.mocked(commands.setUiLanguage).mockReset().mockResolvedValue({ status: 'ok', data: null });
	});

	it('starts on the welcome screen with the browser language when nothing is saved', async () => {
		vi.mocked(commands.appState).mockResolvedValue({
			status: 'ok',
			data: appState({ organisation: null, uiLanguage: null, keyMode: 'keychain' })
		});
		const app = new AppModel();
		await app.start('nb-NO');
		expect(app.phase).toBe('welcome');
		expect(app.language).toBe('nb');
		expect(document.documentElement.lang).toBe('nb');
	});

	it('restores the saved language over the browser language', async () => {
		vi.mocked(commands.appState).mockResolvedValue({
			status: 'ok',
			data: appState({ organisation, uiLanguage: 'sv', keyMode: 'keychain' })
		});
		const app = new AppModel();
		await app.start('da-DK');
		expect(app.phase).toBe('ready');
		expect(app.organisation?.name).toBe('Egeby Kommune');
		expect(currentLanguage()).toBe('sv');
	});

	it('shows only the store error when the store cannot be opened', async () => {
		vi.mocked(commands.appState).mockResolvedValue({
			status: 'ok',
			data: appState({ storeError: { code: 'storeTooNew', params: { found: 4, supported: 2 } } })
		});
		const app = new AppModel();
		await app.start('en-GB');
		expect(app.phase).toBe('failed');
		expect(app.fatal?.code).toBe('storeTooNew');
	});

	it('saves the chosen language', async () => {
		const app = new AppModel();
		await app.setLanguage('da');
		expect(commands.setUiLanguage).toHaveBeenCalledWith('da');
		expect(app.language).toBe('da');
		expect(app.notice).toBeNull();
	});

	it('opens the demo in the current language and enters the app', async () => {
		vi.mocked(commands.openDemo).mockResolvedValue({ status: 'ok', data: organisation });
		const app = new AppModel();
		await app.setLanguage('sv');
		const pending = app.openDemo();
		expect(app.demoBusy).toBe(true);
		await pending;
		expect(commands.openDemo).toHaveBeenCalledWith('sv');
		expect(app.demoBusy).toBe(false);
		expect(app.phase).toBe('ready');
		expect(app.view).toBe('overview');
	});

	it('keeps the create form open with the error when creation fails', async () => {
		vi.mocked(commands.createOrganisation).mockResolvedValue({
			status: 'error',
			error: { code: 'empty', params: { field: 'organisationName' } }
		});
		const app = new AppModel();
		app.phase = 'welcome';
		const error = await app.createOrganisation({ name: '', country: 'DK', language: 'da', currency: '' });
		expect(error?.code).toBe('empty');
		expect(app.phase).toBe('welcome');
	});

	it('saves the user’s name given at set-up before the organisation, and stops on a refused name', async () => {
		const calls: string[] = [];
		vi.mocked(commands.setUserName).mockImplementation((name) => {
			calls.push(`name ${name}`);
			return Promise.resolve(
				name.length > 200
					? { status: 'error', error: { code: 'tooLong', params: { field: 'userName', max: 200 } } }
					: { status: 'ok', data: name.trim() }
			);
		});
		vi.mocked(commands.createOrganisation).mockImplementation(() => {
			calls.push('organisation');
			return Promise.resolve({ status: 'error', error: { code: 'empty', params: { field: 'organisationName' } } });
		});
		const app = new AppModel();
		const input = { name: '', country: 'DK' as const, language: 'da' as const, currency: '' };
		const refused = await app.createOrganisation(input, 'x'.repeat(201));
		expect(refused?.code).toBe('tooLong');
		expect(calls).toEqual([`name ${'x'.repeat(201)}`]);
		calls.length = 0;
		await app.createOrganisation(input, 'Hanne Dahl');
		expect(calls).toEqual(['name Hanne Dahl', 'organisation']);
		calls.length = 0;
		await app.createOrganisation(input, '  ');
		expect(calls).toEqual(['organisation']);
	});

	it('hands an add request to the page it is meant for, once', () => {
		const app = new AppModel();
		app.navigateToAdd('units');
		expect(app.view).toBe('units');
		expect(app.takeAddRequest('people')).toBe(false);
		expect(app.takeAddRequest('units')).toBe(true);
		expect(app.takeAddRequest('units')).toBe(false);
	});
});
