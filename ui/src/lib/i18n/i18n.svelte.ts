import { addMessages, format, init, locale } from 'svelte-i18n';
import { get } from 'svelte/store';
import type { Language } from '$lib/bindings';
import { formatInputDate } from '$lib/common/dates';
import da from './da.json';
import en from './en.json';
import nb from './nb.json';
import sv from './sv.json';

/** The UI languages, in the order the language switch lists them. */
export const languages = ['da', 'sv', 'nb', 'en'] as const satisfies readonly Language[];

/** Each language's own name, never translated (a user must find their language). */
export const languageNames: Record<Language, string> = {
	da: 'Dansk',
	sv: 'Svenska',
	nb: 'Norsk bokmål',
	en: 'English'
};

/** The locale used with Intl for dates and numbers. */
export const intlLocales: Record<Language, string> = {
	da: 'da-DK',
	sv: 'sv-SE',
	nb: 'nb-NO',
	en: 'en-GB'
};

export const catalogues: Record<Language, Record<string, unknown>> = { da, sv, nb, en };

for (const language of languages) {
	addMessages(language, catalogues[language] as Parameters<typeof addMessages>[1]);
}
init({ fallbackLocale: 'en', initialLocale: 'en' });

// Mirrors svelte-i18n's locale store as a rune so that plain functions
// (t, errorMessage, formatDate) re-run in templates when the language changes.
const current = $state<{ language: Language }>({ language: 'en' });

export function isLanguage(value: unknown): value is Language {
	return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** Picks a UI language from a BCP 47 tag such as `navigator.language`. */
export function languageFromTag(tag: string | null | undefined): Language {
	const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
	switch (primary) {
		case 'da':
			return 'da';
		case 'sv':
			return 'sv';
		case 'nb':
		case 'no':
		case 'nn':
			return 'nb';
		default:
			return 'en';
	}
}

export function currentLanguage(): Language {
	return current.language;
}

export function applyLanguage(language: Language): void {
	locale.set(language);
	current.language = language;
	if (typeof document !== 'undefined') {
		document.documentElement.lang = language;
	}
}

type Values = Record<string, string | number | boolean | Date | null | undefined>;

/** Translates outside of component markup (state classes, error messages). */
export function t(key: string, values?: Values): string {
	void current.language;
	return get(format)(key, values ? { values } : undefined);
}

function parseIsoDate(iso: string): Date | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
	if (!match) return null;
	const [, y, m, d] = match;
	return new Date(Number(y), Number(m) - 1, Number(d));
}

/**
 * Shows a "YYYY-MM-DD" date as the language writes it, the same way a person types it
 * (`formatInputDate`): "03.02.2025" in Danish and Norwegian, "2025-02-03" in Swedish and English.
 */
export function formatDate(iso: string | null | undefined): string {
	if (!iso) return '';
	if (!parseIsoDate(iso)) return iso;
	return formatInputDate(iso, current.language);
}

export function formatNumber(value: number): string {
	return new Intl.NumberFormat(intlLocales[current.language]).format(value);
}

/** Today as "YYYY-MM-DD" in local time, for `<input type="date">`. */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a one-off value, not state
export function todayIso(now: Date = new Date()): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Shows a point in time (RFC 3339) in the laptop's time zone: the date as `formatDate` writes it
 * and the time as the language does, e.g. "03.12.2026 10.00" (Danish), "2026-12-03 10:00"
 * (Swedish).
 */
export function formatDateTime(iso: string | null | undefined): string {
	if (!iso) return '';
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a one-off value, not state
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	const time = new Intl.DateTimeFormat(intlLocales[current.language], {
		hour: '2-digit',
		minute: '2-digit'
	}).format(date);
	return `${formatInputDate(todayIso(date), current.language)} ${time}`;
}
