//! Writing the invitation and the preparation from the store, and opening any exchange file into
//! it (the agreement, confirmation and progress are written and taken in by [`super::agreement`]).
//!
//! Invariants: every function here runs inside the caller's one transaction (`Samtale`
//! wraps each in `BEGIN IMMEDIATE` with its audit entry), so a refused file changes nothing;
//! opening checks, in order: the envelope ([`envelope::parse`]), the file id's form, that the
//! file is not dated more than a day ahead of this clock, that it is not this store's own, that
//! it is for this store, the same file opened before (then nothing more happens), the payload,
//! the talk it is about, the sender's pinned key, and that it is not older than a file of its
//! kind already opened for the same talk; only then is anything written. A payload is validated like any other input at the core's boundary: a valid
//! signature says who wrote it, not that it is sound.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::envelope::{self, Sealed, To};
use super::identity;
use super::{agreement, own, ExchangeFile, ExchangeKind, ExchangeProblem, Opened};
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{OwnTalkId, PersonId, TalkId};
use crate::talks::lifecycle::TalkState;
use crate::talks::record::{self, Answer};
use crate::talks::talk::{self, Party};
use crate::talks::template;
use crate::talks::{ics, library, TalkKind};
use crate::validate;

/// Longest calendar file an invitation may carry.
const MAX_ICS: usize = 64 * 1024;
/// How far ahead of this computer's clock a file may be dated: laptops' clocks and
/// time-zone settings are often off by hours, seldom by a day.
const CLOCK_SLACK_HOURS: i64 = 24;
/// Longest exchange id (they are 26 letters).
const MAX_EXCHANGE_ID: usize = 64;

fn problem(problem: ExchangeProblem) -> Error {
    Error::Exchange { problem }
}

/// What an invitation carries, inside its (possibly plain) payload: nothing about the
/// employee beyond what the calendar file names.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InvitationPayload {
    exchange_id: String,
    talk_kind: TalkKind,
    starts_at: Option<DateTime<Utc>>,
    duration_minutes: Option<u32>,
    place: Option<String>,
    /// The guide version's template file (docs/TEMPLATE_FORMAT.md), so the employee can
    /// prepare.
    guide: String,
    guide_version: u32,
    ics: String,
    manager_name: String,
    /// The manager cancelled the talk; the `.ics` cancels the calendar entry too.
    cancelled: bool,
}

/// What a preparation carries, encrypted to the manager: the shared answers only. No `Debug`:
/// it holds the person's text, which must never reach a log line.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PreparationPayload {
    exchange_id: String,
    answers: Vec<Answer>,
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::FileSystem {
        detail: e.to_string(),
    })
}

pub(crate) fn file_name(kind: ExchangeKind, at: DateTime<Utc>, exchange_id: &str) -> String {
    let short: String = exchange_id.chars().take(8).collect();
    format!(
        "samtale-{}-{}-{short}.samtale",
        kind.as_str(),
        at.format("%Y-%m-%d")
    )
}

/// The exchange of a talk with one participant: made on the first file for them, the same for
/// every later file.
fn exchange_id(
    conn: &Connection,
    clock: &dyn Clock,
    talk: TalkId,
    person: PersonId,
) -> Result<String> {
    let known: Option<String> = conn
        .prepare_cached("SELECT id FROM exchange WHERE talk_id = ?1 AND person_id = ?2")?
        .query_row((talk, person), |r| r.get("id"))
        .optional()?;
    if let Some(id) = known {
        return Ok(id);
    }
    let id = identity::random_id()?;
    conn.prepare_cached(
        "INSERT INTO exchange (id, talk_id, person_id, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((&id, talk, person, stamp(clock.now())))?;
    Ok(id)
}

/// The key pinned for a person of the organisation, with its X25519 recipient.
pub(crate) fn person_key(conn: &Connection, person: PersonId) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT k.fingerprint, p.age_public FROM person_key k
             JOIN peer_key p ON p.fingerprint = k.fingerprint WHERE k.person_id = ?1",
        )?
        .query_row([person], |r| {
            Ok((r.get("fingerprint")?, r.get("age_public")?))
        })
        .optional()?)
}

