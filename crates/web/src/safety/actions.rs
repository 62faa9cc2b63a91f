//! Corrective actions (issue 5 item 3) in the pages: raised on an incident's page, done by their
//! owner with evidence, verified by someone else, and listed with the overdue ones first.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minecoop_domain::auth::Principal;
use minecoop_domain::safety::action::{ActionDraft, ActionInput, ActionSource, ActionStatus, Escalation};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::safety::{Action, ActionEvent, ActionFilter};
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::unprocessable;
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/safety/actions", get(list).post(raise))
        .route("/safety/actions/{id}", get(detail))
        .route("/safety/actions/{id}/done", post(done))
        .route("/safety/actions/{id}/verify", post(verify))
}

/// An action as lists show it.
pub struct ActionRow {
    pub a: Action,
    pub mine: String,
    pub escalation: Escalation,
    /// Where it came from: the incident's code, for a link.
    pub source_label: String,
    pub source_href: String,
}

pub(crate) async fn rows(s: &AppState, actions: Vec<Action>) -> AppResult<Vec<ActionRow>> {
    let mines = s.store.mine_choices().await?;
    let today = today();
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        let (source_label, source_href) = match ActionSource::parse(&a.source_kind) {
            Ok(ActionSource::Incident) => match s.store.incident(a.source_id).await {
                Ok(i) => (i.code, format!("/safety/incidents/{}", a.source_id)),
                Err(_) => (String::new(), String::new()),
            },
            Ok(ActionSource::Finding) => ("finding".to_owned(), format!("/findings/{}", a.source_id)),
            Ok(ActionSource::Grievance) => match s.store.grievance_case(a.source_id).await {
                Ok(c) => (c.g.ref_no, format!("/grievances/{}", a.source_id)),
                Err(_) => (String::new(), String::new()),
            },
            Err(_) => (a.source_kind.clone(), String::new()),
        };
        out.push(ActionRow {
            mine: mines.iter().find(|m| m.id == a.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default(),
            escalation: a.escalation(today),
            source_label,
            source_href,
            a,
        });
    }
    Ok(out)
}

/// The open actions the viewer may see, overdue first (for dashboards).
pub(crate) async fn overdue(s: &AppState, p: &Principal) -> AppResult<Vec<ActionRow>> {
    let mines: Vec<Uuid> = super::incidents::readable_mines(s, p).await?.iter().map(|m| m.id).collect();
    let open = s.store.actions(&ActionFilter { mines: Some(mines), open_only: true, owner: None }).await?;
    let today = today();
    let late: Vec<Action> = open.into_iter().filter(|a| a.escalation(today).is_overdue()).collect();
    rows(s, late).await
}

/// The users who may own an action of this mine: those who can see it (the co-op's officers
/// and inspectors, the mine's owner and its safety officer), not the read-only bureau.
pub(crate) async fn owner_options(s: &AppState, m: &Mine, selected: &str) -> AppResult<Vec<Opt>> {
    let mut opts = vec![Opt { value: String::new(), label: "—".into(), selected: selected.is_empty() }];
    for u in s.store.users().await? {
        if u.disabled {
            continue;
        }
        if u.principal().is_some_and(|p| p.can_report_incident(m.id, m.member_id)) {
            opts.push(Opt { selected: u.username == selected, value: u.username.clone(), label: u.username });
        }
    }
    Ok(opts)
}

/// The form that raises an action on an incident or a finding, as their pages show it
/// (`templates/safety/action_form.html`).
pub struct ActionForm {
    pub form: FormState,
    pub kinds: Vec<Opt>,
    pub owners: Vec<Opt>,
    pub source_kind: &'static str,
    pub source_id: Uuid,
}

/// The action form of a source in mine `m`: as sent back with its errors, or fresh (due
/// tomorrow; containment until one is raised).
pub(crate) async fn action_form(
    s: &AppState,
    lang: crate::i18n::Lang,
    m: &Mine,
    source: ActionSource,
    source_id: Uuid,
    form: FormState,
    raised_any: bool,
) -> AppResult<ActionForm> {
    let form = if form.v("due_on").is_empty() && !form.has_errors() {
        let due = (today() + chrono::Duration::days(1)).to_string();
        let kind = if raised_any { "corrective" } else { "containment" };
        FormState::new([("due_on", due), ("kind", kind.to_owned())])
    } else {
        form
    };
    let kinds: Vec<&str> = minecoop_domain::safety::action::ActionKind::ALL.iter().map(|k| k.as_str()).collect();
    Ok(ActionForm {
        kinds: crate::registry::code_options(lang, "action-kind", &kinds, form.v("kind")),
        owners: owner_options(s, m, form.v("owner")).await?,
        source_kind: source.as_str(),
        source_id,
        form,
    })
}

#[derive(Template)]
#[template(path = "safety/actions.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ActionRow>,
    all: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    all: String,
}

async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::extract::Query(q): axum::extract::Query<ListParams>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let mines: Vec<Uuid> = super::incidents::readable_mines(&s, &p).await?.iter().map(|m| m.id).collect();
    let all = q.all == "1";
    let mut list =
        rows(&s, s.store.actions(&ActionFilter { mines: Some(mines), open_only: !all, owner: None }).await?).await?;
    // The most escalated first, then by due date (the store's order).
    list.sort_by_key(|r| std::cmp::Reverse(rank(r.escalation)));
    render(&ListPage { ctx: Ctx::new(&v, &uri), rows: list, all })
}

