//! Reading uploaded tables: CSV or text in UTF-8 or GB18030 (what Chinese Excel saves), and
//! spreadsheets (XLSX, XLS, ODS; the first sheet). Every import starts here, so every import
//! reads the same files the same way. Pure: bytes in, rows of cell text out.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, open_workbook_auto_from_rs};

/// What kind of file an upload is, from its name, or its first bytes when the name says
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// CSV, TSV or plain text.
    Text,
    /// XLSX, XLSM, XLS or ODS.
    Spreadsheet,
    GeoJson,
    Kml,
    /// Zipped KML, as Google Earth and Ovital save it.
    Kmz,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

impl FileKind {
    pub fn of(name: &str, bytes: &[u8]) -> FileKind {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "ods" => FileKind::Spreadsheet,
            "geojson" | "json" => FileKind::GeoJson,
            "kml" => FileKind::Kml,
            "kmz" => FileKind::Kmz,
            "csv" | "tsv" | "txt" => FileKind::Text,
            _ if bytes.starts_with(OLE_MAGIC) => FileKind::Spreadsheet,
            _ if bytes.starts_with(ZIP_MAGIC) => {
                // An XLSX/ODS names its parts; a KMZ holds a .kml.
                if memchr::memmem::find(&bytes[..bytes.len().min(4096)], b".kml").is_some() {
                    FileKind::Kmz
                } else {
                    FileKind::Spreadsheet
                }
            }
            _ => match decode_text(bytes).trim_start().as_bytes().first() {
                Some(b'{') => FileKind::GeoJson,
                Some(b'<') => FileKind::Kml,
                _ => FileKind::Text,
            },
        }
    }
}

/// Why a file could not be read. `code` is a Fluent key; `detail` what the reader said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub code: &'static str,
    pub detail: String,
}

impl FileError {
    fn new(code: &'static str, detail: impl Into<String>) -> Self {
        FileError { code, detail: detail.into() }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

/// Text in UTF-8 (a byte-order mark is dropped) or, failing that, GB18030, which is what
/// Excel and WPS save CSV in on Chinese Windows.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// The rows of a table file, each a list of cell texts (trimmed). Spreadsheet numbers are
/// written in full (shortest form that reads back the same), dates as `YYYY-MM-DD` (and a time
/// when there is one). Empty rows are kept: in a corner table they separate the parts of a
/// lease.
pub fn read_rows(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    if bytes.is_empty() {
        return Err(FileError::new("err-file-empty", name));
    }
    match FileKind::of(name, bytes) {
        FileKind::Spreadsheet => read_sheet(bytes),
        FileKind::Text => read_csv(&decode_text(bytes)),
        FileKind::GeoJson | FileKind::Kml | FileKind::Kmz => Err(FileError::new("err-file-not-table", name)),
    }
}

fn read_sheet(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| FileError::new("err-file-unreadable", e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| FileError::new("err-file-no-sheet", ""))?
        .map_err(|e| FileError::new("err-file-unreadable", e.to_string()))?;
    // Rows above the used range are still rows of the sheet: keep row numbers true.
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); first_row];
    for row in range.rows() {
        let mut cells: Vec<String> = vec![String::new(); first_col];
        cells.extend(row.iter().map(cell_text));
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    Ok(rows)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => d.to_string(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// CSV (RFC 4180: quoted cells may hold separators, doubled quotes and line breaks) with the
/// separator guessed from the first non-empty line: tab, semicolon or comma. Empty lines stay
/// as empty rows; an unclosed quote is an error naming its line.
fn read_csv(text: &str) -> Result<Vec<Vec<String>>, FileError> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let sep = if first.contains('\t') {
        '\t'
    } else if first.matches(';').count() > first.matches(',').count() {
        ';'
    } else {
        ','
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let (mut line, mut quote_line) = (1usize, 0usize);
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let end_row = |row: &mut Vec<String>, cell: &mut String, rows: &mut Vec<Vec<String>>| {
        row.push(std::mem::take(cell).trim().to_owned());
        let mut r = std::mem::take(row);
        while r.last().is_some_and(String::is_empty) {
            r.pop();
        }
        rows.push(r);
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => in_quotes = false,
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    cell.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if cell.trim().is_empty() => {
                cell.clear();
                in_quotes = true;
                quote_line = line;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                line += 1;
                end_row(&mut row, &mut cell, &mut rows);
            }
            c if c == sep => row.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => cell.push(c),
        }
    }
    if in_quotes {
        return Err(FileError::new("err-file-unreadable", format!("line {quote_line}: a quote is not closed")));
    }
    if !cell.is_empty() || !row.is_empty() {
        end_row(&mut row, &mut cell, &mut rows);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(v) => sheet.write_number(r as u32, c as u16, v).unwrap(),
                    Err(_) if cell.is_empty() => sheet,
                    Err(_) => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
                };
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_a_spreadsheet_with_numbers_in_full() {
        let bytes = xlsx(&[&["点号", "X", "Y"], &["1", "2905123.456", "36512345.78"], &[], &["2", "1", "2"]]);
        assert_eq!(FileKind::of("corners.xlsx", &bytes), FileKind::Spreadsheet);
        assert_eq!(FileKind::of("no-extension", &bytes), FileKind::Spreadsheet);
        let rows = read_rows("corners.xlsx", &bytes).unwrap();
        assert_eq!(rows[0], ["点号", "X", "Y"]);
        assert_eq!(rows[1], ["1", "2905123.456", "36512345.78"]);
        assert!(rows[2].is_empty());
        assert_eq!(rows[3], ["2", "1", "2"]);
    }

    #[test]
    fn a_sheet_starting_lower_down_keeps_its_row_numbers() {
        let bytes = xlsx(&[&[], &[], &["", "a", "b"]]);
        let rows = read_rows("t.xlsx", &bytes).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2], ["", "a", "b"]);
    }

