//! Removing text and identity while keeping the rows that aggregates count.
//!
//! A cleared talk keeps its kind, year, unit, leader, participants, state, date, events and
//! signatures (their existence: a talk was signed), and its assessments' levels; it loses its
//! summary, disagreement, place, shared and private notes, preparations, follow-ups, the
//! reasons of its events and the names typed to sign. A cleared action keeps its kind, status,
//! dates, money, hours and competences; it loses its title, theme, result note and follow-ups.
//!
//! Erasing a person who has left ([`erase`]) goes by who a text is by or about:
//!
//! - **Talks about them alone** are cleared whole: a MUS they were the employee of, a LUS they
//!   were the leader of, and a group talk (GRUS) whose every member is now erased.
//! - **What they wrote or typed anywhere** goes: their preparations, shared or not (in group
//!   talks, and in the talks they held as manager or chef), and the names they typed to sign.
//!   That they signed stays: a signed talk counts as signed.
//! - **Talks they held** (as the manager of a MUS or GRUS, as the chef of a LUS) are the other
//!   people's records and stay, with their leader kept as an erased person: the private notes
//!   they wrote as leader go (the leader's alone, never part of the agreement); the shared
//!   record (summary, shared notes, follow-ups, actions) stays whole, since it is the
//!   employee's agreement, which the employee still has a right to, even where it names the
//!   leader.
//! - **Group talks they took part in** stay the group's: the other members' preparations, the
//!   shared notes, the summary and the rest are kept, less what is about them. A shared text
//!   has no author per line, so what is about them is told by their name: every line naming
//!   them (their full name, their given name or their e-mail address, as whole words, also
//!   with a genitive s: `Emils`, `Emil's`) goes, with the lines that continue it (indented
//!   below it, or the list under a line that is not a list item itself). This applies to
//!   every text of the talk that is not one person's own: place, summary, disagreement,
//!   shared notes, the leader's private notes and preparation, the other members'
//!   preparations, the reasons of its steps, follow-ups, and the actions agreed in it with
//!   their follow-ups (a typed name is its signer's own, and stays). A text left empty goes
//!   (a note that also holds a chosen value keeps the value). What cannot be told apart
//!   stays: a text of one paragraph on one line that names them goes whole, while a sentence
//!   about them that names them only by a pronoun, a nickname or a role, or a disagreement
//!   that does not say whose it is, stays with the group's record, which it is part of. A
//!   member sharing their given name loses the lines naming it too: when in doubt, text goes.
//! - **Their actions** (the individual actions for them) are cleared; the group's actions
//!   lose the lines naming them as above.
//! - **Their person row** stays for the counts with their unit, job family and gender; every
//!   other value is replaced, and the audit entries about them no longer say whom they
//!   concern.
//! - **Dates to the year**: every date left that is theirs becomes 1 January of its year, at
//!   midnight UTC for a timestamp: their start and end dates and the row's own timestamps;
//!   the date, steps, confirmations and timestamps of the talks cleared as theirs; their
//!   confirmations and assessments in any talk; the due, created and status dates of the
//!   actions for them. Every figure of a past year reads a talk's cycle year or an action's
//!   plan year, never a day, and someone employed in a year stays employed in it (start year
//!   at or before it, end year at or after it), so the figures of past years do not change.
//!   1 January rather than 1 July: a date moved never lies after the real one, so nothing
//!   that goes a period after its date (retention) is kept longer than it would have been.
//!   The group talks they took part in keep their dates: they are the group's. The audit
//!   trail keeps its times (who changed what when is its purpose), without saying whom an
//!   entry concerns.
//!
//! The work is set-based over temporary id lists (`temp.clear_talk`, `temp.clear_action`):
//! the first purge of a large organisation's old years touches tens of thousands of talks.
//! Only the group talks are read line by line, a handful per person.

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
        // A confirmation may hold a disagreement's text; that the talk was signed stays in
        // `signature`.
        "DELETE FROM confirmation WHERE talk_id IN (SELECT id FROM temp.clear_talk)",
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
    /// Older backups that held the person and were removed after a new backup without them
    /// was taken (see `Samtale::erase_person`).
    pub backups_removed: u32,
    /// Backups that still hold the person: under another key (an earlier store's), or all of
    /// them when no new backup could be taken. They go when they are pruned.
    pub backups_left: u32,
}

