//! The unit bundle: one file a manager sends HR with a unit's aggregates of a year
//! ([`UnitFacts`]) and its action plan, never a note. HR imports hundreds of them; the HR
//! summary over the imported bundles is the same fold ([`hr::summarise`]) over the same facts
//! as the summary over one store.
//!
//! The file is JSON: `{"checksum": "sha256:…", "body": {…}}`, the checksum taken over the
//! body's exact bytes. A damaged file (not JSON, cut short) or an altered one (the body changed
//! after it was made) is refused whole. The checksum detects damage and edits, not a forger who
//! recomputes it: bundles travel inside the organisation's own channels.
//!
//! Invariants: one bundle per unit (its path) and year in a store; importing the same file
//! again changes nothing; a newer bundle (by `madeAt`) replaces an older, an older one is
//! kept out; a bundle of another organisation is refused.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use specta::Type;

use super::hr::{self, UnitFacts};
use crate::actions::{ActionKind, ActionScope, ActionStatus, Effect};
use crate::clock::{stamp, Clock};
use crate::error::{Error, Result};
use crate::ids::UnitId;
use crate::organisation;

pub const FORMAT: &str = "samtale-unit-bundle";
pub const VERSION: u32 = 1;
/// A bundle is small (one unit's figures and plan); anything far larger is not one.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Why a bundle file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum BundleProblem {
    /// Not a Samtale unit bundle at all.
    NotABundle,
    /// Cut short or garbled: not readable JSON of a bundle.
    Damaged,
    /// Changed after it was made: the checksum does not match.
    Altered,
    /// Made by a newer Samtale.
    TooNew,
    /// A bundle of another organisation.
    OtherOrganisation,
}

fn refused(problem: BundleProblem) -> Error {
    Error::Bundle { problem }
}

/// An action of the unit's plan as the bundle carries it: what HR plans courses from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleAction {
    pub title: String,
    pub kind: ActionKind,
    pub scope: ActionScope,
    pub competences: Vec<String>,
    pub owner: String,
    pub person: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
    pub planned_cost: Option<f64>,
    pub actual_cost: Option<f64>,
    pub planned_hours: Option<f64>,
    pub actual_hours: Option<f64>,
    pub result: Option<Effect>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleBody {
    pub format: String,
    pub version: u32,
    pub organisation: String,
    pub year: i32,
    pub made_at: DateTime<Utc>,
    pub facts: UnitFacts,
    /// The plan as `actions::plan::unit_plan` shows it: confidential actions only counted.
    pub plan: Vec<BundleAction>,
    pub confidential: u32,
}

#[derive(Serialize)]
struct FileOut<'a> {
    checksum: String,
    body: &'a RawValue,
}

#[derive(Deserialize)]
struct FileIn<'a> {
    checksum: String,
    #[serde(borrow)]
    body: &'a RawValue,
}

