//! Alerts in the interface: the bell's page with "mark all read", the JSON API, and the admin's
//! view of the e-mail outbox and webhook deliveries. Delivery itself is in [`crate::delivery`].

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minecoop_store::alerts::{AlertRow, OutboxEmail, WebhookDelivery};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::i18n::Lang;
use crate::page::{Ctx, render};
use crate::session::Viewer;
use crate::{AppError, AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(list))
        .route("/alerts/read", post(mark_read))
        .route("/admin/outbox", get(outbox))
        .route("/api/v1/alerts", get(api_list))
        .route("/api/v1/alerts/read", post(api_mark_read))
}

/// An alert's text in `lang`: its arguments that are codes (the class, a grievance's status,
/// an explosive, a certificate's type) are translated too, and so is the unit of an explosives
/// difference.
pub fn alert_text(lang: Lang, message: &str, args: &[(String, String)]) -> String {
    use minecoop_domain::safety::explosives::Item;
    let item = args.iter().find(|(k, _)| k == "item").and_then(|(_, v)| Item::parse(v).ok());
    let refs: Vec<(&str, String)> = args
        .iter()
        .map(|(k, v)| {
            let key = match k.as_str() {
                "class" => format!("accident-class-{v}"),
                "status" => format!("grievance-status-{v}"),
                "kind" => format!("policy-kind-{v}"),
                "item" => format!("explosives-item-{v}"),
                "type" => format!("certificate-type-{v}"),
                _ => String::new(),
            };
            let v = match (k.as_str(), item, lang) {
                // "-2 pcs" as the store wrote it: "-2 发" in Chinese.
                ("difference", Some(item), Lang::Zh) => match v.strip_suffix(item.unit()) {
                    Some(n) => format!("{n}{}", item.unit_zh()),
                    None => v.clone(),
                },
                _ if !key.is_empty() && lang.has(&key) => lang.t(&key),
                _ => v.clone(),
            };
            (k.as_str(), v)
        })
        .collect();
    lang.t_args(message, &refs)
}

static PUBLIC_URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Check the address people reach the server at: `http://` or `https://`, a host, no query.
pub fn parse_public_url(url: &str) -> Result<String, String> {
    let u = url.trim().trim_end_matches('/');
    let parsed: axum::http::Uri = u.parse().map_err(|_| format!("'{u}' is not a URL"))?;
    if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none_or(str::is_empty) {
        return Err(format!("'{u}' must start with http:// or https:// and name a host"));
    }
    if parsed.query().is_some() || u.contains('#') {
        return Err(format!("'{u}' must not have a query or fragment"));
    }
    Ok(u.to_owned())
}

/// Links in alert e-mails start with this address (set once, at start).
pub fn set_public_url(url: &str) -> Result<(), String> {
    let u = parse_public_url(url)?;
    PUBLIC_URL.set(u).map_err(|_| "the public URL was already set".to_owned())
}

/// A record's link as an e-mail gives it: the full address when the public URL is known.
pub fn absolute_link(base: Option<&str>, link: &str) -> String {
    match base {
        Some(b) if link.starts_with('/') => format!("{b}{link}"),
        _ => link.to_owned(),
    }
}

/// The e-mail of an alert in a language (installed as the store's renderer): the alert's text
/// as the subject, and as the body with the link to the record.
pub fn render_email(lang: &str, message: &str, args: &[(String, String)], link: &str) -> (String, String) {
    let lang = Lang::parse(lang).unwrap_or(Lang::Zh);
    let text = alert_text(lang, message, args);
    let link = absolute_link(PUBLIC_URL.get().map(String::as_str), link);
    let subject = format!("[{}] {text}", lang.t("app-name"));
    let body = format!("{text}\n\n{}: {link}\n\n-- \n{}\n", lang.t("alerts-email-open"), lang.t("alerts-email-footer"));
    (subject, body)
}

fn args_of(a: &AlertRow) -> Vec<(String, String)> {
    serde_json::from_str(&a.args).unwrap_or_default()
}

pub struct AlertLine {
    pub a: AlertRow,
    pub text: String,
}

#[derive(Template)]
#[template(path = "alerts/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<AlertLine>,
    unread: usize,
}

/// The user's own alerts, newest first; unread ones highlighted.
async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.principal()?;
    let user = v.user.as_ref().ok_or(AppError::Unauthorized)?;
    let ctx = Ctx::new(&v, &uri);
    let rows: Vec<AlertLine> = s
        .store
        .alerts_for(user.id, 200)
        .await?
        .into_iter()
        .map(|a| AlertLine { text: alert_text(ctx.lang, &a.message, &args_of(&a)), a })
        .collect();
    let unread = rows.iter().filter(|r| r.a.read_at.is_none()).count();
    render(&ListPage { ctx, rows, unread })
}

