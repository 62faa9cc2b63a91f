//! Licences, boundary files, workings and disputes through the pages and the API: the rules of
//! the cadastre as a client meets them.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{As, Backend, Body_, TestApp, app, xlsx};

/// A square of about 0.1 km2 reaching into a demo licence (C5200002011...).
const OVERLAPPING: &str = "1, 26.2330, 107.4800\n2, 26.2330, 107.4830\n3, 26.2360, 107.4830\n4, 26.2360, 107.4800";

async fn licence_body(app: &TestApp, corners: &str) -> Value {
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    json!({
        "mine_id": mine.to_string(), "licence_no": "C5200002026011110000001", "holder": "都匀市大坪矿业有限公司",
        "mine_name": "大坪锌矿北区", "minerals": "zn", "mining_method": "underground", "scale": "3",
        "stated_area_km2": "0.1000", "valid_from": "2026-01-01", "valid_to": "2031-01-01",
        "elevation_top_m": "1300", "elevation_bottom_m": "800", "issuing_office": "黔南州自然资源局",
        "issued_on": "2025-12-20", "corner_crs": "EPSG:4490", "corners": corners, "reason": "issued"
    })
}

fn field_error(problem: &Value, field: &str) -> Value {
    problem["errors"].as_array().and_then(|e| e.iter().find(|e| e["field"] == field).cloned()).unwrap_or_default()
}

async fn licence_count(app: &TestApp) -> usize {
    app.db.current_licences().await.unwrap().len()
}

