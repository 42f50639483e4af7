//! HR's annual summary of a year, for the whole organisation or one unit's tree: talks due,
//! held and overdue per unit, manager and kind; actions by kind and status; cost and cost per
//! participant; the education roll-up; the largest competence gaps, and across LUS talks the
//! leader competences most in need of development.
//!
//! The summary is made in two steps. [`facts`] reads each unit's additive figures
//! ([`UnitFacts`]: counts and sums, no names of employees, no notes) in a few set-based
//! queries; [`summarise`] folds any set of them into the summary's views. A unit bundle carries
//! one unit's facts, so HR's summary over imported bundles is the same fold over the same
//! figures, and equals the summary over one store with the same data.
//!
//! Privacy: a cell that counts fewer people than the organisation's minimum group size (5 by
//! default, a setting) is shown as "<5" when the summary is written, and derived figures of
//! such a group (a share, a mean, a cost per participant) are left out with it. As the sheets
//! also show what such cells add up to, more cells are hidden (".."), smallest first, until no
//! hidden one can be worked out from the visible ones: [`sheets`] states the equations,
//! [`super::suppress`] decides. Confidential actions are only counted ([`UnitFacts::confidential`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::Connection;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::locale::Locale;
use super::suppress::{self, CellId, Shown};
use super::table::{Cell, Column, Measure, Sheet};
use super::words::Words;
use super::{export_error, ExportFormat, ExportProblem};
use crate::actions::{ActionKind, ActionStatus};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{PersonId, UnitId};
use crate::organisation::{self, Language};
use crate::people::Gender;
use crate::talks::cycle::{self, Progress};
use crate::talks::TalkKind;

/// The smallest group a summary shows a figure of, unless the organisation sets another.
pub const DEFAULT_MIN_GROUP: u32 = 5;
/// Rows of the gap views: the largest gaps are what the needs analysis is for.
pub const TOP_GAPS: usize = 100;

/// One kind of talk held by one leader in a unit: people due, held (or further), overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TalkFact {
    pub kind: TalkKind,
    pub leader: Option<String>,
    pub due: u32,
    pub held: u32,
    pub overdue: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionFact {
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub count: u32,
    pub planned_cents: i64,
    pub actual_cents: i64,
}

/// Courses and education of one title in a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EducationFact {
    pub title: String,
    pub participants: u32,
    pub women: u32,
    pub men: u32,
    /// Hours in quarters (as stored), actual where known, else planned.
    pub quarter_hours: i64,
    /// Cost in hundredths, actual where known, else planned.
    pub cost_cents: i64,
}

/// Assessed gaps (desired − agreed, where positive) of one competence in one job family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GapFact {
    /// The job family, or empty; for LUS talks, empty.
    pub job_family: String,
    pub competence: String,
    pub people: u32,
    pub gap_sum: u32,
}

/// One unit's additive figures of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitFacts {
    /// From the top unit down: the unit's identity across stores.
    pub path: Vec<String>,
    pub manager: Option<String>,
    pub talks: Vec<TalkFact>,
    pub actions: Vec<ActionFact>,
    /// People with an individual action of the year (not cancelled).
    pub participants: u32,
    pub education: Vec<EducationFact>,
    pub gaps: Vec<GapFact>,
    /// Gaps assessed in LUS talks: leaders' competences.
    pub leader_gaps: Vec<GapFact>,
    /// Confidential actions of the year: counted here and nowhere else. They are in no other
    /// figure (no action count, cost, participant or course), so nothing of one is named or
    /// detailed. A bundle made before this count existed reads as none.
    #[serde(default)]
    pub confidential: u32,
}

impl UnitFacts {
    fn new(path: Vec<String>, manager: Option<String>) -> UnitFacts {
        UnitFacts {
            path,
            manager,
            talks: Vec::new(),
            actions: Vec::new(),
            participants: 0,
            education: Vec::new(),
            gaps: Vec::new(),
            leader_gaps: Vec::new(),
            confidential: 0,
        }
    }
}

/// A unit's figures from its actions and assessments: the part of [`UnitFacts`] not from the
/// year's cycle.
#[derive(Debug, Default)]
struct PlanFacts {
    actions: Vec<ActionFact>,
    participants: u32,
    education: Vec<EducationFact>,
    gaps: Vec<GapFact>,
    leader_gaps: Vec<GapFact>,
    confidential: u32,
}

/// The year's actions, summed by unit: one pass by the year index, summed here rather than in
/// a GROUP BY query per figure, each of which would read the year again.
///
/// A confidential action is only counted: its title, kind, status, cost, hours and person are
/// not read into any figure, as the unit plan lists it only as a count.
fn action_facts(conn: &Connection, year: i32) -> Result<FxHashMap<UnitId, PlanFacts>> {
    // Only course participants' gender is asked for: the women/men split of education.
    let mut gender: FxHashMap<PersonId, Gender> = FxHashMap::default();
    let mut stmt =
        conn.prepare_cached("SELECT id, gender FROM person WHERE gender IN ('female', 'male')")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let g = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Text(b"female") => Gender::Female,
            _ => Gender::Male,
        };
        gender.insert(r.get(0)?, g);
    }
    let mut by_status: FxHashMap<(UnitId, ActionKind, ActionStatus), ActionFact> =
        FxHashMap::default();
    let mut participants: FxHashMap<UnitId, FxHashSet<PersonId>> = FxHashMap::default();
    let mut confidential: FxHashMap<UnitId, u32> = FxHashMap::default();
    #[derive(Default)]
    struct Course {
        people: FxHashSet<PersonId>,
        women: u32,
        men: u32,
        quarters: i64,
        cents: i64,
    }
    // By unit, then title: the title is looked up as the row's text, and copied only once.
    let mut courses: FxHashMap<UnitId, HashMap<String, Course>> = FxHashMap::default();
    let mut stmt = conn.prepare_cached(
        "SELECT unit_id, kind, status, person_id, title, planned_cost, actual_cost,
                planned_hours, actual_hours, confidential
         FROM action WHERE year = ?1",
    )?;
    let [unit_c, kind_c, status_c, person_c, title_c, planned_c, actual_c, ph_c, ah_c, conf_c] =
        crate::store::columns(
            &stmt,
            [
                "unit_id",
                "kind",
                "status",
                "person_id",
                "title",
                "planned_cost",
                "actual_cost",
                "planned_hours",
                "actual_hours",
                "confidential",
            ],
        )?;
    let mut rows = stmt.query([year])?;
    while let Some(r) = rows.next()? {
        let i: UnitId = r.get(unit_c)?;
        if r.get::<_, bool>(conf_c)? {
            *confidential.entry(i).or_default() += 1;
            continue;
        }
        let kind: ActionKind = r.get(kind_c)?;
        let status: ActionStatus = r.get(status_c)?;
        let planned: Option<i64> = r.get(planned_c)?;
        let actual: Option<i64> = r.get(actual_c)?;
        let fact = by_status
            .entry((i, kind, status))
            .or_insert_with(|| ActionFact {
                kind,
                status,
                count: 0,
                planned_cents: 0,
                actual_cents: 0,
            });
        fact.count += 1;
        fact.planned_cents += planned.unwrap_or(0);
        fact.actual_cents += actual.unwrap_or(0);
        if status == ActionStatus::Cancelled {
            continue;
        }
        let person: Option<PersonId> = r.get(person_c)?;
        if let Some(p) = person {
            participants.entry(i).or_default().insert(p);
        }
        if kind == ActionKind::Course {
            let titles = courses.entry(i).or_default();
            let title = r
                .get_ref(title_c)?
                .as_str()
                .map_err(rusqlite::Error::from)?;
            let course = match titles.get_mut(title) {
                Some(c) => c,
                None => titles.entry(title.to_owned()).or_default(),
            };
            if let Some(p) = person {
                if course.people.insert(p) {
                    match gender.get(&p) {
                        Some(Gender::Female) => course.women += 1,
                        Some(Gender::Male) => course.men += 1,
                        _ => {}
                    }
                }
            }
            let hours: Option<f64> = match r.get(ah_c)? {
                Some(h) => Some(h),
                None => r.get(ph_c)?,
            };
            course.quarters += hours.map_or(0, |h| (h * 4.0).round() as i64);
            course.cents += actual.or(planned).unwrap_or(0);
        }
    }
    let mut out: FxHashMap<UnitId, PlanFacts> = FxHashMap::default();
    for ((i, _, _), fact) in by_status {
        out.entry(i).or_default().actions.push(fact);
    }
    for (i, people) in participants {
        out.entry(i).or_default().participants = people.len() as u32;
    }
    for (i, n) in confidential {
        out.entry(i).or_default().confidential = n;
    }
    for (i, titles) in courses {
        let unit = out.entry(i).or_default();
        for (title, c) in titles {
            unit.education.push(EducationFact {
                title,
                participants: c.people.len() as u32,
                women: c.women,
                men: c.men,
                quarter_hours: c.quarters,
                cost_cents: c.cents,
            });
        }
    }
    Ok(out)
}

