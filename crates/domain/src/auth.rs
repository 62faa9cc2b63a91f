//! Who may see and change what. Every web route and API call asks these functions; nothing
//! about permissions is decided in templates or handlers.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    President,
    Inspector,
    Owner,
    SafetyOfficer,
    Bureau,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::President, Role::Inspector, Role::Owner, Role::SafetyOfficer, Role::Bureau];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::President => "president",
            Role::Inspector => "inspector",
            Role::Owner => "owner",
            Role::SafetyOfficer => "safety_officer",
            Role::Bureau => "bureau",
        }
    }

    pub fn parse(s: &str) -> Result<Role, &'static str> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or("err-role")
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A logged-in user as the rules see them. An owner is tied to one member enterprise, a safety
/// officer to one mine (and through it to its enterprise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    pub member_id: Option<Uuid>,
    pub mine_id: Option<Uuid>,
}

/// Which part of the register a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only this mine (and its enterprise).
    Mine {
        mine_id: Uuid,
        member_id: Uuid,
    },
    /// Nothing (a scoped account that lost its link).
    Nothing,
}

impl Scope {
    pub fn includes_member(&self, member_id: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Mine { member_id: m, .. } => *m == member_id,
            Scope::Nothing => false,
        }
    }

    pub fn includes_mine(&self, mine_id: Uuid) -> bool {
        match self {
            Scope::All => true,
            Scope::Mine { mine_id: m, .. } => *m == mine_id,
            Scope::Nothing => false,
        }
    }
}

/// Check that an account's links fit its role: owners need a member enterprise, safety
/// officers a mine, and nobody else carries either.
pub fn check_role_links(role: Role, member: Option<Uuid>, mine: Option<Uuid>) -> Result<(), &'static str> {
    match (role, member.is_some(), mine.is_some()) {
        (Role::Owner, true, false) => Ok(()),
        (Role::Owner, _, _) => Err("err-owner-needs-member"),
        (Role::SafetyOfficer, false, true) => Ok(()),
        (Role::SafetyOfficer, _, _) => Err("err-officer-needs-mine"),
        (_, false, false) => Ok(()),
        _ => Err("err-role-no-links"),
    }
}

impl Principal {
    fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    fn owns_member(&self, member_id: Uuid) -> bool {
        self.role == Role::Owner && self.member_id == Some(member_id)
    }

    /// The register as this principal may see it. `officer_member` is the enterprise of the
    /// safety officer's mine, looked up by the caller.
    pub fn register_scope(&self, officer_member: Option<Uuid>) -> Scope {
        match (self.role, self.mine_id, officer_member) {
            (Role::SafetyOfficer, Some(mine_id), Some(member_id)) => Scope::Mine { mine_id, member_id },
            (Role::SafetyOfficer, _, _) => Scope::Nothing,
            _ => Scope::All,
        }
    }

    pub fn can_create_member(&self) -> bool {
        self.is(&[Role::Admin, Role::President])
    }

