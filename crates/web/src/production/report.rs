//! The ore-grade supervision report (issue 4 item 5) for a mine or the co-op and a year: samples
//! by type, the tonne-weighted grades, recovery, metal lost, a reported recovery set against
//! what the grades allow, each month, the co-op's targets and whether they were met, and two
//! charts. The same figures go to the page, the CSV/XLSX download and the API.
//!
//! Also the targets themselves: set by the president or the secretariat, for the whole co-op or
//! one mine, replaced by new ones (the old stay in the history).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use minecoop_domain::production::report::{GradeReport, grade_report_counted as build};
use minecoop_domain::production::target::{Standing, TargetDraft, TargetFigure, TargetInput, applicable, standing};
use minecoop_domain::production::{Element, GradeUnit};
use minecoop_domain::units::{GRADE_SCALE, from_scaled};
use minecoop_store::StoreError;
use minecoop_store::production::targets::Target;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{YearParams, YearScope, coop_and_mine_options, fmt, year_query, year_scope};
use crate::charts::{self, Reference, Series};
use crate::export::{self, Cell, Format, Table};
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

/// A target in force for the report's scope, and how the year stands against it.
#[derive(Debug, Clone, Serialize)]
pub struct TargetLine {
    pub figure: TargetFigure,
    pub actual: Option<Decimal>,
    pub target: Decimal,
    pub standing: Standing,
}

/// Everything the report shows, for one element (the co-op's first).
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub year: i32,
    pub mine: Option<Uuid>,
    pub mine_name: String,
    #[serde(skip)]
    pub element: Element,
    pub unit: String,
    #[serde(rename = "year_report")]
    pub r: GradeReport,
    /// `YYYY-MM` and that month's report.
    pub months: Vec<(String, GradeReport)>,
    pub targets: Vec<TargetLine>,
    /// Quality-control failures of the period: failed batches and checks, by month too.
    pub qc: super::qc::Failures,
}

fn actual(r: &GradeReport, f: TargetFigure) -> Option<Decimal> {
    match f {
        TargetFigure::FeedGrade => r.feed,
        TargetFigure::ConcentrateGrade => r.concentrate,
        TargetFigure::TailingGrade => r.tailing,
        TargetFigure::WasteGrade => r.waste,
        TargetFigure::Recovery => r.recovery_from_metal,
    }
}

/// The report of the year and mine asked for (the viewer must be allowed to read the mine).
pub(crate) async fn report_data(s: &AppState, v: &Viewer, q: &YearParams) -> AppResult<(ReportData, YearScope)> {
    let scope = year_scope(s, v, q).await?;
    let el = s.config.elements.first().cloned().unwrap_or_else(|| Element::new("zn", GradeUnit::Percent));
    let mut d = year_report(&s.store, &s.config.qc, &el, scope.mine, scope.year, scope.from, scope.to).await?;
    d.mine_name = scope
        .mine
        .and_then(|id| scope.readable.iter().find(|m| m.id == id).map(|m| m.name_zh.clone()))
        .unwrap_or_else(|| v.lang.t("production-whole-coop"));
    Ok((d, scope))
}