/// Erases a person who has left (see the module's documentation for what goes and what
/// stays).
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
         CREATE TEMP TABLE IF NOT EXISTS group_talk (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE IF NOT EXISTS their_talk (id INTEGER PRIMARY KEY);
         DELETE FROM temp.erase_person;
         DELETE FROM temp.their_talk;",
    )?;
    {
        let mut add = conn.prepare_cached("INSERT INTO temp.erase_person (id) VALUES (?1)")?;
        for id in ids {
            add.execute([id])?;
        }
    }
    // Every talk they were a party of: only a party writes to a talk or signs it. Through the
    // indexes by person and by leader, so nothing below reads a whole table.
    conn.execute(
        "INSERT OR IGNORE INTO temp.their_talk (id)
         SELECT talk_id FROM talk_participant WHERE person_id IN (SELECT id FROM temp.erase_person)
         UNION SELECT id FROM talk WHERE leader_id IN (SELECT id FROM temp.erase_person)",
        [],
    )?;
    // Read before the names are replaced below.
    let names = ids
        .iter()
        .map(|id| Ok((*id, Names::of(conn, *id)?)))
        .collect::<Result<Vec<_>>>()?;
    // The talks about them alone: a MUS or LUS they were the other party of, and a group talk
    // whose every member is now erased.
    conn.execute(
        "INSERT OR IGNORE INTO temp.clear_talk (id)
         SELECT tp.talk_id FROM talk_participant tp
         WHERE tp.person_id IN (SELECT id FROM temp.erase_person)
           AND NOT EXISTS (
             SELECT 1 FROM talk_participant o JOIN person p ON p.id = o.person_id
             WHERE o.talk_id = tp.talk_id AND p.erased_at IS NULL
               AND o.person_id NOT IN (SELECT id FROM temp.erase_person))",
        [],
    )?;
    let talks = clear_talks(conn, clock)?;
    for sql in [
        // What they wrote or typed anywhere: their preparations (in their group talks and in
        // the talks they held) and the names they signed with. That they signed stays.
        "DELETE FROM preparation WHERE talk_id IN (SELECT id FROM temp.their_talk)
           AND author_id IN (SELECT id FROM temp.erase_person)",
        "DELETE FROM preparation_share WHERE talk_id IN (SELECT id FROM temp.their_talk)
           AND author_id IN (SELECT id FROM temp.erase_person)",
        "UPDATE signature SET typed_name = ''
         WHERE talk_id IN (SELECT id FROM temp.their_talk)
           AND person_id IN (SELECT id FROM temp.erase_person)",
        // Their private notes in the talks they held: theirs, never the other party's record.
        "DELETE FROM leader_note WHERE talk_id IN (
           SELECT id FROM talk WHERE leader_id IN (SELECT id FROM temp.erase_person))",
        // Their key and their exchanges: a key names its owner to anyone holding their files,
        // and a later file from them must find no talk to go into.
        "DELETE FROM person_key WHERE person_id IN (SELECT id FROM temp.erase_person)",
        "DELETE FROM exchange WHERE person_id IN (SELECT id FROM temp.erase_person)",
        "DELETE FROM confirmation WHERE person_id IN (SELECT id FROM temp.erase_person)",
        "UPDATE signature SET from_fingerprint = NULL
         WHERE person_id IN (SELECT id FROM temp.erase_person)",
        "UPDATE action_event SET from_fingerprint = NULL WHERE from_fingerprint IS NOT NULL
           AND action_id IN (SELECT id FROM action
                             WHERE person_id IN (SELECT id FROM temp.erase_person))",
    ] {
        conn.execute(sql, [])?;
    }
    for (id, names) in &names {
        remove_from_group_talks(conn, *id, names)?;
        from_held_bundles(conn, names)?;
    }
    conn.execute(
        "INSERT INTO temp.clear_action (id)
         SELECT id FROM action WHERE person_id IN (SELECT id FROM temp.erase_person)",
        [],
    )?;
    let actions = clear_actions(conn, clock)?;
    to_the_year(conn)?;
    crate::audit::forget(conn, ids)?;
    // The row stays for the counts: unit, job family, gender, and dates to the year.
    let year_of_now = format!("{}{YEAR_START}", clock.now().format("%Y"));
    conn.execute(
        &format!(
            "UPDATE person SET employee_number = 'erased-' || id, given_name = '', family_name = ?1,
                    name_key = '', family_key = '', job_title = '', email = NULL, manager_id = NULL,
                    start_date = {start}, end_date = {end}, archived_at = {archived},
                    created_at = {created}, erased_at = ?2, updated_at = ?2
             WHERE id IN (SELECT id FROM temp.erase_person)",
            start = year_day("start_date"),
            end = year_day("end_date"),
            archived = year_stamp("archived_at"),
            created = year_stamp("created_at"),
        ),
        (ERASED_NAME, year_of_now),
    )?;
    Ok(Erased {
        talks,
        actions,
        backups_removed: 0,
        backups_left: 0,
    })
}

