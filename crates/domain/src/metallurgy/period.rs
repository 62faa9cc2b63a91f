//! Recovery over a period (REFERENCE.md 2.4): a month's recovery is the metal its concentrate
//! holds over the metal its feed held, each summed lot by lot (tonnes x grade). The mean of
//! per-sample recoveries weighs a small lot like a large one and is not a recovery. A reported
//! recovery the grades cannot give is flagged, with the reason.

use serde::{Deserialize, Serialize};

use super::two_product::{TwoProduct, check_two_product, two_product};
use super::{Problem, Problems, check_grade};

/// One weighed and assayed quantity of a stream: a truckload of ore, a shift's concentrate, a
/// day's tailing (by difference, feed less concentrate, where tailing is not weighed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lot {
    pub dry_t: f64,
    pub grade_pct: f64,
}

impl Lot {
    pub fn metal_t(&self) -> f64 {
        self.dry_t * self.grade_pct / 100.0
    }
}

/// A stream summed over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StreamTotal {
    pub dry_t: f64,
    pub metal_t: f64,
    pub lots: usize,
}

impl StreamTotal {
    /// The tonnage-weighted grade, metal over tonnes; `None` without tonnes.
    pub fn grade_pct(&self) -> Option<f64> {
        (self.dry_t > 0.0).then(|| 100.0 * self.metal_t / self.dry_t)
    }
}

/// Sum the lots of one stream; `field` names the stream (`feed`, `concentrate`, `tailing`) and
/// problems name the lot, e.g. `feed[3].dry_t`.
pub fn stream_total(field: &str, lots: &[Lot]) -> Result<StreamTotal, Problems> {
    let mut p = Problems::new();
    let mut total = StreamTotal { lots: lots.len(), ..StreamTotal::default() };
    for (i, lot) in lots.iter().enumerate() {
        let at = format!("{field}[{i}].dry_t");
        if !lot.dry_t.is_finite() {
            p.push(Problem::NotFinite { field: at, metal: None });
        } else if lot.dry_t < 0.0 {
            p.push(Problem::TonnesNegative { field: at, value: lot.dry_t });
        }
        check_grade(&format!("{field}[{i}].grade_pct"), None, lot.grade_pct, &mut p);
        total.dry_t += lot.dry_t;
        total.metal_t += lot.metal_t();
    }
    p.into_result(total)
}

/// A period's metallurgical account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodAccount {
    pub feed: StreamTotal,
    pub concentrate: StreamTotal,
    /// Present when the tailing was assayed.
    pub tailing: Option<StreamTotal>,
    /// Metal in concentrate over metal in feed, %: what the period achieved.
    pub recovery_pct: f64,
    /// Concentrate tonnes over feed tonnes, %.
    pub yield_pct: f64,
    /// The two-product formula on the period's tonnage-weighted grades, when the tailing was
    /// assayed: the recovery the assays alone give, a cross-check of the weighings.
    pub two_product: Option<TwoProduct>,
    /// Feed metal less concentrate and tailing metal, t: what the weighings and assays lose
    /// (or invent) when the tailing was assayed.
    pub unaccounted_metal_t: Option<f64>,
}

