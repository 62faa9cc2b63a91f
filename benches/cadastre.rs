//! Cadastre benchmark: `cargo bench --bench cadastre` (add `-- 1000 10000` to pick sizes).
//!
//! A seeded generator writes N leases (4-12 vertex polygons, ~3 % overlapping a neighbour, ~1 %
//! sharing an edge with one) and 10 N workings (~1 % outside their lease) as GeoJSON, then:
//! 1. runs `minecoop cadastre check` end to end on the files (3 runs; the fastest, and the peak
//!    memory of the process), and checks that it finds what the generator planted;
//! 2. builds the register of the largest N in memory and times checking 1,000 new leases
//!    against it one at a time (the live check while a lease is drawn): p50 and p99.
//!
//! Results are printed as Markdown rows for docs/benchmarks.md.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use minecoop_domain::cadastre::check::{LeaseIndex, build_all};
use minecoop_domain::cadastre::crs::Crs;
use minecoop_domain::cadastre::geojson::parse_leases;
use minecoop_domain::cadastre::lease::build;

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
}

const CELL: f64 = 1000.0;
const X0: f64 = 400_000.0;
const Y0: f64 = 2_900_000.0;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Star,
    /// A rectangle reaching 600 m into the next cell's star.
    Overlapping,
    /// Two rectangles meeting exactly on the cell edge (the right half of this cell, the left
    /// half of the next).
    SharedLeft,
    SharedRight,
}

