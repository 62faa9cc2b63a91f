use minecoop_domain::auth::Role;
use minecoop_domain::workforce::certificate::{CertificateDraft, CertificateInput};
use minecoop_domain::workforce::idcard::complete;
use minecoop_domain::workforce::worker::{DependantInput, WorkerDraft, WorkerInput};
use minecoop_store::accounts::NewUser;
use minecoop_store::audit::AuditFilter;
use minecoop_store::{Store, StoreError, both_backends};

use crate::{actor, member_draft, mine_draft};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// A number that passes the checksum, for a man born on `birth` (`YYYYMMDD`).
fn number(birth: &str, seq: &str) -> String {
    complete(&format!("522701{birth}{seq}")).unwrap()
}

fn input(mine: uuid::Uuid, name: &str, seq: &str) -> WorkerInput {
    WorkerInput {
        mine_id: mine.to_string(),
        name: name.into(),
        id_number: number("19880203", seq),
        sex: "male".into(),
        birth_date: "1988-02-03".into(),
        job: "miner".into(),
        employment_form: "contract".into(),
        start_date: "2024-04-01".into(),
        phone: "13800000000".into(),
        dependants: vec![DependantInput {
            name: "李芳".into(),
            relation: "spouse".into(),
            birth_date: "1990-07-07".into(),
            id_number: complete("52270119900707002").unwrap(),
        }],
        ..Default::default()
    }
}

fn draft(i: &WorkerInput) -> WorkerDraft {
    WorkerDraft::parse(i, today()).unwrap()
}

async fn two_mines(db: &Store) -> (uuid::Uuid, uuid::Uuid) {
    let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
    let a = db.create_mine(&actor(), &mine_draft(m.id, "A")).await.unwrap().id;
    let b = db.create_mine(&actor(), &mine_draft(m.id, "B")).await.unwrap().id;
    (a, b)
}

both_backends! {
    async fn identity_numbers_are_stored_encrypted_and_shown_whole_only_with_an_audit_entry(db) {
        let (a, _) = two_mines(&db).await;
        let i = input(a, "王大山", "011");
        let r = db.record_worker(&actor(), &draft(&i)).await.unwrap();
        let w = &r.worker;
        assert_eq!(w.version, 1);
        assert_eq!(w.id_masked, format!("5227**********{}", &i.id_number[14..]));
        assert!(!w.id_cipher.contains(&i.id_number) && w.id_cipher.len() == (12 + 18 + 16) * 2);
        assert_eq!(r.dependants.len(), 1);
        assert!(r.dependants[0].id_cipher.is_some() && r.dependants[0].id_masked.as_deref().unwrap().contains('*'));
        // Nowhere in the database's text, not even in the audit trail, is the number whole.
        let trail = db.audit_list(&AuditFilter::default(), 1, 100).await.unwrap();
        assert!(trail.items.iter().all(|e| !e.after.contains(&i.id_number) && !e.before.contains(&i.id_number)));
        let before = trail.total;
        assert_eq!(db.reveal_id_number(&actor(), w.worker_id).await.unwrap(), i.id_number);
        assert_eq!(db.reveal_id_number(&actor(), w.worker_id).await.unwrap(), i.id_number);
        let f = AuditFilter { entity: Some("worker".into()), ..Default::default() };
        let views: Vec<_> = db
            .audit_list(&f, 1, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.action == "reveal_id_number")
            .collect();
        assert_eq!(views.len(), 2, "every view is in the trail");
        assert_eq!(views[0].entity_id, w.worker_id.to_string());
        assert_eq!(views[0].actor, "tester");
        assert_eq!(db.audit_list(&AuditFilter::default(), 1, 1).await.unwrap().total, before + 2);
    }

    async fn the_same_person_is_refused_twice_at_a_mine_and_found_at_another(db) {
        let (a, b) = two_mines(&db).await;
        let first = db.record_worker(&actor(), &draft(&input(a, "王大山", "011"))).await.unwrap();
        // Same number, another spelling of the name, at the same mine: refused on the number.
        let again = db.record_worker(&actor(), &draft(&input(a, "王 大山", "011"))).await;
        match again {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("id_number").unwrap().code, "err-worker-duplicate"),
            other => panic!("expected a duplicate refusal, got {other:?}"),
        }
        // Lower-case x and spaces are the same number.
        let mut spaced = input(a, "王大山", "011");
        spaced.id_number = format!("{} {}", &spaced.id_number[..6], spaced.id_number[6..].to_lowercase());
        assert!(db.record_worker(&actor(), &draft(&spaced)).await.is_err());
        // At another mine the same person is a second record, linked to the first.
        let other = db.record_worker(&actor(), &draft(&input(b, "王大山", "011"))).await.unwrap();
        let same = db.same_person(first.worker.worker_id).await.unwrap();
        assert_eq!(same.iter().map(|w| w.worker_id).collect::<Vec<_>>(), [other.worker.worker_id]);
        assert_eq!(
            db.worker_by_number(a, &input(a, "x", "011").id_number).await.unwrap().map(|w| w.worker_id),
            Some(first.worker.worker_id)
        );
        assert!(db.worker_by_number(a, &number("19880203", "031")).await.unwrap().is_none());
        assert_eq!(db.workers(Some(&[a])).await.unwrap().len(), 1);
        assert_eq!(db.workers(None).await.unwrap().len(), 2);
    }

    async fn corrections_are_new_versions_with_a_reason_and_leaving_is_an_end_date(db) {
        let (a, b) = two_mines(&db).await;
        let r = db.record_worker(&actor(), &draft(&input(a, "王大山", "011"))).await.unwrap();
        let id = r.worker.worker_id;
        let mut i = input(a, "王大山", "011");
        i.phone = "13900000000".into();
        i.end_date = "2026-10-31".into();
        i.dependants.push(DependantInput {
            name: "王小丽".into(),
            relation: "child".into(),
            birth_date: "2015-05-05".into(),
            ..Default::default()
        });
        // No reason: refused.
        match db.correct_worker(&actor(), id, 1, &draft(&i)).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "reason"),
            other => panic!("{other:?}"),
        }
        i.reason = "left at the end of October".into();
        let v2 = db.correct_worker(&actor(), id, 1, &draft(&i)).await.unwrap();
        assert_eq!(v2.worker.version, 2);
        assert_eq!(v2.worker.end_date, chrono::NaiveDate::from_ymd_opt(2026, 10, 31));
        assert_eq!(v2.dependants.len(), 2);
        // The stored number is carried over, still the same person.
        assert_eq!(v2.worker.id_cipher, r.worker.id_cipher);
        // A stale version is a conflict; the mine and the person are fixed.
        assert!(matches!(db.correct_worker(&actor(), id, 1, &draft(&i)).await, Err(StoreError::Conflict)));
        let mut moved = i.clone();
        moved.mine_id = b.to_string();
        match db.correct_worker(&actor(), id, 2, &draft(&moved)).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("mine_id").unwrap().code, "err-worker-mine-fixed"),
            other => panic!("{other:?}"),
        }
        let mut someone_else = i.clone();
        someone_else.id_number = number("19880203", "031");
        match db.correct_worker(&actor(), id, 2, &draft(&someone_else)).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("id_number").unwrap().code, "err-worker-person-fixed"),
            other => panic!("{other:?}"),
        }
        let versions = db.worker_versions(id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(versions[1].reason.as_deref(), Some("left at the end of October"));
        assert_eq!(db.worker(id).await.unwrap().dependants.len(), 2);
        // Nothing was deleted: version 1 still has its one dependant.
        assert_eq!(db.workers(Some(&[a])).await.unwrap()[0].version, 2);
    }

    async fn a_wrong_identity_key_is_a_clear_error_not_a_panic(db) {
        let (a, _) = two_mines(&db).await;
        let r = db.record_worker(&actor(), &draft(&input(a, "王大山", "011"))).await.unwrap();
        db.check_identity_key().await.unwrap();
        let wrong = db.store.clone().with_identity_secret(&[9u8; 32]);
        let e = wrong.check_identity_key().await.unwrap_err();
        assert!(matches!(&e, StoreError::Key(m) if m.contains("identity key")), "{e:?}");
        assert!(matches!(wrong.reveal_id_number(&actor(), r.worker.worker_id).await, Err(StoreError::Key(_))));
        assert!(matches!(wrong.record_worker(&actor(), &draft(&input(a, "李四", "031"))).await, Err(StoreError::Key(_))));
        // Without any key, workers cannot be written either.
        let none = Store::connect(&db.url).await.unwrap();
        assert!(matches!(none.record_worker(&actor(), &draft(&input(a, "李四", "031"))).await, Err(StoreError::Key(_))));
    }
}

