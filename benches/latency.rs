//! In-process search latency over the whole labelled query mix: p50 and p99 per
//! kind of query and overall, with nothing remembered between searches (every
//! search is worked out anew, as for a question never asked before).
//!
//!     python3 benches/corpus.py --entries 10000 --out /tmp/doumi-10k
//!     DOUMI_BENCH_CONTENT=/tmp/doumi-10k/content cargo bench --bench latency
//!
//! Criterion reports medians with confidence bounds but not tail percentiles;
//! this bench times each search itself: one warm-up pass over the 314 queries
//! of tests/eval/queries.jsonl, then `DOUMI_BENCH_PASSES` (default 5) timed
//! passes. Figures are in BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use doumi::content::Library;
use doumi::search::SearchRequest;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = std::env::var_os("DOUMI_BENCH_CONTENT").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("content"));
    let passes: usize = std::env::var("DOUMI_BENCH_PASSES").ok().and_then(|p| p.parse().ok()).unwrap_or(5);
    let library = Library::load(&content).expect("the content loads");
    let (engine, _, _dir) = doumi::eval::scratch_engine(&library, &content).expect("the index builds");
    let queries = doumi::eval::read_queries(&root.join("tests/eval/queries.jsonl")).expect("the query set reads");
    let search = |q: &str| engine.search(&SearchRequest::new(q)).expect("the search runs");
    for q in &queries {
        search(&q.query);
    }
    let mut by_class: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for _ in 0..passes {
        for q in &queries {
            let started = Instant::now();
            std::hint::black_box(search(&q.query));
            let took = started.elapsed();
            by_class.entry(q.class.as_str()).or_default().push(took);
            by_class.entry("(all)").or_default().push(took);
        }
    }
    println!("{} entries, {} queries x {passes} passes ({})", engine.entries(), queries.len(), content.display());
    println!("| kind | searches | p50 | p99 |");
    println!("| --- | ---: | ---: | ---: |");
    for (class, mut times) in by_class {
        times.sort();
        let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
        println!("| {class} | {} | {:.3} ms | {:.3} ms |", times.len(), at(0.50).as_secs_f64() * 1e3, at(0.99).as_secs_f64() * 1e3);
    }
}