async fn mark_read(State(s): State<AppState>, v: Viewer) -> AppResult<Response> {
    v.principal()?;
    let user = v.user.as_ref().ok_or(AppError::Unauthorized)?;
    s.store.mark_alerts_read(&v.actor(), user.id).await?;
    Ok(Redirect::to("/alerts").into_response())
}

#[derive(Template)]
#[template(path = "alerts/outbox.html")]
struct OutboxPage {
    ctx: Ctx,
    emails: Vec<OutboxEmail>,
    hooks: Vec<WebhookDelivery>,
    smtp_configured: bool,
    webhooks_configured: usize,
}

/// The e-mail outbox and webhook deliveries with their state and last error (admin only).
async fn outbox(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_manage_users())?;
    let ctx = Ctx::new(&v, &uri);
    render(&OutboxPage {
        ctx,
        emails: s.store.outbox(200).await?,
        hooks: s.store.webhook_deliveries(200).await?,
        smtp_configured: s.config.smtp_configured,
        webhooks_configured: s.config.webhooks_configured,
    })
}

#[derive(Serialize, ToSchema)]
pub struct AlertOut {
    id: Uuid,
    /// `incident`, `explosives_difference`, `action_overdue` or `action_overdue_president`.
    kind: String,
    mine_id: Option<Uuid>,
    /// The Fluent message id and its arguments.
    message: String,
    args: Vec<(String, String)>,
    /// The text in the caller's language.
    text: String,
    /// The record the alert is about.
    link: String,
    created_at: chrono::DateTime<chrono::Utc>,
    read_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertsOut {
    unread: u64,
    alerts: Vec<AlertOut>,
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    description = "The caller's latest 200 alerts, newest first, with the unread count.",
    responses((status = 200, body = AlertsOut), (status = 401, body = crate::api::ProblemDoc)))]
pub async fn api_list(State(s): State<AppState>, v: Viewer) -> AppResult<Json<AlertsOut>> {
    v.principal()?;
    let user = v.user.as_ref().ok_or(AppError::Unauthorized)?;
    let alerts: Vec<AlertOut> = s
        .store
        .alerts_for(user.id, 200)
        .await?
        .into_iter()
        .map(|a| {
            let args = args_of(&a);
            AlertOut {
                text: alert_text(v.lang, &a.message, &args),
                args,
                id: a.id,
                kind: a.kind,
                mine_id: a.mine_id,
                message: a.message,
                link: a.link,
                created_at: a.created_at,
                read_at: a.read_at,
            }
        })
        .collect();
    Ok(Json(AlertsOut { unread: s.store.unread_alerts(user.id).await?, alerts }))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedOut {
    /// How many alerts were unread and are now read.
    marked: u64,
}

#[utoipa::path(post, path = "/api/v1/alerts/read", tag = "alerts",
    description = "Mark all the caller's alerts read.",
    responses((status = 200, body = MarkedOut), (status = 401, body = crate::api::ProblemDoc)))]
pub async fn api_mark_read(State(s): State<AppState>, v: Viewer) -> AppResult<Json<MarkedOut>> {
    v.principal()?;
    let user = v.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(Json(MarkedOut { marked: s.store.mark_alerts_read(&v.actor(), user.id).await? }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_names_explosives_and_certificates_in_the_readers_language() {
        let args = |a: &[(&str, &str)]| a.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>();
        let short = args(&[("item", "detonators"), ("difference", "-2 pcs")]);
        assert_eq!(alert_text(Lang::Zh, "alert-explosives-difference", &short), "炸药库出现差异：雷管 -2 发");
        let en = alert_text(Lang::En, "alert-explosives-difference", &short);
        assert_eq!(en, "Explosives difference at the magazine: Detonators -2 pcs");
        let cert = args(&[("name", "王大山"), ("type", "blaster"), ("number", "T1"), ("expires", "2026-12-01")]);
        let zh = alert_text(Lang::Zh, "alert-certificate-expiring", &cert);
        assert_eq!(zh, "王大山 的特种作业证 T1（爆破作业）将于 2026-12-01 到期");
    }

    #[test]
    fn e_mail_links_start_with_the_public_url_when_it_is_known() {
        assert_eq!(parse_public_url("https://coop.example.cn/").unwrap(), "https://coop.example.cn");
        assert_eq!(parse_public_url(" http://10.0.0.5:8080/minecoop ").unwrap(), "http://10.0.0.5:8080/minecoop");
        for bad in ["coop.example.cn", "ftp://coop.example.cn", "https://", "https://x.cn/?a=1", "https://x.cn/#top"] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
        let b = Some("https://coop.example.cn");
        assert_eq!(absolute_link(b, "/safety/actions/1"), "https://coop.example.cn/safety/actions/1");
        assert_eq!(absolute_link(None, "/safety/actions/1"), "/safety/actions/1");
        assert_eq!(absolute_link(b, "https://elsewhere/x"), "https://elsewhere/x");
    }
}
