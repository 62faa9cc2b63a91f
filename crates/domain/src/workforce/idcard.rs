//! The resident identity card number (居民身份证号码, GB 11643-1999): a 6-digit region code, the
//! birth date as `YYYYMMDD`, a 3-digit sequence whose last digit is odd for men and even for
//! women, and a check character (ISO 7064 MOD 11-2, `0`-`9` or `X`).

use chrono::NaiveDate;
use serde::Serialize;

/// Weights of the 17 digits: 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const CHECK: &[u8; 11] = b"10X98765432";

/// The first two digits of a region code: the provinces, autonomous regions and municipalities
/// (11 Beijing ... 65 Xinjiang), Taiwan (71) and the special administrative regions (81, 82).
const PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// The check character of the first 17 digits (which must be ASCII digits).
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize] as char)
}

/// The 17 digits followed by their check character: how tests and the demo make numbers that
/// pass, without copying anyone's real number.
pub fn complete(first17: &str) -> Option<String> {
    check_char(first17).map(|c| format!("{first17}{c}"))
}

/// A number with its checksum, region and birth date checked. Upper case `X`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct IdNumber(String);

impl From<IdNumber> for String {
    fn from(i: IdNumber) -> String {
        i.0
    }
}

impl IdNumber {
    /// Spaces around and inside are ignored, a lower-case `x` is read as `X`. Each error names
    /// what is wrong: `err-id-length`, `err-id-chars`, `err-id-region`, `err-id-birth-date` or
    /// `err-id-checksum`.
    pub fn parse(input: &str) -> Result<IdNumber, &'static str> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err("err-required");
        }
        if s.chars().count() != 18 {
            return Err("err-id-length");
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err("err-id-chars");
        }
        let province: u32 = s[..2].parse().unwrap_or(0);
        // A province-level code alone issues no numbers, except for Taiwan and the SARs.
        if !PROVINCES.contains(&province) || (&s[2..6] == "0000" && province < 71) {
            return Err("err-id-region");
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| "err-id-birth-date")?;
        if !(1900..=2100).contains(&chrono::Datelike::year(&birth)) {
            return Err("err-id-birth-date");
        }
        if check_char(&s[..17]) != Some(b[17] as char) {
            return Err("err-id-checksum");
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit region code of the place where the number was issued.
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// The 17th digit: odd for a man, even for a woman.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The number as shown to everyone who may not see it whole: the first four and the last
    /// four characters.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Keep the first four and last four characters of a number, stars between
/// (`5227**********123X`). Anything shorter than nine characters is all stars.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 9 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    let mut out: String = chars[..4].iter().collect();
    out.push_str(&"*".repeat(n - 8));
    out.extend(&chars[n - 4..]);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A number that passes, made from a region, a birth date and a sequence (never a real
    /// person's number copied in).
    pub(crate) fn make(region: &str, birth: &str, seq: &str) -> String {
        complete(&format!("{region}{birth}{seq}")).unwrap()
    }

    #[test]
    fn the_check_character_follows_mod_11_2() {
        // The worked example of the standard: 11010519491231002 -> X.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("4401061990010100"), None, "16 digits");
        assert_eq!(check_char("4401061990010100a"), None);
        let n = make("522701", "19850314", "123");
        assert_eq!(IdNumber::parse(&n).map(|i| i.as_str().to_owned()), Ok(n.clone()));
    }

    #[test]
    fn every_digit_changed_breaks_the_checksum() {
        let n = make("522701", "19850314", "123");
        for i in 14..17 {
            let mut b = n.clone().into_bytes();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            let s = String::from_utf8(b).unwrap();
            assert_eq!(IdNumber::parse(&s), Err("err-id-checksum"), "{s}");
        }
        // The check character itself wrong.
        let last = n.chars().last().unwrap();
        let wrong = if last == '1' { '2' } else { '1' };
        assert_eq!(IdNumber::parse(&format!("{}{wrong}", &n[..17])), Err("err-id-checksum"));
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert_eq!(IdNumber::parse(""), Err("err-required"));
        assert_eq!(IdNumber::parse("52270119850314123"), Err("err-id-length"));
        assert_eq!(IdNumber::parse("5227011985031412345"), Err("err-id-length"));
        assert_eq!(IdNumber::parse("52270119850314A234"), Err("err-id-chars"));
        assert_eq!(IdNumber::parse("52270119850314123Y"), Err("err-id-chars"));
        // No province 99.
        assert_eq!(IdNumber::parse(&make("992701", "19850314", "123")), Err("err-id-region"));
        assert_eq!(IdNumber::parse(&make("520000", "19850314", "123")), Err("err-id-region"));
        assert!(IdNumber::parse(&make("810000", "19850314", "123")).is_ok());
        // 31 February, a thirteenth month, a year of another era.
        assert_eq!(IdNumber::parse(&make("522701", "19850231", "123")), Err("err-id-birth-date"));
        assert_eq!(IdNumber::parse(&make("522701", "19851301", "123")), Err("err-id-birth-date"));
        assert_eq!(IdNumber::parse(&make("522701", "18500101", "123")), Err("err-id-birth-date"));
    }

    #[test]
    fn lower_case_x_and_spaces_are_read() {
        let n = complete("11010519491231002").unwrap();
        assert_eq!(n, "11010519491231002X");
        let i = IdNumber::parse(" 110105 19491231 002x ").unwrap();
        assert_eq!(i.as_str(), "11010519491231002X");
        assert_eq!(i.region(), "110105");
        assert_eq!(i.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(!i.is_male(), "2 is even: a woman");
        assert!(IdNumber::parse(&make("522701", "19850314", "123")).unwrap().is_male());
    }

    #[test]
    fn masking_keeps_four_and_four() {
        assert_eq!(mask("52270119850314123X"), "5227**********123X");
        assert_eq!(mask("12345678"), "********");
        assert_eq!(mask(""), "");
        let i = IdNumber::parse(&make("522701", "19850314", "123")).unwrap();
        assert_eq!(i.masked().len(), 18);
        assert!(i.masked().starts_with("5227") && i.masked()[4..14].chars().all(|c| c == '*'));
    }
}
