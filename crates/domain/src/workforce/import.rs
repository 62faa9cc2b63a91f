//! Sheets of workers and of insurance policies (CSV or XLSX, read by `tabular`), checked whole
//! before anything is written: every problem of every row, named by its sheet row and column
//! heading, with the same checks as the forms ([`WorkerDraft::parse`], [`PolicyDraft::parse`]).
//!
//! **Workers**: one row per worker. Headings are the form's field names or their Chinese
//! names (`mine`/矿山, `name`/姓名, `id_number`/身份证号, ...); choices are codes (`male`,
//! `blaster`, `dispatch`) or their Chinese names (男, 爆破工, 劳务派遣). Family members are
//! repeated columns on the worker's row: `dependant1.name`, `dependant1.relation`,
//! `dependant1.birth_date`, `dependant1.id_number`, then `dependant2.…` (家属1姓名, 家属1关系,
//! 家属1出生日期, 家属1身份证号, ...), up to [`MAX_DEPENDANTS`].
//!
//! **Policies**: one table of policies (`mine`, `kind`, `insurer`, `number`, `starts_on`,
//! `ends_on`, `premium`, `cover_per_person`) and/or one table of the workers they cover
//! (`policy_number`, `id_number`, optional `from`, `to` and `mine`): two sheets of one
//! workbook, or either alone (a CSV holds one table). Which table is which is told by its
//! headings: a `kind` column makes a policies table, an `id_number` column a members table.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::coverage::{PolicyDraft, PolicyInput};
use super::idcard::IdNumber;
use super::worker::{DependantInput, MAX_DEPENDANTS, WorkerDraft, WorkerInput};
#[cfg(test)]
use super::{EmploymentForm, Job, Relation, Sex, coverage::PolicyKind};
use crate::production::import::RowProblem;
use crate::validation::{FieldErrors, era_date};

/// Chinese headings of the workers sheet's columns.
const WORKER_ALIASES: &[(&str, &str)] = &[
    ("矿山", "mine"),
    ("姓名", "name"),
    ("身份证号", "id_number"),
    ("身份证号码", "id_number"),
    ("性别", "sex"),
    ("出生日期", "birth_date"),
    ("家庭住址", "home_village"),
    ("籍贯", "home_village"),
    ("村寨", "home_village"),
    ("电话", "phone"),
    ("联系电话", "phone"),
    ("工种", "job"),
    ("用工形式", "employment_form"),
    ("入职日期", "start_date"),
    ("离职日期", "end_date"),
    ("紧急联系人", "emergency_name"),
    ("紧急联系电话", "emergency_phone"),
];

/// The worker columns a sheet may have (besides the dependants').
pub const WORKER_COLUMNS: &[&str] = &[
    "mine",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "home_village",
    "phone",
    "job",
    "employment_form",
    "start_date",
    "end_date",
    "emergency_name",
    "emergency_phone",
];

const DEPENDANT_FIELDS: &[(&str, &str)] =
    &[("姓名", "name"), ("关系", "relation"), ("出生日期", "birth_date"), ("身份证号", "id_number")];

const POLICY_ALIASES: &[(&str, &str)] = &[
    ("矿山", "mine"),
    ("险种", "kind"),
    ("保险公司", "insurer"),
    ("保单号", "number"),
    ("起保日期", "starts_on"),
    ("终保日期", "ends_on"),
    ("保费", "premium"),
    ("保费（元）", "premium"),
    ("每人保额", "cover_per_person"),
    ("每人保额（元）", "cover_per_person"),
];

/// The policy columns a sheet may have.
pub const POLICY_COLUMNS: &[&str] =
    &["mine", "kind", "insurer", "number", "starts_on", "ends_on", "premium", "cover_per_person"];

const MEMBER_ALIASES: &[(&str, &str)] = &[
    ("矿山", "mine"),
    ("保单号", "policy_number"),
    ("身份证号", "id_number"),
    ("身份证号码", "id_number"),
    ("起始日期", "from"),
    ("截止日期", "to"),
];

