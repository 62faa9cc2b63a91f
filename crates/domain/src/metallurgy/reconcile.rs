//! Mass-balance reconciliation (REFERENCE.md 2.3): measured flows never add up exactly, so the
//! smallest adjustments, weighed by how reliable each measurement is, that make every node
//! balance are found by weighted least squares; the size of those adjustments tests the data
//! for a gross error (a wrong weighing, a swapped sample) and names the measurements most to
//! blame.
//!
//! Flows alone give linear balances (`reconcile`); flows with assays give metal balances
//! flow x grade, bilinear, solved by linearising and repeating (`reconcile_assays`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::chi2::chi_square_quantile;
use super::linalg::{Matrix, backward, cholesky, dot, forward, independent_rows};
use super::{Problem, Problems, check_grade};

/// The level of the gross-error test.
pub const CONFIDENCE: f64 = 0.95;
/// How many groups of most adjusted measurements a result names.
pub const MOST_ADJUSTED: usize = 3;
/// Normalised adjustments closer than this (relative) are one value: the measurements enter
/// the balances the same way and no test can tell which of them is wrong.
const TIE: f64 = 1e-6;
/// A normalised adjustment below this is no adjustment (consistent data, rounding only).
const NEGLIGIBLE: f64 = 1e-6;
/// Relative pivot below which a balance counts as a combination of the others.
const RANK_TOLERANCE: f64 = 1e-9;
/// The bilinear iteration stops when no value moves by more than this many of its sds.
const CONVERGED: f64 = 1e-10;
const MAX_ITERATIONS: usize = 100;

/// One measured stream: a flow in any one unit (t/h, t per shift), with its standard
/// deviation in the same unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub sd: f64,
}

/// A node of the circuit (a mill, a cell bank, a thickener, a junction): what goes in comes
/// out. Streams are named as in the stream list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub name: String,
    #[serde(rename = "in", default)]
    pub inputs: Vec<String>,
    #[serde(rename = "out", default)]
    pub outputs: Vec<String>,
}

/// Measured streams and the nodes that join them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Circuit {
    pub streams: Vec<Measurement>,
    pub nodes: Vec<Node>,
}

/// One measured quantity before and after reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub measured: f64,
    pub sd: f64,
    pub reconciled: f64,
    /// reconciled - measured
    pub adjustment: f64,
    /// The reconciled value is more certain than the measurement: sqrt of the diagonal of
    /// V - V A^T (A V A^T)^-1 A V.
    pub reconciled_sd: f64,
    /// The adjustment divided by its own standard deviation: about normal (0, 1) when the data
    /// hold no gross error, so the largest ones point at it. Measurements that enter the same
    /// balances the same way get the same value and cannot be told apart.
    pub normalised_adjustment: f64,
}

/// A reconciled stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustedStream {
    pub name: String,
    #[serde(flatten)]
    pub estimate: Estimate,
}

/// The verdict of the chi-square test on the adjustments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub streams: Vec<AdjustedStream>,
    /// J = sum of squared adjustments in sds.
    pub chi2: f64,
    /// Independent balances: the rank of the balance equations.
    pub dof: usize,
    /// The [`CONFIDENCE`] quantile of chi-square with `dof` degrees of freedom.
    pub chi2_critical: f64,
    /// J above the critical value: some measurement is off by more than its sd explains.
    pub gross_error_suspected: bool,
    /// Up to [`MOST_ADJUSTED`] groups of streams, largest absolute normalised adjustment
    /// first. With a gross error suspected, the first group holds the likely culprit.
    pub most_adjusted: Vec<Suspects>,
}

/// Measurements with the same absolute normalised adjustment. More than one name means the
/// balances cannot say which of them is wrong (e.g. every stream of a circuit with one node);
/// another measurement, or another balance, would.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspects {
    pub names: Vec<String>,
    /// The absolute normalised adjustment they share.
    pub normalised_adjustment: f64,
}

/// The most streams and nodes a circuit may have: far beyond a plant's (the benchmark's 100
/// streams and 40 nodes take milliseconds), while the work grows with their product and the
/// cube of the nodes, so that a pasted file cannot tie up the server.
pub const MAX_STREAMS: usize = 1000;
pub const MAX_NODES: usize = 400;

