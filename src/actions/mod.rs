//! Agreed actions: what a talk (or a unit's plan) decides to do, followed up for activity and
//! for result; and (`plan`) the units' yearly action plans.
//!
//! Invariants: every action has an owner and belongs to one unit's plan of one year; an
//! individual action names the person it develops, a group or unit action names none; money is
//! stored in hundredths and never negative, hours never negative; a due date is not before the
//! day the action was made; every status change is kept in `action_event`. An action agreed in
//! a talk is added only while the talk's record is open, and what it is (title, theme, kind,
//! competences, scope) is locked with the talk's signed agreement; its follow-up (status, cost,
//! hours, due date, owner, result) goes on all year.

pub mod plan;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::{stamp, Clock};
use crate::competence::{catalogue, CompetenceRef};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{ActionId, CompetenceId, PersonId, TalkId, UnitId};
use crate::talks::record;
use crate::talks::talk::{self, Party};
use crate::validate;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Type,
        )]
        #[serde(rename_all = "camelCase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                $name::parse(value.as_str()?).ok_or(rusqlite::types::FromSqlError::InvalidType)
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
    };
}

text_enum!(
    /// What kind of development an action is.
    ActionKind {
        Course = "course",
        Training = "training",
        Mentoring = "mentoring",
        Rotation = "rotation",
        Network = "network",
        Shadowing = "shadowing",
        Other = "other",
    }
);

text_enum!(
    ActionStatus {
        Planned = "planned",
        Ongoing = "ongoing",
        Done = "done",
        Cancelled = "cancelled",
        CarriedOver = "carriedOver",
    }
);

text_enum!(
    /// Whom an action develops: one person, a group (from a GRUS), or the whole unit.
    ActionScope {
        Individual = "individual",
        Group = "group",
        Unit = "unit",
    }
);

text_enum!(
    /// Whether the action had the effect it was meant to have.
    Effect {
        Yes = "yes",
        Partly = "partly",
        No = "no",
    }
);

impl ActionStatus {
    /// Still to be done: carried into next year's plan when the plan is rolled.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::Ongoing)
    }

    /// Carried over is set only by rolling a plan, and is final: the action lives on in the
    /// next year's plan.
    pub fn can_step(self, to: ActionStatus) -> bool {
        self != to && self != ActionStatus::CarriedOver && to != ActionStatus::CarriedOver
    }
}

