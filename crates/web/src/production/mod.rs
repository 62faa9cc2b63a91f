//! Daily production: a mine's month of records with its totals, the year by month (one mine or
//! the whole co-op), the form to record a day and to correct it (a new version with a reason),
//! and a day's versions.

mod calculators;
pub mod qc;
pub mod report;
pub mod samples;

pub use calculators::Line;

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate};
use minecoop_domain::auth::Principal;
use minecoop_domain::production::period::{Totals, totals};
use minecoop_domain::production::record::{ProductionDraft, ProductionInput};
use minecoop_domain::production::{CostCategory, Element};
use minecoop_store::StoreError;
use minecoop_store::production::ProductionRecord;
use minecoop_store::registry::Mine as MineChoice;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::export::{self, Cell, Format, Table};
use crate::page::{Ctx, FormState, render};
use crate::registry::unprocessable;
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/production", get(month).post(create))
        .route("/production/new", get(new))
        .route("/production/year", get(year))
        .route("/production/import", get(import_page).post(import))
        .route("/calculators", get(calculators::calculators))
        .route("/reports/grades", get(report::grade_report))
        .route("/reports/targets", get(report::targets).post(report::set_target))
        .route("/samples", get(samples::list).post(samples::create))
        .route("/samples/new", get(samples::new))
        .route("/samples/import", get(samples::import_page).post(samples::import))
        .route("/samples/{id}", get(samples::detail))
        .route("/samples/{id}/custody", axum::routing::post(samples::add_custody))
        .route("/samples/{id}/assays", axum::routing::post(samples::add_assay))
        .route("/samples/{id}/label", get(samples::label))
        .route("/qc", get(qc::list))
        .route("/qc/materials", get(qc::materials).post(qc::add_material))
        .route("/qc/batches/{lab}/{batch}", get(qc::batch).post(qc::decide))
        .route("/production/{mine}/{day}", get(day_page).post(correct))
        .route("/production/{mine}/{day}/correct", get(correct_form))
}

/// The mines whose records the viewer may read, by name.
async fn readable_mines(s: &AppState, p: &Principal) -> AppResult<Vec<MineChoice>> {
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_view_production_of(m.id, m.member_id)).collect())
}

fn mine_options(mines: &[MineChoice], selected: Option<Uuid>) -> Vec<Opt> {
    mines
        .iter()
        .map(|m| Opt { value: m.id.to_string(), label: m.name_zh.clone(), selected: Some(m.id) == selected })
        .collect()
}

/// "The whole co-op", then each mine; `selected` `None` is the co-op.
fn coop_and_mine_options(lang: crate::i18n::Lang, mines: &[MineChoice], selected: Option<Uuid>) -> Vec<Opt> {
    let mut options =
        vec![Opt { value: String::new(), label: lang.t("production-whole-coop"), selected: selected.is_none() }];
    options.extend(mine_options(mines, selected));
    options
}

/// A year view's filters, for its download links.
fn year_query(year: i32, mine: Option<Uuid>) -> String {
    match mine {
        Some(m) => format!("year={year}&mine={m}"),
        None => format!("year={year}"),
    }
}

/// `2005-03` -> the first and last day of that month.
fn month_range(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = minecoop_domain::validation::era_date(&format!("{}-01", month.trim())).ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// Figures of a period as the tables show them (rounded for reading; totals are exact).
pub struct TotalsRow {
    pub label: String,
    pub href: Option<String>,
    pub records: usize,
    pub milled_t: String,
    pub feed: Vec<String>,
    pub conc_t: String,
    pub tail: Vec<String>,
    pub recovery: Vec<String>,
    pub hours: String,
    pub costs: String,
}

fn fmt(d: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, d.round_dp(dp))
}

fn grade(m: Option<&minecoop_domain::production::period::Assayed>, el: &Element) -> String {
    m.and_then(|a| a.grade(el)).map(|g| fmt(g, 2)).unwrap_or_else(|| "–".into())
}

