import type { Country, Language } from '$lib/bindings';

export const countries = ['DK', 'SE', 'NO'] as const satisfies readonly Country[];

/** Each country's own currency, used when the organisation leaves currency empty. */
export const countryCurrency: Record<Country, string> = { DK: 'DKK', SE: 'SEK', NO: 'NOK' };

/** The country a user most likely works in, from the UI language. */
export function countryForLanguage(language: Language): Country {
	switch (language) {
		case 'sv':
			return 'SE';
		case 'nb':
			return 'NO';
		default:
			return 'DK';
	}
}

/** The country's default language for new organisations. */
export const countryLanguage: Record<Country, Language> = { DK: 'da', SE: 'sv', NO: 'nb' };
