//! A production sheet (CSV or XLSX, read by `tabular`) checked whole before anything is
//! written: every problem of every row, named by its sheet row and column heading, so the clerk
//! can fix them all at once. Headings are the record's field names (`day`, `ore_milled_t`,
//! `feed_grades.zn`, `concentrates.0.wet_t`, `costs.labour`, ...) or their Chinese names for the
//! common ones; the mine is named by `mine` (its Chinese or English name, or its id).

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::Element;
use super::record::{ProductionDraft, ProductionInput};

/// One problem in a sheet: its row as the spreadsheet numbers it (from 1), the column heading,
/// and what is wrong (a Fluent code with its arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
}

/// A checked row: its sheet row and the record.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row: usize,
    pub draft: ProductionDraft,
}

/// Chinese headings of the common columns, as clerks write them.
const ALIASES: &[(&str, &str)] = &[
    ("矿山", "mine"),
    ("日期", "day"),
    ("班次", "shift"),
    ("提升矿石(吨)", "ore_hoisted_t"),
    ("入选矿石(吨)", "ore_milled_t"),
    ("尾矿(吨)", "tailings_t"),
    ("尾矿库", "tailings_facility"),
    ("废石(吨)", "waste_t"),
    ("工时", "hours_worked"),
    ("人班", "worker_shifts"),
    ("用电(千瓦时)", "electricity_kwh"),
    ("用水(立方米)", "water_m3"),
    ("柴油(升)", "diesel_l"),
    ("炸药(千克)", "explosives_kg"),
];

fn canonical(heading: &str) -> String {
    let h = heading.trim().replace(['（', '）'], "").replace(' ', "");
    let h2 = heading.trim().replace('（', "(").replace('）', ")");
    ALIASES
        .iter()
        .find(|(zh, _)| *zh == h2 || zh.replace(['(', ')'], "") == h)
        .map(|(_, en)| (*en).to_owned())
        .unwrap_or_else(|| heading.trim().to_ascii_lowercase())
}

