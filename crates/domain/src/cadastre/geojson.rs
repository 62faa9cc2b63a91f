//! Reading leases and workings from GeoJSON FeatureCollections, as `minecoop cadastre check`
//! and imports take them. Features are found and read in one pass on all cores, by a
//! hand-written reader of the few members the cadastre needs; whatever it is not sure of goes
//! to serde_json, so the result is always serde_json's. Files are read a window at a time, so
//! that a file's text is never held whole. An unreadable feature is an error that names the
//! feature (numbered from 1) and what is wrong, and nothing is checked.

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::check::{LeaseInput, Vertices, WorkingInput};
use super::lease::RawMultiPolygon;

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
                Ok(Kind::of(v))
            }
        }
        d.deserialize_str(V)
    }
}

impl Kind {
    fn of(name: &str) -> Kind {
        match name {
            "Point" => Kind::Point,
            "LineString" => Kind::LineString,
            "Polygon" => Kind::Polygon,
            "MultiPolygon" => Kind::MultiPolygon,
            _ => Kind::Other,
        }
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
                let mut slot = first_error.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if slot.as_ref().is_none_or(|(j, _)| i < *j) {
                    *slot = Some((i, e));
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

    pub fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        }
        i
    }

    /// End (exclusive) of the string whose opening quote is at `i`.
    fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            let k = i + memchr2(b'"', b'\\', b.get(i..)?)?;
            if b[k] == b'\\' {
                i = k + 2;
            } else {
                return Some(k + 1);
            }
        }
    }

    /// End (exclusive) of the object or array opening at `i`. A plain byte loop: features are
    /// short and full of short strings, where jumping with memchr costs more than it saves.
    pub fn container_end(b: &[u8], i: usize) -> Option<usize> {
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

    /// Walks the top-level object of `b`. The value of each `"features"` member must open an
    /// array: `array` gets the position after its `[` and returns the position after its `]`.
    /// Returns whether `"type"` is `"FeatureCollection"`; None if this scanner cannot follow.
    pub fn collection(b: &[u8], mut array: impl FnMut(usize) -> Option<usize>) -> Option<bool> {
        let mut i = ws(b, 0);
        if b.get(i)? != &b'{' {
            return None;
        }
        i += 1;
        let mut kind_ok = false;
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
                    i = array(i + 1)?;
                }
                _ => i = value_end(b, i)?,
            }
        }
        Some(kind_ok)
    }

    /// Byte ranges of the features, if `b` is a FeatureCollection this scanner can follow.
    pub fn features(b: &[u8]) -> Option<Vec<(usize, usize)>> {
        let mut found = None;
        let kind_ok = collection(b, |mut i| {
            let mut v = Vec::new();
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
            Some(i)
        })?;
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

/// A hand-written reader for one feature, several times faster than serde_json for the few
/// members the cadastre reads. It is strict: whenever it is not certain to get exactly what
/// serde_json gets (an escape in a string it needs, a number as a licence number, a number
/// serde_json would round differently, a duplicate key, anything malformed...) it gives up, and
/// the feature goes to serde_json, which gives the same result or the usual error.
mod fast {
    use super::Kind;

    /// Values nested deeper than this inside a skipped member are left to serde_json.
    const MAX_DEPTH: u32 = 64;

    /// Exact powers of ten (up to 1e22 every power of ten is an `f64`).
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// What a geometry becomes: its coordinates read for the kinds a register takes.
    pub trait Shape: Sized {
        /// None for any other kind, or coordinates not of the form this kind needs.
        fn read(kind: Kind, r: &mut Reader<'_>) -> Option<Self>;
    }

    /// The members of a feature the cadastre reads (`null` and absent are both `None`).
    pub struct Feature<'a, G> {
        pub id: Option<&'a str>,
        pub props: Props<'a>,
        pub shape: G,
    }

    #[derive(Default)]
    pub struct Props<'a> {
        pub licence_no: Option<&'a str>,
        pub id: Option<&'a str>,
        pub elevation_top_m: Option<f64>,
        pub elevation_bottom_m: Option<f64>,
    }

    pub struct Reader<'a> {
        text: &'a str,
        /// The bytes of `text` this reader may look at.
        b: &'a [u8],
        i: usize,
    }

    /// A feature: the object opening at `start`, read from `text[..bound]`, and the position
    /// after it. None if serde_json should read it (including every feature that is an error:
    /// a feature without a geometry, for one, is an error for leases and workings alike).
    pub fn feature<G: Shape>(text: &str, bound: usize, start: usize) -> Option<(Feature<'_, G>, usize)> {
        let mut r = Reader { text, b: text.as_bytes().get(..bound)?, i: start };
        r.expect(b'{')?;
        let (mut id, mut props, mut shape) = (None, None, None);
        r.members(|r, key| {
            match key {
                b"id" if id.is_none() => id = Some(r.text()?),
                b"properties" if props.is_none() => props = Some(r.props()?),
                b"geometry" if shape.is_none() => shape = Some(r.geometry::<G>()?),
                // serde_json rejects a member given twice.
                b"id" | b"properties" | b"geometry" => return None,
                _ => r.skip(MAX_DEPTH)?,
            }
            Some(())
        })?;
        Some((Feature { id: id.flatten(), props: props.unwrap_or_default(), shape: shape? }, r.i))
    }

    enum Num {
        /// The value, exactly as serde_json and `str::parse` compute it.
        Exact(f64),
        /// A well-formed number this reader does not convert.
        Other,
    }

    impl<'a> Reader<'a> {
        #[inline]
        fn peek(&self) -> Option<u8> {
            self.b.get(self.i).copied()
        }

        #[inline]
        fn ws(&mut self) {
            while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
                self.i += 1;
            }
        }

        /// The next byte that is not blank, consumed.
        #[inline]
        fn token(&mut self) -> Option<u8> {
            self.ws();
            let c = self.peek()?;
            self.i += 1;
            Some(c)
        }

        #[inline]
        fn expect(&mut self, c: u8) -> Option<()> {
            (self.token()? == c).then_some(())
        }

        fn literal(&mut self, word: &[u8]) -> Option<()> {
            (self.b.get(self.i..self.i + word.len())? == word).then(|| self.i += word.len())
        }

        /// The rest of a string without escapes or control characters, after its opening quote.
        fn plain(&mut self) -> Option<&'a str> {
            let start = self.i;
            loop {
                match *self.b.get(self.i)? {
                    b'"' => {
                        self.i += 1;
                        return self.text.get(start..self.i - 1);
                    }
                    b'\\' | 0..=0x1f => return None,
                    _ => self.i += 1,
                }
            }
        }

        /// Skips the rest of a string after its opening quote, accepting what serde_json
        /// accepts in a string it ignores: the JSON escapes (`\u` with four hex digits, not
        /// checked for surrogates), no control characters.
        fn skip_str(&mut self) -> Option<()> {
            loop {
                let c = *self.b.get(self.i)?;
                self.i += 1;
                match c {
                    b'"' => return Some(()),
                    b'\\' => {
                        let e = *self.b.get(self.i)?;
                        self.i += 1;
                        match e {
                            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                            b'u' => {
                                let hex = self.b.get(self.i..self.i + 4)?;
                                if !hex.iter().all(u8::is_ascii_hexdigit) {
                                    return None;
                                }
                                self.i += 4;
                            }
                            _ => return None,
                        }
                    }
                    0..=0x1f => return None,
                    _ => {}
                }
            }
        }

        /// A number starting here (no blanks before it), in JSON's grammar. Its value is exact
        /// when its digits, without the decimal point, make an integer of at most 2^53 and its
        /// decimal exponent is within ±22: one multiplication or division of two exact `f64`
        /// then rounds correctly, and that is what both serde_json (without its
        /// `float_roundtrip` feature) and `str::parse::<f64>` compute. Outside that window
        /// serde_json's result may differ from the correctly rounded one, so those numbers are
        /// left to it.
        fn number(&mut self) -> Option<Num> {
            const MAX_EXACT: u64 = 1 << 53;
            let b = self.b;
            let mut i = self.i;
            let negative = b.get(i) == Some(&b'-');
            if negative {
                i += 1;
            }
            let mut sig: u64 = 0;
            let mut exp: i32 = 0;
            match *b.get(i)? {
                b'0' => i += 1,
                b'1'..=b'9' => {
                    while let Some(&c @ b'0'..=b'9') = b.get(i) {
                        // Past 2^53 the number is not converted: stop before u64 overflows.
                        if sig <= MAX_EXACT {
                            sig = sig * 10 + u64::from(c - b'0');
                        }
                        i += 1;
                    }
                }
                _ => return None,
            }
            if b.get(i) == Some(&b'.') {
                i += 1;
                let digits = i;
                while let Some(&c @ b'0'..=b'9') = b.get(i) {
                    if sig <= MAX_EXACT {
                        sig = sig * 10 + u64::from(c - b'0');
                        exp = exp.saturating_sub(1);
                    }
                    i += 1;
                }
                if i == digits {
                    return None;
                }
            }
            if let Some(b'e' | b'E') = b.get(i) {
                i += 1;
                let negative_exp = match b.get(i) {
                    Some(b'-') => {
                        i += 1;
                        true
                    }
                    Some(b'+') => {
                        i += 1;
                        false
                    }
                    _ => false,
                };
                let digits = i;
                let mut e: i32 = 0;
                while let Some(&c @ b'0'..=b'9') = b.get(i) {
                    e = (e * 10 + i32::from(c - b'0')).min(100_000);
                    i += 1;
                }
                if i == digits {
                    return None;
                }
                exp = exp.saturating_add(if negative_exp { -e } else { e });
            }
            self.i = i;
            if sig > MAX_EXACT || !(-22..=22).contains(&exp) {
                return Some(Num::Other);
            }
            // The same two operations as serde_json's `f64_from_parts` in this window.
            let f = sig as f64;
            let f = if exp >= 0 { f * POW10[exp as usize] } else { f / POW10[exp.unsigned_abs() as usize] };
            Some(Num::Exact(if negative { -f } else { f }))
        }

        /// A number read as an `f64`, after optional blanks.
        fn float(&mut self) -> Option<f64> {
            self.ws();
            match self.number()? {
                Num::Exact(f) => Some(f),
                Num::Other => None,
            }
        }

        /// Skips any JSON value, checking it as serde_json does when it ignores a value.
        fn skip(&mut self, depth: u32) -> Option<()> {
            self.ws();
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    self.skip_str()
                }
                b'{' => {
                    self.i += 1;
                    let depth = depth.checked_sub(1)?;
                    self.ws();
                    if self.peek()? == b'}' {
                        self.i += 1;
                        return Some(());
                    }
                    loop {
                        self.expect(b'"')?;
                        self.skip_str()?;
                        self.expect(b':')?;
                        self.skip(depth)?;
                        match self.token()? {
                            b',' => {}
                            b'}' => return Some(()),
                            _ => return None,
                        }
                    }
                }
                b'[' => {
                    let depth = depth.checked_sub(1)?;
                    self.array(|r| r.skip(depth))
                }
                b't' => self.literal(b"true"),
                b'f' => self.literal(b"false"),
                b'n' => self.literal(b"null"),
                _ => self.number().map(drop),
            }
        }

        /// The members of an object after its `{`: `member` reads each value, given its key (a
        /// key with an escape is left to serde_json, which would unescape it).
        fn members(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
            self.ws();
            if self.peek()? == b'}' {
                self.i += 1;
                return Some(());
            }
            loop {
                self.expect(b'"')?;
                let key = self.plain()?.as_bytes();
                self.expect(b':')?;
                member(self, key)?;
                match self.token()? {
                    b',' => {}
                    b'}' => return Some(()),
                    _ => return None,
                }
            }
        }

        /// An array (after optional blanks): `item` reads each element.
        pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
            self.expect(b'[')?;
            self.ws();
            if self.peek()? == b']' {
                self.i += 1;
                return Some(());
            }
            loop {
                item(self)?;
                match self.token()? {
                    b',' => {}
                    b']' => return Some(()),
                    _ => return None,
                }
            }
        }

        /// A position: x, y and an optional third number; further elements are skipped.
        pub fn position(&mut self) -> Option<([f64; 2], Option<f64>)> {
            self.expect(b'[')?;
            let x = self.float()?;
            self.expect(b',')?;
            let y = self.float()?;
            match self.token()? {
                b']' => return Some(([x, y], None)),
                b',' => {}
                _ => return None,
            }
            let z = self.float()?;
            loop {
                match self.token()? {
                    b']' => return Some(([x, y], Some(z))),
                    b',' => self.skip(MAX_DEPTH)?,
                    _ => return None,
                }
            }
        }

        /// A property read as text: a string without escapes, or `null`.
        fn text(&mut self) -> Option<Option<&'a str>> {
            self.ws();
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    Some(Some(self.plain()?))
                }
                b'n' => self.literal(b"null").map(|()| None),
                _ => None,
            }
        }

        /// A number or `null`.
        fn opt_float(&mut self) -> Option<Option<f64>> {
            self.ws();
            if self.peek()? == b'n' {
                return self.literal(b"null").map(|()| None);
            }
            self.float().map(Some)
        }

        fn props(&mut self) -> Option<Props<'a>> {
            let mut p = Props::default();
            self.ws();
            if self.peek()? == b'n' {
                return self.literal(b"null").map(|()| p);
            }
            self.expect(b'{')?;
            let mut seen = [false; 4];
            self.members(|r, key| {
                let k = match key {
                    b"licence_no" => 0,
                    b"id" => 1,
                    b"elevation_top_m" => 2,
                    b"elevation_bottom_m" => 3,
                    _ => return r.skip(MAX_DEPTH),
                };
                if std::mem::replace(&mut seen[k], true) {
                    return None;
                }
                match k {
                    0 => p.licence_no = r.text()?,
                    1 => p.id = r.text()?,
                    2 => p.elevation_top_m = r.opt_float()?,
                    _ => p.elevation_bottom_m = r.opt_float()?,
                }
                Some(())
            })?;
            Some(p)
        }

        /// A geometry object; its coordinates are read once its type is known.
        fn geometry<G: Shape>(&mut self) -> Option<G> {
            self.expect(b'{')?;
            let mut kind = None;
            let mut shape = None;
            let mut later = None;
            self.members(|r, key| {
                match key {
                    b"type" if kind.is_none() => {
                        r.expect(b'"')?;
                        kind = Some(Kind::of(r.plain()?));
                    }
                    b"coordinates" if shape.is_none() && later.is_none() => match kind {
                        Some(k) => shape = Some(G::read(k, r)?),
                        None => {
                            r.ws();
                            later = Some(r.i);
                            r.skip(MAX_DEPTH)?;
                        }
                    },
                    // serde_json would take the last; rare enough to leave to it.
                    b"type" | b"coordinates" => return None,
                    _ => r.skip(MAX_DEPTH)?,
                }
                Some(())
            })?;
            if let Some(at) = later {
                let end = self.i;
                self.i = at;
                shape = Some(G::read(kind?, self)?);
                self.i = end;
            }
            shape
        }
    }
}

