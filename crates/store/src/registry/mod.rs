//! The register: member enterprises, their mines, and the co-op's people.
//! Nothing here is ever deleted: an enterprise leaves, a mine is closed or rehabilitated.

pub mod member;
pub mod mine;
pub mod person;

use minecoop_domain::auth::Scope;
use minecoop_domain::registry::{MemberDraft, MineDraft, PersonDraft, minerals_to_codes};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, Page, Store, StoreError, StoreResult, like_pattern, new_id};

pub use member::Model as Member;
pub use mine::Model as Mine;
pub use person::Model as Person;

/// List filters shared by the web pages and the API.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub member_id: Option<Uuid>,
    pub page: u64,
    pub per_page: u64,
}

impl ListQuery {
    fn page(&self) -> u64 {
        // Past a million pages nobody is paging; clamping keeps the offset from overflowing.
        Ord::clamp(self.page, 1, 1_000_000)
    }
    fn per_page(&self) -> u64 {
        Ord::clamp(self.per_page, 1, 200)
    }
}

fn name_matches<C: ColumnTrait>(cols: &[C], q: &str) -> Condition {
    let pat = like_pattern(q);
    cols.iter().fold(Condition::any(), |c, col| {
        c.add(
            Expr::expr(Func::lower(Expr::col(*col))).like(sea_orm::sea_query::LikeExpr::new(pat.clone()).escape('\\')),
        )
    })
}

/// The co-op's figures for the public page and dashboards.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterSummary {
    pub members_active: u64,
    pub mines_total: u64,
    pub mines_operating: u64,
}

impl Store {
    // ---- members -------------------------------------------------------------------------

