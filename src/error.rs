//! The one error type of the library, and its `Result` alias.
//!
//! Every variant names what went wrong with the numbers that locate it (file, line,
//! record, expected versus found), so that the CLI can print it as one line.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in stancer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be parsed (unbalanced quotes, wrong field count, invalid UTF-8).
    #[error("{path}:{line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number where the bad record starts (0 when unknown).
        line: u64,
        /// What was expected.
        message: String,
    },
    /// A required column is missing from a CSV header.
    #[error("{path}: missing column '{column}' (header has: {found})")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that was asked for.
        column: String,
        /// The columns the header has, comma-separated.
        found: String,
    },
    /// A labelled row is unusable (empty text, unknown label, ...).
    #[error("{path}:{line}: {message}")]
    BadRow {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the record.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// The training data cannot train a head (no rows, one class only, ...).
    #[error("{path}: head '{head}': {message}")]
    BadTrainingData {
        /// The file.
        path: PathBuf,
        /// The head (label column).
        head: String,
        /// What is wrong.
        message: String,
    },
    /// The input is empty.
    #[error("{path}: empty input: {message}")]
    Empty {
        /// The file.
        path: PathBuf,
        /// What was empty.
        message: String,
    },
    /// The actor registry is malformed.
    #[error("{path}:{line}: actor registry: {message}")]
    Registry {
        /// The registry file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A model file is not a stancer model at all.
    #[error("{path}: not a stancer model file (bad magic bytes)")]
    NotAModel {
        /// The file.
        path: PathBuf,
    },
    /// A model file was written in a format version this build does not read (a newer build).
    #[error("{path}: model format version {found} is not supported (this build reads versions 1 to {supported}; a newer build wrote it, or it is not a stancer model)")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A model file is truncated or damaged (length or checksum mismatch, undecodable body).
    #[error("{path}: model file is damaged: {message}")]
    CorruptModel {
        /// The file.
        path: PathBuf,
        /// What check failed.
        message: String,
    },
    /// The actor registry given does not match the one the model was trained with.
    #[error("actor registry {path} (fingerprint {found:016x}) differs from the one the model was trained with ({expected:016x}); retrain, or omit --actors to use the model's own registry")]
    RegistryMismatch {
        /// The registry file passed.
        path: PathBuf,
        /// Fingerprint stored in the model.
        expected: u64,
        /// Fingerprint of the file passed.
        found: u64,
    },
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {message}")]
    InvalidParam {
        /// Parameter name.
        name: &'static str,
        /// Why it is invalid.
        message: String,
    },
    /// Feature rows and model disagree in shape.
    #[error("dimension mismatch: expected {expected} features, found {found}")]
    Dimension {
        /// Expected.
        expected: usize,
        /// Found.
        found: usize,
    },
    /// An input document could not be classified (reported per document in a batch).
    #[error("{id}: {message}")]
    Document {
        /// Document id.
        id: String,
        /// Why.
        message: String,
    },
    /// Error raised by linfa.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
    /// A JSON line could not be parsed.
    #[error("{path}:{line}: invalid JSON: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// Parser message.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    /// Converts a `csv::Error` into an error that names the file and line.
    pub fn csv(path: impl Into<PathBuf>, err: csv::Error) -> Self {
        let path = path.into();
        let line = err.position().map_or(0, |p| p.line());
        let message = match err.kind() {
            csv::ErrorKind::Utf8 { err, .. } => format!(
                "invalid UTF-8 in field {} (valid up to byte {})",
                err.field() + 1,
                err.valid_up_to()
            ),
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("expected {expected_len} fields, found {len}")
            }
            csv::ErrorKind::Io(e) => return Error::Io { path, source: std::io::Error::new(e.kind(), e.to_string()) },
            _ => err.to_string(),
        };
        Error::Csv { path, line, message }
    }
}
