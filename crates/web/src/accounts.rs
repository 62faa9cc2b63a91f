//! Logging in and out, the language switch, one's own account (password, API tokens) and the
//! administrator's user list.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minecoop_domain::FieldErrors;
use minecoop_domain::auth::Role;
use minecoop_store::accounts::{LoginOutcome, NewUser, User, api_token};
use minecoop_store::{StoreError, now};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::session::{LANG_COOKIE, SESSION_COOKIE, Viewer, cookie, is_secure, set_cookie};
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/language", post(save_language))
        .route("/account/email", post(save_email))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}", post(update_user))
}

/// Only local paths are followed after login or a language switch (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                // Browsers drop tabs and newlines from URLs, so `/\t/evil` would become `//evil`.
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    ctx: Ctx,
    next: String,
    username: String,
    error: Option<String>,
}

async fn login_page(v: Viewer, uri: Uri, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if v.principal.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    render(&LoginPage {
        ctx: Ctx::new(&v, &uri),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    axum::Extension(ip): axum::Extension<crate::session::ClientIp>,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(f.next.as_deref());
    let (status, key) = match s.store.login_from(&f.username, &f.password, ip.0.as_deref(), now()).await? {
        LoginOutcome::Ok { user, session_token } => {
            tracing::info!(user = %user.username, "logged in");
            let secure = is_secure(&s, &headers);
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &session_token, 14 * 86400, secure));
            // The user's saved language wins over the browser's from now on.
            if let Some(l) = user.language.as_deref().and_then(Lang::parse) {
                r.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, l.code(), 365 * 86400, secure));
            }
            return Ok(r);
        }
        LoginOutcome::BadCredentials => (StatusCode::UNAUTHORIZED, "login-failed"),
        LoginOutcome::Throttled => (StatusCode::TOO_MANY_REQUESTS, "login-throttled"),
    };
    let ctx = Ctx::new(&v, &uri);
    let error = Some(ctx.t(key));
    let mut r = render(&LoginPage { ctx, next, username: f.username, error })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn logout(State(s): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(tok) = cookie(&headers, SESSION_COOKIE) {
        s.store.end_session(tok).await?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, is_secure(&s, &headers)));
    Ok(r)
}

/// The switch on every page: a cookie only, so a link cannot change anything stored. The
/// account page saves the choice for every device (`save_language`).
async fn set_lang(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), 365 * 86400, is_secure(&s, &headers)));
    Ok(r)
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    ctx: Ctx,
    user: User,
    tokens: Vec<api_token::Model>,
    new_token: Option<String>,
    password_form: FormState,
    token_form: FormState,
    email_form: FormState,
}

async fn account_page(s: &AppState, v: &Viewer, uri: &Uri) -> AppResult<AccountPage> {
    v.principal()?;
    let user = v.user.clone().ok_or(AppError::Unauthorized)?;
    let tokens = s.store.api_tokens(user.id).await?;
    Ok(AccountPage {
        ctx: Ctx::new(v, uri),
        user,
        tokens,
        new_token: None,
        password_form: FormState::default(),
        token_form: FormState::default(),
        email_form: FormState::default(),
    })
}

async fn account(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    render(&account_page(&s, &v, &uri).await?)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new_password: String,
}

async fn change_password(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut page = account_page(&s, &v, &uri).await?;
    let user = page.user.clone();
    let mut errors = FieldErrors::new();
    // Re-check the current password through the throttled login path.
    match s.store.login(&user.username, &f.current, now()).await? {
        LoginOutcome::Ok { session_token, .. } => s.store.end_session(&session_token).await?,
        LoginOutcome::BadCredentials => errors.add("current", "err-password-wrong"),
        LoginOutcome::Throttled => return Err(AppError::Throttled),
    }
    if errors.is_empty() {
        match s.store.set_user_password(&v.actor(), user.id, &f.new_password).await {
            Ok(_) => {
                // Every session of the account ended with the change; this browser gets a new one.
                let token = s.store.create_session(user.id, now()).await?;
                let fresh = s.store.session_user(&token, now()).await?.ok_or(AppError::Unauthorized)?;
                page.ctx.csrf = fresh.csrf_token;
                page.ctx = page.ctx.with_notice("account-password-changed");
                let mut r = render(&page)?;
                r.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(SESSION_COOKIE, &token, 14 * 86400, is_secure(&s, &headers)),
                );
                return Ok(r);
            }
            Err(StoreError::Invalid(e)) => errors = e,
            Err(e) => return Err(e.into()),
        }
    }
    page.password_form = FormState::default().with_errors(v.lang, &errors);
    let mut r = render(&page)?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// The address the user's alerts are e-mailed to (empty: none).
