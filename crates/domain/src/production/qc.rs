//! Quality control of assays (issue 4 item 2): certified reference materials against their
//! accepted values, blanks against the detection limit, field duplicates against their
//! originals, and the outcome of a laboratory batch as the worst of its checks.
//!
//! REFERENCE.md does not fix the thresholds; these are the industry's usual conventions, kept in
//! [`QcLimits`] so that they can be changed in one place:
//!
//! - CRM: within 2 standard deviations of the accepted value passes, between 2 and 3 is a
//!   warning, beyond 3 fails; two consecutive results of the same material and element beyond
//!   2 sd on the same side fail (Westgard 2-2s).
//! - Blank: a result above 5 × its detection limit fails (no limit known: above the element's
//!   blank limit, if one is set); a "< DL" result passes.
//! - Field duplicate: the relative difference |a − b| / mean(a, b) above 30 % fails; pairs whose
//!   mean is under 10 × the detection limit are not judged (too near the limit to mean much).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Element;
use super::sample::QcRole;
use crate::registry::code_enum;
use crate::units::{GRADE_SCALE, to_scaled};
use crate::validation::{FieldErrors, optional_text, required_text};

/// The thresholds of every check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QcLimits {
    /// A CRM result further than this many sd from the accepted value is a warning.
    pub warn_sd: Decimal,
    /// ... and further than this many, a failure.
    pub fail_sd: Decimal,
    /// A blank above this many times its detection limit fails.
    pub blank_factor: i64,
    /// When a blank's detection limit is not known: the most it may read, by element, in 10^-4
    /// of the element's unit.
    pub blank_limits: BTreeMap<String, i64>,
    /// A field duplicate further than this (in percent of the pair's mean) fails.
    pub duplicate_limit_pct: Decimal,
    /// A pair whose mean is under this many times the detection limit is not judged.
    pub duplicate_min_dl_factor: i64,
}

impl Default for QcLimits {
    fn default() -> Self {
        QcLimits {
            warn_sd: Decimal::from(2),
            fail_sd: Decimal::from(3),
            blank_factor: 5,
            blank_limits: BTreeMap::new(),
            duplicate_limit_pct: Decimal::from(30),
            duplicate_min_dl_factor: 10,
        }
    }
}

/// `[qc]` in the configuration: the co-op's own control limits, in plain units. Anything left
/// out keeps the industry's usual value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QcSettings {
    pub warn_sd: Decimal,
    pub fail_sd: Decimal,
    pub blank_factor: i64,
    /// The most a blank may read when its detection limit is not known, by element symbol, in
    /// the element's unit (e.g. `zn = 0.02` for 0.02 %).
    pub blank_limits: BTreeMap<String, Decimal>,
    pub duplicate_limit_pct: Decimal,
    pub duplicate_min_dl_factor: i64,
}

impl Default for QcSettings {
    fn default() -> Self {
        let d = QcLimits::default();
        QcSettings {
            warn_sd: d.warn_sd,
            fail_sd: d.fail_sd,
            blank_factor: d.blank_factor,
            blank_limits: BTreeMap::new(),
            duplicate_limit_pct: d.duplicate_limit_pct,
            duplicate_min_dl_factor: d.duplicate_min_dl_factor,
        }
    }
}

