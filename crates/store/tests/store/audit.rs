use minecoop_domain::audit::BrokenLink;
use minecoop_store::audit::AuditFilter;
use minecoop_store::both_backends;
use sea_orm::ConnectionTrait;

use crate::{actor, member_draft, mine_draft};

both_backends! {
    async fn every_change_is_recorded_with_before_and_after(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        db.update_member(&actor(), m.id, 1, &member_draft(1, "B")).await.unwrap();
        let h = db.history("member", &m.id.to_string()).await.unwrap();
        assert_eq!(h.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["create", "update"]);
        assert_eq!(h[0].before, "null");
        assert!(h[1].before.contains("A Mining") && h[1].after.contains("B Mining"));
        assert_eq!(h[1].actor, "tester");
        assert_eq!(h[1].prev_hash, h[0].hash);
        assert_eq!(db.audit_verify().await.unwrap(), Ok(2));
    }

    async fn an_edit_in_the_database_breaks_the_chain(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        db.create_mine(&actor(), &mine_draft(m.id, "A1")).await.unwrap();
        db.create_mine(&actor(), &mine_draft(m.id, "A2")).await.unwrap();
        assert_eq!(db.audit_verify().await.unwrap(), Ok(3));
        db.conn().execute_unprepared("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2").await.unwrap();
        assert_eq!(db.audit_verify().await.unwrap(), Err(BrokenLink::HashMismatch { seq: 2 }));
    }

    async fn a_removed_last_record_is_found(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        db.create_mine(&actor(), &mine_draft(m.id, "A1")).await.unwrap();
        db.conn().execute_unprepared("DELETE FROM audit_log WHERE seq = 2").await.unwrap();
        assert!(matches!(db.audit_verify().await.unwrap(), Err(BrokenLink::Gap { .. })));
    }

    async fn a_failed_write_leaves_no_audit_record(db) {
        db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        assert!(db.create_member(&actor(), &member_draft(1, "B")).await.is_err());
        let list = db.audit_list(&AuditFilter::default(), 1, 50).await.unwrap();
        assert_eq!(list.total, 1);
        assert_eq!(db.audit_verify().await.unwrap(), Ok(1));
    }

    async fn concurrent_writers_keep_one_chain(db) {
        let mut tasks = Vec::new();
        for i in 0..12 {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                s.create_member(&actor(), &member_draft(i, &format!("C{i}"))).await.map(|_| ())
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(db.audit_verify().await.unwrap(), Ok(12));
    }

    async fn audit_list_filters(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        db.create_mine(&actor(), &mine_draft(m.id, "A1")).await.unwrap();
        let f = AuditFilter { entity: Some("mine".into()), ..Default::default() };
        let l = db.audit_list(&f, 1, 10).await.unwrap();
        assert_eq!(l.total, 1);
        assert_eq!(l.items[0].entity, "mine");
        let f = AuditFilter { only: Some(vec!["mine", "licence"]), ..Default::default() };
        let l = db.audit_list(&f, 1, 10).await.unwrap();
        assert!(l.items.iter().all(|r| r.entity != "member") && l.total == 1);
    }
}
