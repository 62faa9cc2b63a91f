//! The laboratory's sheet of results, checked whole before anything is written. One row per
//! sample: `sample` (its code), optional `lab`, `batch` and `method`, then one column per
//! element (`zn`, `pb`, `ag`: `3.48` or `<0.01`) and optionally its detection limit (`dl.zn`).
//! Chinese headings work for the fixed columns (样品编号, 化验室, 批次, 方法).

use std::collections::HashMap;

use foldhash::fast::RandomState;

use uuid::Uuid;

use super::Element;
use super::import::RowProblem;
use super::sample::AssayDraft;

/// A checked row: its sheet row, the sample, and its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssayRow {
    pub row: usize,
    pub sample_id: Uuid,
    pub lab: String,
    pub batch: String,
    pub results: Vec<AssayDraft>,
}

const ALIASES: &[(&str, &str)] = &[("样品编号", "sample"), ("化验室", "lab"), ("批次", "batch"), ("方法", "method")];

/// Every cell below the heading row that could be a sample code, once each: what an importer
/// looks up before checking the sheet.
pub fn sheet_codes(rows: &[Vec<String>]) -> Vec<&str> {
    let mut codes: Vec<&str> = rows.iter().skip(1).flatten().map(|c| c.trim()).filter(|c| may_be_code(c)).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Whether a (trimmed) cell may be a sample's code: the cells an importer looks up.
pub fn may_be_code(c: &str) -> bool {
    c.starts_with('S') && c.len() <= 20
}

/// [`check_assay_sheet_by`] keyed by the codes themselves, for a store that looks them up:
/// every cell that may be a code is taken as a sample, but those in `unknown` (which the store
/// found to name none). With the unknown codes given, the problems are exactly those of
/// [`check_assay_sheet`].
pub fn check_assay_sheet_codes<'a>(
    rows: &'a [Vec<String>],
    elements: &[Element],
    default_lab: &str,
    unknown: &std::collections::HashSet<&str>,
) -> Result<Vec<SheetRow<&'a str>>, Vec<RowProblem>> {
    check_assay_sheet_by(rows, elements, default_lab, |c| (may_be_code(c) && !unknown.contains(c)).then_some(c))
}

/// The laboratory recorded for a sheet's rows that name none, the same from the page and the
/// command line (one name, one laboratory, whatever the importer's language).
pub const UNNAMED_LAB: &str = "(laboratory not named)";

/// A checked row keyed by whatever `sample_of` gave for its code (a sample id, or the code
/// itself when the store resolves codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow<K> {
    pub row: usize,
    pub sample: K,
    pub lab: String,
    pub batch: String,
    pub results: Vec<AssayDraft>,
}

/// One row of a sheet checked on its own: before duplicates are looked for.
struct Checked<K> {
    n: usize,
    /// `err-required` or `err-sample-unknown` for the sample's cell (then there is no `row`).
    sample_problem: Option<&'static str>,
    cells: Vec<RowProblem>,
    /// The row as the sheet keeps it, when its sample is known.
    row: Option<SheetRow<K>>,
}

/// Check a laboratory sheet. `sample_of` finds a sample by code among those the importer may
/// enter results for; `lab` is used where the sheet has no `lab` column.
pub fn check_assay_sheet(
    rows: &[Vec<String>],
    elements: &[Element],
    default_lab: &str,
    sample_of: impl Fn(&str) -> Option<Uuid> + Sync,
) -> Result<Vec<AssayRow>, Vec<RowProblem>> {
    Ok(check_assay_sheet_by(rows, elements, default_lab, sample_of)?
        .into_iter()
        .map(|r| AssayRow { row: r.row, sample_id: r.sample, lab: r.lab, batch: r.batch, results: r.results })
        .collect())
}

