//! Explosives control over the API: a mine's book and ledger, a new ledger line (a count that
//! differs from the book answers with the security incident it opened), and the blasters'
//! certificates; the pages' rules.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Json, Router, routing::get};
use minecoop_domain::safety::explosives::{CertificateDraft, CertificateInput, EntryDraft, EntryInput, Item};
use minecoop_store::safety::ExplosiveEntry;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ProblemDoc, created};
use crate::cadastre::now_local;
use crate::error::AppError;
use crate::safety::explosives::qty;
use crate::session::Viewer;
use crate::{AppResult, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/explosives/{mine}", get(get_magazine).post(record_entry))
        .route("/api/v1/explosives/{mine}/write-offs", axum::routing::post(write_off))
        .route("/api/v1/blasters", get(list_certificates).post(add_certificate))
}

/// A ledger line; quantities in the item's unit; a count carries the book it was set against,
/// the difference and the security incident the difference opened.
#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    id: Uuid,
    kind: String,
    item: String,
    quantity: String,
    unit: String,
    at: String,
    permit_no: Option<String>,
    blaster: Option<String>,
    shift: Option<String>,
    blast_location: Option<String>,
    note: Option<String>,
    book: Option<String>,
    difference: Option<String>,
    incident_id: Option<Uuid>,
    recorded_by: String,
}

fn entry_out(e: ExplosiveEntry) -> EntryOut {
    EntryOut {
        unit: Item::parse(&e.item).map(|i| i.unit()).unwrap_or("").into(),
        quantity: qty(&e.qty_milli),
        at: e.at.format("%Y-%m-%dT%H:%M").to_string(),
        book: e.book_milli.as_ref().map(qty),
        difference: e.difference_milli.as_ref().map(qty),
        id: e.id,
        kind: e.kind,
        item: e.item,
        permit_no: e.permit_no,
        blaster: e.blaster,
        shift: e.shift,
        blast_location: e.blast_location,
        note: e.note,
        incident_id: e.incident_id,
        recorded_by: e.created_by,
    }
}

/// What the magazine holds by the book, what each blaster holds, and the ledger.
#[derive(Serialize, ToSchema)]
pub struct MagazineOut {
    mine_id: Uuid,
    stock: Vec<StockOut>,
    with_blasters: Vec<HeldOut>,
    ledger: Vec<EntryOut>,
}

#[derive(Serialize, ToSchema)]
pub struct StockOut {
    item: String,
    quantity: String,
    unit: String,
}

#[derive(Serialize, ToSchema)]
pub struct HeldOut {
    blaster: String,
    item: String,
    quantity: String,
}

async fn mine_for(s: &AppState, v: &Viewer, id: Uuid, write: bool) -> AppResult<()> {
    let p = v.principal()?.clone();
    let m = s.store.mine(id).await?;
    let ok = if write { p.can_report_incident(m.id, m.member_id) } else { p.can_view_safety_of(m.id, m.member_id) };
    if !ok {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/explosives/{mine}", tag = "safety", params(("mine" = Uuid, Path)),
    responses((status = 200, body = MagazineOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc)))]