/// The store's reads and the domain's sums behind the report, for one mine or (`None`) the
/// co-op, without the viewer's checks and names (which [`report_data`] adds): apart, so that
/// they can be measured (`benches/yearly_report.rs`).
pub async fn year_report(
    store: &minecoop_store::Store,
    limits: &minecoop_domain::production::qc::QcLimits,
    el: &Element,
    mine: Option<Uuid>,
    year: i32,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<ReportData, StoreError> {
    use minecoop_domain::production::period::totals;
    let ids = mine.map(|m| vec![m]);
    // Only what the metal totals need of each record, and the samples counted by the database.
    let drafts = store.production_metal_between(ids.as_deref(), from, to).await?;
    let samples = store
        .sample_counts_between(
            ids.as_deref(),
            from.and_hms_opt(0, 0, 0).unwrap_or_default(),
            to.and_hms_opt(23, 59, 59).unwrap_or_default(),
        )
        .await?;
    let one = std::slice::from_ref(el);
    let reported = store
        .reported_figures(year, mine)
        .await?
        .into_iter()
        .rev()
        .find(|f| f.figure == format!("recovery_pct.{}", el.code))
        .map(|f| f.value_e4 as f64 / 1e4);
    let qc = super::qc::failures(store, limits, ids.as_deref(), from, to).await?;
    let counted = |month: Option<u32>| {
        let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
        for (kind, m, n) in &samples {
            if month.is_none_or(|month| month == *m) {
                *by_kind.entry(kind.clone()).or_default() += n;
            }
        }
        by_kind
    };
    let r = build(&totals(&drafts, one), el, counted(None), reported);
    let months = (1..=12u32)
        .map(|m| {
            let t = totals(drafts.iter().filter(|d| d.day.month() == m), one);
            (format!("{year}-{m:02}"), build(&t, el, counted(Some(m)), None))
        })
        .collect();
    let in_force: Vec<_> = store.targets(year).await?.iter().map(Target::key).collect();
    let targets = TargetFigure::ALL
        .iter()
        .filter_map(|f| {
            let target = from_scaled(applicable(&in_force, mine, &f.key(&el.code))?, GRADE_SCALE);
            let a = actual(&r, *f);
            Some(TargetLine { figure: *f, actual: a, target, standing: standing(*f, a, target) })
        })
        .collect();
    let unit = el.unit.symbol().to_owned();
    Ok(ReportData { year, mine, mine_name: String::new(), element: el.clone(), unit, r, months, targets, qc })
}

pub struct MonthRow {
    pub month: String,
    pub samples: usize,
    pub feed: String,
    pub concentrate: String,
    pub tailing: String,
    pub waste: String,
    pub recovery: String,
    pub qc_failures: usize,
}

pub struct TargetRow {
    pub label: String,
    pub actual: String,
    pub target: String,
    pub unit: String,
    pub standing: &'static str,
    pub standing_text: String,
}

#[derive(Template)]
#[template(path = "production/grade_report.html")]
struct GradeReportPage {
    ctx: Ctx,
    d: ReportData,
    mines: Vec<Opt>,
    rows: Vec<MonthRow>,
    finding: Option<String>,
    targets: Vec<TargetRow>,
    charts: Vec<String>,
    query: String,
    can_set_targets: bool,
}

impl GradeReportPage {
    fn pct2(&self, d: &Option<Decimal>) -> String {
        pct(*d, 2)
    }
}

fn pct(d: Option<Decimal>, dp: u32) -> String {
    d.map(|d| fmt(d, dp)).unwrap_or_else(|| "–".into())
}

fn figure_unit(f: TargetFigure, d: &ReportData) -> String {
    if f == TargetFigure::Recovery { "%".into() } else { d.unit.clone() }
}

fn f64_of(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64())
}