    pub fn can_edit_member(&self, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President]) || self.owns_member(member_id)
    }

    pub fn can_create_mine_for(&self, member_id: Uuid) -> bool {
        self.can_edit_member(member_id)
    }

    /// Whether the principal may open the "new mine" form at all (for some enterprise).
    pub fn can_create_mines(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Owner])
    }

    pub fn can_edit_mine(&self, member_id: Uuid) -> bool {
        self.can_edit_member(member_id)
    }

    /// Record licences and their new versions for a mine of `member_id`.
    pub fn can_edit_licences_of(&self, member_id: Uuid) -> bool {
        self.can_edit_member(member_id)
    }

    /// Record surveyed workings of a mine: the co-op's officers and inspectors, the mine's owner
    /// and its safety officer.
    pub fn can_record_workings(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
            || self.owns_member(member_id)
            || (self.role == Role::SafetyOfficer && self.mine_id == Some(mine_id))
    }

    /// A mine's daily production in full: the co-op's officers, inspectors and the bureau for
    /// every mine; an owner for his enterprise's; a safety officer for his mine. Others see
    /// co-op aggregates only.
    pub fn can_view_production_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Bureau])
            || self.owns_member(member_id)
            || (self.role == Role::SafetyOfficer && self.mine_id == Some(mine_id))
    }

    /// Record and correct a mine's production: the mine's own people (its owner and safety
    /// officer) and the administrator; the co-op supervises but does not write a mine's books.
    pub fn can_record_production(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin])
            || self.owns_member(member_id)
            || (self.role == Role::SafetyOfficer && self.mine_id == Some(mine_id))
    }

    /// Register samples of a mine and record their custody: the co-op's inspectors (who run the
    /// sampling programme), the administrator, and the mine's owner and safety officer.
    pub fn can_take_samples(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::Inspector])
            || self.owns_member(member_id)
            || (self.role == Role::SafetyOfficer && self.mine_id == Some(mine_id))
    }

    /// Whether the principal may register samples for some mine.
    pub fn can_take_any_samples(&self) -> bool {
        self.is(&[Role::Admin, Role::Inspector, Role::Owner, Role::SafetyOfficer])
    }

    /// Enter laboratory results: the co-op's side only (the administrator and inspectors), so a
    /// mine never writes its own grades.
    pub fn can_enter_assays(&self) -> bool {
        self.is(&[Role::Admin, Role::Inspector])
    }

    /// Quality control of every laboratory batch: the co-op's officers, inspectors and the
    /// bureau. Owners and safety officers see only the batches holding their mines' samples.
    pub fn can_view_all_qc(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Bureau])
    }

    /// Accept or reject a batch flagged by quality control, and keep the reference materials'
    /// accepted values: the inspectors (who run the sampling programme) and the administrator.
    /// Not the president, who is a member's owner too: the mines do not judge their own grades.
    pub fn can_decide_qc(&self) -> bool {
        self.is(&[Role::Admin, Role::Inspector])
    }

    /// Whether the principal may record production for some mine (to offer the form at all).
    pub fn can_record_any_production(&self) -> bool {
        self.is(&[Role::Admin, Role::Owner, Role::SafetyOfficer])
    }

    /// Open cases and write their log: the co-op as intermediary.
    /// Set the co-op's ore-grade targets: the president and the secretariat (administrator).
    pub fn can_set_targets(&self) -> bool {
        self.is(&[Role::Admin, Role::President])
    }

    /// Record incidents of a mine and raise actions on them: the co-op's officers and inspectors,
    /// the mine's owner and its safety officer. Not the bureau, which reads.
    pub fn can_report_incident(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
            || self.owns_member(member_id)
            || (self.role == Role::SafetyOfficer && self.mine_id == Some(mine_id))
    }

    /// Whether the principal may record incidents for some mine (to offer the form at all).
    pub fn can_report_any_incident(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Owner, Role::SafetyOfficer])
    }

    /// Sign an investigation's report off: the co-op's officers and inspectors, not the mine
    /// that had the accident.
    pub fn can_sign_off_investigation(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
    }

    /// Record blasters' certificates (issued by the public security bureau): the co-op's
    /// officers and inspectors, so that no mine certifies its own blasters.
    pub fn can_manage_blaster_certificates(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
    }

    /// Write off an explosives count's difference once it has been looked into: the co-op's
    /// president or administrator, never the mine whose magazine is short.
    pub fn can_write_off_explosives(&self) -> bool {
        self.is(&[Role::Admin, Role::President])
    }

    /// Every mine's incidents and actions.
    pub fn can_view_all_safety(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Bureau])
    }

    pub fn can_manage_disputes(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
    }

    /// Every case, not only those the principal's enterprise is a party to.
    pub fn can_view_all_disputes(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Bureau])
    }

    /// People of the co-op with their phone numbers: personal data, so not for the bureau
    /// (it sees aggregates) nor for a single mine's safety officer.
    pub fn can_view_people(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Owner])
    }

    pub fn can_edit_people(&self) -> bool {
        self.is(&[Role::Admin, Role::President])
    }

    pub fn can_manage_users(&self) -> bool {
        self.is(&[Role::Admin])
    }

    fn officer_of(&self, mine_id: Uuid) -> bool {
        self.role == Role::SafetyOfficer && self.mine_id == Some(mine_id)
    }

    /// A mine's safety records (incidents, actions, inspections, findings, hazards): the co-op's officers, inspectors and the
    /// bureau for every mine; an owner for his enterprise's mines; a safety officer for his mine.
    pub fn can_view_safety_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Bureau])
            || self.owns_member(member_id)
            || self.officer_of(mine_id)
    }

    /// Inspect a mine (and schedule its inspections, close its findings) and keep its hazard
    /// register: the co-op's officers and inspectors for any mine, the mine's owner and its
    /// safety officer for their own. Never the bureau, which reads only.
    pub fn can_inspect(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
            || self.owns_member(member_id)
            || self.officer_of(mine_id)
    }

    /// Whether the principal may inspect some mine (to offer the forms at all).
    pub fn can_inspect_any(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Owner, Role::SafetyOfficer])
    }

    /// Keep a mine's hazard register.
    pub fn can_manage_hazards_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.can_inspect(mine_id, member_id)
    }

    /// Create and change checklist templates, which every mine's inspections use.
    pub fn can_manage_inspection_templates(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
    }

    /// A mine's workers with their personal data (names, phones, dependants, emergency
    /// contacts; the identity number masked): the co-op's officers and inspectors for every
    /// mine, an owner for his enterprise's mines, a safety officer for his mine. Never the
    /// bureau, which sees aggregates only.
    pub fn can_view_workers_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector])
            || self.owns_member(member_id)
            || self.officer_of(mine_id)
    }

    /// Whether the principal may see the workers of some mine (to offer the pages at all).
    pub fn can_view_any_workers(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Inspector, Role::Owner, Role::SafetyOfficer])
    }

    /// Record and correct a mine's workers, their certificates and training, and show an
    /// identity number whole: the co-op's officers, the mine's owner and its safety officer.
    /// The inspector reads with the number masked.
    pub fn can_manage_workers_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.is(&[Role::Admin, Role::President]) || self.owns_member(member_id) || self.officer_of(mine_id)
    }

    /// Whether the principal may record workers for some mine.
    pub fn can_manage_any_workers(&self) -> bool {
        self.is(&[Role::Admin, Role::President, Role::Owner, Role::SafetyOfficer])
    }

    /// Show a worker's identity number unmasked (each view is audited).
    pub fn can_reveal_id_number_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.can_manage_workers_of(mine_id, member_id)
    }

    /// A mine's injury claims (the worker, the amounts, the family's contact): personal data,
    /// seen by whoever sees the mine's workers, never the bureau.
    pub fn can_view_claims_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.can_view_workers_of(mine_id, member_id)
    }

    /// Open, advance and correct a mine's injury claims and attach their documents: the
    /// co-op's officers, the mine's owner and its safety officer (the employer applies).
    pub fn can_manage_claims_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.can_manage_workers_of(mine_id, member_id)
    }

    /// A mine's insurance policies and its coverage figures (counts, ratios, gaps; no names):
    /// everyone who oversees the mine, the bureau included.
    pub fn can_view_insurance_of(&self, mine_id: Uuid, member_id: Uuid) -> bool {
        self.can_view_safety_of(mine_id, member_id)
    }

    pub fn can_view_audit_log(&self) -> bool {
        self.is(&[Role::Admin, Role::Bureau])
    }

    /// The record types whose audit entries this principal may read; `None`: every one. The
    /// trail repeats every field of a record, so it must not show what the record's own page
    /// would not. A record type not in [`AUDIT_ENTITIES`] is shown only to those who may read
    /// everything: a new kind of record stays out of view until it is classified.
    pub fn visible_audit_entities(&self) -> Option<Vec<&'static str>> {
        let may = |c: AuditClass| match c {
            AuditClass::Register => true,
            AuditClass::People => self.can_view_people(),
            AuditClass::Accounts => self.can_manage_users(),
            // A grievance's text and complainant, and its steps' notes, are for the staff who
            // handle cases, never the bureau's aggregates.
            AuditClass::Grievances => crate::grievances::is_coop_staff(self),
            AuditClass::Workers => self.can_view_any_workers(),
        };
        if AuditClass::ALL.into_iter().all(may) {
            return None;
        }
        Some(AUDIT_ENTITIES.iter().filter(|(_, c)| may(*c)).map(|(e, _)| *e).collect())
    }
}

