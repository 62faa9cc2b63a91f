//! Daily production records: saved, corrected by new versions, and read back by period.

pub mod assay;
mod assay_fast;
pub mod assay_stage;
pub mod qc;
pub mod qc_decision;
pub mod record;
pub mod reference_material;
pub mod reported;
pub mod sample;
pub mod sample_event;
pub mod samples;
pub mod target;
pub mod targets;

use chrono::NaiveDate;
use minecoop_domain::production::record::ProductionDraft;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TryIntoModel};
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, conflict_on_duplicate, new_id};

pub use record::Model as ProductionRecord;

impl ProductionRecord {
    /// The record's figures as the domain sums them (no warnings: they were shown on save).
    pub fn draft(&self) -> ProductionDraft {
        ProductionDraft {
            mine_id: self.mine_id,
            day: self.day,
            shift: self.shift.clone(),
            ore_hoisted_kg: self.ore_hoisted_kg,
            ore_milled_kg: self.ore_milled_kg,
            feed_grades: from_json(&self.feed_grades),
            concentrates: from_json(&self.concentrates),
            tailings_kg: self.tailings_kg,
            tailings_grades: from_json(&self.tailings_grades),
            tailings_facility: self.tailings_facility.clone(),
            waste_kg: self.waste_kg,
            waste_grades: from_json(&self.waste_grades),
            hours_worked: self.hours_worked_d,
            worker_shifts: self.worker_shifts,
            electricity_kwh: self.electricity_kwh_d,
            water_m3: self.water_m3_d,
            diesel_l: self.diesel_l_d,
            explosives_kg: self.explosives_kg_d,
            costs: from_json(&self.costs),
            reason: self.reason.clone(),
            warnings: Vec::new(),
        }
    }
}

