//! Laboratory sheets of any size, checked and written by the database in set-based statements
//! over a few thousand results at a time (multi-row `VALUES` on SQLite, a JSON record set on
//! PostgreSQL). For each block the database finds every sample (by code or id), whether the
//! laboratory has it and what is recorded for it, and copies the results that are new, for a
//! received sample, straight into `assay_results` (`INSERT ... SELECT`). When it wrote every
//! result of the block, nothing else is asked; otherwise the same block is judged result by
//! result (new, the same as recorded, different, sample not received, sample unknown) and only
//! the problem rows and the counts come back. No row crosses back to the application; a
//! problem anywhere rolls the whole transaction back.

use minecoop_domain::production::sample::AssayDraft;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::{StoreResult, new_id};

/// How a sheet's row names its sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleKey<'a> {
    /// The code on its label, looked up by the database.
    Code(&'a str),
    /// Its id, already known.
    Id(Uuid),
}

/// One row of a laboratory sheet as the store takes it.
#[derive(Debug, Clone, Copy)]
pub struct SheetResults<'a> {
    pub sample: SampleKey<'a>,
    pub lab: &'a str,
    pub batch: &'a str,
    pub results: &'a [AssayDraft],
}

/// What would happen to a staged result (stored as a number in the stage).
const NEW: i64 = 0;
const SAME: i64 = 1;
const DIFFERS: i64 = 2;
const NOT_RECEIVED: i64 = 3;
const UNKNOWN: i64 = 4;
/// New for the database, but the same sample and element came earlier in the sheet: the
/// first is written, this one is not (as before staging).
const REPEATED: i64 = 5;

/// A row that stops an import, by its index among the rows given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowIssue {
    /// No sample has this code.
    Unknown,
    /// The laboratory has not received the sample (by its chain of custody).
    NotReceived,
    /// A result differs from the one recorded.
    Differs,
}

/// What the database says about a staged sheet.
#[derive(Debug, Clone, Default)]
pub struct StagedCheck {
    /// Rows that stop the import, by index, in order.
    pub problems: Vec<(usize, RowIssue)>,
    /// Rows with at least one result to add.
    pub new_rows: usize,
    /// Results that would be added.
    pub new_results: usize,
    /// Results the same as recorded (not added again).
    pub same_results: usize,
    /// Results in the stage (a row without results counts one).
    pub staged: usize,
}

/// Results per statement on SQLite: 12 values each to judge (9 to write), under its 32,766
/// bound values.
const SQLITE_CHUNK: usize = 2_700;
/// Results per JSON record set on PostgreSQL.
const PG_CHUNK: usize = 20_000;

/// The state of a result, from the sample found (`s`) and the given values (`v`).
fn state_sql(backend: DbBackend) -> String {
    let same = match backend {
        DbBackend::Postgres => {
            "a.value_e4 IS NOT DISTINCT FROM v.value_e4 AND a.below_dl = v.below_dl \
             AND a.detection_limit_e4 IS NOT DISTINCT FROM v.dl_e4"
        }
        _ => "a.value_e4 IS v.value_e4 AND a.below_dl = v.below_dl AND a.detection_limit_e4 IS v.dl_e4",
    };
    format!(
        "CASE WHEN s.id IS NULL THEN {UNKNOWN} \
         WHEN NOT ({received}) THEN {NOT_RECEIVED} \
         WHEN v.element IS NULL THEN {SAME} \
         WHEN NOT EXISTS (SELECT 1 FROM assay_results a WHERE a.sample_id = s.id AND a.element = v.element) \
           THEN CASE WHEN v.repeated THEN {REPEATED} ELSE {NEW} END \
         WHEN EXISTS (SELECT 1 FROM assay_results a WHERE a.sample_id = s.id AND a.element = v.element \
           AND a.version = (SELECT MAX(m.version) FROM assay_results m WHERE m.sample_id = s.id AND m.element = v.element) \
           AND {same}) THEN {SAME} \
         ELSE {DIFFERS} END",
        received = RECEIVED
    )
}

/// The laboratory has the sample `s` (by its chain of custody). Steps are recorded only in
/// their order (`check_step`: taken, dispatched, received, assayed), so a sample assayed was
/// received: one probe of the unique (sample, step) index, where asking for either step took two.
const RECEIVED: &str = "EXISTS (SELECT 1 FROM sample_events e WHERE e.sample_id = s.id AND e.step = 'received')";

