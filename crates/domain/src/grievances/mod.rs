//! Grievances (issue 6 item 4): complaints of miners, villagers and farmers, taken from the
//! public page without an account or recorded by staff from a visit, a call or the suggestion
//! box. A case moves through a fixed workflow whose every step is timed and kept (never edited
//! or deleted); the complainant follows it with a tracking code. Anonymous grievances carry
//! nothing that identifies the person.

pub mod code;
pub mod stats;
pub mod workflow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Principal, Role};
use crate::registry::code_enum;
use crate::validation::{FieldErrors, era_date, optional_phone, optional_text, required_text};

pub use workflow::{Deadlines, Status};

code_enum!(
    /// What a grievance is about.
    Category, "err-choice", {
        Wages => "wages", Safety => "safety", Land => "land", Water => "water",
        DustNoise => "dust_noise", Crops => "crops", Compensation => "compensation",
        Discrimination => "discrimination", Other => "other",
    }
);

code_enum!(
    /// Who complains.
    ComplainantType, "err-choice", { Worker => "worker", Villager => "villager", Farmer => "farmer", Other => "other" }
);

code_enum!(
    /// How the grievance reached the co-op: the public page, or staff who received it.
    Channel, "err-choice", {
        Web => "web", InPerson => "in_person", Phone => "phone", SuggestionBox => "suggestion_box",
    }
);

/// The longest account of what happened.
pub const MAX_TEXT: usize = 4000;

/// A grievance as entered: every field a string, the mines a list of ids (empty: "don't know").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GrievanceInput {
    pub category: String,
    pub complainant_type: String,
    /// The mines concerned (ids); empty when the complainant does not know.
    pub mines: Vec<String>,
    /// `web` from the public page; staff choose `in_person`, `phone` or `suggestion_box`.
    pub channel: String,
    /// What happened.
    pub description: String,
    /// When it happened, in the complainant's words.
    pub occurred: String,
    /// Where it happened.
    pub place: String,
    /// `1` (or `true`): the complainant gives no name or phone.
    pub anonymous: String,
    pub name: String,
    pub phone: String,
    /// The day it was received (staff intake; empty: today).
    pub received_on: String,
}

