//! The JSON API under `/api/v1`, its OpenAPI 3 document (`/api/openapi.json`) and a readable
//! page of it (`/api/docs`), served by the binary itself. Clients authenticate with a personal
//! API token (`Authorization: Bearer mc_...`) or a browser session plus `X-CSRF-Token`.
//! Errors are RFC 9457 problem documents; invalid fields answer 422 with one entry per field.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minecoop_domain::production::target::TargetInput;
use minecoop_domain::registry::{MemberDraft, MemberInput, MineDraft, MineInput, PersonDraft, PersonInput};
use minecoop_domain::units::{DEGREE_SCALE, from_scaled};
use minecoop_store::Page;
use minecoop_store::audit::{AuditFilter, AuditRecord};
use minecoop_store::registry::{ListQuery, Member, Mine, Person};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use uuid::Uuid;

use crate::error::AppError;
use crate::page::{Ctx, render};
use crate::session::Viewer;
use crate::{AppResult, AppState};

mod cadastre;
mod disputes;
mod explosives;
mod grievances;
mod imports;
mod incidents;
mod production;
mod qc;
mod reports;
mod safety;
mod samples;
mod workforce;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(cadastre::routes())
        .merge(disputes::routes())
        .merge(production::routes())
        .merge(samples::routes())
        .merge(reports::routes())
        .merge(qc::routes())
        .merge(incidents::routes())
        .merge(explosives::routes())
        .merge(safety::routes())
        .merge(grievances::routes())
        .merge(workforce::routes())
        .merge(imports::routes())
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(docs))
        .route("/api/v1/me", get(me))
        .route("/api/v1/members", get(list_members).post(create_member))
        .route("/api/v1/members/{id}", get(get_member).put(update_member))
        .route("/api/v1/members/{id}/history", get(member_history))
        .route("/api/v1/mines", get(list_mines).post(create_mine))
        .route("/api/v1/mines/{id}", get(get_mine).put(update_mine))
        .route("/api/v1/people", get(list_people).post(create_person))
        .route("/api/v1/people/{id}", get(get_person).put(update_person))
        .route("/api/v1/audit", get(audit))
}

// ---- shapes --------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: Uuid,
    name_zh: String,
    name_en: String,
    legal_representative: String,
    uscc: String,
    contact_phone: Option<String>,
    address: Option<String>,
    #[schema(value_type = String, format = Date)]
    joined_on: chrono::NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    left_on: Option<chrono::NaiveDate>,
    status: String,
    version: i32,
}

