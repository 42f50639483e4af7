//! What is written in and around a talk: each party's preparation, the shared notes, the
//! leader's private notes, the agreement with its confirmations, and the follow-up.
//!
//! Invariants: a preparation is read back only by its author until the author shares it;
//! leader notes live in their own table and are never part of the agreement; once a talk is
//! signed nothing in it changes (typed [`Error::Locked`]) except follow-up notes; a talk the
//! retention purge cleared takes nothing at all ([`Error::Cleared`]); every write is one
//! upsert, so autosave is cheap and repeated saves of the same text are harmless.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::feedback::{self, UpwardFeedback};
use super::library::{self, TemplateVersion};
use super::lifecycle::{self, TalkState};
use super::talk::{self, TalkEvent, TalkSummary};
use super::template::QuestionKind;
use super::TalkKind;
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{PersonId, TalkId};
use crate::privacy::retention;
use crate::validate;

/// Longest note or answer to one question (about eight pages).
pub const MAX_NOTE: u32 = 20_000;
pub const MAX_SUMMARY: u32 = 20_000;
pub const MAX_DISAGREEMENT: u32 = 5_000;
pub const MAX_FOLLOW_UP: u32 = 5_000;

/// Which question a note answers: indexes into the talk's frozen guide version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QuestionRef {
    pub section: u32,
    pub question: u32,
}

/// The text (and, for a scale or yes/no question, the chosen value) written to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub section: u32,
    pub question: u32,
    pub text: String,
    /// Scale: the index of the chosen label; yes/no: 1 or 0.
    pub value: Option<u32>,
}

/// One party's preparation, as the other party and the talk see it once shared.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Preparation {
    pub author: talk::Party,
    pub shared_at: Option<DateTime<Utc>>,
    /// The fingerprint of the key that signed the file the preparation came in from the
    /// author's own computer; `None` when it was typed at this one.
    pub from_key: Option<String>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Signature {
    pub person: talk::Party,
    pub typed_name: String,
    pub at: DateTime<Utc>,
    /// The fingerprint of the key the person confirmed with on their own computer (a
    /// confirmation file); `None`: their name typed at this laptop, the fallback.
    pub from_key: Option<String>,
}

/// A participant's answer to the agreement from their own computer (a confirmation file):
/// "confirmed by <name> on their own computer, key <fingerprint>, <time>", or their
/// disagreement.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Confirmation {
    pub person: talk::Party,
    /// The fingerprint of the key that signed it.
    pub key: String,
    /// When they answered (the file's time, by their clock).
    pub at: DateTime<Utc>,
    /// True: a signature by their key over the agreement's hash; false: they disagree.
    pub confirmed: bool,
    pub disagreement: Option<String>,
    /// The agreement's hash they answered (SHA-256, hex).
    pub agreement_hash: String,
    /// The agreement is still the one they answered; false once it changed (a changed
    /// agreement needs a new confirmation).
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FollowUp {
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The agreement of an earlier talk, shown first in the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviousAgreement {
    pub talk_id: TalkId,
    pub year: i32,
    pub summary: String,
    pub follow_ups: Vec<FollowUp>,
}

/// Everything the talk screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkDetail {
    pub talk: TalkSummary,
    pub guide: TemplateVersion,
    pub previous: Option<PreviousAgreement>,
    /// Preparations their authors have shared, side by side.
    pub shared_preparations: Vec<Preparation>,
    pub notes: Vec<Answer>,
    pub leader_notes: Vec<Answer>,
    pub summary: String,
    pub disagreement: Option<String>,
    pub signatures: Vec<Signature>,
    /// Answers from the participants' own computers, one (the last) per participant.
    pub confirmations: Vec<Confirmation>,
    pub follow_ups: Vec<FollowUp>,
    pub events: Vec<TalkEvent>,
    pub allowed_steps: Vec<TalkState>,
    /// Marking the talk held asks for the day it was held: its planned start has not come.
    pub held_date_needed: bool,
    /// Whether the last step can be undone, and if not why; none before the first step.
    pub undo: Option<lifecycle::Undo>,
    /// For a LUS: what the leader's employees said about the leadership, in aggregate.
    pub upward_feedback: Option<UpwardFeedback>,
    /// When retention or an erasure removed the talk's texts.
    pub cleared_at: Option<DateTime<Utc>>,
}

/// Checks that `at` names a question of the talk's guide and that `value` fits it.
fn check_answer(guide: &TemplateVersion, answer: &Answer) -> Result<()> {
    check_answer_in(&guide.template, answer)
}

