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

/// A property that may be written as a string or a number (`"licence_no": 42`). Read without
/// serde's buffering of untagged enums, which dominated the time on large files.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Text {
    fn into_string(self) -> String {
        self.0
    }
}

#[derive(Deserialize, Default)]
struct Props {
    licence_no: Option<Text>,
    id: Option<Text>,
    elevation_top_m: Option<f64>,
    elevation_bottom_m: Option<f64>,
}

/// A position: x, y and an optional third number (elevation); further numbers are ignored.
/// Read straight from the sequence, without a vector per position.
#[derive(Clone, Copy)]
struct Pos([f64; 2], Option<f64>);

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Pos;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a position [x, y] or [x, y, z]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                use serde::de::Error;
                let x: f64 =
                    seq.next_element()?.ok_or_else(|| A::Error::custom("a position needs at least two numbers"))?;
                let y: f64 =
                    seq.next_element()?.ok_or_else(|| A::Error::custom("a position needs at least two numbers"))?;
                let z: Option<f64> = seq.next_element()?;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Pos([x, y], z))
            }
        }
        d.deserialize_seq(V)
    }
}

/// `{"type": ..., "coordinates": ...}` in either order: the coordinates are kept raw and read
/// once the type is known.
struct Geometry<'a> {
    kind: Option<std::borrow::Cow<'a, str>>,
    coordinates: Option<&'a RawValue>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Geometry<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Geometry<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GeoJSON geometry")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Geometry<'a>, M::Error> {
                let mut g = Geometry { kind: None, coordinates: None };
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "type" => g.kind = Some(map.next_value()?),
                        "coordinates" => g.coordinates = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(g)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl Geometry<'_> {
    fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }

    fn coords<T: for<'x> Deserialize<'x>>(&self, n: usize) -> Result<T, String> {
        let raw = self.coordinates.ok_or_else(|| format!("feature {n}: the geometry has no coordinates"))?;
        serde_json::from_str(raw.get()).map_err(|e| format!("feature {n}: coordinates of a {}: {e}", self.kind()))
    }
}

#[derive(Deserialize)]
struct Feature<'a> {
    #[serde(borrow)]
    geometry: Option<Geometry<'a>>,
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

fn parse_feature(raw: &RawValue, n: usize) -> Result<Feature<'_>, String> {
    serde_json::from_str(raw.get()).map_err(|e| format!("feature {n}: {e}"))
}

fn ring(r: Vec<Pos>) -> Vec<[f64; 2]> {
    r.into_iter().map(|p| p.0).collect()
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
            let rings = match f.geometry.as_ref().map(Geometry::kind) {
                Some("Polygon") => {
                    let c: Vec<Vec<Pos>> = f.geometry.as_ref().map(|g| g.coords(n)).transpose()?.unwrap_or_default();
                    vec![c.into_iter().map(ring).collect()]
                }
                Some("MultiPolygon") => {
                    let c: Vec<Vec<Vec<Pos>>> =
                        f.geometry.as_ref().map(|g| g.coords(n)).transpose()?.unwrap_or_default();
                    c.into_iter().map(|poly| poly.into_iter().map(ring).collect()).collect()
                }
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
            let (coords, is_line): (Vec<Pos>, bool) = match (f.geometry.as_ref().map(Geometry::kind), &f.geometry) {
                (Some("Point"), Some(g)) => (vec![g.coords::<Pos>(n)?], false),
                (Some("LineString"), Some(g)) => (g.coords(n)?, true),
                _ => return Err(format!("feature {n} ({id}): a working must be a Point or LineString")),
            };
            let points = coords.iter().map(|p| p.0).collect();
            let elevations = coords.iter().map(|p| p.1).collect();
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