impl QcLimits {
    /// The limits a configuration sets, checked: each problem named by its setting.
    pub fn from_settings(s: &QcSettings, elements: &[Element]) -> Result<QcLimits, Vec<String>> {
        let mut problems = Vec::new();
        if s.warn_sd <= Decimal::ZERO {
            problems.push("warn_sd must be more than 0".to_owned());
        }
        if s.fail_sd <= s.warn_sd {
            problems.push("fail_sd must be more than warn_sd".to_owned());
        }
        if s.blank_factor < 1 {
            problems.push("blank_factor must be at least 1".to_owned());
        }
        if s.duplicate_limit_pct <= Decimal::ZERO || s.duplicate_limit_pct > Decimal::from(200) {
            problems.push("duplicate_limit_pct must be more than 0 and at most 200".to_owned());
        }
        if s.duplicate_min_dl_factor < 0 {
            problems.push("duplicate_min_dl_factor must not be negative".to_owned());
        }
        let mut blank_limits = BTreeMap::new();
        for (el, v) in &s.blank_limits {
            let key = el.trim().to_lowercase();
            if !elements.iter().any(|e| e.code == key) {
                problems.push(format!("blank_limits.{el}: not one of the co-op's elements"));
            } else if v.is_sign_negative() {
                problems.push(format!("blank_limits.{el} must not be negative"));
            } else {
                match to_scaled(*v, GRADE_SCALE) {
                    Some(x) => {
                        blank_limits.insert(key, x);
                    }
                    None => problems.push(format!("blank_limits.{el}: at most 4 decimals")),
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(QcLimits {
            warn_sd: s.warn_sd,
            fail_sd: s.fail_sd,
            blank_factor: s.blank_factor,
            blank_limits,
            duplicate_limit_pct: s.duplicate_limit_pct,
            duplicate_min_dl_factor: s.duplicate_min_dl_factor,
        })
    }
}

code_enum!(
    /// How a check or a batch came out, from best to worst; `not_judged` means there was
    /// nothing to judge by.
    Outcome, "err-choice", {
        NotJudged => "not_judged", Pass => "pass", Warning => "warning", Fail => "fail",
    }
);

impl Outcome {
    fn rank(self) -> u8 {
        match self {
            Outcome::NotJudged => 0,
            Outcome::Pass => 1,
            Outcome::Warning => 2,
            Outcome::Fail => 3,
        }
    }

    /// The worse of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        if other.rank() > self.rank() { other } else { self }
    }

    /// A batch that must be accepted or rejected by an inspector.
    pub fn is_flagged(self) -> bool {
        matches!(self, Outcome::Warning | Outcome::Fail)
    }
}

code_enum!(
    /// An inspector's decision on a flagged batch.
    Decision, "err-choice", { Accepted => "accepted", Rejected => "rejected" }
);

/// A certified reference material's accepted value for one element (in 10^-4 of the element's
/// unit) with its standard deviation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Material {
    pub name: String,
    pub element: String,
    pub accepted: i64,
    pub sd: i64,
}

/// One result of a sample, as the check needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QcResult {
    pub element: String,
    /// `None`: below the detection limit.
    pub value: Option<i64>,
    pub detection_limit: Option<i64>,
    pub lab: String,
    pub batch: String,
}

/// A sample with its current results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QcSample {
    pub code: String,
    pub mine_id: Uuid,
    pub taken_at: NaiveDateTime,
    pub role: QcRole,
    pub duplicate_of: Option<String>,
    pub reference: Option<String>,
    pub results: Vec<QcResult>,
}

/// One check of one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The QC sample's code.
    pub sample: String,
    pub mine_id: Uuid,
    /// `crm`, `blank` or `duplicate`.
    pub role: QcRole,
    pub element: String,
    /// The result (`None`: below the detection limit).
    pub value: Option<i64>,
    pub detection_limit: Option<i64>,
    /// What it is compared with: the accepted value, the original's result; for a blank the
    /// most it may read.
    pub expected: Option<i64>,
    /// The deviation: in sd for a CRM (signed), in percent for a duplicate.
    pub deviation: Option<Decimal>,
    pub outcome: Outcome,
    /// Fluent code of the rule that decided: `qc-rule-...`.
    pub rule: &'static str,
}

/// A laboratory batch with its checks and outcome (the worst of its checks; `not_judged` when
/// it has no check that could be judged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchQc {
    pub lab: String,
    pub batch: String,
    /// Samples with results in the batch.
    pub samples: usize,
    /// Mines whose samples are in the batch.
    pub mines: Vec<Uuid>,
    /// The first time a sample of the batch was taken.
    pub first_taken: NaiveDateTime,
    pub checks: Vec<Check>,
    pub outcome: Outcome,
}

impl BatchQc {
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome.is_flagged())
    }
}

