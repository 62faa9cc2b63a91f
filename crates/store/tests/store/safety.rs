use chrono::NaiveDateTime;
use minecoop_domain::auth::Role;
use minecoop_domain::safety::AccidentClass;
use minecoop_domain::safety::action::{ActionDraft, ActionInput, ActionSource, ActionStatus, Escalation};
use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
use minecoop_store::accounts::NewUser;
use minecoop_store::safety::ActionFilter;
use minecoop_store::{Actor, Store, StoreError, both_backends};

use crate::{actor, member_draft, mine_draft};

fn now() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(12, 0, 0).unwrap()
}

fn incident(mine: uuid::Uuid, deaths: &str) -> IncidentInput {
    IncidentInput {
        mine_id: mine.to_string(),
        kind: "fatality".into(),
        occurred_at: "2026-03-01T08:00".into(),
        unit_head_notified_at: "2026-03-01T08:30".into(),
        location: "Level 2, stope 4".into(),
        description: "Fall of ground at the face".into(),
        deaths: deaths.into(),
        ..Default::default()
    }
}

async fn mine(db: &Store) -> uuid::Uuid {
    let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
    db.create_mine(&actor(), &mine_draft(m.id, "A")).await.unwrap().id
}

async fn user(db: &Store, name: &str, role: Role) {
    let u = NewUser {
        username: name.into(),
        display_name: String::new(),
        password: "correct horse battery".into(),
        role,
        member_id: None,
        mine_id: None,
    };
    db.create_user(&actor(), u).await.unwrap();
}

fn who(name: &str) -> Actor {
    Actor { user_id: None, name: name.into() }
}

both_backends! {
    async fn an_incident_is_corrected_by_versions_and_its_class_follows_the_figures(db) {
        let mine = mine(&db).await;
        let two = IncidentDraft::parse(&incident(mine, "2"), now()).unwrap();
        let first = db.record_incident(&actor(), &two).await.unwrap();
        assert_eq!((first.version, first.code.as_str()), (1, "INC-2026-0001"));
        assert_eq!(first.class(), AccidentClass::General);

        // Without a reason, or from a stale version, nothing is written.
        let three = IncidentDraft::parse(&incident(mine, "3"), now()).unwrap();
        assert!(matches!(db.correct_incident(&actor(), first.incident_id, 1, &three).await, Err(StoreError::Invalid(_))));
        let three = IncidentDraft { reason: Some("A third miner died in hospital".into()), ..three };
        assert!(matches!(db.correct_incident(&actor(), first.incident_id, 2, &three).await, Err(StoreError::Conflict)));
        let second = db.correct_incident(&actor(), first.incident_id, 1, &three).await.unwrap();
        assert_eq!((second.version, second.code.as_str()), (2, "INC-2026-0001"));
        assert_eq!(second.class(), AccidentClass::RelativelyLarge);
        assert!(matches!(db.correct_incident(&actor(), first.incident_id, 1, &three).await, Err(StoreError::Conflict)));

        let current = db.incident(first.incident_id).await.unwrap();
        assert_eq!(current, second);
        let versions = db.incident_versions(first.incident_id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.deaths).collect::<Vec<_>>(), [2, 3]);
        let listed = db.incidents(Some(&[mine])).await.unwrap();
        assert_eq!(listed, vec![second.clone()], "one line per incident, its current version");
        assert!(db.incidents(Some(&[uuid::Uuid::nil()])).await.unwrap().is_empty());

        let other = db.record_incident(&actor(), &two).await.unwrap();
        assert_eq!(other.code, "INC-2026-0002");
        assert!(matches!(db.incident(uuid::Uuid::nil()).await, Err(StoreError::NotFound)));
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}

