//! Quality control of laboratory batches: reference materials (versioned, never edited), the
//! batches of a period judged by the domain's rules, and inspectors' decisions (append-only).

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use minecoop_domain::production::qc::{
    BatchQc, DecisionDraft, Material, MaterialDraft, QcLimits, QcResult, QcSample, evaluate,
};
use minecoop_domain::production::sample::QcRole;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{assay, qc_decision, reference_material, sample};
use crate::{Actor, Store, StoreError, StoreResult, conflict_on_duplicate, new_id};

pub use qc_decision::Model as QcDecision;
pub use reference_material::Model as ReferenceMaterial;

/// A batch as quality control sees it, with the latest decision on it.
#[derive(Debug, Clone)]
pub struct QcBatch {
    pub qc: BatchQc,
    pub decision: Option<QcDecision>,
}

impl QcBatch {
    /// Flagged (warning or failure) and not yet decided, or decided on a better outcome than it
    /// has now (accepted on a warning, failing since): what the dashboard shows.
    pub fn awaiting_decision(&self) -> bool {
        self.qc.outcome.is_flagged() && !self.decision_covers_outcome()
    }

    /// Whether the latest decision decided the outcome the batch has now (or a worse one).
    pub fn decision_covers_outcome(&self) -> bool {
        match &self.decision {
            None => false,
            // Decided before the outcome was kept: it decided the batch as it was.
            Some(QcDecision { decided_outcome: None, .. }) => true,
            Some(QcDecision { decided_outcome: Some(o), .. }) => {
                match minecoop_domain::production::qc::Outcome::parse(o) {
                    Ok(decided) => decided.worst(self.qc.outcome) == decided,
                    Err(_) => false,
                }
            }
        }
    }
}

/// The latest result of each element of each sample (a correction replaces what it corrects).
async fn current_results<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<QcResult>>> {
    let mut latest: HashMap<(Uuid, String), assay::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = assay::Entity::find().filter(assay::Column::SampleId.is_in(chunk.iter().copied())).all(conn).await?;
        for a in rows {
            let key = (a.sample_id, a.element.clone());
            if latest.get(&key).is_none_or(|l| l.version < a.version) {
                latest.insert(key, a);
            }
        }
    }
    let mut out: HashMap<Uuid, Vec<QcResult>> = HashMap::new();
    for ((id, _), a) in latest {
        out.entry(id).or_default().push(QcResult {
            element: a.element,
            value: a.value_e4,
            detection_limit: a.detection_limit_e4,
            lab: a.lab,
            batch: a.batch,
        });
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.element.cmp(&b.element));
    }
    Ok(out)
}

async fn facts<C: sea_orm::ConnectionTrait>(conn: &C, samples: Vec<sample::Model>) -> StoreResult<Vec<QcSample>> {
    let ids: Vec<Uuid> = samples.iter().map(|s| s.id).collect();
    let mut results = current_results(conn, &ids).await?;
    Ok(samples
        .into_iter()
        .map(|s| QcSample {
            results: results.remove(&s.id).unwrap_or_default(),
            role: QcRole::parse(&s.qc_role).unwrap_or(QcRole::Routine),
            code: s.code,
            mine_id: s.mine_id,
            taken_at: s.taken_at,
            duplicate_of: s.duplicate_of,
            reference: s.reference,
        })
        .collect())
}