fn totals_row(label: String, href: Option<String>, t: &Totals, elements: &[Element]) -> TotalsRow {
    TotalsRow {
        label,
        href,
        records: t.records,
        milled_t: fmt(t.ore_milled_t, 1),
        feed: elements.iter().map(|el| grade(t.metal.get(&el.code).map(|m| &m.feed), el)).collect(),
        conc_t: fmt(t.concentrate_dry_t, 1),
        tail: elements.iter().map(|el| grade(t.metal.get(&el.code).map(|m| &m.tailings), el)).collect(),
        recovery: elements
            .iter()
            .map(|el| {
                t.metal.get(&el.code).and_then(|m| m.recovery_pct()).map(|r| fmt(r, 2)).unwrap_or_else(|| "–".into())
            })
            .collect(),
        hours: fmt(t.hours_worked, 0),
        costs: fmt(t.cost_total(), 2),
    }
}

/// The headings of an exported period table: every figure of [`Totals`], not only those the
/// page shows.
fn totals_headers(lang: crate::i18n::Lang, first: &str, elements: &[Element]) -> Vec<String> {
    let t = |k: &str| lang.t(k);
    let per_el = |key: &str, unit: bool| -> Vec<String> {
        elements
            .iter()
            .map(|el| {
                let u = if unit { el.unit.symbol() } else { "%" };
                format!("{} {} ({u})", t(key), el.symbol())
            })
            .collect()
    };
    let mut h = vec![first.to_owned(), t("production-records"), t("field-ore_hoisted_t"), t("field-ore_milled_t")];
    h.extend(per_el("field-feed-grade", true));
    h.push(t("production-conc-dry-t"));
    h.extend(per_el("field-conc-grade", true));
    h.push(t("field-tailings_t"));
    h.extend(per_el("field-tailings-grade", true));
    h.push(t("field-waste_t"));
    h.extend(per_el("field-waste-grade", true));
    h.extend(per_el("production-recovery", false));
    for n in ["hours_worked", "worker_shifts", "electricity_kwh", "water_m3", "diesel_l", "explosives_kg"] {
        h.push(t(&format!("field-{n}")));
    }
    for c in CostCategory::ALL {
        h.push(format!("{} (RMB)", t(&format!("cost-{c}"))));
    }
    h.push(format!("{} (RMB)", t("production-costs")));
    h
}

