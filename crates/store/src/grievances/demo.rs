//! The demo's grievances: a dozen cases across the mines and categories in every state, two
//! from anonymous villagers (one overdue for acknowledgement), one escalated to the government,
//! one with a corrective action raised. The first case's tracking code is fixed and printed by
//! `serve --demo`, to try the public tracking page.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use minecoop_domain::grievances::workflow::{EscalatedTo, MessageKind};
use minecoop_domain::grievances::{Category, Channel, Complainant, ComplainantType, GrievanceDraft, Status};
use minecoop_domain::safety::action::{ActionDraft, ActionKind, ActionSource};
use uuid::Uuid;

use crate::registry::Mine;
use crate::{Actor, Store, StoreResult};

/// The tracking code of the demo's first case (an anonymous villager's, just received).
pub const DEMO_CODE: &str = "GRV6-DEM0-2026";

/// What happens to a demo case after it is received: (days after receipt, entry, note).
type Entry = (i64, Step, &'static str);

#[derive(Clone, Copy)]
enum Step {
    To(Status),
    Escalate(EscalatedTo),
    Msg(MessageKind),
}

struct Demo {
    category: Category,
    who: ComplainantType,
    channel: Channel,
    /// Mines by English name prefix; empty: the complainant did not know.
    mines: &'static [&'static str],
    days_ago: i64,
    name: Option<(&'static str, &'static str)>,
    text: &'static str,
    occurred: &'static str,
    place: &'static str,
    entries: &'static [Entry],
}

use Status::*;
use Step::{Escalate, Msg, To};