/// The columns of a block of results to judge, as the statements name them, with their
/// PostgreSQL types.
const V_COLUMNS: [(&str, &str); 12] = [
    ("k", "bigint"),
    ("r", "bigint"),
    ("sample", "text"),
    ("element", "text"),
    ("value_e4", "bigint"),
    ("below_dl", "boolean"),
    ("dl_e4", "bigint"),
    ("method", "text"),
    ("lab", "text"),
    ("batch", "text"),
    ("id", "uuid"),
    ("repeated", "boolean"),
];

/// The columns of a block of results to write: only what is written (fewer values to bind).
const W_COLUMNS: [(&str, &str); 9] = [
    ("sample", "text"),
    ("element", "text"),
    ("value_e4", "bigint"),
    ("below_dl", "boolean"),
    ("dl_e4", "bigint"),
    ("method", "text"),
    ("lab", "text"),
    ("batch", "text"),
    ("id", "uuid"),
];

/// `FROM` a block of `n` results with these columns, bound as values (`$1` on PostgreSQL: one
/// JSON text).
fn source(backend: DbBackend, n: usize, columns: &[(&str, &str)]) -> String {
    match backend {
        DbBackend::Postgres => {
            let cols: Vec<String> = columns.iter().map(|(c, t)| format!("{c} {t}")).collect();
            format!("json_to_recordset(CAST($1 AS json)) AS v({})", cols.join(", "))
        }
        _ => {
            let row = format!("({})", vec!["?"; columns.len()].join(", "));
            let values = vec![row.as_str(); n].join(", ");
            let cols: Vec<String> =
                columns.iter().enumerate().map(|(i, (c, _))| format!("column{} AS {c}", i + 1)).collect();
            format!("(SELECT {} FROM (VALUES {values})) AS v", cols.join(", "))
        }
    }
}

fn join(backend: DbBackend, by_code: bool) -> &'static str {
    match (backend, by_code) {
        (_, true) => "s.code = v.sample",
        (DbBackend::Postgres, false) => "s.id = CAST(v.sample AS uuid)",
        _ => "s.id = v.sample",
    }
}

/// Write a block's new results for received samples (`$p1`, `$p2`: the time and the writer).
/// Repeated results are not in the block. No `ORDER BY`: the ids were given in sheet order, and
/// sorting every block cost more than it told.
///
/// A result already recorded for the sample and element has a version 1 (versions start at 1
/// and are never removed), so the unique (sample, element, version) key finds it as the row is
/// written: `ON CONFLICT ... DO NOTHING` on that key alone skips it. Asking first (`NOT EXISTS`
/// on the table being written) made SQLite copy every block aside before writing it, a third
/// of the statement's time. The caller compares the rows written with the rows given.
fn insert_sql(backend: DbBackend, n: usize, by_code: bool) -> String {
    // SQLite numbers `?` in the order written: the time and the writer come after the block.
    let (p1, p2, after) = if backend == DbBackend::Postgres {
        ("$2", "$3", "")
    } else {
        ("w.at", "w.by", " CROSS JOIN (SELECT ? AS at, ? AS by) AS w")
    };
    format!(
        "INSERT INTO assay_results (id, sample_id, element, version, value_e4, below_dl, detection_limit_e4, method, \
         lab, batch, reason, created_at, created_by) \
         SELECT v.id, s.id, v.element, 1, v.value_e4, v.below_dl, v.dl_e4, v.method, v.lab, v.batch, NULL, {p1}, {p2} \
         FROM {} JOIN samples s ON {}{after} \
         WHERE v.element IS NOT NULL AND {RECEIVED} \
         ON CONFLICT (sample_id, element, version) DO NOTHING",
        source(backend, n, &W_COLUMNS),
        join(backend, by_code)
    )
}

/// Judge a block: its problem rows `(k, r, state)` (and with `list_new` its new ones), then
/// one line `(-1, new rows, new, same)`.
fn judge_sql(backend: DbBackend, n: usize, by_code: bool, list_new: bool) -> String {
    let listed = if list_new { format!(", {NEW}, {REPEATED}") } else { String::new() };
    format!(
        "WITH c AS MATERIALIZED (SELECT v.k AS k, v.r AS r, {} AS state FROM {} LEFT JOIN samples s ON {}) \
         SELECT k, r, state, 0 FROM c WHERE state IN ({DIFFERS}, {NOT_RECEIVED}, {UNKNOWN}{listed}) \
         UNION ALL SELECT -1, COUNT(DISTINCT CASE WHEN state IN ({NEW}, {REPEATED}) THEN r END), \
           COALESCE(SUM(CASE WHEN state = {NEW} THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN state = {SAME} THEN 1 ELSE 0 END), 0) FROM c \
         ORDER BY 1",
        state_sql(backend),
        source(backend, n, &V_COLUMNS),
        join(backend, by_code)
    )
}

