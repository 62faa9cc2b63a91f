//! Samples over the API: the register, custody steps and results, with the pages' rules.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Json, Router, routing::get, routing::post};
use chrono::NaiveDateTime;
use minecoop_domain::production::sample::{
    AssayDraft, AssayInput, CustodyStep, SampleDraft, SampleInput, parse_local_time,
};
use minecoop_store::production::samples::SampleRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::now_local;
use crate::error::AppError;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/samples", get(list_samples).post(register_sample))
        .route("/api/v1/samples/{id}", get(get_sample))
        .route("/api/v1/samples/{id}/custody", post(add_custody_step))
        .route("/api/v1/samples/{id}/assays", post(add_assays))
}

/// A sample with its custody (oldest first) and the current result of each element (`value`
/// as the laboratory writes it: `3.48` or `< 0.01`).
#[derive(Serialize, ToSchema)]
pub struct SampleOut {
    id: Uuid,
    code: String,
    mine_id: Uuid,
    kind: String,
    point: String,
    #[schema(value_type = String)]
    taken_at: NaiveDateTime,
    taken_by: String,
    qc_role: String,
    duplicate_of: Option<String>,
    reference: Option<String>,
    #[schema(value_type = Vec<Object>)]
    custody: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    results: Vec<serde_json::Value>,
}

fn sample_out(r: SampleRecord) -> SampleOut {
    SampleOut {
        custody: r
            .events
            .iter()
            .map(|e| serde_json::json!({"step": e.step, "at": e.at, "by": e.by_name, "signed_by": e.signed_by, "note": e.note}))
            .collect(),
        results: r
            .assays
            .iter()
            .map(|a| serde_json::json!({"element": a.element, "value": a.draft().shown(), "below_dl": a.below_dl,
                                        "method": a.method, "lab": a.lab, "batch": a.batch, "version": a.version}))
            .collect(),
        id: r.sample.id,
        code: r.sample.code,
        mine_id: r.sample.mine_id,
        kind: r.sample.kind,
        point: r.sample.point,
        taken_at: r.sample.taken_at,
        taken_by: r.sample.taken_by,
        qc_role: r.sample.qc_role,
        duplicate_of: r.sample.duplicate_of,
        reference: r.sample.reference,
    }
}

