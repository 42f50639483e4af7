//! One talk: planning it in the year's cycle, inviting (and rescheduling), its steps, and
//! reading it back whole.
//!
//! Invariants: a MUS and a LUS have exactly one participant and a GRUS at least two, never the
//! leader; every state change goes through [`lifecycle::check_step`] and is written to
//! `talk_event` with its time (and reason, for a reopened agreement); a talk keeps the guide
//! version it was planned with. Warnings (a date in the past, a clash in the leader's
//! calendar, a LUS chef who is not above the leader) are answered beside the result: they
//! inform the manager, they do not stop the write.

use chrono::{DateTime, Datelike, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::library::{self, bad_value};
use super::lifecycle::{self, TalkState};
use super::TalkKind;
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{PersonId, TalkId, TemplateVersionId, UnitId};
use crate::validate;

pub const MAX_PLACE: u32 = 200;
/// A GRUS is a group talk: with fewer than two people it is a MUS.
pub const MIN_GROUP: u32 = 2;
/// Years a talk may be planned in, around today.
const YEARS_BACK: i32 = 1;
const YEARS_AHEAD: i32 = 2;

/// A person taking part in a talk, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub person_id: PersonId,
    pub name: String,
}

/// A talk as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkSummary {
    pub id: TalkId,
    pub kind: TalkKind,
    pub year: i32,
    pub state: TalkState,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub leader: Party,
    pub participants: Vec<Party>,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub place: Option<String>,
    pub template_version_id: TemplateVersionId,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanInput {
    pub kind: TalkKind,
    /// Who holds the talk: the manager (MUS, GRUS) or the leader's chef (LUS).
    pub leader_id: PersonId,
    /// The employee (MUS), the group (GRUS) or the leader (LUS).
    pub participant_ids: Vec<PersonId>,
    /// The year's cycle; this year when not given.
    pub year: Option<i32>,
    /// The guide; the built-in one of the kind in the organisation's language when not given.
    pub template_version_id: Option<TemplateVersionId>,
}

/// When and where: the invitation.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInput {
    /// RFC 3339 with the laptop's offset, e.g. `2026-12-03T10:00:00+01:00`.
    pub starts_at: String,
    pub duration_minutes: u32,
    pub place: String,
}

/// Something the manager should know about a plan or an invitation, which does not stop it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "code",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum TalkWarning {
    /// The date is already past.
    InPast,
    /// The leader has another talk at the same time.
    Clash {
        talk_id: TalkId,
        starts_at: DateTime<Utc>,
    },
    /// In a LUS, the chef does not manage a unit above the leader's.
    ChefNotAbove,
}

/// A write that may come back with warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Warned<T> {
    pub value: T,
    pub warnings: Vec<TalkWarning>,
}

/// One step in a talk's history.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkEvent {
    pub from: Option<TalkState>,
    pub to: TalkState,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

fn parse_state(s: &str) -> rusqlite::Result<TalkState> {
    TalkState::parse(s).ok_or_else(|| bad_value(s))
}

const SELECT: &str = "SELECT t.id, t.kind, t.year, t.state, t.unit_id, u.name AS unit_name,
        t.leader_id, l.given_name || ' ' || l.family_name AS leader_name,
        t.starts_at, t.duration_minutes, t.place, t.template_version_id
    FROM talk t JOIN unit u ON u.id = t.unit_id JOIN person l ON l.id = t.leader_id";

fn summary_row(row: &Row<'_>) -> rusqlite::Result<TalkSummary> {
    Ok(TalkSummary {
        id: row.get("id")?,
        kind: TalkKind::parse(&row.get::<_, String>("kind")?).ok_or_else(|| bad_value("kind"))?,
        year: row.get("year")?,
        state: parse_state(&row.get::<_, String>("state")?)?,
        unit_id: row.get("unit_id")?,
        unit_name: row.get("unit_name")?,
        leader: Party {
            person_id: row.get("leader_id")?,
            name: row.get("leader_name")?,
        },
        participants: Vec::new(),
        starts_at: row.get("starts_at")?,
        duration_minutes: row.get("duration_minutes")?,
        place: row.get("place")?,
        template_version_id: row.get("template_version_id")?,
    })
}

