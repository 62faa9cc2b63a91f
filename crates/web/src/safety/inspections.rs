//! Inspections: each mine's schedules (next due, overdue), the checklist filled in on a phone
//! (a plain form, no script: radio buttons, numbers, notes and photos), the inspection with its
//! score and findings, and the checklist templates with their versions.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minecoop_domain::FieldErrors;
use minecoop_domain::safety::inspection::{
    AnswerInput, DEFAULT_TEMPLATE_ID, InspectionDraft, InspectionInput, IntervalUnit, QuestionDraft, QuestionInput,
    QuestionKind, ScheduleDraft, ScheduleInput, Severity, TemplateContent, TemplateDraft, TemplateInput, photo_type,
};
use minecoop_store::StoreError;
use minecoop_store::attachments::AttachmentMeta;
use minecoop_store::registry::Mine;
use minecoop_store::safety::{Inspection, InspectionRecord, PHOTO_ENTITY, Photo, Schedule, TemplateVersion};
use serde::Deserialize;
use uuid::Uuid;

use super::{inspectable_mines, mine_ids, opt_id, query, visible_mines};
use crate::cadastre::today;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, conflict, unprocessable};
use crate::session::Viewer;
use crate::upload::{Submitted, Upload};
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list).post(create))
        .route("/inspections/new", get(new))
        .route("/inspections/{id}", get(detail))
        .route("/inspections/{id}/photos/{photo}", get(photo))
        .route("/inspections/schedules", post(create_schedule))
        .route("/inspections/schedules/new", get(new_schedule))
        .route("/inspections/schedules/{id}", post(change_schedule))
        .route("/inspections/schedules/{id}/edit", get(edit_schedule))
        .route("/inspections/schedules/{id}/stop", post(stop_schedule))
        .route("/inspections/templates", get(templates).post(create_template))
        .route("/inspections/templates/{id}", get(template_detail))
        .route("/inspections/templates/{id}/questions", post(add_question))
        .route("/inspections/templates/{id}/questions/{key}/remove", post(remove_question))
        .route("/inspections/templates/{id}/name", post(rename_template))
}

fn mine_name(mines: &[Mine], id: Uuid) -> String {
    mines.iter().find(|m| m.id == id).map(|m| m.name_zh.clone()).unwrap_or_default()
}

fn mine_options(mines: &[Mine], selected: &str) -> Vec<Opt> {
    mines
        .iter()
        .map(|m| Opt { value: m.id.to_string(), label: m.name_zh.clone(), selected: m.id.to_string() == selected })
        .collect()
}

/// A number as shown: with its unit.
fn shown_value(lang: Lang, kind: &str, value: Option<&str>, unit: Option<&str>) -> String {
    match (kind, value) {
        (_, None) => String::new(),
        (_, Some("na")) => lang.t("answer-na"),
        ("yes_no", Some(v)) => lang.t(&format!("answer-{v}")),
        ("number", Some(v)) => unit.map_or_else(|| v.to_owned(), |u| format!("{v} {u}")),
        (_, Some(v)) => v.to_owned(),
    }
}

/// The score as a percentage, or a dash without applicable items.
pub fn percent(score: &minecoop_domain::safety::inspection::Score) -> String {
    score.percent().map_or_else(|| "—".to_owned(), |p| format!("{p} %"))
}

// ---- the list ---------------------------------------------------------------------------------

pub struct ScheduleRow {
    pub id: Uuid,
    pub mine: String,
    pub template: String,
    pub every: String,
    pub last_done: String,
    pub next_due: String,
    pub overdue: bool,
    pub can_inspect: bool,
}

pub struct InspectionRow {
    pub i: Inspection,
    pub mine: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "safety/inspections.html")]
