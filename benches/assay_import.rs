//! Assay import benchmark: `cargo bench --bench assay_import` (add `-- 100000` for another size).
//!
//! Writes a laboratory sheet of N rows (default 1,000,000: `sample,batch,method,zn`, one zinc
//! result per sample, about 2 % below the detection limit) as CSV in a temp dir, registers the
//! N samples (received by the laboratory) in a SQLite database straight through the store's
//! bulk seeding (not timed), then times in the same run, best of 2:
//! 1. `sqlite3`'s `.import` of the same CSV, as two baselines: into a bare table of the sheet's
//!    columns in a new database file in WAL mode; and into a table of the same columns with the
//!    keys `assay_results` keeps for these rows ([`CONSTRAINED`]: the sample must exist, one
//!    result a sample, an index by batch) in a copy of the seeded database, foreign keys on;
//! 2. `minecoop import assays FILE --lab L` end to end (read, parse, check every cell, look up
//!    every sample and what is recorded, write every result and the audit link, commit) on a
//!    copy of the seeded database;
//! 3. the same import again on the imported copy (the idempotent re-import: all rows the same).
//!
//! With `MINECOOP_BENCH_PG_URL` set (a PostgreSQL URL whose user may create databases, e.g. a
//! throwaway cluster as in `docs/benchmarks.md`) it does the same against PostgreSQL, with
//! `psql`'s `\copy` (COPY FROM STDIN, CSV) into the same two tables as the baselines, in a
//! fresh database.
//!
//! Prints Markdown rows for docs/benchmarks.md, and the import's own phase times
//! (`MINECOOP_TIMINGS=1`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use minecoop_domain::registry::{MemberDraft, MemberInput, MineDraft, MineInput};
use minecoop_store::{Actor, Store};

const LAB: &str = "都匀化验室";

fn write_sheet(path: &Path, n: usize) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create sheet"));
    writeln!(w, "sample,batch,method,zn").unwrap();
    let mut x: u64 = 2026;
    for i in 1..=n {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let v = (x >> 33) % 3_000;
        if v < 60 {
            writeln!(w, "{},B{:05},AAS,<0.01", code(i), i / 500).unwrap();
        } else {
            writeln!(w, "{},B{:05},AAS,{}.{:02}", code(i), i / 500, v / 100, v % 100).unwrap();
        }
    }
    w.flush().unwrap();
}

fn code(i: usize) -> String {
    format!("S2025-{i:07}")
}

/// A member, a mine and N received samples, in a fresh database at `url`.
async fn seed(url: &str, n: usize) {
    let store = Store::open(url).await.expect("open");
    let actor = Actor::system("bench");
    let member = MemberDraft::parse(&MemberInput {
        name_zh: "基准矿业".into(),
        name_en: "Bench Mining".into(),
        legal_representative: "王".into(),
        uscc: minecoop_store::demo::demo_uscc(901).as_str().into(),
        joined_on: "2004-01-01".into(),
        status: "active".into(),
        ..Default::default()
    })
    .expect("member");
    let member = store.create_member(&actor, &member).await.expect("member");
    let mine = MineDraft::parse(&MineInput {
        member_id: member.id.to_string(),
        name_zh: "基准矿".into(),
        name_en: "Bench Mine".into(),
        latitude: "26.22".into(),
        longitude: "107.49".into(),
        minerals: "zn".into(),
        mining_method: "underground".into(),
        status: "operating".into(),
    })
    .expect("mine");
    let mine = store.create_mine(&actor, &mine).await.expect("mine");
    let at = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let samples: Vec<(String, chrono::NaiveDateTime)> = (1..=n).map(|i| (code(i), at)).collect();
    store.seed_received_samples(mine.id, &samples).await.expect("seed samples");
    if url.starts_with("sqlite:") {
        use sea_orm::ConnectionTrait;
        store.conn().execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.expect("checkpoint");
    }
    store.conn().clone().close().await.ok();
}

/// Runs `minecoop import assays`, checks what it says, and returns its time and phase lines.
fn minecoop_import(dir: &Path, db: &str, sheet: &Path, expect: &str) -> (Duration, String) {
    settle();
    let t = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_minecoop"))
        .current_dir(dir)
        .env("MINECOOP_TIMINGS", "1")
        .env("MINECOOP_LOG", "warn")
        .args(["--db", db, "import", "assays", "--lab", LAB])
        .arg(sheet)
        .output()
        .expect("run minecoop");
    let took = t.elapsed();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && stdout.contains(expect), "{stdout}\n{stderr}");
    let phases = stderr.lines().filter(|l| l.contains("[timing]")).collect::<Vec<_>>().join("; ");
    (took, phases)
}

