//! Workers over the API, with the pages' rules: who may see a mine's workers (never the
//! bureau), who records and corrects them, and who may see an identity number whole (each
//! time written to the audit trail). Numbers are masked everywhere else.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Json, Router, routing::get, routing::post};
use minecoop_domain::workforce::worker::{WorkerDraft, WorkerInput};
use minecoop_store::workforce::{Worker, WorkerRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::today;
use crate::error::AppError;
use crate::safety::{opt_id, query};
use crate::session::Viewer;
use crate::workforce::workers::{may_record_for, readable_worker, viewable_mines, writable_worker};
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/workers", get(list_workers).post(record_worker))
        .route("/api/v1/workers/{id}", get(get_worker).put(correct_worker))
        .route("/api/v1/workers/{id}/versions", get(worker_versions))
        .route("/api/v1/workers/{id}/id-number", post(reveal_id_number))
}

/// A family member covered with the worker; the identity number masked.
#[derive(Serialize, ToSchema)]
pub struct DependantOut {
    name: String,
    relation: String,
    birth_date: String,
    id_masked: Option<String>,
}

/// A worker at one version. The identity number only masked; `state` is `active`, `left` or
/// `future` today.
#[derive(Serialize, ToSchema)]
pub struct WorkerOut {
    id: Uuid,
    version: i32,
    mine_id: Uuid,
    name: String,
    id_masked: String,
    sex: String,
    birth_date: String,
    home_village: Option<String>,
    phone: Option<String>,
    job: String,
    underground: bool,
    /// The special-operation certificate the job needs.
    certificate_needed: Option<String>,
    employment_form: String,
    start_date: String,
    end_date: Option<String>,
    state: String,
    emergency_name: Option<String>,
    emergency_phone: Option<String>,
    /// Present on a single worker (not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    dependants: Option<Vec<DependantOut>>,
    reason: Option<String>,
    recorded_by: String,
    recorded_at: String,
}

fn worker_out(w: Worker, deps: Option<Vec<minecoop_store::workforce::Dependant>>) -> WorkerOut {
    use minecoop_domain::workforce::{Job, WorkerState, state_on};
    let job = Job::parse(&w.job).ok();
    WorkerOut {
        id: w.worker_id,
        version: w.version,
        mine_id: w.mine_id,
        underground: job.is_some_and(|j| j.underground()),
        certificate_needed: job.and_then(|j| j.certificate()).map(|c| c.as_str().to_owned()),
        state: match state_on(w.start_date, w.end_date, today()) {
            WorkerState::Active => "active",
            WorkerState::Left => "left",
            WorkerState::Future => "future",
        }
        .into(),
        birth_date: w.birth_date.to_string(),
        start_date: w.start_date.to_string(),
        end_date: w.end_date.map(|d| d.to_string()),
        recorded_at: w.created_at.to_rfc3339(),
        dependants: deps.map(|ds| {
            ds.into_iter()
                .map(|d| DependantOut {
                    name: d.name,
                    relation: d.relation,
                    birth_date: d.birth_date.to_string(),
                    id_masked: d.id_masked,
                })
                .collect()
        }),
        name: w.name,
        id_masked: w.id_masked,
        sex: w.sex,
        home_village: w.home_village,
        phone: w.phone,
        job: w.job,
        employment_form: w.employment_form,
        emergency_name: w.emergency_name,
        emergency_phone: w.emergency_phone,
        reason: w.reason,
        recorded_by: w.created_by,
    }
}

fn record_out(r: WorkerRecord) -> WorkerOut {
    worker_out(r.worker, Some(r.dependants))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct WorkerParams {
    /// Only this mine.
    mine: String,
}

#[utoipa::path(get, path = "/api/v1/workers", tag = "workforce", params(WorkerParams),
    responses((status = 200, body = Vec<WorkerOut>), (status = 401, body = ProblemDoc), (status = 403, body = ProblemDoc)))]
pub async fn list_workers(
    State(s): State<AppState>,
    v: Viewer,
    uri: axum::http::Uri,
) -> AppResult<Json<Vec<WorkerOut>>> {
    let p = v.require(|p| p.can_view_any_workers())?.clone();
    let q: WorkerParams = query(&uri)?;
    let mines = viewable_mines(&s, &p).await?;
    let ids = crate::safety::mine_ids(&mines, opt_id(&q.mine)?)?;
    Ok(Json(s.store.workers(Some(&ids)).await?.into_iter().map(|w| worker_out(w, None)).collect()))
}

#[utoipa::path(post, path = "/api/v1/workers", tag = "workforce", request_body = WorkerInput,
    responses((status = 201, body = WorkerOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn record_worker(State(s): State<AppState>, v: Viewer, Json(i): Json<WorkerInput>) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    may_record_for(&s, &v, &i.mine_id).await?;
    let d = WorkerDraft::parse(&i, today()).map_err(AppError::Invalid)?;
    Ok(created(record_out(s.store.record_worker(&v.actor(), &d).await?)))
}

#[utoipa::path(get, path = "/api/v1/workers/{id}", tag = "workforce", params(("id" = Uuid, Path)),
    responses((status = 200, body = WorkerOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_worker(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<WorkerOut>> {
    let p = v.principal()?.clone();
    Ok(Json(record_out(readable_worker(&s, &p, id).await?.0)))
}

#[utoipa::path(get, path = "/api/v1/workers/{id}/versions", tag = "workforce", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<WorkerOut>), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn worker_versions(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<WorkerOut>>> {
    let p = v.principal()?.clone();
    readable_worker(&s, &p, id).await?;
    Ok(Json(s.store.worker_versions(id).await?.into_iter().map(|w| worker_out(w, None)).collect()))
}

/// A correction: the whole worker as he should now read, the version it corrects, and why.
/// The identity number must be given again (the API never returns it whole).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct WorkerCorrection {
    version: i32,
    #[serde(flatten)]
    worker: WorkerInput,
}

#[utoipa::path(put, path = "/api/v1/workers/{id}", tag = "workforce", params(("id" = Uuid, Path)),
    request_body = WorkerCorrection,
    responses((status = 200, body = WorkerOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn correct_worker(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(c): Json<WorkerCorrection>,
) -> AppResult<Json<WorkerOut>> {
    writable_worker(&s, v.principal()?, id).await?;
    let d = WorkerDraft::parse(&c.worker, today()).map_err(AppError::Invalid)?;
    Ok(Json(record_out(s.store.correct_worker(&v.actor(), id, c.version, &d).await?)))
}

/// The identity number in full.
#[derive(Serialize, ToSchema)]
pub struct IdNumberOut {
    id: Uuid,
    id_number: String,
}

#[utoipa::path(post, path = "/api/v1/workers/{id}/id-number", tag = "workforce", params(("id" = Uuid, Path)),
    description = "The identity number unmasked, for the administrator, the president, the mine's owner and its safety officer. Every call is written to the audit trail.",
    responses((status = 200, body = IdNumberOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn reveal_id_number(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<IdNumberOut>> {
    let p = v.principal()?.clone();
    let (_, m) = readable_worker(&s, &p, id).await?;
    if !p.can_reveal_id_number_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(IdNumberOut { id, id_number: s.store.reveal_id_number(&v.actor(), id).await? }))
}
