//! The year's cycle (årshjul): who is due which talk in a year, and how far each has come.
//!
//! Rules: every active person is due one talk a year. A person who manages a unit is due a LUS;
//! in a unit that uses GRUS, a GRUS (an individual MUS also counts: an employee may always ask
//! for one); everyone else a MUS. A person's progress is the furthest of their non-cancelled
//! talks of a fitting kind in the year. A talk is overdue when it has not been held and either
//! its date has passed or its year has ended. A signed agreement with no follow-up after
//! [`FOLLOW_UP_AFTER_DAYS`] is a reminder of its own.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

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
/// Above this many units, the active people are read in one scan instead of unit by unit.
const SCAN_UNITS_ABOVE: usize = 100;

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
    /// Who holds the person's talk: the manager of their unit, or for that manager (LUS) the
    /// nearest manager above. `None` for the top leader, or where no unit above has a manager.
    pub leader: Option<Party>,
    pub progress: Progress,
    pub overdue: bool,
    /// The talk that shows the progress, if any.
    pub talk_id: Option<TalkId>,
    /// That talk's own state, so a list says the same word as the talk ("Invited", "Signed").
    pub state: Option<TalkState>,
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
    /// As stored (fixed-width RFC 3339, so it compares as text); parsed only for the talks
    /// that are shown, since the organisation's cycle reads 72,000 of them.
    starts_at: Option<String>,
}

const TALK_COLUMNS: [&str; 5] = ["person_id", "id", "kind", "state", "starts_at"];

/// A talk row, its columns (`TALK_COLUMNS`) resolved by `store::columns`.
fn talk_row(r: &rusqlite::Row<'_>, c: &[usize; 5]) -> rusqlite::Result<TalkRow> {
    let kind = r.get_ref(c[2])?.as_str()?;
    let state = r.get_ref(c[3])?.as_str()?;
    Ok(TalkRow {
        person: r.get(c[0])?,
        id: r.get(c[1])?,
        kind: TalkKind::parse(kind).ok_or_else(|| super::library::bad_value(kind))?,
        state: TalkState::parse(state).ok_or_else(|| super::library::bad_value(state))?,
        starts_at: r.get(c[4])?,
    })
}

/// The year's talks of the given people, by person.
fn talks_of(
    conn: &Connection,
    year: i32,
    people: &[PersonId],
) -> Result<HashMap<PersonId, Vec<TalkRow>>> {
    let mut out: HashMap<PersonId, Vec<TalkRow>> =
        HashMap::with_capacity_and_hasher(people.len(), Default::default());
    const COLUMNS: &str = "tp.person_id, t.id, t.kind, t.state, t.starts_at";
    if people.len() > SCAN_ABOVE {
        // The year's talks of everyone, kept for the people asked about. Their talk rows are not
        // read: an index holds year, state, kind and date.
        for &p in people {
            out.insert(p, Vec::new());
        }
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM talk t JOIN talk_participant tp ON tp.talk_id = t.id
             WHERE t.year = ?1 AND t.state != 'cancelled'"
        ))?;
        let c = crate::store::columns(&stmt, TALK_COLUMNS)?;
        for row in stmt.query_map([year], |r| talk_row(r, &c))? {
            let row = row?;
            if let Some(list) = out.get_mut(&row.person) {
                list.push(row);
            }
        }
    } else {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
             WHERE tp.person_id = ?1 AND t.year = ?2 AND t.state != 'cancelled'"
        ))?;
        let c = crate::store::columns(&stmt, TALK_COLUMNS)?;
        for person in people {
            for row in stmt.query_map((person, year), |r| talk_row(r, &c))? {
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
    /// Every active unit's parent and manager, for finding who holds a talk above the scope.
    above: HashMap<UnitId, (Option<UnitId>, Option<Party>)>,
}

impl Scope {
    /// The nearest manager at or above `unit` who is not `person`.
    fn leader_of(&self, person: PersonId, mut unit: Option<UnitId>) -> Option<Party> {
        while let Some((parent, manager)) = unit.and_then(|u| self.above.get(&u)) {
            match manager {
                Some(m) if m.person_id != person => return Some(m.clone()),
                _ => unit = *parent,
            }
        }
        None
    }
}

/// The active units at and below `root` (all when `None`), depth first.
fn scope(conn: &Connection, root: Option<UnitId>) -> Result<Scope> {
    scope_of(units::tree_with(conn, false, false)?, root)
}

/// The scope of `root` in the active unit tree `tree` (depth first, as `units::tree_with`).
fn scope_of(tree: Vec<units::UnitNode>, root: Option<UnitId>) -> Result<Scope> {
    let managers = tree.iter().filter_map(|u| u.manager_id).collect();
    let above = tree
        .iter()
        .map(|u| {
            let manager = u.manager_id.map(|id| Party {
                person_id: id,
                name: u.manager_name.clone().unwrap_or_default(),
            });
            (u.id, (u.parent_id, manager))
        })
        .collect();
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
        above,
    })
}