/// One exported row: the figures of [`totals_headers`], unrounded but for grades (6 places).
fn totals_cells(label: String, t: &Totals, elements: &[Element]) -> Vec<Cell> {
    let g = |pick: fn(
        &minecoop_domain::production::period::MetalTotals,
    ) -> &minecoop_domain::production::period::Assayed|
     -> Vec<Cell> {
        elements
            .iter()
            .map(|el| Cell::from(t.metal.get(&el.code).and_then(|m| pick(m).grade(el)).map(|d| d.round_dp(6))))
            .collect()
    };
    let mut r = vec![Cell::from(label), Cell::from(t.records), t.ore_hoisted_t.into(), t.ore_milled_t.into()];
    r.extend(g(|m| &m.feed));
    r.push(t.concentrate_dry_t.into());
    r.extend(g(|m| &m.concentrate));
    r.push(t.tailings_t.into());
    r.extend(g(|m| &m.tailings));
    r.push(t.waste_t.into());
    r.extend(g(|m| &m.waste));
    r.extend(
        elements
            .iter()
            .map(|el| Cell::from(t.metal.get(&el.code).and_then(|m| m.recovery_pct()).map(|d| d.round_dp(6)))),
    );
    for d in [t.hours_worked, t.worker_shifts, t.electricity_kwh, t.water_m3, t.diesel_l, t.explosives_kg] {
        r.push(d.into());
    }
    for c in CostCategory::ALL {
        r.push(t.costs.get(c.as_str()).copied().unwrap_or_default().into());
    }
    r.push(t.cost_total().into());
    r
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthParams {
    mine: Option<Uuid>,
    month: String,
    format: String,
}

#[derive(Template)]
#[template(path = "production/month.html")]
struct MonthPage {
    ctx: Ctx,
    mines: Vec<Opt>,
    month: String,
    mine: Option<Uuid>,
    elements: Vec<Element>,
    days: Vec<TotalsRow>,
    total: Option<TotalsRow>,
    can_record: bool,
}

async fn month(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<MonthParams>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let format = Format::parse(&q.format)?;
    let mines = readable_mines(&s, &p).await?;
    let today = today();
    let month =
        if month_range(&q.month).is_some() { q.month.trim().to_owned() } else { today.format("%Y-%m").to_string() };
    let (from, to) = month_range(&month).ok_or(AppError::BadRequest("error-400-detail"))?;
    let mine = match q.mine {
        Some(id) if mines.iter().any(|m| m.id == id) => Some(id),
        Some(_) => return Err(AppError::Forbidden),
        None => mines.first().map(|m| m.id),
    };
    let elements = s.config.elements.clone();
    if let Some(format) = format {
        let id = mine.ok_or(AppError::NotFound)?;
        let recs = s.store.production_between(Some(&[id]), from, to).await?;
        let mut table =
            Table::new(format!("production-{month}"), totals_headers(v.lang, &v.lang.t("production-day"), &elements));
        for r in &recs {
            let label = if r.shift.is_empty() { r.day.to_string() } else { format!("{} {}", r.day, r.shift) };
            table.push(totals_cells(label, &totals([&r.draft()], &elements), &elements));
        }
        let drafts: Vec<ProductionDraft> = recs.iter().map(ProductionRecord::draft).collect();
        table.push(totals_cells(v.lang.t("production-total"), &totals(&drafts, &elements), &elements));
        return export::respond(&table, format);
    }
    let (days, total) = match mine {
        Some(id) => {
            let recs = s.store.production_between(Some(&[id]), from, to).await?;
            let days = recs
                .iter()
                .map(|r| {
                    let d = r.draft();
                    let label = if r.shift.is_empty() { r.day.to_string() } else { format!("{} {}", r.day, r.shift) };
                    let href = format!("/production/{}/{}{}", r.mine_id, r.day, shift_query(&r.shift));
                    totals_row(label, Some(href), &totals([&d], &elements), &elements)
                })
                .collect();
            let drafts: Vec<ProductionDraft> = recs.iter().map(ProductionRecord::draft).collect();
            let t = totals(&drafts, &elements);
            (days, Some(totals_row(v.lang.t("production-total"), None, &t, &elements)))
        }
        None => (Vec::new(), None),
    };
    let can_record =
        mine.is_some_and(|id| mines.iter().any(|m| m.id == id && p.can_record_production(m.id, m.member_id)));
    render(&MonthPage {
        ctx: Ctx::new(&v, &uri),
        mines: mine_options(&mines, mine),
        month,
        mine,
        elements,
        days,
        total,
        can_record,
    })
}

fn shift_query(shift: &str) -> String {
    if shift.is_empty() {
        String::new()
    } else {
        format!("?shift={}", url::form_urlencoded::byte_serialize(shift.as_bytes()).collect::<String>())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearParams {
    /// Empty: the whole co-op.
    pub(crate) mine: String,
    pub(crate) year: Option<i32>,
    pub(crate) format: String,
}

#[derive(Template)]
#[template(path = "production/year.html")]
struct YearPage {
    ctx: Ctx,
    mines: Vec<Opt>,
    year: i32,
    elements: Vec<Element>,
    months: Vec<TotalsRow>,
    total: TotalsRow,
    /// The filters, for the download links.
    query: String,
}

/// A year asked for (this year by default), and the mine (none: the whole co-op), which must be
/// one the viewer may read.
pub(crate) struct YearScope {
    readable: Vec<MineChoice>,
    year: i32,
    mine: Option<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
}

async fn year_scope(s: &AppState, v: &Viewer, q: &YearParams) -> AppResult<YearScope> {
    let p = v.principal()?.clone();
    let readable = readable_mines(s, &p).await?;
    let year = q.year.filter(|y| (1950..=2200).contains(y)).unwrap_or_else(|| today().year());
    let mine = match q.mine.trim() {
        "" => None,
        id => {
            let id = Uuid::parse_str(id).map_err(|_| AppError::BadRequest("error-400-detail"))?;
            if !readable.iter().any(|m| m.id == id) {
                return Err(AppError::Forbidden);
            }
            Some(id)
        }
    };
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::BadRequest("error-400-detail"))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::BadRequest("error-400-detail"))?;
    Ok(YearScope { readable, year, mine, from, to })
}

/// A year by month for one mine the viewer may read, or for the whole co-op (aggregates, which
/// every logged-in member may compare against).
async fn year(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<YearParams>) -> AppResult<Response> {
    let YearScope { readable, year, mine, from, to } = year_scope(&s, &v, &q).await?;
    let format = Format::parse(&q.format)?;
    let ids = mine.map(|m| vec![m]);
    let recs = s.store.production_between(ids.as_deref(), from, to).await?;
    let elements = s.config.elements.clone();
    let drafts: Vec<ProductionDraft> = recs.iter().map(ProductionRecord::draft).collect();
    let mut by_month: BTreeMap<u32, Vec<&ProductionDraft>> = BTreeMap::new();
    for d in &drafts {
        by_month.entry(d.day.month()).or_default().push(d);
    }
    if let Some(format) = format {
        let mut table =
            Table::new(format!("production-{year}"), totals_headers(v.lang, &v.lang.t("production-month"), &elements));
        for m in 1..=12 {
            let t = totals(by_month.get(&m).map(Vec::as_slice).unwrap_or_default().iter().copied(), &elements);
            table.push(totals_cells(format!("{year}-{m:02}"), &t, &elements));
        }
        table.push(totals_cells(v.lang.t("production-total"), &totals(&drafts, &elements), &elements));
        return export::respond(&table, format);
    }
    let months = (1..=12)
        .map(|m| {
            let t = totals(by_month.get(&m).map(Vec::as_slice).unwrap_or_default().iter().copied(), &elements);
            let href = mine.map(|id| format!("/production?mine={id}&month={year}-{m:02}"));
            totals_row(format!("{year}-{m:02}"), href, &t, &elements)
        })
        .collect();
    let total = totals_row(v.lang.t("production-total"), None, &totals(&drafts, &elements), &elements);
    let mines = coop_and_mine_options(v.lang, &readable, mine);
    let query = year_query(year, mine);
    render(&YearPage { ctx: Ctx::new(&v, &uri), mines, year, elements, months, total, query })
}

/// One input of the form: its name (the field name of its errors), label and hint.
pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "production/form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    mines: Vec<Opt>,
    /// When correcting: the record's mine, day, shift and version.
    correcting: Option<(Uuid, NaiveDate, String, i32)>,
    ore: Vec<Field>,
    concentrates: Vec<Vec<Field>>,
    tailings: Vec<Field>,
    work: Vec<Field>,
    costs: Vec<Field>,
}

