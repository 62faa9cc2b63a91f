//! The lease map, drawn by the server as SVG: no tiles, no scripts, prints as it shows.
//! Coordinates are projected to the Gauss-Krüger zone of the map's centre, so distances on the
//! map are metres and the scale bar is true.

use std::fmt::Write as _;

use geo::{BoundingRect, Coord, MultiPolygon};
use minecoop_domain::cadastre::crs::{to_gauss_kruger, zone_of};

use crate::i18n::Lang;

pub struct MapLicence {
    pub href: String,
    pub label: String,
    pub title: String,
    /// CSS class: `lease`, `lease focus`, `lease expired`...
    pub class: &'static str,
    pub shape: MultiPolygon<f64>,
}

pub struct MapWorking {
    pub label: String,
    pub points: Vec<[f64; 2]>,
    pub outside: bool,
}

#[derive(Default)]
pub struct MapData {
    pub licences: Vec<MapLicence>,
    pub overlaps: Vec<(String, MultiPolygon<f64>)>,
    pub workings: Vec<MapWorking>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A round length (1, 2 or 5 times a power of ten) near `target` metres.
fn nice(target: f64) -> f64 {
    let p = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).rfind(|v| *v <= target).unwrap_or(p)
}

impl MapData {
    /// The SVG, or `None` when there is nothing to draw.
    pub fn svg(&self, lang: Lang) -> Option<String> {
        let all: Vec<Coord<f64>> = self
            .licences
            .iter()
            .filter_map(|l| l.shape.bounding_rect())
            .flat_map(|r| [r.min(), r.max()])
            .chain(self.workings.iter().flat_map(|w| w.points.iter().map(|p| Coord { x: p[0], y: p[1] })))
            .collect();
        if all.is_empty() {
            return None;
        }
        let (mut lon0, mut lon1, mut lat0, mut lat1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for c in &all {
            lon0 = lon0.min(c.x);
            lon1 = lon1.max(c.x);
            lat0 = lat0.min(c.y);
            lat1 = lat1.max(c.y);
        }
        let zone = zone_of((lon0 + lon1) / 2.0);
        let proj = |lon: f64, lat: f64| to_gauss_kruger(lat, lon, zone, false).unwrap_or((0.0, 0.0));
        let (e0, n0) = proj(lon0, lat0);
        let (e1, n1) = proj(lon1, lat1);
        let pad = ((e1 - e0).max(n1 - n0) * 0.08).max(100.0);
        let (min_e, max_n) = (e0.min(e1) - pad, n0.max(n1) + pad);
        let (w, h) = ((e1 - e0).abs() + 2.0 * pad, (n1 - n0).abs() + 2.0 * pad + pad);
        let xy = |lon: f64, lat: f64| {
            let (e, n) = proj(lon, lat);
            (e - min_e, max_n - n)
        };
        let path = |mp: &MultiPolygon<f64>| {
            let mut d = String::new();
            for poly in &mp.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    for (k, c) in ring.0.iter().enumerate() {
                        let (x, y) = xy(c.x, c.y);
                        let _ = write!(d, "{}{x:.1},{y:.1}", if k == 0 { "M" } else { "L" });
                    }
                    d.push('Z');
                }
            }
            d
        };
        let fs = w.max(h) / 55.0;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="lease-map" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="{}" style="--fs:{fs:.1}px">"#,
            esc(&lang.t("map-title"))
        );
        let _ = write!(s, r#"<rect class="map-bg" x="0" y="0" width="{w:.0}" height="{h:.0}"/>"#);
        for l in &self.licences {
            let (cx, cy) = l.shape.bounding_rect().map(|r| xy(r.center().x, r.center().y)).unwrap_or((0.0, 0.0));
            let _ = write!(
                s,
                r#"<a href="{}"><path class="{}" d="{}" vector-effect="non-scaling-stroke"><title>{}</title></path><text class="lease-label" x="{cx:.0}" y="{cy:.0}" font-size="{fs:.0}" text-anchor="middle">{}</text></a>"#,
                esc(&l.href),
                l.class,
                path(&l.shape),
                esc(&l.title),
                esc(&l.label)
            );
        }
        for (title, o) in &self.overlaps {
            let _ = write!(
                s,
                r#"<path class="overlap" d="{}" vector-effect="non-scaling-stroke"><title>{}</title></path>"#,
                path(o),
                esc(title)
            );
        }
        for wk in &self.workings {
            let class = if wk.outside { "working outside" } else { "working" };
            if wk.points.len() == 1 {
                let (x, y) = xy(wk.points[0][0], wk.points[0][1]);
                let _ = write!(
                    s,
                    r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="{:.1}"><title>{}</title></circle>"#,
                    fs * 0.35,
                    esc(&wk.label)
                );
            } else {
                let pts: Vec<String> =
                    wk.points.iter().map(|p| xy(p[0], p[1])).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = write!(
                    s,
                    r#"<polyline class="{class}" points="{}" vector-effect="non-scaling-stroke"><title>{}</title></polyline>"#,
                    pts.join(" "),
                    esc(&wk.label)
                );
            }
        }
        // Scale bar, bottom left.
        let bar = nice(w / 5.0);
        let (bx, by) = (pad * 0.5, h - pad * 0.6);
        let label = if bar >= 1000.0 { format!("{} km", bar / 1000.0) } else { format!("{bar} m") };
        let _ = write!(
            s,
            r#"<g class="scale"><rect x="{bx:.0}" y="{by:.0}" width="{:.0}" height="{:.0}"/><rect class="alt" x="{bx:.0}" y="{by:.0}" width="{:.0}" height="{:.0}"/><text x="{bx:.0}" y="{:.0}" font-size="{fs:.0}">0</text><text x="{:.0}" y="{:.0}" font-size="{fs:.0}" text-anchor="end">{label}</text></g>"#,
            bar,
            fs * 0.4,
            bar / 2.0,
            fs * 0.4,
            by - fs * 0.3,
            bx + bar,
            by - fs * 0.3,
        );
        // North arrow, top right.
        let (ax, ay) = (w - pad * 0.6, pad * 0.4);
        let _ = write!(
            s,
            r#"<g class="north"><path d="M{ax:.0},{ay:.0} L{:.0},{:.0} L{ax:.0},{:.0} L{:.0},{:.0} Z"/><text x="{ax:.0}" y="{:.0}" font-size="{fs:.0}" text-anchor="middle">N</text></g>"#,
            ax - fs * 0.5,
            ay + fs * 1.6,
            ay + fs * 1.2,
            ax + fs * 0.5,
            ay + fs * 1.6,
            ay + fs * 2.7,
        );
        // Corner coordinates.
        let _ = write!(
            s,
            r#"<text class="coord" x="{:.0}" y="{:.0}" font-size="{:.0}">{:.4}°N {:.4}°E</text><text class="coord" x="{:.0}" y="{:.0}" font-size="{:.0}" text-anchor="end">{:.4}°N {:.4}°E · CGCS2000 · GK {zone}</text>"#,
            fs * 0.3,
            fs * 1.0,
            fs * 0.8,
            lat1,
            lon0,
            w - fs * 0.3,
            h - fs * 0.3,
            fs * 0.8,
            lat0,
            lon1,
        );
        s.push_str("</svg>");
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    #[test]
    fn draws_leases_overlaps_workings_scale_and_north() {
        let sq = |x: f64, y: f64| {
            MultiPolygon::new(vec![Polygon::new(
                LineString::from(vec![(x, y), (x + 0.005, y), (x + 0.005, y + 0.005), (x, y + 0.005), (x, y)]),
                vec![],
            )])
        };
        let m = MapData {
            licences: vec![MapLicence {
                href: "/licences/1".into(),
                label: "A<1>".into(),
                title: "A & B".into(),
                class: "lease",
                shape: sq(107.48, 26.22),
            }],
            overlaps: vec![("sliver".into(), sq(107.481, 26.221))],
            workings: vec![MapWorking { label: "W".into(), points: vec![[107.482, 26.222]], outside: true }],
        };
        let svg = m.svg(Lang::En).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("A&lt;1&gt;") && svg.contains("A &amp; B"), "escaped");
        assert!(svg.contains(r#"class="overlap""#) && svg.contains("working outside"));
        assert!(svg.contains("100 m") || svg.contains("200 m"), "a round scale bar");
        assert!(svg.contains(">N</text>"));
        assert!(MapData::default().svg(Lang::En).is_none());
        assert_eq!(nice(730.0), 500.0);
        assert_eq!(nice(2300.0), 2000.0);
    }
}
