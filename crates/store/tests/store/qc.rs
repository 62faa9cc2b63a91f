use minecoop_domain::production::default_elements;
use minecoop_domain::production::qc::{DecisionDraft, DecisionInput, MaterialDraft, MaterialInput, Outcome, QcLimits};
use minecoop_domain::production::sample::{
    AssayDraft, AssayInput, CustodyStep, SampleDraft, SampleInput, parse_local_time,
};
use minecoop_store::{Store, StoreError, both_backends};

use crate::{actor, member_draft, mine_draft};

fn material(accepted: &str, sd: &str) -> MaterialDraft {
    let i = MaterialInput {
        name: "GBW07165".into(),
        element: "zn".into(),
        accepted: accepted.into(),
        sd: sd.into(),
        certificate: "国家标准物质".into(),
    };
    MaterialDraft::parse(&i, &default_elements()).unwrap()
}

/// A sample taken, received by the laboratory and assayed for zinc in batch `batch`.
async fn assayed(db: &Store, mine: uuid::Uuid, at: &str, role: &str, link: &str, value: &str, batch: &str) -> String {
    let i = SampleInput {
        mine_id: mine.to_string(),
        kind: "feed".into(),
        point: "mill feed".into(),
        taken_at: at.into(),
        taken_by: "张工".into(),
        qc_role: role.into(),
        duplicate_of: if role == "duplicate" { link.into() } else { String::new() },
        reference: if role == "crm" { link.into() } else { String::new() },
        ..Default::default()
    };
    let d = SampleDraft::parse(&i, parse_local_time("2026-11-26T12:00").unwrap()).unwrap();
    let s = db.register_sample(&actor(), &d).await.unwrap();
    let t = parse_local_time(at).unwrap() + chrono::Duration::hours(2);
    db.add_custody_step(&actor(), s.id, CustodyStep::Dispatched, t, "王", None).await.unwrap();
    db.add_custody_step(&actor(), s.id, CustodyStep::Received, t, "李", None).await.unwrap();
    let a = AssayDraft::parse(
        &AssayInput { element: "zn".into(), value: value.into(), method: "AAS".into(), detection_limit: "0.01".into() },
        &default_elements(),
    )
    .unwrap();
    db.record_assays(&actor(), s.id, "都匀化验室", batch, &[a], None).await.unwrap();
    s.code
}

