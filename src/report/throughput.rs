//! Throughput figures for `stancer bench`.

use serde::Serialize;

/// Time spent in each stage, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageTimes {
    /// Sentence segmentation.
    pub segment: f64,
    /// Tokenizing, lowercasing, stemming, negation.
    pub analyze: f64,
    /// Actor detection.
    pub actors: f64,
    /// Feature hashing.
    pub featurize: f64,
    /// Scoring all heads.
    pub predict: f64,
    /// Writing output rows.
    pub write: f64,
}

/// End-to-end figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Throughput {
    /// Documents processed.
    pub documents: usize,
    /// Sentences processed.
    pub sentences: usize,
    /// (sentence, actor) rows scored.
    pub actor_rows: usize,
    /// Input bytes.
    pub bytes: usize,
    /// Threads used.
    pub threads: usize,
    /// Wall-clock seconds of the end-to-end run.
    pub seconds: f64,
    /// Sentences per second.
    pub sentences_per_sec: f64,
    /// Megabytes (10^6 bytes) per second.
    pub mb_per_sec: f64,
    /// Single-thread per-stage times of an instrumented pass over the same input.
    pub stages: StageTimes,
}

impl Throughput {
    /// Fills the rates from the counts and the time.
    pub fn finish(mut self) -> Self {
        let s = self.seconds.max(1e-9);
        self.sentences_per_sec = self.sentences as f64 / s;
        self.mb_per_sec = self.bytes as f64 / 1e6 / s;
        self
    }
}
