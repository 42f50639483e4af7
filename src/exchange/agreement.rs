//! The files after the talk: the **agreement** (manager → participant), the participant's
//! **confirmation** or disagreement (back), and **progress** on the agreed actions (either way,
//! through the year). docs/EXCHANGE.md describes what each carries.
//!
//! Invariants: an agreement is written only for a participant whose key is pinned (it is
//! always encrypted); its content is one canonical JSON text whose SHA-256 (hex) is the
//! agreement's hash, carried and kept as that exact text on the employee's side, never
//! re-serialised there; a confirmation is an Ed25519 signature by the participant's store key
//! over [`confirmation_message`] (the exchange id and that hash), and it is taken in only
//! while the manager's current agreement for that participant still has that hash; a progress
//! file changes only an action's status, follow-up notes and judged effect (never what was
//! agreed), each field by its own time: an older change never overwrites a newer one, and the
//! same file or change twice changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::envelope::{self, Sealed, To};
use super::flow::{self, file_name, payload, to_json, Landed};
use super::identity;
use super::{ExchangeFile, ExchangeKind, ExchangeProblem, Opened};
use crate::actions::{self, ActionStatus, Effect};
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{ActionId, OwnTalkId, PersonId, TalkId};
use crate::talks::lifecycle::TalkState;
use crate::talks::{record, talk, TalkKind};
use crate::validate;

/// The most actions one agreement may carry: far above any real plan.
const MAX_ACTIONS: usize = 500;
/// The most follow-up notes per action in one progress file.
const MAX_NOTES: usize = 1000;

fn problem(problem: ExchangeProblem) -> Error {
    Error::Exchange { problem }
}

/// One agreed action, as the agreement's content names it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AgreedAction {
    /// The action's random reference in exchange files (`action.exchange_ref`).
    pub reference: String,
    pub title: String,
    pub theme: String,
    pub due_date: Option<NaiveDate>,
    pub owner_name: String,
}

/// What the participant confirms. Serialised compactly with the fields in this order, it is
/// the canonical text the hash is taken over. An action's status is not in it: it moves all
/// year without changing what was agreed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AgreementContent {
    pub talk_kind: TalkKind,
    pub manager_name: String,
    pub participant_name: String,
    pub summary: String,
    /// The disagreement recorded with the agreement at the manager's laptop, if any.
    pub disagreement: Option<String>,
    pub actions: Vec<AgreedAction>,
}

/// A field's value with when it was set.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Stamped<T> {
    value: T,
    at: DateTime<Utc>,
}

/// A judged effect with its note.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Judged {
    effect: Option<Effect>,
    note: Option<String>,
}

/// A follow-up note on an action.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Note {
    text: String,
    at: DateTime<Utc>,
}

/// The changes to one action a file carries: each only if it was made at the writing store.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActionProgress {
    reference: String,
    status: Option<Stamped<ActionStatus>>,
    effect: Option<Stamped<Judged>>,
    notes: Vec<Note>,
}

