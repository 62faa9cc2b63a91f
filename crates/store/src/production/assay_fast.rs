//! The laboratory import's fast path on SQLite, for the usual sheet: every result new, for a
//! sample the laboratory has received. One prepared statement is stepped once per result on the
//! connection's own SQLite handle, inside the import's transaction, as SQLite's own `.import`
//! does, so that no value is copied through the driver. The statement itself finds the sample
//! (by its code or id), checks that the laboratory received it, and writes the result unless
//! one is recorded (the unique sample, element, version key: see [`super::assay_stage`]).
//!
//! The first result it does not write (an unknown or unreceived sample, a result already
//! recorded, the same one twice) ends it: the caller rolls back to the savepoint it took and
//! judges the sheet result by result ([`super::assay_stage::run`]). So this path only ever
//! writes a sheet the general path would have written the same way.

use std::ffi::{CStr, c_char, c_int};
use std::ptr;

use chrono::{DateTime, SecondsFormat, Utc};
use libsqlite3_sys as ffi;
use sea_orm::{DbErr, RuntimeErr};
use uuid::Uuid;

use minecoop_domain::production::sample::AssayDraft;

use super::assay_stage::{SampleKey, SheetResults};
use crate::raw_tx::{PgTx, SqliteTx};

/// Results written per hold of the handle; between holds the task yields, so that a server
/// importing a large sheet still answers others.
pub(crate) const CHUNK_ROWS: usize = 20_000;

/// The sample `?1` (its code or id), if the laboratory received it.
const SAMPLE: &str = "SELECT s.id FROM samples s WHERE s.{key} = ?1 \
     AND EXISTS (SELECT 1 FROM sample_events e WHERE e.sample_id = s.id AND e.step = 'received')";

/// `?1` id, `?2` sample id, `?3` element, `?4` value, `?5` below the detection limit, `?6` the
/// limit, `?7` method, `?8` laboratory, `?9` batch, `?10` time, `?11` writer. The values are
/// bound as sqlx binds them for the general path (a UUID as its 16 bytes, a boolean as 0 or 1,
/// the time as RFC 3339 with its fraction).
///
/// One row of `VALUES`, not `INSERT ... SELECT`: a statement that may write several rows
/// copies every page it touches aside first (its statement journal, to undo it alone), and
/// once per result that was most of the time.
const INSERT: &str = "INSERT INTO assay_results (id, sample_id, element, version, value_e4, below_dl, \
     detection_limit_e4, method, lab, batch, reason, created_at, created_by) \
     VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?11) \
     ON CONFLICT (sample_id, element, version) DO NOTHING";

/// Write every result of `rows` (`ids`: one per result, in sheet order) at `at` by `by`, each
/// row's sample found here, or already found (by a [`Finder`]) when `found` is given: one per
/// row, `None` for a sample unknown or not received. `Ok(true)` when all were written;
/// `Ok(false)` as soon as one was not, or when the sheet is not of the kind this path writes (a
/// row without results, samples named both ways): the caller then rolls back what this wrote
/// and judges the sheet.
pub(crate) async fn write_fresh(
    tx: &SqliteTx,
    rows: &[SheetResults<'_>],
    found: Option<&[Option<[u8; 16]>]>,
    ids: &[Uuid],
    at: DateTime<Utc>,
    by: &str,
    done: &(dyn Fn(usize) + Sync),
) -> Result<bool, DbErr> {
    let Some(by_code) = fresh_shape(rows, ids) else {
        return Ok(false);
    };
    if found.is_some_and(|f| f.len() != rows.len()) {
        return Ok(false);
    }
    let c = |sql: &str| std::ffi::CString::new(sql).map_err(|e| DbErr::Custom(e.to_string()));
    let sql = (c(&SAMPLE.replace("{key}", if by_code { "code" } else { "id" }))?, c(INSERT)?);
    let at = at.to_rfc3339_opts(SecondsFormat::AutoSi, false);
    let (mut row_at, mut k) = (0, 0);
    while row_at < rows.len() {
        let chunk = &rows[row_at..(row_at + CHUNK_ROWS).min(rows.len())];
        let found = found.map(|f| &f[row_at..row_at + chunk.len()]);
        let results: usize = chunk.iter().map(|r| r.results.len()).sum();
        let ids = &ids[k..k + results];
        let all = tx
            .with_connection(async |conn| {
                let mut handle =
                    conn.lock_handle().await.map_err(|e| DbErr::Exec(RuntimeErr::Internal(e.to_string())))?;
                let db = handle.as_raw_handle().as_ptr();
                // SAFETY: `db` is this transaction's connection, held out of sqlx's worker by
                // `handle` for the whole call; every pointer bound lives in `rows`, `ids`,
                // `at` or `by`, all of which outlive the statement, which `insert` finalizes.
                unsafe { insert(db, &sql, chunk, found, ids, &at, by) }
            })
            .await?;
        if !all {
            return Ok(false);
        }
        row_at += chunk.len();
        k += results;
        done(row_at);
        tokio::task::yield_now().await;
    }
    Ok(true)
}

/// Whether the fast path writes this sheet: at least one row, every row with results, samples
/// named one way (`Some(true)` by code), and one id a result.
fn fresh_shape(rows: &[SheetResults<'_>], ids: &[Uuid]) -> Option<bool> {
    let by_code = matches!(rows.first()?.sample, SampleKey::Code(_));
    let plain = rows.iter().all(|r| !r.results.is_empty() && matches!(r.sample, SampleKey::Code(_)) == by_code)
        && rows.iter().map(|r| r.results.len()).sum::<usize>() == ids.len();
    plain.then_some(by_code)
}

/// A prepared statement, finalized when dropped.
struct Prepared(*mut ffi::sqlite3_stmt);

impl Drop for Prepared {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared on a handle that outlives this value, and is
        // finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.0);
        }
    }
}