fn with_participants(conn: &Connection, mut talk: TalkSummary) -> Result<TalkSummary> {
    talk.participants = participants(conn, talk.id)?;
    Ok(talk)
}

pub fn participants(conn: &Connection, id: TalkId) -> Result<Vec<Party>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.given_name || ' ' || p.family_name AS name
         FROM talk_participant tp JOIN person p ON p.id = tp.person_id
         WHERE tp.talk_id = ?1 ORDER BY p.family_key, p.name_key",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(Party {
                person_id: r.get("id")?,
                name: r.get("name")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: TalkId) -> Result<TalkSummary> {
    let talk = conn
        .prepare_cached(&format!("{SELECT} WHERE t.id = ?1"))?
        .query_row([id], summary_row)
        .optional()?
        .ok_or(Error::not_found(Entity::Talk, id.0))?;
    with_participants(conn, talk)
}

/// The one person a talk is with (the employee of a MUS, the leader of a LUS); `None` for a
/// group talk.
pub fn only_party(conn: &Connection, talk: TalkId) -> Result<Option<PersonId>> {
    let one: Option<i64> = conn
        .prepare_cached(
            "SELECT CASE WHEN count(*) = 1 THEN min(person_id) END
             FROM talk_participant WHERE talk_id = ?1",
        )?
        .query_row([talk.0], |r| r.get(0))?;
    Ok(one.map(PersonId))
}

/// The state alone, for the checks in front of every write.
pub fn state(conn: &Connection, id: TalkId) -> Result<TalkState> {
    let s: String = conn
        .prepare_cached("SELECT state FROM talk WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(Error::not_found(Entity::Talk, id.0))?;
    Ok(parse_state(&s)?)
}

/// A talk's state, for a write into it: a talk whose texts a retention purge or an erasure
/// removed takes nothing new ([`Error::Cleared`]), since what it took would be kept past its time.
pub fn state_for_writing(conn: &Connection, id: TalkId) -> Result<TalkState> {
    let (s, cleared): (String, bool) = conn
        .prepare_cached("SELECT state, cleared_at IS NOT NULL AS cleared FROM talk WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get("state")?, r.get("cleared")?)))
        .optional()?
        .ok_or(Error::not_found(Entity::Talk, id.0))?;
    if cleared {
        return Err(Error::Cleared);
    }
    Ok(parse_state(&s)?)
}

/// Which talks a list asks for; every given condition must hold.
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkFilter {
    pub year: Option<i32>,
    /// Talks of people placed in this unit (not below it).
    pub unit_id: Option<UnitId>,
    /// Talks this person takes part in or holds.
    pub person_id: Option<PersonId>,
    pub include_cancelled: bool,
}

/// Talks, soonest first; undated ones last.
pub fn list(conn: &Connection, filter: &TalkFilter) -> Result<Vec<TalkSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT}
         WHERE (?1 IS NULL OR t.year = ?1)
           AND (?2 IS NULL OR t.unit_id = ?2)
           AND (?3 IS NULL OR t.leader_id = ?3
                OR t.id IN (SELECT talk_id FROM talk_participant WHERE person_id = ?3))
           AND (?4 OR t.state != 'cancelled')
         ORDER BY t.starts_at IS NULL, t.starts_at, t.id
         LIMIT 1000"
    ))?;
    let rows: Vec<TalkSummary> = stmt
        .query_map(
            (
                filter.year,
                filter.unit_id,
                filter.person_id,
                filter.include_cancelled,
            ),
            summary_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|t| with_participants(conn, t))
        .collect()
}

struct PersonFacts {
    unit_id: UnitId,
    active: bool,
}

