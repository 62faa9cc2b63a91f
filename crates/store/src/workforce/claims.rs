//! Injury claims: opened for a worker of the incident's mine, moved one status step at a time or
//! corrected with a reason (each a new version), their documents as attachments, and the alerts
//! of the 30-day determination deadline (once when close, once when passed).

use std::collections::HashMap;

use chrono::NaiveDate;
use minecoop_domain::alerts::AlertKind;
use minecoop_domain::workforce::claim::{
    ClaimDraft, ClaimStatus, DeadlineAlert, DeadlineState, Determination, Severity, application_deadline,
    deadline_alert, deadline_state,
};
use minecoop_domain::workforce::{WorkerState, state_on};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

use super::{claim, claim_version, worker};
use crate::alerts::{Alert, raise_alert};
use crate::attachments::AttachmentMeta;
use crate::safety::{Incident, incident};
use crate::{Actor, Store, StoreError, StoreResult, Tx, conflict_on_duplicate, new_id};

pub use claim::Model as Claim;
pub use claim_version::Model as ClaimVersion;

/// The audit trail's name for injury claims (hidden, like workers, from the bureau).
pub const CLAIM_ENTITY: &str = "injury_claim";
/// The attachments' record type of a claim's documents.
pub const CLAIM_DOCUMENT_ENTITY: &str = "injury_claim";
/// The audit trail's name for a claim's documents.
pub const CLAIM_DOCUMENT_AUDIT: &str = "claim_document";

impl ClaimVersion {
    pub fn status(&self) -> ClaimStatus {
        ClaimStatus::parse(&self.status).unwrap_or(ClaimStatus::Opened)
    }

    pub fn severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Minor)
    }

    pub fn determination(&self) -> Determination {
        Determination::parse(&self.determination).unwrap_or(Determination::Pending)
    }
}

/// A claim with its current version and what it is about: the injury date (the incident's
/// occurrence date, as the incident now reads), the incident's code and the worker's name.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRecord {
    pub claim: Claim,
    pub current: ClaimVersion,
    pub injury_date: NaiveDate,
    pub incident_code: String,
    pub worker_name: String,
}

impl ClaimRecord {
    pub fn id(&self) -> Uuid {
        self.claim.id
    }

    pub fn status(&self) -> ClaimStatus {
        self.current.status()
    }

    /// The last day to apply for the injury determination.
    pub fn deadline(&self) -> NaiveDate {
        application_deadline(self.injury_date)
    }

    pub fn deadline_state(&self, today: NaiveDate) -> DeadlineState {
        deadline_state(self.injury_date, self.current.applied_on, self.status(), today)
    }
}

/// Which claims to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Only claims of these mines.
    pub mines: Option<Vec<Uuid>>,
    pub status: Option<ClaimStatus>,
    pub incident: Option<Uuid>,
    pub worker: Option<Uuid>,
    /// Only claims not applied for whose deadline has passed on this day.
    pub overdue_on: Option<NaiveDate>,
}

fn version_model(d: &ClaimDraft, claim_id: Uuid, version: i32, change: &str, tx: &Tx) -> claim_version::ActiveModel {
    claim_version::ActiveModel {
        id: Set(new_id()),
        claim_id: Set(claim_id),
        version: Set(version),
        change: Set(change.to_owned()),
        status: Set(d.status.as_str().to_owned()),
        severity: Set(d.severity.as_str().to_owned()),
        applied_on: Set(d.applied_on),
        determination: Set(d.determination.as_str().to_owned()),
        determined_on: Set(d.determined_on),
        disability_grade: Set(d.disability_grade),
        payer: Set(d.payer.map(|p| p.as_str().to_owned())),
        claimed_fen: Set(d.claimed_fen),
        paid_fen: Set(d.paid_fen),
        paid_on: Set(d.paid_on),
        family_name: Set(d.family.name.clone()),
        family_relation: Set(d.family.relation.map(|r| r.as_str().to_owned())),
        family_phone: Set(d.family.phone.clone()),
        status_reason: Set(d.status_reason.clone()),
        notes: Set(d.notes.clone()),
        reason: Set(d.reason.clone()),
        created_at: Set(tx.now()),
        created_by: Set(tx.actor().name.clone()),
    }
}

