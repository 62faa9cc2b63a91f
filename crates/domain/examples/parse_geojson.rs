//! Times reading and parsing a GeoJSON file of leases or workings, as `cadastre check` does.
//!
//! ```sh
//! cargo run --release -p minecoop-domain --example parse_geojson -- FILE [leases|workings] [RUNS]
//! ```
//!
//! The kind is guessed from the file name when not given. Prints the time to read the file and
//! to parse it (best and median of the runs), the number of features and the peak resident
//! memory of the process.

use std::time::Instant;

use minecoop_domain::cadastre::geojson;

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_geojson FILE [leases|workings] [RUNS]");
    let kind = args.next().unwrap_or_else(|| if path.contains("lease") { "leases".into() } else { "workings".into() });
    let runs: usize = args.next().map(|r| r.parse().expect("RUNS is a number")).unwrap_or(5);
    let (mut read, mut parse) = (Vec::new(), Vec::new());
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let text = std::fs::read_to_string(&path).expect("cannot read the file");
        read.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        n = match kind.as_str() {
            "leases" => geojson::parse_leases(&text).map(|v| v.len()),
            _ => geojson::parse_workings(&text).map(|v| v.len()),
        }
        .expect("the file does not parse");
        parse.push(t.elapsed().as_secs_f64());
    }
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2])
    };
    let (rb, rm) = stats(&mut read);
    let (pb, pm) = stats(&mut parse);
    println!("{n} {kind}; read best {rb:.3} s median {rm:.3} s; parse best {pb:.3} s median {pm:.3} s");
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS {mb:.0} MB");
    }
}
