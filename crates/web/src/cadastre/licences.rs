use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minecoop_domain::auth::Principal;
use minecoop_domain::cadastre::check::OutsideKind;
use minecoop_domain::cadastre::licence::{
    LicenceDraft, LicenceInput, REASONS, Standing, boundary_text_from_file, standing, to_gauss_kruger_table,
};
use minecoop_domain::cadastre::working::{WorkingDraft, WorkingEntry};
use minecoop_store::StoreError;
use minecoop_store::cadastre::{AckedOverlap, LicenceVersion};
use minecoop_store::registry::Mine;
use serde::Deserialize;
use uuid::Uuid;

use super::{Findings, findings, map_of, overlaps_with};
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::upload::{Submitted, Upload};
use crate::{AppResult, AppState, Opt};

/// The co-op's date: China Standard Time (UTC+8, no daylight saving), so that a licence expires
/// at midnight where the mines are, not eight hours later.
pub fn today() -> chrono::NaiveDate {
    now_local().date()
}

/// The co-op's local time (China Standard Time), as people write times on samples and forms.
pub fn now_local() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc()
}

/// A licence row as lists show it.
pub struct Row {
    pub l: LicenceVersion,
    pub standing: Standing,
    pub mine_operating: bool,
}

impl Row {
    pub fn standing_key(&self) -> &'static str {
        match self.standing {
            Standing::Valid => "standing-valid",
            Standing::RenewSoon { .. } => "standing-renew-soon",
            Standing::RenewalLate => "standing-renewal-late",
            Standing::Expired => "standing-expired",
        }
    }
    pub fn standing_class(&self) -> &'static str {
        match self.standing {
            Standing::Valid => "status-operating",
            Standing::RenewSoon { .. } => "status-suspended",
            _ => "status-closed",
        }
    }
    pub fn apply_by(&self) -> String {
        match self.standing {
            Standing::RenewSoon { apply_by } => apply_by.to_string(),
            _ => String::new(),
        }
    }
    /// Mining on an expired licence is unlicensed mining.
    pub fn violation(&self) -> bool {
        self.standing == Standing::Expired && self.mine_operating
    }
    pub fn area_km2(&self) -> String {
        format!("{:.4}", self.l.computed_area_m2() / 1e6)
    }
    pub fn stated_km2(&self) -> String {
        format!("{:.4}", self.l.stated_area_km2())
    }
    pub fn area_differs(&self) -> bool {
        minecoop_domain::cadastre::stated_area_differs(self.l.stated_area_km2(), self.l.computed_area_m2())
    }
}

/// Licences the viewer may see, with their standing.
pub async fn visible_rows(s: &AppState, v: &Viewer) -> AppResult<Vec<Row>> {
    let scope = v.scope(s).await?;
    let mines = s.store.mine_choices().await?;
    let today = today();
    Ok(s.store
        .current_licences()
        .await?
        .into_iter()
        .filter(|l| scope.includes_mine(l.mine_id))
        .map(|l| Row {
            standing: standing(l.valid_to, today, s.config.renewal_window_days),
            mine_operating: mines.iter().any(|m| m.id == l.mine_id && m.status == "operating"),
            l,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "cadastre/licences_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    findings: Findings,
    can_create: bool,
}

impl ListPage {
    fn kind_key(&self, k: &OutsideKind) -> &'static str {
        kind_key(k)
    }
}

fn kind_key(k: &OutsideKind) -> &'static str {
    match k {
        OutsideKind::BeyondBoundary => "finding-beyond-boundary",
        OutsideKind::OutOfLevel => "finding-out-of-level",
    }
}

pub async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let can_create = v.principal()?.can_create_mines();
    let rows = visible_rows(&s, &v).await?;
    let lic: Vec<LicenceVersion> = rows.iter().map(|r| r.l.clone()).collect();
    let workings = s.store.workings().await?;
    let findings = findings(&lic, &workings);
    render(&ListPage { ctx: Ctx::new(&v, &uri), rows, findings, can_create })
}

