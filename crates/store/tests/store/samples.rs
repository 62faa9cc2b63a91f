use minecoop_domain::production::default_elements;
use minecoop_domain::production::sample::{
    AssayDraft, AssayInput, CustodyStep, SampleDraft, SampleInput, parse_local_time,
};
use minecoop_store::{StoreError, both_backends};

use crate::{actor, member_draft, mine_draft};

fn sample(mine: uuid::Uuid, at: &str, role: &str, dup: &str) -> SampleDraft {
    let i = SampleInput {
        mine_id: mine.to_string(),
        kind: "feed".into(),
        point: "mill feed".into(),
        taken_at: at.into(),
        taken_by: "张工".into(),
        qc_role: role.into(),
        duplicate_of: dup.into(),
        ..Default::default()
    };
    SampleDraft::parse(&i, parse_local_time("2026-11-26T12:00").unwrap()).unwrap()
}

fn zn(v: &str) -> AssayDraft {
    AssayDraft::parse(
        &AssayInput { element: "zn".into(), value: v.into(), method: "AAS".into(), detection_limit: "0.01".into() },
        &default_elements(),
    )
    .unwrap()
}

/// A sheet given to the store in `blocks` (`None`: the sheet was found to have a problem), as
/// the command line gives it while it checks the next block.
async fn import_blocks<'a>(
    db: &minecoop_store::Store,
    blocks: Vec<Option<Vec<minecoop_store::production::samples::CheckedRow<'a>>>>,
    source: &str,
) -> Result<Option<(usize, usize)>, StoreError> {
    let (send, recv) = tokio::sync::mpsc::channel(blocks.len().max(1));
    for b in blocks {
        send.send(b).await.unwrap();
    }
    drop(send);
    db.import_assay_blocks(&actor(), recv, source, &|_| {}).await
}

