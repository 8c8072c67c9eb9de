//! Analysis: sentence text → tokens with byte spans, lowercased and stemmed, with
//! negation scope and cue marks.
//!
//! ```
//! use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch};
//! let analyzer = Analyzer::new(&AnalyzerParams::default());
//! let mut scratch = AnalyzerScratch::default();
//! let text = "Seoul did not rule out sending arms, officials said.";
//! analyzer.analyze(text, &mut scratch);
//! let words: Vec<&str> = scratch.tokens.iter().map(|t| t.span.of(text)).collect();
//! assert_eq!(words, ["Seoul", "did", "not", "rule", "out", "sending", "arms", "officials", "said"]);
//! // "rule", "out", "sending", "arms" are inside the scope of "not"; the comma ends it.
//! let negated: Vec<bool> = scratch.tokens.iter().map(|t| t.is_negated()).collect();
//! assert_eq!(negated, [false, false, false, true, true, true, true, false, false]);
//! assert_eq!(scratch.norm(&scratch.tokens[5]), "sending");
//! ```


use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

use crate::features::hashing::fnv1a64;
use crate::text::segment::Span;

/// Token flag: inside a negation scope.
pub const NEGATED: u8 = 1;
/// Token flag: first token of a clause (after punctuation or a clause conjunction).
pub const CLAUSE_START: u8 = 2;
/// Token flag: the token is a negation cue ("not", "never", "n't", "refused" + "to" ...).
pub const NEG_CUE: u8 = 4;
/// Token flag: the token is a hedge cue ("may", "conditional", "concern" ...).
pub const HEDGE_CUE: u8 = 8;
/// Token flag: the token starts with an uppercase letter.
pub const CAPITALISED: u8 = 16;
/// Token flag: "refused", "declined", "failed" ...: a negation cue when "to" follows.
pub const NEG_VERB: u8 = 32;
/// Token flag: the word "to".
pub const TO_WORD: u8 = 64;

/// One token: its span in the sentence, the hash of its stem and flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte span in the analysed text.
    pub span: Span,
    /// FNV-1a 64 of the stemmed, lowercased form (see [`fnv1a64`]).
    pub stem_hash: u64,
    /// Range of the lowercased form in [`AnalyzerScratch::norm_text`].
    pub norm: (u32, u32),
    /// Bit set of `NEGATED`, `CLAUSE_START`, `NEG_CUE`, `HEDGE_CUE`, `CAPITALISED`,
    /// `NEG_VERB`, `TO_WORD`.
    pub flags: u8,
}

impl Token {
    /// Inside a negation scope?
    pub fn is_negated(&self) -> bool {
        self.flags & NEGATED != 0
    }
    /// Has the given flag bit?
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Analyzer settings; part of the model format.
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `stem` | `true` | English Snowball stemming (rust-stemmers) |
/// | `negation` | `true` | mark tokens in negation scope |
/// | `stem_cache_limit` | `200_000` | entries kept per worker before the cache is cleared |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerParams {
    /// Stem tokens with the English Snowball stemmer.
    pub stem: bool,
    /// Mark negation scope.
    pub negation: bool,
    /// Bound on the per-worker stem cache; when reached, the cache is cleared.
    pub stem_cache_limit: usize,
}

impl Default for AnalyzerParams {
    fn default() -> Self {
        Self { stem: true, negation: true, stem_cache_limit: 200_000 }
    }
}

/// Per-word facts computed once and cached.
#[derive(Debug, Clone, Copy, Default)]
struct WordInfo {
    stem_hash: u64,
    flags: u8,
}

/// Longest lowercased word (in bytes) the stem cache keeps inline; longer words are
/// stemmed each time (rare in news text).
const CACHE_KEY_BYTES: usize = 23;

/// The per-worker stem cache: an open-addressing table keyed by the lowercased word
/// packed into three machine words, so a lookup is one hash of 3 words and 3 compares
/// (no string hashing, no `memcmp`, no key allocation).
///
/// A slot is 32 bytes, two to a cache line and never straddling one: the key's 23 bytes,
/// the word's cue flags in the 24th, and the stem hash. (Slots of 48 bytes, key and
/// length and flags apart, made the probe the analyzer's main cache miss.) The zero
/// padding makes the length implicit: a word never holds a NUL byte.
#[derive(Default)]
struct StemCache {
    slots: Vec<CacheSlot>,
    len: usize,
}

