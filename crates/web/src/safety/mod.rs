//! Safety (issue 5). So far: the calculators as a page anyone logged in can use, the same rules
//! as `minecoop safety ...`: the class of an accident and who investigates it, the legal clock,
//! and the frequency rates. Forms are GET: nothing is stored.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use minecoop_domain::FieldErrors;
use minecoop_domain::production::sample::parse_local_time;
use minecoop_domain::safety::AccidentClass;
use minecoop_domain::safety::{self, Exposure, SafetyProblem};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::page::{Ctx, FormState, render};
use crate::production::Line;
use crate::registry::unprocessable;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub mod actions;
pub mod explosives;
mod findings;
mod hazards;
pub mod incidents;
pub(crate) mod inspections;
pub mod investigations;

pub use hazards::save_hazard;
pub use inspections::{may_schedule_for, photos_of, submit_inspection, writable_schedule};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/safety", get(hub))
        .route("/safety/calculators", get(calculators))
        .merge(incidents::routes())
        .merge(actions::routes())
        .merge(investigations::routes())
        .merge(explosives::routes())
        .merge(inspections::routes())
        .merge(findings::routes())
        .merge(hazards::routes())
}

/// The mines whose safety records the viewer may see, by Chinese name.
pub(crate) async fn visible_mines(s: &AppState, v: &Viewer) -> AppResult<Vec<minecoop_store::registry::Mine>> {
    let p = v.principal()?.clone();
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_view_safety_of(m.id, m.member_id)).collect())
}

/// The mines the viewer may inspect and whose hazards he keeps.
pub(crate) async fn inspectable_mines(s: &AppState, v: &Viewer) -> AppResult<Vec<minecoop_store::registry::Mine>> {
    let p = v.principal()?.clone();
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_inspect(m.id, m.member_id)).collect())
}

/// The mine filter of a list: one visible mine, or all of them; another mine is forbidden.
pub(crate) fn mine_ids(
    mines: &[minecoop_store::registry::Mine],
    chosen: Option<uuid::Uuid>,
) -> AppResult<Vec<uuid::Uuid>> {
    match chosen {
        Some(id) if mines.iter().any(|m| m.id == id) => Ok(vec![id]),
        Some(_) => Err(crate::AppError::Forbidden),
        None => Ok(mines.iter().map(|m| m.id).collect()),
    }
}

/// The query string read after the caller has checked who is asking, so that a visitor who is
/// not logged in is sent to the login page whatever the query says.
pub(crate) fn query<T: serde::de::DeserializeOwned>(uri: &Uri) -> AppResult<T> {
    Query::<T>::try_from_uri(uri).map(|Query(q)| q).map_err(|_| crate::AppError::BadRequest("error-400-detail"))
}

/// An optional id in a query string: empty is none, anything else must be an id.
pub(crate) fn opt_id(s: &str) -> AppResult<Option<uuid::Uuid>> {
    match s.trim() {
        "" => Ok(None),
        t => uuid::Uuid::parse_str(t).map(Some).map_err(|_| crate::AppError::BadRequest("error-400-detail")),
    }
}

#[derive(Template)]
#[template(path = "safety/hub.html")]
struct HubPage {
    ctx: Ctx,
    record: Vec<record::RecordRow>,
    monthly: Vec<record::PeriodRow>,
    yearly: Vec<record::PeriodRow>,
    chart: Option<String>,
    threshold: String,
    /// The accident classes, for the days-by-class table.
    classes: Vec<&'static str>,
    actions: Vec<actions::ActionRow>,
}

/// The safety front page: the safety record (days since the last accident), the overdue
/// actions, and the way to incidents, actions and the calculators.
async fn hub(axum::extract::State(s): axum::extract::State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let threshold = s.config.major_accident_class;
    let sources = record::sources(&s, &p).await?;
    let mut record = record::rows(&sources, threshold);
    // The co-op's line first, then the mines ranked: the lowest TRIFR over twelve months first,
    // mines without hours last.
    if record.len() > 1 {
        record[1..].sort_by(|a, b| match (a.trifr, b.trifr) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.mine.cmp(&b.mine),
        });
    }
    let (monthly, yearly) = record::periods(&sources);
    let chart = record::chart(v.lang, &monthly);
    let actions = actions::overdue(&s, &p).await?;
    let threshold = threshold.as_str().to_owned();
    let classes = AccidentClass::ALL.iter().map(|c| c.as_str()).collect();
    render(&HubPage { ctx: Ctx::new(&v, &uri), record, monthly, yearly, chart, threshold, classes, actions })
}

pub mod record;

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct Params {
    /// `classify`, `deadlines` or `rates`.
    calc: String,
    deaths: String,
    serious_injuries: String,
    loss: String,
    occurred: String,
    unit_head_notified: String,
    hours: String,
    fatalities: String,
    lost_time: String,
    restricted: String,
    medical: String,
}

#[derive(Template)]
#[template(path = "safety/calculators.html")]
struct Page {
    ctx: Ctx,
    form: FormState,
    calc: String,
    lines: Vec<Line>,
    finding: Option<String>,
}

