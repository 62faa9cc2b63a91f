//! The co-op's targets for ore-grade supervision (issue 4 item 5): for a year, for every mine
//! or for one mine, the feed and concentrate grades to reach at least, the tailing and waste
//! grades to stay under, and the recovery to reach. A mine's own target overrides the co-op's;
//! a new target for the same figure replaces the old one (which the store keeps).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Element;
use crate::registry::code_enum;
use crate::units::{GRADE_SCALE, to_scaled};
use crate::validation::{FieldErrors, optional_text};

code_enum!(
    /// What a target is set on.
    TargetFigure, "err-choice", {
        FeedGrade => "feed_grade", ConcentrateGrade => "concentrate_grade", TailingGrade => "tailing_grade",
        WasteGrade => "waste_grade", Recovery => "recovery_pct",
    }
);

impl TargetFigure {
    /// Feed and concentrate grades and recovery are to be reached; tailing and waste grades
    /// are limits (metal lost) to stay at or under.
    pub fn higher_is_better(self) -> bool {
        matches!(self, TargetFigure::FeedGrade | TargetFigure::ConcentrateGrade | TargetFigure::Recovery)
    }

    /// The key stored with a value: `recovery_pct.zn`.
    pub fn key(self, element: &str) -> String {
        format!("{}.{element}", self.as_str())
    }

    /// `recovery_pct.zn` -> (Recovery, "zn").
    pub fn from_key(key: &str) -> Option<(TargetFigure, &str)> {
        let (f, el) = key.split_once('.')?;
        Some((TargetFigure::parse(f).ok()?, el))
    }
}

/// A target as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TargetInput {
    pub year: String,
    /// Empty: every mine of the co-op.
    pub mine_id: String,
    pub figure: String,
    pub element: String,
    /// In the element's unit (grades) or % (recovery).
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetDraft {
    pub year: i32,
    pub mine_id: Option<Uuid>,
    pub figure: TargetFigure,
    pub element: String,
    /// 10^-4 of the unit.
    pub value_e4: i64,
    pub reason: Option<String>,
}

impl TargetDraft {
    pub fn parse(i: &TargetInput, elements: &[Element]) -> Result<TargetDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let year = match i.year.trim().parse::<i32>() {
            Ok(y) if (1950..=2200).contains(&y) => Some(y),
            Ok(_) => {
                e.add("year", "err-year");
                None
            }
            Err(_) => {
                e.add("year", if i.year.trim().is_empty() { "err-required" } else { "err-number" });
                None
            }
        };
        let mine_id = match i.mine_id.trim() {
            "" => Some(None),
            s => match Uuid::parse_str(s) {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    e.add("mine_id", "err-choice");
                    None
                }
            },
        };
        let figure = e.take("figure", TargetFigure::parse(&i.figure));
        let el = elements.iter().find(|el| el.code == i.element.trim().to_ascii_lowercase());
        if el.is_none() {
            e.add_with("element", "err-element", vec![("element", i.element.clone())]);
        }
        let max = match (figure, el) {
            (Some(TargetFigure::Recovery), _) => Decimal::from(100),
            (_, Some(el)) => el.unit.max(),
            _ => Decimal::from(1_000_000),
        };
        let value = match i.value.trim() {
            "" => {
                e.add("value", "err-required");
                None
            }
            s => match s.parse::<Decimal>() {
                Err(_) => {
                    e.add("value", "err-number");
                    None
                }
                Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                    e.add("value", "err-negative");
                    None
                }
                Ok(d) if d > max => {
                    e.add_with("value", "err-at-most", vec![("max", max.to_string())]);
                    None
                }
                Ok(d) => match to_scaled(d, GRADE_SCALE) {
                    Some(v) => Some(v),
                    None => {
                        e.add("value", "err-number");
                        None
                    }
                },
            },
        };
        let reason = e.take("reason", optional_text(&i.reason, 500)).flatten();
        match (year, mine_id, figure, el, value) {
            (Some(year), Some(mine_id), Some(figure), Some(el), Some(value_e4)) if e.is_empty() => {
                Ok(TargetDraft { year, mine_id, figure, element: el.code.clone(), value_e4, reason })
            }
            _ => Err(e),
        }
    }
}

/// How a period's figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Met,
    Missed,
    /// Nothing was measured in the period.
    NoData,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Met => "target-met",
            Standing::Missed => "target-missed",
            Standing::NoData => "target-no-data",
        }
    }
}

/// The decimals a figure is judged and shown at against a target: the target's own, and at
/// least two.
pub fn judged_places(target: Decimal) -> u32 {
    target.normalize().scale().max(2)
}

