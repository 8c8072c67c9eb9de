//! End-to-end classification benches with the shipped model.
//!
//! ```text
//! cargo bench --bench classify_batch            # full run
//! cargo bench --bench classify_batch -- --quick # smoke run
//! ```
//!
//! The model is `models/stancer.model` under the crate root; train it first with
//! `cargo run --release -- train --data data/stance.csv --out models/stancer.model`.
//! `STANCER_BENCH_MODEL=/path/to/file.model` points the bench at another model file.
//!
//! Groups:
//! - `classify_batch`: `Pipeline::classify_batch` over the seed articles repeated to about
//!   1 MiB, inside a rayon pool of 1 thread (sequential) and of 2 threads (parallel); the
//!   thread count is the `BenchmarkId` parameter (bytes/s).
//! - `predict`: `LinearModel::predict_proba_row` for every head on rows precomputed from
//!   the seed sentences (sentence rows for sentence heads, one row per (sentence, actor)
//!   for actor heads) (predictions/s).
//! - `dots`: the dot products alone, through the dense weight tables
//!   (`LinearModel::accumulate`) and through the packed prediction-time layout that
//!   classify uses (`PackedHeads::accumulate`), on the rows of the seed sentences and of the
//!   `text` column of `data/stance.csv`: a working set big enough for the tables' cache
//!   footprint to matter (rows/s).

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use rayon::ThreadPoolBuilder;
use stancer::model::linear::argmax;
use stancer::{Pipeline, Scope, Scratch, SparseRow};

/// About 1 MiB of input for the batch bench.
const BATCH_BYTES: usize = 1 << 20;

fn model_path() -> PathBuf {
    std::env::var_os("STANCER_BENCH_MODEL").map(PathBuf::from).unwrap_or_else(|| common::crate_path("models/stancer.model"))
}

fn load_model() -> Pipeline {
    let path = model_path();
    stancer::io::model_file::load(&path).unwrap_or_else(|e| {
        panic!("cannot load the bench model {}: {e}\n(train it with `cargo run --release -- train --data data/stance.csv --out models/stancer.model`)", path.display())
    })
}

/// Sentences and actors found in a batch result.
fn count(results: &[Vec<stancer::SentenceResult>]) -> (usize, usize) {
    results.iter().flatten().fold((0, 0), |(s, a), r| (s + 1, a + r.actors.len()))
}

fn classify_batch(c: &mut Criterion) {
    let pipeline = load_model();
    let articles = common::articles();
    let docs = common::repeat_to(&articles, BATCH_BYTES);
    let bytes = common::total_bytes(&docs);
    let expected = count(&pipeline.classify_batch(&docs));
    assert!(expected.0 > 0, "the batch yields no sentences");

    let mut g = c.benchmark_group("classify_batch");
    // One iteration is ~1 MiB of text (a few hundred ms): flat sampling (the same iteration
    // count in every sample) and room for 20 single-iteration samples.
    g.sampling_mode(SamplingMode::Flat);
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(bytes));
    for threads in [1usize, 2] {
        let pool = ThreadPoolBuilder::new().num_threads(threads).build().expect("rayon pool");
        g.bench_with_input(BenchmarkId::new(format!("{}_docs_{}KiB/threads", docs.len(), bytes / 1024), threads), &docs, |b, docs| {
            b.iter(|| {
                let out = pool.install(|| pipeline.classify_batch(black_box(docs.as_slice())));
                assert_eq!(count(&out), expected);
                black_box(out)
            })
        });
    }
    g.finish();
}

fn predict(c: &mut Criterion) {
    let pipeline = load_model();
    let articles = common::articles();
    let sentences = common::sentences(&articles);
    let mut scratch = Scratch::default();
    let heads = pipeline.heads();
    let mut sentence_rows = Vec::new();
    let mut actor_rows = Vec::new();
    for s in &sentences {
        let mut row = SparseRow::default();
        pipeline.sentence_row(s, &mut scratch, &mut row);
        sentence_rows.push(row);
        let mut seen: Vec<u32> = Vec::new();
        for m in pipeline.gazetteer().find(s) {
            if seen.contains(&m.actor) {
                continue;
            }
            seen.push(m.actor);
            let mut row = SparseRow::default();
            pipeline.actor_row(s, pipeline.gazetteer().actor_name(m.actor), None, &mut scratch, &mut row);
            actor_rows.push(row);
        }
    }
    // (head, row) work list, the order classify_sentence uses.
    let work: Vec<(usize, &SparseRow)> = heads
        .iter()
        .enumerate()
        .flat_map(|(h, head)| {
            let rows = match head.scope {
                Scope::Sentence => &sentence_rows,
                Scope::Actor => &actor_rows,
            };
            rows.iter().map(move |r| (h, r))
        })
        .collect();
    assert!(!work.is_empty(), "no rows to predict (model heads: {})", heads.len());
    let max_classes = heads.iter().map(|h| h.model.n_classes()).max().unwrap_or(0);
    let mut probs = vec![0f32; max_classes];
    // Sum of the predicted class indices: a checksum of the work the timed loop must redo.
    let run = |probs: &mut [f32]| -> usize {
        let mut labels = 0;
        for &(h, row) in &work {
            let model = &heads[h].model;
            let out = &mut probs[..model.n_classes()];
            model.predict_proba_row(black_box(row), out);
            labels += argmax(black_box(&*out));
        }
        labels
    };
    let expected = run(&mut probs);

    let mut g = c.benchmark_group("predict");
    g.throughput(Throughput::Elements(work.len() as u64));
    let label = format!("{}_heads_{}_sentence_rows_{}_actor_rows", heads.len(), sentence_rows.len(), actor_rows.len());
    g.bench_function(BenchmarkId::new("predict_proba_row", label), |b| {
        b.iter(|| {
            let labels = run(&mut probs);
            assert_eq!(labels, expected);
            labels
        })
    });
    g.finish();
}