both_backends! {
    async fn a_job_without_a_valid_certificate_is_flagged_and_expiry_alerts_the_officer_once(db) {
        let (a, _) = two_mines(&db).await;
        db.create_user(
            &actor(),
            NewUser {
                username: "officer_a".into(),
                display_name: String::new(),
                password: "correct horse battery".into(),
                role: Role::SafetyOfficer,
                member_id: None,
                mine_id: Some(a),
            },
        )
        .await
        .unwrap();
        let mut i = input(a, "王大山", "011");
        i.job = "blaster".into();
        let blaster = db.record_worker(&actor(), &draft(&i)).await.unwrap().worker;
        let miner = db.record_worker(&actor(), &draft(&input(a, "李四", "031"))).await.unwrap().worker;
        let workers = db.workers(Some(&[a])).await.unwrap();
        let day = today();
        let flags = db.missing_certificates(&workers, day).await.unwrap();
        assert_eq!(flags.len(), 1, "the miner needs none");
        assert_eq!(flags[&blaster.worker_id].as_str(), "blaster");
        assert!(!flags.contains_key(&miner.worker_id));
        let cert = |t: &str, expires: &str| {
            CertificateDraft::parse(
                &CertificateInput {
                    cert_type: t.into(),
                    number: format!("T-{t}-{expires}"),
                    issued_by: "黔南州应急管理局".into(),
                    issued_on: "2023-01-01".into(),
                    expires_on: expires.into(),
                },
                day,
            )
            .unwrap()
        };
        // A certificate of another type does not help; one of his type ending in 20 days does.
        db.add_certificate(&actor(), blaster.worker_id, &cert("welder", "2030-01-01")).await.unwrap();
        assert!(db.missing_certificates(&workers, day).await.unwrap().contains_key(&blaster.worker_id));
        db.add_certificate(&actor(), blaster.worker_id, &cert("blaster", "2026-12-16")).await.unwrap();
        assert!(db.missing_certificates(&workers, day).await.unwrap().is_empty());
        // ...but not after it ends.
        let later = chrono::NaiveDate::from_ymd_opt(2026, 12, 17).unwrap();
        assert_eq!(db.missing_certificates(&workers, later).await.unwrap().len(), 1);
        // The officer hears once of the ending certificate (not of the welder's, years away).
        let officer = db.user_by_name("officer_a").await.unwrap();
        assert_eq!(db.alert_expiring_certificates(day).await.unwrap(), 1);
        assert_eq!(db.alert_expiring_certificates(day).await.unwrap(), 0, "never twice");
        assert_eq!(db.alert_expiring_certificates(later).await.unwrap(), 0);
        let alerts = db.alerts_for(officer.id, 10).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].kind, "certificate_expiring");
        assert_eq!(db.certificates_of(blaster.worker_id).await.unwrap().len(), 2);
    }
}

