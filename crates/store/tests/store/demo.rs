use minecoop_domain::auth::Scope;
use minecoop_store::registry::ListQuery;
use minecoop_store::{both_backends, demo};

both_backends! {
    async fn demo_co_op_loads_once(db) {
        let logins = demo::load(&db).await.unwrap();
        assert_eq!(logins.len(), 6);
        let q = ListQuery { page: 1, per_page: 100, ..Default::default() };
        assert_eq!(db.members(Scope::All, &q).await.unwrap().total, 13);
        assert_eq!(db.mines(Scope::All, &q).await.unwrap().total, 16);
        let president = &db.members(Scope::All, &ListQuery { q: Some("Niujiaotang Zinc".into()), ..q.clone() }).await.unwrap().items[0];
        assert_eq!(db.mines_of_member(president.id).await.unwrap().len(), 3);
        assert!(demo::load(&db).await.is_err(), "a second load must be refused");
        assert!(db.audit_verify().await.unwrap().is_ok());
        let officer = db.user_by_name("officer").await.unwrap();
        assert!(officer.mine_id.is_some());
    }
}
