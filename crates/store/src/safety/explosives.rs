//! The magazine ledger of each mine and the blasters' certificates. A physical count that does
//! not match the book opens a security incident in the same transaction.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use minecoop_domain::safety::explosives::{
    Book, CertificateDraft, EntryDraft, EntryKind, Item, Line, certificate_valid, same_open_difference,
};
use minecoop_domain::safety::incident::{IncidentDraft, IncidentKind, Occurrence};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{blaster_certificate, explosive_entry, insert_incident};
use crate::{Actor, Store, StoreError, StoreResult, new_id};

pub use blaster_certificate::Model as BlasterCertificate;
pub use explosive_entry::Model as ExplosiveEntry;

impl ExplosiveEntry {
    pub fn line(&self) -> Option<Line> {
        Some(Line {
            kind: EntryKind::parse(&self.kind).ok()?,
            item: Item::parse(&self.item).ok()?,
            qty_milli: self.qty_milli,
            blaster: self.blaster.clone(),
        })
    }
}

/// What recording a ledger line did: the line, and the security incident a count's difference
/// opened.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub entry: ExplosiveEntry,
    pub incident: Option<super::Incident>,
}

async fn lines_of<C: sea_orm::ConnectionTrait>(c: &C, mine_id: Uuid) -> StoreResult<Vec<ExplosiveEntry>> {
    Ok(explosive_entry::Entity::find()
        .filter(explosive_entry::Column::MineId.eq(mine_id))
        .order_by_asc(explosive_entry::Column::At)
        .order_by_asc(explosive_entry::Column::CreatedAt)
        .order_by_asc(explosive_entry::Column::Id)
        .all(c)
        .await?)
}

fn book_of(entries: &[ExplosiveEntry]) -> Book {
    Book::of(&entries.iter().filter_map(ExplosiveEntry::line).collect::<Vec<_>>())
}

/// Whether the difference a security incident records has been written off.
fn written_off(entries: &[ExplosiveEntry], incident_id: Uuid) -> bool {
    entries.iter().any(|e| e.kind == EntryKind::Adjustment.as_str() && e.incident_id == Some(incident_id))
}

/// The counts whose difference can still be written off: the latest count of each item, with
/// a difference, not yet written off.
pub fn open_differences(entries: &[ExplosiveEntry]) -> Vec<Uuid> {
    let mut out = Vec::new();
    for item in Item::ALL {
        let latest = entries.iter().rev().find(|e| e.kind == EntryKind::Count.as_str() && e.item == item.as_str());
        if let Some(e) = latest
            && e.difference_milli.is_some_and(|d| d != 0)
            && e.incident_id.is_some_and(|i| !written_off(entries, i))
        {
            out.push(e.id);
        }
    }
    out
}

