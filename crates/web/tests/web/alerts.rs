//! Alerts leave the building: a relatively large incident's e-mail reaches a local SMTP server
//! and its webhook a local receiver that checks the signature; an unreachable mail server leaves
//! the e-mail queued for a later attempt. The owner sees the alert in the app and the API.

use axum::http::Method;
use minecoop_domain::alerts::hmac_sha256_hex;
use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
use minecoop_store::alerts::{QUEUED, SENT, WebhookTarget};
use minecoop_store::{Actor, Store};
use minecoop_web::delivery::{SmtpSettings, SmtpTls, deliver_due};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::support::{As, Backend, app};

/// A tiny SMTP server on 127.0.0.1:0 that accepts every message and hands each one's data on.
async fn smtp_server() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test ESMTP\r\n").await.ok()?;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            tx.send(data.take().unwrap_or_default()).ok();
                            w.write_all(b"250 OK queued\r\n").await.ok()?;
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok()?;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(reply).await.ok()?;
                }
                Some(())
            });
        }
    });
    (port, rx)
}

/// A webhook receiver on 127.0.0.1:0: each post's event header and whether its signature holds.
async fn webhook_receiver(secret: &'static str) -> (String, mpsc::UnboundedReceiver<(String, bool)>) {
    use axum::http::HeaderMap;
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let expected = format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), &body));
                tx.send((h("x-minecoop-event"), h("x-minecoop-signature") == expected)).ok();
                "thanks"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{addr}/hook"), rx)
}

fn smtp(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        from: "minecoop <alerts@coop.example.cn>".into(),
        username: None,
        password: None,
        tls: SmtpTls::None,
    }
}

/// Three deaths at the owner's mine (Daping, where the demo's officer works).
async fn relatively_large(store: &Store) -> String {
    let officer = store.user_by_name("officer").await.unwrap();
    let input = IncidentInput {
        mine_id: officer.mine_id.unwrap().to_string(),
        kind: "fatality".into(),
        occurred_at: "2026-03-01T08:00".into(),
        unit_head_notified_at: "2026-03-01T08:30".into(),
        location: "Level 2".into(),
        description: "Fall of ground".into(),
        deaths: "3".into(),
        ..Default::default()
    };
    let now = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(12, 0, 0).unwrap();
    let d = IncidentDraft::parse(&input, now).unwrap();
    let actor = Actor { user_id: None, name: "officer".into() };
    store.record_incident(&actor, &d).await.unwrap().code
}

#[tokio::test]
async fn a_relatively_large_incident_is_mailed_and_posted_at_once() {
    let t = app(Backend::Sqlite).await;
    let owner = t.db.user_by_name("owner").await.unwrap();
    t.db.set_user_email(&Actor::system("test"), owner.id, "owner@daping.example.cn").await.unwrap();
    t.db.set_user_language(&Actor::system("test"), owner.id, "en-US").await.unwrap();
    let (port, mut mails) = smtp_server().await;
    let (url, mut posts) = webhook_receiver("a-secret-of-16-chars").await;
    let hooks = vec![WebhookTarget { url, secret: "a-secret-of-16-chars".into(), events: vec![] }];
    let store = t.db.store.clone().with_webhooks(hooks);
    let before =
        t.send(As::User("owner"), Method::GET, "/api/v1/alerts", None).await.json()["unread"].as_u64().unwrap();

    let code = relatively_large(&store).await;
    let round = deliver_due(&store, Some(&smtp(port))).await.unwrap();
    assert_eq!((round.emails_sent, round.webhooks_sent, round.emails_failed), (1, 1, 0));
    let mail = tokio::time::timeout(std::time::Duration::from_secs(10), mails.recv()).await.unwrap().unwrap();
    // Quoted-printable soft line breaks joined again.
    let mail = mail.replace("=\n", "");
    assert!(mail.contains("To: owner@daping.example.cn"), "{mail}");
    assert!(mail.contains(&code) && mail.contains("Relatively large accident"), "{mail}");
    let (event, signed) =
        tokio::time::timeout(std::time::Duration::from_secs(10), posts.recv()).await.unwrap().unwrap();
    assert_eq!((event.as_str(), signed), ("incident", true));
    let out = store.outbox(10).await.unwrap();
    assert_eq!((out[0].status.as_str(), out[0].attempts), (SENT, 1));
    assert_eq!(store.webhook_deliveries(10).await.unwrap()[0].status, SENT);
    assert_eq!(deliver_due(&store, Some(&smtp(port))).await.unwrap(), Default::default(), "nothing sent twice");

    // In the app: the bell's count, the list, the API; then all read.
    let api = t.send(As::User("owner"), Method::GET, "/api/v1/alerts", None).await.json();
    assert_eq!(api["unread"].as_u64().unwrap(), before + 1);
    assert_eq!(api["alerts"][0]["kind"], "incident");
    let page = t.send(As::User("owner"), Method::GET, "/alerts", None).await;
    assert!(page.body.contains(&code) && page.body.contains("id=\"alerts-count\""), "{}", page.body);
    let outbox = t.send(As::User("admin"), Method::GET, "/admin/outbox", None).await;
    assert!(outbox.body.contains("owner@daping.example.cn") && outbox.body.contains("id=\"smtp-missing\""));
    let denied = t.send(As::User("owner"), Method::GET, "/admin/outbox", None).await;
    assert_eq!(denied.status, 403);
    assert!(!denied.body.contains("owner@daping.example.cn"));
    t.send(As::User("owner"), Method::POST, "/alerts/read", Some(crate::support::Body_::Form(String::new()))).await;
    let api = t.send(As::User("owner"), Method::GET, "/api/v1/alerts", None).await.json();
    assert_eq!(api["unread"], 0);
    assert!(t.db.audit_verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn an_unreachable_mail_server_leaves_the_e_mail_queued_for_later() {
    let t = app(Backend::Sqlite).await;
    let owner = t.db.user_by_name("owner").await.unwrap();
    t.db.set_user_email(&Actor::system("test"), owner.id, "owner@daping.example.cn").await.unwrap();
    // A port nobody listens on: connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    relatively_large(&t.db).await;
    let round = deliver_due(&t.db, Some(&smtp(port))).await.unwrap();
    assert_eq!((round.emails_sent, round.emails_failed), (0, 1));
    let m = t.db.outbox(1).await.unwrap().remove(0);
    assert_eq!((m.status.as_str(), m.attempts), (QUEUED, 1));
    assert!(m.last_error.is_some());
    assert!(m.next_attempt_at > m.created_at + chrono::Duration::seconds(59));
    // Not due again before then; without SMTP settings it is not even tried.
    assert_eq!(deliver_due(&t.db, Some(&smtp(port))).await.unwrap().emails_failed, 0);
    assert_eq!(deliver_due(&t.db, None).await.unwrap(), Default::default());
}

/// Make a certificate authority and two server certificates it signs (one for 127.0.0.1, one
/// for another host), and one self-signed, with the machine's `openssl`.
fn certificates(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=minecoop test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    for (name, san) in [("good", "DNS:localhost,IP:127.0.0.1"), ("wrong", "DNS:wrong.example")] {
        std::fs::write(
            dir.join(format!("{name}.cnf")),
            format!("subjectAltName={san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"),
        )
        .unwrap();
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            "/CN=webhook",
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-extfile",
            &format!("{name}.cnf"),
        ]);
    }
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "self.key",
        "-out",
        "self.pem",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
    ]);
}

