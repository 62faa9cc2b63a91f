//! Injury claims (issue 6 item 3, REFERENCE.md section 5): a worker hurt in an incident, the
//! employer's application for the injury determination (工伤认定申请) within 30 days of the
//! injury, the determination, the compensation claimed and paid, and the family's contact when
//! the worker died. The injury date is the incident's occurrence date.
//!
//! A claim moves through [`ClaimStatus`] one step at a time; each step and each correction is a
//! new version. Money is in fen; `paid` is the total paid to date (a later payment is a new
//! version with the new total and the day of the last payment).

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Relation;
use super::coverage::money;
use crate::registry::code_enum;
use crate::validation::{FieldErrors, optional_date, optional_phone, optional_text};

code_enum!(
    /// Where a claim stands. `opened` → `applied` (the determination applied for) → `determined`
    /// → `claimed` (compensation claimed) → `paid` → `closed`; or `rejected` / `withdrawn`,
    /// each with its reason.
    ClaimStatus, "err-choice", {
        Opened => "opened", Applied => "applied", Determined => "determined", Claimed => "claimed",
        Paid => "paid", Closed => "closed", Rejected => "rejected", Withdrawn => "withdrawn",
    }
);

code_enum!(
    /// The outcome of the injury determination.
    Determination, "err-choice", {
        Pending => "pending", Recognised => "recognised", NotRecognised => "not_recognised",
    }
);

code_enum!(
    /// How badly the worker was hurt.
    Severity, "err-choice", { Minor => "minor", Serious => "serious", Fatal => "fatal" }
);

code_enum!(
    /// Who pays the compensation.
    Payer, "err-choice", {
        InjuryFund => "injury_fund", LiabilityInsurer => "liability_insurer", Employer => "employer",
    }
);

/// The employer applies for the injury determination within this many days of the injury.
pub const APPLICATION_DAYS: i64 = 30;
/// The mine's people are alerted when this many days or fewer are left without an application.
pub const DEADLINE_WARNING_DAYS: i64 = 7;
/// Disability grades run from 1 (the most severe) to 10.
pub const MAX_DISABILITY_GRADE: i32 = 10;

impl ClaimStatus {
    /// The statuses a claim may move to from this one.
    pub fn next(self) -> &'static [ClaimStatus] {
        use ClaimStatus::*;
        match self {
            Opened => &[Applied, Withdrawn],
            Applied => &[Determined, Withdrawn],
            Determined => &[Claimed, Rejected, Withdrawn],
            Claimed => &[Paid, Rejected, Withdrawn],
            Paid => &[Closed],
            Closed | Rejected | Withdrawn => &[],
        }
    }

    pub fn can_become(self, to: ClaimStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether the claim is still being pursued.
    pub fn is_open(self) -> bool {
        !matches!(self, ClaimStatus::Closed | ClaimStatus::Rejected | ClaimStatus::Withdrawn)
    }

    /// The step of the main path (0 opened ... 5 closed); `None` for rejected and withdrawn.
    fn step(self) -> Option<u8> {
        use ClaimStatus::*;
        match self {
            Opened => Some(0),
            Applied => Some(1),
            Determined => Some(2),
            Claimed => Some(3),
            Paid => Some(4),
            Closed => Some(5),
            Rejected | Withdrawn => None,
        }
    }

    /// Whether the main path has reached `s` (rejected and withdrawn reach nothing).
    pub fn reached(self, s: ClaimStatus) -> bool {
        matches!((self.step(), s.step()), (Some(a), Some(b)) if a >= b)
    }
}

/// The last day to apply for the injury determination: 30 days after the injury.
pub fn application_deadline(injury: NaiveDate) -> NaiveDate {
    injury + Duration::days(APPLICATION_DAYS)
}

