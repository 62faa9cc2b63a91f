//! A worker as entered on the form or sent to the API, and the checks that make a draft of it:
//! the identity number agrees with the birth date and sex entered, no one under 16 is employed,
//! no one under 18 works underground, and each dependant is checked like the worker.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::idcard::IdNumber;
use super::{EmploymentForm, Job, MIN_WORKING_AGE, Relation, Sex, UNDERGROUND_MIN_AGE, age_on};
use crate::validation::{FieldErrors, era_date, optional_date, optional_phone, optional_text, required_text};

/// A family member as entered: every field a string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DependantInput {
    pub name: String,
    /// `spouse`, `child`, `parent` or `other`.
    pub relation: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// Optional; checked like the worker's.
    pub id_number: String,
}

impl DependantInput {
    fn is_blank(&self) -> bool {
        [&self.name, &self.relation, &self.birth_date, &self.id_number].iter().all(|s| s.trim().is_empty())
    }
}

/// A worker as entered: every field a string, dates `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WorkerInput {
    pub mine_id: String,
    pub name: String,
    /// The 18-character resident identity card number.
    pub id_number: String,
    /// `male` or `female`.
    pub sex: String,
    pub birth_date: String,
    pub home_village: String,
    pub phone: String,
    /// A code of the job list (`miner`, `blaster`, `hoist_operator`, ...).
    pub job: String,
    /// `contract`, `dispatch` or `casual`.
    pub employment_form: String,
    pub start_date: String,
    /// The day the worker left (the record is never deleted).
    pub end_date: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    /// Family members covered by the family insurance.
    pub dependants: Vec<DependantInput>,
    /// Why a recorded worker is being changed (required for every new version).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependantDraft {
    pub name: String,
    pub relation: Relation,
    pub birth_date: NaiveDate,
    #[serde(skip)]
    pub id_number: Option<IdNumber>,
}

/// A checked worker. The identity number is in clear here; it never leaves the store so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerDraft {
    pub mine_id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub id_number: IdNumber,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub home_village: Option<String>,
    pub phone: Option<String>,
    pub job: Job,
    pub employment_form: EmploymentForm,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub emergency_name: Option<String>,
    pub emergency_phone: Option<String>,
    pub dependants: Vec<DependantDraft>,
    pub reason: Option<String>,
}

/// At most this many dependants per worker.
pub const MAX_DEPENDANTS: usize = 20;

/// The field name of a dependant's field in errors and forms: `dependants[0].name`.
pub fn dependant_field(i: usize, field: &str) -> String {
    format!("dependants[{i}].{field}")
}

impl WorkerDraft {
    /// Check a worker; `today` is the co-op's date (the day of the record).
    pub fn parse(i: &WorkerInput, today: NaiveDate) -> Result<WorkerDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = e.take("mine_id", Uuid::parse_str(i.mine_id.trim()).map_err(|_| "err-choice"));
        let name = e.take("name", required_text(&i.name, 100));
        let id_number = e.take("id_number", IdNumber::parse(&i.id_number));
        let sex = e.take("sex", Sex::parse(&i.sex));
        let birth_date = e.take("birth_date", era_date(&i.birth_date));
        if let Some(b) = birth_date
            && b >= today
        {
            e.add("birth_date", "err-future-date");
        }
        let home_village = e.take("home_village", optional_text(&i.home_village, 200)).flatten();
        let phone = e.take("phone", optional_phone(&i.phone)).flatten();
        let job = e.take("job", Job::parse(&i.job));
        let employment_form = e.take("employment_form", EmploymentForm::parse(&i.employment_form));
        let start_date = e.take("start_date", era_date(&i.start_date));
        let end_date = e.take("end_date", optional_date(&i.end_date)).flatten();
        if let (Some(s), Some(end)) = (start_date, end_date)
            && end < s
        {
            e.add("end_date", "err-end-before-start");
        }
        let emergency_name = e.take("emergency_name", optional_text(&i.emergency_name, 100)).flatten();
        let emergency_phone = e.take("emergency_phone", optional_phone(&i.emergency_phone)).flatten();
        if emergency_phone.is_some() && emergency_name.is_none() {
            e.add("emergency_name", "err-required");
        }
        let reason = e.take("reason", optional_text(&i.reason, 2000)).flatten();