async fn head<C: ConnectionTrait>(c: &C, claim_id: Uuid) -> StoreResult<Claim> {
    claim::Entity::find_by_id(claim_id).one(c).await?.ok_or(StoreError::NotFound)
}

async fn current_version<C: ConnectionTrait>(c: &C, claim_id: Uuid) -> StoreResult<ClaimVersion> {
    claim_version::Entity::find()
        .filter(claim_version::Column::ClaimId.eq(claim_id))
        .order_by_desc(claim_version::Column::Version)
        .one(c)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The checks that need the incident: the injury date, and a fatal claim only for an incident
/// in which someone died.
fn check_incident(d: &ClaimDraft, inc: &Incident) -> StoreResult<()> {
    d.check_injury_date(inc.occurred_at.date()).map_err(StoreError::Invalid)?;
    if d.severity == Severity::Fatal && inc.deaths == 0 {
        return Err(StoreError::field("severity", "err-claim-not-fatal-incident"));
    }
    Ok(())
}

/// The latest row of each key among `rows`.
fn latest_by<T, K: std::hash::Hash + Eq>(
    rows: Vec<T>,
    key: impl Fn(&T) -> K,
    version: impl Fn(&T) -> i32,
) -> HashMap<K, T> {
    let mut by: HashMap<K, T> = HashMap::new();
    for r in rows {
        let k = key(&r);
        match by.get(&k) {
            Some(c) if version(c) >= version(&r) => {}
            _ => {
                by.insert(k, r);
            }
        }
    }
    by
}

impl Store {
    /// Open a claim (version 1, status opened) for a worker hurt in an incident: the worker
    /// must be of the incident's mine and employed on the day; one claim per worker and
    /// incident.
    pub async fn open_claim(&self, actor: &Actor, d: &ClaimDraft) -> StoreResult<ClaimRecord> {
        d.check_new().map_err(StoreError::Invalid)?;
        let mut tx = self.begin(actor).await?;
        let inc = crate::safety::current_incident(tx.conn(), d.incident_id)
            .await
            .map_err(|_| StoreError::field("incident_id", "err-choice"))?;
        let w =
            super::current(tx.conn(), d.worker_id).await.map_err(|_| StoreError::field("worker_id", "err-choice"))?;
        if w.mine_id != inc.mine_id {
            return Err(StoreError::field("worker_id", "err-claim-worker-other-mine"));
        }
        let day = inc.occurred_at.date();
        if state_on(w.start_date, w.end_date, day) != WorkerState::Active {
            return Err(StoreError::field("worker_id", "err-claim-worker-not-employed"));
        }
        check_incident(d, &inc)?;
        let twice = claim::Entity::find()
            .filter(claim::Column::IncidentId.eq(d.incident_id))
            .filter(claim::Column::WorkerId.eq(d.worker_id))
            .one(tx.conn())
            .await?;
        if twice.is_some() {
            return Err(StoreError::field("worker_id", "err-claim-duplicate"));
        }
        let h = claim::ActiveModel {
            id: Set(new_id()),
            mine_id: Set(inc.mine_id),
            incident_id: Set(inc.incident_id),
            worker_id: Set(w.worker_id),
            near_alerted_on: Set(None),
            overdue_alerted_on: Set(None),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await
        .map_err(|e| match conflict_on_duplicate(e) {
            StoreError::Conflict => StoreError::field("worker_id", "err-claim-duplicate"),
            e => e,
        })?;
        let v = version_model(d, h.id, 1, "opened", &tx).insert(tx.conn()).await?;
        tx.record("create", CLAIM_ENTITY, h.id, None::<&()>, Some(&serde_json::json!({"claim": &h, "version": &v})));
        tx.commit().await?;
        Ok(ClaimRecord { claim: h, current: v, injury_date: day, incident_code: inc.code, worker_name: w.name })
    }

    /// A new version of a claim still at `expected_version`: the next status step, or a
    /// correction of the same status with its reason. The incident and the worker stay.
    pub async fn change_claim(
        &self,
        actor: &Actor,
        claim_id: Uuid,
        expected_version: i32,
        d: &ClaimDraft,
    ) -> StoreResult<ClaimRecord> {
        let mut tx = self.begin(actor).await?;
        let h = head(tx.conn(), claim_id).await?;
        let cur = current_version(tx.conn(), claim_id).await?;
        if cur.version != expected_version {
            return Err(StoreError::Conflict);
        }
        let change = d.check_change(cur.status(), h.incident_id, h.worker_id).map_err(StoreError::Invalid)?;
        let inc = crate::safety::current_incident(tx.conn(), h.incident_id).await?;
        check_incident(d, &inc)?;
        let v = version_model(d, claim_id, cur.version + 1, change.as_str(), &tx)
            .insert(tx.conn())
            .await
            .map_err(conflict_on_duplicate)?;
        tx.record("new_version", CLAIM_ENTITY, claim_id, Some(&cur), Some(&v));
        let w = super::current(tx.conn(), h.worker_id).await?;
        tx.commit().await?;
        Ok(ClaimRecord {
            claim: h,
            current: v,
            injury_date: inc.occurred_at.date(),
            incident_code: inc.code,
            worker_name: w.name,
        })
    }

    /// A claim at its current version.
    pub async fn claim(&self, claim_id: Uuid) -> StoreResult<ClaimRecord> {
        let h = head(self.conn(), claim_id).await?;
        let v = current_version(self.conn(), claim_id).await?;
        let inc = crate::safety::current_incident(self.conn(), h.incident_id).await?;
        let w = super::current(self.conn(), h.worker_id).await?;
        Ok(ClaimRecord {
            claim: h,
            current: v,
            injury_date: inc.occurred_at.date(),
            incident_code: inc.code,
            worker_name: w.name,
        })
    }

    /// Every version of a claim, oldest first: its status steps and corrections.
    pub async fn claim_versions(&self, claim_id: Uuid) -> StoreResult<Vec<ClaimVersion>> {
        Ok(claim_version::Entity::find()
            .filter(claim_version::Column::ClaimId.eq(claim_id))
            .order_by_asc(claim_version::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// The claims the filter asks for, at their current versions: the most recent injury
    /// first.
    pub async fn claims(&self, f: &ClaimFilter) -> StoreResult<Vec<ClaimRecord>> {
        let mut q = claim::Entity::find();
        if let Some(m) = &f.mines {
            q = q.filter(claim::Column::MineId.is_in(m.iter().copied()));
        }
        if let Some(i) = f.incident {
            q = q.filter(claim::Column::IncidentId.eq(i));
        }
        if let Some(w) = f.worker {
            q = q.filter(claim::Column::WorkerId.eq(w));
        }
        let heads = q.all(self.conn()).await?;
        if heads.is_empty() {
            return Ok(Vec::new());
        }
        let mut versions = Vec::new();
        let mut incidents = Vec::new();
        let mut workers = Vec::new();
        for chunk in heads.chunks(300) {
            versions.extend(
                claim_version::Entity::find()
                    .filter(claim_version::Column::ClaimId.is_in(chunk.iter().map(|h| h.id)))
                    .all(self.conn())
                    .await?,
            );
            incidents.extend(
                incident::Entity::find()
                    .filter(incident::Column::IncidentId.is_in(chunk.iter().map(|h| h.incident_id)))
                    .all(self.conn())
                    .await?,
            );
            workers.extend(
                worker::Entity::find()
                    .filter(worker::Column::WorkerId.is_in(chunk.iter().map(|h| h.worker_id)))
                    .all(self.conn())
                    .await?,
            );
        }
        let mut versions = latest_by(versions, |v| v.claim_id, |v| v.version);
        let incidents = latest_by(incidents, |i| i.incident_id, |i| i.version);
        let workers = latest_by(workers, |w| w.worker_id, |w| w.version);
        let mut out: Vec<ClaimRecord> = heads
            .into_iter()
            .filter_map(|h| {
                let current = versions.remove(&h.id)?;
                let inc = incidents.get(&h.incident_id)?;
                let worker_name = workers.get(&h.worker_id).map(|w| w.name.clone()).unwrap_or_default();
                Some(ClaimRecord {
                    injury_date: inc.occurred_at.date(),
                    incident_code: inc.code.clone(),
                    worker_name,
                    current,
                    claim: h,
                })
            })
            .filter(|r| f.status.is_none_or(|s| r.status() == s))
            .filter(|r| f.overdue_on.is_none_or(|day| r.deadline_state(day).is_overdue()))
            .collect();
        out.sort_by(|a, b| b.injury_date.cmp(&a.injury_date).then(a.worker_name.cmp(&b.worker_name)));
        Ok(out)
    }

    /// Attach a document (the application form, the determination, a receipt) to a claim.
    pub async fn attach_claim_document(
        &self,
        actor: &Actor,
        claim_id: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> StoreResult<AttachmentMeta> {
        head(self.conn(), claim_id).await?;
        self.attach_audited_as(
            actor,
            CLAIM_DOCUMENT_ENTITY,
            claim_id,
            file_name,
            "application/octet-stream",
            bytes,
            CLAIM_DOCUMENT_AUDIT,
        )
        .await
    }

    /// A claim's documents, oldest first.
    pub async fn claim_documents(&self, claim_id: Uuid) -> StoreResult<Vec<AttachmentMeta>> {
        self.attachments(CLAIM_DOCUMENT_ENTITY, claim_id).await
    }

    /// Alert the mine's owner and safety officer of each claim not applied for whose
    /// determination deadline is at most 7 days away, and again once it has passed; each alert
    /// once per claim. Returns how many alerts were raised.
    pub async fn alert_claim_deadlines(&self, today: NaiveDate) -> StoreResult<usize> {
        let open = self.claims(&ClaimFilter { status: Some(ClaimStatus::Opened), ..Default::default() }).await?;
        let due: Vec<(ClaimRecord, DeadlineAlert)> = open
            .into_iter()
            .filter_map(|r| {
                let a = deadline_alert(r.injury_date, r.current.applied_on, r.status(), today)?;
                let done = match a {
                    DeadlineAlert::Near => r.claim.near_alerted_on.is_some() || r.claim.overdue_alerted_on.is_some(),
                    DeadlineAlert::Passed => r.claim.overdue_alerted_on.is_some(),
                };
                (!done).then_some((r, a))
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin(&Actor::system("claims")).await?;
        let mut n = 0;
        for (r, a) in due {
            // Read again inside the transaction: another run may have alerted it meanwhile.
            let h = head(tx.conn(), r.claim.id).await?;
            let mut marked: claim::ActiveModel = h.clone().into();
            let (kind, message, already) = match a {
                DeadlineAlert::Near => {
                    marked.near_alerted_on = Set(Some(today));
                    (AlertKind::ClaimDeadlineNear, "alert-claim-deadline-near", h.near_alerted_on.is_some())
                }
                DeadlineAlert::Passed => {
                    marked.overdue_alerted_on = Set(Some(today));
                    (AlertKind::ClaimDeadlinePassed, "alert-claim-deadline-passed", h.overdue_alerted_on.is_some())
                }
            };
            if already {
                continue;
            }
            let after = marked.update(tx.conn()).await?;
            tx.record("alerted", CLAIM_ENTITY, h.id, Some(&h), Some(&after));
            let days = match r.deadline_state(today) {
                DeadlineState::DaysLeft { days } | DeadlineState::Overdue { days } => days,
                _ => 0,
            };
            let alert = Alert {
                kind,
                mine_id: h.mine_id,
                message: message.into(),
                args: vec![
                    ("name".into(), r.worker_name.clone()),
                    ("incident".into(), r.incident_code.clone()),
                    ("deadline".into(), r.deadline().to_string()),
                    ("days".into(), days.to_string()),
                ],
                link: format!("/claims/{}", h.id),
                also: Vec::new(),
            };
            raise_alert(&mut tx, &alert).await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }
}
