//! The hashing vectorizer: analysed tokens (+ an optional target) → a sparse row.
//!
//! ```
//! use stancer::{Analyzer, AnalyzerParams, AnalyzerScratch, FeatureParams, HashingVectorizer, SparseRow, Target};
//! let analyzer = Analyzer::new(&AnalyzerParams::default());
//! let vectorizer = HashingVectorizer::new(FeatureParams::default().check()?);
//! let mut scratch = AnalyzerScratch::default();
//! let text = "Moscow warned Tokyo against sending arms.";
//! analyzer.analyze(text, &mut scratch);
//! let mut pairs = Vec::new();
//! let mut row = SparseRow::default();
//! // Sentence-level row (sentiment head).
//! vectorizer.sentence_features(&scratch, &mut pairs);
//! vectorizer.finish(&mut pairs, &mut row);
//! assert!(row.nnz() > 10);
//! let norm: f32 = row.values.iter().map(|v| v * v).sum();
//! assert!((norm - 1.0).abs() < 1e-5);
//! // Target-aware row for "Moscow" (token 0), with "Tokyo" (token 2) as another actor.
//! let target = Target { tokens: &[(0, 1)], others: &[(2, 3)], actor_hash: 7 };
//! let mut stance = SparseRow::default();
//! vectorizer.sentence_features(&scratch, &mut pairs);
//! vectorizer.target_features(&scratch, &target, &mut pairs);
//! vectorizer.finish(&mut pairs, &mut stance);
//! assert!(stance.nnz() > row.nnz());
//! # Ok::<(), stancer::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::hashing::{bucket, chain, fnv1a64};
use crate::features::sparse::SparseRow;
use crate::text::analyzer::{AnalyzerScratch, Token, CLAUSE_START, HEDGE_CUE, NEGATED, NEG_CUE};

/// Words that deny or debunk a claim (lowercased forms), for
/// [`FeatureParams::claim_cues`]; the analyzer's negation cues count as well.
const REFUTE_CUES: &[&str] = &[
    "fake", "hoax", "false", "debunk", "debunked", "debunks", "denies", "denied", "deny", "myth",
    "untrue", "bogus", "satire", "satirical", "prank", "doesn't", "isn't", "wasn't", "didn't",
    "rejects", "rejected", "dismisses", "dismissed", "refutes", "refuted", "nonsense",
    "fabricated", "misleading", "wrong", "scam",
];
/// Words that report a claim without vouching for it, for [`FeatureParams::claim_cues`];
/// the analyzer's hedge cues count as well.
const REPORT_CUES: &[&str] = &[
    "reportedly", "allegedly", "alleged", "apparently", "purportedly", "supposedly", "rumour",
    "rumours", "rumoured", "rumor", "rumors", "rumored", "claims", "claimed", "claim", "says",
    "said", "report", "reports", "according", "possibly", "unconfirmed", "unverified",
    "speculation", "believed", "suggests", "appears", "seems",
];

/// Namespaces: each feature family hashes into the table with its own seed.
mod ns {
    pub const WORD: u64 = 1;
    pub const NGRAM: u64 = 2;
    pub const CHAR: u64 = 3;
    pub const PLACE: u64 = 4;
    pub const WIN_LEFT: u64 = 5;
    pub const WIN_RIGHT: u64 = 6;
    pub const CLAUSE: u64 = 7;
    pub const CUE: u64 = 8;
    pub const CONJ: u64 = 9;
    pub const CLAIM: u64 = 10;
    pub const PROX: u64 = 11;
}

/// Words whose proximity weight (see [`FeatureParams::proximity`]) falls below this are left
/// out: beyond three scale lengths from the target.
const PROXIMITY_FLOOR: f32 = 0.05;

/// Marker hashes chained onto token hashes; fixed, part of the model format.
const NEG_MARK: u64 = 0x4e45_475f_4d41_524b; // "NEG_MARK"
const TARGET_TOKEN: u64 = 0x5441_5247_4554_5f5f; // "TARGET__"
const OTHER_TOKEN: u64 = 0x4f54_4845_525f_5f5f; // "OTHER___"
const BOS: u64 = 0x424f_535f_5f5f_5f5f;
const EOS: u64 = 0x454f_535f_5f5f_5f5f;

