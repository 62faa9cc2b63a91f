//! Metallurgical accounting: how much of the mined metal the mill puts into concentrate, from
//! assays and tonnages, and whether the measured flows of a circuit add up (REFERENCE.md 2).
//!
//! Everything here is pure arithmetic on plain numbers; grades are percent metal (3.48 for
//! 3.48 % Zn), tonnages dry tonnes. Inputs that cannot describe a real separation (a tailing
//! richer than the feed, a concentrate no richer than it, two concentrates of the same make-up,
//! a stream that belongs to no balance, ...) are answered with [`Problems`], never with a
//! number: a number would be believed.

pub mod chi2;
mod linalg;
pub mod period;
pub mod reconcile;
pub mod three_product;
pub mod two_product;

pub use period::{Lot, PeriodAccount, RecoveryCheck, StreamTotal, check_reported_recovery, period_account};
pub use reconcile::{Circuit, Measurement, Node, Reconciliation, reconcile};
pub use three_product::{ThreeProduct, ThreeProductGrades, three_product};
pub use two_product::{TwoProduct, two_product};

use crate::validation::FieldErrors;

/// One reason why inputs cannot be accounted. `field` names the input as the command line and
/// the forms call it (`tail`, `conc1`, `streams[2].sd`, `nodes[0].in`); `metal` (1 or 2) says
/// which grade of a two-metal product is meant.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    NotFinite {
        field: String,
        metal: Option<u8>,
    },
    GradeNegative {
        field: String,
        metal: Option<u8>,
        value: f64,
    },
    GradeAbove100 {
        field: String,
        metal: Option<u8>,
        value: f64,
    },
    /// The two metals of one product add up to more than 100 %.
    GradesSumAbove100 {
        field: String,
        sum: f64,
    },
    TailNotBelowFeed {
        field: String,
        metal: Option<u8>,
        tail: f64,
        feed: f64,
    },
    ConcNotAboveFeed {
        field: String,
        metal: Option<u8>,
        conc: f64,
        feed: f64,
    },
    /// Two concentrates so alike that the three-product formula would divide by almost nothing.
    IllConditioned {
        relative_determinant: f64,
    },
    /// The grades put the feed outside every mix of the products: a product would get a
    /// negative share of the feed.
    SplitNegative {
        field: String,
        share_pct: f64,
    },
    TonnesNegative {
        field: String,
        value: f64,
    },
    RecoveryOutOfRange {
        field: String,
        value: f64,
    },
    /// A stream of a period account holds no lot, or no metal where metal is needed.
    NoMetal {
        field: String,
    },
    /// A product holds more metal than the feed did.
    MoreMetalOut {
        field: String,
        out_t: f64,
        in_t: f64,
    },
    CircuitEmpty {
        field: String,
    },
    CircuitTooLarge {
        field: String,
        limit: usize,
    },
    NameEmpty {
        field: String,
    },
    DuplicateStream {
        field: String,
        name: String,
    },
    DuplicateNode {
        field: String,
        name: String,
    },
    DuplicateComponent {
        field: String,
        name: String,
    },
    SdNotPositive {
        field: String,
        stream: String,
        value: f64,
    },
    ValueNegative {
        field: String,
        stream: String,
        value: f64,
    },
    UnknownStream {
        field: String,
        node: String,
        stream: String,
    },
    StreamTwiceInNode {
        field: String,
        node: String,
        stream: String,
    },
    /// A node needs streams on both sides to balance anything but zero.
    NodeOneSided {
        field: String,
        node: String,
    },
    StreamInNoNode {
        field: String,
        stream: String,
    },
    AssayCount {
        field: String,
        stream: String,
        expected: usize,
        found: usize,
    },
    /// The bilinear balance did not settle: the data are far from any consistent state.
    NotConverged {
        iterations: usize,
    },
    /// The balance equations left nothing to solve after removing dependent ones (should not
    /// happen once the circuit is valid; reported rather than divided by).
    Singular,
}

fn metal_suffix(metal: &Option<u8>) -> String {
    metal.map(|m| format!(" (metal {m})")).unwrap_or_default()
}

