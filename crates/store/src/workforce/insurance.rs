//! Insurance policies of the mines (corrected by new versions with a reason), the workers each
//! covers, and the coverage check per mine and for the co-op on any day.

use std::collections::HashMap;

use chrono::NaiveDate;
use minecoop_domain::FieldErrors;
use minecoop_domain::workforce::Relation;
use minecoop_domain::workforce::coverage::{self, Coverage, PolicyDraft, PolicyFacts, PolicyKind, WorkerFacts};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

use super::{member, policy};
use crate::{Actor, Store, StoreError, StoreResult, Tx, conflict_on_duplicate, new_id};

pub use member::Model as PolicyMember;
pub use policy::Model as Policy;

impl Policy {
    pub fn kind(&self) -> PolicyKind {
        PolicyKind::parse(&self.kind).unwrap_or(PolicyKind::Accident)
    }
}

/// The audit trail's name for policies.
pub const POLICY_ENTITY: &str = "insurance_policy";

/// The latest version of each policy among `rows`, latest start first.
pub(super) fn latest_policies(rows: Vec<Policy>) -> Vec<Policy> {
    latest(rows)
}

fn latest(rows: Vec<Policy>) -> Vec<Policy> {
    let mut by: HashMap<Uuid, Policy> = HashMap::new();
    for r in rows {
        match by.get(&r.policy_id) {
            Some(c) if c.version >= r.version => {}
            _ => {
                by.insert(r.policy_id, r);
            }
        }
    }
    let mut v: Vec<Policy> = by.into_values().collect();
    v.sort_by(|a, b| b.starts_on.cmp(&a.starts_on).then(a.number.cmp(&b.number)));
    v
}

async fn current<C: sea_orm::ConnectionTrait>(c: &C, policy_id: Uuid) -> StoreResult<Policy> {
    policy::Entity::find()
        .filter(policy::Column::PolicyId.eq(policy_id))
        .order_by_desc(policy::Column::Version)
        .one(c)
        .await?
        .ok_or(StoreError::NotFound)
}

pub(super) fn model(d: &PolicyDraft, policy_id: Uuid, version: i32, tx: &Tx) -> policy::ActiveModel {
    policy::ActiveModel {
        id: Set(new_id()),
        policy_id: Set(policy_id),
        version: Set(version),
        mine_id: Set(d.mine_id),
        kind: Set(d.kind.as_str().to_owned()),
        insurer: Set(d.insurer.clone()),
        number: Set(d.number.clone()),
        starts_on: Set(d.starts_on),
        ends_on: Set(d.ends_on),
        premium_fen: Set(d.premium_fen),
        cover_fen: Set(d.cover_fen),
        reason: Set(if version == 1 { None } else { d.reason.clone() }),
        created_at: Set(tx.now()),
        created_by: Set(tx.actor().name.clone()),
    }
}

/// One mine's coverage on a day, with the mine it is for.
#[derive(Debug, Clone, Serialize)]
pub struct MineCoverage {
    pub mine_id: Uuid,
    pub coverage: Coverage,
}

