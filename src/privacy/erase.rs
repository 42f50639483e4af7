//! Removing text and identity while keeping the rows that aggregates count.
//!
//! A cleared talk keeps its kind, year, unit, leader, participants, state, date, events and
//! signatures (their existence: a talk was signed), and its assessments' levels; it loses its
//! summary, disagreement, place, shared and private notes, preparations, follow-ups, the
//! reasons of its events and the names typed to sign. A cleared action keeps its kind, status,
//! dates, money, hours and competences; it loses its title, theme, result note and follow-ups.
//! An erased person keeps their unit, job family, gender and dates (the head counts of past
//! years) and loses every other value, and whom audit entries concern.
//!
//! The work is set-based over temporary id lists (`temp.clear_talk`, `temp.clear_action`):
//! the first purge of a large organisation's old years touches tens of thousands of talks.

use rusqlite::Connection;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::PersonId;

/// The ids to clear, filled by the caller with one `INSERT ... SELECT`.
pub(crate) fn prepare(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS clear_talk (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE IF NOT EXISTS clear_action (id INTEGER PRIMARY KEY);
         DELETE FROM temp.clear_talk;
         DELETE FROM temp.clear_action;",
    )?;
    Ok(())
}

/// Deletes the leader's private notes of the talks listed in `temp.clear_talk`.
pub(crate) fn drop_leader_notes(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM leader_note WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
        [],
    )?;
    Ok(())
}

/// Deletes every party's preparation of the talks listed in `temp.clear_talk`.
pub(crate) fn drop_preparations(conn: &Connection) -> Result<()> {
    for sql in [
        "DELETE FROM preparation WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
        "DELETE FROM preparation_share WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
    ] {
        conn.execute(sql, [])?;
    }
    Ok(())
}

/// Clears every talk listed in `temp.clear_talk`; returns how many.
pub(crate) fn clear_talks(conn: &Connection, clock: &dyn Clock) -> Result<u32> {
    let now = clock.now();
    drop_leader_notes(conn)?;
    drop_preparations(conn)?;
    for sql in [
        "DELETE FROM talk_note WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
        "DELETE FROM follow_up WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
        "UPDATE talk_event SET reason = NULL
         WHERE reason IS NOT NULL AND talk_id IN (SELECT id FROM temp.clear_talk)",
        "UPDATE signature SET typed_name = ''
         WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
    ] {
        conn.execute(sql, [])?;
    }
    let n = conn.execute(
        "UPDATE talk SET summary = '', disagreement = NULL, place = NULL,
                cleared_at = coalesce(cleared_at, ?1), updated_at = ?1
         WHERE id IN (SELECT id FROM temp.clear_talk)",
        [now],
    )?;
    Ok(n as u32)
}

/// Clears every action listed in `temp.clear_action`; returns how many.
pub(crate) fn clear_actions(conn: &Connection, clock: &dyn Clock) -> Result<u32> {
    conn.execute(
        "DELETE FROM action_follow_up WHERE action_id IN (SELECT id FROM temp.clear_action)",
        [],
    )?;
    let n = conn.execute(
        "UPDATE action SET title = '', theme = '', result_note = NULL,
                cleared_at = coalesce(cleared_at, ?1), updated_at = ?1
         WHERE id IN (SELECT id FROM temp.clear_action)",
        [clock.now()],
    )?;
    Ok(n as u32)
}

/// What erasing one person removed, for the audit entry and the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    pub talks: u32,
    pub actions: u32,
}

/// Erases a person who has left: their identity, their own talks' texts (a MUS or LUS is
/// about them alone), their part of group talks (their preparation, their typed name), the
/// texts of the actions for them, and whom audit entries concern. Talks they held as leader
/// are about other people and stay.
pub fn erase(conn: &Connection, clock: &dyn Clock, id: PersonId) -> Result<Erased> {
    let person = crate::people::get(conn, id)?;
    if person.erased {
        return Err(Error::AlreadyErased);
    }
    if person.active {
        return Err(Error::StillEmployed);
    }
    erase_left(conn, clock, &[id])
}

/// Erases people known to have left and not yet erased (checked by the caller).
pub(crate) fn erase_left(conn: &Connection, clock: &dyn Clock, ids: &[PersonId]) -> Result<Erased> {
    prepare(conn)?;
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS erase_person (id INTEGER PRIMARY KEY);
         DELETE FROM temp.erase_person;",
    )?;
    {
        let mut add = conn.prepare_cached("INSERT INTO temp.erase_person (id) VALUES (?1)")?;
        for id in ids {
            add.execute([id])?;
        }
    }
    // Their own talks: the talks whose only other party they are.
    conn.execute(
        "INSERT INTO temp.clear_talk (id)
         SELECT tp.talk_id FROM talk_participant tp
         WHERE tp.person_id IN (SELECT id FROM temp.erase_person)
           AND (SELECT count(*) FROM talk_participant o WHERE o.talk_id = tp.talk_id) = 1",
        [],
    )?;
    let talks = clear_talks(conn, clock)?;
    // Their part of group talks.
    for sql in [
        "DELETE FROM preparation WHERE author_id IN (SELECT id FROM temp.erase_person)
           AND talk_id IN (SELECT talk_id FROM talk_participant
                           WHERE person_id IN (SELECT id FROM temp.erase_person))",
        "DELETE FROM preparation_share WHERE author_id IN (SELECT id FROM temp.erase_person)
           AND talk_id IN (SELECT talk_id FROM talk_participant
                           WHERE person_id IN (SELECT id FROM temp.erase_person))",
        "UPDATE signature SET typed_name = ''
         WHERE person_id IN (SELECT id FROM temp.erase_person)",
    ] {
        conn.execute(sql, [])?;
    }
    conn.execute(
        "INSERT INTO temp.clear_action (id)
         SELECT id FROM action WHERE person_id IN (SELECT id FROM temp.erase_person)",
        [],
    )?;
    let actions = clear_actions(conn, clock)?;
    crate::audit::forget(conn, ids)?;
    // The row stays for the counts: unit, job family, gender and dates.
    conn.execute(
        "UPDATE person SET employee_number = 'erased-' || id, given_name = '', family_name = ?1,
                name_key = '', family_key = '', job_title = '', email = NULL, manager_id = NULL,
                erased_at = ?2, updated_at = ?2
         WHERE id IN (SELECT id FROM temp.erase_person)",
        (ERASED_NAME, clock.now()),
    )?;
    Ok(Erased { talks, actions })
}

/// What an erased person is called where a name is shown: no one's name, in no language.
pub const ERASED_NAME: &str = "–";