/// Key bytes 0..23 zero padded, byte 23 the flags; an all-zero first word marks an empty
/// slot (a cached word is not empty and does not start with NUL).
#[derive(Default, Clone, Copy)]
#[repr(C, align(32))]
struct CacheSlot {
    key: [u64; 3],
    stem_hash: u64,
}

/// The key bits of a slot's third word (its top byte holds the flags).
const KEY_TAIL_MASK: u64 = u64::MAX >> 8;

impl CacheSlot {
    fn new(key: [u64; 3], info: WordInfo) -> Self {
        Self { key: [key[0], key[1], key[2] | u64::from(info.flags) << 56], stem_hash: info.stem_hash }
    }

    fn is_empty(&self) -> bool {
        self.key[0] == 0
    }

    fn holds(&self, key: &[u64; 3]) -> bool {
        self.key[0] == key[0] && self.key[1] == key[1] && self.key[2] & KEY_TAIL_MASK == key[2]
    }

    fn info(&self) -> WordInfo {
        WordInfo { stem_hash: self.stem_hash, flags: (self.key[2] >> 56) as u8 }
    }
}

impl StemCache {
    /// Packs a word of at most [`CACHE_KEY_BYTES`] bytes.
    #[inline]
    fn pack(word: &[u8]) -> Option<[u64; 3]> {
        if word.is_empty() || word.len() > CACHE_KEY_BYTES {
            return None;
        }
        let mut buf = [0u8; 24];
        buf[..word.len()].copy_from_slice(word);
        let w = |i: usize| u64::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3], buf[i + 4], buf[i + 5], buf[i + 6], buf[i + 7]]);
        Some([w(0), w(8), w(16)])
    }

    #[inline]
    fn slot_of(&self, key: &[u64; 3]) -> usize {
        let h = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(42)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 32) as usize & (self.slots.len() - 1)
    }

    /// The slot holding `key`, or the free slot where it would go (`slots` non-empty).
    #[inline]
    fn probe(&self, key: &[u64; 3]) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(key);
        loop {
            let s = &self.slots[i];
            if s.is_empty() || s.holds(key) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: &[u64; 3]) -> Option<WordInfo> {
        if self.slots.is_empty() {
            return None;
        }
        let s = &self.slots[self.probe(key)];
        (!s.is_empty()).then(|| s.info())
    }

    fn insert(&mut self, key: [u64; 3], info: WordInfo) {
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![CacheSlot::default(); (old.len() * 2).max(1024)];
            self.len = 0;
            for s in old.into_iter().filter(|s| !s.is_empty()) {
                self.insert([s.key[0], s.key[1], s.key[2] & KEY_TAIL_MASK], s.info());
            }
        }
        let i = self.probe(&key);
        if self.slots[i].is_empty() {
            self.slots[i] = CacheSlot::new(key, info);
            self.len += 1;
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.len = 0;
    }
}

/// Per-worker scratch: token buffer, lowercased text arena and the stem cache.
#[derive(Default)]
pub struct AnalyzerScratch {
    /// Tokens of the last analysed text.
    pub tokens: Vec<Token>,
    /// Lowercased token text, concatenated; [`Token::norm`] indexes into it.
    pub norm_text: String,
    cache: StemCache,
    /// The `stem` setting the cache was filled under (a scratch may outlive one analyzer).
    cache_stem: Option<bool>,
    lower: String,
}

impl AnalyzerScratch {
    /// The lowercased form of `token`.
    pub fn norm(&self, token: &Token) -> &str {
        self.norm_text.get(token.norm.0 as usize..token.norm.1 as usize).unwrap_or("")
    }
}

