//! Grievances in the pages and the API: the public intake without login (Chinese first, nothing
//! identifying kept), the tracking code and wrong codes, the staff's steps seen on the tracking
//! page, the API's field errors, the bureau's aggregates without the cases, the demo's cases;
//! and in a phone-sized browser, an anonymous villager's complaint followed to its
//! acknowledgement.

use std::time::Duration;

use axum::http::Method;
use fantoccini::{Client, Locator};
use minecoop_domain::grievances::Status;
use minecoop_domain::safety::action::ActionSource;

use crate::support::{As, Backend, Body_, Browser, TestApp, app, spawn_server};

const ANON_FORM: &str = "category=water&complainant_type=villager&mines=unknown&description=%E4%BA%95%E6%B0%B4%E5%8F%98%E6%B5%91&occurred=%E4%B8%8A%E5%91%A8&place=%E4%B8%8B%E5%AF%A8&anonymous=1";

/// The tracking code shown on the page after submitting.
fn code_in(body: &str) -> String {
    let start = body.find("id=\"tracking-code\">").expect("the code is shown") + "id=\"tracking-code\">".len();
    body[start..start + 14].to_owned()
}

async fn submit(app: &TestApp, form: &str) -> String {
    let r = app.send(As::Anon, Method::POST, "/grievance", Some(Body_::Form(form.into()))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    code_in(&r.body)
}

async fn track(app: &TestApp, code: &str) -> crate::support::Reply {
    app.send(As::Anon, Method::POST, "/grievance/track", Some(Body_::Form(format!("code={code}")))).await
}

async fn public_submit_and_follow(backend: Backend) {
    let app = app(backend).await;
    // Chinese first, whatever the browser asks, unless English was chosen.
    let r = app.send_with(As::Anon, Method::GET, "/grievance", None, &[("accept-language", "en-US,en;q=0.9")]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("我要投诉") && r.body.contains("<html lang=\"zh-Hans\""), "Chinese by default");
    assert!(!r.body.contains("<script"), "no script on the public page");
    let r = app.send_with(As::Anon, Method::GET, "/grievance", None, &[("cookie", "mc_lang=en-US")]).await;
    assert!(r.body.contains("Make a complaint"));
    // The home page links to it.
    assert!(app.get(As::Anon, "/").await.body.contains("href=\"/grievance\""));

    let code = submit(&app, ANON_FORM).await;
    assert_eq!(code.len(), 14);
    assert_eq!(code.matches('-').count(), 2);
    // Stored: no name, no phone, the public as the actor, the code only as its hash.
    let all = app.db.grievance_summaries().await.unwrap();
    let g = &all.iter().find(|s| s.g.description == "井水变浑").unwrap().g;
    assert!(g.anonymous && g.complainant_name.is_none() && g.complainant_phone.is_none());
    assert_eq!((g.created_by.as_str(), g.channel.as_str()), ("public", "web"));
    assert!(!g.code_hash.contains(&code.replace('-', "")));
    let trail = app.db.history("grievance", &g.id.to_string()).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!((trail[0].actor.as_str(), trail[0].actor_id), ("public", None));
    assert!(!trail[0].after.contains("127.0.0.1") && !trail[0].after.contains(&code));

    // Followed with the code, typed in any case: received.
    let r = track(&app, &code.to_lowercase()).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("data-status=\"received\"") && r.body.contains("已收到"));
    assert_eq!(r.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));

    // Staff acknowledge, reply, ask and note; the tracking page shows all but the note.
    let id = g.id;
    let step = |f: &str| Some(Body_::Form(f.to_owned()));
    let r = app
        .send(
            As::User("inspector"),
            Method::POST,
            &format!("/grievances/{id}/steps"),
            step("status=acknowledged&note=%E5%B7%B2%E5%8F%97%E7%90%86"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for (kind, text) in [("reply", "reply-for-you"), ("question", "which-well"), ("note", "internal-only")] {
        let r = app
            .send(
                As::User("inspector"),
                Method::POST,
                &format!("/grievances/{id}/messages"),
                step(&format!("kind={kind}&text={text}")),
            )
            .await;
        assert_eq!(r.status, 303);
    }
    let r = track(&app, &code).await;
    assert!(r.body.contains("data-status=\"acknowledged\"") && r.body.contains("已受理"));
    assert!(r.body.contains("reply-for-you") && r.body.contains("which-well") && !r.body.contains("internal-only"));
    assert!(!r.body.contains("inspector"), "no staff names on the tracking page");
    // The complainant answers the question; a proposal cannot be answered before it is made.
    let r =
        app.send(As::Anon, Method::POST, "/grievance/track/info", step(&format!("code={code}&text=east-well"))).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("east-well"));
    let r = app
        .send(As::Anon, Method::POST, "/grievance/track/answer", step(&format!("code={code}&outcome=accepted")))
        .await;
    assert_eq!(r.status, 422);
    for st in ["investigated&note=x", "resolution_proposed&note=new-pipe"] {
        let r = app
            .send(As::User("admin"), Method::POST, &format!("/grievances/{id}/steps"), step(&format!("status={st}")))
            .await;
        assert_eq!(r.status, 303);
    }
    let r = app
        .send(As::Anon, Method::POST, "/grievance/track/answer", step(&format!("code={code}&outcome=accepted&note=ok")))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("data-status=\"accepted\""));
    let case = app.db.grievance_case(id).await.unwrap();
    assert_eq!(case.status(), Status::Accepted);
    assert_eq!(case.steps.last().unwrap().by, "public");
    // A step out of order is refused on the staff page with its reason.
    let r = app
        .send(As::User("admin"), Method::POST, &format!("/grievances/{id}/steps"), step("status=acknowledged"))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("案件当前状态下不能进行这一步") || r.body.contains("not possible"));
}

