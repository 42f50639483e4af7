//! The year's cycle (årshjul): who is due which talk in a year, and how far each has come.
//!
//! Rules: every active person is due one talk a year. A person who manages a unit is due a LUS;
//! in a unit that uses GRUS, a GRUS (an individual MUS also counts: an employee may always ask
//! for one); everyone else a MUS. A person's progress is the furthest of their non-cancelled
//! talks of a fitting kind in the year. A talk is overdue when it has not been held and either
//! its date has passed or its year has ended. A signed agreement with no follow-up after
//! [`FOLLOW_UP_AFTER_DAYS`] is a reminder of its own.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Utc};
use rusqlite::Connection;
use serde::Serialize;
use specta::Type;

use super::lifecycle::TalkState;
use super::talk::Party;
use super::TalkKind;
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Result};
use crate::ids::{PersonId, TalkId, UnitId};
use crate::units;

/// Days after signing by which an agreement should have been followed up once.
pub const FOLLOW_UP_AFTER_DAYS: i64 = 182;
/// Days ahead in which a talk counts as upcoming.
pub const UPCOMING_DAYS: i64 = 14;
/// Reminders listed at most; the count says how many there are in all.
pub const MAX_REMINDERS: usize = 50;
/// Above this many people, the year's talks are read in one scan instead of person by person.
const SCAN_ABOVE: usize = 2_000;

/// How far a person's talk of the year has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Progress {
    NotPlanned,
    /// Planned, invited or preparing.
    Planned,
    Held,
    /// Agreed, signed or followed up.
    Agreed,
}

impl Progress {
    fn of(state: TalkState) -> Progress {
        match state {
            TalkState::Planned | TalkState::Invited | TalkState::Preparing => Progress::Planned,
            TalkState::Held => Progress::Held,
            TalkState::Agreed | TalkState::Signed | TalkState::FollowedUp => Progress::Agreed,
            TalkState::Cancelled => Progress::NotPlanned,
        }
    }
}

/// Counts of one unit (or all) in the year. `planned` counts every person whose talk is
/// planned or further, `held` held or further, so each is a share of `due`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CycleCounts {
    pub due: u32,
    pub planned: u32,
    pub held: u32,
    pub agreed: u32,
    pub overdue: u32,
}

impl CycleCounts {
    fn add(&mut self, p: &PersonCycle) {
        self.due += 1;
        self.planned += u32::from(p.progress >= Progress::Planned);
        self.held += u32::from(p.progress >= Progress::Held);
        self.agreed += u32::from(p.progress >= Progress::Agreed);
        self.overdue += u32::from(p.overdue);
    }
}

/// One person's place in the year's cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonCycle {
    pub person: Party,
    pub unit_id: UnitId,
    pub due: TalkKind,
    pub progress: Progress,
    pub overdue: bool,
    /// The talk that shows the progress, if any.
    pub talk_id: Option<TalkId>,
    pub starts_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnitCycle {
    pub unit_id: UnitId,
    pub name: String,
    pub depth: u32,
    pub parent_id: Option<UnitId>,
    pub manager_id: Option<PersonId>,
    pub manager_name: Option<String>,
    /// People placed directly in the unit.
    pub counts: CycleCounts,
}