/// How a run over part of a features array ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// At the first item (the position of a non-blank byte in the array) at or after the end of
    /// the part.
    At(usize),
    /// At the closing `]`: the position after it.
    Done(usize),
    /// A feature starting here runs past the bytes the run may read.
    Cut(usize),
    /// Something the scanner does not follow.
    Fail,
}

/// The features read by one run.
struct Run<T> {
    items: Vec<T>,
    /// Features seen, including any that failed.
    count: usize,
    /// The first feature that failed: its index in this run and where it is in the text.
    error: Option<(usize, usize, usize)>,
    stop: Stop,
}

/// Reads one feature: the fast reader if it can, serde_json otherwise.
trait Reading<T>: Sync {
    /// The feature opening at `start`, from `text[..bound]`, and the position after it.
    fn fast(&self, text: &str, bound: usize, start: usize) -> Option<(T, usize)>;
    /// serde_json on one feature, numbered `n` in messages.
    fn slow(&self, raw: &str, n: usize) -> Result<T, String>;
}

/// The same loop as the scanner's over the items of the features array, from the item at `at`
/// while items start before `limit`, reading each feature it meets into `items` (empty).
/// Features are read from `text[..bound]` only; `more` if the text goes on after `text`.
fn run<T>(
    text: &str,
    mut at: usize,
    limit: usize,
    bound: usize,
    more: bool,
    items: Vec<T>,
    r: &impl Reading<T>,
) -> Run<T> {
    let b = text.as_bytes();
    let mut out = Run { items, count: 0, error: None, stop: Stop::Fail };
    out.stop = loop {
        if at >= limit {
            break Stop::At(at);
        }
        match b[at] {
            b']' => break Stop::Done(at + 1),
            b',' => at = scan::ws(b, at + 1),
            b'{' => {
                let fast = if out.error.is_none() { r.fast(text, bound, at) } else { None };
                let end = match fast {
                    Some((v, end)) => {
                        out.items.push(v);
                        end
                    }
                    None => match scan::container_end(&b[..bound], at) {
                        Some(end) => {
                            if out.error.is_none() {
                                // Numbered in the message later, if it is the first error at all.
                                match r.slow(&text[at..end], 0) {
                                    Ok(v) => out.items.push(v),
                                    Err(_) => out.error = Some((out.count, at, end)),
                                }
                            }
                            end
                        }
                        None if more || bound < b.len() => break Stop::Cut(at),
                        None => break Stop::Fail,
                    },
                };
                out.count += 1;
                at = scan::ws(b, end);
            }
            _ => break Stop::Fail,
        }
    };
    out
}

