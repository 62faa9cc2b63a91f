//! Injury claims: opened for a worker of the incident's mine, moved one step at a time or
//! corrected with a reason, listed by mine, status, incident, worker and overdue; the deadline
//! alerts, once each; the demo's claims.

use chrono::NaiveDate;
use minecoop_domain::auth::Role;
use minecoop_domain::production::sample::parse_local_time;
use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
use minecoop_domain::workforce::claim::{ClaimDraft, ClaimInput, ClaimStatus, DeadlineState};
use minecoop_domain::workforce::idcard::complete;
use minecoop_domain::workforce::worker::{WorkerDraft, WorkerInput};
use minecoop_store::accounts::NewUser;
use minecoop_store::audit::AuditFilter;
use minecoop_store::workforce::ClaimFilter;
use minecoop_store::{Store, StoreError, both_backends};

use crate::{actor, member_draft, mine_draft};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-26";

async fn incident(db: &Store, mine: uuid::Uuid, day: &str, deaths: &str) -> uuid::Uuid {
    let i = IncidentInput {
        mine_id: mine.to_string(),
        kind: if deaths == "0" { "lost_time" } else { "fatality" }.into(),
        occurred_at: format!("{day}T08:00"),
        unit_head_notified_at: format!("{day}T08:20"),
        location: "二中段".into(),
        description: "顶板落石".into(),
        deaths: deaths.into(),
        serious_injuries: "1".into(),
        ..Default::default()
    };
    let d = IncidentDraft::parse(&i, parse_local_time("2026-11-26T12:00").unwrap()).unwrap();
    db.record_incident(&actor(), &d).await.unwrap().incident_id
}

async fn worker(db: &Store, mine: uuid::Uuid, name: &str, seq: &str, start: &str) -> uuid::Uuid {
    let i = WorkerInput {
        mine_id: mine.to_string(),
        name: name.into(),
        id_number: complete(&format!("52270119880203{seq}")).unwrap(),
        sex: "male".into(),
        birth_date: "1988-02-03".into(),
        job: "miner".into(),
        employment_form: "contract".into(),
        start_date: start.into(),
        ..Default::default()
    };
    db.record_worker(&actor(), &WorkerDraft::parse(&i, d(TODAY)).unwrap()).await.unwrap().worker.worker_id
}

fn claim(incident: uuid::Uuid, worker: uuid::Uuid) -> ClaimInput {
    ClaimInput {
        incident_id: incident.to_string(),
        worker_id: worker.to_string(),
        severity: "serious".into(),
        ..Default::default()
    }
}

fn draft(i: &ClaimInput) -> ClaimDraft {
    ClaimDraft::parse(i, d(TODAY)).unwrap()
}

fn code<T: std::fmt::Debug>(r: Result<T, StoreError>, field: &str) -> &'static str {
    match r {
        Err(StoreError::Invalid(e)) => e.get(field).unwrap_or_else(|| panic!("no error on {field}: {e:?}")).code,
        other => panic!("{other:?}"),
    }
}

async fn two_mines(db: &Store) -> (uuid::Uuid, uuid::Uuid) {
    let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
    let a = db.create_mine(&actor(), &mine_draft(m.id, "A")).await.unwrap().id;
    let b = db.create_mine(&actor(), &mine_draft(m.id, "B")).await.unwrap().id;
    (a, b)
}

