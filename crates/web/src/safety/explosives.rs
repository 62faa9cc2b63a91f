//! Explosives control in the pages: each mine's magazine ledger with its book balance and the
//! daily count, and the blasters' certificates.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minecoop_domain::auth::Principal;
use minecoop_domain::safety::explosives::{
    CertificateDraft, CertificateInput, EntryDraft, EntryInput, EntryKind, Item, QTY_SCALE, Shift,
};
use minecoop_store::StoreError;
use minecoop_store::registry::Mine;
use minecoop_store::safety::{BlasterCertificate, ExplosiveEntry};
use uuid::Uuid;

use crate::cadastre::{now_local, today};
use crate::error::AppError;
use crate::page::{Ctx, FormState, render};
use crate::registry::{code_options, unprocessable};
use crate::session::Viewer;
use crate::{AppResult, AppState, Opt};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/safety/explosives", get(list))
        .route("/safety/explosives/{mine}", get(ledger).post(record))
        .route("/safety/explosives/{mine}/write-off", post(write_off))
        .route("/safety/blasters", get(blasters).post(add_certificate))
}

/// A quantity in thousandths as its unit shows it.
pub fn qty(milli: &i64) -> String {
    minecoop_domain::units::from_scaled(*milli, QTY_SCALE).normalize().to_string()
}

pub struct MineRow {
    pub mine: Mine,
    pub stock: Vec<(String, String)>,
    pub last_count: Option<chrono::NaiveDate>,
    pub counted_today: bool,
}

#[derive(Template)]
#[template(path = "safety/explosives.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<MineRow>,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let counts = s.store.last_explosives_counts().await?;
    let today = today();
    let mut rows = Vec::new();
    for m in super::incidents::readable_mines(&s, &p).await? {
        if m.status != "operating" {
            continue;
        }
        let book = s.store.explosives_book(m.id).await?;
        let stock = Item::ALL
            .iter()
            .filter(|i| book.stock(**i) != 0)
            .map(|i| (i.as_str().to_owned(), format!("{} {}", qty(&book.stock(*i)), i.unit())))
            .collect();
        let last_count = counts.get(&m.id).copied();
        rows.push(MineRow { counted_today: last_count == Some(today), last_count, stock, mine: m });
    }
    render(&ListPage { ctx: Ctx::new(&v, &uri), rows })
}

async fn readable_mine(s: &AppState, p: &Principal, id: Uuid) -> AppResult<Mine> {
    let m = s.store.mine(id).await?;
    if !p.can_view_safety_of(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    Ok(m)
}

#[derive(Template)]
#[template(path = "safety/explosives_ledger.html")]
struct LedgerPage {
    ctx: Ctx,
    mine: Mine,
    entries: Vec<ExplosiveEntry>,
    stock: Vec<(String, String, String)>,
    held: Vec<(String, String, String)>,
    can_write: bool,
    /// The counts whose difference the viewer may write off now.
    write_offs: Vec<Uuid>,
    /// The write-off that was refused: its count (`entry`) and field errors.
    write_off_form: FormState,
    form: FormState,
    kinds: Vec<Opt>,
    items: Vec<Opt>,
    shifts: Vec<Opt>,
    blasters: Vec<Opt>,
}

impl LedgerPage {
    fn unit(&self, item: &str) -> &'static str {
        Item::parse(item).map(|i| i.unit()).unwrap_or("")
    }
}

async fn ledger_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: Uuid,
    form: FormState,
    write_off_form: FormState,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let mine = readable_mine(s, &p, id).await?;
    let ctx = Ctx::new(v, uri);
    let mut entries = s.store.explosives_ledger(id).await?;
    let book = minecoop_domain::safety::explosives::Book::of(
        &entries.iter().filter_map(ExplosiveEntry::line).collect::<Vec<_>>(),
    );
    let write_offs =
        if p.can_write_off_explosives() { minecoop_store::safety::open_differences(&entries) } else { Vec::new() };
    entries.reverse();
    let stock = Item::ALL.iter().map(|i| (i.as_str().to_owned(), qty(&book.stock(*i)), i.unit().to_owned())).collect();
    let mut held: Vec<(String, String, String)> = book
        .with_blasters
        .iter()
        .filter(|(_, q)| **q != 0)
        .map(|((who, item), q)| (who.clone(), item.as_str().to_owned(), format!("{} {}", qty(q), item.unit())))
        .collect();
    held.sort();
    let form = if form.v("at").is_empty() && !form.has_errors() {
        FormState::new([("at", now_local().format("%Y-%m-%dT%H:%M").to_string()), ("kind", "count".to_owned())])
    } else {
        form
    };
    let kinds: Vec<&str> = EntryKind::ENTERED.iter().map(|k| k.as_str()).collect();
    let items: Vec<&str> = Item::ALL.iter().map(|k| k.as_str()).collect();
    let mut shifts: Vec<&str> = vec![""];
    shifts.extend(Shift::ALL.iter().map(|k| k.as_str()));
    let mut blasters = vec![Opt { value: String::new(), label: "—".into(), selected: form.v("blaster").is_empty() }];
    for (u, expiring) in s.store.valid_blasters(today(), 30).await? {
        let label = if expiring { format!("{u} ⚠") } else { u.clone() };
        blasters.push(Opt { selected: form.v("blaster") == u, value: u, label });
    }
    let page = LedgerPage {
        kinds: code_options(ctx.lang, "explosives-kind", &kinds, form.v("kind")),
        items: code_options(ctx.lang, "explosives-item", &items, form.v("item")),
        shifts: code_options(ctx.lang, "shift", &shifts, form.v("shift")),
        can_write: p.can_report_incident(mine.id, mine.member_id),
        write_offs,
        write_off_form,
        ctx,
        mine,
        entries,
        stock,
        held,
        form,
        blasters,
    };
    if page.form.has_errors() || page.write_off_form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn ledger(State(s): State<AppState>, v: Viewer, uri: Uri, Path(id): Path<Uuid>) -> AppResult<Response> {
    ledger_page(&s, &v, &uri, id, FormState::default(), FormState::default()).await
}