/// The invitation to one participant of a talk. Encrypted to them once their key is known
/// (from a file of theirs); before that it travels plain, as a first invitation may.
pub(crate) fn write_invitation(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    person: PersonId,
    title: &str,
) -> Result<ExchangeFile> {
    talk::state_for_writing(conn, id)?;
    let summary = talk::get(conn, id)?;
    if !summary.participants.iter().any(|p| p.person_id == person) {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    let ics = ics::invitation(conn, clock, id, title)?;
    let guide = library::version(conn, summary.template_version_id)?;
    let me = identity::ensure(conn, clock)?;
    let exchange_id = exchange_id(conn, clock, id, person)?;
    let payload = InvitationPayload {
        exchange_id: exchange_id.clone(),
        talk_kind: summary.kind,
        starts_at: summary.starts_at,
        duration_minutes: summary.duration_minutes,
        place: summary.place.clone(),
        guide: guide.template.to_json(),
        guide_version: guide.version,
        ics,
        manager_name: summary.leader.name.clone(),
        cancelled: summary.state == TalkState::Cancelled,
    };
    let key = person_key(conn, person)?;
    let to = key.as_ref().map(|(fingerprint, age_public)| To {
        fingerprint,
        age_public,
    });
    let now = clock.now();
    let bytes = envelope::seal(&me, ExchangeKind::Invitation, now, to, &to_json(&payload)?)?;
    conn.prepare_cached("UPDATE exchange SET invited_at = ?2 WHERE id = ?1")?
        .execute((&exchange_id, stamp(now)))?;
    Ok(ExchangeFile {
        name: file_name(ExchangeKind::Invitation, now, &exchange_id),
        bytes,
    })
}

/// The preparation of an own talk for its manager: the shared answers only, encrypted to the
/// manager's key the invitation brought, signed with this store's key (which travels in it).
pub(crate) fn write_preparation(
    conn: &Connection,
    clock: &dyn Clock,
    id: OwnTalkId,
) -> Result<ExchangeFile> {
    let (exchange_id, manager_key, age_public): (String, String, String) = conn
        .prepare_cached(
            "SELECT t.exchange_id, t.manager_key, p.age_public FROM own_talk t
             JOIN peer_key p ON p.fingerprint = t.manager_key WHERE t.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get("exchange_id")?,
                r.get("manager_key")?,
                r.get("age_public")?,
            ))
        })
        .optional()?
        .ok_or(Error::not_found(Entity::OwnTalk, id.0))?;
    let me = identity::ensure(conn, clock)?;
    let payload = PreparationPayload {
        exchange_id: exchange_id.clone(),
        answers: own::shared_answers(conn, id)?,
    };
    let now = clock.now();
    let bytes = envelope::seal(
        &me,
        ExchangeKind::Preparation,
        now,
        Some(To {
            fingerprint: &manager_key,
            age_public: &age_public,
        }),
        &to_json(&payload)?,
    )?;
    conn.prepare_cached("UPDATE own_talk SET preparation_sent_at = ?2 WHERE id = ?1")?
        .execute((id, stamp(now)))?;
    Ok(ExchangeFile {
        name: file_name(ExchangeKind::Preparation, now, &exchange_id),
        bytes,
    })
}

/// Where the exchange with one participant of a talk stands, for the manager's talk page.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantExchange {
    pub person: Party,
    /// The fingerprint pinned for them (from a file of theirs): files to them are encrypted
    /// to it. `None`: their key is not known, and an invitation travels plain.
    pub key: Option<String>,
    /// When the last invitation was written for them.
    pub invited_at: Option<DateTime<Utc>>,
    /// When the preparation file last opened from them was written.
    pub prepared_at: Option<DateTime<Utc>>,
}