impl Store {
    /// Record a new policy (version 1).
    pub async fn record_policy(&self, actor: &Actor, d: &PolicyDraft) -> StoreResult<Policy> {
        let mut tx = self.begin(actor).await?;
        crate::registry::mine::Entity::find_by_id(d.mine_id)
            .one(tx.conn())
            .await?
            .ok_or_else(|| StoreError::field("mine_id", "err-choice"))?;
        let m = model(d, new_id(), 1, &tx).insert(tx.conn()).await?;
        tx.record("create", POLICY_ENTITY, m.policy_id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Correct a policy still at `expected_version`: a new version with its reason; the mine
    /// stays.
    pub async fn correct_policy(
        &self,
        actor: &Actor,
        policy_id: Uuid,
        expected_version: i32,
        d: &PolicyDraft,
    ) -> StoreResult<Policy> {
        let mut tx = self.begin(actor).await?;
        let cur = current(tx.conn(), policy_id).await?;
        if cur.version != expected_version {
            return Err(StoreError::Conflict);
        }
        let mut e = FieldErrors::new();
        if d.reason.is_none() {
            e.add("reason", "err-reason-required");
        }
        if d.mine_id != cur.mine_id {
            e.add("mine_id", "err-policy-mine-fixed");
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let m = model(d, policy_id, cur.version + 1, &tx).insert(tx.conn()).await.map_err(conflict_on_duplicate)?;
        tx.record("new_version", POLICY_ENTITY, policy_id, Some(&cur), Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    pub async fn policy(&self, policy_id: Uuid) -> StoreResult<Policy> {
        current(self.conn(), policy_id).await
    }

    pub async fn policy_versions(&self, policy_id: Uuid) -> StoreResult<Vec<Policy>> {
        Ok(policy::Entity::find()
            .filter(policy::Column::PolicyId.eq(policy_id))
            .order_by_asc(policy::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// The current version of every policy of the given mines, latest start first.
    pub async fn policies(&self, mines: &[Uuid]) -> StoreResult<Vec<Policy>> {
        let rows =
            policy::Entity::find().filter(policy::Column::MineId.is_in(mines.iter().copied())).all(self.conn()).await?;
        Ok(latest(rows))
    }

    /// Cover workers of the policy's mine from `from` (to `to`, or the policy's end). A worker
    /// of another mine is refused; one whose cover on the policy is not ended is skipped.
    pub async fn add_policy_members(
        &self,
        actor: &Actor,
        policy_id: Uuid,
        workers: &[Uuid],
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> StoreResult<usize> {
        self.add_policy_cover(actor, policy_id, workers, &[], from, to).await
    }

    /// Cover workers of the policy's mine, and family members of its workers (the worker and
    /// the family member's name as his record lists it), from `from` (to `to`, or the policy's
    /// end). Family members only on family-cover and accident policies. Anyone already covered
    /// by a membership not ended is skipped.
    pub async fn add_policy_cover(
        &self,
        actor: &Actor,
        policy_id: Uuid,
        workers: &[Uuid],
        dependants: &[(Uuid, String)],
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> StoreResult<usize> {
        if workers.is_empty() && dependants.is_empty() {
            return Err(StoreError::field("workers", "err-required"));
        }
        if to.is_some_and(|t| t < from) {
            return Err(StoreError::field("to_on", "err-end-before-start"));
        }
        let mut tx = self.begin(actor).await?;
        let p = current(tx.conn(), policy_id).await?;
        if !dependants.is_empty() && !matches!(p.kind(), PolicyKind::FamilyCover | PolicyKind::Accident) {
            return Err(StoreError::field("dependants", "err-policy-no-family"));
        }
        let existing: Vec<(Uuid, Option<String>)> = member::Entity::find()
            .filter(member::Column::PolicyId.eq(policy_id))
            .filter(member::Column::EndedAt.is_null())
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|m| (m.worker_id, m.dependant_name))
            .collect();
        let mut wanted: Vec<(Uuid, Option<String>)> = workers.iter().map(|w| (*w, None)).collect();
        wanted.extend(dependants.iter().map(|(w, n)| (*w, Some(n.trim().to_owned()))));
        let mut rows: Vec<member::ActiveModel> = Vec::new();
        let mut seen: Vec<(Uuid, Option<String>)> = Vec::new();
        for (w, dep) in wanted {
            let field = if dep.is_some() { "dependants" } else { "workers" };
            let wk = super::current(tx.conn(), w).await.map_err(|_| StoreError::field(field, "err-choice"))?;
            if wk.mine_id != p.mine_id {
                return Err(StoreError::field(field, "err-choice"));
            }
            if let Some(name) = &dep
                && !super::dependants_of(tx.conn(), wk.id).await?.iter().any(|d| &d.name == name)
            {
                return Err(StoreError::field(field, "err-choice"));
            }
            let key = (w, dep.clone());
            if existing.contains(&key) || seen.contains(&key) {
                continue;
            }
            seen.push(key);
            rows.push(member::ActiveModel {
                id: Set(new_id()),
                policy_id: Set(policy_id),
                worker_id: Set(w),
                from_on: Set(from),
                to_on: Set(to),
                created_at: Set(tx.now()),
                created_by: Set(tx.actor().name.clone()),
                dependant_name: Set(dep),
                end_reason: Set(None),
                ended_at: Set(None),
                ended_by: Set(None),
            });
        }
        let n = rows.len();
        for r in rows {
            let m = r.insert(tx.conn()).await?;
            tx.record("create", "policy_member", m.id, None::<&()>, Some(&m));
        }
        tx.commit().await?;
        Ok(n)
    }

    /// End a cover on a policy early (a worker's or a family member's): `to` becomes its last
    /// day, with the reason; the membership is kept. Not before its start, not after the day it
    /// would end anyway, and only once.
    pub async fn end_policy_membership(
        &self,
        actor: &Actor,
        policy_id: Uuid,
        member_id: Uuid,
        to: NaiveDate,
        reason: &str,
    ) -> StoreResult<PolicyMember> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::field("reason", "err-required"));
        }
        let mut tx = self.begin(actor).await?;
        let p = current(tx.conn(), policy_id).await?;
        let m = member::Entity::find_by_id(member_id)
            .filter(member::Column::PolicyId.eq(policy_id))
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        if m.ended_at.is_some() {
            return Err(StoreError::field("to_on", "err-member-ended"));
        }
        if to < m.from_on {
            return Err(StoreError::field("to_on", "err-end-before-start"));
        }
        if to > m.to_on.unwrap_or(p.ends_on).min(p.ends_on) {
            return Err(StoreError::field("to_on", "err-member-end-later"));
        }
        let mut a: member::ActiveModel = m.clone().into();
        a.to_on = Set(Some(to));
        a.end_reason = Set(Some(reason.to_owned()));
        a.ended_at = Set(Some(tx.now()));
        a.ended_by = Set(Some(tx.actor().name.clone()));
        let after = a.update(tx.conn()).await?;
        tx.record("end", "policy_member", m.id, Some(&m), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// The workers (and family members) a policy covers.
    pub async fn policy_members(&self, policy_id: Uuid) -> StoreResult<Vec<PolicyMember>> {
        Ok(member::Entity::find()
            .filter(member::Column::PolicyId.eq(policy_id))
            .order_by_asc(member::Column::FromOn)
            .all(self.conn())
            .await?)
    }

    /// The coverage check of each of `mines` on `day` (see the domain's rules).
    pub async fn coverage(&self, mines: &[Uuid], day: NaiveDate) -> StoreResult<Vec<MineCoverage>> {
        let facts = self.coverage_facts(mines).await?;
        Ok(facts
            .iter()
            .map(|(mine, w, p)| MineCoverage { mine_id: *mine, coverage: coverage::check(w, p, day) })
            .collect())
    }

    /// What the coverage check needs of each of `mines`: its workers (current versions, with
    /// their family members) and its policies with their members, read once for any number of
    /// days.
    pub(crate) async fn coverage_facts(
        &self,
        mines: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, Vec<WorkerFacts>, Vec<PolicyFacts>)>> {
        let workers = self.workers(Some(mines)).await?;
        let deps = super::current_dependants(self.conn(), &workers).await?;
        let policies = self.policies(mines).await?;
        let ids: Vec<Uuid> = policies.iter().map(|p| p.policy_id).collect();
        type Covers = (Vec<(Uuid, NaiveDate, Option<NaiveDate>)>, Vec<(Uuid, String, NaiveDate, Option<NaiveDate>)>);
        let mut members: HashMap<Uuid, Covers> = HashMap::new();
        for chunk in ids.chunks(500) {
            for m in member::Entity::find()
                .filter(member::Column::PolicyId.is_in(chunk.iter().copied()))
                .all(self.conn())
                .await?
            {
                let e = members.entry(m.policy_id).or_default();
                match m.dependant_name {
                    None => e.0.push((m.worker_id, m.from_on, m.to_on)),
                    Some(n) => e.1.push((m.worker_id, n, m.from_on, m.to_on)),
                }
            }
        }
        Ok(mines
            .iter()
            .map(|mine| {
                let w: Vec<WorkerFacts> = workers
                    .iter()
                    .filter(|w| w.mine_id == *mine)
                    .map(|w| WorkerFacts {
                        id: w.worker_id,
                        name: w.name.clone(),
                        start: w.start_date,
                        end: w.end_date,
                        dependants: deps
                            .get(&w.worker_id)
                            .map(|ds| {
                                ds.iter()
                                    .map(|d| (d.name.clone(), Relation::parse(&d.relation).unwrap_or(Relation::Other)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect();
                let p: Vec<PolicyFacts> = policies
                    .iter()
                    .filter(|p| p.mine_id == *mine)
                    .map(|p| {
                        let (members, dependants) = members.get(&p.policy_id).cloned().unwrap_or_default();
                        PolicyFacts {
                            id: p.policy_id,
                            number: p.number.clone(),
                            kind: p.kind(),
                            starts_on: p.starts_on,
                            ends_on: p.ends_on,
                            cover_fen: p.cover_fen,
                            members,
                            dependants,
                        }
                    })
                    .collect();
                (*mine, w, p)
            })
            .collect())
    }
}
