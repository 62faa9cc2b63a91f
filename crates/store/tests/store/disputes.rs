use minecoop_domain::cadastre::dispute::{DisputeDraft, DisputeInput, DisputeStatus, parse_event};
use minecoop_store::{StoreError, both_backends};

use crate::{actor, member_draft};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

both_backends! {
    async fn a_case_notifies_its_parties_and_moves_forward(db) {
        let a = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let b = db.create_member(&actor(), &member_draft(2, "B")).await.unwrap();
        let c = db.create_member(&actor(), &member_draft(3, "C")).await.unwrap();
        let d = DisputeDraft::parse(
            &DisputeInput {
                title: "A's drift under B".into(),
                kind: "cross_boundary".into(),
                description: "found by survey".into(),
                member_ids: vec![a.id.to_string(), b.id.to_string()],
                due_on: "2026-12-31".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        let case = db.open_dispute(&actor(), &d).await.unwrap();
        assert_eq!(case.status(), DisputeStatus::Open);
        assert_eq!(db.notifications(Some(&[a.id]), 10).await.unwrap().len(), 1);
        assert_eq!(db.notifications(Some(&[b.id]), 10).await.unwrap().len(), 1);
        assert!(db.notifications(Some(&[c.id]), 10).await.unwrap().is_empty(), "only the members involved");

        let meeting = parse_event("meeting", "Both owners met at the co-op", "", case.status()).unwrap();
        let case2 = db.add_dispute_event(&actor(), case.id, 1, &meeting).await.unwrap();
        let agreed = parse_event("agreement", "A backfills the drift and pays B", "", case2.status()).unwrap();
        let case3 = db.add_dispute_event(&actor(), case.id, 2, &agreed).await.unwrap();
        assert_eq!(case3.status(), DisputeStatus::Settled);
        assert!(matches!(db.add_dispute_event(&actor(), case.id, 2, &meeting).await, Err(StoreError::Conflict)));
        let log = db.dispute_events(case.id).await.unwrap();
        assert_eq!(log.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["meeting", "agreement"]);
        assert_eq!(db.notifications(Some(&[a.id]), 10).await.unwrap().len(), 3);
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}

both_backends! {
    async fn documents_attach_to_a_case_and_come_back_byte_for_byte(db) {
        let m = db.create_member(&crate::actor(), &crate::member_draft(7, "D")).await.unwrap();
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let a = db.attach(&crate::actor(), "dispute", m.id, " 会议纪要.pdf ", "application/pdf", &bytes).await.unwrap();
        assert_eq!((a.file_name.as_str(), a.size), ("会议纪要.pdf", 70_000));
        assert!(matches!(db.attach(&crate::actor(), "dispute", m.id, "x", "", &[]).await, Err(minecoop_store::StoreError::Invalid(_))));
        let list = db.attachments("dispute", m.id).await.unwrap();
        assert_eq!(list, vec![a.clone()]);
        let back = db.attachment(a.id).await.unwrap();
        assert_eq!(back.content, bytes);
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}