    #[test]
    fn reads_csv_in_utf8_with_bom_and_in_gb18030() {
        let utf8 = "\u{feff}点号,X,Y\n1,\"2905123.45\",36512345.7\n\n2,3,4\n";
        let rows = read_rows("c.csv", utf8.as_bytes()).unwrap();
        assert_eq!(
            rows,
            vec![vec!["点号", "X", "Y"], vec!["1", "2905123.45", "36512345.7"], vec![], vec!["2", "3", "4"]]
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode("点号;X;Y\n1;2;3\n");
        let rows = read_rows("c.csv", &gbk).unwrap();
        assert_eq!(rows[0], ["点号", "X", "Y"]);
        assert_eq!(rows[1], ["1", "2", "3"]);
    }

    #[test]
    fn tab_separated_text_is_read_as_a_table() {
        let rows = read_rows("pasted", b"1\t2\t3\r\n4\t5\t6").unwrap();
        assert_eq!(rows, vec![vec!["1", "2", "3"], vec!["4", "5", "6"]]);
    }

    #[test]
    fn quoted_cells_keep_separators_quotes_and_line_breaks() {
        let rows = read_rows("n.csv", "id,note\n1,\"a, \"\"b\"\"\n\nc\"\n2,x\n".as_bytes()).unwrap();
        assert_eq!(rows, vec![vec!["id", "note"], vec!["1", "a, \"b\"\n\nc"], vec!["2", "x"]]);
    }

    #[test]
    fn bad_files_get_a_code_not_a_panic() {
        assert_eq!(read_rows("a.csv", b"").unwrap_err().code, "err-file-empty");
        assert_eq!(read_rows("a.xlsx", b"PK\x03\x04garbage").unwrap_err().code, "err-file-unreadable");
        assert_eq!(read_rows("a.xlsx", b"not a spreadsheet at all").unwrap_err().code, "err-file-unreadable");
        assert_eq!(read_rows("a.geojson", b"{}").unwrap_err().code, "err-file-not-table");
        let e = read_rows("a.csv", b"a,b\nc,\"d\n").unwrap_err();
        assert_eq!((e.code, e.detail.as_str()), ("err-file-unreadable", "line 2: a quote is not closed"));
    }

    #[test]
    fn kinds_are_told_by_name_or_content() {
        assert_eq!(FileKind::of("x.KML", b""), FileKind::Kml);
        assert_eq!(FileKind::of("upload", b"  {\"type\":\"Polygon\"}"), FileKind::GeoJson);
        assert_eq!(FileKind::of("upload", b"<?xml version=\"1.0\"?><kml/>"), FileKind::Kml);
        assert_eq!(FileKind::of("upload", b"1,2,3"), FileKind::Text);
    }
}