/// [`check_assay_sheet`] with any key for a sample: two codes with the same key are the same
/// sample (a duplicate row). With `|c| Some(c)` every code is taken as known, for a store that
/// looks the codes up itself; the problems are then those of a sheet whose samples all exist.
pub fn check_assay_sheet_by<'a, K: Copy + Eq + std::hash::Hash + Send + Sync>(
    rows: &'a [Vec<String>],
    elements: &[Element],
    default_lab: &str,
    sample_of: impl Fn(&'a str) -> Option<K> + Sync,
) -> Result<Vec<SheetRow<K>>, Vec<RowProblem>> {
    let mut check = SheetChecker::new(rows, elements, default_lab, sample_of)?;
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    // One block: every row on every core at once.
    while let Some(block) = check.next_block(usize::MAX) {
        match block {
            Ok(mut rows) => out.append(&mut rows),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// A laboratory sheet checked a block of rows at a time, in sheet order, so that an import can
/// write one block while the next is checked. Its blocks hold, in order, exactly the rows and
/// the problems of [`check_assay_sheet_by`] (which is this, with one block): a block with a
/// problem gives its problems, one without gives its rows; a sample seen in an earlier block
/// is a duplicate in a later one.
pub struct SheetChecker<'a, 'e, K, F> {
    rows: &'a [Vec<String>],
    elements: Vec<(&'e Element, usize, Option<usize>)>,
    original: Vec<String>,
    default_lab: &'e str,
    sample_at: Option<usize>,
    lab_at: Option<usize>,
    batch_at: Option<usize>,
    method_at: Option<usize>,
    sample_of: F,
    /// Each sample's first row (a sheet can name a million: a fast hash, sized once).
    seen: HashMap<K, usize, RandomState>,
    /// The next row to check.
    next: usize,
    /// The heading's row (counted from 0).
    head_at: usize,
    /// Rows given and problems found so far (a sheet with neither is empty).
    given: usize,
    found: usize,
}

impl<'a, 'e, K: Copy + Eq + std::hash::Hash + Send + Sync, F: Fn(&'a str) -> Option<K> + Sync>
    SheetChecker<'a, 'e, K, F>
{
    /// The sheet's headings checked: an unknown column, or no `sample` column, is a problem of
    /// the whole sheet (and no row is checked).
    pub fn new(
        rows: &'a [Vec<String>],
        elements: &'e [Element],
        default_lab: &'e str,
        sample_of: F,
    ) -> Result<Self, Vec<RowProblem>> {
        let mut problems = Vec::new();
        let Some(head_at) = rows.iter().position(|r| r.iter().any(|c| !c.trim().is_empty())) else {
            return Err(vec![RowProblem { row: 1, column: String::new(), code: "err-import-empty", args: vec![] }]);
        };
        let original: Vec<String> = rows[head_at].iter().map(|h| h.trim().to_owned()).collect();
        let headings: Vec<String> = original
            .iter()
            .map(|h| {
                ALIASES
                    .iter()
                    .find(|(zh, _)| zh == h)
                    .map(|(_, en)| (*en).to_owned())
                    .unwrap_or_else(|| h.to_ascii_lowercase())
            })
            .collect();
        let is_element = |h: &str| elements.iter().any(|e| e.code == h);
        for (h, orig) in headings.iter().zip(&original) {
            let known = h.is_empty()
                || matches!(h.as_str(), "sample" | "lab" | "batch" | "method")
                || is_element(h)
                || h.strip_prefix("dl.").is_some_and(is_element);
            if !known {
                problems.push(RowProblem {
                    row: head_at + 1,
                    column: orig.clone(),
                    code: "err-import-column",
                    args: vec![],
                });
            }
        }
        if !headings.iter().any(|h| h == "sample") {
            problems.push(RowProblem {
                row: head_at + 1,
                column: "sample".into(),
                code: "err-import-no-sample",
                args: vec![],
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // Every column is found once, not per row.
        let col = |name: &str| headings.iter().position(|h| h == name);
        Ok(SheetChecker {
            rows,
            // Each element with its column and its detection limit's column.
            elements: elements
                .iter()
                .filter_map(|el| Some((el, col(&el.code)?, col(&format!("dl.{}", el.code)))))
                .collect(),
            default_lab,
            sample_at: col("sample"),
            lab_at: col("lab"),
            batch_at: col("batch"),
            method_at: col("method"),
            original,
            sample_of,
            seen: HashMap::with_capacity_and_hasher(rows.len().saturating_sub(head_at + 1), RandomState::default()),
            next: head_at + 1,
            head_at,
            given: 0,
            found: 0,
        })
    }

    /// The next `max` rows of the sheet (blank rows count, and are skipped): `Ok` with the
    /// block's rows when none has a problem, else `Err` with its problems. `None` after the
    /// last; a sheet without any row gives `err-import-empty` first.
    pub fn next_block(&mut self, max: usize) -> Option<Result<Vec<SheetRow<K>>, Vec<RowProblem>>> {
        if self.next >= self.rows.len() {
            if self.given + self.found > 0 {
                return None;
            }
            self.found = 1;
            let row = self.head_at + 2;
            return Some(Err(vec![RowProblem { row, column: String::new(), code: "err-import-empty", args: vec![] }]));
        }
        let from = self.next;
        let to = from.saturating_add(max.max(1)).min(self.rows.len());
        self.next = to;
        // Each row on its own, on every core (a laboratory's sheet can hold a million rows);
        // then duplicates in row order, since the first row of a sample is the one that counts.
        use rayon::prelude::*;
        let this = &*self;
        let checked: Vec<Checked<K>> = self.rows[from..to]
            .par_iter()
            .enumerate()
            .filter(|(_, row)| !row.iter().all(|c| c.trim().is_empty()))
            .map(|(k, row)| this.check_row(from + k + 1, row))
            .collect();
        let mut problems = Vec::new();
        let sample_col = &self.original[self.sample_at.unwrap_or(0)];
        let mut out = Vec::with_capacity(checked.len());
        for mut c in checked {
            let before = problems.len();
            if let Some(code) = c.sample_problem {
                problems.push(RowProblem { row: c.n, column: sample_col.clone(), code, args: vec![] });
            }
            if let Some(id) = c.row.as_ref().map(|r| r.sample)
                && let Some(first) = self.seen.insert(id, c.n)
            {
                problems.push(RowProblem {
                    row: c.n,
                    column: sample_col.clone(),
                    code: "err-import-duplicate-sample",
                    args: vec![("first", first.to_string())],
                });
            }
            problems.append(&mut c.cells);
            // A row with nothing wrong and nothing to record.
            if c.row.as_ref().is_some_and(|r| r.results.is_empty()) && problems.len() == before {
                problems.push(RowProblem {
                    row: c.n,
                    column: String::new(),
                    code: "err-import-no-results",
                    args: vec![],
                });
            }
            out.extend(c.row);
        }
        self.found += problems.len();
        if problems.is_empty() {
            self.given += out.len();
            Some(Ok(out))
        } else {
            Some(Err(problems))
        }
    }

    /// One row (`n`, counted from 1) on its own: before duplicates are looked for.
    fn check_row(&self, n: usize, row: &'a [String]) -> Checked<K> {
        let cell = |at: Option<usize>| -> &'a str { at.and_then(|i| row.get(i)).map(|c| c.trim()).unwrap_or_default() };
        let code = cell(self.sample_at);
        let (sample, sample_problem) = if code.is_empty() {
            (None, Some("err-required"))
        } else {
            match (self.sample_of)(code) {
                Some(id) => (Some(id), None),
                None => (None, Some("err-sample-unknown")),
            }
        };
        let method = cell(self.method_at);
        let mut results = Vec::new();
        let mut cells = Vec::new();
        for &(el, i, dl_at) in &self.elements {
            let value = row.get(i).map(|c| c.trim()).unwrap_or("");
            if value.is_empty() {
                continue;
            }
            match AssayDraft::parse_for(el, value, method, cell(dl_at)) {
                Ok(d) => results.push(d),
                Err(errors) => {
                    for e in errors.0 {
                        let column = match e.field.as_str() {
                            "detection_limit" => dl_at.map(|i| self.original[i].clone()),
                            "method" => self.method_at.map(|i| self.original[i].clone()),
                            _ => Some(self.original[i].clone()),
                        }
                        .unwrap_or_else(|| el.code.clone());
                        cells.push(RowProblem { row: n, column, code: e.code, args: e.args });
                    }
                }
            }
        }
        let row = sample.map(|sample| {
            let lab = cell(self.lab_at);
            let lab = if lab.is_empty() { self.default_lab.to_owned() } else { lab.to_owned() };
            SheetRow { row: n, sample, lab, batch: cell(self.batch_at).to_owned(), results }
        });
        Checked { n, sample_problem, cells, row }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;

    fn sheet(text: &str) -> Vec<Vec<String>> {
        text.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()
    }

    fn samples(code: &str) -> Option<Uuid> {
        match code {
            "S2005-00001" => Some(Uuid::from_u128(1)),
            "S2005-00002" => Some(Uuid::from_u128(2)),
            _ => None,
        }
    }

    #[test]
    fn a_laboratory_sheet_gives_results_per_sample() {
        let s = sheet("样品编号,批次,方法,Zn,Pb,dl.pb\nS2005-00001,B7,AAS,3.48,<0.01,0.01\nS2005-00002,B7,AAS,0.28,,");
        let rows = check_assay_sheet(&s, &default_elements(), "都匀化验室", samples).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].results.len(), 2);
        assert_eq!(rows[0].results[1].shown(), "< 0.01");
        assert_eq!((rows[1].lab.as_str(), rows[1].batch.as_str()), ("都匀化验室", "B7"));
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let s = sheet("sample,zn,pb\nS2005-00001,3.48,x\nS2005-00009,3.1,\nS2005-00001,3.5,\n,1,");
        let e = check_assay_sheet(&s, &default_elements(), "L", samples).unwrap_err();
        let got: Vec<(usize, &str, &str)> = e.iter().map(|p| (p.row, p.column.as_str(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                (2, "pb", "err-number"),
                (3, "sample", "err-sample-unknown"),
                (4, "sample", "err-import-duplicate-sample"),
                (5, "sample", "err-required"),
            ]
        );
        let e = check_assay_sheet(&sheet("sample,cu\nS2005-00001,1"), &default_elements(), "L", samples).unwrap_err();
        assert_eq!((e[0].column.as_str(), e[0].code), ("cu", "err-import-column"));
    }

    /// What a sheet's blocks give, put together: the rows of the blocks without a problem, the
    /// problems of the others, and which blocks had problems.
    fn by_blocks(s: &[Vec<String>], size: usize) -> (Vec<SheetRow<Uuid>>, Vec<RowProblem>, Vec<bool>) {
        let elements = default_elements();
        let mut check = SheetChecker::new(s, &elements, "L", samples).unwrap();
        let (mut rows, mut problems, mut bad) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(b) = check.next_block(size) {
            bad.push(b.is_err());
            match b {
                Ok(mut r) => rows.append(&mut r),
                Err(mut p) => problems.append(&mut p),
            }
        }
        (rows, problems, bad)
    }

    #[test]
    fn a_sheet_checked_block_by_block_gives_what_it_gives_whole() {
        let sheets = [
            // Good rows, a blank row, Chinese headings.
            "样品编号,批次,Zn,Pb\nS2005-00001,B7,3.48,<0.01\n,,,\nS2005-00002,B7,0.28,",
            // Problems in several rows; the duplicate's first row in another block.
            "sample,zn,pb\nS2005-00001,3.48,x\nS2005-00009,3.1,\nS2005-00002,1,\nS2005-00001,3.5,\n,1,",
            // A row without results, then good ones.
            "sample,zn\nS2005-00001,\nS2005-00002,1.2",
            // Only blank rows under the heading: empty.
            "sample,zn\n,\n,",
            "sample,zn",
        ];
        for text in sheets {
            let s = sheet(text);
            let whole = check_assay_sheet_by(&s, &default_elements(), "L", samples);
            for size in [1, 2, 3, 5, usize::MAX] {
                let (rows, problems, _) = by_blocks(&s, size);
                match &whole {
                    Ok(w) => assert_eq!((&rows, problems.len()), (w, 0), "{text} in blocks of {size}"),
                    Err(w) => assert_eq!(&problems, w, "{text} in blocks of {size}"),
                }
            }
        }
        // Each block says whether it has a problem: here only the second and the fourth row.
        let s = sheet("sample,zn\nS2005-00001,1\nS2005-00002,x\nS2005-00009,1\nS2005-00001,1");
        // (blocks of one row: the second row's bad cell, the unknown sample, the duplicate)
        assert_eq!(by_blocks(&s, 1).2, vec![false, true, true, true]);
        let (rows, _, bad) = by_blocks(&sheet("sample,zn\nS2005-00001,1\nS2005-00002,2\nS2005-00001,3"), 2);
        assert_eq!((rows.len(), bad), (2, vec![false, true]));
        // The empty sheet's problem comes once, at the row under the heading.
        let (_, problems, bad) = by_blocks(&sheet("sample,zn\n,"), 1);
        assert_eq!(
            (problems.len(), problems[0].row, problems[0].code, bad),
            (1, 2, "err-import-empty", vec![false, true])
        );
    }
}