/// Account for a period from its lots: feed and concentrate weighed and assayed, the tailing
/// optional (empty when not assayed). The feed must hold metal; the concentrate cannot hold
/// more metal than the feed (count stock changes into the lots first); with a tailing, the
/// period's grades must separate (t < f < c) as for the two-product formula.
pub fn period_account(feed: &[Lot], concentrate: &[Lot], tailing: &[Lot]) -> Result<PeriodAccount, Problems> {
    let mut p = Problems::new();
    let mut total = |field: &str, lots: &[Lot]| match stream_total(field, lots) {
        Ok(t) => Some(t),
        Err(e) => {
            p.0.extend(e.0);
            None
        }
    };
    let (f, c, t) = (total("feed", feed), total("concentrate", concentrate), total("tailing", tailing));
    let (Some(f), Some(c), Some(t)) = (f, c, t) else {
        return Err(p);
    };
    if f.metal_t <= 0.0 {
        p.push(Problem::NoMetal { field: "feed".into() });
    } else if c.metal_t > f.metal_t {
        p.push(Problem::MoreMetalOut { field: "concentrate".into(), out_t: c.metal_t, in_t: f.metal_t });
    }
    if !p.is_empty() {
        return Err(p);
    }
    let tailing = (!tailing.is_empty()).then_some(t);
    let two = match (tailing, f.grade_pct(), c.grade_pct()) {
        (Some(t), Some(fg), Some(cg)) => {
            let tg = t.grade_pct().unwrap_or(0.0);
            // The same rules as the calculator, reported on the streams' names.
            match check_two_product(fg, cg, tg) {
                Ok(_) => Some(two_product(fg, cg, tg)?),
                Err(e) => {
                    for prob in e.0 {
                        p.push(rename_stream(prob));
                    }
                    return Err(p);
                }
            }
        }
        _ => None,
    };
    Ok(PeriodAccount {
        feed: f,
        concentrate: c,
        tailing,
        recovery_pct: 100.0 * c.metal_t / f.metal_t,
        yield_pct: if f.dry_t > 0.0 { 100.0 * c.dry_t / f.dry_t } else { 0.0 },
        two_product: two,
        unaccounted_metal_t: tailing.map(|t| f.metal_t - c.metal_t - t.metal_t),
    })
}

/// The calculator's fields (`feed`, `conc`, `tail`) as the period account names its streams.
fn rename_stream(p: Problem) -> Problem {
    let name = |f: String| match f.as_str() {
        "conc" => "concentrate".to_owned(),
        "tail" => "tailing".to_owned(),
        _ => f,
    };
    match p {
        Problem::TailNotBelowFeed { field, metal, tail, feed } => {
            Problem::TailNotBelowFeed { field: name(field), metal, tail, feed }
        }
        Problem::ConcNotAboveFeed { field, metal, conc, feed } => {
            Problem::ConcNotAboveFeed { field: name(field), metal, conc, feed }
        }
        other => other,
    }
}

/// An arithmetic slip known to produce a reported recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slip {
    /// 1 - t / (f - t): the tailing grade divided by (f - t) instead of f.
    TailOverFeedMinusTail,
}

/// A reported figure this close (percentage points) to a slip's result is taken to come from
/// it: half a unit of the second decimal, as recoveries are printed.
pub const SLIP_TOLERANCE_PCT: f64 = 0.005;

/// A reported recovery this close (percentage points) to the two-product recovery of the
/// concentrate, feed and tailing grades closes with them: the assays of the three carry a few
/// per cent of relative error each, which moves the computed recovery by about half a point
/// at the case study's grades.
pub const CLOSE_TOLERANCE_PCT: f64 = 1.0;

/// Whether a reported recovery can be true of the feed and tailing grades.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryCheck {
    pub reported_pct: f64,
    /// (f - t) / f: the two-product recovery as the concentrate grade grows without bound, and
    /// so the lowest any real concentrate gives (c (f - t) / (f (c - t)) falls towards it).
    pub lowest_possible_pct: f64,
    /// The two-product recovery at the concentrate grade, when it is known.
    pub two_product_pct: Option<f64>,
    /// The reported figure is below `lowest_possible_pct`, or, with the concentrate grade
    /// known, more than [`CLOSE_TOLERANCE_PCT`] from `two_product_pct`.
    pub flagged: bool,
    /// The reported figure minus `two_product_pct`, percentage points.
    pub off_by_pct: Option<f64>,
    /// A slip that gives the reported figure, if one does (only looked for when flagged).
    pub slip: Option<Slip>,
    /// What the slip computes, %.
    pub slip_pct: Option<f64>,
}