/// The form's inputs by section.
struct Sections {
    ore: Vec<Field>,
    concentrates: Vec<Vec<Field>>,
    tailings: Vec<Field>,
    work: Vec<Field>,
    costs: Vec<Field>,
}

fn fields(ctx: &Ctx, elements: &[Element]) -> Sections {
    let f = |name: &str, key: &str| Field { name: name.to_owned(), label: ctx.t(key), hint: String::new() };
    let g = |prefix: &str, key: &str| -> Vec<Field> {
        elements
            .iter()
            .map(|el| Field {
                name: format!("{prefix}.{}", el.code),
                label: format!("{} {} ({})", ctx.t(key), el.symbol(), el.unit.symbol()),
                hint: String::new(),
            })
            .collect()
    };
    let mut ore = vec![f("ore_hoisted_t", "field-ore_hoisted_t"), f("ore_milled_t", "field-ore_milled_t")];
    ore.extend(g("feed_grades", "field-feed-grade"));
    let concentrates = (0..2)
        .map(|k| {
            let mut c = vec![
                f(&format!("concentrates.{k}.name"), "field-conc-name"),
                f(&format!("concentrates.{k}.wet_t"), "field-conc-wet_t"),
                f(&format!("concentrates.{k}.moisture_pct"), "field-conc-moisture_pct"),
            ];
            c.extend(g(&format!("concentrates.{k}.grades"), "field-conc-grade"));
            c
        })
        .collect();
    let mut tailings = vec![f("tailings_t", "field-tailings_t"), f("tailings_facility", "field-tailings_facility")];
    tailings.extend(g("tailings_grades", "field-tailings-grade"));
    tailings.push(f("waste_t", "field-waste_t"));
    tailings.extend(g("waste_grades", "field-waste-grade"));
    let work = ["hours_worked", "worker_shifts", "electricity_kwh", "water_m3", "diesel_l", "explosives_kg"]
        .iter()
        .map(|n| f(n, &format!("field-{n}")))
        .collect();
    let costs = CostCategory::ALL
        .iter()
        .map(|c| Field {
            name: format!("costs.{c}"),
            label: format!("{} (RMB)", ctx.t(&format!("cost-{c}"))),
            hint: String::new(),
        })
        .collect();
    Sections { ore, concentrates, tailings, work, costs }
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    form: FormState,
    correcting: Option<(Uuid, NaiveDate, String, i32)>,
) -> AppResult<FormPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let writable: Vec<MineChoice> =
        s.store.mine_choices().await?.into_iter().filter(|m| p.can_record_production(m.id, m.member_id)).collect();
    let selected = Uuid::parse_str(form.v("mine_id")).ok();
    let mines = mine_options(&writable, selected);
    let Sections { ore, concentrates, tailings, work, costs } = fields(&ctx, &s.config.elements);
    Ok(FormPage { ctx, form, mines, correcting, ore, concentrates, tailings, work, costs })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewParams {
    mine: String,
    day: String,
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<NewParams>) -> AppResult<Response> {
    v.require(|p| p.can_record_any_production())?;
    let day = if q.day.is_empty() { today().to_string() } else { q.day };
    let form = FormState::from_pairs(vec![("mine_id".into(), q.mine), ("day".into(), day)]);
    render(&form_page(&s, &v, &uri, form, None).await?)
}

