//! The three-product formula (REFERENCE.md 2.2): a mill that floats two concentrates from one
//! ore (lead and zinc) splits its feed three ways; the two metals' balances and the mass balance
//! give the three shares from assays alone.

use serde::Serialize;

use super::{Problem, Problems, check_grade};

/// Below this the two concentrates are too alike to split the feed between them.
///
/// The relative determinant is |D| / (|u| |v|), with u and v the two concentrates' grade pairs
/// measured from the tailing: the sine of the angle between them. An assay error is magnified
/// by about its inverse in the shares, so below 0.05 (about 3 degrees) a 0.1 % error in one
/// grade can move a share by several percent of itself: the answer would look precise and mean
/// nothing.
pub const MIN_RELATIVE_DETERMINANT: f64 = 0.05;

/// Grades of metal 1 and metal 2 (e.g. Pb and Zn, in %) in each of the four streams.
/// Concentrate 1 is the one for metal 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThreeProductGrades {
    pub feed: [f64; 2],
    pub conc1: [f64; 2],
    pub conc2: [f64; 2],
    pub tail: [f64; 2],
}

/// Shares of the feed by mass, and the recovery of each metal to its own concentrate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThreeProduct {
    /// Concentrate 1 as % of the feed (C1/F).
    pub conc1_pct: f64,
    /// Concentrate 2 as % of the feed (C2/F).
    pub conc2_pct: f64,
    /// Tailing as % of the feed (T/F = 100 - C1/F - C2/F).
    pub tail_pct: f64,
    /// Metal 1 recovered to concentrate 1, %.
    pub recovery1_pct: f64,
    /// Metal 2 recovered to concentrate 2, %.
    pub recovery2_pct: f64,
    /// How distinct the two concentrates are (see [`MIN_RELATIVE_DETERMINANT`]).
    pub relative_determinant: f64,
}

