//! The demo co-op's safety history (issue 5 item 10): a relatively large accident in July 1999,
//! then seven years without an accident above "general" to August 2006, a few general accidents
//! in between, and from then on a realistic mix of near misses and minor injuries to the last
//! day, with their actions (the recent ones partly open, some overdue), and one explosives
//! difference at Daping under investigation.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use minecoop_domain::safety::action::{ActionDraft, ActionKind, ActionSource};
use minecoop_domain::safety::incident::{IncidentDraft, IncidentKind, Occurrence, ReportMeans};
use uuid::Uuid;

use crate::registry::Mine;
use crate::{Actor, Store, StoreResult};

/// A small deterministic generator, so the demo is the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default())
}

struct Planned {
    mine: Uuid,
    occurred: NaiveDateTime,
    kind: IncidentKind,
    occurrence: Option<Occurrence>,
    location: &'static str,
    description: &'static str,
    deaths: u32,
    serious: u32,
    minor: u32,
    loss_fen: i64,
}

fn draft(p: &Planned, last_day: NaiveDate) -> IncidentDraft {
    let reportable = p.kind.reportable();
    // The mine reported on time; the investigation reported within its 60 days when it is over.
    let report = p.occurred + Duration::minutes(40);
    let investigated = p.occurred + Duration::days(45);
    IncidentDraft {
        mine_id: p.mine,
        kind: p.kind,
        occurrence: p.occurrence,
        occurred_at: p.occurred,
        unit_head_notified_at: p.occurred + Duration::minutes(15),
        location: p.location.into(),
        description: p.description.into(),
        deaths: p.deaths,
        serious_injuries: p.serious,
        minor_injuries: p.minor,
        loss_fen: p.loss_fen,
        reported_at: reportable.then_some(report),
        reported_to: reportable.then(|| "都匀市安全生产监督管理局".to_owned()),
        reported_how: reportable.then_some(ReportMeans::Phone),
        extension_days: None,
        extension_reason: None,
        investigation_report_at: (reportable && investigated.date() <= last_day).then_some(investigated),
        reason: None,
    }
}

const MINOR: [(IncidentKind, &str, &str); 6] = [
    (IncidentKind::NearMiss, "主运输巷", "重车在斜坡上溜车，所幸无人在其路线上。"),
    (IncidentKind::NearMiss, "3号采场顶板", "敲帮问顶签字确认后仍有浮石掉落。"),
    (IncidentKind::FirstAid, "选厂球磨机给料口", "清理给料溜槽时手部划伤，现场包扎。"),
    (IncidentKind::FirstAid, "一中段车场", "装车时粉尘入眼，在车场冲洗。"),
    (IncidentKind::MedicalTreatment, "机修车间", "更换钎杆时手指被压伤，在卫生所缝合。"),
    (IncidentKind::RestrictedWork, "二中段平巷", "在底板上扭伤脚踝，轻工作一周。"),
];