/// The members table's columns.
pub const MEMBER_COLUMNS: &[&str] = &["mine", "policy_number", "id_number", "from", "to"];

/// The Chinese names of a field's choices, as the pages show them, with their codes.
fn zh_names(field: &str) -> &'static [(&'static str, &'static str)] {
    match field {
        "sex" => &[("男", "male"), ("女", "female")],
        "employment_form" => {
            &[("劳动合同", "contract"), ("合同工", "contract"), ("劳务派遣", "dispatch"), ("临时工", "casual")]
        }
        "relation" => &[("配偶", "spouse"), ("子女", "child"), ("父母", "parent"), ("其他", "other")],
        "kind" => &[
            ("工伤保险", "work_injury"),
            ("安全生产责任保险", "safety_liability"),
            ("安责险", "safety_liability"),
            ("意外伤害保险", "accident"),
            ("家庭保险", "family_cover"),
        ],
        "job" => &[
            ("采掘工", "miner"),
            ("凿岩工", "driller"),
            ("爆破工", "blaster"),
            ("支护工", "ground_support"),
            ("井下运输工", "haulage"),
            ("通风工", "ventilation"),
            ("排水工", "drainage"),
            ("瓦斯检查工", "gas_inspector"),
            ("井下电工", "underground_electrician"),
            ("提升机操作工", "hoist_operator"),
            ("电工", "electrician"),
            ("焊工", "welder"),
            ("选矿工", "mill_operator"),
            ("司机", "driver"),
            ("测量工", "surveyor"),
            ("文员", "clerk"),
            ("炊事员", "cook"),
            ("保安", "guard"),
        ],
        _ => &[],
    }
}

/// A choice's cell as its code: the code itself, or its Chinese name.
fn choice_code(field: &str, value: &str) -> String {
    let v = value.trim();
    zh_names(field)
        .iter()
        .find(|(z, _)| *z == v)
        .map(|(_, c)| (*c).to_owned())
        .unwrap_or_else(|| v.to_ascii_lowercase())
}

/// The code of a worker column's heading: its field name, `dependant<N>.<field>`, or the
/// heading itself (lower case) when it is none of these.
fn worker_heading(h: &str) -> String {
    let h = h.trim();
    if let Some((_, en)) = WORKER_ALIASES.iter().find(|(zh, _)| *zh == h) {
        return (*en).to_owned();
    }
    if let Some(rest) = h.strip_prefix("家属") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Some((_, en)) = DEPENDANT_FIELDS.iter().find(|(zh, _)| *zh == &rest[digits.len()..])
            && !digits.is_empty()
        {
            return format!("dependant{digits}.{en}");
        }
    }
    h.to_ascii_lowercase()
}

/// `dependant<N>.<field>` as (N - 1, field), for N from 1 to [`MAX_DEPENDANTS`].
fn dependant_of(h: &str) -> Option<(usize, &str)> {
    let (n, field) = h.strip_prefix("dependant")?.split_once('.')?;
    let n: usize = n.parse().ok()?;
    let known = ["name", "relation", "birth_date", "id_number"].contains(&field);
    (known && (1..=MAX_DEPENDANTS).contains(&n)).then_some((n - 1, field))
}

fn canonical(aliases: &[(&str, &str)], h: &str) -> String {
    let h = h.trim();
    aliases.iter().find(|(zh, _)| *zh == h).map(|(_, en)| (*en).to_owned()).unwrap_or_else(|| h.to_ascii_lowercase())
}

/// A sheet's heading row, read: where it is, each column's code and its heading as written.
struct Head {
    at: usize,
    codes: Vec<String>,
    shown: HashMap<String, String>,
}

impl Head {
    fn find(rows: &[Vec<String>], code: impl Fn(&str) -> String) -> Option<Head> {
        let at = rows.iter().position(|r| r.iter().any(|c| !c.trim().is_empty()))?;
        let codes: Vec<String> = rows[at].iter().map(|h| code(h)).collect();
        let shown = codes.iter().zip(&rows[at]).map(|(k, h)| (k.clone(), h.trim().to_owned())).collect();
        Some(Head { at, codes, shown })
    }