async fn save_email(State(s): State<AppState>, v: Viewer, uri: Uri, Form(f): Form<EmailForm>) -> AppResult<Response> {
    let user = v.user.clone().ok_or(AppError::Unauthorized)?;
    match s.store.set_user_email(&v.actor(), user.id, &f.email).await {
        Ok(_) => Ok(Redirect::to("/account").into_response()),
        Err(StoreError::Invalid(e)) => {
            let mut page = account_page(&s, &v, &uri).await?;
            page.email_form = FormState::default().with_errors(v.lang, &e);
            let mut r = render(&page)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    language: String,
}

async fn save_language(
    State(s): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Form(f): Form<LanguageForm>,
) -> AppResult<Response> {
    let user = v.user.clone().ok_or(AppError::Unauthorized)?;
    let lang = Lang::parse(&f.language).ok_or(AppError::BadRequest("error-400-detail"))?;
    if user.language.as_deref() != Some(lang.code()) {
        s.store.set_user_language(&v.actor(), user.id, lang.code()).await?;
    }
    let mut r = Redirect::to("/account").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), 365 * 86400, is_secure(&s, &headers)));
    Ok(r)
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

async fn create_token(State(s): State<AppState>, v: Viewer, uri: Uri, Form(f): Form<TokenForm>) -> AppResult<Response> {
    let mut page = account_page(&s, &v, &uri).await?;
    match s.store.create_api_token(&v.actor(), page.user.id, &f.name).await {
        Ok((_, secret)) => {
            page.new_token = Some(secret);
            page.tokens = s.store.api_tokens(page.user.id).await?;
            render(&page)
        }
        Err(StoreError::Invalid(e)) => {
            page.token_form = FormState::new([("name", f.name)]).with_errors(v.lang, &e);
            let mut r = render(&page)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Response> {
    let p = v.principal()?;
    s.store.revoke_api_token(&v.actor(), p.user_id, id).await?;
    Ok(Redirect::to("/account").into_response())
}

// ---- administration of users ---------------------------------------------------------------

pub struct UserRow {
    pub user: User,
    pub scope_label: String,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    ctx: Ctx,
    rows: Vec<UserRow>,
    form: FormState,
    roles: Vec<Opt>,
    members: Vec<Opt>,
    mines: Vec<Opt>,
}

async fn users_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState) -> AppResult<UsersPage> {
    v.require(|p| p.can_manage_users())?;
    let ctx = Ctx::new(v, uri);
    let members = s.store.member_choices().await?;
    let mines = s.store.mine_choices().await?;
    let name_of = |id: Option<Uuid>| -> String {
        id.and_then(|id| {
            members
                .iter()
                .find(|m| m.id == id)
                .map(|m| m.name_zh.clone())
                .or_else(|| mines.iter().find(|m| m.id == id).map(|m| m.name_zh.clone()))
        })
        .unwrap_or_default()
    };
    let rows = s
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| {
            let scope_label = name_of(u.member_id.or(u.mine_id));
            UserRow { user: u, scope_label }
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str().into(),
            label: ctx.t(&format!("role-{}", r.as_str())),
            selected: form.v("role") == r.as_str(),
        })
        .collect();
    let member_opts = members
        .iter()
        .map(|m| Opt {
            value: m.id.to_string(),
            label: m.name_zh.clone(),
            selected: form.v("member_id") == m.id.to_string(),
        })
        .collect();
    let mine_opts = mines
        .iter()
        .map(|m| Opt {
            value: m.id.to_string(),
            label: m.name_zh.clone(),
            selected: form.v("mine_id") == m.id.to_string(),
        })
        .collect();
    Ok(UsersPage { ctx, rows, form, roles, members: member_opts, mines: mine_opts })
}

async fn users(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    render(&users_page(&s, &v, &uri, FormState::default()).await?)
}

/// Every field defaults, so that the role check runs before any complaint about the body.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    member_id: String,
    mine_id: String,
}

fn opt_uuid(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

async fn create_user(State(s): State<AppState>, v: Viewer, uri: Uri, Form(f): Form<UserForm>) -> AppResult<Response> {
    v.require(|p| p.can_manage_users())?;
    let values = FormState::new([
        ("username", f.username.clone()),
        ("display_name", f.display_name.clone()),
        ("role", f.role.clone()),
        ("member_id", f.member_id.clone()),
        ("mine_id", f.mine_id.clone()),
    ]);
    let role = match Role::parse(&f.role) {
        Ok(r) => r,
        Err(code) => {
            let mut e = FieldErrors::new();
            e.add("role", code);
            return form_error(users_page(&s, &v, &uri, values.with_errors(v.lang, &e)).await?);
        }
    };
    let n = NewUser {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        role,
        member_id: opt_uuid(&f.member_id).filter(|_| role == Role::Owner),
        mine_id: opt_uuid(&f.mine_id).filter(|_| role == Role::SafetyOfficer),
    };
    match s.store.create_user(&v.actor(), n).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(StoreError::Invalid(e)) => form_error(users_page(&s, &v, &uri, values.with_errors(v.lang, &e)).await?),
        Err(e) => Err(e.into()),
    }
}

fn form_error<T: Template>(page: T) -> AppResult<Response> {
    let mut r = render(&page)?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserUpdate {
    action: String,
}

async fn update_user(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Form(f): Form<UserUpdate>,
) -> AppResult<Response> {
    let p = v.require(|p| p.can_manage_users())?;
    let disable = match f.action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(AppError::BadRequest("error-400-detail")),
    };
    // An administrator cannot lock themselves out.
    if disable && id == p.user_id {
        return Err(AppError::BadRequest("err-disable-self"));
    }
    s.store.set_user_disabled(&v.actor(), id, disable).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
