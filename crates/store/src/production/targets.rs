//! The co-op's ore-grade targets, kept with their history.

use minecoop_domain::production::target::TargetDraft;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::target;
use crate::{Actor, Store, StoreError, StoreResult, new_id};

pub use target::Model as Target;

impl Target {
    /// `(mine, figure, value)` as [`minecoop_domain::production::target::applicable`] takes them.
    pub fn key(&self) -> (Option<uuid::Uuid>, String, i64) {
        (self.mine_id, self.figure.clone(), self.value_e4)
    }
}

impl Store {
    /// Set a target: a new row, so the one it replaces stays in the history.
    pub async fn set_target(&self, actor: &Actor, d: &TargetDraft) -> StoreResult<Target> {
        let mut tx = self.begin(actor).await?;
        if let Some(m) = d.mine_id
            && crate::registry::mine::Entity::find_by_id(m).one(tx.conn()).await?.is_none()
        {
            let mut e = minecoop_domain::validation::FieldErrors::new();
            e.add("mine_id", "err-choice");
            return Err(StoreError::Invalid(e));
        }
        let m = target::ActiveModel {
            id: Set(new_id()),
            year: Set(d.year),
            mine_id: Set(d.mine_id),
            figure: Set(d.figure.key(&d.element)),
            value_e4: Set(d.value_e4),
            reason: Set(d.reason.clone()),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "target", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Every target set for a year (the co-op's and each mine's), oldest first: the history,
    /// and, the latest of each figure, the targets in force.
    pub async fn targets(&self, year: i32) -> StoreResult<Vec<Target>> {
        Ok(target::Entity::find()
            .filter(target::Column::Year.eq(year))
            .order_by_asc(target::Column::CreatedAt)
            .order_by_asc(target::Column::Id)
            .all(self.conn())
            .await?)
    }
}