/// A circuit beyond [`MAX_STREAMS`] or [`MAX_NODES`] is refused before anything is built.
fn check_size(streams: usize, nodes: usize) -> Result<(), Problems> {
    let mut p = Problems::new();
    if streams > MAX_STREAMS {
        p.push(Problem::CircuitTooLarge { field: "streams".into(), limit: MAX_STREAMS });
    }
    if nodes > MAX_NODES {
        p.push(Problem::CircuitTooLarge { field: "nodes".into(), limit: MAX_NODES });
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

/// Reconcile the measured flows of `circuit` so that every node balances.
pub fn reconcile(circuit: &Circuit) -> Result<Reconciliation, Problems> {
    check_size(circuit.streams.len(), circuit.nodes.len())?;
    let mut p = Problems::new();
    let names = check_names(circuit.streams.iter().map(|s| s.name.as_str()), &mut p);
    for (i, s) in circuit.streams.iter().enumerate() {
        check_measured(&format!("streams[{i}]"), &s.name, s.value, s.sd, false, &mut p);
    }
    let a = incidence(&names, &circuit.nodes, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    let a = a.expect("no problems, so the incidence matrix was built");
    let y: Vec<f64> = circuit.streams.iter().map(|s| s.value).collect();
    let var: Vec<f64> = circuit.streams.iter().map(|s| s.sd * s.sd).collect();
    let sol = project(&y, &var, &a, &vec![0.0; a.rows])?;
    let test = Verdict::new(&y, &var, &sol);
    let streams = circuit
        .streams
        .iter()
        .zip(&test.estimates)
        .map(|(s, e)| AdjustedStream { name: s.name.trim().to_owned(), estimate: *e })
        .collect::<Vec<_>>();
    let most_adjusted = test.most_adjusted(|i| streams[i].name.clone());
    Ok(Reconciliation {
        streams,
        chi2: test.chi2,
        dof: sol.rank,
        chi2_critical: test.critical,
        gross_error_suspected: test.gross,
        most_adjusted,
    })
}

/// A measured value with its standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub value: f64,
    pub sd: f64,
}

/// A stream with its flow (dry tonnes in any one unit) and one assay (grade in %) per
/// component of the circuit, in the circuit's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssayedStream {
    pub name: String,
    pub flow: Measured,
    pub assays: Vec<Measured>,
}

/// A circuit whose streams are weighed and assayed: each node balances its flows and, for each
/// component, its metal (flow x grade).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssayCircuit {
    /// The assayed components, e.g. `["Zn"]` or `["Pb", "Zn"]`.
    pub components: Vec<String>,
    pub streams: Vec<AssayedStream>,
    pub nodes: Vec<Node>,
}

/// A reconciled weighed and assayed stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustedAssayedStream {
    pub name: String,
    pub flow: Estimate,
    pub assays: Vec<Estimate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssayReconciliation {
    pub components: Vec<String>,
    pub streams: Vec<AdjustedAssayedStream>,
    pub chi2: f64,
    pub dof: usize,
    pub chi2_critical: f64,
    pub gross_error_suspected: bool,
    /// As for [`Reconciliation::most_adjusted`]; measurements are named `stream flow` or
    /// `stream component` (`T Zn`).
    pub most_adjusted: Vec<Suspects>,
    /// Linearisations until nothing moved.
    pub iterations: usize,
}

/// Reconcile flows and assays together: every node balances its flows and the metal of every
/// component. The balances are bilinear (flow x grade); each round linearises them at the
/// current estimate and solves the linear problem from the measurements, until the estimate
/// stops moving.
pub fn reconcile_assays(circuit: &AssayCircuit) -> Result<AssayReconciliation, Problems> {
    check_size(circuit.streams.len(), circuit.nodes.len())?;
    let mut p = Problems::new();
    let k = circuit.components.len();
    let mut seen = std::collections::HashSet::new();
    for (i, c) in circuit.components.iter().enumerate() {
        let field = format!("components[{i}]");
        if c.trim().is_empty() {
            p.push(Problem::NameEmpty { field });
        } else if !seen.insert(c.trim()) {
            p.push(Problem::DuplicateComponent { field, name: c.trim().to_owned() });
        }
    }
    let names = check_names(circuit.streams.iter().map(|s| s.name.as_str()), &mut p);
    for (i, s) in circuit.streams.iter().enumerate() {
        let at = format!("streams[{i}]");
        check_measured(&format!("{at}.flow"), &s.name, s.flow.value, s.flow.sd, false, &mut p);
        if s.assays.len() != k {
            p.push(Problem::AssayCount {
                field: format!("{at}.assays"),
                stream: s.name.clone(),
                expected: k,
                found: s.assays.len(),
            });
        }
        for (j, a) in s.assays.iter().enumerate() {
            check_measured(&format!("{at}.assays[{j}]"), &s.name, a.value, a.sd, true, &mut p);
        }
    }
    let a = incidence(&names, &circuit.nodes, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    let a = a.expect("no problems, so the incidence matrix was built");
    let n = circuit.streams.len();
    // Unknowns: the n flows, then stream by stream its k grades.
    let grade = |s: usize, c: usize| n + s * k + c;
    let mut y = Vec::with_capacity(n * (1 + k));
    let mut var = Vec::with_capacity(n * (1 + k));
    y.extend(circuit.streams.iter().map(|s| s.flow.value));
    var.extend(circuit.streams.iter().map(|s| s.flow.sd * s.flow.sd));
    for s in &circuit.streams {
        y.extend(s.assays.iter().map(|a| a.value));
        var.extend(s.assays.iter().map(|a| a.sd * a.sd));
    }
    let m = a.rows;
    let mut x = y.clone();
    let mut iterations = 0;
    let sol = loop {
        iterations += 1;
        // Rows: flow balances, then per component the metal balances. Linearised at x:
        // F a = F0 a0 + a0 (F - F0) + F0 (a - a0), so G x = c with c = F0 a0 summed by node.
        let mut g = Matrix::zeros(m * (1 + k), n * (1 + k));
        let mut c = vec![0.0; m * (1 + k)];
        for j in 0..m {
            for (s, &sign) in a.row(j).iter().enumerate() {
                if sign == 0.0 {
                    continue;
                }
                g[(j, s)] = sign;
                for comp in 0..k {
                    let row = m * (1 + comp) + j;
                    let (f0, a0) = (x[s], x[grade(s, comp)]);
                    g[(row, s)] = sign * a0;
                    g[(row, grade(s, comp))] = sign * f0;
                    c[row] += sign * f0 * a0;
                }
            }
        }
        let sol = project(&y, &var, &g, &c)?;
        let moved = sol.x.iter().zip(&x).zip(&var).map(|((a, b), v)| (a - b).abs() / v.sqrt()).fold(0.0, f64::max);
        x.clone_from(&sol.x);
        if moved <= CONVERGED {
            break sol;
        }
        if iterations >= MAX_ITERATIONS {
            return Err(Problem::NotConverged { iterations }.into());
        }
    };
    let test = Verdict::new(&y, &var, &sol);
    let streams = circuit
        .streams
        .iter()
        .enumerate()
        .map(|(s, st)| AdjustedAssayedStream {
            name: st.name.trim().to_owned(),
            flow: test.estimates[s],
            assays: (0..k).map(|comp| test.estimates[grade(s, comp)]).collect(),
        })
        .collect::<Vec<_>>();
    let label = |i: usize| {
        if i < n {
            format!("{} flow", streams[i].name)
        } else {
            format!("{} {}", streams[(i - n) / k].name, circuit.components[(i - n) % k].trim())
        }
    };
    let most_adjusted = test.most_adjusted(label);
    Ok(AssayReconciliation {
        components: circuit.components.iter().map(|c| c.trim().to_owned()).collect(),
        streams,
        chi2: test.chi2,
        dof: sol.rank,
        chi2_critical: test.critical,
        gross_error_suspected: test.gross,
        most_adjusted,
        iterations,
    })
}

/// Trimmed stream names, with a problem for each empty or repeated one.
fn check_names<'a>(names: impl Iterator<Item = &'a str>, p: &mut Problems) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    let names: Vec<&str> = names.map(str::trim).collect();
    if names.is_empty() {
        p.push(Problem::CircuitEmpty { field: "streams".into() });
    }
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            p.push(Problem::NameEmpty { field: format!("streams[{i}].name") });
        } else if !seen.insert(*name) {
            p.push(Problem::DuplicateStream { field: format!("streams[{i}].name"), name: (*name).to_owned() });
        }
    }
    names
}

