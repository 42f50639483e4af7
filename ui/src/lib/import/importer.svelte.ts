import {
	commands,
	type ChosenFile,
	type Delimiter,
	type Encoding,
	type ImportField,
	type ImportNotice,
	type ImportOptions,
	type ImportPreview,
	type ImportProblem,
	type ImportProgress,
	type ReadOptions,
	type RowProblem,
	type UnitId,
	type UnitNode
} from '$lib/bindings';
import { app } from '$lib/app.svelte';
import { call, errorMessage, toAppError, type AppError } from '$lib/errors';
import { formatNumber, t } from '$lib/i18n/i18n.svelte';
import { people } from '$lib/people/people.svelte';
import { units } from '$lib/units/units.svelte';

/** Every field a column can be imported as, in the order the mapping select offers them. */
export const importFields = [
	'employeeNumber',
	'name',
	'givenName',
	'familyName',
	'unit',
	'unitPath',
	'parentUnit',
	'jobTitle',
	'jobFamily',
	'gender',
	'startDate',
	'endDate',
	'email',
	'hours',
	'nationalId'
] as const satisfies readonly ImportField[];

export const encodings = ['utf8', 'windows1252', 'utf16Le', 'utf16Be'] as const satisfies readonly Encoding[];
export const delimiters = ['semicolon', 'comma', 'tab'] as const satisfies readonly Delimiter[];

// Compile-time guards: a new ImportField, Encoding or Delimiter in the core breaks `npm run check`
// until it is listed above (and the i18n test then demands its label).
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const fieldsComplete: Missing<ImportField, (typeof importFields)[number]> = true;
const encodingsComplete: Missing<Encoding, (typeof encodings)[number]> = true;
const delimitersComplete: Missing<Delimiter, (typeof delimiters)[number]> = true;
void fieldsComplete;
void encodingsComplete;
void delimitersComplete;

/** The changes and problems the page lists at most; the counts always cover every row. */
export const LIST_LIMIT = 500;

// ---------------------------------------------------------------------------------------------
// Words

export function importFieldLabel(field: ImportField): string {
	return t(`importPeople.fields.${field}`);
}

export function encodingLabel(encoding: Encoding): string {
	return t(`importPeople.encodings.${encoding}`);
}

export function delimiterLabel(delimiter: Delimiter): string {
	return t(`importPeople.delimiters.${delimiter}`);
}

/**
 * What the core found no column for, e.g. "Employee number, Name". The name and the unit have
 * short labels of their own: either of two ways to give them is fine (see `missingHint`).
 */
export function missingText(missing: readonly ImportField[]): string {
	const short = ['employeeNumber', 'name', 'unit'];
	const labels = missing.map((field) =>
		short.includes(field) ? t(`importPeople.missingFields.${field}`) : importFieldLabel(field)
	);
	return t('importPeople.mapping.missing', { fields: labels.join(', ') });
}

export function noticeText(notice: ImportNotice): string {
	return t(`importPeople.notices.${notice.kind}`, { column: notice.column });
}

/** Why a row is left out, in the user's language. */
export function problemReason(problem: ImportProblem): string {
	switch (problem.kind) {
		case 'ragged':
			return t('importPeople.problems.ragged', {
				found: problem.found,
				expected: formatNumber(problem.expected)
			});
		case 'unbalancedQuote':
		case 'unreadable':
			return t(`importPeople.problems.${problem.kind}`);
		case 'duplicateEmployeeNumber':
			return t('importPeople.problems.duplicateEmployeeNumber', {
				number: problem.number,
				firstLine: formatNumber(problem.firstLine)
			});
		case 'rejected':
			return errorMessage(problem.error);
		default: {
			const kind = (problem as { kind?: unknown }).kind;
			return t('errors.unexpected', { detail: String(kind ?? '') });
		}
	}
}

/** "Line 7: Employee number 1042 is also on line 3." */
export function problemText(row: RowProblem): string {
	return t('importPeople.problems.line', {
		line: formatNumber(row.line),
		reason: problemReason(row.problem)
	});
}

/** The file's size as a person reads it ("84 kB", "2,4 MB"). */
export function fileSize(bytes: number, locale: string): string {
	const [value, unit] =
		bytes >= 1_000_000 ? [bytes / 1_000_000, 'megabyte'] : [Math.max(bytes, 1) / 1000, 'kilobyte'];
	return new Intl.NumberFormat(locale, {
		style: 'unit',
		unit,
		maximumFractionDigits: value < 10 ? 1 : 0
	}).format(value);
}