/// The active people placed in the given units, unit by unit in the units' order.
/// A person in the cycle: who, where, and the manager set for them explicitly, if any.
type Placed = (Party, UnitId, Option<Party>);

fn people_in(conn: &Connection, units: &[units::UnitNode]) -> Result<Vec<Placed>> {
    const NAMES: [&str; 7] = [
        "id",
        "unit_id",
        "name",
        "family_key",
        "name_key",
        "manager_id",
        "manager_name",
    ];
    // Columns by position, resolved by name once per statement (see `store::columns`).
    let row = |r: &rusqlite::Row<'_>, c: &[usize; 7]| -> rusqlite::Result<Placed> {
        let explicit = match r.get::<_, Option<PersonId>>(c[5])? {
            Some(id) => Some(Party {
                person_id: id,
                name: r.get(c[6])?,
            }),
            None => None,
        };
        Ok((
            Party {
                person_id: r.get(c[0])?,
                name: r.get(c[2])?,
            },
            r.get(c[1])?,
            explicit,
        ))
    };
    // An explicitly set manager holds the person's talk instead of the unit's (as
    // `people::effective_manager` has it); the unit tree answers the rest.
    const SELECT: &str = "SELECT p.id, p.unit_id, p.given_name || ' ' || p.family_name AS name,
            p.family_key, p.name_key, p.manager_id,
            m.given_name || ' ' || m.family_name AS manager_name
        FROM person p LEFT JOIN person m ON m.id = p.manager_id
        WHERE p.archived_at IS NULL";
    let mut out = Vec::new();
    if units.len() > SCAN_UNITS_ABOVE {
        // Many units: one pass over the active people, sorted here into the units' order.
        let position: HashMap<UnitId, usize> =
            units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let mut stmt = conn.prepare_cached(SELECT)?;
        let c = crate::store::columns(&stmt, NAMES)?;
        let mut keyed = Vec::new();
        for r in stmt.query_map([], |r| {
            Ok((
                row(r, &c)?,
                r.get::<_, String>(c[3])?,
                r.get::<_, String>(c[4])?,
            ))
        })? {
            let (placed, family, name) = r?;
            if let Some(&at) = position.get(&placed.1) {
                keyed.push((at, family, name, placed));
            }
        }
        // Unit by unit in the tree's order, and by name within a unit.
        keyed.sort_unstable_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
        out.extend(keyed.into_iter().map(|(_, _, _, placed)| placed));
    } else {
        let mut stmt = conn.prepare_cached(&format!(
            "{SELECT} AND p.unit_id = ?1 ORDER BY p.family_key, p.name_key"
        ))?;
        let c = crate::store::columns(&stmt, NAMES)?;
        for unit in units {
            for r in stmt.query_map([unit.id], |r| row(r, &c))? {
                out.push(r?);
            }
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
    let ids: Vec<PersonId> = people.iter().map(|(p, _, _)| p.person_id).collect();
    let mut talks = talks_of(conn, year, &ids)?;
    let now = stamp(clock.now());
    let year_over = clock.today().year() > year;
    Ok(people
        .into_iter()
        .map(|(person, unit_id, explicit)| {
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
                .max_by(|a, b| {
                    (Progress::of(a.state), &a.starts_at)
                        .cmp(&(Progress::of(b.state), &b.starts_at))
                });
            let progress = best
                .as_ref()
                .map_or(Progress::NotPlanned, |t| Progress::of(t.state));
            let starts_text = best.as_ref().and_then(|t| t.starts_at.as_deref());
            let overdue = progress < Progress::Held
                && (year_over || starts_text.is_some_and(|s| s < now.as_str()));
            let starts_at = starts_text
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|d| d.with_timezone(&Utc));
            PersonCycle {
                leader: explicit.or_else(|| scope.leader_of(person.person_id, Some(unit_id))),
                person,
                unit_id,
                due,
                progress,
                overdue,
                talk_id: best.as_ref().map(|t| t.id),
                state: best.map(|t| t.state),
                starts_at,
            }
        })
        .collect())
}