/// What a timestamp becomes once only its year is kept: 1 January, midnight UTC, written as
/// [`crate::clock::stamp`] writes (a fixed width, so it still compares as text).
const YEAR_START: &str = "-01-01T00:00:00.000+00:00";

/// SQL for the date (`YYYY-MM-DD`) in `column` as 1 January of its year; NULL stays NULL.
fn year_day(column: &str) -> String {
    format!("substr({column}, 1, 4) || '-01-01'")
}

/// SQL for the timestamp in `column` as 1 January of its year; NULL stays NULL.
fn year_stamp(column: &str) -> String {
    format!("substr({column}, 1, 4) || '{YEAR_START}'")
}

/// Every date left of the people in `temp.erase_person` (but their own row's, which the
/// caller rewrites) becomes 1 January of its year: the dates of the talks cleared as theirs
/// (`temp.clear_talk`) and of their steps and confirmations, their confirmations and
/// assessments in any talk, and the dates of the actions for them. Every figure of a year
/// reads the year (a talk's cycle year, an action's plan year), never the day.
fn to_the_year(conn: &Connection) -> Result<()> {
    const THEIRS: &str = "(SELECT id FROM temp.erase_person)";
    const TALKS: &str = "(SELECT id FROM temp.clear_talk)";
    const ACTIONS: &str = "(SELECT id FROM temp.clear_action)";
    for sql in [
        format!(
            "UPDATE talk SET starts_at = {}, created_at = {}, updated_at = {}, cleared_at = {}
             WHERE id IN {TALKS}",
            year_stamp("starts_at"),
            year_stamp("created_at"),
            year_stamp("updated_at"),
            year_stamp("cleared_at"),
        ),
        format!(
            "UPDATE talk_event SET at = {} WHERE talk_id IN {TALKS}",
            year_stamp("at")
        ),
        format!(
            "UPDATE signature SET at = {}
             WHERE talk_id IN {TALKS}
                OR (talk_id IN (SELECT id FROM temp.their_talk) AND person_id IN {THEIRS})",
            year_stamp("at")
        ),
        format!(
            "UPDATE assessment SET updated_at = {}
             WHERE talk_id IN {TALKS} OR person_id IN {THEIRS}",
            year_stamp("updated_at")
        ),
        format!(
            "UPDATE action SET due_date = {}, created_on = {}, created_at = {}, updated_at = {},
                    cleared_at = {}
             WHERE id IN {ACTIONS}",
            year_day("due_date"),
            year_day("created_on"),
            year_stamp("created_at"),
            year_stamp("updated_at"),
            year_stamp("cleared_at"),
        ),
        format!(
            "UPDATE action_event SET at = {} WHERE action_id IN {ACTIONS}",
            year_stamp("at")
        ),
    ] {
        conn.execute(&sql, [])?;
    }
    Ok(())
}