/// What the list and the claim's page say of the 30-day deadline on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeadlineState {
    /// Applied on `on`, `late_days` after the deadline (0: in time).
    Applied { on: NaiveDate, late_days: i64 },
    /// Not applied yet; `days` left (0: today is the last day).
    DaysLeft { days: i64 },
    /// Not applied and the deadline passed `days` ago.
    Overdue { days: i64 },
    /// Rejected or withdrawn without an application: no deadline runs.
    Stopped,
}

impl DeadlineState {
    pub fn is_overdue(self) -> bool {
        matches!(self, DeadlineState::Overdue { .. })
    }
}

/// The deadline's state on `today` for a claim of an injury on `injury`.
pub fn deadline_state(
    injury: NaiveDate,
    applied_on: Option<NaiveDate>,
    status: ClaimStatus,
    today: NaiveDate,
) -> DeadlineState {
    let deadline = application_deadline(injury);
    match applied_on {
        Some(on) => DeadlineState::Applied { on, late_days: (on - deadline).num_days().max(0) },
        None if !status.is_open() => DeadlineState::Stopped,
        None => {
            let left = (deadline - today).num_days();
            if left >= 0 { DeadlineState::DaysLeft { days: left } } else { DeadlineState::Overdue { days: -left } }
        }
    }
}

/// An alert the deadline calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineAlert {
    /// At most [`DEADLINE_WARNING_DAYS`] left without an application.
    Near,
    /// The deadline passed without an application.
    Passed,
}

/// The alert due on `today`, if any: only for a claim still opened (not applied for).
pub fn deadline_alert(
    injury: NaiveDate,
    applied_on: Option<NaiveDate>,
    status: ClaimStatus,
    today: NaiveDate,
) -> Option<DeadlineAlert> {
    if status != ClaimStatus::Opened {
        return None;
    }
    match deadline_state(injury, applied_on, status, today) {
        DeadlineState::DaysLeft { days } if days <= DEADLINE_WARNING_DAYS => Some(DeadlineAlert::Near),
        DeadlineState::Overdue { .. } => Some(DeadlineAlert::Passed),
        _ => None,
    }
}

/// A claim as entered on the form or sent to the API: every field a string, dates
/// `YYYY-MM-DD`, money in RMB.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ClaimInput {
    /// The incident the worker was hurt in.
    pub incident_id: String,
    /// The worker hurt: a worker of the incident's mine, employed on the day.
    pub worker_id: String,
    /// `minor`, `serious` or `fatal`.
    pub severity: String,
    /// `opened` (empty: opened), `applied`, `determined`, `claimed`, `paid`, `closed`,
    /// `rejected` or `withdrawn`.
    pub status: String,
    /// The day the employer applied for the injury determination.
    pub applied_on: String,
    /// `pending` (empty: pending), `recognised` or `not_recognised`.
    pub determination: String,
    pub determined_on: String,
    /// 1 (most severe) to 10; only for a recognised injury the worker survived.
    pub disability_grade: String,
    /// `injury_fund`, `liability_insurer` or `employer`.
    pub payer: String,
    /// Compensation claimed, RMB.
    pub claimed: String,
    /// Compensation paid to date, RMB (the total of all payments).
    pub paid: String,
    /// The day of the last payment.
    pub paid_on: String,
    /// The family's contact (required when the worker died).
    pub family_name: String,
    /// `spouse`, `child`, `parent` or `other`.
    pub family_relation: String,
    pub family_phone: String,
    /// Why the claim was rejected or withdrawn.
    pub status_reason: String,
    pub notes: String,
    /// Why a recorded claim is being corrected (required for a correction; a note for a step).
    pub reason: String,
}

/// The family's contact of a worker who died.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyContact {
    pub name: Option<String>,
    pub relation: Option<Relation>,
    pub phone: Option<String>,
}

