//! Delivery of alerts: the outbox's e-mails over SMTP and the signed webhook posts, each
//! attempt recorded (sent, or retried later with backoff, or given up), and the background job
//! of `serve` that delivers every half minute and escalates overdue actions every 15 minutes.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::Full;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minecoop_store::Store;
use minecoop_store::alerts::{Attempt, OutboxEmail, WebhookDelivery};
use serde::Deserialize;
use tokio_rustls::rustls::pki_types::CertificateDer;

/// How to reach the mail server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same machine or network).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587).
    #[default]
    Starttls,
    /// TLS from the start (usually port 465).
    Tls,
}

/// `[smtp]` in minecoop.toml.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// The sender, e.g. `minecoop <alerts@coop.example.cn>`.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub tls: SmtpTls,
}

fn default_port() -> u16 {
    587
}

/// How long one e-mail or post may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Deliveries per round, so one round never holds the server for long.
const BATCH: u64 = 50;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub emails_sent: usize,
    pub emails_failed: usize,
    pub webhooks_sent: usize,
    pub webhooks_failed: usize,
}

fn mailer(s: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let b = match s.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        SmtpTls::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(|e| e.to_string())?
        }
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(|e| e.to_string())?,
    };
    let mut b = b.port(s.port).timeout(Some(TIMEOUT));
    if let Some(user) = s.username.as_deref().filter(|u| !u.is_empty()) {
        b = b.credentials(Credentials::new(user.to_owned(), s.password.clone().unwrap_or_default()));
    }
    Ok(b.build())
}

async fn send_email(m: &AsyncSmtpTransport<Tokio1Executor>, from: &str, e: &OutboxEmail) -> Result<(), String> {
    let msg = Message::builder()
        .from(from.parse().map_err(|_| format!("the sender address '{from}' in [smtp] is not valid"))?)
        .to(e.recipient.parse().map_err(|_| format!("'{}' is not a valid address", e.recipient))?)
        .subject(e.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(e.body.clone())
        .map_err(|err| err.to_string())?;
    m.send(msg).await.map(|_| ()).map_err(|err| err.to_string())
}

static TLS: OnceLock<Arc<tokio_rustls::rustls::ClientConfig>> = OnceLock::new();

fn tls_config(extra: &[CertificateDer<'static>]) -> Result<Arc<tokio_rustls::rustls::ClientConfig>, String> {
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for c in extra {
        roots.add(c.clone()).map_err(|e| format!("a webhook CA certificate was refused: {e}"))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Trust these certificate authorities for `https://` webhooks besides the public ones (the
/// Mozilla roots): a co-op's or a government network's own CA, given as PEM in the
/// configuration (`webhook_ca_file`). Set once, before the first delivery.
pub fn set_webhook_ca(pem: &[u8]) -> Result<usize, String> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the webhook CA file is not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("the webhook CA file holds no certificate".into());
    }
    let n = certs.len();
    TLS.set(tls_config(&certs)?).map_err(|_| "the webhook CA was already set".to_owned())?;
    Ok(n)
}

/// Send a request over TLS to the URL's host: the certificate must chain to a trusted root and
/// name the host.
async fn send_tls(
    url: &axum::http::Uri,
    req: axum::http::Request<Full<Bytes>>,
) -> Result<axum::http::Response<hyper::body::Incoming>, String> {
    use tokio_rustls::rustls::pki_types::ServerName;
    let config = match TLS.get() {
        Some(c) => c.clone(),
        None => {
            let c = tls_config(&[])?;
            TLS.get_or_init(|| c).clone()
        }
    };
    let host = url.host().ok_or("the webhook URL has no host")?.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_u16().unwrap_or(443);
    let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("bad host name: {e}"))?;
    let tcp = tokio::net::TcpStream::connect((host, port)).await.map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(config).connect(name, tcp).await.map_err(|e| format!("TLS: {e}"))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender.send_request(req).await.map_err(|e| e.to_string())
}

/// Post one webhook: the JSON body with its signature and event headers, over TLS for
/// `https://` (checked against the public roots and any configured CA). A 2xx answer is
/// delivered; anything else is retried.
async fn post_webhook(h: &WebhookDelivery) -> Attempt {
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let url: axum::http::Uri = match h.url.parse() {
        Ok(u) => u,
        Err(e) => return Attempt::Failed { status: None, error: format!("bad webhook URL: {e}") },
    };
    let https = match url.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Attempt::Failed { status: None, error: "a webhook URL starts with http:// or https://".into() },
    };
    // Over TLS the connection is our own, so the request names its path and the host.
    let target = if https {
        url.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into())
    } else {
        h.url.clone()
    };
    let host = url.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
    let req = axum::http::Request::post(target.as_str())
        .header("host", host)
        .header("content-type", "application/json")
        .header("user-agent", "minecoop")
        .header("x-minecoop-event", h.event.as_str())
        .header("x-minecoop-signature", format!("sha256={}", h.signature))
        .header("x-minecoop-delivery", h.id.to_string())
        .body(Full::new(Bytes::from(h.body.clone())));
    let req = match req {
        Ok(r) => r,
        Err(e) => return Attempt::Failed { status: None, error: format!("bad webhook URL: {e}") },
    };
    let sent = async {
        if https {
            send_tls(&url, req).await
        } else {
            let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
            client.request(req).await.map_err(|e| format!("{e:?}"))
        }
    };
    match tokio::time::timeout(TIMEOUT, sent).await {
        Err(_) => Attempt::Failed { status: None, error: "timed out".into() },
        Ok(Err(e)) => Attempt::Failed { status: None, error: e.chars().take(300).collect() },
        Ok(Ok(resp)) if resp.status().is_success() => Attempt::Delivered { status: Some(resp.status().as_u16()) },
        Ok(Ok(resp)) => {
            Attempt::Failed { status: Some(resp.status().as_u16()), error: format!("HTTP {}", resp.status()) }
        }
    }
}

