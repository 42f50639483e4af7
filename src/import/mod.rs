//! Importing people and units from payroll and HR-system files (CSV, TSV, XLSX).
//!
//! - `read`: bytes to a table (encoding, delimiter, quotes, XLSX sheets).
//! - `mapping`: which column is what, in four languages; remembered per file shape.
//! - `normalise`: cell text to clean values (whitespace, Unicode NFC, dates, names, gender).
//! - this module: the dry run and the apply, which are one function: the import runs inside a
//!   savepoint, row by row through the same `people::create`/`update` the app uses, and the
//!   dry run rolls the savepoint back. So the preview cannot promise what the apply would not do.
//!
//! Invariants: an import never deletes (a full import archives people missing from the file,
//! only when asked); it upserts on the employee number, so importing the same file again
//! changes nothing; the apply is one transaction (the caller's); a national identity number is
//! never stored.

pub mod mapping;
pub mod normalise;
pub mod read;

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};
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

/// Reads, maps and runs the import; keeps it only when `apply` is true.
pub fn run(
    conn: &Connection,
    clock: &dyn Clock,
    bytes: &[u8],
    options: &ImportOptions,
    apply: bool,
) -> Result<ImportPreview> {
    crate::organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let table = read::read(bytes, &options.read)?;
    let sample: Vec<Vec<String>> = table
        .rows
        .iter()
        .take(50)
        .map(|r| r.cells.clone())
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
    let col = |f: ImportField| mapping.iter().position(|m| *m == Some(f));
    let has_name = col(ImportField::Name).is_some()
        || (col(ImportField::GivenName).is_some() && col(ImportField::FamilyName).is_some());
    let has_unit = col(ImportField::Unit).is_some() || col(ImportField::UnitPath).is_some();
    if col(ImportField::EmployeeNumber).is_none() || !has_name || !has_unit {
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

    conn.execute_batch("SAVEPOINT import")?;
    let outcome = import_rows(conn, clock, &table, &mapping, options.full);
    let keep = apply && outcome.is_ok();
    conn.execute_batch(if keep {
        "RELEASE import"
    } else {
        "ROLLBACK TO import; RELEASE import"
    })?;
    let mut preview = outcome?;
    if keep {
        mapping::remember(conn, &table.headers, &mapping)?;
    }
    preview.detected = table.detected.clone();
    preview.headers = table.headers.clone();
    preview.mapping = mapping;
    preview.notices = notices;
    preview.applied = keep;
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

/// Finds or makes units along a path under the organisation's top: names compared as typed
/// by people (case and spacing aside).
struct Units {
    top: Option<UnitId>,
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
        Ok(Units {
            top,
            children,
            created: Vec::new(),
        })
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
            self.children
                .insert((None, normalise::unit_key(&name)), unit.id);
            self.created.push(name);
        }
        let mut parent: Option<UnitId> = None;
        let mut names = path;
        if let (Some(top), Some(first)) = (self.top, path.first()) {
            let top_key = self
                .children
                .iter()
                .find(|(_, id)| **id == top)
                .map(|((_, k), _)| k.clone());
            if top_key.as_deref() == Some(normalise::unit_key(first).as_str()) {
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

fn import_rows(
    conn: &Connection,
    clock: &dyn Clock,
    table: &read::Table,
    mapping: &[Option<ImportField>],
    full: bool,
) -> Result<ImportPreview> {
    let mut preview = ImportPreview {
        detected: table.detected.clone(),
        headers: Vec::new(),
        mapping: Vec::new(),
        notices: Vec::new(),
        rows: table.rows.len() as u32 + table.problems.len() as u32,
        created: 0,
        updated: 0,
        unchanged: 0,
        archived: 0,
        units_created: Vec::new(),
        changes: Vec::new(),
        to_archive: Vec::new(),
        problems: Vec::new(),
        applied: false,
    };
    let mut units = Units::load(conn)?;
    let mut seen: HashMap<String, u32> = HashMap::new();
    let existing_by_number = |number: &str| -> Result<Option<PersonId>> {
        Ok(conn
            .prepare_cached("SELECT id FROM person WHERE employee_number = ?1")?
            .query_row([number], |r| r.get(0))
            .optional()?)
    };
    for row in &table.rows {
        let cells = normalise::Cells::new(&row.cells, mapping);
        let number = cells.text(ImportField::EmployeeNumber);
        if !number.is_empty() {
            if let Some(first_line) = seen.get(&number) {
                preview.problems.push(RowProblem {
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
        // Each row in its own savepoint: a refused row leaves nothing behind, not even its unit.
        conn.prepare_cached("SAVEPOINT import_row")?.execute([])?;
        let created_before = units.created.len();
        let result = import_row(
            conn,
            clock,
            &cells,
            &number,
            &mut units,
            existing_by_number(&number)?,
        );
        match result {
            Ok((change, name, unit)) => {
                conn.prepare_cached("RELEASE import_row")?.execute([])?;
                match change {
                    Change::Create => preview.created += 1,
                    Change::Update => preview.updated += 1,
                    Change::Unchanged => preview.unchanged += 1,
                }
                if preview.changes.len() < PREVIEW_ROWS && change != Change::Unchanged {
                    preview.changes.push(RowChange {
                        line: row.line,
                        employee_number: number,
                        name,
                        unit,
                        change,
                    });
                }
            }
            Err(error) => {
                conn.execute_batch("ROLLBACK TO import_row; RELEASE import_row")?;
                // A unit made for this row alone is gone again: forget it.
                let created = units.created[..created_before].to_vec();
                units = Units::load(conn)?;
                units.created = created;
                if matches!(error, Error::Storage { .. } | Error::StoreCorrupt { .. }) {
                    return Err(error);
                }
                preview.problems.push(RowProblem {
                    line: row.line,
                    problem: ImportProblem::Rejected { error },
                });
            }
        }
    }
    if full {
        let missing: Vec<(PersonId, String, String, String)> = conn
            .prepare(
                "SELECT p.id, p.employee_number, p.given_name || ' ' || p.family_name, u.name
                 FROM person p JOIN unit u ON u.id = p.unit_id
                 WHERE p.archived_at IS NULL ORDER BY p.family_key",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, number, name, unit) in missing {
            if seen.contains_key(&number) {
                continue;
            }
            people::archive(conn, clock, id)?;
            preview.archived += 1;
            if preview.to_archive.len() < PREVIEW_ROWS {
                preview.to_archive.push(RowChange {
                    line: 0,
                    employee_number: number,
                    name,
                    unit,
                    change: Change::Update,
                });
            }
        }
    }
    preview.units_created = units.created;
    Ok(preview)
}

/// One row through the app's own create or update. Fields the file does not map keep what the
/// store holds.
fn import_row(
    conn: &Connection,
    clock: &dyn Clock,
    cells: &normalise::Cells<'_>,
    number: &str,
    units: &mut Units,
    existing: Option<PersonId>,
) -> Result<(Change, String, String)> {
    let before = existing.map(|id| people::get(conn, id)).transpose()?;
    let (given, family) = cells.names();
    let path = cells.unit_path();
    if path.is_empty() {
        return Err(Error::Empty {
            field: Field::UnitName,
        });
    }
    let unit_id = units.resolve(conn, clock, &path)?;
    let keep = |f: ImportField, new: String, old: Option<String>| {
        if cells.has(f) {
            new
        } else {
            old.unwrap_or_default()
        }
    };
    let b = before.as_ref();
    let input = PersonInput {
        employee_number: number.to_owned(),
        given_name: given,
        family_name: family,
        job_title: keep(
            ImportField::JobTitle,
            cells.text(ImportField::JobTitle),
            b.map(|p| p.job_title.clone()),
        ),
        job_family: keep(
            ImportField::JobFamily,
            cells.text(ImportField::JobFamily),
            b.and_then(|p| p.job_family.clone()),
        ),
        unit_id,
        manager_id: b.and_then(|p| p.manager_id),
        email: keep(
            ImportField::Email,
            cells.text(ImportField::Email),
            b.and_then(|p| p.email.clone()),
        ),
        gender: if cells.has(ImportField::Gender) {
            cells.gender()
        } else {
            b.and_then(|p| p.gender)
        },
        start_date: match cells.date(ImportField::StartDate)? {
            Some(d) => d.to_string(),
            None => b.map(|p| p.start_date.to_string()).unwrap_or_default(),
        },
        end_date: if cells.has(ImportField::EndDate) {
            cells
                .date(ImportField::EndDate)?
                .map(|d| d.to_string())
                .unwrap_or_default()
        } else {
            b.and_then(|p| p.end_date)
                .map(|d| d.to_string())
                .unwrap_or_default()
        },
    };
    let name = format!("{} {}", input.given_name, input.family_name);
    let unit_name = path.join(" / ");
    match before {
        None => {
            people::save_quietly(conn, clock, None, &input)?;
            Ok((Change::Create, name, unit_name))
        }
        Some(p) => {
            // Compared before writing, so an unchanged row keeps even its `updated_at`.
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            let same = input.given_name == p.given_name
                && input.family_name == p.family_name
                && input.job_title == p.job_title
                && opt(&input.job_family) == p.job_family
                && input.unit_id == p.unit_id
                && opt(&input.email) == p.email
                && input.gender == p.gender
                && input.start_date == p.start_date.to_string()
                && opt(&input.end_date) == p.end_date.map(|d| d.to_string());
            if same {
                return Ok((Change::Unchanged, name, unit_name));
            }
            if !p.active {
                return Err(Error::Archived {
                    entity: crate::error::Entity::Person,
                });
            }
            people::save_quietly(conn, clock, Some(p.id), &input)?;
            Ok((Change::Update, name, unit_name))
        }
    }
}
