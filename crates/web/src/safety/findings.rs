//! Findings: what inspections found wrong (or someone raised by hand), per mine, open until
//! closed. Corrective actions refer to a finding by its id.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minecoop_domain::FieldErrors;
use minecoop_domain::safety::inspection::FindingStatus;
use minecoop_store::StoreError;
use minecoop_store::safety::Finding;
use serde::Deserialize;
use uuid::Uuid;

use super::{mine_ids, opt_id, query, visible_mines};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::registry::{conflict, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/findings", get(list))
        .route("/findings/{id}", get(detail))
        .route("/findings/{id}/close", post(close))
}

pub struct FindingRow {
    pub f: Finding,
    pub mine: String,
    pub question: String,
    pub inspected_on: String,
}

/// The question a finding came from, in the reader's language, and the inspection's date.
async fn rows(
    s: &AppState,
    lang: Lang,
    findings: Vec<Finding>,
    names: &HashMap<Uuid, String>,
) -> AppResult<Vec<FindingRow>> {
    let zh = lang == Lang::Zh;
    let mut cache: HashMap<Uuid, (minecoop_domain::safety::inspection::TemplateContent, String)> = HashMap::new();
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        let mut question = String::new();
        let mut inspected_on = String::new();
        if let Some(iid) = f.inspection_id {
            if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(iid) {
                let rec = s.store.inspection_record(iid).await?;
                slot.insert((rec.template.content(), rec.inspection.inspected_on.to_string()));
            }
            if let Some((content, on)) = cache.get(&iid) {
                question = f
                    .question_key
                    .as_deref()
                    .and_then(|k| content.question(k))
                    .map(|q| q.text(zh).to_owned())
                    .unwrap_or_default();
                inspected_on = on.clone();
            }
        }
        out.push(FindingRow { mine: names.get(&f.mine_id).cloned().unwrap_or_default(), question, inspected_on, f });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "safety/findings.html")]
struct ListPage {
    ctx: Ctx,
    mines: Vec<Opt>,
    statuses: Vec<Opt>,
    rows: Vec<FindingRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    mine: String,
    /// `open` (default), `closed` or `all`.
    status: String,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.principal()?;
    let q: ListParams = query(&uri)?;
    let mines = visible_mines(&s, &v).await?;
    let ids = mine_ids(&mines, opt_id(&q.mine)?)?;
    let status = match q.status.as_str() {
        "" | "open" => Some(FindingStatus::Open),
        "closed" => Some(FindingStatus::Closed),
        "all" => None,
        _ => return Err(AppError::BadRequest("error-400-detail")),
    };
    let names: HashMap<Uuid, String> = mines.iter().map(|m| (m.id, m.name_zh.clone())).collect();
    let found = s.store.findings(Some(&ids), status).await?;
    let shown = status.map_or("all", |x| x.as_str());
    let statuses = ["open", "closed", "all"]
        .iter()
        .map(|c| Opt { value: (*c).into(), label: v.lang.t(&format!("finding-show-{c}")), selected: *c == shown })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(&v, &uri),
        mines: mines
            .iter()
            .map(|m| Opt { value: m.id.to_string(), label: m.name_zh.clone(), selected: m.id.to_string() == q.mine })
            .collect(),
        statuses,
        rows: rows(&s, v.lang, found, &names).await?,
    })
}

#[derive(Template)]
#[template(path = "safety/finding.html")]
struct DetailPage {
    ctx: Ctx,
    r: FindingRow,
    can_close: bool,
    form: FormState,
    /// The corrective actions this finding raised, and the form that raises one.
    actions: Vec<super::actions::ActionRow>,
    can_raise: bool,
    af: super::actions::ActionForm,
}

async fn detail_page(s: &AppState, v: &Viewer, uri: &Uri, id: Uuid, form: FormState) -> AppResult<DetailPage> {
    detail_with_action(s, v, uri, id, form, FormState::default()).await
}

/// The finding's page with the action form as given (re-shown with its errors).
async fn detail_with_action(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    form: FormState,
    aform: FormState,
) -> AppResult<DetailPage> {
    let p = v.principal()?.clone();
    let f = s.store.finding(id).await?;
    let m = s.store.mine(f.mine_id).await?;
    if !p.can_view_safety_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let names = HashMap::from([(m.id, m.name_zh.clone())]);
    let can_close = p.can_inspect(m.id, m.member_id) && f.is_open();
    let actions =
        super::actions::rows(s, s.store.actions_of(minecoop_domain::safety::action::ActionSource::Finding, id).await?)
            .await?;
    let ctx = Ctx::new(v, uri);
    let source = minecoop_domain::safety::action::ActionSource::Finding;
    let af = super::actions::action_form(s, ctx.lang, &m, source, id, aform, !actions.is_empty()).await?;
    let can_raise = p.can_report_incident(m.id, m.member_id);
    let r = rows(s, v.lang, vec![f], &names).await?.remove(0);
    Ok(DetailPage { ctx, r, can_close, form, actions, can_raise, af })
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    render(&detail_page(&s, &v, &uri, id, FormState::default()).await?)
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
struct CloseForm {
    version: String,
    note: String,
}

async fn close(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    axum::Form(f): axum::Form<CloseForm>,
) -> AppResult<Response> {
    let finding = s.store.finding(id).await?;
    let m = s.store.mine(finding.mine_id).await?;
    v.require(|p| p.can_inspect(m.id, m.member_id))?;
    let mut e = FieldErrors::new();
    let note = e.take("note", minecoop_domain::validation::optional_text(&f.note, 1000)).flatten();
    let version = e.take("version", f.version.trim().parse::<i32>().map_err(|_| "err-required"));
    let result = match version {
        Some(version) if e.is_empty() => s.store.close_finding(&v.actor(), id, version, note.as_deref()).await,
        _ => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&detail_page(&s, &v, &uri, id, FormState::of(&f).with_errors(v.lang, &e)).await?)
        }
        Err(StoreError::Conflict) => {
            let mut e = FieldErrors::new();
            e.add("version", "err-stale-version");
            conflict(&detail_page(&s, &v, &uri, id, FormState::of(&f).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The finding's page again, with the action form's errors (422).
pub(crate) async fn raise_failed(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    aform: FormState,
) -> AppResult<Response> {
    unprocessable(&detail_with_action(s, v, uri, id, FormState::default(), aform).await?)
}