struct ListPage {
    ctx: Ctx,
    mines: Vec<Opt>,
    schedules: Vec<ScheduleRow>,
    rows: Vec<InspectionRow>,
    overdue: usize,
    can_inspect: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    mine: String,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let q: ListParams = query(&uri)?;
    let mines = visible_mines(&s, &v).await?;
    let chosen = opt_id(&q.mine)?;
    let ids = mine_ids(&mines, chosen)?;
    let names: HashMap<Uuid, (String, String)> =
        s.store.inspection_templates().await?.into_iter().map(|t| (t.template_id, (t.name_zh, t.name_en))).collect();
    let zh = v.lang == Lang::Zh;
    let today = today();
    let schedules: Vec<ScheduleRow> = s
        .store
        .inspection_schedules(Some(&ids))
        .await?
        .into_iter()
        .map(|st| {
            let m = mines.iter().find(|m| m.id == st.schedule.mine_id);
            ScheduleRow {
                id: st.schedule.id,
                mine: m.map(|m| m.name_zh.clone()).unwrap_or_default(),
                template: names
                    .get(&st.schedule.template_id)
                    .map(|(z, e)| if zh { z } else { e }.clone())
                    .unwrap_or_default(),
                every: v.lang.t_counts(
                    &format!("every-{}", st.schedule.unit),
                    &[],
                    &[("n", i64::from(st.schedule.every))],
                ),
                last_done: st.last_done.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                next_due: st.next_due.to_string(),
                overdue: st.overdue(today),
                can_inspect: m.is_some_and(|m| p.can_inspect(m.id, m.member_id)),
            }
        })
        .collect();
    let rows = s
        .store
        .inspections(Some(&ids), 100)
        .await?
        .into_iter()
        .map(|i| InspectionRow { mine: mine_name(&mines, i.mine_id), score: percent(&i.score()), i })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(&v, &uri),
        mines: mine_options(&mines, &q.mine),
        overdue: schedules.iter().filter(|s| s.overdue).count(),
        schedules,
        rows,
        can_inspect: p.can_inspect_any(),
    })
}

// ---- the checklist form -----------------------------------------------------------------------

pub struct QuestionView {
    pub key: String,
    pub kind: &'static str,
    pub text: String,
    pub limits: String,
    pub value: String,
    pub na: bool,
    pub note: String,
    pub err: Option<String>,
    pub photo_err: Option<String>,
}

pub struct SectionView {
    pub title: String,
    pub questions: Vec<QuestionView>,
}

#[derive(Template)]
#[template(path = "safety/inspection_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    mines: Vec<Opt>,
    /// The schedule being done, and its mine's name.
    schedule: Option<(Uuid, String)>,
    template: TemplateVersion,
    template_name: String,
    sections: Vec<SectionView>,
    other_templates: Vec<Opt>,
}

