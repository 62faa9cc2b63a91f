//! Quality control over the API: the batches of a period with their outcome, one batch with its
//! checks and decisions, an inspector's decision, and the reference materials; the pages' rules.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Json, Router, routing::get, routing::post};
use chrono::NaiveDate;
use minecoop_domain::production::qc::{DecisionDraft, DecisionInput, MaterialDraft, MaterialInput};
use minecoop_store::production::qc::{QcBatch, QcDecision};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ProblemDoc, created};
use crate::cadastre::today;
use crate::error::AppError;
use crate::production::qc::{Show, batches, shown, unseg, visible_batch};
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qc/batches", get(list_batches))
        .route("/api/v1/qc/batches/{lab}/{batch}", get(get_batch))
        .route("/api/v1/qc/batches/{lab}/{batch}/decision", post(decide_batch))
        .route("/api/v1/qc/materials", get(list_materials).post(add_material))
}

/// One check of a QC sample: `value` as the laboratory writes it, `expected` the accepted value,
/// the original's result or a blank's limit, `deviation` in sd (CRM) or percent (duplicate),
/// `rule` a message code (`qc-rule-...`).
#[derive(Serialize, ToSchema)]
pub struct CheckOut {
    sample: String,
    role: String,
    element: String,
    value: String,
    expected: Option<String>,
    deviation: Option<String>,
    outcome: String,
    rule: String,
}

/// A laboratory batch: `outcome` is `pass`, `warning`, `fail` or `not_judged` (no QC sample);
/// `decision` the latest inspector's decision.
#[derive(Serialize, ToSchema)]
pub struct BatchOut {
    lab: String,
    batch: String,
    first_taken: String,
    samples: usize,
    outcome: String,
    checks: Vec<CheckOut>,
    decision: Option<DecisionOut>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    lab: String,
    batch: String,
    decision: String,
    reason: String,
    decided_by: String,
    decided_at: String,
    /// The batch's outcome when decided (`warning` or `fail`); a worse one since brings the
    /// batch back to the dashboard.
    decided_outcome: Option<String>,
}

fn decision_out(d: QcDecision) -> DecisionOut {
    DecisionOut {
        lab: d.lab,
        batch: d.batch,
        decision: d.decision,
        reason: d.reason,
        decided_by: d.decided_by,
        decided_at: d.decided_at.to_rfc3339(),
        decided_outcome: d.decided_outcome,
    }
}

