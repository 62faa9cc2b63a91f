//! One production record as entered (text, as a form or an import row gives it) and as checked
//! (exact decimals, ready to store). Every field is checked and every problem reported at once,
//! each on its field; totals that cannot be right are warnings, not refusals: the mine's clerk
//! knows his day better than a rule does.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CostCategory, Element};
use crate::units::{GRADE_SCALE, MONEY_SCALE, TONNE_SCALE, to_scaled};
use crate::validation::{FieldErrors, optional_text};

/// Decimals kept for energy, water, fuel, explosives and hours.
pub const AMOUNT_SCALE: u32 = 1;
/// Moisture of a concentrate in percent, 2 decimals.
pub const MOISTURE_SCALE: u32 = 2;

/// A concentrate as entered: its name (e.g. `Zn concentrate`), wet tonnes, moisture % and grades.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ConcentrateInput {
    pub name: String,
    pub wet_t: String,
    pub moisture_pct: String,
    /// Element code -> grade in the element's unit.
    pub grades: BTreeMap<String, String>,
}

/// What a user or a sheet gave. Empty text is "not recorded", which is not zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProductionInput {
    pub mine_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Empty for the whole day, else the shift's name (`day`, `night`, `1`, ...).
    pub shift: String,
    pub ore_hoisted_t: String,
    pub ore_milled_t: String,
    /// Grades of the ore milled.
    pub feed_grades: BTreeMap<String, String>,
    pub concentrates: Vec<ConcentrateInput>,
    pub tailings_t: String,
    pub tailings_grades: BTreeMap<String, String>,
    /// Where the tailings went (the facility's name).
    pub tailings_facility: String,
    pub waste_t: String,
    pub waste_grades: BTreeMap<String, String>,
    pub hours_worked: String,
    pub worker_shifts: String,
    pub electricity_kwh: String,
    pub water_m3: String,
    pub diesel_l: String,
    pub explosives_kg: String,
    /// Cost category (`labour`, `electricity`, ...) -> RMB.
    pub costs: BTreeMap<String, String>,
    /// Why a correction was made; required for every version after the first (the store checks).
    pub reason: String,
}

/// The plain fields of a record by name, as forms and sheets name them.
const PLAIN: &[&str] = &[
    "mine_id",
    "day",
    "shift",
    "ore_hoisted_t",
    "ore_milled_t",
    "tailings_t",
    "tailings_facility",
    "waste_t",
    "hours_worked",
    "worker_shifts",
    "electricity_kwh",
    "water_m3",
    "diesel_l",
    "explosives_kg",
    "reason",
];