/// Load the safety history from `first_year` to `last_day` for the operating mines.
pub async fn load(store: &Store, mines: &[Mine], first_year: i32, last_day: NaiveDate) -> StoreResult<()> {
    if mines.is_empty() {
        return Ok(());
    }
    let demo = Actor::system("demo");
    let mine = |i: usize| mines[i % mines.len()].id;
    let mut plan = vec![
        Planned {
            mine: mine(2),
            occurred: at(NaiveDate::from_ymd_opt(1999, 7, 14).unwrap_or(last_day), 10, 20),
            kind: IncidentKind::Fatality,
            occurrence: Some(Occurrence::GroundFall),
            location: "三中段7号采场",
            description: "未支护采场的上盘冒落，压住三名矿工。",
            deaths: 3,
            serious: 1,
            minor: 0,
            loss_fen: 180_000_000,
        },
        Planned {
            mine: mine(4),
            occurred: at(NaiveDate::from_ymd_opt(2001, 5, 9).unwrap_or(last_day), 15, 5),
            kind: IncidentKind::LostTime,
            occurrence: None,
            location: "提升机房",
            description: "一名矿工手臂被提升钢丝绳卷入，骨折，停工三周。",
            deaths: 0,
            serious: 1,
            minor: 0,
            loss_fen: 0,
        },
        Planned {
            mine: mine(1),
            occurred: at(NaiveDate::from_ymd_opt(2003, 11, 21).unwrap_or(last_day), 8, 50),
            kind: IncidentKind::DangerousOccurrence,
            occurrence: Some(Occurrence::Flooding),
            location: "二中段水仓",
            description: "老空区突水，中段人员全部撤出，无人受伤。",
            deaths: 0,
            serious: 0,
            minor: 0,
            loss_fen: 32_000_000,
        },
        Planned {
            mine: mine(0),
            occurred: at(NaiveDate::from_ymd_opt(2005, 6, 2).unwrap_or(last_day), 22, 40),
            kind: IncidentKind::LostTime,
            occurrence: None,
            location: "一中段2号采场",
            description: "一名矿工脚部被矿堆滚石压伤，停工五周。",
            deaths: 0,
            serious: 1,
            minor: 0,
            loss_fen: 0,
        },
    ];
    // From September 2006: about one near miss or minor injury a month somewhere in the co-op.
    let mut rng = Lcg(2006);
    let mut day = NaiveDate::from_ymd_opt(2006, 9, 1).unwrap_or(last_day);
    while day <= last_day {
        let (kind, location, description) = MINOR[rng.next(MINOR.len() as u64) as usize];
        plan.push(Planned {
            mine: mine(rng.next(mines.len() as u64) as usize),
            occurred: at(day, 7 + rng.next(14) as u32, rng.next(60) as u32),
            kind,
            occurrence: None,
            location,
            description,
            deaths: 0,
            serious: 0,
            minor: u32::from(kind != IncidentKind::NearMiss),
            loss_fen: 0,
        });
        day += Duration::days(20 + rng.next(25) as i64);
    }
    let daping = mines.iter().find(|m| m.name_en.contains("Daping")).map(|m| m.id).unwrap_or(mine(0));
    let recent = last_day - Duration::days(365);
    for p in plan.iter().filter(|p| p.occurred.year() >= first_year && p.occurred.date() <= last_day) {
        let inc = store.record_incident(&demo, &draft(p, last_day)).await?;
        let recent_one = p.occurred.date() >= recent;
        // Older incidents: their actions were done and verified long ago. Recent ones: the
        // containment is done, the corrective action may still be open (and late).
        if p.kind == IncidentKind::NearMiss && !recent_one {
            continue;
        }
        let owner = if p.mine == daping { "officer" } else { "inspector" };
        let verifier = if owner == "officer" { "inspector" } else { "president" };
        let raise = |kind: ActionKind, description: &str, due: NaiveDate| ActionDraft {
            source_kind: ActionSource::Incident,
            source_id: inc.incident_id,
            kind,
            description: description.into(),
            owner: owner.into(),
            due_on: due,
        };
        let day = p.occurred.date();
        let c = store.raise_action(&demo, &raise(ActionKind::Containment, "排除险情并设置围栏", day)).await?;
        let who = |name: &str| Actor { user_id: None, name: name.into() };
        store.complete_action(&who(owner), c.id, "当班完成，照片见交接班记录").await?;
        store.verify_action(&who(verifier), c.id, true, "下次检查时现场确认").await?;
        let due = day + Duration::days(21);
        let k =
            store.raise_action(&demo, &raise(ActionKind::Corrective, "整改查明的原因，并向每个班组交底", due)).await?;
        // A third of the last year's corrective actions are still open, most of them late.
        let left_open = recent_one && rng.next(3) == 0;
        if due + Duration::days(40) < last_day && !left_open {
            store.complete_action(&who(owner), k.id, "已完成，见班前会记录").await?;
            store.verify_action(&who(verifier), k.id, true, "现场核实").await?;
        }
    }
    if last_day.year() >= first_year {
        magazine(store, daping, last_day).await?;
    }
    Ok(())
}