/// A count of people or cases: empty is 0 where `zero_if_empty`, never negative.
fn count(e: &mut FieldErrors, field: &str, v: &str, zero_if_empty: bool) -> Option<u32> {
    let t = v.trim();
    if t.is_empty() {
        if zero_if_empty {
            return Some(0);
        }
        e.add(field, "err-required");
        return None;
    }
    match t.parse::<i64>() {
        Ok(n) if n < 0 => {
            e.add(field, "err-negative");
            None
        }
        Ok(n) => match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                e.add(field, "err-too-large");
                None
            }
        },
        Err(_) => {
            e.add(field, "err-number");
            None
        }
    }
}

fn decimal(e: &mut FieldErrors, field: &str, v: &str) -> Option<Decimal> {
    match v.trim() {
        "" => {
            e.add(field, "err-required");
            None
        }
        t => match t.parse::<Decimal>() {
            Ok(d) => Some(d),
            Err(_) => {
                e.add(field, "err-number");
                None
            }
        },
    }
}

fn on_field(e: &mut FieldErrors, p: SafetyProblem) {
    e.add(p.field, p.code);
}

pub async fn calculators(v: Viewer, uri: Uri, Query(q): Query<Params>) -> AppResult<Response> {
    v.principal()?;
    let t = |k: &str| v.lang.t(k);
    let mut e = FieldErrors::new();
    let mut lines = Vec::new();
    let mut finding = None;
    match q.calc.as_str() {
        "classify" => {
            let d = count(&mut e, "deaths", &q.deaths, false);
            let s = count(&mut e, "serious_injuries", &q.serious_injuries, false);
            let l = decimal(&mut e, "loss", &q.loss);
            if let (Some(d), Some(s), Some(l)) = (d, s, l) {
                match safety::classify(d, s, l) {
                    Ok(c) => {
                        lines = vec![
                            Line { label: t("safety-class"), value: t(&format!("accident-class-{c}")) },
                            Line {
                                label: t("safety-investigated-by"),
                                value: t(&format!("investigator-{}", c.investigated_by())),
                            },
                        ];
                        finding = Some(t("safety-class-rule"));
                    }
                    Err(p) => on_field(&mut e, p),
                }
            }
        }
        "deadlines" => {
            let o = e.take("occurred", parse_local_time(&q.occurred));
            let n = e.take("unit_head_notified", parse_local_time(&q.unit_head_notified));
            if let (Some(o), Some(n)) = (o, n) {
                match safety::deadlines(o, n) {
                    Ok(d) => {
                        let at = |x: chrono::NaiveDateTime| x.format("%Y-%m-%d %H:%M").to_string();
                        lines = vec![
                            Line { label: t("safety-report-by"), value: at(d.report_to_regulator_by) },
                            Line { label: t("safety-casualty-updates"), value: at(d.casualty_updates_until) },
                            Line { label: t("safety-investigation-due"), value: at(d.investigation_report_due) },
                            Line { label: t("safety-investigation-latest"), value: at(d.investigation_report_latest) },
                        ];
                    }
                    Err(p) => on_field(&mut e, p),
                }
            }
        }
        "rates" => {
            let hours = decimal(&mut e, "hours", &q.hours);
            let f = count(&mut e, "fatalities", &q.fatalities, true);
            let l = count(&mut e, "lost_time", &q.lost_time, true);
            let r = count(&mut e, "restricted", &q.restricted, true);
            let m = count(&mut e, "medical", &q.medical, true);
            if let (Some(hours), Some(fatalities), Some(lost_time), Some(restricted), Some(medical)) =
                (hours, f, l, r, m)
            {
                match safety::rates(&Exposure { hours, fatalities, lost_time, restricted, medical }) {
                    Ok(r) => {
                        let per = |d: Decimal| format!("{:.2}", d.round_dp(2));
                        lines = vec![
                            Line { label: "LTIFR".into(), value: per(r.ltifr) },
                            Line { label: "TRIFR".into(), value: per(r.trifr) },
                            Line { label: t("safety-ffr"), value: per(r.ffr) },
                            Line {
                                label: t("safety-trifr-200k"),
                                value: safety::on_basis(r.trifr, 200_000).map(per).unwrap_or_else(|| "–".into()),
                            },
                        ];
                        finding = Some(t("safety-rates-rule"));
                    }
                    Err(p) => on_field(&mut e, p),
                }
            }
        }
        _ => {}
    }
    let pairs = form_pairs(&q);
    let form = FormState::from_pairs(pairs).with_errors(v.lang, &e);
    let page = Page { ctx: Ctx::new(&v, &uri), form, calc: q.calc.clone(), lines, finding };
    if e.is_empty() { render(&page) } else { unprocessable(&page) }
}

/// What was typed, to show again with the result or the errors.
fn form_pairs(q: &Params) -> Vec<(String, String)> {
    [
        ("deaths", &q.deaths),
        ("serious_injuries", &q.serious_injuries),
        ("loss", &q.loss),
        ("occurred", &q.occurred),
        ("unit_head_notified", &q.unit_head_notified),
        ("hours", &q.hours),
        ("fatalities", &q.fatalities),
        ("lost_time", &q.lost_time),
        ("restricted", &q.restricted),
        ("medical", &q.medical),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect()
}
