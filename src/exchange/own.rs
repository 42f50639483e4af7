//! The person's own talks: the talks where the person using this store is the employee (MUS),
//! a group member (GRUS) or the leader (LUS), made from the invitations they opened, and their
//! own preparation for each.
//!
//! Invariants: an own talk lives in `own_talk`, apart from the organisation's unit-based talk
//! tables, so a store with no organisation (an employee who manages no one) holds them; each
//! answer of the preparation is private until the person marks it shared, and only shared
//! answers are read by [`shared_answers`], the one query a preparation file is written from;
//! answers are checked against the guide the invitation carried.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use specta::Type;

use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Result};
use crate::ids::OwnTalkId;
use crate::talks::record::{self, Answer, QuestionRef};
use crate::talks::template::{self, Template};
use crate::talks::TalkKind;

/// An own talk, as the list of the person's own talks shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnTalkSummary {
    pub id: OwnTalkId,
    pub kind: TalkKind,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub place: Option<String>,
    pub manager_name: String,
    /// The fingerprint of the manager's key, to compare with them once.
    pub manager_key: String,
    /// The manager cancelled the talk.
    pub cancelled: bool,
    /// When the last preparation file was written for the manager; `None`: none yet.
    pub preparation_sent_at: Option<DateTime<Utc>>,
}

/// One answer of the person's own preparation, with whether it goes to the manager.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnAnswer {
    pub answer: Answer,
    pub shared: bool,
}

/// An own talk with its guide and the person's preparation.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnTalkDetail {
    pub talk: OwnTalkSummary,
    pub guide: Template,
    pub guide_version: u32,
    /// The invitation's calendar file (RFC 5545), to add to a calendar.
    pub ics: String,
    pub answers: Vec<OwnAnswer>,
}

const SELECT: &str = "SELECT id, kind, starts_at, duration_minutes, place, manager_name,
        manager_key, cancelled, preparation_sent_at, guide, guide_version, ics, exchange_id FROM own_talk";

fn summary_row(r: &Row<'_>) -> rusqlite::Result<OwnTalkSummary> {
    let kind: String = r.get("kind")?;
    Ok(OwnTalkSummary {
        id: r.get("id")?,
        kind: TalkKind::parse(&kind).ok_or_else(|| crate::talks::library::bad_value(&kind))?,
        starts_at: r.get("starts_at")?,
        duration_minutes: r.get("duration_minutes")?,
        place: r.get("place")?,
        manager_name: r.get("manager_name")?,
        manager_key: r.get("manager_key")?,
        cancelled: r.get("cancelled")?,
        preparation_sent_at: r.get("preparation_sent_at")?,
    })
}

/// Every own talk, soonest first (undated last).
pub fn list(conn: &Connection) -> Result<Vec<OwnTalkSummary>> {
    let rows = conn
        .prepare_cached(&format!(
            "{SELECT} ORDER BY starts_at IS NULL, starts_at, id"
        ))?
        .query_map([], summary_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The guide an own talk's answers are checked against.
pub(crate) fn guide(conn: &Connection, id: OwnTalkId) -> Result<Template> {
    let json: String = conn
        .prepare_cached("SELECT guide FROM own_talk WHERE id = ?1")?
        .query_row([id], |r| r.get("guide"))
        .optional()?
        .ok_or(Error::not_found(Entity::OwnTalk, id.0))?;
    // Checked when the invitation was opened; a guide that no longer parses is damage.
    template::parse(&json).map_err(|_| Error::StoreCorrupt {
        detail: format!("own talk {id} holds a guide that does not parse"),
    })
}

pub fn get(conn: &Connection, id: OwnTalkId) -> Result<OwnTalkDetail> {
    let (talk, guide_version, ics) = conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], |r| {
            Ok((
                summary_row(r)?,
                r.get::<_, u32>("guide_version")?,
                r.get::<_, String>("ics")?,
            ))
        })
        .optional()?
        .ok_or(Error::not_found(Entity::OwnTalk, id.0))?;
    let answers = conn
        .prepare_cached(
            "SELECT section, question, text, value, shared FROM own_preparation
             WHERE own_talk_id = ?1 ORDER BY section, question",
        )?
        .query_map([id], |r| {
            Ok(OwnAnswer {
                answer: Answer {
                    section: r.get("section")?,
                    question: r.get("question")?,
                    text: r.get("text")?,
                    value: r.get("value")?,
                },
                shared: r.get("shared")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(OwnTalkDetail {
        talk,
        guide: guide(conn, id)?,
        guide_version,
        ics,
        answers,
    })
}

/// Saves the person's answer to one question; a new answer starts unshared, a changed one
/// keeps its mark.
pub fn save_answer(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
    answer: &Answer,
) -> Result<()> {
    record::check_answer_in(&guide(conn, id)?, answer)?;
    conn.prepare_cached(
        "INSERT INTO own_preparation (own_talk_id, section, question, text, value, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT DO UPDATE SET text = excluded.text, value = excluded.value,
                                   updated_at = excluded.updated_at",
    )?
    .execute((
        id,
        answer.section,
        answer.question,
        &answer.text,
        answer.value,
        stamp(clock.now()),
    ))?;
    Ok(())
}

/// Marks one answer as going to the manager in the next preparation file, or as staying here.
/// What a file already carried cannot be taken back; the next file leaves it out.
pub fn set_shared(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
    at: QuestionRef,
    shared: bool,
) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE own_preparation SET shared = ?4, updated_at = ?5
             WHERE own_talk_id = ?1 AND section = ?2 AND question = ?3",
        )?
        .execute((id, at.section, at.question, shared, stamp(clock.now())))?;
    if changed == 0 {
        // No answer to that question yet: there is nothing to share.
        guide(conn, id)?;
        return Err(Error::Invalid {
            field: crate::error::Field::Note,
        });
    }
    Ok(())
}

/// The answers marked shared: the only ones a preparation file is written from.
pub(crate) fn shared_answers(conn: &Connection, id: OwnTalkId) -> Result<Vec<Answer>> {
    let rows = conn
        .prepare_cached(
            "SELECT section, question, text, value FROM own_preparation
             WHERE own_talk_id = ?1 AND shared = 1 ORDER BY section, question",
        )?
        .query_map([id], |r| {
            Ok(Answer {
                section: r.get("section")?,
                question: r.get("question")?,
                text: r.get("text")?,
                value: r.get("value")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
