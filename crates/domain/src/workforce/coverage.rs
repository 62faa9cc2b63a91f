//! Insurance policies and the coverage check (REFERENCE.md section 5): on any day, every active
//! worker of a mine must be covered by both compulsory kinds, work-injury insurance and
//! work-safety liability insurance, the liability cover at least RMB 400,000 per person,
//! whatever the employment form; and a mine's policies of a compulsory kind must follow each
//! other without a day uncovered.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Relation, WorkerState, state_on};
use crate::registry::code_enum;
use crate::units::{MONEY_SCALE, to_scaled};
use crate::validation::{FieldErrors, era_date, optional_text, required_text};

code_enum!(
    /// What a policy insures. The first two are compulsory for every worker of a mine.
    PolicyKind, "err-choice", {
        WorkInjury => "work_injury", SafetyLiability => "safety_liability", Accident => "accident",
        FamilyCover => "family_cover",
    }
);

impl PolicyKind {
    pub const COMPULSORY: [PolicyKind; 2] = [PolicyKind::WorkInjury, PolicyKind::SafetyLiability];
}

/// The least death or disability cover per person of work-safety liability insurance, in fen.
pub const LIABILITY_MIN_COVER_FEN: i64 = 400_000 * 100;

/// A policy as entered; money in RMB.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PolicyInput {
    pub mine_id: String,
    /// `work_injury`, `safety_liability`, `accident` or `family_cover`.
    pub kind: String,
    pub insurer: String,
    pub number: String,
    pub starts_on: String,
    pub ends_on: String,
    /// The premium the employer paid, RMB.
    pub premium: String,
    /// Death or disability cover per person, RMB (required for liability insurance).
    pub cover_per_person: String,
    /// Why a recorded policy is being changed (required for every new version).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyDraft {
    pub mine_id: Uuid,
    pub kind: PolicyKind,
    pub insurer: String,
    pub number: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub premium_fen: i64,
    pub cover_fen: Option<i64>,
    pub reason: Option<String>,
}

/// Money in RMB as typed (thousands separators allowed) to fen: never negative, at most
/// RMB 1,000,000,000,000.
pub(crate) fn money(e: &mut FieldErrors, field: &str, v: &str, required: bool) -> Option<i64> {
    let t = v.trim().replace([',', '，'], "");
    if t.is_empty() {
        if required {
            e.add(field, "err-required");
        }
        return None;
    }
    match t.parse::<Decimal>() {
        Ok(d) if d.is_sign_negative() && !d.is_zero() => {
            e.add(field, "err-negative");
            None
        }
        Ok(d) => match to_scaled(d, MONEY_SCALE) {
            Some(v) if v <= 1_000_000_000_000 * 100 => Some(v),
            _ => {
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

impl PolicyDraft {
    pub fn parse(i: &PolicyInput) -> Result<PolicyDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = e.take("mine_id", Uuid::parse_str(i.mine_id.trim()).map_err(|_| "err-choice"));
        let kind = e.take("kind", PolicyKind::parse(&i.kind));
        let insurer = e.take("insurer", required_text(&i.insurer, 200));
        let number = e.take("number", required_text(&i.number, 100));
        let starts_on = e.take("starts_on", era_date(&i.starts_on));
        let ends_on = e.take("ends_on", era_date(&i.ends_on));
        if let (Some(a), Some(b)) = (starts_on, ends_on)
            && b < a
        {
            e.add("ends_on", "err-end-before-start");
        }
        let premium_fen = money(&mut e, "premium", &i.premium, true);
        let cover_fen =
            money(&mut e, "cover_per_person", &i.cover_per_person, kind == Some(PolicyKind::SafetyLiability));
        let reason = e.take("reason", optional_text(&i.reason, 2000)).flatten();
        match (mine_id, kind, insurer, number, starts_on, ends_on, premium_fen) {
            (
                Some(mine_id),
                Some(kind),
                Some(insurer),
                Some(number),
                Some(starts_on),
                Some(ends_on),
                Some(premium_fen),
            ) if e.is_empty() => {
                Ok(PolicyDraft { mine_id, kind, insurer, number, starts_on, ends_on, premium_fen, cover_fen, reason })
            }
            _ => Err(e),
        }
    }
}

/// The end of a cover on a policy (a worker's or a family member's), as entered: the last day
/// covered and why. The membership is kept with its end, never deleted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MemberEndInput {
    /// The last day covered, `YYYY-MM-DD`.
    pub to_on: String,
    pub reason: String,
}

impl MemberEndInput {
    pub fn parse(&self) -> Result<(NaiveDate, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let to = e.take("to_on", era_date(&self.to_on));
        let reason = e.take("reason", required_text(&self.reason, 2000));
        match (to, reason) {
            (Some(t), Some(r)) if e.is_empty() => Ok((t, r)),
            _ => Err(e),
        }
    }
}

/// A policy as the check sees it, with the workers it covers (from, to: `None` to the end)
/// and the workers' family members it covers (the worker, the family member's name, from, to).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFacts {
    pub id: Uuid,
    pub number: String,
    pub kind: PolicyKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub cover_fen: Option<i64>,
    pub members: Vec<(Uuid, NaiveDate, Option<NaiveDate>)>,
    pub dependants: Vec<(Uuid, String, NaiveDate, Option<NaiveDate>)>,
}

impl PolicyFacts {
    fn in_force(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    fn covers(&self, worker: Uuid, day: NaiveDate) -> bool {
        self.in_force(day)
            && self.members.iter().any(|(w, from, to)| *w == worker && *from <= day && to.is_none_or(|t| day <= t))
    }

    fn covers_dependant(&self, worker: Uuid, name: &str, day: NaiveDate) -> bool {
        self.in_force(day)
            && self
                .dependants
                .iter()
                .any(|(w, n, from, to)| *w == worker && n == name && *from <= day && to.is_none_or(|t| day <= t))
    }
}

/// A worker as the check sees him, with the family members his record names (name, relation).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerFacts {
    pub id: Uuid,
    pub name: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub dependants: Vec<(String, Relation)>,
}

/// What one worker lacks on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Missing {
    /// No policy of this compulsory kind covers him.
    NotInsured { kind: PolicyKind },
    /// Covered by liability insurance, but below RMB 400,000 per person.
    CoverTooLow { policy: String, cover_fen: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub worker_id: Uuid,
    pub name: String,
    pub missing: Vec<Missing>,
}

/// Days on which a mine had no policy of a compulsory kind in force, between its first policy
/// of the kind and the day checked (both ends included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub kind: PolicyKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A family member of a working worker whom no family-cover policy covers on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyGap {
    pub worker_id: Uuid,
    pub worker: String,
    pub name: String,
    pub relation: Relation,
}

