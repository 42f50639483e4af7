import { describe, expect, it } from 'vitest';
import type { HeatRow } from '$lib/bindings';
import {
	axisAngle,
	contrast,
	defaultHeatSort,
	heatColour,
	heatLegend,
	heatPalette,
	labelAnchor,
	labelBaseline,
	luminance,
	nextHeatSort,
	radarPoint,
	radarPath,
	radarPolygon,
	radarRing,
	shorten,
	sortHeatRows,
	wrapLabel,
	textOn
} from './charts';

function row(personId: number, name: string, gaps: (number | null)[], year: number | null = 2026): HeatRow {
	return {
		personId,
		name,
		jobFamily: null,
		unitId: 2,
		unitName: 'Solsikken',
		year,
		gaps,
		totalGap: gaps.reduce<number>((sum, g) => sum + Math.max(0, g ?? 0), 0)
	};
}

// As the core returns them: assessed people by total gap, the never assessed last.
const rows: HeatRow[] = [
	row(1, 'Anna', [2, 1, null]),
	row(2, 'Bo', [0, 2, 1]),
	row(3, 'Carl', [null, 0, 2]),
	row(4, 'Dea', [0, 0, -1]),
	row(5, 'Ejner', [null, null, null], null)
];

const ids = (list: HeatRow[]) => list.map((r) => r.personId);

describe('sortHeatRows', () => {
	it('keeps the core order by default', () => {
		expect(ids(sortHeatRows(rows, defaultHeatSort))).toEqual([1, 2, 3, 4, 5]);
	});

	it('sorts by a column, largest gap first, empty cells and never-assessed people last', () => {
		expect(ids(sortHeatRows(rows, { key: 2, direction: 'descending' }))).toEqual([3, 2, 4, 1, 5]);
		expect(ids(sortHeatRows(rows, { key: 2, direction: 'ascending' }))).toEqual([4, 2, 3, 1, 5]);
		expect(ids(sortHeatRows(rows, { key: 0, direction: 'descending' }))).toEqual([1, 2, 4, 3, 5]);
	});

	it('sorts by name and by total, with ties in the core order', () => {
		const reversed = [...rows].reverse();
		expect(ids(sortHeatRows(reversed, { key: 'name', direction: 'ascending' }))).toEqual([1, 2, 3, 4, 5]);
		expect(ids(sortHeatRows(rows, { key: 'name', direction: 'descending' }))).toEqual([4, 3, 2, 1, 5]);
		expect(ids(sortHeatRows(rows, { key: 'total', direction: 'ascending' }))).toEqual([4, 3, 1, 2, 5]);
	});

	it('does not change the rows it is given', () => {
		const copy = structuredClone(rows);
		sortHeatRows(rows, { key: 1, direction: 'ascending' });
		expect(rows).toEqual(copy);
	});
});

describe('nextHeatSort', () => {
	it('flips the direction of the same column and starts a new one at the largest gaps', () => {
		const byFirst = nextHeatSort(defaultHeatSort, 0);
		expect(byFirst).toEqual({ key: 0, direction: 'descending' });
		expect(nextHeatSort(byFirst, 0)).toEqual({ key: 0, direction: 'ascending' });
		expect(nextHeatSort(defaultHeatSort, 'total')).toEqual({ key: 'total', direction: 'ascending' });
		expect(nextHeatSort(byFirst, 'name')).toEqual({ key: 'name', direction: 'ascending' });
	});
});

describe('heatColour', () => {
	it('leaves no gap, an empty cell and a negative gap neutral', () => {
		expect(heatColour(null, 4)).toBeNull();
		expect(heatColour(undefined, 4)).toBeNull();
		expect(heatColour(0, 4)).toBeNull();
		expect(heatColour(-2, 4)).toBeNull();
	});

	it('darkens as the gap grows and reaches the darkest step at the widest gap', () => {
		const shades = [1, 2, 3, 4].map((g) => luminance(heatColour(g, 4)!.background));
		for (let i = 1; i < shades.length; i++) expect(shades[i]!).toBeLessThan(shades[i - 1]!);
		expect(heatColour(4, 4)!.background).toBe(heatPalette[heatPalette.length - 1]);
		expect(heatColour(9, 4)!.background).toBe(heatPalette[heatPalette.length - 1]);
	});

	it('writes the number in a colour that reads on every step (WCAG AA)', () => {
		for (const background of heatPalette) {
			expect(contrast(background, textOn(background))).toBeGreaterThanOrEqual(4.5);
		}
		for (let g = 1; g <= 4; g++) {
			const c = heatColour(g, 4)!;
			expect(contrast(c.background, c.text)).toBeGreaterThanOrEqual(4.5);
		}
	});

	it('has one legend step per possible gap', () => {
		expect(heatLegend(2).map((s) => s.gap)).toEqual([1, 2]);
		expect(heatLegend(0).map((s) => s.gap)).toEqual([1]);
	});
});