/// A measured value must be finite and not negative (a grade also at most 100); its sd finite
/// and above 0. A zero sd is refused rather than read as "exact": the balance would have to
/// divide by it, and no weighing or assay is exact.
fn check_measured(at: &str, stream: &str, value: f64, sd: f64, is_grade: bool, p: &mut Problems) {
    let stream = stream.trim().to_owned();
    if is_grade {
        check_grade(&format!("{at}.value"), None, value, p);
    } else if !value.is_finite() {
        p.push(Problem::NotFinite { field: format!("{at}.value"), metal: None });
    } else if value < 0.0 {
        p.push(Problem::ValueNegative { field: format!("{at}.value"), stream: stream.clone(), value });
    }
    if sd.is_nan() || sd.is_infinite() {
        p.push(Problem::NotFinite { field: format!("{at}.sd"), metal: None });
    } else if sd <= 0.0 {
        p.push(Problem::SdNotPositive { field: format!("{at}.sd"), stream, value: sd });
    }
}

/// The node x stream incidence matrix, +1 where a stream enters a node and -1 where it leaves,
/// after checking that the nodes name known streams, each once, on both sides, and that every
/// stream is in some node (a stream in no balance cannot be reconciled, and is more likely a
/// forgotten entry than intended).
fn incidence(names: &[&str], nodes: &[Node], p: &mut Problems) -> Option<Matrix> {
    if nodes.is_empty() {
        p.push(Problem::CircuitEmpty { field: "nodes".into() });
        return None;
    }
    let index: HashMap<&str, usize> = names.iter().enumerate().rev().map(|(i, n)| (*n, i)).collect();
    let mut a = Matrix::zeros(nodes.len(), names.len());
    let mut used = vec![false; names.len()];
    let mut seen_nodes = std::collections::HashSet::new();
    let before = p.0.len();
    for (j, node) in nodes.iter().enumerate() {
        let node_name = node.name.trim();
        if node_name.is_empty() {
            p.push(Problem::NameEmpty { field: format!("nodes[{j}].name") });
        } else if !seen_nodes.insert(node_name) {
            p.push(Problem::DuplicateNode { field: format!("nodes[{j}].name"), name: node_name.to_owned() });
        }
        if node.inputs.is_empty() || node.outputs.is_empty() {
            p.push(Problem::NodeOneSided { field: format!("nodes[{j}]"), node: node_name.to_owned() });
        }
        let mut in_node = std::collections::HashSet::new();
        for (side, list, sign) in [("in", &node.inputs, 1.0), ("out", &node.outputs, -1.0)] {
            for stream in list {
                let stream = stream.trim();
                let field = format!("nodes[{j}].{side}");
                match index.get(stream) {
                    None => p.push(Problem::UnknownStream { field, node: node_name.into(), stream: stream.into() }),
                    Some(_) if !in_node.insert(stream) => {
                        p.push(Problem::StreamTwiceInNode { field, node: node_name.into(), stream: stream.into() })
                    }
                    Some(&s) => {
                        a[(j, s)] = sign;
                        used[s] = true;
                    }
                }
            }
        }
    }
    for (i, u) in used.iter().enumerate() {
        if !u && !names[i].is_empty() {
            p.push(Problem::StreamInNoNode { field: format!("streams[{i}]"), stream: names[i].to_owned() });
        }
    }
    (p.0.len() == before).then_some(a)
}

