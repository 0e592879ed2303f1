//! In-process speed on the bundled help center: Korean analysis of the answers
//! (MB/s), query analysis alone (what `understand` costs before tantivy runs)
//! and a whole search, for a query of each kind customers type.
//!
//!     cargo bench --bench search
//!
//! At scale, on a corpus written by `benches/corpus.py`:
//!
//!     python3 benches/corpus.py --entries 10000 --out /tmp/doumi-10k
//!     DOUMI_BENCH_CONTENT=/tmp/doumi-10k/content cargo bench --bench search
//!
//! Figures and the machine they were taken on are in BENCHMARKS.md.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use doumi::content::Library;
use doumi::search::{Engine, SearchRequest};

/// One typical query of each kind.
const QUERIES: &[(&str, &str)] = &[
    ("exact", "비밀번호를 잊어버렸어요"),
    ("colloquial", "환불 언제 돼요"),
    ("typo", "배숑 조회"),
    ("chosung", "ㅂㅁㅂㅎ"),
    ("partial", "회원강"),
    ("mistype", "qlalfqjsgh"),
    ("mixed", "kakaopay 결제"),
    ("spacing", "비밀번호변경"),
];

/// The bundled content, or the folder named by `DOUMI_BENCH_CONTENT`.
fn bundled() -> (Engine, tempfile::TempDir) {
    let content = std::env::var_os("DOUMI_BENCH_CONTENT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    let library = Library::load(&content).unwrap();
    let (engine, _, dir) = doumi::eval::scratch_engine(&library, &content).unwrap();
    (engine, dir)
}

fn query_analysis(c: &mut Criterion) {
    let (engine, _dir) = bundled();
    eprintln!("vocabulary: {} words", engine.vocabulary().word_count());
    let mut group = c.benchmark_group("query_analysis");
    for (kind, query) in QUERIES {
        group.bench_function(*kind, |b| b.iter(|| engine.plan(std::hint::black_box(query))));
    }
    group.finish();
}

/// Morphological analysis as indexing runs it, over every answer of the
/// content: megabytes of text per second.
fn analysis(c: &mut Criterion) {
    let content = std::env::var_os("DOUMI_BENCH_CONTENT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    let library = Library::load(&content).unwrap();
    let answers: Vec<String> = library.entries().map(|e| e.body).collect();
    let bytes: usize = answers.iter().map(String::len).sum();
    let analyzer = doumi::korean::Analyzer::shared_default();
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("answers", |b| {
        b.iter(|| answers.iter().map(|a| analyzer.analyze(std::hint::black_box(a)).len()).sum::<usize>())
    });
    group.finish();
}

fn search(c: &mut Criterion) {
    let (engine, _dir) = bundled();
    let mut group = c.benchmark_group("search");
    for (kind, query) in QUERIES {
        let request = SearchRequest::new(*query);
        group.bench_function(*kind, |b| b.iter(|| engine.search(std::hint::black_box(&request)).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, analysis, query_analysis, search);
criterion_main!(benches);
