//! The register of member enterprises, their mines and the co-op's people: what a valid entry
//! is. Inputs arrive as text (forms, API bodies, imports) and leave as checked drafts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::units::LatLon;
use crate::validation::{FieldErrors, optional_date, optional_phone, optional_text, required_text};

/// Fixed vocabularies stored as short codes; the interface translates `<prefix>-<code>`.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $err:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn parse(s: &str) -> Result<Self, &'static str> {
                match s.trim() { $($code => Ok($name::$variant),)+ _ => Err($err) }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// A member enterprise's standing in the co-op.
    MemberStatus, "err-choice", { Active => "active", Suspended => "suspended", Left => "left" }
);
code_enum!(
    MineStatus, "err-choice", {
        Planned => "planned", Operating => "operating", Suspended => "suspended",
        Closed => "closed", Rehabilitated => "rehabilitated",
    }
);
code_enum!(
    MiningMethod, "err-choice", {
        Underground => "underground", OpenPit => "open_pit", Alluvial => "alluvial", Other => "other",
    }
);
code_enum!(
    Mineral, "err-mineral", {
        Zinc => "zn", Lead => "pb", Silver => "ag", Copper => "cu", Gold => "au", Iron => "fe",
        Tin => "sn", Antimony => "sb", Mercury => "hg", Manganese => "mn", Coal => "coal",
    }
);
code_enum!(
    /// What a person does for the co-op.
    CoopRole, "err-choice", {
        President => "president", VicePresident => "vice_president", Secretary => "secretary",
        SafetyOfficer => "safety_officer", Inspector => "inspector", Owner => "owner",
        Contact => "contact", Other => "other",
    }
);

/// Characters of the unified social credit code (GB 32100-2015): digits and upper-case
/// letters without I, O, Z, S, V.
const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A unified social credit code (统一社会信用代码) whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    /// Accepts lower case and surrounding spaces; stores upper case.
    pub fn parse(input: &str) -> Result<Uscc, &'static str> {
        let s: String = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err("err-uscc-length");
        }
        let mut sum = 0u32;
        let bytes = s.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let v = USCC_CHARS.iter().position(|c| c == b).ok_or("err-uscc-chars")? as u32;
            if i < 17 {
                sum += v * USCC_WEIGHTS[i];
            }
        }
        let check = (31 - sum % 31) % 31;
        if USCC_CHARS[check as usize] != bytes[17] {
            return Err("err-uscc-check");
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Complete 17 characters with their check character (for generated codes, e.g. demo data).
    pub fn complete(body: &str) -> Option<Uscc> {
        let body = body.to_ascii_uppercase();
        if body.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (i, b) in body.bytes().enumerate() {
            sum += USCC_CHARS.iter().position(|c| *c == b)? as u32 * USCC_WEIGHTS[i];
        }
        let check = USCC_CHARS[((31 - sum % 31) % 31) as usize] as char;
        Some(Uscc(format!("{body}{check}")))
    }
}

impl TryFrom<String> for Uscc {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

/// What a user typed for a member enterprise.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MemberInput {
    pub name_zh: String,
    pub name_en: String,
    pub legal_representative: String,
    pub uscc: String,
    pub contact_phone: String,
    pub address: String,
    pub joined_on: String,
    pub left_on: String,
    pub status: String,
}

/// A valid member enterprise, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberDraft {
    pub name_zh: String,
    pub name_en: String,
    pub legal_representative: String,
    pub uscc: Uscc,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub status: MemberStatus,
}

impl MemberDraft {
    pub fn parse(i: &MemberInput) -> Result<MemberDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name_zh = e.take("name_zh", required_text(&i.name_zh, 100));
        let name_en = e.take("name_en", required_text(&i.name_en, 160));
        let legal = e.take("legal_representative", required_text(&i.legal_representative, 60));
        let uscc = e.take("uscc", Uscc::parse(&i.uscc));
        let phone = e.take("contact_phone", optional_phone(&i.contact_phone));
        let address = e.take("address", optional_text(&i.address, 200));
        let joined = e.take("joined_on", optional_date(&i.joined_on).and_then(|d| d.ok_or("err-required")));
        let left = e.take("left_on", optional_date(&i.left_on));
        let status = e.take("status", MemberStatus::parse(&i.status));
        if let (Some(j), Some(Some(l))) = (joined, left)
            && l < j
        {
            e.add("left_on", "err-left-before-joined");
        }
        match (status, left) {
            (Some(MemberStatus::Left), Some(None)) => e.add("left_on", "err-left-needs-date"),
            (Some(s), Some(Some(_))) if s != MemberStatus::Left => e.add("status", "err-left-date-needs-left"),
            _ => {}
        }
        if !e.is_empty() {
            return Err(e);
        }
        // Every field is Some when no error was recorded.
        match (name_zh, name_en, legal, uscc, phone, address, joined, left, status) {
            (
                Some(name_zh),
                Some(name_en),
                Some(legal_representative),
                Some(uscc),
                Some(contact_phone),
                Some(address),
                Some(joined_on),
                Some(left_on),
                Some(status),
            ) => Ok(MemberDraft {
                name_zh,
                name_en,
                legal_representative,
                uscc,
                contact_phone,
                address,
                joined_on,
                left_on,
                status,
            }),
            _ => Err(e),
        }
    }
}

