//! Laboratory sheets of any size, checked and written by the database in a few set-based
//! statements. The sheet's results are staged in a temporary table (multi-row inserts on
//! SQLite, JSON record sets on PostgreSQL); while they are staged the database finds each
//! sample (by code or id), whether the laboratory has it, and what is recorded for it, and
//! stores what each result would be: new, the same as recorded, different, for a sample not
//! received, or for a sample that does not exist. Then only the rows with problems and a few
//! counts come back, and the new results are copied across in one `INSERT ... SELECT`. No row
//! crosses back to the application.

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

/// Results per multi-row statement on SQLite: 13 values each, under its 32,766 bound values.
const SQLITE_CHUNK: usize = 2_500;
/// Results per JSON record set on PostgreSQL.
const PG_CHUNK: usize = 50_000;

pub(crate) struct Stage {
    pub ids: Vec<Uuid>,
    pub check: StagedCheck,
}

fn stage_table_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "CREATE TEMP TABLE assay_stage (k bigint NOT NULL, r bigint NOT NULL, sample_id uuid, element text, \
             value_e4 bigint, below_dl boolean NOT NULL, dl_e4 bigint, method text NOT NULL, lab text NOT NULL, \
             batch text NOT NULL, id uuid NOT NULL, state bigint NOT NULL) ON COMMIT DROP"
        }
        _ => {
            "CREATE TEMP TABLE assay_stage (k INTEGER PRIMARY KEY, r INTEGER NOT NULL, sample_id BLOB, element TEXT, \
             value_e4 INTEGER, below_dl INTEGER NOT NULL, dl_e4 INTEGER, method TEXT NOT NULL, lab TEXT NOT NULL, \
             batch TEXT NOT NULL, id BLOB NOT NULL, state INTEGER NOT NULL)"
        }
    }
}

/// The state of a staged result, from the sample found (`s`) and the staged values (`v`).
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
         WHEN NOT EXISTS (SELECT 1 FROM sample_events e WHERE e.sample_id = s.id AND e.step IN ('received', 'assayed')) \
           THEN {NOT_RECEIVED} \
         WHEN v.element IS NULL THEN {SAME} \
         WHEN NOT EXISTS (SELECT 1 FROM assay_results a WHERE a.sample_id = s.id AND a.element = v.element) \
           THEN CASE WHEN v.repeated THEN {REPEATED} ELSE {NEW} END \
         WHEN EXISTS (SELECT 1 FROM assay_results a WHERE a.sample_id = s.id AND a.element = v.element \
           AND a.version = (SELECT MAX(m.version) FROM assay_results m WHERE m.sample_id = s.id AND m.element = v.element) \
           AND {same}) THEN {SAME} \
         ELSE {DIFFERS} END"
    )
}

const STAGE_COLUMNS: &str = "k, r, sample_id, element, value_e4, below_dl, dl_e4, method, lab, batch, id, state";

fn select_staged(backend: DbBackend, by_code: bool) -> String {
    let join = match (backend, by_code) {
        (_, true) => "s.code = v.sample",
        (DbBackend::Postgres, false) => "s.id = CAST(v.sample AS uuid)",
        _ => "s.id = v.sample",
    };
    format!(
        "SELECT v.k, v.r, s.id, v.element, v.value_e4, v.below_dl, v.dl_e4, v.method, v.lab, v.batch, v.id, {} \
         FROM {{source}} LEFT JOIN samples s ON {join}",
        state_sql(backend)
    )
}

/// One staged result's values, in the order of the staging statement.
struct Staged<'a> {
    k: usize,
    r: usize,
    sample: SampleKey<'a>,
    result: Option<&'a AssayDraft>,
    lab: &'a str,
    batch: &'a str,
    id: Uuid,
    repeated: bool,
}

fn sqlite_values(s: &Staged<'_>, out: &mut Vec<Value>) {
    out.push((s.k as i64).into());
    out.push((s.r as i64).into());
    out.push(match s.sample {
        SampleKey::Code(c) => c.into(),
        SampleKey::Id(id) => id.into(),
    });
    out.push(s.result.map(|r| r.element.as_str()).into());
    out.push(s.result.and_then(|r| r.value).into());
    out.push(s.result.is_some_and(|r| r.below_dl).into());
    out.push(s.result.and_then(|r| r.detection_limit).into());
    out.push(s.result.map_or("", |r| r.method.as_str()).into());
    out.push(s.lab.into());
    out.push(s.batch.into());
    out.push(s.id.into());
    out.push(s.repeated.into());
}

#[derive(serde::Serialize)]
struct PgStaged<'a> {
    k: usize,
    r: usize,
    sample: String,
    element: Option<&'a str>,
    value_e4: Option<i64>,
    below_dl: bool,
    dl_e4: Option<i64>,
    method: &'a str,
    lab: &'a str,
    batch: &'a str,
    id: Uuid,
    repeated: bool,
}

