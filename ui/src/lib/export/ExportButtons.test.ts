import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		exportFile: vi.fn(),
		setUiLanguage: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: ExportButtons } = await import('./ExportButtons.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

describe('ExportButtons', () => {
	let target: HTMLElement;
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(async () => {
		vi.mocked(commands.setUiLanguage).mockReturnValue(ok(null));
		await applyLanguage('en');
		target = document.createElement('div');
		document.body.append(target);
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		target.remove();
		vi.clearAllMocks();
	});

	function show(request: unknown = { what: 'unitPlan', unitId: 4, year: 2026 }) {
		component = mount(ExportButtons, {
			target,
			props: { request, formats: ['pdf', 'xlsx', 'csv'], label: 'Export the plan', testid: 'plan-export' }
		} as never);
		flushSync();
	}

	const button = (format: string) =>
		target.querySelector<HTMLButtonElement>(`[data-testid="plan-export-${format}"]`)!;

	it('asks the core for the file in the UI language and says where it was saved', async () => {
		let answer: (v: unknown) => void = () => {};
		vi.mocked(commands.exportFile).mockReturnValue(new Promise((r) => (answer = r)) as never);
		show();
		button('xlsx').click();
		flushSync();
		expect(commands.exportFile).toHaveBeenCalledWith(
			{ what: 'unitPlan', unitId: 4, year: 2026 },
			'xlsx',
			'en',
			'Save the export'
		);
		expect(target.querySelector('[data-testid="plan-export-running"]')?.textContent).toContain('Making the file');
		expect(button('pdf').disabled).toBe(true);
		answer({ status: 'ok', data: { path: '/home/anne/Downloads/Action-plan-2026.xlsx', bytes: 9000 } });
		await settle();
		expect(target.querySelector('[data-testid="plan-export-saved"]')?.textContent).toContain(
			'Saved Action-plan-2026.xlsx'
		);
		expect(button('pdf').disabled).toBe(false);
	});

	it('says nothing when the user closes the dialog, and translates an error', async () => {
		vi.mocked(commands.exportFile).mockReturnValueOnce(ok(null) as never);
		show();
		button('pdf').click();
		await settle();
		expect(target.querySelector('[data-testid="plan-export-saved"]')).toBeNull();
		expect(target.querySelector('[data-testid="plan-export-error"]')).toBeNull();
		vi.mocked(commands.exportFile).mockReturnValueOnce(
			fail({ code: 'export', params: { problem: 'noData' } }) as never
		);
		button('csv').click();
		await settle();
		expect(target.querySelector('[data-testid="plan-export-error"]')?.textContent).toBe(
			'The file could not be made. There is nothing to export for that year.'
		);
	});

	it('is disabled without something to export', () => {
		show(null);
		expect(button('pdf').disabled).toBe(true);
	});
});
