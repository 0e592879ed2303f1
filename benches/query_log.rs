//! What the query log costs: the work a search request does to log itself
//! (masking the query and handing the record to the writer thread), beside
//! the search it logs, in the same run; and building the gap report from a
//! simulated month.
//!
//!     cargo bench --bench query_log
//!
//! Figures are in BENCHMARKS.md.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use doumi::analytics::record::{Who, now_ms};
use doumi::analytics::report::{self, ReportOptions, Since};
use doumi::analytics::simulate::{Simulation, simulate};
use doumi::analytics::{LogCounters, LogOptions, LogTarget, Masker, QueryLog, Source, Store};
use doumi::content::Library;
use doumi::search::{Engine, SearchRequest};

fn bundled() -> (Engine, tempfile::TempDir) {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = Library::load(&content).unwrap();
    let (engine, _, dir) = doumi::eval::scratch_engine(&library, &content).unwrap();
    (engine, dir)
}

fn logging(c: &mut Criterion) {
    let (engine, _dir) = bundled();
    let scratch = tempfile::tempdir().unwrap();
    let target = LogTarget::File(scratch.path().join("queries.sqlite3"));
    let who = Who { session: "bench-session".into(), client: "c-bench".into() };
    let log = QueryLog::open(&target, LogOptions { retention_days: 0, masker: Masker::default(), spool: None }, LogCounters::default()).unwrap();
    let mut group = c.benchmark_group("query_log");
    for (name, query) in [("plain", "환불 언제 돼요"), ("with_phone", "주문 취소 010-1234-5678 연락주세요")] {
        let response = engine.search(&SearchRequest::new(query)).unwrap();
        group.bench_function(format!("search_{name}"), |b| b.iter(|| engine.search(std::hint::black_box(&SearchRequest::new(query))).unwrap()));
        group.bench_function(format!("log_{name}"), |b| b.iter(|| log.search(std::hint::black_box(query), &response, &who, Source::Api)));
    }
    group.finish();
    log.close();
}

fn report_build(c: &mut Criterion) {
    let (engine, _dir) = bundled();
    let scratch = tempfile::tempdir().unwrap();
    let mut store = Store::open(&scratch.path().join("simulated.sqlite3")).unwrap();
    let queries = doumi::eval::read_queries(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/queries.jsonl")).unwrap();
    let now = now_ms();
    simulate(&engine, &Masker::default(), &queries, Simulation { sessions: 2000, days: 60, seed: 7, now_ms: now }, &mut store).unwrap();
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    let options = ReportOptions { since: "30d".parse::<Since>().unwrap(), now_ms: now, recheck: false };
    group.bench_function("30d_of_2000_simulated_sessions", |b| b.iter(|| report::build(&store, &engine, options).unwrap()));
    group.finish();
}

criterion_group!(benches, logging, report_build);
criterion_main!(benches);
