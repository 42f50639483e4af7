//! Suppression of small counts in HR's summary, primary and complementary (secondary).
//!
//! A count of 1 to N−1 people (N the minimum group) is hidden ("primary"). Hiding it is not
//! enough when the sheet also shows what it adds up to: with a totals row and the other cells
//! of the column visible, the hidden one is the total minus the rest. So the summary states its
//! additive structure here (which counts add up to which), and more counts are hidden
//! ("complementary", smallest first) until no hidden count can be worked out from the visible
//! ones and the equations.
//!
//! This module owns:
//! - the [`Table`]: every count the summary's sheets show, the counts they imply but never
//!   show ([`Table::implicit`], e.g. the course participants of neither gender) and those the
//!   writer leaves out anyway ([`Table::withheld`]), and the equations between them
//!   ([`Table::sum`], [`Table::balance`]), across sheets as well as within one;
//! - the decision of what is shown ([`Table::suppress`]), by cell.
//!
//! Invariants of [`Table::suppress`]'s outcome:
//! - every count of 1 to N−1 that a sheet would show is hidden ([`Shown::Small`]);
//! - no hidden count is *determined*: for each hidden cell there are two tables that agree on
//!   every visible cell and satisfy every equation, yet differ in that cell. (Hidden cells that
//!   are only implied or withheld must satisfy this when they are small.) In linear algebra:
//!   cell i is determined iff the unit vector e_i lies in the row space of the equations'
//!   matrix restricted to the hidden cells. In a two-way table with both margins this means a
//!   hidden cell must lie on a cycle of hidden cells; "two hidden per line" is not enough;
//! - a visible cell shows its true value; suppression never changes a number.
//!
//! The check is exact: Gauss–Jordan elimination over the integers (each row divided by its
//! gcd), never floating point. What it does not model: bounds. A reader knows a count is not
//! negative and that "<N" means 1 to N−1, so a hidden cell may be narrowed to a range; the
//! complement is chosen among non-zero cells first, since a hidden zero narrows to nothing.
//! Finding the fewest cells to hide is NP-hard; the choice here is greedy (the most exposed
//! line, its smallest visible count) and repeated to a fixed point.

use std::collections::HashMap;

/// A count in a [`Table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId(usize);

impl CellId {
    /// Its place in [`Table::suppress`]'s outcome.
    pub fn index(self) -> usize {
        self.0
    }
}

/// How a cell is to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Its value.
    Visible,
    /// Primary: fewer people than the minimum group ("<N").
    Small,
    /// Complementary: hidden so that a small count cannot be worked out.
    Masked,
    /// Never shown: implied by the equations only, or left out by the writer anyway.
    Withheld,
}

impl Shown {
    pub fn hidden(self) -> bool {
        self != Shown::Visible
    }
}

/// What the sheets would show before suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Published,
    Withheld,
}

/// The counts of a summary and the equations between them.
#[derive(Debug, Clone, Default)]
pub struct Table {
    values: Vec<u32>,
    kinds: Vec<Kind>,
    /// Each equation: Σ coefficient · value = 0.
    equations: Vec<Vec<(usize, i8)>>,
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn add(&mut self, value: u32, kind: Kind) -> CellId {
        self.values.push(value);
        self.kinds.push(kind);
        CellId(self.values.len() - 1)
    }

    /// A count a sheet shows unless it is small or must be hidden with one.
    pub fn cell(&mut self, value: u32) -> CellId {
        self.add(value, Kind::Published)
    }

    /// A count no sheet shows but the equations imply (the rest of a total): unknown to a
    /// reader, and protected like a shown one when it is small.
    pub fn implicit(&mut self, value: u32) -> CellId {
        self.add(value, Kind::Withheld)
    }

    /// A count with a place in a sheet that the writer leaves out anyway (a women/men split of
    /// a small side): as [`Table::implicit`].
    pub fn withheld(&mut self, value: u32) -> CellId {
        self.add(value, Kind::Withheld)
    }

    /// `parts` add up to `total`. An empty line is no equation: its total is merely zero.
    pub fn sum(&mut self, parts: &[CellId], total: CellId) {
        if !parts.is_empty() {
            self.balance(parts, &[total]);
        }
    }

    /// The cells of `left` add up to the same as those of `right` (two partitions of one
    /// group: its people by unit and by leader).
    pub fn balance(&mut self, left: &[CellId], right: &[CellId]) {
        let mut terms: HashMap<usize, i8> = HashMap::new();
        for c in left {
            *terms.entry(c.0).or_default() += 1;
        }
        for c in right {
            *terms.entry(c.0).or_default() -= 1;
        }
        let mut terms: Vec<(usize, i8)> = terms.into_iter().filter(|(_, k)| *k != 0).collect();
        terms.sort_unstable();
        if !terms.is_empty() {
            self.equations.push(terms);
        }
    }

