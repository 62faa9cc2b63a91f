//! Importing workers and insurance policies from CSV or XLSX (`/workers/import`,
//! `/insurance/import`), as production is imported: the sheet is checked whole (every problem
//! by row and column, in the user's language), then written all or nothing. And the tables
//! of the workers list, the policies list and the coverage check, for their CSV/XLSX
//! downloads and for `minecoop export`: identity numbers only masked, and the names of
//! uncovered workers only for those who may see the mine's workers.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::{Router, routing::get};
use minecoop_domain::auth::Principal;
use minecoop_domain::workforce::coverage::Missing;
use minecoop_domain::workforce::import::{
    PolicySheet, check_policy_tables, check_workers_sheet, policy_headings_hint, worker_headings_hint,
};
use minecoop_domain::workforce::worker::WorkerDraft;
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::workforce::{DIFFERS, ImportCounts, MineCoverage, Policy, RowPlan, Worker};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::export::{Cell, Table};
use crate::i18n::Lang;
use crate::page::{Ctx, render};
use crate::production::{ImportPage, ProblemRow};
use crate::registry::unprocessable;
use crate::session::Viewer;
use crate::upload::Upload;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workers/import", get(workers_page).post(import_workers))
        .route("/insurance/import", get(policies_page).post(import_policies))
}

fn workers_import_page(ctx: Ctx) -> ImportPage {
    ImportPage {
        ctx,
        action: "/workers/import",
        title_key: "workers-import",
        intro_key: "workers-import-intro",
        file: String::new(),
        problems: Vec::new(),
        counts: None,
        imported: false,
        headings: worker_headings_hint(),
    }
}

fn policies_import_page(ctx: Ctx) -> ImportPage {
    ImportPage {
        action: "/insurance/import",
        title_key: "insurance-import",
        intro_key: "insurance-import-intro",
        headings: policy_headings_hint(),
        ..workers_import_page(ctx)
    }
}

/// The mines whose workers and insurance the viewer keeps.
async fn writable_mines(s: &AppState, p: &Principal) -> AppResult<Vec<Mine>> {
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_manage_workers_of(m.id, m.member_id)).collect())
}

/// A mine of `mines` by its id, Chinese name or English name (as the production import names
/// mines).
pub fn mine_named(mines: &[Mine], name: &str) -> Option<Uuid> {
    let n = name.trim();
    mines.iter().find(|m| m.id.to_string() == n || m.name_zh == n || m.name_en.eq_ignore_ascii_case(n)).map(|m| m.id)
}

async fn workers_page(v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    render(&workers_import_page(Ctx::new(&v, &uri)))
}

