use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use minecoop_domain::registry::{CoopRole, PersonDraft, PersonInput};
use minecoop_store::StoreError;
use minecoop_store::registry::Person;
use serde::Deserialize;
use uuid::Uuid;

use super::{ListParams, code_options, conflict, unprocessable};
use crate::audit::{HistoryRow, history_row};
use crate::error::AppError;
use crate::page::{Ctx, FormState, Pager, render};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

fn roles() -> Vec<&'static str> {
    CoopRole::ALL.iter().map(|r| r.as_str()).collect()
}

pub struct PersonRow {
    pub person: Person,
    pub member_name: String,
}

#[derive(Template)]
#[template(path = "registry/people_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<PersonRow>,
    params: ListParams,
    roles: Vec<Opt>,
    pager: Pager,
    can_create: bool,
}

async fn rows(s: &AppState, people: Vec<Person>) -> AppResult<Vec<PersonRow>> {
    let members = s.store.member_choices().await?;
    Ok(people
        .into_iter()
        .map(|p| PersonRow {
            member_name: p
                .member_id
                .and_then(|id| members.iter().find(|m| m.id == id).map(|m| m.name_zh.clone()))
                .unwrap_or_default(),
            person: p,
        })
        .collect())
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let can_create = v.require(|p| p.can_view_people())?.can_edit_people();
    let page = s.store.people(&params.query()).await?;
    let ctx = Ctx::new(&v, &uri);
    let roles = code_options(ctx.lang, "coop-role", &roles(), &params.status);
    let pager = Pager::new("/people", &params.pairs(), page.page, page.pages(), page.total);
    render(&ListPage { ctx, rows: rows(&s, page.items).await?, params, roles, pager, can_create })
}

#[derive(Template)]
#[template(path = "registry/person_detail.html")]
struct DetailPage {
    ctx: Ctx,
    row: PersonRow,
    history: Vec<HistoryRow>,
    can_edit: bool,
}

pub async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let can_edit = v.require(|p| p.can_view_people())?.can_edit_people();
    let person = s.store.person(id).await?;
    let history = s.store.history("person", &id.to_string()).await?.iter().map(history_row).collect();
    let row = rows(&s, vec![person]).await?.remove(0);
    render(&DetailPage { ctx: Ctx::new(&v, &uri), row, history, can_edit })
}

#[derive(Template)]
#[template(path = "registry/person_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<Uuid>,
    version: i32,
    form: FormState,
    roles: Vec<Opt>,
    members: Vec<Opt>,
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Option<Uuid>,
    version: i32,
    form: FormState,
) -> AppResult<FormPage> {
    let ctx = Ctx::new(v, uri);
    let roles = code_options(ctx.lang, "coop-role", &roles(), form.v("coop_role"));
    let mut members =
        vec![Opt { value: String::new(), label: ctx.t("person-no-member"), selected: form.v("member_id").is_empty() }];
    members.extend(s.store.member_choices().await?.into_iter().map(|m| Opt {
        selected: m.id.to_string() == form.v("member_id"),
        value: m.id.to_string(),
        label: m.name_zh,
    }));
    Ok(FormPage { ctx, id, version, form, roles, members })
}

pub async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_edit_people())?;
    let input = PersonInput { coop_role: "contact".into(), ..Default::default() };
    render(&form_page(&s, &v, &uri, None, 0, FormState::of(&input)).await?)
}

pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(input): Form<PersonInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_edit_people())?;
    let result = match PersonDraft::parse(&input) {
        Ok(d) => s.store.create_person(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/people/{}", p.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, None, 0, FormState::of(&input).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

fn input_of(p: &Person) -> PersonInput {
    PersonInput {
        name: p.name.clone(),
        phone: p.phone.clone().unwrap_or_default(),
        coop_role: p.coop_role.clone(),
        member_id: p.member_id.map(|m| m.to_string()).unwrap_or_default(),
        notes: p.notes.clone().unwrap_or_default(),
    }
}

pub async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    v.require(|p| p.can_edit_people())?;
    let p = s.store.person(id).await?;
    render(&form_page(&s, &v, &uri, Some(id), p.version, FormState::of(&input_of(&p))).await?)
}

/// `version` is optional here so that the role check runs before any complaint about the body.
#[derive(Deserialize)]
pub struct Versioned {
    #[serde(default)]
    version: Option<i32>,
    #[serde(flatten)]
    input: PersonInput,
}

pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<Versioned>,
) -> AppResult<Response> {
    v.require(|p| p.can_edit_people())?;
    let version = f.version.ok_or(AppError::BadRequest("error-400-detail"))?;
    let result = match PersonDraft::parse(&f.input) {
        Ok(d) => s.store.update_person(&v.actor(), id, version, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => unprocessable(
            &form_page(&s, &v, &uri, Some(id), version, FormState::of(&f.input).with_errors(v.lang, &e)).await?,
        ),
        Err(StoreError::Conflict) => {
            let now = s.store.person(id).await?;
            let mut page = form_page(&s, &v, &uri, Some(id), now.version, FormState::of(&f.input)).await?;
            page.ctx = page.ctx.with_notice("notice-conflict");
            conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}