/// A CRM result against its accepted value: the outcome, the rule and the deviation in sd. A
/// result below the detection limit is taken at the limit (the closest it could be).
pub fn check_crm(
    value: Option<i64>,
    detection_limit: Option<i64>,
    m: &Material,
    limits: &QcLimits,
) -> (Outcome, &'static str, Option<Decimal>) {
    let Some(x) = value.or(detection_limit) else { return (Outcome::NotJudged, "qc-rule-crm-no-value", None) };
    if m.sd <= 0 {
        return (Outcome::NotJudged, "qc-rule-crm-no-sd", None);
    }
    let z = Decimal::from(x - m.accepted) / Decimal::from(m.sd);
    let shown = Some(z.round_dp(2));
    if z.abs() > limits.fail_sd {
        (Outcome::Fail, "qc-rule-crm-3sd", shown)
    } else if z.abs() > limits.warn_sd {
        (Outcome::Warning, "qc-rule-crm-2sd", shown)
    } else {
        (Outcome::Pass, "qc-rule-crm-ok", shown)
    }
}

/// A blank: "< DL" passes; a value fails above `blank_factor` × its detection limit, or when no
/// limit is known, above the element's blank limit. Returns the outcome, the rule and the limit
/// it was held to.
pub fn check_blank(
    element: &str,
    value: Option<i64>,
    detection_limit: Option<i64>,
    limits: &QcLimits,
) -> (Outcome, &'static str, Option<i64>) {
    let limit = detection_limit
        .map(|dl| (dl.saturating_mul(limits.blank_factor), "qc-rule-blank-dl"))
        .or_else(|| limits.blank_limits.get(element).map(|l| (*l, "qc-rule-blank-limit")));
    match (value, limit) {
        (None, l) => (Outcome::Pass, "qc-rule-blank-below-dl", l.map(|l| l.0)),
        (Some(v), Some((l, rule))) if v > l => (Outcome::Fail, rule, Some(l)),
        (Some(_), Some((l, _))) => (Outcome::Pass, "qc-rule-blank-ok", Some(l)),
        (Some(_), None) => (Outcome::NotJudged, "qc-rule-blank-no-limit", None),
    }
}

/// A field duplicate `b` of an original `a`: relative difference in percent of their mean.
/// Below-DL results count at their limit; pairs near the detection limit are not judged.
pub fn check_duplicate(
    a: Option<i64>,
    b: Option<i64>,
    detection_limit: Option<i64>,
    limits: &QcLimits,
) -> (Outcome, &'static str, Option<Decimal>) {
    let (Some(a), Some(b)) = (a.or(detection_limit), b.or(detection_limit)) else {
        return (Outcome::NotJudged, "qc-rule-dup-no-value", None);
    };
    let mean2 = Decimal::from(a) + Decimal::from(b);
    let near = detection_limit.is_some_and(|dl| mean2 < Decimal::from(2 * dl * limits.duplicate_min_dl_factor));
    if mean2.is_zero() || near {
        return (Outcome::NotJudged, "qc-rule-dup-near-dl", None);
    }
    let rd = (Decimal::from((a - b).abs()) * Decimal::from(200) / mean2).round_dp(1);
    if rd > limits.duplicate_limit_pct {
        (Outcome::Fail, "qc-rule-dup-rd", Some(rd))
    } else {
        (Outcome::Pass, "qc-rule-dup-ok", Some(rd))
    }
}

