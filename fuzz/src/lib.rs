//! Fuzz target bodies. Each `fuzz_targets/fuzz_*.rs` is a one-line libFuzzer wrapper around
//! one of these functions, and `src/bin/smoke.rs` runs the same functions on stable Rust
//! over a generated corpus. Every function panics (an assertion) on a broken invariant and
//! must otherwise return normally for any input.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use stancer::io::csv::{read_labelled, Columns};
use stancer::io::model_file::{self, FORMAT_VERSION, MAGIC};
use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch, Gazetteer, Scratch, SentenceSplitter, Span};

/// Model-file header length: magic (8), version (4), body length (8), CRC-32 (4).
pub const MODEL_HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// A small registry exercising multi-word, multibyte, dotted, dated and Korean aliases.
pub const REGISTRY_CSV: &str = "actor,alias,kind,valid_from,valid_to\n\
    United States,United States,name,,\n\
    United States,US,abbrev,,\n\
    United States,U.S.,abbrev,,\n\
    United States,Washington,capital,,\n\
    United States,Washington D.C.,capital,,\n\
    United States,Trump,official,2017-01-20,2021-01-20\n\
    United States,Biden,official,2021-01-20,2025-01-20\n\
    South Korea,South Korea,name,,\n\
    South Korea,Seoul,capital,,\n\
    South Korea,Korean,demonym,,\n\
    North Korea,North Korea,name,,\n\
    North Korea,North Korean,demonym,,\n\
    North Korea,Pyongyang,capital,,\n\
    Russia,Russia,name,,\n\
    Russia,Moscow,capital,,\n\
    Russia,Kremlin,seat,,\n\
    Russia,Россия,name,,\n\
    Côte d'Ivoire,Côte d'Ivoire,name,,\n\
    Côte d'Ivoire,Ivorian,demonym,,\n\
    Türkiye,Türkiye,name,,\n\
    Türkiye,Ankara,capital,,\n\
    Guinea-Bissau,Guinea-Bissau,name,,\n\
    Guinea,Guinea,name,,\n\
    European Union,European Union,organ,,\n\
    European Union,EU,abbrev,,\n\
    Japan,日本,name,,\n\
    Japan,Tokyo,capital,,\n";

/// The inline registry, built once.
pub fn registry() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::from_csv_str(REGISTRY_CSV, "fuzz-registry.csv").expect("the inline fuzz registry is valid"))
}

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::new(&AnalyzerParams::default()))
}

/// Asserts that `spans` are non-empty, within `text`, on char boundaries, in order and
/// non-overlapping.
pub fn check_spans(text: &str, spans: &[Span], what: &str) {
    let mut prev_end = 0usize;
    for (k, s) in spans.iter().enumerate() {
        assert!(s.start < s.end, "{what} {k}: empty or reversed span {s:?}");
        assert!(s.end <= text.len(), "{what} {k}: span {s:?} past the end ({} bytes)", text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{what} {k}: span {s:?} not on char boundaries");
        assert!(s.start >= prev_end, "{what} {k}: span {s:?} overlaps or precedes the previous one (ended at {prev_end})");
        prev_end = s.end;
    }
}

/// `SentenceSplitter::split` on lossy UTF-8: spans ordered, non-overlapping, on char
/// boundaries, within bounds, trimmed; no non-whitespace character lost; `split_into`
/// into a dirty buffer agrees with `split`.
pub fn segment(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let splitter = SentenceSplitter::default();
    let spans = splitter.split(&text);
    check_spans(&text, &spans, "sentence");
    let mut covered = 0usize;
    for s in &spans {
        let piece = &text[s.start..s.end];
        assert_eq!(piece, piece.trim(), "sentence {s:?} is not trimmed");
        covered += piece.chars().filter(|c| !c.is_whitespace()).count();
    }
    let total = text.chars().filter(|c| !c.is_whitespace()).count();
    assert_eq!(covered, total, "sentences cover {covered} of {total} non-whitespace characters");
    let mut buf = vec![Span { start: 7, end: 3 }; 3];
    splitter.split_into(&text, &mut buf);
    assert_eq!(buf, spans, "split_into disagrees with split");
}

/// `Analyzer::analyze` + `Gazetteer::find` (+ `unknown_names`) on lossy UTF-8: token and
/// mention spans valid and on char boundaries, token norms inside the norm arena, mention
/// ids inside the registry.
pub fn analyze(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut scratch = AnalyzerScratch::default();
    analyzer().analyze(&text, &mut scratch);
    let spans: Vec<Span> = scratch.tokens.iter().map(|t| t.span).collect();
    check_spans(&text, &spans, "token");
    for (k, t) in scratch.tokens.iter().enumerate() {
        let (a, b) = (t.norm.0 as usize, t.norm.1 as usize);
        assert!(a <= b && scratch.norm_text.get(a..b).is_some(), "token {k}: norm range {a}..{b} invalid in {} bytes", scratch.norm_text.len());
    }
    // Analysing again with the warm cache gives the same tokens.
    let first = scratch.tokens.clone();
    analyzer().analyze(&text, &mut scratch);
    assert_eq!(first, scratch.tokens, "re-analysis with a warm cache differs");

    let gaz = registry();
    let mentions = gaz.find(&text);
    let spans: Vec<Span> = mentions.iter().map(|m| m.span).collect();
    check_spans(&text, &spans, "mention");
    for m in &mentions {
        assert!((m.actor as usize) < gaz.actors().len(), "mention actor id {} out of range", m.actor);
        assert!(gaz.row(m.row).is_some(), "mention row {} out of range", m.row);
    }
    let unknown = gaz.unknown_names(&text);
    check_spans(&text, &unknown, "unknown name");
}

fn scratch_file(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("stancer-fuzz-{tag}-{}.csv", std::process::id()))
}