    /// The heading a field's problems are named by: the column as the sheet wrote it.
    fn column(&self, field: &str) -> String {
        self.shown.get(field).cloned().unwrap_or_else(|| field.to_owned())
    }

    fn cell<'a>(&self, row: &'a [String], code: &str) -> &'a str {
        self.codes.iter().position(|c| c == code).and_then(|i| row.get(i)).map(|c| c.trim()).unwrap_or("")
    }

    /// Problems of the heading row: unknown headings, a required column missing.
    fn check(&self, known: impl Fn(&str) -> bool, required: &[(&str, &'static str)]) -> Vec<RowProblem> {
        let mut problems = Vec::new();
        for c in &self.codes {
            if !c.is_empty() && !known(c) {
                problems.push(RowProblem {
                    row: self.at + 1,
                    column: self.column(c),
                    code: "err-import-column",
                    args: vec![],
                });
            }
        }
        for (col, code) in required {
            if !self.codes.iter().any(|c| c == col) {
                problems.push(RowProblem { row: self.at + 1, column: (*col).to_owned(), code, args: vec![] });
            }
        }
        problems
    }

    /// Problems of a data row's cells beyond the headings.
    fn overflow(&self, n: usize, row: &[String]) -> Option<RowProblem> {
        (row.len() > self.codes.len() && row[self.codes.len()..].iter().any(|c| !c.trim().is_empty())).then(|| {
            RowProblem {
                row: n,
                column: format!("#{}", self.codes.len() + 1),
                code: "err-import-no-heading",
                args: vec![],
            }
        })
    }
}

fn blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// The mine of a row, or its problem.
fn row_mine(
    head: &Head,
    row: &[String],
    n: usize,
    mine_of: &impl Fn(&str) -> Option<Uuid>,
    problems: &mut Vec<RowProblem>,
) -> Option<Uuid> {
    let name = head.cell(row, "mine");
    if name.is_empty() {
        problems.push(RowProblem { row: n, column: head.column("mine"), code: "err-required", args: vec![] });
        return None;
    }
    let found = mine_of(name);
    if found.is_none() {
        problems.push(RowProblem {
            row: n,
            column: head.column("mine"),
            code: "err-import-mine",
            args: vec![("mine", name.to_owned())],
        });
    }
    found
}

/// A checked row of a workers sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerRow {
    pub row: usize,
    pub draft: WorkerDraft,
}

/// A checked workers sheet: its rows, and the heading each field was read from (to name the
/// column of a problem found later, e.g. a row that differs from what is recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerSheet {
    pub rows: Vec<WorkerRow>,
    pub headings: HashMap<String, String>,
}

