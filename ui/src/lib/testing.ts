/** What the component tests share: the bindings' results, waiting for the UI to settle, and
 * finding an element by its test id. Only tests import this. */
import { flushSync, tick } from 'svelte';
import type { AppState } from '$lib/bindings';

/** A command's successful result, as the generated bindings return it. */
export const ok = <T>(data: T) => Promise.resolve({ status: 'ok' as const, data });

/** Lets the mocked commands resolve and the effects they start run, then renders. */
export async function settle(): Promise<void> {
	for (let i = 0; i < 6; i++) {
		await tick();
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
	flushSync();
}

export const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

/** The state at start of an open store set up earlier, with no organisation; `over` sets the rest. */
export const appState = (over: Partial<AppState> = {}): AppState => ({
	organisation: null,
	uiLanguage: null,
	storeError: null,
	lock: null,
	recoveryKey: null,
	keyMode: null,
	keyNotKept: false,
	purged: null,
	purgeError: null,
	ownTalks: 0,
	...over
});
