//! Injury claims: the list with its deadline column, the form that opens a claim for a worker
//! of an incident's mine, the claim's page (its next step, its status steps and versions, its
//! documents) and the correction form. Who sees a mine's workers sees its claims; who keeps its
//! workers keeps its claims; the bureau neither.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router, routing::get, routing::post};
use minecoop_domain::auth::Principal;
use minecoop_domain::workforce::claim::{
    ClaimDraft, ClaimInput, ClaimStatus, DeadlineState, Determination, Payer, Severity, application_deadline,
};
use minecoop_domain::workforce::{Relation, WorkerState, state_on};
use minecoop_store::StoreError;
use minecoop_store::attachments::AttachmentMeta;
use minecoop_store::registry::Mine;
use minecoop_store::safety::Incident;
use minecoop_store::workforce::{ClaimFilter, ClaimRecord, ClaimVersion, Worker};
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, conflict, unprocessable};
use crate::safety::incidents::yuan;
use crate::safety::{opt_id, query};
use crate::session::Viewer;
use crate::workforce::workers::viewable_mines;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/claims", get(list).post(create))
        .route("/claims/new", get(new))
        .route("/claims/{id}", get(detail).post(change))
        .route("/claims/{id}/edit", get(edit))
        .route("/claims/{id}/documents", post(add_document))
        .route("/claims/{id}/documents/{doc}", get(document))
}