/// Check a whole sheet. `mine_of` finds a mine by name or id (and only among the mines the
/// importer may record for). Rows that are entirely empty are skipped.
pub fn check_sheet(
    rows: &[Vec<String>],
    elements: &[Element],
    today: NaiveDate,
    mine_of: impl Fn(&str) -> Option<Uuid>,
) -> Result<Vec<SheetRow>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let Some(head_at) = rows.iter().position(|r| r.iter().any(|c| !c.trim().is_empty())) else {
        return Err(vec![RowProblem { row: 1, column: String::new(), code: "err-import-empty", args: vec![] }]);
    };
    let headings: Vec<String> = rows[head_at].iter().map(|h| canonical(h)).collect();
    // Which heading a field's errors belong to (the original text, as the user sees it).
    let shown: HashMap<String, String> =
        headings.iter().zip(&rows[head_at]).map(|(k, orig)| (k.clone(), orig.trim().to_owned())).collect();
    {
        let (_, unknown) = ProductionInput::from_pairs(
            headings.iter().filter(|h| !h.is_empty() && h.as_str() != "mine").map(|h| (h.as_str(), "")),
        );
        for u in unknown {
            let column = shown.get(&u).cloned().unwrap_or(u);
            problems.push(RowProblem { row: head_at + 1, column, code: "err-import-column", args: vec![] });
        }
    }
    if !headings.iter().any(|h| h == "mine" || h == "mine_id") {
        problems.push(RowProblem { row: head_at + 1, column: "mine".into(), code: "err-import-no-mine", args: vec![] });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(Uuid, NaiveDate, String), usize> = HashMap::new();
    for (k, row) in rows.iter().enumerate().skip(head_at + 1) {
        let n = k + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (h, cell) in headings.iter().zip(row) {
            if h.is_empty() || cell.trim().is_empty() {
                continue;
            }
            if h == "mine" || h == "mine_id" {
                match mine_of(cell.trim()) {
                    Some(id) => pairs.push(("mine_id", id.to_string())),
                    None => problems.push(RowProblem {
                        row: n,
                        column: shown.get(h).cloned().unwrap_or_default(),
                        code: "err-import-mine",
                        args: vec![("mine", cell.trim().to_owned())],
                    }),
                }
            } else {
                pairs.push((h.as_str(), cell.clone()));
            }
        }
        if row.len() > headings.len() && row[headings.len()..].iter().any(|c| !c.trim().is_empty()) {
            problems.push(RowProblem {
                row: n,
                column: format!("#{}", headings.len() + 1),
                code: "err-import-no-heading",
                args: vec![],
            });
        }
        let (input, _) = ProductionInput::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        match ProductionDraft::parse(&input, elements, today) {
            Ok(d) => {
                let key = (d.mine_id, d.day, d.shift.clone());
                if let Some(first) = seen.insert(key, n) {
                    problems.push(RowProblem {
                        row: n,
                        column: shown.get("day").cloned().unwrap_or_else(|| "day".into()),
                        code: "err-import-duplicate",
                        args: vec![("first", first.to_string())],
                    });
                }
                out.push(SheetRow { row: n, draft: d });
            }
            Err(errors) => {
                for e in errors.0 {
                    // `mine_id` comes from the `mine` column; a missing one was reported there.
                    if e.field == "mine_id" && problems.iter().any(|p| p.row == n && p.code == "err-import-mine") {
                        continue;
                    }
                    let field = if e.field == "mine_id" { "mine".to_owned() } else { e.field.clone() };
                    let column = shown.get(&field).cloned().unwrap_or(field);
                    problems.push(RowProblem { row: n, column, code: e.code, args: e.args });
                }
            }
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(RowProblem { row: head_at + 2, column: String::new(), code: "err-import-empty", args: vec![] });
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;

    fn sheet(text: &str) -> Vec<Vec<String>> {
        text.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn mines(name: &str) -> Option<Uuid> {
        (name == "大坪锌矿" || name == "Daping").then(Uuid::nil)
    }

    #[test]
    fn a_clean_sheet_gives_one_record_per_row() {
        let s = sheet(
            "矿山,日期,入选矿石（吨）,feed_grades.zn,tailings_t,tailings_facility,tailings_grades.zn\n\
             大坪锌矿,2005-03-01,300,3.48,280,T1,0.28\n,,,,,,\nDaping,2005-03-02,310,3.5,290,T1,0.3",
        );
        let rows = check_sheet(&s, &default_elements(), today(), mines).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].row, rows[1].row), (2, 4));
        assert_eq!(rows[0].draft.ore_milled_kg, Some(300_000));
    }

    #[test]
    fn every_problem_is_named_by_row_and_column() {
        let s = sheet(
            "mine,day,ore_milled_t,feed_grades.zn,colour\n\
             大坪锌矿,2005-03-01,300,3.48,red",
        );
        let e = check_sheet(&s, &default_elements(), today(), mines).unwrap_err();
        assert_eq!(e, vec![RowProblem { row: 1, column: "colour".into(), code: "err-import-column", args: vec![] }]);
        let s = sheet(
            "mine,day,ore_milled_t,feed_grades.zn\n\
             大坪锌矿,2005-03-01,300,3.48\n\
             牛角塘,2005-03-02,abc,3.48\n\
             大坪锌矿,2005-03-01,300,103",
        );
        let e = check_sheet(&s, &default_elements(), today(), mines).unwrap_err();
        let got: Vec<(usize, &str, &str)> = e.iter().map(|p| (p.row, p.column.as_str(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                (3, "mine", "err-import-mine"),
                (3, "ore_milled_t", "err-number"),
                (4, "feed_grades.zn", "err-grade-max"),
            ]
        );
        // The same day twice is named with its first row.
        let s = sheet("mine,day,ore_milled_t\n大坪锌矿,2005-03-01,300\nDaping,2005-03-01,310");
        let e = check_sheet(&s, &default_elements(), today(), mines).unwrap_err();
        assert_eq!((e[0].row, e[0].code, e[0].args[0].1.as_str()), (3, "err-import-duplicate", "2"));
    }

    #[test]
    fn a_sheet_without_a_mine_column_or_rows_says_so() {
        let e = check_sheet(&sheet("day,ore_milled_t\n2005-03-01,1"), &default_elements(), today(), mines).unwrap_err();
        assert_eq!(e[0].code, "err-import-no-mine");
        let e = check_sheet(&sheet("mine,day"), &default_elements(), today(), mines).unwrap_err();
        assert_eq!(e[0].code, "err-import-empty");
    }
}