    /// What to show of each cell, by [`CellId`] order, with `min` the minimum group: the
    /// small counts hidden, and then as many more as it takes that none of the hidden ones is
    /// determined (see the module's invariants).
    pub fn suppress(&self, min: u32) -> Vec<Shown> {
        let small = |v: u32| v > 0 && v < min;
        let mut shown: Vec<Shown> = self
            .values
            .iter()
            .zip(&self.kinds)
            .map(|(&v, k)| match k {
                Kind::Withheld => Shown::Withheld,
                Kind::Published if small(v) => Shown::Small,
                Kind::Published => Shown::Visible,
            })
            .collect();
        // The equations each cell is in.
        let mut of_cell: Vec<Vec<usize>> = vec![Vec::new(); self.values.len()];
        for (e, terms) in self.equations.iter().enumerate() {
            for (c, _) in terms {
                of_cell[*c].push(e);
            }
        }
        // Each round hides at least one more cell, so there are at most as many rounds as
        // cells; in practice a few.
        loop {
            let hidden: Vec<bool> = shown.iter().map(|s| s.hidden()).collect();
            let determined = self.determined(&hidden);
            // A cell that is the only hidden one of an equation is given away by that
            // equation itself: those are answered first, each with the smallest visible cell
            // of such an equation. A cell determined only through others is answered in a
            // round that has no such cell left, as hiding the others' complements often
            // answers it as well.
            let mut direct = Vec::new();
            let mut indirect = Vec::new();
            for (i, d) in determined.iter().enumerate() {
                let protect = match shown[i] {
                    Shown::Visible => false,
                    Shown::Small | Shown::Masked => true,
                    Shown::Withheld => small(self.values[i]),
                };
                if *d && protect {
                    match self.alone(i, &hidden, &of_cell) {
                        Some(j) => direct.push(j),
                        None => indirect.push(i),
                    }
                }
            }
            let more: Vec<usize> = if direct.is_empty() {
                indirect
                    .into_iter()
                    .filter_map(|i| self.complement(i, &hidden, &of_cell))
                    .collect()
            } else {
                direct
            };
            if more.is_empty() {
                // Nothing left to hide (or a cell the equations alone fix, which no hiding
                // can help: no such equations are made).
                break;
            }
            for j in more {
                shown[j] = Shown::Masked;
            }
        }
        shown
    }

    /// The visible cell to hide for hidden cell `i` when an equation holds it as its only
    /// hidden cell: the smallest visible count of such equations, non-zero first.
    fn alone(&self, i: usize, hidden: &[bool], of_cell: &[Vec<usize>]) -> Option<usize> {
        of_cell[i]
            .iter()
            .map(|e| &self.equations[*e])
            .filter(|terms| terms.iter().all(|(t, _)| *t == i || !hidden[*t]))
            .flat_map(|terms| terms.iter().filter(|(t, _)| *t != i))
            .map(|(t, _)| (self.values[*t] == 0, self.values[*t], *t))
            .min()
            .map(|(_, _, t)| t)
    }

    /// The visible cell to hide for the determined hidden cell `i`: in the most exposed
    /// equation of `i` (fewest hidden cells) that has a visible cell, its smallest count,
    /// non-zero first. When every equation of `i` is hidden already, the search goes on
    /// through the equations of the hidden cells it reached, nearest first.
    fn complement(&self, i: usize, hidden: &[bool], of_cell: &[Vec<usize>]) -> Option<usize> {
        let mut seen_cells = vec![false; self.values.len()];
        let mut seen_equations = vec![false; self.equations.len()];
        seen_cells[i] = true;
        let mut frontier = vec![i];
        while !frontier.is_empty() {
            // The best so far: (its equation's hidden cells, its count's order), and the cell.
            let mut best: Option<(Rank, usize)> = None;
            let mut next = Vec::new();
            for &c in &frontier {
                for &e in &of_cell[c] {
                    if seen_equations[e] {
                        continue;
                    }
                    seen_equations[e] = true;
                    let terms = &self.equations[e];
                    let hidden_terms = terms.iter().filter(|(t, _)| hidden[*t]).count();
                    let smallest = terms
                        .iter()
                        .filter(|(t, _)| !hidden[*t])
                        .map(|(t, _)| (self.values[*t] == 0, self.values[*t], *t))
                        .min();
                    if let Some(key) = smallest {
                        let rank = (hidden_terms, key);
                        if best.as_ref().is_none_or(|(b, _)| rank < *b) {
                            best = Some((rank, key.2));
                        }
                    }
                    for (t, _) in terms {
                        if hidden[*t] && !seen_cells[*t] {
                            seen_cells[*t] = true;
                            next.push(*t);
                        }
                    }
                }
            }
            if let Some((_, j)) = best {
                return Some(j);
            }
            frontier = next;
        }
        None
    }

