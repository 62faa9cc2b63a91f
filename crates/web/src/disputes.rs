//! Boundary disputes as the co-op mediates them, and the notices members receive.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minecoop_domain::auth::Principal;
use minecoop_domain::cadastre::dispute::{
    DisputeDraft, DisputeInput, DisputeKind, DisputeStatus, EventKind, parse_event,
};
use minecoop_store::StoreError;
use minecoop_store::disputes::{Dispute, DisputeEvent, Notification};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes", get(list).post(create))
        .route("/disputes/new", get(new))
        .route("/disputes/{id}", get(detail))
        .route("/disputes/{id}/events", post(add_event))
        .route("/disputes/{id}/documents", post(add_document))
        .route("/disputes/{id}/documents/{doc}", get(document))
        .route("/notifications", get(notifications))
}

use crate::cadastre::today;

/// The member enterprise a principal speaks for (owners) or works at (safety officers).
pub(crate) async fn own_member(s: &AppState, p: &Principal) -> AppResult<Option<Uuid>> {
    use minecoop_domain::auth::Role;
    Ok(match p.role {
        Role::Owner => p.member_id,
        // An officer belongs to the enterprise of his mine, whatever else the account carries.
        Role::SafetyOfficer => match p.mine_id {
            Some(mine) => s.store.mine(mine).await.ok().map(|m| m.member_id),
            None => None,
        },
        _ => None,
    })
}

pub(crate) async fn may_see(s: &AppState, p: &Principal, d: &Dispute) -> AppResult<bool> {
    if p.can_view_all_disputes() {
        return Ok(true);
    }
    Ok(own_member(s, p).await?.is_some_and(|m| d.members().contains(&m)))
}

pub struct CaseRow {
    pub d: Dispute,
    pub parties: String,
    pub overdue: bool,
}

