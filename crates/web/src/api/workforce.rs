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
use crate::workforce::insurance::{
    coverage_day, insurance_mines, may_insure, readable_policy, trend_from, writable_policy,
};
use crate::workforce::workers::{may_record_for, readable_worker, viewable_mines, writable_worker};
use crate::{AppResult, AppState};
use minecoop_domain::workforce::claim::{ClaimDraft, ClaimInput};
use minecoop_domain::workforce::coverage::{MemberEndInput, PolicyDraft, PolicyInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/workers", get(list_workers).post(record_worker))
        .route("/api/v1/workers/{id}", get(get_worker).put(correct_worker))
        .route("/api/v1/workers/{id}/versions", get(worker_versions))
        .route("/api/v1/workers/{id}/id-number", post(reveal_id_number))
        .route("/api/v1/workers/{id}/certificates", get(list_worker_certificates).post(add_worker_certificate))
        .route("/api/v1/policies", get(list_policies).post(record_policy))
        .route("/api/v1/policies/{id}", get(get_policy).put(correct_policy))
        .route("/api/v1/policies/{id}/members", get(policy_members))
        .route("/api/v1/policies/{id}/members/{member}/end", post(end_policy_member))
        .route("/api/v1/coverage", get(get_coverage))
        .route("/api/v1/claims", get(list_claims).post(open_claim))
        .route("/api/v1/claims/{id}", get(get_claim).put(change_claim))
        .route("/api/v1/claims/{id}/documents", get(list_claim_documents).post(add_claim_document))
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

// ---- certificates -----------------------------------------------------------------------

/// A special-operation certificate of a worker; `valid_today` and `expiring_soon` (within 30
/// days) as of today.
#[derive(Serialize, ToSchema)]
pub struct CertificateOut {
    id: Uuid,
    cert_type: String,
    number: String,
    issued_by: String,
    issued_on: String,
    expires_on: String,
    valid_today: bool,
    expiring_soon: bool,
}

fn certificate_out(c: minecoop_store::workforce::Certificate) -> CertificateOut {
    use minecoop_domain::workforce::certificate::{expiring_soon, valid_on};
    let day = today();
    CertificateOut {
        id: c.id,
        valid_today: valid_on(c.issued_on, c.expires_on, day),
        expiring_soon: expiring_soon(c.expires_on, day),
        cert_type: c.cert_type,
        number: c.number,
        issued_by: c.issued_by,
        issued_on: c.issued_on.to_string(),
        expires_on: c.expires_on.to_string(),
    }
}

#[utoipa::path(get, path = "/api/v1/workers/{id}/certificates", tag = "workforce", params(("id" = Uuid, Path)),
    description = "A worker's special-operation certificates, latest expiry first.",
    responses((status = 200, body = Vec<CertificateOut>), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn list_worker_certificates(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<CertificateOut>>> {
    readable_worker(&s, v.principal()?, id).await?;
    Ok(Json(s.store.certificates_of(id).await?.into_iter().map(certificate_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/workers/{id}/certificates", tag = "workforce", params(("id" = Uuid, Path)),
    request_body = minecoop_domain::workforce::certificate::CertificateInput,
    description = "Record a certificate (a renewed one is a new certificate; none is changed).",
    responses((status = 201, body = CertificateOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn add_worker_certificate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<minecoop_domain::workforce::certificate::CertificateInput>,
) -> AppResult<Response> {
    use minecoop_domain::workforce::certificate::CertificateDraft;
    writable_worker(&s, v.principal()?, id).await?;
    let d = CertificateDraft::parse(&i, today()).map_err(AppError::Invalid)?;
    Ok(created(certificate_out(s.store.add_certificate(&v.actor(), id, &d).await?)))
}

// ---- insurance --------------------------------------------------------------------------

/// A policy at one version; money in RMB.
#[derive(Serialize, ToSchema)]
pub struct PolicyOut {
    id: Uuid,
    version: i32,
    mine_id: Uuid,
    kind: String,
    insurer: String,
    number: String,
    starts_on: String,
    ends_on: String,
    premium: String,
    cover_per_person: Option<String>,
    /// How many workers the policy covers (their names are on the policy's page, for those who
    /// may see them).
    members: usize,
    reason: Option<String>,
}

fn policy_out(p: minecoop_store::workforce::Policy, members: usize) -> PolicyOut {
    use crate::safety::incidents::yuan;
    PolicyOut {
        id: p.policy_id,
        version: p.version,
        mine_id: p.mine_id,
        premium: yuan(&p.premium_fen),
        cover_per_person: p.cover_fen.as_ref().map(yuan),
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.to_string(),
        kind: p.kind,
        insurer: p.insurer,
        number: p.number,
        members,
        reason: p.reason,
    }
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "workforce",
    responses((status = 200, body = Vec<PolicyOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_policies(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<PolicyOut>>> {
    let p = v.principal()?.clone();
    let ids: Vec<Uuid> = insurance_mines(&s, &p).await?.iter().map(|m| m.id).collect();
    let mut out = Vec::new();
    for pol in s.store.policies(&ids).await? {
        let n = s.store.policy_members(pol.policy_id).await?.len();
        out.push(policy_out(pol, n));
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/v1/policies", tag = "workforce", request_body = PolicyInput,
    responses((status = 201, body = PolicyOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn record_policy(State(s): State<AppState>, v: Viewer, Json(i): Json<PolicyInput>) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    may_insure(&s, &v, &i.mine_id).await?;
    let d = PolicyDraft::parse(&i).map_err(AppError::Invalid)?;
    Ok(created(policy_out(s.store.record_policy(&v.actor(), &d).await?, 0)))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "workforce", params(("id" = Uuid, Path)),
    responses((status = 200, body = PolicyOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_policy(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<PolicyOut>> {
    let p = v.principal()?.clone();
    let (pol, _) = readable_policy(&s, &p, id).await?;
    let n = s.store.policy_members(id).await?.len();
    Ok(Json(policy_out(pol, n)))
}

/// A correction: the whole policy as it should now read, the version it corrects, and why.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PolicyCorrection {
    version: i32,
    #[serde(flatten)]
    policy: PolicyInput,
}

#[utoipa::path(put, path = "/api/v1/policies/{id}", tag = "workforce", params(("id" = Uuid, Path)),
    request_body = PolicyCorrection,
    responses((status = 200, body = PolicyOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn correct_policy(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(c): Json<PolicyCorrection>,
) -> AppResult<Json<PolicyOut>> {
    let p = v.principal()?.clone();
    let (_, m) = readable_policy(&s, &p, id).await?;
    if !p.can_manage_workers_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let d = PolicyDraft::parse(&c.policy).map_err(AppError::Invalid)?;
    let pol = s.store.correct_policy(&v.actor(), id, c.version, &d).await?;
    let n = s.store.policy_members(id).await?.len();
    Ok(Json(policy_out(pol, n)))
}

/// A worker, or one of his family members, on a policy; ended early with `end_reason`.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: Uuid,
    worker_id: Uuid,
    worker_name: String,
    /// The family member covered; none when it is the worker himself.
    dependant_name: Option<String>,
    from: String,
    to: Option<String>,
    end_reason: Option<String>,
    ended_by: Option<String>,
}

fn member_out(m: minecoop_store::workforce::PolicyMember, workers: &[Worker]) -> MemberOut {
    MemberOut {
        id: m.id,
        worker_id: m.worker_id,
        worker_name: workers.iter().find(|w| w.worker_id == m.worker_id).map(|w| w.name.clone()).unwrap_or_default(),
        dependant_name: m.dependant_name,
        from: m.from_on.to_string(),
        to: m.to_on.map(|d| d.to_string()),
        end_reason: m.end_reason,
        ended_by: m.ended_by,
    }
}

#[utoipa::path(get, path = "/api/v1/policies/{id}/members", tag = "workforce", params(("id" = Uuid, Path)),
    description = "Who the policy covers, by name: for those who may see the mine's workers (never the bureau).",
    responses((status = 200, body = Vec<MemberOut>), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn policy_members(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<MemberOut>>> {
    let p = v.principal()?.clone();
    let (_, m) = readable_policy(&s, &p, id).await?;
    if !p.can_view_workers_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let workers = s.store.workers(Some(&[m.id])).await?;
    Ok(Json(s.store.policy_members(id).await?.into_iter().map(|x| member_out(x, &workers)).collect()))
}

#[utoipa::path(post, path = "/api/v1/policies/{id}/members/{member}/end", tag = "workforce",
    params(("id" = Uuid, Path), ("member" = Uuid, Path)), request_body = MemberEndInput,
    description = "End a cover early: its last day and why. The membership is kept, never deleted.",
    responses((status = 200, body = MemberOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn end_policy_member(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, member)): Path<(Uuid, Uuid)>,
    Json(i): Json<MemberEndInput>,
) -> AppResult<Json<MemberOut>> {
    let (_, m) = writable_policy(&s, v.principal()?, id).await?;
    let (to, reason) = i.parse().map_err(AppError::Invalid)?;
    let ended = s.store.end_policy_membership(&v.actor(), id, member, to, &reason).await?;
    let workers = s.store.workers(Some(&[m.id])).await?;
    Ok(Json(member_out(ended, &workers)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// `YYYY-MM-DD`; empty: today.
    date: String,
    /// Only this mine.
    mine: String,
    /// The first day of the trend (`YYYY-MM-DD`); empty: 90 days up to `date`.
    from: String,
}

/// What a worker lacks: `problem` is `not_insured` (with `kind`) or `cover_too_low` (with
/// `policy` and `cover`, RMB).
#[derive(Serialize, ToSchema)]
pub struct MissingOut {
    problem: String,
    kind: Option<String>,
    policy: Option<String>,
    cover: Option<String>,
}

/// A worker not fully covered; `worker_id` and `name` only for those who may see the mine's
/// workers.
#[derive(Serialize, ToSchema)]
pub struct BreachOut {
    worker_id: Option<Uuid>,
    name: Option<String>,
    missing: Vec<MissingOut>,
}

#[derive(Serialize, ToSchema)]
pub struct GapOut {
    kind: String,
    from: String,
    to: String,
}

/// A family member of a working worker without family cover (only for those who may see the
/// mine's workers).
#[derive(Serialize, ToSchema)]
pub struct FamilyGapOut {
    worker_id: Uuid,
    worker: String,
    name: String,
    relation: String,
}

/// The co-op's own family-cover rule, apart from the compulsory check: the family members of
/// the working workers, those on a family-cover policy in force, the ratio, and (with names,
/// for those who may see them) who is not.
#[derive(Serialize, ToSchema)]
pub struct FamilyOut {
    dependants: usize,
    covered: usize,
    ratio: f64,
    uncovered_count: usize,
    uncovered: Vec<FamilyGapOut>,
}

#[derive(Serialize, ToSchema)]
pub struct MineCoverageOut {
    mine_id: Uuid,
    active: usize,
    covered: usize,
    ratio: f64,
    breach_count: usize,
    breaches: Vec<BreachOut>,
    gaps: Vec<GapOut>,
    family: FamilyOut,
}

/// One day of the trend (from the daily snapshots).
#[derive(Serialize, ToSchema)]
pub struct TrendPointOut {
    date: String,
    active: i64,
    covered: i64,
    ratio: f64,
    dependants: i64,
    dependants_covered: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MineTrendOut {
    mine_id: Uuid,
    points: Vec<TrendPointOut>,
}

/// The daily coverage snapshots from `from` to `to`: the co-op's sums and each mine's series
/// (days without a snapshot are left out).
#[derive(Serialize, ToSchema)]
pub struct TrendOut {
    from: String,
    to: String,
    coop: Vec<TrendPointOut>,
    mines: Vec<MineTrendOut>,
}

/// The coverage check on a day, per mine and for the co-op (the mines the caller may see), and
/// the trend of the daily snapshots up to the day.
#[derive(Serialize, ToSchema)]
pub struct CoverageOut {
    date: String,
    active: usize,
    covered: usize,
    ratio: f64,
    breach_count: usize,
    family: FamilyOut,
    mines: Vec<MineCoverageOut>,
    trend: TrendOut,
}

fn point_out(p: &minecoop_store::workforce::TrendPoint) -> TrendPointOut {
    TrendPointOut {
        date: p.day.to_string(),
        active: p.active,
        covered: p.covered,
        ratio: p.ratio(),
        dependants: p.dependants,
        dependants_covered: p.dependants_covered,
    }
}

fn trend_out(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    mines: &[Uuid],
    snaps: &[minecoop_store::workforce::CoverageSnapshot],
) -> TrendOut {
    use minecoop_store::workforce::trend;
    TrendOut {
        from: from.to_string(),
        to: to.to_string(),
        coop: trend(snaps).iter().map(point_out).collect(),
        mines: mines
            .iter()
            .map(|m| {
                let own: Vec<_> = snaps.iter().filter(|s| s.mine_id == *m).cloned().collect();
                MineTrendOut { mine_id: *m, points: trend(&own).iter().map(point_out).collect() }
            })
            .filter(|t| !t.points.is_empty())
            .collect(),
    }
}

pub(crate) fn coverage_out(
    day: chrono::NaiveDate,
    rows: Vec<(minecoop_store::workforce::MineCoverage, bool)>,
    trend: TrendOut,
) -> CoverageOut {
    use minecoop_domain::workforce::coverage::Missing;
    let mines: Vec<MineCoverageOut> = rows
        .into_iter()
        .map(|(c, names)| {
            let cv = c.coverage;
            MineCoverageOut {
                mine_id: c.mine_id,
                active: cv.active,
                covered: cv.covered,
                ratio: cv.ratio(),
                breach_count: cv.breaches.len(),
                breaches: if names {
                    cv.breaches
                        .iter()
                        .map(|b| BreachOut {
                            worker_id: Some(b.worker_id),
                            name: Some(b.name.clone()),
                            missing: b
                                .missing
                                .iter()
                                .map(|m| match m {
                                    Missing::NotInsured { kind } => MissingOut {
                                        problem: "not_insured".into(),
                                        kind: Some(kind.as_str().into()),
                                        policy: None,
                                        cover: None,
                                    },
                                    Missing::CoverTooLow { policy, cover_fen } => MissingOut {
                                        problem: "cover_too_low".into(),
                                        kind: Some("safety_liability".into()),
                                        policy: Some(policy.clone()),
                                        cover: Some(crate::safety::incidents::yuan(cover_fen)),
                                    },
                                })
                                .collect(),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                gaps: cv
                    .gaps
                    .iter()
                    .map(|g| GapOut { kind: g.kind.as_str().into(), from: g.from.to_string(), to: g.to.to_string() })
                    .collect(),
                family: FamilyOut {
                    dependants: cv.family.dependants,
                    covered: cv.family.covered,
                    ratio: cv.family.ratio(),
                    uncovered_count: cv.family.uncovered.len(),
                    uncovered: if names {
                        cv.family
                            .uncovered
                            .iter()
                            .map(|g| FamilyGapOut {
                                worker_id: g.worker_id,
                                worker: g.worker.clone(),
                                name: g.name.clone(),
                                relation: g.relation.as_str().into(),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                },
            }
        })
        .collect();
    let active: usize = mines.iter().map(|m| m.active).sum();
    let covered: usize = mines.iter().map(|m| m.covered).sum();
    let dependants: usize = mines.iter().map(|m| m.family.dependants).sum();
    let dependants_covered: usize = mines.iter().map(|m| m.family.covered).sum();
    use minecoop_domain::workforce::coverage::ratio;
    CoverageOut {
        date: day.to_string(),
        active,
        covered,
        ratio: ratio(covered, active),
        breach_count: mines.iter().map(|m| m.breach_count).sum(),
        family: FamilyOut {
            dependants,
            covered: dependants_covered,
            ratio: ratio(dependants_covered, dependants),
            uncovered_count: mines.iter().map(|m| m.family.uncovered_count).sum(),
            uncovered: Vec::new(),
        },
        mines,
        trend,
    }
}

#[utoipa::path(get, path = "/api/v1/coverage", tag = "workforce", params(CoverageParams),
    description = "The coverage check on a day, the family cover apart, and the trend of the daily snapshots. The bureau gets the figures (counts, ratios, gaps, the trend) without names.",
    responses((status = 200, body = CoverageOut), (status = 401, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn get_coverage(State(s): State<AppState>, v: Viewer, uri: axum::http::Uri) -> AppResult<Json<CoverageOut>> {
    let p = v.principal()?.clone();
    let q: CoverageParams = query(&uri)?;
    let mines = insurance_mines(&s, &p).await?;
    let ids = crate::safety::mine_ids(&mines, opt_id(&q.mine)?)?;
    let day = coverage_day(&q.date).map_err(|code| {
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("date", code);
        AppError::Invalid(e)
    })?;
    let from = trend_from(&q.from, day).map_err(|code| {
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("from", code);
        AppError::Invalid(e)
    })?;
    let snaps = s.store.coverage_snapshots(&ids, from, day).await?;
    let rows = s
        .store
        .coverage(&ids, day)
        .await?
        .into_iter()
        .map(|c| {
            let names =
                mines.iter().find(|m| m.id == c.mine_id).is_some_and(|m| p.can_view_workers_of(m.id, m.member_id));
            (c, names)
        })
        .collect();
    Ok(Json(coverage_out(day, rows, trend_out(from, day, &ids, &snaps))))
}

// ---- injury claims ---------------------------------------------------------------------

/// An injury claim at its current version; money in RMB. `deadline` is the last day to apply
/// for the injury determination (the injury date plus 30 days); `deadline_state` on today is
/// `days_left` (with `days`), `overdue` (with `days`), `applied` (with `late_days`, 0 in time)
/// or `stopped`.
#[derive(Serialize, ToSchema)]
pub struct ClaimOut {
    id: Uuid,
    version: i32,
    mine_id: Uuid,
    incident_id: Uuid,
    incident_code: String,
    worker_id: Uuid,
    worker_name: String,
    injury_date: String,
    deadline: String,
    #[schema(value_type = Object)]
    deadline_state: minecoop_domain::workforce::claim::DeadlineState,
    status: String,
    severity: String,
    applied_on: Option<String>,
    determination: String,
    determined_on: Option<String>,
    disability_grade: Option<i32>,
    payer: Option<String>,
    claimed: String,
    paid: String,
    paid_on: Option<String>,
    family_name: Option<String>,
    family_relation: Option<String>,
    family_phone: Option<String>,
    status_reason: Option<String>,
    notes: Option<String>,
    /// This version's change: `opened`, `advanced` or `corrected`, and its reason or note.
    change: String,
    reason: Option<String>,
    recorded_by: String,
    recorded_at: String,
}

fn claim_out(r: minecoop_store::workforce::ClaimRecord) -> ClaimOut {
    use crate::safety::incidents::yuan;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let state = r.deadline_state(today());
    let deadline = r.deadline().to_string();
    let v = r.current;
    ClaimOut {
        id: r.claim.id,
        version: v.version,
        mine_id: r.claim.mine_id,
        incident_id: r.claim.incident_id,
        incident_code: r.incident_code,
        worker_id: r.claim.worker_id,
        worker_name: r.worker_name,
        injury_date: r.injury_date.to_string(),
        deadline,
        deadline_state: state,
        status: v.status,
        severity: v.severity,
        applied_on: date(v.applied_on),
        determination: v.determination,
        determined_on: date(v.determined_on),
        disability_grade: v.disability_grade,
        payer: v.payer,
        claimed: yuan(&v.claimed_fen),
        paid: yuan(&v.paid_fen),
        paid_on: date(v.paid_on),
        family_name: v.family_name,
        family_relation: v.family_relation,
        family_phone: v.family_phone,
        status_reason: v.status_reason,
        notes: v.notes,
        change: v.change,
        reason: v.reason,
        recorded_by: v.created_by,
        recorded_at: v.created_at.to_rfc3339(),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ClaimParams {
    /// Only this mine.
    mine: String,
    /// Only this status (`opened`, `applied`, ...).
    status: String,
    /// Only the claims of this incident.
    incident: String,
    /// Only the claims of this worker.
    worker: String,
    /// Only the claims not applied for whose deadline has passed.
    overdue: bool,
}

#[utoipa::path(get, path = "/api/v1/claims", tag = "workforce", params(ClaimParams),
    responses((status = 200, body = Vec<ClaimOut>), (status = 400, body = ProblemDoc), (status = 401, body = ProblemDoc),
               (status = 403, body = ProblemDoc)))]
pub async fn list_claims(State(s): State<AppState>, v: Viewer, uri: axum::http::Uri) -> AppResult<Json<Vec<ClaimOut>>> {
    use minecoop_domain::workforce::claim::ClaimStatus;
    let p = v.require(|p| p.can_view_any_workers())?.clone();
    let q: ClaimParams = query(&uri)?;
    let mines = viewable_mines(&s, &p).await?;
    let ids = crate::safety::mine_ids(&mines, opt_id(&q.mine)?)?;
    let status = match q.status.trim() {
        "" => None,
        x => Some(ClaimStatus::parse(x).map_err(|_| AppError::BadRequest("error-400-detail"))?),
    };
    let f = minecoop_store::workforce::ClaimFilter {
        mines: Some(ids),
        status,
        incident: opt_id(&q.incident)?,
        worker: opt_id(&q.worker)?,
        overdue_on: q.overdue.then(today),
    };
    Ok(Json(s.store.claims(&f).await?.into_iter().map(claim_out).collect()))
}

#[utoipa::path(post, path = "/api/v1/claims", tag = "workforce", request_body = ClaimInput,
    description = "Open a claim (status opened) for a worker of the incident's mine who was working on the day.",
    responses((status = 201, body = ClaimOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn open_claim(State(s): State<AppState>, v: Viewer, Json(i): Json<ClaimInput>) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    crate::workforce::claims::may_open_on(&s, &v, &i.incident_id).await?;
    let d = ClaimDraft::parse(&i, today()).map_err(AppError::Invalid)?;
    Ok(created(claim_out(s.store.open_claim(&v.actor(), &d).await?)))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "workforce", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClaimOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_claim(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<ClaimOut>> {
    let p = v.principal()?.clone();
    Ok(Json(claim_out(crate::workforce::claims::readable_claim(&s, &p, id).await?.0)))
}

/// A new version: the whole claim as it should now read and the version it was read at. Another
/// status is the next step (one at a time); the same status is a correction and needs `reason`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ClaimChange {
    version: i32,
    #[serde(flatten)]
    claim: ClaimInput,
}

#[utoipa::path(put, path = "/api/v1/claims/{id}", tag = "workforce", params(("id" = Uuid, Path)),
    request_body = ClaimChange,
    responses((status = 200, body = ClaimOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn change_claim(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(c): Json<ClaimChange>,
) -> AppResult<Json<ClaimOut>> {
    crate::workforce::claims::writable_claim(&s, v.principal()?, id).await?;
    let d = ClaimDraft::parse(&c.claim, today()).map_err(AppError::Invalid)?;
    Ok(Json(claim_out(s.store.change_claim(&v.actor(), id, c.version, &d).await?)))
}

/// A document of an injury claim (the application, the determination, a receipt): kept with
/// its SHA-256, never replaced; `link` downloads it (with a session).
#[derive(Serialize, ToSchema)]
pub struct ClaimDocumentOut {
    id: Uuid,
    file_name: String,
    size: i64,
    sha256: String,
    created_at: String,
    created_by: String,
    link: String,
}

fn claim_document_out(a: minecoop_store::attachments::AttachmentMeta) -> ClaimDocumentOut {
    ClaimDocumentOut {
        link: format!("/claims/{}/documents/{}", a.entity_id, a.id),
        id: a.id,
        file_name: a.file_name,
        size: a.size,
        sha256: a.sha256,
        created_at: a.created_at.to_rfc3339(),
        created_by: a.created_by,
    }
}

#[utoipa::path(get, path = "/api/v1/claims/{id}/documents", tag = "workforce", params(("id" = Uuid, Path)),
    responses((status = 200, body = [ClaimDocumentOut]), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn list_claim_documents(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<ClaimDocumentOut>>> {
    crate::workforce::claims::readable_claim(&s, v.principal()?, id).await?;
    Ok(Json(s.store.claim_documents(id).await?.into_iter().map(claim_document_out).collect()))
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// Required: the document's file name (`认定申请.pdf`).
    filename: String,
}

/// Attach a document to a claim: the request body is the file itself, its name in
/// `?filename=`. Those who may write the claim may attach; nothing is ever replaced.
#[utoipa::path(post, path = "/api/v1/claims/{id}/documents", tag = "workforce",
    params(("id" = Uuid, Path), DocumentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ClaimDocumentOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn add_claim_document(
    State(s): State<AppState>,
    v: Viewer,
    uri: axum::http::Uri,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> AppResult<(axum::http::StatusCode, Json<ClaimDocumentOut>)> {
    crate::workforce::claims::writable_claim(&s, v.principal()?, id).await?;
    let q: DocumentParams = crate::safety::query(&uri)?;
    let name = q.filename.trim();
    if name.is_empty() {
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("filename", "err-required");
        return Err(AppError::Invalid(e));
    }
    let a = s.store.attach_claim_document(&v.actor(), id, name, &body).await?;
    Ok((axum::http::StatusCode::CREATED, Json(claim_document_out(a))))
}