impl WorkerSheet {
    /// The column heading of a worker field as the sheet wrote it (`dependants` names the
    /// first dependant column).
    pub fn column(&self, field: &str) -> String {
        if field == "dependants" {
            return self
                .headings
                .iter()
                .filter(|(k, _)| k.starts_with("dependant"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .min()
                .map(|(_, v)| v)
                .unwrap_or_else(|| "dependant1.name".into());
        }
        self.headings.get(field).cloned().unwrap_or_else(|| field.to_owned())
    }
}

/// Check a whole workers sheet. `mine_of` finds a mine by its id or name among those the
/// importer may record workers for; `today` is the co-op's date. Every row is checked as the
/// worker form checks it, and the same person (identity number) twice at one mine in the
/// sheet is a problem naming the first row. Empty rows are skipped.
pub fn check_workers_sheet(
    rows: &[Vec<String>],
    today: NaiveDate,
    mine_of: impl Fn(&str) -> Option<Uuid>,
) -> Result<WorkerSheet, Vec<RowProblem>> {
    let Some(head) = Head::find(rows, worker_heading) else {
        return Err(vec![RowProblem { row: 1, column: String::new(), code: "err-import-empty", args: vec![] }]);
    };
    let known = |c: &str| WORKER_COLUMNS.contains(&c) || dependant_of(c).is_some();
    let mut problems = head.check(known, &[("mine", "err-import-no-mine"), ("id_number", "err-import-no-id-number")]);
    if !problems.is_empty() {
        return Err(problems);
    }
    let column_of = |field: &str| -> String {
        if let Some(rest) = field.strip_prefix("dependants[")
            && let Some((n, f)) = rest.split_once("].")
            && let Ok(n) = n.parse::<usize>()
        {
            return head.column(&format!("dependant{}.{f}", n + 1));
        }
        head.column(field)
    };
    let mut out = Vec::new();
    let mut seen: HashMap<(Uuid, String), usize> = HashMap::new();
    for (k, row) in rows.iter().enumerate().skip(head.at + 1) {
        let n = k + 1;
        if blank(row) {
            continue;
        }
        problems.extend(head.overflow(n, row));
        let mine = row_mine(&head, row, n, &mine_of, &mut problems);
        let get = |f: &str| head.cell(row, f).to_owned();
        let choice = |f: &str| choice_code(f, head.cell(row, f));
        let mut dependants: Vec<DependantInput> = Vec::new();
        for (i, code) in head.codes.iter().enumerate() {
            let Some((d, field)) = dependant_of(code) else { continue };
            let v = row.get(i).map(|c| c.trim()).unwrap_or("");
            if dependants.len() <= d {
                dependants.resize(d + 1, DependantInput::default());
            }
            let dep = &mut dependants[d];
            match field {
                "name" => dep.name = v.to_owned(),
                "relation" => dep.relation = if v.is_empty() { String::new() } else { choice_code("relation", v) },
                "birth_date" => dep.birth_date = v.to_owned(),
                _ => dep.id_number = v.to_owned(),
            }
        }
        let input = WorkerInput {
            // A mine that was not found is reported on its column, not again as `mine_id`.
            mine_id: mine.unwrap_or_else(Uuid::nil).to_string(),
            name: get("name"),
            id_number: get("id_number"),
            sex: choice("sex"),
            birth_date: get("birth_date"),
            home_village: get("home_village"),
            phone: get("phone"),
            job: choice("job"),
            employment_form: choice("employment_form"),
            start_date: get("start_date"),
            end_date: get("end_date"),
            emergency_name: get("emergency_name"),
            emergency_phone: get("emergency_phone"),
            dependants,
            reason: String::new(),
        };
        match WorkerDraft::parse(&input, today) {
            Ok(d) => {
                if let Some(m) = mine {
                    if let Some(first) = seen.insert((m, d.id_number.as_str().to_owned()), n) {
                        problems.push(RowProblem {
                            row: n,
                            column: head.column("id_number"),
                            code: "err-import-duplicate-worker",
                            args: vec![("first", first.to_string())],
                        });
                    }
                    out.push(WorkerRow { row: n, draft: d });
                }
            }
            Err(errors) => push_field_errors(&mut problems, n, errors, &column_of),
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(RowProblem { row: head.at + 2, column: String::new(), code: "err-import-empty", args: vec![] });
    }
    if problems.is_empty() { Ok(WorkerSheet { rows: out, headings: head.shown }) } else { Err(problems) }
}

fn push_field_errors(
    problems: &mut Vec<RowProblem>,
    n: usize,
    errors: FieldErrors,
    column_of: &dyn Fn(&str) -> String,
) {
    for e in errors.0 {
        // The mine comes from the `mine` column, checked (and reported) there.
        if e.field == "mine_id" {
            continue;
        }
        problems.push(RowProblem { row: n, column: column_of(&e.field), code: e.code, args: e.args });
    }
}

/// A checked row of a policies table.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRow {
    pub row: usize,
    pub draft: PolicyDraft,
}

/// A checked row of a members table: the policy by its number (and mine, when the table has
/// a `mine` column), the worker by his identity number, the cover's dates (`from` empty: from
/// the policy's start).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub row: usize,
    pub mine_id: Option<Uuid>,
    pub policy_number: String,
    pub id_number: IdNumber,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A checked policies file: its policies and members, and the heading of each column (to
/// name the column of a problem found later).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicySheet {
    pub policies: Vec<PolicyRow>,
    pub members: Vec<MemberRow>,
    pub policy_headings: HashMap<String, String>,
    pub member_headings: HashMap<String, String>,
}

impl PolicySheet {
    pub fn policy_column(&self, field: &str) -> String {
        self.policy_headings.get(field).cloned().unwrap_or_else(|| field.to_owned())
    }

    pub fn member_column(&self, field: &str) -> String {
        self.member_headings.get(field).cloned().unwrap_or_else(|| field.to_owned())
    }
}

/// What a table of a policies file is, by its headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyTable {
    Policies,
    Members,
}

/// Whether a table holds policies (a `kind` column) or members (an `id_number` column);
/// `None` for an empty table or one that is neither.
pub fn policy_table_kind(rows: &[Vec<String>]) -> Option<PolicyTable> {
    let head = rows.iter().find(|r| !blank(r))?;
    if head.iter().any(|h| canonical(POLICY_ALIASES, h) == "kind") {
        Some(PolicyTable::Policies)
    } else if head.iter().any(|h| canonical(MEMBER_ALIASES, h) == "id_number") {
        Some(PolicyTable::Members)
    } else {
        None
    }
}

/// Check a policies file: its tables (each sheet of a workbook, or a CSV's one table), each
/// recognised by its headings ([`policy_table_kind`]). Problems are named by row and column;
/// a problem of the second table is said to be on that sheet (`sheet` argument) when the
/// file has two. Every policy is checked as the policy form checks it; the same policy (mine
/// and number) twice, or the same worker twice on one policy, names the first row.
pub fn check_policy_tables(
    tables: &[Vec<Vec<String>>],
    mine_of: impl Fn(&str) -> Option<Uuid>,
) -> Result<PolicySheet, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut sheet = PolicySheet::default();
    let mut found = (false, false);
    let filled: Vec<(usize, &Vec<Vec<String>>)> =
        tables.iter().enumerate().filter(|(_, t)| t.iter().any(|r| !blank(r))).collect();
    for (i, rows) in &filled {
        let tag = |mut p: RowProblem| {
            if filled.len() > 1 {
                p.column = format!("{} › {}", i + 1, p.column);
            }
            p
        };
        match policy_table_kind(rows) {
            Some(PolicyTable::Policies) if !found.0 => {
                found.0 = true;
                match check_policies(rows, &mine_of) {
                    Ok((p, h)) => {
                        sheet.policies = p;
                        sheet.policy_headings = h;
                    }
                    Err(e) => problems.extend(e.into_iter().map(tag)),
                }
            }
            Some(PolicyTable::Members) if !found.1 => {
                found.1 = true;
                match check_members(rows, &mine_of) {
                    Ok((m, h)) => {
                        sheet.members = m;
                        sheet.member_headings = h;
                    }
                    Err(e) => problems.extend(e.into_iter().map(tag)),
                }
            }
            _ => problems.push(tag(RowProblem {
                row: rows.iter().position(|r| !blank(r)).unwrap_or(0) + 1,
                column: String::new(),
                code: "err-import-policy-table",
                args: vec![],
            })),
        }
    }
    if filled.is_empty() {
        problems.push(RowProblem { row: 1, column: String::new(), code: "err-import-empty", args: vec![] });
    }
    if problems.is_empty() { Ok(sheet) } else { Err(problems) }
}