    /// For each cell, whether it is hidden and yet follows from the visible cells and the
    /// equations: e_i is in the row space of the equations restricted to the hidden cells.
    /// Gauss–Jordan: in the reduced row echelon form, that is a pivot row with no other entry.
    pub fn determined(&self, hidden: &[bool]) -> Vec<bool> {
        let mut echelon = Echelon::default();
        // Short equations first: their pivots keep the long ones (a column of thousands of
        // units) from filling in.
        let mut rows: Vec<Row> = self
            .equations
            .iter()
            .map(|terms| {
                terms
                    .iter()
                    .filter(|(c, _)| hidden[*c])
                    .map(|(c, k)| (*c, i128::from(*k)))
                    .collect::<Row>()
            })
            .filter(|r| !r.is_empty())
            .collect();
        rows.sort_by_key(Vec::len);
        for r in rows {
            echelon.add(r);
        }
        let mut out = vec![false; self.values.len()];
        for r in &echelon.rows {
            if r.len() == 1 {
                out[r[0].0] = true;
            }
        }
        out
    }
}

/// How a candidate complement ranks (least first): its equation's hidden cells, then its
/// count non-zero first and smallest, then its place.
type Rank = (usize, (bool, u32, usize));

/// A row of the equations: (cell, coefficient), by cell, no zeros.
type Row = Vec<(usize, i128)>;

