//! Importing people and units from payroll and HR-system files (CSV, TSV, XLSX).
//!
//! - `read`: bytes to a table (encoding, delimiter, quotes, XLSX sheets).
//! - `mapping`: which column is what, in four languages; remembered per file shape.
//! - `normalise`: cell text to clean values (whitespace, Unicode NFC, dates, names, gender).
//! - this module: the dry run and the apply. Both make the same plan, reading only: every row
//!   checked with the rules `people::create` applies (`people::check`) against the store's
//!   people and units, loaded once. The apply then writes the rows the plan accepted, in the
//!   caller's transaction. So the preview cannot promise what the apply would not do.
//! - `Progress`: how far a running import got, and a request to stop it (between rows; a
//!   cancelled apply fails, so its transaction rolls back and nothing is written).
//!
//! Invariants: an import never deletes (a full import archives people missing from the file,
//! only when asked); it upserts on the employee number, so importing the same file again
//! changes nothing; the apply is one transaction (the caller's); a national identity number is
//! never stored.

pub mod mapping;
pub mod normalise;
pub mod read;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::Clock;
use crate::error::{Error, Field, Result};
use crate::ids::{PersonId, UnitId};
use crate::people::{self, PersonInput};
use crate::units::{self, UnitInput};
pub use mapping::ImportField;
pub use read::{Delimiter, Detected, Encoding, FileKind, ReadOptions};

/// Why a whole file cannot be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum FileProblem {
    Empty,
    HeaderOnly,
    /// Not text in columns, nor a workbook (random bytes, an image, a damaged file).
    NotATable,
    TooLarge,
    NoSuchSheet,
    /// No column for the employee number, the name, or the unit.
    MissingColumn,
    /// Nothing was chosen to import (or the chosen file is gone).
    NoFile,
}

/// Why one row is left out.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ImportProblem {
    /// More or fewer cells than the header has columns.
    Ragged {
        expected: u32,
        found: u32,
    },
    /// A quote opened and never closed: the rest of the file was one cell.
    UnbalancedQuote,
    Unreadable,
    /// The same employee number on an earlier line of the file.
    DuplicateEmployeeNumber {
        number: String,
        first_line: u32,
    },
    /// The row as the app would refuse it (an empty name, a bad date, …).
    Rejected {
        error: Error,
    },
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowProblem {
    pub line: u32,
    pub problem: ImportProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Create,
    Update,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowChange {
    pub line: u32,
    pub employee_number: String,
    pub name: String,
    pub unit: String,
    pub change: Change,
}

/// Something the user should know that is not a problem of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ImportNotice {
    /// A column of national identity numbers: left out, never stored.
    NationalIdIgnored { column: String },
    /// Working hours are recognised but not kept by Samtale.
    ColumnIgnored { column: String },
    /// A column nobody mapped.
    UnknownColumn { column: String },
}

/// How to import: the file's reading options, the column mapping (the remembered or guessed
/// one when not given), and whether this is the full staff list (then people missing from it
/// are archived).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    pub read: ReadOptions,
    pub mapping: Option<Vec<Option<ImportField>>>,
    pub full: bool,
}

/// The dry run's answer, and (with `applied`) what the apply did.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub detected: Detected,
    pub headers: Vec<String>,
    pub mapping: Vec<Option<ImportField>>,
    /// The file's first rows as read, for the mapping screen.
    pub samples: Vec<Vec<String>>,
    /// What a person needs and no column is mapped to (the employee number, the name, the
    /// unit): nothing is checked until the user maps them, and the apply is refused.
    pub missing: Vec<ImportField>,
    pub notices: Vec<ImportNotice>,
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub archived: u32,
    pub units_created: Vec<String>,
    /// The first rows' changes, for the preview table (all counts above are complete).
    pub changes: Vec<RowChange>,
    /// Everyone a full import would archive (first ones).
    pub to_archive: Vec<RowChange>,
    pub problems: Vec<RowProblem>,
    pub applied: bool,
}