/// Feature settings; part of the model format.
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `buckets_log2` | 18 | hash table size 2^n. 18 rather than 20: cross-validated macro-F1 on the news corpus was the same (stance 0.738 vs 0.740, sentiment 0.722 vs 0.721) and the 4x smaller weight tables stay in cache (+9% sentences/s); tweets with character n-grams want 20 | 10..=24 |
/// | `word_ngrams` | 2 | longest word n-gram | 1..=3 |
/// | `char_min`, `char_max` | 3, 0 (off) | character n-grams inside words (with boundary marks); `char_max = 0` turns them off. Off by default: on the news corpus they did not raise cross-validated macro-F1 (stance 0.746 -> 0.738, sentiment 0.717 -> 0.721 without them) and they halve throughput; tweets gain from `3..=5` | 1..=8, min <= max |
/// | `char_weight` | 0.5 | weight of a character n-gram relative to a word | finite, > 0 |
/// | `target_window` | 4 | words each side of the target that get side-marked features | 0..=16 |
/// | `target_conjoin` | true | word features conjoined with the target's identity | |
/// | `negation_features` | true | words in a negation scope hash differently | |
/// | `sentence_weight` | 1.0 | weight of the sentence-level block in actor-scope rows, relative to the target block | (0, 4] |
/// | `claim_cues` | false | refutation / reporting cue features for rows whose target does not occur in the text (a claim judged by a headline) | |
/// | `proximity` | 0 (off) | scale length, in words, of distance-weighted word features around the target: each word before the target's first mention or after its last gets weight exp(-d / scale), d its distance in words from that stretch (words under 0.05 left out) | 0 or (0, 64] |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureParams {
    /// log2 of the number of hash buckets.
    pub buckets_log2: u8,
    /// Longest word n-gram (1 = unigrams only).
    pub word_ngrams: u8,
    /// Shortest character n-gram.
    pub char_min: u8,
    /// Longest character n-gram; 0 disables character n-grams.
    pub char_max: u8,
    /// Weight of one character n-gram.
    pub char_weight: f32,
    /// Window of words each side of the target.
    pub target_window: u8,
    /// Conjoin word features with the target's identity (per-target word weights).
    pub target_conjoin: bool,
    /// Mark negated words.
    pub negation_features: bool,
    /// Also conjoin every sentence-level feature (word and character n-grams) with the
    /// target: in effect a per-target model beside the shared one, for data sets with a
    /// few recurring targets (tweet stance towards five topics).
    #[serde(default)]
    pub conjoin_all: bool,
    /// Weight of the sentence-level block in actor-scope rows, relative to the target
    /// block (1 = equal footing). Lower values make a per-actor head lean on the
    /// target-aware features: sentences with several targets of different polarity.
    pub sentence_weight: f32,
    /// Refutation and reporting cue features for rows whose target does not occur in the
    /// text (a headline judged against a claim, as in Emergent): whether the sentence holds
    /// a refutation cue ("hoax", "denies", "not" ...), a reporting or hedge cue
    /// ("reportedly", "claims", "may" ...), and a closing question mark.
    pub claim_cues: bool,
    /// Distance-weighted word features around the target (scale length in words; 0 = off):
    /// every word before the target's first mention or after its last (and not part of another
    /// actor's mention), with weight `exp(-d / proximity)`, `d` its distance in words from
    /// that stretch of the sentence. Where the fixed window sees four words each side, these
    /// see the whole sentence, nearer words counting more (target-dependent sentiment in long
    /// news sentences).
    pub proximity: f32,
}

impl Default for FeatureParams {
    fn default() -> Self {
        Self {
            buckets_log2: 18,
            word_ngrams: 2,
            char_min: 3,
            char_max: 0,
            char_weight: 0.5,
            target_window: 4,
            target_conjoin: true,
            negation_features: true,
            conjoin_all: false,
            sentence_weight: 1.0,
            claim_cues: false,
            proximity: 0.0,
        }
    }
}

