/**
 * The one way the app writes and reads a date a person types: per UI language, Danish and
 * Norwegian write dd.mm.yyyy, Swedish and English yyyy-mm-dd. English takes ISO 8601 because it
 * is the one numeric order no English reader mistakes (03/04 is March to some and April to
 * others). The store always holds "YYYY-MM-DD"; ISO is accepted as typed in every language, so
 * a pasted date works everywhere.
 */
import type { Language } from '$lib/bindings';

type Order = 'dmy' | 'ymd';

const orders: Record<Language, Order> = { da: 'dmy', nb: 'dmy', sv: 'ymd', en: 'ymd' };

const pad = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DD" as the language writes it: "05.12.2026" or "2026-12-05"; '' for none. */
export function formatInputDate(iso: string | null | undefined, language: Language): string {
	const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
	if (!parts) return iso ?? '';
	const [, y, m, d] = parts;
	return orders[language] === 'dmy' ? `${d}.${m}.${y}` : `${y}-${m}-${d}`;
}

function isoIfReal(y: number, m: number, d: number): string | null {
	// A date that rolls over (31.02) is a typing mistake, not the 3rd of March.
	const date = new Date(y, m - 1, d);
	if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) return null;
	return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * Reads a typed date: '' for an empty field, "YYYY-MM-DD" for a real date in the language's
 * order (one-digit day and month, and '.', '-', '/' or a space between them, are forgiven) or
 * in ISO, and null for anything else.
 */
export function parseInputDate(text: string, language: Language): string | null {
	const typed = text.trim();
	if (typed === '') return '';
	const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
	if (iso) return isoIfReal(Number(iso[1]), Number(iso[2]), Number(iso[3]));
	if (orders[language] !== 'dmy') return null;
	const dmy = /^(\d{1,2})[.\-/ ](\d{1,2})[.\-/ ](\d{4})$/.exec(typed);
	return dmy ? isoIfReal(Number(dmy[3]), Number(dmy[2]), Number(dmy[1])) : null;
}