/// The agreement file's payload. No `Debug`: it holds the agreement's text.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AgreementPayload {
    exchange_id: String,
    /// The canonical JSON of [`AgreementContent`], as a string so its exact bytes travel.
    content: String,
    /// SHA-256 of `content`'s bytes, lowercase hex.
    hash: String,
    /// Each action's status now, so the employee's view starts where the plan stands.
    progress: Vec<ActionProgress>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfirmationPayload {
    exchange_id: String,
    agreement_hash: String,
    /// Base64 of the Ed25519 signature over [`confirmation_message`]; `None` when the
    /// participant disagrees.
    signature: Option<String>,
    disagreement: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProgressPayload {
    exchange_id: String,
    actions: Vec<ActionProgress>,
}

/// SHA-256, lowercase hex.
pub(crate) fn hash(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// What a confirmation signs: a fixed label (so the signature cannot be taken for any other
/// message), the exchange (so it cannot be moved to another participant's identical
/// agreement) and the agreement's hash.
pub fn confirmation_message(exchange_id: &str, agreement_hash: &str) -> Vec<u8> {
    format!("SAMTALE-CONFIRMATION-1\n{exchange_id}\n{agreement_hash}").into_bytes()
}

// The manager's side

/// The exchange with a participant, which must exist with a pinned key: everything after the
/// invitation is encrypted to them.
fn exchange_to(
    conn: &Connection,
    talk_id: TalkId,
    person: PersonId,
) -> Result<(String, String, String)> {
    let summary = talk::get(conn, talk_id)?;
    if !summary.participants.iter().any(|p| p.person_id == person) {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    conn.prepare_cached(
        "SELECT e.id, k.fingerprint, p.age_public FROM exchange e
         JOIN person_key k ON k.person_id = e.person_id
         JOIN peer_key p ON p.fingerprint = k.fingerprint
         WHERE e.talk_id = ?1 AND e.person_id = ?2",
    )?
    .query_row((talk_id, person), |r| {
        Ok((r.get("id")?, r.get("fingerprint")?, r.get("age_public")?))
    })
    .optional()?
    .ok_or(problem(ExchangeProblem::KeyNotKnown))
}

/// The actions of a talk that are the participant's: their individual ones and the group's.
fn talk_actions(conn: &Connection, talk_id: TalkId, person: PersonId) -> Result<Vec<ActionId>> {
    let ids = conn
        .prepare_cached(
            "SELECT id FROM action WHERE talk_id = ?1 AND (person_id = ?2 OR person_id IS NULL)
               AND cleared_at IS NULL ORDER BY id",
        )?
        .query_map((talk_id, person), |r| r.get("id"))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// An action's exchange reference; made when `make` and it has none, else `None`.
fn reference(conn: &Connection, id: ActionId, make: bool) -> Result<Option<String>> {
    let known: Option<String> = conn
        .prepare_cached("SELECT exchange_ref FROM action WHERE id = ?1")?
        .query_row([id], |r| r.get("exchange_ref"))?;
    match known {
        Some(r) => Ok(Some(r)),
        None if make => {
            let r = identity::random_id()?;
            conn.prepare_cached("UPDATE action SET exchange_ref = ?2 WHERE id = ?1")?
                .execute((id, &r))?;
            Ok(Some(r))
        }
        None => Ok(None),
    }
}

/// Each agreed action's row id here and its reference in files.
type Refs = Vec<(ActionId, String)>;

/// The agreement with one participant as it stands, in its canonical text. `make_refs`: give
/// actions without a reference one (when writing); without it, an action that never went into
/// a file makes the answer `None` (the agreement has changed since any file).
fn current_content(
    conn: &Connection,
    clock: &dyn Clock,
    talk_id: TalkId,
    person: PersonId,
    make_refs: bool,
) -> Result<Option<(String, Refs)>> {
    let summary = talk::get(conn, talk_id)?;
    let (text, disagreement): (String, Option<String>) = conn
        .prepare_cached("SELECT summary, disagreement FROM talk WHERE id = ?1")?
        .query_row([talk_id], |r| {
            Ok((r.get("summary")?, r.get("disagreement")?))
        })?;
    let mut actions = Vec::new();
    let mut refs = Vec::new();
    for id in talk_actions(conn, talk_id, person)? {
        let Some(reference) = reference(conn, id, make_refs)? else {
            return Ok(None);
        };
        let a = actions::get(conn, clock, id)?;
        actions.push(AgreedAction {
            reference: reference.clone(),
            title: a.title,
            theme: a.theme,
            due_date: a.due_date,
            owner_name: a.owner.name,
        });
        refs.push((id, reference));
    }
    let content = AgreementContent {
        talk_kind: summary.kind,
        manager_name: summary.leader.name.clone(),
        participant_name: crate::people::full_name(conn, person)?,
        summary: text,
        disagreement,
        actions,
    };
    let text = String::from_utf8(to_json(&content)?).map_err(|_| Error::StoreCorrupt {
        detail: "an agreement did not serialise to UTF-8".into(),
    })?;
    Ok(Some((text, refs)))
}

/// The hash of the agreement with a participant as it stands; `None` when an action was added
/// since the last agreement file (so it differs from any file's).
pub(crate) fn current_hash(
    conn: &Connection,
    clock: &dyn Clock,
    talk_id: TalkId,
    person: PersonId,
) -> Result<Option<String>> {
    Ok(
        current_content(conn, clock, talk_id, person, false)?
            .map(|(text, _)| hash(text.as_bytes())),
    )
}

/// The status, effect and notes of one action of this store that were set here (not taken
/// in from a file), for a progress or agreement file.
fn action_progress(conn: &Connection, id: ActionId, reference: String) -> Result<ActionProgress> {
    let status = conn
        .prepare_cached(
            "SELECT to_status, at, from_fingerprint FROM action_event WHERE action_id = ?1
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, ActionStatus>("to_status")?,
                r.get::<_, DateTime<Utc>>("at")?,
                r.get::<_, Option<String>>("from_fingerprint")?,
            ))
        })
        .optional()?
        .filter(|(_, _, from)| from.is_none())
        .map(|(value, at, _)| Stamped { value, at });
    let effect = conn
        .prepare_cached(
            "SELECT result, result_note, result_at FROM action
             WHERE id = ?1 AND result_at IS NOT NULL AND result_from IS NULL",
        )?
        .query_row([id], |r| {
            Ok(Stamped {
                value: Judged {
                    effect: r.get("result")?,
                    note: r.get("result_note")?,
                },
                at: r.get("result_at")?,
            })
        })
        .optional()?;
    let notes = conn
        .prepare_cached(
            "SELECT text, at FROM action_follow_up WHERE action_id = ?1
               AND from_fingerprint IS NULL ORDER BY at, id",
        )?
        .query_map([id], |r| {
            Ok(Note {
                text: r.get("text")?,
                at: r.get("at")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ActionProgress {
        reference,
        status,
        effect,
        notes,
    })
}

/// The agreement file for one participant of an agreed (or signed) talk, encrypted to their
/// pinned key; refused with `keyNotKnown` before a file of theirs brought it.
pub(crate) fn write_agreement(
    conn: &Connection,
    clock: &dyn Clock,
    talk_id: TalkId,
    person: PersonId,
) -> Result<ExchangeFile> {
    let state = talk::state_for_writing(conn, talk_id)?;
    if !matches!(
        state,
        TalkState::Agreed | TalkState::Signed | TalkState::FollowedUp
    ) {
        return Err(Error::WrongState { state });
    }
    let (exchange_id, fingerprint, age_public) = exchange_to(conn, talk_id, person)?;
    let (content, refs) =
        current_content(conn, clock, talk_id, person, true)?.ok_or(Error::StoreCorrupt {
            detail: "an action has no exchange reference".into(),
        })?;
    let hash = hash(content.as_bytes());
    let progress = refs
        .into_iter()
        .map(|(id, r)| action_progress(conn, id, r))
        .collect::<Result<_>>()?;
    let payload = AgreementPayload {
        exchange_id: exchange_id.clone(),
        content,
        hash: hash.clone(),
        progress,
    };
    let me = identity::ensure(conn, clock)?;
    let now = clock.now();
    let bytes = envelope::seal(
        &me,
        ExchangeKind::Agreement,
        now,
        Some(To {
            fingerprint: &fingerprint,
            age_public: &age_public,
        }),
        &to_json(&payload)?,
    )?;
    conn.prepare_cached(
        "UPDATE exchange SET agreement_hash = ?2, agreement_sent_at = ?3 WHERE id = ?1",
    )?
    .execute((&exchange_id, &hash, stamp(now)))?;
    Ok(ExchangeFile {
        name: file_name(ExchangeKind::Agreement, now, &exchange_id),
        bytes,
    })
}

/// The progress file for one participant: the status, effect and notes of their agreed
/// actions as set at this store; refused with `noAgreement` before an agreement file went to
/// them.
pub(crate) fn write_progress(
    conn: &Connection,
    clock: &dyn Clock,
    talk_id: TalkId,
    person: PersonId,
) -> Result<ExchangeFile> {
    talk::state_for_writing(conn, talk_id)?;
    let (exchange_id, fingerprint, age_public) = exchange_to(conn, talk_id, person)?;
    // Progress is on the actions of an agreement they have: before one, there is nothing.
    let agreed: bool = conn
        .prepare_cached("SELECT agreement_sent_at IS NOT NULL AS sent FROM exchange WHERE id = ?1")?
        .query_row([&exchange_id], |r| r.get("sent"))?;
    if !agreed {
        return Err(problem(ExchangeProblem::NoAgreement));
    }
    let mut actions = Vec::new();
    for id in talk_actions(conn, talk_id, person)? {
        // Only actions that went into an agreement file: the other side knows no others.
        if let Some(r) = reference(conn, id, false)? {
            actions.push(action_progress(conn, id, r)?);
        }
    }
    let payload = ProgressPayload {
        exchange_id: exchange_id.clone(),
        actions,
    };
    let me = identity::ensure(conn, clock)?;
    let now = clock.now();
    let bytes = envelope::seal(
        &me,
        ExchangeKind::Progress,
        now,
        Some(To {
            fingerprint: &fingerprint,
            age_public: &age_public,
        }),
        &to_json(&payload)?,
    )?;
    Ok(ExchangeFile {
        name: file_name(ExchangeKind::Progress, now, &exchange_id),
        bytes,
    })
}

/// The exchange a file from a participant names, and the pin of their key checked.
fn participant_exchange(
    conn: &Connection,
    sealed: &Sealed,
    exchange_id: &str,
    confirm_new_key: bool,
) -> Result<(TalkId, PersonId, bool)> {
    flow::check_id(exchange_id)?;
    let (talk_id, person): (TalkId, PersonId) = conn
        .prepare_cached("SELECT talk_id, person_id FROM exchange WHERE id = ?1")?
        .query_row([exchange_id], |r| {
            Ok((r.get("talk_id")?, r.get("person_id")?))
        })
        .optional()?
        .ok_or(problem(ExchangeProblem::UnknownExchange))?;
    let known = flow::person_key(conn, person)?;
    let replaced = flow::check_pin(
        known.as_ref().map(|(k, _)| k.as_str()),
        &sealed.header.sender.fingerprint,
        confirm_new_key,
    )?;
    Ok((talk_id, person, replaced))
}

/// A disagreement's text, checked: not empty, not too long.
fn disagreement_text(text: &str) -> Result<String> {
    let text = validate::long_text(text.trim(), Field::Disagreement, record::MAX_DISAGREEMENT)?;
    if text.is_empty() {
        return Err(Error::Empty {
            field: Field::Disagreement,
        });
    }
    Ok(text)
}

pub(crate) fn open_confirmation(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    plain: &[u8],
    confirm_new_key: bool,
) -> Result<Landed> {
    let p: ConfirmationPayload = payload(plain)?;
    let (talk_id, person, key_replaced) =
        participant_exchange(conn, sealed, &p.exchange_id, confirm_new_key)?;
    flow::check_fresh(conn, &p.exchange_id, sealed)?;
    let signature = match (&p.signature, &p.disagreement) {
        (Some(sig), None) => {
            let bytes = data_encoding::BASE64
                .decode(sig.as_bytes())
                .map_err(|_| problem(ExchangeProblem::Altered))?;
            let signature =
                Signature::from_slice(&bytes).map_err(|_| problem(ExchangeProblem::Altered))?;
            let key = VerifyingKey::from_bytes(&sealed.sign_public)
                .map_err(|_| problem(ExchangeProblem::Altered))?;
            key.verify_strict(
                &confirmation_message(&p.exchange_id, &p.agreement_hash),
                &signature,
            )
            .map_err(|_| problem(ExchangeProblem::Altered))?;
            Some(signature.to_bytes())
        }
        (None, Some(_)) => None,
        _ => return Err(problem(ExchangeProblem::Altered)),
    };
    let disagreement = p
        .disagreement
        .as_deref()
        .map(disagreement_text)
        .transpose()?;
    let state = talk::state_for_writing(conn, talk_id)?;
    if current_hash(conn, clock, talk_id, person)?.as_deref() != Some(p.agreement_hash.as_str()) {
        return Err(problem(ExchangeProblem::AgreementChanged));
    }
    let sender = &sealed.header.sender.fingerprint;
    let new_key = flow::remember_peer(conn, clock, sealed)?;
    flow::pin_person(conn, clock, person, sender)?;
    let written = stamp(sealed.header.created_at);
    conn.prepare_cached(
        "INSERT INTO confirmation (talk_id, person_id, agreement_hash, fingerprint, signature,
             disagreement, written_at, opened_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT DO UPDATE SET agreement_hash = excluded.agreement_hash,
             fingerprint = excluded.fingerprint, signature = excluded.signature,
             disagreement = excluded.disagreement, written_at = excluded.written_at,
             opened_at = excluded.opened_at",
    )?
    .execute(rusqlite::params![
        talk_id,
        person,
        &p.agreement_hash,
        sender,
        signature.as_ref().map(|s| s.as_slice()),
        disagreement,
        &written,
        stamp(clock.now()),
    ])?;
    // While the talk is agreed, a confirmation from the person's own computer is their
    // signature (the last one signs the talk); a later disagreement withdraws it. Once signed,
    // the talk is locked: the confirmation is kept beside the signatures.
    // A person taken off a group talk since keeps their confirmation, not a signature.
    let party = talk::participants(conn, talk_id)?
        .iter()
        .any(|p| p.person_id == person);
    if state == TalkState::Agreed && party {
        if signature.is_some() {
            let name = crate::people::full_name(conn, person)?;
            record::record_signature(
                conn,
                clock,
                talk_id,
                person,
                &name,
                Some(sender.as_str()),
                sealed.header.created_at,
            )?;
        } else {
            conn.prepare_cached(
                "DELETE FROM signature WHERE talk_id = ?1 AND person_id = ?2
                   AND from_fingerprint IS NOT NULL",
            )?
            .execute((talk_id, person))?;
        }
    }
    flow::remember_file(conn, clock, &p.exchange_id, sealed)?;
    Ok(Landed {
        opened: Opened {
            kind: ExchangeKind::Confirmation,
            from: sender.clone(),
            already_opened: false,
            new_key,
            own_talk: None,
            talk: Some(talk_id),
        },
        person: Some(person),
        key_replaced,
    })
}

/// Checks the changes of a progress file: references and texts, and no change dated after
/// the file itself.
fn check_progress(actions: &[ActionProgress], written: DateTime<Utc>) -> Result<()> {
    if actions.len() > MAX_ACTIONS {
        return Err(problem(ExchangeProblem::Altered));
    }
    for a in actions {
        flow::check_id(&a.reference)?;
        if a.notes.len() > MAX_NOTES {
            return Err(problem(ExchangeProblem::Altered));
        }
        let late = a.status.as_ref().is_some_and(|s| s.at > written)
            || a.effect.as_ref().is_some_and(|e| e.at > written)
            || a.notes.iter().any(|n| n.at > written);
        if late {
            return Err(problem(ExchangeProblem::Altered));
        }
        if let Some(e) = &a.effect {
            if let Some(note) = &e.value.note {
                validate::long_text(note, Field::ResultNote, actions::MAX_RESULT_NOTE)?;
            }
        }
        for n in &a.notes {
            let text = validate::long_text(&n.text, Field::FollowUp, actions::MAX_FOLLOW_UP)?;
            if text.trim().is_empty() {
                return Err(Error::Empty {
                    field: Field::FollowUp,
                });
            }
        }
    }
    Ok(())
}

/// Merges a participant's progress into the organisation's actions of the talk.
fn merge_into_actions(
    conn: &Connection,
    talk_id: TalkId,
    person: PersonId,
    sender: &str,
    changes: &[ActionProgress],
) -> Result<()> {
    for change in changes {
        // An action the file names but this talk no longer has (or never gave them) is passed
        // over: the file cannot reach any other action.
        let found: Option<(ActionId, ActionStatus, Option<String>)> = conn
            .prepare_cached(
                "SELECT id, status, result_at FROM action WHERE exchange_ref = ?1 AND talk_id = ?2
                   AND (person_id = ?3 OR person_id IS NULL) AND cleared_at IS NULL",
            )?
            .query_row((&change.reference, talk_id, person), |r| {
                Ok((r.get("id")?, r.get("status")?, r.get("result_at")?))
            })
            .optional()?;
        let Some((id, status, result_at)) = found else {
            continue;
        };
        if let Some(s) = &change.status {
            let last: Option<String> = conn
                .prepare_cached("SELECT max(at) AS at FROM action_event WHERE action_id = ?1")?
                .query_row([id], |r| r.get("at"))?;
            let newer = last.is_none_or(|l| stamp(s.at) > l);
            // A step this store's rules refuse (a carried-over action) stays as it is here.
            if newer && status.can_step(s.value) {
                conn.prepare_cached(
                    "UPDATE action SET status = ?2, updated_at = ?3 WHERE id = ?1",
                )?
                .execute((id, s.value, stamp(s.at)))?;
                conn.prepare_cached(
                    "INSERT INTO action_event (action_id, from_status, to_status, at,
                         from_fingerprint) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute((id, status, s.value, stamp(s.at), sender))?;
            }
        }
        if let Some(e) = &change.effect {
            if result_at.is_none_or(|r| stamp(e.at) > r) {
                conn.prepare_cached(
                    "UPDATE action SET result = ?2, result_note = ?3, result_at = ?4,
                         result_from = ?5 WHERE id = ?1",
                )?
                .execute((
                    id,
                    e.value.effect,
                    e.value
                        .note
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty()),
                    stamp(e.at),
                    sender,
                ))?;
            }
        }
        for n in &change.notes {
            conn.prepare_cached(
                "INSERT INTO action_follow_up (action_id, text, at, from_fingerprint)
                 SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (
                   SELECT 1 FROM action_follow_up WHERE action_id = ?1 AND text = ?2 AND at = ?3)",
            )?
            .execute((id, n.text.trim(), stamp(n.at), sender))?;
        }
    }
    Ok(())
}

fn open_progress_from_participant(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    p: &ProgressPayload,
    confirm_new_key: bool,
) -> Result<Landed> {
    let (talk_id, person, key_replaced) =
        participant_exchange(conn, sealed, &p.exchange_id, confirm_new_key)?;
    // Progress goes on all year, signed or not; a cleared talk takes nothing.
    talk::state_for_writing(conn, talk_id)?;
    let sender = &sealed.header.sender.fingerprint;
    let new_key = flow::remember_peer(conn, clock, sealed)?;
    flow::pin_person(conn, clock, person, sender)?;
    merge_into_actions(conn, talk_id, person, sender, &p.actions)?;
    flow::remember_file(conn, clock, &p.exchange_id, sealed)?;
    Ok(Landed {
        opened: Opened {
            kind: ExchangeKind::Progress,
            from: sender.clone(),
            already_opened: false,
            new_key,
            own_talk: None,
            talk: Some(talk_id),
        },
        person: Some(person),
        key_replaced,
    })
}

// The employee's side

/// The own talk a file from its manager names, the manager's pin checked.
fn own_exchange(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    exchange_id: &str,
    confirm_new_key: bool,
) -> Result<(OwnTalkId, bool, bool)> {
    flow::check_id(exchange_id)?;
    let (id, key): (OwnTalkId, String) = conn
        .prepare_cached("SELECT id, manager_key FROM own_talk WHERE exchange_id = ?1")?
        .query_row([exchange_id], |r| Ok((r.get("id")?, r.get("manager_key")?)))
        .optional()?
        .ok_or(problem(ExchangeProblem::UnknownExchange))?;
    let replaced = flow::check_pin(
        Some(key.as_str()),
        &sealed.header.sender.fingerprint,
        confirm_new_key,
    )?;
    // Known before the pin moves to it (`own_talk.manager_key` refers to it).
    let new_key = flow::remember_peer(conn, clock, sealed)?;
    if replaced {
        conn.prepare_cached("UPDATE own_talk SET manager_key = ?2 WHERE id = ?1")?
            .execute((id, &sealed.header.sender.fingerprint))?;
    }
    Ok((id, replaced, new_key))
}

/// An agreement's content, checked like any input: a valid signature says who wrote it, not
/// that it is sound.
pub(crate) fn parse_content(text: &str) -> Result<AgreementContent> {
    let c: AgreementContent =
        serde_json::from_str(text).map_err(|_| problem(ExchangeProblem::Altered))?;
    validate::required(&c.manager_name, Field::Leader, validate::MAX_NAME)?;
    validate::required(&c.participant_name, Field::Participants, validate::MAX_NAME)?;
    validate::long_text(&c.summary, Field::Summary, record::MAX_SUMMARY)?;
    if let Some(d) = &c.disagreement {
        validate::long_text(d, Field::Disagreement, record::MAX_DISAGREEMENT)?;
    }
    if c.actions.len() > MAX_ACTIONS {
        return Err(problem(ExchangeProblem::Altered));
    }
    let mut seen = std::collections::HashSet::new();
    for a in &c.actions {
        flow::check_id(&a.reference)?;
        if !seen.insert(a.reference.as_str()) {
            return Err(problem(ExchangeProblem::Altered));
        }
        validate::required(&a.title, Field::ActionTitle, actions::MAX_TITLE)?;
        validate::long_text(&a.theme, Field::Theme, actions::MAX_THEME)?;
        validate::required(&a.owner_name, Field::Owner, validate::MAX_NAME)?;
    }
    Ok(c)
}

pub(crate) fn open_agreement(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    plain: &[u8],
    confirm_new_key: bool,
) -> Result<Landed> {
    let p: AgreementPayload = payload(plain)?;
    let (id, key_replaced, new_key) =
        own_exchange(conn, clock, sealed, &p.exchange_id, confirm_new_key)?;
    flow::check_fresh(conn, &p.exchange_id, sealed)?;
    if hash(p.content.as_bytes()) != p.hash {
        return Err(problem(ExchangeProblem::Altered));
    }
    let content = parse_content(&p.content)?;
    let written = sealed.header.created_at;
    check_progress(&p.progress, written)?;
    let now = stamp(clock.now());
    // A new agreement needs a new answer; the same one again keeps the answer given.
    conn.prepare_cached(
        "INSERT INTO own_agreement (own_talk_id, content, hash, written_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO UPDATE SET content = excluded.content, hash = excluded.hash,
             written_at = excluded.written_at, received_at = excluded.received_at,
             confirmed_at = CASE WHEN hash = excluded.hash THEN confirmed_at END,
             disagreement = CASE WHEN hash = excluded.hash THEN disagreement END,
             answered_at = CASE WHEN hash = excluded.hash THEN answered_at END",
    )?
    .execute((id, &p.content, &p.hash, stamp(written), &now))?;
    let refs = serde_json::to_string(
        &content
            .actions
            .iter()
            .map(|a| a.reference.as_str())
            .collect::<Vec<_>>(),
    )
    .map_err(|e| Error::FileSystem {
        detail: e.to_string(),
    })?;
    // Actions the newer agreement no longer has go, with their notes.
    for sql in [
        "DELETE FROM own_action_note WHERE own_talk_id = ?1
           AND ref NOT IN (SELECT value FROM json_each(?2))",
        "DELETE FROM own_action WHERE own_talk_id = ?1
           AND ref NOT IN (SELECT value FROM json_each(?2))",
    ] {
        conn.prepare_cached(sql)?.execute((id, &refs))?;
    }
    for a in &content.actions {
        // New actions start planned as of the agreement; their status then comes with the
        // progress below.
        conn.prepare_cached(
            "INSERT INTO own_action (own_talk_id, ref, title, theme, owner_name, due_date,
                 status, status_at, status_from)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'planned', NULL, ?7)
             ON CONFLICT DO UPDATE SET title = excluded.title, theme = excluded.theme,
                 owner_name = excluded.owner_name, due_date = excluded.due_date",
        )?
        .execute(rusqlite::params![
            id,
            &a.reference,
            a.title.trim(),
            a.theme.trim(),
            a.owner_name.trim(),
            a.due_date,
            &sealed.header.sender.fingerprint,
        ])?;
    }
    merge_into_own(conn, id, &sealed.header.sender.fingerprint, &p.progress)?;
    conn.prepare_cached("UPDATE own_talk SET updated_at = ?2 WHERE id = ?1")?
        .execute((id, &now))?;
    flow::remember_file(conn, clock, &p.exchange_id, sealed)?;
    Ok(Landed {
        opened: Opened {
            kind: ExchangeKind::Agreement,
            from: sealed.header.sender.fingerprint.clone(),
            already_opened: false,
            new_key,
            own_talk: Some(id),
            talk: None,
        },
        person: None,
        key_replaced,
    })
}

/// Merges the manager's progress into the person's own view of their actions.
fn merge_into_own(
    conn: &Connection,
    id: OwnTalkId,
    sender: &str,
    changes: &[ActionProgress],
) -> Result<()> {
    for change in changes {
        let known: Option<(Option<String>, Option<String>)> = conn
            .prepare_cached(
                "SELECT status_at, result_at FROM own_action WHERE own_talk_id = ?1 AND ref = ?2",
            )?
            .query_row((id, &change.reference), |r| {
                Ok((r.get("status_at")?, r.get("result_at")?))
            })
            .optional()?;
        let Some((status_at, result_at)) = known else {
            continue;
        };
        if let Some(s) = &change.status {
            if status_at.is_none_or(|t| stamp(s.at) > t) {
                conn.prepare_cached(
                    "UPDATE own_action SET status = ?3, status_at = ?4, status_from = ?5
                     WHERE own_talk_id = ?1 AND ref = ?2",
                )?
                .execute((id, &change.reference, s.value, stamp(s.at), sender))?;
            }
        }
        if let Some(e) = &change.effect {
            if result_at.is_none_or(|r| stamp(e.at) > r) {
                conn.prepare_cached(
                    "UPDATE own_action SET result = ?3, result_note = ?4, result_at = ?5,
                         result_from = ?6
                     WHERE own_talk_id = ?1 AND ref = ?2",
                )?
                .execute((
                    id,
                    &change.reference,
                    e.value.effect,
                    e.value
                        .note
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty()),
                    stamp(e.at),
                    sender,
                ))?;
            }
        }
        for n in &change.notes {
            conn.prepare_cached(
                "INSERT INTO own_action_note (own_talk_id, ref, text, at, from_fingerprint)
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (
                   SELECT 1 FROM own_action_note
                   WHERE own_talk_id = ?1 AND ref = ?2 AND text = ?3 AND at = ?4)",
            )?
            .execute((id, &change.reference, n.text.trim(), stamp(n.at), sender))?;
        }
    }
    Ok(())
}

