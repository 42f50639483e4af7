//! From a file's bytes to a table of text cells: the encoding and delimiter detected (or as the
//! user overrides them), CSV parsed by the `csv` crate, XLSX read by `calamine`.
//!
//! Invariants: nothing here panics on any input (a property test feeds it random bytes, a fuzz
//! run in `benches/fuzz_import.rs` a million files); a file above [`MAX_BYTES`] is refused
//! before it is decoded; a workbook is refused before it is unpacked when its parts declare more
//! than [`MAX_UNPACKED`], and its sheet is read cell by cell, refused at the first cell outside
//! [`MAX_COLUMNS`] and [`MAX_ROWS`] or past [`MAX_CELLS`] and [`MAX_BYTES`] of text, so what a
//! hostile workbook makes the import hold is bounded by those; every row keeps the line it
//! started on, so a problem can be named by line.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::ImportProblem;
use crate::error::{Error, Result};

/// Larger than any payroll export of the largest users (60,000 rows are about 10 MB).
pub const MAX_BYTES: usize = 100 * 1024 * 1024;
/// Columns beyond this are not a people export (in a workbook: no cell right of column GR).
pub const MAX_COLUMNS: usize = 200;
/// Excel's own last row: a workbook with a cell below it was not written by a spreadsheet.
pub const MAX_ROWS: u32 = 1_048_576;
/// The cells a workbook's table may hold, the empty ones up to each row's last column counted
/// (each costs its place in the row's record). The largest users' 60,000 rows of 20 columns are
/// 1.2 million; this is a million rows of 20 columns.
pub const MAX_CELLS: usize = 20_000_000;
/// What a workbook's parts may unpack to, all together. Measured: a 60,000-row payroll sheet,
/// 5 MB as CSV, is a 2 MB workbook that unpacks to 24 MB. This is twenty times that, and about
/// what the table of a CSV file of [`MAX_BYTES`] takes as a workbook. Without it a workbook of
/// a few megabytes could unpack to gigabytes (a zip bomb), and calamine holds its shared strings
/// whole and any one XML text as one buffer.
pub const MAX_UNPACKED: u64 = 5 * MAX_BYTES as u64;

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
fn cell_text(cell: Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s,
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
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
        Data::DurationIso(s) => s,
        Data::Error(_) => String::new(),
    }
}

fn not_a_table() -> Error {
    Error::ImportFile {
        problem: super::FileProblem::NotATable,
    }
}

fn too_large() -> Error {
    Error::ImportFile {
        problem: super::FileProblem::TooLarge,
    }
}

/// Refuses a workbook whose parts would unpack to more than [`MAX_UNPACKED`], from the sizes
/// its zip directory declares, before any part is unpacked. The zip reader holds every part to
/// its declared size (one that unpacks past it fails as damaged), so the declared sizes bound
/// what calamine can unpack. Every part counts, not only the ones a sheet is read from: the
/// workbook's relationships may point a sheet at any part.
fn check_unpacked_size(bytes: &[u8]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_a_table())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|_| not_a_table())?;
        total = total.saturating_add(part.size());
        if total > MAX_UNPACKED {
            return Err(too_large());
        }
    }
    Ok(())
}

/// One call into calamine, whose parsers are not ours to fix: a cell reference of twelve
/// digits, or a `<dimension>` whose end comes before its start, overflows their arithmetic,
/// which panics in a debug build (the fuzz run found both). A panic in there is a damaged file
/// to the user, never a crashed import. Only calamine's calls are guarded, so a panic of our
/// own code still shows as the bug it is.
fn calamine<T>(
    call: impl FnOnce() -> std::result::Result<T, XlsxError>,
) -> Result<std::result::Result<T, XlsxError>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).map_err(|_| not_a_table())
}

