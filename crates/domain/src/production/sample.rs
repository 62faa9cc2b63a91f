//! Samples, their chain of custody and their assays (issue 4 item 2). A sample has a type, a
//! mine, a point, the time it was taken and by whom, and its quality-control role (a routine
//! sample, a field duplicate of another, a blank, or a certified reference material). Custody
//! moves forward one step at a time (taken, dispatched, received by the laboratory, assayed),
//! each step timed and signed. An assay result below the detection limit is kept as "< DL" with
//! its limit, never as 0.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Element;
use crate::registry::code_enum;
use crate::units::{GRADE_SCALE, to_scaled};
use crate::validation::{FieldErrors, optional_text, required_text};

code_enum!(
    /// What was sampled.
    SampleKind, "err-choice", {
        Feed => "feed", Concentrate => "concentrate", Tailing => "tailing", Waste => "waste",
        Slag => "slag", Water => "water", Soil => "soil",
    }
);

code_enum!(
    /// A sample's part in quality control.
    QcRole, "err-choice", {
        Routine => "routine", Duplicate => "duplicate", Blank => "blank", Reference => "crm",
    }
);

code_enum!(
    /// The chain of custody, in order.
    CustodyStep, "err-choice", {
        Taken => "taken", Dispatched => "dispatched", Received => "received", Assayed => "assayed",
    }
);

impl CustodyStep {
    /// The step that must come after `self`, if any.
    pub fn next(self) -> Option<CustodyStep> {
        match self {
            CustodyStep::Taken => Some(CustodyStep::Dispatched),
            CustodyStep::Dispatched => Some(CustodyStep::Received),
            CustodyStep::Received => Some(CustodyStep::Assayed),
            CustodyStep::Assayed => None,
        }
    }
}

/// A custody step may only follow the one before it, at the same time or later.
pub fn check_step(
    last: Option<(CustodyStep, NaiveDateTime)>,
    step: CustodyStep,
    at: NaiveDateTime,
) -> Result<(), &'static str> {
    match last {
        None if step == CustodyStep::Taken => Ok(()),
        None => Err("err-custody-order"),
        Some((prev, _)) if prev.next() != Some(step) => Err("err-custody-order"),
        Some((_, prev_at)) if at < prev_at => Err("err-custody-time"),
        Some(_) => Ok(()),
    }
}

/// A sample as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SampleInput {
    pub mine_id: String,
    pub kind: String,
    /// Where it was taken: `PD-1 +950 ore pass`, `mill feed belt`, ...
    pub point: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub taken_at: String,
    pub taken_by: String,
    /// `routine` (default), `duplicate`, `blank` or `crm`.
    pub qc_role: String,
    /// For a duplicate: the code of the sample it duplicates.
    pub duplicate_of: String,
    /// For a certified reference material: its name.
    pub reference: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleDraft {
    pub mine_id: Uuid,
    pub kind: SampleKind,
    pub point: String,
    pub taken_at: NaiveDateTime,
    pub taken_by: String,
    pub qc_role: QcRole,
    pub duplicate_of: Option<String>,
    pub reference: Option<String>,
    pub notes: Option<String>,
}

/// `YYYY-MM-DDTHH:MM` (as a datetime-local input sends it), seconds optional.
pub fn parse_local_time(s: &str) -> Result<NaiveDateTime, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("err-required");
    }
    let at = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .map_err(|_| "err-datetime")?;
    // `%Y` takes any signed year; the co-op's records are of this era, and every database can
    // store them.
    if (1950..=2200).contains(&chrono::Datelike::year(&at)) { Ok(at) } else { Err("err-datetime") }
}

impl SampleDraft {
    /// `now` is the co-op's local time: a sample cannot be taken in the future.
    pub fn parse(i: &SampleInput, now: NaiveDateTime) -> Result<SampleDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = match Uuid::parse_str(i.mine_id.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                e.add("mine_id", "err-choice");
                None
            }
        };
        let kind = e.take("kind", SampleKind::parse(&i.kind));
        let point = e.take("point", required_text(&i.point, 80));
        let taken_at = match parse_local_time(&i.taken_at) {
            Ok(t) if t > now => {
                e.add("taken_at", "err-future");
                None
            }
            r => e.take("taken_at", r),
        };
        let taken_by = e.take("taken_by", required_text(&i.taken_by, 60));
        let qc_role = if i.qc_role.trim().is_empty() {
            Some(QcRole::Routine)
        } else {
            e.take("qc_role", QcRole::parse(&i.qc_role))
        };
        let duplicate_of = e.take("duplicate_of", optional_text(&i.duplicate_of, 40)).flatten();
        let reference = e.take("reference", optional_text(&i.reference, 60)).flatten();
        match qc_role {
            Some(QcRole::Duplicate) if duplicate_of.is_none() => e.add("duplicate_of", "err-required"),
            Some(QcRole::Reference) if reference.is_none() => e.add("reference", "err-required"),
            _ => {}
        }
        let notes = e.take("notes", optional_text(&i.notes, 500)).flatten();
        match (mine_id, kind, point, taken_at, taken_by, qc_role) {
            (Some(mine_id), Some(kind), Some(point), Some(taken_at), Some(taken_by), Some(qc_role)) if e.is_empty() => {
                Ok(SampleDraft {
                    mine_id,
                    kind,
                    point,
                    taken_at,
                    taken_by,
                    qc_role,
                    duplicate_of: if qc_role == QcRole::Duplicate { duplicate_of } else { None },
                    reference: if qc_role == QcRole::Reference { reference } else { None },
                    notes,
                })
            }
            _ => Err(e),
        }
    }
}