        // The number carries the birth date and the sex: both must agree with what was entered.
        if let (Some(id), Some(b)) = (&id_number, birth_date)
            && id.birth_date() != b
        {
            e.add("id_number", "err-id-birth-mismatch");
        }
        if let (Some(id), Some(s)) = (&id_number, sex)
            && id.is_male() != (s == Sex::Male)
        {
            e.add("id_number", "err-id-sex-mismatch");
        }
        if let (Some(b), Some(start)) = (birth_date, start_date) {
            // The youngest the worker is while working is on the start date (whether the record
            // is made before or after it).
            let age = age_on(b, start);
            if age < MIN_WORKING_AGE {
                e.add_with("birth_date", "err-under-working-age", vec![("age", MIN_WORKING_AGE.to_string())]);
            } else if let Some(j) = job
                && j.underground()
                && age < UNDERGROUND_MIN_AGE
            {
                e.add_with("job", "err-underage-underground", vec![("age", UNDERGROUND_MIN_AGE.to_string())]);
            }
        }

        let mut dependants = Vec::new();
        let filled: Vec<(usize, &DependantInput)> =
            i.dependants.iter().enumerate().filter(|(_, d)| !d.is_blank()).collect();
        if filled.len() > MAX_DEPENDANTS {
            e.add("dependants", "err-too-many");
        }
        for (n, d) in filled.into_iter().take(MAX_DEPENDANTS) {
            let f = |x: &str| dependant_field(n, x);
            let name = e.take(&f("name"), required_text(&d.name, 100));
            let relation = e.take(&f("relation"), Relation::parse(&d.relation));
            let birth = e.take(&f("birth_date"), era_date(&d.birth_date));
            if let Some(b) = birth
                && b > today
            {
                e.add(&f("birth_date"), "err-future-date");
            }
            let id = if d.id_number.trim().is_empty() {
                None
            } else {
                e.take(&f("id_number"), IdNumber::parse(&d.id_number))
            };
            if let (Some(id), Some(b)) = (&id, birth)
                && id.birth_date() != b
            {
                e.add(&f("id_number"), "err-id-birth-mismatch");
            }
            if let (Some(name), Some(relation), Some(birth_date)) = (name, relation, birth) {
                dependants.push(DependantDraft { name, relation, birth_date, id_number: id });
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        match (mine_id, name, id_number, sex, birth_date, job, employment_form, start_date) {
            (
                Some(mine_id),
                Some(name),
                Some(id_number),
                Some(sex),
                Some(birth_date),
                Some(job),
                Some(ef),
                Some(sd),
            ) => Ok(WorkerDraft {
                mine_id,
                name,
                id_number,
                sex,
                birth_date,
                home_village,
                phone,
                job,
                employment_form: ef,
                start_date: sd,
                end_date,
                emergency_name,
                emergency_phone,
                dependants,
                reason,
            }),
            _ => Err(e),
        }
    }

    /// Check a new version against the current one: a reason is required, and the mine and
    /// the person (the identity number) do not change: another person is another worker.
    pub fn check_change(&self, current_mine: Uuid, current_id: &str) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.reason.is_none() {
            e.add("reason", "err-reason-required");
        }
        if self.mine_id != current_mine {
            e.add("mine_id", "err-worker-mine-fixed");
        }
        if self.id_number.as_str() != current_id {
            e.add("id_number", "err-worker-person-fixed");
        }
        e.into_result(())
    }