/// Rows in reduced echelon form, built one row at a time: no row holds another row's pivot.
#[derive(Default)]
struct Echelon {
    rows: Vec<Row>,
    /// The row whose pivot each pivot column is.
    pivot: HashMap<usize, usize>,
    /// The rows that may hold a column (a superset: checked when used).
    holding: HashMap<usize, Vec<usize>>,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn coefficient(row: &Row, column: usize) -> Option<i128> {
    row.binary_search_by_key(&column, |(c, _)| *c)
        .ok()
        .map(|i| row[i].1)
}

/// `a·row − b·by`, divided by the gcd of its coefficients.
fn combine(row: &Row, a: i128, by: &Row, b: i128) -> Row {
    let mut out = Vec::with_capacity(row.len() + by.len());
    let (mut i, mut j) = (0, 0);
    while i < row.len() || j < by.len() {
        let (c, v) = match (row.get(i), by.get(j)) {
            (Some(&(ci, vi)), Some(&(cj, vj))) if ci == cj => {
                i += 1;
                j += 1;
                (ci, a * vi - b * vj)
            }
            (Some(&(ci, vi)), Some(&(cj, _))) if ci < cj => {
                i += 1;
                (ci, a * vi)
            }
            (Some(&(ci, vi)), None) => {
                i += 1;
                (ci, a * vi)
            }
            (_, Some(&(cj, vj))) => {
                j += 1;
                (cj, -b * vj)
            }
            (None, None) => unreachable!("the loop runs while either has terms"),
        };
        if v != 0 {
            out.push((c, v));
        }
    }
    let g = out.iter().fold(0, |g, (_, v)| gcd(g, *v));
    if g > 1 {
        for (_, v) in &mut out {
            *v /= g;
        }
    }
    out
}

impl Echelon {
    fn add(&mut self, mut row: Row) {
        // Clear the existing pivots from it; a pivot row holds no other pivot column, so one
        // pass over the row's own columns is enough.
        let pivots: Vec<(usize, usize)> = row
            .iter()
            .filter_map(|(c, _)| self.pivot.get(c).map(|p| (*c, *p)))
            .collect();
        for (c, p) in pivots {
            let Some(v) = coefficient(&row, c) else {
                continue;
            };
            let by = &self.rows[p];
            let pv = coefficient(by, c).unwrap_or(1);
            row = combine(&row, pv, by, v);
        }
        let Some(&(column, value)) = row.first() else {
            return;
        };
        let index = self.rows.len();
        // Clear the new pivot from the rows that hold it.
        let mut holders = self.holding.remove(&column).unwrap_or_default();
        holders.sort_unstable();
        holders.dedup();
        for h in holders {
            if let Some(v) = coefficient(&self.rows[h], column) {
                let changed = combine(&self.rows[h], value, &row, v);
                for (c, _) in &changed {
                    if *c != column {
                        self.holding.entry(*c).or_default().push(h);
                    }
                }
                self.rows[h] = changed;
            }
        }
        for (c, _) in &row[1..] {
            self.holding.entry(*c).or_default().push(index);
        }
        self.pivot.insert(column, index);
        self.rows.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An exact rational, kept reduced, for the test's own elimination.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Q(i128, i128);

    impl Q {
        fn new(n: i128, d: i128) -> Q {
            let g = gcd(n, d).max(1);
            let s = if d < 0 { -1 } else { 1 };
            Q(s * n / g, s * d / g)
        }
        fn zero(self) -> bool {
            self.0 == 0
        }
        fn sub(self, o: Q) -> Q {
            Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
        }
        fn mul(self, o: Q) -> Q {
            Q::new(self.0 * o.0, self.1 * o.1)
        }
        fn div(self, o: Q) -> Q {
            Q::new(self.0 * o.1, self.1 * o.0)
        }
    }

    /// The rank of a dense matrix over the rationals.
    fn rank(mut m: Vec<Vec<Q>>) -> usize {
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for c in 0..cols {
            let Some(p) = (rank..m.len()).find(|r| !m[*r][c].zero()) else {
                continue;
            };
            m.swap(rank, p);
            for r in 0..m.len() {
                if r != rank && !m[r][c].zero() {
                    let f = m[r][c].div(m[rank][c]);
                    let pivot = m[rank].clone();
                    for (v, p) in m[r].iter_mut().zip(&pivot) {
                        *v = v.sub(f.mul(*p));
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    /// Whether hidden cell `i` follows from the visible ones, by another route than the
    /// module's: i is determined iff its column of the equations (restricted to the hidden
    /// cells) is not in the span of the other hidden cells' columns, i.e. dropping it lowers
    /// the rank.
    fn follows(t: &Table, hidden: &[bool], i: usize) -> bool {
        let cols: Vec<usize> = (0..t.len()).filter(|c| hidden[*c]).collect();
        let matrix = |without: Option<usize>| -> Vec<Vec<Q>> {
            t.equations
                .iter()
                .map(|terms| {
                    cols.iter()
                        .filter(|c| Some(**c) != without)
                        .map(|c| {
                            let k = terms.iter().find(|(t, _)| t == c).map_or(0, |(_, k)| *k);
                            Q::new(i128::from(k), 1)
                        })
                        .collect()
                })
                .collect()
        };
        rank(matrix(None)) > rank(matrix(Some(i)))
    }

    /// A two-way table with row totals, column totals and the grand total, as the actions
    /// sheet is: `cells[r][c]`, the totals made here. Returns the table and every cell's
    /// id, totals last in each row and a totals row last.
    fn two_way(cells: &[Vec<u32>]) -> (Table, Vec<Vec<CellId>>) {
        let mut t = Table::new();
        let width = cells[0].len();
        let mut ids: Vec<Vec<CellId>> = Vec::new();
        for row in cells {
            let mut line: Vec<CellId> = row.iter().map(|v| t.cell(*v)).collect();
            let total = t.cell(row.iter().sum());
            t.sum(&line, total);
            line.push(total);
            ids.push(line);
        }
        let mut totals = Vec::new();
        for c in 0..=width {
            let sum: u32 = cells
                .iter()
                .map(|r| if c < width { r[c] } else { r.iter().sum() })
                .sum();
            let id = t.cell(sum);
            let column: Vec<CellId> = ids.iter().map(|l| l[c]).collect();
            t.sum(&column, id);
            totals.push(id);
        }
        t.sum(&totals[..width], totals[width]);
        ids.push(totals);
        (t, ids)
    }

    fn check(t: &Table, min: u32) -> Result<(), TestCaseError> {
        let shown = t.suppress(min);
        let hidden: Vec<bool> = shown.iter().map(|s| s.hidden()).collect();
        for i in 0..t.len() {
            let v = t.values[i];
            if t.kinds[i] == Kind::Published && v > 0 && v < min {
                prop_assert_eq!(shown[i], Shown::Small, "cell {} of {} is small", i, v);
            }
            let protect = match shown[i] {
                Shown::Visible => false,
                Shown::Small | Shown::Masked => true,
                Shown::Withheld => v > 0 && v < min,
            };
            if protect {
                prop_assert!(
                    !follows(t, &hidden, i),
                    "hidden cell {} ({}) follows from the visible ones: {:?}",
                    i,
                    v,
                    shown
                );
            }
        }
        // The module's own check agrees with the test's.
        let determined = t.determined(&hidden);
        for i in 0..t.len() {
            if hidden[i] {
                prop_assert_eq!(determined[i], follows(t, &hidden, i), "cell {}", i);
            }
        }
        Ok(())
    }

    /// Counts as HR's sheets have them: many zeros and small ones, some large.
    fn count() -> impl Strategy<Value = u32> {
        prop_oneof![3 => Just(0u32), 4 => 1u32..5, 2 => 5u32..12, 1 => 12u32..60]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn no_hidden_cell_of_a_two_way_table_with_its_totals_can_be_worked_out(
            cells in (1usize..5, 1usize..6).prop_flat_map(|(r, c)| {
                proptest::collection::vec(proptest::collection::vec(count(), c), r)
            }),
            min in 2u32..8,
        ) {
            let (t, _) = two_way(&cells);
            check(&t, min)?;
        }

        #[test]
        fn no_hidden_cell_of_lines_sharing_a_total_can_be_worked_out(
            units in proptest::collection::vec(count(), 1..8),
            leaders in proptest::collection::vec(count(), 1..6),
            others in proptest::collection::vec(count(), 0..4),
            min in 2u32..8,
        ) {
            // People of one kind by unit and by leader (two partitions of one total), and the
            // kinds' totals adding up to the grand total: the talks sheets' structure. The
            // leaders' counts are scaled to the units' total, the rest on the last.
            let total: u32 = units.iter().sum();
            let mut leaders = leaders;
            let mut left = total;
            for l in leaders.iter_mut() {
                *l = (*l).min(left);
                left -= *l;
            }
            *leaders.last_mut().unwrap() += left;
            let mut t = Table::new();
            let u: Vec<CellId> = units.iter().map(|v| t.cell(*v)).collect();
            let l: Vec<CellId> = leaders.iter().map(|v| t.cell(*v)).collect();
            let kind = t.cell(total);
            t.sum(&u, kind);
            t.sum(&l, kind);
            let mut kinds = vec![kind];
            kinds.extend(others.iter().map(|v| t.cell(*v)));
            let grand = t.cell(total + others.iter().sum::<u32>());
            t.sum(&kinds, grand);
            check(&t, min)?;
        }

        #[test]
        fn no_small_rest_of_a_course_can_be_worked_out_from_its_split(
            women in 0u32..15,
            men in 0u32..15,
            rest in 0u32..4,
            min in 2u32..8,
        ) {
            let mut t = Table::new();
            let all = t.cell(women + men + rest);
            let shown = women.min(men) >= min;
            let w = if shown { t.cell(women) } else { t.withheld(women) };
            let m = if shown { t.cell(men) } else { t.withheld(men) };
            let r = t.implicit(rest);
            t.sum(&[w, m, r], all);
            check(&t, min)?;
        }
    }

    #[test]
    fn one_small_cell_in_a_line_with_its_total_takes_the_smallest_other_with_it() {
        let mut t = Table::new();
        let cells: Vec<CellId> = [3, 40, 9, 12].iter().map(|v| t.cell(*v)).collect();
        let total = t.cell(64);
        t.sum(&cells, total);
        let shown = t.suppress(5);
        assert_eq!(
            shown,
            [
                Shown::Small,
                Shown::Visible,
                Shown::Masked,
                Shown::Visible,
                Shown::Visible
            ]
        );
    }

    #[test]
    fn two_hidden_cells_per_line_are_not_enough_in_a_two_way_table() {
        // Row 0 holds two small cells, so each of its lines has two hidden; but their columns
        // each hold only one, and the column totals give both back.
        let (t, ids) = two_way(&[vec![2, 3, 20], vec![10, 11, 30], vec![12, 13, 40]]);
        let hidden: Vec<bool> = (0..t.len())
            .map(|i| i == ids[0][0].0 || i == ids[0][1].0)
            .collect();
        assert!(t.determined(&hidden)[ids[0][0].0]);
        let shown = t.suppress(5);
        let hidden: Vec<bool> = shown.iter().map(|s| s.hidden()).collect();
        assert!(!t.determined(&hidden).iter().any(|d| *d));
        assert!(shown[ids[0][0].0] == Shown::Small && shown[ids[0][1].0] == Shown::Small);
        // The cycle closes in another row: the smallest counts, 10 and 11.
        assert_eq!(shown[ids[1][0].0], Shown::Masked);
        assert_eq!(shown[ids[1][1].0], Shown::Masked);
        assert_eq!(shown[ids[2][2].0], Shown::Visible);
    }

    #[test]
    fn a_table_with_nothing_small_shows_everything() {
        let (t, _) = two_way(&[vec![0, 5, 20], vec![10, 0, 30]]);
        assert!(t.suppress(5).iter().all(|s| *s == Shown::Visible));
    }
}
