//! Totals of a period (a month, a year, any range; one mine or many) from its daily records.
//! Grades of a period are mass-weighted: the metal of every record summed, divided by the
//! tonnes that carry a grade. Never the mean of daily grades or of daily recoveries.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::Element;
use super::record::ProductionDraft;
use crate::units::{GRADE_SCALE, MONEY_SCALE, TONNE_SCALE};

/// Tonnes of a stream that carry a grade for an element, and the metal in them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Assayed {
    pub tonnes: Decimal,
    pub metal_t: Decimal,
}

impl Assayed {
    /// Add `tonnes` at `grade`, if it was assayed; returns the metal added.
    fn add(&mut self, el: &Element, tonnes: Decimal, grade: Option<&i64>) -> Option<Decimal> {
        let metal = el.metal_t(tonnes, Decimal::new(*grade?, GRADE_SCALE));
        self.tonnes += tonnes;
        self.metal_t += metal;
        Some(metal)
    }

    /// The mass-weighted grade in the element's unit; `None` when nothing was assayed.
    pub fn grade(&self, el: &Element) -> Option<Decimal> {
        if self.tonnes.is_zero() {
            return None;
        }
        let per_tonne = self.metal_t / self.tonnes;
        Some(match el.unit {
            super::GradeUnit::Percent => per_tonne * Decimal::from(100),
            super::GradeUnit::GramsPerTonne => per_tonne * Decimal::from(1_000_000),
        })
    }
}

/// One element's metal through the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetalTotals {
    pub feed: Assayed,
    pub concentrate: Assayed,
    pub tailings: Assayed,
    pub waste: Assayed,
    /// The metal fed and the metal in concentrates of the records that assayed both (the feed,
    /// and a concentrate made, if any was): the recovery's terms, on the same days. A day whose
    /// feed was not assayed adds its concentrates' metal to `concentrate` but not here, so that
    /// the recovery is never the metal of more days over the feed of fewer.
    pub balanced_feed_t: Decimal,
    pub balanced_concentrate_t: Decimal,
    /// Records left out of the recovery for want of an assay: concentrate metal without the
    /// feed's, or concentrates made and none assayed for the element. A record that measured
    /// the element nowhere is not counted.
    pub unbalanced_records: usize,
}