/// The weighted least-squares estimate, and the factors the test needs of it.
struct Solution {
    x: Vec<f64>,
    rank: usize,
    /// The independent balance rows used, scaled.
    b: Matrix,
    /// Cholesky factor of B V B^T.
    l: Matrix,
}

impl Solution {
    /// Variance of each adjustment x_i - y_i: the diagonal of V B^T (B V B^T)^-1 B V, that is
    /// var_i^2 |L^-1 b_i|^2. Asked for once, after the last round of a bilinear balance.
    fn adjustment_var(&self, var: &[f64]) -> Vec<f64> {
        let mut column = vec![0.0; self.rank];
        (0..self.b.cols)
            .map(|i| {
                for (k, c) in column.iter_mut().enumerate() {
                    *c = self.b[(k, i)];
                }
                forward(&self.l, &mut column);
                var[i] * var[i] * dot(&column, &column)
            })
            .collect()
    }
}

/// The x closest to the measurements y in the metric of their variances that satisfies
/// G x = c: x = y - V G^T (G V G^T)^-1 (G y - c). Dependent rows of G are dropped first, so
/// (G V G^T) is positive definite and factors by Cholesky; their count is the rank.
fn project(y: &[f64], var: &[f64], g: &Matrix, c: &[f64]) -> Result<Solution, Problem> {
    let rows = independent_rows(g, RANK_TOLERANCE);
    let (r, n) = (rows.len(), g.cols);
    // The kept rows, scaled to a largest entry of 1 (the same constraints, better balanced).
    let mut b = Matrix::zeros(r, n);
    let mut rhs = vec![0.0; r];
    for (k, &i) in rows.iter().enumerate() {
        let max = g.row(i).iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for (dst, src) in b.row_mut(k).iter_mut().zip(g.row(i)) {
            *dst = src / max;
        }
        rhs[k] = dot(b.row(k), y) - c[i] / max;
    }
    let mut m = Matrix::zeros(r, r);
    let mut scaled = vec![0.0; n];
    for i in 0..r {
        for ((s, p), v) in scaled.iter_mut().zip(b.row(i)).zip(var) {
            *s = p * v;
        }
        for j in 0..=i {
            let v = dot(&scaled, b.row(j));
            m[(i, j)] = v;
            m[(j, i)] = v;
        }
    }
    let l = cholesky(&m).ok_or(Problem::Singular)?;
    let mut lambda = rhs;
    forward(&l, &mut lambda);
    backward(&l, &mut lambda);
    // x = y - V B^T lambda, row by row of B.
    let mut x = y.to_vec();
    for (k, lam) in lambda.iter().enumerate() {
        for ((xi, bk), v) in x.iter_mut().zip(b.row(k)).zip(var) {
            *xi -= v * bk * lam;
        }
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Problem::Singular);
    }
    Ok(Solution { x, rank: r, b, l })
}

/// Estimates and the chi-square test from a solution.
struct Verdict {
    estimates: Vec<Estimate>,
    chi2: f64,
    critical: f64,
    gross: bool,
}

impl Verdict {
    fn new(y: &[f64], var: &[f64], sol: &Solution) -> Verdict {
        let adjustment_var = sol.adjustment_var(var);
        let estimates: Vec<Estimate> = (0..y.len())
            .map(|i| {
                let adjustment = sol.x[i] - y[i];
                let w = adjustment_var[i];
                // An adjustment with (next to) no variance is one no balance can move.
                let normalised_adjustment = if w > var[i] * 1e-20 { adjustment / w.sqrt() } else { 0.0 };
                Estimate {
                    measured: y[i],
                    sd: var[i].sqrt(),
                    reconciled: sol.x[i],
                    adjustment,
                    reconciled_sd: (var[i] - w).max(0.0).sqrt(),
                    normalised_adjustment,
                }
            })
            .collect();
        let chi2: f64 = estimates.iter().zip(var).map(|(e, v)| e.adjustment * e.adjustment / v).sum();
        let critical = if sol.rank > 0 { chi_square_quantile(CONFIDENCE, sol.rank) } else { 0.0 };
        Verdict { estimates, chi2, critical, gross: sol.rank > 0 && chi2 > critical }
    }

