//! The unit tree: departments, institutions and teams, nested to any depth.
//!
//! Invariants: a unit's parent chain never contains the unit itself; units are archived, never
//! deleted, and only when nothing active is left in them; an archived unit takes no changes and
//! no new children or people.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::Clock;
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{PersonId, UnitId};
use crate::validate;

/// A query over a unit's subtree: `sub (id, depth)` holds the unit bound as `?1` and every unit
/// below it (depth-capped, so a corrupt parent chain cannot loop), followed by `$query`.
macro_rules! with_subtree {
    ($query:literal) => {
        concat!(
            "WITH RECURSIVE sub (id, depth) AS (
                 SELECT ?1, 0
                 UNION ALL SELECT u.id, sub.depth + 1 FROM unit u JOIN sub ON u.parent_id = sub.id
                 WHERE sub.depth < 100) ",
            $query
        )
    };
}
pub(crate) use with_subtree;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub parent_id: Option<UnitId>,
    pub manager_id: Option<PersonId>,
    pub manager_name: Option<String>,
    /// The unit holds a GRUS plus individual agreements instead of a MUS with everyone.
    pub uses_grus: bool,
    pub archived: bool,
}

/// A unit as a row of the tree view, in depth-first order.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnitNode {
    pub id: UnitId,
    pub name: String,
    pub parent_id: Option<UnitId>,
    pub depth: u32,
    pub manager_id: Option<PersonId>,
    pub manager_name: Option<String>,
    /// Active people placed directly in this unit.
    pub headcount: u32,
    /// Active people in this unit and every unit below it.
    pub total_headcount: u32,
    pub uses_grus: bool,
    pub archived: bool,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnitInput {
    pub name: String,
    pub parent_id: Option<UnitId>,
    pub manager_id: Option<PersonId>,
}

const SELECT: &str = "SELECT u.id, u.name, u.parent_id, u.manager_id, u.archived_at, u.talk_model,
        p.given_name || ' ' || p.family_name AS manager_name
    FROM unit u LEFT JOIN person p ON p.id = u.manager_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Unit> {
    Ok(Unit {
        id: row.get("id")?,
        name: row.get("name")?,
        parent_id: row.get("parent_id")?,
        manager_id: row.get("manager_id")?,
        manager_name: row.get("manager_name")?,
        uses_grus: row.get::<_, String>("talk_model")? == "grus",
        archived: row.get::<_, Option<String>>("archived_at")?.is_some(),
    })
}

