//! Test harness: an app with the demo co-op loaded, requests as any demo user, a real server on
//! a free port, and headless Chromium through chromedriver (started and stopped here).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use minecoop_store::testing::{self, TestDb};
use minecoop_store::{demo, now};
use tower::ServiceExt;

pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

pub async fn app(backend: Backend) -> TestApp {
    let db = match backend {
        Backend::Sqlite => testing::sqlite().await,
        Backend::Postgres => testing::postgres().await,
    };
    demo::load(&db).await.expect("demo loads");
    let router = minecoop_web::router(db.store.clone(), minecoop_web::WebConfig::default());
    TestApp { db, router }
}

/// Who sends a request: a demo user, or nobody.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum As {
    Anon,
    User(&'static str),
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as it came (downloads).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A fixed CSRF secret for anonymous requests (cookie and form agree).
pub const ANON_CSRF: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

impl TestApp {
    /// Session cookie and CSRF token of a fresh session for `username`.
    pub async fn session(&self, username: &str) -> (String, String) {
        let u = self.db.user_by_name(username).await.expect("demo user");
        let token = self.db.create_session(u.id, now()).await.expect("session");
        let s = self.db.session_user(&token, now()).await.expect("lookup").expect("live session");
        (format!("mc_session={token}"), s.csrf_token)
    }

    /// Send a request. Form bodies get the right `_csrf` added; JSON bodies the header.
    pub async fn send(&self, who: As, method: Method, path: &str, body: Option<Body_>) -> Reply {
        self.send_with(who, method, path, body, &[]).await
    }

    pub async fn send_with(
        &self,
        who: As,
        method: Method,
        path: &str,
        body: Option<Body_>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let (cookie, csrf) = match who {
            As::Anon => (format!("mc_csrf={ANON_CSRF}"), ANON_CSRF.to_owned()),
            As::User(name) => self.session(name).await,
        };
        let mut req = Request::builder().method(method).uri(path).header(header::COOKIE, cookie);
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = match body {
            None => req.body(Body::empty()),
            Some(Body_::Form(f)) => {
                let sep = if f.is_empty() { "" } else { "&" };
                req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("{f}{sep}_csrf={csrf}")))
            }
            Some(Body_::Json(j)) => req
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-csrf-token", csrf)
                .body(Body::from(j.to_string())),
            Some(Body_::Bytes(content_type, bytes)) => {
                req.header(header::CONTENT_TYPE, content_type).header("x-csrf-token", csrf).body(Body::from(bytes))
            }
            Some(Body_::Multipart(parts)) => {
                // As a browser sends a form with a file: the CSRF token is a field, not a header.
                let boundary = "----minecoop-test-boundary";
                let mut body = Vec::new();
                let csrf_part = ("_csrf".to_owned(), None, csrf.into_bytes());
                for (name, file, bytes) in parts.into_iter().chain(std::iter::once(csrf_part)) {
                    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                    match file {
                        Some(f) => body.extend_from_slice(
                            format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                        ),
                        None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
                    }
                    body.extend_from_slice(&bytes);
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                req.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}")).body(Body::from(body))
            }
        }
        .expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }

    pub async fn get(&self, who: As, path: &str) -> Reply {
        self.send(who, Method::GET, path, None).await
    }
}

pub enum Body_ {
    Form(String),
    Json(serde_json::Value),
    /// A body of any type (content type, bytes), with the CSRF header.
    Bytes(&'static str, Vec<u8>),
    /// A `multipart/form-data` form: (field, file name if a file, bytes); `_csrf` is added.
    Multipart(Vec<(String, Option<String>, Vec<u8>)>),
}

// ---- a real server -------------------------------------------------------------------------

pub struct Server {
    pub addr: SocketAddr,
    pub db: TestDb,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// The server on 127.0.0.1:0 with the demo co-op, as `minecoop serve --demo` runs it.
pub async fn spawn_server() -> Server {
    let db = testing::sqlite().await;
    demo::load(&db).await.expect("demo loads");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let store = db.store.clone();
    tokio::spawn(async move {
        minecoop_web::serve(listener, store, minecoop_web::WebConfig::default(), async {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    Server { addr, db, _stop: tx }
}

// ---- headless Chromium ---------------------------------------------------------------------

/// chromedriver with one headless Chromium session. Dropping it shuts both down.
pub struct Browser {
    pub client: fantoccini::Client,
    driver: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl Browser {
    /// Start chromedriver and a browser. Missing binaries fail the test: never a skip.
    pub async fn start(lang: &str) -> Browser {
        let driver_bin = std::env::var("MINECOOP_TEST_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("MINECOOP_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&driver_bin).exists() && std::path::Path::new(&chromium).exists(),
            "chromedriver ({driver_bin}) or chromium ({chromium}) is missing: run the tests with scripts/test"
        );
        let port = free_port();
        let profile = tempfile::tempdir().expect("profile dir");
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .env("HOME", profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1200,900",
                         format!("--lang={lang}"), format!("--user-data-dir={}", profile.path().join("chrome").display())],
                "prefs": { "intl.accept_languages": lang }
            }
        });
        let caps = caps.as_object().cloned().expect("object");
        let client = fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("browser session");
        Browser { client, driver, port, _profile: profile }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// Print the page to PDF as the browser's print dialog would, save it beside the screenshots,
    /// and return its bytes.
    pub async fn pdf(&self, name: &str) -> Vec<u8> {
        let cfg = fantoccini::wd::PrintConfiguration::builder().build().expect("print configuration");
        let pdf = self.client.print(cfg).await.expect("print to PDF");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.pdf")), &pdf);
        pdf
    }

    /// Save a screenshot under target/screenshots for people to look at.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
            let dir = std::env::var("MINECOOP_SCREENSHOTS").map(std::path::PathBuf::from).unwrap_or(dir);
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver's /shutdown quits its browsers too; killing it alone would orphan them.
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            use std::io::{Read, Write};
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(b"GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let _ = s.read(&mut [0u8; 256]);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.driver.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A one-sheet XLSX workbook; cells that read as numbers are written as numbers.
pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(v) => sheet.write_number(r as u32, c as u16, v).map(|_| ()),
                Err(_) => sheet.write_string(r as u32, c as u16, *cell).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// A one-sheet XLSX workbook of text cells only (identity numbers are text in a spreadsheet:
/// as numbers they would lose their last digits).
pub fn text_xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}
