//! A lease boundary as drawn from a licence's corner points: checked, never silently repaired.
//! Problems name the polygon, ring and point (numbered from 1, as corner tables count them) and
//! say what to do.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString, MultiPolygon, Polygon};

use super::crs::{Crs, prefix_zone};

/// Raw rings as read from a file: parts (polygons), each an outer ring then holes.
pub type RawMultiPolygon = Vec<Vec<Vec<[f64; 2]>>>;

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Empty,
    NotFinite {
        part: usize,
        ring: usize,
        point: usize,
    },
    RingTooShort {
        part: usize,
        ring: usize,
        points: usize,
    },
    RingNotClosed {
        part: usize,
        ring: usize,
    },
    DuplicatePoint {
        part: usize,
        ring: usize,
        point: usize,
    },
    SelfIntersection {
        part: usize,
        ring: usize,
        seg_a: (usize, usize),
        seg_b: (usize, usize),
    },
    SwappedAxes {
        part: usize,
        ring: usize,
        point: usize,
    },
    ZonePrefix {
        part: usize,
        ring: usize,
        point: usize,
        found: u8,
        expected: u8,
    },
    MissingZonePrefix {
        part: usize,
        ring: usize,
        point: usize,
        expected: u8,
    },
    /// Rings of one lease that cross each other, a hole outside its polygon, parts that overlap.
    Topology {
        detail: String,
    },
    NotDegrees {
        part: usize,
        ring: usize,
        point: usize,
    },
    ElevationOrder {
        top: f64,
        bottom: f64,
    },
}

fn ring_name(part: usize, ring: usize) -> String {
    if ring == 0 { format!("polygon {}, outer ring", part + 1) } else { format!("polygon {}, hole {}", part + 1, ring) }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Empty => write!(f, "no polygon: the lease needs at least one ring of corner points"),
            Problem::NotFinite { part, ring, point } => {
                write!(f, "{}: point {point} is not a number; check the coordinate table", ring_name(*part, *ring))
            }
            Problem::RingTooShort { part, ring, points } => write!(
                f,
                "{}: only {points} distinct corner points; a boundary needs at least 3 (and the first repeated at the end)",
                ring_name(*part, *ring)
            ),
            Problem::RingNotClosed { part, ring } => write!(
                f,
                "{}: the last point does not repeat the first; close the ring by repeating point 1 at the end",
                ring_name(*part, *ring)
            ),
            Problem::DuplicatePoint { part, ring, point } => write!(
                f,
                "{}: point {point} repeats point {}; remove the duplicate",
                ring_name(*part, *ring),
                point - 1
            ),
            Problem::SelfIntersection { part, ring, seg_a, seg_b } => write!(
                f,
                "{}: segment {}-{} crosses segment {}-{}; check the order of the corner points",
                ring_name(*part, *ring),
                seg_a.0,
                seg_a.1,
                seg_b.0,
                seg_b.1
            ),
            Problem::SwappedAxes { part, ring, point } => write!(
                f,
                "{}: point {point} has a northing (X) where the easting (Y) belongs; swap the two columns",
                ring_name(*part, *ring)
            ),
            Problem::ZonePrefix { part, ring, point, found, expected } => write!(
                f,
                "{}: point {point} has zone prefix {found} but the coordinate system is zone {expected}; \
                 correct the prefix or choose the right zone",
                ring_name(*part, *ring)
            ),
            Problem::MissingZonePrefix { part, ring, point, expected } => write!(
                f,
                "{}: point {point} has no zone prefix but the coordinate system expects zone {expected} in front of the \
                 easting; add the prefix or choose the system without prefixes",
                ring_name(*part, *ring)
            ),
            Problem::Topology { detail } => write!(f, "the rings do not form a valid area: {detail}"),
            Problem::NotDegrees { part, ring, point } => write!(
                f,
                "{}: point {point} is outside longitude -180..180 / latitude -90..90; these look like metres: name the \
                 projected coordinate system",
                ring_name(*part, *ring)
            ),
            Problem::ElevationOrder { top, bottom } => {
                write!(f, "the top elevation {top} m is below the bottom elevation {bottom} m; swap them")
            }
        }
    }
}