/// Validated [`FeatureParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureValidParams(FeatureParams);

impl FeatureValidParams {
    /// The checked values.
    pub fn get(&self) -> &FeatureParams {
        &self.0
    }
}

impl FeatureParams {
    /// Validates the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the first bad field.
    pub fn check(self) -> Result<FeatureValidParams> {
        let bad = |name, message: String| Err(Error::InvalidParam { name, message });
        if !(10..=24).contains(&self.buckets_log2) {
            return bad("buckets_log2", format!("{} is outside 10..=24", self.buckets_log2));
        }
        if !(1..=3).contains(&self.word_ngrams) {
            return bad("word_ngrams", format!("{} is outside 1..=3", self.word_ngrams));
        }
        if self.char_max != 0 && (self.char_min == 0 || self.char_min > self.char_max || self.char_max > 8) {
            return bad("char_ngrams", format!("range {}..={} must satisfy 1 <= min <= max <= 8", self.char_min, self.char_max));
        }
        if !(self.char_weight.is_finite() && self.char_weight > 0.0) {
            return bad("char_weight", format!("{} must be finite and positive", self.char_weight));
        }
        if !(self.sentence_weight.is_finite() && self.sentence_weight > 0.0 && self.sentence_weight <= 4.0) {
            return bad("sentence_weight", format!("{} must be in (0, 4]", self.sentence_weight));
        }
        if !(self.proximity == 0.0 || self.proximity.is_finite() && self.proximity > 0.0 && self.proximity <= 64.0) {
            return bad("proximity", format!("{} must be 0 (off) or in (0, 64]", self.proximity));
        }
        if self.target_window > 16 {
            return bad("target_window", format!("{} is above 16", self.target_window));
        }
        Ok(FeatureValidParams(self))
    }
}

/// The actor a stance row is about: token ranges of its mentions, token ranges of other
/// actors' mentions, and a hash of its canonical name (for conjoined features).
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// `[start, end)` token ranges of the target's mentions (may be empty: target absent).
    pub tokens: &'a [(usize, usize)],
    /// `[start, end)` token ranges of other actors' mentions.
    pub others: &'a [(usize, usize)],
    /// Hash of the target's canonical name.
    pub actor_hash: u64,
}

/// Feature hashing into a fixed table of `2^buckets_log2` buckets. Stateless and shareable;
/// all scratch lives in the caller's buffers.
#[derive(Debug, Clone)]
pub struct HashingVectorizer {
    params: FeatureParams,
    mask: u64,
}

impl HashingVectorizer {
    /// Builds a vectorizer from checked params.
    pub fn new(params: FeatureValidParams) -> Self {
        let p = params.0;
        let mask = (1u64 << p.buckets_log2) - 1;
        Self { params: p, mask }
    }

    /// The settings.
    pub fn params(&self) -> &FeatureParams {
        &self.params
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        (self.mask + 1) as usize
    }

    #[inline]
    fn token_hash(&self, t: &Token) -> u64 {
        if self.params.negation_features && t.flags & NEGATED != 0 {
            chain(t.stem_hash, NEG_MARK)
        } else {
            t.stem_hash
        }
    }

    #[inline]
    fn push(&self, out: &mut Vec<(u32, f32)>, ns: u64, h: u64, w: f32) {
        out.push((bucket(ns, h, self.mask), w));
    }

    /// Appends the sentence-level features (word n-grams and character n-grams) to `out`.
    pub fn sentence_features(&self, a: &AnalyzerScratch, out: &mut Vec<(u32, f32)>) {
        let toks = &a.tokens;
        let n = self.params.word_ngrams as usize;
        for (i, t) in toks.iter().enumerate() {
            let h = self.token_hash(t);
            self.push(out, ns::WORD, h, 1.0);
            let mut g = h;
            for next in toks.iter().skip(i + 1).take(n.saturating_sub(1)) {
                g = chain(g, self.token_hash(next));
                self.push(out, ns::NGRAM, g, 1.0);
            }
        }
        if self.params.char_max > 0 {
            for t in toks {
                self.char_ngrams(a.norm(t), out);
            }
        }
    }

