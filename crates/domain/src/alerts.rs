//! Alerts: who must hear at once of a serious incident, an explosives difference or an overdue
//! corrective action, and the rules of delivery (retry schedule, webhook signature, e-mail address).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::Role;
use crate::registry::code_enum;
use crate::safety::AccidentClass;
use crate::safety::action::Escalation;

code_enum!(
    /// What an alert is about. Each kind has its audience ([`AlertKind::audience`]).
    AlertKind, "err-choice", {
        Incident => "incident",
        ExplosivesDifference => "explosives_difference",
        ActionOverdue => "action_overdue",
        ActionOverduePresident => "action_overdue_president",
        ActionReminder => "action_reminder",
        GrievanceOverdue => "grievance_overdue",
        GrievanceOverduePresident => "grievance_overdue_president",
        CertificateExpiring => "certificate_expiring",
        PolicyExpiring => "policy_expiring",
        ClaimDeadlineNear => "claim_deadline_near",
        ClaimDeadlinePassed => "claim_deadline_passed",
    }
);

/// Who receives an alert about a mine: users of these co-op roles, and the mine's people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    pub roles: &'static [Role],
    /// The owners of the member enterprise the mine belongs to.
    pub mine_owners: bool,
    /// The safety officers of the mine.
    pub safety_officers: bool,
}

impl AlertKind {
    /// The people the co-op names for each alert (issue 5 item 9). An overdue action's own owner
    /// is added by name by whoever raises it.
    pub fn audience(self) -> Audience {
        match self {
            AlertKind::Incident => Audience {
                roles: &[Role::Admin, Role::President, Role::Inspector],
                mine_owners: true,
                safety_officers: true,
            },
            AlertKind::ExplosivesDifference => {
                Audience { roles: &[Role::Admin, Role::President], mine_owners: true, safety_officers: true }
            }
            AlertKind::ActionOverdue => Audience { roles: &[], mine_owners: true, safety_officers: false },
            AlertKind::ActionOverduePresident => {
                Audience { roles: &[Role::President], mine_owners: true, safety_officers: false }
            }
            // The action's owner only, added by name.
            AlertKind::ActionReminder => Audience { roles: &[], mine_owners: false, safety_officers: false },
            // A grievance's overdue step: first the mine's owner (and its safety officer, who
            // handles the case with him), a week later the president too. A case naming no mine
            // goes to the co-op's officers (see `raise_coop_alert` in the store).
            AlertKind::GrievanceOverdue => Audience { roles: &[], mine_owners: true, safety_officers: true },
            AlertKind::GrievanceOverduePresident => {
                Audience { roles: &[Role::President], mine_owners: true, safety_officers: false }
            }
            // A worker's special-operation certificate ends within 30 days: the mine's safety
            // officer, who keeps the workers' certificates.
            AlertKind::CertificateExpiring => Audience { roles: &[], mine_owners: false, safety_officers: true },
            // A mine's insurance policy ends within 30 days with no successor: the mine's owner
            // (who pays the premium) and safety officer, and the co-op's officers, as for an
            // explosives difference.
            AlertKind::PolicyExpiring => {
                Audience { roles: &[Role::Admin, Role::President], mine_owners: true, safety_officers: true }
            }
            // An injury claim's 30-day determination deadline close or passed without an
            // application: the employer applies, so the mine's owner and its safety officer.
            AlertKind::ClaimDeadlineNear | AlertKind::ClaimDeadlinePassed => {
                Audience { roles: &[], mine_owners: true, safety_officers: true }
            }
        }
    }

    /// The event name webhooks subscribe to (both levels of an overdue action are one event).
    pub fn event(self) -> &'static str {
        match self {
            AlertKind::ActionOverdue | AlertKind::ActionOverduePresident => "action_overdue",
            AlertKind::GrievanceOverdue | AlertKind::GrievanceOverduePresident => "grievance_overdue",
            AlertKind::ClaimDeadlineNear | AlertKind::ClaimDeadlinePassed => "claim_deadline",
            k => k.as_str(),
        }
    }

    /// The alert an overdue action raises at an escalation, if any.
    pub fn of_escalation(e: Escalation) -> Option<AlertKind> {
        match e {
            Escalation::MineOwner => Some(AlertKind::ActionOverdue),
            Escalation::President => Some(AlertKind::ActionOverduePresident),
            Escalation::Reminder => Some(AlertKind::ActionReminder),
            Escalation::None => None,
        }
    }
}

/// Every event a webhook can subscribe to.
pub const EVENTS: [&str; 8] = [
    "incident",
    "explosives_difference",
    "action_overdue",
    "action_reminder",
    "grievance_overdue",
    "certificate_expiring",
    "policy_expiring",
    "claim_deadline",
];

