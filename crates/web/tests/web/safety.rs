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
    // The closing version reads as such in the page's history, in the reader's language.
    let page = app.get(officer, &format!("/safety/incidents/{id}")).await;
    let history = &page.body[page.body.find("id=\"versions\"").unwrap()..];
    assert!(history.contains("<td>已结案</td>") && !history.contains("<td>closed</td>"), "{history}");
}

#[tokio::test]
async fn incident_and_action_over_the_api_sqlite() {
    incident_and_action_over_the_api(Backend::Sqlite).await;
}

#[tokio::test]
async fn incident_and_action_over_the_api_postgres() {
    incident_and_action_over_the_api(Backend::Postgres).await;
}

// ---- inspections, findings, hazards ---------------------------------------------------------

use minecoop_domain::safety::inspection::{DEFAULT_TEMPLATE_ID, QuestionKind, default_template};

use crate::support::{Body_, TestApp};

/// Every item of the default checklist answered safely (numbers not applicable) but the ones
/// given, as the phone form posts it.
fn checklist(mine: &str, schedule: &str, version_id: &str, answers: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("mine_id".to_owned(), mine.to_owned()),
        ("schedule_id".into(), schedule.to_owned()),
        ("template_id".into(), DEFAULT_TEMPLATE_ID.to_string()),
        ("version_id".into(), version_id.to_owned()),
        ("inspected_on".into(), "2026-01-15".into()),
        ("inspector".into(), "周检".into()),
    ];
    for q in default_template().questions() {
        if let Some((_, v)) = answers.iter().find(|(k, _)| *k == q.key) {
            pairs.push((format!("a-{}", q.key), (*v).to_owned()));
            continue;
        }
        match q.kind {
            QuestionKind::YesNo => pairs.push((format!("a-{}", q.key), "yes".into())),
            QuestionKind::Number => pairs.push((format!("x-{}", q.key), "na".into())),
            _ => {}
        }
    }
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

async fn own_mine(app: &TestApp) -> uuid::Uuid {
    app.db.user_by_name("officer").await.unwrap().mine_id.unwrap()
}

#[tokio::test]
async fn an_officer_inspects_his_mine_a_failed_item_becomes_a_finding() {
    let app = app(Backend::Sqlite).await;
    let mine = own_mine(&app).await;
    let v1 = app.db.inspection_template(DEFAULT_TEMPLATE_ID).await.unwrap();
    let send = |body: String, lang: &'static str| {
        let app = &app;
        async move {
            app.send_with(
                As::User("officer"),
                Method::POST,
                "/inspections",
                Some(Body_::Form(body)),
                &[("accept-language", lang)],
            )
            .await
        }
    };
    // The phone form opens with every question in Chinese.
    let r = app
        .send_with(As::User("officer"), Method::GET, "/inspections/new", None, &[("accept-language", "zh-CN")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("工作面风流中氧气浓度") && r.body.contains("≥ 19.5 %") && r.body.contains("尾矿库"));
    assert!(r.body.contains("enctype=\"multipart/form-data\""), "photos go with the form");

    // Unanswered items are named in the user's language, and nothing is kept.
    let body = checklist(&mine.to_string(), "", &v1.id.to_string(), &[("vent-o2", ""), ("exit-two", "")]);
    let r = send(body, "zh-CN").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-a-vent-o2\"") && r.body.contains("请回答此项"), "{}", r.body);
    assert!(r.body.contains("id=\"e-a-exit-two\""));
    assert!(r.body.contains("value=\"yes\" id=\"a-ground-scaling-yes\" checked"), "the answers given stay");
    let before = app.db.inspections(Some(&[mine]), 10).await.unwrap().len();

    // O2 below its limit and the second exit blocked: two failed items of 31 applicable.
    let body = checklist(&mine.to_string(), "", &v1.id.to_string(), &[("vent-o2", "18.5"), ("exit-two", "no")]);
    let r = send(body, "en-US").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let page = app.send_with(As::User("officer"), Method::GET, &at, None, &[("accept-language", "en-US")]).await;
    let yes_no = default_template().questions().filter(|q| q.kind == QuestionKind::YesNo).count();
    let expected = format!("{:.1} %", (yes_no - 1) as f64 * 100.0 / (yes_no + 1) as f64);
    assert!(page.body.contains(&format!("id=\"score\">{expected}")), "score {expected}: {}", page.body);
    assert!(page.body.contains("O2 in the air at the working face") && page.body.contains("18.5 %"));
    assert_eq!(app.db.inspections(Some(&[mine]), 10).await.unwrap().len(), before + 1);
    let open = app.db.open_findings_of_mine(mine).await.unwrap();
    let new: Vec<&str> = open
        .iter()
        .filter(|f| at.ends_with(&f.inspection_id.unwrap().to_string()))
        .map(|f| f.question_key.as_deref().unwrap())
        .collect();
    assert_eq!(new, ["vent-o2", "exit-two"]);

    // The finding's page, and closing it.
    let f = open.iter().find(|f| f.question_key.as_deref() == Some("exit-two")).unwrap();
    let r = app.get(As::User("officer"), &format!("/findings/{}", f.id)).await;
    assert!(r.body.contains(&f.id.to_string()) && r.body.contains("id=\"close-form\""));
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            &format!("/findings/{}/close", f.id),
            Some(Body_::Form("version=1&note=cleared".into())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.finding(f.id).await.unwrap().status, "closed");
    let r = app.get(As::User("bureau"), &format!("/findings/{}", f.id)).await;
    assert!(r.status == StatusCode::OK && !r.body.contains("id=\"close-form\""), "the bureau reads only");
}