both_backends! {
    async fn a_fresh_sheet_and_a_mixed_sheet_are_written_alike(db) {
        // A fresh sheet takes the fast path (SQLite's handle, PostgreSQL's COPY); a sheet with
        // a row already recorded is judged and written block by block. Both must store the same
        // thing, text with tabs, backslashes and line breaks included.
        use minecoop_store::production::samples::{SampleKey, SheetResults};
        let m = db.create_member(&actor(), &member_draft(8, "W")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "W1")).await.unwrap();
        let at = parse_local_time("2008-01-02T09:00").unwrap();
        let codes: Vec<String> = (1..=4).map(|i| format!("S2008-{i:05}")).collect();
        let seeded: Vec<(String, chrono::NaiveDateTime)> = codes.iter().map(|c| (c.clone(), at)).collect();
        let ids = db.seed_received_samples(mine.id, &seeded).await.unwrap();
        let (lab, batch) = ("都匀\\化验室", "B\t1\\n\n二");
        let below = AssayDraft { element: "pb".into(), ..zn("<0.01") };
        let results = [vec![zn("3.48"), below.clone()], vec![zn("0.28")], vec![zn("3.48"), below], vec![zn("0.28")]];
        let sheet = |from: usize, to: usize| -> Vec<SheetResults<'_>> {
            (from..to)
                .map(|i| SheetResults { sample: SampleKey::Code(&codes[i]), lab, batch, results: &results[i] })
                .collect()
        };
        assert_eq!(db.import_assay_sheet(&actor(), &sheet(0, 2), "import:fresh", &|_| {}).await.unwrap(), (3, 0));
        // The second sample again (the same), then two new ones.
        assert_eq!(db.import_assay_sheet(&actor(), &sheet(1, 4), "import:mixed", &|_| {}).await.unwrap(), (3, 1));
        let stored = |i: usize| {
            let db = &db;
            let id = ids[i];
            async move {
                let r = db.sample_record(id).await.unwrap();
                r.assays
                    .iter()
                    .map(|a| {
                        (a.element.clone(), a.version, a.value_e4, a.below_dl, a.detection_limit_e4, a.method.clone(),
                         a.lab.clone(), a.batch.clone(), a.reason.clone(), a.created_by.clone())
                    })
                    .collect::<Vec<_>>()
            }
        };
        let (fresh, mixed) = (stored(0).await, stored(2).await);
        assert_eq!(fresh.len(), 2);
        assert_eq!(fresh, mixed, "the fast path and the judged path write the same rows");
        assert_eq!((fresh[0].6.as_str(), fresh[0].7.as_str()), (lab, batch));
        assert_eq!(stored(1).await.len(), 1, "the row already recorded is not written twice");
        assert_eq!(stored(3).await, stored(1).await);
        // The same sample twice in one fresh sheet: the fast path stops at the second, and the
        // judged path writes the first once (as it always did).
        let fifth = db.seed_received_samples(mine.id, &[("S2008-00005".to_owned(), at)]).await.unwrap();
        let twice: Vec<SheetResults<'_>> = (0..2)
            .map(|_| SheetResults { sample: SampleKey::Code("S2008-00005"), lab, batch, results: &results[1] })
            .collect();
        assert_eq!(db.import_assay_sheet(&actor(), &twice, "import:twice", &|_| {}).await.unwrap(), (1, 0));
        assert_eq!(db.sample_record(fifth[0]).await.unwrap().assays.len(), 1);
        // Each import's time is its own, and the chain holds.
        let first = db.sample_record(ids[0]).await.unwrap().assays[0].created_at;
        let third = db.sample_record(ids[2]).await.unwrap().assays[0].created_at;
        assert!(first <= third);
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn a_sheet_given_in_blocks_is_imported_as_the_whole_sheet_would_be(db) {
        use minecoop_store::production::samples::CheckedRow;
        let m = db.create_member(&actor(), &member_draft(9, "K")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "K1")).await.unwrap();
        let at = parse_local_time("2009-01-02T09:00").unwrap();
        let codes: Vec<String> = (1..=8).map(|i| format!("S2009-{i:05}")).collect();
        let seeded: Vec<(String, chrono::NaiveDateTime)> = codes.iter().map(|c| (c.clone(), at)).collect();
        let ids = db.seed_received_samples(mine.id, &seeded).await.unwrap();
        let row = |i: usize, lab: &str, v: &str| CheckedRow {
            row: i + 2,
            sample: codes[i].as_str(),
            lab: lab.into(),
            batch: "B1".into(),
            results: vec![zn(v)],
        };
        let count = |i: usize| {
            let db = &db;
            let id = ids[i];
            async move { db.sample_record(id).await.unwrap().assays.len() }
        };
        // Fresh, in two blocks: written as they come; a row without a laboratory gets the unnamed one.
        let fresh = || vec![Some(vec![row(0, "", "3.48"), row(1, "L", "0.28")]), Some(vec![row(2, "L", "0.55")])];
        assert_eq!(import_blocks(&db, fresh(), "import:blocks").await.unwrap(), Some((3, 0)));
        let first = db.sample_record(ids[0]).await.unwrap();
        assert_eq!(first.assays[0].lab, minecoop_domain::production::assay_import::UNNAMED_LAB);
        // Again: nothing new (the first block is not fresh; the sheet is judged whole).
        assert_eq!(import_blocks(&db, fresh(), "import:blocks").await.unwrap(), Some((0, 3)));
        // A fresh first block, then one with a row already recorded: the first block's writing
        // is rolled back and the whole sheet judged, each new result written once.
        let mixed = vec![Some(vec![row(3, "L", "1.00")]), Some(vec![row(1, "L", "0.28"), row(4, "L", "2.00")])];
        assert_eq!(import_blocks(&db, mixed, "import:mixed").await.unwrap(), Some((2, 1)));
        assert_eq!((count(3).await, count(4).await, count(1).await), (1, 1, 1));
        // A block with a problem after a fresh one: nothing is written.
        assert_eq!(import_blocks(&db, vec![Some(vec![row(5, "L", "1.00")]), None], "import:refused").await.unwrap(), None);
        assert_eq!(count(5).await, 0, "the first block's results are rolled back");
        // A result that differs from the one recorded, in the second block: named by its place
        // in the whole sheet, and the first block's results are rolled back.
        let differs = vec![Some(vec![row(6, "L", "1.00")]), Some(vec![row(7, "L", "1.00"), row(2, "L", "9.99")])];
        match import_blocks(&db, differs, "import:differs").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("2").unwrap().code, "err-import-differs"),
            other => panic!("{other:?}"),
        }
        assert_eq!((count(6).await, count(7).await), (0, 0));
        // A sample the laboratory has not received, and a code no sample has, in a later block:
        // named, and nothing written.
        let unreceived = db.register_sample(&actor(), &sample(mine.id, "2010-03-01T09:00", "", "")).await.unwrap();
        for (code, problem) in [(unreceived.code.as_str(), "err-sample-not-received"), ("S2010-99999", "err-sample-unknown")] {
            let mut r = row(5, "L", "1.00");
            r.sample = code;
            let later = vec![Some(vec![row(7, "L", "1.00")]), Some(vec![row(6, "L", "1.00"), r])];
            match import_blocks(&db, later, "import:later").await {
                Err(StoreError::Invalid(e)) => assert_eq!(e.get("2").unwrap().code, problem),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((count(6).await, count(7).await), (0, 0));
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn a_sample_is_numbered_followed_and_assayed(db) {
        let m = db.create_member(&actor(), &member_draft(4, "S")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "S1")).await.unwrap();
        let s1 = db.register_sample(&actor(), &sample(mine.id, "2005-03-01T09:00", "", "")).await.unwrap();
        let s2 = db.register_sample(&actor(), &sample(mine.id, "2005-03-01T10:00", "duplicate", &s1.code)).await.unwrap();
        assert_eq!((s1.code.as_str(), s2.code.as_str()), ("S2005-00001", "S2005-00002"));
        match db.register_sample(&actor(), &sample(mine.id, "2005-03-01T10:00", "duplicate", "S2005-09999")).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("duplicate_of").unwrap().code, "err-sample-unknown"),
            other => panic!("{other:?}"),
        }
        // No results before the laboratory has the sample.
        assert!(matches!(db.record_assays(&actor(), s1.id, "Lab", "B1", &[zn("3.48")], None).await, Err(StoreError::Invalid(_))));
        let t = |s: &str| parse_local_time(s).unwrap();
        assert!(db.add_custody_step(&actor(), s1.id, CustodyStep::Received, t("2005-03-01T12:00"), "李", None).await.is_err());
        db.add_custody_step(&actor(), s1.id, CustodyStep::Dispatched, t("2005-03-01T12:00"), "王", None).await.unwrap();
        match db.add_custody_step(&actor(), s1.id, CustodyStep::Received, t("2005-03-01T11:00"), "李", None).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("step").unwrap().code, "err-custody-time"),
            other => panic!("{other:?}"),
        }
        db.add_custody_step(&actor(), s1.id, CustodyStep::Received, t("2005-03-02T08:00"), "李", Some("seal intact")).await.unwrap();
        db.record_assays(&actor(), s1.id, "都匀化验室", "B1", &[zn("3.48"), AssayDraft { element: "pb".into(), ..zn("<0.01") }], None)
            .await
            .unwrap();
        // A second result for zinc is a correction, with a reason.
        assert!(matches!(db.record_assays(&actor(), s1.id, "都匀化验室", "B1", &[zn("3.52")], None).await, Err(StoreError::Invalid(_))));
        db.record_assays(&actor(), s1.id, "都匀化验室", "B1", &[zn("3.52")], Some("re-assay")).await.unwrap();
        let rec = db.sample_record(s1.id).await.unwrap();
        let steps: Vec<&str> = rec.events.iter().map(|e| e.step.as_str()).collect();
        assert_eq!(steps, ["taken", "dispatched", "received"]);
        assert_eq!(rec.events[2].note.as_deref(), Some("seal intact"));
        let shown: Vec<(String, String)> = rec.assays.iter().map(|a| (a.element.clone(), a.draft().shown())).collect();
        assert_eq!(shown, [("pb".to_owned(), "< 0.01".to_owned()), ("zn".into(), "3.52".into())]);
        assert_eq!(rec.assays[1].version, 2);
        let march = db.samples_between(Some(&[mine.id]), t("2005-03-01T00:00"), t("2005-03-31T23:59")).await.unwrap();
        assert_eq!(march.len(), 2);
    }
}