#[derive(Template)]
#[template(path = "cadastre/licence_detail.html")]
struct DetailPage {
    ctx: Ctx,
    row: Row,
    versions: Vec<LicenceVersion>,
    zone: u8,
    gk: Vec<Vec<(f64, f64)>>,
    lonlat: Vec<Vec<(f64, f64)>>,
    map: String,
    findings: Findings,
    can_edit: bool,
    can_record: bool,
    /// Acknowledged overlaps name neighbours' licences: only for those who see the whole register.
    show_acks: bool,
    wform: FormState,
    crs_options: Vec<Opt>,
}

impl DetailPage {
    fn kind_key(&self, k: &OutsideKind) -> &'static str {
        kind_key(k)
    }
}

async fn visible_licence(s: &AppState, v: &Viewer, id: Uuid) -> AppResult<(Vec<LicenceVersion>, Mine)> {
    let scope = v.scope(s).await?;
    let versions = s.store.licence_versions(id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    if !scope.includes_mine(current.mine_id) {
        return Err(AppError::Forbidden);
    }
    let mine = s.store.mine(current.mine_id).await?;
    Ok((versions, mine))
}

pub async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let form = FormState::new([("corner_crs", "EPSG:4490".to_owned()), ("kind", "point".to_owned())]);
    render(&detail_page(&s, &v, &uri, id, form).await?)
}

fn crs_options(ctx: &Ctx, selected: &str) -> Vec<Opt> {
    ["EPSG:4524", "EPSG:4545", "EPSG:4523", "EPSG:4525", "EPSG:4490"]
        .iter()
        .map(|c| Opt {
            value: (*c).into(),
            label: ctx.t(&format!("crs-{}", c.replace(':', "-"))),
            selected: selected == *c,
        })
        .collect()
}

async fn detail_page(s: &AppState, v: &Viewer, uri: &Uri, id: Uuid, wform: FormState) -> AppResult<DetailPage> {
    let (s, v, uri) = (s.clone(), v.clone(), uri.clone());
    let p = v.principal()?.clone();
    let (versions, mine) = visible_licence(&s, &v, id).await?;
    let current = versions.last().cloned().ok_or(AppError::NotFound)?;
    let shape = current.shape();
    let source = minecoop_domain::cadastre::crs::Crs::parse(&current.source_crs).ok();
    let (zone, gk) = to_gauss_kruger_table(&shape, source).map_err(AppError::Internal)?;
    let lonlat = shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0[..r.0.len().saturating_sub(1)].iter().map(|c| (c.y, c.x)).collect())
        .collect();
    // The licence with its neighbours: every licence whose box comes near its own.
    let scope = v.scope(&s).await?;
    let all: Vec<LicenceVersion> =
        s.store.current_licences().await?.into_iter().filter(|l| scope.includes_mine(l.mine_id)).collect();
    let near: Vec<LicenceVersion> = {
        use geo::BoundingRect;
        let r = shape.bounding_rect();
        all.into_iter()
            .filter(|l| {
                let (Some(a), Some(b)) = (r, l.shape().bounding_rect()) else { return false };
                let m = 0.01;
                b.min().x < a.max().x + m
                    && b.max().x > a.min().x - m
                    && b.min().y < a.max().y + m
                    && b.max().y > a.min().y - m
            })
            .collect()
    };
    let workings = s.store.workings().await?;
    let map = map_of(&near, &workings, Some(id), today()).svg(v.lang).unwrap_or_default();
    let mut f = findings(&near, &workings);
    f.overlaps.retain(|(a, b, _)| *a == current.licence_no || *b == current.licence_no);
    f.outside.retain(|(_, l, _, _)| *l == current.licence_no);
    let row = Row {
        standing: standing(current.valid_to, today(), s.config.renewal_window_days),
        mine_operating: mine.status == "operating",
        l: current,
    };
    let ctx = Ctx::new(&v, &uri);
    let crs_options = crs_options(&ctx, wform.v("corner_crs"));
    Ok(DetailPage {
        ctx,
        can_edit: p.can_edit_licences_of(mine.member_id),
        can_record: p.can_record_workings(mine.id, mine.member_id),
        show_acks: scope == minecoop_domain::auth::Scope::All,
        row,
        versions,
        zone,
        gk,
        lonlat,
        map,
        findings: f,
        wform,
        crs_options,
    })
}

