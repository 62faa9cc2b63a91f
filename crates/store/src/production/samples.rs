//! The sample register, chain of custody and assay results.

use chrono::{Datelike, NaiveDateTime};
use minecoop_domain::production::sample::{AssayDraft, CustodyStep, SampleDraft, check_step};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub use super::assay_stage::{RowIssue, SampleKey, SheetResults, StagedCheck};

/// Rows a block of a sheet given to [`Store::import_assay_blocks`] should hold: what its
/// SQLite fast path writes at a time.
pub const BLOCK_ROWS: usize = super::assay_fast::CHUNK_ROWS;

/// A row of a laboratory sheet as the domain checked it, its sample named by its code: what
/// [`Store::import_assay_blocks`] takes.
pub type CheckedRow<'a> = minecoop_domain::production::assay_import::SheetRow<&'a str>;

/// A sheet given in blocks, as the import writes it.
fn whole<'r>(blocks: &'r [Vec<CheckedRow<'_>>]) -> Vec<SheetResults<'r>> {
    blocks.iter().flatten().map(view).collect()
}

/// A checked row as the import writes it: a row without a laboratory gets the unnamed one.
fn view<'r>(r: &'r CheckedRow<'_>) -> SheetResults<'r> {
    use minecoop_domain::production::assay_import::UNNAMED_LAB;
    SheetResults {
        sample: SampleKey::Code(r.sample),
        lab: if r.lab.is_empty() { UNNAMED_LAB } else { &r.lab },
        batch: &r.batch,
        results: &r.results,
    }
}
use super::{assay, assay_stage, sample, sample_event};
use crate::{Actor, Store, StoreError, StoreResult, conflict_on_duplicate, new_id};

/// Results written by one import after which PostgreSQL's statistics are refreshed.
const ANALYZE_AFTER: usize = 10_000;

/// Keys per lookup query: under SQLite's 32,766 and PostgreSQL's 65,535 bound values.
const CHUNK: usize = 1000;

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

impl Store {
    /// The ore samples (routine or field duplicate) taken in a period, of the given mines,
    /// counted by the database by type and month (1-12): `(kind, month, count)`. All a report
    /// needs of a year's tens of thousands of samples.
    pub async fn sample_counts_between(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> StoreResult<Vec<(String, u32, usize)>> {
        use sea_orm::QuerySelect;
        use sea_orm::sea_query::Expr;
        let month = match self.backend() {
            sea_orm::DbBackend::Postgres => "CAST(EXTRACT(MONTH FROM taken_at) AS integer)",
            _ => "CAST(strftime('%m', taken_at) AS integer)",
        };
        // Blanks and reference materials are the laboratory's checks, not samples of the ore.
        let mut q = sample::Entity::find()
            .select_only()
            .column(sample::Column::Kind)
            .column_as(Expr::cust(month), "month")
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(sample::Column::QcRole.is_in(["routine", "duplicate"]))
            .filter(sample::Column::TakenAt.between(from, to));
        if let Some(m) = mines {
            q = q.filter(sample::Column::MineId.is_in(m.iter().copied()));
        }
        let rows: Vec<(String, i32, i64)> =
            q.group_by(sample::Column::Kind).group_by(Expr::cust(month)).into_tuple().all(self.conn()).await?;
        Ok(rows.into_iter().map(|(k, m, n)| (k, m as u32, n as usize)).collect())
    }
}

/// Feeds one written result into an import's digest: every field, length-prefixed, in the order
/// of the table (`created_at` and `created_by` are the audit link's own). The sample is as the
/// import named it: the code on its label (a laboratory sheet), or its id's 16 bytes.
pub fn digest_assay(h: &mut sha2::Sha256, id: Uuid, sample: SampleKey<'_>, r: &AssayDraft, lab: &str, batch: &str) {
    use sha2::Digest;
    let opt = |v: Option<i64>| v.map_or_else(String::new, |v| v.to_string());
    let (value, dl) = (opt(r.value), opt(r.detection_limit));
    let sample: &[u8] = match &sample {
        SampleKey::Code(c) => c.as_bytes(),
        SampleKey::Id(id) => id.as_bytes(),
    };
    for part in [&id.as_bytes()[..], sample, r.element.as_bytes(), b"1", value.as_bytes()] {
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

impl RowIssue {
    /// The message key of a row that stops an import.
    pub fn code(self) -> &'static str {
        match self {
            RowIssue::Unknown => "err-sample-unknown",
            RowIssue::NotReceived => "err-sample-not-received",
            RowIssue::Differs => "err-import-differs",
        }
    }
}

impl Store {
    /// The dry run of a laboratory sheet, for sheets of any size: the database judges every
    /// row (see [`super::assay_stage`]) and only the rows that would stop the import come back,
    /// with the counts. Writes nothing.
    pub async fn check_assay_sheet(&self, rows: &[SheetResults<'_>]) -> StoreResult<StagedCheck> {
        use sea_orm::TransactionTrait;
        let tx = self.conn().begin().await?;
        let judged = assay_stage::run(&tx, rows, None, false, &|_| {}).await?;
        tx.rollback().await?;
        Ok(judged.check)
    }

    /// The dry run of a laboratory sheet whose samples are known by id: what would happen to
    /// each row, writing nothing.
    pub async fn plan_assay_import(&self, rows: &[(Uuid, Vec<AssayDraft>)]) -> StoreResult<Vec<AssayPlan>> {
        use sea_orm::TransactionTrait;
        let sheet: Vec<SheetResults<'_>> = rows
            .iter()
            .map(|(id, r)| SheetResults { sample: SampleKey::Id(*id), lab: "", batch: "", results: r })
            .collect();
        let tx = self.conn().begin().await?;
        let judged = assay_stage::run(&tx, &sheet, None, true, &|_| {}).await?;
        tx.rollback().await?;
        let mut plans = vec![AssayPlan::Same; rows.len()];
        for r in judged.new_listed {
            plans[r] = AssayPlan::New;
        }
        for (r, issue) in judged.check.problems {
            // A sample id that does not exist has not reached any laboratory.
            plans[r] = if issue == RowIssue::Differs { AssayPlan::Differs } else { AssayPlan::NotReceived };
        }
        Ok(plans)
    }

    /// Import a laboratory sheet all or nothing: results not yet recorded are added, identical
    /// ones skipped; a row whose sample has not reached the laboratory, or whose result differs
    /// from the one recorded, stops the import (named as field `"<index>"`). Returns (added
    /// results, rows already recorded).
    ///
    /// The audit trail gets one link per import (not one per result): action `import`, entity
    /// `assay_import`, the `source` (the file's hash) as its id, and in `after` the counts, the
    /// first and last result ids and a SHA-256 over every result written, in order
    /// ([`digest_assay`]), so that the rows can be checked against the trail.
    pub async fn import_assays(
        &self,
        actor: &Actor,
        rows: &[(Uuid, String, String, Vec<AssayDraft>)],
        source: &str,
    ) -> StoreResult<(usize, usize)> {
        self.import_assays_reporting(actor, rows, source, &|_| {}).await
    }

    /// [`Store::import_assays`], calling `written` with the number of rows done as it goes (for
    /// a progress bar).
    pub async fn import_assays_reporting(
        &self,
        actor: &Actor,
        rows: &[(Uuid, String, String, Vec<AssayDraft>)],
        source: &str,
        written: &(dyn Fn(usize) + Sync),
    ) -> StoreResult<(usize, usize)> {
        let sheet: Vec<SheetResults<'_>> = rows
            .iter()
            .map(|(id, lab, batch, r)| SheetResults { sample: SampleKey::Id(*id), lab, batch, results: r })
            .collect();
        match self.import_assay_sheet(actor, &sheet, source, written).await {
            // A sample id that does not exist has not reached any laboratory.
            Err(StoreError::Invalid(mut f)) => {
                for e in &mut f.0 {
                    if e.code == RowIssue::Unknown.code() {
                        e.code = RowIssue::NotReceived.code();
                    }
                }
                Err(StoreError::Invalid(f))
            }
            other => other,
        }
    }

    /// Import a laboratory sheet of any size, all or nothing, in one transaction: the rows are
    /// staged and judged by the database (see [`super::assay_stage`]); a row whose sample does
    /// not exist (`err-sample-unknown`), has not reached the laboratory
    /// (`err-sample-not-received`) or has a result other than the one recorded
    /// (`err-import-differs`) stops it, named as field `"<index>"`, and nothing is written.
    /// Otherwise the new results are written in one statement, identical ones skipped (importing
    /// a sheet twice adds nothing), with one audit link (see [`Store::import_assays`]). Returns
    /// (added results, rows already recorded). `written` hears the rows done as they are
    /// staged, then the total.
    pub async fn import_assay_sheet(
        &self,
        actor: &Actor,
        rows: &[SheetResults<'_>],
        source: &str,
        written: &(dyn Fn(usize) + Sync),
    ) -> StoreResult<(usize, usize)> {
        // sqlx's own transaction, so that a fresh sheet can be written through what only the
        // driver offers: the connection's SQLite handle, or COPY (see [`super::assay_fast`]).
        let name = &actor.name;
        let (added, same) = if self.backend() == sea_orm::DbBackend::Sqlite {
            let tx = crate::raw_tx::SqliteTx::begin(self.conn().get_sqlite_connection_pool()).await?;
            let fast = async |ids: &[Uuid], now| {
                super::assay_fast::write_fresh(&tx, rows, None, ids, now, name, written).await
            };
            let counts = import_in(&tx, actor, rows, source, written, fast).await?;
            tx.commit().await?;
            counts
        } else {
            let tx = crate::raw_tx::PgTx::begin(self.conn().get_postgres_connection_pool()).await?;
            let fast =
                async |ids: &[Uuid], now| super::assay_fast::write_fresh_pg(&tx, rows, ids, now, name, written).await;
            let counts = import_in(&tx, actor, rows, source, written, fast).await?;
            tx.commit().await?;
            counts
        };
        if added >= ANALYZE_AFTER && self.backend() == sea_orm::DbBackend::Postgres {
            // Fresh statistics, so that the next import's lookups use the indexes.
            use sea_orm::ConnectionTrait;
            self.conn().execute_unprepared("ANALYZE assay_results").await?;
        }
        Ok((added, same))
    }

    /// [`Store::import_assay_sheet`] for a sheet whose rows arrive a block at a time, as they are
    /// checked (samples named by their codes; a row without a laboratory gets
    /// [`UNNAMED_LAB`](minecoop_domain::production::assay_import::UNNAMED_LAB)). On SQLite each
    /// block is written as it comes, while the next is checked; on PostgreSQL the sheet is
    /// gathered and written whole. `None` from `blocks` means the sheet has a problem: nothing is
    /// written, and the answer is `Ok(None)`. The same all-or-nothing transaction, the same
    /// judgement when the sheet is not fresh, the same counts and audit link as
    /// [`Store::import_assay_sheet`] given the same rows in one piece.
    pub async fn import_assay_blocks<'a>(
        &self,
        actor: &Actor,
        mut blocks: tokio::sync::mpsc::Receiver<Option<Vec<CheckedRow<'a>>>>,
        source: &str,
        written: &(dyn Fn(usize) + Sync),
    ) -> StoreResult<Option<(usize, usize)>> {
        let mut sheet: Vec<Vec<CheckedRow<'a>>> = Vec::new();
        if self.backend() != sea_orm::DbBackend::Sqlite {
            while let Some(block) = blocks.recv().await {
                let Some(block) = block else { return Ok(None) };
                sheet.push(block);
            }
            return Ok(Some(self.import_assay_sheet(actor, &whole(&sheet), source, written).await?));
        }
        let pool = self.conn().get_sqlite_connection_pool();
        let tx = crate::raw_tx::SqliteTx::begin(pool).await?;
        let now = begin_import(&tx).await?;
        // The samples of each block are found on another connection (and core) while the block
        // before is written (see [`super::assay_fast::Finder`]).
        // Without a connection to spare, each block's samples are found as it is written.
        let mut finder = super::assay_fast::Finder::start(pool)
            .await
            .inspect_err(|e| tracing::debug!(error = %e, "assay import: samples found as each block is written"))
            .ok();
        let (mut ids, mut fresh, mut done) = (Vec::new(), true, 0);
        let mut pending: Option<Vec<CheckedRow<'a>>> = None;
        loop {
            let next = match blocks.recv().await {
                // Dropping the transaction rolls back what was written.
                Some(None) => return Ok(None),
                Some(Some(block)) => Some(block),
                None => None,
            };
            if fresh && let (Some(finder), Some(block)) = (&finder, &next) {
                finder.ask(block.iter().map(|r| r.sample));
            }
            if let Some(block) = pending.take() {
                let rows: Vec<SheetResults<'_>> = block.iter().map(view).collect();
                let from = ids.len();
                assay_stage::more_ids(&mut ids, rows.iter().map(|r| r.results.len()).sum());
                // Once a block is not fresh, the rest are only gathered, to be judged whole.
                if fresh {
                    let found = match &mut finder {
                        Some(finder) => Some(finder.answer().await?),
                        None => None,
                    };
                    let progress = |n: usize| written(done + n);
                    fresh = super::assay_fast::write_fresh(
                        &tx,
                        &rows,
                        found.as_deref(),
                        &ids[from..],
                        now,
                        &actor.name,
                        &progress,
                    )
                    .await?;
                }
                done += rows.len();
                drop(rows);
                sheet.push(block);
            }
            match next {
                Some(block) => pending = Some(block),
                None => break,
            }
        }
        if let Some(finder) = finder {
            finder.close().await;
        }
        let rows = whole(&sheet);
        let counts = finish_import(&tx, actor, &rows, source, written, now, fresh.then_some(ids)).await?;
        tx.commit().await?;
        Ok(Some(counts))
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

/// An import in `tx` (committed by the caller): the audit head locked, the sheet written first
/// as a fresh sheet, every result new for a received sample, by `fast` (given the results' ids
/// and the time: [`super::assay_fast`]); if one result is not, what that wrote is rolled back
/// to a savepoint and the sheet is judged and written block by block ([`assay_stage::run`]);
/// then the audit link. Returns (added results, rows already recorded).
async fn import_in<C: sea_orm::ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    rows: &[SheetResults<'_>],
    source: &str,
    written: &(dyn Fn(usize) + Sync),
    fast: impl AsyncFnOnce(&[Uuid], chrono::DateTime<chrono::Utc>) -> Result<bool, sea_orm::DbErr>,
) -> StoreResult<(usize, usize)> {
    let now = begin_import(tx).await?;
    let ids = assay_stage::ids(rows.iter().map(|r| r.results.len()).sum());
    let fresh = fast(&ids, now).await?.then_some(ids);
    finish_import(tx, actor, rows, source, written, now, fresh).await
}

/// The start of an import in `tx`: the audit head locked (imports and every other change take
/// their turn), the savepoint a fresh sheet's writing may be rolled back to, and the time.
async fn begin_import<C: sea_orm::ConnectionTrait>(tx: &C) -> StoreResult<chrono::DateTime<chrono::Utc>> {
    crate::lock_audit_head(tx).await?;
    tx.execute_unprepared("SAVEPOINT assay_fresh").await?;
    Ok(crate::now())
}

/// The end of an import begun by [`begin_import`]: with `fresh` (every result written, with
/// these ids) the savepoint is kept; otherwise what was written is rolled back to it and the
/// whole sheet is judged and written ([`assay_stage::run`]). Then the audit link. Returns
/// (added results, rows already recorded).
async fn finish_import<C: sea_orm::ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    rows: &[SheetResults<'_>],
    source: &str,
    written: &(dyn Fn(usize) + Sync),
    now: chrono::DateTime<chrono::Utc>,
    fresh: Option<Vec<Uuid>>,
) -> StoreResult<(usize, usize)> {
    let judged = match fresh {
        Some(ids) => {
            tx.execute_unprepared("RELEASE SAVEPOINT assay_fresh").await?;
            tracing::debug!(results = ids.len(), "assay import: a fresh sheet, written");
            assay_stage::Outcome::all_written(rows.len(), ids)
        }
        None => {
            tx.execute_unprepared("ROLLBACK TO SAVEPOINT assay_fresh").await?;
            tx.execute_unprepared("RELEASE SAVEPOINT assay_fresh").await?;
            tracing::debug!("assay import: not a fresh sheet, judged block by block");
            assay_stage::run(tx, rows, Some((now, &actor.name)), false, written).await?
        }
    };
    let (counts, trail) = conclude_import(rows, source, &judged)?;
    crate::append_audit(tx, actor, now, trail.into_iter().collect()).await?;
    written(rows.len());
    Ok(counts)
}

/// What an import that was judged comes to: the rows that stop it (as the error), or the
/// counts (added results, rows already recorded) and the audit link of what was written: the
/// counts, the first and last result ids and a SHA-256 over every result written, in order
/// ([`digest_assay`]).
fn conclude_import(
    rows: &[SheetResults<'_>],
    source: &str,
    judged: &assay_stage::Outcome,
) -> StoreResult<((usize, usize), Option<crate::PendingAudit>)> {
    use sha2::Digest;
    if !judged.check.problems.is_empty() {
        let mut bad = minecoop_domain::FieldErrors::new();
        for (i, issue) in &judged.check.problems {
            bad.add(&i.to_string(), issue.code());
        }
        // Dropping the transaction rolls back what was written.
        return Err(StoreError::Invalid(bad));
    }
    let added = judged.added;
    let same = rows.len() - judged.check.new_rows;
    if added == 0 {
        return Ok(((0, same), None));
    }
    // The digest of what was written, in the order written.
    let mut digest = sha2::Sha256::new();
    let (mut first, mut last) = (None, None);
    let mut k = 0;
    for row in rows {
        for r in row.results {
            if judged.written[k] {
                let id = judged.ids[k];
                first.get_or_insert(id);
                last = Some(id);
                digest_assay(&mut digest, id, row.sample, r, row.lab, row.batch);
            }
            k += 1;
        }
        k += usize::from(row.results.is_empty());
    }
    let trail = serde_json::json!({
        "rows": rows.len(),
        "added": added,
        "same": same,
        "samples_by": if matches!(rows.first().map(|r| r.sample), Some(SampleKey::Code(_))) { "code" } else { "id" },
        "first_id": first,
        "last_id": last,
        "sha256": hex::encode(digest.finalize()),
    });
    Ok(((added, same), Some(crate::PendingAudit::new("import", "assay_import", source, None::<&()>, Some(&trail)))))
}
