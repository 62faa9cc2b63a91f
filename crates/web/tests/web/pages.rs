//! Pages in both languages, error pages with request ids, and the promise that nothing
//! internal (SQL, panics) reaches a response.

use axum::http::{Method, StatusCode};
use sea_orm::ConnectionTrait;

use crate::support::{As, Backend, Body_, app};

#[tokio::test]
async fn pages_follow_the_language_cookie_then_accept_language() {
    let app = app(Backend::Sqlite).await;
    let zh = app.send_with(As::Anon, Method::GET, "/login", None, &[("accept-language", "zh-CN,zh;q=0.9")]).await;
    assert!(zh.body.contains("登录矿山合作社"), "{}", zh.body);
    let en = app.send_with(As::Anon, Method::GET, "/login", None, &[("accept-language", "en-US")]).await;
    assert!(en.body.contains("Log in to minecoop"));
    // The switch sets a cookie that wins over the header.
    let r = app.get(As::Anon, "/lang/zh-CN?next=/members").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/members");
    assert!(r.headers["set-cookie"].to_str().unwrap().starts_with("mc_lang=zh-CN"));
    let cookie = format!("mc_lang=zh-CN; mc_csrf={}", crate::support::ANON_CSRF);
    let r = app
        .send_with(As::Anon, Method::GET, "/login", None, &[("accept-language", "en-US"), ("cookie", &cookie)])
        .await;
    assert!(r.body.contains("登录矿山合作社"));
    // An open redirect is refused.
    let r = app.get(As::Anon, "/lang/en-US?next=//evil.example").await;
    assert_eq!(r.headers["location"], "/");
}

#[tokio::test]
async fn not_found_page_in_both_languages_with_request_id() {
    let app = app(Backend::Sqlite).await;
    for (lang, text) in [("zh-CN", "页面不存在"), ("en-US", "Page not found")] {
        let r = app.send_with(As::User("admin"), Method::GET, "/nowhere", None, &[("accept-language", lang)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains(text), "{lang}: {}", r.body);
        let id = r.headers["x-request-id"].to_str().unwrap();
        assert!(r.body.contains(id), "the page shows the request id");
    }
}

#[tokio::test]
async fn database_failure_is_a_500_page_without_sql() {
    let app = app(Backend::Sqlite).await;
    // Hazards name their owner from the people (a foreign key): that table goes first.
    app.db.conn().execute_unprepared("DROP TABLE hazards").await.unwrap();
    app.db.conn().execute_unprepared("DROP TABLE people").await.unwrap();
    for (path, lang, text) in [("/people", "en-US", "Something went wrong"), ("/api/v1/people", "zh-CN", "系统出错了")]
    {
        let r = app.send_with(As::User("admin"), Method::GET, path, None, &[("accept-language", lang)]).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.body.contains(text), "{}", r.body);
        let lower = r.body.to_lowercase();
        for leak in ["select", "no such table", "sqlx", "database error", "panicked", ".rs:"] {
            assert!(!lower.contains(leak), "{path} leaks {leak:?}: {}", r.body);
        }
        assert!(r.body.contains(r.headers["x-request-id"].to_str().unwrap()));
    }
}

#[tokio::test]
async fn a_form_with_errors_keeps_what_was_typed_and_names_each_field() {
    let app = app(Backend::Sqlite).await;
    let form =
        "name_zh=%E6%96%B0%E7%9F%BF&name_en=New&legal_representative=&uscc=123&joined_on=2020-01-01&status=active";
    let r = app
        .send_with(
            As::User("admin"),
            Method::POST,
            "/members",
            Some(Body_::Form(form.into())),
            &[("accept-language", "en-US")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"新矿\""), "typed text kept");
    assert!(r.body.contains("A unified social credit code has 18 characters."));
    assert!(r.body.contains("id=\"e-legal_representative\""));
    assert!(!r.body.contains("id=\"e-name_zh\""));
}

