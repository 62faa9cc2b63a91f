//! The ore-grade report's downloads, charts and targets; the other views' downloads.

use axum::http::{Method, StatusCode};
use minecoop_domain::tabular::read_rows;
use serde_json::json;

use crate::support::{As, Backend, Body_, TestApp, app};

async fn app_2005() -> TestApp {
    let app = app(Backend::Sqlite).await;
    minecoop_store::demo::load_history(&app.db).await.unwrap();
    app
}

fn rows_of(name: &str, bytes: &[u8]) -> Vec<Vec<String>> {
    read_rows(name, bytes).unwrap_or_else(|e| panic!("{name} does not read back: {e:?}"))
}

#[tokio::test]
async fn the_grade_report_downloads_with_the_figures_the_page_shows() {
    let app = app_2005().await;
    let en = [("accept-language", "en")];
    let r = app.send_with(As::User("bureau"), Method::GET, "/reports/grades?year=2005&format=csv", None, &en).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers["content-disposition"].to_str().unwrap().contains("grades-2005.csv"));
    assert!(r.bytes.starts_with("\u{feff}".as_bytes()), "a BOM, so that Excel reads UTF-8");
    let csv = rows_of("r.csv", &r.bytes);
    assert_eq!(csv.len(), 1 + 12 + 1, "headings, 12 months, the year");
    assert!(csv[0][2].starts_with("Feed Zn (%)"), "{:?}", csv[0]);
    let year = &csv[13];
    assert_eq!((year[0].as_str(), year[1].as_str()), ("Total 2005", "216"));
    assert_eq!((year[2].as_str(), year[4].as_str(), year[5].as_str()), ("3.48", "0.28", "0.55"));
    let months: usize = csv[1..13].iter().map(|m| m[1].parse::<usize>().unwrap()).sum();
    assert_eq!(months, 216, "the months add up to the year");

    let r = app
        .send_with(
            As::User("bureau"),
            Method::GET,
            "/reports/grades?year=2005&format=xlsx",
            None,
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let x = rows_of("r.xlsx", &r.bytes);
    assert_eq!(x.len(), 14);
    assert_eq!(x[0][0], "月份", "headings in the viewer's language");
    assert_eq!((x[13][2].as_str(), x[13][4].as_str()), ("3.48", "0.28"), "numbers stay numbers");

    // The page draws two charts as inline SVG, and links the downloads.
    let r = app.send_with(As::User("bureau"), Method::GET, "/reports/grades?year=2005", None, &en).await;
    assert_eq!(r.body.matches("<svg role=\"img\"").count(), 2, "grades and recovery");
    assert!(r.body.contains("Grades by month") && r.body.contains("Recovery by month"));
    assert!(r.body.contains("id=\"export-xlsx\""));
    // No download format other than CSV and XLSX.
    let r = app.get(As::User("bureau"), "/reports/grades?year=2005&format=exe").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_production_view_downloads_and_adds_up() {
    let app = app_2005().await;
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let r = app.get(As::User("officer"), &format!("/production?mine={mine}&month=2005-03&format=xlsx")).await;
    assert_eq!(r.status, StatusCode::OK);
    let days = rows_of("m.xlsx", &r.bytes);
    assert_eq!(days.len(), 1 + 31 + 1, "headings, 31 days, the total");
    let milled = |row: &Vec<String>| row[3].parse::<f64>().unwrap();
    let sum: f64 = days[1..32].iter().map(milled).sum();
    assert!((sum - milled(&days[32])).abs() < 1e-6, "the days add up to the month: {sum}");

    let r = app.get(As::User("officer"), &format!("/production/year?mine={mine}&year=2005&format=csv")).await;
    let months = rows_of("y.csv", &r.bytes);
    assert_eq!(months.len(), 14);
    assert!(months[0].len() > 20, "every figure of the period, not only the page's columns");
    assert_eq!(months[3][0], "2005-03");
    assert_eq!(months[3][3], days[32][3], "the year's March is the month's total");

    let r = app.get(As::User("inspector"), "/samples?month=2005-03&format=csv").await;
    let samples = rows_of("s.csv", &r.bytes);
    assert_eq!(samples.len(), 1 + 18 + 2, "the month's 18 samples, and the laboratory's CRM and blank");
    assert!(samples[1][0].starts_with("S2005-"), "{:?}", samples[1]);
    // The laboratory's batches of 2005: a CRM and a blank in each, July's CRM failed.
    let r = app
        .send_with(
            As::User("inspector"),
            Method::GET,
            "/qc?from=2005-01-01&to=2005-12-31&format=csv",
            None,
            &[("accept-language", "en")],
        )
        .await;
    let checks = rows_of("q.csv", &r.bytes);
    assert_eq!(checks.len(), 1 + 12 * 2, "{checks:?}");
    let failed: Vec<_> = checks.iter().filter(|c| c.last().is_some_and(|o| o == "Failed")).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0][1], "2005-07");
    // A mine's people download only what they may see.
    let other =
        app.db.mine_choices().await.unwrap().into_iter().find(|m| m.id != mine && m.status == "operating").unwrap().id;
    let r = app.get(As::User("officer"), &format!("/production/year?mine={other}&year=2005&format=csv")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("2005-03"));
}

