//! Regression tests from fuzzing (issue 6): inputs the cargo-fuzz targets in `fuzz/` found
//! interesting, replayed through the same checks on every test run.

use std::path::PathBuf;

use stancer::io::csv::{read_labelled, Columns};
use stancer::io::model_file;
use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch, Gazetteer, SentenceSplitter};

use crate::util::root;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("tests/fixtures/fuzz").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10, "{} has too few inputs", dir.display());
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn segment_corpus() {
    let splitter = SentenceSplitter::default();
    for (path, bytes) in inputs("segment") {
        let text = String::from_utf8_lossy(&bytes);
        let spans = splitter.split(&text);
        let mut prev = 0;
        for s in &spans {
            assert!(s.start >= prev && s.start < s.end && s.end <= text.len(), "{}", path.display());
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{}", path.display());
            prev = s.end;
        }
        let covered: usize = spans.iter().map(|s| text[s.start..s.end].chars().filter(|c| !c.is_whitespace()).count()).sum();
        assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count(), "{}: characters lost", path.display());
    }
}

#[test]
fn analyze_corpus() {
    let analyzer = Analyzer::new(&AnalyzerParams::default());
    let gaz = Gazetteer::from_path(&root().join("tests/fixtures/actors.csv")).unwrap();
    let mut s = AnalyzerScratch::default();
    for (path, bytes) in inputs("analyze") {
        let text = String::from_utf8_lossy(&bytes);
        analyzer.analyze(&text, &mut s);
        for t in &s.tokens {
            assert!(t.span.end <= text.len() && text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end), "{}", path.display());
        }
        for m in gaz.find(&text) {
            assert!(!gaz.actor_name(m.actor).is_empty(), "{}", path.display());
            assert!(text.get(m.span.start..m.span.end).is_some(), "{}", path.display());
        }
        let _ = gaz.unknown_names(&text);
    }
}

#[test]
fn csv_corpus() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (path, bytes)) in inputs("csv").into_iter().enumerate() {
        let f = dir.path().join(format!("{i}.csv"));
        std::fs::write(&f, &bytes).unwrap();
        // Ok or a typed error; never a panic. An error names the file.
        if let Err(e) = read_labelled(&f, &Columns::default()) {
            assert!(e.to_string().contains(&format!("{i}.csv")), "{}: {e}", path.display());
        }
    }
}

#[test]
fn model_corpus() {
    for (path, bytes) in inputs("model") {
        match model_file::from_bytes(&bytes, &path) {
            Ok(p) => {
                let out = p.classify_batch(&["Moscow warned Kyiv. Tokyo welcomed the talks."]);
                for s in &out[0] {
                    for h in &s.heads {
                        assert!(h.label < h.probs.len());
                    }
                }
            }
            Err(e) => assert!(e.to_string().contains(&path.display().to_string()), "{e}"),
        }
    }
}
