use std::collections::BTreeMap;

use chrono::NaiveDate;
use minecoop_domain::production::default_elements;
use minecoop_domain::production::period::totals;
use minecoop_domain::production::record::{ConcentrateInput, ProductionDraft, ProductionInput};
use minecoop_store::{StoreError, both_backends};
use rust_decimal::Decimal;

use crate::{actor, member_draft, mine_draft};

fn input(mine: uuid::Uuid, day: &str, milled: &str, feed_zn: &str) -> ProductionInput {
    let m = |k: &str, v: &str| BTreeMap::from([(k.to_owned(), v.to_owned())]);
    ProductionInput {
        mine_id: mine.to_string(),
        day: day.into(),
        ore_hoisted_t: milled.into(),
        ore_milled_t: milled.into(),
        feed_grades: m("zn", feed_zn),
        concentrates: vec![ConcentrateInput {
            name: "Zn concentrate".into(),
            wet_t: "10".into(),
            moisture_pct: "0".into(),
            grades: m("zn", "50"),
        }],
        tailings_t: "190".into(),
        tailings_grades: m("zn", "0.28"),
        tailings_facility: "T1".into(),
        hours_worked: "800".into(),
        costs: m("labour", "1200.50"),
        ..Default::default()
    }
}

fn draft(i: &ProductionInput) -> ProductionDraft {
    ProductionDraft::parse(i, &default_elements(), NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).unwrap()
}

both_backends! {
    async fn a_day_is_recorded_once_and_corrected_by_versions(db) {
        let m = db.create_member(&actor(), &member_draft(1, "P")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "P1")).await.unwrap();
        let d = draft(&input(mine.id, "2005-03-01", "200", "3"));
        let v1 = db.record_production(&actor(), &d, "form").await.unwrap();
        assert_eq!(v1.version, 1);
        assert_eq!(v1.draft().feed_grades, d.feed_grades, "what was stored reads back");
        assert_eq!(v1.draft().concentrates, d.concentrates);
        // The same day again is not a second record.
        match db.record_production(&actor(), &d, "form").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("day").unwrap().code, "err-production-exists"),
            other => panic!("{other:?}"),
        }
        // A correction needs a reason and the version it corrects.
        let mut fixed = input(mine.id, "2005-03-01", "210", "3");
        assert!(matches!(db.correct_production(&actor(), 1, &draft(&fixed), "form").await, Err(StoreError::Invalid(_))));
        fixed.reason = "scale re-read".into();
        let v2 = db.correct_production(&actor(), 1, &draft(&fixed), "form").await.unwrap();
        assert_eq!(v2.version, 2);
        assert!(matches!(db.correct_production(&actor(), 1, &draft(&fixed), "form").await, Err(StoreError::Conflict)));
        let versions = db.production_versions(mine.id, d.day, "").await.unwrap();
        assert_eq!(versions.len(), 2, "the old version stays");
        assert_eq!(versions[0].ore_milled_kg, Some(200_000));
        // Every change is in the audit log.
        let f = minecoop_store::audit::AuditFilter { entity: Some("production".into()), ..Default::default() };
        let log = db.audit_list(&f, 1, 100).await.unwrap();
        assert!(log.items.iter().filter(|a| a.entity == "production").count() >= 2);
    }

    async fn a_period_reads_only_current_versions(db) {
        let m = db.create_member(&actor(), &member_draft(2, "Q")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "Q1")).await.unwrap();
        let other = db.create_mine(&actor(), &mine_draft(m.id, "Q2")).await.unwrap();
        db.record_production(&actor(), &draft(&input(mine.id, "2005-03-01", "100", "2")), "form").await.unwrap();
        db.record_production(&actor(), &draft(&input(mine.id, "2005-03-02", "300", "4")), "form").await.unwrap();
        db.record_production(&actor(), &draft(&input(other.id, "2005-03-02", "50", "4")), "form").await.unwrap();
        db.record_production(&actor(), &draft(&input(mine.id, "2005-04-01", "999", "4")), "form").await.unwrap();
        let mut fix = input(mine.id, "2005-03-02", "300", "6");
        fix.reason = "assay corrected".into();
        db.correct_production(&actor(), 1, &draft(&fix), "form").await.unwrap();
        let from = NaiveDate::from_ymd_opt(2005, 3, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2005, 3, 31).unwrap();
        let march = db.production_between(Some(&[mine.id]), from, to).await.unwrap();
        assert_eq!(march.len(), 2);
        let drafts: Vec<_> = march.iter().map(|r| r.draft()).collect();
        let s = totals(&drafts, &default_elements());
        // 100 t at 2 % and 300 t at 6 % (the correction): 20 t of zinc in 400 t is 5 %.
        assert_eq!(s.ore_milled_t, Decimal::from(400));
        assert_eq!(s.metal["zn"].feed.grade(&default_elements()[0]), Some(Decimal::from(5)));
        assert_eq!(s.costs["labour"], Decimal::new(240_100, 2));
        assert_eq!(db.production_between(None, from, to).await.unwrap().len(), 3);
        // What the report reads: the same metal, from a few columns of the current versions.
        let light = db.production_metal_between(Some(&[mine.id]), from, to).await.unwrap();
        assert_eq!(light.len(), 2);
        let l = totals(&light, &default_elements());
        assert_eq!(l.metal, s.metal, "the same metal totals, to the last digit");
        assert_eq!(l.ore_milled_t, s.ore_milled_t);
        assert_eq!((light[1].day, light[1].feed_grades["zn"]), (drafts[1].day, 60_000));
        assert_eq!(db.production_metal_between(None, from, to).await.unwrap().len(), 3);
    }
}

