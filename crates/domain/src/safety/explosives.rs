//! Explosives control (issue 5 item 6): each mine's magazine ledger. Receipts come in with their
//! permit number, issues go out to a named licensed blaster for a shift, returns come back, each
//! blast records what it used, and the daily physical count is set against the book balance:
//! any difference is a security incident at once.
//!
//! Quantities are kept in thousandths of the item's unit (kg, pieces, m), so every count is an
//! exact integer.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::production::sample::parse_local_time;
use crate::registry::code_enum;
use crate::units::to_scaled;
use crate::validation::{FieldErrors, optional_text, required_text};

code_enum!(
    /// What a magazine holds.
    Item, "err-choice", {
        Emulsion => "emulsion", AmmoniumNitrate => "ammonium_nitrate", Detonators => "detonators",
        DetonatingCord => "detonating_cord", SafetyFuse => "safety_fuse",
    }
);

code_enum!(
    /// A line of the ledger.
    EntryKind, "err-choice", {
        Receipt => "receipt", Issue => "issue", Return => "return", Use => "use", Count => "count",
        Adjustment => "adjustment",
    }
);

impl EntryKind {
    /// The kinds a mine enters itself. An adjustment only ever writes off a count's difference,
    /// after the co-op has looked into it (`write_off`), never as a free line.
    pub const ENTERED: [EntryKind; 5] =
        [EntryKind::Receipt, EntryKind::Issue, EntryKind::Return, EntryKind::Use, EntryKind::Count];
}

code_enum!(
    Shift, "err-choice", { Day => "day", Middle => "middle", Night => "night" }
);

/// Thousandths of a unit.
pub const QTY_SCALE: u32 = 3;

impl Item {
    /// The unit a quantity of the item is counted in: `kg`, `pcs` or `m`.
    pub fn unit(self) -> &'static str {
        match self {
            Item::Emulsion | Item::AmmoniumNitrate => "kg",
            Item::Detonators => "pcs",
            Item::DetonatingCord | Item::SafetyFuse => "m",
        }
    }
}

/// A ledger line as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EntryInput {
    pub kind: String,
    pub item: String,
    /// In the item's unit; detonators in whole pieces.
    pub quantity: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub at: String,
    /// Receipts: the purchase and transport permit.
    pub permit_no: String,
    /// Issues, returns and blasts: the blaster's user name.
    pub blaster: String,
    pub shift: String,
    /// Blasts: where.
    pub blast_location: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryDraft {
    pub kind: EntryKind,
    pub item: Item,
    pub qty_milli: i64,
    pub at: NaiveDateTime,
    pub permit_no: Option<String>,
    pub blaster: Option<String>,
    pub shift: Option<Shift>,
    pub blast_location: Option<String>,
    pub note: Option<String>,
}