pub async fn get_magazine(State(s): State<AppState>, v: Viewer, Path(id): Path<Uuid>) -> AppResult<Json<MagazineOut>> {
    mine_for(&s, &v, id, false).await?;
    let ledger = s.store.explosives_ledger(id).await?;
    let book = minecoop_domain::safety::explosives::Book::of(
        &ledger.iter().filter_map(ExplosiveEntry::line).collect::<Vec<_>>(),
    );
    let mut with_blasters: Vec<HeldOut> = book
        .with_blasters
        .iter()
        .filter(|(_, q)| **q != 0)
        .map(|((who, item), q)| HeldOut { blaster: who.clone(), item: item.as_str().into(), quantity: qty(q) })
        .collect();
    with_blasters.sort_by(|a, b| (&a.blaster, &a.item).cmp(&(&b.blaster, &b.item)));
    Ok(Json(MagazineOut {
        mine_id: id,
        stock: Item::ALL
            .iter()
            .map(|i| StockOut { item: i.as_str().into(), quantity: qty(&book.stock(*i)), unit: i.unit().into() })
            .collect(),
        with_blasters,
        ledger: ledger.into_iter().map(entry_out).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/explosives/{mine}", tag = "safety", params(("mine" = Uuid, Path)),
    request_body = EntryInput,
    responses((status = 201, body = EntryOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn record_entry(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<EntryInput>,
) -> AppResult<Response> {
    mine_for(&s, &v, id, true).await?;
    let d = EntryDraft::parse(&i, now_local()).map_err(AppError::Invalid)?;
    Ok(created(entry_out(s.store.record_explosives(&v.actor(), id, &d).await?.entry)))
}

/// The count whose difference is written off, and why.
#[derive(Debug, Default, serde::Deserialize, ToSchema)]
#[serde(default)]
pub struct WriteOffIn {
    /// The id of the count line that found the difference (the latest count of the item).
    entry_id: String,
    reason: String,
}

/// The co-op (president or administrator) writes off a count's difference once it has been
/// looked into: a new ledger line brings the book to the count and names the security incident.
#[utoipa::path(post, path = "/api/v1/explosives/{mine}/write-offs", tag = "safety", params(("mine" = Uuid, Path)),
    request_body = WriteOffIn,
    responses((status = 201, body = EntryOut), (status = 403, body = ProblemDoc), (status = 404, body = ProblemDoc),
               (status = 422, body = ProblemDoc)))]
pub async fn write_off(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<Uuid>,
    Json(i): Json<WriteOffIn>,
) -> AppResult<Response> {
    mine_for(&s, &v, id, false).await?;
    v.require(|p| p.can_write_off_explosives())?;
    let reason = minecoop_domain::safety::explosives::write_off_reason(&i.reason);
    let entry = i.entry_id.trim().parse::<Uuid>();
    let (reason, entry) = match (reason, entry) {
        (Ok(r), Ok(e)) => (r, e),
        (r, e) => {
            let mut errors = r.err().unwrap_or_default();
            if e.is_err() {
                errors.add("entry_id", "err-choice");
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let m = s.store.write_off_explosives(&v.actor(), id, entry, &reason).await.map_err(|e| match e {
        minecoop_store::StoreError::Invalid(mut f) => {
            for x in &mut f.0 {
                if x.field == "entry" {
                    x.field = "entry_id".into();
                }
            }
            AppError::from(minecoop_store::StoreError::Invalid(f))
        }
        e => e.into(),
    })?;
    Ok(created(entry_out(m)))
}

#[derive(Serialize, ToSchema)]
pub struct CertificateOut {
    username: String,
    number: String,
    issued_by: String,
    valid_from: String,
    valid_to: String,
}

#[utoipa::path(get, path = "/api/v1/blasters", tag = "safety",
    responses((status = 200, body = Vec<CertificateOut>), (status = 401, body = ProblemDoc)))]
pub async fn list_certificates(State(s): State<AppState>, v: Viewer) -> AppResult<Json<Vec<CertificateOut>>> {
    v.principal()?;
    Ok(Json(
        s.store
            .blaster_certificates()
            .await?
            .into_iter()
            .map(|c| CertificateOut {
                username: c.username,
                number: c.number,
                issued_by: c.issued_by,
                valid_from: c.valid_from.to_string(),
                valid_to: c.valid_to.to_string(),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/blasters", tag = "safety", request_body = CertificateInput,
    responses((status = 201, body = CertificateOut), (status = 403, body = ProblemDoc), (status = 422, body = ProblemDoc)))]
pub async fn add_certificate(
    State(s): State<AppState>,
    v: Viewer,
    Json(i): Json<CertificateInput>,
) -> AppResult<Response> {
    v.require(|p| p.can_manage_blaster_certificates())?;
    let d = CertificateDraft::parse(&i).map_err(AppError::Invalid)?;
    let c = s.store.add_blaster_certificate(&v.actor(), &d).await?;
    Ok(created(CertificateOut {
        username: c.username,
        number: c.number,
        issued_by: c.issued_by,
        valid_from: c.valid_from.to_string(),
        valid_to: c.valid_to.to_string(),
    }))
}