impl ProductionInput {
    fn plain_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "mine_id" => &mut self.mine_id,
            "day" => &mut self.day,
            "shift" => &mut self.shift,
            "ore_hoisted_t" => &mut self.ore_hoisted_t,
            "ore_milled_t" => &mut self.ore_milled_t,
            "tailings_t" => &mut self.tailings_t,
            "tailings_facility" => &mut self.tailings_facility,
            "waste_t" => &mut self.waste_t,
            "hours_worked" => &mut self.hours_worked,
            "worker_shifts" => &mut self.worker_shifts,
            "electricity_kwh" => &mut self.electricity_kwh,
            "water_m3" => &mut self.water_m3,
            "diesel_l" => &mut self.diesel_l,
            "explosives_kg" => &mut self.explosives_kg,
            "reason" => &mut self.reason,
            _ => return None,
        })
    }

    /// A record from flat (name, value) pairs, the names being the field names of the errors:
    /// `ore_milled_t`, `feed_grades.zn`, `concentrates.0.wet_t`, `concentrates.1.grades.pb`,
    /// `costs.labour`. Forms post these names and import sheets use them as column headings.
    /// Unknown names are returned, not ignored, so an import can say which column it skipped.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (ProductionInput, Vec<String>) {
        let mut i = ProductionInput::default();
        let mut unknown = Vec::new();
        for (name, value) in pairs {
            let value = value.to_owned();
            let mut parts = name.splitn(2, '.');
            match (parts.next().unwrap_or(""), parts.next()) {
                ("feed_grades", Some(el)) => drop(i.feed_grades.insert(el.to_owned(), value)),
                ("tailings_grades", Some(el)) => drop(i.tailings_grades.insert(el.to_owned(), value)),
                ("waste_grades", Some(el)) => drop(i.waste_grades.insert(el.to_owned(), value)),
                ("costs", Some(cat)) => drop(i.costs.insert(cat.to_owned(), value)),
                ("concentrates", Some(rest)) => {
                    let mut r = rest.splitn(2, '.');
                    let k = r.next().and_then(|k| k.parse::<usize>().ok()).filter(|k| *k < 10);
                    let (Some(k), Some(field)) = (k, r.next()) else {
                        unknown.push(name.to_owned());
                        continue;
                    };
                    if i.concentrates.len() <= k {
                        i.concentrates.resize(k + 1, ConcentrateInput::default());
                    }
                    let c = &mut i.concentrates[k];
                    match field.split_once('.') {
                        Some(("grades", el)) => drop(c.grades.insert(el.to_owned(), value)),
                        _ => match field {
                            "name" => c.name = value,
                            "wet_t" => c.wet_t = value,
                            "moisture_pct" => c.moisture_pct = value,
                            _ => unknown.push(name.to_owned()),
                        },
                    }
                }
                (plain, None) => match i.plain_mut(plain) {
                    Some(f) => *f = value,
                    None => unknown.push(name.to_owned()),
                },
                _ => unknown.push(name.to_owned()),
            }
        }
        (i, unknown)
    }

    /// The record as flat (name, value) pairs: the inverse of [`ProductionInput::from_pairs`].
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut me = self.clone();
        for name in PLAIN {
            if let Some(v) = me.plain_mut(name) {
                out.push(((*name).to_owned(), std::mem::take(v)));
            }
        }
        for (prefix, map) in [("feed_grades", &self.feed_grades), ("tailings_grades", &self.tailings_grades)]
            .into_iter()
            .chain([("waste_grades", &self.waste_grades), ("costs", &self.costs)])
        {
            out.extend(map.iter().map(|(k, v)| (format!("{prefix}.{k}"), v.clone())));
        }
        for (k, c) in self.concentrates.iter().enumerate() {
            out.push((format!("concentrates.{k}.name"), c.name.clone()));
            out.push((format!("concentrates.{k}.wet_t"), c.wet_t.clone()));
            out.push((format!("concentrates.{k}.moisture_pct"), c.moisture_pct.clone()));
            out.extend(c.grades.iter().map(|(el, v)| (format!("concentrates.{k}.grades.{el}"), v.clone())));
        }
        out
    }
}

/// Grades by element code, in 10^-4 of the element's unit.
pub type Grades = BTreeMap<String, i64>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concentrate {
    pub name: String,
    /// Kilograms (tonnes with 3 decimals).
    pub wet_kg: i64,
    /// Hundredths of a percent.
    pub moisture: i64,
    pub grades: Grades,
}

impl Concentrate {
    /// Dry tonnes: wet x (1 - moisture).
    pub fn dry_t(&self) -> Decimal {
        let wet = Decimal::new(self.wet_kg, TONNE_SCALE);
        let m = Decimal::new(self.moisture, MOISTURE_SCALE);
        wet * (Decimal::from(100) - m) / Decimal::from(100)
    }
}

/// A checked record. Tonnages are kilograms, grades 10^-4 of their unit, money fen, the other
/// amounts tenths; `None` is "not recorded".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductionDraft {
    pub mine_id: Uuid,
    pub day: NaiveDate,
    pub shift: String,
    pub ore_hoisted_kg: Option<i64>,
    pub ore_milled_kg: Option<i64>,
    pub feed_grades: Grades,
    pub concentrates: Vec<Concentrate>,
    pub tailings_kg: Option<i64>,
    pub tailings_grades: Grades,
    pub tailings_facility: Option<String>,
    pub waste_kg: Option<i64>,
    pub waste_grades: Grades,
    pub hours_worked: Option<i64>,
    pub worker_shifts: Option<i64>,
    pub electricity_kwh: Option<i64>,
    pub water_m3: Option<i64>,
    pub diesel_l: Option<i64>,
    pub explosives_kg: Option<i64>,
    /// Category code -> fen.
    pub costs: BTreeMap<String, i64>,
    pub reason: Option<String>,
    /// Fluent codes of things worth a second look.
    pub warnings: Vec<&'static str>,
}

