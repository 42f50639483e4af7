//! How long each kind of record is kept, and the purge that removes what is older.
//!
//! Each kind has a period in months after its date: a talk's date (or the day it was planned,
//! for a talk never scheduled), the last day of an action's year, a person's last day. The
//! organisation adopts a policy once, after seeing what it would remove; until then nothing is
//! ever purged, so no one loses records to defaults they never saw. Once adopted, the purge
//! runs on the first start of each day and whenever someone asks, in one transaction with one
//! audit entry per kind; `secure_delete` zeroes the removed text where it stood, and
//! [`crate::store::Store::compact`] empties the log and gives the space back.
//!
//! Purging clears, it does not delete rows (see [`super::erase`]): the counts of past years
//! stay as they were.
//!
//! The daily purge looks only at talks dated since the last purge's cutoff of their kind
//! (`retention.done_before`), through the `talk_by_date` index: on the largest store a full
//! look is seconds, too long for every start. A talk written to or dated before a cutoff (a
//! private note added to an old talk never agreed, a talk recorded after the fact) moves that
//! cutoff back to its date ([`talk_written`]), so the next daily purge looks from there; a
//! talk the purge has cleared takes nothing new ([`crate::error::Error::Cleared`]). A purge on
//! demand, the preview and adoption look at every record.

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;

use super::erase;
use crate::audit::{self, AuditAction, Event};
use crate::clock::Clock;
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{PersonId, TalkId};
use crate::organisation::{self, Country};

/// The kinds of record a retention period applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    /// The leader's private notes of a talk.
    LeaderNotes,
    /// Each party's preparation of a talk, shared or not.
    Preparations,
    /// A talk's agreed record: summary, disagreement, shared notes, follow-ups, and with it
    /// whatever else of the talk is left.
    Summaries,
    /// The texts of an action: title, theme, result note, follow-ups.
    Actions,
    /// People who left: erased (see [`super::erase`]).
    FormerPeople,
}

impl RecordKind {
    /// In the order a purge removes them: erasing people first clears their talks whole.
    pub const ALL: [RecordKind; 5] = [
        RecordKind::FormerPeople,
        RecordKind::Summaries,
        RecordKind::Preparations,
        RecordKind::LeaderNotes,
        RecordKind::Actions,
    ];
}

/// The longest period that can be set: a hundred years.
pub const MAX_MONTHS: u32 = 1200;

/// One kind's period; `months: None` keeps the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RetentionRule {
    pub kind: RecordKind,
    pub months: Option<u32>,
}

/// The organisation's policy, or the defaults it would adopt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RetentionPolicy {
    /// Adopted by a person; before that nothing is purged and `rules` are the defaults.
    pub adopted: bool,
    pub rules: Vec<RetentionRule>,
    /// The defaults for the organisation's country, to offer as a starting point.
    pub defaults: Vec<RetentionRule>,
}

/// Sensible periods for an organisation in `country`. Private notes and preparations serve the
/// next talk or two; the agreed record and the plan serve some years of follow-up; people who
/// left are erased after two years. In Sweden a municipality's agreed summary is a public
/// record, weeded under the archive's own rules (arkivlagen), not by this app: kept.
pub fn defaults(country: Country) -> Vec<RetentionRule> {
    RecordKind::ALL
        .into_iter()
        .map(|kind| RetentionRule {
            kind,
            months: match kind {
                RecordKind::LeaderNotes | RecordKind::Preparations => Some(24),
                RecordKind::Summaries if country == Country::SE => None,
                RecordKind::Summaries | RecordKind::Actions => Some(60),
                RecordKind::FormerPeople => Some(24),
            },
        })
        .collect()
}