/// The co-op's own rule (not the law's): every family member of a working worker is on a
/// family-cover policy in force. Kept apart from the compulsory breaches.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FamilyCoverage {
    /// Family members of the workers active on the day.
    pub dependants: usize,
    /// Of them, those on a family-cover policy in force.
    pub covered: usize,
    pub uncovered: Vec<FamilyGap>,
}

impl FamilyCoverage {
    /// Covered family members per family member, 1 when there are none.
    pub fn ratio(&self) -> f64 {
        ratio(self.covered, self.dependants)
    }
}

/// `covered` per `of`, 1 when `of` is 0 (nobody to cover, nobody uncovered).
pub fn ratio(covered: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { covered as f64 / of as f64 }
}

/// A ratio in basis points (10,000 = 100 %), rounded: how snapshots keep it.
pub fn ratio_bp(covered: usize, of: usize) -> i32 {
    if of == 0 { 10_000 } else { ((covered as u128 * 10_000 + of as u128 / 2) / of as u128) as i32 }
}

/// One mine's coverage on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub day: NaiveDate,
    /// Workers active on the day.
    pub active: usize,
    /// Of them, those with nothing missing.
    pub covered: usize,
    pub breaches: Vec<Breach>,
    pub gaps: Vec<Gap>,
    /// The family members of the active workers and their family cover.
    pub family: FamilyCoverage,
}

impl Coverage {
    /// Covered workers per active worker, 1 when nobody works.
    pub fn ratio(&self) -> f64 {
        ratio(self.covered, self.active)
    }

    /// Whether nothing at all is wrong.
    pub fn compliant(&self) -> bool {
        self.breaches.is_empty() && self.gaps.is_empty()
    }
}

/// The days from the first policy of `kind` to `day` on which none of `policies` of that kind
/// was in force.
pub fn gaps(kind: PolicyKind, policies: &[PolicyFacts], day: NaiveDate) -> Vec<Gap> {
    let mut spans: Vec<(NaiveDate, NaiveDate)> =
        policies.iter().filter(|p| p.kind == kind && p.starts_on <= day).map(|p| (p.starts_on, p.ends_on)).collect();
    spans.sort();
    let mut out = Vec::new();
    let Some(&(_, first_end)) = spans.first() else { return out };
    let mut covered_to = first_end;
    for &(from, to) in &spans[1..] {
        if from > covered_to + Duration::days(1) {
            out.push(Gap { kind, from: covered_to + Duration::days(1), to: from - Duration::days(1) });
        }
        covered_to = covered_to.max(to);
    }
    if covered_to < day {
        out.push(Gap { kind, from: covered_to + Duration::days(1), to: day });
    }
    out
}