impl From<Member> for MemberOut {
    fn from(m: Member) -> Self {
        MemberOut {
            id: m.id,
            name_zh: m.name_zh,
            name_en: m.name_en,
            legal_representative: m.legal_representative,
            uscc: m.uscc,
            contact_phone: m.contact_phone,
            address: m.address,
            joined_on: m.joined_on,
            left_on: m.left_on,
            status: m.status,
            version: m.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MineOut {
    id: Uuid,
    member_id: Uuid,
    name_zh: String,
    name_en: String,
    /// Decimal degrees, as text to keep every digit.
    latitude: String,
    longitude: String,
    minerals: Vec<String>,
    mining_method: String,
    status: String,
    version: i32,
}

impl From<Mine> for MineOut {
    fn from(m: Mine) -> Self {
        MineOut {
            id: m.id,
            member_id: m.member_id,
            name_zh: m.name_zh,
            name_en: m.name_en,
            latitude: from_scaled(m.lat_micro, DEGREE_SCALE).normalize().to_string(),
            longitude: from_scaled(m.lon_micro, DEGREE_SCALE).normalize().to_string(),
            minerals: m.minerals.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            mining_method: m.mining_method,
            status: m.status,
            version: m.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    id: Uuid,
    name: String,
    phone: Option<String>,
    coop_role: String,
    member_id: Option<Uuid>,
    notes: Option<String>,
    version: i32,
}

impl From<Person> for PersonOut {
    fn from(p: Person) -> Self {
        PersonOut {
            id: p.id,
            name: p.name,
            phone: p.phone,
            coop_role: p.coop_role,
            member_id: p.member_id,
            notes: p.notes,
            version: p.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    /// The record before the change, as stored (JSON text; `null` on creation).
    before: String,
    after: String,
    hash: String,
}

impl From<AuditRecord> for AuditOut {
    fn from(r: AuditRecord) -> Self {
        AuditOut {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            hash: r.hash,
        }
    }
}

/// One page of results.
#[derive(Serialize, ToSchema)]
pub struct Listing<T> {
    items: Vec<T>,
    total: u64,
    page: u64,
    per_page: u64,
}

fn listing<M, T: From<M>>(p: Page<M>) -> Listing<T> {
    Listing { total: p.total, page: p.page, per_page: p.per_page, items: p.items.into_iter().map(T::from).collect() }
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    username: String,
    role: String,
    member_id: Option<Uuid>,
    mine_id: Option<Uuid>,
}

/// RFC 9457 problem document returned with every error.
#[derive(Serialize, ToSchema)]
pub struct ProblemDoc {
    title: String,
    status: u16,
    detail: Option<String>,
    request_id: String,
    errors: Vec<FieldProblemDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldProblemDoc {
    field: String,
    /// Stable machine-readable code, e.g. `err-uscc-check`.
    code: String,
    /// The message in the requester's language.
    message: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParamsApi {
    /// Text search in names (and codes).
    q: Option<String>,
    /// Status code (members, mines) or co-op role (people).
    status: Option<String>,
    /// Only mines or people of this member enterprise.
    member_id: Option<Uuid>,
    page: Option<u64>,
    /// At most 200.
    per_page: Option<u64>,
}

impl ListParamsApi {
    fn query(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            status: self.status.clone(),
            member_id: self.member_id,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        }
    }
}

/// A change to a record: its fields and the `version` it was read at (optimistic locking; a
/// stale version answers 409).
#[derive(Deserialize, ToSchema)]
pub struct MemberUpdate {
    /// Required; optional in the type so that permissions are checked before the body.
    #[serde(default)]
    version: Option<i32>,
    #[serde(flatten)]
    fields: MemberInput,
}

#[derive(Deserialize, ToSchema)]
pub struct MineUpdate {
    /// Required; optional in the type so that permissions are checked before the body.
    #[serde(default)]
    version: Option<i32>,
    #[serde(flatten)]
    fields: MineInput,
}

#[derive(Deserialize, ToSchema)]
pub struct PersonUpdate {
    /// Required; optional in the type so that permissions are checked before the body.
    #[serde(default)]
    version: Option<i32>,
    #[serde(flatten)]
    fields: PersonInput,
}

pub(crate) fn version_of(v: Option<i32>) -> AppResult<i32> {
    v.ok_or_else(|| {
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("version", "err-required");
        AppError::Invalid(e)
    })
}

pub(crate) fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

// ---- handlers ------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", responses((status = 200, body = MeOut), (status = 401, body = ProblemDoc)))]
async fn me(v: Viewer) -> AppResult<Json<MeOut>> {
    let p = v.principal()?;
    Ok(Json(MeOut {
        username: p.username.clone(),
        role: p.role.as_str().into(),
        member_id: p.member_id,
        mine_id: p.mine_id,
    }))
}

#[utoipa::path(get, path = "/api/v1/members", tag = "registry", params(ListParamsApi),
    responses((status = 200, body = Listing<MemberOut>), (status = 401, body = ProblemDoc)))]
async fn list_members(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParamsApi>,
) -> AppResult<Json<Listing<MemberOut>>> {
    let scope = v.scope(&s).await?;
    Ok(Json(listing(s.store.members(scope, &q.query()).await?)))
}

#[utoipa::path(post, path = "/api/v1/members", tag = "registry", request_body = MemberInput,
    responses((status = 201, body = MemberOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn create_member(State(s): State<AppState>, v: Viewer, Json(i): Json<MemberInput>) -> AppResult<Response> {
    v.require(|p| p.can_create_member())?;
    let d = MemberDraft::parse(&i).map_err(AppError::Invalid)?;
    Ok(created(MemberOut::from(s.store.create_member(&v.actor(), &d).await?)))
}

async fn visible_member(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<Member> {
    if !v.scope(s).await?.includes_member(id) {
        return Err(AppError::Forbidden);
    }
    Ok(s.store.member(id).await?)
}

#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = MemberOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
async fn get_member(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<MemberOut>> {
    Ok(Json(visible_member(&s, &v, id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "registry", params(("id" = Uuid, Path)), request_body = MemberUpdate,
    responses((status = 200, body = MemberOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn update_member(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(u): Json<MemberUpdate>,
) -> AppResult<Json<MemberOut>> {
    v.require(|p| p.can_edit_member(id))?;
    let d = MemberDraft::parse(&u.fields).map_err(AppError::Invalid)?;
    Ok(Json(s.store.update_member(&v.actor(), id, version_of(u.version)?, &d).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/members/{id}/history", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AuditOut>), (status = 403, body = ProblemDoc)))]
async fn member_history(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<Vec<AuditOut>>> {
    visible_member(&s, &v, id).await?;
    Ok(Json(s.store.history("member", &id.to_string()).await?.into_iter().map(AuditOut::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/mines", tag = "registry", params(ListParamsApi),
    responses((status = 200, body = Listing<MineOut>), (status = 401, body = ProblemDoc)))]
async fn list_mines(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParamsApi>,
) -> AppResult<Json<Listing<MineOut>>> {
    let scope = v.scope(&s).await?;
    Ok(Json(listing(s.store.mines(scope, &q.query()).await?)))
}

#[utoipa::path(post, path = "/api/v1/mines", tag = "registry", request_body = MineInput,
    responses((status = 201, body = MineOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn create_mine(State(s): State<AppState>, v: Viewer, Json(i): Json<MineInput>) -> AppResult<Response> {
    v.require(|p| p.can_create_mines())?;
    let d = MineDraft::parse(&i).map_err(AppError::Invalid)?;
    v.require(|p| p.can_create_mine_for(d.member_id))?;
    Ok(created(MineOut::from(s.store.create_mine(&v.actor(), &d).await?)))
}

#[utoipa::path(get, path = "/api/v1/mines/{id}", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = MineOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
async fn get_mine(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<MineOut>> {
    if !v.scope(&s).await?.includes_mine(id) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(s.store.mine(id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/mines/{id}", tag = "registry", params(("id" = Uuid, Path)), request_body = MineUpdate,
    responses((status = 200, body = MineOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn update_mine(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(u): Json<MineUpdate>,
) -> AppResult<Json<MineOut>> {
    let current = s.store.mine(id).await?;
    v.require(|p| p.can_edit_mine(current.member_id))?;
    let d = MineDraft::parse(&u.fields).map_err(AppError::Invalid)?;
    v.require(|p| p.can_edit_mine(d.member_id))?;
    Ok(Json(s.store.update_mine(&v.actor(), id, version_of(u.version)?, &d).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/people", tag = "registry", params(ListParamsApi),
    responses((status = 200, body = Listing<PersonOut>), (status = 403, body = ProblemDoc)))]
async fn list_people(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ListParamsApi>,
) -> AppResult<Json<Listing<PersonOut>>> {
    v.require(|p| p.can_view_people())?;
    Ok(Json(listing(s.store.people(&q.query()).await?)))
}

#[utoipa::path(post, path = "/api/v1/people", tag = "registry", request_body = PersonInput,
    responses((status = 201, body = PersonOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn create_person(State(s): State<AppState>, v: Viewer, Json(i): Json<PersonInput>) -> AppResult<Response> {
    v.require(|p| p.can_edit_people())?;
    let d = PersonDraft::parse(&i).map_err(AppError::Invalid)?;
    Ok(created(PersonOut::from(s.store.create_person(&v.actor(), &d).await?)))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = PersonOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
async fn get_person(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<PersonOut>> {
    v.require(|p| p.can_view_people())?;
    Ok(Json(s.store.person(id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "registry", params(("id" = Uuid, Path)), request_body = PersonUpdate,
    responses((status = 200, body = PersonOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
async fn update_person(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(u): Json<PersonUpdate>,
) -> AppResult<Json<PersonOut>> {
    v.require(|p| p.can_edit_people())?;
    let d = PersonDraft::parse(&u.fields).map_err(AppError::Invalid)?;
    Ok(Json(s.store.update_person(&v.actor(), id, version_of(u.version)?, &d).await?.into()))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    entity: Option<String>,
    entity_id: Option<String>,
    actor: Option<String>,
    page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Listing<AuditOut>), (status = 403, body = ProblemDoc)))]
async fn audit(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditParams>,
) -> AppResult<Json<Listing<AuditOut>>> {
    let only = v.require(|p| p.can_view_audit_log())?.visible_audit_entities();
    let f = AuditFilter { entity: q.entity, entity_id: q.entity_id, actor: q.actor, only };
    Ok(Json(listing(s.store.audit_list(&f, q.page.unwrap_or(1).clamp(1, 1_000_000), 100).await?)))
}

// ---- the document --------------------------------------------------------------------------

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Personal API token from the account page"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "minecoop API", description = "The co-operative's register of member enterprises, mines and people; mining licences, workings and the lease checks; boundary disputes and notices."),
    paths(me, list_members, create_member, get_member, update_member, member_history, list_mines, create_mine, get_mine,
          update_mine, list_people, create_person, get_person, update_person, audit,
          cadastre::list_licences, cadastre::get_licence, cadastre::create_licence, cadastre::add_licence_version,
          cadastre::check_licence, cadastre::read_boundary_file, cadastre::list_workings, cadastre::add_working,
          cadastre::cadastre_check,
          disputes::list_disputes, disputes::open_dispute, disputes::get_dispute, disputes::add_dispute_event,
          disputes::list_notifications, disputes::attach_document,
          production::list_production, production::record_production, production::production_versions,
          production::correct_production, production::production_summary,
          samples::list_samples, samples::register_sample, samples::get_sample, samples::add_custody_step,
          samples::add_assays, reports::grade_report, reports::list_targets, reports::set_target,
          qc::list_batches, qc::get_batch, qc::decide_batch, qc::list_materials, qc::add_material,
          incidents::list_incidents, incidents::record_incident, incidents::get_incident,
          incidents::incident_versions, incidents::correct_incident, incidents::list_actions,
          incidents::raise_action, incidents::complete_action, incidents::verify_action,
          incidents::get_investigation, incidents::set_team, incidents::add_entry, incidents::sign_off,
          incidents::close_incident, explosives::get_magazine, explosives::record_entry, explosives::write_off,
          explosives::list_certificates, explosives::add_certificate,
          safety::list_hazards, safety::create_hazard, safety::get_hazard, safety::list_inspections,
          safety::create_inspection, safety::get_inspection, safety::list_findings, safety::create_finding,
          safety::get_finding, safety::list_schedules, safety::create_schedule, safety::change_schedule, safety::stop_schedule,
          crate::alerts::api_list, crate::alerts::api_mark_read,
          grievances::list_grievances, grievances::record_grievance, grievances::grievance_stats,
          grievances::get_grievance, grievances::add_step, grievances::add_message, grievances::add_link,
          grievances::submit_public, grievances::track_public, grievances::info_public, grievances::answer_public,
          workforce::list_workers, workforce::record_worker, workforce::get_worker, workforce::worker_versions,
          workforce::correct_worker, workforce::reveal_id_number, workforce::list_policies,
          workforce::record_policy, workforce::get_policy, workforce::correct_policy, workforce::get_coverage,
          workforce::policy_members, workforce::end_policy_member, workforce::list_worker_certificates,
          workforce::add_worker_certificate,
          workforce::list_claims, workforce::open_claim, workforce::get_claim, workforce::change_claim,
          workforce::list_claim_documents, workforce::add_claim_document,
          imports::import_workers, imports::import_policies),
    components(schemas(MemberInput, MineInput, PersonInput, ProblemDoc, FieldProblemDoc, TargetInput,
        minecoop_domain::safety::incident::IncidentInput, minecoop_domain::safety::action::ActionInput,
        minecoop_domain::safety::explosives::EntryInput, explosives::WriteOffIn, minecoop_domain::safety::explosives::CertificateInput,
        minecoop_domain::safety::hazard::HazardInput, minecoop_domain::safety::inspection::InspectionInput, safety::InspectionWithPhotos, safety::PhotoIn, minecoop_domain::safety::inspection::ScheduleInput, safety::ScheduleChangeIn, safety::VersionIn,
        minecoop_domain::safety::inspection::AnswerInput, minecoop_domain::safety::inspection::FindingInput,
        minecoop_domain::grievances::GrievanceInput, minecoop_domain::grievances::stats::Count,
        crate::grievances::StepInput, crate::grievances::MessageInput, crate::grievances::LinkInput,
        minecoop_domain::workforce::worker::WorkerInput, minecoop_domain::workforce::worker::DependantInput,
        minecoop_domain::workforce::coverage::PolicyInput, minecoop_domain::workforce::coverage::MemberEndInput,
        minecoop_domain::workforce::certificate::CertificateInput, minecoop_domain::workforce::claim::ClaimInput,
        imports::ImportOut, imports::ImportProblemOut, imports::ImportProblemsOut)),
    modifiers(&BearerAuth),
    security(("token" = [])),
)]
pub struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// One operation as the docs page lists it.
pub struct OpView {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub params: Vec<String>,
    pub body: Option<String>,
    pub responses: Vec<String>,
}

fn ref_name(r: &utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> String {
    match r {
        utoipa::openapi::RefOr::Ref(r) => r.ref_location.rsplit('/').next().unwrap_or("").to_owned(),
        utoipa::openapi::RefOr::T(_) => "object".into(),
    }
}

fn operations() -> Vec<OpView> {
    use utoipa::openapi::path::Operation;
    let doc = ApiDoc::openapi();
    let mut out = Vec::new();
    for (path, item) in doc.paths.paths {
        let ops: [(&'static str, &Option<Operation>); 4] =
            [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("DELETE", &item.delete)];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let body = op
                .request_body
                .as_ref()
                .and_then(|b| b.content.get("application/json").and_then(|c| c.schema.as_ref()).map(ref_name));
            out.push(OpView {
                method,
                path: path.clone(),
                summary: op.summary.clone().or(op.description.clone()).unwrap_or_default(),
                params: op.parameters.iter().flatten().map(|p| p.name.clone()).collect(),
                body,
                responses: op.responses.responses.keys().cloned().collect(),
            });
        }
    }
    out
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    ctx: Ctx,
    ops: Vec<OpView>,
    schemas: Vec<(String, String)>,
}

async fn docs(v: Viewer, uri: Uri) -> AppResult<Response> {
    let doc = ApiDoc::openapi();
    let schemas = doc
        .components
        .map(|c| {
            c.schemas
                .into_iter()
                .map(|(name, s)| (name, serde_json::to_string_pretty(&s).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    render(&DocsPage { ctx: Ctx::new(&v, &uri), ops: operations(), schemas })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lists_every_api_route() {
        let doc = ApiDoc::openapi();
        for p in [
            "/api/v1/me",
            "/api/v1/members",
            "/api/v1/members/{id}",
            "/api/v1/mines/{id}",
            "/api/v1/people",
            "/api/v1/audit",
            "/api/v1/hazards",
            "/api/v1/hazards/{id}",
            "/api/v1/inspections",
            "/api/v1/inspections/{id}",
            "/api/v1/findings",
            "/api/v1/findings/{id}",
            "/api/v1/grievances",
            "/api/v1/grievances/stats",
            "/api/v1/grievances/{id}",
            "/api/v1/public/grievances",
            "/api/v1/public/grievances/track",
            "/api/v1/workers",
            "/api/v1/workers/{id}",
            "/api/v1/workers/{id}/id-number",
            "/api/v1/policies",
            "/api/v1/coverage",
            "/api/v1/imports/workers",
            "/api/v1/imports/policies",
        ] {
            assert!(doc.paths.paths.contains_key(p), "{p} missing");
        }
        let json = serde_json::to_value(&doc).unwrap();
        assert!(json["openapi"].as_str().unwrap().starts_with("3."));
        assert!(json["components"]["schemas"]["MemberOut"].is_object());
        assert!(json["components"]["schemas"]["ImportProblemsOut"].is_object());
    }
}