/// `read_labelled` on arbitrary bytes written to a temporary file, with the default
/// columns and with span columns; must return (Ok or Err), never panic.
pub fn csv(data: &[u8]) {
    let path = scratch_file("csv");
    std::fs::write(&path, data).expect("write the fuzz CSV");
    let _ = read_labelled(&path, &Columns::default());
    let spans = Columns { span: Some(("start".into(), "end".into())), actor_required: true, ..Columns::default() };
    if let Ok(d) = read_labelled(&path, &spans) {
        for r in &d.rows {
            assert_eq!(r.labels.len(), d.label_columns.len(), "line {}: label count differs from label columns", r.line);
        }
    }
}

/// Builds model-file bytes around an arbitrary body (correct magic, version, length, CRC).
pub fn wrap_model_body(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MODEL_HEADER_LEN + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// CRC-32 (IEEE), as `crc32fast::hash` computes it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
        }
    }
    !c
}

/// `model_file::from_bytes` on arbitrary bytes, then on the same bytes with the header
/// repaired (so mutated bodies get past the checksum into decoding and shape checks); a
/// model that loads must classify a short text. Never panics.
pub fn model(data: &[u8]) {
    let path = Path::new("fuzz.model");
    let _ = model_file::from_bytes(data, path);
    let body = if data.len() >= MODEL_HEADER_LEN && data.starts_with(MAGIC) { &data[MODEL_HEADER_LEN..] } else { data };
    if let Ok(p) = model_file::from_bytes(&wrap_model_body(body), path) {
        let mut s = Scratch::default();
        let text = "Moscow warned Seoul. The US welcomed the deal, Tokyo said.";
        let out = p.classify_document(text, &mut s);
        for r in &out {
            for h in r.heads.iter().chain(r.actors.iter().flat_map(|a| &a.heads)) {
                assert!(h.label < h.probs.len(), "label {} outside {} classes", h.label, h.probs.len());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc_matches_the_reference_value() {
        assert_eq!(super::crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn bodies_accept_plain_examples() {
        super::segment("Gen. Smith met U.S. envoys on Jan. 5. “We are ready,” he said.".as_bytes());
        super::analyze("Seoul did not rule out sending arms; North Korean envoys said the Korean plan failed.".as_bytes());
        super::csv(b"id,text,actor,stance,sentiment\nd1-s1-a1,Moscow warned Kyiv.,Russia,hostile,negative\n");
        super::model(b"STANCER\0garbage");
    }
}
