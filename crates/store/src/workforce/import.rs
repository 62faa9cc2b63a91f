//! Imports of workers and of insurance policies with the workers they cover: the dry run says
//! what would happen to each row, writing nothing; the import writes all or nothing in one
//! transaction. A row already recorded identically is skipped (importing a file twice adds
//! nothing); a row for a recorded worker or policy that differs from the record stops the
//! import, naming the fields that differ: a correction is a new version with its own reason,
//! made on the record's page. The audit trail gets one entry per worker, policy and
//! membership written (action `import`), as the forms write one per record.

use std::collections::HashMap;

use chrono::NaiveDate;
use minecoop_domain::FieldErrors;
use minecoop_domain::workforce::coverage::PolicyDraft;
use minecoop_domain::workforce::import::{MemberRow, PolicySheet};
use minecoop_domain::workforce::worker::WorkerDraft;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{IdentityKeys, Policy, Worker, dependants_of, latest, member, policy, worker};
use crate::{Actor, Store, StoreError, StoreResult, new_id};

/// What an import would do with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowPlan {
    /// Not recorded yet: it is added.
    New,
    /// Recorded identically: nothing to do.
    Same,
    /// Recorded with other details (these fields): the import stops.
    Differs(Vec<&'static str>),
    /// The row cannot be imported: its field and the message key (a member row whose policy or
    /// worker is not found).
    Problem(&'static str, &'static str),
}

impl RowPlan {
    fn stops(&self) -> bool {
        matches!(self, RowPlan::Differs(_) | RowPlan::Problem(..))
    }
}

/// The message key of a field that differs from what is recorded.
pub const DIFFERS: &str = "err-import-record-differs";

/// Counts of an import (or of its dry run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub new: usize,
    pub same: usize,
}

/// What a policies import would do with each policy and each member row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyPlan {
    pub policies: Vec<RowPlan>,
    pub members: Vec<RowPlan>,
}

impl PolicyPlan {
    pub fn stops(&self) -> bool {
        self.policies.iter().chain(&self.members).any(RowPlan::stops)
    }

    pub fn counts(&self) -> ImportCounts {
        let all = || self.policies.iter().chain(&self.members);
        ImportCounts {
            new: all().filter(|p| **p == RowPlan::New).count(),
            same: all().filter(|p| **p == RowPlan::Same).count(),
        }
    }
}

fn counts(plans: &[RowPlan]) -> ImportCounts {
    ImportCounts {
        new: plans.iter().filter(|p| **p == RowPlan::New).count(),
        same: plans.iter().filter(|p| **p == RowPlan::Same).count(),
    }
}

/// The rows that stop an import, as field errors named by index (`"<index>"` for workers,
/// `"policies.<i>"` / `"members.<i>"` for policies).
fn stopping(prefix: &str, plans: &[RowPlan], e: &mut FieldErrors) {
    for (i, p) in plans.iter().enumerate() {
        let field = if prefix.is_empty() { i.to_string() } else { format!("{prefix}.{i}") };
        match p {
            RowPlan::Differs(_) => e.add(&field, DIFFERS),
            RowPlan::Problem(_, code) => e.add(&field, code),
            _ => {}
        }
    }
}

/// The recorded workers with these numbers' blind indexes (latest versions), by (mine, index).
async fn workers_by_index<C: ConnectionTrait>(
    c: &C,
    indexes: &[String],
) -> StoreResult<HashMap<(Uuid, String), Worker>> {
    let mut rows = Vec::new();
    for chunk in indexes.chunks(500) {
        rows.extend(worker::Entity::find().filter(worker::Column::IdIndex.is_in(chunk.iter().cloned())).all(c).await?);
    }
    Ok(latest(rows).into_iter().map(|w| ((w.mine_id, w.id_index.clone()), w)).collect())
}

