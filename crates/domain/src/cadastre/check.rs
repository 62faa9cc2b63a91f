//! The member-against-member checks: every pair of leases that overlap with positive area, and
//! every surveyed working outside its own licence, in plan (`beyond_boundary`) or in depth
//! (`out_of_level`). Work is spread over all cores; results are sorted, so a run is repeatable.

use std::collections::HashMap;

use geo::{
    Area, BooleanOps, BoundingRect, Closest, ClosestPoint, Distance, Euclidean, Geodesic, GeodesicArea, Intersects,
    LineString, MultiLineString, MultiPolygon, Point,
};
use rayon::prelude::*;
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
use serde::Serialize;

use super::crs::Crs;
use super::lease::{Problem, RawMultiPolygon, build};

/// Overlaps smaller than this are numerical noise of shared edges, not overlaps (1 dm2).
pub const MIN_OVERLAP_M2: f64 = 0.01;

#[derive(Debug, Clone, Default)]
pub struct LeaseInput {
    pub licence_no: String,
    pub rings: RawMultiPolygon,
    pub elevation_top_m: Option<f64>,
    pub elevation_bottom_m: Option<f64>,
}

/// Vertices of a working; a point working keeps its one vertex inline (a register holds a
/// million of them).
pub type Vertices<T> = smallvec::SmallVec<[T; 1]>;

/// A surveyed working: one point, or the vertices of a drift; elevations when surveyed. Ids and
/// licence numbers (23 characters) fit inline in a `CompactString`: no allocation per working.
#[derive(Debug, Clone, Default)]
pub struct WorkingInput {
    pub id: compact_str::CompactString,
    pub licence_no: compact_str::CompactString,
    pub points: Vertices<[f64; 2]>,
    pub elevations: Vertices<Option<f64>>,
    pub is_line: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    pub a: String,
    pub b: String,
    pub area_m2: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutsideKind {
    BeyondBoundary,
    OutOfLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outside {
    pub working: String,
    pub licence_no: String,
    pub kind: OutsideKind,
    pub distance_m: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invalid {
    pub licence_no: String,
    pub problem: String,
    #[serde(skip)]
    pub code: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub leases: usize,
    pub workings: usize,
    pub overlaps: Vec<Overlap>,
    pub outside: Vec<Outside>,
    pub invalid: Vec<Invalid>,
    pub unknown_licence_workings: Vec<String>,
}

impl Report {
    pub fn has_findings(&self) -> bool {
        !(self.overlaps.is_empty()
            && self.outside.is_empty()
            && self.invalid.is_empty()
            && self.unknown_licence_workings.is_empty())
    }
}

/// A lease ready for checking.
pub struct Lease {
    pub licence_no: String,
    pub shape: MultiPolygon<f64>,
    pub top: Option<f64>,
    pub bottom: Option<f64>,
}

fn area_m2(mp: &MultiPolygon<f64>, crs: Crs) -> f64 {
    if crs.is_geographic() { mp.geodesic_area_unsigned() } else { mp.unsigned_area() }
}

/// Area of the part two leases share, if they share more than an edge.
pub fn overlap_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>, crs: Crs) -> Option<f64> {
    let inter = a.intersection(b);
    if inter.0.is_empty() {
        return None;
    }
    let area = area_m2(&inter, crs);
    (area > MIN_OVERLAP_M2).then_some(area)
}

/// How far a point lies outside a lease (0 when inside or on the boundary), in metres. For
/// degrees the nearest boundary point is found in the plane of degrees and the distance to it
/// measured on the ellipsoid: exact enough at the scale of a lease.
fn distance_outside(shape: &MultiPolygon<f64>, p: Point<f64>, crs: Crs) -> f64 {
    if shape.intersects(&p) {
        return 0.0;
    }
    if !crs.is_geographic() {
        return Euclidean.distance(&p, shape);
    }
    shape
        .0
        .iter()
        .filter_map(|poly| match poly.closest_point(&p) {
            Closest::SinglePoint(q) | Closest::Intersection(q) => Some(Geodesic.distance(p, q)),
            Closest::Indeterminate => None,
        })
        .fold(f64::INFINITY, f64::min)
}

fn envelope(shape: &MultiPolygon<f64>) -> Option<AABB<[f64; 2]>> {
    let r = shape.bounding_rect()?;
    Some(AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
}

/// The register's leases in an R-tree, for checking one new or edited lease against all of them
/// (the live check while a lease is drawn) and for the whole-register check.
pub struct LeaseIndex<'a> {
    leases: &'a [Lease],
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl<'a> LeaseIndex<'a> {
    pub fn new(leases: &'a [Lease]) -> LeaseIndex<'a> {
        let items = leases
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let e = envelope(&l.shape)?;
                Some(GeomWithData::new(Rectangle::from_corners(e.lower(), e.upper()), i))
            })
            .collect();
        LeaseIndex { leases, tree: RTree::bulk_load(items) }
    }

    /// Leases (by position) that `shape` overlaps with positive area, with the area in m2.
    pub fn overlapping(&self, shape: &MultiPolygon<f64>, crs: Crs) -> Vec<(usize, f64)> {
        let Some(env) = envelope(shape) else { return Vec::new() };
        self.tree
            .locate_in_envelope_intersecting(&env)
            .filter_map(|c| overlap_area(shape, &self.leases[c.data].shape, crs).map(|a| (c.data, a)))
            .collect()
    }
}

/// Every pair overlapping with positive area, `a` < `b`, sorted.
pub fn overlaps(leases: &[Lease], crs: Crs) -> Vec<Overlap> {
    let index = LeaseIndex::new(leases);
    let mut out: Vec<Overlap> = leases
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, l)| {
            let Some(env) = envelope(&l.shape) else { return Vec::new() };
            let mut found = Vec::new();
            for cand in index.tree.locate_in_envelope_intersecting(&env) {
                let j = cand.data;
                if j <= i {
                    continue;
                }
                if let Some(area_m2) = overlap_area(&l.shape, &leases[j].shape, crs) {
                    let (a, b) = if l.licence_no <= leases[j].licence_no {
                        (l.licence_no.clone(), leases[j].licence_no.clone())
                    } else {
                        (leases[j].licence_no.clone(), l.licence_no.clone())
                    };
                    found.push(Overlap { a, b, area_m2: round_cm(area_m2) });
                }
            }
            found
        })
        .collect();
    out.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    out
}