fn input_of(pairs: &[(String, String)]) -> ProductionInput {
    ProductionInput::from_pairs(
        pairs.iter().filter(|(k, _)| k != "_csrf" && k != "version").map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .0
}

fn form_of(i: &ProductionInput) -> FormState {
    FormState::from_pairs(i.to_pairs())
}

/// Check the permission for the mine a record names, before anything is parsed further.
pub(crate) async fn require_recorder(s: &AppState, v: &Viewer, mine: &str) -> AppResult<()> {
    v.require(|p| p.can_record_any_production())?;
    let Ok(id) = Uuid::parse_str(mine.trim()) else { return Ok(()) };
    let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
    v.require(|p| p.can_record_production(m.id, m.member_id))?;
    Ok(())
}

async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let i = input_of(&pairs);
    require_recorder(&s, &v, &i.mine_id).await?;
    let result = match ProductionDraft::parse(&i, &s.config.elements, today()) {
        Ok(d) => s.store.record_production(&v.actor(), &d, "form").await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(r) => {
            Ok(Redirect::to(&format!("/production/{}/{}{}", r.mine_id, r.day, shift_query(&r.shift))).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, form_of(&i).with_errors(v.lang, &e), None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShiftParams {
    shift: String,
}

#[derive(Template)]
#[template(path = "production/day.html")]
struct DayPage {
    ctx: Ctx,
    mine_name: String,
    mine: Uuid,
    day: NaiveDate,
    shift: String,
    elements: Vec<Element>,
    versions: Vec<ProductionRecord>,
    rows: Vec<TotalsRow>,
    can_correct: bool,
}

async fn readable_mine(s: &AppState, v: &Viewer, mine: Uuid) -> AppResult<minecoop_store::registry::Mine> {
    let m = s.store.mine(mine).await?;
    v.require(|p| p.can_view_production_of(m.id, m.member_id))?;
    Ok(m)
}

async fn day_page(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((mine, day)): Path<(Uuid, NaiveDate)>,
    Query(q): Query<ShiftParams>,
) -> AppResult<Response> {
    let m = readable_mine(&s, &v, mine).await?;
    let versions = s.store.production_versions(mine, day, &q.shift).await?;
    let elements = s.config.elements.clone();
    let rows = versions
        .iter()
        .map(|r| totals_row(format!("v{}", r.version), None, &totals([&r.draft()], &elements), &elements))
        .collect();
    let can_correct = v.principal()?.can_record_production(m.id, m.member_id);
    render(&DayPage {
        ctx: Ctx::new(&v, &uri),
        mine_name: m.name_zh,
        mine,
        day,
        shift: q.shift,
        elements,
        versions,
        rows,
        can_correct,
    })
}

async fn correct_form(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((mine, day)): Path<(Uuid, NaiveDate)>,
    Query(q): Query<ShiftParams>,
) -> AppResult<Response> {
    let m = s.store.mine(mine).await?;
    v.require(|p| p.can_record_production(m.id, m.member_id))?;
    let versions = s.store.production_versions(mine, day, &q.shift).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let form = form_of(&current.draft().to_input());
    render(&form_page(&s, &v, &uri, form, Some((mine, day, q.shift, current.version))).await?)
}

async fn correct(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((mine, day)): Path<(Uuid, NaiveDate)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let m = s.store.mine(mine).await?;
    v.require(|p| p.can_record_production(m.id, m.member_id))?;
    let mut i = input_of(&pairs);
    // The record's key comes from the address, not from the form.
    i.mine_id = mine.to_string();
    i.day = day.to_string();
    let version: i32 = pairs.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let correcting = Some((mine, day, i.shift.clone(), version));
    let result = match ProductionDraft::parse(&i, &s.config.elements, today()) {
        Ok(d) => s.store.correct_production(&v.actor(), version, &d, "form").await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(r) => {
            Ok(Redirect::to(&format!("/production/{}/{}{}", r.mine_id, r.day, shift_query(&r.shift))).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, form_of(&i).with_errors(v.lang, &e), correcting).await?)
        }
        Err(StoreError::Conflict) => {
            let mut page = form_page(&s, &v, &uri, form_of(&i), correcting).await?;
            page.ctx = page.ctx.with_notice("notice-conflict");
            crate::registry::conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- import ------------------------------------------------------------------------------

/// One line of an import's answer: a problem (row, column, message) or a plan.
pub(crate) struct ProblemRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "production/import.html")]
pub(crate) struct ImportPage {
    pub ctx: Ctx,
    /// Where the form posts, and the Fluent keys of its title and introduction.
    pub action: &'static str,
    pub title_key: &'static str,
    pub intro_key: &'static str,
    pub file: String,
    pub problems: Vec<ProblemRow>,
    /// (new, already recorded identically) after a check or an import.
    pub counts: Option<(usize, usize)>,
    pub imported: bool,
    pub headings: String,
}

impl ImportPage {
    /// The sent sheet's file and rows (read off the async workers); when there is none or it
    /// cannot be read, the reason is in `problems` and the answer is `None`.
    pub async fn read_sheet(
        &mut self,
        lang: crate::i18n::Lang,
        file: Option<&crate::upload::Upload>,
    ) -> AppResult<Option<(crate::upload::Upload, Vec<Vec<String>>)>> {
        let Some(file) = file.cloned() else {
            self.problems.push(ProblemRow { row: 0, column: String::new(), message: lang.t("err-file-none") });
            return Ok(None);
        };
        self.file = file.name.clone();
        let (name, bytes) = (file.name.clone(), file.bytes.clone());
        let rows = tokio::task::spawn_blocking(move || minecoop_domain::tabular::read_rows(&name, &bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match rows {
            Ok(rows) => Ok(Some((file, rows))),
            Err(e) => {
                let message = lang.t_args(e.code, &[("file", file.name.clone()), ("detail", e.detail)]);
                self.problems.push(ProblemRow { row: 0, column: String::new(), message });
                Ok(None)
            }
        }
    }

    /// A sheet's problems, each by row and column, in the user's language.
    pub fn show_problems(
        &mut self,
        lang: crate::i18n::Lang,
        problems: Vec<minecoop_domain::production::import::RowProblem>,
    ) {
        self.problems = problems
            .into_iter()
            .map(|pr| {
                let args: Vec<(&str, String)> = pr.args.iter().map(|(k, v)| (*k, v.clone())).collect();
                ProblemRow { row: pr.row, column: pr.column, message: lang.t_args(pr.code, &args) }
            })
            .collect();
    }

    pub fn production(ctx: Ctx, headings: String) -> ImportPage {
        ImportPage {
            ctx,
            action: "/production/import",
            title_key: "production-import",
            intro_key: "production-import-intro",
            file: String::new(),
            problems: Vec::new(),
            counts: None,
            imported: false,
            headings,
        }
    }
}

fn headings_hint(elements: &[Element]) -> String {
    let mut h = vec!["mine".to_owned(), "day".into(), "shift".into(), "ore_hoisted_t".into(), "ore_milled_t".into()];
    h.extend(elements.iter().map(|e| format!("feed_grades.{}", e.code)));
    h.extend(["concentrates.0.name".into(), "concentrates.0.wet_t".into(), "concentrates.0.moisture_pct".into()]);
    h.extend(elements.iter().map(|e| format!("concentrates.0.grades.{}", e.code)));
    h.extend(["tailings_t".into(), "tailings_facility".into()]);
    h.extend(elements.iter().map(|e| format!("tailings_grades.{}", e.code)));
    h.extend(["waste_t".into(), "hours_worked".into(), "worker_shifts".into(), "costs.labour".into()]);
    h.join(", ")
}

async fn import_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_record_any_production())?;
    render(&ImportPage::production(Ctx::new(&v, &uri), headings_hint(&s.config.elements)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ImportForm {
    /// `check` (the dry run) or `import`.
    action: String,
}

async fn import(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    sent: crate::upload::Submitted<ImportForm>,
) -> AppResult<Response> {
    use minecoop_domain::production::import::check_sheet;
    use sha2::Digest;
    let p = v.principal()?.clone();
    v.require(|p| p.can_record_any_production())?;
    let mut page = ImportPage::production(Ctx::new(&v, &uri), headings_hint(&s.config.elements));
    let Some((file, rows)) = page.read_sheet(v.lang, sent.file("file")).await? else {
        return unprocessable(&page);
    };
    // Mines by id or name, among those the importer may record for.
    let writable: Vec<MineChoice> =
        s.store.mine_choices().await?.into_iter().filter(|m| p.can_record_production(m.id, m.member_id)).collect();
    let mine_of = |name: &str| {
        writable
            .iter()
            .find(|m| m.id.to_string() == name || m.name_zh == name || m.name_en.eq_ignore_ascii_case(name))
            .map(|m| m.id)
    };
    let checked = check_sheet(&rows, &s.config.elements, today(), mine_of);
    let sheet = match checked {
        Ok(sheet) => sheet,
        Err(problems) => {
            page.show_problems(v.lang, problems);
            return unprocessable(&page);
        }
    };
    let drafts: Vec<ProductionDraft> = sheet.iter().map(|r| r.draft.clone()).collect();
    let differs = |plans: &[minecoop_store::production::ImportPlan]| -> Vec<ProblemRow> {
        plans
            .iter()
            .zip(&sheet)
            .filter(|(p, _)| **p == minecoop_store::production::ImportPlan::Differs)
            .map(|(_, r)| ProblemRow { row: r.row, column: "day".into(), message: v.lang.t("err-import-differs") })
            .collect()
    };
    let plans = s.store.plan_production_import(&drafts).await?;
    page.problems = differs(&plans);
    let new = plans.iter().filter(|p| **p == minecoop_store::production::ImportPlan::New).count();
    page.counts = Some((new, drafts.len() - new - page.problems.len()));
    if !page.problems.is_empty() {
        return unprocessable(&page);
    }
    if sent.form.action == "import" {
        let source = format!("import:{}", hex::encode(&sha2::Sha256::digest(&file.bytes)[..8]));
        match s.store.import_production(&v.actor(), &drafts, &source).await {
            Ok((added, same)) => {
                page.counts = Some((added, same));
                page.imported = true;
            }
            // Someone recorded one of the days meanwhile.
            Err(StoreError::Invalid(_)) | Err(StoreError::Conflict) => {
                page.ctx = page.ctx.with_notice("notice-conflict");
                return crate::registry::conflict(&page);
            }
            Err(e) => return Err(e.into()),
        }
    }
    render(&page)
}
