//! Every route, for every role, in one table: the status each must get. A forbidden user gets
//! 403 and the response shows none of the record. Runs on SQLite and on PostgreSQL.

use axum::http::Method;
use minecoop_domain::auth::Scope;
use minecoop_store::registry::ListQuery;

use crate::support::{As, Backend, Body_, TestApp, app};

/// Columns of the table, in this order.
const WHO: [As; 7] = [
    As::Anon,
    As::User("admin"),
    As::User("president"),
    As::User("inspector"),
    As::User("owner"),
    As::User("officer"),
    As::User("bureau"),
];

enum B {
    None,
    Form(&'static str),
    Json(&'static str),
}

/// (method, path with placeholders, body, expected status for each of WHO)
const TABLE: &[(&str, &str, B, [u16; 7])] = &[
    //                                                     anon admin pres insp owner offcr bureau
    ("GET", "/", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/login", B::None, [200, 303, 303, 303, 303, 303, 303]),
    ("POST", "/login", B::Form(""), [422, 422, 422, 422, 422, 422, 422]),
    ("GET", "/lang/en-US?next=/members", B::None, [303, 303, 303, 303, 303, 303, 303]),
    ("GET", "/members", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/members?q=daping&status=active&page=1", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/members/new", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("GET", "/members/{own}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/members/{other}", B::None, [303, 200, 200, 200, 200, 403, 200]),
    ("GET", "/members/{own}/edit", B::None, [303, 200, 200, 403, 200, 403, 403]),
    ("GET", "/members/{other}/edit", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("GET", "/mines", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/mines/new", B::None, [303, 200, 200, 403, 200, 403, 403]),
    ("GET", "/mines/{own_mine}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/mines/{other_mine}", B::None, [303, 200, 200, 200, 200, 403, 200]),
    ("GET", "/mines/{own_mine}/edit", B::None, [303, 200, 200, 403, 200, 403, 403]),
    ("GET", "/mines/{other_mine}/edit", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("GET", "/people", B::None, [303, 200, 200, 200, 200, 403, 403]),
    ("GET", "/people/new", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("GET", "/people/{person}", B::None, [303, 200, 200, 200, 200, 403, 403]),
    ("GET", "/people/{person}/edit", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("GET", "/licences", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/licences/new", B::None, [303, 200, 200, 403, 200, 403, 403]),
    ("GET", "/licences/{own_lic}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/licences/{other_lic}", B::None, [303, 200, 200, 200, 200, 403, 200]),
    ("GET", "/licences/{own_lic}/renew", B::None, [303, 200, 200, 403, 200, 403, 403]),
    ("GET", "/licences/{other_lic}/renew", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("GET", "/map", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/disputes", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/disputes/new", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/disputes/{case}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/disputes/{case}/documents/{doc}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/notifications", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/alerts", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("POST", "/alerts/read", B::Form(""), [303, 303, 303, 303, 303, 303, 303]),
    ("GET", "/admin/outbox", B::None, [303, 200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/alerts", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/alerts/read", B::Json("{}"), [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/account/email", B::Form("email=not-an-address"), [303, 422, 422, 422, 422, 422, 422]),
    ("GET", "/production", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/production?mine={own_mine}&month=2005-03", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/production?mine={other_mine}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/production/new", B::None, [303, 200, 403, 403, 200, 200, 403]),
    ("GET", "/production/year", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/production/import", B::None, [303, 200, 403, 403, 200, 200, 403]),
    ("GET", "/calculators", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/reports/grades?year=2005", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/reports/grades?mine={other_mine}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/reports/grades?year=2005&format=csv", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/reports/grades?mine={other_mine}&format=xlsx", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/reports/grades?format=pdf", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/reports/targets", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/calculators", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/favicon.ico", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/incidents", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/incidents/new", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/safety/incidents/{own_inc}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/incidents/{other_inc}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/safety/incidents/{own_inc}/edit", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/safety/incidents/{other_inc}/edit", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/safety/actions", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/actions?all=1", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/actions/{own_act}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/actions/{other_act}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/incidents", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/incidents/{own_inc}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/incidents/{other_inc}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/incidents/{own_inc}/versions", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/incidents/{other_inc}/versions", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/actions", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/actions?all=true", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/incidents", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("PUT", "/api/v1/incidents/{own_inc}", B::Json(r#"{"version":1}"#), [401, 422, 422, 422, 422, 422, 403]),
    ("PUT", "/api/v1/incidents/{other_inc}", B::Json(r#"{"version":1}"#), [401, 422, 422, 422, 403, 403, 403]),
    (
        "POST",
        "/api/v1/actions",
        B::Json(
            r#"{"source_kind":"incident","source_id":"{own_inc}","kind":"corrective","description":"x","owner":"nobody","due_on":"2100-01-01"}"#,
        ),
        [401, 422, 422, 422, 422, 422, 403],
    ),
    (
        "POST",
        "/api/v1/actions",
        B::Json(
            r#"{"source_kind":"incident","source_id":"{other_inc}","kind":"corrective","description":"x","owner":"nobody","due_on":"2100-01-01"}"#,
        ),
        [401, 422, 422, 422, 403, 403, 403],
    ),
    (
        "POST",
        "/api/v1/actions",
        B::Json(
            r#"{"source_kind":"finding","source_id":"{other_finding}","kind":"containment","description":"x","owner":"nobody","due_on":"2100-01-01"}"#,
        ),
        [401, 422, 422, 422, 403, 403, 403],
    ),
    ("POST", "/api/v1/actions/{own_act}/done", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/actions/{other_act}/done", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/actions/{own_act}/verify", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/actions/{other_act}/verify", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("GET", "/safety/incidents/{own_inc}/investigation", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/incidents/{other_inc}/investigation", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("POST", "/safety/incidents/{own_inc}/investigation/team", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/incidents/{other_inc}/investigation/team", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/incidents/{own_inc}/investigation/entries", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/incidents/{other_inc}/investigation/entries", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/incidents/{own_inc}/investigation/sign-off", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/incidents/{other_inc}/investigation/sign-off", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/incidents/{own_inc}/close", B::Form("version=1"), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/incidents/{other_inc}/close", B::Form("version=1"), [303, 422, 422, 422, 403, 403, 403]),
    ("GET", "/api/v1/incidents/{own_inc}/investigation", B::None, [401, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/incidents/{other_inc}/investigation", B::None, [401, 404, 404, 404, 403, 403, 404]),
    ("PUT", "/api/v1/incidents/{own_inc}/investigation", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("PUT", "/api/v1/incidents/{other_inc}/investigation", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/incidents/{own_inc}/investigation/entries", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/incidents/{other_inc}/investigation/entries", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/incidents/{own_inc}/investigation/sign-off", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    (
        "POST",
        "/api/v1/incidents/{other_inc}/investigation/sign-off",
        B::Json("{}"),
        [401, 422, 422, 422, 403, 403, 403],
    ),
    ("POST", "/api/v1/incidents/{own_inc}/close", B::Json(r#"{"version":1}"#), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/incidents/{other_inc}/close", B::Json(r#"{"version":1}"#), [401, 422, 422, 422, 403, 403, 403]),
    ("GET", "/safety/explosives", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/explosives/{own_mine}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/safety/explosives/{other_mine}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("POST", "/safety/explosives/{own_mine}", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/explosives/{other_mine}", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/explosives/{own_mine}/write-off", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/safety/explosives/{other_mine}/write-off", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/safety/blasters", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("POST", "/safety/blasters", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("GET", "/api/v1/explosives/{own_mine}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/explosives/{other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("POST", "/api/v1/explosives/{own_mine}", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/explosives/{other_mine}", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/explosives/{own_mine}/write-offs", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("GET", "/api/v1/blasters", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/blasters", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/incidents", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/incidents/{own_inc}", B::Form("version=1"), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/incidents/{other_inc}", B::Form("version=1"), [303, 422, 422, 422, 403, 403, 403]),
    (
        "POST",
        "/safety/actions",
        B::Form("source_kind=incident&source_id={own_inc}"),
        [303, 422, 422, 422, 422, 422, 403],
    ),
    (
        "POST",
        "/safety/actions",
        B::Form("source_kind=incident&source_id={other_inc}"),
        [303, 422, 422, 422, 403, 403, 403],
    ),
    (
        "POST",
        "/safety/actions",
        B::Form("source_kind=finding&source_id={own_finding}"),
        [303, 422, 422, 422, 422, 422, 403],
    ),
    (
        "POST",
        "/safety/actions",
        B::Form("source_kind=finding&source_id={other_finding}"),
        [303, 422, 422, 422, 403, 403, 403],
    ),
    ("POST", "/safety/actions/{own_act}/done", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/actions/{other_act}/done", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/safety/actions/{own_act}/verify", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/safety/actions/{other_act}/verify", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("GET", "/safety/calculators?calc=rates&hours=0", B::None, [303, 422, 422, 422, 422, 422, 422]),
    ("GET", "/production/year?mine={other_mine}&format=csv", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/production?mine={other_mine}&month=2005-03&format=xlsx", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/samples?mine={other_mine}&month=2005-03&format=csv", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/reports/grades?year=2005", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/reports/grades?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/targets?year=2005", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/samples", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/samples?mine={other_mine}&month=2005-03", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/samples/new", B::None, [303, 200, 403, 200, 200, 200, 403]),
    ("GET", "/samples/import", B::None, [303, 200, 403, 200, 403, 403, 403]),
    ("GET", "/samples/{own_sample}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/samples/{other_sample}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/samples/{own_sample}/label", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/samples/{other_sample}/label", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/calculators?calc=two&feed=1&conc=10&tail=2", B::None, [303, 422, 422, 422, 422, 422, 422]),
    ("GET", "/qc", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/qc?from=2005-01-01&to=2005-12-31&show=flagged", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/qc?from=nonsense", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/qc?from=2005-01-01&to=2005-12-31&format=xlsx", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/qc/materials", B::None, [303, 200, 200, 200, 200, 200, 200]),
    // The batch holds only a sample of the other member's mine.
    ("GET", "/qc/batches/LabA/QC-1", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/qc/batches/LabA/none", B::None, [303, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/qc/batches", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/qc/batches?from=2005-13-01", B::None, [401, 422, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/qc/batches/LabA/QC-1", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/qc/materials", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/production/year?mine={other_mine}&year=2005", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/production/{own_mine}/2005-03-01", B::None, [303, 404, 404, 404, 404, 404, 404]),
    ("GET", "/production/{other_mine}/2005-03-01", B::None, [303, 404, 404, 404, 403, 403, 404]),
    ("GET", "/production/{own_mine}/2005-03-01/correct", B::None, [303, 404, 403, 403, 404, 404, 403]),
    ("GET", "/production/{other_mine}/2005-03-01/correct", B::None, [303, 404, 403, 403, 403, 403, 403]),
    ("GET", "/audit", B::None, [303, 200, 403, 403, 403, 403, 200]),
    ("GET", "/audit?entity=mine", B::None, [303, 200, 403, 403, 403, 403, 200]),
    ("GET", "/admin/users", B::None, [303, 200, 403, 403, 403, 403, 403]),
    ("GET", "/account", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/docs", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/openapi.json", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/assets/app.css", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/assets/htmx.min.js", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/healthz", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/no-such-page", B::None, [404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/members/not-a-uuid", B::None, [400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/me", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/members", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/members/{own}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/members/{other}", B::None, [401, 200, 200, 200, 200, 403, 200]),
    ("GET", "/api/v1/members/{other}/history", B::None, [401, 200, 200, 200, 200, 403, 200]),
    ("GET", "/api/v1/mines", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/mines/{own_mine}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/mines/{other_mine}", B::None, [401, 200, 200, 200, 200, 403, 200]),
    ("GET", "/api/v1/people", B::None, [401, 200, 200, 200, 200, 403, 403]),
    ("GET", "/api/v1/people/{person}", B::None, [401, 200, 200, 200, 200, 403, 403]),
    ("GET", "/api/v1/licences", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/licences/{own_lic}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/licences/{other_lic}", B::None, [401, 200, 200, 200, 200, 403, 200]),
    ("GET", "/api/v1/licences/{own_lic}/workings", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/licences/{other_lic}/workings", B::None, [401, 200, 200, 200, 200, 403, 200]),
    ("GET", "/api/v1/cadastre/check", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/disputes", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/disputes/{case}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/notifications", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/audit", B::None, [401, 200, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/production", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/samples", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/samples?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/samples/{own_sample}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/samples/{other_sample}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/production?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/production/summary?year=2005", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/production/summary?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/production/{own_mine}/2005-03-01", B::None, [401, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/production/{other_mine}/2005-03-01", B::None, [401, 404, 404, 404, 403, 403, 404]),
    ("POST", "/members", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/members/{own}", B::Form("version=1"), [303, 422, 422, 403, 422, 403, 403]),
    ("POST", "/members/{other}", B::Form("version=1"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/mines", B::Form(""), [303, 422, 422, 403, 422, 403, 403]),
    ("POST", "/mines/{own_mine}", B::Form("version=1"), [303, 422, 422, 403, 422, 403, 403]),
    ("POST", "/mines/{other_mine}", B::Form("version=1"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/people", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/people/{person}", B::Form("version=1"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/licences", B::Form(""), [303, 422, 422, 403, 422, 403, 403]),
    ("POST", "/licences/{own_lic}", B::Form("version=1"), [303, 422, 422, 403, 422, 403, 403]),
    ("POST", "/licences/{other_lic}", B::Form("version=1"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/licences/{own_lic}/workings", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/licences/{other_lic}/workings", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/licences/preview", B::Form("corner_crs=EPSG:4490&corners="), [303, 200, 200, 403, 200, 403, 403]),
    ("POST", "/disputes", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/production", B::Form(""), [303, 422, 403, 403, 422, 422, 403]),
    ("POST", "/production/import", B::Form("action=check"), [303, 422, 403, 403, 422, 422, 403]),
    ("POST", "/samples", B::Form(""), [303, 422, 403, 422, 422, 422, 403]),
    ("POST", "/samples/import", B::Form("action=check"), [303, 422, 403, 422, 403, 403, 403]),
    ("POST", "/reports/targets", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/samples/{own_sample}/custody", B::Form(""), [303, 422, 403, 422, 422, 422, 403]),
    ("POST", "/samples/{other_sample}/custody", B::Form(""), [303, 422, 403, 422, 403, 403, 403]),
    ("POST", "/samples/{own_sample}/assays", B::Form(""), [303, 422, 403, 422, 403, 403, 403]),
    ("POST", "/qc/materials", B::Form(""), [303, 422, 403, 422, 403, 403, 403]),
    ("POST", "/qc/batches/LabA/QC-1", B::Form(""), [303, 422, 403, 422, 403, 403, 403]),
    ("POST", "/production/{own_mine}/2005-03-01", B::Form("version=1"), [303, 422, 403, 403, 422, 422, 403]),
    ("POST", "/production/{other_mine}/2005-03-01", B::Form("version=1"), [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/disputes/{case}/events", B::Form("version=2"), [303, 422, 422, 422, 422, 403, 403]),
    ("POST", "/disputes/{case}/documents", B::Form(""), [303, 422, 422, 422, 422, 403, 403]),
    ("POST", "/admin/users", B::Form(""), [303, 422, 403, 403, 403, 403, 403]),
    ("POST", "/admin/users/{user}", B::Form("action=bogus"), [303, 400, 403, 403, 403, 403, 403]),
    ("POST", "/account/tokens", B::Form("name="), [303, 422, 422, 422, 422, 422, 422]),
    ("POST", "/account/language", B::Form("language=zh-CN"), [303, 303, 303, 303, 303, 303, 303]),
    (
        "POST",
        "/account/password",
        B::Form("current=wrong-password&new_password=abcdefghijkl"),
        [303, 422, 422, 422, 422, 422, 422],
    ),
    ("POST", "/account/tokens/{user}/revoke", B::Form(""), [303, 404, 404, 404, 404, 404, 404]),
    ("POST", "/logout", B::Form(""), [303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/api/v1/members", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("PUT", "/api/v1/members/{own}", B::Json(r#"{"version":1}"#), [401, 422, 422, 403, 422, 403, 403]),
    ("PUT", "/api/v1/members/{other}", B::Json(r#"{"version":1}"#), [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/mines", B::Json("{}"), [401, 422, 422, 403, 422, 403, 403]),
    ("PUT", "/api/v1/mines/{other_mine}", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/people", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/targets", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("PUT", "/api/v1/people/{person}", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/licences", B::Json("{}"), [401, 422, 422, 403, 422, 403, 403]),
    ("POST", "/api/v1/licences/{own_lic}", B::Json(r#"{"version":1}"#), [401, 422, 422, 403, 422, 403, 403]),
    ("POST", "/api/v1/licences/{other_lic}", B::Json(r#"{"version":1}"#), [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/licences/check", B::Json("{}"), [401, 422, 422, 403, 422, 403, 403]),
    ("POST", "/api/v1/licences/boundary-file?name=a.csv", B::Json("{}"), [401, 422, 422, 403, 422, 403, 403]),
    ("POST", "/api/v1/licences/{own_lic}/workings", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/licences/{other_lic}/workings", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/disputes", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/production", B::Json("{}"), [401, 422, 403, 403, 422, 422, 403]),
    ("POST", "/api/v1/samples", B::Json("{}"), [401, 422, 403, 422, 422, 422, 403]),
    ("POST", "/api/v1/samples/{own_sample}/custody", B::Json("{}"), [401, 422, 403, 422, 422, 422, 403]),
    ("POST", "/api/v1/samples/{other_sample}/custody", B::Json("{}"), [401, 422, 403, 422, 403, 403, 403]),
    ("POST", "/api/v1/samples/{own_sample}/assays", B::Json("{}"), [401, 422, 403, 422, 403, 403, 403]),
    ("POST", "/api/v1/qc/materials", B::Json("{}"), [401, 422, 403, 422, 403, 403, 403]),
    ("POST", "/api/v1/qc/batches/LabA/QC-1/decision", B::Json("{}"), [401, 422, 403, 422, 403, 403, 403]),
    ("POST", "/api/v1/qc/batches/LabA/none/decision", B::Json("{}"), [401, 404, 403, 404, 403, 403, 403]),
    (
        "POST",
        "/api/v1/production/{own_mine}/2005-03-01",
        B::Json(r#"{"version":1}"#),
        [401, 422, 403, 403, 422, 422, 403],
    ),
    (
        "POST",
        "/api/v1/production/{other_mine}/2005-03-01",
        B::Json(r#"{"version":1}"#),
        [401, 422, 403, 403, 403, 403, 403],
    ),
    ("POST", "/api/v1/disputes/{case}/events", B::Json(r#"{"version":2}"#), [401, 422, 422, 422, 422, 403, 403]),
    ("POST", "/api/v1/disputes/{case}/documents?name=a.txt", B::Json("{}"), [401, 201, 201, 201, 201, 403, 403]),
    // Safety: inspections, findings, hazards. The co-op inspects every mine; an owner and a
    // safety officer their own; the bureau reads everything and writes nothing.
    ("GET", "/inspections", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/inspections?mine={other_mine}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/inspections?mine=nonsense", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/inspections/new", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/inspections/new?mine={other_mine}", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/inspections/new?schedule={own_schedule}", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/inspections/new?schedule={other_schedule}", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/inspections/{own_insp}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/inspections/{other_insp}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/inspections/{other_insp}/photos/{photo}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/inspections/{own_insp}/photos/{photo}", B::None, [303, 404, 404, 404, 404, 404, 404]),
    ("GET", "/inspections/schedules/new", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/inspections/templates", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/inspections/templates/{template}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/findings", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/findings?mine={other_mine}&status=all", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/findings?status=bogus", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/findings/{own_finding}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/findings/{other_finding}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/hazards", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/hazards?mine={own_mine}&l=4&s=5", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/hazards?mine={other_mine}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/hazards?l=3&s=9", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/hazards/new", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/hazards/{own_hazard}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/hazards/{other_hazard}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/hazards/{own_hazard}/edit", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/hazards/{other_hazard}/edit", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("POST", "/inspections", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/inspections", B::Form("mine_id={other_mine}"), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/inspections/schedules", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/inspections/schedules", B::Form("mine_id={other_mine}"), [303, 422, 422, 422, 403, 403, 403]),
    ("GET", "/inspections/schedules/{own_schedule}/edit", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/inspections/schedules/{other_schedule}/edit", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("POST", "/inspections/schedules/{own_schedule}", B::Form(""), [303, 400, 400, 400, 400, 400, 403]),
    ("POST", "/inspections/schedules/{other_schedule}", B::Form(""), [303, 400, 400, 400, 403, 403, 403]),
    ("POST", "/inspections/schedules/{own_schedule}/stop", B::Form(""), [303, 400, 400, 400, 400, 400, 403]),
    ("POST", "/inspections/schedules/{other_schedule}/stop", B::Form(""), [303, 400, 400, 400, 403, 403, 403]),
    ("GET", "/api/v1/inspection-schedules", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/inspection-schedules?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("POST", "/api/v1/inspection-schedules", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("PUT", "/api/v1/inspection-schedules/{own_schedule}", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("PUT", "/api/v1/inspection-schedules/{other_schedule}", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/inspection-schedules/{own_schedule}/stop", B::Json("{}"), [401, 409, 409, 409, 409, 409, 403]),
    ("POST", "/api/v1/inspection-schedules/{other_schedule}/stop", B::Json("{}"), [401, 409, 409, 409, 403, 403, 403]),
    ("POST", "/inspections/templates", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/inspections/templates/{template}/name", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/inspections/templates/{template}/questions", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    (
        "POST",
        "/inspections/templates/{template}/questions/vent-o2/remove",
        B::Form(""),
        [303, 422, 422, 422, 403, 403, 403],
    ),
    ("POST", "/findings/{own_finding}/close", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/findings/{other_finding}/close", B::Form(""), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/hazards", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/hazards", B::Form("mine_id={other_mine}"), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/hazards/{own_hazard}", B::Form("version=1"), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/hazards/{other_hazard}", B::Form("version=1"), [303, 422, 422, 422, 403, 403, 403]),
    ("GET", "/api/v1/hazards", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/hazards?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/hazards/{own_hazard}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/hazards/{other_hazard}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/inspections", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/inspections?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/inspections/{own_insp}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/inspections/{other_insp}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/findings", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/findings?status=bogus", B::None, [401, 422, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/findings?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/findings/{own_finding}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/findings/{other_finding}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("POST", "/api/v1/hazards", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/inspections", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/findings", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    // Grievances: the public pages for everyone; a case for the co-op's staff and the people of
    // the mine it names (a case naming no mine for the co-op's staff only); the bureau the
    // aggregates only. {own_grv}: Daping's (the demo code's); {other_grv}: Niujiaotang No. 1's;
    // {nomine_grv}: names no mine.
    ("GET", "/grievance", B::None, [200, 200, 200, 200, 200, 200, 200]),
    (
        "POST",
        "/grievance",
        B::Form("category=water&complainant_type=villager&mines=unknown&description=x&anonymous=1"),
        [200, 200, 200, 200, 200, 200, 200],
    ),
    ("GET", "/grievance/track", B::None, [200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/grievance/track", B::Form("code=GRV6-DEM0-2026"), [200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/grievance/track", B::Form("code=AAAA-BBBB-CCCC"), [404, 404, 404, 404, 404, 404, 404]),
    ("POST", "/grievance/track/info", B::Form("code=GRV6-DEM0-2026&text="), [422, 422, 422, 422, 422, 422, 422]),
    (
        "POST",
        "/grievance/track/answer",
        B::Form("code=GRV6-DEM0-2026&outcome=accepted"),
        [422, 422, 422, 422, 422, 422, 422],
    ),
    ("GET", "/grievances", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/grievances?status=all&category=water&mine={own_mine}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/grievances?status=all&format=csv", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/grievances?format=xlsx", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/grievances/new", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("POST", "/grievances", B::Form(""), [303, 422, 422, 422, 422, 422, 403]),
    ("GET", "/grievances/{own_grv}", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/grievances/{other_grv}", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/grievances/{nomine_grv}", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("POST", "/grievances/{own_grv}/steps", B::Form("status="), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/grievances/{other_grv}/steps", B::Form("status="), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/grievances/{own_grv}/messages", B::Form("kind=note&text="), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/grievances/{nomine_grv}/messages", B::Form("kind=note&text="), [303, 422, 422, 422, 403, 403, 403]),
    ("POST", "/grievances/{own_grv}/links", B::Form("incident_id="), [303, 422, 422, 422, 422, 422, 403]),
    ("POST", "/grievances/{other_grv}/links", B::Form("incident_id="), [303, 422, 422, 422, 403, 403, 403]),
    (
        "POST",
        "/safety/actions",
        B::Form("source_kind=grievance&source_id={own_grv}"),
        [303, 422, 422, 422, 422, 422, 403],
    ),
    (
        "POST",
        "/safety/actions",
        B::Form("source_kind=grievance&source_id={other_grv}"),
        [303, 422, 422, 422, 403, 403, 403],
    ),
    ("GET", "/api/v1/grievances", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/grievances?status=all", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("POST", "/api/v1/grievances", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("GET", "/api/v1/grievances/stats", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/grievances/{own_grv}", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/grievances/{other_grv}", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/grievances/{nomine_grv}", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/grievances/{own_grv}/steps", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/grievances/{other_grv}/steps", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/grievances/{own_grv}/messages", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/grievances/{other_grv}/messages", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/grievances/{own_grv}/links", B::Json("{}"), [401, 422, 422, 422, 422, 422, 403]),
    ("POST", "/api/v1/grievances/{nomine_grv}/links", B::Json("{}"), [401, 422, 422, 422, 403, 403, 403]),
    ("POST", "/api/v1/public/grievances", B::Json("{}"), [422, 422, 422, 422, 422, 422, 422]),
    (
        "POST",
        "/api/v1/public/grievances/track",
        B::Json(r#"{"code":"grv6 dem0 2026"}"#),
        [200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "POST",
        "/api/v1/public/grievances/track/info",
        B::Json(r#"{"code":"GRV6-DEM0-2026"}"#),
        [422, 422, 422, 422, 422, 422, 422],
    ),
    (
        "POST",
        "/api/v1/public/grievances/track/answer",
        B::Json(r#"{"code":"GRV6-DEM0-2026","outcome":"maybe"}"#),
        [422, 422, 422, 422, 422, 422, 422],
    ),
    (
        "POST",
        "/api/v1/actions",
        B::Json(
            r#"{"source_kind":"grievance","source_id":"{own_grv}","kind":"containment","description":"x","owner":"nobody","due_on":"2100-01-01"}"#,
        ),
        [401, 422, 422, 422, 422, 422, 403],
    ),
    (
        "POST",
        "/api/v1/actions",
        B::Json(
            r#"{"source_kind":"grievance","source_id":"{other_grv}","kind":"containment","description":"x","owner":"nobody","due_on":"2100-01-01"}"#,
        ),
        [401, 422, 422, 422, 403, 403, 403],
    ),
    ("GET", "/workers", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/workers?mine={other_mine}&state=all", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/workers?state=bogus", B::None, [303, 400, 400, 400, 400, 400, 403]),
    ("GET", "/workers/new", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("GET", "/workers/{own_worker}", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/workers/{other_worker}", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/workers/{own_worker}/edit", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("GET", "/workers/{other_worker}/edit", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("POST", "/workers", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/workers", B::Form("mine_id={other_mine}"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/workers/{own_worker}", B::Form("version=1"), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/workers/{other_worker}", B::Form("version=1"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/workers/{own_worker}/id-number", B::Form(""), [303, 200, 200, 403, 200, 200, 403]),
    ("POST", "/workers/{other_worker}/id-number", B::Form(""), [303, 200, 200, 403, 403, 403, 403]),
    ("POST", "/workers/{own_worker}/certificates", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/workers/{other_worker}/certificates", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/workers/{own_worker}/training", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/workers/{other_worker}/training", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/workers?flagged=true", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/insurance", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/insurance/new", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("POST", "/insurance", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/insurance", B::Form("mine_id={other_mine}"), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/insurance/{own_policy}", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/insurance/{other_policy}", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("POST", "/insurance/{own_policy}/members", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/insurance/{other_policy}/members", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/insurance/coverage", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/insurance/coverage?mine={other_mine}&date=2026-01-01", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/insurance/coverage?date=bogus", B::None, [303, 422, 422, 422, 422, 422, 422]),
    ("GET", "/workers/import", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("POST", "/workers/import", B::Form("action=check"), [303, 422, 422, 403, 422, 422, 403]),
    ("GET", "/insurance/import", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("POST", "/insurance/import", B::Form("action=check"), [303, 422, 422, 403, 422, 422, 403]),
    ("GET", "/workers?format=csv", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/workers?mine={other_mine}&format=xlsx", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/workers?format=pdf", B::None, [303, 400, 400, 400, 400, 400, 403]),
    ("GET", "/insurance?format=xlsx", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/insurance?format=pdf", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/insurance/coverage?format=csv", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/insurance/coverage?mine={other_mine}&format=xlsx", B::None, [303, 200, 200, 200, 403, 403, 200]),
    ("GET", "/insurance/coverage?date=bogus&format=csv", B::None, [303, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/policies", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/policies", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("GET", "/api/v1/policies/{own_policy}", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/policies/{other_policy}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("PUT", "/api/v1/policies/{own_policy}", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("PUT", "/api/v1/policies/{other_policy}", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("GET", "/api/v1/coverage", B::None, [401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/coverage?date=bogus", B::None, [401, 422, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/coverage?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 200]),
    ("GET", "/api/v1/coverage?from=bogus", B::None, [401, 422, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/workers/{own_worker}/certificates", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/workers/{other_worker}/certificates", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/workers/{own_worker}/certificates", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("POST", "/api/v1/workers/{other_worker}/certificates", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("GET", "/insurance/coverage?from=2026-01-01&date=2026-03-01", B::None, [303, 200, 200, 200, 200, 200, 200]),
    ("GET", "/insurance/coverage?from=bogus", B::None, [303, 422, 422, 422, 422, 422, 422]),
    ("GET", "/insurance/{own_policy}/edit", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("GET", "/insurance/{other_policy}/edit", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("POST", "/insurance/{own_policy}", B::Form("version=1"), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/insurance/{other_policy}", B::Form("version=1"), [303, 422, 422, 403, 403, 403, 403]),
    ("POST", "/insurance/{own_policy}/members/{own_member}/end", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/insurance/{other_policy}/members/{other_member}/end", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/api/v1/policies/{own_policy}/members", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("POST", "/api/v1/imports/workers?filename=w.csv&dry_run=true", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("POST", "/api/v1/imports/policies?filename=p.csv", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("POST", "/api/v1/imports/workers", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("GET", "/api/v1/policies/{other_policy}/members", B::None, [401, 200, 200, 200, 403, 403, 403]),
    (
        "POST",
        "/api/v1/policies/{own_policy}/members/{own_member}/end",
        B::Json("{}"),
        [401, 422, 422, 403, 422, 422, 403],
    ),
    (
        "POST",
        "/api/v1/policies/{other_policy}/members/{other_member}/end",
        B::Json("{}"),
        [401, 422, 422, 403, 403, 403, 403],
    ),
    ("GET", "/api/v1/workers", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/workers?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/workers/{own_worker}", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/workers/{other_worker}", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/workers/{own_worker}/versions", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/workers/{other_worker}/versions", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/workers", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("PUT", "/api/v1/workers/{own_worker}", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("PUT", "/api/v1/workers/{other_worker}", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("POST", "/api/v1/workers/{own_worker}/id-number", B::Json("{}"), [401, 200, 200, 403, 200, 200, 403]),
    ("POST", "/api/v1/workers/{other_worker}/id-number", B::Json("{}"), [401, 200, 200, 403, 403, 403, 403]),
    ("GET", "/claims", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/claims?mine={other_mine}&overdue=true", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/claims?status=bogus", B::None, [303, 400, 400, 400, 400, 400, 403]),
    ("GET", "/claims/new", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("GET", "/claims/new?incident={own_inc}", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("GET", "/claims/new?incident={other_inc}", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("POST", "/claims", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/claims", B::Form("incident_id={other_inc}"), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/claims/{own_claim}", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/claims/{other_claim}", B::None, [303, 200, 200, 200, 403, 403, 403]),
    ("GET", "/claims/{own_claim}/edit", B::None, [303, 200, 200, 403, 200, 200, 403]),
    ("GET", "/claims/{other_claim}/edit", B::None, [303, 200, 200, 403, 403, 403, 403]),
    ("POST", "/claims/{own_claim}", B::Form(""), [303, 400, 400, 403, 400, 400, 403]),
    ("POST", "/claims/{other_claim}", B::Form(""), [303, 400, 400, 403, 403, 403, 403]),
    ("POST", "/claims/{own_claim}/documents", B::Form(""), [303, 422, 422, 403, 422, 422, 403]),
    ("POST", "/claims/{other_claim}/documents", B::Form(""), [303, 422, 422, 403, 403, 403, 403]),
    ("GET", "/claims/{own_claim}/documents/{claim_doc}", B::None, [303, 200, 200, 200, 200, 200, 403]),
    ("GET", "/claims/{other_claim}/documents/{claim_doc}", B::None, [303, 404, 404, 404, 403, 403, 403]),
    ("GET", "/api/v1/claims", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/claims?mine={other_mine}", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/claims", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("POST", "/api/v1/claims", B::Json(r#"{"incident_id": "{other_inc}"}"#), [401, 422, 422, 403, 403, 403, 403]),
    ("GET", "/api/v1/claims/{own_claim}", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/claims/{other_claim}", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("PUT", "/api/v1/claims/{own_claim}", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("PUT", "/api/v1/claims/{other_claim}", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
    ("GET", "/api/v1/claims/{own_claim}/documents", B::None, [401, 200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/claims/{other_claim}/documents", B::None, [401, 200, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/claims/{own_claim}/documents", B::Json("{}"), [401, 422, 422, 403, 422, 422, 403]),
    ("POST", "/api/v1/claims/{other_claim}/documents", B::Json("{}"), [401, 422, 422, 403, 403, 403, 403]),
];

struct Ids {
    own: String,
    other: String,
    own_mine: String,
    other_mine: String,
    person: String,
    user: String,
    own_lic: String,
    other_lic: String,
    case: String,
    own_sample: String,
    other_sample: String,
    doc: String,
    own_inc: String,
    other_inc: String,
    own_act: String,
    other_act: String,
    own_schedule: String,
    other_schedule: String,
    own_insp: String,
    other_insp: String,
    photo: String,
    template: String,
    own_finding: String,
    other_finding: String,
    own_hazard: String,
    other_hazard: String,
    own_grv: String,
    other_grv: String,
    nomine_grv: String,
    own_worker: String,
    other_worker: String,
    own_policy: String,
    other_policy: String,
    own_member: String,
    other_member: String,
    own_claim: String,
    other_claim: String,
    claim_doc: String,
    /// Text that only someone allowed to see the other records could see.
    secrets: Vec<String>,
}

async fn ids(app: &TestApp) -> Ids {
    let q = |s: &str| ListQuery { q: Some(s.into()), page: 1, per_page: 5, ..Default::default() };
    let own = app.db.members(Scope::All, &q("Daping")).await.unwrap().items.remove(0);
    let other = app.db.members(Scope::All, &q("Niujiaotang Zinc")).await.unwrap().items.remove(0);
    let own_mine = app.db.mines_of_member(own.id).await.unwrap().remove(0);
    let other_mine = app.db.mines_of_member(other.id).await.unwrap().remove(0);
    let person = app.db.people(&q("黄丽")).await.unwrap().items.remove(0);
    let user = app.db.user_by_name("inspector").await.unwrap();
    let licences = app.db.current_licences().await.unwrap();
    let lic_of = |mine: uuid::Uuid| licences.iter().find(|l| l.mine_id == mine).unwrap().licence_id.to_string();
    let (own_lic, other_lic) = (lic_of(own_mine.id), lic_of(other_mine.id));
    let sample = |mine: uuid::Uuid| {
        use minecoop_domain::production::sample::{SampleDraft, SampleInput, parse_local_time};
        let i = SampleInput {
            mine_id: mine.to_string(),
            kind: "feed".into(),
            point: "mill feed".into(),
            taken_at: "2005-03-01T09:00".into(),
            taken_by: "tester".into(),
            ..Default::default()
        };
        SampleDraft::parse(&i, parse_local_time("2026-01-01T00:00").unwrap()).unwrap()
    };
    let actor = minecoop_store::Actor::system("test");
    let own_sample = app.db.register_sample(&actor, &sample(own_mine.id)).await.unwrap().id.to_string();
    let other_sample = app.db.register_sample(&actor, &sample(other_mine.id)).await.unwrap().id.to_string();
    {
        // A laboratory batch holding one reference material of the other member's mine.
        use minecoop_domain::production::sample::{
            AssayDraft, AssayInput, CustodyStep, SampleDraft, SampleInput, parse_local_time,
        };
        let i = SampleInput {
            mine_id: other_mine.id.to_string(),
            kind: "feed".into(),
            point: "lab".into(),
            taken_at: "2005-03-02T09:00".into(),
            taken_by: "tester".into(),
            qc_role: "crm".into(),
            reference: "GBW07165".into(),
            ..Default::default()
        };
        let t = parse_local_time("2005-03-02T12:00").unwrap();
        let d = SampleDraft::parse(&i, parse_local_time("2026-01-01T00:00").unwrap()).unwrap();
        let crm = app.db.register_sample(&actor, &d).await.unwrap();
        app.db.add_custody_step(&actor, crm.id, CustodyStep::Dispatched, t, "t", None).await.unwrap();
        app.db.add_custody_step(&actor, crm.id, CustodyStep::Received, t, "t", None).await.unwrap();
        let a = AssayInput {
            element: "zn".into(),
            value: "3.01".into(),
            method: "AAS".into(),
            detection_limit: String::new(),
        };
        let a = AssayDraft::parse(&a, &minecoop_domain::production::default_elements()).unwrap();
        app.db.record_assays(&actor, crm.id, "LabA", "QC-1", &[a], None).await.unwrap();
    }
    let (own_inc, own_act) = incident_with_action(app, own_mine.id, "Level 2, stope 4").await;
    let (other_inc, other_act) = incident_with_action(app, other_mine.id, "Secret stope 9 of the other mine").await;
    let db = &app.db;
    let schedule_of = async |mine: uuid::Uuid| db.inspection_schedules(Some(&[mine])).await.unwrap()[0].schedule.id;
    let inspection_of = async |mine: uuid::Uuid| db.inspections(Some(&[mine]), 1).await.unwrap()[0].id;
    let finding_of = async |mine: uuid::Uuid| db.open_findings_of_mine(mine).await.unwrap()[0].id;
    let hazard_of = async |mine: uuid::Uuid| db.hazards(Some(&[mine])).await.unwrap()[0].hazard_id;
    let other_insp = inspection_of(other_mine.id).await;
    // A photo of the other mine's inspection.
    let answer = db.inspection_record(other_insp).await.unwrap().answers[0].id;
    let photo = db
        .attach(&actor, minecoop_store::safety::PHOTO_ENTITY, answer, "o2.jpg", "image/jpeg", &[0xFF, 0xD8, 0xFF, 0xE0])
        .await
        .unwrap()
        .id;
    let grievances = db.grievance_summaries().await.unwrap();
    let grv = |category: &str| grievances.iter().find(|g| g.g.category == category).unwrap().g.id.to_string();
    let (own_grv, other_grv, nomine_grv) = (grv("water"), grv("dust_noise"), grv("discrimination"));
    assert_eq!(grievances.iter().find(|g| g.g.category == "water").unwrap().mines, vec![own_mine.id]);
    let worker = async |mine: uuid::Uuid, name: &str, phone: &str, seq: &str| {
        use minecoop_domain::workforce::worker::{WorkerDraft, WorkerInput};
        let i = WorkerInput {
            mine_id: mine.to_string(),
            name: name.into(),
            id_number: minecoop_domain::workforce::idcard::complete(&format!("52270119900101{seq}")).unwrap(),
            sex: "male".into(),
            birth_date: "1990-01-01".into(),
            phone: phone.into(),
            job: "miner".into(),
            employment_form: "contract".into(),
            start_date: "2020-01-01".into(),
            ..Default::default()
        };
        let d = WorkerDraft::parse(&i, chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap();
        db.record_worker(&actor, &d).await.unwrap().worker.worker_id.to_string()
    };
    let own_worker = worker(own_mine.id, "本矿测试工人", "13800000001", "011").await;
    let other_worker = worker(other_mine.id, "他矿秘密工人", "13977776666", "031").await;
    let policy = async |mine: uuid::Uuid, worker: &str| {
        use minecoop_domain::workforce::coverage::{PolicyDraft, PolicyInput};
        let d = PolicyDraft::parse(&PolicyInput {
            mine_id: mine.to_string(),
            kind: "work_injury".into(),
            insurer: "人保".into(),
            number: format!("P-{mine}"),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            premium: "100".into(),
            ..Default::default()
        })
        .unwrap();
        let p = db.record_policy(&actor, &d).await.unwrap().policy_id;
        let w = uuid::Uuid::parse_str(worker).unwrap();
        db.add_policy_members(&actor, p, &[w], chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), None)
            .await
            .unwrap();
        let m = db.policy_members(p).await.unwrap()[0].id;
        (p.to_string(), m.to_string())
    };
    let (own_policy, own_member) = policy(own_mine.id, &own_worker).await;
    let (other_policy, other_member) = policy(other_mine.id, &other_worker).await;
    let claim = async |inc: &str, worker: &str| {
        use minecoop_domain::workforce::claim::{ClaimDraft, ClaimInput};
        let i = ClaimInput {
            incident_id: inc.into(),
            worker_id: worker.into(),
            severity: "serious".into(),
            notes: "秘密病历".into(),
            ..Default::default()
        };
        let d = ClaimDraft::parse(&i, chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).unwrap();
        db.open_claim(&actor, &d).await.unwrap().id()
    };
    let own_claim = claim(&own_inc, &own_worker).await;
    let other_claim = claim(&other_inc, &other_worker).await;
    let claim_doc = db.attach_claim_document(&actor, own_claim, "认定申请.pdf", b"%PDF").await.unwrap().id.to_string();
    Ids {
        own_grv,
        other_grv,
        nomine_grv,
        own_worker,
        other_worker,
        own_policy,
        other_policy,
        own_member,
        other_member,
        own_claim: own_claim.to_string(),
        other_claim: other_claim.to_string(),
        claim_doc,
        own_inc,
        other_inc,
        own_act,
        other_act,
        own_schedule: schedule_of(own_mine.id).await.to_string(),
        other_schedule: schedule_of(other_mine.id).await.to_string(),
        own_insp: inspection_of(own_mine.id).await.to_string(),
        other_insp: other_insp.to_string(),
        photo: photo.to_string(),
        template: minecoop_domain::safety::inspection::DEFAULT_TEMPLATE_ID.to_string(),
        own_finding: finding_of(own_mine.id).await.to_string(),
        other_finding: finding_of(other_mine.id).await.to_string(),
        own_hazard: hazard_of(own_mine.id).await.to_string(),
        other_hazard: hazard_of(other_mine.id).await.to_string(),
        own: own.id.to_string(),
        other: other.id.to_string(),
        own_mine: own_mine.id.to_string(),
        other_mine: other_mine.id.to_string(),
        person: person.id.to_string(),
        user: user.id.to_string(),
        own_lic,
        other_lic,
        doc: {
            let case = app.db.disputes().await.unwrap()[0].id;
            app.db.attach(&actor, "dispute", case, "纪要.txt", "text/plain", b"minutes").await.unwrap().id.to_string()
        },
        case: app.db.disputes().await.unwrap()[0].id.to_string(),
        own_sample,
        other_sample,
        secrets: vec![
            other.name_zh,
            other.uscc,
            other_mine.name_zh,
            person.phone.unwrap(),
            person.name,
            "Secret stope 9".into(),
            // The other mine's grievance and the phone of the one naming no mine.
            "晚上十点以后矿车还在村道上跑".into(),
            "135 8540 6621".into(),
            "他矿秘密工人".into(),
            "13977776666".into(),
        ],
    }
}

/// An incident of the mine and its containment action (owned by the inspector).
async fn incident_with_action(app: &TestApp, mine: uuid::Uuid, location: &str) -> (String, String) {
    use minecoop_domain::production::sample::parse_local_time;
    use minecoop_domain::safety::action::{ActionDraft, ActionInput};
    use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
    let actor = minecoop_store::Actor::system("test");
    let i = IncidentInput {
        mine_id: mine.to_string(),
        kind: "lost_time".into(),
        occurred_at: "2026-03-01T08:00".into(),
        unit_head_notified_at: "2026-03-01T08:30".into(),
        location: location.into(),
        description: "Hand caught in the winch".into(),
        ..Default::default()
    };
    let d = IncidentDraft::parse(&i, parse_local_time("2026-03-02T00:00").unwrap()).unwrap();
    let inc = app.db.record_incident(&actor, &d).await.unwrap();
    let a = ActionInput {
        source_kind: "incident".into(),
        source_id: inc.incident_id.to_string(),
        kind: "containment".into(),
        description: "Guard the winch".into(),
        owner: "inspector".into(),
        due_on: "2026-03-05".into(),
    };
    let a = ActionDraft::parse(&a, chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()).unwrap();
    let act = app.db.raise_action(&actor, &a).await.unwrap();
    (inc.incident_id.to_string(), act.id.to_string())
}

async fn route_table(backend: Backend) {
    let app = app(backend).await;
    let ids = ids(&app).await;
    let mut failures = Vec::new();
    for (method, template, body, expected) in TABLE {
        // Placeholders are filled in the path and in a form's body alike.
        let fill = |text: &str| {
            text.replace("{own}", &ids.own)
                .replace("{other}", &ids.other)
                .replace("{own_mine}", &ids.own_mine)
                .replace("{other_mine}", &ids.other_mine)
                .replace("{person}", &ids.person)
                .replace("{user}", &ids.user)
                .replace("{own_lic}", &ids.own_lic)
                .replace("{other_lic}", &ids.other_lic)
                .replace("{case}", &ids.case)
                .replace("{own_sample}", &ids.own_sample)
                .replace("{other_sample}", &ids.other_sample)
                .replace("{doc}", &ids.doc)
                .replace("{own_schedule}", &ids.own_schedule)
                .replace("{other_schedule}", &ids.other_schedule)
                .replace("{own_insp}", &ids.own_insp)
                .replace("{other_insp}", &ids.other_insp)
                .replace("{photo}", &ids.photo)
                .replace("{template}", &ids.template)
                .replace("{own_finding}", &ids.own_finding)
                .replace("{other_finding}", &ids.other_finding)
                .replace("{own_hazard}", &ids.own_hazard)
                .replace("{other_hazard}", &ids.other_hazard)
                .replace("{own_inc}", &ids.own_inc)
                .replace("{other_inc}", &ids.other_inc)
                .replace("{own_act}", &ids.own_act)
                .replace("{other_act}", &ids.other_act)
                .replace("{own_grv}", &ids.own_grv)
                .replace("{other_grv}", &ids.other_grv)
                .replace("{nomine_grv}", &ids.nomine_grv)
                .replace("{own_worker}", &ids.own_worker)
                .replace("{other_worker}", &ids.other_worker)
                .replace("{own_policy}", &ids.own_policy)
                .replace("{own_member}", &ids.own_member)
                .replace("{other_member}", &ids.other_member)
                .replace("{other_policy}", &ids.other_policy)
                .replace("{own_claim}", &ids.own_claim)
                .replace("{other_claim}", &ids.other_claim)
                .replace("{claim_doc}", &ids.claim_doc)
        };
        let path = fill(template);
        assert!(!path.contains('{'), "a placeholder is left in {path}");
        for (who, want) in WHO.iter().zip(expected) {
            let body = match body {
                B::None => None,
                B::Form(f) => Some(Body_::Form(fill(f))),
                B::Json(j) => Some(Body_::Json(serde_json::from_str(&fill(j)).unwrap())),
            };
            let r = app.send(*who, Method::from_bytes(method.as_bytes()).unwrap(), &path, body).await;
            if r.status.as_u16() != *want {
                failures.push(format!("{method} {template} as {who:?}: got {}, want {want}", r.status));
            }
            // A forbidden answer shows nothing of the record; nor does a form sent back to a
            // safety officer, who sees only his own mine.
            if r.status.as_u16() == 403 || (*who == As::User("officer") && r.status.as_u16() == 422) {
                for s in &ids.secrets {
                    if r.body.contains(s.as_str()) {
                        failures.push(format!("{method} {template} as {who:?}: 403 page shows {s:?}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} route/role mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn every_route_for_every_role_sqlite() {
    route_table(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_route_for_every_role_postgres() {
    route_table(Backend::Postgres).await;
}

/// The router's own list of routes must all be in the table, so a new route cannot be added
/// without deciding who may use it.
#[test]
fn table_covers_every_route() {
    // Every source file of the web crate, so that a new file's routes cannot be missed.
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut all = Vec::new();
    sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
    assert!(all.len() > 20, "the web crate's sources are read");
    // A `{param}` segment of a route matches any one segment of a table path.
    let matches = |table_path: &str, route: &str| {
        let (a, b): (Vec<&str>, Vec<&str>) = (table_path.split('/').collect(), route.split('/').collect());
        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| y.starts_with('{') || x == y)
    };
    let covered = |method: &str, route: &str| {
        TABLE.iter().any(|(m, t, _, _)| m.eq_ignore_ascii_case(method) && matches(t.split('?').next().unwrap(), route))
    };
    let mut missing = Vec::new();
    for src in &all {
        for part in src.split(".route(\"").skip(1) {
            let route = part.split('"').next().unwrap();
            // The handlers of this route: `get(a).post(b)` up to the end of the line.
            let handlers = part.split('\n').next().unwrap();
            for method in ["get", "post", "put", "delete"] {
                let used = handlers.contains(&format!(" {method}(")) || handlers.contains(&format!(".{method}("));
                // The language switch is covered with a real code (`/lang/en-US`).
                if used && !covered(method, route) && route != "/lang/{code}" {
                    missing.push(format!("{} {route}", method.to_uppercase()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "routes missing from the role table: {missing:?}");
}
