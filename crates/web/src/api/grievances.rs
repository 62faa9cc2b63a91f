//! Grievances over the API with the pages' rules: staff list, record, step, reply and link the
//! cases they handle; the bureau gets the aggregates (`/stats`) and 403 on every case; the
//! public submits and follows a case by its code without an account (CSRF as for any browser
//! request, and the same limits per address as the public page).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::{Extension, Json, Router, routing::get, routing::post};
use minecoop_domain::grievances::workflow::{By, MessageKind};
use minecoop_domain::grievances::{GrievanceDraft, GrievanceInput, Status, can_record_any, code};
use minecoop_domain::safety::action::ActionSource;
use minecoop_store::StoreError;
use minecoop_store::grievances::{Case, Grievance, GrievanceStep, Summary, public_actor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::today;
use crate::error::AppError;
use crate::grievances::{
    Dashboard, LinkInput, MessageInput, StepInput, dashboard, filter_rows, handled_case, linkable_incident,
    parse_message, parse_step, scoped, staff_draft,
};
use crate::session::{ClientIp, Viewer};
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/grievances", get(list_grievances).post(record_grievance))
        .route("/api/v1/grievances/stats", get(grievance_stats))
        .route("/api/v1/grievances/{id}", get(get_grievance))
        .route("/api/v1/grievances/{id}/steps", post(add_step))
        .route("/api/v1/grievances/{id}/messages", post(add_message))
        .route("/api/v1/grievances/{id}/links", post(add_link))
        .route("/api/v1/public/grievances", post(submit_public))
        .route("/api/v1/public/grievances/track", post(track_public))
        .route("/api/v1/public/grievances/track/info", post(info_public))
        .route("/api/v1/public/grievances/track/answer", post(answer_public))
}

/// A case as staff see it, with the complainant's name and phone (none when anonymous).
#[derive(Serialize, ToSchema)]
pub struct GrievanceOut {
    id: Uuid,
    ref_no: String,
    category: String,
    complainant_type: String,
    channel: String,
    anonymous: bool,
    complainant_name: Option<String>,
    complainant_phone: Option<String>,
    description: String,
    occurred: Option<String>,
    place: Option<String>,
    received_on: String,
    mines: Vec<Uuid>,
    status: String,
    /// The step the case waits for and its due date (from receipt), when a deadline runs.
    next_step: Option<String>,
    due_on: Option<String>,
    overdue: bool,
}

fn grievance_out(s: &AppState, g: Grievance, mines: Vec<Uuid>, status: Status) -> GrievanceOut {
    let dl = s.config.grievance_deadlines;
    let pending = dl.pending(status, g.received_on);
    GrievanceOut {
        overdue: dl.escalation(status, g.received_on, today()).is_overdue(),
        next_step: pending.map(|(n, _)| n.as_str().to_owned()),
        due_on: pending.map(|(_, d)| d.to_string()),
        id: g.id,
        ref_no: g.ref_no,
        category: g.category,
        complainant_type: g.complainant_type,
        channel: g.channel,
        anonymous: g.anonymous,
        complainant_name: g.complainant_name,
        complainant_phone: g.complainant_phone,
        description: g.description,
        occurred: g.occurred,
        place: g.place,
        received_on: g.received_on.to_string(),
        mines,
        status: status.as_str().to_owned(),
    }
}

/// An entry of a case: a step (`status` set) or a note, reply, question or the complainant's
/// information. `public`: shown on the tracking page.
#[derive(Serialize, ToSchema)]
pub struct StepOut {
    id: Uuid,
    kind: String,
    status: Option<String>,
    escalated_to: Option<String>,
    note: Option<String>,
    public: bool,
    at: String,
    by: String,
}

impl From<GrievanceStep> for StepOut {
    fn from(s: GrievanceStep) -> Self {
        StepOut {
            id: s.id,
            kind: s.kind,
            status: s.status,
            escalated_to: s.escalated_to,
            note: s.note,
            public: s.public,
            at: s.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            by: s.by,
        }
    }
}

/// A case with every entry, its linked incidents and the corrective actions it raised.
#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    grievance: GrievanceOut,
    steps: Vec<StepOut>,
    incidents: Vec<Uuid>,
    actions: Vec<Uuid>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct GrievanceParams {
    /// Empty: open cases; `all`; or one status.
    status: String,
    category: String,
    mine: String,
}

#[utoipa::path(get, path = "/api/v1/grievances", tag = "grievances", params(GrievanceParams),
    responses((status = 200, body = Vec<GrievanceOut>), (status = 403, body = ProblemDoc)))]