impl Store {
    /// Record a line of a mine's magazine ledger, checked against the book: no issue beyond the
    /// stock, no return or use beyond what the blaster holds, issues only to a holder of a valid
    /// blaster's certificate. A count that differs from the book opens a security incident
    /// (an explosives difference) at once.
    pub async fn record_explosives(&self, actor: &Actor, mine_id: Uuid, d: &EntryDraft) -> StoreResult<Recorded> {
        let mut tx = self.begin(actor).await?;
        let mine =
            crate::registry::mine::Entity::find_by_id(mine_id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if d.kind == EntryKind::Issue {
            let who = d.blaster.as_deref().unwrap_or("");
            let certs = blaster_certificate::Entity::find()
                .filter(blaster_certificate::Column::Username.eq(who))
                .all(tx.conn())
                .await?;
            let day = d.at.date();
            if !certs.iter().any(|c| certificate_valid(c.valid_from, c.valid_to, day)) {
                return Err(StoreError::field("blaster", "err-no-blaster-certificate"));
            }
        }
        let entries = lines_of(tx.conn(), mine_id).await?;
        let book = book_of(&entries);
        if let Err((field, code)) = book.check(d) {
            return Err(StoreError::field(field, code));
        }
        let (book_milli, difference) = match d.kind {
            EntryKind::Count => (Some(book.stock(d.item)), Some(book.difference(d.item, d.qty_milli))),
            _ => (None, None),
        };
        // The same shortfall counted again, not yet written off, is the case already open.
        let previous = entries.iter().rev().find(|e| e.kind == EntryKind::Count.as_str() && e.item == d.item.as_str());
        let previous_case = previous.and_then(|p| {
            let written_off = p.incident_id.is_some_and(|i| written_off(&entries, i));
            same_open_difference(p.difference_milli.map(|x| (x, written_off)), difference.unwrap_or(0))
                .then_some(p.incident_id)
                .flatten()
        });
        let incident = match difference {
            Some(_) if previous_case.is_some() => None,
            Some(diff) if diff != 0 => {
                let (location, text) = minecoop_domain::safety::explosives::difference_case(
                    d.item,
                    &mine.name_zh,
                    &mine.name_en,
                    d.qty_milli,
                    book.stock(d.item),
                );
                let draft = IncidentDraft {
                    mine_id,
                    kind: IncidentKind::Security,
                    occurrence: Some(Occurrence::ExplosivesDifference),
                    occurred_at: d.at,
                    unit_head_notified_at: d.at,
                    location,
                    description: text,
                    deaths: 0,
                    serious_injuries: 0,
                    minor_injuries: 0,
                    loss_fen: 0,
                    reported_at: None,
                    reported_to: None,
                    reported_how: None,
                    extension_days: None,
                    extension_reason: None,
                    investigation_report_at: None,
                    reason: None,
                };
                let inc = insert_incident(&mut tx, &draft).await?;
                // The president and the mine's people hear of it at once.
                let alert = crate::alerts::Alert {
                    kind: minecoop_domain::alerts::AlertKind::ExplosivesDifference,
                    mine_id,
                    message: "alert-explosives-difference".into(),
                    args: vec![
                        ("item".into(), d.item.as_str().to_owned()),
                        ("difference".into(), minecoop_domain::safety::explosives::quantity(d.item, diff).1),
                    ],
                    link: format!("/safety/incidents/{}", inc.incident_id),
                    also: Vec::new(),
                };
                crate::alerts::raise_alert(&mut tx, &alert).await?;
                Some(inc)
            }
            _ => None,
        };
        let m = explosive_entry::ActiveModel {
            id: Set(new_id()),
            mine_id: Set(mine_id),
            kind: Set(d.kind.as_str().to_owned()),
            item: Set(d.item.as_str().to_owned()),
            qty_milli: Set(d.qty_milli),
            at: Set(d.at),
            permit_no: Set(d.permit_no.clone()),
            blaster: Set(d.blaster.clone()),
            shift: Set(d.shift.map(|s| s.as_str().to_owned())),
            blast_location: Set(d.blast_location.clone()),
            note: Set(d.note.clone()),
            book_milli: Set(book_milli),
            difference_milli: Set(difference),
            incident_id: Set(incident.as_ref().map(|i| i.incident_id).or(previous_case)),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "explosive_entry", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(Recorded { entry: m, incident })
    }

    /// Write off a count's difference once the co-op has looked into it: a new line (never an
    /// edit) brings the book to what was counted, as of that count, names the security incident
    /// and carries the reason. Later counts then balance again. A difference is written off once.
    pub async fn write_off_explosives(
        &self,
        actor: &Actor,
        mine_id: Uuid,
        count_id: Uuid,
        reason: &str,
    ) -> StoreResult<ExplosiveEntry> {
        let mut tx = self.begin(actor).await?;
        let count = explosive_entry::Entity::find_by_id(count_id)
            .one(tx.conn())
            .await?
            .filter(|e| e.mine_id == mine_id)
            .ok_or_else(|| StoreError::field("entry", "err-choice"))?;
        let (Some(difference), Some(incident_id)) = (count.difference_milli.filter(|d| *d != 0), count.incident_id)
        else {
            return Err(StoreError::field("entry", "err-no-difference"));
        };
        let entries = lines_of(tx.conn(), mine_id).await?;
        if written_off(&entries, incident_id) {
            return Err(StoreError::field("entry", "err-already-written-off"));
        }
        // Only the latest count of the item can be written off: an older one was counted again.
        let latest = entries.iter().rev().find(|e| e.kind == EntryKind::Count.as_str() && e.item == count.item);
        if latest.map(|e| e.id) != Some(count.id) {
            return Err(StoreError::field("entry", "err-not-latest-count"));
        }
        let m = explosive_entry::ActiveModel {
            id: Set(new_id()),
            mine_id: Set(mine_id),
            kind: Set(EntryKind::Adjustment.as_str().to_owned()),
            item: Set(count.item.clone()),
            qty_milli: Set(difference),
            at: Set(count.at),
            permit_no: Set(None),
            blaster: Set(None),
            shift: Set(None),
            blast_location: Set(None),
            note: Set(Some(reason.to_owned())),
            book_milli: Set(None),
            difference_milli: Set(None),
            incident_id: Set(Some(incident_id)),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("write_off", "explosive_entry", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// A mine's ledger, in the order it happened.
    pub async fn explosives_ledger(&self, mine_id: Uuid) -> StoreResult<Vec<ExplosiveEntry>> {
        lines_of(self.conn(), mine_id).await
    }

    /// The book of a mine: the magazine's stock and what each blaster holds.
    pub async fn explosives_book(&self, mine_id: Uuid) -> StoreResult<Book> {
        Ok(book_of(&lines_of(self.conn(), mine_id).await?))
    }

    /// The day of each mine's last physical count (for "no count today" warnings).
    pub async fn last_explosives_counts(&self) -> StoreResult<HashMap<Uuid, NaiveDate>> {
        let counts = explosive_entry::Entity::find()
            .filter(explosive_entry::Column::Kind.eq(EntryKind::Count.as_str()))
            .all(self.conn())
            .await?;
        let mut last: HashMap<Uuid, NaiveDate> = HashMap::new();
        for c in counts {
            let day = c.at.date();
            let e = last.entry(c.mine_id).or_insert(day);
            if day > *e {
                *e = day;
            }
        }
        Ok(last)
    }

    pub async fn add_blaster_certificate(
        &self,
        actor: &Actor,
        d: &CertificateDraft,
    ) -> StoreResult<BlasterCertificate> {
        let mut tx = self.begin(actor).await?;
        let user = crate::accounts::user::Entity::find()
            .filter(crate::accounts::user::Column::Username.eq(d.username.as_str()))
            .one(tx.conn())
            .await?;
        if user.is_none() {
            return Err(StoreError::field("username", "err-choice"));
        }
        let m = blaster_certificate::ActiveModel {
            id: Set(new_id()),
            username: Set(d.username.clone()),
            number: Set(d.number.clone()),
            issued_by: Set(d.issued_by.clone()),
            valid_from: Set(d.valid_from),
            valid_to: Set(d.valid_to),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "blaster_certificate", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Every certificate, the latest to expire first.
    pub async fn blaster_certificates(&self) -> StoreResult<Vec<BlasterCertificate>> {
        Ok(blaster_certificate::Entity::find()
            .order_by_desc(blaster_certificate::Column::ValidTo)
            .order_by_asc(blaster_certificate::Column::Username)
            .all(self.conn())
            .await?)
    }

    /// The users holding a certificate valid on `day` (and those expiring within `warn_days`).
    pub async fn valid_blasters(&self, day: NaiveDate, warn_days: i64) -> StoreResult<Vec<(String, bool)>> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for c in self.blaster_certificates().await? {
            if certificate_valid(c.valid_from, c.valid_to, day) && !out.iter().any(|(u, _)| *u == c.username) {
                out.push((c.username.clone(), c.valid_to <= day + Duration::days(warn_days)));
            }
        }
        out.sort();
        Ok(out)
    }
}
