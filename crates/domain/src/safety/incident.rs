//! Incidents as recorded (issue 5 item 4): what happened, to whom, what it cost, and the legal
//! clock that runs from it. The class under Decree 493 and the investigating level are never
//! entered: they follow from the casualty and loss figures of the current version.

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AccidentClass, Deadlines, Investigator, classify, deadlines};
use crate::production::sample::parse_local_time;
use crate::registry::code_enum;
use crate::units::{MONEY_SCALE, to_scaled};
use crate::validation::{FieldErrors, optional_text, required_text};

code_enum!(
    /// What kind of event an incident is, from the least to the most serious injury, then the
    /// dangerous occurrences and security events, which may hurt nobody.
    IncidentKind, "err-choice", {
        NearMiss => "near_miss", FirstAid => "first_aid", MedicalTreatment => "medical_treatment",
        RestrictedWork => "restricted_work", LostTime => "lost_time", Fatality => "fatality",
        DangerousOccurrence => "dangerous_occurrence", Security => "security",
    }
);

code_enum!(
    /// What a dangerous occurrence or security event was.
    Occurrence, "err-choice", {
        Fire => "fire", Flooding => "flooding", GroundFall => "ground_fall",
        ExplosivesMisfire => "explosives_misfire", TailingsDam => "tailings_dam",
        ExplosivesDifference => "explosives_difference", GasOrFumes => "gas_or_fumes", Other => "other",
    }
);

code_enum!(
    /// How the unit head reported to the county regulator.
    ReportMeans, "err-choice", {
        Phone => "phone", Fax => "fax", InPerson => "in_person", Online => "online", Written => "written",
    }
);

impl IncidentKind {
    /// Whether the kind is an accident the unit head must report to the regulator (REFERENCE 4.2):
    /// every injury beyond first aid, and every dangerous occurrence; a near miss, a first-aid
    /// case or a security event without casualties is recorded but not reported.
    pub fn reportable(self) -> bool {
        !matches!(self, IncidentKind::NearMiss | IncidentKind::FirstAid | IncidentKind::Security)
    }

    /// Whether an event of this kind with these figures is an accident the law asks to report:
    /// a reportable kind, or any death, serious injury or loss.
    pub fn is_accident(self, deaths: u32, serious_injuries: u32, loss_fen: i64) -> bool {
        self.reportable() || deaths > 0 || serious_injuries > 0 || loss_fen > 0
    }

    /// The injury categories the frequency rates count (REFERENCE 4.3).
    pub fn recordable(self) -> bool {
        matches!(
            self,
            IncidentKind::MedicalTreatment
                | IncidentKind::RestrictedWork
                | IncidentKind::LostTime
                | IncidentKind::Fatality
        )
    }
}

/// An incident as entered on the form or sent to the API: every field a string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IncidentInput {
    pub mine_id: String,
    pub kind: String,
    /// For dangerous occurrences and security events.
    pub occurrence: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub occurred_at: String,
    /// When the unit head (the mine's principal) was told; the 1-hour clock runs from here.
    pub unit_head_notified_at: String,
    pub location: String,
    pub description: String,
    pub deaths: String,
    pub serious_injuries: String,
    pub minor_injuries: String,
    /// Direct economic loss, RMB.
    pub loss: String,
    /// When, to whom and how the unit head reported to the county regulator.
    pub reported_at: String,
    pub reported_to: String,
    pub reported_how: String,
    /// The one extension of the investigation report, in days (1-60), with its reason.
    pub extension_days: String,
    pub extension_reason: String,
    /// When the investigation report was submitted.
    pub investigation_report_at: String,
    /// Why a recorded incident is being changed (required for every new version).
    pub reason: String,
}

/// A checked incident. Money in fen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentDraft {
    pub mine_id: Uuid,
    pub kind: IncidentKind,
    pub occurrence: Option<Occurrence>,
    pub occurred_at: NaiveDateTime,
    pub unit_head_notified_at: NaiveDateTime,
    pub location: String,
    pub description: String,
    pub deaths: u32,
    pub serious_injuries: u32,
    pub minor_injuries: u32,
    pub loss_fen: i64,
    pub reported_at: Option<NaiveDateTime>,
    pub reported_to: Option<String>,
    pub reported_how: Option<ReportMeans>,
    pub extension_days: Option<i64>,
    pub extension_reason: Option<String>,
    pub investigation_report_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

