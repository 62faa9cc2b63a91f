//! The worker pages: the list per mine with filters, the form (new and new version), the
//! worker's page and the audited "show number".

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router, routing::get, routing::post};
use minecoop_domain::auth::Principal;
use minecoop_domain::workforce::certificate::{
    CertificateDraft, CertificateInput, TrainingDraft, TrainingInput, expiring_soon, valid_on,
};
use minecoop_domain::workforce::worker::{DependantInput, WorkerDraft, WorkerInput, dependant_field};
use minecoop_domain::workforce::{CertificateType, EmploymentForm, Job, Relation, Sex, WorkerState, state_on};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::workforce::{Certificate, Training, Worker, WorkerRecord};
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, conflict, unprocessable};
use crate::safety::{opt_id, query};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workers", get(list).post(create))
        .route("/workers/new", get(new))
        .route("/workers/{id}", get(detail).post(correct))
        .route("/workers/{id}/edit", get(edit))
        .route("/workers/{id}/id-number", post(reveal))
        .route("/workers/{id}/certificates", post(add_certificate))
        .route("/workers/{id}/training", post(add_training))
}

/// The mines whose workers the viewer may see.
pub(crate) async fn viewable_mines(s: &AppState, p: &Principal) -> AppResult<Vec<Mine>> {
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_view_workers_of(m.id, m.member_id)).collect())
}