/// The preview lists this many changes; the counts cover every row.
const PREVIEW_ROWS: usize = 500;

/// The mapping screen shows this many rows of the file under its headers.
const SAMPLE_ROWS: usize = 3;

/// Where a running import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ImportStage {
    Idle,
    Reading,
    Checking,
    Writing,
}

/// How far a running import got: `done` of `total` rows in its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub stage: ImportStage,
    pub done: u32,
    pub total: u32,
}

/// Shared between a running import and whoever watches it (the app's progress bar, its
/// cancel button). Atomics, so the watcher never waits for the import's lock. One per run: a
/// cancel asked for before the run reaches its first row still stops it.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicU8,
    done: AtomicU32,
    total: AtomicU32,
    cancelled: AtomicBool,
}

impl Progress {
    pub fn snapshot(&self) -> ImportProgress {
        ImportProgress {
            stage: match self.stage.load(Ordering::Relaxed) {
                1 => ImportStage::Reading,
                2 => ImportStage::Checking,
                3 => ImportStage::Writing,
                _ => ImportStage::Idle,
            },
            done: self.done.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
        }
    }

    /// Asks the running import to stop at its next row.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Marks the run started; it is shown idle again when the guard drops, however it ends.
    fn begin(&self) -> impl Drop + '_ {
        struct Running<'p>(&'p Progress);
        impl Drop for Running<'_> {
            fn drop(&mut self) {
                self.0.stage_to(ImportStage::Idle, 0);
            }
        }
        self.stage_to(ImportStage::Reading, 0);
        Running(self)
    }

    fn stage_to(&self, stage: ImportStage, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total as u32, Ordering::Relaxed);
        self.stage.store(stage as u8, Ordering::Relaxed);
    }

    /// Records `done` rows; fails when a stop was asked for.
    fn tick(&self, done: usize) -> Result<()> {
        // Every row would make the watcher's numbers no better, only the import slower.
        if done.is_multiple_of(256) {
            self.done.store(done as u32, Ordering::Relaxed);
            if self.cancelled.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }
}

/// Reads, maps and runs the import; keeps it only when `apply` is true. `progress` tells a
/// watcher how far it got and may stop it.
pub fn run(
    conn: &Connection,
    clock: &dyn Clock,
    bytes: &[u8],
    options: &ImportOptions,
    apply: bool,
    progress: &Progress,
) -> Result<ImportPreview> {
    let _running = progress.begin();
    crate::organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let table = read::read(bytes, &options.read)?;
    let sample: Vec<Vec<String>> = table
        .rows
        .iter()
        .take(50)
        .map(|r| r.cells.iter().map(str::to_owned).collect())
        .collect();
    let mapping = match &options.mapping {
        Some(m) if m.len() == table.headers.len() => m.clone(),
        Some(_) => {
            return Err(Error::Invalid {
                field: Field::Mapping,
            })
        }
        None => mapping::remembered(conn, &table.headers)?
            .unwrap_or_else(|| mapping::guess(&table.headers, &sample)),
    };
    let missing = missing_fields(&mapping);
    if apply && !missing.is_empty() {
        return Err(Error::ImportFile {
            problem: FileProblem::MissingColumn,
        });
    }
    let mut notices = Vec::new();
    for (h, m) in table.headers.iter().zip(&mapping) {
        match m {
            Some(ImportField::NationalId) => {
                notices.push(ImportNotice::NationalIdIgnored { column: h.clone() })
            }
            Some(ImportField::Hours) => {
                notices.push(ImportNotice::ColumnIgnored { column: h.clone() })
            }
            None if !h.trim().is_empty() => {
                notices.push(ImportNotice::UnknownColumn { column: h.clone() })
            }
            _ => {}
        }
    }

    // The plan reads only; the apply writes what the plan accepted, in the caller's
    // transaction, so a failure part-way leaves nothing behind.
    // Without the columns a person needs there is nothing to check yet: the dry run shows the
    // file and asks for them (the mapping screen), the apply refused above.
    let plan = if missing.is_empty() {
        progress.stage_to(ImportStage::Checking, table.rows.len());
        plan(conn, &table, &mapping, options.full, progress)?
    } else {
        Plan::default()
    };
    let mut preview = plan.preview(&table);
    if apply {
        progress.stage_to(ImportStage::Writing, plan.rows.len() + plan.archive.len());
        write(conn, clock, (&table, &mapping), &plan, progress)?;
        mapping::remember(conn, &table.headers, &mapping)?;
    }
    preview.detected = table.detected.clone();
    preview.headers = table.headers.clone();
    preview.mapping = mapping;
    preview.missing = missing;
    preview.samples = sample.into_iter().take(SAMPLE_ROWS).collect();
    preview.notices = notices;
    preview.applied = apply;
    let mut problems: Vec<RowProblem> = table
        .problems
        .iter()
        .map(|(line, problem)| RowProblem {
            line: *line,
            problem: problem.clone(),
        })
        .chain(preview.problems.drain(..))
        .collect();
    problems.sort_by_key(|p| p.line);
    preview.problems = problems;
    Ok(preview)
}

