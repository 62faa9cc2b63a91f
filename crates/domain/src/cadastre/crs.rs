//! Coordinate reference systems of Chinese mining licences: CGCS2000 geographic coordinates and
//! the Gauss-Krüger 3-degree zones (EPSG:4513-4533 with the two-digit zone prefix in Y,
//! EPSG:4534-4554 without). Conversions use proj4rs (pure Rust).
//!
//! Chinese surveying names the northing X and the easting Y; GeoJSON and this module's `Planar`
//! points are (easting, northing).

use proj4rs::Proj;

/// GRS80 and CGCS2000 differ by 0.1 mm in the semi-minor axis; proj4rs knows GRS80.
const GK: &str = "+proj=tmerc +lat_0=0 +k=1 +y_0=0 +ellps=GRS80 +units=m +no_defs";
const GEOGRAPHIC: &str = "+proj=longlat +ellps=GRS80 +no_defs";

/// A coordinate system the cadastre accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// Longitude and latitude in decimal degrees (CGCS2000 EPSG:4490, or WGS84 EPSG:4326).
    Geographic,
    /// Gauss-Krüger 3-degree zone `zone` (central meridian 3 x zone); with `prefix` the easting
    /// carries the zone number in front (zone 36: 36 500 000 at the central meridian).
    GaussKruger { zone: u8, prefix: bool },
    /// Projected metres of an unknown system (distances and areas are still meaningful).
    Planar,
}

impl Crs {
    /// `EPSG:4524`, `epsg:4545`, `4490`, ...
    pub fn parse(code: &str) -> Result<Crs, String> {
        let digits = code.trim().to_ascii_uppercase();
        let digits = digits.strip_prefix("EPSG:").unwrap_or(&digits);
        let n: u32 = digits.parse().map_err(|_| format!("unknown CRS {code:?}: use an EPSG code such as EPSG:4524"))?;
        match n {
            4490 | 4326 => Ok(Crs::Geographic),
            4513..=4533 => Ok(Crs::GaussKruger { zone: (n - 4513 + 25) as u8, prefix: true }),
            4534..=4554 => Ok(Crs::GaussKruger { zone: (n - 4534 + 25) as u8, prefix: false }),
            _ => Err(format!(
                "EPSG:{n} is not supported: use EPSG:4490 (CGCS2000 degrees) or a CGCS2000 3-degree Gauss-Kruger zone \
                 (EPSG:4513-4533 with zone prefix, EPSG:4534-4554 without)"
            )),
        }
    }

    pub fn is_geographic(self) -> bool {
        self == Crs::Geographic
    }

    pub fn epsg(self) -> Option<u32> {
        match self {
            Crs::Geographic => Some(4490),
            Crs::GaussKruger { zone, prefix: true } => Some(4513 + u32::from(zone) - 25),
            Crs::GaussKruger { zone, prefix: false } => Some(4534 + u32::from(zone) - 25),
            Crs::Planar => None,
        }
    }
}

/// The 3-degree zone whose central meridian is nearest to `lon`.
pub fn zone_of(lon: f64) -> u8 {
    ((lon + 1.5) / 3.0).floor() as u8
}

/// Which zone the prefix of an easting names (36 452 049 -> 36), if it has one.
pub fn prefix_zone(easting: f64) -> Option<u8> {
    (easting >= 1.0e7).then(|| (easting / 1.0e6).floor() as u8)
}

fn gk_proj(zone: u8) -> Result<Proj, String> {
    let lon0 = 3 * u32::from(zone);
    Proj::from_proj_string(&format!("{GK} +lon_0={lon0} +x_0=500000")).map_err(|e| e.to_string())
}

fn geographic() -> Result<Proj, String> {
    Proj::from_proj_string(GEOGRAPHIC).map_err(|e| e.to_string())
}

/// Latitude/longitude (degrees) to Gauss-Krüger (easting, northing) in `zone`, with the zone
/// prefix in the easting when `prefix`.
pub fn to_gauss_kruger(lat: f64, lon: f64, zone: u8, prefix: bool) -> Result<(f64, f64), String> {
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(&geographic()?, &gk_proj(zone)?, &mut p).map_err(|e| e.to_string())?;
    let e = if prefix { p.0 + f64::from(zone) * 1.0e6 } else { p.0 };
    Ok((e, p.1))
}

/// Gauss-Krüger (easting, northing) back to (latitude, longitude) in degrees. Without a prefix
/// the zone must be given.
pub fn from_gauss_kruger(easting: f64, northing: f64, zone: u8, prefix: bool) -> Result<(f64, f64), String> {
    let e = if prefix { easting - f64::from(zone) * 1.0e6 } else { easting };
    let mut p = (e, northing, 0.0);
    proj4rs::transform::transform(&gk_proj(zone)?, &geographic()?, &mut p).map_err(|e| e.to_string())?;
    Ok((p.1.to_degrees(), p.0.to_degrees()))
}

/// A reusable converter for many points of one zone (builds the projections once).
pub struct GkInverse {
    zone: u8,
    prefix: bool,
    gk: Proj,
    geo: Proj,
}

impl GkInverse {
    pub fn new(zone: u8, prefix: bool) -> Result<GkInverse, String> {
        Ok(GkInverse { zone, prefix, gk: gk_proj(zone)?, geo: geographic()? })
    }

    /// (easting, northing) to (lon, lat) in degrees.
    pub fn lon_lat(&self, easting: f64, northing: f64) -> Result<(f64, f64), String> {
        let e = if self.prefix { easting - f64::from(self.zone) * 1.0e6 } else { easting };
        let mut p = (e, northing, 0.0);
        proj4rs::transform::transform(&self.gk, &self.geo, &mut p).map_err(|e| e.to_string())?;
        Ok((p.0.to_degrees(), p.1.to_degrees()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duyun_example_from_the_reference() {
        // REFERENCE.md 6: 26.26 N, 107.52 E gives X = 2,905,728.84, Y = 36,452,049.43 (zone 36).
        assert_eq!(zone_of(107.52), 36);
        let (y_east, x_north) = to_gauss_kruger(26.26, 107.52, 36, true).unwrap();
        assert!((x_north - 2_905_728.84).abs() < 0.01, "X = {x_north}");
        assert!((y_east - 36_452_049.43).abs() < 0.01, "Y = {y_east}");
        let (lat, lon) = from_gauss_kruger(y_east, x_north, 36, true).unwrap();
        assert!((lat - 26.26).abs() < 1e-9 && (lon - 107.52).abs() < 1e-9);
        let inv = GkInverse::new(36, true).unwrap();
        let (lon2, lat2) = inv.lon_lat(y_east, x_north).unwrap();
        assert!((lat2 - 26.26).abs() < 1e-9 && (lon2 - 107.52).abs() < 1e-9);
    }

    #[test]
    fn epsg_codes_name_zones() {
        assert_eq!(Crs::parse("EPSG:4524"), Ok(Crs::GaussKruger { zone: 36, prefix: true }));
        assert_eq!(Crs::parse("epsg:4545"), Ok(Crs::GaussKruger { zone: 36, prefix: false }));
        assert_eq!(Crs::parse("4490"), Ok(Crs::Geographic));
        assert!(Crs::parse("EPSG:3857").is_err());
        assert!(Crs::parse("mercator").is_err());
        assert_eq!(Crs::parse("EPSG:4524").unwrap().epsg(), Some(4524));
        assert_eq!(Crs::parse("EPSG:4545").unwrap().epsg(), Some(4545));
        assert_eq!(prefix_zone(36_452_049.43), Some(36));
        assert_eq!(prefix_zone(452_049.43), None);
    }
}