/// The fields of `d` that differ from the recorded worker `w` (its dependants decrypted to
/// compare their numbers).
async fn worker_differences<C: ConnectionTrait>(
    c: &C,
    keys: &IdentityKeys,
    w: &Worker,
    d: &WorkerDraft,
) -> StoreResult<Vec<&'static str>> {
    let mut out = Vec::new();
    let mut check = |field: &'static str, same: bool| {
        if !same {
            out.push(field);
        }
    };
    check("name", w.name == d.name);
    check("sex", w.sex == d.sex.as_str());
    check("birth_date", w.birth_date == d.birth_date);
    check("home_village", w.home_village == d.home_village);
    check("phone", w.phone == d.phone);
    check("job", w.job == d.job.as_str());
    check("employment_form", w.employment_form == d.employment_form.as_str());
    check("start_date", w.start_date == d.start_date);
    check("end_date", w.end_date == d.end_date);
    check("emergency_name", w.emergency_name == d.emergency_name);
    check("emergency_phone", w.emergency_phone == d.emergency_phone);
    let deps = dependants_of(c, w.id).await?;
    let mut same = deps.len() == d.dependants.len();
    if same {
        for (r, n) in deps.iter().zip(&d.dependants) {
            let number = r.id_cipher.as_deref().map(|x| keys.decrypt(x)).transpose()?;
            same &= r.name == n.name
                && r.relation == n.relation.as_str()
                && r.birth_date == n.birth_date
                && number.as_deref() == n.id_number.as_ref().map(|i| i.as_str());
        }
    }
    check("dependants", same);
    Ok(out)
}

async fn plan_workers_in<C: ConnectionTrait>(
    c: &C,
    keys: &IdentityKeys,
    drafts: &[WorkerDraft],
) -> StoreResult<Vec<RowPlan>> {
    let indexes: Vec<String> = drafts.iter().map(|d| keys.blind_index(d.id_number.as_str())).collect();
    let known = workers_by_index(c, &indexes).await?;
    let mut plans = Vec::with_capacity(drafts.len());
    for (d, index) in drafts.iter().zip(indexes) {
        plans.push(match known.get(&(d.mine_id, index)) {
            None => RowPlan::New,
            Some(w) => {
                let diff = worker_differences(c, keys, w, d).await?;
                if diff.is_empty() { RowPlan::Same } else { RowPlan::Differs(diff) }
            }
        });
    }
    Ok(plans)
}

fn policy_differences(p: &Policy, d: &PolicyDraft) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (field, same) in [
        ("kind", p.kind == d.kind.as_str()),
        ("insurer", p.insurer == d.insurer),
        ("starts_on", p.starts_on == d.starts_on),
        ("ends_on", p.ends_on == d.ends_on),
        ("premium", p.premium_fen == d.premium_fen),
        ("cover_per_person", p.cover_fen == d.cover_fen),
    ] {
        if !same {
            out.push(field);
        }
    }
    out
}

/// A member row resolved: the policy (recorded, or the sheet's `n`th), the worker, the dates.
#[derive(Debug, Clone)]
struct Membership {
    policy: Target,
    worker_id: Uuid,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Recorded(Uuid),
    Sheet(usize),
}

struct Planned {
    plan: PolicyPlan,
    /// For each sheet policy recorded identically, its policy id.
    same_as: Vec<Option<Uuid>>,
    memberships: Vec<Option<Membership>>,
}