/// The texts of a group talk, by table: the key columns first (as many as the statements
/// bind before the text), then the text. `keep` writes the text that is left; `drop`, when
/// nothing is left, removes the row (or, without it, the text is left empty or NULL).
struct GroupText {
    select: &'static str,
    keep: &'static str,
    drop: Option<&'static str>,
}

/// Every text of the talks in `temp.group_talk` that is not one person's own (those go
/// whole; a typed name is its signer's own): the place, the shared record, the leader's
/// notes, the other members' and the leader's preparations, the reasons of steps, the
/// follow-ups, and the actions agreed in the talk with their follow-ups. A row whose text had
/// nothing but lines about the person goes, unless it holds something else (a chosen value
/// on a scale).
const GROUP_TEXTS: [GroupText; 12] = [
    GroupText {
        select: "SELECT id, summary FROM talk WHERE id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE talk SET summary = ?2 WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT id, disagreement FROM talk WHERE id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE talk SET disagreement = nullif(?2, '') WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT id, place FROM talk WHERE id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE talk SET place = nullif(?2, '') WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT talk_id, section, question, text FROM talk_note
                 WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep:
            "UPDATE talk_note SET text = ?4 WHERE talk_id = ?1 AND section = ?2 AND question = ?3",
        drop: Some(
            "DELETE FROM talk_note
             WHERE talk_id = ?1 AND section = ?2 AND question = ?3 AND value IS NULL",
        ),
    },
    GroupText {
        select: "SELECT talk_id, section, question, text FROM leader_note
                 WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE leader_note SET text = ?4
               WHERE talk_id = ?1 AND section = ?2 AND question = ?3",
        drop: Some("DELETE FROM leader_note WHERE talk_id = ?1 AND section = ?2 AND question = ?3"),
    },
    GroupText {
        select: "SELECT talk_id, author_id, section, question, text FROM preparation
                 WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE preparation SET text = ?5
               WHERE talk_id = ?1 AND author_id = ?2 AND section = ?3 AND question = ?4",
        drop: Some(
            "DELETE FROM preparation WHERE talk_id = ?1 AND author_id = ?2 AND section = ?3
               AND question = ?4 AND value IS NULL",
        ),
    },
    GroupText {
        select: "SELECT id, text FROM follow_up WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE follow_up SET text = ?2 WHERE id = ?1",
        drop: Some("DELETE FROM follow_up WHERE id = ?1"),
    },
    GroupText {
        select: "SELECT id, reason FROM talk_event
                 WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE talk_event SET reason = nullif(?2, '') WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT id, title FROM action WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE action SET title = ?2 WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT id, theme FROM action WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE action SET theme = ?2 WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT id, result_note FROM action
                 WHERE talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE action SET result_note = nullif(?2, '') WHERE id = ?1",
        drop: None,
    },
    GroupText {
        select: "SELECT f.id, f.text FROM action_follow_up f JOIN action a ON a.id = f.action_id
                 WHERE a.talk_id IN (SELECT id FROM temp.group_talk)",
        keep: "UPDATE action_follow_up SET text = ?2 WHERE id = ?1",
        drop: Some("DELETE FROM action_follow_up WHERE id = ?1"),
    },
];

/// Removes what is about `person` from the group talks they took part in that stay (the
/// talks with other members not erased): every line naming them, with the lines that
/// continue it, from every text of the talk. What they wrote themselves is gone already.
/// Removes the person's name from the unit bundles HR holds (an HR store's copies of managers'
/// figures): as the unit's manager, a talk's leader, an action's owner or the person an action
/// is for; an action's or a course's title naming them loses the name's line (a one-line title
/// goes). The figures stay.
fn from_held_bundles(conn: &Connection, names: &Names) -> Result<u32> {
    if names.is_empty() {
        return Ok(0);
    }
    let clear = |text: &mut String| -> bool {
        match names.removed_from(text) {
            Some(left) => {
                *text = left;
                true
            }
            None => false,
        }
    };
    crate::export::bundle::rewrite_held(conn, |body| {
        let mut changed = false;
        if body
            .facts
            .manager
            .as_deref()
            .is_some_and(|m| names.in_line(m))
        {
            body.facts.manager = None;
            changed = true;
        }
        for talk in &mut body.facts.talks {
            if talk.leader.as_deref().is_some_and(|l| names.in_line(l)) {
                talk.leader = None;
                changed = true;
            }
        }
        for course in &mut body.facts.education {
            changed |= clear(&mut course.title);
        }
        for action in &mut body.plan {
            if names.in_line(&action.owner) {
                action.owner.clear();
                changed = true;
            }
            if action.person.as_deref().is_some_and(|p| names.in_line(p)) {
                action.person = None;
                changed = true;
            }
            changed |= clear(&mut action.title);
        }
        changed
    })
}