type Checked<T> = Result<(Vec<T>, HashMap<String, String>), Vec<RowProblem>>;

fn check_policies(rows: &[Vec<String>], mine_of: &impl Fn(&str) -> Option<Uuid>) -> Checked<PolicyRow> {
    let Some(head) = Head::find(rows, |h| canonical(POLICY_ALIASES, h)) else { return Ok(Default::default()) };
    let mut problems = head.check(|c| POLICY_COLUMNS.contains(&c), &[("mine", "err-import-no-mine")]);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(Uuid, String), usize> = HashMap::new();
    for (k, row) in rows.iter().enumerate().skip(head.at + 1) {
        let n = k + 1;
        if blank(row) {
            continue;
        }
        problems.extend(head.overflow(n, row));
        let mine = row_mine(&head, row, n, mine_of, &mut problems);
        let get = |f: &str| head.cell(row, f).to_owned();
        let input = PolicyInput {
            mine_id: mine.unwrap_or_else(Uuid::nil).to_string(),
            kind: choice_code("kind", head.cell(row, "kind")),
            insurer: get("insurer"),
            number: get("number"),
            starts_on: get("starts_on"),
            ends_on: get("ends_on"),
            premium: get("premium"),
            cover_per_person: get("cover_per_person"),
            reason: String::new(),
        };
        match PolicyDraft::parse(&input) {
            Ok(d) => {
                if let Some(m) = mine {
                    if let Some(first) = seen.insert((m, d.number.clone()), n) {
                        problems.push(RowProblem {
                            row: n,
                            column: head.column("number"),
                            code: "err-import-duplicate-policy",
                            args: vec![("first", first.to_string())],
                        });
                    }
                    out.push(PolicyRow { row: n, draft: d });
                }
            }
            Err(errors) => push_field_errors(&mut problems, n, errors, &|f| head.column(f)),
        }
    }
    if problems.is_empty() { Ok((out, head.shown)) } else { Err(problems) }
}

