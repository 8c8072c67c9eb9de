//! Versioned model files: `STANCER\0` magic, format version, body length, CRC-32 of the
//! body, then the bincode-encoded [`Bundle`]. Written atomically (temporary file in the
//! same directory, fsync, rename), so a crash never leaves a half-written model behind.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::actors::gazetteer::{Gazetteer, RegistryRow};
use crate::error::{Error, Result};
use crate::features::vectorizer::FeatureParams;
use crate::model::labels::LabelSet;
use crate::model::linear::{LinearModel, StoredLinear};
use crate::pipeline::{Algorithm, Head, Pipeline, Scope};
use crate::text::analyzer::AnalyzerParams;

/// Magic bytes at the start of every model file.
pub const MAGIC: &[u8; 8] = b"STANCER\0";
/// The format version this build writes (and reads, with [`OLDEST_READABLE_VERSION`]..).
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build still reads. Version 1 files (written before
/// `claim_cues` existed) load with `claim_cues` off and version 2 files (before
/// `proximity`) with `proximity` 0, which is how they were trained.
pub const OLDEST_READABLE_VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// One stored head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredHead {
    /// Head name.
    pub name: String,
    /// Scope.
    pub scope: Scope,
    /// Class order.
    pub labels: LabelSet,
    /// Algorithm.
    pub algorithm: Algorithm,
    /// Weights.
    pub weights: StoredLinear,
}

/// Everything a model file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Analyzer settings.
    pub analyzer: AnalyzerParams,
    /// Feature settings (hash table size, n-gram ranges ...).
    pub features: FeatureParams,
    /// The actor registry the model was trained with.
    pub registry: Vec<RegistryRow>,
    /// Its fingerprint.
    pub registry_fingerprint: u64,
    /// The heads.
    pub heads: Vec<StoredHead>,
}

/// Version 1 of [`FeatureParams`]: the fields before `claim_cues` (bincode stores fields by
/// position, so an old layout needs its own type).
#[derive(Debug, Clone, Deserialize)]
struct FeatureParamsV1 {
    buckets_log2: u8,
    word_ngrams: u8,
    char_min: u8,
    char_max: u8,
    char_weight: f32,
    target_window: u8,
    target_conjoin: bool,
    negation_features: bool,
    conjoin_all: bool,
    sentence_weight: f32,
}

/// Version 2 of [`FeatureParams`]: version 1 and `claim_cues`, without `proximity`. bincode
/// writes a nested struct's fields in line, so this reads the flat version-2 layout.
#[derive(Debug, Clone, Deserialize)]
struct FeatureParamsV2 {
    v1: FeatureParamsV1,
    claim_cues: bool,
}

/// [`Bundle`] as versions 1 and 2 stored it, with their feature settings `F`.
#[derive(Debug, Clone, Deserialize)]
struct OldBundle<F> {
    analyzer: AnalyzerParams,
    features: F,
    registry: Vec<RegistryRow>,
    registry_fingerprint: u64,
    heads: Vec<StoredHead>,
}

impl From<FeatureParamsV2> for FeatureParams {
    fn from(FeatureParamsV2 { v1: f, claim_cues }: FeatureParamsV2) -> Self {
        FeatureParams {
            buckets_log2: f.buckets_log2,
            word_ngrams: f.word_ngrams,
            char_min: f.char_min,
            char_max: f.char_max,
            char_weight: f.char_weight,
            target_window: f.target_window,
            target_conjoin: f.target_conjoin,
            negation_features: f.negation_features,
            conjoin_all: f.conjoin_all,
            sentence_weight: f.sentence_weight,
            claim_cues,
            proximity: 0.0,
        }
    }
}

impl<F: Into<FeatureParams>> From<OldBundle<F>> for Bundle {
    fn from(b: OldBundle<F>) -> Self {
        Bundle { analyzer: b.analyzer, features: b.features.into(), registry: b.registry, registry_fingerprint: b.registry_fingerprint, heads: b.heads }
    }
}

impl From<FeatureParamsV1> for FeatureParams {
    fn from(v1: FeatureParamsV1) -> Self {
        FeatureParamsV2 { v1, claim_cues: false }.into()
    }
}

