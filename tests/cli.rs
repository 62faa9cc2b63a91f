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