const CASES: &[Demo] = &[
    Demo {
        category: Category::Water,
        who: ComplainantType::Villager,
        channel: Channel::Web,
        mines: &["Daping"],
        days_ago: 2,
        name: None,
        text: "大坪村下寨的水井这几天水变浑了，有一股铁锈味，下雨后更严重。怀疑是矿上排的水流进了沟里。",
        occurred: "本周一开始",
        place: "大坪村下寨水井",
        entries: &[],
    },
    Demo {
        category: Category::DustNoise,
        who: ComplainantType::Villager,
        channel: Channel::Web,
        mines: &["Niujiaotang No. 1"],
        // Due for acknowledgement sixteen days ago: the president hears of it too.
        days_ago: 23,
        name: None,
        text: "晚上十点以后矿车还在村道上跑，灰尘很大，噪音吵得老人小孩睡不着。",
        occurred: "最近两个星期，每天晚上",
        place: "牛角塘村村道",
        entries: &[],
    },
    Demo {
        category: Category::Wages,
        who: ComplainantType::Worker,
        channel: Channel::InPerson,
        mines: &["Laozhai"],
        days_ago: 20,
        name: Some(("杨德明", "138 8540 2231")),
        text: "九月和十月的工资还差两千四百元没有发，班长说要等矿石卖了才发。",
        occurred: "2026年9月至10月",
        place: "老寨锌矿",
        entries: &[(2, To(Acknowledged), "已收到，合作社将在一周内与矿方核对工资表。")],
    },
    Demo {
        category: Category::Crops,
        who: ComplainantType::Farmer,
        channel: Channel::Phone,
        mines: &["Daping"],
        days_ago: 40,
        name: Some(("罗国兰", "139 8541 7702")),
        text: "我家两亩玉米地挨着大坪锌矿的排土场，今年玉米叶子发黄，收成少了一半。",
        occurred: "今年七八月",
        place: "大坪村排土场下方",
        entries: &[
            (3, To(Acknowledged), "已登记，安排现场查看。"),
            (10, Msg(MessageKind::Note), "现场查看：排土场挡墙有两处渗水，流向罗家地块。"),
            (20, To(Investigated), "调查完成：渗水经过地块，已取土样送检。"),
            (30, To(ResolutionProposed), "矿方修复挡墙并按每亩八百元补偿今年的减产，共一千六百元。"),
            (30, Msg(MessageKind::Reply), "请您看看补偿方案，可以在本页选择接受或不接受。"),
        ],
    },
    Demo {
        category: Category::Safety,
        who: ComplainantType::Worker,
        channel: Channel::SuggestionBox,
        mines: &["Daping"],
        days_ago: 25,
        name: Some(("王小军", "")),
        text: "二号平硐的支护木有几根已经裂了，班组反映过几次，没有人来换。",
        occurred: "上个月起",
        place: "大坪锌矿二号平硐",
        entries: &[
            (1, To(Acknowledged), "已收到，交安全员处理。"),
            (5, To(Investigated), "安全员检查属实：三根支护木开裂。已提出整改措施。"),
        ],
    },
    Demo {
        category: Category::Land,
        who: ComplainantType::Villager,
        channel: Channel::InPerson,
        mines: &["Machangping"],
        days_ago: 60,
        name: Some(("陈德富", "136 1854 3390")),
        text: "马场坪锌矿修运矿便道占了我家一块菜地，没有商量也没有补偿。",
        occurred: "2026年8月",
        place: "马场坪村菜地",
        entries: &[
            (2, To(Acknowledged), ""),
            (15, To(Investigated), "村委会和矿方一起量了地，占地约0.3亩。"),
            (25, To(ResolutionProposed), "矿方按村里标准一次性补偿三千元，并把便道边坡恢复成菜地。"),
            (28, To(Accepted), "同意补偿方案。"),
            (40, To(Closed), "补偿已付清，菜地已恢复。"),
        ],
    },
    Demo {
        category: Category::Compensation,
        who: ComplainantType::Farmer,
        channel: Channel::InPerson,
        mines: &["Xinzhai"],
        days_ago: 90,
        name: Some(("杨秀英", "137 8546 1188")),
        text: "放炮震裂了我家房子的墙，矿上只愿意赔五百元，不够修墙。",
        occurred: "2026年7月",
        place: "新寨村三组",
        entries: &[
            (3, To(Acknowledged), ""),
            (20, To(Investigated), "请房屋鉴定人员看过，墙体裂缝与爆破震动有关。"),
            (35, To(ResolutionProposed), "矿方赔偿两千元并调整爆破时间和药量。"),
            (40, To(Rejected), "两千元不够，修墙要五千元。"),
            (50, Escalate(EscalatedTo::Government), "双方分歧较大，已报镇政府调解。"),
        ],
    },
    Demo {
        category: Category::Discrimination,
        who: ComplainantType::Worker,
        channel: Channel::Phone,
        mines: &[],
        days_ago: 10,
        name: Some(("", "135 8540 6621")),
        text: "外地来的工人住宿和伙食比本地工人差，还要多交钱。不清楚是哪个矿的工头安排的。",
        occurred: "今年一直这样",
        place: "牛角塘工人宿舍",
        entries: &[
            (1, To(Acknowledged), ""),
            (3, Msg(MessageKind::Question), "请问是哪一栋宿舍？每月多交多少钱？"),
            (5, Msg(MessageKind::Info), "是河边那栋二层楼，每月多交一百五十元。"),
        ],
    },
    Demo {
        category: Category::Water,
        who: ComplainantType::Villager,
        channel: Channel::InPerson,
        mines: &["Niujiaotang No. 2"],
        days_ago: 50,
        name: Some(("吴光明", "")),
        text: "矿上抽水以后，寨子里的老井干了，现在要到两公里外挑水。",
        occurred: "今年春天",
        place: "牛角塘二组",
        entries: &[
            (2, To(Acknowledged), ""),
            (20, To(Investigated), "水文地质人员确认矿井排水影响了浅层地下水。"),
            (30, To(ResolutionProposed), "矿方出资接自来水管到寨子，年内完工。"),
            (33, To(Accepted), "同意。"),
        ],
    },
    Demo {
        category: Category::Wages,
        who: ComplainantType::Worker,
        channel: Channel::InPerson,
        mines: &["Yanjiao"],
        days_ago: 70,
        name: Some(("吴志强", "158 8542 0017")),
        text: "受伤休息期间矿上停发了工资。",
        occurred: "2026年6月",
        place: "岩脚锌矿",
        entries: &[
            (1, To(Acknowledged), ""),
            (10, To(Investigated), "工伤停工留薪期内工资应照发。"),
            (15, To(ResolutionProposed), "补发一个月工资。"),
            (18, To(Rejected), "停工两个月，只补一个月不对。"),
            (25, To(ResolutionProposed), "按停工留薪期补发两个月工资共九千二百元。"),
            (27, To(Accepted), "同意。"),
            (35, To(Closed), "已补发。"),
        ],
    },
    Demo {
        category: Category::Other,
        who: ComplainantType::Other,
        channel: Channel::Phone,
        mines: &["Huangnipo"],
        days_ago: 4,
        name: Some(("刘老师", "0854 8221 345")),
        text: "学校门口的路被运矿车压坏了，下雨天学生上学很危险。",
        occurred: "这个学期",
        place: "黄泥坡小学门口",
        entries: &[],
    },
    Demo {
        category: Category::Crops,
        who: ComplainantType::Farmer,
        channel: Channel::InPerson,
        mines: &["Daping", "Niujiaotang No. 1"],
        days_ago: 35,
        name: Some(("罗开明", "")),
        text: "两个矿的选矿废水都排进同一条沟，下游稻田的秧苗长不好。",
        occurred: "今年插秧以后",
        place: "牛角塘沟下游稻田",
        entries: &[(3, To(Acknowledged), ""), (30, To(Investigated), "取水样两份，锌含量超过农田灌溉标准。")],
    },
];

