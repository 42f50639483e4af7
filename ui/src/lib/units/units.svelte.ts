import { commands, type PersonId, type UnitId, type UnitInput, type UnitNode } from '$lib/bindings';
import { call, type AppError, type Result } from '$lib/errors';

/** The unit tree and every action on units. Actions return the error to show, or null. */
export class UnitsState {
	nodes = $state<UnitNode[]>([]);
	showArchived = $state(false);
	loading = $state(false);
	loaded = $state(false);
	error = $state<AppError | null>(null);

	/** The units one can place people and units in, still in tree order. */
	active = $derived(this.nodes.filter((node) => !node.archived));

	private request = 0;

	async load(): Promise<void> {
		const request = ++this.request;
		this.loading = true;
		const result = await call(commands.unitTree(this.showArchived));
		if (request !== this.request) return;
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.nodes = result.data;
		this.loaded = true;
	}

	async setShowArchived(show: boolean): Promise<void> {
		this.showArchived = show;
		await this.load();
	}

	byId(id: UnitId | null | undefined): UnitNode | undefined {
		return id == null ? undefined : this.nodes.find((node) => node.id === id);
	}

	/** The unit and everything below it (the nodes come depth-first). */
	subtreeOf(id: UnitId): UnitId[] {
		const start = this.nodes.findIndex((node) => node.id === id);
		const root = this.nodes[start];
		if (!root) return [];
		const ids = [root.id];
		for (const node of this.nodes.slice(start + 1)) {
			if (node.depth <= root.depth) break;
			ids.push(node.id);
		}
		return ids;
	}

	/**
	 * Units offered as the new parent of `id`: every active unit but the unit itself.
	 * Its own sub-units stay in the list on purpose: the core decides, and its
	 * `unitCycle` error explains to the user why that move is not possible.
	 */
	parentCandidates(id: UnitId | null): UnitNode[] {
		return this.active.filter((node) => node.id !== id);
	}

	/** Whether `candidate` lies inside the subtree of `id` (moving there would be a cycle). */
	isInside(candidate: UnitId, id: UnitId): boolean {
		return this.subtreeOf(id).includes(candidate);
	}

	create(input: UnitInput): Promise<AppError | null> {
		return this.run(commands.createUnit(input));
	}

	rename(id: UnitId, name: string): Promise<AppError | null> {
		return this.run(commands.renameUnit(id, name));
	}

	move(id: UnitId, parentId: UnitId | null): Promise<AppError | null> {
		return this.run(commands.moveUnit(id, parentId));
	}

	setManager(id: UnitId, managerId: PersonId | null): Promise<AppError | null> {
		return this.run(commands.setUnitManager(id, managerId));
	}

	archive(id: UnitId): Promise<AppError | null> {
		return this.run(commands.archiveUnit(id));
	}

	private async run<T>(pending: Promise<Result<T, AppError>>): Promise<AppError | null> {
		const result = await call(pending);
		if (result.status === 'error') return result.error;
		await this.load();
		return null;
	}
}

/** Shared by the Units and People pages (the People page picks units from it). */
export const units = new UnitsState();
