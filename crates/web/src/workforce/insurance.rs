//! Insurance pages: the policies of the mines, one policy with the workers (and family members)
//! it covers, its correction (a new version with a reason) and the early end of a cover, and the
//! coverage check on any day, per mine and for the co-op, with the family cover and the trend of
//! the daily snapshots. The bureau sees policies and the coverage figures (counts, ratios, gaps,
//! the trend) but never a worker's name.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router, routing::get, routing::post};
use chrono::NaiveDate;
use minecoop_domain::auth::Principal;
use minecoop_domain::workforce::coverage::{MemberEndInput, Missing, PolicyDraft, PolicyInput, PolicyKind};
use minecoop_domain::workforce::{WorkerState, state_on};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::workforce::{CoverageSnapshot, MineCoverage, Policy, TrendPoint, Worker, trend};
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::charts;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, conflict, unprocessable};
use crate::safety::incidents::yuan;
use crate::safety::{opt_id, query};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/insurance", get(list).post(create))
        .route("/insurance/new", get(new))
        .route("/insurance/coverage", get(coverage_page))
        .route("/insurance/{id}", get(detail).post(correct))
        .route("/insurance/{id}/edit", get(edit))
        .route("/insurance/{id}/members", post(add_members))
        .route("/insurance/{id}/members/{member}/end", post(end_member))
}

/// The mines whose policies and coverage the viewer may see.
pub(crate) async fn insurance_mines(s: &AppState, p: &Principal) -> AppResult<Vec<Mine>> {
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_view_insurance_of(m.id, m.member_id)).collect())
}

pub(crate) async fn readable_policy(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(Policy, Mine)> {
    let pol = s.store.policy(id).await?;
    let m = s.store.mine(pol.mine_id).await?;
    if !p.can_view_insurance_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((pol, m))
}

/// A policy the viewer may correct (he keeps the workers of its mine).
pub(crate) async fn writable_policy(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(Policy, Mine)> {
    let (pol, m) = readable_policy(s, p, id).await?;
    if !p.can_manage_workers_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((pol, m))
}

/// Check that the viewer keeps the insurance of the mine named in the form (when it names one).
pub(crate) async fn may_insure(s: &AppState, v: &Viewer, mine_id: &str) -> AppResult<()> {
    crate::registry::require_for_named_mine(s, v, mine_id, |p, m, e| p.can_manage_workers_of(m, e)).await
}

pub struct PolicyRow {
    pub p: Policy,
    pub mine: String,
    pub in_force: bool,
}

#[derive(Template)]
#[template(path = "workforce/policies.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<PolicyRow>,
    can_add: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    /// `csv` or `xlsx`: the list as a file.
    format: String,
}

impl ListPage {
    fn money(&self, fen: &i64) -> String {
        yuan(fen)
    }
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let q: ListQuery = query(&uri)?;
    let format = crate::export::Format::parse(&q.format)?;
    let mines = insurance_mines(&s, &p).await?;
    let ids: Vec<Uuid> = mines.iter().map(|m| m.id).collect();
    let day = today();
    let policies = s.store.policies(&ids).await?;
    if let Some(format) = format {
        return crate::export::respond(&super::import::policies_table(v.lang, &policies, &mines), format);
    }
    let rows = policies
        .into_iter()
        .map(|pol| PolicyRow {
            mine: mines.iter().find(|m| m.id == pol.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default(),
            in_force: pol.starts_on <= day && day <= pol.ends_on,
            p: pol,
        })
        .collect();
    render(&ListPage { ctx: Ctx::new(&v, &uri), rows, can_add: p.can_manage_any_workers() })
}

#[derive(Template)]
#[template(path = "workforce/policy_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    mines: Vec<Opt>,
    kinds: Vec<Opt>,
    /// The policy corrected (its current version), or none for a new one.
    editing: Option<Policy>,
}

async fn form_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState) -> AppResult<FormPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let mines = s
        .store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_manage_workers_of(m.id, m.member_id))
        .map(|m| Opt { selected: m.id.to_string() == form.v("mine_id"), value: m.id.to_string(), label: m.name_zh })
        .collect();
    let mut kinds: Vec<&str> = vec![""];
    kinds.extend(PolicyKind::ALL.iter().map(|k| k.as_str()));
    Ok(FormPage {
        kinds: code_options(ctx.lang, "policy-kind", &kinds, form.v("kind")),
        ctx,
        form,
        mines,
        editing: None,
    })
}