both_backends! {
    async fn a_laboratory_sheet_is_imported_all_or_nothing_once(db) {
        use minecoop_store::production::samples::AssayPlan;
        let m = db.create_member(&actor(), &member_draft(5, "T")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "T1")).await.unwrap();
        let t = |s: &str| parse_local_time(s).unwrap();
        let a = db.register_sample(&actor(), &sample(mine.id, "2005-04-01T09:00", "", "")).await.unwrap();
        let b = db.register_sample(&actor(), &sample(mine.id, "2005-04-01T10:00", "", "")).await.unwrap();
        for s in [a.id, b.id] {
            db.add_custody_step(&actor(), s, CustodyStep::Dispatched, t("2005-04-01T12:00"), "王", None).await.unwrap();
        }
        db.add_custody_step(&actor(), a.id, CustodyStep::Received, t("2005-04-02T08:00"), "李", None).await.unwrap();
        let rows = vec![(a.id, "Lab".to_owned(), "B1".to_owned(), vec![zn("3.48")]), (b.id, "Lab".into(), "B1".into(), vec![zn("0.3")])];
        let keyed: Vec<_> = rows.iter().map(|(id, _, _, r)| (*id, r.clone())).collect();
        assert_eq!(db.plan_assay_import(&keyed).await.unwrap(), vec![AssayPlan::New, AssayPlan::NotReceived]);
        assert!(matches!(db.import_assays(&actor(), &rows, "import:abc").await, Err(StoreError::Invalid(_))));
        assert!(db.sample_record(a.id).await.unwrap().assays.is_empty(), "nothing written");
        db.add_custody_step(&actor(), b.id, CustodyStep::Received, t("2005-04-02T08:00"), "李", None).await.unwrap();
        assert_eq!(db.import_assays(&actor(), &rows, "import:abc").await.unwrap(), (2, 0));
        assert_eq!(db.import_assays(&actor(), &rows, "import:abc").await.unwrap(), (0, 2), "the same sheet again adds nothing");
        let changed = vec![(a.id, "Lab".to_owned(), "B1".to_owned(), vec![zn("3.50")])];
        assert!(matches!(db.import_assays(&actor(), &changed, "import:def").await, Err(StoreError::Invalid(_))));
        assert_eq!(db.sample_by_code(&a.code).await.unwrap().map(|s| s.id), Some(a.id));
    }
}