pub fn policy(conn: &Connection) -> Result<RetentionPolicy> {
    let country = organisation::get(conn)?
        .ok_or(Error::NoOrganisation)?
        .country;
    let defaults = defaults(country);
    if !adopted(conn)? {
        return Ok(RetentionPolicy {
            adopted: false,
            rules: defaults.clone(),
            defaults,
        });
    }
    let mut stmt = conn.prepare_cached("SELECT kind, months FROM retention")?;
    let stored = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>("kind")?,
                r.get::<_, Option<u32>>("months")?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rules = RecordKind::ALL
        .into_iter()
        .map(|kind| RetentionRule {
            kind,
            // A kind added by a later version and not yet set keeps its records.
            months: stored
                .iter()
                .find(|(k, _)| audit::parse::<RecordKind>(k) == Some(kind))
                .and_then(|(_, m)| *m),
        })
        .collect();
    Ok(RetentionPolicy {
        adopted: true,
        rules,
        defaults,
    })
}

/// Checks a policy as the page sends it: every kind once, periods from 1 to [`MAX_MONTHS`].
fn check(rules: &[RetentionRule]) -> Result<()> {
    let invalid = Error::Invalid {
        field: Field::Retention,
    };
    if rules.len() != RecordKind::ALL.len()
        || RecordKind::ALL
            .iter()
            .any(|k| rules.iter().filter(|r| r.kind == *k).count() != 1)
    {
        return Err(invalid);
    }
    for r in rules {
        match r.months {
            Some(0) => return Err(invalid),
            Some(m) if m > MAX_MONTHS => {
                return Err(Error::TooLarge {
                    field: Field::Retention,
                    max: MAX_MONTHS,
                })
            }
            _ => {}
        }
    }
    Ok(())
}

/// Adopts (or changes) the policy. The caller previews first; the audit entry names the
/// kinds whose period changed.
pub fn set_policy(
    conn: &Connection,
    clock: &dyn Clock,
    rules: &[RetentionRule],
) -> Result<RetentionPolicy> {
    check(rules)?;
    let before = policy(conn)?;
    let mut put = conn.prepare_cached(
        "INSERT INTO retention (kind, months, set_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind) DO UPDATE SET months = excluded.months, set_at = excluded.set_at,
             done_before = CASE WHEN months IS excluded.months THEN done_before END",
    )?;
    for r in rules {
        put.execute((audit::code(&r.kind), r.months, clock.now()))?;
    }
    let changed: Vec<String> = rules
        .iter()
        .filter(|r| !before.adopted || !before.rules.contains(r))
        .map(|r| {
            let months = r
                .months
                .map_or("kept".to_owned(), |m| format!("{m} months"));
            format!("{}: {months}", audit::code(&r.kind))
        })
        .collect();
    audit::record(
        conn,
        clock,
        &Event::general(AuditAction::RetentionSet, Entity::Organisation).detail(changed.join(", ")),
    )?;
    policy(conn)
}

/// A policy just adopted, and what it purged at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Adopted {
    pub policy: RetentionPolicy,
    pub purged: Purge,
}

/// How many records of one kind a purge removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PurgeCount {
    pub kind: RecordKind,
    pub months: Option<u32>,
    /// Records dated before this day go; `None` when the kind is kept.
    pub before: Option<NaiveDate>,
    /// Talks (notes, preparations, summaries), actions or people.
    pub records: u32,
}

/// What a purge would remove (a preview) or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Purge {
    pub counts: Vec<PurgeCount>,
    pub total: u32,
}

/// A talk's date: when it was held, else when it was planned. The same expression as the
/// `talk_by_date` index, so the purge reads that index and not the talks themselves.
const TALK_DATE: &str = "date(coalesce(t.starts_at, t.created_at))";

