//! People: employees and leaders, current and former.
//!
//! Invariants: an employee number is unique in the store; a person always belongs to a unit;
//! people are archived, never deleted, so their talks and plans keep their history; an end date
//! is never before the start date. The manager of a person is the manager of their unit (or,
//! for the unit's own manager, the next manager up) unless one is set explicitly.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::Clock;
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{PersonId, UnitId};
use crate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "female" => Gender::Female,
            "male" => Gender::Male,
            "other" => Gender::Other,
            _ => return None,
        })
    }
}

/// A person as lists and search results show them.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonSummary {
    pub id: PersonId,
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub job_title: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub active: bool,
}

/// Everything about a person, for the edit form.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: PersonId,
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub job_title: String,
    pub job_family: Option<String>,
    pub unit_id: UnitId,
    pub unit_name: String,
    /// The manager set explicitly for this person, if any.
    pub manager_id: Option<PersonId>,
    /// The manager in effect: the explicit one, else the unit's (or the next one up).
    pub effective_manager_id: Option<PersonId>,
    pub effective_manager_name: Option<String>,
    pub email: Option<String>,
    pub gender: Option<Gender>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub active: bool,
    /// Their personal data was erased; the row stays, without identity, for past counts.
    pub erased: bool,
}

/// What the create and edit forms send. Dates come as `YYYY-MM-DD` text and are checked here,
/// so a bad date is a field error in the user's language, not a failed call.
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonInput {
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub job_title: String,
    pub job_family: String,
    pub unit_id: UnitId,
    pub manager_id: Option<PersonId>,
    pub email: String,
    pub gender: Option<Gender>,
    pub start_date: String,
    pub end_date: String,
}

struct Clean {
    employee_number: String,
    given_name: String,
    family_name: String,
    job_title: String,
    job_family: Option<String>,
    email: Option<String>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
}

fn parse_date(value: &str, field: Field) -> Result<Option<NaiveDate>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Error::Invalid { field })
}

fn clean(input: &PersonInput) -> Result<Clean> {
    // In the order the form shows the fields, so the first error is the first on screen.
    let given_name = validate::required(&input.given_name, Field::GivenName, validate::MAX_NAME)?;
    let family_name =
        validate::required(&input.family_name, Field::FamilyName, validate::MAX_NAME)?;
    let employee_number = validate::required(
        &input.employee_number,
        Field::EmployeeNumber,
        validate::MAX_SHORT,
    )?;
    let email = validate::email(&input.email)?;
    let job_title = validate::optional(&input.job_title, Field::JobTitle, validate::MAX_NAME)?;
    let job_family = validate::optional(&input.job_family, Field::JobFamily, validate::MAX_NAME)?;
    let start_date = parse_date(&input.start_date, Field::StartDate)?.ok_or(Error::Empty {
        field: Field::StartDate,
    })?;
    let end_date = parse_date(&input.end_date, Field::EndDate)?;
    validate::date_order(start_date, end_date)?;
    Ok(Clean {
        employee_number,
        given_name,
        family_name,
        job_title: job_title.unwrap_or_default(),
        job_family,
        email,
        start_date,
        end_date,
    })
}

const SUMMARY: &str = "SELECT p.id, p.employee_number, p.given_name, p.family_name, p.job_title,
        p.unit_id, u.name AS unit_name, p.archived_at
    FROM person p JOIN unit u ON u.id = p.unit_id";

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<PersonSummary> {
    Ok(PersonSummary {
        id: row.get("id")?,
        employee_number: row.get("employee_number")?,
        given_name: row.get("given_name")?,
        family_name: row.get("family_name")?,
        job_title: row.get("job_title")?,
        unit_id: row.get("unit_id")?,
        unit_name: row.get("unit_name")?,
        active: row.get::<_, Option<String>>("archived_at")?.is_none(),
    })
}

