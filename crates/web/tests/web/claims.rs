//! Injury claims over pages and API: opened from the incident for a worker of its mine, the
//! deadline with its days left, one step at a time, corrections with a reason, field errors in
//! the user's language, stale versions refused, documents, and the bureau kept out.

use axum::http::Method;
use chrono::Duration;
use serde_json::json;

use crate::support::{As, Backend, Body_, TestApp, app};

const EN: [(&str, &str); 1] = [("accept-language", "en")];

/// An injury at the officer's mine `days_ago` days ago, and a worker of the mine working then.
async fn injury(app: &TestApp, days_ago: i64) -> (String, String, String) {
    use minecoop_domain::production::sample::parse_local_time;
    use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let today = minecoop_web::cadastre::today();
    let day = today - Duration::days(days_ago);
    let i = IncidentInput {
        mine_id: mine.to_string(),
        kind: "lost_time".into(),
        occurred_at: format!("{day}T09:30"),
        unit_head_notified_at: format!("{day}T09:45"),
        location: "二中段运输巷".into(),
        description: "矿车掉道压伤左腿".into(),
        serious_injuries: "1".into(),
        ..Default::default()
    };
    let d = IncidentDraft::parse(&i, parse_local_time(&format!("{today}T23:00")).unwrap()).unwrap();
    let inc = app.db.record_incident(&minecoop_store::Actor::system("test"), &d).await.unwrap();
    let w = app
        .db
        .workers(Some(&[mine]))
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.start_date <= day && w.end_date.is_none())
        .unwrap();
    (inc.incident_id.to_string(), w.worker_id.to_string(), w.name)
}