both_backends! {
    async fn coverage_names_the_uncovered_worker_the_low_cover_and_the_gap(db) {
        use minecoop_domain::workforce::coverage::{Missing, PolicyDraft, PolicyInput, PolicyKind};
        let (a, b) = two_mines(&db).await;
        let w1 = db.record_worker(&actor(), &draft(&input(a, "王大山", "011"))).await.unwrap().worker.worker_id;
        let w2 = db.record_worker(&actor(), &draft(&input(a, "李四", "031"))).await.unwrap().worker.worker_id;
        let other = db.record_worker(&actor(), &draft(&input(b, "赵六", "051"))).await.unwrap().worker.worker_id;
        let policy = |kind: &str, from: &str, to: &str, cover: &str| {
            PolicyDraft::parse(&PolicyInput {
                mine_id: a.to_string(),
                kind: kind.into(),
                insurer: "中国人保".into(),
                number: format!("{kind}-{from}"),
                starts_on: from.into(),
                ends_on: to.into(),
                premium: "1000".into(),
                cover_per_person: cover.into(),
                reason: String::new(),
            })
            .unwrap()
        };
        let injury = db.record_policy(&actor(), &policy("work_injury", "2026-01-01", "2026-12-31", "")).await.unwrap();
        let l1 = db.record_policy(&actor(), &policy("safety_liability", "2025-01-01", "2025-12-31", "500000")).await.unwrap();
        let l2 = db.record_policy(&actor(), &policy("safety_liability", "2026-01-08", "2026-12-31", "300000")).await.unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let from = chrono::NaiveDate::from_ymd_opt(2024, 4, 1).unwrap();
        // Only the first worker on the work-injury policy; both on the liability policies.
        assert_eq!(db.add_policy_members(&actor(), injury.policy_id, &[w1], from, None).await.unwrap(), 1);
        for p in [&l1, &l2] {
            assert_eq!(db.add_policy_members(&actor(), p.policy_id, &[w1, w2, w1], from, None).await.unwrap(), 2);
        }
        // A worker of another mine cannot be put on the policy.
        assert!(matches!(
            db.add_policy_members(&actor(), injury.policy_id, &[other], from, None).await,
            Err(StoreError::Invalid(_))
        ));
        let c = &db.coverage(&[a], day).await.unwrap()[0].coverage;
        assert_eq!((c.active, c.covered), (2, 0));
        let of = |w: uuid::Uuid| c.breaches.iter().find(|x| x.worker_id == w).unwrap().missing.clone();
        let low = Missing::CoverTooLow { policy: "safety_liability-2026-01-08".into(), cover_fen: 30_000_000 };
        assert_eq!(of(w1), vec![low.clone()]);
        assert_eq!(of(w2), vec![Missing::NotInsured { kind: PolicyKind::WorkInjury }, low]);
        assert_eq!(c.gaps.len(), 1);
        assert_eq!((c.gaps[0].kind, c.gaps[0].from.to_string(), c.gaps[0].to.to_string()),
            (PolicyKind::SafetyLiability, "2026-01-01".into(), "2026-01-07".into()));
        // The cover corrected by a new version: the low cover is gone.
        let mut fixed = policy("safety_liability", "2026-01-08", "2026-12-31", "400000");
        assert!(matches!(db.correct_policy(&actor(), l2.policy_id, 1, &fixed).await, Err(StoreError::Invalid(_))));
        fixed.reason = Some("endorsement raised the cover".into());
        assert_eq!(db.correct_policy(&actor(), l2.policy_id, 1, &fixed).await.unwrap().version, 2);
        let c = &db.coverage(&[a], day).await.unwrap()[0].coverage;
        assert_eq!(c.covered, 1);
        assert_eq!(c.breaches.len(), 1);
        assert_eq!(db.policies(&[a]).await.unwrap().len(), 3);
        assert_eq!(db.policy_versions(l2.policy_id).await.unwrap().len(), 2);
    }
}

