//! Exact quantities. The database keeps money, tonnages, grades and coordinates as scaled
//! integers (SQLite has no exact decimal); the domain works in `Decimal`.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Coordinates are kept in micro-degrees (about 0.1 m on the ground).
pub const DEGREE_SCALE: u32 = 6;
/// Money in fen (RMB 0.01).
pub const MONEY_SCALE: u32 = 2;
/// Tonnages in kilograms (t with 3 decimals).
pub const TONNE_SCALE: u32 = 3;
/// Grades in percent with 4 decimals.
pub const GRADE_SCALE: u32 = 4;

/// `d` as an integer count of 10^-scale units; `None` when it has more decimals than the
/// scale holds (nothing is rounded silently) or does not fit.
pub fn to_scaled(d: Decimal, scale: u32) -> Option<i64> {
    let normal = d.normalize();
    if normal.scale() > scale {
        return None;
    }
    (normal * Decimal::from(10i64.pow(scale))).to_i64()
}

pub fn from_scaled(v: i64, scale: u32) -> Decimal {
    Decimal::new(v, scale)
}

/// A WGS84/CGCS2000 position in decimal degrees, validated on construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatLon {
    lat_micro: i64,
    lon_micro: i64,
}

impl LatLon {
    /// Parse latitude and longitude written as decimal degrees (at most 6 decimals).
    /// Errors name which of the two is wrong.
    pub fn parse(lat: &str, lon: &str) -> Result<LatLon, (Option<&'static str>, Option<&'static str>)> {
        let la = parse_degrees(lat, 90);
        let lo = parse_degrees(lon, 180);
        match (la, lo) {
            (Ok(lat_micro), Ok(lon_micro)) => Ok(LatLon { lat_micro, lon_micro }),
            (a, b) => Err((a.err(), b.err())),
        }
    }

    pub fn from_micro(lat_micro: i64, lon_micro: i64) -> LatLon {
        LatLon { lat_micro, lon_micro }
    }

    pub fn lat_micro(&self) -> i64 {
        self.lat_micro
    }
    pub fn lon_micro(&self) -> i64 {
        self.lon_micro
    }
    pub fn lat(&self) -> Decimal {
        from_scaled(self.lat_micro, DEGREE_SCALE)
    }
    pub fn lon(&self) -> Decimal {
        from_scaled(self.lon_micro, DEGREE_SCALE)
    }
}

fn parse_degrees(s: &str, limit: i64) -> Result<i64, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("err-required");
    }
    let d: Decimal = t.parse().map_err(|_| "err-number")?;
    if d.abs() > Decimal::from(limit) {
        return Err(if limit == 90 { "err-latitude-range" } else { "err-longitude-range" });
    }
    to_scaled(d, DEGREE_SCALE).ok_or("err-too-precise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn scaled_round_trip_is_exact() {
        assert_eq!(to_scaled(dec!(3.48), GRADE_SCALE), Some(34_800));
        assert_eq!(from_scaled(34_800, GRADE_SCALE), dec!(3.48));
        assert_eq!(to_scaled(dec!(168300.00), MONEY_SCALE), Some(16_830_000));
        assert_eq!(to_scaled(dec!(-0.5), MONEY_SCALE), Some(-50));
    }

    #[test]
    fn scaled_refuses_to_round() {
        assert_eq!(to_scaled(dec!(0.001), MONEY_SCALE), None);
    }

    #[test]
    fn latlon_parses_duyun() {
        let p = LatLon::parse("26.26", "107.52").unwrap();
        assert_eq!((p.lat_micro(), p.lon_micro()), (26_260_000, 107_520_000));
        assert_eq!(p.lat(), dec!(26.26));
    }

    #[test]
    fn latlon_names_the_bad_half() {
        assert_eq!(LatLon::parse("95", "107.5"), Err((Some("err-latitude-range"), None)));
        assert_eq!(LatLon::parse("26.2", "east"), Err((None, Some("err-number"))));
        assert_eq!(LatLon::parse("26.1234567", "181"), Err((Some("err-too-precise"), Some("err-longitude-range"))));
    }
}
