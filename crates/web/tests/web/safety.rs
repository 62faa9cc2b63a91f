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
