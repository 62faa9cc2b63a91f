//! Boundary-dispute cases with their append-only logs, and the notices every member involved
//! receives when a case is opened or changes.

pub mod dispute;
pub mod event;
pub mod notification;

use minecoop_domain::cadastre::dispute::{DisputeDraft, DisputeStatus, EventDraft};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, Tx, new_id};

pub use dispute::Model as Dispute;
pub use event::Model as DisputeEvent;
pub use notification::Model as Notification;

impl Dispute {
    pub fn members(&self) -> Vec<Uuid> {
        serde_json::from_str(&self.member_ids).unwrap_or_default()
    }

    pub fn others(&self) -> Vec<String> {
        serde_json::from_str(&self.other_parties).unwrap_or_default()
    }

    pub fn status(&self) -> DisputeStatus {
        DisputeStatus::parse(&self.status).unwrap_or(DisputeStatus::Open)
    }
}

impl Notification {
    pub fn args(&self) -> Vec<(String, String)> {
        serde_json::from_str(&self.args).unwrap_or_default()
    }
}

async fn notify(tx: &mut Tx, members: &[Uuid], message: &str, args: &[(&str, &str)], link: &str) -> StoreResult<()> {
    let args: Vec<(String, String)> = args.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let args = serde_json::to_string(&args).unwrap_or_else(|_| "[]".into());
    for m in members {
        let n = notification::ActiveModel {
            id: Set(new_id()),
            member_id: Set(*m),
            message: Set(message.to_owned()),
            args: Set(args.clone()),
            link: Set(link.to_owned()),
            created_at: Set(tx.now()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "notification", n.id, None::<&()>, Some(&n));
    }
    Ok(())
}

impl Store {
    /// Open a case and notify every member enterprise involved.
    pub async fn open_dispute(&self, actor: &Actor, d: &DisputeDraft) -> StoreResult<Dispute> {
        let mut tx = self.begin(actor).await?;
        for m in &d.member_ids {
            if crate::registry::member::Entity::find_by_id(*m).one(tx.conn()).await?.is_none() {
                return Err(StoreError::field("member_ids", "err-choice"));
            }
        }
        let now = tx.now();
        let c = dispute::ActiveModel {
            id: Set(new_id()),
            title: Set(d.title.clone()),
            kind: Set(d.kind.as_str().to_owned()),
            description: Set(d.description.clone()),
            member_ids: Set(serde_json::to_string(&d.member_ids).unwrap_or_else(|_| "[]".into())),
            other_parties: Set(serde_json::to_string(&d.other_parties).unwrap_or_else(|_| "[]".into())),
            finding: Set(d.finding.clone()),
            due_on: Set(d.due_on),
            status: Set(DisputeStatus::Open.as_str().to_owned()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "dispute", c.id, None::<&()>, Some(&c));
        let link = format!("/disputes/{}", c.id);
        notify(&mut tx, &d.member_ids, "notice-dispute-opened", &[("title", &c.title)], &link).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Add a log entry; a status change or agreement moves the case on. Every member involved
    /// is notified.
    pub async fn add_dispute_event(
        &self,
        actor: &Actor,
        id: Uuid,
        version: i32,
        e: &EventDraft,
    ) -> StoreResult<Dispute> {
        let mut tx = self.begin(actor).await?;
        let before = dispute::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        let now = tx.now();
        let ev = event::ActiveModel {
            id: Set(new_id()),
            dispute_id: Set(id),
            kind: Set(e.kind.as_str().to_owned()),
            text: Set(e.text.clone()),
            new_status: Set(e.new_status.map(|s| s.as_str().to_owned())),
            actor: Set(tx.actor().name.clone()),
            at: Set(now),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "dispute_event", ev.id, None::<&()>, Some(&ev));
        let mut am: dispute::ActiveModel = before.clone().into();
        if let Some(s) = e.new_status {
            am.status = Set(s.as_str().to_owned());
        }
        am.version = Set(version + 1);
        am.updated_at = Set(now);
        let after = am.update(tx.conn()).await?;
        tx.record("update", "dispute", id, Some(&before), Some(&after));
        let link = format!("/disputes/{id}");
        let kind = format!("event-{}", e.kind.as_str());
        notify(
            &mut tx,
            &after.members(),
            "notice-dispute-changed",
            &[("title", &after.title), ("event", &kind)],
            &link,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn dispute(&self, id: Uuid) -> StoreResult<Dispute> {
        dispute::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    pub async fn disputes(&self) -> StoreResult<Vec<Dispute>> {
        Ok(dispute::Entity::find().order_by_desc(dispute::Column::CreatedAt).all(self.conn()).await?)
    }

    pub async fn dispute_events(&self, id: Uuid) -> StoreResult<Vec<DisputeEvent>> {
        Ok(event::Entity::find()
            .filter(event::Column::DisputeId.eq(id))
            .order_by_asc(event::Column::At)
            .all(self.conn())
            .await?)
    }

    /// Latest notices for some member enterprises (all when `None`).
    pub async fn notifications(&self, members: Option<&[Uuid]>, limit: u64) -> StoreResult<Vec<Notification>> {
        let mut q = notification::Entity::find();
        if let Some(m) = members {
            q = q.filter(notification::Column::MemberId.is_in(m.iter().copied()));
        }
        Ok(q.order_by_desc(notification::Column::CreatedAt).limit(limit).all(self.conn()).await?)
    }
}
