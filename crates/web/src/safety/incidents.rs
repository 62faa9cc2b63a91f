//! Incidents (issue 5 item 4): recorded by the mine or the co-op, corrected by new versions with a
//! reason, the class and the investigating level recomputed from the figures, and the legal
//! clock on the page. The actions they raise are in [`super::actions`].

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router, routing::get};
use chrono::NaiveDateTime;
use minecoop_domain::auth::Principal;
use minecoop_domain::safety::action::ActionSource;
use minecoop_domain::safety::incident::{
    ClockItem, ClockState, IncidentDraft, IncidentInput, IncidentKind, Occurrence, ReportMeans, clock,
};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::safety::Incident;
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::now_local;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, conflict, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/safety/incidents", get(list).post(create))
        .route("/safety/incidents/new", get(new))
        .route("/safety/incidents/{id}", get(detail).post(correct))
        .route("/safety/incidents/{id}/edit", get(edit))
}

/// The mines whose incidents the viewer may read.
pub(crate) async fn readable_mines(s: &AppState, p: &Principal) -> AppResult<Vec<Mine>> {
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_view_safety_of(m.id, m.member_id)).collect())
}

/// An incident the viewer may read, with its mine; 403 otherwise.
pub(crate) async fn readable_incident(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(Incident, Mine)> {
    let i = s.store.incident(id).await?;
    let m = s.store.mine(i.mine_id).await?;
    if !p.can_view_safety_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((i, m))
}

/// An incident whose mine the viewer writes for (records, corrects, investigates), with its
/// mine; 403 otherwise.
pub(crate) async fn writable_incident(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(Incident, Mine)> {
    let (i, m) = readable_incident(s, p, id).await?;
    if !p.can_report_incident(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok((i, m))
}

/// An incident as lists show it.
pub struct Row {
    pub i: Incident,
    pub mine: String,
    /// Deadlines of the legal clock that have passed undone.
    pub overdue: usize,
}

pub(crate) fn clock_of(i: &Incident, now: NaiveDateTime) -> Vec<ClockItem> {
    clock(&i.draft(), now).map(|(_, items)| items).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "safety/incidents.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    can_report: bool,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let mines = readable_mines(&s, &p).await?;
    let ids: Vec<Uuid> = mines.iter().map(|m| m.id).collect();
    let now = now_local();
    let rows = s
        .store
        .incidents(Some(&ids))
        .await?
        .into_iter()
        .map(|i| Row {
            overdue: clock_of(&i, now).iter().filter(|c| c.state == ClockState::Overdue).count(),
            mine: mines.iter().find(|m| m.id == i.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default(),
            i,
        })
        .collect();
    render(&ListPage { ctx: Ctx::new(&v, &uri), rows, can_report: p.can_report_any_incident() })
}

#[derive(Template)]
#[template(path = "safety/incident_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    mines: Vec<Opt>,
    kinds: Vec<Opt>,
    occurrences: Vec<Opt>,
    means: Vec<Opt>,
    /// Correcting this incident (at this version), or recording a new one.
    editing: Option<Incident>,
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    form: FormState,
    editing: Option<Incident>,
) -> AppResult<FormPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let mines = s
        .store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_report_incident(m.id, m.member_id))
        .map(|m| Opt { selected: m.id.to_string() == form.v("mine_id"), value: m.id.to_string(), label: m.name_zh })
        .collect();
    let kinds: Vec<&str> = IncidentKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut occ: Vec<&str> = vec![""];
    occ.extend(Occurrence::ALL.iter().map(|o| o.as_str()));
    let mut how: Vec<&str> = vec![""];
    how.extend(ReportMeans::ALL.iter().map(|o| o.as_str()));
    Ok(FormPage {
        kinds: code_options(ctx.lang, "incident-kind", &kinds, form.v("kind")),
        occurrences: code_options(ctx.lang, "occurrence", &occ, form.v("occurrence")),
        means: code_options(ctx.lang, "report-means", &how, form.v("reported_how")),
        ctx,
        form,
        mines,
        editing,
    })
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_report_any_incident())?;
    let now = now_local().format("%Y-%m-%dT%H:%M").to_string();
    let mine = v.principal()?.mine_id.map(|m| m.to_string()).unwrap_or_default();
    let input = IncidentInput {
        mine_id: mine,
        kind: "near_miss".into(),
        occurred_at: now.clone(),
        unit_head_notified_at: now,
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, FormState::of(&input), None).await?)
}

/// Check that the viewer may record for the mine named in the form (when it names one).
pub(crate) async fn may_record_for(s: &AppState, v: &Viewer, mine_id: &str) -> AppResult<()> {
    crate::registry::require_for_named_mine(s, v, mine_id, |p, m, e| p.can_report_incident(m, e)).await
}