async fn policies_page(v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    render(&policies_import_page(Ctx::new(&v, &uri)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImportForm {
    /// `check` (the dry run) or `import`.
    action: String,
}

/// The rows of a plan that stop an import, one problem per differing field, by row and
/// column.
pub(crate) fn plan_problems(
    lang: Lang,
    plans: &[RowPlan],
    rows: &[usize],
    column: &dyn Fn(&str) -> String,
) -> Vec<ProblemRow> {
    let mut out = Vec::new();
    for (p, row) in plans.iter().zip(rows) {
        match p {
            RowPlan::Differs(fields) => {
                out.extend(fields.iter().map(|f| ProblemRow { row: *row, column: column(f), message: lang.t(DIFFERS) }))
            }
            RowPlan::Problem(field, code) => {
                out.push(ProblemRow { row: *row, column: column(field), message: lang.t(code) })
            }
            RowPlan::New | RowPlan::Same => {}
        }
    }
    out
}

/// What an import came to: the problems that stop it (by row and column, in the user's
/// language), else the counts of new and already recorded rows, whether they were written,
/// and `conflict` when someone changed the records between the check and the write. The
/// pages and the API answer from it alike.
#[derive(Default)]
pub(crate) struct ImportOutcome {
    pub problems: Vec<ProblemRow>,
    /// (new, already recorded), once the sheet is free of problems.
    pub counts: Option<(usize, usize)>,
    pub imported: bool,
    pub conflict: bool,
}

impl ImportOutcome {
    fn problems(problems: Vec<ProblemRow>) -> Self {
        ImportOutcome { problems, ..Default::default() }
    }

    fn problem(lang: Lang, code: &str, args: &[(&str, String)]) -> Self {
        Self::problems(vec![ProblemRow { row: 0, column: String::new(), message: lang.t_args(code, args) }])
    }
}

/// A sheet's own problems in the user's language.
fn sheet_problems(lang: Lang, problems: Vec<minecoop_domain::production::import::RowProblem>) -> Vec<ProblemRow> {
    problems
        .into_iter()
        .map(|pr| {
            let args: Vec<(&str, String)> = pr.args.iter().map(|(k, v)| (*k, v.clone())).collect();
            ProblemRow { row: pr.row, column: pr.column, message: lang.t_args(pr.code, &args) }
        })
        .collect()
}

/// The sent file read by `read` off the async workers; when there is none or it cannot be
/// read, the reason as the outcome.
async fn read_upload<T: Send + 'static>(
    lang: Lang,
    file: Option<Upload>,
    read: fn(&str, &[u8]) -> Result<T, minecoop_domain::tabular::FileError>,
) -> AppResult<Result<T, ImportOutcome>> {
    let Some(file) = file else {
        return Ok(Err(ImportOutcome::problem(lang, "err-file-none", &[])));
    };
    let (name, bytes) = (file.name.clone(), file.bytes.clone());
    let read = tokio::task::spawn_blocking(move || read(&name, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(read.map_err(|e| ImportOutcome::problem(lang, e.code, &[("file", file.name.clone()), ("detail", e.detail)])))
}

/// Read, check and plan a workers sheet for the viewer (the mines whose workers he keeps),
/// and when `write` and the sheet is free of problems, import it all or nothing.
pub(crate) async fn workers_import(
    s: &AppState,
    v: &Viewer,
    file: Option<Upload>,
    write: bool,
) -> AppResult<ImportOutcome> {
    let p = v.require(|p| p.can_manage_any_workers())?.clone();
    let rows = match read_upload(v.lang, file, minecoop_domain::tabular::read_rows).await? {
        Ok(rows) => rows,
        Err(out) => return Ok(out),
    };
    let mines = writable_mines(s, &p).await?;
    let sheet = match check_workers_sheet(&rows, today(), |n| mine_named(&mines, n)) {
        Ok(sheet) => sheet,
        Err(problems) => return Ok(ImportOutcome::problems(sheet_problems(v.lang, problems))),
    };
    let drafts: Vec<WorkerDraft> = sheet.rows.iter().map(|r| r.draft.clone()).collect();
    let plans = s.store.plan_worker_import(&drafts).await?;
    let at: Vec<usize> = sheet.rows.iter().map(|r| r.row).collect();
    let problems = plan_problems(v.lang, &plans, &at, &|f| sheet.column(f));
    if !problems.is_empty() {
        return Ok(ImportOutcome::problems(problems));
    }
    let mut out = ImportOutcome {
        counts: Some((
            plans.iter().filter(|p| **p == RowPlan::New).count(),
            plans.iter().filter(|p| **p == RowPlan::Same).count(),
        )),
        ..Default::default()
    };
    if write {
        match s.store.import_workers(&v.actor(), &drafts).await {
            Ok(ImportCounts { new, same }) => {
                out.counts = Some((new, same));
                out.imported = true;
            }
            // Someone recorded one of the workers meanwhile.
            Err(StoreError::Invalid(_)) | Err(StoreError::Conflict) => out.conflict = true,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// Read, check and plan a policies file (a policies sheet and/or a covered-workers sheet) for
/// the viewer, and when `write` and the file is free of problems, import it all or nothing.
pub(crate) async fn policies_import(
    s: &AppState,
    v: &Viewer,
    file: Option<Upload>,
    write: bool,
) -> AppResult<ImportOutcome> {
    let p = v.require(|p| p.can_manage_any_workers())?.clone();
    let tables = match read_upload(v.lang, file, minecoop_domain::tabular::read_tables).await? {
        Ok(tables) => tables,
        Err(out) => return Ok(out),
    };
    let mines = writable_mines(s, &p).await?;
    let ids: Vec<Uuid> = mines.iter().map(|m| m.id).collect();
    let sheet: PolicySheet = match check_policy_tables(&tables, |n| mine_named(&mines, n)) {
        Ok(sheet) => sheet,
        Err(problems) => return Ok(ImportOutcome::problems(sheet_problems(v.lang, problems))),
    };
    let plan = s.store.plan_policy_import(&ids, &sheet).await?;
    let policy_rows: Vec<usize> = sheet.policies.iter().map(|r| r.row).collect();
    let member_rows: Vec<usize> = sheet.members.iter().map(|r| r.row).collect();
    // With both tables, a column is said with its sheet, as the sheet's own problems are.
    let both = !sheet.policies.is_empty() && !sheet.members.is_empty();
    let tag = |n: usize, c: String| if both { format!("{n} › {c}") } else { c };
    let mut problems = plan_problems(v.lang, &plan.policies, &policy_rows, &|f| tag(1, sheet.policy_column(f)));
    problems.extend(plan_problems(v.lang, &plan.members, &member_rows, &|f| tag(2, sheet.member_column(f))));
    if !problems.is_empty() {
        return Ok(ImportOutcome::problems(problems));
    }
    let c = plan.counts();
    let mut out = ImportOutcome { counts: Some((c.new, c.same)), ..Default::default() };
    if write {
        match s.store.import_policies(&v.actor(), &ids, &sheet).await {
            Ok(c) => {
                out.counts = Some((c.new, c.same));
                out.imported = true;
            }
            Err(StoreError::Invalid(_)) | Err(StoreError::Conflict) => out.conflict = true,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The import page showing an outcome: 422 with its problems, 409 on a conflict, else the
/// counts (and whether they were written).
fn page_answer(mut page: ImportPage, file: Option<&Upload>, out: ImportOutcome) -> AppResult<Response> {
    if let Some(f) = file {
        page.file = f.name.clone();
    }
    page.problems = out.problems;
    page.counts = out.counts;
    page.imported = out.imported;
    if out.conflict {
        page.ctx = page.ctx.with_notice("notice-conflict");
        return crate::registry::conflict(&page);
    }
    if !page.problems.is_empty() {
        return unprocessable(&page);
    }
    render(&page)
}

async fn import_workers(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    sent: crate::upload::Submitted<ImportForm>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let page = workers_import_page(Ctx::new(&v, &uri));
    let file = sent.file("file");
    let out = workers_import(&s, &v, file.cloned(), sent.form.action == "import").await?;
    page_answer(page, file, out)
}

async fn import_policies(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    sent: crate::upload::Submitted<ImportForm>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let page = policies_import_page(Ctx::new(&v, &uri));
    let file = sent.file("file");
    let out = policies_import(&s, &v, file.cloned(), sent.form.action == "import").await?;
    page_answer(page, file, out)
}

// ---- exports -------------------------------------------------------------------------------

fn mine_name(mines: &[Mine], id: Uuid) -> String {
    mines.iter().find(|m| m.id == id).map(|m| m.name_zh.clone()).unwrap_or_default()
}

fn date_cell(d: Option<chrono::NaiveDate>) -> Cell {
    d.map(|d| Cell::from(d.to_string())).unwrap_or(Cell::Empty)
}

fn money(fen: i64) -> Cell {
    Cell::from(Decimal::new(fen, 2))
}

/// The workers list as a table: the identity number masked (the table never holds a number
/// whole), choices in the reader's language, and whether the worker lacks a certificate.
pub fn workers_table(
    lang: Lang,
    workers: &[Worker],
    mines: &[Mine],
    missing: &std::collections::HashMap<Uuid, minecoop_domain::workforce::CertificateType>,
) -> Table {
    let t = |k: &str| lang.t(k);
    let headers = [
        "field-name",
        "field-mine",
        "worker-id-number",
        "worker-sex",
        "worker-birth-date",
        "worker-home-village",
        "field-phone",
        "worker-job",
        "worker-employment-form",
        "worker-start",
        "worker-end",
        "worker-state",
        "workers-flags",
    ];
    let mut table = Table::new(format!("workers-{}", today()), headers.iter().map(|h| t(h)).collect());
    let day = today();
    for w in workers {
        let state = match minecoop_domain::workforce::state_on(w.start_date, w.end_date, day) {
            minecoop_domain::workforce::WorkerState::Future => "future",
            minecoop_domain::workforce::WorkerState::Active => "active",
            minecoop_domain::workforce::WorkerState::Left => "left",
        };
        table.push(vec![
            Cell::from(w.name.as_str()),
            Cell::from(mine_name(mines, w.mine_id)),
            Cell::from(w.id_masked.as_str()),
            Cell::from(t(&format!("sex-{}", w.sex))),
            Cell::from(w.birth_date.to_string()),
            w.home_village.clone().map(Cell::from).unwrap_or(Cell::Empty),
            w.phone.clone().map(Cell::from).unwrap_or(Cell::Empty),
            Cell::from(t(&format!("job-{}", w.job))),
            Cell::from(t(&format!("employment-form-{}", w.employment_form))),
            Cell::from(w.start_date.to_string()),
            date_cell(w.end_date),
            Cell::from(t(&format!("worker-state-{state}"))),
            missing
                .get(&w.worker_id)
                .map(|c| {
                    Cell::from(lang.t_args(
                        "workers-flag-certificate",
                        &[("type", t(&format!("certificate-type-{}", c.as_str())))],
                    ))
                })
                .unwrap_or(Cell::Empty),
        ]);
    }
    table
}

/// The policies list as a table (no person in it).
pub fn policies_table(lang: Lang, policies: &[Policy], mines: &[Mine]) -> Table {
    let t = |k: &str| lang.t(k);
    let headers = [
        "policy-number",
        "field-mine",
        "policy-kind",
        "policy-insurer",
        "policy-starts",
        "policy-ends",
        "policy-premium",
        "policy-cover",
    ];
    let mut table = Table::new(format!("policies-{}", today()), headers.iter().map(|h| t(h)).collect());
    for p in policies {
        table.push(vec![
            Cell::from(p.number.as_str()),
            Cell::from(mine_name(mines, p.mine_id)),
            Cell::from(t(&format!("policy-kind-{}", p.kind))),
            Cell::from(p.insurer.as_str()),
            Cell::from(p.starts_on.to_string()),
            Cell::from(p.ends_on.to_string()),
            money(p.premium_fen),
            p.cover_fen.map(money).unwrap_or(Cell::Empty),
        ]);
    }
    table
}

/// The coverage check as a table: one row per mine (active, covered, ratio, breaches, gaps)
/// and the co-op's total; then, for the mines whose workers `names` allows, one row per
/// uncovered worker (his name and what he lacks). For the bureau `names` allows none: the
/// table is the figures only, as the page shows them.
pub fn coverage_table(
    lang: Lang,
    day: chrono::NaiveDate,
    results: &[MineCoverage],
    mines: &[Mine],
    names: &dyn Fn(&Mine) -> bool,
) -> Table {
    let t = |k: &str| lang.t(k);
    let headers = [
        "field-mine",
        "coverage-active",
        "coverage-covered",
        "coverage-ratio",
        "coverage-breaches",
        "coverage-gaps",
        "field-name",
        "coverage-missing",
    ];
    let mut table = Table::new(format!("coverage-{day}"), headers.iter().map(|h| t(h)).collect());
    let ratio = |covered: usize, active: usize| {
        (covered * 1000).checked_div(active).map_or(Cell::Empty, |pm| Cell::from(Decimal::new(pm as i64, 1)))
    };
    let kind = |k: &str| t(&format!("policy-kind-{k}"));
    for r in results {
        let c = &r.coverage;
        let gaps: Vec<String> =
            c.gaps.iter().map(|g| format!("{}: {} – {}", kind(g.kind.as_str()), g.from, g.to)).collect();
        table.push(vec![
            Cell::from(mine_name(mines, r.mine_id)),
            Cell::from(c.active),
            Cell::from(c.covered),
            ratio(c.covered, c.active),
            Cell::from(c.breaches.len()),
            Cell::from(gaps.join("; ")),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    let active: usize = results.iter().map(|r| r.coverage.active).sum();
    let covered: usize = results.iter().map(|r| r.coverage.covered).sum();
    let breaches: usize = results.iter().map(|r| r.coverage.breaches.len()).sum();
    table.push(vec![
        Cell::from(t("coverage-coop")),
        Cell::from(active),
        Cell::from(covered),
        ratio(covered, active),
        Cell::from(breaches),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    for r in results {
        let Some(m) = mines.iter().find(|m| m.id == r.mine_id) else { continue };
        if !names(m) {
            continue;
        }
        for b in &r.coverage.breaches {
            let what: Vec<String> = b
                .missing
                .iter()
                .map(|x| match x {
                    Missing::NotInsured { kind: k } => {
                        lang.t_args("coverage-not-insured", &[("kind", kind(k.as_str()))])
                    }
                    Missing::CoverTooLow { policy, cover_fen } => lang.t_args(
                        "coverage-cover-too-low",
                        &[("policy", policy.clone()), ("cover", crate::safety::incidents::yuan(cover_fen))],
                    ),
                })
                .collect();
            table.push(vec![
                Cell::from(m.name_zh.as_str()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::from(b.name.as_str()),
                Cell::from(what.join("; ")),
            ]);
        }
    }
    table
}