/// SQLite's message for the last error on `db`.
unsafe fn error(db: *mut ffi::sqlite3) -> DbErr {
    // SAFETY: `db` is an open handle; the message is copied before any other call.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }.to_string_lossy().into_owned();
    DbErr::Exec(RuntimeErr::Internal(msg))
}

/// Bind text that lives until the statement is finalized (`SQLITE_STATIC`: not copied).
unsafe fn text(stmt: *mut ffi::sqlite3_stmt, at: c_int, s: &str) -> c_int {
    // SAFETY: the caller keeps `s` alive while the statement may read it.
    unsafe { ffi::sqlite3_bind_text(stmt, at, s.as_ptr() as *const c_char, s.len() as c_int, ffi::SQLITE_STATIC()) }
}

unsafe fn blob(stmt: *mut ffi::sqlite3_stmt, at: c_int, b: &[u8]) -> c_int {
    // SAFETY: as for `text`.
    unsafe { ffi::sqlite3_bind_blob(stmt, at, b.as_ptr().cast(), b.len() as c_int, ffi::SQLITE_STATIC()) }
}

unsafe fn int(stmt: *mut ffi::sqlite3_stmt, at: c_int, v: Option<i64>) -> c_int {
    // SAFETY: plain values.
    unsafe {
        match v {
            Some(v) => ffi::sqlite3_bind_int64(stmt, at, v),
            None => ffi::sqlite3_bind_null(stmt, at),
        }
    }
}

/// Find each row's sample (unless `found` gives them), then step the insert once per result of
/// `rows`. `Ok(false)` at the first result not written.
///
/// # Safety
/// `db` must be an open handle that nothing else uses during the call.
unsafe fn insert(
    db: *mut ffi::sqlite3,
    sql: &(std::ffi::CString, std::ffi::CString),
    rows: &[SheetResults<'_>],
    found: Option<&[Option<[u8; 16]>]>,
    ids: &[Uuid],
    at: &str,
    by: &str,
) -> Result<bool, DbErr> {
    // SAFETY: see the function's contract; each bound pointer outlives `stmt` (dropped, and so
    // finalized, before this function returns).
    unsafe {
        let prepare = |sql: &CStr| {
            let mut raw = ptr::null_mut();
            if ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut raw, ptr::null_mut()) != ffi::SQLITE_OK {
                return Err(error(db));
            }
            Ok(Prepared(raw))
        };
        let (find, write) = (prepare(&sql.0)?, prepare(&sql.1)?);
        let (f, s) = (find.0, write.0);
        let check = |rc: c_int| if rc == ffi::SQLITE_OK { Ok(()) } else { Err(error(db)) };
        check(text(s, 10, at))?;
        check(text(s, 11, by))?;
        // The sample's id, copied out of the lookup's row, then bound to the insert.
        let mut sample = [0u8; 16];
        let mut k = 0;
        for (n, row) in rows.iter().enumerate() {
            let known = match found {
                Some(found) => found[n].inspect(|id| sample = *id).is_some(),
                None => {
                    match &row.sample {
                        SampleKey::Code(code) => check(text(f, 1, code))?,
                        SampleKey::Id(id) => check(blob(f, 1, id.as_bytes()))?,
                    }
                    find_sample(f, &mut sample)
                }
            };
            if !known {
                // Unknown, or not at the laboratory (or a failed step: the general path says which).
                return Ok(false);
            }
            check(blob(s, 2, &sample))?;
            check(text(s, 8, row.lab))?;
            check(text(s, 9, row.batch))?;
            for r in row.results {
                check(blob(s, 1, ids[k].as_bytes()))?;
                check(text(s, 3, &r.element))?;
                check(int(s, 4, r.value))?;
                check(int(s, 5, Some(i64::from(r.below_dl))))?;
                check(int(s, 6, r.detection_limit))?;
                check(text(s, 7, &r.method))?;
                let rc = ffi::sqlite3_step(s);
                if rc != ffi::SQLITE_DONE {
                    let e = error(db);
                    ffi::sqlite3_reset(s);
                    return Err(e);
                }
                let wrote = ffi::sqlite3_changes(db);
                ffi::sqlite3_reset(s);
                if wrote != 1 {
                    return Ok(false);
                }
                k += 1;
            }
        }
        Ok(true)
    }
}

