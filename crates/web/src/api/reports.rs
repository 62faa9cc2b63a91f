//! The ore-grade supervision report and the co-op's targets over the API: the same figures as
//! the page (`/reports/grades`), decimals as strings.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Json, Router, routing::get};
use chrono::Datelike;
use minecoop_domain::production::target::{TargetDraft, TargetInput};
use minecoop_store::production::targets::Target;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::error::AppError;
use crate::production::YearParams;
use crate::production::report::report_data;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/grades", get(grade_report))
        .route("/api/v1/targets", get(list_targets).post(set_target))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// None: the whole co-op.
    mine: Option<Uuid>,
    /// Default: this year.
    year: Option<i32>,
}

/// The year's report: `year_report` (samples by type, tonne-weighted grades, recovery from metal
/// and from the grades, metal lost, the reported recovery and its check), `months` (the same
/// for each month) and `targets` (in force, with the year's standing).
#[utoipa::path(get, path = "/api/v1/reports/grades", tag = "production", params(ReportParams),
    responses((status = 200, body = Object), (status = 403, body = ProblemDoc)))]
pub async fn grade_report(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportParams>,
) -> AppResult<Json<serde_json::Value>> {
    let params =
        YearParams { mine: q.mine.map(|m| m.to_string()).unwrap_or_default(), year: q.year, format: String::new() };
    let (d, _) = report_data(&s, &v, &params).await?;
    serde_json::to_value(&d).map(Json).map_err(|e| AppError::Internal(e.to_string()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TargetsParams {
    /// Default: this year.
    year: Option<i32>,
}

/// Every target set for the year, oldest first; the latest of each (mine, figure) is in force.
#[utoipa::path(get, path = "/api/v1/targets", tag = "production", params(TargetsParams),
    responses((status = 200, body = Vec<Object>), (status = 401, body = ProblemDoc)))]
pub async fn list_targets(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<TargetsParams>,
) -> AppResult<Json<Vec<Target>>> {
    v.principal()?;
    let year = q.year.unwrap_or_else(|| crate::cadastre::today().year());
    Ok(Json(s.store.targets(year).await?))
}

/// Set a target (the president and the secretariat): a new row that replaces the one in force.
#[utoipa::path(post, path = "/api/v1/targets", tag = "production", request_body = TargetInput,
    responses((status = 201, body = Object), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn set_target(State(s): State<AppState>, v: Viewer, Json(i): Json<TargetInput>) -> AppResult<Response> {
    v.require(|p| p.can_set_targets())?;
    let d = TargetDraft::parse(&i, &s.config.elements).map_err(AppError::Invalid)?;
    Ok(created(s.store.set_target(&v.actor(), &d).await?))
}