both_backends! {
    async fn a_sheet_of_thousands_crosses_the_batches_and_imports_once(db) {
        use minecoop_store::production::samples::AssayPlan;
        let m = db.create_member(&actor(), &member_draft(6, "U")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "U1")).await.unwrap();
        let codes: Vec<String> = (1..=2500).map(|i| format!("S2006-{i:05}")).collect();
        let at = parse_local_time("2006-01-02T09:00").unwrap();
        let seeded: Vec<(String, chrono::NaiveDateTime)> = codes.iter().map(|c| (c.clone(), at)).collect();
        let ids = db.seed_received_samples(mine.id, &seeded).await.unwrap();
        assert_eq!(db.samples_by_codes(&codes.iter().map(String::as_str).collect::<Vec<_>>()).await.unwrap().len(), 2500);
        let value = |i: usize| format!("{}.{:02}", i % 20, i % 100);
        let rows: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let pb = AssayDraft { element: "pb".into(), ..zn("<0.01") };
                (*id, "Lab".to_owned(), format!("B{}", i / 100), vec![zn(&value(i)), pb])
            })
            .collect();
        // The first thousand are recorded already (an earlier, smaller sheet).
        assert_eq!(db.import_assays(&actor(), &rows[..1000], "import:first").await.unwrap(), (2000, 0));
        let keyed: Vec<_> = rows.iter().map(|(id, _, _, r)| (*id, r.clone())).collect();
        let plans = db.plan_assay_import(&keyed).await.unwrap();
        assert!(plans[..1000].iter().all(|p| *p == AssayPlan::Same) && plans[1000..].iter().all(|p| *p == AssayPlan::New));
        let before = db.audit_verify().await.unwrap().unwrap();
        assert_eq!(db.import_assays(&actor(), &rows, "import:all").await.unwrap(), (3000, 1000));
        assert_eq!(db.audit_verify().await.unwrap().unwrap(), before + 1, "one link for the whole import");
        let link = db.history("assay_import", "import:all").await.unwrap();
        assert_eq!(link.len(), 1);
        assert!(link[0].after.contains("\"added\":3000"), "{}", link[0].after);
        assert_eq!(db.import_assays(&actor(), &rows, "import:all").await.unwrap(), (0, 2500), "the same sheet again adds nothing");
        let last = db.sample_record(ids[2499]).await.unwrap();
        let shown: Vec<(String, String)> = last.assays.iter().map(|a| (a.element.clone(), a.draft().shown())).collect();
        assert_eq!(shown, [("pb".to_owned(), "< 0.01".to_owned()), ("zn".into(), value(2499))]);
        // One changed result among thousands stops the whole sheet.
        let mut changed = rows.clone();
        changed[2200].3[0] = zn("19.99");
        match db.import_assays(&actor(), &changed, "import:changed").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("2200").unwrap().code, "err-import-differs"),
            other => panic!("{other:?}"),
        }
    }
}

