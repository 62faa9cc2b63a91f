//! Special-operation certificates and training records of a worker. A job that needs a
//! certificate ([`super::Job::certificate`]) needs one of its type valid on the day; one that
//! ends within [`EXPIRY_ALERT_DAYS`] alerts the mine's safety officer once.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{CertificateType, Job};
use crate::validation::{FieldErrors, era_date, required_text};

/// Days before a certificate ends from which its mine's safety officer is alerted.
pub const EXPIRY_ALERT_DAYS: i64 = 30;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CertificateInput {
    /// A code of the certificate types (`blaster`, `hoist_operator`, ...).
    pub cert_type: String,
    pub number: String,
    pub issued_by: String,
    pub issued_on: String,
    pub expires_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateDraft {
    pub cert_type: CertificateType,
    pub number: String,
    pub issued_by: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

impl CertificateDraft {
    pub fn parse(i: &CertificateInput, today: NaiveDate) -> Result<CertificateDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let cert_type = e.take("cert_type", CertificateType::parse(&i.cert_type));
        let number = e.take("number", required_text(&i.number, 60));
        let issued_by = e.take("issued_by", required_text(&i.issued_by, 200));
        let issued_on = e.take("issued_on", era_date(&i.issued_on));
        let expires_on = e.take("expires_on", era_date(&i.expires_on));
        if let Some(d) = issued_on
            && d > today
        {
            e.add("issued_on", "err-future-date");
        }
        if let (Some(a), Some(b)) = (issued_on, expires_on)
            && b <= a
        {
            e.add("expires_on", "err-end-before-start");
        }
        match (cert_type, number, issued_by, issued_on, expires_on) {
            (Some(cert_type), Some(number), Some(issued_by), Some(issued_on), Some(expires_on)) if e.is_empty() => {
                Ok(CertificateDraft { cert_type, number, issued_by, issued_on, expires_on })
            }
            _ => Err(e),
        }
    }
}

/// A certificate is valid from its issue date up to and including its expiry date.
pub fn valid_on(issued_on: NaiveDate, expires_on: NaiveDate, day: NaiveDate) -> bool {
    issued_on <= day && day <= expires_on
}

/// Whether a certificate still valid on `today` ends within the alert window.
pub fn expiring_soon(expires_on: NaiveDate, today: NaiveDate) -> bool {
    today <= expires_on && (expires_on - today).num_days() <= EXPIRY_ALERT_DAYS
}

/// The certificate a worker in `job` lacks on `day`, given his certificates (type, issued,
/// expires); `None` when the job needs none or one of its type is valid.
pub fn missing_certificate(
    job: Job,
    certificates: &[(CertificateType, NaiveDate, NaiveDate)],
    day: NaiveDate,
) -> Option<CertificateType> {
    let needed = job.certificate()?;
    let ok = certificates.iter().any(|(t, from, to)| *t == needed && valid_on(*from, *to, day));
    (!ok).then_some(needed)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TrainingInput {
    pub course: String,
    pub on_date: String,
    /// Hours, to a tenth (`7.5`).
    pub hours: String,
    pub trainer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingDraft {
    pub course: String,
    pub on_date: NaiveDate,
    /// Tenths of an hour.
    pub hours_tenths: i32,
    pub trainer: String,
}

impl TrainingDraft {
    pub fn parse(i: &TrainingInput, today: NaiveDate) -> Result<TrainingDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let course = e.take("course", required_text(&i.course, 200));
        let on_date = e.take("on_date", era_date(&i.on_date));
        if let Some(d) = on_date
            && d > today
        {
            e.add("on_date", "err-future-date");
        }
        let hours = match i.hours.trim().parse::<Decimal>() {
            Ok(h) if h <= Decimal::ZERO => {
                e.add("hours", "err-positive");
                None
            }
            Ok(h) if h > Decimal::from(1000) => {
                e.add("hours", "err-too-large");
                None
            }
            Ok(h) => {
                let tenths = (h * Decimal::from(10)).round();
                if tenths != h * Decimal::from(10) {
                    e.add("hours", "err-hours-tenths");
                    None
                } else {
                    i32::try_from(tenths.mantissa() / 10i128.pow(tenths.scale())).ok()
                }
            }
            Err(_) => {
                e.add("hours", if i.hours.trim().is_empty() { "err-required" } else { "err-number" });
                None
            }
        };
        let trainer = e.take("trainer", required_text(&i.trainer, 200));
        match (course, on_date, hours, trainer) {
            (Some(course), Some(on_date), Some(hours_tenths), Some(trainer)) if e.is_empty() => {
                Ok(TrainingDraft { course, on_date, hours_tenths, trainer })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_job_needs_a_valid_certificate_of_its_type() {
        let certs = [(CertificateType::Blaster, d("2024-01-01"), d("2026-12-31"))];
        assert_eq!(missing_certificate(Job::Blaster, &certs, d("2026-12-31")), None);
        assert_eq!(missing_certificate(Job::Blaster, &certs, d("2027-01-01")), Some(CertificateType::Blaster));
        assert_eq!(missing_certificate(Job::Blaster, &certs, d("2023-12-31")), Some(CertificateType::Blaster));
        assert_eq!(
            missing_certificate(Job::HoistOperator, &certs, d("2026-06-01")),
            Some(CertificateType::HoistOperator)
        );
        assert_eq!(missing_certificate(Job::Miner, &[], d("2026-06-01")), None);
    }

    #[test]
    fn expiring_within_thirty_days() {
        assert!(expiring_soon(d("2026-12-26"), d("2026-11-26")));
        assert!(!expiring_soon(d("2026-12-27"), d("2026-11-26")));
        assert!(expiring_soon(d("2026-11-26"), d("2026-11-26")));
        assert!(!expiring_soon(d("2026-11-25"), d("2026-11-26")), "already expired");
    }

    #[test]
    fn certificates_and_training_are_checked() {
        let i = CertificateInput {
            cert_type: "blaster".into(),
            number: "T522701199001".into(),
            issued_by: "黔南州应急管理局".into(),
            issued_on: "2024-03-01".into(),
            expires_on: "2030-03-01".into(),
        };
        assert!(CertificateDraft::parse(&i, d("2026-11-26")).is_ok());
        let bad = CertificateInput { cert_type: "pilot".into(), expires_on: "2024-02-01".into(), ..i.clone() };
        let e = CertificateDraft::parse(&bad, d("2026-11-26")).unwrap_err();
        assert_eq!(e.get("cert_type").unwrap().code, "err-choice");
        assert_eq!(e.get("expires_on").unwrap().code, "err-end-before-start");
        let t = TrainingInput {
            course: "三级安全教育".into(),
            on_date: "2026-03-01".into(),
            hours: "7.5".into(),
            trainer: "黄丽".into(),
        };
        assert_eq!(TrainingDraft::parse(&t, d("2026-11-26")).unwrap().hours_tenths, 75);
        for (h, code) in
            [("0", "err-positive"), ("7.55", "err-hours-tenths"), ("x", "err-number"), ("", "err-required")]
        {
            let e = TrainingDraft::parse(&TrainingInput { hours: h.into(), ..t.clone() }, d("2026-11-26")).unwrap_err();
            assert_eq!(e.get("hours").unwrap().code, code, "{h}");
        }
    }
}