/// The year's assessed gaps, summed by unit, LUS or not, job family and competence: read from
/// the talk and assessment indexes alone; people's job families and the names come from the
/// person, job family and competence tables once each.
fn gap_facts(conn: &Connection, year: i32) -> Result<FxHashMap<UnitId, PlanFacts>> {
    let names = |sql: &str| -> Result<FxHashMap<i64, String>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query([])?;
        let mut out = FxHashMap::default();
        while let Some(r) = rows.next()? {
            out.insert(r.get(0)?, r.get(1)?);
        }
        Ok(out)
    };
    let family_names = names("SELECT id, name FROM job_family")?;
    let competence_names = names("SELECT id, name FROM competence")?;
    let mut family: FxHashMap<PersonId, i64> = FxHashMap::default();
    let mut stmt = conn
        .prepare_cached("SELECT id, job_family_id FROM person WHERE job_family_id IS NOT NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        family.insert(r.get(0)?, r.get(1)?);
    }
    // By unit, LUS or not, job family and competence: people and the sum of their gaps.
    type GapKey = (UnitId, bool, Option<i64>, i64);
    let mut gaps: FxHashMap<GapKey, (u32, u32)> = FxHashMap::default();
    let mut stmt = conn.prepare_cached(
        "SELECT t.unit_id, t.kind = 'lus' AS lus, s.person_id, s.competence_id,
                max(s.desired_level - s.agreed_level, 0) AS gap
         FROM talk t JOIN assessment s ON s.talk_id = t.id
         WHERE t.year = ?1 AND t.state != 'cancelled'
           AND s.agreed_level IS NOT NULL AND s.desired_level IS NOT NULL",
    )?;
    let [unit_c, lus_c, person_c, competence_c, gap_c] = crate::store::columns(
        &stmt,
        ["unit_id", "lus", "person_id", "competence_id", "gap"],
    )?;
    let mut rows = stmt.query([year])?;
    while let Some(r) = rows.next()? {
        let lus: bool = r.get(lus_c)?;
        // A leader's competences are counted apart from any job family.
        let family = if lus {
            None
        } else {
            family.get(&r.get::<_, PersonId>(person_c)?).copied()
        };
        let e = gaps
            .entry((r.get(unit_c)?, lus, family, r.get(competence_c)?))
            .or_default();
        e.0 += 1;
        e.1 += r.get::<_, u32>(gap_c)?;
    }
    let mut out: FxHashMap<UnitId, PlanFacts> = FxHashMap::default();
    for ((i, lus, family, competence), (people, gap_sum)) in gaps {
        let fact = GapFact {
            job_family: family
                .and_then(|f| family_names.get(&f).cloned())
                .unwrap_or_default(),
            competence: competence_names
                .get(&competence)
                .cloned()
                .unwrap_or_default(),
            people,
            gap_sum,
        };
        let unit = out.entry(i).or_default();
        if lus {
            unit.leader_gaps.push(fact);
        } else {
            unit.gaps.push(fact);
        }
    }
    Ok(out)
}

/// Every unit's facts of `year` at and below `root` (the organisation when `None`), in the
/// tree's order.
///
/// With `file` (the store's path) the actions and the assessments are read on read-only
/// connections of their own, on two more threads, while this one reads the year's cycle: the
/// three parts take about as long each, and a laptop has more than one core.
pub fn facts(
    conn: &Connection,
    file: Option<crate::store::StoreFile<'_>>,
    clock: &dyn Clock,
    year: i32,
    root: Option<UnitId>,
) -> Result<Vec<UnitFacts>> {
    crate::actions::plan::check_year(year)?;
    // Read once: the cycle's scope comes from it, and the paths through the whole tree, so a
    // subtree's units keep the names above them.
    let tree = crate::units::tree_with(conn, false, false)?;
    let mut paths: HashMap<UnitId, Vec<String>> = HashMap::with_capacity(tree.len());
    for u in &tree {
        let mut path = u
            .parent_id
            .and_then(|p| paths.get(&p).cloned())
            .unwrap_or_default();
        path.push(u.name.clone());
        paths.insert(u.id, path);
    }
    // The year's actions and its assessments each on a read-only connection of their own
    // while this one reads the cycle: three parts of about equal size.
    let (cycle, actions, gaps) = match file {
        Some(path) => std::thread::scope(|scope| {
            let on_reader = |part: fn(&Connection, i32) -> Result<FxHashMap<UnitId, PlanFacts>>| {
                scope.spawn(move || part(&path.reader()?, year))
            };
            let actions = on_reader(action_facts);
            let gaps = on_reader(gap_facts);
            let cycle = cycle::people_of(conn, clock, year, root, tree);
            let joined = |h: std::thread::ScopedJoinHandle<'_, Result<_>>| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Storage {
                        detail: "a reading thread failed".into(),
                    })
                })
            };
            (cycle, joined(actions), joined(gaps))
        }),
        None => (
            cycle::people_of(conn, clock, year, root, tree),
            action_facts(conn, year),
            gap_facts(conn, year),
        ),
    };
    let (units, people) = cycle?;
    let (actions, gaps) = (actions?, gaps?);
    let mut out: Vec<UnitFacts> = units
        .iter()
        .map(|u| {
            UnitFacts::new(
                paths.remove(&u.id).unwrap_or_else(|| vec![u.name.clone()]),
                u.manager_name.clone(),
            )
        })
        .collect();
    let at: FxHashMap<UnitId, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();

    // By unit, kind and leader: due, held, overdue. Keyed by the leader's id, named after.
    type TalkKey = (usize, TalkKind, Option<PersonId>);
    let mut talks: BTreeMap<TalkKey, (u32, u32, u32)> = BTreeMap::new();
    let mut leaders: FxHashMap<PersonId, &str> = FxHashMap::default();
    for p in &people {
        let Some(&i) = at.get(&p.unit_id) else {
            continue;
        };
        let leader = p.leader.as_ref().map(|l| {
            leaders.entry(l.person_id).or_insert(l.name.as_str());
            l.person_id
        });
        let e = talks.entry((i, p.due, leader)).or_default();
        e.0 += 1;
        e.1 += u32::from(p.progress >= Progress::Held);
        e.2 += u32::from(p.overdue);
    }
    for ((i, kind, leader), (due, held, overdue)) in talks {
        out[i].talks.push(TalkFact {
            kind,
            leader: leader.map(|l| leaders[&l].to_owned()),
            due,
            held,
            overdue,
        });
    }
    for (unit, p) in actions.into_iter().chain(gaps) {
        let Some(&i) = at.get(&unit) else { continue };
        let f = &mut out[i];
        f.actions.extend(p.actions);
        f.participants += p.participants;
        f.education.extend(p.education);
        f.gaps.extend(p.gaps);
        f.leader_gaps.extend(p.leader_gaps);
        f.confidential += p.confidential;
    }
    // One order for the lists, whatever the maps' order was.
    for f in &mut out {
        f.actions.sort_by_key(|a| (a.kind, a.status));
        f.education.sort_by(|a, b| a.title.cmp(&b.title));
        f.gaps
            .sort_by(|a, b| (&a.job_family, &a.competence).cmp(&(&b.job_family, &b.competence)));
        f.leader_gaps
            .sort_by(|a, b| a.competence.cmp(&b.competence));
    }
    Ok(out)
}