#[tokio::test]
async fn public_submit_and_follow_sqlite() {
    public_submit_and_follow(Backend::Sqlite).await;
}

#[tokio::test]
async fn public_submit_and_follow_postgres() {
    public_submit_and_follow(Backend::Postgres).await;
}

#[tokio::test]
async fn wrong_codes_say_the_same_and_are_limited() {
    let app = app(Backend::Sqlite).await;
    let wrong = track(&app, "AAAA-BBBB-CCCC").await;
    let nonsense = track(&app, "hello").await;
    assert_eq!((wrong.status.as_u16(), nonsense.status.as_u16()), (404, 404));
    let msg = "这个查询码查不到案件";
    assert!(wrong.body.contains(msg) && nonsense.body.contains(msg));
    // The API answers alike.
    let r = app
        .send(
            As::Anon,
            Method::POST,
            "/api/v1/public/grievances/track",
            Some(Body_::Json(serde_json::json!({"code": "ZZZZ-ZZZZ-ZZZZ"}))),
        )
        .await;
    assert_eq!(r.status, 404);
    for _ in 3..10 {
        assert_eq!(track(&app, "AAAA-BBBB-CCCD").await.status, 404);
    }
    // Ten wrong codes from the address: even the right one waits.
    let r = track(&app, "GRV6-DEM0-2026").await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("一刻钟"));
    // Another app (another server) has its own count.
    let other = crate::support::app(Backend::Sqlite).await;
    assert_eq!(track(&other, "GRV6-DEM0-2026").await.status, 200);
}

