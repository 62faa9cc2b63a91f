//! The workflow of a case: received → acknowledged → investigated → resolution proposed →
//! accepted or rejected by the complainant → closed; or escalated to the co-op meeting or the
//! government, with a reason, from any open state. Steps are only ever added; the status of a
//! case is its last step's.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::registry::code_enum;
use crate::safety::action::{ESCALATE_TO_PRESIDENT_DAYS, Escalation};

code_enum!(
    /// Where a case stands.
    Status, "err-choice", {
        Received => "received", Acknowledged => "acknowledged", Investigated => "investigated",
        ResolutionProposed => "resolution_proposed", Accepted => "accepted", Rejected => "rejected",
        Closed => "closed", Escalated => "escalated",
    }
);

code_enum!(
    /// Entries of a case that are not steps of the workflow. Notes are internal; replies and
    /// questions are shown to the complainant on the tracking page; information comes from the
    /// complainant (new facts, answers to questions).
    MessageKind, "err-choice", { Note => "note", Reply => "reply", Question => "question", Info => "info" }
);

code_enum!(
    /// Where an escalated case goes.
    EscalatedTo, "err-choice", { CoopMeeting => "coop_meeting", Government => "government" }
);

impl MessageKind {
    /// Shown on the tracking page.
    pub fn is_public(self) -> bool {
        !matches!(self, MessageKind::Note)
    }

    /// What staff may write (information comes from the complainant only).
    pub fn by_staff(self) -> bool {
        !matches!(self, MessageKind::Info)
    }
}

impl Status {
    /// Open: not closed, and not handed over to the meeting or the government.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Escalated)
    }

    /// A case whose outcome is known (for the time to resolve).
    pub fn is_resolved(self) -> bool {
        self == Status::Closed
    }
}

/// Who asks for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Staff of the co-op or the mine (including an answer the complainant gave in person).
    Staff,
    /// The complainant, through the tracking page.
    Complainant,
}

/// Whether a case at `from` may take the step to `to`, asked by `by`; the message id of the
/// refusal otherwise.
pub fn check_step(from: Status, to: Status, by: By) -> Result<(), &'static str> {
    use Status::*;
    if by == By::Complainant && !matches!((from, to), (ResolutionProposed, Accepted | Rejected)) {
        return Err("err-grievance-step");
    }
    let ok = match (from, to) {
        (_, Escalated) => from.is_open(),
        (Received, Acknowledged)
        | (Acknowledged, Investigated)
        | (Investigated, ResolutionProposed)
        | (ResolutionProposed, Accepted | Rejected)
        // A rejected proposal: a new one, or the case closes with the complainant's refusal noted.
        | (Rejected, ResolutionProposed | Closed)
        | (Accepted | Escalated, Closed) => true,
        _ => false,
    };
    if ok { Ok(()) } else { Err("err-grievance-step") }
}

/// Whether a step needs a note: the proposal itself, the reason of an escalation, how a case
/// closed.
pub fn note_required(to: Status) -> bool {
    matches!(to, Status::ResolutionProposed | Status::Escalated | Status::Closed)
}

/// The steps a case at `from` may take next, for staff.
pub fn next_steps(from: Status) -> Vec<Status> {
    Status::ALL.iter().copied().filter(|to| check_step(from, *to, By::Staff).is_ok()).collect()
}

/// Days from receipt by which each step must be reached (from `minecoop.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deadlines {
    pub acknowledge_days: i64,
    pub investigate_days: i64,
    pub propose_days: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines { acknowledge_days: 7, investigate_days: 30, propose_days: 45 }
    }
}

impl Deadlines {
    /// The step a case at `status` waits for and its due date, counted from the day it was
    /// received; `None` when no deadline runs (waiting for the complainant, escalated, closed).
    pub fn pending(&self, status: Status, received_on: NaiveDate) -> Option<(Status, NaiveDate)> {
        let (next, days) = match status {
            Status::Received => (Status::Acknowledged, self.acknowledge_days),
            Status::Acknowledged => (Status::Investigated, self.investigate_days),
            Status::Investigated => (Status::ResolutionProposed, self.propose_days),
            _ => return None,
        };
        Some((next, received_on + Duration::days(days)))
    }

    /// Whom an overdue step is escalated to on `today`: the mine's owner from the day after the
    /// due date, the president too a week later.
    pub fn escalation(&self, status: Status, received_on: NaiveDate, today: NaiveDate) -> Escalation {
        let Some((_, due)) = self.pending(status, received_on) else { return Escalation::None };
        let late = (today - due).num_days();
        if late > ESCALATE_TO_PRESIDENT_DAYS {
            Escalation::President
        } else if late > 0 {
            Escalation::MineOwner
        } else {
            Escalation::None
        }
    }