fn charts_of(lang: Lang, d: &ReportData) -> Vec<String> {
    let labels: Vec<String> = d.months.iter().map(|(m, _)| m[5..].to_owned()).collect();
    let sym = d.element.symbol();
    let series = |key: &str, pick: fn(&GradeReport) -> Option<Decimal>, color| Series {
        name: format!("{} {sym}", lang.t(key)),
        values: d.months.iter().map(|(_, r)| f64_of(pick(r))).collect(),
        color,
    };
    let target_line = |f: TargetFigure, color| {
        d.targets.iter().find(|t| t.figure == f).and_then(|t| {
            Some(Reference {
                name: format!("{} ({})", lang.t("target-title"), lang.t(&format!("target-figure-{f}"))),
                value: t.target.to_f64()?,
                color,
            })
        })
    };
    let grades = charts::line_chart(
        &format!("{} · {} {}", lang.t("grade-report-chart-grades"), d.mine_name, d.year),
        &format!("{sym} ({})", d.unit),
        &labels,
        &[
            series("grade-report-feed", |r| r.feed, charts::BLUE_),
            series("grade-report-tailing", |r| r.tailing, charts::ORANGE_),
            series("grade-report-waste", |r| r.waste, charts::GREY_),
        ],
        &[target_line(TargetFigure::TailingGrade, charts::RED_), target_line(TargetFigure::FeedGrade, charts::GREEN_)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    );
    let mut refs: Vec<Reference> = target_line(TargetFigure::Recovery, charts::RED_).into_iter().collect();
    if let Some(x) = d.r.reported {
        refs.push(Reference { name: lang.t("grade-report-reported"), value: x, color: charts::GREY_ });
    }
    let recovery = charts::line_chart(
        &format!("{} · {} {}", lang.t("grade-report-chart-recovery"), d.mine_name, d.year),
        "%",
        &labels,
        &[series("grade-report-recovery-metal", |r| r.recovery_from_metal, charts::BLUE_)],
        &refs,
    );
    [grades, recovery].into_iter().flatten().collect()
}

fn export_table(lang: Lang, d: &ReportData) -> Table {
    let sym = d.element.symbol();
    let u = &d.unit;
    let t = |k: &str| lang.t(k);
    let headers = vec![
        t("production-month"),
        t("grade-report-samples"),
        format!("{} {sym} ({u})", t("grade-report-feed")),
        format!("{} {sym} ({u})", t("grade-report-concentrate")),
        format!("{} {sym} ({u})", t("grade-report-tailing")),
        format!("{} {sym} ({u})", t("grade-report-waste")),
        format!("{} (%)", t("grade-report-recovery-metal")),
        format!("{} (%)", t("grade-report-recovery-grades")),
        format!("{} (t)", t("grade-report-lost-tailings")),
        format!("{} (t)", t("grade-report-lost-waste")),
        t("qc-report-failures"),
    ];
    let mut table = Table::new(format!("grades-{}", d.year), headers);
    let round = |x: Option<Decimal>| Cell::from(x.map(|x| x.round_dp(6)));
    let row = |label: String, r: &GradeReport, qc: usize| {
        vec![
            Cell::from(label),
            Cell::from(r.sample_total),
            round(r.feed),
            round(r.concentrate),
            round(r.tailing),
            round(r.waste),
            round(r.recovery_from_metal),
            Cell::from(r.recovery_from_grades),
            round(Some(r.metal_to_tailings_t)),
            round(Some(r.metal_to_waste_t)),
            Cell::from(qc),
        ]
    };
    for (i, (m, r)) in d.months.iter().enumerate() {
        table.push(row(m.clone(), r, d.qc.by_month.get(i).copied().unwrap_or_default()));
    }
    table.push(row(format!("{} {}", t("production-total"), d.year), &d.r, d.qc.batches));
    if !d.targets.is_empty() {
        let target = |f: TargetFigure| Cell::from(d.targets.iter().find(|x| x.figure == f).map(|x| x.target));
        table.push(vec![
            Cell::from(t("target-title")),
            Cell::Empty,
            target(TargetFigure::FeedGrade),
            target(TargetFigure::ConcentrateGrade),
            target(TargetFigure::TailingGrade),
            target(TargetFigure::WasteGrade),
            target(TargetFigure::Recovery),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    table
}

/// The year's ore-grade supervision report for a mine or the co-op.
pub async fn grade_report(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<YearParams>,
) -> AppResult<Response> {
    v.principal()?;
    let format = Format::parse(&q.format)?;
    let (d, scope) = report_data(&s, &v, &q).await?;
    if let Some(format) = format {
        return export::respond(&export_table(v.lang, &d), format);
    }
    let rows = d
        .months
        .iter()
        .enumerate()
        .map(|(i, (m, r))| MonthRow {
            month: m.clone(),
            samples: r.sample_total,
            feed: pct(r.feed, 2),
            concentrate: pct(r.concentrate, 2),
            tailing: pct(r.tailing, 2),
            waste: pct(r.waste, 2),
            recovery: pct(r.recovery_from_metal, 2),
            qc_failures: d.qc.by_month.get(i).copied().unwrap_or_default(),
        })
        .collect();
    let finding = d.r.check.as_ref().and_then(|c| {
        c.code().map(|code| {
            v.lang.t_args(
                code,
                &[
                    ("reported", format!("{}", c.reported_pct)),
                    ("lowest", format!("{:.3}", c.lowest_possible_pct)),
                    ("feed", pct(d.r.feed, 2)),
                    ("tail", pct(d.r.tailing, 2)),
                    ("conc", pct(d.r.concentrate, 2)),
                    ("computed", c.two_product_pct.map(|x| format!("{x:.3}")).unwrap_or_default()),
                ],
            )
        })
    });
    let targets = d
        .targets
        .iter()
        .map(|t| TargetRow {
            label: v.lang.t(&format!("target-figure-{}", t.figure)),
            actual: pct(t.actual, minecoop_domain::production::target::judged_places(t.target)),
            target: t.target.normalize().to_string(),
            unit: figure_unit(t.figure, &d),
            standing: match t.standing {
                Standing::Met => "met",
                Standing::Missed => "missed",
                Standing::NoData => "none",
            },
            standing_text: v.lang.t(t.standing.code()),
        })
        .collect();
    let charts = charts_of(v.lang, &d);
    let mines = coop_and_mine_options(v.lang, &scope.readable, d.mine);
    let query = year_query(d.year, d.mine);
    let can_set_targets = v.principal()?.can_set_targets();
    render(&GradeReportPage {
        ctx: Ctx::new(&v, &uri),
        d,
        mines,
        rows,
        finding,
        targets,
        charts,
        query,
        can_set_targets,
    })
}

// ---- targets -----------------------------------------------------------------------------

pub struct TargetShow {
    pub scope: String,
    pub figure: String,
    pub value: String,
    pub reason: String,
    pub by: String,
    pub at: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "production/targets.html")]
struct TargetsPage {
    ctx: Ctx,
    year: i32,
    form: FormState,
    mines: Vec<Opt>,
    figures: Vec<Opt>,
    elements: Vec<Opt>,
    rows: Vec<TargetShow>,
    can_set: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TargetsParams {
    year: Option<i32>,
}

async fn targets_page(s: &AppState, v: &Viewer, uri: &Uri, year: i32, form: FormState) -> AppResult<TargetsPage> {
    let p = v.principal()?.clone();
    let all_mines = s.store.mine_choices().await?;
    let all = s.store.targets(year).await?;
    let rows = all
        .iter()
        .rev()
        .map(|t| {
            let (figure, el) = TargetFigure::from_key(&t.figure).map(|(f, e)| (Some(f), e)).unwrap_or((None, ""));
            let unit = match figure {
                Some(TargetFigure::Recovery) => "%".to_owned(),
                _ => s
                    .config
                    .elements
                    .iter()
                    .find(|x| x.code == el)
                    .map(|x| x.unit.symbol().to_owned())
                    .unwrap_or_default(),
            };
            let symbol = s.config.elements.iter().find(|x| x.code == el).map(Element::symbol).unwrap_or_default();
            TargetShow {
                scope: t
                    .mine_id
                    .and_then(|m| all_mines.iter().find(|x| x.id == m).map(|x| x.name_zh.clone()))
                    .unwrap_or_else(|| v.lang.t("production-whole-coop")),
                figure: figure
                    .map(|f| format!("{} {symbol}", v.lang.t(&format!("target-figure-{f}"))))
                    .unwrap_or_else(|| t.figure.clone()),
                value: format!("{} {unit}", from_scaled(t.value_e4, GRADE_SCALE).normalize()),
                reason: t.reason.clone().unwrap_or_default(),
                by: t.created_by.clone(),
                at: t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                current: all.iter().rev().find(|x| x.mine_id == t.mine_id && x.figure == t.figure).map(|x| x.id)
                    == Some(t.id),
            }
        })
        .collect();
    let mines = coop_and_mine_options(v.lang, &all_mines, Uuid::parse_str(form.v("mine_id")).ok());
    let codes: Vec<&str> = TargetFigure::ALL.iter().map(|f| f.as_str()).collect();
    let figures = code_options(v.lang, "target-figure", &codes, form.v("figure"));
    let elements = s
        .config
        .elements
        .iter()
        .map(|el| Opt { value: el.code.clone(), label: el.symbol(), selected: el.code == form.v("element") })
        .collect();
    Ok(TargetsPage { ctx: Ctx::new(v, uri), year, form, mines, figures, elements, rows, can_set: p.can_set_targets() })
}

/// The targets of a year: those in force and the history. Every member may read them (they are
/// the co-op's published policy); the president and the secretariat set them.
pub async fn targets(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<TargetsParams>,
) -> AppResult<Response> {
    v.principal()?;
    let year = q.year.filter(|y| (1950..=2200).contains(y)).unwrap_or_else(|| crate::cadastre::today().year());
    let form = FormState::from_pairs(vec![("year".into(), year.to_string())]);
    render(&targets_page(&s, &v, &uri, year, form).await?)
}

pub async fn set_target(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(i): axum::Form<TargetInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_set_targets())?;
    let result = match TargetDraft::parse(&i, &s.config.elements) {
        Ok(d) => s.store.set_target(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/reports/targets?year={}", t.year)).into_response()),
        Err(StoreError::Invalid(e)) => {
            let year = i.year.trim().parse().unwrap_or_else(|_| crate::cadastre::today().year());
            let form = FormState::from_pairs(vec![
                ("year".into(), i.year.clone()),
                ("mine_id".into(), i.mine_id.clone()),
                ("figure".into(), i.figure.clone()),
                ("element".into(), i.element.clone()),
                ("value".into(), i.value.clone()),
                ("reason".into(), i.reason.clone()),
            ])
            .with_errors(v.lang, &e);
            unprocessable(&targets_page(&s, &v, &uri, year, form).await?)
        }
        Err(e) => Err(e.into()),
    }
}
