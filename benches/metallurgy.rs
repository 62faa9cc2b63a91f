//! Reconciliation benchmark: `cargo bench --bench metallurgy`.
//!
//! A seeded generator builds a circuit of 40 nodes and 100 streams (10 feeds, a chain from
//! node to node, one product out of every node, 11 streams jumping ahead), splits true flows
//! and zinc grades through it, adds measurement noise (flows 2 %, grades 3 %) and plants one
//! gross error. Then it times:
//! 1. `reconcile` of the flows (linear), 200 runs: median and slowest;
//! 2. `reconcile_assays` of flows and zinc grades together (bilinear), 50 runs,
//!
//! and checks that the planted error is flagged and named. Target: the linear case under 10 ms.

use std::time::{Duration, Instant};

use minecoop_domain::metallurgy::reconcile::{
    AssayCircuit, AssayedStream, Circuit, Measured, Measurement, Node, reconcile, reconcile_assays,
};

/// SplitMix64: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
    /// About normal (0, 1): the sum of 12 uniforms less 6.
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

const NODES: usize = 40;
const OUTSIDE: usize = usize::MAX;

struct Generated {
    flows: Circuit,
    assays: AssayCircuit,
    planted: String,
}

fn generate(seed: u64) -> Generated {
    let mut rng = Rng(seed);
    // (name, from node, to node)
    let mut streams: Vec<(String, usize, usize)> = Vec::new();
    for j in 0..10 {
        streams.push((format!("feed{j}"), OUTSIDE, j));
    }
    for j in 0..NODES - 1 {
        streams.push((format!("s{j}-{}", j + 1), j, j + 1));
    }
    for j in 0..NODES {
        streams.push((format!("product{j}"), j, OUTSIDE));
    }
    let mut k = 0;
    while streams.len() < 100 {
        let from = (rng.next() % (NODES as u64 - 2)) as usize;
        let to = from + 2 + (rng.next() % (NODES - from - 2) as u64) as usize;
        streams.push((format!("jump{k}:{from}-{to}"), from, to));
        k += 1;
    }
    // True flows and zinc grades, node by node in order (every stream goes forward).
    let mut flow = vec![0.0; streams.len()];
    let mut grade = vec![0.0; streams.len()];
    let mut inflow = vec![0.0; NODES];
    let mut metal = vec![0.0; NODES];
    for (s, st) in streams.iter().enumerate() {
        if st.1 == OUTSIDE {
            flow[s] = rng.range(50.0, 150.0);
            grade[s] = rng.range(2.0, 6.0);
            inflow[st.2] += flow[s];
            metal[st.2] += flow[s] * grade[s];
        }
    }
    for j in 0..NODES {
        let outs: Vec<usize> = (0..streams.len()).filter(|&s| streams[s].1 == j).collect();
        let w: Vec<f64> = outs.iter().map(|_| rng.range(0.2, 1.0)).collect();
        let r: Vec<f64> = outs.iter().map(|_| rng.range(0.6, 1.4)).collect();
        let wsum: f64 = w.iter().sum();
        let mean_grade = metal[j] / inflow[j];
        let norm: f64 = w.iter().zip(&r).map(|(w, r)| w / wsum * r).sum();
        for (k, &s) in outs.iter().enumerate() {
            flow[s] = inflow[j] * w[k] / wsum;
            grade[s] = mean_grade * r[k] / norm;
            assert!(grade[s] < 100.0);
            if streams[s].2 != OUTSIDE {
                inflow[streams[s].2] += flow[s];
                metal[streams[s].2] += flow[s] * grade[s];
            }
        }
    }
    let nodes: Vec<Node> = (0..NODES)
        .map(|j| Node {
            name: format!("node{j}"),
            inputs: streams.iter().filter(|s| s.2 == j).map(|s| s.0.clone()).collect(),
            outputs: streams.iter().filter(|s| s.1 == j).map(|s| s.0.clone()).collect(),
        })
        .collect();
    let mut measured: Vec<(f64, f64, f64, f64)> = Vec::new();
    for s in 0..streams.len() {
        let (fsd, gsd) = (0.02 * flow[s], 0.03 * grade[s]);
        measured.push((flow[s] + fsd * rng.normal(), fsd, grade[s] + gsd * rng.normal(), gsd));
    }
    // The gross error: the chain stream out of node 20 weighed 12 sds high.
    let planted = streams.iter().position(|s| s.0 == "s20-21").expect("chain stream");
    measured[planted].0 += 12.0 * measured[planted].1;
    let flows = Circuit {
        streams: streams
            .iter()
            .zip(&measured)
            .map(|(s, m)| Measurement { name: s.0.clone(), value: m.0, sd: m.1 })
            .collect(),
        nodes: nodes.clone(),
    };
    let assays = AssayCircuit {
        components: vec!["Zn".into()],
        streams: streams
            .iter()
            .zip(&measured)
            .map(|(s, m)| AssayedStream {
                name: s.0.clone(),
                flow: Measured { value: m.0, sd: m.1 },
                assays: vec![Measured { value: m.2, sd: m.3 }],
            })
            .collect(),
        nodes,
    };
    Generated { flows, assays, planted: streams[planted].0.clone() }
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed());
        last = Some(r);
    }
    times.sort();
    (times, last.expect("at least one run"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `cargo test --all-targets` and nextest also start bench binaries (with `--list`, or
    // without `--bench`): the benchmark runs only under `cargo bench`.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }
    let g = generate(2026);
    println!(
        "Circuit: {} streams, {} nodes; planted gross error: {} (+12 sd)",
        g.flows.streams.len(),
        g.flows.nodes.len(),
        g.planted
    );
    println!();
    println!("| reconciliation | runs | median | slowest | chi2 | dof | critical | gross error | most adjusted |");
    println!("|---|---|---|---|---|---|---|---|---|");

    let (times, r) = time(200, || reconcile(&g.flows).expect("valid circuit"));
    assert!(r.gross_error_suspected, "the planted error is flagged");
    assert!(r.most_adjusted[0].names.contains(&g.planted), "and named: {:?}", r.most_adjusted);
    println!(
        "| flows (linear) | 200 | {:.3} ms | {:.3} ms | {:.1} | {} | {:.1} | {} | {} (z {:.1}) |",
        ms(times[100]),
        ms(times[199]),
        r.chi2,
        r.dof,
        r.chi2_critical,
        r.gross_error_suspected,
        r.most_adjusted[0].names.join(", "),
        r.most_adjusted[0].normalised_adjustment
    );

    let (times, r) = time(50, || reconcile_assays(&g.assays).expect("valid circuit"));
    assert!(r.gross_error_suspected, "the planted error is flagged");
    println!(
        "| flows and Zn (bilinear, {} iterations) | 50 | {:.3} ms | {:.3} ms | {:.1} | {} | {:.1} | {} | {} (z {:.1}) |",
        r.iterations,
        ms(times[25]),
        ms(times[49]),
        r.chi2,
        r.dof,
        r.chi2_critical,
        r.gross_error_suspected,
        r.most_adjusted[0].names.join(", "),
        r.most_adjusted[0].normalised_adjustment
    );
}
