use chrono::NaiveDate;
use minecoop_domain::registry::{CoopRole, PersonDraft};
use minecoop_domain::safety::hazard::{HazardDraft, HazardInput};
use minecoop_domain::safety::inspection::{
    AnswerInput, DEFAULT_TEMPLATE_ID, FindingDraft, FindingInput, FindingStatus, InspectionDraft, InspectionInput,
    QuestionDraft, QuestionInput, QuestionKind, ScheduleDraft, ScheduleInput, TemplateDraft, TemplateInput,
};
use minecoop_store::safety::{PHOTO_ENTITY, Photo};
use minecoop_store::{Store, StoreError, both_backends};
use uuid::Uuid;

use crate::{actor, member_draft, mine_draft};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Every item answered safely, but the O2 reading and the second exit.
fn filled(
    db_mine: Uuid,
    schedule: Option<Uuid>,
    t: &minecoop_store::safety::TemplateVersion,
    on: &str,
) -> InspectionDraft {
    let content = t.content();
    let mut i = InspectionInput {
        mine_id: db_mine.to_string(),
        schedule_id: schedule.map(|s| s.to_string()).unwrap_or_default(),
        template_id: t.template_id.to_string(),
        inspected_on: on.into(),
        inspector: "周检".into(),
        notes: String::new(),
        answers: content
            .questions()
            .map(|q| {
                let v = match q.kind {
                    QuestionKind::YesNo => "yes",
                    QuestionKind::Number => "na",
                    _ => "",
                };
                (q.key.clone(), AnswerInput { value: v.into(), note: String::new() })
            })
            .collect(),
    };
    i.answers.insert("vent-o2".into(), AnswerInput { value: "18.6".into(), note: "掘进面缺氧".into() });
    i.answers.insert("exit-two".into(), AnswerInput { value: "no".into(), note: String::new() });
    InspectionDraft::parse(&i, &content, d("2026-11-26")).unwrap()
}

async fn mine_and_person(db: &Store, n: usize) -> (Uuid, Uuid, Uuid) {
    let m = db.create_member(&actor(), &member_draft(n, &format!("安全{n}"))).await.unwrap();
    let mine = db.create_mine(&actor(), &mine_draft(m.id, &format!("安全{n}"))).await.unwrap();
    let p = PersonDraft {
        name: format!("赵安全{n}"),
        phone: None,
        coop_role: CoopRole::SafetyOfficer,
        member_id: Some(m.id),
        notes: None,
    };
    let person = db.create_person(&actor(), &p).await.unwrap();
    (m.id, mine.id, person.id)
}

