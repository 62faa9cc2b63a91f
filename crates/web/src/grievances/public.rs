//! The public side of grievances: a light page without login that works on a cheap phone
//! (no script, large targets, Chinese unless the visitor chose English, prints), the tracking
//! code shown once, and the case followed with the code. Nothing about the sender is stored: no
//! address, device or session; the audit trail names "public". The code travels in form bodies
//! only (never in an address, which logs and histories keep); wrong codes are limited per
//! address in memory, and answered alike whether malformed or unknown.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use minecoop_domain::FieldErrors;
use minecoop_domain::grievances::workflow::{By, MessageKind};
use minecoop_domain::grievances::{GrievanceDraft, GrievanceInput, Status, code};
use minecoop_store::StoreError;
use minecoop_store::grievances::{Case, Grievance, public_actor};
use serde::{Deserialize, Serialize};

use super::{IntakeFields, StepView, intake_fields, parse_form, step_views};
use crate::cadastre::today;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState};
use crate::session::{ClientIp, LANG_COOKIE, Viewer, cookie};
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/grievance", get(form).post(submit))
        .route("/grievance/track", get(track_form).post(track))
        .route("/grievance/track/info", post(add_info))
        .route("/grievance/track/answer", post(answer))
}

/// The page context in the visitor's language: Chinese first, English only when chosen (the
/// language switch's cookie), whatever the browser says.
fn public_ctx(v: &Viewer, uri: &Uri, headers: &HeaderMap) -> Ctx {
    let mut ctx = Ctx::new(v, uri);
    if v.user.is_none() {
        ctx.lang = cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or(Lang::Zh);
    }
    ctx
}

/// A page with a status, kept out of every cache and history.
fn respond<T: Template>(page: &T, status: StatusCode) -> AppResult<Response> {
    let mut r = crate::page::render(page)?;
    *r.status_mut() = status;
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

fn ip_key(ip: &ClientIp) -> String {
    ip.0.clone().unwrap_or_else(|| "-".into())
}

#[derive(Template)]
#[template(path = "grievances/public_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    fields: IntakeFields,
    error: Option<String>,
}

async fn form_page(s: &AppState, ctx: Ctx, i: &GrievanceInput, form: FormState) -> AppResult<FormPage> {
    let mines = s.store.mine_choices().await?;
    let fields = intake_fields(ctx.lang, i, &mines);
    Ok(FormPage { ctx, form, fields, error: None })
}

async fn form(State(s): State<AppState>, v: Viewer, uri: Uri, headers: HeaderMap) -> AppResult<Response> {
    let ctx = public_ctx(&v, &uri, &headers);
    let i = GrievanceInput::default();
    respond(&form_page(&s, ctx, &i, FormState::default()).await?, StatusCode::OK)
}

