//! From a file's bytes to a table of text cells: the encoding and delimiter detected (or as the
//! user overrides them), CSV parsed by the `csv` crate, XLSX read by `calamine`.
//!
//! Invariants: nothing here panics on any input (a property test feeds it random bytes); a file
//! above [`MAX_BYTES`] is refused before it is decoded; every row keeps the line it started on,
//! so a problem can be named by line.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::ImportProblem;
use crate::error::{Error, Result};

/// Larger than any payroll export of the largest users (60,000 rows are about 10 MB).
pub const MAX_BYTES: usize = 100 * 1024 * 1024;
/// Columns beyond this are not a people export.
pub const MAX_COLUMNS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Encoding {
    Utf8,
    /// What Excel writes as "CSV" on a Nordic Windows.
    Windows1252,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Delimiter {
    Semicolon,
    Comma,
    Tab,
}

impl Delimiter {
    fn byte(self) -> u8 {
        match self {
            Delimiter::Semicolon => b';',
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    Csv,
    Xlsx,
}

/// How to read a file; `None` means detect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReadOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<Delimiter>,
    /// The XLSX sheet to read; the first when not given.
    pub sheet: Option<String>,
}

/// What was detected (or chosen), shown so the user can override it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Detected {
    pub kind: FileKind,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<Delimiter>,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The file's line (CSV) or row (XLSX) the record starts on, from 1.
    pub line: u32,
    /// One buffer per row, not a `String` per cell: a 100 MB file is a million rows, and
    /// ten allocations each made its table five times the size of the file.
    pub cells: csv::StringRecord,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub detected: Detected,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Rows that could not be read as records at all (ragged, an unbalanced quote).
    pub problems: Vec<(u32, ImportProblem)>,
}

fn is_xlsx(bytes: &[u8]) -> bool {
    // A ZIP file; an XLSX renamed to .csv is still read as the workbook it is.
    bytes.starts_with(b"PK\x03\x04")
}

/// Decodes text: a BOM decides; else valid UTF-8 is UTF-8; else the detector picks (in practice
/// Windows-1252, which is what Nordic Excel writes).
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> (String, Encoding) {
    let encoding = forced.unwrap_or_else(|| {
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            Encoding::Utf8
        } else if bytes.starts_with(&[0xFF, 0xFE]) {
            Encoding::Utf16Le
        } else if bytes.starts_with(&[0xFE, 0xFF]) {
            Encoding::Utf16Be
        } else if std::str::from_utf8(bytes).is_ok() {
            Encoding::Utf8
        } else {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            // The first 64 KB tell the encoding as well as the whole file, at a fraction.
            let head = &bytes[..bytes.len().min(64 * 1024)];
            detector.feed(head, head.len() == bytes.len());
            let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
            if guess == encoding_rs::UTF_16LE {
                Encoding::Utf16Le
            } else if guess == encoding_rs::UTF_16BE {
                Encoding::Utf16Be
            } else {
                // Every byte means something in Windows-1252, and the Nordic letters are right.
                Encoding::Windows1252
            }
        }
    });
    let codec = match encoding {
        Encoding::Utf8 => encoding_rs::UTF_8,
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        Encoding::Utf16Le => encoding_rs::UTF_16LE,
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
    };
    // Strips a BOM of the chosen encoding; undecodable bytes become U+FFFD, never a panic.
    let (text, _) = codec.decode_with_bom_removal(bytes);
    (text.into_owned(), encoding)
}

/// The delimiter that splits the first lines most evenly (and most often), outside quotes.
pub fn sniff_delimiter(text: &str) -> Delimiter {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let count = |line: &str, d: char| {
        let mut inside = false;
        let mut n = 0usize;
        for c in line.chars() {
            match c {
                '"' => inside = !inside,
                c if c == d && !inside => n += 1,
                _ => {}
            }
        }
        n
    };
    let mut best = (Delimiter::Semicolon, 0usize, false);
    for d in [Delimiter::Semicolon, Delimiter::Tab, Delimiter::Comma] {
        let counts: Vec<usize> = lines.iter().map(|l| count(l, d.byte() as char)).collect();
        let first = counts.first().copied().unwrap_or(0);
        let even = first > 0 && counts.iter().all(|&c| c == first);
        // An even split beats a ragged one; then the most columns.
        if (even, first) > (best.2, best.1) {
            best = (d, first, even);
        }
    }
    best.0
}

/// Reads a chosen file, refusing one larger than [`MAX_BYTES`] before reading a byte of it: the
/// memory an import takes is bounded by that.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)?.len();
    if size > MAX_BYTES as u64 {
        return Err(Error::ImportFile {
            problem: super::FileProblem::TooLarge,
        });
    }
    Ok(std::fs::read(path)?)
}