both_backends! {
    async fn an_import_is_all_or_nothing_and_idempotent(db) {
        use minecoop_store::production::ImportPlan;
        let m = db.create_member(&actor(), &member_draft(3, "R")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "R1")).await.unwrap();
        let rows = vec![
            draft(&input(mine.id, "2005-05-01", "100", "3")),
            draft(&input(mine.id, "2005-05-02", "110", "3")),
        ];
        assert_eq!(db.plan_production_import(&rows).await.unwrap(), vec![ImportPlan::New, ImportPlan::New]);
        assert_eq!(db.import_production(&actor(), &rows, "import:abc").await.unwrap(), (2, 0));
        // The same file again adds nothing.
        assert_eq!(db.import_production(&actor(), &rows, "import:abc").await.unwrap(), (0, 2));
        // A file with one new day and one changed day writes nothing at all.
        let next = vec![
            draft(&input(mine.id, "2005-05-03", "120", "3")),
            draft(&input(mine.id, "2005-05-02", "999", "3")),
        ];
        assert_eq!(db.plan_production_import(&next).await.unwrap(), vec![ImportPlan::New, ImportPlan::Differs]);
        match db.import_production(&actor(), &next, "import:def").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("1").unwrap().code, "err-import-differs"),
            other => panic!("{other:?}"),
        }
        let may = db
            .production_between(None, NaiveDate::from_ymd_opt(2005, 5, 1).unwrap(), NaiveDate::from_ymd_opt(2005, 5, 31).unwrap())
            .await
            .unwrap();
        assert_eq!(may.len(), 2, "the new day of the failed import is not there");
        assert_eq!(may[0].source, "import:abc");
    }
}

both_backends! {
    async fn targets_keep_their_history_and_the_latest_counts(db) {
        use minecoop_domain::production::target::{TargetDraft, TargetInput, applicable};
        let m = db.create_member(&actor(), &member_draft(7, "T")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "T1")).await.unwrap();
        let t = |mine: &str, value: &str| {
            TargetDraft::parse(
                &TargetInput {
                    year: "2005".into(),
                    mine_id: mine.into(),
                    figure: "tailing_grade".into(),
                    element: "zn".into(),
                    value: value.into(),
                    reason: String::new(),
                },
                &default_elements(),
            )
            .unwrap()
        };
        db.set_target(&actor(), &t("", "0.30")).await.unwrap();
        db.set_target(&actor(), &t(&mine.id.to_string(), "0.25")).await.unwrap();
        db.set_target(&actor(), &t("", "0.29")).await.unwrap();
        // A target for a mine that does not exist is refused on the field.
        match db.set_target(&actor(), &t(&uuid::Uuid::from_u128(1).to_string(), "0.2")).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("mine_id").unwrap().code, "err-choice"),
            other => panic!("{other:?}"),
        }
        let all = db.targets(2005).await.unwrap();
        assert_eq!(all.len(), 3, "the replaced target stays in the history");
        assert!(db.targets(2006).await.unwrap().is_empty());
        let keys: Vec<_> = all.iter().map(|t| t.key()).collect();
        assert_eq!(applicable(&keys, None, "tailing_grade.zn"), Some(2900));
        assert_eq!(applicable(&keys, Some(mine.id), "tailing_grade.zn"), Some(2500));
        let f = minecoop_store::audit::AuditFilter { entity: Some("target".into()), ..Default::default() };
        assert_eq!(db.audit_list(&f, 1, 100).await.unwrap().items.len(), 3);
    }

    async fn an_import_of_thousands_crosses_the_batches_and_stays_idempotent(db) {
        let m = db.create_member(&actor(), &member_draft(7, "V")).await.unwrap();
        let mut mines = Vec::new();
        for k in 0..5 {
            mines.push(db.create_mine(&actor(), &mine_draft(m.id, &format!("V{k}"))).await.unwrap().id);
        }
        let start = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
        let rows: Vec<ProductionDraft> = (0..2500)
            .map(|i| {
                let day = (start + chrono::Days::new((i / 5) as u64)).to_string();
                draft(&input(mines[i % 5], &day, &format!("{}", 100 + i % 37), "3"))
            })
            .collect();
        let before = db.audit_verify().await.unwrap().unwrap();
        assert_eq!(db.import_production(&actor(), &rows[..700], "import:part").await.unwrap(), (700, 0));
        assert_eq!(db.import_production(&actor(), &rows, "import:all").await.unwrap(), (1800, 700));
        assert_eq!(db.audit_verify().await.unwrap().unwrap(), before + 2500, "every record imported is in the trail");
        assert_eq!(db.import_production(&actor(), &rows, "import:all").await.unwrap(), (0, 2500), "the same file again adds nothing");
        let end = start + chrono::Days::new(499);
        let all = db.production_between(None, start, end).await.unwrap();
        assert_eq!(all.len(), 2500);
        assert_eq!(all.iter().filter(|r| r.source == "import:part").count(), 700);
        let mut changed = rows.clone();
        changed[2345] = draft(&input(mines[2345 % 5], &(start + chrono::Days::new(469)).to_string(), "999", "3"));
        match db.import_production(&actor(), &changed, "import:changed").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("2345").unwrap().code, "err-import-differs"),
            other => panic!("{other:?}"),
        }
    }
}