/// The exchange with each participant of a talk.
pub fn talk_exchanges(conn: &Connection, id: TalkId) -> Result<Vec<ParticipantExchange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.fingerprint, e.invited_at, e.prepared_at
         FROM person p
         LEFT JOIN person_key k ON k.person_id = p.id
         LEFT JOIN exchange e ON e.talk_id = ?1 AND e.person_id = p.id
         WHERE p.id = ?2",
    )?;
    talk::participants(conn, id)?
        .into_iter()
        .map(|person| {
            let (key, invited_at, prepared_at) = stmt.query_row((id, person.person_id), |r| {
                Ok((
                    r.get("fingerprint")?,
                    r.get("invited_at")?,
                    r.get("prepared_at")?,
                ))
            })?;
            Ok(ParticipantExchange {
                person,
                key,
                invited_at,
                prepared_at,
            })
        })
        .collect()
}

/// Where an opened file went, for its audit entry.
pub(crate) struct Landed {
    pub opened: Opened,
    /// Whom it concerns, on the manager's side.
    pub person: Option<PersonId>,
    /// The sender's pinned key was replaced by the new one the person confirmed.
    pub key_replaced: bool,
}

/// Whether a key differs from the one pinned for the same sender: refused unless the person
/// confirmed the new one. True when the confirmed new key replaces the pinned one.
pub(crate) fn check_pin(known: Option<&str>, found: &str, confirm_new_key: bool) -> Result<bool> {
    match known {
        Some(known) if known != found => {
            if confirm_new_key {
                Ok(true)
            } else {
                Err(Error::KeyChanged {
                    known: known.to_owned(),
                    found: found.to_owned(),
                })
            }
        }
        _ => Ok(false),
    }
}

/// Remembers the sender's keys; true when this store had not seen them before.
pub(crate) fn remember_peer(conn: &Connection, clock: &dyn Clock, sealed: &Sealed) -> Result<bool> {
    let added = conn
        .prepare_cached(
            "INSERT INTO peer_key (fingerprint, sign_public, age_public, first_seen_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute((
            &sealed.header.sender.fingerprint,
            sealed.sign_public.as_slice(),
            &sealed.header.sender.age_public,
            stamp(clock.now()),
        ))?;
    Ok(added == 1)
}

/// Pins (or, after the person confirmed a new key, re-pins) the key a person's file came with.
pub(crate) fn pin_person(
    conn: &Connection,
    clock: &dyn Clock,
    person: PersonId,
    fingerprint: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO person_key (person_id, fingerprint, pinned_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO UPDATE SET fingerprint = excluded.fingerprint,
                                   pinned_at = excluded.pinned_at
         WHERE fingerprint <> excluded.fingerprint",
    )?
    .execute((person, fingerprint, stamp(clock.now())))?;
    Ok(())
}

/// An exchange or file id as this app makes them: letters and digits, short.
pub(crate) fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_EXCHANGE_ID || !id.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(problem(ExchangeProblem::Altered));
    }
    Ok(())
}

/// Refuses a file older than one of its kind already opened for the same talk: an old file
/// sent again must not undo a newer one.
pub(crate) fn check_fresh(conn: &Connection, exchange_id: &str, sealed: &Sealed) -> Result<()> {
    let newer: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM imported_file
                            WHERE exchange_id = ?1 AND kind = ?2 AND created_at > ?3)",
        )?
        .query_row(
            (
                exchange_id,
                sealed.header.kind.as_str(),
                stamp(sealed.header.created_at),
            ),
            |r| r.get(0),
        )?;
    if newer {
        return Err(problem(ExchangeProblem::Stale));
    }
    Ok(())
}

pub(crate) fn remember_file(
    conn: &Connection,
    clock: &dyn Clock,
    exchange_id: &str,
    sealed: &Sealed,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO imported_file (file_id, exchange_id, kind, sender, created_at, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        &sealed.header.file_id,
        exchange_id,
        sealed.header.kind.as_str(),
        &sealed.header.sender.fingerprint,
        stamp(sealed.header.created_at),
        stamp(clock.now()),
    ))?;
    Ok(())
}

