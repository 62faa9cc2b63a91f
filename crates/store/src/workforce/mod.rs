//! Workers of the mines (issue 6): recorded per mine, corrected by new versions with a reason,
//! never deleted (leaving is an end date). The identity number is encrypted with the identity
//! key ([`crypto`]); its blind index finds the same person again (at another mine, or in a
//! re-imported sheet) and refuses a second record of the same person at the same mine. Showing
//! a number whole writes an audit entry every time.

pub mod certificate;
mod certificates;
pub mod claim;
pub mod claim_version;
mod claims;
pub mod crypto;
pub mod demo;
pub mod dependant;
pub mod expiry_alert;
mod import;
mod insurance;
pub mod key_check;
pub mod member;
pub mod policy;
pub mod snapshot;
pub mod training;
mod watch;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use minecoop_domain::workforce::worker::WorkerDraft;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, Tx, conflict_on_duplicate, new_id};
pub use certificates::*;
pub use claims::*;
pub use crypto::{IdentityKeys, KeyError};
pub use import::{DIFFERS, ImportCounts, PolicyPlan, RowPlan};
pub use insurance::*;
pub use watch::*;

pub use dependant::Model as Dependant;
pub use worker::Model as Worker;

/// The audit trail's name for workers.
pub const WORKER_ENTITY: &str = "worker";

/// A worker's current version with the family members it covers.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerRecord {
    pub worker: Worker,
    pub dependants: Vec<Dependant>,
}

/// Decrypted numbers of a worker and of each dependant (by position).
pub struct StoredNumbers {
    pub worker: String,
    pub dependants: Vec<Option<String>>,
}

impl From<KeyError> for StoreError {
    fn from(e: KeyError) -> Self {
        StoreError::Key(e.0)
    }
}

/// The latest version of each worker among `rows`, by name.
fn latest(rows: Vec<Worker>) -> Vec<Worker> {
    let mut by: HashMap<Uuid, Worker> = HashMap::new();
    for r in rows {
        match by.get(&r.worker_id) {
            Some(c) if c.version >= r.version => {}
            _ => {
                by.insert(r.worker_id, r);
            }
        }
    }
    let mut v: Vec<Worker> = by.into_values().collect();
    v.sort_by(|a, b| a.name.cmp(&b.name).then(a.worker_id.cmp(&b.worker_id)));
    v
}

