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
    /// Rolling twelve months: hours worked, LTIFR and TRIFR (none without hours).
    pub hours: Decimal,
    pub ltifr: Option<Decimal>,
    pub trifr: Option<Decimal>,
}

pub(crate) async fn rows(s: &AppState, p: &Principal, threshold: AccidentClass) -> AppResult<Vec<RecordRow>> {
    let mines = super::incidents::readable_mines(s, p).await?;
    let ids: Vec<Uuid> = mines.iter().map(|m| m.id).collect();
    let events: Vec<Event> = s
        .store
        .incidents(Some(&ids))
        .await?
        .iter()
        .map(|i| Event {
            mine_id: i.mine_id,
            day: i.occurred_at.date(),
            kind: i.draft().kind,
            class: i.class(),
            deaths: i.deaths.max(0) as u32,
            serious_injuries: i.serious_injuries.max(0) as u32,
            loss_fen: i.loss_fen,
        })
        .collect();
    let today = today();
    let from = today - chrono::Duration::days(365);
    let mut hours: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    for r in s.store.production_between(Some(&ids), from, today).await? {
        *hours.entry(r.mine_id).or_default() += r.hours_worked_d.unwrap_or(0);
    }
    let line = |mine: Option<Uuid>, name: String| {
        let tenths: i64 = match mine {
            Some(m) => hours.get(&m).copied().unwrap_or(0),
            None => hours.values().sum(),
        };
        let hours = Decimal::new(tenths, 1);
        let mut e = Exposure { hours, ..Default::default() };
        for ev in events.iter().filter(|e| mine.is_none_or(|m| e.mine_id == m) && e.day > from && e.day <= today) {
            match ev.kind {
                IncidentKind::Fatality => e.fatalities += ev.deaths.max(1),
                IncidentKind::LostTime => e.lost_time += 1,
                IncidentKind::RestrictedWork => e.restricted += 1,
                IncidentKind::MedicalTreatment => e.medical += 1,
                _ => {}
            }
        }
        let r = rates(&e).ok();
        RecordRow {
            mine: name,
            days_major: days_since_class(&events, mine, today, threshold),
            days_accident: days_since(&events, mine, today, Event::is_accident),
            days_lost_time: days_since(&events, mine, today, Event::is_lost_time),
            hours,
            ltifr: r.map(|r| r.ltifr.round_dp(2)),
            trifr: r.map(|r| r.trifr.round_dp(2)),
        }
    };
    let mut out = vec![line(None, String::new())];
    out.extend(mines.iter().map(|m| line(Some(m.id), m.name_zh.clone())));
    Ok(out)
}
