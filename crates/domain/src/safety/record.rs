//! The safety record (issue 5 item 7): days since the last accident of a class and above, and
//! since the last lost-time injury, per mine and for the co-op.

use chrono::NaiveDate;
use uuid::Uuid;

use super::AccidentClass;
use super::incident::IncidentKind;

/// An incident as the record counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub mine_id: Uuid,
    pub day: NaiveDate,
    pub kind: IncidentKind,
    pub class: AccidentClass,
    pub deaths: u32,
    pub serious_injuries: u32,
    pub loss_fen: i64,
}

impl Event {
    /// An accident in the sense of Decree 493: a reportable kind, or any casualty or loss.
    pub fn is_accident(&self) -> bool {
        self.kind.is_accident(self.deaths, self.serious_injuries, self.loss_fen)
    }

    pub fn is_lost_time(&self) -> bool {
        matches!(self.kind, IncidentKind::LostTime | IncidentKind::Fatality)
    }
}

/// Whole days from the last event that `counts` (of `mine`, or of every mine) to `today`;
/// `None` when there is none on or before `today`.
pub fn days_since(
    events: &[Event],
    mine: Option<Uuid>,
    today: NaiveDate,
    counts: impl Fn(&Event) -> bool,
) -> Option<i64> {
    events
        .iter()
        .filter(|e| mine.is_none_or(|m| e.mine_id == m) && e.day <= today && counts(e))
        .map(|e| e.day)
        .max()
        .map(|last| (today - last).num_days())
}

/// Days since the last accident of `threshold` or above (the headline counter).
pub fn days_since_class(
    events: &[Event],
    mine: Option<Uuid>,
    today: NaiveDate,
    threshold: AccidentClass,
) -> Option<i64> {
    days_since(events, mine, today, |e| e.is_accident() && e.class.at_least(threshold))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ev(mine: u128, day: &str, kind: IncidentKind, class: AccidentClass) -> Event {
        Event { mine_id: Uuid::from_u128(mine), day: d(day), kind, class, deaths: 0, serious_injuries: 0, loss_fen: 0 }
    }

    #[test]
    fn counts_from_the_last_accident_at_or_above_the_threshold() {
        let events = [
            ev(1, "1999-08-01", IncidentKind::Fatality, AccidentClass::RelativelyLarge),
            ev(2, "2006-08-10", IncidentKind::LostTime, AccidentClass::General),
            ev(2, "2006-09-01", IncidentKind::NearMiss, AccidentClass::General),
        ];
        let today = d("2006-08-20");
        assert_eq!(days_since_class(&events, None, today, AccidentClass::RelativelyLarge), Some(2576));
        assert_eq!(days_since_class(&events, None, today, AccidentClass::General), Some(10));
        assert_eq!(days_since_class(&events, Some(Uuid::from_u128(2)), today, AccidentClass::RelativelyLarge), None);
        // A near miss is not an accident, and what has not happened yet does not count.
        assert_eq!(days_since(&events, Some(Uuid::from_u128(2)), d("2006-09-05"), |e| e.is_accident()), Some(26));
        assert_eq!(days_since(&events, None, today, Event::is_lost_time), Some(10));
        assert_eq!(days_since(&events, None, d("1999-07-31"), |_| true), None);
    }
}
