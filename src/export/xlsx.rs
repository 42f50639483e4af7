//! XLSX workbooks with `rust_xlsxwriter`: one sheet per [`Sheet`], a bold frozen header row with
//! filters, set widths, and real numbers and dates (Excel shows dates in the reader's own short
//! form, built-in format 14). Sheets are written in constant-memory mode, row by row, so a large
//! summary does not hold its cells twice.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

use super::table::{Cell, Measure, Sheet};
use crate::error::{Error, Result};

fn failed(e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => io.into(),
        other => Error::FileSystem {
            detail: other.to_string(),
        },
    }
}

pub fn write(sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE8EDF2))
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    let money = Format::new().set_num_format("#,##0.00");
    let hours = Format::new().set_num_format("#,##0.##");
    let count = Format::new().set_num_format("#,##0");
    let share = Format::new().set_num_format("0%");
    let date = Format::new().set_num_format_index(14);
    let right = Format::new().set_align(rust_xlsxwriter::FormatAlign::Right);
    let wrap = Format::new().set_text_wrap();
    for sheet in sheets {
        let ws = book.add_worksheet_with_constant_memory().map_err(failed)?;
        ws.set_name(&sheet.name).map_err(failed)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            let c = c as u16;
            ws.set_column_width(c, column.width).map_err(failed)?;
        }
        for (c, column) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, &column.title, &header)
                .map_err(failed)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        // Written as a string cell: Excel never evaluates it, whatever it holds.
                        if s.len() > 60 {
                            ws.write_string_with_format(r, c, s, &wrap)
                                .map_err(failed)?;
                        } else {
                            ws.write_string(r, c, s).map_err(failed)?;
                        }
                    }
                    Cell::Number(n, m) => {
                        let f = match m {
                            Measure::Count => &count,
                            Measure::Money => &money,
                            Measure::Hours => &hours,
                            Measure::Share => &share,
                        };
                        ws.write_number_with_format(r, c, *n, f).map_err(failed)?;
                    }
                    Cell::Date(d) => {
                        ws.write_date_with_format(r, c, d, &date).map_err(failed)?;
                    }
                    Cell::Suppressed(min) => {
                        ws.write_string_with_format(r, c, format!("<{min}"), &right)
                            .map_err(failed)?;
                    }
                    Cell::Masked => {
                        ws.write_string_with_format(r, c, super::table::MASKED, &right)
                            .map_err(failed)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(failed)?;
        if !sheet.columns.is_empty() {
            let last_row = sheet.rows.len() as u32;
            ws.autofilter(0, 0, last_row, sheet.columns.len() as u16 - 1)
                .map_err(failed)?;
        }
    }
    book.save_to_buffer().map_err(failed)
}
