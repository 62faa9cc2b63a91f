//! Reading uploaded tables: CSV or text in UTF-8 or GB18030 (what Chinese Excel saves), and
//! spreadsheets (XLSX, XLS, ODS; the first sheet). Every import starts here, so every import
//! reads the same files the same way. Pure: bytes in, rows of cell text out.

use std::io::Cursor;

use calamine::{DataType, Reader};

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
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        // A byte-order mark says UTF-8: a bad byte stays one replacement character.
        return String::from_utf8_lossy(rest).into_owned();
    }
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

/// Every table of a file: each sheet of a workbook in order (empty sheets included, so the
/// tables keep their places), or the one table of a text file. For imports whose file may hold
/// more than one table (a policies sheet and its members sheet).
pub fn read_tables(name: &str, bytes: &[u8]) -> Result<Vec<Vec<Vec<String>>>, FileError> {
    if bytes.is_empty() {
        return Err(FileError::new("err-file-empty", name));
    }
    match FileKind::of(name, bytes) {
        FileKind::Spreadsheet => read_sheets(bytes, usize::MAX),
        FileKind::Text => Ok(vec![read_csv(&decode_text(bytes))?]),
        FileKind::GeoJson | FileKind::Kml | FileKind::Kmz => Err(FileError::new("err-file-not-table", name)),
    }
}

/// Limits that keep a small hostile file from taking the server's memory: a sheet's extent,
/// and what its zip parts may unpack to.
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_COLS: u32 = 256;
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// The parts of a zip file (XLSX, KMZ) must not unpack to more than `MAX_UNPACKED` in all.
pub fn check_zip(bytes: &[u8]) -> Result<(), FileError> {
    let unreadable = |e: zip::result::ZipError| FileError::new("err-file-unreadable", e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        declared = declared.saturating_add(zip.by_index_raw(i).map_err(unreadable)?.size());
    }
    if declared > MAX_UNPACKED {
        return Err(FileError::new("err-file-too-big", format!("{} MB", declared / 1_000_000)));
    }
    Ok(())
}

/// The first sheet of an XLSX workbook, read cell by cell (never as one rectangle, whose size a
/// two-cell file can make enormous). XLS and ODS are refused with the advice to save as XLSX.
fn read_sheet(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    Ok(read_sheets(bytes, 1)?.into_iter().next().unwrap_or_default())
}

/// The first `max` sheets of an XLSX workbook, as [`read_sheet`] reads one.
fn read_sheets(bytes: &[u8], max: usize) -> Result<Vec<Vec<Vec<String>>>, FileError> {
    use calamine::Xlsx;
    let zipped = bytes.starts_with(ZIP_MAGIC);
    let ods = zipped && memchr::memmem::find(&bytes[..bytes.len().min(200)], b"opendocument").is_some();
    if bytes.starts_with(OLE_MAGIC) || ods {
        return Err(FileError::new("err-file-save-as-xlsx", ""));
    }
    check_zip(bytes)?;
    let unreadable = |e: &dyn std::fmt::Display| FileError::new("err-file-unreadable", e.to_string());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let names: Vec<String> = book.sheet_names().into_iter().take(max).collect();
    if names.is_empty() {
        return Err(FileError::new("err-file-no-sheet", ""));
    }
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        tables.push(read_cells(&mut book, &name)?);
    }
    Ok(tables)
}