/// The fields every person needs that `mapping` does not give: a name is either one column or
/// the given and the family name, a unit either its name or its path.
fn missing_fields(mapping: &[Option<ImportField>]) -> Vec<ImportField> {
    let has = |f: ImportField| mapping.contains(&Some(f));
    let mut missing = Vec::new();
    if !has(ImportField::EmployeeNumber) {
        missing.push(ImportField::EmployeeNumber);
    }
    let named = has(ImportField::GivenName) && has(ImportField::FamilyName);
    if !(has(ImportField::Name) || named) {
        missing.push(ImportField::Name);
    }
    if !has(ImportField::Unit) && !has(ImportField::UnitPath) {
        missing.push(ImportField::Unit);
    }
    missing
}

/// Finds or makes units along a path under the organisation's top: names compared as typed
/// by people (case and spacing aside).
struct Units {
    top: Option<UnitId>,
    /// The top unit's name as compared, so a path may start with it.
    top_key: Option<String>,
    children: HashMap<(Option<UnitId>, String), UnitId>,
    created: Vec<String>,
}

impl Units {
    fn load(conn: &Connection) -> Result<Units> {
        let mut children = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT id, parent_id, name FROM unit WHERE archived_at IS NULL ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, UnitId>(0)?,
                r.get::<_, Option<UnitId>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut top = None;
        for row in rows {
            let (id, parent, name) = row?;
            if parent.is_none() && top.is_none() {
                top = Some(id);
            }
            children
                .entry((parent, normalise::unit_key(&name)))
                .or_insert(id);
        }
        let top_key = top.and_then(|t| {
            children
                .iter()
                .find(|(_, id)| **id == t)
                .map(|((_, k), _)| k.clone())
        });
        Ok(Units {
            top,
            top_key,
            children,
            created: Vec::new(),
        })
    }

    /// The unit at the end of `path` if it exists; else the paths of the units that resolving
    /// it would make (the organisation's top unit first in an empty store).
    fn lookup(&self, path: &[String], org_name: &str) -> (Option<UnitId>, Option<Vec<String>>) {
        let Some(top) = self.top else {
            let mut made = vec![org_name.to_owned()];
            let skip =
                path.first().map(|f| normalise::unit_key(f)) == Some(normalise::unit_key(org_name));
            let names = if skip { &path[1..] } else { path };
            for i in 0..names.len() {
                made.push(names[..=i].join(" / "));
            }
            return (None, Some(made));
        };
        let names =
            if self.top_key.as_deref() == path.first().map(|f| normalise::unit_key(f)).as_deref() {
                &path[1..]
            } else {
                path
            };
        let mut at = top;
        for (i, name) in names.iter().enumerate() {
            match self.children.get(&(Some(at), normalise::unit_key(name))) {
                Some(id) => at = *id,
                None => {
                    let made = (i..names.len()).map(|j| names[..=j].join(" / ")).collect();
                    return (None, Some(made));
                }
            }
        }
        (Some(at), None)
    }

