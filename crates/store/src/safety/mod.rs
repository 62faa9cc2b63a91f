//! Safety: incidents (corrected by new versions, never changed in place), their investigations
//! and the corrective actions raised on them (here); checklist templates, inspections, findings
//! and the hazard register (in `inspections`).

pub mod action;
pub mod action_event;
pub mod answer;
pub mod blaster_certificate;
pub mod demo;
pub mod explosive_entry;
mod explosives;
pub mod finding;
pub mod hazard;
pub mod incident;
pub mod inspection;
mod inspections;
pub mod investigation;
pub mod investigation_entry;
pub mod schedule;
pub mod template;

use chrono::{Datelike, NaiveDate};
use minecoop_domain::FieldErrors;
use minecoop_domain::safety::action::{
    ActionDraft, ActionKind, ActionSource, ActionStatus, Escalation, check_order, check_verifier, escalation,
};
use minecoop_domain::safety::incident::{IncidentDraft, IncidentKind, Occurrence, ReportMeans};
use minecoop_domain::safety::investigation::{EntryDraft, EntryKind, TeamDraft, check_close, check_sign_off};
use minecoop_domain::safety::{AccidentClass, Investigator};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, Tx, conflict_on_duplicate, new_id};

pub use action::Model as Action;
pub use action_event::Model as ActionEvent;
pub use explosives::*;
pub use incident::Model as Incident;
pub use inspections::*;
pub use investigation::Model as Investigation;
pub use investigation_entry::Model as InvestigationEntry;

impl Incident {
    /// The version's figures as the domain checks them (the reason is this version's own).
    pub fn draft(&self) -> IncidentDraft {
        IncidentDraft {
            mine_id: self.mine_id,
            kind: IncidentKind::parse(&self.kind).unwrap_or(IncidentKind::NearMiss),
            occurrence: self.occurrence.as_deref().and_then(|o| Occurrence::parse(o).ok()),
            occurred_at: self.occurred_at,
            unit_head_notified_at: self.unit_head_notified_at,
            location: self.location.clone(),
            description: self.description.clone(),
            deaths: self.deaths.max(0) as u32,
            serious_injuries: self.serious_injuries.max(0) as u32,
            minor_injuries: self.minor_injuries.max(0) as u32,
            loss_fen: self.loss_fen,
            reported_at: self.reported_at,
            reported_to: self.reported_to.clone(),
            reported_how: self.reported_how.as_deref().and_then(|h| ReportMeans::parse(h).ok()),
            extension_days: self.extension_days.map(i64::from),
            extension_reason: self.extension_reason.clone(),
            investigation_report_at: self.investigation_report_at,
            reason: self.reason.clone(),
        }
    }

    pub fn class(&self) -> AccidentClass {
        AccidentClass::parse(&self.class).unwrap_or(AccidentClass::General)
    }

    pub fn investigated_by(&self) -> Investigator {
        self.class().investigated_by()
    }
}

impl Action {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Open)
    }

    pub fn escalation(&self, today: NaiveDate) -> Escalation {
        escalation(self.status(), self.due_on, today)
    }
}

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Only these mines (`None`: every mine).
    pub mines: Option<Vec<Uuid>>,
    /// Only actions not yet closed.
    pub open_only: bool,
    /// Only actions owned by this user.
    pub owner: Option<String>,
}

fn incident_model(d: &IncidentDraft, incident_id: Uuid, version: i32, code: &str, tx: &Tx) -> incident::ActiveModel {
    incident::ActiveModel {
        id: Set(new_id()),
        incident_id: Set(incident_id),
        version: Set(version),
        code: Set(code.to_owned()),
        mine_id: Set(d.mine_id),
        kind: Set(d.kind.as_str().to_owned()),
        occurrence: Set(d.occurrence.map(|o| o.as_str().to_owned())),
        occurred_at: Set(d.occurred_at),
        unit_head_notified_at: Set(d.unit_head_notified_at),
        location: Set(d.location.clone()),
        description: Set(d.description.clone()),
        deaths: Set(i32::try_from(d.deaths).unwrap_or(i32::MAX)),
        serious_injuries: Set(i32::try_from(d.serious_injuries).unwrap_or(i32::MAX)),
        minor_injuries: Set(i32::try_from(d.minor_injuries).unwrap_or(i32::MAX)),
        loss_fen: Set(d.loss_fen),
        class: Set(d.class().as_str().to_owned()),
        reported_at: Set(d.reported_at),
        reported_to: Set(d.reported_to.clone()),
        reported_how: Set(d.reported_how.map(|h| h.as_str().to_owned())),
        extension_days: Set(d.extension_days.and_then(|x| i32::try_from(x).ok())),
        extension_reason: Set(d.extension_reason.clone()),
        investigation_report_at: Set(d.investigation_report_at),
        reason: Set(d.reason.clone()),
        closed_at: Set(None),
        created_at: Set(tx.now()),
        created_by: Set(tx.actor().name.clone()),
    }
}

