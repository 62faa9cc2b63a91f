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
struct Text(compact_str::CompactString);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string().into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string().into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string().into()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Text {
    fn into_string(self) -> String {
        self.0.into_string()
    }

    /// Trimmed, still without allocating for short values.
    fn into_compact(self) -> compact_str::CompactString {
        let t = self.0.trim();
        if t.len() == self.0.len() { self.0 } else { t.into() }
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

/// The geometry types the cadastre reads; the type name is matched without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Point,
    LineString,
    Polygon,
    MultiPolygon,
    Other,
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Kind;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a geometry type")
            }
            fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
                Ok(match v {
                    "Point" => Kind::Point,
                    "LineString" => Kind::LineString,
                    "Polygon" => Kind::Polygon,
                    "MultiPolygon" => Kind::MultiPolygon,
                    _ => Kind::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// A key of a geometry object, matched without allocating.
enum GeoKey {
    Type,
    Coordinates,
    Other,
}

impl<'de> Deserialize<'de> for GeoKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = GeoKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<GeoKey, E> {
                Ok(match v {
                    "type" => GeoKey::Type,
                    "coordinates" => GeoKey::Coordinates,
                    _ => GeoKey::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// `{"type": ..., "coordinates": ...}` in either order: the coordinates are kept raw and read
/// once the type is known.
struct Geometry<'a> {
    kind: Option<Kind>,
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
                while let Some(key) = map.next_key::<GeoKey>()? {
                    match key {
                        GeoKey::Type => g.kind = Some(map.next_value()?),
                        GeoKey::Coordinates => g.coordinates = Some(map.next_value()?),
                        GeoKey::Other => {
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
    fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Other)
    }

    fn coords<T: for<'x> Deserialize<'x>>(&self, n: usize) -> Result<T, String> {
        let raw = self.coordinates.ok_or_else(|| format!("feature {n}: the geometry has no coordinates"))?;
        serde_json::from_str(raw.get()).map_err(|e| format!("feature {n}: coordinates: {e}"))
    }
}

/// Parse every feature on all cores into a vector sized once; the first failing feature (by
/// position) is the error.
fn parse_all<T: Send + Default>(
    raw: &[&str],
    f: impl Fn(&str, usize) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    let first_error: std::sync::Mutex<Option<(usize, String)>> = std::sync::Mutex::new(None);
    let mut out: Vec<T> = Vec::with_capacity(raw.len());
    raw.par_iter()
        .enumerate()
        .map(|(i, r)| match f(r, i + 1) {
            Ok(v) => v,
            Err(e) => {
                if let Ok(mut slot) = first_error.lock() {
                    if slot.as_ref().is_none_or(|(j, _)| i < *j) {
                        *slot = Some((i, e));
                    }
                }
                // A placeholder; the whole result is an error anyway.
                T::default()
            }
        })
        .collect_into_vec(&mut out);
    match first_error.into_inner().ok().flatten() {
        Some((_, e)) => Err(e),
        None => Ok(out),
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

/// The features of a collection as slices of the text. A byte scanner finds them (several
/// times faster than a full parse of a file of a million features); anything it does not
/// understand goes to serde_json, whose message then says what is wrong.
fn features(text: &str) -> Result<Vec<&str>, String> {
    if let Some(f) = scan::features(text.as_bytes()) {
        // The scanner only finds boundaries; each feature is still parsed in full.
        return Ok(f.into_iter().map(|(a, b)| &text[a..b]).collect());
    }
    let c: Collection = serde_json::from_str(text).map_err(|e| format!("not GeoJSON: {e}"))?;
    if c.kind.as_deref() != Some("FeatureCollection") {
        return Err("expected a GeoJSON FeatureCollection".into());
    }
    c.features
        .map(|v| v.into_iter().map(RawValue::get).collect())
        .ok_or_else(|| "the FeatureCollection has no \"features\"".into())
}

/// Finding the top-level structure of a FeatureCollection without parsing it.
mod scan {
    use memchr::memchr2;

    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        }
        i
    }

    /// End (exclusive) of the string whose opening quote is at `i`.
    fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            let k = i + memchr2(b'"', b'\\', &b[i..])?;
            if b[k] == b'\\' {
                i = k + 2;
            } else {
                return Some(k + 1);
            }
        }
    }

    /// End (exclusive) of the object or array opening at `i`. A plain byte loop: features are
    /// short and full of short strings, where jumping with memchr costs more than it saves.
    fn container_end(b: &[u8], i: usize) -> Option<usize> {
        let (open, close) = if b[i] == b'{' { (b'{', b'}') } else { (b'[', b']') };
        let mut depth = 0usize;
        let mut in_str = false;
        let mut esc = false;
        for (k, &c) in b.iter().enumerate().skip(i) {
            if in_str {
                if esc {
                    esc = false;
                } else if c == b'\\' {
                    esc = true;
                } else if c == b'"' {
                    in_str = false;
                }
            } else if c == b'"' {
                in_str = true;
            } else if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
        }
        None
    }

    fn value_end(b: &[u8], i: usize) -> Option<usize> {
        match b.get(i)? {
            b'{' | b'[' => container_end(b, i),
            b'"' => string_end(b, i),
            _ => {
                let mut k = i;
                while k < b.len() && !matches!(b[k], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    k += 1;
                }
                Some(k)
            }
        }
    }

    /// Byte ranges of the features, if `b` is a FeatureCollection this scanner can follow.
    pub fn features(b: &[u8]) -> Option<Vec<(usize, usize)>> {
        let mut i = ws(b, 0);
        if b.get(i)? != &b'{' {
            return None;
        }
        i += 1;
        let mut kind_ok = false;
        let mut found = None;
        loop {
            i = ws(b, i);
            match b.get(i)? {
                b'}' => break,
                b',' => {
                    i += 1;
                    continue;
                }
                b'"' => {}
                _ => return None,
            }
            let key_end = string_end(b, i)?;
            let key = &b[i + 1..key_end - 1];
            i = ws(b, key_end);
            if b.get(i)? != &b':' {
                return None;
            }
            i = ws(b, i + 1);
            match key {
                b"type" => {
                    let end = value_end(b, i)?;
                    kind_ok = &b[i..end] == b"\"FeatureCollection\"";
                    i = end;
                }
                b"features" => {
                    if b.get(i)? != &b'[' {
                        return None;
                    }
                    let mut v = Vec::new();
                    i += 1;
                    loop {
                        i = ws(b, i);
                        match b.get(i)? {
                            b']' => {
                                i += 1;
                                break;
                            }
                            b',' => i += 1,
                            b'{' => {
                                let end = container_end(b, i)?;
                                v.push((i, end));
                                i = end;
                            }
                            _ => return None,
                        }
                    }
                    found = Some(v);
                }
                _ => i = value_end(b, i)?,
            }
        }
        if kind_ok { found } else { None }
    }
}

fn parse_feature(raw: &str, n: usize) -> Result<Feature<'_>, String> {
    serde_json::from_str(raw).map_err(|e| format!("feature {n}: {e}"))
}

fn trimmed(s: String) -> String {
    if s.trim().len() == s.len() { s } else { s.trim().to_owned() }
}

fn ring(r: Vec<Pos>) -> Vec<[f64; 2]> {
    r.into_iter().map(|p| p.0).collect()
}

/// Leases: Polygon or MultiPolygon features with a unique `licence_no` and optional
/// `elevation_top_m` / `elevation_bottom_m`.
pub fn parse_leases(text: &str) -> Result<Vec<LeaseInput>, String> {
    let raw = features(text)?;
    let leases: Vec<LeaseInput> = parse_all(&raw, |r, n| {
        let f = parse_feature(r, n)?;
        let p = f.properties.unwrap_or_default();
        let licence_no = p
            .licence_no
            .map(|t| trimmed(t.into_string()))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("feature {n}: property \"licence_no\" is missing"))?;
        let rings = match f.geometry.as_ref().map(Geometry::kind) {
            Some(Kind::Polygon) => {
                let c: Vec<Vec<Pos>> = f.geometry.as_ref().map(|g| g.coords(n)).transpose()?.unwrap_or_default();
                vec![c.into_iter().map(ring).collect()]
            }
            Some(Kind::MultiPolygon) => {
                let c: Vec<Vec<Vec<Pos>>> = f.geometry.as_ref().map(|g| g.coords(n)).transpose()?.unwrap_or_default();
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
    })?;
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
    parse_all(&raw, |r, n| {
        let f = parse_feature(r, n)?;
        let p = f.properties.unwrap_or_default();
        let id = p.id.or(f.id).map(|t| t.0).ok_or_else(|| format!("feature {n}: property \"id\" is missing"))?;
        let licence_no = p
            .licence_no
            .map(Text::into_compact)
            .ok_or_else(|| format!("feature {n} ({id}): property \"licence_no\" is missing"))?;
        let (points, elevations, is_line) = match (f.geometry.as_ref().map(Geometry::kind), &f.geometry) {
            (Some(Kind::Point), Some(g)) => {
                let p = g.coords::<Pos>(n)?;
                (smallvec::smallvec![p.0], smallvec::smallvec![p.1], false)
            }
            (Some(Kind::LineString), Some(g)) => {
                let c: Vec<Pos> = g.coords(n)?;
                (c.iter().map(|p| p.0).collect(), c.iter().map(|p| p.1).collect(), true)
            }
            _ => return Err(format!("feature {n} ({id}): a working must be a Point or LineString")),
        };
        Ok(WorkingInput { id, licence_no, points, elevations, is_line })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_finds_the_same_features_as_serde() {
        let text = r#" { "features" : [
            {"type":"Feature","properties":{"licence_no":"A } { \" ] [","note":"\\"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}} ,
            {"type":"Feature","properties":{"licence_no":"B","n":-1.5e3,"t":true,"x":null},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}
          ], "type" : "FeatureCollection", "name": {"a": [1, {"b": "}"}]} }"#;
        let fast = scan::features(text.as_bytes()).expect("the scanner follows this");
        let slow: Collection = serde_json::from_str(text).unwrap();
        let slow: Vec<&str> = slow.features.unwrap().into_iter().map(RawValue::get).collect();
        let fast: Vec<&str> = fast.into_iter().map(|(a, b)| &text[a..b]).collect();
        assert_eq!(fast, slow);
        assert_eq!(parse_leases(text).unwrap()[0].licence_no, "A } { \" ] [");
        // Not a FeatureCollection, or not JSON: the scanner gives up and serde explains.
        assert!(scan::features(br#"{"type":"Feature","features":[]}"#).is_none());
        assert!(scan::features(b"{\"features\": [").is_none());
        assert!(parse_leases(r#"{"type":"FeatureCollection","features":[{"type":"Feature",]}"#).is_err());
    }

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
        assert_eq!(w[0].elevations.as_slice(), [Some(950.5)]);
        assert!(w[1].is_line && w[1].id == "d2" && w[1].elevations.as_slice() == [None, Some(900.0)]);
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