/// A worker the viewer may see, with its mine; 403 otherwise (the bureau always).
pub(crate) async fn readable_worker(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(WorkerRecord, Mine)> {
    if !p.can_view_any_workers() {
        return Err(AppError::Forbidden);
    }
    let w = s.store.worker(id).await?;
    let m = s.store.mine(w.worker.mine_id).await?;
    if !p.can_view_workers_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((w, m))
}

/// A worker whose records the viewer keeps; 403 otherwise.
pub(crate) async fn writable_worker(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(WorkerRecord, Mine)> {
    let (w, m) = readable_worker(s, p, id).await?;
    if !p.can_manage_workers_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((w, m))
}

/// Check that the viewer may record workers for the mine named in the form (when it names one).
pub(crate) async fn may_record_for(s: &AppState, v: &Viewer, mine_id: &str) -> AppResult<()> {
    crate::registry::require_for_named_mine(s, v, mine_id, |p, m, e| p.can_manage_workers_of(m, e)).await
}

/// A worker as the list shows him.
pub struct Row {
    pub w: Worker,
    pub mine: String,
    pub state: &'static str,
    pub underground: bool,
    /// The certificate his job needs and he lacks today.
    pub missing: Option<CertificateType>,
}

fn state_code(s: WorkerState) -> &'static str {
    match s {
        WorkerState::Future => "future",
        WorkerState::Active => "active",
        WorkerState::Left => "left",
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    mine: String,
    /// `active` (default), `left`, `future` or `all`.
    state: String,
    job: String,
    form: String,
    /// Only workers flagged (lacking a certificate).
    flagged: bool,
    /// `csv` or `xlsx`: the list as a file (identity numbers masked).
    format: String,
}

#[derive(Template)]
#[template(path = "workforce/workers.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    mines: Vec<Opt>,
    states: Vec<Opt>,
    jobs: Vec<Opt>,
    forms: Vec<Opt>,
    can_add: bool,
    total: usize,
    flagged: bool,
    /// The list's filters, for its download links.
    query: String,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.require(|p| p.can_view_any_workers())?.clone();
    let q: ListQuery = query(&uri)?;
    let format = crate::export::Format::parse(&q.format)?;
    let mines = viewable_mines(&s, &p).await?;
    let ids = crate::safety::mine_ids(&mines, opt_id(&q.mine)?)?;
    let state = if q.state.is_empty() { "active" } else { q.state.as_str() };
    if !["active", "left", "future", "all"].contains(&state) {
        return Err(AppError::BadRequest("error-400-detail"));
    }
    let day = today();
    let all = s.store.workers(Some(&ids)).await?;
    let total = all.len();
    let missing = s.store.missing_certificates(&all, day).await?;
    let rows = all
        .into_iter()
        .map(|w| Row {
            state: state_code(state_on(w.start_date, w.end_date, day)),
            mine: mines.iter().find(|m| m.id == w.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default(),
            underground: Job::parse(&w.job).is_ok_and(|j| j.underground()),
            missing: missing.get(&w.worker_id).copied(),
            w,
        })
        .filter(|r| state == "all" || r.state == state)
        .filter(|r| !q.flagged || r.missing.is_some())
        .filter(|r| q.job.is_empty() || r.w.job == q.job)
        .filter(|r| q.form.is_empty() || r.w.employment_form == q.form)
        .collect::<Vec<Row>>();
    if let Some(format) = format {
        let shown: Vec<Worker> = rows.iter().map(|r| r.w.clone()).collect();
        let flags = rows.iter().filter_map(|r| Some((r.w.worker_id, r.missing?))).collect();
        let table = super::import::workers_table(v.lang, &shown, &mines, &flags);
        return crate::export::respond(&table, format);
    }
    let ctx = Ctx::new(&v, &uri);
    let mut filters =
        vec![("mine", q.mine.trim()), ("state", state), ("job", q.job.as_str()), ("form", q.form.as_str())];
    if q.flagged {
        filters.push(("flagged", "true"));
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(filters).finish();
    let mut mine_opts =
        vec![Opt { value: String::new(), label: ctx.t("workers-all-mines"), selected: q.mine.is_empty() }];
    mine_opts.extend(mines.iter().map(|m| Opt {
        value: m.id.to_string(),
        label: m.name_zh.clone(),
        selected: m.id.to_string() == q.mine.trim(),
    }));
    let mut jobs: Vec<&str> = vec![""];
    jobs.extend(Job::ALL.iter().map(|j| j.as_str()));
    let mut forms: Vec<&str> = vec![""];
    forms.extend(EmploymentForm::ALL.iter().map(|j| j.as_str()));
    render(&ListPage {
        states: code_options(ctx.lang, "worker-state", &["active", "left", "future", "all"], state),
        jobs: code_options(ctx.lang, "job", &jobs, &q.job),
        forms: code_options(ctx.lang, "employment-form", &forms, &q.form),
        mines: mine_opts,
        can_add: p.can_manage_any_workers(),
        flagged: q.flagged,
        query,
        ctx,
        rows,
        total,
    })
}

#[derive(Template)]
#[template(path = "workforce/worker_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    mines: Vec<Opt>,
    sexes: Vec<Opt>,
    jobs: Vec<Opt>,
    forms: Vec<Opt>,
    /// One row per dependant: its index and the relation options.
    dependants: Vec<(usize, Vec<Opt>)>,
    editing: Option<Worker>,
}

/// Form fields as name/value pairs: the worker's, then `dependants[i].field` for each row.
fn pairs_of(i: &WorkerInput) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![
        ("mine_id".into(), i.mine_id.clone()),
        ("name".into(), i.name.clone()),
        ("id_number".into(), i.id_number.clone()),
        ("sex".into(), i.sex.clone()),
        ("birth_date".into(), i.birth_date.clone()),
        ("home_village".into(), i.home_village.clone()),
        ("phone".into(), i.phone.clone()),
        ("job".into(), i.job.clone()),
        ("employment_form".into(), i.employment_form.clone()),
        ("start_date".into(), i.start_date.clone()),
        ("end_date".into(), i.end_date.clone()),
        ("emergency_name".into(), i.emergency_name.clone()),
        ("emergency_phone".into(), i.emergency_phone.clone()),
        ("reason".into(), i.reason.clone()),
    ];
    for (n, d) in i.dependants.iter().enumerate() {
        out.push((dependant_field(n, "name"), d.name.clone()));
        out.push((dependant_field(n, "relation"), d.relation.clone()));
        out.push((dependant_field(n, "birth_date"), d.birth_date.clone()));
        out.push((dependant_field(n, "id_number"), d.id_number.clone()));
    }
    out
}

/// The submitted form back as an input: dependants' fields by their index.
fn input_of_pairs(pairs: &[(String, String)]) -> (WorkerInput, String) {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut dependants: Vec<DependantInput> = Vec::new();
    for (k, v) in pairs {
        let Some(rest) = k.strip_prefix("dependants[") else { continue };
        let Some((n, field)) = rest.split_once("].") else { continue };
        let Ok(n) = n.parse::<usize>() else { continue };
        if n >= 50 {
            continue;
        }
        if dependants.len() <= n {
            dependants.resize(n + 1, DependantInput::default());
        }
        let d = &mut dependants[n];
        match field {
            "name" => d.name = v.clone(),
            "relation" => d.relation = v.clone(),
            "birth_date" => d.birth_date = v.clone(),
            "id_number" => d.id_number = v.clone(),
            _ => {}
        }
    }
    let input = WorkerInput {
        mine_id: get("mine_id"),
        name: get("name"),
        id_number: get("id_number"),
        sex: get("sex"),
        birth_date: get("birth_date"),
        home_village: get("home_village"),
        phone: get("phone"),
        job: get("job"),
        employment_form: get("employment_form"),
        start_date: get("start_date"),
        end_date: get("end_date"),
        emergency_name: get("emergency_name"),
        emergency_phone: get("emergency_phone"),
        dependants,
        reason: get("reason"),
    };
    (input, get("version"))
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    input: &WorkerInput,
    errors: Option<&minecoop_domain::FieldErrors>,
    editing: Option<Worker>,
) -> AppResult<FormPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let mut form = FormState::from_pairs(pairs_of(input));
    if let Some(e) = errors {
        form = form.with_errors(ctx.lang, e);
    }
    let mines = s
        .store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_manage_workers_of(m.id, m.member_id))
        .map(|m| Opt { selected: m.id.to_string() == form.v("mine_id"), value: m.id.to_string(), label: m.name_zh })
        .collect();
    let mut sexes: Vec<&str> = vec![""];
    sexes.extend(Sex::ALL.iter().map(|x| x.as_str()));
    let mut jobs: Vec<&str> = vec![""];
    jobs.extend(Job::ALL.iter().map(|x| x.as_str()));
    let mut forms: Vec<&str> = vec![""];
    forms.extend(EmploymentForm::ALL.iter().map(|x| x.as_str()));
    let mut rels: Vec<&str> = vec![""];
    rels.extend(Relation::ALL.iter().map(|x| x.as_str()));
    // Every row entered, and two empty ones (at least four in all) for more.
    let rows = (input.dependants.len() + 2).max(4);
    let dependants = (0..rows)
        .map(|n| (n, code_options(ctx.lang, "relation", &rels, form.v(&dependant_field(n, "relation")))))
        .collect();
    Ok(FormPage {
        sexes: code_options(ctx.lang, "sex", &sexes, form.v("sex")),
        jobs: code_options(ctx.lang, "job", &jobs, form.v("job")),
        forms: code_options(ctx.lang, "employment-form", &forms, form.v("employment_form")),
        ctx,
        form,
        mines,
        dependants,
        editing,
    })
}