describe('radar geometry', () => {
	const centre = { x: 100, y: 100 };

	it('puts the first axis straight up and goes clockwise', () => {
		expect(axisAngle(0, 4)).toBeCloseTo(-Math.PI / 2);
		expect(radarPoint(0, 4, 3, 3, 50, centre)).toEqual({ x: 100, y: 50 });
		expect(radarPoint(1, 4, 3, 3, 50, centre)).toEqual({ x: 150, y: 100 });
		expect(radarPoint(2, 4, 3, 3, 50, centre)).toEqual({ x: 100, y: 150 });
	});

	it('scales a level along the axis and keeps it inside the chart', () => {
		expect(radarPoint(0, 3, 0, 4, 80, centre)).toEqual({ x: 100, y: 100 });
		expect(radarPoint(0, 3, 2, 4, 80, centre)).toEqual({ x: 100, y: 60 });
		expect(radarPoint(0, 3, 9, 4, 80, centre)).toEqual({ x: 100, y: 20 });
	});

	it('draws an unset level at the centre', () => {
		expect(radarPolygon([4, null, 4, null], 4, 10, centre)).toBe('100,90 100,100 100,110 100,100');
	});

	it('closes the shape when every competence is assessed', () => {
		expect(radarPath([2, 2, 2, 2], 2, 10, centre)).toEqual({ d: 'M100,90 L110,100 L100,110 L90,100 Z', closed: true });
	});

	it('never draws an unassessed competence at the centre: only lines between assessed neighbours', () => {
		// Axes 0, 1 and 3 set, 2 not: one run 3 → 0 → 1 going round, nothing through the centre.
		const { d, closed } = radarPath([2, 2, null, 2], 2, 10, centre);
		expect(closed).toBe(false);
		expect(d).toBe('M90,100 L100,90 L110,100');
		expect(d).not.toContain('100,100');
		// A lone assessed axis is a dot; none at all draws nothing.
		expect(radarPath([null, 2, null], 2, 10, centre).d).toMatch(/^M[\d.]+,[\d.]+ l0,0$/);
		expect(radarPath([null, null, null], 2, 10, centre).d).toBe('');
	});

	it('draws a ring through one level on every axis', () => {
		expect(radarRing(2, 4, 2, 10, centre)).toBe('100,90 110,100 100,110 90,100');
	});

	it('anchors labels away from the chart', () => {
		expect(labelBaseline(axisAngle(0, 4))).toBe('auto');
		expect(labelBaseline(axisAngle(1, 4))).toBe('middle');
		expect(labelBaseline(axisAngle(2, 4))).toBe('hanging');
		expect(labelAnchor(axisAngle(0, 4))).toBe('middle');
		expect(labelAnchor(axisAngle(1, 4))).toBe('start');
		expect(labelAnchor(axisAngle(3, 4))).toBe('end');
	});

	it('wraps long labels between words into at most three lines', () => {
		expect(wrapLabel('Kort')).toEqual(['Kort']);
		expect(wrapLabel('Organisatorisk forståelse og overblik')).toEqual(['Organisatorisk', 'forståelse og', 'overblik']);
		const lines = wrapLabel('Samarbejde med pårørende og frivillige i lokalsamfundet omkring borgeren');
		expect(lines).toHaveLength(3);
		expect(lines[2]!.endsWith('…')).toBe(true);
	});

	it('shortens long labels', () => {
		expect(shorten('Kort')).toBe('Kort');
		expect(shorten('Organisatorisk forståelse og overblik', 20)).toBe('Organisatorisk fors…');
	});
});