/// Send the e-mails and post the webhooks that are due now, once. Without SMTP settings the
/// e-mails stay queued untouched.
pub async fn deliver_due(store: &Store, smtp: Option<&SmtpSettings>) -> Result<Round, minecoop_store::StoreError> {
    let mut r = Round::default();
    if let Some(s) = smtp {
        let due = store.due_emails(minecoop_store::now(), BATCH).await?;
        if !due.is_empty() {
            let m = mailer(s);
            for e in due {
                let how = match &m {
                    Ok(m) => match tokio::time::timeout(TIMEOUT, send_email(m, &s.from, &e)).await {
                        Ok(Ok(())) => Attempt::Delivered { status: None },
                        Ok(Err(err)) => Attempt::Failed { status: None, error: err },
                        Err(_) => Attempt::Failed { status: None, error: "timed out".into() },
                    },
                    Err(err) => Attempt::Failed { status: None, error: err.clone() },
                };
                match how {
                    Attempt::Delivered { .. } => r.emails_sent += 1,
                    Attempt::Failed { ref error, .. } => {
                        tracing::warn!(to = %e.recipient, %error, "alert e-mail not sent");
                        r.emails_failed += 1;
                    }
                }
                store.record_email_attempt(e.id, &how).await?;
            }
        }
    }
    for h in store.due_webhooks(minecoop_store::now(), BATCH).await? {
        let how = post_webhook(&h).await;
        match how {
            Attempt::Delivered { .. } => r.webhooks_sent += 1,
            Attempt::Failed { ref error, .. } => {
                tracing::warn!(url = %h.url, %error, "webhook not delivered");
                r.webhooks_failed += 1;
            }
        }
        store.record_webhook_attempt(h.id, &how).await?;
    }
    Ok(r)
}

/// Run a round in a task of its own, so that not even a panic in it stops the job (or the
/// server); failures are logged and the next round tries again.
async fn guarded<F>(what: &'static str, f: F)
where
    F: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    match tokio::spawn(f).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(job = what, error = %e, "alert job failed; trying again later"),
        Err(e) => tracing::error!(job = what, error = %e, "alert job crashed; trying again later"),
    }
}

/// The background job of `serve`: deliver every `every` (and at start), escalate overdue
/// actions and grievances' overdue steps (by `deadlines`), alert the certificates and insurance
/// policies nearing their end and record the day's coverage snapshot, at start and every 15
/// minutes, until `shutdown` turns true.
pub async fn run(
    store: Store,
    smtp: Option<SmtpSettings>,
    deadlines: minecoop_domain::grievances::Deadlines,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut deliver = tokio::time::interval(every);
    let mut escalate = tokio::time::interval(Duration::from_secs(15 * 60));
    for t in [&mut deliver, &mut escalate] {
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    }
    loop {
        if *shutdown.borrow() {
            break;
        }
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = escalate.tick() => {
                let s = store.clone();
                guarded("escalate", async move {
                    s.escalate_overdue_actions(crate::cadastre::today()).await.map(|_| ()).map_err(|e| e.to_string())
                })
                .await;
                let s = store.clone();
                guarded("escalate grievances", async move {
                    s.escalate_overdue_grievances(crate::cadastre::today(), &deadlines)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
                .await;
                let s = store.clone();
                guarded("certificates", async move {
                    s.alert_expiring_certificates(crate::cadastre::today()).await.map(|_| ()).map_err(|e| e.to_string())
                })
                .await;
                let s = store.clone();
                guarded("policies", async move {
                    s.alert_expiring_policies(crate::cadastre::today()).await.map(|_| ()).map_err(|e| e.to_string())
                })
                .await;
                // Today's coverage snapshot: written on the first round of the day, a no-op after.
                let s = store.clone();
                guarded("coverage snapshot", async move {
                    s.snapshot_coverage(crate::cadastre::today()).await.map(|_| ()).map_err(|e| e.to_string())
                })
                .await;
                let s = store.clone();
                guarded("claims", async move {
                    s.alert_claim_deadlines(crate::cadastre::today()).await.map(|_| ()).map_err(|e| e.to_string())
                })
                .await;
            }
            _ = deliver.tick() => {
                let (s, smtp) = (store.clone(), smtp.clone());
                guarded("deliver", async move {
                    deliver_due(&s, smtp.as_ref()).await.map(|_| ()).map_err(|e| e.to_string())
                })
                .await;
            }
        }
    }
    tracing::info!("alert delivery stopped");
}
