//! A mining licence as the co-op records it (REFERENCE.md 6): number, holder, mine, minerals,
//! method, scale, stated area, validity, elevation range, issuing office, and the boundary from
//! its corner-point table. Versions: a renewal or a boundary change is a new version.

use chrono::NaiveDate;
use geo::{Area, Centroid, Coord, MapCoords, MultiPolygon};
use serde::{Deserialize, Serialize};

use super::crs::{Crs, GkInverse, to_gauss_kruger, zone_of};
use super::lease::{Problem, build};
use crate::validation::{FieldErrors, optional_date, required_text};

/// Why a version was recorded.
pub const REASONS: &[&str] = &["issued", "renewal", "boundary_change", "correction"];

/// What a user typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LicenceInput {
    pub mine_id: String,
    pub licence_no: String,
    pub holder: String,
    pub mine_name: String,
    pub minerals: String,
    pub mining_method: String,
    /// Production scale in 10^4 t/a.
    pub scale: String,
    /// Stated area in km2 (4 decimals).
    pub stated_area_km2: String,
    pub valid_from: String,
    pub valid_to: String,
    pub elevation_top_m: String,
    pub elevation_bottom_m: String,
    pub issuing_office: String,
    pub issued_on: String,
    /// `EPSG:4524` (Gauss-Kruger zone 36 with prefix), `EPSG:4545`, ... or `EPSG:4490` (degrees).
    pub corner_crs: String,
    /// One corner per line: `no, X, Y` (northing, easting) or `no, latitude, longitude` (decimal
    /// degrees or degrees-minutes-seconds). A blank line starts the next ring.
    pub corners: String,
    pub reason: String,
}

/// A checked licence version ready to store. The boundary is kept in CGCS2000 longitude and
/// latitude, whatever it was entered in.
#[derive(Debug, Clone, Serialize)]
pub struct LicenceDraft {
    pub mine_id: uuid::Uuid,
    pub licence_no: String,
    pub holder: String,
    pub mine_name: String,
    pub minerals: String,
    pub mining_method: String,
    pub scale: f64,
    pub stated_area_km2: f64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub elevation_top_m: f64,
    pub elevation_bottom_m: f64,
    pub issuing_office: String,
    pub issued_on: Option<NaiveDate>,
    pub source_crs: String,
    #[serde(skip)]
    pub boundary: MultiPolygon<f64>,
    pub computed_area_m2: f64,
    pub reason: String,
    /// Things worth a second look that do not stop the save (Fluent codes).
    pub warnings: Vec<&'static str>,
}

/// 23 characters, letters and digits. The usual form is `C` and 22 digits; another pattern is
/// accepted with a warning.
pub fn check_licence_no(s: &str) -> Result<(String, bool), &'static str> {
    let t = s.trim().to_ascii_uppercase();
    if t.chars().count() != 23 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("err-licence-no");
    }
    let usual = t.starts_with('C') && t[1..].chars().all(|c| c.is_ascii_digit());
    Ok((t, usual))
}

/// Degrees written as decimal (`26.26`) or degrees-minutes-seconds (`26°15'36.5"`,
/// `26 15 36.5`, `26:15:36.5`, `26d15m36.5s`).
pub fn parse_degrees(s: &str) -> Option<f64> {
    let t = s.trim();
    if let Ok(v) = t.parse::<f64>() {
        return Some(v);
    }
    let neg = t.starts_with('-');
    let parts: Vec<f64> = t
        .trim_start_matches('-')
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let (d, m, sec) = match parts.as_slice() {
        [d, m] => (*d, *m, 0.0),
        [d, m, s] => (*d, *m, *s),
        _ => return None,
    };
    if m >= 60.0 || sec >= 60.0 {
        return None;
    }
    let v = d + m / 60.0 + sec / 3600.0;
    Some(if neg { -v } else { v })
}

/// Read a corner-point table into rings of (easting, northing) or (longitude, latitude), as the
/// lease checks take them. Tables list each corner once; the ring is closed here.
pub fn parse_corners(text: &str, crs: Crs) -> Result<Vec<Vec<[f64; 2]>>, String> {
    let mut rings: Vec<Vec<[f64; 2]>> = vec![Vec::new()];
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            if rings.last().is_some_and(|r| !r.is_empty()) {
                rings.push(Vec::new());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split([',', '\t', ';', '，']).map(str::trim).filter(|c| !c.is_empty()).collect();
        let cols: Vec<&str> = if cols.len() < 3 { line.split_whitespace().collect() } else { cols };
        if cols.len() < 3 {
            return Err(format!("line {}: expected point number and two coordinates", n + 1));
        }
        let p = if crs.is_geographic() {
            let lat =
                parse_degrees(cols[1]).ok_or_else(|| format!("line {}: {:?} is not a latitude", n + 1, cols[1]))?;
            let lon =
                parse_degrees(cols[2]).ok_or_else(|| format!("line {}: {:?} is not a longitude", n + 1, cols[2]))?;
            [lon, lat]
        } else {
            let x: f64 = cols[1].parse().map_err(|_| format!("line {}: X {:?} is not a number", n + 1, cols[1]))?;
            let y: f64 = cols[2].parse().map_err(|_| format!("line {}: Y {:?} is not a number", n + 1, cols[2]))?;
            // X is the northing, Y the easting: GeoJSON order is (easting, northing).
            [y, x]
        };
        if let Some(r) = rings.last_mut() {
            r.push(p);
        }
    }
    rings.retain(|r| !r.is_empty());
    if rings.is_empty() {
        return Err("no corner points".into());
    }
    for r in &mut rings {
        if r.first() != r.last() {
            let first = r[0];
            r.push(first);
        }
    }
    Ok(rings)
}