/// The active units at and below `root` (all when `None`), depth first, and every person
/// placed in them with their talk of the year: what HR's summary counts. `tree` is the active
/// unit tree (`units::tree_with`), which the caller has read for its own use as well.
pub fn people_of(
    conn: &Connection,
    clock: &dyn Clock,
    year: i32,
    root: Option<UnitId>,
    tree: Vec<units::UnitNode>,
) -> Result<(Vec<units::UnitNode>, Vec<PersonCycle>)> {
    let scope = scope_of(tree, root)?;
    let people = person_cycles(conn, clock, year, &scope)?;
    Ok((scope.units, people))
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
    let mut by_unit: HashMap<UnitId, CycleCounts> = HashMap::default();
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
    reminders.extend(follow_ups_due(conn, clock, &scope.units, root.is_none())?);
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
    units: &[units::UnitNode],
    whole_organisation: bool,
) -> Result<Vec<Reminder>> {
    let due_before = stamp(clock.now() - Duration::days(FOLLOW_UP_AFTER_DAYS));
    // Signed talks waiting for a follow-up are few among the years of talks, and a partial
    // index holds them by unit: a manager's units are read unit by unit, the organisation in
    // one pass.
    const SELECT: &str = "SELECT t.id, t.kind, p.id AS person_id,
                p.given_name || ' ' || p.family_name AS name,
                (SELECT max(at) FROM talk_event
                 WHERE talk_id = t.id AND to_state = 'signed') AS at
         FROM talk t
         JOIN person p ON p.id = (SELECT min(person_id) FROM talk_participant
                                  WHERE talk_id = t.id)
         WHERE t.state = 'signed' AND at < ?1";
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Reminder> {
        let kind: String = r.get("kind")?;
        Ok(Reminder::FollowUpDue {
            talk_id: r.get("id")?,
            person: Party {
                person_id: r.get("person_id")?,
                name: r.get("name")?,
            },
            kind: TalkKind::parse(&kind).ok_or_else(|| super::library::bad_value(&kind))?,
            signed_at: r.get("at")?,
        })
    };
    let mut out = Vec::new();
    if whole_organisation {
        let mut stmt = conn.prepare_cached(SELECT)?;
        for r in stmt.query_map([&due_before], row)? {
            out.push(r?);
        }
    } else {
        let mut stmt = conn.prepare_cached(&format!("{SELECT} AND t.unit_id = ?2"))?;
        for unit in units {
            for r in stmt.query_map((&due_before, unit.id), row)? {
                out.push(r?);
            }
        }
    }
    Ok(out)
}
