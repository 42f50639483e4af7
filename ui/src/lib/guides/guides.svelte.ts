import {
	commands,
	type Template,
	type TemplateId,
	type TemplateSummary,
	type TemplateVersion,
	type TemplateVersionId
} from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { t } from '$lib/i18n/i18n.svelte';

/** The question guides of the store: list, copy, edit (a new version), import and export. */
export class GuidesState {
	list = $state<TemplateSummary[]>([]);
	error = $state<AppError | null>(null);
	/** Where the last exported file went. */
	written = $state<string | null>(null);
	/** The guide shown read-only. */
	previewing = $state<TemplateVersion | null>(null);
	/** The guide being edited, as a working copy. */
	editing = $state<{ id: TemplateId; template: Template } | null>(null);

	async load(): Promise<void> {
		const result = await call(commands.templates(false));
		if (result.status === 'error') this.error = result.error;
		else {
			this.error = null;
			this.list = result.data;
		}
	}

	private async done<T>(
		pending: Promise<{ status: 'ok'; data: T } | { status: 'error'; error: AppError }>
	): Promise<T | null> {
		const result = await call(pending);
		if (result.status === 'error') {
			this.error = result.error;
			return null;
		}
		this.error = null;
		await this.load();
		return result.data;
	}

	async copy(from: TemplateVersionId, name: string): Promise<TemplateSummary | null> {
		return this.done(commands.copyTemplate(from, name));
	}

	async importFile(json: string): Promise<TemplateSummary | null> {
		return this.done(commands.importTemplate(json));
	}

	async exportFile(id: TemplateVersionId): Promise<void> {
		const saved = await this.done(commands.writeTemplate(id, t('export.dialogTitle')));
		// `null`: the save dialog was closed.
		if (saved) this.written = saved.path;
	}

	async preview(id: TemplateVersionId): Promise<void> {
		const result = await call(commands.templateVersion(id));
		if (result.status === 'error') this.error = result.error;
		else this.previewing = result.data;
	}

	/** The languages a guide can be read in: a built-in guide is the app's own in every
	 * language (one per language, of its kind); a guide of the organisation's only in its own. */
	languagesOf(version: TemplateVersion): TemplateSummary[] {
		if (!version.builtin) return this.list.filter((g) => g.versionId === version.id);
		const same = this.list.filter((g) => g.builtin && g.kind === version.template.kind);
		return same.filter((g, i) => same.findIndex((o) => o.language === g.language) === i);
	}

	async archive(id: TemplateId): Promise<void> {
		await this.done(commands.archiveTemplate(id));
	}

	async edit(summary: TemplateSummary): Promise<void> {
		const result = await call(commands.templateVersion(summary.versionId));
		if (result.status === 'error') this.error = result.error;
		else this.editing = { id: summary.id, template: structuredClone(result.data.template) };
	}

	/** Saves the working copy as the guide's next version. */
	async save(): Promise<boolean> {
		if (!this.editing) return false;
		const saved = await this.done(commands.saveTemplate(this.editing.id, this.editing.template));
		if (saved) this.editing = null;
		return saved !== null;
	}
}
