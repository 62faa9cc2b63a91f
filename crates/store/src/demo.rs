//! The demo co-op: thirteen zinc-mining enterprises around Niujiaotang near Duyun, Guizhou,
//! modelled on the Duyun ASM Owner Association (REFERENCE.md section 1). Everything is fixed
//! data, so every run loads the same co-op; later capabilities add their records here.

use minecoop_domain::auth::Role;
use minecoop_domain::registry::{
    CoopRole, MemberDraft, MemberStatus, MineDraft, MineStatus, Mineral, MiningMethod, PersonDraft, Uscc,
};
use minecoop_domain::units::LatLon;

use crate::accounts::NewUser;
use chrono::Datelike;

use crate::{Actor, Store, StoreError, StoreResult};

/// A demo account and the password printed for it.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub note: &'static str,
}

/// (Chinese name, English name, legal representative, joined year, mines)
/// Each mine: (Chinese name, English name, lat micro-degrees, lon micro-degrees, minerals, status)
type DemoMine = (&'static str, &'static str, i64, i64, &'static [Mineral], MineStatus);
type DemoMember = (&'static str, &'static str, &'static str, i32, &'static [DemoMine]);

const ZN: &[Mineral] = &[Mineral::Zinc];
const ZN_PB: &[Mineral] = &[Mineral::Zinc, Mineral::Lead];

/// The president's enterprise comes first and runs three mines.
pub const MEMBERS: &[DemoMember] = &[
    (
        "都匀市牛角塘锌业有限公司",
        "Duyun Niujiaotang Zinc Co., Ltd.",
        "王德明",
        2003,
        &[
            ("牛角塘一号矿", "Niujiaotang No. 1 Mine", 26_221_400, 107_486_200, ZN, MineStatus::Operating),
            ("牛角塘二号矿", "Niujiaotang No. 2 Mine", 26_226_900, 107_493_800, ZN_PB, MineStatus::Operating),
            ("牛角塘三号矿", "Niujiaotang No. 3 Mine", 26_215_300, 107_499_100, ZN, MineStatus::Suspended),
        ],
    ),
    (
        "都匀市大坪锌矿",
        "Duyun Daping Zinc Mine",
        "李光荣",
        2003,
        &[("大坪锌矿", "Daping Zinc Mine", 26_231_800, 107_478_400, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市老寨矿业有限公司",
        "Duyun Laozhai Mining Co., Ltd.",
        "张永福",
        2003,
        &[("老寨锌矿", "Laozhai Zinc Mine", 26_208_600, 107_481_700, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市马场坪锌业",
        "Duyun Machangping Zinc",
        "陈世华",
        2004,
        &[("马场坪锌矿", "Machangping Zinc Mine", 26_238_200, 107_502_600, ZN_PB, MineStatus::Operating)],
    ),
    (
        "都匀市新寨矿业",
        "Duyun Xinzhai Mining",
        "杨国强",
        2004,
        &[("新寨锌矿", "Xinzhai Zinc Mine", 26_199_700, 107_492_300, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市岩脚锌矿",
        "Duyun Yanjiao Zinc Mine",
        "吴志军",
        2004,
        &[("岩脚锌矿", "Yanjiao Zinc Mine", 26_244_900, 107_487_900, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市黄泥坡矿业",
        "Duyun Huangnipo Mining",
        "刘长生",
        2005,
        &[("黄泥坡锌矿", "Huangnipo Zinc Mine", 26_212_100, 107_508_400, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市坝固锌业",
        "Duyun Bagu Zinc",
        "罗明贵",
        2005,
        &[("坝固锌矿", "Bagu Zinc Mine", 26_251_300, 107_496_500, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市摆桑矿业",
        "Duyun Baisang Mining",
        "蒙正高",
        2005,
        &[("摆桑锌矿", "Baisang Zinc Mine", 26_192_400, 107_474_800, ZN, MineStatus::Closed)],
    ),
    (
        "都匀市甘塘锌矿",
        "Duyun Gantang Zinc Mine",
        "韦家林",
        2006,
        &[("甘塘锌矿", "Gantang Zinc Mine", 26_229_600, 107_469_300, ZN, MineStatus::Rehabilitated)],
    ),
    (
        "都匀市沙包堡矿业",
        "Duyun Shabaobao Mining",
        "潘德顺",
        2006,
        &[
            ("沙包堡锌矿", "Shabaobao Zinc Mine", 26_204_800, 107_515_200, ZN_PB, MineStatus::Operating),
            ("沙包堡北矿", "Shabaobao North Mine", 26_210_700, 107_521_900, ZN, MineStatus::Planned),
        ],
    ),
    (
        "都匀市小围寨锌业",
        "Duyun Xiaoweizhai Zinc",
        "石开文",
        2007,
        &[("小围寨锌矿", "Xiaoweizhai Zinc Mine", 26_247_100, 107_512_700, ZN, MineStatus::Operating)],
    ),
    (
        "都匀市墨冲矿业",
        "Duyun Mochong Mining",
        "龙启明",
        2007,
        &[("墨冲锌矿", "Mochong Zinc Mine", 26_186_900, 107_498_600, ZN, MineStatus::Operating)],
    ),
];

/// The accounts the demo creates, one for every role.
pub const LOGINS: &[DemoLogin] = &[
    DemoLogin { username: "admin", password: "admin-demo-2026", role: Role::Admin, note: "system administrator" },
    DemoLogin {
        username: "president",
        password: "president-demo-2026",
        role: Role::President,
        note: "co-op president",
    },
    DemoLogin {
        username: "inspector",
        password: "inspector-demo-2026",
        role: Role::Inspector,
        note: "co-op inspector",
    },
    DemoLogin {
        username: "owner",
        password: "owner-demo-2026",
        role: Role::Owner,
        note: "owner of Duyun Daping Zinc Mine",
    },
    DemoLogin {
        username: "officer",
        password: "officer-demo-2026",
        role: Role::SafetyOfficer,
        note: "safety officer, Daping Zinc Mine",
    },
    DemoLogin {
        username: "bureau",
        password: "bureau-demo-2026",
        role: Role::Bureau,
        note: "Land and Resources Bureau (read-only)",
    },
];

/// People of the co-op: (name, phone, role, index of their enterprise in MEMBERS).
const PEOPLE: &[(&str, &str, CoopRole, Option<usize>)] = &[
    ("王德明", "138 0854 0001", CoopRole::President, Some(0)),
    ("黄丽", "138 0854 0002", CoopRole::Secretary, None),
    ("李光荣", "138 0854 0003", CoopRole::VicePresident, Some(1)),
    ("赵安全", "138 0854 0004", CoopRole::SafetyOfficer, Some(1)),
    ("周检", "138 0854 0005", CoopRole::Inspector, None),
    ("张永福", "138 0854 0006", CoopRole::Owner, Some(2)),
    ("陈世华", "138 0854 0007", CoopRole::Owner, Some(3)),
    ("孙会计", "138 0854 0008", CoopRole::Contact, None),
];

/// The USCC of the n-th demo member: Duyun's region code and a made-up organisation code,
/// completed with a correct check character.
pub fn demo_uscc(n: usize) -> Uscc {
    Uscc::complete(&format!("91522701MA6DY{n:04}")).unwrap_or_else(|| unreachable!("demo codes use valid characters"))
}

/// Load the demo co-op into an empty database. Refuses if any member exists.
pub async fn load(store: &Store) -> StoreResult<&'static [DemoLogin]> {
    if !store.member_choices().await?.is_empty() {
        return Err(StoreError::field("demo", "err-demo-not-empty"));
    }
    let actor = Actor::system("demo");
    let mut member_ids = Vec::new();
    let mut daping_mine = None;
    let mut mines_made = Vec::new();
    for (i, (zh, en, rep, year, mines)) in MEMBERS.iter().enumerate() {
        let d = MemberDraft {
            name_zh: (*zh).into(),
            name_en: (*en).into(),
            legal_representative: (*rep).into(),
            uscc: demo_uscc(i + 1),
            contact_phone: Some(format!("0854-82{:05}", 21000 + i * 17)),
            address: Some("贵州省黔南州都匀市牛角塘".into()),
            joined_on: chrono::NaiveDate::from_ymd_opt(*year, 3, 1).unwrap_or_default(),
            left_on: None,
            status: MemberStatus::Active,
        };
        let m = store.create_member(&actor, &d).await?;
        for (mzh, men, lat, lon, minerals, status) in mines.iter() {
            let mine = store
                .create_mine(
                    &actor,
                    &MineDraft {
                        member_id: m.id,
                        name_zh: (*mzh).into(),
                        name_en: (*men).into(),
                        location: LatLon::from_micro(*lat, *lon),
                        minerals: minerals.to_vec(),
                        mining_method: MiningMethod::Underground,
                        status: *status,
                    },
                )
                .await?;
            if i == 1 {
                daping_mine = Some(mine.id);
            }
            mines_made.push((mine.clone(), (*zh).to_owned()));
        }
        member_ids.push(m.id);
    }
    load_licences(store, &actor, &mines_made).await?;
    load_dispute(store, &actor, member_ids[1]).await?;
    for (name, phone, role, member) in PEOPLE {
        store
            .create_person(
                &actor,
                &PersonDraft {
                    name: (*name).into(),
                    phone: Some((*phone).into()),
                    coop_role: *role,
                    member_id: member.map(|i| member_ids[i]),
                    notes: None,
                },
            )
            .await?;
    }
    load_safety(store, &actor, &mines_made).await?;
    let mines: Vec<crate::registry::Mine> = mines_made.iter().map(|(m, _)| m.clone()).collect();
    store.load_demo_workforce(&actor, &mines, demo_today()).await?;
    for l in LOGINS {
        let (member_id, mine_id) = match l.role {
            Role::Owner => (Some(member_ids[1]), None),
            Role::SafetyOfficer => (None, daping_mine),
            _ => (None, None),
        };
        store
            .create_user(
                &actor,
                NewUser {
                    username: l.username.into(),
                    display_name: l.note.into(),
                    password: l.password.into(),
                    role: l.role,
                    member_id,
                    mine_id,
                },
            )
            .await?;
    }
    let mines: Vec<crate::registry::Mine> = mines_made.iter().map(|(m, _)| m.clone()).collect();
    crate::grievances::demo::load(store, &mines).await?;
    Ok(LOGINS)
}

/// The co-op's date (China Standard Time) as the demo's workers and policies see it.
pub fn demo_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Half the width and height of a demo lease, in degrees (about 560 m by 550 m).
const HALF_LON: f64 = 0.0028;
const HALF_LAT: f64 = 0.0025;

/// A licence for every demo mine: a rectangle of corner points around the mine. Niujiaotang
/// No. 2 reaches into No. 1 by a sliver, Mochong's licence has expired while the mine operates,
/// Daping's falls due for renewal, and Daping has a working beyond its boundary.
async fn load_licences(store: &Store, actor: &Actor, mines: &[(crate::registry::Mine, String)]) -> StoreResult<()> {
    use geo::{Coord, LineString, MultiPolygon, Polygon};
    use minecoop_domain::cadastre::{crs::Crs, ellipsoidal_area_m2, licence::LicenceDraft};
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    for (k, (mine, holder)) in mines.iter().enumerate() {
        let lon = mine.lon_micro as f64 / 1e6;
        let lat = mine.lat_micro as f64 / 1e6;
        let (mut west, mut south) = (lon - HALF_LON, lat - HALF_LAT);
        let (east, north) = (lon + HALF_LON, lat + HALF_LAT);
        if mine.name_en == "Niujiaotang No. 2 Mine" {
            west -= 0.0025;
            south -= 0.0006;
        }
        let ring = [(west, south), (east, south), (east, north), (west, north), (west, south)];
        let shape = MultiPolygon::new(vec![Polygon::new(
            LineString::from(ring.iter().map(|(x, y)| Coord { x: *x, y: *y }).collect::<Vec<_>>()),
            vec![],
        )]);
        let area = ellipsoidal_area_m2(&shape, Crs::Geographic).unwrap_or_default();
        let valid_to = match mine.name_en.as_str() {
            "Mochong Zinc Mine" => date(2026, 11, 1),
            "Daping Zinc Mine" => date(2027, 1, 20),
            _ => date(2029 + (k as i32 % 3), 6, 30),
        };
        let d = LicenceDraft {
            mine_id: mine.id,
            licence_no: format!("C5200002011{:012}", 43_120_110_001u64 + k as u64),
            holder: holder.clone(),
            mine_name: mine.name_zh.clone(),
            minerals: mine.minerals.clone(),
            mining_method: mine.mining_method.clone(),
            scale: 3.0,
            stated_area_km2: (area / 1e6 * 1e4).round() / 1e4,
            valid_from: date(valid_to.year_ce().1 as i32 - 7, 7, 1),
            valid_to,
            elevation_top_m: 1250.0,
            elevation_bottom_m: 850.0,
            issuing_office: "黔南州国土资源局".into(),
            issued_on: Some(date(valid_to.year_ce().1 as i32 - 7, 6, 15)),
            source_crs: "EPSG:4490".into(),
            boundary: shape,
            computed_area_m2: area,
            reason: "issued".into(),
            warnings: Vec::new(),
        };
        let ack = if mine.name_en == "Niujiaotang No. 2 Mine" {
            vec![crate::cadastre::AckedOverlap {
                licence_no: format!("C5200002011{:012}", 43_120_110_001u64),
                area_m2: 0.0,
            }]
        } else {
            Vec::new()
        };
        let lic = store.create_licence(actor, &d, &ack).await?;
        if mine.name_en == "Daping Zinc Mine" {
            // A shaft inside, a drift that runs 70 m past the east boundary, and a face below
            // the licensed bottom level.
            store.create_working(actor, lic.licence_id, "DP-S1", false, &[(lon, lat, Some(1100.0))]).await?;
            store
                .create_working(
                    actor,
                    lic.licence_id,
                    "DP-D2",
                    true,
                    &[(lon + 0.001, lat, Some(1020.0)), (lon + HALF_LON + 0.0007, lat + 0.0003, Some(1015.0))],
                )
                .await?;
            store
                .create_working(actor, lic.licence_id, "DP-F3", false, &[(lon - 0.001, lat - 0.001, Some(832.0))])
                .await?;
        } else if k % 4 == 0 {
            store
                .create_working(actor, lic.licence_id, &format!("W{k}-S1"), false, &[(lon, lat, Some(1080.0))])
                .await?;
        }
    }
    Ok(())
}

/// The co-op mediates the Daping drift that runs past its east boundary towards the village.
async fn load_dispute(store: &Store, actor: &Actor, daping: uuid::Uuid) -> StoreResult<()> {
    use minecoop_domain::cadastre::dispute::{DisputeDraft, DisputeKind, parse_event};
    let d = DisputeDraft {
        title: "大坪锌矿 DP-D2 巷道越界 / Daping drift DP-D2 beyond its east boundary".into(),
        kind: DisputeKind::CrossBoundary,
        description: "2026 年 11 月实测：DP-D2 巷道越过东界约 70 米，靠近大坪村耕地。/ Survey of November 2026: drift DP-D2 runs about 70 m past the east boundary, towards Daping village's fields.".into(),
        member_ids: vec![daping],
        other_parties: vec!["大坪村民委员会 / Daping village committee".into()],
        finding: Some("DP-D2: beyond_boundary 70 m (C5200002011043120110002)".into()),
        due_on: chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap_or_default(),
    };
    let case = store.open_dispute(actor, &d).await?;
    let meeting = parse_event("meeting", "合作社与矿主、村委会现场会议，停止该巷道掘进。/ Site meeting of the co-op, the owner and the village committee; work on the drift stopped.", "", case.status())
        .map_err(StoreError::Invalid)?;
    store.add_dispute_event(actor, case.id, case.version, &meeting).await?;
    Ok(())
}

/// The co-op's 2005 as the case study reports it: daily production of every operating mine
/// and the sampling programme's 216 samples with their custody and assays (and the
/// laboratory's reference materials and blanks, one batch of which fails quality control). Grades are set in
/// pairs of days around the reported averages (same tonnes, +d and -d), so that the year's
/// tonne-weighted averages are exactly feed 3.48 % Zn, tailing 0.28 %, waste 0.55 %. The co-op's
/// reported recovery of 91.25 % is recorded too, for the report to set against the grades.
/// Separate from [`load`] (which tests use) because it writes thousands of records.
pub async fn load_history(store: &Store) -> StoreResult<()> {
    let y2005 = chrono::NaiveDate::from_ymd_opt(2005, 12, 31).unwrap_or_default();
    load_history_between(store, 2005, y2005).await
}

/// The demo's history from `first_year` to `last_day`: daily production of every operating
/// mine, each year's around its own averages (2005 exactly the case study's: see
/// [`load_history`]; before it richer ore and poorer recovery, after it leaner ore and better
/// beneficiation, as the co-op's mines went), the sampling programme of 2005 and of the last
/// twelve months before `last_day`, and the reported 2005 recovery.
pub async fn load_history_between(store: &Store, first_year: i32, last_day: chrono::NaiveDate) -> StoreResult<()> {
    let actor = Actor::system("demo");
    let mines: Vec<_> = store.mine_choices().await?.into_iter().filter(|m| m.status == "operating").collect();
    for year in first_year..=last_day.year() {
        let drafts = production_year(&mines, year, last_day);
        // One transaction a year keeps each within reach of the database's limits.
        store.import_production(&actor, &drafts, "demo").await?;
    }
    crate::safety::demo::load(store, &mines, first_year, last_day).await?;
    store.load_demo_claims(last_day).await?;
    if (first_year..=last_day.year()).contains(&2005) {
        let (feed, tail, waste, _) = year_means(2005);
        for month in 1..=12u32 {
            let first = chrono::NaiveDate::from_ymd_opt(2005, month, 1).unwrap_or_default();
            sample_month(store, &actor, &mines, first, &format!("2005-{month:02}"), [feed, tail, waste, 500_000])
                .await?;
        }
        load_qc(store, &actor, mines.first().map(|m| m.id)).await?;
        store.report_figure(&actor, 2005, None, "recovery_pct.zn", 912_500, "DAOA report 2005").await?;
    }
    if last_day.year() != 2005 {
        // The last twelve whole months, so that this year's pages have samples to show.
        let mut month = last_day.with_day(1).unwrap_or(last_day);
        for _ in 0..12 {
            month = month.checked_sub_months(chrono::Months::new(1)).unwrap_or(month);
            if month.year() < first_year || month.year() == 2005 {
                continue;
            }
            let (feed, tail, waste, _) = year_means(month.year());
            let batch = month.format("%Y-%m").to_string();
            sample_month(store, &actor, &mines, month, &batch, [feed, tail, waste, 500_000]).await?;
        }
    }
    Ok(())
}

/// A year's average grades (10^-4 %: feed, tailing, waste) and its tonnage in percent of 2005's.
/// 2005 is the case study's; the ore got leaner by 0.04 % Zn a year, the tailings and waste
/// cleaner as the mills improved, and the mines milled more.
fn year_means(year: i32) -> (i64, i64, i64, i64) {
    let before = i64::from(2005 - year);
    let feed = 34_800 + before * 400;
    let tail = (2_800 + before * 100).max(1_800);
    let waste = (5_500 + before * 150).max(4_000);
    // Never below 40 % of 2005's: a demo asked to start long before the co-op still mills ore.
    let size = (100 - 3 * before).max(40);
    (feed, tail, waste, size)
}

fn production_year(
    mines: &[crate::registry::Mine],
    year: i32,
    last_day: chrono::NaiveDate,
) -> Vec<minecoop_domain::production::record::ProductionDraft> {
    use minecoop_domain::production::record::{Concentrate, ProductionDraft};
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    // The year's days, up to the day before `last_day` in its year (that day's work is not done).
    let days: Vec<chrono::NaiveDate> = start
        .iter_days()
        .take_while(|d| d.year() == year && (last_day.year() != year || *d < last_day || year == 2005))
        .collect();
    let (feed, tail, waste, size) = year_means(year);
    let conc = 500_000i64;
    let mut drafts = Vec::with_capacity(days.len() * mines.len());
    for (k, mine) in mines.iter().enumerate() {
        let k = k as i64;
        for (i, day) in days.iter().enumerate() {
            let (p, sign) = ((i / 2) as i64, if i % 2 == 0 { 1 } else { -1 });
            // The last day of an odd count has no partner: it sits on the average.
            let paired = i + 1 < days.len() || i % 2 == 1;
            let dev = |spread: i64, step: i64| if paired { sign * spread * step } else { 0 };
            let milled_kg = (80_000 + k * 7_000 + (p % 5) * 2_000) * size / 100;
            let conc_dry_kg = milled_kg * (feed - tail) / (conc - tail);
            // 8.5 % moisture: wet = dry / 0.915, to the kilogram.
            let wet_kg = (conc_dry_kg * 1000 + 457) / 915;
            drafts.push(ProductionDraft {
                mine_id: mine.id,
                day: *day,
                shift: String::new(),
                ore_hoisted_kg: Some(milled_kg + 5_000),
                ore_milled_kg: Some(milled_kg),
                feed_grades: [("zn".to_owned(), feed + dev((p * 37 + k * 11) % 9 - 4, 300))].into(),
                concentrates: vec![Concentrate {
                    name: "锌精矿".into(),
                    wet_kg,
                    moisture: 850,
                    grades: [("zn".to_owned(), conc)].into(),
                }],
                tailings_kg: Some(milled_kg - conc_dry_kg),
                tailings_grades: [("zn".to_owned(), tail + dev((p * 13 + k * 5) % 5 - 2, 150))].into(),
                tailings_facility: Some("牛角塘尾矿库".into()),
                waste_kg: Some(milled_kg / 5),
                waste_grades: [("zn".to_owned(), waste + dev((p * 7 + k) % 3 - 1, 400))].into(),
                hours_worked: Some((30 + k) * 8 * 10),
                worker_shifts: Some(30 + k),
                electricity_kwh: Some(milled_kg / 1000 * 27 * 10),
                water_m3: Some(milled_kg / 1000 * 15),
                diesel_l: Some(1_200),
                explosives_kg: Some(milled_kg / 1000 * 4),
                costs: [("labour".to_owned(), (30 + k) * 6_000), ("electricity".to_owned(), milled_kg / 1000 * 1_600)]
                    .into(),
                reason: None,
                warnings: Vec::new(),
            });
        }
    }
    drafts
}

/// A month of the sampling programme: 18 samples (6 feed, 5 tailing, 4 waste, 3 concentrate)
/// spread over the mines, followed to the laboratory and assayed around the month's grades
/// (`[feed, tail, waste, concentrate]` in 10^-4 %).
async fn sample_month(
    store: &Store,
    actor: &Actor,
    mines: &[crate::registry::Mine],
    first: chrono::NaiveDate,
    batch: &str,
    grades: [i64; 4],
) -> StoreResult<()> {
    use minecoop_domain::production::sample::{AssayDraft, CustodyStep, QcRole, SampleDraft, SampleKind};
    let kinds = [
        (SampleKind::Feed, 6, "入选皮带", grades[0]),
        (SampleKind::Tailing, 5, "尾矿排放口", grades[1]),
        (SampleKind::Waste, 4, "废石场", grades[2]),
        (SampleKind::Concentrate, 3, "精矿仓", grades[3]),
    ];
    let month = first.month() as i64;
    let mut slot = 0u32;
    for (kind, count, point, grade) in kinds {
        for j in 0..count {
            let mine = &mines[(slot as usize + (month as usize - 1) * 18) % mines.len().max(1)];
            slot += 1;
            let day = first.with_day(slot).unwrap_or(first);
            let at = |h| day.and_hms_opt(h, 0, 0).unwrap_or_default();
            let d = SampleDraft {
                mine_id: mine.id,
                kind,
                point: point.into(),
                taken_at: at(9),
                taken_by: "合作社取样员".into(),
                qc_role: QcRole::Routine,
                duplicate_of: None,
                reference: None,
                notes: None,
            };
            let s = store.register_sample(actor, &d).await?;
            store.add_custody_step(actor, s.id, CustodyStep::Dispatched, at(12), "合作社取样员", None).await?;
            store.add_custody_step(actor, s.id, CustodyStep::Received, at(16), "都匀化验室", None).await?;
            let value = grade + ((j as i64 * 3 + month) % 5 - 2) * (grade / 40);
            let r = AssayDraft {
                element: "zn".into(),
                value: Some(value),
                below_dl: false,
                detection_limit: Some(100),
                method: "AAS".into(),
            };
            store.record_assays(actor, s.id, "都匀化验室", batch, &[r], None).await?;
            store.add_custody_step(actor, s.id, CustodyStep::Assayed, at(17), "都匀化验室", None).await?;
        }
    }
    Ok(())
}

/// The laboratory's own checks of 2005: a reference material and a blank in every monthly
/// batch. In July the reference material reads 3.21 % against 3.00 ± 0.05 %: the batch fails
/// quality control and waits on the dashboard for an inspector. Registered after the routine
/// samples, so their codes stay as they were; the report counts them apart.
async fn load_qc(store: &Store, actor: &Actor, mine: Option<uuid::Uuid>) -> StoreResult<()> {
    use minecoop_domain::production::qc::MaterialDraft;
    use minecoop_domain::production::sample::{AssayDraft, CustodyStep, QcRole, SampleDraft, SampleKind};
    let Some(mine) = mine else { return Ok(()) };
    let crm = "ZnCRM-A";
    let m = MaterialDraft {
        name: crm.into(),
        element: "zn".into(),
        unit: "%".into(),
        accepted: 30_000,
        sd: 500,
        certificate: Some("演示用标准物质证书 2004-017".into()),
    };
    store.add_reference_material(actor, &m).await?;
    for month in 1..=12u32 {
        let day = chrono::NaiveDate::from_ymd_opt(2005, month, 20).unwrap_or_default();
        let at = |h| day.and_hms_opt(h, 0, 0).unwrap_or_default();
        let crm_value = if month == 7 { 32_100 } else { 30_000 + (month as i64 % 5 - 2) * 150 };
        for (role, value) in [(QcRole::Reference, Some(crm_value)), (QcRole::Blank, None)] {
            let d = SampleDraft {
                mine_id: mine,
                kind: SampleKind::Feed,
                point: "化验室质控".into(),
                taken_at: at(9),
                taken_by: "都匀化验室".into(),
                qc_role: role,
                duplicate_of: None,
                reference: (role == QcRole::Reference).then(|| crm.to_owned()),
                notes: None,
            };
            let s = store.register_sample(actor, &d).await?;
            store.add_custody_step(actor, s.id, CustodyStep::Dispatched, at(10), "都匀化验室", None).await?;
            store.add_custody_step(actor, s.id, CustodyStep::Received, at(10), "都匀化验室", None).await?;
            let r = AssayDraft {
                element: "zn".into(),
                value,
                below_dl: value.is_none(),
                detection_limit: Some(100),
                method: "AAS".into(),
            };
            store.record_assays(actor, s.id, "都匀化验室", &format!("2005-{month:02}"), &[r], None).await?;
            store.add_custody_step(actor, s.id, CustodyStep::Assayed, at(17), "都匀化验室", None).await?;
        }
    }
    Ok(())
}

/// The demo's readings for the default checklist's number questions.
const DEMO_READINGS: &[(&str, &str)] = &[
    ("vent-o2", "20.6"),
    ("vent-co", "6"),
    ("vent-no2", "0.4"),
    ("vent-air-speed", "0.6"),
    ("haul-walkway", "0.9"),
    ("expl-wait", "30"),
    ("elec-earth", "1.1"),
    ("tail-freeboard", "1.4"),
    ("tail-beach", "85"),
];

/// Hazards the demo registers, by category: (title, category, likelihood, severity, controls).
const DEMO_HAZARDS: &[(&str, &str, u8, u8, &str)] = &[
    (
        "采场顶板浮石冒落 / Loose rock falling from the stope back",
        "ground_fall",
        4,
        5,
        "每班敲帮问顶；锚杆金属网支护跟进工作面 / Scaling every shift; bolts and mesh up to the face",
    ),
    (
        "爆破后炮烟中毒 / Blasting fumes after firing",
        "ventilation",
        3,
        4,
        "爆破后通风不少于 15 分钟，检测 CO、NO2 后进入 / At least 15 minutes' ventilation, CO and NO2 measured before re-entry",
    ),
    (
        "主井提升过卷 / Overwind of the main shaft hoist",
        "hoisting",
        2,
        5,
        "过卷保护每日试验并记录 / Overwind protection tested and recorded daily",
    ),
    (
        "凿岩粉尘（矽尘）/ Silica dust from drilling",
        "dust",
        4,
        3,
        "湿式凿岩、洒水降尘、佩戴 KN95 口罩 / Wet drilling, watering, KN95 masks",
    ),
];

/// Safety records of the demo: a monthly inspection schedule for every operating mine, done
/// once in the last weeks (Laozhai's last inspection was six weeks ago, so it is overdue), a
/// failed item at Daping and at Niujiaotang No. 1 (open findings), and a hazard register for
/// the mines whose enterprises have people in the register (Daping has one review overdue and
/// one hazard re-rated after bolting).
async fn load_safety(store: &Store, actor: &Actor, mines: &[(crate::registry::Mine, String)]) -> StoreResult<()> {
    use minecoop_domain::safety::hazard::HazardDraft;
    use minecoop_domain::safety::inspection::{
        AnswerInput, DEFAULT_TEMPLATE_ID, InspectionDraft, InspectionInput, IntervalUnit, QuestionKind, Recurrence,
        ScheduleDraft,
    };
    let today = crate::now().date_naive();
    let days_ago = |n: u64| today.checked_sub_days(chrono::Days::new(n)).unwrap_or(today);
    let template = store.inspection_template(DEFAULT_TEMPLATE_ID).await?;
    let content = template.content();
    let monthly = Recurrence { every: 1, unit: IntervalUnit::Months };
    let operating: Vec<&crate::registry::Mine> =
        mines.iter().map(|(m, _)| m).filter(|m| m.status == MineStatus::Operating.as_str()).collect();
    for (n, mine) in operating.iter().enumerate() {
        let schedule = store
            .create_inspection_schedule(
                actor,
                &ScheduleDraft {
                    mine_id: mine.id,
                    template_id: DEFAULT_TEMPLATE_ID,
                    recurrence: monthly,
                    first_due: days_ago(75),
                },
            )
            .await?;
        let done = if mine.name_en.starts_with("Laozhai") { days_ago(45) } else { days_ago(5 + n as u64 * 2) };
        let mut answers: std::collections::BTreeMap<String, AnswerInput> = content
            .questions()
            .map(|q| {
                let value = match q.kind {
                    QuestionKind::YesNo => "yes".to_owned(),
                    // Readings comfortably inside the limits.
                    QuestionKind::Number => {
                        DEMO_READINGS.iter().find(|(k, _)| *k == q.key).map_or("na", |(_, v)| *v).to_owned()
                    }
                    _ => String::new(),
                };
                (q.key.clone(), AnswerInput { value, note: String::new() })
            })
            .collect();
        let mut fail = |key: &str, value: &str, note: &str| {
            answers.insert(key.into(), AnswerInput { value: value.into(), note: note.into() });
        };
        if mine.name_en.starts_with("Daping") {
            fail("vent-o2", "19.1", "东二采场回风侧氧气偏低 / Low O2 on the return side of stope E2");
            fail("exit-self-rescuer", "no", "两名工人自救器过期 / Two workers' self-rescuers out of date");
        } else if mine.name_en.starts_with("Niujiaotang No. 1") {
            fail("tail-seepage", "no", "坝脚右侧渗水 / Seepage at the right toe of the dam");
        }
        let input = InspectionInput {
            mine_id: mine.id.to_string(),
            schedule_id: schedule.id.to_string(),
            template_id: DEFAULT_TEMPLATE_ID.to_string(),
            inspected_on: done.format("%Y-%m-%d").to_string(),
            inspector: "周检".into(),
            notes: String::new(),
            answers,
        };
        let d = InspectionDraft::parse(&input, &content, today).map_err(StoreError::Invalid)?;
        store.record_inspection(actor, template.id, &d, &[]).await?;
    }
    for (mine, _) in mines {
        let owners = store.hazard_owner_choices(&[mine.member_id]).await?;
        let Some(owner) = owners.last() else { continue };
        if mine.status != MineStatus::Operating.as_str() {
            continue;
        }
        let daping = mine.name_en.starts_with("Daping");
        for (n, (title, category, l, s, controls)) in DEMO_HAZARDS.iter().enumerate() {
            let d = HazardDraft {
                mine_id: mine.id,
                title: (*title).into(),
                category: minecoop_domain::safety::hazard::HazardCategory::parse(category)
                    .map_err(|c| StoreError::field("category", c))?,
                description: None,
                likelihood: *l,
                severity: *s,
                controls: (*controls).into(),
                owner_id: owner.id,
                // Daping's dust hazard was due for review a week ago.
                review_on: if daping && n == 3 { days_ago(7) } else { today + chrono::Days::new(90 + n as u64 * 30) },
                reason: None,
            };
            let h = store.create_hazard(actor, &d).await?;
            if daping && n == 0 {
                let after = HazardDraft {
                    likelihood: 2,
                    reason: Some("锚网支护已完成 / Bolting and mesh finished".into()),
                    ..d
                };
                store.revise_hazard(actor, h.hazard_id, h.version, &after).await?;
            }
        }
    }
    Ok(())
}
