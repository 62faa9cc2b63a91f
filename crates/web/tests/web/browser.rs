//! The real server in headless Chromium: what a person does, click by click.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::support::{Browser, Server, spawn_server};

async fn login(c: &Client, server: &Server, user: &str, password: &str) {
    c.goto(&server.url("/login")).await.unwrap();
    c.find(Locator::Id("username")).await.unwrap().send_keys(user).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("login-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("logout")).await.expect("logged in");
}

/// The text of the first element matching `css`, waiting for it. A page that is still being
/// replaced (after a click that navigates) can swap the element out between finding and reading
/// it; then it is found again.
async fn text(c: &Client, css: &str) -> String {
    let mut tries = 0;
    loop {
        let e = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap();
        match e.text().await {
            Ok(t) => return t,
            Err(fantoccini::error::CmdError::Standard(w))
                if w.error == fantoccini::error::ErrorStatus::StaleElementReference && tries < 20 =>
            {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("reading {css}: {e}"),
        }
    }
}

async fn fill(c: &Client, id: &str, value: &str) {
    let e = c.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

#[tokio::test]
async fn log_in_switch_language_create_a_mine_fix_an_error_find_it_and_log_out() {
    let server = spawn_server().await;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "admin", "admin-demo-2026").await;
    // The main menu's groups; a section's pages show under it once inside.
    assert_eq!(text(c, "nav.site-nav a[href='/members']").await, "Register");

    // To Chinese and back.
    c.find(Locator::Id("lang-zh")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//nav//a[text()='名册']")).await.expect("Chinese menu");
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//nav//a[text()='Register']")).await.expect("English menu");

    // Create a mine in Chinese with a latitude out of range.
    c.find(Locator::Id("lang-zh")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//nav//a[text()='名册']")).await.unwrap();
    c.goto(&server.url("/mines/new")).await.unwrap();
    assert_eq!(text(c, "nav.sub-nav a[href='/mines']").await, "矿山");
    c.find(Locator::Css("#f-member_id")).await.unwrap().select_by_label("都匀市大坪锌矿").await.unwrap();
    fill(c, "f-name_zh", "大坪二号矿").await;
    fill(c, "f-name_en", "Daping No. 2 Mine").await;
    fill(c, "f-latitude", "95.1").await;
    fill(c, "f-longitude", "107.4791").await;
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    assert_eq!(text(c, "#e-latitude").await, "纬度应在 -90 到 90 之间。");
    b.screenshot("mine-form-error-zh").await;
    // What was typed is still there; fix the one field.
    let name = c.find(Locator::Id("f-name_zh")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(name.as_deref(), Some("大坪二号矿"));
    fill(c, "f-latitude", "26.2329").await;
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//h1[contains(., '大坪二号矿')]")).await.expect("detail page of the new mine");
    assert!(c.find(Locator::Css("table.audit")).await.unwrap().text().await.unwrap().contains("Daping No. 2 Mine"));

    // Back to English; the mine is in the list.
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//nav//a[text()='Mines']")).await.unwrap();
    c.goto(&server.url("/mines?q=Daping")).await.unwrap();
    let rows = text(c, "#results table").await;
    assert!(rows.contains("大坪二号矿") && rows.contains("Daping No. 2 Mine") && rows.contains("operating"), "{rows}");
    b.screenshot("mines-list-en").await;

    c.find(Locator::Id("logout")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("login-submit")).await.expect("back at the login page");
    c.goto(&server.url("/mines")).await.unwrap();
    c.wait().for_element(Locator::Id("login-submit")).await.expect("logged out: the list needs a login again");
    b.close().await;
}

#[tokio::test]
async fn search_filters_the_list_as_you_type() {
    let server = spawn_server().await;
    let b = Browser::start("zh-CN").await;
    let c = &b.client;
    login(c, &server, "president", "president-demo-2026").await;
    c.goto(&server.url("/mines")).await.unwrap();
    assert!(text(c, "#results").await.contains("老寨锌矿"));
    c.find(Locator::Id("q")).await.unwrap().send_keys("牛角塘").await.unwrap();
    // No submit: htmx (served by the binary) swaps the results in.
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//div[@id='results'][not(contains(., '老寨锌矿'))]"))
        .await
        .expect("results filtered without a page submit");
    let results = text(c, "#results").await;
    assert!(results.contains("牛角塘一号矿") && results.contains("共 3 条"), "{results}");
    assert!(
        c.current_url().await.unwrap().as_str().contains("q="),
        "the filter is in the address, so it can be shared"
    );
    b.close().await;
}

/// Every page of the foundation, opened as the roles that use it: each renders its heading,
/// none shows an error page. Screenshots land in target/screenshots.
#[tokio::test]
async fn every_page_opens_in_the_browser() {
    let server = spawn_server().await;
    let member = server.db.user_by_name("owner").await.unwrap().member_id.unwrap();
    let mine = server.db.mines_of_member(member).await.unwrap().remove(0).id;
    let person = server
        .db
        .people(&minecoop_store::registry::ListQuery { page: 1, per_page: 1, ..Default::default() })
        .await
        .unwrap()
        .items
        .remove(0)
        .id;
    let case = server.db.disputes().await.unwrap()[0].id;
    let licence = server.db.current_licences().await.unwrap()[0].licence_id;
    let officer_mine = server.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let policy = server.db.policies(&[officer_mine]).await.unwrap()[0].policy_id;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    // The public pages first.
    for path in ["/", "/login", "/api/docs"] {
        c.goto(&server.url(path)).await.unwrap();
        assert!(!text(c, "h1").await.is_empty(), "{path}");
    }
    let pages = [
        (
            "admin",
            vec![
                "/".to_owned(),
                "/members".into(),
                "/members/new".into(),
                format!("/members/{member}"),
                format!("/members/{member}/edit"),
                "/mines".into(),
                "/mines/new".into(),
                format!("/mines/{mine}"),
                format!("/mines/{mine}/edit"),
                "/people".into(),
                "/people/new".into(),
                format!("/people/{person}"),
                format!("/people/{person}/edit"),
                "/audit".into(),
                "/admin/users".into(),
                "/account".into(),
                "/api/docs".into(),
                "/licences".into(),
                "/licences/new".into(),
                "/map".into(),
                format!("/licences/{licence}"),
                format!("/licences/{licence}/renew"),
                "/disputes".into(),
                "/disputes/new".into(),
                format!("/disputes/{case}"),
                "/notifications".into(),
                "/production".into(),
                "/production/year".into(),
                "/production/new".into(),
                "/production/import".into(),
                "/workers/import".into(),
                "/insurance/import".into(),
                "/samples".into(),
                "/samples/new".into(),
                "/reports/grades?year=2005".into(),
                "/reports/targets".into(),
                "/safety".into(),
                "/safety/incidents".into(),
                "/safety/incidents/new".into(),
                "/safety/actions?all=1".into(),
                "/safety/explosives".into(),
                format!("/safety/explosives/{mine}"),
                "/safety/blasters".into(),
                "/safety/calculators".into(),
                "/safety/calculators?calc=classify&deaths=3&serious_injuries=0&loss=0#classify".into(),
                "/inspections".into(),
                "/inspections/new".into(),
                "/inspections/schedules/new".into(),
                "/inspections/templates".into(),
                format!("/inspections/templates/{}", minecoop_domain::safety::inspection::DEFAULT_TEMPLATE_ID),
                "/findings".into(),
                "/hazards".into(),
                "/hazards/new".into(),
                "/calculators".into(),
                "/calculators?calc=recovery&reported=91.25&rfeed=3.48&rtail=0.28#recovery".into(),
            ],
        ),
        (
            "officer",
            vec![
                "/".into(),
                "/mines".into(),
                format!("/mines/{mine}"),
                "/members".into(),
                "/account".into(),
                "/licences".into(),
                "/disputes".into(),
                format!("/disputes/{case}"),
                "/notifications".into(),
                "/production".into(),
                "/production/new".into(),
                "/production/year".into(),
                "/safety".into(),
                "/safety/incidents/new".into(),
                "/inspections".into(),
                "/hazards".into(),
                "/findings".into(),
                "/claims".into(),
                "/claims/new".into(),
                "/insurance".into(),
                format!("/insurance/{policy}"),
                format!("/insurance/{policy}/edit"),
                "/insurance/coverage".into(),
            ],
        ),
        (
            "bureau",
            vec![
                "/members".into(),
                "/audit".into(),
                "/production/year".into(),
                "/safety".into(),
                "/insurance/coverage".into(),
            ],
        ),
    ];
    for (user, paths) in pages {
        login(c, &server, user, &format!("{user}-demo-2026")).await;
        for path in paths {
            c.goto(&server.url(&path)).await.unwrap();
            let h1 = text(c, "h1").await;
            assert!(!h1.is_empty(), "{user} {path}: no heading");
            assert!(c.find(Locator::Css(".error-page")).await.is_err(), "{user} {path}: error page ({h1})");
            // The title is text, and no id is given twice (a template that repeats a section).
            let title = c.title().await.unwrap();
            assert!(!title.is_empty() && !title.contains('<'), "{user} {path}: title {title:?}");
            let twice = c
                .execute(
                    "const seen = new Set(); const twice = [];\n\
                     for (const e of document.querySelectorAll('[id]')) { if (seen.has(e.id)) twice.push(e.id); seen.add(e.id); }\n\
                     return twice;",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(twice, serde_json::json!([]), "{user} {path}: ids given twice");
            let name = format!(
                "{user}{}",
                path.split('/')
                    .map(|s| if uuid::Uuid::parse_str(s).is_ok() { "id" } else { s })
                    .collect::<Vec<_>>()
                    .join("_")
            );
            b.screenshot(&name).await;
        }
        c.find(Locator::Id("logout")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("login-submit")).await.unwrap();
    }
    b.close().await;
}

/// On a phone the page fits the screen: nothing wider than the viewport but the tables, which
/// scroll inside their own box.
#[tokio::test]
async fn pages_fit_a_phone_screen() {
    let server = spawn_server().await;
    let b = Browser::start("zh-CN").await;
    let c = &b.client;
    c.set_window_size(390, 844).await.unwrap();
    login(c, &server, "owner", "owner-demo-2026").await;
    for path in ["/", "/members", "/mines", "/mines/new"] {
        c.goto(&server.url(path)).await.unwrap();
        text(c, "h1").await;
        let overflow = c
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
            .await
            .unwrap();
        assert!(overflow.as_i64().unwrap_or(999) <= 1, "{path} is wider than the phone: {overflow}");
        b.screenshot(&format!("phone{}", path.replace('/', "_"))).await;
    }
    b.close().await;
}

/// Draw a lease that overlaps a neighbour: the live check shows the overlap while typing, and
/// saving needs the acknowledgement, which the licence then records.
#[tokio::test]
async fn drawing_an_overlapping_lease_warns_and_needs_an_acknowledgement() {
    let server = spawn_server().await;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "president", "president-demo-2026").await;
    c.goto(&server.url("/licences/new")).await.unwrap();
    c.find(Locator::Css("#f-mine_id")).await.unwrap().select_by_label("大坪锌矿").await.unwrap();
    fill(c, "f-licence_no", "C5200002026110100000001").await;
    fill(c, "f-holder", "都匀市大坪锌矿").await;
    fill(c, "f-mine_name", "大坪锌矿北延").await;
    fill(c, "f-scale", "1").await;
    fill(c, "f-stated_area_km2", "0.1000").await;
    // Date inputs take typed keys in the browser's locale order; set their values directly.
    c.execute("document.getElementById('f-valid_from').value = '2026-11-01'; document.getElementById('f-valid_to').value = '2031-10-31';", vec![])
        .await
        .unwrap();
    fill(c, "f-elevation_top_m", "1250").await;
    fill(c, "f-elevation_bottom_m", "900").await;
    fill(c, "f-issuing_office", "黔南州自然资源局").await;
    c.find(Locator::Css("#f-corner_crs")).await.unwrap().select_by_value("EPSG:4490").await.unwrap();
    // Reaches into the north-east corner of Daping's licence.
    fill(c, "f-corners", "1, 26.2330, 107.4800\n2, 26.2330, 107.4830\n3, 26.2360, 107.4830\n4, 26.2360, 107.4800")
        .await;
    let warning = text(c, "#overlap-warning").await;
    assert!(warning.contains("C5200002011"), "the live check names the neighbour: {warning}");
    assert!(c.find(Locator::Css("#preview svg.lease-map path.overlap")).await.is_ok(), "the overlap is on the map");
    b.screenshot("licence-live-overlap").await;

    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    let ack_box = text(c, "#ack-box").await;
    assert!(ack_box.contains("m²"), "{ack_box}");
    c.find(Locator::Id("ack")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//h1[contains(., '大坪锌矿北延')]")).await.expect("saved");
    let versions = c.source().await.unwrap();
    assert!(versions.contains("C5200002011"), "the acknowledged overlap is recorded with the version");
    assert!(c.find(Locator::Css("#overlaps")).await.is_ok(), "the findings list the overlap");
    b.screenshot("licence-saved").await;
    c.goto(&server.url("/map?paper=a3")).await.unwrap();
    assert!(c.find(Locator::Css("#map svg path.overlap")).await.is_ok());
    b.screenshot("map").await;
    let pdf = b.pdf("map-a3").await;
    assert!(pdf.starts_with(b"%PDF"), "the map prints");
    b.close().await;
}

/// A corner table chosen as a file fills the boundary box for review: the area and the map
/// appear, nothing is saved until the user does.
#[tokio::test]
async fn a_corner_table_file_fills_the_licence_form() {
    let server = spawn_server().await;
    let b = Browser::start("zh-CN").await;
    let c = &b.client;
    login(c, &server, "president", "president-demo-2026").await;
    c.goto(&server.url("/licences/new")).await.unwrap();
    fill(c, "f-mine_name", "大坪锌矿东区").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("拐点坐标.csv");
    std::fs::write(
        &path,
        "点号,X,Y\n1,2905728.84,36452049.43\n2,2905728.84,36453049.43\n3,2906728.84,36453049.43\n4,2906728.84,36452049.43\n",
    )
    .unwrap();
    c.find(Locator::Id("f-corners_file")).await.unwrap().send_keys(path.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("read-file")).await.unwrap().click().await.unwrap();
    let notice = text(c, ".notice[role=status]").await;
    assert!(notice.contains("已从 拐点坐标.csv 读取 4 行拐点（跳过 1 行表头或说明）"), "{notice}");
    let corners = c.find(Locator::Id("f-corners")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
    assert!(corners.starts_with("1, 2905728.84, 36452049.43"), "{corners}");
    let mine_name = c.find(Locator::Id("f-mine_name")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(mine_name.as_deref(), Some("大坪锌矿东区"), "the other fields keep what was typed");
    // The live check runs on the corners read: the REFERENCE.md square is 0.999944 km2.
    let preview = text(c, "#preview-area").await;
    assert!(preview.contains("0.9999"), "{preview}");
    b.screenshot("licence-file-read").await;
    b.close().await;
}

/// A safety officer records his mine's day on the form, finds it in the month with its totals,
/// and corrects it with a reason; the day keeps both versions.
#[tokio::test]
async fn an_officer_records_a_day_of_production_and_corrects_it() {
    let server = spawn_server().await;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "officer", "officer-demo-2026").await;
    c.goto(&server.url("/production/new")).await.unwrap();
    c.execute("document.getElementById('f-day').value = '2026-11-20';", vec![]).await.unwrap();
    for (id, value) in [
        ("f-ore_milled_t", "300"),
        ("f-feed_grades.zn", "3.48"),
        ("f-concentrates.0.name", "Zn concentrate"),
        ("f-concentrates.0.wet_t", "19.264"),
        ("f-concentrates.0.grades.zn", "50"),
        ("f-tailings_t", "280.74"),
        ("f-tailings_grades.zn", "0.28"),
        ("f-hours_worked", "960"),
    ] {
        fill(c, id, value).await;
    }
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    // Tailings without their facility: the field says so and keeps the values.
    let err = text(c, "#e-tailings_facility").await;
    assert!(err.contains("where the tailings went"), "{err}");
    let milled = c.find(Locator::Id("f-ore_milled_t")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(milled.as_deref(), Some("300"));
    fill(c, "f-tailings_facility", "Niujiaotang No. 1").await;
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("versions")).await.expect("saved");
    c.goto(&server.url("/production?month=2026-11")).await.unwrap();
    let table = text(c, "#month-table").await;
    assert!(table.contains("2026-11-20") && table.contains("300.0") && table.contains("3.48"), "{table}");
    b.screenshot("production-month").await;
    c.find(Locator::LinkText("2026-11-20")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("correct")).await.unwrap().click().await.unwrap();
    fill(c, "f-ore_milled_t", "310").await;
    fill(c, "f-reason", "weighbridge re-read").await;
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    let versions = text(c, ".versions").await;
    assert!(versions.contains("v2") && versions.contains("weighbridge re-read"), "{versions}");
    b.screenshot("production-day").await;
    c.goto(&server.url("/production/year?year=2026")).await.unwrap();
    let year = text(c, "#year-table").await;
    assert!(year.contains("310.0"), "the year counts the corrected version only: {year}");
    b.close().await;
}

/// An inspector registers a feed sample, prints its label, follows it to the laboratory and
/// records a result below the detection limit, which stays "< DL".
#[tokio::test]
async fn a_sample_is_registered_labelled_followed_and_assayed() {
    let server = spawn_server().await;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "inspector", "inspector-demo-2026").await;
    c.goto(&server.url("/samples/new")).await.unwrap();
    c.find(Locator::Css("#f-kind")).await.unwrap().select_by_value("tailing").await.unwrap();
    fill(c, "f-point", "tailings spigot 2").await;
    c.execute("document.getElementById('f-taken_at').value = '2026-11-20T09:30';", vec![]).await.unwrap();
    c.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
    let code = text(c, "h1").await;
    assert!(code.starts_with("S2026-"), "{code}");
    c.find(Locator::Id("label-link")).await.unwrap().click().await.unwrap();
    assert!(c.find(Locator::Css("#label .qr svg")).await.is_ok(), "the label carries a QR code");
    assert!(text(c, "#label .code").await.contains(&code));
    b.screenshot("sample-label").await;
    let pdf = b.pdf("sample-label").await;
    assert!(pdf.starts_with(b"%PDF"), "the label prints");
    c.back().await.unwrap();
    for (when, who) in [("2026-11-20T11:00", "王师傅"), ("2026-11-21T08:00", "化验室 李")] {
        c.execute(&format!("document.getElementById('f-at').value = '{when}';"), vec![]).await.unwrap();
        fill(c, "f-by_name", who).await;
        c.find(Locator::Id("save-step")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Id("custody")).await.unwrap();
    }
    let custody = text(c, "#custody").await;
    assert!(custody.contains("Dispatched") && custody.contains("Received by the laboratory"), "{custody}");
    c.find(Locator::Css("#f-element")).await.unwrap().select_by_value("zn").await.unwrap();
    fill(c, "f-value", "<0.01").await;
    fill(c, "f-method", "AAS").await;
    fill(c, "f-lab", "都匀化验室").await;
    c.find(Locator::Id("save-assay")).await.unwrap().click().await.unwrap();
    let results = text(c, "#assays").await;
    assert!(results.contains("< 0.01"), "below the limit it is '< DL', never 0: {results}");
    b.screenshot("sample").await;
    b.close().await;
}

/// The laboratory's XLSX with one bad row: the check names the row and column, nothing is
/// written; the fixed sheet imports.
#[tokio::test]
async fn a_laboratory_sheet_with_a_bad_row_is_named_fixed_and_imported() {
    use minecoop_domain::production::sample::{CustodyStep, SampleDraft, SampleInput, parse_local_time};
    let server = spawn_server().await;
    let actor = minecoop_store::Actor::system("test");
    let mine = server.db.mine_choices().await.unwrap().remove(0).id;
    let mut codes = Vec::new();
    for hour in ["09", "10"] {
        let i = SampleInput {
            mine_id: mine.to_string(),
            kind: "feed".into(),
            point: "mill feed".into(),
            taken_at: format!("2005-03-01T{hour}:00"),
            taken_by: "张工".into(),
            ..Default::default()
        };
        let d = SampleDraft::parse(&i, parse_local_time("2026-01-01T00:00").unwrap()).unwrap();
        let smp = server.db.register_sample(&actor, &d).await.unwrap();
        for (step, at) in [(CustodyStep::Dispatched, "2005-03-01T12:00"), (CustodyStep::Received, "2005-03-02T08:00")] {
            server.db.add_custody_step(&actor, smp.id, step, parse_local_time(at).unwrap(), "李", None).await.unwrap();
        }
        codes.push(smp.code);
    }
    let dir = tempfile::tempdir().unwrap();
    let sheet = |name: &str, second: &str| {
        let bytes = crate::support::xlsx(&[
            &["样品编号", "批次", "方法", "Zn", "Pb"],
            &[&codes[0], "B7", "AAS", "3.48", "<0.01"],
            &[&codes[1], "B7", "AAS", second, "0.9"],
        ]);
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let bad = sheet("化验结果.xlsx", "3,4 8");
    let good = sheet("化验结果-改.xlsx", "3.48");
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "inspector", "inspector-demo-2026").await;
    c.goto(&server.url("/samples/import")).await.unwrap();
    assert!(c.find(Locator::Id("import-progress")).await.is_ok(), "the upload has a progress bar");
    c.find(Locator::Id("f-file")).await.unwrap().send_keys(bad.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("check")).await.unwrap().click().await.unwrap();
    let problems = text(c, "#problems").await;
    assert!(problems.contains('3') && problems.contains("Zn") && problems.contains("Not a number."), "{problems}");
    b.screenshot("assay-import-problems").await;
    let none = server.db.sample_by_code(&codes[0]).await.unwrap().unwrap();
    assert!(server.db.sample_record(none.id).await.unwrap().assays.is_empty(), "a sheet with a bad row writes nothing");
    c.find(Locator::Id("f-file")).await.unwrap().send_keys(good.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("import")).await.unwrap().click().await.unwrap();
    let summary = text(c, "#import-summary").await;
    assert!(summary.contains("Imported") && summary.contains("4 results added"), "{summary}");
    let rec = server.db.sample_record(none.id).await.unwrap();
    assert_eq!(rec.assays.len(), 2);
    b.close().await;
}

/// The president sets a co-op target on the form (a wrong value first), reads the year's report
/// with its charts and the target missed, and prints it.
#[tokio::test]
async fn the_president_sets_a_target_and_prints_the_report() {
    let server = spawn_server().await;
    minecoop_store::demo::load_history(&server.db).await.unwrap();
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "president", "president-demo-2026").await;
    c.goto(&server.url("/reports/targets?year=2005")).await.unwrap();
    c.find(Locator::Css("#f-figure option[value='tailing_grade']")).await.unwrap().click().await.unwrap();
    fill(c, "f-value", "0,25").await;
    c.find(Locator::Id("save-target")).await.unwrap().click().await.unwrap();
    let e = text(c, "#e-value").await;
    assert_eq!(e, "Not a number.");
    fill(c, "f-value", "0.25").await;
    c.find(Locator::Id("save-target")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("target-list")).await.expect("saved");
    assert!(text(c, "#target-list").await.contains("0.25 %"));
    c.goto(&server.url("/reports/grades?year=2005")).await.unwrap();
    let row = text(c, "#targets tr.standing-missed").await;
    assert!(row.contains("0.28 %") && row.contains("0.25 %"), "{row}");
    let charts = c.find_all(Locator::Css("figure.chart svg")).await.unwrap();
    assert_eq!(charts.len(), 2);
    let (_, _, w, h) = charts[0].rectangle().await.unwrap();
    assert!(w > 200.0 && h > 80.0, "the chart is drawn at a readable size: {w} x {h}");
    b.screenshot("grade-report-2005").await;
    let pdf = b.pdf("grade-report-2005").await;
    assert!(pdf.starts_with(b"%PDF"), "the report prints");
    b.close().await;
}

/// A batch whose reference material failed is on the inspector's dashboard; he opens it, sees
/// the failed check, rejects it with a reason, and it leaves the dashboard.
#[tokio::test]
async fn an_inspector_decides_a_failed_batch_from_the_dashboard() {
    use minecoop_domain::production::qc::{MaterialDraft, MaterialInput};
    use minecoop_domain::production::sample::{
        AssayDraft, AssayInput, CustodyStep, SampleDraft, SampleInput, parse_local_time,
    };
    let server = spawn_server().await;
    let actor = minecoop_store::Actor::system("test");
    let el = minecoop_domain::production::default_elements();
    let m = MaterialInput {
        name: "GBW07165".into(),
        element: "zn".into(),
        accepted: "3.00".into(),
        sd: "0.05".into(),
        certificate: String::new(),
    };
    server.db.add_reference_material(&actor, &MaterialDraft::parse(&m, &el).unwrap()).await.unwrap();
    let i = SampleInput {
        mine_id: server.db.mine_choices().await.unwrap().remove(0).id.to_string(),
        kind: "feed".into(),
        point: "laboratory".into(),
        taken_at: "2026-03-01T09:00".into(),
        taken_by: "张工".into(),
        qc_role: "crm".into(),
        reference: "GBW07165".into(),
        ..Default::default()
    };
    let d = SampleDraft::parse(&i, parse_local_time("2026-11-01T00:00").unwrap()).unwrap();
    let smp = server.db.register_sample(&actor, &d).await.unwrap();
    let t = parse_local_time("2026-03-01T12:00").unwrap();
    for step in [CustodyStep::Dispatched, CustodyStep::Received] {
        server.db.add_custody_step(&actor, smp.id, step, t, "李", None).await.unwrap();
    }
    let a =
        AssayInput { element: "zn".into(), value: "2.70".into(), method: "AAS".into(), detection_limit: String::new() };
    server
        .db
        .record_assays(&actor, smp.id, "都匀化验室", "B-0301", &[AssayDraft::parse(&a, &el).unwrap()], None)
        .await
        .unwrap();

    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "inspector", "inspector-demo-2026").await;
    c.goto(&server.url("/")).await.unwrap();
    let awaiting = text(c, "#qc-awaiting").await;
    assert!(awaiting.contains("B-0301") && awaiting.contains("More than 3 sd"), "{awaiting}");
    c.find(Locator::Css("#qc-awaiting a")).await.unwrap().click().await.unwrap();
    let checks = text(c, "#qc-checks").await;
    assert!(checks.contains(&smp.code) && checks.contains("-6 sd"), "{checks}");
    c.find(Locator::Css("#f-decision")).await.unwrap().select_by_value("rejected").await.unwrap();
    c.find(Locator::Id("decide")).await.unwrap().click().await.unwrap();
    assert!(text(c, "#e-reason").await.contains("Required"), "a decision needs its reason");
    fill(c, "f-reason", "CRM reads low: the whole batch is re-assayed").await;
    c.find(Locator::Id("decide")).await.unwrap().click().await.unwrap();
    let decisions = text(c, "#decisions").await;
    assert!(decisions.contains("Rejected") && decisions.contains("re-assayed"), "{decisions}");
    b.screenshot("qc-batch").await;
    c.goto(&server.url("/")).await.unwrap();
    assert!(c.find(Locator::Id("qc-awaiting")).await.is_err(), "decided: off the dashboard");
    b.close().await;
}

/// The test: a safety officer records an accident with two deaths (a general accident,
/// investigated by the county), then corrects it to three: the class, the investigating level
/// and the upward report's deadline change. A correction without a reason is refused on its
/// field. Then the immediate containment is raised on the incident.
#[tokio::test]
async fn an_incident_with_two_deaths_then_three_changes_class_investigator_and_deadlines() {
    let server = spawn_server().await;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "officer", "officer-demo-2026").await;
    let unread = bell(c).await;
    c.goto(&server.url("/safety/incidents/new")).await.unwrap();
    c.find(Locator::Css("#f-kind")).await.unwrap().select_by_value("fatality").await.unwrap();
    fill(c, "f-location", "Level 2, stope 4").await;
    fill(c, "f-description", "Fall of ground at the face").await;
    fill(c, "f-deaths", "2").await;
    c.find(Locator::Id("save-incident")).await.unwrap().click().await.unwrap();
    assert_eq!(text(c, "#class").await, "General accident");
    assert_eq!(bell(c).await, unread, "a general accident alerts nobody");
    assert_eq!(text(c, "#investigator").await, "The county government");
    let upward = text(c, "#clock-upward_report").await;
    assert!(upward.contains("the city's safety regulator"), "{upward}");
    b.screenshot("incident_two_deaths").await;

    c.find(Locator::Id("edit-incident")).await.unwrap().click().await.unwrap();
    fill(c, "f-deaths", "3").await;
    c.find(Locator::Id("save-incident")).await.unwrap().click().await.unwrap();
    assert!(!text(c, "#e-reason").await.is_empty(), "a correction needs its reason");
    fill(c, "f-reason", "A third miner died in hospital").await;
    c.find(Locator::Id("save-incident")).await.unwrap().click().await.unwrap();
    assert_eq!(text(c, "#class").await, "Relatively large accident");
    assert_eq!(text(c, "#investigator").await, "The city government");
    let upward3 = text(c, "#clock-upward_report").await;
    assert!(upward3.contains("the province's safety regulator"), "{upward3}");
    let due = |row: &str| row.split_whitespace().rfind(|w| w.contains(':') && w.len() == 5).map(str::to_owned);
    assert_ne!(due(&upward), due(&upward3), "the upward report is due later: {upward} / {upward3}");
    assert!(text(c, "#versions").await.contains("A third miner died in hospital"));
    assert_eq!(bell(c).await, unread + 1, "relatively large: the mine's safety officer is alerted at once");
    b.screenshot("incident_three_deaths").await;

    // Corrective before containment is refused; the containment is raised.
    c.find(Locator::Css("#f-kind")).await.unwrap().select_by_value("corrective").await.unwrap();
    fill(c, "f-description", "Bar down and close the stope").await;
    c.find(Locator::Css("#f-owner")).await.unwrap().select_by_value("inspector").await.unwrap();
    c.find(Locator::Id("raise-action")).await.unwrap().click().await.unwrap();
    assert!(!text(c, "#e-kind").await.is_empty(), "containment comes first");
    c.find(Locator::Css("#f-kind")).await.unwrap().select_by_value("containment").await.unwrap();
    c.find(Locator::Id("raise-action")).await.unwrap().click().await.unwrap();
    assert!(text(c, "table.actions-table").await.contains("Immediate containment"));

    // The bell opens the alerts; marking them read empties it.
    c.find(Locator::Id("alerts-bell")).await.unwrap().click().await.unwrap();
    let first = text(c, "#alerts li.unread").await;
    assert!(first.contains("Relatively large accident, 3 dead"), "{first}");
    c.find(Locator::Id("alerts-read")).await.unwrap().click().await.unwrap();
    assert!(bell_shows(c, 0).await, "marked read: the bell is empty");
    assert!(c.find(Locator::Css("#alerts li.unread")).await.is_err());
    b.close().await;
}

/// The unread count on the bell (0 when it shows none). A page being replaced can swap the
/// bell out between finding and reading it; then it is read again.
async fn bell(c: &Client) -> u64 {
    for _ in 0..20 {
        match c.find(Locator::Id("alerts-count")).await {
            Ok(e) => match e.text().await {
                Ok(t) => return t.trim().parse().unwrap(),
                Err(fantoccini::error::CmdError::Standard(w))
                    if w.error == fantoccini::error::ErrorStatus::StaleElementReference =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("reading the bell: {e}"),
            },
            Err(_) => return 0,
        }
    }
    panic!("the bell kept being replaced")
}

/// Wait (up to ten seconds) for the bell to show `n`: after a click that posts a form and
/// reloads, the old page's bell can still be there for a moment.
async fn bell_shows(c: &Client, n: u64) -> bool {
    for _ in 0..100 {
        if bell(c).await == n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// On a phone, the safety officer does his mine's scheduled inspection: every item passes but
/// the O2 reading at the face; the page he lands on shows the score and the finding.
#[tokio::test]
async fn an_officer_fills_in_an_inspection_on_a_phone() {
    use minecoop_domain::safety::inspection::{QuestionKind, default_template};
    let server = spawn_server().await;
    let b = Browser::start("en-US").await;
    let c = &b.client;
    c.set_window_size(390, 844).await.unwrap();
    login(c, &server, "officer", "officer-demo-2026").await;
    c.goto(&server.url("/inspections")).await.unwrap();
    c.find(Locator::Css("#schedules a[href^='/inspections/new?schedule=']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("checklist")).await.expect("the checklist");
    let overflow = c
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
        .await
        .unwrap();
    assert!(overflow.as_i64().unwrap_or(999) <= 1, "the checklist is wider than the phone: {overflow}");
    for radio in c.find_all(Locator::Css("input[type='radio'][value='yes']")).await.unwrap() {
        radio.click().await.unwrap();
    }
    for q in default_template().questions().filter(|q| q.kind == QuestionKind::Number && q.key != "vent-o2") {
        c.find(Locator::Id(&format!("x-{}", q.key))).await.unwrap().click().await.unwrap();
    }
    fill(c, "a-vent-o2", "18.2").await;
    c.find(Locator::Css("#q-vent-o2 summary")).await.unwrap().click().await.unwrap();
    fill(c, "n-vent-o2", "Stope E2, return side").await;
    b.screenshot("phone-inspection-form").await;
    c.find(Locator::Id("submit-inspection")).await.unwrap().click().await.unwrap();
    let yes_no = default_template().questions().filter(|q| q.kind == QuestionKind::YesNo).count();
    let expected = format!("{:.1} %", yes_no as f64 * 100.0 / (yes_no + 1) as f64);
    assert_eq!(text(c, "#score").await, expected);
    assert_eq!(text(c, "#failed-count").await, "1");
    let findings = text(c, "#finding-list").await;
    assert!(
        findings.contains("O2 in the air at the working face") && findings.contains("Stope E2, return side"),
        "{findings}"
    );
    assert!(findings.contains("Critical") && findings.contains("Open"), "{findings}");
    b.screenshot("phone-inspection-done").await;
    // The schedule is done: no longer due before next month.
    c.goto(&server.url("/inspections")).await.unwrap();
    let schedules = text(c, "#schedules").await;
    assert!(schedules.contains("大坪锌矿"), "{schedules}");
    b.close().await;
}

/// A mine's safety officer, in Chinese, adds a worker with a mistyped identity number: the
/// Chinese error stands next to the field, the fix saves, and the new worker (on no policy yet)
/// is flagged as not insured on the coverage page.
#[tokio::test]
async fn an_officer_fixes_a_bad_identity_number_and_sees_the_new_worker_uninsured() {
    let server = spawn_server().await;
    let b = Browser::start("zh-CN").await;
    let c = &b.client;
    login(c, &server, "officer", "officer-demo-2026").await;
    c.goto(&server.url("/workers/new")).await.unwrap();
    let good = minecoop_domain::workforce::idcard::complete("52270119900315001").unwrap();
    // The same number with another check character.
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    fill(c, "f-name", "杨光明").await;
    fill(c, "f-id_number", &bad).await;
    c.find(Locator::Id("f-sex")).await.unwrap().select_by_value("male").await.unwrap();
    c.execute("document.getElementById('f-birth_date').value = '1990-03-15';", vec![]).await.unwrap();
    c.find(Locator::Id("f-job")).await.unwrap().select_by_value("miner").await.unwrap();
    c.find(Locator::Id("save-worker")).await.unwrap().click().await.unwrap();
    assert_eq!(text(c, "#e-id_number").await, "校验码（最后一位）不对：有数字输错了。");
    // Next to its field, which is marked invalid; what was typed is kept.
    let beside = c
        .find(Locator::XPath(
            "//input[@id='f-id_number'][@aria-invalid='true']/following-sibling::p[@id='e-id_number']",
        ))
        .await;
    assert!(beside.is_ok(), "the error stands next to the identity number field");
    let name = c.find(Locator::Id("f-name")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(name.as_deref(), Some("杨光明"));
    b.screenshot("worker-form-id-error-zh").await;
    fill(c, "f-id_number", &good).await;
    c.find(Locator::Id("save-worker")).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[contains(., '杨光明')]"))
        .await
        .expect("the new worker's page");
    // The coverage page today: he is working and on no policy of either compulsory kind.
    c.goto(&server.url("/insurance/coverage")).await.unwrap();
    let row = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//table[@id='breaches']//tr[td/a[text()='杨光明']]"))
        .await
        .expect("the new worker is on the breach list")
        .text()
        .await
        .unwrap();
    assert!(row.contains("不在任何有效的工伤保险保单中"), "{row}");
    assert!(row.contains("不在任何有效的安全生产责任保险保单中"), "{row}");
    b.screenshot("coverage-new-worker-zh").await;
    b.close().await;
}

/// An officer, in Chinese, uploads a workers sheet with one mistyped identity number: the row
/// and the column are named in Chinese and nothing is written; the fixed sheet imports and the
/// workers are on the list.
#[tokio::test]
async fn an_officer_imports_workers_after_fixing_a_mistyped_identity_number() {
    use minecoop_domain::workforce::idcard::complete;
    let server = spawn_server().await;
    let mine = server.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let name = server.db.mine(mine).await.unwrap().name_zh;
    let good = complete("52270119930811013").unwrap();
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let first = complete("52270119920102005").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sheet = |file: &str, number: &str| {
        let bytes = crate::support::text_xlsx(&[
            &["矿山", "姓名", "身份证号", "性别", "出生日期", "工种", "用工形式", "入职日期"],
            &[&name, "潘启明", &first, "男", "1992-01-02", "采掘工", "劳务派遣", "2026-03-01"],
            &[&name, "吴德贵", number, "男", "1993-08-11", "电工", "劳动合同", "2026-03-01"],
        ]);
        let path = dir.path().join(file);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let bad = sheet("职工.xlsx", &bad);
    let good = sheet("职工-改.xlsx", &good);
    let b = Browser::start("zh-CN").await;
    let c = &b.client;
    login(c, &server, "officer", "officer-demo-2026").await;
    c.goto(&server.url("/workers")).await.unwrap();
    c.find(Locator::Id("import-workers")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("f-file")).await.unwrap().send_keys(bad.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("check")).await.unwrap().click().await.unwrap();
    let problems = text(c, "#problems").await;
    assert!(problems.contains('3') && problems.contains("身份证号") && problems.contains("校验码"), "{problems}");
    b.screenshot("workers-import-problems-zh").await;
    let workers = server.db.workers(Some(&[mine])).await.unwrap();
    assert!(!workers.iter().any(|w| w.name == "潘启明"), "a sheet with a bad row writes nothing");
    c.find(Locator::Id("f-file")).await.unwrap().send_keys(good.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("import")).await.unwrap().click().await.unwrap();
    let summary = text(c, "#import-summary").await;
    assert!(summary.contains("新职工 2 名"), "{summary}");
    c.goto(&server.url("/workers")).await.unwrap();
    let list = text(c, "#workers").await;
    assert!(list.contains("潘启明") && list.contains("吴德贵"), "{list}");
    assert!(!list.contains(&complete("52270119930811013").unwrap()), "the list masks the numbers");
    b.close().await;
}

/// Issue 6's injury claims: from an incident's page the officer opens a claim for a worker of his
/// mine, sees the determination deadline with its days left, records the application (first
/// without its date: refused on the field), and sees the status change and the step listed.
#[tokio::test]
async fn an_officer_opens_an_injury_claim_from_the_incident_and_records_the_application() {
    use minecoop_domain::production::sample::parse_local_time;
    use minecoop_domain::safety::incident::{IncidentDraft, IncidentInput};
    let server = spawn_server().await;
    let mine = server.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let today = minecoop_web::cadastre::today();
    let day = today - chrono::Duration::days(25);
    let i = IncidentInput {
        mine_id: mine.to_string(),
        kind: "lost_time".into(),
        occurred_at: format!("{day}T10:15"),
        unit_head_notified_at: format!("{day}T10:30"),
        location: "Level 2 haulage drift".into(),
        description: "A derailed car crushed a trammer's left leg".into(),
        serious_injuries: "1".into(),
        ..Default::default()
    };
    let d = IncidentDraft::parse(&i, parse_local_time(&format!("{today}T23:00")).unwrap()).unwrap();
    let inc = server.db.record_incident(&minecoop_store::Actor::system("test"), &d).await.unwrap();
    let b = Browser::start("en-US").await;
    let c = &b.client;
    login(c, &server, "officer", "officer-demo-2026").await;
    c.goto(&server.url(&format!("/safety/incidents/{}", inc.incident_id))).await.unwrap();
    c.find(Locator::Id("open-claim")).await.unwrap().click().await.unwrap();
    assert!(text(c, "#new-deadline").await.contains("5 days left"));
    let worker = c.find(Locator::Css("#f-worker_id option:nth-child(2)")).await.unwrap();
    let name = worker.text().await.unwrap();
    worker.click().await.unwrap();
    c.find(Locator::Css("#f-severity")).await.unwrap().select_by_value("serious").await.unwrap();
    c.find(Locator::Id("save-claim")).await.unwrap().click().await.unwrap();
    let deadline = text(c, "#claim-deadline").await;
    assert!(
        deadline.contains("5 days left") && deadline.contains(&(day + chrono::Duration::days(30)).to_string()),
        "{deadline}"
    );
    assert_eq!(text(c, "#claim-status").await, "Opened");
    assert_eq!(text(c, "#claim-worker").await, name);
    b.screenshot("claim_opened").await;

    // The application: without its date the field says so; with it the status moves on.
    c.find(Locator::Css("#f-status")).await.unwrap().select_by_value("applied").await.unwrap();
    c.find(Locator::Id("save-step")).await.unwrap().click().await.unwrap();
    assert!(!text(c, "#e-applied_on").await.is_empty(), "the application's date is required");
    c.execute(&format!("document.getElementById('f-applied_on').value = '{today}';"), vec![]).await.unwrap();
    fill(c, "f-reason", "Handed in at the county human resources bureau").await;
    c.find(Locator::Id("save-step")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#claim-status.claim-applied")).await.expect("the status changed");
    assert_eq!(text(c, "#claim-status").await, "Determination applied for");
    assert!(text(c, "#claim-deadline").await.contains("in time"));
    let steps = text(c, "#step-list").await;
    assert!(steps.contains("Determination applied for") && steps.contains("Handed in at the county"), "{steps}");
    b.screenshot("claim_applied").await;

    // The incident's page lists the claim with its new status.
    c.find(Locator::Id("claim-incident")).await.unwrap().click().await.unwrap();
    let row = text(c, "#claims").await;
    assert!(row.contains(&name) && row.contains("Determination applied for"), "{row}");
    b.close().await;
}
