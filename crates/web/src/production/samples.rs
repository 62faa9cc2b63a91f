//! The sample register: registering a sample, its label with a QR code, its chain of custody
//! step by step, and the laboratory's results.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use minecoop_domain::production::sample::{
    AssayDraft, AssayInput, CustodyStep, QcRole, SampleDraft, SampleInput, SampleKind, parse_local_time,
};
use minecoop_store::StoreError;
use minecoop_store::production::samples::{Sample, SampleRecord};
use minecoop_store::registry::Mine as MineChoice;
use serde::Deserialize;
use uuid::Uuid;

use crate::cadastre::now_local;
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub struct SampleRow {
    pub s: Sample,
    pub mine: String,
}

#[derive(Template)]
#[template(path = "production/samples.html")]
struct ListPage {
    ctx: Ctx,
    mines: Vec<Opt>,
    month: String,
    rows: Vec<SampleRow>,
    /// The filters, for the download links.
    query: String,
    can_take: bool,
    can_import: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    mine: Option<Uuid>,
    month: String,
    format: String,
}

async fn readable(s: &AppState, v: &Viewer) -> AppResult<Vec<MineChoice>> {
    let p = v.principal()?.clone();
    Ok(s.store.mine_choices().await?.into_iter().filter(|m| p.can_view_production_of(m.id, m.member_id)).collect())
}

pub async fn list(State(s): State<AppState>, v: Viewer, uri: Uri, Query(q): Query<ListParams>) -> AppResult<Response> {
    let mines = readable(&s, &v).await?;
    let format = crate::export::Format::parse(&q.format)?;
    let today = crate::cadastre::today();
    let month = if q.month.trim().is_empty() { today.format("%Y-%m").to_string() } else { q.month.trim().to_owned() };
    let (first, last) = super::month_range(&month).ok_or(AppError::BadRequest("error-400-detail"))?;
    let ids: Vec<Uuid> = match q.mine {
        Some(id) if mines.iter().any(|m| m.id == id) => vec![id],
        Some(_) => return Err(AppError::Forbidden),
        None => mines.iter().map(|m| m.id).collect(),
    };
    let from = first.and_hms_opt(0, 0, 0).unwrap_or_default();
    let to = last.and_hms_opt(23, 59, 59).unwrap_or_default();
    let rows = s
        .store
        .samples_between(Some(&ids), from, to)
        .await?
        .into_iter()
        .map(|smp| SampleRow {
            mine: mines.iter().find(|m| m.id == smp.mine_id).map(|m| m.name_zh.clone()).unwrap_or_default(),
            s: smp,
        })
        .collect::<Vec<SampleRow>>();
    if let Some(format) = format {
        return crate::export::respond(&export_table(&s, &v, &month, &rows).await?, format);
    }
    let p = v.principal()?;
    let options = mines
        .iter()
        .map(|m| Opt { value: m.id.to_string(), label: m.name_zh.clone(), selected: q.mine == Some(m.id) })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(&v, &uri),
        mines: options,
        query: match q.mine {
            Some(m) => format!("month={month}&mine={m}"),
            None => format!("month={month}"),
        },
        month,
        rows,
        can_take: p.can_take_any_samples(),
        can_import: p.can_enter_assays(),
    })
}

