//! Workers (issue 6): each mine's workers with their family members, corrected by new versions,
//! their identity numbers masked except on an audited "show number".

use axum::Router;

use crate::AppState;

pub mod claims;
pub mod import;
pub mod insurance;
pub mod workers;

pub fn routes() -> Router<AppState> {
    Router::new().merge(workers::routes()).merge(insurance::routes()).merge(import::routes()).merge(claims::routes())
}
