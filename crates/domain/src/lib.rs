//! Pure rules of the co-operative: no database, clock or network in here.
//! Each capability has a module of the same name in `store` and `web`.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod cadastre;
pub mod grievances;
pub mod metallurgy;
pub mod production;
pub mod registry;
pub mod safety;
pub mod tabular;
pub mod units;
pub mod validation;
pub mod workforce;

pub use validation::{FieldError, FieldErrors};
