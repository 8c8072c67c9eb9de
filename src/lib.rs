//! # stancer
//!
//! Sentence-level actor stance (supportive / cautious / hostile) and sentiment for news and
//! analysis articles.
//!
//! Data flows article → sentences ([`SentenceSplitter`]) → tokens ([`Analyzer`]) → actor
//! mentions ([`Gazetteer`]) → sparse hashed features ([`HashingVectorizer`]) → per-head
//! linear classifiers ([`LinearModel`], fitted by [`LogisticParams`] or [`BayesParams`] on
//! linfa's `Fit` trait) → [`SentenceResult`]s. A [`Pipeline`] holds all of it, and model
//! files ([`io::model_file`]) store it in one versioned, checksummed file.
//!
//! ```
//! use stancer::{Gazetteer, Pipeline, Scratch, TrainConfig};
//! use stancer::io::csv::{read_labelled, Columns};
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("train.csv");
//! let rows = "id,text,actor,stance,sentiment\n\
//!     d1-s1-a1,Moscow threatened Kyiv with new strikes.,Russia,hostile,negative\n\
//!     d1-s2-a1,Moscow condemned the sanctions and warned of retaliation.,Russia,hostile,negative\n\
//!     d2-s1-a1,Tokyo welcomed the agreement and pledged new aid.,Japan,supportive,positive\n\
//!     d2-s2-a1,Tokyo backed the deal and praised the mediators.,Japan,supportive,positive\n\
//!     d3-s1-a1,Tokyo said it was concerned and urged restraint.,Japan,cautious,neutral\n\
//!     d3-s2-a1,Moscow voiced concern and called for dialogue.,Russia,cautious,neutral\n";
//! # std::fs::write(&path, rows).unwrap();
//! let registry = Gazetteer::from_csv_str(
//!     "actor,alias,kind\nRussia,Moscow,capital\nJapan,Tokyo,capital\nUkraine,Kyiv,capital\n", "registry.csv")?;
//! let data = read_labelled(&path, &Columns::default())?;
//! let pipeline = stancer::train(&data, &TrainConfig::default(), registry, &mut Vec::new())?;
//! let mut scratch = Scratch::default();
//! let out = pipeline.classify_document("Tokyo welcomed the agreement.", &mut scratch);
//! let stance = &pipeline.heads()[0];
//! assert_eq!(out[0].actors[0].actor, "Japan");
//! assert_eq!(stance.labels.name(out[0].actors[0].heads[0].label), "supportive");
//! # Ok::<(), stancer::Error>(())
//! ```

#![deny(missing_docs)]

pub mod actors;
pub mod cli;
pub mod error;
pub mod features;
pub mod io;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod text;

pub use actors::gazetteer::{Gazetteer, Mention, RegistryRow};
pub use error::{Error, Result};
pub use features::sparse::{SparseRecords, SparseRow};
pub use features::vectorizer::{FeatureParams, FeatureValidParams, HashingVectorizer, Target};
pub use model::bayes::{BayesParams, BayesValidParams};
pub use model::labels::LabelSet;
pub use model::linear::LinearModel;
pub use model::logistic::{LogisticParams, LogisticValidParams};
pub use model::nb_scale::{NbScaleParams, NbScaleValidParams};
pub use pipeline::train::{cross_validate, train, TrainConfig};
pub use pipeline::{ActorResult, Algorithm, Head, Pipeline, Prediction, Scope, Scratch, SentenceResult};
pub use report::metrics::Metrics;
pub use report::throughput::Throughput;
pub use text::analyzer::{Analyzer, AnalyzerParams, AnalyzerScratch, Token};
pub use text::segment::{SentenceSplitter, Span};
