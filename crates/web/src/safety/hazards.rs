//! The hazard register: each mine's hazards with their rating, controls, owner and review date,
//! the 5 x 5 matrix drawn as a heat map (plain HTML and CSS, printable), and every version of
//! a hazard with the reason it changed.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minecoop_domain::FieldErrors;
use minecoop_domain::safety::hazard::{HazardCategory, HazardDraft, HazardInput, HeatMap, band, review_overdue, risk};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::safety::Hazard;
use serde::Deserialize;
use uuid::Uuid;

use super::{inspectable_mines, mine_ids, opt_id, query, visible_mines};
use crate::cadastre::today;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, conflict, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hazards", get(list).post(create))
        .route("/hazards/new", get(new))
        .route("/hazards/{id}", get(detail).post(update))
        .route("/hazards/{id}/edit", get(edit))
}

pub struct HazardRow {
    pub h: Hazard,
    pub mine: String,
    pub owner: String,
    pub risk: u8,
    pub band: &'static str,
    pub overdue: bool,
}

pub struct Cell {
    pub count: u32,
    pub risk: u8,
    pub band: &'static str,
    pub href: String,
    pub selected: bool,
}

pub struct HeatRow {
    pub likelihood: u8,
    pub cells: Vec<Cell>,
}

/// Owners' names, for those who may see them: the people's readers and the mine's keepers.
async fn owner_names(s: &AppState, v: &Viewer, mines: &[Mine]) -> AppResult<HashMap<Uuid, String>> {
    let members: Vec<Uuid> = mines.iter().map(|m| m.member_id).collect();
    let _ = v.principal()?;
    Ok(s.store.hazard_owner_choices(&members).await?.into_iter().map(|p| (p.id, p.name)).collect())
}

fn row(v: &Viewer, h: Hazard, mines: &[Mine], owners: &HashMap<Uuid, String>) -> HazardRow {
    let m = mines.iter().find(|m| m.id == h.mine_id);
    let may_see_owner = v
        .principal
        .as_ref()
        .is_some_and(|p| p.can_view_people() || m.is_some_and(|m| p.can_manage_hazards_of(m.id, m.member_id)));
    HazardRow {
        mine: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
        owner: if may_see_owner { owners.get(&h.owner_id).cloned().unwrap_or_default() } else { "—".into() },
        risk: h.risk(),
        band: h.band().as_str(),
        overdue: review_overdue(h.review_on, today()),
        h,
    }
}

#[derive(Template)]
#[template(path = "safety/hazards.html")]
struct ListPage {
    ctx: Ctx,
    mines: Vec<Opt>,
    heat: Vec<HeatRow>,
    total: u32,
    rows: Vec<HazardRow>,
    overdue: usize,
    /// The cell chosen on the map, as "likelihood × severity".
    cell: Option<(u8, u8)>,
    mine_query: String,
    can_add: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    mine: String,
    /// A cell of the matrix: likelihood and severity.
    l: String,
    s: String,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let q: ListParams = query(&uri)?;
    let mines = visible_mines(&s, &v).await?;
    let ids = mine_ids(&mines, opt_id(&q.mine)?)?;
    let rating = |x: &str| -> AppResult<Option<u8>> {
        match x.trim() {
            "" => Ok(None),
            t => t
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .map(Some)
                .ok_or(AppError::BadRequest("error-400-detail")),
        }
    };
    let cell = rating(&q.l)?.zip(rating(&q.s)?);
    let hazards = s.store.hazards(Some(&ids)).await?;
    let map = HeatMap::of(hazards.iter().map(|h| (h.likelihood as u8, h.severity as u8)));
    let mine_query = if q.mine.trim().is_empty() { String::new() } else { format!("mine={}&", q.mine.trim()) };
    let heat = (1..=5u8)
        .rev()
        .map(|l| HeatRow {
            likelihood: l,
            cells: (1..=5u8)
                .map(|sev| Cell {
                    count: map.count(l, sev),
                    risk: risk(l, sev),
                    band: band(risk(l, sev)).as_str(),
                    href: format!("/hazards?{mine_query}l={l}&s={sev}#register"),
                    selected: cell == Some((l, sev)),
                })
                .collect(),
        })
        .collect();
    let owners = owner_names(&s, &v, &mines).await?;
    let rows: Vec<HazardRow> = hazards
        .into_iter()
        .filter(|h| cell.is_none_or(|(l, sev)| h.likelihood as u8 == l && h.severity as u8 == sev))
        .map(|h| row(&v, h, &mines, &owners))
        .collect();
    render(&ListPage {
        ctx: Ctx::new(&v, &uri),
        mines: mines
            .iter()
            .map(|m| Opt { value: m.id.to_string(), label: m.name_zh.clone(), selected: m.id.to_string() == q.mine })
            .collect(),
        total: map.total(),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        heat,
        rows,
        cell,
        mine_query,
        can_add: p.can_inspect_any(),
    })
}