/// The records of `kind` dated before `before` that a purge removes, as a query and its
/// arguments; talks only from `from` on (the day before which the last purge of the kind
/// removed everything). An action's date is the last day of its year: before the cutoff
/// exactly when its year is before the cutoff's. Actions and people need no lower bound:
/// their partial indexes hold only what was not cleared yet.
fn candidates(
    kind: RecordKind,
    before: NaiveDate,
    from: Option<NaiveDate>,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let window = || {
        vec![
            Value::Text(before.to_string()),
            Value::Text(from.map_or_else(|| "0000-01-01".to_owned(), |d| d.to_string())),
        ]
    };
    let talks = |condition: &str| {
        format!(
            "SELECT t.id FROM talk t WHERE {TALK_DATE} < ?1 AND {TALK_DATE} >= ?2 AND {condition}"
        )
    };
    match kind {
        RecordKind::LeaderNotes => (
            talks("EXISTS (SELECT 1 FROM leader_note n WHERE n.talk_id = t.id)"),
            window(),
        ),
        RecordKind::Preparations => (
            talks(
                "(EXISTS (SELECT 1 FROM preparation p WHERE p.talk_id = t.id)
                  OR EXISTS (SELECT 1 FROM preparation_share s WHERE s.talk_id = t.id))",
            ),
            window(),
        ),
        RecordKind::Summaries => (talks("t.cleared_at IS NULL"), window()),
        RecordKind::Actions => (
            "SELECT a.id FROM action a WHERE a.year < ?1 AND a.cleared_at IS NULL".to_owned(),
            vec![Value::Integer(i64::from(before.year()))],
        ),
        RecordKind::FormerPeople => (
            "SELECT p.id FROM person p
             WHERE p.archived_at IS NOT NULL AND p.erased_at IS NULL AND p.end_date < ?1"
                .to_owned(),
            vec![Value::Text(before.to_string())],
        ),
    }
}

fn cutoff(today: NaiveDate, months: Option<u32>) -> Option<NaiveDate> {
    // A period reaching before the calendar's start keeps everything.
    months.and_then(|m| today.checked_sub_months(Months::new(m)))
}

/// What `rules` would remove today, counted exactly by running the purge and rolling it back.
pub fn preview(conn: &Connection, clock: &dyn Clock, rules: &[RetentionRule]) -> Result<Purge> {
    check(rules)?;
    // Dropped without a commit: rolled back, whatever happened inside.
    let tx = conn.unchecked_transaction()?;
    run(&tx, clock, rules, Scope::Everything)
}

/// How much of the past a purge looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every record: at adoption, on demand, in a preview.
    Everything,
    /// What has come of age since the last purge of each kind: the daily purge at start.
    SinceLast,
}

/// Removes what the adopted policy says is due; nothing when no policy is adopted. Runs on the
/// caller's transaction.
pub fn purge(conn: &Connection, clock: &dyn Clock, scope: Scope) -> Result<Purge> {
    let policy = policy(conn)?;
    let rules: &[RetentionRule] = if policy.adopted { &policy.rules } else { &[] };
    let purged = run(conn, clock, rules, scope)?;
    crate::settings::set_purged_on(conn, clock.today())?;
    Ok(purged)
}

/// Applies `rules` (a kind without a rule is kept), kind by kind in [`RecordKind::ALL`]'s
/// order: a talk cleared with a person who left is not counted again under its summaries.
fn run(
    conn: &Connection,
    clock: &dyn Clock,
    rules: &[RetentionRule],
    scope: Scope,
) -> Result<Purge> {
    let today = clock.today();
    let mut counts = Vec::new();
    for kind in RecordKind::ALL {
        let months = rules.iter().find(|r| r.kind == kind).and_then(|r| r.months);
        let before = cutoff(today, months);
        let records = match before {
            Some(day) => {
                let from = match scope {
                    Scope::Everything => None,
                    Scope::SinceLast => done_before(conn, kind)?,
                };
                let n = purge_kind(conn, clock, kind, day, from)?;
                conn.prepare_cached("UPDATE retention SET done_before = ?1 WHERE kind = ?2")?
                    .execute((day.to_string(), audit::code(&kind)))?;
                n
            }
            None => 0,
        };
        if records > 0 {
            audit::record(
                conn,
                clock,
                &Event::general(AuditAction::RecordsPurged, Entity::Organisation)
                    .detail(format!("{}: {records}", audit::code(&kind))),
            )?;
        }
        counts.push(PurgeCount {
            kind,
            months,
            before,
            records,
        });
    }
    let total = counts.iter().map(|c| c.records).sum();
    Ok(Purge { counts, total })
}

