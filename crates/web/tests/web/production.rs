//! Daily production through the API: the same shape in and out, corrections as versions,
//! totals weighted by tonnes, and who may see what.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{As, Backend, Body_, app, xlsx};

#[tokio::test]
async fn a_day_over_the_api_is_read_back_exactly_and_corrected_by_a_version() {
    let app = app(Backend::Sqlite).await;
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let day = json!({
        "mine_id": mine.to_string(), "day": "2005-06-01", "ore_milled_t": "300", "ore_hoisted_t": "310.5",
        "feed_grades": {"zn": "3.48"},
        "concentrates": [{"name": "Zn concentrate", "wet_t": "21.053", "moisture_pct": "8.5", "grades": {"zn": "50"}}],
        "tailings_t": "280.74", "tailings_grades": {"zn": "0.28"}, "tailings_facility": "T1",
        "waste_t": "45", "waste_grades": {"zn": "0.55"}, "hours_worked": "960", "costs": {"labour": "18000"}
    });
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/production", Some(Body_::Json(day.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let saved = r.json();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["feed_grades"]["zn"], "3.48");
    assert_eq!(saved["concentrates"][0]["wet_t"], "21.053");
    assert_eq!(saved["source"], "api");

    // The same day again is refused on `day`, in the caller's language.
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            "/api/v1/production",
            Some(Body_::Json(day.clone())),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("err-production-exists") && r.body.contains("请更正原记录"), "{}", r.body);

    let path = format!("/api/v1/production/{mine}/2005-06-01");
    let mut fix = day.clone();
    fix["ore_milled_t"] = json!("320");
    fix["version"] = json!(1);
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Json(fix.clone()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a correction needs its reason");
    fix["reason"] = json!("weighbridge re-read");
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Json(fix.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Json(fix))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let versions = app.get(As::User("inspector"), &path).await.json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[1]["reason"], "weighbridge re-read");

    // The year: the corrected tonnage, grades weighted by it.
    let year = app.get(As::User("owner"), &format!("/api/v1/production/summary?mine={mine}&year=2005")).await.json();
    let total = &year[12];
    assert_eq!(total["period"], "2005");
    assert_eq!(total["totals"]["ore_milled_t"], "320.000");
    assert_eq!(total["grades"]["zn"]["feed"], "3.4800");
    assert_eq!(year[5]["totals"]["records"], 1, "June");
    assert_eq!(year[0]["totals"]["records"], 0, "January");

    // A safety officer of another mine sees nothing of it; the co-op's summary counts it.
    let other_officer_view =
        app.get(As::User("officer"), &format!("/api/v1/production?mine={mine}&from=2005-06-01&to=2005-06-30")).await;
    assert_eq!(other_officer_view.status, StatusCode::OK, "his own mine");
    let coop = app.get(As::User("bureau"), "/api/v1/production/summary?year=2005").await.json();
    assert_eq!(coop[12]["totals"]["records"], 1);
}