    fn most_adjusted(&self, label: impl Fn(usize) -> String) -> Vec<Suspects> {
        let z = |i: usize| self.estimates[i].normalised_adjustment.abs();
        let mut order: Vec<usize> = (0..self.estimates.len()).filter(|&i| z(i) > NEGLIGIBLE).collect();
        order.sort_by(|&a, &b| z(b).total_cmp(&z(a)));
        let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
        for i in order {
            let full = groups.len() == MOST_ADJUSTED;
            match groups.last_mut() {
                Some((top, members)) if (*top - z(i)).abs() <= TIE * *top => members.push(i),
                _ if full => break,
                _ => groups.push((z(i), vec![i])),
            }
        }
        groups
            .into_iter()
            .map(|(z, mut members)| {
                // Tied members in input order, whatever rounding ordered them by.
                members.sort_unstable();
                Suspects { names: members.into_iter().map(&label).collect(), normalised_adjustment: z }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stream(name: &str, value: f64, sd: f64) -> Measurement {
        Measurement { name: name.into(), value, sd }
    }

    fn node(name: &str, inputs: &[&str], outputs: &[&str]) -> Node {
        Node {
            name: name.into(),
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            outputs: outputs.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn one_node() -> Circuit {
        Circuit {
            streams: vec![stream("F", 100.0, 2.0), stream("C", 6.5, 0.2), stream("T", 92.0, 2.0)],
            nodes: vec![node("mill", &["F"], &["C", "T"])],
        }
    }

    #[test]
    fn reference_2_3_one_node_reconciliation() {
        let r = reconcile(&one_node()).unwrap();
        let got: Vec<String> = r.streams.iter().map(|s| format!("{:.6}", s.estimate.reconciled)).collect();
        assert_eq!(got, ["99.253731", "6.507463", "92.746269"]);
        assert_eq!(format!("{:.6}", r.chi2), "0.279851");
        assert_eq!(r.dof, 1);
        assert_eq!(format!("{:.6}", r.chi2_critical), "3.841459");
        assert!(!r.gross_error_suspected);
        // One balance: every adjustment is the same misfit seen through one equation, so all
        // normalised adjustments are equal in size (sqrt J) and none can be singled out.
        for s in &r.streams {
            assert!((s.estimate.normalised_adjustment.abs() - r.chi2.sqrt()).abs() < 1e-12);
        }
        assert_eq!(r.most_adjusted.len(), 1);
        assert_eq!(r.most_adjusted[0].names, ["F", "C", "T"]);
        // The covariance V - V A^T (A V A^T)^-1 A V: F's variance 4 - 16 / 8.04.
        assert!((r.streams[0].estimate.reconciled_sd.powi(2) - (4.0 - 16.0 / 8.04)).abs() < 1e-12);
    }

    fn three_nodes() -> Circuit {
        // Feed to a rougher; its concentrate to a cleaner, whose tailing returns to a scavenger
        // with the rougher tailing; the scavenger concentrate goes back to the rougher feed.
        Circuit {
            streams: vec![
                stream("feed", 100.0, 2.0),
                stream("rougher feed", 120.0, 2.4),
                stream("rougher conc", 30.0, 0.6),
                stream("rougher tail", 90.0, 1.8),
                stream("final conc", 8.0, 0.16),
                stream("cleaner tail", 22.0, 0.44),
                stream("scavenger conc", 20.0, 0.4),
                stream("final tail", 92.0, 1.84),
            ],
            nodes: vec![
                node("junction", &["feed", "scavenger conc"], &["rougher feed"]),
                node("rougher", &["rougher feed"], &["rougher conc", "rougher tail"]),
                node("cleaner", &["rougher conc"], &["final conc", "cleaner tail"]),
                node("scavenger", &["rougher tail", "cleaner tail"], &["scavenger conc", "final tail"]),
            ],
        }
    }

    #[test]
    fn consistent_data_is_left_alone() {
        let r = reconcile(&three_nodes()).unwrap();
        assert_eq!(r.dof, 4);
        assert!(r.chi2 < 1e-20 && !r.gross_error_suspected);
        assert!(r.streams.iter().all(|s| s.estimate.adjustment.abs() < 1e-12));
    }

    #[test]
    fn a_planted_gross_error_is_flagged_and_named() {
        let mut c = three_nodes();
        c.streams[5].value = 30.0; // cleaner tail weighed 8 t high: 18 sds
        let r = reconcile(&c).unwrap();
        assert!(r.gross_error_suspected, "J = {}", r.chi2);
        assert_eq!(r.most_adjusted[0].names, ["cleaner tail"]);
        // With one gross error and no noise, J is the square of its normalised adjustment.
        let z = r.streams[5].estimate.normalised_adjustment;
        assert!((z * z - r.chi2).abs() < 1e-9 * r.chi2);
    }

    #[test]
    fn an_overall_balance_written_out_adds_no_degree_of_freedom() {
        let mut c = three_nodes();
        c.streams[0].value = 101.5;
        let plain = reconcile(&c).unwrap();
        c.nodes.push(node("plant", &["feed"], &["final conc", "final tail"]));
        let with_overall = reconcile(&c).unwrap();
        assert_eq!(with_overall.dof, plain.dof);
        assert!((with_overall.chi2 - plain.chi2).abs() < 1e-12);
        for (a, b) in plain.streams.iter().zip(&with_overall.streams) {
            assert!((a.estimate.reconciled - b.estimate.reconciled).abs() < 1e-10);
        }
    }

    #[test]
    fn a_circuit_beyond_any_plant_is_refused_before_it_is_built() {
        let stream = |i: usize| Measurement { name: format!("s{i}"), value: 1.0, sd: 0.1 };
        let wide =
            Circuit { streams: (0..=MAX_STREAMS).map(stream).collect(), nodes: vec![node("n", &["s0"], &["s1"])] };
        let e = reconcile(&wide).unwrap_err();
        assert_eq!(e.get("streams").unwrap().code(), "err-metallurgy-circuit-too-large");
        assert!(e.get("nodes").is_none());
        let deep = Circuit {
            streams: (0..3).map(stream).collect(),
            nodes: (0..=MAX_NODES).map(|j| node(&format!("n{j}"), &["s0"], &["s1"])).collect(),
        };
        assert_eq!(reconcile(&deep).unwrap_err().get("nodes").unwrap().code(), "err-metallurgy-circuit-too-large");
        // At the limits the circuit is checked as usual (here: its other problems are named).
        let at = Circuit { streams: (0..MAX_STREAMS).map(stream).collect(), nodes: vec![node("n", &["s0"], &["s1"])] };
        assert_eq!(reconcile(&at).unwrap_err().get("streams[2]").unwrap().code(), "err-metallurgy-stream-in-no-node");
    }

    #[test]
    fn impossible_circuits_are_refused_with_the_field_named() {
        let e = reconcile(&Circuit::default()).unwrap_err();
        assert_eq!(e.get("streams").unwrap().code(), "err-metallurgy-circuit-empty");
        assert_eq!(e.get("nodes").unwrap().code(), "err-metallurgy-circuit-empty");

        let mut c = one_node();
        c.streams[1].sd = 0.0;
        c.streams[2].value = -1.0;
        c.streams[0].value = f64::NAN;
        c.streams.push(stream("lost", 1.0, 0.1));
        c.streams.push(stream("C", 1.0, 0.1));
        c.nodes.push(node("mill", &["F", "F"], &["ghost"]));
        c.nodes.push(node("dam", &["T"], &[]));
        let e = reconcile(&c).unwrap_err();
        let codes: Vec<(&str, &str)> = e.0.iter().map(|p| (p.field(), p.code())).collect();
        for expected in [
            ("streams[0].value", "err-metallurgy-not-finite"),
            ("streams[1].sd", "err-metallurgy-sd-not-positive"),
            ("streams[2].value", "err-metallurgy-value-negative"),
            ("streams[4].name", "err-metallurgy-duplicate-stream"),
            ("nodes[1].name", "err-metallurgy-duplicate-node"),
            ("nodes[1].in", "err-metallurgy-stream-twice-in-node"),
            ("nodes[1].out", "err-metallurgy-unknown-stream"),
            ("nodes[2]", "err-metallurgy-node-one-sided"),
            ("streams[3]", "err-metallurgy-stream-in-no-node"),
        ] {
            assert!(codes.contains(&expected), "{expected:?} missing from {codes:?}");
        }
        let text = e.to_string();
        assert!(text.contains("node \"mill\" names stream \"ghost\", which is not among the streams"), "{text}");
        assert!(text.contains("stream \"lost\" is in no node"), "{text}");
    }

    /// A random flowsheet: `n` nodes in a row, each fed by the one before (node 0 by an outside
    /// feed), each sending a product out of the circuit, plus `extra` streams from a node to a
    /// later one. True flows are split by the given fractions.
    fn flowsheet(n: usize, extra: &[(usize, usize)], split: &[f64], feed: f64) -> (Circuit, Vec<f64>) {
        let mut streams = vec![("feed".to_string(), usize::MAX, 0usize)];
        for j in 0..n {
            if j + 1 < n {
                streams.push((format!("s{j}-{}", j + 1), j, j + 1));
            }
            streams.push((format!("out{j}"), j, usize::MAX));
        }
        for (k, &(from, to)) in extra.iter().enumerate() {
            let (from, to) = (from % n, to % n);
            if from < to {
                streams.push((format!("x{k}:{from}-{to}"), from, to));
            }
        }
        // Flows in node order: inflow of node j known once all earlier nodes are split.
        let mut inflow = vec![0.0; n];
        inflow[0] = feed;
        let mut flow = vec![0.0; streams.len()];
        flow[0] = feed;
        let mut f = 0;
        for j in 0..n {
            let outs: Vec<usize> = (0..streams.len()).filter(|&s| streams[s].1 == j).collect();
            let mut weights = Vec::new();
            for _ in &outs {
                weights.push(0.2 + split[f % split.len()]);
                f += 1;
            }
            let total: f64 = weights.iter().sum();
            for (&s, w) in outs.iter().zip(&weights) {
                flow[s] = inflow[j] * w / total;
                if streams[s].2 != usize::MAX {
                    inflow[streams[s].2] += flow[s];
                }
            }
        }
        let nodes = (0..n)
            .map(|j| Node {
                name: format!("n{j}"),
                inputs: streams.iter().filter(|s| s.2 == j).map(|s| s.0.clone()).collect(),
                outputs: streams.iter().filter(|s| s.1 == j).map(|s| s.0.clone()).collect(),
            })
            .collect();
        let measured = streams
            .iter()
            .zip(&flow)
            .map(|((name, _, _), &v)| Measurement { name: name.clone(), value: v, sd: 0.02 * v + 0.1 })
            .collect();
        (Circuit { streams: measured, nodes }, flow)
    }

    fn residuals(c: &Circuit, x: &[f64]) -> Vec<f64> {
        c.nodes
            .iter()
            .map(|n| {
                let at = |name: &String| x[c.streams.iter().position(|s| &s.name == name).unwrap()];
                n.inputs.iter().map(at).sum::<f64>() - n.outputs.iter().map(at).sum::<f64>()
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        #[test]
        fn flows_and_assays_balance_after_reconciliation(noise in prop::collection::vec(-3.0..3.0f64, 10)) {
            let mut c = rougher_cleaner();
            for (k, s) in c.streams.iter_mut().enumerate() {
                s.flow.value += noise[2 * k] * s.flow.sd;
                s.assays[0].value += noise[2 * k + 1] * s.assays[0].sd;
            }
            let r = reconcile_assays(&c).unwrap();
            for res in assay_residuals(&c, &r) {
                prop_assert!(res.abs() <= 1e-9, "residual {res}");
            }
            prop_assert!(r.chi2 >= 0.0);
            prop_assert_eq!(r.dof, 4);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn reconciled_flows_balance_every_node(
            n in 1usize..8,
            extra in prop::collection::vec((0usize..8, 0usize..8), 0..6),
            split in prop::collection::vec(0.0..1.0f64, 1..10),
            noise in prop::collection::vec(-3.0..3.0f64, 30),
        ) {
            let (mut c, _) = flowsheet(n, &extra, &split, 100.0);
            for (k, s) in c.streams.iter_mut().enumerate() {
                s.value = (s.value + noise[k % noise.len()] * s.sd).max(0.0);
            }
            let r = reconcile(&c).unwrap();
            let x: Vec<f64> = r.streams.iter().map(|s| s.estimate.reconciled).collect();
            for res in residuals(&c, &x) {
                prop_assert!(res.abs() <= 1e-9, "residual {res}");
            }
            prop_assert!(r.chi2 >= 0.0);
            prop_assert_eq!(r.dof, c.nodes.len(), "node balances of a flowsheet are independent");
            // Reconciling never makes a value less certain than its measurement.
            for s in &r.streams {
                prop_assert!(s.estimate.reconciled_sd <= s.estimate.sd * (1.0 + 1e-12));
            }
        }

        #[test]
        fn a_planted_gross_error_is_flagged_and_named_in_any_flowsheet(
            n in 2usize..8,
            extra in prop::collection::vec((0usize..8, 0usize..8), 0..6),
            split in prop::collection::vec(0.0..1.0f64, 1..10),
            which in 0usize..100,
        ) {
            let (mut c, _) = flowsheet(n, &extra, &split, 100.0);
            for s in c.streams.iter_mut() {
                s.sd = 1.0;
            }
            let k = which % c.streams.len();
            c.streams[k].value += 40.0;
            let r = reconcile(&c).unwrap();
            prop_assert!(r.gross_error_suspected, "J {} <= {}", r.chi2, r.chi2_critical);
            // Its normalised adjustment is the largest (Cauchy-Schwarz); only streams joining the
            // same two nodes the same way can tie with it.
            let z = |s: &AdjustedStream| s.estimate.normalised_adjustment.abs();
            let top = r.streams.iter().map(z).fold(0.0, f64::max);
            prop_assert!(z(&r.streams[k]) >= top * (1.0 - 1e-9));
            prop_assert!(r.most_adjusted[0].names.contains(&c.streams[k].name), "{:?}", r.most_adjusted);
            // The planted stream shares its group only with streams joining the same nodes.
            let column = |name: &String| -> Vec<i8> {
                c.nodes.iter().map(|n| n.inputs.contains(name) as i8 - n.outputs.contains(name) as i8).collect()
            };
            let planted = column(&c.streams[k].name);
            for other in &r.most_adjusted[0].names {
                let col = column(other);
                prop_assert!(col == planted || col.iter().zip(&planted).all(|(a, b)| *a == -b), "{other}");
            }
        }
    }

    fn assayed(name: &str, flow: (f64, f64), zn: (f64, f64)) -> AssayedStream {
        AssayedStream {
            name: name.into(),
            flow: Measured { value: flow.0, sd: flow.1 },
            assays: vec![Measured { value: zn.0, sd: zn.1 }],
        }
    }

    fn zinc_mill() -> AssayCircuit {
        AssayCircuit {
            components: vec!["Zn".into()],
            streams: vec![
                assayed("F", (100.0, 5.0), (3.48, 0.05)),
                assayed("C", (6.0, 0.5), (50.0, 0.5)),
                assayed("T", (93.0, 5.0), (0.28, 0.01)),
            ],
            nodes: vec![node("mill", &["F"], &["C", "T"])],
        }
    }

    /// Flow and metal residuals of every node at `r`.
    fn assay_residuals(c: &AssayCircuit, r: &AssayReconciliation) -> Vec<f64> {
        let pos = |name: &String| r.streams.iter().position(|s| &s.name == name).unwrap();
        let mut out = Vec::new();
        for n in &c.nodes {
            let side = |list: &Vec<String>, f: &dyn Fn(&AdjustedAssayedStream) -> f64| -> f64 {
                list.iter().map(|s| f(&r.streams[pos(s)])).sum()
            };
            out.push(side(&n.inputs, &|s| s.flow.reconciled) - side(&n.outputs, &|s| s.flow.reconciled));
            for k in 0..c.components.len() {
                let metal = |s: &AdjustedAssayedStream| s.flow.reconciled * s.assays[k].reconciled;
                out.push(side(&n.inputs, &metal) - side(&n.outputs, &metal));
            }
        }
        out
    }

    #[test]
    fn flows_and_assays_reconcile_to_closing_metal_balances() {
        let c = zinc_mill();
        let r = reconcile_assays(&c).unwrap();
        for res in assay_residuals(&c, &r) {
            assert!(res.abs() < 1e-9, "{res}");
        }
        assert_eq!(r.dof, 2);
        assert!(r.iterations > 1 && r.iterations < 20, "{}", r.iterations);
        // Precise assays, rough flows: the flows move to the two-product split of the assays.
        let (f, cg, t) =
            (r.streams[0].assays[0].reconciled, r.streams[1].assays[0].reconciled, r.streams[2].assays[0].reconciled);
        let split = r.streams[1].flow.reconciled / r.streams[0].flow.reconciled;
        assert!((split - (f - t) / (cg - t)).abs() < 1e-12);
        assert!((f - 3.48).abs() < 0.05 && (t - 0.28).abs() < 0.01);
    }

    #[test]
    fn flows_and_assays_are_the_constrained_least_squares_optimum() {
        // At the optimum the weighted adjustments V^-1 (x - y) lie in the span of the balance
        // gradients (Lagrange): projecting them onto that span leaves nothing.
        let c = zinc_mill();
        let r = reconcile_assays(&c).unwrap();
        let (f, cc, t) = (&r.streams[0], &r.streams[1], &r.streams[2]);
        let e = [f.flow, cc.flow, t.flow, f.assays[0], cc.assays[0], t.assays[0]];
        let w: Vec<f64> = e.iter().map(|e| e.adjustment / (e.sd * e.sd)).collect();
        let grad = [
            [1.0, -1.0, -1.0, 0.0, 0.0, 0.0],
            [e[3].reconciled, -e[4].reconciled, -e[5].reconciled, e[0].reconciled, -e[1].reconciled, -e[2].reconciled],
        ];
        // Least squares w ~ a g0 + b g1 by the 2x2 normal equations.
        let (g0, g1) = (&grad[0], &grad[1]);
        let (a11, a12, a22) = (dot(g0, g0), dot(g0, g1), dot(g1, g1));
        let (b1, b2) = (dot(g0, &w), dot(g1, &w));
        let det = a11 * a22 - a12 * a12;
        let (a, b) = ((b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det);
        let scale = w.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for i in 0..6 {
            assert!((w[i] - a * g0[i] - b * g1[i]).abs() < 1e-9 * scale, "{i}");
        }
    }

    /// A rougher and a cleaner, weighed to 1 % and assayed to 2 %, the data consistent.
    fn rougher_cleaner() -> AssayCircuit {
        let m = |name: &str, flow: f64, zn: f64| AssayedStream {
            name: name.into(),
            flow: Measured { value: flow, sd: 0.01 * flow },
            assays: vec![Measured { value: zn, sd: 0.02 * zn }],
        };
        // C = F (f - t) / (c - t); the cleaner likewise.
        let c = 100.0 * (3.48 - 0.28) / (50.0 - 0.28);
        let t2 = (c * 50.0 - 2.0 * 60.0) / (c - 2.0);
        AssayCircuit {
            components: vec!["Zn".into()],
            streams: vec![
                m("F", 100.0, 3.48),
                m("C", c, 50.0),
                m("T", 100.0 - c, 0.28),
                m("C2", 2.0, 60.0),
                m("T2", c - 2.0, t2),
            ],
            nodes: vec![node("rougher", &["F"], &["C", "T"]), node("cleaner", &["C"], &["C2", "T2"])],
        }
    }

    #[test]
    fn a_wrong_assay_or_weighing_is_named() {
        let c = rougher_cleaner();
        let clean = reconcile_assays(&c).unwrap();
        assert!(clean.chi2 < 1e-9 && clean.most_adjusted.is_empty(), "{clean:?}");
        let (mut assay, mut weighing) = (c.clone(), c.clone());
        assay.streams[1].assays[0].value *= 1.16; // the rougher concentrate assay 8 sds high
        weighing.streams[1].flow.value *= 1.08; // its weighing 8 sds high
        for (bad, name) in [(assay, "C Zn"), (weighing, "C flow")] {
            let r = reconcile_assays(&bad).unwrap();
            assert!(r.gross_error_suspected, "J = {}", r.chi2);
            assert_eq!(r.most_adjusted[0].names, [name], "{:?}", r.most_adjusted);
        }
    }

    #[test]
    fn assays_entering_one_balance_alike_cannot_be_told_apart() {
        // The feed and tailing assays enter only the rougher's zinc balance: a wrong feed assay
        // is found, but shared with the tailing assay. A wrong tailing assay hardly shows at
        // all: 93 t at 0.28 % carries too little zinc to upset the balance.
        let mut c = rougher_cleaner();
        c.streams[0].assays[0].value *= 1.16;
        let r = reconcile_assays(&c).unwrap();
        assert!(r.gross_error_suspected);
        assert_eq!(r.most_adjusted[0].names, ["F Zn", "T Zn"]);
        let mut c = rougher_cleaner();
        c.streams[2].assays[0].value *= 1.16;
        assert!(!reconcile_assays(&c).unwrap().gross_error_suspected);
    }

    #[test]
    fn assayed_inputs_are_checked_like_flows() {
        let mut c = zinc_mill();
        c.streams[0].assays[0].value = 120.0;
        c.streams[1].assays.clear();
        c.streams[2].flow.sd = -1.0;
        c.components.push(" ".into());
        let e = reconcile_assays(&c).unwrap_err();
        let codes: Vec<(&str, &str)> = e.0.iter().map(|p| (p.field(), p.code())).collect();
        for expected in [
            ("streams[0].assays[0].value", "err-metallurgy-grade-above-100"),
            ("streams[1].assays", "err-metallurgy-assay-count"),
            ("streams[2].flow.sd", "err-metallurgy-sd-not-positive"),
            ("components[1]", "err-required"),
        ] {
            assert!(codes.contains(&expected), "{expected:?} missing from {codes:?}");
        }
    }
}