/// Something for the manager to act on.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Reminder {
    /// A talk in the coming days.
    Upcoming {
        talk_id: TalkId,
        person: Party,
        kind: TalkKind,
        starts_at: DateTime<Utc>,
    },
    /// A talk not held in time (`talk_id` is empty when none was even planned).
    Overdue {
        talk_id: Option<TalkId>,
        person: Party,
        kind: TalkKind,
    },
    /// A signed agreement not followed up half a year on.
    FollowUpDue {
        talk_id: TalkId,
        person: Party,
        kind: TalkKind,
        signed_at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CycleOverview {
    pub year: i32,
    pub totals: CycleCounts,
    /// The units in scope, depth first, as the unit tree shows them.
    pub units: Vec<UnitCycle>,
    pub reminders: Vec<Reminder>,
    /// All reminders, of which at most [`MAX_REMINDERS`] are listed.
    pub reminder_count: u32,
}

struct TalkRow {
    person: PersonId,
    id: TalkId,
    kind: TalkKind,
    state: TalkState,
    starts_at: Option<DateTime<Utc>>,
}

fn talk_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TalkRow> {
    let kind: String = r.get("kind")?;
    let state: String = r.get("state")?;
    Ok(TalkRow {
        person: r.get("person_id")?,
        id: r.get("id")?,
        kind: TalkKind::parse(&kind).ok_or_else(|| super::library::bad_value(&kind))?,
        state: TalkState::parse(&state).ok_or_else(|| super::library::bad_value(&state))?,
        starts_at: r.get("starts_at")?,
    })
}

/// The year's talks of the given people, by person.
fn talks_of(
    conn: &Connection,
    year: i32,
    people: &[PersonId],
) -> Result<HashMap<PersonId, Vec<TalkRow>>> {
    let mut out: HashMap<PersonId, Vec<TalkRow>> = HashMap::new();
    const COLUMNS: &str = "tp.person_id, t.id, t.kind, t.state, t.starts_at";
    if people.len() > SCAN_ABOVE {
        let wanted: HashSet<PersonId> = people.iter().copied().collect();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM talk t JOIN talk_participant tp ON tp.talk_id = t.id
             WHERE t.year = ?1 AND t.state != 'cancelled'"
        ))?;
        for row in stmt.query_map([year], talk_row)? {
            let row = row?;
            if wanted.contains(&row.person) {
                out.entry(row.person).or_default().push(row);
            }
        }
    } else {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
             WHERE tp.person_id = ?1 AND t.year = ?2 AND t.state != 'cancelled'"
        ))?;
        for person in people {
            for row in stmt.query_map((person, year), talk_row)? {
                out.entry(*person).or_default().push(row?);
            }
        }
    }
    Ok(out)
}

struct Scope {
    units: Vec<units::UnitNode>,
    grus_units: HashSet<UnitId>,
    managers: HashSet<PersonId>,
}

/// The active units at and below `root` (all when `None`), depth first.
fn scope(conn: &Connection, root: Option<UnitId>) -> Result<Scope> {
    let tree = units::tree(conn, false)?;
    let managers = tree.iter().filter_map(|u| u.manager_id).collect();
    let units = match root {
        None => tree,
        Some(root) => {
            let start = tree
                .iter()
                .position(|u| u.id == root)
                .ok_or(Error::not_found(Entity::Unit, root.0))?;
            let depth = tree[start].depth;
            let end = tree[start + 1..]
                .iter()
                .position(|u| u.depth <= depth)
                .map_or(tree.len(), |i| start + 1 + i);
            tree[start..end].to_vec()
        }
    };
    let grus_units = units.iter().filter(|u| u.uses_grus).map(|u| u.id).collect();
    Ok(Scope {
        units,
        grus_units,
        managers,
    })
}

/// The active people placed in the given units.
fn people_in(conn: &Connection, units: &[units::UnitNode]) -> Result<Vec<(Party, UnitId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, given_name || ' ' || family_name AS name FROM person
         WHERE unit_id = ?1 AND archived_at IS NULL ORDER BY family_key, name_key",
    )?;
    let mut out = Vec::new();
    for unit in units {
        for row in stmt.query_map([unit.id], |r| {
            Ok(Party {
                person_id: r.get("id")?,
                name: r.get("name")?,
            })
        })? {
            out.push((row?, unit.id));
        }
    }
    Ok(out)
}

fn person_cycles(
    conn: &Connection,
    clock: &dyn Clock,
    year: i32,
    scope: &Scope,
) -> Result<Vec<PersonCycle>> {
    let people = people_in(conn, &scope.units)?;
    let ids: Vec<PersonId> = people.iter().map(|(p, _)| p.person_id).collect();
    let mut talks = talks_of(conn, year, &ids)?;
    let now = clock.now();
    let year_over = clock.today().year() > year;
    Ok(people
        .into_iter()
        .map(|(person, unit_id)| {
            let due = if scope.managers.contains(&person.person_id) {
                TalkKind::Lus
            } else if scope.grus_units.contains(&unit_id) {
                TalkKind::Grus
            } else {
                TalkKind::Mus
            };
            let fits = |k: TalkKind| k == due || (due == TalkKind::Grus && k == TalkKind::Mus);
            let best = talks
                .remove(&person.person_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|t| fits(t.kind))
                .max_by_key(|t| (Progress::of(t.state), t.starts_at));
            let progress = best
                .as_ref()
                .map_or(Progress::NotPlanned, |t| Progress::of(t.state));
            let starts_at = best.as_ref().and_then(|t| t.starts_at);
            let overdue =
                progress < Progress::Held && (year_over || starts_at.is_some_and(|s| s < now));
            PersonCycle {
                person,
                unit_id,
                due,
                progress,
                overdue,
                talk_id: best.map(|t| t.id),
                starts_at,
            }
        })
        .collect())
}