both_backends! {
    async fn the_coverage_check_on_the_demo_finds_exactly_the_seeded_gaps(db) {
        use minecoop_domain::workforce::coverage::{Missing, PolicyKind};
        use minecoop_store::workforce::demo::{SeededGap, seeded_gaps};
        minecoop_store::demo::load(&db).await.unwrap();
        let today = minecoop_store::demo::demo_today();
        let mines = db.mine_choices().await.unwrap();
        let ids: Vec<uuid::Uuid> = mines.iter().map(|m| m.id).collect();
        let results = db.coverage(&ids, today).await.unwrap();
        let mine_of = |en: &str| mines.iter().find(|m| m.name_en == en).unwrap().id;
        // What the check found, in the seeded list's terms.
        let mut found = Vec::new();
        for r in &results {
            let en = mines.iter().find(|m| m.id == r.mine_id).unwrap().name_en.clone();
            let c = &r.coverage;
            for g in &c.gaps {
                assert_eq!(g.kind, PolicyKind::SafetyLiability, "{en}: {g:?}");
                found.push(format!("lapse {en} {} {}", g.from, g.to));
            }
            let low: Vec<_> = c.breaches.iter().filter(|b| b.missing.iter().any(|m| matches!(m, Missing::CoverTooLow { .. }))).collect();
            if !low.is_empty() {
                // Every working worker of the mine, and nothing else missing.
                assert_eq!(low.len(), c.active, "{en}");
                for b in &low {
                    match &b.missing[..] {
                        [Missing::CoverTooLow { cover_fen, .. }] => found.push(format!("low {en} {}", cover_fen / 100)),
                        other => panic!("{en} {}: {other:?}", b.name),
                    }
                }
            }
            let mut not_on: Vec<String> = c
                .breaches
                .iter()
                .filter(|b| b.missing == vec![Missing::NotInsured { kind: PolicyKind::WorkInjury }])
                .map(|b| b.name.clone())
                .collect();
            not_on.sort();
            if !not_on.is_empty() {
                found.push(format!("not-on-injury {en} {}", not_on.join(",")));
            }
            let explained = low.len() + c.breaches.iter().filter(|b| b.missing == vec![Missing::NotInsured { kind: PolicyKind::WorkInjury }]).count();
            assert_eq!(explained, c.breaches.len(), "{en}: a breach not seeded: {:?}", c.breaches);
            assert!(c.active >= 1 || !mines.iter().any(|m| m.id == r.mine_id && m.status == "operating"));
        }
        found.sort();
        found.dedup();
        let mut want: Vec<String> = seeded_gaps(today)
            .into_iter()
            .map(|g| match g {
                SeededGap::LiabilityLapse { mine_en, from, to } => format!("lapse {mine_en} {from} {to}"),
                SeededGap::LowLiabilityCover { mine_en, cover_rmb } => format!("low {mine_en} {cover_rmb}"),
                SeededGap::NotOnWorkInjury { mine_en, names } => {
                    let mut n = names.to_vec();
                    n.sort();
                    format!("not-on-injury {mine_en} {}", n.join(","))
                }
            })
            .collect();
        want.sort();
        assert_eq!(found, want);
        // 40 to 100 workers per operating mine, some dispatched and casual, some with family.
        for m in mines.iter().filter(|m| m.status == "operating") {
            let ws = db.workers(Some(&[m.id])).await.unwrap();
            assert!((40..=100).contains(&ws.len()), "{}: {}", m.name_en, ws.len());
            assert!(ws.iter().any(|w| w.employment_form == "dispatch") && ws.iter().any(|w| w.employment_form == "casual"));
        }
        // The family section: exactly the families of the seeded workers lack family cover,
        // apart from the compulsory breaches above.
        use minecoop_store::workforce::demo::{SeededFamilyGap, seeded_family_gaps};
        let mut family_found: Vec<String> = Vec::new();
        for r in &results {
            let en = mines.iter().find(|m| m.id == r.mine_id).unwrap().name_en.clone();
            let f = &r.coverage.family;
            assert_eq!(f.covered + f.uncovered.len(), f.dependants, "{en}");
            for g in &f.uncovered {
                family_found.push(format!("{en} {} {}", g.worker, g.name));
            }
        }
        family_found.sort();
        let mut family_want: Vec<String> = Vec::new();
        for g in seeded_family_gaps() {
            let SeededFamilyGap::NotOnFamilyCover { mine_en, workers } = g;
            let ws = db.workers(Some(&[mine_of(mine_en)])).await.unwrap();
            for name in workers {
                let w = ws.iter().find(|w| w.name == name).unwrap();
                let rec = db.worker(w.worker_id).await.unwrap();
                assert!(!rec.dependants.is_empty(), "{name} has a family");
                family_want.extend(rec.dependants.iter().map(|d| format!("{mine_en} {name} {}", d.name)));
            }
        }
        family_want.sort();
        assert_eq!(family_found, family_want);
        assert!(results.iter().map(|r| r.coverage.family.covered).sum::<usize>() > 100, "most families are covered");
        // The demo wrote 90 days of snapshots; the lapse week is a dip to nothing at its mine,
        // the new workers a dip at theirs.
        use minecoop_store::workforce::demo::SNAPSHOT_DAYS;
        let from = today - chrono::Duration::days(SNAPSHOT_DAYS - 1);
        let snaps = db.coverage_snapshots(&ids, from, today).await.unwrap();
        let with_workers = results.iter().filter(|r| r.coverage.active > 0).count();
        assert_eq!(snaps.len(), with_workers * SNAPSHOT_DAYS as usize);
        let at = |mine: uuid::Uuid, day: chrono::NaiveDate| snaps.iter().find(|s| s.mine_id == mine && s.day == day).unwrap().clone();
        for g in seeded_gaps(today) {
            match g {
                SeededGap::LiabilityLapse { mine_en, from: a, to: b } => {
                    let m = mine_of(mine_en);
                    assert_eq!(at(m, a).covered, 0);
                    assert_eq!(at(m, b).ratio_bp, 0);
                    let after = at(m, b + chrono::Duration::days(1));
                    assert_eq!(after.ratio_bp, 10_000, "{after:?}");
                    assert_eq!(at(m, a - chrono::Duration::days(1)).ratio_bp, 10_000);
                }
                SeededGap::LowLiabilityCover { mine_en, .. } => assert_eq!(at(mine_of(mine_en), today).covered, 0),
                SeededGap::NotOnWorkInjury { mine_en, .. } => {
                    let m = mine_of(mine_en);
                    let now = at(m, today);
                    assert_eq!(now.active - now.covered, 2);
                    assert_eq!(at(m, today - chrono::Duration::days(11)).ratio_bp, 10_000);
                }
            }
        }
        // A second run the same day changes nothing.
        assert_eq!(db.snapshot_coverage(today).await.unwrap(), 0);
        assert_eq!(db.coverage_snapshots(&ids, from, today).await.unwrap(), snaps);
        let daping = mine_of("Daping Zinc Mine");
        let ws = db.workers(Some(&[daping])).await.unwrap();
        assert!(!db.missing_certificates(&ws, today).await.unwrap().is_empty(), "some certificates expired or missing");
        let w = db.worker(ws[0].worker_id).await.unwrap();
        assert!(db.stored_numbers(&w).unwrap().worker.len() == 18);
    }
}

