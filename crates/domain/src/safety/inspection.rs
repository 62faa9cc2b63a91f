//! Inspection checklists (issue 5 item 1): templates of sections and questions, kept in
//! versions; schedules that say when each mine is next due; an inspection's answers judged
//! against the questions' limits, scored, and each failed item turned into a finding.

use std::collections::{BTreeMap, HashSet};

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::registry::code_enum;
use crate::validation::{FieldErrors, era_date, optional_text, required_text};

code_enum!(
    /// How a question is answered: yes / no / not applicable, a measured number checked against
    /// limits, free text, or a photo.
    QuestionKind, "err-choice", { YesNo => "yes_no", Number => "number", Text => "text", Photo => "photo" }
);

code_enum!(
    /// How bad a finding is, lowest first.
    Severity, "err-choice", { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
);

code_enum!(
    /// What became of one item: passed, failed, not applicable, or recorded without a judgement
    /// (text and photos).
    ItemOutcome, "err-choice", { Pass => "pass", Fail => "fail", NotApplicable => "na", Recorded => "recorded" }
);

code_enum!(
    /// A finding is open until it is dealt with.
    FindingStatus, "err-choice", { Open => "open", Closed => "closed" }
);

code_enum!(
    /// The unit of a schedule's interval.
    IntervalUnit, "err-choice", { Days => "days", Weeks => "weeks", Months => "months" }
);

/// The default underground metal-mine checklist, version 1, as the migration seeds it.
pub const DEFAULT_TEMPLATE_V1: &str = include_str!("default_template_v1.json");
/// The default template's stable id.
pub const DEFAULT_TEMPLATE_ID: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);
/// The largest photo kept with an answer.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// One question of a checklist. Number questions carry their limits (inclusive) and unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub kind: QuestionKind,
    pub en: String,
    pub zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// The severity of the finding a failure raises.
    pub severity: Severity,
}

impl Question {
    /// The question in the reader's language (`zh` or `en`).
    pub fn text(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }

    /// The limits as shown beside the input: `≥ 19.5 %`, `0.25 – 4 m/s`, `≤ 24 ppm`.
    pub fn limits(&self) -> String {
        let unit = self.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{} – {}{unit}", a.normalize(), b.normalize()),
            (Some(a), None) => format!("≥ {}{unit}", a.normalize()),
            (None, Some(b)) => format!("≤ {}{unit}", b.normalize()),
            (None, None) => unit.trim().to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub key: String,
    pub en: String,
    pub zh: String,
    pub questions: Vec<Question>,
}

impl Section {
    pub fn title(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }
}

/// A checklist's content: what one version of a template holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateContent {
    pub sections: Vec<Section>,
}

impl TemplateContent {
    /// Read stored content and check it.
    pub fn from_json(s: &str) -> Result<TemplateContent, &'static str> {
        let c: TemplateContent = serde_json::from_str(s).map_err(|_| "err-template-content")?;
        c.check()?;
        Ok(c)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"sections\":[]}".into())
    }

    /// Keys unique, texts present in both languages, limits only on numbers and in order.
    pub fn check(&self) -> Result<(), &'static str> {
        let mut keys = HashSet::new();
        for s in &self.sections {
            if s.key.trim().is_empty() || s.en.trim().is_empty() || s.zh.trim().is_empty() {
                return Err("err-template-content");
            }
            for q in &s.questions {
                if !keys.insert(q.key.as_str()) || q.en.trim().is_empty() || q.zh.trim().is_empty() {
                    return Err("err-template-content");
                }
                let limited = q.min.is_some() || q.max.is_some();
                if (limited && q.kind != QuestionKind::Number) || matches!((q.min, q.max), (Some(a), Some(b)) if a > b)
                {
                    return Err("err-template-content");
                }
            }
        }
        Ok(())
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions().find(|q| q.key == key)
    }

    /// The content with one more question (a new section if the draft names one).
    pub fn with_question(&self, d: &QuestionDraft) -> TemplateContent {
        let mut c = self.clone();
        let n = c.questions().count() + 1;
        let mut key = format!("q-{n}");
        let mut i = n;
        while c.question(&key).is_some() {
            i += 1;
            key = format!("q-{i}");
        }
        let q = Question {
            key,
            kind: d.kind,
            en: d.en.clone(),
            zh: d.zh.clone(),
            unit: d.unit.clone(),
            min: d.min,
            max: d.max,
            severity: d.severity,
        };
        match &d.section {
            SectionChoice::Existing(k) => {
                if let Some(s) = c.sections.iter_mut().find(|s| &s.key == k) {
                    s.questions.push(q);
                }
            }
            SectionChoice::New { en, zh } => {
                let mut key = format!("s-{}", c.sections.len() + 1);
                while c.sections.iter().any(|s| s.key == key) {
                    key.push('x');
                }
                c.sections.push(Section { key, en: en.clone(), zh: zh.clone(), questions: vec![q] });
            }
        }
        c
    }

    /// The content without a question (an empty section goes too), or `None` if it has no such
    /// question.
    pub fn without_question(&self, key: &str) -> Option<TemplateContent> {
        self.question(key)?;
        let mut c = self.clone();
        for s in &mut c.sections {
            s.questions.retain(|q| q.key != key);
        }
        c.sections.retain(|s| !s.questions.is_empty());
        Some(c)
    }
}