    /// Character n-grams of one lowercased word with `<` and `>` boundary marks.
    fn char_ngrams(&self, word: &str, out: &mut Vec<(u32, f32)>) {
        let (lo, hi) = (self.params.char_min as usize, self.params.char_max as usize);
        let w = self.params.char_weight;
        if word.is_ascii() && word.len() <= 62 {
            let mut buf = [0u8; 64];
            buf[0] = b'<';
            buf[1..=word.len()].copy_from_slice(word.as_bytes());
            buf[word.len() + 1] = b'>';
            let b = &buf[..word.len() + 2];
            for start in 0..b.len() {
                for len in lo..=hi {
                    let Some(g) = b.get(start..start + len) else { break };
                    self.push(out, ns::CHAR, fnv1a64(g), w);
                }
            }
        } else {
            // Non-ASCII or very long: walk char boundaries.
            let marked: Vec<char> = std::iter::once('<').chain(word.chars().take(256)).chain(std::iter::once('>')).collect();
            let mut tmp = String::new();
            for start in 0..marked.len() {
                for len in lo..=hi {
                    let Some(g) = marked.get(start..start + len) else { break };
                    tmp.clear();
                    tmp.extend(g);
                    self.push(out, ns::CHAR, fnv1a64(tmp.as_bytes()), w);
                }
            }
        }
    }

    /// Appends the target-aware features of one (sentence, actor) pair to `out`:
    /// placeholder n-grams around the target and other actors, side-marked words in a
    /// window, words of the target's clause, negation and hedge cues of that clause, and
    /// (optionally) words conjoined with the target's identity.
    pub fn target_features(&self, a: &AnalyzerScratch, target: &Target<'_>, out: &mut Vec<(u32, f32)>) {
        self.target_features_with(a, target, &mut Vec::new(), out);
    }

    /// [`target_features`](Self::target_features) with a caller-owned scratch buffer, so
    /// the per-actor loop does not allocate.
    pub fn target_features_with(&self, a: &AnalyzerScratch, target: &Target<'_>, seq: &mut Vec<(u64, usize)>, out: &mut Vec<(u32, f32)>) {
        let toks = &a.tokens;
        let role = |i: usize| -> Option<u64> {
            if target.tokens.iter().any(|&(s, e)| s <= i && i < e) {
                Some(TARGET_TOKEN)
            } else if target.others.iter().any(|&(s, e)| s <= i && i < e) {
                Some(OTHER_TOKEN)
            } else {
                None
            }
        };
        // Placeholder sequence: collapse each mention to one placeholder symbol.
        seq.clear();
        seq.push((BOS, usize::MAX));
        let mut i = 0;
        while i < toks.len() {
            match role(i) {
                Some(r) => {
                    seq.push((r, i));
                    while i < toks.len() && role(i) == Some(r) {
                        i += 1;
                    }
                }
                None => {
                    seq.push((self.token_hash(&toks[i]), i));
                    i += 1;
                }
            }
        }
        seq.push((EOS, usize::MAX));
        for w in seq.windows(2) {
            if matches!(w[0].0, TARGET_TOKEN | OTHER_TOKEN) || matches!(w[1].0, TARGET_TOKEN | OTHER_TOKEN) {
                self.push(out, ns::PLACE, chain(w[0].0, w[1].0), 1.0);
            }
        }
        for w in seq.windows(3) {
            if w[0].0 == TARGET_TOKEN || w[2].0 == TARGET_TOKEN {
                self.push(out, ns::PLACE, chain(chain(w[0].0, w[1].0), w[2].0), 1.0);
            }
        }
        let Some((first, last)) = target.tokens.first().map(|f| (*f, *target.tokens.last().unwrap_or(f))) else {
            self.push(out, ns::CUE, 0xAB5E_47, 1.0); // target absent from the text
            if self.params.claim_cues {
                self.claim_cues(a, out);
            }
            self.conjoined(toks, target, out);
            return;
        };
        let (t0, t1) = (first.0, last.1);
        let win = self.params.target_window as usize;
        for k in t0.saturating_sub(win)..t0 {
            if role(k).is_none() {
                self.push(out, ns::WIN_LEFT, self.token_hash(&toks[k]), 1.0);
            }
        }
        for k in t1..(t1 + win).min(toks.len()) {
            if role(k).is_none() {
                self.push(out, ns::WIN_RIGHT, self.token_hash(&toks[k]), 1.0);
            }
        }
        // Every word before the first mention or after the last, weighted by its distance.
        if self.params.proximity > 0.0 {
            for (k, t) in toks.iter().enumerate() {
                if (t0..t1).contains(&k) || role(k).is_some() {
                    continue;
                }
                let d = if k < t0 { t0 - k } else { k + 1 - t1 };
                let w = (-(d as f32) / self.params.proximity).exp();
                if w >= PROXIMITY_FLOOR {
                    self.push(out, ns::PROX, self.token_hash(t), w);
                }
            }
        }
        // The clause that holds the first target mention.
        let c0 = (0..=t0.min(toks.len().saturating_sub(1))).rev().find(|&k| toks[k].flags & CLAUSE_START != 0).unwrap_or(0);
        let c1 = (t0 + 1..toks.len()).find(|&k| toks[k].flags & CLAUSE_START != 0).unwrap_or(toks.len());
        let (mut neg, mut hedge) = (false, false);
        for t in &toks[c0..c1] {
            self.push(out, ns::CLAUSE, self.token_hash(t), 0.7);
            neg |= t.flags & (NEG_CUE | NEGATED) != 0;
            hedge |= t.flags & HEDGE_CUE != 0;
        }
        let cue = (neg as u64) | ((hedge as u64) << 1) | ((t0 == c0) as u64) << 2;
        self.push(out, ns::CUE, cue, 1.0);
        let first_mention = !(0..t0).any(|k| role(k) == Some(OTHER_TOKEN));
        self.push(out, ns::CUE, 0x100 | first_mention as u64, 1.0);
        self.conjoined(toks, target, out);
    }

