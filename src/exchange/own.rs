//! The person's own talks: the talks where the person using this store is the employee (MUS),
//! a group member (GRUS) or the leader (LUS), made from the invitations they opened, and their
//! own preparation for each.
//!
//! Invariants: an own talk lives in `own_talk`, apart from the organisation's unit-based talk
//! tables, so a store with no organisation (an employee who manages no one) holds them; each
//! answer of the preparation is private until the person marks it shared, and only shared
//! answers are read by [`shared_answers`], the one query a preparation file is written from;
//! answers are checked against the guide the invitation carried.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use specta::Type;

use crate::actions::{self, ActionStatus, Effect};
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::OwnTalkId;
use crate::talks::record::{self, Answer, QuestionRef};
use crate::talks::template::{self, Template};
use crate::talks::TalkKind;
use crate::validate;

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
    /// The agreement the newest agreement file brought, with the person's actions; `None`
    /// before one came.
    pub agreement: Option<OwnAgreement>,
}

/// The agreement of an own talk, as the manager's agreement file carried it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnAgreement {
    pub summary: String,
    /// A disagreement the manager recorded with the agreement.
    pub recorded_disagreement: Option<String>,
    pub actions: Vec<OwnAction>,
    /// SHA-256 (hex) of the agreement's exact content: what a confirmation signs.
    pub hash: String,
    /// When the manager wrote the file (their clock), and when it was opened here.
    pub written_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// When the person confirmed this agreement; `None`: not confirmed (or disagreed).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The person's own disagreement, as their confirmation file sent it.
    pub disagreement: Option<String>,
    /// When they answered it (confirmed or disagreed); `None`: not yet. A newer, changed
    /// agreement clears the answer: it needs a new one.
    pub answered_at: Option<DateTime<Utc>>,
}

/// One agreed action in the person's own view, with its progress. `*_from`: the fingerprint
/// of the manager's key when the value came in a file; `None` when set here.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnAction {
    /// The action's reference in exchange files: how the commands name it.
    pub reference: String,
    pub title: String,
    pub theme: String,
    pub owner_name: String,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
    pub status_at: Option<DateTime<Utc>>,
    pub status_from: Option<String>,
    pub result: Option<Effect>,
    pub result_note: Option<String>,
    pub result_at: Option<DateTime<Utc>>,
    pub result_from: Option<String>,
    pub notes: Vec<OwnActionNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnActionNote {
    pub text: String,
    pub at: DateTime<Utc>,
    pub from_key: Option<String>,
}

const SELECT: &str = "SELECT id, kind, starts_at, duration_minutes, place, manager_name,
        manager_key, cancelled, preparation_sent_at, guide, guide_version, ics, exchange_id FROM own_talk";

/// The list reads only what a summary shows: the guide and the calendar file stay unread.
const SUMMARY_SELECT: &str = "SELECT id, kind, starts_at, duration_minutes, place, manager_name,
        manager_key, cancelled, preparation_sent_at FROM own_talk";

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
            "{SUMMARY_SELECT} ORDER BY starts_at IS NULL, starts_at, id"
        ))?
        .query_map([], summary_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How many own talks the store holds (read at every start: a count, not the list).
pub fn count(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("SELECT count(*) FROM own_talk", [], |r| r.get(0))?)
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
        agreement: agreement(conn, id)?,
    })
}