fn remove_from_group_talks(conn: &Connection, person: PersonId, names: &Names) -> Result<()> {
    conn.execute("DELETE FROM temp.group_talk", [])?;
    conn.prepare_cached(
        "INSERT INTO temp.group_talk (id)
         SELECT talk_id FROM talk_participant
         WHERE person_id = ?1 AND talk_id NOT IN (SELECT id FROM temp.clear_talk)",
    )?
    .execute([person])?;
    if names.is_empty() {
        return Ok(());
    }
    use rusqlite::types::Value;
    for text in &GROUP_TEXTS {
        // Read whole first: the rows are rewritten below.
        let rows: Vec<(Vec<Value>, String)> = {
            let mut stmt = conn.prepare_cached(text.select)?;
            let keys = stmt.column_count() - 1;
            let rows = stmt
                .query_map([], |r| {
                    let key = (0..keys)
                        .map(|i| r.get(i))
                        .collect::<rusqlite::Result<_>>()?;
                    Ok((key, r.get::<_, Option<String>>(keys)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .filter_map(|(key, text)| Some((key, text?)))
                .collect()
        };
        for (key, old) in rows {
            let Some(left) = names.removed_from(&old) else {
                continue;
            };
            if let (Some(drop), true) = (text.drop, left.is_empty()) {
                conn.prepare_cached(drop)?
                    .execute(rusqlite::params_from_iter(&key))?;
            }
            // What is left; a row the drop kept (it holds a chosen value) keeps it, untexted.
            let mut params = key;
            params.push(Value::Text(left));
            conn.prepare_cached(text.keep)?
                .execute(rusqlite::params_from_iter(&params))?;
        }
    }
    Ok(())
}

/// The ways a text names one person: their full name, their given name and their e-mail
/// address, folded to lower case with single spaces. A name of fewer than two letters or
/// digits is left out: it would match words that are not about them.
pub(crate) struct Names(Vec<String>);

impl Names {
    fn of(conn: &Connection, id: PersonId) -> Result<Names> {
        let (given, family, email): (String, String, Option<String>) = conn
            .prepare_cached("SELECT given_name, family_name, email FROM person WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(Names::new(&[
            &format!("{given} {family}"),
            &given,
            email.as_deref().unwrap_or_default(),
        ]))
    }

    pub(crate) fn new(names: &[&str]) -> Names {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            let folded = fold(name);
            if folded.chars().filter(|c| c.is_alphanumeric()).count() >= 2 && !out.contains(&folded)
            {
                out.push(folded);
            }
        }
        Names(out)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `line` names the person: one of the names as whole words, or with the
    /// genitive s of the Nordic languages and English (`Emils`, `Emil's`).
    fn in_line(&self, line: &str) -> bool {
        let line = fold(line);
        self.0.iter().any(|name| {
            line.match_indices(name.as_str()).any(|(at, _)| {
                let starts = line[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                let mut after = line[at + name.len()..].chars();
                let ends = match after.next() {
                    None => true,
                    Some('s') => after.next().is_none_or(|c| !c.is_alphanumeric()),
                    Some(c) => !c.is_alphanumeric(),
                };
                starts && ends
            })
        })
    }

    /// `text` without the lines that name the person and the lines that continue such a
    /// line (indented below it, or list items under a line that is not one itself, up to a
    /// blank line); `None` when no line names them. A text of one paragraph on one line goes
    /// whole: where what is about them ends cannot be told.
    pub(crate) fn removed_from(&self, text: &str) -> Option<String> {
        let mut kept: Vec<&str> = Vec::new();
        let mut removed = false;
        // The indentation of the last line removed, and whether it was a list item.
        let mut removing: Option<(usize, bool)> = None;
        for line in text.split('\n') {
            let bare = line.trim_end_matches('\r');
            if bare.trim().is_empty() {
                removing = None;
                kept.push(line);
                continue;
            }
            let (indent, item) = (indentation(bare), is_item(bare));
            let continues = removing.is_some_and(|(head_indent, head_item)| {
                indent > head_indent || (!head_item && item && indent >= head_indent)
            });
            if self.in_line(bare) {
                removing = Some((indent, item));
                removed = true;
            } else if continues {
                removed = true;
            } else {
                removing = None;
                kept.push(line);
            }
        }
        if !removed {
            return None;
        }
        // No blank line at the start or the end, nor two in a row, where lines went.
        let mut out: Vec<&str> = Vec::new();
        for line in kept {
            let blank = line.trim().is_empty();
            if blank && out.last().is_none_or(|l| l.trim().is_empty()) {
                continue;
            }
            out.push(line);
        }
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
        Some(out.join("\n"))
    }
}

/// Lower case with single spaces, the form names are compared in.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Whether a line is a list item: a bullet (`-`, `*`, `•`, `–`, `+`) or a number (`1.`,
/// `2)`) followed by a space.
fn is_item(line: &str) -> bool {
    let line = line.trim_start();
    let spaced = |rest: &str| rest.starts_with(char::is_whitespace);
    if ['-', '*', '•', '–', '+']
        .iter()
        .any(|b| line.strip_prefix(*b).is_some_and(spaced))
    {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0
        && (line[digits..].strip_prefix('.').is_some_and(spaced)
            || line[digits..].strip_prefix(')').is_some_and(spaced))
}

/// What an erased person is called where a name is shown: no one's name, in no language.
pub const ERASED_NAME: &str = "–";

#[cfg(test)]
mod tests {
    use super::Names;

    fn emil() -> Names {
        Names::new(&["Emil Ansat", "Emil", "emil@example.org"])
    }

    #[test]
    fn a_text_that_does_not_name_them_is_left_as_it_was() {
        let names = emil();
        for text in [
            "",
            "Emilie and Emil2 agreed",
            "The team of Ansat",
            "Emilsen",
        ] {
            assert_eq!(names.removed_from(text), None, "{text:?}");
        }
    }

    #[test]
    fn names_are_whole_words_in_any_case_and_with_a_genitive_s() {
        let names = emil();
        for text in [
            "emil said so",
            "As EMIL ANSAT said",
            "Emils plan",
            "Emil's plan",
            "Emil’s plan",
            "(Emil)",
            "Emil-gruppen",
            "Mail emil@example.org",
            "Emil\tAnsat  again",
        ] {
            assert_eq!(names.removed_from(text).as_deref(), Some(""), "{text:?}");
        }
    }

    #[test]
    fn a_line_naming_them_goes_with_the_lines_that_continue_it() {
        let text = "Plan\n\nEmil wants:\n- a course\n  - soon\n- mentoring\nAnna wants:\n- a course\n\n\
                    Agreements:\n- Emil: a course\n  more of it\n- Anna: rotation\r\n\nEmil, at last\n";
        assert_eq!(
            emil().removed_from(text).as_deref(),
            Some("Plan\n\nAnna wants:\n- a course\n\nAgreements:\n- Anna: rotation\r")
        );
    }

    #[test]
    fn a_name_of_one_letter_is_not_looked_for() {
        let names = Names::new(&["A Berg", "A"]);
        assert_eq!(names.removed_from("A plan"), None);
        assert_eq!(names.removed_from("A Berg's plan").as_deref(), Some(""));
        assert!(Names::new(&["", " "]).is_empty());
    }
}