    /// Whether the worker is active on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        super::state_on(self.start_date, self.end_date, day) == super::WorkerState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workforce::idcard::tests::make;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input() -> WorkerInput {
        WorkerInput {
            mine_id: Uuid::from_u128(1).to_string(),
            name: "王小明".into(),
            id_number: make("522701", "19900512", "031"),
            sex: "male".into(),
            birth_date: "1990-05-12".into(),
            home_village: "岩脚村".into(),
            phone: "138 0854 1234".into(),
            job: "blaster".into(),
            employment_form: "dispatch".into(),
            start_date: "2025-03-01".into(),
            ..Default::default()
        }
    }

    fn codes(e: &FieldErrors, field: &str) -> Vec<&'static str> {
        e.0.iter().filter(|x| x.field == field).map(|x| x.code).collect()
    }

    #[test]
    fn a_complete_worker_parses() {
        let w = WorkerDraft::parse(&input(), d("2026-11-26")).unwrap();
        assert_eq!(w.name, "王小明");
        assert_eq!(w.job, Job::Blaster);
        assert_eq!(w.employment_form, EmploymentForm::Dispatch);
        assert!(w.active_on(d("2026-11-26")) && !w.active_on(d("2025-02-28")));
        assert!(w.dependants.is_empty());
    }

    #[test]
    fn the_number_must_agree_with_birth_date_and_sex() {
        let mut i = input();
        i.birth_date = "1990-05-13".into();
        let e = WorkerDraft::parse(&i, d("2026-11-26")).unwrap_err();
        assert_eq!(codes(&e, "id_number"), ["err-id-birth-mismatch"]);
        let mut i = input();
        i.sex = "female".into();
        let e = WorkerDraft::parse(&i, d("2026-11-26")).unwrap_err();
        assert_eq!(codes(&e, "id_number"), ["err-id-sex-mismatch"]);
        // A woman's number (even 17th digit) with sex female passes.
        let mut i = input();
        i.id_number = make("522701", "19900512", "042");
        i.sex = "female".into();
        assert!(WorkerDraft::parse(&i, d("2026-11-26")).is_ok());
    }

    #[test]
    fn no_one_under_18_underground() {
        // Born 2008-06-15: 17 on a start date of 2026-06-01, 18 from 2026-06-15.
        let young = |job: &str, start: &str, today: &str| {
            let mut i = input();
            i.id_number = make("522701", "20080615", "031");
            i.birth_date = "2008-06-15".into();
            i.job = job.into();
            i.start_date = start.into();
            WorkerDraft::parse(&i, d(today))
        };
        let e = young("miner", "2026-06-01", "2026-06-01").unwrap_err();
        assert_eq!(codes(&e, "job"), ["err-underage-underground"]);
        assert_eq!(e.get("job").unwrap().args, vec![("age", "18".to_string())]);
        // On the 18th birthday he may go underground.
        assert!(young("miner", "2026-06-15", "2026-06-15").is_ok());
        // Recorded late for a start when he was 17: still refused.
        assert!(young("blaster", "2026-06-01", "2026-11-26").is_err());
        // Recorded early, for a start after his birthday: accepted.
        assert!(young("miner", "2026-07-01", "2026-06-01").is_ok());
        // A surface job at 17 is allowed.
        assert!(young("clerk", "2026-06-01", "2026-06-01").is_ok());
        // Nobody under 16 at all.
        let e = young("clerk", "2024-06-01", "2024-06-01").unwrap_err();
        assert_eq!(codes(&e, "birth_date"), ["err-under-working-age"]);
    }

    #[test]
    fn dates_and_choices_are_checked() {
        let mut i = input();
        i.end_date = "2025-02-01".into();
        i.job = "astronaut".into();
        i.employment_form = "".into();
        i.phone = "call me".into();
        let e = WorkerDraft::parse(&i, d("2026-11-26")).unwrap_err();
        assert_eq!(codes(&e, "end_date"), ["err-end-before-start"]);
        assert_eq!(codes(&e, "job"), ["err-choice"]);
        assert_eq!(codes(&e, "employment_form"), ["err-choice"]);
        assert_eq!(codes(&e, "phone"), ["err-phone"]);
        let e = WorkerDraft::parse(&WorkerInput::default(), d("2026-11-26")).unwrap_err();
        for f in ["mine_id", "name", "id_number", "sex", "birth_date", "job", "employment_form", "start_date"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn dependants_are_checked_and_blank_rows_skipped() {
        let mut i = input();
        i.dependants = vec![
            DependantInput {
                name: "李芳".into(),
                relation: "spouse".into(),
                birth_date: "1992-01-20".into(),
                id_number: make("522701", "19920120", "024"),
            },
            DependantInput::default(),
            DependantInput {
                name: "王小丽".into(),
                relation: "child".into(),
                birth_date: "2018-09-01".into(),
                ..Default::default()
            },
        ];
        let w = WorkerDraft::parse(&i, d("2026-11-26")).unwrap();
        assert_eq!(w.dependants.len(), 2);
        assert!(w.dependants[0].id_number.is_some() && w.dependants[1].id_number.is_none());
        i.dependants[0].birth_date = "1992-01-21".into();
        i.dependants[2].relation = "cousin".into();
        let e = WorkerDraft::parse(&i, d("2026-11-26")).unwrap_err();
        assert_eq!(codes(&e, "dependants[0].id_number"), ["err-id-birth-mismatch"]);
        assert_eq!(codes(&e, "dependants[2].relation"), ["err-choice"]);
    }

    #[test]
    fn a_new_version_needs_a_reason_and_keeps_the_person() {
        let w = WorkerDraft::parse(&input(), d("2026-11-26")).unwrap();
        let e = w.check_change(w.mine_id, w.id_number.as_str()).unwrap_err();
        assert_eq!(codes(&e, "reason"), ["err-reason-required"]);
        let mut i = input();
        i.reason = "new phone".into();
        let w = WorkerDraft::parse(&i, d("2026-11-26")).unwrap();
        assert!(w.check_change(w.mine_id, w.id_number.as_str()).is_ok());
        let e = w.check_change(Uuid::from_u128(2), "x").unwrap_err();
        assert_eq!(codes(&e, "mine_id"), ["err-worker-mine-fixed"]);
        assert_eq!(codes(&e, "id_number"), ["err-worker-person-fixed"]);
    }
}