fn agreement(conn: &Connection, id: OwnTalkId) -> Result<Option<OwnAgreement>> {
    type Row = (
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<String>,
        Option<DateTime<Utc>>,
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT content, hash, written_at, received_at, confirmed_at, disagreement,
                    answered_at
             FROM own_agreement WHERE own_talk_id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get("content")?,
                r.get("hash")?,
                r.get("written_at")?,
                r.get("received_at")?,
                r.get("confirmed_at")?,
                r.get("disagreement")?,
                r.get("answered_at")?,
            ))
        })
        .optional()?;
    let Some((content, hash, written_at, received_at, confirmed_at, disagreement, answered_at)) =
        row
    else {
        return Ok(None);
    };
    // Checked when the file was opened; content that no longer parses is damage.
    let content = super::agreement::parse_content(&content).map_err(|_| Error::StoreCorrupt {
        detail: format!("own talk {id} holds an agreement that does not parse"),
    })?;
    let mut notes = conn.prepare_cached(
        "SELECT text, at, from_fingerprint FROM own_action_note
         WHERE own_talk_id = ?1 AND ref = ?2 ORDER BY at, id",
    )?;
    let mut actions = Vec::new();
    // In the agreement's order.
    for a in &content.actions {
        let action = conn
            .prepare_cached("SELECT * FROM own_action WHERE own_talk_id = ?1 AND ref = ?2")?
            .query_row((id, &a.reference), |r| {
                Ok(OwnAction {
                    reference: r.get("ref")?,
                    title: r.get("title")?,
                    theme: r.get("theme")?,
                    owner_name: r.get("owner_name")?,
                    due_date: r.get("due_date")?,
                    status: r.get("status")?,
                    status_at: r.get("status_at")?,
                    status_from: r.get("status_from")?,
                    result: r.get("result")?,
                    result_note: r.get("result_note")?,
                    result_at: r.get("result_at")?,
                    result_from: r.get("result_from")?,
                    notes: Vec::new(),
                })
            })
            .optional()?;
        if let Some(mut action) = action {
            action.notes = notes
                .query_map((id, &a.reference), |r| {
                    Ok(OwnActionNote {
                        text: r.get("text")?,
                        at: r.get("at")?,
                        from_key: r.get("from_fingerprint")?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            actions.push(action);
        }
    }
    Ok(Some(OwnAgreement {
        summary: content.summary,
        recorded_disagreement: content.disagreement,
        actions,
        hash,
        written_at,
        received_at,
        confirmed_at,
        disagreement,
        answered_at,
    }))
}

/// Checks that an own talk's agreement has the action.
fn check_action(conn: &Connection, id: OwnTalkId, reference: &str) -> Result<()> {
    let found: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM own_action WHERE own_talk_id = ?1 AND ref = ?2)",
        )?
        .query_row((id, reference), |r| r.get(0))?;
    if !found {
        guide(conn, id)?;
        return Err(Error::Invalid {
            field: Field::ActionTitle,
        });
    }
    Ok(())
}

/// The person sets the status of one of their agreed actions (carried over is the plan's,
/// set only when the manager rolls it).
pub fn set_action_status(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
    reference: &str,
    status: ActionStatus,
) -> Result<()> {
    check_action(conn, id, reference)?;
    let from: ActionStatus = conn
        .prepare_cached("SELECT status FROM own_action WHERE own_talk_id = ?1 AND ref = ?2")?
        .query_row((id, reference), |r| r.get("status"))?;
    if !from.can_step(status) {
        return Err(Error::IllegalActionStep { from, to: status });
    }
    conn.prepare_cached(
        "UPDATE own_action SET status = ?3, status_at = ?4, status_from = NULL
         WHERE own_talk_id = ?1 AND ref = ?2",
    )?
    .execute((id, reference, status, stamp(clock.now())))?;
    Ok(())
}

/// The person judges whether one of their actions had the effect it was meant to have.
pub fn judge_action(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
    reference: &str,
    result: Option<Effect>,
    note: &str,
) -> Result<()> {
    check_action(conn, id, reference)?;
    let note = validate::long_text(note.trim(), Field::ResultNote, actions::MAX_RESULT_NOTE)?;
    conn.prepare_cached(
        "UPDATE own_action SET result = ?3, result_note = ?4, result_at = ?5, result_from = NULL
         WHERE own_talk_id = ?1 AND ref = ?2",
    )?
    .execute((
        id,
        reference,
        result,
        (!note.is_empty()).then_some(note),
        stamp(clock.now()),
    ))?;
    Ok(())
}

/// The person adds a follow-up note to one of their actions.
pub fn add_action_note(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
    reference: &str,
    text: &str,
) -> Result<()> {
    check_action(conn, id, reference)?;
    let text = validate::long_text(text.trim(), Field::FollowUp, actions::MAX_FOLLOW_UP)?;
    if text.is_empty() {
        return Err(Error::Empty {
            field: Field::FollowUp,
        });
    }
    conn.prepare_cached(
        "INSERT INTO own_action_note (own_talk_id, ref, text, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((id, reference, text, stamp(clock.now())))?;
    Ok(())
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
        return Err(Error::Invalid { field: Field::Note });
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