/// [`check_answer`] against a guide's questions alone (an own talk keeps no guide version).
pub(crate) fn check_answer_in(template: &super::template::Template, answer: &Answer) -> Result<()> {
    let question = template
        .sections
        .get(answer.section as usize)
        .and_then(|s| s.questions.get(answer.question as usize))
        .ok_or(Error::Invalid { field: Field::Note })?;
    let fits = match (&question.kind, answer.value) {
        (_, None) => true,
        (QuestionKind::Scale { labels }, Some(v)) => (v as usize) < labels.len(),
        (QuestionKind::YesNo, Some(v)) => v <= 1,
        _ => false,
    };
    if !fits {
        return Err(Error::Invalid { field: Field::Note });
    }
    validate::long_text(&answer.text, Field::Note, MAX_NOTE)?;
    Ok(())
}

fn guide_of(conn: &Connection, id: TalkId) -> Result<TemplateVersion> {
    let version = conn
        .prepare_cached("SELECT template_version_id FROM talk WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(Error::not_found(Entity::Talk, id.0))?;
    library::version(conn, version)
}

/// Notes may be written from the invitation until the agreement is signed.
pub(crate) fn check_writable(state: TalkState) -> Result<()> {
    match state {
        s if s.is_locked() => Err(Error::Locked),
        TalkState::Cancelled | TalkState::Planned => Err(Error::WrongState { state }),
        _ => Ok(()),
    }
}

fn is_party(conn: &Connection, id: TalkId, person: PersonId) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM talk WHERE id = ?1 AND leader_id = ?2)
                 OR EXISTS (SELECT 1 FROM talk_participant WHERE talk_id = ?1 AND person_id = ?2)",
        )?
        .query_row((id, person), |r| r.get(0))?)
}