impl EntryDraft {
    /// `now` in the co-op's local time: nothing is entered for the future.
    pub fn parse(i: &EntryInput, now: NaiveDateTime) -> Result<EntryDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", EntryKind::parse(i.kind.trim()));
        if kind == Some(EntryKind::Adjustment) {
            e.add("kind", "err-adjustment-is-a-write-off");
        }
        let item = e.take("item", Item::parse(i.item.trim()));
        let qty = match i.quantity.trim() {
            "" => {
                e.add("quantity", "err-required");
                None
            }
            t => match t.parse::<Decimal>() {
                Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                    e.add("quantity", "err-negative");
                    None
                }
                Ok(d) if d.is_zero() && kind != Some(EntryKind::Count) => {
                    e.add("quantity", "err-zero");
                    None
                }
                Ok(d) if item == Some(Item::Detonators) && !d.fract().is_zero() => {
                    e.add("quantity", "err-whole-number");
                    None
                }
                Ok(d) => match to_scaled(d, QTY_SCALE) {
                    Some(v) if v <= 1_000_000_000_000 => Some(v),
                    Some(_) => {
                        e.add("quantity", "err-too-large");
                        None
                    }
                    None => {
                        e.add("quantity", "err-qty-decimals");
                        None
                    }
                },
                Err(_) => {
                    e.add("quantity", "err-number");
                    None
                }
            },
        };
        let at = e.take("at", parse_local_time(&i.at));
        if at.is_some_and(|t| t > now) {
            e.add("at", "err-future");
        }
        let permit_no = e.take("permit_no", optional_text(&i.permit_no, 100)).flatten();
        let blaster = e.take("blaster", optional_text(&i.blaster, 100)).flatten();
        let shift = if i.shift.trim().is_empty() { None } else { e.take("shift", Shift::parse(i.shift.trim())) };
        let blast_location = e.take("blast_location", optional_text(&i.blast_location, 200)).flatten();
        let note = e.take("note", optional_text(&i.note, 1000)).flatten();
        match kind {
            Some(EntryKind::Receipt) if permit_no.is_none() && e.get("permit_no").is_none() => {
                e.add("permit_no", "err-required");
            }
            Some(EntryKind::Issue | EntryKind::Return | EntryKind::Use) => {
                if blaster.is_none() && e.get("blaster").is_none() {
                    e.add("blaster", "err-required");
                }
                if shift.is_none() && e.get("shift").is_none() {
                    e.add("shift", "err-required");
                }
                if kind == Some(EntryKind::Use) && blast_location.is_none() && e.get("blast_location").is_none() {
                    e.add("blast_location", "err-required");
                }
            }
            _ => {}
        }
        match (kind, item, qty, at) {
            (Some(kind), Some(item), Some(qty_milli), Some(at)) if e.is_empty() => {
                Ok(EntryDraft { kind, item, qty_milli, at, permit_no, blaster, shift, blast_location, note })
            }
            _ => Err(e),
        }
    }
}

/// A ledger line as the balance reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: EntryKind,
    pub item: Item,
    pub qty_milli: i64,
    pub blaster: Option<String>,
}

/// The book: what the magazine should hold of each item, and what each blaster holds (issued,
/// not yet returned or used).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book {
    pub magazine: HashMap<Item, i64>,
    pub with_blasters: HashMap<(String, Item), i64>,
}

impl Book {
    /// The book after every line, in order. Counts do not move the book.
    pub fn of(lines: &[Line]) -> Book {
        let mut b = Book::default();
        for l in lines {
            b.apply(l);
        }
        b
    }

    fn apply(&mut self, l: &Line) {
        let stock = self.magazine.entry(l.item).or_default();
        let who = l.blaster.clone().unwrap_or_default();
        match l.kind {
            EntryKind::Receipt => *stock += l.qty_milli,
            EntryKind::Issue => {
                *stock -= l.qty_milli;
                *self.with_blasters.entry((who, l.item)).or_default() += l.qty_milli;
            }
            EntryKind::Return => {
                *stock += l.qty_milli;
                *self.with_blasters.entry((who, l.item)).or_default() -= l.qty_milli;
            }
            EntryKind::Use => *self.with_blasters.entry((who, l.item)).or_default() -= l.qty_milli,
            EntryKind::Count => {}
            // Signed: a write-off of two missing detonators is -2 pieces.
            EntryKind::Adjustment => *stock += l.qty_milli,
        }
    }

    pub fn stock(&self, item: Item) -> i64 {
        self.magazine.get(&item).copied().unwrap_or(0)
    }

    pub fn held_by(&self, blaster: &str, item: Item) -> i64 {
        self.with_blasters.get(&(blaster.to_owned(), item)).copied().unwrap_or(0)
    }