impl FormPage {
    fn dep(&self, n: &usize, field: &str) -> String {
        self.form.v(&dependant_field(*n, field)).to_owned()
    }

    fn dep_err(&self, n: &usize, field: &str) -> Option<String> {
        self.form.err(&dependant_field(*n, field)).map(str::to_owned)
    }
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let mine = v.principal()?.mine_id.map(|m| m.to_string()).unwrap_or_default();
    let input = WorkerInput {
        mine_id: mine,
        employment_form: "contract".into(),
        start_date: today().to_string(),
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, &input, None, None).await?)
}

async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_any_workers())?;
    let (i, _) = input_of_pairs(&pairs);
    may_record_for(&s, &v, &i.mine_id).await?;
    let result = match WorkerDraft::parse(&i, today()) {
        Ok(d) => s.store.record_worker(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/workers/{}", r.worker.worker_id)).into_response()),
        Err(StoreError::Invalid(e)) => unprocessable(&form_page(&s, &v, &uri, &i, Some(&e), None).await?),
        Err(e) => Err(e.into()),
    }
}

/// A recorded worker back as the form's strings; the identity number is not shown again
/// unless the viewer types it (a new version keeps the stored one when left as it is).
fn input_of(r: &WorkerRecord) -> WorkerInput {
    let w = &r.worker;
    WorkerInput {
        mine_id: w.mine_id.to_string(),
        name: w.name.clone(),
        id_number: String::new(),
        sex: w.sex.clone(),
        birth_date: w.birth_date.to_string(),
        home_village: w.home_village.clone().unwrap_or_default(),
        phone: w.phone.clone().unwrap_or_default(),
        job: w.job.clone(),
        employment_form: w.employment_form.clone(),
        start_date: w.start_date.to_string(),
        end_date: w.end_date.map(|d| d.to_string()).unwrap_or_default(),
        emergency_name: w.emergency_name.clone().unwrap_or_default(),
        emergency_phone: w.emergency_phone.clone().unwrap_or_default(),
        dependants: r
            .dependants
            .iter()
            .map(|d| DependantInput {
                name: d.name.clone(),
                relation: d.relation.clone(),
                birth_date: d.birth_date.to_string(),
                id_number: String::new(),
            })
            .collect(),
        reason: String::new(),
    }
}