fn read_cells(book: &mut calamine::Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Vec<Vec<String>>, FileError> {
    let unreadable = |e: &dyn std::fmt::Display| FileError::new("err-file-unreadable", e.to_string());
    let mut cells = book.worksheet_cells_reader(name).map_err(|e| unreadable(&e))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
        let (r, c) = cell.get_position();
        if r >= MAX_ROWS || c >= MAX_COLS {
            return Err(FileError::new("err-file-too-big", format!("row {}, column {}", r + 1, c + 1)));
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize(r + 1, Vec::new());
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    Ok(rows)
}

fn cell_text(d: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Float(f) => format!("{f}"),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(_) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => String::new(),
        },
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// CSV (RFC 4180: quoted cells may hold separators, doubled quotes and line breaks) with the
/// separator guessed from the first non-empty line: tab, semicolon or comma. Empty lines stay
/// as empty rows; an unclosed quote is an error naming its line.
fn read_csv(text: &str) -> Result<Vec<Vec<String>>, FileError> {
    // The separator that splits most of the first lines into three or more cells (a title
    // line above the table has none).
    let sample: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let sep = [',', '\t', ';', '，']
        .into_iter()
        .max_by_key(|c| (sample.iter().filter(|l| l.split(*c).count() >= 3).count(), usize::from(*c == ',')))
        .unwrap_or(',');
    if !text.contains('"') {
        return Ok(read_plain_csv(text, sep));
    }
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

/// [`read_csv`] for text without a quote (a laboratory's million-row sheet): the same rows,
/// split a line at a time instead of a character at a time. A line ends at `\n`, `\r\n` or a
/// lone `\r`; cells are trimmed and empty cells at the end of a row dropped.
fn read_plain_csv(text: &str, sep: char) -> Vec<Vec<String>> {
    read_plain_csv_in(text, sep, 1 << 20)
}

/// [`read_plain_csv`] with a large text cut into pieces of about `piece` bytes, each ending at a
/// line break, read on every core and put back together in order (the same rows: every piece
/// but the last ends with its line break, which ends its last row and begins none).
fn read_plain_csv_in(text: &str, sep: char, piece: usize) -> Vec<Vec<String>> {
    if text.len() < 2 * piece {
        return read_plain_lines(text, sep);
    }
    let mut pieces = Vec::with_capacity(text.len() / piece + 1);
    let mut rest = text;
    while rest.len() > piece {
        let Some(i) = memchr::memchr(b'\n', &rest.as_bytes()[piece..]) else { break };
        let (a, b) = rest.split_at(piece + i + 1);
        pieces.push(a);
        rest = b;
    }
    pieces.push(rest);
    use rayon::prelude::*;
    let parts: Vec<Vec<Vec<String>>> = pieces.par_iter().map(|p| read_plain_lines(p, sep)).collect();
    let mut rows = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for mut part in parts {
        rows.append(&mut part);
    }
    rows
}

fn read_plain_lines(text: &str, sep: char) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut rest = text;
    loop {
        let (line, next) = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) => {
                let skip =
                    if rest.as_bytes()[i] == b'\r' && rest.as_bytes().get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                (&rest[..i], Some(&rest[i + skip..]))
            }
            None => (rest, None),
        };
        // The text's end after a line break is not one more (empty) row.
        if next.is_none() && line.is_empty() {
            break;
        }
        let mut row: Vec<String> = line.split(sep).map(|c| c.trim().to_owned()).collect();
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        rows.push(row);
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_large_plain_text_read_in_pieces_gives_the_same_rows() {
        let mut text = String::from("sample,zn\r\n");
        for i in 0..500 {
            let end = ["\n", "\r\n", "\r", "\n\n", " , \n"][i % 5];
            text.push_str(&format!("S{i}, {}.{} ,{end}", i % 7, i % 10));
        }
        for t in [text.clone(), format!("{text}last,1"), text.trim_end().to_owned()] {
            let whole = read_plain_lines(&t, ',');
            assert!(whole.len() > 500);
            for piece in [1, 2, 7, 64, 1000] {
                assert_eq!(read_plain_csv_in(&t, ',', piece), whole, "pieces of {piece}");
            }
        }
    }

    use super::*;

    #[test]
    fn quote_free_csv_reads_as_the_general_reader_does() {
        // The general reader, forced (a quote-free text never reaches it otherwise).
        let general = |t: &str| {
            let quoted = format!("\"h\",x,y\n{t}");
            let mut rows = read_csv(&quoted).unwrap();
            rows.remove(0);
            rows
        };
        for t in [
            "a,b,c\n1,2,3\n",
            "a,b,c\r\n1, 2 ,3\r\n\r\n4,,\n",
            "a,b,c\r1,2,3\r\r",
            "a,b,c\n1,2,3",
            "a,b,c\n1,2,3\n   ",
            "a,b,c\n\n\n,,\n x ,y,\n",
            "样品编号，批次，方法\nS1，B1，AAS\n",
            "",
        ] {
            let sep = if t.contains('，') { '，' } else { ',' };
            let plain = read_plain_csv(t, sep);
            if sep == ',' {
                assert_eq!(plain, general(t), "{t:?}");
            }
            assert_eq!(plain, read_csv(t).unwrap(), "{t:?}");
        }
    }

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
    fn every_sheet_of_a_workbook_is_a_table() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "policies").unwrap();
        book.add_worksheet();
        book.add_worksheet().write_string(1, 1, "members").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let tables = read_tables("p.xlsx", &bytes).unwrap();
        assert_eq!(tables.len(), 3);
        assert_eq!(tables[0], vec![vec!["policies"]]);
        assert!(tables[1].is_empty());
        assert_eq!(tables[2][1], ["", "members"]);
        assert_eq!(read_tables("p.csv", b"a,b\n1,2").unwrap(), vec![vec![vec!["a", "b"], vec!["1", "2"]]]);
        assert_eq!(read_rows("p.xlsx", &bytes).unwrap(), tables[0]);
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
    fn a_far_away_cell_is_refused_not_allocated() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "a").unwrap();
        sheet.write_string(1_048_575, 16_383, "z").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_rows("far.xlsx", &bytes).unwrap_err().code, "err-file-too-big");
    }

    #[test]
    fn xls_and_ods_are_asked_for_as_xlsx() {
        let ole = [OLE_MAGIC, &[0u8; 600][..]].concat();
        assert_eq!(read_rows("old.xls", &ole).unwrap_err().code, "err-file-save-as-xlsx");
    }

    #[test]
    fn a_byte_order_mark_means_utf8_even_with_a_bad_byte() {
        let rows = read_rows("a.csv", b"\xEF\xBB\xBF\xe7\x82\xb9,\xff,x").unwrap();
        assert_eq!(rows[0], ["点", "\u{fffd}", "x"]);
    }

    #[test]
    fn kinds_are_told_by_name_or_content() {
        assert_eq!(FileKind::of("x.KML", b""), FileKind::Kml);
        assert_eq!(FileKind::of("upload", b"  {\"type\":\"Polygon\"}"), FileKind::GeoJson);
        assert_eq!(FileKind::of("upload", b"<?xml version=\"1.0\"?><kml/>"), FileKind::Kml);
        assert_eq!(FileKind::of("upload", b"1,2,3"), FileKind::Text);
    }
}
