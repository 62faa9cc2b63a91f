//! Grievances (issue 6 item 4) in the pages: the public intake and tracking pages (no login,
//! in [`public`]), the staff's intake, case page and dashboard (here). Who sees what is decided
//! by `minecoop_domain::grievances`: a case and the person in it only for the co-op's staff and
//! the people of the mines it names; the bureau sees the dashboard's aggregates only.

pub mod public;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use minecoop_domain::FieldErrors;
use minecoop_domain::auth::Principal;
use minecoop_domain::grievances::stats::{AGE_BANDS, Count, age_band, median_tenths, share_percent, tenths_text};
use minecoop_domain::grievances::workflow::{By, EscalatedTo, MessageKind, next_steps};
use minecoop_domain::grievances::{
    Category, Channel, ComplainantType, Deadlines, GrievanceDraft, GrievanceInput, Status, can_handle_case,
    can_record_any, counts_every_case, is_coop_staff,
};
use minecoop_domain::safety::action::ActionSource;
use minecoop_store::StoreError;
use minecoop_store::grievances::{Case, GrievanceStep, Summary};
use minecoop_store::registry::Mine;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cadastre::today;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(public::routes())
        .route("/grievances", get(list).post(create))
        .route("/grievances/new", get(new))
        .route("/grievances/{id}", get(detail))
        .route("/grievances/{id}/steps", post(step))
        .route("/grievances/{id}/messages", post(message))
        .route("/grievances/{id}/links", post(link))
}

// ---- abuse limits ---------------------------------------------------------------------------

/// Counts per client address in a sliding window, in memory only (never stored, forgotten
/// with the window).
pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter { max, window, hits: Mutex::new(HashMap::new()) }
    }

    fn prune(q: &mut VecDeque<Instant>, window: Duration, now: Instant) {
        while q.front().is_some_and(|t| now.duration_since(*t) > window) {
            q.pop_front();
        }
    }

    /// Whether `key` has used up its allowance.
    pub fn blocked(&self, key: &str) -> bool {
        let mut m = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        match m.get_mut(key) {
            Some(q) => {
                Self::prune(q, self.window, Instant::now());
                q.len() >= self.max
            }
            None => false,
        }
    }

    /// Count one use by `key`.
    pub fn hit(&self, key: &str) {
        let now = Instant::now();
        let mut m = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 50_000 {
            m.retain(|_, q| {
                Self::prune(q, self.window, now);
                !q.is_empty()
            });
        }
        m.entry(key.to_owned()).or_default().push_back(now);
    }
}

/// The public pages' limits: submissions per address an hour, and wrong tracking codes per
/// address a quarter of an hour (against guessing).
pub struct Limits {
    pub submit: RateLimiter,
    pub wrong_code: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            submit: RateLimiter::new(10, Duration::from_secs(3600)),
            wrong_code: RateLimiter::new(10, Duration::from_secs(15 * 60)),
        }
    }
}

// ---- shared ---------------------------------------------------------------------------------

/// A grievance form's body: repeated `mines` fields gather into the list (a plain `Form` keeps
/// only one).
pub(crate) fn parse_form(body: &[u8]) -> (GrievanceInput, HashMap<String, String>) {
    let mut i = GrievanceInput::default();
    let mut rest = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "mines" => i.mines.push(v),
            "category" => i.category = v,
            "complainant_type" => i.complainant_type = v,
            "channel" => i.channel = v,
            "description" => i.description = v,
            "occurred" => i.occurred = v,
            "place" => i.place = v,
            "anonymous" => i.anonymous = v,
            "name" => i.name = v,
            "phone" => i.phone = v,
            "received_on" => i.received_on = v,
            _ => {
                rest.insert(k.into_owned(), v);
            }
        }
    }
    (i, rest)
}

/// The (mine, member) pairs of a case's mines, as the access rules want them.
fn pairs(mines: &[Mine], ids: &[Uuid]) -> Vec<(Uuid, Uuid)> {
    mines.iter().filter(|m| ids.contains(&m.id)).map(|m| (m.id, m.member_id)).collect()
}

