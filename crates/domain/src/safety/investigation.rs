//! Investigations (issue 5 item 5): a team with its lead, then a record that only grows:
//! the timeline of events, interviews, evidence, root causes by category and findings. The
//! report is signed off once it names at least one root cause and one finding; an incident
//! closes only when its investigation is signed off (for an accident the law asks to report)
//! and every action it raised is closed.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::production::sample::parse_local_time;
use crate::registry::code_enum;
use crate::validation::{FieldErrors, required_text};

code_enum!(
    /// What an entry of the investigation's record is.
    EntryKind, "err-choice", {
        Timeline => "timeline", Interview => "interview", Evidence => "evidence",
        RootCause => "root_cause", Finding => "finding",
    }
);

code_enum!(
    /// The categories of root causes the co-op analyses by.
    CauseCategory, "err-choice", {
        People => "people", Equipment => "equipment", Procedure => "procedure",
        Environment => "environment", Management => "management", Design => "design",
    }
);

/// The team: its lead and the others, one per line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TeamInput {
    pub lead: String,
    /// Members, one per line (name and role).
    pub team: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamDraft {
    pub lead: String,
    pub team: Vec<String>,
}

impl TeamDraft {
    pub fn parse(i: &TeamInput) -> Result<TeamDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let lead = e.take("lead", required_text(&i.lead, 200));
        let mut team = Vec::new();
        for line in i.team.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match required_text(line, 200) {
                Ok(l) => team.push(l),
                Err(code) => {
                    e.add("team", code);
                    break;
                }
            }
        }
        if team.len() > 50 {
            e.add("team", "err-too-many");
        }
        match lead {
            Some(lead) if e.is_empty() => Ok(TeamDraft { lead, team }),
            _ => Err(e),
        }
    }
}

/// An entry as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EntryInput {
    pub kind: String,
    /// For root causes.
    pub category: String,
    /// When it happened (timeline) or took place (interview); local time, optional.
    pub at: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryDraft {
    pub kind: EntryKind,
    pub category: Option<CauseCategory>,
    pub at: Option<NaiveDateTime>,
    pub text: String,
}

impl EntryDraft {
    pub fn parse(i: &EntryInput, now: NaiveDateTime) -> Result<EntryDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", EntryKind::parse(i.kind.trim()));
        let category = match (kind, i.category.trim()) {
            (Some(EntryKind::RootCause), "") => {
                e.add("category", "err-required");
                None
            }
            (Some(EntryKind::RootCause), c) => e.take("category", CauseCategory::parse(c)),
            _ => None,
        };
        let at = if i.at.trim().is_empty() { None } else { e.take("at", parse_local_time(&i.at)) };
        if at.is_some_and(|t| t > now) {
            e.add("at", "err-future");
        }
        let text = e.take("text", required_text(&i.text, 4000));
        match (kind, text) {
            (Some(kind), Some(text)) if e.is_empty() => Ok(EntryDraft { kind, category, at, text }),
            _ => Err(e),
        }
    }
}

/// A report can be signed off when it names at least one root cause and one finding, and once.
pub fn check_sign_off(root_causes: usize, findings: usize, signed: bool) -> Result<(), &'static str> {
    if signed {
        Err("err-signed-off")
    } else if root_causes == 0 {
        Err("err-sign-off-needs-cause")
    } else if findings == 0 {
        Err("err-sign-off-needs-finding")
    } else {
        Ok(())
    }
}

/// An incident closes when its actions are closed and, for an accident the law asks to report,
/// its investigation is signed off.
pub fn check_close(needs_investigation: bool, signed_off: bool, open_actions: usize) -> Result<(), &'static str> {
    if needs_investigation && !signed_off {
        Err("err-close-needs-sign-off")
    } else if open_actions > 0 {
        Err("err-close-open-actions")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        parse_local_time("2026-03-10T12:00").unwrap()
    }

    #[test]
    fn a_root_cause_needs_its_category_and_nothing_is_in_the_future() {
        let i = EntryInput { kind: "root_cause".into(), text: "No support in the stope".into(), ..Default::default() };
        assert_eq!(EntryDraft::parse(&i, now()).unwrap_err().get("category").unwrap().code, "err-required");
        let ok = EntryDraft::parse(&EntryInput { category: "procedure".into(), ..i.clone() }, now()).unwrap();
        assert_eq!(ok.category, Some(CauseCategory::Procedure));
        let e = EntryDraft::parse(
            &EntryInput {
                kind: "timeline".into(),
                at: "2026-03-11T08:00".into(),
                text: "x".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(e.get("at").unwrap().code, "err-future");
        let e = EntryDraft::parse(&EntryInput { kind: "gossip".into(), ..Default::default() }, now()).unwrap_err();
        assert_eq!((e.get("kind").unwrap().code, e.get("text").unwrap().code), ("err-choice", "err-required"));
        // A category on anything but a root cause is ignored.
        let t = EntryDraft::parse(
            &EntryInput { kind: "finding".into(), category: "people".into(), text: "x".into(), ..Default::default() },
            now(),
        );
        assert_eq!(t.unwrap().category, None);
    }

    #[test]
    fn the_team_has_a_lead_and_one_member_a_line() {
        let t = TeamDraft::parse(&TeamInput {
            lead: "Wang (inspector)".into(),
            team: "Li, safety officer\n\n Zhao, miner \n".into(),
        })
        .unwrap();
        assert_eq!(t.team, ["Li, safety officer", "Zhao, miner"]);
        assert_eq!(TeamDraft::parse(&TeamInput::default()).unwrap_err().get("lead").unwrap().code, "err-required");
    }

    #[test]
    fn sign_off_and_closing_follow_the_rules() {
        assert_eq!(check_sign_off(0, 1, false), Err("err-sign-off-needs-cause"));
        assert_eq!(check_sign_off(1, 0, false), Err("err-sign-off-needs-finding"));
        assert_eq!(check_sign_off(1, 1, true), Err("err-signed-off"));
        assert_eq!(check_sign_off(2, 1, false), Ok(()));
        assert_eq!(check_close(true, false, 0), Err("err-close-needs-sign-off"));
        assert_eq!(check_close(true, true, 1), Err("err-close-open-actions"));
        assert_eq!(check_close(false, false, 0), Ok(()));
        assert_eq!(check_close(true, true, 0), Ok(()));
    }
}