    /// The unit at the end of `path`, made where missing. A path whose first name is the
    /// top unit's starts there; otherwise it hangs under the top unit.
    fn resolve(&mut self, conn: &Connection, clock: &dyn Clock, path: &[String]) -> Result<UnitId> {
        if self.top.is_none() {
            // An empty store: the organisation's own top unit first, as the app would make it.
            let name = crate::organisation::get(conn)?
                .ok_or(Error::NoOrganisation)?
                .name;
            let unit = units::create(
                conn,
                clock,
                &UnitInput {
                    name: name.clone(),
                    parent_id: None,
                    manager_id: None,
                },
            )?;
            self.top = Some(unit.id);
            self.top_key = Some(normalise::unit_key(&name));
            self.children
                .insert((None, normalise::unit_key(&name)), unit.id);
            self.created.push(name);
        }
        let mut parent: Option<UnitId> = None;
        let mut names = path;
        if let (Some(top), Some(first)) = (self.top, path.first()) {
            if self.top_key.as_deref() == Some(normalise::unit_key(first).as_str()) {
                names = &path[1..];
            }
            parent = Some(top);
        }
        let mut at = parent;
        for (i, name) in names.iter().enumerate() {
            let k = (at, normalise::unit_key(name));
            let id = match self.children.get(&k) {
                Some(id) => *id,
                None => {
                    let unit = units::create(
                        conn,
                        clock,
                        &UnitInput {
                            name: name.clone(),
                            parent_id: at,
                            manager_id: None,
                        },
                    )?;
                    self.children.insert(k, unit.id);
                    self.created
                        .push(path[..path.len() - names.len() + i + 1].join(" / "));
                    unit.id
                }
            };
            at = Some(id);
        }
        at.ok_or(Error::Empty {
            field: Field::UnitName,
        })
    }
}

/// What an existing person holds, for deciding create, update or unchanged without a query
/// per row.
struct Existing {
    id: PersonId,
    given_name: String,
    family_name: String,
    job_title: String,
    job_family: Option<String>,
    unit_id: UnitId,
    manager_id: Option<PersonId>,
    email: Option<String>,
    gender: Option<crate::people::Gender>,
    start_date: String,
    end_date: Option<String>,
    active: bool,
    unit_name: String,
}