/// At most this many people in one figure (a sanity bound far above any mine's workforce).
const MAX_PEOPLE: u32 = 100_000;

fn people(e: &mut FieldErrors, field: &str, v: &str) -> u32 {
    let t = v.trim();
    if t.is_empty() {
        return 0;
    }
    match t.parse::<i64>() {
        Ok(n) if n < 0 => {
            e.add(field, "err-negative");
            0
        }
        Ok(n) if n > i64::from(MAX_PEOPLE) => {
            e.add(field, "err-too-large");
            0
        }
        Ok(n) => n as u32,
        Err(_) => {
            e.add(field, "err-whole-number");
            0
        }
    }
}

fn optional_time(e: &mut FieldErrors, field: &str, v: &str) -> Option<NaiveDateTime> {
    if v.trim().is_empty() {
        return None;
    }
    e.take(field, parse_local_time(v))
}

impl IncidentDraft {
    /// Check an incident; `now` is the co-op's local time (nothing happens in the future).
    pub fn parse(i: &IncidentInput, now: NaiveDateTime) -> Result<IncidentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = e.take("mine_id", Uuid::parse_str(i.mine_id.trim()).map_err(|_| "err-choice"));
        let kind = e.take("kind", IncidentKind::parse(i.kind.trim()));
        let occurrence = if i.occurrence.trim().is_empty() {
            None
        } else {
            e.take("occurrence", Occurrence::parse(i.occurrence.trim()))
        };
        let occurred_at = e.take("occurred_at", parse_local_time(&i.occurred_at));
        let notified = e.take("unit_head_notified_at", parse_local_time(&i.unit_head_notified_at));
        let location = e.take("location", required_text(&i.location, 200));
        let description = e.take("description", required_text(&i.description, 4000));
        let deaths = people(&mut e, "deaths", &i.deaths);
        let serious_injuries = people(&mut e, "serious_injuries", &i.serious_injuries);
        let minor_injuries = people(&mut e, "minor_injuries", &i.minor_injuries);
        let loss_fen = match i.loss.trim() {
            "" => 0,
            t => match t.replace([',', '，'], "").parse::<Decimal>() {
                Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                    e.add("loss", "err-negative");
                    0
                }
                Ok(d) => match to_scaled(d, MONEY_SCALE) {
                    Some(v) if v <= 1_000_000_000_000 * 100 => v,
                    _ => {
                        e.add("loss", "err-too-large");
                        0
                    }
                },
                Err(_) => {
                    e.add("loss", "err-number");
                    0
                }
            },
        };
        let reported_at = optional_time(&mut e, "reported_at", &i.reported_at);
        let reported_to = e.take("reported_to", optional_text(&i.reported_to, 200)).flatten();
        let reported_how = if i.reported_how.trim().is_empty() {
            None
        } else {
            e.take("reported_how", ReportMeans::parse(i.reported_how.trim()))
        };
        let extension_days = match i.extension_days.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(d) if (1..=super::EXTENSION_MAX_DAYS).contains(&d) => Some(d),
                Ok(_) => {
                    e.add("extension_days", "err-extension-days");
                    None
                }
                Err(_) => {
                    e.add("extension_days", "err-whole-number");
                    None
                }
            },
        };
        let extension_reason = e.take("extension_reason", optional_text(&i.extension_reason, 1000)).flatten();
        let investigation_report_at = optional_time(&mut e, "investigation_report_at", &i.investigation_report_at);
        let reason = e.take("reason", optional_text(&i.reason, 1000)).flatten();

        // The figures must agree with the kind: a fatality has a death, and nobody dies in a
        // first-aid case.
        if let Some(k) = kind {
            if k == IncidentKind::Fatality && deaths == 0 && e.get("deaths").is_none() {
                e.add("deaths", "err-fatality-needs-death");
            }
            if deaths > 0
                && !matches!(k, IncidentKind::Fatality | IncidentKind::DangerousOccurrence | IncidentKind::Security)
            {
                e.add("kind", "err-deaths-need-fatality");
            }
            if matches!(k, IncidentKind::DangerousOccurrence | IncidentKind::Security)
                && occurrence.is_none()
                && e.get("occurrence").is_none()
            {
                e.add("occurrence", "err-required");
            }
        }
        if let Some(o) = occurred_at
            && o > now
        {
            e.add("occurred_at", "err-future");
        }
        if let (Some(o), Some(n)) = (occurred_at, notified) {
            if n < o {
                e.add("unit_head_notified_at", "err-notified-before-occurred");
            } else if n > now {
                e.add("unit_head_notified_at", "err-future");
            }
        }
        if let Some(r) = reported_at {
            if r > now {
                e.add("reported_at", "err-future");
            } else if let Some(o) = occurred_at
                && r < o
            {
                e.add("reported_at", "err-before-occurred");
            }
            if reported_to.is_none() && e.get("reported_to").is_none() {
                e.add("reported_to", "err-required");
            }
            if reported_how.is_none() && e.get("reported_how").is_none() {
                e.add("reported_how", "err-required");
            }
        } else if (reported_to.is_some() || reported_how.is_some()) && e.get("reported_at").is_none() {
            e.add("reported_at", "err-required");
        }
        if extension_days.is_some() && extension_reason.is_none() && e.get("extension_reason").is_none() {
            e.add("extension_reason", "err-required");
        }
        if extension_days.is_none() && extension_reason.is_some() && e.get("extension_days").is_none() {
            e.add("extension_days", "err-required");
        }
        if let Some(r) = investigation_report_at {
            if r > now {
                e.add("investigation_report_at", "err-future");
            } else if let Some(o) = occurred_at
                && r < o
            {
                e.add("investigation_report_at", "err-before-occurred");
            }
        }
        match (mine_id, kind, occurred_at, notified, location, description) {
            (
                Some(mine_id),
                Some(kind),
                Some(occurred_at),
                Some(unit_head_notified_at),
                Some(location),
                Some(description),
            ) if e.is_empty() => Ok(IncidentDraft {
                mine_id,
                kind,
                occurrence,
                occurred_at,
                unit_head_notified_at,
                location,
                description,
                deaths,
                serious_injuries,
                minor_injuries,
                loss_fen,
                reported_at,
                reported_to,
                reported_how,
                extension_days,
                extension_reason,
                investigation_report_at,
                reason,
            }),
            _ => Err(e),
        }
    }

    pub fn loss_rmb(&self) -> Decimal {
        crate::units::from_scaled(self.loss_fen, MONEY_SCALE)
    }

    /// The class that the figures give (never entered).
    pub fn class(&self) -> AccidentClass {
        // The figures were checked in `parse`: the loss is not negative, so this cannot fail.
        classify(self.deaths, self.serious_injuries, self.loss_rmb()).unwrap_or(AccidentClass::General)
    }

    pub fn investigated_by(&self) -> Investigator {
        self.class().investigated_by()
    }

    /// Whether the legal clock runs for this incident (see [`IncidentKind::is_accident`]).
    pub fn is_accident(&self) -> bool {
        self.kind.is_accident(self.deaths, self.serious_injuries, self.loss_fen)
    }

    /// A change to a recorded incident must not undo what the law fixes once: the extension is
    /// granted once, and once granted it cannot be changed or withdrawn.
    pub fn check_change(&self, before: &IncidentDraft) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.reason.is_none() {
            e.add("reason", "err-reason-required");
        }
        if before.extension_days.is_some()
            && (self.extension_days != before.extension_days || self.extension_reason != before.extension_reason)
        {
            e.add("extension_days", "err-extension-once");
        }
        e.into_result(())
    }
}