fn sections(lang: Lang, content: &TemplateContent, i: &InspectionInput, form: &FormState) -> Vec<SectionView> {
    let zh = lang == Lang::Zh;
    content
        .sections
        .iter()
        .map(|sec| SectionView {
            title: sec.title(zh).to_owned(),
            questions: sec
                .questions
                .iter()
                .map(|q| {
                    let a = i.answers.get(&q.key).cloned().unwrap_or_default();
                    let na = q.kind == QuestionKind::Number && a.value.eq_ignore_ascii_case("na");
                    QuestionView {
                        key: q.key.clone(),
                        kind: q.kind.as_str(),
                        text: q.text(zh).to_owned(),
                        limits: q.limits(),
                        value: if na { String::new() } else { a.value },
                        na,
                        note: a.note,
                        err: form.err(&format!("a-{}", q.key)).map(str::to_owned),
                        photo_err: form
                            .err(&format!("p-{}", q.key))
                            .or(form.err(&format!("n-{}", q.key)))
                            .map(str::to_owned),
                    }
                })
                .collect(),
        })
        .collect()
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    template: TemplateVersion,
    schedule: Option<&Schedule>,
    input: &InspectionInput,
    errors: &FieldErrors,
) -> AppResult<FormPage> {
    let ctx = Ctx::new(v, uri);
    let mines = inspectable_mines(s, v).await?;
    let form = FormState::new([
        ("mine_id", input.mine_id.clone()),
        ("inspected_on", input.inspected_on.clone()),
        ("inspector", input.inspector.clone()),
        ("notes", input.notes.clone()),
    ])
    .with_errors(ctx.lang, errors);
    let zh = ctx.lang == Lang::Zh;
    let other_templates = s
        .store
        .inspection_templates()
        .await?
        .into_iter()
        .filter(|t| t.template_id != template.template_id && schedule.is_none())
        .map(|t| Opt { value: t.template_id.to_string(), label: t.name(zh).to_owned(), selected: false })
        .collect();
    Ok(FormPage {
        sections: sections(ctx.lang, &template.content(), input, &form),
        template_name: template.name(zh).to_owned(),
        schedule: schedule.map(|sc| (sc.id, mine_name(&mines, sc.mine_id))),
        mines: mine_options(&mines, &input.mine_id),
        ctx,
        form,
        template,
        other_templates,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewParams {
    schedule: String,
    mine: String,
    template: String,
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.require(|p| p.can_inspect_any())?.clone();
    let q: NewParams = query(&uri)?;
    let schedule = match opt_id(&q.schedule)? {
        Some(id) => Some(s.store.inspection_schedule(id).await?),
        None => None,
    };
    let mine_id = match (&schedule, opt_id(&q.mine)?) {
        (Some(sc), _) => Some(sc.mine_id),
        (None, m) => m,
    };
    if let Some(id) = mine_id {
        let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
        if !p.can_inspect(m.id, m.member_id) {
            return Err(AppError::Forbidden);
        }
    }
    let template_id =
        schedule.as_ref().map(|sc| sc.template_id).or(opt_id(&q.template)?).unwrap_or(DEFAULT_TEMPLATE_ID);
    let template = s.store.inspection_template(template_id).await?;
    let input = InspectionInput {
        mine_id: mine_id.map(|m| m.to_string()).unwrap_or_default(),
        inspected_on: today().to_string(),
        inspector: v.user.as_ref().map(|u| u.username.clone()).unwrap_or_default(),
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, template, schedule.as_ref(), &input, &FieldErrors::new()).await?)
}

/// The posted checklist: the inspection's fields, the template version it was filled on, and
/// each question's answer (`a-<key>`), note (`n-<key>`) and not-applicable box (`x-<key>`).
fn read_checklist(pairs: &[(String, String)]) -> (InspectionInput, Option<String>) {
    let mut i = InspectionInput::default();
    let mut version = None;
    let mut na = HashSet::new();
    for (k, val) in pairs {
        match k.as_str() {
            "mine_id" => i.mine_id = val.clone(),
            "schedule_id" => i.schedule_id = val.clone(),
            "template_id" => i.template_id = val.clone(),
            "version_id" => version = Some(val.clone()),
            "inspected_on" => i.inspected_on = val.clone(),
            "inspector" => i.inspector = val.clone(),
            "notes" => i.notes = val.clone(),
            _ => {
                if let Some(key) = k.strip_prefix("a-") {
                    i.answers.entry(key.to_owned()).or_default().value = val.clone();
                } else if let Some(key) = k.strip_prefix("n-") {
                    i.answers.entry(key.to_owned()).or_default().note = val.clone();
                } else if let Some(key) = k.strip_prefix("x-") {
                    na.insert(key.to_owned());
                }
            }
        }
    }
    for key in na {
        let a = i.answers.entry(key).or_insert_with(AnswerInput::default);
        if a.value.trim().is_empty() {
            a.value = "na".into();
        }
    }
    (i, version)
}

/// Check and keep an inspection, for the page and the API alike: who may inspect the mine,
/// the template version it was filled on (the current one if none is named), every answer and
/// every photo. Field problems come back as `Err`, with nothing kept.
pub async fn submit_inspection(
    s: &AppState,
    v: &Viewer,
    i: &InspectionInput,
    version_id: Option<&str>,
    uploads: &[Upload],
) -> AppResult<Result<(Inspection, TemplateVersion), (FieldErrors, TemplateVersion)>> {
    v.require(|p| p.can_inspect_any())?;
    if let Ok(id) = Uuid::parse_str(i.mine_id.trim()) {
        let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
        v.require(|p| p.can_inspect(m.id, m.member_id))?;
    }
    let mut e = FieldErrors::new();
    let named = Uuid::parse_str(i.template_id.trim()).ok();
    let template = match (version_id.and_then(|x| Uuid::parse_str(x.trim()).ok()), named) {
        (Some(vid), Some(tid)) => s.store.template_version(vid).await.ok().filter(|t| t.template_id == tid),
        (None, Some(tid)) => s.store.inspection_template(tid).await.ok(),
        _ => None,
    };
    let template = match template {
        Some(t) => t,
        None => {
            e.add("template_id", if i.template_id.trim().is_empty() { "err-required" } else { "err-choice" });
            return Ok(Err((e, s.store.inspection_template(DEFAULT_TEMPLATE_ID).await?)));
        }
    };
    let content = template.content();
    let draft = InspectionDraft::parse(i, &content, today());
    let mut photos = Vec::new();
    for u in uploads {
        let Some(key) = u.field.strip_prefix("p-") else { continue };
        if content.question(key).is_none() {
            e.add(&u.field, "err-choice");
            continue;
        }
        match photo_type(&u.bytes) {
            Ok(content_type) => photos.push(Photo {
                key: key.to_owned(),
                file_name: u.name.clone(),
                content_type,
                bytes: u.bytes.to_vec(),
            }),
            Err(code) => e.add(&u.field, code),
        }
    }
    let draft = match draft {
        Ok(d) if e.is_empty() => d,
        Ok(_) => return Ok(Err((e, template))),
        Err(mut fe) => {
            fe.0.extend(e.0);
            return Ok(Err((fe, template)));
        }
    };
    match s.store.record_inspection(&v.actor(), template.id, &draft, &photos).await {
        Ok(done) => Ok(Ok((done, template))),
        Err(StoreError::Invalid(fe)) => Ok(Err((fe, template))),
        Err(other) => Err(other.into()),
    }
}

async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    sent: Submitted<Vec<(String, String)>>,
) -> AppResult<Response> {
    v.require(|p| p.can_inspect_any())?;
    let (i, version) = read_checklist(&sent.form);
    match submit_inspection(&s, &v, &i, version.as_deref(), &sent.files).await? {
        Ok((done, _)) => Ok(Redirect::to(&format!("/inspections/{}", done.id)).into_response()),
        Err((errors, template)) => {
            let schedule = match Uuid::parse_str(i.schedule_id.trim()) {
                Ok(id) => s.store.inspection_schedule(id).await.ok(),
                Err(_) => None,
            };
            let schedule = schedule.filter(|sc| sc.mine_id.to_string() == i.mine_id.trim());
            unprocessable(&form_page(&s, &v, &uri, template, schedule.as_ref(), &i, &errors).await?)
        }
    }
}

// ---- one inspection ---------------------------------------------------------------------------

pub struct AnswerView {
    /// The section's title on its first answer.
    pub section: Option<String>,
    pub text: String,
    pub value: String,
    pub outcome: String,
    pub note: Option<String>,
    pub photos: Vec<AttachmentMeta>,
}

pub struct FindingLine {
    pub id: Uuid,
    pub severity: String,
    pub question: String,
    pub description: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "safety/inspection.html")]