/// Counts of one line of a talks view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkCounts {
    pub due: u32,
    pub held: u32,
    pub overdue: u32,
}

impl TalkCounts {
    fn add(&mut self, f: &TalkFact) {
        self.due += f.due;
        self.held += f.held;
        self.overdue += f.overdue;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkLine {
    /// The unit's path, or the manager's name, or empty for the kind view.
    pub label: String,
    pub manager: String,
    pub kind: Option<TalkKind>,
    pub counts: TalkCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionLine {
    pub kind: Option<ActionKind>,
    /// Counts in the order of [`ActionStatus::ALL`].
    pub by_status: Vec<u32>,
    pub total: u32,
    pub planned_cents: i64,
    pub actual_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EducationLine {
    pub title: String,
    pub participants: u32,
    pub women: u32,
    pub men: u32,
    pub quarter_hours: i64,
    pub cost_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GapLine {
    pub job_family: String,
    /// The unit's path; empty in the organisation-wide view.
    pub unit: String,
    pub competence: String,
    pub people: u32,
    pub gap_sum: u32,
}

impl GapLine {
    pub fn mean(&self) -> f64 {
        mean_gap(self.gap_sum, self.people)
    }
}

fn mean_gap(gap_sum: u32, people: u32) -> f64 {
    if people == 0 {
        0.0
    } else {
        gap_sum as f64 / people as f64
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HrSummary {
    pub organisation: String,
    /// The scope's top unit, or empty for the whole organisation.
    pub scope: String,
    pub year: i32,
    pub min_group: u32,
    /// Units with anyone due or any action.
    pub units: u32,
    pub by_unit: Vec<TalkLine>,
    pub by_manager: Vec<TalkLine>,
    pub by_kind: Vec<TalkLine>,
    pub total: TalkCounts,
    pub actions: Vec<ActionLine>,
    pub participants: u32,
    /// Confidential actions: counted, and in no other figure of the summary.
    pub confidential: u32,
    pub education: Vec<EducationLine>,
    /// The largest mean gaps per job family and competence, across the units.
    pub gaps_by_family: Vec<GapLine>,
    /// The largest mean gaps per unit, job family and competence.
    pub gaps_by_unit: Vec<GapLine>,
    /// Leader competences by mean gap in LUS talks.
    pub leader_needs: Vec<GapLine>,
    /// Which by-unit line shares people with which by-manager line (indexes into
    /// [`HrSummary::by_unit`] and [`HrSummary::by_manager`]): what ties the two views' counts
    /// together, for suppression. The writer's, not the UI's.
    #[serde(skip)]
    pub links: Vec<(u32, u32)>,
}

/// A gap line while the summary is folded: borrowed from the facts, so the tens of thousands
/// of lines of a large organisation cost no copies; only the top ones are made [`GapLine`]s.
struct GapRef<'a> {
    job_family: &'a str,
    unit: &'a str,
    competence: &'a str,
    people: u32,
    gap_sum: u32,
}

impl GapRef<'_> {
    fn mean(&self) -> f64 {
        mean_gap(self.gap_sum, self.people)
    }
}

/// The lines with a gap, largest mean first (then most people; ties by name, so the order is
/// stable), at most `limit`.
fn sorted_gaps(mut lines: Vec<GapRef<'_>>, limit: usize) -> Vec<GapLine> {
    lines.retain(|l| l.gap_sum > 0);
    lines.sort_by(|a, b| {
        b.mean()
            .total_cmp(&a.mean())
            .then(b.people.cmp(&a.people))
            .then_with(|| {
                (a.job_family, a.unit, a.competence).cmp(&(b.job_family, b.unit, b.competence))
            })
    });
    lines
        .into_iter()
        .take(limit)
        .map(|l| GapLine {
            job_family: l.job_family.to_owned(),
            unit: l.unit.to_owned(),
            competence: l.competence.to_owned(),
            people: l.people,
            gap_sum: l.gap_sum,
        })
        .collect()
}

/// Folds units' facts into the summary's views. The order of `facts` does not matter.
pub fn summarise(
    organisation: &str,
    scope: &str,
    year: i32,
    min_group: u32,
    facts: &[UnitFacts],
) -> HrSummary {
    let mut by_unit = Vec::new();
    let mut unit_leaders: Vec<(u32, &str, TalkKind)> = Vec::new();
    let mut by_manager: BTreeMap<(&str, TalkKind), TalkCounts> = BTreeMap::new();
    let mut by_kind: BTreeMap<TalkKind, TalkCounts> = BTreeMap::new();
    let mut total = TalkCounts::default();
    let mut actions: BTreeMap<ActionKind, ActionLine> = BTreeMap::new();
    let mut participants = 0;
    let mut confidential = 0;
    let mut education: BTreeMap<&str, EducationLine> = BTreeMap::new();
    let mut by_family: BTreeMap<(&str, &str), (u32, u32)> = BTreeMap::new();
    let mut by_unit_gaps = Vec::new();
    let mut leaders: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut ordered: Vec<&UnitFacts> = facts.iter().collect();
    ordered.sort_by(|a, b| a.path.cmp(&b.path));
    let paths: Vec<String> = ordered.iter().map(|f| f.path.join(" / ")).collect();
    for (f, path) in ordered.iter().zip(&paths) {
        let mut kinds: BTreeMap<TalkKind, TalkCounts> = BTreeMap::new();
        for t in &f.talks {
            kinds.entry(t.kind).or_default().add(t);
            by_manager
                .entry((t.leader.as_deref().unwrap_or(""), t.kind))
                .or_default()
                .add(t);
            by_kind.entry(t.kind).or_default().add(t);
            total.add(t);
        }
        // Each fact's leader shares people with the unit's line of the fact's kind.
        let first = by_unit.len();
        for t in &f.talks {
            let line = first + kinds.range(..t.kind).count();
            unit_leaders.push((line as u32, t.leader.as_deref().unwrap_or(""), t.kind));
        }
        for (kind, counts) in kinds {
            by_unit.push(TalkLine {
                label: path.clone(),
                manager: f.manager.clone().unwrap_or_default(),
                kind: Some(kind),
                counts,
            });
        }
        for a in &f.actions {
            let line = actions.entry(a.kind).or_insert_with(|| ActionLine {
                kind: Some(a.kind),
                by_status: vec![0; ActionStatus::ALL.len()],
                total: 0,
                planned_cents: 0,
                actual_cents: 0,
            });
            let s = ActionStatus::ALL
                .iter()
                .position(|s| *s == a.status)
                .unwrap_or(0);
            line.by_status[s] += a.count;
            line.total += a.count;
            line.planned_cents += a.planned_cents;
            line.actual_cents += a.actual_cents;
        }
        participants += f.participants;
        confidential += f.confidential;
        for e in &f.education {
            let line = education
                .entry(e.title.as_str())
                .or_insert_with(|| EducationLine {
                    title: e.title.clone(),
                    participants: 0,
                    women: 0,
                    men: 0,
                    quarter_hours: 0,
                    cost_cents: 0,
                });
            line.participants += e.participants;
            line.women += e.women;
            line.men += e.men;
            line.quarter_hours += e.quarter_hours;
            line.cost_cents += e.cost_cents;
        }
        for g in &f.gaps {
            let e = by_family
                .entry((g.job_family.as_str(), g.competence.as_str()))
                .or_default();
            e.0 += g.people;
            e.1 += g.gap_sum;
            by_unit_gaps.push(GapRef {
                job_family: &g.job_family,
                unit: path,
                competence: &g.competence,
                people: g.people,
                gap_sum: g.gap_sum,
            });
        }
        for g in &f.leader_gaps {
            let e = leaders.entry(g.competence.as_str()).or_default();
            e.0 += g.people;
            e.1 += g.gap_sum;
        }
    }
    let mut actions: Vec<ActionLine> = actions.into_values().collect();
    let mut all = ActionLine {
        kind: None,
        by_status: vec![0; ActionStatus::ALL.len()],
        total: 0,
        planned_cents: 0,
        actual_cents: 0,
    };
    for a in &actions {
        for (t, n) in all.by_status.iter_mut().zip(&a.by_status) {
            *t += n;
        }
        all.total += a.total;
        all.planned_cents += a.planned_cents;
        all.actual_cents += a.actual_cents;
    }
    actions.push(all);
    let manager_line: HashMap<(&str, TalkKind), u32> = by_manager
        .keys()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
        .collect();
    let mut links: Vec<(u32, u32)> = unit_leaders
        .into_iter()
        .filter_map(|(u, leader, kind)| Some((u, *manager_line.get(&(leader, kind))?)))
        .collect();
    links.sort_unstable();
    links.dedup();
    let mut education: Vec<EducationLine> = education.into_values().collect();
    education.sort_by(|a, b| {
        b.participants
            .cmp(&a.participants)
            .then(a.title.cmp(&b.title))
    });
    HrSummary {
        organisation: organisation.to_owned(),
        scope: scope.to_owned(),
        year,
        min_group,
        units: facts
            .iter()
            .filter(|f| !f.talks.is_empty() || !f.actions.is_empty() || f.confidential > 0)
            .count() as u32,
        by_unit,
        by_manager: by_manager
            .into_iter()
            .map(|((manager, kind), counts)| TalkLine {
                label: manager.to_owned(),
                manager: manager.to_owned(),
                kind: Some(kind),
                counts,
            })
            .collect(),
        by_kind: by_kind
            .into_iter()
            .map(|(kind, counts)| TalkLine {
                label: String::new(),
                manager: String::new(),
                kind: Some(kind),
                counts,
            })
            .collect(),
        total,
        actions,
        participants,
        confidential,
        education,
        gaps_by_family: sorted_gaps(
            by_family
                .into_iter()
                .map(|((job_family, competence), (people, gap_sum))| GapRef {
                    job_family,
                    unit: "",
                    competence,
                    people,
                    gap_sum,
                })
                .collect(),
            TOP_GAPS,
        ),
        gaps_by_unit: sorted_gaps(by_unit_gaps, TOP_GAPS),
        leader_needs: sorted_gaps(
            leaders
                .into_iter()
                .map(|(competence, (people, gap_sum))| GapRef {
                    job_family: "",
                    unit: "",
                    competence,
                    people,
                    gap_sum,
                })
                .collect(),
            TOP_GAPS,
        ),
        links,
    }
}

/// The summary of `year` over the store's own units at and below `root`.
pub fn summary(
    conn: &Connection,
    file: Option<crate::store::StoreFile<'_>>,
    clock: &dyn Clock,
    year: i32,
    root: Option<UnitId>,
) -> Result<HrSummary> {
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    // Everyone is due a talk every year; a year with no talk and no action has nothing to say.
    let any: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM talk WHERE year = ?1)
             OR EXISTS (SELECT 1 FROM action WHERE year = ?1)",
        [year],
        |r| r.get(0),
    )?;
    if !any {
        crate::actions::plan::check_year(year)?;
        return Err(export_error(ExportProblem::NoData));
    }
    let facts = facts(conn, file, clock, year, root)?;
    let scope = match root {
        Some(u) => crate::units::path(conn, u)?.join(" / "),
        None => String::new(),
    };
    Ok(summarise(
        &org.name,
        &scope,
        year,
        crate::settings::min_group(conn)?,
        &facts,
    ))
}

// ---------------------------------------------------------------------------------------------
// Writing it

/// Where a count sits: sheet, row, column.
type Place = (usize, usize, usize);

/// The summary's counts while its sheets are made: each with its place, the equations between
/// them (the [`suppress::Table`]), and the figures derived from counts (a share, a cost per
/// participant, a mean) that must go when one of their counts is hidden.
struct Counts {
    table: suppress::Table,
    /// By cell, in the table's order; `None` for a count only the equations hold.
    places: Vec<Option<Place>>,
    derived: Vec<(Place, Vec<CellId>)>,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            table: suppress::Table::new(),
            places: Vec::new(),
            derived: Vec::new(),
        }
    }

    /// A count the sheet shows at `place` (as its number for now).
    fn shown(&mut self, n: u32, place: Place) -> (CellId, Cell) {
        self.places.push(Some(place));
        (self.table.cell(n), Cell::count(n))
    }

    /// A count with a place that the writer leaves out anyway (the cell stays as made).
    fn withheld(&mut self, n: u32, place: Place) -> CellId {
        self.places.push(Some(place));
        self.table.withheld(n)
    }

    /// A count no sheet shows that the equations need (the rest of a total).
    fn implicit(&mut self, n: u32) -> CellId {
        self.places.push(None);
        self.table.implicit(n)
    }

    fn derived(&mut self, place: Place, from: &[CellId]) {
        self.derived.push((place, from.to_vec()));
    }

    /// Hides what [`suppress::Table::suppress`] says to, in the sheets.
    fn apply(self, sheets: &mut [Sheet], min: u32) {
        let shown = self.table.suppress(min);
        fn cell(sheets: &mut [Sheet], (s, r, c): Place) -> Option<&mut Cell> {
            sheets.get_mut(s)?.rows.get_mut(r)?.get_mut(c)
        }
        for (place, how) in self.places.iter().zip(&shown) {
            let Some(place) = place else { continue };
            let made = match how {
                Shown::Visible | Shown::Withheld => continue,
                Shown::Small => Cell::Suppressed(min),
                Shown::Masked => Cell::Masked,
            };
            if let Some(c) = cell(sheets, *place) {
                *c = made;
            }
        }
        for (place, from) in &self.derived {
            let hidden = from
                .iter()
                .any(|id| matches!(shown[id.index()], Shown::Small | Shown::Masked));
            if hidden {
                if let Some(c) = cell(sheets, *place) {
                    *c = Cell::Empty;
                }
            }
        }
    }
}

/// A share, a mean or a per-person figure of a group: left out with a small group.
fn of_group(n: u32, min: u32, cell: Cell) -> Cell {
    if n < min.max(1) {
        Cell::Empty
    } else {
        cell
    }
}

fn share(part: u32, of: u32) -> f64 {
    if of == 0 {
        0.0
    } else {
        part as f64 / of as f64
    }
}

fn kind_word(words: &Words, kind: Option<TalkKind>) -> String {
    match kind {
        Some(k) => words.export(&format!("kinds.{}", k.as_str())).to_owned(),
        None => words.export("totals").to_owned(),
    }
}

/// A talks view as sheet `at`, its counts in `counts`: due, held and overdue of each line
/// (the total's last, if any).
#[allow(clippy::too_many_arguments)]
fn talk_sheet(
    name: &str,
    first: Vec<Column>,
    lines: &[TalkLine],
    total: Option<TalkCounts>,
    min: u32,
    words: &Words,
    counts: &mut Counts,
    at: usize,
    first_cells: impl Fn(&TalkLine) -> Vec<Cell>,
) -> (Sheet, Vec<[CellId; 3]>) {
    let w = |k: &str| words.export(k).to_owned();
    let mut columns = first;
    columns.extend([
        Column::new(w("talkKind"), 22.0),
        Column::new(w("talksDue"), 10.0),
        Column::new(w("held"), 10.0),
        Column::new(w("shareHeld"), 12.0),
        Column::new(w("overdue"), 12.0),
    ]);
    let mut sheet = Sheet::new(name, columns);
    let mut ids = Vec::with_capacity(lines.len() + 1);
    let mut row =
        |sheet: &mut Sheet, mut row: Vec<Cell>, kind: Option<TalkKind>, c: &TalkCounts| {
            let (r, k) = (sheet.rows.len(), row.len());
            let (due, due_cell) = counts.shown(c.due, (at, r, k + 1));
            let (held, held_cell) = counts.shown(c.held, (at, r, k + 2));
            let (overdue, overdue_cell) = counts.shown(c.overdue, (at, r, k + 4));
            // A share and the due count give the held count back: shown only with both.
            counts.derived((at, r, k + 3), &[due, held]);
            row.extend([
                Cell::text(kind_word(words, kind)),
                due_cell,
                held_cell,
                of_group(
                    if c.held == 0 {
                        c.due
                    } else {
                        c.due.min(c.held)
                    },
                    min,
                    Cell::Number(share(c.held, c.due), Measure::Share),
                ),
                overdue_cell,
            ]);
            sheet.push(row);
            ids.push([due, held, overdue]);
        };
    for l in lines {
        row(&mut sheet, first_cells(l), l.kind, &l.counts);
    }
    if let Some(t) = total {
        let blanks = sheet.columns.len() - 5;
        row(&mut sheet, vec![Cell::Empty; blanks], None, &t);
    }
    (sheet, ids)
}

/// The lines of `parts` of each kind add up to the kind's line of `kinds`: the by-unit and
/// by-manager views against the by-kind view.
fn by_kind_sums(
    table: &mut suppress::Table,
    parts: &[TalkLine],
    part_ids: &[[CellId; 3]],
    kinds: &[TalkLine],
    kind_ids: &[[CellId; 3]],
) {
    for (k, kind) in kinds.iter().zip(kind_ids) {
        for m in 0..3 {
            let of_kind: Vec<CellId> = parts
                .iter()
                .zip(part_ids)
                .filter(|(l, _)| l.kind == k.kind)
                .map(|(_, ids)| ids[m])
                .collect();
            table.sum(&of_kind, kind[m]);
        }
    }
}

/// The units and leaders that share people, in groups: the people of a group's units are the
/// people of its leaders, so each group's unit lines and leader lines balance. (Most groups
/// are one unit and its manager: the two lines are one count.)
fn unit_leader_balances(
    table: &mut suppress::Table,
    links: &[(u32, u32)],
    unit_ids: &[[CellId; 3]],
    manager_ids: &[[CellId; 3]],
) {
    // Union–find over the unit lines, then the manager lines after them.
    let n = unit_ids.len() + manager_ids.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(u, m) in links {
        let (u, m) = (u as usize, unit_ids.len() + m as usize);
        if u >= unit_ids.len() || m >= n {
            continue;
        }
        let (a, b) = (root(&mut parent, u), root(&mut parent, m));
        parent[a] = b;
    }
    let mut groups: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        let g = groups.entry(r).or_default();
        if i < unit_ids.len() {
            g.0.push(i);
        } else {
            g.1.push(i - unit_ids.len());
        }
    }
    for (units, managers) in groups.values() {
        if units.is_empty() || managers.is_empty() {
            continue;
        }
        for m in 0..3 {
            let left: Vec<CellId> = units.iter().map(|u| unit_ids[*u][m]).collect();
            let right: Vec<CellId> = managers.iter().map(|l| manager_ids[*l][m]).collect();
            table.balance(&left, &right);
        }
    }
}