async fn api_claims(backend: Backend) {
    let app = app(backend).await;
    let (inc, worker, name) = injury(&app, 10).await;
    let post = |body: serde_json::Value| {
        app.send_with(As::User("officer"), Method::POST, "/api/v1/claims", Some(Body_::Json(body)), &EN)
    };
    // Bad input: 422 with each field named, in the user's language.
    let r = post(json!({"incident_id": inc, "worker_id": worker, "severity": "fatal"})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let errs = r.json()["errors"].as_array().unwrap().clone();
    for f in ["family_name", "family_relation", "family_phone"] {
        let e = errs.iter().find(|e| e["field"] == f).unwrap_or_else(|| panic!("{f}: {errs:?}"));
        assert_eq!(e["code"], "err-claim-family-required");
        assert_eq!(e["message"], "Required when the worker died.");
    }
    let r = post(json!({"incident_id": inc, "worker_id": worker, "severity": "serious", "claimed": "-5"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "claimed");
    // Opened: the deadline 30 days after the injury, 20 days left.
    let r = post(json!({"incident_id": inc, "worker_id": worker, "severity": "serious"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!((c["status"].as_str(), c["version"].as_i64()), (Some("opened"), Some(1)));
    assert_eq!(c["worker_name"], name.as_str());
    assert_eq!(c["deadline_state"], json!({"state": "days_left", "days": 20}));
    let r = post(json!({"incident_id": inc, "worker_id": worker, "severity": "serious"})).await;
    assert_eq!((r.status.as_u16(), r.json()["errors"][0]["code"].as_str()), (422, Some("err-claim-duplicate")));

    // The next step with the version read; the same again is stale: 409.
    let today = minecoop_web::cadastre::today();
    let applied = json!({"version": 1, "incident_id": inc, "worker_id": worker, "severity": "serious",
        "status": "applied", "applied_on": today.to_string()});
    let one = format!("/api/v1/claims/{id}");
    let put = |body: serde_json::Value| app.send(As::User("officer"), Method::PUT, &one, Some(Body_::Json(body)));
    let r = put(applied.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["deadline_state"], json!({"state": "applied", "on": today.to_string(), "late_days": 0}));
    assert_eq!(put(applied.clone()).await.status, 409);
    // Skipping steps: 422 on the status.
    let mut paid = applied.clone();
    paid["version"] = json!(2);
    paid["status"] = json!("paid");
    for (k, val) in [("determination", "recognised"), ("payer", "injury_fund"), ("claimed", "5000"), ("paid", "5000")] {
        paid[k] = json!(val);
    }
    paid["determined_on"] = json!(today.to_string());
    paid["paid_on"] = json!(today.to_string());
    let r = put(paid).await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "status" && e["code"] == "err-claim-transition")
    );
    // The lists filter; the inspector reads; the bureau gets nothing.
    let r = app.get(As::User("officer"), &format!("/api/v1/claims?incident={inc}&status=applied")).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = app.get(As::User("officer"), "/api/v1/claims?overdue=true").await;
    assert!(r.json().as_array().unwrap().is_empty());
    assert_eq!(app.get(As::User("officer"), "/api/v1/claims?status=bogus").await.status, 400);
    assert_eq!(app.get(As::User("inspector"), &format!("/api/v1/claims/{id}")).await.status, 200);
    let mut fix = applied.clone();
    fix["version"] = json!(2);
    fix["reason"] = json!("typo");
    assert_eq!(
        app.send(As::User("inspector"), Method::PUT, &format!("/api/v1/claims/{id}"), Some(Body_::Json(fix)))
            .await
            .status,
        403
    );
    // Documents over the API: the file is the body, its name in `filename`; kept, listed, never
    // replaced, and read back byte for byte.
    let docs = format!("/api/v1/claims/{id}/documents");
    assert_eq!(app.get(As::User("officer"), &docs).await.json(), json!([]));
    let pdf = b"%PDF-1.4 application for injury determination".to_vec();
    let send = |path: String, who: &'static str, bytes: Vec<u8>| {
        let app = &app;
        async move {
            app.send_with(As::User(who), Method::POST, &path, Some(Body_::Bytes("application/pdf", bytes)), &EN).await
        }
    };
    let r = send(docs.clone(), "officer", pdf.clone()).await;
    assert_eq!(r.status, 422, "no file name");
    assert_eq!(r.json()["errors"][0]["field"], "filename", "{}", r.body);
    let r = send(format!("{docs}?filename=empty.pdf"), "officer", Vec::new()).await;
    assert_eq!(r.status, 422, "an empty file: {}", r.body);
    let r = send(format!("{docs}?filename=%E8%AE%A4%E5%AE%9A%E7%94%B3%E8%AF%B7.pdf"), "officer", pdf.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let doc = r.json();
    assert_eq!(doc["file_name"], "认定申请.pdf");
    assert_eq!(doc["size"], pdf.len());
    let listed = app.get(As::User("inspector"), &docs).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["sha256"], doc["sha256"]);
    let got = app.get(As::User("officer"), doc["link"].as_str().unwrap()).await;
    assert_eq!((got.status.as_u16(), got.bytes.clone()), (200, pdf.clone()));
    assert_eq!(send(format!("{docs}?filename=x.pdf"), "inspector", pdf.clone()).await.status, 403);
    for path in ["/api/v1/claims".to_owned(), format!("/api/v1/claims/{id}"), docs.clone()] {
        let r = app.get(As::User("bureau"), &path).await;
        assert_eq!(r.status, 403, "{path}");
        assert!(!r.body.contains(&name) && !r.body.contains("认定申请"));
    }
    assert_eq!(send(format!("{docs}?filename=x.pdf"), "bureau", pdf).await.status, 403);
}

#[tokio::test]
async fn api_claims_sqlite() {
    api_claims(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_claims_postgres() {
    api_claims(Backend::Postgres).await;
}

async fn claim_pages(backend: Backend) {
    let app = app(backend).await;
    let (inc, worker, name) = injury(&app, 27).await;
    // The incident page offers the claim; the bureau's shows no claims at all.
    let r = app.get(As::User("officer"), &format!("/safety/incidents/{inc}")).await;
    assert!(r.body.contains("id=\"open-claim\"") && r.body.contains(&format!("/claims/new?incident={inc}")));
    let r = app.get(As::User("bureau"), &format!("/safety/incidents/{inc}")).await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("claims-section") && !r.body.contains("open-claim"));
    let r = app.get(As::User("inspector"), &format!("/safety/incidents/{inc}")).await;
    assert!(r.body.contains("claims-section") && !r.body.contains("open-claim"), "the inspector reads");

    let r = app.send_with(As::User("officer"), Method::GET, &format!("/claims/new?incident={inc}"), None, &EN).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("3 days left"), "the deadline is shown");
    assert!(r.body.contains(&format!("value=\"{worker}\"")));
    // The count's own wording: one day, and the last day.
    for (ago, en, zh) in [(29, "1 day left", "剩余 1 天"), (30, "last day today", "今天是最后一天")] {
        let (other, _, _) = injury(&app, ago).await;
        let path = format!("/claims/new?incident={other}");
        let r = app.send_with(As::User("officer"), Method::GET, &path, None, &EN).await;
        assert!(r.body.contains(en), "{ago} days ago: {en}");
        let r = app.get(As::User("officer"), &path).await;
        assert!(r.body.contains(zh), "{ago} days ago: {zh}");
    }
    // Without a severity: the form again, the message in Chinese (the default).
    let form = format!("incident_id={inc}&worker_id={worker}&severity=");
    let r = app.send(As::User("officer"), Method::POST, "/claims", Some(Body_::Form(form))).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"e-severity\""), "{}", r.body);
    let form = format!("incident_id={inc}&worker_id={worker}&severity=serious&notes=%E9%AA%A8%E6%8A%98");
    let r = app.send(As::User("officer"), Method::POST, "/claims", Some(Body_::Form(form))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let id = at.trim_start_matches("/claims/").to_owned();
    let r = app.send_with(As::User("officer"), Method::GET, &at, None, &EN).await;
    assert!(r.body.contains("3 days left") && r.body.contains("deadline-near"), "{}", r.body);
    assert!(r.body.contains("id=\"step-form\""));

    // The step without its date: 422 on the page, in English.
    let step = |applied: &str| {
        format!("form=step&version=1&status=applied&applied_on={applied}&determination=pending&reason=")
    };
    let r = app.send_with(As::User("officer"), Method::POST, &at, Some(Body_::Form(step(""))), &EN).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"e-applied_on\""));
    let today = minecoop_web::cadastre::today();
    let r = app.send(As::User("officer"), Method::POST, &at, Some(Body_::Form(step(&today.to_string())))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = app.send_with(As::User("officer"), Method::GET, &at, None, &EN).await;
    assert!(r.body.contains("Determination applied for") && r.body.contains("in time"));
    // The same step again from a stale page: 409 with the current version shown.
    let r = app.send(As::User("officer"), Method::POST, &at, Some(Body_::Form(step(&today.to_string())))).await;
    assert_eq!(r.status, 409);
    // A correction needs its reason; with one it is version 3.
    let r = app.send_with(As::User("officer"), Method::GET, &format!("{at}/edit"), None, &EN).await;
    assert_eq!(r.status, 200);
    let fix = |reason: &str| {
        format!("version=2&status=applied&severity=minor&applied_on={today}&determination=pending&reason={reason}")
    };
    let r = app.send_with(As::User("officer"), Method::POST, &at, Some(Body_::Form(fix(""))), &EN).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Say why the record is corrected."));
    let r = app.send(As::User("officer"), Method::POST, &at, Some(Body_::Form(fix("wrong-severity")))).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.db.claim_versions(id.parse().unwrap()).await.unwrap().len(), 3);

    // A document, downloaded back; an empty upload is refused.
    let parts = vec![("file".to_owned(), Some("申请表.pdf".to_owned()), b"%PDF-1.4 test".to_vec())];
    let r =
        app.send(As::User("officer"), Method::POST, &format!("{at}/documents"), Some(Body_::Multipart(parts))).await;
    assert_eq!(r.status, 303);
    let doc = app.db.claim_documents(id.parse().unwrap()).await.unwrap().remove(0);
    let r = app.get(As::User("inspector"), &format!("{at}/documents/{}", doc.id)).await;
    assert_eq!((r.status.as_u16(), r.bytes.as_slice()), (200, b"%PDF-1.4 test".as_slice()));
    let r =
        app.send(As::User("officer"), Method::POST, &format!("{at}/documents"), Some(Body_::Multipart(vec![]))).await;
    assert_eq!(r.status, 422);
    assert_eq!(app.get(As::User("bureau"), &format!("{at}/documents/{}", doc.id)).await.status, 403);

    // The list, the worker's page and the incident's page show the claim; the bureau none.
    let r = app.get(As::User("officer"), "/claims").await;
    assert!(r.body.contains(&name) && r.body.contains(&at));
    let r = app.get(As::User("officer"), "/claims?overdue=true").await;
    assert!(!r.body.contains(&at));
    let r = app.get(As::User("officer"), &format!("/workers/{worker}")).await;
    assert!(r.body.contains(&at));
    let r = app.get(As::User("officer"), &format!("/safety/incidents/{inc}")).await;
    assert!(r.body.contains(&at));
    for path in ["/claims".to_owned(), at.clone(), format!("{at}/edit")] {
        let r = app.get(As::User("bureau"), &path).await;
        assert_eq!(r.status, 403, "{path}");
        assert!(!r.body.contains(&name));
    }
    // The menu's workers section has the claims, not the bureau's.
    let r = app.get(As::User("officer"), "/claims").await;
    assert!(r.body.contains("href=\"/claims\""));
    let r = app.get(As::User("bureau"), "/insurance").await;
    assert!(!r.body.contains("href=\"/claims\""));
}

#[tokio::test]
async fn claim_pages_sqlite() {
    claim_pages(Backend::Sqlite).await;
}

#[tokio::test]
async fn claim_pages_postgres() {
    claim_pages(Backend::Postgres).await;
}
