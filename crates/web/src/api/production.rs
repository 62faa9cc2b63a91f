//! Daily production over the API: the same shape in and out (`ProductionInput`, numbers as
//! decimal strings so that nothing is rounded on the way), versions, corrections and totals.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Json, Router, routing::get};
use chrono::{Datelike, NaiveDate};
use minecoop_domain::production::period::totals;
use minecoop_domain::production::record::{ProductionDraft, ProductionInput};
use minecoop_store::production::ProductionRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::today;
use crate::error::AppError;
use crate::production::require_recorder;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/production", get(list_production).post(record_production))
        .route("/api/v1/production/summary", get(production_summary))
        .route("/api/v1/production/{mine}/{day}", get(production_versions).post(correct_production))
}

/// One version of a record: the figures as entered (decimal strings), and who made it when.
#[derive(Serialize, ToSchema)]
pub struct ProductionOut {
    #[serde(flatten)]
    figures: ProductionInput,
    version: i32,
    /// Fluent codes of the warnings shown when it was saved.
    warnings: Vec<String>,
    /// `form`, `api` or `import:<sha256 of the file>`.
    source: String,
    created_by: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<ProductionRecord> for ProductionOut {
    fn from(r: ProductionRecord) -> Self {
        let mut figures = r.draft().to_input();
        figures.reason = r.reason.clone().unwrap_or_default();
        ProductionOut {
            figures,
            version: r.version,
            warnings: r.warnings.split(',').filter(|w| !w.is_empty()).map(str::to_owned).collect(),
            source: r.source,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// One mine; all the mines the caller may read when absent.
    mine: Option<Uuid>,
    /// First day (default: the first of this month).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<NaiveDate>,
    /// Last day (default: today). At most 366 days after `from`.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<NaiveDate>,
}

/// The mines whose records the caller may read (all of them for the co-op's officers).
async fn readable(s: &AppState, v: &Viewer, mine: Option<Uuid>) -> AppResult<Vec<Uuid>> {
    let p = v.principal()?.clone();
    let all: Vec<Uuid> = s
        .store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_view_production_of(m.id, m.member_id))
        .map(|m| m.id)
        .collect();
    match mine {
        Some(id) if all.contains(&id) => Ok(vec![id]),
        Some(_) => Err(AppError::Forbidden),
        None => Ok(all),
    }
}

#[utoipa::path(get, path = "/api/v1/production", tag = "production", params(ListParams),
    responses((status = 200, body = Vec<ProductionOut>, description = "current versions by mine, day and shift"), (status = 403, body = ProblemDoc)))]
