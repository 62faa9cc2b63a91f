//! Grievances (issue 6 item 4): a case is received once (from the public page or by staff) and
//! never changed; its steps, notes, replies and the complainant's additions are appended in
//! `grievance_steps`, each with who and when. The status is the last step's. The tracking code
//! is kept as its SHA-256 hash only. Overdue steps are escalated through the alerts, each level
//! once.

pub mod demo;
pub mod escalation;
pub mod grievance;
pub mod link;
pub mod mine;
pub mod step;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use minecoop_domain::grievances::workflow::{By, EscalatedTo, MessageKind, check_step, note_required};
use minecoop_domain::grievances::{Complainant, Deadlines, GrievanceDraft, Status, code};
use minecoop_domain::safety::action::Escalation;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, Tx, conflict_on_duplicate, new_id};

pub use grievance::Model as Grievance;
pub use link::Model as GrievanceLink;
pub use step::Model as GrievanceStep;

/// The actor of everything the public page does: the public, never an address.
pub fn public_actor() -> Actor {
    Actor { user_id: None, name: "public".into() }
}

/// A case with everything appended to it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Case {
    pub g: Grievance,
    pub mines: Vec<Uuid>,
    /// Oldest first.
    pub steps: Vec<GrievanceStep>,
    pub links: Vec<GrievanceLink>,
}

/// A case as lists and the dashboard count it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub g: Grievance,
    pub mines: Vec<Uuid>,
    pub status: Status,
    /// When the case reached its status.
    pub status_at: chrono::DateTime<chrono::Utc>,
    /// The complainant's last answer to a proposal (accepted or rejected), if any.
    pub last_answer: Option<Status>,
}

/// The status a case's steps give (the last step of the workflow's).
pub fn status_of(steps: &[GrievanceStep]) -> Status {
    steps.iter().rev().find_map(|s| s.status.as_deref().and_then(|x| Status::parse(x).ok())).unwrap_or(Status::Received)
}

impl Case {
    pub fn status(&self) -> Status {
        status_of(&self.steps)
    }

    /// The steps and messages the complainant sees on the tracking page.
    pub fn public_steps(&self) -> Vec<&GrievanceStep> {
        self.steps.iter().filter(|s| s.public).collect()
    }
}

fn summarize(g: Grievance, mines: Vec<Uuid>, steps: &[GrievanceStep]) -> Summary {
    let last = steps.iter().rev().find(|s| s.status.is_some());
    let last_answer = steps
        .iter()
        .rev()
        .filter_map(|s| s.status.as_deref().and_then(|x| Status::parse(x).ok()))
        .find(|s| matches!(s, Status::Accepted | Status::Rejected));
    Summary { status: status_of(steps), status_at: last.map(|s| s.at).unwrap_or(g.created_at), last_answer, mines, g }
}

async fn case_of<C: sea_orm::ConnectionTrait>(c: &C, g: Grievance) -> StoreResult<Case> {
    let mines = mine::Entity::find()
        .filter(mine::Column::GrievanceId.eq(g.id))
        .all(c)
        .await?
        .into_iter()
        .map(|m| m.mine_id)
        .collect();
    let steps = steps_of(c, g.id).await?;
    let links = link::Entity::find()
        .filter(link::Column::GrievanceId.eq(g.id))
        .order_by_asc(link::Column::CreatedAt)
        .all(c)
        .await?;
    Ok(Case { g, mines, steps, links })
}

async fn steps_of<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid) -> StoreResult<Vec<GrievanceStep>> {
    Ok(step::Entity::find()
        .filter(step::Column::GrievanceId.eq(id))
        .order_by_asc(step::Column::At)
        .order_by_asc(step::Column::Id)
        .all(c)
        .await?)
}

/// Append an entry to a case (inside the caller's transaction), at `at` or the transaction's
/// time.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append(
    tx: &mut Tx,
    grievance_id: Uuid,
    kind: &str,
    status: Option<Status>,
    escalated_to: Option<EscalatedTo>,
    note: Option<String>,
    public: bool,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> StoreResult<GrievanceStep> {
    let m = step::ActiveModel {
        id: Set(new_id()),
        grievance_id: Set(grievance_id),
        kind: Set(kind.to_owned()),
        status: Set(status.map(|s| s.as_str().to_owned())),
        escalated_to: Set(escalated_to.map(|e| e.as_str().to_owned())),
        note: Set(note),
        public: Set(public),
        at: Set(at.unwrap_or(tx.now())),
        by: Set(tx.actor().name.clone()),
    }
    .insert(tx.conn())
    .await?;
    tx.record("create", "grievance_step", m.id, None::<&()>, Some(&m));
    Ok(m)
}