both_backends! {
    async fn an_incident_needs_a_known_mine_and_keeps_it_and_its_extension(db) {
        let mine = mine(&db).await;
        let nowhere = IncidentDraft::parse(&incident(uuid::Uuid::nil(), "2"), now()).unwrap();
        assert!(matches!(db.record_incident(&actor(), &nowhere).await, Err(StoreError::Invalid(_))));
        let i = IncidentInput { extension_days: "30".into(), extension_reason: "Expert report".into(), ..incident(mine, "2") };
        let first = db.record_incident(&actor(), &IncidentDraft::parse(&i, now()).unwrap()).await.unwrap();
        let moved = IncidentDraft { reason: Some("x".into()), ..IncidentDraft::parse(&incident(mine, "2"), now()).unwrap() };
        match db.correct_incident(&actor(), first.incident_id, 1, &moved).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("extension_days").unwrap().code, "err-extension-once"),
            other => panic!("{other:?}"),
        }
        let elsewhere = IncidentDraft { mine_id: uuid::Uuid::nil(), reason: Some("x".into()), ..IncidentDraft::parse(&i, now()).unwrap() };
        match db.correct_incident(&actor(), first.incident_id, 1, &elsewhere).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("mine_id").unwrap().code, "err-incident-mine-fixed"),
            other => panic!("{other:?}"),
        }
        assert_eq!(db.incident_versions(first.incident_id).await.unwrap().len(), 1);
    }
}

both_backends! {
    async fn actions_go_containment_first_then_done_then_verified_by_someone_else(db) {
        let mine = mine(&db).await;
        user(&db, "officer1", Role::Inspector).await;
        user(&db, "checker", Role::Inspector).await;
        let inc = db.record_incident(&actor(), &IncidentDraft::parse(&incident(mine, "1"), now()).unwrap()).await.unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let draft = |kind: &str, owner: &str| {
            ActionDraft::parse(
                &ActionInput {
                    source_kind: "incident".into(),
                    source_id: inc.incident_id.to_string(),
                    kind: kind.into(),
                    description: "Bar down and close the stope".into(),
                    owner: owner.into(),
                    due_on: "2026-03-05".into(),
                },
                today,
            )
            .unwrap()
        };
        match db.raise_action(&actor(), &draft("corrective", "officer1")).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("kind").unwrap().code, "err-containment-first"),
            other => panic!("{other:?}"),
        }
        match db.raise_action(&actor(), &draft("containment", "nobody")).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("owner").unwrap().code, "err-choice"),
            other => panic!("{other:?}"),
        }
        let c = db.raise_action(&actor(), &draft("containment", "officer1")).await.unwrap();
        assert_eq!((c.status(), c.mine_id), (ActionStatus::Open, mine));
        let k = db.raise_action(&actor(), &draft("corrective", "officer1")).await.unwrap();
        assert_ne!(c.code, k.code);
        assert_eq!(c.escalation(today), Escalation::Reminder);
        assert_eq!(c.escalation(chrono::NaiveDate::from_ymd_opt(2026, 3, 6).unwrap()), Escalation::MineOwner);

        // Verification before evidence, evidence twice, verifying one's own: refused.
        assert!(matches!(db.verify_action(&who("checker"), c.id, true, "").await, Err(StoreError::Invalid(_))));
        assert!(matches!(db.complete_action(&who("officer1"), c.id, " ").await, Err(StoreError::Invalid(_))));
        let done = db.complete_action(&who("officer1"), c.id, "Stope barricaded, photo 12").await.unwrap();
        assert_eq!(done.status(), ActionStatus::Done);
        assert_eq!(done.escalation(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()), Escalation::None);
        assert!(matches!(db.complete_action(&who("officer1"), c.id, "again").await, Err(StoreError::Invalid(_))));
        match db.verify_action(&who("officer1"), c.id, true, "").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("note").unwrap().code, "err-verify-own"),
            other => panic!("{other:?}"),
        }
        // Rejected needs a reason and reopens; accepted closes.
        assert!(matches!(db.verify_action(&who("checker"), c.id, false, "").await, Err(StoreError::Invalid(_))));
        let back = db.verify_action(&who("checker"), c.id, false, "No photo attached").await.unwrap();
        assert_eq!(back.status(), ActionStatus::Open);
        db.complete_action(&who("officer1"), c.id, "Photo 12 attached").await.unwrap();
        let closed = db.verify_action(&who("checker"), c.id, true, "Seen on site").await.unwrap();
        assert_eq!((closed.status(), closed.verified_by.as_deref()), (ActionStatus::Closed, Some("checker")));

        let steps: Vec<String> = db.action_events(c.id).await.unwrap().into_iter().map(|e| e.step).collect();
        assert_eq!(steps, ["raised", "done", "rejected", "done", "verified"]);
        assert_eq!(db.actions_of(ActionSource::Incident, inc.incident_id).await.unwrap().len(), 2);
        let open = db.actions(&ActionFilter { open_only: true, ..Default::default() }).await.unwrap();
        assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [k.id]);
        let mine_only = ActionFilter { mines: Some(vec![uuid::Uuid::nil()]), ..Default::default() };
        assert!(db.actions(&mine_only).await.unwrap().is_empty());
        let owned = ActionFilter { owner: Some("checker".into()), ..Default::default() };
        assert!(db.actions(&owned).await.unwrap().is_empty());
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}