pub async fn list_production(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParams>,
) -> AppResult<Json<Vec<ProductionOut>>> {
    let mines = readable(&s, &v, q.mine).await?;
    let today = today();
    let from = q.from.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    if to < from || (to - from).num_days() > 366 {
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("to", "err-period");
        return Err(AppError::Invalid(e));
    }
    let recs = s.store.production_between(Some(&mines), from, to).await?;
    Ok(Json(recs.into_iter().map(ProductionOut::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/production", tag = "production", request_body = ProductionInput,
    description = "Record a mine's day (and shift). A day already recorded answers 422 on `day`: correct it instead.",
    responses((status = 201, body = ProductionOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn record_production(
    State(s): State<AppState>,
    v: Viewer,
    Json(i): Json<ProductionInput>,
) -> AppResult<Response> {
    require_recorder(&s, &v, &i.mine_id).await?;
    let d = ProductionDraft::parse(&i, &s.config.elements, today()).map_err(AppError::Invalid)?;
    Ok(created(ProductionOut::from(s.store.record_production(&v.actor(), &d, "api").await?)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ShiftParams {
    /// Empty for a whole-day record.
    shift: String,
}

#[utoipa::path(get, path = "/api/v1/production/{mine}/{day}", tag = "production",
    params(("mine" = Uuid, Path), ("day" = String, Path, format = Date), ShiftParams),
    responses((status = 200, body = Vec<ProductionOut>, description = "every version, oldest first"), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn production_versions(
    State(s): State<AppState>,
    v: Viewer,
    Path((mine, day)): Path<(Uuid, NaiveDate)>,
    Query(q): Query<ShiftParams>,
) -> AppResult<Json<Vec<ProductionOut>>> {
    readable(&s, &v, Some(mine)).await?;
    let versions = s.store.production_versions(mine, day, &q.shift).await?;
    Ok(Json(versions.into_iter().map(ProductionOut::from).collect()))
}

/// A correction: the whole record again, the `version` it corrects and the `reason`.
#[derive(Deserialize, ToSchema)]
pub struct ProductionCorrection {
    #[serde(flatten)]
    figures: ProductionInput,
    #[serde(default)]
    version: Option<i32>,
}

#[utoipa::path(post, path = "/api/v1/production/{mine}/{day}", tag = "production",
    params(("mine" = Uuid, Path), ("day" = String, Path, format = Date)), request_body = ProductionCorrection,
    description = "Correct a record: a new version with its reason; the old one stays. A stale `version` answers 409.",
    responses((status = 201, body = ProductionOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn correct_production(
    State(s): State<AppState>,
    v: Viewer,
    Path((mine, day)): Path<(Uuid, NaiveDate)>,
    Json(c): Json<ProductionCorrection>,
) -> AppResult<Response> {
    require_recorder(&s, &v, &mine.to_string()).await?;
    let mut i = c.figures;
    i.mine_id = mine.to_string();
    i.day = day.to_string();
    let d = ProductionDraft::parse(&i, &s.config.elements, today()).map_err(AppError::Invalid)?;
    let version = super::version_of(c.version)?;
    Ok(created(ProductionOut::from(s.store.correct_production(&v.actor(), version, &d, "api").await?)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// One mine the caller may read; the whole co-op when absent.
    mine: Option<Uuid>,
    year: Option<i32>,
}

/// A period's totals. Grades are mass-weighted, recovery from metal totals.
#[derive(Serialize, ToSchema)]
pub struct PeriodOut {
    /// `2005-03`, or `2005` for the year.
    period: String,
    #[schema(value_type = Object)]
    totals: serde_json::Value,
    /// Per element: the weighted grades of feed, concentrate, tailings and waste, and recovery.
    #[schema(value_type = Object)]
    grades: serde_json::Value,
}

fn period_out(
    period: String,
    t: &minecoop_domain::production::period::Totals,
    elements: &[minecoop_domain::production::Element],
) -> PeriodOut {
    let grades = elements
        .iter()
        .map(|el| {
            let m = t.metal.get(&el.code).cloned().unwrap_or_default();
            let g = |a: &minecoop_domain::production::period::Assayed| a.grade(el).map(|d| d.round_dp(4).to_string());
            (
                el.code.clone(),
                serde_json::json!({
                    "unit": el.unit, "feed": g(&m.feed), "concentrate": g(&m.concentrate), "tailings": g(&m.tailings),
                    "waste": g(&m.waste), "recovery_pct": m.recovery_pct().map(|r| r.round_dp(4).to_string()),
                    "metal_fed_t": m.feed.metal_t.round_dp(4).to_string(),
                    "metal_in_tailings_t": m.tailings.metal_t.round_dp(4).to_string(),
                    "metal_in_waste_t": m.waste.metal_t.round_dp(4).to_string(),
                    "records_left_out_of_recovery": m.unbalanced_records,
                }),
            )
        })
        .collect::<serde_json::Map<_, _>>();
    PeriodOut {
        period,
        totals: serde_json::json!({
            "records": t.records, "ore_hoisted_t": t.ore_hoisted_t.to_string(), "ore_milled_t": t.ore_milled_t.to_string(),
            "concentrate_dry_t": t.concentrate_dry_t.round_dp(3).to_string(), "tailings_t": t.tailings_t.to_string(),
            "waste_t": t.waste_t.to_string(), "hours_worked": t.hours_worked.to_string(),
            "worker_shifts": t.worker_shifts.to_string(), "electricity_kwh": t.electricity_kwh.to_string(),
            "water_m3": t.water_m3.to_string(), "diesel_l": t.diesel_l.to_string(),
            "explosives_kg": t.explosives_kg.to_string(),
            "costs_rmb": t.costs.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.to_string()))).collect::<serde_json::Map<_, _>>(),
        }),
        grades: serde_json::Value::Object(grades),
    }
}

#[utoipa::path(get, path = "/api/v1/production/summary", tag = "production", params(SummaryParams),
    description = "A year by month and in total, for one mine or the whole co-op.",
    responses((status = 200, body = Vec<PeriodOut>, description = "twelve months, then the year"), (status = 403, body = ProblemDoc)))]
pub async fn production_summary(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<SummaryParams>,
) -> AppResult<Json<Vec<PeriodOut>>> {
    if let Some(m) = q.mine {
        readable(&s, &v, Some(m)).await?;
    } else {
        v.principal()?;
    }
    let year = q.year.filter(|y| (1950..=2200).contains(y)).unwrap_or_else(|| today().year());
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::BadRequest("error-400-detail"))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::BadRequest("error-400-detail"))?;
    let ids = q.mine.map(|m| vec![m]);
    let drafts: Vec<ProductionDraft> =
        s.store.production_between(ids.as_deref(), from, to).await?.iter().map(ProductionRecord::draft).collect();
    let elements = &s.config.elements;
    let mut out: Vec<PeriodOut> = (1..=12)
        .map(|m| {
            let t = totals(drafts.iter().filter(|d| d.day.month() == m), elements);
            period_out(format!("{year}-{m:02}"), &t, elements)
        })
        .collect();
    out.push(period_out(year.to_string(), &totals(&drafts, elements), elements));
    Ok(Json(out))
}
