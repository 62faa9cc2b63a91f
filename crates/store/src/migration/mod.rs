//! One migration set for every backend. Portable SQL only: no backend-specific types,
//! UUID keys, integers for quantities.

use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_cadastre;
mod m20261126_000003_disputes;
mod m20261126_000004_login_ip;
mod m20261126_000005_production;
mod m20261126_000006_samples;
mod m20261126_000007_reported_figures;
mod m20261126_000008_attachments;
mod m20261126_000009_qc;
mod m20261126_000010_targets;
mod m20261126_000011_incidents;
mod m20261126_000012_inspections;
mod m20261126_000013_report_speed;
mod m20261126_000014_alerts;
mod m20261126_000015_explosives;
mod m20261126_000016_workforce;
mod m20261126_000017_grievances;
mod m20261126_000018_qc_decided_outcome;
mod m20261127_000019_injury_claims;
mod m20261127_000020_insurance_watch;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_cadastre::Migration),
            Box::new(m20261126_000003_disputes::Migration),
            Box::new(m20261126_000004_login_ip::Migration),
            Box::new(m20261126_000005_production::Migration),
            Box::new(m20261126_000006_samples::Migration),
            Box::new(m20261126_000007_reported_figures::Migration),
            Box::new(m20261126_000008_attachments::Migration),
            Box::new(m20261126_000009_qc::Migration),
            Box::new(m20261126_000010_targets::Migration),
            Box::new(m20261126_000011_incidents::Migration),
            Box::new(m20261126_000012_inspections::Migration),
            Box::new(m20261126_000013_report_speed::Migration),
            Box::new(m20261126_000014_alerts::Migration),
            Box::new(m20261126_000015_explosives::Migration),
            Box::new(m20261126_000016_workforce::Migration),
            Box::new(m20261126_000017_grievances::Migration),
            Box::new(m20261126_000018_qc_decided_outcome::Migration),
            Box::new(m20261127_000019_injury_claims::Migration),
            Box::new(m20261127_000020_insurance_watch::Migration),
        ]
    }
}