async fn plan_policies_in<C: ConnectionTrait>(
    c: &C,
    keys: &IdentityKeys,
    mines: &[Uuid],
    sheet: &PolicySheet,
) -> StoreResult<Planned> {
    let mut recorded: Vec<Policy> = Vec::new();
    for chunk in mines.chunks(500) {
        recorded
            .extend(policy::Entity::find().filter(policy::Column::MineId.is_in(chunk.iter().copied())).all(c).await?);
    }
    let recorded = super::insurance::latest_policies(recorded);
    let mut plans = Vec::new();
    let mut same_as = Vec::new();
    for r in &sheet.policies {
        let d = &r.draft;
        let matching: Vec<&Policy> =
            recorded.iter().filter(|p| p.mine_id == d.mine_id && p.number == d.number).collect();
        match matching.iter().find(|p| policy_differences(p, d).is_empty()) {
            Some(p) => {
                plans.push(RowPlan::Same);
                same_as.push(Some(p.policy_id));
            }
            None => {
                plans.push(match matching.first() {
                    None => RowPlan::New,
                    Some(p) => RowPlan::Differs(policy_differences(p, d)),
                });
                same_as.push(None);
            }
        }
    }
    // The policies a member row may name: the sheet's, and the recorded ones the sheet does not
    // repeat; each with its mine, number and start.
    let mut targets: Vec<(Target, Uuid, &str, NaiveDate)> = Vec::new();
    for (i, r) in sheet.policies.iter().enumerate() {
        let t = same_as[i].map_or(Target::Sheet(i), Target::Recorded);
        targets.push((t, r.draft.mine_id, &r.draft.number, r.draft.starts_on));
    }
    for p in &recorded {
        if !targets.iter().any(|(t, ..)| *t == Target::Recorded(p.policy_id))
            && !sheet.policies.iter().any(|r| r.draft.mine_id == p.mine_id && r.draft.number == p.number)
        {
            targets.push((Target::Recorded(p.policy_id), p.mine_id, &p.number, p.starts_on));
        }
    }
    let indexes: Vec<String> = sheet.members.iter().map(|m| keys.blind_index(m.id_number.as_str())).collect();
    let workers = workers_by_index(c, &indexes).await?;
    let recorded_ids: Vec<Uuid> =
        targets.iter().filter_map(|(t, ..)| if let Target::Recorded(id) = t { Some(*id) } else { None }).collect();
    // The workers' own covers (not their family members'); a worker may have had more than
    // one on a policy (a cover ended, then given again).
    let mut existing: Covers = HashMap::new();
    for chunk in recorded_ids.chunks(500) {
        for m in member::Entity::find()
            .filter(member::Column::PolicyId.is_in(chunk.iter().copied()))
            .filter(member::Column::DependantName.is_null())
            .all(c)
            .await?
        {
            existing.entry((m.policy_id, m.worker_id)).or_default().push((m.from_on, m.to_on));
        }
    }
    let mut members = Vec::new();
    let mut memberships = Vec::new();
    for (m, index) in sheet.members.iter().zip(indexes) {
        let (plan, membership) = plan_member(m, &index, &targets, &workers, &existing);
        members.push(plan);
        memberships.push(membership);
    }
    Ok(Planned { plan: PolicyPlan { policies: plans, members }, same_as, memberships })
}

/// The covers recorded by (policy, worker): each one's first and last day.
type Covers = HashMap<(Uuid, Uuid), Vec<(NaiveDate, Option<NaiveDate>)>>;

fn plan_member(
    m: &MemberRow,
    index: &str,
    targets: &[(Target, Uuid, &str, NaiveDate)],
    workers: &HashMap<(Uuid, String), Worker>,
    existing: &Covers,
) -> (RowPlan, Option<Membership>) {
    let named: Vec<&(Target, Uuid, &str, NaiveDate)> = targets
        .iter()
        .filter(|(_, mine, number, _)| *number == m.policy_number && m.mine_id.is_none_or(|x| x == *mine))
        .collect();
    let (target, mine, starts_on) = match named.as_slice() {
        [] => return (RowPlan::Problem("policy_number", "err-import-policy-unknown"), None),
        [(t, mine, _, s)] => (*t, *mine, *s),
        _ => return (RowPlan::Problem("policy_number", "err-import-policy-ambiguous"), None),
    };
    let Some(w) = workers.get(&(mine, index.to_owned())) else {
        return (RowPlan::Problem("id_number", "err-import-worker-unknown"), None);
    };
    let from = m.from.unwrap_or(starts_on);
    if m.to.is_some_and(|t| t < from) {
        return (RowPlan::Problem("to", "err-end-before-start"), None);
    }
    if let Target::Recorded(policy_id) = target
        && let Some(covers) = existing.get(&(policy_id, w.worker_id))
    {
        if covers.contains(&(from, m.to)) {
            return (RowPlan::Same, None);
        }
        // Named against the latest cover recorded.
        let (f, t) = covers.iter().max_by_key(|(f, _)| *f).copied().unwrap_or((from, m.to));
        let mut diff = Vec::new();
        if f != from {
            diff.push("from");
        }
        if t != m.to {
            diff.push("to");
        }
        return (if diff.is_empty() { RowPlan::Same } else { RowPlan::Differs(diff) }, None);
    }
    (RowPlan::New, Some(Membership { policy: target, worker_id: w.worker_id, from, to: m.to }))
}

impl Store {
    /// The dry run of a workers import: for each draft, whether the worker is new, recorded
    /// identically (same mine and person, by the number's blind index), or recorded with other
    /// details (which fields). Writes nothing.
    pub async fn plan_worker_import(&self, drafts: &[WorkerDraft]) -> StoreResult<Vec<RowPlan>> {
        let keys = self.keys()?;
        super::check_key(self.conn(), keys, crate::now()).await?;
        plan_workers_in(self.conn(), keys, drafts).await
    }