/// Every batch of `samples` with its checks. `context` holds samples that are not themselves
/// in the period but are needed to judge it: the originals of duplicates and earlier results of
/// the same CRMs (for the 2-2s rule). Batches are in the order their first sample was taken.
pub fn evaluate(samples: &[QcSample], context: &[QcSample], materials: &[Material], limits: &QcLimits) -> Vec<BatchQc> {
    let by_code: HashMap<&str, &QcSample> = context.iter().chain(samples).map(|s| (s.code.as_str(), s)).collect();
    let material = |name: &str, el: &str| materials.iter().find(|m| m.name == name && m.element == el);

    // The 2-2s rule over the whole CRM history: (sample, element) pairs that fail it.
    let mut westgard: Vec<(String, String)> = Vec::new();
    {
        let mut crms: Vec<&QcSample> = by_code.values().copied().filter(|s| s.role == QcRole::Reference).collect();
        crms.sort_by(|a, b| (a.taken_at, &a.code).cmp(&(b.taken_at, &b.code)));
        let mut last: HashMap<(String, String), Decimal> = HashMap::new();
        for s in crms {
            let Some(name) = &s.reference else { continue };
            for r in &s.results {
                let Some(m) = material(name, &r.element) else { continue };
                let Some(x) = r.value.or(r.detection_limit).filter(|_| m.sd > 0) else { continue };
                let z = Decimal::from(x - m.accepted) / Decimal::from(m.sd);
                let key = (name.clone(), r.element.clone());
                if let Some(prev) = last.get(&key)
                    && z.abs() > limits.warn_sd
                    && prev.abs() > limits.warn_sd
                    && z.is_sign_positive() == prev.is_sign_positive()
                {
                    westgard.push((s.code.clone(), r.element.clone()));
                }
                last.insert(key, z);
            }
        }
    }

    let mut batches: BTreeMap<(String, String), BatchQc> = BTreeMap::new();
    for s in samples {
        for r in &s.results {
            let b = batches.entry((r.lab.clone(), r.batch.clone())).or_insert_with(|| BatchQc {
                lab: r.lab.clone(),
                batch: r.batch.clone(),
                samples: 0,
                mines: Vec::new(),
                first_taken: s.taken_at,
                checks: Vec::new(),
                outcome: Outcome::NotJudged,
            });
            b.first_taken = b.first_taken.min(s.taken_at);
            if !b.mines.contains(&s.mine_id) {
                b.mines.push(s.mine_id);
            }
            let check = |outcome, rule, expected, deviation| Check {
                sample: s.code.clone(),
                mine_id: s.mine_id,
                role: s.role,
                element: r.element.clone(),
                value: r.value,
                detection_limit: r.detection_limit,
                expected,
                deviation,
                outcome,
                rule,
            };
            let c = match s.role {
                QcRole::Routine => None,
                QcRole::Reference => {
                    let m = s.reference.as_deref().and_then(|n| material(n, &r.element));
                    Some(match m {
                        None => check(Outcome::NotJudged, "qc-rule-crm-unknown", None, None),
                        Some(m) => {
                            let (mut o, mut rule, z) = check_crm(r.value, r.detection_limit, m, limits);
                            if o != Outcome::Fail && westgard.contains(&(s.code.clone(), r.element.clone())) {
                                (o, rule) = (Outcome::Fail, "qc-rule-crm-22s");
                            }
                            check(o, rule, Some(m.accepted), z)
                        }
                    })
                }
                QcRole::Blank => {
                    let (o, rule, l) = check_blank(&r.element, r.value, r.detection_limit, limits);
                    Some(check(o, rule, l, None))
                }
                QcRole::Duplicate => {
                    let orig = s
                        .duplicate_of
                        .as_deref()
                        .and_then(|c| by_code.get(c))
                        .and_then(|o| o.results.iter().find(|x| x.element == r.element));
                    Some(match orig {
                        None => check(Outcome::NotJudged, "qc-rule-dup-no-original", None, None),
                        Some(o) => {
                            let dl = r.detection_limit.max(o.detection_limit);
                            let (out, rule, rd) = check_duplicate(o.value, r.value, dl, limits);
                            check(out, rule, o.value.or(o.detection_limit), rd)
                        }
                    })
                }
            };
            if let Some(c) = c {
                b.outcome = b.outcome.worst(c.outcome);
                b.checks.push(c);
            }
        }
    }
    for s in samples {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for r in &s.results {
            if !seen.contains(&(&r.lab, &r.batch)) {
                seen.push((&r.lab, &r.batch));
                if let Some(b) = batches.get_mut(&(r.lab.clone(), r.batch.clone())) {
                    b.samples += 1;
                }
            }
        }
    }
    let mut out: Vec<BatchQc> = batches.into_values().collect();
    out.sort_by(|a, b| (a.first_taken, &a.lab, &a.batch).cmp(&(b.first_taken, &b.lab, &b.batch)));
    out
}

/// A reference material's certified value for one element, as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MaterialInput {
    /// As on its certificate: `GBW07165`.
    pub name: String,
    pub element: String,
    /// The accepted (certified) value, in the element's unit.
    pub accepted: String,
    /// Its standard deviation, in the element's unit.
    pub sd: String,
    /// Certificate number, issuer, notes.
    pub certificate: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaterialDraft {
    pub name: String,
    pub element: String,
    pub unit: String,
    pub accepted: i64,
    pub sd: i64,
    pub certificate: Option<String>,
}