#[tokio::test]
async fn a_sheet_with_a_bad_row_is_named_then_fixed_and_imported_once() {
    let app = app(Backend::Sqlite).await;
    let who = As::User("owner");
    let sheet = |grade: &str| {
        xlsx(&[
            &[
                "矿山",
                "日期",
                "入选矿石（吨）",
                "feed_grades.zn",
                "tailings_t",
                "tailings_facility",
                "tailings_grades.zn",
            ],
            &["大坪锌矿", "2005-07-01", "300", "3.48", "280", "T1", "0.28"],
            &["大坪锌矿", "2005-07-02", "310", grade, "290", "T1", "0.3"],
        ])
    };
    let send = |bytes: Vec<u8>, action: &str| {
        Body_::Multipart(vec![
            ("action".into(), None, action.as_bytes().to_vec()),
            ("file".into(), Some("生产.xlsx".into()), bytes),
        ])
    };
    let r = app
        .send_with(
            who,
            Method::POST,
            "/production/import",
            Some(send(sheet("3,5"), "import")),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = r.body.split("id=\"problems\"").nth(1).unwrap_or("");
    assert!(
        problems.contains(">3<") && problems.contains("feed_grades.zn") && problems.contains("Not a number."),
        "{problems}"
    );
    let count = || async {
        let from = chrono::NaiveDate::from_ymd_opt(2005, 7, 1).unwrap();
        app.db.production_between(None, from, from + chrono::Duration::days(30)).await.unwrap().len()
    };
    assert_eq!(count().await, 0, "nothing of a sheet with a bad row is written");

    let r = app
        .send_with(
            who,
            Method::POST,
            "/production/import",
            Some(send(sheet("3.5"), "check")),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("The sheet is ready to import") && r.body.contains("2 new records"));
    assert_eq!(count().await, 0, "a check writes nothing");
    let r = app
        .send_with(
            who,
            Method::POST,
            "/production/import",
            Some(send(sheet("3.5"), "import")),
            &[("accept-language", "en")],
        )
        .await;
    assert!(r.body.contains("Imported:") && r.body.contains("2 new records"), "{}", r.body);
    assert_eq!(count().await, 2);
    let r = app
        .send_with(
            who,
            Method::POST,
            "/production/import",
            Some(send(sheet("3.5"), "import")),
            &[("accept-language", "en")],
        )
        .await;
    assert!(r.body.contains("0 new records") && r.body.contains("2 already recorded"), "importing twice adds nothing");
    // Changed figures for a recorded day: named, nothing written.
    let r = app
        .send_with(
            who,
            Method::POST,
            "/production/import",
            Some(send(sheet("3.6"), "import")),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Already recorded with other figures"));
}

#[tokio::test]
async fn the_calculators_page_gives_the_reference_results_and_flags_the_case_study() {
    let app = app(Backend::Sqlite).await;
    let get = |q: &'static str| app.send_with(As::User("bureau"), Method::GET, q, None, &[("accept-language", "en")]);
    let r = get("/calculators?calc=two&feed=1.0&conc=10&tail=0.2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("8.1633 %") && r.body.contains("81.6327 %") && r.body.contains("12.2500"), "REFERENCE 2.1");
    let r = get(
        "/calculators?calc=three&feed1=3.0&feed2=6.0&conc1_1=50&conc1_2=8&conc2_1=2&conc2_2=55&tail1=0.2&tail2=0.5",
    )
    .await;
    assert!(r.body.contains("5.2840 %") && r.body.contains("9.3646 %"), "REFERENCE 2.2: {}", r.body);
    let r = get("/calculators?calc=recovery&reported=91.25&rfeed=3.48&rtail=0.28").await;
    let finding = r.body.split("id=\"finding\"").nth(1).unwrap_or("");
    assert!(finding.contains("91.954") && finding.contains("1 − t / (f − t)"), "REFERENCE 2.4: {finding}");
    let circuit = "%7B%22streams%22%3A%5B%7B%22name%22%3A%22F%22%2C%22value%22%3A100%2C%22sd%22%3A2%7D%2C%7B%22name%22%3A%22C%22%2C%22value%22%3A6.5%2C%22sd%22%3A0.2%7D%2C%7B%22name%22%3A%22T%22%2C%22value%22%3A92%2C%22sd%22%3A2%7D%5D%2C%22nodes%22%3A%5B%7B%22name%22%3A%22n%22%2C%22in%22%3A%5B%22F%22%5D%2C%22out%22%3A%5B%22C%22%2C%22T%22%5D%7D%5D%7D";
    let r = app
        .send_with(
            As::User("bureau"),
            Method::GET,
            &format!("/calculators?calc=reconcile&circuit={circuit}"),
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert!(
        r.body.contains("99.2537") && r.body.contains("92.7463") && r.body.contains("0.2799"),
        "REFERENCE 2.3: {}",
        r.body
    );
    // Impossible inputs: the field says why, in the user's language.
    let r = app
        .send_with(
            As::User("bureau"),
            Method::GET,
            "/calculators?calc=two&feed=3.48&conc=50&tail=5",
            None,
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-tail\"") && r.body.contains("尾矿品位 5% 不低于原矿品位 3.48%"), "{}", r.body);
}

#[tokio::test]
async fn the_2005_grade_report_shows_the_case_study_and_flags_the_reported_recovery() {
    let app = app(Backend::Sqlite).await;
    minecoop_store::demo::load_history(&app.db).await.unwrap();
    let r = app
        .send_with(As::User("bureau"), Method::GET, "/reports/grades?year=2005", None, &[("accept-language", "en")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let part = |id: &str| {
        r.body.split(&format!("id=\"{id}\">")).nth(1).and_then(|x| x.split('<').next()).unwrap_or("").to_owned()
    };
    assert!(part("sample-total").starts_with("216"), "{}", part("sample-total"));
    let qc = r.body.split("id=\"qc-failures\"").nth(1).unwrap_or("");
    assert!(qc.contains("1 failed batches") && qc.contains("1 failed checks"), "the July batch: {qc}");
    assert_eq!(part("feed"), "3.48");
    assert_eq!(part("tailing"), "0.28");
    assert_eq!(part("waste"), "0.55");
    assert_eq!(part("reported"), "91.25 %");
    let flag = r.body.split("id=\"recovery-flag\">").nth(1).unwrap_or("");
    assert!(flag.contains("below 91.954 %") && flag.contains("1 − t / (f − t)"), "{flag}");
    let implied: f64 = part("recovery-grades").trim_end_matches(" %").parse().unwrap();
    assert!(implied > 91.954, "the recovery that follows from the grades: {implied}");
}

#[tokio::test]
async fn a_sample_over_the_api_is_followed_to_the_laboratory_and_assayed() {
    let app = app(Backend::Sqlite).await;
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let body = json!({"mine_id": mine.to_string(), "kind": "waste", "point": "waste dump", "taken_at": "2026-11-20T09:00", "taken_by": "王"});
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/samples", Some(Body_::Json(body))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let early = json!({"lab": "L", "results": [{"element": "zn", "value": "0.55"}]});
    let r = app
        .send(
            As::User("inspector"),
            Method::POST,
            &format!("/api/v1/samples/{id}/assays"),
            Some(Body_::Json(early.clone())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not at the laboratory yet");
    for (step, at) in [("dispatched", "2026-11-20T12:00"), ("received", "2026-11-21T08:00")] {
        let c = json!({"step": step, "at": at, "by": "李"});
        let r = app
            .send(As::User("officer"), Method::POST, &format!("/api/v1/samples/{id}/custody"), Some(Body_::Json(c)))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let results = json!({"lab": "都匀化验室", "results": [{"element": "zn", "value": "0.55"}, {"element": "pb", "value": "<0.01"}]});
    let r = app
        .send(As::User("inspector"), Method::POST, &format!("/api/v1/samples/{id}/assays"), Some(Body_::Json(results)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let out = app.get(As::User("bureau"), &format!("/api/v1/samples/{id}")).await.json();
    let shown: Vec<&str> = out["results"].as_array().unwrap().iter().map(|x| x["value"].as_str().unwrap()).collect();
    assert_eq!(shown, ["< 0.01", "0.55"]);
    assert_eq!(out["custody"].as_array().unwrap().len(), 3);
    let r = app
        .send(As::User("officer"), Method::POST, &format!("/api/v1/samples/{id}/assays"), Some(Body_::Json(early)))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a mine never writes its own grades");
}

/// A reference material that reads far from its accepted value flags its batch: the batch shows
/// on the dashboard of those who see it until an inspector decides on it
/// with a reason; the grade report counts the failure.
#[tokio::test]
async fn a_failing_crm_flags_its_batch_on_the_dashboard_until_an_inspector_accepts_it() {
    use minecoop_domain::production::sample::{
        AssayDraft, AssayInput, CustodyStep, SampleDraft, SampleInput, parse_local_time,
    };
    let app = app(Backend::Sqlite).await;
    let form = |s: &str| Some(Body_::Form(s.to_owned()));
    // The material, over the page: field errors first, in the user's language.
    let r = app
        .send_with(
            As::User("inspector"),
            Method::POST,
            "/qc/materials",
            form("name=GBW07165&element=zn&accepted=x&sd=0"),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("标准偏差必须大于零") && r.body.contains("id=\"e-accepted\""), "{}", r.body);
    let r = app
        .send(
            As::User("inspector"),
            Method::POST,
            "/qc/materials",
            form("name=GBW07165&element=zn&accepted=3.00&sd=0.05"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.get(As::User("owner"), "/qc/materials").await.body.contains("GBW07165"));

    // A CRM sample of the officer's mine reads 3.30 % in batch QC-7.
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let actor = minecoop_store::Actor::system("test");
    let i = SampleInput {
        mine_id: mine.to_string(),
        kind: "feed".into(),
        point: "laboratory".into(),
        taken_at: "2005-05-10T09:00".into(),
        taken_by: "张工".into(),
        qc_role: "crm".into(),
        reference: "GBW07165".into(),
        ..Default::default()
    };
    let d = SampleDraft::parse(&i, parse_local_time("2026-01-01T00:00").unwrap()).unwrap();
    let crm = app.db.register_sample(&actor, &d).await.unwrap();
    let t = parse_local_time("2005-05-10T12:00").unwrap();
    app.db.add_custody_step(&actor, crm.id, CustodyStep::Dispatched, t, "王", None).await.unwrap();
    app.db.add_custody_step(&actor, crm.id, CustodyStep::Received, t, "李", None).await.unwrap();
    let a =
        AssayInput { element: "zn".into(), value: "3.30".into(), method: "AAS".into(), detection_limit: "0.01".into() };
    let a = AssayDraft::parse(&a, &minecoop_domain::production::default_elements()).unwrap();
    app.db.record_assays(&actor, crm.id, "都匀化验室", "QC-7", &[a], None).await.unwrap();

    let home = app.get(As::User("inspector"), "/").await.body;
    let section = home.split("id=\"qc-awaiting\"").nth(1).unwrap_or_else(|| panic!("no QC section: {home}"));
    assert!(
        section.contains("QC-7") && section.contains(&crm.code) && section.contains("与认定值相差超过3倍标准偏差"),
        "{section}"
    );
    assert!(app.get(As::User("officer"), "/").await.body.contains("id=\"qc-awaiting\""), "his mine's batch");
    assert!(app.get(As::User("owner"), "/").await.body.contains("QC-7"), "his enterprise's mine");
    let report = app.get(As::User("bureau"), "/reports/grades?year=2005").await.body;
    let failures = report.split("id=\"qc-failures\"").nth(1).unwrap_or("");
    assert!(failures.contains("不合格批次 1 个") && failures.contains("不合格检查 1 项"), "{failures}");

    // The decision: only an inspector (or the administrator), with a reason.
    let path = "/qc/batches/%E9%83%BD%E5%8C%80%E5%8C%96%E9%AA%8C%E5%AE%A4/QC-7";
    let page = app.get(As::User("bureau"), path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("超过3倍标准偏差"), "{}", page.body);
    assert!(!page.body.contains("id=\"decide-form\""), "the bureau reads, does not decide");
    let r = app.send(As::User("president"), Method::POST, path, form("decision=accepted&reason=fine")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.send(As::User("inspector"), Method::POST, path, form("decision=accepted&reason=")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-reason\""), "{}", r.body);
    let r = app
        .send(
            As::User("inspector"),
            Method::POST,
            path,
            form("decision=accepted&reason=CRM+bottle+left+open%3B+routine+re-assays+agree"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(As::User("inspector"), path).await.body;
    assert!(page.contains("CRM bottle left open"), "{page}");
    assert!(
        !app.get(As::User("inspector"), "/").await.body.contains("id=\"qc-awaiting\""),
        "decided: off the dashboard"
    );

    // The API says the same, and refuses a decision without its reason field by field.
    let api = app.get(As::User("bureau"), "/api/v1/qc/batches?from=2005-01-01&to=2005-12-31&show=flagged").await.json();
    assert_eq!(api[0]["batch"], "QC-7");
    assert_eq!(api[0]["outcome"], "fail");
    assert_eq!(api[0]["checks"][0]["rule"], "qc-rule-crm-3sd");
    assert_eq!(api[0]["decision"]["decision"], "accepted");
    let r = app
        .send(
            As::User("admin"),
            Method::POST,
            &format!("/api/v1{path}/decision"),
            Some(Body_::Json(json!({"decision": "rejected"}))),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("\"reason\""), "{}", r.body);

    // A new certificate over the API is a new version; the first stays, superseded.
    let cert = json!({"name": "GBW07165", "element": "zn", "accepted": "3.02", "sd": "0.04", "certificate": "2006"});
    let r = app.send(As::User("admin"), Method::POST, "/api/v1/qc/materials", Some(Body_::Json(cert))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.json()["version"].as_i64(), r.json()["accepted"].as_str()), (Some(2), Some("3.02")));
    let all = app.get(As::User("owner"), "/api/v1/qc/materials").await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    assert_eq!((all[0]["current"].as_bool(), all[1]["current"].as_bool()), (Some(false), Some(true)));
    let bad = json!({"name": "", "element": "xx", "accepted": "-1", "sd": ""});
    let r = app.send(As::User("inspector"), Method::POST, "/api/v1/qc/materials", Some(Body_::Json(bad))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "element", "accepted", "sd"] {
        assert!(r.body.contains(&format!("\"{field}\"")), "{field}: {}", r.body);
    }
}