/// Load the demo's grievances (after the users, who own the action raised).
pub async fn load(store: &Store, mines: &[Mine]) -> StoreResult<()> {
    let staff = Actor::system("demo");
    let now = Utc::now();
    let today = (now + Duration::hours(8)).date_naive();
    for (n, c) in CASES.iter().enumerate() {
        let mine_ids: Vec<Uuid> =
            c.mines.iter().filter_map(|p| mines.iter().find(|m| m.name_en.starts_with(p)).map(|m| m.id)).collect();
        let complainant = match c.name {
            None => Complainant::Anonymous,
            Some((name, phone)) => Complainant::Named {
                name: (!name.is_empty()).then(|| name.to_owned()),
                phone: (!phone.is_empty()).then(|| phone.to_owned()),
            },
        };
        let received_on: NaiveDate = today - Duration::days(c.days_ago);
        let d = GrievanceDraft {
            category: c.category,
            complainant_type: c.who,
            mines: mine_ids,
            channel: c.channel,
            description: c.text.into(),
            occurred: Some(c.occurred.into()),
            place: Some(c.place.into()),
            complainant,
            received_on,
        };
        // The public page's cases are the public's, the others the staff's who took them.
        let actor = if c.channel == Channel::Web { super::public_actor() } else { staff.clone() };
        let plain = if n == 0 {
            minecoop_domain::grievances::code::normalize(DEMO_CODE).unwrap_or_default()
        } else {
            super::new_code()
        };
        let at = |days: i64| -> DateTime<Utc> { now - Duration::days(c.days_ago - days) };
        let mut tx = store.begin(&actor).await?;
        let g = super::insert(&mut tx, &d, &plain, Some(at(0))).await?;
        for (days, step, note) in c.entries {
            let note = (!note.is_empty()).then(|| (*note).to_owned());
            match *step {
                To(s) => super::append(&mut tx, g.id, s.as_str(), Some(s), None, note, true, Some(at(*days))).await?,
                Escalate(to) => {
                    super::append(
                        &mut tx,
                        g.id,
                        Escalated.as_str(),
                        Some(Escalated),
                        Some(to),
                        note,
                        true,
                        Some(at(*days)),
                    )
                    .await?
                }
                Msg(k) => {
                    super::append(&mut tx, g.id, k.as_str(), None, None, note, k.is_public(), Some(at(*days))).await?
                }
            };
        }
        tx.commit().await?;
        if c.category == Category::Safety {
            store
                .raise_action(
                    &staff,
                    &ActionDraft {
                        source_kind: ActionSource::Grievance,
                        source_id: g.id,
                        kind: ActionKind::Containment,
                        description: "更换二号平硐开裂的支护木，换好前停止该段作业。".into(),
                        owner: "officer".into(),
                        due_on: today + Duration::days(5),
                    },
                )
                .await?;
        }
    }
    Ok(())
}