fn policy_draft(
    mine: uuid::Uuid,
    kind: &str,
    number: &str,
    from: &str,
    to: &str,
) -> minecoop_domain::workforce::coverage::PolicyDraft {
    use minecoop_domain::workforce::coverage::{PolicyDraft, PolicyInput};
    PolicyDraft::parse(&PolicyInput {
        mine_id: mine.to_string(),
        kind: kind.into(),
        insurer: "中国人保".into(),
        number: number.into(),
        starts_on: from.into(),
        ends_on: to.into(),
        premium: "1000".into(),
        cover_per_person: "500000".into(),
        reason: String::new(),
    })
    .unwrap()
}

async fn user(db: &Store, name: &str, role: Role, member: Option<uuid::Uuid>, mine: Option<uuid::Uuid>) -> uuid::Uuid {
    db.create_user(
        &actor(),
        NewUser {
            username: name.into(),
            display_name: String::new(),
            password: "correct horse battery".into(),
            role,
            member_id: member,
            mine_id: mine,
        },
    )
    .await
    .unwrap();
    db.user_by_name(name).await.unwrap().id
}

both_backends! {
    async fn a_policy_ending_within_30_days_alerts_the_mine_once_unless_a_successor_follows(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let a = db.create_mine(&actor(), &mine_draft(m.id, "A")).await.unwrap().id;
        let b = db.create_mine(&actor(), &mine_draft(m.id, "B")).await.unwrap().id;
        let officer = user(&db, "officer_a", Role::SafetyOfficer, None, Some(a)).await;
        let other_officer = user(&db, "officer_b", Role::SafetyOfficer, None, Some(b)).await;
        let owner = user(&db, "owner_a", Role::Owner, Some(m.id), None).await;
        let president = user(&db, "pres", Role::President, None, None).await;
        let inspector = user(&db, "insp", Role::Inspector, None, None).await;
        // Mine A: the injury policy ends with no successor; the liability policy is followed
        // the day after its end. Mine B: its injury policy is followed only after a day's gap.
        let injury = db.record_policy(&actor(), &policy_draft(a, "work_injury", "GS-A", "2026-01-01", "2026-12-31")).await.unwrap();
        db.record_policy(&actor(), &policy_draft(a, "safety_liability", "AZ-A", "2026-01-01", "2026-12-31")).await.unwrap();
        db.record_policy(&actor(), &policy_draft(a, "safety_liability", "AZ-A2", "2027-01-01", "2027-12-31")).await.unwrap();
        let b_injury = db.record_policy(&actor(), &policy_draft(b, "work_injury", "GS-B", "2026-01-01", "2026-12-31")).await.unwrap();
        db.record_policy(&actor(), &policy_draft(b, "work_injury", "GS-B2", "2027-01-02", "2027-12-31")).await.unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(db.alert_expiring_policies(d("2026-11-30")).await.unwrap(), 0, "31 days before");
        assert_eq!(db.alert_expiring_policies(d("2026-12-01")).await.unwrap(), 2, "GS-A and GS-B, not AZ-A");
        assert_eq!(db.alert_expiring_policies(d("2026-12-01")).await.unwrap(), 0, "once");
        assert_eq!(db.alert_expiring_policies(d("2026-12-20")).await.unwrap(), 0, "once, whatever the day");
        let texts = |u: uuid::Uuid| {
            let db = db.store.clone();
            async move {
                let mut v: Vec<String> = db
                    .alerts_for(u, 20)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|x| {
                        assert_eq!(x.kind, "policy_expiring");
                        x.link
                    })
                    .collect();
                v.sort();
                v
            }
        };
        let link = |p: uuid::Uuid| format!("/insurance/{p}");
        let mut both = vec![link(injury.policy_id), link(b_injury.policy_id)];
        both.sort();
        assert_eq!(texts(officer).await, vec![link(injury.policy_id)]);
        assert_eq!(texts(other_officer).await, vec![link(b_injury.policy_id)]);
        assert_eq!(texts(owner).await, both, "the owner of both mines");
        assert_eq!(texts(president).await, both);
        assert!(texts(inspector).await.is_empty());
        // A successor recorded before the alert is due prevents it.
        let c = db.create_mine(&actor(), &mine_draft(m.id, "C")).await.unwrap().id;
        db.record_policy(&actor(), &policy_draft(c, "accident", "YW-C", "2026-01-01", "2026-12-31")).await.unwrap();
        db.record_policy(&actor(), &policy_draft(c, "accident", "YW-C2", "2026-12-15", "2027-12-31")).await.unwrap();
        assert_eq!(db.alert_expiring_policies(d("2026-12-10")).await.unwrap(), 0);
        // Every alert is in the audit trail.
        let f = AuditFilter { entity: Some("insurance_policy".into()), ..Default::default() };
        let alerted = db.audit_list(&f, 1, 100).await.unwrap().items.into_iter().filter(|e| e.action == "alerted").count();
        assert_eq!(alerted, 2);
    }
}

