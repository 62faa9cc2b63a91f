//! Static files compiled into the binary: no CDN, nothing fetched from the internet.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::{AppError, AppState};

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../assets/htmx.min.js")),
    ("import.js", "text/javascript; charset=utf-8", include_bytes!("../assets/import.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset)).route("/favicon.ico", get(|| asset(Path("favicon.svg".into()))))
}

async fn asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (_, mime, bytes) = FILES.iter().find(|(name, _, _)| *name == file).ok_or(AppError::NotFound)?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    Ok(r)
}
