//! Tables handed out as files: CSV for any spreadsheet, XLSX for Excel, and the answer
//! that carries them as an attachment.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One cell: text stays text (a 13-digit code keeps its leading 0 in Excel).
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    pub(crate) fn text(&self) -> String {
        self.as_text()
    }

    fn as_text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// UTF-8 with a byte order mark: without it, Excel on a Thai Windows PC shows mojibake.
pub(crate) fn csv(headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(headers)?;
    for r in rows {
        w.write_record(r.iter().map(Cell::as_text))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// One sheet with a bold header row and the given column widths.
pub(crate) fn xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
    widths: &[(u16, f64)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, cell) in r.iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string(row, c as u16, t)?,
                Cell::Number(n) => sheet.write_number(row, c as u16, *n)?,
            };
        }
    }
    for (c, width) in widths {
        sheet.set_column_width(*c, *width)?;
    }
    book.save_to_buffer()
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub(crate) const CSV: &str = "text/csv; charset=utf-8";

/// A file to save, never cached (it may hold Authorize Codes).
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
