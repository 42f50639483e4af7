//! A unit's action plan (DA/SV handlingsplan, NB tiltaksplan): per unit and year, the group and
//! unit actions and the individual actions that are not confidential; confidential ones appear
//! only as a count. Rolling a plan carries its open actions into the next year's plan, each
//! linked to the action it carries on; finished ones stay in their year.
//!
//! Invariant: an action is carried at most once (`carried_from_id` is unique and the carried
//! original becomes `carriedOver`, which is final), so rolling twice changes nothing the second
//! time. A roll is a handful of set-based statements, so all units of a large organisation
//! roll in one transaction.

use rusqlite::Connection;
use serde::Serialize;
use specta::Type;

use super::{read, with_competences, Action, ActionStatus, SELECT};
use crate::clock::{stamp, Clock};
use crate::error::{Error, Field, Result};
use crate::ids::UnitId;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanTotals {
    pub planned_cost: f64,
    pub actual_cost: f64,
    pub planned_hours: f64,
    pub actual_hours: f64,
    pub open: u32,
    pub done: u32,
    pub cancelled: u32,
    pub carried_over: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnitPlan {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub year: i32,
    /// Group and unit actions first, then individual ones; each by due date.
    pub actions: Vec<Action>,
    /// Confidential actions of the plan: counted, never listed.
    pub confidential: u32,
    pub totals: PlanTotals,
    /// Open actions the plan still holds: what rolling it would carry.
    pub open_to_roll: u32,
    /// Actions that came into this plan from last year's.
    pub carried_in: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RollOutcome {
    pub units: u32,
    pub carried: u32,
}

pub(crate) fn check_year(year: i32) -> Result<()> {
    if (2000..2100).contains(&year) {
        Ok(())
    } else {
        Err(Error::Invalid { field: Field::Year })
    }
}

pub fn unit_plan(
    conn: &Connection,
    clock: &dyn Clock,
    unit: UnitId,
    year: i32,
) -> Result<UnitPlan> {
    check_year(year)?;
    let u = crate::units::get(conn, unit)?;
    let today = clock.today();
    let actions: Vec<Action> = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE a.unit_id = ?1 AND a.year = ?2 AND NOT a.confidential
             ORDER BY a.scope = 'individual', a.due_date IS NULL, a.due_date, a.id"
        ))?
        .query_map((unit, year), |r| read(r, today))?
        .collect::<rusqlite::Result<_>>()?;
    let (confidential, carried_in): (u32, u32) = conn
        .prepare_cached(
            "SELECT coalesce(sum(confidential), 0), count(carried_from_id) FROM action
             WHERE unit_id = ?1 AND year = ?2",
        )?
        .query_row((unit, year), |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut totals = PlanTotals::default();
    for a in &actions {
        totals.planned_cost += a.planned_cost.unwrap_or(0.0);
        totals.actual_cost += a.actual_cost.unwrap_or(0.0);
        totals.planned_hours += a.planned_hours.unwrap_or(0.0);
        totals.actual_hours += a.actual_hours.unwrap_or(0.0);
        match a.status {
            ActionStatus::Planned | ActionStatus::Ongoing => totals.open += 1,
            ActionStatus::Done => totals.done += 1,
            ActionStatus::Cancelled => totals.cancelled += 1,
            ActionStatus::CarriedOver => totals.carried_over += 1,
        }
    }
    // Sums of hundredths, rounded back so 0.1 + 0.2 shows as 0.3.
    totals.planned_cost = (totals.planned_cost * 100.0).round() / 100.0;
    totals.actual_cost = (totals.actual_cost * 100.0).round() / 100.0;
    let open_to_roll: u32 = conn
        .prepare_cached(
            "SELECT count(*) FROM action WHERE year = ?2 AND unit_id = ?1
                 AND status IN ('planned', 'ongoing')",
        )?
        .query_row((unit, year), |r| r.get(0))?;
    Ok(UnitPlan {
        unit_id: unit,
        unit_name: u.name,
        year,
        actions: with_competences(conn, actions)?,
        confidential,
        totals,
        open_to_roll,
        carried_in,
    })
}

/// The units whose plan of `year` holds any action, by id.
pub fn units_with_plans(conn: &Connection, year: i32) -> Result<Vec<UnitId>> {
    check_year(year)?;
    Ok(conn
        .prepare_cached("SELECT DISTINCT unit_id FROM action WHERE year = ?1 ORDER BY unit_id")?
        .query_map([year], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Carries the open actions of `year` into `year + 1`: of one unit's plan, or (with `None`)
/// of every unit's.
pub fn roll(
    conn: &Connection,
    clock: &dyn Clock,
    unit: Option<UnitId>,
    year: i32,
) -> Result<RollOutcome> {
    check_year(year)?;
    check_year(year + 1)?;
    if let Some(u) = unit {
        crate::units::get(conn, u)?;
    }
    let now = stamp(clock.now());
    // Two shapes of query rather than `?2 IS NULL OR unit_id = ?2`, which would keep SQLite
    // from using the unit in the open-actions index and scan the whole year for one unit.
    let of_unit = if unit.is_some() {
        "o.unit_id = ?2"
    } else {
        "?2 IS NULL"
    };
    let carried = conn
        .prepare_cached(&format!(
        "INSERT INTO action (unit_id, year, scope, talk_id, person_id, title, theme, kind, owner_id,
             due_date, planned_cost, planned_hours, status, confidential, carried_from_id,
             created_on, created_at, updated_at)
         SELECT unit_id, year + 1, scope, talk_id, person_id, title, theme, kind, owner_id,
             due_date, planned_cost, planned_hours, status, confidential, id, created_on, ?3, ?3
         FROM action o
         WHERE o.year = ?1 AND {of_unit} AND o.status IN ('planned', 'ongoing')
           AND NOT EXISTS (SELECT 1 FROM action c WHERE c.carried_from_id = o.id)
         ORDER BY o.id"
    ))?
        .execute((year, unit, &now))?;
    // The originals still open with a carry are exactly the ones just carried.
    let rolled = format!(
        "FROM action o JOIN action n ON n.carried_from_id = o.id
         WHERE o.year = ?1 AND {of_unit} AND o.status IN ('planned', 'ongoing')"
    );
    conn.prepare_cached(&format!(
        "INSERT INTO action_competence (action_id, competence_id)
         SELECT r.new_id, ac.competence_id
         FROM (SELECT o.id AS old_id, n.id AS new_id {rolled}) r
         JOIN action_competence ac ON ac.action_id = r.old_id"
    ))?
    .execute((year, unit))?;
    conn.prepare_cached(&format!(
        "INSERT INTO action_event (action_id, from_status, to_status, at)
         SELECT n.id, NULL, n.status, ?3 {rolled}
         UNION ALL
         SELECT o.id, o.status, 'carriedOver', ?3 {rolled}"
    ))?
    .execute((year, unit, &now))?;
    conn.prepare_cached(&format!(
        "UPDATE action AS o SET status = 'carriedOver', updated_at = ?3
         WHERE o.year = ?1 AND {of_unit} AND o.status IN ('planned', 'ongoing')
           AND EXISTS (SELECT 1 FROM action c WHERE c.carried_from_id = o.id)"
    ))?
    .execute((year, unit, &now))?;
    let units: u32 = match unit {
        Some(_) => (carried > 0) as u32,
        None => conn
            .prepare_cached(
                "SELECT count(DISTINCT unit_id) FROM action WHERE year = ?1 + 1
                     AND carried_from_id IS NOT NULL AND created_at = ?2",
            )?
            .query_row((year, &now), |r| r.get(0))?,
    };
    Ok(RollOutcome {
        units,
        carried: carried as u32,
    })
}