/// The features of an array read so far, in order, and the first that failed.
struct Found<T> {
    items: Vec<T>,
    /// Features seen, including any that failed.
    count: usize,
    /// The first feature that failed: its number and its text.
    error: Option<(usize, String)>,
    /// Where the array starts and the text ends, to guess how many features there are.
    first: usize,
    total: usize,
    /// Emptied vectors of merged runs, for the next runs: no fresh memory for every part.
    spare: Vec<Vec<T>>,
}

impl<T> Found<T> {
    fn new(first: usize, total: usize) -> Self {
        Found { items: Vec::new(), count: 0, error: None, first, total, spare: Vec::new() }
    }

    /// Adds a run over `text`, having read the array up to `reached` (from the start of the
    /// whole text).
    fn absorb(&mut self, run: Run<T>, text: &str, reached: usize) {
        if self.error.is_none() {
            if let Some((k, a, e)) = run.error {
                self.error = Some((self.count + k + 1, text[a..e].to_owned()));
                // The result is an error: free what was read.
                self.items = Vec::new();
            } else {
                if self.items.len() + run.items.len() > self.items.capacity() {
                    // Reserve once for the whole array, guessing from what was read so far:
                    // a vector that grows by copying would double the peak memory.
                    let read = reached.saturating_sub(self.first).max(1);
                    let span = self.total.saturating_sub(self.first).max(read);
                    let guess = (self.count + run.count) as f64 * span as f64 / read as f64;
                    let total = ((guess * 1.05) as usize + 16).max(self.items.len() + run.items.len());
                    self.items.reserve_exact(total - self.items.len());
                }
                let mut items = run.items;
                self.items.append(&mut items);
                self.spare.push(items);
            }
        }
        self.count += run.count;
    }

    fn buffer(&mut self) -> Vec<T> {
        self.spare.pop().unwrap_or_default()
    }

    /// The features, or serde_json's message for the first that failed.
    fn result(self, r: &impl Reading<T>) -> Result<Vec<T>, String> {
        match self.error {
            None => Ok(self.items),
            Some((n, raw)) => Err(match r.slow(&raw, n) {
                Err(message) => message,
                Ok(_) => format!("feature {n}: cannot be read"),
            }),
        }
    }
}

/// Where reading (part of) a features array ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// After the array's `]`.
    Done(usize),
    /// At an item not (wholly) in the text, which goes on.
    More(usize),
}

/// Putting the runs together in order, checking each guess of where a part starts.
struct Merge<'f, T> {
    /// The next item of the array, known for certain.
    at: usize,
    /// The next part to merge.
    next: usize,
    /// Runs finished before their turn.
    ready: Vec<Option<Run<T>>>,
    /// Some(Some(end)) once this text is read; Some(None) once it cannot be followed.
    end: Option<Option<End>>,
    found: &'f mut Found<T>,
}

/// The parts a features array is read in, by `threads` threads: the first starts at the
/// array's first item, the others at a guessed one, `{` after a comma.
fn parts(b: &[u8], first: usize, threads: usize, chunk: Option<usize>) -> (Vec<usize>, usize) {
    let chunk = chunk.unwrap_or(((b.len() - first) / (threads * 16)).clamp(64 << 10, 1 << 20)).max(1);
    let mut bounds = vec![first];
    let mut x = first + chunk;
    while x < b.len() {
        let Some(k) = memchr::memchr(b'{', &b[x..]) else { break };
        let p = x + k;
        let before = b[..p].iter().rposition(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'));
        if before.is_some_and(|j| b[j] == b',') {
            bounds.push(p);
            x = p + chunk;
        } else {
            x = p + 1;
        }
    }
    bounds.push(b.len());
    (bounds, chunk)
}

/// Runs a closure if dropped while unwinding.
struct OnPanic<F: Fn()>(F);

impl<F: Fn()> Drop for OnPanic<F> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            (self.0)();
        }
    }
}

