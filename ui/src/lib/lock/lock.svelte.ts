import { commands, type AppState, type LockState } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';

/** What the lock screen asks for: a new passphrase, the passphrase, or the recovery key. */
export type LockStep = 'setUp' | 'passphrase' | 'recoveryKey';

/** The first step a locked store needs. */
export function stepFor(lock: LockState): LockStep {
	if (lock.kind === 'new') return 'setUp';
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

	constructor(private readonly lock: LockState) {
		this.step = stepFor(lock);
	}

	get plaintext(): boolean {
		return this.lock.kind === 'new' && this.lock.plaintext;
	}

	/** Whether the store has a passphrase to go back to from the recovery key step. */
	get canUsePassphrase(): boolean {
		return this.lock.kind === 'locked' && this.lock.mode === 'passphrase';
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
		if (this.step === 'setUp' && this.passphrase !== this.repeat) {
			this.mismatch = true;
			return null;
		}
		this.busy = true;
		try {
			const result = await call(
				this.step === 'setUp'
					? commands.setUpStore(this.passphrase)
					: commands.unlockStore(
							this.step === 'passphrase'
								? { kind: 'passphrase', secret: this.passphrase }
								: { kind: 'recoveryKey', secret: this.recoveryKey }
						)
			);
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
