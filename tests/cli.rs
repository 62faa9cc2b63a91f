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
                 大坪锌矿,2005-08-01,300,3.48,280,T1,0.28\n大坪锌矿,2005-08-02,310,{grade},290,T1,0.3\n"
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