async fn submit(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> AppResult<Response> {
    let ctx = public_ctx(&v, &uri, &headers);
    let lang = ctx.lang;
    let (i, _) = parse_form(&body);
    let key = ip_key(&ip);
    if s.limits.submit.blocked(&key) {
        let mut page = form_page(&s, ctx, &i, FormState::of(&i)).await?;
        page.error = Some(lang.t("grievance-too-many"));
        return respond(&page, StatusCode::TOO_MANY_REQUESTS);
    }
    let result = match GrievanceDraft::parse(&i, today(), true) {
        Ok(d) => s.store.record_grievance(&public_actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok((g, plain)) => {
            s.limits.submit.hit(&key);
            code_page(public_ctx(&v, &uri, &headers), &g, &plain, true)
        }
        Err(StoreError::Invalid(e)) => {
            let form = FormState::of(&i).with_errors(lang, &e);
            respond(&form_page(&s, ctx, &i, form).await?, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "grievances/submitted.html")]
struct CodePage {
    ctx: Ctx,
    g: Grievance,
    code: String,
    /// From the public page (else recorded by staff, who hand the code over).
    public: bool,
}

/// The tracking code, shown once, with the advice to write it down; printable.
pub(crate) fn code_page(ctx: Ctx, g: &Grievance, plain: &str, public: bool) -> AppResult<Response> {
    respond(&CodePage { ctx, g: g.clone(), code: code::display(plain), public }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "grievances/track.html")]
struct TrackPage {
    ctx: Ctx,
    code: String,
    error: Option<String>,
}

async fn track_form(v: Viewer, uri: Uri, headers: HeaderMap) -> AppResult<Response> {
    respond(&TrackPage { ctx: public_ctx(&v, &uri, &headers), code: String::new(), error: None }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "grievances/case.html")]
struct CasePage {
    ctx: Ctx,
    case: Case,
    status: Status,
    steps: Vec<StepView>,
    mines: String,
    code: String,
    form: FormState,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct CodeForm {
    code: String,
    text: String,
    /// `accepted` or `rejected`.
    outcome: String,
    note: String,
}

/// The case of a typed code, or the page that says the code opens nothing (429 after too many
/// wrong codes from the address).
async fn open_case(s: &AppState, ctx: Ctx, ip: &ClientIp, typed: &str) -> AppResult<Result<(Ctx, Case), Response>> {
    let key = ip_key(ip);
    if s.limits.wrong_code.blocked(&key) {
        let error = Some(ctx.t("grievance-code-too-many"));
        return Ok(Err(respond(&TrackPage { ctx, code: String::new(), error }, StatusCode::TOO_MANY_REQUESTS)?));
    }
    match s.store.grievance_by_code(typed).await? {
        Some(case) => Ok(Ok((ctx, case))),
        None => {
            s.limits.wrong_code.hit(&key);
            let error = Some(ctx.t("grievance-code-wrong"));
            Ok(Err(respond(&TrackPage { ctx, code: typed.chars().take(40).collect(), error }, StatusCode::NOT_FOUND)?))
        }
    }
}

async fn case_page(s: &AppState, ctx: Ctx, case: Case, typed: &str, form: FormState) -> AppResult<Response> {
    let mines = s.store.mine_choices().await?;
    let lang = ctx.lang;
    let status = case.status();
    let public = case.public_steps();
    let steps = step_views(lang, &public);
    let status_code = if form.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = CasePage {
        mines: super::mine_names(lang, &mines, &case.mines),
        code: code::normalize(typed).map(|c| code::display(&c)).unwrap_or_default(),
        ctx,
        steps,
        status,
        case,
        form,
    };
    respond(&page, status_code)
}

async fn track(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Extension(ip): Extension<ClientIp>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let ctx = public_ctx(&v, &uri, &headers);
    match open_case(&s, ctx, &ip, &f.code).await? {
        Ok((ctx, case)) => case_page(&s, ctx, case, &f.code, FormState::default()).await,
        Err(r) => Ok(r),
    }
}

async fn add_info(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Extension(ip): Extension<ClientIp>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let ctx = public_ctx(&v, &uri, &headers);
    let (ctx, case) = match open_case(&s, ctx, &ip, &f.code).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let lang = ctx.lang;
    match s.store.grievance_message(&public_actor(), case.g.id, MessageKind::Info, &f.text).await {
        Ok(_) => {
            let case = s.store.grievance_case(case.g.id).await?;
            case_page(&s, ctx.with_notice("grievance-info-added"), case, &f.code, FormState::default()).await
        }
        Err(StoreError::Invalid(e)) => case_page(&s, ctx, case, &f.code, FormState::of(&f).with_errors(lang, &e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn answer(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Extension(ip): Extension<ClientIp>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let ctx = public_ctx(&v, &uri, &headers);
    let (ctx, case) = match open_case(&s, ctx, &ip, &f.code).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let lang = ctx.lang;
    let to = match f.outcome.as_str() {
        "accepted" => Ok(Status::Accepted),
        "rejected" => Ok(Status::Rejected),
        _ => {
            let mut e = FieldErrors::new();
            e.add("outcome", "err-choice");
            Err(StoreError::Invalid(e))
        }
    };
    let note = minecoop_domain::validation::optional_text(&f.note, 2000).map_err(|c| StoreError::field("note", c));
    let result = match (to, note) {
        (Ok(to), Ok(note)) => s.store.grievance_step(&public_actor(), case.g.id, to, By::Complainant, None, note).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(_) => {
            let case = s.store.grievance_case(case.g.id).await?;
            case_page(&s, ctx.with_notice("grievance-answer-recorded"), case, &f.code, FormState::default()).await
        }
        Err(StoreError::Invalid(e)) => case_page(&s, ctx, case, &f.code, FormState::of(&f).with_errors(lang, &e)).await,
        Err(e) => Err(e.into()),
    }
}