/// The default underground metal-mine template (version 1).
pub fn default_template() -> TemplateContent {
    TemplateContent::from_json(DEFAULT_TEMPLATE_V1).unwrap_or_default()
}

/// A new template's names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TemplateInput {
    pub name_en: String,
    pub name_zh: String,
    /// Start from the current version of this template (its id), or empty.
    pub copy_of: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateDraft {
    pub name_en: String,
    pub name_zh: String,
    pub copy_of: Option<Uuid>,
}

impl TemplateDraft {
    pub fn parse(i: &TemplateInput) -> Result<TemplateDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name_en = e.take("name_en", required_text(&i.name_en, 120));
        let name_zh = e.take("name_zh", required_text(&i.name_zh, 120));
        let copy_of = match i.copy_of.trim() {
            "" => None,
            t => e.take("copy_of", Uuid::parse_str(t).map_err(|_| "err-choice")),
        };
        match (name_en, name_zh) {
            (Some(name_en), Some(name_zh)) => e.into_result(TemplateDraft { name_en, name_zh, copy_of }),
            _ => Err(e),
        }
    }
}

/// A question to add to a template, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestionInput {
    /// The key of an existing section, or empty for a new one named below.
    pub section: String,
    pub new_section_en: String,
    pub new_section_zh: String,
    pub kind: String,
    pub en: String,
    pub zh: String,
    pub unit: String,
    pub min: String,
    pub max: String,
    pub severity: String,
    /// Why the template changes.
    pub reason: String,
    /// The template version the form was read at.
    pub version: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SectionChoice {
    Existing(String),
    New { en: String, zh: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionDraft {
    pub section: SectionChoice,
    pub kind: QuestionKind,
    pub en: String,
    pub zh: String,
    pub unit: Option<String>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    pub severity: Severity,
    pub reason: Option<String>,
}

/// A decimal as people type it (`19.5`, `19,5`); empty is none.
pub fn optional_decimal(s: &str) -> Result<Option<Decimal>, &'static str> {
    let t = s.trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    let d: Decimal = t.parse().map_err(|_| "err-number")?;
    // A reading has at most 6 decimals; more is a typing slip, and keeps the stored text short.
    if d.scale() > 6 { Err("err-too-precise") } else { Ok(Some(d.normalize())) }
}

impl QuestionDraft {
    pub fn parse(i: &QuestionInput, content: &TemplateContent) -> Result<QuestionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let section = if i.section.trim().is_empty() {
            let en = e.take("new_section_en", required_text(&i.new_section_en, 120));
            let zh = e.take("new_section_zh", required_text(&i.new_section_zh, 120));
            en.zip(zh).map(|(en, zh)| SectionChoice::New { en, zh })
        } else if content.sections.iter().any(|s| s.key == i.section.trim()) {
            Some(SectionChoice::Existing(i.section.trim().to_owned()))
        } else {
            e.add("section", "err-choice");
            None
        };
        let kind = e.take("kind", QuestionKind::parse(&i.kind));
        let en = e.take("en", required_text(&i.en, 300));
        let zh = e.take("zh", required_text(&i.zh, 300));
        let unit = e.take("unit", optional_text(&i.unit, 20));
        let min = e.take("min", optional_decimal(&i.min));
        let max = e.take("max", optional_decimal(&i.max));
        let severity = e.take("severity", Severity::parse(&i.severity));
        let reason = e.take("reason", optional_text(&i.reason, 500));
        if let (Some(k), Some(min), Some(max)) = (kind, &min, &max) {
            if k != QuestionKind::Number && (min.is_some() || max.is_some()) {
                e.add(if min.is_some() { "min" } else { "max" }, "err-limits-number-only");
            } else if k == QuestionKind::Number && min.is_none() && max.is_none() {
                e.add("min", "err-limits-needed");
            } else if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                e.add("max", "err-max-below-min");
            }
        }
        match (section, kind, en, zh, unit, min, max, severity, reason) {
            (
                Some(section),
                Some(kind),
                Some(en),
                Some(zh),
                Some(unit),
                Some(min),
                Some(max),
                Some(severity),
                Some(reason),
            ) if e.is_empty() => Ok(QuestionDraft { section, kind, en, zh, unit, min, max, severity, reason }),
            _ => Err(e),
        }
    }
}