pub fn get(conn: &Connection, id: UnitId) -> Result<Unit> {
    conn.prepare_cached(&format!("{SELECT} WHERE u.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::not_found(Entity::Unit, id.0))
}

/// A unit that exists and is not archived, for anything that writes to or under it.
fn get_active(conn: &Connection, id: UnitId) -> Result<Unit> {
    let unit = get(conn, id)?;
    if unit.archived {
        return Err(Error::Archived {
            entity: Entity::Unit,
        });
    }
    Ok(unit)
}

fn check_manager(conn: &Connection, manager: Option<PersonId>) -> Result<()> {
    if let Some(m) = manager {
        let archived: Option<Option<String>> = conn
            .query_row("SELECT archived_at FROM person WHERE id = ?1", [m], |r| {
                r.get(0)
            })
            .optional()?;
        match archived {
            None => return Err(Error::not_found(Entity::Person, m.0)),
            Some(Some(_)) => {
                return Err(Error::Archived {
                    entity: Entity::Person,
                })
            }
            Some(None) => {}
        }
    }
    Ok(())
}

/// The whole tree in depth-first order, siblings by name, with head counts.
pub fn tree(conn: &Connection, include_archived: bool) -> Result<Vec<UnitNode>> {
    tree_with(conn, include_archived, true)
}

/// The tree as [`tree`] gives it; without `counts`, every head count is 0 and the people are
/// not read at all (for callers that count for themselves).
pub fn tree_with(conn: &Connection, include_archived: bool, counts: bool) -> Result<Vec<UnitNode>> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT} ORDER BY u.name COLLATE NOCASE, u.id"))?;
    let units: Vec<Unit> = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut direct: HashMap<UnitId, u32> = HashMap::new();
    if counts {
        let mut counts = conn.prepare_cached(
            "SELECT unit_id, count(*) AS n FROM person WHERE archived_at IS NULL GROUP BY unit_id",
        )?;
        let mut rows = counts.query([])?;
        while let Some(row) = rows.next()? {
            direct.insert(row.get("unit_id")?, row.get("n")?);
        }
    }

    let mut children: HashMap<Option<UnitId>, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if include_archived || !u.archived {
            children.entry(u.parent_id).or_default().push(i);
        }
    }
    // Totals bottom-up over an explicit post-order, so a deep tree cannot overflow the stack.
    let mut total: HashMap<UnitId, u32> = HashMap::new();
    let mut order = Vec::with_capacity(units.len());
    let mut stack: Vec<(usize, u32)> = children
        .get(&None)
        .map(|c| c.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    while let Some((i, depth)) = stack.pop() {
        order.push((i, depth));
        if let Some(kids) = children.get(&Some(units[i].id)) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    for &(i, _) in order.iter().rev() {
        let u = &units[i];
        let below: u32 = children
            .get(&Some(u.id))
            .map(|kids| kids.iter().map(|&k| total[&units[k].id]).sum())
            .unwrap_or(0);
        total.insert(u.id, direct.get(&u.id).copied().unwrap_or(0) + below);
    }
    Ok(order
        .into_iter()
        .map(|(i, depth)| {
            let u = &units[i];
            UnitNode {
                id: u.id,
                name: u.name.clone(),
                parent_id: u.parent_id,
                depth,
                manager_id: u.manager_id,
                manager_name: u.manager_name.clone(),
                headcount: direct.get(&u.id).copied().unwrap_or(0),
                total_headcount: total[&u.id],
                uses_grus: u.uses_grus,
                archived: u.archived,
            }
        })
        .collect())
}

pub fn create(conn: &Connection, clock: &dyn Clock, input: &UnitInput) -> Result<Unit> {
    let name = validate::required(&input.name, Field::UnitName, validate::MAX_NAME)?;
    if let Some(parent) = input.parent_id {
        get_active(conn, parent)?;
    }
    check_manager(conn, input.manager_id)?;
    let now = clock.now().to_rfc3339();
    conn.execute(
        "INSERT INTO unit (name, parent_id, manager_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        (&name, input.parent_id, input.manager_id, &now),
    )?;
    get(conn, UnitId(conn.last_insert_rowid()))
}

pub fn rename(conn: &Connection, clock: &dyn Clock, id: UnitId, name: &str) -> Result<Unit> {
    let name = validate::required(name, Field::UnitName, validate::MAX_NAME)?;
    get_active(conn, id)?;
    conn.execute(
        "UPDATE unit SET name = ?1, updated_at = ?2 WHERE id = ?3",
        (&name, clock.now().to_rfc3339(), id),
    )?;
    get(conn, id)
}

pub fn set_manager(
    conn: &Connection,
    clock: &dyn Clock,
    id: UnitId,
    manager: Option<PersonId>,
) -> Result<Unit> {
    get_active(conn, id)?;
    check_manager(conn, manager)?;
    conn.execute(
        "UPDATE unit SET manager_id = ?1, updated_at = ?2 WHERE id = ?3",
        (manager, clock.now().to_rfc3339(), id),
    )?;
    get(conn, id)
}

/// Whether the unit holds a GRUS (plus individual agreements) instead of a MUS with everyone.
pub fn set_uses_grus(
    conn: &Connection,
    clock: &dyn Clock,
    id: UnitId,
    uses_grus: bool,
) -> Result<Unit> {
    get_active(conn, id)?;
    conn.execute(
        "UPDATE unit SET talk_model = ?1, updated_at = ?2 WHERE id = ?3",
        (
            if uses_grus { "grus" } else { "mus" },
            clock.now().to_rfc3339(),
            id,
        ),
    )?;
    get(conn, id)
}

/// True when `ancestor` is `unit` or one of the units above it.
pub fn is_within(conn: &Connection, unit: UnitId, ancestor: UnitId) -> Result<bool> {
    let found: Option<i64> = conn
        .query_row(
            "WITH RECURSIVE up(id) AS (
                 SELECT ?1
                 UNION ALL
                 SELECT unit.parent_id FROM unit JOIN up ON unit.id = up.id
                 WHERE unit.parent_id IS NOT NULL
             )
             SELECT 1 FROM up WHERE id = ?2 LIMIT 1",
            [unit, ancestor],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// Moves a unit (with everything under it) under another parent, or to the top.
pub fn move_to(
    conn: &Connection,
    clock: &dyn Clock,
    id: UnitId,
    parent: Option<UnitId>,
) -> Result<Unit> {
    get_active(conn, id)?;
    if let Some(p) = parent {
        get_active(conn, p)?;
        if is_within(conn, p, id)? {
            return Err(Error::UnitCycle);
        }
    }
    conn.execute(
        "UPDATE unit SET parent_id = ?1, updated_at = ?2 WHERE id = ?3",
        (parent, clock.now().to_rfc3339(), id),
    )?;
    get(conn, id)
}

/// Archives an empty unit. People and sub-units must be moved or archived first, so nobody
/// silently disappears from the tree.
pub fn archive(conn: &Connection, clock: &dyn Clock, id: UnitId) -> Result<Unit> {
    get_active(conn, id)?;
    let people: u32 = conn.query_row(
        "SELECT count(*) FROM person WHERE unit_id = ?1 AND archived_at IS NULL",
        [id],
        |r| r.get(0),
    )?;
    let units: u32 = conn.query_row(
        "SELECT count(*) FROM unit WHERE parent_id = ?1 AND archived_at IS NULL",
        [id],
        |r| r.get(0),
    )?;
    if people > 0 || units > 0 {
        return Err(Error::UnitNotEmpty { people, units });
    }
    let now = clock.now().to_rfc3339();
    conn.execute(
        "UPDATE unit SET archived_at = ?1, updated_at = ?1 WHERE id = ?2",
        (&now, id),
    )?;
    get(conn, id)
}

/// The names from the top unit down to `id` ("Børn og Unge", "Dagtilbud Nord", "Æblet").
pub fn path(conn: &Connection, id: UnitId) -> Result<Vec<String>> {
    let mut names: Vec<String> = conn
        .prepare_cached(
            "WITH RECURSIVE up (id, parent_id, name, depth) AS (
                 SELECT id, parent_id, name, 0 FROM unit WHERE id = ?1
                 UNION ALL
                 SELECT u.id, u.parent_id, u.name, up.depth + 1
                 FROM unit u JOIN up ON u.id = up.parent_id
                 WHERE up.depth < 100
             )
             SELECT name FROM up ORDER BY depth DESC",
        )?
        .query_map([id], |r| r.get("name"))?
        .collect::<rusqlite::Result<_>>()?;
    if names.is_empty() {
        return Err(Error::not_found(Entity::Unit, id.0));
    }
    names.shrink_to_fit();
    Ok(names)
}
