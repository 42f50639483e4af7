//! Competence profiles: the required level per competence of a job family, as HR keeps it
//! organisation-wide, made concrete by units.
//!
//! A profile may build on another (a teacher profile on a common one): it inherits the other's
//! requirements and overrides or adds its own. A unit may add competences or set other levels
//! for itself and the units below it; the nearest unit's word wins. A person's effective
//! profile is their job family's (the leader profile in a LUS) as their unit makes it concrete.
//!
//! Invariants: no profile builds on itself, directly or through others ([`Error::ProfileCycle`]);
//! at most one active profile per job family, and one leader profile (setting the flag on one
//! moves it); archived profiles and competences are in no effective profile.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::catalogue::{self, check_level};
use super::{Category, CompetenceRef};
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{CompetenceId, PersonId, ProfileId, UnitId};
use crate::talks::TalkKind;
use crate::validate;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    pub competence_id: CompetenceId,
    pub level: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: ProfileId,
    pub name: String,
    pub job_family: Option<String>,
    pub for_leaders: bool,
    pub parent_id: Option<ProfileId>,
    /// Shipped with the app as a starting point; the organisation adapts it.
    pub starter: bool,
    pub archived: bool,
    /// The profile's own requirements (not those it inherits).
    pub requirements: Vec<Requirement>,
    /// Active people whose job family this profile is for.
    pub people: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub name: String,
    pub job_family: Option<String>,
    pub for_leaders: bool,
    pub parent_id: Option<ProfileId>,
}

/// Where a requirement of an effective profile comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnitChange {
    pub unit_id: UnitId,
    pub unit_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveRequirement {
    pub competence: CompetenceRef,
    pub level: u32,
    /// The organisation-wide level; `None` when a unit added the competence.
    pub profile_level: Option<u32>,
    /// The unit that changed or added it, if one did.
    pub changed_by: Option<UnitChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveProfile {
    pub profile_id: ProfileId,
    pub name: String,
    pub requirements: Vec<EffectiveRequirement>,
}

pub const MAX_PROFILE_NAME: u32 = 120;

fn requirements_of(conn: &Connection, id: ProfileId) -> Result<Vec<Requirement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.competence_id, r.level FROM profile_requirement r
         JOIN competence c ON c.id = r.competence_id
         WHERE r.profile_id = ?1 ORDER BY c.category, c.name_key",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(Requirement {
                competence_id: r.get("competence_id")?,
                level: r.get("level")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

const SELECT: &str = "SELECT p.*, j.name AS job_family,
        (SELECT count(*) FROM person x WHERE x.job_family_id = p.job_family_id
             AND x.archived_at IS NULL) AS people
     FROM profile p LEFT JOIN job_family j ON j.id = p.job_family_id";

fn read(conn: &Connection, r: &rusqlite::Row<'_>) -> Result<Profile> {
    let id = r.get("id")?;
    Ok(Profile {
        id,
        name: r.get("name")?,
        job_family: r.get("job_family")?,
        for_leaders: r.get("for_leaders")?,
        parent_id: r.get("parent_id")?,
        starter: r.get("starter")?,
        archived: r.get::<_, Option<String>>("archived_at")?.is_some(),
        requirements: requirements_of(conn, id)?,
        people: r.get("people")?,
    })
}

pub fn list(conn: &Connection, include_archived: bool) -> Result<Vec<Profile>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE ?1 OR p.archived_at IS NULL ORDER BY p.for_leaders, p.name_key"
    ))?;
    let mut rows = stmt.query([include_archived])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read(conn, r)?);
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: ProfileId) -> Result<Profile> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE p.id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => read(conn, r),
        None => Err(Error::not_found(Entity::Profile, id.0)),
    }
}

fn active(conn: &Connection, id: ProfileId) -> Result<Profile> {
    let p = get(conn, id)?;
    if p.archived {
        return Err(Error::Archived {
            entity: Entity::Profile,
        });
    }
    Ok(p)
}