/// The sheet's columns, as a bare table (no key, no index).
const BARE: &str =
    "CREATE TABLE assay_rows(sample TEXT NOT NULL, batch TEXT NOT NULL, method TEXT NOT NULL, zn TEXT NOT NULL)";

/// The sheet's columns with what `assay_results` keeps for the same rows: each sample must
/// exist (a foreign key to `samples`, by its code), one result of an element per sample (a
/// unique key) and an index by batch. Created in a copy of the seeded database.
const CONSTRAINED: [&str; 2] = [
    "CREATE TABLE assay_rows(sample TEXT NOT NULL UNIQUE REFERENCES samples(code), batch TEXT NOT NULL, \
     method TEXT NOT NULL, zn TEXT NOT NULL)",
    "CREATE INDEX assay_rows_batch ON assay_rows(batch)",
];

/// Copy the seeded database and wait until the copy is on disk (see [`settle`]).
fn copy_synced(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the seeded database");
    std::fs::File::open(to).and_then(|f| f.sync_all()).expect("sync the copy");
}

/// Before each timed load (untimed): everything the last one wrote is flushed to disk, so that
/// its writing back does not fall into the next one's time.
fn settle() {
    let _ = Command::new("sync").status();
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// `sqlite3 .import` of the sheet into a new bare table in a new database file.
fn sqlite_import(dir: &Path, sheet: &Path, n: usize) -> Duration {
    let db = dir.join("bulk.db");
    remove_db(&db);
    sqlite3(&db, &format!("PRAGMA journal_mode=WAL;\n{BARE};\n"), None);
    sqlite3(&db, &format!(".mode csv\n.import --skip 1 '{}' assay_rows\n", sheet.display()), Some(n))
}

/// `sqlite3 .import` of the sheet into the [`CONSTRAINED`] table, in a copy of the seeded
/// database (the copy and the table are not timed), foreign keys on as the application has them.
fn sqlite_import_constrained(dir: &Path, seeded: &Path, sheet: &Path, n: usize) -> Duration {
    let db = dir.join("bulk-constrained.db");
    remove_db(&db);
    copy_synced(seeded, &db);
    sqlite3(&db, &format!("{};\n", CONSTRAINED.join(";\n")), None);
    sqlite3(
        &db,
        &format!("PRAGMA foreign_keys=ON;\n.mode csv\n.import --skip 1 '{}' assay_rows\n", sheet.display()),
        Some(n),
    )
}

/// Runs a `sqlite3` script on `db` and returns its time; with `count`, checks that
/// `assay_rows` then holds that many rows (counted after the time is taken).
fn sqlite3(db: &Path, script: &str, count: Option<usize>) -> Duration {
    settle();
    let t = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            eprintln!(
                "error: cannot run the sqlite3 command-line shell ({e}); install it (Debian: apt-get install sqlite3)"
            );
            std::process::exit(1)
        });
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let took = t.elapsed();
    let err = String::from_utf8_lossy(&o.stderr);
    // The shell goes on after a failing line (and `.import` after a refused row): any message fails.
    assert!(o.status.success() && err.trim().is_empty(), "sqlite3: {err}");
    if let Some(n) = count {
        let o = Command::new("sqlite3").arg(db).arg("SELECT count(*) FROM assay_rows").output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(out.trim(), n.to_string(), "sqlite3: rows loaded");
    }
    took
}

fn psql(url: &str, sql: &str) -> (Duration, String) {
    settle();
    let t = Instant::now();
    let o = Command::new("psql").args([url, "-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql]).output().unwrap_or_else(|e| {
        eprintln!("error: cannot run psql ({e}); install it (Debian: apt-get install postgresql-client)");
        std::process::exit(1)
    });
    let took = t.elapsed();
    assert!(o.status.success(), "psql: {}", String::from_utf8_lossy(&o.stderr));
    (took, String::from_utf8_lossy(&o.stdout).into_owned())
}

fn rate(n: usize, d: Duration) -> String {
    let r = n as f64 / d.as_secs_f64();
    if r >= 1e6 { format!("{:.2} M rows/s", r / 1e6) } else { format!("{:.0} k rows/s", r / 1e3) }
}

/// The times of one backend, each the best of its runs.
struct Times {
    /// The bulk load into a bare table of the sheet's columns.
    bulk: Duration,
    /// The bulk load into the [`CONSTRAINED`] table.
    constrained: Duration,
    /// `minecoop import assays`.
    ours: Duration,
    /// The same import again.
    again: Duration,
}

