//! One error type for every handler. A handler returns `AppError`; the response carries only
//! an [`ErrorInfo`] marker, and [`render_errors`] turns it into a page in the user's language or
//! a JSON problem for the API, with the request id. Details of internal errors go to the log,
//! never to the client.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use minecoop_domain::FieldErrors;
use minecoop_store::StoreError;
use serde::Serialize;

use crate::i18n::Lang;
use crate::session::lang_of_request;

#[derive(Debug)]
pub enum AppError {
    /// Not logged in: pages redirect to the login page, the API answers 401.
    Unauthorized,
    Forbidden,
    NotFound,
    /// Optimistic lock lost: someone changed the record meanwhile.
    Conflict,
    /// Field-level problems (the API's 422; forms render their own).
    Invalid(FieldErrors),
    /// A request that cannot be understood; the message is a Fluent key.
    BadRequest(&'static str),
    /// A body over the size this route takes.
    TooLarge,
    Throttled,
    Csrf,
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The Fluent key of the title shown to people.
    fn title_key(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "error-401",
            AppError::Forbidden => "error-403",
            AppError::Csrf => "error-csrf",
            AppError::NotFound => "error-404",
            AppError::Conflict => "error-409",
            AppError::Invalid(_) => "error-422",
            AppError::BadRequest(_) => "error-400",
            AppError::TooLarge => "error-413",
            AppError::Throttled => "error-429",
            AppError::Internal(_) => "error-500",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict => AppError::Conflict,
            StoreError::Invalid(f) => AppError::Invalid(f),
            StoreError::Db(db) => AppError::Internal(db.to_string()),
            StoreError::Key(k) => AppError::Internal(format!("identity key: {k}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// Marker left in the response for [`render_errors`].
#[derive(Clone)]
pub struct ErrorInfo {
    status: StatusCode,
    title_key: &'static str,
    detail_key: Option<&'static str>,
    fields: FieldErrors,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(msg) = &self {
            tracing::error!(error = %msg, "request failed");
        }
        let info = ErrorInfo {
            status: self.status(),
            title_key: self.title_key(),
            detail_key: match &self {
                AppError::BadRequest(k) => Some(k),
                _ => None,
            },
            fields: match self {
                AppError::Invalid(f) => f,
                _ => FieldErrors::new(),
            },
        };
        let mut r = Response::new(Body::empty());
        *r.status_mut() = info.status;
        r.extensions_mut().insert(info);
        r
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Serialize)]
struct FieldProblem {
    field: String,
    code: &'static str,
    message: String,
}

/// RFC 9457 problem details.
#[derive(Serialize)]
struct Problem {
    title: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldProblem>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    status: u16,
    title: String,
    detail: Option<String>,
    request_id: String,
    path: String,
}

impl ErrorPage {
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

/// Translate one field error into the user's language.
pub fn field_message(lang: Lang, e: &minecoop_domain::FieldError) -> String {
    lang.t_args(e.code, &e.args.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>())
}

pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = lang_of_request(req.headers());
    let is_api = req.uri().path().starts_with("/api/");
    let path = req.uri().path().to_owned();
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let resp = next.run(req).await;
    let info = match resp.extensions().get::<ErrorInfo>() {
        Some(i) => i.clone(),
        None => {
            let status = resp.status();
            // Rejections from axum's extractors (bad path, bad form, bad JSON) are plain text;
            // give them the same shape as our own errors.
            let plain =
                resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
            if !(status.is_client_error() || status.is_server_error()) || !plain {
                return resp;
            }
            let (title_key, detail_key) = match status {
                StatusCode::NOT_FOUND => ("error-404", None),
                StatusCode::METHOD_NOT_ALLOWED => ("error-405", None),
                StatusCode::PAYLOAD_TOO_LARGE => ("error-413", None),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ("error-415", None),
                s if s.is_server_error() => ("error-500", None),
                _ => ("error-400", Some("error-400-detail")),
            };
            ErrorInfo { status, title_key, detail_key, fields: FieldErrors::new() }
        }
    };
    if info.status == StatusCode::UNAUTHORIZED && !is_api {
        let next = urlencode(&path);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let title = lang.t(info.title_key);
    let detail = info.detail_key.map(|k| lang.t(k));
    let mut out = if is_api {
        let problem = Problem {
            title,
            status: info.status.as_u16(),
            detail,
            request_id,
            errors: info
                .fields
                .0
                .iter()
                .map(|e| FieldProblem { field: e.field.clone(), code: e.code, message: field_message(lang, e) })
                .collect(),
        };
        let mut r = axum::Json(problem).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        r
    } else {
        let page = ErrorPage { lang, status: info.status.as_u16(), title, detail, request_id, path: urlencode(&path) };
        match page.render() {
            Ok(html) => axum::response::Html(html).into_response(),
            Err(_) => "error".into_response(),
        }
    };
    *out.status_mut() = info.status;
    if info.status == StatusCode::TOO_MANY_REQUESTS {
        out.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
    }
    out
}

/// A panic inside a handler becomes a 500 with the usual page; the panic text goes to the log.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".into());
    AppError::Internal(format!("panic: {msg}")).into_response()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