impl Problem {
    /// The input the problem is about, as the command line and forms name it.
    pub fn field(&self) -> &str {
        match self {
            Problem::NotFinite { field, .. }
            | Problem::GradeNegative { field, .. }
            | Problem::GradeAbove100 { field, .. }
            | Problem::GradesSumAbove100 { field, .. }
            | Problem::TailNotBelowFeed { field, .. }
            | Problem::ConcNotAboveFeed { field, .. }
            | Problem::SplitNegative { field, .. }
            | Problem::TonnesNegative { field, .. }
            | Problem::RecoveryOutOfRange { field, .. }
            | Problem::NoMetal { field }
            | Problem::MoreMetalOut { field, .. }
            | Problem::CircuitEmpty { field }
            | Problem::CircuitTooLarge { field, .. }
            | Problem::NameEmpty { field }
            | Problem::DuplicateStream { field, .. }
            | Problem::DuplicateNode { field, .. }
            | Problem::DuplicateComponent { field, .. }
            | Problem::SdNotPositive { field, .. }
            | Problem::ValueNegative { field, .. }
            | Problem::UnknownStream { field, .. }
            | Problem::StreamTwiceInNode { field, .. }
            | Problem::NodeOneSided { field, .. }
            | Problem::StreamInNoNode { field, .. }
            | Problem::AssayCount { field, .. } => field,
            Problem::IllConditioned { .. } => "conc2",
            Problem::NotConverged { .. } | Problem::Singular => "nodes",
        }
    }

    /// Which metal of a two-metal product, when it matters.
    pub fn metal(&self) -> Option<u8> {
        match self {
            Problem::NotFinite { metal, .. }
            | Problem::GradeNegative { metal, .. }
            | Problem::GradeAbove100 { metal, .. }
            | Problem::TailNotBelowFeed { metal, .. }
            | Problem::ConcNotAboveFeed { metal, .. } => *metal,
            _ => None,
        }
    }

