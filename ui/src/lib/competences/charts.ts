import type { CompetenceRef, HeatRow } from '$lib/bindings';

// Pure helpers of the heat map and the radar: no state, no DOM, so they are tested directly.

/** What the heat map is sorted by: the name, the total gap, or a column (by its index). */
export type HeatSortKey = 'name' | 'total' | number;
export type SortDirection = 'ascending' | 'descending';
export type HeatSort = { key: HeatSortKey; direction: SortDirection };

/** The order the core returns the rows in: largest total gap first. */
export const defaultHeatSort: HeatSort = { key: 'total', direction: 'descending' };

/** The next sort when a column header is clicked: the same column flips, a new one starts
 * with the largest gaps (or A–Z for names). */
export function nextHeatSort(current: HeatSort, key: HeatSortKey): HeatSort {
	if (current.key === key) {
		return { key, direction: current.direction === 'descending' ? 'ascending' : 'descending' };
	}
	return { key, direction: key === 'name' ? 'ascending' : 'descending' };
}

/**
 * The rows in the chosen order. People never assessed always come last (in the core's order),
 * and so do empty cells of a sorted column, whichever the direction; ties keep the core's order.
 */
export function sortHeatRows(rows: readonly HeatRow[], sort: HeatSort): HeatRow[] {
	const assessed = rows.filter((r) => r.year !== null);
	const never = rows.filter((r) => r.year === null);
	const sign = sort.direction === 'ascending' ? 1 : -1;
	const key = sort.key;
	let sorted: HeatRow[];
	if (key === 'name') {
		sorted = [...assessed].sort((a, b) => sign * a.name.localeCompare(b.name));
	} else if (key === 'total') {
		sorted = [...assessed].sort((a, b) => sign * (a.totalGap - b.totalGap));
	} else {
		const withGap = assessed.filter((r) => r.gaps[key] != null);
		const without = assessed.filter((r) => r.gaps[key] == null);
		withGap.sort((a, b) => sign * ((a.gaps[key] ?? 0) - (b.gaps[key] ?? 0)));
		sorted = [...withGap, ...without];
	}
	return [...sorted, ...never];
}

/**
 * A sequential, colour-blind-safe scale (ColorBrewer "Oranges", light to dark), without the
 * near-white first step: a gap of 0 or less is drawn neutral instead.
 */
export const heatPalette = [
	'#fee6ce',
	'#fdd0a2',
	'#fdae6b',
	'#fd8d3c',
	'#f16913',
	'#d94801',
	'#a63603',
	'#7f2704'
] as const;