impl Store {
    /// Add a reference material's accepted value for an element. A name and element already
    /// known get a new version (a new certificate); the earlier ones stay.
    pub async fn add_reference_material(&self, actor: &Actor, d: &MaterialDraft) -> StoreResult<ReferenceMaterial> {
        let mut tx = self.begin(actor).await?;
        let prev = reference_material::Entity::find()
            .filter(reference_material::Column::Name.eq(d.name.as_str()))
            .filter(reference_material::Column::Element.eq(d.element.as_str()))
            .order_by_desc(reference_material::Column::Version)
            .one(tx.conn())
            .await?;
        let m = reference_material::ActiveModel {
            id: Set(new_id()),
            name: Set(d.name.clone()),
            element: Set(d.element.clone()),
            version: Set(prev.as_ref().map_or(1, |p| p.version + 1)),
            unit: Set(d.unit.clone()),
            accepted_e4: Set(d.accepted),
            sd_e4: Set(d.sd),
            certificate: Set(d.certificate.clone()),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await
        .map_err(conflict_on_duplicate)?;
        tx.record(
            if prev.is_some() { "new_version" } else { "create" },
            "reference_material",
            m.id,
            prev.as_ref(),
            Some(&m),
        );
        tx.commit().await?;
        Ok(m)
    }

    /// Every version of every reference material, by name, element and version.
    pub async fn reference_materials(&self) -> StoreResult<Vec<ReferenceMaterial>> {
        Ok(reference_material::Entity::find()
            .order_by_asc(reference_material::Column::Name)
            .order_by_asc(reference_material::Column::Element)
            .order_by_asc(reference_material::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// The accepted values in force: the latest version of each material and element.
    pub async fn current_materials(&self) -> StoreResult<Vec<Material>> {
        let mut out: Vec<Material> = Vec::new();
        for m in self.reference_materials().await? {
            let cur = Material { name: m.name, element: m.element, accepted: m.accepted_e4, sd: m.sd_e4 };
            match out.last_mut() {
                Some(l) if l.name == cur.name && l.element == cur.element => *l = cur,
                _ => out.push(cur),
            }
        }
        Ok(out)
    }

    /// Judge the batches of the given samples: with the originals of their duplicates and every
    /// CRM result (the 2-2s rule looks at the one before), then the latest decision on each.
    async fn judge(&self, samples: Vec<sample::Model>, limits: &QcLimits) -> StoreResult<Vec<QcBatch>> {
        let own: BTreeSet<String> = samples.iter().map(|s| s.code.clone()).collect();
        let originals: Vec<String> =
            samples.iter().filter_map(|s| s.duplicate_of.clone()).filter(|c| !own.contains(c)).collect();
        let mut context = Vec::new();
        for chunk in originals.chunks(500) {
            context.extend(
                sample::Entity::find()
                    .filter(sample::Column::Code.is_in(chunk.iter().cloned()))
                    .all(self.conn())
                    .await?,
            );
        }
        context.extend(
            sample::Entity::find()
                .filter(sample::Column::QcRole.eq(QcRole::Reference.as_str()))
                .all(self.conn())
                .await?
                .into_iter()
                .filter(|s| !own.contains(&s.code) && !originals.contains(&s.code)),
        );
        let context = facts(self.conn(), context).await?;
        let samples = facts(self.conn(), samples).await?;
        let batches = evaluate(&samples, &context, &self.current_materials().await?, limits);
        let labs: BTreeSet<&str> = batches.iter().map(|b| b.lab.as_str()).collect();
        let mut decisions: HashMap<(String, String), QcDecision> = HashMap::new();
        for d in qc_decision::Entity::find()
            .filter(qc_decision::Column::Lab.is_in(labs.iter().copied()))
            .order_by_asc(qc_decision::Column::DecidedAt)
            .order_by_asc(qc_decision::Column::Id)
            .all(self.conn())
            .await?
        {
            decisions.insert((d.lab.clone(), d.batch.clone()), d);
        }
        Ok(batches
            .into_iter()
            .map(|qc| {
                let decision = decisions.remove(&(qc.lab.clone(), qc.batch.clone()));
                QcBatch { qc, decision }
            })
            .collect())
    }

    /// The batches of the samples taken in a period (local times), each judged whole: the
    /// period names the batches, and a batch's samples taken outside it count too (a July batch
    /// whose reference material was run on the 20th is as failed on the 19th). With `mines`,
    /// only batches holding samples of those mines, and only the checks of their samples (the
    /// outcome stays the batch's).
    pub async fn qc_batches(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDateTime,
        to: NaiveDateTime,
        limits: &QcLimits,
    ) -> StoreResult<Vec<QcBatch>> {
        use sea_orm::QuerySelect;
        let mut samples = sample::Entity::find()
            .filter(sample::Column::TakenAt.between(from, to))
            .order_by_asc(sample::Column::TakenAt)
            .all(self.conn())
            .await?;
        let have: BTreeSet<Uuid> = samples.iter().map(|s| s.id).collect();
        let ids: Vec<Uuid> = have.iter().copied().collect();
        let keys: BTreeSet<(String, String)> =
            self.batches_of(&ids).await?.into_iter().map(|(_, lab, batch)| (lab, batch)).collect();
        // The batches' other samples: by laboratory and batch name (a superset, narrowed to the
        // exact pairs here), a bounded number of names per query.
        let keys: Vec<(String, String)> = keys.into_iter().collect();
        let mut extra: BTreeSet<Uuid> = BTreeSet::new();
        for chunk in keys.chunks(200) {
            let labs: BTreeSet<&str> = chunk.iter().map(|k| k.0.as_str()).collect();
            let names: BTreeSet<&str> = chunk.iter().map(|k| k.1.as_str()).collect();
            let found: Vec<(Uuid, String, String)> = assay::Entity::find()
                .select_only()
                .columns([assay::Column::SampleId, assay::Column::Lab, assay::Column::Batch])
                .filter(assay::Column::Lab.is_in(labs.iter().copied()))
                .filter(assay::Column::Batch.is_in(names.iter().copied()))
                .into_tuple()
                .all(self.conn())
                .await?;
            extra.extend(
                found
                    .into_iter()
                    .filter(|(id, lab, batch)| !have.contains(id) && chunk.iter().any(|k| k.0 == *lab && k.1 == *batch))
                    .map(|(id, _, _)| id),
            );
        }
        let extra: Vec<Uuid> = extra.into_iter().collect();
        samples.extend(self.samples_by_ids(&extra).await?);
        samples.sort_by_key(|s| s.taken_at);
        let named: BTreeSet<(String, String)> = keys.into_iter().collect();
        let mut out = self.judge(samples, limits).await?;
        // A sample brought in for its batch may have results in other batches too: only the
        // period's batches are listed.
        out.retain(|b| named.contains(&(b.qc.lab.clone(), b.qc.batch.clone())));
        if let Some(m) = mines {
            out.retain(|b| b.qc.mines.iter().any(|x| m.contains(x)));
            for b in &mut out {
                b.qc.checks.retain(|c| m.contains(&c.mine_id));
            }
        }
        Ok(out)
    }

    /// The judged batches of the samples of `mines` taken in a period, for counting failures
    /// (the grade report): only a QC sample can fail a batch, so only the batches' QC samples
    /// are read and judged (with their context), not the thousands of ore samples around them.
    /// `first_taken` is still the batch's first sample of the period; the checks are those of
    /// `mines`' samples, the outcome the batch's.
    pub async fn qc_judged_between(
        &self,
        mines: Option<&[Uuid]>,
        from: NaiveDateTime,
        to: NaiveDateTime,
        limits: &QcLimits,
    ) -> StoreResult<Vec<QcBatch>> {
        use std::collections::BTreeMap;

        use sea_orm::QuerySelect;
        use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
        // The period's batches, and when their first sample of the period was taken: found by
        // the database, which returns one line a batch (not one a sample).
        let mut q = Query::select();
        q.column((assay::Entity, assay::Column::Lab))
            .column((assay::Entity, assay::Column::Batch))
            .expr(Func::min(Expr::col((sample::Entity, sample::Column::TakenAt))))
            .from(sample::Entity)
            .inner_join(
                assay::Entity,
                Expr::col((assay::Entity, assay::Column::SampleId)).equals((sample::Entity, sample::Column::Id)),
            )
            .and_where(Expr::col((sample::Entity, sample::Column::TakenAt)).between(from, to))
            .group_by_col((assay::Entity, assay::Column::Lab))
            .group_by_col((assay::Entity, assay::Column::Batch));
        if let Some(m) = mines {
            q.and_where(Expr::col((sample::Entity, sample::Column::MineId)).is_in(m.iter().copied()));
        }
        let mut first: BTreeMap<(String, String), NaiveDateTime> = BTreeMap::new();
        for row in sea_orm::ConnectionTrait::query_all(self.conn(), &q).await? {
            let (lab, batch, at): (String, String, NaiveDateTime) = row.try_get_many_by_index()?;
            first.insert((lab, batch), at);
        }
        // Their QC samples, wherever taken: of the co-op's few QC samples, those with results in
        // these batches.
        let all_qc: Vec<Uuid> = sample::Entity::find()
            .select_only()
            .column(sample::Column::Id)
            .filter(sample::Column::QcRole.ne(QcRole::Routine.as_str()))
            .into_tuple()
            .all(self.conn())
            .await?;
        let qc_ids: BTreeSet<Uuid> = self
            .batches_of(&all_qc)
            .await?
            .into_iter()
            .filter(|(_, lab, batch)| first.contains_key(&(lab.clone(), batch.clone())))
            .map(|(id, _, _)| id)
            .collect();
        let qc_ids: Vec<Uuid> = qc_ids.into_iter().collect();
        let mut qc_samples = self.samples_by_ids(&qc_ids).await?;
        qc_samples.sort_by_key(|s| s.taken_at);
        let mut out = self.judge(qc_samples, limits).await?;
        out.retain_mut(|b| match first.get(&(b.qc.lab.clone(), b.qc.batch.clone())) {
            Some(at) => {
                b.qc.first_taken = *at;
                true
            }
            None => false,
        });
        if let Some(m) = mines {
            for b in &mut out {
                b.qc.checks.retain(|c| m.contains(&c.mine_id));
            }
        }
        Ok(out)
    }

    /// Flagged batches nobody has decided on, of any time: what the dashboard shows. Only a QC
    /// sample can flag a batch, so only QC samples are judged (with their context); the
    /// samples and mines of a flagged batch are then counted from all its results.
    pub async fn qc_awaiting(&self, mines: Option<&[Uuid]>, limits: &QcLimits) -> StoreResult<Vec<QcBatch>> {
        let qc_samples = sample::Entity::find()
            .filter(sample::Column::QcRole.ne(QcRole::Routine.as_str()))
            .order_by_asc(sample::Column::TakenAt)
            .all(self.conn())
            .await?;
        let mut out: Vec<QcBatch> =
            self.judge(qc_samples, limits).await?.into_iter().filter(QcBatch::awaiting_decision).collect();
        for b in &mut out {
            let ids: BTreeSet<Uuid> = assay::Entity::find()
                .filter(assay::Column::Lab.eq(b.qc.lab.as_str()))
                .filter(assay::Column::Batch.eq(b.qc.batch.as_str()))
                .all(self.conn())
                .await?
                .into_iter()
                .map(|a| a.sample_id)
                .collect();
            let ids: Vec<Uuid> = ids.into_iter().collect();
            let mut all_mines: BTreeSet<Uuid> = BTreeSet::new();
            for chunk in ids.chunks(500) {
                let found = sample::Entity::find()
                    .filter(sample::Column::Id.is_in(chunk.iter().copied()))
                    .all(self.conn())
                    .await?;
                all_mines.extend(found.iter().map(|s| s.mine_id));
            }
            b.qc.samples = ids.len();
            b.qc.mines = all_mines.into_iter().collect();
        }
        if let Some(m) = mines {
            out.retain(|b| b.qc.mines.iter().any(|x| m.contains(x)));
            for b in &mut out {
                b.qc.checks.retain(|c| m.contains(&c.mine_id));
            }
        }
        Ok(out)
    }

    /// The laboratory batches the given samples have results in: `(sample, lab, batch)`, in
    /// bounded batches of ids.
    async fn batches_of(&self, ids: &[Uuid]) -> StoreResult<Vec<(Uuid, String, String)>> {
        use sea_orm::QuerySelect;
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(Uuid, String, String)> = assay::Entity::find()
                .select_only()
                .columns([assay::Column::SampleId, assay::Column::Lab, assay::Column::Batch])
                .distinct()
                .filter(assay::Column::SampleId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(self.conn())
                .await?;
            out.extend(found);
        }
        Ok(out)
    }

    /// Whole samples by id, in bounded batches of ids.
    async fn samples_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<sample::Model>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            out.extend(
                sample::Entity::find().filter(sample::Column::Id.is_in(chunk.iter().copied())).all(self.conn()).await?,
            );
        }
        Ok(out)
    }

    /// One batch, whatever the period of its samples; `NotFound` when no result names it.
    pub async fn qc_batch(&self, lab: &str, batch: &str, limits: &QcLimits) -> StoreResult<QcBatch> {
        let ids: BTreeSet<Uuid> = assay::Entity::find()
            .filter(assay::Column::Lab.eq(lab))
            .filter(assay::Column::Batch.eq(batch))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|a| a.sample_id)
            .collect();
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let samples = self.samples_by_ids(&ids).await?;
        self.judge(samples, limits)
            .await?
            .into_iter()
            .find(|b| b.qc.lab == lab && b.qc.batch == batch)
            .ok_or(StoreError::NotFound)
    }

    /// Every decision on a batch, oldest first.
    pub async fn qc_decisions(&self, lab: &str, batch: &str) -> StoreResult<Vec<QcDecision>> {
        Ok(qc_decision::Entity::find()
            .filter(qc_decision::Column::Lab.eq(lab))
            .filter(qc_decision::Column::Batch.eq(batch))
            .order_by_asc(qc_decision::Column::DecidedAt)
            .order_by_asc(qc_decision::Column::Id)
            .all(self.conn())
            .await?)
    }

    /// An inspector accepts or rejects a batch, with a reason. A batch that no result names is
    /// `NotFound`; a later decision is added beside the earlier ones, which stay.
    pub async fn decide_batch(
        &self,
        actor: &Actor,
        lab: &str,
        batch: &str,
        d: &DecisionDraft,
        limits: &QcLimits,
    ) -> StoreResult<QcDecision> {
        // What is decided: the batch as it is judged now.
        let outcome = self.qc_batch(lab, batch, limits).await?.qc.outcome;
        let mut tx = self.begin(actor).await?;
        let known = assay::Entity::find()
            .filter(assay::Column::Lab.eq(lab))
            .filter(assay::Column::Batch.eq(batch))
            .one(tx.conn())
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        let m = qc_decision::ActiveModel {
            id: Set(new_id()),
            lab: Set(lab.to_owned()),
            batch: Set(batch.to_owned()),
            decision: Set(d.decision.as_str().to_owned()),
            reason: Set(d.reason.clone()),
            decided_by: Set(tx.actor().name.clone()),
            decided_at: Set(tx.now()),
            decided_outcome: Set(Some(outcome.as_str().to_owned())),
        }
        .insert(tx.conn())
        .await?;
        tx.record("decide", "qc_decision", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }
}
