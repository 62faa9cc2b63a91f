//! The metallurgical calculators as a page anyone logged in can use: two- and three-product
//! formulas, the check of a reported recovery, and mass-balance reconciliation. Forms are GET:
//! nothing is stored, and a result can be bookmarked or printed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use minecoop_domain::FieldErrors;
use minecoop_domain::metallurgy::{self, Problems};
use serde::Deserialize;

use crate::page::{Ctx, FormState, render};
use crate::registry::unprocessable;
use crate::session::Viewer;
use crate::{AppResult, AppState};

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct CalcParams {
    /// Which calculator was run: `two`, `three`, `recovery`, `reconcile`.
    calc: String,
    feed: String,
    conc: String,
    tail: String,
    feed1: String,
    feed2: String,
    conc1_1: String,
    conc1_2: String,
    conc2_1: String,
    conc2_2: String,
    tail1: String,
    tail2: String,
    reported: String,
    rfeed: String,
    rtail: String,
    rconc: String,
    circuit: String,
}

/// A result as label and value lines.
pub struct Line {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "production/calculators.html")]
struct CalcPage {
    ctx: Ctx,
    form: FormState,
    calc: String,
    lines: Vec<Line>,
    /// A finding on a reported recovery, or the gross-error verdict.
    finding: Option<String>,
    table: Vec<Vec<String>>,
}

const EXAMPLE_CIRCUIT: &str = r#"{"streams":[{"name":"F","value":100,"sd":2},{"name":"C","value":6.5,"sd":0.2},{"name":"T","value":92,"sd":2}],
 "nodes":[{"name":"mill","in":["F"],"out":["C","T"]}]}"#;

fn num(e: &mut FieldErrors, field: &str, v: &str) -> Option<f64> {
    let t = v.trim();
    if t.is_empty() {
        e.add(field, "err-required");
        return None;
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            e.add(field, "err-number");
            None
        }
    }
}

fn f4(x: f64) -> String {
    format!("{x:.4}")
}

/// Problems of the domain on the form's own field names.
fn on_fields(p: &Problems, rename: &[(&str, &str)]) -> FieldErrors {
    let mut e = FieldErrors::new();
    for pr in &p.0 {
        let field = pr.field();
        let metal = pr.metal();
        let name = rename
            .iter()
            .find(|(from, _)| *from == field || metal.is_some_and(|m| *from == format!("{field}{m}")))
            .map(|(_, to)| *to)
            .unwrap_or(field);
        e.add_with(name, pr.code(), pr.args());
    }
    e
}