/// What a user typed for a mine. `minerals` is a comma-separated list of codes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MineInput {
    pub member_id: String,
    pub name_zh: String,
    pub name_en: String,
    pub latitude: String,
    pub longitude: String,
    pub minerals: String,
    pub mining_method: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MineDraft {
    pub member_id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub location: LatLon,
    pub minerals: Vec<Mineral>,
    pub mining_method: MiningMethod,
    pub status: MineStatus,
}

impl Serialize for LatLon {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("LatLon", 2)?;
        st.serialize_field("latitude", &self.lat().to_string())?;
        st.serialize_field("longitude", &self.lon().to_string())?;
        st.end()
    }
}

/// Parse a comma/space separated list of mineral codes; at least one, no repeats kept.
pub fn parse_minerals(s: &str) -> Result<Vec<Mineral>, &'static str> {
    let mut out = Vec::new();
    for part in s.split([',', ' ', '，', '、']).map(str::trim).filter(|p| !p.is_empty()) {
        let m = Mineral::parse(&part.to_ascii_lowercase())?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() { Err("err-required") } else { Ok(out) }
}

pub fn minerals_to_codes(ms: &[Mineral]) -> String {
    ms.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",")
}

impl MineDraft {
    pub fn parse(i: &MineInput) -> Result<MineDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let member_id = e.take(
            "member_id",
            Uuid::parse_str(i.member_id.trim())
                .map_err(|_| if i.member_id.trim().is_empty() { "err-required" } else { "err-choice" }),
        );
        let name_zh = e.take("name_zh", required_text(&i.name_zh, 100));
        let name_en = e.take("name_en", required_text(&i.name_en, 160));
        let location = match LatLon::parse(&i.latitude, &i.longitude) {
            Ok(l) => Some(l),
            Err((la, lo)) => {
                if let Some(code) = la {
                    e.add("latitude", code);
                }
                if let Some(code) = lo {
                    e.add("longitude", code);
                }
                None
            }
        };
        let minerals = e.take("minerals", parse_minerals(&i.minerals));
        let method = e.take("mining_method", MiningMethod::parse(&i.mining_method));
        let status = e.take("status", MineStatus::parse(&i.status));
        match (member_id, name_zh, name_en, location, minerals, method, status) {
            (
                Some(member_id),
                Some(name_zh),
                Some(name_en),
                Some(location),
                Some(minerals),
                Some(mining_method),
                Some(status),
            ) if e.is_empty() => {
                Ok(MineDraft { member_id, name_zh, name_en, location, minerals, mining_method, status })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PersonInput {
    pub name: String,
    pub phone: String,
    pub coop_role: String,
    /// Optional member enterprise the person belongs to.
    pub member_id: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonDraft {
    pub name: String,
    pub phone: Option<String>,
    pub coop_role: CoopRole,
    pub member_id: Option<Uuid>,
    pub notes: Option<String>,
}

impl PersonDraft {
    pub fn parse(i: &PersonInput) -> Result<PersonDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.take("name", required_text(&i.name, 60));
        let phone = e.take("phone", optional_phone(&i.phone));
        let coop_role = e.take("coop_role", CoopRole::parse(&i.coop_role));
        let member_id = e.take(
            "member_id",
            match i.member_id.trim() {
                "" => Ok(None),
                s => Uuid::parse_str(s).map(Some).map_err(|_| "err-choice"),
            },
        );
        let notes = e.take("notes", optional_text(&i.notes, 500));
        match (name, phone, coop_role, member_id, notes) {
            (Some(name), Some(phone), Some(coop_role), Some(member_id), Some(notes)) if e.is_empty() => {
                Ok(PersonDraft { name, phone, coop_role, member_id, notes })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(body: &str) -> String {
        Uscc::complete(body).unwrap().as_str().to_owned()
    }

    #[test]
    fn uscc_accepts_published_codes() {
        // Codes printed on public business licences.
        for code in ["91350100M000100Y43", "9144030071526726XG", "91110000802100433B"] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
        assert_eq!(Uscc::parse(" 91350100m000100y43 ").unwrap().as_str(), "91350100M000100Y43");
    }

    #[test]
    fn completed_codes_match_published_ones() {
        assert_eq!(with_check("91350100M000100Y4"), "91350100M000100Y43");
        assert_eq!(Uscc::complete("91350100M000100Y"), None);
        assert_eq!(Uscc::complete("91350100M000100I4"), None);
    }

    #[test]
    fn uscc_rejects_wrong_check_length_and_letters() {
        assert_eq!(Uscc::parse("91350100M000100Y44"), Err("err-uscc-check"));
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err("err-uscc-length"));
        assert_eq!(Uscc::parse("91350100M0001O0Y43"), Err("err-uscc-chars"));
    }

    #[test]
    fn uscc_check_character_zero_case() {
        // A body whose weighted sum is a multiple of 31 must end in '0', not in an index of 31.
        let mut found = false;
        for n in 0..2000u32 {
            let body = format!("9152270{:010}", n);
            let code = with_check(&body);
            if code.ends_with('0') {
                assert!(Uscc::parse(&code).is_ok());
                found = true;
                break;
            }
        }
        assert!(found);
    }

    fn member_input() -> MemberInput {
        MemberInput {
            name_zh: "都匀市牛角塘锌矿".into(),
            name_en: "Duyun Niujiaotang Zinc Mine Co.".into(),
            legal_representative: "王建国".into(),
            uscc: "91350100M000100Y43".into(),
            contact_phone: "0854-8221234".into(),
            address: String::new(),
            joined_on: "2003-05-01".into(),
            left_on: String::new(),
            status: "active".into(),
        }
    }

    #[test]
    fn member_parses() {
        let d = MemberDraft::parse(&member_input()).unwrap();
        assert_eq!(d.status, MemberStatus::Active);
        assert_eq!(d.address, None);
    }

    #[test]
    fn member_reports_every_bad_field() {
        let mut i = member_input();
        i.name_zh = " ".into();
        i.uscc = "123".into();
        i.joined_on = "yesterday".into();
        i.status = "gone".into();
        let e = MemberDraft::parse(&i).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["name_zh", "uscc", "joined_on", "status"]);
    }

    #[test]
    fn leaving_needs_date_and_status_together() {
        let mut i = member_input();
        i.status = "left".into();
        assert_eq!(MemberDraft::parse(&i).unwrap_err().get("left_on").unwrap().code, "err-left-needs-date");
        i.left_on = "2001-01-01".into();
        assert_eq!(MemberDraft::parse(&i).unwrap_err().get("left_on").unwrap().code, "err-left-before-joined");
        i.left_on = "2010-01-01".into();
        assert!(MemberDraft::parse(&i).is_ok());
        i.status = "active".into();
        assert_eq!(MemberDraft::parse(&i).unwrap_err().get("status").unwrap().code, "err-left-date-needs-left");
    }

    fn mine_input() -> MineInput {
        MineInput {
            member_id: Uuid::from_u128(5).to_string(),
            name_zh: "牛角塘一号矿".into(),
            name_en: "Niujiaotang No. 1".into(),
            latitude: "26.2431".into(),
            longitude: "107.5218".into(),
            minerals: "zn, pb".into(),
            mining_method: "underground".into(),
            status: "operating".into(),
        }
    }

    #[test]
    fn mine_parses_minerals_in_any_separator() {
        let d = MineDraft::parse(&mine_input()).unwrap();
        assert_eq!(d.minerals, vec![Mineral::Zinc, Mineral::Lead]);
        assert_eq!(parse_minerals("ZN、pb，zn").unwrap(), vec![Mineral::Zinc, Mineral::Lead]);
        assert_eq!(minerals_to_codes(&d.minerals), "zn,pb");
    }

    #[test]
    fn mine_names_bad_coordinates_and_minerals() {
        let mut i = mine_input();
        i.latitude = "126.2".into();
        i.minerals = "unobtainium".into();
        i.member_id = String::new();
        let e = MineDraft::parse(&i).unwrap_err();
        assert_eq!(e.get("latitude").unwrap().code, "err-latitude-range");
        assert_eq!(e.get("minerals").unwrap().code, "err-mineral");
        assert_eq!(e.get("member_id").unwrap().code, "err-required");
        assert!(e.get("longitude").is_none());
    }

    #[test]
    fn person_parses_optional_member() {
        let mut i = PersonInput { name: "李秘书".into(), coop_role: "secretary".into(), ..Default::default() };
        assert_eq!(PersonDraft::parse(&i).unwrap().member_id, None);
        i.member_id = "not-a-uuid".into();
        assert_eq!(PersonDraft::parse(&i).unwrap_err().get("member_id").unwrap().code, "err-choice");
    }

    #[test]
    fn code_enums_round_trip() {
        for s in MineStatus::ALL {
            assert_eq!(MineStatus::parse(s.as_str()), Ok(*s));
        }
        for m in Mineral::ALL {
            assert_eq!(Mineral::parse(m.as_str()), Ok(*m));
        }
    }
}
