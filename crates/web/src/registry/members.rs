use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use minecoop_domain::registry::{MemberDraft, MemberInput, MemberStatus};
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

const STATUSES: &[&str] = &["active", "suspended", "left"];

#[derive(Template)]
#[template(path = "registry/members_list.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<Member>,
    params: ListParams,
    statuses: Vec<Opt>,
    pager: Pager,
    can_create: bool,
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let p = v.principal()?;
    let can_create = p.can_create_member();
    let scope = v.scope(&s).await?;
    let page = s.store.members(scope, &params.query()).await?;
    let ctx = Ctx::new(&v, &uri);
    let statuses = code_options(ctx.lang, "member-status", STATUSES, &params.status);
    let pager = Pager::new("/members", &params.pairs(), page.page, page.pages(), page.total);
    render(&ListPage { ctx, items: page.items, params, statuses, pager, can_create })
}

#[derive(Template)]
#[template(path = "registry/member_detail.html")]
struct DetailPage {
    ctx: Ctx,
    m: Member,
    mines: Vec<Mine>,
    history: Vec<HistoryRow>,
    can_edit: bool,
    can_add_mine: bool,
}

pub async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    if !v.scope(&s).await?.includes_member(id) {
        return Err(AppError::Forbidden);
    }
    let m = s.store.member(id).await?;
    let scope = v.scope(&s).await?;
    let mines = s.store.mines_of_member(id).await?.into_iter().filter(|x| scope.includes_mine(x.id)).collect();
    let history = s.store.history("member", &id.to_string()).await?.iter().map(history_row).collect();
    render(&DetailPage {
        ctx: Ctx::new(&v, &uri),
        can_edit: p.can_edit_member(id),
        can_add_mine: p.can_create_mine_for(id),
        m,
        mines,
        history,
    })
}

#[derive(Template)]
#[template(path = "registry/member_form.html")]
struct FormPage {
    ctx: Ctx,
    /// `None` when creating.
    id: Option<Uuid>,
    version: i32,
    form: FormState,
    statuses: Vec<Opt>,
}

fn input_of(m: &Member) -> MemberInput {
    MemberInput {
        name_zh: m.name_zh.clone(),
        name_en: m.name_en.clone(),
        legal_representative: m.legal_representative.clone(),
        uscc: m.uscc.clone(),
        contact_phone: m.contact_phone.clone().unwrap_or_default(),
        address: m.address.clone().unwrap_or_default(),
        joined_on: m.joined_on.to_string(),
        left_on: m.left_on.map(|d| d.to_string()).unwrap_or_default(),
        status: m.status.clone(),
    }
}

fn form_page(v: &Viewer, uri: &Uri, id: Option<Uuid>, version: i32, form: FormState) -> FormPage {
    let ctx = Ctx::new(v, uri);
    let statuses = code_options(ctx.lang, "member-status", STATUSES, form.v("status"));
    FormPage { ctx, id, version, form, statuses }
}

pub async fn new(v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_create_member())?;
    let input = MemberInput { status: MemberStatus::Active.as_str().into(), ..Default::default() };
    render(&form_page(&v, &uri, None, 0, FormState::of(&input)))
}

pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(input): Form<MemberInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_create_member())?;
    let result = match MemberDraft::parse(&input) {
        Ok(d) => s.store.create_member(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}", m.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&v, &uri, None, 0, FormState::of(&input).with_errors(v.lang, &e)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    v.require(|p| p.can_edit_member(id))?;
    let m = s.store.member(id).await?;
    render(&form_page(&v, &uri, Some(id), m.version, FormState::of(&input_of(&m))))
}

/// `version` is optional here so that the role check runs before any complaint about the body.
#[derive(Deserialize)]
pub struct Versioned {
    #[serde(default)]
    version: Option<i32>,
    #[serde(flatten)]
    input: MemberInput,
}

pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<Versioned>,
) -> AppResult<Response> {
    v.require(|p| p.can_edit_member(id))?;
    let version = f.version.ok_or(AppError::BadRequest("error-400-detail"))?;
    let result = match MemberDraft::parse(&f.input) {
        Ok(d) => s.store.update_member(&v.actor(), id, version, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&v, &uri, Some(id), version, FormState::of(&f.input).with_errors(v.lang, &e)))
        }
        Err(StoreError::Conflict) => {
            // Show what is stored now; the user's text stays in the notice-free form below.
            let m = s.store.member(id).await?;
            let mut page = form_page(&v, &uri, Some(id), m.version, FormState::of(&f.input));
            page.ctx = page.ctx.with_notice("notice-conflict");
            conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}
