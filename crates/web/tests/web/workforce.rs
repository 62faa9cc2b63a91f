//! Workers over pages and API: field errors in the user's language, masking everywhere, the
//! audited "show number", and the bureau kept to aggregates.

use axum::http::Method;
use minecoop_domain::workforce::idcard::complete;
use minecoop_store::audit::AuditFilter;
use serde_json::json;

use crate::support::{As, Backend, Body_, TestApp, app};

async fn officer_mine(app: &TestApp) -> uuid::Uuid {
    app.db.user_by_name("officer").await.unwrap().mine_id.expect("the officer has a mine")
}

fn worker_json(mine: uuid::Uuid, number: &str) -> serde_json::Value {
    json!({
        "mine_id": mine.to_string(),
        "name": "张三丰",
        "id_number": number,
        "sex": "male",
        "birth_date": "1991-04-05",
        "job": "miner",
        "employment_form": "casual",
        "start_date": "2026-01-05",
        "phone": "13812345678",
        "dependants": [{"name": "张小芳", "relation": "child", "birth_date": "2016-06-01"}],
    })
}

async fn api_errors_masking_and_the_audited_show_number(backend: Backend) {
    let app = app(backend).await;
    let mine = officer_mine(&app).await;
    let good = complete("52270119910405003").unwrap();
    // A mistyped check character: 422 with the field named, in the user's language.
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let r = app
        .send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(worker_json(mine, &bad))))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let errs = r.json()["errors"].as_array().unwrap().clone();
    let e = errs.iter().find(|e| e["field"] == "id_number").expect("the number's field");
    assert_eq!(e["code"], "err-id-checksum");
    // Underage for underground: the job's field.
    let mut young = worker_json(mine, &complete("52270120090405003").unwrap());
    young["birth_date"] = json!("2009-04-05");
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(young))).await;
    assert_eq!(r.status, 422);
    assert!(
        r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "job" && e["code"] == "err-underage-underground")
    );
    // Recorded: the answer and every list show the number masked only.
    let r = app
        .send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(worker_json(mine, &good))))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let w = r.json();
    let id = w["id"].as_str().unwrap().to_owned();
    assert_eq!(w["id_masked"], format!("5227**********{}", &good[14..]));
    assert!(!r.body.contains(&good));
    assert_eq!(w["dependants"][0]["relation"], "child");
    for (who, path) in [
        (As::User("officer"), "/api/v1/workers".to_owned()),
        (As::User("inspector"), format!("/api/v1/workers/{id}")),
        (As::User("admin"), "/workers?state=all".to_owned()),
        (As::User("inspector"), format!("/workers/{id}")),
    ] {
        let r = app.get(who, &path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.contains("张三丰") && !r.body.contains(&good), "{path} shows the number whole");
    }
    // The same person twice at the mine: refused on the number.
    let r = app
        .send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(worker_json(mine, &good))))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["code"], "err-worker-duplicate");
    // The inspector reads but may not see it whole; the bureau sees nothing of the person.
    let path = format!("/api/v1/workers/{id}/id-number");
    assert_eq!(app.send(As::User("inspector"), Method::POST, &path, Some(Body_::Json(json!({})))).await.status, 403);
    let r = app.send(As::User("bureau"), Method::POST, &path, Some(Body_::Json(json!({})))).await;
    assert_eq!(r.status, 403);
    assert!(!r.body.contains("张三丰"));
    for p in
        ["/workers".to_owned(), format!("/workers/{id}"), "/api/v1/workers".into(), format!("/api/v1/workers/{id}")]
    {
        let r = app.get(As::User("bureau"), &p).await;
        assert_eq!(r.status, 403, "{p}");
        assert!(!r.body.contains("张三丰"), "{p}");
    }
    let seen = |app: &TestApp| {
        let f = AuditFilter { entity: Some("worker".into()), entity_id: Some(id.clone()), ..Default::default() };
        let db = app.db.store.clone();
        async move {
            db.audit_list(&f, 1, 100)
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|e| e.action == "reveal_id_number")
                .count()
        }
    };
    assert_eq!(seen(&app).await, 0, "refused views are not views");
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Json(json!({})))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id_number"], good);
    let r = app
        .send(As::User("owner"), Method::POST, &format!("/workers/{id}/id-number"), Some(Body_::Form(String::new())))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains(&good) && r.body.contains("id-number-full"));
    assert_eq!(seen(&app).await, 2, "every view is in the audit trail");
    let f = AuditFilter { entity: Some("worker".into()), entity_id: Some(id.clone()), ..Default::default() };
    let views: Vec<String> = app
        .db
        .audit_list(&f, 1, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.action == "reveal_id_number")
        .map(|e| e.actor)
        .collect();
    assert!(views.contains(&"officer".to_owned()) && views.contains(&"owner".to_owned()));
    // The bureau reads the audit log, but not the workers' entries.
    let r = app.get(As::User("bureau"), "/api/v1/audit?entity=worker").await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("张三丰"));
    // Nor the alerts that name a worker (a certificate running out), nor the e-mails sent.
    let alert = minecoop_store::alerts::Alert {
        kind: minecoop_domain::alerts::AlertKind::CertificateExpiring,
        mine_id: mine,
        message: "alert-certificate-expiring".into(),
        args: vec![("name".into(), "张三丰".into()), ("type".into(), "blaster".into())],
        link: "/workers".into(),
        also: vec![],
    };
    assert!(app.db.raise_alert(&minecoop_store::Actor::system("test"), &alert).await.unwrap() > 0);
    let admin = app.get(As::User("admin"), "/api/v1/audit?entity=alert").await;
    assert!(admin.body.contains("张三丰"), "the administrator reads the alert's entry");
    for path in [
        "/api/v1/audit?entity=alert",
        "/api/v1/audit?entity=alert_email",
        "/api/v1/audit",
        "/audit?entity=alert",
        "/audit",
    ] {
        let r = app.get(As::User("bureau"), path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(!r.body.contains("张三丰"), "{path}: {}", r.body);
    }
    // The filter offers the bureau only what it may read, each by its name.
    let page = app.get(As::User("bureau"), "/audit").await;
    assert!(page.body.contains("value=\"incident\"") && !page.body.contains("value=\"alert\""));
    assert!(!page.body.contains("entity-"), "every record type has its label");
    // Every changed field is named, not given by its column (the administrator's trail holds
    // workers, alerts and accounts too).
    for who in ["admin", "bureau"] {
        let page = app.get(As::User(who), "/audit").await;
        let raw: Vec<&str> = page
            .body
            .split("class=\"field-name\">")
            .skip(1)
            .map(|s| &s[..s.find('<').unwrap_or(0)])
            .filter(|l| l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .collect();
        assert!(page.body.contains("class=\"field-name\">"), "{who}: the trail shows changes");
        assert!(raw.is_empty(), "{who}: fields without a label: {raw:?}");
    }
}

async fn a_correction_through_the_form_keeps_the_stored_number(backend: Backend) {
    let app = app(backend).await;
    let mine = officer_mine(&app).await;
    let good = complete("52270119910405003").unwrap();
    let r = app
        .send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(worker_json(mine, &good))))
        .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    // The form never shows the number; left empty, the new version keeps it.
    let edit = app.get(As::User("officer"), &format!("/workers/{id}/edit")).await;
    assert_eq!(edit.status, 200);
    assert!(!edit.body.contains(&good));
    let form = format!(
        "version=1&mine_id={mine}&name=%E5%BC%A0%E4%B8%89%E4%B8%B0&id_number=&sex=male&birth_date=1991-04-05&job=clerk&employment_form=casual&start_date=2026-01-05&end_date=2026-11-01&dependants%5B0%5D.name=%E5%BC%A0%E5%B0%8F%E8%8A%B3&dependants%5B0%5D.relation=child&dependants%5B0%5D.birth_date=2016-06-01&dependants%5B1%5D.name=&reason=left"
    );
    let r =
        app.send(As::User("officer"), Method::POST, &format!("/workers/{id}"), Some(Body_::Form(form.clone()))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let w = app.get(As::User("officer"), &format!("/api/v1/workers/{id}")).await.json();
    assert_eq!(w["version"], 2);
    assert_eq!(w["job"], "clerk");
    assert_eq!(w["state"], "left");
    assert_eq!(w["dependants"].as_array().unwrap().len(), 1);
    // The stale version: 409 with the form again.
    let r = app.send(As::User("officer"), Method::POST, &format!("/workers/{id}"), Some(Body_::Form(form))).await;
    assert_eq!(r.status, 409);
    // A blaster without a certificate is flagged on the list until one is added.
    let mut b = worker_json(mine, &complete("52270119920101003").unwrap());
    b["name"] = json!("爆破工甲");
    b["birth_date"] = json!("1992-01-01");
    b["job"] = json!("blaster");
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(b))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let bid = r.json()["id"].as_str().unwrap().to_owned();
    let flagged = app.get(As::User("officer"), "/workers?flagged=true").await;
    assert!(flagged.body.contains("爆破工甲") && flagged.body.contains("flag-certificate"));
    let cert =
        "cert_type=blaster&number=T-1&issued_by=%E5%BA%94%E6%80%A5%E5%B1%80&issued_on=2025-01-01&expires_on=2035-01-01";
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            &format!("/workers/{bid}/certificates"),
            Some(Body_::Form(cert.into())),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let flagged = app.get(As::User("officer"), "/workers?flagged=true").await;
    assert!(!flagged.body.contains("爆破工甲"));
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            &format!("/workers/{bid}/training"),
            Some(Body_::Form("course=x&on_date=2026-01-01&hours=7.55&trainer=y".into())),
        )
        .await;
    assert_eq!(r.status, 422);
    // A field error in Chinese on the form.
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            "/workers",
            Some(Body_::Form(format!("mine_id={mine}&name=x&id_number=123&sex=male&birth_date=1991-04-05&job=miner&employment_form=casual&start_date=2026-01-05"))),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("身份证号应为18位"), "{}", r.body);
}

