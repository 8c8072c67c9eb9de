//! Actor registry and mention detection.

pub mod gazetteer;