/// The three-product formula. Inputs must be grades in 0 to 100 with both metals of a product
/// adding up to at most 100; the tailing must be poorer than the feed in both metals and each
/// concentrate richer than the feed in its own metal. Concentrates too alike, or grades that
/// put a negative share of the feed into a product, are refused.
pub fn three_product(g: &ThreeProductGrades) -> Result<ThreeProduct, Problems> {
    let mut p = Problems::new();
    let products = [("feed", g.feed), ("conc1", g.conc1), ("conc2", g.conc2), ("tail", g.tail)];
    for (field, grades) in products {
        let a = check_grade(field, Some(1), grades[0], &mut p);
        let b = check_grade(field, Some(2), grades[1], &mut p);
        if let (Some(a), Some(b)) = (a, b)
            && a + b > 100.0
        {
            p.push(Problem::GradesSumAbove100 { field: field.into(), sum: a + b });
        }
    }
    if !p.is_empty() {
        return Err(p);
    }
    let ([f1, f2], [c11, c12], [c21, c22], [t1, t2]) = (g.feed, g.conc1, g.conc2, g.tail);
    for (m, (t, f)) in [(t1, f1), (t2, f2)].into_iter().enumerate() {
        if t >= f {
            p.push(Problem::TailNotBelowFeed { field: "tail".into(), metal: Some(m as u8 + 1), tail: t, feed: f });
        }
    }
    if c11 <= f1 {
        p.push(Problem::ConcNotAboveFeed { field: "conc1".into(), metal: Some(1), conc: c11, feed: f1 });
    }
    if c22 <= f2 {
        p.push(Problem::ConcNotAboveFeed { field: "conc2".into(), metal: Some(2), conc: c22, feed: f2 });
    }
    if !p.is_empty() {
        return Err(p);
    }
    // Everything relative to the tailing: u, v the concentrates, w the feed. The feed is
    // w = (C1/F) u + (C2/F) v, solved by Cramer's rule.
    let (u1, u2) = (c11 - t1, c12 - t2);
    let (v1, v2) = (c21 - t1, c22 - t2);
    let (w1, w2) = (f1 - t1, f2 - t2);
    let det = u1 * v2 - u2 * v1;
    let scale = u1.hypot(u2) * v1.hypot(v2);
    let relative_determinant = if scale > 0.0 { det.abs() / scale } else { 0.0 };
    if relative_determinant < MIN_RELATIVE_DETERMINANT {
        return Err(Problem::IllConditioned { relative_determinant }.into());
    }
    let s1 = (w1 * v2 - w2 * v1) / det;
    let s2 = (u1 * w2 - u2 * w1) / det;
    let st = 1.0 - s1 - s2;
    for (field, share) in [("conc1", s1), ("conc2", s2), ("tail", st)] {
        // A share a rounding error below 0 is 0, not a contradiction.
        if share < -1e-12 {
            p.push(Problem::SplitNegative { field: field.into(), share_pct: 100.0 * share });
        }
    }
    let (s1, s2, st) = (s1.max(0.0), s2.max(0.0), st.max(0.0));
    p.into_result(ThreeProduct {
        conc1_pct: 100.0 * s1,
        conc2_pct: 100.0 * s2,
        tail_pct: 100.0 * st,
        recovery1_pct: 100.0 * s1 * c11 / f1,
        recovery2_pct: 100.0 * s2 * c22 / f2,
        relative_determinant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pb_zn() -> ThreeProductGrades {
        ThreeProductGrades { feed: [3.0, 6.0], conc1: [50.0, 8.0], conc2: [2.0, 55.0], tail: [0.2, 0.5] }
    }

    #[test]
    fn reference_2_2_lead_zinc_split() {
        let r = three_product(&pb_zn()).unwrap();
        assert_eq!(format!("{:.4}", r.conc1_pct), "5.2840");
        assert_eq!(format!("{:.4}", r.conc2_pct), "9.3646");
        assert_eq!(format!("{:.3}", r.recovery1_pct), "88.067");
        assert_eq!(format!("{:.3}", r.recovery2_pct), "85.842");
        assert!((r.conc1_pct + r.conc2_pct + r.tail_pct - 100.0).abs() < 1e-12);
        assert!(r.relative_determinant > 0.9);
    }

    #[test]
    fn reference_2_2_the_formula_as_printed_gives_the_same_shares() {
        // C1/F = [(f-t)(c2'-t') - (f'-t')(c2-t)] / [(c1-t)(c2'-t') - (c1'-t')(c2-t)], and C2/F
        // with 1 and 2 swapped, written out as REFERENCE.md prints them.
        let (f, fp, c1, c1p, c2, c2p, t, tp) = (3.0, 6.0, 50.0, 8.0, 2.0, 55.0, 0.2, 0.5);
        let c1f = ((f - t) * (c2p - tp) - (fp - tp) * (c2 - t)) / ((c1 - t) * (c2p - tp) - (c1p - tp) * (c2 - t));
        let c2f = ((f - t) * (c1p - tp) - (fp - tp) * (c1 - t)) / ((c2 - t) * (c1p - tp) - (c2p - tp) * (c1 - t));
        let r = three_product(&pb_zn()).unwrap();
        assert!((r.conc1_pct - 100.0 * c1f).abs() < 1e-12);
        assert!((r.conc2_pct - 100.0 * c2f).abs() < 1e-12);
    }

    #[test]
    fn concentrates_of_similar_composition_are_refused_not_divided() {
        let mut g = pb_zn();
        // A "zinc" concentrate that is really a second lead concentrate (still above the feed's
        // 6 % Zn, so every single grade is plausible).
        g.conc2 = [49.0, 8.2];
        let e = three_product(&g).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert!(matches!(e.0[0], Problem::IllConditioned { relative_determinant } if relative_determinant < 0.05));
        assert_eq!(e.0[0].code(), "err-metallurgy-ill-conditioned");
        // Identical concentrates: a determinant of exactly 0.
        g.conc2 = g.conc1;
        let e = three_product(&g).unwrap_err();
        assert!(matches!(e.0[0], Problem::IllConditioned { relative_determinant } if relative_determinant == 0.0));
    }

    #[test]
    fn impossible_grades_name_product_and_metal() {
        let mut g = pb_zn();
        g.tail = [0.2, 6.5];
        g.conc1 = [2.5, 8.0];
        let e = three_product(&g).unwrap_err();
        assert!(e.0.iter().any(|p| p.field() == "tail" && p.metal() == Some(2)), "{e}");
        assert!(e.0.iter().any(|p| p.field() == "conc1" && p.metal() == Some(1)), "{e}");
        let mut g = pb_zn();
        g.conc1 = [70.0, 40.0];
        g.feed = [f64::NAN, -1.0];
        let e = three_product(&g).unwrap_err();
        assert_eq!(e.get("conc1").unwrap().code(), "err-metallurgy-grades-sum");
        assert_eq!(e.0.iter().filter(|p| p.field() == "feed").count(), 2);
    }

    #[test]
    fn a_feed_outside_the_products_is_a_contradiction() {
        // A zinc-poor feed and a zinc-rich lead concentrate: the lead concentrate alone would
        // carry more zinc than the feed has, so the zinc concentrate's share comes out negative.
        let g = ThreeProductGrades { feed: [3.0, 1.0], conc1: [50.0, 30.0], conc2: [2.0, 55.0], tail: [0.2, 0.5] };
        let e = three_product(&g).unwrap_err();
        assert_eq!(e.get("conc2").unwrap().code(), "err-metallurgy-split-negative", "{e}");
    }

    proptest! {
        #[test]
        fn shares_rebuild_the_feed(
            s1 in 0.01..0.3f64, s2 in 0.01..0.3f64,
            c1 in (30.0..70.0f64, 0.5..10.0f64), c2 in (0.5..5.0f64, 40.0..60.0f64), t in (0.0..0.5f64, 0.0..0.8f64),
        ) {
            let st = 1.0 - s1 - s2;
            let feed = [s1 * c1.0 + s2 * c2.0 + st * t.0, s1 * c1.1 + s2 * c2.1 + st * t.1];
            let g = ThreeProductGrades { feed, conc1: [c1.0, c1.1], conc2: [c2.0, c2.1], tail: [t.0, t.1] };
            let r = three_product(&g).unwrap();
            prop_assert!((r.conc1_pct - 100.0 * s1).abs() < 1e-9);
            prop_assert!((r.conc2_pct - 100.0 * s2).abs() < 1e-9);
            prop_assert!(r.recovery1_pct > 0.0 && r.recovery1_pct <= 100.0 + 1e-9);
            prop_assert!(r.recovery2_pct > 0.0 && r.recovery2_pct <= 100.0 + 1e-9);
        }
    }
}