// ---------------------------------------------------------------------------------------------
// Reading the preview

function unitKey(name: string): string {
	return name.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

/**
 * The unit a change's unit path ("Børn og Unge / Dagplejen") names: the active unit whose own
 * path ends with it. Null when there is none (e.g. the tree is not loaded).
 */
export function unitByPath(nodes: readonly UnitNode[], path: string): UnitId | null {
	const wanted = path.split(/\s*[/>]\s*/).map(unitKey).filter(Boolean);
	const last = wanted[wanted.length - 1];
	if (!last) return null;
	const pathOf = (node: UnitNode): string[] => {
		const names: string[] = [];
		let at: UnitNode | undefined = node;
		while (at && names.length <= nodes.length) {
			names.unshift(unitKey(at.name));
			const parent: UnitId | null = at.parentId;
			at = parent == null ? undefined : nodes.find((n) => n.id === parent);
		}
		return names;
	};
	const candidates = nodes.filter((node) => !node.archived && unitKey(node.name) === last);
	const exact = candidates.find((node) => {
		const own = pathOf(node);
		const offset = own.length - wanted.length;
		return offset >= 0 && wanted.every((name, i) => own[offset + i] === name);
	});
	return (exact ?? candidates[0])?.id ?? null;
}

// ---------------------------------------------------------------------------------------------
// The import

export type Running = 'check' | 'apply';

const detectAll: ReadOptions = { encoding: null, delimiter: null, sheet: null };

/**
 * The import screen: the chosen file, how to read and map it, the dry run's preview, the run in
 * progress (polled) and the apply. Every change of an option runs the dry run again; the apply
 * is offered only for a preview made with the options as they are.
 */
export class Importer {
	file = $state<ChosenFile | null>(null);
	read = $state<ReadOptions>({ ...detectAll });
	/** The user's mapping; null until they change a column (the core's remembered or guessed one). */
	mapping = $state<(ImportField | null)[] | null>(null);
	full = $state(false);
	/** The last dry run's answer. Kept when a later run fails or is stopped. */
	preview = $state.raw<ImportPreview | null>(null);
	/** Whether `preview` was made with the current file and options. */
	fresh = $state(false);
	/** What the apply did, once it did. */
	result = $state.raw<ImportPreview | null>(null);
	error = $state<AppError | null>(null);
	running = $state<Running | null>(null);
	progress = $state<ImportProgress | null>(null);
	choosing = $state(false);

	readonly pollMs: number;
	private timer: ReturnType<typeof setTimeout> | null = null;
	/** Incremented by every run: an answer for an older run is dropped. */
	private request = 0;

	constructor(options: { pollMs?: number } = {}) {
		this.pollMs = options.pollMs ?? 150;
	}

	/** The mapping as the table shows it: the user's, else the one the last dry run used. */
	get columns(): (ImportField | null)[] {
		return this.mapping ?? this.preview?.mapping ?? [];
	}

	/** The fields a person needs that no column gives: until they are mapped, nothing is checked. */
	get missing(): ImportField[] {
		return this.preview?.missing ?? [];
	}

	/** People the apply would create or update. */
	get toImport(): number {
		return this.preview ? this.preview.created + this.preview.updated : 0;
	}

	get canApply(): boolean {
		const preview = this.preview;
		return (
			preview !== null &&
			this.file !== null &&
			this.fresh &&
			this.running === null &&
			this.missing.length === 0 &&
			preview.created + preview.updated + preview.archived > 0
		);
	}

	/** The options as the core takes them. */
	options(): ImportOptions {
		return {
			read: { ...this.read },
			mapping: this.mapping ? [...this.mapping] : null,
			full: this.full
		};
	}

	/** Opens the system's file dialog; a chosen file is read and checked right away. */
	async choose(): Promise<void> {
		if (this.choosing || this.running === 'apply') return;
		this.choosing = true;
		const result = await call(commands.chooseImportFile(t('importPeople.dialogTitle')));
		this.choosing = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		if (!result.data) return;
		this.file = result.data;
		this.read = { ...detectAll };
		this.mapping = null;
		this.full = false;
		this.preview = null;
		this.fresh = false;
		this.result = null;
		this.error = null;
		await this.check();
	}

	/** The dry run with the current options; a dry run still running is stopped first. */
	async check(): Promise<void> {
		if (!this.file || this.running === 'apply') return;
		const request = ++this.request;
		if (this.running === 'check') await this.stop();
		if (request !== this.request) return;
		this.fresh = false;
		this.error = null;
		this.begin('check', request);
		const result = await call(commands.importPeople(this.options(), false));
		if (request !== this.request) return;
		this.end();
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.preview = result.data;
		this.fresh = true;
	}

	setEncoding(encoding: Encoding | null): Promise<void> {
		return this.reread({ ...this.read, encoding });
	}

	setDelimiter(delimiter: Delimiter | null): Promise<void> {
		return this.reread({ ...this.read, delimiter });
	}

	setSheet(sheet: string | null): Promise<void> {
		return this.reread({ ...this.read, sheet });
	}

	/** Sets what one column holds. A field is read from one column only: another column that had it is cleared. */
	setField(column: number, field: ImportField | null): Promise<void> {
		const next = this.columns.map((current, i) =>
			i === column ? field : field !== null && current === field ? null : current
		);
		this.mapping = next;
		return this.check();
	}

	setFull(full: boolean): Promise<void> {
		this.full = full;
		return this.check();
	}

	/** Imports with the options the preview was made with. */
	async apply(): Promise<boolean> {
		if (!this.canApply || !this.preview) return false;
		const options: ImportOptions = { ...this.options(), mapping: [...this.columns] };
		const request = ++this.request;
		this.error = null;
		this.begin('apply', request);
		const result = await call(commands.importPeople(options, true));
		if (request !== this.request) return false;
		this.end();
		if (result.status === 'error') {
			this.error = result.error;
			return false;
		}
		this.result = result.data;
		// The People and Units pages read these caches: show the new units and people there.
		await units.load();
		await Promise.all([people.loadPeople(), people.loadJobFamilies()]);
		return true;
	}

	/** Asks the running dry run or apply to stop; it then ends with the `cancelled` error. */
	async cancel(): Promise<void> {
		if (!this.running) return;
		await this.stop();
	}

	/** The People page, showing the unit of the first person the import added. */
	showPeople(): void {
		const changes = this.result?.changes ?? [];
		const first = changes.find((change) => change.change === 'create') ?? changes[0];
		const unitId = first ? unitByPath(units.nodes, first.unit) : null;
		if (unitId != null && unitId !== people.unitId) {
			people.close();
			people.unitId = unitId;
		}
		app.navigate('people');
	}

	/** The page is gone: a dry run is no longer wanted. An apply runs to its end. */
	dispose(): void {
		if (this.running !== 'check') return;
		this.request++;
		this.end();
		void this.stop();
	}

	/** The words under the progress bar. */
	get progressText(): string {
		const progress = this.progress;
		const values = progress
			? { done: formatNumber(progress.done), total: formatNumber(progress.total) }
			: undefined;
		switch (progress?.stage) {
			case 'checking':
				return t('importPeople.progress.checking', values);
			case 'writing':
				return t('importPeople.progress.writing', values);
			default:
				return t('importPeople.progress.reading');
		}
	}

	private reread(read: ReadOptions): Promise<void> {
		this.read = read;
		// Another encoding, separator or sheet can give other columns: map them afresh.
		this.mapping = null;
		return this.check();
	}

	private async stop(): Promise<void> {
		try {
			await commands.cancelImport();
		} catch (thrown) {
			this.error = toAppError(thrown);
		}
	}

	private begin(kind: Running, request: number): void {
		this.stopPolling();
		this.running = kind;
		this.progress = null;
		this.schedulePoll(request);
	}

	private end(): void {
		this.stopPolling();
		this.running = null;
		this.progress = null;
	}

	private schedulePoll(request: number): void {
		this.timer = setTimeout(() => {
			this.timer = null;
			void this.poll(request);
		}, this.pollMs);
	}

	private async poll(request: number): Promise<void> {
		try {
			const progress = await commands.importProgress();
			// Idle is before the run starts or after it ended: keep the last numbers.
			if (request === this.request && this.running && progress.stage !== 'idle') {
				this.progress = progress;
			}
		} catch {
			// The next poll tries again; the run itself reports its own failure.
		}
		if (request === this.request && this.running && this.timer === null) this.schedulePoll(request);
	}

	private stopPolling(): void {
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
	}
}
