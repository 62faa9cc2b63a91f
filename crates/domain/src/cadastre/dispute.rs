//! Boundary disputes: the co-op as intermediary when a member mines across a boundary, in depth,
//! or a right is contested. A case has parties, a deadline, a log of meetings and hearings, a
//! proposed and an agreed settlement, and a status that only moves forward.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{FieldErrors, optional_date, optional_text, required_text};

use crate::registry::code_enum;

code_enum!(DisputeKind, "err-choice", {
    CrossBoundary => "cross_boundary",
    OutOfLevel => "out_of_level",
    Overlap => "overlap",
    Rights => "rights",
    Other => "other",
});

code_enum!(DisputeStatus, "err-choice", {
    Open => "open",
    Mediation => "mediation",
    Settled => "settled",
    Closed => "closed",
    Withdrawn => "withdrawn",
});

code_enum!(EventKind, "err-choice", {
    Meeting => "meeting",
    Hearing => "hearing",
    Note => "note",
    Proposal => "proposal",
    Agreement => "agreement",
    Status => "status",
});

impl DisputeStatus {
    /// Cases move forward only: open, into mediation, settled by agreement, closed; withdrawn
    /// from any state before closing.
    pub fn can_become(self, next: DisputeStatus) -> bool {
        use DisputeStatus::*;
        matches!(
            (self, next),
            (Open, Mediation)
                | (Open, Settled)
                | (Mediation, Settled)
                | (Settled, Closed)
                | (Open | Mediation | Settled, Withdrawn)
        )
    }