fn check_members(rows: &[Vec<String>], mine_of: &impl Fn(&str) -> Option<Uuid>) -> Checked<MemberRow> {
    let Some(head) = Head::find(rows, |h| canonical(MEMBER_ALIASES, h)) else { return Ok(Default::default()) };
    let mut problems = head.check(|c| MEMBER_COLUMNS.contains(&c), &[("policy_number", "err-import-no-policy-number")]);
    if !problems.is_empty() {
        return Err(problems);
    }
    let has_mine = head.codes.iter().any(|c| c == "mine");
    let mut out = Vec::new();
    let mut seen: HashMap<(Option<Uuid>, String, String), usize> = HashMap::new();
    for (k, row) in rows.iter().enumerate().skip(head.at + 1) {
        let n = k + 1;
        if blank(row) {
            continue;
        }
        problems.extend(head.overflow(n, row));
        let before = problems.len();
        let mine = if has_mine { row_mine(&head, row, n, mine_of, &mut problems) } else { None };
        let mut e = FieldErrors::new();
        let number = e.take("policy_number", crate::validation::required_text(head.cell(row, "policy_number"), 100));
        let id = e.take("id_number", IdNumber::parse(head.cell(row, "id_number")));
        let era = |c: &str| if c.is_empty() { Ok(None) } else { era_date(c).map(Some) };
        let from = e.take("from", era(head.cell(row, "from"))).flatten();
        let to = e.take("to", era(head.cell(row, "to"))).flatten();
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            e.add("to", "err-end-before-start");
        }
        push_field_errors(&mut problems, n, e, &|f| head.column(f));
        if let (Some(number), Some(id)) = (number, id)
            && problems.len() == before
        {
            if let Some(first) = seen.insert((mine, number.clone(), id.as_str().to_owned()), n) {
                problems.push(RowProblem {
                    row: n,
                    column: head.column("id_number"),
                    code: "err-import-duplicate-member",
                    args: vec![("first", first.to_string())],
                });
            }
            out.push(MemberRow { row: n, mine_id: mine, policy_number: number, id_number: id, from, to });
        }
    }
    if problems.is_empty() { Ok((out, head.shown)) } else { Err(problems) }
}

/// The workers sheet's headings, for the import page's hint.
pub fn worker_headings_hint() -> String {
    let mut h: Vec<String> = WORKER_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    h.extend(
        ["dependant1.name", "dependant1.relation", "dependant1.birth_date", "dependant1.id_number"].map(String::from),
    );
    h.join(", ")
}