/// Reads the items of a features array from `start` (just after its `[`, or at an item) to the
/// end of `text` on all cores, scanning and parsing in one pass, into `found`. `text` starts at
/// `offset` in the whole text, and `more` says whether the whole text goes on after it.
///
/// The text is cut into parts at guessed starts of features; each part is read on its own, and
/// the parts are joined in order, each only if the part before it ended exactly where it starts
/// (otherwise that part is read again from where the one before it ended). So the features
/// found are exactly the scanner's, whatever the layout; guessing well only makes it fast.
/// None if the scanner would not follow the array.
fn read_array<T: Send>(
    text: &str,
    start: usize,
    offset: usize,
    more: bool,
    chunk: Option<usize>,
    found: &mut Found<T>,
    r: &impl Reading<T>,
) -> Option<End> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex, PoisonError};

    let b = text.as_bytes();
    let first = scan::ws(b, start);
    let threads = rayon::current_num_threads().max(1);
    let (bounds, chunk) = parts(b, first, threads, chunk);
    let n_parts = bounds.len() - 1;
    // Features are read ahead of the merge by at most this many parts, bounding the memory of
    // parts waiting to be merged.
    let ahead = threads + 1;
    let merge = Mutex::new(Merge { at: first, next: 0, ready: (0..n_parts).map(|_| None).collect(), end: None, found });
    let merged = Condvar::new();
    let taken = AtomicUsize::new(0);
    let work = || {
        // Should a run panic, the threads waiting for its part stop (and the panic goes on).
        let _stop = OnPanic(|| {
            merge.lock().unwrap_or_else(PoisonError::into_inner).end.get_or_insert(None);
            merged.notify_all();
        });
        loop {
            let j = taken.fetch_add(1, Ordering::Relaxed);
            if j >= n_parts {
                return;
            }
            let items = {
                let mut m = merge.lock().unwrap_or_else(PoisonError::into_inner);
                while m.end.is_none() && j > m.next + ahead {
                    m = merged.wait(m).unwrap_or_else(PoisonError::into_inner);
                }
                if m.end.is_some() {
                    return;
                }
                m.found.buffer()
            };
            // A run may read past its part to finish its last feature, but not without bound:
            // a guess inside a string could otherwise scan to the end of the text from every
            // part.
            let bound = bounds[j + 1].saturating_add(4 * chunk).min(b.len());
            let done = run(text, bounds[j], bounds[j + 1], bound, more, items, r);
            let mut m = merge.lock().unwrap_or_else(PoisonError::into_inner);
            m.ready[j] = Some(done);
            while m.end.is_none() && m.next < n_parts {
                let k = m.next;
                let Some(mut done) = m.ready[k].take() else { break };
                m.next += 1;
                let (lo, hi) = (bounds[k], bounds[k + 1]);
                if m.at >= hi {
                    // The true items skip this part (a feature spans it).
                    continue;
                }
                let mut bounded = true;
                if m.at != lo {
                    // The guess was wrong: read this part again from the true item.
                    let items = m.found.buffer();
                    done = run(text, m.at, hi, b.len(), more, items, r);
                    bounded = false;
                }
                loop {
                    let stop = done.stop;
                    let reached = match stop {
                        Stop::At(p) | Stop::Cut(p) | Stop::Done(p) => p,
                        Stop::Fail => b.len(),
                    };
                    m.found.absorb(done, text, offset + reached);
                    match stop {
                        Stop::At(p) => m.at = p,
                        Stop::Done(p) => m.end = Some(Some(End::Done(p))),
                        Stop::Fail => m.end = Some(None),
                        // Only the text after this one has the rest of this feature.
                        Stop::Cut(p) if !bounded => m.end = Some(Some(End::More(p))),
                        Stop::Cut(p) => {
                            let items = m.found.buffer();
                            done = run(text, p, hi, b.len(), more, items, r);
                            bounded = false;
                            continue;
                        }
                    }
                    break;
                }
            }
            drop(m);
            merged.notify_all();
        }
    };
    if n_parts == 1 || threads == 1 {
        work();
    } else {
        rayon::scope(|s| {
            for _ in 0..threads {
                s.spawn(|_| work());
            }
        });
    }
    let m = merge.into_inner().unwrap_or_else(PoisonError::into_inner);
    match m.end {
        Some(end) => end,
        // Every part read and no `]`: the item at the end of this text.
        None if more => Some(End::More(m.at)),
        None => None,
    }
}

/// Reads a FeatureCollection: in one parallel pass when the scanner can follow it, else as
/// before (all of it through serde_json). Either way the features and the first error are the
/// same.
fn parse_collection<T: Send + Default>(
    text: &str,
    chunk: Option<usize>,
    r: &impl Reading<T>,
) -> Result<Vec<T>, String> {
    let mut found = None;
    let kind_ok = scan::collection(text.as_bytes(), |start| {
        if found.is_some() {
            // A second "features" member (the scanner keeps the last): rare enough to leave
            // to the general path.
            return None;
        }
        let mut f = Found::new(start, text.len());
        let end = read_array(text, start, 0, false, chunk, &mut f, r)?;
        found = Some(f);
        match end {
            End::Done(p) => Some(p),
            End::More(_) => None,
        }
    });
    if let (Some(true), Some(found)) = (kind_ok, found) {
        return found.result(r);
    }
    let raw = features(text)?;
    parse_all(&raw, |raw, n| r.slow(raw, n))
}

/// A file read a window at a time.
struct Window {
    file: std::fs::File,
    buf: Vec<u8>,
    /// Where `buf` starts in the file.
    offset: usize,
    eof: bool,
}

impl Window {
    /// Reads `block` more bytes, or as many as the window holds if more (so that a feature
    /// longer than a block is not read again and again), or up to the end of the file.
    fn fill(&mut self, block: usize) -> Option<()> {
        use std::io::Read;
        let want = block.max(self.buf.len());
        // Room for what is kept of the last block too: the same memory serves every block.
        let need = self.buf.len() + want;
        self.buf.reserve(need.max(2 * block) - self.buf.len());
        let n = (&mut self.file).take(want as u64).read_to_end(&mut self.buf).ok()?;
        self.eof = n < want;
        Some(())
    }

    /// The window as text, up to its last whole character while the file goes on.
    fn text(&self) -> Option<&str> {
        match std::str::from_utf8(&self.buf) {
            Ok(text) => Some(text),
            Err(e) if e.error_len().is_none() && !self.eof => std::str::from_utf8(&self.buf[..e.valid_up_to()]).ok(),
            Err(_) => None,
        }
    }

    /// Forgets the file before `to`.
    fn advance(&mut self, to: usize) {
        self.buf.drain(..to - self.offset);
        self.offset = to;
    }
}

/// Reads a FeatureCollection file a window of `block` bytes at a time, so that its text is
/// never held whole; the top-level members before and after the features array are walked as
/// `parse_collection` walks them. None whenever the file is anything but a FeatureCollection
/// this can follow (or cannot be read, or is not UTF-8): then it is read whole, as before.
fn stream<T: Send>(
    path: &std::path::Path,
    block: usize,
    chunk: Option<usize>,
    r: &impl Reading<T>,
) -> Option<Result<Vec<T>, String>> {
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    // Not a pipe, say: it could not be read again, whole, should this give up.
    if !meta.is_file() {
        return None;
    }
    let total = usize::try_from(meta.len()).ok()?;
    let mut w = Window { file, buf: Vec::new(), offset: 0, eof: false };
    // The top level up to the features array.
    let start = loop {
        w.fill(block)?;
        let mut start = None;
        scan::collection(w.text()?.as_bytes(), |i| {
            start = Some(i);
            None
        });
        match start {
            Some(start) => break start,
            None if w.eof => return None,
            None => {}
        }
    };
    let mut top = w.buf[..start].to_vec();
    let mut found = Found::new(start, total);
    let mut at = start;
    loop {
        let text = w.text()?;
        match read_array(text, at - w.offset, w.offset, !w.eof, chunk, &mut found, r)? {
            End::Done(p) => {
                at = w.offset + p;
                break;
            }
            End::More(p) => {
                at = w.offset + p;
                w.advance(at);
                w.fill(block)?;
            }
        }
    }
    // The rest of the top level, walked with what came before the array (the array itself
    // left out, as the scanner steps over it).
    w.advance(at);
    while !w.eof {
        w.fill(block)?;
    }
    top.push(b']');
    top.extend_from_slice(w.text()?.as_bytes());
    drop(w);
    let mut arrays = 0;
    let kind_ok = scan::collection(&top, |i| {
        arrays += 1;
        (arrays == 1).then_some(i + 1)
    });
    (kind_ok == Some(true)).then(|| found.result(r))
}

/// Files are read this many bytes at a time.
const BLOCK: usize = 16 << 20;

/// Rings are read into one scratch vector and copied out at their exact size: a register keeps
/// a hundred thousand of them while the workings are read.
impl fast::Shape for RawMultiPolygon {
    fn read(kind: Kind, r: &mut fast::Reader<'_>) -> Option<Self> {
        fn polygon(r: &mut fast::Reader<'_>, scratch: &mut Vec<[f64; 2]>) -> Option<Vec<Vec<[f64; 2]>>> {
            let mut rings = Vec::with_capacity(1);
            r.array(|r| {
                scratch.clear();
                r.array(|r| {
                    scratch.push(r.position()?.0);
                    Some(())
                })?;
                rings.push(scratch.to_vec());
                Some(())
            })?;
            Some(rings)
        }
        let mut scratch = Vec::new();
        match kind {
            Kind::Polygon => Some(vec![polygon(r, &mut scratch)?]),
            Kind::MultiPolygon => {
                let mut parts = Vec::with_capacity(1);
                r.array(|r| {
                    parts.push(polygon(r, &mut scratch)?);
                    Some(())
                })?;
                Some(parts)
            }
            _ => None,
        }
    }
}