/// Who complains, as far as the co-op may know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Complainant {
    /// Nothing that identifies the person is kept.
    Anonymous,
    Named {
        name: Option<String>,
        phone: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrievanceDraft {
    pub category: Category,
    pub complainant_type: ComplainantType,
    pub mines: Vec<Uuid>,
    pub channel: Channel,
    pub description: String,
    pub occurred: Option<String>,
    pub place: Option<String>,
    pub complainant: Complainant,
    pub received_on: NaiveDate,
}

fn yes(s: &str) -> bool {
    matches!(s.trim(), "1" | "true" | "on" | "yes")
}

impl GrievanceDraft {
    /// `today` in the co-op's time. `public`: from the page without login, which is always the
    /// `web` channel on the day it is sent.
    pub fn parse(i: &GrievanceInput, today: NaiveDate, public: bool) -> Result<GrievanceDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let category = e.take("category", Category::parse(&i.category));
        let complainant_type = e.take("complainant_type", ComplainantType::parse(&i.complainant_type));
        let mut mines = Vec::new();
        for m in i.mines.iter().map(|m| m.trim()).filter(|m| !m.is_empty() && *m != "unknown") {
            match Uuid::parse_str(m) {
                Ok(id) if !mines.contains(&id) => mines.push(id),
                Ok(_) => {}
                Err(_) => e.add("mines", "err-choice"),
            }
        }
        let channel = if public {
            Some(Channel::Web)
        } else {
            match Channel::parse(&i.channel) {
                Ok(Channel::Web) | Err(_) => {
                    e.add("channel", "err-choice");
                    None
                }
                Ok(c) => Some(c),
            }
        };
        let description = e.take("description", required_text(&i.description, MAX_TEXT));
        let occurred = e.take("occurred", optional_text(&i.occurred, 200)).flatten();
        let place = e.take("place", optional_text(&i.place, 200)).flatten();
        let name = e.take("name", optional_text(&i.name, 100)).flatten();
        let phone = e.take("phone", optional_phone(&i.phone)).flatten();
        let complainant = if yes(&i.anonymous) {
            // Anonymous means nothing kept: refuse rather than silently drop what was typed.
            if name.is_some() || phone.is_some() {
                e.add("anonymous", "err-grievance-anonymous-named");
            }
            Complainant::Anonymous
        } else {
            if name.is_none() && phone.is_none() && e.get("name").is_none() && e.get("phone").is_none() {
                e.add("anonymous", "err-grievance-name-or-anonymous");
            }
            Complainant::Named { name, phone }
        };
        let received_on = if public || i.received_on.trim().is_empty() {
            Some(today)
        } else {
            match e.take("received_on", era_date(&i.received_on)) {
                Some(d) if d > today => {
                    e.add("received_on", "err-date-future");
                    None
                }
                d => d,
            }
        };
        match (category, complainant_type, channel, description, received_on) {
            (Some(category), Some(complainant_type), Some(channel), Some(description), Some(received_on))
                if e.is_empty() =>
            {
                Ok(GrievanceDraft {
                    category,
                    complainant_type,
                    mines,
                    channel,
                    description,
                    occurred,
                    place,
                    complainant,
                    received_on,
                })
            }
            _ => Err(e),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.complainant == Complainant::Anonymous
    }
}

/// The co-op's own staff: they see every case and the people in it.
pub fn is_coop_staff(p: &Principal) -> bool {
    matches!(p.role, Role::Admin | Role::President | Role::Inspector)
}

/// Whether `p` is the owner or the safety officer of one of the `mines` (mine id, member id).
fn concerns_own_mine(p: &Principal, mines: &[(Uuid, Uuid)]) -> bool {
    mines.iter().any(|(mine, member)| match p.role {
        Role::Owner => p.member_id == Some(*member),
        Role::SafetyOfficer => p.mine_id == Some(*mine),
        _ => false,
    })
}

/// Read a case (its text, steps and the complainant's name and phone) and act on it: the co-op's
/// staff for every case; the owner and the safety officer of a mine it names. A case naming no
/// mine is for the co-op's staff only. Never the bureau, which sees aggregates.
pub fn can_handle_case(p: &Principal, mines: &[(Uuid, Uuid)]) -> bool {
    is_coop_staff(p) || concerns_own_mine(p, mines)
}

/// Record grievances received in person, by phone or from the suggestion box (for the mines
/// the recorder may handle).
pub fn can_record_any(p: &Principal) -> bool {
    matches!(p.role, Role::Admin | Role::President | Role::Inspector | Role::Owner | Role::SafetyOfficer)
}

/// The dashboard's aggregates: every logged-in role. The co-op's staff and the bureau count
/// every case; an owner or a safety officer the cases of their mines.
pub fn counts_every_case(p: &Principal) -> bool {
    is_coop_staff(p) || p.role == Role::Bureau
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        era_date(s).unwrap()
    }

    fn input() -> GrievanceInput {
        GrievanceInput {
            category: "water".into(),
            complainant_type: "villager".into(),
            mines: vec![Uuid::nil().to_string()],
            description: "井水变浑".into(),
            anonymous: "1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_public_anonymous_grievance_is_web_and_today() {
        let g = GrievanceDraft::parse(&input(), d("2026-03-01"), true).unwrap();
        assert!(g.is_anonymous());
        assert_eq!(g.channel, Channel::Web);
        assert_eq!(g.received_on, d("2026-03-01"));
        assert_eq!(g.mines, vec![Uuid::nil()]);
        let unknown = GrievanceInput { mines: vec!["unknown".into(), "".into()], ..input() };
        assert!(GrievanceDraft::parse(&unknown, d("2026-03-01"), true).unwrap().mines.is_empty());
    }

    #[test]
    fn anonymous_is_an_explicit_choice_and_keeps_nothing() {
        let named_anon = GrievanceInput { name: "王五".into(), ..input() };
        let e = GrievanceDraft::parse(&named_anon, d("2026-03-01"), true).unwrap_err();
        assert_eq!(e.get("anonymous").map(|x| x.code), Some("err-grievance-anonymous-named"));
        let nobody = GrievanceInput { anonymous: "".into(), ..input() };
        let e = GrievanceDraft::parse(&nobody, d("2026-03-01"), true).unwrap_err();
        assert_eq!(e.get("anonymous").map(|x| x.code), Some("err-grievance-name-or-anonymous"));
        let phone_only = GrievanceInput { anonymous: "".into(), phone: "138 0000 1111".into(), ..input() };
        let g = GrievanceDraft::parse(&phone_only, d("2026-03-01"), true).unwrap();
        assert_eq!(g.complainant, Complainant::Named { name: None, phone: Some("138 0000 1111".into()) });
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = GrievanceInput {
            category: "weather".into(),
            complainant_type: "".into(),
            mines: vec!["not-a-mine".into()],
            channel: "web".into(),
            description: " ".into(),
            anonymous: "".into(),
            phone: "12".into(),
            received_on: "2026-03-02".into(),
            ..Default::default()
        };
        let e = GrievanceDraft::parse(&bad, d("2026-03-01"), false).unwrap_err();
        for (f, c) in [
            ("category", "err-choice"),
            ("complainant_type", "err-choice"),
            ("mines", "err-choice"),
            ("channel", "err-choice"),
            ("description", "err-required"),
            ("phone", "err-phone"),
            ("received_on", "err-date-future"),
        ] {
            assert_eq!(e.get(f).map(|x| x.code), Some(c), "{f}");
        }
        // Staff give the channel and may date what the suggestion box held.
        let staff = GrievanceInput { channel: "suggestion_box".into(), received_on: "2026-02-20".into(), ..input() };
        let g = GrievanceDraft::parse(&staff, d("2026-03-01"), false).unwrap();
        assert_eq!((g.channel, g.received_on), (Channel::SuggestionBox, d("2026-02-20")));
    }

    #[test]
    fn who_handles_a_case() {
        let mine = Uuid::from_u128(1);
        let member = Uuid::from_u128(2);
        let p = |role, member_id, mine_id| Principal {
            user_id: Uuid::nil(),
            username: "u".into(),
            role,
            member_id,
            mine_id,
        };
        let case = [(mine, member)];
        for r in [Role::Admin, Role::President, Role::Inspector] {
            assert!(can_handle_case(&p(r, None, None), &case));
            assert!(can_handle_case(&p(r, None, None), &[]), "no mine: co-op staff");
        }
        assert!(!can_handle_case(&p(Role::Bureau, None, None), &case));
        assert!(can_handle_case(&p(Role::Owner, Some(member), None), &case));
        assert!(!can_handle_case(&p(Role::Owner, Some(Uuid::from_u128(9)), None), &case));
        assert!(!can_handle_case(&p(Role::Owner, Some(member), None), &[]), "no mine: not the owners");
        assert!(can_handle_case(&p(Role::SafetyOfficer, None, Some(mine)), &case));
        assert!(!can_handle_case(&p(Role::SafetyOfficer, None, Some(Uuid::from_u128(9))), &case));
        assert!(counts_every_case(&p(Role::Bureau, None, None)));
        assert!(!counts_every_case(&p(Role::Owner, Some(member), None)));
        assert!(!can_record_any(&p(Role::Bureau, None, None)));
    }
}
