//! Incidents and corrective actions over the API, with the pages' rules: who may read a mine's
//! incidents, who may record and correct them, and who may do and verify an action.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Json, Router, routing::get, routing::post};
use minecoop_domain::safety::action::{ActionDraft, ActionInput, ActionSource, check_verifier};
use minecoop_domain::safety::incident::{ClockState, IncidentDraft, IncidentInput};
use minecoop_store::StoreError;
use minecoop_store::safety::{Action, ActionFilter, Incident};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::{now_local, today};
use crate::error::AppError;
use crate::safety::incidents::{
    clock_of, may_record_for, readable_incident, readable_mines, state_code, writable_incident, yuan,
};
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/incidents", get(list_incidents).post(record_incident))
        .route("/api/v1/incidents/{id}", get(get_incident).put(correct_incident))
        .route("/api/v1/incidents/{id}/versions", get(incident_versions))
        .route("/api/v1/incidents/{id}/investigation", get(get_investigation).put(set_team))
        .route("/api/v1/incidents/{id}/investigation/entries", post(add_entry))
        .route("/api/v1/incidents/{id}/investigation/sign-off", post(sign_off))
        .route("/api/v1/incidents/{id}/close", post(close_incident))
        .route("/api/v1/actions", get(list_actions).post(raise_action))
        .route("/api/v1/actions/{id}/done", post(complete_action))
        .route("/api/v1/actions/{id}/verify", post(verify_action))
}

/// One deadline of the legal clock: `state` is `done`, `done_late`, `running`, `overdue`,
/// `open`, `closed` or `not_applicable`; `level` the regulator the upward report reaches.
#[derive(Serialize, ToSchema)]
pub struct ClockOut {
    key: String,
    due: String,
    state: String,
    done_at: Option<String>,
    level: Option<String>,
}

/// An incident at one version. Times are local (`YYYY-MM-DDTHH:MM`), `loss` in RMB; `class` and
/// `investigated_by` follow from the figures.
#[derive(Serialize, ToSchema)]
pub struct IncidentOut {
    id: Uuid,
    code: String,
    version: i32,
    mine_id: Uuid,
    kind: String,
    occurrence: Option<String>,
    occurred_at: String,
    unit_head_notified_at: String,
    location: String,
    description: String,
    deaths: i32,
    serious_injuries: i32,
    minor_injuries: i32,
    loss: String,
    class: String,
    investigated_by: String,
    reported_at: Option<String>,
    reported_to: Option<String>,
    reported_how: Option<String>,
    extension_days: Option<i32>,
    extension_reason: Option<String>,
    investigation_report_at: Option<String>,
    reason: Option<String>,
    recorded_by: String,
    recorded_at: String,
    /// When the version that closed the incident was recorded.
    closed_at: Option<String>,
    clock: Vec<ClockOut>,
}