/** The relative luminance of a #rrggbb colour (WCAG 2). */
export function luminance(hex: string): number {
	const channel = (i: number) => {
		const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
		return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** The WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
	return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export function textOn(background: string): '#000000' | '#ffffff' {
	return contrast(background, '#000000') >= contrast(background, '#ffffff') ? '#000000' : '#ffffff';
}

/** The colours of one cell: null (neutral) for no gap, an empty cell, or a gap of 0 or less. */
export function heatColour(
	gap: number | null | undefined,
	maxGap: number
): { background: string; text: string } | null {
	if (gap == null || gap <= 0) return null;
	const top = Math.max(1, maxGap);
	const share = Math.min(gap, top) / top;
	const index = Math.round(share * (heatPalette.length - 1));
	const background = heatPalette[index]!;
	return { background, text: textOn(background) };
}

/** The colour steps a legend shows, one per possible positive gap. */
export function heatLegend(maxGap: number): { gap: number; background: string; text: string }[] {
	const steps = [];
	for (let gap = 1; gap <= Math.max(1, maxGap); gap++) {
		const colour = heatColour(gap, maxGap)!;
		steps.push({ gap, ...colour });
	}
	return steps;
}

// ---- Radar ----

/** One axis of the radar. */
export type RadarRow = {
	competence: CompetenceRef;
	/** The agreed current level. */
	current: number | null;
	desired: number | null;
	/** Last year's agreed current level. */
	previous: number | null;
};

export type Point = { x: number; y: number };

/** The angle of axis `i` of `n`, the first pointing straight up, going clockwise. */
export function axisAngle(i: number, n: number): number {
	return -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, n);
}

/** Where `value` (0..max) lies on axis `i` of `n`, around `centre` with the outer `radius`. */
export function radarPoint(
	i: number,
	n: number,
	value: number,
	max: number,
	radius: number,
	centre: Point
): Point {
	const r = max > 0 ? (radius * Math.max(0, Math.min(value, max))) / max : 0;
	const angle = axisAngle(i, n);
	return { x: round(centre.x + r * Math.cos(angle)), y: round(centre.y + r * Math.sin(angle)) };
}

/** An SVG `points` attribute for one value per axis; an unset value sits at the centre. */
export function radarPolygon(
	values: readonly (number | null)[],
	max: number,
	radius: number,
	centre: Point
): string {
	return values
		.map((v, i) => radarPoint(i, values.length, v ?? 0, max, radius, centre))
		.map((p) => `${p.x},${p.y}`)
		.join(' ');
}

/**
 * An SVG path through the set values: a closed shape when every axis has one, otherwise only
 * the lines between neighbouring set axes (and a lone point as a dot). An unset value is not
 * drawn at all: at the centre it would read as the lowest level.
 */
export function radarPath(
	values: readonly (number | null)[],
	max: number,
	radius: number,
	centre: Point
): { d: string; closed: boolean } {
	const n = values.length;
	const at = (i: number) => {
		const p = radarPoint(i, n, values[i]!, max, radius, centre);
		return `${p.x},${p.y}`;
	};
	if (n > 0 && values.every((v) => v !== null)) {
		return { d: `M${values.map((_, i) => at(i)).join(' L')} Z`, closed: true };
	}
	// Runs of set axes, going round from just after an unset one so a run is never cut in two.
	const start = values.findIndex((v) => v === null);
	const runs: number[][] = [];
	let run: number[] = [];
	for (let k = 1; k <= n; k++) {
		const i = (start + k) % n;
		if (values[i] === null) {
			if (run.length) runs.push(run);
			run = [];
		} else run.push(i);
	}
	if (run.length) runs.push(run);
	const d = runs
		.map((r) => (r.length === 1 ? `M${at(r[0]!)} l0,0` : `M${r.map(at).join(' L')}`))
		.join(' ');
	return { d, closed: false };
}

/** A label in lines of at most `width` characters, broken between words, at most `lines`
 * lines (the last one cut with an ellipsis when the text is longer). */
export function wrapLabel(text: string, width = 16, lines = 3): string[] {
	const out: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		if (line && line.length + 1 + word.length > width) {
			out.push(line);
			line = word;
		} else line = line ? `${line} ${word}` : word;
	}
	if (line) out.push(line);
	if (out.length <= lines) return out.map((l) => shorten(l, width + 4));
	const kept = out.slice(0, lines);
	kept[lines - 1] = shorten(`${kept[lines - 1]} ${out[lines]}`, width);
	if (!kept[lines - 1]!.endsWith('…')) kept[lines - 1] = `${kept[lines - 1]}…`;
	return kept;
}

/** The ring of one level: a polygon through that level on every axis. */
export function radarRing(level: number, n: number, max: number, radius: number, centre: Point): string {
	return radarPolygon(Array.from({ length: n }, () => level), max, radius, centre);
}

/** How a label at the end of an axis is anchored, so it grows away from the chart. */
export function labelAnchor(angle: number): 'start' | 'middle' | 'end' {
	const x = Math.cos(angle);
	if (Math.abs(x) < 0.2) return 'middle';
	return x > 0 ? 'start' : 'end';
}

/** How a label at the end of an axis sits vertically: above the top, below the bottom. */
export function labelBaseline(angle: number): 'auto' | 'middle' | 'hanging' {
	if (Math.abs(Math.cos(angle)) >= 0.2) return 'middle';
	return Math.sin(angle) < 0 ? 'auto' : 'hanging';
}

/** A label cut to `max` characters with an ellipsis (the full text goes in a <title>). */
export function shorten(text: string, max = 24): string {
	return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function round(n: number): number {
	return Math.round(n * 100) / 100;
}