/// The policies file's headings, for the import page's hint.
pub fn policy_headings_hint() -> String {
    format!("{} | {}", POLICY_COLUMNS.join(", "), MEMBER_COLUMNS.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workforce::idcard::tests::make;

    fn sheet(text: &str) -> Vec<Vec<String>> {
        text.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn mines(name: &str) -> Option<Uuid> {
        match name {
            "大坪锌矿" | "Daping" => Some(Uuid::from_u128(1)),
            "牛角塘锌矿" => Some(Uuid::from_u128(2)),
            _ => None,
        }
    }

    fn wang() -> String {
        make("522701", "19900512", "031")
    }

    #[test]
    fn a_workers_sheet_in_chinese_gives_one_draft_per_row_with_dependants() {
        let s = sheet(&format!(
            "矿山,姓名,身份证号,性别,出生日期,工种,用工形式,入职日期,家属1姓名,家属1关系,家属1出生日期\n\
             大坪锌矿,王小明,{},男,1990-05-12,爆破工,劳务派遣,2025-03-01,李芳,配偶,1992-01-20\n,,,,,,,,,,\n\
             Daping,李强,{},male,1985-07-01,clerk,contract,2024-01-01,,,",
            wang(),
            make("522701", "19850701", "051"),
        ));
        let w = check_workers_sheet(&s, today(), mines).unwrap();
        assert_eq!(w.rows.len(), 2);
        assert_eq!((w.rows[0].row, w.rows[1].row), (2, 4));
        let d = &w.rows[0].draft;
        assert_eq!((d.job, d.employment_form, d.sex), (Job::Blaster, EmploymentForm::Dispatch, Sex::Male));
        assert_eq!(d.dependants.len(), 1);
        assert_eq!(d.dependants[0].relation, Relation::Spouse);
        assert!(w.rows[1].draft.dependants.is_empty());
        assert_eq!(w.column("id_number"), "身份证号");
        assert_eq!(w.column("dependants"), "家属1出生日期");
    }

    #[test]
    fn every_bad_cell_of_a_workers_sheet_is_named_by_row_and_column() {
        let mut bad = wang();
        bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
        let young = make("522701", "20090301", "031");
        let s = sheet(&format!(
            "mine,name,身份证号,sex,birth_date,job,employment_form,start_date,dependant1.name,dependant1.relation,dependant1.birth_date\n\
             大坪锌矿,王小明,{bad},male,1990-05-12,blaster,dispatch,2025-03-01,,,\n\
             月亮矿,李强,{w},male,1990-05-12,miner,contract,2024-01-01,,,\n\
             大坪锌矿,张三,{young},male,2009-03-01,miner,contract,2026-06-01,李芳,cousin,1992-01-20\n\
             大坪锌矿,王小明,{w},female,1990-05-12,miner,contract,2024-01-01,,,\n\
             大坪锌矿,王小明,{w},male,1990-05-12,miner,contract,2024-01-01,,,\n\
             大坪锌矿,王小明,{w},male,1990-05-12,clerk,contract,2024-01-01,,,",
            w = wang(),
        ));
        let e = check_workers_sheet(&s, today(), mines).unwrap_err();
        let got: Vec<(usize, &str, &str)> = e.iter().map(|p| (p.row, p.column.as_str(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                (2, "身份证号", "err-id-checksum"),
                (3, "mine", "err-import-mine"),
                (4, "job", "err-underage-underground"),
                (4, "dependant1.relation", "err-choice"),
                (5, "身份证号", "err-id-sex-mismatch"),
                (7, "身份证号", "err-import-duplicate-worker"),
            ]
        );
        assert_eq!(e.last().unwrap().args, vec![("first", "6".to_string())]);
    }

    #[test]
    fn a_workers_sheet_needs_its_columns_and_rows() {
        let e = check_workers_sheet(&sheet("name,id_number,colour\nx,y,z"), today(), mines).unwrap_err();
        let got: Vec<(&str, &str)> = e.iter().map(|p| (p.column.as_str(), p.code)).collect();
        assert_eq!(got, vec![("colour", "err-import-column"), ("mine", "err-import-no-mine")]);
        let e = check_workers_sheet(&sheet("mine,id_number"), today(), mines).unwrap_err();
        assert_eq!(e[0].code, "err-import-empty");
        let e = check_workers_sheet(&sheet("mine,dependant21.name,id_number\n"), today(), mines).unwrap_err();
        assert_eq!((e[0].column.as_str(), e[0].code), ("dependant21.name", "err-import-column"));
    }

    fn policies() -> String {
        "矿山,险种,保险公司,保单号,起保日期,终保日期,保费,每人保额\n\
         大坪锌矿,工伤保险,中国人保,GS2026,2026-01-01,2026-12-31,\"12,000\",\n\
         大坪锌矿,safety_liability,平安,AZ2026,2026-01-01,2026-12-31,8000,400000"
            .replace("\"12,000\"", "12000")
    }

    #[test]
    fn a_policies_workbook_gives_policies_and_members() {
        let members =
            sheet(&format!("保单号,身份证号,起始日期,截止日期\nGS2026,{},2026-02-01,\nAZ2026,{},,", wang(), wang()));
        let p = check_policy_tables(&[sheet(&policies()), members], mines).unwrap();
        assert_eq!(p.policies.len(), 2);
        assert_eq!(p.policies[0].draft.kind, PolicyKind::WorkInjury);
        assert_eq!(p.policies[1].draft.cover_fen, Some(40_000_000));
        assert_eq!(p.members.len(), 2);
        assert_eq!(p.members[0].from, NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!((p.members[1].from, p.members[1].mine_id), (None, None));
        // A members table alone (a CSV) is a members import.
        let alone = check_policy_tables(&[sheet(&format!("policy_number,id_number\nGS2026,{}", wang()))], mines);
        assert_eq!(alone.unwrap().members.len(), 1);
    }

    #[test]
    fn every_bad_cell_of_a_policies_workbook_is_named_with_its_sheet() {
        let p = sheet(
            "mine,kind,insurer,number,starts_on,ends_on,premium,cover_per_person\n\
             大坪锌矿,safety_liability,平安,AZ2026,2026-01-01,2025-12-31,8000,\n\
             大坪锌矿,work_injury,人保,AZ2026,2026-01-01,2026-12-31,-5,\n\
             大坪锌矿,work_injury,人保,GS,2026-01-01,2026-12-31,5,\n\
             大坪锌矿,fire,人保,GS,2026-01-01,2026-12-31,5,",
        );
        let m = sheet(&format!(
            "policy_number,id_number,from,to\nAZ2026,123,,\nGS,{w},2026-05-01,2026-04-01\nGS,{w},,",
            w = wang()
        ));
        let e = check_policy_tables(&[p, m], mines).unwrap_err();
        let got: Vec<(usize, &str, &str)> = e.iter().map(|p| (p.row, p.column.as_str(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                (2, "1 › ends_on", "err-end-before-start"),
                (2, "1 › cover_per_person", "err-required"),
                (3, "1 › premium", "err-negative"),
                (5, "1 › kind", "err-choice"),
                (2, "2 › id_number", "err-id-length"),
                (3, "2 › to", "err-end-before-start"),
            ]
        );
        let e = check_policy_tables(&[sheet("colour\nred")], mines).unwrap_err();
        assert_eq!(e[0].code, "err-import-policy-table");
        // The same policy twice in the sheet names the first row.
        let twice = sheet(&format!("{}\n大坪锌矿,work_injury,人保,GS2026,2026-01-01,2026-12-31,5,", policies()));
        let e = check_policy_tables(&[twice], mines).unwrap_err();
        assert_eq!((e[0].row, e[0].code, e[0].args[0].1.as_str()), (4, "err-import-duplicate-policy", "2"));
    }

    #[test]
    fn every_choice_has_its_chinese_name() {
        let named = |field: &str, code: &str| zh_names(field).iter().any(|(_, c)| *c == code);
        assert!(Sex::ALL.iter().all(|x| named("sex", x.as_str())));
        assert!(EmploymentForm::ALL.iter().all(|x| named("employment_form", x.as_str())));
        assert!(Relation::ALL.iter().all(|x| named("relation", x.as_str())));
        assert!(Job::ALL.iter().all(|x| named("job", x.as_str())));
        assert!(PolicyKind::ALL.iter().all(|x| named("kind", x.as_str())));
        assert_eq!(choice_code("job", " 爆破工 "), "blaster");
        assert_eq!(choice_code("sex", "Male"), "male");
    }
}
