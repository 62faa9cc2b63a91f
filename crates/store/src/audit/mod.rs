//! Reading and verifying the hash-chained audit trail. Writing happens only through
//! [`crate::Tx::commit`].

pub mod head;
pub mod record;

use minecoop_domain::audit::{BrokenLink, StoredLink, verify_chain};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{Page, Store, StoreResult};

pub use record::Model as AuditRecord;

/// Filters of the audit list page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    /// The only record types the reader may see (`None`: every one; see
    /// `Principal::visible_audit_entities`).
    pub only: Option<Vec<&'static str>>,
}

impl Store {
    /// Every change of one record, oldest first.
    pub async fn history(&self, entity: &str, entity_id: &str) -> StoreResult<Vec<AuditRecord>> {
        Ok(record::Entity::find()
            .filter(record::Column::Entity.eq(entity))
            .filter(record::Column::EntityId.eq(entity_id))
            .order_by_asc(record::Column::Seq)
            .all(self.conn())
            .await?)
    }

    /// The trail, newest first.
    pub async fn audit_list(&self, f: &AuditFilter, page: u64, per_page: u64) -> StoreResult<Page<AuditRecord>> {
        let mut q = record::Entity::find();
        if let Some(e) = &f.entity {
            q = q.filter(record::Column::Entity.eq(e.as_str()));
        }
        if let Some(id) = &f.entity_id {
            q = q.filter(record::Column::EntityId.eq(id.as_str()));
        }
        if let Some(a) = &f.actor {
            q = q.filter(record::Column::Actor.eq(a.as_str()));
        }
        if let Some(only) = &f.only {
            q = q.filter(record::Column::Entity.is_in(only.iter().copied()));
        }
        let total = q.clone().count(self.conn()).await?;
        let items = q
            .order_by_desc(record::Column::Seq)
            .offset(page.saturating_sub(1) * per_page)
            .limit(per_page)
            .all(self.conn())
            .await?;
        Ok(Page { items, total, page, per_page })
    }

    /// Walk the whole chain in batches; `Ok(n)` is the number of intact records.
    pub async fn audit_verify(&self) -> StoreResult<Result<u64, BrokenLink>> {
        const BATCH: u64 = 2000;
        let mut all = Vec::new();
        let mut after = 0i64;
        loop {
            let batch = record::Entity::find()
                .filter(record::Column::Seq.gt(after))
                .order_by_asc(record::Column::Seq)
                .limit(BATCH)
                .all(self.conn())
                .await?;
            let done = (batch.len() as u64) < BATCH;
            if let Some(last) = batch.last() {
                after = last.seq;
            }
            all.extend(batch.into_iter().map(|r| StoredLink {
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                before: r.before,
                after: r.after,
                prev_hash: r.prev_hash,
                hash: r.hash,
            }));
            if done {
                break;
            }
        }
        let result = verify_chain(all);
        // The head must agree with the last record, or records were cut off the end.
        if let Ok(n) = result {
            let head = head::Entity::find_by_id(1).one(self.conn()).await?;
            if let Some(h) = head
                && h.seq != n as i64
            {
                return Ok(Err(BrokenLink::Gap { expected: h.seq, found: n as i64 }));
            }
        }
        Ok(result)
    }
}