#[tokio::test]
async fn an_overlapping_licence_over_the_api_is_saved_only_when_its_overlaps_are_acknowledged() {
    let app = app(Backend::Sqlite).await;
    let me = As::User("president");
    let body = licence_body(&app, OVERLAPPING).await;
    let before = licence_count(&app).await;

    let r = app.send(me, Method::POST, "/api/v1/licences/check", Some(Body_::Json(body.clone()))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let check = r.json();
    let overlapped: Vec<String> =
        check["overlaps"].as_array().unwrap().iter().map(|o| o["licence_no"].as_str().unwrap().to_owned()).collect();
    assert!(overlapped.iter().any(|n| n.starts_with("C5200002011")), "{check}");
    assert!(check["computed_area_km2"].as_f64().unwrap() > 0.09 && check["computed_area_km2"].as_f64().unwrap() < 0.11);

    let r = app
        .send_with(me, Method::POST, "/api/v1/licences", Some(Body_::Json(body.clone())), &[("accept-language", "en")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let e = field_error(&r.json(), "acknowledged_overlaps");
    assert_eq!(e["code"], "err-overlap-ack");
    assert!(e["message"].as_str().unwrap().contains(&overlapped[0]), "{e}");

    let mut wrong = body.clone();
    wrong["acknowledged_overlaps"] = json!(["C5200002000000000000000"]);
    let r = app.send(me, Method::POST, "/api/v1/licences", Some(Body_::Json(wrong))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an acknowledgement covers only what was shown");
    assert_eq!(licence_count(&app).await, before, "nothing saved");

    let mut acked = body.clone();
    acked["acknowledged_overlaps"] = json!(overlapped);
    let r = app.send(me, Method::POST, "/api/v1/licences", Some(Body_::Json(acked.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let saved = r.json();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["acknowledged_overlaps"].as_array().unwrap().len(), overlapped.len());
    let id = saved["licence_id"].as_str().unwrap().to_owned();

    // A renewal is a new version; the old one stays; a stale version conflicts.
    let mut renewal = acked.clone();
    renewal["version"] = json!(1);
    renewal["reason"] = json!("renewal");
    renewal["valid_to"] = json!("2036-01-01");
    let r = app.send(me, Method::POST, &format!("/api/v1/licences/{id}"), Some(Body_::Json(renewal.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let r = app.send(me, Method::POST, &format!("/api/v1/licences/{id}"), Some(Body_::Json(renewal))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let versions = app.get(me, &format!("/api/v1/licences/{id}")).await.json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["valid_to"], "2031-01-01");
    assert_eq!(versions[1]["reason"], "renewal");

    // A working recorded over the API is checked like one from the page.
    let w = json!({"label": "BQ-1", "kind": "point", "corner_crs": "EPSG:4490", "vertices": "26.2400, 107.4815, 1000"});
    let r = app.send(me, Method::POST, &format!("/api/v1/licences/{id}/workings"), Some(Body_::Json(w))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = app.get(me, &format!("/api/v1/licences/{id}/workings")).await.json();
    assert_eq!(list[0]["label"], "BQ-1");
    let check = app.get(me, "/api/v1/cadastre/check").await.json();
    let outside = check["outside"].as_array().unwrap();
    assert!(outside.iter().any(|o| o["working"] == "BQ-1" && o["kind"] == "beyond_boundary"), "{check}");
}

#[tokio::test]
async fn a_corner_table_file_becomes_the_corners_text_over_the_api() {
    let app = app(Backend::Sqlite).await;
    let me = As::User("owner");
    let sheet = xlsx(&[
        &["矿区范围拐点坐标（2000国家大地坐标系）"],
        &["点号", "X", "Y"],
        &["1", "2905728.84", "36452049.43"],
        &["2", "2905728.84", "36453049.43"],
        &["3", "2906728.84", "36453049.43"],
        &["4", "2906728.84", "36452049.43"],
    ]);
    let ct = "application/octet-stream";
    let r = app
        .send(me, Method::POST, "/api/v1/licences/boundary-file?name=corners.xlsx", Some(Body_::Bytes(ct, sheet)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let corners = r.json()["corners"].as_str().unwrap().to_owned();
    assert!(corners.starts_with("1, 2905728.84, 36452049.43\n2, "), "{corners}");

    let r = app
        .send_with(
            me,
            Method::POST,
            "/api/v1/licences/boundary-file?name=corners.xlsx",
            Some(Body_::Bytes(ct, b"PK\x03\x04 not really a workbook".to_vec())),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = field_error(&r.json(), "file");
    assert_eq!(e["code"], "err-file-unreadable");
    assert!(e["message"].as_str().unwrap().starts_with("文件 corners.xlsx 无法读取"), "{e}");
}

fn form_fields(body: &Value) -> Vec<(String, Option<String>, Vec<u8>)> {
    body.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), None, v.as_str().unwrap_or_default().as_bytes().to_vec()))
        .collect()
}

#[tokio::test]
async fn a_file_sent_with_the_licence_form_fills_the_corners_for_review_and_saves_nothing() {
    let app = app(Backend::Sqlite).await;
    let me = As::User("president");
    let before = licence_count(&app).await;
    let mut fields = form_fields(&licence_body(&app, "").await);
    let csv = "点号,X,Y\n1,2905728.84,36452049.43\n2,2905728.84,36453049.43\n3,2906728.84,36453049.43\n";
    fields.push(("corners_file".into(), Some("拐点.csv".into()), csv.as_bytes().to_vec()));
    let r = app
        .send_with(me, Method::POST, "/licences", Some(Body_::Multipart(fields.clone())), &[("accept-language", "en")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Read 3 lines from 拐点.csv into the corner points (1 heading or note row left out)."),
        "the notice says what was read and what was left out"
    );
    let area = r.body.split("name=\"corners\"").nth(1).unwrap_or("");
    assert!(area.contains("1, 2905728.84, 36452049.43\n2, 2905728.84"), "the corners are in the box");
    assert!(r.body.contains("value=\"大坪锌矿北区\""), "the other fields keep their values");
    assert_eq!(licence_count(&app).await, before);

    // An unreadable file: the field says why, in the user's language; the form keeps its values.
    let last = fields.len() - 1;
    fields[last] = ("corners_file".into(), Some("拐点.xlsx".into()), b"PK\x03\x04 broken".to_vec());
    let r = app
        .send_with(
            me,
            Method::POST,
            "/licences",
            Some(Body_::Multipart(fields.clone())),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-corners_file\"") && r.body.contains("文件 拐点.xlsx 无法读取"), "{}", r.body);

    // No file chosen: the form is saved as without one (here: the empty boundary is an error).
    fields[last] = ("corners_file".into(), Some(String::new()), Vec::new());
    let r = app.send(me, Method::POST, "/licences", Some(Body_::Multipart(fields))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-corners\""));
}

#[tokio::test]
async fn read_file_without_a_file_says_so_and_saves_nothing() {
    let app = app(Backend::Sqlite).await;
    let before = licence_count(&app).await;
    let mut fields = form_fields(&licence_body(&app, OVERLAPPING).await);
    fields.push(("acked".into(), None, Vec::new()));
    fields.push(("read_file".into(), None, b"1".to_vec()));
    fields.push(("corners_file".into(), Some(String::new()), Vec::new()));
    let r = app
        .send_with(
            As::User("president"),
            Method::POST,
            "/licences",
            Some(Body_::Multipart(fields)),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose a file first."));
    assert_eq!(licence_count(&app).await, before);
}

#[tokio::test]
async fn an_owner_cannot_record_a_licence_for_another_members_mine() {
    let app = app(Backend::Sqlite).await;
    let owner = app.db.user_by_name("owner").await.unwrap().member_id.unwrap();
    let mines = app.db.mine_choices().await.unwrap();
    let other = mines.iter().find(|m| m.member_id != owner).unwrap();
    let before = licence_count(&app).await;
    let mut body = licence_body(&app, "1, 26.30, 107.60\n2, 26.30, 107.61\n3, 26.31, 107.61\n4, 26.31, 107.60").await;
    body["mine_id"] = json!(other.id.to_string());
    let r = app.send(As::User("owner"), Method::POST, "/api/v1/licences", Some(Body_::Json(body.clone()))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.body.contains(&other.name_zh));
    // Nor move his own licence onto another member's mine with a new version.
    let own_mine = mines.iter().find(|m| m.member_id == owner).unwrap();
    let lic = app.db.current_licences().await.unwrap().into_iter().find(|l| l.mine_id == own_mine.id).unwrap();
    body["version"] = json!(lic.version);
    let r = app
        .send(As::User("owner"), Method::POST, &format!("/api/v1/licences/{}", lic.licence_id), Some(Body_::Json(body)))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(licence_count(&app).await, before);
    assert_eq!(app.db.licence_versions(lic.licence_id).await.unwrap().len(), lic.version as usize);
}

#[tokio::test]
async fn a_multipart_form_without_its_csrf_token_is_refused() {
    use axum::body::Body;
    use tower::ServiceExt;
    let app = app(Backend::Sqlite).await;
    let (cookie, _) = app.session("president").await;
    let body =
        "--b\r\nContent-Disposition: form-data; name=\"corners_file\"; filename=\"a.csv\"\r\n\r\n1,2,3\r\n--b--\r\n";
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/licences")
        .header("cookie", cookie)
        .header("content-type", "multipart/form-data; boundary=b")
        .body(Body::from(body))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // A wrong token, and the right one sent as a file, are refused too.
    let (cookie, csrf) = app.session("president").await;
    for part in [
        "Content-Disposition: form-data; name=\"_csrf\"\r\n\r\nwrong".to_owned(),
        format!("Content-Disposition: form-data; name=\"_csrf\"; filename=\"t.txt\"\r\n\r\n{csrf}"),
    ] {
        let body = format!("--b\r\n{part}\r\n--b--\r\n");
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/licences")
            .header("cookie", cookie.clone())
            .header("content-type", "multipart/form-data; boundary=b")
            .body(Body::from(body))
            .unwrap();
        let resp = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{part}");
    }
}

#[tokio::test]
async fn disputes_over_the_api_notify_the_parties_who_answer_in_the_log() {
    let app = app(Backend::Sqlite).await;
    let owner = app.db.user_by_name("owner").await.unwrap().member_id.unwrap();
    let body = json!({"title": "北区越界开采", "kind": "cross_boundary", "description": "BQ-1 在范围外",
                      "member_ids": [owner.to_string()], "other_parties": "牛角塘村", "finding": "", "due_on": "2030-01-01"});
    let r = app.send(As::User("president"), Method::POST, "/api/v1/disputes", Some(Body_::Json(body))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let case = r.json();
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["status"], "open");

    let notes = app.get(As::User("owner"), "/api/v1/notifications").await.json();
    assert!(notes.as_array().unwrap().iter().any(|n| n["text"].as_str().unwrap().contains("北区越界开采")), "{notes}");

    let note = json!({"kind": "note", "text": "已停止该工作面", "version": case["version"]});
    let r = app
        .send(As::User("owner"), Method::POST, &format!("/api/v1/disputes/{id}/events"), Some(Body_::Json(note)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let status = json!({"kind": "status", "new_status": "closed", "version": r.json()["version"]});
    let r = app
        .send(As::User("owner"), Method::POST, &format!("/api/v1/disputes/{id}/events"), Some(Body_::Json(status)))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a party answers; the co-op decides");

    let detail = app.get(As::User("president"), &format!("/api/v1/disputes/{id}")).await.json();
    assert_eq!(detail["events"].as_array().unwrap().len(), 1);
    assert_eq!(detail["events"][0]["text"], "已停止该工作面");
    assert_eq!(detail["events"][0]["actor"], "owner");
}

#[tokio::test]
async fn a_document_attached_to_a_case_is_logged_and_downloads_as_it_was() {
    let app = app(Backend::Sqlite).await;
    let case = app.db.disputes().await.unwrap()[0].clone();
    let bytes = "会议纪要：双方同意以测量结果为准。".as_bytes().to_vec();
    let form = Body_::Multipart(vec![
        ("version".into(), None, case.version.to_string().into_bytes()),
        ("file".into(), Some("会议纪要 2026-11.txt".into()), bytes.clone()),
    ]);
    let r = app.send(As::User("owner"), Method::POST, &format!("/disputes/{}/documents", case.id), Some(form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(As::User("president"), &format!("/disputes/{}", case.id)).await.body;
    let link = page
        .split("id=\"document-list\"")
        .nth(1)
        .and_then(|x| x.split("href=\"").nth(1))
        .and_then(|x| x.split('"').next())
        .unwrap();
    assert!(page.contains("📎 会议纪要 2026-11.txt"), "the log says so (and the members are notified)");
    let r = app.get(As::User("bureau"), link).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_bytes(), bytes.as_slice());
    assert_eq!(r.headers["content-type"], "application/octet-stream");
    let cd = r.headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''%E4%BC%9A"), "{cd}");
    let notes = app.get(As::User("owner"), "/api/v1/notifications").await.json();
    assert!(notes.as_array().unwrap().len() >= 2);
}
