//! Daily production of a mine (issue 4): ore hoisted and milled with its feed grades, the
//! concentrates, tailings and waste rock with theirs, the hours and worker-shifts that safety
//! rates need, the energy, water, fuel and explosives used, and the costs. A record is one mine,
//! one day and optionally one shift; a correction is a new version with a reason (kept by the
//! store). Quantities are exact decimals, stored as scaled integers.

pub mod assay_import;
pub mod import;
pub mod period;
pub mod qc;
pub mod record;
pub mod report;
pub mod sample;
pub mod target;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How an element's grade is expressed: base metals in percent, precious metals in grams per
/// tonne.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GradeUnit {
    Percent,
    GramsPerTonne,
}

impl GradeUnit {
    /// The largest grade that makes sense: 100 %, or 1,000,000 g/t (pure metal).
    pub fn max(self) -> Decimal {
        match self {
            GradeUnit::Percent => Decimal::from(100),
            GradeUnit::GramsPerTonne => Decimal::from(1_000_000),
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            GradeUnit::Percent => "%",
            GradeUnit::GramsPerTonne => "g/t",
        }
    }
}

/// An element the co-op assays for. The list is configurable; [`default_elements`] is the
/// Niujiaotang zinc-lead-silver set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// Lower-case chemical symbol: `zn`, `pb`, `ag`, ...
    pub code: String,
    pub unit: GradeUnit,
}

impl Element {
    pub fn new(code: &str, unit: GradeUnit) -> Element {
        Element { code: code.to_ascii_lowercase(), unit }
    }

    /// The chemical symbol as written: `Zn`, `Pb`, `Ag`.
    pub fn symbol(&self) -> String {
        let mut c = self.code.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    }

    /// Tonnes of metal in `dry_t` tonnes at `grade` (in this element's unit).
    pub fn metal_t(&self, dry_t: Decimal, grade: Decimal) -> Decimal {
        match self.unit {
            GradeUnit::Percent => dry_t * grade / Decimal::from(100),
            GradeUnit::GramsPerTonne => dry_t * grade / Decimal::from(1_000_000),
        }
    }
}

/// Zinc and lead in percent, silver in grams per tonne.
pub fn default_elements() -> Vec<Element> {
    vec![
        Element::new("zn", GradeUnit::Percent),
        Element::new("pb", GradeUnit::Percent),
        Element::new("ag", GradeUnit::GramsPerTonne),
    ]
}

/// The co-op's element list from its configuration: `"zn:%"`, `"ag:g/t"`, ... (a lower-case
/// symbol, then `%` or `g/t`). Refuses an empty list, a repeated element or an unknown unit.
pub fn parse_elements(list: &[String]) -> Result<Vec<Element>, String> {
    let mut out: Vec<Element> = Vec::new();
    for item in list {
        let (code, unit) =
            item.split_once(':').ok_or_else(|| format!("{item:?}: write it as symbol:unit, e.g. zn:%"))?;
        let code = code.trim().to_ascii_lowercase();
        if code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!("{item:?}: {code:?} is not a chemical symbol"));
        }
        let unit = match unit.trim() {
            "%" => GradeUnit::Percent,
            "g/t" => GradeUnit::GramsPerTonne,
            other => return Err(format!("{item:?}: the unit {other:?} is neither % nor g/t")),
        };
        if out.iter().any(|e| e.code == code) {
            return Err(format!("{code} is listed twice"));
        }
        out.push(Element { code, unit });
    }
    if out.is_empty() {
        return Err("the element list is empty".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_element_list_comes_from_the_configuration() {
        let l = |v: &[&str]| parse_elements(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(l(&["zn:%", "pb:%", "ag:g/t"]).unwrap(), default_elements());
        assert_eq!(l(&["Cu : %"]).unwrap(), vec![Element::new("cu", GradeUnit::Percent)]);
        assert!(l(&["zn"]).unwrap_err().contains("symbol:unit"));
        assert!(l(&["zn:ppm"]).unwrap_err().contains("neither"));
        assert!(l(&["zn:%", "ZN:%"]).unwrap_err().contains("twice"));
        assert!(l(&[]).is_err());
    }
}

crate::registry::code_enum!(
    /// What a production cost was spent on.
    CostCategory, "err-choice", {
        Labour => "labour", Electricity => "electricity", Explosives => "explosives",
        Materials => "materials", Fuel => "fuel", Transport => "transport",
        Maintenance => "maintenance", Fees => "fees", Other => "other",
    }
);
