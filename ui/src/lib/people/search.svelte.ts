import { commands, type PersonSummary } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';

export type SearchOptions = { delay?: number; limit?: number; includeArchived?: boolean };

/** A debounced type-ahead search over all people of the organisation. */
export class PersonSearch {
	query = $state('');
	results = $state<PersonSummary[]>([]);
	/** Index of the highlighted result, -1 for none. */
	highlighted = $state(-1);
	open = $state(false);
	searching = $state(false);
	error = $state<AppError | null>(null);

	readonly delay: number;
	readonly limit: number;
	readonly includeArchived: boolean;

	private timer: ReturnType<typeof setTimeout> | null = null;
	private request = 0;

	constructor(options: SearchOptions = {}) {
		this.delay = options.delay ?? 150;
		this.limit = options.limit ?? 20;
		this.includeArchived = options.includeArchived ?? false;
	}

	get current(): PersonSummary | undefined {
		return this.highlighted >= 0 ? this.results[this.highlighted] : undefined;
	}

	/** Call on every keystroke; the search runs once typing pauses. */
	setQuery(query: string): void {
		this.query = query;
		this.cancelTimer();
		if (query.trim() === '') {
			this.request++;
			this.results = [];
			this.highlighted = -1;
			this.open = false;
			this.searching = false;
			return;
		}
		this.searching = true;
		this.timer = setTimeout(() => {
			this.timer = null;
			void this.run(query.trim());
		}, this.delay);
	}

	async run(query: string): Promise<void> {
		const request = ++this.request;
		const result = await call(commands.searchPeople(query, this.limit, this.includeArchived));
		if (request !== this.request) return;
		this.searching = false;
		if (result.status === 'error') {
			this.error = result.error;
			this.results = [];
		} else {
			this.error = null;
			this.results = result.data;
		}
		this.highlighted = this.results.length > 0 ? 0 : -1;
		this.open = true;
	}

	/** Moves the highlight by `step`, wrapping around. */
	move(step: number): void {
		const count = this.results.length;
		if (count === 0) return;
		this.open = true;
		this.highlighted = (((this.highlighted + step) % count) + count) % count;
	}

	close(): void {
		this.open = false;
	}

	reset(): void {
		this.cancelTimer();
		this.request++;
		this.query = '';
		this.results = [];
		this.highlighted = -1;
		this.open = false;
		this.searching = false;
	}

	private cancelTimer(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}
}
