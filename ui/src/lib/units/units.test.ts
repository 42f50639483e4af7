import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { UnitNode } from '$lib/bindings';
import { ok } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		unitTree: vi.fn(),
		createUnit: vi.fn(),
		renameUnit: vi.fn(),
		moveUnit: vi.fn(),
		setUnitManager: vi.fn(),
		archiveUnit: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { UnitsState } = await import('./units.svelte');

function node(id: number, name: string, depth: number, parentId: number | null, extra: Partial<UnitNode> = {}): UnitNode {
	return {
		id,
		name,
		parentId,
		depth,
		managerId: null,
		managerName: null,
		headcount: 0,
		totalHeadcount: 0,
		usesGrus: false,
		archived: false,
		...extra
	};
}

const tree: UnitNode[] = [
	node(1, 'Børn og Unge', 0, null),
	node(2, 'Dagtilbud', 1, 1),
	node(3, 'Solsikken', 2, 2),
	node(4, 'Skoler', 1, 1),
	node(5, 'Gammel enhed', 1, 1, { archived: true }),
	node(6, 'Teknik og Miljø', 0, null)
];

describe('UnitsState', () => {
	beforeEach(() => {
		vi.mocked(commands.unitTree).mockReset().mockImplementation(() => ok(tree));
	});

	it('loads the tree and keeps the archived setting', async () => {
		const units = new UnitsState();
		await units.load();
		expect(commands.unitTree).toHaveBeenCalledWith(false);
		expect(units.loaded).toBe(true);
		expect(units.nodes).toHaveLength(6);
		expect(units.active.map((u) => u.id)).toEqual([1, 2, 3, 4, 6]);

		await units.setShowArchived(true);
		expect(commands.unitTree).toHaveBeenLastCalledWith(true);
	});

	it('knows each subtree from the depth-first order', async () => {
		const units = new UnitsState();
		await units.load();
		expect(units.subtreeOf(1)).toEqual([1, 2, 3, 4, 5]);
		expect(units.subtreeOf(2)).toEqual([2, 3]);
		expect(units.subtreeOf(6)).toEqual([6]);
		expect(units.isInside(3, 1)).toBe(true);
		expect(units.isInside(6, 1)).toBe(false);
		expect(units.parentCandidates(2).map((u) => u.id)).toEqual([1, 3, 4, 6]);
	});

	it('returns the core error of a failed action and does not reload', async () => {
		const units = new UnitsState();
		await units.load();
		vi.mocked(commands.moveUnit).mockResolvedValue({ status: 'error', error: { code: 'unitCycle' } });
		const error = await units.move(1, 3);
		expect(error).toEqual({ code: 'unitCycle' });
		expect(commands.unitTree).toHaveBeenCalledTimes(1);
	});

	it('reloads the tree after a successful action', async () => {
		const units = new UnitsState();
		await units.load();
		vi.mocked(commands.createUnit).mockResolvedValue({
			status: 'ok',
			data: { id: 7, name: 'Ny', parentId: 1, managerId: null, managerName: null, usesGrus: false, archived: false }
		});
		const error = await units.create({ name: 'Ny', parentId: 1, managerId: null });
		expect(error).toBeNull();
		expect(commands.createUnit).toHaveBeenCalledWith({ name: 'Ny', parentId: 1, managerId: null });
		expect(commands.unitTree).toHaveBeenCalledTimes(2);
	});

	it('keeps the error when loading fails and survives a rejected invoke', async () => {
		const units = new UnitsState();
		vi.mocked(commands.unitTree).mockResolvedValueOnce({ status: 'error', error: { code: 'storage', params: {} } });
		await units.load();
		expect(units.error?.code).toBe('storage');
		vi.mocked(commands.unitTree).mockRejectedValueOnce(new Error('no IPC'));
		await units.load();
		expect(units.error).toEqual({ code: 'unexpected', params: { detail: 'no IPC' } });
		await units.load();
		expect(units.error).toBeNull();
	});
});