pub async fn calculators(
    State(_s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CalcParams>,
) -> AppResult<Response> {
    v.principal()?;
    let ctx = Ctx::new(&v, &uri);
    let t = |k: &str| v.lang.t(k);
    let mut e = FieldErrors::new();
    let mut lines = Vec::new();
    let mut finding = None;
    let mut table = Vec::new();
    match q.calc.as_str() {
        "two" => {
            let (f, c, tl) = (num(&mut e, "feed", &q.feed), num(&mut e, "conc", &q.conc), num(&mut e, "tail", &q.tail));
            if let (Some(f), Some(c), Some(tl)) = (f, c, tl) {
                match metallurgy::two_product(f, c, tl) {
                    Ok(r) => {
                        lines = vec![
                            Line { label: t("calc-yield"), value: format!("{} %", f4(r.yield_pct)) },
                            Line { label: t("calc-recovery"), value: format!("{} %", f4(r.recovery_pct)) },
                            Line { label: t("calc-ratio-of-concentration"), value: f4(r.ratio_of_concentration) },
                            Line { label: t("calc-enrichment-ratio"), value: f4(r.enrichment_ratio) },
                        ]
                    }
                    Err(p) => e = on_fields(&p, &[]),
                }
            }
        }
        "three" => {
            let mut pair = |a: &str, av: &str, b: &str, bv: &str| -> Option<[f64; 2]> {
                Some([num(&mut e, a, av)?, num(&mut e, b, bv)?])
            };
            let feed = pair("feed1", &q.feed1, "feed2", &q.feed2);
            let conc1 = pair("conc1_1", &q.conc1_1, "conc1_2", &q.conc1_2);
            let conc2 = pair("conc2_1", &q.conc2_1, "conc2_2", &q.conc2_2);
            let tail = pair("tail1", &q.tail1, "tail2", &q.tail2);
            if let (Some(feed), Some(conc1), Some(conc2), Some(tail)) = (feed, conc1, conc2, tail) {
                let g = metallurgy::three_product::ThreeProductGrades { feed, conc1, conc2, tail };
                match metallurgy::three_product::three_product(&g) {
                    Ok(r) => {
                        lines = vec![
                            Line { label: t("calc-conc1-share"), value: format!("{} %", f4(r.conc1_pct)) },
                            Line { label: t("calc-conc2-share"), value: format!("{} %", f4(r.conc2_pct)) },
                            Line { label: t("calc-tail-share"), value: format!("{} %", f4(r.tail_pct)) },
                            Line { label: t("calc-recovery1"), value: format!("{} %", f4(r.recovery1_pct)) },
                            Line { label: t("calc-recovery2"), value: format!("{} %", f4(r.recovery2_pct)) },
                        ]
                    }
                    Err(p) => {
                        e = on_fields(
                            &p,
                            &[
                                ("feed1", "feed1"),
                                ("feed2", "feed2"),
                                ("conc11", "conc1_1"),
                                ("conc12", "conc1_2"),
                                ("conc21", "conc2_1"),
                                ("conc22", "conc2_2"),
                                ("tail1", "tail1"),
                                ("tail2", "tail2"),
                            ],
                        );
                        // Problems of the whole system (ill-conditioned) go on the first field.
                        for x in e.0.iter_mut() {
                            if !x.field.contains(['1', '2']) {
                                x.field = "feed1".into();
                            }
                        }
                    }
                }
            }
        }
        "recovery" => {
            let r = num(&mut e, "reported", &q.reported);
            let f = num(&mut e, "rfeed", &q.rfeed);
            let tl = num(&mut e, "rtail", &q.rtail);
            let c = if q.rconc.trim().is_empty() { Some(None) } else { num(&mut e, "rconc", &q.rconc).map(Some) };
            if let (Some(r), Some(f), Some(tl), Some(c)) = (r, f, tl, c) {
                match metallurgy::period::check_reported_recovery(r, f, tl, c) {
                    Ok(chk) => {
                        lines.push(Line {
                            label: t("calc-lowest-recovery"),
                            value: format!("{:.3} %", chk.lowest_possible_pct),
                        });
                        if let Some(tp) = chk.two_product_pct {
                            lines.push(Line { label: t("calc-recovery"), value: format!("{tp:.3} %") });
                        }
                        finding = Some(match chk.code() {
                            Some(code) => v.lang.t_args(
                                code,
                                &[
                                    ("reported", r.to_string()),
                                    ("lowest", format!("{:.3}", chk.lowest_possible_pct)),
                                    ("feed", f.to_string()),
                                    ("tail", tl.to_string()),
                                    ("conc", c.map(|c| c.to_string()).unwrap_or_default()),
                                    ("computed", chk.two_product_pct.map(|x| format!("{x:.3}")).unwrap_or_default()),
                                ],
                            ),
                            None => t("calc-recovery-possible"),
                        });
                    }
                    Err(p) => {
                        e = on_fields(
                            &p,
                            &[("reported", "reported"), ("feed", "rfeed"), ("tail", "rtail"), ("conc", "rconc")],
                        )
                    }
                }
            }
        }
        "reconcile" => match serde_json::from_str::<metallurgy::reconcile::Circuit>(&q.circuit) {
            Err(err) => e.add_with("circuit", "err-circuit-json", vec![("detail", err.to_string())]),
            // Off the async workers: a large circuit is seconds of arithmetic.
            Ok(c) => match tokio::task::spawn_blocking(move || metallurgy::reconcile::reconcile(&c))
                .await
                .map_err(|e| crate::AppError::Internal(format!("reconciliation: {e}")))?
            {
                Ok(r) => {
                    table = r
                        .streams
                        .iter()
                        .map(|s| {
                            vec![
                                s.name.clone(),
                                f4(s.estimate.measured),
                                f4(s.estimate.reconciled),
                                f4(s.estimate.adjustment),
                                format!("{:.2}", s.estimate.normalised_adjustment),
                            ]
                        })
                        .collect();
                    lines = vec![
                        Line { label: "χ²".into(), value: f4(r.chi2) },
                        Line { label: t("calc-dof"), value: r.dof.to_string() },
                        Line { label: t("calc-chi2-critical"), value: f4(r.chi2_critical) },
                    ];
                    finding = Some(if r.gross_error_suspected {
                        let names: Vec<String> = r.most_adjusted.iter().take(1).flat_map(|s| s.names.clone()).collect();
                        v.lang.t_args("calc-gross-error", &[("streams", names.join(", "))])
                    } else {
                        t("calc-no-gross-error")
                    });
                }
                Err(p) => {
                    for pr in &p.0 {
                        e.add_with("circuit", pr.code(), pr.args());
                    }
                }
            },
        },
        _ => {}
    }
    let mut form = FormState::of(&q);
    if form.v("circuit").is_empty() {
        form = FormState::of(&CalcParams { circuit: EXAMPLE_CIRCUIT.into(), ..q });
    }
    let page = CalcPage { ctx, form: form.with_errors(v.lang, &e), calc: q_calc(&uri), lines, finding, table };
    if e.is_empty() { render(&page) } else { unprocessable(&page) }
}

fn q_calc(uri: &Uri) -> String {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "calc")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
