//! Reports: evaluation metrics and throughput figures.

pub mod metrics;
pub mod throughput;
