use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use minecoop_domain::auth::Principal;
use minecoop_domain::registry::{MineDraft, MineInput, MineStatus, Mineral, MiningMethod};
use minecoop_domain::units::{DEGREE_SCALE, from_scaled};
use minecoop_store::StoreError;
use minecoop_store::registry::{Member, Mine};
use serde::Deserialize;
use uuid::Uuid;

use super::{ListParams, code_options, conflict, unprocessable};
use crate::audit::{HistoryRow, history_row};
use crate::error::AppError;
use crate::page::{Ctx, FormState, Pager, render};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

fn statuses() -> Vec<&'static str> {
    MineStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// A mine with its enterprise's name, for lists.
pub struct MineRow {
    pub mine: Mine,
    pub member_name: String,
}

impl MineRow {
    pub fn lat(&self) -> String {
        from_scaled(self.mine.lat_micro, DEGREE_SCALE).normalize().to_string()
    }
    pub fn lon(&self) -> String {
        from_scaled(self.mine.lon_micro, DEGREE_SCALE).normalize().to_string()
    }
}

#[derive(Template)]
#[template(path = "registry/mines_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<MineRow>,
    params: ListParams,
    statuses: Vec<Opt>,
    members: Vec<Opt>,
    pager: Pager,
    can_create: bool,
}

impl ListPage {
    fn minerals(&self, codes: &str) -> String {
        mineral_names(&self.ctx, codes)
    }
}

fn mineral_names(ctx: &Ctx, codes: &str) -> String {
    codes.split(',').filter(|c| !c.is_empty()).map(|c| ctx.t(&format!("mineral-{c}"))).collect::<Vec<_>>().join(", ")
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let can_create = v.principal()?.can_create_mines();
    let scope = v.scope(&s).await?;
    let page = s.store.mines(scope, &params.query()).await?;
    let all_members = s.store.member_choices().await?;
    let name = |id: Uuid| all_members.iter().find(|m| m.id == id).map(|m| m.name_zh.clone()).unwrap_or_default();
    let pager = Pager::new("/mines", &params.pairs(), page.page, page.pages(), page.total);
    let rows = page.items.into_iter().map(|m| MineRow { member_name: name(m.member_id), mine: m }).collect();
    let ctx = Ctx::new(&v, &uri);
    let statuses = code_options(ctx.lang, "mine-status", &statuses(), &params.status);
    let members = all_members
        .iter()
        .filter(|m| scope.includes_member(m.id))
        .map(|m| Opt { value: m.id.to_string(), label: m.name_zh.clone(), selected: params.member == m.id.to_string() })
        .collect();
    render(&ListPage { ctx, rows, params, statuses, members, pager, can_create })
}

#[derive(Template)]
#[template(path = "registry/mine_detail.html")]
struct DetailPage {
    ctx: Ctx,
    row: MineRow,
    member: Member,
    history: Vec<HistoryRow>,
    can_edit: bool,
    /// How many working workers of the mine lack a valid certificate for their job today,
    /// for those who may see the mine's insurance and workers' figures.
    cert_flag_count: Option<usize>,
    /// Who they are, for those who may see the mine's workers (never the bureau).
    cert_flags: Option<Vec<CertFlag>>,
}

/// A working worker whose job needs a certificate he has no valid one of.
pub struct CertFlag {
    pub worker_id: Uuid,
    pub name: String,
    pub cert: minecoop_domain::workforce::CertificateType,
}

impl DetailPage {
    fn flag_text(&self, f: &CertFlag) -> String {
        self.ctx.t1("workers-flag-certificate", "type", &self.ctx.t(&format!("certificate-type-{}", f.cert.as_str())))
    }

    fn minerals(&self, codes: &str) -> String {
        mineral_names(&self.ctx, codes)
    }
}

pub async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    if !v.scope(&s).await?.includes_mine(id) {
        return Err(AppError::Forbidden);
    }
    let mine = s.store.mine(id).await?;
    let member = s.store.member(mine.member_id).await?;
    let history = s.store.history("mine", &id.to_string()).await?.iter().map(history_row).collect();
    // The certificate flag: counted for whoever may see the mine's workforce figures, named
    // for whoever may see its workers.
    let (cert_flag_count, cert_flags) = if p.can_view_insurance_of(mine.id, mine.member_id) {
        let workers = s.store.workers(Some(&[mine.id])).await?;
        let missing = s.store.missing_certificates(&workers, crate::cadastre::today()).await?;
        let names = p.can_view_workers_of(mine.id, mine.member_id).then(|| {
            workers
                .iter()
                .filter_map(|w| {
                    missing.get(&w.worker_id).map(|c| CertFlag {
                        worker_id: w.worker_id,
                        name: w.name.clone(),
                        cert: *c,
                    })
                })
                .collect()
        });
        (Some(missing.len()), names)
    } else {
        (None, None)
    };
    render(&DetailPage {
        ctx: Ctx::new(&v, &uri),
        cert_flag_count,
        cert_flags,
        can_edit: p.can_edit_mine(mine.member_id),
        row: MineRow { member_name: member.name_zh.clone(), mine },
        member,
        history,
    })
}

