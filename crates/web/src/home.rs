//! The front page: the co-op's public figures for everyone, a dashboard once logged in.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use minecoop_store::registry::RegisterSummary;

use crate::page::{Ctx, render};
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    summary: RegisterSummary,
    /// Licences due for renewal or expired, for those who act on them.
    renewals: Vec<crate::cadastre::Row>,
    /// Laboratory batches flagged by quality control that no inspector has decided on yet.
    rows: Vec<crate::production::qc::BatchRow>,
    /// Corrective actions past their due date, of the mines the viewer sees.
    actions: Vec<crate::safety::actions::ActionRow>,
    /// The co-op's headline: days since the last accident of the "major" class and above.
    days_safe: Option<i64>,
}

async fn home(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let summary = s.store.register_summary().await?;
    let acts = v.principal.as_ref().is_some_and(|p| {
        use minecoop_domain::auth::Role;
        matches!(p.role, Role::Admin | Role::President | Role::Owner | Role::Inspector | Role::Bureau)
    });
    let renewals = if acts { crate::cadastre::renewals(&s, &v).await? } else { Vec::new() };
    let rows = if v.principal.is_some() { crate::production::qc::awaiting(&s, &v).await? } else { Vec::new() };
    let actions = match &v.principal {
        Some(p) => crate::safety::actions::overdue(&s, p).await?,
        None => Vec::new(),
    };
    let days_safe = crate::safety::record::coop_days_safe(&s).await?;
    render(&HomePage { ctx: Ctx::new(&v, &uri), summary, renewals, rows, actions, days_safe })
}