    /// Whole-sentence cue features of a row whose target is absent from the text (see
    /// [`FeatureParams::claim_cues`]): one feature for the combination and one per cue
    /// present.
    fn claim_cues(&self, a: &AnalyzerScratch, out: &mut Vec<(u32, f32)>) {
        let toks = &a.tokens;
        let (mut refute, mut report, mut question) = (false, false, false);
        for (k, t) in toks.iter().enumerate() {
            let w = a.norm(t);
            refute |= t.flags & NEG_CUE != 0 || REFUTE_CUES.contains(&w);
            report |= t.flags & HEDGE_CUE != 0 || REPORT_CUES.contains(&w);
            question |= w == "?" && k + 2 >= toks.len();
        }
        let combo = (refute as u64) | (report as u64) << 1 | (question as u64) << 2;
        self.push(out, ns::CLAIM, combo, 1.0);
        for (on, id) in [(refute, 0x10), (report, 0x20), (question, 0x40)] {
            if on {
                self.push(out, ns::CLAIM, id, 1.0);
            }
        }
    }

    /// Per-target copies of sentence-level pairs already in `base` (with `conjoin_all`).
    pub fn conjoin_pairs(&self, base: &[(u32, f32)], actor_hash: u64, out: &mut Vec<(u32, f32)>) {
        if !self.params.conjoin_all {
            return;
        }
        for &(idx, w) in base {
            self.push(out, ns::CONJ, chain(actor_hash, idx as u64), w);
        }
    }

    fn conjoined(&self, toks: &[Token], target: &Target<'_>, out: &mut Vec<(u32, f32)>) {
        if !self.params.target_conjoin {
            return;
        }
        self.push(out, ns::CONJ, target.actor_hash, 1.0);
        for t in toks {
            self.push(out, ns::CONJ, chain(target.actor_hash, self.token_hash(t)), 0.7);
        }
    }

    /// Turns raw `(bucket, weight)` pairs into a row: duplicates merged with sublinear
    /// counts (`w * (1 + ln n)`, `w` the weight of the first occurrence), indices unique in
    /// order of first occurrence, L2-normalised. Drains `pairs`.
    pub fn finish(&self, pairs: &mut Vec<(u32, f32)>, row: &mut SparseRow) {
        let sumsq = self.merge(pairs, row);
        pairs.clear();
        scale(row, inv_norm(sumsq));
    }