fn pg_row<'a>(s: &Staged<'a>) -> PgStaged<'a> {
    PgStaged {
        k: s.k,
        r: s.r,
        sample: match s.sample {
            SampleKey::Code(c) => c.to_owned(),
            SampleKey::Id(id) => id.to_string(),
        },
        element: s.result.map(|r| r.element.as_str()),
        value_e4: s.result.and_then(|r| r.value),
        below_dl: s.result.is_some_and(|r| r.below_dl),
        dl_e4: s.result.and_then(|r| r.detection_limit),
        method: s.result.map_or("", |r| r.method.as_str()),
        lab: s.lab,
        batch: s.batch,
        id: s.id,
        repeated: s.repeated,
    }
}

/// Stage the rows in `conn` (a transaction), let the database judge every result, and read
/// back the problems and counts. `staged(rows)` is called as the stage fills.
pub(crate) async fn stage<C: ConnectionTrait>(
    conn: &C,
    rows: &[SheetResults<'_>],
    staged: &(dyn Fn(usize) + Sync),
) -> StoreResult<Stage> {
    use std::collections::HashSet;
    let backend = conn.get_database_backend();
    let by_code = rows.first().is_some_and(|r| matches!(r.sample, SampleKey::Code(_)));
    if rows.iter().any(|r| matches!(r.sample, SampleKey::Code(_)) != by_code) {
        return Err(crate::StoreError::Db(sea_orm::DbErr::Custom("a sheet names its samples one way".into())));
    }
    if backend == DbBackend::Sqlite {
        conn.execute_unprepared("DROP TABLE IF EXISTS temp.assay_stage").await?;
        // The stage stays in memory (up to 1 GB) rather than spilling to a temporary file.
        conn.execute_unprepared("PRAGMA temp.cache_size = -1048576").await?;
    }
    conn.execute_unprepared(stage_table_sql(backend)).await?;
    // Every result in sheet order, with its new id; a row without results stages one line so
    // that its sample is still checked.
    let mut seen: HashSet<(SampleKey<'_>, &str)> = HashSet::with_capacity(rows.len());
    let mut all: Vec<Staged<'_>> = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let one = Staged {
            k: 0,
            r,
            sample: row.sample,
            result: None,
            lab: row.lab,
            batch: row.batch,
            id: Uuid::nil(),
            repeated: false,
        };
        if row.results.is_empty() {
            all.push(Staged { k: all.len(), id: new_id(), ..one });
        }
        for res in row.results {
            let repeated = !seen.insert((row.sample, res.element.as_str()));
            all.push(Staged { k: all.len(), result: Some(res), id: new_id(), repeated, ..one });
        }
    }
    drop(seen);
    let select = select_staged(backend, by_code);
    match backend {
        DbBackend::Postgres => {
            let sql = select.replace(
                "{source}",
                "json_to_recordset(CAST($1 AS json)) AS v(k bigint, r bigint, sample text, element text, \
                 value_e4 bigint, below_dl boolean, dl_e4 bigint, method text, lab text, batch text, id uuid, \
                 repeated boolean)",
            );
            let sql = format!("INSERT INTO assay_stage ({STAGE_COLUMNS}) {sql}");
            for chunk in all.chunks(PG_CHUNK) {
                let json = serde_json::to_string(&chunk.iter().map(pg_row).collect::<Vec<_>>())
                    .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
                conn.execute_raw(Statement::from_sql_and_values(backend, &sql, [json.into()])).await?;
                staged(chunk.last().map_or(0, |s| s.r + 1));
            }
        }
        _ => {
            let statement = |n: usize| {
                let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
                let mut values = String::with_capacity(n * (row.len() + 2));
                for i in 0..n {
                    if i > 0 {
                        values.push_str(", ");
                    }
                    values.push_str(row);
                }
                let source = format!(
                    "(SELECT column1 AS k, column2 AS r, column3 AS sample, column4 AS element, column5 AS value_e4, \
                     column6 AS below_dl, column7 AS dl_e4, column8 AS method, column9 AS lab, column10 AS batch, \
                     column11 AS id, column12 AS repeated FROM (VALUES {values})) AS v"
                );
                format!("INSERT INTO temp.assay_stage ({STAGE_COLUMNS}) {}", select.replace("{source}", &source))
            };
            let full = statement(SQLITE_CHUNK);
            let mut values: Vec<Value> = Vec::with_capacity(SQLITE_CHUNK * 12);
            for chunk in all.chunks(SQLITE_CHUNK) {
                values.clear();
                for s in chunk {
                    sqlite_values(s, &mut values);
                }
                let sql = if chunk.len() == SQLITE_CHUNK { full.clone() } else { statement(chunk.len()) };
                conn.execute_raw(Statement::from_sql_and_values(backend, sql, std::mem::take(&mut values))).await?;
                values = Vec::with_capacity(SQLITE_CHUNK * 12);
                staged(chunk.last().map_or(0, |s| s.r + 1));
            }
        }
    }
    let ids: Vec<Uuid> = all.iter().map(|s| s.id).collect();
    let staged_n = all.len();
    drop(all);
    let table = if backend == DbBackend::Sqlite { "temp.assay_stage" } else { "assay_stage" };
    let mut check = StagedCheck { staged: staged_n, ..Default::default() };
    // One pass, no sorting: sums of conditions.
    let count = |states: &str| format!("COALESCE(SUM(CASE WHEN state IN ({states}) THEN 1 ELSE 0 END), 0)");
    let counts = conn
        .query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT {}, {}, {}, {} FROM {table}",
                count(&NEW.to_string()),
                count(&SAME.to_string()),
                count(&format!("{DIFFERS}, {NOT_RECEIVED}, {UNKNOWN}")),
                count(&format!("{NEW}, {REPEATED}")),
            ),
        ))
        .await?;
    let (new, same, bad, newish): (i64, i64, i64, i64) = match counts {
        Some(c) => c.try_get_many_by_index()?,
        None => (0, 0, 0, 0),
    };
    check.new_results = new as usize;
    check.same_results = same as usize;
    // With one staged line a row, rows are lines; else they are counted.
    check.new_rows = if staged_n == rows.len() {
        newish as usize
    } else {
        let n = conn
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(DISTINCT r) FROM {table} WHERE state IN ({NEW}, {REPEATED})"),
            ))
            .await?;
        n.map(|n| n.try_get_by_index::<i64>(0)).transpose()?.unwrap_or(0) as usize
    };
    let problems = bad > 0;
    if problems {
        let bad = conn
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT r, MAX(state) FROM {table} WHERE state IN ({DIFFERS}, {NOT_RECEIVED}, {UNKNOWN}) \
                     GROUP BY r ORDER BY r"
                ),
            ))
            .await?;
        for b in bad {
            let (r, state): (i64, i64) = b.try_get_many_by_index()?;
            let issue = match state {
                UNKNOWN => RowIssue::Unknown,
                NOT_RECEIVED => RowIssue::NotReceived,
                _ => RowIssue::Differs,
            };
            check.problems.push((r as usize, issue));
        }
    }
    Ok(Stage { ids, check })
}