fn person_facts(conn: &Connection, id: PersonId) -> Result<PersonFacts> {
    conn.prepare_cached("SELECT unit_id, archived_at FROM person WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(PersonFacts {
                unit_id: r.get("unit_id")?,
                active: r.get::<_, Option<String>>("archived_at")?.is_none(),
            })
        })
        .optional()?
        .ok_or(Error::not_found(Entity::Person, id.0))
}

fn active_person(conn: &Connection, id: PersonId) -> Result<PersonFacts> {
    let facts = person_facts(conn, id)?;
    if !facts.active {
        return Err(Error::Archived {
            entity: Entity::Person,
        });
    }
    Ok(facts)
}

/// Puts a talk in the year's cycle.
pub fn plan(conn: &Connection, clock: &dyn Clock, input: &PlanInput) -> Result<Warned<TalkId>> {
    let mut people = input.participant_ids.clone();
    people.sort();
    people.dedup();
    if people.len() != input.participant_ids.len() || people.contains(&input.leader_id) {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    match input.kind {
        TalkKind::Grus if people.len() < MIN_GROUP as usize => {
            return Err(Error::GroupTooSmall { min: MIN_GROUP })
        }
        TalkKind::Mus | TalkKind::Lus if people.len() != 1 => {
            return Err(Error::Invalid {
                field: Field::Participants,
            })
        }
        _ => {}
    }
    active_person(conn, input.leader_id).map_err(|e| match e {
        Error::Archived { .. } => Error::Invalid {
            field: Field::Leader,
        },
        e => e,
    })?;
    let mut unit_id = None;
    for id in &input.participant_ids {
        let facts = active_person(conn, *id)?;
        unit_id.get_or_insert(facts.unit_id);
    }
    let unit_id = unit_id.ok_or(Error::Invalid {
        field: Field::Participants,
    })?;

    let this_year = clock.today().year();
    let year = input.year.unwrap_or(this_year);
    if !(this_year - YEARS_BACK..=this_year + YEARS_AHEAD).contains(&year) {
        return Err(Error::Invalid { field: Field::Year });
    }

    let version = match input.template_version_id {
        Some(v) => v,
        None => {
            let language = crate::organisation::get(conn)?
                .ok_or(Error::NoOrganisation)?
                .language;
            library::default_version(conn, input.kind, language)?
        }
    };
    let guide = library::version(conn, version)?;
    if guide.template.kind != input.kind {
        return Err(Error::Invalid {
            field: Field::Template,
        });
    }

    let previous = previous_agreement(conn, input.kind, input.participant_ids[0], unit_id)?;
    let now = stamp(clock.now());
    conn.execute(
        "INSERT INTO talk (kind, year, unit_id, leader_id, template_version_id, previous_talk_id,
                           state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'planned', ?7, ?7)",
        (
            input.kind.as_str(),
            year,
            unit_id,
            input.leader_id,
            version,
            previous,
            &now,
        ),
    )?;
    let id = TalkId(conn.last_insert_rowid());
    let mut insert =
        conn.prepare_cached("INSERT INTO talk_participant (talk_id, person_id) VALUES (?1, ?2)")?;
    for person in &input.participant_ids {
        insert.execute((id, person))?;
    }
    log_event(conn, id, None, TalkState::Planned, None, &now)?;

    let mut warnings = Vec::new();
    if input.kind == TalkKind::Lus && !chef_is_above(conn, input.leader_id, people[0])? {
        warnings.push(TalkWarning::ChefNotAbove);
    }
    Ok(Warned {
        value: id,
        warnings,
    })
}