/// A recorded policy back as the form's strings (money in RMB, the reason empty).
fn input_of(p: &Policy) -> PolicyInput {
    PolicyInput {
        mine_id: p.mine_id.to_string(),
        kind: p.kind.clone(),
        insurer: p.insurer.clone(),
        number: p.number.clone(),
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.to_string(),
        premium: yuan(&p.premium_fen),
        cover_per_person: p.cover_fen.as_ref().map(yuan).unwrap_or_default(),
        reason: String::new(),
    }
}

async fn edit_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState, pol: Policy) -> AppResult<FormPage> {
    let mut page = form_page(s, v, uri, form).await?;
    page.editing = Some(pol);
    Ok(page)
}

async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (pol, _) = writable_policy(&s, v.principal()?, id).await?;
    render(&edit_page(&s, &v, &uri, FormState::of(&input_of(&pol)), pol).await?)
}

/// A correction from the edit page: the whole policy, the version it corrects and why. The
/// mine stays; a version someone else saved meanwhile answers 409 with the current one.
async fn correct(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (cur, _) = writable_policy(&s, v.principal()?, id).await?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let i = PolicyInput {
        mine_id: cur.mine_id.to_string(),
        kind: get("kind"),
        insurer: get("insurer"),
        number: get("number"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        premium: get("premium"),
        cover_per_person: get("cover_per_person"),
        reason: get("reason"),
    };
    let expected: i32 = get("version").trim().parse().unwrap_or(0);
    let result = match PolicyDraft::parse(&i) {
        Ok(d) => s.store.correct_policy(&v.actor(), id, expected, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/insurance/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&edit_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e), cur).await?)
        }
        Err(StoreError::Conflict) => {
            let fresh = s.store.policy(id).await?;
            let mut page = edit_page(&s, &v, &uri, FormState::of(&i), fresh).await?;
            page.ctx = page.ctx.with_notice("err-policy-changed");
            conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let mine = v.principal()?.mine_id.map(|m| m.to_string()).unwrap_or_default();
    let input = PolicyInput { mine_id: mine, ..Default::default() };
    render(&form_page(&s, &v, &uri, FormState::of(&input)).await?)
}