/// Each person placed directly in `unit`, with their talk of the year.
pub fn unit_people(
    conn: &Connection,
    clock: &dyn Clock,
    unit: UnitId,
    year: i32,
) -> Result<Vec<PersonCycle>> {
    let mut scope = scope(conn, Some(unit))?;
    scope.units.truncate(1);
    person_cycles(conn, clock, year, &scope)
}

/// The cycle of the units at and below `root` (the whole organisation when `None`).
pub fn overview(
    conn: &Connection,
    clock: &dyn Clock,
    year: i32,
    root: Option<UnitId>,
) -> Result<CycleOverview> {
    let scope = scope(conn, root)?;
    let people = person_cycles(conn, clock, year, &scope)?;
    let mut by_unit: HashMap<UnitId, CycleCounts> = HashMap::new();
    let mut totals = CycleCounts::default();
    let now = clock.now();
    let mut reminders = Vec::new();
    for p in &people {
        by_unit.entry(p.unit_id).or_default().add(p);
        totals.add(p);
        if p.overdue {
            reminders.push(Reminder::Overdue {
                talk_id: p.talk_id,
                person: p.person.clone(),
                kind: p.due,
            });
        } else if let (Some(talk_id), Some(starts_at)) = (p.talk_id, p.starts_at) {
            if p.progress < Progress::Held
                && starts_at >= now
                && starts_at < now + Duration::days(UPCOMING_DAYS)
            {
                reminders.push(Reminder::Upcoming {
                    talk_id,
                    person: p.person.clone(),
                    kind: p.due,
                    starts_at,
                });
            }
        }
    }
    let in_scope: HashSet<UnitId> = scope.units.iter().map(|u| u.id).collect();
    reminders.extend(follow_ups_due(conn, clock, &in_scope)?);
    // What is late first (overdue talks, then follow-ups), then the coming talks by date.
    reminders.sort_by_key(|r| match r {
        Reminder::Overdue { .. } => (0, None),
        Reminder::FollowUpDue { signed_at, .. } => (1, Some(*signed_at)),
        Reminder::Upcoming { starts_at, .. } => (2, Some(*starts_at)),
    });
    let reminder_count = reminders.len() as u32;
    reminders.truncate(MAX_REMINDERS);
    Ok(CycleOverview {
        year,
        totals,
        units: scope
            .units
            .into_iter()
            .map(|u| UnitCycle {
                counts: by_unit.get(&u.id).copied().unwrap_or_default(),
                unit_id: u.id,
                name: u.name,
                depth: u.depth,
                parent_id: u.parent_id,
                manager_id: u.manager_id,
                manager_name: u.manager_name,
            })
            .collect(),
        reminders,
        reminder_count,
    })
}

fn follow_ups_due(
    conn: &Connection,
    clock: &dyn Clock,
    units: &HashSet<UnitId>,
) -> Result<Vec<Reminder>> {
    let due_before = stamp(clock.now() - Duration::days(FOLLOW_UP_AFTER_DAYS));
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.unit_id, t.kind, max(e.at) AS at, p.id AS person_id,
                p.given_name || ' ' || p.family_name AS name
         FROM talk t
         JOIN talk_event e ON e.talk_id = t.id AND e.to_state = 'signed'
         JOIN talk_participant tp ON tp.talk_id = t.id
         JOIN person p ON p.id = tp.person_id
         WHERE t.state = 'signed' AND e.at < ?1
         GROUP BY t.id ORDER BY at",
    )?;
    let mut out = Vec::new();
    for row in stmt.query_map([due_before], |r| {
        let kind: String = r.get("kind")?;
        Ok((
            r.get::<_, UnitId>("unit_id")?,
            Reminder::FollowUpDue {
                talk_id: r.get("id")?,
                person: Party {
                    person_id: r.get("person_id")?,
                    name: r.get("name")?,
                },
                kind: TalkKind::parse(&kind).ok_or_else(|| super::library::bad_value(&kind))?,
                signed_at: r.get("at")?,
            },
        ))
    })? {
        let (unit, reminder) = row?;
        if units.contains(&unit) {
            out.push(reminder);
        }
    }
    Ok(out)
}
