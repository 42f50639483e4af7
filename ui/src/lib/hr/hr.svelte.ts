import { commands, type BundleFileResult, type HeldBundle, type HrSummaryView } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { currentLanguage, t } from '$lib/i18n/i18n.svelte';

/**
 * The HR page's state: the year, the unit bundles HR holds for it, what the last import did,
 * and the smallest group a summary shows.
 */
export class HrModel {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
	year = $state(new Date().getFullYear());
	bundles = $state<HeldBundle[] | null>(null);
	error = $state<AppError | null>(null);
	importing = $state(false);
	/** Each chosen file's outcome or refusal, from the last import; null before one. */
	results = $state<BundleFileResult[] | null>(null);
	importError = $state<AppError | null>(null);

	/** The year's summary on screen: the export's own views, small groups hidden alike. */
	summary = $state<HrSummaryView | null>(null);
	summaryError = $state<AppError | null>(null);
	/** Which of the summary's views is shown. */
	view = $state(0);

	minGroup = $state<number | null>(null);
	/** The number input's value: a number, or null while it is empty. */
	minGroupDraft = $state<number | null>(null);
	minGroupError = $state<AppError | null>(null);
	minGroupSaved = $state(false);

	/** How many of the last import's files were taken in (added or replacing an older one). */
	get taken(): number {
		return (this.results ?? []).filter((r) => r.outcome === 'added' || r.outcome === 'replaced').length;
	}

	async load(): Promise<void> {
		const year = this.year;
		const result = await call(commands.heldBundles(year));
		// A newer year chosen meanwhile: its own load answers.
		if (year !== this.year) return;
		if (result.status === 'error') {
			this.error = result.error;
			this.bundles = null;
		} else {
			this.error = null;
			this.bundles = result.data;
		}
	}

	async loadSummary(): Promise<void> {
		const year = this.year;
		const result = await call(commands.hrSummaryView(year, null, currentLanguage()));
		if (year !== this.year) return;
		if (result.status === 'error') {
			this.summaryError = result.error;
			this.summary = null;
		} else {
			this.summaryError = null;
			this.summary = result.data;
		}
	}

	async setYear(year: number): Promise<void> {
		this.year = year;
		this.results = null;
		await Promise.all([this.load(), this.loadSummary()]);
	}

	async importBundles(): Promise<void> {
		if (this.importing) return;
		this.importing = true;
		this.importError = null;
		const result = await call(commands.importBundles(t('hr.dialogTitle')));
		this.importing = false;
		if (result.status === 'error') {
			this.importError = result.error;
			return;
		}
		// `null`: the dialog was closed; the last results still stand.
		if (result.data === null) return;
		this.results = result.data;
		await this.load();
	}

	async loadMinGroup(): Promise<void> {
		const result = await call(commands.minGroup());
		if (result.status === 'ok') {
			this.minGroup = result.data;
			this.minGroupDraft = result.data;
		} else {
			this.minGroupError = result.error;
		}
	}

	async saveMinGroup(): Promise<void> {
		this.minGroupSaved = false;
		const size = this.minGroupDraft;
		// The core checks the range; what is not a whole number cannot even be sent.
		if (size === null || !Number.isInteger(size) || size < 0) {
			this.minGroupError = { code: 'invalid', params: { field: 'minGroup' } };
			return;
		}
		const result = await call(commands.setMinGroup(size));
		if (result.status === 'error') {
			this.minGroupError = result.error;
			return;
		}
		this.minGroupError = null;
		this.minGroup = size;
		this.minGroupSaved = true;
		// The threshold decides which figures show.
		await this.loadSummary();
	}
}

export const hr = new HrModel();
