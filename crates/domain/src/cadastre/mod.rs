//! Mining licences in plan and depth: coordinate systems, lease boundaries, ellipsoidal areas,
//! and the checks that no two members' leases overlap and nobody mines beyond their licence.

pub mod check;
pub mod crs;
pub mod dispute;
pub mod geojson;
pub mod lease;
pub mod licence;
pub mod working;

use geo::{Coord, GeodesicArea, MapCoords, MultiPolygon};

use crs::{Crs, GkInverse};

/// A lease's area on the CGCS2000 ellipsoid in m2, whatever coordinate system it is drawn in.
/// Planar coordinates of unknown origin can only give their planar area.
pub fn ellipsoidal_area_m2(shape: &MultiPolygon<f64>, crs: Crs) -> Result<f64, String> {
    match crs {
        Crs::Geographic => Ok(shape.geodesic_area_unsigned()),
        Crs::GaussKruger { zone, prefix } => {
            let inv = GkInverse::new(zone, prefix)?;
            let lonlat = shape.try_map_coords(|c| inv.lon_lat(c.x, c.y).map(|(x, y)| Coord { x, y }))?;
            Ok(lonlat.geodesic_area_unsigned())
        }
        Crs::Planar => Ok(geo::Area::unsigned_area(shape)),
    }
}

/// Whether a stated licence area (km2) differs from the computed one by more than 0.5 %.
pub fn stated_area_differs(stated_km2: f64, computed_m2: f64) -> bool {
    let computed_km2 = computed_m2 / 1.0e6;
    computed_km2 > 0.0 && ((stated_km2 - computed_km2) / computed_km2).abs() > 0.005
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadastre::crs::to_gauss_kruger;
    use geo::{LineString, Polygon};

    #[test]
    fn a_planar_kilometre_near_duyun_is_0_999944_km2_on_the_ellipsoid() {
        // REFERENCE.md 6: a 1 km square in zone 36 at 26.26 N, 107.52 E.
        let (e, n) = to_gauss_kruger(26.26, 107.52, 36, true).unwrap();
        let ring = vec![(e, n), (e + 1000.0, n), (e + 1000.0, n + 1000.0), (e, n + 1000.0), (e, n)];
        let sq = MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])]);
        let crs = Crs::GaussKruger { zone: 36, prefix: true };
        let km2 = ellipsoidal_area_m2(&sq, crs).unwrap() / 1.0e6;
        assert!((km2 - 0.999944).abs() < 0.0000005, "{km2}");
        assert!(!stated_area_differs(1.0, km2 * 1.0e6));
        assert!(stated_area_differs(1.006, km2 * 1.0e6));
    }
}
