//! The ranking by meaning: query embedding time at each precision, how close
//! the 8-bit embeddings are to the f32 ones, and hybrid search latency in
//! process, with nothing remembered between searches.
//!
//!     cargo bench --bench meaning
//!     python3 benches/corpus.py --entries 10000 --out /tmp/doumi-10k
//!     DOUMI_BENCH_CONTENT=/tmp/doumi-10k/content cargo bench --bench meaning
//!
//! Entry embeddings are kept in `DOUMI_BENCH_EMBEDDINGS` (default
//! /tmp/doumi-bench-embeddings/<content name>), so the first run at 10k
//! entries pays for embedding them once (its time is printed) and later runs
//! measure search alone. `RAYON_NUM_THREADS` sets the threads the matrix
//! products use. Figures are in BENCHMARKS.md ("Meaning").

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use doumi::content::Library;
use doumi::index::EntryEmbeddings;
use doumi::search::{Meaning, SearchRequest};
use doumi::semantic::{Model, Precision, QueryEmbedder, cosine, default_model_dir};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    format!("p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  (n={})", percentile(&times, 0.5), percentile(&times, 0.9), percentile(&times, 0.99), times.len())
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = std::env::var_os("DOUMI_BENCH_CONTENT").map(PathBuf::from).unwrap_or_else(|| root.join("content"));
    let model_dir = std::env::var_os("DOUMI_MODEL_DIR").map(PathBuf::from).unwrap_or_else(default_model_dir);
    let queries = doumi::eval::read_queries(&root.join("tests/eval/queries.jsonl")).expect("the query set reads");
    let mut distinct: Vec<String> = queries.iter().map(|q| q.query.clone()).collect();
    distinct.sort();
    distinct.dedup();

    // Query embedding at each precision, on the same queries, after one warm-up pass.
    let mut vectors: Vec<Vec<Vec<f32>>> = Vec::new();
    for precision in [Precision::F32, Precision::Q8] {
        let started = Instant::now();
        let model = Model::load_with(&model_dir, precision).expect("the model loads");
        println!("{precision:?}: loaded in {} ms", started.elapsed().as_millis());
        for q in distinct.iter().take(20) {
            model.embed_query(q).unwrap();
        }
        let mut times = Vec::new();
        let mut embedded = Vec::new();
        for q in &distinct {
            let started = Instant::now();
            embedded.push(model.embed_query(q).unwrap());
            times.push(started.elapsed());
        }
        println!("{precision:?}: query embedding {}", summary(times));
        // The reference: a 14-token Korean query.
        let fourteen = "주문한 상품이 아직 도착하지 않았어요";
        let mut times = Vec::new();
        for _ in 0..50 {
            let started = Instant::now();
            std::hint::black_box(model.embed_query(fourteen).unwrap());
            times.push(started.elapsed());
        }
        println!("{precision:?}: 「{fourteen}」 {}", summary(times));
        let passage = "주문을 취소하고 싶은데 이미 배송이 시작됐다고 나와요. 어떻게 해야 하나요?\n배송이 시작된 뒤에는 주문 취소 대신 반품으로 진행됩니다. 상품을 받은 뒤 마이페이지 > 주문내역에서 반품 신청을 눌러 주세요. 택배 기사님이 방문해 회수하며, 회수가 확인되면 결제 수단으로 환불됩니다. 단순 변심은 왕복 배송비가 차감됩니다.".to_string();
        let mut times = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            std::hint::black_box(model.embed_passages(std::slice::from_ref(&passage)).unwrap());
            times.push(started.elapsed());
        }
        println!("{precision:?}: one passage of {} chars {}", passage.chars().count(), summary(times));
        vectors.push(embedded);
    }
    let mut agreement: Vec<f32> = vectors[0].iter().zip(&vectors[1]).map(|(a, b)| cosine(a, b)).collect();
    agreement.sort_by(f32::total_cmp);
    println!("Q8 against F32: cosine min {:.5}, median {:.5}", agreement[0], agreement[agreement.len() / 2]);

    // When do two customers' questions ask the same thing? Pairs of labelled
    // answerable queries: the same expected entry, or different ones.
    let expected: std::collections::HashMap<&str, &Vec<String>> = queries.iter().filter(|q| !q.expected.is_empty()).map(|q| (q.query.as_str(), &q.expected)).collect();
    let labelled: Vec<(usize, &Vec<String>)> = distinct.iter().enumerate().filter_map(|(i, q)| Some((i, *expected.get(q.as_str())?))).collect();
    let (mut same, mut different) = (Vec::new(), Vec::new());
    for (a, (i, x)) in labelled.iter().enumerate() {
        for (j, y) in &labelled[a + 1..] {
            let c = cosine(&vectors[0][*i], &vectors[0][*j]);
            if x.iter().any(|e| y.contains(e)) { same.push(c) } else { different.push(c) }
        }
    }
    println!("question pairs: {} with the same answer, {} with different answers", same.len(), different.len());
    for t in [0.88, 0.90, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98] {
        let share = |v: &[f32]| v.iter().filter(|&&c| c >= t).count() as f64 / v.len() as f64;
        println!("  cosine ≥ {t:.2}: {:.1} % of same-answer pairs, {:.2} % of different-answer pairs", 100.0 * share(&same), 100.0 * share(&different));
    }

    // Hybrid search in process, with the default model.
    let library = Library::load(&content).expect("the content loads");
    let (engine, _, _dir) = doumi::eval::scratch_engine(&library, &content).expect("the index builds");
    let model = Arc::new(Model::load(&model_dir).expect("the model loads"));
    let name = content.parent().and_then(|p| p.file_name()).map_or("content".into(), |n| n.to_string_lossy().into_owned());
    let cache = std::env::var_os("DOUMI_BENCH_EMBEDDINGS").map(PathBuf::from).unwrap_or_else(|| Path::new("/tmp/doumi-bench-embeddings").join(name));
    std::fs::create_dir_all(&cache).unwrap();
    let mut embeddings = EntryEmbeddings::open(&cache, &model);
    let started = Instant::now();
    let (entry_vectors, done) = embeddings.update(&model, &library.articles).expect("the entries embed");
    embeddings.save().expect("the embeddings are kept");
    println!("entries: {} embedded, {} reused, in {:.1} s", done.computed, done.reused, started.elapsed().as_secs_f64());
    // Exact retrieval alone: every entry's cosine to a query, the best 30.
    let probe = model.embed_query("주문한 상품이 아직 도착하지 않았어요").unwrap();
    let mut scans = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        std::hint::black_box(entry_vectors.nearest(&probe, 30));
        scans.push(started.elapsed());
    }
    println!("exact retrieval over {} entries: {}", entry_vectors.len(), summary(scans));
    let weight = doumi::config::Config::default().semantic_weight;
    // Nothing remembered: every query is embedded anew.
    let meaning = Meaning { queries: Arc::new(QueryEmbedder::new(model, 0)), vectors: Arc::new(entry_vectors), weight };
    let engine = engine.with_meaning(meaning);
    let explain = |q: &str| engine.explain(&SearchRequest::new(q)).expect("the search runs");
    for q in &queries {
        explain(&q.query);
    }
    let (mut hybrid, mut lexical, mut by_meaning) = (Vec::new(), Vec::new(), Vec::new());
    let mut dense_ran = 0;
    for q in &queries {
        let started = Instant::now();
        let (_, explanation) = std::hint::black_box(explain(&q.query));
        hybrid.push(started.elapsed());
        if explanation.embedded.is_some() {
            dense_ran += 1;
            by_meaning.push(*hybrid.last().unwrap());
        }
        let mut request = SearchRequest::new(q.query.clone());
        request.semantic = false;
        let started = Instant::now();
        std::hint::black_box(engine.search(&request).unwrap());
        lexical.push(started.elapsed());
    }
    println!("{} entries, {} queries of tests/eval/queries.jsonl:", engine.entries(), queries.len());
    println!("  hybrid  {}", summary(hybrid));
    println!("  lexical {}", summary(lexical));
    println!("  hybrid, the searches that ran the dense stage {}", summary(by_meaning));
    println!("  the dense stage ran for {dense_ran} of {} searches ({:.0} %)", queries.len(), 100.0 * dense_ran as f64 / queries.len() as f64);
}