/// The own talk's exchange, its manager's key and the agreement's hash; refused with
/// `noAgreement` before an agreement came.
fn own_agreed(conn: &Connection, id: OwnTalkId) -> Result<(String, String, String, String)> {
    let row: Option<(String, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT t.exchange_id, t.manager_key, p.age_public, a.hash FROM own_talk t
             JOIN peer_key p ON p.fingerprint = t.manager_key
             LEFT JOIN own_agreement a ON a.own_talk_id = t.id WHERE t.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get("exchange_id")?,
                r.get("manager_key")?,
                r.get("age_public")?,
                r.get("hash")?,
            ))
        })
        .optional()?;
    let (exchange, key, age, hash) = row.ok_or(Error::not_found(Entity::OwnTalk, id.0))?;
    let hash = hash.ok_or(problem(ExchangeProblem::NoAgreement))?;
    Ok((exchange, key, age, hash))
}

/// The person's answer to the agreement of an own talk, written as a confirmation file: a
/// signature by this store's key over the agreement's hash, or (`disagreement`) their text.
pub(crate) fn write_confirmation(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
    disagreement: Option<&str>,
) -> Result<ExchangeFile> {
    let (exchange_id, key, age_public, agreement_hash) = own_agreed(conn, id)?;
    let disagreement = disagreement.map(disagreement_text).transpose()?;
    let me = identity::ensure(conn, clock)?;
    let signature = match disagreement {
        Some(_) => None,
        None => Some(
            data_encoding::BASE64.encode(
                &me.signing
                    .sign(&confirmation_message(&exchange_id, &agreement_hash))
                    .to_bytes(),
            ),
        ),
    };
    let now = clock.now();
    conn.prepare_cached(
        "UPDATE own_agreement SET confirmed_at = ?2, disagreement = ?3, answered_at = ?4
         WHERE own_talk_id = ?1",
    )?
    .execute((
        id,
        signature.is_some().then(|| stamp(now)),
        &disagreement,
        stamp(now),
    ))?;
    let payload = ConfirmationPayload {
        exchange_id: exchange_id.clone(),
        agreement_hash,
        signature,
        disagreement,
    };
    let bytes = envelope::seal(
        &me,
        ExchangeKind::Confirmation,
        now,
        Some(To {
            fingerprint: &key,
            age_public: &age_public,
        }),
        &to_json(&payload)?,
    )?;
    Ok(ExchangeFile {
        name: file_name(ExchangeKind::Confirmation, now, &exchange_id),
        bytes,
    })
}

