//! Feature-hashing benches over the seed articles.
//!
//! ```text
//! cargo bench --bench featurize            # full run
//! cargo bench --bench featurize -- --quick # smoke run
//! ```
//!
//! Sentences are analysed and their actors found during setup (one `AnalyzerScratch` per
//! sentence is kept), so the timed loops do vectorizer work only, with the default
//! `FeatureParams` (the CLI's training defaults). Throughput is in sentences/s for both:
//! - `featurize/sentence_rows`: `sentence_features` + `finish` for every sentence (the
//!   sentence-scope row).
//! - `featurize/sentence_and_target_rows`: that, plus one target-aware row per distinct
//!   actor mentioned in the sentence (the sentence pairs, computed once per sentence as
//!   `Pipeline::classify_sentence` does, + `target_features` + `finish`), with `Target` built
//!   as the pipeline builds it: the token ranges of that actor's mentions, the ranges of
//!   every other mention, and the hash of the lowercased canonical name.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stancer::features::hashing::fnv1a64;
use stancer::text::analyzer::Token;
use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch, FeatureParams, Gazetteer, HashingVectorizer, SparseRow, Span, Target};

/// `[start, end)` token range inside a byte span (as the pipeline maps mentions).
fn token_range(tokens: &[Token], span: Span) -> (usize, usize) {
    let s = tokens.partition_point(|t| t.span.start < span.start);
    let e = tokens.partition_point(|t| t.span.start < span.end);
    (s, e.max(s))
}

/// One target-aware row to build: owned parts of a `Target`.
struct TargetSpec {
    tokens: Vec<(usize, usize)>,
    others: Vec<(usize, usize)>,
    actor_hash: u64,
}

/// One analysed sentence and the targets in it.
struct Prepared {
    scratch: AnalyzerScratch,
    targets: Vec<TargetSpec>,
}

fn prepare(sentences: &[&str], gazetteer: &Gazetteer) -> Vec<Prepared> {
    let analyzer = Analyzer::new(&AnalyzerParams::default());
    sentences
        .iter()
        .map(|s| {
            let mut scratch = AnalyzerScratch::default();
            analyzer.analyze(s, &mut scratch);
            let mentions = gazetteer.find(s);
            let mut actors: Vec<u32> = Vec::new();
            for m in &mentions {
                if !actors.contains(&m.actor) {
                    actors.push(m.actor);
                }
            }
            let targets = actors
                .iter()
                .map(|&actor| {
                    let (mut tokens, mut others) = (Vec::new(), Vec::new());
                    for m in &mentions {
                        let r = token_range(&scratch.tokens, m.span);
                        if m.actor == actor { tokens.push(r) } else { others.push(r) }
                    }
                    let actor_hash = fnv1a64(gazetteer.actor_name(actor).to_lowercase().as_bytes());
                    TargetSpec { tokens, others, actor_hash }
                })
                .collect();
            Prepared { scratch, targets }
        })
        .collect()
}

/// Builds the sentence row of every sentence, and the target rows too when `targets`;
/// returns the total number of non-zeros written. Mirrors `Pipeline::classify_sentence`:
/// the sentence-level pairs are computed once into `base`, and each row starts from a copy.
fn build_rows(v: &HashingVectorizer, prepared: &[Prepared], targets: bool, bufs: &mut Buffers) -> usize {
    let Buffers { base, pairs, row } = bufs;
    let mut nnz = 0;
    for p in prepared {
        base.clear();
        v.sentence_features(black_box(&p.scratch), base);
        pairs.clear();
        pairs.extend_from_slice(base);
        v.finish(pairs, row);
        nnz += black_box(&*row).nnz();
        if targets {
            for t in &p.targets {
                let target = Target { tokens: &t.tokens, others: &t.others, actor_hash: t.actor_hash };
                pairs.clear();
                pairs.extend_from_slice(base);
                v.target_features(&p.scratch, black_box(&target), pairs);
                v.finish(pairs, row);
                nnz += black_box(&*row).nnz();
            }
        }
    }
    nnz
}

/// Reused buffers: sentence-level pairs, row pairs, the row.
#[derive(Default)]
struct Buffers {
    base: Vec<(u32, f32)>,
    pairs: Vec<(u32, f32)>,
    row: SparseRow,
}

fn featurize(c: &mut Criterion) {
    let articles = common::articles();
    let sentences = common::sentences(&articles);
    let registry = common::crate_path("data/actors.csv");
    let gazetteer = Gazetteer::from_path(&registry).unwrap_or_else(|e| panic!("cannot load {}: {e}", registry.display()));
    let prepared = prepare(&sentences, &gazetteer);
    let n_targets: usize = prepared.iter().map(|p| p.targets.len()).sum();
    assert!(n_targets > 0, "no actor mentions in the seed sentences");
    let vectorizer = HashingVectorizer::new(FeatureParams::default().check().expect("default feature params are valid"));
    let mut bufs = Buffers::default();
    let expected_sentence = build_rows(&vectorizer, &prepared, false, &mut bufs);
    let expected_all = build_rows(&vectorizer, &prepared, true, &mut bufs);
    assert!(expected_sentence > 0 && expected_all > expected_sentence);

    let mut g = c.benchmark_group("featurize");
    g.throughput(Throughput::Elements(prepared.len() as u64));
    g.bench_function(BenchmarkId::new("sentence_rows", format!("{}_sentences", prepared.len())), |b| {
        b.iter(|| {
            let nnz = build_rows(&vectorizer, &prepared, false, &mut bufs);
            assert_eq!(nnz, expected_sentence);
            nnz
        })
    });
    g.bench_function(BenchmarkId::new("sentence_and_target_rows", format!("{}_sentences_{}_targets", prepared.len(), n_targets)), |b| {
        b.iter(|| {
            let nnz = build_rows(&vectorizer, &prepared, true, &mut bufs);
            assert_eq!(nnz, expected_all);
            nnz
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = featurize
}
criterion_main!(benches);
