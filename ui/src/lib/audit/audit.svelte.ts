import { commands, type AuditEntry } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { t } from '$lib/i18n/i18n.svelte';
import { kindName } from '$lib/talks/talks.svelte';

/** What an entry's record is, in words: "MUS with Freja Nielsen, 2026", an action's title, or
 * for other records their kind and number. */
export function recordText(e: AuditEntry): string {
	const s = e.subject;
	if (s?.type === 'talk') {
		const values = { kind: kindName(s.talkKind), year: s.year };
		return s.with.length === 0
			? t('audit.subject.talkAlone', values)
			: t('audit.subject.talk', { ...values, names: s.with.join(', ') });
	}
	if (s?.type === 'action') return t('audit.subject.action', { title: s.title, year: s.year });
	const kind = t(`audit.entities.${e.entity}`);
	return e.entityId ? `${kind} ${e.entityId}` : kind;
}

/** Entries per page: a screenful and more; older ones on request. */
export const PAGE = 100;

/** The audit page's state: the entries read so far (newest first) and the user's name. */
export class AuditModel {
	entries = $state<AuditEntry[] | null>(null);
	error = $state<AppError | null>(null);
	/** Whether older entries may remain (the last page was full). */
	more = $state(false);
	loading = $state(false);

	userName = $state<string | null>(null);
	nameDraft = $state('');
	nameError = $state<AppError | null>(null);
	nameSaved = $state(false);

	async load(): Promise<void> {
		this.entries = null;
		await this.page(null);
	}

	async loadMore(): Promise<void> {
		const last = this.entries?.at(-1);
		if (last) await this.page(last.id);
	}

	private async page(before: number | null): Promise<void> {
		if (this.loading) return;
		this.loading = true;
		const result = await call(commands.auditTrail({ person: null, before, limit: PAGE }));
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.entries = [...(before === null ? [] : (this.entries ?? [])), ...result.data];
		this.more = result.data.length === PAGE;
	}

	async loadUserName(): Promise<void> {
		const result = await call(commands.userName());
		if (result.status === 'ok') {
			this.userName = result.data;
			this.nameDraft = result.data ?? '';
		}
	}

	async saveUserName(): Promise<void> {
		this.nameSaved = false;
		const result = await call(commands.setUserName(this.nameDraft));
		if (result.status === 'error') {
			this.nameError = result.error;
			return;
		}
		this.nameError = null;
		this.userName = result.data;
		this.nameDraft = result.data ?? '';
		this.nameSaved = true;
	}
}

export const audit = new AuditModel();
