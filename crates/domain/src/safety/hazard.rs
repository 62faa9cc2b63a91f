//! The hazard register (issue 5 item 2): each mine's hazards rated on a 5 x 5 matrix of
//! likelihood and severity, with their controls, an owner and a review date. A change is a new
//! version with its reason; nothing is deleted.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::registry::code_enum;
use crate::validation::{FieldErrors, era_date, optional_text, required_text};

code_enum!(
    /// What kind of hazard.
    HazardCategory, "err-choice", {
        GroundFall => "ground_fall", Ventilation => "ventilation", FireExplosion => "fire_explosion",
        Explosives => "explosives", Electrical => "electrical", Hoisting => "hoisting",
        Machinery => "machinery", Flooding => "flooding", Dust => "dust", Noise => "noise",
        Tailings => "tailings", Chemical => "chemical", Height => "height", Other => "other",
    }
);

code_enum!(
    /// The band of a risk score, lowest first.
    RiskBand, "err-choice", { Low => "low", Medium => "medium", High => "high", Extreme => "extreme" }
);

/// Likelihood and severity are each rated 1 to 5.
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

/// The risk score: likelihood times severity, 1 to 25.
pub fn risk(likelihood: u8, severity: u8) -> u8 {
    likelihood.saturating_mul(severity)
}

/// The band of a risk score: 1-4 low, 5-9 medium, 10-16 high, 20-25 extreme (the products a
/// 5 x 5 matrix can give; 17-19 cannot occur and count as high).
pub fn band(risk: u8) -> RiskBand {
    match risk {
        0..=4 => RiskBand::Low,
        5..=9 => RiskBand::Medium,
        10..=19 => RiskBand::High,
        _ => RiskBand::Extreme,
    }
}

/// A review date before today is overdue; today's is not yet.
pub fn review_overdue(review_on: NaiveDate, today: NaiveDate) -> bool {
    review_on < today
}

/// A hazard as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct HazardInput {
    pub mine_id: String,
    pub title: String,
    pub category: String,
    pub description: String,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: String,
    /// 1 (insignificant) to 5 (catastrophic).
    pub severity: String,
    /// The controls in place.
    pub controls: String,
    /// A person of the register (id), of the mine's member enterprise.
    pub owner_id: String,
    /// `YYYY-MM-DD`.
    pub review_on: String,
    /// Why it changes: required for a new version.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardDraft {
    pub mine_id: Uuid,
    pub title: String,
    pub category: HazardCategory,
    pub description: Option<String>,
    pub likelihood: u8,
    pub severity: u8,
    pub controls: String,
    pub owner_id: Uuid,
    pub review_on: NaiveDate,
    pub reason: Option<String>,
}

fn rating(v: &str) -> Result<u8, &'static str> {
    match v.trim() {
        "" => Err("err-required"),
        t => t.parse::<u8>().ok().filter(|n| SCALE.contains(n)).ok_or("err-rating"),
    }
}

impl HazardDraft {
    /// `revision`: a change to a hazard, which needs its reason.
    pub fn parse(i: &HazardInput, revision: bool) -> Result<HazardDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let id = |e: &mut FieldErrors, f: &str, v: &str| {
            if v.trim().is_empty() {
                e.add(f, "err-required");
                None
            } else {
                e.take(f, Uuid::parse_str(v.trim()).map_err(|_| "err-choice"))
            }
        };
        let mine_id = id(&mut e, "mine_id", &i.mine_id);
        let title = e.take("title", required_text(&i.title, 200));
        let category = e.take("category", HazardCategory::parse(&i.category));
        let description = e.take("description", optional_text(&i.description, 4000));
        let likelihood = e.take("likelihood", rating(&i.likelihood));
        let severity = e.take("severity", rating(&i.severity));
        let controls = e.take("controls", required_text(&i.controls, 4000));
        let owner_id = id(&mut e, "owner_id", &i.owner_id);
        let review_on = e.take("review_on", era_date(&i.review_on));
        let reason = if revision {
            e.take("reason", required_text(&i.reason, 500)).map(Some)
        } else {
            e.take("reason", optional_text(&i.reason, 500))
        };
        match (mine_id, title, category, description, likelihood, severity, controls, owner_id, review_on, reason) {
            (
                Some(mine_id),
                Some(title),
                Some(category),
                Some(description),
                Some(likelihood),
                Some(severity),
                Some(controls),
                Some(owner_id),
                Some(review_on),
                Some(reason),
            ) => e.into_result(HazardDraft {
                mine_id,
                title,
                category,
                description,
                likelihood,
                severity,
                controls,
                owner_id,
                review_on,
                reason,
            }),
            _ => Err(e),
        }
    }

    pub fn risk(&self) -> u8 {
        risk(self.likelihood, self.severity)
    }
}

