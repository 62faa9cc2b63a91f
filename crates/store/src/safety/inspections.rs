//! Safety records: checklist templates (versions), inspection schedules, inspections with their
//! answers and photos, findings, and the hazard register (versions). Inspections and versions
//! are only ever added; a finding changes only to be closed. Every write is audited.

use std::collections::HashMap;

use super::{answer, finding, hazard, inspection, schedule, template};

use chrono::NaiveDate;
use minecoop_domain::safety::hazard::HazardDraft;
use minecoop_domain::safety::inspection::{
    FindingDraft, FindingStatus, InspectionDraft, IntervalUnit, Recurrence, TemplateContent, TemplateDraft, is_overdue,
    next_due,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use crate::attachments::{AttachmentMeta, attachment};
use crate::registry::{mine, person};
use crate::{Actor, Store, StoreError, StoreResult, conflict_on_duplicate, new_id};

pub use answer::Model as Answer;
pub use finding::Model as Finding;
pub use hazard::Model as Hazard;
pub use inspection::Model as Inspection;
pub use schedule::Model as Schedule;
pub use template::Model as TemplateVersion;

/// Photos of answers are attachments of this record type, by answer id.
pub const PHOTO_ENTITY: &str = "inspection_answer";

impl TemplateVersion {
    /// The sections and questions of this version.
    pub fn content(&self) -> TemplateContent {
        TemplateContent::from_json(&self.content).unwrap_or_default()
    }

    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }
}

impl Schedule {
    pub fn recurrence(&self) -> Option<Recurrence> {
        let unit = IntervalUnit::parse(&self.unit).ok()?;
        Recurrence::new(u32::try_from(self.every).ok()?, unit).ok()
    }
}

impl Hazard {
    pub fn risk(&self) -> u8 {
        minecoop_domain::safety::hazard::risk(self.likelihood as u8, self.severity as u8)
    }

    pub fn band(&self) -> minecoop_domain::safety::hazard::RiskBand {
        minecoop_domain::safety::hazard::band(self.risk())
    }
}

impl Finding {
    pub fn is_open(&self) -> bool {
        self.status == FindingStatus::Open.as_str()
    }
}

/// A schedule with the date it is next due.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleStatus {
    pub schedule: Schedule,
    /// The last inspection done on it.
    pub last_done: Option<NaiveDate>,
    pub next_due: NaiveDate,
}

impl ScheduleStatus {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.next_due, today)
    }
}

/// Write a schedule only if nobody changed it since `version` was read.
async fn update_schedule(tx: &crate::Tx, m: schedule::ActiveModel, version: i32) -> StoreResult<Schedule> {
    let id = match &m.id {
        sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => *v,
        sea_orm::ActiveValue::NotSet => return Err(StoreError::NotFound),
    };
    let n = schedule::Entity::update_many()
        .set(m)
        .filter(schedule::Column::Id.eq(id))
        .filter(schedule::Column::Version.eq(version))
        .exec(tx.conn())
        .await?;
    if n.rows_affected != 1 {
        return Err(StoreError::Conflict);
    }
    schedule::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)
}

/// A photo to keep with an answer: the question's key, the file's name, its checked type and
/// bytes.
#[derive(Debug, Clone)]
pub struct Photo {
    pub key: String,
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// An inspection with everything it holds.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionRecord {
    pub inspection: Inspection,
    pub template: TemplateVersion,
    pub answers: Vec<Answer>,
    pub findings: Vec<Finding>,
    /// Photos by answer id.
    pub photos: Vec<AttachmentMeta>,
}

impl InspectionRecord {
    pub fn score(&self) -> minecoop_domain::safety::inspection::Score {
        minecoop_domain::safety::inspection::Score {
            applicable: self.inspection.applicable as u32,
            passed: self.inspection.passed as u32,
            failed: self.inspection.failed as u32,
        }
    }
}