fn star(rng: &mut Rng, cx: f64, cy: f64, rmin: f64, rmax: f64) -> Vec<[f64; 2]> {
    let n = 4 + (rng.next() % 9) as usize;
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|k| {
            let a = k as f64 / n as f64 * std::f64::consts::TAU;
            let r = rng.range(rmin, rmax);
            [(cx + r * a.cos()).round(), (cy + r * a.sin()).round()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

struct Generated {
    leases: String,
    workings: String,
    overlaps: usize,
    outside: usize,
}

fn generate(n: usize, seed: u64) -> Generated {
    let mut rng = Rng(seed);
    let cols = (n as f64).sqrt().ceil() as usize;
    let mut kinds = vec![Kind::Star; n];
    let mut k = 0;
    while k + 1 < n {
        let last_in_row = (k + 1) % cols == 0;
        let r = rng.next() % 1000;
        if !last_in_row && kinds[k] == Kind::Star && r < 10 {
            kinds[k] = Kind::SharedLeft;
            kinds[k + 1] = Kind::SharedRight;
            k += 2;
            continue;
        }
        if !last_in_row && kinds[k] == Kind::Star && r < 40 {
            kinds[k] = Kind::Overlapping;
            k += 2; // the next one stays a star, so the overlap is certain
            continue;
        }
        k += 1;
    }
    let mut leases = String::with_capacity(n * 320);
    let mut workings = String::with_capacity(n * 10 * 150);
    leases.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    workings.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut outside = 0;
    let mut first_w = true;
    for (k, kind) in kinds.iter().enumerate() {
        let (i, j) = (k % cols, k / cols);
        let (x, y) = (X0 + i as f64 * CELL, Y0 + j as f64 * CELL);
        let (cx, cy) = (x + CELL / 2.0, y + CELL / 2.0);
        let ring = match kind {
            Kind::Star => star(&mut rng, cx, cy, 250.0, 450.0),
            Kind::Overlapping => rect(x + 300.0, y + 300.0, x + 1600.0, y + 700.0),
            Kind::SharedLeft => rect(x + 200.0, y + 200.0, x + CELL, y + 800.0),
            Kind::SharedRight => rect(x, y + 200.0, x + 800.0, y + 800.0),
        };
        // Working points go around the middle of the lease itself.
        let (wx, wy) = match kind {
            Kind::Overlapping => (x + 500.0, cy),
            Kind::SharedRight => (x + 400.0, cy),
            _ => (cx, cy),
        };
        let licence = format!("C52000020{k:014}");
        let coords: Vec<String> = ring.iter().map(|p| format!("[{},{}]", p[0], p[1])).collect();
        if k > 0 {
            leases.push_str(",\n");
        }
        let _ = write!(
            leases,
            "{{\"type\":\"Feature\",\"properties\":{{\"licence_no\":\"{licence}\",\"elevation_top_m\":1300,\"elevation_bottom_m\":700}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}}}",
            coords.join(",")
        );
        for m in 0..10 {
            let out = rng.next().is_multiple_of(100);
            let (px, py) = if out {
                outside += 1;
                (wx, y + CELL - rng.range(2.0, 40.0))
            } else {
                let a = rng.range(0.0, std::f64::consts::TAU);
                let r = rng.range(0.0, 150.0);
                (wx + r * a.cos(), wy + r * a.sin())
            };
            let z = 700.0 + rng.range(1.0, 599.0);
            if !first_w {
                workings.push_str(",\n");
            }
            first_w = false;
            let _ = write!(
                workings,
                "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"w{k}-{m}\",\"licence_no\":\"{licence}\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{px:.2},{py:.2},{z:.1}]}}}}"
            );
        }
    }
    leases.push_str("\n]}\n");
    workings.push_str("\n]}\n");
    let overlaps = kinds.iter().filter(|k| **k == Kind::Overlapping).count();
    Generated { leases, workings, overlaps, outside }
}

fn peak_rss_children_mb() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss as f64 / 1024.0
}

fn main() {
    // `cargo test --all-targets` and nextest also start bench binaries (with `--list`, or
    // without `--bench`): the benchmark runs only under `cargo bench`.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list") {
        return;
    }
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect::<Vec<_>>();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    // MINECOOP_BENCH_DIR keeps the generated files (to profile them); else a temp dir.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir_path =
        std::env::var("MINECOOP_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| tmp.path().to_owned());
    std::fs::create_dir_all(&dir_path).expect("bench dir");
    let bin = env!("CARGO_BIN_EXE_minecoop");
    println!(
        "| N leases | workings | file size | overlaps found (planted) | outside found (planted) | end-to-end, best of 3 | peak memory |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut largest = None;
    for &n in &sizes {
        let g = generate(n, 2026);
        let lp = dir_path.join(format!("leases-{n}.geojson"));
        let wp = dir_path.join(format!("workings-{n}.geojson"));
        std::fs::File::create(&lp).unwrap().write_all(g.leases.as_bytes()).unwrap();
        std::fs::File::create(&wp).unwrap().write_all(g.workings.as_bytes()).unwrap();
        let size_mb = (g.leases.len() + g.workings.len()) as f64 / 1.0e6;
        let mut best = Duration::MAX;
        let mut report = serde_json::Value::Null;
        for _ in 0..3 {
            let t = Instant::now();
            let o = Command::new(bin)
                .args(["cadastre", "check", "--crs", "EPSG:4545", "--format", "json", "--leases"])
                .arg(&lp)
                .arg("--workings")
                .arg(&wp)
                .output()
                .expect("run minecoop");
            best = best.min(t.elapsed());
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            report = serde_json::from_slice(&o.stdout).expect("JSON report");
        }
        let found_overlaps = report["overlaps"].as_array().map_or(0, Vec::len);
        let found_outside = report["outside"].as_array().map_or(0, Vec::len);
        assert_eq!(found_overlaps, g.overlaps, "every planted overlap and no shared edge");
        assert_eq!(found_outside, g.outside, "every planted outside working");
        println!(
            "| {n} | {} | {size_mb:.0} MB | {found_overlaps} ({}) | {found_outside} ({}) | {:.3} s | {:.0} MB |",
            n * 10,
            g.overlaps,
            g.outside,
            best.as_secs_f64(),
            peak_rss_children_mb()
        );
        largest = Some((n, g.leases));
    }

    let (n, text) = largest.expect("at least one size");
    let (register, _) = build_all(parse_leases(&text).expect("parse"), Crs::Planar);
    let index = LeaseIndex::new(&register);
    let cols = (n as f64).sqrt().ceil();
    let mut rng = Rng(7);
    let mut times = Vec::with_capacity(1000);
    let mut hits = 0;
    for _ in 0..1000 {
        let cx = X0 + rng.range(0.0, cols * CELL);
        let cy = Y0 + rng.range(0.0, cols * CELL);
        let ring = star(&mut rng, cx, cy, 250.0, 700.0);
        let t = Instant::now();
        let shape = build(&vec![vec![ring]], Crs::Planar).expect("valid star");
        hits += index.overlapping(&shape, Crs::Planar).len();
        times.push(t.elapsed());
    }
    times.sort();
    println!();
    println!(
        "Live check of one new lease against {n} stored: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({hits} overlaps in 1,000 checks)",
        times[500].as_secs_f64() * 1e3,
        times[989].as_secs_f64() * 1e3,
        times[999].as_secs_f64() * 1e3
    );
}
