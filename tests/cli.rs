//! The `minecoop` binary as an operator uses it: first start without an admin, user commands,
//! the demo, `audit verify` catching an edit made behind the application's back (on SQLite and
//! PostgreSQL), and `serve --demo` printing its URL and logins and serving the login page.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

use sea_orm::ConnectionTrait;

fn minecoop(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minecoop"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("MINECOOP_LOG", "warn")
        // The case study's year only: the whole history since 1999 is for people, not tests.
        .env("MINECOOP_DEMO_FROM", "2005")
        .env("MINECOOP_DEMO_TO", "2005")
        .output()
        .expect("run minecoop")
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}?mode=rwc", dir.path().join("coop.db").display())
}

#[test]
fn first_start_without_an_admin_refuses_and_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let o = minecoop(&db, &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("minecoop user add --username admin --role admin"), "{}", out(&o));
}

#[test]
fn user_commands_create_list_change_and_disable() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_minecoop"))
        .args(["--db", &db, "user", "add", "--username", "chief", "--role", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", out(&o));
    let o = minecoop(&db, &["user", "add", "--username", "bureau1", "--role", "bureau"]);
    assert!(o.status.success() && out(&o).contains("password: "), "a generated password is printed: {}", out(&o));
    let o = minecoop(&db, &["user", "add", "--username", "x", "--role", "admin"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("username: 3 to 40"), "a clear message: {}", out(&o));
    let o = minecoop(&db, &["user", "add", "--username", "own1", "--role", "owner"]);
    assert!(out(&o).contains("A mine owner must be linked"), "{}", out(&o));
    assert!(minecoop(&db, &["user", "set-role", "bureau1", "inspector"]).status.success());
    assert!(minecoop(&db, &["user", "disable", "bureau1"]).status.success());
    let list = out(&minecoop(&db, &["user", "list"]));
    assert!(list.contains("chief") && list.contains("admin"));
    assert!(list.lines().any(|l| l.contains("bureau1") && l.contains("inspector") && l.contains("disabled")), "{list}");
    let o = minecoop(&db, &["audit", "verify"]);
    assert!(o.status.success() && out(&o).contains("intact: 4 records"), "{}", out(&o));
}

async fn verify_catches_tampering(db: &str) {
    let o = minecoop(db, &["demo", "--demo-from", "3000"]);
    assert!(!o.status.success() && out(&o).contains("--demo-from 3000 must be a year"), "{}", out(&o));
    let o = minecoop(db, &["demo"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("president-demo-2026"));
    let o = minecoop(db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", out(&o));
    let again = minecoop(db, &["demo"]);
    assert_eq!(again.status.code(), Some(2), "the demo only goes into an empty database");
    let store = minecoop_store::Store::connect(db).await.unwrap();
    store
        .conn()
        .execute_unprepared("UPDATE audit_log SET after = '{\"name_zh\":\"forged\"}' WHERE seq = 7")
        .await
        .unwrap();
    let o = minecoop(db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("record 7 was changed"), "{}", out(&o));
}

#[tokio::test]
async fn audit_verify_finds_the_first_broken_link_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    verify_catches_tampering(&sqlite_url(&dir)).await;
}

#[tokio::test]
async fn audit_verify_finds_the_first_broken_link_postgres() {
    let db = minecoop_store::testing::postgres().await;
    verify_catches_tampering(&db.url).await;
}

#[test]
fn serve_demo_prints_url_and_logins_and_serves_the_login_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_minecoop"))
        .args(["--db", &sqlite_url(&dir), "serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("MINECOOP_DEMO_FROM", "2005")
        .env("MINECOOP_DEMO_TO", "2005")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.split("http://").nth(1).expect("URL printed").trim_end_matches('/').to_owned();
    let logins: Vec<String> = lines.by_ref().take(7).map(|l| l.unwrap()).collect();
    assert!(logins.iter().any(|l| l.contains("admin") && l.contains("admin-demo-2026")), "{logins:?}");
    assert!(logins.iter().any(|l| l.contains("bureau")), "{logins:?}");
    for (lang, text) in [("zh-CN", "登录矿山合作社"), ("en-US", "Log in to minecoop")] {
        let mut s = std::net::TcpStream::connect(&url).unwrap();
        write!(s, "GET /login HTTP/1.1\r\nHost: {url}\r\nAccept-Language: {lang}\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut page = String::new();
        s.read_to_string(&mut page).unwrap();
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains(text), "{lang}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

const LEASES: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"licence_no":"C2","elevation_top_m":1200,"elevation_bottom_m":800},
  "geometry":{"type":"Polygon","coordinates":[[[452000,2905700],[453000,2905700],[453000,2906700],[452000,2906700],[452000,2905700]]]}},
 {"type":"Feature","properties":{"licence_no":"C1"},
  "geometry":{"type":"Polygon","coordinates":[[[452990,2905700],[454000,2905700],[454000,2906700],[452990,2906700],[452990,2905700]]]}},
 {"type":"Feature","properties":{"licence_no":"C3"},
  "geometry":{"type":"Polygon","coordinates":[[[454000,2905700],[455000,2905700],[455000,2906700],[454000,2906700],[454000,2905700]]]}},
 {"type":"Feature","properties":{"licence_no":"BAD"},
  "geometry":{"type":"Polygon","coordinates":[[[460000,2905700],[461000,2906700],[461000,2905700],[460000,2906700],[460000,2905700]]]}}
]}"#;

const WORKINGS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"w-ok","licence_no":"C2"},"geometry":{"type":"Point","coordinates":[452500,2906200,1000]}},
 {"type":"Feature","properties":{"id":"w-out","licence_no":"C2"},"geometry":{"type":"Point","coordinates":[451950,2906200,1000]}},
 {"type":"Feature","properties":{"id":"w-deep","licence_no":"C2"},"geometry":{"type":"LineString","coordinates":[[452500,2906200,820],[452600,2906200,780]]}},
 {"type":"Feature","properties":{"id":"w-lost","licence_no":"X9"},"geometry":{"type":"Point","coordinates":[0,0]}}
]}"#;