async fn create(State(s): State<AppState>, v: Viewer, uri: Uri, Form(i): Form<PolicyInput>) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    may_insure(&s, &v, &i.mine_id).await?;
    let result = match PolicyDraft::parse(&i) {
        Ok(d) => s.store.record_policy(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(pol) => Ok(Redirect::to(&format!("/insurance/{}", pol.policy_id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A worker (or a worker's family member) the policy covers, as its page shows him.
pub struct MemberRow {
    pub id: Uuid,
    pub worker_id: Uuid,
    pub name: String,
    /// The family member covered, when it is not the worker himself.
    pub dependant: Option<String>,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Why the cover was ended early, and by whom.
    pub ended: Option<(String, String)>,
}

/// A family member of a working worker not yet on the policy (for the form).
pub struct DependantCandidate {
    pub worker_id: Uuid,
    pub worker: String,
    pub name: String,
    pub relation: String,
}

#[derive(Template)]
#[template(path = "workforce/policy.html")]
struct DetailPage {
    ctx: Ctx,
    p: Policy,
    mine: Mine,
    versions: Vec<Policy>,
    member_count: usize,
    /// Names only for those who may see the mine's workers.
    members: Option<Vec<MemberRow>>,
    /// Working workers of the mine not yet on the policy (for the form).
    candidates: Vec<Worker>,
    /// Their family members not yet on it (family-cover and accident policies only).
    dependant_candidates: Vec<DependantCandidate>,
    /// Whether the policy may cover family members.
    takes_family: bool,
    can_edit: bool,
    form: FormState,
    /// The membership whose end form was sent with errors, and its form.
    end_for: Option<Uuid>,
    end_form: FormState,
    /// The empty end form of the other memberships.
    blank: FormState,
}

impl DetailPage {
    fn money(&self, fen: &i64) -> String {
        yuan(fen)
    }

    fn ending(&self, member: &Uuid) -> bool {
        self.end_for == Some(*member)
    }
}

async fn detail_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    form: FormState,
    end: Option<(Uuid, FormState)>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (pol, mine) = readable_policy(s, &p, id).await?;
    let members = s.store.policy_members(id).await?;
    let sees_names = p.can_view_workers_of(mine.id, mine.member_id);
    let can_edit = p.can_manage_workers_of(mine.id, mine.member_id);
    let takes_family = matches!(pol.kind(), PolicyKind::FamilyCover | PolicyKind::Accident);
    let open = |w: Uuid, d: Option<&str>| {
        members.iter().any(|m| m.worker_id == w && m.dependant_name.as_deref() == d && m.ended_at.is_none())
    };
    let (rows, candidates, dependant_candidates) = if sees_names {
        let workers = s.store.workers(Some(&[mine.id])).await?;
        let rows = members
            .iter()
            .map(|m| MemberRow {
                id: m.id,
                worker_id: m.worker_id,
                name: workers.iter().find(|w| w.worker_id == m.worker_id).map(|w| w.name.clone()).unwrap_or_default(),
                dependant: m.dependant_name.clone(),
                from: m.from_on,
                to: m.to_on,
                ended: m.end_reason.clone().map(|r| (r, m.ended_by.clone().unwrap_or_default())),
            })
            .collect();
        let day = today();
        let working: Vec<Worker> =
            workers.into_iter().filter(|w| state_on(w.start_date, w.end_date, day) != WorkerState::Left).collect();
        let mut deps = Vec::new();
        if can_edit && takes_family {
            for w in &working {
                for d in s.store.worker(w.worker_id).await?.dependants {
                    if !open(w.worker_id, Some(&d.name)) {
                        deps.push(DependantCandidate {
                            worker_id: w.worker_id,
                            worker: w.name.clone(),
                            name: d.name,
                            relation: d.relation,
                        });
                    }
                }
            }
        }
        let candidates = working.into_iter().filter(|w| !open(w.worker_id, None)).collect();
        (Some(rows), if can_edit { candidates } else { Vec::new() }, deps)
    } else {
        (None, Vec::new(), Vec::new())
    };
    let (end_for, end_form) = match end {
        Some((m, f)) => (Some(m), f),
        None => (None, FormState::default()),
    };
    let page = DetailPage {
        ctx: Ctx::new(v, uri),
        versions: s.store.policy_versions(id).await?,
        member_count: members.len(),
        members: rows,
        candidates,
        dependant_candidates,
        takes_family,
        can_edit,
        p: pol,
        mine,
        form,
        end_for,
        end_form,
        blank: FormState::default(),
    };
    if page.form.has_errors() || page.end_form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    detail_page(&s, &v, &uri, id, FormState::default(), None).await
}

/// End a worker's (or family member's) cover on the policy: the last day covered and why.
async fn end_member(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((id, member)): Path<(Uuid, Uuid)>,
    Form(i): Form<MemberEndInput>,
) -> AppResult<Response> {
    writable_policy(&s, v.principal()?, id).await?;
    let result = match i.parse() {
        Ok((to, reason)) => s.store.end_policy_membership(&v.actor(), id, member, to, &reason).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/insurance/{id}#members")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::of(&i).with_errors(v.lang, &e);
            detail_page(&s, &v, &uri, id, FormState::default(), Some((member, form))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_members(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (pol, mine) = readable_policy(&s, &p, id).await?;
    if !p.can_manage_workers_of(mine.id, mine.member_id) {
        return Err(AppError::Forbidden);
    }
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let workers: Vec<Uuid> =
        pairs.iter().filter(|(k, _)| k == "worker").filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok()).collect();
    // A family member as `worker id:name`.
    let dependants: Vec<(Uuid, String)> = pairs
        .iter()
        .filter(|(k, _)| k == "dependant")
        .filter_map(|(_, v)| v.split_once(':'))
        .filter_map(|(w, n)| Uuid::parse_str(w.trim()).ok().map(|w| (w, n.to_owned())))
        .collect();
    let mut e = minecoop_domain::FieldErrors::new();
    let from = if get("from_on").trim().is_empty() {
        Some(pol.starts_on)
    } else {
        e.take("from_on", minecoop_domain::validation::era_date(&get("from_on")))
    };
    let to = e.take("to_on", minecoop_domain::validation::optional_date(&get("to_on"))).flatten();
    let result = match from {
        Some(from) if e.is_empty() => s.store.add_policy_cover(&v.actor(), id, &workers, &dependants, from, to).await,
        _ => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/insurance/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::from_pairs(vec![("from_on".into(), get("from_on")), ("to_on".into(), get("to_on"))])
                .with_errors(v.lang, &e);
            detail_page(&s, &v, &uri, id, form, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CoverageQuery {
    date: String,
    mine: String,
    /// The first day of the trend; empty: 90 days up to the day checked.
    from: String,
    /// `csv` or `xlsx`: the check as a file (names only where the page shows them).
    format: String,
}

/// One mine's line of the coverage page.
pub struct CoverageRow {
    pub mine: Mine,
    pub c: MineCoverage,
    /// Whether the viewer may see the names of the breaches.
    pub names: bool,
}

#[derive(Template)]
#[template(path = "workforce/coverage.html")]
struct CoveragePage {
    ctx: Ctx,
    day: NaiveDate,
    date: String,
    date_error: Option<String>,
    mines: Vec<Opt>,
    rows: Vec<CoverageRow>,
    active: usize,
    covered: usize,
    breaches: usize,
    /// The family members of the working workers, and those on a family-cover policy.
    dependants: usize,
    dependants_covered: usize,
    /// The trend's first day as typed, and its error.
    from: String,
    from_error: Option<String>,
    /// The trend chart (SVG), and the co-op's figures per day beside it.
    chart: Option<String>,
    trend: Vec<TrendPoint>,
    /// The day and mine, for the download links.
    query: String,
}

impl CoveragePage {
    fn pct(&self, covered: &usize, active: &usize) -> String {
        if *active == 0 { "—".into() } else { format!("{:.1}%", *covered as f64 * 100.0 / *active as f64) }
    }

    fn pct_bp(&self, p: &TrendPoint) -> String {
        self.pct(&(p.covered as usize), &(p.active as usize))
    }

    fn family_pct(&self, p: &TrendPoint) -> String {
        self.pct(&(p.dependants_covered as usize), &(p.dependants as usize))
    }

    fn relation(&self, r: &minecoop_domain::workforce::Relation) -> String {
        self.ctx.t(&format!("relation-{}", r.as_str()))
    }

    fn missing_text(&self, m: &Missing) -> String {
        match m {
            Missing::NotInsured { kind } => {
                self.ctx.t1("coverage-not-insured", "kind", &self.ctx.t(&format!("policy-kind-{}", kind.as_str())))
            }
            Missing::CoverTooLow { policy, cover_fen } => self
                .ctx
                .lang
                .t_args("coverage-cover-too-low", &[("policy", policy.clone()), ("cover", yuan(cover_fen))]),
        }
    }
}

/// The day of a coverage query: empty is today.
pub(crate) fn coverage_day(date: &str) -> Result<NaiveDate, &'static str> {
    if date.trim().is_empty() { Ok(today()) } else { minecoop_domain::validation::era_date(date) }
}

/// Days of the trend by default, up to the day checked.
pub const TREND_DAYS: i64 = 90;

/// The first day of the trend up to `day`: empty is 90 days, at most about three years, not
/// after the day.
pub(crate) fn trend_from(from: &str, day: NaiveDate) -> Result<NaiveDate, &'static str> {
    if from.trim().is_empty() {
        return Ok(day - chrono::Duration::days(TREND_DAYS - 1));
    }
    let f = minecoop_domain::validation::era_date(from)?;
    if f > day {
        Err("err-end-before-start")
    } else if (day - f).num_days() >= minecoop_store::workforce::MAX_SNAPSHOT_DAYS {
        Err("err-too-large")
    } else {
        Ok(f)
    }
}

/// One colour a mine, told apart from the co-op's blue and from each other (the case study's
/// co-op has 13 mines; beyond 13 the colours repeat).
const PALETTE: [plotters::style::RGBColor; 13] = [
    charts::ORANGE_,
    charts::GREEN_,
    charts::RED_,
    charts::GREY_,
    plotters::style::RGBColor(0x7b, 0x3f, 0x9e),
    plotters::style::RGBColor(0x00, 0x8b, 0x8b),
    plotters::style::RGBColor(0xb8, 0x86, 0x0b),
    plotters::style::RGBColor(0xd2, 0x69, 0x9b),
    plotters::style::RGBColor(0x8c, 0x56, 0x4b),
    plotters::style::RGBColor(0x17, 0xbe, 0xcf),
    plotters::style::RGBColor(0x6b, 0x8e, 0x23),
    plotters::style::RGBColor(0x9a, 0xcd, 0x32),
    plotters::style::RGBColor(0xff, 0x8c, 0x00),
];

/// The coverage ratio per day from the snapshots: one line per mine and the co-op's in blue,
/// in per cent, with full coverage as the reference line.
fn trend_chart(
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    mines: &[(Uuid, String)],
    snaps: &[CoverageSnapshot],
) -> Option<String> {
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let labels: Vec<String> = days.iter().map(|d| d.format("%m-%d").to_string()).collect();
    let coop = trend(snaps);
    let mut series = vec![charts::Series {
        name: ctx.t("coverage-coop"),
        values: days.iter().map(|d| coop.iter().find(|p| p.day == *d).map(|p| p.ratio() * 100.0)).collect(),
        color: charts::BLUE_,
    }];
    for (n, (id, name)) in mines.iter().enumerate() {
        series.push(charts::Series {
            name: name.clone(),
            values: days
                .iter()
                .map(|d| snaps.iter().find(|s| s.mine_id == *id && s.day == *d).map(|s| f64::from(s.ratio_bp) / 100.0))
                .collect(),
            color: PALETTE[n % PALETTE.len()],
        });
    }
    let full = charts::Reference { name: ctx.t("coverage-full"), value: 100.0, color: charts::GREY_ };
    charts::line_chart(&ctx.t("coverage-trend"), "%", &labels, &series, &[full])
}

async fn coverage_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let q: CoverageQuery = query(&uri)?;
    let format = crate::export::Format::parse(&q.format)?;
    let mines = insurance_mines(&s, &p).await?;
    let ids = crate::safety::mine_ids(&mines, opt_id(&q.mine)?)?;
    let ctx = Ctx::new(&v, &uri);
    let (day, date_error) = match coverage_day(&q.date) {
        Ok(d) => (d, None),
        Err(code) => (today(), Some(ctx.t(code))),
    };
    let (from, from_error) = match trend_from(&q.from, day) {
        Ok(f) => (f, None),
        Err(code) => (day - chrono::Duration::days(TREND_DAYS - 1), Some(ctx.t(code))),
    };
    let snaps = s.store.coverage_snapshots(&ids, from, day).await?;
    let shown: Vec<(Uuid, String)> = mines
        .iter()
        .filter(|m| ids.contains(&m.id) && snaps.iter().any(|x| x.mine_id == m.id))
        .map(|m| (m.id, m.name_zh.clone()))
        .collect();
    let chart = trend_chart(&ctx, from, day, &shown, &snaps);
    let results = s.store.coverage(&ids, day).await?;
    if let Some(format) = format {
        if date_error.is_some() {
            return Err(AppError::BadRequest("error-400-detail"));
        }
        let names = |m: &Mine| p.can_view_workers_of(m.id, m.member_id);
        return crate::export::respond(&super::import::coverage_table(v.lang, day, &results, &mines, &names), format);
    }
    let rows: Vec<CoverageRow> = results
        .into_iter()
        .filter_map(|c| {
            let m = mines.iter().find(|m| m.id == c.mine_id)?.clone();
            Some(CoverageRow { names: p.can_view_workers_of(m.id, m.member_id), mine: m, c })
        })
        .collect();
    let active = rows.iter().map(|r| r.c.coverage.active).sum();
    let covered = rows.iter().map(|r| r.c.coverage.covered).sum();
    let breaches = rows.iter().map(|r| r.c.coverage.breaches.len()).sum();
    let dependants = rows.iter().map(|r| r.c.coverage.family.dependants).sum();
    let dependants_covered = rows.iter().map(|r| r.c.coverage.family.covered).sum();
    let mut mine_opts =
        vec![Opt { value: String::new(), label: ctx.t("workers-all-mines"), selected: q.mine.is_empty() }];
    mine_opts.extend(mines.iter().map(|m| Opt {
        value: m.id.to_string(),
        label: m.name_zh.clone(),
        selected: m.id.to_string() == q.mine.trim(),
    }));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("date", day.to_string()), ("mine", q.mine.trim().to_owned())])
        .finish();
    let page = CoveragePage {
        query,
        date: if q.date.trim().is_empty() { day.to_string() } else { q.date.clone() },
        ctx,
        day,
        date_error,
        mines: mine_opts,
        rows,
        active,
        covered,
        breaches,
        dependants,
        dependants_covered,
        from: if q.from.trim().is_empty() { from.to_string() } else { q.from.clone() },
        from_error,
        chart,
        trend: trend(&snaps),
    };
    if page.date_error.is_some() || page.from_error.is_some() { unprocessable(&page) } else { render(&page) }
}