fn rank(e: Escalation) -> u8 {
    match e {
        Escalation::President => 3,
        Escalation::MineOwner => 2,
        Escalation::Reminder => 1,
        Escalation::None => 0,
    }
}

/// Raise an action from its source's page; errors show on that page.
async fn raise(State(s): State<AppState>, v: Viewer, uri: Uri, Form(i): Form<ActionInput>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    // Incidents, inspection findings and grievances raise actions from their pages; the source
    // decides the mine (a grievance's first).
    let source = ActionSource::parse(i.source_kind.trim()).map_err(|_| AppError::BadRequest("error-400-detail"))?;
    let source_id = Uuid::parse_str(i.source_id.trim()).map_err(|_| AppError::BadRequest("error-400-detail"))?;
    let m = match source {
        ActionSource::Incident => super::incidents::readable_incident(&s, &p, source_id).await?.1,
        ActionSource::Finding => {
            let f = s.store.finding(source_id).await?;
            let m = s.store.mine(f.mine_id).await?;
            if !p.can_view_safety_of(m.id, m.member_id) {
                return Err(AppError::Forbidden);
            }
            m
        }
        ActionSource::Grievance => match crate::grievances::action_mine(&s, &p, source_id).await {
            Ok(m) => m,
            Err(AppError::Invalid(_)) => return Err(AppError::BadRequest("error-400-detail")),
            Err(e) => return Err(e),
        },
    };
    if !p.can_report_incident(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let mut result = ActionDraft::parse(&i, today()).map_err(StoreError::Invalid);
    if let Ok(d) = &result {
        let allowed = owner_options(&s, &m, "").await?.iter().any(|o| !o.value.is_empty() && o.value == d.owner);
        if !allowed {
            result = Err(StoreError::field("owner", "err-choice"));
        }
    }
    let result = match result {
        Ok(d) => s.store.raise_action(&v.actor(), &d).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) if source == ActionSource::Finding => {
            Ok(Redirect::to(&format!("/findings/{source_id}#actions")).into_response())
        }
        Ok(_) if source == ActionSource::Grievance => {
            Ok(Redirect::to(&format!("/grievances/{source_id}#actions")).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/safety/incidents/{source_id}#actions")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::of(&i).with_errors(v.lang, &e);
            if source == ActionSource::Finding {
                return super::findings::raise_failed(&s, &v, &uri, source_id, form).await;
            }
            if source == ActionSource::Grievance {
                return crate::grievances::detail_page(&s, &v, &uri, source_id, FormState::default(), form).await;
            }
            super::incidents::detail_page(&s, &v, &uri, source_id, form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An action the viewer may read, with its mine.
pub(crate) async fn readable(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(Action, Mine)> {
    let a = s.store.action(id).await?;
    let m = s.store.mine(a.mine_id).await?;
    if !p.can_view_safety_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((a, m))
}

#[derive(Template)]
#[template(path = "safety/action.html")]
struct DetailPage {
    ctx: Ctx,
    row: ActionRow,
    events: Vec<ActionEvent>,
    can_do: bool,
    can_verify: bool,
    form: FormState,
}

async fn detail_page(s: &AppState, v: &Viewer, uri: &Uri, id: Uuid, form: FormState) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (a, m) = readable(s, &p, id).await?;
    let writer = p.can_report_incident(m.id, m.member_id);
    let can_do = a.status() == ActionStatus::Open && (writer || a.owner == p.username);
    let can_verify = a.status() == ActionStatus::Done
        && writer
        && minecoop_domain::safety::action::check_verifier(&p.username, &a.owner, a.done_by.as_deref()).is_ok();
    let events = s.store.action_events(id).await?;
    let row = rows(s, vec![a]).await?.pop().ok_or(AppError::NotFound)?;
    let page = DetailPage { ctx: Ctx::new(v, uri), row, events, can_do, can_verify, form };
    if page.form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    detail_page(&s, &v, &uri, id, FormState::default()).await
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
struct DoneForm {
    evidence: String,
}

async fn done(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (a, m) = readable(&s, &p, id).await?;
    if !(p.can_report_incident(m.id, m.member_id) || a.owner == p.username) {
        return Err(AppError::Forbidden);
    }
    match s.store.complete_action(&v.actor(), id, &f.evidence).await {
        Ok(_) => Ok(Redirect::to(&format!("/safety/actions/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => detail_page(&s, &v, &uri, id, FormState::of(&f).with_errors(v.lang, &e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
struct VerifyForm {
    /// `accept` or `reject`.
    outcome: String,
    note: String,
}

async fn verify(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<VerifyForm>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (_, m) = readable(&s, &p, id).await?;
    if !p.can_report_incident(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let accept = match f.outcome.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return detail_page(&s, &v, &uri, id, errors(&f, v.lang, "outcome", "err-choice")).await,
    };
    match s.store.verify_action(&v.actor(), id, accept, &f.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/safety/actions/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => detail_page(&s, &v, &uri, id, FormState::of(&f).with_errors(v.lang, &e)).await,
        Err(e) => Err(e.into()),
    }
}

fn errors<T: serde::Serialize>(f: &T, lang: crate::i18n::Lang, field: &str, code: &'static str) -> FormState {
    let mut e = minecoop_domain::FieldErrors::new();
    e.add(field, code);
    FormState::of(f).with_errors(lang, &e)
}