both_backends! {
    async fn the_demo_has_seven_years_without_a_major_accident_to_august_2006(db) {
        use minecoop_domain::safety::record::{Event, days_since_class};
        minecoop_store::demo::load(&db).await.unwrap();
        let mines: Vec<_> = db.mine_choices().await.unwrap().into_iter().filter(|m| m.status == "operating").collect();
        let last = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        minecoop_store::safety::demo::load(&db, &mines, 1999, last).await.unwrap();
        let incidents = db.incidents(None).await.unwrap();
        let events: Vec<Event> = incidents
            .iter()
            .map(|i| Event {
                mine_id: i.mine_id,
                day: i.occurred_at.date(),
                kind: i.draft().kind,
                class: i.class(),
                deaths: i.deaths as u32,
                serious_injuries: i.serious_injuries as u32,
                loss_fen: i.loss_fen,
            })
            .collect();
        let aug_2006 = chrono::NaiveDate::from_ymd_opt(2006, 8, 31).unwrap();
        let days = days_since_class(&events, None, aug_2006, AccidentClass::RelativelyLarge).unwrap();
        assert!(days >= 7 * 365, "{days} days without a relatively large accident by August 2006");
        assert_eq!(incidents.iter().filter(|i| i.class() != AccidentClass::General).count(), 1);
        assert!(incidents.iter().filter(|i| i.occurred_at.date() > aug_2006).count() > 100, "a realistic mix since");
        let difference: Vec<_> = incidents.iter().filter(|i| i.occurrence.as_deref() == Some("explosives_difference")).collect();
        assert_eq!(difference.len(), 1);
        let actions = db.actions_of(ActionSource::Incident, difference[0].incident_id).await.unwrap();
        assert!(actions.iter().any(|a| a.status() == ActionStatus::Open), "under investigation");
        let open = db.actions(&ActionFilter { open_only: true, ..Default::default() }).await.unwrap();
        let overdue = open.iter().filter(|a| a.escalation(last).is_overdue()).count();
        assert!(overdue >= 2, "{overdue} overdue actions");

        // An inspection's finding raises its own actions, for its mine.
        let daping = mines.iter().find(|m| m.name_en.contains("Daping")).unwrap().id;
        let finding = db.open_findings_of_mine(daping).await.unwrap().remove(0);
        let d = ActionDraft {
            source_kind: ActionSource::Finding,
            source_id: finding.id,
            kind: minecoop_domain::safety::action::ActionKind::Containment,
            description: "Stop work at the face until the fan is repaired".into(),
            owner: "officer".into(),
            due_on: last,
        };
        let a = db.raise_action(&actor(), &d).await.unwrap();
        assert_eq!((a.mine_id, a.source_kind.as_str()), (daping, "finding"));
        assert_eq!(db.actions_of(ActionSource::Finding, finding.id).await.unwrap().len(), 1);
        let missing = ActionDraft { source_id: uuid::Uuid::nil(), ..d };
        assert!(matches!(db.raise_action(&actor(), &missing).await, Err(StoreError::Invalid(_))));
    }
}