/// Record a surveyed working; the licence page then shows whether it lies beyond the boundary
/// or outside the licensed levels.
pub async fn add_working(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<WorkingEntry>,
) -> AppResult<Response> {
    let versions = s.store.licence_versions(id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let mine = s.store.mine(current.mine_id).await?;
    v.require(|p| p.can_record_workings(mine.id, mine.member_id))?;
    match WorkingDraft::parse(&f) {
        Ok(w) => {
            s.store.create_working(&v.actor(), id, &w.label, w.is_line, &w.vertices).await?;
            Ok(Redirect::to(&format!("/licences/{id}#findings")).into_response())
        }
        Err(e) => {
            let form = FormState::of(&f).with_errors(v.lang, &e);
            unprocessable(&detail_page(&s, &v, &uri, id, form).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "cadastre/licence_form.html")]
struct FormPage {
    ctx: Ctx,
    /// The licence when adding a version.
    id: Option<Uuid>,
    version: i32,
    form: FormState,
    mines: Vec<Opt>,
    crs_options: Vec<Opt>,
    reasons: Vec<Opt>,
    /// Overlaps to acknowledge before saving.
    overlaps: Vec<(String, f64)>,
    warnings: Vec<String>,
    preview: String,
}

impl FormPage {
    fn acked_list(&self) -> String {
        self.overlaps.iter().map(|(no, _)| no.as_str()).collect::<Vec<_>>().join(",")
    }
}

fn input_of(l: &LicenceVersion) -> LicenceInput {
    let corners = l
        .shape()
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| {
            r.0[..r.0.len().saturating_sub(1)]
                .iter()
                .enumerate()
                .map(|(k, c)| format!("{}, {}, {}", k + 1, c.y, c.x))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    LicenceInput {
        mine_id: l.mine_id.to_string(),
        licence_no: l.licence_no.clone(),
        holder: l.holder.clone(),
        mine_name: l.mine_name.clone(),
        minerals: l.minerals.clone(),
        mining_method: l.mining_method.clone(),
        scale: format!("{}", l.scale()),
        stated_area_km2: format!("{:.4}", l.stated_area_km2()),
        valid_from: l.valid_from.to_string(),
        valid_to: l.valid_to.to_string(),
        elevation_top_m: format!("{}", l.top_m()),
        elevation_bottom_m: format!("{}", l.bottom_m()),
        issuing_office: l.issuing_office.clone(),
        issued_on: l.issued_on.map(|d| d.to_string()).unwrap_or_default(),
        corner_crs: "EPSG:4490".into(),
        corners,
        reason: "renewal".into(),
    }
}

async fn mine_options(s: &AppState, p: &Principal, selected: &str) -> AppResult<Vec<Opt>> {
    Ok(s.store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_edit_licences_of(m.member_id))
        .map(|m| Opt { selected: m.id.to_string() == selected, value: m.id.to_string(), label: m.name_zh })
        .collect())
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Option<Uuid>,
    version: i32,
    form: FormState,
) -> AppResult<FormPage> {
    let p = v.principal()?;
    let ctx = Ctx::new(v, uri);
    let mines = mine_options(s, p, form.v("mine_id")).await?;
    let crs_options = crs_options(&ctx, form.v("corner_crs"));
    let reasons = code_options(ctx.lang, "reason", REASONS, form.v("reason"));
    Ok(FormPage {
        ctx,
        id,
        version,
        form,
        mines,
        crs_options,
        reasons,
        overlaps: Vec::new(),
        warnings: Vec::new(),
        preview: String::new(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewParams {
    mine: String,
}

pub async fn new(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<NewParams>) -> AppResult<Response> {
    v.require(|p| p.can_create_mines())?;
    let input = LicenceInput {
        mine_id: q.mine,
        minerals: "zn".into(),
        mining_method: "underground".into(),
        corner_crs: "EPSG:4524".into(),
        reason: "issued".into(),
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, None, 0, FormState::of(&input)).await?)
}

pub async fn renew(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let versions = s.store.licence_versions(id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let mine = s.store.mine(current.mine_id).await?;
    v.require(|p| p.can_edit_licences_of(mine.member_id))?;
    render(&form_page(&s, &v, &uri, Some(id), current.version, FormState::of(&input_of(current))).await?)
}

/// The form as posted: the licence fields, the version it was read at, and the acknowledgement.
#[derive(Deserialize, Default)]
pub struct Posted {
    #[serde(flatten)]
    input: LicenceInput,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    ack: Option<String>,
    /// The licence numbers of the overlaps the user was shown, comma-separated.
    #[serde(default)]
    acked: String,
    /// The "Read file" button was pressed.
    #[serde(default)]
    read_file: Option<String>,
}

/// A boundary file sent with the form: its corners go into the boundary box and the form comes
/// back for the user to check the map and the area; nothing is saved until they do.
async fn read_boundary_file(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Option<Uuid>,
    mut f: Posted,
    file: &Upload,
) -> AppResult<Response> {
    let version = f.version.unwrap_or(0);
    // Reading a sheet is CPU work: off the async workers.
    let (name, bytes) = (file.name.clone(), file.bytes.clone());
    let read = tokio::task::spawn_blocking(move || boundary_text_from_file(&name, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match read {
        Ok(read) => {
            f.input.corners = read.text;
            let lines = f.input.corners.lines().filter(|l| !l.trim().is_empty()).count();
            let mut page = form_page(s, v, uri, id, version, FormState::of(&f.input)).await?;
            page.ctx.notice = Some(v.lang.t_counts(
                "licence-file-read",
                &[("file", file.name.clone()), ("lines", lines.to_string())],
                &[("skipped", read.skipped_rows as i64)],
            ));
            render(&page)
        }
        Err(e) => {
            let mut errors = minecoop_domain::FieldErrors::new();
            errors.add_with("corners_file", e.code, vec![("file", file.name.clone()), ("detail", e.detail)]);
            unprocessable(
                &form_page(s, v, uri, id, version, FormState::of(&f.input).with_errors(v.lang, &errors)).await?,
            )
        }
    }
}

async fn save(s: &AppState, v: &Viewer, uri: &Uri, id: Option<Uuid>, sent: Submitted<Posted>) -> AppResult<Response> {
    let Submitted { form: f, files } = sent;
    if let Some(file) = files.iter().find(|u| u.field == "corners_file") {
        return read_boundary_file(s, v, uri, id, f, file).await;
    }
    if f.read_file.is_some() {
        // "Read file" without a file: say so rather than save the form.
        let mut e = minecoop_domain::FieldErrors::new();
        e.add("corners_file", "err-file-none");
        let page = form_page(s, v, uri, id, f.version.unwrap_or(0), FormState::of(&f.input).with_errors(v.lang, &e));
        return unprocessable(&page.await?);
    }
    if id.is_some() && f.version.is_none() {
        return Err(AppError::BadRequest("error-400-detail"));
    }
    let draft = match LicenceDraft::parse(&f.input) {
        Ok(d) => d,
        Err(e) => {
            let page =
                form_page(s, v, uri, id, f.version.unwrap_or(0), FormState::of(&f.input).with_errors(v.lang, &e))
                    .await?;
            return unprocessable(&page);
        }
    };
    let acked: Option<Vec<String>> = (f.ack.as_deref() == Some("on"))
        .then(|| f.acked.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect());
    let version = f.version.unwrap_or(0);
    match save_licence(s, v, id, f.version, &draft, acked.as_deref()).await? {
        Saved::Done(l) => Ok(Redirect::to(&format!("/licences/{}", l.licence_id)).into_response()),
        Saved::NeedsAck { overlaps, register } => {
            let mut page = form_page(s, v, uri, id, version, FormState::of(&f.input)).await?;
            page.warnings = draft.warnings.iter().map(|w| v.lang.t(w)).collect();
            page.overlaps = overlaps;
            page.preview = preview_map(&register, &draft.boundary, (&draft.mine_name, &draft.licence_no), id, v);
            unprocessable(&page)
        }
        Saved::Invalid(e) => {
            unprocessable(&form_page(s, v, uri, id, version, FormState::of(&f.input).with_errors(v.lang, &e)).await?)
        }
        Saved::Conflict => {
            let mut page = form_page(s, v, uri, id, version, FormState::of(&f.input)).await?;
            page.ctx = page.ctx.with_notice("notice-conflict");
            crate::registry::conflict(&page)
        }
    }
}

/// What became of a licence version sent to be saved (one per request: size does not matter).
#[allow(clippy::large_enum_variant)]
pub enum Saved {
    Done(LicenceVersion),
    /// It overlaps these licences (number, m2) and the user has not acknowledged exactly these.
    NeedsAck {
        overlaps: Vec<(String, f64)>,
        register: Vec<LicenceVersion>,
    },
    Invalid(minecoop_domain::FieldErrors),
    /// Someone saved another version since `version` was read.
    Conflict,
}

/// Save a new licence (`id` None) or a new version of one, for the page and the API alike.
/// An overlap with another licence is saved only when `acked` lists exactly the overlapping
/// licences: an acknowledgement covers what the user was shown, not what changed since.
pub async fn save_licence(
    s: &AppState,
    v: &Viewer,
    id: Option<Uuid>,
    version: Option<i32>,
    draft: &LicenceDraft,
    acked: Option<&[String]>,
) -> AppResult<Saved> {
    let Ok(mine) = s.store.mine(draft.mine_id).await else { return Ok(Saved::Invalid(field("mine_id", "err-choice"))) };
    v.require(|p| p.can_edit_licences_of(mine.member_id))?;
    let register = s.store.current_licences().await?;
    let overlaps = overlaps_with(&draft.boundary, &register, id);
    let mut shown: Vec<&str> = acked.unwrap_or_default().iter().map(String::as_str).collect();
    shown.sort_unstable();
    shown.dedup();
    let mut now: Vec<&str> = overlaps.iter().map(|(no, _)| no.as_str()).collect();
    now.sort_unstable();
    if !overlaps.is_empty() && (acked.is_none() || shown != now) {
        return Ok(Saved::NeedsAck { overlaps, register });
    }
    let ack: Vec<AckedOverlap> =
        overlaps.into_iter().map(|(licence_no, area_m2)| AckedOverlap { licence_no, area_m2 }).collect();
    let result = match id {
        None => s.store.create_licence(&v.actor(), draft, &ack).await,
        Some(id) => {
            let Some(version) = version else {
                return Ok(Saved::Invalid(field("version", "err-required")));
            };
            s.store.add_licence_version(&v.actor(), id, version, draft, &ack).await
        }
    };
    match result {
        Ok(l) => Ok(Saved::Done(l)),
        Err(StoreError::Invalid(e)) => Ok(Saved::Invalid(e)),
        Err(StoreError::Conflict) => Ok(Saved::Conflict),
        Err(e) => Err(e.into()),
    }
}

fn field(name: &str, code: &'static str) -> minecoop_domain::FieldErrors {
    let mut e = minecoop_domain::FieldErrors::new();
    e.add(name, code);
    e
}

pub async fn create(State(s): State<AppState>, v: Viewer, uri: Uri, f: Submitted<Posted>) -> AppResult<Response> {
    v.require(|p| p.can_create_mines())?;
    save(&s, &v, &uri, None, f).await
}

pub async fn add_version(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    f: Submitted<Posted>,
) -> AppResult<Response> {
    let versions = s.store.licence_versions(id).await?;
    let current = versions.last().ok_or(AppError::NotFound)?;
    let mine = s.store.mine(current.mine_id).await?;
    v.require(|p| p.can_edit_licences_of(mine.member_id))?;
    save(&s, &v, &uri, Some(id), f).await
}

/// The register with a proposed boundary drawn on it (labelled with the mine's name, the
/// licence number on hover), its overlaps in red.
fn preview_map(
    register: &[LicenceVersion],
    boundary: &geo::MultiPolygon<f64>,
    (name, licence_no): (&str, &str),
    except: Option<Uuid>,
    v: &Viewer,
) -> String {
    use geo::BooleanOps;
    let mut m = super::map::MapData::default();
    for l in register.iter().filter(|l| Some(l.licence_id) != except) {
        let shape = l.shape();
        let near = minecoop_domain::cadastre::check::overlap_area(
            &shape,
            boundary,
            minecoop_domain::cadastre::crs::Crs::Geographic,
        );
        if let Some(area) = near {
            m.overlaps.push((format!("{}: {area:.0} m²", l.licence_no), shape.intersection(boundary)));
        }
        m.licences.push(super::map::MapLicence {
            href: format!("/licences/{}", l.licence_id),
            label: l.mine_name.clone(),
            title: l.licence_no.clone(),
            class: "lease",
            shape,
        });
    }
    m.licences.push(super::map::MapLicence {
        href: "#".into(),
        label: name.to_owned(),
        title: licence_no.to_owned(),
        class: "lease focus",
        shape: boundary.clone(),
    });
    m.svg(v.lang).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "cadastre/preview.html")]
struct Preview {
    ctx: Ctx,
    problems: Vec<String>,
    overlaps: Vec<(String, f64)>,
    area_km2: String,
    map: String,
}

/// The live check while the corner table is typed: problems, or the boundary on the map with
/// the neighbours it overlaps.
pub async fn preview(State(s): State<AppState>, v: Viewer, uri: Uri, Form(f): Form<Posted>) -> AppResult<Response> {
    v.require(|p| p.can_create_mines())?;
    let ctx = Ctx::new(&v, &uri);
    let except = uuid::Uuid::parse_str(uri.query().unwrap_or("").trim_start_matches("licence=")).ok();
    // Only the boundary matters here; the other fields are checked on save.
    let crs = minecoop_domain::cadastre::crs::Crs::parse(&f.input.corner_crs);
    let shape = crs.map_err(|_| vec![ctx.t("err-choice")]).and_then(|crs| {
        minecoop_domain::cadastre::licence::parse_boundary(&f.input.corners, crs)
            .map_err(|d| vec![v.lang.t_args("err-corners", &[("detail", d)])])
            .and_then(|(parts, crs)| {
                minecoop_domain::cadastre::lease::build(&parts, crs)
                    .map_err(|p| vec![v.lang.t_args(p.code(), &p.args())])
                    .and_then(|mp| minecoop_domain::cadastre::licence::to_lon_lat(&mp, crs).map_err(|d| vec![d]))
            })
    });
    let page = match shape {
        Err(problems) => Preview { ctx, problems, overlaps: Vec::new(), area_km2: String::new(), map: String::new() },
        Ok(boundary) => {
            let register = s.store.current_licences().await?;
            let overlaps = overlaps_with(&boundary, &register, except);
            let area = minecoop_domain::cadastre::ellipsoidal_area_m2(
                &boundary,
                minecoop_domain::cadastre::crs::Crs::Geographic,
            )
            .unwrap_or_default();
            let map = preview_map(&register, &boundary, (&f.input.mine_name, &f.input.licence_no), except, &v);
            Preview { ctx, problems: Vec::new(), overlaps, area_km2: format!("{:.4}", area / 1e6), map }
        }
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "cadastre/map.html")]
struct MapPage {
    ctx: Ctx,
    map: String,
    findings: Findings,
    /// `A4` or `A3`, landscape, for printing.
    paper: &'static str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MapParams {
    paper: String,
}

impl MapPage {
    fn kind_key(&self, k: &OutsideKind) -> &'static str {
        kind_key(k)
    }
}

pub async fn map_page(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<MapParams>,
) -> AppResult<Response> {
    let paper = if q.paper.eq_ignore_ascii_case("a3") { "A3" } else { "A4" };
    v.principal()?;
    let rows = visible_rows(&s, &v).await?;
    let lic: Vec<LicenceVersion> = rows.into_iter().map(|r| r.l).collect();
    let workings = s.store.workings().await?;
    let map = map_of(&lic, &workings, None, today()).svg(v.lang).unwrap_or_default();
    let findings = findings(&lic, &workings);
    render(&MapPage { ctx: Ctx::new(&v, &uri), map, findings, paper })
}

/// Licences due for renewal or expired, for the dashboards (owners see their own).
pub async fn renewals(s: &AppState, v: &Viewer) -> AppResult<Vec<Row>> {
    let p = v.principal()?;
    let mines = s.store.mine_choices().await?;
    let mut rows: Vec<Row> = visible_rows(s, v)
        .await?
        .into_iter()
        .filter(|r| r.standing != Standing::Valid)
        .filter(|r| match p.role {
            minecoop_domain::auth::Role::Owner => {
                mines.iter().any(|m| m.id == r.l.mine_id && Some(m.member_id) == p.member_id)
            }
            _ => true,
        })
        .collect();
    rows.sort_by_key(|r| r.l.valid_to);
    Ok(rows)
}