/// The last signed agreement this talk starts from: the same kind with the same person (MUS,
/// LUS), or the same unit's group (GRUS).
fn previous_agreement(
    conn: &Connection,
    kind: TalkKind,
    person: PersonId,
    unit: UnitId,
) -> Result<Option<TalkId>> {
    let found = if kind == TalkKind::Grus {
        conn.prepare_cached(
            "SELECT id FROM talk WHERE kind = 'grus' AND unit_id = ?1
               AND state IN ('signed', 'followedUp') ORDER BY year DESC, id DESC LIMIT 1",
        )?
        .query_row([unit], |r| r.get(0))
    } else {
        conn.prepare_cached(
            "SELECT t.id FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
             WHERE tp.person_id = ?1 AND t.kind = ?2 AND t.state IN ('signed', 'followedUp')
             ORDER BY t.year DESC, t.id DESC LIMIT 1",
        )?
        .query_row((person, kind.as_str()), |r| r.get(0))
    };
    Ok(found.optional()?)
}

/// Whether `chef` manages a unit above one the leader manages (or, for a leader of no unit,
/// above the leader's own unit).
fn chef_is_above(conn: &Connection, chef: PersonId, leader: PersonId) -> Result<bool> {
    let above: bool = conn.query_row(
        "WITH RECURSIVE
           own(id) AS (
             SELECT id FROM unit WHERE manager_id = ?2 AND archived_at IS NULL
             UNION SELECT unit_id FROM person WHERE id = ?2
               AND NOT EXISTS (SELECT 1 FROM unit WHERE manager_id = ?2 AND archived_at IS NULL)),
           up(id) AS (
             SELECT u.parent_id FROM unit u JOIN own ON own.id = u.id
             UNION SELECT u.parent_id FROM unit u JOIN up ON up.id = u.id)
         SELECT EXISTS (SELECT 1 FROM unit WHERE id IN (SELECT id FROM up) AND manager_id = ?1)
             OR EXISTS (SELECT 1 FROM unit WHERE id IN (SELECT id FROM own) AND manager_id = ?1
                        AND manager_id != ?2)",
        (chef, leader),
        |r| r.get(0),
    )?;
    Ok(above)
}