    /// The merging half of [`finish`](Self::finish), without the normalisation: `row` gets
    /// the merged pairs and the squared L2 norm is returned.
    ///
    /// Merging uses a small open-addressing table sized to the input, so the cost is linear
    /// in the number of pairs (no sort); the result is the same on every run.
    pub fn merge(&self, pairs: &[(u32, f32)], row: &mut SparseRow) -> f32 {
        row.clear();
        MERGE.with(|cell| {
            let mut t = cell.borrow_mut();
            let t = &mut *t;
            let gen = t.start(pairs.len());
            // Sized for the worst case (all keys distinct), filled by position and cut to
            // the distinct count: cheaper than three growing pushes per key.
            t.counts.clear();
            t.counts.resize(pairs.len(), 0);
            row.indices.resize(pairs.len(), 0);
            row.values.resize(pairs.len(), 0.0);
            let mut n = 0usize;
            for &(idx, w) in pairs {
                match t.find_or_insert(gen, idx, n as u32) {
                    Some(pos) => t.counts[pos as usize] += 1,
                    None => {
                        row.indices[n] = idx;
                        row.values[n] = w;
                        t.counts[n] = 1;
                        n += 1;
                    }
                }
            }
            row.indices.truncate(n);
            row.values.truncate(n);
            for (v, &c) in row.values.iter_mut().zip(&t.counts) {
                if c > 1 {
                    *v *= 1.0 + (c as f32).ln();
                }
            }
        });
        row.values.iter().map(|v| v * v).sum()
    }

    /// The actor-scope row: the merged sentence block `base` and the merged target block
    /// `target` (each from [`merge`](Self::merge), with their squared norms), normalised
    /// together. An index in both blocks (a hash collision across namespaces) appears
    /// once with the summed value, so `w . row` equals the sum of the blocks' scores
    /// divided by the joint norm: what [`crate::Pipeline`] computes when it scores the
    /// sentence block once for all the actors of a sentence.
    pub fn join(&self, base: &SparseRow, base_sumsq: f32, target: &SparseRow, target_sumsq: f32, out: &mut SparseRow) {
        out.clear();
        out.indices.extend_from_slice(&base.indices);
        out.values.extend_from_slice(&base.values);
        MERGE.with(|cell| {
            let mut t = cell.borrow_mut();
            let t = &mut *t;
            let gen = t.start(base.nnz() + target.nnz());
            for (pos, &idx) in base.indices.iter().enumerate() {
                t.find_or_insert(gen, idx, pos as u32);
            }
            for (&idx, &v) in target.indices.iter().zip(&target.values) {
                match t.find_or_insert(gen, idx, out.indices.len() as u32) {
                    Some(pos) => out.values[pos as usize] += v,
                    None => {
                        out.indices.push(idx);
                        out.values.push(v);
                    }
                }
            }
        });
        scale(out, inv_norm(base_sumsq + target_sumsq));
    }
}

/// `1 / sqrt(sumsq)`, or 1 for an empty row.
#[inline]
pub fn inv_norm(sumsq: f32) -> f32 {
    if sumsq > 0.0 {
        1.0 / sumsq.sqrt()
    } else {
        1.0
    }
}

fn scale(row: &mut SparseRow, k: f32) {
    if k != 1.0 {
        for v in &mut row.values {
            *v *= k;
        }
    }
}

/// Per-thread scratch table for [`HashingVectorizer::finish`].
#[derive(Default)]
struct MergeTable {
    slots: Vec<Slot>,
    counts: Vec<u32>,
    generation: u32,
}

#[derive(Default, Clone, Copy)]
struct Slot {
    key: u32,
    pos: u32,
    generation: u32,
}