/// The Chinese names of a case's mines (or "don't know").
fn mine_names(lang: crate::i18n::Lang, mines: &[Mine], ids: &[Uuid]) -> String {
    if ids.is_empty() {
        return lang.t("grievance-mine-unknown");
    }
    ids.iter()
        .filter_map(|id| mines.iter().find(|m| m.id == *id))
        .map(|m| m.name_zh.clone())
        .collect::<Vec<_>>()
        .join("、")
}

/// A case the viewer handles, with every mine; 403 for anyone else (the bureau included).
pub(crate) async fn handled_case(s: &AppState, p: &Principal, id: Uuid) -> AppResult<(Case, Vec<Mine>)> {
    let case = s.store.grievance_case(id).await?;
    let mines = s.store.mine_choices().await?;
    if !can_handle_case(p, &pairs(&mines, &case.mines)) {
        return Err(AppError::Forbidden);
    }
    Ok((case, mines))
}

/// The mine a grievance's corrective action belongs to (its first), for a viewer who handles
/// the case; a case naming no mine has none.
pub(crate) async fn action_mine(s: &AppState, p: &Principal, id: Uuid) -> AppResult<Mine> {
    let (case, mines) = match handled_case(s, p, id).await {
        Err(AppError::NotFound) => return Err(StoreError::field("source_id", "err-choice").into()),
        r => r?,
    };
    case.mines
        .first()
        .and_then(|id| mines.iter().find(|m| m.id == *id))
        .cloned()
        .ok_or_else(|| StoreError::field("source_id", "err-grievance-no-mine").into())
}

/// The mines whose grievances the viewer may record: every mine for the co-op's staff, their
/// own for an owner or a safety officer.
fn recordable_mines(p: &Principal, mines: &[Mine]) -> Vec<Mine> {
    mines.iter().filter(|m| can_handle_case(p, &[(m.id, m.member_id)])).cloned().collect()
}

/// The cases the viewer counts: every case for the co-op's staff and the bureau, the cases of
/// their mines for an owner or a safety officer.
pub(crate) async fn scoped(s: &AppState, p: &Principal) -> AppResult<(Vec<Summary>, Vec<Mine>)> {
    let mines = s.store.mine_choices().await?;
    let all = s.store.grievance_summaries().await?;
    let rows = if counts_every_case(p) {
        all
    } else {
        all.into_iter().filter(|c| can_handle_case(p, &pairs(&mines, &c.mines))).collect()
    };
    Ok((rows, mines))
}

/// The day a case reached its status, in the co-op's time.
fn local_day(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// The dashboard's aggregates: no text and no person, only counts, a median and a share.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub total: u64,
    pub open: u64,
    /// Open cases by days since receipt: `0_7`, `8_30`, `31_90`, `over_90`.
    pub by_age: Vec<Count>,
    /// Open cases by category.
    pub by_category: Vec<Count>,
    /// Open cases by mine (a case naming two mines counts for each; `unknown`: no mine named).
    pub by_mine: Vec<Count>,
    /// Closed cases and the median days from receipt to closing.
    pub closed: u64,
    pub median_days_to_resolve: Option<String>,
    /// Cases whose complainant answered a proposal, and how many accepted (their last answer).
    pub answered: u64,
    pub accepted: u64,
    pub accepted_percent: Option<u64>,
    /// Open cases with a step past its deadline.
    pub overdue: u64,
}