/// The next number of a yearly series of codes (`INC-2026-0003`).
fn next_code(prefix: &str, year: i32, taken: u64) -> String {
    format!("{prefix}-{year}-{:04}", taken + 1)
}

pub(crate) async fn current_incident<C: sea_orm::ConnectionTrait>(c: &C, incident_id: Uuid) -> StoreResult<Incident> {
    incident::Entity::find()
        .filter(incident::Column::IncidentId.eq(incident_id))
        .order_by_desc(incident::Column::Version)
        .one(c)
        .await?
        .ok_or(StoreError::NotFound)
}

/// An incident's investigation, if started.
async fn investigation_of<C: sea_orm::ConnectionTrait>(c: &C, incident_id: Uuid) -> StoreResult<Option<Investigation>> {
    Ok(investigation::Entity::find().filter(investigation::Column::IncidentId.eq(incident_id)).one(c).await?)
}

/// The record of an incident's investigation, oldest entry first.
async fn entries_of<C: sea_orm::ConnectionTrait>(c: &C, incident_id: Uuid) -> StoreResult<Vec<InvestigationEntry>> {
    Ok(investigation_entry::Entity::find()
        .filter(investigation_entry::Column::IncidentId.eq(incident_id))
        .order_by_asc(investigation_entry::Column::CreatedAt)
        .order_by_asc(investigation_entry::Column::Id)
        .all(c)
        .await?)
}

/// The latest version of each incident among `rows` (any order in, newest occurrence first out).
fn latest_versions(rows: Vec<Incident>) -> Vec<Incident> {
    let mut latest: std::collections::HashMap<Uuid, Incident> = std::collections::HashMap::new();
    for r in rows {
        match latest.get(&r.incident_id) {
            Some(c) if c.version >= r.version => {}
            _ => {
                latest.insert(r.incident_id, r);
            }
        }
    }
    let mut v: Vec<Incident> = latest.into_values().collect();
    v.sort_by(|a, b| b.occurred_at.cmp(&a.occurred_at).then(b.code.cmp(&a.code)));
    v
}