impl MergeTable {
    /// Readies the table for `n` keys; returns this call's generation. A slot is empty
    /// unless stamped with it, so nothing is cleared between calls.
    fn start(&mut self, n: usize) -> u32 {
        let cap = (n * 2).next_power_of_two().max(256);
        if self.slots.len() < cap || self.generation == u32::MAX {
            self.slots.clear();
            self.slots.resize(cap, Slot::default());
            self.generation = 0;
        }
        self.generation += 1;
        self.generation
    }

    /// The position stored for `key` in this generation, or None after storing `pos` for
    /// it. Bucket ids are already well mixed: their low bits start the linear probe.
    #[inline]
    fn find_or_insert(&mut self, gen: u32, key: u32, pos: u32) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut slot = key as usize & mask;
        loop {
            let entry = &mut self.slots[slot];
            if entry.generation != gen {
                *entry = Slot { key, pos, generation: gen };
                return None;
            }
            if entry.key == key {
                return Some(entry.pos);
            }
            slot = (slot + 1) & mask;
        }
    }
}

thread_local! {
    static MERGE: std::cell::RefCell<MergeTable> = std::cell::RefCell::new(MergeTable::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyzer::{Analyzer, AnalyzerParams};

    fn row_for(text: &str, params: FeatureParams) -> SparseRow {
        let a = Analyzer::new(&AnalyzerParams::default());
        let v = HashingVectorizer::new(params.check().unwrap());
        let mut s = AnalyzerScratch::default();
        a.analyze(text, &mut s);
        let mut pairs = Vec::new();
        let mut row = SparseRow::default();
        v.sentence_features(&s, &mut pairs);
        v.finish(&mut pairs, &mut row);
        row
    }

    #[test]
    fn rows_are_unique_and_normalised() {
        let row = row_for("Sanctions, sanctions and more sanctions were imposed.", FeatureParams::default());
        let mut sorted = row.indices.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), row.indices.len(), "indices are unique");
        let norm: f32 = row.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn word_only_counts() {
        let p = FeatureParams { char_max: 0, word_ngrams: 1, ..Default::default() };
        // 3 distinct stems: "sanction" x3, "and", "more" ... "were", "impos"
        let row = row_for("Sanctions sanctions sanction", p.clone());
        assert_eq!(row.nnz(), 1);
        let row = row_for("Sanctions were imposed", p);
        assert_eq!(row.nnz(), 3);
    }

    #[test]
    fn negation_changes_features() {
        let p = FeatureParams { char_max: 0, word_ngrams: 1, ..Default::default() };
        let a = row_for("Paris will object", p.clone());
        let b = row_for("Paris will not object", p);
        let shared = a.indices.iter().filter(|i| b.indices.contains(i)).count();
        assert_eq!(shared, 2, "'object' under negation must hash apart");
    }

    /// Raw target-block pairs of `text` for a target at `tokens` (empty: absent).
    fn target_pairs(text: &str, tokens: &[(usize, usize)], params: FeatureParams) -> Vec<(u32, f32)> {
        let a = Analyzer::new(&AnalyzerParams::default());
        let v = HashingVectorizer::new(params.check().unwrap());
        let mut s = AnalyzerScratch::default();
        a.analyze(text, &mut s);
        let mut pairs = Vec::new();
        v.target_features(&s, &Target { tokens, others: &[], actor_hash: 11 }, &mut pairs);
        pairs
    }

    #[test]
    fn proximity_weighs_words_by_their_distance_from_the_target() {
        // "Kyiv" (token 4) is the target; "Moscow" (token 0) is 4 words before it, "today"
        // (token 7) 3 after it (the mention's end is 5).
        let text = "Moscow sharply criticised Ukrainian Kyiv leaders again today";
        let prox = |p: &[(u32, f32)], v: &HashingVectorizer, word: &str| -> Vec<f32> {
            let a = Analyzer::new(&AnalyzerParams::default());
            let mut s = AnalyzerScratch::default();
            a.analyze(word, &mut s);
            let b = bucket(ns::PROX, v.token_hash(&s.tokens[0]), v.mask);
            p.iter().filter(|(i, _)| *i == b).map(|&(_, w)| w).collect()
        };
        let on = FeatureParams { proximity: 10.0, ..Default::default() };
        let v = HashingVectorizer::new(on.clone().check().unwrap());
        let pairs = target_pairs(text, &[(4, 5)], on);
        assert_eq!(prox(&pairs, &v, "Moscow"), vec![(-0.4f32).exp()]);
        assert_eq!(prox(&pairs, &v, "today"), vec![(-0.3f32).exp()]);
        assert_eq!(prox(&pairs, &v, "leaders"), vec![(-0.1f32).exp()]);
        // The target itself gets none; nor does any word when proximity is off.
        assert!(prox(&pairs, &v, "Kyiv").is_empty());
        let off = target_pairs(text, &[(4, 5)], FeatureParams::default());
        assert!(off.len() + 7 == pairs.len(), "{} vs {}", off.len(), pairs.len());
        // A short scale leaves distant words out (weight under the floor).
        let near = FeatureParams { proximity: 1.0, ..Default::default() };
        let v1 = HashingVectorizer::new(near.clone().check().unwrap());
        let pairs = target_pairs(text, &[(4, 5)], near);
        assert!(prox(&pairs, &v1, "Moscow").is_empty(), "exp(-4) < {PROXIMITY_FLOOR}");
        assert_eq!(prox(&pairs, &v1, "leaders"), vec![(-1.0f32).exp()]);
        for bad in [-1.0, f32::NAN, 65.0] {
            assert!(FeatureParams { proximity: bad, ..Default::default() }.check().is_err(), "{bad}");
        }
    }

    #[test]
    fn claim_cues_mark_refuting_reporting_and_questions_when_the_target_is_absent() {
        let on = FeatureParams { claim_cues: true, ..Default::default() };
        let extra = |text: &str| {
            let with = target_pairs(text, &[], on.clone());
            let without = target_pairs(text, &[], FeatureParams::default());
            assert!(with.starts_with(&without[..1]), "the absent-target cue comes first either way");
            with.len() - without.len()
        };
        // Combination feature only.
        assert_eq!(extra("Apple will sell ten million watches"), 1);
        // Combination + one cue each.
        assert_eq!(extra("Viral photo of the shark is a hoax"), 2);
        assert_eq!(extra("Apple reportedly plans a cheaper watch"), 2);
        assert_eq!(extra("Did the shark swim down the street?"), 2);
        assert_eq!(extra("Police deny reports that the mayor was arrested?"), 4);
        // Different cues, different features.
        let hoax = target_pairs("It is a hoax", &[], on.clone());
        let rumour = target_pairs("It is a rumour", &[], on.clone());
        assert_ne!(hoax, rumour);
        // A target present in the text: the flag changes nothing.
        let present = "Police deny that the mayor was arrested";
        assert_eq!(target_pairs(present, &[(0, 1)], on), target_pairs(present, &[(0, 1)], FeatureParams::default()));
    }

    #[test]
    fn same_input_same_row() {
        let p = FeatureParams::default();
        assert_eq!(row_for("Ankara vetoed the deal.", p.clone()), row_for("Ankara vetoed the deal.", p));
    }

    #[test]
    fn rejects_bad_params() {
        let cases = [
            FeatureParams { buckets_log2: 9, ..Default::default() },
            FeatureParams { buckets_log2: 25, ..Default::default() },
            FeatureParams { word_ngrams: 0, ..Default::default() },
            FeatureParams { char_min: 6, char_max: 5, ..Default::default() },
            FeatureParams { char_min: 0, char_max: 5, ..Default::default() },
            FeatureParams { char_weight: f32::NAN, ..Default::default() },
            FeatureParams { target_window: 17, ..Default::default() },
        ];
        for p in cases {
            assert!(matches!(p.clone().check(), Err(Error::InvalidParam { .. })), "{p:?}");
        }
    }

    #[test]
    fn unicode_words_give_char_ngrams() {
        let row = row_for("Москва", FeatureParams { word_ngrams: 1, char_max: 5, ..Default::default() });
        // 1 word + n-grams of "<москва>" (8 chars): 6 trigrams + 5 4-grams + 4 5-grams.
        assert_eq!(row.nnz(), 1 + 6 + 5 + 4);
    }
}

