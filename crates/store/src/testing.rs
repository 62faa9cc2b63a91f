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

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let store = Store::open(&url).await.expect("open sqlite");
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
    let store = Store::open(&url).await.expect("open postgres");
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