fn checksum(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The bundle of `unit` for `year`, as the file's bytes.
pub fn make(conn: &Connection, clock: &dyn Clock, unit: UnitId, year: i32) -> Result<Vec<u8>> {
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let facts = hr::facts(conn, None, clock, year, Some(unit))?
        .into_iter()
        .next()
        .ok_or(Error::not_found(crate::error::Entity::Unit, unit.0))?;
    let plan = crate::actions::plan::unit_plan(conn, clock, unit, year)?;
    // A unit whose people had no talk still reports them due: only a unit with no one due and
    // no action has nothing to send.
    if facts.talks.is_empty() && facts.actions.is_empty() && facts.confidential == 0 {
        return Err(Error::Export {
            problem: super::ExportProblem::NoData,
        });
    }
    let body = BundleBody {
        format: FORMAT.into(),
        version: VERSION,
        organisation: org.name,
        year,
        made_at: clock.now(),
        facts,
        plan: plan
            .actions
            .iter()
            .map(|a| BundleAction {
                title: a.title.clone(),
                kind: a.kind,
                scope: a.scope,
                competences: a.competences.iter().map(|c| c.name.clone()).collect(),
                owner: a.owner.name.clone(),
                person: a.person.as_ref().map(|p| p.name.clone()),
                due_date: a.due_date,
                status: a.status,
                planned_cost: a.planned_cost,
                actual_cost: a.actual_cost,
                planned_hours: a.planned_hours,
                actual_hours: a.actual_hours,
                result: a.result,
            })
            .collect(),
        confidential: plan.confidential,
    };
    let body = serde_json::to_string(&body).expect("a bundle serialises");
    let raw = RawValue::from_string(body).expect("serde_json wrote JSON");
    let file = FileOut {
        checksum: checksum(raw.get()),
        body: &raw,
    };
    Ok(serde_json::to_vec_pretty(&file).expect("a bundle file serialises"))
}

/// A bundle file's bytes; a file far larger than any bundle is refused before it is read.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    if std::fs::metadata(path)?.len() > MAX_BYTES as u64 {
        return Err(refused(BundleProblem::NotABundle));
    }
    Ok(std::fs::read(path)?)
}

/// A bundle file checked: its checksum over its body, its format and version.
pub fn read(bytes: &[u8]) -> Result<(BundleBody, String, String)> {
    if bytes.len() > MAX_BYTES {
        return Err(refused(BundleProblem::NotABundle));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| refused(BundleProblem::NotABundle))?;
    let file: FileIn<'_> = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) if e.is_eof() || e.is_syntax() => {
            // A JSON file of something else is not a bundle; a bundle cut short is damaged.
            return Err(refused(
                if text.contains(FORMAT) || text.contains("\"checksum\"") {
                    BundleProblem::Damaged
                } else {
                    BundleProblem::NotABundle
                },
            ));
        }
        Err(_) => return Err(refused(BundleProblem::NotABundle)),
    };
    if checksum(file.body.get()) != file.checksum {
        return Err(refused(BundleProblem::Altered));
    }
    let head: serde_json::Value =
        serde_json::from_str(file.body.get()).map_err(|_| refused(BundleProblem::Damaged))?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(refused(BundleProblem::NotABundle));
    }
    if head.get("version").and_then(|v| v.as_u64()).unwrap_or(0) > VERSION as u64 {
        return Err(refused(BundleProblem::TooNew));
    }
    let body: BundleBody =
        serde_json::from_value(head).map_err(|_| refused(BundleProblem::Damaged))?;
    Ok((body, file.checksum, file.body.get().to_owned()))
}

/// What importing one bundle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum BundleOutcome {
    Added,
    /// It replaced an older bundle of the unit and year.
    Replaced,
    /// The same bundle was there already.
    Unchanged,
    /// A newer bundle of the unit and year is kept.
    Older,
}

/// Imports one checked bundle into HR's store.
pub fn import(conn: &Connection, clock: &dyn Clock, bytes: &[u8]) -> Result<BundleOutcome> {
    let (body, sum, text) = read(bytes)?;
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    if body.organisation != org.name {
        return Err(refused(BundleProblem::OtherOrganisation));
    }
    let key = serde_json::to_string(&body.facts.path).expect("a path serialises");
    let held: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT made_at, checksum FROM unit_bundle WHERE unit_key = ?1 AND year = ?2",
        )?
        .query_row((&key, body.year), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let made = stamp(body.made_at);
    let outcome = match &held {
        Some((_, c)) if *c == sum => return Ok(BundleOutcome::Unchanged),
        Some((at, _)) if *at >= made => return Ok(BundleOutcome::Older),
        Some(_) => BundleOutcome::Replaced,
        None => BundleOutcome::Added,
    };
    conn.prepare_cached(
        "INSERT INTO unit_bundle (unit_key, year, made_at, checksum, body, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (unit_key, year) DO UPDATE SET made_at = excluded.made_at,
             checksum = excluded.checksum, body = excluded.body,
             imported_at = excluded.imported_at",
    )?
    .execute((&key, body.year, &made, &sum, &text, stamp(clock.now())))?;
    Ok(outcome)
}