impl Store {
    /// Record a new incident (version 1) with its class as the figures give it.
    pub async fn record_incident(&self, actor: &Actor, d: &IncidentDraft) -> StoreResult<Incident> {
        let mut tx = self.begin(actor).await?;
        let m = insert_incident(&mut tx, d).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Correct an incident that is still at `expected_version`: a new version with its reason,
    /// the class recomputed from the new figures. The mine and the granted extension stay.
    pub async fn correct_incident(
        &self,
        actor: &Actor,
        incident_id: Uuid,
        expected_version: i32,
        d: &IncidentDraft,
    ) -> StoreResult<Incident> {
        let mut tx = self.begin(actor).await?;
        let current = current_incident(tx.conn(), incident_id).await?;
        if current.version != expected_version {
            return Err(StoreError::Conflict);
        }
        if current.closed_at.is_some() {
            return Err(StoreError::field("reason", "err-incident-closed"));
        }
        let mut e = match d.check_change(&current.draft()) {
            Ok(()) => FieldErrors::new(),
            Err(e) => e,
        };
        if d.mine_id != current.mine_id {
            e.add("mine_id", "err-incident-mine-fixed");
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let m = incident_model(d, incident_id, current.version + 1, &current.code, &tx)
            .insert(tx.conn())
            .await
            .map_err(conflict_on_duplicate)?;
        tx.record("new_version", "incident", incident_id, Some(&current), Some(&m));
        alert_incident(&mut tx, Some(current.class()), &m).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The current version of an incident.
    pub async fn incident(&self, incident_id: Uuid) -> StoreResult<Incident> {
        current_incident(self.conn(), incident_id).await
    }

    /// Every version of an incident, oldest first.
    pub async fn incident_versions(&self, incident_id: Uuid) -> StoreResult<Vec<Incident>> {
        Ok(incident::Entity::find()
            .filter(incident::Column::IncidentId.eq(incident_id))
            .order_by_asc(incident::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// The current version of every incident of the given mines (`None`: all), newest first.
    pub async fn incidents(&self, mines: Option<&[Uuid]>) -> StoreResult<Vec<Incident>> {
        let mut q = incident::Entity::find();
        if let Some(m) = mines {
            q = q.filter(incident::Column::MineId.is_in(m.iter().copied()));
        }
        Ok(latest_versions(q.all(self.conn()).await?))
    }

    /// Start the investigation of an incident with its team, or change the team of one not yet
    /// signed off.
    pub async fn set_investigation_team(
        &self,
        actor: &Actor,
        incident_id: Uuid,
        t: &TeamDraft,
    ) -> StoreResult<Investigation> {
        let mut tx = self.begin(actor).await?;
        current_incident(tx.conn(), incident_id).await?;
        let team = serde_json::to_string(&t.team).unwrap_or_else(|_| "[]".into());
        let existing = investigation_of(tx.conn(), incident_id).await?;
        let m = match existing {
            Some(before) => {
                if before.signed_off_at.is_some() {
                    return Err(StoreError::field("lead", "err-signed-off"));
                }
                let mut a: investigation::ActiveModel = before.clone().into();
                a.lead = Set(t.lead.clone());
                a.team = Set(team);
                let after = a.update(tx.conn()).await?;
                tx.record("update", "investigation", after.id, Some(&before), Some(&after));
                after
            }
            None => {
                let m = investigation::ActiveModel {
                    id: Set(new_id()),
                    incident_id: Set(incident_id),
                    lead: Set(t.lead.clone()),
                    team: Set(team),
                    signed_off_by: Set(None),
                    signed_off_at: Set(None),
                    created_at: Set(tx.now()),
                    created_by: Set(tx.actor().name.clone()),
                }
                .insert(tx.conn())
                .await
                .map_err(conflict_on_duplicate)?;
                tx.record("create", "investigation", m.id, None::<&()>, Some(&m));
                m
            }
        };
        tx.commit().await?;
        Ok(m)
    }

    /// An incident's investigation and its record, oldest entry first (`None`: not started).
    pub async fn investigation(
        &self,
        incident_id: Uuid,
    ) -> StoreResult<Option<(Investigation, Vec<InvestigationEntry>)>> {
        let Some(i) = investigation_of(self.conn(), incident_id).await? else {
            return Ok(None);
        };
        let entries = entries_of(self.conn(), incident_id).await?;
        Ok(Some((i, entries)))
    }

    /// Add to the record of an investigation that is started and not signed off.
    pub async fn add_investigation_entry(
        &self,
        actor: &Actor,
        incident_id: Uuid,
        d: &EntryDraft,
    ) -> StoreResult<InvestigationEntry> {
        let mut tx = self.begin(actor).await?;
        let inv = investigation_of(tx.conn(), incident_id)
            .await?
            .ok_or_else(|| StoreError::field("text", "err-investigation-not-started"))?;
        if inv.signed_off_at.is_some() {
            return Err(StoreError::field("text", "err-signed-off"));
        }
        let m = investigation_entry::ActiveModel {
            id: Set(new_id()),
            incident_id: Set(incident_id),
            kind: Set(d.kind.as_str().to_owned()),
            category: Set(d.category.map(|c| c.as_str().to_owned())),
            at: Set(d.at),
            text: Set(d.text.clone()),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "investigation_entry", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Sign the investigation's report off: once, and only when it names a root cause and a
    /// finding.
    pub async fn sign_off_investigation(&self, actor: &Actor, incident_id: Uuid) -> StoreResult<Investigation> {
        let mut tx = self.begin(actor).await?;
        let before = investigation_of(tx.conn(), incident_id)
            .await?
            .ok_or_else(|| StoreError::field("sign_off", "err-investigation-not-started"))?;
        let entries = entries_of(tx.conn(), incident_id).await?;
        let count = |k: EntryKind| entries.iter().filter(|e| e.kind == k.as_str()).count();
        check_sign_off(count(EntryKind::RootCause), count(EntryKind::Finding), before.signed_off_at.is_some())
            .map_err(|code| StoreError::field("sign_off", code))?;
        let mut a: investigation::ActiveModel = before.clone().into();
        a.signed_off_by = Set(Some(tx.actor().name.clone()));
        a.signed_off_at = Set(Some(tx.now()));
        let after = a.update(tx.conn()).await?;
        tx.record("update", "investigation", after.id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Close an incident still at `expected_version`: a new version marked closed, when its
    /// actions are closed and, for an accident the law asks to report, its investigation is
    /// signed off.
    pub async fn close_incident(
        &self,
        actor: &Actor,
        incident_id: Uuid,
        expected_version: i32,
    ) -> StoreResult<Incident> {
        let mut tx = self.begin(actor).await?;
        let current = current_incident(tx.conn(), incident_id).await?;
        if current.version != expected_version {
            return Err(StoreError::Conflict);
        }
        if current.closed_at.is_some() {
            return Err(StoreError::field("close", "err-incident-closed"));
        }
        let d = current.draft();
        let needs = d.is_accident();
        let signed = investigation_of(tx.conn(), incident_id).await?.is_some_and(|i| i.signed_off_at.is_some());
        let open = action::Entity::find()
            .filter(action::Column::SourceKind.eq(ActionSource::Incident.as_str()))
            .filter(action::Column::SourceId.eq(incident_id))
            .filter(action::Column::Status.ne(ActionStatus::Closed.as_str()))
            .count(tx.conn())
            .await?;
        check_close(needs, signed, open as usize).map_err(|code| StoreError::field("close", code))?;
        let closing = IncidentDraft { reason: Some("closed".into()), ..d };
        let mut m = incident_model(&closing, incident_id, current.version + 1, &current.code, &tx);
        m.closed_at = Set(Some(tx.now()));
        let m = m.insert(tx.conn()).await.map_err(conflict_on_duplicate)?;
        tx.record("close", "incident", incident_id, Some(&current), Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// The mine an action's source concerns, or the field error if there is no such source.
    async fn action_source_mine(&self, tx: &Tx, kind: ActionSource, id: Uuid) -> StoreResult<Uuid> {
        match kind {
            ActionSource::Incident => match current_incident(tx.conn(), id).await {
                Ok(i) => Ok(i.mine_id),
                Err(StoreError::NotFound) => Err(StoreError::field("source_id", "err-choice")),
                Err(e) => Err(e),
            },
            ActionSource::Finding => match finding::Entity::find_by_id(id).one(tx.conn()).await? {
                Some(f) => Ok(f.mine_id),
                None => Err(StoreError::field("source_id", "err-choice")),
            },
            // A grievance's action belongs to the (first) mine it concerns; a case naming no
            // mine has no one to do it.
            ActionSource::Grievance => {
                if crate::grievances::grievance::Entity::find_by_id(id).one(tx.conn()).await?.is_none() {
                    return Err(StoreError::field("source_id", "err-choice"));
                }
                crate::grievances::mine::Entity::find()
                    .filter(crate::grievances::mine::Column::GrievanceId.eq(id))
                    .order_by_asc(crate::grievances::mine::Column::Id)
                    .one(tx.conn())
                    .await?
                    .map(|m| m.mine_id)
                    .ok_or_else(|| StoreError::field("source_id", "err-grievance-no-mine"))
            }
        }
    }

    /// Raise an action on an incident, finding or grievance. Its owner must be an active user;
    /// a corrective or preventive action needs a containment recorded first.
    pub async fn raise_action(&self, actor: &Actor, d: &ActionDraft) -> StoreResult<Action> {
        let mut tx = self.begin(actor).await?;
        let mine_id = self.action_source_mine(&tx, d.source_kind, d.source_id).await?;
        let owner = crate::accounts::user::Entity::find()
            .filter(crate::accounts::user::Column::Username.eq(d.owner.as_str()))
            .one(tx.conn())
            .await?;
        if owner.is_none_or(|u| u.disabled) {
            return Err(StoreError::field("owner", "err-choice"));
        }
        let containment = action::Entity::find()
            .filter(action::Column::SourceKind.eq(d.source_kind.as_str()))
            .filter(action::Column::SourceId.eq(d.source_id))
            .filter(action::Column::Kind.eq(ActionKind::Containment.as_str()))
            .count(tx.conn())
            .await?;
        if let Err(code) = check_order(d.kind, containment > 0) {
            return Err(StoreError::field("kind", code));
        }
        let year = tx.now().year();
        let prefix = format!("CA-{year}-");
        let taken = action::Entity::find().filter(action::Column::Code.starts_with(&prefix)).count(tx.conn()).await?;
        let m = action::ActiveModel {
            id: Set(new_id()),
            code: Set(next_code("CA", year, taken)),
            mine_id: Set(mine_id),
            source_kind: Set(d.source_kind.as_str().to_owned()),
            source_id: Set(d.source_id),
            kind: Set(d.kind.as_str().to_owned()),
            description: Set(d.description.clone()),
            owner: Set(d.owner.clone()),
            due_on: Set(d.due_on),
            status: Set(ActionStatus::Open.as_str().to_owned()),
            evidence: Set(None),
            done_by: Set(None),
            done_at: Set(None),
            verified_by: Set(None),
            closed_at: Set(None),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await
        .map_err(conflict_on_duplicate)?;
        tx.record("create", "action", m.id, None::<&()>, Some(&m));
        action_step(&mut tx, m.id, "raised", None).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The owner (or whoever acts for the mine) reports the action done, with its evidence.
    pub async fn complete_action(&self, actor: &Actor, id: Uuid, evidence: &str) -> StoreResult<Action> {
        let evidence = minecoop_domain::validation::required_text(evidence, 4000)
            .map_err(|code| StoreError::field("evidence", code))?;
        let mut tx = self.begin(actor).await?;
        let before = action::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.status() != ActionStatus::Open {
            return Err(StoreError::field("evidence", "err-action-not-open"));
        }
        let mut a: action::ActiveModel = before.clone().into();
        a.status = Set(ActionStatus::Done.as_str().to_owned());
        a.evidence = Set(Some(evidence.clone()));
        a.done_by = Set(Some(tx.actor().name.clone()));
        a.done_at = Set(Some(tx.now()));
        let after = a.update(tx.conn()).await?;
        tx.record("update", "action", id, Some(&before), Some(&after));
        action_step(&mut tx, id, "done", Some(evidence)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Someone other than the owner (and other than whoever gave the evidence) checks the
    /// evidence: accepted, the action closes; rejected (with a reason), it opens again.
    pub async fn verify_action(&self, actor: &Actor, id: Uuid, accept: bool, note: &str) -> StoreResult<Action> {
        let note = minecoop_domain::validation::optional_text(note, 2000).map_err(|c| StoreError::field("note", c))?;
        if !accept && note.is_none() {
            return Err(StoreError::field("note", "err-required"));
        }
        let mut tx = self.begin(actor).await?;
        let before = action::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.status() != ActionStatus::Done {
            return Err(StoreError::field("note", "err-action-not-done"));
        }
        let me = tx.actor().name.clone();
        if let Err(code) = check_verifier(&me, &before.owner, before.done_by.as_deref()) {
            return Err(StoreError::field("note", code));
        }
        let mut a: action::ActiveModel = before.clone().into();
        if accept {
            a.status = Set(ActionStatus::Closed.as_str().to_owned());
            a.verified_by = Set(Some(me));
            a.closed_at = Set(Some(tx.now()));
        } else {
            a.status = Set(ActionStatus::Open.as_str().to_owned());
        }
        let after = a.update(tx.conn()).await?;
        tx.record("update", "action", id, Some(&before), Some(&after));
        action_step(&mut tx, id, if accept { "verified" } else { "rejected" }, note).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn action(&self, id: Uuid) -> StoreResult<Action> {
        action::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    /// An action's steps, oldest first.
    pub async fn action_events(&self, id: Uuid) -> StoreResult<Vec<ActionEvent>> {
        Ok(action_event::Entity::find()
            .filter(action_event::Column::ActionId.eq(id))
            .order_by_asc(action_event::Column::At)
            .order_by_asc(action_event::Column::Id)
            .all(self.conn())
            .await?)
    }

    /// The actions raised by one incident, finding or grievance, in the order raised.
    pub async fn actions_of(&self, source: ActionSource, source_id: Uuid) -> StoreResult<Vec<Action>> {
        Ok(action::Entity::find()
            .filter(action::Column::SourceKind.eq(source.as_str()))
            .filter(action::Column::SourceId.eq(source_id))
            .order_by_asc(action::Column::CreatedAt)
            .order_by_asc(action::Column::Code)
            .all(self.conn())
            .await?)
    }

    /// Actions by filter, the soonest due first.
    pub async fn actions(&self, f: &ActionFilter) -> StoreResult<Vec<Action>> {
        let mut q = action::Entity::find();
        if let Some(m) = &f.mines {
            q = q.filter(action::Column::MineId.is_in(m.iter().copied()));
        }
        if f.open_only {
            q = q.filter(action::Column::Status.ne(ActionStatus::Closed.as_str()));
        }
        if let Some(o) = &f.owner {
            q = q.filter(action::Column::Owner.eq(o.as_str()));
        }
        Ok(q.order_by_asc(action::Column::DueOn).order_by_asc(action::Column::Code).all(self.conn()).await?)
    }
}

/// Record a new incident (version 1) inside a transaction.
pub(crate) async fn insert_incident(tx: &mut Tx, d: &IncidentDraft) -> StoreResult<Incident> {
    if crate::registry::mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
        return Err(StoreError::field("mine_id", "err-choice"));
    }
    let year = d.occurred_at.year();
    let prefix = format!("INC-{year}-");
    let taken = incident::Entity::find()
        .filter(incident::Column::Code.starts_with(&prefix))
        .filter(incident::Column::Version.eq(1))
        .count(tx.conn())
        .await?;
    let code = next_code("INC", year, taken);
    let m = incident_model(d, new_id(), 1, &code, tx).insert(tx.conn()).await.map_err(conflict_on_duplicate)?;
    tx.record("create", "incident", m.incident_id, None::<&()>, Some(&m));
    alert_incident(tx, None, &m).await?;
    Ok(m)
}

/// Alert an incident's people when it first reaches relatively large or above (new, or
/// corrected upwards); not again when it already was.
async fn alert_incident(tx: &mut Tx, before: Option<AccidentClass>, m: &Incident) -> StoreResult<()> {
    if !minecoop_domain::alerts::incident_alert_due(before, m.class()) {
        return Ok(());
    }
    let alert = crate::alerts::Alert {
        kind: minecoop_domain::alerts::AlertKind::Incident,
        mine_id: m.mine_id,
        message: "alert-incident".into(),
        args: vec![
            ("code".into(), m.code.clone()),
            ("class".into(), m.class.clone()),
            ("deaths".into(), m.deaths.to_string()),
            ("serious".into(), m.serious_injuries.to_string()),
        ],
        link: format!("/safety/incidents/{}", m.incident_id),
        also: Vec::new(),
    };
    crate::alerts::raise_alert(tx, &alert).await?;
    Ok(())
}

async fn action_step(tx: &mut Tx, action_id: Uuid, step: &str, note: Option<String>) -> StoreResult<()> {
    let ev = action_event::ActiveModel {
        id: Set(new_id()),
        action_id: Set(action_id),
        step: Set(step.to_owned()),
        note: Set(note),
        at: Set(tx.now()),
        by: Set(tx.actor().name.clone()),
    }
    .insert(tx.conn())
    .await?;
    tx.record("create", "action_event", ev.id, None::<&()>, Some(&ev));
    Ok(())
}
