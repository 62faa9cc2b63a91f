//! Who is asking, in which language, and whether their form really came from our page.
//! One middleware resolves the session (cookie) or API token (bearer), the language, and checks
//! the CSRF token of every state-changing request before any handler runs.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use minecoop_domain::auth::{Principal, Scope};
use minecoop_store::accounts::{User, random_token};
use minecoop_store::{Actor, now};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "mc_session";
pub const CSRF_COOKIE: &str = "mc_csrf";
pub const LANG_COOKIE: &str = "mc_lang";
/// Largest form body the CSRF check will read.
const MAX_FORM: usize = 256 * 1024;
/// Largest upload (a form with files): a corner table, a laboratory's sheet.
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Language: the user's choice (cookie), else the browser's Accept-Language.
pub fn lang_of_request(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| Lang::negotiate(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())))
}

/// The client's address: the peer of the connection, or behind a trusted reverse proxy the
/// first address of `X-Forwarded-For`. `None` in tests that call the router directly.
pub fn client_ip(state: &AppState, req: &Request) -> Option<String> {
    if state.config.trust_proxy
        && let Some(first) =
            req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next())
    {
        return Some(first.trim().to_owned());
    }
    req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// The client's address as the session layer found it.
#[derive(Clone, Debug)]
pub struct ClientIp(pub Option<String>);

pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The requester, available to every handler.
#[derive(Clone)]
pub struct Viewer {
    pub user: Option<User>,
    pub principal: Option<Principal>,
    pub lang: Lang,
    pub csrf: String,
    /// Authenticated by an API token rather than a browser session.
    pub via_token: bool,
    /// The user's unread alerts, for the bell (counted for pages only).
    pub unread_alerts: u64,
}

impl Viewer {
    /// The logged-in principal, or 401 (pages: redirect to login).
    pub fn principal(&self) -> AppResult<&Principal> {
        self.principal.as_ref().ok_or(AppError::Unauthorized)
    }

    /// The principal if `allowed` says yes, else 403.
    pub fn require(&self, allowed: impl FnOnce(&Principal) -> bool) -> AppResult<&Principal> {
        let p = self.principal()?;
        if allowed(p) { Ok(p) } else { Err(AppError::Forbidden) }
    }

    pub fn actor(&self) -> Actor {
        match &self.user {
            Some(u) => Actor { user_id: Some(u.id), name: u.username.clone() },
            None => Actor::system("anonymous"),
        }
    }

    /// Which part of the register this viewer sees.
    pub async fn scope(&self, state: &AppState) -> AppResult<Scope> {
        let p = self.principal()?;
        let officer_member = match p.mine_id {
            Some(id) => state.store.mine(id).await.ok().map(|m| m.member_id),
            None => None,
        };
        Ok(p.register_scope(officer_member))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| AppError::Internal("session layer missing".into()))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Find `_csrf` in an urlencoded body.
fn form_csrf(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body).find(|(k, _)| k == "_csrf").map(|(_, v)| v.into_owned())
}

/// Find `_csrf` in a `multipart/form-data` body (a form with a file).
async fn multipart_csrf(content_type: &str, body: &axum::body::Bytes) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let chunk = body.clone();
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(chunk) });
    let mut parts = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = parts.next_field().await {
        if field.name() == Some("_csrf") && field.file_name().is_none() {
            return field.text().await.ok();
        }
    }
    None
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn user_logged_in(parts: &Parts) -> bool {
    parts.extensions.get::<Viewer>().is_some_and(|v| v.user.is_some())
}

pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match resolve(&state, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn resolve(state: &AppState, req: Request, next: Next) -> AppResult<Response> {
    let ip = ClientIp(client_ip(state, &req));
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(ip);
    let lang = lang_of_request(&parts.headers);
    let mut new_csrf_cookie = None;
    // Tokens are for programs using the API; they open no pages and mint no more tokens.
    let api = parts.uri.path().starts_with("/api/");
    let (user, csrf, via_token) = if let Some(secret) = bearer(&parts.headers).filter(|_| api) {
        let user = state.store.api_token_user(secret).await?.ok_or(AppError::Unauthorized)?;
        (Some(user), String::new(), true)
    } else {
        let session = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(tok) => state.store.session_user(tok, now()).await?,
            None => None,
        };
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        match session {
            Some(s) => (Some(s.user), s.csrf_token, false),
            // An expired session posting a form: ask to log in again rather than blame the form.
            None if unsafe_method && cookie(&parts.headers, SESSION_COOKIE).is_some_and(|c| !c.is_empty()) => {
                return Err(AppError::Unauthorized);
            }
            None => {
                let c = match cookie(&parts.headers, CSRF_COOKIE) {
                    Some(c) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => c.to_owned(),
                    _ => {
                        let c = random_token(32);
                        new_csrf_cookie = Some(c.clone());
                        c
                    }
                };
                (None, c, false)
            }
        }
    };

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if unsafe_method && !via_token {
        let header_token = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        // A fresh CSRF cookie means the browser never loaded one of our forms: refuse before
        // reading a byte of the body.
        if new_csrf_cookie.is_some() {
            tracing::warn!(path = %parts.uri.path(), "CSRF cookie missing");
            return Err(AppError::Csrf);
        }
        let content_type =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        let is_multipart = content_type.starts_with("multipart/form-data");
        // Files only from people who are logged in.
        let file = is_multipart || content_type.starts_with("application/octet-stream");
        let limit = if file && user.is_some() { MAX_UPLOAD } else { MAX_FORM };
        let bytes = to_bytes(body, limit).await.map_err(|_| AppError::TooLarge)?;
        let given = match header_token {
            Some(t) => Some(t),
            None if is_form => form_csrf(&bytes),
            None if is_multipart => multipart_csrf(&content_type, &bytes).await,
            None => None,
        };
        // A fresh CSRF cookie means the browser never loaded one of our forms.
        if new_csrf_cookie.is_some() || !given.is_some_and(|g| constant_time_eq(&g, &csrf)) {
            tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
            return Err(AppError::Csrf);
        }
        Body::from(bytes)
    } else {
        body
    };

    let principal = user.as_ref().and_then(User::principal);
    // One indexed count per page view; API calls, assets and form posts need no bell.
    let page = parts.method == Method::GET && !api && !parts.uri.path().starts_with("/assets/");
    let unread_alerts = match &user {
        Some(u) if page && !via_token => state.store.unread_alerts(u.id).await.unwrap_or(0),
        _ => 0,
    };
    parts.extensions.insert(Viewer { user, principal, lang, csrf, via_token, unread_alerts });
    let secure = is_secure(state, &parts.headers);
    let logged_in = user_logged_in(&parts);
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    if logged_in && !resp.headers().contains_key(header::CACHE_CONTROL) {
        // Pages with personal data or a new token's secret stay out of shared caches and history.
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(c) = new_csrf_cookie {
        resp.headers_mut().append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &c, 60 * 60 * 24 * 365, secure));
    }
    Ok(resp)
}