#[derive(Template)]
#[template(path = "safety/hazard_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    /// The hazard being changed (id, version), or none for a new one.
    editing: Option<(Uuid, i32)>,
    mine_name: String,
    mines: Vec<Opt>,
    categories: Vec<Opt>,
    likelihoods: Vec<Opt>,
    severities: Vec<Opt>,
    owners: Vec<Opt>,
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    form: FormState,
    editing: Option<(Uuid, i32)>,
) -> AppResult<FormPage> {
    let ctx = Ctx::new(v, uri);
    let mines = inspectable_mines(s, v).await?;
    let members: Vec<Uuid> = mines.iter().map(|m| m.member_id).collect();
    let mut owners = vec![Opt { value: String::new(), label: "—".into(), selected: form.v("owner_id").is_empty() }];
    owners.extend(s.store.hazard_owner_choices(&members).await?.into_iter().map(|p| Opt {
        selected: p.id.to_string() == form.v("owner_id"),
        value: p.id.to_string(),
        label: p.name,
    }));
    let categories: Vec<&str> = HazardCategory::ALL.iter().map(|c| c.as_str()).collect();
    let scale = ["1", "2", "3", "4", "5"];
    Ok(FormPage {
        mine_name: mines
            .iter()
            .find(|m| m.id.to_string() == form.v("mine_id"))
            .map(|m| m.name_zh.clone())
            .unwrap_or_default(),
        mines: mines
            .iter()
            .map(|m| Opt {
                value: m.id.to_string(),
                label: m.name_zh.clone(),
                selected: m.id.to_string() == form.v("mine_id"),
            })
            .collect(),
        categories: code_options(ctx.lang, "hazard-category", &categories, form.v("category")),
        likelihoods: code_options(ctx.lang, "likelihood", &scale, form.v("likelihood")),
        severities: code_options(ctx.lang, "consequence", &scale, form.v("severity")),
        ctx,
        form,
        editing,
        owners,
    })
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_inspect_any())?;
    let mine = inspectable_mines(&s, &v).await?.first().map(|m| m.id.to_string()).unwrap_or_default();
    let review = today().checked_add_months(chrono::Months::new(6)).unwrap_or(today());
    let input = HazardInput {
        mine_id: mine,
        category: "ground_fall".into(),
        likelihood: "3".into(),
        severity: "3".into(),
        review_on: review.to_string(),
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, FormState::of(&input), None).await?)
}