/// The coverage check of one mine on `day`: every worker active on the day covered by both
/// compulsory kinds, the liability cover at least [`LIABILITY_MIN_COVER_FEN`]; and the gaps
/// between the mine's policies of each compulsory kind up to the day. Breaches by name.
pub fn check(workers: &[WorkerFacts], policies: &[PolicyFacts], day: NaiveDate) -> Coverage {
    let mut breaches = Vec::new();
    let mut active = 0;
    let mut family = FamilyCoverage::default();
    for w in workers.iter().filter(|w| state_on(w.start, w.end, day) == WorkerState::Active) {
        active += 1;
        for (name, relation) in &w.dependants {
            family.dependants += 1;
            if policies.iter().any(|p| p.kind == PolicyKind::FamilyCover && p.covers_dependant(w.id, name, day)) {
                family.covered += 1;
            } else {
                family.uncovered.push(FamilyGap {
                    worker_id: w.id,
                    worker: w.name.clone(),
                    name: name.clone(),
                    relation: *relation,
                });
            }
        }
        let mut missing = Vec::new();
        for kind in PolicyKind::COMPULSORY {
            let covering: Vec<&PolicyFacts> =
                policies.iter().filter(|p| p.kind == kind && p.covers(w.id, day)).collect();
            if covering.is_empty() {
                missing.push(Missing::NotInsured { kind });
            } else if kind == PolicyKind::SafetyLiability
                && let Some(best) = covering.iter().max_by_key(|p| p.cover_fen.unwrap_or(0))
                && best.cover_fen.unwrap_or(0) < LIABILITY_MIN_COVER_FEN
            {
                missing
                    .push(Missing::CoverTooLow { policy: best.number.clone(), cover_fen: best.cover_fen.unwrap_or(0) });
            }
        }
        if !missing.is_empty() {
            breaches.push(Breach { worker_id: w.id, name: w.name.clone(), missing });
        }
    }
    let gaps = PolicyKind::COMPULSORY.iter().flat_map(|k| gaps(*k, policies, day)).collect();
    Coverage { day, active, covered: active - breaches.len(), breaches, gaps, family }
}

/// A policy ends within this many days: its mine is alerted (once).
pub const EXPIRY_ALERT_DAYS: i64 = 30;