impl Problem {
    /// Arguments of the Fluent message (`part` and `ring` from 1; `ring` 1 is the outer ring).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let at = |part: &usize, ring: &usize| vec![("part", (part + 1).to_string()), ("ring", (ring + 1).to_string())];
        match self {
            Problem::Empty => Vec::new(),
            Problem::RingNotClosed { part, ring } => at(part, ring),
            Problem::RingTooShort { part, ring, points } => {
                [at(part, ring), vec![("points", points.to_string())]].concat()
            }
            Problem::NotFinite { part, ring, point }
            | Problem::DuplicatePoint { part, ring, point }
            | Problem::SwappedAxes { part, ring, point }
            | Problem::NotDegrees { part, ring, point } => {
                [at(part, ring), vec![("point", point.to_string())]].concat()
            }
            Problem::SelfIntersection { part, ring, seg_a, seg_b } => [
                at(part, ring),
                vec![
                    ("segment_a", format!("{}-{}", seg_a.0, seg_a.1)),
                    ("segment_b", format!("{}-{}", seg_b.0, seg_b.1)),
                ],
            ]
            .concat(),
            Problem::ZonePrefix { part, ring, point, found, expected } => [
                at(part, ring),
                vec![("point", point.to_string()), ("found", found.to_string()), ("expected", expected.to_string())],
            ]
            .concat(),
            Problem::ElevationOrder { top, bottom } => vec![("top", top.to_string()), ("bottom", bottom.to_string())],
            Problem::MissingZonePrefix { part, ring, point, expected } => {
                [at(part, ring), vec![("point", point.to_string()), ("expected", expected.to_string())]].concat()
            }
            Problem::Topology { detail } => vec![("detail", detail.clone())],
        }
    }

    /// Fluent message id for the interface.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Empty => "err-lease-empty",
            Problem::NotFinite { .. } => "err-lease-not-finite",
            Problem::RingTooShort { .. } => "err-lease-ring-short",
            Problem::RingNotClosed { .. } => "err-lease-ring-open",
            Problem::DuplicatePoint { .. } => "err-lease-duplicate-point",
            Problem::SelfIntersection { .. } => "err-lease-self-intersection",
            Problem::SwappedAxes { .. } => "err-lease-swapped-axes",
            Problem::ZonePrefix { .. } => "err-lease-zone-prefix",
            Problem::MissingZonePrefix { .. } => "err-lease-zone-prefix-missing",
            Problem::Topology { .. } => "err-lease-topology",
            Problem::NotDegrees { .. } => "err-lease-not-degrees",
            Problem::ElevationOrder { .. } => "err-lease-elevation-order",
        }
    }
}

/// Check one position against the coordinate system it claims to be in (for workings).
pub fn check_position(crs: Crs, p: [f64; 2], point: usize) -> Result<(), Problem> {
    check_point(crs, p, 0, 0, point)
}

/// Check the coordinates against the coordinate system they claim to be in.
fn check_point(crs: Crs, p: [f64; 2], part: usize, ring: usize, point: usize) -> Result<(), Problem> {
    if !p[0].is_finite() || !p[1].is_finite() {
        return Err(Problem::NotFinite { part, ring, point });
    }
    match crs {
        Crs::Geographic => {
            if p[0].abs() > 180.0 || p[1].abs() > 90.0 {
                return Err(Problem::NotDegrees { part, ring, point });
            }
        }
        Crs::GaussKruger { zone, prefix: true } => match (prefix_zone(p[0]), prefix_zone(p[1])) {
            (None, Some(_)) => return Err(Problem::SwappedAxes { part, ring, point }),
            (Some(found), _) if found != zone => {
                return Err(Problem::ZonePrefix { part, ring, point, found, expected: zone });
            }
            (None, None) => return Err(Problem::MissingZonePrefix { part, ring, point, expected: zone }),
            _ => {}
        },
        // Without a prefix an easting lies within a few hundred km of 500 000; a Chinese northing
        // is over a million.
        Crs::GaussKruger { prefix: false, .. } => {
            if p[0] > 1.0e6 && p[1] < 1.0e6 {
                return Err(Problem::SwappedAxes { part, ring, point });
            }
        }
        Crs::Planar => {}
    }
    Ok(())
}

