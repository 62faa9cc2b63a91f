//! The JSON API: tokens, validation problems in the caller's language, optimistic locking,
//! malformed bodies, and that no error leaks internals.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{As, Backend, Body_, app};

#[tokio::test]
async fn token_authenticates_without_cookies_or_csrf() {
    let app = app(Backend::Sqlite).await;
    let u = app.db.user_by_name("bureau").await.unwrap();
    let (_, secret) = app.db.create_api_token(&minecoop_store::Actor::system("test"), u.id, "script").await.unwrap();
    let auth = format!("Bearer {secret}");
    let r = app.send_with(As::Anon, Method::GET, "/api/v1/me", None, &[("authorization", &auth)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["role"], "bureau");
    let r = app.send_with(As::Anon, Method::GET, "/api/v1/mines?per_page=100", None, &[("authorization", &auth)]).await;
    assert_eq!(r.json()["total"], 16);
    let r = app.send_with(As::Anon, Method::GET, "/api/v1/me", None, &[("authorization", "Bearer mc_wrong")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn invalid_fields_answer_422_with_messages_in_the_callers_language() {
    let app = app(Backend::Sqlite).await;
    let body = json!({"name_zh": "", "name_en": "Qqzz Mining", "legal_representative": "Y", "uscc": "91350100M000100Y44",
                      "joined_on": "2020-13-01", "status": "active"});
    let r = app
        .send_with(
            As::User("president"),
            Method::POST,
            "/api/v1/members",
            Some(Body_::Json(body)),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = r.json();
    let errors = p["errors"].as_array().unwrap();
    let by_field = |f: &str| errors.iter().find(|e| e["field"] == f).cloned().unwrap_or_default();
    assert_eq!(by_field("name_zh")["code"], "err-required");
    assert_eq!(by_field("uscc")["code"], "err-uscc-check");
    assert_eq!(by_field("uscc")["message"], "校验码（最后一位）不符，代码有输入错误。");
    assert_eq!(by_field("joined_on")["code"], "err-date");
    assert!(p["request_id"].as_str().unwrap().len() > 8);
    // Nothing was written.
    let list = app.get(As::User("president"), "/api/v1/members?q=Qqzz&per_page=100").await.json();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn create_then_update_with_version_then_stale_update_conflicts() {
    let app = app(Backend::Sqlite).await;
    let me = As::User("president");
    let body = json!({"name_zh": "新矿业", "name_en": "Xin Mining", "legal_representative": "赵", "uscc": "91350100M000100Y43",
                      "joined_on": "2024-01-01", "status": "active"});
    let r = app.send(me, Method::POST, "/api/v1/members", Some(Body_::Json(body.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let mut upd = body.clone();
    upd["version"] = json!(1);
    upd["name_en"] = json!("Xin Mining Co.");
    let r = app.send(me, Method::PUT, &format!("/api/v1/members/{id}"), Some(Body_::Json(upd.clone()))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let r = app.send(me, Method::PUT, &format!("/api/v1/members/{id}"), Some(Body_::Json(upd))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let h = app.get(me, &format!("/api/v1/members/{id}/history")).await.json();
    assert_eq!(h.as_array().unwrap().len(), 2);
    assert_eq!(h[1]["actor"], "president");
}

#[tokio::test]
async fn malformed_json_is_a_problem_not_a_crash() {
    let app = app(Backend::Sqlite).await;
    let (cookie, csrf) = app.session("admin").await;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/members")
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{not json"))
        .unwrap();
    use tower::ServiceExt;
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn session_requests_without_csrf_token_are_refused() {
    let app = app(Backend::Sqlite).await;
    let (cookie, _) = app.session("admin").await;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/members")
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("name_zh=x&_csrf=forged"))
        .unwrap();
    use tower::ServiceExt;
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn openapi_document_is_served_and_names_the_register() {
    let app = app(Backend::Sqlite).await;
    let doc = app.get(As::Anon, "/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/mines/{id}"]["put"].is_object());
    let page = app.get(As::Anon, "/api/docs").await;
    assert!(page.body.contains("/api/v1/members") && page.body.contains("MemberInput"));
}

#[tokio::test]
async fn licences_and_the_register_check_are_in_the_api() {
    let app = app(Backend::Sqlite).await;
    let l = app.get(As::User("bureau"), "/api/v1/licences").await.json();
    assert_eq!(l.as_array().unwrap().len(), 16);
    assert_eq!(l[0]["boundary"]["type"], "MultiPolygon");
    let c = app.get(As::User("bureau"), "/api/v1/cadastre/check").await.json();
    assert_eq!(c["overlaps"].as_array().unwrap().len(), 1);
    let mut kinds: Vec<&str> = c["outside"].as_array().unwrap().iter().map(|o| o["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["beyond_boundary", "out_of_level"]);
    let officer = app.get(As::User("officer"), "/api/v1/licences").await.json();
    assert_eq!(officer.as_array().unwrap().len(), 1, "a safety officer sees his mine's licence only");
}
