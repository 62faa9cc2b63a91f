//! Pages of the register: member enterprises, mines and people. Each has a list with search,
//! filters and paging, a detail page with its history, and create/edit forms with field-level
//! errors. The JSON API for the same records is in [`crate::api`].

mod members;
mod mines;
mod people;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use minecoop_store::registry::ListQuery;
use serde::Deserialize;

use crate::page::render;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/members", get(members::list).post(members::create))
        .route("/members/new", get(members::new))
        .route("/members/{id}", get(members::detail).post(members::update))
        .route("/members/{id}/edit", get(members::edit))
        .route("/mines", get(mines::list).post(mines::create))
        .route("/mines/new", get(mines::new))
        .route("/mines/{id}", get(mines::detail).post(mines::update))
        .route("/mines/{id}/edit", get(mines::edit))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new))
        .route("/people/{id}", get(people::detail).post(people::update))
        .route("/people/{id}/edit", get(people::edit))
}

pub const PER_PAGE: u64 = 25;

/// Query string of the list pages. Unknown or malformed values are ignored, not errors:
/// a list must always open.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListParams {
    pub q: String,
    pub status: String,
    pub member: String,
    pub page: String,
}

impl ListParams {
    pub fn query(&self) -> ListQuery {
        ListQuery {
            q: Some(self.q.clone()).filter(|s| !s.trim().is_empty()),
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            member_id: uuid::Uuid::parse_str(&self.member).ok(),
            page: self.page.parse().unwrap_or(1),
            per_page: PER_PAGE,
        }
    }

    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![("q", self.q.clone()), ("status", self.status.clone()), ("member", self.member.clone())]
    }
}

/// Options for a select from a list of codes, labels from `<prefix>-<code>`.
pub fn code_options(lang: crate::i18n::Lang, prefix: &str, codes: &[&str], selected: &str) -> Vec<Opt> {
    codes
        .iter()
        .map(|c| Opt { value: (*c).to_owned(), label: lang.t(&format!("{prefix}-{c}")), selected: *c == selected })
        .collect()
}

/// A form re-shown with its errors answers 422.
/// Check the viewer's right over the mine a form names (an id that is not a mine's is left to
/// the form's own field check; an unknown mine is refused like a forbidden one).
pub(crate) async fn require_for_named_mine(
    s: &crate::AppState,
    v: &crate::session::Viewer,
    mine_id: &str,
    allowed: impl Fn(&minecoop_domain::auth::Principal, uuid::Uuid, uuid::Uuid) -> bool,
) -> crate::AppResult<()> {
    if let Ok(id) = uuid::Uuid::parse_str(mine_id.trim()) {
        let m = s.store.mine(id).await.map_err(|_| crate::AppError::Forbidden)?;
        v.require(|p| allowed(p, m.id, m.member_id))?;
    }
    Ok(())
}

pub fn unprocessable<T: askama::Template>(page: &T) -> AppResult<Response> {
    let mut r = render(page)?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// A form re-shown because someone else saved first answers 409.
pub fn conflict<T: askama::Template>(page: &T) -> AppResult<Response> {
    let mut r = render(page)?;
    *r.status_mut() = StatusCode::CONFLICT;
    Ok(r)
}
