//! Feature extraction: tokens (+ an optional target mention) → sparse hashed rows.

pub mod hashing;
pub mod sparse;
pub mod vectorizer;