struct Leases;

impl Reading<LeaseInput> for Leases {
    fn fast(&self, text: &str, bound: usize, start: usize) -> Option<(LeaseInput, usize)> {
        let (f, end) = fast::feature::<RawMultiPolygon>(text, bound, start)?;
        let licence_no = trimmed(f.props.licence_no?.to_owned());
        if licence_no.is_empty() {
            return None;
        }
        let lease = LeaseInput {
            licence_no,
            rings: f.shape,
            elevation_top_m: f.props.elevation_top_m,
            elevation_bottom_m: f.props.elevation_bottom_m,
        };
        Some((lease, end))
    }

    fn slow(&self, r: &str, n: usize) -> Result<LeaseInput, String> {
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
    }
}

/// Leases: Polygon or MultiPolygon features with a unique `licence_no` and optional
/// `elevation_top_m` / `elevation_bottom_m`.
pub fn parse_leases(text: &str) -> Result<Vec<LeaseInput>, String> {
    unique(parse_collection(text, None, &Leases)?)
}

/// `parse_leases` on a file, read a window at a time: its text is never held whole. The outer
/// error is that of reading the file, as `std::fs::read_to_string` gives it.
pub fn read_leases(path: &std::path::Path) -> std::io::Result<Result<Vec<LeaseInput>, String>> {
    match stream(path, BLOCK, None, &Leases) {
        Some(leases) => Ok(leases.and_then(unique)),
        None => Ok(parse_leases(&std::fs::read_to_string(path)?)),
    }
}

fn unique(leases: Vec<LeaseInput>) -> Result<Vec<LeaseInput>, String> {
    let mut seen = std::collections::HashMap::with_capacity(leases.len());
    for (i, l) in leases.iter().enumerate() {
        if let Some(first) = seen.insert(l.licence_no.as_str(), i + 1) {
            return Err(format!("feature {}: licence_no {:?} is already used by feature {first}", i + 1, l.licence_no));
        }
    }
    Ok(leases)
}

/// The vertices of a working, as `WorkingInput` keeps them.
struct Track {
    points: Vertices<[f64; 2]>,
    elevations: Vertices<Option<f64>>,
    is_line: bool,
}

impl fast::Shape for Track {
    fn read(kind: Kind, r: &mut fast::Reader<'_>) -> Option<Self> {
        match kind {
            Kind::Point => {
                let (p, z) = r.position()?;
                Some(Track { points: smallvec::smallvec![p], elevations: smallvec::smallvec![z], is_line: false })
            }
            Kind::LineString => {
                let mut c = Vec::new();
                r.array(|r| {
                    c.push(r.position()?);
                    Some(())
                })?;
                let points = c.iter().map(|p| p.0).collect();
                Some(Track { points, elevations: c.iter().map(|p| p.1).collect(), is_line: true })
            }
            _ => None,
        }
    }
}

struct Workings;

impl Reading<WorkingInput> for Workings {
    fn fast(&self, text: &str, bound: usize, start: usize) -> Option<(WorkingInput, usize)> {
        let (f, end) = fast::feature::<Track>(text, bound, start)?;
        let id = f.props.id.or(f.id)?.into();
        let licence_no = Text(f.props.licence_no?.into()).into_compact();
        let Track { points, elevations, is_line } = f.shape;
        Some((WorkingInput { id, licence_no, points, elevations, is_line }, end))
    }

    fn slow(&self, r: &str, n: usize) -> Result<WorkingInput, String> {
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
    }
}

/// Workings: Point or LineString features with `id` and `licence_no`; a third coordinate is the
/// elevation in metres.
pub fn parse_workings(text: &str) -> Result<Vec<WorkingInput>, String> {
    parse_collection(text, None, &Workings)
}

