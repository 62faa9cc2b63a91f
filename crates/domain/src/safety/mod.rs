//! Safety rules that the law and the co-op's definitions fix (issue 5, REFERENCE.md section 4):
//! the class of an accident under State Council Decree No. 493 (2007) and who investigates it,
//! the legal deadlines that run from an accident, and the injury frequency rates per million
//! hours worked.

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::registry::code_enum;

pub mod action;
pub mod explosives;
pub mod hazard;
pub mod incident;
pub mod inspection;
pub mod investigation;
pub mod record;

code_enum!(
    /// The class of an accident (Decree 493, Art. 3), lowest first.
    AccidentClass, "err-choice", {
        General => "general", RelativelyLarge => "relatively_large", Major => "major",
        EspeciallyMajor => "especially_major",
    }
);

code_enum!(
    /// The level of government that investigates an accident of a class.
    Investigator, "err-choice", {
        County => "county", City => "city", Province => "province", StateCouncil => "state_council",
    }
);

impl AccidentClass {
    /// General: the county government; relatively large: the city; major: the province;
    /// especially major: the State Council (REFERENCE 4.2).
    pub fn investigated_by(self) -> Investigator {
        match self {
            AccidentClass::General => Investigator::County,
            AccidentClass::RelativelyLarge => Investigator::City,
            AccidentClass::Major => Investigator::Province,
            AccidentClass::EspeciallyMajor => Investigator::StateCouncil,
        }
    }

    fn rank(self) -> u8 {
        match self {
            AccidentClass::General => 0,
            AccidentClass::RelativelyLarge => 1,
            AccidentClass::Major => 2,
            AccidentClass::EspeciallyMajor => 3,
        }
    }

    /// Whether this class is `other` or above (for the "days since a major accident" counter,
    /// whose threshold is a setting).
    pub fn at_least(self, other: AccidentClass) -> bool {
        self.rank() >= other.rank()
    }
}

/// A problem with an input, as a Fluent code and the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafetyProblem {
    pub field: &'static str,
    pub code: &'static str,
}

fn problem(field: &'static str, code: &'static str) -> SafetyProblem {
    SafetyProblem { field, code }
}

/// The class of an accident: the highest class that any one of deaths, serious injuries and
/// direct economic loss (RMB) reaches; every boundary belongs to the class above it ("at or
/// above" includes the boundary).
pub fn classify(deaths: u32, serious_injuries: u32, loss_rmb: Decimal) -> Result<AccidentClass, SafetyProblem> {
    if loss_rmb.is_sign_negative() && !loss_rmb.is_zero() {
        return Err(problem("loss", "err-negative"));
    }
    let million = Decimal::from(1_000_000);
    let by_deaths = match deaths {
        30.. => AccidentClass::EspeciallyMajor,
        10..=29 => AccidentClass::Major,
        3..=9 => AccidentClass::RelativelyLarge,
        _ => AccidentClass::General,
    };
    let by_injuries = match serious_injuries {
        100.. => AccidentClass::EspeciallyMajor,
        50..=99 => AccidentClass::Major,
        10..=49 => AccidentClass::RelativelyLarge,
        _ => AccidentClass::General,
    };
    let by_loss = if loss_rmb >= Decimal::from(100) * million {
        AccidentClass::EspeciallyMajor
    } else if loss_rmb >= Decimal::from(50) * million {
        AccidentClass::Major
    } else if loss_rmb >= Decimal::from(10) * million {
        AccidentClass::RelativelyLarge
    } else {
        AccidentClass::General
    };
    Ok([by_deaths, by_injuries, by_loss].into_iter().max_by_key(|c| c.rank()).unwrap_or(AccidentClass::General))
}

/// The legal clock of an accident (REFERENCE 4.2), in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// The unit head reports to the county-level regulator within 1 hour of being told.
    pub report_to_regulator_by: NaiveDateTime,
    /// Changes in casualties are reported within 30 days of the accident.
    pub casualty_updates_until: NaiveDateTime,
    /// The investigation report is due within 60 days of the accident...
    pub investigation_report_due: NaiveDateTime,
    /// ...extendable once by at most 60 days.
    pub investigation_report_latest: NaiveDateTime,
}

pub const REPORT_WITHIN: Duration = Duration::hours(1);
pub const CASUALTY_UPDATES_DAYS: i64 = 30;
pub const INVESTIGATION_DAYS: i64 = 60;
pub const EXTENSION_MAX_DAYS: i64 = 60;