    /// Whether a new line can follow the book: nothing issued that the magazine does not hold,
    /// nothing returned or used that the blaster was not issued.
    pub fn check(&self, d: &EntryDraft) -> Result<(), (&'static str, &'static str)> {
        let who = d.blaster.as_deref().unwrap_or("");
        match d.kind {
            EntryKind::Issue if d.qty_milli > self.stock(d.item) => Err(("quantity", "err-exceeds-stock")),
            EntryKind::Return | EntryKind::Use if d.qty_milli > self.held_by(who, d.item) => {
                Err(("quantity", "err-exceeds-issued"))
            }
            _ => Ok(()),
        }
    }

    /// A physical count against the book: counted minus book (negative: something is missing).
    pub fn difference(&self, item: Item, counted_milli: i64) -> i64 {
        counted_milli - self.stock(item)
    }
}

impl Item {
    /// The item's name in Chinese, as the magazine's book and the bureau write it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Item::Emulsion => "乳化炸药",
            Item::AmmoniumNitrate => "铵油炸药",
            Item::Detonators => "雷管",
            Item::DetonatingCord => "导爆索",
            Item::SafetyFuse => "导火索",
        }
    }

    /// The unit in Chinese (`千克`, `发`, `米`).
    pub fn unit_zh(self) -> &'static str {
        match self.unit() {
            "kg" => "千克",
            "pcs" => "发",
            _ => "米",
        }
    }
}

/// A quantity with its unit, in both languages: `(zh, en)`.
pub fn quantity(item: Item, milli: i64) -> (String, String) {
    let d = crate::units::from_scaled(milli, QTY_SCALE).normalize();
    (format!("{d} {}", item.unit_zh()), format!("{d} {}", item.unit()))
}

/// Where and what the security incident a count's difference opens records, in Chinese and
/// English (the record is read by the co-op, the mine and the bureau, whatever the reader's
/// language): `(location, description)`.
pub fn difference_case(
    item: Item,
    mine_zh: &str,
    mine_en: &str,
    counted_milli: i64,
    book_milli: i64,
) -> (String, String) {
    let diff = counted_milli - book_milli;
    let (counted, book, gap) = (quantity(item, counted_milli), quantity(item, book_milli), quantity(item, diff.abs()));
    let (short_zh, short_en) = if diff < 0 { ("短缺", "missing") } else { ("多出", "surplus") };
    let location = format!("{mine_zh}炸药库 / {mine_en} magazine");
    let description = format!(
        "{}：清点 {}，账面 {}（{short_zh} {}）。 / {}: counted {}, book {} ({short_en} {}).",
        item.name_zh(),
        counted.0,
        book.0,
        gap.0,
        item.as_str(),
        counted.1,
        book.1,
        gap.1,
    );
    (location, description)
}

/// The reason the co-op gives for writing off a count's difference (the book is brought to what
/// was counted, and the line names the security incident that looked into it).
pub fn write_off_reason(reason: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    match e.take("reason", required_text(reason, 1000)) {
        Some(r) if e.is_empty() => Ok(r),
        _ => Err(e),
    }
}

/// Whether a count's difference is the one the previous count of the item already found, not
/// yet written off: the same shortfall counted again is the same case, not a new one.
pub fn same_open_difference(previous: Option<(i64, bool)>, difference: i64) -> bool {
    matches!(previous, Some((d, written_off)) if d == difference && d != 0 && !written_off)
}

/// Whether a blaster's certificate is valid on a day.
pub fn certificate_valid(valid_from: NaiveDate, valid_to: NaiveDate, on: NaiveDate) -> bool {
    valid_from <= on && on <= valid_to
}

