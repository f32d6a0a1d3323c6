//! The vigil side of `bench/screening`: index a list of names, screen queries against it,
//! and print throughput, latency percentiles, recall and index memory as one JSON line.
//!
//! `cargo run --release -p vigil-screening --example screen_bench -- NAMES QUERIES [THRESHOLD]`
//! NAMES: one name per line (its id is its line index). QUERIES: `query<TAB>id` per line,
//! the id of the name the query was made from. A query is recalled when that id is among
//! the (at most 10) names scoring at least THRESHOLD (default 0.85). The five slowest
//! queries (`SLOWEST=N`: N) go to stderr, and with `SHOW_MISSES=1` every query not recalled. With
//! `FULL_SCAN=N`, how many of the names a full scan finds for the first N queries the
//! index finds too (stderr). With `REPEAT=N`, each query runs N times and its latency is the
//! least of them (to compare builds on a busy machine). With `PASSES=N`, the whole query
//! set runs N times over, every run counted: throughput and percentiles over a longer
//! window, so one pause of a shared machine weighs less (`bench/screening` uses it).

use std::io::BufRead;
use std::time::Instant;

use vigil_screening::name::{prepare, score_only, NameIndex};

// The allocator the `vigil` binary runs with, so the index and its queries allocate as
// they do there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LIMIT: usize = 10;

/// Resident memory of this process, in bytes (Linux).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn lines(path: &str) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    std::io::BufReader::new(file)
        .lines()
        .map(|l| l.expect("UTF-8 lines"))
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (names_path, queries_path) = match args.as_slice() {
        [_, names, queries, ..] => (names.as_str(), queries.as_str()),
        _ => {
            eprintln!("usage: screen_bench NAMES QUERIES [THRESHOLD]");
            std::process::exit(2);
        }
    };
    let threshold: f64 = args.get(3).map_or(0.85, |t| t.parse().expect("a number"));
    let names = lines(names_path);
    let queries: Vec<(String, u32)> = lines(queries_path)
        .into_iter()
        .map(|line| {
            let (query, id) = line.split_once('\t').expect("query<TAB>id");
            (query.to_string(), id.parse().expect("an id"))
        })
        .collect();

    let rss_before = rss_bytes();
    let started = Instant::now();
    let mut index = NameIndex::new();
    // `THREADS=N`: a query uses at most N threads (default: one per core, at most eight).
    if let Some(threads) = std::env::var("THREADS").ok().and_then(|n| n.parse().ok()) {
        index.set_threads(threads);
    }
    for (id, name) in names.iter().enumerate() {
        index.insert(&prepare(name), id as u32);
    }
    let build_seconds = started.elapsed().as_secs_f64();
    let rss_growth = rss_bytes().saturating_sub(rss_before);
    // With `FULL_SCAN=N`: of every name a full scan scores at the threshold or above for
    // the first N queries, how many the index finds (to stderr; slow at a million).
    if let Some(n) = std::env::var("FULL_SCAN")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let prepared: Vec<_> = names.iter().map(|name| prepare(name)).collect();
        let (mut scanned, mut found) = (0usize, 0usize);
        for (query, _) in queries.iter().take(n) {
            let query = prepare(query);
            let hits = index.search(&query, threshold, usize::MAX);
            for (id, name) in prepared.iter().enumerate() {
                if score_only(&query, name) >= threshold {
                    scanned += 1;
                    let hit = hits.iter().any(|h| *h.payload == id as u32);
                    found += usize::from(hit);
                    if !hit && std::env::var_os("SHOW_MISSES").is_some() {
                        eprintln!("not found: {:?} ~ {:?}", query.tokens, name.tokens);
                    }
                }
            }
        }
        eprintln!(
            "full scan: the index found {found} of {scanned} matches ({:.4}) over {n} queries",
            found as f64 / scanned.max(1) as f64
        );
    }
    drop(names);

    // One pass to warm caches, then the measured pass.
    for (query, _) in queries.iter().take(100) {
        std::hint::black_box(index.search(&prepare(query), threshold, LIMIT));
    }
    // `PROFILE_ROUNDS=N`: N more passes over the queries first, so a profiler attached
    // after the build sees mostly searching.
    let rounds: usize = std::env::var("PROFILE_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    for _ in 0..rounds {
        for (query, _) in &queries {
            std::hint::black_box(index.search(&prepare(query), threshold, LIMIT));
        }
    }
    let mut latencies = Vec::with_capacity(queries.len());
    let mut slowest: Vec<(f64, &str)> = Vec::new();
    let mut recalled = 0usize;
    let mut hits_total = 0usize;
    let all = Instant::now();
    // `REPEAT=N`: each query's latency is the least of N runs, which a busy machine's
    // pauses (another guest's turn on the core) rarely all hit: for comparing builds.
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let passes: usize = std::env::var("PASSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    let every_pass = (0..passes).flat_map(|pass| queries.iter().map(move |q| (pass, q)));
    for (pass, (query, expected)) in every_pass {
        let mut micros = f64::MAX;
        let mut hits = Vec::new();
        for _ in 0..repeat.max(1) {
            let one = Instant::now();
            hits = index.search(&prepare(query), threshold, LIMIT);
            micros = micros.min(one.elapsed().as_secs_f64() * 1e6);
        }
        latencies.push(micros);
        if pass > 0 {
            continue;
        }
        slowest.push((micros, query));
        hits_total += hits.len();
        if hits.iter().any(|h| h.payload == expected) {
            recalled += 1;
        } else if std::env::var_os("SHOW_MISSES").is_some() {
            eprintln!("missed: {query}");
        }
    }
    let seconds = all.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    // The slowest queries, on stderr: where to look when the tail grows.
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let shown: usize = std::env::var("SLOWEST")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    for (micros, query) in slowest.iter().take(shown) {
        eprintln!("slow: {micros:.0} us  {query}");
    }
    println!(
        "{{\"names\": {}, \"queries\": {}, \"build_seconds\": {:.2}, \"heap_mb\": {:.1}, \"rss_growth_mb\": {:.1}, \"qps\": {:.0}, \"p50_us\": {:.1}, \"p99_us\": {:.1}, \"max_us\": {:.1}, \"recall\": {:.4}, \"mean_hits\": {:.2}}}",
        index.len(),
        queries.len(),
        build_seconds,
        index.heap_bytes() as f64 / 1e6,
        rss_growth as f64 / 1e6,
        (queries.len() * passes * repeat.max(1)) as f64 / seconds,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0.0),
        recalled as f64 / queries.len() as f64,
        hits_total as f64 / queries.len() as f64,
    );
}