both_backends! {
    async fn a_sheet_by_codes_is_judged_by_the_database_and_a_bad_row_writes_nothing(db) {
        use minecoop_store::production::samples::{RowIssue, SampleKey, SheetResults};
        let m = db.create_member(&actor(), &member_draft(7, "V")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "V1")).await.unwrap();
        let at = parse_local_time("2007-01-02T09:00").unwrap();
        let codes: Vec<String> = (1..=3).map(|i| format!("S2007-{i:05}")).collect();
        let seeded: Vec<(String, chrono::NaiveDateTime)> = codes.iter().map(|c| (c.clone(), at)).collect();
        let ids = db.seed_received_samples(mine.id, &seeded).await.unwrap();
        // A fourth sample, registered but not yet at the laboratory.
        let late = db.register_sample(&actor(), &sample(mine.id, "2007-01-02T10:00", "", "")).await.unwrap();
        let results = [vec![zn("3.48")], vec![zn("<0.01")], vec![zn("0.28"), AssayDraft { element: "pb".into(), ..zn("1.5") }]];
        let sheet = |codes: &[&str]| -> Vec<(String, Vec<AssayDraft>)> {
            codes.iter().zip(results.iter().cycle()).map(|(c, r)| (c.to_string(), r.clone())).collect()
        };
        // Unknown codes and a sample not received are named by row; nothing is written.
        let bad = sheet(&["S2007-00001", "S2007-09999", late.code.as_str(), "S2007-00003"]);
        let rows: Vec<SheetResults<'_>> = bad
            .iter()
            .map(|(c, r)| SheetResults { sample: SampleKey::Code(c), lab: "Lab", batch: "B1", results: r })
            .collect();
        let check = db.check_assay_sheet(&rows).await.unwrap();
        assert_eq!(check.problems, vec![(1, RowIssue::Unknown), (2, RowIssue::NotReceived)]);
        match db.import_assay_sheet(&actor(), &rows, "import:bad", &|_| {}).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.get("1").unwrap().code, "err-sample-unknown");
                assert_eq!(e.get("2").unwrap().code, "err-sample-not-received");
            }
            other => panic!("{other:?}"),
        }
        assert!(db.sample_record(ids[0]).await.unwrap().assays.is_empty(), "a bad row writes nothing");
        assert!(db.history("assay_import", "import:bad").await.unwrap().is_empty());
        // The good rows: four results, counted before and written once.
        let good = sheet(&["S2007-00001", "S2007-00002", "S2007-00003"]);
        let rows: Vec<SheetResults<'_>> = good
            .iter()
            .map(|(c, r)| SheetResults { sample: SampleKey::Code(c), lab: "Lab", batch: "B1", results: r })
            .collect();
        let check = db.check_assay_sheet(&rows).await.unwrap();
        assert!(check.problems.is_empty());
        assert_eq!((check.new_results, check.new_rows), (4, 3));
        let before = db.audit_verify().await.unwrap().unwrap();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let heard = |n: usize| done.store(n, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(db.import_assay_sheet(&actor(), &rows, "import:good", &heard).await.unwrap(), (4, 0));
        assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 3, "progress reaches every row");
        assert_eq!(db.audit_verify().await.unwrap().unwrap(), before + 1);
        let link = db.history("assay_import", "import:good").await.unwrap();
        assert!(link[0].after.contains("\"samples_by\":\"code\"") && link[0].after.contains("\"added\":4"), "{}", link[0].after);
        let third = db.sample_record(ids[2]).await.unwrap();
        let shown: Vec<(String, String, String)> =
            third.assays.iter().map(|a| (a.element.clone(), a.draft().shown(), a.batch.clone())).collect();
        assert_eq!(shown, [("pb".into(), "1.5".into(), "B1".into()), ("zn".into(), "0.28".into(), "B1".into())]);
        // Again: nothing added, no second link.
        assert_eq!(db.import_assay_sheet(&actor(), &rows, "import:good", &|_| {}).await.unwrap(), (0, 3));
        assert_eq!(db.audit_verify().await.unwrap().unwrap(), before + 1);
        // A changed figure is named, and the new row beside it is not written either.
        db.add_custody_step(&actor(), late.id, CustodyStep::Dispatched, parse_local_time("2007-01-02T12:00").unwrap(), "王", None).await.unwrap();
        db.add_custody_step(&actor(), late.id, CustodyStep::Received, parse_local_time("2007-01-03T08:00").unwrap(), "李", None).await.unwrap();
        let mut changed = sheet(&["S2007-00001", late.code.as_str()]);
        changed[0].1 = vec![zn("3.50")];
        let rows: Vec<SheetResults<'_>> = changed
            .iter()
            .map(|(c, r)| SheetResults { sample: SampleKey::Code(c), lab: "Lab", batch: "B2", results: r })
            .collect();
        match db.import_assay_sheet(&actor(), &rows, "import:changed", &|_| {}).await {
            Err(StoreError::Invalid(e)) => assert_eq!((e.0.len(), e.get("0").unwrap().code), (1, "err-import-differs")),
            other => panic!("{other:?}"),
        }
        assert!(db.sample_record(late.id).await.unwrap().assays.is_empty(), "all or nothing");
        // Mixed: one row recorded already, one new.
        let mixed = sheet(&["S2007-00001", late.code.as_str()]);
        let rows: Vec<SheetResults<'_>> = mixed
            .iter()
            .map(|(c, r)| SheetResults { sample: SampleKey::Code(c), lab: "Lab", batch: "B1", results: r })
            .collect();
        assert_eq!(db.import_assay_sheet(&actor(), &rows, "import:mixed", &|_| {}).await.unwrap(), (1, 1));
        let link = db.history("assay_import", "import:mixed").await.unwrap();
        assert!(link[0].after.contains("\"added\":1") && link[0].after.contains("\"same\":1"), "{}", link[0].after);
    }

    async fn samples_are_counted_by_type_and_month(db) {
        let m = db.create_member(&actor(), &member_draft(8, "W")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "W1")).await.unwrap();
        let other = db.create_mine(&actor(), &mine_draft(m.id, "W2")).await.unwrap();
        for at in ["2008-01-05T09:00", "2008-01-31T23:59", "2008-02-01T00:00"] {
            db.register_sample(&actor(), &sample(mine.id, at, "", "")).await.unwrap();
        }
        let first = db.register_sample(&actor(), &sample(other.id, "2008-02-10T09:00", "", "")).await.unwrap();
        db.register_sample(&actor(), &sample(other.id, "2008-02-10T10:00", "duplicate", &first.code)).await.unwrap();
        db.register_sample(&actor(), &sample(other.id, "2008-02-10T11:00", "blank", "")).await.unwrap();
        let t = |s: &str| parse_local_time(s).unwrap();
        let mut all = db.sample_counts_between(None, t("2008-01-01T00:00"), t("2008-12-31T23:59")).await.unwrap();
        all.sort();
        // The blank is the laboratory's, not the ore's.
        assert_eq!(all, vec![("feed".to_owned(), 1, 2), ("feed".to_owned(), 2, 3)]);
        let one = db.sample_counts_between(Some(&[mine.id]), t("2008-01-01T00:00"), t("2008-01-31T23:59")).await.unwrap();
        assert_eq!(one, vec![("feed".to_owned(), 1, 2)]);
    }
}