#[tokio::test]
async fn throttled_login_says_so() {
    let app = app(Backend::Sqlite).await;
    for _ in 0..5 {
        let r = app
            .send(As::Anon, Method::POST, "/login", Some(Body_::Form("username=admin&password=nope-nope-nope".into())))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app
        .send_with(
            As::Anon,
            Method::POST,
            "/login",
            Some(Body_::Form("username=admin&password=admin-demo-2026".into())),
            &[("accept-language", "en-US")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Too many failed attempts"));
}

#[tokio::test]
async fn login_sets_a_hardened_session_cookie() {
    let app = app(Backend::Sqlite).await;
    let r = app
        .send(
            As::Anon,
            Method::POST,
            "/login",
            Some(Body_::Form("username=owner&password=owner-demo-2026&next=/mines".into())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/mines");
    let c = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("mc_session="))
        .unwrap();
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
    let r = app
        .send_with(
            As::Anon,
            Method::POST,
            "/login",
            Some(Body_::Form("username=owner&password=owner-demo-2026".into())),
            &[("x-forwarded-proto", "https")],
        )
        .await;
    let c = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("mc_session="))
        .unwrap();
    assert!(c.contains("; Secure"), "behind TLS the cookie is Secure: {c}");
}

/// Every key in one language exists in the other, and every key the code uses exists.
#[test]
fn both_languages_have_the_same_keys_and_every_used_key() {
    use minecoop_web::i18n::Lang;
    use std::collections::BTreeSet;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let keys = |lang: &str| -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for f in std::fs::read_dir(dir.join(lang)).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((k, _)) = line.split_once(" = ")
                    && !k.starts_with(' ')
                    && !k.starts_with('#')
                {
                    out.insert(k.trim().to_owned());
                }
            }
        }
        out
    };
    let en = keys("en-US");
    let zh = keys("zh-CN");
    let only_en: Vec<_> = en.difference(&zh).collect();
    let only_zh: Vec<_> = zh.difference(&en).collect();
    assert!(only_en.is_empty() && only_zh.is_empty(), "only in en-US: {only_en:?}; only in zh-CN: {only_zh:?}");

    // Keys named literally in code and templates, and every code the domain can return.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut used = BTreeSet::new();
    let mut stack = vec![root.join("crates")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("tests") {
                    stack.push(p);
                }
                continue;
            }
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            if ext != "rs" && ext != "html" {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for part in text.split('"').skip(1).step_by(2).filter(|_| ext == "rs") {
                let is_key = ["err-", "error-", "warn-", "qc-rule-"].iter().any(|pre| part.starts_with(pre))
                    && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if is_key {
                    used.insert(part.to_owned());
                }
            }
            for part in text.split(".t(\"").skip(1) {
                let k = part.split('"').next().unwrap();
                if !k.is_empty()
                    && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
                {
                    used.insert(k.to_owned());
                }
            }
        }
    }
    // Keys built from codes: every code of every vocabulary.
    use minecoop_domain::registry::{CoopRole, MemberStatus, MineStatus, Mineral, MiningMethod};
    for r in minecoop_domain::auth::Role::ALL {
        used.insert(format!("role-{}", r.as_str()));
    }
    used.extend(MemberStatus::ALL.iter().map(|s| format!("member-status-{s}")));
    used.extend(MineStatus::ALL.iter().map(|s| format!("mine-status-{s}")));
    used.extend(MiningMethod::ALL.iter().map(|s| format!("method-{s}")));
    used.extend(Mineral::ALL.iter().map(|s| format!("mineral-{s}")));
    used.extend(CoopRole::ALL.iter().map(|s| format!("coop-role-{s}")));
    used.extend(minecoop_domain::production::CostCategory::ALL.iter().map(|s| format!("cost-{s}")));
    {
        use minecoop_domain::production::sample::{CustodyStep, QcRole, SampleKind};
        used.extend(SampleKind::ALL.iter().map(|s| format!("sample-kind-{s}")));
        used.extend(QcRole::ALL.iter().map(|s| format!("qc-role-{s}")));
        used.extend(CustodyStep::ALL.iter().map(|s| format!("custody-{s}")));
        use minecoop_domain::production::qc::{Decision, Outcome};
        used.extend(Outcome::ALL.iter().map(|s| format!("qc-outcome-{s}")));
        used.extend(Decision::ALL.iter().map(|s| format!("qc-decision-{s}")));
        used.extend(["all", "flagged", "undecided"].iter().map(|s| format!("qc-show-{s}")));
    }
    {
        use minecoop_domain::safety::hazard::{HazardCategory, RiskBand};
        use minecoop_domain::safety::inspection::{FindingStatus, IntervalUnit, ItemOutcome, QuestionKind, Severity};
        used.extend(QuestionKind::ALL.iter().map(|s| format!("question-kind-{s}")));
        used.extend(Severity::ALL.iter().map(|s| format!("severity-{s}")));
        used.extend(ItemOutcome::ALL.iter().map(|s| format!("outcome-{s}")));
        used.extend(FindingStatus::ALL.iter().map(|s| format!("finding-status-{s}")));
        used.extend(IntervalUnit::ALL.iter().flat_map(|s| [format!("interval-unit-{s}"), format!("every-{s}")]));
        used.extend(["yes", "no", "na"].iter().map(|s| format!("answer-{s}")));
        used.extend(["open", "closed", "all"].iter().map(|s| format!("finding-show-{s}")));
        used.extend(HazardCategory::ALL.iter().map(|s| format!("hazard-category-{s}")));
        used.extend(RiskBand::ALL.iter().map(|s| format!("band-{s}")));
        used.extend((1..=5).flat_map(|n| [format!("likelihood-{n}"), format!("consequence-{n}")]));
    }
    let missing: Vec<_> = used.iter().filter(|k| !Lang::En.has(k) || !Lang::Zh.has(k)).collect();
    assert!(missing.is_empty(), "keys used but not translated: {missing:?}");
}

