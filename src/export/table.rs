//! A sheet of an export: named columns and typed cells, written alike as CSV, as an XLSX sheet
//! (real numbers and dates) or laid out in a PDF (formatted text).

use chrono::NaiveDate;

use super::locale::Locale;

/// What a number measures, for its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Measure {
    Count,
    Money,
    Hours,
    Share,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64, Measure),
    Date(NaiveDate),
    /// A count of fewer people than the privacy threshold: shown as "<5", never the number.
    Suppressed(u32),
    /// A count hidden with a suppressed one, so that the totals beside it do not give the
    /// suppressed one back: shown as "..", the Nordic statistics offices' mark for a figure
    /// withheld. It is not small; "<5" would be untrue.
    Masked,
}

/// How a [`Cell::Masked`] reads.
pub const MASKED: &str = "..";

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn count(n: u32) -> Cell {
        Cell::Number(n as f64, Measure::Count)
    }

    pub fn money(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Number(v, Measure::Money))
    }

    pub fn hours(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Number(v, Measure::Hours))
    }

    pub fn date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    /// The cell as a reader of the language sees it.
    pub fn display(&self, locale: &Locale) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n, Measure::Count) => locale.integer(n.round() as i64),
            Cell::Number(n, Measure::Money) => locale.money(*n),
            Cell::Number(n, Measure::Hours) => locale.hours(*n),
            Cell::Number(n, Measure::Share) => locale.percent(*n),
            Cell::Date(d) => locale.date(*d),
            Cell::Suppressed(min) => format!("<{min}"),
            Cell::Masked => MASKED.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// Width in characters, for XLSX.
    pub width: f64,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f64) -> Column {
        Column {
            title: title.into(),
            width,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name (XLSX allows 31 characters and no `[]:*?/\`).
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, columns: Vec<Column>) -> Sheet {
        let name: String = name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        Sheet {
            name,
            columns,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }
}