/// Step the sample statement `f` (its key bound): whether it found a sample the laboratory
/// received, whose id is then in `sample`.
///
/// # Safety
/// `f` must be a prepared [`SAMPLE`] statement with its key bound, on a handle nothing else uses.
unsafe fn find_sample(f: *mut ffi::sqlite3_stmt, sample: &mut [u8; 16]) -> bool {
    // SAFETY: see the function's contract; the column is read before the reset.
    unsafe {
        let rc = ffi::sqlite3_step(f);
        let found = rc == ffi::SQLITE_ROW && ffi::sqlite3_column_bytes(f, 0) == 16;
        if found {
            ptr::copy_nonoverlapping(ffi::sqlite3_column_blob(f, 0).cast::<u8>(), sample.as_mut_ptr(), 16);
        }
        ffi::sqlite3_reset(f);
        found
    }
}

/// A second connection that finds a sheet's samples by their codes (with their custody) on a
/// blocking thread, a block ahead of the import's transaction, which then only writes: the
/// finding takes the other core. Started once the transaction holds SQLite's write lock, its
/// read transaction sees exactly what the import's does (no one else can commit until the
/// import ends, and the import itself writes neither samples nor their custody); the foreign
/// key still checks every sample as it is written.
pub(crate) struct Finder {
    ask: std::sync::mpsc::Sender<(String, Vec<usize>)>,
    answers: tokio::sync::mpsc::Receiver<Result<Vec<Option<[u8; 16]>>, DbErr>>,
    thread: tokio::task::JoinHandle<()>,
}