async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (r, _) = writable_worker(&s, v.principal()?, id).await?;
    render(&form_page(&s, &v, &uri, &input_of(&r), None, Some(r.worker)).await?)
}

/// Fill what a new version left blank from what is stored: the identity numbers, which the
/// form never shows whole (the worker's, and each dependant's at the same place in the list).
async fn complete_numbers(s: &AppState, cur: &WorkerRecord, i: &mut WorkerInput) -> AppResult<()> {
    let needs_worker = i.id_number.trim().is_empty();
    let needs_deps = i.dependants.iter().enumerate().any(|(n, d)| {
        d.id_number.trim().is_empty()
            && cur.dependants.get(n).is_some_and(|c| c.id_cipher.is_some() && c.name == d.name.trim())
    });
    if !needs_worker && !needs_deps {
        return Ok(());
    }
    let numbers = s.store.stored_numbers(cur)?;
    if needs_worker {
        i.id_number = numbers.worker;
    }
    for (n, d) in i.dependants.iter_mut().enumerate() {
        if d.id_number.trim().is_empty()
            && let (Some(c), Some(Some(num))) = (cur.dependants.get(n), numbers.dependants.get(n))
            && c.name == d.name.trim()
        {
            d.id_number = num.clone();
        }
    }
    Ok(())
}

async fn correct(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (cur, _) = writable_worker(&s, v.principal()?, id).await?;
    let (shown, version) = input_of_pairs(&pairs);
    let mut i = shown.clone();
    complete_numbers(&s, &cur, &mut i).await?;
    let expected: i32 = version.trim().parse().unwrap_or(0);
    let result = match WorkerDraft::parse(&i, today()) {
        Ok(d) => s.store.correct_worker(&v.actor(), id, expected, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/workers/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, &shown, Some(&e), Some(cur.worker)).await?)
        }
        Err(StoreError::Conflict) => {
            let fresh = s.store.worker(id).await?;
            let mut page = form_page(&s, &v, &uri, &shown, None, Some(fresh.worker)).await?;
            page.ctx = page.ctx.with_notice("err-worker-changed");
            conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "workforce/worker.html")]
struct DetailPage {
    ctx: Ctx,
    r: WorkerRecord,
    mine: Mine,
    state: &'static str,
    underground: bool,
    certificate: Option<String>,
    versions: Vec<Worker>,
    /// The same person's records at other mines the viewer may see.
    elsewhere: Vec<(Worker, String)>,
    can_edit: bool,
    can_reveal: bool,
    /// The number in full, right after an audited "show number".
    revealed: Option<String>,
    certificates: Vec<CertRow>,
    training: Vec<Training>,
    /// The certificate the job needs and the worker lacks today.
    missing: Option<String>,
    cform: FormState,
    tform: FormState,
    cert_types: Vec<Opt>,
    /// The worker's injury claims.
    claims: Vec<super::claims::Row>,
}

/// A certificate as the worker's page shows it: `valid`, `expiring` (within 30 days) or
/// `expired`.
pub struct CertRow {
    pub c: Certificate,
    pub state: &'static str,
}