/// Surveyed vertices of a working, one per line: `a, b[, z]` or `no, a, b, z`, where (a, b)
/// is (latitude, longitude) in degrees or (X northing, Y easting) in a Gauss-Kruger zone.
/// Returns (longitude, latitude, elevation) in CGCS2000 degrees.
pub fn parse_vertices(text: &str, crs: Crs) -> Result<Vec<(f64, f64, Option<f64>)>, String> {
    let inv = match crs {
        Crs::GaussKruger { zone, prefix } => Some(GkInverse::new(zone, prefix)?),
        Crs::Geographic => None,
        Crs::Planar => return Err("name the coordinate system of the survey".into()),
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.trim().starts_with('#')) {
        let cols: Vec<&str> =
            line.split([',', '\t', ';', '，', ' ']).map(str::trim).filter(|c| !c.is_empty()).collect();
        let cols = match cols.len() {
            2 | 3 => &cols[..],
            4 => &cols[1..],
            _ => return Err(format!("line {}: expected two or three coordinates", n + 1)),
        };
        let num =
            |s: &str, what: &str| s.parse::<f64>().map_err(|_| format!("line {}: {what} {s:?} is not a number", n + 1));
        let z = cols.get(2).map(|z| num(z, "elevation")).transpose()?;
        if z.is_some_and(|z| !z.is_finite()) {
            return Err(format!("line {}: the elevation is not a number", n + 1));
        }
        let (lon, lat) = match &inv {
            None => {
                let lat =
                    parse_degrees(cols[0]).ok_or_else(|| format!("line {}: {:?} is not a latitude", n + 1, cols[0]))?;
                let lon = parse_degrees(cols[1])
                    .ok_or_else(|| format!("line {}: {:?} is not a longitude", n + 1, cols[1]))?;
                super::lease::check_position(crs, [lon, lat], out.len() + 1).map_err(|p| p.to_string())?;
                // CGCS2000 degrees of a Chinese mine: a line `1, 26.26, 107.52` read as latitude 1
                // would land in the sea; say how the columns are read instead.
                if !(3.0..=54.0).contains(&lat) || !(73.0..=136.0).contains(&lon) {
                    return Err(format!(
                        "line {}: latitude {lat}, longitude {lon} is outside China; the columns are latitude, longitude, \
                         elevation (or number, latitude, longitude, elevation)",
                        n + 1
                    ));
                }
                (lon, lat)
            }
            Some(inv) => {
                let (x, y) = (num(cols[0], "X")?, num(cols[1], "Y")?);
                super::lease::check_position(crs, [y, x], out.len() + 1).map_err(|p| p.to_string())?;
                inv.lon_lat(y, x)?
            }
        };
        out.push((lon, lat, z));
    }
    if out.is_empty() {
        return Err("no surveyed points".into());
    }
    Ok(out)
}

/// A boundary as the user gives it: a corner-point table, GeoJSON (a Polygon or MultiPolygon,
/// bare or in a Feature or a one-feature FeatureCollection) or KML (its Polygon elements, with
/// outer and inner boundaries). Tables are closed here; GeoJSON and KML rings must already be.
pub fn parse_boundary(text: &str, crs: Crs) -> Result<(super::lease::RawMultiPolygon, Crs), String> {
    let t = text.trim_start();
    // GeoJSON (RFC 7946) and KML are longitude/latitude whatever the form's system says.
    if t.starts_with('{') {
        Ok((geojson_boundary(t)?, Crs::Geographic))
    } else if t.starts_with('<') {
        Ok((kml_boundary(t)?, Crs::Geographic))
    } else {
        parse_corners(text, crs).map(|r| (group_rings(r), crs))
    }
}

/// A boundary file read for the form: the text for the boundary box, and how many rows of a
/// table were left out as headings or notes (the notice says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryFile {
    pub text: String,
    pub skipped_rows: usize,
}