both_backends! {
    async fn an_incident_closes_only_when_signed_off_and_its_actions_are_closed(db) {
        use minecoop_domain::safety::investigation::{EntryDraft, EntryInput, TeamDraft, TeamInput};
        let mine = mine(&db).await;
        user(&db, "lead", Role::Inspector).await;
        user(&db, "checker", Role::Inspector).await;
        let inc = db.record_incident(&actor(), &IncidentDraft::parse(&incident(mine, "1"), now()).unwrap()).await.unwrap();
        let system = actor();
        let close = |v: i32| db.close_incident(&system, inc.incident_id, v);
        fn code<T>(r: Result<T, StoreError>) -> &'static str {
            match r {
                Err(StoreError::Invalid(e)) => e.0[0].code,
                Err(e) => panic!("{e:?}"),
                Ok(_) => "ok",
            }
        }
        assert_eq!(code(close(1).await), "err-close-needs-sign-off");
        let entry = |kind: &str, category: &str, text: &str| {
            EntryDraft::parse(&EntryInput { kind: kind.into(), category: category.into(), text: text.into(), at: String::new() }, now())
                .unwrap()
        };
        assert_eq!(code(db.add_investigation_entry(&actor(), inc.incident_id, &entry("finding", "", "x")).await), "err-investigation-not-started");
        let team = TeamDraft::parse(&TeamInput { lead: "Wang".into(), team: "Li\nZhao".into() }).unwrap();
        db.set_investigation_team(&actor(), inc.incident_id, &team).await.unwrap();
        db.add_investigation_entry(&actor(), inc.incident_id, &entry("timeline", "", "08:00 the back fell")).await.unwrap();
        assert_eq!(code(db.sign_off_investigation(&actor(), inc.incident_id).await), "err-sign-off-needs-cause");
        db.add_investigation_entry(&actor(), inc.incident_id, &entry("root_cause", "procedure", "No barring down")).await.unwrap();
        db.add_investigation_entry(&actor(), inc.incident_id, &entry("finding", "", "Support plan ignored")).await.unwrap();
        let signed = db.sign_off_investigation(&who("checker"), inc.incident_id).await.unwrap();
        assert_eq!(signed.signed_off_by.as_deref(), Some("checker"));
        assert_eq!(code(db.sign_off_investigation(&actor(), inc.incident_id).await), "err-signed-off");
        assert_eq!(code(db.add_investigation_entry(&actor(), inc.incident_id, &entry("finding", "", "late")).await), "err-signed-off");
        let (i, entries) = db.investigation(inc.incident_id).await.unwrap().unwrap();
        assert_eq!((i.lead.as_str(), entries.len()), ("Wang", 3));

        let a = ActionDraft::parse(
            &ActionInput {
                source_kind: "incident".into(),
                source_id: inc.incident_id.to_string(),
                kind: "containment".into(),
                description: "Fence off".into(),
                owner: "lead".into(),
                due_on: "2026-03-05".into(),
            },
            chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        )
        .unwrap();
        let a = db.raise_action(&actor(), &a).await.unwrap();
        assert_eq!(code(close(1).await), "err-close-open-actions");
        db.complete_action(&who("lead"), a.id, "Fenced").await.unwrap();
        db.verify_action(&who("checker"), a.id, true, "").await.unwrap();
        assert!(matches!(close(2).await, Err(StoreError::Conflict)));
        let closed = close(1).await.unwrap();
        assert!(closed.closed_at.is_some() && closed.version == 2);
        assert_eq!(code(close(2).await), "err-incident-closed");
        let again = IncidentDraft { reason: Some("x".into()), ..IncidentDraft::parse(&incident(mine, "1"), now()).unwrap() };
        assert_eq!(code(db.correct_incident(&actor(), inc.incident_id, 2, &again).await), "err-incident-closed");
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}