/// Saves one party's answer to one question of the guide, before the talk. The first answer
/// of an invited talk moves it to preparing.
pub fn save_preparation(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    author: PersonId,
    answer: &Answer,
) -> Result<()> {
    let state = talk::state_for_writing(conn, id)?;
    if !matches!(state, TalkState::Invited | TalkState::Preparing) {
        return Err(if state.is_locked() {
            Error::Locked
        } else {
            Error::WrongState { state }
        });
    }
    if !is_party(conn, id, author)? {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    check_answer(&guide_of(conn, id)?, answer)?;
    conn.prepare_cached(
        "INSERT INTO preparation (talk_id, author_id, section, question, text, value, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO UPDATE SET text = excluded.text, value = excluded.value,
                                   updated_at = excluded.updated_at",
    )?
    .execute((
        id,
        author,
        answer.section,
        answer.question,
        &answer.text,
        answer.value,
        stamp(clock.now()),
    ))?;
    retention::talk_written(conn, id)?;
    if state == TalkState::Invited {
        talk::step(conn, clock, id, TalkState::Preparing, None)?;
    }
    Ok(())
}

fn answers(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Answer>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params, |r| {
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

/// One author's own preparation, shared or not: for the author's preparation screen only.
pub fn own_preparation(conn: &Connection, id: TalkId, author: PersonId) -> Result<Preparation> {
    if !is_party(conn, id, author)? {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    let name = crate::people::full_name(conn, author)?;
    let (shared_at, from_key) = conn
        .query_row(
            "SELECT shared_at, from_fingerprint FROM preparation_share
             WHERE talk_id = ?1 AND author_id = ?2",
            (id, author),
            |r| Ok((Some(r.get("shared_at")?), r.get("from_fingerprint")?)),
        )
        .optional()?
        .unwrap_or((None, None));
    Ok(Preparation {
        author: talk::Party {
            person_id: author,
            name,
        },
        shared_at,
        from_key,
        answers: answers(
            conn,
            "SELECT section, question, text, value FROM preparation
             WHERE talk_id = ?1 AND author_id = ?2 ORDER BY section, question",
            (id, author),
        )?,
    })
}

/// The author shows their preparation to the other party and the talk. Sharing is final: what
/// the other party has read cannot be unread.
pub fn share_preparation(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    author: PersonId,
) -> Result<()> {
    let state = talk::state_for_writing(conn, id)?;
    check_writable(state)?;
    if !is_party(conn, id, author)? {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    conn.execute(
        "INSERT INTO preparation_share (talk_id, author_id, shared_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        (id, author, stamp(clock.now())),
    )?;
    Ok(())
}

fn shared_preparations(conn: &Connection, id: TalkId) -> Result<Vec<Preparation>> {
    let authors: Vec<PersonId> = conn
        .prepare_cached(
            "SELECT author_id FROM preparation_share WHERE talk_id = ?1 ORDER BY shared_at",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    authors
        .into_iter()
        .map(|a| own_preparation(conn, id, a))
        .collect()
}

/// Which record a note in the talk goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum NoteLayer {
    /// The shared record both parties see and the agreement draws on.
    Shared,
    /// The leader's own notes: never in the agreement, never in an HR export.
    Private,
}

/// Saves the note to one question in the talk (autosave calls this while the manager types).
pub fn save_note(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    layer: NoteLayer,
    answer: &Answer,
) -> Result<()> {
    check_writable(talk::state_for_writing(conn, id)?)?;
    check_answer(&guide_of(conn, id)?, answer)?;
    let now = stamp(clock.now());
    match layer {
        NoteLayer::Shared => conn
            .prepare_cached(
                "INSERT INTO talk_note (talk_id, section, question, text, value, updated_at)
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
                now,
            ))?,
        NoteLayer::Private => conn
            .prepare_cached(
                "INSERT INTO leader_note (talk_id, section, question, text, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
            )?
            .execute((id, answer.section, answer.question, &answer.text, now))?,
    };
    retention::talk_written(conn, id)
}

/// Saves the written summary of the agreement. It can change until the talk is signed.
pub fn save_summary(conn: &Connection, clock: &dyn Clock, id: TalkId, text: &str) -> Result<()> {
    check_writable(talk::state_for_writing(conn, id)?)?;
    let text = validate::long_text(text, Field::Summary, MAX_SUMMARY)?;
    conn.prepare_cached("UPDATE talk SET summary = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute((id, text, stamp(clock.now())))?;
    Ok(())
}

/// Records (or, with an empty text, withdraws) a disagreement with the agreement: it is kept
/// with the agreement, not hidden, and does not stop the confirmations.
pub fn record_disagreement(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    text: &str,
) -> Result<()> {
    let state = talk::state_for_writing(conn, id)?;
    check_writable(state)?;
    if !matches!(state, TalkState::Held | TalkState::Agreed) {
        return Err(Error::WrongState { state });
    }
    let text = validate::long_text(text, Field::Disagreement, MAX_DISAGREEMENT)?;
    let text = Some(text).filter(|t| !t.trim().is_empty());
    conn.execute(
        "UPDATE talk SET disagreement = ?2, updated_at = ?3 WHERE id = ?1",
        (id, text, stamp(clock.now())),
    )?;
    Ok(())
}

/// One party confirms the agreement by typing their name on the manager's laptop. When the
/// leader and every participant have confirmed, the talk is signed and locked.
pub fn sign(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    person: PersonId,
    typed_name: &str,
) -> Result<TalkState> {
    let state = talk::state_for_writing(conn, id)?;
    if state != TalkState::Agreed {
        return Err(if state.is_locked() {
            Error::Locked
        } else {
            Error::WrongState { state }
        });
    }
    if !is_party(conn, id, person)? {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    let typed = validate::required(typed_name, Field::TypedName, validate::MAX_NAME)?;
    let name = crate::people::full_name(conn, person)?;
    // The typed name is the confirmation: it must be the person's own, as they would write it.
    if validate::search_key(&typed)
        .split_whitespace()
        .collect::<Vec<_>>()
        != validate::search_key(&name)
            .split_whitespace()
            .collect::<Vec<_>>()
    {
        return Err(Error::Invalid {
            field: Field::TypedName,
        });
    }
    record_signature(conn, clock, id, person, &typed, None, clock.now())
}

/// Records one party's signature of an agreed talk (typed here, or `from` the key of a
/// confirmation from their own computer) and signs the talk once every party has signed.
/// A confirmation marks a typed signature as also confirmed from their computer.
pub(crate) fn record_signature(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    person: PersonId,
    typed: &str,
    from: Option<&str>,
    at: DateTime<Utc>,
) -> Result<TalkState> {
    conn.execute(
        "INSERT INTO signature (talk_id, person_id, typed_name, at, from_fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO UPDATE SET from_fingerprint = coalesce(excluded.from_fingerprint,
                                                                from_fingerprint)",
        (id, person, typed, stamp(at), from),
    )?;
    let missing: u32 = conn.query_row(
        "SELECT (SELECT count(*) FROM talk_participant WHERE talk_id = ?1) + 1
              - (SELECT count(*) FROM signature WHERE talk_id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if missing == 0 {
        talk::step(conn, clock, id, TalkState::Signed, None)
    } else {
        Ok(TalkState::Agreed)
    }
}

/// A note on how the agreement is going during the year. The first one marks a signed talk as
/// followed up.
pub fn add_follow_up(conn: &Connection, clock: &dyn Clock, id: TalkId, text: &str) -> Result<()> {
    let state = talk::state_for_writing(conn, id)?;
    if !state.is_locked() {
        return Err(Error::WrongState { state });
    }
    let text = validate::long_text(text, Field::FollowUp, MAX_FOLLOW_UP)?;
    if text.trim().is_empty() {
        return Err(Error::Empty {
            field: Field::FollowUp,
        });
    }
    conn.execute(
        "INSERT INTO follow_up (talk_id, text, at) VALUES (?1, ?2, ?3)",
        (id, text, stamp(clock.now())),
    )?;
    if state == TalkState::Signed {
        talk::step(conn, clock, id, TalkState::FollowedUp, None)?;
    }
    Ok(())
}

fn follow_ups(conn: &Connection, id: TalkId) -> Result<Vec<FollowUp>> {
    let mut stmt =
        conn.prepare_cached("SELECT text, at FROM follow_up WHERE talk_id = ?1 ORDER BY at, id")?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(FollowUp {
                text: r.get("text")?,
                at: r.get("at")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn signatures(conn: &Connection, id: TalkId) -> Result<Vec<Signature>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.person_id, p.given_name || ' ' || p.family_name AS name, s.typed_name, s.at,
                s.from_fingerprint
         FROM signature s JOIN person p ON p.id = s.person_id WHERE s.talk_id = ?1 ORDER BY s.at",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(Signature {
                person: talk::Party {
                    person_id: r.get("person_id")?,
                    name: r.get("name")?,
                },
                typed_name: r.get("typed_name")?,
                at: r.get("at")?,
                from_key: r.get("from_fingerprint")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn confirmations(conn: &Connection, clock: &dyn Clock, id: TalkId) -> Result<Vec<Confirmation>> {
    let mut rows: Vec<Confirmation> = conn
        .prepare_cached(
            "SELECT c.person_id, p.given_name || ' ' || p.family_name AS name, c.fingerprint,
                    c.written_at, c.signature IS NOT NULL AS confirmed, c.disagreement,
                    c.agreement_hash
             FROM confirmation c JOIN person p ON p.id = c.person_id
             WHERE c.talk_id = ?1 ORDER BY c.written_at",
        )?
        .query_map([id], |r| {
            Ok(Confirmation {
                person: talk::Party {
                    person_id: r.get("person_id")?,
                    name: r.get("name")?,
                },
                key: r.get("fingerprint")?,
                at: r.get("written_at")?,
                confirmed: r.get("confirmed")?,
                disagreement: r.get("disagreement")?,
                agreement_hash: r.get("agreement_hash")?,
                current: false,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for c in &mut rows {
        c.current = crate::exchange::agreement::current_hash(conn, clock, id, c.person.person_id)?
            .is_some_and(|h| h == c.agreement_hash);
    }
    Ok(rows)
}

/// The whole talk for the talk screen, with the agreement it starts from.
pub fn detail(conn: &Connection, clock: &dyn Clock, id: TalkId) -> Result<TalkDetail> {
    let talk = talk::get(conn, id)?;
    let guide = library::version(conn, talk.template_version_id)?;
    let (summary, disagreement, previous_id, cleared_at): (
        String,
        Option<String>,
        Option<TalkId>,
        Option<DateTime<Utc>>,
    ) = conn
        .prepare_cached(
            "SELECT summary, disagreement, previous_talk_id, cleared_at FROM talk WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let previous = match previous_id {
        Some(p) => {
            let (year, summary) = conn
                .prepare_cached("SELECT year, summary FROM talk WHERE id = ?1")?
                .query_row([p], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Some(PreviousAgreement {
                talk_id: p,
                year,
                summary,
                follow_ups: follow_ups(conn, p)?,
            })
        }
        None => None,
    };
    let upward_feedback = if talk.kind == TalkKind::Lus {
        Some(feedback::upward(
            conn,
            talk.participants[0].person_id,
            talk.year,
        )?)
    } else {
        None
    };
    Ok(TalkDetail {
        guide,
        previous,
        shared_preparations: shared_preparations(conn, id)?,
        notes: answers(
            conn,
            "SELECT section, question, text, value FROM talk_note WHERE talk_id = ?1
             ORDER BY section, question",
            [id],
        )?,
        leader_notes: answers(
            conn,
            "SELECT section, question, text, NULL AS value FROM leader_note WHERE talk_id = ?1
             ORDER BY section, question",
            [id],
        )?,
        summary,
        disagreement,
        signatures: signatures(conn, id)?,
        confirmations: confirmations(conn, clock, id)?,
        follow_ups: follow_ups(conn, id)?,
        events: talk::events(conn, id)?,
        allowed_steps: talk.state.allowed_steps(),
        held_date_needed: lifecycle::needs_held_date(talk.state, talk.starts_at, clock.now()),
        undo: talk::undo_offer(conn, id)?,
        upward_feedback,
        cleared_at,
        talk,
    })
}