/// An uploaded boundary file as the text the licence form's boundary box takes, for the user to
/// check before saving: GeoJSON and KML as they are (a KMZ unzipped), a corner table (CSV or
/// XLSX) as one `no, X, Y` line per corner. Rows above the first and below the last row with a
/// number in it are headings and notes, left out and counted; between them an empty row or a
/// row of words starts another part of a multi-part lease, and every other row stays, so that
/// checking the text names it. Nothing that holds a number is dropped.
pub fn boundary_text_from_file(name: &str, bytes: &[u8]) -> Result<BoundaryFile, crate::tabular::FileError> {
    use crate::tabular::{FileError, FileKind, check_zip, decode_text, read_rows};
    let whole = |text: String| Ok(BoundaryFile { text, skipped_rows: 0 });
    match FileKind::of(name, bytes) {
        FileKind::GeoJson | FileKind::Kml => whole(decode_text(bytes).trim().to_owned()),
        FileKind::Kmz => {
            /// A boundary's KML is a few kilobytes; anything near this is not one.
            const MAX_KML: u64 = 16 * 1024 * 1024;
            check_zip(bytes)?;
            let unreadable =
                |e: &dyn std::fmt::Display| FileError { code: "err-file-unreadable", detail: e.to_string() };
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
            let kml = (0..zip.len())
                .find(|&i| {
                    zip.by_index(i).is_ok_and(|f| f.name().is_ok_and(|n| n.to_ascii_lowercase().ends_with(".kml")))
                })
                .ok_or(FileError { code: "err-file-no-kml", detail: name.to_owned() })?;
            let mut text = Vec::new();
            let entry = zip.by_index(kml).map_err(|e| unreadable(&e))?;
            std::io::Read::read_to_end(&mut std::io::Read::take(entry, MAX_KML + 1), &mut text)
                .map_err(|e| unreadable(&e))?;
            if text.len() as u64 > MAX_KML {
                return Err(FileError { code: "err-file-too-big", detail: format!("{} MB", MAX_KML / 1_000_000) });
            }
            whole(decode_text(&text).trim().to_owned())
        }
        FileKind::Text | FileKind::Spreadsheet => {
            let rows = read_rows(name, bytes)?;
            let cells = |r: &[String]| -> Vec<String> { r.iter().filter(|c| !c.is_empty()).cloned().collect() };
            let is_number = |s: &str| s.parse::<f64>().is_ok() || parse_degrees(s).is_some();
            let has_number = |r: &[String]| r.iter().any(|c| is_number(c));
            let first = rows.iter().position(|r| has_number(r));
            let last = rows.iter().rposition(|r| has_number(r));
            let (Some(first), Some(last)) = (first, last) else {
                return Err(FileError { code: "err-file-no-corners", detail: name.to_owned() });
            };
            let skipped_rows = rows[..first].iter().chain(&rows[last + 1..]).filter(|r| !cells(r).is_empty()).count();
            let mut lines: Vec<String> = Vec::new();
            for r in &rows[first..=last] {
                let c = cells(r);
                if c.is_empty() || !has_number(&c) {
                    if lines.last().is_some_and(|l| !l.is_empty()) {
                        lines.push(String::new());
                    }
                } else {
                    lines.push(c.join(", "));
                }
            }
            Ok(BoundaryFile { text: lines.join("\n"), skipped_rows })
        }
    }
}

fn geojson_boundary(t: &str) -> Result<super::lease::RawMultiPolygon, String> {
    use serde_json::Value;
    let v: Value = serde_json::from_str(t).map_err(|e| format!("GeoJSON: {e}"))?;
    let geom = match v["type"].as_str() {
        Some("FeatureCollection") => match v["features"].as_array().map(Vec::as_slice) {
            Some([f]) => f["geometry"].clone(),
            _ => return Err("GeoJSON: give one feature, the licence's boundary".into()),
        },
        Some("Feature") => v["geometry"].clone(),
        _ => v,
    };
    let ring = |r: &Value| -> Result<Vec<[f64; 2]>, String> {
        r.as_array()
            .ok_or("GeoJSON: a ring must be an array of positions")?
            .iter()
            .map(|p| match (p[0].as_f64(), p[1].as_f64()) {
                (Some(x), Some(y)) => Ok([x, y]),
                _ => Err("GeoJSON: a position needs two numbers".to_owned()),
            })
            .collect()
    };
    let polygon = |p: &Value| -> Result<Vec<Vec<[f64; 2]>>, String> {
        p.as_array().ok_or("GeoJSON: a polygon must be an array of rings")?.iter().map(ring).collect()
    };
    match geom["type"].as_str() {
        Some("Polygon") => Ok(vec![polygon(&geom["coordinates"])?]),
        Some("MultiPolygon") => geom["coordinates"]
            .as_array()
            .ok_or("GeoJSON: MultiPolygon coordinates must be an array")?
            .iter()
            .map(polygon)
            .collect(),
        other => {
            Err(format!("GeoJSON: a boundary must be a Polygon or MultiPolygon, not {}", other.unwrap_or("nothing")))
        }
    }
}

