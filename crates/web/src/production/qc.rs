//! Quality control: the laboratory batches of a period with their outcome and failed checks,
//! one batch in detail with the inspector's decision, and the reference materials' accepted
//! values. Owners and safety officers see the batches of their mines' samples only.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use minecoop_domain::production::qc::{
    Check, Decision, DecisionDraft, DecisionInput, MaterialDraft, MaterialInput, Outcome,
};
use minecoop_domain::units::GRADE_SCALE;
use minecoop_store::StoreError;
use minecoop_store::production::qc::{QcBatch, QcDecision, ReferenceMaterial};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

/// The mines whose batches the viewer sees: `None` for all of them.
pub(crate) async fn scope(s: &AppState, v: &Viewer) -> AppResult<Option<Vec<Uuid>>> {
    let p = v.principal()?.clone();
    if p.can_view_all_qc() {
        return Ok(None);
    }
    Ok(Some(
        s.store
            .mine_choices()
            .await?
            .into_iter()
            .filter(|m| p.can_view_production_of(m.id, m.member_id))
            .map(|m| m.id)
            .collect(),
    ))
}

/// A batch (or laboratory) as a path segment: percent-encoded, `-` for one without a name. A
/// name that is itself `-`, or starts with `~`, gets a `~` in front, so no two names share a
/// segment.
pub(crate) fn seg(s: &str) -> String {
    if s.is_empty() {
        return "-".into();
    }
    let mut out = String::new();
    if s == "-" || s.starts_with('~') {
        out.push('~');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A path segment back to the batch it names (axum has decoded it already).
pub(crate) fn unseg(s: &str) -> &str {
    if s == "-" { "" } else { s.strip_prefix('~').unwrap_or(s) }
}

pub(crate) fn href(lab: &str, batch: &str) -> String {
    format!("/qc/batches/{}/{}", seg(lab), seg(batch))
}

fn amount(v: i64) -> String {
    Decimal::new(v, GRADE_SCALE).normalize().to_string()
}

/// As a laboratory writes it: `3.48`, or `< 0.01` below the detection limit.
pub(crate) fn shown(v: Option<i64>, dl: Option<i64>) -> String {
    match (v, dl) {
        (Some(v), _) => amount(v),
        (None, Some(l)) => format!("< {}", amount(l)),
        (None, None) => "< DL".into(),
    }
}

/// One check as a row of a table.
pub struct CheckRow {
    pub sample: String,
    pub role: String,
    pub element: String,
    pub value: String,
    pub expected: String,
    pub deviation: String,
    pub outcome: &'static str,
    pub rule: String,
}

pub(crate) fn check_row(lang: Lang, c: &Check) -> CheckRow {
    let deviation = match (c.role.as_str(), c.deviation) {
        ("crm", Some(z)) => format!("{z:+} sd"),
        (_, Some(d)) => format!("{d} %"),
        _ => "–".into(),
    };
    CheckRow {
        sample: c.sample.clone(),
        role: lang.t(&format!("qc-role-{}", c.role.as_str())),
        element: c.element.clone(),
        value: shown(c.value, c.detection_limit),
        expected: c.expected.map(amount).unwrap_or_else(|| "–".into()),
        deviation,
        outcome: c.outcome.as_str(),
        rule: lang.t(c.rule),
    }
}

/// A batch as a row of the list and the dashboard.
pub struct BatchRow {
    pub lab: String,
    pub batch: String,
    pub href: String,
    pub first_taken: String,
    pub samples: usize,
    pub checks: usize,
    pub outcome: &'static str,
    pub failed: Vec<CheckRow>,
    pub decision: Option<QcDecision>,
}

pub(crate) fn batch_row(lang: Lang, b: &QcBatch) -> BatchRow {
    BatchRow {
        lab: b.qc.lab.clone(),
        batch: b.qc.batch.clone(),
        href: href(&b.qc.lab, &b.qc.batch),
        first_taken: b.qc.first_taken.format("%Y-%m-%d").to_string(),
        samples: b.qc.samples,
        checks: b.qc.checks.len(),
        outcome: b.qc.outcome.as_str(),
        failed: b.qc.failed().map(|c| check_row(lang, c)).collect(),
        decision: b.decision.clone(),
    }
}

fn day_start(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default()
}

fn day_end(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(23, 59, 59).unwrap_or_default()
}

/// The batches of the viewer's scope in a period.
pub(crate) async fn batches(s: &AppState, v: &Viewer, from: NaiveDate, to: NaiveDate) -> AppResult<Vec<QcBatch>> {
    let mines = scope(s, v).await?;
    Ok(s.store.qc_batches(mines.as_deref(), day_start(from), day_end(to), &s.config.qc).await?)
}

/// Flagged batches nobody has decided on yet, of every period: what the dashboard shows.
pub(crate) async fn awaiting(s: &AppState, v: &Viewer) -> AppResult<Vec<BatchRow>> {
    let mines = scope(s, v).await?;
    Ok(s.store.qc_awaiting(mines.as_deref(), &s.config.qc).await?.iter().map(|b| batch_row(v.lang, b)).collect())
}

/// One batch, if the viewer may see it (with the checks of the mines he sees).
pub(crate) async fn visible_batch(s: &AppState, v: &Viewer, lab: &str, batch: &str) -> AppResult<QcBatch> {
    let mines = scope(s, v).await?;
    // No laboratory or batch name holds control characters (and PostgreSQL refuses a NUL).
    if lab.chars().chain(batch.chars()).any(char::is_control) {
        return Err(AppError::NotFound);
    }
    let mut b = s.store.qc_batch(lab, batch, &s.config.qc).await?;
    if let Some(m) = mines {
        if !b.qc.mines.iter().any(|x| m.contains(x)) {
            return Err(AppError::Forbidden);
        }
        b.qc.checks.retain(|c| m.contains(&c.mine_id));
    }
    Ok(b)
}

/// Which batches a list shows.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Show {
    #[default]
    All,
    Flagged,
    Undecided,
}

impl Show {
    pub(crate) fn keeps(self, b: &QcBatch) -> bool {
        match self {
            Show::All => true,
            Show::Flagged => b.qc.outcome.is_flagged(),
            Show::Undecided => b.awaiting_decision(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    from: String,
    to: String,
    show: Show,
    /// `csv` or `xlsx`: every check of the listed batches, one a row.
    format: String,
}

#[derive(Template)]
#[template(path = "qc/list.html")]
struct ListPage {
    ctx: Ctx,
    from: String,
    to: String,
    show: Vec<Opt>,
    rows: Vec<BatchRow>,
}

impl ListPage {
    fn export_href(&self, format: &str) -> String {
        let show = self.show.iter().find(|o| o.selected).map(|o| o.value.as_str()).unwrap_or("all");
        format!("/qc?from={}&to={}&show={show}&format={format}", self.from, self.to)
    }
}

fn date_or(s: &str, default: NaiveDate) -> AppResult<NaiveDate> {
    match s.trim() {
        "" => Ok(default),
        t => minecoop_domain::validation::era_date(t).map_err(|_| AppError::BadRequest("error-400-detail")),
    }
}

pub async fn list(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<ListParams>) -> AppResult<Response> {
    v.principal()?;
    let t = today();
    let from = date_or(&q.from, NaiveDate::from_ymd_opt(t.year(), 1, 1).unwrap_or(t))?;
    let to = date_or(&q.to, t)?;
    let format = crate::export::Format::parse(&q.format)?;
    let listed: Vec<QcBatch> = batches(&s, &v, from, to).await?.into_iter().filter(|b| q.show.keeps(b)).collect();
    if let Some(format) = format {
        return crate::export::respond(&export_table(v.lang, &listed, from, to), format);
    }
    let rows = listed.iter().map(|b| batch_row(v.lang, b)).collect();
    let current = match q.show {
        Show::All => "all",
        Show::Flagged => "flagged",
        Show::Undecided => "undecided",
    };
    render(&ListPage {
        ctx: Ctx::new(&v, &uri),
        from: from.to_string(),
        to: to.to_string(),
        show: code_options(v.lang, "qc-show", &["all", "flagged", "undecided"], current),
        rows,
    })
}

/// The listed batches' checks, one a row, with their batch's outcome and decision.
fn export_table(lang: Lang, listed: &[QcBatch], from: NaiveDate, to: NaiveDate) -> crate::export::Table {
    use crate::export::{Cell, Table};
    let t = |k: &str| lang.t(k);
    let headers = [
        "qc-lab",
        "qc-batch",
        "qc-first-taken",
        "qc-outcome",
        "qc-decision",
        "qc-reason",
        "qc-sample",
        "sample-qc-role",
        "qc-rule",
    ]
    .iter()
    .map(|k| t(k))
    .chain([t("target-element"), t("target-value"), t("qc-expected"), t("qc-deviation"), t("qc-outcome")])
    .collect();
    let mut table = Table::new(format!("qc-{from}-{to}"), headers);
    for b in listed {
        let decision = b.decision.as_ref();
        let head = || {
            vec![
                Cell::from(b.qc.lab.clone()),
                Cell::from(b.qc.batch.clone()),
                Cell::from(b.qc.first_taken.format("%Y-%m-%d").to_string()),
                Cell::from(t(&format!("qc-outcome-{}", b.qc.outcome.as_str()))),
                Cell::from(decision.map(|d| t(&format!("qc-decision-{}", d.decision))).unwrap_or_default()),
                Cell::from(decision.map(|d| d.reason.clone()).unwrap_or_default()),
            ]
        };
        if b.qc.checks.is_empty() {
            table.push(head());
        }
        for c in &b.qc.checks {
            let mut row = head();
            row.extend([
                Cell::from(c.sample.clone()),
                Cell::from(t(&format!("qc-role-{}", c.role.as_str()))),
                Cell::from(t(c.rule)),
                Cell::from(c.element.clone()),
                Cell::from(shown(c.value, c.detection_limit)),
                Cell::from(c.expected.map(|e| Decimal::new(e, GRADE_SCALE))),
                Cell::from(c.deviation),
                Cell::from(t(&format!("qc-outcome-{}", c.outcome.as_str()))),
            ]);
            table.push(row);
        }
    }
    table
}

#[derive(Template)]
#[template(path = "qc/batch.html")]
struct BatchPage {
    ctx: Ctx,
    row: BatchRow,
    checks: Vec<CheckRow>,
    decisions: Vec<QcDecision>,
    can_decide: bool,
    form: FormState,
    choices: Vec<Opt>,
    action: String,
}

async fn batch_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    lab: &str,
    batch: &str,
    form: FormState,
) -> AppResult<BatchPage> {
    let b = visible_batch(s, v, lab, batch).await?;
    let p = v.principal()?;
    let decisions = s.store.qc_decisions(lab, batch).await?;
    let codes: Vec<&str> = Decision::ALL.iter().map(|d| d.as_str()).collect();
    Ok(BatchPage {
        ctx: Ctx::new(v, uri),
        checks: b.qc.checks.iter().map(|c| check_row(v.lang, c)).collect(),
        row: batch_row(v.lang, &b),
        decisions,
        can_decide: p.can_decide_qc(),
        choices: code_options(v.lang, "qc-decision", &codes, form.v("decision")),
        form,
        action: href(lab, batch),
    })
}

pub async fn batch(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((lab_seg, batch)): Path<(String, String)>,
) -> AppResult<Response> {
    let lab = unseg(&lab_seg).to_owned();
    render(&batch_page(&s, &v, &uri, &lab, unseg(&batch), FormState::default()).await?)
}

pub async fn decide(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((lab_seg, batch)): Path<(String, String)>,
    Form(i): Form<DecisionInput>,
) -> AppResult<Response> {
    let lab = unseg(&lab_seg).to_owned();
    v.require(|p| p.can_decide_qc())?;
    let batch = unseg(&batch);
    visible_batch(&s, &v, &lab, batch).await?;
    let result = match DecisionDraft::parse(&i) {
        Ok(d) => s.store.decide_batch(&v.actor(), &lab, batch, &d, &s.config.qc).await.map(|_| ()),
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&href(&lab, batch)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&batch_page(&s, &v, &uri, &lab, batch, FormState::of(&i).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A reference material's version as a row.
pub struct MaterialRow {
    pub m: ReferenceMaterial,
    pub accepted: String,
    pub sd: String,
    /// The version in force (the latest of its name and element).
    pub current: bool,
}

pub(crate) fn material_rows(all: Vec<ReferenceMaterial>) -> Vec<MaterialRow> {
    let latest = |m: &ReferenceMaterial| {
        !all.iter().any(|x| x.name == m.name && x.element == m.element && x.version > m.version)
    };
    let rows: Vec<MaterialRow> = all
        .iter()
        .map(|m| MaterialRow { accepted: amount(m.accepted_e4), sd: amount(m.sd_e4), current: latest(m), m: m.clone() })
        .collect();
    rows
}

#[derive(Template)]
#[template(path = "qc/materials.html")]
struct MaterialsPage {
    ctx: Ctx,
    rows: Vec<MaterialRow>,
    can_add: bool,
    form: FormState,
    elements: Vec<Opt>,
}

async fn materials_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState) -> AppResult<MaterialsPage> {
    let p = v.principal()?.clone();
    let elements = s
        .config
        .elements
        .iter()
        .map(|e| Opt {
            value: e.code.clone(),
            label: format!("{} ({})", e.symbol(), e.unit.symbol()),
            selected: form.v("element") == e.code,
        })
        .collect();
    Ok(MaterialsPage {
        ctx: Ctx::new(v, uri),
        rows: material_rows(s.store.reference_materials().await?),
        can_add: p.can_decide_qc(),
        form,
        elements,
    })
}

pub async fn materials(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    render(&materials_page(&s, &v, &uri, FormState::default()).await?)
}

pub async fn add_material(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(i): Form<MaterialInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_decide_qc())?;
    let result = match MaterialDraft::parse(&i, &s.config.elements) {
        Ok(d) => s.store.add_reference_material(&v.actor(), &d).await.map(|_| ()),
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/qc/materials").into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&materials_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// QC failures of a period for the grade report: failed batches, failed checks, and failed
/// batches by the month of their first sample.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Failures {
    pub batches: usize,
    pub checks: usize,
    pub by_month: [usize; 12],
}

pub(crate) async fn failures(
    store: &minecoop_store::Store,
    limits: &minecoop_domain::production::qc::QcLimits,
    mines: Option<&[Uuid]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Failures, minecoop_store::StoreError> {
    let all = store.qc_judged_between(mines, day_start(from), day_end(to), limits).await?;
    let mut f = Failures { batches: 0, checks: 0, by_month: [0; 12] };
    for b in all.iter().filter(|b| b.qc.outcome == Outcome::Fail) {
        f.batches += 1;
        f.by_month[b.qc.first_taken.month0() as usize] += 1;
    }
    f.checks = all.iter().flat_map(|b| &b.qc.checks).filter(|c| c.outcome == Outcome::Fail).count();
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_batch_name_has_a_segment_of_its_own() {
        for name in ["", "-", "~", "~-", "--", "B-07", "2005/07 批", "~a"] {
            let segment = seg(name);
            // What axum hands the handler: the segment percent-decoded.
            let decoded = url::form_urlencoded::parse(format!("x={segment}").as_bytes()).next().unwrap().1.into_owned();
            assert_eq!(unseg(&decoded), name, "{name:?} -> {segment}");
        }
        assert_ne!(seg(""), seg("-"));
        assert_eq!(seg("B-07"), "B-07");
    }
}
