//! Reading leases and workings from GeoJSON FeatureCollections, as `minecoop cadastre check`
//! and imports take them. Features are parsed in parallel; an unreadable feature is an error
//! that names the feature (numbered from 1) and what is wrong, and nothing is checked.

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::check::{LeaseInput, WorkingInput};

#[derive(Deserialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    S(String),
    N(serde_json::Number),
}

impl Text {
    fn into_string(self) -> String {
        match self {
            Text::S(s) => s,
            Text::N(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
struct Props {
    licence_no: Option<Text>,
    id: Option<Text>,
    elevation_top_m: Option<f64>,
    elevation_bottom_m: Option<f64>,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Geometry {
    Polygon {
        coordinates: Vec<Vec<Vec<f64>>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<Vec<f64>>>>,
    },
    Point {
        coordinates: Vec<f64>,
    },
    LineString {
        coordinates: Vec<Vec<f64>>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Feature {
    geometry: Option<Geometry>,
    #[serde(default)]
    properties: Option<Props>,
    id: Option<Text>,
}

fn features(text: &str) -> Result<Vec<&RawValue>, String> {
    let c: Collection = serde_json::from_str(text).map_err(|e| format!("not GeoJSON: {e}"))?;
    if c.kind.as_deref() != Some("FeatureCollection") {
        return Err("expected a GeoJSON FeatureCollection".into());
    }
    c.features.ok_or_else(|| "the FeatureCollection has no \"features\"".into())
}

fn parse_feature(raw: &RawValue, n: usize) -> Result<Feature, String> {
    serde_json::from_str(raw.get()).map_err(|e| format!("feature {n}: {e}"))
}

fn xy(c: &[f64], n: usize) -> Result<[f64; 2], String> {
    match c {
        [x, y, ..] => Ok([*x, *y]),
        _ => Err(format!("feature {n}: a position needs at least two numbers")),
    }
}

fn ring(r: &[Vec<f64>], n: usize) -> Result<Vec<[f64; 2]>, String> {
    r.iter().map(|c| xy(c, n)).collect()
}

/// Leases: Polygon or MultiPolygon features with a unique `licence_no` and optional
/// `elevation_top_m` / `elevation_bottom_m`.
pub fn parse_leases(text: &str) -> Result<Vec<LeaseInput>, String> {
    let raw = features(text)?;
    let leases: Vec<LeaseInput> = raw
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let n = i + 1;
            let f = parse_feature(r, n)?;
            let p = f.properties.unwrap_or_default();
            let licence_no = p
                .licence_no
                .map(|t| t.into_string().trim().to_owned())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("feature {n}: property \"licence_no\" is missing"))?;
            let rings = match f.geometry {
                Some(Geometry::Polygon { coordinates }) => {
                    vec![coordinates.iter().map(|r| ring(r, n)).collect::<Result<Vec<_>, _>>()?]
                }
                Some(Geometry::MultiPolygon { coordinates }) => coordinates
                    .iter()
                    .map(|poly| poly.iter().map(|r| ring(r, n)).collect::<Result<Vec<_>, _>>())
                    .collect::<Result<Vec<_>, _>>()?,
                _ => return Err(format!("feature {n} ({licence_no}): a lease must be a Polygon or MultiPolygon")),
            };
            Ok(LeaseInput {
                licence_no,
                rings,
                elevation_top_m: p.elevation_top_m,
                elevation_bottom_m: p.elevation_bottom_m,
            })
        })
        .collect::<Result<_, String>>()?;
    let mut seen = std::collections::HashMap::with_capacity(leases.len());
    for (i, l) in leases.iter().enumerate() {
        if let Some(first) = seen.insert(l.licence_no.as_str(), i + 1) {
            return Err(format!("feature {}: licence_no {:?} is already used by feature {first}", i + 1, l.licence_no));
        }
    }
    Ok(leases)
}

/// Workings: Point or LineString features with `id` and `licence_no`; a third coordinate is the
/// elevation in metres.
pub fn parse_workings(text: &str) -> Result<Vec<WorkingInput>, String> {
    let raw = features(text)?;
    raw.par_iter()
        .enumerate()
        .map(|(i, r)| {
            let n = i + 1;
            let f = parse_feature(r, n)?;
            let p = f.properties.unwrap_or_default();
            let id =
                p.id.or(f.id)
                    .map(Text::into_string)
                    .ok_or_else(|| format!("feature {n}: property \"id\" is missing"))?;
            let licence_no = p
                .licence_no
                .map(|t| t.into_string().trim().to_owned())
                .ok_or_else(|| format!("feature {n} ({id}): property \"licence_no\" is missing"))?;
            let (coords, is_line) = match f.geometry {
                Some(Geometry::Point { coordinates }) => (vec![coordinates], false),
                Some(Geometry::LineString { coordinates }) => (coordinates, true),
                _ => return Err(format!("feature {n} ({id}): a working must be a Point or LineString")),
            };
            let points = coords.iter().map(|c| xy(c, n)).collect::<Result<Vec<_>, _>>()?;
            let elevations = coords.iter().map(|c| c.get(2).copied()).collect();
            Ok(WorkingInput { id, licence_no, points, elevations, is_line })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_polygons_multipolygons_points_and_lines() {
        let leases = parse_leases(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"licence_no":"C5200002011043120110001","elevation_top_m":1200,"elevation_bottom_m":800},
               "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
              {"type":"Feature","properties":{"licence_no":42},
               "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}}]}"#,
        )
        .unwrap();
        assert_eq!(leases.len(), 2);
        assert_eq!(leases[0].elevation_top_m, Some(1200.0));
        assert_eq!(leases[1].licence_no, "42");
        assert_eq!(leases[1].rings.len(), 2);
        let w = parse_workings(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"w1","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2,950.5]}},
              {"type":"Feature","id":"d2","properties":{"licence_no":"A"},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4,900]]}}]}"#,
        )
        .unwrap();
        assert_eq!(w[0].elevations, vec![Some(950.5)]);
        assert!(w[1].is_line && w[1].id == "d2" && w[1].elevations == vec![None, Some(900.0)]);
    }

    #[test]
    fn unreadable_input_names_the_feature() {
        let e = parse_leases(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#,
        )
        .unwrap_err();
        assert_eq!(e, "feature 1: property \"licence_no\" is missing");
        let e = parse_leases(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
              {"type":"Feature","properties":{"licence_no":"A"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e, "feature 2 (A): a lease must be a Polygon or MultiPolygon");
        assert!(parse_leases("{\"type\":\"Feature\"}").unwrap_err().contains("FeatureCollection"));
        assert!(parse_leases("not json").unwrap_err().starts_with("not GeoJSON"));
        let dup = r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
              {"type":"Feature","properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
        assert_eq!(parse_leases(dup).unwrap_err(), "feature 2: licence_no \"A\" is already used by feature 1");
        let e = parse_workings(r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"w"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#).unwrap_err();
        assert_eq!(e, "feature 1 (w): property \"licence_no\" is missing");
    }
}