#[tokio::test]
async fn the_bureau_reads_the_trail_without_personal_data() {
    let app = app(Backend::Sqlite).await;
    let admin = app.get(As::User("admin"), "/audit?entity=person").await;
    assert!(admin.body.contains("138 0854 0002"), "the administrator sees people's changes");
    for path in ["/audit?entity=person", "/audit?entity=user", "/audit"] {
        let r = app.get(As::User("bureau"), path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("138 0854"), "{path}: the bureau sees a phone number");
        assert!(!r.body.contains("president-demo") && !r.body.contains("argon2"), "{path}");
    }
    let api = app.get(As::User("bureau"), "/api/v1/audit?entity=person").await.json();
    assert_eq!(api["total"], 0);
}

#[tokio::test]
async fn tokens_open_the_api_but_no_pages() {
    let app = app(Backend::Sqlite).await;
    let u = app.db.user_by_name("admin").await.unwrap();
    let (_, secret) = app.db.create_api_token(&minecoop_store::Actor::system("test"), u.id, "t").await.unwrap();
    let auth = format!("Bearer {secret}");
    let r =
        app.send_with(As::Anon, Method::GET, "/admin/users", None, &[("authorization", &auth), ("cookie", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a token is not a login for pages");
    let r = app.send_with(As::Anon, Method::GET, "/api/v1/me", None, &[("authorization", &auth)]).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_session_posting_a_form_is_sent_to_the_login_page() {
    let app = app(Backend::Sqlite).await;
    let r = app
        .send_with(
            As::Anon,
            Method::POST,
            "/members",
            Some(Body_::Form("name_zh=x".into())),
            &[("cookie", "mc_session=expired; mc_csrf=x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers["location"].to_str().unwrap().starts_with("/login"));
    let r = app.get(As::Anon, "/lang/en-US?next=/%09/evil.example").await;
    assert_eq!(r.headers["location"], "/", "a tab cannot smuggle in //host");
}

#[tokio::test]
async fn the_register_shows_the_demo_findings_and_renewals() {
    let app = app(Backend::Sqlite).await;
    let r = app.get(As::User("president"), "/licences").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"overlaps\"") && r.body.contains("DP-D2"), "sliver and working beyond the boundary");
    let map = app.get(As::User("president"), "/map").await;
    assert!(map.body.contains("<svg") && map.body.contains("class=\"overlap\""));
    let home = app.get(As::User("owner"), "/").await;
    assert!(home.body.contains("id=\"renewals\"") && home.body.contains("大坪锌矿"), "the owner sees his licence due");
    assert!(!home.body.contains("墨冲锌矿"), "but not another member's");
    let home = app.get(As::User("president"), "/").await;
    assert!(home.body.contains("墨冲锌矿"), "the president sees the expired licence of an operating mine");
}

#[tokio::test]
async fn the_live_check_names_the_overlapped_licence() {
    let app = app(Backend::Sqlite).await;
    let corners =
        "1%2C+26.2330%2C+107.4800%0A2%2C+26.2330%2C+107.4830%0A3%2C+26.2360%2C+107.4830%0A4%2C+26.2360%2C+107.4800";
    let r = app
        .send(
            As::User("president"),
            Method::POST,
            "/licences/preview",
            Some(Body_::Form(format!("corner_crs=EPSG%3A4490&corners={corners}"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"overlap-warning\"") && r.body.contains("C5200002011"), "{}", r.body);
    let r = app
        .send(
            As::User("president"),
            Method::POST,
            "/licences/preview",
            Some(Body_::Form("corner_crs=EPSG%3A4524&corners=1%2C+1%2C+2".into())),
        )
        .await;
    assert!(r.body.contains("notice error"), "{}", r.body);
}

#[tokio::test]
async fn a_recorded_working_beyond_the_boundary_is_found_on_save() {
    let app = app(Backend::Sqlite).await;
    let mine = app.db.user_by_name("officer").await.unwrap().mine_id.unwrap();
    let lic = app.db.current_licences().await.unwrap().into_iter().find(|l| l.mine_id == mine).unwrap();
    let path = format!("/licences/{}/workings", lic.licence_id);
    // 26.2318 N, 107.4830 E is about 180 m east of Daping's boundary at 107.4812 E.
    let form = "label=DP-X9&kind=point&corner_crs=EPSG%3A4490&vertices=26.2318%2C+107.4830%2C+1000";
    let r = app.send(As::User("officer"), Method::POST, &path, Some(Body_::Form(form.into()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(As::User("officer"), &format!("/licences/{}", lic.licence_id)).await;
    let table = page.body.split("id=\"outside\"").nth(1).and_then(|t| t.split("</table>").next()).unwrap_or("");
    assert!(table.contains("DP-X9"), "the new working is listed as beyond the boundary: {table}");
    let bad = "label=DP-X10&kind=line&corner_crs=EPSG%3A4490&vertices=26.2318%2C+107.4830";
    let r = app
        .send_with(
            As::User("officer"),
            Method::POST,
            &path,
            Some(Body_::Form(bad.into())),
            &[("accept-language", "en-US")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("A drift needs at least two surveyed points."));
}

#[tokio::test]
async fn a_case_is_seen_by_its_parties_and_they_are_notified() {
    let app = app(Backend::Sqlite).await;
    let members = app.db.member_choices().await.unwrap();
    let other = members.iter().find(|m| m.name_en.starts_with("Duyun Niujiaotang")).unwrap();
    let form =
        format!("title=Overlap+No.1+No.2&kind=overlap&description=sliver&member_ids={}&due_on=2099-01-01", other.id);
    let r = app.send(As::User("inspector"), Method::POST, "/disputes", Some(Body_::Form(form))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = r.headers["location"].to_str().unwrap().to_owned();
    // The owner of Daping is not a party: he gets 403 and sees nothing of the case.
    let r = app.get(As::User("owner"), &path).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("Overlap No.1 No.2"));
    let list = app.get(As::User("owner"), "/disputes").await;
    assert!(!list.body.contains("Overlap No.1 No.2") && list.body.contains("DP-D2"), "his own case only");
    // A log entry that settles the case.
    let r = app
        .send(
            As::User("president"),
            Method::POST,
            &format!("{path}/events"),
            Some(Body_::Form("kind=agreement&text=Boundary+moved&version=1".into())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.send_with(As::User("president"), Method::GET, &path, None, &[("accept-language", "en-US")]).await;
    assert!(page.body.contains("settled"), "{}", page.body);
    // The owner of a party answers in the log of his own case, but cannot settle it.
    let demo_case = app.db.disputes().await.unwrap().into_iter().find(|d| d.title.contains("DP-D2")).unwrap();
    let own = format!("/disputes/{}/events", demo_case.id);
    let note = format!("kind=proposal&text=We+backfill+by+March&version={}", demo_case.version);
    let r = app.send(As::User("owner"), Method::POST, &own, Some(Body_::Form(note))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let settle = format!("kind=agreement&text=done&version={}", demo_case.version + 1);
    let r = app.send(As::User("owner"), Method::POST, &own, Some(Body_::Form(settle))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Daping's owner was notified of the demo case; the president sees every notice.
    let n =
        app.send_with(As::User("owner"), Method::GET, "/notifications", None, &[("accept-language", "en-US")]).await;
    assert!(n.body.contains("A boundary-dispute case concerning you was opened"), "{}", n.body);
    assert!(!n.body.contains("Overlap No.1 No.2"));
}

/// Pages travel gzip-compressed to a browser that asks for it (and plainly otherwise): the
/// bureau's coverage page, with its trend chart of every mine, shrinks several-fold.
#[tokio::test]
async fn pages_are_compressed_for_browsers_that_ask() {
    use std::io::Read as _;
    let app = app(Backend::Sqlite).await;
    let path = "/insurance/coverage";
    let plain = app.get(As::User("bureau"), path).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get("content-encoding").is_none());
    let zipped = app.send_with(As::User("bureau"), Method::GET, path, None, &[("accept-encoding", "gzip")]).await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.headers.get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let mut page = String::new();
    flate2::read::GzDecoder::new(&zipped.bytes[..]).read_to_string(&mut page).expect("gzip");
    assert!(page.contains("id=\"trend-chart\"") && page.contains("</html>"), "{page}");
    assert!(zipped.bytes.len() * 4 < page.len(), "{} bytes for {}", zipped.bytes.len(), page.len());
}