fn existing_people(conn: &Connection) -> Result<HashMap<String, Existing>> {
    let mut stmt = conn.prepare(
        "SELECT p.*, j.name AS job_family, u.name AS unit_name
         FROM person p JOIN unit u ON u.id = p.unit_id
         LEFT JOIN job_family j ON j.id = p.job_family_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>("employee_number")?,
            Existing {
                id: r.get("id")?,
                given_name: r.get("given_name")?,
                family_name: r.get("family_name")?,
                job_title: r.get("job_title")?,
                job_family: r.get("job_family")?,
                unit_id: r.get("unit_id")?,
                manager_id: r.get("manager_id")?,
                email: r.get("email")?,
                gender: r
                    .get::<_, Option<String>>("gender")?
                    .as_deref()
                    .and_then(crate::people::Gender::parse),
                start_date: r.get("start_date")?,
                end_date: r.get("end_date")?,
                active: r.get::<_, Option<String>>("archived_at")?.is_none(),
                unit_name: r.get("unit_name")?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One checked row: what to write, and where.
struct Planned {
    input: PersonInput,
    path: Vec<String>,
    existing: Option<PersonId>,
}

/// What the dry run found. Rows to write are kept as their place in the table, not as the
/// people they make: the write makes each again from its cells (the same pure `plan_row`),
/// so a million-row file is not held twice, once as text and once as people.
#[derive(Default)]
struct Plan {
    rows: Vec<usize>,
    /// The store's people by employee number, as the rows were checked against them.
    existing: HashMap<String, Existing>,
    org_name: String,
    changes: Vec<RowChange>,
    counts: (u32, u32, u32),
    units_created: Vec<String>,
    problems: Vec<RowProblem>,
    archive: Vec<(PersonId, RowChange)>,
}

impl Plan {
    fn preview(&self, table: &read::Table) -> ImportPreview {
        ImportPreview {
            detected: table.detected.clone(),
            headers: Vec::new(),
            mapping: Vec::new(),
            samples: Vec::new(),
            missing: Vec::new(),
            notices: Vec::new(),
            rows: table.rows.len() as u32 + table.problems.len() as u32,
            created: self.counts.0,
            updated: self.counts.1,
            unchanged: self.counts.2,
            archived: self.archive.len() as u32,
            units_created: self.units_created.clone(),
            changes: self.changes.clone(),
            to_archive: self
                .archive
                .iter()
                .take(PREVIEW_ROWS)
                .map(|(_, c)| c.clone())
                .collect(),
            problems: self.problems.clone(),
            applied: false,
        }
    }
}

/// Checks every row with the rules `people::create` applies, against the store as it is,
/// without writing: the dry run, and the first half of the apply.
fn plan(
    conn: &Connection,
    table: &read::Table,
    mapping: &[Option<ImportField>],
    full: bool,
    progress: &Progress,
) -> Result<Plan> {
    let existing = existing_people(conn)?;
    let units = Units::load(conn)?;
    let org_name = crate::organisation::get(conn)?
        .ok_or(Error::NoOrganisation)?
        .name;
    let mut new_units: Vec<String> = Vec::new();
    let mut new_unit_keys = std::collections::HashSet::new();
    let mut plan = Plan::default();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        progress.tick(i)?;
        let cells = normalise::Cells::new(&row.cells, mapping);
        let number = cells.text(ImportField::EmployeeNumber);
        if !number.is_empty() {
            if let Some(first_line) = seen.get(&number) {
                plan.problems.push(RowProblem {
                    line: row.line,
                    problem: ImportProblem::DuplicateEmployeeNumber {
                        number: number.clone(),
                        first_line: *first_line,
                    },
                });
                continue;
            }
            seen.insert(number.clone(), row.line);
        }
        let before = existing.get(&number);
        match plan_row(&cells, &number, before, &units, &org_name) {
            Ok((planned, unit_new)) => {
                let unit_name = planned.path.join(" / ");
                let change = match (before, &unit_new) {
                    (None, _) => Change::Create,
                    (Some(_), Some(_)) => Change::Update,
                    (Some(b), None) if same(&planned.input, b) => Change::Unchanged,
                    (Some(_), None) => Change::Update,
                };
                if let Some(paths) = unit_new {
                    for p in paths {
                        if new_unit_keys.insert(normalise::unit_key(&p)) {
                            new_units.push(p);
                        }
                    }
                }
                match change {
                    Change::Create => plan.counts.0 += 1,
                    Change::Update => plan.counts.1 += 1,
                    Change::Unchanged => plan.counts.2 += 1,
                }
                if change != Change::Unchanged {
                    if plan.changes.len() < PREVIEW_ROWS {
                        plan.changes.push(RowChange {
                            line: row.line,
                            employee_number: number.clone(),
                            name: format!(
                                "{} {}",
                                planned.input.given_name, planned.input.family_name
                            ),
                            unit: unit_name,
                            change,
                        });
                    }
                    plan.rows.push(i);
                }
            }
            Err(error) => plan.problems.push(RowProblem {
                line: row.line,
                problem: ImportProblem::Rejected { error },
            }),
        }
    }
    if full {
        let mut missing: Vec<(&String, &Existing)> = existing
            .iter()
            .filter(|(n, e)| e.active && !seen.contains_key(*n))
            .collect();
        missing.sort_by(|a, b| a.1.family_name.cmp(&b.1.family_name));
        for (number, e) in missing {
            plan.archive.push((
                e.id,
                RowChange {
                    line: 0,
                    employee_number: number.clone(),
                    name: format!("{} {}", e.given_name, e.family_name),
                    unit: e.unit_name.clone(),
                    change: Change::Update,
                },
            ));
        }
    }
    plan.units_created = new_units;
    plan.existing = existing;
    plan.org_name = org_name;
    Ok(plan)
}

/// Whether a row would leave a person as they are.
fn same(input: &PersonInput, p: &Existing) -> bool {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    input.given_name == p.given_name
        && input.family_name == p.family_name
        && input.job_title == p.job_title
        && opt(&input.job_family) == p.job_family
        && input.unit_id == p.unit_id
        && opt(&input.email) == p.email
        && input.gender == p.gender
        && input.start_date == p.start_date
        && opt(&input.end_date) == p.end_date
}

/// One row checked: the person as it would be written, and the units its path would add
/// (`None` when the unit exists). Fields the file does not map keep what the store holds.
fn plan_row(
    cells: &normalise::Cells<'_>,
    number: &str,
    before: Option<&Existing>,
    units: &Units,
    org_name: &str,
) -> Result<(Planned, Option<Vec<String>>)> {
    if before.is_some_and(|b| !b.active) {
        return Err(Error::Archived {
            entity: crate::error::Entity::Person,
        });
    }
    let (given, family) = cells.names();
    let path = cells.unit_path();
    if path.is_empty() {
        return Err(Error::Empty {
            field: Field::UnitName,
        });
    }
    let (unit_id, new) = units.lookup(&path, org_name);
    let keep = |f: ImportField, new: String, old: Option<String>| {
        if cells.has(f) {
            new
        } else {
            old.unwrap_or_default()
        }
    };
    let input = PersonInput {
        employee_number: number.to_owned(),
        given_name: given,
        family_name: family,
        job_title: keep(
            ImportField::JobTitle,
            cells.text(ImportField::JobTitle),
            before.map(|p| p.job_title.clone()),
        ),
        job_family: keep(
            ImportField::JobFamily,
            cells.text(ImportField::JobFamily),
            before.and_then(|p| p.job_family.clone()),
        ),
        unit_id: unit_id.unwrap_or_default(),
        manager_id: before.and_then(|p| p.manager_id),
        email: keep(
            ImportField::Email,
            cells.text(ImportField::Email),
            before.and_then(|p| p.email.clone()),
        ),
        gender: if cells.has(ImportField::Gender) {
            cells.gender()
        } else {
            before.and_then(|p| p.gender)
        },
        start_date: match cells.date(ImportField::StartDate)? {
            Some(d) => d.to_string(),
            None => before.map(|p| p.start_date.clone()).unwrap_or_default(),
        },
        end_date: if cells.has(ImportField::EndDate) {
            cells
                .date(ImportField::EndDate)?
                .map(|d| d.to_string())
                .unwrap_or_default()
        } else {
            before.and_then(|p| p.end_date.clone()).unwrap_or_default()
        },
    };
    // The same checks `people::create` makes, so the plan promises only what the write does.
    people::check(&input)?;
    Ok((
        Planned {
            input,
            path,
            existing: before.map(|b| b.id),
        },
        new,
    ))
}

/// Writes what the plan accepted: each row's units where missing, then the person, then the
/// archiving of a full import. Any failure (or a cancel) fails the whole import.
fn write(
    conn: &Connection,
    clock: &dyn Clock,
    (table, mapping): (&read::Table, &[Option<ImportField>]),
    plan: &Plan,
    progress: &Progress,
) -> Result<()> {
    let mut units = Units::load(conn)?;
    let mut people = people::Batch::new(conn, clock);
    for (i, &at) in plan.rows.iter().enumerate() {
        progress.tick(i)?;
        let cells = normalise::Cells::new(&table.rows[at].cells, mapping);
        let number = cells.text(ImportField::EmployeeNumber);
        let before = plan.existing.get(&number);
        let (mut row, _) = plan_row(&cells, &number, before, &units, &plan.org_name)?;
        row.input.unit_id = units.resolve(conn, clock, &row.path)?;
        people.save(row.existing, &row.input)?;
    }
    for (i, (id, _)) in plan.archive.iter().enumerate() {
        progress.tick(plan.rows.len() + i)?;
        people::archive(conn, clock, *id)?;
    }
    Ok(())
}
