//! The demo co-op's workers (issue 6 item 7): 40 to 100 per operating mine with Chinese names,
//! jobs, dispatch and casual workers, a few family members each, certificates (some expired or
//! missing for a certificated job), training, and two years of policies per mine that leave the
//! few gaps listed in [`seeded_gaps`], and no others. Written in bulk in one transaction.

use chrono::{Datelike, Duration, NaiveDate};
use minecoop_domain::workforce::coverage::{LIABILITY_MIN_COVER_FEN, PolicyKind};
use minecoop_domain::workforce::idcard::{IdNumber, complete};
use minecoop_domain::workforce::{CertificateType, EmploymentForm, Job, Relation, Sex};
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

use super::{certificate, dependant, member, policy, training, worker};
use crate::registry::Mine;
use crate::{Actor, Store, StoreResult, new_id};

/// A gap the demo leaves on purpose, for the coverage check to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeededGap {
    /// The mine had no liability policy in force from `from` to `to` (a week last month).
    LiabilityLapse { mine_en: &'static str, from: NaiveDate, to: NaiveDate },
    /// This year's liability policy covers too little per person: every working worker of
    /// the mine is short of cover.
    LowLiabilityCover { mine_en: &'static str, cover_rmb: i64 },
    /// New workers not added to this year's work-injury policy.
    NotOnWorkInjury { mine_en: &'static str, names: [&'static str; 2] },
}

const LAPSE_MINE: &str = "Laozhai Zinc Mine";
const LOW_COVER_MINE: &str = "Machangping Zinc Mine";
const LOW_COVER_RMB: i64 = 300_000;
const NEW_WORKERS_MINE: &str = "Xinzhai Zinc Mine";
const NEW_WORKERS: [&str; 2] = ["韦小军", "蒙国庆"];

/// Every gap the demo seeds, as of `today`: the coverage check on the demo data on that day
/// finds exactly these.
pub fn seeded_gaps(today: NaiveDate) -> Vec<SeededGap> {
    let (from, to) = lapse(today);
    vec![
        SeededGap::LiabilityLapse { mine_en: LAPSE_MINE, from, to },
        SeededGap::LowLiabilityCover { mine_en: LOW_COVER_MINE, cover_rmb: LOW_COVER_RMB },
        SeededGap::NotOnWorkInjury { mine_en: NEW_WORKERS_MINE, names: NEW_WORKERS },
    ]
}

/// A family-cover gap the demo leaves on purpose (the co-op's own rule, apart from the
/// compulsory gaps): the family members of these workers are on no family-cover policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeededFamilyGap {
    /// The new workers' families were not added to this year's family-cover policy.
    NotOnFamilyCover { mine_en: &'static str, workers: [&'static str; 2] },
}

/// Every family-cover gap the demo seeds: the family section of the coverage check on the
/// demo data finds exactly the family members of these workers, and nobody else.
pub fn seeded_family_gaps() -> Vec<SeededFamilyGap> {
    vec![SeededFamilyGap::NotOnFamilyCover { mine_en: NEW_WORKERS_MINE, workers: NEW_WORKERS }]
}

/// How many days of coverage snapshots the demo writes (up to today), for the trend chart.
pub const SNAPSHOT_DAYS: i64 = 90;

/// The week last month without a liability policy: the 10th to the 16th.
fn lapse(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day(1).unwrap_or(today);
    let last_month = (first - Duration::days(1)).with_day(1).unwrap_or(first);
    (last_month + Duration::days(9), last_month + Duration::days(15))
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "胡", "朱", "郭", "何", "罗", "高",
    "林", "韦", "蒙", "石", "龙", "吴", "潘", "罗", "杨",
];
const GIVEN_MALE: &[&str] = &[
    "建国", "志强", "国华", "明", "伟", "永福", "德才", "光荣", "开林", "正平", "文军", "海", "世明", "大勇", "先富",
    "启贵", "少华", "兴旺", "昌林", "家顺", "朝阳", "学文", "忠", "长江",
];
const GIVEN_FEMALE: &[&str] = &["秀英", "桂芳", "玉兰", "春梅", "红霞", "小燕", "金花", "翠萍"];
const CHILD_NAMES: &[&str] = &["小明", "小芳", "小军", "小红", "浩然", "欣怡", "子涵", "俊杰"];
const VILLAGES: &[&str] = &["牛角塘村", "大坪村", "老寨村", "马场坪村", "新寨村", "岩脚村", "墨冲村", "摆桑村"];
const REGIONS: &[&str] = &["522702", "522722", "522725", "522727", "522730", "522732"];