/// An assay result as the laboratory reports it: `3.48`, or `<0.01` for below the detection
/// limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AssayInput {
    pub element: String,
    pub value: String,
    pub method: String,
    pub detection_limit: String,
}

/// A checked result: in 10^-4 of the element's unit. Below the detection limit there is no
/// value, only the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssayDraft {
    pub element: String,
    pub value: Option<i64>,
    pub below_dl: bool,
    pub detection_limit: Option<i64>,
    pub method: String,
}

/// `12` or `3.48` (digits, and at most four decimals after one point) in 10^-4 units; `None`
/// for anything else, which goes through `Decimal`.
fn plain_e4(s: &str) -> Option<i64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || int.len() > 12 || frac.len() > GRADE_SCALE as usize || (s.contains('.') && frac.is_empty()) {
        return None;
    }
    let mut v: i64 = 0;
    for b in int.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    let mut f: i64 = 0;
    for b in frac.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        f = f * 10 + i64::from(b - b'0');
    }
    Some(v * 10i64.pow(GRADE_SCALE) + f * 10i64.pow(GRADE_SCALE - frac.len() as u32))
}

impl AssayDraft {
    pub fn parse(i: &AssayInput, elements: &[Element]) -> Result<AssayDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let el = elements.iter().find(|el| el.code == i.element.trim().to_ascii_lowercase());
        if el.is_none() {
            e.add_with("element", "err-element", vec![("element", i.element.clone())]);
        }
        Self::parse_cells(e, el, &i.value, &i.method, &i.detection_limit)
    }

    /// [`AssayDraft::parse`] of one known element's cells (a laboratory sheet's), without
    /// building an [`AssayInput`].
    pub fn parse_for(
        el: &Element,
        value: &str,
        method: &str,
        detection_limit: &str,
    ) -> Result<AssayDraft, FieldErrors> {
        Self::parse_cells(FieldErrors::new(), Some(el), value, method, detection_limit)
    }

    fn parse_cells(
        mut e: FieldErrors,
        el: Option<&Element>,
        value: &str,
        method: &str,
        detection_limit: &str,
    ) -> Result<AssayDraft, FieldErrors> {
        let max = el.map(|el| el.unit.max()).unwrap_or(Decimal::from(1_000_000));
        let max_e4 = to_scaled(max, GRADE_SCALE);
        let number = |s: &str| -> Result<i64, &'static str> {
            // Plain figures (`3.48`, `12`) are read straight into 10^-4 units: the same value
            // as through `Decimal`, which reads everything else.
            if let (Some(v), Some(max_e4)) = (plain_e4(s.trim()), max_e4) {
                return if v > max_e4 { Err("err-grade-max") } else { Ok(v) };
            }
            let d: Decimal = s.trim().parse().map_err(|_| "err-number")?;
            if d.is_sign_negative() && !d.is_zero() {
                return Err("err-negative");
            }
            if d > max {
                return Err("err-grade-max");
            }
            to_scaled(d, GRADE_SCALE).ok_or("err-too-precise")
        };
        let dl = match detection_limit.trim() {
            "" => None,
            s => e.take("detection_limit", number(s)),
        };
        let raw = value.trim();
        let (value, below_dl, dl) = if let Some(limit) = raw.strip_prefix('<') {
            match number(limit) {
                Ok(l) if dl.is_some_and(|d| d != l) => {
                    e.add("value", "err-dl-differs");
                    (None, true, dl)
                }
                Ok(l) => (None, true, Some(l)),
                Err(code) => {
                    e.add("value", code);
                    (None, true, dl)
                }
            }
        } else if raw.is_empty() {
            e.add("value", "err-required");
            (None, false, dl)
        } else {
            match number(raw) {
                // A figure under the limit is not a measurement: kept as "< DL".
                Ok(v) if dl.is_some_and(|d| v < d) => (None, true, dl),
                Ok(v) => (Some(v), false, dl),
                Err(code) => {
                    e.add("value", code);
                    (None, false, dl)
                }
            }
        };
        let method = e.take("method", optional_text(method, 40)).flatten().unwrap_or_default();
        match el {
            Some(el) if e.is_empty() => {
                Ok(AssayDraft { element: el.code.clone(), value, below_dl, detection_limit: dl, method })
            }
            _ => Err(e),
        }
    }

    /// As a laboratory writes it: `3.48` or `< 0.01`.
    pub fn shown(&self) -> String {
        let d = |v: i64| Decimal::new(v, GRADE_SCALE).normalize().to_string();
        match (self.value, self.detection_limit) {
            (Some(v), _) => d(v),
            (None, Some(l)) => format!("< {}", d(l)),
            (None, None) => "< DL".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;

    #[test]
    fn plain_figures_read_as_decimal_reads_them() {
        let el = &default_elements()[0];
        let through_decimal = |s: &str| -> Result<i64, &'static str> {
            let d: Decimal = s.parse().map_err(|_| "err-number")?;
            if d > el.unit.max() {
                return Err("err-grade-max");
            }
            to_scaled(d, GRADE_SCALE).ok_or("err-too-precise")
        };
        for s in [
            "0",
            "3",
            "3.4",
            "3.48",
            "3.480",
            "3.4800",
            "03.48",
            "100",
            "100.0001",
            "99.9999",
            "0.0001",
            "12.5",
            "999999999999",
        ] {
            assert_eq!(
                plain_e4(s).map(|v| if v > 100_0000 { Err("err-grade-max") } else { Ok(v) }),
                Some(through_decimal(s)),
                "{s}"
            );
        }
        // Anything else goes through Decimal: the fast reader declines it.
        for s in ["3.", ".5", "3.48000", "-1", "+1", "1e3", "3,48", "", " 3", "3.4.8", "1234567890123"] {
            assert_eq!(plain_e4(s), None, "{s}");
        }
        let parse = |v: &str| AssayDraft::parse_for(el, v, "AAS", "").map(|d| d.value);
        assert_eq!(parse("3.48"), Ok(Some(34_800)));
        assert_eq!(parse("3.48000"), Ok(Some(34_800)), "five places that are zeros are still 3.48");
        assert!(parse("100.0001").is_err() && parse("3.123456").is_err());
    }

    fn now() -> NaiveDateTime {
        parse_local_time("2026-11-26T17:00").unwrap()
    }

    #[test]
    fn a_sample_needs_what_makes_it_traceable() {
        let i = SampleInput {
            mine_id: Uuid::nil().to_string(),
            kind: "feed".into(),
            point: "mill feed belt".into(),
            taken_at: "2005-03-01T09:30".into(),
            taken_by: "张工".into(),
            ..Default::default()
        };
        let d = SampleDraft::parse(&i, now()).unwrap();
        assert_eq!((d.kind, d.qc_role), (SampleKind::Feed, QcRole::Routine));
        let bad =
            SampleInput { qc_role: "duplicate".into(), taken_at: "2027-01-01T00:00".into(), kind: "ore".into(), ..i };
        let e = SampleDraft::parse(&bad, now()).unwrap_err();
        assert_eq!(e.get("taken_at").unwrap().code, "err-future");
        assert_eq!(e.get("kind").unwrap().code, "err-choice");
        assert_eq!(e.get("duplicate_of").unwrap().code, "err-required");
    }

    #[test]
    fn below_the_detection_limit_is_kept_as_such_never_as_zero() {
        let el = default_elements();
        let a = |v: &str, dl: &str| {
            AssayDraft::parse(
                &AssayInput { element: "Zn".into(), value: v.into(), method: "AAS".into(), detection_limit: dl.into() },
                &el,
            )
        };
        let r = a("<0.01", "").unwrap();
        assert_eq!((r.value, r.below_dl, r.detection_limit), (None, true, Some(100)));
        assert_eq!(r.shown(), "< 0.01");
        let r = a("0.004", "0.01").unwrap();
        assert_eq!((r.value, r.below_dl), (None, true), "a figure under the limit is not a measurement");
        let r = a("3.48", "0.01").unwrap();
        assert_eq!((r.value, r.shown().as_str()), (Some(34_800), "3.48"));
        assert_eq!(a("<0.02", "0.01").unwrap_err().get("value").unwrap().code, "err-dl-differs");
        assert_eq!(a("-1", "").unwrap_err().get("value").unwrap().code, "err-negative");
        assert_eq!(a("", "").unwrap_err().get("value").unwrap().code, "err-required");
    }

    #[test]
    fn custody_moves_forward_one_step_at_a_time() {
        let t = |s: &str| parse_local_time(s).unwrap();
        assert_eq!(check_step(None, CustodyStep::Taken, t("2005-03-01T09:00")), Ok(()));
        assert_eq!(check_step(None, CustodyStep::Received, t("2005-03-01T09:00")), Err("err-custody-order"));
        let taken = Some((CustodyStep::Taken, t("2005-03-01T09:00")));
        assert_eq!(check_step(taken, CustodyStep::Dispatched, t("2005-03-01T12:00")), Ok(()));
        assert_eq!(check_step(taken, CustodyStep::Assayed, t("2005-03-02T12:00")), Err("err-custody-order"));
        assert_eq!(check_step(taken, CustodyStep::Dispatched, t("2005-03-01T08:00")), Err("err-custody-time"));
        let assayed = Some((CustodyStep::Assayed, t("2005-03-03T08:00")));
        assert_eq!(check_step(assayed, CustodyStep::Taken, t("2005-03-04T08:00")), Err("err-custody-order"));
    }
}