async fn create(State(s): State<AppState>, v: Viewer, uri: Uri, Form(i): Form<IncidentInput>) -> AppResult<Response> {
    v.require(|p| p.can_report_any_incident())?;
    may_record_for(&s, &v, &i.mine_id).await?;
    let result = match IncidentDraft::parse(&i, now_local()) {
        Ok(d) => s.store.record_incident(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(inc) => Ok(Redirect::to(&format!("/safety/incidents/{}", inc.incident_id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e), None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A recorded version's figures back as the form's strings.
fn input_of(i: &Incident) -> IncidentInput {
    let t = |x: &NaiveDateTime| x.format("%Y-%m-%dT%H:%M").to_string();
    let money = minecoop_domain::units::from_scaled(i.loss_fen, minecoop_domain::units::MONEY_SCALE);
    IncidentInput {
        mine_id: i.mine_id.to_string(),
        kind: i.kind.clone(),
        occurrence: i.occurrence.clone().unwrap_or_default(),
        occurred_at: t(&i.occurred_at),
        unit_head_notified_at: t(&i.unit_head_notified_at),
        location: i.location.clone(),
        description: i.description.clone(),
        deaths: i.deaths.to_string(),
        serious_injuries: i.serious_injuries.to_string(),
        minor_injuries: i.minor_injuries.to_string(),
        loss: if i.loss_fen == 0 { String::new() } else { money.normalize().to_string() },
        reported_at: i.reported_at.as_ref().map(t).unwrap_or_default(),
        reported_to: i.reported_to.clone().unwrap_or_default(),
        reported_how: i.reported_how.clone().unwrap_or_default(),
        extension_days: i.extension_days.map(|d| d.to_string()).unwrap_or_default(),
        extension_reason: i.extension_reason.clone().unwrap_or_default(),
        investigation_report_at: i.investigation_report_at.as_ref().map(t).unwrap_or_default(),
        reason: String::new(),
    }
}

async fn edit(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let (i, _) = writable_incident(&s, v.principal()?, id).await?;
    render(&form_page(&s, &v, &uri, FormState::of(&input_of(&i)), Some(i)).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CorrectForm {
    #[serde(flatten)]
    input: IncidentInput,
    version: String,
}

async fn correct(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<CorrectForm>,
) -> AppResult<Response> {
    let (current, _) = writable_incident(&s, v.principal()?, id).await?;
    let i = f.input;
    let expected: i32 = f.version.trim().parse().unwrap_or(0);
    let result = match IncidentDraft::parse(&i, now_local()) {
        Ok(d) => s.store.correct_incident(&v.actor(), id, expected, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/safety/incidents/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e), Some(current)).await?)
        }
        Err(StoreError::Conflict) => {
            let fresh = s.store.incident(id).await?;
            let ctx_form = FormState::of(&i);
            let mut page = form_page(&s, &v, &uri, ctx_form, Some(fresh)).await?;
            page.ctx = page.ctx.with_notice("err-incident-changed");
            conflict(&page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "safety/incident.html")]
struct DetailPage {
    ctx: Ctx,
    i: Incident,
    mine: String,
    clock: Vec<ClockItem>,
    reportable: bool,
    versions: Vec<Incident>,
    actions: Vec<super::actions::ActionRow>,
    can_edit: bool,
    /// The injury claims of the incident, for those who may see the mine's workers.
    claims: Option<Vec<crate::workforce::claims::Row>>,
    /// Whether the viewer may open a claim on it.
    can_claim: bool,
    /// The form that raises an action on this incident.
    af: super::actions::ActionForm,
}

impl DetailPage {
    fn state_text(&self, c: &ClockItem) -> String {
        match c.state {
            ClockState::Done { at, late } => {
                let key = if late { "clock-done-late" } else { "clock-done" };
                self.ctx.t1(key, "at", &at.format("%Y-%m-%d %H:%M"))
            }
            other => self.ctx.t(&format!("clock-{}", state_code(&other))),
        }
    }
}

pub(crate) fn state_code(s: &ClockState) -> &'static str {
    match *s {
        ClockState::Done { late: false, .. } => "done",
        ClockState::Done { late: true, .. } => "done_late",
        ClockState::Running => "running",
        ClockState::Overdue => "overdue",
        ClockState::Open => "open",
        ClockState::Closed => "closed",
        ClockState::NotApplicable => "not_applicable",
    }
}

pub(crate) async fn detail_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    aform: FormState,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (i, m) = readable_incident(s, &p, id).await?;
    let ctx = Ctx::new(v, uri);
    let can_edit = p.can_report_incident(m.id, m.member_id);
    let actions = super::actions::rows(s, s.store.actions_of(ActionSource::Incident, id).await?).await?;
    let af =
        super::actions::action_form(s, ctx.lang, &m, ActionSource::Incident, id, aform, !actions.is_empty()).await?;
    let claims = if p.can_view_claims_of(m.id, m.member_id) {
        let f = minecoop_store::workforce::ClaimFilter { incident: Some(id), ..Default::default() };
        Some(crate::workforce::claims::rows(ctx.lang, s.store.claims(&f).await?, std::slice::from_ref(&m)))
    } else {
        None
    };
    let page = DetailPage {
        claims,
        can_claim: p.can_manage_claims_of(m.id, m.member_id),
        clock: clock_of(&i, now_local()),
        reportable: i.draft().is_accident(),
        versions: s.store.incident_versions(id).await?,
        mine: m.name_zh.clone(),
        ctx,
        i,
        actions,
        can_edit,
        af,
    };
    if page.af.form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    detail_page(&s, &v, &uri, id, FormState::default()).await
}

/// Money in fen as yuan with two decimals.
pub fn yuan(fen: &i64) -> String {
    minecoop_domain::units::from_scaled(*fen, minecoop_domain::units::MONEY_SCALE).to_string()
}
