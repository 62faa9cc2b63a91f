//! Licences (every version kept) and surveyed workings. The geometry is stored as text in
//! CGCS2000 degrees and all geometry work is done in Rust, so both backends behave the same.

pub mod licence_version;
pub mod working;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use minecoop_domain::cadastre::check::{Lease, WorkingInput};
use minecoop_domain::cadastre::licence::LicenceDraft;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, new_id};

pub use licence_version::Model as LicenceVersion;
pub use working::Model as Working;

/// An overlap shown to the user and acknowledged when a version was saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckedOverlap {
    pub licence_no: String,
    pub area_m2: f64,
}

fn boundary_json(mp: &MultiPolygon<f64>) -> String {
    let parts: Vec<Vec<Vec<[f64; 2]>>> =
        mp.0.iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                    .collect()
            })
            .collect();
    serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into())
}

fn boundary_from_json(s: &str) -> MultiPolygon<f64> {
    let parts: Vec<Vec<Vec<[f64; 2]>>> = serde_json::from_str(s).unwrap_or_default();
    MultiPolygon::new(
        parts
            .into_iter()
            .filter(|rings| !rings.is_empty())
            .map(|rings| {
                let mut it = rings
                    .into_iter()
                    .map(|r| LineString::from(r.into_iter().map(|c| Coord { x: c[0], y: c[1] }).collect::<Vec<_>>()));
                let ext = it.next().unwrap_or_else(|| LineString::new(vec![]));
                Polygon::new(ext, it.collect())
            })
            .collect(),
    )
}

impl LicenceVersion {
    pub fn shape(&self) -> MultiPolygon<f64> {
        boundary_from_json(&self.boundary)
    }

    pub fn computed_area_m2(&self) -> f64 {
        self.computed_area_centi as f64 / 100.0
    }

    pub fn stated_area_km2(&self) -> f64 {
        self.stated_area_e4 as f64 / 1.0e4
    }

    pub fn scale(&self) -> f64 {
        self.scale_centi as f64 / 100.0
    }

    pub fn top_m(&self) -> f64 {
        self.top_cm as f64 / 100.0
    }

    pub fn bottom_m(&self) -> f64 {
        self.bottom_cm as f64 / 100.0
    }

    pub fn acked(&self) -> Vec<AckedOverlap> {
        self.overlap_ack.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
    }

    /// The licence as the checks take it.
    pub fn lease(&self) -> Lease {
        Lease {
            licence_no: self.licence_no.clone(),
            shape: self.shape(),
            top: Some(self.top_m()),
            bottom: Some(self.bottom_m()),
        }
    }
}

impl Working {
    /// (lon, lat, elevation) of each vertex.
    pub fn vertices(&self) -> Vec<(f64, f64, Option<f64>)> {
        let raw: Vec<Vec<Option<f64>>> = serde_json::from_str(&self.coords).unwrap_or_default();
        raw.into_iter()
            .filter_map(|c| {
                Some((c.first().copied().flatten()?, c.get(1).copied().flatten()?, c.get(2).copied().flatten()))
            })
            .collect()
    }

    pub fn input(&self, licence_no: &str) -> WorkingInput {
        let v = self.vertices();
        WorkingInput {
            id: self.label.as_str().into(),
            licence_no: licence_no.into(),
            points: v.iter().map(|(x, y, _)| [*x, *y]).collect(),
            elevations: v.iter().map(|(_, _, z)| *z).collect(),
            is_line: self.is_line,
        }
    }
}