/// The month's samples with their current results, one column per element.
async fn export_table(s: &AppState, v: &Viewer, month: &str, rows: &[SampleRow]) -> AppResult<crate::export::Table> {
    use crate::export::{Cell, Table};
    let els = &s.config.elements;
    let t = |k: &str| v.lang.t(k);
    let mut headers = vec![
        t("sample-code"),
        t("field-mine"),
        t("sample-kind"),
        t("sample-point"),
        t("sample-taken-at"),
        t("sample-taken-by"),
        t("sample-qc-role"),
        t("sample-duplicate-of"),
        t("sample-reference"),
    ];
    headers.extend(els.iter().map(|el| format!("{} ({})", el.symbol(), el.unit.symbol())));
    let mut table = Table::new(format!("samples-{month}"), headers);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.s.id).collect();
    let assays = s.store.current_assays(&ids).await?;
    let current: std::collections::HashMap<(Uuid, &str), &minecoop_store::production::samples::AssayResult> =
        assays.iter().map(|a| ((a.sample_id, a.element.as_str()), a)).collect();
    for r in rows {
        let mut row = vec![
            Cell::from(r.s.code.clone()),
            Cell::from(r.mine.clone()),
            Cell::from(t(&format!("sample-kind-{}", r.s.kind))),
            Cell::from(r.s.point.clone()),
            Cell::from(r.s.taken_at.format("%Y-%m-%d %H:%M").to_string()),
            Cell::from(r.s.taken_by.clone()),
            Cell::from(t(&format!("qc-role-{}", r.s.qc_role))),
            Cell::from(r.s.duplicate_of.clone().unwrap_or_default()),
            Cell::from(r.s.reference.clone().unwrap_or_default()),
        ];
        for el in els {
            let a = current.get(&(r.s.id, el.code.as_str()));
            row.push(match a {
                // Below the detection limit stays "< DL" text, never a number.
                Some(a) if a.below_dl => Cell::from(a.draft().shown()),
                Some(a) => Cell::from(a.value_e4.map(|x| minecoop_domain::units::from_scaled(x, 4))),
                None => Cell::Empty,
            });
        }
        table.push(row);
    }
    Ok(table)
}

#[derive(Template)]
#[template(path = "production/sample_form.html")]
struct FormPage {
    ctx: Ctx,
    form: FormState,
    mines: Vec<Opt>,
    kinds: Vec<Opt>,
    roles: Vec<Opt>,
}

async fn form_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState) -> AppResult<FormPage> {
    let p = v.principal()?.clone();
    let ctx = Ctx::new(v, uri);
    let mines = s
        .store
        .mine_choices()
        .await?
        .into_iter()
        .filter(|m| p.can_take_samples(m.id, m.member_id))
        .map(|m| Opt { selected: m.id.to_string() == form.v("mine_id"), value: m.id.to_string(), label: m.name_zh })
        .collect();
    let kinds: Vec<&str> = SampleKind::ALL.iter().map(|k| k.as_str()).collect();
    let roles: Vec<&str> = QcRole::ALL.iter().map(|k| k.as_str()).collect();
    Ok(FormPage {
        kinds: code_options(ctx.lang, "sample-kind", &kinds, form.v("kind")),
        roles: code_options(ctx.lang, "qc-role", &roles, form.v("qc_role")),
        ctx,
        form,
        mines,
    })
}

pub async fn new(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_take_any_samples())?;
    let input = SampleInput {
        taken_at: now_local().format("%Y-%m-%dT%H:%M").to_string(),
        taken_by: v.principal()?.username.clone(),
        qc_role: "routine".into(),
        ..Default::default()
    };
    render(&form_page(&s, &v, &uri, FormState::of(&input)).await?)
}

