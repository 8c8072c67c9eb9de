//! Text-stage benches over the seed articles: sentence segmentation, token analysis,
//! Snowball stemming and actor detection.
//!
//! ```text
//! cargo bench --bench tokenize            # full run
//! cargo bench --bench tokenize -- --quick # smoke run
//! ```
//!
//! Groups:
//! - `segment`: `SentenceSplitter::split_into` over every article (bytes/s).
//! - `analyze`: `Analyzer::analyze` per sentence with one reused `AnalyzerScratch`
//!   (`warm_cache`: the stem cache persists across sentences, as in a worker; `cold_cache`:
//!   `stem_cache_limit = 0`, so the cache is dropped before every sentence) (bytes/s).
//! - `stem`: `Analyzer::stem` on every lowercased word of the articles (words/s).
//! - `actors`: `Gazetteer::find_into` per sentence with `data/actors.csv` (bytes/s).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch, Gazetteer, SentenceSplitter};

fn segment(c: &mut Criterion) {
    let articles = common::articles();
    let splitter = SentenceSplitter::default();
    let expected: usize = articles.iter().map(|a| splitter.split(a).len()).sum();
    assert!(expected > 0, "no sentences in the seed articles");

    let mut g = c.benchmark_group("segment");
    g.throughput(Throughput::Bytes(common::total_bytes(&articles)));
    let mut spans = Vec::new();
    g.bench_function(BenchmarkId::new("split_into", format!("{}_articles", articles.len())), |b| {
        b.iter(|| {
            let mut n = 0;
            for a in &articles {
                splitter.split_into(black_box(a), &mut spans);
                n += black_box(&spans).len();
            }
            assert_eq!(n, expected);
            n
        })
    });
    g.finish();
}

fn analyze(c: &mut Criterion) {
    let articles = common::articles();
    let sentences = common::sentences(&articles);
    let bytes = common::total_bytes(&sentences);

    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Bytes(bytes));
    for (name, limit) in [("warm_cache", AnalyzerParams::default().stem_cache_limit), ("cold_cache", 0)] {
        let analyzer = Analyzer::new(&AnalyzerParams { stem_cache_limit: limit, ..AnalyzerParams::default() });
        let mut scratch = AnalyzerScratch::default();
        let expected: usize = sentences
            .iter()
            .map(|s| {
                analyzer.analyze(s, &mut scratch);
                scratch.tokens.len()
            })
            .sum();
        assert!(expected > 0, "no tokens in the seed sentences");
        g.bench_function(BenchmarkId::new(name, format!("{}_sentences", sentences.len())), |b| {
            b.iter(|| {
                let mut n = 0;
                for s in &sentences {
                    analyzer.analyze(black_box(s), &mut scratch);
                    n += black_box(&scratch.tokens).len();
                }
                assert_eq!(n, expected);
                n
            })
        });
    }
    g.finish();
}

fn stem(c: &mut Criterion) {
    let articles = common::articles();
    let sentences = common::sentences(&articles);
    let analyzer = Analyzer::new(&AnalyzerParams::default());
    let mut scratch = AnalyzerScratch::default();
    let mut words: Vec<String> = Vec::new();
    for s in &sentences {
        analyzer.analyze(s, &mut scratch);
        words.extend(scratch.tokens.iter().map(|t| scratch.norm(t).to_owned()));
    }
    assert!(!words.is_empty(), "no words in the seed sentences");
    let expected: usize = words.iter().map(|w| analyzer.stem(w).len()).sum();

    let mut g = c.benchmark_group("stem");
    g.throughput(Throughput::Elements(words.len() as u64));
    g.bench_function(BenchmarkId::new("snowball_english", format!("{}_words", words.len())), |b| {
        b.iter(|| {
            let mut n = 0;
            for w in &words {
                n += black_box(analyzer.stem(black_box(w))).len();
            }
            assert_eq!(n, expected);
            n
        })
    });
    g.finish();
}

fn actors(c: &mut Criterion) {
    let articles = common::articles();
    let sentences = common::sentences(&articles);
    let registry = common::crate_path("data/actors.csv");
    let gazetteer = Gazetteer::from_path(&registry).unwrap_or_else(|e| panic!("cannot load {}: {e}", registry.display()));
    let mut mentions = Vec::new();
    let expected: usize = sentences
        .iter()
        .map(|s| {
            gazetteer.find_into(s, &mut mentions);
            mentions.len()
        })
        .sum();
    assert!(expected > 0, "the registry finds no actor in the seed sentences");

    let mut g = c.benchmark_group("actors");
    g.throughput(Throughput::Bytes(common::total_bytes(&sentences)));
    g.bench_function(BenchmarkId::new("find_into", format!("{}_rows", gazetteer.rows().len())), |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &sentences {
                gazetteer.find_into(black_box(s), &mut mentions);
                n += black_box(&mentions).len();
            }
            assert_eq!(n, expected);
            n
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = segment, analyze, stem, actors
}
criterion_main!(benches);