/// One result as given to the database.
struct Given<'a> {
    k: usize,
    r: usize,
    sample: SampleKey<'a>,
    result: Option<&'a AssayDraft>,
    lab: &'a str,
    batch: &'a str,
    id: Uuid,
    repeated: bool,
}

#[derive(serde::Serialize)]
struct PgGiven<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<usize>,
    sample: String,
    element: Option<&'a str>,
    value_e4: Option<i64>,
    below_dl: bool,
    dl_e4: Option<i64>,
    method: &'a str,
    lab: &'a str,
    batch: &'a str,
    id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeated: Option<bool>,
}

/// A block's values: on SQLite twelve a result to judge it ([`V_COLUMNS`]) and nine to write
/// it ([`W_COLUMNS`]); on PostgreSQL one JSON text with the same fields.
fn values<'a>(backend: DbBackend, block: impl Iterator<Item = &'a Given<'a>>, write: bool) -> StoreResult<Vec<Value>> {
    if backend == DbBackend::Postgres {
        let rows: Vec<PgGiven<'_>> = block
            .map(|g| PgGiven {
                k: (!write).then_some(g.k),
                r: (!write).then_some(g.r),
                sample: match g.sample {
                    SampleKey::Code(c) => c.to_owned(),
                    SampleKey::Id(id) => id.to_string(),
                },
                element: g.result.map(|r| r.element.as_str()),
                value_e4: g.result.and_then(|r| r.value),
                below_dl: g.result.is_some_and(|r| r.below_dl),
                dl_e4: g.result.and_then(|r| r.detection_limit),
                method: g.result.map_or("", |r| r.method.as_str()),
                lab: g.lab,
                batch: g.batch,
                id: g.id,
                repeated: (!write).then_some(g.repeated),
            })
            .collect();
        let json = serde_json::to_string(&rows).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        return Ok(vec![json.into()]);
    }
    let mut out: Vec<Value> = Vec::with_capacity(SQLITE_CHUNK * 12);
    for g in block {
        if !write {
            out.push((g.k as i64).into());
            out.push((g.r as i64).into());
        }
        out.push(match g.sample {
            SampleKey::Code(c) => c.into(),
            SampleKey::Id(id) => id.into(),
        });
        out.push(g.result.map(|r| r.element.as_str()).into());
        out.push(g.result.and_then(|r| r.value).into());
        out.push(g.result.is_some_and(|r| r.below_dl).into());
        out.push(g.result.and_then(|r| r.detection_limit).into());
        out.push(g.result.map_or("", |r| r.method.as_str()).into());
        out.push(g.lab.into());
        out.push(g.batch.into());
        out.push(g.id.into());
        if !write {
            out.push(g.repeated.into());
        }
    }
    Ok(out)
}

/// Time-ordered ids for a sheet's results: the first a fresh UUIDv7, then counting up in its
/// random bits (unique, and in order, without asking the system for randomness a million times).
pub(crate) fn ids(n: usize) -> Vec<Uuid> {
    let mut out = Vec::with_capacity(n);
    more_ids(&mut out, n);
    out
}

/// `n` more ids after those in `out`, as [`ids`] counts them (a sheet given block by block).
pub(crate) fn more_ids(out: &mut Vec<Uuid>, n: usize) {
    const RANDOM_BITS: u128 = (1 << 62) - 1;
    let next = |cur: u128| if cur & RANDOM_BITS == RANDOM_BITS { new_id().as_u128() } else { cur + 1 };
    let mut cur = out.last().map_or_else(|| new_id().as_u128(), |l| next(l.as_u128()));
    out.reserve(n);
    for i in 0..n {
        if i > 0 {
            cur = next(cur);
        }
        out.push(Uuid::from_u128(cur));
    }
}