struct DetailPage {
    ctx: Ctx,
    rec: InspectionRecord,
    mine: String,
    template_name: String,
    score: String,
    answers: Vec<AnswerView>,
    findings: Vec<FindingLine>,
}

/// The photos of a record, by answer id.
pub fn photos_of(rec: &InspectionRecord) -> HashMap<Uuid, Vec<AttachmentMeta>> {
    let mut out: HashMap<Uuid, Vec<AttachmentMeta>> = HashMap::new();
    for p in &rec.photos {
        out.entry(p.entity_id).or_default().push(p.clone());
    }
    out
}

async fn visible_record(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<(InspectionRecord, Mine)> {
    let p = v.principal()?.clone();
    let rec = s.store.inspection_record(id).await?;
    let m = s.store.mine(rec.inspection.mine_id).await?;
    if !p.can_view_safety_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((rec, m))
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (rec, m) = visible_record(&s, &v, id).await?;
    let zh = v.lang == Lang::Zh;
    let content = rec.template.content();
    let mut photos = photos_of(&rec);
    let mut seen_section = HashSet::new();
    let answers = rec
        .answers
        .iter()
        .map(|a| {
            let sec = content.sections.iter().find(|s| s.questions.iter().any(|q| q.key == a.question_key));
            let q = content.question(&a.question_key);
            AnswerView {
                section: sec.filter(|s| seen_section.insert(s.key.clone())).map(|s| s.title(zh).to_owned()),
                text: q.map_or_else(|| a.question_key.clone(), |q| q.text(zh).to_owned()),
                value: shown_value(v.lang, &a.kind, a.value.as_deref(), q.and_then(|q| q.unit.as_deref())),
                outcome: a.outcome.clone(),
                note: a.note.clone(),
                photos: photos.remove(&a.id).unwrap_or_default(),
            }
        })
        .collect();
    let findings = rec
        .findings
        .iter()
        .map(|f| FindingLine {
            id: f.id,
            severity: f.severity.clone(),
            question: f
                .question_key
                .as_deref()
                .and_then(|k| content.question(k))
                .map(|q| q.text(zh).to_owned())
                .unwrap_or_default(),
            description: f.description.clone(),
            status: f.status.clone(),
        })
        .collect();
    render(&DetailPage {
        ctx: Ctx::new(&v, &uri),
        mine: m.name_zh.clone(),
        template_name: format!("{} · v{}", rec.template.name(zh), rec.template.version),
        score: percent(&rec.score()),
        answers,
        findings,
        rec,
    })
}

/// A photo of an answer, for those who may see the inspection only (never cached).
async fn photo(State(s): State<AppState>, v: Viewer, Path((id, photo)): Path<(Uuid, Uuid)>) -> AppResult<Response> {
    use axum::http::header;
    let (rec, _) = visible_record(&s, &v, id).await?;
    let a = s.store.attachment(photo).await?;
    if a.entity != PHOTO_ENTITY || !rec.answers.iter().any(|x| x.id == a.entity_id) {
        return Err(AppError::NotFound);
    }
    // Only the image types the upload accepted are served as images.
    let content_type = match a.content_type.as_str() {
        t @ ("image/jpeg" | "image/png" | "image/webp" | "image/heic") => t.to_owned(),
        _ => "application/octet-stream".to_owned(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
        ],
        a.content,
    )
        .into_response())
}

