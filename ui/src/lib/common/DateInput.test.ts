import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Language } from '$lib/bindings';
import { formatInputDate, parseInputDate } from './dates';

const { default: DateInput } = await import('./DateInput.svelte');
const { applyLanguage } = await import('$lib/i18n/i18n.svelte');

const cases: [Language, string, string][] = [
	['da', '05.12.2026', 'dd.mm.åååå'],
	['nb', '05.12.2026', 'dd.mm.åååå'],
	['sv', '2026-12-05', 'åååå-mm-dd'],
	['en', '2026-12-05', 'yyyy-mm-dd']
];

describe('dates', () => {
	it.each(cases)('%s writes the 5th of December 2026 as %s', (language, shown) => {
		expect(formatInputDate('2026-12-05', language)).toBe(shown);
		expect(parseInputDate(shown, language)).toBe('2026-12-05');
	});

	it.each(cases)('%s reads ISO as typed, and an empty field as no date', (language) => {
		expect(parseInputDate('2026-12-05', language)).toBe('2026-12-05');
		expect(parseInputDate('  ', language)).toBe('');
		expect(formatInputDate(null, language)).toBe('');
	});

	it('forgives one-digit days and months and other separators in day-first languages', () => {
		expect(parseInputDate('5.2.2027', 'da')).toBe('2027-02-05');
		expect(parseInputDate('5/2/2027', 'nb')).toBe('2027-02-05');
	});

	it('refuses dates that do not exist and orders it does not use', () => {
		expect(parseInputDate('31.02.2027', 'da')).toBeNull();
		expect(parseInputDate('2027-13-01', 'sv')).toBeNull();
		expect(parseInputDate('05.12.2026', 'en')).toBeNull();
		expect(parseInputDate('12/05/2026', 'en')).toBeNull();
		expect(parseInputDate('tomorrow', 'da')).toBeNull();
	});
});

describe('DateInput', () => {
	let component: ReturnType<typeof mount> | null = null;
	let value: string | null = '';

	afterEach(() => {
		if (component) unmount(component);
		component = null;
		document.body.replaceChildren();
	});

	function show(initial: string) {
		value = initial;
		component = mount(DateInput, {
			target: document.body,
			props: {
				get value() {
					return value;
				},
				set value(v: string | null) {
					value = v;
				},
				testid: 'day'
			}
		} as never);
		flushSync();
		return document.querySelector<HTMLInputElement>('[data-testid="day"]')!;
	}

	function type(input: HTMLInputElement, text: string) {
		input.value = text;
		input.dispatchEvent(new Event('input', { bubbles: true }));
		input.dispatchEvent(new Event('change', { bubbles: true }));
		flushSync();
	}

	it.each(cases)('in %s shows a stored date as %s and hints %s', (language, shown, pattern) => {
		applyLanguage(language);
		const input = show('2026-12-05');
		expect(input.value).toBe(shown);
		expect(input.type).toBe('text');
		expect(input.placeholder).toBe(pattern);
	});

	it.each(cases)('in %s leaves an empty field empty', (language) => {
		applyLanguage(language);
		const input = show('');
		expect(input.value).toBe('');
	});

	it.each(cases)('in %s binds what is typed as an ISO date', (language, shown) => {
		applyLanguage(language);
		const input = show('');
		type(input, shown);
		expect(value).toBe('2026-12-05');
		expect(document.querySelector('[data-testid="day-invalid"]')).toBeNull();
	});

	it('says beside the field, in the app language, how to write a date it cannot read', () => {
		applyLanguage('da');
		const input = show('');
		type(input, '31.02.2027');
		expect(document.querySelector('[data-testid="day-invalid"]')?.textContent).toContain(
			'Skriv datoen som dd.mm.åååå.'
		);
		expect(input.getAttribute('aria-invalid')).toBe('true');
	});
});
