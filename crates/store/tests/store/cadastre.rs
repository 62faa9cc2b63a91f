use minecoop_domain::cadastre::check::{OutsideKind, check_working, overlaps};
use minecoop_domain::cadastre::crs::Crs;
use minecoop_domain::cadastre::licence::{LicenceDraft, LicenceInput};
use minecoop_store::{StoreError, both_backends, demo};

use crate::{actor, member_draft, mine_draft};

fn licence_input(mine_id: uuid::Uuid, no: &str, corners: &str) -> LicenceInput {
    LicenceInput {
        mine_id: mine_id.to_string(),
        licence_no: no.into(),
        holder: "H".into(),
        mine_name: "M".into(),
        minerals: "zn".into(),
        mining_method: "underground".into(),
        scale: "3".into(),
        stated_area_km2: "0.3".into(),
        valid_from: "2020-01-01".into(),
        valid_to: "2027-01-01".into(),
        elevation_top_m: "1200".into(),
        elevation_bottom_m: "800".into(),
        issuing_office: "O".into(),
        issued_on: String::new(),
        corner_crs: "EPSG:4490".into(),
        corners: corners.into(),
        reason: "issued".into(),
    }
}

const SQUARE: &str = "1, 26.220, 107.480\n2, 26.220, 107.486\n3, 26.225, 107.486\n4, 26.225, 107.480\n";

both_backends! {
    async fn licences_keep_every_version(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let mine = db.create_mine(&actor(), &mine_draft(m.id, "A1")).await.unwrap();
        let d = LicenceDraft::parse(&licence_input(mine.id, "C5200002011043120110001", SQUARE)).unwrap();
        let v1 = db.create_licence(&actor(), &d, &[]).await.unwrap();
        assert_eq!(v1.version, 1);
        let back = db.current_licences().await.unwrap();
        assert_eq!(back.len(), 1);
        let shape = back[0].shape();
        assert_eq!(shape.0[0].exterior().0.len(), 5);
        assert!((back[0].computed_area_m2() - d.computed_area_m2).abs() < 0.01);
        let mut renewal = licence_input(mine.id, "C5200002011043120110001", SQUARE);
        renewal.valid_to = "2034-01-01".into();
        renewal.reason = "renewal".into();
        let d2 = LicenceDraft::parse(&renewal).unwrap();
        let v2 = db.add_licence_version(&actor(), v1.licence_id, 1, &d2, &[]).await.unwrap();
        assert_eq!(v2.version, 2);
        assert!(matches!(db.add_licence_version(&actor(), v1.licence_id, 1, &d2, &[]).await, Err(StoreError::Conflict)));
        let versions = db.licence_versions(v1.licence_id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.valid_to.to_string()).collect::<Vec<_>>(), ["2027-01-01", "2034-01-01"]);
        assert_eq!(db.current_licences().await.unwrap()[0].version, 2);
        let dup = db.create_licence(&actor(), &d, &[]).await.unwrap_err();
        assert!(matches!(dup, StoreError::Invalid(ref e) if e.get("licence_no").is_some()));
        let h = db.history("licence", &v1.licence_id.to_string()).await.unwrap();
        assert_eq!(h.len(), 2);
        assert!(db.audit_verify().await.unwrap().is_ok());
    }

    async fn demo_licences_show_one_sliver_and_a_working_beyond_its_boundary(db) {
        demo::load(&db).await.unwrap();
        let licences = db.current_licences().await.unwrap();
        assert_eq!(licences.len(), 16);
        let leases: Vec<_> = licences.iter().map(|l| l.lease()).collect();
        let found = overlaps(&leases, Crs::Geographic);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].area_m2 > 100.0 && found[0].area_m2 < 2_000.0, "a sliver: {}", found[0].area_m2);
        let workings = db.workings().await.unwrap();
        let mut kinds = Vec::new();
        for w in &workings {
            let lic = licences.iter().find(|l| l.licence_id == w.licence_id).unwrap();
            for o in check_working(&w.input(&lic.licence_no), &lic.lease(), Crs::Geographic) {
                kinds.push((w.label.clone(), o.kind, o.distance_m));
            }
        }
        assert!(kinds.iter().any(|(l, k, d)| l == "DP-D2" && *k == OutsideKind::BeyondBoundary && (*d - 70.0).abs() < 5.0), "{kinds:?}");
        assert!(kinds.iter().any(|(l, k, d)| l == "DP-F3" && *k == OutsideKind::OutOfLevel && (*d - 18.0).abs() < 0.01), "{kinds:?}");
        assert_eq!(kinds.len(), 2, "{kinds:?}");
    }
}