/// `parse_workings` on a file, read a window at a time: its text is never held whole. The
/// outer error is that of reading the file, as `std::fs::read_to_string` gives it.
pub fn read_workings(path: &std::path::Path) -> std::io::Result<Result<Vec<WorkingInput>, String>> {
    match stream(path, BLOCK, None, &Workings) {
        Some(workings) => Ok(workings),
        None => Ok(parse_workings(&std::fs::read_to_string(path)?)),
    }
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

    use proptest::prelude::*;
    use std::fmt::Debug;

    fn show<T: Debug>(v: &T) -> String {
        format!("{v:?}")
    }

    /// Whether the fast reader reads `feature` by itself; when it does, it must read exactly
    /// what serde_json reads, and stop at the feature's end.
    fn fast_reads<T: Debug>(r: &impl Reading<T>, feature: &str) -> bool {
        match r.fast(feature, feature.len(), 0) {
            Some((v, end)) => {
                assert_eq!(end, feature.len(), "{feature}");
                let slow = r.slow(feature, 1).unwrap_or_else(|e| panic!("serde_json: {e} for {feature}"));
                assert_eq!(show(&v), show(&slow), "{feature}");
                true
            }
            None => false,
        }
    }

    /// The features and first error as the scanner and serde_json alone find them.
    fn old<T: Send + Default>(text: &str, r: &impl Reading<T>) -> Result<Vec<T>, String> {
        let raw = features(text)?;
        parse_all(&raw, |raw, n| r.slow(raw, n))
    }

    /// The one-pass reader, with parts of every size from one byte, gives what the scanner and
    /// serde_json give: the same features or the same message; and so does reading the text
    /// from a file in blocks of any size, when it does not leave the file to them.
    fn same_as_old<T: Send + Default + Debug>(text: &str, r: &impl Reading<T>) {
        let want = show(&old(text, r));
        for chunk in [None, Some(1), Some(2), Some(3), Some(5), Some(8), Some(13), Some(40), Some(100), Some(1000)] {
            assert_eq!(show(&parse_collection(text, chunk, r)), want, "parts of {chunk:?} bytes in {text}");
        }
        let path = temp_file(text.as_bytes());
        for block in [1, 2, 7, 64, 1000, BLOCK] {
            for chunk in [None, Some(3)] {
                if let Some(got) = stream(&path, block, chunk, r) {
                    assert_eq!(show(&got), want, "blocks of {block} bytes, parts of {chunk:?} in {text}");
                }
            }
        }
        std::fs::remove_file(path).unwrap();
    }

    /// A new file holding `bytes`.
    fn temp_file(bytes: &[u8]) -> std::path::PathBuf {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("minecoop-geojson-test-{}-{n}.json", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn collection(features: &[&str]) -> String {
        format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}", features.join(",\n"))
    }

    const POINT: &str = r#"{"type":"Feature","properties":{"id":"w0-0","licence_no":"C5200002000000000000000"},"geometry":{"type":"Point","coordinates":[400522.47,2900482.21,847.4]}}"#;

    #[test]
    fn the_fast_reader_reads_workings_as_serde_does() {
        let read = [
            POINT,
            // Key orders, coordinates before the type, blanks everywhere.
            r#"{"geometry":{"coordinates":[1,2],"type":"Point"},"properties":{"licence_no":"A","id":"w1"},"type":"Feature"}"#,
            "{ \"type\" : \"Feature\" ,\n\t\"properties\" : { \"id\" : \"w1\" ,\r\n \"licence_no\" : \"A\" } ,\n \"geometry\" : { \"type\" : \"Point\" , \"coordinates\" : [ 1.5 , -2 , 3e2 ] } }",
            // Foreign members of every kind, escapes in strings nobody reads, nested objects.
            r#"{"type":"Feature","bbox":[1,2,3,4],"x":{"a":[1,{"b":"}\"]{"}],"c":null,"d":true,"e":false,"f":-1.5e-3,"g":[],"h":{}},"properties":{"id":"w1","licence_no":"A","note":"a \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800","name":"Mine é 中","elevation_top_m":null},"geometry":{"type":"Point","bbox":[0,0,1,1],"coordinates":[1,2,3,"x",{"y":[null]}]}}"#,
            // The id at the top level, or at both levels (properties win), or null in properties.
            r#"{"type":"Feature","id":"d2","properties":{"licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"type":"Feature","id":"d2","properties":{"id":"p2","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"type":"Feature","id":"d2","properties":{"id":null,"licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"id":null,"properties":{"id":"p","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            // Licence numbers are trimmed, ids are not.
            r#"{"properties":{"id":" w 1 ","licence_no":"  A 1 "},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"","licence_no":""},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            // Lines, 2-D and 3-D vertices mixed, empty.
            r#"{"properties":{"id":"l","licence_no":"A"},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4,900],[5,6,-7.25,0]]}}"#,
            r#"{"properties":{"id":"l","licence_no":"A"},"geometry":{"type":"LineString","coordinates":[]}}"#,
            r#"{"properties":{"id":"l","licence_no":"A"},"geometry":{"coordinates":[[1,2]],"type":"LineString"}}"#,
            // Numbers at the edges of what is converted here.
            r#"{"properties":{"id":"n","licence_no":"A","elevation_top_m":-0,"elevation_bottom_m":1E+22},"geometry":{"type":"Point","coordinates":[-0.0,9007199254740992,1e-22]}}"#,
            r#"{"properties":{"id":"n","licence_no":"A"},"geometry":{"type":"Point","coordinates":[0.000001,12.5e-1,40052247000e-13]}}"#,
            // A licence of a lease and the properties of a working may share a file.
            r#"{"properties":{"id":"n","licence_no":"A","elevation_top_m":1200,"elevation_bottom_m":800},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
        ];
        for f in read {
            assert!(fast_reads(&Workings, f), "the fast reader gives up on {f}");
            same_as_old(&collection(&[f, POINT, f]), &Workings);
        }
        // Left to serde_json: it reads them (differently from what a naive reader would) or
        // says what is wrong. Either way the result is serde_json's.
        let left = [
            // Numbers as text.
            r#"{"properties":{"id":42,"licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":4.5e1},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"id":-7,"properties":{"licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            // Escapes in what is read: in a value, in a key, in the geometry type.
            r#"{"properties":{"id":"w\u0031","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence\u005fno":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Po\u0069nt","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A\ud800"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            // Duplicate keys: errors, or the last one for the geometry.
            r#"{"properties":{"id":"w","id":"v","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Polygon","type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1],"coordinates":[1,2]}}"#,
            // Numbers serde_json rounds its own way (3e23 is not the nearest double to 3e23
            // there), or does not accept.
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[3e23,2.48534153485358512e-10]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1e400,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[01,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1.,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[-,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1e,2]}}"#,
            // Malformed: trailing commas, a control character, a bad escape, a bad literal.
            r#"{"properties":{"id":"w","licence_no":"A",},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2,]}}"#,
            "{\"properties\":{\"id\":\"w\",\"licence_no\":\"A\",\"x\":\"a\tb\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}",
            r#"{"properties":{"id":"w","licence_no":"A","x":"\x"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A","x":"\u12G4"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A","x":tru},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            // Wrong shapes and types.
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":null}"#,
            r#"{"properties":{"id":"w","licence_no":"A"}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":null}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point"}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"coordinates":[1,2]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,null]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2,null]}}"#,
            r#"{"properties":{"id":"w","licence_no":"A","elevation_top_m":"1200"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":["w","A"],"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":null,"id":"w","geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            // Deeper than the fast reader follows (serde_json does not limit ignored values).
            &format!(
                r#"{{"properties":{{"id":"w","licence_no":"A","x":{}{}}},"geometry":{{"type":"Point","coordinates":[1,2]}}}}"#,
                "[".repeat(100),
                "]".repeat(100)
            ),
        ];
        for f in left {
            assert!(!fast_reads(&Workings, f), "the fast reader should leave {f} to serde_json");
            same_as_old(&collection(&[POINT, f, POINT]), &Workings);
        }
    }

    #[test]
    fn the_fast_reader_reads_leases_as_serde_does() {
        let read = [
            r#"{"type":"Feature","properties":{"licence_no":"C5200002000000000000000","elevation_top_m":1300,"elevation_bottom_m":700},"geometry":{"type":"Polygon","coordinates":[[[400808,2900500],[400786,2900786],[400500,2900921],[400808,2900500]]]}}"#,
            // A hole, 3-D vertices, extra members, the type last, a top-level id.
            r#"{"id":"x","geometry":{"coordinates":[[[0,0,5],[10,0,5],[10,10],[0,0]],[[2,2],[3,2],[3,3],[2,2]]],"crs":{"a":1},"type":"Polygon"},"properties":{"licence_no":" L1 ","id":"y","elevation_top_m":null}}"#,
            // Parts with holes.
            r#"{"properties":{"licence_no":"M"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]],[[[5,5],[6,5],[6,6],[5,5]]]]}}"#,
            // Empty coordinates are read (and found invalid later).
            r#"{"properties":{"licence_no":"E"},"geometry":{"type":"Polygon","coordinates":[]}}"#,
            r#"{"properties":{"licence_no":"E"},"geometry":{"type":"MultiPolygon","coordinates":[[],[[]]]}}"#,
            // A working's properties in a lease file are read as serde_json reads them.
            r#"{"properties":{"licence_no":"P","id":null},"geometry":{"type":"Polygon","coordinates":[[[0.5,1e2],[1,0],[0,0]]]}}"#,
        ];
        for f in read {
            assert!(fast_reads(&Leases, f), "the fast reader gives up on {f}");
            same_as_old(&collection(&[f]), &Leases);
        }
        let left = [
            r#"{"properties":{"licence_no":42},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"properties":{"licence_no":"  "},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"properties":{"licence_no":"A"},"geometry":{"type":"Point","coordinates":[0,0]}}"#,
            r#"{"properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[0,0],[1,0]]}}"#,
            r#"{"properties":{"licence_no":"A"},"geometry":{"type":"MultiPolygon","coordinates":[[[0,0],[1,0]]]}}"#,
            r#"{"id":5,"properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"id":{},"properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"properties":null,"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"geometry":null}"#,
        ];
        for f in left {
            assert!(!fast_reads(&Leases, f), "the fast reader should leave {f} to serde_json");
            same_as_old(&collection(&[f]), &Leases);
        }
    }

    #[test]
    fn the_one_pass_reader_finds_the_scanners_features_in_any_layout() {
        let lease = |n: usize| {
            format!(
                r#"{{"type":"Feature","properties":{{"licence_no":"L{n}"}},"geometry":{{"type":"Polygon","coordinates":[[[{n},0],[{n}.5,0],[{n}.5,1],[{n},0]]]}}}}"#
            )
        };
        let many: Vec<String> = (0..40).map(lease).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        // A feature far longer than a part, and foreign members that look like the start of a
        // feature: `,{` in strings and in arrays of objects.
        let long = format!(
            r#"{{"type":"Feature","properties":{{"licence_no":"LONG","a":",{{\",{{","b":[{{"c":1}},{{"d":[{{}},{{}}]}}]}},"geometry":{{"type":"Polygon","coordinates":[[{}[0,0]]]}}}}"#,
            "[1,2],".repeat(300)
        );
        let docs = [
            collection(&many),
            collection(&[]),
            format!("{{\"features\":[{}],\"type\":\"FeatureCollection\"}}", many.join(",")),
            format!(
                " {{ \"name\" : \"x\", \"features\" : [ {} , ] , \"type\" : \"FeatureCollection\" , \"crs\" : {{ \"a\" : [ {{ }} ] }} }} ",
                many.join(" ,, ")
            ),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}\n]}}", many.join(",\n\n      ")),
            collection(&[many[0], &long, many[1], &long, &long]),
            // Pretty-printed: features over several lines.
            format!(
                "{{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n    {}\n  ]\n}}\n",
                many.iter()
                    .map(|f| f.replace(",", ",\n      ").replace("{", "{\n      "))
                    .collect::<Vec<_>>()
                    .join(",\n    ")
            ),
            // Features without commas between them: the scanner reads them all the same.
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}]}}", many.join("")),
        ];
        for doc in &docs {
            assert!(old(doc, &Leases).is_ok(), "{doc}");
            same_as_old(doc, &Leases);
            same_as_old(doc, &Workings);
            // Files like these are read a block at a time, not whole.
            let path = temp_file(doc.as_bytes());
            for block in [1, 5, 300, BLOCK] {
                assert!(stream(&path, block, None, &Leases).is_some(), "blocks of {block} bytes: {doc}");
            }
            std::fs::remove_file(path).unwrap();
        }
        // Documents the scanner does not follow, or that are not FeatureCollections: serde_json
        // says what is wrong, as before.
        let bad = [
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}", many.join(",")),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{},]", many.join(",")),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}]", many.join(",")),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{},3]}}", many.join(",")),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}]}}", many.join(",").replacen("}}", "}", 7)),
            format!("{{\"type\":\"Feature\",\"features\":[{}]}}", many.join(",")),
            format!("{{\"features\":[{}]}}", many.join(",")),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}],\"features\":[]}}", many.join(",")),
            format!("{{\"type\":\"FeatureCollection\",\"features\":[{}]}}  x", many.join(",")),
            "{\"type\":\"FeatureCollection\",\"features\":[{\"a\":\"\\".to_owned(),
            "{\"type\":\"FeatureCollection\",\"features\":[".to_owned(),
            "{\"type\":\"FeatureCollection\",\"features\":{}}".to_owned(),
            "{\"type\":\"FeatureCollection\"}".to_owned(),
            "{\"\\".to_owned(),
            String::new(),
        ];
        for doc in &bad {
            same_as_old(doc, &Leases);
            same_as_old(doc, &Workings);
        }
        // A bad feature among good ones: its number and serde_json's message, from any part.
        for k in [0, 1, 17, 39] {
            let mut v = many.clone();
            let broken = many[k].replace("\"Polygon\"", "\"Polygon\",\"x\":tru");
            v[k] = &broken;
            let doc = collection(&v);
            assert!(old(&doc, &Leases).unwrap_err().starts_with(&format!("feature {}: ", k + 1)));
            same_as_old(&doc, &Leases);
            // And if the structure after it is broken too, serde_json's whole-file message.
            same_as_old(&doc[..doc.len() - 3], &Leases);
        }
    }

    #[test]
    fn files_are_read_as_their_text_is_parsed() {
        let lease = r#"{"type":"Feature","properties":{"licence_no":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
        let texts = [
            collection(&[POINT, POINT]),
            collection(&[lease, lease]),
            collection(&[lease, POINT]),
            // Characters of several bytes, cut by blocks of one byte.
            collection(&[&POINT.replace("w0-0", "puits-é-中-😀"), lease]),
            "{\"type\":\"Feature\"}".to_owned(),
            "not json".to_owned(),
        ];
        for text in &texts {
            let path = temp_file(text.as_bytes());
            assert_eq!(show(&read_leases(&path).unwrap()), show(&parse_leases(text)), "{text}");
            assert_eq!(show(&read_workings(&path).unwrap()), show(&parse_workings(text)), "{text}");
            std::fs::remove_file(path).unwrap();
        }
        // A file that cannot be read, or is not UTF-8: the error of reading it whole.
        let path = temp_file(b"{\"type\":\"FeatureCollection\",\"features\":[{\"a\":\"\xff\"}]}");
        let want = std::fs::read_to_string(&path).unwrap_err();
        for e in [read_workings(&path).unwrap_err(), read_leases(&path).unwrap_err()] {
            assert_eq!((e.kind(), e.to_string()), (want.kind(), want.to_string()));
        }
        std::fs::remove_file(&path).unwrap();
        let e = read_leases(&path).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(e.to_string(), std::fs::read_to_string(&path).unwrap_err().to_string());
    }

    /// JSON text for random values: what GeoJSON files hold, and what they should not.
    mod json {
        use proptest::prelude::*;

        pub fn blank() -> BoxedStrategy<String> {
            prop_oneof![8 => Just(""), 1 => Just(" "), 1 => Just("\n  "), 1 => Just(" \t\r\n ")]
                .prop_map(str::to_owned)
                .boxed()
        }

        pub fn number() -> BoxedStrategy<String> {
            let digits = |n| {
                prop::collection::vec(0u8..10, 1..n).prop_map(|d| d.iter().map(|d| d.to_string()).collect::<String>())
            };
            // Mostly numbers as surveys write them; sometimes long ones, beyond what is converted.
            let int = prop_oneof![
                3 => Just("0".to_owned()),
                10 => (1u32..10_000_000).prop_map(|n| n.to_string()),
                1 => (1u8..10, digits(19)).prop_map(|(a, b)| format!("{a}{b}")),
            ];
            let frac = prop::option::weighted(0.6, prop_oneof![10 => digits(7), 1 => digits(20)]);
            let exp = prop::option::weighted(
                0.15,
                (
                    prop_oneof![Just("e"), Just("E")],
                    prop_oneof![Just(""), Just("+"), Just("-")],
                    prop_oneof![10 => 0u32..25, 1 => 0u32..400],
                ),
            );
            let good = (any::<bool>(), int, frac, exp).prop_map(|(neg, i, f, e)| {
                let mut s = format!("{}{i}", if neg { "-" } else { "" });
                if let Some(f) = f {
                    s += &format!(".{f}");
                }
                if let Some((e, sign, x)) = e {
                    s += &format!("{e}{sign}{x}");
                }
                s
            });
            let bad = prop_oneof![
                Just("01"),
                Just("1."),
                Just("-"),
                Just(".5"),
                Just("1e"),
                Just("+1"),
                Just("1e+"),
                Just("NaN")
            ]
            .prop_map(str::to_owned);
            prop_oneof![30 => good, 1 => bad].boxed()
        }

        /// A JSON string, quotes included.
        pub fn string() -> BoxedStrategy<String> {
            let piece = prop_oneof![
                40 => "[a-zA-Z0-9 _-]{0,6}".prop_map(|s| s),
                4 => prop::sample::select(vec!["é", "中", "😀", "}", "{", ",{", "]", "[", "\\\"", ":"]).prop_map(str::to_owned),
                4 => prop::sample::select(vec!["\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\ud83d\\ude00", "\\ud800"]).prop_map(str::to_owned),
                1 => prop::sample::select(vec!["\t", "\u{1}", "\\x", "\\u12G4"]).prop_map(str::to_owned),
            ];
            prop::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat())).boxed()
        }

        pub fn value() -> BoxedStrategy<String> {
            let leaf = prop_oneof![
                Just("null".to_owned()),
                Just("true".to_owned()),
                Just("false".to_owned()),
                number(),
                string(),
            ];
            leaf.prop_recursive(4, 24, 4, |inner| {
                prop_oneof![
                    (prop::collection::vec(inner.clone(), 0..4), blank())
                        .prop_map(|(v, w)| format!("[{w}{}{w}]", v.join(","))),
                    (prop::collection::vec((string(), inner), 0..4), blank()).prop_map(|(v, w)| format!(
                        "{{{w}{}}}",
                        v.iter().map(|(k, v)| format!("{k}{w}:{v}")).collect::<Vec<_>>().join(",")
                    )),
                ]
            })
            .boxed()
        }

        /// An object of the given members (each maybe left out), in random order.
        pub fn object(members: Vec<BoxedStrategy<Option<(String, String)>>>) -> BoxedStrategy<String> {
            (members, blank(), blank())
                .prop_map(|(m, _, _)| m.into_iter().flatten().collect::<Vec<_>>())
                .prop_shuffle()
                .prop_flat_map(|m| (Just(m), blank(), blank()))
                .prop_map(|(m, a, b)| {
                    let body: Vec<String> = m.iter().map(|(k, v)| format!("{a}{k}{b}:{a}{v}{b}")).collect();
                    format!("{{{}}}", body.join(","))
                })
                .boxed()
        }

        pub fn member(
            key: &'static str,
            p: f64,
            value: BoxedStrategy<String>,
        ) -> BoxedStrategy<Option<(String, String)>> {
            prop::option::weighted(p, value.prop_map(move |v| (format!("\"{key}\""), v))).boxed()
        }

        fn text() -> BoxedStrategy<String> {
            prop_oneof![
                40 => "\"[A-Z0-9]{1,3}[ -]?[a-z0-9]{0,20}\"".prop_map(|s| s),
                2 => "\"[ \t]{0,2}[A-Z0-9]{1,3}[ ]{0,2}\"".prop_map(|s| s),
                1 => Just("\"\"".to_owned()),
                1 => string(),
                1 => number(),
                1 => Just("null".to_owned()),
                1 => value(),
            ]
            .boxed()
        }

        fn position() -> BoxedStrategy<String> {
            prop_oneof![
                20 => (number(), number(), prop::option::of(number()), prop::collection::vec(value(), 0..2), blank()).prop_map(|(x, y, z, rest, w)| {
                    let mut v = vec![x, y];
                    v.extend(z);
                    if v.len() == 3 {
                        v.extend(rest);
                    }
                    format!("[{w}{}{w}]", v.join(&format!("{w},")))
                }),
                1 => value(),
            ]
            .boxed()
        }

        fn list(item: BoxedStrategy<String>, n: usize) -> BoxedStrategy<String> {
            (prop::collection::vec(item, 0..n), blank())
                .prop_map(|(v, w)| format!("[{w}{}]", v.join(&format!(",{w}"))))
                .boxed()
        }

        /// Coordinates of a kind of geometry (0 to 3: Point to MultiPolygon).
        fn coordinates(kind: usize) -> BoxedStrategy<String> {
            let ring = || list(position(), 6);
            let polygon = || list(ring(), 3);
            match kind {
                0 => position(),
                1 => list(position(), 4),
                2 => polygon(),
                _ => list(polygon(), 3),
            }
        }

        fn geometry() -> BoxedStrategy<String> {
            const KINDS: [&str; 4] = ["\"Point\"", "\"LineString\"", "\"Polygon\"", "\"MultiPolygon\""];
            let shaped = (0..4usize, 0..4usize).prop_flat_map(|(kind, other)| {
                let name = prop_oneof![
                    20 => Just(KINDS[kind].to_owned()),
                    1 => prop::sample::select(vec!["\"GeometryCollection\"", "\"Po\\u0069nt\"", "5", "null"]).prop_map(str::to_owned),
                ];
                let coordinates = prop_oneof![10 => coordinates(kind), 1 => coordinates(other), 1 => value()];
                object(vec![
                    member("type", 0.98, name.boxed()),
                    member("coordinates", 0.98, coordinates.boxed()),
                    member("bbox", 0.1, value()),
                    member("type", 0.02, value()),
                ])
            });
            prop_oneof![20 => shaped, 1 => value()].boxed()
        }

        fn properties() -> BoxedStrategy<String> {
            let elevation = prop_oneof![10 => number(), 1 => Just("null".to_owned()), 1 => value()];
            prop_oneof![
                20 => object(vec![
                    member("licence_no", 0.95, text()),
                    member("id", 0.8, text()),
                    member("elevation_top_m", 0.3, elevation.clone().boxed()),
                    member("elevation_bottom_m", 0.3, elevation.boxed()),
                    member("name", 0.2, value()),
                    member("licence\\u005fno", 0.02, text()),
                    member("id", 0.02, text()),
                ]),
                1 => Just("null".to_owned()),
                1 => value(),
            ]
            .boxed()
        }

        pub fn feature() -> BoxedStrategy<String> {
            object(vec![
                member("type", 0.9, Just("\"Feature\"".to_owned()).boxed()),
                member("id", 0.3, text()),
                member("properties", 0.97, properties()),
                member("geometry", 0.97, geometry()),
                member("foreign", 0.2, value()),
                member("geometry", 0.02, value()),
            ])
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_and_serde_read_random_features_alike(f in json::feature(), cut in 0.0..1.0f64) {
            fast_reads(&Workings, &f);
            fast_reads(&Leases, &f);
            // A feature cut short is never read.
            let bound = (f.len() as f64 * cut) as usize;
            if f.is_char_boundary(bound) {
                prop_assert!(Workings.fast(&f, bound, 0).is_none());
                prop_assert!(Leases.fast(&f, bound, 0).is_none());
            }
        }

        #[test]
        fn numbers_read_fast_are_correctly_rounded(int in 0u64..(1 << 53), frac in 0usize..12, exp in -22i32..=22) {
            let digits = int.to_string();
            let frac = if frac < digits.len() { frac } else { 0 };
            prop_assume!((-22..=22).contains(&(exp - frac as i32)));
            let s = if frac > 0 {
                format!("{}.{}e{exp}", &digits[..digits.len() - frac], &digits[digits.len() - frac..])
            } else {
                format!("{digits}e{exp}")
            };
            let f = format!(r#"{{"properties":{{"id":"n","licence_no":"A"}},"geometry":{{"type":"Point","coordinates":[{s},-{s}]}}}}"#);
            let (w, _) = Workings.fast(&f, f.len(), 0).unwrap();
            let want: f64 = s.parse().unwrap();
            prop_assert_eq!(w.points[0][0].to_bits(), want.to_bits());
            prop_assert_eq!(w.points[0][1].to_bits(), (-want).to_bits());
            prop_assert!(fast_reads(&Workings, &f));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_one_pass_reader_matches_the_old_one_on_random_collections(
            features in prop::collection::vec(json::feature(), 0..6),
            blanks in prop::collection::vec(json::blank(), 6),
            chunk in 1usize..300,
            block in 1usize..100,
        ) {
            let text = format!(
                "{{\"type\":\"FeatureCollection\",\"features\":[{}{}]}}",
                features.iter().zip(&blanks).map(|(f, b)| format!("{b}{f}")).collect::<Vec<_>>().join(","),
                blanks[5]
            );
            let (workings, leases) = (show(&old(&text, &Workings)), show(&old(&text, &Leases)));
            prop_assert_eq!(show(&parse_collection(&text, Some(chunk), &Workings)), workings.clone());
            prop_assert_eq!(show(&parse_collection(&text, Some(chunk), &Leases)), leases.clone());
            let path = temp_file(text.as_bytes());
            let streamed = (stream(&path, block, Some(chunk), &Workings), stream(&path, block, Some(chunk), &Leases));
            std::fs::remove_file(path).unwrap();
            if let Some(got) = streamed.0 {
                prop_assert_eq!(show(&got), workings);
            }
            if let Some(got) = streamed.1 {
                prop_assert_eq!(show(&got), leases);
            }
        }
    }
}
