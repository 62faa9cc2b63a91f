//! The dashboard's figures: open cases by age, the median time to resolve, and the share of
//! proposals the complainants accepted. Aggregates only: the bureau sees these, never a case.

use serde::Serialize;

/// Bands of the age of an open case, in days since receipt: up to a week, a month, a quarter,
/// and longer.
pub const AGE_BANDS: [(&str, i64, i64); 4] =
    [("0_7", 0, 7), ("8_30", 8, 30), ("31_90", 31, 90), ("over_90", 91, i64::MAX)];

/// The band of an open case `days` old.
pub fn age_band(days: i64) -> &'static str {
    AGE_BANDS.iter().find(|(_, lo, hi)| (*lo..=*hi).contains(&days.max(0))).map(|b| b.0).unwrap_or("over_90")
}

/// The median of whole days, in tenths of a day (an even count takes the mean of the middle
/// two); `None` for no cases.
pub fn median_tenths(days: &[i64]) -> Option<i64> {
    if days.is_empty() {
        return None;
    }
    let mut v = days.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] * 10 } else { (v[n / 2 - 1] + v[n / 2]) * 5 })
}

/// Tenths as text: `12.5`, `3`.
pub fn tenths_text(t: i64) -> String {
    if t % 10 == 0 { (t / 10).to_string() } else { format!("{}.{}", t / 10, (t % 10).abs()) }
}

/// The share accepted, in whole per cent rounded half up, of the cases whose complainant
/// answered a proposal (their last answer counts); `None` when nobody answered.
pub fn share_percent(accepted: u64, answered: u64) -> Option<u64> {
    (answered > 0).then(|| (accepted * 200 + answered) / (answered * 2))
}

/// A count per key, in the order first seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_even_and_none() {
        assert_eq!(median_tenths(&[]), None);
        assert_eq!(median_tenths(&[9]), Some(90));
        assert_eq!(median_tenths(&[30, 1, 9]), Some(90));
        assert_eq!(median_tenths(&[1, 2, 10, 20]), Some(60));
        assert_eq!(median_tenths(&[1, 2]), Some(15));
        assert_eq!(tenths_text(15), "1.5");
        assert_eq!(tenths_text(60), "6");
    }

    #[test]
    fn shares_round_half_up() {
        assert_eq!(share_percent(0, 0), None);
        assert_eq!(share_percent(1, 3), Some(33));
        assert_eq!(share_percent(2, 3), Some(67));
        assert_eq!(share_percent(1, 8), Some(13));
        assert_eq!(share_percent(3, 3), Some(100));
        assert_eq!(share_percent(0, 5), Some(0));
    }

    #[test]
    fn ages_fall_in_one_band() {
        assert_eq!(age_band(0), "0_7");
        assert_eq!(age_band(7), "0_7");
        assert_eq!(age_band(8), "8_30");
        assert_eq!(age_band(30), "8_30");
        assert_eq!(age_band(31), "31_90");
        assert_eq!(age_band(91), "over_90");
        assert_eq!(age_band(-2), "0_7");
    }
}
