//! Cell text to clean values. Text is trimmed, inner whitespace collapsed and put in Unicode
//! NFC, so a name typed on a Mac (decomposed "å") equals its twin from Windows. Text that looks
//! like a spreadsheet formula is kept as the text it is: Samtale never evaluates cells.

use chrono::{Duration, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use super::mapping::ImportField;
use crate::error::{Error, Field, Result};
use crate::people::Gender;

/// Trimmed, one space between words, NFC.
pub fn clean(text: &str) -> String {
    // Most cells are tidy already: checking is cheaper than rebuilding every one of them
    // (60,000 rows × 9 cells was a tenth of an import's time).
    let t = text.trim();
    let tidy = !t
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b' ' && w[1] == b' ')
        && !t.contains(|c: char| c.is_whitespace() && c != ' ');
    let joined = if tidy {
        std::borrow::Cow::Borrowed(t)
    } else {
        std::borrow::Cow::Owned(t.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    match unicode_normalization::is_nfc_quick(joined.chars()) {
        unicode_normalization::IsNormalized::Yes => joined.into_owned(),
        _ => joined.nfc().collect(),
    }
}

/// How unit names are compared: clean and lower case.
pub fn unit_key(name: &str) -> String {
    clean(name).to_lowercase()
}

/// A date as payroll systems write it: dd-mm-yyyy, dd.mm.yyyy, dd/mm/yyyy, yyyy-mm-dd, or an
/// Excel serial number (days since 1899-12-30).
pub fn date(text: &str) -> Option<NaiveDate> {
    let t = clean(text);
    if t.is_empty() {
        return None;
    }
    for format in [
        "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y.%m.%d", "%Y/%m/%d",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(&t, format) {
            return Some(d);
        }
    }
    // A date with a time after it (from an XLSX or a database export).
    if let Some(first) = t.split([' ', 'T']).next().filter(|f| f.len() < t.len()) {
        return date(first);
    }
    // Excel serials; a decimal comma or point for a time of day is dropped.
    let whole = t.split([',', '.']).next().unwrap_or("");
    let serial: i64 = whole.parse().ok()?;
    (1..=2_958_465)
        .contains(&serial)
        .then(|| {
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|d| d.checked_add_signed(Duration::days(serial)))
        })
        .flatten()
}

pub fn gender(text: &str) -> Option<Gender> {
    match clean(text).to_lowercase().as_str() {
        "k" | "f" | "kvinde" | "kvinna" | "kvinne" | "female" | "woman" | "kv" => {
            Some(Gender::Female)
        }
        "m" | "mand" | "man" | "mann" | "male" => Some(Gender::Male),
        "a" | "andet" | "annat" | "annet" | "other" | "x" => Some(Gender::Other),
        _ => None,
    }
}

/// Splits one name cell: "Hansen, Anne Marie" or "Anne Marie Hansen" (the last word is the
/// family name).
pub fn split_name(text: &str) -> (String, String) {
    let t = clean(text);
    if let Some((family, given)) = t.split_once(',') {
        return (clean(given), clean(family));
    }
    match t.rsplit_once(' ') {
        Some((given, family)) => (given.to_owned(), family.to_owned()),
        None => (String::new(), t),
    }
}

/// One row's cells, read through the mapping.
pub struct Cells<'a> {
    cells: &'a csv::StringRecord,
    mapping: &'a [Option<ImportField>],
}

impl<'a> Cells<'a> {
    pub fn new(cells: &'a csv::StringRecord, mapping: &'a [Option<ImportField>]) -> Cells<'a> {
        Cells { cells, mapping }
    }

    pub fn has(&self, field: ImportField) -> bool {
        self.mapping.contains(&Some(field))
    }

    fn raw(&self, field: ImportField) -> &str {
        self.mapping
            .iter()
            .position(|m| *m == Some(field))
            .and_then(|i| self.cells.get(i))
            .unwrap_or("")
    }

    pub fn text(&self, field: ImportField) -> String {
        clean(self.raw(field))
    }

    pub fn names(&self) -> (String, String) {
        if self.has(ImportField::GivenName) || self.has(ImportField::FamilyName) {
            (
                self.text(ImportField::GivenName),
                self.text(ImportField::FamilyName),
            )
        } else {
            split_name(self.raw(ImportField::Name))
        }
    }

    /// The unit's path from the top: from a path column (`/` or `>` between names), else the
    /// parent and the unit.
    pub fn unit_path(&self) -> Vec<String> {
        let parts: Vec<String> = if self.has(ImportField::UnitPath) {
            self.raw(ImportField::UnitPath)
                .split(['/', '>', '\\'])
                .map(clean)
                .collect()
        } else {
            vec![
                self.text(ImportField::ParentUnit),
                self.text(ImportField::Unit),
            ]
        };
        parts.into_iter().filter(|p| !p.is_empty()).collect()
    }

    pub fn gender(&self) -> Option<Gender> {
        gender(self.raw(ImportField::Gender))
    }

    /// A mapped date cell; a cell that is not a date is the row's error, named by field.
    pub fn date(&self, field: ImportField) -> Result<Option<NaiveDate>> {
        let raw = self.raw(field);
        if raw.trim().is_empty() || !self.has(field) {
            return Ok(None);
        }
        date(raw).map(Some).ok_or(Error::Invalid {
            field: if field == ImportField::EndDate {
                Field::EndDate
            } else {
                Field::StartDate
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `clean` does, without its shortcut for tidy cells.
    fn clean_the_long_way(text: &str) -> String {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .nfc()
            .collect()
    }

    proptest! {
        #[test]
        fn the_shortcut_for_tidy_cells_cleans_as_the_long_way_does(text in "\\PC*|[ a\u{0301}\u{00e5}\t\u{00a0}]*") {
            prop_assert_eq!(clean(&text), clean_the_long_way(&text));
        }
    }

    #[test]
    fn a_decomposed_name_equals_its_composed_twin() {
        assert_eq!(clean(" A\u{030a}se  Ørsted "), "Åse Ørsted");
    }
}
