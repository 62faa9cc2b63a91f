//! Yearly report benchmark: `cargo bench --bench yearly_report`.
//!
//! A SQLite database with 16 mines, a full year of daily production for each (5,840 records,
//! written by the import) and three feed samples a mine a day (17,520), and a reported
//! recovery; then times what the grade report page (`/reports/grades`) computes for the whole
//! co-op and for one mine: `minecoop_web::production::report::year_report` (the store's reads and the
//! domain's sums; the page only formats its answer). 30 runs each after one warm-up: median and
//! slowest. The allocator is the server's (mimalloc).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use minecoop_domain::production::qc::QcLimits;
use minecoop_domain::production::record::{ConcentrateInput, ProductionDraft, ProductionInput};
use minecoop_domain::production::{Element, GradeUnit, default_elements};
use minecoop_domain::registry::{MemberDraft, MemberInput, MineDraft, MineInput};
use minecoop_store::{Actor, Store};

// As in the server (src/main.rs): the page runs with this allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn draft(mine: uuid::Uuid, day: NaiveDate, k: u64) -> ProductionDraft {
    let m = |key: &str, v: String| BTreeMap::from([(key.to_owned(), v)]);
    let milled = 150 + k % 90;
    let i = ProductionInput {
        mine_id: mine.to_string(),
        day: day.to_string(),
        ore_hoisted_t: milled.to_string(),
        ore_milled_t: milled.to_string(),
        feed_grades: m("zn", format!("{}.{}", 3 + k % 4, k % 10)),
        concentrates: vec![ConcentrateInput {
            name: "Zn concentrate".into(),
            wet_t: format!("{}", milled / 15),
            moisture_pct: "8".into(),
            grades: m("zn", format!("{}.{}", 48 + k % 5, k % 10)),
        }],
        tailings_t: format!("{}", milled - milled / 15),
        tailings_grades: m("zn", format!("0.{}", 20 + k % 30)),
        tailings_facility: "T1".into(),
        hours_worked: "800".into(),
        costs: m("labour", "1200.50".into()),
        ..Default::default()
    };
    ProductionDraft::parse(&i, &default_elements(), NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).expect("draft")
}

async fn setup(store: &Store) -> Vec<uuid::Uuid> {
    let actor = Actor::system("bench");
    let member = MemberDraft::parse(&MemberInput {
        name_zh: "基准矿业".into(),
        name_en: "Bench Mining".into(),
        legal_representative: "王".into(),
        uscc: minecoop_store::demo::demo_uscc(902).as_str().into(),
        joined_on: "2004-01-01".into(),
        status: "active".into(),
        ..Default::default()
    })
    .expect("member");
    let member = store.create_member(&actor, &member).await.expect("member");
    let mut mines = Vec::new();
    for k in 0..16 {
        let mine = MineDraft::parse(&MineInput {
            member_id: member.id.to_string(),
            name_zh: format!("基准{k}号矿"),
            name_en: format!("Bench Mine {k}"),
            latitude: "26.22".into(),
            longitude: "107.49".into(),
            minerals: "zn".into(),
            mining_method: "underground".into(),
            status: "operating".into(),
        })
        .expect("mine");
        mines.push(store.create_mine(&actor, &mine).await.expect("mine").id);
    }
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut drafts = Vec::new();
    for (m, mine) in mines.iter().enumerate() {
        let mut samples = Vec::new();
        for d in 0..365u64 {
            let day = start + chrono::Days::new(d);
            drafts.push(draft(*mine, day, d * 7 + m as u64));
            for (s, h) in [8, 14, 20].into_iter().enumerate() {
                samples.push((format!("S2025-{m:02}{d:03}{s}"), day.and_hms_opt(h, 0, 0).unwrap()));
            }
        }
        store.seed_received_samples(*mine, &samples).await.expect("samples");
    }
    let (added, _) = store.import_production(&actor, &drafts, "import:bench").await.expect("import");
    assert_eq!(added, 16 * 365);
    store.report_figure(&actor, 2025, None, "recovery_pct.zn", 91_5000, "annual report").await.expect("figure");
    mines
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", tmp.path().join("report.db").display());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = Store::open(&url).await.expect("open");
        let t = Instant::now();
        let mines = setup(&store).await;
        eprintln!("set up 16 mines, 5,840 records, 17,520 samples in {:.1} s", t.elapsed().as_secs_f64());
        let el = Element::new("zn", GradeUnit::Percent);
        let (from, to) = (NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        println!("| report | runs | median | slowest |");
        println!("|---|---|---|---|");
        for (what, mine) in [("whole co-op (16 mines)", None), ("one mine", Some(mines[0]))] {
            let first =
                minecoop_web::production::report::year_report(&store, &QcLimits::default(), &el, mine, 2025, from, to)
                    .await
                    .expect("report");
            assert!(first.r.feed.is_some() && first.r.sample_total > 0);
            let mut times: Vec<Duration> = Vec::new();
            for _ in 0..30 {
                let t = Instant::now();
                let r = minecoop_web::production::report::year_report(
                    &store,
                    &QcLimits::default(),
                    &el,
                    mine,
                    2025,
                    from,
                    to,
                )
                .await
                .expect("report");
                times.push(t.elapsed());
                assert_eq!(r.r, first.r, "the same report every run");
            }
            times.sort();
            println!(
                "| {what} | {} | {:.1} ms | {:.1} ms |",
                times.len(),
                times[times.len() / 2].as_secs_f64() * 1e3,
                times[times.len() - 1].as_secs_f64() * 1e3
            );
        }
    });
}
