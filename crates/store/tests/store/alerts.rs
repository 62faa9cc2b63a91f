use chrono::NaiveDate;
use minecoop_domain::alerts::{AlertKind, hmac_sha256_hex};
use minecoop_domain::auth::Role;
use minecoop_domain::safety::action::{ActionDraft, ActionInput};
use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
use minecoop_store::accounts::NewUser;
use minecoop_store::alerts::{Alert, Attempt, FAILED, QUEUED, SENT, WebhookTarget};
use minecoop_store::{Store, both_backends};
use uuid::Uuid;

use crate::{actor, member_draft, mine_draft};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct Coop {
    store: Store,
    mine_a: Uuid,
    mine_b: Uuid,
}

/// Two members with a mine each, one user of each kind (owner and officer for both), and two
/// webhooks: one for every event, one for overdue actions only.
async fn coop(db: &Store) -> Coop {
    let a = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
    let b = db.create_member(&actor(), &member_draft(2, "B")).await.unwrap();
    let mine_a = db.create_mine(&actor(), &mine_draft(a.id, "A")).await.unwrap().id;
    let mine_b = db.create_mine(&actor(), &mine_draft(b.id, "B")).await.unwrap().id;
    let users = [
        ("admin", Role::Admin, None, None),
        ("pres", Role::President, None, None),
        ("insp", Role::Inspector, None, None),
        ("bureau", Role::Bureau, None, None),
        ("own_a", Role::Owner, Some(a.id), None),
        ("own_b", Role::Owner, Some(b.id), None),
        ("off_a", Role::SafetyOfficer, None, Some(mine_a)),
        ("off_b", Role::SafetyOfficer, None, Some(mine_b)),
    ];
    for (name, role, member_id, mine_id) in users {
        let u = NewUser {
            username: name.into(),
            display_name: String::new(),
            password: "correct horse battery".into(),
            role,
            member_id,
            mine_id,
        };
        db.create_user(&actor(), u).await.unwrap();
    }
    let own_a = db.user_by_name("own_a").await.unwrap();
    assert!(db.set_user_email(&actor(), own_a.id, "not an address").await.is_err());
    db.set_user_email(&actor(), own_a.id, "own_a@a.example.cn").await.unwrap();
    let hooks = vec![
        WebhookTarget { url: "http://127.0.0.1:9/all".into(), secret: "s3cret".into(), events: vec![] },
        WebhookTarget {
            url: "http://127.0.0.1:9/overdue".into(),
            secret: "other".into(),
            events: vec!["action_overdue".into()],
        },
    ];
    Coop { store: db.clone().with_webhooks(hooks), mine_a, mine_b }
}

fn incident(mine: Uuid, deaths: &str) -> IncidentDraft {
    let input = IncidentInput {
        mine_id: mine.to_string(),
        kind: "fatality".into(),
        occurred_at: "2026-03-01T08:00".into(),
        unit_head_notified_at: "2026-03-01T08:30".into(),
        location: "Level 2".into(),
        description: "Fall of ground".into(),
        deaths: deaths.into(),
        ..Default::default()
    };
    let now = day("2026-03-02").and_hms_opt(12, 0, 0).unwrap();
    IncidentDraft::parse(&input, now).unwrap()
}

/// Usernames holding an unread alert of `kind`, sorted.
async fn alerted(db: &Store, kind: AlertKind) -> Vec<String> {
    let mut names = Vec::new();
    for u in db.users().await.unwrap() {
        let rows = db.alerts_for(u.id, 100).await.unwrap();
        if rows.iter().any(|r| r.kind == kind.as_str() && r.read_at.is_none()) {
            names.push(u.username);
        }
    }
    names.sort();
    names
}