/// A blaster's certificate as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CertificateInput {
    pub username: String,
    pub number: String,
    pub issued_by: String,
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateDraft {
    pub username: String,
    pub number: String,
    pub issued_by: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

impl CertificateDraft {
    pub fn parse(i: &CertificateInput) -> Result<CertificateDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let username = e.take("username", required_text(&i.username, 100));
        let number = e.take("number", required_text(&i.number, 100));
        let issued_by = e.take("issued_by", required_text(&i.issued_by, 200));
        let from = e.take("valid_from", crate::validation::era_date(&i.valid_from));
        let to = e.take("valid_to", crate::validation::era_date(&i.valid_to));
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            e.add("valid_to", "err-before-from");
        }
        match (username, number, issued_by, from, to) {
            (Some(username), Some(number), Some(issued_by), Some(valid_from), Some(valid_to)) if e.is_empty() => {
                Ok(CertificateDraft { username, number, issued_by, valid_from, valid_to })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_count_difference_is_described_in_both_languages() {
        let (location, text) = difference_case(Item::SafetyFuse, "大坪矿", "Daping", 48_000, 50_000);
        assert_eq!(location, "大坪矿炸药库 / Daping magazine");
        assert_eq!(
            text,
            "导火索：清点 48 米，账面 50 米（短缺 2 米）。 / safety_fuse: counted 48 m, book 50 m (missing 2 m)."
        );
        let (_, text) = difference_case(Item::Emulsion, "甲", "A", 12_500, 12_000);
        assert!(text.contains("多出 0.5 千克") && text.contains("surplus 0.5 kg"), "{text}");
    }
    use super::*;

    fn now() -> NaiveDateTime {
        parse_local_time("2026-03-02T20:00").unwrap()
    }

    fn input(kind: &str, item: &str, qty: &str) -> EntryInput {
        EntryInput {
            kind: kind.into(),
            item: item.into(),
            quantity: qty.into(),
            at: "2026-03-02T07:30".into(),
            permit_no: if kind == "receipt" { "黔公爆购 2026-0113".into() } else { String::new() },
            blaster: if matches!(kind, "issue" | "return" | "use") { "blaster1".into() } else { String::new() },
            shift: if matches!(kind, "issue" | "return" | "use") { "day".into() } else { String::new() },
            blast_location: if kind == "use" { "Stope 4 face".into() } else { String::new() },
            note: String::new(),
        }
    }

    fn line(d: &EntryDraft) -> Line {
        Line { kind: d.kind, item: d.item, qty_milli: d.qty_milli, blaster: d.blaster.clone() }
    }

    #[test]
    fn each_kind_needs_its_own_fields() {
        let e =
            EntryDraft::parse(&EntryInput { permit_no: String::new(), ..input("receipt", "emulsion", "200") }, now())
                .unwrap_err();
        assert_eq!(e.get("permit_no").unwrap().code, "err-required");
        let e = EntryDraft::parse(
            &EntryInput { blaster: String::new(), shift: String::new(), ..input("issue", "detonators", "20") },
            now(),
        )
        .unwrap_err();
        assert_eq!((e.get("blaster").unwrap().code, e.get("shift").unwrap().code), ("err-required", "err-required"));
        let e =
            EntryDraft::parse(&EntryInput { blast_location: String::new(), ..input("use", "emulsion", "5") }, now())
                .unwrap_err();
        assert_eq!(e.get("blast_location").unwrap().code, "err-required");
        for (q, code) in [
            ("-1", "err-negative"),
            ("0", "err-zero"),
            ("1.5", "err-whole-number"),
            ("x", "err-number"),
            ("", "err-required"),
        ] {
            let e = EntryDraft::parse(&input("issue", "detonators", q), now()).unwrap_err();
            assert_eq!(e.get("quantity").unwrap().code, code, "{q}");
        }
        // A count may find nothing; a future time is refused.
        assert_eq!(EntryDraft::parse(&input("count", "detonators", "0"), now()).unwrap().qty_milli, 0);
        let e =
            EntryDraft::parse(&EntryInput { at: "2026-03-03T07:00".into(), ..input("count", "emulsion", "1") }, now())
                .unwrap_err();
        assert_eq!(e.get("at").unwrap().code, "err-future");
    }

    #[test]
    fn the_book_follows_receipts_issues_returns_and_blasts() {
        let p = |k, i, q| EntryDraft::parse(&input(k, i, q), now()).unwrap();
        let mut lines = vec![line(&p("receipt", "emulsion", "200")), line(&p("receipt", "detonators", "100"))];
        let b = Book::of(&lines);
        assert_eq!(b.check(&p("issue", "detonators", "101")), Err(("quantity", "err-exceeds-stock")));
        lines.push(line(&p("issue", "detonators", "40")));
        lines.push(line(&p("issue", "emulsion", "25.5")));
        let b = Book::of(&lines);
        assert_eq!(b.check(&p("use", "detonators", "41")), Err(("quantity", "err-exceeds-issued")));
        lines.push(line(&p("use", "detonators", "36")));
        lines.push(line(&p("use", "emulsion", "24")));
        lines.push(line(&p("return", "detonators", "4")));
        lines.push(line(&p("return", "emulsion", "1.5")));
        let b = Book::of(&lines);
        assert_eq!(b.check(&p("return", "detonators", "1")), Err(("quantity", "err-exceeds-issued")));
        assert_eq!((b.stock(Item::Detonators), b.stock(Item::Emulsion)), (64_000, 176_000));
        assert_eq!((b.held_by("blaster1", Item::Detonators), b.held_by("blaster1", Item::Emulsion)), (0, 0));
        // The evening count: two detonators short.
        assert_eq!(b.difference(Item::Detonators, 62_000), -2_000);
        assert_eq!(b.difference(Item::Emulsion, 176_000), 0);
    }

    #[test]
    fn a_write_off_brings_the_book_to_the_count_and_only_the_co_op_enters_one() {
        let p = |k, i, q| EntryDraft::parse(&input(k, i, q), now()).unwrap();
        let mut lines = vec![line(&p("receipt", "detonators", "100"))];
        let b = Book::of(&lines);
        assert_eq!(b.difference(Item::Detonators, 98_000), -2_000);
        lines.push(Line { kind: EntryKind::Adjustment, item: Item::Detonators, qty_milli: -2_000, blaster: None });
        let b = Book::of(&lines);
        assert_eq!((b.stock(Item::Detonators), b.difference(Item::Detonators, 98_000)), (98_000, 0));
        let e = EntryDraft::parse(&input("adjustment", "detonators", "2"), now()).unwrap_err();
        assert_eq!(e.get("kind").unwrap().code, "err-adjustment-is-a-write-off");
        assert!(!EntryKind::ENTERED.contains(&EntryKind::Adjustment));
        assert_eq!(write_off_reason("  ").unwrap_err().get("reason").unwrap().code, "err-required");
        assert_eq!(
            write_off_reason(" lost in the stope fire, PSB report 17 ").unwrap(),
            "lost in the stope fire, PSB report 17"
        );
    }

    #[test]
    fn the_same_shortfall_counted_again_is_the_same_case() {
        assert!(same_open_difference(Some((-2_000, false)), -2_000));
        assert!(!same_open_difference(Some((-2_000, true)), -2_000), "written off: a new shortfall");
        assert!(!same_open_difference(Some((-2_000, false)), -3_000), "one more missing: a new case");
        assert!(!same_open_difference(Some((0, false)), 0));
        assert!(!same_open_difference(None, -2_000));
    }

    #[test]
    fn certificates_are_valid_between_their_dates() {
        let d = |s: &str| crate::validation::era_date(s).unwrap();
        assert!(certificate_valid(d("2024-01-01"), d("2026-12-31"), d("2026-12-31")));
        assert!(!certificate_valid(d("2024-01-01"), d("2026-12-31"), d("2027-01-01")));
        let e = CertificateDraft::parse(&CertificateInput {
            username: "blaster1".into(),
            number: "A1".into(),
            issued_by: "Duyun PSB".into(),
            valid_from: "2026-01-01".into(),
            valid_to: "2025-01-01".into(),
        })
        .unwrap_err();
        assert_eq!(e.get("valid_to").unwrap().code, "err-before-from");
    }
}
