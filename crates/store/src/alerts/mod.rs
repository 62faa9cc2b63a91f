//! Alerts (issue 5 item 9): a serious incident, an explosives difference or an overdue action
//! reaches its people at once, in the app, by e-mail through an outbox that retries, and by
//! signed webhooks. [`raise_alert`] writes all three inside the caller's transaction.

pub mod alert;
pub mod email;
pub mod escalation;
pub mod webhook;

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use minecoop_domain::alerts::{AlertKind, hmac_sha256_hex, next_attempt};
use minecoop_domain::auth::Role;
use minecoop_domain::safety::action::ActionStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::accounts::user;
use crate::{Actor, Store, StoreError, StoreResult, Tx, new_id};

pub use alert::Model as AlertRow;
pub use email::Model as OutboxEmail;
pub use webhook::Model as WebhookDelivery;

/// Delivery states of the outbox and the webhook deliveries.
pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// What to tell, about which mine, and where to look. `message` is a Fluent id with `args`;
/// `also` names users (by username) who hear of it besides the kind's audience, e.g. the owner
/// of an overdue action.
#[derive(Debug, Clone)]
pub struct Alert {
    pub kind: AlertKind,
    pub mine_id: Uuid,
    pub message: String,
    pub args: Vec<(String, String)>,
    pub link: String,
    pub also: Vec<String>,
}

/// A webhook from the configuration: where to post, the shared secret that signs each body,
/// and the events it wants (empty: all).
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
    pub events: Vec<String>,
}

impl WebhookTarget {
    pub fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}

/// Renders an e-mail's subject and body from an alert in a language: (language code, message
/// id, arguments, link) → (subject, body).
pub type Renderer = fn(&str, &str, &[(String, String)], &str) -> (String, String);

static RENDERER: OnceLock<Renderer> = OnceLock::new();

/// The store has no translations (they live with the web interface), yet an e-mail is written
/// in its recipient's language when it is queued, so that the outbox shows what is sent. The web
/// layer installs its renderer once at start.
pub fn set_renderer(r: Renderer) {
    let _ = RENDERER.set(r);
}

fn render(lang: &str, message: &str, args: &[(String, String)], link: &str) -> (String, String) {
    match RENDERER.get() {
        Some(r) => r(lang, message, args, link),
        None => {
            let a: Vec<String> = args.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            (message.to_owned(), format!("{message}\n{}\n\n{link}\n", a.join("\n")))
        }
    }
}

/// The users an alert reaches: the kind's roles co-op wide, the owners and safety officers of
/// the `mines` as the kind says, and the users it names; enabled accounts only, each once. An
/// alert about no mine reaches the co-op's officers (administrator and president) besides the
/// kind's roles.
async fn recipients(tx: &Tx, kind: AlertKind, mines: &[Uuid], also: &[String]) -> StoreResult<Vec<user::Model>> {
    let mut found = Vec::with_capacity(mines.len());
    for id in mines {
        let mine = crate::registry::mine::Entity::find_by_id(*id)
            .one(tx.conn())
            .await?
            .ok_or_else(|| StoreError::field("mine_id", "err-choice"))?;
        found.push(mine);
    }
    let who = kind.audience();
    let mut roles: Vec<&str> = who.roles.iter().map(|r| r.as_str()).collect();
    if mines.is_empty() {
        for r in [Role::Admin, Role::President] {
            if !roles.contains(&r.as_str()) {
                roles.push(r.as_str());
            }
        }
    }
    let mut any = Condition::any();
    if !roles.is_empty() {
        any = any.add(user::Column::Role.is_in(roles));
    }
    for mine in &found {
        if who.mine_owners {
            any = any.add(
                Condition::all()
                    .add(user::Column::Role.eq(Role::Owner.as_str()))
                    .add(user::Column::MemberId.eq(mine.member_id)),
            );
        }
        if who.safety_officers {
            any = any.add(
                Condition::all()
                    .add(user::Column::Role.eq(Role::SafetyOfficer.as_str()))
                    .add(user::Column::MineId.eq(mine.id)),
            );
        }
    }
    if !also.is_empty() {
        any = any.add(user::Column::Username.is_in(also.iter().map(String::as_str)));
    }
    Ok(user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .filter(any)
        .order_by_asc(user::Column::Username)
        .all(tx.conn())
        .await?)
}