pub(crate) async fn rows(s: &AppState, cases: Vec<Dispute>) -> AppResult<Vec<CaseRow>> {
    let members = s.store.member_choices().await?;
    let today = today();
    Ok(cases
        .into_iter()
        .map(|d| {
            let mut names: Vec<String> = d
                .members()
                .iter()
                .filter_map(|id| members.iter().find(|m| m.id == *id).map(|m| m.name_zh.clone()))
                .collect();
            names.extend(d.others());
            CaseRow { overdue: d.status().is_active() && d.due_on < today, parties: names.join("、"), d }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "disputes/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<CaseRow>,
    can_manage: bool,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let mut visible = Vec::new();
    for d in s.store.disputes().await? {
        if may_see(&s, &p, &d).await? {
            visible.push(d);
        }
    }
    render(&ListPage { ctx: Ctx::new(&v, &uri), rows: rows(&s, visible).await?, can_manage: p.can_manage_disputes() })
}

#[derive(Template)]
#[template(path = "disputes/form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    kinds: Vec<Opt>,
    members: Vec<Opt>,
}

async fn form_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState, chosen: &[String]) -> AppResult<FormPage> {
    let ctx = Ctx::new(v, uri);
    let codes: Vec<&str> = DisputeKind::ALL.iter().map(|k| k.as_str()).collect();
    let kinds = code_options(ctx.lang, "dispute-kind", &codes, form.v("kind"));
    let members = s
        .store
        .member_choices()
        .await?
        .into_iter()
        .map(|m| Opt { selected: chosen.contains(&m.id.to_string()), value: m.id.to_string(), label: m.name_zh })
        .collect();
    Ok(FormPage { ctx, form, kinds, members })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewParams {
    finding: String,
    member: String,
    kind: String,
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<NewParams>) -> AppResult<Response> {
    v.require(|p| p.can_manage_disputes())?;
    let due = (today() + chrono::Duration::days(30)).to_string();
    let kind = if q.kind.is_empty() { "cross_boundary".to_owned() } else { q.kind };
    let form = FormState::new([("kind", kind), ("finding", q.finding), ("due_on", due)]);
    render(&form_page(&s, &v, &uri, form, &[q.member]).await?)
}

/// Repeated `member_ids` keys arrive as pairs.
fn input_from_pairs(pairs: &[(String, String)]) -> DisputeInput {
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    DisputeInput {
        title: get("title"),
        kind: get("kind"),
        description: get("description"),
        member_ids: pairs.iter().filter(|(k, _)| k == "member_ids").map(|(_, v)| v.clone()).collect(),
        other_parties: get("other_parties"),
        finding: get("finding"),
        due_on: get("due_on"),
    }
}

async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_disputes())?;
    let i = input_from_pairs(&pairs);
    let result = match DisputeDraft::parse(&i, today()) {
        Ok(d) => s.store.open_dispute(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!("/disputes/{}", d.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::of(&i).with_errors(v.lang, &e);
            unprocessable(&form_page(&s, &v, &uri, form, &i.member_ids).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disputes/detail.html")]
struct DetailPage {
    ctx: Ctx,
    row: CaseRow,
    events: Vec<DisputeEvent>,
    can_manage: bool,
    /// A party may add notes and proposals.
    can_write: bool,
    form: FormState,
    event_kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    documents: Vec<minecoop_store::attachments::AttachmentMeta>,
}

async fn detail_page(s: &AppState, v: &Viewer, uri: &Uri, id: Uuid, form: FormState) -> AppResult<DetailPage> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    if !may_see(s, &p, &d).await? {
        return Err(AppError::Forbidden);
    }
    let events = s.store.dispute_events(id).await?;
    let ctx = Ctx::new(v, uri);
    let writer = may_write(s, &p, &d).await?;
    let kinds: Vec<&str> = EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|k| writer != Some(true) || matches!(*k, "note" | "proposal"))
        .collect();
    let event_kinds = code_options(ctx.lang, "event", &kinds, form.v("kind"));
    let statuses: Vec<&str> =
        DisputeStatus::ALL.iter().filter(|s| d.status().can_become(**s)).map(|s| s.as_str()).collect();
    let statuses = code_options(ctx.lang, "dispute-status", &statuses, form.v("new_status"));
    let row = rows(s, vec![d]).await?.remove(0);
    let documents = s.store.attachments("dispute", id).await?;
    Ok(DetailPage {
        documents,
        ctx,
        row,
        events,
        can_manage: p.can_manage_disputes(),
        can_write: writer.is_some(),
        form,
        event_kinds,
        statuses,
    })
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    render(&detail_page(&s, &v, &uri, id, FormState::new([("kind", "meeting".to_owned())])).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EventForm {
    kind: String,
    text: String,
    new_status: String,
    version: Option<i32>,
}

/// Whether the principal may write in this case's log, and whether only as a party (notes and
/// proposals: the owners of the enterprises involved answer, the co-op decides).
pub(crate) async fn may_write(s: &AppState, p: &Principal, d: &Dispute) -> AppResult<Option<bool>> {
    if p.can_manage_disputes() {
        return Ok(Some(false));
    }
    let party = p.role == minecoop_domain::auth::Role::Owner
        && own_member(s, p).await?.is_some_and(|m| d.members().contains(&m));
    Ok(party.then_some(true))
}

async fn add_event(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<EventForm>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    let Some(as_party) = may_write(&s, &p, &d).await? else { return Err(AppError::Forbidden) };
    if as_party && !matches!(f.kind.as_str(), "note" | "proposal" | "") {
        return Err(AppError::Forbidden);
    }
    let version = f.version.ok_or(AppError::BadRequest("error-400-detail"))?;
    let result = match parse_event(&f.kind, &f.text, &f.new_status, d.status()) {
        Ok(e) => s.store.add_dispute_event(&v.actor(), id, version, &e).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/disputes/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::new([("kind", f.kind), ("text", f.text), ("new_status", f.new_status)])
                .with_errors(v.lang, &e);
            unprocessable(&detail_page(&s, &v, &uri, id, form).await?)
        }
        Err(StoreError::Conflict) => {
            let mut page = detail_page(&s, &v, &uri, id, FormState::new([("kind", f.kind), ("text", f.text)])).await?;
            page.ctx = page.ctx.with_notice("notice-conflict");
            crate::registry::conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct NoticeRow {
    pub n: Notification,
    pub text: String,
}

#[derive(Template)]
#[template(path = "disputes/notifications.html")]
struct NoticesPage {
    ctx: Ctx,
    rows: Vec<NoticeRow>,
}

/// Notices for the principal's enterprise; the co-op's officers and the bureau see all.
async fn notifications(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(&v, &uri);
    let rows = visible_notices(&s, &p, ctx.lang).await?;
    render(&NoticesPage { ctx, rows })
}

/// The latest notices a principal may read, with their text in `lang`: the co-op's officers
/// and the bureau see all, the others their enterprise's.
pub(crate) async fn visible_notices(s: &AppState, p: &Principal, lang: Lang) -> AppResult<Vec<NoticeRow>> {
    let list = if p.can_view_all_disputes() {
        s.store.notifications(None, 200).await?
    } else {
        match own_member(s, p).await? {
            Some(m) => s.store.notifications(Some(&[m]), 200).await?,
            None => Vec::new(),
        }
    };
    Ok(list
        .into_iter()
        .map(|n| {
            // Arguments that are message ids themselves (the kind of event) are translated too.
            let args: Vec<(String, String)> =
                n.args().into_iter().map(|(k, val)| if k == "event" { (k, lang.t(&val)) } else { (k, val) }).collect();
            let refs: Vec<(&str, String)> = args.iter().map(|(k, val)| (k.as_str(), val.clone())).collect();
            NoticeRow { text: lang.t_args(&n.message, &refs), n }
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct DocumentForm {
    version: Option<i32>,
}

/// Attach a document (minutes, a signed settlement, a survey) to a case: the parties and the
/// co-op may. The log says so, which notifies every member involved.
async fn add_document(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    sent: crate::upload::Submitted<DocumentForm>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    if may_write(&s, &p, &d).await?.is_none() {
        return Err(AppError::Forbidden);
    }
    let Some(file) = sent.file("file") else {
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("file", "err-file-none");
        let form = FormState::new([("kind", "note".to_owned())]).with_errors(v.lang, &e);
        return unprocessable(&detail_page(&s, &v, &uri, id, form).await?);
    };
    let meta = s.store.attach(&v.actor(), "dispute", id, &file.name, "application/octet-stream", &file.bytes).await?;
    let version = sent.form.version.unwrap_or(d.version);
    let note = parse_event("note", &format!("📎 {}", meta.file_name), "", d.status()).map_err(AppError::Invalid)?;
    match s.store.add_dispute_event(&v.actor(), id, version, &note).await {
        Ok(_) | Err(StoreError::Conflict) => Ok(Redirect::to(&format!("/disputes/{id}#documents")).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// A case's document, as a download (never shown inline: it is whatever was uploaded).
async fn document(State(s): State<AppState>, v: Viewer, Path((id, doc)): Path<(Uuid, Uuid)>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let d = s.store.dispute(id).await?;
    if !may_see(&s, &p, &d).await? {
        return Err(AppError::Forbidden);
    }
    let a = s.store.attachment(doc).await?;
    if a.entity != "dispute" || a.entity_id != id {
        return Err(AppError::NotFound);
    }
    Ok(crate::upload::download(&a.file_name, a.content))
}