    /// Refuse deadlines that make no sense (each step after the one before, within a year).
    pub fn check(&self) -> Result<(), &'static str> {
        let Deadlines { acknowledge_days: a, investigate_days: i, propose_days: p } = *self;
        if 1 <= a && a <= i && i <= p && p <= 365 { Ok(()) } else { Err("err-grievance-deadlines") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn d(s: &str) -> NaiveDate {
        crate::validation::era_date(s).unwrap()
    }

    #[test]
    fn the_workflow_goes_forward_only() {
        for (from, to) in [
            (Received, Acknowledged),
            (Acknowledged, Investigated),
            (Investigated, ResolutionProposed),
            (ResolutionProposed, Accepted),
            (ResolutionProposed, Rejected),
            (Rejected, ResolutionProposed),
            (Rejected, Closed),
            (Accepted, Closed),
            (Escalated, Closed),
        ] {
            assert_eq!(check_step(from, to, By::Staff), Ok(()), "{from} -> {to}");
        }
        for (from, to) in [
            (Received, Investigated),
            (Received, Closed),
            (Acknowledged, Received),
            (Investigated, Accepted),
            (ResolutionProposed, Closed),
            (Closed, Received),
            (Closed, Acknowledged),
            (Accepted, Rejected),
            (Received, Received),
        ] {
            assert_eq!(check_step(from, to, By::Staff), Err("err-grievance-step"), "{from} -> {to}");
        }
    }

    #[test]
    fn escalation_from_any_open_state_only() {
        for s in [Received, Acknowledged, Investigated, ResolutionProposed, Accepted, Rejected] {
            assert_eq!(check_step(s, Escalated, By::Staff), Ok(()), "{s}");
        }
        assert!(check_step(Closed, Escalated, By::Staff).is_err());
        assert!(check_step(Escalated, Escalated, By::Staff).is_err());
        assert!(note_required(Escalated) && note_required(Closed) && note_required(ResolutionProposed));
        assert!(!note_required(Acknowledged));
    }

    #[test]
    fn the_complainant_only_answers_a_proposal() {
        assert_eq!(check_step(ResolutionProposed, Accepted, By::Complainant), Ok(()));
        assert_eq!(check_step(ResolutionProposed, Rejected, By::Complainant), Ok(()));
        for (from, to) in [(Received, Acknowledged), (Received, Escalated), (Accepted, Closed), (Rejected, Closed)] {
            assert!(check_step(from, to, By::Complainant).is_err(), "{from} -> {to}");
        }
        assert_eq!(next_steps(Received), vec![Acknowledged, Escalated]);
        assert_eq!(next_steps(ResolutionProposed), vec![Accepted, Rejected, Escalated]);
        assert!(next_steps(Closed).is_empty());
    }

    #[test]
    fn deadlines_run_from_receipt_and_escalate() {
        let dl = Deadlines::default();
        let r = d("2026-03-01");
        assert_eq!(dl.pending(Received, r), Some((Acknowledged, d("2026-03-08"))));
        assert_eq!(dl.pending(Acknowledged, r), Some((Investigated, d("2026-03-31"))));
        assert_eq!(dl.pending(Investigated, r), Some((ResolutionProposed, d("2026-04-15"))));
        for s in [ResolutionProposed, Accepted, Rejected, Closed, Escalated] {
            assert_eq!(dl.pending(s, r), None, "{s}");
        }
        assert_eq!(dl.escalation(Received, r, d("2026-03-08")), Escalation::None);
        assert_eq!(dl.escalation(Received, r, d("2026-03-09")), Escalation::MineOwner);
        assert_eq!(dl.escalation(Received, r, d("2026-03-15")), Escalation::MineOwner);
        assert_eq!(dl.escalation(Received, r, d("2026-03-16")), Escalation::President);
        assert_eq!(dl.escalation(Acknowledged, r, d("2026-03-16")), Escalation::None);
        assert_eq!(dl.escalation(Closed, r, d("2027-01-01")), Escalation::None);
        let short = Deadlines { acknowledge_days: 3, ..dl };
        assert_eq!(short.escalation(Received, r, d("2026-03-05")), Escalation::MineOwner);
        assert_eq!(dl.check(), Ok(()));
        assert!(Deadlines { acknowledge_days: 0, ..dl }.check().is_err());
        assert!(Deadlines { investigate_days: 50, ..dl }.check().is_err());
    }
}