/// The staged results that are the same as recorded or repeated (not written), by position.
pub(crate) async fn not_written<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<usize>> {
    let backend = conn.get_database_backend();
    let table = if backend == DbBackend::Sqlite { "temp.assay_stage" } else { "assay_stage" };
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT k FROM {table} WHERE state <> {NEW} ORDER BY k"),
        ))
        .await?;
    rows.into_iter().map(|r| Ok(r.try_get_by_index::<i64>(0)? as usize)).collect()
}

/// The rows with a result to add (new, or repeated in the sheet), by index.
pub(crate) async fn rows_with_new<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<usize>> {
    let backend = conn.get_database_backend();
    let table = if backend == DbBackend::Sqlite { "temp.assay_stage" } else { "assay_stage" };
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT DISTINCT r FROM {table} WHERE state IN ({NEW}, {REPEATED}) ORDER BY r"),
        ))
        .await?;
    rows.into_iter().map(|r| Ok(r.try_get_by_index::<i64>(0)? as usize)).collect()
}

/// Write the new staged results, in sheet order; returns how many.
pub(crate) async fn write_new<C: ConnectionTrait>(
    conn: &C,
    created_at: chrono::DateTime<chrono::Utc>,
    created_by: &str,
) -> StoreResult<u64> {
    let backend = conn.get_database_backend();
    let (table, p1, p2) =
        if backend == DbBackend::Sqlite { ("temp.assay_stage", "?", "?") } else { ("assay_stage", "$1", "$2") };
    let sql = format!(
        "INSERT INTO assay_results (id, sample_id, element, version, value_e4, below_dl, detection_limit_e4, method, \
         lab, batch, reason, created_at, created_by) \
         SELECT id, sample_id, element, 1, value_e4, below_dl, dl_e4, method, lab, batch, NULL, {p1}, {p2} \
         FROM {table} WHERE state = {NEW} ORDER BY k"
    );
    let done =
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [created_at.into(), created_by.into()])).await?;
    Ok(done.rows_affected())
}

/// Drop the stage (PostgreSQL drops it on commit itself).
pub(crate) async fn drop_stage<C: ConnectionTrait>(conn: &C) -> StoreResult<()> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        conn.execute_unprepared("DROP TABLE IF EXISTS temp.assay_stage").await?;
    }
    Ok(())
}
