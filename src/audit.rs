//! The audit trail: who, when and what for each change to people, talks, agreements and
//! actions, and to the store itself.
//!
//! Invariants: an entry is written in the same transaction as the change it records, so a
//! change that is rolled back leaves no entry and a change that is kept always has one; an
//! entry never holds note, summary or reason text (its detail is a state change, the names of
//! the fields that changed, or a count); entries are never edited: erasing a person only
//! clears whom an entry concerns. "Who" is the local user profile's name at the time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::Clock;
use crate::error::{Entity, Error, Result};
use crate::ids::PersonId;
use crate::talks::TalkKind;

/// What was done. Stored by its camelCase name, which the UI translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum AuditAction {
    PersonCreated,
    PersonUpdated,
    PersonMoved,
    PersonArchived,
    PeopleImported,
    TalkPlanned,
    TalkScheduled,
    TalkStepped,
    PreparationSaved,
    PreparationShared,
    NoteSaved,
    SummarySaved,
    DisagreementRecorded,
    TalkSigned,
    FollowUpAdded,
    AssessmentSaved,
    ActionCreated,
    ActionUpdated,
    ActionStatusChanged,
    ActionJudged,
    ActionFollowUpAdded,
    StoreRestored,
    PersonErased,
    RetentionSet,
    RecordsPurged,
    StoreKeyChanged,
    /// An exchange file written for another store; the detail is its kind and recipient.
    ExchangeWritten,
    /// An exchange file opened into this store; the detail is its kind and sender.
    ExchangeOpened,
    /// A key of another store confirmed in place of the one pinned before.
    ExchangeKeyConfirmed,
    /// The person's own preparation for their own talk.
    OwnPreparationSaved,
    /// The person changed one of their own agreed actions (status, effect or a follow-up
    /// note); the detail names the field, never a note's text.
    OwnActionChanged,
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: AuditAction,
    pub entity: Entity,
    pub entity_id: Option<i64>,
    /// Whom the change concerns, when it is one person.
    pub person: Option<PersonId>,
    /// A state change ("planned → invited"), field names or a count; never typed text.
    pub detail: String,
}

impl Event {
    pub fn new(action: AuditAction, entity: Entity, id: i64) -> Event {
        Event {
            action,
            entity,
            entity_id: Some(id),
            person: None,
            detail: String::new(),
        }
    }

    /// A change to no one record in particular (an import, a restore, the retention policy).
    pub fn general(action: AuditAction, entity: Entity) -> Event {
        Event {
            action,
            entity,
            entity_id: None,
            person: None,
            detail: String::new(),
        }
    }

    pub fn about(mut self, person: Option<PersonId>) -> Event {
        self.person = person;
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Event {
        self.detail = detail.into();
        self
    }
}

/// A unit enum's serde name (`personCreated`, `talk`): how it is stored, and the key of its
/// words in exports.
pub(crate) fn code<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The unit enum a stored serde name stands for; `None` for a name this app does not know.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

/// Writes `event`, on the transaction of the change it records.
pub fn record(conn: &Connection, clock: &dyn Clock, event: &Event) -> Result<()> {
    let actor = crate::settings::user_name(conn)?.unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO audit (at, actor, action, entity, entity_id, person_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        clock.now(),
        actor,
        code(&event.action),
        code(&event.entity),
        event.entity_id,
        event.person.map(|p| p.0),
        event.detail,
    ])?;
    Ok(())
}

/// One entry, as the audit page and its export show it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    #[specta(type = u32)]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: AuditAction,
    pub entity: Entity,
    #[specta(type = Option<u32>)]
    pub entity_id: Option<i64>,
    pub person_id: Option<PersonId>,
    /// The person's name now; `None` when the entry concerns no one, or someone erased.
    pub person_name: Option<String>,
    pub detail: String,
    /// What the record is, as it is now: read when the trail is listed, never stored in it.
    pub subject: Option<AuditSubject>,
}

/// What an entry's record is, for a reader: a talk by its kind, whom it is with and its year
/// ("MUS with Freja Nielsen, 2026"), an action by its title (a confidential one by none).
/// Looked up when the trail is read, so the trail itself holds no names or titles, and an
/// erased person is named nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AuditSubject {
    /// A talk: its kind, its participants who are not erased (by family name), its year.
    Talk {
        talk_kind: TalkKind,
        with: Vec<String>,
        year: i32,
    },
    /// An agreed action: its title and its plan's year.
    Action { title: String, year: i32 },
}