pub(crate) fn log_event(
    conn: &Connection,
    id: TalkId,
    from: Option<TalkState>,
    to: TalkState,
    reason: Option<&str>,
    at: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO talk_event (talk_id, from_state, to_state, reason, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((id, from.map(TalkState::as_str), to.as_str(), reason, at))?;
    Ok(())
}

/// Moves a talk one step, after the lifecycle's checks and the step's own preconditions.
pub fn step(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    to: TalkState,
    reason: Option<&str>,
) -> Result<TalkState> {
    let from = state(conn, id)?;
    let reason = lifecycle::check_step(from, to, reason)?;
    match to {
        TalkState::Invited => {
            let scheduled: bool = conn.query_row(
                "SELECT starts_at IS NOT NULL FROM talk WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if !scheduled {
                return Err(Error::NotScheduled);
            }
        }
        TalkState::Agreed if from == TalkState::Held => {
            let summary: String =
                conn.query_row("SELECT summary FROM talk WHERE id = ?1", [id], |r| r.get(0))?;
            if summary.trim().is_empty() {
                return Err(Error::Empty {
                    field: Field::Summary,
                });
            }
        }
        // Reopening: the confirmations were of the agreement as it stood; they go, and the
        // event keeps the reason.
        TalkState::Agreed => {
            conn.execute("DELETE FROM signature WHERE talk_id = ?1", [id])?;
        }
        // A calendar that has the meeting must learn that it is off.
        TalkState::Cancelled => {
            conn.execute(
                "UPDATE talk SET ics_sequence = ics_sequence + 1
                 WHERE id = ?1 AND starts_at IS NOT NULL",
                [id],
            )?;
        }
        _ => {}
    }
    set_state(conn, clock, id, from, to, reason.as_deref())?;
    Ok(to)
}

/// Marks a talk held. When its planned start has not come, `held_at` (the time it was held, with
/// the laptop's offset) is required; given, it must not fall on a day after today where the
/// laptop is, and it replaces the planned start, so the agreement and the personal plan give
/// the day the talk was held.
pub fn hold(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    held_at: Option<&str>,
) -> Result<TalkState> {
    let from = state(conn, id)?;
    lifecycle::check_step(from, TalkState::Held, None)?;
    let planned: Option<DateTime<Utc>> = conn
        .prepare_cached("SELECT starts_at FROM talk WHERE id = ?1")?
        .query_row([id], |r| r.get("starts_at"))?;
    let now = clock.now();
    match held_at.map(str::trim).filter(|s| !s.is_empty()) {
        None if lifecycle::needs_held_date(from, planned, now) => {
            return Err(Error::Empty {
                field: Field::HeldAt,
            });
        }
        None => {}
        Some(text) => {
            let held = DateTime::parse_from_rfc3339(text).map_err(|_| Error::Invalid {
                field: Field::HeldAt,
            })?;
            if held.date_naive() > now.with_timezone(held.offset()).date_naive() {
                return Err(Error::HeldInFuture);
            }
            conn.prepare_cached("UPDATE talk SET starts_at = ?2 WHERE id = ?1")?
                .execute((id, stamp(held.with_timezone(&Utc))))?;
            // The talk's date moved back: retention must look at it again.
            crate::privacy::retention::talk_written(conn, id)?;
        }
    }
    step(conn, clock, id, TalkState::Held, None)
}

/// The talk's last step: its event's id, and the states it went from and to.
fn last_step(conn: &Connection, id: TalkId) -> Result<Option<(i64, Option<TalkState>, TalkState)>> {
    conn.prepare_cached(
        "SELECT id, from_state, to_state FROM talk_event WHERE talk_id = ?1
         ORDER BY id DESC LIMIT 1",
    )?
    .query_row([id], |r| {
        Ok((
            r.get("id")?,
            r.get::<_, Option<String>>("from_state")?
                .map(|s| parse_state(&s))
                .transpose()?,
            parse_state(&r.get::<_, String>("to_state")?)?,
        ))
    })
    .optional()
    .map_err(Into::into)
}

/// Whether the talk's last step can be undone, and if not why; None when it has none, or its
/// texts were removed.
pub fn undo_offer(conn: &Connection, id: TalkId) -> Result<Option<lifecycle::Undo>> {
    let (current, cleared): (String, bool) = conn
        .prepare_cached("SELECT state, cleared_at IS NOT NULL AS cleared FROM talk WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get("state")?, r.get("cleared")?)))?;
    let Some((_, from, to)) = last_step(conn, id)? else {
        return Ok(None);
    };
    // A history that does not end in the talk's state is not one step to take back.
    if cleared || to.as_str() != current {
        return Ok(None);
    }
    let signatures: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM signature WHERE talk_id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    Ok(lifecycle::undo(from, to, signatures))
}

/// Takes the talk's last step back: the talk returns to the state before it and the step leaves
/// the talk's history (the audit trail keeps both). A recorded day of holding stays the talk's
/// date; the invitation form shows it again to change.
pub fn undo(conn: &Connection, clock: &dyn Clock, id: TalkId) -> Result<TalkState> {
    state_for_writing(conn, id)?;
    let back = match undo_offer(conn, id)? {
        Some(lifecycle::Undo::Allowed { back, .. }) => back,
        Some(lifecycle::Undo::Refused { reason, .. }) => return Err(Error::UndoRefused { reason }),
        None => return Err(Error::NothingToUndo),
    };
    let Some((event, _, undone)) = last_step(conn, id)? else {
        return Err(Error::NothingToUndo);
    };
    conn.prepare_cached("DELETE FROM talk_event WHERE id = ?1")?
        .execute([event])?;
    // A calendar that learnt of the cancellation must learn that the talk is on again.
    let sequence = i32::from(undone == TalkState::Cancelled);
    conn.prepare_cached(
        "UPDATE talk SET state = ?2, updated_at = ?3,
                ics_sequence = ics_sequence + (?4 AND starts_at IS NOT NULL)
         WHERE id = ?1",
    )?
    .execute((id, back.as_str(), stamp(clock.now()), sequence))?;
    Ok(back)
}

pub(crate) fn set_state(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    from: TalkState,
    to: TalkState,
    reason: Option<&str>,
) -> Result<()> {
    let now = stamp(clock.now());
    conn.prepare_cached("UPDATE talk SET state = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute((id, to.as_str(), &now))?;
    log_event(conn, id, Some(from), to, reason, &now)
}

/// Sets or moves the date, time and place. The first invitation moves a planned talk to
/// invited; a later change raises the calendar SEQUENCE so calendars update the meeting.
pub fn schedule(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    input: &ScheduleInput,
) -> Result<Warned<TalkState>> {
    let from = state_for_writing(conn, id)?;
    if !matches!(
        from,
        TalkState::Planned | TalkState::Invited | TalkState::Preparing
    ) {
        return Err(Error::WrongState { state: from });
    }
    let starts_at = DateTime::parse_from_rfc3339(input.starts_at.trim())
        .map_err(|_| Error::Invalid {
            field: Field::StartsAt,
        })?
        .with_timezone(&Utc);
    if !(5..=480).contains(&input.duration_minutes) {
        return Err(Error::Invalid {
            field: Field::Duration,
        });
    }
    let place = validate::optional(&input.place, Field::Place, MAX_PLACE)?;
    conn.execute(
        "UPDATE talk SET starts_at = ?2, duration_minutes = ?3, place = ?4,
                ics_sequence = ics_sequence + (starts_at IS NOT NULL), updated_at = ?5
         WHERE id = ?1",
        (
            id,
            stamp(starts_at),
            input.duration_minutes,
            &place,
            stamp(clock.now()),
        ),
    )?;
    crate::privacy::retention::talk_written(conn, id)?;
    let state = if from == TalkState::Planned {
        step(conn, clock, id, TalkState::Invited, None)?
    } else {
        from
    };

    let mut warnings = Vec::new();
    if starts_at < clock.now() {
        warnings.push(TalkWarning::InPast);
    }
    let end = starts_at + Duration::minutes(input.duration_minutes.into());
    let leader: PersonId =
        conn.query_row("SELECT leader_id FROM talk WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    // Talks are at most 8 hours, so only those starting in the 8 hours before can overlap.
    let mut stmt = conn.prepare_cached(
        "SELECT id, starts_at, duration_minutes FROM talk
         WHERE leader_id = ?1 AND id != ?2 AND state != 'cancelled'
           AND starts_at > ?3 AND starts_at < ?4",
    )?;
    let others = stmt.query_map(
        (
            leader,
            id,
            stamp(starts_at - Duration::hours(8)),
            stamp(end),
        ),
        |r| {
            Ok((
                r.get::<_, TalkId>(0)?,
                r.get::<_, DateTime<Utc>>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )?;
    for other in others {
        let (other, start, minutes) = other?;
        if start + Duration::minutes(minutes) > starts_at {
            warnings.push(TalkWarning::Clash {
                talk_id: other,
                starts_at: start,
            });
        }
    }
    Ok(Warned {
        value: state,
        warnings,
    })
}

pub fn events(conn: &Connection, id: TalkId) -> Result<Vec<TalkEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT from_state, to_state, reason, at FROM talk_event WHERE talk_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(TalkEvent {
                from: r
                    .get::<_, Option<String>>("from_state")?
                    .map(|s| parse_state(&s))
                    .transpose()?,
                to: parse_state(&r.get::<_, String>("to_state")?)?,
                reason: r.get("reason")?,
                at: r.get("at")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The calendar data of a scheduled talk, for the `.ics` file.
pub(crate) fn calendar_facts(
    conn: &Connection,
    id: TalkId,
) -> Result<(TalkSummary, u32, DateTime<Utc>)> {
    let talk = get(conn, id)?;
    let (sequence, created): (u32, DateTime<Utc>) = conn.query_row(
        "SELECT ics_sequence, created_at FROM talk WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if talk.starts_at.is_none() {
        return Err(Error::NotScheduled);
    }
    Ok((talk, sequence, created))
}