both_backends! {
    async fn family_members_on_a_family_cover_policy_and_memberships_ended_with_a_reason(db) {
        let (a, b) = two_mines(&db).await;
        let w = db.record_worker(&actor(), &draft(&input(a, "王大山", "011"))).await.unwrap().worker.worker_id;
        let other = db.record_worker(&actor(), &draft(&input(b, "赵六", "051"))).await.unwrap().worker.worker_id;
        let family = db.record_policy(&actor(), &policy_draft(a, "family_cover", "JT-1", "2026-01-01", "2026-12-31")).await.unwrap();
        let injury = db.record_policy(&actor(), &policy_draft(a, "work_injury", "GS-1", "2026-01-01", "2026-12-31")).await.unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let day = d("2026-06-01");
        let fam = |db: Store| async move { db.coverage(&[a], day).await.unwrap()[0].coverage.family.clone() };
        let f = fam(db.store.clone()).await;
        assert_eq!((f.dependants, f.covered), (1, 0));
        assert_eq!(f.uncovered[0].name, "李芳");
        // Family members only on family-cover (and accident) policies, only those on record.
        let spouse = vec![(w, "李芳".to_string())];
        let e = db.add_policy_cover(&actor(), injury.policy_id, &[], &spouse, d("2026-01-01"), None).await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(f) if f.get("dependants").unwrap().code == "err-policy-no-family"), "{e:?}");
        let nobody = vec![(w, "不存在".to_string())];
        assert!(matches!(db.add_policy_cover(&actor(), family.policy_id, &[], &nobody, d("2026-01-01"), None).await, Err(StoreError::Invalid(_))));
        let stranger = vec![(other, "李芳".to_string())];
        assert!(matches!(db.add_policy_cover(&actor(), family.policy_id, &[], &stranger, d("2026-01-01"), None).await, Err(StoreError::Invalid(_))));
        assert_eq!(db.add_policy_cover(&actor(), family.policy_id, &[], &spouse, d("2026-01-01"), None).await.unwrap(), 1);
        assert_eq!(db.add_policy_cover(&actor(), family.policy_id, &[], &spouse, d("2026-01-01"), None).await.unwrap(), 0, "already covered");
        let f = fam(db.store.clone()).await;
        assert_eq!((f.dependants, f.covered), (1, 1));
        // The family cover is not the compulsory cover: the worker is still uninsured.
        let c = &db.coverage(&[a], day).await.unwrap()[0].coverage;
        assert_eq!((c.active, c.covered), (1, 0));
        // Ending the spouse's cover: a day and a reason; kept, audited, counted from then.
        let members = db.policy_members(family.policy_id).await.unwrap();
        assert_eq!(members.len(), 1);
        let mid = members[0].id;
        assert_eq!(members[0].dependant_name.as_deref(), Some("李芳"));
        let e = db.end_policy_membership(&actor(), family.policy_id, mid, d("2026-05-31"), " ").await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(f) if f.get("reason").is_some()));
        let e = db.end_policy_membership(&actor(), family.policy_id, mid, d("2025-12-31"), "离婚").await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(f) if f.get("to_on").unwrap().code == "err-end-before-start"));
        let e = db.end_policy_membership(&actor(), family.policy_id, mid, d("2027-01-31"), "离婚").await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(f) if f.get("to_on").unwrap().code == "err-member-end-later"));
        assert!(matches!(db.end_policy_membership(&actor(), injury.policy_id, mid, d("2026-05-31"), "x").await, Err(StoreError::NotFound)));
        let ended = db.end_policy_membership(&actor(), family.policy_id, mid, d("2026-05-31"), "离婚").await.unwrap();
        assert_eq!((ended.to_on, ended.end_reason.as_deref(), ended.ended_by.as_deref()), (Some(d("2026-05-31")), Some("离婚"), Some("tester")));
        let e = db.end_policy_membership(&actor(), family.policy_id, mid, d("2026-04-30"), "again").await.unwrap_err();
        assert!(matches!(&e, StoreError::Invalid(f) if f.get("to_on").unwrap().code == "err-member-ended"));
        assert_eq!(fam(db.store.clone()).await.covered, 0, "not covered after the end");
        assert_eq!(db.coverage(&[a], d("2026-05-31")).await.unwrap()[0].coverage.family.covered, 1);
        assert_eq!(db.policy_members(family.policy_id).await.unwrap().len(), 1, "never deleted");
        let f = AuditFilter { entity: Some("policy_member".into()), ..Default::default() };
        assert!(db.audit_list(&f, 1, 100).await.unwrap().items.iter().any(|e| e.action == "end" && e.after.contains("离婚")));
        // A worker's own cover ends the same way, and can be given again after.
        db.add_policy_members(&actor(), injury.policy_id, &[w], d("2026-01-01"), None).await.unwrap();
        let m = db.policy_members(injury.policy_id).await.unwrap()[0].id;
        db.end_policy_membership(&actor(), injury.policy_id, m, d("2026-03-31"), "调岗").await.unwrap();
        assert_eq!(db.coverage(&[a], day).await.unwrap()[0].coverage.breaches[0].missing.len(), 2);
        assert_eq!(db.add_policy_members(&actor(), injury.policy_id, &[w], d("2026-06-01"), None).await.unwrap(), 1);
        assert_eq!(db.coverage(&[a], day).await.unwrap()[0].coverage.breaches[0].missing.len(), 1);
    }
}