// ---- schedules --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "safety/schedule_form.html")]
struct ScheduleFormPage {
    ctx: Ctx,
    /// The schedule being changed and the version that was read; `None` for a new one.
    editing: Option<(Uuid, i32)>,
    form: FormState,
    mines: Vec<Opt>,
    templates: Vec<Opt>,
    units: Vec<Opt>,
}

async fn schedule_form(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    form: FormState,
    editing: Option<&Schedule>,
) -> AppResult<ScheduleFormPage> {
    let ctx = Ctx::new(v, uri);
    let zh = ctx.lang == Lang::Zh;
    let mut mines = inspectable_mines(s, v).await?;
    // A schedule stays with its mine.
    if let Some(sc) = editing {
        mines.retain(|m| m.id == sc.mine_id);
    }
    let templates = s
        .store
        .inspection_templates()
        .await?
        .into_iter()
        .map(|t| Opt {
            selected: t.template_id.to_string() == form.v("template_id"),
            value: t.template_id.to_string(),
            label: t.name(zh).to_owned(),
        })
        .collect();
    let units: Vec<&str> = IntervalUnit::ALL.iter().map(|u| u.as_str()).collect();
    Ok(ScheduleFormPage {
        editing: editing.map(|sc| (sc.id, sc.version)),
        mines: mine_options(&mines, form.v("mine_id")),
        units: code_options(ctx.lang, "interval-unit", &units, form.v("unit")),
        ctx,
        form,
        templates,
    })
}

