//! Certificates and training of workers: recorded (never changed: a renewed certificate is a
//! new one), the workers whose job lacks a valid certificate, and the daily alert of those that
//! end within 30 days (once each).

use std::collections::HashMap;

use chrono::NaiveDate;
use minecoop_domain::alerts::AlertKind;
use minecoop_domain::workforce::certificate::{
    CertificateDraft, EXPIRY_ALERT_DAYS, TrainingDraft, missing_certificate,
};
use minecoop_domain::workforce::{CertificateType, Job, WorkerState, state_on};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{certificate, current, training};
use crate::alerts::{Alert, raise_alert};
use crate::{Actor, Store, StoreResult, new_id};

pub use certificate::Model as Certificate;
pub use training::Model as Training;

impl Store {
    pub async fn add_certificate(
        &self,
        actor: &Actor,
        worker_id: Uuid,
        d: &CertificateDraft,
    ) -> StoreResult<Certificate> {
        let mut tx = self.begin(actor).await?;
        current(tx.conn(), worker_id).await?;
        let m = certificate::ActiveModel {
            id: Set(new_id()),
            worker_id: Set(worker_id),
            cert_type: Set(d.cert_type.as_str().to_owned()),
            number: Set(d.number.clone()),
            issued_by: Set(d.issued_by.clone()),
            issued_on: Set(d.issued_on),
            expires_on: Set(d.expires_on),
            alerted_on: Set(None),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "worker_certificate", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// A worker's certificates, latest expiry first.
    pub async fn certificates_of(&self, worker_id: Uuid) -> StoreResult<Vec<Certificate>> {
        Ok(certificate::Entity::find()
            .filter(certificate::Column::WorkerId.eq(worker_id))
            .order_by_desc(certificate::Column::ExpiresOn)
            .all(self.conn())
            .await?)
    }

    pub async fn add_training(&self, actor: &Actor, worker_id: Uuid, d: &TrainingDraft) -> StoreResult<Training> {
        let mut tx = self.begin(actor).await?;
        current(tx.conn(), worker_id).await?;
        let m = training::ActiveModel {
            id: Set(new_id()),
            worker_id: Set(worker_id),
            course: Set(d.course.clone()),
            on_date: Set(d.on_date),
            hours_tenths: Set(d.hours_tenths),
            trainer: Set(d.trainer.clone()),
            created_at: Set(tx.now()),
            created_by: Set(tx.actor().name.clone()),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "worker_training", m.id, None::<&()>, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    /// A worker's training, latest first.
    pub async fn training_of(&self, worker_id: Uuid) -> StoreResult<Vec<Training>> {
        Ok(training::Entity::find()
            .filter(training::Column::WorkerId.eq(worker_id))
            .order_by_desc(training::Column::OnDate)
            .all(self.conn())
            .await?)
    }

    /// The workers among `workers` active on `day` whose job lacks a valid certificate, with
    /// the certificate type they lack.
    pub async fn missing_certificates(
        &self,
        workers: &[super::Worker],
        day: NaiveDate,
    ) -> StoreResult<HashMap<Uuid, CertificateType>> {
        let needing: Vec<(&super::Worker, Job)> = workers
            .iter()
            .filter(|w| state_on(w.start_date, w.end_date, day) == WorkerState::Active)
            .filter_map(|w| Job::parse(&w.job).ok().filter(|j| j.certificate().is_some()).map(|j| (w, j)))
            .collect();
        let mut held: HashMap<Uuid, Vec<(CertificateType, NaiveDate, NaiveDate)>> = HashMap::new();
        for chunk in needing.chunks(500) {
            for c in certificate::Entity::find()
                .filter(certificate::Column::WorkerId.is_in(chunk.iter().map(|(w, _)| w.worker_id)))
                .all(self.conn())
                .await?
            {
                if let Ok(t) = CertificateType::parse(&c.cert_type) {
                    held.entry(c.worker_id).or_default().push((t, c.issued_on, c.expires_on));
                }
            }
        }
        Ok(needing
            .into_iter()
            .filter_map(|(w, j)| {
                missing_certificate(j, held.get(&w.worker_id).map(Vec::as_slice).unwrap_or(&[]), day)
                    .map(|t| (w.worker_id, t))
            })
            .collect())
    }

    /// Alert each mine's safety officer of the certificates of its working workers that end
    /// within 30 days of `today`, once per certificate. Returns how many were alerted.
    pub async fn alert_expiring_certificates(&self, today: NaiveDate) -> StoreResult<usize> {
        let due = certificate::Entity::find()
            .filter(certificate::Column::AlertedOn.is_null())
            .filter(certificate::Column::ExpiresOn.gte(today))
            .filter(certificate::Column::ExpiresOn.lte(today + chrono::Duration::days(EXPIRY_ALERT_DAYS)))
            .order_by_asc(certificate::Column::ExpiresOn)
            .all(self.conn())
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin(&Actor::system("certificates")).await?;
        let mut n = 0;
        for c in due {
            let w = current(tx.conn(), c.worker_id).await?;
            let mut marked: certificate::ActiveModel = c.clone().into();
            marked.alerted_on = Set(Some(today));
            let after = marked.update(tx.conn()).await?;
            tx.record("alerted", "worker_certificate", c.id, Some(&c), Some(&after));
            // A worker who has left needs no reminder.
            if state_on(w.start_date, w.end_date, today) == WorkerState::Left {
                continue;
            }
            let alert = Alert {
                kind: AlertKind::CertificateExpiring,
                mine_id: w.mine_id,
                message: "alert-certificate-expiring".into(),
                args: vec![
                    ("name".into(), w.name.clone()),
                    ("type".into(), c.cert_type.clone()),
                    ("number".into(), c.number.clone()),
                    ("expires".into(), c.expires_on.to_string()),
                ],
                link: format!("/workers/{}", w.worker_id),
                also: Vec::new(),
            };
            raise_alert(&mut tx, &alert).await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }
}
