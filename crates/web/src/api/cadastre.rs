//! Licences, workings and the lease checks over the API: the same rules as the pages (one
//! `save_licence` for both), answered in JSON.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Json, Router, routing::get, routing::post};
use minecoop_domain::FieldErrors;
use minecoop_domain::cadastre::licence::{LicenceDraft, LicenceInput, boundary_text_from_file};
use minecoop_domain::cadastre::working::{WorkingDraft, WorkingEntry};
use minecoop_store::cadastre::{LicenceVersion, Working};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::{Saved, overlaps_with, save_licence, today};
use crate::error::AppError;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/licences", get(list_licences).post(create_licence))
        .route("/api/v1/licences/check", post(check_licence))
        .route("/api/v1/licences/boundary-file", post(read_boundary_file))
        .route("/api/v1/licences/{id}", get(get_licence).post(add_licence_version))
        .route("/api/v1/licences/{id}/workings", get(list_workings).post(add_working))
        .route("/api/v1/cadastre/check", get(cadastre_check))
}

/// The current version of a licence. `boundary` is a GeoJSON MultiPolygon in CGCS2000 degrees.
#[derive(Serialize, ToSchema)]
pub struct LicenceOut {
    licence_id: Uuid,
    version: i32,
    mine_id: Uuid,
    licence_no: String,
    holder: String,
    mine_name: String,
    minerals: String,
    #[schema(value_type = String, format = Date)]
    valid_from: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    valid_to: chrono::NaiveDate,
    /// `valid`, `renew_soon`, `renewal_late` or `expired`.
    standing: String,
    elevation_top_m: f64,
    elevation_bottom_m: f64,
    stated_area_km2: f64,
    computed_area_km2: f64,
    /// Why this version was recorded: `issued`, `renewal`, `boundary_change` or `correction`.
    reason: String,
    /// Overlaps with other licences acknowledged when this version was saved.
    #[schema(value_type = Vec<Object>)]
    acknowledged_overlaps: Vec<serde_json::Value>,
    #[schema(value_type = Object)]
    boundary: serde_json::Value,
}

fn licence_out(l: LicenceVersion, window_days: i64) -> LicenceOut {
    use minecoop_domain::cadastre::licence::{Standing, standing};
    let st = match standing(l.valid_to, today(), window_days) {
        Standing::Valid => "valid",
        Standing::RenewSoon { .. } => "renew_soon",
        Standing::RenewalLate => "renewal_late",
        Standing::Expired => "expired",
    };
    let coords: serde_json::Value = serde_json::from_str(&l.boundary).unwrap_or(serde_json::Value::Null);
    LicenceOut {
        licence_id: l.licence_id,
        version: l.version,
        mine_id: l.mine_id,
        standing: st.into(),
        elevation_top_m: l.top_m(),
        elevation_bottom_m: l.bottom_m(),
        stated_area_km2: l.stated_area_km2(),
        computed_area_km2: (l.computed_area_m2() / 1e6 * 1e6).round() / 1e6,
        acknowledged_overlaps: l
            .acked()
            .into_iter()
            .map(|a| serde_json::json!({"licence_no": a.licence_no, "area_m2": a.area_m2}))
            .collect(),
        boundary: serde_json::json!({"type": "MultiPolygon", "coordinates": coords}),
        reason: l.reason,
        licence_no: l.licence_no,
        holder: l.holder,
        mine_name: l.mine_name,
        minerals: l.minerals,
        valid_from: l.valid_from,
        valid_to: l.valid_to,
    }
}

