//! Persistence for minecoop: SeaORM entities, the one migration set, and repositories grouped
//! by capability. SQLite is the embedded default; PostgreSQL is chosen by URL.

pub mod accounts;
pub mod alerts;
pub mod attachments;
pub mod audit;
pub mod cadastre;
pub mod demo;
pub mod disputes;
pub mod grievances;
mod migration;
pub mod production;
mod raw_tx;
pub mod registry;
pub mod safety;
#[cfg(feature = "testing")]
pub mod testing;
pub mod workforce;

use chrono::{DateTime, SubsecRound, Utc};
use minecoop_domain::FieldErrors;
use minecoop_domain::audit::{AuditContent, chain_hash};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use serde::Serialize;
use uuid::Uuid;

pub use migration::Migrator;

/// Everything that can go wrong in the store, in terms the web layer can map to a status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Somebody else changed the record since it was read (optimistic locking).
    #[error("the record was changed by someone else")]
    Conflict,
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The identity key is missing or is not the one the numbers were stored with.
    #[error("identity key: {0}")]
    Key(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    pub fn field(field: &str, code: &'static str) -> StoreError {
        let mut e = FieldErrors::new();
        e.add(field, code);
        StoreError::Invalid(e)
    }
}

/// Who makes a change: a user, or the system itself (command line, demo loader).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor { user_id: None, name: format!("system:{what}") }
    }
}

/// The database handle shared by the whole application.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where alerts are posted (from the configuration; none by default).
    webhooks: std::sync::Arc<Vec<alerts::WebhookTarget>>,
    /// The keys that protect identity numbers (see [`workforce::crypto`]).
    identity: Option<std::sync::Arc<workforce::IdentityKeys>>,
}

impl Store {
    /// Connect, and for SQLite switch on WAL and foreign keys.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false);
        if url.starts_with("sqlite:") {
            // Writers are serialised by the audit head anyway; a few readers suffice.
            opts.max_connections(4).min_connections(1);
        }
        let db = Database::connect(opts).await?;
        if db.get_database_backend() == DbBackend::Sqlite {
            // WAL is persistent in the file; foreign_keys is per connection and on by default in
            // sqlx, set again here so the promise does not rest on a default.
            db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
            db.execute_unprepared("PRAGMA foreign_keys=ON").await?;
        }
        Ok(Store { db, webhooks: Default::default(), identity: None })
    }

    /// Connect and bring the schema up to date.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let s = Store::connect(url).await?;
        s.migrate().await?;
        Ok(s)
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The same store, posting alerts to these webhooks.
    pub fn with_webhooks(mut self, hooks: Vec<alerts::WebhookTarget>) -> Store {
        self.webhooks = std::sync::Arc::new(hooks);
        self
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Start a write. The audit head is locked first so that writers queue instead of
    /// deadlocking, and so that the chain has one order on every backend.
    pub async fn begin(&self, actor: &Actor) -> StoreResult<Tx> {
        let txn = self.db.begin().await?;
        lock_audit_head(&txn).await?;
        Ok(Tx { txn, actor: actor.clone(), pending: Vec::new(), now: now(), webhooks: self.webhooks.clone() })
    }
}

/// Lock the audit head in `conn` (a transaction): writers queue on it instead of deadlocking,
/// and the chain has one order on every backend.
pub(crate) async fn lock_audit_head<C: ConnectionTrait>(conn: &C) -> StoreResult<()> {
    audit::head::Entity::update_many()
        .col_expr(audit::head::Column::Seq, Expr::col(audit::head::Column::Seq))
        .filter(audit::head::Column::Id.eq(1))
        .exec(conn)
        .await?;
    Ok(())
}

/// The current time at the precision both backends keep (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Audit links written per statement: 11 values each, well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound values.
const AUDIT_CHUNK: usize = 500;

pub(crate) struct PendingAudit {
    action: String,
    entity: &'static str,
    entity_id: String,
    before: String,
    after: String,
}