impl RecoveryCheck {
    /// Fluent message id of the finding, when flagged.
    pub fn code(&self) -> Option<&'static str> {
        match (self.flagged, self.slip) {
            (false, _) => None,
            (true, Some(Slip::TailOverFeedMinusTail)) => Some("warn-metallurgy-recovery-slip-t-over-f-minus-t"),
            (true, None) if self.below_lowest() => Some("warn-metallurgy-recovery-below-lowest"),
            (true, None) => Some("warn-metallurgy-recovery-does-not-close"),
        }
    }

    /// The reported figure is below what any concentrate grade gives.
    pub fn below_lowest(&self) -> bool {
        self.reported_pct < self.lowest_possible_pct
    }

    /// The reason in English (for the command line and logs), when flagged.
    pub fn reason(&self, feed_pct: f64, tail_pct: f64) -> Option<String> {
        if !self.flagged {
            return None;
        }
        if let (false, Some(two), Some(off)) = (self.below_lowest(), self.two_product_pct, self.off_by_pct) {
            return Some(format!(
                "the reported recovery {r} % is {d:.2} points {side} {two:.3} %, the two-product recovery of \
                 these feed, concentrate and tailing grades (more than {CLOSE_TOLERANCE_PCT} point): the figure \
                 does not close with the assays",
                r = self.reported_pct,
                d = off.abs(),
                side = if off > 0.0 { "above" } else { "below" },
            ));
        }
        let mut s = format!(
            "the reported recovery {r} % is below {low:.3} % = (f - t) / f = ({feed_pct} - {tail_pct}) / {feed_pct}, \
             the lowest recovery any concentrate grade gives with these feed and tailing grades; \
             the figure does not close with the assays",
            r = self.reported_pct,
            low = self.lowest_possible_pct,
        );
        if let (Some(Slip::TailOverFeedMinusTail), Some(v)) = (self.slip, self.slip_pct) {
            s.push_str(&format!(
                "; it equals 1 - t / (f - t) = 1 - {tail_pct} / ({feed_pct} - {tail_pct}) = {v:.2} %, \
                 an arithmetic slip (the tailing grade divided by f - t instead of by f)"
            ));
        }
        Some(s)
    }
}