    pub async fn create_member(&self, actor: &Actor, d: &MemberDraft) -> StoreResult<Member> {
        let mut tx = self.begin(actor).await?;
        if member::Entity::find().filter(member::Column::Uscc.eq(d.uscc.as_str())).one(tx.conn()).await?.is_some() {
            return Err(StoreError::field("uscc", "err-uscc-taken"));
        }
        let now = tx.now();
        let m = member::ActiveModel {
            id: Set(new_id()),
            name_zh: Set(d.name_zh.clone()),
            name_en: Set(d.name_en.clone()),
            legal_representative: Set(d.legal_representative.clone()),
            uscc: Set(d.uscc.as_str().to_owned()),
            contact_phone: Set(d.contact_phone.clone()),
            address: Set(d.address.clone()),
            joined_on: Set(d.joined_on),
            left_on: Set(d.left_on),
            status: Set(d.status.as_str().to_owned()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "member", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Update if the record is still at `version`; otherwise [`StoreError::Conflict`].
    pub async fn update_member(&self, actor: &Actor, id: Uuid, version: i32, d: &MemberDraft) -> StoreResult<Member> {
        let mut tx = self.begin(actor).await?;
        let before = member::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        if member::Entity::find()
            .filter(member::Column::Uscc.eq(d.uscc.as_str()))
            .filter(member::Column::Id.ne(id))
            .one(tx.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::field("uscc", "err-uscc-taken"));
        }
        let mut am: member::ActiveModel = before.clone().into();
        am.name_zh = Set(d.name_zh.clone());
        am.name_en = Set(d.name_en.clone());
        am.legal_representative = Set(d.legal_representative.clone());
        am.uscc = Set(d.uscc.as_str().to_owned());
        am.contact_phone = Set(d.contact_phone.clone());
        am.address = Set(d.address.clone());
        am.joined_on = Set(d.joined_on);
        am.left_on = Set(d.left_on);
        am.status = Set(d.status.as_str().to_owned());
        am.version = Set(version + 1);
        am.updated_at = Set(tx.now());
        let after = am.update(tx.conn()).await?;
        tx.record("update", "member", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn member(&self, id: Uuid) -> StoreResult<Member> {
        member::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    pub async fn members(&self, scope: Scope, q: &ListQuery) -> StoreResult<Page<Member>> {
        let mut s = member::Entity::find();
        match scope {
            Scope::All => {}
            Scope::Mine { member_id, .. } => s = s.filter(member::Column::Id.eq(member_id)),
            Scope::Nothing => s = s.filter(member::Column::Id.is_null()),
        }
        if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
            s = s.filter(name_matches(&[member::Column::NameZh, member::Column::NameEn, member::Column::Uscc], text));
        }
        if let Some(st) = q.status.as_deref().filter(|t| !t.is_empty()) {
            s = s.filter(member::Column::Status.eq(st));
        }
        let total = s.clone().count(self.conn()).await?;
        let items = s
            .order_by_asc(member::Column::NameEn)
            .offset((q.page() - 1) * q.per_page())
            .limit(q.per_page())
            .all(self.conn())
            .await?;
        Ok(Page { items, total, page: q.page(), per_page: q.per_page() })
    }

    /// All members, for choosing one in a form (a co-op has tens, not thousands).
    pub async fn member_choices(&self) -> StoreResult<Vec<Member>> {
        Ok(member::Entity::find().order_by_asc(member::Column::NameEn).all(self.conn()).await?)
    }

    // ---- mines ---------------------------------------------------------------------------

    fn mine_am(d: &MineDraft, am: &mut mine::ActiveModel) {
        am.member_id = Set(d.member_id);
        am.name_zh = Set(d.name_zh.clone());
        am.name_en = Set(d.name_en.clone());
        am.lat_micro = Set(d.location.lat_micro());
        am.lon_micro = Set(d.location.lon_micro());
        am.minerals = Set(minerals_to_codes(&d.minerals));
        am.mining_method = Set(d.mining_method.as_str().to_owned());
        am.status = Set(d.status.as_str().to_owned());
    }

    pub async fn create_mine(&self, actor: &Actor, d: &MineDraft) -> StoreResult<Mine> {
        let mut tx = self.begin(actor).await?;
        if member::Entity::find_by_id(d.member_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("member_id", "err-choice"));
        }
        let now = tx.now();
        let mut am = mine::ActiveModel {
            id: Set(new_id()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        Self::mine_am(d, &mut am);
        let m = am.insert(tx.conn()).await?;
        tx.record("create", "mine", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    pub async fn update_mine(&self, actor: &Actor, id: Uuid, version: i32, d: &MineDraft) -> StoreResult<Mine> {
        let mut tx = self.begin(actor).await?;
        let before = mine::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        if member::Entity::find_by_id(d.member_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("member_id", "err-choice"));
        }
        let mut am: mine::ActiveModel = before.clone().into();
        Self::mine_am(d, &mut am);
        am.version = Set(version + 1);
        am.updated_at = Set(tx.now());
        let after = am.update(tx.conn()).await?;
        tx.record("update", "mine", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn mine(&self, id: Uuid) -> StoreResult<Mine> {
        mine::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    pub async fn mines(&self, scope: Scope, q: &ListQuery) -> StoreResult<Page<Mine>> {
        let mut s = mine::Entity::find();
        match scope {
            Scope::All => {}
            Scope::Mine { mine_id, .. } => s = s.filter(mine::Column::Id.eq(mine_id)),
            Scope::Nothing => s = s.filter(mine::Column::Id.is_null()),
        }
        if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
            s = s.filter(name_matches(&[mine::Column::NameZh, mine::Column::NameEn], text));
        }
        if let Some(st) = q.status.as_deref().filter(|t| !t.is_empty()) {
            s = s.filter(mine::Column::Status.eq(st));
        }
        if let Some(m) = q.member_id {
            s = s.filter(mine::Column::MemberId.eq(m));
        }
        let total = s.clone().count(self.conn()).await?;
        let items = s
            .order_by_asc(mine::Column::NameEn)
            .offset((q.page() - 1) * q.per_page())
            .limit(q.per_page())
            .all(self.conn())
            .await?;
        Ok(Page { items, total, page: q.page(), per_page: q.per_page() })
    }

    pub async fn mines_of_member(&self, member_id: Uuid) -> StoreResult<Vec<Mine>> {
        Ok(mine::Entity::find()
            .filter(mine::Column::MemberId.eq(member_id))
            .order_by_asc(mine::Column::NameEn)
            .all(self.conn())
            .await?)
    }

    pub async fn mine_choices(&self) -> StoreResult<Vec<Mine>> {
        Ok(mine::Entity::find().order_by_asc(mine::Column::NameEn).all(self.conn()).await?)
    }

    pub async fn register_summary(&self) -> StoreResult<RegisterSummary> {
        Ok(RegisterSummary {
            members_active: member::Entity::find()
                .filter(member::Column::Status.eq("active"))
                .count(self.conn())
                .await?,
            mines_total: mine::Entity::find().count(self.conn()).await?,
            mines_operating: mine::Entity::find()
                .filter(mine::Column::Status.eq("operating"))
                .count(self.conn())
                .await?,
        })
    }

    // ---- people --------------------------------------------------------------------------

    fn person_am(d: &PersonDraft, am: &mut person::ActiveModel) {
        am.name = Set(d.name.clone());
        am.phone = Set(d.phone.clone());
        am.coop_role = Set(d.coop_role.as_str().to_owned());
        am.member_id = Set(d.member_id);
        am.notes = Set(d.notes.clone());
    }

    async fn check_member_ref(conn: &impl sea_orm::ConnectionTrait, id: Option<Uuid>) -> StoreResult<()> {
        if let Some(id) = id
            && member::Entity::find_by_id(id).one(conn).await?.is_none()
        {
            return Err(StoreError::field("member_id", "err-choice"));
        }
        Ok(())
    }

    pub async fn create_person(&self, actor: &Actor, d: &PersonDraft) -> StoreResult<Person> {
        let mut tx = self.begin(actor).await?;
        Self::check_member_ref(tx.conn(), d.member_id).await?;
        let now = tx.now();
        let mut am = person::ActiveModel {
            id: Set(new_id()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        Self::person_am(d, &mut am);
        let p = am.insert(tx.conn()).await?;
        tx.record("create", "person", p.id, None::<&()>, Some(&p));
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_person(&self, actor: &Actor, id: Uuid, version: i32, d: &PersonDraft) -> StoreResult<Person> {
        let mut tx = self.begin(actor).await?;
        let before = person::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        Self::check_member_ref(tx.conn(), d.member_id).await?;
        let mut am: person::ActiveModel = before.clone().into();
        Self::person_am(d, &mut am);
        am.version = Set(version + 1);
        am.updated_at = Set(tx.now());
        let after = am.update(tx.conn()).await?;
        tx.record("update", "person", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn person(&self, id: Uuid) -> StoreResult<Person> {
        person::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    pub async fn people(&self, q: &ListQuery) -> StoreResult<Page<Person>> {
        let mut s = person::Entity::find();
        if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
            s = s.filter(name_matches(&[person::Column::Name, person::Column::Phone], text));
        }
        if let Some(r) = q.status.as_deref().filter(|t| !t.is_empty()) {
            s = s.filter(person::Column::CoopRole.eq(r));
        }
        if let Some(m) = q.member_id {
            s = s.filter(person::Column::MemberId.eq(m));
        }
        let total = s.clone().count(self.conn()).await?;
        let items = s
            .order_by_asc(person::Column::Name)
            .offset((q.page() - 1) * q.per_page())
            .limit(q.per_page())
            .all(self.conn())
            .await?;
        Ok(Page { items, total, page: q.page(), per_page: q.per_page() })
    }
}
