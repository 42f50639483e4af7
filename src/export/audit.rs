//! The audit trail as a file: every entry, newest first, as CSV or XLSX, in the export's
//! language (the action names are the UI's own words). Like the trail itself it holds no note
//! text: who, when, what, about whom, and the entry's detail.

use rusqlite::Connection;

use super::locale::Locale;
use super::table::{Cell, Column, Sheet};
use super::words::Words;
use super::{export_error, ExportFormat, ExportProblem};
use crate::audit::{self, code, AuditEntry, AuditSubject};
use crate::error::Result;
use crate::organisation::Language;

/// A talk or action as the reader knows it: "MUS with Freja Nielsen, 2026", the UI's words.
fn subject_text(subject: &AuditSubject, words: &Words) -> String {
    match subject {
        AuditSubject::Talk {
            talk_kind,
            with,
            year,
        } => {
            let kind = words.export(&format!("kinds.{}", talk_kind.as_str()));
            let year = year.to_string();
            if with.is_empty() {
                words.fill(
                    "audit.subject.talkAlone",
                    &[("kind", kind), ("year", &year)],
                )
            } else {
                words.fill(
                    "audit.subject.talk",
                    &[("kind", kind), ("names", &with.join(", ")), ("year", &year)],
                )
            }
        }
        AuditSubject::Action { title, year } => words.fill(
            "audit.subject.action",
            &[("title", title), ("year", &year.to_string())],
        ),
    }
}

fn sheet(entries: &[AuditEntry], words: &Words) -> Sheet {
    let col = |key: &str, width| Column::new(words.get(&format!("audit.columns.{key}")), width);
    let mut sheet = Sheet::new(
        words.get("audit.title"),
        vec![
            col("at", 20.0),
            col("actor", 22.0),
            col("action", 30.0),
            col("record", 16.0),
            col("person", 26.0),
            col("detail", 36.0),
        ],
    );
    for e in entries {
        let record = match (&e.subject, e.entity_id) {
            (Some(subject), _) => subject_text(subject, words),
            (None, Some(id)) => format!(
                "{} {id}",
                words.get(&format!("audit.entities.{}", code(&e.entity)))
            ),
            (None, None) => words
                .get(&format!("audit.entities.{}", code(&e.entity)))
                .to_owned(),
        };
        sheet.push(vec![
            Cell::text(e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
            Cell::text(e.actor.clone()),
            Cell::text(words.get(&format!("audit.actions.{}", code(&e.action)))),
            Cell::text(record),
            Cell::text(e.person_name.clone().unwrap_or_default()),
            Cell::text(e.detail.clone()),
        ]);
    }
    sheet
}

/// The trail's file of `format` (CSV or XLSX) and the name to suggest.
pub fn file(
    conn: &Connection,
    format: ExportFormat,
    language: Language,
    today: chrono::NaiveDate,
) -> Result<(String, Vec<u8>)> {
    let entries = audit::all(conn, None)?;
    if entries.is_empty() {
        return Err(export_error(ExportProblem::NoData));
    }
    let words = Words::of(language);
    let sheet = sheet(&entries, words);
    let bytes = match format {
        ExportFormat::Csv => super::csv_file::write(&sheet, &Locale::new(language))?,
        ExportFormat::Xlsx => super::xlsx::write(&[sheet])?,
        ExportFormat::Pdf | ExportFormat::Json => {
            return Err(export_error(ExportProblem::FormatNotOffered))
        }
    };
    let name = super::file_name(&[words.get("audit.title"), &today.to_string()], format);
    Ok((name, bytes))
}