async fn visible(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<(SampleRecord, minecoop_store::registry::Mine)> {
    let rec = s.store.sample_record(id).await?;
    let m = s.store.mine(rec.sample.mine_id).await?;
    v.require(|p| p.can_view_production_of(m.id, m.member_id))?;
    Ok((rec, m))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    mine: Option<Uuid>,
    /// Local times, `YYYY-MM-DDTHH:MM`; default: the last 31 days.
    from: String,
    to: String,
}

#[utoipa::path(get, path = "/api/v1/samples", tag = "samples", params(ListParams),
    responses((status = 200, body = Vec<SampleOut>), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn list_samples(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParams>,
) -> AppResult<Json<Vec<SampleOut>>> {
    let p = v.principal()?.clone();
    let readable: Vec<Uuid> = s
        .store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_view_production_of(m.id, m.member_id))
        .map(|m| m.id)
        .collect();
    let mines = match q.mine {
        Some(id) if readable.contains(&id) => vec![id],
        Some(_) => return Err(AppError::Forbidden),
        None => readable,
    };
    let mut e = minecoop_domain::FieldErrors::new();
    let now = now_local();
    let to = if q.to.is_empty() { Some(now) } else { e.take("to", parse_local_time(&q.to)) };
    let from = if q.from.is_empty() {
        Some(now - chrono::Duration::days(31))
    } else {
        e.take("from", parse_local_time(&q.from))
    };
    let (Some(from), Some(to)) = (from, to) else { return Err(AppError::Invalid(e)) };
    let mut out = Vec::new();
    for smp in s.store.samples_between(Some(&mines), from, to).await? {
        out.push(sample_out(s.store.sample_record(smp.id).await?));
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/samples", tag = "samples", request_body = SampleInput,
    responses((status = 201, body = SampleOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn register_sample(State(s): State<AppState>, v: Viewer, Json(i): Json<SampleInput>) -> AppResult<Response> {
    v.require(|p| p.can_take_any_samples())?;
    if let Ok(id) = Uuid::parse_str(i.mine_id.trim()) {
        let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
        v.require(|p| p.can_take_samples(m.id, m.member_id))?;
    }
    let d = SampleDraft::parse(&i, now_local()).map_err(AppError::Invalid)?;
    let smp = s.store.register_sample(&v.actor(), &d).await?;
    Ok(created(sample_out(s.store.sample_record(smp.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/samples/{id}", tag = "samples", params(("id" = Uuid, Path)),
    responses((status = 200, body = SampleOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_sample(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<SampleOut>> {
    Ok(Json(sample_out(visible(&s, &v, id).await?.0)))
}

/// The next custody step: `dispatched`, `received` or `assayed`, when (local time) and by whom.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CustodyIn {
    step: String,
    at: String,
    by: String,
    note: String,
}

#[utoipa::path(post, path = "/api/v1/samples/{id}/custody", tag = "samples", params(("id" = Uuid, Path)), request_body = CustodyIn,
    responses((status = 201, body = SampleOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_custody_step(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(c): Json<CustodyIn>,
) -> AppResult<Response> {
    let (_, m) = visible(&s, &v, id).await?;
    v.require(|p| p.can_take_samples(m.id, m.member_id))?;
    let mut e = minecoop_domain::FieldErrors::new();
    let step = e.take("step", CustodyStep::parse(&c.step));
    let at = match parse_local_time(&c.at) {
        Ok(t) if t > now_local() => {
            e.add("at", "err-future");
            None
        }
        r => e.take("at", r),
    };
    let by = e.take("by", minecoop_domain::validation::required_text(&c.by, 60));
    let note = e.take("note", minecoop_domain::validation::optional_text(&c.note, 200)).flatten();
    match (step, at, by) {
        (Some(step), Some(at), Some(by)) if e.is_empty() => {
            s.store.add_custody_step(&v.actor(), id, step, at, &by, note.as_deref()).await?;
            Ok(created(sample_out(s.store.sample_record(id).await?)))
        }
        _ => Err(AppError::Invalid(e)),
    }
}

/// A laboratory's results for the sample; `reason` only for a correction.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AssaysIn {
    lab: String,
    batch: String,
    results: Vec<AssayInput>,
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/samples/{id}/assays", tag = "samples", params(("id" = Uuid, Path)), request_body = AssaysIn,
    responses((status = 201, body = SampleOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_assays(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(a): Json<AssaysIn>,
) -> AppResult<Response> {
    v.require(|p| p.can_enter_assays())?;
    visible(&s, &v, id).await?;
    let mut e = minecoop_domain::FieldErrors::new();
    let lab = e.take("lab", minecoop_domain::validation::required_text(&a.lab, 60));
    if a.results.is_empty() {
        e.add("results", "err-required");
    }
    let mut drafts = Vec::new();
    for (k, r) in a.results.iter().enumerate() {
        match AssayDraft::parse(r, &s.config.elements) {
            Ok(d) => drafts.push(d),
            Err(errors) => {
                for x in errors.0 {
                    e.add_with(&format!("results.{k}.{}", x.field), x.code, x.args);
                }
            }
        }
    }
    let Some(lab) = lab.filter(|_| e.is_empty()) else { return Err(AppError::Invalid(e)) };
    let reason = (!a.reason.trim().is_empty()).then(|| a.reason.trim().to_owned());
    s.store.record_assays(&v.actor(), id, &lab, a.batch.trim(), &drafts, reason.as_deref()).await?;
    Ok(created(sample_out(s.store.sample_record(id).await?)))
}