async fn record(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(i): Form<EntryInput>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let m = readable_mine(&s, &p, id).await?;
    if !p.can_report_incident(m.id, m.member_id) {
        return Err(AppError::Forbidden);
    }
    let r = match EntryDraft::parse(&i, now_local()) {
        Ok(d) => s.store.record_explosives(&v.actor(), id, &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match r {
        // A difference goes straight to the security incident it opened.
        Ok(done) => Ok(match done.incident {
            Some(inc) => Redirect::to(&format!("/safety/incidents/{}", inc.incident_id)).into_response(),
            None => Redirect::to(&format!("/safety/explosives/{id}")).into_response(),
        }),
        Err(StoreError::Invalid(e)) => {
            ledger_page(&s, &v, &uri, id, FormState::of(&i).with_errors(v.lang, &e), FormState::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct WriteOffForm {
    #[serde(default)]
    entry: String,
    #[serde(default)]
    reason: String,
}

/// The co-op writes off a count's difference after looking into it; the reason is required.
async fn write_off(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<Uuid>,
    Form(f): Form<WriteOffForm>,
) -> AppResult<Response> {
    let p = v.principal()?.clone();
    readable_mine(&s, &p, id).await?;
    v.require(|p| p.can_write_off_explosives())?;
    let r = match (minecoop_domain::safety::explosives::write_off_reason(&f.reason), f.entry.parse::<Uuid>()) {
        (Ok(reason), Ok(entry)) => s.store.write_off_explosives(&v.actor(), id, entry, &reason).await,
        (Err(e), _) => Err(StoreError::Invalid(e)),
        (_, Err(_)) => Err(StoreError::field("entry", "err-choice")),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/safety/explosives/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let form =
                FormState::new([("entry", f.entry.clone()), ("reason", f.reason.clone())]).with_errors(v.lang, &e);
            ledger_page(&s, &v, &uri, id, FormState::default(), form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "safety/blasters.html")]
struct BlastersPage {
    ctx: Ctx,
    certificates: Vec<(BlasterCertificate, bool)>,
    can_manage: bool,
    form: FormState,
}

async fn blasters_page(s: &AppState, v: &Viewer, uri: &Uri, form: FormState) -> AppResult<Response> {
    let p = v.principal()?.clone();
    let today = today();
    let certificates = s
        .store
        .blaster_certificates()
        .await?
        .into_iter()
        .map(|c| {
            let valid = minecoop_domain::safety::explosives::certificate_valid(c.valid_from, c.valid_to, today);
            (c, valid)
        })
        .collect();
    let page =
        BlastersPage { ctx: Ctx::new(v, uri), certificates, can_manage: p.can_manage_blaster_certificates(), form };
    if page.form.has_errors() { unprocessable(&page) } else { render(&page) }
}

async fn blasters(State(s): State<AppState>, v: Viewer, uri: Uri) -> AppResult<Response> {
    blasters_page(&s, &v, &uri, FormState::default()).await
}

async fn add_certificate(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Form(i): Form<CertificateInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_blaster_certificates())?;
    let r = match CertificateDraft::parse(&i) {
        Ok(d) => s.store.add_blaster_certificate(&v.actor(), &d).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match r {
        Ok(_) => Ok(Redirect::to("/safety/blasters").into_response()),
        Err(StoreError::Invalid(e)) => blasters_page(&s, &v, &uri, FormState::of(&i).with_errors(v.lang, &e)).await,
        Err(e) => Err(e.into()),
    }
}