/// Negation cues that open a scope by themselves.
const NEG_CUES: &[&str] = &["not", "no", "never", "without", "nor", "neither", "cannot", "none", "nothing", "nobody", "nowhere", "hardly", "barely"];
/// Verbs that open a negation scope when followed by "to".
const NEG_VERBS: &[&str] = &["refused", "refuse", "refuses", "refusing", "declined", "decline", "declines", "declining", "failed", "fail", "fails", "failing"];
/// Words that end a negation scope (clause conjunctions).
const CLAUSE_WORDS: &[&str] = &["but", "however", "although", "though", "while", "whereas", "yet", "and", "because", "since", "unless", "which", "who"];
/// Hedge and concern cues.
const HEDGE_CUES: &[&str] = &[
    "may", "might", "could", "would", "should", "possibly", "perhaps", "if", "unless", "only",
    "condition", "conditional", "conditions", "conditioned", "provided", "concern", "concerned",
    "concerns", "worried", "worry", "worries", "alarmed", "alarm", "caution", "cautious",
    "cautiously", "careful", "hesitant", "hesitate", "hesitated", "reluctant", "restraint",
    "dialogue", "abstain", "abstained", "abstention", "neutral", "neutrality", "wait", "consider",
    "considering", "weigh", "weighing", "misgivings", "reservations", "urged", "urges", "calm",
];

/// The analysis stage: Unicode word tokens, lowercasing with an ASCII fast path, cached
/// Snowball stemming, negation scope and cue marks. Offsets always point into the input.
pub struct Analyzer {
    params: AnalyzerParams,
    stemmer: Stemmer,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").field("params", &self.params).finish()
    }
}

/// Scanner state carried between tokens.
struct ScanState {
    boundary: bool,
    in_neg: bool,
}

/// Length of an ASCII emoticon at the start of `b` (":)", ":-(", ";D", "<3", ":/" ...).
fn emoticon(b: &[u8]) -> Option<usize> {
    match b {
        [b'<', b'3', ..] => Some(2),
        [b':' | b';' | b'=', b'-' | b'\'', m, ..] if is_mouth(*m) => Some(3),
        [b':' | b';' | b'=', m, rest @ ..] if is_mouth(*m) => {
            // Not "10:30" style times or "word:word" labels: the mouth must end the run.
            if rest.first().is_some_and(|n| n.is_ascii_alphanumeric()) && !matches!(m, b')' | b'(') {
                None
            } else {
                Some(2)
            }
        }
        _ => None,
    }
}

fn is_mouth(m: u8) -> bool {
    matches!(m, b')' | b'(' | b'D' | b'P' | b'p' | b'/' | b'|' | b']' | b'[' | b'O' | b'o' | b'*' | b'S' | b'$')
}

/// Pictographs, emoji and other symbols that are neither words nor punctuation.
fn is_symbol(c: char) -> bool {
    let u = c as u32;
    (0x2190..=0x2BFF).contains(&u) || (0x1F000..=0x1FAFF).contains(&u) || (0x2600..=0x27BF).contains(&u)
}

fn has_long_run(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
}