#[tokio::test]
async fn the_api_answers_422_with_field_errors() {
    let app = app(Backend::Sqlite).await;
    let body = serde_json::json!({"category": "weather", "complainant_type": "villager", "description": "", "anonymous": "1", "name": "王五"});
    let r = app.send(As::Anon, Method::POST, "/api/v1/public/grievances", Some(Body_::Json(body.clone()))).await;
    assert_eq!(r.status, 422);
    let fields: Vec<String> =
        r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    for f in ["category", "description", "anonymous"] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    let r = app.send(As::User("admin"), Method::POST, "/api/v1/grievances", Some(Body_::Json(body))).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"].as_array().unwrap().iter().any(|e| e["field"] == "channel"));
    // A valid public submission gives the code once; the case is followed with it.
    let ok = serde_json::json!({"category": "dust_noise", "complainant_type": "farmer", "mines": ["unknown"], "description": "dust on the rice", "anonymous": "1"});
    let r = app.send(As::Anon, Method::POST, "/api/v1/public/grievances", Some(Body_::Json(ok))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.json()["tracking_code"].as_str().unwrap().to_owned();
    let r = app
        .send(
            As::Anon,
            Method::POST,
            "/api/v1/public/grievances/track",
            Some(Body_::Json(serde_json::json!({"code": code}))),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "received");
    // Staff record one by phone for their mine; an owner cannot record for another's.
    let daping = app.db.mine_choices().await.unwrap().into_iter().find(|m| m.name_en.starts_with("Daping")).unwrap().id;
    let other = app.db.mine_choices().await.unwrap().into_iter().find(|m| m.name_en.starts_with("Laozhai")).unwrap().id;
    let by_phone = |mine: uuid::Uuid| serde_json::json!({"category": "wages", "complainant_type": "worker", "channel": "phone", "mines": [mine.to_string()], "description": "late pay", "name": "杨", "phone": "13800001111"});
    let r = app.send(As::User("owner"), Method::POST, "/api/v1/grievances", Some(Body_::Json(by_phone(daping)))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app.send(As::User("owner"), Method::POST, "/api/v1/grievances", Some(Body_::Json(by_phone(other)))).await;
    assert_eq!(r.status, 422);
    let r = app.get(As::User("officer"), &format!("/api/v1/grievances/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["grievance"]["complainant_phone"], "13800001111");
    let r = app
        .send(
            As::User("officer"),
            Method::POST,
            &format!("/api/v1/grievances/{id}/steps"),
            Some(Body_::Json(serde_json::json!({"status": "escalated"}))),
        )
        .await;
    assert_eq!(r.status, 422);
    let fields: Vec<String> =
        r.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert!(fields.contains(&"note".to_owned()) && fields.contains(&"escalated_to".to_owned()), "{fields:?}");
}

#[tokio::test]
async fn the_bureau_sees_aggregates_never_a_case() {
    let app = app(Backend::Sqlite).await;
    let all = app.db.grievance_summaries().await.unwrap();
    let case = &all[0].g;
    for path in [format!("/grievances/{}", case.id), format!("/api/v1/grievances/{}", case.id)] {
        let r = app.get(As::User("bureau"), &path).await;
        assert_eq!(r.status, 403, "{path}");
        assert!(!r.body.contains(&case.description));
    }
    assert_eq!(app.get(As::User("bureau"), "/api/v1/grievances").await.status, 403);
    assert_eq!(app.get(As::User("bureau"), "/grievances?format=csv").await.status, 403);
    let r = app.get(As::User("bureau"), "/grievances").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"aggregates-only\""));
    for g in &all {
        assert!(!r.body.contains(&g.g.description) && !r.body.contains(&g.g.ref_no), "{}", g.g.ref_no);
        if let Some(n) = &g.g.complainant_name {
            assert!(!r.body.contains(n.as_str()));
        }
    }
    let r = app.get(As::User("bureau"), "/api/v1/grievances/stats").await;
    assert_eq!(r.status, 200);
    let d = r.json();
    // The demo: 12 cases; 2 closed (Machangping after 40 days, Yanjiao after 35: a median of
    // 37.5); four answered a proposal, three last accepted (Machangping, Niujiaotang No. 2,
    // Yanjiao) and one rejected (Xinzhai, escalated).
    assert_eq!(d["total"], 12);
    assert_eq!(d["closed"], 2);
    assert_eq!(d["median_days_to_resolve"], "37.5");
    assert_eq!((d["answered"].as_u64(), d["accepted"].as_u64()), (Some(4), Some(3)));
    assert_eq!(d["accepted_percent"], 75);
    assert_eq!(d["open"], 9, "escalated and closed are not open");
    assert_eq!(d["overdue"], 1, "the villager's dust complaint is overdue for acknowledgement");
    let text = d.to_string();
    for g in &all {
        assert!(!text.contains(&g.g.description));
    }
    // The staff's dashboard lists the cases, and the download has the people for them.
    let r = app.get(As::User("admin"), "/grievances?status=all&format=csv").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("罗国兰") && r.body.contains("GRV-"));
    // An owner's cover only his mines' cases.
    let r = app.get(As::User("owner"), "/api/v1/grievances?status=all").await;
    let daping = app.db.mine_choices().await.unwrap().into_iter().find(|m| m.name_en.starts_with("Daping")).unwrap().id;
    let rows = r.json();
    assert!(!rows.as_array().unwrap().is_empty());
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|g| g["mines"].as_array().unwrap().contains(&serde_json::json!(daping.to_string())))
    );
}