/// The matrix as a heat map: how many hazards sit in each cell. `count(l, s)` for likelihood
/// and severity 1 to 5.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeatMap {
    cells: [[u32; 5]; 5],
}

impl HeatMap {
    pub fn of(ratings: impl IntoIterator<Item = (u8, u8)>) -> HeatMap {
        let mut m = HeatMap::default();
        for (l, s) in ratings {
            if SCALE.contains(&l) && SCALE.contains(&s) {
                m.cells[usize::from(l - 1)][usize::from(s - 1)] += 1;
            }
        }
        m
    }

    pub fn count(&self, likelihood: u8, severity: u8) -> u32 {
        if SCALE.contains(&likelihood) && SCALE.contains(&severity) {
            self.cells[usize::from(likelihood - 1)][usize::from(severity - 1)]
        } else {
            0
        }
    }

    pub fn total(&self) -> u32 {
        self.cells.iter().flatten().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_is_the_product_and_bands_have_fixed_boundaries() {
        assert_eq!(risk(5, 5), 25);
        assert_eq!(risk(2, 3), 6);
        let cases = [
            (1, RiskBand::Low),
            (4, RiskBand::Low),
            (5, RiskBand::Medium),
            (9, RiskBand::Medium),
            (10, RiskBand::High),
            (16, RiskBand::High),
            (20, RiskBand::Extreme),
            (25, RiskBand::Extreme),
        ];
        for (r, b) in cases {
            assert_eq!(band(r), b, "risk {r}");
        }
        // Every cell of the matrix: the band never falls as likelihood or severity rises.
        for l in 1..=5u8 {
            for s in 1..=5u8 {
                let here = RiskBand::ALL.iter().position(|b| *b == band(risk(l, s)));
                if l < 5 {
                    assert!(RiskBand::ALL.iter().position(|b| *b == band(risk(l + 1, s))) >= here);
                }
                if s < 5 {
                    assert!(RiskBand::ALL.iter().position(|b| *b == band(risk(l, s + 1))) >= here);
                }
            }
        }
        assert_eq!(band(risk(1, 5)), RiskBand::Medium);
        assert_eq!(band(risk(4, 5)), RiskBand::Extreme);
    }

    #[test]
    fn reviews_are_overdue_after_their_date() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(review_overdue(d("2026-11-25"), d("2026-11-26")));
        assert!(!review_overdue(d("2026-11-26"), d("2026-11-26")));
    }

    fn input() -> HazardInput {
        HazardInput {
            mine_id: Uuid::from_u128(1).to_string(),
            title: "Loose rock in the 950 level drive".into(),
            category: "ground_fall".into(),
            description: String::new(),
            likelihood: "3".into(),
            severity: "5".into(),
            controls: "Scaling every shift; bolting to the face".into(),
            owner_id: Uuid::from_u128(2).to_string(),
            review_on: "2027-01-31".into(),
            reason: String::new(),
        }
    }

    #[test]
    fn a_hazard_is_rated_and_a_change_needs_its_reason() {
        let h = HazardDraft::parse(&input(), false).unwrap();
        assert_eq!((h.risk(), band(h.risk())), (15, RiskBand::High));
        let e = HazardDraft::parse(&input(), true).unwrap_err();
        assert_eq!(e.get("reason").map(|x| x.code), Some("err-required"));
        let i = HazardInput { reason: "bolting finished".into(), likelihood: "2".into(), ..input() };
        assert_eq!(HazardDraft::parse(&i, true).unwrap().reason.as_deref(), Some("bolting finished"));
        let i = HazardInput { likelihood: "6".into(), severity: "0".into(), category: "x".into(), ..input() };
        let e = HazardDraft::parse(&i, false).unwrap_err();
        assert_eq!(e.get("likelihood").map(|x| x.code), Some("err-rating"));
        assert_eq!(e.get("severity").map(|x| x.code), Some("err-rating"));
        assert_eq!(e.get("category").map(|x| x.code), Some("err-choice"));
        let i =
            HazardInput { owner_id: String::new(), controls: " ".into(), review_on: "31/01/2027".into(), ..input() };
        let e = HazardDraft::parse(&i, false).unwrap_err();
        assert_eq!(e.get("owner_id").map(|x| x.code), Some("err-required"));
        assert_eq!(e.get("controls").map(|x| x.code), Some("err-required"));
        assert_eq!(e.get("review_on").map(|x| x.code), Some("err-date"));
    }

    #[test]
    fn the_heat_map_counts_hazards_per_cell() {
        let m = HeatMap::of([(3, 5), (3, 5), (1, 1), (5, 5), (0, 3), (6, 1)]);
        assert_eq!((m.count(3, 5), m.count(1, 1), m.count(5, 5), m.count(2, 2)), (2, 1, 1, 0));
        assert_eq!(m.total(), 4, "ratings off the scale are not counted");
        assert_eq!(m.count(0, 0), 0);
    }
}