    /// Import workers all or nothing, in one transaction: new ones are recorded (version 1,
    /// one audit entry each, action `import`), identical ones skipped; if any differs from
    /// the record, nothing is written and the answer names them (field `"<index>"`). Returns
    /// the counts.
    pub async fn import_workers(&self, actor: &Actor, drafts: &[WorkerDraft]) -> StoreResult<ImportCounts> {
        let keys = self.keys()?;
        let mut tx = self.begin(actor).await?;
        super::check_key(tx.conn(), keys, tx.now()).await?;
        let plans = plan_workers_in(tx.conn(), keys, drafts).await?;
        let mut e = FieldErrors::new();
        stopping("", &plans, &mut e);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        for (d, p) in drafts.iter().zip(&plans) {
            if *p == RowPlan::New {
                super::insert_worker_as(self, &mut tx, d, "import").await?;
            }
        }
        tx.commit().await?;
        Ok(counts(&plans))
    }

    /// The dry run of a policies import (policies and the workers they cover) for an importer
    /// who keeps the insurance of `mines`: each policy new, recorded identically (same mine and
    /// number) or recorded otherwise; each member row new, already a member with the same
    /// dates, a member with other dates, or a problem (no such policy, or more than one, or
    /// no such worker at the policy's mine). Writes nothing.
    pub async fn plan_policy_import(&self, mines: &[Uuid], sheet: &PolicySheet) -> StoreResult<PolicyPlan> {
        let keys = self.keys()?;
        super::check_key(self.conn(), keys, crate::now()).await?;
        Ok(plan_policies_in(self.conn(), keys, mines, sheet).await?.plan)
    }

    /// Import policies and their members all or nothing, in one transaction (see
    /// [`Store::plan_policy_import`]); a row that stops it is named as field `"policies.<i>"`
    /// or `"members.<i>"` and nothing is written. One audit entry per policy and per
    /// membership written (action `import`).
    pub async fn import_policies(
        &self,
        actor: &Actor,
        mines: &[Uuid],
        sheet: &PolicySheet,
    ) -> StoreResult<ImportCounts> {
        let keys = self.keys()?;
        let mut tx = self.begin(actor).await?;
        super::check_key(tx.conn(), keys, tx.now()).await?;
        let planned = plan_policies_in(tx.conn(), keys, mines, sheet).await?;
        let mut e = FieldErrors::new();
        stopping("policies", &planned.plan.policies, &mut e);
        stopping("members", &planned.plan.members, &mut e);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let mut ids: Vec<Option<Uuid>> = planned.same_as.clone();
        for (i, (r, p)) in sheet.policies.iter().zip(&planned.plan.policies).enumerate() {
            if *p == RowPlan::New {
                if crate::registry::mine::Entity::find_by_id(r.draft.mine_id).one(tx.conn()).await?.is_none() {
                    return Err(StoreError::field(&format!("policies.{i}"), "err-choice"));
                }
                let m = super::insurance::model(&r.draft, new_id(), 1, &tx).insert(tx.conn()).await?;
                tx.record("import", super::POLICY_ENTITY, m.policy_id, None::<&()>, Some(&m));
                ids[i] = Some(m.policy_id);
            }
        }
        for ms in planned.memberships.iter().flatten() {
            let policy_id = match ms.policy {
                Target::Recorded(id) => id,
                Target::Sheet(i) => ids[i].ok_or(StoreError::Conflict)?,
            };
            let m = member::ActiveModel {
                id: Set(new_id()),
                policy_id: Set(policy_id),
                worker_id: Set(ms.worker_id),
                from_on: Set(ms.from),
                to_on: Set(ms.to),
                created_at: Set(tx.now()),
                created_by: Set(tx.actor().name.clone()),
                dependant_name: Set(None),
                end_reason: Set(None),
                ended_at: Set(None),
                ended_by: Set(None),
            }
            .insert(tx.conn())
            .await?;
            tx.record("import", "policy_member", m.id, None::<&()>, Some(&m));
        }
        tx.commit().await?;
        Ok(planned.plan.counts())
    }
}
