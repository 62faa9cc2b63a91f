//! The safety calculators as a page: the same rules as `minecoop safety ...`, in both languages,
//! with each bad field named.

use axum::http::{Method, StatusCode};

use crate::support::{As, Backend, app};

#[tokio::test]
async fn the_safety_calculators_classify_time_and_rate_in_the_users_language() {
    let app = app(Backend::Sqlite).await;
    let get = |path: &'static str, lang: &'static str| {
        let app = &app;
        async move { app.send_with(As::User("officer"), Method::GET, path, None, &[("accept-language", lang)]).await }
    };
    let result =
        |body: &str| body.split("id=\"result\">").nth(1).and_then(|x| x.split("</dl>").next()).unwrap_or("").to_owned();
    let r = get("/safety/calculators?calc=classify&deaths=2&serious_injuries=9&loss=9999999", "en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(result(&r.body).contains("General accident") && result(&r.body).contains("The county government"));
    let r = get("/safety/calculators?calc=classify&deaths=3&serious_injuries=0&loss=0", "zh-CN").await;
    assert!(
        result(&r.body).contains("较大事故") && result(&r.body).contains("设区的市级人民政府"),
        "{}",
        result(&r.body)
    );
    let r =
        get("/safety/calculators?calc=deadlines&occurred=2026-03-01T22:40&unit_head_notified=2026-03-01T23:05", "en")
            .await;
    let out = result(&r.body);
    for at in ["2026-03-02 00:05", "2026-03-31 22:40", "2026-04-30 22:40", "2026-06-29 22:40"] {
        assert!(out.contains(at), "{at} in {out}");
    }
    let r =
        get("/safety/calculators?calc=rates&hours=1250000&fatalities=1&lost_time=3&restricted=2&medical=4", "en").await;
    let out = result(&r.body);
    assert!(out.contains("8.00") && out.contains("1.60") && out.contains("2.40"), "{out}");
    // Impossible inputs: named on their field, nothing computed.
    let r = get("/safety/calculators?calc=classify&deaths=-1&serious_injuries=x&loss=0", "en").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-deaths\"") && r.body.contains("Cannot be negative."));
    assert!(r.body.contains("id=\"e-serious_injuries\"") && !r.body.contains("id=\"result\""));
    let r = get(
        "/safety/calculators?calc=deadlines&occurred=2026-03-01T22:40&unit_head_notified=2026-03-01T22:00",
        "zh-CN",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-unit_head_notified\"") && r.body.contains("不能早于事故发生时间"));
}

/// The incident over the API, on both databases: two deaths, corrected to three; the
/// class, the investigating level and the upward report follow; a stale version conflicts; then
/// the containment action goes from raised to done to verified by someone else.
async fn incident_and_action_over_the_api(backend: Backend) {
    use crate::support::Body_;
    use serde_json::json;
    let app = app(backend).await;
    let officer = As::User("officer");
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let now = (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc() - chrono::Duration::minutes(10);
    let at = now.format("%Y-%m-%dT%H:%M").to_string();
    let body = json!({"mine_id": mine, "kind": "fatality", "occurred_at": at, "unit_head_notified_at": at,
                      "location": "Level 2, stope 4", "description": "Fall of ground", "deaths": "2"});
    let r = app.send(officer, Method::POST, "/api/v1/incidents", Some(Body_::Json(body.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = r.json();
    assert_eq!((first["class"].as_str(), first["investigated_by"].as_str()), (Some("general"), Some("county")));
    assert_eq!(first["clock"][0]["state"], "running");
    assert_eq!(first["clock"][1]["level"], "city");
    let id = first["id"].as_str().unwrap().to_owned();

    let mut three = body.clone();
    three["deaths"] = json!("3");
    three["version"] = json!(1);
    let path = format!("/api/v1/incidents/{id}");
    let r = app.send(officer, Method::PUT, &path, Some(Body_::Json(three.clone()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a correction needs its reason");
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    three["reason"] = json!("A third miner died in hospital");
    let r = app.send(officer, Method::PUT, &path, Some(Body_::Json(three.clone()))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = r.json();
    assert_eq!(
        (second["class"].as_str(), second["investigated_by"].as_str()),
        (Some("relatively_large"), Some("city"))
    );
    assert_eq!(second["clock"][1]["level"], "province");
    assert_ne!(second["clock"][1]["due"], first["clock"][1]["due"]);
    let r = app.send(officer, Method::PUT, &path, Some(Body_::Json(three))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "version 1 is no longer current");
    let versions = app.get(As::User("bureau"), &format!("{path}/versions")).await.json();
    assert_eq!(versions.as_array().unwrap().len(), 2);

    let action = json!({"source_kind": "incident", "source_id": id, "kind": "containment",
                        "description": "Bar down and close the stope", "owner": "inspector", "due_on": "2100-01-01"});
    let r = app.send(officer, Method::POST, "/api/v1/actions", Some(Body_::Json(action))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a = r.json()["id"].as_str().unwrap().to_owned();
    let done = json!({"evidence": "Stope barricaded, photo 12"});
    let r = app
        .send(As::User("inspector"), Method::POST, &format!("/api/v1/actions/{a}/done"), Some(Body_::Json(done)))
        .await;
    assert_eq!(r.json()["status"], "done");
    let ok = json!({"accept": true, "note": "Seen on site"});
    let r = app
        .send(
            As::User("inspector"),
            Method::POST,
            &format!("/api/v1/actions/{a}/verify"),
            Some(Body_::Json(ok.clone())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the owner does not verify his own action");
    let r = app
        .send(As::User("officer"), Method::POST, &format!("/api/v1/actions/{a}/verify"), Some(Body_::Json(ok)))
        .await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("closed")));
    let open = app.get(officer, "/api/v1/actions").await.json();
    assert!(open.as_array().unwrap().iter().all(|x| x["id"] != a.as_str()), "closed actions are not listed as open");

    // Closing needs the investigation signed off, by the co-op rather than the mine.
    let close = json!({"version": 2});
    let r = app.send(officer, Method::POST, &format!("{path}/close"), Some(Body_::Json(close.clone()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["code"], "err-close-needs-sign-off");
    let inv = format!("{path}/investigation");
    let team = json!({"lead": "Wang (inspector)", "team": "Li, safety officer\nZhao, miner"});
    assert_eq!(app.send(officer, Method::PUT, &inv, Some(Body_::Json(team))).await.status, StatusCode::OK);
    for (kind, category, text) in
        [("root_cause", "procedure", "No barring down"), ("finding", "", "Support plan ignored")]
    {
        let e = json!({"kind": kind, "category": category, "text": text});
        let r = app.send(officer, Method::POST, &format!("{inv}/entries"), Some(Body_::Json(e))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let sign = format!("{inv}/sign-off");
    let empty = || Some(Body_::Json(json!({})));
    assert_eq!(app.send(officer, Method::POST, &sign, empty()).await.status, StatusCode::FORBIDDEN);
    let r = app.send(As::User("inspector"), Method::POST, &sign, empty()).await;
    assert_eq!((r.status, r.json()["signed_off_by"].as_str()), (StatusCode::OK, Some("inspector")));
    let r = app.send(officer, Method::POST, &format!("{path}/close"), Some(Body_::Json(close))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 3);
    assert!(r.json()["closed_at"].is_string());
}

#[tokio::test]
async fn incident_and_action_over_the_api_sqlite() {
    incident_and_action_over_the_api(Backend::Sqlite).await;
}

#[tokio::test]
async fn incident_and_action_over_the_api_postgres() {
    incident_and_action_over_the_api(Backend::Postgres).await;
}
