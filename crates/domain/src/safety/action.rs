//! Corrective actions (issue 5 item 3): what an incident, an inspection finding or a grievance
//! outcome makes someone do. Immediate containment comes first, before the root cause is
//! known; corrective and preventive actions follow. Each has an owner and a due date, is done
//! with evidence, and is closed only when someone other than its owner has verified it.
//! Reminders come before the due date; an overdue action goes to the mine owner, and after a
//! week to the president.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::registry::code_enum;
use crate::validation::{FieldErrors, era_date, required_text};

code_enum!(
    /// What an action is for.
    ActionKind, "err-choice", {
        Containment => "containment", Corrective => "corrective", Preventive => "preventive",
    }
);

code_enum!(
    /// What raised an action.
    ActionSource, "err-choice", {
        Incident => "incident", Finding => "finding", Grievance => "grievance",
    }
);

code_enum!(
    /// Open: to do. Done: the owner has given evidence, awaiting verification. Closed: verified
    /// by someone else. A rejected verification sends the action back to open.
    ActionStatus, "err-choice", { Open => "open", Done => "done", Closed => "closed" }
);

/// Days before the due date when the owner is reminded.
pub const REMIND_DAYS: i64 = 3;
/// Days overdue after which the president is told, not only the mine owner.
pub const ESCALATE_TO_PRESIDENT_DAYS: i64 = 7;

/// An action as entered: every field a string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ActionInput {
    pub source_kind: String,
    pub source_id: String,
    pub kind: String,
    pub description: String,
    /// The user name of the person who must do it.
    pub owner: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionDraft {
    pub source_kind: ActionSource,
    pub source_id: Uuid,
    pub kind: ActionKind,
    pub description: String,
    pub owner: String,
    pub due_on: NaiveDate,
}

impl ActionDraft {
    /// `today` in the co-op's time: a new action is not due in the past.
    pub fn parse(i: &ActionInput, today: NaiveDate) -> Result<ActionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let source_kind = e.take("source_kind", ActionSource::parse(i.source_kind.trim()));
        let source_id = e.take("source_id", Uuid::parse_str(i.source_id.trim()).map_err(|_| "err-choice"));
        let kind = e.take("kind", ActionKind::parse(i.kind.trim()));
        let description = e.take("description", required_text(&i.description, 2000));
        let owner = e.take("owner", required_text(&i.owner, 100));
        let due_on = e.take("due_on", era_date(&i.due_on));
        if let Some(d) = due_on
            && d < today
        {
            e.add("due_on", "err-due-past");
        }
        match (source_kind, source_id, kind, description, owner, due_on) {
            (Some(source_kind), Some(source_id), Some(kind), Some(description), Some(owner), Some(due_on))
                if e.is_empty() =>
            {
                Ok(ActionDraft { source_kind, source_id, kind, description, owner, due_on })
            }
            _ => Err(e),
        }
    }
}

/// Containment first: a corrective or preventive action needs an immediate containment already
/// recorded for the same incident, finding or grievance.
pub fn check_order(kind: ActionKind, containment_recorded: bool) -> Result<(), &'static str> {
    if kind != ActionKind::Containment && !containment_recorded { Err("err-containment-first") } else { Ok(()) }
}

/// Who verifies: anyone allowed, but not the action's owner nor whoever gave the evidence.
pub fn check_verifier(verifier: &str, owner: &str, done_by: Option<&str>) -> Result<(), &'static str> {
    if verifier == owner || done_by == Some(verifier) { Err("err-verify-own") } else { Ok(()) }
}

/// Who is told about an action that is not closed, on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Nothing to say yet.
    None,
    /// Due within [`REMIND_DAYS`]: the owner is reminded.
    Reminder,
    /// Past its due date: the mine owner is told.
    MineOwner,
    /// More than [`ESCALATE_TO_PRESIDENT_DAYS`] past its due date: the president too.
    President,
}

impl Escalation {
    pub fn is_overdue(self) -> bool {
        matches!(self, Escalation::MineOwner | Escalation::President)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::None => "none",
            Escalation::Reminder => "reminder",
            Escalation::MineOwner => "mine_owner",
            Escalation::President => "president",
        }
    }
}

/// Where an action stands on `today`. Evidence given stops the clock (it waits for the
/// verifier, not the owner); a closed action is never escalated.
pub fn escalation(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> Escalation {
    if status != ActionStatus::Open {
        return Escalation::None;
    }
    let late = (today - due_on).num_days();
    if late > ESCALATE_TO_PRESIDENT_DAYS {
        Escalation::President
    } else if late > 0 {
        Escalation::MineOwner
    } else if due_on - today <= Duration::days(REMIND_DAYS) {
        Escalation::Reminder
    } else {
        Escalation::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        era_date(s).unwrap()
    }

    fn input() -> ActionInput {
        ActionInput {
            source_kind: "incident".into(),
            source_id: Uuid::nil().to_string(),
            kind: "containment".into(),
            description: "Bar down and close the stope".into(),
            owner: "officer".into(),
            due_on: "2026-03-02".into(),
        }
    }

    #[test]
    fn parses_and_names_every_bad_field() {
        let a = ActionDraft::parse(&input(), d("2026-03-01")).unwrap();
        assert_eq!(a.kind, ActionKind::Containment);
        let e = ActionDraft::parse(
            &ActionInput {
                source_kind: "rumour".into(),
                source_id: "1".into(),
                kind: "".into(),
                description: "".into(),
                owner: " ".into(),
                due_on: "2026-02-28".into(),
            },
            d("2026-03-01"),
        )
        .unwrap_err();
        for (f, c) in [
            ("source_kind", "err-choice"),
            ("source_id", "err-choice"),
            ("kind", "err-choice"),
            ("description", "err-required"),
            ("owner", "err-required"),
            ("due_on", "err-due-past"),
        ] {
            assert_eq!(e.get(f).map(|x| x.code), Some(c), "{f}");
        }
    }

    #[test]
    fn containment_comes_first() {
        assert_eq!(check_order(ActionKind::Corrective, false), Err("err-containment-first"));
        assert_eq!(check_order(ActionKind::Preventive, false), Err("err-containment-first"));
        assert_eq!(check_order(ActionKind::Containment, false), Ok(()));
        assert_eq!(check_order(ActionKind::Corrective, true), Ok(()));
    }

    #[test]
    fn nobody_verifies_their_own_action() {
        assert_eq!(check_verifier("officer", "officer", None), Err("err-verify-own"));
        assert_eq!(check_verifier("inspector", "officer", Some("inspector")), Err("err-verify-own"));
        assert_eq!(check_verifier("inspector", "officer", Some("officer")), Ok(()));
    }

    #[test]
    fn escalation_follows_the_calendar() {
        let due = d("2026-03-10");
        let at = |s: &str| escalation(ActionStatus::Open, due, d(s));
        assert_eq!(at("2026-03-06"), Escalation::None);
        assert_eq!(at("2026-03-07"), Escalation::Reminder);
        assert_eq!(at("2026-03-10"), Escalation::Reminder);
        assert_eq!(at("2026-03-11"), Escalation::MineOwner);
        assert_eq!(at("2026-03-17"), Escalation::MineOwner);
        assert_eq!(at("2026-03-18"), Escalation::President);
        assert!(at("2026-03-18").is_overdue());
        assert_eq!(escalation(ActionStatus::Done, due, d("2026-04-01")), Escalation::None);
        assert_eq!(escalation(ActionStatus::Closed, due, d("2026-04-01")), Escalation::None);
    }
}