/// What a record type's audit entries reveal, which decides who may read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditClass {
    /// The register, production, quality, safety and insurance records, coverage figures:
    /// whatever the bureau may read on the pages.
    Register,
    /// Contact people of members and mines.
    People,
    /// Accounts and what is sent to them: users, tokens, alerts (which name injured workers and
    /// certificate holders), e-mails and webhook deliveries.
    Accounts,
    /// Grievances: the complainant, the text, the case's steps.
    Grievances,
    /// Workers and what names them: policy members, injury claims and their documents,
    /// certificates and training.
    Workers,
}

impl AuditClass {
    pub const ALL: [AuditClass; 5] =
        [AuditClass::Register, AuditClass::People, AuditClass::Accounts, AuditClass::Grievances, AuditClass::Workers];
}

/// Every record type the store writes to the audit trail, with its class.
pub const AUDIT_ENTITIES: &[(&str, AuditClass)] = &[
    ("member", AuditClass::Register),
    ("mine", AuditClass::Register),
    ("licence", AuditClass::Register),
    ("working", AuditClass::Register),
    ("dispute", AuditClass::Register),
    ("dispute_event", AuditClass::Register),
    ("notification", AuditClass::Register),
    ("attachment", AuditClass::Register),
    ("production", AuditClass::Register),
    ("sample", AuditClass::Register),
    ("sample_event", AuditClass::Register),
    ("assay", AuditClass::Register),
    ("assay_import", AuditClass::Register),
    ("target", AuditClass::Register),
    ("reported_figure", AuditClass::Register),
    ("qc_decision", AuditClass::Register),
    ("reference_material", AuditClass::Register),
    ("incident", AuditClass::Register),
    ("investigation", AuditClass::Register),
    ("investigation_entry", AuditClass::Register),
    ("hazard", AuditClass::Register),
    ("inspection", AuditClass::Register),
    ("inspection_schedule", AuditClass::Register),
    ("inspection_template", AuditClass::Register),
    ("inspection_answer", AuditClass::Register),
    ("finding", AuditClass::Register),
    ("action", AuditClass::Register),
    ("action_event", AuditClass::Register),
    ("action_escalation", AuditClass::Register),
    ("explosive_entry", AuditClass::Register),
    ("blaster_certificate", AuditClass::Register),
    ("insurance_policy", AuditClass::Register),
    ("coverage_snapshot", AuditClass::Register),
    ("person", AuditClass::People),
    ("user", AuditClass::Accounts),
    ("api_token", AuditClass::Accounts),
    ("alert", AuditClass::Accounts),
    ("alerts", AuditClass::Accounts),
    ("alert_email", AuditClass::Accounts),
    ("webhook_delivery", AuditClass::Accounts),
    ("grievance", AuditClass::Grievances),
    ("grievance_step", AuditClass::Grievances),
    ("grievance_link", AuditClass::Grievances),
    ("grievance_mine", AuditClass::Grievances),
    ("grievance_escalation", AuditClass::Grievances),
    ("worker", AuditClass::Workers),
    ("policy_member", AuditClass::Workers),
    ("injury_claim", AuditClass::Workers),
    ("claim_document", AuditClass::Workers),
    ("worker_certificate", AuditClass::Workers),
    ("worker_training", AuditClass::Workers),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, member: Option<Uuid>, mine: Option<Uuid>) -> Principal {
        Principal { user_id: Uuid::nil(), username: "u".into(), role, member_id: member, mine_id: mine }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse("root"), Err("err-role"));
    }

    #[test]
    fn owner_edits_only_own_enterprise() {
        let mine = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let o = p(Role::Owner, Some(mine), None);
        assert!(o.can_edit_member(mine));
        assert!(!o.can_edit_member(other));
        assert!(o.can_create_mine_for(mine));
        assert!(!o.can_create_mine_for(other));
        assert!(!o.can_create_member());
    }

    #[test]
    fn bureau_and_inspector_change_nothing_in_the_register() {
        for r in [Role::Bureau, Role::Inspector, Role::SafetyOfficer] {
            let x = p(r, None, Some(Uuid::from_u128(3)));
            assert!(!x.can_create_member());
            assert!(!x.can_edit_member(Uuid::from_u128(1)));
            assert!(!x.can_create_mines());
            assert!(!x.can_edit_people());
        }
        assert!(!p(Role::Bureau, None, None).can_view_people());
        assert!(p(Role::Bureau, None, None).can_view_audit_log());
        // The bureau reads the register's trail, and nothing that names a person, an account,
        // a complainant or a worker (alerts name injured workers; e-mails carry addresses).
        let bureau = p(Role::Bureau, None, None).visible_audit_entities().expect("a filtered trail");
        for e in ["member", "mine", "licence", "incident", "production", "insurance_policy", "coverage_snapshot"] {
            assert!(bureau.contains(&e), "{e}");
        }
        for e in [
            "person",
            "user",
            "api_token",
            "alert",
            "alert_email",
            "webhook_delivery",
            "grievance",
            "grievance_step",
            "grievance_mine",
            "worker",
            "policy_member",
            "injury_claim",
            "claim_document",
            "worker_certificate",
            "worker_training",
            "a_record_type_not_yet_classified",
        ] {
            assert!(!bureau.contains(&e), "{e}");
        }
        assert_eq!(p(Role::Admin, None, None).visible_audit_entities(), None);
        let names: std::collections::HashSet<_> = AUDIT_ENTITIES.iter().map(|(e, _)| e).collect();
        assert_eq!(names.len(), AUDIT_ENTITIES.len(), "each record type classified once");
        assert!(!p(Role::President, None, None).can_manage_users());
    }

    #[test]
    fn safety_officer_scope_is_one_mine() {
        let mine = Uuid::from_u128(7);
        let member = Uuid::from_u128(8);
        let s = p(Role::SafetyOfficer, None, Some(mine));
        assert_eq!(s.register_scope(Some(member)), Scope::Mine { mine_id: mine, member_id: member });
        assert_eq!(s.register_scope(None), Scope::Nothing);
        let scope = s.register_scope(Some(member));
        assert!(scope.includes_mine(mine) && scope.includes_member(member));
        assert!(!scope.includes_mine(member) && !scope.includes_member(mine));
        assert!(Scope::All.includes_mine(mine) && !Scope::Nothing.includes_member(member));
        assert_eq!(p(Role::Owner, Some(member), None).register_scope(None), Scope::All);
    }

    #[test]
    fn incidents_are_recorded_by_the_mine_and_the_coop_and_read_by_the_bureau() {
        let (mine, member, other) = (Uuid::from_u128(7), Uuid::from_u128(8), Uuid::from_u128(9));
        let officer = p(Role::SafetyOfficer, None, Some(mine));
        assert!(officer.can_report_incident(mine, member) && !officer.can_report_incident(other, member));
        let owner = p(Role::Owner, Some(member), None);
        assert!(owner.can_report_incident(other, member) && !owner.can_report_incident(mine, other));
        assert!(!owner.can_view_safety_of(mine, other));
        let bureau = p(Role::Bureau, None, None);
        assert!(bureau.can_view_safety_of(mine, member) && !bureau.can_report_incident(mine, member));
        assert!(bureau.can_view_all_safety() && !bureau.can_report_any_incident());
        assert!(p(Role::Inspector, None, None).can_report_incident(mine, member));
        assert!(p(Role::Inspector, None, None).can_sign_off_investigation() && !owner.can_sign_off_investigation());
        assert!(!officer.can_sign_off_investigation() && !bureau.can_sign_off_investigation());
        assert!(!officer.can_manage_blaster_certificates() && !owner.can_manage_blaster_certificates());
        assert!(
            !bureau.can_manage_blaster_certificates()
                && p(Role::President, None, None).can_manage_blaster_certificates()
        );
    }

    #[test]
    fn safety_is_seen_by_all_overseers_and_kept_by_the_mine_and_the_coop() {
        let (mine, member) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let (other_mine, other_member) = (Uuid::from_u128(9), Uuid::from_u128(10));
        for r in [Role::Admin, Role::President, Role::Inspector] {
            let x = p(r, None, None);
            assert!(x.can_view_safety_of(other_mine, other_member) && x.can_inspect(other_mine, other_member));
            assert!(
                x.can_manage_hazards_of(mine, member) && x.can_manage_inspection_templates() && x.can_inspect_any()
            );
        }
        let bureau = p(Role::Bureau, None, None);
        assert!(bureau.can_view_safety_of(mine, member));
        assert!(!bureau.can_inspect(mine, member) && !bureau.can_manage_hazards_of(mine, member));
        assert!(!bureau.can_manage_inspection_templates() && !bureau.can_inspect_any());
        let owner = p(Role::Owner, Some(member), None);
        assert!(owner.can_view_safety_of(mine, member) && owner.can_inspect(mine, member));
        assert!(!owner.can_view_safety_of(other_mine, other_member) && !owner.can_inspect(other_mine, other_member));
        assert!(!owner.can_manage_inspection_templates() && owner.can_inspect_any());
        let officer = p(Role::SafetyOfficer, None, Some(mine));
        assert!(officer.can_view_safety_of(mine, member) && officer.can_manage_hazards_of(mine, member));
        // Another mine of the same enterprise is not his.
        assert!(!officer.can_view_safety_of(other_mine, member) && !officer.can_inspect(other_mine, member));
        assert!(!officer.can_manage_inspection_templates());
    }

    #[test]
    fn workers_are_seen_by_those_who_need_them_and_never_by_the_bureau() {
        let (mine, member) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let (other_mine, other_member) = (Uuid::from_u128(9), Uuid::from_u128(10));
        for r in [Role::Admin, Role::President] {
            let x = p(r, None, None);
            assert!(x.can_view_workers_of(other_mine, other_member) && x.can_reveal_id_number_of(mine, member));
        }
        let inspector = p(Role::Inspector, None, None);
        assert!(inspector.can_view_workers_of(mine, member) && !inspector.can_reveal_id_number_of(mine, member));
        assert!(!inspector.can_manage_workers_of(mine, member) && !inspector.can_manage_any_workers());
        let owner = p(Role::Owner, Some(member), None);
        assert!(owner.can_reveal_id_number_of(mine, member) && !owner.can_view_workers_of(other_mine, other_member));
        let officer = p(Role::SafetyOfficer, None, Some(mine));
        assert!(officer.can_manage_workers_of(mine, member) && officer.can_reveal_id_number_of(mine, member));
        assert!(!officer.can_view_workers_of(other_mine, member), "another mine of the same enterprise");
        let bureau = p(Role::Bureau, None, None);
        assert!(!bureau.can_view_workers_of(mine, member) && !bureau.can_view_any_workers());
        assert!(!bureau.can_reveal_id_number_of(mine, member) && !bureau.can_manage_any_workers());
        assert!(bureau.can_view_insurance_of(other_mine, other_member), "aggregates only");
        assert!(!officer.can_view_insurance_of(other_mine, member));
    }

    #[test]
    fn injury_claims_are_personal_data_like_the_workers() {
        let (mine, member) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let (other_mine, other_member) = (Uuid::from_u128(9), Uuid::from_u128(10));
        for r in [Role::Admin, Role::President] {
            let x = p(r, None, None);
            assert!(x.can_manage_claims_of(other_mine, other_member) && x.can_view_claims_of(mine, member));
        }
        let inspector = p(Role::Inspector, None, None);
        assert!(inspector.can_view_claims_of(mine, member) && !inspector.can_manage_claims_of(mine, member));
        let owner = p(Role::Owner, Some(member), None);
        assert!(owner.can_manage_claims_of(mine, member) && !owner.can_view_claims_of(other_mine, other_member));
        let officer = p(Role::SafetyOfficer, None, Some(mine));
        assert!(officer.can_manage_claims_of(mine, member) && !officer.can_view_claims_of(other_mine, member));
        let bureau = p(Role::Bureau, None, None);
        assert!(!bureau.can_view_claims_of(mine, member) && !bureau.can_manage_claims_of(mine, member));
        // The trail repeats a claim's and its documents' fields: hidden from the bureau.
        let seen = bureau.visible_audit_entities().unwrap_or_default();
        assert!(!seen.contains(&"injury_claim") && !seen.contains(&"claim_document"));
        assert!(officer.visible_audit_entities().is_none_or(|v| v.contains(&"injury_claim")));
    }

    #[test]
    fn role_links_are_checked() {
        let id = Some(Uuid::from_u128(1));
        assert_eq!(check_role_links(Role::Owner, id, None), Ok(()));
        assert_eq!(check_role_links(Role::Owner, None, None), Err("err-owner-needs-member"));
        assert_eq!(check_role_links(Role::SafetyOfficer, None, id), Ok(()));
        assert_eq!(check_role_links(Role::SafetyOfficer, None, None), Err("err-officer-needs-mine"));
        assert_eq!(check_role_links(Role::SafetyOfficer, id, id), Err("err-officer-needs-mine"), "a mine only");
        assert_eq!(check_role_links(Role::Admin, id, None), Err("err-role-no-links"));
        assert_eq!(check_role_links(Role::Bureau, None, None), Ok(()));
    }
}
