import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Language, TemplateSummary, TemplateVersion } from '$lib/bindings';
import { ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		templates: vi.fn(),
		templateVersion: vi.fn(),
		setUiLanguage: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: GuidesPage } = await import('./GuidesPage.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

function summary(versionId: number, language: Language, builtin = true): TemplateSummary {
	return { id: versionId, versionId, version: 1, kind: 'mus', language, name: `MUS ${language}`, builtin, archived: false, talks: 0 };
}

function version(id: number, language: Language, builtin = true): TemplateVersion {
	return {
		id,
		templateId: id,
		version: 1,
		builtin,
		template: {
			format: 'samtale-guide',
			formatVersion: 1,
			kind: 'mus',
			language,
			name: `MUS ${language}`,
			description: '',
			sections: [
				{
					title: language === 'da' ? 'Det forløbne år' : 'The past year',
					intro: null,
					questions: [{ text: language === 'da' ? 'Hvad gik godt?' : 'What went well?', kind: { type: 'scale', labels: ['1', '5'] }, audience: 'bothPrepare' }]
				}
			]
		}
	};
}

describe('GuidesPage', () => {
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

	const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

	it('opens a read-only preview of a guide and switches a built-in one to another language', async () => {
		vi.mocked(commands.templates).mockReturnValue(ok([summary(1, 'en'), summary(2, 'da'), summary(3, 'en', false)]));
		vi.mocked(commands.templateVersion).mockImplementation((id) => ok(id === 2 ? version(2, 'da') : version(id, 'en', id !== 3)));
		component = mount(GuidesPage, { target });
		await settle();
		target.querySelector<HTMLElement>('[data-testid="preview-guide"]')!.click();
		await settle();
		expect(commands.templateVersion).toHaveBeenCalledWith(1);
		expect(q('guide-preview')?.textContent).toContain('What went well?');
		expect(q('guide-preview')?.querySelector('textarea, input')).toBeNull();
		q('guide-preview-da')!.click();
		await settle();
		expect(commands.templateVersion).toHaveBeenLastCalledWith(2);
		expect(q('guide-preview')?.textContent).toContain('Hvad gik godt?');
		expect(q('guide-preview-da')?.getAttribute('aria-pressed')).toBe('true');
	});

	it('offers an organisation’s own guide in its own language only', async () => {
		vi.mocked(commands.templates).mockReturnValue(ok([summary(1, 'en'), summary(2, 'da'), summary(3, 'en', false)]));
		vi.mocked(commands.templateVersion).mockReturnValue(ok(version(3, 'en', false)));
		component = mount(GuidesPage, { target });
		await settle();
		target.querySelectorAll<HTMLElement>('[data-testid="preview-guide"]')[2]!.click();
		await settle();
		expect(q('guide-preview')).not.toBeNull();
		expect(q('guide-preview-da')).toBeNull();
	});
});