impl MaterialDraft {
    pub fn parse(i: &MaterialInput, elements: &[Element]) -> Result<MaterialDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("name", required_text(&i.name, 60));
        let el = elements.iter().find(|el| el.code == i.element.trim().to_ascii_lowercase());
        if el.is_none() {
            e.add_with("element", "err-element", vec![("element", i.element.clone())]);
        }
        let number = |s: &str, positive: bool| -> Result<i64, &'static str> {
            if s.trim().is_empty() {
                return Err("err-required");
            }
            let d: Decimal = s.trim().parse().map_err(|_| "err-number")?;
            if d.is_sign_negative() && !d.is_zero() {
                return Err("err-negative");
            }
            if positive && d.is_zero() {
                return Err("err-qc-sd-zero");
            }
            if el.is_some_and(|el| d > el.unit.max()) {
                return Err("err-grade-max");
            }
            to_scaled(d, GRADE_SCALE).ok_or("err-too-precise")
        };
        let accepted = e.take("accepted", number(&i.accepted, false));
        let sd = e.take("sd", number(&i.sd, true));
        let certificate = e.take("certificate", optional_text(&i.certificate, 200)).flatten();
        match (name, el, accepted, sd) {
            (Some(name), Some(el), Some(accepted), Some(sd)) if e.is_empty() => Ok(MaterialDraft {
                name,
                element: el.code.clone(),
                unit: el.unit.symbol().to_owned(),
                accepted,
                sd,
                certificate,
            }),
            _ => Err(e),
        }
    }
}

/// An inspector's decision on a batch, as entered: the reason is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DecisionInput {
    /// `accepted` or `rejected`.
    pub decision: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionDraft {
    pub decision: Decision,
    pub reason: String,
}