/// A claim the viewer may see, with its mine; 403 otherwise (the bureau always).
pub(crate) async fn readable_claim(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(ClaimRecord, Mine)> {
    if !p.can_view_any_workers() {
        return Err(AppError::Forbidden);
    }
    let r = s.store.claim(id).await?;
    let m = s.store.mine(r.claim.mine_id).await?;
    if !p.can_view_claims_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((r, m))
}

/// A claim the viewer keeps; 403 otherwise.
pub(crate) async fn writable_claim(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(ClaimRecord, Mine)> {
    let (r, m) = readable_claim(s, p, id).await?;
    if !p.can_manage_claims_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((r, m))
}

/// Check that the viewer may open a claim on the incident the form names: the right over the
/// incident's mine. An id that is no incident's is left to the form's own field check.
pub(crate) async fn may_open_on(s: &AppState, v: &Viewer, incident_id: &str) -> AppResult<()> {
    let Ok(id) = Uuid::parse_str(incident_id.trim()) else { return Ok(()) };
    let mine = match s.store.incident(id).await {
        Ok(i) => i.mine_id.to_string(),
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    crate::registry::require_for_named_mine(s, v, &mine, |p, m, e| p.can_manage_claims_of(m, e)).await
}

/// The deadline as a list or a page shows it: a class (`deadline-overdue` is red) and a text.
pub struct DeadlineView {
    pub class: &'static str,
    pub text: String,
}

pub fn deadline_view(lang: Lang, r: &ClaimRecord, day: chrono::NaiveDate) -> DeadlineView {
    let t = |key: &str, args: &[(&str, String)]| lang.t_args(key, args);
    match r.deadline_state(day) {
        DeadlineState::DaysLeft { days } => DeadlineView {
            class: if days <= minecoop_domain::workforce::claim::DEADLINE_WARNING_DAYS {
                "deadline-near"
            } else {
                "deadline-open"
            },
            text: lang.t_counts("claim-days-left", &[], &[("days", days)]),
        },
        DeadlineState::Overdue { days } => {
            // A number, not a text: the plural variants select on it ("1 day", "last day today").
            DeadlineView {
                class: "deadline-overdue",
                text: lang.t_counts("claim-days-overdue", &[], &[("days", days)]),
            }
        }
        DeadlineState::Applied { on, late_days: 0 } => {
            DeadlineView { class: "deadline-done", text: t("claim-applied-in-time", &[("on", on.to_string())]) }
        }
        DeadlineState::Applied { on, late_days } => DeadlineView {
            class: "deadline-late",
            text: t("claim-applied-late", &[("on", on.to_string()), ("days", late_days.to_string())]),
        },
        DeadlineState::Stopped => DeadlineView { class: "deadline-stopped", text: t("claim-deadline-stopped", &[]) },
    }
}

/// A claim as a list shows it.
pub struct Row {
    pub r: ClaimRecord,
    pub mine: String,
    pub deadline: DeadlineView,
}

/// Claims as rows, with their mines' names and the deadline of today.
pub(crate) fn rows(lang: Lang, claims: Vec<ClaimRecord>, mines: &[Mine]) -> Vec<Row> {
    let day = today();
    claims
        .into_iter()
        .map(|r| Row {
            mine: mines.iter().find(|m| m.id == r.claim.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default(),
            deadline: deadline_view(lang, &r, day),
            r,
        })
        .collect()
}

impl Row {
    pub fn claimed(&self) -> String {
        yuan(&self.r.current.claimed_fen)
    }

    pub fn paid(&self) -> String {
        yuan(&self.r.current.paid_fen)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    mine: String,
    status: String,
    /// Only claims not applied for after their deadline.
    overdue: bool,
}

#[derive(Template)]
#[template(path = "workforce/claims.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    mines: Vec<Opt>,
    statuses: Vec<Opt>,
    overdue: bool,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.require(|p| p.can_view_any_workers())?.clone();
    let q: ListQuery = query(&uri)?;
    let mines = viewable_mines(&s, &p).await?;
    let ids = crate::safety::mine_ids(&mines, opt_id(&q.mine)?)?;
    let status = match q.status.trim() {
        "" => None,
        x => Some(ClaimStatus::parse(x).map_err(|_| AppError::BadRequest("error-400-detail"))?),
    };
    let f = ClaimFilter { mines: Some(ids), status, overdue_on: q.overdue.then(today), ..Default::default() };
    let ctx = Ctx::new(&v, &uri);
    let rows = rows(ctx.lang, s.store.claims(&f).await?, &mines);
    let mut mine_opts =
        vec![Opt { value: String::new(), label: ctx.t("workers-all-mines"), selected: q.mine.is_empty() }];
    mine_opts.extend(mines.iter().map(|m| Opt {
        value: m.id.to_string(),
        label: m.name_zh.clone(),
        selected: m.id.to_string() == q.mine.trim(),
    }));
    let mut statuses: Vec<&str> = vec![""];
    statuses.extend(ClaimStatus::ALL.iter().map(|x| x.as_str()));
    render(&ListPage {
        statuses: code_options(ctx.lang, "claim-status", &statuses, q.status.trim()),
        mines: mine_opts,
        overdue: q.overdue,
        ctx,
        rows,
    })
}

/// The form's fields as name/value pairs.
fn pairs_of(i: &ClaimInput) -> Vec<(String, String)> {
    [
        ("incident_id", &i.incident_id),
        ("worker_id", &i.worker_id),
        ("severity", &i.severity),
        ("status", &i.status),
        ("applied_on", &i.applied_on),
        ("determination", &i.determination),
        ("determined_on", &i.determined_on),
        ("disability_grade", &i.disability_grade),
        ("payer", &i.payer),
        ("claimed", &i.claimed),
        ("paid", &i.paid),
        ("paid_on", &i.paid_on),
        ("family_name", &i.family_name),
        ("family_relation", &i.family_relation),
        ("family_phone", &i.family_phone),
        ("status_reason", &i.status_reason),
        ("notes", &i.notes),
        ("reason", &i.reason),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect()
}

/// The submitted fields laid over `base`: a field sent (even empty) replaces it, one not sent
/// keeps it. Returns the input and the version field.
fn overlay(base: ClaimInput, sent: &[(String, String)]) -> (ClaimInput, String) {
    let mut i = base;
    let mut version = String::new();
    for (k, v) in sent {
        let v = v.clone();
        match k.as_str() {
            "incident_id" => i.incident_id = v,
            "worker_id" => i.worker_id = v,
            "severity" => i.severity = v,
            "status" => i.status = v,
            "applied_on" => i.applied_on = v,
            "determination" => i.determination = v,
            "determined_on" => i.determined_on = v,
            "disability_grade" => i.disability_grade = v,
            "payer" => i.payer = v,
            "claimed" => i.claimed = v,
            "paid" => i.paid = v,
            "paid_on" => i.paid_on = v,
            "family_name" => i.family_name = v,
            "family_relation" => i.family_relation = v,
            "family_phone" => i.family_phone = v,
            "status_reason" => i.status_reason = v,
            "notes" => i.notes = v,
            "reason" => i.reason = v,
            "version" => version = v,
            _ => {}
        }
    }
    (i, version)
}

/// Money in fen as the form shows it: empty for nothing.
fn money_field(fen: i64) -> String {
    if fen == 0 { String::new() } else { yuan(&fen) }
}

/// A recorded claim back as the form's strings (the reason is this change's own: empty).
pub fn input_of(r: &ClaimRecord) -> ClaimInput {
    let v = &r.current;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    ClaimInput {
        incident_id: r.claim.incident_id.to_string(),
        worker_id: r.claim.worker_id.to_string(),
        severity: v.severity.clone(),
        status: v.status.clone(),
        applied_on: date(v.applied_on),
        determination: v.determination.clone(),
        determined_on: date(v.determined_on),
        disability_grade: v.disability_grade.map(|g| g.to_string()).unwrap_or_default(),
        payer: v.payer.clone().unwrap_or_default(),
        claimed: money_field(v.claimed_fen),
        paid: money_field(v.paid_fen),
        paid_on: date(v.paid_on),
        family_name: v.family_name.clone().unwrap_or_default(),
        family_relation: v.family_relation.clone().unwrap_or_default(),
        family_phone: v.family_phone.clone().unwrap_or_default(),
        status_reason: v.status_reason.clone().unwrap_or_default(),
        notes: v.notes.clone().unwrap_or_default(),
        reason: String::new(),
    }
}

/// The choices of the claim's fields in the viewer's language.
struct Choices {
    severities: Vec<Opt>,
    determinations: Vec<Opt>,
    payers: Vec<Opt>,
    relations: Vec<Opt>,
}

fn choices(lang: Lang, form: &FormState) -> Choices {
    let with_blank = |all: Vec<&'static str>| {
        let mut v = vec![""];
        v.extend(all);
        v
    };
    Choices {
        severities: code_options(
            lang,
            "claim-severity",
            &with_blank(Severity::ALL.iter().map(|x| x.as_str()).collect()),
            form.v("severity"),
        ),
        determinations: code_options(
            lang,
            "claim-determination",
            &Determination::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
            if form.v("determination").is_empty() { "pending" } else { form.v("determination") },
        ),
        payers: code_options(
            lang,
            "claim-payer",
            &with_blank(Payer::ALL.iter().map(|x| x.as_str()).collect()),
            form.v("payer"),
        ),
        relations: code_options(
            lang,
            "relation",
            &with_blank(Relation::ALL.iter().map(|x| x.as_str()).collect()),
            form.v("family_relation"),
        ),
    }
}

// ---- opening a claim ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "workforce/claim_new.html")]
struct NewPage {
    ctx: Ctx,
    form: FormState,
    /// The injury incidents the viewer may open a claim on, when none is chosen yet.
    incidents: Vec<Opt>,
    /// The incident chosen, its mine's name and its deadline.
    incident: Option<(Incident, String)>,
    deadline: Option<DeadlineView>,
    deadline_day: Option<chrono::NaiveDate>,
    workers: Vec<Opt>,
    severities: Vec<Opt>,
    relations: Vec<Opt>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    incident: String,
}

/// The workers a claim on `inc` may name: those of its mine working on the injury day.
async fn workers_of(s: &AppState, inc: &Incident, chosen: &str) -> AppResult<Vec<Opt>> {
    let day = inc.occurred_at.date();
    let mut out = vec![Opt { value: String::new(), label: "—".into(), selected: chosen.is_empty() }];
    out.extend(
        s.store
            .workers(Some(&[inc.mine_id]))
            .await?
            .into_iter()
            .filter(|w: &Worker| state_on(w.start_date, w.end_date, day) == WorkerState::Active)
            .map(|w| Opt {
                selected: w.worker_id.to_string() == chosen,
                value: w.worker_id.to_string(),
                label: w.name,
            }),
    );
    Ok(out)
}

async fn new_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    input: &ClaimInput,
    errors: Option<&minecoop_domain::FieldErrors>,
) -> AppResult<NewPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let mut form = FormState::from_pairs(pairs_of(input));
    if let Some(e) = errors {
        form = form.with_errors(ctx.lang, e);
    }
    let chosen = match Uuid::parse_str(input.incident_id.trim()) {
        Ok(id) => match s.store.incident(id).await {
            Ok(i) => Some(i),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let (incident, deadline, workers, incidents) = match chosen {
        Some(inc) => {
            let m = s.store.mine(inc.mine_id).await?;
            if !p.can_manage_claims_of(m.id, m.member_id) {
                return Err(AppError::Forbidden);
            }
            let day = today();
            let left = (application_deadline(inc.occurred_at.date()) - day).num_days();
            let deadline = if left >= 0 {
                DeadlineView {
                    class: "deadline-open",
                    text: ctx.lang.t_counts("claim-days-left", &[], &[("days", left)]),
                }
            } else {
                DeadlineView {
                    class: "deadline-overdue",
                    text: ctx.lang.t_counts("claim-days-overdue", &[], &[("days", -left)]),
                }
            };
            let workers = workers_of(s, &inc, form.v("worker_id")).await?;
            (Some((inc, m.name_zh)), Some(deadline), workers, Vec::new())
        }
        None => {
            let mines: Vec<Uuid> = s
                .store
                .mine_choices()
                .await?
                .into_iter()
                .filter(|m| p.can_manage_claims_of(m.id, m.member_id))
                .map(|m| m.id)
                .collect();
            let incidents = s
                .store
                .incidents(Some(&mines))
                .await?
                .into_iter()
                .filter(|i| i.deaths + i.serious_injuries + i.minor_injuries > 0)
                .take(100)
                .map(|i| Opt {
                    value: i.incident_id.to_string(),
                    label: format!("{} · {} · {}", i.code, i.occurred_at.format("%Y-%m-%d"), i.location),
                    selected: false,
                })
                .collect();
            (None, None, Vec::new(), incidents)
        }
    };
    let c = choices(ctx.lang, &form);
    Ok(NewPage {
        ctx,
        form,
        incidents,
        deadline_day: incident.as_ref().map(|(i, _)| application_deadline(i.occurred_at.date())),
        incident,
        deadline,
        workers,
        severities: c.severities,
        relations: c.relations,
    })
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let q: NewQuery = query(&uri)?;
    let input = ClaimInput { incident_id: q.incident, ..Default::default() };
    render(&new_page(&s, &v, &uri, &input, None).await?)
}

async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let (i, _) = overlay(ClaimInput::default(), &pairs);
    may_open_on(&s, &v, &i.incident_id).await?;
    let i = ClaimInput { status: String::new(), ..i };
    let result = match ClaimDraft::parse(&i, today()) {
        Ok(d) => s.store.open_claim(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/claims/{}", r.id())).into_response()),
        Err(StoreError::Invalid(e)) => unprocessable(&new_page(&s, &v, &uri, &i, Some(&e)).await?),
        Err(e) => Err(e.into()),
    }
}

// ---- the claim's page --------------------------------------------------------------------

/// A version as the page's history shows it.
pub struct VersionRow {
    pub v: ClaimVersion,
}

#[derive(Template)]
#[template(path = "workforce/claim.html")]
struct DetailPage {
    ctx: Ctx,
    r: ClaimRecord,
    mine: Mine,
    deadline: DeadlineView,
    deadline_day: chrono::NaiveDate,
    versions: Vec<VersionRow>,
    documents: Vec<AttachmentMeta>,
    can_edit: bool,
    /// The form of the next step (its errors when sent back).
    form: FormState,
    next: Vec<Opt>,
    determinations: Vec<Opt>,
    payers: Vec<Opt>,
    /// The document form's error.
    doc_error: Option<String>,
}

impl DetailPage {
    fn money(&self, fen: &i64) -> String {
        yuan(fen)
    }
}

async fn detail_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    form: Option<FormState>,
    doc_error: Option<String>,
) -> AppResult<DetailPage> {
    let p = v.principal()?.clone();
    let (r, mine) = readable_claim(s, &p, id).await?;
    let ctx = Ctx::new(v, uri);
    let status = r.status();
    let form = form.unwrap_or_else(|| {
        let mut i = input_of(&r);
        i.status = status.next().first().map(|x| x.as_str().to_owned()).unwrap_or_default();
        FormState::from_pairs(pairs_of(&i))
    });
    let next: Vec<&str> = status.next().iter().map(|x| x.as_str()).collect();
    let c = choices(ctx.lang, &form);
    Ok(DetailPage {
        next: code_options(ctx.lang, "claim-status", &next, form.v("status")),
        determinations: c.determinations,
        payers: c.payers,
        deadline: deadline_view(ctx.lang, &r, today()),
        deadline_day: r.deadline(),
        versions: s.store.claim_versions(id).await?.into_iter().map(|v| VersionRow { v }).collect(),
        documents: s.store.claim_documents(id).await?,
        can_edit: p.can_manage_claims_of(mine.id, mine.member_id),
        ctx,
        r,
        mine,
        form,
        doc_error,
    })
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    render(&detail_page(&s, &v, &uri, id, None, None).await?)
}

#[derive(Template)]
#[template(path = "workforce/claim_form.html")]
struct EditPage {
    ctx: Ctx,
    r: ClaimRecord,
    form: FormState,
    severities: Vec<Opt>,
    determinations: Vec<Opt>,
    payers: Vec<Opt>,
    relations: Vec<Opt>,
}

fn edit_page(
    v: &Viewer,
    uri: &Uri,
    r: ClaimRecord,
    input: &ClaimInput,
    errors: Option<&minecoop_domain::FieldErrors>,
) -> EditPage {
    let ctx = Ctx::new(v, uri);
    let mut form = FormState::from_pairs(pairs_of(input));
    if let Some(e) = errors {
        form = form.with_errors(ctx.lang, e);
    }
    let c = choices(ctx.lang, &form);
    EditPage {
        ctx,
        r,
        form,
        severities: c.severities,
        determinations: c.determinations,
        payers: c.payers,
        relations: c.relations,
    }
}

async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (r, _) = writable_claim(&s, v.principal()?, id).await?;
    let i = input_of(&r);
    render(&edit_page(&v, &uri, r, &i, None))
}

/// A new version: the next step (from the claim's page, `form=step`) or a correction (from the
/// correction form). The fields sent replace the current version's; the others stay.
async fn change(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (cur, _) = writable_claim(&s, v.principal()?, id).await?;
    let step = pairs.iter().any(|(k, val)| k == "form" && val == "step");
    let (i, version) = overlay(input_of(&cur), &pairs);
    let expected: i32 = version.trim().parse().map_err(|_| AppError::BadRequest("error-400-detail"))?;
    let result = match ClaimDraft::parse(&i, today()) {
        Ok(d) => s.store.change_claim(&v.actor(), id, expected, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    }
    .map_err(|e| match e {
        StoreError::Invalid(e) => StoreError::Invalid(status_names(v.lang, e)),
        e => e,
    });
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/claims/{id}")).into_response()),
        Err(StoreError::Invalid(e)) if step => {
            let form = FormState::from_pairs(pairs_of(&i)).with_errors(v.lang, &e);
            unprocessable(&detail_page(&s, &v, &uri, id, Some(form), None).await?)
        }
        Err(StoreError::Invalid(e)) => unprocessable(&edit_page(&v, &uri, cur, &i, Some(&e))),
        Err(StoreError::Conflict) => {
            let fresh = s.store.claim(id).await?;
            if step {
                let mut page = detail_page(&s, &v, &uri, id, None, None).await?;
                page.ctx = page.ctx.with_notice("err-claim-changed");
                conflict(&page)
            } else {
                let mut page = edit_page(&v, &uri, fresh, &i, None);
                page.ctx = page.ctx.with_notice("err-claim-changed");
                conflict(&page)
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// A refused step names the statuses in the reader's language, not by their codes.
fn status_names(lang: Lang, mut e: minecoop_domain::FieldErrors) -> minecoop_domain::FieldErrors {
    for x in e.0.iter_mut().filter(|x| x.code == "err-claim-transition") {
        for (_, val) in x.args.iter_mut() {
            *val = lang.t(&format!("claim-status-{val}"));
        }
    }
    e
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DocumentForm {}

/// Attach a document (the application, the determination, a receipt) to a claim.
async fn add_document(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    sent: crate::upload::Submitted<DocumentForm>,
) -> AppResult<Response> {
    writable_claim(&s, v.principal()?, id).await?;
    let msg = match sent.file("file") {
        None => v.lang.t("err-file-none"),
        Some(file) => match s.store.attach_claim_document(&v.actor(), id, &file.name, &file.bytes).await {
            Ok(_) => return Ok(Redirect::to(&format!("/claims/{id}#documents")).into_response()),
            Err(StoreError::Invalid(e)) => {
                let code = e.0.first().map(|x| x.code).unwrap_or("err-file-empty");
                v.lang.t_args(code, &[("file", file.name.clone())])
            }
            Err(e) => return Err(e.into()),
        },
    };
    unprocessable(&detail_page(&s, &v, &uri, id, None, Some(msg)).await?)
}

/// A claim's document, as a download.
async fn document(State(s): State<AppState>, v: Viewer, Path((id, doc)): Path<(Uuid, Uuid)>) -> AppResult<Response> {
    readable_claim(&s, v.principal()?, id).await?;
    let a = s.store.attachment(doc).await?;
    if a.entity != minecoop_store::workforce::CLAIM_DOCUMENT_ENTITY || a.entity_id != id {
        return Err(AppError::NotFound);
    }
    Ok(crate::upload::download(&a.file_name, a.content))
}