fn centi(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn version_model(
    d: &LicenceDraft,
    licence_id: Uuid,
    version: i32,
    ack: &[AckedOverlap],
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> licence_version::ActiveModel {
    licence_version::ActiveModel {
        id: Set(new_id()),
        licence_id: Set(licence_id),
        version: Set(version),
        mine_id: Set(d.mine_id),
        licence_no: Set(d.licence_no.clone()),
        holder: Set(d.holder.clone()),
        mine_name: Set(d.mine_name.clone()),
        minerals: Set(d.minerals.clone()),
        mining_method: Set(d.mining_method.clone()),
        scale_centi: Set(centi(d.scale)),
        stated_area_e4: Set((d.stated_area_km2 * 1.0e4).round() as i64),
        valid_from: Set(d.valid_from),
        valid_to: Set(d.valid_to),
        top_cm: Set(centi(d.elevation_top_m)),
        bottom_cm: Set(centi(d.elevation_bottom_m)),
        issuing_office: Set(d.issuing_office.clone()),
        issued_on: Set(d.issued_on),
        source_crs: Set(d.source_crs.clone()),
        boundary: Set(boundary_json(&d.boundary)),
        computed_area_centi: Set(centi(d.computed_area_m2)),
        reason: Set(d.reason.clone()),
        overlap_ack: Set((!ack.is_empty()).then(|| serde_json::to_string(ack).unwrap_or_default())),
        warnings: Set(d.warnings.join(",")),
        created_at: Set(now),
        created_by: Set(actor.name.clone()),
    }
}

impl Store {
    /// Record a new licence (version 1).
    pub async fn create_licence(
        &self,
        actor: &Actor,
        d: &LicenceDraft,
        ack: &[AckedOverlap],
    ) -> StoreResult<LicenceVersion> {
        let mut tx = self.begin(actor).await?;
        if crate::registry::mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mine_id", "err-choice"));
        }
        let taken = licence_version::Entity::find()
            .filter(licence_version::Column::LicenceNo.eq(d.licence_no.as_str()))
            .one(tx.conn())
            .await?;
        if taken.is_some() {
            return Err(StoreError::field("licence_no", "err-licence-no-taken"));
        }
        let now = tx.now();
        let m = version_model(d, new_id(), 1, ack, tx.actor(), now).insert(tx.conn()).await?;
        tx.record("create", "licence", m.licence_id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Add a version (renewal, boundary change, correction) if the licence is still at
    /// `expected_version`; the old versions stay.
    pub async fn add_licence_version(
        &self,
        actor: &Actor,
        licence_id: Uuid,
        expected_version: i32,
        d: &LicenceDraft,
        ack: &[AckedOverlap],
    ) -> StoreResult<LicenceVersion> {
        let mut tx = self.begin(actor).await?;
        let current = licence_version::Entity::find()
            .filter(licence_version::Column::LicenceId.eq(licence_id))
            .order_by_desc(licence_version::Column::Version)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.version != expected_version {
            return Err(StoreError::Conflict);
        }
        if d.licence_no != current.licence_no {
            let taken = licence_version::Entity::find()
                .filter(licence_version::Column::LicenceNo.eq(d.licence_no.as_str()))
                .filter(licence_version::Column::LicenceId.ne(licence_id))
                .one(tx.conn())
                .await?;
            if taken.is_some() {
                return Err(StoreError::field("licence_no", "err-licence-no-taken"));
            }
        }
        let now = tx.now();
        let m = version_model(d, licence_id, current.version + 1, ack, tx.actor(), now).insert(tx.conn()).await?;
        tx.record("new_version", "licence", licence_id, Some(&current), Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// The latest version of every licence, by licence number.
    pub async fn current_licences(&self) -> StoreResult<Vec<LicenceVersion>> {
        let all = licence_version::Entity::find()
            .order_by_asc(licence_version::Column::LicenceId)
            .order_by_asc(licence_version::Column::Version)
            .all(self.conn())
            .await?;
        let mut latest: Vec<LicenceVersion> = Vec::new();
        for v in all {
            match latest.last_mut() {
                Some(l) if l.licence_id == v.licence_id => *l = v,
                _ => latest.push(v),
            }
        }
        latest.sort_by(|a, b| a.licence_no.cmp(&b.licence_no));
        Ok(latest)
    }

    /// Every version of one licence, oldest first.
    pub async fn licence_versions(&self, licence_id: Uuid) -> StoreResult<Vec<LicenceVersion>> {
        let v = licence_version::Entity::find()
            .filter(licence_version::Column::LicenceId.eq(licence_id))
            .order_by_asc(licence_version::Column::Version)
            .all(self.conn())
            .await?;
        if v.is_empty() { Err(StoreError::NotFound) } else { Ok(v) }
    }

    pub async fn create_working(
        &self,
        actor: &Actor,
        licence_id: Uuid,
        label: &str,
        is_line: bool,
        vertices: &[(f64, f64, Option<f64>)],
    ) -> StoreResult<Working> {
        let mut tx = self.begin(actor).await?;
        let coords: Vec<Vec<Option<f64>>> = vertices.iter().map(|(x, y, z)| vec![Some(*x), Some(*y), *z]).collect();
        let m = working::ActiveModel {
            id: Set(new_id()),
            licence_id: Set(licence_id),
            label: Set(label.to_owned()),
            is_line: Set(is_line),
            coords: Set(serde_json::to_string(&coords).unwrap_or_else(|_| "[]".into())),
            surveyed_on: Set(None),
            created_at: Set(tx.now()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "working", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    pub async fn workings(&self) -> StoreResult<Vec<Working>> {
        Ok(working::Entity::find().order_by_asc(working::Column::Label).all(self.conn()).await?)
    }
}
