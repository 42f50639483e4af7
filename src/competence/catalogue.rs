//! The organisation's level scale and its catalogue of competences.
//!
//! Invariants: the scale has 2 to 10 levels, numbered 1..n, lowest first; it shrinks only when
//! no requirement or assessment uses a level it would drop. Competence names are unique among
//! active competences, whatever their case. A competence is archived, never deleted: past
//! assessments and actions keep pointing at it.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::Category;
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::CompetenceId;
use crate::validate;

pub const MAX_LEVELS: u32 = 10;
pub const MIN_LEVELS: u32 = 2;
pub const MAX_LABEL: u32 = 40;
pub const MAX_DESCRIPTION: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Level {
    pub level: u32,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Competence {
    pub id: CompetenceId,
    pub name: String,
    pub description: String,
    pub category: Category,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompetenceInput {
    pub name: String,
    pub description: String,
    pub category: Category,
}

/// The scale, lowest level first.
pub fn scale(conn: &Connection) -> Result<Vec<Level>> {
    let mut stmt =
        conn.prepare_cached("SELECT level, label FROM competence_level ORDER BY level")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Level {
                level: r.get("level")?,
                label: r.get("label")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The highest level of the scale.
pub fn max_level(conn: &Connection) -> Result<u32> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(level), 0) FROM competence_level")?
        .query_row([], |r| r.get(0))?)
}

/// Checks that an optional level lies on the scale whose top is `max`.
pub fn check_level(level: Option<u32>, max: u32) -> Result<()> {
    match level {
        Some(l) if l < 1 || l > max => Err(Error::LevelOutOfScale { level: l, max }),
        _ => Ok(()),
    }
}

/// Replaces the scale's labels: named levels (Basis, Øvet, Ekspert) or numbers ("1".."5").
pub fn set_scale(conn: &Connection, labels: &[String]) -> Result<Vec<Level>> {
    let n = labels.len() as u32;
    if n < MIN_LEVELS {
        return Err(Error::Invalid {
            field: Field::Scale,
        });
    }
    if n > MAX_LEVELS {
        return Err(Error::TooLarge {
            field: Field::Scale,
            max: MAX_LEVELS,
        });
    }
    let labels = labels
        .iter()
        .map(|l| validate::required(l, Field::Scale, MAX_LABEL))
        .collect::<Result<Vec<_>>>()?;
    let used: Option<u32> = conn.query_row(
        "SELECT max(l) FROM (
             SELECT max(level) AS l FROM profile_requirement
             UNION ALL SELECT max(level) FROM unit_requirement
             UNION ALL SELECT max(max(coalesce(self_level, 0), coalesce(leader_level, 0),
                                      coalesce(agreed_level, 0), coalesce(desired_level, 0)))
                       FROM assessment)",
        [],
        |r| r.get(0),
    )?;
    if let Some(level) = used.filter(|&u| u > n) {
        return Err(Error::ScaleInUse { level });
    }
    conn.execute("DELETE FROM competence_level", [])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO competence_level (level, label) VALUES (?1, ?2)")?;
    for (i, label) in labels.iter().enumerate() {
        insert.execute((i as u32 + 1, label))?;
    }
    scale(conn)
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Competence> {
    Ok(Competence {
        id: r.get("id")?,
        name: r.get("name")?,
        description: r.get("description")?,
        category: r.get("category")?,
        archived: r.get::<_, Option<String>>("archived_at")?.is_some(),
    })
}

/// The catalogue, by category and name.
pub fn list(conn: &Connection, include_archived: bool) -> Result<Vec<Competence>> {
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM competence WHERE ?1 OR archived_at IS NULL ORDER BY category, name_key",
    )?;
    let rows = stmt
        .query_map([include_archived], read)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: CompetenceId) -> Result<Competence> {
    conn.prepare_cached("SELECT * FROM competence WHERE id = ?1")?
        .query_row([id], read)
        .optional()?
        .ok_or(Error::not_found(Entity::Competence, id.0))
}

/// An active competence, for a write that links to it.
pub fn active(conn: &Connection, id: CompetenceId) -> Result<Competence> {
    let c = get(conn, id)?;
    if c.archived {
        return Err(Error::Archived {
            entity: Entity::Competence,
        });
    }
    Ok(c)
}

/// The active competence of that name, whatever its case.
pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<CompetenceId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM competence WHERE name_key = ?1 AND archived_at IS NULL")?
        .query_row([validate::search_key(name)], |r| r.get(0))
        .optional()?)
}

struct Clean {
    name: String,
    key: String,
    description: String,
}

fn clean(conn: &Connection, input: &CompetenceInput, this: Option<CompetenceId>) -> Result<Clean> {
    let name = validate::required(&input.name, Field::CompetenceName, validate::MAX_NAME)?;
    let description = validate::long_text(
        input.description.trim(),
        Field::Description,
        MAX_DESCRIPTION,
    )?;
    let key = validate::search_key(&name);
    if let Some(other) = find_by_name(conn, &name)? {
        if Some(other) != this {
            return Err(Error::Duplicate {
                field: Field::CompetenceName,
            });
        }
    }
    Ok(Clean {
        name,
        key,
        description,
    })
}

pub fn create(conn: &Connection, clock: &dyn Clock, input: &CompetenceInput) -> Result<Competence> {
    let c = clean(conn, input, None)?;
    let now = stamp(clock.now());
    conn.prepare_cached(
        "INSERT INTO competence (name, name_key, description, category, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute((
        &c.name,
        &c.key,
        &c.description,
        input.category.as_str(),
        &now,
    ))?;
    get(conn, CompetenceId(conn.last_insert_rowid()))
}

pub fn update(
    conn: &Connection,
    clock: &dyn Clock,
    id: CompetenceId,
    input: &CompetenceInput,
) -> Result<Competence> {
    active(conn, id)?;
    let c = clean(conn, input, Some(id))?;
    conn.execute(
        "UPDATE competence SET name = ?2, name_key = ?3, description = ?4, category = ?5,
                               updated_at = ?6 WHERE id = ?1",
        (
            id,
            &c.name,
            &c.key,
            &c.description,
            input.category.as_str(),
            stamp(clock.now()),
        ),
    )?;
    get(conn, id)
}

/// Archives a competence: it leaves every profile (organisation-wide and unit) but stays in
/// past assessments and actions.
pub fn archive(conn: &Connection, clock: &dyn Clock, id: CompetenceId) -> Result<Competence> {
    active(conn, id)?;
    conn.execute(
        "DELETE FROM profile_requirement WHERE competence_id = ?1",
        [id],
    )?;
    conn.execute(
        "DELETE FROM unit_requirement WHERE competence_id = ?1",
        [id],
    )?;
    conn.execute(
        "UPDATE competence SET archived_at = ?2, updated_at = ?2 WHERE id = ?1",
        (id, stamp(clock.now())),
    )?;
    get(conn, id)
}