#[utoipa::path(get, path = "/api/v1/licences", tag = "cadastre",
    responses((status = 200, body = Vec<LicenceOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_licences(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<LicenceOut>>> {
    let rows = crate::cadastre::visible_rows(&s, &v).await?;
    Ok(Json(rows.into_iter().map(|r| licence_out(r.l, s.config.renewal_window_days)).collect()))
}

async fn visible_versions(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<Vec<LicenceVersion>> {
    let scope = v.scope(s).await?;
    let versions = s.store.licence_versions(id).await?;
    if !versions.last().is_some_and(|l| scope.includes_mine(l.mine_id)) {
        return Err(AppError::Forbidden);
    }
    Ok(versions)
}

#[utoipa::path(get, path = "/api/v1/licences/{id}", tag = "cadastre", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<LicenceOut>, description = "every version, oldest first"), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_licence(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<LicenceOut>>> {
    let versions = visible_versions(&s, &v, id).await?;
    Ok(Json(versions.into_iter().map(|l| licence_out(l, s.config.renewal_window_days)).collect()))
}

/// A licence to record. The boundary (`corners`) is a corner table, GeoJSON or KML text as in
/// the form. Saving a boundary that overlaps other licences needs `acknowledged_overlaps` to
/// list exactly those licence numbers; otherwise the answer is 422 naming them.
#[derive(Deserialize, ToSchema)]
pub struct LicenceSave {
    #[serde(flatten)]
    fields: LicenceInput,
    /// For a new version: the version it replaces (optimistic locking; a stale one answers 409).
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    acknowledged_overlaps: Option<Vec<String>>,
}

fn saved(r: Saved) -> AppResult<LicenceVersion> {
    match r {
        Saved::Done(l) => Ok(l),
        Saved::Invalid(e) => Err(AppError::Invalid(e)),
        Saved::Conflict => Err(AppError::Conflict),
        Saved::NeedsAck { overlaps, .. } => {
            let list = overlaps.iter().map(|(no, a)| format!("{no} ({a:.2} m²)")).collect::<Vec<_>>().join(", ");
            let mut e = FieldErrors::new();
            e.add_with("acknowledged_overlaps", "err-overlap-ack", vec![("overlaps", list)]);
            Err(AppError::Invalid(e))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/licences", tag = "cadastre", request_body = LicenceSave,
    responses((status = 201, body = LicenceOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn create_licence(State(s): State<AppState>, v: Viewer, Json(b): Json<LicenceSave>) -> AppResult<Response> {
    v.require(|p| p.can_create_mines())?;
    let draft = LicenceDraft::parse(&b.fields).map_err(AppError::Invalid)?;
    let r = save_licence(&s, &v, None, None, &draft, b.acknowledged_overlaps.as_deref()).await?;
    Ok(created(licence_out(saved(r)?, s.config.renewal_window_days)))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}", tag = "cadastre", params(("id" = Uuid, Path)), request_body = LicenceSave,
    description = "Record a new version (renewal, boundary change, correction); older versions stay.",
    responses((status = 201, body = LicenceOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_licence_version(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(b): Json<LicenceSave>,
) -> AppResult<Response> {
    let versions = s.store.licence_versions(id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let mine = s.store.mine(current.mine_id).await?;
    v.require(|p| p.can_edit_licences_of(mine.member_id))?;
    let draft = LicenceDraft::parse(&b.fields).map_err(AppError::Invalid)?;
    let r = save_licence(&s, &v, Some(id), b.version, &draft, b.acknowledged_overlaps.as_deref()).await?;
    Ok(created(licence_out(saved(r)?, s.config.renewal_window_days)))
}

/// What the live check says of a licence before it is saved.
#[derive(Serialize, ToSchema)]
pub struct LicenceCheckOut {
    computed_area_km2: f64,
    /// Fluent codes of things worth a second look (e.g. the stated area is off by over 0.5 %).
    warnings: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    overlaps: Vec<serde_json::Value>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CheckParams {
    /// The licence being edited: it is left out of its own overlap check.
    licence: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/licences/check", tag = "cadastre", request_body = LicenceInput, params(CheckParams),
    description = "Check a licence without saving it: field problems (422), area, and overlaps with the register.",
    responses((status = 200, body = LicenceCheckOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn check_licence(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<CheckParams>,
    Json(i): Json<LicenceInput>,
) -> AppResult<Json<LicenceCheckOut>> {
    v.require(|p| p.can_create_mines())?;
    let draft = LicenceDraft::parse(&i).map_err(AppError::Invalid)?;
    let register = s.store.current_licences().await?;
    let overlaps = overlaps_with(&draft.boundary, &register, q.licence)
        .into_iter()
        .map(|(no, a)| serde_json::json!({"licence_no": no, "area_m2": a}))
        .collect();
    Ok(Json(LicenceCheckOut {
        computed_area_km2: (draft.computed_area_m2 / 1e6 * 1e4).round() / 1e4,
        warnings: draft.warnings.iter().map(|w| (*w).to_owned()).collect(),
        overlaps,
    }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// The file's name; its extension tells the format (`.csv`, `.xlsx`, `.geojson`, `.kml`,
    /// `.kmz`, ...).
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct BoundaryFileOut {
    /// The boundary as the `corners` field of a licence takes it.
    corners: String,
    /// Rows of a table left out as headings or notes (above the first or below the last row
    /// with a number).
    skipped_rows: usize,
}

#[utoipa::path(post, path = "/api/v1/licences/boundary-file", tag = "cadastre", params(FileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    description = "Read a corner table (CSV, XLSX, XLS, ODS), GeoJSON, KML or KMZ file into the `corners` text of a licence.",
    responses((status = 200, body = BoundaryFileOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn read_boundary_file(
    v: Viewer,
    Query(q): Query<FileParams>,
    body: Bytes,
) -> AppResult<Json<BoundaryFileOut>> {
    v.require(|p| p.can_create_mines())?;
    let name = if q.name.is_empty() { "upload".to_owned() } else { q.name };
    let n = name.clone();
    let read = tokio::task::spawn_blocking(move || boundary_text_from_file(&n, &body))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    read.map(|r| Json(BoundaryFileOut { corners: r.text, skipped_rows: r.skipped_rows })).map_err(|e| {
        let mut errors = FieldErrors::new();
        errors.add_with("file", e.code, vec![("file", name), ("detail", e.detail)]);
        AppError::Invalid(errors)
    })
}

/// A surveyed working. `vertices` are CGCS2000 `[longitude, latitude, elevation m]`.
#[derive(Serialize, ToSchema)]
pub struct WorkingOut {
    id: Uuid,
    licence_id: Uuid,
    label: String,
    /// `point` or `line`.
    kind: String,
    #[schema(value_type = Vec<Vec<f64>>)]
    vertices: Vec<(f64, f64, Option<f64>)>,
}

impl From<Working> for WorkingOut {
    fn from(w: Working) -> Self {
        WorkingOut {
            vertices: w.vertices(),
            id: w.id,
            licence_id: w.licence_id,
            kind: if w.is_line { "line" } else { "point" }.into(),
            label: w.label,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/licences/{id}/workings", tag = "cadastre", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<WorkingOut>), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn list_workings(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<WorkingOut>>> {
    visible_versions(&s, &v, id).await?;
    let list = s.store.workings().await?.into_iter().filter(|w| w.licence_id == id).map(WorkingOut::from).collect();
    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/licences/{id}/workings", tag = "cadastre", params(("id" = Uuid, Path)), request_body = WorkingEntry,
    responses((status = 201, body = WorkingOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_working(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<WorkingEntry>,
) -> AppResult<Response> {
    let versions = s.store.licence_versions(id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let mine = s.store.mine(current.mine_id).await?;
    v.require(|p| p.can_record_workings(mine.id, mine.member_id))?;
    let w = WorkingDraft::parse(&i).map_err(AppError::Invalid)?;
    let saved = s.store.create_working(&v.actor(), id, &w.label, w.is_line, &w.vertices).await?;
    Ok(created(WorkingOut::from(saved)))
}

/// The whole-register check on demand, in the same shape as `minecoop cadastre check`.
#[derive(Serialize, ToSchema)]
pub struct CheckOut {
    leases: usize,
    workings: usize,
    #[schema(value_type = Vec<Object>)]
    overlaps: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    outside: Vec<serde_json::Value>,
}

#[utoipa::path(get, path = "/api/v1/cadastre/check", tag = "cadastre",
    responses((status = 200, body = CheckOut), (status = 401, body = ProblemDoc)))]
pub async fn cadastre_check(State(s): State<AppState>, v: Viewer) -> AppResult<Json<CheckOut>> {
    let rows = crate::cadastre::visible_rows(&s, &v).await?;
    let licences: Vec<_> = rows.into_iter().map(|r| r.l).collect();
    let workings: Vec<_> = s
        .store
        .workings()
        .await?
        .into_iter()
        .filter(|w| licences.iter().any(|l| l.licence_id == w.licence_id))
        .collect();
    let f = crate::cadastre::findings(&licences, &workings);
    Ok(Json(CheckOut {
        leases: licences.len(),
        workings: workings.len(),
        overlaps: f
            .overlaps
            .into_iter()
            .map(|(a, b, area)| serde_json::json!({"a": a, "b": b, "area_m2": area}))
            .collect(),
        outside: f
            .outside
            .into_iter()
            .map(|(w, l, k, d)| serde_json::json!({"working": w, "licence_no": l, "kind": k, "distance_m": d}))
            .collect(),
    }))
}