/// Jobs in the proportions of a small underground zinc mine (by position in a cycle of 20).
const JOB_CYCLE: [Job; 20] = [
    Job::Miner,
    Job::Miner,
    Job::Driller,
    Job::Miner,
    Job::Haulage,
    Job::Blaster,
    Job::Miner,
    Job::GroundSupport,
    Job::Driller,
    Job::MillOperator,
    Job::Miner,
    Job::Haulage,
    Job::HoistOperator,
    Job::Ventilation,
    Job::Miner,
    Job::Drainage,
    Job::UndergroundElectrician,
    Job::Driver,
    Job::GasInspector,
    Job::Clerk,
];

/// A small deterministic generator, so the demo is the same on every load.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() as usize) % xs.len()]
    }
}

/// One generated worker, before writing.
struct Gen {
    worker_id: Uuid,
    name: String,
    start: NaiveDate,
    end: Option<NaiveDate>,
    /// The names of the family members on his record.
    family: Vec<String>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Store {
    /// Load the demo workforce for `mines` (operating ones get workers and policies) as of
    /// `today`, in one transaction with one audit record per worker and per policy.
    pub async fn load_demo_workforce(&self, actor: &Actor, mines: &[Mine], today: NaiveDate) -> StoreResult<()> {
        let keys = self.keys()?;
        let mut tx = self.begin(actor).await?;
        super::check_key(tx.conn(), keys, tx.now()).await?;
        let now = tx.now();
        let by = tx.actor().name.clone();
        let mut rng = Lcg(20_261_126);
        let (this_year, last_year) = (today.year(), today.year() - 1);
        let mut workers = Vec::new();
        let mut deps = Vec::new();
        let mut certs = Vec::new();
        let mut trainings = Vec::new();
        let mut policies = Vec::new();
        let mut members = Vec::new();
        for (k, mine) in mines.iter().enumerate().filter(|(_, m)| m.status == "operating") {
            let count = 40 + (k * 23) % 61;
            let mut gens: Vec<Gen> = Vec::new();
            for n in 0..count {
                let new_hire = mine.name_en == NEW_WORKERS_MINE && n >= count - 2;
                let male = new_hire || rng.next() % 100 < 88;
                let name = if new_hire {
                    NEW_WORKERS[n + 2 - count].to_owned()
                } else {
                    format!("{}{}", rng.pick(SURNAMES), rng.pick(if male { GIVEN_MALE } else { GIVEN_FEMALE }))
                };
                // Distinct birth days within a mine: 97 steps through 35 years of days.
                let birth = date(1966, 1, 1) + Duration::days(((n * 97 + k * 13) % (35 * 365)) as i64);
                let start = if new_hire {
                    today - Duration::days(10)
                } else {
                    let year = (birth.year() + 19).max(2008).min(this_year - 1);
                    date(year, 1 + (n % 12) as u32, 1 + (n % 27) as u32).min(today - Duration::days(40))
                };
                let job = if male {
                    JOB_CYCLE[(n + k) % JOB_CYCLE.len()]
                } else {
                    *rng.pick(&[Job::MillOperator, Job::Clerk, Job::Cook])
                };
                let end = (n % 23 == 7)
                    .then(|| (today - Duration::days(60 + (n as i64) * 3)).max(start + Duration::days(30)));
                let form = match n % 10 {
                    0 | 5 => EmploymentForm::Dispatch,
                    3 => EmploymentForm::Casual,
                    _ => EmploymentForm::Contract,
                };
                let sex_digit = if male { 1 + 2 * (n % 5) } else { 2 * (n % 5) };
                let region = REGIONS[(n + k) % REGIONS.len()];
                let number = complete(&format!("{region}{}{:02}{sex_digit}", birth.format("%Y%m%d"), k % 100))
                    .unwrap_or_default();
                let id = IdNumber::parse(&number).map_err(|c| crate::StoreError::field("id_number", c))?;
                let worker_id = new_id();
                let version_id = new_id();
                let w = worker::ActiveModel {
                    id: Set(version_id),
                    worker_id: Set(worker_id),
                    version: Set(1),
                    mine_id: Set(mine.id),
                    name: Set(name.clone()),
                    id_cipher: Set(keys.encrypt(id.as_str())?),
                    id_index: Set(keys.blind_index(id.as_str())),
                    id_masked: Set(id.masked()),
                    sex: Set(if male { Sex::Male } else { Sex::Female }.as_str().to_owned()),
                    birth_date: Set(birth),
                    home_village: Set(Some((*rng.pick(VILLAGES)).to_owned())),
                    phone: Set(Some(format!("139{:04}{:04}", 850 + k, n * 37 % 10_000))),
                    job: Set(job.as_str().to_owned()),
                    employment_form: Set(form.as_str().to_owned()),
                    start_date: Set(start),
                    end_date: Set(end),
                    emergency_name: Set(Some(format!("{}{}", &name.chars().next().unwrap_or('王'), "家属"))),
                    emergency_phone: Set(Some(format!("138{:04}{:04}", 850 + k, n * 53 % 10_000))),
                    reason: Set(None),
                    created_at: Set(now),
                    created_by: Set(by.clone()),
                };
                tx.record(
                    "create",
                    super::WORKER_ENTITY,
                    worker_id,
                    None::<&()>,
                    Some(&serde_json::json!({"mine_id": mine.id, "name": name, "id_masked": id.masked(), "job": job.as_str()})),
                );
                workers.push(w);
                // A spouse and up to two children for most married men; the new workers are
                // married (their families are the seeded family-cover gap).
                let married = male && birth.year() < 1995 && n % 4 != 1;
                let mut family = Vec::new();
                if married || new_hire {
                    let spouse = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_FEMALE));
                    family.push(spouse.clone());
                    deps.push(dependant::ActiveModel {
                        id: Set(new_id()),
                        worker_version_id: Set(version_id),
                        worker_id: Set(worker_id),
                        position: Set(0),
                        name: Set(spouse),
                        relation: Set(Relation::Spouse.as_str().to_owned()),
                        birth_date: Set(birth + Duration::days(400)),
                        id_cipher: Set(None),
                        id_masked: Set(None),
                    });
                    for c in 0..if married { n % 3 } else { 0 } {
                        let child = format!("{}{}", name.chars().next().unwrap_or('王'), rng.pick(CHILD_NAMES));
                        // Two children of one name would be one person to the family cover.
                        if family.contains(&child) {
                            continue;
                        }
                        family.push(child.clone());
                        deps.push(dependant::ActiveModel {
                            id: Set(new_id()),
                            worker_version_id: Set(version_id),
                            worker_id: Set(worker_id),
                            position: Set(1 + c as i32),
                            name: Set(child),
                            relation: Set(Relation::Child.as_str().to_owned()),
                            birth_date: Set(birth + Duration::days(365 * (26 + 3 * c as i64))),
                            id_cipher: Set(None),
                            id_masked: Set(None),
                        });
                    }
                }
                // Certificates: most valid; every 9th certificated worker's expired two months
                // ago, every 13th has none; every 11th ends within the month.
                if let Some(t) = job.certificate() {
                    let expires = if n % 13 == 4 {
                        None
                    } else if n % 9 == 2 {
                        Some(today - Duration::days(60))
                    } else if n % 11 == 6 {
                        Some(today + Duration::days(20))
                    } else {
                        Some(today + Duration::days(400 + (n as i64 * 11) % 900))
                    };
                    if let Some(expires) = expires {
                        certs.push(cert(t, worker_id, k, n, expires, now, &by));
                    }
                }
                trainings.push(training::ActiveModel {
                    id: Set(new_id()),
                    worker_id: Set(worker_id),
                    course: Set("三级安全教育（岗前）".into()),
                    on_date: Set(start),
                    hours_tenths: Set(720),
                    trainer: Set("黔南州安全培训中心".into()),
                    created_at: Set(now),
                    created_by: Set(by.clone()),
                });
                if job.underground() && end.is_none() {
                    trainings.push(training::ActiveModel {
                        id: Set(new_id()),
                        worker_id: Set(worker_id),
                        course: Set("年度安全再培训".into()),
                        on_date: Set(date(this_year, 3, 1 + (n % 20) as u32).min(today)),
                        hours_tenths: Set(200),
                        trainer: Set("合作社安全科".into()),
                        created_at: Set(now),
                        created_by: Set(by.clone()),
                    });
                }
                gens.push(Gen { worker_id, name, start, end, family });
            }
            // Policies: both compulsory kinds for last year and this year, and a group
            // accident policy this year; the seeded gaps in their three mines.
            let year = |y: i32| (date(y, 1, 1), date(y, 12, 31));
            let mut spans: Vec<(PolicyKind, NaiveDate, NaiveDate, Option<i64>, bool)> = Vec::new();
            for (y, this) in [(last_year, false), (this_year, true)] {
                let (a, b) = year(y);
                spans.push((PolicyKind::WorkInjury, a, b, None, this));
                if mine.name_en != LAPSE_MINE {
                    let cover = if this && mine.name_en == LOW_COVER_MINE { LOW_COVER_RMB * 100 } else { 50_000_000 };
                    spans.push((PolicyKind::SafetyLiability, a, b, Some(cover), this));
                }
            }
            if mine.name_en == LAPSE_MINE {
                let (gap_from, gap_to) = lapse(today);
                spans.push((
                    PolicyKind::SafetyLiability,
                    year(last_year).0,
                    gap_from - Duration::days(1),
                    Some(LIABILITY_MIN_COVER_FEN + 10_000_000),
                    false,
                ));
                spans.push((
                    PolicyKind::SafetyLiability,
                    gap_to + Duration::days(1),
                    year(this_year).1,
                    Some(LIABILITY_MIN_COVER_FEN + 10_000_000),
                    true,
                ));
            }
            spans.push((PolicyKind::Accident, year(this_year).0, year(this_year).1, Some(20_000_000), true));
            // Family cover for the workers' families, both years.
            for (y, this) in [(last_year, false), (this_year, true)] {
                spans.push((PolicyKind::FamilyCover, year(y).0, year(y).1, Some(10_000_000), this));
            }
            for (i, (kind, from, to, cover, this)) in spans.into_iter().enumerate() {
                let policy_id = new_id();
                let number = format!("{}{}{:02}{:02}", kind_prefix(kind), from.format("%Y%m"), k, i);
                let p = policy::ActiveModel {
                    id: Set(new_id()),
                    policy_id: Set(policy_id),
                    version: Set(1),
                    mine_id: Set(mine.id),
                    kind: Set(kind.as_str().to_owned()),
                    insurer: Set(if kind == PolicyKind::WorkInjury {
                        "都匀市社会保险事业局"
                    } else {
                        "中国人民财产保险股份有限公司黔南分公司"
                    }
                    .into()),
                    number: Set(number.clone()),
                    starts_on: Set(from),
                    ends_on: Set(to),
                    premium_fen: Set(count as i64 * if kind == PolicyKind::WorkInjury { 150_000 } else { 80_000 }),
                    cover_fen: Set(cover),
                    reason: Set(None),
                    created_at: Set(now),
                    created_by: Set(by.clone()),
                };
                tx.record(
                    "create",
                    super::POLICY_ENTITY,
                    policy_id,
                    None::<&()>,
                    Some(&serde_json::json!({"mine_id": mine.id, "kind": kind.as_str(), "number": number})),
                );
                policies.push(p);
                for g in &gens {
                    let left_before = g.end.is_some_and(|e| e < from);
                    let forgotten = this
                        && matches!(kind, PolicyKind::WorkInjury | PolicyKind::FamilyCover)
                        && mine.name_en == NEW_WORKERS_MINE
                        && NEW_WORKERS.contains(&g.name.as_str());
                    if g.start > to || left_before || forgotten {
                        continue;
                    }
                    // A family-cover policy covers the worker's family, not the worker.
                    let covered: Vec<Option<String>> = if kind == PolicyKind::FamilyCover {
                        g.family.iter().cloned().map(Some).collect()
                    } else {
                        vec![None]
                    };
                    for dependant_name in covered {
                        members.push(member::ActiveModel {
                            id: Set(new_id()),
                            policy_id: Set(policy_id),
                            worker_id: Set(g.worker_id),
                            from_on: Set(g.start.max(from)),
                            to_on: Set(g.end.filter(|e| *e < to)),
                            created_at: Set(now),
                            created_by: Set(by.clone()),
                            dependant_name: Set(dependant_name),
                            end_reason: Set(None),
                            ended_at: Set(None),
                            ended_by: Set(None),
                        });
                    }
                }
            }
        }
        for chunk in workers.chunks(200) {
            worker::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        for chunk in deps.chunks(300) {
            dependant::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        for chunk in certs.chunks(300) {
            certificate::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        for chunk in trainings.chunks(300) {
            training::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        for chunk in policies.chunks(200) {
            policy::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        for chunk in members.chunks(500) {
            member::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        tx.commit().await?;
        // The trend of the last days, from what was just written (the seeded gaps show as
        // dips).
        self.snapshot_coverage_between(today - Duration::days(SNAPSHOT_DAYS - 1), today).await?;
        Ok(())
    }
}

fn kind_prefix(k: PolicyKind) -> &'static str {
    match k {
        PolicyKind::WorkInjury => "GS",
        PolicyKind::SafetyLiability => "AZ",
        PolicyKind::Accident => "YW",
        PolicyKind::FamilyCover => "JT",
    }
}

fn cert(
    t: CertificateType,
    worker_id: Uuid,
    k: usize,
    n: usize,
    expires: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    by: &str,
) -> certificate::ActiveModel {
    certificate::ActiveModel {
        id: Set(new_id()),
        worker_id: Set(worker_id),
        cert_type: Set(t.as_str().to_owned()),
        number: Set(format!("T5227{:02}{:05}", k, n * 7 + 1000)),
        issued_by: Set("黔南州应急管理局".into()),
        issued_on: Set(expires - Duration::days(6 * 365)),
        expires_on: Set(expires),
        alerted_on: Set(None),
        created_at: Set(now),
        created_by: Set(by.to_owned()),
    }
}

/// What the demo's injury claims are, as of the demo's last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoClaims {
    /// Applied in time, recognised, compensated in full and closed.
    pub paid: Option<Uuid>,
    /// Opened, not applied for, the deadline five days away (Daping).
    pub near: Option<Uuid>,
    /// Opened, not applied for, the deadline passed eleven days ago (Daping).
    pub overdue: Option<Uuid>,
}

/// The worker of `mine` a demo claim names: the first working underground on `day` (by name)
/// who has no claim yet.
fn claim_worker<'a>(
    workers: &'a [super::Worker],
    mine: Uuid,
    day: NaiveDate,
    taken: &[Uuid],
) -> Option<&'a super::Worker> {
    use minecoop_domain::workforce::{WorkerState, state_on};
    workers.iter().find(|w| {
        w.mine_id == mine
            && state_on(w.start_date, w.end_date, day) == WorkerState::Active
            && Job::parse(&w.job).is_ok_and(|j| j.underground())
            && !taken.contains(&w.worker_id)
    })
}

impl Store {
    /// The demo's injury claims, after its workers and its safety history up to `last_day`:
    /// one on the latest earlier injury of the history that a worker of its mine was working
    /// on (applied for in time, recognised, paid and closed), and at Daping two injuries of the
    /// last weeks, recorded here because the history's injuries fall where chance puts them:
    /// one whose claim is not applied for with five days left, one eleven days overdue. The only
    /// fatal accident of the history (1999) predates every demo worker, so there is no fatal
    /// claim. Nothing is written when no worker was working on those days (a history ending
    /// before the workers were hired).
    pub async fn load_demo_claims(&self, last_day: NaiveDate) -> StoreResult<DemoClaims> {
        use minecoop_domain::safety::incident::{IncidentDraft, IncidentKind, ReportMeans};
        use minecoop_domain::workforce::claim::{ClaimDraft, ClaimInput};
        let demo = Actor::system("demo");
        let officer = Actor { user_id: None, name: "officer".into() };
        let workers = self.workers(None).await?;
        let mines = self.mine_choices().await?;
        let mut taken: Vec<Uuid> = Vec::new();
        let mut out = DemoClaims { paid: None, near: None, overdue: None };
        let parse = |i: &ClaimInput| ClaimDraft::parse(i, last_day).map_err(crate::StoreError::Invalid);
        let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();

        // The paid claim: the latest injury 90 days to 400 days before the last day.
        let injuries = self.incidents(None).await?;
        let earlier = injuries.iter().find(|i| {
            let day = i.occurred_at.date();
            matches!(i.kind.as_str(), "medical_treatment" | "restricted_work" | "lost_time")
                && day <= last_day - Duration::days(90)
                && day >= last_day - Duration::days(400)
                && claim_worker(&workers, i.mine_id, day, &taken).is_some()
        });
        if let Some(inc) = earlier {
            let day = inc.occurred_at.date();
            let w = claim_worker(&workers, inc.mine_id, day, &taken).map(|w| w.worker_id).unwrap_or_default();
            taken.push(w);
            let mut i = ClaimInput {
                incident_id: inc.incident_id.to_string(),
                worker_id: w.to_string(),
                severity: if inc.kind == "lost_time" { "serious" } else { "minor" }.into(),
                notes: "在乡卫生院治疗，医疗费单据齐全。".into(),
                ..Default::default()
            };
            let r = self.open_claim(&demo, &parse(&i)?).await?;
            let steps = ["applied", "determined", "claimed", "paid", "closed"];
            for (version, status) in steps.into_iter().enumerate() {
                i.status = status.into();
                match status {
                    "applied" => i.applied_on = fmt(day + Duration::days(12)),
                    "determined" => {
                        i.determination = "recognised".into();
                        i.determined_on = fmt(day + Duration::days(45));
                    }
                    "claimed" => {
                        i.payer = "injury_fund".into();
                        i.claimed = "12800".into();
                    }
                    "paid" => {
                        i.paid = "12800".into();
                        i.paid_on = fmt(day + Duration::days(70));
                    }
                    _ => i.reason = "工伤保险基金已全额支付，结案。".into(),
                }
                self.change_claim(&officer, r.id(), version as i32 + 1, &parse(&i)?).await?;
            }
            out.paid = Some(r.id());
        }

        // Two injuries of the last weeks at Daping.
        let Some(daping) = mines.iter().find(|m| m.name_en.starts_with("Daping")) else { return Ok(out) };
        let recent: [(i64, IncidentKind, &str, &str, &str); 2] = [
            (
                25,
                IncidentKind::LostTime,
                "二中段运输巷",
                "矿车掉道，推车工左小腿被压伤骨折，送都匀市人民医院。",
                "serious",
            ),
            (
                41,
                IncidentKind::MedicalTreatment,
                "一中段3号采场",
                "凿岩时钎杆断裂，右手掌被划伤，在乡卫生院缝合。",
                "minor",
            ),
        ];
        for (n, (days_ago, kind, location, description, severity)) in recent.into_iter().enumerate() {
            let day = last_day - Duration::days(days_ago);
            let Some(w) = claim_worker(&workers, daping.id, day, &taken).map(|w| w.worker_id) else { continue };
            taken.push(w);
            let at = day.and_hms_opt(10 + n as u32, 15, 0).unwrap_or_default();
            let reported = at + Duration::minutes(40);
            let inc = self
                .record_incident(
                    &demo,
                    &IncidentDraft {
                        mine_id: daping.id,
                        kind,
                        occurrence: None,
                        occurred_at: at,
                        unit_head_notified_at: at + Duration::minutes(15),
                        location: location.into(),
                        description: description.into(),
                        deaths: 0,
                        serious_injuries: u32::from(severity == "serious"),
                        minor_injuries: u32::from(severity == "minor"),
                        loss_fen: 0,
                        reported_at: Some(reported),
                        reported_to: Some("都匀市安全生产监督管理局".into()),
                        reported_how: Some(ReportMeans::Phone),
                        extension_days: None,
                        extension_reason: None,
                        investigation_report_at: None,
                        reason: None,
                    },
                )
                .await?;
            let i = ClaimInput {
                incident_id: inc.incident_id.to_string(),
                worker_id: w.to_string(),
                severity: severity.into(),
                ..Default::default()
            };
            let r = self.open_claim(&officer, &parse(&i)?).await?;
            if n == 0 {
                out.near = Some(r.id());
            } else {
                out.overdue = Some(r.id());
            }
        }
        Ok(out)
    }
}