fn segments_cross(ring: &[[f64; 2]]) -> Option<(usize, usize)> {
    let n = ring.len() - 1; // closed: the last point repeats the first
    let seg =
        |i: usize| Line::new(Coord { x: ring[i][0], y: ring[i][1] }, Coord { x: ring[i + 1][0], y: ring[i + 1][1] });
    for i in 0..n {
        for j in i + 1..n {
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            match line_intersection(seg(i), seg(j)) {
                None => {}
                // Neighbours share their common corner; anything more is a fold back.
                Some(LineIntersection::SinglePoint { is_proper, .. }) if adjacent && !is_proper => {}
                Some(_) => return Some((i, j)),
            }
        }
    }
    None
}

/// Turn raw rings into a valid multi-polygon, or say what is wrong with the first bad ring.
pub fn build(raw: &RawMultiPolygon, crs: Crs) -> Result<MultiPolygon<f64>, Problem> {
    if raw.is_empty() || raw.iter().all(|p| p.is_empty()) {
        return Err(Problem::Empty);
    }
    let mut polygons = Vec::with_capacity(raw.len());
    for (part, rings) in raw.iter().enumerate() {
        let mut out_rings = Vec::with_capacity(rings.len());
        for (ring, pts) in rings.iter().enumerate() {
            for (k, p) in pts.iter().enumerate() {
                check_point(crs, *p, part, ring, k + 1)?;
            }
            if pts.len() >= 2 && pts.first() != pts.last() {
                return Err(Problem::RingNotClosed { part, ring });
            }
            let distinct = pts.len().saturating_sub(1);
            if distinct < 3 {
                return Err(Problem::RingTooShort { part, ring, points: distinct });
            }
            for k in 1..pts.len() {
                if pts[k] == pts[k - 1] {
                    return Err(Problem::DuplicatePoint { part, ring, point: k + 1 });
                }
            }
            if let Some((i, j)) = segments_cross(pts) {
                let name = |s: usize| (s + 1, if s + 2 > distinct { 1 } else { s + 2 });
                return Err(Problem::SelfIntersection { part, ring, seg_a: name(i), seg_b: name(j) });
            }
            out_rings.push(LineString::from(pts.iter().map(|p| Coord { x: p[0], y: p[1] }).collect::<Vec<_>>()));
        }
        let mut it = out_rings.into_iter();
        let exterior = it.next().ok_or(Problem::Empty)?;
        polygons.push(Polygon::new(exterior, it.collect()));
    }
    let mp = MultiPolygon::new(polygons);
    // Each ring is simple; now the rings together: holes inside their polygon, parts apart.
    use geo::Validation;
    if let Err(e) = mp.check_validation() {
        return Err(Problem::Topology { detail: e.to_string() });
    }
    Ok(mp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Vec<[f64; 2]> {
        vec![[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0], [0.0, 0.0]]
    }

    #[test]
    fn a_square_is_valid() {
        let mp = build(&vec![vec![square()]], Crs::Planar).unwrap();
        assert_eq!(mp.0.len(), 1);
    }

    #[test]
    fn open_short_and_duplicate_rings_are_named() {
        let mut open = square();
        open.pop();
        assert_eq!(build(&vec![vec![open]], Crs::Planar), Err(Problem::RingNotClosed { part: 0, ring: 0 }));
        let short = vec![[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]];
        assert!(matches!(build(&vec![vec![short]], Crs::Planar), Err(Problem::RingTooShort { points: 2, .. })));
        let dup = vec![[0.0, 0.0], [100.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 0.0]];
        let e = build(&vec![vec![dup]], Crs::Planar).unwrap_err();
        assert_eq!(e, Problem::DuplicatePoint { part: 0, ring: 0, point: 3 });
        assert_eq!(e.to_string(), "polygon 1, outer ring: point 3 repeats point 2; remove the duplicate");
    }

    #[test]
    fn a_bow_tie_names_the_crossing_segments() {
        let bow = vec![[0.0, 0.0], [100.0, 100.0], [100.0, 0.0], [0.0, 100.0], [0.0, 0.0]];
        let e = build(&vec![vec![bow]], Crs::Planar).unwrap_err();
        assert_eq!(e, Problem::SelfIntersection { part: 0, ring: 0, seg_a: (1, 2), seg_b: (3, 4) });
        assert!(e.to_string().contains("segment 1-2 crosses segment 3-4"));
    }

    #[test]
    fn a_spike_back_along_an_edge_is_a_self_intersection() {
        let spike = vec![[0.0, 0.0], [100.0, 0.0], [50.0, 0.0], [50.0, 50.0], [0.0, 0.0]];
        assert!(matches!(build(&vec![vec![spike]], Crs::Planar), Err(Problem::SelfIntersection { .. })));
    }

    #[test]
    fn swapped_axes_and_wrong_zone_prefix_are_caught() {
        let gk36 = Crs::GaussKruger { zone: 36, prefix: true };
        let ok = vec![
            [36_452_000.0, 2_905_700.0],
            [36_453_000.0, 2_905_700.0],
            [36_453_000.0, 2_906_700.0],
            [36_452_000.0, 2_905_700.0],
        ];
        assert!(build(&vec![vec![ok.clone()]], gk36).is_ok());
        let mut swapped = ok.clone();
        swapped[1] = [2_905_700.0, 36_453_000.0];
        assert_eq!(build(&vec![vec![swapped]], gk36), Err(Problem::SwappedAxes { part: 0, ring: 0, point: 2 }));
        let mut zone = ok.clone();
        zone[2][0] = 37_453_000.0;
        let e = build(&vec![vec![zone]], gk36).unwrap_err();
        assert_eq!(e, Problem::ZonePrefix { part: 0, ring: 0, point: 3, found: 37, expected: 36 });
        let degrees_expected = build(&vec![vec![ok]], Crs::Geographic).unwrap_err();
        assert_eq!(degrees_expected.code(), "err-lease-not-degrees");
    }

    #[test]
    fn rings_that_do_not_form_an_area_are_refused() {
        let far_hole = vec![[500.0, 500.0], [500.0, 600.0], [600.0, 600.0], [600.0, 500.0], [500.0, 500.0]];
        let e = build(&vec![vec![square(), far_hole]], Crs::Planar).unwrap_err();
        assert_eq!(e.code(), "err-lease-topology");
        let overlapping_parts =
            vec![vec![square()], vec![vec![[50.0, 50.0], [150.0, 50.0], [150.0, 150.0], [50.0, 150.0], [50.0, 50.0]]]];
        assert_eq!(build(&overlapping_parts, Crs::Planar).unwrap_err().code(), "err-lease-topology");
        let unprefixed = vec![
            [452_000.0, 2_905_700.0],
            [453_000.0, 2_905_700.0],
            [453_000.0, 2_906_700.0],
            [452_000.0, 2_905_700.0],
        ];
        let e = build(&vec![vec![unprefixed]], Crs::GaussKruger { zone: 36, prefix: true }).unwrap_err();
        assert_eq!(e, Problem::MissingZonePrefix { part: 0, ring: 0, point: 1, expected: 36 });
    }

    #[test]
    fn holes_are_kept() {
        let hole = vec![[10.0, 10.0], [10.0, 20.0], [20.0, 20.0], [20.0, 10.0], [10.0, 10.0]];
        let mp = build(&vec![vec![square(), hole]], Crs::Planar).unwrap();
        assert_eq!(mp.0[0].interiors().len(), 1);
        use geo::Area;
        assert!((mp.unsigned_area() - 9_900.0).abs() < 1e-9);
    }
}