pub const MAX_TITLE: u32 = 200;
pub const MAX_THEME: u32 = 500;
pub const MAX_RESULT_NOTE: u32 = 5_000;
pub const MAX_FOLLOW_UP: u32 = 5_000;
/// A cost above this (in the organisation's currency) is a typing slip.
pub const MAX_COST: u32 = 100_000_000;
pub const MAX_HOURS: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionInput {
    pub unit_id: UnitId,
    pub year: i32,
    pub scope: ActionScope,
    pub talk_id: Option<TalkId>,
    pub person_id: Option<PersonId>,
    pub title: String,
    pub theme: String,
    pub competence_ids: Vec<CompetenceId>,
    pub kind: ActionKind,
    pub owner_id: Option<PersonId>,
    pub due_date: Option<NaiveDate>,
    pub planned_cost: Option<f64>,
    pub planned_hours: Option<f64>,
    pub actual_cost: Option<f64>,
    pub actual_hours: Option<f64>,
    pub confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub id: ActionId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub year: i32,
    pub scope: ActionScope,
    pub talk_id: Option<TalkId>,
    pub person: Option<Party>,
    pub title: String,
    pub theme: String,
    pub competences: Vec<CompetenceRef>,
    pub kind: ActionKind,
    pub owner: Party,
    pub due_date: Option<NaiveDate>,
    pub planned_cost: Option<f64>,
    pub planned_hours: Option<f64>,
    pub actual_cost: Option<f64>,
    pub actual_hours: Option<f64>,
    pub status: ActionStatus,
    pub result: Option<Effect>,
    pub result_note: Option<String>,
    pub confidential: bool,
    pub carried_from: Option<ActionId>,
    pub created_on: NaiveDate,
    /// Open and past its due date (as of the clock given to the read).
    pub overdue: bool,
    /// Its texts were removed by retention or an erasure.
    pub cleared: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionEvent {
    pub from: Option<ActionStatus>,
    pub to: ActionStatus,
    pub at: DateTime<Utc>,
    /// The key of the progress file it came in (from the person's own computer); `None`: set
    /// at this one.
    pub from_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionNote {
    pub text: String,
    pub at: DateTime<Utc>,
    /// The key of the progress file it came in; `None`: written at this computer.
    pub from_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionDetail {
    pub action: Action,
    pub events: Vec<ActionEvent>,
    pub follow_ups: Vec<ActionNote>,
    /// The action in next year's plan that carries this one on.
    pub carried_to: Option<ActionId>,
}

/// Money as typed (in the organisation's currency) to hundredths.
/// A typed amount (money or hours): finite, not negative, at most `max`.
fn amount(value: Option<f64>, field: Field, max: u32) -> Result<Option<f64>> {
    let Some(v) = value else { return Ok(None) };
    if !v.is_finite() {
        return Err(Error::Invalid { field });
    }
    if v < 0.0 {
        return Err(Error::Negative { field });
    }
    if v > max as f64 {
        return Err(Error::TooLarge { field, max });
    }
    Ok(Some(v))
}

/// Money as typed (in the organisation's currency) to hundredths.
fn cents(value: Option<f64>, field: Field) -> Result<Option<i64>> {
    Ok(amount(value, field, MAX_COST)?.map(|v| (v * 100.0).round() as i64))
}

/// Hours to the quarter: as fine as anyone books time.
fn hours(value: Option<f64>, field: Field) -> Result<Option<f64>> {
    Ok(amount(value, field, MAX_HOURS)?.map(|v| (v * 4.0).round() / 4.0))
}

const SELECT: &str = "SELECT a.*, u.name AS unit_name,
        o.given_name || ' ' || o.family_name AS owner_name,
        p.given_name || ' ' || p.family_name AS person_name
     FROM action a
     JOIN unit u ON u.id = a.unit_id
     JOIN person o ON o.id = a.owner_id
     LEFT JOIN person p ON p.id = a.person_id";

fn read(r: &rusqlite::Row<'_>, today: NaiveDate) -> rusqlite::Result<Action> {
    let status: ActionStatus = r.get("status")?;
    let due_date: Option<NaiveDate> = r.get("due_date")?;
    let money = |c: &str| -> rusqlite::Result<Option<f64>> {
        Ok(r.get::<_, Option<i64>>(c)?.map(|v| v as f64 / 100.0))
    };
    Ok(Action {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        year: r.get("year")?,
        scope: r.get("scope")?,
        talk_id: r.get("talk_id")?,
        person: match r.get::<_, Option<PersonId>>("person_id")? {
            Some(person_id) => Some(Party {
                person_id,
                name: r.get("person_name")?,
            }),
            None => None,
        },
        title: r.get("title")?,
        theme: r.get("theme")?,
        competences: Vec::new(),
        kind: r.get("kind")?,
        owner: Party {
            person_id: r.get("owner_id")?,
            name: r.get("owner_name")?,
        },
        due_date,
        planned_cost: money("planned_cost")?,
        planned_hours: r.get("planned_hours")?,
        actual_cost: money("actual_cost")?,
        actual_hours: r.get("actual_hours")?,
        status,
        result: r.get("result")?,
        result_note: r.get("result_note")?,
        confidential: r.get("confidential")?,
        carried_from: r.get("carried_from_id")?,
        created_on: r.get("created_on")?,
        overdue: status.is_open() && due_date.is_some_and(|d| d < today),
        cleared: r.get::<_, Option<String>>("cleared_at")?.is_some(),
    })
}

/// Fills in the competences of a batch of actions with one query per batch.
fn with_competences(conn: &Connection, mut actions: Vec<Action>) -> Result<Vec<Action>> {
    if actions.is_empty() {
        return Ok(actions);
    }
    let index: std::collections::HashMap<ActionId, usize> =
        actions.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let ids = serde_json::to_string(&actions.iter().map(|a| a.id.0).collect::<Vec<_>>())
        .expect("ids serialise");
    let mut stmt = conn.prepare_cached(
        "SELECT ac.action_id, c.id, c.name, c.category FROM action_competence ac
         JOIN competence c ON c.id = ac.competence_id
         WHERE ac.action_id IN (SELECT value FROM json_each(?1))
         ORDER BY c.name_key",
    )?;
    let mut rows = stmt.query([ids])?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = index.get(&r.get::<_, ActionId>(0)?) {
            actions[i].competences.push(CompetenceRef {
                id: r.get(1)?,
                name: r.get(2)?,
                category: r.get(3)?,
            });
        }
    }
    Ok(actions)
}

pub fn get(conn: &Connection, clock: &dyn Clock, id: ActionId) -> Result<Action> {
    let today = clock.today();
    let action = conn
        .prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?
        .query_row([id], |r| read(r, today))
        .optional()?
        .ok_or(Error::not_found(Entity::Action, id.0))?;
    Ok(with_competences(conn, vec![action])?.remove(0))
}

pub fn detail(conn: &Connection, clock: &dyn Clock, id: ActionId) -> Result<ActionDetail> {
    let action = get(conn, clock, id)?;
    let events = conn
        .prepare_cached(
            "SELECT from_status, to_status, at, from_fingerprint FROM action_event
             WHERE action_id = ?1 ORDER BY id",
        )?
        .query_map([id], |r| {
            Ok(ActionEvent {
                from: r.get("from_status")?,
                to: r.get("to_status")?,
                at: r.get("at")?,
                from_key: r.get("from_fingerprint")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let follow_ups = conn
        .prepare_cached(
            "SELECT text, at, from_fingerprint FROM action_follow_up WHERE action_id = ?1
             ORDER BY at, id",
        )?
        .query_map([id], |r| {
            Ok(ActionNote {
                text: r.get("text")?,
                at: r.get("at")?,
                from_key: r.get("from_fingerprint")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let carried_to = conn
        .prepare_cached("SELECT id FROM action WHERE carried_from_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(ActionDetail {
        action,
        events,
        follow_ups,
        carried_to,
    })
}

/// An input checked and cleaned, ready to write.
struct Clean {
    title: String,
    theme: String,
    person: Option<PersonId>,
    owner: PersonId,
    planned_cost: Option<i64>,
    planned_hours: Option<f64>,
    actual_cost: Option<i64>,
    actual_hours: Option<f64>,
}

fn clean(conn: &Connection, input: &ActionInput, created_on: NaiveDate) -> Result<Clean> {
    let title = validate::required(&input.title, Field::ActionTitle, MAX_TITLE)?;
    let theme = validate::optional(&input.theme, Field::Theme, MAX_THEME)?.unwrap_or_default();
    if !(2000..=2100).contains(&input.year) {
        return Err(Error::Invalid { field: Field::Year });
    }
    crate::units::get(conn, input.unit_id)?;
    let owner = input.owner_id.ok_or(Error::Empty {
        field: Field::Owner,
    })?;
    crate::people::get(conn, owner)?;
    let person = match input.scope {
        ActionScope::Individual => {
            let p = input.person_id.ok_or(Error::Empty {
                field: Field::Person,
            })?;
            crate::people::get(conn, p)?;
            Some(p)
        }
        _ => None,
    };
    if input.due_date.is_some_and(|d| d < created_on) {
        return Err(Error::DueBeforeCreated);
    }
    let mut seen = std::collections::HashSet::new();
    for c in &input.competence_ids {
        if seen.insert(*c) {
            catalogue::get(conn, *c)?;
        }
    }
    Ok(Clean {
        title,
        theme,
        person,
        owner,
        planned_cost: cents(input.planned_cost, Field::PlannedCost)?,
        planned_hours: hours(input.planned_hours, Field::PlannedHours)?,
        actual_cost: cents(input.actual_cost, Field::ActualCost)?,
        actual_hours: hours(input.actual_hours, Field::ActualHours)?,
    })
}

/// The talk an action is agreed in must still be open for writing, and an individual action
/// must develop one of its participants.
fn check_talk(conn: &Connection, input: &ActionInput) -> Result<()> {
    let Some(talk_id) = input.talk_id else {
        return Ok(());
    };
    record::check_writable(talk::state_for_writing(conn, talk_id)?)?;
    if let Some(person) = input
        .person_id
        .filter(|_| input.scope == ActionScope::Individual)
    {
        let ok = talk::participants(conn, talk_id)?
            .iter()
            .any(|p| p.person_id == person);
        if !ok {
            return Err(Error::Invalid {
                field: Field::Person,
            });
        }
    }
    Ok(())
}

fn set_competences(conn: &Connection, id: ActionId, competences: &[CompetenceId]) -> Result<()> {
    conn.execute("DELETE FROM action_competence WHERE action_id = ?1", [id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO action_competence (action_id, competence_id) VALUES (?1, ?2)
         ON CONFLICT DO NOTHING",
    )?;
    for c in competences {
        insert.execute((id, c))?;
    }
    Ok(())
}

fn event(
    conn: &Connection,
    clock: &dyn Clock,
    id: ActionId,
    from: Option<ActionStatus>,
    to: ActionStatus,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO action_event (action_id, from_status, to_status, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((id, from, to, stamp(clock.now())))?;
    Ok(())
}

pub fn create(conn: &Connection, clock: &dyn Clock, input: &ActionInput) -> Result<Action> {
    let today = clock.today();
    let c = clean(conn, input, today)?;
    check_talk(conn, input)?;
    let now = stamp(clock.now());
    conn.prepare_cached(
        "INSERT INTO action (unit_id, year, scope, talk_id, person_id, title, theme, kind,
             owner_id, due_date, planned_cost, planned_hours, actual_cost, actual_hours, status,
             confidential, created_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'planned', ?15, ?16,
                 ?17, ?17)",
    )?
    .execute(rusqlite::params![
        input.unit_id,
        input.year,
        input.scope,
        input.talk_id,
        c.person,
        c.title,
        c.theme,
        input.kind,
        c.owner,
        input.due_date,
        c.planned_cost,
        c.planned_hours,
        c.actual_cost,
        c.actual_hours,
        input.confidential,
        today,
        now,
    ])?;
    let id = ActionId(conn.last_insert_rowid());
    set_competences(conn, id, &input.competence_ids)?;
    event(conn, clock, id, None, ActionStatus::Planned)?;
    get(conn, clock, id)
}

/// Whether the talk an action was agreed in is signed: then what the action is stays as agreed.
fn agreement_locked(conn: &Connection, talk: Option<TalkId>) -> Result<bool> {
    match talk {
        Some(t) => Ok(talk::state(conn, t)?.is_locked()),
        None => Ok(false),
    }
}

pub fn update(
    conn: &Connection,
    clock: &dyn Clock,
    id: ActionId,
    input: &ActionInput,
) -> Result<Action> {
    let before = get(conn, clock, id)?;
    let c = clean(conn, input, before.created_on)?;
    if input.talk_id != before.talk_id {
        return Err(Error::Invalid {
            field: Field::ActionTitle,
        });
    }
    if agreement_locked(conn, before.talk_id)? {
        let mut was: Vec<CompetenceId> = before.competences.iter().map(|c| c.id).collect();
        let mut now = input.competence_ids.clone();
        was.sort();
        now.sort();
        now.dedup();
        let same = c.title == before.title
            && c.theme == before.theme
            && input.kind == before.kind
            && input.scope == before.scope
            && c.person == before.person.as_ref().map(|p| p.person_id)
            && was == now;
        if !same {
            return Err(Error::Locked);
        }
    } else if input.talk_id.is_some() {
        check_talk(conn, input)?;
    }
    conn.execute(
        "UPDATE action SET unit_id = ?2, year = ?3, scope = ?4, person_id = ?5, title = ?6,
             theme = ?7, kind = ?8, owner_id = ?9, due_date = ?10, planned_cost = ?11,
             planned_hours = ?12, actual_cost = ?13, actual_hours = ?14, confidential = ?15,
             updated_at = ?16
         WHERE id = ?1",
        rusqlite::params![
            id,
            input.unit_id,
            input.year,
            input.scope,
            c.person,
            c.title,
            c.theme,
            input.kind,
            c.owner,
            input.due_date,
            c.planned_cost,
            c.planned_hours,
            c.actual_cost,
            c.actual_hours,
            input.confidential,
            stamp(clock.now()),
        ],
    )?;
    set_competences(conn, id, &input.competence_ids)?;
    get(conn, clock, id)
}

/// One click on the board: the action's next status, kept in its history.
pub fn set_status(
    conn: &Connection,
    clock: &dyn Clock,
    id: ActionId,
    to: ActionStatus,
) -> Result<Action> {
    let from = get(conn, clock, id)?.status;
    if !from.can_step(to) {
        return Err(Error::IllegalActionStep { from, to });
    }
    conn.execute(
        "UPDATE action SET status = ?2, updated_at = ?3 WHERE id = ?1",
        (id, to, stamp(clock.now())),
    )?;
    event(conn, clock, id, Some(from), to)?;
    get(conn, clock, id)
}

/// The judged result: did the action have the effect it was meant to have?
pub fn judge(
    conn: &Connection,
    clock: &dyn Clock,
    id: ActionId,
    result: Option<Effect>,
    note: &str,
) -> Result<Action> {
    get(conn, clock, id)?;
    let note = validate::long_text(note.trim(), Field::ResultNote, MAX_RESULT_NOTE)?;
    conn.execute(
        "UPDATE action SET result = ?2, result_note = ?3, updated_at = ?4, result_at = ?4,
             result_from = NULL
         WHERE id = ?1",
        (
            id,
            result,
            (!note.is_empty()).then_some(note),
            stamp(clock.now()),
        ),
    )?;
    get(conn, clock, id)
}

pub fn add_follow_up(conn: &Connection, clock: &dyn Clock, id: ActionId, text: &str) -> Result<()> {
    get(conn, clock, id)?;
    let text = validate::long_text(text.trim(), Field::FollowUp, MAX_FOLLOW_UP)?;
    if text.is_empty() {
        return Err(Error::Empty {
            field: Field::FollowUp,
        });
    }
    conn.execute(
        "INSERT INTO action_follow_up (action_id, text, at) VALUES (?1, ?2, ?3)",
        (id, text, stamp(clock.now())),
    )?;
    Ok(())
}

/// Which actions the board shows; every given condition must hold.
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionFilter {
    /// Actions of this unit's plans and of every unit below it (the manager's units).
    pub root: Option<UnitId>,
    pub person_id: Option<PersonId>,
    pub talk_id: Option<TalkId>,
    pub year: Option<i32>,
    /// Any of these; all when empty.
    pub statuses: Vec<ActionStatus>,
    pub kind: Option<ActionKind>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    pub overdue_only: bool,
    /// At most this many (500 when not given).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActionBoard {
    pub actions: Vec<Action>,
    /// How many matched, when more than `actions` holds.
    pub total: u32,
    pub overdue: u32,
}

const MAX_BOARD: u32 = 500;

/// The actions board: overdue first, then by due date (undated last).
pub fn board(conn: &Connection, clock: &dyn Clock, filter: &ActionFilter) -> Result<ActionBoard> {
    let today = clock.today();
    let statuses = serde_json::to_string(
        &filter
            .statuses
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
    )
    .expect("statuses serialise");
    let units = match filter.root {
        Some(root) => {
            crate::units::get(conn, root)?;
            let ids: Vec<i64> = conn
                .prepare_cached(crate::units::with_subtree!("SELECT id FROM sub"))?
                .query_map([root], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Some(serde_json::to_string(&ids).expect("ids serialise"))
        }
        None => None,
    };
    // Only the conditions given go into the query, so SQLite can use the index that fits
    // (a manager's units, a person, a talk) instead of scanning every action.
    let mut conditions: Vec<&str> = Vec::new();
    let mut params: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    let mut add = |condition: &'static str, value: Box<dyn rusqlite::ToSql>| {
        conditions.push(condition);
        params.push(value);
    };
    if let Some(units) = units {
        add(
            "a.unit_id IN (SELECT value FROM json_each(?))",
            Box::new(units),
        );
    }
    if let Some(p) = filter.person_id {
        add("a.person_id = ?", Box::new(p));
    }
    if let Some(t) = filter.talk_id {
        add("a.talk_id = ?", Box::new(t));
    }
    if let Some(y) = filter.year {
        add("a.year = ?", Box::new(y));
    }
    if !filter.statuses.is_empty() {
        add(
            "a.status IN (SELECT value FROM json_each(?))",
            Box::new(statuses),
        );
    }
    if let Some(k) = filter.kind {
        add("a.kind = ?", Box::new(k));
    }
    if let Some(d) = filter.due_from {
        add("a.due_date >= ?", Box::new(d));
    }
    if let Some(d) = filter.due_to {
        add("a.due_date <= ?", Box::new(d));
    }
    if filter.overdue_only {
        add(
            "a.status IN ('planned', 'ongoing') AND a.due_date < ?",
            Box::new(today),
        );
    }
    let sql = format!(
        "SELECT a.id, a.status, a.due_date FROM action a WHERE {}",
        if conditions.is_empty() {
            "1".to_owned()
        } else {
            conditions.join(" AND ")
        }
    );
    // First the few columns that order the board, for every match; then whole rows (with
    // names and competences) only for the ones shown.
    let mut matches: Vec<(bool, Option<NaiveDate>, ActionId)> = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            let status: ActionStatus = r.get(1)?;
            let due: Option<NaiveDate> = r.get(2)?;
            let overdue = status.is_open() && due.is_some_and(|d| d < today);
            Ok((overdue, due, r.get(0)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Overdue first, then by due date, undated last.
    matches.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.is_none().cmp(&b.1.is_none()))
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let total = matches.len() as u32;
    let overdue = matches.iter().filter(|m| m.0).count() as u32;
    let limit = filter.limit.unwrap_or(MAX_BOARD).min(MAX_BOARD) as usize;
    matches.truncate(limit);
    let shown = serde_json::to_string(&matches.iter().map(|m| m.2 .0).collect::<Vec<_>>())
        .expect("ids serialise");
    let mut by_id: std::collections::HashMap<ActionId, Action> = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE a.id IN (SELECT value FROM json_each(?1))"
        ))?
        .query_map([shown], |r| read(r, today))?
        .map(|a| a.map(|a| (a.id, a)))
        .collect::<rusqlite::Result<_>>()?;
    let actions = matches.iter().filter_map(|m| by_id.remove(&m.2)).collect();
    Ok(ActionBoard {
        actions: with_competences(conn, actions)?,
        total,
        overdue,
    })
}

/// The actions that develop `person` in `year`, confidential ones included (they are the
/// person's own), with the group actions agreed in `talk` (a GRUS the person took part in).
pub fn of_person(
    conn: &Connection,
    clock: &dyn Clock,
    person: PersonId,
    year: i32,
    talk: Option<TalkId>,
) -> Result<Vec<Action>> {
    let today = clock.today();
    let actions: Vec<Action> = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE (a.person_id = ?1 AND a.year = ?2)
                OR (a.talk_id = ?3 AND a.person_id IS NULL)
             ORDER BY a.scope = 'individual', a.due_date IS NULL, a.due_date, a.id"
        ))?
        .query_map((person, year, talk), |r| read(r, today))?
        .collect::<rusqlite::Result<_>>()?;
    with_competences(conn, actions)
}