/// Every (head, row) of `texts` in classify's order: sentence rows for sentence heads, one
/// row per distinct (sentence, actor) for actor heads.
fn work_rows(pipeline: &Pipeline, texts: &[&str]) -> Vec<(usize, SparseRow)> {
    let mut scratch = Scratch::default();
    let mut work = Vec::new();
    for s in texts {
        let mut row = SparseRow::default();
        pipeline.sentence_row(s, &mut scratch, &mut row);
        let mut seen: Vec<u32> = Vec::new();
        let mut actor_rows = Vec::new();
        for m in pipeline.gazetteer().find(s) {
            if !seen.contains(&m.actor) {
                seen.push(m.actor);
                let mut r = SparseRow::default();
                pipeline.actor_row(s, pipeline.gazetteer().actor_name(m.actor), None, &mut scratch, &mut r);
                actor_rows.push(r);
            }
        }
        for (h, head) in pipeline.heads().iter().enumerate() {
            match head.scope {
                Scope::Sentence => work.push((h, row.clone())),
                Scope::Actor => work.extend(actor_rows.iter().map(|r| (h, r.clone()))),
            }
        }
    }
    work
}

fn dots(c: &mut Criterion) {
    let pipeline = load_model();
    let articles = common::articles();
    let mut texts: Vec<String> = common::sentences(&articles).into_iter().map(str::to_owned).collect();
    let data = common::crate_path("data/stance.csv");
    let mut reader = csv::Reader::from_path(&data).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    let text_col = reader.headers().ok().and_then(|h| h.iter().position(|c| c == "text")).expect("data/stance.csv has a text column");
    for rec in reader.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", data.display()));
        texts.push(rec.get(text_col).unwrap_or_default().to_owned());
    }
    texts.sort();
    texts.dedup();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let work = work_rows(&pipeline, &refs);
    let heads = pipeline.heads();
    let max_classes = heads.iter().map(|h| h.model.n_classes()).max().unwrap_or(0);
    let mut out = vec![0f32; max_classes];
    // Sum of the arg-max class of every row's dot products: both layouts must agree.
    let dense = |out: &mut [f32]| -> usize {
        let mut labels = 0;
        for (h, row) in &work {
            let model = &heads[*h].model;
            let out = &mut out[..model.n_classes()];
            out.fill(0.0);
            model.accumulate(black_box(&row.indices), &row.values, out);
            labels += argmax(black_box(&*out));
        }
        labels
    };
    let packed = |out: &mut [f32]| -> usize {
        let mut labels = 0;
        for (h, row) in &work {
            let out = &mut out[..heads[*h].model.n_classes()];
            out.fill(0.0);
            pipeline.packed().accumulate(*h, black_box(&row.indices), &row.values, out);
            labels += argmax(black_box(&*out));
        }
        labels
    };
    let expected = dense(&mut out);
    assert_eq!(packed(&mut out), expected, "the packed layout must give the dense sums");

    let mut g = c.benchmark_group("dots");
    g.throughput(Throughput::Elements(work.len() as u64));
    let label = format!("{}_rows_of_{}_sentences", work.len(), texts.len());
    g.bench_function(BenchmarkId::new("dense", &label), |b| {
        b.iter(|| {
            let labels = dense(&mut out);
            assert_eq!(labels, expected);
            labels
        })
    });
    g.bench_function(BenchmarkId::new("packed", &label), |b| {
        b.iter(|| {
            let labels = packed(&mut out);
            assert_eq!(labels, expected);
            labels
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = classify_batch, predict, dots
}
criterion_main!(benches);