/// An HTTPS webhook receiver with the given certificate: the signature of each post it reads.
async fn tls_receiver(
    dir: &std::path::Path,
    name: &str,
    secret: &'static str,
) -> (String, mpsc::UnboundedReceiver<bool>) {
    use tokio::io::AsyncReadExt;
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(dir.join(format!("{name}.pem"))).unwrap().map(|c| c.unwrap()).collect();
    let key = PrivateKeyDer::from_pem_file(dir.join(format!("{name}.key"))).unwrap();
    let config =
        rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                let mut tls = acceptor.accept(sock).await.ok()?;
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = tls.read(&mut chunk).await.ok()?;
                    if n == 0 {
                        return None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                            .unwrap_or(0);
                        break (i + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let n = tls.read(&mut chunk).await.ok()?;
                    if n == 0 {
                        return None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
                let body = &buf[head_end..head_end + length];
                let expected = format!("x-minecoop-signature: sha256={}", hmac_sha256_hex(secret.as_bytes(), body));
                tx.send(head.starts_with("post /hook ") && head.contains(&expected)).ok();
                tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await.ok()?;
                tls.shutdown().await.ok()
            });
        }
    });
    (format!("https://127.0.0.1:{}/hook", addr.port()), rx)
}

/// Webhooks go over TLS: a receiver whose certificate chains to the configured CA and names the
/// host gets the signed post; one naming another host, or signed by nobody trusted, does not,
/// and the delivery is retried later with the TLS error recorded.
#[tokio::test]
async fn https_webhooks_are_posted_only_to_a_trusted_certificate_for_the_host() {
    let t = app(Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("minecoop-tls-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    certificates(&dir);
    assert_eq!(minecoop_web::delivery::set_webhook_ca(&std::fs::read(dir.join("ca.pem")).unwrap()), Ok(1));
    assert!(minecoop_web::delivery::set_webhook_ca(b"not pem").is_err());
    let secret = "a-secret-of-16-chars";
    let (good, mut posts) = tls_receiver(&dir, "good", secret).await;
    let (wrong, _) = tls_receiver(&dir, "wrong", secret).await;
    let (selfsigned, _) = tls_receiver(&dir, "self", secret).await;
    let hooks = [good.clone(), wrong.clone(), selfsigned.clone()]
        .map(|url| WebhookTarget { url, secret: secret.into(), events: vec![] })
        .to_vec();
    let store = t.db.store.clone().with_webhooks(hooks);
    relatively_large(&store).await;
    let round = deliver_due(&store, None).await.unwrap();
    assert_eq!((round.webhooks_sent, round.webhooks_failed), (1, 2));
    let signed = tokio::time::timeout(std::time::Duration::from_secs(10), posts.recv()).await.unwrap().unwrap();
    assert!(signed, "the post arrived whole, to its path, with a good signature");
    let deliveries = store.webhook_deliveries(10).await.unwrap();
    for d in &deliveries {
        if d.url == good {
            assert_eq!(d.status, SENT);
        } else {
            assert_ne!(d.status, SENT, "{}", d.url);
            let e = d.last_error.as_deref().unwrap_or("");
            assert!(e.starts_with("TLS:"), "{}: {e}", d.url);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