/// Check and keep a hazard or a new version of one, for the page and the API alike.
pub async fn save_hazard(
    s: &AppState,
    v: &Viewer,
    i: &HazardInput,
    revising: Option<(Uuid, i32)>,
) -> AppResult<Result<Hazard, FieldErrors>> {
    v.require(|p| p.can_inspect_any())?;
    if let Some((id, _)) = revising {
        let h = s.store.hazard(id).await?;
        let m = s.store.mine(h.mine_id).await?;
        v.require(|p| p.can_manage_hazards_of(m.id, m.member_id))?;
    }
    if let Ok(id) = Uuid::parse_str(i.mine_id.trim()) {
        let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
        v.require(|p| p.can_manage_hazards_of(m.id, m.member_id))?;
    }
    let result = match HazardDraft::parse(i, revising.is_some()) {
        Ok(d) => match revising {
            Some((id, version)) => s.store.revise_hazard(&v.actor(), id, version, &d).await,
            None => s.store.create_hazard(&v.actor(), &d).await,
        },
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(h) => Ok(Ok(h)),
        Err(StoreError::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(i): axum::Form<HazardInput>,
) -> AppResult<Response> {
    match save_hazard(&s, &v, &i, None).await? {
        Ok(h) => Ok(Redirect::to(&format!("/hazards/{}", h.hazard_id)).into_response()),
        Err(e) => unprocessable(&form_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e), None).await?),
    }
}

pub struct VersionRow {
    pub h: Hazard,
    pub risk: u8,
    pub band: &'static str,
}

#[derive(Template)]
#[template(path = "safety/hazard.html")]
struct DetailPage {
    ctx: Ctx,
    r: HazardRow,
    versions: Vec<VersionRow>,
    can_edit: bool,
}

async fn visible(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<(Hazard, Mine)> {
    let p = v.principal()?.clone();
    let h = s.store.hazard(id).await?;
    let m = s.store.mine(h.mine_id).await?;
    if !p.can_view_safety_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((h, m))
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (h, m) = visible(&s, &v, id).await?;
    let p = v.principal()?.clone();
    let mines = vec![m.clone()];
    let owners = owner_names(&s, &v, &mines).await?;
    let versions = s
        .store
        .hazard_versions(id)
        .await?
        .into_iter()
        .rev()
        .map(|h| VersionRow { risk: h.risk(), band: h.band().as_str(), h })
        .collect();
    render(&DetailPage {
        ctx: Ctx::new(&v, &uri),
        r: row(&v, h, &mines, &owners),
        versions,
        can_edit: p.can_manage_hazards_of(m.id, m.member_id),
    })
}

fn input_of(h: &Hazard) -> HazardInput {
    HazardInput {
        mine_id: h.mine_id.to_string(),
        title: h.title.clone(),
        category: h.category.clone(),
        description: h.description.clone().unwrap_or_default(),
        likelihood: h.likelihood.to_string(),
        severity: h.severity.to_string(),
        controls: h.controls.clone(),
        owner_id: h.owner_id.to_string(),
        review_on: h.review_on.to_string(),
        reason: String::new(),
    }
}

async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (h, m) = visible(&s, &v, id).await?;
    v.require(|p| p.can_manage_hazards_of(m.id, m.member_id))?;
    render(&form_page(&s, &v, &uri, FormState::of(&input_of(&h)), Some((h.hazard_id, h.version))).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UpdateForm {
    version: String,
    #[serde(flatten)]
    fields: HazardInput,
}

async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    axum::Form(f): axum::Form<UpdateForm>,
) -> AppResult<Response> {
    let (h, m) = visible(&s, &v, id).await?;
    v.require(|p| p.can_manage_hazards_of(m.id, m.member_id))?;
    let version = f.version.trim().parse::<i32>().unwrap_or(h.version);
    match save_hazard(&s, &v, &f.fields, Some((id, version))).await {
        Ok(Ok(_)) => Ok(Redirect::to(&format!("/hazards/{id}")).into_response()),
        Ok(Err(e)) => {
            let form = FormState::of(&f.fields).with_errors(v.lang, &e);
            unprocessable(&form_page(&s, &v, &uri, form, Some((id, version))).await?)
        }
        Err(AppError::Conflict) => {
            let mut e = FieldErrors::new();
            e.add("version", "err-stale-version");
            let form = FormState::of(&f.fields).with_errors(v.lang, &e);
            conflict(&form_page(&s, &v, &uri, form, Some((id, h.version))).await?)
        }
        Err(e) => Err(e),
    }
}
