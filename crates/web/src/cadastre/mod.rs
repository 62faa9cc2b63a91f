//! Licences and the lease map: list, detail with every version and the corner table in both
//! coordinate systems, the form with the live overlap check (htmx) and the acknowledgement an
//! overlapping save needs, and the map of the whole register.

mod licences;
pub mod map;

pub use licences::{Row, Saved, now_local, renewals, save_licence, today, visible_rows};

use axum::Router;
use axum::routing::{get, post};
use geo::BooleanOps;
use minecoop_domain::cadastre::check::{OutsideKind, check_working};
use minecoop_domain::cadastre::crs::Crs;
use minecoop_store::cadastre::{LicenceVersion, Working};

use crate::AppState;
use map::{MapData, MapLicence, MapWorking};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/licences", get(licences::list).post(licences::create))
        .route("/licences/new", get(licences::new))
        .route("/licences/preview", post(licences::preview))
        .route("/licences/{id}", get(licences::detail).post(licences::add_version))
        .route("/licences/{id}/renew", get(licences::renew))
        .route("/licences/{id}/workings", post(licences::add_working))
        .route("/map", get(licences::map_page))
}

/// What the checks find in the register as it stands.
pub struct Findings {
    /// (licence a, licence b, area m2)
    pub overlaps: Vec<(String, String, f64)>,
    /// (working, licence, kind, distance m)
    pub outside: Vec<(String, String, OutsideKind, f64)>,
}

pub fn findings(licences: &[LicenceVersion], workings: &[Working]) -> Findings {
    let leases: Vec<_> = licences.iter().map(LicenceVersion::lease).collect();
    let overlaps = minecoop_domain::cadastre::check::overlaps(&leases, Crs::Geographic)
        .into_iter()
        .map(|o| (o.a, o.b, o.area_m2))
        .collect();
    let mut outside = Vec::new();
    for w in workings {
        if let Some((lic, lease)) = licences.iter().zip(&leases).find(|(l, _)| l.licence_id == w.licence_id) {
            for o in check_working(&w.input(&lic.licence_no), lease, Crs::Geographic) {
                outside.push((o.working, o.licence_no, o.kind, o.distance_m));
            }
        }
    }
    Findings { overlaps, outside }
}

/// The map of `licences` (the `focus` one highlighted) with their overlaps and workings.
pub fn map_of(
    licences: &[LicenceVersion],
    workings: &[Working],
    focus: Option<uuid::Uuid>,
    today: chrono::NaiveDate,
) -> MapData {
    let f = findings(licences, workings);
    let mut m = MapData::default();
    for l in licences {
        let expired = l.valid_to < today;
        m.licences.push(MapLicence {
            href: format!("/licences/{}", l.licence_id),
            label: l.mine_name.clone(),
            title: format!("{} · {} · {}", l.licence_no, l.mine_name, l.holder),
            class: if Some(l.licence_id) == focus {
                "lease focus"
            } else if expired {
                "lease expired"
            } else {
                "lease"
            },
            shape: l.shape(),
        });
    }
    for (a, b, area) in &f.overlaps {
        let sa = licences.iter().find(|l| &l.licence_no == a).map(LicenceVersion::shape);
        let sb = licences.iter().find(|l| &l.licence_no == b).map(LicenceVersion::shape);
        if let (Some(sa), Some(sb)) = (sa, sb) {
            m.overlaps.push((format!("{a} ∩ {b}: {area:.0} m²"), sa.intersection(&sb)));
        }
    }
    for w in workings {
        let Some(lic) = licences.iter().find(|l| l.licence_id == w.licence_id) else { continue };
        // Checked one by one: labels need not be unique.
        let outside = !check_working(&w.input(&lic.licence_no), &lic.lease(), Crs::Geographic).is_empty();
        m.workings.push(MapWorking {
            label: w.label.clone(),
            points: w.vertices().iter().map(|(x, y, _)| [*x, *y]).collect(),
            outside,
        });
    }
    m
}

/// Overlaps of a proposed boundary with the register, leaving out the licence itself: the same
/// R-tree query as the whole-register check.
pub fn overlaps_with(
    shape: &geo::MultiPolygon<f64>,
    licences: &[LicenceVersion],
    except: Option<uuid::Uuid>,
) -> Vec<(String, f64)> {
    let others: Vec<&LicenceVersion> = licences.iter().filter(|l| Some(l.licence_id) != except).collect();
    let leases: Vec<_> = others.iter().map(|l| l.lease()).collect();
    let index = minecoop_domain::cadastre::check::LeaseIndex::new(&leases);
    let mut found: Vec<(String, f64)> = index
        .overlapping(shape, Crs::Geographic)
        .into_iter()
        .map(|(i, a)| (others[i].licence_no.clone(), (a * 100.0).round() / 100.0))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}
