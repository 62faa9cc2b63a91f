//! The sample register, chain of custody and assay results.

use chrono::{Datelike, NaiveDateTime};
use minecoop_domain::production::sample::{AssayDraft, CustodyStep, SampleDraft, check_step};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{assay, sample, sample_event};
use crate::{Actor, Store, StoreError, StoreResult, conflict_on_duplicate, new_id};

pub use assay::Model as AssayResult;
pub use sample::Model as Sample;
pub use sample_event::Model as SampleEvent;

impl AssayResult {
    pub fn draft(&self) -> AssayDraft {
        AssayDraft {
            element: self.element.clone(),
            value: self.value_e4,
            below_dl: self.below_dl,
            detection_limit: self.detection_limit_e4,
            method: self.method.clone(),
        }
    }
}

/// A sample with its custody steps (in order) and the current result of each element.
#[derive(Debug, Clone)]
pub struct SampleRecord {
    pub sample: Sample,
    pub events: Vec<SampleEvent>,
    pub assays: Vec<AssayResult>,
}

impl Store {
    /// Register a sample, numbered `S<year>-<n>` in the order samples of that year are
    /// registered, and record its first custody step (taken, by the sampler, at its time).
    pub async fn register_sample(&self, actor: &Actor, d: &SampleDraft) -> StoreResult<Sample> {
        let mut tx = self.begin(actor).await?;
        if crate::registry::mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mine_id", "err-choice"));
        }
        if let Some(orig) = &d.duplicate_of {
            let found = sample::Entity::find().filter(sample::Column::Code.eq(orig.as_str())).one(tx.conn()).await?;
            if found.is_none() {
                return Err(StoreError::field("duplicate_of", "err-sample-unknown"));
            }
        }
        let prefix = format!("S{}-", d.taken_at.year());
        let n =
            sample::Entity::find().filter(sample::Column::Code.starts_with(prefix.as_str())).count(tx.conn()).await?;
        let now = tx.now();
        let signed = tx.actor().name.clone();
        let s = sample::ActiveModel {
            id: Set(new_id()),
            code: Set(format!("{prefix}{:05}", n + 1)),
            mine_id: Set(d.mine_id),
            kind: Set(d.kind.as_str().to_owned()),
            point: Set(d.point.clone()),
            taken_at: Set(d.taken_at),
            taken_by: Set(d.taken_by.clone()),
            qc_role: Set(d.qc_role.as_str().to_owned()),
            duplicate_of: Set(d.duplicate_of.clone()),
            reference: Set(d.reference.clone()),
            notes: Set(d.notes.clone()),
            created_at: Set(now),
            created_by: Set(signed.clone()),
        }
        .insert(tx.conn())
        .await
        .map_err(conflict_on_duplicate)?;
        tx.record("create", "sample", s.id, None::<&()>, Some(&s));
        let ev = sample_event::ActiveModel {
            id: Set(new_id()),
            sample_id: Set(s.id),
            step: Set(CustodyStep::Taken.as_str().to_owned()),
            at: Set(d.taken_at),
            by_name: Set(d.taken_by.clone()),
            signed_by: Set(signed),
            note: Set(None),
            created_at: Set(now),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "sample_event", ev.id, None::<&()>, Some(&ev));
        tx.commit().await?;
        Ok(s)
    }

    /// Record the next custody step, signed by the account and named for the person who did it.
    pub async fn add_custody_step(
        &self,
        actor: &Actor,
        sample_id: Uuid,
        step: CustodyStep,
        at: NaiveDateTime,
        by_name: &str,
        note: Option<&str>,
    ) -> StoreResult<SampleEvent> {
        let mut tx = self.begin(actor).await?;
        sample::Entity::find_by_id(sample_id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let last = sample_event::Entity::find()
            .filter(sample_event::Column::SampleId.eq(sample_id))
            .order_by_desc(sample_event::Column::At)
            .order_by_desc(sample_event::Column::CreatedAt)
            .all(tx.conn())
            .await?
            .into_iter()
            .filter_map(|e| CustodyStep::parse(&e.step).ok().map(|s| (s, e.at)))
            .max_by_key(|(s, _)| CustodyStep::ALL.iter().position(|x| x == s));
        check_step(last, step, at).map_err(|code| StoreError::field("step", code))?;
        let ev = sample_event::ActiveModel {
            id: Set(new_id()),
            sample_id: Set(sample_id),
            step: Set(step.as_str().to_owned()),
            at: Set(at),
            by_name: Set(by_name.to_owned()),
            signed_by: Set(tx.actor().name.clone()),
            note: Set(note.map(str::to_owned)),
            created_at: Set(tx.now()),
        }
        .insert(tx.conn())
        .await
        .map_err(conflict_on_duplicate)?;
        tx.record("create", "sample_event", ev.id, None::<&()>, Some(&ev));
        tx.commit().await?;
        Ok(ev)
    }

    /// Record a laboratory's results for a sample that has reached the laboratory. A result for
    /// an element already reported is a correction: a new version, which needs a reason.
    pub async fn record_assays(
        &self,
        actor: &Actor,
        sample_id: Uuid,
        lab: &str,
        batch: &str,
        results: &[AssayDraft],
        reason: Option<&str>,
    ) -> StoreResult<Vec<AssayResult>> {
        let mut tx = self.begin(actor).await?;
        sample::Entity::find_by_id(sample_id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let received = sample_event::Entity::find()
            .filter(sample_event::Column::SampleId.eq(sample_id))
            .filter(sample_event::Column::Step.is_in([CustodyStep::Received.as_str(), CustodyStep::Assayed.as_str()]))
            .count(tx.conn())
            .await?;
        if received == 0 {
            return Err(StoreError::field("sample", "err-sample-not-received"));
        }
        let now = tx.now();
        let name = tx.actor().name.clone();
        let mut out = Vec::new();
        for r in results {
            let prev = assay::Entity::find()
                .filter(assay::Column::SampleId.eq(sample_id))
                .filter(assay::Column::Element.eq(r.element.as_str()))
                .order_by_desc(assay::Column::Version)
                .one(tx.conn())
                .await?;
            if prev.is_some() && reason.is_none_or(|r| r.trim().is_empty()) {
                return Err(StoreError::field("reason", "err-reason-required"));
            }
            let m = assay::ActiveModel {
                id: Set(new_id()),
                sample_id: Set(sample_id),
                element: Set(r.element.clone()),
                version: Set(prev.as_ref().map_or(1, |p| p.version + 1)),
                value_e4: Set(r.value),
                below_dl: Set(r.below_dl),
                detection_limit_e4: Set(r.detection_limit),
                method: Set(r.method.clone()),
                lab: Set(lab.to_owned()),
                batch: Set(batch.to_owned()),
                reason: Set(prev.as_ref().and(reason.map(str::to_owned))),
                created_at: Set(now),
                created_by: Set(name.clone()),
            }
            .insert(tx.conn())
            .await
            .map_err(conflict_on_duplicate)?;
            tx.record(if prev.is_some() { "new_version" } else { "create" }, "assay", m.id, prev.as_ref(), Some(&m));
            out.push(m);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// A sample with its custody and the current result of each element.
    pub async fn sample_record(&self, id: Uuid) -> StoreResult<SampleRecord> {
        let sample = sample::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)?;
        let events = sample_event::Entity::find()
            .filter(sample_event::Column::SampleId.eq(id))
            .order_by_asc(sample_event::Column::At)
            .order_by_asc(sample_event::Column::CreatedAt)
            .all(self.conn())
            .await?;
        let all = assay::Entity::find()
            .filter(assay::Column::SampleId.eq(id))
            .order_by_asc(assay::Column::Element)
            .order_by_asc(assay::Column::Version)
            .all(self.conn())
            .await?;
        let mut assays: Vec<AssayResult> = Vec::new();
        for a in all {
            match assays.last_mut() {
                Some(l) if l.element == a.element => *l = a,
                _ => assays.push(a),
            }
        }
        Ok(SampleRecord { sample, events, assays })
    }

    /// Samples taken in a period (local times), of the given mines, in the order they were taken.
    pub async fn samples_between(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> StoreResult<Vec<Sample>> {
        let mut q = sample::Entity::find().filter(sample::Column::TakenAt.between(from, to));
        if let Some(m) = mines {
            q = q.filter(sample::Column::MineId.is_in(m.iter().copied()));
        }
        Ok(q.order_by_asc(sample::Column::TakenAt).order_by_asc(sample::Column::Code).all(self.conn()).await?)
    }

    /// The kind and time of every ore sample (routine or field duplicate) taken in a period, of the
    /// given mines: all a report counts, without reading whole samples (a year is tens of thousands).
    pub async fn sample_kinds_between(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> StoreResult<Vec<(String, NaiveDateTime)>> {
        use sea_orm::QuerySelect;
        // Blanks and reference materials are the laboratory's checks, not samples of the ore.
        let mut q = sample::Entity::find()
            .select_only()
            .columns([sample::Column::Kind, sample::Column::TakenAt])
            .filter(sample::Column::QcRole.is_in(["routine", "duplicate"]))
            .filter(sample::Column::TakenAt.between(from, to));
        if let Some(m) = mines {
            q = q.filter(sample::Column::MineId.is_in(m.iter().copied()));
        }
        Ok(q.into_tuple().all(self.conn()).await?)
    }
}

/// Feeds one written result into an import's digest: every field, length-prefixed, in the order
/// of the table (`created_at` and `created_by` are the audit link's own).
pub fn digest_assay(h: &mut sha2::Sha256, id: Uuid, sample_id: Uuid, r: &AssayDraft, lab: &str, batch: &str) {
    use sha2::Digest;
    let opt = |v: Option<i64>| v.map_or_else(String::new, |v| v.to_string());
    let (value, dl) = (opt(r.value), opt(r.detection_limit));
    for part in [&id.as_bytes()[..], sample_id.as_bytes(), r.element.as_bytes(), b"1", value.as_bytes()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let below: &[u8] = if r.below_dl { b"1" } else { b"0" };
    for part in [below, dl.as_bytes(), r.method.as_bytes(), lab.as_bytes(), batch.as_bytes()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
}

/// What an import would do with one row of a laboratory sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssayPlan {
    /// Results to add (none of them recorded yet, or the new ones alongside identical ones).
    New,
    /// Every result is recorded already, identically.
    Same,
    /// A result differs from the one recorded: corrections are made on the sample, with a reason.
    Differs,
    /// The laboratory has not received the sample (by its chain of custody).
    NotReceived,
}

/// Keys per lookup query and rows per insert statement: under SQLite's 32,766 and PostgreSQL's
/// 65,535 bound values (an assay row has 13 columns).
const CHUNK: usize = 1000;

/// A result's version, value, below the detection limit, and the limit.
type Figures = (i32, Option<i64>, bool, Option<i64>);
/// A recorded result as looked up: sample, element, then its figures.
type RecordedRow = (Uuid, String, i32, Option<i64>, bool, Option<i64>);

/// What is recorded already for the samples of a sheet: which have reached the laboratory, and
/// the current result (highest version) of each element.
struct Recorded {
    received: std::collections::HashSet<Uuid>,
    current: std::collections::HashMap<(Uuid, String), Figures>,
}

impl Store {
    /// Looks up everything the plan needs for `samples`, a chunk of keys per query.
    async fn recorded_for<C: sea_orm::ConnectionTrait>(conn: &C, samples: &[Uuid]) -> StoreResult<Recorded> {
        use sea_orm::QuerySelect;
        let mut ids = samples.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut rec = Recorded { received: Default::default(), current: Default::default() };
        let steps = [CustodyStep::Received.as_str(), CustodyStep::Assayed.as_str()];
        for chunk in ids.chunks(CHUNK) {
            // Usually every sample of a sheet has reached the laboratory: one count says so,
            // and only otherwise are the ones that have listed (rows are what costs here).
            let received: Option<i64> = sample_event::Entity::find()
                .select_only()
                .column_as(sea_orm::sea_query::Expr::cust("COUNT(DISTINCT sample_id)"), "n")
                .filter(sample_event::Column::SampleId.is_in(chunk.iter().copied()))
                .filter(sample_event::Column::Step.is_in(steps))
                .into_tuple()
                .one(conn)
                .await?;
            if received == Some(chunk.len() as i64) {
                rec.received.extend(chunk.iter().copied());
            } else {
                let got: Vec<Uuid> = sample_event::Entity::find()
                    .select_only()
                    .column(sample_event::Column::SampleId)
                    .filter(sample_event::Column::SampleId.is_in(chunk.iter().copied()))
                    .filter(sample_event::Column::Step.is_in(steps))
                    .into_tuple()
                    .all(conn)
                    .await?;
                rec.received.extend(got);
            }
            let got: Vec<RecordedRow> = assay::Entity::find()
                .select_only()
                .columns([
                    assay::Column::SampleId,
                    assay::Column::Element,
                    assay::Column::Version,
                    assay::Column::ValueE4,
                    assay::Column::BelowDl,
                    assay::Column::DetectionLimitE4,
                ])
                .filter(assay::Column::SampleId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            for (sample, element, version, value, below, dl) in got {
                let slot = rec.current.entry((sample, element)).or_insert((version, value, below, dl));
                if version > slot.0 {
                    *slot = (version, value, below, dl);
                }
            }
        }
        Ok(rec)
    }

    async fn plan_assays_in<C: sea_orm::ConnectionTrait>(
        conn: &C,
        rows: &[(Uuid, &[AssayDraft])],
    ) -> StoreResult<(Vec<AssayPlan>, Recorded)> {
        let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
        let rec = Self::recorded_for(conn, &ids).await?;
        let mut key = (Uuid::nil(), String::new());
        let plans = rows
            .iter()
            .map(|(sample_id, results)| {
                if !rec.received.contains(sample_id) {
                    return AssayPlan::NotReceived;
                }
                let mut plan = AssayPlan::Same;
                for r in *results {
                    key.0 = *sample_id;
                    key.1.clear();
                    key.1.push_str(&r.element);
                    match rec.current.get(&key) {
                        None => plan = if plan == AssayPlan::Differs { plan } else { AssayPlan::New },
                        Some(&(_, value, below, dl))
                            if (value, below, dl) == (r.value, r.below_dl, r.detection_limit) => {}
                        Some(_) => plan = AssayPlan::Differs,
                    }
                }
                plan
            })
            .collect();
        Ok((plans, rec))
    }

    /// The dry run of a laboratory sheet: what would happen to each row, writing nothing.
    pub async fn plan_assay_import(&self, rows: &[(Uuid, Vec<AssayDraft>)]) -> StoreResult<Vec<AssayPlan>> {
        let keyed: Vec<(Uuid, &[AssayDraft])> = rows.iter().map(|(id, r)| (*id, r.as_slice())).collect();
        Ok(Self::plan_assays_in(self.conn(), &keyed).await?.0)
    }

    /// Import a laboratory sheet all or nothing: results not yet recorded are added, identical
    /// ones skipped; a row whose sample has not reached the laboratory, or whose result differs
    /// from the one recorded, stops the import (named as field `"<index>"`). Returns (added
    /// results, rows already recorded).
    ///
    /// Built for sheets of a million rows: what is recorded is looked up a thousand samples per
    /// query and the results are written a thousand per statement, in the one transaction. The
    /// audit trail gets one link per import (not one per result): action `import`, entity
    /// `assay_import`, the `source` (the file's hash) as its id, and in `after` the counts, the
    /// first and last result ids and a SHA-256 over every result written, in order, so that the
    /// rows can be checked against the trail.
    pub async fn import_assays(
        &self,
        actor: &Actor,
        rows: &[(Uuid, String, String, Vec<AssayDraft>)],
        source: &str,
    ) -> StoreResult<(usize, usize)> {
        self.import_assays_reporting(actor, rows, source, &|_| {}).await
    }

    /// [`Store::import_assays`], calling `written` with the number of rows done after each
    /// statement (for a progress bar).
    pub async fn import_assays_reporting(
        &self,
        actor: &Actor,
        rows: &[(Uuid, String, String, Vec<AssayDraft>)],
        source: &str,
        written: &(dyn Fn(usize) + Sync),
    ) -> StoreResult<(usize, usize)> {
        use sha2::Digest;
        let mut tx = self.begin(actor).await?;
        let keyed: Vec<(Uuid, &[AssayDraft])> = rows.iter().map(|(id, _, _, r)| (*id, r.as_slice())).collect();
        let (plans, mut rec) = Self::plan_assays_in(tx.conn(), &keyed).await?;
        drop(keyed);
        let mut bad = minecoop_domain::FieldErrors::new();
        for (i, p) in plans.iter().enumerate() {
            match p {
                AssayPlan::Differs => bad.add(&i.to_string(), "err-import-differs"),
                AssayPlan::NotReceived => bad.add(&i.to_string(), "err-sample-not-received"),
                _ => {}
            }
        }
        if !bad.is_empty() {
            return Err(StoreError::Invalid(bad));
        }
        let now = tx.now();
        let name = tx.actor().name.clone();
        let (mut added, mut same) = (0, 0);
        let mut digest = sha2::Sha256::new();
        let (mut first, mut last) = (None, None);
        let mut batch: Vec<assay::ActiveModel> = Vec::with_capacity(CHUNK);
        for (done, ((sample_id, lab, batch_name, results), plan)) in rows.iter().zip(&plans).enumerate() {
            if *plan == AssayPlan::Same {
                same += 1;
                continue;
            }
            for r in results {
                // Recorded already (identically, by the plan), or earlier in this sheet.
                let key = (*sample_id, r.element.clone());
                if rec.current.contains_key(&key) {
                    continue;
                }
                rec.current.insert(key, (1, r.value, r.below_dl, r.detection_limit));
                let id = new_id();
                first.get_or_insert(id);
                last = Some(id);
                digest_assay(&mut digest, id, *sample_id, r, lab, batch_name);
                batch.push(assay::ActiveModel {
                    id: Set(id),
                    sample_id: Set(*sample_id),
                    element: Set(r.element.clone()),
                    version: Set(1),
                    value_e4: Set(r.value),
                    below_dl: Set(r.below_dl),
                    detection_limit_e4: Set(r.detection_limit),
                    method: Set(r.method.clone()),
                    lab: Set(lab.clone()),
                    batch: Set(batch_name.clone()),
                    reason: Set(None),
                    created_at: Set(now),
                    created_by: Set(name.clone()),
                });
                added += 1;
                if batch.len() == CHUNK {
                    assay::Entity::insert_many(std::mem::take(&mut batch))
                        .exec_without_returning(tx.conn())
                        .await
                        .map_err(conflict_on_duplicate)?;
                    written(done);
                }
            }
        }
        if !batch.is_empty() {
            assay::Entity::insert_many(batch).exec_without_returning(tx.conn()).await.map_err(conflict_on_duplicate)?;
        }
        if added > 0 {
            let trail = serde_json::json!({
                "rows": rows.len(),
                "added": added,
                "same": same,
                "first_id": first,
                "last_id": last,
                "sha256": hex::encode(digest.finalize()),
            });
            tx.record("import", "assay_import", source, None::<&()>, Some(&trail));
        }
        written(rows.len());
        tx.commit().await?;
        Ok((added, same))
    }

    /// Samples by the codes on their labels (unknown codes are simply absent), in one query:
    /// an import names every sample of a sheet.
    pub async fn samples_by_codes(&self, codes: &[&str]) -> StoreResult<std::collections::HashMap<String, Uuid>> {
        use sea_orm::QuerySelect;
        let mut out = std::collections::HashMap::with_capacity(codes.len());
        // Bounded batches keep the query under every backend's parameter limit.
        for chunk in codes.chunks(CHUNK) {
            let found: Vec<(String, Uuid)> = sample::Entity::find()
                .select_only()
                .columns([sample::Column::Code, sample::Column::Id])
                .filter(sample::Column::Code.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(self.conn())
                .await?;
            out.extend(found);
        }
        Ok(out)
    }

    /// The current result of each element of each sample given (the latest version), in
    /// bounded batches.
    pub async fn current_assays(&self, sample_ids: &[Uuid]) -> StoreResult<Vec<AssayResult>> {
        let mut out: Vec<AssayResult> = Vec::new();
        for chunk in sample_ids.chunks(500) {
            let all = assay::Entity::find()
                .filter(assay::Column::SampleId.is_in(chunk.iter().copied()))
                .order_by_asc(assay::Column::SampleId)
                .order_by_asc(assay::Column::Element)
                .order_by_asc(assay::Column::Version)
                .all(self.conn())
                .await?;
            for a in all {
                match out.last_mut() {
                    Some(l) if l.sample_id == a.sample_id && l.element == a.element => *l = a,
                    _ => out.push(a),
                }
            }
        }
        Ok(out)
    }

    /// A sample by the code on its label.
    pub async fn sample_by_code(&self, code: &str) -> StoreResult<Option<Sample>> {
        Ok(sample::Entity::find().filter(sample::Column::Code.eq(code)).one(self.conn()).await?)
    }
}