both_backends! {
    async fn coverage_snapshots_are_written_once_a_day_and_backfilled_from_the_record(db) {
        let (a, b) = two_mines(&db).await;
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut i = input(a, "王大山", "011");
        i.start_date = "2026-03-01".into();
        let w1 = db.record_worker(&actor(), &draft(&i)).await.unwrap().worker.worker_id;
        db.record_worker(&actor(), &draft(&input(b, "赵六", "051"))).await.unwrap();
        let injury = db.record_policy(&actor(), &policy_draft(a, "work_injury", "GS-1", "2026-01-01", "2026-12-31")).await.unwrap();
        let liab = db.record_policy(&actor(), &policy_draft(a, "safety_liability", "AZ-1", "2026-01-01", "2026-12-31")).await.unwrap();
        for p in [&injury, &liab] {
            db.add_policy_members(&actor(), p.policy_id, &[w1], d("2026-03-05"), None).await.unwrap();
        }
        assert!(matches!(db.snapshot_coverage_between(d("2026-03-10"), d("2026-03-01")).await, Err(StoreError::Invalid(_))));
        assert!(matches!(db.snapshot_coverage_between(d("2020-01-01"), d("2026-03-01")).await, Err(StoreError::Invalid(_))));
        // One day: both mines.
        assert_eq!(db.snapshot_coverage(d("2026-03-10")).await.unwrap(), 2);
        assert_eq!(db.snapshot_coverage(d("2026-03-10")).await.unwrap(), 0, "a second run changes nothing");
        // A backfill of past days writes only the days missing.
        assert_eq!(db.snapshot_coverage_between(d("2026-02-28"), d("2026-03-10")).await.unwrap(), 2 * 10);
        let snaps = db.coverage_snapshots(&[a], d("2026-02-28"), d("2026-03-10")).await.unwrap();
        assert_eq!(snaps.len(), 11);
        let on = |s: &str| snaps.iter().find(|x| x.day == d(s)).unwrap();
        assert_eq!((on("2026-02-28").active, on("2026-02-28").ratio_bp), (0, 10_000), "not started");
        assert_eq!((on("2026-03-01").active, on("2026-03-01").covered, on("2026-03-01").ratio_bp), (1, 0, 0));
        assert_eq!((on("2026-03-05").covered, on("2026-03-05").ratio_bp), (1, 10_000));
        assert_eq!((on("2026-03-05").dependants, on("2026-03-05").dependants_covered), (1, 0));
        // The co-op's trend sums the mines: mine B's worker is never covered.
        let all = db.coverage_snapshots(&[a, b], d("2026-03-01"), d("2026-03-10")).await.unwrap();
        let t = minecoop_store::workforce::trend(&all);
        assert_eq!(t.len(), 10);
        assert_eq!((t[0].active, t[0].covered), (2, 0));
        assert_eq!((t[9].active, t[9].covered), (2, 1));
        assert!((t[9].ratio() - 0.5).abs() < 1e-9);
        // Only the mine asked for.
        assert!(db.coverage_snapshots(&[b], d("2026-03-01"), d("2026-03-10")).await.unwrap().iter().all(|s| s.mine_id == b));
        // Two runs at the same moment (the server's job and `notify run`): both succeed, and the
        // day is written once.
        let (x, y) = tokio::join!(db.snapshot_coverage(d("2026-03-12")), db.snapshot_coverage(d("2026-03-12")));
        assert_eq!(x.unwrap() + y.unwrap(), 2);
        assert_eq!(db.coverage_snapshots(&[a, b], d("2026-03-12"), d("2026-03-12")).await.unwrap().len(), 2);
    }
}

