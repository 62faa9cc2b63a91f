//! An incident's investigation as a page that prints as its report: the team, the timeline,
//! interviews, evidence, root causes by category and findings, with the actions raised and the
//! sign-off; and closing the incident.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minecoop_domain::safety::action::ActionSource;
use minecoop_domain::safety::investigation::{CauseCategory, EntryDraft, EntryInput, EntryKind, TeamDraft, TeamInput};
use minecoop_store::StoreError;
use minecoop_store::safety::{Incident, Investigation, InvestigationEntry};
use serde::Deserialize;
use uuid::Uuid;

use super::incidents::readable_incident;
use crate::cadastre::now_local;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/safety/incidents/{id}/investigation", get(page))
        .route("/safety/incidents/{id}/investigation/team", post(set_team))
        .route("/safety/incidents/{id}/investigation/entries", post(add_entry))
        .route("/safety/incidents/{id}/investigation/sign-off", post(sign_off))
        .route("/safety/incidents/{id}/close", post(close))
}

#[derive(Template)]
#[template(path = "safety/investigation.html")]
struct Page {
    ctx: Ctx,
    i: Incident,
    mine: String,
    inv: Option<Investigation>,
    team: Vec<String>,
    /// Entries by kind, in the order of [`EntryKind::ALL`].
    sections: Vec<(String, Vec<InvestigationEntry>)>,
    actions: Vec<super::actions::ActionRow>,
    can_write: bool,
    can_sign: bool,
    tform: FormState,
    eform: FormState,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    tform: FormState,
    eform: FormState,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (i, m) = readable_incident(s, &p, id).await?;
    let ctx = Ctx::new(v, uri);
    let (inv, entries) = match s.store.investigation(id).await? {
        Some((inv, e)) => (Some(inv), e),
        None => (None, Vec::new()),
    };
    let team: Vec<String> = inv.as_ref().map(|x| serde_json::from_str(&x.team).unwrap_or_default()).unwrap_or_default();
    let sections = EntryKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), entries.iter().filter(|e| e.kind == k.as_str()).cloned().collect()))
        .collect();
    let signed = inv.as_ref().is_some_and(|x| x.signed_off_at.is_some());
    let tform = if tform.v("lead").is_empty() && !tform.has_errors() {
        match &inv {
            Some(x) => FormState::new([("lead", x.lead.clone()), ("team", team.join("\n"))]),
            None => tform,
        }
    } else {
        tform
    };
    let kinds: Vec<&str> = EntryKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut cats: Vec<&str> = vec![""];
    cats.extend(CauseCategory::ALL.iter().map(|c| c.as_str()));
    let page = Page {
        kinds: code_options(ctx.lang, "entry-kind", &kinds, eform.v("kind")),
        categories: code_options(ctx.lang, "cause-category", &cats, eform.v("category")),
        actions: super::actions::rows(s, s.store.actions_of(ActionSource::Incident, id).await?).await?,
        can_write: p.can_report_incident(m.id, m.member_id) && !signed && i.closed_at.is_none(),
        can_sign: p.can_sign_off_investigation() && inv.is_some() && !signed,
        mine: m.name_zh,
        ctx,
        i,
        inv,
        team,
        sections,
        tform,
        eform,
    };
    if page.tform.has_errors() || page.eform.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn page(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    render_page(&s, &v, &uri, id, FormState::default(), FormState::default()).await
}

fn back(id: Uuid) -> Response {
    Redirect::to(&format!("/safety/incidents/{id}/investigation")).into_response()
}

async fn set_team(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<TeamInput>,
) -> AppResult<Response> {
    super::incidents::writable_incident(&s, v.principal()?, id).await?;
    let r = match TeamDraft::parse(&i) {
        Ok(t) => s.store.set_investigation_team(&v.actor(), id, &t).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match r {
        Ok(_) => Ok(back(id)),
        Err(StoreError::Invalid(e)) => {
            render_page(&s, &v, &uri, id, FormState::of(&i).with_errors(v.lang, &e), FormState::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_entry(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<EntryInput>,
) -> AppResult<Response> {
    super::incidents::writable_incident(&s, v.principal()?, id).await?;
    let r = match EntryDraft::parse(&i, now_local()) {
        Ok(d) => s.store.add_investigation_entry(&v.actor(), id, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match r {
        Ok(_) => Ok(back(id)),
        Err(StoreError::Invalid(e)) => {
            render_page(&s, &v, &uri, id, FormState::default(), FormState::of(&i).with_errors(v.lang, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn sign_off(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    readable_incident(&s, &p, id).await?;
    v.require(|p| p.can_sign_off_investigation())?;
    match s.store.sign_off_investigation(&v.actor(), id).await {
        Ok(_) => Ok(back(id)),
        Err(StoreError::Invalid(e)) => {
            let f = FormState::default().with_errors(v.lang, &e);
            render_page(&s, &v, &uri, id, FormState::default(), f).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    version: String,
}

/// Close the incident; a refusal shows on the incident's page, in the action form's place.
async fn close(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    super::incidents::writable_incident(&s, v.principal()?, id).await?;
    let version: i32 = f.version.trim().parse().unwrap_or(0);
    match s.store.close_incident(&v.actor(), id, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/safety/incidents/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let f = FormState::default().with_errors(v.lang, &e);
            super::incidents::detail_page(&s, &v, &uri, id, f).await
        }
        Err(StoreError::Conflict) => Err(AppError::Conflict),
        Err(e) => Err(e.into()),
    }
}