/// The deadlines of an accident that occurred at `occurred`, its unit head told at `notified`
/// (which cannot be before the accident).
pub fn deadlines(occurred: NaiveDateTime, notified: NaiveDateTime) -> Result<Deadlines, SafetyProblem> {
    if notified < occurred {
        return Err(problem("unit_head_notified", "err-notified-before-occurred"));
    }
    let add = |t: NaiveDateTime, d: Duration, field: &'static str| {
        t.checked_add_signed(d).ok_or_else(|| problem(field, "err-datetime"))
    };
    let due = add(occurred, Duration::days(INVESTIGATION_DAYS), "occurred")?;
    Ok(Deadlines {
        report_to_regulator_by: add(notified, REPORT_WITHIN, "unit_head_notified")?,
        casualty_updates_until: add(occurred, Duration::days(CASUALTY_UPDATES_DAYS), "occurred")?,
        investigation_report_due: due,
        investigation_report_latest: add(due, Duration::days(EXTENSION_MAX_DAYS), "occurred")?,
    })
}

/// An extension of the investigation report: one only, of 1 to 60 days, with a reason; gives
/// the new due time.
pub fn extend_investigation(
    d: &Deadlines,
    already_extended: bool,
    days: i64,
    reason: &str,
) -> Result<NaiveDateTime, SafetyProblem> {
    if already_extended {
        return Err(problem("extension_days", "err-extension-once"));
    }
    if !(1..=EXTENSION_MAX_DAYS).contains(&days) {
        return Err(problem("extension_days", "err-extension-days"));
    }
    if reason.trim().is_empty() {
        return Err(problem("extension_reason", "err-required"));
    }
    Ok(d.investigation_report_due + Duration::days(days))
}

/// Cases of a period and the hours worked in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exposure {
    pub hours: Decimal,
    pub fatalities: u32,
    pub lost_time: u32,
    pub restricted: u32,
    pub medical: u32,
}

/// Frequency rates per 1,000,000 hours worked (REFERENCE 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    /// Lost-time injuries x 10^6 / hours.
    pub ltifr: Decimal,
    /// (Fatalities + lost-time + restricted-work + medical-treatment cases) x 10^6 / hours.
    pub trifr: Decimal,
    /// Fatalities x 10^6 / hours.
    pub ffr: Decimal,
}

/// The rates of a period; without hours worked there is no rate (an error, not a zero).
pub fn rates(e: &Exposure) -> Result<Rates, SafetyProblem> {
    if e.hours.is_sign_negative() && !e.hours.is_zero() {
        return Err(problem("hours", "err-negative"));
    }
    if e.hours.is_zero() {
        return Err(problem("hours", "err-hours-zero"));
    }
    // Less than an hour worked is not a period a rate can be given for.
    if e.hours < Decimal::ONE {
        return Err(problem("hours", "err-hours-too-few"));
    }
    let per = |n: u64| {
        Decimal::from(n)
            .checked_mul(Decimal::from(1_000_000))
            .and_then(|x| x.checked_div(e.hours))
            .map(|x| x.round_dp(4))
            .ok_or_else(|| problem("hours", "err-too-large"))
    };
    let total = u64::from(e.fatalities) + u64::from(e.lost_time) + u64::from(e.restricted) + u64::from(e.medical);
    Ok(Rates { ltifr: per(u64::from(e.lost_time))?, trifr: per(total)?, ffr: per(u64::from(e.fatalities))? })
}

