//! Insurance pages: the policies of the mines, one policy with the workers it covers, and the
//! coverage check on any day, per mine and for the co-op. The bureau sees policies and the
//! coverage figures (counts, ratios, gaps) but never a worker's name.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router, routing::get, routing::post};
use chrono::NaiveDate;
use minecoop_domain::auth::Principal;
use minecoop_domain::workforce::coverage::{Missing, PolicyDraft, PolicyInput, PolicyKind};
use minecoop_domain::workforce::{WorkerState, state_on};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::workforce::{MineCoverage, Policy, Worker};
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::safety::incidents::yuan;
use crate::safety::{opt_id, query};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/insurance", get(list).post(create))
        .route("/insurance/new", get(new))
        .route("/insurance/coverage", get(coverage_page))
        .route("/insurance/{id}", get(detail))
        .route("/insurance/{id}/members", post(add_members))
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
    Ok(FormPage { kinds: code_options(ctx.lang, "policy-kind", &kinds, form.v("kind")), ctx, form, mines })
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

/// A worker the policy covers, as its page shows him.
pub struct MemberRow {
    pub worker_id: Uuid,
    pub name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
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
    can_edit: bool,
    form: FormState,
}

impl DetailPage {
    fn money(&self, fen: &i64) -> String {
        yuan(fen)
    }
}

async fn detail_page(s: &AppState, v: &Viewer, uri: &Uri, id: Uuid, form: FormState) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (pol, mine) = readable_policy(s, &p, id).await?;
    let members = s.store.policy_members(id).await?;
    let sees_names = p.can_view_workers_of(mine.id, mine.member_id);
    let can_edit = p.can_manage_workers_of(mine.id, mine.member_id);
    let (rows, candidates) = if sees_names {
        let workers = s.store.workers(Some(&[mine.id])).await?;
        let rows = members
            .iter()
            .map(|m| MemberRow {
                worker_id: m.worker_id,
                name: workers.iter().find(|w| w.worker_id == m.worker_id).map(|w| w.name.clone()).unwrap_or_default(),
                from: m.from_on,
                to: m.to_on,
            })
            .collect();
        let day = today();
        let candidates = workers
            .into_iter()
            .filter(|w| state_on(w.start_date, w.end_date, day) != WorkerState::Left)
            .filter(|w| !members.iter().any(|m| m.worker_id == w.worker_id))
            .collect();
        (Some(rows), if can_edit { candidates } else { Vec::new() })
    } else {
        (None, Vec::new())
    };
    let page = DetailPage {
        ctx: Ctx::new(v, uri),
        versions: s.store.policy_versions(id).await?,
        member_count: members.len(),
        members: rows,
        candidates,
        can_edit,
        p: pol,
        mine,
        form,
    };
    if page.form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    detail_page(&s, &v, &uri, id, FormState::default()).await
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
    let mut e = minecoop_domain::FieldErrors::new();
    let from = if get("from_on").trim().is_empty() {
        Some(pol.starts_on)
    } else {
        e.take("from_on", minecoop_domain::validation::era_date(&get("from_on")))
    };
    let to = e.take("to_on", minecoop_domain::validation::optional_date(&get("to_on"))).flatten();
    let result = match from {
        Some(from) if e.is_empty() => s.store.add_policy_members(&v.actor(), id, &workers, from, to).await,
        _ => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/insurance/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::from_pairs(vec![("from_on".into(), get("from_on")), ("to_on".into(), get("to_on"))])
                .with_errors(v.lang, &e);
            detail_page(&s, &v, &uri, id, form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CoverageQuery {
    date: String,
    mine: String,
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
    /// The day and mine, for the download links.
    query: String,
}

impl CoveragePage {
    fn pct(&self, covered: &usize, active: &usize) -> String {
        if *active == 0 { "—".into() } else { format!("{:.1}%", *covered as f64 * 100.0 / *active as f64) }
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
    };
    if page.date_error.is_some() { unprocessable(&page) } else { render(&page) }
}
