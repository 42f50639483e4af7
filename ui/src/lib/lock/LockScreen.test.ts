import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppState } from '$lib/bindings';
import { appState, byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		appState: vi.fn(),
		setUiLanguage: vi.fn(),
		unlockStore: vi.fn(),
		setUpStore: vi.fn(),
		restoreMissingStore: vi.fn(),
		startNewStore: vi.fn(),
		recoveryKey: vi.fn(),
		recoveryKeySeen: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: AppRoot } = await import('$lib/shell/AppRoot.svelte');
const { app } = await import('$lib/app.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

const fail = (error: unknown) => Promise.resolve({ status: 'error' as const, error } as never);

function type(id: string, value: string) {
	const input = byTestId(id) as HTMLInputElement;
	input.value = value;
	input.dispatchEvent(new Event('input', { bubbles: true }));
	flushSync();
}


const KEY = 'ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST-UVWX';

describe('the lock screen', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(async () => {
		app.phase = 'loading';
		await applyLanguage('en');
		vi.mocked(commands.setUiLanguage).mockReset();
		vi.mocked(commands.unlockStore).mockReset();
		vi.mocked(commands.setUpStore).mockReset();
		vi.mocked(commands.restoreMissingStore).mockReset();
		vi.mocked(commands.startNewStore).mockReset();
		vi.mocked(commands.recoveryKeySeen).mockReset().mockImplementation(() => ok(null));
		vi.mocked(commands.recoveryKey).mockReset().mockImplementation(() => ok(KEY));
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
	});

	async function start(first: AppState) {
		vi.mocked(commands.appState).mockImplementation(() => ok(first));
		component = mount(AppRoot, { target: document.body });
		await settle();
	}

	it('sets a new store up under a passphrase typed twice, then shows the recovery key once', async () => {
		await start(appState({ lock: { kind: 'new', plaintext: false, keychain: false } }));
		expect(byTestId('page-title')?.textContent).toBe('Protect the data with a passphrase');
		expect(byTestId('lock-plaintext')).toBeNull();

		type('lock-passphrase', 'en lang sætning her');
		type('lock-repeat', 'en lang sætning der');
		byTestId('lock-submit')?.click();
		await settle();
		expect(byTestId('lock-error')?.textContent).toBe('The two passphrases are not the same.');
		expect(commands.setUpStore).not.toHaveBeenCalled();

		vi.mocked(commands.setUpStore).mockImplementationOnce(() =>
			fail({ code: 'passphraseTooShort', params: { min: 12 } })
		);
		type('lock-passphrase', 'kort');
		type('lock-repeat', 'kort');
		byTestId('lock-submit')?.click();
		await settle();
		expect(byTestId('lock-error')?.textContent).toBe(
			'The passphrase must have at least 12 characters.'
		);

		vi.mocked(commands.setUpStore).mockImplementationOnce(() =>
			ok(appState({ recoveryKey: 'setUp', keyMode: 'passphrase' }))
		);
		type('lock-passphrase', 'en lang sætning her');
		type('lock-repeat', 'en lang sætning her');
		byTestId('lock-submit')?.click();
		await settle();
		expect(commands.setUpStore).toHaveBeenLastCalledWith('en lang sætning her');
		expect(byTestId('recovery-key-text')?.textContent).toBe(KEY);
		const done = byTestId('recovery-key-done') as HTMLButtonElement;
		expect(done.disabled).toBe(true);
		byTestId('recovery-key-kept')?.click();
		flushSync();
		expect(done.disabled).toBe(false);
		done.click();
		await settle();
		expect(commands.recoveryKeySeen).toHaveBeenCalledOnce();
		expect(app.phase).toBe('welcome');
		expect(byTestId('recovery-key')).toBeNull();
	});

	it('says a plaintext store will be encrypted', async () => {
		await start(appState({ lock: { kind: 'new', plaintext: true, keychain: false } }));
		expect(byTestId('lock-plaintext')?.textContent).toContain('will be encrypted');
	});

	it('refuses a wrong passphrase in words and opens with the recovery key instead', async () => {
		await start(appState({ lock: { kind: 'locked', mode: 'passphrase' } }));
		expect(byTestId('page-title')?.textContent).toBe('Samtale is locked');
		vi.mocked(commands.unlockStore).mockImplementationOnce(() => fail({ code: 'wrongPassphrase' }));
		type('lock-passphrase', 'ikke den rigtige');
		byTestId('lock-submit')?.click();
		await settle();
		expect(commands.unlockStore).toHaveBeenLastCalledWith({
			kind: 'passphrase',
			secret: 'ikke den rigtige'
		});
		expect(byTestId('lock-error')?.textContent).toBe(
			'The passphrase is not correct. Nothing was changed.'
		);

		byTestId('lock-use-recovery')?.click();
		flushSync();
		expect(byTestId('lock-error')).toBeNull();
		vi.mocked(commands.unlockStore).mockImplementationOnce(() =>
			ok(appState({ keyMode: 'passphrase' }))
		);
		type('lock-recovery', KEY.toLowerCase());
		byTestId('lock-submit')?.click();
		await settle();
		expect(commands.unlockStore).toHaveBeenLastCalledWith({
			kind: 'recoveryKey',
			secret: KEY.toLowerCase()
		});
		expect(app.phase).toBe('welcome');
	});

	it('asks for the recovery key when the keychain lost the key, and keeps the language choice local', async () => {
		await start(appState({ lock: { kind: 'locked', mode: 'keychain' } }));
		expect(byTestId('lock-recovery')).not.toBeNull();
		expect(byTestId('lock-use-passphrase')).toBeNull();
		expect(document.body.textContent).toContain("not in this computer's keychain");
		await app.setLanguage('da');
		await settle();
		expect(commands.setUiLanguage).not.toHaveBeenCalled();
		expect(byTestId('page-title')?.textContent).toBe('Samtale er låst');
	});

	const lost = {
		kind: 'missing' as const,
		mode: 'passphrase' as const,
		log: false,
		keychain: false,
		backups: [
			{ fileName: 'samtale-20261204T080000.000Z-daily.sqlite3', sizeBytes: 2_400_000, takenAt: '2026-12-04T08:00:00Z' },
			{ fileName: 'samtale-20261203T080000.000Z-daily.sqlite3', sizeBytes: 2_300_000, takenAt: '2026-12-03T08:00:00Z' }
		]
	};

	it('offers the backups of a missing store, newest first, and restores the chosen one with the passphrase', async () => {
		await start(appState({ lock: lost }));
		expect(byTestId('page-title')?.textContent).toBe("Samtale's data file is missing");
		expect((byTestId('lock-backup-0') as HTMLInputElement).checked).toBe(true);
		vi.mocked(commands.restoreMissingStore).mockImplementation(() => ok(appState({ keyMode: 'passphrase' })));
		(byTestId('lock-backup-1') as HTMLInputElement).click();
		flushSync();
		type('lock-passphrase', 'en lang nok sætning');
		(byTestId('lock-submit') as HTMLButtonElement).click();
		await settle();
		expect(commands.restoreMissingStore).toHaveBeenCalledWith(lost.backups[1]!.fileName, {
			kind: 'passphrase',
			secret: 'en lang nok sætning'
		});
		expect(commands.startNewStore).not.toHaveBeenCalled();
		expect(app.phase).toBe('welcome');
	});

	it('says plainly when a backup does not open with the key, and stays on the backups', async () => {
		await start(appState({ lock: { ...lost, mode: null } }));
		vi.mocked(commands.restoreMissingStore).mockImplementation(() => fail({ code: 'backupOtherKey' }));
		type('lock-recovery', KEY);
		(byTestId('lock-submit') as HTMLButtonElement).click();
		await settle();
		expect(commands.restoreMissingStore).toHaveBeenCalledWith(lost.backups[0]!.fileName, {
			kind: 'recoveryKey',
			secret: KEY
		});
		expect(byTestId('lock-error')?.textContent).toContain('does not open with that key');
		expect(byTestId('lock-backups')).not.toBeNull();
	});

	it('starts anew only after the person confirms, under a new passphrase typed twice', async () => {
		await start(appState({ lock: lost }));
		(byTestId('lock-start-anew') as HTMLButtonElement).click();
		flushSync();
		expect(byTestId('lock-anew')).not.toBeNull();
		expect((byTestId('lock-submit') as HTMLButtonElement).disabled).toBe(true);
		(byTestId('lock-understood') as HTMLInputElement).click();
		flushSync();
		type('lock-passphrase', 'en helt ny sætning her');
		type('lock-repeat', 'en helt ny sætning her');
		vi.mocked(commands.startNewStore).mockImplementation(() => ok(appState({ recoveryKey: 'setUp' })));
		(byTestId('lock-submit') as HTMLButtonElement).click();
		await settle();
		expect(commands.startNewStore).toHaveBeenCalledWith('en helt ny sætning her');
		expect(commands.restoreMissingStore).not.toHaveBeenCalled();
	});
});