/// A sheet as the importer reads it: comma-separated cells, one line a row.
fn sheet(text: &str) -> Vec<Vec<String>> {
    text.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

/// The workers sheet of the import tests: 王大山 and 李四 at mine `a` (named by its id).
fn workers_sheet(a: uuid::Uuid, phone: &str) -> String {
    format!(
        "矿山,姓名,身份证号,性别,出生日期,工种,用工形式,入职日期,电话,家属1姓名,家属1关系,家属1出生日期,家属1身份证号\n\
         {a},王大山,{},男,1988-02-03,采掘工,劳动合同,2024-04-01,{phone},李芳,配偶,1990-07-07,{}\n\
         {a},李四,{},男,1988-02-03,clerk,casual,2025-01-01,,,,,",
        number("19880203", "011"),
        complete("52270119900707002").unwrap(),
        number("19880203", "031"),
    )
}

async fn count_audit(db: &Store) -> u64 {
    db.audit_list(&AuditFilter::default(), 1, 1).await.unwrap().total
}

both_backends! {
    async fn a_workers_import_writes_all_or_nothing_and_twice_adds_nothing(db) {
        use minecoop_domain::workforce::import::check_workers_sheet;
        use minecoop_store::workforce::{ImportCounts, RowPlan};
        let (a, b) = two_mines(&db).await;
        let mine_of = |n: &str| [a, b].into_iter().find(|m| m.to_string() == n);
        let drafts = |text: &str| -> Vec<WorkerDraft> {
            check_workers_sheet(&sheet(text), today(), mine_of).unwrap().rows.into_iter().map(|r| r.draft).collect()
        };
        let first = drafts(&workers_sheet(a, "13800000000"));
        assert_eq!(db.plan_worker_import(&first).await.unwrap(), vec![RowPlan::New, RowPlan::New]);
        // A row that cannot be written (its mine is gone) stops the whole import: nothing is written.
        let mut broken = first.clone();
        broken[1].mine_id = uuid::Uuid::from_u128(7);
        let before = count_audit(&db).await;
        assert!(matches!(db.import_workers(&actor(), &broken).await, Err(StoreError::Invalid(_))));
        assert!(db.workers(None).await.unwrap().is_empty(), "the first row was rolled back");
        assert_eq!(count_audit(&db).await, before);
        // The sheet imports; once per worker in the trail, never the number whole.
        assert_eq!(db.import_workers(&actor(), &first).await.unwrap(), ImportCounts { new: 2, same: 0 });
        let recorded = db.workers(Some(&[a])).await.unwrap();
        assert_eq!(recorded.len(), 2);
        let wang = recorded.iter().find(|w| w.name == "王大山").unwrap();
        assert_eq!(db.worker(wang.worker_id).await.unwrap().dependants.len(), 1);
        let trail = db.audit_list(&AuditFilter { entity: Some("worker".into()), ..Default::default() }, 1, 100).await.unwrap();
        assert_eq!(trail.items.iter().filter(|e| e.action == "import").count(), 2);
        assert!(trail.items.iter().all(|e| !e.after.contains(&number("19880203", "011"))));
        // The same file again adds nothing and writes nothing to the trail.
        let after = count_audit(&db).await;
        assert_eq!(db.plan_worker_import(&first).await.unwrap(), vec![RowPlan::Same, RowPlan::Same]);
        assert_eq!(db.import_workers(&actor(), &first).await.unwrap(), ImportCounts { new: 0, same: 2 });
        assert_eq!(db.workers(None).await.unwrap().len(), 2);
        assert_eq!(count_audit(&db).await, after);
        // A known worker whose row differs is named with the fields that differ, and stops the import.
        let changed = drafts(&workers_sheet(a, "13900000000").replace(",李芳,", ",李芬,"));
        assert_eq!(
            db.plan_worker_import(&changed).await.unwrap(),
            vec![RowPlan::Differs(vec!["phone", "dependants"]), RowPlan::Same]
        );
        match db.import_workers(&actor(), &changed).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("0").unwrap().code, "err-import-record-differs"),
            other => panic!("expected the differing row named, got {other:?}"),
        }
        assert_eq!(db.worker_versions(wang.worker_id).await.unwrap().len(), 1);
        // The same people at the other mine are new records there.
        let at_b = drafts(&workers_sheet(b, "13800000000"));
        assert_eq!(db.import_workers(&actor(), &at_b).await.unwrap(), ImportCounts { new: 2, same: 0 });
        assert_eq!(db.same_person(wang.worker_id).await.unwrap().len(), 1);
    }

    async fn a_policies_import_writes_policies_and_members_all_or_nothing(db) {
        use minecoop_domain::workforce::import::{check_policy_tables, check_workers_sheet};
        use minecoop_store::workforce::{ImportCounts, RowPlan};
        let (a, b) = two_mines(&db).await;
        let mine_of = |n: &str| [a, b].into_iter().find(|m| m.to_string() == n);
        let workers: Vec<WorkerDraft> = check_workers_sheet(&sheet(&workers_sheet(a, "")), today(), mine_of)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.draft)
            .collect();
        db.import_workers(&actor(), &workers).await.unwrap();
        let policies = format!(
            "矿山,险种,保险公司,保单号,起保日期,终保日期,保费,每人保额\n\
             {a},工伤保险,中国人保,GS2026,2026-01-01,2026-12-31,12000,\n\
             {a},安全生产责任保险,平安,AZ2026,2026-01-01,2026-12-31,8000,400000"
        );
        let wang = number("19880203", "011");
        let li = number("19880203", "031");
        let members = |extra: &str| {
            sheet(&format!("保单号,身份证号,起始日期,截止日期\nGS2026,{wang},,\nAZ2026,{wang},,\nAZ2026,{li},2026-03-01,{extra}"))
        };
        let file = |extra: &str| check_policy_tables(&[sheet(&policies), members(extra)], mine_of).unwrap();
        // A member who is not a worker of the mine stops the import: no policy is written either.
        let mut stranger = file("");
        stranger.members[2].id_number =
            minecoop_domain::workforce::idcard::IdNumber::parse(&number("19880203", "051")).unwrap();
        let plan = db.plan_policy_import(&[a, b], &stranger).await.unwrap();
        assert_eq!(plan.members[2], RowPlan::Problem("id_number", "err-import-worker-unknown"));
        match db.import_policies(&actor(), &[a, b], &stranger).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.get("members.2").unwrap().code, "err-import-worker-unknown"),
            other => panic!("expected the stranger named, got {other:?}"),
        }
        assert!(db.policies(&[a, b]).await.unwrap().is_empty(), "nothing written");
        // The whole file imports: two policies, three memberships; the coverage check sees them.
        assert_eq!(db.import_policies(&actor(), &[a, b], &file("")).await.unwrap(), ImportCounts { new: 5, same: 0 });
        let recorded = db.policies(&[a]).await.unwrap();
        assert_eq!(recorded.len(), 2);
        let az = recorded.iter().find(|p| p.number == "AZ2026").unwrap();
        let on_az = db.policy_members(az.policy_id).await.unwrap();
        assert_eq!(on_az.len(), 2);
        assert!(on_az.iter().any(|m| m.from_on.to_string() == "2026-01-01"), "from defaults to the policy's start");
        let c = &db.coverage(&[a], chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()).await.unwrap()[0].coverage;
        assert_eq!((c.active, c.covered), (2, 1), "李四 is not on the work-injury policy");
        // Twice adds nothing; a members table alone (a CSV) names recorded policies.
        let trail = count_audit(&db).await;
        assert_eq!(db.import_policies(&actor(), &[a, b], &file("")).await.unwrap(), ImportCounts { new: 0, same: 5 });
        assert_eq!(count_audit(&db).await, trail);
        let alone = check_policy_tables(&[sheet(&format!("policy_number,id_number\nGS2026,{li}"))], mine_of).unwrap();
        assert_eq!(db.import_policies(&actor(), &[a, b], &alone).await.unwrap(), ImportCounts { new: 1, same: 0 });
        // Other dates for a recorded membership, or another premium, are named and stop it.
        let plan = db.plan_policy_import(&[a, b], &file("2026-06-30")).await.unwrap();
        assert_eq!(plan.members[2], RowPlan::Differs(vec!["to"]));
        let mut dearer = file("");
        dearer.policies[0].draft.premium_fen += 100;
        let plan = db.plan_policy_import(&[a, b], &dearer).await.unwrap();
        assert_eq!(plan.policies[0], RowPlan::Differs(vec!["premium"]));
        assert!(db.import_policies(&actor(), &[a, b], &dearer).await.is_err());
        assert_eq!(db.policy_versions(recorded[0].policy_id).await.unwrap().len(), 1);
        // A policy the importer does not keep is not found by its number.
        let plan = db.plan_policy_import(&[b], &alone).await.unwrap();
        assert_eq!(plan.members[0], RowPlan::Problem("policy_number", "err-import-policy-unknown"));
    }
}
