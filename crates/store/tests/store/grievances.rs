use chrono::NaiveDate;
use minecoop_domain::alerts::AlertKind;
use minecoop_domain::auth::Role;
use minecoop_domain::grievances::workflow::{By, EscalatedTo, MessageKind};
use minecoop_domain::grievances::{GrievanceDraft, GrievanceInput, Status, code};
use minecoop_domain::safety::action::{ActionDraft, ActionKind, ActionSource};
use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
use minecoop_store::accounts::NewUser;
use minecoop_store::audit::AuditFilter;
use minecoop_store::grievances::public_actor;
use minecoop_store::{Store, StoreError, both_backends};
use uuid::Uuid;

use crate::{actor, member_draft, mine_draft};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn draft(mines: &[Uuid], anonymous: bool, received_on: &str) -> GrievanceDraft {
    let i = GrievanceInput {
        category: "water".into(),
        complainant_type: "villager".into(),
        mines: mines.iter().map(|m| m.to_string()).collect(),
        channel: "in_person".into(),
        description: "井水变浑，有铁锈味".into(),
        occurred: "上周".into(),
        place: "下寨".into(),
        anonymous: if anonymous { "1".into() } else { String::new() },
        name: if anonymous { String::new() } else { "罗国兰".into() },
        phone: if anonymous { String::new() } else { "139 8541 7702".into() },
        received_on: received_on.into(),
    };
    GrievanceDraft::parse(&i, day("2026-12-31"), false).unwrap()
}