/// The subject of each talk or action record, looked up once per record.
fn subject(
    conn: &Connection,
    entity: Entity,
    id: i64,
    seen: &mut HashMap<(Entity, i64), Option<AuditSubject>>,
) -> Result<Option<AuditSubject>> {
    if let Some(known) = seen.get(&(entity, id)) {
        return Ok(known.clone());
    }
    let found = match entity {
        Entity::Talk => {
            let talk: Option<(String, i32)> = conn
                .prepare_cached("SELECT kind, year FROM talk WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get("kind")?, r.get("year")?)))
                .optional()?;
            match talk.and_then(|(kind, year)| Some((TalkKind::parse(&kind)?, year))) {
                Some((talk_kind, year)) => {
                    let with = conn
                        .prepare_cached(
                            "SELECT p.given_name || ' ' || p.family_name AS name
                             FROM talk_participant tp JOIN person p ON p.id = tp.person_id
                             WHERE tp.talk_id = ?1 AND p.erased_at IS NULL
                             ORDER BY p.family_key, p.name_key",
                        )?
                        .query_map([id], |r| r.get("name"))?
                        .collect::<rusqlite::Result<_>>()?;
                    Some(AuditSubject::Talk {
                        talk_kind,
                        with,
                        year,
                    })
                }
                None => None,
            }
        }
        // A confidential action stays unnamed: the trail is exported, and its title may say
        // what the person confided.
        Entity::Action => conn
            .prepare_cached("SELECT title, year FROM action WHERE id = ?1 AND NOT confidential")?
            .query_row([id], |r| {
                Ok(AuditSubject::Action {
                    title: r.get("title")?,
                    year: r.get("year")?,
                })
            })
            .optional()?,
        _ => None,
    };
    seen.insert((entity, id), found.clone());
    Ok(found)
}

/// Which entries to list: newest first, a page at a time.
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditFilter {
    pub person: Option<PersonId>,
    /// Entries older than this id (the last of the previous page).
    #[specta(type = Option<u32>)]
    pub before: Option<i64>,
    pub limit: u32,
}

/// The longest page the UI may ask for.
pub const MAX_PAGE: u32 = 500;

pub fn list(conn: &Connection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let limit = filter.limit.clamp(1, MAX_PAGE);
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.person_id,
                p.given_name || ' ' || p.family_name AS person_name, a.detail
         FROM audit a LEFT JOIN person p ON p.id = a.person_id
         WHERE (?1 IS NULL OR a.person_id = ?1) AND (?2 IS NULL OR a.id < ?2)
         ORDER BY a.id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        rusqlite::params![filter.person.map(|p| p.0), filter.before, limit],
        |r| {
            Ok((
                r.get::<_, i64>("id")?,
                r.get::<_, DateTime<Utc>>("at")?,
                r.get::<_, String>("actor")?,
                r.get::<_, String>("action")?,
                r.get::<_, String>("entity")?,
                r.get::<_, Option<i64>>("entity_id")?,
                r.get::<_, Option<i64>>("person_id")?,
                r.get::<_, Option<String>>("person_name")?,
                r.get::<_, String>("detail")?,
            ))
        },
    )?;
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for row in rows {
        let (id, at, actor, action, entity, entity_id, person_id, person_name, detail) = row?;
        // An entry this app cannot name (written by a newer one) is damage, said as such.
        let action = parse(&action).ok_or_else(|| Error::StoreCorrupt {
            detail: format!("audit entry {id} has an unknown action"),
        })?;
        let entity = parse(&entity).ok_or_else(|| Error::StoreCorrupt {
            detail: format!("audit entry {id} has an unknown entity"),
        })?;
        let subject = match entity_id {
            Some(record) => subject(conn, entity, record, &mut seen)?,
            None => None,
        };
        out.push(AuditEntry {
            id,
            at,
            actor,
            action,
            entity,
            entity_id,
            person_id: person_id.map(PersonId),
            person_name,
            detail,
            subject,
        });
    }
    Ok(out)
}

/// Every entry (about `person`, or all), newest first, read a page at a time.
pub fn all(conn: &Connection, person: Option<PersonId>) -> Result<Vec<AuditEntry>> {
    let mut out: Vec<AuditEntry> = Vec::new();
    loop {
        let page = list(
            conn,
            &AuditFilter {
                person,
                before: out.last().map(|e| e.id),
                limit: MAX_PAGE,
            },
        )?;
        let done = page.len() < MAX_PAGE as usize;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// Erasing people: their entries stay, no longer saying whom they concern. The one change an
/// entry ever sees.
pub(crate) fn forget(conn: &Connection, people: &[PersonId]) -> Result<()> {
    let mut stmt = conn.prepare_cached("UPDATE audit SET person_id = NULL WHERE person_id = ?1")?;
    for p in people {
        stmt.execute([p])?;
    }
    Ok(())
}

/// The names of the fields that differ between two values of the same input, for an
/// "updated" entry: which fields changed, never what they hold.
pub fn changed_fields<T: Serialize>(before: &T, after: &T) -> String {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return String::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
