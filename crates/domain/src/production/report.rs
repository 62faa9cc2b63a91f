//! The ore-grade supervision report of a period (issue 4 item 5): samples by type, the
//! tonne-weighted grades of feed, concentrate, tailing and waste, recovery from metal totals,
//! the recovery the grades imply, the metal lost to tailings and waste, and a reported recovery
//! set against what the grades allow.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::Element;
use super::period::Totals;
use crate::metallurgy::{RecoveryCheck, check_reported_recovery, two_product};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeReport {
    pub element: String,
    /// Samples by type code.
    pub samples: BTreeMap<String, usize>,
    pub sample_total: usize,
    pub feed: Option<Decimal>,
    pub concentrate: Option<Decimal>,
    pub tailing: Option<Decimal>,
    pub waste: Option<Decimal>,
    /// Metal in concentrates over metal fed, %.
    pub recovery_from_metal: Option<Decimal>,
    /// c (f - t) / (f (c - t)) at the period's grades, %.
    pub recovery_from_grades: Option<f64>,
    pub metal_to_tailings_t: Decimal,
    pub metal_to_waste_t: Decimal,
    pub reported: Option<f64>,
    pub check: Option<RecoveryCheck>,
}

/// The report for one element; `samples` are the type codes of the period's samples;
/// `reported` a published recovery, %.
pub fn grade_report(t: &Totals, el: &Element, samples: &[&str], reported: Option<f64>) -> GradeReport {
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for s in samples {
        *by_kind.entry((*s).to_owned()).or_default() += 1;
    }
    grade_report_counted(t, el, by_kind, reported)
}

/// [`grade_report`] with the samples already counted by type code (as a database counts them).
pub fn grade_report_counted(
    t: &Totals,
    el: &Element,
    by_kind: BTreeMap<String, usize>,
    reported: Option<f64>,
) -> GradeReport {
    let m = t.metal.get(&el.code).cloned().unwrap_or_default();
    let (f, c, tl) = (m.feed.grade(el), m.concentrate.grade(el), m.tailings.grade(el));
    let as_f = |d: Option<Decimal>| d.and_then(|d| d.to_f64());
    let recovery_from_grades = match (as_f(f), as_f(c), as_f(tl)) {
        (Some(f), Some(c), Some(t)) => two_product(f, c, t).ok().map(|r| r.recovery_pct),
        _ => None,
    };
    let check = match (reported, as_f(f), as_f(tl)) {
        (Some(r), Some(f), Some(t)) => check_reported_recovery(r, f, t, as_f(c)).ok(),
        _ => None,
    };
    GradeReport {
        element: el.code.clone(),
        sample_total: by_kind.values().sum(),
        samples: by_kind,
        feed: f,
        concentrate: c,
        tailing: tl,
        waste: m.waste.grade(el),
        recovery_from_metal: m.recovery_pct(),
        recovery_from_grades,
        metal_to_tailings_t: m.tailings.metal_t,
        metal_to_waste_t: m.waste.metal_t,
        reported,
        check,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;
    use crate::production::period::{Assayed, MetalTotals};

    #[test]
    fn the_case_study_year_flags_the_reported_recovery() {
        let el = &default_elements()[0];
        let mut t = Totals::default();
        t.metal.insert(
            "zn".into(),
            MetalTotals {
                feed: Assayed { tonnes: Decimal::from(100), metal_t: Decimal::new(348, 2) },
                concentrate: Assayed { tonnes: Decimal::from(6), metal_t: Decimal::from(3) },
                tailings: Assayed { tonnes: Decimal::from(94), metal_t: Decimal::new(2632, 4) },
                waste: Assayed { tonnes: Decimal::from(20), metal_t: Decimal::new(11, 2) },
                balanced_feed_t: Decimal::new(348, 2),
                balanced_concentrate_t: Decimal::from(3),
                unbalanced_records: 0,
            },
        );
        let r = grade_report(&t, el, &["feed", "feed", "tailing"], Some(91.25));
        assert_eq!(r.feed, Some(Decimal::new(348, 2)));
        assert_eq!(r.tailing, Some(Decimal::new(28, 2)));
        assert_eq!(r.waste, Some(Decimal::new(55, 2)));
        assert_eq!((r.sample_total, r.samples["feed"]), (3, 2));
        let check = r.check.unwrap();
        assert!(check.flagged, "91.25 % is below (f - t) / f = 91.954 %");
        assert_eq!(check.code(), Some("warn-metallurgy-recovery-slip-t-over-f-minus-t"));
        assert!(r.recovery_from_grades.unwrap() > 91.954);
    }
}