impl Finder {
    /// Start on one of `pool`'s connections (the transaction must hold the write lock); an
    /// error when none is free within half a second (a busy server).
    pub(crate) async fn start(pool: &sea_orm::sqlx::SqlitePool) -> Result<Finder, DbErr> {
        use sea_orm::sqlx;
        let internal = |e: sqlx::Error| DbErr::Exec(RuntimeErr::Internal(e.to_string()));
        let mut conn = tokio::time::timeout(std::time::Duration::from_millis(500), pool.acquire())
            .await
            .map_err(|_| DbErr::Custom("no connection for the sample finder".into()))?
            .map_err(internal)?;
        // The snapshot is taken at the first read, now.
        sqlx::raw_sql("BEGIN; SELECT 1 FROM samples LIMIT 1").execute(&mut *conn).await.map_err(internal)?;
        let (ask, asked) = std::sync::mpsc::channel::<(String, Vec<usize>)>();
        let (answer, answers) = tokio::sync::mpsc::channel(2);
        let rt = tokio::runtime::Handle::current();
        let thread = tokio::task::spawn_blocking(move || {
            let found = rt.block_on(conn.lock_handle()).map_err(internal).and_then(|mut handle| {
                let db = handle.as_raw_handle().as_ptr();
                let sql = std::ffi::CString::new(SAMPLE.replace("{key}", "code"))
                    .map_err(|e| DbErr::Custom(e.to_string()))?;
                // SAFETY: `db` is this connection's handle, held out of sqlx's worker by
                // `handle` until the loop ends; `f` is finalized (dropped) before that, and each
                // code bound lives in `codes` until the statement is reset.
                unsafe {
                    let mut raw = ptr::null_mut();
                    if ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut raw, ptr::null_mut()) != ffi::SQLITE_OK {
                        return Err(error(db));
                    }
                    let f = Prepared(raw);
                    while let Ok((codes, ends)) = asked.recv() {
                        let mut out = Vec::with_capacity(ends.len());
                        let mut from = 0;
                        for &end in &ends {
                            let mut sample = [0u8; 16];
                            if text(f.0, 1, &codes[from..end]) != ffi::SQLITE_OK {
                                return Err(error(db));
                            }
                            out.push(find_sample(f.0, &mut sample).then_some(sample));
                            from = end;
                        }
                        if answer.blocking_send(Ok(out)).is_err() {
                            break;
                        }
                    }
                }
                Ok(())
            });
            if let Err(e) = found {
                let _ = answer.blocking_send(Err(e));
            }
            // The read transaction ends before the connection goes back to the pool; a
            // connection that cannot end it is closed instead.
            if rt.block_on(sqlx::raw_sql("ROLLBACK").execute(&mut *conn)).is_err() {
                drop(conn.detach());
            }
        });
        Ok(Finder { ask, answers, thread })
    }

    /// Stop, and wait until the read transaction has ended: before the import commits, so that
    /// the commit's checkpoint is not held back by it.
    pub(crate) async fn close(self) {
        let Finder { ask, answers, thread } = self;
        drop((ask, answers));
        let _ = thread.await;
    }

    /// Find the samples of a block's rows by their `codes`; answers come in the order asked.
    pub(crate) fn ask<'c>(&self, codes: impl ExactSizeIterator<Item = &'c str>) {
        let mut all = String::with_capacity(codes.len() * 16);
        let mut ends = Vec::with_capacity(codes.len());
        for c in codes {
            all.push_str(c);
            ends.push(all.len());
        }
        let _ = self.ask.send((all, ends));
    }

    /// The samples of the next block asked, one per row (`None`: unknown or not received).
    pub(crate) async fn answer(&mut self) -> Result<Vec<Option<[u8; 16]>>, DbErr> {
        self.answers.recv().await.unwrap_or_else(|| Err(DbErr::Custom("the sample finder stopped".into())))
    }
}

