//! Text stages: sentence segmentation and token analysis.

pub mod analyzer;
pub mod segment;