/// The summary as sheets: one per view. Both the workbook and the PDF are written from them.
///
/// Every count is hidden as the minimum group asks: "<N" when small, ".." when hidden with a
/// small one so that the totals do not give it back (see [`suppress`]). The equations stated
/// for that, across the sheets:
/// - talks by kind: each column's kinds add up to the totals row;
/// - talks by unit and by manager: each kind's lines add up to the kind's line of the by-kind
///   view, and each group of units and leaders sharing people balances (their incidence is
///   [`HrSummary::links`]);
/// - actions: each kind's statuses add up to its total, each status's kinds to the totals row;
/// - education: a course's women, men and the rest (an implied count) add up to its
///   participants;
/// - gaps by unit add up to the gaps by job family where all of a line's units are listed.
///
/// Not stated, as they are not equations of counts of people: the participants of the cost
/// sheet against the actions (people against actions), the money (no one's), and the ordering
/// of `held ≤ due`, `overdue ≤ due` (bounds, see [`suppress`]).
pub fn sheets(s: &HrSummary, words: &Words) -> Vec<Sheet> {
    let w = |k: &str| words.export(k).to_owned();
    let min = s.min_group;
    let mut counts = Counts::new();
    let mut out = Vec::new();
    let (sheet, unit_ids) = talk_sheet(
        words.export("sheetTalksByUnit"),
        vec![
            Column::new(w("unit"), 50.0),
            Column::new(w("manager"), 26.0),
        ],
        &s.by_unit,
        None,
        min,
        words,
        &mut counts,
        out.len(),
        |l| vec![Cell::text(&l.label), Cell::text(&l.manager)],
    );
    out.push(sheet);
    let (sheet, manager_ids) = talk_sheet(
        words.export("sheetTalksByManager"),
        vec![Column::new(w("manager"), 30.0)],
        &s.by_manager,
        None,
        min,
        words,
        &mut counts,
        out.len(),
        |l| vec![Cell::text(&l.manager)],
    );
    out.push(sheet);
    let (sheet, mut kind_ids) = talk_sheet(
        words.export("sheetTalksByKind"),
        Vec::new(),
        &s.by_kind,
        Some(s.total),
        min,
        words,
        &mut counts,
        out.len(),
        |_| Vec::new(),
    );
    out.push(sheet);
    if let Some(total) = kind_ids.pop() {
        for m in 0..3 {
            let kinds: Vec<CellId> = kind_ids.iter().map(|ids| ids[m]).collect();
            counts.table.sum(&kinds, total[m]);
        }
    }
    by_kind_sums(
        &mut counts.table,
        &s.by_unit,
        &unit_ids,
        &s.by_kind,
        &kind_ids,
    );
    by_kind_sums(
        &mut counts.table,
        &s.by_manager,
        &manager_ids,
        &s.by_kind,
        &kind_ids,
    );
    unit_leader_balances(&mut counts.table, &s.links, &unit_ids, &manager_ids);

    let mut columns = vec![Column::new(w("kind"), 28.0)];
    columns.extend(
        ActionStatus::ALL
            .iter()
            .map(|st| Column::new(words.status(*st), 12.0)),
    );
    columns.extend([
        Column::new(w("totals"), 10.0),
        Column::new(w("plannedCost"), 16.0),
        Column::new(w("actualCost"), 16.0),
    ]);
    let mut actions = Sheet::new(words.export("actions"), columns);
    // By line: its statuses' counts, then its total.
    let mut action_ids: Vec<Vec<CellId>> = Vec::new();
    for a in &s.actions {
        let r = actions.rows.len();
        let mut row = vec![Cell::text(match a.kind {
            Some(k) => words.kind(k).to_owned(),
            None => w("totals"),
        })];
        let mut ids = Vec::with_capacity(a.by_status.len() + 1);
        for n in a.by_status.iter().chain([&a.total]) {
            let (id, cell) = counts.shown(*n, (out.len(), r, row.len()));
            ids.push(id);
            row.push(cell);
        }
        row.extend([
            Cell::money(Some(a.planned_cents as f64 / 100.0)),
            Cell::money(Some(a.actual_cents as f64 / 100.0)),
        ]);
        actions.push(row);
        action_ids.push(ids);
    }
    if let Some((totals, kinds)) = action_ids.split_last() {
        for ids in &action_ids {
            if let Some((total, statuses)) = ids.split_last() {
                counts.table.sum(statuses, *total);
            }
        }
        for (c, total) in totals.iter().enumerate() {
            let column: Vec<CellId> = kinds.iter().map(|ids| ids[c]).collect();
            counts.table.sum(&column, *total);
        }
    }
    out.push(actions);

    let all = s.actions.last();
    let planned = all.map_or(0, |a| a.planned_cents) as f64 / 100.0;
    let actual = all.map_or(0, |a| a.actual_cents) as f64 / 100.0;
    let per = |v: f64| {
        of_group(
            s.participants,
            min,
            Cell::money(Some(if s.participants == 0 {
                0.0
            } else {
                v / s.participants as f64
            })),
        )
    };
    let mut cost = Sheet::new(
        words.export("sheetCost"),
        vec![
            Column::new(String::new(), 36.0),
            Column::new(String::new(), 18.0),
        ],
    );
    let at = out.len();
    let (participants, participants_cell) = counts.shown(s.participants, (at, 2, 1));
    let (_, confidential_cell) = counts.shown(s.confidential, (at, 5, 1));
    counts.derived((at, 3, 1), &[participants]);
    counts.derived((at, 4, 1), &[participants]);
    for (label, cell) in [
        (w("plannedCost"), Cell::money(Some(planned))),
        (w("actualCost"), Cell::money(Some(actual))),
        (w("participants"), participants_cell),
        (w("plannedPerParticipant"), per(planned)),
        (w("actualPerParticipant"), per(actual)),
        // Counted, never named: the one figure of confidential actions.
        (w("confidential"), confidential_cell),
    ] {
        cost.push(vec![Cell::Text(label), cell]);
    }
    out.push(cost);

    let mut education = Sheet::new(
        words.export("sheetEducation"),
        vec![
            Column::new(w("action"), 40.0),
            Column::new(w("participants"), 12.0),
            Column::new(w("hours"), 10.0),
            Column::new(w("costPerParticipant"), 16.0),
            Column::new(w("women"), 10.0),
            Column::new(w("men"), 10.0),
        ],
    );
    let at = out.len();
    for e in &s.education {
        let r = education.rows.len();
        let n = e.participants.max(1) as f64;
        let (all, all_cell) = counts.shown(e.participants, (at, r, 1));
        counts.derived((at, r, 3), &[all]);
        // The split describes the smaller group too: both sides must be large enough.
        let split = e.women.min(e.men) >= min;
        let mut side = |n: u32, c: usize| {
            if split {
                counts.shown(n, (at, r, c))
            } else {
                (counts.withheld(n, (at, r, c)), Cell::Empty)
            }
        };
        let (women, women_cell) = side(e.women, 4);
        let (men, men_cell) = side(e.men, 5);
        // Those of neither (or no recorded) gender: never shown, but the participants less
        // the split would give them.
        let rest = counts.implicit(e.participants.saturating_sub(e.women + e.men));
        counts.table.sum(&[women, men, rest], all);
        education.push(vec![
            Cell::text(&e.title),
            all_cell,
            Cell::hours(Some(e.quarter_hours as f64 / 4.0)),
            of_group(
                e.participants,
                min,
                Cell::money(Some(e.cost_cents as f64 / 100.0 / n)),
            ),
            women_cell,
            men_cell,
        ]);
    }
    out.push(education);

    let mut gap_sheet =
        |name: &str, lines: &[GapLine], with_family: bool, with_unit: bool, at: usize| {
            let mut columns = Vec::new();
            if with_family {
                columns.push(Column::new(w("jobFamily"), 28.0));
            }
            if with_unit {
                columns.push(Column::new(w("unit"), 44.0));
            }
            columns.extend([
                Column::new(w("competence"), 32.0),
                Column::new(w("assessed"), 12.0),
                Column::new(w("meanGap"), 12.0),
            ]);
            let mut sheet = Sheet::new(name, columns);
            let mut ids = Vec::with_capacity(lines.len());
            for g in lines {
                let r = sheet.rows.len();
                let mut row = Vec::new();
                if with_family {
                    row.push(Cell::text(&g.job_family));
                }
                if with_unit {
                    row.push(Cell::text(&g.unit));
                }
                row.push(Cell::text(&g.competence));
                let (people, people_cell) = counts.shown(g.people, (at, r, row.len()));
                counts.derived((at, r, row.len() + 1), &[people]);
                row.extend([
                    people_cell,
                    of_group(
                        g.people,
                        min,
                        Cell::Number((g.mean() * 100.0).round() / 100.0, Measure::Hours),
                    ),
                ]);
                sheet.push(row);
                ids.push(people);
            }
            (sheet, ids)
        };
    let (sheet, family_ids) = gap_sheet(
        words.export("sheetGapsByFamily"),
        &s.gaps_by_family,
        true,
        false,
        out.len(),
    );
    out.push(sheet);
    let (sheet, unit_gap_ids) = gap_sheet(
        words.export("sheetGapsByUnit"),
        &s.gaps_by_unit,
        true,
        true,
        out.len(),
    );
    out.push(sheet);
    let (sheet, _) = gap_sheet(
        words.export("sheetLeaderNeeds"),
        &s.leader_needs,
        false,
        false,
        out.len(),
    );
    out.push(sheet);
    // A family's line is the sum of its units' lines when all of them are listed (the views
    // hold the largest gaps only, and a unit's line without a gap is left out).
    let mut of_family: BTreeMap<(&str, &str), (u32, Vec<CellId>)> = BTreeMap::new();
    for (g, id) in s.gaps_by_unit.iter().zip(&unit_gap_ids) {
        let e = of_family
            .entry((g.job_family.as_str(), g.competence.as_str()))
            .or_default();
        e.0 += g.people;
        e.1.push(*id);
    }
    for (g, id) in s.gaps_by_family.iter().zip(&family_ids) {
        if let Some((people, parts)) =
            of_family.get(&(g.job_family.as_str(), g.competence.as_str()))
        {
            if *people == g.people {
                counts.table.sum(parts, *id);
            }
        }
    }
    counts.apply(&mut out, min);
    out
}