/// The same fast path on PostgreSQL: the sheet's results go into a temporary table by `COPY`
/// (the database's own bulk load), then one statement finds every sample, checks that the
/// laboratory received it and that nothing is recorded for it, and writes the results: three
/// hash joins over the whole sheet, given the memory to stay in memory. (`ON CONFLICT ... DO
/// NOTHING` here cost a third more than asking: PostgreSQL's speculative insertion, row by
/// row. The same sample and element twice in the sheet then fails on the unique key, which
/// ends this path like any other result not written.) `Ok(false)` when it did not write every
/// result (or the sheet is not of the kind this path writes): the caller rolls back to its
/// savepoint, which also drops the temporary table, and judges the sheet. `Ok(false)` at once, before anything is
/// staged, when the sheet's first result is not new for a received sample (a sheet imported
/// again).
pub(crate) async fn write_fresh_pg(
    tx: &PgTx,
    rows: &[SheetResults<'_>],
    ids: &[Uuid],
    at: DateTime<Utc>,
    by: &str,
    done: &(dyn Fn(usize) + Sync),
) -> Result<bool, DbErr> {
    use sea_orm::ConnectionTrait;
    let Some(by_code) = fresh_shape(rows, ids) else {
        return Ok(false);
    };
    let join = if by_code { "s.code = v.sample" } else { "s.id = CAST(v.sample AS uuid)" };
    // The first result: new, for a received sample?
    let first = &rows[0];
    let sample = match first.sample {
        SampleKey::Code(c) => c.to_owned(),
        SampleKey::Id(id) => id.to_string(),
    };
    let probe = format!(
        "SELECT 1 FROM (SELECT CAST($1 AS text) AS sample) v JOIN samples s ON {join} \
         WHERE EXISTS (SELECT 1 FROM sample_events e WHERE e.sample_id = s.id AND e.step = 'received') \
           AND NOT EXISTS (SELECT 1 FROM assay_results a WHERE a.sample_id = s.id AND a.element = $2)"
    );
    let stmt = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        probe,
        [sample.into(), first.results[0].element.clone().into()],
    );
    if tx.query_one_raw(stmt).await?.is_none() {
        return Ok(false);
    }
    tx.execute_unprepared(
        "CREATE TEMPORARY TABLE assay_sheet (id uuid, sample text, element text, value_e4 bigint, \
         below_dl boolean, dl_e4 bigint, method text, lab text, batch text) ON COMMIT DROP",
    )
    .await?;
    let staged = tx
        .with_connection(async |conn| {
            let internal = |e: sea_orm::sqlx::Error| DbErr::Exec(RuntimeErr::Internal(e.to_string()));
            let mut copy = conn
                .copy_in_raw(
                    "COPY assay_sheet (id, sample, element, value_e4, below_dl, dl_e4, method, lab, batch) FROM STDIN",
                )
                .await
                .map_err(internal)?;
            let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
            let mut k = 0;
            for row in rows {
                let sample = match row.sample {
                    SampleKey::Code(c) => std::borrow::Cow::Borrowed(c),
                    SampleKey::Id(id) => std::borrow::Cow::Owned(id.to_string()),
                };
                for r in row.results {
                    copy_line(&mut buf, ids[k], &sample, r, row.lab, row.batch);
                    k += 1;
                }
                if buf.len() >= 1 << 20 {
                    copy.send(std::mem::take(&mut buf)).await.map_err(internal)?;
                    buf.reserve(1 << 20);
                }
            }
            if !buf.is_empty() {
                copy.send(buf).await.map_err(internal)?;
            }
            copy.finish().await.map_err(internal)
        })
        .await?;
    if staged as usize != ids.len() {
        return Ok(false);
    }
    done(rows.len() / 2);
    tx.execute_unprepared("ANALYZE assay_sheet").await?;
    // For this transaction only: the joins' hash tables of a million-row sheet in memory
    // instead of spilled to disk in batches (half the statement's time, measured).
    tx.execute_unprepared("SET LOCAL work_mem = '256MB'").await?;
    let insert = format!(
        "INSERT INTO assay_results (id, sample_id, element, version, value_e4, below_dl, detection_limit_e4, \
         method, lab, batch, reason, created_at, created_by) \
         SELECT v.id, s.id, v.element, 1, v.value_e4, v.below_dl, v.dl_e4, v.method, v.lab, v.batch, NULL, $1, $2 \
         FROM assay_sheet v JOIN samples s ON {join} \
         WHERE EXISTS (SELECT 1 FROM sample_events e WHERE e.sample_id = s.id AND e.step = 'received') \
           AND NOT EXISTS (SELECT 1 FROM assay_results a WHERE a.sample_id = s.id AND a.element = v.element)"
    );
    let stmt = sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, insert, [at.into(), by.into()]);
    let wrote = match tx.execute_raw(stmt).await {
        Ok(r) => r.rows_affected() as usize,
        // The same sample and element twice in the sheet.
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => return Ok(false),
        Err(e) => return Err(e),
    };
    if wrote != ids.len() {
        return Ok(false);
    }
    done(rows.len());
    Ok(true)
}

/// One line of `COPY ... FROM STDIN` in its text format: tab between fields, `\N` for none,
/// and a backslash before a backslash, tab, newline or carriage return in the text.
fn copy_line(buf: &mut Vec<u8>, id: Uuid, sample: &str, r: &AssayDraft, lab: &str, batch: &str) {
    use std::io::Write as _;
    fn text(buf: &mut Vec<u8>, s: &str) {
        for b in s.bytes() {
            match b {
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                _ => buf.push(b),
            }
        }
    }
    fn int(buf: &mut Vec<u8>, v: Option<i64>) {
        match v {
            Some(v) => {
                let _ = write!(buf, "{v}");
            }
            None => buf.extend_from_slice(b"\\N"),
        }
    }
    let _ = write!(buf, "{id}\t");
    text(buf, sample);
    buf.push(b'\t');
    text(buf, &r.element);
    buf.push(b'\t');
    int(buf, r.value);
    buf.extend_from_slice(if r.below_dl { b"\tt\t" } else { b"\tf\t" });
    int(buf, r.detection_limit);
    buf.push(b'\t');
    text(buf, &r.method);
    buf.push(b'\t');
    text(buf, lab);
    buf.push(b'\t');
    text(buf, batch);
    buf.push(b'\n');
}
