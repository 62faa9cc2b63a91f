//! The safety record as the safety page shows it: per mine and for the co-op, days since the
//! last accident of the "major" threshold (a setting) and above, since the last accident of
//! any class and since the last lost-time injury, with the rolling twelve months' frequency
//! rates from the hours worked in the production records.

use minecoop_domain::auth::Principal;
use minecoop_domain::safety::incident::IncidentKind;
use minecoop_domain::safety::record::{Event, days_since, days_since_class};
use minecoop_domain::safety::{AccidentClass, Exposure, rates};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::cadastre::today;
use crate::{AppResult, AppState};

pub struct RecordRow {
    /// Empty for the co-op's line.
    pub mine: String,
    pub days_major: Option<i64>,
    pub days_accident: Option<i64>,
    pub days_lost_time: Option<i64>,
    /// Days since the last accident of each class or above, in the order of `AccidentClass::ALL`.
    pub days_by_class: Vec<Option<i64>>,
    /// Rolling twelve months: hours worked, LTIFR and TRIFR (none without hours).
    pub hours: Decimal,
    pub ltifr: Option<Decimal>,
    pub trifr: Option<Decimal>,
}

/// What the record is computed from, read once for the page: the mines the viewer sees, their
/// incidents, and the hours worked by mine and day since the start of last year or of the 24
/// months shown, whichever is earlier.
pub(crate) struct Sources {
    mines: Vec<minecoop_store::registry::Mine>,
    events: Vec<Event>,
    /// (mine, day, tenths of hours).
    hours: Vec<(Uuid, chrono::NaiveDate, i64)>,
    today: chrono::NaiveDate,
    /// The first month of the 24 shown.
    start: chrono::NaiveDate,
}

pub(crate) async fn sources(s: &AppState, p: &Principal) -> AppResult<Sources> {
    use chrono::Datelike;
    let mines = super::incidents::readable_mines(s, p).await?;
    let ids: Vec<Uuid> = mines.iter().map(|m| m.id).collect();
    let events: Vec<Event> = s.store.incidents(Some(&ids)).await?.iter().map(event).collect();
    let today = today();
    let first_month = chrono::NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
    let start = today.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(23))).unwrap_or(today);
    let from = start.min(first_month).min(today - chrono::Duration::days(365));
    let hours = s
        .store
        .production_between(Some(&ids), from, today)
        .await?
        .into_iter()
        .map(|r| (r.mine_id, r.day, r.hours_worked_d.unwrap_or(0)))
        .collect();
    Ok(Sources { mines, events, hours, today, start })
}

pub(crate) fn rows(src: &Sources, threshold: AccidentClass) -> Vec<RecordRow> {
    let (mines, events, today) = (&src.mines, &src.events, src.today);
    let from = today - chrono::Duration::days(365);
    let mut hours: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    for (mine, day, tenths) in &src.hours {
        if *day >= from {
            *hours.entry(*mine).or_default() += tenths;
        }
    }
    let line = |mine: Option<Uuid>, name: String| {
        let tenths: i64 = match mine {
            Some(m) => hours.get(&m).copied().unwrap_or(0),
            None => hours.values().sum(),
        };
        let hours = Decimal::new(tenths, 1);
        let mut e = Exposure { hours, ..Default::default() };
        for ev in events.iter().filter(|e| mine.is_none_or(|m| e.mine_id == m) && e.day > from && e.day <= today) {
            count(&mut e, ev);
        }
        let r = rates(&e).ok();
        RecordRow {
            mine: name,
            days_major: days_since_class(events, mine, today, threshold),
            days_accident: days_since(events, mine, today, Event::is_accident),
            days_lost_time: days_since(events, mine, today, Event::is_lost_time),
            days_by_class: AccidentClass::ALL.iter().map(|c| days_since_class(events, mine, today, *c)).collect(),
            hours,
            ltifr: r.map(|r| r.ltifr.round_dp(2)),
            trifr: r.map(|r| r.trifr.round_dp(2)),
        }
    };
    let mut out = vec![line(None, String::new())];
    out.extend(mines.iter().map(|m| line(Some(m.id), m.name_zh.clone())));
    out
}

/// The co-op's headline for the public page: days since the last accident of the configured
/// "major" class and above, over every mine (a co-op figure, no mine named).
pub(crate) async fn coop_days_safe(s: &AppState) -> AppResult<Option<i64>> {
    let events: Vec<Event> = s.store.incidents(None).await?.iter().map(event).collect();
    Ok(days_since_class(&events, None, today(), s.config.major_accident_class))
}