fn cadastre(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minecoop")).args(["cadastre", "check"]).args(args).output().expect("run minecoop")
}

#[test]
fn cadastre_check_reports_overlaps_outside_invalid_and_unknown_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let leases = dir.path().join("leases.geojson");
    let workings = dir.path().join("workings.geojson");
    std::fs::write(&leases, LEASES).unwrap();
    std::fs::write(&workings, WORKINGS).unwrap();
    let (l, w) = (leases.to_str().unwrap(), workings.to_str().unwrap());
    let o = cadastre(&["--leases", l, "--workings", w, "--crs", "EPSG:4545", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["leases"], 4);
    assert_eq!(r["workings"], 4);
    assert_eq!(r["overlaps"], serde_json::json!([{"a": "C1", "b": "C2", "area_m2": 10000.0}]), "C1/C3 only touch");
    assert_eq!(
        r["outside"],
        serde_json::json!([
            {"working": "w-deep", "licence_no": "C2", "kind": "out_of_level", "distance_m": 20.0},
            {"working": "w-out", "licence_no": "C2", "kind": "beyond_boundary", "distance_m": 50.0}
        ])
    );
    assert_eq!(r["invalid"][0]["licence_no"], "BAD");
    assert!(r["invalid"][0]["problem"].as_str().unwrap().contains("crosses"));
    assert_eq!(r["unknown_licence_workings"], serde_json::json!(["w-lost"]));

    let o = cadastre(&["--leases", l, "--workings", w, "--fail-on-findings"]);
    assert_eq!(o.status.code(), Some(1), "findings with --fail-on-findings exit 1");
    assert!(out(&o).contains("overlap: C1 and C2 share 10000.00 m2"), "{}", out(&o));
}