pub(crate) fn dashboard(
    lang: crate::i18n::Lang,
    rows: &[Summary],
    mines: &[Mine],
    today: NaiveDate,
    dl: &Deadlines,
) -> Dashboard {
    let open: Vec<&Summary> = rows.iter().filter(|r| r.status.is_open()).collect();
    let by_age = AGE_BANDS
        .iter()
        .map(|(k, _, _)| Count {
            key: (*k).into(),
            label: lang.t(&format!("grievance-age-{k}")),
            count: open.iter().filter(|r| age_band((today - r.g.received_on).num_days()) == *k).count() as u64,
        })
        .collect();
    let by_category = Category::ALL
        .iter()
        .map(|c| Count {
            key: c.as_str().into(),
            label: lang.t(&format!("grievance-category-{c}")),
            count: open.iter().filter(|r| r.g.category == c.as_str()).count() as u64,
        })
        .collect();
    let mut by_mine: Vec<Count> = mines
        .iter()
        .map(|m| Count {
            key: m.id.to_string(),
            label: m.name_zh.clone(),
            count: open.iter().filter(|r| r.mines.contains(&m.id)).count() as u64,
        })
        .filter(|c| c.count > 0)
        .collect();
    let unknown = open.iter().filter(|r| r.mines.is_empty()).count() as u64;
    if unknown > 0 {
        by_mine.push(Count { key: "unknown".into(), label: lang.t("grievance-mine-unknown"), count: unknown });
    }
    let days: Vec<i64> = rows
        .iter()
        .filter(|r| r.status.is_resolved())
        .map(|r| (local_day(r.status_at) - r.g.received_on).num_days().max(0))
        .collect();
    let answered = rows.iter().filter(|r| r.last_answer.is_some()).count() as u64;
    let accepted = rows.iter().filter(|r| r.last_answer == Some(Status::Accepted)).count() as u64;
    Dashboard {
        total: rows.len() as u64,
        open: open.len() as u64,
        by_age,
        by_category,
        by_mine,
        closed: days.len() as u64,
        median_days_to_resolve: median_tenths(&days).map(tenths_text),
        answered,
        accepted,
        accepted_percent: share_percent(accepted, answered),
        overdue: open.iter().filter(|r| dl.escalation(r.status, r.g.received_on, today).is_overdue()).count() as u64,
    }
}

// ---- dashboard and list ---------------------------------------------------------------------

/// A case as the list shows it.
pub struct Row {
    pub s: Summary,
    pub mines: String,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    pub age: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    /// Empty: open cases; `all`; or one status.
    status: String,
    category: String,
    mine: String,
    format: String,
}

#[derive(Template)]
#[template(path = "grievances/list.html")]
struct ListPage {
    ctx: Ctx,
    d: Dashboard,
    /// The cases (none for the bureau, which sees the aggregates only).
    rows: Vec<Row>,
    show_cases: bool,
    can_record: bool,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    mines: Vec<Opt>,
    query: String,
    /// The filters' (empty) form state.
    empty: FormState,
}