async fn new_schedule(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_inspect_any())?;
    let input = ScheduleInput {
        template_id: DEFAULT_TEMPLATE_ID.to_string(),
        every: "1".into(),
        unit: "months".into(),
        first_due: today().to_string(),
        ..Default::default()
    };
    render(&schedule_form(&s, &v, &uri, FormState::of(&input), None).await?)
}

async fn create_schedule(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(i): axum::Form<ScheduleInput>,
) -> AppResult<Response> {
    may_schedule_for(&s, &v, &i.mine_id).await?;
    let result = match ScheduleDraft::parse(&i) {
        Ok(d) => s.store.create_inspection_schedule(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/inspections").into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&schedule_form(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e), None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the viewer may schedule inspections of the mine named (an unknown mine is left to
/// the field check).
pub async fn may_schedule_for(s: &AppState, v: &Viewer, mine_id: &str) -> AppResult<()> {
    v.require(|p| p.can_inspect_any())?;
    crate::registry::require_for_named_mine(s, v, mine_id, |p, m, e| p.can_inspect(m, e)).await
}

/// An active schedule the viewer may inspect for.
pub async fn writable_schedule(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<Schedule> {
    let sc = s.store.inspection_schedule(id).await?;
    let m = s.store.mine(sc.mine_id).await?;
    v.require(|p| p.can_inspect(m.id, m.member_id))?;
    if !sc.active {
        return Err(AppError::NotFound);
    }
    Ok(sc)
}

async fn edit_schedule(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let sc = writable_schedule(&s, &v, id).await?;
    let input = ScheduleInput {
        mine_id: sc.mine_id.to_string(),
        template_id: sc.template_id.to_string(),
        every: sc.every.to_string(),
        unit: sc.unit.clone(),
        first_due: sc.first_due.to_string(),
    };
    render(&schedule_form(&s, &v, &uri, FormState::of(&input), Some(&sc)).await?)
}

#[derive(serde::Deserialize)]
struct ScheduleChange {
    #[serde(flatten)]
    input: ScheduleInput,
    #[serde(default)]
    version: String,
}

async fn change_schedule(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    axum::Form(c): axum::Form<ScheduleChange>,
) -> AppResult<Response> {
    let sc = writable_schedule(&s, &v, id).await?;
    let version = c.version.trim().parse::<i32>().map_err(|_| AppError::BadRequest("error-400-detail"))?;
    let result = match ScheduleDraft::parse(&c.input) {
        Ok(d) => s.store.change_inspection_schedule(&v.actor(), id, version, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/inspections").into_response()),
        Err(StoreError::Invalid(e)) => {
            let form = FormState::of(&c.input).with_errors(v.lang, &e);
            unprocessable(&schedule_form(&s, &v, &uri, form, Some(&sc)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

async fn stop_schedule(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    axum::Form(f): axum::Form<VersionForm>,
) -> AppResult<Response> {
    writable_schedule(&s, &v, id).await?;
    let version = f.version.trim().parse::<i32>().map_err(|_| AppError::BadRequest("error-400-detail"))?;
    s.store.stop_inspection_schedule(&v.actor(), id, version).await?;
    Ok(Redirect::to("/inspections").into_response())
}

// ---- templates --------------------------------------------------------------------------------

pub struct TemplateRow {
    pub id: Uuid,
    pub name: String,
    pub version: i32,
    pub questions: usize,
    pub sections: usize,
    pub changed: String,
}

#[derive(Template)]
#[template(path = "safety/templates.html")]
struct TemplatesPage {
    ctx: Ctx,
    rows: Vec<TemplateRow>,
    can_manage: bool,
    form: FormState,
    copies: Vec<Opt>,
}

async fn templates_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState) -> AppResult<TemplatesPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let zh = ctx.lang == Lang::Zh;
    let all = s.store.inspection_templates().await?;
    let mut copies =
        vec![Opt { value: String::new(), label: ctx.t("template-empty"), selected: form.v("copy_of").is_empty() }];
    copies.extend(all.iter().map(|t| Opt {
        value: t.template_id.to_string(),
        label: t.name(zh).to_owned(),
        selected: form.v("copy_of") == t.template_id.to_string(),
    }));
    let rows = all
        .iter()
        .map(|t| {
            let c = t.content();
            TemplateRow {
                id: t.template_id,
                name: t.name(zh).to_owned(),
                version: t.version,
                questions: c.questions().count(),
                sections: c.sections.len(),
                changed: t.created_at.format("%Y-%m-%d").to_string(),
            }
        })
        .collect();
    Ok(TemplatesPage { ctx, rows, can_manage: p.can_manage_inspection_templates(), form, copies })
}

async fn templates(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let form = FormState::new([("copy_of", DEFAULT_TEMPLATE_ID.to_string())]);
    render(&templates_page(&s, &v, &uri, form).await?)
}

async fn create_template(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(i): axum::Form<TemplateInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_inspection_templates())?;
    let result = match TemplateDraft::parse(&i) {
        Ok(d) => s.store.create_inspection_template(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/inspections/templates/{}", t.template_id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&templates_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct QuestionRow {
    pub section: Option<String>,
    pub key: String,
    pub text: String,
    pub other: String,
    pub kind: String,
    pub limits: String,
    pub severity: String,
}

#[derive(Template)]
#[template(path = "safety/template.html")]
struct TemplatePage {
    ctx: Ctx,
    t: TemplateVersion,
    name: String,
    questions: Vec<QuestionRow>,
    versions: Vec<TemplateVersion>,
    can_manage: bool,
    form: FormState,
    sections: Vec<Opt>,
    kinds: Vec<Opt>,
    severities: Vec<Opt>,
}

async fn template_page(s: &AppState, v: &Viewer, uri: &Uri, id: Uuid, form: FormState) -> AppResult<TemplatePage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let zh = ctx.lang == Lang::Zh;
    let t = s.store.inspection_template(id).await?;
    let content = t.content();
    let mut questions = Vec::new();
    for sec in &content.sections {
        for (n, q) in sec.questions.iter().enumerate() {
            questions.push(QuestionRow {
                section: (n == 0).then(|| sec.title(zh).to_owned()),
                key: q.key.clone(),
                text: q.text(zh).to_owned(),
                other: q.text(!zh).to_owned(),
                kind: q.kind.as_str().to_owned(),
                limits: q.limits(),
                severity: q.severity.as_str().to_owned(),
            });
        }
    }
    let mut sections = vec![Opt {
        value: String::new(),
        label: ctx.t("template-new-section"),
        selected: form.v("section").is_empty(),
    }];
    sections.extend(content.sections.iter().map(|sec| Opt {
        value: sec.key.clone(),
        label: sec.title(zh).to_owned(),
        selected: form.v("section") == sec.key,
    }));
    let kinds: Vec<&str> = QuestionKind::ALL.iter().map(|k| k.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|k| k.as_str()).collect();
    Ok(TemplatePage {
        name: t.name(zh).to_owned(),
        versions: s.store.inspection_template_versions(id).await?,
        can_manage: p.can_manage_inspection_templates(),
        kinds: code_options(ctx.lang, "question-kind", &kinds, form.v("kind")),
        severities: code_options(ctx.lang, "severity", &severities, form.v("severity")),
        ctx,
        t,
        questions,
        form,
        sections,
    })
}

async fn template_detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let form = FormState::new([("section", String::new()), ("kind", "yes_no".into()), ("severity", "high".into())]);
    render(&template_page(&s, &v, &uri, id, form).await?)
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
struct RenameForm {
    version: String,
    name_en: String,
    name_zh: String,
    reason: String,
}

/// A template's names changed: a new version, its questions as they were.
async fn rename_template(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    axum::Form(f): axum::Form<RenameForm>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_inspection_templates())?;
    s.store.inspection_template(id).await?;
    let version = stated_version(&f.version)?;
    let names = TemplateDraft::parse(&TemplateInput {
        name_en: f.name_en.clone(),
        name_zh: f.name_zh.clone(),
        copy_of: String::new(),
    });
    let reason = minecoop_domain::validation::optional_text(&f.reason, 500);
    let result = match (names, reason) {
        (Ok(d), Ok(reason)) => {
            s.store
                .rename_inspection_template(&v.actor(), id, version, (&d.name_en, &d.name_zh), reason.as_deref())
                .await
        }
        (names, reason) => {
            let mut e = names.err().unwrap_or_default();
            if let Err(code) = reason {
                e.add("reason", code);
            }
            Err(StoreError::Invalid(e))
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/templates/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&template_page(&s, &v, &uri, id, FormState::of(&f).with_errors(v.lang, &e)).await?)
        }
        Err(StoreError::Conflict) => {
            let form = FormState::of(&f).with_errors(v.lang, &stale());
            conflict(&template_page(&s, &v, &uri, id, form).await?)
        }
        Err(e) => Err(e.into()),
    }
}

fn stated_version(v: &str) -> AppResult<i32> {
    v.trim().parse().map_err(|_| {
        let mut e = FieldErrors::new();
        e.add("version", "err-required");
        AppError::Invalid(e)
    })
}

async fn add_question(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    axum::Form(i): axum::Form<QuestionInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_inspection_templates())?;
    let t = s.store.inspection_template(id).await?;
    let content = t.content();
    let result = match QuestionDraft::parse(&i, &content) {
        Ok(d) => {
            let version = stated_version(&i.version)?;
            s.store
                .revise_inspection_template(&v.actor(), id, version, &content.with_question(&d), d.reason.as_deref())
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/templates/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&template_page(&s, &v, &uri, id, FormState::of(&i).with_errors(v.lang, &e)).await?)
        }
        Err(StoreError::Conflict) => {
            let form = FormState::of(&i).with_errors(v.lang, &stale());
            conflict(&template_page(&s, &v, &uri, id, form).await?)
        }
        Err(e) => Err(e.into()),
    }
}

fn stale() -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add("version", "err-stale-version");
    e
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
struct RemoveForm {
    version: String,
    reason: String,
}

async fn remove_question(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((id, key)): Path<(Uuid, String)>,
    axum::Form(f): axum::Form<RemoveForm>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_inspection_templates())?;
    let t = s.store.inspection_template(id).await?;
    let content = t.content().without_question(&key).ok_or(AppError::NotFound)?;
    let version = stated_version(&f.version)?;
    let reason = minecoop_domain::validation::optional_text(&f.reason, 500).map_err(|c| {
        let mut e = FieldErrors::new();
        e.add("reason", c);
        AppError::Invalid(e)
    })?;
    match s.store.revise_inspection_template(&v.actor(), id, version, &content, reason.as_deref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/templates/{id}")).into_response()),
        Err(StoreError::Conflict) => {
            let form = FormState::new([("section", String::new())]).with_errors(v.lang, &stale());
            conflict(&template_page(&s, &v, &uri, id, form).await?)
        }
        Err(e) => Err(e.into()),
    }
}