/// The people placed in one unit, by family name.
pub fn list_in_unit(
    conn: &Connection,
    unit: UnitId,
    include_archived: bool,
) -> Result<Vec<PersonSummary>> {
    crate::units::get(conn, unit)?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SUMMARY} WHERE p.unit_id = ?1 AND (?2 OR p.archived_at IS NULL) AND p.erased_at IS NULL
         ORDER BY p.family_key, p.name_key, p.id"
    ))?;
    let rows = stmt
        .query_map((unit, include_archived), summary_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Organisation-wide type-ahead: people whose given name, family name or employee number
/// starts with `query` (case-insensitive), at most `limit` of them, by family then given name.
///
/// Each of the three keys is searched on its own index in its own order, stopping at `limit`,
/// and the candidates are merged. One query with `OR` would have to sort every match before
/// `LIMIT` applies: thousands of rows for a one-letter prefix on a large organisation.
pub fn search(
    conn: &Connection,
    query: &str,
    limit: u32,
    include_archived: bool,
) -> Result<Vec<PersonSummary>> {
    let key = validate::search_key(query);
    if key.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let number = query.trim();
    let mut found: Vec<PersonSummary> = Vec::new();
    for (column, prefix) in [
        ("p.family_key", key.as_str()),
        ("p.name_key", key.as_str()),
        ("p.employee_number", number),
    ] {
        // A range instead of LIKE keeps it an index range scan: `prefix <= x < prefix + U+10FFFF`.
        let upper = format!("{prefix}\u{10FFFF}");
        let mut stmt = conn.prepare_cached(&format!(
            "{SUMMARY} WHERE {column} >= ?1 AND {column} < ?2 AND (?3 OR p.archived_at IS NULL)
               AND p.erased_at IS NULL
             ORDER BY {column} LIMIT ?4"
        ))?;
        let rows = stmt.query_map((prefix, &upper, include_archived, limit), summary_from_row)?;
        for row in rows {
            let row = row?;
            if !found.iter().any(|f| f.id == row.id) {
                found.push(row);
            }
        }
    }
    found.sort_by_cached_key(|p| {
        (
            validate::search_key(&p.family_name),
            validate::search_key(&p.given_name),
            p.id,
        )
    });
    found.truncate(limit as usize);
    Ok(found)
}

pub fn get(conn: &Connection, id: PersonId) -> Result<Person> {
    let row = conn
        .prepare_cached(
            "SELECT p.*, u.name AS unit_name, j.name AS job_family
             FROM person p JOIN unit u ON u.id = p.unit_id
             LEFT JOIN job_family j ON j.id = p.job_family_id
             WHERE p.id = ?1",
        )?
        .query_row([id], |row| {
            Ok(Person {
                id: row.get("id")?,
                employee_number: row.get("employee_number")?,
                given_name: row.get("given_name")?,
                family_name: row.get("family_name")?,
                job_title: row.get("job_title")?,
                job_family: row.get("job_family")?,
                unit_id: row.get("unit_id")?,
                unit_name: row.get("unit_name")?,
                manager_id: row.get("manager_id")?,
                effective_manager_id: None,
                effective_manager_name: None,
                email: row.get("email")?,
                gender: row
                    .get::<_, Option<String>>("gender")?
                    .as_deref()
                    .and_then(Gender::parse),
                start_date: row.get("start_date")?,
                end_date: row.get("end_date")?,
                active: row.get::<_, Option<String>>("archived_at")?.is_none(),
                erased: row.get::<_, Option<String>>("erased_at")?.is_some(),
            })
        })
        .optional()?;
    let mut person = row.ok_or(Error::not_found(Entity::Person, id.0))?;
    person.effective_manager_id = effective_manager(conn, id)?;
    if let Some(m) = person.effective_manager_id {
        person.effective_manager_name = Some(full_name(conn, m)?);
    }
    Ok(person)
}

/// A person's name as shown and as typed to confirm an agreement: given, then family name.
pub fn full_name(conn: &Connection, id: PersonId) -> Result<String> {
    conn.prepare_cached("SELECT given_name || ' ' || family_name FROM person WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(Error::not_found(Entity::Person, id.0))
}

/// The manager in effect for a person: the explicit one, else the nearest unit manager up the
/// tree who is not the person themself (a unit's manager reports to the unit above).
pub fn effective_manager(conn: &Connection, id: PersonId) -> Result<Option<PersonId>> {
    let found: Option<Option<PersonId>> = conn
        .prepare_cached(
            "WITH RECURSIVE up(id, depth) AS (
                 SELECT p.unit_id, 0 FROM person p WHERE p.id = ?1
                 UNION ALL
                 SELECT unit.parent_id, up.depth + 1 FROM unit JOIN up ON unit.id = up.id
                 WHERE unit.parent_id IS NOT NULL
             )
             SELECT coalesce(
                 (SELECT manager_id FROM person WHERE id = ?1),
                 (SELECT u.manager_id FROM up JOIN unit u ON u.id = up.id
                  WHERE u.manager_id IS NOT NULL AND u.manager_id <> ?1
                  ORDER BY up.depth LIMIT 1))",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(found.flatten())
}

fn job_family_id(conn: &Connection, name: Option<&str>) -> Result<Option<i64>> {
    let Some(name) = name else { return Ok(None) };
    conn.prepare_cached("INSERT INTO job_family (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")?
        .execute([name])?;
    Ok(Some(
        conn.prepare_cached("SELECT id FROM job_family WHERE name = ?1")?
            .query_row([name], |r| r.get(0))?,
    ))
}

fn check_refs(conn: &Connection, input: &PersonInput, this: Option<PersonId>) -> Result<()> {
    let unit = crate::units::get(conn, input.unit_id)?;
    if unit.archived {
        return Err(Error::Archived {
            entity: Entity::Unit,
        });
    }
    if let Some(m) = input.manager_id {
        if Some(m) == this {
            return Err(Error::Invalid {
                field: Field::Manager,
            });
        }
        get(conn, m)?;
    }
    Ok(())
}

fn check_unique_number(conn: &Connection, number: &str, this: Option<PersonId>) -> Result<()> {
    let other: Option<PersonId> = conn
        .prepare_cached("SELECT id FROM person WHERE employee_number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()?;
    match other {
        Some(o) if Some(o) != this => Err(Error::DuplicateEmployeeNumber {
            number: number.to_owned(),
        }),
        _ => Ok(()),
    }
}

pub fn create(conn: &Connection, clock: &dyn Clock, input: &PersonInput) -> Result<Person> {
    let id = write(conn, clock, None, input)?;
    get(conn, id)
}

/// Checks an input as [`create`] and [`update`] would, without the store: the text, e-mail and
/// date rules. (Whether the unit exists and the number is free is the store's to say.)
pub(crate) fn check(input: &PersonInput) -> Result<()> {
    clean(input).map(|_| ())
}

/// Writes people an import has checked: [`check`] passed for each row, its unit was resolved
/// by the import (it exists and is active) and its employee number compared with the store's.
/// So it skips the per-row queries [`create`] and [`update`] make to prove that, and does not
/// read the person back: for 60,000 rows those queries were most of the import's time. The
/// UNIQUE index on the employee number still guards the store.
pub(crate) struct Batch<'c> {
    conn: &'c Connection,
    now: String,
    families: std::collections::HashMap<String, i64>,
}

impl<'c> Batch<'c> {
    pub fn new(conn: &'c Connection, clock: &dyn Clock) -> Batch<'c> {
        Batch {
            conn,
            now: clock.now().to_rfc3339(),
            families: std::collections::HashMap::new(),
        }
    }

    /// A new person (`id` is `None`) or an update of one.
    pub fn save(&mut self, id: Option<PersonId>, input: &PersonInput) -> Result<PersonId> {
        let c = clean(input)?;
        let family = match c.job_family.as_deref() {
            None => None,
            Some(name) => match self.families.get(name) {
                Some(f) => Some(*f),
                None => {
                    let f = job_family_id(self.conn, Some(name))?;
                    if let Some(f) = f {
                        self.families.insert(name.to_owned(), f);
                    }
                    f
                }
            },
        };
        store(self.conn, &self.now, id, input, &c, family)
    }
}

pub fn update(
    conn: &Connection,
    clock: &dyn Clock,
    id: PersonId,
    input: &PersonInput,
) -> Result<Person> {
    if !get(conn, id)?.active {
        return Err(Error::Archived {
            entity: Entity::Person,
        });
    }
    write(conn, clock, Some(id), input)?;
    get(conn, id)
}

/// Validates and writes a person: a new one when `id` is `None`. Insert and update share one
/// column list and one set of values, so they cannot drift apart.
fn write(
    conn: &Connection,
    clock: &dyn Clock,
    id: Option<PersonId>,
    input: &PersonInput,
) -> Result<PersonId> {
    let c = clean(input)?;
    check_refs(conn, input, id)?;
    check_unique_number(conn, &c.employee_number, id)?;
    let job_family = job_family_id(conn, c.job_family.as_deref())?;
    store(conn, &clock.now().to_rfc3339(), id, input, &c, job_family)
}

/// The row itself, once everything about it has been checked.
fn store(
    conn: &Connection,
    now: &str,
    id: Option<PersonId>,
    input: &PersonInput,
    c: &Clean,
    job_family: Option<i64>,
) -> Result<PersonId> {
    let name_key = validate::search_key(&format!("{} {}", c.given_name, c.family_name));
    let family_key = validate::search_key(&c.family_name);
    let gender = input.gender.map(Gender::as_str);
    let values: [&dyn ToSql; 14] = [
        &c.employee_number,
        &c.given_name,
        &c.family_name,
        &name_key,
        &family_key,
        &c.job_title,
        &job_family,
        &input.unit_id,
        &input.manager_id,
        &c.email,
        &gender,
        &c.start_date,
        &c.end_date,
        &now,
    ];
    let id = match id {
        None => {
            // Cached: an import writes tens of thousands of people through here.
            conn.prepare_cached(
                "INSERT INTO person (employee_number, given_name, family_name, name_key,
                     family_key, job_title, job_family_id, unit_id, manager_id, email, gender,
                     start_date, end_date, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            )?
            .execute(values)?;
            PersonId(conn.last_insert_rowid())
        }
        Some(id) => {
            conn.prepare_cached(
                "UPDATE person SET employee_number = ?1, given_name = ?2, family_name = ?3,
                     name_key = ?4, family_key = ?5, job_title = ?6, job_family_id = ?7,
                     unit_id = ?8, manager_id = ?9, email = ?10, gender = ?11, start_date = ?12,
                     end_date = ?13, updated_at = ?14
                 WHERE id = ?15",
            )?
            .execute(rusqlite::params_from_iter(
                values.into_iter().chain([&id as &dyn ToSql]),
            ))?;
            id
        }
    };
    Ok(id)
}

/// Moves a person to another unit, keeping everything else.
pub fn move_to(conn: &Connection, clock: &dyn Clock, id: PersonId, unit: UnitId) -> Result<Person> {
    let p = get(conn, id)?;
    if !p.active {
        return Err(Error::Archived {
            entity: Entity::Person,
        });
    }
    let target = crate::units::get(conn, unit)?;
    if target.archived {
        return Err(Error::Archived {
            entity: Entity::Unit,
        });
    }
    conn.execute(
        "UPDATE person SET unit_id = ?1, updated_at = ?2 WHERE id = ?3",
        (unit, clock.now().to_rfc3339(), id),
    )?;
    get(conn, id)
}

/// Archives a person who has left: the end date becomes today unless one is set, and units
/// they managed lose them as manager. Their records stay.
pub fn archive(conn: &Connection, clock: &dyn Clock, id: PersonId) -> Result<Person> {
    let p = get(conn, id)?;
    if !p.active {
        return Err(Error::Archived {
            entity: Entity::Person,
        });
    }
    let now = clock.now().to_rfc3339();
    let end = p
        .end_date
        .unwrap_or_else(|| clock.today().max(p.start_date));
    conn.execute(
        "UPDATE person SET archived_at = ?1, updated_at = ?1, end_date = ?2 WHERE id = ?3",
        (&now, end, id),
    )?;
    conn.execute(
        "UPDATE unit SET manager_id = NULL, updated_at = ?1 WHERE manager_id = ?2",
        (&now, id),
    )?;
    get(conn, id)
}

/// Job family names in use, for the form's suggestions.
pub fn job_families(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM job_family ORDER BY name COLLATE NOCASE")?;
    let rows = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