/// `actual` against `target`: reached (at or above for what is to be reached, at or under for
/// a limit) or missed, at the target's precision ([`judged_places`]), so that a verdict never
/// contradicts the two figures shown side by side.
pub fn standing(figure: TargetFigure, actual: Option<Decimal>, target: Decimal) -> Standing {
    match actual.map(|a| a.round_dp(judged_places(target))) {
        None => Standing::NoData,
        Some(a) if figure.higher_is_better() == (a >= target) || a == target => Standing::Met,
        Some(_) => Standing::Missed,
    }
}

/// Of the targets in force (`(mine, key, value)`, oldest first), the one that applies to a
/// mine's figure: the mine's own latest, else the co-op's latest. For the co-op as a whole
/// (`mine` `None`) only the co-op's count.
pub fn applicable(targets: &[(Option<Uuid>, String, i64)], mine: Option<Uuid>, key: &str) -> Option<i64> {
    let latest = |m: Option<Uuid>| targets.iter().rev().find(|(tm, k, _)| *tm == m && k == key).map(|t| t.2);
    mine.and_then(|m| latest(Some(m))).or_else(|| latest(None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;

    fn input(figure: &str, value: &str) -> TargetInput {
        TargetInput {
            year: "2005".into(),
            figure: figure.into(),
            element: "zn".into(),
            value: value.into(),
            ..TargetInput::default()
        }
    }

    #[test]
    fn parses_a_co_op_target() {
        let d = TargetDraft::parse(&input("recovery_pct", "90"), &default_elements()).unwrap();
        assert_eq!((d.year, d.mine_id, d.figure, d.value_e4), (2005, None, TargetFigure::Recovery, 900_000));
        assert_eq!(d.figure.key(&d.element), "recovery_pct.zn");
    }

    #[test]
    fn names_each_bad_field() {
        let e = TargetDraft::parse(
            &TargetInput {
                year: "20x5".into(),
                mine_id: "nope".into(),
                figure: "speed".into(),
                element: "u".into(),
                value: "-1".into(),
                reason: String::new(),
            },
            &default_elements(),
        )
        .unwrap_err();
        for (f, code) in [
            ("year", "err-number"),
            ("mine_id", "err-choice"),
            ("figure", "err-choice"),
            ("element", "err-element"),
            ("value", "err-negative"),
        ] {
            assert_eq!(e.get(f).map(|x| x.code), Some(code), "{f}");
        }
        let e = TargetDraft::parse(&input("recovery_pct", "100.5"), &default_elements()).unwrap_err();
        assert_eq!(e.get("value").map(|x| x.code), Some("err-at-most"));
    }

    #[test]
    fn limits_and_goals_point_opposite_ways() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(standing(TargetFigure::TailingGrade, Some(d("0.28")), d("0.30")), Standing::Met);
        assert_eq!(standing(TargetFigure::TailingGrade, Some(d("0.31")), d("0.30")), Standing::Missed);
        assert_eq!(standing(TargetFigure::Recovery, Some(d("91.95")), d("90")), Standing::Met);
        assert_eq!(standing(TargetFigure::Recovery, Some(d("89.9")), d("90")), Standing::Missed);
        assert_eq!(standing(TargetFigure::FeedGrade, Some(d("3.5")), d("3.5")), Standing::Met);
        assert_eq!(standing(TargetFigure::WasteGrade, Some(d("0.55")), d("0.55")), Standing::Met);
        assert_eq!(standing(TargetFigure::WasteGrade, None, d("0.55")), Standing::NoData);
        // Judged at the target's precision: 0.2804 shows as 0.28, which meets 0.28.
        assert_eq!(standing(TargetFigure::TailingGrade, Some(d("0.2804")), d("0.28")), Standing::Met);
        assert_eq!(standing(TargetFigure::TailingGrade, Some(d("0.2804")), d("0.280")), Standing::Met);
        assert_eq!(standing(TargetFigure::TailingGrade, Some(d("0.2806")), d("0.2805")), Standing::Missed);
        assert_eq!(judged_places(d("0.2805")), 4);
    }

    #[test]
    fn a_mines_own_target_overrides_the_co_ops_and_the_latest_wins() {
        let m = Uuid::from_u128(7);
        let k = "tailing_grade.zn".to_owned();
        let t = vec![(None, k.clone(), 3000), (Some(m), k.clone(), 2500), (None, k.clone(), 2900)];
        assert_eq!(applicable(&t, Some(m), &k), Some(2500));
        assert_eq!(applicable(&t, Some(Uuid::from_u128(8)), &k), Some(2900));
        assert_eq!(applicable(&t, None, &k), Some(2900));
        assert_eq!(applicable(&t, None, "recovery_pct.zn"), None);
        assert_eq!(TargetFigure::from_key("recovery_pct.zn"), Some((TargetFigure::Recovery, "zn")));
    }
}