both_backends! {
    async fn the_default_template_is_seeded_and_changes_make_versions(db) {
        let all = db.inspection_templates().await.unwrap();
        assert_eq!(all.len(), 1);
        let v1 = db.inspection_template(DEFAULT_TEMPLATE_ID).await.unwrap();
        assert_eq!((v1.version, v1.content().sections.len()), (1, 9));
        assert_eq!(v1.name(true), "地下金属矿山安全综合检查");

        // A question added: version 2, version 1 kept as it was.
        let q = QuestionInput {
            section: "ventilation".into(),
            kind: "number".into(),
            en: "Radon (Bq/m³)".into(),
            zh: "氡浓度".into(),
            max: "1000".into(),
            severity: "high".into(),
            ..Default::default()
        };
        let q = QuestionDraft::parse(&q, &v1.content()).unwrap();
        let v2 = db
            .revise_inspection_template(&actor(), DEFAULT_TEMPLATE_ID, 1, &v1.content().with_question(&q), Some("radon"))
            .await
            .unwrap();
        assert_eq!((v2.version, v2.reason.as_deref()), (2, Some("radon")));
        assert_eq!(v2.content().questions().count(), v1.content().questions().count() + 1);
        let stale = db.revise_inspection_template(&actor(), DEFAULT_TEMPLATE_ID, 1, &v1.content(), None).await;
        assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
        let versions = db.inspection_template_versions(DEFAULT_TEMPLATE_ID).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(db.template_version(v1.id).await.unwrap(), v1);
        assert_eq!(db.inspection_template(DEFAULT_TEMPLATE_ID).await.unwrap(), v2);

        // A new template copied from the default, and an empty one.
        let copy = TemplateDraft::parse(&TemplateInput {
            name_en: "Tailings walk".into(),
            name_zh: "尾矿库巡查".into(),
            copy_of: DEFAULT_TEMPLATE_ID.to_string(),
        })
        .unwrap();
        let c = db.create_inspection_template(&actor(), &copy).await.unwrap();
        assert_eq!((c.version, c.content().questions().count()), (1, v2.content().questions().count()));
        let empty = TemplateDraft { copy_of: None, ..copy.clone() };
        assert!(db.create_inspection_template(&actor(), &empty).await.unwrap().content().sections.is_empty());
        let bad = TemplateDraft { copy_of: Some(Uuid::now_v7()), ..copy };
        assert!(matches!(db.create_inspection_template(&actor(), &bad).await, Err(StoreError::Invalid(_))));
        assert_eq!(db.inspection_templates().await.unwrap().len(), 3);
        assert_eq!(db.history("inspection_template", &DEFAULT_TEMPLATE_ID.to_string()).await.unwrap().len(), 1);
    }

    async fn an_inspection_is_scored_keeps_its_version_and_raises_findings(db) {
        let (_, mine, _) = mine_and_person(&db, 31).await;
        let (_, other_mine, _) = mine_and_person(&db, 32).await;
        let s = ScheduleDraft::parse(&ScheduleInput {
            mine_id: mine.to_string(),
            template_id: DEFAULT_TEMPLATE_ID.to_string(),
            every: "1".into(),
            unit: "months".into(),
            first_due: "2026-10-31".into(),
        })
        .unwrap();
        let schedule = db.create_inspection_schedule(&actor(), &s).await.unwrap();
        assert_eq!(db.inspection_schedule(schedule.id).await.unwrap(), schedule);
        let bad = ScheduleDraft { template_id: Uuid::now_v7(), ..s.clone() };
        assert!(matches!(db.create_inspection_schedule(&actor(), &bad).await, Err(StoreError::Invalid(_))));
        let st = db.inspection_schedules(Some(&[mine])).await.unwrap();
        assert_eq!((st.len(), st[0].next_due, st[0].overdue(d("2026-11-26"))), (1, d("2026-10-31"), true));
        assert!(db.inspection_schedules(Some(&[other_mine])).await.unwrap().is_empty());

        let t = db.inspection_template(DEFAULT_TEMPLATE_ID).await.unwrap();
        let draft = filled(mine, Some(schedule.id), &t, "2026-11-20");
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        let photo = Photo { key: "vent-o2".into(), file_name: "o2.jpg".into(), content_type: "image/jpeg", bytes: jpeg.clone() };
        let i = db.record_inspection(&actor(), t.id, &draft, &[photo]).await.unwrap();
        assert_eq!((i.failed, i.passed + i.failed, i.template_version), (2, i.applicable, 1));

        // The template changes afterwards; the inspection keeps version 1.
        let v2 = db
            .revise_inspection_template(&actor(), DEFAULT_TEMPLATE_ID, 1, &t.content().without_question("ppe-notes").unwrap(), None)
            .await
            .unwrap();
        let rec = db.inspection_record(i.id).await.unwrap();
        assert_eq!((rec.template.version, rec.template.id), (1, t.id));
        assert_ne!(rec.template.id, v2.id);
        assert_eq!(rec.answers.len(), t.content().questions().count());
        assert_eq!(rec.answers[0].question_key, "vent-o2");
        assert_eq!((rec.answers[0].value.as_deref(), rec.answers[0].outcome.as_str()), (Some("18.6"), "fail"));
        assert_eq!(rec.score().percent(), draft.score.percent());
        let keys: Vec<(Option<&str>, &str, &str)> =
            rec.findings.iter().map(|f| (f.question_key.as_deref(), f.severity.as_str(), f.description.as_str())).collect();
        let exit = "是否有两个通达地面的安全出口，标志清楚、畅通无阻？：否 / Are there two usable exits to the surface, signposted and unobstructed?: no";
        assert_eq!(keys, [(Some("vent-o2"), "critical", "掘进面缺氧"), (Some("exit-two"), "critical", exit)]);
        assert_eq!(rec.photos.len(), 1);
        assert_eq!((rec.photos[0].entity.as_str(), rec.photos[0].entity_id), (PHOTO_ENTITY, rec.answers[0].id));
        assert_eq!(db.attachment(rec.photos[0].id).await.unwrap().content, jpeg);

        // Done on the 20th: next due a month later, no longer overdue.
        let st = db.inspection_schedules(None).await.unwrap();
        assert_eq!((st[0].last_done, st[0].next_due), (Some(d("2026-11-20")), d("2026-12-20")));
        assert!(!st[0].overdue(d("2026-11-26")));

        // Lists by mine.
        assert_eq!(db.inspections(Some(&[mine]), 10).await.unwrap().len(), 1);
        assert!(db.inspections(Some(&[other_mine]), 10).await.unwrap().is_empty());
        assert_eq!(db.inspections(None, 10).await.unwrap()[0].id, i.id);

        // A schedule of another mine, or a photo of no question, is refused and nothing is kept.
        let wrong = filled(other_mine, Some(schedule.id), &t, "2026-11-21");
        assert!(matches!(db.record_inspection(&actor(), t.id, &wrong, &[]).await, Err(StoreError::Invalid(_))));
        let stray = Photo { key: "nope".into(), file_name: "x.jpg".into(), content_type: "image/jpeg", bytes: vec![0xFF, 0xD8, 0xFF] };
        let other = filled(other_mine, None, &t, "2026-11-21");
        assert!(matches!(db.record_inspection(&actor(), t.id, &other, &[stray]).await, Err(StoreError::Invalid(_))));
        assert!(db.inspections(Some(&[other_mine]), 10).await.unwrap().is_empty());
        assert!(db.findings(Some(&[other_mine]), None).await.unwrap().is_empty());

        // Findings: listed, open per mine, closed once; one raised by hand.
        let open = db.open_findings_of_mine(mine).await.unwrap();
        assert_eq!(open.len(), 2);
        assert_eq!(db.finding(open[0].id).await.unwrap(), open[0]);
        assert!(matches!(db.close_finding(&actor(), open[0].id, 7, None).await, Err(StoreError::Conflict)));
        let closed = db.close_finding(&actor(), open[0].id, 1, Some("补充通风")).await.unwrap();
        assert_eq!((closed.status.as_str(), closed.version, closed.close_note.as_deref()), ("closed", 2, Some("补充通风")));
        assert!(matches!(db.close_finding(&actor(), open[0].id, 2, None).await, Err(StoreError::Invalid(_))));
        assert_eq!(db.open_findings_of_mine(mine).await.unwrap().len(), 1);
        assert_eq!(db.findings(Some(&[mine]), Some(FindingStatus::Closed)).await.unwrap().len(), 1);
        let manual = FindingDraft::parse(&FindingInput {
            mine_id: other_mine.to_string(),
            severity: "medium".into(),
            description: "Oil drums by the shaft collar".into(),
        })
        .unwrap();
        let f = db.raise_finding(&actor(), &manual).await.unwrap();
        assert_eq!((f.inspection_id, f.status.as_str()), (None, "open"));
        assert_eq!(db.findings(None, Some(FindingStatus::Open)).await.unwrap().len(), 2);
        let h = db.history("finding", &f.id.to_string()).await.unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(db.history("finding", &open[0].id.to_string()).await.unwrap().len(), 2, "raised and closed");
        assert_eq!(db.history("inspection", &i.id.to_string()).await.unwrap().len(), 1);
    }

    async fn hazards_are_versioned_with_their_reasons_and_owned_by_the_mines_people(db) {
        let (member, mine, person) = mine_and_person(&db, 41).await;
        let (_, other_mine, stranger) = mine_and_person(&db, 42).await;
        let input = HazardInput {
            mine_id: mine.to_string(),
            title: "950 中段巷道浮石".into(),
            category: "ground_fall".into(),
            likelihood: "4".into(),
            severity: "5".into(),
            controls: "每班敲帮问顶".into(),
            owner_id: person.to_string(),
            review_on: "2026-10-01".into(),
            ..Default::default()
        };
        let h = db.create_hazard(&actor(), &HazardDraft::parse(&input, false).unwrap()).await.unwrap();
        assert_eq!((h.version, h.risk(), h.band().as_str()), (1, 20, "extreme"));
        let foreign = HazardInput { owner_id: stranger.to_string(), ..input.clone() };
        let e = db.create_hazard(&actor(), &HazardDraft::parse(&foreign, false).unwrap()).await;
        assert!(matches!(&e, Err(StoreError::Invalid(f)) if f.get("owner_id").is_some()), "{e:?}");

        let change = HazardInput { likelihood: "2".into(), reason: "锚网支护完成".into(), review_on: "2027-04-01".into(), ..input.clone() };
        let v2 = db.revise_hazard(&actor(), h.hazard_id, 1, &HazardDraft::parse(&change, true).unwrap()).await.unwrap();
        assert_eq!((v2.version, v2.hazard_id, v2.risk(), v2.reason.as_deref()), (2, h.hazard_id, 10, Some("锚网支护完成")));
        let stale = db.revise_hazard(&actor(), h.hazard_id, 1, &HazardDraft::parse(&change, true).unwrap()).await;
        assert!(matches!(stale, Err(StoreError::Conflict)));
        let moved = HazardInput { mine_id: other_mine.to_string(), ..change.clone() };
        assert!(matches!(
            db.revise_hazard(&actor(), h.hazard_id, 2, &HazardDraft::parse(&moved, true).unwrap()).await,
            Err(StoreError::Invalid(_))
        ));
        let no_reason = HazardDraft { reason: None, ..HazardDraft::parse(&change, true).unwrap() };
        assert!(matches!(db.revise_hazard(&actor(), h.hazard_id, 2, &no_reason).await, Err(StoreError::Invalid(_))));

        let second = HazardInput { title: "主井提升".into(), category: "hoisting".into(), likelihood: "1".into(), ..input.clone() };
        db.create_hazard(&actor(), &HazardDraft::parse(&second, false).unwrap()).await.unwrap();
        let list = db.hazards(Some(&[mine])).await.unwrap();
        assert_eq!(list.iter().map(|h| (h.title.as_str(), h.version)).collect::<Vec<_>>(), [("950 中段巷道浮石", 2), ("主井提升", 1)]);
        assert!(db.hazards(Some(&[other_mine])).await.unwrap().is_empty());
        assert_eq!(db.hazards(None).await.unwrap().len(), 2);
        assert_eq!(db.hazard(h.hazard_id).await.unwrap(), v2);
        assert_eq!(db.hazard_versions(h.hazard_id).await.unwrap().len(), 2, "nothing replaced");
        assert!(matches!(db.hazard(Uuid::now_v7()).await, Err(StoreError::NotFound)));
        let owners = db.hazard_owner_choices(&[member]).await.unwrap();
        assert_eq!(owners.iter().map(|p| p.id).collect::<Vec<_>>(), [person]);
        assert_eq!(db.history("hazard", &h.hazard_id.to_string()).await.unwrap().len(), 2);
    }

    async fn the_demo_has_inspections_one_overdue_schedule_findings_and_hazards(db) {
        minecoop_store::demo::load(&db).await.unwrap();
        let today = minecoop_store::now().date_naive();
        let schedules = db.inspection_schedules(None).await.unwrap();
        let overdue: Vec<Uuid> = schedules.iter().filter(|s| s.overdue(today)).map(|s| s.schedule.mine_id).collect();
        assert_eq!(overdue.len(), 1);
        assert_eq!(db.mine(overdue[0]).await.unwrap().name_en, "Laozhai Zinc Mine");
        assert_eq!(db.inspections(None, 100).await.unwrap().len(), schedules.len());
        let officer = db.user_by_name("officer").await.unwrap();
        let daping = officer.mine_id.unwrap();
        assert_eq!(db.open_findings_of_mine(daping).await.unwrap().len(), 2);
        let hazards = db.hazards(Some(&[daping])).await.unwrap();
        assert_eq!(hazards.len(), 4);
        assert!(hazards.iter().any(|h| h.review_on < today), "one review overdue");
        assert!(hazards.iter().any(|h| h.version == 2), "one re-rated");
    }
}
