use minecoop_domain::auth::Scope;
use minecoop_store::registry::ListQuery;
use minecoop_store::{both_backends, demo};

/// Every kind of record written to the trail is classified for its readers (an unclassified
/// kind is hidden from the bureau, and named by its code). Returns how many kinds there are.
async fn audited_kinds_are_classified(db: &minecoop_store::Store) -> usize {
    use minecoop_store::audit::record;
    use sea_orm::{EntityTrait, QuerySelect};
    let kinds: Vec<String> = record::Entity::find()
        .select_only()
        .column(record::Column::Entity)
        .distinct()
        .into_tuple()
        .all(db.conn())
        .await
        .unwrap();
    let known: Vec<&str> = minecoop_domain::auth::AUDIT_ENTITIES.iter().map(|(e, _)| *e).collect();
    let unknown: Vec<&String> = kinds.iter().filter(|k| !known.contains(&k.as_str())).collect();
    assert!(unknown.is_empty(), "not classified in AUDIT_ENTITIES: {unknown:?}");
    kinds.len()
}

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
        assert!(audited_kinds_are_classified(&db).await >= 20, "the demo writes many kinds of record");
        let officer = db.user_by_name("officer").await.unwrap();
        assert!(officer.mine_id.is_some());
    }
}

both_backends! {
    async fn the_2005_history_gives_the_case_study_figures_exactly(db) {
        use minecoop_domain::production::{default_elements, period::totals};
        use rust_decimal::Decimal;
        minecoop_store::demo::load(&db).await.unwrap();
        minecoop_store::demo::load_history(&db).await.unwrap();
        audited_kinds_are_classified(&db).await;
        let from = chrono::NaiveDate::from_ymd_opt(2005, 1, 1).unwrap();
        let to = chrono::NaiveDate::from_ymd_opt(2005, 12, 31).unwrap();
        let recs = db.production_between(None, from, to).await.unwrap();
        let drafts: Vec<_> = recs.iter().map(|r| r.draft()).collect();
        let el = default_elements();
        let t = totals(&drafts, &el);
        let zn = &t.metal["zn"];
        assert_eq!(zn.feed.grade(&el[0]), Some(Decimal::new(348, 2)));
        assert_eq!(zn.tailings.grade(&el[0]), Some(Decimal::new(28, 2)));
        assert_eq!(zn.waste.grade(&el[0]), Some(Decimal::new(55, 2)));
        let samples = db
            .samples_between(None, from.and_hms_opt(0, 0, 0).unwrap(), to.and_hms_opt(23, 59, 59).unwrap())
            .await
            .unwrap();
        assert_eq!(samples.iter().filter(|s| s.qc_role == "routine").count(), 216);
        assert_eq!(samples.len(), 216 + 24, "a reference material and a blank in every monthly batch");
        let qc = db
            .qc_batches(None, from.and_hms_opt(0, 0, 0).unwrap(), to.and_hms_opt(23, 59, 59).unwrap(), &Default::default())
            .await
            .unwrap();
        let flagged: Vec<&str> = qc.iter().filter(|b| b.awaiting_decision()).map(|b| b.qc.batch.as_str()).collect();
        assert_eq!((qc.len(), flagged), (12, vec!["2005-07"]));
        let reported = db.reported_figures(2005, None).await.unwrap();
        assert_eq!((reported[0].figure.as_str(), reported[0].value_e4), ("recovery_pct.zn", 912_500));
        assert!(db.audit_verify().await.unwrap().is_ok());
    }
}