/// Where a file opened before went, to answer the second opening with it.
fn opened_before(conn: &Connection, sealed: &Sealed) -> Result<Option<Opened>> {
    let exchange: Option<String> = conn
        .prepare_cached("SELECT exchange_id FROM imported_file WHERE file_id = ?1")?
        .query_row([&sealed.header.file_id], |r| r.get("exchange_id"))
        .optional()?;
    let Some(exchange) = exchange else {
        return Ok(None);
    };
    let own_talk = conn
        .prepare_cached("SELECT id FROM own_talk WHERE exchange_id = ?1")?
        .query_row([&exchange], |r| r.get("id"))
        .optional()?;
    let talk = conn
        .prepare_cached("SELECT talk_id FROM exchange WHERE id = ?1")?
        .query_row([&exchange], |r| r.get("talk_id"))
        .optional()?;
    Ok(Some(Opened {
        kind: sealed.header.kind,
        from: sealed.header.sender.fingerprint.clone(),
        already_opened: true,
        new_key: false,
        own_talk,
        talk,
    }))
}

/// Opens an exchange file into the store; see the module's invariants for the order of the
/// checks. `confirm_new_key`: the person compared the sender's new fingerprint with them and
/// accepts it in place of the pinned one.
pub(crate) fn open(
    conn: &Connection,
    clock: &dyn Clock,
    bytes: &[u8],
    confirm_new_key: bool,
) -> Result<Landed> {
    let sealed = envelope::parse(bytes)?;
    // The file id is kept as a key of `imported_file`: one of ours, or the file is not.
    check_id(&sealed.header.file_id)?;
    if sealed.header.created_at > clock.now() + chrono::Duration::hours(CLOCK_SLACK_HOURS) {
        return Err(problem(ExchangeProblem::FromTheFuture));
    }
    let me = identity::ensure(conn, clock)?;
    if sealed.header.sender.fingerprint == me.public.fingerprint {
        return Err(problem(ExchangeProblem::OwnFile));
    }
    let plain = envelope::open(&sealed, &me)?;
    if let Some(opened) = opened_before(conn, &sealed)? {
        return Ok(Landed {
            opened,
            person: None,
            key_replaced: false,
        });
    }
    match sealed.header.kind {
        ExchangeKind::Invitation => open_invitation(conn, clock, &sealed, &plain, confirm_new_key),
        ExchangeKind::Preparation => {
            open_preparation(conn, clock, &sealed, &plain, confirm_new_key)
        }
        ExchangeKind::Agreement => {
            agreement::open_agreement(conn, clock, &sealed, &plain, confirm_new_key)
        }
        ExchangeKind::Confirmation => {
            agreement::open_confirmation(conn, clock, &sealed, &plain, confirm_new_key)
        }
        ExchangeKind::Progress => {
            agreement::open_progress(conn, clock, &sealed, &plain, confirm_new_key)
        }
    }
}

pub(crate) fn payload<T: for<'de> Deserialize<'de>>(plain: &[u8]) -> Result<T> {
    serde_json::from_slice(plain).map_err(|_| problem(ExchangeProblem::Altered))
}