/// A checked claim. Money in fen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimDraft {
    pub incident_id: Uuid,
    pub worker_id: Uuid,
    pub severity: Severity,
    pub status: ClaimStatus,
    pub applied_on: Option<NaiveDate>,
    pub determination: Determination,
    pub determined_on: Option<NaiveDate>,
    pub disability_grade: Option<i32>,
    pub payer: Option<Payer>,
    pub claimed_fen: i64,
    pub paid_fen: i64,
    pub paid_on: Option<NaiveDate>,
    pub family: FamilyContact,
    pub status_reason: Option<String>,
    pub notes: Option<String>,
    pub reason: Option<String>,
}

/// What a new version does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The same status, other facts: needs a reason.
    Corrected,
    /// The next status (an allowed step).
    Advanced,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Corrected => "corrected",
            Change::Advanced => "advanced",
        }
    }
}

fn past_date(e: &mut FieldErrors, field: &str, v: &str, today: NaiveDate) -> Option<NaiveDate> {
    let d = e.take(field, optional_date(v)).flatten();
    if let Some(d) = d {
        if !(1950..=2200).contains(&chrono::Datelike::year(&d)) {
            e.add(field, "err-date");
            return None;
        }
        if d > today {
            e.add(field, "err-future-date");
        }
    }
    d
}

