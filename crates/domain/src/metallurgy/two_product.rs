//! The two-product formula (REFERENCE.md 2.1): from the grades of feed, concentrate and tailing
//! alone, how much of the feed became concentrate and how much of its metal went with it. It is
//! how a small mill knows its recovery without weighing the concentrate.

use serde::Serialize;

use super::{Problem, Problems, check_grade};

/// Yield and recovery of one separation into a concentrate and a tailing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TwoProduct {
    /// Concentrate as a share of the feed by mass, Y = (f - t) / (c - t), in %.
    pub yield_pct: f64,
    /// Share of the feed's metal in the concentrate, R = c (f - t) / (f (c - t)), in %.
    pub recovery_pct: f64,
    /// Tonnes of feed per tonne of concentrate, K = 1 / Y.
    pub ratio_of_concentration: f64,
    /// How much richer the concentrate is than the feed, c / f.
    pub enrichment_ratio: f64,
}

/// Check the three grades of a two-product separation; fields are `feed`, `conc`, `tail` and
/// the rule is 0 <= t < f < c <= 100. Equal grades are refused too: t = f recovers nothing
/// (K would be infinite) and c = f concentrates nothing.
pub(crate) fn check_two_product(feed: f64, conc: f64, tail: f64) -> Result<(f64, f64, f64), Problems> {
    let mut p = Problems::new();
    let f = check_grade("feed", None, feed, &mut p);
    let c = check_grade("conc", None, conc, &mut p);
    let t = check_grade("tail", None, tail, &mut p);
    if let (Some(f), Some(t)) = (f, t)
        && t >= f
    {
        p.push(Problem::TailNotBelowFeed { field: "tail".into(), metal: None, tail: t, feed: f });
    }
    if let (Some(f), Some(c)) = (f, c)
        && c <= f
    {
        p.push(Problem::ConcNotAboveFeed { field: "conc".into(), metal: None, conc: c, feed: f });
    }
    p.into_result((feed, conc, tail))
}

/// The two-product formula for grades in % (or any one unit): feed `feed`, concentrate `conc`,
/// tailing `tail`.
pub fn two_product(feed: f64, conc: f64, tail: f64) -> Result<TwoProduct, Problems> {
    let (f, c, t) = check_two_product(feed, conc, tail)?;
    let y = (f - t) / (c - t);
    Ok(TwoProduct {
        yield_pct: 100.0 * y,
        // c y / f rather than a second division by (c - t): the same number, and recovery stays
        // exactly consistent with yield.
        recovery_pct: 100.0 * c * y / f,
        ratio_of_concentration: (c - t) / (f - t),
        enrichment_ratio: c / f,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_2_1_feed_1_conc_10_tail_0_2() {
        let r = two_product(1.0, 10.0, 0.2).unwrap();
        assert_eq!(format!("{:.4}", r.yield_pct), "8.1633");
        assert_eq!(format!("{:.4}", r.recovery_pct), "81.6327");
        assert_eq!(format!("{:.2}", r.ratio_of_concentration), "12.25");
        assert!((r.ratio_of_concentration - 12.25).abs() < 1e-12);
        assert!((r.enrichment_ratio - 10.0).abs() < 1e-12);
    }

    #[test]
    fn impossible_grades_name_the_field() {
        let e = two_product(3.48, 50.0, 3.6).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.get("tail").unwrap().code(), "err-metallurgy-tail-not-below-feed");
        let e = two_product(3.48, 3.48, 0.28).unwrap_err();
        assert_eq!(e.get("conc").unwrap().code(), "err-metallurgy-conc-not-above-feed");
        let e = two_product(3.48, 3.48, 3.48).unwrap_err();
        assert_eq!(e.0.len(), 2, "both rules are reported: {e}");
        let e = two_product(-1.0, 120.0, f64::INFINITY).unwrap_err();
        assert_eq!(e.get("feed").unwrap().code(), "err-metallurgy-grade-negative");
        assert_eq!(e.get("conc").unwrap().code(), "err-metallurgy-grade-above-100");
        assert_eq!(e.get("tail").unwrap().code(), "err-metallurgy-not-finite");
        assert!(two_product(f64::NAN, 10.0, 0.2).is_err());
    }

    #[test]
    fn a_pure_concentrate_and_a_barren_tailing_recover_everything() {
        let r = two_product(5.0, 100.0, 0.0).unwrap();
        assert!((r.recovery_pct - 100.0).abs() < 1e-12);
        assert!((r.yield_pct - 5.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn valid_grades_give_yield_and_recovery_between_0_and_100(
            t in 0.0..99.0f64, a in 0.0001..1.0f64, b in 0.0001..1.0f64,
        ) {
            // t < f < c <= 100
            let f = t + (100.0 - t) * a * 0.5;
            let c = f + (100.0 - f) * b;
            prop_assume!(t < f && f < c && c <= 100.0);
            let r = two_product(f, c, t).unwrap();
            prop_assert!(r.yield_pct > 0.0 && r.yield_pct <= 100.0, "{r:?}");
            prop_assert!(r.recovery_pct > 0.0 && r.recovery_pct <= 100.0 + 1e-9, "{r:?}");
            prop_assert!(r.ratio_of_concentration >= 1.0 && r.enrichment_ratio > 1.0);
            // The metal balance closes: f = Y c + (1 - Y) t.
            let y = r.yield_pct / 100.0;
            prop_assert!((y * c + (1.0 - y) * t - f).abs() <= 1e-9 * f.max(1.0));
            // Recovery is above (f - t) / f, the bound of REFERENCE.md 2.4.
            prop_assert!(r.recovery_pct >= 100.0 * (f - t) / f - 1e-9);
        }
    }
}