both_backends! {
    async fn a_claim_is_for_a_worker_of_the_incidents_mine_and_moves_one_step_at_a_time(db) {
        let (a, b) = two_mines(&db).await;
        let inc = incident(&db, a, "2026-10-01", "0").await;
        let wang = worker(&db, a, "王大山", "011", "2024-04-01").await;
        let other = worker(&db, b, "李四", "031", "2024-04-01").await;
        let newcomer = worker(&db, a, "赵六", "051", "2026-10-15").await;
        assert_eq!(code(db.open_claim(&actor(), &draft(&claim(inc, other))).await, "worker_id"), "err-claim-worker-other-mine");
        assert_eq!(code(db.open_claim(&actor(), &draft(&claim(inc, newcomer))).await, "worker_id"), "err-claim-worker-not-employed");
        let missing = claim(uuid::Uuid::nil(), wang);
        assert_eq!(code(db.open_claim(&actor(), &draft(&missing)).await, "incident_id"), "err-choice");
        let fatal = ClaimInput {
            severity: "fatal".into(),
            family_name: "李桂芳".into(),
            family_relation: "spouse".into(),
            family_phone: "13800001111".into(),
            ..claim(inc, wang)
        };
        assert_eq!(code(db.open_claim(&actor(), &draft(&fatal)).await, "severity"), "err-claim-not-fatal-incident");

        let r = db.open_claim(&actor(), &draft(&claim(inc, wang))).await.unwrap();
        assert_eq!((r.status(), r.current.version, r.injury_date), (ClaimStatus::Opened, 1, d("2026-10-01")));
        assert_eq!(r.deadline(), d("2026-10-31"));
        assert_eq!(r.deadline_state(d("2026-10-24")), DeadlineState::DaysLeft { days: 7 });
        assert!(r.deadline_state(d(TODAY)).is_overdue());
        assert_eq!(code(db.open_claim(&actor(), &draft(&claim(inc, wang))).await, "worker_id"), "err-claim-duplicate");
        let id = r.id();

        // Applied before the injury: refused; on the 20th: the next step.
        let early = ClaimInput { status: "applied".into(), applied_on: "2026-09-30".into(), ..claim(inc, wang) };
        assert_eq!(code(db.change_claim(&actor(), id, 1, &draft(&early)).await, "applied_on"), "err-claim-before-injury");
        let applied = ClaimInput { status: "applied".into(), applied_on: "2026-10-20".into(), ..claim(inc, wang) };
        let r = db.change_claim(&actor(), id, 1, &draft(&applied)).await.unwrap();
        assert_eq!((r.status(), r.current.version, r.current.change.as_str()), (ClaimStatus::Applied, 2, "advanced"));
        assert_eq!(r.deadline_state(d(TODAY)), DeadlineState::Applied { on: d("2026-10-20"), late_days: 0 });
        assert!(matches!(db.change_claim(&actor(), id, 1, &draft(&applied)).await, Err(StoreError::Conflict)), "stale");
        // Skipping to paid is refused; a correction needs its reason.
        let paid = ClaimInput {
            status: "paid".into(),
            determination: "recognised".into(),
            determined_on: "2026-11-10".into(),
            payer: "injury_fund".into(),
            claimed: "5000".into(),
            paid: "5000".into(),
            paid_on: "2026-11-20".into(),
            ..applied.clone()
        };
        assert_eq!(code(db.change_claim(&actor(), id, 2, &draft(&paid)).await, "status"), "err-claim-transition");
        let fix = ClaimInput { applied_on: "2026-10-21".into(), ..applied.clone() };
        assert_eq!(code(db.change_claim(&actor(), id, 2, &draft(&fix)).await, "reason"), "err-reason-required");
        let fix = ClaimInput { reason: "申请表日期抄错".into(), ..fix };
        let r = db.change_claim(&actor(), id, 2, &draft(&fix)).await.unwrap();
        assert_eq!((r.current.version, r.current.change.as_str(), r.current.applied_on), (3, "corrected", Some(d("2026-10-21"))));
        // The incident and the worker stay.
        let moved = ClaimInput { worker_id: other.to_string(), ..fix.clone() };
        assert_eq!(code(db.change_claim(&actor(), id, 3, &draft(&moved)).await, "worker_id"), "err-claim-links-fixed");

        // Nothing was changed in place: every version is kept, each in the audit trail.
        let versions = db.claim_versions(id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.status.as_str()).collect::<Vec<_>>(), ["opened", "applied", "applied"]);
        let f = AuditFilter { entity: Some("injury_claim".into()), ..Default::default() };
        assert_eq!(db.audit_list(&f, 1, 100).await.unwrap().total, 3);

        // Documents are attachments, audited as the claim's.
        db.attach_claim_document(&actor(), id, "工伤认定申请表.pdf", b"%PDF-1.4").await.unwrap();
        assert_eq!(db.claim_documents(id).await.unwrap()[0].file_name, "工伤认定申请表.pdf");
        let f = AuditFilter { entity: Some("claim_document".into()), ..Default::default() };
        assert_eq!(db.audit_list(&f, 1, 100).await.unwrap().total, 1);
        assert!(matches!(db.attach_claim_document(&actor(), uuid::Uuid::nil(), "x", b"x").await, Err(StoreError::NotFound)));
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn claims_are_listed_by_mine_status_incident_worker_and_overdue(db) {
        let (a, b) = two_mines(&db).await;
        let inc_a = incident(&db, a, "2026-10-01", "0").await;
        let inc_b = incident(&db, b, "2026-11-20", "0").await;
        let wang = worker(&db, a, "王大山", "011", "2024-04-01").await;
        let li = worker(&db, a, "李四", "031", "2024-04-01").await;
        let zhao = worker(&db, b, "赵六", "051", "2024-04-01").await;
        let c1 = db.open_claim(&actor(), &draft(&claim(inc_a, wang))).await.unwrap().id();
        let c2 = db.open_claim(&actor(), &draft(&claim(inc_a, li))).await.unwrap().id();
        let c3 = db.open_claim(&actor(), &draft(&claim(inc_b, zhao))).await.unwrap().id();
        let applied = ClaimInput { status: "applied".into(), applied_on: "2026-10-20".into(), ..claim(inc_a, li) };
        db.change_claim(&actor(), c2, 1, &draft(&applied)).await.unwrap();
        let ids = |v: Vec<minecoop_store::workforce::ClaimRecord>| {
            let mut x: Vec<uuid::Uuid> = v.into_iter().map(|r| r.id()).collect();
            x.sort();
            x
        };
        let sorted = |mut v: Vec<uuid::Uuid>| {
            v.sort();
            v
        };
        let all = db.claims(&ClaimFilter::default()).await.unwrap();
        assert_eq!(all[0].id(), c3, "the latest injury first");
        assert_eq!(all[0].worker_name, "赵六");
        assert_eq!(ids(db.claims(&ClaimFilter { mines: Some(vec![a]), ..Default::default() }).await.unwrap()), sorted(vec![c1, c2]));
        assert_eq!(ids(db.claims(&ClaimFilter { status: Some(ClaimStatus::Applied), ..Default::default() }).await.unwrap()), vec![c2]);
        assert_eq!(ids(db.claims(&ClaimFilter { incident: Some(inc_b), ..Default::default() }).await.unwrap()), vec![c3]);
        assert_eq!(ids(db.claims(&ClaimFilter { worker: Some(wang), ..Default::default() }).await.unwrap()), vec![c1]);
        // On the 26th of November only Wang's is overdue: Li's was applied for, Zhao's has days left.
        let overdue = ClaimFilter { overdue_on: Some(d(TODAY)), ..Default::default() };
        assert_eq!(ids(db.claims(&overdue).await.unwrap()), vec![c1]);
        assert!(db.claims(&ClaimFilter { mines: Some(vec![]), ..Default::default() }).await.unwrap().is_empty());
    }

    async fn the_deadline_alerts_the_owner_and_the_officer_once_when_close_and_once_when_passed(db) {
        let (a, _) = two_mines(&db).await;
        let mine = db.mine(a).await.unwrap();
        for (name, role, member, mine_id) in
            [("owner_a", Role::Owner, Some(mine.member_id), None), ("officer_a", Role::SafetyOfficer, None, Some(a))]
        {
            db.create_user(
                &actor(),
                NewUser {
                    username: name.into(),
                    display_name: String::new(),
                    password: "correct horse battery".into(),
                    role,
                    member_id: member,
                    mine_id,
                },
            )
            .await
            .unwrap();
        }
        let inc = incident(&db, a, "2026-10-01", "0").await;
        let wang = worker(&db, a, "王大山", "011", "2024-04-01").await;
        let li = worker(&db, a, "李四", "031", "2024-04-01").await;
        db.open_claim(&actor(), &draft(&claim(inc, wang))).await.unwrap();
        let applied = db.open_claim(&actor(), &draft(&claim(inc, li))).await.unwrap();
        let i = ClaimInput { status: "applied".into(), applied_on: "2026-10-05".into(), ..claim(inc, li) };
        db.change_claim(&actor(), applied.id(), 1, &draft(&i)).await.unwrap();

        assert_eq!(db.alert_claim_deadlines(d("2026-10-23")).await.unwrap(), 0, "eight days left");
        assert_eq!(db.alert_claim_deadlines(d("2026-10-24")).await.unwrap(), 1, "seven days left");
        assert_eq!(db.alert_claim_deadlines(d("2026-10-25")).await.unwrap(), 0, "once");
        assert_eq!(db.alert_claim_deadlines(d("2026-11-01")).await.unwrap(), 1, "passed");
        assert_eq!(db.alert_claim_deadlines(d("2026-11-02")).await.unwrap(), 0, "once");
        for name in ["owner_a", "officer_a"] {
            let u = db.user_by_name(name).await.unwrap();
            let mut kinds: Vec<String> = db.alerts_for(u.id, 10).await.unwrap().into_iter().map(|a| a.kind).collect();
            kinds.sort();
            assert_eq!(kinds, ["claim_deadline_near", "claim_deadline_passed"], "{name}");
            let alerts = db.alerts_for(u.id, 10).await.unwrap();
            assert!(alerts.iter().all(|x| x.args.contains("王大山") && x.link.starts_with("/claims/")));
        }
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn the_demo_has_a_paid_claim_one_near_its_deadline_and_one_overdue(db) {
        minecoop_store::demo::load(&db).await.unwrap();
        let last = minecoop_store::demo::demo_today();
        let mines: Vec<_> = db.mine_choices().await.unwrap().into_iter().filter(|m| m.status == "operating").collect();
        minecoop_store::safety::demo::load(&db, &mines, chrono::Datelike::year(&last) - 1, last).await.unwrap();
        let made = db.load_demo_claims(last).await.unwrap();
        let near = db.claim(made.near.unwrap()).await.unwrap();
        assert_eq!(near.deadline_state(last), DeadlineState::DaysLeft { days: 5 });
        let overdue = db.claim(made.overdue.unwrap()).await.unwrap();
        assert_eq!(overdue.deadline_state(last), DeadlineState::Overdue { days: 11 });
        let paid = db.claim(made.paid.expect("an injury of the last year with a worker")).await.unwrap();
        assert_eq!(paid.status(), ClaimStatus::Closed);
        assert!(paid.current.paid_fen > 0 && paid.current.paid_fen == paid.current.claimed_fen);
        assert!(matches!(paid.deadline_state(last), DeadlineState::Applied { late_days: 0, .. }));
        let steps: Vec<String> = db.claim_versions(paid.id()).await.unwrap().into_iter().map(|v| v.status).collect();
        assert_eq!(steps, ["opened", "applied", "determined", "claimed", "paid", "closed"]);
        let all = db.claims(&ClaimFilter::default()).await.unwrap();
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|c| c.current.severity != "fatal"), "the only fatal accident predates the workers");
        // Daping's officer hears of both open claims.
        assert_eq!(db.alert_claim_deadlines(last).await.unwrap(), 2);
        let officer = db.user_by_name("officer").await.unwrap();
        assert_eq!(db.alerts_for(officer.id, 50).await.unwrap().iter().filter(|a| a.kind.starts_with("claim_")).count(), 2);
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}