/// A rate on another basis (200,000 hours, as OSHA counts): `rate x basis / 10^6`.
pub fn on_basis(rate_per_million: Decimal, basis_hours: u32) -> Option<Decimal> {
    let per_hour = rate_per_million.checked_div(Decimal::from(1_000_000))?;
    Some(per_hour.checked_mul(Decimal::from(basis_hours))?.round_dp(4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccidentClass::*;

    fn rmb(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn the_reference_examples() {
        assert_eq!(classify(2, 9, rmb(9_999_999)).unwrap(), General);
        assert_eq!(classify(0, 10, rmb(0)).unwrap(), RelativelyLarge);
        assert_eq!(classify(1, 0, rmb(60_000_000)).unwrap(), Major);
        assert_eq!(classify(30, 0, rmb(0)).unwrap(), EspeciallyMajor);
    }

    #[test]
    fn every_boundary_of_every_criterion() {
        // (value just under, at the boundary) -> (class below, class at)
        let deaths =
            [(2, 3, General, RelativelyLarge), (9, 10, RelativelyLarge, Major), (29, 30, Major, EspeciallyMajor)];
        for (under, at, below, cls) in deaths {
            assert_eq!(classify(under, 0, rmb(0)).unwrap(), below, "{under} deaths");
            assert_eq!(classify(at, 0, rmb(0)).unwrap(), cls, "{at} deaths");
        }
        let injuries =
            [(9, 10, General, RelativelyLarge), (49, 50, RelativelyLarge, Major), (99, 100, Major, EspeciallyMajor)];
        for (under, at, below, cls) in injuries {
            assert_eq!(classify(0, under, rmb(0)).unwrap(), below, "{under} injuries");
            assert_eq!(classify(0, at, rmb(0)).unwrap(), cls, "{at} injuries");
        }
        let fen = Decimal::new(1, 2);
        for (at, below, cls) in [
            (10_000_000, General, RelativelyLarge),
            (50_000_000, RelativelyLarge, Major),
            (100_000_000, Major, EspeciallyMajor),
        ] {
            assert_eq!(classify(0, 0, rmb(at) - fen).unwrap(), below, "a fen under {at}");
            assert_eq!(classify(0, 0, rmb(at)).unwrap(), cls, "{at} RMB");
        }
    }

    #[test]
    fn the_highest_criterion_wins_and_names_the_investigator() {
        let c = classify(2, 60, rmb(1)).unwrap();
        assert_eq!((c, c.investigated_by()), (Major, Investigator::Province));
        assert_eq!(classify(3, 0, rmb(0)).unwrap().investigated_by(), Investigator::City);
        assert_eq!(General.investigated_by(), Investigator::County);
        assert_eq!(EspeciallyMajor.investigated_by(), Investigator::StateCouncil);
        assert!(Major.at_least(RelativelyLarge) && !General.at_least(RelativelyLarge));
        assert_eq!(classify(0, 0, rmb(-1)).unwrap_err().field, "loss");
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn the_clock_runs_from_the_accident_and_the_report_from_the_unit_head() {
        let d = deadlines(t("2026-03-01T22:40"), t("2026-03-01T23:05")).unwrap();
        assert_eq!(d.report_to_regulator_by, t("2026-03-02T00:05"), "one hour, across midnight");
        assert_eq!(d.casualty_updates_until, t("2026-03-31T22:40"));
        assert_eq!(d.investigation_report_due, t("2026-04-30T22:40"));
        assert_eq!(d.investigation_report_latest, t("2026-06-29T22:40"));
        assert_eq!(deadlines(t("2026-03-01T22:40"), t("2026-03-01T22:39")).unwrap_err().field, "unit_head_notified");
        // Told at the moment it happened: the hour runs from then.
        assert_eq!(
            deadlines(t("2026-03-01T22:40"), t("2026-03-01T22:40")).unwrap().report_to_regulator_by,
            t("2026-03-01T23:40")
        );
    }

    #[test]
    fn one_extension_of_at_most_sixty_days_with_a_reason() {
        let d = deadlines(t("2026-03-01T08:00"), t("2026-03-01T08:10")).unwrap();
        assert_eq!(extend_investigation(&d, false, 60, "expert report").unwrap(), d.investigation_report_latest);
        assert_eq!(extend_investigation(&d, false, 1, "x").unwrap(), t("2026-05-01T08:00"));
        assert_eq!(extend_investigation(&d, false, 61, "x").unwrap_err().code, "err-extension-days");
        assert_eq!(extend_investigation(&d, false, 0, "x").unwrap_err().code, "err-extension-days");
        assert_eq!(extend_investigation(&d, true, 10, "x").unwrap_err().code, "err-extension-once");
        assert_eq!(extend_investigation(&d, false, 10, " ").unwrap_err().code, "err-required");
    }

    #[test]
    fn rates_per_million_hours() {
        let r = rates(&Exposure { hours: rmb(750_000), lost_time: 3, ..Default::default() }).unwrap();
        assert_eq!(r.ltifr, Decimal::new(400, 2));
        let e = Exposure { hours: rmb(1_250_000), fatalities: 1, lost_time: 3, restricted: 2, medical: 4 };
        let r = rates(&e).unwrap();
        assert_eq!(r.trifr, Decimal::new(800, 2));
        assert_eq!(on_basis(r.trifr, 200_000), Some(Decimal::new(160, 2)));
        assert_eq!(r.ffr, Decimal::new(8, 1));
        assert_eq!(rates(&Exposure::default()).unwrap_err().code, "err-hours-zero");
        assert_eq!(rates(&Exposure { hours: rmb(-5), ..Default::default() }).unwrap_err().code, "err-negative");
        // Absurd inputs get an error, never a panic or a wrapped count.
        let tiny = Exposure { hours: Decimal::new(1, 28), lost_time: 1, ..Default::default() };
        assert_eq!(rates(&tiny).unwrap_err().code, "err-hours-too-few");
        let many = Exposure { hours: rmb(1000), fatalities: u32::MAX, lost_time: 1, ..Default::default() };
        let r = rates(&many).unwrap();
        assert_eq!(r.trifr, Decimal::from(u64::from(u32::MAX) + 1) * Decimal::from(1000));
        assert_eq!(on_basis(Decimal::MAX, u32::MAX), None, "too large is no answer, not a panic");
        let most = rates(&Exposure {
            hours: Decimal::ONE,
            fatalities: u32::MAX,
            lost_time: u32::MAX,
            restricted: u32::MAX,
            medical: u32::MAX,
        })
        .unwrap();
        assert!(on_basis(most.trifr, 200_000).is_some(), "any rate the rules give converts");
    }
}