    /// Fluent message id for the interface.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NotFinite { .. } => "err-metallurgy-not-finite",
            Problem::GradeNegative { .. } => "err-metallurgy-grade-negative",
            Problem::GradeAbove100 { .. } => "err-metallurgy-grade-above-100",
            Problem::GradesSumAbove100 { .. } => "err-metallurgy-grades-sum",
            Problem::TailNotBelowFeed { .. } => "err-metallurgy-tail-not-below-feed",
            Problem::ConcNotAboveFeed { .. } => "err-metallurgy-conc-not-above-feed",
            Problem::IllConditioned { .. } => "err-metallurgy-ill-conditioned",
            Problem::SplitNegative { .. } => "err-metallurgy-split-negative",
            Problem::TonnesNegative { .. } => "err-metallurgy-tonnes-negative",
            Problem::RecoveryOutOfRange { .. } => "err-metallurgy-recovery-range",
            Problem::NoMetal { .. } => "err-metallurgy-no-metal",
            Problem::MoreMetalOut { .. } => "err-metallurgy-more-metal-out",
            Problem::CircuitEmpty { .. } => "err-metallurgy-circuit-empty",
            Problem::CircuitTooLarge { .. } => "err-metallurgy-circuit-too-large",
            Problem::NameEmpty { .. } => "err-required",
            Problem::DuplicateStream { .. } => "err-metallurgy-duplicate-stream",
            Problem::DuplicateNode { .. } => "err-metallurgy-duplicate-node",
            Problem::DuplicateComponent { .. } => "err-metallurgy-duplicate-component",
            Problem::SdNotPositive { .. } => "err-metallurgy-sd-not-positive",
            Problem::ValueNegative { .. } => "err-metallurgy-value-negative",
            Problem::UnknownStream { .. } => "err-metallurgy-unknown-stream",
            Problem::StreamTwiceInNode { .. } => "err-metallurgy-stream-twice-in-node",
            Problem::NodeOneSided { .. } => "err-metallurgy-node-one-sided",
            Problem::StreamInNoNode { .. } => "err-metallurgy-stream-in-no-node",
            Problem::AssayCount { .. } => "err-metallurgy-assay-count",
            Problem::NotConverged { .. } => "err-metallurgy-not-converged",
            Problem::Singular => "err-metallurgy-singular",
        }
    }

    /// Arguments of the Fluent message.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let mut a: Vec<(&'static str, String)> = Vec::new();
        if let Some(m) = self.metal() {
            a.push(("metal", m.to_string()));
        }
        match self {
            Problem::GradeNegative { value, .. }
            | Problem::GradeAbove100 { value, .. }
            | Problem::TonnesNegative { value, .. }
            | Problem::RecoveryOutOfRange { value, .. } => a.push(("value", value.to_string())),
            Problem::GradesSumAbove100 { sum, .. } => a.push(("sum", sum.to_string())),
            Problem::MoreMetalOut { out_t, in_t, .. } => {
                a.extend([("out", format!("{out_t:.3}")), ("in", format!("{in_t:.3}"))]);
            }
            Problem::TailNotBelowFeed { tail, feed, .. } => {
                a.extend([("tail", tail.to_string()), ("feed", feed.to_string())]);
            }
            Problem::ConcNotAboveFeed { conc, feed, .. } => {
                a.extend([("conc", conc.to_string()), ("feed", feed.to_string())]);
            }
            Problem::IllConditioned { relative_determinant } => {
                a.extend([
                    ("relative_determinant", format!("{relative_determinant:.2e}")),
                    ("minimum", three_product::MIN_RELATIVE_DETERMINANT.to_string()),
                ]);
            }
            Problem::SplitNegative { share_pct, .. } => a.push(("share", format!("{share_pct:.4}"))),
            Problem::DuplicateStream { name, .. }
            | Problem::DuplicateNode { name, .. }
            | Problem::DuplicateComponent { name, .. } => a.push(("name", name.clone())),
            Problem::SdNotPositive { stream, value, .. } | Problem::ValueNegative { stream, value, .. } => {
                a.extend([("stream", stream.clone()), ("value", value.to_string())]);
            }
            Problem::UnknownStream { node, stream, .. } | Problem::StreamTwiceInNode { node, stream, .. } => {
                a.extend([("node", node.clone()), ("stream", stream.clone())]);
            }
            Problem::NodeOneSided { node, .. } => a.push(("node", node.clone())),
            Problem::CircuitTooLarge { .. } => a.extend([
                ("max_streams", reconcile::MAX_STREAMS.to_string()),
                ("max_nodes", reconcile::MAX_NODES.to_string()),
            ]),
            Problem::StreamInNoNode { stream, .. } => a.push(("stream", stream.clone())),
            Problem::AssayCount { stream, expected, found, .. } => {
                a.extend([
                    ("stream", stream.clone()),
                    ("expected", expected.to_string()),
                    ("found", found.to_string()),
                ]);
            }
            Problem::NotConverged { iterations } => a.push(("iterations", iterations.to_string())),
            _ => {}
        }
        a
    }

    /// What is wrong and what to do, in English, without the field (the command line and logs
    /// put the field in front as they name it).
    pub fn message(&self) -> String {
        match self {
            Problem::NotFinite { .. } => "not a finite number; give a plain decimal number".into(),
            Problem::GradeNegative { value, .. } => {
                format!("a grade of {value} % is below 0; grades are percent metal, 0 to 100")
            }
            Problem::GradeAbove100 { value, .. } => {
                format!("a grade of {value} % is above 100; grades are percent metal (3.48 for 3.48 %), not g/t or ppm")
            }
            Problem::GradesSumAbove100 { sum, .. } => {
                format!("the two metals add up to {sum} %, more than the whole product; check the assays")
            }
            Problem::TailNotBelowFeed { tail, feed, .. } => format!(
                "the tailing grade {tail} % is not below the feed grade {feed} %, so no metal was recovered; \
                 check that the feed and tailing samples were not swapped"
            ),
            Problem::ConcNotAboveFeed { conc, feed, .. } => format!(
                "the concentrate grade {conc} % is not above the feed grade {feed} %, so nothing was concentrated; \
                 check that the samples were not swapped"
            ),
            Problem::IllConditioned { relative_determinant } => format!(
                "the two concentrates have nearly the same composition (relative determinant {relative_determinant:.2e}, \
                 below {}), so the three-product formula cannot tell how much feed went to each; \
                 weigh one of the concentrates or check the assays",
                three_product::MIN_RELATIVE_DETERMINANT
            ),
            Problem::SplitNegative { share_pct, .. } => format!(
                "the grades do not close: this product would be {share_pct:.4} % of the feed, below 0, \
                 so the feed cannot be a mix of these products; check the assays"
            ),
            Problem::TonnesNegative { value, .. } => format!("{value} t is negative; give dry tonnes, 0 or more"),
            Problem::RecoveryOutOfRange { value, .. } => {
                format!("a recovery of {value} % is impossible; give a percentage from 0 to 100")
            }
            Problem::NoMetal { .. } => "holds no metal (no lots, or only zero tonnes or grades); \
                                        a recovery needs metal in the feed"
                .into(),
            Problem::MoreMetalOut { out_t, in_t, .. } => format!(
                "holds {out_t:.3} t of metal, more than the {in_t:.3} t the feed held; \
                 count stock changes into the lots or check the weighings"
            ),
            Problem::CircuitEmpty { field } => {
                format!("no {field}; a circuit needs at least one node and the streams in and out of it")
            }
            Problem::CircuitTooLarge { field, limit } => {
                format!("more than {limit} {field}; a plant's circuit is far smaller, so check the file")
            }
            Problem::NameEmpty { .. } => "a name is required".into(),
            Problem::DuplicateStream { name, .. } => {
                format!("stream \"{name}\" is listed twice; give each stream one entry and a unique name")
            }
            Problem::DuplicateNode { name, .. } => {
                format!("node \"{name}\" is listed twice; give each node a unique name")
            }
            Problem::SdNotPositive { stream, value, .. } => format!(
                "stream \"{stream}\" has sd {value}; every measurement needs a standard deviation above 0 \
                 (for a very reliable one give a small sd, e.g. 0.5 % of the value)"
            ),
            Problem::ValueNegative { stream, value, .. } => {
                format!("stream \"{stream}\" has the value {value}; flows and grades cannot be negative")
            }
            Problem::UnknownStream { node, stream, .. } => format!(
                "node \"{node}\" names stream \"{stream}\", which is not among the streams; \
                 add it to the streams or correct the name"
            ),
            Problem::StreamTwiceInNode { node, stream, .. } => {
                format!("node \"{node}\" names stream \"{stream}\" more than once; list it once, as in or out")
            }
            Problem::DuplicateComponent { name, .. } => {
                format!("component \"{name}\" is listed twice; name each assayed component once")
            }
            Problem::NodeOneSided { node, .. } => format!(
                "node \"{node}\" needs at least one stream in and one out; a one-sided node would force its streams to 0"
            ),
            Problem::StreamInNoNode { stream, .. } => format!(
                "stream \"{stream}\" is in no node, so no balance checks it; add it to a node's in or out, or leave it out"
            ),
            Problem::AssayCount { stream, expected, found, .. } => format!(
                "stream \"{stream}\" has {found} assays but the circuit names {expected} components; give one per component"
            ),
            Problem::NotConverged { iterations } => format!(
                "the metal balances did not settle after {iterations} iterations; \
                 the data are far from consistent, check for a gross error or a wrong stream in a node"
            ),
            Problem::Singular => "the balance equations cannot be solved; check the nodes".into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}: {}", self.field(), metal_suffix(&self.metal()), self.message())
    }
}