impl ClaimDraft {
    /// Check a claim; `today` is the co-op's date. The checks that need the injury date are in
    /// [`ClaimDraft::check_injury_date`].
    pub fn parse(i: &ClaimInput, today: NaiveDate) -> Result<ClaimDraft, FieldErrors> {
        use ClaimStatus as S;
        let mut e = FieldErrors::new();
        let incident_id = e.take("incident_id", Uuid::parse_str(i.incident_id.trim()).map_err(|_| "err-choice"));
        let worker_id = e.take("worker_id", Uuid::parse_str(i.worker_id.trim()).map_err(|_| "err-choice"));
        let severity = e.take("severity", Severity::parse(&i.severity));
        let status = if i.status.trim().is_empty() { Some(S::Opened) } else { e.take("status", S::parse(&i.status)) };
        let determination = if i.determination.trim().is_empty() {
            Some(Determination::Pending)
        } else {
            e.take("determination", Determination::parse(&i.determination))
        };
        let applied_on = past_date(&mut e, "applied_on", &i.applied_on, today);
        let determined_on = past_date(&mut e, "determined_on", &i.determined_on, today);
        let paid_on = past_date(&mut e, "paid_on", &i.paid_on, today);
        let disability_grade = match i.disability_grade.trim() {
            "" => None,
            g => match g.parse::<i32>() {
                Ok(n) if (1..=MAX_DISABILITY_GRADE).contains(&n) => Some(n),
                _ => {
                    e.add_with("disability_grade", "err-claim-grade", vec![("max", MAX_DISABILITY_GRADE.to_string())]);
                    None
                }
            },
        };
        let payer = if i.payer.trim().is_empty() { None } else { e.take("payer", Payer::parse(&i.payer)) };
        let claimed_fen = money(&mut e, "claimed", &i.claimed, false).unwrap_or(0);
        let paid_fen = money(&mut e, "paid", &i.paid, false).unwrap_or(0);
        let family = FamilyContact {
            name: e.take("family_name", optional_text(&i.family_name, 100)).flatten(),
            relation: if i.family_relation.trim().is_empty() {
                None
            } else {
                e.take("family_relation", Relation::parse(&i.family_relation))
            },
            phone: e.take("family_phone", optional_phone(&i.family_phone)).flatten(),
        };
        let status_reason = e.take("status_reason", optional_text(&i.status_reason, 2000)).flatten();
        let notes = e.take("notes", optional_text(&i.notes, 2000)).flatten();
        let reason = e.take("reason", optional_text(&i.reason, 2000)).flatten();

        if let (Some(status), Some(det)) = (status, determination) {
            // The application: from "applied" on, and not before.
            if status.reached(S::Applied) && applied_on.is_none() && e.get("applied_on").is_none() {
                e.add("applied_on", "err-required");
            }
            if status == S::Opened && applied_on.is_some() {
                e.add("applied_on", "err-claim-step-first");
            }
            // The determination: decided from "determined" on, pending before.
            if status.reached(S::Determined) && det == Determination::Pending {
                e.add("determination", "err-claim-determination-required");
            }
            if matches!(status, S::Opened | S::Applied) && det != Determination::Pending {
                e.add("determination", "err-claim-step-first");
            }
            if det != Determination::Pending && determined_on.is_none() && e.get("determined_on").is_none() {
                e.add("determined_on", "err-required");
            }
            if det == Determination::Pending && determined_on.is_some() {
                e.add("determined_on", "err-claim-determination-required");
            }
            if let (Some(a), Some(d)) = (applied_on, determined_on)
                && d < a
            {
                e.add("determined_on", "err-claim-before-application");
            }
            if applied_on.is_none() && determined_on.is_some() && e.get("applied_on").is_none() {
                e.add("applied_on", "err-required");
            }
            // Compensation: only for a recognised injury, with its payer and amount.
            if status.reached(S::Claimed) {
                if det != Determination::Recognised {
                    e.add("determination", "err-claim-not-recognised");
                }
                if payer.is_none() {
                    e.add("payer", "err-required");
                }
                if claimed_fen == 0 && e.get("claimed").is_none() {
                    e.add("claimed", "err-required");
                }
            }
            if status.reached(S::Paid) && paid_fen == 0 && e.get("paid").is_none() {
                e.add("paid", "err-required");
            }
            if paid_fen > 0 && !(status.reached(S::Claimed) || matches!(status, S::Rejected | S::Withdrawn)) {
                e.add("paid", "err-claim-step-first");
            }
            if paid_fen > claimed_fen && e.get("paid").is_none() {
                e.add("paid", "err-claim-paid-over-claimed");
            }
            if paid_fen > 0 && paid_on.is_none() && e.get("paid_on").is_none() {
                e.add("paid_on", "err-required");
            }
            if paid_fen == 0 && paid_on.is_some() && e.get("paid").is_none() {
                e.add("paid", "err-required");
            }
            if let (Some(p), Some(d)) = (paid_on, determined_on)
                && p < d
            {
                e.add("paid_on", "err-claim-before-determination");
            }
            // A grade only for a recognised injury the worker survived.
            if disability_grade.is_some()
                && (det != Determination::Recognised || severity == Some(Severity::Fatal))
                && e.get("disability_grade").is_none()
            {
                e.add("disability_grade", "err-claim-grade-not-allowed");
            }
            if matches!(status, S::Rejected | S::Withdrawn) && status_reason.is_none() {
                e.add("status_reason", "err-required");
            }
        }
        // A worker who died: the family's contact is kept, whole.
        if severity == Some(Severity::Fatal) {
            for (field, missing) in [
                ("family_name", family.name.is_none()),
                ("family_relation", family.relation.is_none()),
                ("family_phone", family.phone.is_none()),
            ] {
                if missing && e.get(field).is_none() {
                    e.add(field, "err-claim-family-required");
                }
            }
        }
        match (incident_id, worker_id, severity, status, determination) {
            (Some(incident_id), Some(worker_id), Some(severity), Some(status), Some(determination)) if e.is_empty() => {
                Ok(ClaimDraft {
                    incident_id,
                    worker_id,
                    severity,
                    status,
                    applied_on,
                    determination,
                    determined_on,
                    disability_grade,
                    payer,
                    claimed_fen,
                    paid_fen,
                    paid_on,
                    family,
                    status_reason,
                    notes,
                    reason,
                })
            }
            _ => Err(e),
        }
    }

