import { describe, expect, it } from 'vitest';
import { entities, errorCodes, fields } from '$lib/errors';
import { countries } from '$lib/onboarding/countries';
import { catalogues, languageFromTag, languages } from './i18n.svelte';

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