async fn current<C: ConnectionTrait>(c: &C, worker_id: Uuid) -> StoreResult<Worker> {
    worker::Entity::find()
        .filter(worker::Column::WorkerId.eq(worker_id))
        .order_by_desc(worker::Column::Version)
        .one(c)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The family members of the current versions of `workers`, by worker.
pub(crate) async fn current_dependants<C: ConnectionTrait>(
    c: &C,
    workers: &[Worker],
) -> StoreResult<HashMap<Uuid, Vec<Dependant>>> {
    let mut out: HashMap<Uuid, Vec<Dependant>> = HashMap::new();
    for chunk in workers.chunks(500) {
        for d in dependant::Entity::find()
            .filter(dependant::Column::WorkerVersionId.is_in(chunk.iter().map(|w| w.id)))
            .order_by_asc(dependant::Column::Position)
            .all(c)
            .await?
        {
            out.entry(d.worker_id).or_default().push(d);
        }
    }
    Ok(out)
}

async fn dependants_of<C: ConnectionTrait>(c: &C, version_id: Uuid) -> StoreResult<Vec<Dependant>> {
    Ok(dependant::Entity::find()
        .filter(dependant::Column::WorkerVersionId.eq(version_id))
        .order_by_asc(dependant::Column::Position)
        .all(c)
        .await?)
}

impl Store {
    /// The same store, protecting identity numbers with this secret.
    pub fn with_identity_secret(mut self, secret: &[u8; crypto::SECRET_LEN]) -> Store {
        self.identity = Some(Arc::new(IdentityKeys::from_secret(secret)));
        self
    }

    pub(crate) fn keys(&self) -> StoreResult<&IdentityKeys> {
        self.identity.as_deref().ok_or_else(|| StoreError::Key("no identity key is configured".into()))
    }

    /// Check that the configured identity key is the one the numbers are stored with (the
    /// first check on a database records it). A different key is refused with a clear error.
    pub async fn check_identity_key(&self) -> StoreResult<()> {
        let keys = self.keys()?;
        check_key(self.conn(), keys, crate::now()).await
    }

    /// Record a new worker (version 1). The same person (by identity number) already recorded
    /// at the mine is refused on the number's field.
    pub async fn record_worker(&self, actor: &Actor, d: &WorkerDraft) -> StoreResult<WorkerRecord> {
        let mut tx = self.begin(actor).await?;
        let r = insert_worker(self, &mut tx, d).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Correct a worker still at `expected_version`: a new version with its reason. The mine
    /// and the person stay.
    pub async fn correct_worker(
        &self,
        actor: &Actor,
        worker_id: Uuid,
        expected_version: i32,
        d: &WorkerDraft,
    ) -> StoreResult<WorkerRecord> {
        let keys = self.keys()?;
        let mut tx = self.begin(actor).await?;
        check_key(tx.conn(), keys, tx.now()).await?;
        let cur = current(tx.conn(), worker_id).await?;
        if cur.version != expected_version {
            return Err(StoreError::Conflict);
        }
        let same_person = keys.blind_index(d.id_number.as_str()) == cur.id_index;
        let mut e = match d.check_change(cur.mine_id, if same_person { d.id_number.as_str() } else { "" }) {
            Ok(()) => minecoop_domain::FieldErrors::new(),
            Err(e) => e,
        };
        if !e.is_empty() {
            e.0.sort_by_key(|x| x.field != "reason");
            return Err(StoreError::Invalid(e));
        }
        let before = WorkerRecord { dependants: dependants_of(tx.conn(), cur.id).await?, worker: cur.clone() };
        let r = write_version(keys, &mut tx, d, worker_id, cur.version + 1, Some(cur.id_cipher.clone())).await?;
        tx.record("new_version", WORKER_ENTITY, worker_id, Some(&before), Some(&r));
        tx.commit().await?;
        Ok(r)
    }

    /// The current version of a worker with its dependants.
    pub async fn worker(&self, worker_id: Uuid) -> StoreResult<WorkerRecord> {
        let w = current(self.conn(), worker_id).await?;
        Ok(WorkerRecord { dependants: dependants_of(self.conn(), w.id).await?, worker: w })
    }

    /// Every version of a worker, oldest first.
    pub async fn worker_versions(&self, worker_id: Uuid) -> StoreResult<Vec<Worker>> {
        Ok(worker::Entity::find()
            .filter(worker::Column::WorkerId.eq(worker_id))
            .order_by_asc(worker::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// The current version of every worker of the given mines (`None`: all), by name.
    pub async fn workers(&self, mines: Option<&[Uuid]>) -> StoreResult<Vec<Worker>> {
        let mut q = worker::Entity::find();
        if let Some(m) = mines {
            q = q.filter(worker::Column::MineId.is_in(m.iter().copied()));
        }
        Ok(latest(q.all(self.conn()).await?))
    }

    /// The other records of the same person (at other mines), found by the blind index.
    pub async fn same_person(&self, worker_id: Uuid) -> StoreResult<Vec<Worker>> {
        let w = current(self.conn(), worker_id).await?;
        let rows = worker::Entity::find().filter(worker::Column::IdIndex.eq(w.id_index)).all(self.conn()).await?;
        Ok(latest(rows).into_iter().filter(|o| o.worker_id != worker_id).collect())
    }

    /// The worker of `mine_id` with this identity number, if recorded (for imports).
    pub async fn worker_by_number(&self, mine_id: Uuid, number: &str) -> StoreResult<Option<Worker>> {
        let index = self.keys()?.blind_index(number);
        let rows = worker::Entity::find().filter(worker::Column::IdIndex.eq(index)).all(self.conn()).await?;
        Ok(latest(rows).into_iter().find(|w| w.mine_id == mine_id))
    }

    /// The stored numbers of a worker and his dependants decrypted, to carry them into a new
    /// version that did not type them again (nothing is shown, so nothing is audited).
    pub fn stored_numbers(&self, r: &WorkerRecord) -> StoreResult<StoredNumbers> {
        let keys = self.keys()?;
        Ok(StoredNumbers {
            worker: keys.decrypt(&r.worker.id_cipher)?,
            dependants: r
                .dependants
                .iter()
                .map(|d| d.id_cipher.as_deref().map(|c| keys.decrypt(c)).transpose())
                .collect::<Result<_, _>>()?,
        })
    }

    /// A worker's identity number in full, for someone allowed to see it: every call writes
    /// an audit entry (who, which worker, when).
    pub async fn reveal_id_number(&self, actor: &Actor, worker_id: Uuid) -> StoreResult<String> {
        let keys = self.keys()?;
        let mut tx = self.begin(actor).await?;
        let w = current(tx.conn(), worker_id).await?;
        let number = keys.decrypt(&w.id_cipher)?;
        #[derive(Serialize)]
        struct Viewed<'a> {
            worker_id: Uuid,
            mine_id: Uuid,
            id_masked: &'a str,
        }
        let seen = Viewed { worker_id, mine_id: w.mine_id, id_masked: &w.id_masked };
        tx.record("reveal_id_number", WORKER_ENTITY, worker_id, None::<&()>, Some(&seen));
        tx.commit().await?;
        Ok(number)
    }
}

async fn check_key<C: ConnectionTrait>(
    c: &C,
    keys: &IdentityKeys,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let check = keys.check_value();
    match key_check::Entity::find_by_id(1).one(c).await? {
        Some(row) if row.check_value == check => Ok(()),
        Some(_) => Err(StoreError::Key(
            "the identity key is not the one this database's identity numbers were stored with; \
             restore its key file or set the right identity_key"
                .into(),
        )),
        None => {
            key_check::ActiveModel { id: Set(1), check_value: Set(check), created_at: Set(now) }
                .insert(c)
                .await
                .map_err(conflict_on_duplicate)?;
            Ok(())
        }
    }
}

/// Record a new worker in `tx`: refused when the person is already a worker of the mine.
pub(crate) async fn insert_worker(store: &Store, tx: &mut Tx, d: &WorkerDraft) -> StoreResult<WorkerRecord> {
    insert_worker_as(store, tx, d, "create").await
}

/// [`insert_worker`] with the audit entry's action (`create` from the form, `import` from a
/// sheet).
pub(crate) async fn insert_worker_as(
    store: &Store,
    tx: &mut Tx,
    d: &WorkerDraft,
    action: &str,
) -> StoreResult<WorkerRecord> {
    let keys = store.keys()?;
    check_key(tx.conn(), keys, tx.now()).await?;
    crate::registry::mine::Entity::find_by_id(d.mine_id)
        .one(tx.conn())
        .await?
        .ok_or_else(|| StoreError::field("mine_id", "err-choice"))?;
    let index = keys.blind_index(d.id_number.as_str());
    let same = worker::Entity::find().filter(worker::Column::IdIndex.eq(&index)).all(tx.conn()).await?;
    if latest(same).iter().any(|w| w.mine_id == d.mine_id) {
        return Err(StoreError::field("id_number", "err-worker-duplicate"));
    }
    let worker_id = new_id();
    let r = write_version(keys, tx, d, worker_id, 1, None).await?;
    tx.record(action, WORKER_ENTITY, worker_id, None::<&()>, Some(&r));
    Ok(r)
}

/// Write one version and its dependants. A correction keeps the stored ciphertext of the same
/// number (`keep_cipher`), so a new version does not re-encrypt what did not change.
async fn write_version(
    keys: &IdentityKeys,
    tx: &mut Tx,
    d: &WorkerDraft,
    worker_id: Uuid,
    version: i32,
    keep_cipher: Option<String>,
) -> StoreResult<WorkerRecord> {
    let number = d.id_number.as_str();
    let cipher = match keep_cipher {
        Some(c) => c,
        None => keys.encrypt(number)?,
    };
    let w = worker::ActiveModel {
        id: Set(new_id()),
        worker_id: Set(worker_id),
        version: Set(version),
        mine_id: Set(d.mine_id),
        name: Set(d.name.clone()),
        id_cipher: Set(cipher),
        id_index: Set(keys.blind_index(number)),
        id_masked: Set(d.id_number.masked()),
        sex: Set(d.sex.as_str().to_owned()),
        birth_date: Set(d.birth_date),
        home_village: Set(d.home_village.clone()),
        phone: Set(d.phone.clone()),
        job: Set(d.job.as_str().to_owned()),
        employment_form: Set(d.employment_form.as_str().to_owned()),
        start_date: Set(d.start_date),
        end_date: Set(d.end_date),
        emergency_name: Set(d.emergency_name.clone()),
        emergency_phone: Set(d.emergency_phone.clone()),
        reason: Set(if version == 1 { None } else { d.reason.clone() }),
        created_at: Set(tx.now()),
        created_by: Set(tx.actor().name.clone()),
    }
    .insert(tx.conn())
    .await
    .map_err(conflict_on_duplicate)?;
    let mut deps = Vec::new();
    for (n, dep) in d.dependants.iter().enumerate() {
        let (cipher, masked) = match &dep.id_number {
            Some(id) => (Some(keys.encrypt(id.as_str())?), Some(id.masked())),
            None => (None, None),
        };
        deps.push(dependant::ActiveModel {
            id: Set(new_id()),
            worker_version_id: Set(w.id),
            worker_id: Set(worker_id),
            position: Set(n as i32),
            name: Set(dep.name.clone()),
            relation: Set(dep.relation.as_str().to_owned()),
            birth_date: Set(dep.birth_date),
            id_cipher: Set(cipher),
            id_masked: Set(masked),
        });
    }
    if !deps.is_empty() {
        dependant::Entity::insert_many(deps).exec_without_returning(tx.conn()).await?;
    }
    let dependants = dependants_of(tx.conn(), w.id).await?;
    Ok(WorkerRecord { worker: w, dependants })
}