#[derive(Template)]
#[template(path = "registry/mine_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<Uuid>,
    version: i32,
    form: FormState,
    members: Vec<Opt>,
    statuses: Vec<Opt>,
    methods: Vec<Opt>,
    minerals: Vec<Opt>,
}

fn input_of(m: &Mine) -> MineInput {
    MineInput {
        member_id: m.member_id.to_string(),
        name_zh: m.name_zh.clone(),
        name_en: m.name_en.clone(),
        latitude: from_scaled(m.lat_micro, DEGREE_SCALE).normalize().to_string(),
        longitude: from_scaled(m.lon_micro, DEGREE_SCALE).normalize().to_string(),
        minerals: m.minerals.clone(),
        mining_method: m.mining_method.clone(),
        status: m.status.clone(),
    }
}

/// Enterprises the principal may attach a mine to.
async fn member_options(s: &AppState, p: &Principal, selected: &str) -> AppResult<Vec<Opt>> {
    Ok(s.store
        .member_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_create_mine_for(m.id))
        .map(|m| Opt { selected: m.id.to_string() == selected, value: m.id.to_string(), label: m.name_zh })
        .collect())
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Option<Uuid>,
    version: i32,
    form: FormState,
) -> AppResult<FormPage> {
    let p = v.principal()?;
    let ctx = Ctx::new(v, uri);
    let members = member_options(s, p, form.v("member_id")).await?;
    let statuses = code_options(ctx.lang, "mine-status", &statuses(), form.v("status"));
    let methods: Vec<&str> = MiningMethod::ALL.iter().map(|m| m.as_str()).collect();
    let methods = code_options(ctx.lang, "method", &methods, form.v("mining_method"));
    let minerals = Mineral::ALL
        .iter()
        .map(|m| Opt {
            value: m.as_str().into(),
            label: ctx.t(&format!("mineral-{}", m.as_str())),
            selected: form.has("minerals", m.as_str()),
        })
        .collect();
    Ok(FormPage { ctx, id, version, form, members, statuses, methods, minerals })
}

/// Checkbox lists arrive as repeated keys; serde_urlencoded keeps only one value per field, so
/// the form is read as pairs and the minerals joined.
fn input_from_pairs(pairs: &[(String, String)]) -> (MineInput, Option<i32>) {
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let minerals = pairs.iter().filter(|(k, _)| k == "minerals").map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(",");
    let input = MineInput {
        member_id: get("member_id"),
        name_zh: get("name_zh"),
        name_en: get("name_en"),
        latitude: get("latitude"),
        longitude: get("longitude"),
        minerals,
        mining_method: get("mining_method"),
        status: get("status"),
    };
    (input, get("version").parse().ok())
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    #[serde(default)]
    member: String,
}

pub async fn new(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<NewParams>) -> AppResult<Response> {
    let p = v.require(|p| p.can_create_mines())?;
    // An owner's only enterprise is chosen for them.
    let member = if q.member.is_empty() { p.member_id.map(|m| m.to_string()).unwrap_or_default() } else { q.member };
    let input = MineInput {
        member_id: member,
        status: "operating".into(),
        mining_method: "underground".into(),
        minerals: "zn".into(),
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, None, 0, FormState::of(&input)).await?)
}

pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    v.require(|p| p.can_create_mines())?;
    let (input, _) = input_from_pairs(&pairs);
    let result = match MineDraft::parse(&input) {
        Ok(d) => {
            // The enterprise comes from the form: check it against the principal's rights.
            v.require(|p| p.can_create_mine_for(d.member_id))?;
            s.store.create_mine(&v.actor(), &d).await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/mines/{}", m.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, None, 0, FormState::of(&input).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let mine = s.store.mine(id).await?;
    v.require(|p| p.can_edit_mine(mine.member_id))?;
    render(&form_page(&s, &v, &uri, Some(id), mine.version, FormState::of(&input_of(&mine))).await?)
}

pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let current = s.store.mine(id).await?;
    v.require(|p| p.can_edit_mine(current.member_id))?;
    let (input, version) = input_from_pairs(&pairs);
    let version = version.ok_or(AppError::BadRequest("error-400-detail"))?;
    let result = match MineDraft::parse(&input) {
        Ok(d) => {
            // Moving a mine to another enterprise needs rights over that one too.
            v.require(|p| p.can_edit_mine(d.member_id))?;
            s.store.update_mine(&v.actor(), id, version, &d).await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/mines/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => unprocessable(
            &form_page(&s, &v, &uri, Some(id), version, FormState::of(&input).with_errors(v.lang, &e)).await?,
        ),
        Err(StoreError::Conflict) => {
            let now = s.store.mine(id).await?;
            let mut page = form_page(&s, &v, &uri, Some(id), now.version, FormState::of(&input)).await?;
            page.ctx = page.ctx.with_notice("notice-conflict");
            conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}