pub fn render(
    s: &HrSummary,
    format: ExportFormat,
    language: Language,
    made_on: NaiveDate,
) -> Result<Vec<u8>> {
    let words = Words::of(language);
    let locale = Locale::new(language);
    match format {
        ExportFormat::Xlsx => super::xlsx::write(&sheets(s, words)),
        ExportFormat::Csv | ExportFormat::Json => {
            Err(export_error(ExportProblem::FormatNotOffered))
        }
        ExportFormat::Pdf => super::pdf::render(
            super::pdf::Template::HrSummary,
            &pdf_data(s, words, &locale, made_on),
            language,
        ),
    }
}

/// One cell of a view on screen: the text the file shows in that place, and the number
/// behind it for a chart (`None` for text, an empty cell and a hidden count).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ViewCell {
    pub text: String,
    pub value: Option<f64>,
    pub measure: Option<Measure>,
    /// A count left out for privacy ("<5" or "..").
    pub hidden: bool,
}

/// One view of the summary as the screen shows it: a sheet of the export.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<ViewCell>>,
}

/// HR's summary on screen, before anything is exported.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HrSummaryView {
    pub year: i32,
    pub scope: String,
    pub min_group: u32,
    pub views: Vec<SummaryView>,
}

/// The summary's views as the screen shows them: the very sheets the XLSX file and the PDF are
/// made of ([`sheets`], with its small-group suppression), cell by cell in the language's
/// words and numbers, so what HR sees cannot differ from what HR exports.
pub fn view(s: &HrSummary, language: Language) -> HrSummaryView {
    let locale = Locale::new(language);
    let views = sheets(s, Words::of(language))
        .into_iter()
        .map(|sheet| SummaryView {
            name: sheet.name,
            columns: sheet.columns.into_iter().map(|c| c.title).collect(),
            rows: sheet
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|cell| {
                            let (value, measure) = match cell {
                                Cell::Number(n, m) => (Some(*n), Some(*m)),
                                _ => (None, None),
                            };
                            ViewCell {
                                text: cell.display(&locale),
                                value,
                                measure,
                                hidden: matches!(cell, Cell::Suppressed(_) | Cell::Masked),
                            }
                        })
                        .collect()
                })
                .collect(),
        })
        .collect();
    HrSummaryView {
        year: s.year,
        scope: s.scope.clone(),
        min_group: s.min_group,
        views,
    }
}

