use minecoop_domain::auth::Scope;
use minecoop_store::registry::ListQuery;
use minecoop_store::{StoreError, both_backends};

use crate::{actor, member_draft, mine_draft};

fn all() -> ListQuery {
    ListQuery { page: 1, per_page: 50, ..Default::default() }
}

both_backends! {
    async fn member_round_trips(db) {
        let m = db.create_member(&actor(), &member_draft(1, "Daping")).await.unwrap();
        let back = db.member(m.id).await.unwrap();
        assert_eq!(back, m);
        assert_eq!(back.version, 1);
        assert_eq!(back.name_zh, "Daping矿业");
    }

    async fn duplicate_uscc_is_a_field_error(db) {
        db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let err = db.create_member(&actor(), &member_draft(1, "B")).await.unwrap_err();
        match err {
            StoreError::Invalid(e) => assert_eq!(e.get("uscc").unwrap().code, "err-uscc-taken"),
            other => panic!("expected a field error, got {other:?}"),
        }
        assert_eq!(db.members(Scope::All, &all()).await.unwrap().total, 1);
    }

    async fn stale_version_is_a_conflict_and_changes_nothing(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let updated = db.update_member(&actor(), m.id, 1, &member_draft(1, "A2")).await.unwrap();
        assert_eq!(updated.version, 2);
        let err = db.update_member(&actor(), m.id, 1, &member_draft(1, "A3")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict));
        assert_eq!(db.member(m.id).await.unwrap().name_en, "A2 Mining");
    }

    async fn search_is_case_insensitive_and_literal(db) {
        db.create_member(&actor(), &member_draft(1, "Daping")).await.unwrap();
        db.create_member(&actor(), &member_draft(2, "Laozhai")).await.unwrap();
        db.create_member(&actor(), &member_draft(3, "50%_Zinc")).await.unwrap();
        let q = |s: &str| ListQuery { q: Some(s.into()), ..all() };
        assert_eq!(db.members(Scope::All, &q("daping")).await.unwrap().total, 1);
        assert_eq!(db.members(Scope::All, &q("LAOZHAI")).await.unwrap().total, 1);
        assert_eq!(db.members(Scope::All, &q("矿业")).await.unwrap().total, 3);
        // `%` and `_` are matched as themselves, not as wildcards.
        assert_eq!(db.members(Scope::All, &q("%_")).await.unwrap().total, 1);
        assert_eq!(db.members(Scope::All, &q("g_m")).await.unwrap().total, 0);
    }

    async fn paging_counts_the_whole_list(db) {
        for i in 0..7 {
            db.create_member(&actor(), &member_draft(i, &format!("M{i}"))).await.unwrap();
        }
        let p = db.members(Scope::All, &ListQuery { page: 2, per_page: 3, ..Default::default() }).await.unwrap();
        assert_eq!(p.total, 7);
        assert_eq!(p.items.len(), 3);
        assert_eq!(p.pages(), 3);
        assert_eq!(p.items[0].name_en, "M3 Mining");
    }

    async fn mines_filter_by_member_status_and_scope(db) {
        let a = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let b = db.create_member(&actor(), &member_draft(2, "B")).await.unwrap();
        let a1 = db.create_mine(&actor(), &mine_draft(a.id, "A1")).await.unwrap();
        let mut closed = mine_draft(a.id, "A2");
        closed.status = minecoop_domain::registry::MineStatus::Closed;
        db.create_mine(&actor(), &closed).await.unwrap();
        db.create_mine(&actor(), &mine_draft(b.id, "B1")).await.unwrap();
        let by_member = ListQuery { member_id: Some(a.id), ..all() };
        assert_eq!(db.mines(Scope::All, &by_member).await.unwrap().total, 2);
        let operating = ListQuery { status: Some("operating".into()), ..all() };
        assert_eq!(db.mines(Scope::All, &operating).await.unwrap().total, 2);
        let scope = Scope::Mine { mine_id: a1.id, member_id: a.id };
        let scoped = db.mines(scope, &all()).await.unwrap();
        assert_eq!(scoped.items.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a1.id]);
        assert_eq!(db.members(scope, &all()).await.unwrap().total, 1);
        assert_eq!(db.mines(Scope::Nothing, &all()).await.unwrap().total, 0);
        let s = db.register_summary().await.unwrap();
        assert_eq!((s.members_active, s.mines_total, s.mines_operating), (2, 3, 2));
    }

    async fn mine_of_unknown_member_is_refused(db) {
        let err = db.create_mine(&actor(), &mine_draft(uuid::Uuid::now_v7(), "X")).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref e) if e.get("member_id").is_some()), "{err:?}");
        assert_eq!(db.mines(Scope::All, &all()).await.unwrap().total, 0);
    }

    async fn coordinates_are_exact(db) {
        let a = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let m = db.create_mine(&actor(), &mine_draft(a.id, "A1")).await.unwrap();
        let back = db.mine(m.id).await.unwrap();
        assert_eq!((back.lat_micro, back.lon_micro), (26_220_000, 107_490_000));
    }

    async fn people_are_versioned(db) {
        let d = minecoop_domain::registry::PersonDraft::parse(&minecoop_domain::registry::PersonInput {
            name: "黄丽".into(),
            coop_role: "secretary".into(),
            ..Default::default()
        })
        .unwrap();
        let p = db.create_person(&actor(), &d).await.unwrap();
        let p2 = db.update_person(&actor(), p.id, 1, &d).await.unwrap();
        assert_eq!(p2.version, 2);
        assert!(matches!(db.update_person(&actor(), p.id, 1, &d).await, Err(StoreError::Conflict)));
        let found = db.people(&ListQuery { q: Some("黄".into()), ..all() }).await.unwrap();
        assert_eq!(found.total, 1);
    }
}
