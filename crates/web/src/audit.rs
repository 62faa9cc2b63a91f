//! The audit trail as people read it: the filtered list for administrators and the bureau, and
//! the history table shown on every record's page.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use minecoop_domain::auth::AUDIT_ENTITIES;
use minecoop_store::audit::{AuditFilter, AuditRecord};
use serde::Deserialize;
use serde_json::Value;

use crate::page::{Ctx, Pager, render};
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

/// One change of one record: which fields changed, from what to what.
pub struct HistoryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub changes: Vec<(String, String, String)>,
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Fields that change on every write, or never, and say nothing by themselves.
const NOISE: &[&str] = &["id", "version", "updated_at", "created_at"];

/// Coordinates are stored in micro-degrees; people read degrees.
fn readable(key: &str, v: Option<&Value>) -> (String, String) {
    match (key.strip_suffix("_micro"), v.and_then(Value::as_i64)) {
        (Some(base), Some(micro)) => {
            let name = if base == "lat" { "latitude" } else { "longitude" };
            (
                name.to_owned(),
                minecoop_domain::units::from_scaled(micro, minecoop_domain::units::DEGREE_SCALE)
                    .normalize()
                    .to_string(),
            )
        }
        (Some(base), None) => ((if base == "lat" { "latitude" } else { "longitude" }).to_owned(), show(v)),
        _ => (key.to_owned(), show(v)),
    }
}

pub fn history_row(r: &AuditRecord) -> HistoryRow {
    let before: Value = serde_json::from_str(&r.before).unwrap_or(Value::Null);
    let after: Value = serde_json::from_str(&r.after).unwrap_or(Value::Null);
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes = keys
        .into_iter()
        .filter(|k| !NOISE.contains(&k.as_str()) && b.get(*k) != a.get(*k))
        .map(|k| {
            let (name, old) = readable(k, b.get(k));
            let (_, new) = readable(k, a.get(k));
            (name, old, new)
        })
        .collect();
    HistoryRow {
        seq: r.seq,
        at: r.at.replace('T', " ").trim_end_matches('Z').chars().take(19).collect(),
        actor: r.actor.clone(),
        action: r.action.clone(),
        entity: r.entity.clone(),
        entity_id: r.entity_id.clone(),
        changes,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    entity: String,
    entity_id: String,
    actor: String,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    ctx: Ctx,
    rows: Vec<HistoryRow>,
    q: AuditQuery,
    pager: Pager,
    /// The record types the filter offers: those the viewer may read.
    entities: Vec<&'static str>,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    let only = v.require(|p| p.can_view_audit_log())?.visible_audit_entities();
    let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let f =
        AuditFilter { entity: nonempty(&q.entity), entity_id: nonempty(&q.entity_id), actor: nonempty(&q.actor), only };
    let page = s.store.audit_list(&f, q.page.unwrap_or(1).clamp(1, 1_000_000), 50).await?;
    let entities = f.only.clone().unwrap_or_else(|| AUDIT_ENTITIES.iter().map(|(e, _)| *e).collect());
    let pager = Pager::new(
        "/audit",
        &[("entity", q.entity.clone()), ("entity_id", q.entity_id.clone()), ("actor", q.actor.clone())],
        page.page,
        page.pages(),
        page.total,
    );
    let rows = page.items.iter().map(history_row).collect();
    render(&AuditPage { ctx: Ctx::new(&v, &uri), rows, q, pager, entities })
}