fn model(
    d: &ProductionDraft,
    version: i32,
    source: &str,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> record::ActiveModel {
    record::ActiveModel {
        id: Set(new_id()),
        mine_id: Set(d.mine_id),
        day: Set(d.day),
        shift: Set(d.shift.clone()),
        version: Set(version),
        ore_hoisted_kg: Set(d.ore_hoisted_kg),
        ore_milled_kg: Set(d.ore_milled_kg),
        feed_grades: Set(json(&d.feed_grades)),
        concentrates: Set(json(&d.concentrates)),
        tailings_kg: Set(d.tailings_kg),
        tailings_grades: Set(json(&d.tailings_grades)),
        tailings_facility: Set(d.tailings_facility.clone()),
        waste_kg: Set(d.waste_kg),
        waste_grades: Set(json(&d.waste_grades)),
        hours_worked_d: Set(d.hours_worked),
        worker_shifts: Set(d.worker_shifts),
        electricity_kwh_d: Set(d.electricity_kwh),
        water_m3_d: Set(d.water_m3),
        diesel_l_d: Set(d.diesel_l),
        explosives_kg_d: Set(d.explosives_kg),
        costs: Set(json(&d.costs)),
        warnings: Set(d.warnings.join(",")),
        reason: Set(d.reason.clone()),
        source: Set(source.to_owned()),
        created_at: Set(now),
        created_by: Set(actor.to_owned()),
    }
}

/// Maps and lists of plain values as JSON text (cannot fail for these types).
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Stored JSON back; what was written by [`json`] always reads back.
fn from_json<T: serde::de::DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

impl Store {
    /// Record a mine's production for a day (and shift). A day already recorded is corrected
    /// with [`Store::correct_production`], not recorded twice.
    pub async fn record_production(
        &self,
        actor: &Actor,
        d: &ProductionDraft,
        source: &str,
    ) -> StoreResult<ProductionRecord> {
        let mut tx = self.begin(actor).await?;
        if crate::registry::mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mine_id", "err-choice"));
        }
        let exists = record::Entity::find()
            .filter(record::Column::MineId.eq(d.mine_id))
            .filter(record::Column::Day.eq(d.day))
            .filter(record::Column::Shift.eq(d.shift.as_str()))
            .one(tx.conn())
            .await?;
        if exists.is_some() {
            return Err(StoreError::field("day", "err-production-exists"));
        }
        let now = tx.now();
        let name = tx.actor().name.clone();
        let m = model(d, 1, source, &name, now).insert(tx.conn()).await.map_err(conflict_on_duplicate)?;
        tx.record("create", "production", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Correct a record that is still at `expected_version`: a new version with the reason; the
    /// old one stays.
    pub async fn correct_production(
        &self,
        actor: &Actor,
        expected_version: i32,
        d: &ProductionDraft,
        source: &str,
    ) -> StoreResult<ProductionRecord> {
        if d.reason.is_none() {
            return Err(StoreError::field("reason", "err-reason-required"));
        }
        let mut tx = self.begin(actor).await?;
        let current = record::Entity::find()
            .filter(record::Column::MineId.eq(d.mine_id))
            .filter(record::Column::Day.eq(d.day))
            .filter(record::Column::Shift.eq(d.shift.as_str()))
            .order_by_desc(record::Column::Version)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.version != expected_version {
            return Err(StoreError::Conflict);
        }
        let now = tx.now();
        let name = tx.actor().name.clone();
        let m =
            model(d, current.version + 1, source, &name, now).insert(tx.conn()).await.map_err(conflict_on_duplicate)?;
        tx.record("new_version", "production", m.id, Some(&current), Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Every version of one mine's day (and shift), oldest first.
    pub async fn production_versions(
        &self,
        mine_id: Uuid,
        day: NaiveDate,
        shift: &str,
    ) -> StoreResult<Vec<ProductionRecord>> {
        let v = record::Entity::find()
            .filter(record::Column::MineId.eq(mine_id))
            .filter(record::Column::Day.eq(day))
            .filter(record::Column::Shift.eq(shift))
            .order_by_asc(record::Column::Version)
            .all(self.conn())
            .await?;
        if v.is_empty() { Err(StoreError::NotFound) } else { Ok(v) }
    }

    /// The current version of every record from `from` to `to` (inclusive), of the given mines
    /// (all when `None`), by mine, day and shift.
    pub async fn production_between(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<ProductionRecord>> {
        let mut q = record::Entity::find().filter(record::Column::Day.between(from, to));
        if let Some(m) = mines {
            q = q.filter(record::Column::MineId.is_in(m.iter().copied()));
        }
        let all = q
            .order_by_asc(record::Column::MineId)
            .order_by_asc(record::Column::Day)
            .order_by_asc(record::Column::Shift)
            .order_by_asc(record::Column::Version)
            .all(self.conn())
            .await?;
        let mut current: Vec<ProductionRecord> = Vec::with_capacity(all.len());
        for r in all {
            match current.last_mut() {
                Some(l) if l.mine_id == r.mine_id && l.day == r.day && l.shift == r.shift => *l = r,
                _ => current.push(r),
            }
        }
        Ok(current)
    }
}

/// Records written per statement: 26 values each, under every backend's limit.
const IMPORT_CHUNK: usize = 500;

/// What an import would do with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPlan {
    /// Not recorded yet: it is added.
    New,
    /// Recorded with the same figures: nothing to do (importing a file twice adds nothing).
    Same,
    /// Recorded with other figures: the import stops; a correction is made on the record.
    Differs,
}

fn same_figures(a: &ProductionDraft, b: &ProductionDraft) -> bool {
    let strip = |d: &ProductionDraft| ProductionDraft { warnings: Vec::new(), reason: None, ..d.clone() };
    strip(a) == strip(b)
}

impl Store {
    /// The current version of every recorded day among `drafts`, looked up for a few hundred
    /// drafts per query (their mines and days, a superset that is narrowed here).
    async fn plan_in<C: sea_orm::ConnectionTrait>(
        conn: &C,
        drafts: &[ProductionDraft],
    ) -> StoreResult<Vec<ImportPlan>> {
        use std::collections::{BTreeSet, HashMap};
        let mut current: HashMap<(Uuid, NaiveDate, String), ProductionRecord> = HashMap::new();
        // Days and mines are bound values: 500 drafts name at most 1,000.
        for chunk in drafts.chunks(500) {
            let mines: BTreeSet<Uuid> = chunk.iter().map(|d| d.mine_id).collect();
            let days: BTreeSet<NaiveDate> = chunk.iter().map(|d| d.day).collect();
            let found = record::Entity::find()
                .filter(record::Column::MineId.is_in(mines))
                .filter(record::Column::Day.is_in(days))
                .all(conn)
                .await?;
            for r in found {
                let key = (r.mine_id, r.day, r.shift.clone());
                match current.get(&key) {
                    Some(c) if c.version >= r.version => {}
                    _ => {
                        current.insert(key, r);
                    }
                }
            }
        }
        Ok(drafts
            .iter()
            .map(|d| match current.get(&(d.mine_id, d.day, d.shift.clone())) {
                None => ImportPlan::New,
                Some(c) if same_figures(&c.draft(), d) => ImportPlan::Same,
                Some(_) => ImportPlan::Differs,
            })
            .collect())
    }

    /// The dry run of an import: what would happen to each record, writing nothing.
    pub async fn plan_production_import(&self, drafts: &[ProductionDraft]) -> StoreResult<Vec<ImportPlan>> {
        Self::plan_in(self.conn(), drafts).await
    }

    /// Import records all or nothing, in one transaction: new ones are added, identical ones
    /// skipped; if any differs from what is recorded, nothing is written and the answer names
    /// them (by index in `drafts`, as field `"<index>"`). Returns (added, unchanged).
    pub async fn import_production(
        &self,
        actor: &Actor,
        drafts: &[ProductionDraft],
        source: &str,
    ) -> StoreResult<(usize, usize)> {
        let mut tx = self.begin(actor).await?;
        let plans = Self::plan_in(tx.conn(), drafts).await?;
        let mut differs = minecoop_domain::FieldErrors::new();
        for (i, p) in plans.iter().enumerate() {
            if *p == ImportPlan::Differs {
                differs.add(&i.to_string(), "err-import-differs");
            }
        }
        if !differs.is_empty() {
            return Err(StoreError::Invalid(differs));
        }
        let now = tx.now();
        let name = tx.actor().name.clone();
        let mut added = 0;
        let mut batch = Vec::with_capacity(IMPORT_CHUNK);
        for (d, p) in drafts.iter().zip(&plans) {
            if *p == ImportPlan::New {
                let m = model(d, 1, source, &name, now);
                let after = m.clone().try_into_model()?;
                tx.record("import", "production", after.id, None::<&()>, Some(&after));
                batch.push(m);
                added += 1;
                if batch.len() == IMPORT_CHUNK {
                    record::Entity::insert_many(std::mem::take(&mut batch))
                        .exec_without_returning(tx.conn())
                        .await
                        .map_err(conflict_on_duplicate)?;
                }
            }
        }
        if !batch.is_empty() {
            record::Entity::insert_many(batch)
                .exec_without_returning(tx.conn())
                .await
                .map_err(conflict_on_duplicate)?;
        }
        tx.commit().await?;
        Ok((added, drafts.len() - added))
    }
}

pub use reported::Model as ReportedFigure;

impl Store {
    /// Record a figure someone reported for a year (the co-op's when `mine_id` is `None`).
    pub async fn report_figure(
        &self,
        actor: &Actor,
        year: i32,
        mine_id: Option<Uuid>,
        figure: &str,
        value_e4: i64,
        source: &str,
    ) -> StoreResult<ReportedFigure> {
        let mut tx = self.begin(actor).await?;
        let m = reported::ActiveModel {
            id: Set(new_id()),
            year: Set(year),
            mine_id: Set(mine_id),
            figure: Set(figure.to_owned()),
            value_e4: Set(value_e4),
            source: Set(source.to_owned()),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "reported_figure", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// The figures reported for a year, for one mine or (with `None`) for the co-op.
    pub async fn reported_figures(&self, year: i32, mine_id: Option<Uuid>) -> StoreResult<Vec<ReportedFigure>> {
        let q = reported::Entity::find().filter(reported::Column::Year.eq(year));
        let q = match mine_id {
            Some(m) => q.filter(reported::Column::MineId.eq(m)),
            None => q.filter(reported::Column::MineId.is_null()),
        };
        Ok(q.order_by_asc(reported::Column::CreatedAt).all(self.conn()).await?)
    }
}

impl Store {
    /// What the metal totals of a period need of each current record (of the given mines, all
    /// when `None`): mine, day, shift, tonnes milled, to tailings and to waste, concentrates
    /// and the grades; every other figure is left empty. A report over a year of many mines
    /// reads these few columns, not whole records.
    pub async fn production_metal_between(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<ProductionDraft>> {
        use sea_orm::QuerySelect;
        type Row =
            (Uuid, NaiveDate, String, i32, Option<i64>, String, String, Option<i64>, String, Option<i64>, String);
        let mut q = record::Entity::find()
            .select_only()
            .columns([
                record::Column::MineId,
                record::Column::Day,
                record::Column::Shift,
                record::Column::Version,
                record::Column::OreMilledKg,
                record::Column::FeedGrades,
                record::Column::Concentrates,
                record::Column::TailingsKg,
                record::Column::TailingsGrades,
                record::Column::WasteKg,
                record::Column::WasteGrades,
            ])
            .filter(record::Column::Day.between(from, to));
        if let Some(m) = mines {
            q = q.filter(record::Column::MineId.is_in(m.iter().copied()));
        }
        let all: Vec<Row> = q
            .order_by_asc(record::Column::MineId)
            .order_by_asc(record::Column::Day)
            .order_by_asc(record::Column::Shift)
            .order_by_asc(record::Column::Version)
            .into_tuple()
            .all(self.conn())
            .await?;
        let mut current: Vec<Row> = Vec::with_capacity(all.len());
        for r in all {
            match current.last_mut() {
                Some(l) if l.0 == r.0 && l.1 == r.1 && l.2 == r.2 => *l = r,
                _ => current.push(r),
            }
        }
        Ok(current
            .into_iter()
            .map(|(mine_id, day, shift, _, milled, feed, conc, tail_kg, tail, waste_kg, waste)| ProductionDraft {
                mine_id,
                day,
                shift,
                ore_hoisted_kg: None,
                ore_milled_kg: milled,
                feed_grades: from_json(&feed),
                concentrates: from_json(&conc),
                tailings_kg: tail_kg,
                tailings_grades: from_json(&tail),
                tailings_facility: None,
                waste_kg,
                waste_grades: from_json(&waste),
                hours_worked: None,
                worker_shifts: None,
                electricity_kwh: None,
                water_m3: None,
                diesel_l: None,
                explosives_kg: None,
                costs: Default::default(),
                reason: None,
                warnings: Vec::new(),
            })
            .collect())
    }
}
