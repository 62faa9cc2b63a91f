//! A surveyed working (a point, or the polyline of a drift, with elevations) as a user or a
//! program enters it, checked before it is stored and compared with its licence.

use serde::{Deserialize, Serialize};

use super::crs::Crs;
use super::licence::parse_vertices;
use crate::validation::{FieldErrors, required_text};

/// What a user typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WorkingEntry {
    /// The surveyor's name for it, e.g. `PD-1 +950 drift`.
    pub label: String,
    /// `point` or `line`.
    pub kind: String,
    /// The system of the vertices, as for corner points (`EPSG:4524`, `EPSG:4490`, ...).
    pub corner_crs: String,
    /// One vertex per line: `a, b[, z]` or `no, a, b, z`; (a, b) is (X northing, Y easting) or
    /// (latitude, longitude); z the elevation in metres.
    pub vertices: String,
}

/// A checked working: vertices in CGCS2000 (longitude, latitude, elevation).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingDraft {
    pub label: String,
    pub is_line: bool,
    pub vertices: Vec<(f64, f64, Option<f64>)>,
}

impl WorkingDraft {
    pub fn parse(i: &WorkingEntry) -> Result<WorkingDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let label = e.take("label", required_text(&i.label, 60));
        let is_line = match i.kind.as_str() {
            "line" => Some(true),
            "point" => Some(false),
            _ => {
                e.add("kind", "err-choice");
                None
            }
        };
        let vertices = match Crs::parse(&i.corner_crs) {
            Err(_) => {
                e.add("corner_crs", "err-choice");
                None
            }
            Ok(crs) => match parse_vertices(&i.vertices, crs) {
                Ok(v) if is_line == Some(true) && v.len() < 2 => {
                    e.add("vertices", "err-line-needs-two");
                    None
                }
                Ok(v) if is_line == Some(false) && v.len() != 1 => {
                    e.add("vertices", "err-point-needs-one");
                    None
                }
                Ok(v) => Some(v),
                Err(d) => {
                    e.add_with("vertices", "err-corners", vec![("detail", d)]);
                    None
                }
            },
        };
        match (label, is_line, vertices) {
            (Some(label), Some(is_line), Some(vertices)) if e.is_empty() => {
                Ok(WorkingDraft { label, is_line, vertices })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, vertices: &str) -> WorkingEntry {
        WorkingEntry {
            label: "PD-1".into(),
            kind: kind.into(),
            corner_crs: "EPSG:4490".into(),
            vertices: vertices.into(),
        }
    }

    #[test]
    fn a_drift_is_a_line_of_vertices_with_elevations() {
        let d = WorkingDraft::parse(&entry("line", "26.26, 107.52, 950\n26.261, 107.521, 948")).unwrap();
        assert!(d.is_line);
        assert_eq!(d.vertices.len(), 2);
        assert_eq!(d.vertices[0].2, Some(950.0));
    }

    #[test]
    fn each_field_gets_its_own_error() {
        let mut bad = entry("line", "26.26, 107.52, 950");
        bad.label = " ".into();
        let e = WorkingDraft::parse(&bad).unwrap_err();
        assert_eq!(e.get("label").unwrap().code, "err-required");
        assert_eq!(e.get("vertices").unwrap().code, "err-line-needs-two");
        let e = WorkingDraft::parse(&entry("point", "26.26, 107.52, 950\n26.27, 107.52, 950")).unwrap_err();
        assert_eq!(e.get("vertices").unwrap().code, "err-point-needs-one");
        let mut bad = entry("shaft", "x");
        bad.corner_crs = "EPSG:1".into();
        let e = WorkingDraft::parse(&bad).unwrap_err();
        assert!(e.get("kind").is_some() && e.get("corner_crs").is_some());
    }
}