/// Reads a whole file into a table. Errors for a file that is no table at all; row-level
/// problems are collected in [`Table::problems`].
pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<Table> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::ImportFile {
            problem: super::FileProblem::TooLarge,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::ImportFile {
            problem: super::FileProblem::Empty,
        });
    }
    let table = if is_xlsx(bytes) {
        read_xlsx(bytes, options)?
    } else {
        read_csv(bytes, options)?
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(Error::ImportFile {
            problem: super::FileProblem::Empty,
        });
    }
    if table.rows.is_empty() && table.problems.is_empty() {
        return Err(Error::ImportFile {
            problem: super::FileProblem::HeaderOnly,
        });
    }
    Ok(table)
}

/// The text with CRLF and lone CR turned into LF (unchanged, and not copied, without CR).
fn lf_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn read_csv(bytes: &[u8], options: &ReadOptions) -> Result<Table> {
    let (text, encoding) = decode(bytes, options.encoding);
    // Random bytes decode to text full of replacement and control characters: not a table.
    let odd = text
        .chars()
        .take(4096)
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
        .count();
    if odd * 20 > text.chars().take(4096).count() {
        return Err(Error::ImportFile {
            problem: super::FileProblem::NotATable,
        });
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    // The csv crate reads CR, LF and CRLF alike as record ends, but counts lines by LF alone and
    // leaves a CRLF's LF to the next record: a record after CRLF would be named by the line
    // before it, and every record of an old Mac file (CR alone) by line 1. With LF only, each
    // record is named by the line a spreadsheet shows it on.
    let text = lf_line_ends(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as u32;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => {
                problems.push((line.max(1), ImportProblem::Unreadable));
                continue;
            }
        }
        if record.len() > MAX_COLUMNS {
            return Err(Error::ImportFile {
                problem: super::FileProblem::NotATable,
            });
        }
        if headers.is_empty() {
            headers = record.iter().map(str::to_owned).collect();
            continue;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push((
                line,
                ImportProblem::Ragged {
                    expected: headers.len() as u32,
                    found: record.len() as u32,
                },
            ));
            continue;
        }
        // A clone is sized to the row; the reader's own record keeps the largest row's room.
        rows.push(Row {
            line,
            cells: record.clone(),
        });
    }
    // An odd number of quotes: one opened and never closed, which swallowed the rest of the
    // file into the last record's cell. That record is the problem, named for what it is.
    if text.matches('"').count() % 2 == 1 {
        let last = problems
            .last()
            .map(|p| p.0)
            .max(rows.last().map(|r| r.line));
        if let Some(line) = last {
            rows.retain(|r| r.line != line);
            problems.retain(|p| p.0 != line);
            problems.push((line, ImportProblem::UnbalancedQuote));
        }
    }
    Ok(Table {
        detected: Detected {
            kind: FileKind::Csv,
            encoding: Some(encoding),
            delimiter: Some(delimiter),
            sheet: None,
            sheets: Vec::new(),
        },
        headers,
        rows,
        problems,
    })
}

/// An Excel cell as the text a person sees, dates as ISO dates.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let serial = (d.as_f64().floor() as i64).to_string();
            super::normalise::date(&serial)
                .map(|date| date.to_string())
                .unwrap_or(serial)
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

fn read_xlsx(bytes: &[u8], options: &ReadOptions) -> Result<Table> {
    let not_a_table = || Error::ImportFile {
        problem: super::FileProblem::NotATable,
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| not_a_table())?;
    let sheets = book.sheet_names().to_vec();
    let sheet = match &options.sheet {
        Some(s) if sheets.contains(s) => s.clone(),
        Some(_) => {
            return Err(Error::ImportFile {
                problem: super::FileProblem::NoSuchSheet,
            })
        }
        None => sheets.first().cloned().ok_or_else(not_a_table)?,
    };
    let range = book.worksheet_range(&sheet).map_err(|_| not_a_table())?;
    if range.width() > MAX_COLUMNS {
        return Err(not_a_table());
    }
    let start = range.start().map(|(r, _)| r).unwrap_or(0);
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        let line = start + i as u32 + 1;
        if headers.is_empty() {
            if cells.iter().any(|c| !c.trim().is_empty()) {
                headers = cells;
            }
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Row {
            line,
            cells: csv::StringRecord::from(cells),
        });
    }
    Ok(Table {
        detected: Detected {
            kind: FileKind::Xlsx,
            encoding: None,
            delimiter: None,
            sheet: Some(sheet),
            sheets,
        },
        headers,
        rows,
        problems: Vec::new(),
    })
}
