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
}

async fn home(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let summary = s.store.register_summary().await?;
    render(&HomePage { ctx: Ctx::new(&v, &uri), summary })
}
