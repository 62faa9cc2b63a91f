//! A write transaction on one of the pool's connections, held as sqlx's own transaction rather
//! than SeaORM's, so that a bulk write can also use what only the driver offers: the
//! connection's SQLite handle, or PostgreSQL's `COPY` (see [`crate::production::assay_fast`]).
//! It answers SeaORM's [`ConnectionTrait`], so every other statement of the same transaction
//! (the audit head, the audit links, the judging of a sheet) is the code every other write runs.
//!
//! Dropped without `commit`, sqlx rolls it back.

use sea_orm::sqlx;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;

use crate::StoreResult;

fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
}

macro_rules! raw_tx {
    ($(#[$doc:meta])* $name:ident, $db:ty, $conn:ty, $backend:expr, $begin:literal) => {
        $(#[$doc])*
        pub(crate) struct $name {
            tx: Mutex<sqlx::Transaction<'static, $db>>,
        }

        impl $name {
            pub(crate) async fn begin(pool: &sqlx::Pool<$db>) -> StoreResult<$name> {
                let tx = pool.begin_with($begin).await.map_err(exec_err)?;
                Ok($name { tx: Mutex::new(tx) })
            }

            pub(crate) async fn commit(self) -> StoreResult<()> {
                self.tx.into_inner().commit().await.map_err(exec_err)?;
                Ok(())
            }

            /// Run `f` on the connection itself, inside this transaction.
            pub(crate) async fn with_connection<R>(
                &self,
                f: impl AsyncFnOnce(&mut $conn) -> Result<R, DbErr>,
            ) -> Result<R, DbErr> {
                let mut tx = self.tx.lock().await;
                f(&mut tx).await
            }
        }

        #[sea_orm_migration::async_trait::async_trait]
        impl ConnectionTrait for $name {
            fn get_database_backend(&self) -> DbBackend {
                $backend
            }

            async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
                let mut tx = self.tx.lock().await;
                query::<$db>(&stmt).execute(&mut **tx).await.map(Into::into).map_err(exec_err)
            }

            async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
                use sqlx::Executor;
                let mut tx = self.tx.lock().await;
                (&mut **tx).execute(sqlx::AssertSqlSafe(sql.to_owned())).await.map(Into::into).map_err(exec_err)
            }

            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
                let mut tx = self.tx.lock().await;
                query::<$db>(&stmt).fetch_optional(&mut **tx).await.map(|r| r.map(Into::into)).map_err(query_err)
            }

            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
                let mut tx = self.tx.lock().await;
                query::<$db>(&stmt)
                    .fetch_all(&mut **tx)
                    .await
                    .map(|r| r.into_iter().map(Into::into).collect())
                    .map_err(query_err)
            }
        }
    };
}

fn query<DB: sqlx::Database>(stmt: &Statement) -> sqlx::query::Query<'_, DB, SqlxValues>
where
    SqlxValues: for<'q> sqlx::IntoArguments<DB>,
{
    let values = stmt.values.clone().unwrap_or(sea_orm::sea_query::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

raw_tx!(
    /// On SQLite: `BEGIN IMMEDIATE`, the write lock taken at once, as a writer that will lock the
    /// audit head anyway should.
    SqliteTx,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    DbBackend::Sqlite,
    "BEGIN IMMEDIATE"
);

raw_tx!(
    /// On PostgreSQL.
    PgTx,
    sqlx::Postgres,
    sqlx::PgConnection,
    DbBackend::Postgres,
    "BEGIN"
);
