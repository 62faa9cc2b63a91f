//! Field-level validation results. Messages are Fluent keys so every layer can show them in the
//! user's language; the domain never formats text for people.

use serde::Serialize;

/// One problem with one input field: `code` is a Fluent message id (`err-...`), `args` its
/// named arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
}

/// All the problems found in one submitted form or API body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, code: &'static str) {
        self.0.push(FieldError { field: field.to_owned(), code, args: Vec::new() });
    }

    pub fn add_with(&mut self, field: &str, code: &'static str, args: Vec<(&'static str, String)>) {
        self.0.push(FieldError { field: field.to_owned(), code, args });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// `Ok(value)` when nothing was found, else all the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }

    /// Record the error of a field parser and keep the parsed value, if any.
    pub fn take<T>(&mut self, field: &str, r: Result<T, &'static str>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(code) => {
                self.add(field, code);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect();
        f.write_str(&parts.join(", "))
    }
}

impl std::error::Error for FieldErrors {}

/// Trimmed text that must be present and at most `max` characters long.
pub fn required_text(input: &str, max: usize) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        Err("err-required")
    } else if has_control(t) {
        Err("err-control-chars")
    } else if t.chars().count() > max {
        Err("err-too-long")
    } else {
        Ok(t.to_owned())
    }
}

/// Control characters other than line breaks and tabs (a NUL byte, say) are no part of text a
/// person typed, and PostgreSQL refuses to store a NUL.
fn has_control(t: &str) -> bool {
    t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Trimmed optional text: empty becomes `None`.
pub fn optional_text(input: &str, max: usize) -> Result<Option<String>, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        Ok(None)
    } else if has_control(t) {
        Err("err-control-chars")
    } else if t.chars().count() > max {
        Err("err-too-long")
    } else {
        Ok(Some(t.to_owned()))
    }
}

/// An ISO date (`YYYY-MM-DD`) of this era (1950 to 2200): `%Y` alone takes any signed year,
/// which no database stores the same way.
pub fn era_date(input: &str) -> Result<chrono::NaiveDate, &'static str> {
    let d = chrono::NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| "err-date")?;
    if (1950..=2200).contains(&chrono::Datelike::year(&d)) { Ok(d) } else { Err("err-date") }
}

/// An optional ISO date (`YYYY-MM-DD`).
pub fn optional_date(input: &str) -> Result<Option<chrono::NaiveDate>, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| "err-date")
}

/// A phone number as people write it: digits with optional `+`, spaces, dashes and brackets;
/// 5 to 20 digits.
pub fn optional_phone(input: &str) -> Result<Option<String>, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok_chars = t.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if ok_chars && (5..=20).contains(&digits) && !t[1..].contains('+') {
        Ok(Some(t.to_owned()))
    } else {
        Err("err-phone")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn text_refuses_control_characters_but_keeps_line_breaks() {
        assert_eq!(required_text("a\u{0}b", 10), Err("err-control-chars"));
        assert_eq!(optional_text("x\u{7}", 10), Err("err-control-chars"));
        assert_eq!(optional_text("line one\nline two", 40), Ok(Some("line one\nline two".into())));
        assert_eq!(era_date("2005-07-20").map(|d| d.to_string()), Ok("2005-07-20".into()));
        assert_eq!(era_date("-5000-01-01"), Err("err-date"));
        assert_eq!(era_date("+262143-12-31"), Err("err-date"));
    }

    use super::*;

    #[test]
    fn required_text_trims_and_limits() {
        assert_eq!(required_text("  金山  ", 10), Ok("金山".to_owned()));
        assert_eq!(required_text("   ", 10), Err("err-required"));
        assert_eq!(required_text("一二三", 2), Err("err-too-long"));
    }

    #[test]
    fn phone_accepts_common_forms_and_rejects_letters() {
        assert!(optional_phone("+86 138-0854-0000").unwrap().is_some());
        assert!(optional_phone("(0854) 822 1234").unwrap().is_some());
        assert_eq!(optional_phone("").unwrap(), None);
        assert_eq!(optional_phone("call me"), Err("err-phone"));
        assert_eq!(optional_phone("12"), Err("err-phone"));
        assert_eq!(optional_phone("12+34567"), Err("err-phone"));
    }

    #[test]
    fn dates_parse_iso_only() {
        assert!(optional_date("2005-03-01").unwrap().is_some());
        assert_eq!(optional_date("01/03/2005"), Err("err-date"));
        assert_eq!(optional_date(" ").unwrap(), None);
    }

    #[test]
    fn errors_collect_and_find_by_field() {
        let mut e = FieldErrors::new();
        assert_eq!(e.take("name", required_text("", 5)), None);
        assert_eq!(e.take("code", required_text("x", 5)), Some("x".into()));
        assert_eq!(e.get("name").map(|x| x.code), Some("err-required"));
        assert!(e.get("code").is_none());
        assert!(e.into_result(()).is_err());
    }
}