/// Check a reported recovery (%) against the feed and tailing grades (and the concentrate
/// grade, when known). Grades follow the two-product rules; the reported figure must be a
/// percentage.
pub fn check_reported_recovery(
    reported_pct: f64,
    feed_pct: f64,
    tail_pct: f64,
    conc_pct: Option<f64>,
) -> Result<RecoveryCheck, Problems> {
    let mut p = Problems::new();
    if !reported_pct.is_finite() {
        p.push(Problem::NotFinite { field: "reported".into(), metal: None });
    } else if !(0.0..=100.0).contains(&reported_pct) {
        p.push(Problem::RecoveryOutOfRange { field: "reported".into(), value: reported_pct });
    }
    // Without a concentrate grade only the feed-tailing rule applies: any c above f will do.
    let probe = conc_pct.unwrap_or(100.0);
    if let Err(e) = check_two_product(feed_pct, probe, tail_pct) {
        p.0.extend(e.0.into_iter().filter(|x| conc_pct.is_some() || x.field() != "conc"));
    }
    if !p.is_empty() {
        return Err(p);
    }
    let lowest_possible_pct = 100.0 * (feed_pct - tail_pct) / feed_pct;
    let two_product_pct = match conc_pct {
        Some(c) => Some(two_product(feed_pct, c, tail_pct)?.recovery_pct),
        None => None,
    };
    let off_by_pct = two_product_pct.map(|tp| reported_pct - tp);
    let below = reported_pct < lowest_possible_pct;
    let flagged = below || off_by_pct.is_some_and(|d| d.abs() > CLOSE_TOLERANCE_PCT);
    let slip_value = 100.0 * (1.0 - tail_pct / (feed_pct - tail_pct));
    let slip =
        (below && (reported_pct - slip_value).abs() <= SLIP_TOLERANCE_PCT).then_some(Slip::TailOverFeedMinusTail);
    Ok(RecoveryCheck {
        reported_pct,
        lowest_possible_pct,
        two_product_pct,
        flagged,
        off_by_pct,
        slip,
        slip_pct: slip.map(|_| slip_value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_reported_recovery_that_the_three_grades_do_not_give_is_flagged() {
        // With c = 50 % the grades give 92.472 %: 99 % is above what is possible for them,
        // though above the lowest (91.954 %) that any concentrate grade gives.
        let r = check_reported_recovery(99.0, 3.48, 0.28, Some(50.0)).unwrap();
        assert!(r.flagged && !r.below_lowest());
        assert_eq!(r.code(), Some("warn-metallurgy-recovery-does-not-close"));
        assert!((r.off_by_pct.unwrap() - (99.0 - 92.472)).abs() < 1e-3);
        assert!(r.reason(3.48, 0.28).unwrap().contains("6.53 points above 92.472 %"), "{:?}", r.reason(3.48, 0.28));
        // Within a point of 92.472 % it closes; without the concentrate grade 99 % is possible.
        assert!(!check_reported_recovery(93.4, 3.48, 0.28, Some(50.0)).unwrap().flagged);
        assert!(check_reported_recovery(91.5, 3.48, 0.28, Some(50.0)).unwrap().below_lowest());
        assert!(!check_reported_recovery(99.0, 3.48, 0.28, None).unwrap().flagged);
    }

    #[test]
    fn reference_2_4_case_study_91_25_is_flagged_as_1_minus_t_over_f_minus_t() {
        let r = check_reported_recovery(91.25, 3.48, 0.28, None).unwrap();
        assert!(r.flagged);
        assert_eq!(format!("{:.3}", r.lowest_possible_pct), "91.954");
        assert_eq!(r.slip, Some(Slip::TailOverFeedMinusTail));
        assert_eq!(format!("{:.2}", r.slip_pct.unwrap()), "91.25");
        assert_eq!(r.code(), Some("warn-metallurgy-recovery-slip-t-over-f-minus-t"));
        let why = r.reason(3.48, 0.28).unwrap();
        assert!(why.contains("below 91.954 % = (f - t) / f"), "{why}");
        assert!(why.contains("1 - t / (f - t) = 1 - 0.28 / (3.48 - 0.28) = 91.25 %"), "{why}");
    }

    #[test]
    fn reference_2_4_a_50_percent_concentrate_gives_92_472() {
        let r = check_reported_recovery(91.25, 3.48, 0.28, Some(50.0)).unwrap();
        assert_eq!(format!("{:.3}", r.two_product_pct.unwrap()), "92.472");
        assert!(r.flagged);
        // A figure the grades can give passes, with no reason.
        let ok = check_reported_recovery(92.47, 3.48, 0.28, Some(50.0)).unwrap();
        assert!(!ok.flagged && ok.slip.is_none() && ok.code().is_none() && ok.reason(3.48, 0.28).is_none());
        // Below the bound but no known slip: flagged without one.
        let low = check_reported_recovery(80.0, 3.48, 0.28, None).unwrap();
        assert!(low.flagged && low.slip.is_none());
        assert_eq!(low.code(), Some("warn-metallurgy-recovery-below-lowest"));
    }

    #[test]
    fn reported_recovery_inputs_are_checked() {
        let e = check_reported_recovery(101.0, 0.28, 3.48, None).unwrap_err();
        assert_eq!(e.get("reported").unwrap().code(), "err-metallurgy-recovery-range");
        assert_eq!(e.get("tail").unwrap().code(), "err-metallurgy-tail-not-below-feed");
        assert!(e.get("conc").is_none(), "no concentrate grade was given: {e}");
        let e = check_reported_recovery(90.0, 3.48, 0.28, Some(2.0)).unwrap_err();
        assert_eq!(e.get("conc").unwrap().code(), "err-metallurgy-conc-not-above-feed");
    }

    #[test]
    fn reference_2_4_period_recovery_sums_metal_and_never_averages_recoveries() {
        // A big lot recovered well, a small lot badly (grades in %).
        let feed = [Lot { dry_t: 900.0, grade_pct: 4.0 }, Lot { dry_t: 100.0, grade_pct: 2.0 }];
        let conc = [Lot { dry_t: 63.0, grade_pct: 52.0 }, Lot { dry_t: 2.0, grade_pct: 40.0 }];
        let tail = [Lot { dry_t: 837.0, grade_pct: 0.387 }, Lot { dry_t: 98.0, grade_pct: 1.22 }];
        let a = period_account(&feed, &conc, &tail).unwrap();
        let metal_in = 36.0 + 2.0;
        let metal_out = 63.0 * 0.52 + 2.0 * 0.40;
        assert!((a.recovery_pct - 100.0 * metal_out / metal_in).abs() < 1e-12);
        let per_lot: Vec<f64> = feed.iter().zip(&conc).map(|(f, c)| 100.0 * c.metal_t() / f.metal_t()).collect();
        let mean = per_lot.iter().sum::<f64>() / 2.0;
        assert!((a.recovery_pct - mean).abs() > 10.0, "{} vs mean of lots {mean}", a.recovery_pct);
        assert!((a.feed.grade_pct().unwrap() - 3.8).abs() < 1e-12);
        assert!((a.yield_pct - 6.5).abs() < 1e-12);
        let lost = a.unaccounted_metal_t.unwrap();
        assert!(lost.abs() < 0.05, "{lost}");
        let two = a.two_product.unwrap();
        assert!((two.recovery_pct - a.recovery_pct).abs() < 1.0, "{} vs {}", two.recovery_pct, a.recovery_pct);
    }

    #[test]
    fn reference_2_4_the_case_study_grades_as_a_period() {
        // Only the 2005 averages are known: one lot each, c = 50 % as in REFERENCE.md.
        let y = (3.48 - 0.28) / (50.0 - 0.28);
        let feed = [Lot { dry_t: 1000.0, grade_pct: 3.48 }];
        let conc = [Lot { dry_t: 1000.0 * y, grade_pct: 50.0 }];
        let tail = [Lot { dry_t: 1000.0 * (1.0 - y), grade_pct: 0.28 }];
        let a = period_account(&feed, &conc, &tail).unwrap();
        assert_eq!(format!("{:.3}", a.recovery_pct), "92.472");
        assert!(a.unaccounted_metal_t.unwrap().abs() < 1e-9);
    }

    #[test]
    fn period_inputs_are_checked() {
        let e = period_account(&[Lot { dry_t: -5.0, grade_pct: 3.0 }], &[Lot { dry_t: 1.0, grade_pct: 101.0 }], &[])
            .unwrap_err();
        assert_eq!(e.get("feed[0].dry_t").unwrap().code(), "err-metallurgy-tonnes-negative");
        assert_eq!(e.get("concentrate[0].grade_pct").unwrap().code(), "err-metallurgy-grade-above-100");
        let e = period_account(&[], &[], &[]).unwrap_err();
        assert_eq!(e.get("feed").unwrap().code(), "err-metallurgy-no-metal");
        let e = period_account(&[Lot { dry_t: 10.0, grade_pct: 3.0 }], &[Lot { dry_t: 1.0, grade_pct: 50.0 }], &[])
            .unwrap_err();
        assert_eq!(e.get("concentrate").unwrap().code(), "err-metallurgy-more-metal-out");
        let e = period_account(
            &[Lot { dry_t: 100.0, grade_pct: 3.0 }],
            &[Lot { dry_t: 5.0, grade_pct: 50.0 }],
            &[Lot { dry_t: 95.0, grade_pct: 3.2 }],
        )
        .unwrap_err();
        assert_eq!(e.get("tailing").unwrap().code(), "err-metallurgy-tail-not-below-feed");
        // Without a tailing the account still stands.
        let a = period_account(&[Lot { dry_t: 100.0, grade_pct: 3.0 }], &[Lot { dry_t: 5.0, grade_pct: 50.0 }], &[])
            .unwrap();
        assert!((a.recovery_pct - 250.0 / 3.0).abs() < 1e-12);
        assert!(a.two_product.is_none() && a.unaccounted_metal_t.is_none());
    }

    proptest! {
        #[test]
        fn splitting_a_lot_does_not_change_the_recovery(
            lots in prop::collection::vec((1.0..1000.0f64, 1.0..10.0f64, 0.01..0.2f64, 40.0..60.0f64), 1..20),
            cut in 0.01..0.99f64,
        ) {
            // Each lot: tonnes, feed grade, yield, concentrate grade (recovery below 100).
            let mk = |lots: &[(f64, f64, f64, f64)]| {
                let feed: Vec<Lot> = lots.iter().map(|l| Lot { dry_t: l.0, grade_pct: l.1 }).collect();
                let conc: Vec<Lot> =
                    lots.iter().map(|l| Lot { dry_t: l.0 * l.2 * l.1 / l.3, grade_pct: l.3 * 0.9 }).collect();
                period_account(&feed, &conc, &[]).unwrap().recovery_pct
            };
            let whole = mk(&lots);
            let mut split = lots.clone();
            let first = split[0];
            split[0].0 = first.0 * cut;
            split.push((first.0 * (1.0 - cut), first.1, first.2, first.3));
            prop_assert!((mk(&split) - whole).abs() < 1e-9);
            prop_assert!((0.0..=100.0).contains(&whole));
        }
    }
}