both_backends! {
    async fn a_relatively_large_incident_alerts_its_people_once_in_the_app_by_mail_and_webhook(db) {
        let c = coop(&db).await;
        let s = &c.store;
        let general = s.record_incident(&actor(), &incident(c.mine_a, "1")).await.unwrap();
        assert!(alerted(s, AlertKind::Incident).await.is_empty(), "a general incident alerts nobody");

        let big = s.record_incident(&actor(), &incident(c.mine_a, "3")).await.unwrap();
        assert_eq!(alerted(s, AlertKind::Incident).await, ["admin", "insp", "off_a", "own_a", "pres"]);
        let own_a = s.user_by_name("own_a").await.unwrap();
        let mine = s.alerts_for(own_a.id, 10).await.unwrap();
        assert_eq!(mine[0].link, format!("/safety/incidents/{}", big.incident_id));
        assert_eq!(s.unread_alerts(own_a.id).await.unwrap(), 1);

        // One e-mail (only own_a has an address), in Chinese by default, and one webhook post
        // (the other hook wants overdue actions only), signed with its secret.
        let mails = s.outbox(10).await.unwrap();
        assert_eq!(mails.len(), 1);
        assert_eq!((mails[0].recipient.as_str(), mails[0].status.as_str(), mails[0].language.as_str()),
            ("own_a@a.example.cn", QUEUED, "zh-CN"));
        let hooks = s.webhook_deliveries(10).await.unwrap();
        assert_eq!(hooks.len(), 1);
        assert_eq!((hooks[0].url.as_str(), hooks[0].event.as_str()), ("http://127.0.0.1:9/all", "incident"));
        assert_eq!(hooks[0].signature, hmac_sha256_hex(b"s3cret", hooks[0].body.as_bytes()));
        let body: serde_json::Value = serde_json::from_str(&hooks[0].body).unwrap();
        assert_eq!(body["args"]["class"], "relatively_large");
        assert_eq!(body["mine_id"], c.mine_a.to_string());

        // Corrected further up: already alerted, not again. The general one corrected up: alerted.
        let four = IncidentDraft { reason: Some("a fourth died".into()), ..incident(c.mine_a, "4") };
        s.correct_incident(&actor(), big.incident_id, 1, &four).await.unwrap();
        assert_eq!(s.unread_alerts(own_a.id).await.unwrap(), 1);
        let three = IncidentDraft { reason: Some("two more died".into()), ..incident(c.mine_a, "3") };
        s.correct_incident(&actor(), general.incident_id, 1, &three).await.unwrap();
        assert_eq!(s.unread_alerts(own_a.id).await.unwrap(), 2);
        assert_eq!(s.outbox(10).await.unwrap().len(), 2);

        assert_eq!(s.mark_alerts_read(&actor(), own_a.id).await.unwrap(), 2);
        assert_eq!(s.unread_alerts(own_a.id).await.unwrap(), 0);
        assert_eq!(s.mark_alerts_read(&actor(), own_a.id).await.unwrap(), 0);
        assert!(s.audit_verify().await.unwrap().is_ok());
    }

    async fn an_explosives_difference_alerts_the_president_admin_and_the_mine(db) {
        let c = coop(&db).await;
        let a = Alert {
            kind: AlertKind::ExplosivesDifference,
            mine_id: c.mine_b,
            message: "alert-explosives-difference".into(),
            args: vec![("item".into(), "emulsion".into()), ("difference".into(), "-2 kg".into())],
            link: "/safety".into(),
            also: vec![],
        };
        assert_eq!(c.store.raise_alert(&actor(), &a).await.unwrap(), 4);
        assert_eq!(alerted(&c.store, AlertKind::ExplosivesDifference).await, ["admin", "off_b", "own_b", "pres"]);
        let bad = Alert { mine_id: Uuid::nil(), ..a };
        assert!(c.store.raise_alert(&actor(), &bad).await.is_err(), "no such mine");
        assert!(c.store.audit_verify().await.unwrap().is_ok());
    }

    async fn an_overdue_action_escalates_to_the_mine_owner_then_the_president_each_once(db) {
        let c = coop(&db).await;
        let s = &c.store;
        let inc = s.record_incident(&actor(), &incident(c.mine_a, "1")).await.unwrap();
        let draft = ActionDraft::parse(
            &ActionInput {
                source_kind: "incident".into(),
                source_id: inc.incident_id.to_string(),
                kind: "containment".into(),
                description: "Fence off".into(),
                owner: "off_b".into(),
                due_on: "2026-03-05".into(),
            },
            day("2026-03-02"),
        )
        .unwrap();
        let act = s.raise_action(&actor(), &draft).await.unwrap();
        assert_eq!(s.escalate_overdue_actions(day("2026-03-01")).await.unwrap(), 0, "not due soon yet");
        assert_eq!(s.escalate_overdue_actions(day("2026-03-02")).await.unwrap(), 1, "due in three days: a reminder");
        assert_eq!(alerted(s, AlertKind::ActionReminder).await, ["off_b"], "to the action's owner alone");
        assert_eq!(s.escalate_overdue_actions(day("2026-03-05")).await.unwrap(), 0, "reminded once; not late on its day");
        assert_eq!(s.escalate_overdue_actions(day("2026-03-06")).await.unwrap(), 1);
        assert_eq!(alerted(s, AlertKind::ActionOverdue).await, ["off_b", "own_a"]);
        assert_eq!(s.escalate_overdue_actions(day("2026-03-06")).await.unwrap(), 0, "never twice");
        assert_eq!(s.escalate_overdue_actions(day("2026-03-10")).await.unwrap(), 0);
        assert_eq!(s.escalate_overdue_actions(day("2026-03-13")).await.unwrap(), 1);
        assert_eq!(alerted(s, AlertKind::ActionOverduePresident).await, ["off_b", "own_a", "pres"]);
        assert_eq!(s.escalate_overdue_actions(day("2026-04-13")).await.unwrap(), 0, "never twice");
        let hooks = s.webhook_deliveries(10).await.unwrap();
        assert_eq!(hooks.len(), 5, "each escalation to both hooks, the reminder to the one for every event");
        assert_eq!(hooks.iter().filter(|h| h.event == "action_overdue").count(), 4);
        assert_eq!(hooks.iter().filter(|h| h.event == "action_reminder").count(), 1);
        let own_a = s.user_by_name("own_a").await.unwrap();
        let link = &s.alerts_for(own_a.id, 1).await.unwrap()[0].link;
        assert_eq!(link, &format!("/safety/actions/{}", act.id));
        assert!(s.audit_verify().await.unwrap().is_ok());
    }

    async fn deliveries_back_off_and_give_up_after_the_last_attempt(db) {
        let c = coop(&db).await;
        let s = &c.store;
        s.record_incident(&actor(), &incident(c.mine_a, "3")).await.unwrap();
        let mail = s.outbox(1).await.unwrap().remove(0);
        let now = minecoop_store::now();
        assert_eq!(s.due_emails(now, 10).await.unwrap().len(), 1);
        let fail = Attempt::Failed { status: None, error: "connection refused".into() };
        let m = s.record_email_attempt(mail.id, &fail).await.unwrap();
        assert_eq!((m.status.as_str(), m.attempts, m.last_error.as_deref()), (QUEUED, 1, Some("connection refused")));
        let wait = (m.next_attempt_at - mail.next_attempt_at).num_seconds();
        assert!((60..70).contains(&wait), "one minute, then doubling: {wait}");
        assert!(s.due_emails(now, 10).await.unwrap().is_empty(), "not due before its next attempt");
        let m = s.record_email_attempt(mail.id, &fail).await.unwrap();
        assert!((m.next_attempt_at - now).num_seconds() >= 120);
        let m = s.record_email_attempt(mail.id, &Attempt::Delivered { status: None }).await.unwrap();
        assert_eq!((m.status.as_str(), m.attempts), (SENT, 3));
        assert!(m.sent_at.is_some());

        let hook = s.webhook_deliveries(1).await.unwrap().remove(0);
        let refused = Attempt::Failed { status: Some(500), error: "HTTP 500".into() };
        let mut h = hook.clone();
        for _ in 0..minecoop_domain::alerts::MAX_ATTEMPTS {
            h = s.record_webhook_attempt(hook.id, &refused).await.unwrap();
        }
        assert_eq!((h.status.as_str(), h.last_status), (FAILED, Some(500)));
        assert_eq!(s.webhook_deliveries(10).await.unwrap().len(), 1, "kept for the record");
        assert!(s.due_webhooks(now + chrono::Duration::days(30), 10).await.unwrap().is_empty());
        assert!(s.audit_verify().await.unwrap().is_ok());
    }
}