impl MetalTotals {
    /// Recovery from metal totals: metal in concentrates over metal in the feed, in percent,
    /// over the records that assayed both.
    pub fn recovery_pct(&self) -> Option<Decimal> {
        (!self.balanced_feed_t.is_zero())
            .then(|| self.balanced_concentrate_t / self.balanced_feed_t * Decimal::from(100))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub records: usize,
    pub ore_hoisted_t: Decimal,
    pub ore_milled_t: Decimal,
    pub concentrate_dry_t: Decimal,
    pub tailings_t: Decimal,
    pub waste_t: Decimal,
    /// By element code.
    pub metal: BTreeMap<String, MetalTotals>,
    pub hours_worked: Decimal,
    pub worker_shifts: Decimal,
    pub electricity_kwh: Decimal,
    pub water_m3: Decimal,
    pub diesel_l: Decimal,
    pub explosives_kg: Decimal,
    /// RMB by cost category.
    pub costs: BTreeMap<String, Decimal>,
}

impl Totals {
    pub fn cost_total(&self) -> Decimal {
        self.costs.values().sum()
    }
}

fn t(kg: Option<i64>) -> Decimal {
    kg.map(|k| Decimal::new(k, TONNE_SCALE)).unwrap_or_default()
}

fn tenths(v: Option<i64>) -> Decimal {
    v.map(|k| Decimal::new(k, super::record::AMOUNT_SCALE)).unwrap_or_default()
}

/// Sum records (current versions only: the store gives those).
pub fn totals<'a>(records: impl IntoIterator<Item = &'a ProductionDraft>, elements: &[Element]) -> Totals {
    let mut s = Totals::default();
    for el in elements {
        s.metal.insert(el.code.clone(), MetalTotals::default());
    }
    for r in records {
        s.records += 1;
        let milled = t(r.ore_milled_kg);
        let tail = t(r.tailings_kg);
        let waste = t(r.waste_kg);
        s.ore_hoisted_t += t(r.ore_hoisted_kg);
        s.ore_milled_t += milled;
        s.tailings_t += tail;
        s.waste_t += waste;
        for c in &r.concentrates {
            s.concentrate_dry_t += c.dry_t();
        }
        for el in elements {
            let Some(m) = s.metal.get_mut(&el.code) else { continue };
            let fed = m.feed.add(el, milled, r.feed_grades.get(&el.code)).filter(|_| !milled.is_zero());
            m.tailings.add(el, tail, r.tailings_grades.get(&el.code));
            m.waste.add(el, waste, r.waste_grades.get(&el.code));
            // The metal of the concentrates assayed for the element (a lead concentrate is often
            // assayed for lead only), if any was.
            let conc: Option<Decimal> = r
                .concentrates
                .iter()
                .filter_map(|c| m.concentrate.add(el, c.dry_t(), c.grades.get(&el.code)))
                .reduce(|a, b| a + b);
            match (fed, conc) {
                // The element's metal fed, and what the concentrates hold of it (none made: 0).
                (Some(fed), conc) if conc.is_some() || r.concentrates.is_empty() => {
                    m.balanced_feed_t += fed;
                    m.balanced_concentrate_t += conc.unwrap_or_default();
                }
                // The element not measured that day at all: nothing to leave out.
                (None, None) => {}
                // Concentrate metal without its feed, or concentrates made and none assayed.
                _ => m.unbalanced_records += 1,
            }
        }
        s.hours_worked += tenths(r.hours_worked);
        s.worker_shifts += r.worker_shifts.map(Decimal::from).unwrap_or_default();
        s.electricity_kwh += tenths(r.electricity_kwh);
        s.water_m3 += tenths(r.water_m3);
        s.diesel_l += tenths(r.diesel_l);
        s.explosives_kg += tenths(r.explosives_kg);
        for (cat, fen) in &r.costs {
            *s.costs.entry(cat.clone()).or_default() += Decimal::new(*fen, MONEY_SCALE);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;
    use crate::production::record::Concentrate;

    fn rec(milled_kg: i64, feed: i64, tail_kg: i64, tail_grade: i64) -> ProductionDraft {
        ProductionDraft {
            mine_id: uuid::Uuid::nil(),
            day: chrono::NaiveDate::from_ymd_opt(2005, 1, 1).unwrap(),
            shift: String::new(),
            ore_hoisted_kg: Some(milled_kg),
            ore_milled_kg: Some(milled_kg),
            feed_grades: [("zn".to_owned(), feed)].into(),
            concentrates: vec![Concentrate {
                name: "Zn".into(),
                wet_kg: 10_000,
                moisture: 0,
                grades: [("zn".to_owned(), 500_000)].into(),
            }],
            tailings_kg: Some(tail_kg),
            tailings_grades: [("zn".to_owned(), tail_grade)].into(),
            tailings_facility: Some("T1".into()),
            waste_kg: None,
            waste_grades: Default::default(),
            hours_worked: Some(8000),
            worker_shifts: Some(100),
            electricity_kwh: None,
            water_m3: None,
            diesel_l: None,
            explosives_kg: None,
            costs: [("labour".to_owned(), 100_050)].into(),
            reason: None,
            warnings: vec![],
        }
    }

    #[test]
    fn grades_are_weighted_by_tonnes_not_averaged_by_day() {
        // 100 t at 2 % and 300 t at 4 %: 14 t of zinc in 400 t is 3.5 %, not (2 + 4) / 2 = 3 %.
        let days = [rec(100_000, 20_000, 90_000, 2_000), rec(300_000, 40_000, 290_000, 3_000)];
        let s = totals(&days, &default_elements());
        let zn = &s.metal["zn"];
        let el = &default_elements()[0];
        assert_eq!(zn.feed.metal_t, Decimal::from(14));
        assert_eq!(zn.feed.grade(el), Some(Decimal::new(35, 1)));
        assert_eq!(s.ore_milled_t, Decimal::from(400));
        assert_eq!(s.concentrate_dry_t, Decimal::from(20));
        // 10 t of zinc in concentrates out of 14 t fed.
        assert_eq!(zn.recovery_pct().unwrap().round_dp(4), Decimal::new(714_286, 4));
        assert_eq!(s.hours_worked, Decimal::from(1600));
        assert_eq!(s.costs["labour"], Decimal::new(200_100, 2));
        assert_eq!(s.metal["pb"].feed.grade(&default_elements()[1]), None, "no lead assayed");
    }

    #[test]
    fn recovery_counts_only_days_that_assayed_both_feed_and_concentrate() {
        // 100 t at 3 % with 5 t of concentrate at 50 %; then 100 t not assayed, with the same
        // concentrate. Over both days the concentrates hold 5 t of zinc against 3 t fed that
        // was measured: 167 %, impossible. On the day that assayed both: 2.5 / 3 = 83.33 %.
        let mut a = rec(100_000, 30_000, 95_000, 1_000);
        a.concentrates[0].wet_kg = 5_000;
        let mut b = a.clone();
        b.feed_grades.clear();
        let s = totals(&[a.clone(), b], &default_elements());
        let zn = &s.metal["zn"];
        assert_eq!(zn.concentrate.metal_t, Decimal::from(5), "the concentrates' metal is still all counted");
        assert_eq!(zn.recovery_pct().unwrap().round_dp(4), Decimal::new(833_333, 4));
        assert_eq!(zn.unbalanced_records, 1);
        // Concentrates made and none assayed for zinc leave the day out too.
        let mut c = a.clone();
        c.concentrates[0].grades.clear();
        let s = totals(&[a.clone(), c], &default_elements());
        assert_eq!(s.metal["zn"].recovery_pct().unwrap().round_dp(4), Decimal::new(833_333, 4));
        assert_eq!(s.metal["zn"].unbalanced_records, 1);
        // Lead, never assayed at this zinc mine, leaves out nothing.
        assert_eq!((s.metal["pb"].unbalanced_records, s.metal["pb"].recovery_pct()), (0, None));
        // A lead concentrate assayed for lead only does not take the day out of zinc's balance.
        let mut d = a.clone();
        d.concentrates.push(Concentrate {
            name: "Pb".into(),
            wet_kg: 1_000,
            moisture: 0,
            grades: [("pb".to_owned(), 600_000)].into(),
        });
        let s = totals(&[d], &default_elements());
        assert_eq!(s.metal["zn"].recovery_pct().unwrap().round_dp(4), Decimal::new(833_333, 4));
        assert_eq!(s.metal["zn"].unbalanced_records, 0);
        // Lead's concentrate metal without a lead feed assay is left out, not set against nothing.
        assert_eq!((s.metal["pb"].unbalanced_records, s.metal["pb"].recovery_pct()), (1, None));
    }
}
