import {
	commands,
	type AppState,
	type Purge,
	type RecordKind,
	type RetentionPolicy,
	type RetentionRule
} from '$lib/bindings';
import { call, type AppError } from '$lib/errors';

/** One row of the retention form: a period in months, or kept. */
export type DraftRule = { kind: RecordKind; keep: boolean; months: number };

function toDraft(rules: RetentionRule[]): DraftRule[] {
	return rules.map((r) => ({ kind: r.kind, keep: r.months == null, months: r.months ?? 24 }));
}

export function toRules(draft: DraftRule[]): RetentionRule[] {
	return draft.map((d) => ({ kind: d.kind, months: d.keep ? null : Math.round(Number(d.months)) }));
}

function same(a: RetentionRule[], b: RetentionRule[]): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The privacy page: the retention policy being edited, its preview, and what a purge did. */
export class PrivacyModel {
	policy = $state<RetentionPolicy | null>(null);
	draft = $state<DraftRule[]>([]);
	error = $state<AppError | null>(null);
	/** What the previewed rules would remove today, and which rules they were. */
	preview = $state<Purge | null>(null);
	private previewed: RetentionRule[] | null = null;
	/** What the last adoption or purge removed. */
	done = $state<Purge | null>(null);
	busy = $state(false);

	/** The preview shown is of the rules now in the form: only then can they be applied. */
	get previewCurrent(): boolean {
		return this.preview !== null && this.previewed !== null && same(this.previewed, toRules(this.draft));
	}

	/** The form holds the policy in force: applying it purges, without changing it. */
	get unchanged(): boolean {
		return this.policy?.adopted === true && same(this.policy.rules, toRules(this.draft));
	}

	async load(): Promise<void> {
		const result = await call(commands.retention());
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.policy = result.data;
		this.draft = toDraft(result.data.rules);
	}

	useDefaults(): void {
		if (this.policy) this.draft = toDraft(this.policy.defaults);
	}

	async previewDraft(): Promise<void> {
		const rules = toRules(this.draft);
		this.busy = true;
		const result = await call(commands.previewPurge(rules));
		this.busy = false;
		this.done = null;
		if (result.status === 'error') {
			this.error = result.error;
			this.preview = null;
			return;
		}
		this.error = null;
		this.preview = result.data;
		this.previewed = rules;
	}

	/** Adopts the previewed rules (or, unchanged, purges under them) and removes what is due. */
	async apply(): Promise<void> {
		if (!this.previewCurrent || this.busy) return;
		this.busy = true;
		if (this.unchanged) {
			const result = await call(commands.purge());
			this.busy = false;
			if (result.status === 'error') {
				this.error = result.error;
				return;
			}
			this.done = result.data;
		} else {
			const result = await call(commands.setRetention(toRules(this.draft)));
			this.busy = false;
			if (result.status === 'error') {
				this.error = result.error;
				return;
			}
			this.policy = result.data.policy;
			this.draft = toDraft(result.data.policy.rules);
			this.done = result.data.purged;
		}
		this.error = null;
		this.preview = null;
		this.previewed = null;
	}
}

export const privacy = new PrivacyModel();

/** Changing the passphrase, or moving the key from the keychain to a passphrase. */
export class PassphraseModel {
	current = $state('');
	next = $state('');
	repeat = $state('');
	mismatch = $state(false);
	error = $state<AppError | null>(null);
	saved = $state(false);
	/** The keychain entry that still holds the key, when the keychain would not remove it. */
	keychainEntryLeft = $state<string | null>(null);
	busy = $state(false);

	/** Under a passphrase the current one is asked for; from the keychain it is not. */
	async save(underPassphrase: boolean): Promise<boolean> {
		this.saved = false;
		this.mismatch = this.next !== this.repeat;
		if (this.mismatch || this.busy) return false;
		this.busy = true;
		const result = await call(commands.setPassphrase(underPassphrase ? this.current : null, this.next));
		this.busy = false;
		if (result.status === 'error') {
			this.error = result.error;
			return false;
		}
		this.error = null;
		this.saved = true;
		this.keychainEntryLeft = result.data.keychainEntryLeft;
		this.current = this.next = this.repeat = '';
		return true;
	}

	/** Keeps a key that is kept nowhere under the new passphrase; the core's new state, or null. */
	async keep(): Promise<AppState | null> {
		this.saved = false;
		this.mismatch = this.next !== this.repeat;
		if (this.mismatch || this.busy) return null;
		this.busy = true;
		const result = await call(commands.keepStoreKey(this.next));
		this.busy = false;
		if (result.status === 'error') {
			this.error = result.error;
			return null;
		}
		this.error = null;
		this.saved = true;
		this.keychainEntryLeft = null;
		this.current = this.next = this.repeat = '';
		return result.data;
	}
}

export const passphrase = new PassphraseModel();

/** How many days backups are kept: the core's setting and its limits, never a copy of them. */
export class BackupDaysModel {
	days = $state<number | null>(null);
	draft = $state<number | null>(null);
	error = $state<AppError | null>(null);
	saved = $state(false);
	busy = $state(false);

	async load(): Promise<void> {
		const result = await call(commands.backupDays());
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.days = result.data;
		this.draft = result.data;
	}

	async save(): Promise<void> {
		if (this.busy) return;
		this.saved = false;
		this.busy = true;
		const days = Math.round(Number(this.draft));
		const result = await call(commands.setBackupDays(days));
		this.busy = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.days = days;
		this.saved = true;
	}
}

export const backupDays = new BackupDaysModel();

/** Changing the store's key: a new key and recovery key, the old recovery key (HR's copy)
 * opening nothing afterwards. The core re-encrypts the store and its backups; the new recovery
 * key is then shown as at set-up. */
export class ChangeKeyModel {
	passphrase = $state('');
	/** The person has read that HR's recovery key stops working and must be replaced. */
	understood = $state(false);
	error = $state<AppError | null>(null);
	busy = $state(false);

	/** The core's new state (which shows the new recovery key), or null when it was refused. */
	async change(underPassphrase: boolean): Promise<AppState | null> {
		if (this.busy || !this.understood) return null;
		this.busy = true;
		const result = await call(commands.changeStoreKey(underPassphrase ? this.passphrase : null));
		this.busy = false;
		if (result.status === 'error') {
			this.error = result.error;
			return null;
		}
		this.error = null;
		this.passphrase = '';
		this.understood = false;
		return result.data;
	}
}

export const changeKey = new ChangeKeyModel();
