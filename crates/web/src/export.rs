//! Every table view can be downloaded as CSV or XLSX (`?format=csv` / `?format=xlsx` on the
//! view's own address, with the view's own filters and permissions). A view builds one
//! [`Table`] from the same figures it shows; numbers stay numbers (unrounded in the file, so a
//! spreadsheet's sums agree with the page's totals) and headings are in the viewer's language.
//!
//! CSV is UTF-8 with a byte-order mark, so that Excel on a Chinese Windows reads it as UTF-8
//! rather than GBK; fields are quoted as RFC 4180 says, and a text cell that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so that no spreadsheet runs it as a formula.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::AppResult;
use crate::error::AppError;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(Decimal),
    Int(i64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<Decimal> for Cell {
    fn from(d: Decimal) -> Cell {
        Cell::Num(d.normalize())
    }
}
impl From<Option<Decimal>> for Cell {
    fn from(d: Option<Decimal>) -> Cell {
        d.map(Cell::from).unwrap_or(Cell::Empty)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Int(n as i64)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}
impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Cell {
        x.and_then(|x| Decimal::from_f64_retain(x).map(|d| d.round_dp(6))).map(Cell::from).unwrap_or(Cell::Empty)
    }
}

/// A view's table: a file name without extension (ASCII), headings and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: impl Into<String>, headers: Vec<String>) -> Table {
        Table { name: name.into(), headers, rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// The download formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// `""` (the page itself) gives `None`; anything else but `csv` or `xlsx` is a bad request.
    pub fn parse(s: &str) -> AppResult<Option<Format>> {
        match s.trim() {
            "" | "html" => Ok(None),
            "csv" => Ok(Some(Format::Csv)),
            "xlsx" => Ok(Some(Format::Xlsx)),
            _ => Err(AppError::BadRequest("error-400-detail")),
        }
    }
}

/// A cell as CSV text.
fn csv_field(c: &Cell) -> String {
    let text = match c {
        Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Cell::Text(s) => s.clone(),
        Cell::Num(d) => d.to_string(),
        Cell::Int(n) => n.to_string(),
        Cell::Empty => String::new(),
    };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

pub fn to_csv(t: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(t.headers.iter().map(|h| csv_field(&Cell::Text(h.clone()))).collect()));
    for r in &t.rows {
        out.push_str(&line(r.iter().map(csv_field).collect()));
    }
    out.into_bytes()
}

pub fn to_xlsx(t: &Table) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    let ws = wb.add_worksheet();
    // A sheet name may hold at most 31 characters and none of []:*?/\.
    let sheet: String = t.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if !sheet.is_empty() {
        ws.set_name(&sheet).map_err(err)?;
    }
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 1.6).clamp(10.0, 40.0)).map_err(err)?;
    }
    for (i, r) in t.rows.iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, cell) in r.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(row, col, s).map_err(err)?;
                }
                Cell::Num(d) => {
                    ws.write_number(row, col, d.to_f64().unwrap_or_default()).map_err(err)?;
                }
                Cell::Int(n) => {
                    ws.write_number(row, col, *n as f64).map_err(err)?;
                }
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// The download response.
pub fn respond(t: &Table, format: Format) -> AppResult<Response> {
    let (bytes, mime, ext) = match format {
        Format::Csv => (to_csv(t), "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (to_xlsx(t)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    let file: String =
        t.name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{file}.{ext}\"");
    Ok(([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let mut t = Table::new("x", vec!["a".into(), "b,c".into()]);
        t.push(vec![Cell::from("=cmd()"), Cell::from("say \"hi\"")]);
        t.push(vec![Cell::from(Decimal::new(34800, 4)), Cell::Empty]);
        let s = String::from_utf8(to_csv(&t)).unwrap();
        assert_eq!(s, "\u{feff}a,\"b,c\"\r\n'=cmd(),\"say \"\"hi\"\"\"\r\n3.48,\r\n");
    }

    #[test]
    fn xlsx_is_a_zip_with_a_sheet() {
        let mut t = Table::new("year-2005", vec!["月份".into()]);
        t.push(vec![Cell::Int(3)]);
        let b = to_xlsx(&t).unwrap();
        assert_eq!(&b[..2], b"PK");
    }

    #[test]
    fn only_known_formats() {
        assert_eq!(Format::parse("").unwrap(), None);
        assert_eq!(Format::parse("xlsx").unwrap(), Some(Format::Xlsx));
        assert!(Format::parse("pdf").is_err());
    }
}