fn local(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

fn incident_out(i: Incident) -> IncidentOut {
    let clock = clock_of(&i, now_local())
        .iter()
        .map(|c| ClockOut {
            key: c.key.into(),
            due: local(&c.due),
            state: state_code(&c.state).into(),
            done_at: match c.state {
                ClockState::Done { at, .. } => Some(local(&at)),
                _ => None,
            },
            level: c.level.map(|l| l.as_str().into()),
        })
        .collect();
    IncidentOut {
        id: i.incident_id,
        investigated_by: i.investigated_by().as_str().into(),
        loss: yuan(&i.loss_fen),
        occurred_at: local(&i.occurred_at),
        unit_head_notified_at: local(&i.unit_head_notified_at),
        reported_at: i.reported_at.as_ref().map(local),
        investigation_report_at: i.investigation_report_at.as_ref().map(local),
        recorded_at: i.created_at.to_rfc3339(),
        closed_at: i.closed_at.map(|t| t.to_rfc3339()),
        code: i.code,
        version: i.version,
        mine_id: i.mine_id,
        kind: i.kind,
        occurrence: i.occurrence,
        location: i.location,
        description: i.description,
        deaths: i.deaths,
        serious_injuries: i.serious_injuries,
        minor_injuries: i.minor_injuries,
        class: i.class,
        reported_to: i.reported_to,
        reported_how: i.reported_how,
        extension_days: i.extension_days,
        extension_reason: i.extension_reason,
        reason: i.reason,
        recorded_by: i.created_by,
        clock,
    }
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "safety",
    responses((status = 200, body = Vec<IncidentOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_incidents(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<IncidentOut>>> {
    let p = v.principal()?.clone();
    let ids: Vec<Uuid> = readable_mines(&s, &p).await?.iter().map(|m| m.id).collect();
    Ok(Json(s.store.incidents(Some(&ids)).await?.into_iter().map(incident_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/incidents", tag = "safety", request_body = IncidentInput,
    responses((status = 201, body = IncidentOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn record_incident(
    State(s): State<AppState>,
    v: Viewer,
    Json(i): Json<IncidentInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_report_any_incident())?;
    may_record_for(&s, &v, &i.mine_id).await?;
    let d = IncidentDraft::parse(&i, now_local()).map_err(AppError::Invalid)?;
    Ok(created(incident_out(s.store.record_incident(&v.actor(), &d).await?)))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = IncidentOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_incident(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<IncidentOut>> {
    let p = v.principal()?.clone();
    Ok(Json(incident_out(readable_incident(&s, &p, id).await?.0)))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/versions", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<IncidentOut>), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn incident_versions(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<IncidentOut>>> {
    let p = v.principal()?.clone();
    readable_incident(&s, &p, id).await?;
    Ok(Json(s.store.incident_versions(id).await?.into_iter().map(incident_out).collect()))
}

/// A correction: the whole incident as it should now read, the version it corrects, and why.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct IncidentCorrection {
    version: i32,
    #[serde(flatten)]
    incident: IncidentInput,
}

#[utoipa::path(put, path = "/api/v1/incidents/{id}", tag = "safety", params(("id" = Uuid, Path)),
    request_body = IncidentCorrection,
    responses((status = 200, body = IncidentOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn correct_incident(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(c): Json<IncidentCorrection>,
) -> AppResult<Json<IncidentOut>> {
    writable_incident(&s, v.principal()?, id).await?;
    let d = IncidentDraft::parse(&c.incident, now_local()).map_err(AppError::Invalid)?;
    Ok(Json(incident_out(s.store.correct_incident(&v.actor(), id, c.version, &d).await?)))
}

/// A corrective action; `escalation` is `none`, `reminder`, `mine_owner` or `president`.
#[derive(Serialize, ToSchema)]
pub struct ActionOut {
    id: Uuid,
    code: String,
    mine_id: Uuid,
    source_kind: String,
    source_id: Uuid,
    kind: String,
    description: String,
    owner: String,
    due_on: String,
    status: String,
    escalation: String,
    evidence: Option<String>,
    done_by: Option<String>,
    verified_by: Option<String>,
}

fn action_out(a: Action) -> ActionOut {
    ActionOut {
        escalation: a.escalation(today()).as_str().into(),
        due_on: a.due_on.to_string(),
        id: a.id,
        code: a.code,
        mine_id: a.mine_id,
        source_kind: a.source_kind,
        source_id: a.source_id,
        kind: a.kind,
        description: a.description,
        owner: a.owner,
        status: a.status,
        evidence: a.evidence,
        done_by: a.done_by,
        verified_by: a.verified_by,
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ActionParams {
    /// `true` for closed actions too; by default only those not yet closed.
    all: bool,
}

#[utoipa::path(get, path = "/api/v1/actions", tag = "safety", params(ActionParams),
    responses((status = 200, body = Vec<ActionOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_actions(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ActionParams>,
) -> AppResult<Json<Vec<ActionOut>>> {
    let p = v.principal()?.clone();
    let mines: Vec<Uuid> = readable_mines(&s, &p).await?.iter().map(|m| m.id).collect();
    let f = ActionFilter { mines: Some(mines), open_only: !q.all, owner: None };
    Ok(Json(s.store.actions(&f).await?.into_iter().map(action_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/actions", tag = "safety", request_body = ActionInput,
    responses((status = 201, body = ActionOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn raise_action(State(s): State<AppState>, v: Viewer, Json(i): Json<ActionInput>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    v.require(|p| p.can_report_any_incident())?;
    let d = ActionDraft::parse(&i, today()).map_err(AppError::Invalid)?;
    let found = match d.source_kind {
        ActionSource::Incident => readable_incident(&s, &p, d.source_id).await.map(|(_, m)| m),
        ActionSource::Finding => match s.store.finding(d.source_id).await {
            Ok(f) => {
                let m = s.store.mine(f.mine_id).await?;
                if p.can_view_safety_of(m.id, m.member_id) { Ok(m) } else { Err(AppError::Forbidden) }
            }
            Err(e) => Err(e.into()),
        },
        ActionSource::Grievance => crate::grievances::action_mine(&s, &p, d.source_id).await,
    };
    let m = match found {
        Ok(m) => m,
        Err(AppError::NotFound) => return Err(StoreError::field("source_id", "err-choice").into()),
        Err(e) => return Err(e),
    };
    if !p.can_report_incident(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let owners = crate::safety::actions::owner_options(&s, &m, "").await?;
    if !owners.iter().any(|o| !o.value.is_empty() && o.value == d.owner) {
        return Err(StoreError::field("owner", "err-choice").into());
    }
    Ok(created(action_out(s.store.raise_action(&v.actor(), &d).await?)))
}

/// An action the viewer may read, with whether he writes for its mine.
async fn readable_action(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<(Action, bool)> {
    let p = v.principal()?;
    let (a, m) = crate::safety::actions::readable(s, p, id).await?;
    Ok((a, p.can_report_incident(m.id, m.member_id)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DoneInput {
    /// What was done and where to see it.
    evidence: String,
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/done", tag = "safety", params(("id" = Uuid, Path)),
    request_body = DoneInput,
    responses((status = 200, body = ActionOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn complete_action(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<DoneInput>,
) -> AppResult<Json<ActionOut>> {
    let (a, writer) = readable_action(&s, &v, id).await?;
    if !(writer || a.owner == v.principal()?.username) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(action_out(s.store.complete_action(&v.actor(), id, &i.evidence).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct VerifyInput {
    /// `true` to close the action, `false` to send it back (with a note).
    accept: bool,
    note: String,
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/verify", tag = "safety", params(("id" = Uuid, Path)),
    request_body = VerifyInput,
    responses((status = 200, body = ActionOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn verify_action(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<VerifyInput>,
) -> AppResult<Json<ActionOut>> {
    let (a, writer) = readable_action(&s, &v, id).await?;
    if !writer {
        return Err(AppError::Forbidden);
    }
    if let Err(code) = check_verifier(&v.principal()?.username, &a.owner, a.done_by.as_deref()) {
        return Err(StoreError::field("note", code).into());
    }
    Ok(Json(action_out(s.store.verify_action(&v.actor(), id, i.accept, &i.note).await?)))
}

/// An investigation: lead, team, its record (`kind` timeline, interview, evidence, root_cause,
/// finding; `category` for root causes) and the sign-off.
#[derive(Serialize, ToSchema)]
pub struct InvestigationOut {
    lead: String,
    team: Vec<String>,
    signed_off_by: Option<String>,
    signed_off_at: Option<String>,
    entries: Vec<EntryOut>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    kind: String,
    category: Option<String>,
    at: Option<String>,
    text: String,
    recorded_by: String,
}

async fn investigation_out(s: &AppState, id: Uuid) -> AppResult<InvestigationOut> {
    let (i, entries) = s.store.investigation(id).await?.ok_or(AppError::NotFound)?;
    Ok(InvestigationOut {
        lead: i.lead,
        team: serde_json::from_str(&i.team).unwrap_or_default(),
        signed_off_by: i.signed_off_by,
        signed_off_at: i.signed_off_at.map(|t| t.to_rfc3339()),
        entries: entries
            .into_iter()
            .map(|e| EntryOut {
                kind: e.kind,
                category: e.category,
                at: e.at.as_ref().map(local),
                text: e.text,
                recorded_by: e.created_by,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/investigation", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = InvestigationOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_investigation(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<InvestigationOut>> {
    let p = v.principal()?.clone();
    readable_incident(&s, &p, id).await?;
    Ok(Json(investigation_out(&s, id).await?))
}

#[utoipa::path(put, path = "/api/v1/incidents/{id}/investigation", tag = "safety", params(("id" = Uuid, Path)),
    request_body = minecoop_domain::safety::investigation::TeamInput,
    responses((status = 200, body = InvestigationOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn set_team(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<minecoop_domain::safety::investigation::TeamInput>,
) -> AppResult<Json<InvestigationOut>> {
    writable_incident(&s, v.principal()?, id).await?;
    let t = minecoop_domain::safety::investigation::TeamDraft::parse(&i).map_err(AppError::Invalid)?;
    s.store.set_investigation_team(&v.actor(), id, &t).await?;
    Ok(Json(investigation_out(&s, id).await?))
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/investigation/entries", tag = "safety", params(("id" = Uuid, Path)),
    request_body = minecoop_domain::safety::investigation::EntryInput,
    responses((status = 201, body = InvestigationOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_entry(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<minecoop_domain::safety::investigation::EntryInput>,
) -> AppResult<Response> {
    writable_incident(&s, v.principal()?, id).await?;
    let d = minecoop_domain::safety::investigation::EntryDraft::parse(&i, now_local()).map_err(AppError::Invalid)?;
    s.store.add_investigation_entry(&v.actor(), id, &d).await?;
    Ok(created(investigation_out(&s, id).await?))
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/investigation/sign-off", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = InvestigationOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn sign_off(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<InvestigationOut>> {
    let p = v.principal()?.clone();
    readable_incident(&s, &p, id).await?;
    v.require(|p| p.can_sign_off_investigation())?;
    s.store.sign_off_investigation(&v.actor(), id).await?;
    Ok(Json(investigation_out(&s, id).await?))
}

/// Which version of the incident is being closed.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CloseInput {
    version: i32,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/close", tag = "safety", params(("id" = Uuid, Path)),
    request_body = CloseInput,
    responses((status = 200, body = IncidentOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn close_incident(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(c): Json<CloseInput>,
) -> AppResult<Json<IncidentOut>> {
    writable_incident(&s, v.principal()?, id).await?;
    Ok(Json(incident_out(s.store.close_incident(&v.actor(), id, c.version).await?)))
}