fn done_before(conn: &Connection, kind: RecordKind) -> Result<Option<NaiveDate>> {
    use rusqlite::OptionalExtension;
    let day: Option<Option<String>> = conn
        .prepare_cached("SELECT done_before FROM retention WHERE kind = ?1")?
        .query_row([audit::code(&kind)], |r| r.get(0))
        .optional()?;
    Ok(day.flatten().and_then(|d| d.parse().ok()))
}

fn purge_kind(
    conn: &Connection,
    clock: &dyn Clock,
    kind: RecordKind,
    before: NaiveDate,
    from: Option<NaiveDate>,
) -> Result<u32> {
    let (ids, args) = candidates(kind, before, from);
    let args = rusqlite::params_from_iter(args);
    erase::prepare(conn)?;
    match kind {
        RecordKind::LeaderNotes => {
            let n = conn.execute(&format!("INSERT INTO temp.clear_talk (id) {ids}"), args)?;
            erase::drop_leader_notes(conn)?;
            Ok(n as u32)
        }
        RecordKind::Preparations => {
            let n = conn.execute(&format!("INSERT INTO temp.clear_talk (id) {ids}"), args)?;
            erase::drop_preparations(conn)?;
            Ok(n as u32)
        }
        RecordKind::Summaries => {
            conn.execute(&format!("INSERT INTO temp.clear_talk (id) {ids}"), args)?;
            erase::clear_talks(conn, clock)
        }
        RecordKind::Actions => {
            conn.execute(&format!("INSERT INTO temp.clear_action (id) {ids}"), args)?;
            erase::clear_actions(conn, clock)
        }
        RecordKind::FormerPeople => {
            let people: Vec<PersonId> = conn
                .prepare(&ids)?
                .query_map(args, |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if people.is_empty() {
                return Ok(0);
            }
            erase::erase_left(conn, clock, &people)?;
            for id in &people {
                audit::record(
                    conn,
                    clock,
                    &Event::new(AuditAction::PersonErased, Entity::Person, id.0),
                )?;
            }
            Ok(people.len() as u32)
        }
    }
}

/// The talk kinds of record, whose daily purge looks only after the last cutoff.
const TALK_KINDS: [RecordKind; 3] = [
    RecordKind::LeaderNotes,
    RecordKind::Preparations,
    RecordKind::Summaries,
];

/// A talk has just been written to or given a date: where it is dated before the last cutoff
/// of a talk kind, the daily purge would never look at it again, so the cutoff moves back to
/// its date (once: the next purge moves it on). Three rows at most change, so autosave may call
/// this on every save.
pub(crate) fn talk_written(conn: &Connection, talk: TalkId) -> Result<()> {
    let [notes, preparations, summaries] = TALK_KINDS.map(|k| audit::code(&k));
    conn.prepare_cached(&format!(
        "UPDATE retention SET done_before = d.day
         FROM (SELECT {TALK_DATE} AS day FROM talk t WHERE t.id = ?1) AS d
         WHERE retention.kind IN (?2, ?3, ?4) AND retention.done_before > d.day"
    ))?
    .execute((talk, notes, preparations, summaries))?;
    Ok(())
}

/// Whether today's purge is still to run: a policy is adopted and it has not run today.
pub fn due(conn: &Connection, today: NaiveDate) -> Result<bool> {
    Ok(adopted(conn)? && crate::settings::purged_on(conn)? != Some(today))
}

/// Whether a person has adopted a policy: [`set_policy`] writes every kind's row, nothing
/// else writes any.
fn adopted(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM retention)")?
        .query_row([], |r| r.get(0))?)
}