#[test]
fn cadastre_check_names_file_and_feature_of_unreadable_input() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.geojson");
    std::fs::write(&bad, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"licence_no":"A"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#).unwrap();
    let o = cadastre(&["--leases", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let msg = out(&o);
    assert!(msg.contains("bad.geojson: feature 1 (A): a lease must be a Polygon or MultiPolygon"), "{msg}");
    let o = cadastre(&["--leases", "/nonexistent.geojson"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cadastre(&["--leases", bad.to_str().unwrap(), "--crs", "EPSG:3857"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn import_production_names_bad_rows_then_imports_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    assert!(minecoop(&db, &["demo"]).status.success());
    let sheet = dir.path().join("production.csv");
    let write = |grade: &str| {
        std::fs::write(
            &sheet,
            format!(
                "矿山,日期,入选矿石（吨）,feed_grades.zn,tailings_t,tailings_facility,tailings_grades.zn\n\
                 大坪锌矿,2006-08-01,300,3.48,280,T1,0.28\n大坪锌矿,2006-08-02,310,{grade},290,T1,0.3\n"
            ),
        )
        .unwrap()
    };
    let file = sheet.to_str().unwrap();
    write("3.5x");
    let o = minecoop(&db, &["import", "production", file]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("row 3, column feed_grades.zn: Not a number."), "{}", out(&o));
    write("3.5");
    let o = minecoop(&db, &["import", "production", "--dry-run", file]);
    assert!(o.status.success() && out(&o).contains("ready: 2 new records"), "{}", out(&o));
    let o = minecoop(&db, &["import", "production", file]);
    assert!(o.status.success() && out(&o).contains("imported: 2 new records"), "{}", out(&o));
    let o = minecoop(&db, &["import", "production", file]);
    assert!(out(&o).contains("imported: 0 new records, 2 already recorded"), "{}", out(&o));
    let o = minecoop(&db, &["import", "production", dir.path().join("missing.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(minecoop(&db, &["audit", "verify"]).status.success(), "the imports are in the audit trail");
}

fn metallurgy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minecoop")).arg("metallurgy").args(args).output().expect("run minecoop")
}

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", out(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

/// `value` printed with `decimals` decimals, as REFERENCE.md prints it.
fn at(v: &serde_json::Value, decimals: usize) -> String {
    format!("{:.decimals$}", v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")))
}

/// An error: exit 2, the expected words on stderr, nothing on stdout, no panic or debug dump.
fn refused(o: &Output, expected: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", out(o));
    assert!(err.contains(expected), "expected {expected:?} in: {err}");
    assert!(o.stdout.is_empty(), "{}", out(o));
    assert!(!err.contains("panicked") && !err.contains("Problem {") && !err.contains("Problems("), "{err}");
}

#[test]
fn metallurgy_two_product_reference_2_1() {
    let r = json(&metallurgy(&["two-product", "--feed", "1.0", "--conc", "10", "--tail", "0.2", "--format", "json"]));
    assert_eq!(at(&r["yield_pct"], 4), "8.1633");
    assert_eq!(at(&r["recovery_pct"], 4), "81.6327");
    assert_eq!(at(&r["ratio_of_concentration"], 2), "12.25");
    assert_eq!(at(&r["enrichment_ratio"], 4), "10.0000");
    let o = metallurgy(&["two-product", "--feed", "1.0", "--conc", "10", "--tail", "0.2"]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("8.1633 %") && text.contains("81.6327 %") && text.contains("12.2500"), "{text}");
}

#[test]
fn metallurgy_three_product_reference_2_2() {
    let args = ["three-product", "--feed", "3.0,6.0", "--conc1", "50,8", "--conc2", "2,55", "--tail", "0.2,0.5"];
    let r = json(&metallurgy(&[&args[..], &["--format", "json"]].concat()));
    assert_eq!(at(&r["conc1_pct"], 4), "5.2840");
    assert_eq!(at(&r["conc2_pct"], 4), "9.3646");
    assert_eq!(at(&r["recovery1_pct"], 3), "88.067");
    assert_eq!(at(&r["recovery2_pct"], 3), "85.842");
    assert_eq!(at(&r["tail_pct"], 4), "85.3514");
    let text = out(&metallurgy(&args));
    assert!(text.contains("5.2840 % of the feed") && text.contains("88.0668 %"), "{text}");
}

const ONE_NODE: &str = r#"{"streams":[{"name":"F","value":100,"sd":2},{"name":"C","value":6.5,"sd":0.2},
 {"name":"T","value":92,"sd":2}],"nodes":[{"name":"mill","in":["F"],"out":["C","T"]}]}"#;

#[test]
fn metallurgy_reconcile_reference_2_3() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mill.json");
    std::fs::write(&file, ONE_NODE).unwrap();
    let f = file.to_str().unwrap();
    let r = json(&metallurgy(&["reconcile", "--input", f, "--format", "json"]));
    let streams = r["streams"].as_array().unwrap();
    let names: Vec<&str> = streams.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["F", "C", "T"]);
    let rec: Vec<String> = streams.iter().map(|s| at(&s["reconciled"], 6)).collect();
    assert_eq!(rec, ["99.253731", "6.507463", "92.746269"]);
    assert_eq!(streams[1]["measured"], 6.5);
    assert_eq!(at(&streams[0]["adjustment"], 6), "-0.746269");
    assert_eq!(at(&r["chi2"], 6), "0.279851");
    assert_eq!(r["dof"], 1);
    assert_eq!(r["gross_error_suspected"], false);
    let text = out(&metallurgy(&["reconcile", "--input", f]));
    assert!(text.contains("99.2537") && text.contains("chi2 0.279851 with 1 degree of freedom"), "{text}");
    assert!(text.contains("no gross error suspected"), "{text}");
    assert!(text.contains("most adjusted: F, C, T"), "one node cannot tell its streams apart: {text}");

    // The concentrate weighed 2 t high: 10 sds. One balance cannot say which stream is wrong.
    std::fs::write(&file, ONE_NODE.replace("6.5", "8.5").replace("92,", "98.5,")).unwrap();
    let r = json(&metallurgy(&["reconcile", "--input", f, "--format", "json"]));
    assert_eq!(r["gross_error_suspected"], true, "{r}");
}

#[test]
fn metallurgy_check_recovery_reference_2_4() {
    let o = metallurgy(&["check-recovery", "--reported", "91.25", "--feed", "3.48", "--tail", "0.28"]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("lowest possible recovery 91.954 %"), "{text}");
    assert!(text.contains("FLAGGED") && text.contains("1 - t / (f - t)"), "{text}");
    let args = ["check-recovery", "--reported", "91.25", "--feed", "3.48", "--tail", "0.28", "--conc", "50"];
    let r = json(&metallurgy(&[&args[..], &["--format", "json"]].concat()));
    assert_eq!(r["flagged"], true);
    assert_eq!(r["slip"], "tail_over_feed_minus_tail");
    assert_eq!(at(&r["two_product_pct"], 3), "92.472");
    assert_eq!(at(&r["lowest_possible_pct"], 3), "91.954");
    let r = json(&metallurgy(&[
        "check-recovery",
        "--reported",
        "92.47",
        "--feed",
        "3.48",
        "--tail",
        "0.28",
        "--format",
        "json",
    ]));
    assert_eq!(r["flagged"], false);
    assert!(r["reason"].is_null());
}

#[test]
fn metallurgy_calculators_refuse_impossible_grades_naming_the_argument() {
    let two = |f: &str, c: &str, t: &str| metallurgy(&["two-product", "--feed", f, "--conc", c, "--tail", t]);
    refused(&two("3.48", "50", "3.6"), "--tail: the tailing grade 3.6 % is not below the feed grade 3.48 %");
    refused(&two("3.48", "3.0", "0.28"), "--conc: the concentrate grade 3 % is not above the feed grade 3.48 %");
    refused(&two("3.48", "50", "-0.2"), "--tail: a grade of -0.2 % is below 0");
    refused(&two("3.48", "150", "0.28"), "--conc: a grade of 150 % is above 100");
    refused(&two("NaN", "50", "0.28"), "--feed: not a finite number");
    refused(&two("three", "50", "0.28"), "--feed");
    refused(&metallurgy(&["two-product", "--feed", "3.48", "--conc", "50"]), "--tail");

    let three = |f: &str, c1: &str, c2: &str, t: &str| {
        metallurgy(&["three-product", "--feed", f, "--conc1", c1, "--conc2", c2, "--tail", t, "--format", "json"])
    };
    refused(
        &three("3.0,6.0", "50,8", "49,8.2", "0.2,0.5"),
        "--conc1 and --conc2: the two concentrates have nearly the same composition",
    );
    refused(&three("3.0,6.0", "50,8", "50,8", "0.2,0.5"), "--conc1 and --conc2");
    refused(&three("3.0,6.0", "50,8", "2,55", "0.2,6.5"), "--tail (metal 2): the tailing grade 6.5 %");
    refused(&three("3.0,1.0", "50,30", "2,55", "0.2,0.5"), "--conc2: the grades do not close");
    refused(&three("3.0", "50,8", "2,55", "0.2,0.5"), "e.g. 3.0,6.0");
    refused(&three("3.0,x", "50,8", "2,55", "0.2,0.5"), "'x' is not a number");
    refused(&three("3.0,6.0", "70,40", "2,55", "0.2,0.5"), "--conc1: the two metals add up to 110 %");

    let check = |r: &str, f: &str, t: &str| metallurgy(&["check-recovery", "--reported", r, "--feed", f, "--tail", t]);
    refused(&check("104", "3.48", "0.28"), "--reported: a recovery of 104 % is impossible");
    refused(&check("91.25", "0.28", "3.48"), "--tail: the tailing grade 3.48 %");
}

#[test]
fn metallurgy_reconcile_refuses_bad_circuits_naming_stream_and_node() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("circuit.json");
    let f = file.to_str().unwrap();
    let run = |text: &str| {
        std::fs::write(&file, text).unwrap();
        metallurgy(&["reconcile", "--input", f])
    };
    refused(
        &run(&ONE_NODE.replace(r#""out":["C","T"]"#, r#""out":["C","Tail"]"#)),
        "circuit.json: nodes[0].out: node \"mill\" names stream \"Tail\", which is not among the streams",
    );
    refused(&run(&ONE_NODE.replace(r#""out":["C","T"]"#, r#""out":["C"]"#)), "streams[2]: stream \"T\" is in no node");
    refused(
        &run(&ONE_NODE.replace(r#""sd":0.2"#, r#""sd":0"#)),
        "streams[1].sd: stream \"C\" has sd 0; every measurement needs a standard deviation above 0",
    );
    refused(&run(&ONE_NODE.replace(r#""sd":0.2"#, r#""sd":-1"#)), "streams[1].sd");
    refused(
        &run(&ONE_NODE.replace(r#""value":100"#, r#""value":-100"#)),
        "streams[0].value: stream \"F\" has the value -100",
    );
    refused(&run(&ONE_NODE.replace(r#""name":"C""#, r#""name":"F""#)), "streams[1].name: stream \"F\" is listed twice");
    refused(
        &run(&ONE_NODE.replace(r#""in":["F"],"#, "")),
        "nodes[0]: node \"mill\" needs at least one stream in and one out",
    );
    refused(&run(r#"{"streams":[],"nodes":[]}"#), "streams: no streams");
    refused(&run(r#"{"streams":[{"name":"F","value":1e999,"sd":1}],"nodes":[]}"#), "not a circuit");
    refused(&run(r#"{"streams":[{"name":"F","value":100}],"nodes":[]}"#), "missing field `sd`");
    refused(&run("not json"), "circuit.json: not a circuit");
    refused(&metallurgy(&["reconcile", "--input", "/nonexistent.json"]), "/nonexistent.json: cannot read");
}

#[test]
fn import_assays_names_bad_cells_then_imports_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    assert!(minecoop(&db, &["demo"]).status.success());
    // The demo's 2005 samples have reached the laboratory and carry zinc; lead is new.
    let sheet = dir.path().join("lab.csv");
    std::fs::write(&sheet, "样品编号,Pb\nS2005-00001,0.9\nS2005-00002,x\nS2005-99999,1\n").unwrap();
    let file = sheet.to_str().unwrap();
    let o = minecoop(&db, &["import", "assays", "--lab", "都匀化验室", file]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("row 3, column Pb: Not a number."), "{}", out(&o));
    assert!(out(&o).contains("row 4, column 样品编号: No sample has this code."), "{}", out(&o));
    std::fs::write(&sheet, "样品编号,Pb\nS2005-00001,0.9\nS2005-00002,<0.01\n").unwrap();
    let o = minecoop(&db, &["import", "assays", "--lab", "都匀化验室", file]);
    assert!(o.status.success() && out(&o).contains("imported: 2 results added"), "{}", out(&o));
    let o = minecoop(&db, &["import", "assays", "--lab", "都匀化验室", file]);
    assert!(out(&o).contains("imported: 0 results added, 2 samples already recorded"), "{}", out(&o));
}

#[test]
fn import_assays_refuses_a_problem_found_after_earlier_blocks_were_written() {
    // The command line writes each block of 20,000 rows while it checks the next: a problem in
    // a later block must still leave nothing written, and be named by its row.
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    assert!(minecoop(&db, &["demo"]).status.success());
    let sheet = dir.path().join("lab.csv");
    let file = sheet.to_str().unwrap();
    // Three new lead results, blank rows filling the first block, then `last` at row 20,005 (in the second block).
    let write = |last: &str| {
        let blank = ",,\n".repeat(20_000);
        let text = format!("样品编号,Pb,Zn\nS2005-00001,0.9,\nS2005-00002,0.8,\nS2005-00003,0.7,\n{blank}{last}\n");
        std::fs::write(&sheet, text).unwrap();
    };
    write("S2005-00004,x,");
    let o = minecoop(&db, &["import", "assays", "--lab", "都匀化验室", file]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("row 20005, column Pb: Not a number."), "{}", out(&o));
    // A zinc result other than the one the demo recorded for the sample.
    write("S2005-00004,,99.99");
    let o = minecoop(&db, &["import", "assays", "--lab", "都匀化验室", file]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("row 20005: "), "{}", out(&o));
    // Neither attempt left the first block's results: all three are new now.
    write("S2005-00004,0.6,");
    let o = minecoop(&db, &["import", "assays", "--lab", "都匀化验室", file]);
    assert!(o.status.success() && out(&o).contains("imported: 4 results added, 0 samples"), "{}", out(&o));
}

#[test]
fn a_bad_element_list_in_the_configuration_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let conf = dir.path().join("minecoop.toml");
    std::fs::write(&conf, "elements = [\"zn:%\", \"cu:ppm\"]\n").unwrap();
    let sheet = dir.path().join("p.csv");
    std::fs::write(&sheet, "mine,day\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_minecoop"))
        .args(["--db", &db, "--config", conf.to_str().unwrap(), "import", "production", sheet.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        out(&o).contains("elements in the configuration: \"cu:ppm\": the unit \"ppm\" is neither % nor g/t"),
        "{}",
        out(&o)
    );
}

#[test]
fn bad_qc_limits_public_url_and_webhook_ca_in_the_configuration_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let conf = dir.path().join("minecoop.toml");
    let run = |text: &str| {
        std::fs::write(&conf, text).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_minecoop"))
            .args(["--db", &db, "--config", conf.to_str().unwrap(), "migrate"])
            .output()
            .unwrap();
        (o.status.code(), out(&o))
    };
    let (code, text) = run("[qc]\nwarn_sd = 3\nfail_sd = 2\n[qc.blank_limits]\ncu = 1\n");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("[qc] in the configuration: fail_sd must be more than warn_sd; blank_limits.cu"), "{text}");
    let (code, text) = run("public_url = \"coop.example.cn\"\n");
    assert!(code == Some(2) && text.contains("public_url in the configuration"), "{text}");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "no certificate here").unwrap();
    let (code, text) = run(&format!("webhook_ca_file = {:?}\n", ca.to_str().unwrap()));
    assert!(code == Some(2) && text.contains("webhook_ca_file"), "{text}");
    let (code, text) =
        run("public_url = \"https://coop.example.cn/\"\n[qc]\nfail_sd = 4\n[qc.blank_limits]\nzn = 0.02\n");
    assert_eq!(code, Some(0), "{text}");
}

fn safety(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minecoop")).arg("safety").args(args).output().expect("run minecoop")
}

fn json_of(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", out(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out(o)))
}

#[test]
fn safety_classify_reference_4_1_and_its_boundaries() {
    let cases = [
        ("2", "9", "9999999", "general", "county"),
        ("0", "10", "0", "relatively_large", "city"),
        ("1", "0", "60000000", "major", "province"),
        ("30", "0", "0", "especially_major", "state_council"),
        ("0", "0", "100000000", "especially_major", "state_council"),
        ("9", "49", "49999999.99", "relatively_large", "city"),
    ];
    for (d, s, loss, class, by) in cases {
        let j =
            json_of(&safety(&["classify", "--deaths", d, "--serious-injuries", s, "--loss", loss, "--format", "json"]));
        assert_eq!(j, serde_json::json!({"class": class, "investigated_by": by}), "{d} {s} {loss}");
    }
    let o = safety(&["classify", "--deaths", "-1", "--serious-injuries", "0", "--loss", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("--deaths: Cannot be negative."), "{}", out(&o));
    let o = safety(&["classify", "--deaths", "0", "--serious-injuries", "0", "--loss", "lots"]);
    assert!(out(&o).contains("--loss: Not a number."), "{}", out(&o));
}

#[test]
fn safety_deadlines_and_rates_reference_4_2_and_4_3() {
    let j = json_of(&safety(&[
        "deadlines",
        "--occurred",
        "2026-03-01T22:40",
        "--unit-head-notified",
        "2026-03-01T23:05",
        "--format",
        "json",
    ]));
    assert_eq!(
        j,
        serde_json::json!({
            "report_to_regulator_by": "2026-03-02T00:05:00",
            "casualty_updates_until": "2026-03-31T22:40:00",
            "investigation_report_due": "2026-04-30T22:40:00",
            "investigation_report_latest": "2026-06-29T22:40:00",
        })
    );
    let o = safety(&["deadlines", "--occurred", "2026-03-01T22:40", "--unit-head-notified", "2026-03-01T22:00"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("--unit-head-notified: The unit head cannot have been told before"), "{}", out(&o));
    let o = safety(&["deadlines", "--occurred", "yesterday", "--unit-head-notified", "2026-03-01T22:00"]);
    assert!(out(&o).contains("--occurred:"), "{}", out(&o));

    let j = json_of(&safety(&["rates", "--hours", "750000", "--lost-time", "3", "--format", "json"]));
    assert_eq!(j["ltifr"], 4.0);
    let j = json_of(&safety(&[
        "rates",
        "--hours",
        "1250000",
        "--fatalities",
        "1",
        "--lost-time",
        "3",
        "--restricted",
        "2",
        "--medical",
        "4",
        "--format",
        "json",
    ]));
    assert_eq!(j, serde_json::json!({"ltifr": 2.4, "trifr": 8.0, "ffr": 0.8}));
    let o = safety(&["rates", "--hours", "0", "--lost-time", "3"]);
    assert!(out(&o).contains("--hours: No hours worked"), "{}", out(&o));
    let o = safety(&["rates", "--hours", "1000", "--medical", "-2"]);
    assert!(out(&o).contains("--medical: Cannot be negative."), "{}", out(&o));
}

#[test]
fn workforce_coverage_makes_a_private_key_file_and_refuses_a_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    let o = minecoop(&db, &["workforce", "coverage", "--date", "2026-06-01", "--format", "json"]);
    assert!(o.status.success(), "{}", out(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["date"], "2026-06-01");
    assert_eq!(doc["active"], 0);
    // No key configured: one was made next to the database, readable by its owner only.
    let key = dir.path().join("coop.db.identity-key");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The same file is used again; another key is refused with a clear message, not a panic.
    assert!(minecoop(&db, &["workforce", "coverage"]).status.success());
    let o = Command::new(env!("CARGO_BIN_EXE_minecoop"))
        .args(["--db", &db, "workforce", "coverage"])
        .env("MINECOOP_IDENTITY_KEY", "ab".repeat(32))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("identity key"), "{}", out(&o));
    assert!(!out(&o).contains("panicked"));
    let o = minecoop(&db, &["workforce", "coverage", "--mine", "nowhere"]);
    assert!(!o.status.success() && out(&o).contains("--mine"));
    // Commands that never touch workers make no key file.
    let other = tempfile::tempdir().unwrap();
    assert!(minecoop(&sqlite_url(&other), &["migrate"]).status.success());
    assert!(!other.path().join("coop.db.identity-key").exists());
}

#[test]
fn import_workers_and_policies_name_bad_rows_then_import_once_and_export_masked() {
    use minecoop_domain::workforce::idcard::complete;
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(&dir);
    assert!(minecoop(&db, &["demo"]).status.success());
    let good = complete("52270119900512031").unwrap();
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let other = complete("52270119850701051").unwrap();
    let workers = dir.path().join("workers.csv");
    let write = |number: &str| {
        std::fs::write(
            &workers,
            format!(
                "矿山,姓名,身份证号,性别,出生日期,工种,用工形式,入职日期,dependant1.name,dependant1.relation,dependant1.birth_date\n\
                 大坪锌矿,王小明,{number},男,1990-05-12,爆破工,劳务派遣,2025-03-01,李芳,配偶,1992-01-20\n\
                 Daping Zinc Mine,李强,{other},male,1985-07-01,clerk,contract,2024-01-01,,,\n"
            ),
        )
        .unwrap()
    };
    let file = workers.to_str().unwrap();
    write(&bad);
    let o = minecoop(&db, &["import", "workers", file]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("row 2, column 身份证号: The check character"), "{}", out(&o));
    write(&good);
    let o = minecoop(&db, &["import", "workers", "--dry-run", file]);
    assert!(o.status.success() && out(&o).contains("ready: 2 new workers"), "{}", out(&o));
    let o = minecoop(&db, &["import", "workers", file]);
    assert!(o.status.success() && out(&o).contains("imported: 2 new workers"), "{}", out(&o));
    let o = minecoop(&db, &["import", "workers", file]);
    assert!(out(&o).contains("imported: 0 new workers, 2 already recorded"), "{}", out(&o));
    // A policy and its covered workers in one CSV each: the members table alone names the policy.
    let policies = dir.path().join("policies.csv");
    std::fs::write(
        &policies,
        "mine,kind,insurer,number,starts_on,ends_on,premium,cover_per_person\n\
         大坪锌矿,accident,中国人寿,YW-CLI-1,2026-01-01,2026-12-31,3000,100000\n",
    )
    .unwrap();
    let members = dir.path().join("members.csv");
    std::fs::write(&members, format!("policy_number,id_number,from\nYW-CLI-1,{good},2026-02-01\nYW-CLI-1,{other},\n"))
        .unwrap();
    let o = minecoop(&db, &["import", "policies", members.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "the policy is not recorded yet: {}", out(&o));
    assert!(out(&o).contains("row 2, column policy_number: No policy with this number"), "{}", out(&o));
    let o = minecoop(&db, &["import", "policies", policies.to_str().unwrap()]);
    assert!(o.status.success() && out(&o).contains("imported: 1 new"), "{}", out(&o));
    let o = minecoop(&db, &["import", "policies", members.to_str().unwrap()]);
    assert!(o.status.success() && out(&o).contains("imported: 2 new"), "{}", out(&o));
    let o = minecoop(&db, &["import", "policies", members.to_str().unwrap()]);
    assert!(out(&o).contains("imported: 0 new policies and covered workers, 2 already"), "{}", out(&o));
    // The exports: the workers with their numbers masked, the coverage check as a workbook.
    let csv = dir.path().join("workers-out.csv");
    let o = minecoop(
        &db,
        &["export", "workers", "--mine", "大坪锌矿", "--format", "csv", "--output", csv.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("王小明") && text.contains(&format!("5227**********{}", &good[14..])), "{text}");
    assert!(!text.contains(&good) && !text.contains(&other), "no identity number whole");
    let xlsx = dir.path().join("coverage.xlsx");
    let o = minecoop(
        &db,
        &[
            "export",
            "coverage",
            "--date",
            "2026-06-01",
            "--format",
            "xlsx",
            "--output",
            xlsx.to_str().unwrap(),
            "--lang",
            "zh-CN",
        ],
    );
    assert!(o.status.success(), "{}", out(&o));
    let rows = minecoop_domain::tabular::read_rows("coverage.xlsx", &std::fs::read(&xlsx).unwrap()).unwrap();
    assert_eq!(rows[0][0], "矿山");
    assert!(rows.iter().any(|r| r.first().is_some_and(|c| c == "合作社合计")), "{rows:?}");
    assert!(rows.iter().flatten().any(|c| c == "王小明"), "the operator sees the uncovered workers by name");
    let o =
        minecoop(&db, &["export", "coverage", "--date", "bogus", "--format", "csv", "--output", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(minecoop(&db, &["audit", "verify"]).status.success(), "the imports are in the audit trail");
}
