import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosave } from './talks.svelte';

describe('Autosave', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('saves once after typing pauses, with the latest text', async () => {
		const saved: string[] = [];
		const autosave = new Autosave(300);
		for (const text of ['H', 'He', 'Hej']) {
			autosave.schedule('note', async () => {
				saved.push(text);
				return null;
			});
			await vi.advanceTimersByTimeAsync(100);
		}
		expect(saved).toEqual([]);
		await vi.advanceTimersByTimeAsync(300);
		expect(saved).toEqual(['Hej']);
		expect(autosave.status).toBe('saved');
	});

	it('keeps the pending save of one field when another is typed in', async () => {
		const saved: string[] = [];
		const autosave = new Autosave(300);
		autosave.schedule('a', async () => (saved.push('a'), null));
		autosave.schedule('b', async () => (saved.push('b'), null));
		await autosave.flush();
		expect(saved).toEqual(['a', 'b']);
	});

	it('reports a failed save', async () => {
		const autosave = new Autosave(300);
		autosave.schedule('a', async () => ({ code: 'locked' }));
		await autosave.flush();
		expect(autosave.status).toBe('failed');
		expect(autosave.error).toEqual({ code: 'locked' });
	});

	it('says per field whether it was saved, and why not', async () => {
		const autosave = new Autosave(300);
		autosave.schedule('summary', async () => null);
		autosave.schedule('note-1', async () => ({ code: 'cleared' }));
		await autosave.flush();
		expect(autosave.fields['summary']).toEqual({ status: 'saved', error: null });
		expect(autosave.fields['note-1']).toEqual({ status: 'failed', error: { code: 'cleared' } });
	});
});