both_backends! {
    async fn a_failing_crm_flags_its_batch_until_an_inspector_decides(db) {
        let m = db.create_member(&actor(), &member_draft(7, "QC")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "QC1")).await.unwrap();
        let other = db.create_mine(&actor(), &mine_draft(m.id, "QC2")).await.unwrap();
        // A material's first certificate, then a new one: both kept, the latest in force.
        let v1 = db.add_reference_material(&actor(), &material("3.10", "0.05")).await.unwrap();
        let v2 = db.add_reference_material(&actor(), &material("3.00", "0.05")).await.unwrap();
        assert_eq!((v1.version, v2.version), (1, 2));
        assert_eq!(db.reference_materials().await.unwrap().len(), 2, "nothing replaced");
        let cur = db.current_materials().await.unwrap();
        assert_eq!((cur.len(), cur[0].accepted), (1, 30_000));

        let orig = assayed(&db, mine.id, "2005-03-01T09:00", "", "", "3.48", "B1").await;
        assayed(&db, mine.id, "2005-03-01T09:10", "duplicate", &orig, "3.40", "B1").await;
        assayed(&db, mine.id, "2005-03-01T09:20", "blank", "", "<0.01", "B1").await;
        assayed(&db, mine.id, "2005-03-01T09:30", "crm", "GBW07165", "3.02", "B1").await;
        // Batch B2: the CRM reads 3.30 (6 sd high), and another mine's routine sample.
        let bad = assayed(&db, mine.id, "2005-03-02T09:00", "crm", "GBW07165", "3.30", "B2").await;
        assayed(&db, other.id, "2005-03-02T09:10", "", "", "2.10", "B2").await;

        let t = |s: &str| parse_local_time(s).unwrap();
        let limits = QcLimits::default();
        let all = db.qc_batches(None, t("2005-03-01T00:00"), t("2005-03-31T23:59"), &limits).await.unwrap();
        let seen: Vec<(&str, Outcome, usize, usize)> =
            all.iter().map(|b| (b.qc.batch.as_str(), b.qc.outcome, b.qc.samples, b.qc.checks.len())).collect();
        assert_eq!(seen, [("B1", Outcome::Pass, 4, 3), ("B2", Outcome::Fail, 2, 1)]);
        let failed: Vec<(&str, &str, Option<i64>)> =
            all[1].qc.failed().map(|c| (c.sample.as_str(), c.rule, c.expected)).collect();
        assert_eq!(failed, [(bad.as_str(), "qc-rule-crm-3sd", Some(30_000))]);
        assert!(all[1].awaiting_decision() && !all[0].awaiting_decision());

        // Scoped to the other mine: only B2, without the first mine's CRM check.
        let scoped = db.qc_batches(Some(&[other.id]), t("2005-03-01T00:00"), t("2005-03-31T23:59"), &limits).await.unwrap();
        assert_eq!(scoped.len(), 1);
        assert_eq!((scoped[0].qc.outcome, scoped[0].qc.checks.len()), (Outcome::Fail, 0));

        // The dashboard's view, of any time: the same batch, counted whole.
        let awaiting = db.qc_awaiting(None, &limits).await.unwrap();
        assert_eq!(awaiting.len(), 1);
        assert_eq!((awaiting[0].qc.batch.as_str(), awaiting[0].qc.samples, awaiting[0].qc.mines.len()), ("B2", 2, 2));
        assert_eq!(db.qc_awaiting(Some(&[other.id]), &limits).await.unwrap().len(), 1, "his routine sample is in it");

        // The decision: a reason is required by the domain; an unknown batch is not found.
        let decide = |d: &str, r: &str| DecisionDraft::parse(&DecisionInput { decision: d.into(), reason: r.into() });
        assert!(decide("accepted", "").is_err());
        let ok = decide("accepted", "CRM bottle contaminated; re-assay of routine samples agrees").unwrap();
        assert!(matches!(db.decide_batch(&actor(), "都匀化验室", "B9", &ok, &limits).await, Err(StoreError::NotFound)));
        db.decide_batch(&actor(), "都匀化验室", "B2", &decide("rejected", "first look").unwrap(), &limits).await.unwrap();
        db.decide_batch(&actor(), "都匀化验室", "B2", &ok, &limits).await.unwrap();
        let b2 = db.qc_batch("都匀化验室", "B2", &limits).await.unwrap();
        assert_eq!(b2.decision.as_ref().map(|d| d.decision.as_str()), Some("accepted"), "the latest counts");
        assert!(!b2.awaiting_decision());
        assert_eq!(db.qc_decisions("都匀化验室", "B2").await.unwrap().len(), 2, "earlier decisions stay");
        assert!(db.qc_awaiting(None, &limits).await.unwrap().is_empty(), "decided: off the dashboard");
        assert!(matches!(db.qc_batch("都匀化验室", "B9", &limits).await, Err(StoreError::NotFound)));

        // A batch accepted on a warning comes back when a later result makes it fail, and a
        // decision on the failure takes it off again.
        assayed(&db, mine.id, "2005-03-03T09:00", "crm", "GBW07165", "2.88", "B3").await;
        let b3 = db.qc_batch("都匀化验室", "B3", &limits).await.unwrap();
        assert_eq!(b3.qc.outcome, Outcome::Warning);
        db.decide_batch(&actor(), "都匀化验室", "B3", &decide("accepted", "within the lab's own limits").unwrap(), &limits).await.unwrap();
        assert_eq!(db.qc_decisions("都匀化验室", "B3").await.unwrap()[0].decided_outcome.as_deref(), Some("warning"));
        assert!(db.qc_awaiting(None, &limits).await.unwrap().is_empty());
        assayed(&db, mine.id, "2005-03-03T09:30", "crm", "GBW07165", "2.70", "B3").await;
        let back = db.qc_awaiting(None, &limits).await.unwrap();
        assert_eq!(back.iter().map(|b| (b.qc.batch.as_str(), b.qc.outcome)).collect::<Vec<_>>(), [("B3", Outcome::Fail)]);
        assert!(!back[0].decision_covers_outcome(), "the warning's acceptance does not cover the failure");
        db.decide_batch(&actor(), "都匀化验室", "B3", &decide("rejected", "re-assay the batch").unwrap(), &limits).await.unwrap();
        assert!(db.qc_awaiting(None, &limits).await.unwrap().is_empty());

        // Every change is in the hash-chained audit log.
        for entity in ["reference_material", "qc_decision"] {
            let f = minecoop_store::audit::AuditFilter { entity: Some(entity.into()), ..Default::default() };
            let n = if entity == "qc_decision" { 4 } else { 2 };
            assert_eq!(db.audit_list(&f, 1, 100).await.unwrap().items.len(), n, "{entity}");
        }
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}

both_backends! {
    async fn a_batch_is_judged_whole_whatever_the_period_asked(db) {
        minecoop_store::demo::load(&db).await.unwrap();
        minecoop_store::demo::load_history(&db).await.unwrap();
        let at = |s: &str| parse_local_time(s).unwrap();
        // July's reference material was run on the 20th; the 1st to the 19th still names the
        // batch (its ore samples), and the batch is as failed as it is.
        let early = db.qc_batches(None, at("2005-07-01T00:00"), at("2005-07-19T23:59"), &QcLimits::default()).await.unwrap();
        let july = early.iter().find(|b| b.qc.batch == "2005-07").expect("the period names July's batch");
        assert_eq!(july.qc.outcome, Outcome::Fail);
        assert_eq!(july.qc.samples, 18 + 2, "every sample of the batch, not only the period's");
        assert!(early.iter().all(|b| b.qc.batch == "2005-07"), "only the period's batches");
        let whole = db.qc_batch(&july.qc.lab, "2005-07", &QcLimits::default()).await.unwrap();
        assert_eq!((whole.qc.outcome, whole.qc.samples), (july.qc.outcome, july.qc.samples));
        // The report's count judges only the batches' QC samples, and agrees with the full view.
        let (jan, dec) = (at("2005-01-01T00:00"), at("2005-12-31T23:59"));
        let limits = QcLimits::default();
        let mut full: Vec<_> = db.qc_batches(None, jan, dec, &limits).await.unwrap().into_iter()
            .map(|b| (b.qc.lab, b.qc.batch, b.qc.outcome, b.qc.checks.len(), b.qc.first_taken)).collect();
        let mut fast: Vec<_> = db.qc_judged_between(None, jan, dec, &limits).await.unwrap().into_iter()
            .map(|b| (b.qc.lab, b.qc.batch, b.qc.outcome, b.qc.checks.len(), b.qc.first_taken)).collect();
        full.sort_by(|a, b| a.1.cmp(&b.1));
        fast.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(fast.len(), 12);
        assert_eq!(fast, full);
    }
}