#[tokio::test]
async fn api_errors_masking_and_the_audited_show_number_sqlite() {
    api_errors_masking_and_the_audited_show_number(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_errors_masking_and_the_audited_show_number_postgres() {
    api_errors_masking_and_the_audited_show_number(Backend::Postgres).await;
}

#[tokio::test]
async fn a_correction_through_the_form_keeps_the_stored_number_sqlite() {
    a_correction_through_the_form_keeps_the_stored_number(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_correction_through_the_form_keeps_the_stored_number_postgres() {
    a_correction_through_the_form_keeps_the_stored_number(Backend::Postgres).await;
}

async fn the_bureau_sees_coverage_figures_but_no_names(backend: Backend) {
    let app = app(backend).await;
    let mine = officer_mine(&app).await;
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            "/api/v1/workers",
            Some(Body_::Json(worker_json(mine, &complete("52270119910405003").unwrap()))),
        )
        .await;
    assert_eq!(r.status, 201);
    let policy = json!({"mine_id": mine.to_string(), "kind": "safety_liability", "insurer": "人保", "number": "AZ-1",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31", "premium": "5000", "cover_per_person": "300000"});
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/policies", Some(Body_::Json(policy.clone()))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut bad = policy;
    bad["cover_per_person"] = json!("");
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/policies", Some(Body_::Json(bad))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "cover_per_person");
    let path = format!("/api/v1/coverage?date=2026-06-01&mine={mine}");
    let officer = app.get(As::User("officer"), &path).await.json();
    let m = &officer["mines"][0];
    assert!(m["active"].as_u64().unwrap() >= 1);
    let named =
        m["breaches"].as_array().unwrap().iter().find(|b| b["name"] == "张三丰").expect("named for the officer");
    let problems: Vec<&str> =
        named["missing"].as_array().unwrap().iter().map(|x| x["problem"].as_str().unwrap()).collect();
    assert_eq!(problems, ["not_insured", "not_insured"], "on no policy at all");
    let bureau = app.get(As::User("bureau"), &path).await;
    assert_eq!(bureau.status, 200);
    assert!(!bureau.body.contains("张三丰"));
    assert_eq!(bureau.json()["breach_count"], officer["breach_count"]);
    let page = app.get(As::User("bureau"), &format!("/insurance/coverage?date=2026-06-01&mine={mine}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("张三丰") && page.body.contains("coop-breaches"));
    let page = app.get(As::User("officer"), &format!("/insurance/coverage?date=2026-06-01&mine={mine}")).await;
    assert!(page.body.contains("张三丰"));
}

#[tokio::test]
async fn the_bureau_sees_coverage_figures_but_no_names_sqlite() {
    the_bureau_sees_coverage_figures_but_no_names(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_bureau_sees_coverage_figures_but_no_names_postgres() {
    the_bureau_sees_coverage_figures_but_no_names(Backend::Postgres).await;
}

async fn a_policy_corrected_on_its_page_family_cover_ended_with_a_reason_and_the_trend(backend: Backend) {
    let app = app(backend).await;
    let mine = officer_mine(&app).await;
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            "/api/v1/workers",
            Some(Body_::Json(worker_json(mine, &complete("52270119910405003").unwrap()))),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let wid = r.json()["id"].as_str().unwrap().to_owned();
    let policy = |kind: &str, number: &str| {
        json!({"mine_id": mine.to_string(), "kind": kind, "insurer": "人保", "number": number,
            "starts_on": "2026-01-01", "ends_on": "2026-12-31", "premium": "5000", "cover_per_person": "100000"})
    };
    let r = app
        .send(As::User("officer"), Method::POST, "/api/v1/policies", Some(Body_::Json(policy("family_cover", "JT-1"))))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let fam = r.json()["id"].as_str().unwrap().to_owned();
    // The edit page: the policy as recorded; a correction needs a reason, a stale version is 409.
    let edit = app.get(As::User("officer"), &format!("/insurance/{fam}/edit")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("JT-1") && edit.body.contains("name=\"version\" value=\"1\""));
    let form = |version: u32, reason: &str| {
        format!(
            "version={version}&kind=family_cover&insurer=%E4%BA%BA%E4%BF%9D&number=JT-1&starts_on=2026-01-01&ends_on=2026-12-31&premium=6000&cover_per_person=100000&reason={reason}"
        )
    };
    let r =
        app.send(As::User("officer"), Method::POST, &format!("/insurance/{fam}"), Some(Body_::Form(form(1, "")))).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"e-reason\""), "{}", r.body);
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            &format!("/insurance/{fam}"),
            Some(Body_::Form(form(1, "endorsement"))),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let p = app.get(As::User("officer"), &format!("/api/v1/policies/{fam}")).await.json();
    assert_eq!((p["version"].as_i64(), p["premium"].as_str()), (Some(2), Some("6000.00")));
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            &format!("/insurance/{fam}"),
            Some(Body_::Form(form(1, "again"))),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("他人已更改了该保单") && r.body.contains("name=\"version\" value=\"2\""), "{}", r.body);
    // The worker's child is offered on the family policy, and covered once added (the demo's
    // families at the mine are all on its own family-cover policy).
    let uncovered = |cov: &serde_json::Value| cov["mines"][0]["family"]["uncovered_count"].as_u64().unwrap();
    let cov = app.get(As::User("officer"), &format!("/api/v1/coverage?date=2026-06-01&mine={mine}")).await.json();
    assert_eq!(uncovered(&cov), 1);
    assert_eq!(cov["mines"][0]["family"]["uncovered"][0]["name"], "张小芳");
    let page = app.get(As::User("officer"), &format!("/insurance/{fam}")).await;
    assert!(page.body.contains("family-candidates") && page.body.contains("张小芳"));
    let add = format!("dependant={wid}%3A%E5%BC%A0%E5%B0%8F%E8%8A%B3&from_on=2026-01-05");
    let r =
        app.send(As::User("officer"), Method::POST, &format!("/insurance/{fam}/members"), Some(Body_::Form(add))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let cov = app.get(As::User("officer"), &format!("/api/v1/coverage?date=2026-06-01&mine={mine}")).await.json();
    assert_eq!(uncovered(&cov), 0);
    assert_eq!(cov["family"]["covered"], cov["family"]["dependants"]);
    // Ending it: a field error without a day, then kept with its end and reason.
    let members = app.get(As::User("officer"), &format!("/api/v1/policies/{fam}/members")).await.json();
    assert_eq!(members[0]["dependant_name"], "张小芳");
    let mid = members[0]["id"].as_str().unwrap().to_owned();
    let end = format!("/insurance/{fam}/members/{mid}/end");
    let r = app.send(As::User("officer"), Method::POST, &end, Some(Body_::Form("to_on=&reason=x".into()))).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!("id=\"e-to_on-{mid}\"")), "{}", r.body);
    let r = app
        .send(As::User("officer"), Method::POST, &end, Some(Body_::Form("to_on=2026-05-31&reason=moved+away".into())))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let api_end = format!("/api/v1/policies/{fam}/members/{mid}/end");
    let again = json!({"to_on": "2026-04-30", "reason": "again"});
    let r = app.send(As::User("officer"), Method::POST, &api_end, Some(Body_::Json(again))).await;
    assert_eq!(r.status, 422, "ended once only");
    let members = app.get(As::User("officer"), &format!("/api/v1/policies/{fam}/members")).await.json();
    assert_eq!(
        (members[0]["to"].as_str(), members[0]["end_reason"].as_str()),
        (Some("2026-05-31"), Some("moved away"))
    );
    assert_eq!(app.get(As::User("bureau"), &format!("/api/v1/policies/{fam}/members")).await.status, 403);
    // The family section lists her after the end, apart from the compulsory breaches; the
    // bureau sees the count only.
    let page = app.get(As::User("officer"), &format!("/insurance/coverage?date=2026-06-01&mine={mine}")).await;
    assert_eq!(page.status, 200);
    let family = &page.body[page.body.find("id=\"family-gaps\"").unwrap()..];
    assert!(family.contains("张小芳"), "{family}");
    let page = app.get(As::User("bureau"), &format!("/insurance/coverage?date=2026-06-01&mine={mine}")).await;
    assert!(!page.body.contains("张小芳") && page.body.contains("coop-family-ratio"));
    // The trend: no snapshots yet, then a backfill draws the chart and fills the API's series.
    let path = format!("/insurance/coverage?date=2026-06-01&from=2026-05-01&mine={mine}");
    assert!(app.get(As::User("officer"), &path).await.body.contains("trend-empty"));
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    app.db.snapshot_coverage_between(d("2026-05-01"), d("2026-06-01")).await.unwrap();
    let page = app.get(As::User("bureau"), &path).await;
    assert!(page.body.contains("id=\"trend-chart\"") && page.body.contains("<svg"), "{}", page.body);
    let api = app
        .get(As::User("bureau"), &format!("/api/v1/coverage?date=2026-06-01&from=2026-05-01&mine={mine}"))
        .await
        .json();
    let coop = api["trend"]["coop"].as_array().unwrap();
    assert_eq!(coop.len(), 32);
    assert_eq!(coop[0]["date"], "2026-05-01");
    let points = api["trend"]["mines"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 32);
    let gaps = |p: &serde_json::Value| p["dependants"].as_i64().unwrap() - p["dependants_covered"].as_i64().unwrap();
    assert_eq!((gaps(&points[30]), gaps(&points[31])), (0, 1), "her cover ended on the 31st");
    assert_eq!(app.get(As::User("officer"), "/api/v1/coverage?from=2030-01-01&date=2026-01-01").await.status, 422);
    // The policy's coming end alerts the officer, in his language.
    let r = app
        .send(As::User("officer"), Method::POST, "/api/v1/policies", Some(Body_::Json(policy("work_injury", "GS-9"))))
        .await;
    assert_eq!(r.status, 201);
    assert!(app.db.alert_expiring_policies(d("2026-12-10")).await.unwrap() >= 2);
    let alerts =
        app.send_with(As::User("officer"), Method::GET, "/alerts", None, &[("accept-language", "zh-CN")]).await;
    assert!(alerts.body.contains("工伤保险保单 GS-9 将于 2026-12-31 到期"), "{}", alerts.body);
}

#[tokio::test]
async fn a_policy_corrected_on_its_page_family_cover_ended_with_a_reason_and_the_trend_sqlite() {
    a_policy_corrected_on_its_page_family_cover_ended_with_a_reason_and_the_trend(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_policy_corrected_on_its_page_family_cover_ended_with_a_reason_and_the_trend_postgres() {
    a_policy_corrected_on_its_page_family_cover_ended_with_a_reason_and_the_trend(Backend::Postgres).await;
}

async fn the_mine_page_flags_missing_certificates_and_the_api_records_them(backend: Backend) {
    let app = app(backend).await;
    let mine = officer_mine(&app).await;
    let mut b = worker_json(mine, &complete("52270119920101003").unwrap());
    b["name"] = json!("爆破工乙");
    b["birth_date"] = json!("1992-01-01");
    b["job"] = json!("blaster");
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/workers", Some(Body_::Json(b))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let page = app.get(As::User("officer"), &format!("/mines/{mine}")).await;
    assert_eq!(page.status, 200);
    let flags = &page.body[page.body.find("id=\"certificate-flags\"").expect("the flag section")..];
    assert!(flags.contains("爆破工乙") && flags.contains("flag-certificate"), "{flags}");
    // The bureau sees how many, not who.
    let bureau = app.get(As::User("bureau"), &format!("/mines/{mine}")).await;
    assert!(bureau.body.contains("cert-flag-count") && !bureau.body.contains("爆破工乙"));
    let path = format!("/api/v1/workers/{id}/certificates");
    assert_eq!(app.get(As::User("officer"), &path).await.json(), json!([]));
    let mut cert = json!({"cert_type": "blaster", "number": "T-77", "issued_by": "黔南州应急管理局",
        "issued_on": "2025-01-01", "expires_on": "2024-01-01"});
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Json(cert.clone()))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "expires_on");
    cert["expires_on"] = json!("2035-01-01");
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Json(cert.clone()))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["valid_today"], true);
    let list = app.get(As::User("officer"), &path).await.json();
    assert_eq!(list[0]["number"], "T-77");
    assert_eq!(app.get(As::User("bureau"), &path).await.status, 403);
    assert_eq!(app.send(As::User("inspector"), Method::POST, &path, Some(Body_::Json(cert))).await.status, 403);
    let page = app.get(As::User("officer"), &format!("/mines/{mine}")).await;
    assert!(!page.body.contains("爆破工乙"), "no longer flagged");
}

#[tokio::test]
async fn the_mine_page_flags_missing_certificates_and_the_api_records_them_sqlite() {
    the_mine_page_flags_missing_certificates_and_the_api_records_them(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_mine_page_flags_missing_certificates_and_the_api_records_them_postgres() {
    the_mine_page_flags_missing_certificates_and_the_api_records_them(Backend::Postgres).await;
}

/// The workers sheet of the import tests at the officer's mine: two workers, the second's
/// identity number `second`.
fn workers_xlsx(mine: &str, second: &str) -> Vec<u8> {
    let first = complete("52270119910405003").unwrap();
    crate::support::text_xlsx(&[
        &[
            "矿山",
            "姓名",
            "身份证号",
            "性别",
            "出生日期",
            "工种",
            "用工形式",
            "入职日期",
            "家属1姓名",
            "家属1关系",
            "家属1出生日期",
        ],
        &[
            mine,
            "张三丰",
            &first,
            "男",
            "1991-04-05",
            "采掘工",
            "劳动合同",
            "2026-01-05",
            "张小芳",
            "子女",
            "2016-06-01",
        ],
        &[mine, "李四光", second, "男", "1991-04-05", "clerk", "casual", "2026-02-01", "", "", ""],
    ])
}

fn upload(name: &str, bytes: Vec<u8>, action: &str) -> Body_ {
    Body_::Multipart(vec![
        ("action".into(), None, action.as_bytes().to_vec()),
        ("file".into(), Some(name.into()), bytes),
    ])
}

#[tokio::test]
async fn a_workers_sheet_is_checked_row_by_row_then_imported_once_and_exported_masked() {
    let app = app(Backend::Sqlite).await;
    let mine = officer_mine(&app).await;
    let name = app.db.mine(mine).await.unwrap().name_zh;
    let good = complete("52270119910405011").unwrap();
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let before = app.db.workers(Some(&[mine])).await.unwrap().len();
    let post = |bytes: Vec<u8>, action: &'static str, lang: &'static str| {
        let app = &app;
        async move {
            app.send_with(
                As::User("officer"),
                Method::POST,
                "/workers/import",
                Some(upload("职工.xlsx", bytes, action)),
                &[("accept-language", lang)],
            )
            .await
        }
    };
    // A bad identity number: named by row and column in the user's language; nothing written.
    let r = post(workers_xlsx(&name, &bad), "import", "zh-CN").await;
    assert_eq!(r.status, 422, "{}", r.body);
    let problems = r.body.split("id=\"problems\"").nth(1).unwrap_or("");
    assert!(problems.contains(">3<") && problems.contains("身份证号") && problems.contains("校验码"), "{problems}");
    assert_eq!(app.db.workers(Some(&[mine])).await.unwrap().len(), before, "nothing of a bad sheet is written");
    // Fixed: the check writes nothing, the import writes both, a second import adds nothing.
    let r = post(workers_xlsx(&name, &good), "check", "en").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("ready to import") && r.body.contains("2 new workers"), "{}", r.body);
    assert_eq!(app.db.workers(Some(&[mine])).await.unwrap().len(), before);
    let r = post(workers_xlsx(&name, &good), "import", "en").await;
    assert!(r.body.contains("Imported:") && r.body.contains("2 new workers"), "{}", r.body);
    assert_eq!(app.db.workers(Some(&[mine])).await.unwrap().len(), before + 2);
    let r = post(workers_xlsx(&name, &good), "import", "en").await;
    assert!(r.body.contains("0 new workers") && r.body.contains("2 already recorded"), "{}", r.body);
    assert_eq!(app.db.workers(Some(&[mine])).await.unwrap().len(), before + 2);
    // A recorded worker with other details: the differing column is named, nothing written.
    let changed = workers_xlsx(&name, &good);
    let changed_rows = minecoop_domain::tabular::read_rows("x.xlsx", &changed).unwrap();
    let mut rows: Vec<Vec<&str>> = changed_rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    rows[2][5] = "cook";
    let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let r = post(crate::support::text_xlsx(&refs), "check", "en").await;
    assert_eq!(r.status, 422);
    let problems = r.body.split("id=\"problems\"").nth(1).unwrap_or("");
    assert!(
        problems.contains(">3<") && problems.contains("工种") && problems.contains("Already recorded"),
        "{problems}"
    );
    // Another mine's workers are refused to the officer, named on the mine column.
    let other = app.db.mine_choices().await.unwrap().into_iter().find(|m| m.id != mine).unwrap().name_zh;
    let r = post(workers_xlsx(&other, &good), "check", "en").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("is not a mine you may record for"), "{}", r.body);
    // The list's CSV holds the new workers with their numbers masked, never whole.
    let r = app.get(As::User("officer"), "/workers?state=all&format=csv").await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.body.contains("李四光") && r.body.contains(&format!("5227**********{}", &good[14..])), "{}", r.body);
    assert!(!r.body.contains(&good), "no number whole in an export");
    let r = app.get(As::User("officer"), "/workers?format=xlsx").await;
    assert_eq!(&r.bytes[..2], b"PK");
    let xlsx_rows = minecoop_domain::tabular::read_rows("w.xlsx", &r.bytes).unwrap();
    assert!(xlsx_rows.iter().flatten().all(|c| !c.contains(&good)));
    assert_eq!(app.get(As::User("bureau"), "/workers?format=csv").await.status, 403);
}

#[tokio::test]
async fn a_policies_workbook_imports_policies_and_members_and_the_coverage_export_hides_names_from_the_bureau() {
    let app = app(Backend::Sqlite).await;
    let mine = officer_mine(&app).await;
    let name = app.db.mine(mine).await.unwrap().name_zh;
    let first = complete("52270119910405003").unwrap();
    let second = complete("52270119910405011").unwrap();
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            "/workers/import",
            Some(upload("w.xlsx", workers_xlsx(&name, &second), "import")),
            &[("accept-language", "en")],
        )
        .await;
    assert!(r.body.contains("2 new workers"), "{}", r.body);
    let book = |member: &str| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let rows: [&[&str]; 2] = [
            &["矿山", "险种", "保险公司", "保单号", "起保日期", "终保日期", "保费", "每人保额"],
            &[&name, "意外伤害保险", "中国人寿", "YW-IMPORT-1", "2026-01-01", "2026-12-31", "3000", "100000"],
        ];
        let s = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                s.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let s = book.add_worksheet();
        for (r, row) in [["保单号", "身份证号"], ["YW-IMPORT-1", &first], ["YW-IMPORT-1", member]].iter().enumerate()
        {
            for (c, v) in row.iter().enumerate() {
                s.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let post = |bytes: Vec<u8>, action: &'static str| {
        let app = &app;
        async move {
            app.send_with(
                As::User("officer"),
                Method::POST,
                "/insurance/import",
                Some(upload("保单.xlsx", bytes, action)),
                &[("accept-language", "en")],
            )
            .await
        }
    };
    // A member who is no worker of the mine: named on the second sheet; nothing written.
    let stranger = complete("52270119910405995").unwrap();
    let r = post(book(&stranger), "import").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("2 › 身份证号") && r.body.contains("No worker with this identity number"), "{}", r.body);
    let count = || async { app.db.policies(&[mine]).await.unwrap().len() };
    let policies_before = count().await;
    let r = post(book(&second), "import").await;
    assert!(r.body.contains("3 new policies and covered workers"), "{}", r.body);
    assert_eq!(count().await, policies_before + 1);
    let r = post(book(&second), "import").await;
    assert!(r.body.contains("0 new") && r.body.contains("3 already recorded"), "{}", r.body);
    // The policies list downloads; the coverage check downloads with names for the officer,
    // the figures only for the bureau.
    let r = app.get(As::User("officer"), "/insurance?format=csv").await;
    assert!(r.body.contains("YW-IMPORT-1") && r.body.contains("3000"), "{}", r.body);
    let all = app.db.mine_choices().await.unwrap();
    let ids: Vec<uuid::Uuid> = all.iter().map(|m| m.id).collect();
    let day = minecoop_web::cadastre::today();
    let breaches: Vec<String> = app
        .db
        .coverage(&ids, day)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|c| c.coverage.breaches.into_iter().map(|b| b.name))
        .collect();
    assert!(!breaches.is_empty(), "the demo has uncovered workers");
    let admin = app.get(As::User("admin"), &format!("/insurance/coverage?date={day}&format=csv")).await;
    assert_eq!(admin.status, 200);
    assert!(breaches.iter().all(|n| admin.body.contains(n.as_str())), "{}", admin.body);
    let bureau = app.get(As::User("bureau"), &format!("/insurance/coverage?date={day}&format=xlsx")).await;
    assert_eq!(bureau.status, 200);
    let rows = minecoop_domain::tabular::read_rows("c.xlsx", &bureau.bytes).unwrap();
    assert_eq!(rows.len(), all.len() + 2, "a heading, a row per mine and the co-op's: no person");
    assert!(rows.iter().flatten().all(|c| !breaches.contains(c)));
    assert_eq!(app.get(As::User("bureau"), "/insurance/import").await.status, 403);
}