pub fn suggested_name(s: &HrSummary, format: ExportFormat, language: Language) -> String {
    let words = Words::of(language);
    super::file_name(
        &[
            words.export("hrSummaryFile"),
            &s.year.to_string(),
            s.scope.rsplit(" / ").next().unwrap_or(""),
        ],
        format,
    )
}

/// A view for the PDF: its title, column titles and rows as text, and optionally a bar per
/// row (0–1) for a chart.
#[derive(Serialize)]
struct PdfTable {
    title: String,
    columns: Vec<String>,
    /// Columns from this one on are numbers, aligned right.
    #[serde(rename = "numericFrom")]
    numeric_from: usize,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct PdfBar {
    label: String,
    value: f64,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdfSummary {
    title: String,
    subtitle: String,
    made: String,
    page: String,
    privacy: String,
    held_chart_title: String,
    held_chart: Vec<PdfBar>,
    needs_chart_title: String,
    needs_chart: Vec<PdfBar>,
    tables: Vec<PdfTable>,
}

fn pdf_data(
    s: &HrSummary,
    words: &Words,
    locale: &Locale,
    made_on: NaiveDate,
) -> serde_json::Value {
    let w = |k: &str| words.export(k).to_owned();
    let min = s.min_group;
    let sheets = sheets(s, words);
    // The share held by kind and in all, as the by-kind view shows it: a share left out there
    // (of a small or hidden count) has no bar either.
    let held_chart = sheets
        .iter()
        .find(|sheet| sheet.name == Sheet::new(words.export("sheetTalksByKind"), Vec::new()).name)
        .map(|sheet| {
            let kinds = s.by_kind.iter().map(|l| l.kind).chain([None]);
            sheet
                .rows
                .iter()
                .zip(kinds)
                .filter_map(|(row, kind)| match row.get(3) {
                    Some(Cell::Number(v, Measure::Share)) => Some(PdfBar {
                        label: kind_word(words, kind),
                        value: *v,
                        text: locale.percent(*v),
                    }),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut tables: Vec<PdfTable> = sheets
        .into_iter()
        // The by-unit and by-manager views can run to thousands of rows: in the workbook.
        .filter(|sheet| {
            sheet.name != words.export("sheetTalksByUnit")
                && sheet.name != words.export("sheetTalksByManager")
        })
        .map(|sheet| {
            let numeric_from = sheet
                .rows
                .first()
                .and_then(|r| {
                    r.iter().position(|c| {
                        matches!(c, Cell::Number(..) | Cell::Suppressed(_) | Cell::Masked)
                    })
                })
                .unwrap_or(sheet.columns.len());
            PdfTable {
                title: sheet.name.clone(),
                columns: sheet.columns.iter().map(|c| c.title.clone()).collect(),
                numeric_from,
                rows: sheet
                    .rows
                    .iter()
                    .take(40)
                    .map(|r| r.iter().map(|c| c.display(locale)).collect())
                    .collect(),
            }
        })
        .collect();
    tables.retain(|t| !t.rows.is_empty());
    let max_need = s
        .leader_needs
        .iter()
        .filter(|g| g.people >= min)
        .map(GapLine::mean)
        .fold(0.0, f64::max);
    let needs_chart = s
        .leader_needs
        .iter()
        .filter(|g| g.people >= min)
        .take(8)
        .map(|g| PdfBar {
            label: g.competence.clone(),
            value: if max_need > 0.0 {
                g.mean() / max_need
            } else {
                0.0
            },
            text: locale.hours((g.mean() * 100.0).round() / 100.0),
        })
        .collect();
    let scope = if s.scope.is_empty() {
        s.organisation.clone()
    } else {
        format!("{} · {}", s.organisation, s.scope)
    };
    let data = PdfSummary {
        title: format!("{} {}", w("hrSummaryTitle"), s.year),
        subtitle: scope,
        made: words.export_fill("made", &[("date", &locale.date(made_on))]),
        page: w("page"),
        privacy: words.export_fill("privacyThreshold", &[("min", &min.to_string())]),
        held_chart_title: w("chartHeld"),
        held_chart,
        needs_chart_title: w("chartLeaderNeeds"),
        needs_chart,
        tables,
    };
    serde_json::to_value(data).expect("plain data serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(kind: TalkKind, leader: &str, due: u32, held: u32, overdue: u32) -> TalkFact {
        TalkFact {
            kind,
            leader: Some(leader.into()),
            due,
            held,
            overdue,
        }
    }

    fn unit(name: &str, manager: &str, talks: Vec<TalkFact>) -> UnitFacts {
        let mut f = UnitFacts::new(vec!["Kommune".into(), name.into()], Some(manager.into()));
        f.talks = talks;
        f
    }

    /// Three units; the first has three people; A and B are led by their managers alone, C by
    /// two leaders.
    fn small_group() -> Vec<UnitFacts> {
        let mut a = unit("A", "Anna", vec![talk(TalkKind::Mus, "Anna", 3, 3, 0)]);
        a.confidential = 3;
        a.education = vec![EducationFact {
            title: "Course".into(),
            participants: 11,
            women: 5,
            men: 5,
            quarter_hours: 40,
            cost_cents: 110_000,
        }];
        let b = unit("B", "Bo", vec![talk(TalkKind::Mus, "Bo", 20, 12, 2)]);
        let c = unit(
            "C",
            "Cai",
            vec![
                talk(TalkKind::Mus, "Cai", 22, 18, 3),
                talk(TalkKind::Mus, "Dan", 8, 7, 2),
            ],
        );
        vec![a, b, c]
    }

    fn shown(sheet: &Sheet) -> Vec<Vec<String>> {
        let locale = Locale::new(Language::En);
        sheet
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.display(&locale)).collect())
            .collect()
    }

    #[test]
    fn a_small_unit_is_hidden_with_a_neighbour_in_both_the_unit_and_the_manager_view() {
        let s = summarise("Kommune", "", 2026, 5, &small_group());
        let sheets = sheets(&s, Words::of(Language::En));
        let units = shown(&sheets[0]);
        // Unit, manager, kind, due, held, share, overdue.
        assert_eq!(units[0][3..], ["<5", "<5", "", "0"]);
        // The units' due add up to the kind's: B's (the smallest other) goes with A's, and so
        // does C's overdue (B's is small; A's zero hides nothing).
        assert_eq!(units[1][3..], ["..", "..", "", "<5"]);
        assert_eq!(units[2][3..], ["30", "25", "83%", ".."]);
        // Bo leads B alone: his line is B's line, so it must hide the same, or it gives B's
        // back (and with it A's), though Dan's line is the smaller in the managers' view.
        let managers = shown(&sheets[1]);
        assert_eq!(managers[0][2..5], ["<5", "<5", ""]);
        assert_eq!(managers[1][2..4], ["..", ".."]);
        assert_eq!(managers[1][5], "<5");
        let kinds = shown(&sheets[2]);
        assert_eq!(kinds[0][1..], ["53", "40", "75%", "7"]);
    }

    #[test]
    fn a_course_split_that_would_give_a_small_rest_back_is_hidden_on_one_side() {
        let s = summarise("Kommune", "", 2026, 5, &small_group());
        let sheets = sheets(&s, Words::of(Language::En));
        let education = shown(&sheets[5]);
        // 11 participants, 5 women, 5 men: one of neither, worked out unless a side is hidden.
        assert_eq!(education[0][..2], ["Course", "11"]);
        assert_eq!(education[0][4..], ["..", "5"]);
    }

    #[test]
    fn confidential_actions_are_one_count_hidden_when_small() {
        let facts = small_group();
        let s = summarise("Kommune", "", 2026, 5, &facts);
        assert_eq!(s.confidential, 3);
        let cost = shown(&sheets(&s, Words::of(Language::En))[4]);
        assert_eq!(
            cost[5],
            ["Confidential actions (counted, not listed)", "<5"]
        );
        let s = summarise("Kommune", "", 2026, 2, &facts);
        let cost = shown(&sheets(&s, Words::of(Language::En))[4]);
        assert_eq!(cost[5][1], "3");
    }

    #[test]
    fn a_bundle_made_before_the_confidential_count_reads_as_none() {
        let facts = serde_json::json!({
            "path": ["Kommune", "A"], "manager": null, "talks": [], "actions": [],
            "participants": 0, "education": [], "gaps": [], "leaderGaps": []
        });
        let f: UnitFacts = serde_json::from_value(facts).unwrap();
        assert_eq!(f.confidential, 0);
    }
}

/// The real sheets over random small organisations: in every line the sheets show with its
/// total, never exactly one count hidden (the total would give it back). A necessary check,
/// read from the written cells alone; `suppress`'s property tests prove the full one.
#[cfg(test)]
mod sheet_properties {
    use proptest::prelude::*;

    use super::*;

    fn facts() -> impl Strategy<Value = Vec<UnitFacts>> {
        let talk = (0usize..2, 0usize..3, 0u32..14, 0u32..14, 0u32..14).prop_map(
            |(kind, leader, due, held, overdue)| TalkFact {
                kind: [TalkKind::Mus, TalkKind::Lus][kind],
                leader: Some(["Anna", "Bo", "Cai"][leader].into()),
                due,
                held: held.min(due),
                overdue: overdue.min(due - held.min(due)),
            },
        );
        let action = (0usize..2, 0usize..ActionStatus::ALL.len(), 0u32..9).prop_map(
            |(kind, status, count)| ActionFact {
                kind: [ActionKind::Course, ActionKind::Mentoring][kind],
                status: ActionStatus::ALL[status],
                count,
                planned_cents: 0,
                actual_cents: 0,
            },
        );
        let unit = (
            proptest::collection::vec(talk, 1..3),
            proptest::collection::vec(action, 0..4),
        );
        proptest::collection::vec(unit, 1..6).prop_map(|units| {
            units
                .into_iter()
                .enumerate()
                .map(|(i, (talks, actions))| {
                    let mut f = UnitFacts::new(vec![format!("U{i}")], Some(format!("M{i}")));
                    // One fact per kind and leader, as `facts` makes them.
                    let mut seen = std::collections::BTreeSet::new();
                    f.talks = talks
                        .into_iter()
                        .filter(|t| seen.insert((t.kind, t.leader.clone())))
                        .collect();
                    let mut seen = std::collections::BTreeSet::new();
                    f.actions = actions
                        .into_iter()
                        .filter(|a| seen.insert((a.kind, a.status)))
                        .collect();
                    f
                })
                .collect()
        })
    }

    fn hidden(c: &Cell) -> bool {
        matches!(c, Cell::Suppressed(_) | Cell::Masked)
    }

    fn not_one(cells: &[&Cell], what: &str) -> Result<(), TestCaseError> {
        let n = cells.iter().filter(|c| hidden(c)).count();
        prop_assert_ne!(n, 1, "{} hides one count: {:?}", what, cells);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn no_line_of_the_real_sheets_hides_exactly_one_count(
            facts in facts(),
            min in 2u32..7,
        ) {
            let s = summarise("Kommune", "", 2026, min, &facts);
            let sheets = sheets(&s, Words::of(Language::En));
            let (units, managers, kinds, actions) = (&sheets[0], &sheets[1], &sheets[2], &sheets[3]);
            // Due, held, overdue: columns 3, 4, 6 by unit; 2, 3, 5 by manager; 1, 2, 4 by kind.
            for (m, (u, l, k)) in [(3, 2, 1), (4, 3, 2), (6, 5, 4)].into_iter().enumerate() {
                let column: Vec<&Cell> = kinds.rows.iter().map(|r| &r[k]).collect();
                not_one(&column, &format!("talks by kind, measure {m}"))?;
                for (i, line) in s.by_kind.iter().enumerate() {
                    let mut of_kind: Vec<&Cell> = s
                        .by_unit
                        .iter()
                        .zip(&units.rows)
                        .filter(|(l, _)| l.kind == line.kind)
                        .map(|(_, r)| &r[u])
                        .collect();
                    of_kind.push(&kinds.rows[i][k]);
                    not_one(&of_kind, "units of a kind")?;
                    let mut of_kind: Vec<&Cell> = s
                        .by_manager
                        .iter()
                        .zip(&managers.rows)
                        .filter(|(m, _)| m.kind == line.kind)
                        .map(|(_, r)| &r[l])
                        .collect();
                    of_kind.push(&kinds.rows[i][k]);
                    not_one(&of_kind, "managers of a kind")?;
                }
            }
            let width = ActionStatus::ALL.len() + 1;
            for r in &actions.rows {
                let line: Vec<&Cell> = r[1..=width].iter().collect();
                not_one(&line, "an action kind")?;
            }
            for c in 1..=width {
                let column: Vec<&Cell> = actions.rows.iter().map(|r| &r[c]).collect();
                not_one(&column, "an action status")?;
            }
        }
    }
}