/// The progress file of an own talk for its manager: what the person set here.
pub(crate) fn write_own_progress(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
) -> Result<ExchangeFile> {
    let (exchange_id, key, age_public, _) = own_agreed(conn, id)?;
    let refs: Vec<String> = conn
        .prepare_cached("SELECT ref FROM own_action WHERE own_talk_id = ?1 ORDER BY ref")?
        .query_map([id], |r| r.get("ref"))?
        .collect::<rusqlite::Result<_>>()?;
    let mut actions = Vec::new();
    for reference in refs {
        let (status, effect) = conn
            .prepare_cached(
                "SELECT status, status_at, status_from, result, result_note, result_at,
                        result_from
                 FROM own_action WHERE own_talk_id = ?1 AND ref = ?2",
            )?
            .query_row((id, &reference), |r| {
                let status = match r.get::<_, Option<String>>("status_from")? {
                    None => Some(Stamped {
                        value: r.get::<_, ActionStatus>("status")?,
                        at: r.get("status_at")?,
                    }),
                    Some(_) => None,
                };
                let effect = match (
                    r.get::<_, Option<DateTime<Utc>>>("result_at")?,
                    r.get::<_, Option<String>>("result_from")?,
                ) {
                    (Some(at), None) => Some(Stamped {
                        value: Judged {
                            effect: r.get("result")?,
                            note: r.get("result_note")?,
                        },
                        at,
                    }),
                    _ => None,
                };
                Ok((status, effect))
            })?;
        let notes = conn
            .prepare_cached(
                "SELECT text, at FROM own_action_note WHERE own_talk_id = ?1 AND ref = ?2
                   AND from_fingerprint IS NULL ORDER BY at, id",
            )?
            .query_map((id, &reference), |r| {
                Ok(Note {
                    text: r.get("text")?,
                    at: r.get("at")?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        actions.push(ActionProgress {
            reference,
            status,
            effect,
            notes,
        });
    }
    let me = identity::ensure(conn, clock)?;
    let now = clock.now();
    let bytes = envelope::seal(
        &me,
        ExchangeKind::Progress,
        now,
        Some(To {
            fingerprint: &key,
            age_public: &age_public,
        }),
        &to_json(&ProgressPayload {
            exchange_id: exchange_id.clone(),
            actions,
        })?,
    )?;
    Ok(ExchangeFile {
        name: file_name(ExchangeKind::Progress, now, &exchange_id),
        bytes,
    })
}

/// A progress file goes to whichever side holds its exchange: the manager's (`exchange`) or
/// the employee's (`own_talk`). Not refused as older than one opened before: each change is
/// merged by its own time.
pub(crate) fn open_progress(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    plain: &[u8],
    confirm_new_key: bool,
) -> Result<Landed> {
    let p: ProgressPayload = payload(plain)?;
    flow::check_id(&p.exchange_id)?;
    check_progress(&p.actions, sealed.header.created_at)?;
    let own: Option<OwnTalkId> = conn
        .prepare_cached("SELECT id FROM own_talk WHERE exchange_id = ?1")?
        .query_row([&p.exchange_id], |r| r.get("id"))
        .optional()?;
    let Some(_) = own else {
        return open_progress_from_participant(conn, clock, sealed, &p, confirm_new_key);
    };
    let (id, key_replaced, new_key) =
        own_exchange(conn, clock, sealed, &p.exchange_id, confirm_new_key)?;
    merge_into_own(conn, id, &sealed.header.sender.fingerprint, &p.actions)?;
    flow::remember_file(conn, clock, &p.exchange_id, sealed)?;
    Ok(Landed {
        opened: Opened {
            kind: ExchangeKind::Progress,
            from: sealed.header.sender.fingerprint.clone(),
            already_opened: false,
            new_key,
            own_talk: Some(id),
            talk: None,
        },
        person: None,
        key_replaced,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::clock::FixedClock;
    use crate::exchange::own;
    use crate::store::Store;

    fn clock() -> FixedClock {
        FixedClock(chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000))
    }

    fn rows(store: &Store) -> i64 {
        store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM own_agreement) + (SELECT count(*) FROM own_action)
                      + (SELECT count(*) FROM own_action_note)
                      + (SELECT count(*) FROM imported_file)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// A manager's store and an employee's store holding an own talk from it, as an
    /// invitation would have made it.
    fn pair() -> (Store, Store) {
        let manager = Store::open_in_memory().unwrap();
        let employee = Store::open_in_memory().unwrap();
        let me = identity::ensure(manager.conn(), &clock()).unwrap();
        identity::ensure(employee.conn(), &clock()).unwrap();
        let sign_public = data_encoding::BASE64
            .decode(me.public.sign_public.as_bytes())
            .unwrap();
        let now = stamp(clock().now());
        employee
            .conn()
            .execute(
                "INSERT INTO peer_key (fingerprint, sign_public, age_public, first_seen_at)
                 VALUES (?1, ?2, ?3, ?4)",
                (
                    &me.public.fingerprint,
                    sign_public,
                    &me.public.age_public,
                    &now,
                ),
            )
            .unwrap();
        let guide =
            crate::talks::template::builtin(TalkKind::Mus, crate::organisation::Language::Da)
                .to_json();
        employee
            .conn()
            .execute(
                "INSERT INTO own_talk (exchange_id, kind, guide, guide_version, ics, manager_name,
                     manager_key, invited_at, created_at, updated_at)
                 VALUES ('EXCHANGE1', 'mus', ?1, 1, '', 'Mads Leder', ?2, ?3, ?3, ?3)",
                (&guide, &me.public.fingerprint, &now),
            )
            .unwrap();
        (manager, employee)
    }

    /// An agreement file from the manager's key to the employee's store, its payload as given.
    fn sealed(manager: &Store, employee: &Store, kind: ExchangeKind, payload: &[u8]) -> Vec<u8> {
        let me = identity::ensure(manager.conn(), &clock()).unwrap();
        let them = identity::ensure(employee.conn(), &clock()).unwrap();
        envelope::seal(
            &me,
            kind,
            clock().now(),
            Some(To {
                fingerprint: &them.public.fingerprint,
                age_public: &them.public.age_public,
            }),
            payload,
        )
        .unwrap()
    }

    fn try_open(store: &Store, bytes: &[u8]) -> Result<Landed> {
        let tx = store.conn().unchecked_transaction().unwrap();
        let out = flow::open(&tx, &clock(), bytes, false);
        if out.is_ok() {
            tx.commit().unwrap();
        }
        out
    }

    #[test]
    fn an_agreement_whose_content_does_not_match_its_hash_is_refused_as_altered() {
        let (manager, employee) = pair();
        let content = "{\"talkKind\":\"mus\"}".to_owned();
        let payload = AgreementPayload {
            exchange_id: "EXCHANGE1".into(),
            hash: hash(b"something else"),
            content,
            progress: Vec::new(),
        };
        let bytes = sealed(
            &manager,
            &employee,
            ExchangeKind::Agreement,
            &to_json(&payload).unwrap(),
        );
        let err = try_open(&employee, &bytes).err().unwrap();
        assert!(
            matches!(
                err,
                Error::Exchange {
                    problem: ExchangeProblem::Altered
                }
            ),
            "{err:?}"
        );
        assert_eq!(rows(&employee), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn an_agreement_with_hostile_values_is_taken_in_checked_or_refused_without_a_panic(
            summary in "\\PC{0,300}",
            title in "\\PC{0,260}",
            reference in prop_oneof!["[A-Z2-7]{1,30}", "\\PC{0,80}"],
            owner in "\\PC{0,260}",
            twice in any::<bool>(),
            late in any::<bool>(),
            note in "\\PC{0,100}",
        ) {
            let (manager, employee) = pair();
            let action = AgreedAction {
                reference: reference.clone(),
                title,
                theme: String::new(),
                due_date: None,
                owner_name: owner,
            };
            let content = AgreementContent {
                talk_kind: TalkKind::Mus,
                manager_name: "Mads Leder".into(),
                participant_name: "Emil Ansat".into(),
                summary,
                disagreement: None,
                actions: if twice { vec![action.clone(), action] } else { vec![action] },
            };
            let content = String::from_utf8(to_json(&content).unwrap()).unwrap();
            let at = clock().now() + chrono::Duration::minutes(if late { 5 } else { -5 });
            let payload = AgreementPayload {
                exchange_id: "EXCHANGE1".into(),
                hash: hash(content.as_bytes()),
                content,
                progress: vec![ActionProgress {
                    reference,
                    status: Some(Stamped { value: ActionStatus::Done, at }),
                    effect: None,
                    notes: vec![Note { text: note, at }],
                }],
            };
            let bytes = sealed(&manager, &employee, ExchangeKind::Agreement, &to_json(&payload).unwrap());
            match try_open(&employee, &bytes) {
                Ok(landed) => {
                    prop_assert!(!twice && !late);
                    let own = own::get(employee.conn(), landed.opened.own_talk.unwrap()).unwrap();
                    let agreement = own.agreement.unwrap();
                    prop_assert_eq!(agreement.actions.len(), 1);
                    prop_assert!(agreement.actions[0].title.chars().count() <= actions::MAX_TITLE as usize);
                }
                Err(_) => prop_assert_eq!(rows(&employee), 0),
            }
        }
    }
}