pub(crate) fn filter_rows(rows: Vec<Summary>, status: &str, category: &str, mine: &str) -> AppResult<Vec<Summary>> {
    let status = match status.trim() {
        "" | "open" => None,
        "all" => Some(None),
        s => Some(Some(Status::parse(s).map_err(|_| AppError::BadRequest("error-400-detail"))?)),
    };
    let category = match category.trim() {
        "" => None,
        c => Some(Category::parse(c).map_err(|_| AppError::BadRequest("error-400-detail"))?.as_str()),
    };
    let mine = crate::safety::opt_id(mine)?;
    Ok(rows
        .into_iter()
        .filter(|r| match status {
            None => r.status.is_open(),
            Some(None) => true,
            Some(Some(s)) => r.status == s,
        })
        .filter(|r| category.is_none_or(|c| r.g.category == c))
        .filter(|r| mine.is_none_or(|m| r.mines.contains(&m)))
        .collect())
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let q: ListParams = crate::safety::query(&uri)?;
    let format = crate::export::Format::parse(&q.format)?;
    // Cases are for those who handle them; the bureau sees the aggregates only.
    let show_cases = p.role != minecoop_domain::auth::Role::Bureau;
    if format.is_some() && !show_cases {
        return Err(AppError::Forbidden);
    }
    let (all, mines) = scoped(&s, &p).await?;
    let today = today();
    let dl = s.config.grievance_deadlines;
    let d = dashboard(v.lang, &all, &mines, today, &dl);
    let filtered = if show_cases { filter_rows(all, &q.status, &q.category, &q.mine)? } else { Vec::new() };
    let rows: Vec<Row> = filtered
        .into_iter()
        .map(|r| Row {
            mines: mine_names(v.lang, &mines, &r.mines),
            due: dl.pending(r.status, r.g.received_on).map(|(_, d)| d),
            overdue: dl.escalation(r.status, r.g.received_on, today).is_overdue(),
            age: (today - r.g.received_on).num_days(),
            s: r,
        })
        .collect();
    if let Some(f) = format {
        return crate::export::respond(&export_table(&v, &p, &mines, &rows), f);
    }
    let mut statuses = vec![
        Opt { value: String::new(), label: v.lang.t("grievance-filter-open"), selected: q.status.is_empty() },
        Opt { value: "all".into(), label: v.lang.t("grievance-filter-all"), selected: q.status == "all" },
    ];
    statuses.extend(Status::ALL.iter().map(|st| Opt {
        value: st.as_str().into(),
        label: v.lang.t(&format!("grievance-status-{st}")),
        selected: q.status == st.as_str(),
    }));
    let mut cats: Vec<&str> = vec![""];
    cats.extend(Category::ALL.iter().map(|c| c.as_str()));
    let mut categories = code_options(v.lang, "grievance-category", &cats, &q.category);
    if let Some(first) = categories.first_mut() {
        first.label = v.lang.t("grievance-filter-any");
    }
    let mut mine_opts =
        vec![Opt { value: String::new(), label: v.lang.t("grievance-filter-any"), selected: q.mine.is_empty() }];
    mine_opts.extend(
        mines.iter().filter(|m| counts_every_case(&p) || can_handle_case(&p, &[(m.id, m.member_id)])).map(|m| Opt {
            value: m.id.to_string(),
            label: m.name_zh.clone(),
            selected: q.mine == m.id.to_string(),
        }),
    );
    let query = uri.query().map(|q| q.split('&').filter(|kv| !kv.starts_with("format=")).collect::<Vec<_>>().join("&"));
    render(&ListPage {
        ctx: Ctx::new(&v, &uri),
        d,
        rows,
        show_cases,
        can_record: can_record_any(&p),
        statuses,
        categories,
        mines: mine_opts,
        query: query.unwrap_or_default(),
        empty: FormState::default(),
    })
}

/// The list as a file. The complainant's name and phone go only to those who may see them:
/// the co-op's staff, and an owner or officer for the cases of their mines (the only cases they
/// list).
fn export_table(v: &Viewer, p: &Principal, mines: &[Mine], rows: &[Row]) -> crate::export::Table {
    use crate::export::{Cell, Table};
    let t = |k: &str| v.lang.t(k);
    let mut table = Table::new(
        "grievances",
        vec![
            t("grievance-ref"),
            t("grievance-received-on"),
            t("grievance-category"),
            t("grievance-complainant-type"),
            t("grievance-channel"),
            t("field-status"),
            t("grievance-mines"),
            t("grievance-due"),
            t("grievance-overdue"),
            t("grievance-name"),
            t("grievance-phone"),
        ],
    );
    for r in rows {
        let personal = is_coop_staff(p) || can_handle_case(p, &pairs(mines, &r.s.mines));
        let g = &r.s.g;
        table.push(vec![
            Cell::from(g.ref_no.clone()),
            Cell::from(g.received_on.to_string()),
            Cell::from(t(&format!("grievance-category-{}", g.category))),
            Cell::from(t(&format!("grievance-type-{}", g.complainant_type))),
            Cell::from(t(&format!("grievance-channel-{}", g.channel))),
            Cell::from(t(&format!("grievance-status-{}", r.s.status))),
            Cell::from(r.mines.clone()),
            r.due.map(|d| Cell::from(d.to_string())).unwrap_or(Cell::Empty),
            Cell::from(if r.overdue { t("grievance-overdue") } else { String::new() }),
            match (&g.complainant_name, personal) {
                (Some(n), true) => Cell::from(n.clone()),
                _ => Cell::Empty,
            },
            match (&g.complainant_phone, personal) {
                (Some(n), true) => Cell::from(n.clone()),
                _ => Cell::Empty,
            },
        ]);
    }
    table
}

