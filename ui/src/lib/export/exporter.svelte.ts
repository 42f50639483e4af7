import { commands, type ExportFormat, type ExportRequest, type Exported } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { currentLanguage, t } from '$lib/i18n/i18n.svelte';

/**
 * One export button group's state: which format is being made, what was saved where, or why
 * it failed. The core makes the file and Rust opens the save dialog; the page only asks.
 */
export class Exporter {
	/** The format being made and saved, while it runs. */
	running = $state<ExportFormat | null>(null);
	saved = $state<Exported | null>(null);
	error = $state<AppError | null>(null);

	async run(request: ExportRequest, format: ExportFormat): Promise<void> {
		if (this.running) return;
		this.running = format;
		this.error = null;
		this.saved = null;
		const result = await call(
			commands.exportFile(request, format, currentLanguage(), t('export.dialogTitle'))
		);
		this.running = null;
		if (result.status === 'error') this.error = result.error;
		// `null`: the user closed the dialog; nothing to say.
		else this.saved = result.data;
	}

	/** A new request (another unit or year): what was said of the last one no longer applies. */
	reset(): void {
		this.saved = null;
		this.error = null;
	}
}

export const formatLabels: Record<ExportFormat, string> = {
	pdf: 'PDF',
	xlsx: 'Excel (XLSX)',
	csv: 'CSV',
	json: 'JSON'
};

/** The file's name from the saved path, for the status line. */
export function fileName(path: string): string {
	return path.split(/[\\/]/).pop() ?? path;
}