impl PendingAudit {
    /// A change for the audit trail; `before`/`after` are the record's full state.
    pub(crate) fn new<B: Serialize, A: Serialize>(
        action: &str,
        entity: &'static str,
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> PendingAudit {
        let json = |v: Option<String>| v.unwrap_or_else(|| "null".to_owned());
        PendingAudit {
            action: action.to_owned(),
            entity,
            entity_id: entity_id.to_string(),
            before: json(before.map(|b| serde_json::to_string(b).unwrap_or_else(|_| "null".into()))),
            after: json(after.map(|a| serde_json::to_string(a).unwrap_or_else(|_| "null".into()))),
        }
    }
}

/// Append `pending` to the audit chain in `conn` (a transaction that locked the head), all at
/// the time `now`, by `actor`.
pub(crate) async fn append_audit<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    pending: Vec<PendingAudit>,
) -> StoreResult<()> {
    let head = audit::head::Entity::find_by_id(1)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::Custom("audit head row is missing".into()))?;
    let mut seq = head.seq;
    let mut prev = head.hash;
    let at = now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let actor_name = actor.name.clone();
    let mut links = Vec::with_capacity(pending.len().min(AUDIT_CHUNK));
    let mut pending = pending.into_iter().peekable();
    while let Some(p) = pending.next() {
        seq += 1;
        let content = AuditContent {
            seq,
            at: &at,
            actor: &actor_name,
            action: &p.action,
            entity: p.entity,
            entity_id: &p.entity_id,
            before: &p.before,
            after: &p.after,
        };
        let hash = chain_hash(&prev, &content);
        links.push(audit::record::ActiveModel {
            seq: Set(seq),
            at: Set(at.clone()),
            actor_id: Set(actor.user_id),
            actor: Set(actor_name.clone()),
            action: Set(p.action),
            entity: Set(p.entity.to_owned()),
            entity_id: Set(p.entity_id),
            before: Set(p.before),
            after: Set(p.after),
            prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
            hash: Set(hash),
        });
        // Many links in one statement (an import writes thousands), under every backend's
        // limit on bound values.
        if links.len() == AUDIT_CHUNK || pending.peek().is_none() {
            audit::record::Entity::insert_many(std::mem::take(&mut links)).exec_without_returning(conn).await?;
        }
    }
    if seq != head.seq {
        audit::head::ActiveModel { id: Set(1), seq: Set(seq), hash: Set(prev) }.update(conn).await?;
    }
    Ok(())
}

/// A write transaction that carries its audit records and appends them to the chain on commit.
pub struct Tx {
    txn: DatabaseTransaction,
    actor: Actor,
    pending: Vec<PendingAudit>,
    now: DateTime<Utc>,
    webhooks: std::sync::Arc<Vec<alerts::WebhookTarget>>,
}

impl Tx {
    /// The webhooks alerts raised in this transaction are posted to.
    pub fn webhooks(&self) -> &[alerts::WebhookTarget] {
        &self.webhooks
    }

    pub fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The time of this transaction; every record it writes carries the same instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Note a change for the audit trail. `before`/`after` are the record's full state.
    pub fn record<B: Serialize, A: Serialize>(
        &mut self,
        action: &str,
        entity: &'static str,
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        self.pending.push(PendingAudit::new(action, entity, entity_id, before, after));
    }

    pub async fn commit(self) -> StoreResult<()> {
        append_audit(&self.txn, &self.actor, self.now, self.pending).await?;
        self.txn.commit().await?;
        Ok(())
    }
}

/// A new time-ordered key.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// One page of a list, with the total for the pager.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }
}

/// Escape `%`, `_` and `\` so user text matches literally in LIKE.
/// A unique-index violation means two writers raced for the same key (a day, a version): the
/// caller answers as for a stale version.
pub(crate) fn conflict_on_duplicate(e: DbErr) -> StoreError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict,
        _ => StoreError::Db(e),
    }
}

pub(crate) fn like_pattern(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}