/// Record a grievance with the tracking code `plain` (inside a transaction).
pub(crate) async fn insert(
    tx: &mut Tx,
    d: &GrievanceDraft,
    plain: &str,
    received_at: Option<chrono::DateTime<chrono::Utc>>,
) -> StoreResult<Grievance> {
    for m in &d.mines {
        if crate::registry::mine::Entity::find_by_id(*m).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mines", "err-choice"));
        }
    }
    let year = d.received_on.year();
    let prefix = format!("GRV-{year}-");
    let taken =
        grievance::Entity::find().filter(grievance::Column::RefNo.starts_with(&prefix)).count(tx.conn()).await?;
    let (name, phone) = match &d.complainant {
        Complainant::Anonymous => (None, None),
        Complainant::Named { name, phone } => (name.clone(), phone.clone()),
    };
    let g = grievance::ActiveModel {
        id: Set(new_id()),
        ref_no: Set(format!("{prefix}{:04}", taken + 1)),
        code_hash: Set(code::hash(plain)),
        category: Set(d.category.as_str().to_owned()),
        complainant_type: Set(d.complainant_type.as_str().to_owned()),
        channel: Set(d.channel.as_str().to_owned()),
        anonymous: Set(d.is_anonymous()),
        complainant_name: Set(name),
        complainant_phone: Set(phone),
        description: Set(d.description.clone()),
        occurred: Set(d.occurred.clone()),
        place: Set(d.place.clone()),
        received_on: Set(d.received_on),
        created_at: Set(tx.now()),
        created_by: Set(tx.actor().name.clone()),
    }
    .insert(tx.conn())
    .await
    .map_err(conflict_on_duplicate)?;
    tx.record("create", "grievance", g.id, None::<&()>, Some(&g));
    for m in &d.mines {
        let row = mine::ActiveModel { id: Set(new_id()), grievance_id: Set(g.id), mine_id: Set(*m) }
            .insert(tx.conn())
            .await?;
        tx.record("create", "grievance_mine", row.id, None::<&()>, Some(&row));
    }
    append(tx, g.id, Status::Received.as_str(), Some(Status::Received), None, None, true, received_at).await?;
    Ok(g)
}

/// A new tracking code, plain (12 characters; shown once, then only its hash is kept).
pub fn new_code() -> String {
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    code::from_random(b)
}

impl Store {
    /// Record a grievance (from the public page with [`public_actor`], or by staff) and give
    /// its tracking code, plain, to show once.
    pub async fn record_grievance(&self, actor: &Actor, d: &GrievanceDraft) -> StoreResult<(Grievance, String)> {
        let plain = new_code();
        let mut tx = self.begin(actor).await?;
        let g = insert(&mut tx, d, &plain, None).await?;
        tx.commit().await?;
        Ok((g, plain))
    }

