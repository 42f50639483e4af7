import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '$lib/bindings';
import { byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		auditTrail: vi.fn(),
		userName: vi.fn(),
		setUserName: vi.fn(),
		exportFile: vi.fn(),
		setUiLanguage: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: AuditPage } = await import('./AuditPage.svelte');
const { PAGE } = await import('./audit.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

function entry(id: number, over: Partial<AuditEntry> = {}): AuditEntry {
	return {
		id,
		at: '2026-11-23T09:30:00Z',
		actor: 'Mette Holm',
		action: 'talkStepped',
		entity: 'talk',
		entityId: 12,
		personId: 4,
		personName: 'Anne Hansen',
		detail: 'planned → invited',
		subject: { type: 'talk', talkKind: 'mus', with: ['Anne Hansen'], year: 2026 },
		...over
	};
}

const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

describe('AuditPage', () => {
	let component: ReturnType<typeof mount> | null = null;

	beforeEach(async () => {
		await applyLanguage('en');
		vi.mocked(commands.userName).mockReset().mockReturnValue(ok('Mette Holm'));
		vi.mocked(commands.auditTrail).mockReset();
		vi.mocked(commands.setUserName).mockReset();
	});

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.innerHTML = '';
	});

	it('says what the trail is for when nothing has been changed yet', async () => {
		vi.mocked(commands.auditTrail).mockReturnValue(ok([]));
		component = mount(AuditPage, { target: document.body });
		await settle();
		expect(byTestId('audit-empty')?.textContent).toContain('Nothing has been changed yet');
		expect((byTestId('audit-user-name') as HTMLInputElement).value).toBe('Mette Holm');
	});

	it('lists entries in words, newest first, and pages to older ones', async () => {
		const first = Array.from({ length: PAGE }, (_, i) => entry(1000 - i));
		vi.mocked(commands.auditTrail)
			.mockReturnValueOnce(ok(first))
			.mockReturnValueOnce(ok([entry(5, { action: 'personCreated', entity: 'person', entityId: 7, detail: '', subject: null })]));
		component = mount(AuditPage, { target: document.body });
		await settle();
		expect(all('audit-row')).toHaveLength(PAGE);
		const newest = all('audit-row')[0]?.textContent ?? '';
		expect(newest).toContain('Talk moved to another stage');
		expect(newest).toContain('Anne Hansen');
		expect(newest).toContain('planned → invited');
		expect(all('audit-record')[0]?.textContent).toBe('MUS with Anne Hansen, 2026');
		byTestId('audit-more')?.click();
		await settle();
		expect(commands.auditTrail).toHaveBeenLastCalledWith({ person: null, before: 901, limit: PAGE });
		expect(all('audit-row')).toHaveLength(PAGE + 1);
		expect(all('audit-row').at(-1)?.textContent).toContain('Person added');
		expect(all('audit-record').at(-1)?.textContent).toBe('Person 7');
		expect(byTestId('audit-more')).toBeNull();
	});

	it('saves the name the user is recorded under, and says why a name is refused', async () => {
		vi.mocked(commands.auditTrail).mockReturnValue(ok([]));
		vi.mocked(commands.setUserName)
			.mockReturnValueOnce(fail({ code: 'tooLong', params: { field: 'userName', max: 200 } }) as never)
			.mockReturnValueOnce(ok('Jens Dahl'));
		component = mount(AuditPage, { target: document.body });
		await settle();
		const input = byTestId('audit-user-name') as HTMLInputElement;
		input.value = 'x'.repeat(201);
		input.dispatchEvent(new Event('input', { bubbles: true }));
		byTestId('audit-user-save')?.click();
		await settle();
		expect(byTestId('audit-user-error')?.textContent).toBe(
			'Your name can be at most 200 characters long.'
		);
		input.value = ' Jens Dahl ';
		input.dispatchEvent(new Event('input', { bubbles: true }));
		byTestId('audit-user-save')?.click();
		await settle();
		expect(commands.setUserName).toHaveBeenLastCalledWith(' Jens Dahl ');
		expect(byTestId('audit-user-saved')).not.toBeNull();
		expect(input.value).toBe('Jens Dahl');
	});

	it('names an action by its title and year', async () => {
		vi.mocked(commands.auditTrail).mockReturnValue(
			ok([entry(3, { action: 'actionCreated', entity: 'action', subject: { type: 'action', title: 'Kursus i dokumentation', year: 2026 } })])
		);
		component = mount(AuditPage, { target: document.body });
		await settle();
		expect(all('audit-record')[0]?.textContent).toBe('Action “Kursus i dokumentation”, 2026');
	});
});