/// Every problem found in one set of inputs: they are collected, not stopped at the first, so
/// a form can mark all its fields at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first problem about `field`.
    pub fn get(&self, field: &str) -> Option<&Problem> {
        self.0.iter().find(|p| p.field() == field)
    }

    /// `Ok(value)` when nothing was found, else all the problems.
    pub fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }

    /// For forms and the API: one [`crate::FieldError`] per problem, the metal as an argument.
    pub fn to_field_errors(&self) -> FieldErrors {
        let mut e = FieldErrors::new();
        for p in &self.0 {
            e.add_with(p.field(), p.code(), p.args());
        }
        e
    }
}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Check one grade (percent metal): finite and within 0 to 100. Returns it when usable.
pub(crate) fn check_grade(field: &str, metal: Option<u8>, value: f64, problems: &mut Problems) -> Option<f64> {
    let field = field.to_owned();
    if !value.is_finite() {
        problems.push(Problem::NotFinite { field, metal });
        None
    } else if value < 0.0 {
        problems.push(Problem::GradeNegative { field, metal, value });
        None
    } else if value > 100.0 {
        problems.push(Problem::GradeAbove100 { field, metal, value });
        None
    } else {
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_field_metal_and_code() {
        let mut p = Problems::new();
        assert_eq!(check_grade("tail", Some(2), -0.1, &mut p), None);
        assert_eq!(check_grade("feed", None, f64::NAN, &mut p), None);
        assert_eq!(check_grade("conc", None, 50.0, &mut p), Some(50.0));
        let e = p.to_field_errors();
        assert_eq!(e.get("tail").unwrap().code, "err-metallurgy-grade-negative");
        assert_eq!(e.get("tail").unwrap().args[0], ("metal", "2".to_owned()));
        assert_eq!(e.get("feed").unwrap().code, "err-metallurgy-not-finite");
        let text = p.to_string();
        assert!(text.starts_with("tail (metal 2): a grade of -0.1 % is below 0"), "{text}");
        assert!(text.lines().nth(1).unwrap().starts_with("feed: not a finite number"), "{text}");
    }
}