    /// A case by its id.
    pub async fn grievance_case(&self, id: Uuid) -> StoreResult<Case> {
        let g = grievance::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)?;
        case_of(self.conn(), g).await
    }

    /// A case by the tracking code as typed; `None` alike for a code that cannot be one and a
    /// code of no case.
    pub async fn grievance_by_code(&self, typed: &str) -> StoreResult<Option<Case>> {
        let Some(h) = code::hash_input(typed) else { return Ok(None) };
        match grievance::Entity::find().filter(grievance::Column::CodeHash.eq(h)).one(self.conn()).await? {
            Some(g) => Ok(Some(case_of(self.conn(), g).await?)),
            None => Ok(None),
        }
    }

    /// Take a step of the workflow. Staff take any allowed step; the complainant (through the
    /// tracking page, as [`public_actor`]) only answers a proposal. An escalation names where it
    /// goes; a proposal, an escalation and a closing need a note.
    pub async fn grievance_step(
        &self,
        actor: &Actor,
        id: Uuid,
        to: Status,
        by: By,
        escalated_to: Option<EscalatedTo>,
        note: Option<String>,
    ) -> StoreResult<GrievanceStep> {
        let mut tx = self.begin(actor).await?;
        grievance::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let from = status_of(&steps_of(tx.conn(), id).await?);
        check_step(from, to, by).map_err(|c| StoreError::field("status", c))?;
        let mut e = minecoop_domain::FieldErrors::new();
        if note_required(to) && note.is_none() {
            e.add("note", "err-required");
        }
        let escalated_to = if to == Status::Escalated {
            if escalated_to.is_none() {
                e.add("escalated_to", "err-choice");
            }
            escalated_to
        } else {
            None
        };
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let s = append(&mut tx, id, to.as_str(), Some(to), escalated_to, note, true, None).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Add a note (internal), a reply or a question (shown to the complainant), or the
    /// complainant's information (from the tracking page; not on a closed case).
    pub async fn grievance_message(
        &self,
        actor: &Actor,
        id: Uuid,
        kind: MessageKind,
        text: &str,
    ) -> StoreResult<GrievanceStep> {
        let text = minecoop_domain::validation::required_text(text, minecoop_domain::grievances::MAX_TEXT)
            .map_err(|c| StoreError::field("text", c))?;
        let mut tx = self.begin(actor).await?;
        grievance::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if kind == MessageKind::Info && status_of(&steps_of(tx.conn(), id).await?) == Status::Closed {
            return Err(StoreError::field("text", "err-grievance-closed"));
        }
        let s = append(&mut tx, id, kind.as_str(), None, None, Some(text), kind.is_public(), None).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Link a case to an incident (once).
    pub async fn link_grievance_incident(
        &self,
        actor: &Actor,
        id: Uuid,
        incident_id: Uuid,
    ) -> StoreResult<GrievanceLink> {
        let mut tx = self.begin(actor).await?;
        grievance::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let found = crate::safety::incident::Entity::find()
            .filter(crate::safety::incident::Column::IncidentId.eq(incident_id))
            .count(tx.conn())
            .await?;
        if found == 0 {
            return Err(StoreError::field("incident_id", "err-choice"));
        }
        let m = link::ActiveModel {
            id: Set(new_id()),
            grievance_id: Set(id),
            incident_id: Set(incident_id),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await
        .map_err(|e| match conflict_on_duplicate(e) {
            StoreError::Conflict => StoreError::field("incident_id", "err-grievance-linked"),
            other => other,
        })?;
        tx.record("create", "grievance_link", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// The cases linked to an incident.
    pub async fn grievances_of_incident(&self, incident_id: Uuid) -> StoreResult<Vec<Grievance>> {
        let ids: Vec<Uuid> = link::Entity::find()
            .filter(link::Column::IncidentId.eq(incident_id))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|l| l.grievance_id)
            .collect();
        Ok(grievance::Entity::find()
            .filter(grievance::Column::Id.is_in(ids))
            .order_by_asc(grievance::Column::RefNo)
            .all(self.conn())
            .await?)
    }

    /// Every case with its mines and where it stands, the newest received first.
    pub async fn grievance_summaries(&self) -> StoreResult<Vec<Summary>> {
        let gs = grievance::Entity::find()
            .order_by_desc(grievance::Column::ReceivedOn)
            .order_by_desc(grievance::Column::RefNo)
            .all(self.conn())
            .await?;
        let mut mines: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for m in mine::Entity::find().all(self.conn()).await? {
            mines.entry(m.grievance_id).or_default().push(m.mine_id);
        }
        let mut steps: HashMap<Uuid, Vec<GrievanceStep>> = HashMap::new();
        for s in step::Entity::find()
            .filter(step::Column::Status.is_not_null())
            .order_by_asc(step::Column::At)
            .order_by_asc(step::Column::Id)
            .all(self.conn())
            .await?
        {
            steps.entry(s.grievance_id).or_default().push(s);
        }
        Ok(gs
            .into_iter()
            .map(|g| {
                let m = mines.remove(&g.id).unwrap_or_default();
                let s = steps.remove(&g.id).unwrap_or_default();
                summarize(g, m, &s)
            })
            .collect())
    }

    /// Alert the overdue steps of `today` not alerted at their level yet: the day after a
    /// step's due date the owners and safety officers of the mines concerned, a week later the
    /// president too (a case naming no mine: the co-op's officers). Each level of each overdue
    /// step once (`grievance_escalations`). Returns how many cases were alerted.
    pub async fn escalate_overdue_grievances(&self, today: NaiveDate, dl: &Deadlines) -> StoreResult<usize> {
        let due: Vec<(Summary, Escalation)> = self
            .grievance_summaries()
            .await?
            .into_iter()
            .filter_map(|s| {
                let e = dl.escalation(s.status, s.g.received_on, today);
                e.is_overdue().then_some((s, e))
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let done: std::collections::HashSet<(Uuid, String, String)> = escalation::Entity::find()
            .filter(escalation::Column::GrievanceId.is_in(due.iter().map(|(s, _)| s.g.id)))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|e| (e.grievance_id, e.status, e.level))
            .collect();
        let mut tx = self.begin(&Actor::system("escalation")).await?;
        let mut n = 0;
        for (s, level) in &due {
            let status = s.status.as_str().to_owned();
            if done.contains(&(s.g.id, status.clone(), level.as_str().to_owned())) {
                continue;
            }
            let mut levels = vec![level.as_str()];
            let owner = Escalation::MineOwner.as_str();
            if *level == Escalation::President && !done.contains(&(s.g.id, status.clone(), owner.to_owned())) {
                levels.push(owner);
            }
            for l in levels {
                let e = escalation::ActiveModel {
                    id: Set(new_id()),
                    grievance_id: Set(s.g.id),
                    status: Set(status.clone()),
                    level: Set(l.to_owned()),
                    raised_at: Set(tx.now()),
                }
                .insert(tx.conn())
                .await
                .map_err(conflict_on_duplicate)?;
                tx.record("create", "grievance_escalation", e.id, None::<&()>, Some(&e));
            }
            let kind = if *level == Escalation::President {
                minecoop_domain::alerts::AlertKind::GrievanceOverduePresident
            } else {
                minecoop_domain::alerts::AlertKind::GrievanceOverdue
            };
            let due_on = dl.pending(s.status, s.g.received_on).map(|(_, d)| d.to_string()).unwrap_or_default();
            // The reference, the step and the date only: no text or person of the case.
            let args =
                vec![("code".into(), s.g.ref_no.clone()), ("status".into(), status.clone()), ("due".into(), due_on)];
            let message = format!("alert-{}", kind.as_str().replace('_', "-"));
            crate::alerts::raise_for_mines(
                &mut tx,
                kind,
                &s.mines,
                &message,
                &args,
                &format!("/grievances/{}", s.g.id),
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }
}