/// The active profile of that name, whatever its case.
pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<ProfileId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM profile WHERE name_key = ?1 AND archived_at IS NULL")?
        .query_row([validate::search_key(name)], |r| r.get(0))
        .optional()?)
}

fn job_family_id(conn: &Connection, name: Option<&str>) -> Result<Option<i64>> {
    let Some(name) = name else { return Ok(None) };
    conn.execute(
        "INSERT INTO job_family (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
        [name],
    )?;
    Ok(Some(conn.query_row(
        "SELECT id FROM job_family WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?))
}

/// Refuses a parent that is the profile itself or builds on it.
fn check_parent(
    conn: &Connection,
    this: Option<ProfileId>,
    parent: Option<ProfileId>,
) -> Result<()> {
    let Some(mut at) = parent else { return Ok(()) };
    active(conn, at)?;
    // A chain longer than the number of profiles would already be a cycle.
    for _ in 0..10_000 {
        if Some(at) == this {
            return Err(Error::ProfileCycle);
        }
        match conn
            .prepare_cached("SELECT parent_id FROM profile WHERE id = ?1")?
            .query_row([at], |r| r.get::<_, Option<ProfileId>>(0))?
        {
            Some(next) => at = next,
            None => return Ok(()),
        }
    }
    Err(Error::ProfileCycle)
}

/// Validates and writes a profile's own fields; `starter` only from the shipped files.
pub(crate) fn save(
    conn: &Connection,
    clock: &dyn Clock,
    this: Option<ProfileId>,
    input: &ProfileInput,
    starter: bool,
) -> Result<ProfileId> {
    let name = validate::required(&input.name, Field::ProfileName, MAX_PROFILE_NAME)?;
    let family = validate::optional(
        input.job_family.as_deref().unwrap_or(""),
        Field::JobFamily,
        validate::MAX_NAME,
    )?;
    if let Some(other) = find_by_name(conn, &name)? {
        if Some(other) != this {
            return Err(Error::Duplicate {
                field: Field::ProfileName,
            });
        }
    }
    check_parent(conn, this, input.parent_id)?;
    let family_id = job_family_id(conn, family.as_deref())?;
    if let Some(fid) = family_id {
        let taken: Option<ProfileId> = conn
            .query_row(
                "SELECT id FROM profile WHERE job_family_id = ?1 AND archived_at IS NULL",
                [fid],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() && taken != this {
            return Err(Error::Duplicate {
                field: Field::JobFamily,
            });
        }
    }
    let now = stamp(clock.now());
    if input.for_leaders {
        // One leader profile at a time: the flag moves to this one.
        conn.execute(
            "UPDATE profile SET for_leaders = 0, updated_at = ?2
             WHERE for_leaders = 1 AND id IS NOT ?1",
            (this, &now),
        )?;
    }
    let key = validate::search_key(&name);
    match this {
        Some(id) => {
            active(conn, id)?;
            conn.execute(
                "UPDATE profile SET name = ?2, name_key = ?3, job_family_id = ?4,
                     for_leaders = ?5, parent_id = ?6, updated_at = ?7 WHERE id = ?1",
                (
                    id,
                    &name,
                    &key,
                    family_id,
                    input.for_leaders,
                    input.parent_id,
                    &now,
                ),
            )?;
            Ok(id)
        }
        None => {
            conn.execute(
                "INSERT INTO profile (name, name_key, job_family_id, for_leaders, parent_id,
                                      starter, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                (
                    &name,
                    &key,
                    family_id,
                    input.for_leaders,
                    input.parent_id,
                    starter,
                    &now,
                ),
            )?;
            Ok(ProfileId(conn.last_insert_rowid()))
        }
    }
}

pub fn create(conn: &Connection, clock: &dyn Clock, input: &ProfileInput) -> Result<Profile> {
    let id = save(conn, clock, None, input, false)?;
    get(conn, id)
}

pub fn update(
    conn: &Connection,
    clock: &dyn Clock,
    id: ProfileId,
    input: &ProfileInput,
) -> Result<Profile> {
    save(conn, clock, Some(id), input, false)?;
    get(conn, id)
}

/// Archives a profile. Profiles that build on it keep their own requirements only.
pub fn archive(conn: &Connection, clock: &dyn Clock, id: ProfileId) -> Result<Profile> {
    active(conn, id)?;
    let now = stamp(clock.now());
    conn.execute(
        "UPDATE profile SET parent_id = NULL, updated_at = ?2 WHERE parent_id = ?1",
        (id, &now),
    )?;
    conn.execute(
        "UPDATE profile SET archived_at = ?2, updated_at = ?2 WHERE id = ?1",
        (id, &now),
    )?;
    get(conn, id)
}

/// Sets (or, with `None`, removes) the organisation-wide level of one competence.
pub fn set_requirement(
    conn: &Connection,
    clock: &dyn Clock,
    id: ProfileId,
    competence: CompetenceId,
    level: Option<u32>,
) -> Result<Profile> {
    active(conn, id)?;
    catalogue::active(conn, competence)?;
    check_level(level, catalogue::max_level(conn)?)?;
    match level {
        Some(level) => conn.execute(
            "INSERT INTO profile_requirement (profile_id, competence_id, level) VALUES (?1, ?2, ?3)
             ON CONFLICT DO UPDATE SET level = excluded.level",
            (id, competence, level),
        )?,
        None => conn.execute(
            "DELETE FROM profile_requirement WHERE profile_id = ?1 AND competence_id = ?2",
            (id, competence),
        )?,
    };
    conn.execute(
        "UPDATE profile SET updated_at = ?2 WHERE id = ?1",
        (id, stamp(clock.now())),
    )?;
    get(conn, id)
}

/// A unit adds a competence to a profile or sets another level (for itself and the units
/// below it); `None` takes the unit's change back.
pub fn set_unit_requirement(
    conn: &Connection,
    clock: &dyn Clock,
    unit: UnitId,
    id: ProfileId,
    competence: CompetenceId,
    level: Option<u32>,
) -> Result<EffectiveProfile> {
    crate::units::get(conn, unit)?;
    active(conn, id)?;
    catalogue::active(conn, competence)?;
    check_level(level, catalogue::max_level(conn)?)?;
    match level {
        Some(level) => conn.execute(
            "INSERT INTO unit_requirement (unit_id, profile_id, competence_id, level, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at",
            (unit, id, competence, level, stamp(clock.now())),
        )?,
        None => conn.execute(
            "DELETE FROM unit_requirement
             WHERE unit_id = ?1 AND profile_id = ?2 AND competence_id = ?3",
            (unit, id, competence),
        )?,
    };
    effective(conn, id, Some(unit))
}

/// The profile's requirements with what it inherits, nearest profile first winning.
fn organisation_levels(conn: &Connection, id: ProfileId) -> Result<HashMap<CompetenceId, u32>> {
    let mut chain = vec![id];
    let mut at = id;
    while let Some(parent) = conn
        .prepare_cached("SELECT parent_id FROM profile WHERE id = ?1 AND archived_at IS NULL")?
        .query_row([at], |r| r.get::<_, Option<ProfileId>>(0))
        .optional()?
        .flatten()
    {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        at = parent;
    }
    let mut levels = HashMap::new();
    // Farthest ancestor first, so nearer profiles overwrite.
    for p in chain.iter().rev() {
        for r in requirements_of(conn, *p)? {
            levels.insert(r.competence_id, r.level);
        }
    }
    Ok(levels)
}

/// The unit and its ancestors, nearest first.
fn unit_chain(conn: &Connection, unit: UnitId) -> Result<Vec<(UnitId, String)>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE up (id, name, parent_id, depth) AS (
             SELECT id, name, parent_id, 0 FROM unit WHERE id = ?1
             UNION ALL
             SELECT u.id, u.name, u.parent_id, up.depth + 1 FROM unit u JOIN up ON u.id = up.parent_id
             WHERE up.depth < 100)
         SELECT id, name FROM up ORDER BY depth",
    )?;
    let rows = stmt
        .query_map([unit], |r| Ok((r.get("id")?, r.get("name")?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A profile as it applies in `unit` (organisation-wide with `None`).
pub fn effective(
    conn: &Connection,
    id: ProfileId,
    unit: Option<UnitId>,
) -> Result<EffectiveProfile> {
    let profile = get(conn, id)?;
    let org = organisation_levels(conn, id)?;
    let mut levels: HashMap<CompetenceId, (u32, Option<UnitChange>)> =
        org.iter().map(|(c, l)| (*c, (*l, None))).collect();
    if let Some(unit) = unit {
        let chain = unit_chain(conn, unit)?;
        let mut stmt = conn.prepare_cached(
            "SELECT competence_id, level FROM unit_requirement WHERE unit_id = ?1 AND profile_id = ?2",
        )?;
        // Farthest unit first, so the nearest unit's word wins.
        for (u, name) in chain.iter().rev() {
            let rows: Vec<(CompetenceId, u32)> = stmt
                .query_map((u, id), |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (c, l) in rows {
                levels.insert(
                    c,
                    (
                        l,
                        Some(UnitChange {
                            unit_id: *u,
                            unit_name: name.clone(),
                        }),
                    ),
                );
            }
        }
    }
    let mut requirements = Vec::with_capacity(levels.len());
    for (c, (level, changed_by)) in levels {
        let competence = catalogue::get(conn, c)?;
        if competence.archived {
            continue;
        }
        requirements.push(EffectiveRequirement {
            competence: CompetenceRef {
                id: competence.id,
                name: competence.name,
                category: competence.category,
            },
            level,
            profile_level: org.get(&c).copied(),
            changed_by,
        });
    }
    requirements.sort_by(|a, b| {
        category_rank(a.competence.category)
            .cmp(&category_rank(b.competence.category))
            .then_with(|| {
                a.competence
                    .name
                    .to_lowercase()
                    .cmp(&b.competence.name.to_lowercase())
            })
    });
    Ok(EffectiveProfile {
        profile_id: id,
        name: profile.name,
        requirements,
    })
}

fn category_rank(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

/// The profile a person is assessed against in a talk of `kind`: the leader profile in a LUS,
/// their job family's otherwise; `None` when there is none yet.
pub fn profile_for(
    conn: &Connection,
    person: PersonId,
    kind: TalkKind,
) -> Result<Option<ProfileId>> {
    let sql = match kind {
        TalkKind::Lus => "SELECT id FROM profile WHERE for_leaders = 1 AND archived_at IS NULL",
        _ => {
            "SELECT p.id FROM profile p JOIN person x ON x.job_family_id = p.job_family_id
             WHERE x.id = ?1 AND p.archived_at IS NULL"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let found = if kind == TalkKind::Lus {
        stmt.query_row([], |r| r.get(0)).optional()?
    } else {
        stmt.query_row([person], |r| r.get(0)).optional()?
    };
    Ok(found)
}

/// A person's effective profile in a talk of `kind`, as their unit makes it concrete.
pub fn for_person(
    conn: &Connection,
    person: PersonId,
    kind: TalkKind,
) -> Result<Option<EffectiveProfile>> {
    let Some(id) = profile_for(conn, person, kind)? else {
        return Ok(None);
    };
    let unit: UnitId = conn
        .prepare_cached("SELECT unit_id FROM person WHERE id = ?1")?
        .query_row([person], |r| r.get(0))
        .optional()?
        .ok_or(Error::not_found(Entity::Person, person.0))?;
    effective(conn, id, Some(unit)).map(Some)
}