fn open_invitation(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    plain: &[u8],
    confirm_new_key: bool,
) -> Result<Landed> {
    let p: InvitationPayload = payload(plain)?;
    check_id(&p.exchange_id)?;
    let guide = template::parse(&p.guide)?;
    if guide.kind != p.talk_kind {
        return Err(problem(ExchangeProblem::Altered));
    }
    let manager_name = validate::required(&p.manager_name, Field::Leader, validate::MAX_NAME)?;
    let place = match &p.place {
        Some(place) => validate::optional(place, Field::Place, validate::MAX_NAME)?,
        None => None,
    };
    if p.ics.len() > MAX_ICS || p.duration_minutes.is_some_and(|m| m > 24 * 60) {
        return Err(problem(ExchangeProblem::Altered));
    }
    let sender = &sealed.header.sender.fingerprint;
    let known: Option<(OwnTalkId, String)> = conn
        .prepare_cached("SELECT id, manager_key FROM own_talk WHERE exchange_id = ?1")?
        .query_row([&p.exchange_id], |r| {
            Ok((r.get("id")?, r.get("manager_key")?))
        })
        .optional()?;
    let key_replaced = check_pin(
        known.as_ref().map(|(_, k)| k.as_str()),
        sender,
        confirm_new_key,
    )?;
    check_fresh(conn, &p.exchange_id, sealed)?;
    let new_key = remember_peer(conn, clock, sealed)?;
    let now = stamp(clock.now());
    let id = match known {
        Some((id, _)) => {
            // A newer invitation to the same talk: rescheduled, moved, or from a confirmed new
            // key. The guide stays the one the person prepared against.
            conn.prepare_cached(
                "UPDATE own_talk SET starts_at = ?2, duration_minutes = ?3, place = ?4, ics = ?5,
                     manager_name = ?6, manager_key = ?7, invited_at = ?8, updated_at = ?9,
                     cancelled = ?10
                 WHERE id = ?1",
            )?
            .execute(rusqlite::params![
                id,
                p.starts_at.map(stamp),
                p.duration_minutes,
                place,
                &p.ics,
                &manager_name,
                sender,
                stamp(sealed.header.created_at),
                &now,
                p.cancelled,
            ])?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO own_talk (exchange_id, kind, starts_at, duration_minutes, place,
                     guide, guide_version, ics, manager_name, manager_key, cancelled,
                     invited_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
            )?
            .execute(rusqlite::params![
                &p.exchange_id,
                p.talk_kind.as_str(),
                p.starts_at.map(stamp),
                p.duration_minutes,
                place,
                guide.to_json(),
                p.guide_version,
                &p.ics,
                &manager_name,
                sender,
                p.cancelled,
                stamp(sealed.header.created_at),
                &now,
            ])?;
            OwnTalkId(conn.last_insert_rowid())
        }
    };
    remember_file(conn, clock, &p.exchange_id, sealed)?;
    Ok(Landed {
        opened: Opened {
            kind: ExchangeKind::Invitation,
            from: sender.clone(),
            already_opened: false,
            new_key,
            own_talk: Some(id),
            talk: None,
        },
        person: None,
        key_replaced,
    })
}

