//! Workers of the mines (issue 6, REFERENCE.md section 5): who works where, in which job and
//! under which employment form, with the family members their insurance covers. The identity
//! number is checked here ([`idcard`]); it is encrypted by the store.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::registry::code_enum;

pub mod certificate;
pub mod claim;
pub mod coverage;
pub mod idcard;
pub mod import;
pub mod worker;

code_enum!(Sex, "err-choice", { Male => "male", Female => "female" });

code_enum!(
    /// How a worker is employed. The law gives every form the same protection: the same
    /// insurance, the same cover.
    EmploymentForm, "err-choice", { Contract => "contract", Dispatch => "dispatch", Casual => "casual" }
);

code_enum!(
    /// A family member covered by the worker's family insurance.
    Relation, "err-choice", { Spouse => "spouse", Child => "child", Parent => "parent", Other => "other" }
);

code_enum!(
    /// Special operations (特种作业) that need a certificate of their own.
    CertificateType, "err-choice", {
        Blaster => "blaster", HoistOperator => "hoist_operator", Electrician => "electrician",
        GasInspector => "gas_inspector", Ventilation => "ventilation", Drainage => "drainage",
        GroundSupport => "ground_support", Welder => "welder",
    }
);

code_enum!(
    /// The jobs of a small mine. Each says whether it is done underground (no one under 18
    /// there) and which special-operation certificate it needs, if any.
    Job, "err-choice", {
        Miner => "miner", Driller => "driller", Blaster => "blaster", GroundSupport => "ground_support",
        Haulage => "haulage", Ventilation => "ventilation", Drainage => "drainage",
        GasInspector => "gas_inspector", UndergroundElectrician => "underground_electrician",
        HoistOperator => "hoist_operator", Electrician => "electrician", Welder => "welder",
        MillOperator => "mill_operator", Driver => "driver", Surveyor => "surveyor",
        Clerk => "clerk", Cook => "cook", Guard => "guard",
    }
);

impl Job {
    /// Whether the job is done underground.
    pub fn underground(self) -> bool {
        matches!(
            self,
            Job::Miner
                | Job::Driller
                | Job::Blaster
                | Job::GroundSupport
                | Job::Haulage
                | Job::Ventilation
                | Job::Drainage
                | Job::GasInspector
                | Job::UndergroundElectrician
                | Job::Surveyor
        )
    }

    /// The special-operation certificate the job needs.
    pub fn certificate(self) -> Option<CertificateType> {
        match self {
            Job::Blaster => Some(CertificateType::Blaster),
            Job::GroundSupport => Some(CertificateType::GroundSupport),
            Job::Ventilation => Some(CertificateType::Ventilation),
            Job::Drainage => Some(CertificateType::Drainage),
            Job::GasInspector => Some(CertificateType::GasInspector),
            Job::UndergroundElectrician | Job::Electrician => Some(CertificateType::Electrician),
            Job::HoistOperator => Some(CertificateType::HoistOperator),
            Job::Welder => Some(CertificateType::Welder),
            _ => None,
        }
    }
}

/// Completed years of age on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Nobody under this age works underground (Labour Law art. 64).
pub const UNDERGROUND_MIN_AGE: i32 = 18;
/// Nobody under this age is employed at all (Labour Law art. 15).
pub const MIN_WORKING_AGE: i32 = 16;

/// What a list of workers shows of each one's state on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    /// Not started yet.
    Future,
    Active,
    /// Left (an end date on or before the day).
    Left,
}

/// A worker is active from the start date up to and including the end date.
pub fn state_on(start: NaiveDate, end: Option<NaiveDate>, day: NaiveDate) -> WorkerState {
    if day < start {
        WorkerState::Future
    } else if end.is_some_and(|e| day > e) {
        WorkerState::Left
    } else {
        WorkerState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(d("2008-06-15"), d("2026-06-14")), 17);
        assert_eq!(age_on(d("2008-06-15"), d("2026-06-15")), 18);
        assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    }

    #[test]
    fn jobs_say_underground_and_certificate() {
        assert!(Job::Blaster.underground() && Job::Blaster.certificate() == Some(CertificateType::Blaster));
        assert!(!Job::HoistOperator.underground());
        assert_eq!(Job::HoistOperator.certificate(), Some(CertificateType::HoistOperator));
        assert!(Job::Miner.underground() && Job::Miner.certificate().is_none());
        assert!(!Job::Clerk.underground() && Job::Clerk.certificate().is_none());
        // Every certificate type is needed by some job.
        for c in CertificateType::ALL {
            assert!(Job::ALL.iter().any(|j| j.certificate() == Some(*c)), "{c}");
        }
    }

    #[test]
    fn active_between_start_and_end_inclusive() {
        let (s, e) = (d("2026-01-10"), Some(d("2026-03-31")));
        assert_eq!(state_on(s, e, d("2026-01-09")), WorkerState::Future);
        assert_eq!(state_on(s, e, d("2026-01-10")), WorkerState::Active);
        assert_eq!(state_on(s, e, d("2026-03-31")), WorkerState::Active);
        assert_eq!(state_on(s, e, d("2026-04-01")), WorkerState::Left);
        assert_eq!(state_on(s, None, d("2099-01-01")), WorkerState::Active);
    }
}