    pub fn is_active(self) -> bool {
        matches!(self, DisputeStatus::Open | DisputeStatus::Mediation)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DisputeInput {
    pub title: String,
    pub kind: String,
    pub description: String,
    /// Member enterprises involved (ids).
    pub member_ids: Vec<String>,
    /// Others involved: villages, workers, one per line.
    pub other_parties: String,
    /// The finding that started the case, if any (e.g. "DP-D2 70 m beyond C52...").
    pub finding: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisputeDraft {
    pub title: String,
    pub kind: DisputeKind,
    pub description: String,
    pub member_ids: Vec<Uuid>,
    pub other_parties: Vec<String>,
    pub finding: Option<String>,
    pub due_on: NaiveDate,
}

impl DisputeDraft {
    pub fn parse(i: &DisputeInput, today: NaiveDate) -> Result<DisputeDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.take("title", required_text(&i.title, 160));
        let kind = e.take("kind", DisputeKind::parse(&i.kind));
        let description = e.take("description", required_text(&i.description, 4000));
        let mut member_ids = Vec::new();
        for m in &i.member_ids {
            match Uuid::parse_str(m.trim()) {
                Ok(id) if !member_ids.contains(&id) => member_ids.push(id),
                Ok(_) => {}
                Err(_) => e.add("member_ids", "err-choice"),
            }
        }
        let other_parties: Vec<String> =
            i.other_parties.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        if other_parties.len() > 20 || other_parties.iter().any(|p| p.chars().count() > 120) {
            e.add("other_parties", "err-too-long");
        }
        if member_ids.is_empty() && other_parties.is_empty() {
            e.add("member_ids", "err-dispute-needs-party");
        }
        let finding = e.take("finding", optional_text(&i.finding, 500));
        let due_on = e.take("due_on", optional_date(&i.due_on).and_then(|d| d.ok_or("err-required")));
        if due_on.is_some_and(|d| d < today) {
            e.add("due_on", "err-date-past");
        }
        match (title, kind, description, finding, due_on) {
            (Some(title), Some(kind), Some(description), Some(finding), Some(due_on)) if e.is_empty() => {
                Ok(DisputeDraft { title, kind, description, member_ids, other_parties, finding, due_on })
            }
            _ => Err(e),
        }
    }
}

/// A log entry: what happened, and for status entries the new status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventDraft {
    pub kind: EventKind,
    pub text: String,
    pub new_status: Option<DisputeStatus>,
}

pub fn parse_event(
    kind: &str,
    text: &str,
    new_status: &str,
    current: DisputeStatus,
) -> Result<EventDraft, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = e.take("kind", EventKind::parse(kind));
    let text = e.take("text", required_text(text, 4000));
    let mut status = None;
    // An agreement settles the case; an explicit status change must be allowed.
    match kind {
        Some(EventKind::Agreement) if current.is_active() => status = Some(DisputeStatus::Settled),
        Some(EventKind::Agreement) => e.add("kind", "err-dispute-not-active"),
        Some(EventKind::Status) => match DisputeStatus::parse(new_status) {
            Ok(next) if current.can_become(next) => status = Some(next),
            Ok(_) => e.add("new_status", "err-dispute-transition"),
            Err(c) => e.add("new_status", c),
        },
        Some(_) if current == DisputeStatus::Closed || current == DisputeStatus::Withdrawn => {
            e.add("kind", "err-dispute-not-active")
        }
        // A status chosen with another kind of entry would be silently dropped.
        Some(_) if !new_status.trim().is_empty() => e.add("new_status", "err-status-needs-status-entry"),
        _ => {}
    }
    match (kind, text) {
        (Some(kind), Some(text)) if e.is_empty() => Ok(EventDraft { kind, text, new_status: status }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn a_case_needs_a_party_and_a_future_deadline() {
        let mut i = DisputeInput {
            title: "Drift DP-D2 beyond the east boundary".into(),
            kind: "cross_boundary".into(),
            description: "Survey of 2026-11-20".into(),
            member_ids: vec![Uuid::from_u128(1).to_string(), Uuid::from_u128(1).to_string()],
            due_on: "2026-12-26".into(),
            ..Default::default()
        };
        let d = DisputeDraft::parse(&i, today()).unwrap();
        assert_eq!(d.member_ids.len(), 1, "a party is listed once");
        i.member_ids.clear();
        i.due_on = "2026-01-01".into();
        let e = DisputeDraft::parse(&i, today()).unwrap_err();
        assert_eq!(e.get("member_ids").unwrap().code, "err-dispute-needs-party");
        assert_eq!(e.get("due_on").unwrap().code, "err-date-past");
        i.other_parties = "牛角塘村民委员会\n".into();
        i.due_on = "2027-01-10".into();
        assert_eq!(DisputeDraft::parse(&i, today()).unwrap().other_parties, vec!["牛角塘村民委员会".to_owned()]);
    }

    #[test]
    fn status_only_moves_forward() {
        use DisputeStatus::*;
        assert!(Open.can_become(Mediation) && Mediation.can_become(Settled) && Settled.can_become(Closed));
        assert!(!Closed.can_become(Open) && !Settled.can_become(Mediation) && !Withdrawn.can_become(Open));
        assert!(Mediation.can_become(Withdrawn) && !Closed.can_become(Withdrawn));
    }

    #[test]
    fn an_agreement_settles_and_closed_cases_take_no_entries() {
        let a = parse_event("agreement", "Pay 20,000 RMB and backfill", "", DisputeStatus::Mediation).unwrap();
        assert_eq!(a.new_status, Some(DisputeStatus::Settled));
        let e = parse_event("status", "reopen", "open", DisputeStatus::Closed).unwrap_err();
        assert_eq!(e.get("new_status").unwrap().code, "err-dispute-transition");
        let e = parse_event("meeting", "again", "", DisputeStatus::Closed).unwrap_err();
        assert_eq!(e.get("kind").unwrap().code, "err-dispute-not-active");
        assert!(parse_event("meeting", "", "", DisputeStatus::Open).is_err());
        let e = parse_event("meeting", "met", "settled", DisputeStatus::Open).unwrap_err();
        assert_eq!(e.get("new_status").unwrap().code, "err-status-needs-status-entry");
    }
}