async fn two_mines(db: &Store) -> (Uuid, Uuid) {
    let a = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
    let b = db.create_member(&actor(), &member_draft(2, "B")).await.unwrap();
    let mine_a = db.create_mine(&actor(), &mine_draft(a.id, "A")).await.unwrap().id;
    let mine_b = db.create_mine(&actor(), &mine_draft(b.id, "B")).await.unwrap().id;
    let users = [
        ("admin", Role::Admin, None, None),
        ("pres", Role::President, None, None),
        ("insp", Role::Inspector, None, None),
        ("own_a", Role::Owner, Some(a.id), None),
        ("own_b", Role::Owner, Some(b.id), None),
        ("off_a", Role::SafetyOfficer, None, Some(mine_a)),
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
    (mine_a, mine_b)
}

/// Usernames holding an alert of `kind`, sorted.
async fn alerted(db: &Store, kind: AlertKind) -> Vec<String> {
    let mut names = Vec::new();
    for u in db.users().await.unwrap() {
        let n = db.alerts_for(u.id, 100).await.unwrap().iter().filter(|r| r.kind == kind.as_str()).count();
        for _ in 0..n {
            names.push(u.username.clone());
        }
    }
    names.sort();
    names
}

async fn step(
    db: &Store,
    id: Uuid,
    to: Status,
    by: By,
    esc: Option<EscalatedTo>,
    note: Option<&str>,
) -> Result<minecoop_store::grievances::GrievanceStep, StoreError> {
    db.grievance_step(&actor(), id, to, by, esc, note.map(str::to_owned)).await
}

both_backends! {
    async fn an_anonymous_grievance_keeps_nothing_that_identifies_and_only_the_code_hash(db) {
        let (mine_a, _) = two_mines(&db).await;
        let public = GrievanceInput { channel: String::new(), ..Default::default() };
        let d = GrievanceDraft::parse(
            &GrievanceInput {
                category: "dust_noise".into(),
                complainant_type: "villager".into(),
                mines: vec![mine_a.to_string()],
                description: "晚上矿车太吵".into(),
                anonymous: "1".into(),
                ..public
            },
            day("2026-03-01"),
            true,
        )
        .unwrap();
        let (g, plain) = db.record_grievance(&public_actor(), &d).await.unwrap();
        assert!(g.anonymous);
        assert_eq!((g.complainant_name.as_deref(), g.complainant_phone.as_deref()), (None, None));
        assert_eq!((g.channel.as_str(), g.created_by.as_str()), ("web", "public"));
        assert_eq!(g.code_hash, code::hash(&plain));
        assert_ne!(g.code_hash, plain);
        assert!(g.ref_no.starts_with("GRV-2026-"));
        // The audit trail names the public and holds neither the code nor anything personal.
        let trail = db
            .audit_list(&AuditFilter { entity: Some("grievance".into()), ..Default::default() }, 1, 50)
            .await
            .unwrap();
        assert_eq!(trail.items.len(), 1);
        let rec = &trail.items[0];
        assert_eq!((rec.actor.as_str(), rec.actor_id), ("public", None));
        assert!(!rec.after.contains(&plain) && !rec.after.contains(&g.code_hash));
        assert!(rec.after.contains("\"complainant_name\":null") && rec.after.contains("\"complainant_phone\":null"));
        // The code opens the case however it is typed; a wrong code and nonsense alike open nothing.
        let case = db.grievance_by_code(&code::display(&plain).to_lowercase()).await.unwrap().unwrap();
        assert_eq!((case.g.id, case.status(), case.mines.clone()), (g.id, Status::Received, vec![mine_a]));
        let mut wrong = plain.clone().into_bytes();
        wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
        assert!(db.grievance_by_code(&String::from_utf8(wrong).unwrap()).await.unwrap().is_none());
        assert!(db.grievance_by_code("not a code").await.unwrap().is_none());
        // A named one keeps the name and phone given.
        let (named, _) = db.record_grievance(&actor(), &draft(&[mine_a], false, "2026-03-01")).await.unwrap();
        assert_eq!(named.complainant_name.as_deref(), Some("罗国兰"));
        assert_eq!(named.ref_no, "GRV-2026-0002");
        // An unknown mine is refused.
        let e = db.record_grievance(&actor(), &draft(&[Uuid::nil()], true, "")).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("mines").is_some()));
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn steps_are_appended_in_the_workflow_order_and_never_changed(db) {
        let (mine_a, _) = two_mines(&db).await;
        let (g, plain) = db.record_grievance(&actor(), &draft(&[mine_a], false, "2026-03-01")).await.unwrap();
        // Not yet: investigated before acknowledged; the complainant cannot acknowledge.
        let e = step(&db, g.id, Status::Investigated, By::Staff, None, None).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("status").map(|x| x.code) == Some("err-grievance-step")));
        assert!(step(&db, g.id, Status::Acknowledged, By::Complainant, None, None).await.is_err());
        step(&db, g.id, Status::Acknowledged, By::Staff, None, None).await.unwrap();
        step(&db, g.id, Status::Investigated, By::Staff, None, Some("属实")).await.unwrap();
        // A proposal needs its text.
        let e = step(&db, g.id, Status::ResolutionProposed, By::Staff, None, None).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("note").is_some()));
        step(&db, g.id, Status::ResolutionProposed, By::Staff, None, Some("赔偿一千六百元")).await.unwrap();
        db.grievance_message(&actor(), g.id, MessageKind::Note, "内部：矿方同意").await.unwrap();
        db.grievance_message(&actor(), g.id, MessageKind::Question, "请问地块面积？").await.unwrap();
        db.grievance_message(&public_actor(), g.id, MessageKind::Info, "两亩").await.unwrap();
        // The complainant answers through the tracking page.
        db.grievance_step(&public_actor(), g.id, Status::Rejected, By::Complainant, None, Some("太少".into()))
            .await
            .unwrap();
        // An escalation needs where and why.
        let e = step(&db, g.id, Status::Escalated, By::Staff, None, None).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("note").is_some() && f.get("escalated_to").is_some()));
        step(&db, g.id, Status::Escalated, By::Staff, Some(EscalatedTo::CoopMeeting), Some("分歧大")).await.unwrap();
        assert!(step(&db, g.id, Status::Acknowledged, By::Staff, None, None).await.is_err(), "escalated is not open");
        step(&db, g.id, Status::Closed, By::Staff, None, Some("社员大会决定赔偿两千元")).await.unwrap();
        let e = db.grievance_message(&public_actor(), g.id, MessageKind::Info, "还有").await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("text").map(|x| x.code) == Some("err-grievance-closed")));

        let case = db.grievance_by_code(&plain).await.unwrap().unwrap();
        assert_eq!(case.status(), Status::Closed);
        let kinds: Vec<&str> = case.steps.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, [
            "received", "acknowledged", "investigated", "resolution_proposed", "note", "question", "info",
            "rejected", "escalated", "closed",
        ]);
        // The internal note is not on the tracking page; everything else is.
        assert_eq!(case.public_steps().len(), 9);
        assert!(case.public_steps().iter().all(|s| s.kind != "note"));
        assert_eq!(case.steps[6].by, "public");
        let esc = &case.steps[8];
        assert_eq!(esc.escalated_to.as_deref(), Some("coop_meeting"));
        // Every entry is its own audited row; nothing was updated.
        let trail = db.audit_list(&AuditFilter::default(), 1, 500).await.unwrap();
        assert!(trail.items.iter().filter(|r| r.entity.starts_with("grievance")).all(|r| r.action == "create"));
        assert_eq!(trail.items.iter().filter(|r| r.entity == "grievance_step").count(), 10);
        let list = db.grievance_summaries().await.unwrap();
        assert_eq!((list.len(), list[0].status, list[0].last_answer), (1, Status::Closed, Some(Status::Rejected)));
    }

    async fn an_overdue_step_is_escalated_once_to_the_mine_then_the_president(db) {
        let (mine_a, _) = two_mines(&db).await;
        let dl = minecoop_domain::grievances::Deadlines::default();
        let (late, _) = db.record_grievance(&actor(), &draft(&[mine_a], true, "2026-03-01")).await.unwrap();
        let (nomine, _) = db.record_grievance(&actor(), &draft(&[], true, "2026-03-01")).await.unwrap();
        let (on_time, _) = db.record_grievance(&actor(), &draft(&[mine_a], true, "2026-03-05")).await.unwrap();
        db.grievance_step(&actor(), on_time.id, Status::Acknowledged, By::Staff, None, None).await.unwrap();

        assert_eq!(db.escalate_overdue_grievances(day("2026-03-08"), &dl).await.unwrap(), 0, "due today");
        assert_eq!(db.escalate_overdue_grievances(day("2026-03-09"), &dl).await.unwrap(), 2);
        assert_eq!(alerted(&db, AlertKind::GrievanceOverdue).await, ["admin", "off_a", "own_a", "pres"]);
        let own_a = db.user_by_name("own_a").await.unwrap();
        let a = &db.alerts_for(own_a.id, 10).await.unwrap()[0];
        assert_eq!(a.link, format!("/grievances/{}", late.id));
        assert!(a.args.contains(&late.ref_no) && !a.args.contains("井水"), "the reference, not the text");
        // Once per level.
        assert_eq!(db.escalate_overdue_grievances(day("2026-03-10"), &dl).await.unwrap(), 0);
        assert_eq!(db.escalate_overdue_grievances(day("2026-03-16"), &dl).await.unwrap(), 2);
        assert_eq!(alerted(&db, AlertKind::GrievanceOverduePresident).await, ["admin", "own_a", "pres", "pres"]);
        assert_eq!(db.escalate_overdue_grievances(day("2026-03-20"), &dl).await.unwrap(), 0);
        // Acknowledged late: the next step's clock runs (30 days from receipt).
        db.grievance_step(&actor(), late.id, Status::Acknowledged, By::Staff, None, None).await.unwrap();
        db.grievance_step(&actor(), nomine.id, Status::Escalated, By::Staff, Some(EscalatedTo::Government), Some("镇政府".into()))
            .await
            .unwrap();
        assert_eq!(db.escalate_overdue_grievances(day("2026-03-31"), &dl).await.unwrap(), 0);
        assert_eq!(db.escalate_overdue_grievances(day("2026-04-01"), &dl).await.unwrap(), 1, "the late one");
        assert_eq!(db.escalate_overdue_grievances(day("2026-04-05"), &dl).await.unwrap(), 1, "the other, later received");
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn a_grievance_raises_actions_for_its_mine_and_links_incidents(db) {
        let (mine_a, mine_b) = two_mines(&db).await;
        let (g, _) = db.record_grievance(&actor(), &draft(&[mine_b, mine_a], false, "2026-03-01")).await.unwrap();
        let action = |id: Uuid, kind| ActionDraft {
            source_kind: ActionSource::Grievance,
            source_id: id,
            kind,
            description: "修复挡墙".into(),
            owner: "own_b".into(),
            due_on: day("2026-04-01"),
        };
        let e = db.raise_action(&actor(), &action(g.id, ActionKind::Corrective)).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("kind").is_some()), "containment first");
        let a = db.raise_action(&actor(), &action(g.id, ActionKind::Containment)).await.unwrap();
        assert_eq!((a.mine_id, a.source_kind.as_str(), a.source_id), (mine_b, "grievance", g.id));
        assert_eq!(db.actions_of(ActionSource::Grievance, g.id).await.unwrap().len(), 1);
        let (nomine, _) = db.record_grievance(&actor(), &draft(&[], true, "2026-03-01")).await.unwrap();
        let e = db.raise_action(&actor(), &action(nomine.id, ActionKind::Containment)).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("source_id").map(|x| x.code) == Some("err-grievance-no-mine")));
        let e = db.raise_action(&actor(), &action(Uuid::nil(), ActionKind::Containment)).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("source_id").map(|x| x.code) == Some("err-choice")));

        let input = IncidentInput {
            mine_id: mine_a.to_string(),
            kind: "near_miss".into(),
            occurred_at: "2026-03-01T08:00".into(),
            unit_head_notified_at: "2026-03-01T08:30".into(),
            location: "Dump".into(),
            description: "Wall seeping".into(),
            ..Default::default()
        };
        let d = IncidentDraft::parse(&input, day("2026-03-02").and_hms_opt(9, 0, 0).unwrap()).unwrap();
        let inc = db.record_incident(&actor(), &d).await.unwrap();
        db.link_grievance_incident(&actor(), g.id, inc.incident_id).await.unwrap();
        let e = db.link_grievance_incident(&actor(), g.id, inc.incident_id).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref f) if f.get("incident_id").map(|x| x.code) == Some("err-grievance-linked")));
        assert!(db.link_grievance_incident(&actor(), g.id, Uuid::nil()).await.is_err());
        assert_eq!(db.grievance_case(g.id).await.unwrap().links.len(), 1);
        assert_eq!(db.grievances_of_incident(inc.incident_id).await.unwrap()[0].id, g.id);
    }
}