// ---- schedules --------------------------------------------------------------------------------

/// Every `every` days, weeks or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recurrence {
    pub every: u32,
    pub unit: IntervalUnit,
}

impl Recurrence {
    /// 1 to 366 days, 1 to 52 weeks, 1 to 24 months.
    pub fn new(every: u32, unit: IntervalUnit) -> Result<Recurrence, &'static str> {
        let most = match unit {
            IntervalUnit::Days => 366,
            IntervalUnit::Weeks => 52,
            IntervalUnit::Months => 24,
        };
        if (1..=most).contains(&every) { Ok(Recurrence { every, unit }) } else { Err("err-interval") }
    }

    /// The date one interval after `d` (a month after 31 January is the last of February).
    pub fn after(&self, d: NaiveDate) -> NaiveDate {
        let next = match self.unit {
            IntervalUnit::Days => d.checked_add_days(Days::new(self.every.into())),
            IntervalUnit::Weeks => d.checked_add_days(Days::new(u64::from(self.every) * 7)),
            IntervalUnit::Months => d.checked_add_months(Months::new(self.every)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }
}

/// When a schedule is next due: its first date until an inspection is done on it, then one
/// interval after the last inspection (never before the first date).
pub fn next_due(first_due: NaiveDate, last_done: Option<NaiveDate>, r: Recurrence) -> NaiveDate {
    match last_done {
        None => first_due,
        Some(d) => r.after(d).max(first_due),
    }
}

/// Due before today and not done: overdue. Due today is not yet overdue.
pub fn is_overdue(due: NaiveDate, today: NaiveDate) -> bool {
    due < today
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ScheduleInput {
    pub mine_id: String,
    pub template_id: String,
    /// A whole number: every N units.
    pub every: String,
    /// `days`, `weeks` or `months`.
    pub unit: String,
    /// The first date it is due, `YYYY-MM-DD`.
    pub first_due: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleDraft {
    pub mine_id: Uuid,
    pub template_id: Uuid,
    pub recurrence: Recurrence,
    pub first_due: NaiveDate,
}

fn uuid_field(e: &mut FieldErrors, field: &str, v: &str) -> Option<Uuid> {
    if v.trim().is_empty() {
        e.add(field, "err-required");
        return None;
    }
    e.take(field, Uuid::parse_str(v.trim()).map_err(|_| "err-choice"))
}

impl ScheduleDraft {
    pub fn parse(i: &ScheduleInput) -> Result<ScheduleDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = uuid_field(&mut e, "mine_id", &i.mine_id);
        let template_id = uuid_field(&mut e, "template_id", &i.template_id);
        let unit = e.take("unit", IntervalUnit::parse(&i.unit));
        let every = match i.every.trim().parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) if i.every.trim().is_empty() => {
                e.add("every", "err-required");
                None
            }
            Err(_) => {
                e.add("every", "err-interval");
                None
            }
        };
        let recurrence = match (every, unit) {
            (Some(n), Some(u)) => e.take("every", Recurrence::new(n, u)),
            _ => None,
        };
        let first_due = e.take("first_due", era_date(&i.first_due));
        match (mine_id, template_id, recurrence, first_due) {
            (Some(mine_id), Some(template_id), Some(recurrence), Some(first_due)) => {
                e.into_result(ScheduleDraft { mine_id, template_id, recurrence, first_due })
            }
            _ => Err(e),
        }
    }
}