fn batch_out(b: QcBatch) -> BatchOut {
    let amount = |v: i64| shown(Some(v), None);
    BatchOut {
        checks: b
            .qc
            .checks
            .iter()
            .map(|c| CheckOut {
                sample: c.sample.clone(),
                role: c.role.as_str().into(),
                element: c.element.clone(),
                value: shown(c.value, c.detection_limit),
                expected: c.expected.map(amount),
                deviation: c.deviation.map(|d| d.to_string()),
                outcome: c.outcome.as_str().into(),
                rule: c.rule.into(),
            })
            .collect(),
        lab: b.qc.lab,
        batch: b.qc.batch,
        first_taken: b.qc.first_taken.format("%Y-%m-%dT%H:%M").to_string(),
        samples: b.qc.samples,
        outcome: b.qc.outcome.as_str().into(),
        decision: b.decision.map(decision_out),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// Dates the samples were taken, `YYYY-MM-DD`; default: this year so far.
    from: String,
    to: String,
    /// `all` (default), `flagged` (warning or failure) or `undecided` (flagged, no decision).
    #[param(value_type = String)]
    show: Show,
}

#[utoipa::path(get, path = "/api/v1/qc/batches", tag = "qc", params(BatchParams),
    responses((status = 200, body = Vec<BatchOut>), (status = 400, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn list_batches(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<BatchParams>,
) -> AppResult<Json<Vec<BatchOut>>> {
    v.principal()?;
    let mut e = minecoop_domain::FieldErrors::new();
    let t = today();
    let date = |s: &str, d: NaiveDate| -> Result<NaiveDate, &'static str> {
        match s.trim() {
            "" => Ok(d),
            x => minecoop_domain::validation::era_date(x),
        }
    };
    let from = e.take("from", date(&q.from, NaiveDate::from_ymd_opt(chrono::Datelike::year(&t), 1, 1).unwrap_or(t)));
    let to = e.take("to", date(&q.to, t));
    let (Some(from), Some(to)) = (from, to) else { return Err(AppError::Invalid(e)) };
    Ok(Json(batches(&s, &v, from, to).await?.into_iter().filter(|b| q.show.keeps(b)).map(batch_out).collect()))
}

#[utoipa::path(get, path = "/api/v1/qc/batches/{lab}/{batch}", tag = "qc",
    params(("lab" = String, Path), ("batch" = String, Path, description = "`-` for a batch without a name")),
    responses((status = 200, body = BatchOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_batch(
    State(s): State<AppState>,
    v: Viewer,
    Path((lab_seg, batch)): Path<(String, String)>,
) -> AppResult<Json<BatchOut>> {
    let lab = unseg(&lab_seg).to_owned();
    Ok(Json(batch_out(visible_batch(&s, &v, &lab, unseg(&batch)).await?)))
}

#[utoipa::path(post, path = "/api/v1/qc/batches/{lab}/{batch}/decision", tag = "qc",
    params(("lab" = String, Path), ("batch" = String, Path, description = "`-` for a batch without a name")),
    request_body = DecisionInput,
    responses((status = 201, body = DecisionOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn decide_batch(
    State(s): State<AppState>,
    v: Viewer,
    Path((lab_seg, batch)): Path<(String, String)>,
    Json(i): Json<DecisionInput>,
) -> AppResult<Response> {
    let lab = unseg(&lab_seg).to_owned();
    v.require(|p| p.can_decide_qc())?;
    let batch = unseg(&batch);
    visible_batch(&s, &v, &lab, batch).await?;
    let d = DecisionDraft::parse(&i).map_err(AppError::Invalid)?;
    Ok(created(decision_out(s.store.decide_batch(&v.actor(), &lab, batch, &d, &s.config.qc).await?)))
}

/// One version of a reference material's accepted value for an element; `current` is false for
/// a superseded certificate.
#[derive(Serialize, ToSchema)]
pub struct MaterialOut {
    name: String,
    element: String,
    version: i32,
    unit: String,
    accepted: String,
    sd: String,
    certificate: Option<String>,
    current: bool,
    created_by: String,
}

#[utoipa::path(get, path = "/api/v1/qc/materials", tag = "qc",
    responses((status = 200, body = Vec<MaterialOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_materials(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<MaterialOut>>> {
    v.principal()?;
    let rows = crate::production::qc::material_rows(s.store.reference_materials().await?);
    Ok(Json(
        rows.into_iter()
            .map(|r| MaterialOut {
                name: r.m.name,
                element: r.m.element,
                version: r.m.version,
                unit: r.m.unit,
                accepted: r.accepted,
                sd: r.sd,
                certificate: r.m.certificate,
                current: r.current,
                created_by: r.m.created_by,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/qc/materials", tag = "qc", request_body = MaterialInput,
    responses((status = 201, body = MaterialOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_material(State(s): State<AppState>, v: Viewer, Json(i): Json<MaterialInput>) -> AppResult<Response> {
    v.require(|p| p.can_decide_qc())?;
    let d = MaterialDraft::parse(&i, &s.config.elements).map_err(AppError::Invalid)?;
    let m = s.store.add_reference_material(&v.actor(), &d).await?;
    Ok(created(MaterialOut {
        accepted: shown(Some(m.accepted_e4), None),
        sd: shown(Some(m.sd_e4), None),
        name: m.name,
        element: m.element,
        version: m.version,
        unit: m.unit,
        certificate: m.certificate,
        current: true,
        created_by: m.created_by,
    }))
}