impl DetailPage {
    fn hours(&self, tenths: &i32) -> String {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The forms of the worker's page, as submitted (with their errors) or empty.
#[derive(Default)]
struct SubForms {
    cert: FormState,
    training: FormState,
}

async fn detail_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    revealed: Option<String>,
    forms: SubForms,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (r, mine) = readable_worker(s, &p, id).await?;
    let mines = viewable_mines(s, &p).await?;
    let elsewhere = s
        .store
        .same_person(id)
        .await?
        .into_iter()
        .filter_map(|w| mines.iter().find(|m| m.id == w.mine_id).map(|m| (w, m.name_zh.clone())))
        .collect();
    let job = Job::parse(&r.worker.job).ok();
    let ctx = Ctx::new(v, uri);
    let day = today();
    let certificates: Vec<CertRow> = s
        .store
        .certificates_of(id)
        .await?
        .into_iter()
        .map(|c| CertRow {
            state: if !valid_on(c.issued_on, c.expires_on, day) {
                "expired"
            } else if expiring_soon(c.expires_on, day) {
                "expiring"
            } else {
                "valid"
            },
            c,
        })
        .collect();
    let missing = s
        .store
        .missing_certificates(std::slice::from_ref(&r.worker), day)
        .await?
        .get(&id)
        .map(|t| ctx.t(&format!("certificate-type-{}", t.as_str())));
    let types: Vec<&str> = CertificateType::ALL.iter().map(|t| t.as_str()).collect();
    let wanted = job.and_then(|j| j.certificate()).map(|c| c.as_str()).unwrap_or("");
    let cert_types = code_options(
        ctx.lang,
        "certificate-type",
        &types,
        if forms.cert.v("cert_type").is_empty() { wanted } else { forms.cert.v("cert_type") },
    );
    let has_errors = forms.cert.has_errors() || forms.training.has_errors();
    let f = minecoop_store::workforce::ClaimFilter { worker: Some(id), ..Default::default() };
    let claims = super::claims::rows(ctx.lang, s.store.claims(&f).await?, std::slice::from_ref(&mine));
    let page = DetailPage {
        claims,
        certificates,
        training: s.store.training_of(id).await?,
        missing,
        cform: forms.cert,
        tform: forms.training,
        cert_types,
        state: state_code(state_on(r.worker.start_date, r.worker.end_date, today())),
        underground: job.is_some_and(|j| j.underground()),
        certificate: job.and_then(|j| j.certificate()).map(|c| ctx.t(&format!("certificate-type-{}", c.as_str()))),
        versions: s.store.worker_versions(id).await?,
        can_edit: p.can_manage_workers_of(mine.id, mine.member_id),
        can_reveal: p.can_reveal_id_number_of(mine.id, mine.member_id),
        ctx,
        r,
        mine,
        elsewhere,
        revealed,
    };
    if has_errors { unprocessable(&page) } else { render(&page) }
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    detail_page(&s, &v, &uri, id, None, SubForms::default()).await
}

/// "Show number": the number in full on the worker's page, for those allowed; every view is
/// written to the audit trail.
async fn reveal(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (_, mine) = readable_worker(&s, &p, id).await?;
    if !p.can_reveal_id_number_of(mine.id, mine.member_id) {
        return Err(AppError::Forbidden);
    }
    let number = s.store.reveal_id_number(&v.actor(), id).await?;
    let mut r = detail_page(&s, &v, &uri, id, Some(number), SubForms::default()).await?;
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}

async fn add_certificate(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<CertificateInput>,
) -> AppResult<Response> {
    writable_worker(&s, v.principal()?, id).await?;
    match CertificateDraft::parse(&i, today()) {
        Ok(d) => {
            s.store.add_certificate(&v.actor(), id, &d).await?;
            Ok(Redirect::to(&format!("/workers/{id}#certificates")).into_response())
        }
        Err(e) => {
            let forms = SubForms { cert: FormState::of(&i).with_errors(v.lang, &e), ..Default::default() };
            detail_page(&s, &v, &uri, id, None, forms).await
        }
    }
}

async fn add_training(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<TrainingInput>,
) -> AppResult<Response> {
    writable_worker(&s, v.principal()?, id).await?;
    match TrainingDraft::parse(&i, today()) {
        Ok(d) => {
            s.store.add_training(&v.actor(), id, &d).await?;
            Ok(Redirect::to(&format!("/workers/{id}#training")).into_response())
        }
        Err(e) => {
            let forms = SubForms { training: FormState::of(&i).with_errors(v.lang, &e), ..Default::default() };
            detail_page(&s, &v, &uri, id, None, forms).await
        }
    }
}