#[tokio::test]
async fn targets_are_set_by_the_president_and_judged_in_the_report() {
    let app = app_2005().await;
    let en = [("accept-language", "en")];
    let form = |figure: &str, value: &str| {
        Body_::Form(format!("year=2005&mine_id=&figure={figure}&element=zn&value={value}&reason=meeting+2005-01"))
    };
    let r = app.send(As::User("owner"), Method::POST, "/reports/targets", Some(form("tailing_grade", "0.25"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "owners do not set the co-op's targets");
    let r = app
        .send_with(As::User("president"), Method::POST, "/reports/targets", Some(form("tailing_grade", "abc")), &en)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"e-value\"") && r.body.contains("Not a number."), "{}", r.body);
    assert!(r.body.contains("value=\"abc\""), "what was typed is kept");
    for (figure, value) in [("tailing_grade", "0.30"), ("tailing_grade", "0.25"), ("recovery_pct", "90")] {
        let r = app.send(As::User("president"), Method::POST, "/reports/targets", Some(form(figure, value))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = app.send_with(As::User("owner"), Method::GET, "/reports/targets?year=2005", None, &en).await;
    assert_eq!(r.body.matches("In force").count(), 2, "the replaced 0.30 stays, marked replaced");
    assert!(r.body.contains("Replaced") && !r.body.contains("id=\"save-target\""), "owners read, do not set");

    let r = app.send_with(As::User("bureau"), Method::GET, "/reports/grades?year=2005", None, &en).await;
    let table = r.body.split("id=\"targets\"").nth(1).unwrap_or_default();
    let tail_row = table.split("<tr").find(|x| x.contains("Tailing grade")).unwrap_or_default();
    assert!(tail_row.contains("0.28 %") && tail_row.contains("0.25 %") && tail_row.contains("Missed"), "{tail_row}");
    let rec_row = table.split("<tr").find(|x| x.contains(">Recovery<")).unwrap_or_default();
    assert!(rec_row.contains("Met"), "92.5 % reaches 90 %: {rec_row}");

    // The API: the same targets and the same standing.
    let r = app.get(As::User("bureau"), "/api/v1/targets?year=2005").await;
    assert_eq!(r.json().as_array().unwrap().len(), 3);
    let r = app.get(As::User("bureau"), "/api/v1/reports/grades?year=2005").await;
    let j = r.json();
    assert_eq!(j["year_report"]["sample_total"], 216);
    let standing: Vec<(&str, &str)> = j["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["figure"].as_str().unwrap(), t["standing"].as_str().unwrap()))
        .collect();
    assert_eq!(standing, [("tailing_grade", "missed"), ("recovery_pct", "met")]);
    let bad = json!({"year": "2005", "figure": "recovery_pct", "element": "zn", "value": "101"});
    let r = app.send(As::User("president"), Method::POST, "/api/v1/targets", Some(Body_::Json(bad))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("\"value\""), "{}", r.body);
    let ok = json!({"year": "2005", "figure": "feed_grade", "element": "zn", "value": "3.5"});
    let r = app.send(As::User("president"), Method::POST, "/api/v1/targets", Some(Body_::Json(ok))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}