fn read_xlsx(bytes: &[u8], options: &ReadOptions) -> Result<Table> {
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> =
        calamine(|| Xlsx::new(Cursor::new(bytes)))?.map_err(|_| not_a_table())?;
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
    // Cell by cell, never calamine's `worksheet_range`: that makes a dense grid from the first
    // cell to the last before anything can be checked, and a cell in A1 with another in
    // XFD1048576 asked for 550 GB and aborted the app. The sheet's declared `<dimension>` is
    // not trusted either way: only cells take room here.
    let mut grid = Grid::default();
    match calamine(|| book.worksheet_cells_reader(&sheet))? {
        Ok(mut reader) => {
            while let Some(cell) = calamine(|| reader.next_cell())?.map_err(|_| not_a_table())? {
                let (row, col) = cell.get_position();
                grid.put(row, col, cell.get_value())?;
            }
        }
        // A chart sheet: no cells, so an empty table.
        Err(XlsxError::NotAWorksheet(_)) => {}
        Err(_) => return Err(not_a_table()),
    }
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (line, cells) in grid.finish()? {
        if headers.is_empty() {
            if cells.iter().any(|c| !c.trim().is_empty()) {
                headers = cells.iter().map(str::to_owned).collect();
            }
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Row { line, cells });
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

/// A sheet's cells gathered row by row, within the limits an import holds: each cell is
/// checked before its text is copied, so a hostile sheet is refused having taken no more than
/// the limits allow.
#[derive(Default)]
struct Grid {
    /// Each row that has a cell: its line (row + 1) and its cells from column A to its last.
    rows: Vec<(u32, csv::StringRecord)>,
    /// The row being gathered, by column (cells of a row may come in any order).
    current: Option<(u32, Vec<String>)>,
    /// The leftmost and rightmost columns with a cell: the table spans them, as it did when
    /// calamine's range was read.
    columns: Option<(usize, usize)>,
    /// Text copied so far, in bytes.
    text: usize,
    /// A row came after a later one: the rows are sorted and merged at the end.
    unordered: bool,
}

impl Grid {
    fn put(&mut self, row: u32, col: u32, value: &DataRef<'_>) -> Result<()> {
        // A cell with only a style takes no room, as in calamine's own range.
        if matches!(value, DataRef::Empty) {
            return Ok(());
        }
        let col = col as usize;
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(not_a_table());
        }
        // A shared string is stored once but copied into every cell naming it: 1 MB named by
        // a hundred thousand cells is 100 GB. Counted before it is copied.
        let len = match value {
            DataRef::SharedString(s) => s.len(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            _ => 32,
        };
        self.text = self.text.saturating_add(len);
        if self.text > MAX_BYTES {
            return Err(too_large());
        }
        let text = cell_text(Data::from(value.clone()));
        if self.current.as_ref().is_none_or(|(r, _)| *r != row) {
            self.flush()?;
        }
        let (_, cells) = self.current.get_or_insert_with(|| (row, Vec::new()));
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
        self.columns = Some(match self.columns {
            Some((first, last)) => (first.min(col), last.max(col)),
            None => (col, col),
        });
        Ok(())
    }

    /// Keeps the row being gathered.
    fn flush(&mut self) -> Result<()> {
        let Some((row, cells)) = self.current.take() else {
            return Ok(());
        };
        // A row after a later one, or the same row again after another.
        if self.rows.last().is_some_and(|(line, _)| *line > row) {
            self.unordered = true;
        }
        self.rows.push((row + 1, csv::StringRecord::from(cells)));
        // Every row is padded to the table's width in the end; counted at the widest so far.
        let width = self.columns.map_or(0, |(_, last)| last + 1);
        if self.rows.len().saturating_mul(width) > MAX_CELLS {
            return Err(too_large());
        }
        Ok(())
    }

    /// The rows in sheet order, each cut to the table's columns.
    fn finish(mut self) -> Result<Vec<(u32, csv::StringRecord)>> {
        self.flush()?;
        let Some((first, last)) = self.columns else {
            return Ok(Vec::new());
        };
        if self.unordered {
            self.rows.sort_by_key(|(line, _)| *line);
            self.rows.dedup_by(|later, kept| {
                if later.0 != kept.0 {
                    return false;
                }
                // The same row twice: its later cells win, as in calamine's range.
                let mut merged: Vec<String> = kept.1.iter().map(str::to_owned).collect();
                for (i, cell) in later.1.iter().enumerate() {
                    if !cell.is_empty() {
                        if merged.len() <= i {
                            merged.resize(i + 1, String::new());
                        }
                        merged[i] = cell.to_owned();
                    }
                }
                kept.1 = csv::StringRecord::from(merged);
                true
            });
        }
        for (_, cells) in &mut self.rows {
            if first > 0 {
                *cells = cells.iter().skip(first).collect();
            }
            while cells.len() < last + 1 - first {
                cells.push_field("");
            }
        }
        Ok(self.rows)
    }
}