both_backends! {
    async fn a_near_miss_closes_without_an_investigation(db) {
        let mine = mine(&db).await;
        let i = IncidentInput { kind: "near_miss".into(), deaths: "".into(), ..incident(mine, "") };
        let inc = db.record_incident(&actor(), &IncidentDraft::parse(&i, now()).unwrap()).await.unwrap();
        assert!(db.close_incident(&actor(), inc.incident_id, 1).await.unwrap().closed_at.is_some());
    }
}

both_backends! {
    async fn the_magazine_book_balances_and_a_count_difference_opens_a_security_incident(db) {
        use minecoop_domain::safety::explosives::{CertificateDraft, CertificateInput, EntryDraft, EntryInput, Item};
        let mine = mine(&db).await;
        user(&db, "blaster1", Role::Inspector).await;
        let at = "2026-03-02T07:30";
        let entry = |kind: &str, item: &str, qty: &str, blaster: &str| {
            let i = EntryInput {
                kind: kind.into(),
                item: item.into(),
                quantity: qty.into(),
                at: at.into(),
                permit_no: "黔公爆购 2026-0113".into(),
                blaster: blaster.into(),
                shift: "day".into(),
                blast_location: "Stope 4 face".into(),
                note: String::new(),
            };
            EntryDraft::parse(&i, now()).unwrap()
        };
        fn code<T: std::fmt::Debug>(r: Result<T, StoreError>) -> &'static str {
            match r {
                Err(StoreError::Invalid(e)) => e.0[0].code,
                other => panic!("{other:?}"),
            }
        }
        db.record_explosives(&actor(), mine, &entry("receipt", "detonators", "100", "")).await.unwrap();
        // No certificate, no issue; an expired one does not count either.
        assert_eq!(code(db.record_explosives(&actor(), mine, &entry("issue", "detonators", "40", "blaster1")).await), "err-no-blaster-certificate");
        let cert = |from: &str, to: &str| {
            CertificateDraft::parse(&CertificateInput {
                username: "blaster1".into(),
                number: "黔爆 0042".into(),
                issued_by: "都匀市公安局".into(),
                valid_from: from.into(),
                valid_to: to.into(),
            })
            .unwrap()
        };
        db.add_blaster_certificate(&actor(), &cert("2020-01-01", "2025-12-31")).await.unwrap();
        assert_eq!(code(db.record_explosives(&actor(), mine, &entry("issue", "detonators", "40", "blaster1")).await), "err-no-blaster-certificate");
        db.add_blaster_certificate(&actor(), &cert("2026-01-01", "2028-12-31")).await.unwrap();
        let nobody = CertificateDraft { username: "nobody".into(), ..cert("2026-01-01", "2028-12-31") };
        assert_eq!(code(db.add_blaster_certificate(&actor(), &nobody).await), "err-choice");
        assert_eq!(code(db.record_explosives(&actor(), mine, &entry("issue", "detonators", "101", "blaster1")).await), "err-exceeds-stock");
        db.record_explosives(&actor(), mine, &entry("issue", "detonators", "40", "blaster1")).await.unwrap();
        assert_eq!(code(db.record_explosives(&actor(), mine, &entry("use", "detonators", "41", "blaster1")).await), "err-exceeds-issued");
        db.record_explosives(&actor(), mine, &entry("use", "detonators", "36", "blaster1")).await.unwrap();
        db.record_explosives(&actor(), mine, &entry("return", "detonators", "4", "blaster1")).await.unwrap();
        let book = db.explosives_book(mine).await.unwrap();
        assert_eq!((book.stock(Item::Detonators), book.held_by("blaster1", Item::Detonators)), (64_000, 0));

        // The evening count matches: no incident. Two short: a security incident at once.
        let same = db.record_explosives(&actor(), mine, &entry("count", "detonators", "64", "")).await.unwrap();
        assert!(same.incident.is_none() && same.entry.difference_milli == Some(0));
        let short = db.record_explosives(&actor(), mine, &entry("count", "detonators", "62", "")).await.unwrap();
        let inc = short.incident.expect("a security incident");
        assert_eq!((inc.kind.as_str(), inc.occurrence.as_deref()), ("security", Some("explosives_difference")));
        assert!(inc.description.contains("missing 2 pcs") && inc.description.contains("雷管：清点"), "{}", inc.description);
        assert_eq!(inc.location, "A矿炸药库 / A Mine magazine");
        assert_eq!(short.entry.incident_id, Some(inc.incident_id));
        assert_eq!(short.entry.difference_milli, Some(-2_000));
        // The difference reached the president (and nobody unrelated) in the app.
        let president = db.create_user(&actor(), minecoop_store::accounts::NewUser {
            username: "pres".into(),
            display_name: String::new(),
            password: "correct horse battery".into(),
            role: Role::President,
            member_id: None,
            mine_id: None,
        }).await.unwrap();
        let again = db.record_explosives(&actor(), mine, &entry("count", "detonators", "61", "")).await.unwrap();
        assert!(again.incident.is_some());
        let alerts = db.alerts_for(president.id, 10).await.unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!((alerts[0].kind.as_str(), alerts[0].message.as_str()), ("explosives_difference", "alert-explosives-difference"));
        assert_eq!(db.explosives_ledger(mine).await.unwrap().len(), 7);

        // The same shortfall counted the next evening is the same case: no new incident or alert.
        let third = again.incident.unwrap().incident_id;
        let same_again = db.record_explosives(&actor(), mine, &entry("count", "detonators", "61", "")).await.unwrap();
        assert!(same_again.incident.is_none());
        assert_eq!((same_again.entry.incident_id, same_again.entry.difference_milli), (Some(third), Some(-3_000)));
        assert_eq!(db.alerts_for(president.id, 10).await.unwrap().len(), 1);
        // The co-op writes off the difference of the latest count only, once, with a reason.
        assert_eq!(code(db.write_off_explosives(&actor(), mine, short.entry.id, "lost").await), "err-not-latest-count");
        assert_eq!(code(db.write_off_explosives(&actor(), mine, same.entry.id, "x").await), "err-no-difference");
        assert_eq!(code(db.write_off_explosives(&actor(), uuid::Uuid::now_v7(), same_again.entry.id, "x").await), "err-choice");
        assert_eq!(minecoop_store::safety::open_differences(&db.explosives_ledger(mine).await.unwrap()), vec![same_again.entry.id]);
        let off = db.write_off_explosives(&actor(), mine, same_again.entry.id, "three lost in the 2 March misfire").await.unwrap();
        assert_eq!((off.kind.as_str(), off.qty_milli, off.incident_id), ("adjustment", -3_000, Some(third)));
        assert_eq!(code(db.write_off_explosives(&actor(), mine, same_again.entry.id, "again").await), "err-already-written-off");
        assert!(minecoop_store::safety::open_differences(&db.explosives_ledger(mine).await.unwrap()).is_empty());
        assert_eq!(db.explosives_book(mine).await.unwrap().stock(Item::Detonators), 61_000);
        let balanced = db.record_explosives(&actor(), mine, &entry("count", "detonators", "61", "")).await.unwrap();
        assert!(balanced.incident.is_none() && balanced.entry.difference_milli == Some(0));
        // Two more short after the write-off is a new case.
        let new_case = db.record_explosives(&actor(), mine, &entry("count", "detonators", "59", "")).await.unwrap();
        assert!(new_case.incident.is_some());
        assert_eq!(db.explosives_ledger(mine).await.unwrap().len(), 11);
        let valid = db.valid_blasters(chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 30).await.unwrap();
        assert_eq!(valid, vec![("blaster1".to_owned(), false)]);
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}