fn collapse_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    let mut run = 0;
    for c in s.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(c);
        }
        if run <= 2 {
            out.push(c);
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Analyzer {
    /// Builds an analyzer.
    pub fn new(params: &AnalyzerParams) -> Self {
        Self { params: params.clone(), stemmer: Stemmer::create(Algorithm::English) }
    }

    /// The settings.
    pub fn params(&self) -> &AnalyzerParams {
        &self.params
    }

    /// Tokenizes `text` into `scratch.tokens` (cleared first). Words are runs of
    /// alphanumeric characters, with inner apostrophes kept ("didn't", "Russia's");
    /// punctuation is dropped but marks clause boundaries.
    pub fn analyze(&self, text: &str, scratch: &mut AnalyzerScratch) {
        scratch.tokens.clear();
        scratch.norm_text.clear();
        if scratch.cache.len() > self.params.stem_cache_limit || scratch.cache_stem != Some(self.params.stem) {
            scratch.cache.clear();
            scratch.cache_stem = Some(self.params.stem);
        }
        let bytes = text.as_bytes();
        let mut i = 0usize;
        let mut st = ScanState { boundary: true, in_neg: false };
        while i < bytes.len() {
            let b = bytes[i];
            if b == b' ' {
                i += 1;
                continue;
            }
            if b < 128 {
                let c = b as char;
                if !(c.is_ascii_alphanumeric() || c == '_') {
                    // Emoticons and "!"/"?" carry tone: they become tokens of their own.
                    if let Some(len) = emoticon(&bytes[i..]) {
                        self.push_token(text, i, i + len, None, scratch, &mut st);
                        i += len;
                        continue;
                    }
                    if matches!(c, '!' | '?') {
                        let mut end = i + 1;
                        while end < bytes.len() && matches!(bytes[end], b'!' | b'?') {
                            end += 1;
                        }
                        self.push_token(text, i, i + 1, None, scratch, &mut st);
                        st.boundary = true;
                        st.in_neg = false;
                        i = end;
                        continue;
                    }
                    if matches!(c, ',' | ';' | ':' | '.' | '(' | ')' | '"' | '[' | ']') {
                        st.boundary = true;
                        st.in_neg = false;
                    }
                    i += 1;
                    continue;
                }
            } else {
                let Some(c) = text[i..].chars().next() else { break };
                if !is_word_char(c) {
                    if matches!(c, '“' | '”' | '—' | '–' | '…' | '«' | '»') {
                        st.boundary = true;
                        st.in_neg = false;
                    } else if is_symbol(c) {
                        // Emoji and pictographs: one token each.
                        self.push_token(text, i, i + c.len_utf8(), None, scratch, &mut st);
                    }
                    i += c.len_utf8();
                    continue;
                }
            }
            // A word: alphanumerics, with apostrophes followed by a letter kept inside.
            let start = i;
            // ASCII letters, digits and '_' first, byte by byte; characters are decoded
            // only from a non-ASCII byte or an apostrophe on.
            let mut end = i + bytes[i..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
            if bytes.get(end).is_some_and(|&b| b >= 128 || b == b'\'') {
                let base = end;
                let mut rest = text[base..].char_indices().peekable();
                while let Some((k, c)) = rest.next() {
                    if is_word_char(c) || matches!(c, '\'' | '’') && rest.peek().is_some_and(|&(_, n)| n.is_alphabetic()) {
                        end = base + k + c.len_utf8();
                    } else {
                        break;
                    }
                }
            }
            // A URL is one token that hashes as "<url>".
            let word = &text[start..end];
            if (word.eq_ignore_ascii_case("http") || word.eq_ignore_ascii_case("https")) && text[end..].starts_with("://") {
                let url_end = text[end..].find(char::is_whitespace).map_or(text.len(), |k| end + k);
                self.push_token(text, start, url_end, Some("<url>"), scratch, &mut st);
                i = url_end;
                continue;
            }
            self.push_token(text, start, end, None, scratch, &mut st);
            i = end;
        }
        // "refused to", "declined to", "failed to": the verb opens a scope only before "to".
        if self.params.negation {
            self.mark_verb_negation(text, scratch);
        }
    }

    /// Appends one token covering `text[start..end]`; `key` replaces its text for hashing.
    fn push_token(&self, text: &str, start: usize, end: usize, key: Option<&str>, scratch: &mut AnalyzerScratch, st: &mut ScanState) {
        let word = &text[start..end];
        let info = self.word_info(key.unwrap_or(word), scratch);
        if key.is_some() {
            // Keep the lowercased source as the token's text; only the hash is replaced.
            scratch.lower.clear();
            scratch.lower.push_str(&word.to_lowercase());
        }
        let mut flags = info.flags;
        if word.chars().next().is_some_and(char::is_uppercase) {
            flags |= CAPITALISED;
        }
        if flags & CLAUSE_START != 0 {
            // Clause conjunctions end a negation scope and start a clause themselves.
            st.in_neg = false;
        }
        if st.boundary {
            flags |= CLAUSE_START;
            st.boundary = false;
        }
        if self.params.negation && st.in_neg {
            flags |= NEGATED;
        }
        let n0 = scratch.norm_text.len() as u32;
        scratch.norm_text.push_str(&scratch.lower);
        let n1 = scratch.norm_text.len() as u32;
        scratch.tokens.push(Token { span: Span { start, end }, stem_hash: info.stem_hash, norm: (n0, n1), flags });
        if self.params.negation && flags & NEG_CUE != 0 {
            st.in_neg = true;
        }
    }

    fn mark_verb_negation(&self, _text: &str, scratch: &mut AnalyzerScratch) {
        let n = scratch.tokens.len();
        let mut k = 0;
        while k + 1 < n {
            if scratch.tokens[k].has(NEG_VERB) && scratch.tokens[k + 1].has(TO_WORD) {
                scratch.tokens[k].flags |= NEG_CUE;
                let mut j = k + 2;
                while j < n && !scratch.tokens[j].has(CLAUSE_START) {
                    scratch.tokens[j].flags |= NEGATED;
                    j += 1;
                }
                k = j;
            } else {
                k += 1;
            }
        }
    }

    /// Lowercases `word` into `scratch.lower` and returns its cached stem hash and cue flags.
    fn word_info(&self, word: &str, scratch: &mut AnalyzerScratch) -> WordInfo {
        scratch.lower.clear();
        if word.is_ascii() {
            // One copy and an in-place pass: pushing char by char cost ~100 instructions a word.
            scratch.lower.push_str(word);
            scratch.lower.make_ascii_lowercase();
        } else {
            for c in word.chars() {
                match c {
                    '’' => scratch.lower.push('\''),
                    _ => scratch.lower.extend(c.to_lowercase()),
                }
            }
        }
        let packed = StemCache::pack(scratch.lower.as_bytes());
        if let Some(info) = packed.and_then(|k| scratch.cache.get(&k)) {
            return info;
        }
        let lower = scratch.lower.as_str();
        // "sooooo" and "soooo" hash alike: runs of 3+ identical characters collapse to 2.
        let collapsed;
        let key = if has_long_run(lower) {
            collapsed = collapse_runs(lower);
            collapsed.as_str()
        } else {
            lower
        };
        let mut flags = 0u8;
        if NEG_CUES.contains(&lower) || lower.ends_with("n't") {
            flags |= NEG_CUE;
        }
        if HEDGE_CUES.contains(&lower) {
            flags |= HEDGE_CUE;
        }
        if CLAUSE_WORDS.contains(&lower) {
            flags |= CLAUSE_START;
        }
        if NEG_VERBS.contains(&lower) {
            flags |= NEG_VERB;
        }
        if lower == "to" {
            flags |= TO_WORD;
        }
        let stem_hash = if self.params.stem {
            fnv1a64(self.stemmer.stem(key).as_bytes())
        } else {
            fnv1a64(key.as_bytes())
        };
        let info = WordInfo { stem_hash, flags };
        if let Some(k) = packed {
            scratch.cache.insert(k, info);
        }
        info
    }

    /// The stem of one lowercased word (for inspection and tests).
    pub fn stem<'a>(&self, lowercased: &'a str) -> std::borrow::Cow<'a, str> {
        if self.params.stem {
            self.stemmer.stem(lowercased)
        } else {
            std::borrow::Cow::Borrowed(lowercased)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Vec<String>, Vec<bool>, AnalyzerScratch) {
        let a = Analyzer::new(&AnalyzerParams::default());
        let mut s = AnalyzerScratch::default();
        a.analyze(text, &mut s);
        let words = s.tokens.iter().map(|t| s.norm(t).to_owned()).collect();
        let neg = s.tokens.iter().map(|t| t.is_negated()).collect();
        (words, neg, s)
    }

    /// Tokenizer table: input → lowercased tokens.
    #[test]
    fn tokenizer_table() {
        let table: &[(&str, &[&str])] = &[
            ("Seoul didn't object.", &["seoul", "didn't", "object"]),
            ("Russia’s invasion of Ukraine", &["russia's", "invasion", "of", "ukraine"]),
            ("Yoon Suk-yeol, 62, said", &["yoon", "suk", "yeol", "62", "said"]),
            ("ÉLYSÉE Palace ÖSTERREICH", &["élysée", "palace", "österreich"]),
            ("#Ukraine @user NATO!", &["ukraine", "user", "nato", "!"]),
            ("Москва ответила", &["москва", "ответила"]),
            ("'quoted' words", &["quoted", "words"]),
            ("Great!!! :) see https://t.co/x1 now", &["great", "!", ":)", "see", "https://t.co/x1", "now"]),
            ("Why?? at 10:30 👍", &["why", "?", "at", "10", "30", "👍"]),
            ("", &[]),
        ];
        for (input, expected) in table {
            let (words, _, _) = run(input);
            assert_eq!(words, *expected, "input: {input:?}");
        }
    }

    /// Negation table: input → which tokens are in a negation scope.
    #[test]
    fn negation_table() {
        let table: &[(&str, &[bool])] = &[
            ("Tokyo will not send troops", &[false, false, false, true, true]),
            ("Paris never agreed, but Rome did", &[false, false, true, false, false, false]),
            ("Ankara didn't object to the plan", &[false, false, true, true, true, true]),
            ("Berlin refused to supply tanks; Warsaw agreed", &[false, false, false, true, true, false, false]),
            ("Delhi declined to join the bloc", &[false, false, false, true, true, true]),
            ("No deal was reached", &[false, true, true, true]),
            ("The plan failed", &[false, false, false]),
            ("Hanoi acted without consulting Beijing and Manila protested", &[false, false, false, true, true, false, false, false]),
        ];
        for (input, expected) in table {
            let (_, neg, _) = run(input);
            assert_eq!(neg, *expected, "input: {input:?}");
        }
    }

    #[test]
    fn offsets_point_into_the_source() {
        let text = "  Le Drian’s “frank” talks — in Kyiv.";
        let (_, _, s) = run(text);
        let got: Vec<&str> = s.tokens.iter().map(|t| t.span.of(text)).collect();
        assert_eq!(got, ["Le", "Drian’s", "frank", "talks", "in", "Kyiv"]);
    }

    #[test]
    fn stems_share_a_hash() {
        let (_, _, s) = run("sanctions sanctioned sanction");
        assert_eq!(s.tokens[0].stem_hash, s.tokens[2].stem_hash);
        assert_eq!(s.tokens[1].stem_hash, s.tokens[2].stem_hash);
        let (_, _, t) = run("Sanctions");
        assert_eq!(t.tokens[0].stem_hash, s.tokens[0].stem_hash);
        assert!(t.tokens[0].has(CAPITALISED));
    }

    #[test]
    fn elongations_and_urls_hash_alike() {
        let (_, _, a) = run("sooooo good http://a.b/c");
        let (_, _, b) = run("sooo good https://x.y/z");
        assert_eq!(a.tokens[0].stem_hash, b.tokens[0].stem_hash);
        assert_eq!(a.tokens[2].stem_hash, b.tokens[2].stem_hash);
        assert_eq!(a.norm(&a.tokens[0]), "sooooo");
    }

    #[test]
    fn cues_are_flagged() {
        let (_, _, s) = run("Rome may abstain, voicing concern");
        assert!(s.tokens[1].has(HEDGE_CUE));
        assert!(s.tokens[2].has(HEDGE_CUE));
        assert!(s.tokens[4].has(HEDGE_CUE));
        assert!(!s.tokens[0].has(HEDGE_CUE));
    }

    #[test]
    fn a_scratch_shared_by_analyzers_with_different_stemming_is_not_stale() {
        let mut s = AnalyzerScratch::default();
        let stem = Analyzer::new(&AnalyzerParams::default());
        let raw = Analyzer::new(&AnalyzerParams { stem: false, ..Default::default() });
        stem.analyze("sanctions", &mut s);
        let stemmed = s.tokens[0].stem_hash;
        raw.analyze("sanctions", &mut s);
        assert_ne!(s.tokens[0].stem_hash, stemmed);
        assert_eq!(s.tokens[0].stem_hash, fnv1a64(b"sanctions"));
        stem.analyze("sanctions", &mut s);
        assert_eq!(s.tokens[0].stem_hash, stemmed);
    }

    #[test]
    fn cache_is_bounded() {
        let a = Analyzer::new(&AnalyzerParams { stem_cache_limit: 3, ..Default::default() });
        let mut s = AnalyzerScratch::default();
        a.analyze("one two three four five six", &mut s);
        a.analyze("seven", &mut s);
        assert!(s.cache.len() <= 4, "cache has {}", s.cache.len());
        assert_eq!(s.tokens.len(), 1);
    }
}