#[tokio::test]
async fn the_demo_has_a_dozen_cases_in_every_state() {
    let app = app(Backend::Sqlite).await;
    let all = app.db.grievance_summaries().await.unwrap();
    assert_eq!(all.len(), 12);
    let anon: Vec<_> = all.iter().filter(|s| s.g.anonymous).collect();
    assert_eq!(anon.len(), 2);
    assert!(anon.iter().all(|s| s.g.complainant_type == "villager"));
    assert_eq!(all.iter().filter(|s| s.status == Status::Escalated).count(), 1);
    for st in [
        Status::Received,
        Status::Acknowledged,
        Status::Investigated,
        Status::ResolutionProposed,
        Status::Accepted,
        Status::Closed,
    ] {
        assert!(all.iter().any(|s| s.status == st), "{st}");
    }
    let categories: std::collections::HashSet<&str> = all.iter().map(|s| s.g.category.as_str()).collect();
    assert!(categories.len() >= 8);
    let mut with_actions = 0;
    for s in &all {
        with_actions += usize::from(!app.db.actions_of(ActionSource::Grievance, s.g.id).await.unwrap().is_empty());
    }
    assert_eq!(with_actions, 1);
    // The overdue one reaches the president (more than a week late), in his language.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let dl = minecoop_domain::grievances::Deadlines::default();
    assert_eq!(app.db.escalate_overdue_grievances(today, &dl).await.unwrap(), 1);
    assert_eq!(app.db.escalate_overdue_grievances(today, &dl).await.unwrap(), 0, "once");
    let president = app.db.user_by_name("president").await.unwrap();
    let alerts = app.db.alerts_for(president.id, 10).await.unwrap();
    let a = alerts.iter().find(|a| a.kind == "grievance_overdue_president").expect("the president is alerted");
    let args: Vec<(String, String)> = serde_json::from_str(&a.args).unwrap();
    let text = minecoop_web::alerts::alert_text(minecoop_web::i18n::Lang::Zh, &a.message, &args);
    let late = all.iter().find(|s| s.g.category == "dust_noise").unwrap();
    assert!(text.contains(&late.g.ref_no) && text.contains("“已收到”"), "{text}");
    assert!(!text.contains("矿车"), "no text of the case in an alert");
    assert_eq!(a.link, format!("/grievances/{}", late.g.id));
    // The demo code opens the first (Daping's) case.
    let case = app.db.grievance_by_code("GRV6-DEM0-2026").await.unwrap().unwrap();
    assert_eq!(case.g.category, "water");
    // The action links back to its grievance, and the grievance page lists it.
    let safety = all.iter().find(|s| s.g.category == "safety").unwrap();
    let r = app.get(As::User("officer"), &format!("/grievances/{}", safety.g.id)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("CA-"));
    let r = app.get(As::User("officer"), "/safety/actions").await;
    assert!(r.body.contains(&format!("/grievances/{}", safety.g.id)));
}

// ---- the phone ------------------------------------------------------------------------------

async fn text(c: &Client, css: &str) -> String {
    let e = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap();
    e.text().await.unwrap()
}

async fn click(c: &Client, css: &str) {
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

async fn follow(c: &Client, server: &crate::support::Server, code: &str) {
    c.goto(&server.url("/grievance/track")).await.unwrap();
    let f = c.wait().for_element(Locator::Id("f-code")).await.unwrap();
    f.clear().await.unwrap();
    f.send_keys(code).await.unwrap();
    click(c, "#track-submit").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("case-status")).await.unwrap();
}

