//! The web interface and JSON API of minecoop: axum router, askama pages in two languages,
//! sessions, roles and CSRF. Handlers are thin: parse, authorise, call domain and store, render.

pub mod accounts;
pub mod alerts;
pub mod api;
mod assets;
pub mod audit;
pub mod cadastre;
pub mod charts;
pub mod delivery;
pub mod disputes;
pub mod error;
pub mod export;
pub mod grievances;
mod home;
pub mod i18n;
pub mod page;
pub mod production;
pub mod registry;
pub mod safety;
pub mod session;
pub mod upload;
pub mod workforce;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use minecoop_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::{AppError, AppResult};

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies Secure even without `X-Forwarded-Proto: https` (server behind TLS).
    pub secure_cookies: bool,
    /// Days before expiry from which a licence shows as due for renewal (the law wants the
    /// application at least 30 days before expiry).
    pub renewal_window_days: i64,
    /// Behind a reverse proxy: take the client's address from `X-Forwarded-For` (for login
    /// throttling). Never set this when clients reach the server directly.
    pub trust_proxy: bool,
    /// The elements the co-op assays for, with their units.
    pub elements: Vec<minecoop_domain::production::Element>,
    /// The thresholds of quality control (the industry's usual ones by default).
    pub qc: minecoop_domain::production::qc::QcLimits,
    /// The lowest class the "days without a major accident" counter counts (a setting; the
    /// default counts relatively large accidents and above).
    pub major_accident_class: minecoop_domain::safety::AccidentClass,
    /// Whether an SMTP server is configured (else the outbox page says e-mails stay queued).
    pub smtp_configured: bool,
    /// How many webhooks the configuration names.
    pub webhooks_configured: usize,
    /// Days from receipt by which a grievance must be acknowledged, investigated and answered
    /// with a proposal (`[grievances]` in minecoop.toml).
    pub grievance_deadlines: minecoop_domain::grievances::Deadlines,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            renewal_window_days: 90,
            trust_proxy: false,
            elements: minecoop_domain::production::default_elements(),
            qc: Default::default(),
            major_accident_class: minecoop_domain::safety::AccidentClass::RelativelyLarge,
            smtp_configured: false,
            webhooks_configured: 0,
            grievance_deadlines: Default::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// The public grievance pages' limits per client address (in memory only).
    pub limits: Arc<grievances::Limits>,
}

/// An option of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn router(store: Store, config: WebConfig) -> Router {
    minecoop_store::alerts::set_renderer(alerts::render_email);
    let state = AppState { store, config: Arc::new(config), limits: Default::default() };
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(home::routes())
        .merge(accounts::routes())
        .merge(alerts::routes())
        .merge(registry::routes())
        .merge(cadastre::routes())
        .merge(disputes::routes())
        .merge(production::routes())
        .merge(safety::routes())
        .merge(grievances::routes())
        .merge(workforce::routes())
        .merge(audit::routes())
        .merge(api::routes())
        .merge(assets::routes())
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { AppError::NotFound })
        .layer(axum::extract::DefaultBodyLimit::max(session::MAX_UPLOAD))
        .layer(from_fn_with_state(state.clone(), session::session_layer))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(from_fn(error::render_errors))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
            ),
        ))
        // Pages travel compressed to the browsers that ask (all do): the mines' connections are
        // poor, and HTML, CSS and SVG charts shrink five- to fifteen-fold.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serve until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(store, config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