/// Rows as a CSV file (no cell here holds a comma or a quote).
fn csv(rows: &[&[&str]]) -> Vec<u8> {
    rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\n").into_bytes()
}

/// The workers sheet of [`workers_xlsx`] as a CSV.
fn workers_csv(mine: &str, second: &str) -> Vec<u8> {
    let rows = minecoop_domain::tabular::read_rows("w.xlsx", &workers_xlsx(mine, second)).unwrap();
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    csv(&rows.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

async fn api_imports_check_dry_run_and_write_workers_and_policies_once(backend: Backend) {
    let app = app(backend).await;
    let mine = officer_mine(&app).await;
    let name = app.db.mine(mine).await.unwrap().name_zh;
    let good = complete("52270119910405011").unwrap();
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let post = |who: As, path: &'static str, query: &'static str, bytes: Vec<u8>, lang: &'static str| {
        let app = &app;
        async move {
            app.send_with(
                who,
                Method::POST,
                &format!("{path}?{query}"),
                Some(Body_::Bytes("application/octet-stream", bytes)),
                &[("accept-language", lang)],
            )
            .await
        }
    };
    let workers = "/api/v1/imports/workers";
    let count = || async { app.db.workers(Some(&[mine])).await.unwrap().len() };
    let before = count().await;
    // A bad identity number: 422 naming the row and the column in the caller's language.
    let r = post(As::User("officer"), workers, "filename=workers.csv", workers_csv(&name, &bad), "zh-CN").await;
    assert_eq!(r.status, 422, "{}", r.body);
    let problems = r.json()["problems"].as_array().unwrap().clone();
    assert_eq!(problems.len(), 1, "{}", r.body);
    assert_eq!(problems[0]["row"], 3);
    assert_eq!(problems[0]["column"], "身份证号");
    assert!(problems[0]["message"].as_str().unwrap().contains("校验码"), "{}", r.body);
    assert_eq!(count().await, before, "nothing of a bad sheet is written");
    // Not a readable sheet, or no file name: 422, never a 500.
    let r = post(As::User("officer"), workers, "filename=workers.xlsx", b"not a workbook".to_vec(), "en").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["row"], 0);
    let r = post(As::User("officer"), workers, "dry_run=true", workers_csv(&name, &good), "en").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["column"], "filename");
    // The dry run counts and writes nothing; the import writes both; again adds nothing.
    let r =
        post(As::User("officer"), workers, "filename=workers.csv&dry_run=true", workers_csv(&name, &good), "en").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"new": 2, "same": 0, "imported": false}));
    assert_eq!(count().await, before);
    let audited_workers = || async {
        let f = AuditFilter { entity: Some("worker".into()), ..Default::default() };
        app.db.audit_list(&f, 1, 10).await.unwrap()
    };
    let audited_before = audited_workers().await;
    let r = post(As::User("officer"), workers, "filename=workers.csv", workers_csv(&name, &good), "en").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"new": 2, "same": 0, "imported": true}));
    assert_eq!(count().await, before + 2);
    let audited = audited_workers().await;
    assert_eq!(audited.total, audited_before.total + 2, "each worker written is audited");
    assert!(audited.items.iter().take(2).all(|a| a.action == "import" && a.actor == "officer"));
    let r = post(As::User("officer"), workers, "filename=workers.xlsx", workers_xlsx(&name, &good), "en").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"new": 0, "same": 2, "imported": true}));
    assert_eq!(count().await, before + 2);
    // A policies file likewise: checked, then written once.
    let policies = "/api/v1/imports/policies";
    let sheet = |number: &str| {
        csv(&[
            &["矿山", "险种", "保险公司", "保单号", "起保日期", "终保日期", "保费", "每人保额"],
            &[&name, "意外伤害保险", "中国人寿", number, "2026-01-01", "2026-12-31", "3000", "100000"],
        ])
    };
    let r = post(As::User("officer"), policies, "filename=p.csv", sheet(""), "en").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["row"], 2, "{}", r.body);
    let policies_before = app.db.policies(&[mine]).await.unwrap().len();
    let r = post(As::User("officer"), policies, "filename=p.csv&dry_run=true", sheet("YW-API-1"), "en").await;
    assert_eq!(r.json(), json!({"new": 1, "same": 0, "imported": false}), "{}", r.body);
    let r = post(As::User("officer"), policies, "filename=p.csv", sheet("YW-API-1"), "en").await;
    assert_eq!(r.json(), json!({"new": 1, "same": 0, "imported": true}), "{}", r.body);
    let r = post(As::User("officer"), policies, "filename=p.csv", sheet("YW-API-1"), "en").await;
    assert_eq!(r.json(), json!({"new": 0, "same": 1, "imported": true}), "{}", r.body);
    assert_eq!(app.db.policies(&[mine]).await.unwrap().len(), policies_before + 1);
    // The bureau and the inspectors may not import: 403, with nothing of the sheet read.
    for who in ["bureau", "inspector"] {
        let r = post(As::User(who), workers, "filename=workers.csv", workers_csv(&name, &bad), "en").await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(!r.body.contains("problems"));
        let r = post(As::User(who), policies, "filename=p.csv", sheet("YW-API-2"), "en").await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    assert_eq!(app.db.policies(&[mine]).await.unwrap().len(), policies_before + 1);
}

#[tokio::test]
async fn api_imports_check_dry_run_and_write_workers_and_policies_once_sqlite() {
    api_imports_check_dry_run_and_write_workers_and_policies_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_imports_check_dry_run_and_write_workers_and_policies_once_postgres() {
    api_imports_check_dry_run_and_write_workers_and_policies_once(Backend::Postgres).await;
}