/// The contents of every `<tag ...>...</tag>` in `s`.
fn elements<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<Polygon>` or `<Polygon id="...">`, not `<PolygonStyle>`.
        if !after.starts_with(['>', ' ', '\n', '\t', '\r']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let Some(end) = body.find(&close) else { break };
        out.push(&body[..end]);
        rest = &body[end + close.len()..];
    }
    out
}

fn kml_ring(s: &str) -> Result<Vec<[f64; 2]>, String> {
    let coords = elements(s, "coordinates").into_iter().next().ok_or("KML: a boundary without <coordinates>")?;
    coords
        .split_whitespace()
        .map(|t| {
            let mut it = t.split(',').map(str::parse::<f64>);
            match (it.next(), it.next()) {
                (Some(Ok(lon)), Some(Ok(lat))) => Ok([lon, lat]),
                _ => Err(format!("KML: {t:?} is not longitude,latitude")),
            }
        })
        .collect()
}

fn kml_boundary(t: &str) -> Result<super::lease::RawMultiPolygon, String> {
    let polygons = elements(t, "Polygon");
    if polygons.is_empty() {
        return Err("KML: no <Polygon> found".into());
    }
    polygons
        .into_iter()
        .map(|p| {
            let outer =
                elements(p, "outerBoundaryIs").into_iter().next().ok_or("KML: a Polygon without <outerBoundaryIs>")?;
            let mut rings = vec![kml_ring(outer)?];
            for inner in elements(p, "innerBoundaryIs") {
                rings.push(kml_ring(inner)?);
            }
            Ok(rings)
        })
        .collect()
}

/// Group rings into polygons: a ring inside the previous outer ring is its hole.
fn group_rings(rings: Vec<Vec<[f64; 2]>>) -> Vec<Vec<Vec<[f64; 2]>>> {
    use geo::{Contains, LineString, Point, Polygon};
    let mut parts: Vec<Vec<Vec<[f64; 2]>>> = Vec::new();
    for r in rings {
        let inside_last = parts.last().is_some_and(|p: &Vec<Vec<[f64; 2]>>| {
            let outer = Polygon::new(LineString::from(p[0].iter().map(|c| (c[0], c[1])).collect::<Vec<_>>()), vec![]);
            r.iter().all(|c| outer.contains(&Point::new(c[0], c[1])))
        });
        match parts.last_mut() {
            Some(p) if inside_last => p.push(r),
            _ => parts.push(vec![r]),
        }
    }
    parts
}

/// Corner tables per ring: (X northing, Y easting).
pub type GkTable = Vec<Vec<(f64, f64)>>;

/// Turn a boundary in `crs` into CGCS2000 longitude/latitude.
pub fn to_lon_lat(shape: &MultiPolygon<f64>, crs: Crs) -> Result<MultiPolygon<f64>, String> {
    match crs {
        Crs::Geographic => Ok(shape.clone()),
        Crs::GaussKruger { zone, prefix } => {
            let inv = GkInverse::new(zone, prefix)?;
            shape.try_map_coords(|c| inv.lon_lat(c.x, c.y).map(|(x, y)| Coord { x, y }))
        }
        Crs::Planar => Err("a boundary in unknown planar coordinates cannot be placed on the map".into()),
    }
}

/// The boundary in its Gauss-Kruger zone (with prefix), for showing corner tables as licences
/// print them. Returns the zone too.
pub fn to_gauss_kruger_table(shape: &MultiPolygon<f64>, source: Option<Crs>) -> Result<(u8, GkTable), String> {
    // The zone (and prefix) the licence was entered in, so the table matches the paper licence.
    let (zone, prefix) = match source {
        Some(Crs::GaussKruger { zone, prefix }) => (zone, prefix),
        _ => (zone_of(shape.centroid().map(|c| c.x()).unwrap_or(108.0)), true),
    };
    let mut rings = Vec::new();
    for poly in &shape.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let pts = &ring.0[..ring.0.len().saturating_sub(1)];
            rings.push(
                pts.iter()
                    .map(|c| to_gauss_kruger(c.y, c.x, zone, prefix).map(|(e, n)| (n, e)))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
    }
    Ok((zone, rings))
}

fn number(s: &str, field: &str, e: &mut FieldErrors) -> Option<f64> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ if s.trim().is_empty() => {
            e.add(field, "err-required");
            None
        }
        _ => {
            e.add(field, "err-number");
            None
        }
    }
}

impl LicenceDraft {
    pub fn parse(i: &LicenceInput) -> Result<LicenceDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut warnings = Vec::new();
        let mine_id = e.take("mine_id", uuid::Uuid::parse_str(i.mine_id.trim()).map_err(|_| "err-choice"));
        let licence_no = match check_licence_no(&i.licence_no) {
            Ok((n, usual)) => {
                if !usual {
                    warnings.push("warn-licence-no-pattern");
                }
                Some(n)
            }
            Err(c) => {
                e.add("licence_no", c);
                None
            }
        };
        let holder = e.take("holder", required_text(&i.holder, 120));
        let mine_name = e.take("mine_name", required_text(&i.mine_name, 120));
        let minerals = e
            .take("minerals", crate::registry::parse_minerals(&i.minerals))
            .map(|m| crate::registry::minerals_to_codes(&m));
        let method = e
            .take("mining_method", crate::registry::MiningMethod::parse(&i.mining_method))
            .map(|m| m.as_str().to_owned());
        // Values are checked at the precision they are stored at (scale and elevations to 0.01,
        // areas to 0.0001 km2), so what passes is what is kept.
        let round = |x: f64, places: i32| (x * 10f64.powi(places)).round() / 10f64.powi(places);
        let scale = number(&i.scale, "scale", &mut e).map(|x| round(x, 2));
        let stated = number(&i.stated_area_km2, "stated_area_km2", &mut e).map(|x| round(x, 4));
        let from = e.take("valid_from", optional_date(&i.valid_from).and_then(|d| d.ok_or("err-required")));
        let to = e.take("valid_to", optional_date(&i.valid_to).and_then(|d| d.ok_or("err-required")));
        let top = number(&i.elevation_top_m, "elevation_top_m", &mut e).map(|x| round(x, 2));
        let bottom = number(&i.elevation_bottom_m, "elevation_bottom_m", &mut e).map(|x| round(x, 2));
        // Heights on Earth, scales and areas of a small mine: anything beyond is a typing error.
        for (field, v, lo, hi) in [
            ("elevation_top_m", top, -12_000.0, 9_000.0),
            ("elevation_bottom_m", bottom, -12_000.0, 9_000.0),
            ("scale", scale, 0.0, 10_000.0),
            ("stated_area_km2", stated, 0.0, 10_000.0),
        ] {
            if v.is_some_and(|v| v < lo || v > hi) {
                e.add(field, "err-out-of-range");
            }
        }
        let office = e.take("issuing_office", required_text(&i.issuing_office, 120));
        let issued_on = e.take("issued_on", optional_date(&i.issued_on));
        let reason = if REASONS.contains(&i.reason.trim()) {
            Some(i.reason.trim().to_owned())
        } else {
            e.add("reason", "err-choice");
            None
        };
        if let (Some(f), Some(t)) = (from, to) {
            if t <= f {
                e.add("valid_to", "err-valid-to-before-from");
            } else if t > f + chrono::Months::new(120) {
                // Small mines: at most ten years.
                warnings.push("warn-validity-over-10-years");
            }
        }
        if let (Some(t), Some(b)) = (top, bottom)
            && t <= b
        {
            e.add("elevation_bottom_m", "err-elevation-order");
        }
        if stated.is_some_and(|s| s <= 0.0) {
            e.add("stated_area_km2", "err-positive");
        }
        if scale.is_some_and(|s| s <= 0.0) {
            e.add("scale", "err-positive");
        }
        let mut source_crs = i.corner_crs.trim().to_uppercase();
        let crs = match Crs::parse(&i.corner_crs) {
            Ok(c) => Some(c),
            Err(_) => {
                e.add("corner_crs", "err-choice");
                None
            }
        };
        let mut boundary = None;
        if let Some(crs) = crs {
            match parse_boundary(&i.corners, crs) {
                Err(msg) => e.add_with("corners", "err-corners", vec![("detail", msg)]),
                Ok((parts, crs)) => match build(&parts, crs) {
                    Err(p) => add_problem(&mut e, &p),
                    Ok(shape) => match to_lon_lat(&shape, crs) {
                        Ok(ll) => {
                            boundary = Some(ll);
                            if let Some(code) = crs.epsg() {
                                source_crs = format!("EPSG:{code}");
                            }
                        }
                        Err(msg) => e.add_with("corners", "err-corners", vec![("detail", msg)]),
                    },
                },
            }
        }
        let computed = boundary
            .as_ref()
            .map(|b| super::ellipsoidal_area_m2(b, Crs::Geographic).unwrap_or_else(|_| b.unsigned_area()));
        if let (Some(s), Some(c)) = (stated, computed)
            && super::stated_area_differs(s, c)
        {
            warnings.push("warn-area-differs");
        }
        match (
            mine_id, licence_no, holder, mine_name, minerals, method, scale, stated, from, to, top, bottom, office,
            issued_on, reason, boundary, computed,
        ) {
            (
                Some(mine_id),
                Some(licence_no),
                Some(holder),
                Some(mine_name),
                Some(minerals),
                Some(mining_method),
                Some(scale),
                Some(stated_area_km2),
                Some(valid_from),
                Some(valid_to),
                Some(elevation_top_m),
                Some(elevation_bottom_m),
                Some(issuing_office),
                Some(issued_on),
                Some(reason),
                Some(boundary),
                Some(computed_area_m2),
            ) if e.is_empty() => Ok(LicenceDraft {
                mine_id,
                licence_no,
                holder,
                mine_name,
                minerals,
                mining_method,
                scale,
                stated_area_km2,
                valid_from,
                valid_to,
                elevation_top_m,
                elevation_bottom_m,
                issuing_office,
                issued_on,
                source_crs,
                boundary,
                computed_area_m2,
                reason,
                warnings,
            }),
            _ => Err(e),
        }
    }
}

fn add_problem(e: &mut FieldErrors, p: &Problem) {
    e.add_with("corners", p.code(), p.args());
}

/// How a licence stands on `today`: renewal is applied for at least 30 days before expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Valid,
    /// Inside the warning window: the renewal application is due by `apply_by`.
    RenewSoon {
        apply_by: NaiveDate,
    },
    /// Less than 30 days left: the legal deadline for the application has passed.
    RenewalLate,
    Expired,
}

pub fn standing(valid_to: NaiveDate, today: NaiveDate, window_days: i64) -> Standing {
    let apply_by = valid_to - chrono::Duration::days(30);
    if today > valid_to {
        Standing::Expired
    } else if today > apply_by {
        Standing::RenewalLate
    } else if today >= valid_to - chrono::Duration::days(window_days) {
        Standing::RenewSoon { apply_by }
    } else {
        Standing::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_numbers_warn_on_unfamiliar_patterns() {
        assert_eq!(check_licence_no("c5200002011043120110001"), Ok(("C5200002011043120110001".into(), true)));
        assert_eq!(check_licence_no("5200002011043120110001X"), Ok(("5200002011043120110001X".into(), false)));
        assert_eq!(check_licence_no("C52000020110431201100"), Err("err-licence-no"));
        assert_eq!(check_licence_no("C520000201104312011000-"), Err("err-licence-no"));
    }

    #[test]
    fn degrees_minutes_seconds() {
        assert_eq!(parse_degrees("26.26"), Some(26.26));
        let v = parse_degrees("26°15'36\"").unwrap();
        assert!((v - 26.26).abs() < 1e-9);
        assert!((parse_degrees("107:31:12").unwrap() - 107.52).abs() < 1e-9);
        assert!((parse_degrees("107d31m12s").unwrap() - 107.52).abs() < 1e-9);
        assert_eq!(parse_degrees("26 75 00"), None);
        assert_eq!(parse_degrees("east"), None);
    }

    fn input(corners: &str, crs: &str) -> LicenceInput {
        LicenceInput {
            mine_id: uuid::Uuid::from_u128(1).to_string(),
            licence_no: "C5200002011043120110001".into(),
            holder: "都匀市大坪锌矿".into(),
            mine_name: "大坪锌矿".into(),
            minerals: "zn".into(),
            mining_method: "underground".into(),
            scale: "3".into(),
            stated_area_km2: "1.0000".into(),
            valid_from: "2020-01-01".into(),
            valid_to: "2027-01-01".into(),
            elevation_top_m: "1200".into(),
            elevation_bottom_m: "800".into(),
            issuing_office: "黔南州国土资源局".into(),
            issued_on: "2019-12-20".into(),
            corner_crs: crs.into(),
            corners: corners.into(),
            reason: "issued".into(),
        }
    }

    #[test]
    fn a_gauss_kruger_corner_table_becomes_a_boundary_in_degrees() {
        let table = "1, 2905728.84, 36452049.43\n2, 2905728.84, 36453049.43\n3, 2906728.84, 36453049.43\n4, 2906728.84, 36452049.43\n";
        let d = LicenceDraft::parse(&input(table, "EPSG:4524")).unwrap();
        let first = d.boundary.0[0].exterior().0[0];
        // The reference coordinates are rounded to the centimetre: 1e-7 degrees.
        assert!((first.y - 26.26).abs() < 1e-7 && (first.x - 107.52).abs() < 1e-7);
        assert!((d.computed_area_m2 / 1e6 - 0.999944).abs() < 1e-6);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let (zone, rings) = to_gauss_kruger_table(&d.boundary, Crs::parse(&d.source_crs).ok()).unwrap();
        assert_eq!(zone, 36);
        assert!((rings[0][0].0 - 2_905_728.84).abs() < 0.001 && (rings[0][0].1 - 36_452_049.43).abs() < 0.001);
    }

    fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(v) => sheet.write_number(r as u32, c as u16, v).unwrap(),
                    Err(_) if cell.is_empty() => sheet,
                    Err(_) => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
                };
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_spreadsheet_corner_table_reads_as_the_pasted_table_does() {
        let bytes = xlsx(&[
            &["都匀市牛角塘锌矿 矿区范围拐点坐标"],
            &["点号", "X", "Y"],
            &["1", "2905728.84", "36452049.43"],
            &["2", "2905728.84", "36453049.43"],
            &["3", "2906728.84", "36453049.43"],
            &["4", "2906728.84", "36452049.43"],
            &["开采深度：1200米至800米标高"],
        ]);
        let read = boundary_text_from_file("拐点坐标.xlsx", &bytes).unwrap();
        assert_eq!(read.skipped_rows, 3, "title, heading and the depth note");
        let text = read.text;
        assert_eq!(
            text,
            "1, 2905728.84, 36452049.43\n2, 2905728.84, 36453049.43\n3, 2906728.84, 36453049.43\n4, 2906728.84, 36452049.43"
        );
        let d = LicenceDraft::parse(&input(&text, "EPSG:4524")).unwrap();
        assert!((d.computed_area_m2 / 1e6 - 0.999944).abs() < 1e-6);
    }

    #[test]
    fn parts_of_a_table_are_split_at_blank_or_heading_rows_and_bad_rows_stay() {
        let csv = "点号,X,Y\n1,2905728.84,36452049.43\n2,2905728.84,36453049.43\n3,2906728.84,36453049.43\n\
                   第二块,,\n1,2907728.84,36452049.43\n2,2907728.84,36453049.43\n3,2908728.84,36453049.43\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
        let text = boundary_text_from_file("corners.csv", &gbk).unwrap().text;
        assert_eq!(text.split("\n\n").count(), 2, "{text}");
        let d = LicenceDraft::parse(&input(&text, "EPSG:4524")).unwrap();
        assert_eq!(d.boundary.0.len(), 2);
        // A corner row with a typo is not dropped: the check then names its line.
        let typo =
            "1,2905728.84,36452049.43\n2,2905728.84,3645304g.43\n3,2906728.84,36453049.43\n4,2906728.84,36452049.43";
        let text = boundary_text_from_file("corners.csv", typo.as_bytes()).unwrap().text;
        assert!(text.contains("3645304g.43"));
        let e = LicenceDraft::parse(&input(&text, "EPSG:4524")).unwrap_err();
        assert!(e.get("corners").unwrap().args.iter().any(|(_, v)| v.contains("line 2")), "{e:?}");
    }

    #[test]
    fn geojson_kml_and_kmz_files_are_taken_as_they_are() {
        let kml = "<kml><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>107.52,26.26 107.53,26.26 \
                   107.53,26.27 107.52,26.26</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>";
        assert_eq!(boundary_text_from_file("lease.kml", kml.as_bytes()).unwrap().text, kml);
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("doc.kml", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut z, kml.as_bytes()).unwrap();
            z.finish().unwrap();
        }
        let kmz = buf.into_inner();
        assert_eq!(boundary_text_from_file("lease.kmz", &kmz).unwrap().text, kml);
        assert_eq!(boundary_text_from_file("upload", &kmz).unwrap().text, kml);
        let gj = "\u{feff}{\"type\":\"Polygon\",\"coordinates\":[]}";
        assert_eq!(boundary_text_from_file("a.geojson", gj.as_bytes()).unwrap().text, &gj[3..]);
    }

    #[test]
    fn a_corner_with_a_number_is_never_dropped_and_dms_points_are_corners() {
        // The first corner lost its point number: it stays, so the check names it.
        let csv =
            ",2905728.84,36452049.43\n2,2905728.84,36453049.43\n3,2906728.84,36453049.43\n4,2906728.84,36452049.43";
        let read = boundary_text_from_file("c.csv", csv.as_bytes()).unwrap();
        assert!(read.text.starts_with("2905728.84, 36452049.43\n"), "{}", read.text);
        assert!(LicenceDraft::parse(&input(&read.text, "EPSG:4524")).is_err());
        // Named points in degrees-minutes-seconds.
        let dms = "点号,纬度,经度\nJ1,26°15'36\",107°31'12\"\nJ2,26°15'36\",107°31'48\"\nJ3,26°16'12\",107°31'48\"";
        let read = boundary_text_from_file("c.csv", dms.as_bytes()).unwrap();
        assert_eq!(read.text.lines().count(), 3, "{}", read.text);
        assert!(LicenceDraft::parse(&input(&read.text, "EPSG:4490")).is_ok());
    }

    #[test]
    fn a_tab_separated_table_under_a_title_is_read() {
        let tsv = "矿区范围拐点坐标\n点号\tX\tY\n1\t2905728.84\t36452049.43\n2\t2905728.84\t36453049.43\n3\t2906728.84\t36453049.43";
        let read = boundary_text_from_file("c.txt", tsv.as_bytes()).unwrap();
        assert_eq!((read.text.lines().count(), read.skipped_rows), (3, 2), "{read:?}");
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("doc.kml", zip::write::SimpleFileOptions::default()).unwrap();
            let zeros = vec![b' '; 1024 * 1024];
            for _ in 0..20 {
                std::io::Write::write_all(&mut z, &zeros).unwrap();
            }
            z.finish().unwrap();
        }
        let kmz = buf.into_inner();
        assert!(kmz.len() < 2 * 1024 * 1024, "20 MB of spaces pack small");
        assert_eq!(boundary_text_from_file("bomb.kmz", &kmz).unwrap_err().code, "err-file-too-big");
    }

    #[test]
    fn files_without_corners_say_so() {
        assert_eq!(boundary_text_from_file("a.csv", b"name,x\nfoo,bar\n").unwrap_err().code, "err-file-no-corners");
        assert_eq!(boundary_text_from_file("a.csv", b"").unwrap_err().code, "err-file-empty");
        assert_eq!(boundary_text_from_file("a.kmz", b"PK\x03\x04nope").unwrap_err().code, "err-file-unreadable");
    }

    #[test]
    fn corner_problems_and_field_errors_are_named() {
        let swapped = "1, 2905728.84, 36452049.43\n2, 36453049.43, 2905728.84\n3, 2906728.84, 36453049.43\n";
        let e = LicenceDraft::parse(&input(swapped, "EPSG:4524")).unwrap_err();
        let c = e.get("corners").unwrap();
        assert_eq!(c.code, "err-lease-swapped-axes");
        assert!(c.args.contains(&("point", "2".into())));
        let mut bad = input("1, 26.26, 107.52\n2, 26.26, 107.53\n3, 26.27, 107.53\n", "EPSG:4490");
        bad.valid_to = "2019-01-01".into();
        bad.elevation_bottom_m = "1300".into();
        bad.licence_no = "123".into();
        bad.scale = "-3".into();
        bad.elevation_top_m = "1300.004".into();
        bad.stated_area_km2 = "0.00004".into();
        let e = LicenceDraft::parse(&bad).unwrap_err();
        for f in ["valid_to", "elevation_bottom_m", "licence_no", "scale", "stated_area_km2"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        assert!(e.get("corners").is_none());
    }

    #[test]
    fn a_stated_area_off_by_more_than_half_a_percent_is_a_warning() {
        let table = "1, 26.26, 107.52\n2, 26.26, 107.53\n3, 26.27, 107.53\n4, 26.27, 107.52";
        let mut i = input(table, "EPSG:4490");
        i.stated_area_km2 = "2.0".into();
        let d = LicenceDraft::parse(&i).unwrap();
        assert!(d.warnings.contains(&"warn-area-differs"));
    }

    #[test]
    fn boundaries_from_geojson_and_kml_with_holes_and_parts() {
        let gj = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[
            [[107.50,26.20],[107.51,26.20],[107.51,26.21],[107.50,26.21],[107.50,26.20]],
            [[107.502,26.202],[107.502,26.204],[107.504,26.204],[107.504,26.202],[107.502,26.202]]]}}"#;
        let (b, crs) = parse_boundary(gj, Crs::GaussKruger { zone: 36, prefix: false }).unwrap();
        assert_eq!((b.len(), b[0].len()), (1, 2));
        assert_eq!(crs, Crs::Geographic, "GeoJSON is degrees whatever the form says");
        let kml = r#"<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>
            <MultiGeometry>
            <Polygon><outerBoundaryIs><LinearRing><coordinates>107.50,26.20,0 107.51,26.20,0 107.51,26.21,0 107.50,26.20,0</coordinates></LinearRing></outerBoundaryIs></Polygon>
            <Polygon id="b"><outerBoundaryIs><LinearRing><coordinates>
              107.52,26.20 107.53,26.20 107.53,26.21 107.52,26.20
            </coordinates></LinearRing></outerBoundaryIs>
            <innerBoundaryIs><LinearRing><coordinates>107.522,26.201 107.525,26.201 107.525,26.203 107.522,26.201</coordinates></LinearRing></innerBoundaryIs></Polygon>
            </MultiGeometry></Placemark></Document></kml>"#;
        let (b, _) = parse_boundary(kml, Crs::Geographic).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].len(), 2, "the second polygon keeps its hole");
        assert!(build(&b, Crs::Geographic).is_ok());
        // GeoJSON rings are not closed for the user: an open ring is an error that says so.
        let open = r#"{"type":"Polygon","coordinates":[[[107.50,26.20],[107.51,26.20],[107.51,26.21]]]}"#;
        let e = build(&parse_boundary(open, Crs::Geographic).unwrap().0, Crs::Geographic).unwrap_err();
        assert_eq!(e.code(), "err-lease-ring-open");
        assert!(
            parse_boundary(r#"{"type":"Point","coordinates":[1,2]}"#, Crs::Geographic).unwrap_err().contains("Polygon")
        );
        assert!(parse_boundary("<kml></kml>", Crs::Geographic).is_err());
    }

    #[test]
    fn surveyed_vertices_in_either_system() {
        let v = parse_vertices("26.26, 107.52, 1010\n26.261 107.521", Crs::Geographic).unwrap();
        assert_eq!(v[0], (107.52, 26.26, Some(1010.0)));
        assert_eq!(v[1].2, None);
        let gk =
            parse_vertices("1, 2905728.84, 36452049.43, 990.5", Crs::GaussKruger { zone: 36, prefix: true }).unwrap();
        assert!((gk[0].0 - 107.52).abs() < 1e-7 && (gk[0].1 - 26.26).abs() < 1e-7 && gk[0].2 == Some(990.5));
        let swapped =
            parse_vertices("36452049.43, 2905728.84", Crs::GaussKruger { zone: 36, prefix: true }).unwrap_err();
        assert!(swapped.contains("swap"), "{swapped}");
        assert!(parse_vertices("", Crs::Geographic).is_err());
        assert!(parse_vertices("26.26, 107.52, NaN", Crs::Geographic).is_err());
        assert!(parse_vertices("1, 26.26, 107.52", Crs::Geographic).unwrap_err().contains("outside China"));
    }

    #[test]
    fn renewal_standing_follows_the_30_day_rule() {
        let to = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(standing(to, d("2026-09-01"), 90), Standing::Valid);
        assert_eq!(standing(to, d("2026-10-10"), 90), Standing::RenewSoon { apply_by: d("2026-12-02") });
        assert_eq!(standing(to, d("2026-12-10"), 90), Standing::RenewalLate);
        assert_eq!(standing(to, d("2027-01-02"), 90), Standing::Expired);
    }
}
