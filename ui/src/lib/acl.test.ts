// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Tauri refuses a command the window's capability does not allow ("not allowed by ACL"), and
// only at run time: every command the bindings can invoke must be in the app manifest
// (src-tauri/build.rs) and granted in capabilities/default.json.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');

const invoked = [...read('ui/src/lib/bindings.ts').matchAll(/__TAURI_INVOKE(?:<[^>(]*>)?\("([a-z_]+)"/g)]
	.map((m) => m[1]!)
	.sort();

describe('command permissions', () => {
	it('lists every command of the bindings in the app manifest', () => {
		const manifest = read('src-tauri/build.rs');
		const listed = [...manifest.matchAll(/^\s+"([a-z_]+)",$/gm)].map((m) => m[1]!).sort();
		expect(listed).toEqual(invoked);
	});

	it('grants the main window exactly the app’s own commands: no core API, no plugin', () => {
		const capability = JSON.parse(read('src-tauri/capabilities/default.json')) as {
			permissions: string[];
		};
		const granted = [...capability.permissions].sort();
		expect(granted).toEqual(invoked.map((c) => `allow-${c.replaceAll('_', '-')}`).sort());
	});
});