/// A non-negative amount with at most `scale` decimals, at most `max`; empty is `None`.
fn amount(input: &str, scale: u32, max: i64) -> Result<Option<i64>, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // Spaces group thousands in Chinese forms; commas are refused (decimal or grouping?).
    let t = t.replace(' ', "");
    let d: Decimal = t.parse().map_err(|_| "err-number")?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err("err-negative");
    }
    if d > Decimal::from(max) {
        return Err("err-too-large");
    }
    to_scaled(d, scale).map(Some).ok_or("err-too-precise")
}

fn grades(
    e: &mut FieldErrors,
    field: &str,
    input: &BTreeMap<String, String>,
    elements: &[Element],
) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (code, value) in input {
        let name = format!("{field}.{code}");
        let Some(el) = elements.iter().find(|el| el.code == code.trim().to_ascii_lowercase()) else {
            e.add_with(&name, "err-element", vec![("element", code.clone())]);
            continue;
        };
        let t = value.trim();
        if t.is_empty() {
            continue;
        }
        match t.parse::<Decimal>() {
            Err(_) => e.add(&name, "err-number"),
            Ok(d) if d.is_sign_negative() && !d.is_zero() => e.add(&name, "err-negative"),
            Ok(d) if d > el.unit.max() => e.add_with(&name, "err-grade-max", vec![("max", el.unit.max().to_string())]),
            Ok(d) => match to_scaled(d, GRADE_SCALE) {
                Some(v) => {
                    out.insert(el.code.clone(), v);
                }
                None => e.add(&name, "err-too-precise"),
            },
        }
    }
    out
}