// ---- staff intake ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "grievances/form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    fields: IntakeFields,
}

/// The choices of an intake form (public or staff).
pub struct IntakeFields {
    pub categories: Vec<Opt>,
    pub types: Vec<Opt>,
    pub channels: Vec<Opt>,
    /// The mines to tick, with whether each is ticked.
    pub mines: Vec<Opt>,
    pub unknown_mine: bool,
    /// `1`, `0` or nothing chosen yet.
    pub anonymous: String,
}

pub(crate) fn intake_fields(lang: crate::i18n::Lang, i: &GrievanceInput, mines: &[Mine]) -> IntakeFields {
    let cats: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let types: Vec<&str> = ComplainantType::ALL.iter().map(|c| c.as_str()).collect();
    let mut channels: Vec<&str> = vec![""];
    channels.extend(Channel::ALL.iter().filter(|c| **c != Channel::Web).map(|c| c.as_str()));
    IntakeFields {
        categories: code_options(lang, "grievance-category", &cats, &i.category),
        types: code_options(lang, "grievance-type", &types, &i.complainant_type),
        channels: code_options(lang, "grievance-channel", &channels, &i.channel),
        mines: mines
            .iter()
            .map(|m| Opt {
                selected: i.mines.iter().any(|x| x.trim() == m.id.to_string()),
                value: m.id.to_string(),
                label: if lang == crate::i18n::Lang::Zh { m.name_zh.clone() } else { m.name_en.clone() },
            })
            .collect(),
        unknown_mine: i.mines.iter().any(|x| x == "unknown"),
        anonymous: i.anonymous.trim().to_owned(),
    }
}

async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.require(can_record_any)?.clone();
    let mines = recordable_mines(&p, &s.store.mine_choices().await?);
    let i = GrievanceInput { received_on: today().to_string(), ..Default::default() };
    let fields = intake_fields(v.lang, &i, &mines);
    render(&FormPage { ctx: Ctx::new(&v, &uri), form: FormState::of(&i), fields })
}

/// Parse and check a staff intake: the recorder must handle the case it becomes (an owner or a
/// safety officer names one of their mines).
pub(crate) async fn staff_draft(s: &AppState, p: &Principal, i: &GrievanceInput) -> Result<GrievanceDraft, StoreError> {
    let d = GrievanceDraft::parse(i, today(), false).map_err(StoreError::Invalid)?;
    let mines = s.store.mine_choices().await?;
    let named = pairs(&mines, &d.mines);
    if named.len() != d.mines.len() || !can_handle_case(p, &named) {
        return Err(StoreError::field("mines", "err-choice"));
    }
    Ok(d)
}