// ---- answers, score, findings ----------------------------------------------------------------

/// One answer as typed on the form: `value` is `yes`/`no`/`na` for yes/no questions, a number
/// or `na` for number questions, any text for text questions; `note` says what was seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AnswerInput {
    pub value: String,
    pub note: String,
}

/// An answer judged against its question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerDraft {
    pub key: String,
    pub kind: QuestionKind,
    /// As stored: `yes`, `no`, `na`, the number without trailing zeros, or the text.
    pub value: Option<String>,
    pub outcome: ItemOutcome,
    pub note: Option<String>,
}

/// Judge one answer. Yes passes and no fails (every yes/no question is asked so that yes is
/// safe); a number passes within its limits, both inclusive; `na` takes the item out of the
/// score; text and photos are recorded, not judged.
pub fn judge(q: &Question, value: &str) -> Result<(Option<String>, ItemOutcome), &'static str> {
    let v = value.trim();
    match q.kind {
        QuestionKind::YesNo => match v {
            "yes" => Ok((Some("yes".into()), ItemOutcome::Pass)),
            "no" => Ok((Some("no".into()), ItemOutcome::Fail)),
            "na" => Ok((Some("na".into()), ItemOutcome::NotApplicable)),
            "" => Err("err-answer-required"),
            _ => Err("err-choice"),
        },
        QuestionKind::Number => {
            if v.eq_ignore_ascii_case("na") {
                return Ok((Some("na".into()), ItemOutcome::NotApplicable));
            }
            let Some(x) = optional_decimal(v)? else { return Err("err-answer-required") };
            let low = q.min.is_some_and(|m| x < m);
            let high = q.max.is_some_and(|m| x > m);
            Ok((Some(x.to_string()), if low || high { ItemOutcome::Fail } else { ItemOutcome::Pass }))
        }
        QuestionKind::Text => Ok((optional_text(v, 2000)?, ItemOutcome::Recorded)),
        QuestionKind::Photo => Ok((None, ItemOutcome::Recorded)),
    }
}

/// The score of an inspection: the share of applicable items that passed. Not-applicable items
/// and recorded ones (text, photos) are left out; with no applicable item there is no score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub applicable: u32,
    pub passed: u32,
    pub failed: u32,
}

impl Score {
    pub fn of(outcomes: impl IntoIterator<Item = ItemOutcome>) -> Score {
        let mut s = Score::default();
        for o in outcomes {
            match o {
                ItemOutcome::Pass => s.passed += 1,
                ItemOutcome::Fail => s.failed += 1,
                ItemOutcome::NotApplicable | ItemOutcome::Recorded => continue,
            }
            s.applicable += 1;
        }
        s
    }

    /// Percent passed, to one decimal (half away from zero); `None` without applicable items.
    pub fn percent(&self) -> Option<Decimal> {
        if self.applicable == 0 {
            return None;
        }
        let p = Decimal::from(self.passed) * Decimal::from(100) / Decimal::from(self.applicable);
        Some(p.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
    }
}

/// What a failed item raises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedItem {
    pub key: String,
    pub severity: Severity,
    /// The inspector's note, or the answer given.
    pub description: String,
}

/// An inspection as filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct InspectionInput {
    pub mine_id: String,
    /// The schedule this inspection fulfils, if any.
    pub schedule_id: String,
    /// The template (its id); the current version is filled in.
    pub template_id: String,
    /// `YYYY-MM-DD`.
    pub inspected_on: String,
    pub inspector: String,
    pub notes: String,
    /// By question key.
    pub answers: BTreeMap<String, AnswerInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionDraft {
    pub mine_id: Uuid,
    pub schedule_id: Option<Uuid>,
    pub template_id: Uuid,
    pub inspected_on: NaiveDate,
    pub inspector: String,
    pub notes: Option<String>,
    pub answers: Vec<AnswerDraft>,
    pub score: Score,
    pub failed: Vec<FailedItem>,
}