/// Whether an incident of class `now` (previously `before`, `None` when new) must be alerted:
/// once, when it first reaches relatively large or above.
pub fn incident_alert_due(before: Option<AccidentClass>, now: AccidentClass) -> bool {
    now.at_least(AccidentClass::RelativelyLarge) && !before.is_some_and(|b| b.at_least(AccidentClass::RelativelyLarge))
}

/// Attempts after which a delivery is given up (marked failed, kept for the record).
pub const MAX_ATTEMPTS: i32 = 10;

/// The first retry waits this long; each next one twice as long, up to [`MAX_DELAY_MINUTES`].
pub const FIRST_DELAY_MINUTES: i64 = 1;
pub const MAX_DELAY_MINUTES: i64 = 6 * 60;

/// When to try again after `attempts` failed tries (1 after the first failure), or `None` when
/// it is time to give up: 1, 2, 4, 8 ... minutes, at most six hours apart.
pub fn next_attempt(attempts: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exp = attempts.clamp(1, 30) - 1;
    let minutes = FIRST_DELAY_MINUTES.saturating_mul(1i64 << exp).min(MAX_DELAY_MINUTES);
    Some(now + Duration::minutes(minutes))
}

/// HMAC-SHA256 (RFC 2104) of `body` with `secret`, as lowercase hex: the webhook signature a
/// receiver recomputes with the shared secret.
pub fn hmac_sha256_hex(secret: &[u8], body: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut key = [0u8; BLOCK];
    if secret.len() > BLOCK {
        key[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let pad = |b: u8| key.iter().map(|k| k ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(body).finalize();
    let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    hex::encode(outer)
}

/// A plausible e-mail address (one `@`, something on both sides, a dot in the domain, no spaces
/// or angle brackets): enough to refuse typing mistakes; the mail server has the last word.
pub fn check_email(s: &str) -> Result<String, &'static str> {
    let s = s.trim();
    let ok = s.len() <= 254
        && s.split('@').count() == 2
        && s.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'));
    if ok { Ok(s.to_owned()) } else { Err("err-email") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hmac_sha256_hex(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn retries_back_off_doubling_to_six_hours_then_give_up() {
        let t0 = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let mins = |a| next_attempt(a, t0).map(|t| (t - t0).num_minutes());
        assert_eq!((1..=9).map(mins).collect::<Vec<_>>(), [1, 2, 4, 8, 16, 32, 64, 128, 256].map(Some).to_vec());
        assert_eq!(mins(0), Some(1));
        assert_eq!(mins(MAX_ATTEMPTS), None);
        assert_eq!(mins(i32::MAX), None);
    }

    #[test]
    fn audiences_and_events() {
        let a = AlertKind::Incident.audience();
        assert!(a.roles.contains(&Role::Inspector) && a.mine_owners && a.safety_officers);
        let e = AlertKind::ExplosivesDifference.audience();
        assert!(!e.roles.contains(&Role::Inspector) && e.roles.contains(&Role::President));
        assert!(AlertKind::ActionOverdue.audience().roles.is_empty());
        assert_eq!(AlertKind::ActionOverduePresident.audience().roles, &[Role::President]);
        assert_eq!(AlertKind::ActionOverduePresident.event(), "action_overdue");
        assert_eq!(AlertKind::of_escalation(Escalation::Reminder), Some(AlertKind::ActionReminder));
        assert_eq!(AlertKind::of_escalation(Escalation::None), None);
        let r = AlertKind::ActionReminder.audience();
        assert!(r.roles.is_empty() && !r.mine_owners && !r.safety_officers, "the owner alone, by name");
        let p = AlertKind::PolicyExpiring.audience();
        assert!(p.mine_owners && p.safety_officers && p.roles.contains(&Role::President));
        assert_eq!(AlertKind::PolicyExpiring.event(), "policy_expiring");
        for k in AlertKind::ALL {
            assert!(EVENTS.contains(&k.event()));
        }
    }

    #[test]
    fn an_incident_is_alerted_once_when_it_reaches_relatively_large() {
        use AccidentClass::*;
        assert!(!incident_alert_due(None, General));
        assert!(incident_alert_due(None, RelativelyLarge));
        assert!(incident_alert_due(Some(General), Major));
        assert!(!incident_alert_due(Some(RelativelyLarge), Major));
        assert!(!incident_alert_due(Some(Major), General));
    }

    #[test]
    fn e_mail_addresses() {
        assert_eq!(check_email(" wang@daping.example.cn "), Ok("wang@daping.example.cn".into()));
        for bad in ["", "wang", "wang@", "@x.cn", "wang@localhost", "a b@x.cn", "a@b@x.cn", "<a@x.cn>", "a@x.cn."] {
            assert_eq!(check_email(bad), Err("err-email"), "{bad}");
        }
    }
}