async fn create(State(s): State<AppState>, v: Viewer, uri: Uri, body: Bytes) -> AppResult<Response> {
    let p = v.require(can_record_any)?.clone();
    let (i, _) = parse_form(&body);
    let result = match staff_draft(&s, &p, &i).await {
        Ok(d) => s.store.record_grievance(&v.actor(), &d).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((g, plain)) => public::code_page(Ctx::new(&v, &uri), &g, &plain, false),
        Err(StoreError::Invalid(e)) => {
            let mines = recordable_mines(&p, &s.store.mine_choices().await?);
            let fields = intake_fields(v.lang, &i, &mines);
            unprocessable(&FormPage {
                ctx: Ctx::new(&v, &uri),
                form: FormState::of(&i).with_errors(v.lang, &e),
                fields,
            })
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the case -------------------------------------------------------------------------------

/// An entry of a case as the pages show it.
pub struct StepView {
    pub s: GrievanceStep,
    pub label: String,
}

pub(crate) fn step_views(lang: crate::i18n::Lang, steps: &[&GrievanceStep]) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| {
            let mut label = match s.status {
                Some(_) => lang.t(&format!("grievance-status-{}", s.kind)),
                None => lang.t(&format!("grievance-msg-{}", s.kind)),
            };
            if let Some(to) = &s.escalated_to {
                label = format!("{label} · {}", lang.t(&format!("grievance-escalated-to-{to}")));
            }
            StepView { s: (*s).clone(), label }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "grievances/detail.html")]
struct DetailPage {
    ctx: Ctx,
    case: Case,
    status: Status,
    mines: String,
    steps: Vec<StepView>,
    next: Vec<Opt>,
    escalate_to: Vec<Opt>,
    /// The step the case waits for, its due date, and whether it is late.
    pending: Option<(String, NaiveDate, bool)>,
    actions: Vec<crate::safety::actions::ActionRow>,
    /// The form that raises an action (shown when `can_raise`).
    af: crate::safety::actions::ActionForm,
    can_raise: bool,
    linked: Vec<(Uuid, String)>,
    incidents: Vec<Opt>,
    form: FormState,
}

pub(crate) async fn detail_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    form: FormState,
    aform: FormState,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let (case, mines) = handled_case(s, &p, id).await?;
    let lang = v.lang;
    let status = case.status();
    let dl = s.config.grievance_deadlines;
    let today = today();
    let pending = dl.pending(status, case.g.received_on).map(|(next, due)| {
        (
            lang.t(&format!("grievance-status-{next}")),
            due,
            dl.escalation(status, case.g.received_on, today).is_overdue(),
        )
    });
    let next = next_steps(status)
        .into_iter()
        .map(|st| Opt {
            value: st.as_str().into(),
            label: lang.t(&format!("grievance-status-{st}")),
            selected: form.v("status") == st.as_str(),
        })
        .collect();
    let esc: Vec<&str> = EscalatedTo::ALL.iter().map(|e| e.as_str()).collect();
    let actions = crate::safety::actions::rows(s, s.store.actions_of(ActionSource::Grievance, id).await?).await?;
    let first_mine = case.mines.first().and_then(|m| mines.iter().find(|x| x.id == *m)).cloned();
    let can_raise = first_mine.is_some() && status.is_open();
    let af = match &first_mine {
        Some(m) => {
            crate::safety::actions::action_form(s, lang, m, ActionSource::Grievance, id, aform, !actions.is_empty())
                .await?
        }
        None => crate::safety::actions::ActionForm {
            form: aform,
            kinds: Vec::new(),
            owners: Vec::new(),
            source_kind: ActionSource::Grievance.as_str(),
            source_id: id,
        },
    };
    let mut linked = Vec::new();
    for l in &case.links {
        if let Ok(i) = s.store.incident(l.incident_id).await {
            linked.push((l.incident_id, i.code));
        }
    }
    // Incidents of the case's mines (every mine's for a case naming none), not yet linked.
    let of_mines: Option<Vec<Uuid>> = (!case.mines.is_empty()).then(|| case.mines.clone());
    let readable: Vec<Uuid> = crate::safety::incidents::readable_mines(s, &p).await?.iter().map(|m| m.id).collect();
    let mut incidents = vec![Opt { value: String::new(), label: "—".into(), selected: false }];
    for i in s.store.incidents(Some(&readable)).await? {
        if of_mines.as_ref().is_none_or(|m| m.contains(&i.mine_id))
            && !case.links.iter().any(|l| l.incident_id == i.incident_id)
        {
            incidents.push(Opt {
                value: i.incident_id.to_string(),
                label: format!("{} · {}", i.code, i.occurred_at.format("%Y-%m-%d")),
                selected: form.v("incident_id") == i.incident_id.to_string(),
            });
        }
    }
    let all: Vec<&GrievanceStep> = case.steps.iter().collect();
    let page = DetailPage {
        ctx: Ctx::new(v, uri),
        mines: mine_names(lang, &mines, &case.mines),
        steps: step_views(lang, &all),
        next,
        escalate_to: code_options(lang, "grievance-escalated-to", &esc, form.v("escalated_to")),
        pending,
        actions,
        af,
        can_raise,
        linked,
        incidents,
        status,
        case,
        form,
    };
    if page.form.has_errors() || page.af.form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    detail_page(&s, &v, &uri, id, FormState::default(), FormState::default()).await
}

/// A step, note or reply as sent: every field a string.
#[derive(Deserialize, Serialize, Default, Debug, Clone, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// The new status (see the workflow).
    pub status: String,
    /// For an escalation: `coop_meeting` or `government`.
    pub escalated_to: String,
    /// Shown to the complainant with the step; required for a proposal, an escalation and a
    /// closing.
    pub note: String,
}

