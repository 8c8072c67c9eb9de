//! Integration tests: one test binary, one module per area.
//!
//! - `cli`: the `stancer` binary end to end on fixtures (train, classify, evaluate, bench, actors).
//! - `model`: model files: save/load round trip, reproducible training, corrupt files.
//! - `bad_input`: every kind of bad input gets a clear error or a reported skip, never a panic.
//! - `data`: the shipped corpus, registry, seeds and model.
//! - `fuzz_regress`: inputs found by the fuzz targets in `fuzz/`, replayed.
//! - `props`: property tests of segmentation and token offsets.
//! - `benchmarks`: the evaluator reproduces published reference scores.

mod util;

mod bad_input;
mod benchmarks;
mod cli;
mod data;
mod fuzz_regress;
mod model;
mod props;