/// The form field of a question's answer (`a-<key>`), its note and its photo; field errors
/// name it.
pub fn answer_field(key: &str) -> String {
    format!("a-{key}")
}

pub fn note_field(key: &str) -> String {
    format!("n-{key}")
}

pub fn photo_field(key: &str) -> String {
    format!("p-{key}")
}

/// What a failed answer records when the inspector wrote no note: the question and the
/// answer, in Chinese and English (a bare "no" or "18.9" says nothing on the findings list).
fn failed_description(q: &Question, value: Option<&str>) -> String {
    let unit = q.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
    let (zh, en) = match (q.kind, value) {
        (QuestionKind::YesNo, Some("no")) => ("否".to_owned(), "no".to_owned()),
        (QuestionKind::YesNo, Some("yes")) => ("是".to_owned(), "yes".to_owned()),
        (_, Some(v)) => (format!("{v}{unit}"), format!("{v}{unit}")),
        (_, None) => ("未作答".to_owned(), "not answered".to_owned()),
    };
    format!("{}：{zh} / {}: {en}", q.zh, q.en)
}

impl InspectionDraft {
    /// Judge every question of `content` (each must be answered, photos and text aside); the
    /// date may not be in the future.
    pub fn parse(
        i: &InspectionInput,
        content: &TemplateContent,
        today: NaiveDate,
    ) -> Result<InspectionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = uuid_field(&mut e, "mine_id", &i.mine_id);
        let template_id = uuid_field(&mut e, "template_id", &i.template_id);
        let schedule_id = match i.schedule_id.trim() {
            "" => Some(None),
            t => e.take("schedule_id", Uuid::parse_str(t).map(Some).map_err(|_| "err-choice")),
        };
        let inspected_on = match e.take("inspected_on", era_date(&i.inspected_on)) {
            Some(d) if d > today => {
                e.add("inspected_on", "err-future");
                None
            }
            d => d,
        };
        let inspector = e.take("inspector", required_text(&i.inspector, 100));
        let notes = e.take("notes", optional_text(&i.notes, 2000));
        let mut answers = Vec::new();
        let mut failed = Vec::new();
        for q in content.questions() {
            let a = i.answers.get(&q.key).cloned().unwrap_or_default();
            let note = e.take(&note_field(&q.key), optional_text(&a.note, 1000)).flatten();
            match judge(q, &a.value) {
                Ok((value, outcome)) => {
                    if outcome == ItemOutcome::Fail {
                        let description = note.clone().unwrap_or_else(|| failed_description(q, value.as_deref()));
                        failed.push(FailedItem { key: q.key.clone(), severity: q.severity, description });
                    }
                    answers.push(AnswerDraft { key: q.key.clone(), kind: q.kind, value, outcome, note });
                }
                Err(code) => e.add(&answer_field(&q.key), code),
            }
        }
        let score = Score::of(answers.iter().map(|a| a.outcome));
        match (mine_id, template_id, schedule_id, inspected_on, inspector, notes) {
            (Some(mine_id), Some(template_id), Some(schedule_id), Some(inspected_on), Some(inspector), Some(notes)) => {
                e.into_result(InspectionDraft {
                    mine_id,
                    schedule_id,
                    template_id,
                    inspected_on,
                    inspector,
                    notes,
                    answers,
                    score,
                    failed,
                })
            }
            _ => Err(e),
        }
    }
}

/// A finding raised by hand (seen on a walk-round, not from a checklist item).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FindingInput {
    pub mine_id: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingDraft {
    pub mine_id: Uuid,
    pub severity: Severity,
    pub description: String,
}

impl FindingDraft {
    pub fn parse(i: &FindingInput) -> Result<FindingDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = uuid_field(&mut e, "mine_id", &i.mine_id);
        let severity = e.take("severity", Severity::parse(&i.severity));
        let description = e.take("description", required_text(&i.description, 2000));
        match (mine_id, severity, description) {
            (Some(mine_id), Some(severity), Some(description)) => {
                e.into_result(FindingDraft { mine_id, severity, description })
            }
            _ => Err(e),
        }
    }
}