/// Parse a step: the status, where an escalation goes, the note.
pub(crate) fn parse_step(i: &StepInput) -> Result<(Status, Option<EscalatedTo>, Option<String>), FieldErrors> {
    let mut e = FieldErrors::new();
    let status = e.take("status", Status::parse(&i.status));
    let esc = match i.escalated_to.trim() {
        "" => None,
        x => e.take("escalated_to", EscalatedTo::parse(x)),
    };
    let note = e.take("note", minecoop_domain::validation::optional_text(&i.note, 4000)).flatten();
    match status {
        Some(st) if e.is_empty() => Ok((st, esc, note)),
        _ => Err(e),
    }
}

async fn step(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<StepInput>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    handled_case(&s, &p, id).await?;
    let result = match parse_step(&i) {
        Ok((to, esc, note)) => s.store.grievance_step(&v.actor(), id, to, By::Staff, esc, note).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/grievances/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            detail_page(&s, &v, &uri, id, FormState::of(&i).with_errors(v.lang, &e), FormState::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A note (internal), a reply or a question (shown to the complainant).
#[derive(Deserialize, Serialize, Default, Debug, Clone, utoipa::ToSchema)]
#[serde(default)]
pub struct MessageInput {
    /// `note`, `reply` or `question`.
    pub kind: String,
    pub text: String,
}

pub(crate) fn parse_message(i: &MessageInput) -> Result<MessageKind, FieldErrors> {
    match MessageKind::parse(&i.kind) {
        Ok(k) if k.by_staff() => Ok(k),
        _ => {
            let mut e = FieldErrors::new();
            e.add("kind", "err-choice");
            Err(e)
        }
    }
}

async fn message(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<MessageInput>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    handled_case(&s, &p, id).await?;
    let result = match parse_message(&i) {
        Ok(k) => s.store.grievance_message(&v.actor(), id, k, &i.text).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/grievances/{id}#entries")).into_response()),
        Err(StoreError::Invalid(e)) => {
            detail_page(&s, &v, &uri, id, FormState::of(&i).with_errors(v.lang, &e), FormState::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Link an incident.
#[derive(Deserialize, Serialize, Default, Debug, Clone, utoipa::ToSchema)]
#[serde(default)]
pub struct LinkInput {
    pub incident_id: String,
}

/// Check that the viewer may read the incident to link; a field error when there is none.
pub(crate) async fn linkable_incident(s: &AppState, p: &Principal, i: &LinkInput) -> Result<Uuid, AppError> {
    let id = Uuid::parse_str(i.incident_id.trim())
        .map_err(|_| AppError::from(StoreError::field("incident_id", "err-choice")))?;
    match crate::safety::incidents::readable_incident(s, p, id).await {
        Ok(_) => Ok(id),
        Err(AppError::NotFound) => Err(StoreError::field("incident_id", "err-choice").into()),
        Err(e) => Err(e),
    }
}

async fn link(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<LinkInput>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    handled_case(&s, &p, id).await?;
    let result = match linkable_incident(&s, &p, &i).await {
        Ok(incident) => s.store.link_grievance_incident(&v.actor(), id, incident).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/grievances/{id}#links")).into_response()),
        Err(AppError::Invalid(e)) => {
            detail_page(&s, &v, &uri, id, FormState::of(&i).with_errors(v.lang, &e), FormState::default()).await
        }
        Err(e) => Err(e),
    }
}