impl Inspection {
    pub fn score(&self) -> minecoop_domain::safety::inspection::Score {
        minecoop_domain::safety::inspection::Score {
            applicable: self.applicable as u32,
            passed: self.passed as u32,
            failed: self.failed as u32,
        }
    }
}

/// A photo's metadata as selected: id, answer id, name, size, SHA-256, when and by whom.
type PhotoRow = (Uuid, Uuid, String, i64, String, chrono::DateTime<chrono::Utc>, String);

/// The latest version of each, in the order given.
fn current<T, K: PartialEq>(rows: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(l) if key(l) == key(&r) => *l = r,
            _ => out.push(r),
        }
    }
    out
}

impl Store {
    // ---- templates ---------------------------------------------------------------------------

    /// The current version of every template, by English name.
    pub async fn inspection_templates(&self) -> StoreResult<Vec<TemplateVersion>> {
        let rows = template::Entity::find()
            .order_by_asc(template::Column::TemplateId)
            .order_by_asc(template::Column::Version)
            .all(self.conn())
            .await?;
        let mut out = current(rows, |t| t.template_id);
        out.sort_by(|a, b| a.name_en.cmp(&b.name_en));
        Ok(out)
    }

    /// The current version of a template.
    pub async fn inspection_template(&self, template_id: Uuid) -> StoreResult<TemplateVersion> {
        template::Entity::find()
            .filter(template::Column::TemplateId.eq(template_id))
            .order_by_desc(template::Column::Version)
            .one(self.conn())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Every version of a template, oldest first.
    pub async fn inspection_template_versions(&self, template_id: Uuid) -> StoreResult<Vec<TemplateVersion>> {
        Ok(template::Entity::find()
            .filter(template::Column::TemplateId.eq(template_id))
            .order_by_asc(template::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// One version by its row id.
    pub async fn template_version(&self, id: Uuid) -> StoreResult<TemplateVersion> {
        template::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    /// A new template, empty or a copy of another's current version.
    pub async fn create_inspection_template(&self, actor: &Actor, d: &TemplateDraft) -> StoreResult<TemplateVersion> {
        let content = match d.copy_of {
            Some(id) => match self.inspection_template(id).await {
                Ok(t) => t.content,
                Err(StoreError::NotFound) => return Err(StoreError::field("copy_of", "err-choice")),
                Err(e) => return Err(e),
            },
            None => TemplateContent::default().to_json(),
        };
        let mut tx = self.begin(actor).await?;
        let id = new_id();
        let m = template::ActiveModel {
            id: Set(id),
            template_id: Set(id),
            version: Set(1),
            name_en: Set(d.name_en.clone()),
            name_zh: Set(d.name_zh.clone()),
            content: Set(content),
            reason: Set(None),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "inspection_template", m.template_id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// A new version of a template with new content, if the template is still at `version`.
    pub async fn revise_inspection_template(
        &self,
        actor: &Actor,
        template_id: Uuid,
        version: i32,
        content: &TemplateContent,
        reason: Option<&str>,
    ) -> StoreResult<TemplateVersion> {
        content.check().map_err(|code| StoreError::field("content", code))?;
        self.new_template_version(actor, template_id, version, Some(content), None, reason).await
    }

    /// A new version of a template under new names (its questions unchanged), if the template
    /// is still at `version`.
    pub async fn rename_inspection_template(
        &self,
        actor: &Actor,
        template_id: Uuid,
        version: i32,
        names: (&str, &str),
        reason: Option<&str>,
    ) -> StoreResult<TemplateVersion> {
        self.new_template_version(actor, template_id, version, None, Some(names), reason).await
    }

    async fn new_template_version(
        &self,
        actor: &Actor,
        template_id: Uuid,
        version: i32,
        content: Option<&TemplateContent>,
        names: Option<(&str, &str)>,
        reason: Option<&str>,
    ) -> StoreResult<TemplateVersion> {
        let mut tx = self.begin(actor).await?;
        let before = template::Entity::find()
            .filter(template::Column::TemplateId.eq(template_id))
            .order_by_desc(template::Column::Version)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        let m = template::ActiveModel {
            id: Set(new_id()),
            template_id: Set(template_id),
            version: Set(version + 1),
            name_en: Set(names.map_or_else(|| before.name_en.clone(), |(en, _)| en.to_owned())),
            name_zh: Set(names.map_or_else(|| before.name_zh.clone(), |(_, zh)| zh.to_owned())),
            content: Set(content.map_or_else(|| before.content.clone(), TemplateContent::to_json)),
            reason: Set(reason.map(str::to_owned)),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await
        .map_err(conflict_on_duplicate)?;
        tx.record("new_version", "inspection_template", template_id, Some(&before), Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    // ---- schedules ---------------------------------------------------------------------------

    pub async fn create_inspection_schedule(
        &self,
        actor: &Actor,
        d: &minecoop_domain::safety::inspection::ScheduleDraft,
    ) -> StoreResult<Schedule> {
        let mut tx = self.begin(actor).await?;
        if mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mine_id", "err-choice"));
        }
        if template::Entity::find()
            .filter(template::Column::TemplateId.eq(d.template_id))
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(StoreError::field("template_id", "err-choice"));
        }
        let m = schedule::ActiveModel {
            id: Set(new_id()),
            mine_id: Set(d.mine_id),
            template_id: Set(d.template_id),
            every: Set(d.recurrence.every as i32),
            unit: Set(d.recurrence.unit.as_str().to_owned()),
            first_due: Set(d.first_due),
            active: Set(true),
            version: Set(1),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "inspection_schedule", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Change a schedule's template, interval or first due date (its mine stays), from the
    /// version that was read; the audit trail keeps what it was. Inspections already done keep
    /// their link.
    pub async fn change_inspection_schedule(
        &self,
        actor: &Actor,
        id: Uuid,
        version: i32,
        d: &minecoop_domain::safety::inspection::ScheduleDraft,
    ) -> StoreResult<Schedule> {
        let mut tx = self.begin(actor).await?;
        let before = schedule::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version || !before.active {
            return Err(StoreError::Conflict);
        }
        if d.mine_id != before.mine_id {
            return Err(StoreError::field("mine_id", "err-schedule-mine-fixed"));
        }
        if template::Entity::find()
            .filter(template::Column::TemplateId.eq(d.template_id))
            .one(tx.conn())
            .await?
            .is_none()
        {
            return Err(StoreError::field("template_id", "err-choice"));
        }
        let mut m: schedule::ActiveModel = before.clone().into();
        m.template_id = Set(d.template_id);
        m.every = Set(d.recurrence.every as i32);
        m.unit = Set(d.recurrence.unit.as_str().to_owned());
        m.first_due = Set(d.first_due);
        m.version = Set(version + 1);
        let after = update_schedule(&tx, m, version).await?;
        tx.record("update", "inspection_schedule", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Stop a schedule (the mine closed, the checklist moved to another schedule): it is no
    /// longer due, and stays in the record with the inspections done under it.
    pub async fn stop_inspection_schedule(&self, actor: &Actor, id: Uuid, version: i32) -> StoreResult<Schedule> {
        let mut tx = self.begin(actor).await?;
        let before = schedule::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version || !before.active {
            return Err(StoreError::Conflict);
        }
        let mut m: schedule::ActiveModel = before.clone().into();
        m.active = Set(false);
        m.version = Set(version + 1);
        let after = update_schedule(&tx, m, version).await?;
        tx.record("stop", "inspection_schedule", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn inspection_schedule(&self, id: Uuid) -> StoreResult<Schedule> {
        schedule::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    /// The active schedules of the given mines (all with `None`), each with its next due date,
    /// the soonest first.
    pub async fn inspection_schedules(&self, mines: Option<&[Uuid]>) -> StoreResult<Vec<ScheduleStatus>> {
        let mut q = schedule::Entity::find().filter(schedule::Column::Active.eq(true));
        if let Some(ids) = mines {
            q = q.filter(schedule::Column::MineId.is_in(ids.iter().copied()));
        }
        let schedules = q.all(self.conn()).await?;
        let ids: Vec<Uuid> = schedules.iter().map(|s| s.id).collect();
        let mut last: HashMap<Uuid, NaiveDate> = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<(Option<Uuid>, NaiveDate)> = inspection::Entity::find()
                .select_only()
                .columns([inspection::Column::ScheduleId, inspection::Column::InspectedOn])
                .filter(inspection::Column::ScheduleId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(self.conn())
                .await?;
            for (id, on) in rows {
                if let Some(id) = id {
                    let e = last.entry(id).or_insert(on);
                    *e = (*e).max(on);
                }
            }
        }
        let mut out: Vec<ScheduleStatus> = schedules
            .into_iter()
            .map(|s| {
                let last_done = last.get(&s.id).copied();
                let next = match s.recurrence() {
                    Some(r) => next_due(s.first_due, last_done, r),
                    None => s.first_due,
                };
                ScheduleStatus { schedule: s, last_done, next_due: next }
            })
            .collect();
        out.sort_by_key(|s| (s.next_due, s.schedule.id));
        Ok(out)
    }

    // ---- inspections -------------------------------------------------------------------------

    /// Keep an inspection filled on template version `version_id`: its answers, a finding for
    /// each failed item, and the photos (by question key), all in one transaction.
    pub async fn record_inspection(
        &self,
        actor: &Actor,
        version_id: Uuid,
        d: &InspectionDraft,
        photos: &[Photo],
    ) -> StoreResult<Inspection> {
        let mut tx = self.begin(actor).await?;
        let tv = template::Entity::find_by_id(version_id).one(tx.conn()).await?;
        let Some(tv) = tv.filter(|t| t.template_id == d.template_id) else {
            return Err(StoreError::field("template_id", "err-choice"));
        };
        if mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mine_id", "err-choice"));
        }
        if let Some(sid) = d.schedule_id {
            let s = schedule::Entity::find_by_id(sid).one(tx.conn()).await?;
            if s.is_none_or(|s| s.mine_id != d.mine_id) {
                return Err(StoreError::field("schedule_id", "err-choice"));
            }
        }
        let now = tx.now();
        let by = tx.actor().name.clone();
        let i = inspection::ActiveModel {
            id: Set(new_id()),
            mine_id: Set(d.mine_id),
            schedule_id: Set(d.schedule_id),
            template_id: Set(d.template_id),
            template_version_id: Set(tv.id),
            template_version: Set(tv.version),
            inspected_on: Set(d.inspected_on),
            inspector: Set(d.inspector.clone()),
            notes: Set(d.notes.clone()),
            applicable: Set(d.score.applicable as i32),
            passed: Set(d.score.passed as i32),
            failed: Set(d.score.failed as i32),
            created_at: Set(now),
            created_by: Set(by.clone()),
        }
        .insert(tx.conn())
        .await?;
        let mut answers = Vec::with_capacity(d.answers.len());
        for (n, a) in d.answers.iter().enumerate() {
            answers.push(answer::ActiveModel {
                id: Set(new_id()),
                inspection_id: Set(i.id),
                position: Set(n as i32),
                question_key: Set(a.key.clone()),
                kind: Set(a.kind.as_str().to_owned()),
                value: Set(a.value.clone()),
                outcome: Set(a.outcome.as_str().to_owned()),
                note: Set(a.note.clone()),
            });
        }
        let answer_ids: HashMap<String, Uuid> = answers
            .iter()
            .filter_map(|a| match (&a.question_key, &a.id) {
                (sea_orm::ActiveValue::Set(k), sea_orm::ActiveValue::Set(id)) => Some((k.clone(), *id)),
                _ => None,
            })
            .collect();
        let rows: Vec<serde_json::Value> = d.answers.iter().map(|a| serde_json::json!(a)).collect();
        for chunk in answers.chunks(100) {
            answer::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        tx.record(
            "create",
            "inspection",
            i.id,
            None::<&()>,
            Some(&serde_json::json!({"inspection": i, "answers": rows})),
        );
        for f in &d.failed {
            let m = finding::ActiveModel {
                id: Set(new_id()),
                mine_id: Set(d.mine_id),
                inspection_id: Set(Some(i.id)),
                question_key: Set(Some(f.key.clone())),
                severity: Set(f.severity.as_str().to_owned()),
                description: Set(f.description.clone()),
                status: Set(FindingStatus::Open.as_str().to_owned()),
                version: Set(1),
                created_at: Set(now),
                created_by: Set(by.clone()),
                closed_at: Set(None),
                closed_by: Set(None),
                close_note: Set(None),
            }
            .insert(tx.conn())
            .await?;
            tx.record("create", "finding", m.id, None::<&()>, Some(&m));
        }
        for p in photos {
            let Some(answer_id) = answer_ids.get(&p.key) else {
                return Err(StoreError::field(&minecoop_domain::safety::inspection::photo_field(&p.key), "err-choice"));
            };
            let name: String = p.file_name.trim().chars().filter(|c| !c.is_control()).take(200).collect();
            let m = attachment::ActiveModel {
                id: Set(new_id()),
                entity: Set(PHOTO_ENTITY.to_owned()),
                entity_id: Set(*answer_id),
                file_name: Set(if name.is_empty() { "photo".into() } else { name }),
                content_type: Set(p.content_type.to_owned()),
                size: Set(p.bytes.len() as i64),
                sha256: Set(hex::encode(sha2::Sha256::digest(&p.bytes))),
                content: Set(p.bytes.clone()),
                created_at: Set(now),
                created_by: Set(by.clone()),
            }
            .insert(tx.conn())
            .await?;
            let meta = AttachmentMeta::from(&m);
            tx.record("create", "attachment", m.id, None::<&()>, Some(&meta));
        }
        tx.commit().await?;
        Ok(i)
    }

    /// Inspections of the given mines (all with `None`), the latest first.
    pub async fn inspections(&self, mines: Option<&[Uuid]>, limit: u64) -> StoreResult<Vec<Inspection>> {
        let mut q = inspection::Entity::find();
        if let Some(ids) = mines {
            q = q.filter(inspection::Column::MineId.is_in(ids.iter().copied()));
        }
        Ok(q.order_by_desc(inspection::Column::InspectedOn)
            .order_by_desc(inspection::Column::CreatedAt)
            .limit(limit.clamp(1, 1000))
            .all(self.conn())
            .await?)
    }

    pub async fn inspection_record(&self, id: Uuid) -> StoreResult<InspectionRecord> {
        let inspection = inspection::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)?;
        let template = self.template_version(inspection.template_version_id).await?;
        let answers = answer::Entity::find()
            .filter(answer::Column::InspectionId.eq(id))
            .order_by_asc(answer::Column::Position)
            .all(self.conn())
            .await?;
        let findings = finding::Entity::find()
            .filter(finding::Column::InspectionId.eq(id))
            .order_by_asc(finding::Column::CreatedAt)
            .order_by_asc(finding::Column::Id)
            .all(self.conn())
            .await?;
        let ids: Vec<Uuid> = answers.iter().map(|a| a.id).collect();
        let mut photos = Vec::new();
        for chunk in ids.chunks(500) {
            use attachment::Column as C;
            let rows: Vec<PhotoRow> = attachment::Entity::find()
                .select_only()
                .columns([C::Id, C::EntityId, C::FileName, C::Size, C::Sha256, C::CreatedAt, C::CreatedBy])
                .filter(C::Entity.eq(PHOTO_ENTITY))
                .filter(C::EntityId.is_in(chunk.iter().copied()))
                .order_by_asc(C::CreatedAt)
                .into_tuple()
                .all(self.conn())
                .await?;
            photos.extend(rows.into_iter().map(|(id, entity_id, file_name, size, sha256, created_at, created_by)| {
                AttachmentMeta {
                    id,
                    entity: PHOTO_ENTITY.to_owned(),
                    entity_id,
                    file_name,
                    size,
                    sha256,
                    created_at,
                    created_by,
                }
            }));
        }
        Ok(InspectionRecord { inspection, template, answers, findings, photos })
    }

    // ---- findings ----------------------------------------------------------------------------

    /// Findings of the given mines (all with `None`), optionally only open or closed ones, the
    /// newest first.
    pub async fn findings(&self, mines: Option<&[Uuid]>, status: Option<FindingStatus>) -> StoreResult<Vec<Finding>> {
        let mut q = finding::Entity::find();
        if let Some(ids) = mines {
            q = q.filter(finding::Column::MineId.is_in(ids.iter().copied()));
        }
        if let Some(s) = status {
            q = q.filter(finding::Column::Status.eq(s.as_str()));
        }
        Ok(q.order_by_desc(finding::Column::CreatedAt).order_by_asc(finding::Column::Id).all(self.conn()).await?)
    }

    /// The open findings of one mine, oldest first (what is left to act on).
    pub async fn open_findings_of_mine(&self, mine_id: Uuid) -> StoreResult<Vec<Finding>> {
        Ok(finding::Entity::find()
            .filter(finding::Column::MineId.eq(mine_id))
            .filter(finding::Column::Status.eq(FindingStatus::Open.as_str()))
            .order_by_asc(finding::Column::CreatedAt)
            .order_by_asc(finding::Column::Id)
            .all(self.conn())
            .await?)
    }

    pub async fn finding(&self, id: Uuid) -> StoreResult<Finding> {
        finding::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    /// A finding raised by hand, outside a checklist.
    pub async fn raise_finding(&self, actor: &Actor, d: &FindingDraft) -> StoreResult<Finding> {
        let mut tx = self.begin(actor).await?;
        if mine::Entity::find_by_id(d.mine_id).one(tx.conn()).await?.is_none() {
            return Err(StoreError::field("mine_id", "err-choice"));
        }
        let m = finding::ActiveModel {
            id: Set(new_id()),
            mine_id: Set(d.mine_id),
            inspection_id: Set(None),
            question_key: Set(None),
            severity: Set(d.severity.as_str().to_owned()),
            description: Set(d.description.clone()),
            status: Set(FindingStatus::Open.as_str().to_owned()),
            version: Set(1),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
            closed_at: Set(None),
            closed_by: Set(None),
            close_note: Set(None),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "finding", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// Close an open finding that is still at `version`.
    pub async fn close_finding(
        &self,
        actor: &Actor,
        id: Uuid,
        version: i32,
        note: Option<&str>,
    ) -> StoreResult<Finding> {
        let mut tx = self.begin(actor).await?;
        let before = finding::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        if !before.is_open() {
            return Err(StoreError::field("status", "err-finding-closed"));
        }
        let mut am: finding::ActiveModel = before.clone().into();
        am.status = Set(FindingStatus::Closed.as_str().to_owned());
        am.version = Set(version + 1);
        am.closed_at = Set(Some(tx.now()));
        am.closed_by = Set(Some(tx.actor().name.clone()));
        am.close_note = Set(note.map(str::to_owned));
        let after = am.update(tx.conn()).await?;
        tx.record("close", "finding", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    // ---- hazards -----------------------------------------------------------------------------

    /// The owner must be a person of the mine's member enterprise.
    async fn check_hazard_owner<C: sea_orm::ConnectionTrait>(conn: &C, d: &HazardDraft) -> StoreResult<()> {
        let m =
            mine::Entity::find_by_id(d.mine_id).one(conn).await?.ok_or(StoreError::field("mine_id", "err-choice"))?;
        let p = person::Entity::find_by_id(d.owner_id).one(conn).await?;
        if p.is_none_or(|p| p.member_id != Some(m.member_id)) {
            return Err(StoreError::field("owner_id", "err-owner-not-of-mine"));
        }
        Ok(())
    }

    pub async fn create_hazard(&self, actor: &Actor, d: &HazardDraft) -> StoreResult<Hazard> {
        let mut tx = self.begin(actor).await?;
        Self::check_hazard_owner(tx.conn(), d).await?;
        let id = new_id();
        let m = hazard_row(id, id, 1, d, &tx).insert(tx.conn()).await?;
        tx.record("create", "hazard", m.hazard_id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// A new version of a hazard, if it is still at `version`; its mine never changes.
    pub async fn revise_hazard(
        &self,
        actor: &Actor,
        hazard_id: Uuid,
        version: i32,
        d: &HazardDraft,
    ) -> StoreResult<Hazard> {
        let mut tx = self.begin(actor).await?;
        let before = hazard::Entity::find()
            .filter(hazard::Column::HazardId.eq(hazard_id))
            .order_by_desc(hazard::Column::Version)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        if before.mine_id != d.mine_id {
            return Err(StoreError::field("mine_id", "err-hazard-mine-fixed"));
        }
        if d.reason.is_none() {
            return Err(StoreError::field("reason", "err-required"));
        }
        Self::check_hazard_owner(tx.conn(), d).await?;
        let m = hazard_row(new_id(), hazard_id, version + 1, d, &tx)
            .insert(tx.conn())
            .await
            .map_err(conflict_on_duplicate)?;
        tx.record("new_version", "hazard", hazard_id, Some(&before), Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// The current version of every hazard of the given mines (all with `None`), the highest
    /// risk first.
    pub async fn hazards(&self, mines: Option<&[Uuid]>) -> StoreResult<Vec<Hazard>> {
        let mut q = hazard::Entity::find();
        if let Some(ids) = mines {
            q = q.filter(hazard::Column::MineId.is_in(ids.iter().copied()));
        }
        let rows =
            q.order_by_asc(hazard::Column::HazardId).order_by_asc(hazard::Column::Version).all(self.conn()).await?;
        let mut out = current(rows, |h| h.hazard_id);
        out.sort_by(|a, b| b.risk().cmp(&a.risk()).then(a.review_on.cmp(&b.review_on)).then(a.title.cmp(&b.title)));
        Ok(out)
    }

    /// The current version of a hazard.
    pub async fn hazard(&self, hazard_id: Uuid) -> StoreResult<Hazard> {
        hazard::Entity::find()
            .filter(hazard::Column::HazardId.eq(hazard_id))
            .order_by_desc(hazard::Column::Version)
            .one(self.conn())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Every version of a hazard, oldest first.
    pub async fn hazard_versions(&self, hazard_id: Uuid) -> StoreResult<Vec<Hazard>> {
        Ok(hazard::Entity::find()
            .filter(hazard::Column::HazardId.eq(hazard_id))
            .order_by_asc(hazard::Column::Version)
            .all(self.conn())
            .await?)
    }

    /// People who may own a hazard of a mine of `member_id`: that enterprise's people.
    pub async fn hazard_owner_choices(&self, member_ids: &[Uuid]) -> StoreResult<Vec<crate::registry::Person>> {
        Ok(person::Entity::find()
            .filter(person::Column::MemberId.is_in(member_ids.iter().copied()))
            .order_by_asc(person::Column::Name)
            .all(self.conn())
            .await?)
    }
}

fn hazard_row(id: Uuid, hazard_id: Uuid, version: i32, d: &HazardDraft, tx: &crate::Tx) -> hazard::ActiveModel {
    hazard::ActiveModel {
        id: Set(id),
        hazard_id: Set(hazard_id),
        version: Set(version),
        mine_id: Set(d.mine_id),
        title: Set(d.title.clone()),
        category: Set(d.category.as_str().to_owned()),
        description: Set(d.description.clone()),
        likelihood: Set(i16::from(d.likelihood)),
        severity: Set(i16::from(d.severity)),
        controls: Set(d.controls.clone()),
        owner_id: Set(d.owner_id),
        review_on: Set(d.review_on),
        reason: Set(d.reason.clone()),
        created_at: Set(tx.now()),
        created_by: Set(tx.actor().name.clone()),
    }
}
