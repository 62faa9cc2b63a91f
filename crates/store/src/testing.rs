//! Test support: a fresh database on each backend. PostgreSQL comes from the throwaway cluster
//! that `scripts/test` starts (`MINECOOP_TEST_PG_URL`); without it the test fails, never skips.

use crate::Store;
use sea_orm::{ConnectionTrait, Database};

/// Keeps the temporary directory of a SQLite database alive as long as the store.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestDb {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A random identity key for each test database.
pub fn test_secret() -> [u8; 32] {
    crate::workforce::crypto::generate_secret()
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let store = Store::open(&url).await.expect("open sqlite").with_identity_secret(&test_secret());
    TestDb { store, url, _dir: Some(dir) }
}

pub async fn postgres() -> TestDb {
    let admin_url = std::env::var("MINECOOP_TEST_PG_URL").expect(
        "MINECOOP_TEST_PG_URL is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL",
    );
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(admin_url.as_str()).await.expect("connect to the test PostgreSQL cluster");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    admin.close().await.ok();
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
    let url = format!("{base}/{name}");
    let store = Store::open(&url).await.expect("open postgres").with_identity_secret(&test_secret());
    TestDb { store, url, _dir: None }
}

/// Write each test once; it runs on SQLite and on PostgreSQL:
///
/// ```ignore
/// both_backends! {
///     async fn creates_a_member(store) { ... }
/// }
/// ```
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test]
                async fn sqlite() {
                    let $db = $crate::testing::sqlite().await;
                    $body
                }
                #[tokio::test]
                async fn postgres() {
                    let $db = $crate::testing::postgres().await;
                    $body
                }
            }
        )*
    };
}

impl Store {
    /// Many samples at once for tests and benchmarks, written straight to the tables (no audit
    /// trail, a thousand rows per statement): feed samples of `mine_id` by code and the time
    /// they were taken, dispatched and received by the laboratory at that time. Returns their
    /// ids in the order of `samples`.
    pub async fn seed_received_samples(
        &self,
        mine_id: uuid::Uuid,
        samples: &[(String, chrono::NaiveDateTime)],
    ) -> crate::StoreResult<Vec<uuid::Uuid>> {
        use crate::production::{sample, sample_event};
        use minecoop_domain::production::sample::CustodyStep;
        use sea_orm::{EntityTrait, Set, TransactionTrait};
        let now = crate::now();
        let txn = self.conn().begin().await?;
        let mut ids = Vec::with_capacity(samples.len());
        for chunk in samples.chunks(1000) {
            let rows: Vec<sample::ActiveModel> = chunk
                .iter()
                .map(|(code, at)| {
                    let id = crate::new_id();
                    ids.push(id);
                    sample::ActiveModel {
                        id: Set(id),
                        code: Set(code.clone()),
                        mine_id: Set(mine_id),
                        kind: Set("feed".into()),
                        point: Set("mill feed".into()),
                        taken_at: Set(*at),
                        taken_by: Set("seed".into()),
                        qc_role: Set("routine".into()),
                        duplicate_of: Set(None),
                        reference: Set(None),
                        notes: Set(None),
                        created_at: Set(now),
                        created_by: Set("system:seed".into()),
                    }
                })
                .collect();
            sample::Entity::insert_many(rows).exec_without_returning(&txn).await?;
            for step in [CustodyStep::Taken, CustodyStep::Dispatched, CustodyStep::Received] {
                let events: Vec<sample_event::ActiveModel> = ids[ids.len() - chunk.len()..]
                    .iter()
                    .zip(chunk)
                    .map(|(id, (_, at))| sample_event::ActiveModel {
                        id: Set(crate::new_id()),
                        sample_id: Set(*id),
                        step: Set(step.as_str().to_owned()),
                        at: Set(*at),
                        by_name: Set("seed".into()),
                        signed_by: Set("system:seed".into()),
                        note: Set(None),
                        created_at: Set(now),
                    })
                    .collect();
                sample_event::Entity::insert_many(events).exec_without_returning(&txn).await?;
            }
        }
        txn.commit().await?;
        Ok(ids)
    }
}