impl DecisionDraft {
    pub fn parse(i: &DecisionInput) -> Result<DecisionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let decision = e.take("decision", Decision::parse(&i.decision));
        let reason = e.take("reason", required_text(&i.reason, 500));
        match (decision, reason) {
            (Some(decision), Some(reason)) if e.is_empty() => Ok(DecisionDraft { decision, reason }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;
    use crate::production::sample::parse_local_time;

    fn crm() -> Material {
        // 3.00 % Zn ± 0.05.
        Material { name: "GBW07165".into(), element: "zn".into(), accepted: 30_000, sd: 500 }
    }

    #[test]
    fn a_crm_passes_within_two_sd_warns_to_three_and_fails_beyond() {
        let l = QcLimits::default();
        let at = |v: i64| check_crm(Some(v), Some(100), &crm(), &l);
        assert_eq!(at(30_000), (Outcome::Pass, "qc-rule-crm-ok", Some(Decimal::ZERO)));
        assert_eq!(at(31_000).0, Outcome::Pass, "exactly 2 sd still passes");
        assert_eq!(at(31_001).0, Outcome::Warning);
        assert_eq!(at(28_900), (Outcome::Warning, "qc-rule-crm-2sd", Some(Decimal::new(-22, 1))));
        assert_eq!(at(31_500).0, Outcome::Warning, "exactly 3 sd is a warning");
        assert_eq!(at(31_600), (Outcome::Fail, "qc-rule-crm-3sd", Some(Decimal::new(32, 1))));
        assert_eq!(at(20_000).0, Outcome::Fail);
        // Below the detection limit it is taken at the limit: far from 3 %.
        assert_eq!(check_crm(None, Some(100), &crm(), &l).0, Outcome::Fail);
        assert_eq!(check_crm(None, None, &crm(), &l).0, Outcome::NotJudged);
        let no_sd = Material { sd: 0, ..crm() };
        assert_eq!(check_crm(Some(1), None, &no_sd, &l).1, "qc-rule-crm-no-sd");
    }

    #[test]
    fn a_blank_fails_above_five_times_its_detection_limit_and_below_dl_passes() {
        let mut l = QcLimits::default();
        assert_eq!(check_blank("zn", None, Some(100), &l), (Outcome::Pass, "qc-rule-blank-below-dl", Some(500)));
        assert_eq!(check_blank("zn", Some(500), Some(100), &l), (Outcome::Pass, "qc-rule-blank-ok", Some(500)));
        assert_eq!(check_blank("zn", Some(501), Some(100), &l), (Outcome::Fail, "qc-rule-blank-dl", Some(500)));
        // No limit known: the element's blank limit, if there is one.
        assert_eq!(check_blank("zn", Some(300), None, &l).0, Outcome::NotJudged);
        l.blank_limits.insert("zn".into(), 200);
        assert_eq!(check_blank("zn", Some(300), None, &l), (Outcome::Fail, "qc-rule-blank-limit", Some(200)));
        assert_eq!(check_blank("zn", Some(200), None, &l).0, Outcome::Pass);
        assert_eq!(check_blank("pb", Some(300), None, &l).0, Outcome::NotJudged);
    }

    #[test]
    fn a_duplicate_fails_above_thirty_percent_and_is_not_judged_near_the_limit() {
        let l = QcLimits::default();
        // 3.48 against 3.20: 8.4 %.
        assert_eq!(
            check_duplicate(Some(34_800), Some(32_000), Some(100), &l),
            (Outcome::Pass, "qc-rule-dup-ok", Some(Decimal::new(84, 1)))
        );
        // 3.00 against 2.00: 40 %.
        assert_eq!(
            check_duplicate(Some(30_000), Some(20_000), Some(100), &l),
            (Outcome::Fail, "qc-rule-dup-rd", Some(Decimal::from(40)))
        );
        // Mean 0.05 % with a limit of 0.01: under 10 x DL, however far apart.
        assert_eq!(check_duplicate(Some(800), Some(200), Some(100), &l).1, "qc-rule-dup-near-dl");
        assert_eq!(check_duplicate(None, Some(150), Some(100), &l).0, Outcome::NotJudged);
        // Exactly 10 x DL is judged.
        assert_eq!(check_duplicate(Some(1_000), Some(1_000), Some(100), &l).0, Outcome::Pass);
        assert_eq!(check_duplicate(None, None, None, &l).1, "qc-rule-dup-no-value");
    }

    fn res(el: &str, v: Option<i64>, batch: &str) -> QcResult {
        QcResult { element: el.into(), value: v, detection_limit: Some(100), lab: "Lab".into(), batch: batch.into() }
    }

    fn smp(code: &str, at: &str, role: QcRole, results: Vec<QcResult>) -> QcSample {
        QcSample {
            code: code.into(),
            mine_id: Uuid::nil(),
            taken_at: parse_local_time(at).unwrap(),
            role,
            duplicate_of: None,
            reference: (role == QcRole::Reference).then(|| "GBW07165".into()),
            results,
        }
    }

    #[test]
    fn a_batch_is_the_worst_of_its_checks_and_names_what_failed() {
        let l = QcLimits::default();
        let orig = smp("S1", "2005-03-01T09:00", QcRole::Routine, vec![res("zn", Some(30_000), "B0")]);
        let dup = QcSample {
            duplicate_of: Some("S1".into()),
            ..smp("S2", "2005-03-01T09:10", QcRole::Duplicate, vec![res("zn", Some(20_000), "B1")])
        };
        let samples = vec![
            smp("S3", "2005-03-01T09:20", QcRole::Routine, vec![res("zn", Some(35_000), "B1")]),
            smp("S4", "2005-03-01T09:30", QcRole::Reference, vec![res("zn", Some(30_100), "B1")]),
            smp("S5", "2005-03-01T09:40", QcRole::Blank, vec![res("zn", None, "B1"), res("pb", Some(150), "B1")]),
            dup,
            smp("S6", "2005-03-02T09:00", QcRole::Reference, vec![res("zn", Some(31_200), "B2")]),
            smp("S7", "2005-03-03T09:00", QcRole::Routine, vec![res("zn", Some(31_200), "B3")]),
        ];
        let out = evaluate(&samples, &[orig], &[crm()], &l);
        let batches: Vec<(&str, Outcome, usize)> =
            out.iter().map(|b| (b.batch.as_str(), b.outcome, b.samples)).collect();
        assert_eq!(batches, [("B1", Outcome::Fail, 4), ("B2", Outcome::Warning, 1), ("B3", Outcome::NotJudged, 1)]);
        let failed: Vec<(&str, &str, &str)> =
            out[0].failed().map(|c| (c.sample.as_str(), c.element.as_str(), c.rule)).collect();
        assert_eq!(failed, [("S2", "zn", "qc-rule-dup-rd")]);
        assert_eq!(out[0].checks.len(), 4, "the CRM, the blank's two elements and the duplicate");
        assert_eq!(out[0].failed().next().unwrap().expected, Some(30_000), "compared with the original");
    }

    #[test]
    fn two_crm_results_beyond_two_sd_on_the_same_side_fail_by_westgard_2_2s() {
        let l = QcLimits::default();
        let a = smp("C1", "2005-03-01T09:00", QcRole::Reference, vec![res("zn", Some(31_200), "B1")]);
        let b = smp("C2", "2005-03-02T09:00", QcRole::Reference, vec![res("zn", Some(31_100), "B2")]);
        let c = smp("C3", "2005-03-03T09:00", QcRole::Reference, vec![res("zn", Some(28_800), "B3")]);
        let out = evaluate(&[b, c], std::slice::from_ref(&a), &[crm()], &l);
        assert_eq!(out[0].outcome, Outcome::Fail, "C1 (earlier, in context) and C2 both above +2 sd");
        assert_eq!(out[0].checks[0].rule, "qc-rule-crm-22s");
        assert_eq!(out[1].outcome, Outcome::Warning, "C3 is beyond 2 sd on the other side");
        // A CRM without an accepted value for the element is not judged.
        let out = evaluate(&[a], &[], &[], &l);
        assert_eq!((out[0].outcome, out[0].checks[0].rule), (Outcome::NotJudged, "qc-rule-crm-unknown"));
    }

    #[test]
    fn a_material_and_a_decision_are_checked_field_by_field() {
        let el = default_elements();
        let i = MaterialInput {
            name: "GBW07165".into(),
            element: "Zn".into(),
            accepted: "3.00".into(),
            sd: "0.05".into(),
            certificate: String::new(),
        };
        let d = MaterialDraft::parse(&i, &el).unwrap();
        assert_eq!((d.element.as_str(), d.unit.as_str(), d.accepted, d.sd), ("zn", "%", 30_000, 500));
        let bad = MaterialInput { element: "xx".into(), sd: "0".into(), accepted: "abc".into(), ..i };
        let e = MaterialDraft::parse(&bad, &el).unwrap_err();
        assert_eq!(e.get("element").unwrap().code, "err-element");
        assert_eq!(e.get("sd").unwrap().code, "err-qc-sd-zero");
        assert_eq!(e.get("accepted").unwrap().code, "err-number");
        let e = DecisionDraft::parse(&DecisionInput { decision: "maybe".into(), reason: " ".into() }).unwrap_err();
        assert_eq!((e.get("decision").unwrap().code, e.get("reason").unwrap().code), ("err-choice", "err-required"));
        let d = DecisionDraft::parse(&DecisionInput { decision: "accepted".into(), reason: "re-assayed".into() });
        assert_eq!(d.unwrap().decision, Decision::Accepted);
    }

    #[test]
    fn the_configuration_sets_the_limits_and_each_bad_setting_is_named() {
        let els = crate::production::default_elements();
        assert_eq!(QcLimits::from_settings(&QcSettings::default(), &els).unwrap(), QcLimits::default());
        let mut s = QcSettings { warn_sd: Decimal::from(2), fail_sd: Decimal::new(25, 1), ..Default::default() };
        s.blank_limits.insert("Zn".into(), Decimal::new(2, 2));
        let l = QcLimits::from_settings(&s, &els).unwrap();
        assert_eq!((l.fail_sd, l.blank_limits.get("zn")), (Decimal::new(25, 1), Some(&200)));
        let bad = QcSettings {
            warn_sd: Decimal::from(3),
            fail_sd: Decimal::from(3),
            blank_factor: 0,
            duplicate_limit_pct: Decimal::ZERO,
            blank_limits: [("cu".to_owned(), Decimal::ONE), ("pb".to_owned(), Decimal::new(-1, 0))].into(),
            ..Default::default()
        };
        let e = QcLimits::from_settings(&bad, &els).unwrap_err();
        assert_eq!(e.len(), 5, "{e:?}");
        assert!(e.iter().any(|x| x.starts_with("fail_sd")) && e.iter().any(|x| x.starts_with("blank_limits.cu")));
    }
}