/// Findings for one working against its lease.
pub fn check_working(w: &WorkingInput, lease: &Lease, crs: Crs) -> Vec<Outside> {
    let mut out = Vec::new();
    let pts: Vec<Point<f64>> = w.points.iter().map(|p| Point::new(p[0], p[1])).collect();
    // In plan: the farthest a vertex lies outside; for a drift also the parts between vertices
    // that leave a concave lease.
    let mut far = pts.iter().map(|p| distance_outside(&lease.shape, *p, crs)).fold(0.0_f64, f64::max);
    if w.is_line && pts.len() >= 2 {
        // Between two vertices a drift can leave a concave lease farther than any vertex does:
        // sample the parts outside.
        let line = MultiLineString::new(vec![LineString::from(pts.clone())]);
        for ls in lease.shape.clip(&line, true).0 {
            for seg in ls.lines() {
                for k in 0..=SAMPLES {
                    let t = k as f64 / SAMPLES as f64;
                    let c = seg.start + (seg.end - seg.start) * t;
                    far = far.max(distance_outside(&lease.shape, Point(c), crs));
                }
            }
        }
    }
    if far > 0.0 {
        out.push(Outside {
            working: w.id.to_string(),
            licence_no: w.licence_no.to_string(),
            kind: OutsideKind::BeyondBoundary,
            distance_m: round_cm(far),
        });
    }
    // In depth.
    let mut deepest = 0.0_f64;
    for z in w.elevations.iter().flatten() {
        if let Some(top) = lease.top {
            deepest = deepest.max(z - top);
        }
        if let Some(bottom) = lease.bottom {
            deepest = deepest.max(bottom - z);
        }
    }
    if deepest > 0.0 {
        out.push(Outside {
            working: w.id.to_string(),
            licence_no: w.licence_no.to_string(),
            kind: OutsideKind::OutOfLevel,
            distance_m: round_cm(deepest),
        });
    }
    out
}