pub async fn create(State(s): State<AppState>, v: Viewer, uri: Uri, Form(i): Form<SampleInput>) -> AppResult<Response> {
    v.require(|p| p.can_take_any_samples())?;
    if let Ok(id) = Uuid::parse_str(i.mine_id.trim()) {
        let m = s.store.mine(id).await.map_err(|_| AppError::Forbidden)?;
        v.require(|p| p.can_take_samples(m.id, m.member_id))?;
    }
    let result = match SampleDraft::parse(&i, now_local()) {
        Ok(d) => s.store.register_sample(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(smp) => Ok(Redirect::to(&format!("/samples/{}", smp.id)).into_response()),
        Err(StoreError::Invalid(e)) => {
            unprocessable(&form_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "production/sample.html")]
struct DetailPage {
    ctx: Ctx,
    rec: SampleRecord,
    mine: String,
    results: Vec<(String, String, String)>,
    next_step: Option<String>,
    can_custody: bool,
    can_assay: bool,
    cform: FormState,
    aform: FormState,
    elements: Vec<Opt>,
}

async fn detail_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    cform: FormState,
    aform: FormState,
) -> AppResult<DetailPage> {
    let p = v.principal()?.clone();
    let rec = s.store.sample_record(id).await?;
    let m = s.store.mine(rec.sample.mine_id).await?;
    if !p.can_view_production_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let last = rec
        .events
        .iter()
        .filter_map(|e| CustodyStep::parse(&e.step).ok())
        .max_by_key(|s| CustodyStep::ALL.iter().position(|x| x == s));
    let next_step = last.and_then(CustodyStep::next).map(|s| s.as_str().to_owned());
    let results = rec
        .assays
        .iter()
        .map(|a| (a.element.clone(), a.draft().shown(), format!("{} · {} · v{}", a.lab, a.method, a.version)))
        .collect();
    let elements = s
        .config
        .elements
        .iter()
        .map(|e| Opt {
            value: e.code.clone(),
            label: format!("{} ({})", e.symbol(), e.unit.symbol()),
            selected: aform.v("element") == e.code,
        })
        .collect();
    Ok(DetailPage {
        ctx: Ctx::new(v, uri),
        mine: m.name_zh.clone(),
        results,
        next_step,
        can_custody: p.can_take_samples(m.id, m.member_id),
        can_assay: p.can_enter_assays(),
        cform,
        aform,
        elements,
        rec,
    })
}

pub async fn detail(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let cform = FormState::from_pairs(vec![("at".into(), now_local().format("%Y-%m-%dT%H:%M").to_string())]);
    render(&detail_page(&s, &v, &uri, id, cform, FormState::default()).await?)
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct CustodyForm {
    step: String,
    at: String,
    by_name: String,
    note: String,
}

pub async fn add_custody(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<CustodyForm>,
) -> AppResult<Response> {
    let rec = s.store.sample_record(id).await?;
    let m = s.store.mine(rec.sample.mine_id).await?;
    v.require(|p| p.can_take_samples(m.id, m.member_id))?;
    let mut e = minecoop_domain::FieldErrors::new();
    let step = e.take("step", CustodyStep::parse(&f.step));
    let at = match parse_local_time(&f.at) {
        Ok(t) if t > now_local() => {
            e.add("at", "err-future");
            None
        }
        r => e.take("at", r),
    };
    let by = e.take("by_name", minecoop_domain::validation::required_text(&f.by_name, 60));
    let note = e.take("note", minecoop_domain::validation::optional_text(&f.note, 200)).flatten();
    let result = match (step, at, by) {
        (Some(step), Some(at), Some(by)) if e.is_empty() => {
            s.store.add_custody_step(&v.actor(), id, step, at, &by, note.as_deref()).await.map(|_| ())
        }
        _ => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/samples/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            // The store names the step; show it on the step's field.
            let cform = FormState::of(&f).with_errors(v.lang, &e);
            unprocessable(&detail_page(&s, &v, &uri, id, cform, FormState::default()).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct AssayForm {
    element: String,
    value: String,
    method: String,
    detection_limit: String,
    lab: String,
    batch: String,
    reason: String,
}

pub async fn add_assay(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<AssayForm>,
) -> AppResult<Response> {
    v.require(|p| p.can_enter_assays())?;
    let mut e = minecoop_domain::FieldErrors::new();
    let lab = e.take("lab", minecoop_domain::validation::required_text(&f.lab, 60));
    let batch = e.take("batch", minecoop_domain::validation::optional_text(&f.batch, 40)).flatten().unwrap_or_default();
    let input = AssayInput {
        element: f.element.clone(),
        value: f.value.clone(),
        method: f.method.clone(),
        detection_limit: f.detection_limit.clone(),
    };
    let draft = match AssayDraft::parse(&input, &s.config.elements) {
        Ok(d) => Some(d),
        Err(errors) => {
            e.0.extend(errors.0);
            None
        }
    };
    let reason = (!f.reason.trim().is_empty()).then(|| f.reason.trim().to_owned());
    let result = match (lab, draft) {
        (Some(lab), Some(d)) if e.is_empty() => {
            s.store.record_assays(&v.actor(), id, &lab, &batch, &[d], reason.as_deref()).await.map(|_| ())
        }
        _ => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/samples/{id}#results")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let aform = FormState::of(&f).with_errors(v.lang, &e);
            let cform = FormState::default();
            unprocessable(&detail_page(&s, &v, &uri, id, cform, aform).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "production/sample_label.html")]
struct LabelPage {
    ctx: Ctx,
    s: Sample,
    mine: String,
    qr: String,
}

/// A label to print and stick on the bag: the code in large type and a QR code carrying the
/// code and the sample's id.
pub async fn label(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    let rec = s.store.sample_record(id).await?;
    let m = s.store.mine(rec.sample.mine_id).await?;
    v.require(|p| p.can_view_production_of(m.id, m.member_id))?;
    let payload = format!("minecoop:sample:{}:{}", rec.sample.code, rec.sample.id);
    let qr = qrcode::QrCode::new(payload.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(140, 140)
        .quiet_zone(true)
        .build();
    // The renderer writes an XML declaration; inline SVG does without.
    let qr = qr.find("<svg").map(|i| qr[i..].to_owned()).unwrap_or(qr);
    render(&LabelPage { ctx: Ctx::new(&v, &uri), s: rec.sample, mine: m.name_zh, qr })
}

fn assay_headings(elements: &[minecoop_domain::production::Element]) -> String {
    let mut h = vec!["sample".to_owned(), "lab".into(), "batch".into(), "method".into()];
    h.extend(elements.iter().map(|e| e.code.clone()));
    h.extend(elements.iter().map(|e| format!("dl.{}", e.code)));
    h.join(", ")
}

fn assay_page(ctx: Ctx, elements: &[minecoop_domain::production::Element]) -> super::ImportPage {
    super::ImportPage {
        action: "/samples/import",
        title_key: "samples-import",
        intro_key: "samples-import-intro",
        ..super::ImportPage::production(ctx, assay_headings(elements))
    }
}

pub async fn import_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    v.require(|p| p.can_enter_assays())?;
    render(&assay_page(Ctx::new(&v, &uri), &s.config.elements))
}

/// Why a laboratory sheet cannot be imported as it is.
#[derive(Debug)]
pub enum LabSheetProblems {
    /// Cells, headings or samples (unknown, repeated), by sheet row and column heading.
    Cells(Vec<minecoop_domain::production::import::RowProblem>),
    /// Rows that clash with what is recorded (not received, a different result), by sheet row,
    /// with the message key.
    Recorded(Vec<(usize, &'static str)>),
}

/// The codes of a sheet that name no sample, found by the database (for the full list of a
/// sheet's problems).
pub async fn unknown_codes<'a>(
    store: &minecoop_store::Store,
    rows: &'a [Vec<String>],
) -> Result<std::collections::HashSet<&'a str>, StoreError> {
    use minecoop_store::production::samples::{RowIssue, SampleKey, SheetResults};
    let codes = minecoop_domain::production::assay_import::sheet_codes(rows);
    let sheet: Vec<SheetResults<'_>> =
        codes.iter().map(|c| SheetResults { sample: SampleKey::Code(c), lab: "", batch: "", results: &[] }).collect();
    let check = store.check_assay_sheet(&sheet).await?;
    Ok(check.problems.iter().filter(|(_, i)| *i == RowIssue::Unknown).map(|(r, _)| codes[*r]).collect())
}

/// The problems of a sheet whose cells are wrong, with its unknown samples among them: what
/// [`minecoop_domain::production::assay_import::check_assay_sheet`] says with every code
/// looked up.
pub async fn cell_problems(
    store: &minecoop_store::Store,
    rows: &[Vec<String>],
    elements: &[minecoop_domain::production::Element],
    default_lab: &str,
    unknown: Option<std::collections::HashSet<&str>>,
) -> Result<Vec<minecoop_domain::production::import::RowProblem>, StoreError> {
    use minecoop_domain::production::assay_import::check_assay_sheet_codes;
    let unknown = match unknown {
        Some(u) => u,
        None => unknown_codes(store, rows).await?,
    };
    Ok(check_assay_sheet_codes(rows, elements, default_lab, &unknown).err().unwrap_or_default())
}

/// A laboratory sheet checked whole, writing nothing: every cell by the domain, then every
/// sample by the database (it exists, has reached the laboratory, and what is recorded for it
/// is the same), for sheets of any size. The checked rows and the database's counts, or every
/// problem.
pub async fn check_lab_sheet<'a>(
    store: &minecoop_store::Store,
    rows: &'a [Vec<String>],
    elements: &[minecoop_domain::production::Element],
    default_lab: &str,
) -> Result<
    Result<
        (
            Vec<minecoop_domain::production::assay_import::SheetRow<&'a str>>,
            minecoop_store::production::samples::StagedCheck,
        ),
        LabSheetProblems,
    >,
    StoreError,
> {
    use minecoop_domain::production::assay_import::check_assay_sheet_codes;
    use minecoop_store::production::samples::{RowIssue, SampleKey, SheetResults};
    let sheet = match check_assay_sheet_codes(rows, elements, default_lab, &Default::default()) {
        Ok(sheet) => sheet,
        Err(_) => {
            return Ok(Err(LabSheetProblems::Cells(cell_problems(store, rows, elements, default_lab, None).await?)));
        }
    };
    let staged: Vec<SheetResults<'_>> = sheet
        .iter()
        .map(|r| SheetResults { sample: SampleKey::Code(r.sample), lab: &r.lab, batch: &r.batch, results: &r.results })
        .collect();
    let check = store.check_assay_sheet(&staged).await?;
    drop(staged);
    if check.problems.iter().any(|(_, i)| *i == RowIssue::Unknown) {
        let unknown =
            check.problems.iter().filter(|(_, i)| *i == RowIssue::Unknown).map(|(r, _)| sheet[*r].sample).collect();
        return Ok(Err(LabSheetProblems::Cells(
            cell_problems(store, rows, elements, default_lab, Some(unknown)).await?,
        )));
    }
    if !check.problems.is_empty() {
        return Ok(Err(LabSheetProblems::Recorded(
            check.problems.iter().map(|(r, i)| (sheet[*r].row, i.code())).collect(),
        )));
    }
    Ok(Ok((sheet, check)))
}

/// The laboratory's sheet: checked whole (every problem by row and column), then imported all
/// or nothing.
pub(crate) async fn import(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    sent: crate::upload::Submitted<super::ImportForm>,
) -> AppResult<Response> {
    use minecoop_store::production::samples::{SampleKey, SheetResults};
    v.require(|p| p.can_enter_assays())?;
    let mut page = assay_page(Ctx::new(&v, &uri), &s.config.elements);
    let Some((file, rows)) = page.read_sheet(v.lang, sent.file("file")).await? else {
        return unprocessable(&page);
    };
    let (mut sheet, check) = match check_lab_sheet(&s.store, &rows, &s.config.elements, "").await? {
        Ok(checked) => checked,
        Err(LabSheetProblems::Cells(problems)) => {
            page.show_problems(v.lang, problems);
            return unprocessable(&page);
        }
        Err(LabSheetProblems::Recorded(bad)) => {
            for (row, code) in bad {
                page.problems.push(super::ProblemRow { row, column: "sample".into(), message: v.lang.t(code) });
            }
            return unprocessable(&page);
        }
    };
    page.counts = Some((check.new_results, sheet.len() - check.new_rows));
    if sent.form.action == "import" {
        for r in &mut sheet {
            if r.lab.is_empty() {
                r.lab = minecoop_domain::production::assay_import::UNNAMED_LAB.to_owned();
            }
        }
        let staged: Vec<SheetResults<'_>> = sheet
            .iter()
            .map(|r| SheetResults {
                sample: SampleKey::Code(r.sample),
                lab: &r.lab,
                batch: &r.batch,
                results: &r.results,
            })
            .collect();
        use sha2::Digest;
        let source = format!("import:{}", hex::encode(&sha2::Sha256::digest(&file.bytes)[..8]));
        match s.store.import_assay_sheet(&v.actor(), &staged, &source, &|_| {}).await {
            Ok(counts) => {
                page.counts = Some(counts);
                page.imported = true;
            }
            Err(StoreError::Invalid(_)) | Err(StoreError::Conflict) => {
                page.ctx = page.ctx.with_notice("notice-conflict");
                return crate::registry::conflict(&page);
            }
            Err(e) => return Err(e.into()),
        }
    }
    render(&page)
}
