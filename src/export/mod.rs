//! What leaves the laptop: a unit's action plan, an employee's personal plan, HR's annual
//! summary and the unit bundle HR collects, as PDF, XLSX and CSV.
//!
//! Invariants: an export carries the agreed layer and aggregates only, never a private note
//! or a party's unshared preparation (the queries here read no such table); a file is written
//! beside its destination under a temporary name and renamed when complete, so a failed export
//! leaves no partial file; the words, numbers, money and dates are those of the chosen
//! language.

pub mod audit;
pub mod bundle;
pub mod csv_file;
pub mod hr;
pub mod locale;
pub mod pdf;
pub mod personal;
pub mod suppress;
pub mod table;
pub mod unit_plan;
pub mod words;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, Result};
use crate::ids::{PersonId, UnitId};

/// The file formats of exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Pdf,
    Xlsx,
    Csv,
    /// A unit bundle for HR: a file for another Samtale to read, not for people.
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Some(ExportFormat::Pdf),
            "xlsx" => Some(ExportFormat::Xlsx),
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }
}

/// Why an export could not be made, for the UI to say in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportProblem {
    /// The year holds nothing to export for the chosen unit or person.
    NoData,
    /// This export is not made in that format (e.g. a personal plan as CSV).
    FormatNotOffered,
    /// The chosen folder does not exist.
    FolderMissing,
    /// The chosen folder cannot be written to.
    NotWritable,
    /// The disk is full.
    DiskFull,
}

pub(crate) fn export_error(problem: ExportProblem) -> Error {
    Error::Export { problem }
}

/// What to export, as the app asks for it.
#[derive(Debug, Clone, PartialEq, Deserialize, Type)]
#[serde(
    tag = "what",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ExportRequest {
    UnitPlan {
        unit_id: UnitId,
        year: i32,
    },
    PersonalPlan {
        person_id: PersonId,
        year: i32,
    },
    /// The whole organisation, or `root`'s tree.
    HrSummary {
        year: i32,
        root: Option<UnitId>,
    },
    /// A unit's bundle for HR (JSON only): its figures and plan of the year, no notes.
    UnitBundle {
        unit_id: UnitId,
        year: i32,
    },
    /// HR's summary over the unit bundles it has imported.
    BundleSummary {
        year: i32,
    },
    /// The audit trail, every entry (CSV or XLSX).
    AuditTrail {},
    /// Everything about one person (their access right): PDF to read, JSON complete.
    PersonalData {
        person_id: PersonId,
    },
}

/// A made export before it is saved: the name to suggest and the file's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What an export made.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
    #[specta(type = u32)]
    pub bytes: u64,
}

fn io_problem(e: &std::io::Error) -> Option<ExportProblem> {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => Some(ExportProblem::FolderMissing),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            Some(ExportProblem::NotWritable)
        }
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Some(ExportProblem::DiskFull),
        _ => None,
    }
}

fn write_error(e: std::io::Error) -> Error {
    io_problem(&e).map(export_error).unwrap_or_else(|| e.into())
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file in the same folder,
/// flushed to disk, then renamed over `path`. On any failure the temporary file is removed and
/// `path` is as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Exported> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(export_error(ExportProblem::FolderMissing));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".samtale-export-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(write_error)?;
    tmp.write_all(bytes).map_err(write_error)?;
    tmp.as_file().sync_all().map_err(write_error)?;
    tmp.persist(path).map_err(|e| write_error(e.error))?;
    Ok(Exported {
        path: path.to_string_lossy().into_owned(),
        bytes: bytes.len() as u64,
    })
}

/// The names of the competences an action develops ("Dokumentation, Samarbejde").
pub(crate) fn competence_names(action: &crate::actions::Action) -> String {
    action
        .competences
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an action is done, in one line: its theme and competences.
pub(crate) fn why(action: &crate::actions::Action) -> String {
    let competences = competence_names(action);
    [action.theme.as_str(), competences.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A file name without the characters file systems refuse, for the name an export suggests.
pub fn file_name(parts: &[&str], format: ExportFormat) -> String {
    let stem: String = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-");
    let mut stem: String = stem
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.chars().count() > 100 {
        stem = stem.chars().take(100).collect();
    }
    format!("{stem}.{}", format.extension())
}