    /// The checks against the injury date (the incident's occurrence date): nothing is applied
    /// for or decided before the injury.
    pub fn check_injury_date(&self, injury: NaiveDate) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for (field, d) in [("applied_on", self.applied_on), ("determined_on", self.determined_on)] {
            if d.is_some_and(|d| d < injury) {
                e.add(field, "err-claim-before-injury");
            }
        }
        e.into_result(())
    }

    /// A new claim starts opened.
    pub fn check_new(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.status != ClaimStatus::Opened {
            e.add("status", "err-claim-starts-opened");
        }
        e.into_result(())
    }

    /// Check a new version against the current one: the incident and the worker stay; the
    /// same status is a correction and needs a reason; another status must be the next step.
    pub fn check_change(
        &self,
        current_status: ClaimStatus,
        current_incident: Uuid,
        current_worker: Uuid,
    ) -> Result<Change, FieldErrors> {
        let mut e = FieldErrors::new();
        if self.incident_id != current_incident {
            e.add("incident_id", "err-claim-links-fixed");
        }
        if self.worker_id != current_worker {
            e.add("worker_id", "err-claim-links-fixed");
        }
        let change = if self.status == current_status {
            if self.reason.is_none() {
                e.add("reason", "err-reason-required");
            }
            Change::Corrected
        } else {
            if !current_status.can_become(self.status) {
                e.add_with(
                    "status",
                    "err-claim-transition",
                    vec![("from", current_status.as_str().to_owned()), ("to", self.status.as_str().to_owned())],
                );
            }
            Change::Advanced
        };
        e.into_result(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-11-26";

    fn input() -> ClaimInput {
        ClaimInput {
            incident_id: Uuid::from_u128(1).to_string(),
            worker_id: Uuid::from_u128(2).to_string(),
            severity: "serious".into(),
            ..Default::default()
        }
    }

    fn parse(i: &ClaimInput) -> Result<ClaimDraft, FieldErrors> {
        ClaimDraft::parse(i, d(TODAY))
    }

    fn codes(e: &FieldErrors, field: &str) -> Vec<&'static str> {
        e.0.iter().filter(|x| x.field == field).map(|x| x.code).collect()
    }

    /// A claim at `status` with everything that status needs.
    fn at(status: &str) -> ClaimInput {
        let mut i = input();
        i.status = status.into();
        let s = ClaimStatus::parse(status).unwrap();
        if s.reached(ClaimStatus::Applied) {
            i.applied_on = "2026-10-20".into();
        }
        if s.reached(ClaimStatus::Determined) {
            i.determination = "recognised".into();
            i.determined_on = "2026-11-01".into();
        }
        if s.reached(ClaimStatus::Claimed) {
            i.payer = "injury_fund".into();
            i.claimed = "85,000.50".into();
        }
        if s.reached(ClaimStatus::Paid) {
            i.paid = "85000.50".into();
            i.paid_on = "2026-11-20".into();
        }
        i
    }

    #[test]
    fn a_new_claim_parses_opened_and_pending() {
        let c = parse(&input()).unwrap();
        assert_eq!(
            (c.status, c.determination, c.severity),
            (ClaimStatus::Opened, Determination::Pending, Severity::Serious)
        );
        assert_eq!((c.claimed_fen, c.paid_fen), (0, 0));
        assert!(c.check_new().is_ok());
        let e = parse(&ClaimInput::default()).unwrap_err();
        for f in ["incident_id", "worker_id", "severity"] {
            assert_eq!(codes(&e, f), ["err-choice"], "{f}");
        }
    }

    #[test]
    fn the_deadline_is_thirty_days_after_the_injury() {
        let injury = d("2026-10-01");
        assert_eq!(application_deadline(injury), d("2026-10-31"));
        let open = ClaimStatus::Opened;
        assert_eq!(deadline_state(injury, None, open, d("2026-10-01")), DeadlineState::DaysLeft { days: 30 });
        assert_eq!(deadline_state(injury, None, open, d("2026-10-31")), DeadlineState::DaysLeft { days: 0 });
        assert_eq!(deadline_state(injury, None, open, d("2026-11-01")), DeadlineState::Overdue { days: 1 });
        assert!(deadline_state(injury, None, open, d("2026-11-26")).is_overdue());
        // Applied on the last day is in time; a day later is one day late.
        let applied = ClaimStatus::Applied;
        assert_eq!(
            deadline_state(injury, Some(d("2026-10-31")), applied, d("2026-11-26")),
            DeadlineState::Applied { on: d("2026-10-31"), late_days: 0 }
        );
        assert_eq!(
            deadline_state(injury, Some(d("2026-11-01")), applied, d("2026-11-26")),
            DeadlineState::Applied { on: d("2026-11-01"), late_days: 1 }
        );
        // A withdrawn claim without an application has no deadline running.
        assert_eq!(deadline_state(injury, None, ClaimStatus::Withdrawn, d("2026-12-26")), DeadlineState::Stopped);
    }

    #[test]
    fn the_deadline_alerts_seven_days_before_and_once_passed() {
        let injury = d("2026-10-01");
        let open = ClaimStatus::Opened;
        assert_eq!(deadline_alert(injury, None, open, d("2026-10-23")), None, "8 days left");
        assert_eq!(deadline_alert(injury, None, open, d("2026-10-24")), Some(DeadlineAlert::Near), "7 days left");
        assert_eq!(deadline_alert(injury, None, open, d("2026-10-31")), Some(DeadlineAlert::Near), "the last day");
        assert_eq!(deadline_alert(injury, None, open, d("2026-11-01")), Some(DeadlineAlert::Passed));
        // Applied, or withdrawn: nothing to alert.
        assert_eq!(deadline_alert(injury, Some(d("2026-10-20")), ClaimStatus::Applied, d("2026-11-01")), None);
        assert_eq!(deadline_alert(injury, None, ClaimStatus::Withdrawn, d("2026-11-01")), None);
    }

    #[test]
    fn transitions_follow_the_path_one_step_at_a_time() {
        use ClaimStatus::*;
        let allowed = [
            (Opened, Applied),
            (Opened, Withdrawn),
            (Applied, Determined),
            (Applied, Withdrawn),
            (Determined, Claimed),
            (Determined, Rejected),
            (Determined, Withdrawn),
            (Claimed, Paid),
            (Claimed, Rejected),
            (Claimed, Withdrawn),
            (Paid, Closed),
        ];
        for from in ClaimStatus::ALL {
            for to in ClaimStatus::ALL {
                assert_eq!(from.can_become(*to), allowed.contains(&(*from, *to)), "{from} → {to}");
            }
        }
        assert!(Opened.is_open() && Paid.is_open() && !Closed.is_open() && !Rejected.is_open() && !Withdrawn.is_open());
        assert!(Paid.reached(Applied) && !Applied.reached(Determined) && !Withdrawn.reached(Opened));
    }

    #[test]
    fn each_status_needs_its_facts() {
        for s in ["opened", "applied", "determined", "claimed", "paid", "closed"] {
            let c = parse(&at(s)).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(c.status.as_str(), s);
        }
        let e = parse(&ClaimInput { applied_on: String::new(), ..at("applied") }).unwrap_err();
        assert_eq!(codes(&e, "applied_on"), ["err-required"]);
        let e =
            parse(&ClaimInput { determination: "pending".into(), determined_on: String::new(), ..at("determined") })
                .unwrap_err();
        assert_eq!(codes(&e, "determination"), ["err-claim-determination-required"]);
        let e = parse(&ClaimInput { determined_on: String::new(), ..at("determined") }).unwrap_err();
        assert_eq!(codes(&e, "determined_on"), ["err-required"]);
        // Compensation only for a recognised injury, with a payer and an amount.
        let e = parse(&ClaimInput { determination: "not_recognised".into(), ..at("claimed") }).unwrap_err();
        assert_eq!(codes(&e, "determination"), ["err-claim-not-recognised"]);
        let e = parse(&ClaimInput { payer: String::new(), claimed: String::new(), ..at("claimed") }).unwrap_err();
        assert_eq!((codes(&e, "payer"), codes(&e, "claimed")), (vec!["err-required"], vec!["err-required"]));
        let e = parse(&ClaimInput { paid: "0".into(), paid_on: String::new(), ..at("paid") }).unwrap_err();
        assert_eq!(codes(&e, "paid"), ["err-required"]);
        // Rejected and withdrawn say why.
        let e = parse(&ClaimInput { status: "withdrawn".into(), ..input() }).unwrap_err();
        assert_eq!(codes(&e, "status_reason"), ["err-required"]);
        let w = parse(&ClaimInput { status: "withdrawn".into(), status_reason: "家属放弃".into(), ..input() }).unwrap();
        assert_eq!(w.status_reason.as_deref(), Some("家属放弃"));
    }

    #[test]
    fn facts_do_not_run_ahead_of_the_status() {
        let e = parse(&ClaimInput { applied_on: "2026-10-20".into(), ..input() }).unwrap_err();
        assert_eq!(codes(&e, "applied_on"), ["err-claim-step-first"]);
        let e = parse(&ClaimInput {
            determination: "recognised".into(),
            determined_on: "2026-11-01".into(),
            ..at("applied")
        })
        .unwrap_err();
        assert_eq!(codes(&e, "determination"), ["err-claim-step-first"]);
        let e = parse(&ClaimInput { paid: "10".into(), paid_on: "2026-11-20".into(), ..at("determined") }).unwrap_err();
        assert_eq!(codes(&e, "paid"), ["err-claim-step-first"]);
        // A partial payment while claimed is the total paid so far.
        let c = parse(&ClaimInput { paid: "1000".into(), paid_on: "2026-11-20".into(), ..at("claimed") }).unwrap();
        assert_eq!((c.claimed_fen, c.paid_fen), (8_500_050, 100_000));
    }

    #[test]
    fn money_is_never_negative_and_paid_not_above_claimed() {
        let e = parse(&ClaimInput { claimed: "-1".into(), ..at("claimed") }).unwrap_err();
        assert_eq!(codes(&e, "claimed"), ["err-negative"]);
        let e = parse(&ClaimInput { paid: "abc".into(), ..at("paid") }).unwrap_err();
        assert_eq!(codes(&e, "paid"), ["err-number"]);
        let e = parse(&ClaimInput { paid: "90000".into(), ..at("paid") }).unwrap_err();
        assert_eq!(codes(&e, "paid"), ["err-claim-paid-over-claimed"]);
        let e = parse(&ClaimInput { paid_on: String::new(), ..at("paid") }).unwrap_err();
        assert_eq!(codes(&e, "paid_on"), ["err-required"]);
    }

    #[test]
    fn dates_are_in_order_and_not_in_the_future() {
        let e = parse(&ClaimInput { determined_on: "2026-10-19".into(), ..at("determined") }).unwrap_err();
        assert_eq!(codes(&e, "determined_on"), ["err-claim-before-application"]);
        let e = parse(&ClaimInput { paid_on: "2026-10-30".into(), ..at("paid") }).unwrap_err();
        assert_eq!(codes(&e, "paid_on"), ["err-claim-before-determination"]);
        let e = parse(&ClaimInput { applied_on: "2026-11-27".into(), ..at("applied") }).unwrap_err();
        assert_eq!(codes(&e, "applied_on"), ["err-future-date"]);
        let e = parse(&ClaimInput { applied_on: "20.10.2026".into(), ..at("applied") }).unwrap_err();
        assert_eq!(codes(&e, "applied_on"), ["err-date"]);
        // Nothing is applied for before the injury.
        let c = parse(&at("determined")).unwrap();
        assert!(c.check_injury_date(d("2026-10-20")).is_ok());
        let e = c.check_injury_date(d("2026-10-21")).unwrap_err();
        assert_eq!(codes(&e, "applied_on"), ["err-claim-before-injury"]);
    }

    #[test]
    fn a_disability_grade_only_when_recognised_and_survived() {
        let c = parse(&ClaimInput { disability_grade: "7".into(), ..at("determined") }).unwrap();
        assert_eq!(c.disability_grade, Some(7));
        for g in ["0", "11", "seven"] {
            let e = parse(&ClaimInput { disability_grade: g.into(), ..at("determined") }).unwrap_err();
            assert_eq!(codes(&e, "disability_grade"), ["err-claim-grade"], "{g}");
        }
        let e = parse(&ClaimInput { disability_grade: "7".into(), ..at("applied") }).unwrap_err();
        assert_eq!(codes(&e, "disability_grade"), ["err-claim-grade-not-allowed"]);
        let fatal = ClaimInput {
            severity: "fatal".into(),
            disability_grade: "1".into(),
            family_name: "李桂芳".into(),
            family_relation: "spouse".into(),
            family_phone: "138 0854 0000".into(),
            ..at("determined")
        };
        let e = parse(&fatal).unwrap_err();
        assert_eq!(codes(&e, "disability_grade"), ["err-claim-grade-not-allowed"]);
    }

    #[test]
    fn a_fatal_claim_keeps_the_familys_contact() {
        let fatal = ClaimInput { severity: "fatal".into(), ..input() };
        let e = parse(&fatal).unwrap_err();
        for f in ["family_name", "family_relation", "family_phone"] {
            assert_eq!(codes(&e, f), ["err-claim-family-required"], "{f}");
        }
        let e = parse(&ClaimInput {
            family_name: "李桂芳".into(),
            family_relation: "spouse".into(),
            family_phone: "call".into(),
            ..fatal.clone()
        })
        .unwrap_err();
        assert_eq!(codes(&e, "family_phone"), ["err-phone"]);
        let c = parse(&ClaimInput {
            family_name: "李桂芳".into(),
            family_relation: "spouse".into(),
            family_phone: "138 0854 0000".into(),
            ..fatal
        })
        .unwrap();
        assert_eq!(c.family.relation, Some(Relation::Spouse));
        // A minor injury may keep a contact, but needs none.
        assert!(parse(&ClaimInput { severity: "minor".into(), ..input() }).is_ok());
    }

    #[test]
    fn a_new_version_is_a_step_or_a_correction_with_its_reason() {
        let (inc, wk) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let applied = parse(&at("applied")).unwrap();
        assert_eq!(applied.check_change(ClaimStatus::Opened, inc, wk), Ok(Change::Advanced));
        let e = applied.check_change(ClaimStatus::Applied, inc, wk).unwrap_err();
        assert_eq!(codes(&e, "reason"), ["err-reason-required"]);
        let fixed = ClaimDraft { reason: Some("typo in the date".into()), ..applied.clone() };
        assert_eq!(fixed.check_change(ClaimStatus::Applied, inc, wk), Ok(Change::Corrected));
        // Skipping a step, going back, or moving another worker's claim are refused.
        let paid = parse(&at("paid")).unwrap();
        let e = paid.check_change(ClaimStatus::Applied, inc, wk).unwrap_err();
        assert_eq!(codes(&e, "status"), ["err-claim-transition"]);
        assert_eq!(e.get("status").unwrap().args, vec![("from", "applied".to_string()), ("to", "paid".to_string())]);
        let back = parse(&input()).unwrap();
        assert!(back.check_change(ClaimStatus::Applied, inc, wk).is_err());
        let e = applied.check_change(ClaimStatus::Opened, inc, Uuid::from_u128(3)).unwrap_err();
        assert_eq!(codes(&e, "worker_id"), ["err-claim-links-fixed"]);
        // A claim starts opened.
        assert_eq!(codes(&applied.check_new().unwrap_err(), "status"), ["err-claim-starts-opened"]);
    }
}