fn row(backend: &str, n: usize, t: &Times) {
    let secs = |d: Duration| d.as_secs_f64();
    println!(
        "| {backend} | {n} | {:.2} s ({}) | {:.2} s ({}) | {:.2} s ({}) | {:.2} | {:.2} | {:.2} s |",
        secs(t.bulk),
        rate(n, t.bulk),
        secs(t.constrained),
        rate(n, t.constrained),
        secs(t.ours),
        rate(n, t.ours),
        secs(t.bulk) / secs(t.ours),
        secs(t.constrained) / secs(t.ours),
        secs(t.again)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }
    let n = args.iter().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000usize);
    // MINECOOP_BENCH_DIR keeps the sheet and databases (to profile them); else a temp dir.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir: PathBuf = std::env::var("MINECOOP_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| tmp.path().to_owned());
    std::fs::create_dir_all(&dir).expect("bench dir");
    let sheet = dir.join("assays.csv");
    write_sheet(&sheet, n);
    let size_mb = std::fs::metadata(&sheet).unwrap().len() as f64 / 1e6;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let added = format!("imported: {n} results added, 0 samples");
    let same = format!("imported: 0 results added, {n} samples already recorded");

    let seeded = dir.join("seeded.db");
    // A kept directory (MINECOOP_BENCH_DIR) may hold the last run's databases.
    remove_db(&seeded);
    let t = Instant::now();
    rt.block_on(seed(&format!("sqlite://{}?mode=rwc", seeded.display()), n));
    eprintln!("seeded {n} samples in SQLite in {:.1} s ({size_mb:.0} MB sheet)", t.elapsed().as_secs_f64());

    println!(
        "| backend | rows | bulk load, bare table | bulk load, same keys | minecoop import (all checks) | ratio to bare | ratio to same keys | re-import (all the same) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let max = Duration::MAX;
    let mut t = Times { bulk: max, constrained: max, ours: max, again: max };
    let mut phases = Vec::new();
    for _ in 0..2 {
        t.bulk = t.bulk.min(sqlite_import(&dir, &sheet, n));
        t.constrained = t.constrained.min(sqlite_import_constrained(&dir, &seeded, &sheet, n));
        let run = dir.join("run.db");
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", run.display()));
        }
        copy_synced(&seeded, &run);
        let url = format!("sqlite://{}?mode=rwc", run.display());
        let (d, p) = minecoop_import(&dir, &url, &sheet, &added);
        t.ours = t.ours.min(d);
        phases.push(format!("import: {p}"));
        let (d, p) = minecoop_import(&dir, &url, &sheet, &same);
        t.again = t.again.min(d);
        phases.push(format!("re-import: {p}"));
    }
    remove_db(&dir.join("bulk-constrained.db"));
    row("SQLite", n, &t);

    if let Ok(admin) = std::env::var("MINECOOP_BENCH_PG_URL") {
        let name = format!("bench_{}", std::process::id());
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        let url = format!("{base}/{name}");
        let t = Instant::now();
        rt.block_on(seed(&url, n));
        eprintln!("seeded {n} samples in PostgreSQL in {:.1} s", t.elapsed().as_secs_f64());
        let mut t = Times { bulk: max, constrained: max, ours: max, again: max };
        // COPY into each kind of table, best of 2; the constrained table in the seeded database
        // (its foreign key names the seeded samples).
        for (create, time) in [(vec![BARE], &mut t.bulk), (CONSTRAINED.to_vec(), &mut t.constrained)] {
            for _ in 0..2 {
                psql(&url, "DROP TABLE IF EXISTS assay_rows");
                for sql in &create {
                    psql(&url, sql);
                }
                let copy = format!("\\copy assay_rows FROM '{}' WITH (FORMAT csv, HEADER true)", sheet.display());
                *time = (*time).min(psql(&url, &copy).0);
                let (_, count) = psql(&url, "SELECT count(*) FROM assay_rows");
                assert_eq!(count.trim(), n.to_string());
            }
        }
        psql(&url, "DROP TABLE assay_rows");
        let (d, p) = minecoop_import(&dir, &url, &sheet, &added);
        t.ours = d;
        phases.push(format!("PostgreSQL import: {p}"));
        let (d, p) = minecoop_import(&dir, &url, &sheet, &same);
        t.again = d;
        phases.push(format!("PostgreSQL re-import: {p}"));
        row("PostgreSQL", n, &t);
        psql(&admin, &format!("DROP DATABASE {name}"));
    }
    println!();
    for p in phases {
        println!("- {p}");
    }
}
