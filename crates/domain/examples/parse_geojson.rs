//! Times reading and parsing a GeoJSON file of leases or workings, as `cadastre check` does.
//!
//! ```sh
//! cargo run --release -p minecoop-domain --example parse_geojson -- FILE [leases|workings] [RUNS]
//! ```
//!
//! The kind is guessed from the file name when not given. Prints, best and median of the runs,
//! the time to read the file whole and to parse that text (`parse_*`), and the time to read and
//! parse it a window at a time (`read_*`, what the command does); then the number of features
//! and the peak resident memory of the process.

use std::time::Instant;

use minecoop_domain::cadastre::geojson;

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn stats(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    format!("best {:.3} s median {:.3} s", v[0], v[v.len() / 2])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_geojson FILE [leases|workings] [RUNS]");
    let kind = args.next().unwrap_or_else(|| if path.contains("lease") { "leases".into() } else { "workings".into() });
    let runs: usize = args.next().map(|r| r.parse().expect("RUNS is a number")).unwrap_or(5);
    let leases = kind == "leases";
    let (mut read, mut parse, mut streamed) = (Vec::new(), Vec::new(), Vec::new());
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let text = std::fs::read_to_string(&path).expect("cannot read the file");
        read.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        n = if leases {
            geojson::parse_leases(&text).map(|v| v.len())
        } else {
            geojson::parse_workings(&text).map(|v| v.len())
        }
        .expect("the file does not parse");
        parse.push(t.elapsed().as_secs_f64());
        drop(text);
        let t = Instant::now();
        let file = std::path::Path::new(&path);
        let m = if leases {
            geojson::read_leases(file).expect("cannot read the file").map(|v| v.len())
        } else {
            geojson::read_workings(file).expect("cannot read the file").map(|v| v.len())
        }
        .expect("the file does not parse");
        streamed.push(t.elapsed().as_secs_f64());
        assert_eq!(m, n);
    }
    println!("{n} {kind}");
    println!("read whole      {}", stats(&mut read));
    println!("parse_{kind:<9} {}", stats(&mut parse));
    println!("read_{kind:<10} {}", stats(&mut streamed));
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS {mb:.0} MB");
    }
}