/// A policy's kind and period, as the expiry alert sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicySpan {
    pub kind: PolicyKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Whether `policy` must be alerted on `today`: it ends within [`EXPIRY_ALERT_DAYS`] (today
/// included, not yet ended), and none of the mine's `others` of the same kind takes over
/// without a day's gap (starts no later than the day after the end, and ends after it).
pub fn expiry_alert_due(policy: &PolicySpan, others: &[PolicySpan], today: NaiveDate) -> bool {
    let end = policy.ends_on;
    if end < today || end > today + Duration::days(EXPIRY_ALERT_DAYS) {
        return false;
    }
    !others.iter().any(|o| o.kind == policy.kind && o.starts_on <= end + Duration::days(1) && o.ends_on > end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn w(n: u128, start: &str, end: Option<&str>) -> WorkerFacts {
        WorkerFacts {
            id: Uuid::from_u128(n),
            name: format!("w{n}"),
            start: d(start),
            end: end.map(d),
            dependants: vec![],
        }
    }

    fn p(kind: PolicyKind, from: &str, to: &str, cover_rmb: i64, members: &[u128]) -> PolicyFacts {
        PolicyFacts {
            id: Uuid::now_v7(),
            number: format!("{kind}-{from}"),
            kind,
            starts_on: d(from),
            ends_on: d(to),
            cover_fen: Some(cover_rmb * 100),
            members: members.iter().map(|m| (Uuid::from_u128(*m), d(from), None)).collect(),
            dependants: vec![],
        }
    }

    use PolicyKind::{SafetyLiability as L, WorkInjury as I};

    #[test]
    fn every_active_worker_needs_both_kinds() {
        let workers = [w(1, "2025-01-01", None), w(2, "2025-01-01", None), w(3, "2020-01-01", Some("2025-12-31"))];
        let policies = [p(I, "2026-01-01", "2026-12-31", 0, &[1, 2]), p(L, "2026-01-01", "2026-12-31", 400_000, &[1])];
        let c = check(&workers, &policies, d("2026-06-01"));
        assert_eq!((c.active, c.covered), (2, 1), "the worker who left is not counted");
        assert_eq!(c.breaches.len(), 1);
        assert_eq!(c.breaches[0].worker_id, Uuid::from_u128(2));
        assert_eq!(c.breaches[0].missing, vec![Missing::NotInsured { kind: L }]);
        assert!((c.ratio() - 0.5).abs() < 1e-9);
        assert!(c.gaps.is_empty());
    }

    #[test]
    fn liability_cover_must_reach_400000_per_person() {
        let workers = [w(1, "2025-01-01", None)];
        let at = |cover: i64| {
            check(
                &workers,
                &[p(I, "2026-01-01", "2026-12-31", 0, &[1]), p(L, "2026-01-01", "2026-12-31", cover, &[1])],
                d("2026-06-01"),
            )
        };
        assert!(at(400_000).compliant(), "the boundary is enough");
        let c = at(399_999);
        assert_eq!(
            c.breaches[0].missing,
            vec![Missing::CoverTooLow { policy: "safety_liability-2026-01-01".into(), cover_fen: 39_999_900 }]
        );
        // Work-injury insurance has no cover amount to check.
        assert!(
            check(
                &workers,
                &[p(I, "2026-01-01", "2026-12-31", 1, &[1]), p(L, "2026-01-01", "2026-12-31", 500_000, &[1])],
                d("2026-06-01")
            )
            .compliant()
        );
    }

    #[test]
    fn a_day_without_a_policy_is_a_gap_said_from_when_to_when() {
        let policies = [
            p(L, "2025-01-01", "2025-12-31", 500_000, &[1]),
            p(L, "2026-01-08", "2026-12-31", 500_000, &[1]),
            p(I, "2025-01-01", "2025-12-31", 0, &[1]),
            p(I, "2026-01-01", "2026-06-30", 0, &[1]),
        ];
        let g = gaps(L, &policies, d("2026-03-01"));
        assert_eq!(g, vec![Gap { kind: L, from: d("2026-01-01"), to: d("2026-01-07") }]);
        // Consecutive policies (one ends, the next starts the day after) leave no gap.
        assert!(gaps(I, &policies, d("2026-03-01")).is_empty());
        // A lapse up to the day checked.
        assert_eq!(
            gaps(I, &policies, d("2026-07-03")),
            vec![Gap { kind: I, from: d("2026-07-01"), to: d("2026-07-03") }]
        );
        // A worker on a gap day is not covered.
        let c = check(&[w(1, "2024-01-01", None)], &policies, d("2026-01-05"));
        assert_eq!(c.breaches[0].missing, vec![Missing::NotInsured { kind: L }]);
        assert_eq!(c.gaps.len(), 1);
        // Overlapping policies leave no gap either.
        let overlapping = [p(L, "2025-01-01", "2025-12-31", 5, &[]), p(L, "2025-06-01", "2026-06-30", 5, &[])];
        assert!(gaps(L, &overlapping, d("2026-03-01")).is_empty());
    }

    #[test]
    fn membership_dates_count() {
        let mut injury = p(I, "2026-01-01", "2026-12-31", 0, &[]);
        injury.members = vec![(Uuid::from_u128(1), d("2026-03-01"), Some(d("2026-05-31")))];
        let liab = p(L, "2026-01-01", "2026-12-31", 400_000, &[1]);
        let workers = [w(1, "2026-01-01", None)];
        assert!(!check(&workers, &[injury.clone(), liab.clone()], d("2026-02-28")).compliant());
        assert!(check(&workers, &[injury.clone(), liab.clone()], d("2026-03-01")).compliant());
        assert!(!check(&workers, &[injury, liab], d("2026-06-01")).compliant());
    }

    #[test]
    fn family_members_need_a_family_cover_policy_apart_from_the_compulsory_check() {
        let mut worker = w(1, "2025-01-01", None);
        worker.dependants = vec![("李芳".into(), Relation::Spouse), ("王小明".into(), Relation::Child)];
        let mut left = w(2, "2020-01-01", Some("2025-12-31"));
        left.dependants = vec![("张红".into(), Relation::Spouse)];
        let mut family = p(PolicyKind::FamilyCover, "2026-01-01", "2026-12-31", 0, &[]);
        family.dependants = vec![(Uuid::from_u128(1), "李芳".into(), d("2026-01-01"), Some(d("2026-06-30")))];
        // The same name on an accident policy is no family cover.
        let mut accident = p(PolicyKind::Accident, "2026-01-01", "2026-12-31", 0, &[]);
        accident.dependants = vec![(Uuid::from_u128(1), "王小明".into(), d("2026-01-01"), None)];
        let compulsory = [p(I, "2026-01-01", "2026-12-31", 0, &[1]), p(L, "2026-01-01", "2026-12-31", 400_000, &[1])];
        let all: Vec<PolicyFacts> = compulsory.iter().cloned().chain([family, accident]).collect();
        let c = check(&[worker.clone(), left], &all, d("2026-03-01"));
        assert!(c.compliant(), "the family rule is not a legal breach");
        assert_eq!((c.family.dependants, c.family.covered), (2, 1), "the family of a worker who left is not counted");
        assert_eq!(
            c.family.uncovered,
            vec![FamilyGap {
                worker_id: Uuid::from_u128(1),
                worker: "w1".into(),
                name: "王小明".into(),
                relation: Relation::Child
            }]
        );
        assert!((c.family.ratio() - 0.5).abs() < 1e-9);
        // The membership's end counts.
        let later = check(std::slice::from_ref(&worker), &all, d("2026-07-01"));
        assert_eq!(later.family.covered, 0);
        // Nobody with a family: the ratio is full.
        assert_eq!(check(&[w(3, "2025-01-01", None)], &all, d("2026-03-01")).family.ratio(), 1.0);
    }

    #[test]
    fn ending_a_membership_needs_a_day_and_a_reason() {
        let ok = MemberEndInput { to_on: "2026-05-31".into(), reason: "离职".into() }.parse().unwrap();
        assert_eq!(ok, (d("2026-05-31"), "离职".to_owned()));
        let e = MemberEndInput { to_on: "31/05/2026".into(), reason: " ".into() }.parse().unwrap_err();
        assert!(e.get("to_on").is_some() && e.get("reason").unwrap().code == "err-required");
    }

    #[test]
    fn ratios_in_basis_points_round_half_up() {
        assert_eq!(ratio_bp(0, 0), 10_000);
        assert_eq!(ratio_bp(1, 3), 3_333);
        assert_eq!(ratio_bp(2, 3), 6_667);
        assert_eq!(ratio_bp(3, 3), 10_000);
        assert_eq!(ratio_bp(0, 7), 0);
    }

    #[test]
    fn a_policy_is_alerted_within_30_days_of_its_end_unless_a_successor_follows() {
        let span = |kind, a: &str, b: &str| PolicySpan { kind, starts_on: d(a), ends_on: d(b) };
        let this = span(I, "2026-01-01", "2026-12-31");
        assert!(!expiry_alert_due(&this, &[], d("2026-11-30")), "31 days before");
        assert!(expiry_alert_due(&this, &[], d("2026-12-01")), "30 days before");
        assert!(expiry_alert_due(&this, &[], d("2026-12-31")), "the last day");
        assert!(!expiry_alert_due(&this, &[], d("2027-01-01")), "ended");
        // A successor starting the day after: no gap would follow, no alert.
        let next = span(I, "2027-01-01", "2027-12-31");
        assert!(!expiry_alert_due(&this, &[next], d("2026-12-15")));
        // Starting earlier and overlapping is a successor too.
        assert!(!expiry_alert_due(&this, &[span(I, "2026-12-01", "2027-11-30")], d("2026-12-15")));
        // A day's gap, another kind, or a policy ending with this one are no successors.
        assert!(expiry_alert_due(&this, &[span(I, "2027-01-02", "2027-12-31")], d("2026-12-15")));
        assert!(expiry_alert_due(&this, &[span(L, "2027-01-01", "2027-12-31")], d("2026-12-15")));
        assert!(expiry_alert_due(&this, &[span(I, "2026-06-01", "2026-12-31")], d("2026-12-15")));
    }

    #[test]
    fn policies_are_checked() {
        let i = PolicyInput {
            mine_id: Uuid::from_u128(1).to_string(),
            kind: "safety_liability".into(),
            insurer: "中国人保".into(),
            number: "PZA2026".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            premium: "12,000".into(),
            cover_per_person: "400000".into(),
            reason: String::new(),
        };
        let p = PolicyDraft::parse(&i).unwrap();
        assert_eq!((p.premium_fen, p.cover_fen), (1_200_000, Some(40_000_000)));
        let e = PolicyDraft::parse(&PolicyInput {
            cover_per_person: String::new(),
            ends_on: "2025-01-01".into(),
            ..i.clone()
        })
        .unwrap_err();
        assert_eq!(e.get("cover_per_person").unwrap().code, "err-required");
        assert_eq!(e.get("ends_on").unwrap().code, "err-end-before-start");
        let injury = PolicyInput { kind: "work_injury".into(), cover_per_person: String::new(), ..i };
        assert_eq!(PolicyDraft::parse(&injury).unwrap().cover_fen, None);
    }
}