async fn list_grievances(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Json<Vec<GrievanceOut>>> {
    let p = v.principal()?.clone();
    if p.role == minecoop_domain::auth::Role::Bureau {
        return Err(AppError::Forbidden);
    }
    let q: GrievanceParams = crate::safety::query(&uri)?;
    let (rows, _) = scoped(&s, &p).await?;
    let rows: Vec<Summary> = filter_rows(rows, &q.status, &q.category, &q.mine)?;
    Ok(Json(rows.into_iter().map(|r| grievance_out(&s, r.g, r.mines, r.status)).collect()))
}

#[utoipa::path(get, path = "/api/v1/grievances/stats", tag = "grievances",
    responses((status = 200, body = Dashboard), (status = 401, body = ProblemDoc)))]
async fn grievance_stats(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Dashboard>> {
    let p = v.principal()?.clone();
    let (rows, mines) = scoped(&s, &p).await?;
    Ok(Json(dashboard(v.lang, &rows, &mines, today(), &s.config.grievance_deadlines)))
}

/// A recorded case and its tracking code, shown this once (only its hash is kept).
#[derive(Serialize, ToSchema)]
pub struct RecordedOut {
    id: Uuid,
    ref_no: String,
    received_on: String,
    tracking_code: String,
}

fn recorded(g: &Grievance, plain: &str) -> RecordedOut {
    RecordedOut {
        id: g.id,
        ref_no: g.ref_no.clone(),
        received_on: g.received_on.to_string(),
        tracking_code: code::display(plain),
    }
}

#[utoipa::path(post, path = "/api/v1/grievances", tag = "grievances", request_body = GrievanceInput,
    responses((status = 201, body = RecordedOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn record_grievance(State(s): State<AppState>, v: Viewer, Json(i): Json<GrievanceInput>) -> AppResult<Response> {
    let p = v.require(can_record_any)?.clone();
    let d = staff_draft(&s, &p, &i).await?;
    let (g, plain) = s.store.record_grievance(&v.actor(), &d).await?;
    Ok(created(recorded(&g, &plain)))
}

async fn case_out(s: &AppState, case: Case) -> AppResult<CaseOut> {
    let status = case.status();
    let actions = s.store.actions_of(ActionSource::Grievance, case.g.id).await?.into_iter().map(|a| a.id).collect();
    Ok(CaseOut {
        incidents: case.links.iter().map(|l| l.incident_id).collect(),
        steps: case.steps.into_iter().map(StepOut::from).collect(),
        grievance: grievance_out(s, case.g, case.mines, status),
        actions,
    })
}

#[utoipa::path(get, path = "/api/v1/grievances/{id}", tag = "grievances", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
async fn get_grievance(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<CaseOut>> {
    let (case, _) = handled_case(&s, v.principal()?, id).await?;
    Ok(Json(case_out(&s, case).await?))
}

#[utoipa::path(post, path = "/api/v1/grievances/{id}/steps", tag = "grievances", params(("id" = Uuid, Path)),
    request_body = StepInput,
    responses((status = 201, body = StepOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn add_step(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<StepInput>,
) -> AppResult<Response> {
    handled_case(&s, v.principal()?, id).await?;
    let (to, esc, note) = parse_step(&i).map_err(AppError::Invalid)?;
    Ok(created(StepOut::from(s.store.grievance_step(&v.actor(), id, to, By::Staff, esc, note).await?)))
}

#[utoipa::path(post, path = "/api/v1/grievances/{id}/messages", tag = "grievances", params(("id" = Uuid, Path)),
    request_body = MessageInput,
    responses((status = 201, body = StepOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn add_message(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<MessageInput>,
) -> AppResult<Response> {
    handled_case(&s, v.principal()?, id).await?;
    let kind = parse_message(&i).map_err(AppError::Invalid)?;
    Ok(created(StepOut::from(s.store.grievance_message(&v.actor(), id, kind, &i.text).await?)))
}

/// A link from a case to an incident.
#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    grievance_id: Uuid,
    incident_id: Uuid,
}

#[utoipa::path(post, path = "/api/v1/grievances/{id}/links", tag = "grievances", params(("id" = Uuid, Path)),
    request_body = LinkInput,
    responses((status = 201, body = LinkOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn add_link(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<LinkInput>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    handled_case(&s, &p, id).await?;
    let incident = linkable_incident(&s, &p, &i).await?;
    let l = s.store.link_grievance_incident(&v.actor(), id, incident).await?;
    Ok(created(LinkOut { grievance_id: l.grievance_id, incident_id: l.incident_id }))
}

// ---- the public ------------------------------------------------------------------------------

fn ip_key(ip: &ClientIp) -> String {
    ip.0.clone().unwrap_or_else(|| "-".into())
}

#[utoipa::path(post, path = "/api/v1/public/grievances", tag = "grievances", request_body = GrievanceInput,
    description = "Submit a grievance without an account (channel `web`; `anonymous` keeps no name or phone). The tracking code is in the answer, once. Without a token, send the `mc_csrf` cookie a page set and its value as `X-CSRF-Token`, as for every request without one; ten submissions an hour per address.",
    responses((status = 201, body = RecordedOut), (status = 422, body = ProblemDoc), (status = 429, body = ProblemDoc)),
    security(()))]
async fn submit_public(
    State(s): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    Json(i): Json<GrievanceInput>,
) -> AppResult<Response> {
    let key = ip_key(&ip);
    if s.limits.submit.blocked(&key) {
        return Err(AppError::Throttled);
    }
    let d = GrievanceDraft::parse(&i, today(), true).map_err(AppError::Invalid)?;
    let (g, plain) = s.store.record_grievance(&public_actor(), &d).await?;
    s.limits.submit.hit(&key);
    Ok(created(recorded(&g, &plain)))
}

/// What the complainant sees: where the case stands and its public entries (no internal
/// notes, no staff names).
#[derive(Serialize, ToSchema)]
pub struct PublicCaseOut {
    ref_no: String,
    received_on: String,
    category: String,
    status: String,
    steps: Vec<PublicStepOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicStepOut {
    kind: String,
    status: Option<String>,
    escalated_to: Option<String>,
    note: Option<String>,
    at: String,
}

fn public_out(case: &Case) -> PublicCaseOut {
    PublicCaseOut {
        ref_no: case.g.ref_no.clone(),
        received_on: case.g.received_on.to_string(),
        category: case.g.category.clone(),
        status: case.status().as_str().to_owned(),
        steps: case
            .public_steps()
            .into_iter()
            .map(|s| PublicStepOut {
                kind: s.kind.clone(),
                status: s.status.clone(),
                escalated_to: s.escalated_to.clone(),
                note: s.note.clone(),
                at: s.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            })
            .collect(),
    }
}

/// A tracking code, and for additions the text or the answer.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TrackInput {
    code: String,
    /// Information to add (`/info`).
    text: String,
    /// `accepted` or `rejected` (`/answer`).
    outcome: String,
    note: String,
}

/// The case of a code; 404 alike for a malformed and an unknown code, 429 after too many.
async fn by_code(s: &AppState, ip: &ClientIp, typed: &str) -> AppResult<Case> {
    let key = ip_key(ip);
    if s.limits.wrong_code.blocked(&key) {
        return Err(AppError::Throttled);
    }
    match s.store.grievance_by_code(typed).await? {
        Some(c) => Ok(c),
        None => {
            s.limits.wrong_code.hit(&key);
            Err(AppError::NotFound)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/public/grievances/track", tag = "grievances", request_body = TrackInput,
    responses((status = 200, body = PublicCaseOut), (status = 404, body = ProblemDoc), (status = 429, body = ProblemDoc)),
    security(()))]
async fn track_public(
    State(s): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    Json(i): Json<TrackInput>,
) -> AppResult<Json<PublicCaseOut>> {
    Ok(Json(public_out(&by_code(&s, &ip, &i.code).await?)))
}

#[utoipa::path(post, path = "/api/v1/public/grievances/track/info", tag = "grievances", request_body = TrackInput,
    responses((status = 200, body = PublicCaseOut), (status = 404, body = ProblemDoc), (status = 422, body = ProblemDoc), (status = 429, body = ProblemDoc)),
    security(()))]
async fn info_public(
    State(s): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    Json(i): Json<TrackInput>,
) -> AppResult<Json<PublicCaseOut>> {
    let case = by_code(&s, &ip, &i.code).await?;
    s.store.grievance_message(&public_actor(), case.g.id, MessageKind::Info, &i.text).await?;
    Ok(Json(public_out(&s.store.grievance_case(case.g.id).await?)))
}

#[utoipa::path(post, path = "/api/v1/public/grievances/track/answer", tag = "grievances", request_body = TrackInput,
    responses((status = 200, body = PublicCaseOut), (status = 404, body = ProblemDoc), (status = 422, body = ProblemDoc), (status = 429, body = ProblemDoc)),
    security(()))]
async fn answer_public(
    State(s): State<AppState>,
    Extension(ip): Extension<ClientIp>,
    Json(i): Json<TrackInput>,
) -> AppResult<Json<PublicCaseOut>> {
    let case = by_code(&s, &ip, &i.code).await?;
    let to = match i.outcome.trim() {
        "accepted" => Status::Accepted,
        "rejected" => Status::Rejected,
        _ => return Err(StoreError::field("outcome", "err-choice").into()),
    };
    let note = minecoop_domain::validation::optional_text(&i.note, 2000).map_err(|c| StoreError::field("note", c))?;
    s.store.grievance_step(&public_actor(), case.g.id, to, By::Complainant, None, note).await?;
    Ok(Json(public_out(&s.store.grievance_case(case.g.id).await?)))
}