#[tokio::test]
async fn a_villager_on_a_phone_complains_anonymously_and_sees_the_acknowledgement() {
    let server = spawn_server().await;
    let phone = Browser::start("zh-CN").await;
    let c = &phone.client;
    c.set_window_size(360, 640).await.unwrap();
    c.goto(&server.url("/")).await.unwrap();
    click(c, "#grievance-link a[href='/grievance']").await;
    assert_eq!(text(c, "h1").await, "我要投诉");
    // Large enough to tap.
    let r = c.find(Locator::Css("label.opt")).await.unwrap().rectangle().await.unwrap();
    assert!(r.3 >= 44.0, "a choice is at least 44 px high ({})", r.3);
    let width: f64 = c.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap().as_f64().unwrap();
    assert!(width <= 360.0, "nothing wider than the phone ({width})");
    click(c, "#category-water").await;
    click(c, "#type-villager").await;
    click(c, "#mine-unknown").await;
    c.find(Locator::Id("f-description")).await.unwrap().send_keys("村里的井水变浑了，有铁锈味。").await.unwrap();
    c.find(Locator::Id("f-place")).await.unwrap().send_keys("下寨").await.unwrap();
    click(c, "#anonymous-yes").await;
    phone.screenshot("grievance-phone-form").await;
    click(c, "#submit-grievance").await;
    let code = text(c, "#tracking-code").await;
    assert_eq!(code.len(), 14, "{code}");
    assert!(text(c, "main").await.contains("请马上把查询码抄下来"));
    phone.screenshot("grievance-phone-code").await;

    follow(c, &server, &code).await;
    assert_eq!(text(c, "#case-status").await, "已收到");
    let ack_before = c.find(Locator::Css("#steps li[data-kind='acknowledged']")).await;
    assert!(ack_before.is_err());

    // Staff, logged in elsewhere, acknowledge it.
    let staff = Browser::start("zh-CN").await;
    let s = &staff.client;
    s.goto(&server.url("/login")).await.unwrap();
    s.find(Locator::Id("username")).await.unwrap().send_keys("inspector").await.unwrap();
    s.find(Locator::Id("password")).await.unwrap().send_keys("inspector-demo-2026").await.unwrap();
    click(s, "#login-submit").await;
    s.wait().for_element(Locator::Id("logout")).await.unwrap();
    s.goto(&server.url("/grievances")).await.unwrap();
    let g = server
        .db
        .grievance_summaries()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.g.description.contains("铁锈味"))
        .unwrap();
    assert!(g.g.anonymous && g.g.complainant_name.is_none());
    // Sent over a real connection from 127.0.0.1: the address is nowhere in what was kept.
    let trail = server.db.history("grievance", &g.g.id.to_string()).await.unwrap();
    assert!(trail.iter().all(|r| r.actor == "public" && !r.after.contains("127.0.0.1")));
    let case = server.db.grievance_case(g.g.id).await.unwrap();
    assert!(case.steps.iter().all(|s| s.by == "public"));
    click(s, &format!("a[href='/grievances/{}']", g.g.id)).await;
    assert_eq!(text(s, "#case-status").await, "已收到");
    s.find(Locator::Css("#f-status")).await.unwrap().select_by_value("acknowledged").await.unwrap();
    s.find(Locator::Id("f-note")).await.unwrap().send_keys("已受理，一周内到下寨查看。").await.unwrap();
    click(s, "#step-submit").await;
    s.wait().for_element(Locator::Css("#case-status[data-status='acknowledged']")).await.unwrap();
    staff.close().await;

    // The villager looks again with the code: acknowledged, with the date.
    follow(c, &server, &code).await;
    assert_eq!(text(c, "#case-status").await, "已受理");
    let step = text(c, "#steps li[data-kind='acknowledged']").await;
    let today = (chrono::Utc::now()).date_naive().format("%Y-%m-%d").to_string();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive().format("%Y-%m-%d").to_string();
    assert!(step.contains("已受理") && (step.contains(&today) || step.contains(&yesterday)), "{step}");
    assert!(step.contains("一周内到下寨查看"));
    phone.screenshot("grievance-phone-acknowledged").await;
    phone.close().await;
}