/// The content type of a photo from its first bytes (JPEG, PNG, WebP, HEIC), or an error code:
/// anything else is refused, whatever its name says.
pub fn photo_type(bytes: &[u8]) -> Result<&'static str, &'static str> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err("err-photo-too-big");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok("image/webp")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1") {
        Ok("image/heic")
    } else {
        Err("err-photo-type")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn number(min: Option<Decimal>, max: Option<Decimal>) -> Question {
        Question {
            key: "n".into(),
            kind: QuestionKind::Number,
            en: "O2".into(),
            zh: "氧气".into(),
            unit: Some("%".into()),
            min,
            max,
            severity: Severity::Critical,
        }
    }

    #[test]
    fn the_default_template_covers_every_area_in_both_languages() {
        let t = default_template();
        let keys: Vec<&str> = t.sections.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            ["ventilation", "ground", "hoisting", "explosives", "electrical", "emergency", "fire", "ppe", "tailings"]
        );
        assert!(t.questions().count() >= 40);
        assert!(t.questions().all(|q| !q.en.is_empty() && !q.zh.is_empty()));
        let o2 = t.question("vent-o2").unwrap();
        assert_eq!((o2.kind, o2.min, o2.max), (QuestionKind::Number, Some(dec!(19.5)), None));
        assert_eq!(o2.limits(), "≥ 19.5 %");
        assert_eq!(t.question("vent-air-speed").unwrap().limits(), "0.25 – 4 m/s");
        assert!(t.questions().any(|q| q.kind == QuestionKind::Photo));
        assert!(t.questions().any(|q| q.kind == QuestionKind::Text));
        // Stored and read back unchanged.
        assert_eq!(TemplateContent::from_json(&t.to_json()), Ok(t));
    }

    #[test]
    fn content_with_duplicate_keys_or_crossed_limits_is_refused() {
        let mut t = default_template();
        let first = t.sections[0].questions[0].clone();
        t.sections[1].questions.push(first);
        assert_eq!(t.check(), Err("err-template-content"));
        let mut t = default_template();
        t.sections[0].questions[0].max = Some(dec!(10));
        assert_eq!(t.check(), Err("err-template-content"));
        assert_eq!(TemplateContent::from_json("{"), Err("err-template-content"));
    }

    #[test]
    fn yes_passes_no_fails_na_is_left_out() {
        let q = &default_template().sections[0].questions[4];
        assert_eq!(q.kind, QuestionKind::YesNo);
        assert_eq!(judge(q, "yes").unwrap().1, ItemOutcome::Pass);
        assert_eq!(judge(q, "no").unwrap().1, ItemOutcome::Fail);
        assert_eq!(judge(q, "na").unwrap().1, ItemOutcome::NotApplicable);
        assert_eq!(judge(q, ""), Err("err-answer-required"));
        assert_eq!(judge(q, "maybe"), Err("err-choice"));
    }

    #[test]
    fn numbers_pass_within_their_limits_both_inclusive() {
        let q = number(Some(dec!(19.5)), None);
        assert_eq!(judge(&q, "19.5"), Ok((Some("19.5".into()), ItemOutcome::Pass)));
        assert_eq!(judge(&q, "19,49"), Ok((Some("19.49".into()), ItemOutcome::Fail)));
        assert_eq!(judge(&q, "20.90").unwrap(), (Some("20.9".into()), ItemOutcome::Pass));
        let q = number(Some(dec!(0.25)), Some(dec!(4)));
        assert_eq!(judge(&q, "4").unwrap().1, ItemOutcome::Pass);
        assert_eq!(judge(&q, "4.01").unwrap().1, ItemOutcome::Fail);
        assert_eq!(judge(&q, "0.24").unwrap().1, ItemOutcome::Fail);
        assert_eq!(judge(&q, "NA").unwrap().1, ItemOutcome::NotApplicable);
        assert_eq!(judge(&q, ""), Err("err-answer-required"));
        assert_eq!(judge(&q, "abc"), Err("err-number"));
        assert_eq!(judge(&q, "1.1234567"), Err("err-too-precise"));
    }

    #[test]
    fn the_score_is_the_share_of_applicable_items_passed() {
        use ItemOutcome::*;
        let s = Score::of([Pass, Pass, Fail, NotApplicable, Recorded]);
        assert_eq!(s, Score { applicable: 3, passed: 2, failed: 1 });
        assert_eq!(s.percent(), Some(dec!(66.7)));
        assert_eq!(Score::of([Pass, NotApplicable]).percent(), Some(dec!(100.0)));
        assert_eq!(Score::of([Fail]).percent(), Some(dec!(0)));
        assert_eq!(Score::of([NotApplicable, Recorded]).percent(), None, "nothing applicable: no score");
        // 7 of 8 is 87.5 exactly; 1 of 8 is 12.5; 5 of 6 rounds up to 83.3.
        assert_eq!(Score::of([[Pass; 7].as_slice(), &[Fail]].concat()).percent(), Some(dec!(87.5)));
        assert_eq!(Score::of([[Pass; 5].as_slice(), &[Fail]].concat()).percent(), Some(dec!(83.3)));
    }

    fn filled(value_of: impl Fn(&Question) -> &'static str) -> InspectionInput {
        let t = default_template();
        InspectionInput {
            mine_id: Uuid::from_u128(1).to_string(),
            template_id: DEFAULT_TEMPLATE_ID.to_string(),
            inspected_on: "2026-11-20".into(),
            inspector: "周检".into(),
            answers: t
                .questions()
                .map(|q| (q.key.clone(), AnswerInput { value: value_of(q).into(), note: String::new() }))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_filled_inspection_is_scored_and_its_failures_listed() {
        let t = default_template();
        let mut i = filled(|q| match q.kind {
            QuestionKind::YesNo => "yes",
            QuestionKind::Number => "na",
            _ => "",
        });
        i.answers.insert("vent-o2".into(), AnswerInput { value: "18.9".into(), note: String::new() });
        i.answers.insert("exit-two".into(), AnswerInput { value: "no".into(), note: "二号出口堵塞".into() });
        let dr = InspectionDraft::parse(&i, &t, d("2026-11-26")).unwrap();
        let yes_no = t.questions().filter(|q| q.kind == QuestionKind::YesNo).count() as u32;
        assert_eq!(dr.score, Score { applicable: yes_no + 1, passed: yes_no - 1, failed: 2 });
        let failed: Vec<(&str, Severity, &str)> =
            dr.failed.iter().map(|f| (f.key.as_str(), f.severity, f.description.as_str())).collect();
        // The inspector's note when there is one; else the question and the answer, in both
        // languages.
        let o2 = "工作面风流中氧气浓度（不得低于 19.5 %）：18.9 % / O2 in the air at the working face (must be at least 19.5 %): 18.9 %";
        assert_eq!(failed, [("vent-o2", Severity::Critical, o2), ("exit-two", Severity::Critical, "二号出口堵塞")]);
        assert_eq!(dr.answers.len(), t.questions().count(), "every question has its answer row");
    }

    #[test]
    fn unanswered_items_and_a_future_date_are_named_on_their_fields() {
        let t = default_template();
        let mut i = filled(|_| "");
        i.inspected_on = "2026-11-27".into();
        i.inspector = " ".into();
        let e = InspectionDraft::parse(&i, &t, d("2026-11-26")).unwrap_err();
        assert_eq!(e.get("inspected_on").map(|x| x.code), Some("err-future"));
        assert_eq!(e.get("inspector").map(|x| x.code), Some("err-required"));
        assert_eq!(e.get("a-vent-o2").map(|x| x.code), Some("err-answer-required"));
        assert_eq!(e.get("a-ground-scaling").map(|x| x.code), Some("err-answer-required"));
        assert!(e.get("a-ppe-notes").is_none() && e.get("a-tail-photo").is_none(), "text and photo are optional");
    }

    #[test]
    fn schedules_fall_due_an_interval_after_the_last_inspection() {
        let monthly = Recurrence::new(1, IntervalUnit::Months).unwrap();
        assert_eq!(next_due(d("2026-01-31"), None, monthly), d("2026-01-31"));
        assert_eq!(next_due(d("2026-01-01"), Some(d("2026-01-31")), monthly), d("2026-02-28"));
        assert_eq!(
            next_due(d("2026-03-10"), Some(d("2026-01-05")), monthly),
            d("2026-03-10"),
            "never before the first"
        );
        let fortnightly = Recurrence::new(2, IntervalUnit::Weeks).unwrap();
        assert_eq!(next_due(d("2026-01-01"), Some(d("2026-11-20")), fortnightly), d("2026-12-04"));
        let daily = Recurrence::new(1, IntervalUnit::Days).unwrap();
        assert_eq!(daily.after(d("2024-02-28")), d("2024-02-29"));
        assert!(is_overdue(d("2026-11-25"), d("2026-11-26")));
        assert!(!is_overdue(d("2026-11-26"), d("2026-11-26")), "due today is not overdue");
        assert_eq!(Recurrence::new(0, IntervalUnit::Days), Err("err-interval"));
        assert_eq!(Recurrence::new(25, IntervalUnit::Months), Err("err-interval"));
        assert!(Recurrence::new(366, IntervalUnit::Days).is_ok());
    }

    #[test]
    fn a_schedule_names_each_bad_field() {
        let i = ScheduleInput { every: "0".into(), unit: "fortnights".into(), ..Default::default() };
        let e = ScheduleDraft::parse(&i).unwrap_err();
        assert_eq!(e.get("mine_id").map(|x| x.code), Some("err-required"));
        assert_eq!(e.get("unit").map(|x| x.code), Some("err-choice"));
        assert_eq!(e.get("first_due").map(|x| x.code), Some("err-date"));
        let i = ScheduleInput {
            mine_id: Uuid::from_u128(1).to_string(),
            template_id: DEFAULT_TEMPLATE_ID.to_string(),
            every: "0".into(),
            unit: "weeks".into(),
            first_due: "2026-12-01".into(),
        };
        assert_eq!(ScheduleDraft::parse(&i).unwrap_err().get("every").map(|x| x.code), Some("err-interval"));
    }

    #[test]
    fn questions_are_added_and_removed_as_new_content() {
        let t = default_template();
        let i = QuestionInput {
            section: "ventilation".into(),
            kind: "number".into(),
            en: "Radon (Bq/m³)".into(),
            zh: "氡浓度".into(),
            max: "1000".into(),
            severity: "high".into(),
            ..Default::default()
        };
        let q = QuestionDraft::parse(&i, &t).unwrap();
        let t2 = t.with_question(&q);
        assert_eq!(t2.questions().count(), t.questions().count() + 1);
        let added = t2.sections[0].questions.last().unwrap();
        assert!(t.question(&added.key).is_none() && added.max == Some(dec!(1000)));
        assert_eq!(t2.check(), Ok(()));
        let t3 = t2.without_question(&added.key).unwrap();
        assert_eq!(t3, t);
        assert!(t.without_question("nope").is_none());
        // A new section, and limits on a yes/no question refused.
        let i = QuestionInput {
            new_section_en: "Surface".into(),
            new_section_zh: "地面".into(),
            kind: "yes_no".into(),
            en: "Fenced?".into(),
            zh: "有围栏？".into(),
            min: "1".into(),
            severity: "low".into(),
            ..Default::default()
        };
        assert_eq!(
            QuestionDraft::parse(&i, &t).unwrap_err().get("min").map(|x| x.code),
            Some("err-limits-number-only")
        );
        let i = QuestionInput { min: String::new(), ..i };
        let t4 = t.with_question(&QuestionDraft::parse(&i, &t).unwrap());
        assert_eq!(t4.sections.last().map(|s| s.en.as_str()), Some("Surface"));
        assert_eq!(t4.check(), Ok(()));
    }

    #[test]
    fn photos_are_known_by_their_bytes_and_size() {
        assert_eq!(photo_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Ok("image/jpeg"));
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(photo_type(b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(photo_type(b"<svg onload=alert(1)>"), Err("err-photo-type"));
        let big = [[0xFF, 0xD8, 0xFF].as_slice(), &vec![0u8; MAX_PHOTO_BYTES]].concat();
        assert_eq!(photo_type(&big), Err("err-photo-too-big"));
    }
}