/// Where one deadline of the legal clock stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClockState {
    /// Done at `at`; `late` when after the deadline.
    Done { at: NaiveDateTime, late: bool },
    /// Not done, and the deadline has not passed.
    Running,
    /// Not done, and the deadline has passed.
    Overdue,
    /// A window (casualty updates) still open.
    Open,
    /// A window that has closed.
    Closed,
    /// The deadline does not apply to this incident (not a reportable accident).
    NotApplicable,
}

/// One line of the legal clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockItem {
    /// `report_to_regulator`, `casualty_updates`, `investigation_report`.
    pub key: &'static str,
    pub due: NaiveDateTime,
    pub state: ClockState,
    /// For the upward report: the level it must reach.
    pub level: Option<Investigator>,
}

/// Each level of the safety regulators passes the report up within 2 hours (Decree 493,
/// Art. 10).
pub const UPWARD_HOURS_PER_LEVEL: i64 = 2;

/// How far up the report of an accident of `class` goes, and in how many steps from the county:
/// a general accident to the city, a relatively large one to the province, a major or
/// especially major one to the State Council's regulator (Decree 493, Art. 10).
pub fn report_reaches(class: AccidentClass) -> (Investigator, i64) {
    match class {
        AccidentClass::General => (Investigator::City, 1),
        AccidentClass::RelativelyLarge => (Investigator::Province, 2),
        AccidentClass::Major | AccidentClass::EspeciallyMajor => (Investigator::StateCouncil, 3),
    }
}