/// Points sampled along each outside segment of a drift.
const SAMPLES: usize = 32;

fn round_cm(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Build every lease, reporting the invalid ones (sorted) and leaving them out.
pub fn build_all(leases: Vec<LeaseInput>, crs: Crs) -> (Vec<Lease>, Vec<Invalid>) {
    let built: Vec<Result<Lease, Invalid>> = leases
        .into_par_iter()
        .map(|l| {
            let invalid =
                |p: Problem| Invalid { licence_no: l.licence_no.clone(), problem: p.to_string(), code: p.code() };
            if let (Some(top), Some(bottom)) = (l.elevation_top_m, l.elevation_bottom_m)
                && top < bottom
            {
                return Err(invalid(Problem::ElevationOrder { top, bottom }));
            }
            match build(&l.rings, crs) {
                Ok(shape) => {
                    Ok(Lease { shape, top: l.elevation_top_m, bottom: l.elevation_bottom_m, licence_no: l.licence_no })
                }
                Err(p) => Err(invalid(p)),
            }
        })
        .collect();
    let mut good = Vec::with_capacity(built.len());
    let mut invalid = Vec::new();
    for b in built {
        match b {
            Ok(l) => good.push(l),
            Err(i) => invalid.push(i),
        }
    }
    invalid.sort_by(|a, b| a.licence_no.cmp(&b.licence_no));
    (good, invalid)
}

/// Build every lease (reporting the invalid ones and leaving them out), then run both checks.
pub fn check(leases: Vec<LeaseInput>, workings: &[WorkingInput], crs: Crs) -> Report {
    let n_leases = leases.len();
    let (good, invalid) = build_all(leases, crs);
    let invalid_names: std::collections::HashSet<&str> = invalid.iter().map(|i| i.licence_no.as_str()).collect();
    let by_no: HashMap<&str, &Lease> = good.iter().map(|l| (l.licence_no.as_str(), l)).collect();

    let overlaps = overlaps(&good, crs);
    let results: Vec<Result<Vec<Outside>, String>> = workings
        .par_iter()
        .map(|w| match by_no.get(w.licence_no.as_str()) {
            Some(lease) => Ok(check_working(w, lease, crs)),
            // A working of a lease that failed validation is not unknown, only unchecked.
            None if invalid_names.contains(w.licence_no.as_str()) => Ok(Vec::new()),
            None => Err(w.id.to_string()),
        })
        .collect();
    let mut outside = Vec::new();
    let mut unknown = Vec::new();
    for r in results {
        match r {
            Ok(v) => outside.extend(v),
            Err(id) => unknown.push(id),
        }
    }
    outside.sort_by(|a, b| (&a.working, a.kind as u8).cmp(&(&b.working, b.kind as u8)));
    unknown.sort();
    Report { leases: n_leases, workings: workings.len(), overlaps, outside, invalid, unknown_licence_workings: unknown }
}

/// Which way to read coordinates when no CRS is named: degrees if every coordinate could be
/// longitude/latitude, else planar metres.
pub fn guess_crs<'a>(mut coords: impl Iterator<Item = &'a [f64; 2]>) -> Crs {
    if coords.all(|c| c[0].abs() <= 180.0 && c[1].abs() <= 90.0) { Crs::Geographic } else { Crs::Planar }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> RawMultiPolygon {
        vec![vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]]
    }

    fn lease(no: &str, rings: RawMultiPolygon) -> LeaseInput {
        LeaseInput { licence_no: no.into(), rings, elevation_top_m: Some(1200.0), elevation_bottom_m: Some(800.0) }
    }

    fn point(id: &str, no: &str, x: f64, y: f64, z: Option<f64>) -> WorkingInput {
        WorkingInput {
            id: id.into(),
            licence_no: no.into(),
            points: smallvec::smallvec![[x, y]],
            elevations: smallvec::smallvec![z],
            is_line: false,
        }
    }

    #[test]
    fn overlapping_touching_and_separate_leases() {
        let leases = vec![
            lease("B", rect(0.0, 0.0, 100.0, 100.0)),
            lease("A", rect(90.0, 0.0, 200.0, 100.0)), // overlaps B by 10 x 100
            lease("C", rect(200.0, 0.0, 300.0, 100.0)), // touches A along an edge
            lease("D", rect(300.0, 100.0, 400.0, 200.0)), // touches C at a corner
        ];
        let r = check(leases, &[], Crs::Planar);
        assert_eq!(r.overlaps, vec![Overlap { a: "A".into(), b: "B".into(), area_m2: 1000.0 }]);
        assert!(r.invalid.is_empty());
    }

    #[test]
    fn workings_beyond_the_boundary_and_out_of_level() {
        let leases = vec![lease("L1", rect(0.0, 0.0, 100.0, 100.0))];
        let mut notch = lease(
            "L2",
            vec![vec![vec![
                [200.0, 0.0],
                [300.0, 0.0],
                [300.0, 100.0],
                [260.0, 100.0],
                [260.0, 20.0],
                [240.0, 20.0],
                [240.0, 100.0],
                [200.0, 100.0],
                [200.0, 0.0],
            ]]],
        );
        notch.elevation_top_m = None;
        let mut leases = leases;
        leases.push(notch);
        let workings = vec![
            point("w-in", "L1", 50.0, 50.0, Some(1000.0)),
            point("w-edge", "L1", 100.0, 50.0, None),
            point("w-east", "L1", 130.0, 50.0, Some(1000.0)),
            point("w-high", "L1", 50.0, 50.0, Some(1250.5)),
            point("w-deep", "L1", 50.0, 50.0, Some(790.0)),
            point("w-nowhere", "L9", 0.0, 0.0, None),
            // A drift from one arm of the U to the other passes through the notch, 80 m above its floor.
            WorkingInput {
                id: "d-notch".into(),
                licence_no: "L2".into(),
                points: smallvec::smallvec![[220.0, 90.0], [280.0, 90.0]],
                elevations: smallvec::smallvec![Some(5000.0), None],
                is_line: true,
            },
        ];
        let r = check(leases, &workings, Crs::Planar);
        let find = |id: &str, kind: OutsideKind| {
            r.outside.iter().find(|o| o.working == id && o.kind == kind).map(|o| o.distance_m)
        };
        assert_eq!(find("w-in", OutsideKind::BeyondBoundary), None);
        assert_eq!(find("w-edge", OutsideKind::BeyondBoundary), None, "on the boundary is inside");
        assert_eq!(find("w-east", OutsideKind::BeyondBoundary), Some(30.0));
        assert_eq!(find("w-high", OutsideKind::OutOfLevel), Some(50.5));
        assert_eq!(find("w-deep", OutsideKind::OutOfLevel), Some(10.0));
        assert_eq!(find("d-notch", OutsideKind::BeyondBoundary), Some(10.0), "{:?}", r.outside);
        assert_eq!(find("d-notch", OutsideKind::OutOfLevel), None, "L2 has no top elevation");
        assert_eq!(r.unknown_licence_workings, vec!["w-nowhere".to_owned()]);
        assert_eq!(r.workings, 7);
    }

    #[test]
    fn invalid_leases_are_reported_and_left_out() {
        let bow = vec![vec![vec![[0.0, 0.0], [100.0, 100.0], [100.0, 0.0], [0.0, 100.0], [0.0, 0.0]]]];
        let mut upside_down = lease("U", rect(500.0, 0.0, 600.0, 100.0));
        upside_down.elevation_top_m = Some(700.0);
        let leases = vec![lease("BAD", bow), lease("OK", rect(0.0, 0.0, 100.0, 100.0)), upside_down];
        let r = check(leases, &[point("w", "BAD", 1.0, 1.0, None)], Crs::Planar);
        assert_eq!(r.leases, 3);
        assert_eq!(r.invalid.iter().map(|i| i.licence_no.as_str()).collect::<Vec<_>>(), ["BAD", "U"]);
        assert!(r.invalid[0].problem.contains("segment 1-2 crosses segment 3-4"));
        assert!(r.overlaps.is_empty(), "the invalid lease overlaps OK but is left out");
        assert!(r.unknown_licence_workings.is_empty() && r.outside.is_empty());
    }

    #[test]
    fn degrees_are_measured_on_the_ellipsoid() {
        // Two leases near Niujiaotang sharing 0.001 degree of longitude.
        let a = rect(107.480, 26.220, 107.490, 26.230);
        let b = rect(107.489, 26.220, 107.499, 26.230);
        let r = check(vec![lease("A", a), lease("B", b)], &[point("w", "A", 107.491, 26.225, None)], Crs::Geographic);
        let area = r.overlaps[0].area_m2;
        // 0.001 deg of longitude at 26.2 N is about 99.9 m; 0.01 deg of latitude about 1108 m.
        assert!((area - 110_700.0).abs() < 500.0, "{area}");
        let d = r.outside[0].distance_m;
        assert!((d - 99.9).abs() < 0.5, "{d}");
        assert_eq!(guess_crs([[107.5, 26.2]].iter()), Crs::Geographic);
        assert_eq!(guess_crs([[36_452_049.0, 2_905_728.0]].iter()), Crs::Planar);
    }

    /// A star-shaped (so always simple) polygon around (cx, cy).
    fn star(cx: f64, cy: f64, radii: &[f64]) -> RawMultiPolygon {
        let n = radii.len();
        let mut ring: Vec<[f64; 2]> = radii
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let a = k as f64 / n as f64 * std::f64::consts::TAU;
                [cx + r * a.cos(), cy + r * a.sin()]
            })
            .collect();
        ring.push(ring[0]);
        vec![vec![ring]]
    }

    fn shape(r: RawMultiPolygon) -> MultiPolygon<f64> {
        build(&r, Crs::Planar).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn overlap_is_symmetric(
            ra in prop::collection::vec(50.0..500.0f64, 4..12),
            rb in prop::collection::vec(50.0..500.0f64, 4..12),
            dx in -800.0..800.0f64, dy in -800.0..800.0f64,
        ) {
            let a = shape(star(0.0, 0.0, &ra));
            let b = shape(star(dx, dy, &rb));
            let ab = overlap_area(&a, &b, Crs::Planar);
            let ba = overlap_area(&b, &a, Crs::Planar);
            match (ab, ba) {
                (None, None) => {}
                (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-6 * x.max(1.0)),
                other => prop_assert!(false, "asymmetric: {other:?}"),
            }
        }

        #[test]
        fn touching_never_overlaps(
            w1 in 10.0..1000.0f64, w2 in 10.0..1000.0f64, h1 in 10.0..1000.0f64, h2 in 10.0..1000.0f64,
            x0 in -1.0e5..1.0e5f64, y0 in -1.0e5..1.0e5f64, slide in -0.9..0.9f64,
        ) {
            // Two rectangles sharing (part of) a vertical edge at x0 + w1, or only a corner.
            let a = shape(rect(x0, y0, x0 + w1, y0 + h1));
            let yb = y0 + slide * h1;
            let b = shape(rect(x0 + w1, yb, x0 + w1 + w2, yb + h2));
            prop_assert_eq!(overlap_area(&a, &b, Crs::Planar), None);
            let c = shape(rect(x0 + w1, y0 + h1, x0 + w1 + w2, y0 + h1 + h2));
            prop_assert_eq!(overlap_area(&a, &c, Crs::Planar), None);
        }

        #[test]
        fn nested_always_overlaps_by_the_inner_area(
            r_out in prop::collection::vec(400.0..600.0f64, 4..12),
            // The outer star's inscribed radius is at least 400 cos(pi/4) = 283 m; the inner one
            // reaches at most 150 m + 71 m from the centre, so it is always inside.
            r_in in prop::collection::vec(20.0..150.0f64, 4..12),
            dx in -50.0..50.0f64, dy in -50.0..50.0f64,
        ) {
            let outer = shape(star(0.0, 0.0, &r_out));
            let inner = shape(star(dx, dy, &r_in));
            let area = overlap_area(&outer, &inner, Crs::Planar);
            let inner_area = inner.unsigned_area();
            prop_assert!(area.is_some());
            prop_assert!((area.unwrap() - inner_area).abs() <= 1e-6 * inner_area);
        }
    }
}
