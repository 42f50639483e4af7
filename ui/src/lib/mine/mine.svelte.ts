import {
	commands,
	type ActionStatus,
	type Answer,
	type Opened,
	type OwnTalkDetail,
	type OwnTalkId,
	type OwnTalkSummary,
	type PublicIdentity
} from '$lib/bindings';
import { call, type AppError, type Result } from '$lib/errors';
import { t } from '$lib/i18n/i18n.svelte';
import { Autosave } from '$lib/talks/talks.svelte';

/**
 * Opening an exchange file (docs/EXCHANGE.md), the one way for every page: the open dialog,
 * then what the core did with the file, or why it refused it. A file signed by a changed key
 * is refused until the person confirms the new key (`confirmNewKey`), having compared it with
 * the sender.
 */
export class ExchangeOpener {
	busy = $state(false);
	opened = $state<Opened | null>(null);
	error = $state<AppError | null>(null);

	/** The refused file's sender has a new key: the person may confirm it. */
	get keyChanged(): boolean {
		return this.error?.code === 'keyChanged';
	}

	/** Returns what was opened, or null (closed dialog, refused file: see `error`). */
	async open(): Promise<Opened | null> {
		this.busy = true;
		try {
			return this.took(await call(commands.openExchange(t('exchange.openTitle'))));
		} finally {
			this.busy = false;
		}
	}

	async confirmNewKey(): Promise<Opened | null> {
		this.busy = true;
		try {
			return this.took(await call(commands.openExchangeConfirmingKey()));
		} finally {
			this.busy = false;
		}
	}

	private took(result: Result<Opened | null, AppError>): Opened | null {
		if (result.status === 'error') {
			this.error = result.error;
			this.opened = null;
			return null;
		}
		this.error = null;
		if (result.data) this.opened = result.data;
		return result.data;
	}

	/** One sentence on what opening the file did. */
	get message(): string {
		const o = this.opened;
		if (!o) return '';
		if (o.alreadyOpened) return t('exchange.alreadyOpened');
		return t(`exchange.opened.${o.kind}`, { from: o.from });
	}
}

/** The "My talks" page: this store's key, and the talks the person using it takes part in. */
export class MineModel {
	talks = $state<OwnTalkSummary[] | null>(null);
	identity = $state<PublicIdentity | null>(null);
	error = $state<AppError | null>(null);

	async load(): Promise<void> {
		const [talks, identity] = await Promise.all([call(commands.ownTalks()), call(commands.exchangeIdentity())]);
		if (talks.status === 'error') {
			this.error = talks.error;
			return;
		}
		if (identity.status === 'error') {
			this.error = identity.error;
			return;
		}
		this.error = null;
		this.talks = talks.data;
		this.identity = identity.data;
	}
}

/** One of the person's own talks: their preparation, what of it they share, and the file. */
export class OwnTalkModel {
	detail = $state<OwnTalkDetail | null>(null);
	error = $state<AppError | null>(null);
	autosave = new Autosave();
	/** Where the last preparation file was saved. */
	written = $state<string | null>(null);
	writeError = $state<AppError | null>(null);
	shareError = $state<AppError | null>(null);
	/** Where the last confirmation or progress file was saved, or why it was not. */
	answered = $state<string | null>(null);
	answerError = $state<AppError | null>(null);
	actionError = $state<AppError | null>(null);

	constructor(readonly id: OwnTalkId) {}

	async load(): Promise<void> {
		const result = await call(commands.ownTalk(this.id));
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.detail = result.data;
	}

	answer(section: number, question: number): { answer: Answer; shared: boolean } | undefined {
		return this.detail?.answers.find((a) => a.answer.section === section && a.answer.question === question);
	}

	/** Keeps the typed answer on screen and saves it shortly after (private until shared). */
	edit(answer: Answer): void {
		const d = this.detail;
		if (!d) return;
		const shared = this.answer(answer.section, answer.question)?.shared ?? false;
		d.answers = [
			...d.answers.filter((a) => a.answer.section !== answer.section || a.answer.question !== answer.question),
			{ answer, shared }
		];
		this.autosave.schedule(`own-${answer.section}-${answer.question}`, async () => {
			const result = await call(commands.saveOwnAnswer(this.id, answer));
			return result.status === 'error' ? result.error : null;
		});
	}

	async share(section: number, question: number, shared: boolean): Promise<void> {
		await this.autosave.flush();
		const result = await call(commands.shareOwnAnswer(this.id, { section, question }, shared));
		if (result.status === 'error') {
			this.shareError = result.error;
			return;
		}
		this.shareError = null;
		await this.load();
	}

	/** Saves the confirmation of the agreement (`disagreement` null), or the person's
	 * disagreement with it, as a file for the manager. */
	async answerAgreement(disagreement: string | null): Promise<void> {
		await this.save(false, disagreement, t('mine.confirmDialog'));
	}

	/** Saves the progress of the agreed actions as a file for the manager. */
	async writeProgress(): Promise<void> {
		await this.save(true, null, t('mine.progressDialog'));
	}

	async setStatus(reference: string, status: ActionStatus): Promise<void> {
		const result = await call(commands.setOwnActionStatus(this.id, reference, status));
		this.actionError = result.status === 'error' ? result.error : null;
		await this.load();
	}

	private async save(progress: boolean, disagreement: string | null, dialog: string): Promise<void> {
		const result = await call(commands.writeOwnExchange(this.id, progress, disagreement, dialog));
		this.answerError = result.status === 'error' ? result.error : null;
		if (result.status === 'ok' && result.data) {
			this.answered = result.data.path;
			await this.load();
		}
	}

	/** Saves the preparation file (the shared answers only) where the person chooses. */
	async writePreparation(): Promise<void> {
		await this.autosave.flush();
		const result = await call(commands.writePreparationExchange(this.id, t('mine.writeDialog')));
		if (result.status === 'error') {
			this.writeError = result.error;
			return;
		}
		this.writeError = null;
		if (result.data) {
			this.written = result.data.path;
			await this.load();
		}
	}
}