/// Daping's magazine over the last month: a receipt, then each day an issue to the blaster
/// (the safety officer, who holds a certificate), a blast, a return and the evening count. The
/// last count, the evening before `last_day`, finds two detonators short: the security incident
/// it opens is under investigation, its containment done and its corrective action open.
async fn magazine(store: &Store, mine: Uuid, last_day: NaiveDate) -> StoreResult<()> {
    use minecoop_domain::safety::explosives::{CertificateDraft, EntryDraft, EntryKind, Item, Shift};
    let demo = Actor::system("demo");
    let first = last_day - Duration::days(30);
    store
        .add_blaster_certificate(
            &demo,
            &CertificateDraft {
                username: "officer".into(),
                number: "黔爆证 520270-0042".into(),
                issued_by: "都匀市公安局".into(),
                valid_from: first - Duration::days(400),
                valid_to: last_day + Duration::days(700),
            },
        )
        .await?;
    let line = |kind: EntryKind, item: Item, units: i64, t: NaiveDateTime| EntryDraft {
        kind,
        item,
        qty_milli: units * 1000,
        at: t,
        permit_no: (kind == EntryKind::Receipt).then(|| "黔公爆购 2026-0113".to_owned()),
        blaster: matches!(kind, EntryKind::Issue | EntryKind::Return | EntryKind::Use).then(|| "officer".to_owned()),
        shift: matches!(kind, EntryKind::Issue | EntryKind::Return | EntryKind::Use).then_some(Shift::Day),
        blast_location: (kind == EntryKind::Use).then(|| "二中段4号采场工作面".to_owned()),
        note: None,
    };
    store.record_explosives(&demo, mine, &line(EntryKind::Receipt, Item::Detonators, 1000, at(first, 9, 0))).await?;
    store.record_explosives(&demo, mine, &line(EntryKind::Receipt, Item::Emulsion, 600, at(first, 9, 5))).await?;
    let officer = Actor { user_id: None, name: "officer".into() };
    let mut stock = (1000_i64, 600_i64);
    let mut day = first;
    while day < last_day {
        for (item, issue, used) in [(Item::Detonators, 30, 28), (Item::Emulsion, 20, 19)] {
            store.record_explosives(&officer, mine, &line(EntryKind::Issue, item, issue, at(day, 7, 0))).await?;
            store.record_explosives(&officer, mine, &line(EntryKind::Use, item, used, at(day, 15, 0))).await?;
            store
                .record_explosives(&officer, mine, &line(EntryKind::Return, item, issue - used, at(day, 16, 0)))
                .await?;
            let book = if item == Item::Detonators { &mut stock.0 } else { &mut stock.1 };
            *book -= used;
            let short = if item == Item::Detonators && day + Duration::days(1) == last_day { 2 } else { 0 };
            let counted = store
                .record_explosives(&officer, mine, &line(EntryKind::Count, item, *book - short, at(day, 19, 0)))
                .await?;
            if let Some(inc) = counted.incident {
                let raise = |kind: ActionKind, description: &str, due: NaiveDate| ActionDraft {
                    source_kind: ActionSource::Incident,
                    source_id: inc.incident_id,
                    kind,
                    description: description.into(),
                    owner: "officer".into(),
                    due_on: due,
                };
                let c =
                    store.raise_action(&demo, &raise(ActionKind::Containment, "封存炸药库，每班双人清点", day)).await?;
                store.complete_action(&officer, c.id, "19:30 已封库，并已报告公安机关").await?;
                let inspector = Actor { user_id: None, name: "inspector".into() };
                store.verify_action(&inspector, c.id, true, "封条已核查").await?;
                store
                    .raise_action(
                        &demo,
                        &raise(
                            ActionKind::Corrective,
                            "查找两发雷管下落，核对当天领退料单",
                            last_day + Duration::days(7),
                        ),
                    )
                    .await?;
            }
        }
        day += Duration::days(1);
    }
    Ok(())
}