/// Raise an alert inside the caller's transaction: an in-app alert for each recipient, an
/// e-mail in their language for those with an address, and a signed post for each webhook that
/// wants the event. Every row is audited. Returns the number of people alerted.
pub async fn raise_alert(tx: &mut Tx, a: &Alert) -> StoreResult<usize> {
    deliver(tx, a.kind, &[a.mine_id], &a.message, &a.args, &a.link, &a.also).await
}

/// Raise an alert about a case that concerns several mines, or none (a grievance): the mines'
/// people once each, or without a mine the co-op's officers.
pub async fn raise_for_mines(
    tx: &mut Tx,
    kind: AlertKind,
    mines: &[Uuid],
    message: &str,
    args: &[(String, String)],
    link: &str,
) -> StoreResult<usize> {
    deliver(tx, kind, mines, message, args, link, &[]).await
}

async fn deliver(
    tx: &mut Tx,
    kind: AlertKind,
    mines: &[Uuid],
    message: &str,
    args: &[(String, String)],
    link: &str,
    also: &[String],
) -> StoreResult<usize> {
    let a = Alert {
        kind,
        mine_id: mines.first().copied().unwrap_or_default(),
        message: message.to_owned(),
        args: args.to_vec(),
        link: link.to_owned(),
        also: also.to_vec(),
    };
    let mine_id = mines.first().copied();
    let people = recipients(tx, kind, mines, also).await?;
    let now = tx.now();
    let args_json = serde_json::to_string(&a.args).unwrap_or_else(|_| "[]".into());
    for u in &people {
        let row = alert::ActiveModel {
            id: Set(new_id()),
            user_id: Set(u.id),
            kind: Set(a.kind.as_str().to_owned()),
            mine_id: Set(mine_id),
            message: Set(a.message.clone()),
            args: Set(args_json.clone()),
            link: Set(a.link.clone()),
            created_at: Set(now),
            read_at: Set(None),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "alert", row.id, None::<&()>, Some(&row));
        if let Some(to) = u.email.as_deref().filter(|e| !e.is_empty()) {
            let lang = u.language.clone().unwrap_or_else(|| "zh-CN".to_owned());
            let (subject, body) = render(&lang, &a.message, &a.args, &a.link);
            let m = email::ActiveModel {
                id: Set(new_id()),
                alert_id: Set(row.id),
                user_id: Set(u.id),
                recipient: Set(to.to_owned()),
                language: Set(lang),
                subject: Set(subject),
                body: Set(body),
                status: Set(QUEUED.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_error: Set(None),
                created_at: Set(now),
                sent_at: Set(None),
            }
            .insert(tx.conn())
            .await?;
            tx.record("queue", "alert_email", m.id, None::<&()>, Some(&m));
        }
    }
    let event = a.kind.event();
    let hooks: Vec<WebhookTarget> = tx.webhooks().iter().filter(|w| w.wants(event)).cloned().collect();
    if !hooks.is_empty() {
        let args: serde_json::Map<String, serde_json::Value> =
            a.args.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        let body = serde_json::json!({
            "event": event,
            "kind": a.kind.as_str(),
            "mine_id": mine_id,
            "message": a.message,
            "args": args,
            "link": a.link,
            "at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
        .to_string();
        for h in hooks {
            let m = webhook::ActiveModel {
                id: Set(new_id()),
                url: Set(h.url.clone()),
                event: Set(event.to_owned()),
                signature: Set(hmac_sha256_hex(h.secret.as_bytes(), body.as_bytes())),
                body: Set(body.clone()),
                status: Set(QUEUED.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_status: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            }
            .insert(tx.conn())
            .await?;
            tx.record("queue", "webhook_delivery", m.id, None::<&()>, Some(&m));
        }
    }
    Ok(people.len())
}

/// How one delivery attempt went.
#[derive(Debug, Clone)]
pub enum Attempt {
    /// Accepted; the HTTP status for a webhook.
    Delivered { status: Option<u16> },
    /// Refused or unreachable; the HTTP status when there was an answer.
    Failed { status: Option<u16>, error: String },
}

/// Errors kept short: they are shown on the admin page, not a log.
fn short(e: &str) -> String {
    e.chars().take(500).collect()
}

impl Store {
    /// Raise an alert in a transaction of its own (the explosives ledger and others that
    /// already hold a transaction call [`raise_alert`]).
    pub async fn raise_alert(&self, actor: &Actor, a: &Alert) -> StoreResult<usize> {
        let mut tx = self.begin(actor).await?;
        let n = raise_alert(&mut tx, a).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Alert the open actions of `today` not alerted at their escalation yet: due within three
    /// days, a reminder to the action's owner; past due, the mine's owners and the action's
    /// owner; a week later the president too. Each escalation
    /// of an action is raised once (recorded in `action_escalations`). Returns how many.
    pub async fn escalate_overdue_actions(&self, today: NaiveDate) -> StoreResult<usize> {
        use crate::safety::action;
        let open = action::Entity::find()
            .filter(action::Column::Status.eq(ActionStatus::Open.as_str()))
            .filter(
                action::Column::DueOn.lte(today + chrono::Duration::days(minecoop_domain::safety::action::REMIND_DAYS)),
            )
            .order_by_asc(action::Column::DueOn)
            .all(self.conn())
            .await?;
        let done: std::collections::HashSet<(Uuid, String)> = escalation::Entity::find()
            .filter(escalation::Column::ActionId.is_in(open.iter().map(|a| a.id)))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|e| (e.action_id, e.level))
            .collect();
        let due: Vec<_> = open
            .into_iter()
            .filter_map(|a| {
                let level = a.escalation(today);
                let kind = AlertKind::of_escalation(level)?;
                (!done.contains(&(a.id, level.as_str().to_owned()))).then_some((a, level, kind))
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin(&Actor::system("escalation")).await?;
        for (a, level, kind) in &due {
            let mut levels = vec![level.as_str()];
            // Straight to the president (first run after a long pause): the mine owner's
            // escalation is covered by the same alert.
            let owner_level = minecoop_domain::safety::action::Escalation::MineOwner.as_str();
            if *level == minecoop_domain::safety::action::Escalation::President
                && !done.contains(&(a.id, owner_level.to_owned()))
            {
                levels.push(owner_level);
            }
            for l in levels {
                let e = escalation::ActiveModel {
                    id: Set(new_id()),
                    action_id: Set(a.id),
                    level: Set(l.to_owned()),
                    raised_at: Set(tx.now()),
                }
                .insert(tx.conn())
                .await
                .map_err(crate::conflict_on_duplicate)?;
                tx.record("create", "action_escalation", e.id, None::<&()>, Some(&e));
            }
            let alert = Alert {
                kind: *kind,
                mine_id: a.mine_id,
                message: format!("alert-{}", kind.as_str().replace('_', "-")),
                args: vec![
                    ("code".into(), a.code.clone()),
                    ("due".into(), a.due_on.to_string()),
                    ("owner".into(), a.owner.clone()),
                ],
                link: format!("/safety/actions/{}", a.id),
                also: vec![a.owner.clone()],
            };
            raise_alert(&mut tx, &alert).await?;
        }
        tx.commit().await?;
        Ok(due.len())
    }

    /// A user's alerts, newest first.
    pub async fn alerts_for(&self, user_id: Uuid, limit: u64) -> StoreResult<Vec<AlertRow>> {
        Ok(alert::Entity::find()
            .filter(alert::Column::UserId.eq(user_id))
            .order_by_desc(alert::Column::CreatedAt)
            .order_by_desc(alert::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?)
    }

    /// How many of a user's alerts are unread (the bell).
    pub async fn unread_alerts(&self, user_id: Uuid) -> StoreResult<u64> {
        Ok(alert::Entity::find()
            .filter(alert::Column::UserId.eq(user_id))
            .filter(alert::Column::ReadAt.is_null())
            .count(self.conn())
            .await?)
    }

    /// Mark all of a user's alerts read; returns how many were unread.
    pub async fn mark_alerts_read(&self, actor: &Actor, user_id: Uuid) -> StoreResult<u64> {
        let mut tx = self.begin(actor).await?;
        let now = tx.now();
        let r = alert::Entity::update_many()
            .col_expr(alert::Column::ReadAt, Expr::value(now))
            .filter(alert::Column::UserId.eq(user_id))
            .filter(alert::Column::ReadAt.is_null())
            .exec(tx.conn())
            .await?;
        if r.rows_affected > 0 {
            let what = serde_json::json!({ "read_at": now, "alerts": r.rows_affected });
            tx.record("mark_read", "alerts", user_id, None::<&()>, Some(&what));
        }
        tx.commit().await?;
        Ok(r.rows_affected)
    }

    /// E-mails due to be sent at `now`, oldest first.
    pub async fn due_emails(&self, now: DateTime<Utc>, limit: u64) -> StoreResult<Vec<OutboxEmail>> {
        Ok(email::Entity::find()
            .filter(email::Column::Status.eq(QUEUED))
            .filter(email::Column::NextAttemptAt.lte(now))
            .order_by_asc(email::Column::NextAttemptAt)
            .limit(limit)
            .all(self.conn())
            .await?)
    }

    /// Webhook posts due at `now`, oldest first.
    pub async fn due_webhooks(&self, now: DateTime<Utc>, limit: u64) -> StoreResult<Vec<WebhookDelivery>> {
        Ok(webhook::Entity::find()
            .filter(webhook::Column::Status.eq(QUEUED))
            .filter(webhook::Column::NextAttemptAt.lte(now))
            .order_by_asc(webhook::Column::NextAttemptAt)
            .limit(limit)
            .all(self.conn())
            .await?)
    }

    /// Record an attempt to send an e-mail: sent, or queued again after the backoff, or failed
    /// for good after the last attempt.
    pub async fn record_email_attempt(&self, id: Uuid, how: &Attempt) -> StoreResult<OutboxEmail> {
        let mut tx = self.begin(&Actor::system("notify")).await?;
        let before = email::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let now = tx.now();
        let attempts = before.attempts.saturating_add(1);
        let mut am: email::ActiveModel = before.clone().into();
        am.attempts = Set(attempts);
        match how {
            Attempt::Delivered { .. } => {
                am.status = Set(SENT.to_owned());
                am.sent_at = Set(Some(now));
            }
            Attempt::Failed { error, .. } => {
                am.last_error = Set(Some(short(error)));
                match next_attempt(attempts, now) {
                    Some(t) => am.next_attempt_at = Set(t),
                    None => am.status = Set(FAILED.to_owned()),
                }
            }
        }
        let after = am.update(tx.conn()).await?;
        tx.record("attempt", "alert_email", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Record an attempt to post a webhook, as for e-mails.
    pub async fn record_webhook_attempt(&self, id: Uuid, how: &Attempt) -> StoreResult<WebhookDelivery> {
        let mut tx = self.begin(&Actor::system("notify")).await?;
        let before = webhook::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let now = tx.now();
        let attempts = before.attempts.saturating_add(1);
        let mut am: webhook::ActiveModel = before.clone().into();
        am.attempts = Set(attempts);
        match how {
            Attempt::Delivered { status } => {
                am.status = Set(SENT.to_owned());
                am.delivered_at = Set(Some(now));
                am.last_status = Set(status.map(i32::from));
            }
            Attempt::Failed { status, error } => {
                am.last_status = Set(status.map(i32::from));
                am.last_error = Set(Some(short(error)));
                match next_attempt(attempts, now) {
                    Some(t) => am.next_attempt_at = Set(t),
                    None => am.status = Set(FAILED.to_owned()),
                }
            }
        }
        let after = am.update(tx.conn()).await?;
        tx.record("attempt", "webhook_delivery", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// The e-mail outbox, newest first (the admin page).
    pub async fn outbox(&self, limit: u64) -> StoreResult<Vec<OutboxEmail>> {
        Ok(email::Entity::find()
            .order_by_desc(email::Column::CreatedAt)
            .order_by_desc(email::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?)
    }

    /// Webhook deliveries, newest first (the admin page).
    pub async fn webhook_deliveries(&self, limit: u64) -> StoreResult<Vec<WebhookDelivery>> {
        Ok(webhook::Entity::find()
            .order_by_desc(webhook::Column::CreatedAt)
            .order_by_desc(webhook::Column::Id)
            .limit(limit)
            .all(self.conn())
            .await?)
    }
}
