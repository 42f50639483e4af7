import { commands, type AppState, type BackupInfo, type LockState, type Unlock } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';

/**
 * What the lock screen asks for: a new passphrase, the passphrase, the recovery key, or, for a
 * store whose file is missing beside its backups, which backup to restore (or to start anew).
 */
export type LockStep = 'setUp' | 'passphrase' | 'recoveryKey' | 'missing';

/** The first step a locked store needs. */
export function stepFor(lock: LockState): LockStep {
	if (lock.kind === 'new') return 'setUp';
	if (lock.kind === 'missing') return 'missing';
	return lock.mode === 'passphrase' ? 'passphrase' : 'recoveryKey';
}

/**
 * The lock screen's form: what the person types, the step they are on, and the core's answer.
 * A second passphrase field catches a typing mistake before the store is set up under it; the
 * rules (length) are the core's.
 */
export class LockModel {
	step = $state<LockStep>('passphrase');
	passphrase = $state('');
	repeat = $state('');
	recoveryKey = $state('');
	busy = $state(false);
	error = $state<AppError | null>(null);
	/** The two new passphrases differ: said before anything is sent. */
	mismatch = $state(false);

	/** The backup chosen to restore a missing store from (the newest, until another is chosen). */
	backup = $state<string | null>(null);
	/** The person asked to start with a new store instead of restoring one. */
	anew = $state(false);
	/** …and confirmed that they understand what starting anew means. */
	understood = $state(false);
	/** A store under a passphrase whose passphrase is forgotten: restore with the recovery key. */
	useRecovery = $state(false);

	constructor(private readonly lock: LockState) {
		this.step = stepFor(lock);
		if (lock.kind === 'missing') this.backup = lock.backups[0]?.fileName ?? null;
	}

	get plaintext(): boolean {
		return this.lock.kind === 'new' && this.lock.plaintext;
	}

	/** Whether the store has a passphrase to go back to from the recovery key step. */
	get canUsePassphrase(): boolean {
		return this.lock.kind === 'locked' && this.lock.mode === 'passphrase';
	}

	/** The missing store's backups, newest first. */
	get backups(): BackupInfo[] {
		return this.lock.kind === 'missing' ? this.lock.backups : [];
	}

	/** What restoring the missing store asks for: nothing (keychain), a passphrase or the recovery key. */
	get restoreAsks(): 'keychain' | 'passphrase' | 'recoveryKey' {
		if (this.lock.kind !== 'missing') return 'recoveryKey';
		if (this.lock.mode === 'passphrase' && !this.useRecovery) return 'passphrase';
		return this.lock.mode === 'keychain' ? 'keychain' : 'recoveryKey';
	}

	/** Whether a lost store under a passphrase can switch to its recovery key. */
	get passphraseStore(): boolean {
		return this.lock.kind === 'missing' && this.lock.mode === 'passphrase';
	}

	/** Whether a new store would be kept in the keychain (else under a new passphrase). */
	get keychain(): boolean {
		return this.lock.kind === 'missing' && this.lock.keychain;
	}

	private unlockHow(): Unlock {
		switch (this.restoreAsks) {
			case 'keychain':
				return { kind: 'keychain' };
			case 'passphrase':
				return { kind: 'passphrase', secret: this.passphrase };
			default:
				return { kind: 'recoveryKey', secret: this.recoveryKey };
		}
	}

	/** The command the current step sends, or null when the form stops it first. */
	private request() {
		if (this.step === 'missing') {
			if (this.anew) {
				if (!this.keychain && this.passphrase !== this.repeat) {
					this.mismatch = true;
					return null;
				}
				return commands.startNewStore(this.keychain ? null : this.passphrase);
			}
			if (!this.backup) return null;
			return commands.restoreMissingStore(this.backup, this.unlockHow());
		}
		if (this.step === 'setUp' && this.passphrase !== this.repeat) {
			this.mismatch = true;
			return null;
		}
		return this.step === 'setUp'
			? commands.setUpStore(this.passphrase)
			: commands.unlockStore(
					this.step === 'passphrase'
						? { kind: 'passphrase', secret: this.passphrase }
						: { kind: 'recoveryKey', secret: this.recoveryKey }
				);
	}

	show(step: LockStep): void {
		this.step = step;
		this.error = null;
	}

	/** Sends what the step asks for; the app's new state when the store opened, else null. */
	async submit(): Promise<AppState | null> {
		if (this.busy) return null;
		this.error = null;
		this.mismatch = false;
		const request = this.request();
		if (!request) return null;
		this.busy = true;
		try {
			const result = await call(request);
			if (result.status === 'error') {
				this.error = result.error;
				return null;
			}
			this.passphrase = '';
			this.repeat = '';
			this.recoveryKey = '';
			return result.data;
		} finally {
			this.busy = false;
		}
	}
}