/// The incident's legal clock at `now`: the deadlines of REFERENCE 4.2, with the extension if
/// one was granted, and whether each was met.
pub fn clock(d: &IncidentDraft, now: NaiveDateTime) -> Result<(Deadlines, Vec<ClockItem>), super::SafetyProblem> {
    let mut dl = deadlines(d.occurred_at, d.unit_head_notified_at)?;
    if let Some(days) = d.extension_days {
        dl.investigation_report_due += Duration::days(days);
    }
    let applies = d.is_accident();
    let deadline = |due: NaiveDateTime, done: Option<NaiveDateTime>| match (applies, done) {
        (false, _) => ClockState::NotApplicable,
        (true, Some(at)) => ClockState::Done { at, late: at > due },
        (true, None) if now > due => ClockState::Overdue,
        (true, None) => ClockState::Running,
    };
    let window = if !applies {
        ClockState::NotApplicable
    } else if now > dl.casualty_updates_until {
        ClockState::Closed
    } else {
        ClockState::Open
    };
    let (level, steps) = report_reaches(d.class());
    // The regulators' own steps run from the mine's report, or from when it was due.
    let upward = d.reported_at.unwrap_or(dl.report_to_regulator_by) + Duration::hours(UPWARD_HOURS_PER_LEVEL * steps);
    let items = vec![
        ClockItem {
            key: "report_to_regulator",
            due: dl.report_to_regulator_by,
            state: deadline(dl.report_to_regulator_by, d.reported_at),
            level: None,
        },
        ClockItem {
            key: "upward_report",
            due: upward,
            state: if applies { ClockState::Open } else { ClockState::NotApplicable },
            level: Some(level),
        },
        ClockItem { key: "casualty_updates", due: dl.casualty_updates_until, state: window, level: None },
        ClockItem {
            key: "investigation_report",
            due: dl.investigation_report_due,
            state: deadline(dl.investigation_report_due, d.investigation_report_at),
            level: None,
        },
    ];
    Ok((dl, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        parse_local_time(s).unwrap()
    }

    fn input() -> IncidentInput {
        IncidentInput {
            mine_id: Uuid::nil().to_string(),
            kind: "fatality".into(),
            occurred_at: "2026-03-01T08:00".into(),
            unit_head_notified_at: "2026-03-01T08:30".into(),
            location: "Level 2, stope 4".into(),
            description: "Fall of ground".into(),
            deaths: "2".into(),
            ..Default::default()
        }
    }

    fn now() -> NaiveDateTime {
        t("2026-03-02T12:00")
    }

    #[test]
    fn two_deaths_are_general_and_three_relatively_large() {
        let d = IncidentDraft::parse(&input(), now()).unwrap();
        assert_eq!(d.class(), AccidentClass::General);
        assert_eq!(d.investigated_by(), Investigator::County);
        let d = IncidentDraft::parse(&IncidentInput { deaths: "3".into(), ..input() }, now()).unwrap();
        assert_eq!(d.class(), AccidentClass::RelativelyLarge);
        assert_eq!(d.investigated_by(), Investigator::City);
    }

    #[test]
    fn loss_alone_can_raise_the_class() {
        let i = IncidentInput {
            kind: "dangerous_occurrence".into(),
            occurrence: "fire".into(),
            deaths: "".into(),
            loss: "10,000,000".into(),
            ..input()
        };
        let d = IncidentDraft::parse(&i, now()).unwrap();
        assert_eq!(d.loss_fen, 1_000_000_000);
        assert_eq!(d.class(), AccidentClass::RelativelyLarge);
        let d = IncidentDraft::parse(&IncidentInput { loss: "9999999.99".into(), ..i }, now()).unwrap();
        assert_eq!(d.class(), AccidentClass::General);
    }

    #[test]
    fn figures_must_agree_with_the_kind() {
        let e = IncidentDraft::parse(&IncidentInput { deaths: "0".into(), ..input() }, now()).unwrap_err();
        assert_eq!(e.get("deaths").unwrap().code, "err-fatality-needs-death");
        let e = IncidentDraft::parse(&IncidentInput { kind: "first_aid".into(), ..input() }, now()).unwrap_err();
        assert_eq!(e.get("kind").unwrap().code, "err-deaths-need-fatality");
        let e =
            IncidentDraft::parse(&IncidentInput { kind: "dangerous_occurrence".into(), ..input() }, now()).unwrap_err();
        assert_eq!(e.get("occurrence").unwrap().code, "err-required");
    }

    #[test]
    fn every_bad_field_is_named() {
        let i = IncidentInput {
            mine_id: "x".into(),
            kind: "boom".into(),
            occurred_at: "yesterday".into(),
            unit_head_notified_at: "".into(),
            location: "".into(),
            description: " ".into(),
            deaths: "-1".into(),
            serious_injuries: "1.5".into(),
            loss: "-3".into(),
            reported_how: "pigeon".into(),
            extension_days: "61".into(),
            ..Default::default()
        };
        let e = IncidentDraft::parse(&i, now()).unwrap_err();
        for (field, code) in [
            ("mine_id", "err-choice"),
            ("kind", "err-choice"),
            ("occurred_at", "err-datetime"),
            ("unit_head_notified_at", "err-required"),
            ("location", "err-required"),
            ("description", "err-required"),
            ("deaths", "err-negative"),
            ("serious_injuries", "err-whole-number"),
            ("loss", "err-negative"),
            ("reported_how", "err-choice"),
            ("extension_days", "err-extension-days"),
        ] {
            assert_eq!(e.get(field).map(|x| x.code), Some(code), "{field}");
        }
    }

    #[test]
    fn times_must_follow_each_other_and_not_be_in_the_future() {
        let e = IncidentDraft::parse(&IncidentInput { occurred_at: "2026-03-03T08:00".into(), ..input() }, now())
            .unwrap_err();
        assert_eq!(e.get("occurred_at").unwrap().code, "err-future");
        let e =
            IncidentDraft::parse(&IncidentInput { unit_head_notified_at: "2026-03-01T07:59".into(), ..input() }, now())
                .unwrap_err();
        assert_eq!(e.get("unit_head_notified_at").unwrap().code, "err-notified-before-occurred");
        // A report needs to whom and how; to whom needs when.
        let e = IncidentDraft::parse(&IncidentInput { reported_at: "2026-03-01T09:00".into(), ..input() }, now())
            .unwrap_err();
        assert_eq!(e.get("reported_to").unwrap().code, "err-required");
        assert_eq!(e.get("reported_how").unwrap().code, "err-required");
        let e =
            IncidentDraft::parse(&IncidentInput { reported_to: "County ESB".into(), ..input() }, now()).unwrap_err();
        assert_eq!(e.get("reported_at").unwrap().code, "err-required");
        let e = IncidentDraft::parse(&IncidentInput { extension_days: "30".into(), ..input() }, now()).unwrap_err();
        assert_eq!(e.get("extension_reason").unwrap().code, "err-required");
    }

    #[test]
    fn the_clock_runs_from_the_notification_and_the_accident() {
        let d = IncidentDraft::parse(&input(), now()).unwrap();
        // REFERENCE 4.2: occurred 08:00, unit head told 08:30 -> report by 09:30; casualty
        // updates for 30 days; investigation report in 60 days, at most 60 more.
        let (dl, items) = clock(&d, t("2026-03-01T09:30")).unwrap();
        assert_eq!(dl.report_to_regulator_by, t("2026-03-01T09:30"));
        assert_eq!(items[0].state, ClockState::Running);
        let (_, items) = clock(&d, t("2026-03-01T09:31")).unwrap();
        assert_eq!(items[0].state, ClockState::Overdue);
        assert_eq!(items[2].due, t("2026-03-31T08:00"));
        assert_eq!(items[2].state, ClockState::Open);
        assert_eq!(items[3].due, t("2026-04-30T08:00"));

        let reported = IncidentDraft::parse(
            &IncidentInput {
                reported_at: "2026-03-01T09:45".into(),
                reported_to: "Duyun County Emergency Management Bureau".into(),
                reported_how: "phone".into(),
                ..input()
            },
            now(),
        )
        .unwrap();
        let (_, items) = clock(&reported, t("2026-04-01T00:00")).unwrap();
        assert_eq!(items[0].state, ClockState::Done { at: t("2026-03-01T09:45"), late: true });
        assert_eq!(items[2].state, ClockState::Closed);
        assert_eq!(items[3].state, ClockState::Running);
    }

    #[test]
    fn the_extension_moves_the_investigation_due_date_once() {
        let i = IncidentInput {
            extension_days: "60".into(),
            extension_reason: "Expert report on the rock".into(),
            ..input()
        };
        let d = IncidentDraft::parse(&i, now()).unwrap();
        let (dl, items) = clock(&d, t("2026-06-01T00:00")).unwrap();
        assert_eq!(dl.investigation_report_due, t("2026-06-29T08:00"));
        assert_eq!(dl.investigation_report_due, dl.investigation_report_latest);
        assert_eq!(items[3].state, ClockState::Running);
        // A later version may not change or withdraw it.
        let before = d.clone();
        let again = IncidentDraft { extension_days: Some(30), reason: Some("x".into()), ..d.clone() };
        assert_eq!(again.check_change(&before).unwrap_err().get("extension_days").unwrap().code, "err-extension-once");
        let withdrawn = IncidentDraft { extension_days: None, extension_reason: None, reason: Some("x".into()), ..d };
        assert!(withdrawn.check_change(&before).is_err());
    }

    #[test]
    fn a_near_miss_has_no_legal_clock() {
        let i = IncidentInput { kind: "near_miss".into(), deaths: "".into(), ..input() };
        let d = IncidentDraft::parse(&i, now()).unwrap();
        let (_, items) = clock(&d, now()).unwrap();
        assert!(items.iter().all(|x| x.state == ClockState::NotApplicable));
        // ...unless it cost money.
        let d = IncidentDraft::parse(&IncidentInput { loss: "5000".into(), ..i }, now()).unwrap();
        let (_, items) = clock(&d, now()).unwrap();
        assert_eq!(items[0].state, ClockState::Overdue);
    }

    #[test]
    fn the_report_goes_further_up_as_the_class_rises() {
        // Two deaths: a general accident, reported up to the city, 2 hours after the mine's
        // report was due; three: relatively large, to the province, 2 hours later still.
        let two = IncidentDraft::parse(&input(), now()).unwrap();
        let (_, items) = clock(&two, now()).unwrap();
        assert_eq!((items[1].level, items[1].due), (Some(Investigator::City), t("2026-03-01T11:30")));
        let three = IncidentDraft::parse(&IncidentInput { deaths: "3".into(), ..input() }, now()).unwrap();
        let (_, items) = clock(&three, now()).unwrap();
        assert_eq!((items[1].level, items[1].due), (Some(Investigator::Province), t("2026-03-01T13:30")));
        let ten = IncidentDraft::parse(&IncidentInput { deaths: "10".into(), ..input() }, now()).unwrap();
        assert_eq!(clock(&ten, now()).unwrap().1[1].level, Some(Investigator::StateCouncil));
        assert_eq!(report_reaches(AccidentClass::EspeciallyMajor), (Investigator::StateCouncil, 3));
    }

    #[test]
    fn a_change_needs_a_reason() {
        let d = IncidentDraft::parse(&input(), now()).unwrap();
        assert_eq!(d.check_change(&d).unwrap_err().get("reason").unwrap().code, "err-reason-required");
    }
}
