//! Shared setup for the criterion benches: bench inputs and the common configuration.
//!
//! Inputs are the article texts in `seeds/*.txt` under the crate root, read at run time;
//! when the crate has no `seeds/` directory (or it holds no `.txt` file) the benches fall
//! back to `../shared/seeds/*.txt`. Files are read in name order so runs are comparable.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::Criterion;
use stancer::SentenceSplitter;

/// The crate root.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the crate root.
pub fn crate_path(rel: &str) -> PathBuf {
    manifest_dir().join(rel)
}

fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "txt") && p.is_file()).collect();
    files.sort();
    files
}

/// The seed directory in use: the crate's own `seeds/`, else `../shared/seeds`.
pub fn seeds_dir() -> PathBuf {
    let own = crate_path("seeds");
    if !txt_files(&own).is_empty() {
        return own;
    }
    crate_path("../shared/seeds")
}

/// Every seed article, in file-name order. Panics when there is none: a bench over no
/// input would time nothing.
pub fn articles() -> Vec<String> {
    let dir = seeds_dir();
    let files = txt_files(&dir);
    assert!(!files.is_empty(), "no seed articles (*.txt) in {} or {}", crate_path("seeds").display(), dir.display());
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display())))
        .collect()
}

/// Total bytes of a set of texts.
pub fn total_bytes<T: AsRef<str>>(texts: &[T]) -> u64 {
    texts.iter().map(|t| t.as_ref().len() as u64).sum()
}

/// Every sentence of every article, as slices of the articles.
pub fn sentences(articles: &[String]) -> Vec<&str> {
    let splitter = SentenceSplitter::default();
    let out: Vec<&str> = articles.iter().flat_map(|a| splitter.split(a).into_iter().map(move |s| s.of(a))).collect();
    assert!(!out.is_empty(), "the seed articles split into no sentences");
    out
}

/// The articles repeated (whole, in order) until they reach at least `target` bytes.
pub fn repeat_to(articles: &[String], target: usize) -> Vec<String> {
    assert!(articles.iter().any(|a| !a.is_empty()), "all seed articles are empty");
    let mut out = Vec::new();
    let mut bytes = 0;
    for a in articles.iter().cycle() {
        if bytes >= target {
            break;
        }
        bytes += a.len();
        out.push(a.clone());
    }
    out
}

/// The criterion configuration shared by all benches: modest run time (20 samples, 3 s of
/// measurement, 1 s of warm-up). Command-line flags (`--quick`, `--measurement-time` ...)
/// still override it.
pub fn criterion() -> Criterion {
    Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1))
}