/// A bundle HR holds, as its list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeldBundle {
    /// From the top unit down.
    pub unit_path: Vec<String>,
    pub manager: Option<String>,
    pub made_at: DateTime<Utc>,
    pub imported_at: DateTime<Utc>,
    /// People due a talk, and how many of them had it.
    pub due: u32,
    pub held: u32,
    /// Actions in the plan, confidential ones included.
    pub actions: u32,
}

/// The bundles of `year` HR holds, by unit path.
pub fn held(conn: &Connection, year: i32) -> Result<Vec<HeldBundle>> {
    crate::actions::plan::check_year(year)?;
    let mut stmt = conn.prepare_cached(
        "SELECT body, imported_at FROM unit_bundle WHERE year = ?1 ORDER BY unit_key",
    )?;
    let mut rows = stmt.query([year])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let body = stored_body(&r.get::<_, String>("body")?)?;
        let imported_at: DateTime<Utc> = r.get("imported_at")?;
        let f = &body.facts;
        out.push(HeldBundle {
            unit_path: f.path.clone(),
            manager: f.manager.clone(),
            made_at: body.made_at,
            imported_at,
            due: f.talks.iter().map(|t| t.due).sum(),
            held: f.talks.iter().map(|t| t.held).sum(),
            actions: body.plan.len() as u32 + body.confidential,
        });
    }
    Ok(out)
}

/// A stored bundle's body: checked when imported, so one that no longer reads is damage in
/// the store itself.
fn stored_body(text: &str) -> Result<BundleBody> {
    serde_json::from_str(text).map_err(|e| Error::StoreCorrupt {
        detail: format!("a stored unit bundle: {e}"),
    })
}

/// Rewrites the body of every bundle HR holds with `change`, keeping those it returns `true`
/// for (changed): for an erasure, which removes a person's name from what HR holds. The stored
/// checksum stays the received file's, so importing that file again is still "unchanged" and
/// does not bring the name back. Returns how many bundles changed.
pub(crate) fn rewrite_held(
    conn: &Connection,
    mut change: impl FnMut(&mut BundleBody) -> bool,
) -> Result<u32> {
    let mut changed = Vec::new();
    {
        let mut stmt = conn.prepare_cached("SELECT unit_key, year, body FROM unit_bundle")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut body = stored_body(&r.get::<_, String>("body")?)?;
            if change(&mut body) {
                let text = serde_json::to_string(&body).map_err(|e| Error::Storage {
                    detail: e.to_string(),
                })?;
                changed.push((
                    r.get::<_, String>("unit_key")?,
                    r.get::<_, i32>("year")?,
                    text,
                ));
            }
        }
    }
    let mut update =
        conn.prepare_cached("UPDATE unit_bundle SET body = ?3 WHERE unit_key = ?1 AND year = ?2")?;
    for (key, year, text) in &changed {
        update.execute((key, year, text))?;
    }
    Ok(changed.len() as u32)
}

/// The facts of every bundle of `year` HR holds.
pub fn facts_of(conn: &Connection, year: i32) -> Result<Vec<UnitFacts>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM unit_bundle WHERE year = ?1")?;
    let mut rows = stmt.query([year])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(stored_body(&r.get::<_, String>(0)?)?.facts);
    }
    Ok(out)
}

/// HR's summary of `year` over the imported bundles.
pub fn summary(conn: &Connection, year: i32) -> Result<hr::HrSummary> {
    crate::actions::plan::check_year(year)?;
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let facts = facts_of(conn, year)?;
    if facts.is_empty() {
        return Err(Error::Export {
            problem: super::ExportProblem::NoData,
        });
    }
    Ok(hr::summarise(
        &org.name,
        "",
        year,
        crate::settings::min_group(conn)?,
        &facts,
    ))
}