/// What happened to a sheet: the database's judgement, the ids given to its results, and which
/// were written (by position), when not all or none.
pub(crate) struct Outcome {
    pub check: StagedCheck,
    pub ids: Vec<Uuid>,
    pub written: Vec<bool>,
    pub added: usize,
    /// With `list_new`, the rows with a new result (a row may appear more than once).
    pub new_listed: Vec<usize>,
}

impl Outcome {
    /// A sheet of `rows` rows whose results (one id each) were all new, and all written.
    pub(crate) fn all_written(rows: usize, ids: Vec<Uuid>) -> Outcome {
        let n = ids.len();
        Outcome {
            check: StagedCheck { problems: Vec::new(), new_rows: rows, new_results: n, same_results: 0, staged: n },
            written: vec![true; n],
            added: n,
            new_listed: Vec::new(),
            ids,
        }
    }
}

/// Judge a sheet and, with `write` (the time and the writer), write its new results, in `conn`
/// (a transaction: the caller rolls it back when there are problems). `done(rows)` hears the
/// progress.
pub(crate) async fn run<C: ConnectionTrait>(
    conn: &C,
    rows: &[SheetResults<'_>],
    write: Option<(chrono::DateTime<chrono::Utc>, &str)>,
    list_new: bool,
    done: &(dyn Fn(usize) + Sync),
) -> StoreResult<Outcome> {
    let started = std::time::Instant::now();
    let backend = conn.get_database_backend();
    let by_code = rows.first().is_some_and(|r| matches!(r.sample, SampleKey::Code(_)));
    if rows.iter().any(|r| matches!(r.sample, SampleKey::Code(_)) != by_code) {
        return Err(crate::StoreError::Db(sea_orm::DbErr::Custom("a sheet names its samples one way".into())));
    }
    // Every result in sheet order; a row without results gives one line so that its sample is
    // still checked.
    let n: usize = rows.iter().map(|r| r.results.len().max(1)).sum();
    let ids = ids(n);
    // A fast hash, randomly seeded (a sheet's codes come from outside): SipHash was a tenth of
    // the application's time on a sheet of a million rows.
    let mut seen: std::collections::HashSet<(SampleKey<'_>, &str), foldhash::fast::RandomState> =
        std::collections::HashSet::with_capacity_and_hasher(n, Default::default());
    let mut all: Vec<Given<'_>> = Vec::with_capacity(n);
    for (r, row) in rows.iter().enumerate() {
        let one = |k: usize, result, repeated| Given {
            k,
            r,
            sample: row.sample,
            result,
            lab: row.lab,
            batch: row.batch,
            id: ids[k],
            repeated,
        };
        if row.results.is_empty() {
            all.push(one(all.len(), None, false));
        }
        for res in row.results {
            let repeated = !seen.insert((row.sample, res.element.as_str()));
            all.push(one(all.len(), Some(res), repeated));
        }
    }
    drop(seen);
    tracing::debug!(elapsed = ?started.elapsed(), results = n, "assay import: results numbered");
    // Blocks of whole rows.
    let limit = if backend == DbBackend::Postgres { PG_CHUNK } else { SQLITE_CHUNK };
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut at = 0;
    while at < all.len() {
        let mut end = (at + limit).min(all.len());
        while end < all.len() && end > at + 1 && all[end].r == all[end - 1].r {
            end -= 1;
        }
        blocks.push(at..end);
        at = end;
    }
    let mut out = Outcome {
        check: StagedCheck { staged: n, ..Default::default() },
        ids: Vec::new(),
        written: vec![false; n],
        added: 0,
        new_listed: Vec::new(),
    };
    let mut insert_cache: Option<(usize, String)> = None;
    let mut judge_cache: Option<(usize, String)> = None;
    for block in blocks {
        let given = &all[block.clone()];
        let writable: Vec<&Given<'_>> = given.iter().filter(|g| g.result.is_some() && !g.repeated).collect();
        let insert = |insert_cache: &mut Option<(usize, String)>, clean: bool| -> StoreResult<Option<Statement>> {
            // Once a problem is known nothing more is written: it is all rolled back.
            let Some((at, by)) = write.filter(|_| clean && !writable.is_empty()) else {
                return Ok(None);
            };
            let sql = match insert_cache {
                Some((len, sql)) if *len == writable.len() => sql.clone(),
                _ => {
                    let sql = insert_sql(backend, writable.len(), by_code);
                    *insert_cache = Some((writable.len(), sql.clone()));
                    sql
                }
            };
            let mut v = values(backend, writable.iter().copied(), true)?;
            v.push(at.into());
            v.push(by.into());
            Ok(Some(Statement::from_sql_and_values(backend, sql, v)))
        };
        // Write first, under a savepoint: when every result of the block was new for a
        // received sample (a fresh sheet), there is nothing more to ask.
        if let Some(stmt) = insert(&mut insert_cache, out.check.problems.is_empty())? {
            conn.execute_unprepared("SAVEPOINT assay_block").await?;
            let wrote = conn.execute_raw(stmt).await?.rows_affected() as usize;
            if wrote == writable.len() && writable.len() == given.len() {
                conn.execute_unprepared("RELEASE SAVEPOINT assay_block").await?;
                for g in given {
                    out.written[g.k] = true;
                }
                out.added += wrote;
                out.check.new_results += wrote;
                out.check.new_rows += given.last().map_or(0, |l| l.r + 1 - given[0].r);
                done(given.last().map_or(0, |l| l.r + 1));
                continue;
            }
            // Else judge the block as it was, result by result.
            conn.execute_unprepared("ROLLBACK TO SAVEPOINT assay_block").await?;
            conn.execute_unprepared("RELEASE SAVEPOINT assay_block").await?;
        }
        let sql = match &judge_cache {
            Some((len, sql)) if *len == given.len() => sql.clone(),
            _ => {
                let sql = judge_sql(backend, given.len(), by_code, list_new);
                judge_cache = Some((given.len(), sql.clone()));
                sql
            }
        };
        let v = values(backend, given.iter(), false)?;
        let (mut new_here, mut problems_here) = (0usize, false);
        for line in conn.query_all_raw(Statement::from_sql_and_values(backend, sql, v)).await? {
            let (k, r, state, same): (i64, i64, i64, i64) = line.try_get_many_by_index()?;
            if k < 0 {
                out.check.new_rows += r as usize;
                out.check.new_results += state as usize;
                out.check.same_results += same as usize;
                new_here = state as usize;
                continue;
            }
            if state == NEW || state == REPEATED {
                out.new_listed.push(r as usize);
                continue;
            }
            problems_here = true;
            let issue = match state {
                UNKNOWN => RowIssue::Unknown,
                NOT_RECEIVED => RowIssue::NotReceived,
                _ => RowIssue::Differs,
            };
            let r = r as usize;
            match out.check.problems.last_mut() {
                // A row's worst issue: unknown, then not received, then differs.
                Some((last, i)) if *last == r => {
                    if (issue as u8) < (*i as u8) {
                        *i = issue;
                    }
                }
                _ => out.check.problems.push((r, issue)),
            }
        }
        // A block with some new results beside recorded ones: write the new ones now.
        if !problems_here
            && new_here > 0
            && let Some(stmt) = insert(&mut insert_cache, out.check.problems.is_empty())?
        {
            let wrote = conn.execute_raw(stmt).await?.rows_affected() as usize;
            out.added += wrote;
            mark_written(conn, backend, &writable, &mut out.written).await?;
        }
        done(given.last().map_or(0, |l| l.r + 1));
    }
    out.check.problems.sort_by_key(|(r, _)| *r);
    out.ids = ids;
    tracing::debug!(elapsed = ?started.elapsed(), added = out.added, "assay import: judged and written");
    Ok(out)
}

/// Which of a block's results were written just now: those recorded with their own id.
async fn mark_written<C: ConnectionTrait>(
    conn: &C,
    backend: DbBackend,
    writable: &[&Given<'_>],
    written: &mut [bool],
) -> StoreResult<()> {
    use std::collections::HashSet;
    let mut found: HashSet<Uuid> = HashSet::new();
    for chunk in writable.chunks(500) {
        let list = vec![if backend == DbBackend::Postgres { "$x" } else { "?" }; chunk.len()];
        let list: Vec<String> = list
            .iter()
            .enumerate()
            .map(|(i, p)| if *p == "$x" { format!("${}", i + 1) } else { "?".to_owned() })
            .collect();
        let sql = format!("SELECT id FROM assay_results WHERE id IN ({})", list.join(", "));
        let rows = conn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, chunk.iter().map(|g| Value::from(g.id))))
            .await?;
        for r in rows {
            found.insert(r.try_get_by_index::<Uuid>(0)?);
        }
    }
    for g in writable {
        written[g.k] = found.contains(&g.id);
    }
    Ok(())
}
