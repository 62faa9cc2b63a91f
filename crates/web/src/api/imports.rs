//! The workers and policies imports over the API, with the pages' checks and rights: the
//! request body is the file itself, its kind said by `?filename=`; `?dry_run=true` checks
//! and counts without writing. Problems answer 422 by row and column in the caller's
//! language, as the import pages list them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ProblemDoc;
use crate::error::AppError;
use crate::safety::query;
use crate::session::Viewer;
use crate::upload::Upload;
use crate::workforce::import::{ImportOutcome, policies_import, workers_import};
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/imports/workers", post(import_workers))
        .route("/api/v1/imports/policies", post(import_policies))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Required: the file's name, whose ending says how to read it (`workers.csv`,
    /// `workers.xlsx`, `.xls`, `.ods`).
    filename: String,
    /// `true`: check and count only, nothing written.
    dry_run: bool,
}

/// A sheet free of problems: its new rows and those already recorded (skipped), and whether
/// they were written (`false` on a dry run).
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    new: usize,
    same: usize,
    imported: bool,
}

/// One problem of a sheet. `row` is the sheet's row (1 the headings; 0 the file as a
/// whole), `column` the heading as written (with two sheets, prefixed `1 › ` or `2 › `).
#[derive(Serialize, ToSchema)]
pub struct ImportProblemOut {
    row: usize,
    column: String,
    /// In the caller's language.
    message: String,
}

/// A sheet with problems: nothing was written.
#[derive(Serialize, ToSchema)]
pub struct ImportProblemsOut {
    problems: Vec<ImportProblemOut>,
}

/// The file of the request, after the rights are checked: none without a file name.
fn upload(v: &Viewer, uri: &Uri, body: Bytes) -> AppResult<(Option<Upload>, bool)> {
    v.require(|p| p.can_manage_any_workers())?;
    let q: ImportParams = query(uri)?;
    let name = q.filename.trim();
    let file = (!name.is_empty()).then(|| Upload { field: "file".into(), name: name.to_owned(), bytes: body });
    Ok((file, !q.dry_run))
}

fn answer(v: &Viewer, file: &Option<Upload>, out: ImportOutcome) -> AppResult<Response> {
    if out.conflict {
        return Err(AppError::Conflict);
    }
    if file.is_none() {
        let problem = ImportProblemOut { row: 0, column: "filename".into(), message: v.lang.t("err-required") };
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, Json(ImportProblemsOut { problems: vec![problem] })).into_response()
        );
    }
    if !out.problems.is_empty() {
        let problems = out
            .problems
            .into_iter()
            .map(|p| ImportProblemOut { row: p.row, column: p.column, message: p.message })
            .collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(ImportProblemsOut { problems })).into_response());
    }
    let (new, same) = out.counts.unwrap_or_default();
    Ok(Json(ImportOut { new, same, imported: out.imported }).into_response())
}

#[utoipa::path(post, path = "/api/v1/imports/workers", tag = "workforce", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the CSV or XLSX file's bytes, headings as on the import page"),
    description = "Import workers (one row per worker, family members in `dependant1.*` columns) into the mines whose workers the caller keeps: every row checked as the worker form checks it, then all written or nothing. A sheet imported twice adds nothing.",
    responses((status = 200, body = ImportOut), (status = 400, body = ProblemDoc), (status = 401, body = ProblemDoc),
               (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ImportProblemsOut)))]
pub async fn import_workers(State(s): State<AppState>, v: Viewer, uri: Uri, body: Bytes) -> AppResult<Response> {
    let (file, write) = upload(&v, &uri, body)?;
    let out = workers_import(&s, &v, file.clone(), write).await?;
    answer(&v, &file, out)
}

#[utoipa::path(post, path = "/api/v1/imports/policies", tag = "workforce", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the CSV or XLSX file's bytes: a policies sheet and/or a covered-workers sheet"),
    description = "Import insurance policies and the workers they cover at the caller's mines, checked whole and written all or nothing. A file imported twice adds nothing.",
    responses((status = 200, body = ImportOut), (status = 400, body = ProblemDoc), (status = 401, body = ProblemDoc),
               (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ImportProblemsOut)))]
pub async fn import_policies(State(s): State<AppState>, v: Viewer, uri: Uri, body: Bytes) -> AppResult<Response> {
    let (file, write) = upload(&v, &uri, body)?;
    let out = policies_import(&s, &v, file.clone(), write).await?;
    answer(&v, &file, out)
}
