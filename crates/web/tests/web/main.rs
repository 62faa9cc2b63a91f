//! Web tests: the route/role table, the JSON API, error pages and languages (in-process, on
//! both databases), and browser tests that drive the real server in headless Chromium.
//! One test binary for the crate.

mod alerts;
mod api;
mod browser;
mod cadastre;
mod claims;
mod grievances;
mod pages;
mod production;
mod reports;
mod roles;
mod safety;
mod support;
mod workforce;
