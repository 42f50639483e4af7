//! CSV for Excel in the Nordics: `;` between cells, UTF-8 with a byte order mark (without it
//! Excel reads UTF-8 as the Windows code page and breaks æ ø å ä ö), numbers with the
//! language's decimal sign and no grouping, dates as ISO 8601 (which every Excel reads as a
//! date). A text cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, TAB,
//! CR first) is neutralised with a leading apostrophe.

use super::locale::Locale;
use super::table::{Cell, Sheet};
use crate::error::{Error, Result};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Text that a spreadsheet would not evaluate.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn cell_text(cell: &Cell, locale: &Locale) -> String {
    match cell {
        Cell::Text(s) => neutralise(s).into_owned(),
        Cell::Number(n, _) => locale.plain(*n),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        other => other.display(locale),
    }
}

pub fn write(sheet: &Sheet, locale: &Locale) -> Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    let failed = |e: csv::Error| Error::FileSystem {
        detail: e.to_string(),
    };
    out.write_record(
        sheet
            .columns
            .iter()
            .map(|c| neutralise(&c.title).into_owned()),
    )
    .map_err(failed)?;
    for row in &sheet.rows {
        out.write_record(row.iter().map(|c| cell_text(c, locale)))
            .map_err(failed)?;
    }
    out.into_inner().map_err(|e| Error::FileSystem {
        detail: e.to_string(),
    })
}