impl ProductionDraft {
    /// Check a record against the co-op's element list; `today` is the co-op's date (a record
    /// cannot be for a day that has not come).
    pub fn parse(i: &ProductionInput, elements: &[Element], today: NaiveDate) -> Result<ProductionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let mine_id = match Uuid::parse_str(i.mine_id.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                e.add("mine_id", "err-choice");
                None
            }
        };
        let day = match NaiveDate::parse_from_str(i.day.trim(), "%Y-%m-%d") {
            Ok(d) if d > today => {
                e.add("day", "err-future");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.add("day", if i.day.trim().is_empty() { "err-required" } else { "err-date" });
                None
            }
        };
        let shift = e.take("shift", optional_text(&i.shift, 20)).flatten().unwrap_or_default();
        // A day's tonnages: a small mine hoists hundreds of tonnes; 10^7 t is an error.
        const T_MAX: i64 = 10_000_000;
        let ore_hoisted_kg = e.take("ore_hoisted_t", amount(&i.ore_hoisted_t, TONNE_SCALE, T_MAX)).flatten();
        let ore_milled_kg = e.take("ore_milled_t", amount(&i.ore_milled_t, TONNE_SCALE, T_MAX)).flatten();
        let feed_grades = grades(&mut e, "feed_grades", &i.feed_grades, elements);
        let mut concentrates = Vec::new();
        for (k, c) in i.concentrates.iter().enumerate() {
            let f = |name: &str| format!("concentrates.{k}.{name}");
            let blank = c.name.trim().is_empty()
                && c.wet_t.trim().is_empty()
                && c.moisture_pct.trim().is_empty()
                && c.grades.values().all(|g| g.trim().is_empty());
            if blank {
                continue;
            }
            let name = e.take(&f("name"), crate::validation::required_text(&c.name, 40));
            let wet = e.take(&f("wet_t"), amount(&c.wet_t, TONNE_SCALE, T_MAX));
            let moisture = match amount(&c.moisture_pct, MOISTURE_SCALE, 100) {
                Ok(Some(m)) if m >= 100 * 10i64.pow(MOISTURE_SCALE) => {
                    e.add(&f("moisture_pct"), "err-moisture");
                    None
                }
                Ok(m) => Some(m.unwrap_or(0)),
                Err(code) => {
                    e.add(&f("moisture_pct"), code);
                    None
                }
            };
            let g = grades(&mut e, &f("grades"), &c.grades, elements);
            match (name, wet, moisture) {
                (Some(name), Some(Some(wet_kg)), Some(moisture)) => {
                    concentrates.push(Concentrate { name, wet_kg, moisture, grades: g })
                }
                (_, Some(None), _) => e.add(&f("wet_t"), "err-required"),
                _ => {}
            }
        }
        let tailings_kg = e.take("tailings_t", amount(&i.tailings_t, TONNE_SCALE, T_MAX)).flatten();
        let tailings_grades = grades(&mut e, "tailings_grades", &i.tailings_grades, elements);
        let tailings_facility = e.take("tailings_facility", optional_text(&i.tailings_facility, 60)).flatten();
        if tailings_kg.is_some_and(|t| t > 0) && tailings_facility.is_none() {
            // Where tailings go is what the co-op supervises.
            e.add("tailings_facility", "err-tailings-facility");
        }
        let waste_kg = e.take("waste_t", amount(&i.waste_t, TONNE_SCALE, T_MAX)).flatten();
        let waste_grades = grades(&mut e, "waste_grades", &i.waste_grades, elements);
        let hours_worked = e.take("hours_worked", amount(&i.hours_worked, AMOUNT_SCALE, 1_000_000)).flatten();
        let worker_shifts = e.take("worker_shifts", amount(&i.worker_shifts, 0, 100_000)).flatten();
        let electricity_kwh =
            e.take("electricity_kwh", amount(&i.electricity_kwh, AMOUNT_SCALE, 100_000_000)).flatten();
        let water_m3 = e.take("water_m3", amount(&i.water_m3, AMOUNT_SCALE, 100_000_000)).flatten();
        let diesel_l = e.take("diesel_l", amount(&i.diesel_l, AMOUNT_SCALE, 100_000_000)).flatten();
        let explosives_kg = e.take("explosives_kg", amount(&i.explosives_kg, AMOUNT_SCALE, 1_000_000)).flatten();
        let mut costs = BTreeMap::new();
        for (cat, value) in &i.costs {
            let name = format!("costs.{cat}");
            match CostCategory::parse(cat) {
                Err(code) => e.add(&name, code),
                Ok(c) => {
                    if let Some(Some(fen)) = e.take(&name, amount(value, MONEY_SCALE, 1_000_000_000_000)) {
                        costs.insert(c.as_str().to_owned(), fen);
                    }
                }
            }
        }
        let reason = e.take("reason", optional_text(&i.reason, 200)).flatten();
        if !e.is_empty() {
            return Err(e);
        }
        let (Some(mine_id), Some(day)) = (mine_id, day) else { return Err(e) };
        let mut d = ProductionDraft {
            mine_id,
            day,
            shift,
            ore_hoisted_kg,
            ore_milled_kg,
            feed_grades,
            concentrates,
            tailings_kg,
            tailings_grades,
            tailings_facility,
            waste_kg,
            waste_grades,
            hours_worked,
            worker_shifts,
            electricity_kwh,
            water_m3,
            diesel_l,
            explosives_kg,
            costs,
            reason,
            warnings: Vec::new(),
        };
        d.warnings = d.checks(elements);
        Ok(d)
    }

    /// The record as a form shows it, to be corrected.
    pub fn to_input(&self) -> ProductionInput {
        let dec = |v: i64, scale: u32| Decimal::new(v, scale).normalize().to_string();
        let opt = |v: Option<i64>, scale: u32| v.map(|v| dec(v, scale)).unwrap_or_default();
        let grades = |g: &Grades| g.iter().map(|(k, v)| (k.clone(), dec(*v, GRADE_SCALE))).collect();
        ProductionInput {
            mine_id: self.mine_id.to_string(),
            day: self.day.to_string(),
            shift: self.shift.clone(),
            ore_hoisted_t: opt(self.ore_hoisted_kg, TONNE_SCALE),
            ore_milled_t: opt(self.ore_milled_kg, TONNE_SCALE),
            feed_grades: grades(&self.feed_grades),
            concentrates: self
                .concentrates
                .iter()
                .map(|c| ConcentrateInput {
                    name: c.name.clone(),
                    wet_t: dec(c.wet_kg, TONNE_SCALE),
                    moisture_pct: dec(c.moisture, MOISTURE_SCALE),
                    grades: grades(&c.grades),
                })
                .collect(),
            tailings_t: opt(self.tailings_kg, TONNE_SCALE),
            tailings_grades: grades(&self.tailings_grades),
            tailings_facility: self.tailings_facility.clone().unwrap_or_default(),
            waste_t: opt(self.waste_kg, TONNE_SCALE),
            waste_grades: grades(&self.waste_grades),
            hours_worked: opt(self.hours_worked, AMOUNT_SCALE),
            worker_shifts: opt(self.worker_shifts, 0),
            electricity_kwh: opt(self.electricity_kwh, AMOUNT_SCALE),
            water_m3: opt(self.water_m3, AMOUNT_SCALE),
            diesel_l: opt(self.diesel_l, AMOUNT_SCALE),
            explosives_kg: opt(self.explosives_kg, AMOUNT_SCALE),
            costs: self.costs.iter().map(|(k, v)| (k.clone(), dec(*v, MONEY_SCALE))).collect(),
            reason: String::new(),
        }
    }

    /// Totals that do not add up: more product than ore milled, or a metal balance that does
    /// not close within 5 % of the feed's metal.
    fn checks(&self, elements: &[Element]) -> Vec<&'static str> {
        let mut w = Vec::new();
        let milled = self.ore_milled_kg.map(|k| Decimal::new(k, TONNE_SCALE));
        let conc: Decimal = self.concentrates.iter().map(Concentrate::dry_t).sum();
        let tail = self.tailings_kg.map(|k| Decimal::new(k, TONNE_SCALE)).unwrap_or_default();
        if let Some(m) = milled
            && conc + tail > m * Decimal::new(105, 2)
        {
            w.push("warn-products-exceed-feed");
        }
        if let Some(m) = milled.filter(|m| !m.is_zero()) {
            for el in elements {
                let Some(f) = self.feed_grades.get(&el.code) else { continue };
                let feed = el.metal_t(m, Decimal::new(*f, GRADE_SCALE));
                let Some(t) = self.tailings_grades.get(&el.code) else { continue };
                if self.concentrates.iter().any(|c| !c.grades.contains_key(&el.code)) || self.tailings_kg.is_none() {
                    continue;
                }
                let out: Decimal = self
                    .concentrates
                    .iter()
                    .map(|c| el.metal_t(c.dry_t(), Decimal::new(c.grades[&el.code], GRADE_SCALE)))
                    .sum::<Decimal>()
                    + el.metal_t(tail, Decimal::new(*t, GRADE_SCALE));
                if !feed.is_zero() && ((out - feed) / feed).abs() > Decimal::new(5, 2) {
                    w.push("warn-metal-balance");
                    break;
                }
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::production::default_elements;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// A day at a Niujiaotang mine: 300 t at 3.48 % Zn, a 50 % concentrate, 0.28 % tailings.
    fn day() -> ProductionInput {
        ProductionInput {
            mine_id: Uuid::nil().to_string(),
            day: "2005-06-01".into(),
            ore_hoisted_t: "310.5".into(),
            ore_milled_t: "300".into(),
            feed_grades: map(&[("zn", "3.48"), ("pb", "0.9"), ("ag", "35")]),
            concentrates: vec![ConcentrateInput {
                name: "Zn concentrate".into(),
                wet_t: "21.053".into(),
                moisture_pct: "8.5".into(),
                grades: map(&[("zn", "50")]),
            }],
            tailings_t: "280.74".into(),
            tailings_grades: map(&[("zn", "0.28")]),
            tailings_facility: "牛角塘1号尾矿库".into(),
            waste_t: "45".into(),
            waste_grades: map(&[("zn", "0.55")]),
            hours_worked: "960".into(),
            worker_shifts: "120".into(),
            electricity_kwh: "8200".into(),
            explosives_kg: "210.5".into(),
            costs: map(&[("labour", "18000.00"), ("electricity", "5330.5")]),
            ..Default::default()
        }
    }

    #[test]
    fn a_day_is_stored_exactly() {
        let d = ProductionDraft::parse(&day(), &default_elements(), today()).unwrap();
        assert_eq!(d.ore_milled_kg, Some(300_000));
        assert_eq!(d.feed_grades["zn"], 34_800);
        assert_eq!(d.feed_grades["ag"], 350_000);
        assert_eq!(d.concentrates[0].wet_kg, 21_053);
        assert_eq!(d.concentrates[0].moisture, 850);
        assert_eq!(d.concentrates[0].dry_t(), Decimal::new(19_263_495, 6));
        assert_eq!(d.costs["electricity"], 533_050);
        assert_eq!(d.explosives_kg, Some(2105));
        assert_eq!(d.water_m3, None, "not recorded is not zero");
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut i = day();
        i.day = "2026-11-27".into();
        i.ore_milled_t = "-3".into();
        i.feed_grades = map(&[("zn", "103"), ("cu", "1"), ("ag", "1.00001")]);
        i.concentrates[0].moisture_pct = "100".into();
        i.tailings_facility = String::new();
        i.costs = map(&[("bribes", "100")]);
        i.worker_shifts = "1.5".into();
        let e = ProductionDraft::parse(&i, &default_elements(), today()).unwrap_err();
        let code = |f: &str| e.get(f).map(|x| x.code).unwrap_or("-");
        assert_eq!(code("day"), "err-future");
        assert_eq!(code("ore_milled_t"), "err-negative");
        assert_eq!(code("feed_grades.zn"), "err-grade-max");
        assert_eq!(code("feed_grades.cu"), "err-element");
        assert_eq!(code("feed_grades.ag"), "err-too-precise");
        assert_eq!(code("concentrates.0.moisture_pct"), "err-moisture");
        assert_eq!(code("tailings_facility"), "err-tailings-facility");
        assert_eq!(code("costs.bribes"), "err-choice");
        assert_eq!(code("worker_shifts"), "err-too-precise");
    }

    #[test]
    fn a_metal_balance_that_does_not_close_is_a_warning() {
        let mut i = day();
        i.tailings_grades = map(&[("zn", "1.5")]);
        let d = ProductionDraft::parse(&i, &default_elements(), today()).unwrap();
        assert_eq!(d.warnings, vec!["warn-metal-balance"]);
        let mut i = day();
        i.ore_milled_t = "200".into();
        let d = ProductionDraft::parse(&i, &default_elements(), today()).unwrap();
        assert!(d.warnings.contains(&"warn-products-exceed-feed"));
    }

    #[test]
    fn pairs_name_the_same_fields_as_the_errors_and_round_trip() {
        let i = day();
        let pairs = i.to_pairs();
        assert!(pairs.iter().any(|(k, v)| k == "concentrates.0.grades.zn" && v == "50"));
        assert!(pairs.iter().any(|(k, v)| k == "feed_grades.ag" && v == "35"));
        let (back, unknown) = ProductionInput::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert!(unknown.is_empty());
        assert_eq!(back, i);
        let (_, unknown) = ProductionInput::from_pairs([("ore_milled", "1"), ("concentrates.x.name", "a")]);
        assert_eq!(unknown, ["ore_milled", "concentrates.x.name"]);
    }

    #[test]
    fn a_stored_record_comes_back_as_the_form_had_it() {
        let d = ProductionDraft::parse(&day(), &default_elements(), today()).unwrap();
        let again = ProductionDraft::parse(&d.to_input(), &default_elements(), today()).unwrap();
        assert_eq!(again, d);
    }

    #[test]
    fn a_blank_concentrate_row_is_no_concentrate() {
        let mut i = day();
        i.concentrates.push(ConcentrateInput::default());
        let d = ProductionDraft::parse(&i, &default_elements(), today()).unwrap();
        assert_eq!(d.concentrates.len(), 1);
        i.concentrates[1].grades = map(&[("pb", "55")]);
        let e = ProductionDraft::parse(&i, &default_elements(), today()).unwrap_err();
        assert!(e.get("concentrates.1.name").is_some() && e.get("concentrates.1.wet_t").is_some());
    }
}
