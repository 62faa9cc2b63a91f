//! Documents attached to records. Added, never replaced or removed; the audit trail keeps their
//! name, size and SHA-256 (not their bytes).

pub mod attachment;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, new_id};

pub use attachment::Model as Attachment;

/// What lists and the audit trail show of an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentMeta {
    pub id: Uuid,
    pub entity: String,
    pub entity_id: Uuid,
    pub file_name: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
}

impl From<&Attachment> for AttachmentMeta {
    fn from(a: &Attachment) -> Self {
        AttachmentMeta {
            id: a.id,
            entity: a.entity.clone(),
            entity_id: a.entity_id,
            file_name: a.file_name.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            created_at: a.created_at,
            created_by: a.created_by.clone(),
        }
    }
}

impl Store {
    /// Attach a document to a record. The name is kept as given (trimmed, at most 200
    /// characters); an empty file is refused.
    pub async fn attach(
        &self,
        actor: &Actor,
        entity: &str,
        entity_id: Uuid,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> StoreResult<AttachmentMeta> {
        self.attach_audited_as(actor, entity, entity_id, file_name, content_type, bytes, "attachment").await
    }

    /// [`Store::attach`], the audit entry under `audit_entity`: the documents of records that
    /// some readers of the trail may not see (an injury claim's) are hidden with them.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_audited_as(
        &self,
        actor: &Actor,
        entity: &str,
        entity_id: Uuid,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
        audit_entity: &'static str,
    ) -> StoreResult<AttachmentMeta> {
        if bytes.is_empty() {
            return Err(StoreError::field("file", "err-file-empty"));
        }
        let name: String = file_name.trim().chars().filter(|c| !c.is_control()).take(200).collect();
        let name = if name.is_empty() { "document".to_owned() } else { name };
        let mut tx = self.begin(actor).await?;
        let m = attachment::ActiveModel {
            id: Set(new_id()),
            entity: Set(entity.to_owned()),
            entity_id: Set(entity_id),
            file_name: Set(name),
            content_type: Set(content_type.chars().take(100).collect()),
            size: Set(bytes.len() as i64),
            sha256: Set(hex::encode(sha2::Sha256::digest(bytes))),
            content: Set(bytes.to_vec()),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        let meta = AttachmentMeta::from(&m);
        tx.record("create", audit_entity, m.id, None::<&()>, Some(&meta));
        tx.commit().await?;
        Ok(meta)
    }

    /// The documents of a record, oldest first (without their bytes).
    pub async fn attachments(&self, entity: &str, entity_id: Uuid) -> StoreResult<Vec<AttachmentMeta>> {
        use attachment::Column as C;
        let rows: Vec<(Uuid, String, i64, String, chrono::DateTime<chrono::Utc>, String)> = attachment::Entity::find()
            .select_only()
            .columns([C::Id, C::FileName, C::Size, C::Sha256, C::CreatedAt, C::CreatedBy])
            .filter(C::Entity.eq(entity))
            .filter(C::EntityId.eq(entity_id))
            .order_by_asc(C::CreatedAt)
            .into_tuple()
            .all(self.conn())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, file_name, size, sha256, created_at, created_by)| AttachmentMeta {
                id,
                entity: entity.to_owned(),
                entity_id,
                file_name,
                size,
                sha256,
                created_at,
                created_by,
            })
            .collect())
    }

    /// One document with its bytes.
    pub async fn attachment(&self, id: Uuid) -> StoreResult<Attachment> {
        attachment::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }
}
