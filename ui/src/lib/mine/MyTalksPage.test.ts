import { mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OwnTalkDetail, OwnTalkSummary, PublicIdentity } from '$lib/bindings';
import { byTestId, ok, settle } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		ownTalks: vi.fn(),
		ownTalk: vi.fn(),
		exchangeIdentity: vi.fn(),
		openExchange: vi.fn(),
		openExchangeConfirmingKey: vi.fn(),
		saveOwnAnswer: vi.fn(),
		shareOwnAnswer: vi.fn(),
		writePreparationExchange: vi.fn(),
		writeOwnExchange: vi.fn(),
		setOwnActionStatus: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { default: MyTalksPage } = await import('./MyTalksPage.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

const fail = <E>(error: E) => Promise.resolve({ status: 'error' as const, error });

const identity: PublicIdentity = {
	fingerprint: 'ABCD EFGH JKLM NPQR',
	agePublic: 'age1test',
	signPublic: 'sign',
	createdAt: '2026-12-01T09:00:00Z'
};

const summary: OwnTalkSummary = {
	id: 7,
	kind: 'mus',
	startsAt: '2026-12-14T09:00:00Z',
	durationMinutes: 60,
	place: 'Room 2',
	managerName: 'Mads Leder',
	managerKey: 'WXYZ 2345 6789 ABCD',
	cancelled: false,
	preparationSentAt: null
};

const detail: OwnTalkDetail = {
	talk: summary,
	guideVersion: 1,
	ics: '',
	answers: [],
	agreement: null,
	guide: {
		name: 'MUS',
		kind: 'mus',
		language: 'en',
		sections: [
			{
				title: 'Your year',
				intro: null,
				questions: [
					{ text: 'What went well?', kind: { type: 'freeText' }, audience: 'bothPrepare' },
					{ text: 'Leader only', kind: { type: 'freeText' }, audience: 'leaderOnly' },
					{ text: 'What do you want to learn?', kind: { type: 'freeText' }, audience: 'bothPrepare' }
				]
			}
		]
	} as unknown as OwnTalkDetail['guide']
};

let page: ReturnType<typeof mount> | null = null;

beforeEach(() => {
	applyLanguage('en');
	vi.mocked(commands.ownTalks).mockImplementation(() => ok([summary]));
	vi.mocked(commands.exchangeIdentity).mockImplementation(() => ok(identity));
	vi.mocked(commands.ownTalk).mockImplementation(() => ok(structuredClone(detail)));
	vi.mocked(commands.saveOwnAnswer).mockImplementation(() => ok(null));
	vi.mocked(commands.shareOwnAnswer).mockImplementation(() => ok(null));
});

afterEach(() => {
	if (page) unmount(page);
	page = null;
	document.body.innerHTML = '';
	vi.clearAllMocks();
});

async function show() {
	page = mount(MyTalksPage, { target: document.body });
	await settle();
}

describe('My talks', () => {
	it('says what to do when no invitation has been opened, and shows this computer’s key', async () => {
		vi.mocked(commands.ownTalks).mockImplementation(() => ok([]));
		await show();
		expect(byTestId('mine-empty')?.textContent).toContain('Open a file');
		expect(byTestId('own-fingerprint')?.textContent).toContain('ABCD EFGH JKLM NPQR');
	});

	it('offers to confirm a sender’s changed key, and opens the file again only when asked', async () => {
		vi.mocked(commands.openExchange).mockImplementation(() =>
			fail({ code: 'keyChanged', params: { known: 'OLD1 OLD2', found: 'NEW1 NEW2' } })
		);
		vi.mocked(commands.openExchangeConfirmingKey).mockImplementation(() =>
			ok({ kind: 'invitation', from: 'NEW1 NEW2', alreadyOpened: false, newKey: false, ownTalk: 7, talk: null })
		);
		await show();
		byTestId('open-exchange')?.click();
		await settle();
		expect(byTestId('exchange-error')?.textContent).toContain('NEW1 NEW2');
		expect(commands.openExchangeConfirmingKey).not.toHaveBeenCalled();
		byTestId('exchange-confirm-key')?.click();
		await settle();
		expect(commands.openExchangeConfirmingKey).toHaveBeenCalledTimes(1);
		expect(byTestId('exchange-error')).toBeNull();
		expect(byTestId('own-talk-page')).not.toBeNull();
	});

	it('says why a file was refused, in the person’s language', async () => {
		vi.mocked(commands.openExchange).mockImplementation(() => fail({ code: 'exchange', params: { problem: 'altered' } }));
		applyLanguage('da');
		await show();
		byTestId('open-exchange')?.click();
		await settle();
		expect(byTestId('exchange-error')?.textContent).toContain('Filen blev ikke åbnet');
		expect(byTestId('exchange-confirm-key')).toBeNull();
	});

	it('asks the employee only the questions both parties prepare, and shares an answer only when ticked', async () => {
		await show();
		byTestId('open-own-talk')?.click();
		await settle();
		expect(byTestId('own-0-0')).not.toBeNull();
		expect(byTestId('own-0-1')).toBeNull();
		expect(byTestId('own-0-2')).not.toBeNull();
		const field = byTestId('own-0-0') as HTMLTextAreaElement;
		field.value = 'A good year';
		field.dispatchEvent(new Event('input', { bubbles: true }));
		field.dispatchEvent(new Event('blur'));
		await settle();
		expect(commands.saveOwnAnswer).toHaveBeenCalledWith(7, { section: 0, question: 0, text: 'A good year', value: null });
		expect(commands.shareOwnAnswer).not.toHaveBeenCalled();
		(byTestId('own-share-0-0') as HTMLInputElement).click();
		await settle();
		expect(commands.shareOwnAnswer).toHaveBeenCalledWith(7, { section: 0, question: 0 }, true);
	});

	it('confirms the agreement, or sends a disagreement with its text, as a file for the manager', async () => {
		vi.mocked(commands.ownTalk).mockImplementation(() =>
			ok({
				...structuredClone(detail),
				agreement: {
					summary: 'A course in conflict handling in the spring.',
					recordedDisagreement: null,
					actions: [],
					hash: 'h',
					writtenAt: '2026-12-14T10:00:00Z',
					receivedAt: '2026-12-14T11:00:00Z',
					confirmedAt: null,
					disagreement: null,
					answeredAt: null
				}
			} as unknown as OwnTalkDetail)
		);
		vi.mocked(commands.writeOwnExchange).mockImplementation(() => ok({ path: '/tmp/c.samtale', bytes: 900 }));
		await show();
		byTestId('open-own-talk')?.click();
		await settle();
		expect(byTestId('own-agreement-summary')?.textContent).toContain('conflict handling');
		byTestId('confirm-agreement')?.click();
		await settle();
		expect(commands.writeOwnExchange).toHaveBeenCalledWith(7, false, null, 'Save the confirmation file');
		expect(byTestId('answer-written')?.textContent).toContain('/tmp/c.samtale');
		const why = byTestId('disagree-text') as HTMLTextAreaElement;
		why.value = 'The course is not what we agreed';
		why.dispatchEvent(new Event('input', { bubbles: true }));
		byTestId('send-disagreement')?.click();
		await settle();
		expect(commands.writeOwnExchange).toHaveBeenLastCalledWith(7, false, 'The course is not what we agreed', 'Save the confirmation file');
	});
});
