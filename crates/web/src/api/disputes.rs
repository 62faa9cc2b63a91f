//! Boundary disputes and the notices of the members involved, over the API. Who may see and
//! write in a case is decided by the same functions as on the pages.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Json, Router, routing::get, routing::post};
use minecoop_domain::cadastre::dispute::{DisputeDraft, DisputeInput, parse_event};
use minecoop_store::disputes::{Dispute, DisputeEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::today;
use crate::disputes::{may_see, may_write, rows, visible_notices};
use crate::error::AppError;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/disputes", get(list_disputes).post(open_dispute))
        .route("/api/v1/disputes/{id}", get(get_dispute))
        .route("/api/v1/disputes/{id}/events", post(add_dispute_event))
        .route("/api/v1/disputes/{id}/documents", post(attach_document))
        .route("/api/v1/notifications", get(list_notifications))
}

#[derive(Serialize, ToSchema)]
pub struct DisputeOut {
    id: Uuid,
    version: i32,
    title: String,
    /// `cross_boundary`, `out_of_level`, `overlap`, `rights` or `other`.
    kind: String,
    /// `open`, `mediation`, `settled`, `closed` or `withdrawn`.
    status: String,
    description: String,
    member_ids: Vec<Uuid>,
    /// Member enterprises and other parties, by name.
    parties: String,
    other_parties: Vec<String>,
    finding: Option<String>,
    #[schema(value_type = String, format = Date)]
    due_on: chrono::NaiveDate,
    overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DisputeEventOut {
    kind: String,
    text: String,
    new_status: Option<String>,
    actor: String,
    #[schema(value_type = String, format = DateTime)]
    at: chrono::DateTime<chrono::Utc>,
}

impl From<DisputeEvent> for DisputeEventOut {
    fn from(e: DisputeEvent) -> Self {
        DisputeEventOut { kind: e.kind, text: e.text, new_status: e.new_status, actor: e.actor, at: e.at }
    }
}

/// A case with its whole log, oldest entry first.
#[derive(Serialize, ToSchema)]
pub struct DisputeDetailOut {
    #[serde(flatten)]
    case: DisputeOut,
    events: Vec<DisputeEventOut>,
    /// Attached documents; each downloads from `/disputes/{id}/documents/{document id}`.
    documents: Vec<DocumentOut>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    id: Uuid,
    file_name: String,
    size: i64,
    sha256: String,
    created_by: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<minecoop_store::attachments::AttachmentMeta> for DocumentOut {
    fn from(a: minecoop_store::attachments::AttachmentMeta) -> Self {
        DocumentOut {
            id: a.id,
            file_name: a.file_name,
            size: a.size,
            sha256: a.sha256,
            created_by: a.created_by,
            created_at: a.created_at,
        }
    }
}

async fn outs(s: &AppState, cases: Vec<Dispute>) -> AppResult<Vec<DisputeOut>> {
    Ok(rows(s, cases)
        .await?
        .into_iter()
        .map(|r| DisputeOut {
            member_ids: r.d.members(),
            other_parties: r.d.others(),
            id: r.d.id,
            version: r.d.version,
            title: r.d.title,
            kind: r.d.kind,
            status: r.d.status,
            description: r.d.description,
            parties: r.parties,
            finding: r.d.finding,
            due_on: r.d.due_on,
            overdue: r.overdue,
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/disputes", tag = "disputes",
    description = "The cases the caller may see: all for the co-op's officers and the bureau, else those involving the caller's enterprise.",
    responses((status = 200, body = Vec<DisputeOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_disputes(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<DisputeOut>>> {
    let p = v.principal()?.clone();
    let mut visible = Vec::new();
    for d in s.store.disputes().await? {
        if may_see(&s, &p, &d).await? {
            visible.push(d);
        }
    }
    Ok(Json(outs(&s, visible).await?))
}

#[utoipa::path(post, path = "/api/v1/disputes", tag = "disputes", request_body = DisputeInput,
    description = "Open a case; every member enterprise involved is notified.",
    responses((status = 201, body = DisputeOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn open_dispute(State(s): State<AppState>, v: Viewer, Json(i): Json<DisputeInput>) -> AppResult<Response> {
    v.require(|p| p.can_manage_disputes())?;
    let d = DisputeDraft::parse(&i, today()).map_err(AppError::Invalid)?;
    let case = s.store.open_dispute(&v.actor(), &d).await?;
    Ok(created(outs(&s, vec![case]).await?.remove(0)))
}

async fn visible_case(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<Dispute> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    if !may_see(s, &p, &d).await? {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

#[utoipa::path(get, path = "/api/v1/disputes/{id}", tag = "disputes", params(("id" = Uuid, Path)),
    responses((status = 200, body = DisputeDetailOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_dispute(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Json<DisputeDetailOut>> {
    let d = visible_case(&s, &v, id).await?;
    let events = s.store.dispute_events(id).await?.into_iter().map(DisputeEventOut::from).collect();
    let documents = s.store.attachments("dispute", id).await?.into_iter().map(DocumentOut::from).collect();
    Ok(Json(DisputeDetailOut { case: outs(&s, vec![d]).await?.remove(0), events, documents }))
}

/// An entry for a case's log. Parties (owners of the enterprises involved) may add `note` and
/// `proposal`; the co-op also `meeting`, `hearing`, `agreement` and `status` with `new_status`
/// (forward only).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DisputeEventIn {
    kind: String,
    text: String,
    new_status: String,
    /// The case's version when it was read (a stale one answers 409).
    version: Option<i32>,
}

#[utoipa::path(post, path = "/api/v1/disputes/{id}/events", tag = "disputes", params(("id" = Uuid, Path)), request_body = DisputeEventIn,
    responses((status = 201, body = DisputeOut), (status = 403, body = ProblemDoc), (status = 409, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_dispute_event(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(f): Json<DisputeEventIn>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    let Some(as_party) = may_write(&s, &p, &d).await? else { return Err(AppError::Forbidden) };
    if as_party && !matches!(f.kind.as_str(), "note" | "proposal" | "") {
        return Err(AppError::Forbidden);
    }
    let version = super::version_of(f.version)?;
    let e = parse_event(&f.kind, &f.text, &f.new_status, d.status()).map_err(AppError::Invalid)?;
    let after = s.store.add_dispute_event(&v.actor(), id, version, &e).await?;
    Ok(created(outs(&s, vec![after]).await?.remove(0)))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    /// The notice in the caller's language.
    text: String,
    /// Fluent message id and arguments, for programs.
    message: String,
    args: Vec<(String, String)>,
    link: String,
    member_id: Uuid,
    #[schema(value_type = String, format = DateTime)]
    created_at: chrono::DateTime<chrono::Utc>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "disputes",
    description = "The latest 200 notices for the caller's enterprise (all for the co-op's officers and the bureau), newest first.",
    responses((status = 200, body = Vec<NotificationOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_notifications(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<NotificationOut>>> {
    let p = v.principal()?.clone();
    let list = visible_notices(&s, &p, v.lang).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| NotificationOut {
                args: r.n.args(),
                text: r.text,
                message: r.n.message,
                link: r.n.link,
                member_id: r.n.member_id,
                created_at: r.n.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// The document's file name.
    name: String,
}

#[utoipa::path(post, path = "/api/v1/disputes/{id}/documents", tag = "disputes", params(("id" = Uuid, Path), DocumentParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the document's bytes"),
    description = "Attach a document to a case (parties and the co-op); the log says so and the members are notified.",
    responses((status = 201, body = DocumentOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn attach_document(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<DocumentParams>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    if may_write(&s, &p, &d).await?.is_none() {
        return Err(AppError::Forbidden);
    }
    let meta = s.store.attach(&v.actor(), "dispute", id, &q.name, "application/octet-stream", &body).await?;
    let note = parse_event("note", &format!("📎 {}", meta.file_name), "", d.status()).map_err(AppError::Invalid)?;
    match s.store.add_dispute_event(&v.actor(), id, d.version, &note).await {
        Ok(_) | Err(minecoop_store::StoreError::Conflict) => Ok(created(DocumentOut::from(meta))),
        Err(e) => Err(e.into()),
    }
}