fn open_preparation(
    conn: &Connection,
    clock: &dyn Clock,
    sealed: &Sealed,
    plain: &[u8],
    confirm_new_key: bool,
) -> Result<Landed> {
    let p: PreparationPayload = payload(plain)?;
    check_id(&p.exchange_id)?;
    let (talk_id, person): (TalkId, PersonId) = conn
        .prepare_cached("SELECT talk_id, person_id FROM exchange WHERE id = ?1")?
        .query_row([&p.exchange_id], |r| {
            Ok((r.get("talk_id")?, r.get("person_id")?))
        })
        .optional()?
        .ok_or(problem(ExchangeProblem::UnknownExchange))?;
    let sender = &sealed.header.sender.fingerprint;
    let known = person_key(conn, person)?;
    let key_replaced = check_pin(
        known.as_ref().map(|(k, _)| k.as_str()),
        sender,
        confirm_new_key,
    )?;
    check_fresh(conn, &p.exchange_id, sealed)?;
    let new_key = remember_peer(conn, clock, sealed)?;
    pin_person(conn, clock, person, sender)?;
    // The talk's own rules apply as if the person had typed it here: a signed talk is locked,
    // a cleared one takes nothing, and preparing ends when the talk is held.
    for answer in &p.answers {
        record::save_preparation(conn, clock, talk_id, person, answer)?;
    }
    record::share_preparation(conn, clock, talk_id, person)?;
    conn.prepare_cached(
        "UPDATE preparation_share SET from_fingerprint = ?3 WHERE talk_id = ?1 AND author_id = ?2",
    )?
    .execute((talk_id, person, sender))?;
    conn.prepare_cached("UPDATE exchange SET prepared_at = ?2 WHERE id = ?1")?
        .execute((&p.exchange_id, stamp(sealed.header.created_at)))?;
    remember_file(conn, clock, &p.exchange_id, sealed)?;
    Ok(Landed {
        opened: Opened {
            kind: ExchangeKind::Preparation,
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::clock::FixedClock;
    use crate::store::Store;

    fn clock() -> FixedClock {
        FixedClock(chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000))
    }

    fn rows(store: &Store) -> i64 {
        store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM own_talk) + (SELECT count(*) FROM imported_file)
                      + (SELECT count(*) FROM peer_key) + (SELECT count(*) FROM preparation)
                      + (SELECT count(*) FROM own_agreement) + (SELECT count(*) FROM own_action)
                      + (SELECT count(*) FROM confirmation)
                      + (SELECT count(*) FROM action_event)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// A file signed by a real sender: only the payload is hostile.
    fn signed(
        sender: &Store,
        to: &Store,
        kind: ExchangeKind,
        plain: bool,
        payload: &[u8],
    ) -> Vec<u8> {
        let me = identity::ensure(sender.conn(), &clock()).unwrap();
        let them = identity::ensure(to.conn(), &clock()).unwrap();
        let to = (!plain).then(|| To {
            fingerprint: &them.public.fingerprint,
            age_public: &them.public.age_public,
        });
        envelope::seal(&me, kind, clock().now(), to, payload).unwrap()
    }

    fn try_open(store: &Store, bytes: &[u8]) -> Result<Landed> {
        let tx = store.conn().unchecked_transaction().unwrap();
        let out = open(&tx, &clock(), bytes, false);
        if out.is_ok() {
            tx.commit().unwrap();
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn a_signed_file_with_any_payload_never_panics_and_changes_nothing_when_refused(
            payload in proptest::collection::vec(any::<u8>(), 0..400),
            plain in any::<bool>(),
            kind in 0usize..5,
        ) {
            let sender = Store::open_in_memory().unwrap();
            let store = Store::open_in_memory().unwrap();
            let kind = [
                ExchangeKind::Invitation,
                ExchangeKind::Preparation,
                ExchangeKind::Agreement,
                ExchangeKind::Confirmation,
                ExchangeKind::Progress,
            ][kind];
            let bytes = signed(&sender, &store, kind, plain, &payload);
            let before = rows(&store);
            if try_open(&store, &bytes).is_err() {
                prop_assert_eq!(rows(&store), before);
            }
        }

        #[test]
        fn an_invitation_with_hostile_values_is_taken_in_checked_or_refused_without_a_panic(
            exchange_id in prop_oneof!["[A-Z2-7]{1,30}", "\\PC{0,80}"],
            place in proptest::option::of("\\PC{0,300}"),
            manager_name in "\\PC{0,300}",
            duration in proptest::option::of(any::<u32>()),
            guide in prop_oneof![Just(None), "\\PC{0,200}".prop_map(Some)],
            ics_len in 0usize..70_000,
        ) {
            let sender = Store::open_in_memory().unwrap();
            let store = Store::open_in_memory().unwrap();
            let guide = guide.unwrap_or_else(|| {
                crate::talks::template::builtin(TalkKind::Mus, crate::organisation::Language::Da)
                    .to_json()
            });
            let payload = InvitationPayload {
                exchange_id,
                talk_kind: TalkKind::Mus,
                starts_at: None,
                duration_minutes: duration,
                place,
                guide,
                guide_version: 1,
                ics: "x".repeat(ics_len),
                manager_name,
                cancelled: false,
            };
            let bytes = signed(&sender, &store, ExchangeKind::Invitation, true, &to_json(&payload).unwrap());
            let before = rows(&store);
            match try_open(&store, &bytes) {
                Ok(landed) => {
                    let own = own::get(store.conn(), landed.opened.own_talk.unwrap()).unwrap();
                    prop_assert!(own.talk.manager_name.chars().count() <= validate::MAX_NAME as usize);
                    prop_assert!(own.ics.len() <= MAX_ICS);
                }
                Err(_) => prop_assert_eq!(rows(&store), before),
            }
        }
    }
}
