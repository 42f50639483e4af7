import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Purge, RecordKind, RetentionPolicy, RetentionRule } from '$lib/bindings';
import { byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		retention: vi.fn(),
		previewPurge: vi.fn(),
		setRetention: vi.fn(),
		purge: vi.fn(),
		setPassphrase: vi.fn(),
		setUiLanguage: vi.fn(),
		backupDays: vi.fn(),
		setBackupDays: vi.fn(),
		keepStoreKey: vi.fn(),
		changeStoreKey: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: PrivacyPage } = await import('./PrivacyPage.svelte');
const { default: KeyNotKeptNotice } = await import('./KeyNotKeptNotice.svelte');
const { appState } = await import('$lib/testing');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');
const { app } = await import('$lib/app.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

const kinds: RecordKind[] = ['formerPeople', 'summaries', 'preparations', 'leaderNotes', 'actions'];
const defaults: RetentionRule[] = kinds.map((kind) => ({
	kind,
	months: kind === 'summaries' || kind === 'actions' ? 60 : 24
}));

function policy(adopted: boolean, rules = defaults): RetentionPolicy {
	return { adopted, rules, defaults };
}

function purge(records: Partial<Record<RecordKind, number>>): Purge {
	const counts = kinds.map((kind) => ({ kind, months: 24, before: '2024-12-02', records: records[kind] ?? 0 }));
	return { counts, total: counts.reduce((n, c) => n + c.records, 0) };
}

describe('PrivacyPage', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(async () => {
		await applyLanguage('en');
		vi.mocked(commands.retention).mockReset().mockReturnValue(ok(policy(false)));
		vi.mocked(commands.previewPurge).mockReset();
		vi.mocked(commands.setRetention).mockReset();
		vi.mocked(commands.purge).mockReset();
		vi.mocked(commands.setPassphrase).mockReset();
		vi.mocked(commands.backupDays).mockReset().mockReturnValue(ok(30));
		vi.mocked(commands.setBackupDays).mockReset();
		vi.mocked(commands.keepStoreKey).mockReset();
		vi.mocked(commands.changeStoreKey).mockReset();
		app.keyMode = null;
		app.keyNotKept = false;
	});

	it('asks where to keep a key kept nowhere, and keeps it in the keychain when told', async () => {
		app.keyNotKept = true;
		vi.mocked(commands.keepStoreKey).mockReturnValue(ok(appState({ keyMode: 'keychain' })));
		component = mount(KeyNotKeptNotice, { target: document.body });
		await settle();
		expect(byTestId('key-not-kept')?.textContent).toContain('not kept on this computer');
		(byTestId('key-keep-keychain') as HTMLButtonElement).click();
		await settle();
		expect(commands.keepStoreKey).toHaveBeenCalledWith(null);
		expect(app.keyMode).toBe('keychain');
		expect(byTestId('key-not-kept')).toBeNull();
	});

	it('keeps a key kept nowhere under a passphrase typed twice on the privacy page', async () => {
		app.keyNotKept = true;
		vi.mocked(commands.keepStoreKey).mockReturnValue(ok(appState({ keyMode: 'passphrase' })));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		expect(byTestId('key-mode')?.getAttribute('data-mode')).toBe('none');
		expect(byTestId('key-current')).toBeNull();
		for (const id of ['key-new', 'key-repeat']) {
			const input = byTestId(id) as HTMLInputElement;
			input.value = 'a sentence to remember';
			input.dispatchEvent(new Event('input', { bubbles: true }));
		}
		(byTestId('key-save') as HTMLButtonElement).click();
		await settle();
		expect(commands.keepStoreKey).toHaveBeenCalledWith('a sentence to remember');
		expect(app.keyMode).toBe('passphrase');
		expect(app.keyNotKept).toBe(false);
	});

	it('keeps backups for the days the core says, and saves fewer', async () => {
		vi.mocked(commands.setBackupDays).mockReturnValue(ok(null));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		const input = byTestId('backup-days') as HTMLInputElement;
		expect(input.value).toBe('30');
		input.value = '7';
		input.dispatchEvent(new Event('input', { bubbles: true }));
		(byTestId('backup-days-save') as HTMLButtonElement).click();
		await settle();
		expect(commands.setBackupDays).toHaveBeenCalledWith(7);
		expect(byTestId('backup-days-saved')?.textContent).toContain('kept for 7 days');
	});

	it('says why more than thirty days of backups is refused, beside the field', async () => {
		vi.mocked(commands.setBackupDays).mockReturnValue(
			fail({ code: 'tooLarge', params: { field: 'backupDays', max: 30 } }) as never
		);
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		const input = byTestId('backup-days') as HTMLInputElement;
		input.value = '90';
		input.dispatchEvent(new Event('input', { bubbles: true }));
		(byTestId('backup-days-save') as HTMLButtonElement).click();
		await settle();
		const error = byTestId('backup-days-error');
		expect(error?.textContent).toContain('Days backups are kept');
		expect(error?.textContent).toContain('30');
		expect(input.getAttribute('aria-describedby')).toBe('backup-days-error');
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
	});

	it('says that nothing is removed before a policy is adopted, and offers the defaults', async () => {
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		expect(byTestId('retention-status')?.dataset.adopted).toBe('false');
		expect(byTestId('retention-status')?.textContent).toContain('nothing is ever removed');
		expect((byTestId('retention-months-leaderNotes') as HTMLInputElement).value).toBe('24');
		expect(byTestId('retention-apply')).toBeNull();
	});

	it('adopts a policy only after previewing what it removes, and says what went', async () => {
		vi.mocked(commands.previewPurge).mockReturnValue(ok(purge({ leaderNotes: 3, preparations: 2 })));
		vi.mocked(commands.setRetention).mockReturnValue(
			ok({ policy: policy(true), purged: purge({ leaderNotes: 3, preparations: 2 }) })
		);
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		byTestId('retention-preview')?.click();
		await settle();
		expect(commands.previewPurge).toHaveBeenCalledWith(defaults);
		expect(byTestId('retention-count-leaderNotes')?.textContent).toContain('private notes of 3 talks');
		expect(byTestId('retention-count-summaries')).toBeNull();
		const apply = byTestId('retention-apply');
		expect(apply?.textContent).toContain('Adopt this policy and remove these now');
		apply?.click();
		await settle();
		expect(commands.setRetention).toHaveBeenCalledWith(defaults);
		expect(byTestId('retention-done')?.textContent).toContain('5 records removed');
		expect(byTestId('retention-status')?.dataset.adopted).toBe('true');
	});

	it('asks for a new preview when a period changes after the last one', async () => {
		vi.mocked(commands.previewPurge).mockReturnValue(ok(purge({})));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		byTestId('retention-preview')?.click();
		await settle();
		expect(byTestId('retention-nothing')).not.toBeNull();
		const keep = byTestId('retention-keep-summaries') as HTMLInputElement;
		keep.click();
		await settle();
		expect(byTestId('retention-apply')).toBeNull();
		byTestId('retention-preview')?.click();
		await settle();
		const sent = vi.mocked(commands.previewPurge).mock.calls.at(-1)?.[0];
		expect(sent?.find((r) => r.kind === 'summaries')?.months).toBeNull();
		expect(byTestId('retention-apply')?.textContent).toContain('Adopt this policy');
	});

	it('shows a refused period as a translated error', async () => {
		vi.mocked(commands.previewPurge).mockReturnValue(
			fail({ code: 'tooLarge', params: { field: 'retention', max: 1200 } })
		);
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		byTestId('retention-preview')?.click();
		await settle();
		expect(byTestId('retention-error')?.textContent).toContain('Retention period');
		expect(byTestId('retention-error')?.textContent).toContain('1200');
	});

	it('moves the key from the keychain to a passphrase typed twice', async () => {
		app.keyMode = 'keychain';
		vi.mocked(commands.setPassphrase).mockReturnValue(ok({ keychainEntryLeft: null }));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		expect(byTestId('key-current')).toBeNull();
		const type = (id: string, text: string) => {
			const input = byTestId(id) as HTMLInputElement;
			input.value = text;
			input.dispatchEvent(new Event('input', { bubbles: true }));
		};
		type('key-new', 'a sentence to remember');
		type('key-repeat', 'a sentence to remembr');
		byTestId('key-save')?.click();
		await settle();
		expect(byTestId('key-error')?.textContent).toContain('not the same');
		expect(commands.setPassphrase).not.toHaveBeenCalled();
		type('key-repeat', 'a sentence to remember');
		byTestId('key-save')?.click();
		await settle();
		expect(commands.setPassphrase).toHaveBeenCalledWith(null, 'a sentence to remember');
		expect(byTestId('key-saved')).not.toBeNull();
		expect(app.keyMode).toBe('passphrase');
		expect(byTestId('key-current')).not.toBeNull();
		expect(byTestId('key-left')).toBeNull();
	});

	it('says so when the keychain would not let go of the key', async () => {
		app.keyMode = 'keychain';
		vi.mocked(commands.setPassphrase).mockReturnValue(ok({ keychainEntryLeft: 'Samtale store key' }));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		for (const id of ['key-new', 'key-repeat']) {
			const input = byTestId(id) as HTMLInputElement;
			input.value = 'a sentence to remember';
			input.dispatchEvent(new Event('input', { bubbles: true }));
		}
		byTestId('key-save')?.click();
		await settle();
		expect(byTestId('key-saved')).not.toBeNull();
		expect(byTestId('key-left')?.textContent).toContain('“Samtale store key”');
	});

	it('asks for the current passphrase and says when it is wrong', async () => {
		app.keyMode = 'passphrase';
		vi.mocked(commands.setPassphrase).mockReturnValue(fail({ code: 'wrongPassphrase' }));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		const current = byTestId('key-current') as HTMLInputElement;
		current.value = 'not it';
		current.dispatchEvent(new Event('input', { bubbles: true }));
		byTestId('key-save')?.click();
		await settle();
		expect(commands.setPassphrase).toHaveBeenCalledWith('not it', '');
		expect(byTestId('key-error')?.textContent).not.toBe('');
	});

	it('changes the key only once told that HR needs the new recovery key, and then shows it', async () => {
		app.keyMode = 'passphrase';
		vi.mocked(commands.changeStoreKey)
			.mockReturnValueOnce(fail({ code: 'wrongPassphrase' }))
			.mockReturnValueOnce(ok(appState({ keyMode: 'passphrase', recoveryKey: 'changed' })));
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		const submit = byTestId('change-key-submit') as HTMLButtonElement;
		expect(submit.disabled).toBe(true);
		(byTestId('change-key-understood') as HTMLInputElement).click();
		await settle();
		expect(submit.disabled).toBe(false);
		const typed = byTestId('change-key-passphrase') as HTMLInputElement;
		typed.value = 'not the passphrase';
		typed.dispatchEvent(new Event('input', { bubbles: true }));
		submit.click();
		await settle();
		expect(commands.changeStoreKey).toHaveBeenCalledWith('not the passphrase');
		expect(byTestId('change-key-error')?.textContent).toContain('passphrase');
		submit.click();
		await settle();
		expect(app.recoveryKey).toBe('changed');
		expect(app.phase).toBe('recoveryKey');
	});

	it('offers no key change while the key is kept nowhere', async () => {
		app.keyNotKept = true;
		component = mount(PrivacyPage, { target: document.body });
		await settle();
		expect(byTestId('change-key')).toBeNull();
	});
});