#[tokio::test]
async fn a_photo_goes_with_its_answer_and_anything_else_is_refused() {
    let app = app(Backend::Sqlite).await;
    let mine = own_mine(&app).await.to_string();
    let v1 = app.db.inspection_template(DEFAULT_TEMPLATE_ID).await.unwrap().id.to_string();
    let fields = |photo: (&str, Vec<u8>)| {
        let body = checklist(&mine, "", &v1, &[("exit-two", "no")]);
        let mut parts: Vec<(String, Option<String>, Vec<u8>)> = url::form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| (k.into_owned(), None, v.into_owned().into_bytes()))
            .collect();
        parts.push(("p-exit-two".into(), Some(photo.0.to_owned()), photo.1));
        Body_::Multipart(parts)
    };
    let r = app
        .send(As::User("inspector"), Method::POST, "/inspections", Some(fields(("x.svg", b"<svg></svg>".to_vec()))))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-p-exit-two\""), "{}", r.body);
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    let r =
        app.send(As::User("inspector"), Method::POST, "/inspections", Some(fields(("出口.jpg", jpeg.clone())))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let id: uuid::Uuid = at.rsplit('/').next().unwrap().parse().unwrap();
    let rec = app.db.inspection_record(id).await.unwrap();
    assert_eq!(rec.photos.len(), 1);
    let src = format!("{at}/photos/{}", rec.photos[0].id);
    assert!(app.get(As::User("inspector"), &at).await.body.contains(&src));
    let r = app.get(As::User("officer"), &src).await;
    assert_eq!((r.status, r.headers["content-type"].to_str().unwrap()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(r.bytes, jpeg);
    assert_eq!(app.get(As::Anon, &src).await.status, StatusCode::SEE_OTHER, "private");
}

#[tokio::test]
async fn schedules_show_what_is_overdue_and_templates_keep_their_versions() {
    let app = app(Backend::Sqlite).await;
    let r =
        app.send_with(As::User("inspector"), Method::GET, "/inspections", None, &[("accept-language", "en-US")]).await;
    assert!(r.body.contains("id=\"overdue-notice\"") && r.body.contains("Inspections overdue: 1"), "{}", r.body);
    let overdue_row = r.body.split("<tr class=\"overdue\">").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(overdue_row.contains("老寨锌矿"), "{overdue_row}");
    // A new schedule; a bad interval is named.
    let mine = own_mine(&app).await;
    let bad = format!("mine_id={mine}&template_id={DEFAULT_TEMPLATE_ID}&every=0&unit=weeks&first_due=2026-12-01");
    let r = app.send(As::User("officer"), Method::POST, "/inspections/schedules", Some(Body_::Form(bad.clone()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-every\""));
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            "/inspections/schedules",
            Some(Body_::Form(bad.replace("every=0", "every=2"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.inspection_schedules(Some(&[mine])).await.unwrap().len(), 2);
    // The new schedule is changed from the version read (a stale one is a conflict), then stopped.
    let sc =
        app.db.inspection_schedules(Some(&[mine])).await.unwrap().into_iter().find(|x| x.schedule.every == 2).unwrap();
    let id = sc.schedule.id;
    let edit = app.get(As::User("officer"), &format!("/inspections/schedules/{id}/edit")).await;
    assert!(edit.body.contains("name=\"version\" value=\"1\"") && edit.body.contains("id=\"stop-schedule\""));
    let change =
        format!("version=1&mine_id={mine}&template_id={DEFAULT_TEMPLATE_ID}&every=3&unit=months&first_due=2026-12-15");
    let path = format!("/inspections/schedules/{id}");
    let r = app
        .send(As::User("officer"), Method::POST, &path, Some(Body_::Form(change.replace("every=3", "every=x"))))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-every\""));
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Form(change.clone()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Form(change.clone()))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale version is a conflict");
    let changed = app.db.inspection_schedule(id).await.unwrap();
    assert_eq!((changed.every, changed.unit.as_str(), changed.version), (3, "months", 2));
    let r = app
        .send(As::User("officer"), Method::POST, &format!("{path}/stop"), Some(Body_::Form("version=2".into())))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.inspection_schedules(Some(&[mine])).await.unwrap().len(), 1, "a stopped schedule is not due");
    assert!(!app.db.inspection_schedule(id).await.unwrap().active);
    let r = app.get(As::User("officer"), &format!("{path}/edit")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(app.db.audit_verify().await.unwrap().is_ok());

    // The inspector adds a question: version 2; last month's inspections stay on version 1.
    let path = format!("/inspections/templates/{DEFAULT_TEMPLATE_ID}/questions");
    let q =
        "version=1&section=ventilation&kind=number&en=Radon&zh=%E6%B0%A1&max=1000&unit=Bq&severity=high&reason=radon";
    let r = app.send(As::User("inspector"), Method::POST, &path, Some(Body_::Form(q.into()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.send(As::User("inspector"), Method::POST, &path, Some(Body_::Form(q.into()))).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale version is a conflict");
    let page = app.get(As::User("president"), &format!("/inspections/templates/{DEFAULT_TEMPLATE_ID}")).await;
    assert!(page.body.contains("v2") && page.body.contains("Radon") && page.body.contains("radon"));
    let old = app.db.inspections(Some(&[mine]), 1).await.unwrap().remove(0);
    assert_eq!(old.template_version, 1);
    let form = app.get(As::User("officer"), "/inspections/new").await;
    assert!(form.body.contains("name=\"a-q-45\""), "the form fills the current version");
    let r =
        app.send(As::User("owner"), Method::POST, &path, Some(Body_::Form(q.replace("version=1", "version=2")))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "owners do not change templates");

    // Renaming is a version too: the questions stay, a stale version is a conflict.
    let rename = format!("/inspections/templates/{DEFAULT_TEMPLATE_ID}/name");
    let body = |v: &str, zh: &str| {
        Body_::Form(format!("version={v}&name_zh={zh}&name_en=Underground+mine+checklist&reason=new+name"))
    };
    let r = app.send(As::User("inspector"), Method::POST, &rename, Some(body("2", ""))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-name_zh\""));
    let r = app
        .send(
            As::User("inspector"),
            Method::POST,
            &rename,
            Some(body("2", "%E4%BA%95%E4%B8%8B%E6%A3%80%E6%9F%A5%E8%A1%A8")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.send(As::User("inspector"), Method::POST, &rename, Some(body("2", "x"))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let t = app.db.inspection_template(DEFAULT_TEMPLATE_ID).await.unwrap();
    assert_eq!((t.version, t.name_zh.as_str(), t.name_en.as_str()), (3, "井下检查表", "Underground mine checklist"));
    assert!(t.content().question("q-45").is_some(), "the questions are kept");
}

#[tokio::test]
async fn hazards_are_rated_on_a_heat_map_and_changed_with_a_reason() {
    let app = app(Backend::Sqlite).await;
    let mine = own_mine(&app).await;
    let get = |path: String, lang: &'static str| {
        let app = &app;
        async move { app.send_with(As::User("officer"), Method::GET, &path, None, &[("accept-language", lang)]).await }
    };
    let r = get(format!("/hazards?mine={mine}"), "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK);
    // Daping: 2x5 (re-rated from 4x5), 3x4, 2x5, 4x3.
    let cell = |body: &str, l: u8, s: u8| -> String {
        let rows: Vec<&str> = body.split("<tr><th scope=\"row\">").skip(1).collect();
        let row = rows[usize::from(5 - l)];
        row.split("<td ")
            .nth(usize::from(s))
            .unwrap()
            .split("data-count=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (cell(&r.body, 2, 5), cell(&r.body, 3, 4), cell(&r.body, 4, 3), cell(&r.body, 4, 5)),
        ("2".into(), "1".into(), "1".into(), "0".into())
    );
    assert!(r.body.contains("class=\"band-extreme") && r.body.contains("逾期未复查：1 项"));
    assert!(r.body.contains("赵安全") || r.body.contains("李光荣"), "the owner is named to the mine's officer");
    let bureau = app.get(As::User("bureau"), &format!("/hazards?mine={mine}")).await;
    assert!(!bureau.body.contains("李光荣") && !bureau.body.contains("赵安全"), "the bureau sees no names");
    // A cell of the map lists its hazards.
    let r = get(format!("/hazards?mine={mine}&l=3&s=4"), "en-US").await;
    let register = r.body.split("id=\"hazards\"").nth(1).unwrap();
    assert_eq!(register.matches("<tr><td><a href=\"/hazards/").count(), 1);

    // A new hazard: the owner must be one of the enterprise's people; errors in Chinese.
    let owner = app.db.hazard_owner_choices(&[app.db.mine(mine).await.unwrap().member_id]).await.unwrap()[0].id;
    let stranger = app
        .db
        .people(&minecoop_store::registry::ListQuery {
            q: Some("黄丽".into()),
            page: 1,
            per_page: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .items[0]
        .id;
    let form = |owner: uuid::Uuid, l: &str| {
        format!(
            "mine_id={mine}&title=Water+inrush+from+old+workings&category=flooding&likelihood={l}&severity=5&controls=Probe+drilling+ahead&owner_id={owner}&review_on=2027-03-01"
        )
    };
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            "/hazards",
            Some(Body_::Form(form(stranger, "7"))),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-likelihood\"") && r.body.contains("请选择 1 至 5"), "{}", r.body);
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            "/hazards",
            Some(Body_::Form(form(stranger, "3"))),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("id=\"e-owner_id\""));
    assert!(!r.body.contains("黄丽"), "another enterprise's people are not offered");
    let r = app.send(As::User("officer"), Method::POST, "/hazards", Some(Body_::Form(form(owner, "3")))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let page = get(at.clone(), "en-US").await;
    assert!(page.body.contains("15 · High"), "{}", page.body);

    // A change without a reason is refused; with one it is version 2, version 1 kept.
    let change = format!("version=1&{}", form(owner, "1"));
    let r = app.send(As::User("officer"), Method::POST, &at, Some(Body_::Form(change.clone()))).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("id=\"e-reason\""));
    let r = app
        .send(As::User("officer"), Method::POST, &at, Some(Body_::Form(format!("{change}&reason=probe+drilling+done"))))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(at.clone(), "en-US").await;
    assert!(page.body.contains("5 · Medium") && page.body.contains("probe drilling done"));
    let id: uuid::Uuid = at.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(app.db.hazard_versions(id).await.unwrap().len(), 2);
    assert_eq!(app.db.history("hazard", &id.to_string()).await.unwrap().len(), 2, "both changes audited");
}

#[tokio::test]
async fn the_api_records_an_inspection_and_lists_findings_and_hazards() {
    let app = app(Backend::Sqlite).await;
    let mine = own_mine(&app).await;
    let mut answers = serde_json::Map::new();
    for q in default_template().questions() {
        let v = match q.kind {
            QuestionKind::YesNo => "yes",
            QuestionKind::Number => "na",
            _ => continue,
        };
        answers.insert(q.key.clone(), serde_json::json!({"value": v}));
    }
    answers.insert("tail-freeboard".into(), serde_json::json!({"value": "0.3", "note": "低于 0.5 m"}));
    let body = serde_json::json!({"mine_id": mine, "template_id": DEFAULT_TEMPLATE_ID, "inspected_on": "2026-02-01",
                                  "inspector": "api", "answers": answers});
    let r = app.send(As::User("officer"), Method::POST, "/api/v1/inspections", Some(Body_::Json(body.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let j = r.json();
    assert_eq!((j["failed"].as_i64(), j["findings"][0]["question_key"].as_str()), (Some(1), Some("tail-freeboard")));
    assert!(j["score"].as_str().unwrap().starts_with("9"));
    let id = j["id"].as_str().unwrap();
    let got = app.get(As::User("bureau"), &format!("/api/v1/inspections/{id}")).await.json();
    assert_eq!(got["answers"].as_array().unwrap().len(), default_template().questions().count());
    // Invalid answers: one problem per field, in the caller's language.
    let mut bad = body.clone();
    bad["answers"]["vent-o2"] = serde_json::json!({"value": "lots"});
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            "/api/v1/inspections",
            Some(Body_::Json(bad)),
            &[("accept-language", "en-US")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "a-vent-o2");
    let fs = app.get(As::User("officer"), &format!("/api/v1/findings?mine={mine}")).await.json();
    assert_eq!(fs.as_array().unwrap().len(), 3, "two from the demo and the new one");
    let f = app
        .send(
            As::User("inspector"),
            Method::POST,
            "/api/v1/findings",
            Some(Body_::Json(
                serde_json::json!({"mine_id": mine, "severity": "medium", "description": "Oil drums by the collar"}),
            )),
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED);
    let hz = app.get(As::User("owner"), &format!("/api/v1/hazards?mine={mine}")).await.json();
    assert_eq!(hz.as_array().unwrap().len(), 4);
    assert_eq!(hz[0]["band"], "high");
    let doc = app.get(As::Anon, "/api/openapi.json").await.json();
    assert!(
        doc["paths"]["/api/v1/findings/{id}"].is_object() && doc["components"]["schemas"]["HazardInput"].is_object()
    );
    // Photos go with their answers in the same JSON, in base64; bad data is named on its field.
    use base64::Engine;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let mut with_photo = body.clone();
    with_photo["photos"] = serde_json::json!([{"question_key": "tail-freeboard", "file_name": "dam.png",
        "data_base64": base64::engine::general_purpose::STANDARD.encode(png)}]);
    let r =
        app.send(As::User("officer"), Method::POST, "/api/v1/inspections", Some(Body_::Json(with_photo.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rec = app.db.inspection_record(r.json()["id"].as_str().unwrap().parse().unwrap()).await.unwrap();
    assert_eq!((rec.photos.len(), rec.photos[0].file_name.as_str()), (1, "dam.png"));
    for (photo, field, code) in [
        (
            serde_json::json!({"question_key": "tail-freeboard", "data_base64": "%%%"}),
            "p-tail-freeboard",
            "err-photo-base64",
        ),
        (
            serde_json::json!({"question_key": "tail-freeboard", "data_base64": "aGVsbG8="}),
            "p-tail-freeboard",
            "err-photo-type",
        ),
        (
            serde_json::json!({"question_key": "no-such-question", "data_base64": base64::engine::general_purpose::STANDARD.encode(png)}),
            "p-no-such-question",
            "err-choice",
        ),
    ] {
        let mut bad = body.clone();
        bad["photos"] = serde_json::json!([photo]);
        let r = app.send(As::User("officer"), Method::POST, "/api/v1/inspections", Some(Body_::Json(bad))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            (r.json()["errors"][0]["field"].as_str(), r.json()["errors"][0]["code"].as_str()),
            (Some(field), Some(code))
        );
    }
    // Schedules over the API: list, change from the version read, stop.
    let list = app.get(As::User("officer"), &format!("/api/v1/inspection-schedules?mine={mine}")).await.json();
    let sc = &list[0];
    let put = serde_json::json!({"version": sc["version"], "mine_id": mine, "template_id": DEFAULT_TEMPLATE_ID,
        "every": "6", "unit": "weeks", "first_due": "2026-12-01"});
    let path = format!("/api/v1/inspection-schedules/{}", sc["id"].as_str().unwrap());
    let r = app.send(As::User("officer"), Method::PUT, &path, Some(Body_::Json(put.clone()))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["every"].as_i64(), r.json()["unit"].as_str()), (Some(6), Some("weeks")));
    let r = app.send(As::User("officer"), Method::PUT, &path, Some(Body_::Json(put))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            &format!("{path}/stop"),
            Some(Body_::Json(serde_json::json!({"version": sc["version"].as_i64().unwrap() + 1}))),
        )
        .await;
    assert_eq!((r.status, r.json()["active"].as_bool()), (StatusCode::OK, Some(false)));
}

/// The public page counts the days since the co-op's last accident of the "major" class (by
/// default relatively large and above); a general accident does not reset it. The safety page
/// shows the record and the rates.
#[tokio::test]
async fn the_public_page_counts_days_without_a_major_accident() {
    use minecoop_domain::production::sample::parse_local_time;
    use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
    let app = app(Backend::Sqlite).await;
    let days = |body: &str| {
        body.split("id=\"days-safe\"><div class=\"figure\">")
            .nth(1)
            .and_then(|x| x.split('<').next())
            .unwrap_or("")
            .to_owned()
    };
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let record = |deaths: &str, ago: i64| {
        let at = (today - chrono::Duration::days(ago)).format("%Y-%m-%dT08:00").to_string();
        let i = IncidentInput {
            mine_id: mine.to_string(),
            kind: "fatality".into(),
            occurred_at: at.clone(),
            unit_head_notified_at: at,
            location: "Level 2".into(),
            description: "Fall of ground".into(),
            deaths: deaths.into(),
            ..Default::default()
        };
        IncidentDraft::parse(&i, parse_local_time("2200-01-01T00:00").unwrap()).unwrap()
    };
    let actor = minecoop_store::Actor::system("test");
    app.db.record_incident(&actor, &record("3", 400)).await.unwrap();
    app.db.record_incident(&actor, &record("1", 10)).await.unwrap();
    let r = app.get(As::Anon, "/").await;
    assert_eq!(days(&r.body), "400", "a general accident does not reset the count");
    let r = app.get(As::User("bureau"), "/safety").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"safety-record\"") && r.body.contains("id=\"rates-by-year\""));
    // By class: the co-op's line counts 10 days since a general accident, 400 since a relatively
    // large one, and none of the two higher classes.
    let by_class = r.body.split("id=\"days-by-class\"").nth(1).unwrap().split("</table>").next().unwrap();
    let coop = by_class.split("<tr class=\"total\">").nth(1).unwrap().split("</tr>").next().unwrap();
    let cells: Vec<&str> = coop.split("<td class=\"num\">").skip(1).map(|c| c.split("</td>").next().unwrap()).collect();
    assert_eq!(cells.len(), 4, "{coop}");
    assert_eq!((cells[0], cells[1]), ("10", "400"), "{coop}");
    assert!(cells[2].contains("muted") && cells[3].contains("muted"), "{coop}");
}

/// A count two metres of fuse short opens a case; the same shortfall counted again stays that case;
/// the president writes it off (a reason is required, in the user's language), the ledger shows
/// the write-off, and the book balances again.
#[tokio::test]
async fn the_president_writes_off_an_investigated_explosives_difference() {
    let app = app(Backend::Sqlite).await;
    let mine = own_mine(&app).await;
    let path = format!("/safety/explosives/{mine}");
    let line = |kind: &str, qty: &str, at: &str| {
        format!(
            "kind={kind}&item=safety_fuse&quantity={qty}&at={at}&permit_no=P-1&blaster=&shift=&blast_location=&note="
        )
    };
    for (kind, qty, at) in [("receipt", "100", "2026-01-10T08:00"), ("count", "98", "2026-01-10T20:00")] {
        let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Form(line(kind, qty, at)))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let again = app
        .send(As::User("officer"), Method::POST, &path, Some(Body_::Form(line("count", "98", "2026-01-11T20:00"))))
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "the same shortfall goes back to the ledger, not a new case");
    assert_eq!(again.headers["location"].to_str().unwrap(), path);
    let ledger = app.db.explosives_ledger(mine).await.unwrap();
    let count = ledger.iter().rfind(|e| e.item == "safety_fuse").unwrap();
    assert_eq!((count.kind.as_str(), count.difference_milli), ("count", Some(-2_000)));
    assert_eq!(count.at.format("%d").to_string(), "11", "the second count carries the case");
    // The mine cannot write off its own shortfall; the page offers the president a form.
    let wo = format!("{path}/write-off");
    let body = |reason: &str| Body_::Form(format!("entry={}&reason={reason}", count.id));
    let r = app.send(As::User("officer"), Method::POST, &wo, Some(body("found"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = app.get(As::User("president"), &path).await;
    assert!(page.body.contains(&format!("id=\"write-off-{}\"", count.id)));
    assert!(!app.get(As::User("officer"), &path).await.body.contains("name=\"reason\""));
    let r =
        app.send_with(As::User("president"), Method::POST, &wo, Some(body("")), &[("accept-language", "zh-CN")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("field-error"), "{}", r.body);
    let r =
        app.send(As::User("president"), Method::POST, &wo, Some(body("two lost in the misfire of 10 January"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(As::User("president"), &path).await.body;
    assert!(page.contains("two lost in the misfire of 10 January"));
    assert!(!page.contains(&format!("write-off-{}", count.id)));
    assert_eq!(
        app.db.explosives_book(mine).await.unwrap().stock(minecoop_domain::safety::explosives::Item::SafetyFuse),
        98_000
    );
    // Over the API: the same write-off again is refused on its field.
    let r = app
        .send(
            As::User("president"),
            Method::POST,
            &format!("/api/v1/explosives/{mine}/write-offs"),
            Some(Body_::Json(serde_json::json!({"entry_id": count.id, "reason": "again"}))),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (r.json()["errors"][0]["field"].as_str(), r.json()["errors"][0]["code"].as_str()),
        (Some("entry_id"), Some("err-already-written-off"))
    );
}
