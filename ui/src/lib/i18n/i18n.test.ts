import { describe, expect, it } from 'vitest';
import { entities, errorCodes, fields } from '$lib/errors';
import { countries } from '$lib/onboarding/countries';
import { applyLanguage, catalogues, formatDate, formatDateTime, languageFromTag, languages } from './i18n.svelte';

type Tree = { [key: string]: unknown };

/** Flattens nested messages into "a.b.c" → value. */
function flatten(tree: Tree, prefix = ''): Map<string, unknown> {
	const out = new Map<string, unknown>();
	for (const [key, value] of Object.entries(tree)) {
		const path = prefix ? `${prefix}.${key}` : key;
		if (value && typeof value === 'object' && !Array.isArray(value)) {
			for (const [k, v] of flatten(value as Tree, path)) out.set(k, v);
		} else {
			out.set(path, value);
		}
	}
	return out;
}

const flat = Object.fromEntries(
	languages.map((language) => [language, flatten(catalogues[language] as Tree)])
) as Record<(typeof languages)[number], Map<string, unknown>>;

const allKeys = [...new Set(languages.flatMap((language) => [...flat[language].keys()]))].sort();

/** ICU placeholders at the top level of a message, e.g. {field} or {count, plural, ...}. */
function placeholders(message: string): string[] {
	return [...message.matchAll(/\{\s*([a-zA-Z]+)\s*[,}]/g)].map((m) => m[1]!).sort();
}

describe('message catalogues', () => {
	it.each(languages)('%s has exactly the same keys as the others', (language) => {
		const keys = [...flat[language].keys()].sort();
		const missing = allKeys.filter((key) => !flat[language].has(key));
		const extra = keys.filter((key) => !allKeys.includes(key));
		expect({ language, missing, extra }).toEqual({ language, missing: [], extra: [] });
	});

	it.each(languages)('%s has no empty or non-string messages', (language) => {
		const bad = [...flat[language]].filter(
			([, value]) => typeof value !== 'string' || value.trim() === ''
		);
		expect(bad.map(([key]) => key)).toEqual([]);
	});

	it.each(languages.filter((l) => l !== 'en'))(
		'%s uses the same placeholders as English',
		(language) => {
			const mismatched = allKeys.filter((key) => {
				const ours = flat[language].get(key);
				const english = flat.en.get(key);
				if (typeof ours !== 'string' || typeof english !== 'string') return false;
				return placeholders(ours).join() !== placeholders(english).join();
			});
			expect(mismatched).toEqual([]);
		}
	);

	it('translates every Field, Entity, error code and country', () => {
		const required = [
			...fields.map((field) => `fields.${field}`),
			...entities.map((entity) => `entities.${entity}`),
			...errorCodes.map((code) => `errors.${code}`),
			'errors.unexpected',
			...countries.map((country) => `countries.${country}`)
		];
		for (const language of languages) {
			const missing = required.filter((key) => !flat[language].has(key));
			expect({ language, missing }).toEqual({ language, missing: [] });
		}
	});
});

describe('languageFromTag', () => {
	it.each([
		['da-DK', 'da'],
		['da', 'da'],
		['sv-SE', 'sv'],
		['sv-FI', 'sv'],
		['nb-NO', 'nb'],
		['no', 'nb'],
		['nn-NO', 'nb'],
		['en-US', 'en'],
		['de-DE', 'en'],
		['', 'en'],
		[undefined, 'en']
	])('%s → %s', (tag, expected) => {
		expect(languageFromTag(tag)).toBe(expected);
	});
});

describe('shown dates', () => {
	it('writes a date and a time as each language writes them, in the same order a person types', () => {
		const shown = (language: (typeof languages)[number]) => {
			applyLanguage(language);
			// Noon UTC is the same calendar day in every zone the tests run in.
			return [formatDate('2026-02-03'), formatDateTime('2026-02-03T12:00:00Z').split(' ')[0]];
		};
		expect(shown('da')).toEqual(['03.02.2026', '03.02.2026']);
		expect(shown('nb')).toEqual(['03.02.2026', '03.02.2026']);
		expect(shown('sv')).toEqual(['2026-02-03', '2026-02-03']);
		expect(shown('en')).toEqual(['2026-02-03', '2026-02-03']);
		applyLanguage('en');
	});

	it('shows nothing for no date and the text itself for one it cannot read', () => {
		expect(formatDate(null)).toBe('');
		expect(formatDate('next spring')).toBe('next spring');
		expect(formatDateTime('soon')).toBe('soon');
	});

	it('gives the time in hours and minutes', () => {
		applyLanguage('sv');
		expect(formatDateTime('2026-02-03T12:00:00Z')).toMatch(/^2026-02-03 \d{2}[:.]\d{2}$/);
		applyLanguage('en');
	});
});
