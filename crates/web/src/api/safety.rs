//! Inspections, findings and hazards over the API, with the pages' rules (the same checks and
//! the same store calls).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::{Json, Router, routing::get};
use minecoop_domain::safety::hazard::HazardInput;
use minecoop_domain::safety::inspection::{
    FindingDraft, FindingInput, FindingStatus, InspectionInput, ScheduleDraft, ScheduleInput,
};
use minecoop_store::safety::{Finding, Hazard, InspectionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::error::AppError;
use crate::safety::{
    may_schedule_for, mine_ids, opt_id, query, save_hazard, submit_inspection, visible_mines, writable_schedule,
};
use crate::session::Viewer;
use crate::upload::Upload;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/hazards", get(list_hazards).post(create_hazard))
        .route("/api/v1/hazards/{id}", get(get_hazard))
        .route("/api/v1/inspections", get(list_inspections).post(create_inspection))
        .route("/api/v1/inspections/{id}", get(get_inspection))
        .route("/api/v1/inspection-schedules", get(list_schedules).post(create_schedule))
        .route("/api/v1/inspection-schedules/{id}", axum::routing::put(change_schedule))
        .route("/api/v1/inspection-schedules/{id}/stop", axum::routing::post(stop_schedule))
        .route("/api/v1/findings", get(list_findings).post(create_finding))
        .route("/api/v1/findings/{id}", get(get_finding))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MineParams {
    /// Only this mine (an id); default: every mine the caller may see.
    mine: String,
    /// Findings only: `open` (default), `closed` or `all`.
    status: String,
}

/// The current version of a hazard, with its risk (likelihood x severity) and band.
#[derive(Serialize, ToSchema)]
pub struct HazardOut {
    /// The hazard across its versions.
    id: Uuid,
    version: i32,
    mine_id: Uuid,
    title: String,
    category: String,
    description: Option<String>,
    likelihood: i16,
    severity: i16,
    risk: u8,
    /// `low`, `medium`, `high` or `extreme`.
    band: String,
    controls: String,
    owner_id: Uuid,
    #[schema(value_type = String, format = Date)]
    review_on: chrono::NaiveDate,
    review_overdue: bool,
    reason: Option<String>,
    changed_at: String,
    changed_by: String,
}

impl From<Hazard> for HazardOut {
    fn from(h: Hazard) -> Self {
        HazardOut {
            id: h.hazard_id,
            version: h.version,
            risk: h.risk(),
            band: h.band().as_str().into(),
            review_overdue: minecoop_domain::safety::hazard::review_overdue(h.review_on, crate::cadastre::today()),
            mine_id: h.mine_id,
            title: h.title,
            category: h.category,
            description: h.description,
            likelihood: h.likelihood,
            severity: h.severity,
            controls: h.controls,
            owner_id: h.owner_id,
            review_on: h.review_on,
            reason: h.reason,
            changed_at: h.created_at.to_rfc3339(),
            changed_by: h.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HazardDetailOut {
    #[serde(flatten)]
    current: HazardOut,
    /// Every version, oldest first.
    versions: Vec<HazardOut>,
}

#[derive(Serialize, ToSchema)]
pub struct FindingOut {
    /// Stable: corrective actions refer to it with `source_kind = "finding"`.
    id: Uuid,
    mine_id: Uuid,
    inspection_id: Option<Uuid>,
    question_key: Option<String>,
    severity: String,
    description: String,
    /// `open` or `closed`.
    status: String,
    version: i32,
    created_at: String,
    closed_at: Option<String>,
}

impl From<Finding> for FindingOut {
    fn from(f: Finding) -> Self {
        FindingOut {
            id: f.id,
            mine_id: f.mine_id,
            inspection_id: f.inspection_id,
            question_key: f.question_key,
            severity: f.severity,
            description: f.description,
            status: f.status,
            version: f.version,
            created_at: f.created_at.to_rfc3339(),
            closed_at: f.closed_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// An inspection with its score, answers (in the template's order) and findings.
#[derive(Serialize, ToSchema)]
pub struct InspectionOut {
    id: Uuid,
    mine_id: Uuid,
    schedule_id: Option<Uuid>,
    template_id: Uuid,
    template_version: i32,
    #[schema(value_type = String, format = Date)]
    inspected_on: chrono::NaiveDate,
    inspector: String,
    notes: Option<String>,
    applicable: i32,
    passed: i32,
    failed: i32,
    /// Percent of applicable items passed, one decimal, as text; none without applicable items.
    score: Option<String>,
    /// `{"key", "kind", "value", "outcome", "note", "photos"}` each.
    #[schema(value_type = Vec<Object>)]
    answers: Vec<serde_json::Value>,
    findings: Vec<FindingOut>,
}

fn inspection_out(r: InspectionRecord) -> InspectionOut {
    let photos = crate::safety::photos_of(&r);
    let score = r.score().percent().map(|p| p.to_string());
    InspectionOut {
        answers: r
            .answers
            .iter()
            .map(|a| {
                let ph: Vec<Uuid> = photos.get(&a.id).map(|v| v.iter().map(|p| p.id).collect()).unwrap_or_default();
                serde_json::json!({"key": a.question_key, "kind": a.kind, "value": a.value, "outcome": a.outcome,
                                   "note": a.note, "photos": ph})
            })
            .collect(),
        findings: r.findings.into_iter().map(FindingOut::from).collect(),
        score,
        id: r.inspection.id,
        mine_id: r.inspection.mine_id,
        schedule_id: r.inspection.schedule_id,
        template_id: r.inspection.template_id,
        template_version: r.inspection.template_version,
        inspected_on: r.inspection.inspected_on,
        inspector: r.inspection.inspector,
        notes: r.inspection.notes,
        applicable: r.inspection.applicable,
        passed: r.inspection.passed,
        failed: r.inspection.failed,
    }
}

async fn mine_visible(s: &AppState, v: &Viewer, mine_id: Uuid) -> AppResult<()> {
    let p = v.principal()?.clone();
    let m = s.store.mine(mine_id).await?;
    if p.can_view_safety_of(m.id, m.member_id) { Ok(()) } else { Err(AppError::Forbidden) }
}

async fn chosen_mines(s: &AppState, v: &Viewer, uri: &Uri) -> AppResult<(Vec<Uuid>, MineParams)> {
    v.principal()?;
    let q: MineParams = query(uri)?;
    let mines = visible_mines(s, v).await?;
    Ok((mine_ids(&mines, opt_id(&q.mine)?)?, q))
}

#[utoipa::path(get, path = "/api/v1/hazards", tag = "safety", params(MineParams),
    responses((status = 200, body = Vec<HazardOut>), (status = 401, body = ProblemDoc), (status = 403, body = ProblemDoc)))]
pub async fn list_hazards(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Json<Vec<HazardOut>>> {
    let (ids, _) = chosen_mines(&s, &v, &uri).await?;
    Ok(Json(s.store.hazards(Some(&ids)).await?.into_iter().map(HazardOut::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/hazards", tag = "safety", request_body = HazardInput,
    responses((status = 201, body = HazardOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn create_hazard(State(s): State<AppState>, v: Viewer, Json(i): Json<HazardInput>) -> AppResult<Response> {
    let h = save_hazard(&s, &v, &i, None).await?.map_err(AppError::Invalid)?;
    Ok(created(HazardOut::from(h)))
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = HazardDetailOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_hazard(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<HazardDetailOut>> {
    v.principal()?;
    let h = s.store.hazard(id).await?;
    mine_visible(&s, &v, h.mine_id).await?;
    let versions = s.store.hazard_versions(id).await?.into_iter().map(HazardOut::from).collect();
    Ok(Json(HazardDetailOut { current: h.into(), versions }))
}

#[utoipa::path(get, path = "/api/v1/inspections", tag = "safety", params(MineParams),
    responses((status = 200, body = Vec<InspectionOut>), (status = 401, body = ProblemDoc), (status = 403, body = ProblemDoc)))]
pub async fn list_inspections(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Json<Vec<InspectionOut>>> {
    let (ids, _) = chosen_mines(&s, &v, &uri).await?;
    let mut out = Vec::new();
    for i in s.store.inspections(Some(&ids), 200).await? {
        out.push(inspection_out(s.store.inspection_record(i.id).await?));
    }
    Ok(Json(out))
}

/// An inspection as filled in, with photos of its answers.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct InspectionWithPhotos {
    #[serde(flatten)]
    inspection: InspectionInput,
    /// Photos (JPEG, PNG or WebP, as on the page), each of one answer.
    photos: Vec<PhotoIn>,
}

/// A photo of an answer, its bytes in base64.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct PhotoIn {
    /// The question it shows.
    question_key: String,
    file_name: String,
    data_base64: String,
}

#[utoipa::path(post, path = "/api/v1/inspections", tag = "safety", request_body = InspectionWithPhotos,
    responses((status = 201, body = InspectionOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn create_inspection(
    State(s): State<AppState>,
    v: Viewer,
    Json(i): Json<InspectionWithPhotos>,
) -> AppResult<Response> {
    use base64::Engine;
    // Filled on the template's current version, photos checked as the page checks its uploads.
    let mut uploads = Vec::new();
    let mut bad = minecoop_domain::FieldErrors::new();
    for p in &i.photos {
        let field = format!("p-{}", p.question_key.trim());
        match base64::engine::general_purpose::STANDARD.decode(p.data_base64.trim()) {
            Ok(bytes) if !bytes.is_empty() => {
                uploads.push(Upload { field, name: p.file_name.trim().to_owned(), bytes: bytes.into() })
            }
            _ => bad.add(&field, "err-photo-base64"),
        }
    }
    if !bad.is_empty() {
        v.require(|p| p.can_inspect_any())?;
        return Err(AppError::Invalid(bad));
    }
    match submit_inspection(&s, &v, &i.inspection, None, &uploads).await? {
        Ok((done, _)) => Ok(created(inspection_out(s.store.inspection_record(done.id).await?))),
        Err((errors, _)) => Err(AppError::Invalid(errors)),
    }
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = InspectionOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_inspection(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<InspectionOut>> {
    v.principal()?;
    let r = s.store.inspection_record(id).await?;
    mine_visible(&s, &v, r.inspection.mine_id).await?;
    Ok(Json(inspection_out(r)))
}

#[utoipa::path(get, path = "/api/v1/findings", tag = "safety", params(MineParams),
    responses((status = 200, body = Vec<FindingOut>), (status = 401, body = ProblemDoc), (status = 403, body = ProblemDoc)))]
pub async fn list_findings(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Json<Vec<FindingOut>>> {
    let (ids, q) = chosen_mines(&s, &v, &uri).await?;
    let status = match q.status.as_str() {
        "" | "open" => Some(FindingStatus::Open),
        "closed" => Some(FindingStatus::Closed),
        "all" => None,
        _ => {
            let mut e = minecoop_domain::FieldErrors::new();
            e.add("status", "err-choice");
            return Err(AppError::Invalid(e));
        }
    };
    Ok(Json(s.store.findings(Some(&ids), status).await?.into_iter().map(FindingOut::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/findings", tag = "safety", request_body = FindingInput,
    responses((status = 201, body = FindingOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn create_finding(State(s): State<AppState>, v: Viewer, Json(i): Json<FindingInput>) -> AppResult<Response> {
    v.require(|p| p.can_inspect_any())?;
    if let Ok(id) = Uuid::parse_str(i.mine_id.trim()) {
        let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
        v.require(|p| p.can_inspect(m.id, m.member_id))?;
    }
    let d = FindingDraft::parse(&i).map_err(AppError::Invalid)?;
    Ok(created(FindingOut::from(s.store.raise_finding(&v.actor(), &d).await?)))
}

#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "safety", params(("id" = Uuid, Path)),
    responses((status = 200, body = FindingOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_finding(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<FindingOut>> {
    v.principal()?;
    let f = s.store.finding(id).await?;
    mine_visible(&s, &v, f.mine_id).await?;
    Ok(Json(f.into()))
}

/// A schedule with the day it is next due.
#[derive(Serialize, ToSchema)]
pub struct ScheduleOut {
    id: Uuid,
    /// Send it back to change or stop the schedule.
    version: i32,
    mine_id: Uuid,
    template_id: Uuid,
    every: i32,
    unit: String,
    #[schema(value_type = String, format = Date)]
    first_due: chrono::NaiveDate,
    active: bool,
    #[schema(value_type = Option<String>, format = Date)]
    last_done: Option<chrono::NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    next_due: Option<chrono::NaiveDate>,
    overdue: bool,
}

fn schedule_out(sc: minecoop_store::safety::Schedule, last_done: Option<chrono::NaiveDate>) -> ScheduleOut {
    let next = sc.active.then(|| {
        minecoop_domain::safety::inspection::next_due(
            sc.first_due,
            last_done,
            minecoop_domain::safety::inspection::Recurrence {
                every: sc.every.max(1) as u32,
                unit: minecoop_domain::safety::inspection::IntervalUnit::parse(&sc.unit)
                    .unwrap_or(minecoop_domain::safety::inspection::IntervalUnit::Months),
            },
        )
    });
    ScheduleOut {
        overdue: next.is_some_and(|d| minecoop_domain::safety::inspection::is_overdue(d, crate::cadastre::today())),
        next_due: next,
        last_done,
        id: sc.id,
        version: sc.version,
        mine_id: sc.mine_id,
        template_id: sc.template_id,
        every: sc.every,
        unit: sc.unit,
        first_due: sc.first_due,
        active: sc.active,
    }
}

#[utoipa::path(get, path = "/api/v1/inspection-schedules", tag = "safety", params(MineParams),
    responses((status = 200, body = Vec<ScheduleOut>), (status = 401, body = ProblemDoc), (status = 403, body = ProblemDoc)))]
pub async fn list_schedules(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Json<Vec<ScheduleOut>>> {
    let (ids, _) = chosen_mines(&s, &v, &uri).await?;
    Ok(Json(
        s.store
            .inspection_schedules(Some(&ids))
            .await?
            .into_iter()
            .map(|st| schedule_out(st.schedule, st.last_done))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/inspection-schedules", tag = "safety", request_body = ScheduleInput,
    responses((status = 201, body = ScheduleOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn create_schedule(
    State(s): State<AppState>,
    v: Viewer,
    Json(i): Json<ScheduleInput>,
) -> AppResult<Response> {
    may_schedule_for(&s, &v, &i.mine_id).await?;
    let d = ScheduleDraft::parse(&i).map_err(AppError::Invalid)?;
    Ok(created(schedule_out(s.store.create_inspection_schedule(&v.actor(), &d).await?, None)))
}

/// A schedule as changed, from the version that was read.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ScheduleChangeIn {
    #[serde(flatten)]
    schedule: ScheduleInput,
    version: i32,
}

#[utoipa::path(put, path = "/api/v1/inspection-schedules/{id}", tag = "safety", params(("id" = Uuid, Path)),
    request_body = ScheduleChangeIn,
    responses((status = 200, body = ScheduleOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn change_schedule(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<ScheduleChangeIn>,
) -> AppResult<Json<ScheduleOut>> {
    writable_schedule(&s, &v, id).await?;
    let d = ScheduleDraft::parse(&i.schedule).map_err(AppError::Invalid)?;
    let sc = s.store.change_inspection_schedule(&v.actor(), id, i.version, &d).await?;
    let last_done = s
        .store
        .inspection_schedules(Some(&[sc.mine_id]))
        .await?
        .into_iter()
        .find(|st| st.schedule.id == id)
        .and_then(|st| st.last_done);
    Ok(Json(schedule_out(sc, last_done)))
}

/// The version of the schedule that was read.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct VersionIn {
    version: i32,
}

#[utoipa::path(post, path = "/api/v1/inspection-schedules/{id}/stop", tag = "safety", params(("id" = Uuid, Path)),
    request_body = VersionIn,
    responses((status = 200, body = ScheduleOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 409, body = ProblemDoc)))]
pub async fn stop_schedule(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<VersionIn>,
) -> AppResult<Json<ScheduleOut>> {
    writable_schedule(&s, &v, id).await?;
    Ok(Json(schedule_out(s.store.stop_inspection_schedule(&v.actor(), id, i.version).await?, None)))
}