impl Bundle {
    /// Captures a pipeline.
    pub fn from_pipeline(p: &Pipeline) -> Self {
        Bundle {
            analyzer: p.analyzer_params().clone(),
            features: p.vectorizer().params().clone(),
            registry: p.gazetteer().rows().to_vec(),
            registry_fingerprint: p.gazetteer().fingerprint(),
            heads: p
                .heads()
                .iter()
                .map(|h| StoredHead { name: h.name.clone(), scope: h.scope, labels: h.labels.clone(), algorithm: h.algorithm, weights: h.model.to_stored() })
                .collect(),
        }
    }

    /// Rebuilds the pipeline, checking every stored shape.
    ///
    /// # Errors
    /// [`Error::CorruptModel`] when something does not fit.
    pub fn into_pipeline(self, path: &Path) -> Result<Pipeline> {
        let corrupt = |m: String| Error::CorruptModel { path: path.to_owned(), message: m };
        let features = self.features.clone().check().map_err(|e| corrupt(format!("feature settings: {e}")))?.get().clone();
        let gaz = Gazetteer::from_stored_rows(self.registry, path).map_err(|e| corrupt(format!("stored registry: {e}")))?;
        if gaz.fingerprint() != self.registry_fingerprint {
            return Err(corrupt("stored registry does not match its fingerprint".into()));
        }
        let n_features = 1usize << features.buckets_log2;
        let mut heads = Vec::new();
        for h in self.heads {
            if h.weights.n_features as usize != n_features || h.weights.n_classes as usize != h.labels.len() {
                return Err(corrupt(format!("head '{}' has a shape that does not match its settings", h.name)));
            }
            let model = LinearModel::from_stored(h.weights).map_err(|m| corrupt(format!("head '{}': {m}", h.name)))?;
            heads.push(Head { name: h.name, scope: h.scope, labels: h.labels, algorithm: h.algorithm, model });
        }
        if heads.is_empty() {
            return Err(corrupt("model has no heads".into()));
        }
        Pipeline::from_parts(self.analyzer, features, gaz, heads).map_err(|e| corrupt(e.to_string()))
    }
}

/// Serialises a pipeline to bytes (deterministic: same pipeline, same bytes).
pub fn to_bytes(p: &Pipeline) -> Result<Vec<u8>> {
    let body = bincode::serialize(&Bundle::from_pipeline(p)).map_err(|e| Error::InvalidParam { name: "model", message: format!("cannot encode: {e}") })?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Parses model bytes; `path` is used in errors.
///
/// # Errors
/// [`Error::NotAModel`], [`Error::UnsupportedVersion`], [`Error::CorruptModel`].
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Pipeline> {
    let corrupt = |m: String| Error::CorruptModel { path: path.to_owned(), message: m };
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(Error::NotAModel { path: path.to_owned() });
    }
    if bytes.len() < HEADER_LEN {
        return Err(corrupt(format!("truncated header ({} bytes)", bytes.len())));
    }
    let u32_at = |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
    let version = u32_at(8);
    if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(Error::UnsupportedVersion { path: path.to_owned(), found: version, supported: FORMAT_VERSION });
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[12..20]);
    let len = u64::from_le_bytes(len8);
    let body = &bytes[HEADER_LEN..];
    if body.len() as u64 != len {
        return Err(corrupt(format!("body is {} bytes, header says {len} (truncated or padded)", body.len())));
    }
    let crc = u32_at(20);
    if crc32fast::hash(body) != crc {
        return Err(corrupt("checksum mismatch (the file was modified or damaged)".into()));
    }
    let bundle: Bundle = match version {
        1 => bincode::deserialize::<OldBundle<FeatureParamsV1>>(body).map(Bundle::from),
        2 => bincode::deserialize::<OldBundle<FeatureParamsV2>>(body).map(Bundle::from),
        _ => bincode::deserialize(body),
    }
    .map_err(|e| corrupt(format!("cannot decode: {e}")))?;
    bundle.into_pipeline(path)
}

/// Loads a model file.
///
/// # Errors
/// [`Error::Io`] plus everything [`from_bytes`] returns.
pub fn load(path: &Path) -> Result<Pipeline> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_bytes(&bytes, path)
}

/// Saves atomically: temporary file, fsync, rename.
///
/// # Errors
/// [`Error::Io`] naming the path.
pub fn save(p: &Pipeline, path: &Path) -> Result<()> {
    let bytes = to_bytes(p)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::io(path, std::io::Error::new(std::io::ErrorKind::NotFound, format!("directory {} does not exist", dir.display()))));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}