fn event(i: &minecoop_store::safety::Incident) -> Event {
    Event {
        mine_id: i.mine_id,
        day: i.occurred_at.date(),
        kind: i.draft().kind,
        class: i.class(),
        deaths: i.deaths.max(0) as u32,
        serious_injuries: i.serious_injuries.max(0) as u32,
        loss_fen: i.loss_fen,
    }
}

/// A period's line of the frequency rates (a month or a year) for the mines the viewer sees.
pub struct PeriodRow {
    pub label: String,
    pub hours: Decimal,
    pub lost_time: u32,
    pub recordable: u32,
    pub fatalities: u32,
    pub ltifr: Option<Decimal>,
    pub trifr: Option<Decimal>,
    pub ffr: Option<Decimal>,
}

fn period_row(label: String, e: &Exposure) -> PeriodRow {
    let r = rates(e).ok();
    PeriodRow {
        label,
        hours: e.hours,
        lost_time: e.lost_time,
        recordable: e.fatalities + e.lost_time + e.restricted + e.medical,
        fatalities: e.fatalities,
        ltifr: r.map(|r| r.ltifr.round_dp(2)),
        trifr: r.map(|r| r.trifr.round_dp(2)),
        ffr: r.map(|r| r.ffr.round_dp(2)),
    }
}

fn count(e: &mut Exposure, ev: &Event) {
    match ev.kind {
        IncidentKind::Fatality => e.fatalities += ev.deaths.max(1),
        IncidentKind::LostTime => e.lost_time += 1,
        IncidentKind::RestrictedWork => e.restricted += 1,
        IncidentKind::MedicalTreatment => e.medical += 1,
        _ => {}
    }
}

/// The co-op's rates (of the mines the viewer sees) for each of the last 24 months and for
/// this year and last, from the production records' hours.
pub(crate) fn periods(src: &Sources) -> (Vec<PeriodRow>, Vec<PeriodRow>) {
    use chrono::Datelike;
    let (today, start) = (src.today, src.start);
    let first_month = chrono::NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
    let from = start.min(first_month);
    let key = |d: chrono::NaiveDate| (d.year(), d.month());
    let mut months: std::collections::BTreeMap<(i32, u32), Exposure> = std::collections::BTreeMap::new();
    for (_, day, tenths) in src.hours.iter().filter(|(_, d, _)| *d >= from) {
        months.entry(key(*day)).or_default().hours += Decimal::new(*tenths, 1);
    }
    for ev in src.events.iter().filter(|e| e.day >= from && e.day <= today) {
        count(months.entry(key(ev.day)).or_default(), ev);
    }
    let monthly = months
        .iter()
        .filter(|((y, m), _)| chrono::NaiveDate::from_ymd_opt(*y, *m, 1).is_some_and(|d| d >= start))
        .map(|((y, m), e)| period_row(format!("{y}-{m:02}"), e))
        .collect();
    let mut yearly = Vec::new();
    for y in [today.year() - 1, today.year()] {
        let mut e = Exposure::default();
        for (_, x) in months.iter().filter(|((yy, _), _)| *yy == y) {
            e.hours += x.hours;
            e.fatalities += x.fatalities;
            e.lost_time += x.lost_time;
            e.restricted += x.restricted;
            e.medical += x.medical;
        }
        yearly.push(period_row(y.to_string(), &e));
    }
    (monthly, yearly)
}

/// The monthly rates as an SVG chart.
pub(crate) fn chart(lang: crate::i18n::Lang, monthly: &[PeriodRow]) -> Option<String> {
    use rust_decimal::prelude::ToPrimitive;
    let labels: Vec<String> = monthly.iter().map(|r| r.label.clone()).collect();
    let series = |name: &str, f: fn(&PeriodRow) -> Option<Decimal>, color| crate::charts::Series {
        name: name.to_owned(),
        values: monthly.iter().map(|r| f(r).and_then(|x| x.to_f64())).collect(),
        color,
    };
    crate::charts::line_chart(
        &lang.t("record-chart-title"),
        &lang.t("record-chart-y"),
        &labels,
        &[series("LTIFR", |r| r.ltifr, crate::charts::BLUE_), series("TRIFR", |r| r.trifr, crate::charts::ORANGE_)],
        &[],
    )
}
