//! The pipeline: analyzer + gazetteer + vectorizer + fitted heads; classify one document
//! or a batch, and train from labelled rows.

pub mod ordered;
pub mod train;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::actors::gazetteer::{Gazetteer, Mention};
use crate::error::Result;
use crate::features::hashing::fnv1a64;
use crate::features::sparse::SparseRow;
use crate::features::vectorizer::{inv_norm, FeatureParams, HashingVectorizer, Target};
use crate::model::labels::LabelSet;
use crate::model::linear::{argmax, LinearModel};
use crate::model::packed::PackedHeads;
use crate::text::analyzer::{Analyzer, AnalyzerParams, AnalyzerScratch};
use crate::text::segment::{SentenceSplitter, Span};

/// What one head labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// One label per (sentence, actor) pair: target-aware features.
    Actor,
    /// One label per sentence.
    Sentence,
}

/// The learning algorithm of a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    /// Sparse multinomial logistic regression (L-BFGS).
    Logistic,
    /// Complement naive Bayes.
    Bayes,
}

impl std::str::FromStr for Algorithm {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "logistic" => Ok(Algorithm::Logistic),
            "bayes" => Ok(Algorithm::Bayes),
            other => Err(format!("unknown algorithm '{other}' (expected logistic or bayes)")),
        }
    }
}

/// One fitted head.
#[derive(Debug, Clone)]
pub struct Head {
    /// Name (the label column it was trained on).
    pub name: String,
    /// Per actor or per sentence.
    pub scope: Scope,
    /// Class names in order.
    pub labels: LabelSet,
    /// Algorithm that fitted it.
    pub algorithm: Algorithm,
    /// The weights.
    pub model: LinearModel,
}

/// A label with its class probabilities, in the head's label order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prediction {
    /// Index of the predicted class.
    pub label: usize,
    /// Probability of each class.
    pub probs: Vec<f32>,
}

/// One actor in one sentence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActorResult {
    /// Canonical actor name.
    pub actor: String,
    /// The alias as written (first mention), empty when the actor was given, not found.
    pub alias: String,
    /// Byte span of that alias in the document (None when not found in the text).
    pub span: Option<Span>,
    /// One prediction per actor-scope head, in head order.
    pub heads: Vec<Prediction>,
}

/// One sentence of a document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SentenceResult {
    /// 0-based index in the document.
    pub index: usize,
    /// Byte span in the document.
    pub span: Span,
    /// One prediction per sentence-scope head, in head order.
    pub heads: Vec<Prediction>,
    /// Actors found in the sentence, in order of first mention.
    pub actors: Vec<ActorResult>,
}

/// Per-worker scratch buffers; reused across sentences so hot loops do not allocate.
#[derive(Default)]
pub struct Scratch {
    analyzer: AnalyzerScratch,
    pairs: Vec<(u32, f32)>,
    order: Vec<(u32, Mention)>,
    base: Vec<(u32, f32)>,
    row: SparseRow,
    mentions: Vec<Mention>,
    ranges: Vec<(usize, usize)>,
    others: Vec<(usize, usize)>,
    spans: Vec<Span>,
    scores: Vec<f32>,
    seq: Vec<(u64, usize)>,
    base_row: SparseRow,
    target_block: SparseRow,
    dots: Vec<f32>,
    /// Every head's dot products with the sentence block.
    base_dots: Vec<f32>,
    /// Actor rows dropped from recycled results, kept with their allocations (names,
    /// prediction vectors) for the next sentence with more actors.
    spare_actors: Vec<ActorResult>,
}

impl Scratch {
    /// The last target block built (merged, unnormalised).
    pub(crate) fn target_block(&self) -> &SparseRow {
        &self.target_block
    }
}

/// A trained pipeline, ready to classify.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub(crate) splitter: SentenceSplitter,
    pub(crate) analyzer_params: AnalyzerParams,
    pub(crate) analyzer: std::sync::Arc<Analyzer>,
    pub(crate) gazetteer: Gazetteer,
    pub(crate) vectorizer: HashingVectorizer,
    heads: Vec<Head>,
    /// The heads' weights in their prediction-time layout (kept in step with `heads`).
    packed: PackedHeads,
    /// [`actor_hash`] of each registry actor, by id (kept in step with `gazetteer`).
    actor_hashes: Vec<u64>,
}

/// The prediction-time layout of `heads`' weights.
fn pack(heads: &[Head]) -> Result<PackedHeads> {
    PackedHeads::new(&heads.iter().map(|h| &h.model).collect::<Vec<_>>())
}

/// Maps a byte span to the `[start, end)` range of tokens inside it.
fn token_range(tokens: &[crate::text::analyzer::Token], span: Span) -> (usize, usize) {
    let s = tokens.partition_point(|t| t.span.start < span.start);
    let e = tokens.partition_point(|t| t.span.start < span.end);
    (s, e.max(s))
}

impl Pipeline {
    /// Assembles a pipeline from its parts.
    pub fn from_parts(analyzer_params: AnalyzerParams, features: FeatureParams, gazetteer: Gazetteer, heads: Vec<Head>) -> Result<Self> {
        let vectorizer = HashingVectorizer::new(features.check()?);
        let analyzer = std::sync::Arc::new(Analyzer::new(&analyzer_params));
        let packed = pack(&heads)?;
        let actor_hashes = actor_hashes(&gazetteer);
        Ok(Self { splitter: SentenceSplitter::default(), analyzer_params, analyzer, gazetteer, vectorizer, heads, packed, actor_hashes })
    }

    /// Replaces the heads (all of the vectorizer's width).
    ///
    /// # Errors
    /// [`crate::error::Error::Dimension`] when the heads differ in width.
    pub fn set_heads(&mut self, heads: Vec<Head>) -> Result<()> {
        self.packed = pack(&heads)?;
        self.heads = heads;
        Ok(())
    }

    /// The heads' weights in their prediction-time layout (head `i` of
    /// [`heads`](Self::heads) is packed head `i`).
    pub fn packed(&self) -> &PackedHeads {
        &self.packed
    }

    /// The heads, in order.
    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// The actor registry.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Replaces the registry (the caller checks fingerprints).
    pub fn set_gazetteer(&mut self, g: Gazetteer) {
        self.actor_hashes = actor_hashes(&g);
        self.gazetteer = g;
    }

    /// The vectorizer.
    pub fn vectorizer(&self) -> &HashingVectorizer {
        &self.vectorizer
    }

    /// The analyzer settings.
    pub fn analyzer_params(&self) -> &AnalyzerParams {
        &self.analyzer_params
    }

    /// Features of a sentence for sentence-scope heads.
    pub fn sentence_row(&self, text: &str, s: &mut Scratch, out: &mut SparseRow) {
        self.analyzer.analyze(text, &mut s.analyzer);
        // `s.pairs` may still hold a target block from an earlier actor row.
        s.pairs.clear();
        self.vectorizer.sentence_features(&s.analyzer, &mut s.pairs);
        self.vectorizer.finish(&mut s.pairs, out);
    }

    /// Features of a (sentence, actor) pair for actor-scope heads. The target is found
    /// by the registry (mentions whose canonical name is `actor`), else by a
    /// case-insensitive search for `actor` itself, else by `span` when given; when none
    /// applies the row carries a "target absent" feature. Returns the first target span.
    ///
    /// The row is the sentence block (the sentence-scope features) joined with the target
    /// block, normalised together (see [`HashingVectorizer::join`]).
    pub fn actor_row(&self, text: &str, actor: &str, span: Option<Span>, s: &mut Scratch, out: &mut SparseRow) -> Option<Span> {
        self.prepare_sentence(text, s);
        let mut base_sumsq = self.vectorizer.merge(&s.base, &mut s.base_row);
        let w = self.vectorizer.params().sentence_weight;
        if w != 1.0 {
            s.base_row.values.iter_mut().for_each(|v| *v *= w);
            base_sumsq *= w * w;
        }
        let (first, target_sumsq) = self.target_block(text, actor, span, s);
        self.vectorizer.join(&s.base_row, base_sumsq, &s.target_block, target_sumsq, out);
        first
    }

    /// The target block of `actor` (merged, unnormalised, into `s.target_block`), given a
    /// sentence already analysed into `s` (tokens, mentions and sentence-level pairs in
    /// `s.base`, see [`prepare_sentence`](Self::prepare_sentence)). Returns the first
    /// target span and the block's squared norm.
    pub(crate) fn target_block(&self, text: &str, actor: &str, span: Option<Span>, s: &mut Scratch) -> (Option<Span>, f32) {
        self.target_block_with(text, self.gazetteer.actor_id(actor), actor, actor_hash(actor), span, s)
    }

    /// [`target_block`](Self::target_block) for a registry actor known by id: no name
    /// search, no name hashing.
    pub(crate) fn registry_target_block(&self, text: &str, id: u32, s: &mut Scratch) -> (Option<Span>, f32) {
        let name = self.gazetteer.actor_name(id);
        let hash = self.actor_hashes.get(id as usize).copied().unwrap_or_else(|| actor_hash(name));
        self.target_block_with(text, Some(id), name, hash, None, s)
    }

    /// The target block of `actor` (registry id `id`, [`actor_hash`] `hash`).
    fn target_block_with(&self, text: &str, id: Option<u32>, actor: &str, hash: u64, span: Option<Span>, s: &mut Scratch) -> (Option<Span>, f32) {
        s.ranges.clear();
        s.others.clear();
        let mut first = None;
        if let Some(sp) = span.filter(|sp| sp.end <= text.len() && sp.start < sp.end) {
            s.ranges.push(token_range(&s.analyzer.tokens, sp));
            first = Some(sp);
        }
        for m in &s.mentions {
            let r = token_range(&s.analyzer.tokens, m.span);
            let overlaps_given = first.is_some_and(|f| m.span.start < f.end && f.start < m.span.end);
            if span.is_none() && Some(m.actor) == id {
                s.ranges.push(r);
                first.get_or_insert(m.span);
            } else if !overlaps_given {
                s.others.push(r);
            }
        }
        if s.ranges.is_empty() {
            if let Some(sp) = find_ascii_ci(text, actor) {
                s.ranges.push(token_range(&s.analyzer.tokens, sp));
                first = Some(sp);
            }
        }
        let target = Target { tokens: &s.ranges, others: &s.others, actor_hash: hash };
        s.pairs.clear();
        self.vectorizer.conjoin_pairs(&s.base, target.actor_hash, &mut s.pairs);
        self.vectorizer.target_features_with(&s.analyzer, &target, &mut s.seq, &mut s.pairs);
        let sumsq = self.vectorizer.merge(&s.pairs, &mut s.target_block);
        (first, sumsq)
    }

    /// Analyses `text` into `s`: tokens, actor mentions and sentence-level pairs.
    pub(crate) fn prepare_sentence(&self, text: &str, s: &mut Scratch) {
        self.analyzer.analyze(text, &mut s.analyzer);
        self.gazetteer.find_into(text, &mut s.mentions);
        s.base.clear();
        self.vectorizer.sentence_features(&s.analyzer, &mut s.base);
    }

    fn predict(&self, head: &Head, row: &SparseRow, s: &mut Scratch) -> Prediction {
        s.scores.resize(head.model.n_classes(), 0.0);
        head.model.predict_proba_row(row, &mut s.scores);
        Prediction { label: argmax(&s.scores), probs: s.scores.clone() }
    }

    /// Prediction from a head's dot products with an unnormalised row and the row's scale,
    /// written into `out` (its allocation reused).
    fn predict_dots_into(head: &Head, dots: &[f32], scale: f32, out: &mut Prediction) {
        out.probs.clear();
        out.probs.resize(head.model.n_classes(), 0.0);
        head.model.proba_from_dots(dots, scale, &mut out.probs);
        out.label = argmax(&out.probs);
    }

    /// Classifies one sentence: sentence heads, then every actor it mentions. The sentence
    /// is analysed, matched and featurised once, and its block is scored once per head;
    /// each actor only adds the scores of its own target block (the same result as scoring
    /// the joined row of [`actor_row`](Self::actor_row)).
    /// `offset` is added to every span (the sentence's position in its document).
    pub fn classify_sentence(&self, text: &str, index: usize, offset: usize, s: &mut Scratch) -> SentenceResult {
        let mut out = SentenceResult::default();
        self.classify_sentence_into(text, index, offset, s, &mut out);
        out
    }

    /// [`classify_sentence`](Self::classify_sentence) into an existing result, reusing its
    /// allocations (strings, prediction vectors): a batch that recycles its results does not
    /// allocate per sentence.
    pub fn classify_sentence_into(&self, text: &str, index: usize, offset: usize, s: &mut Scratch, out: &mut SentenceResult) {
        self.prepare_sentence(text, s);
        let mut base_row = std::mem::take(&mut s.base_row);
        let base_sumsq = self.vectorizer.merge(&s.base, &mut base_row);
        let inv = inv_norm(base_sumsq);
        let mut dots = std::mem::take(&mut s.dots);
        out.index = index;
        out.span = Span { start: offset, end: offset + text.len() };
        // The sentence block's dot products with every head, in one pass over its features.
        let mut base_dots = std::mem::take(&mut s.base_dots);
        base_dots.clear();
        base_dots.resize(self.packed.width(), 0.0);
        self.packed.accumulate_all(&base_row.indices, &base_row.values, &mut base_dots);
        let mut n_heads = 0;
        for (i, h) in self.heads.iter().enumerate().filter(|(_, h)| h.scope == Scope::Sentence) {
            Self::predict_dots_into(h, &base_dots[self.packed.head_range(i)], inv, slot(&mut out.heads, n_heads));
            n_heads += 1;
        }
        out.heads.truncate(n_heads);
        // Distinct actors in order of first mention.
        let mut order = std::mem::take(&mut s.order);
        order.clear();
        for m in &s.mentions {
            if !order.iter().any(|(a, _)| *a == m.actor) {
                order.push((m.actor, *m));
            }
        }
        let mut n_actors = 0;
        if !order.is_empty() && self.heads.iter().any(|h| h.scope == Scope::Actor) {
            // The sentence block's dot products with the actor heads, head after head,
            // followed by room for one actor's total.
            dots.clear();
            for (i, _) in self.heads.iter().enumerate().filter(|(_, h)| h.scope == Scope::Actor) {
                dots.extend_from_slice(&base_dots[self.packed.head_range(i)]);
            }
            // The sentence block weighs `sentence_weight` in actor rows (see `actor_row`).
            let w = self.vectorizer.params().sentence_weight;
            if w != 1.0 {
                dots.iter_mut().for_each(|d| *d *= w);
            }
            let actor_base_sumsq = base_sumsq * w * w;
            let n_base = dots.len();
            for &(actor, first) in &order {
                let name = self.gazetteer.actor_name(actor);
                let (_, target_sumsq) = self.registry_target_block(text, actor, s);
                let inv = inv_norm(actor_base_sumsq + target_sumsq);
                if out.actors.len() <= n_actors {
                    out.actors.push(s.spare_actors.pop().unwrap_or_default());
                }
                let r = &mut out.actors[n_actors];
                let mut at = 0;
                let mut n_heads = 0;
                for (i, h) in self.heads.iter().enumerate().filter(|(_, h)| h.scope == Scope::Actor) {
                    let k = h.model.n_classes();
                    dots.truncate(n_base);
                    dots.extend_from_within(at..at + k);
                    self.packed.accumulate(i, &s.target_block.indices, &s.target_block.values, &mut dots[n_base..]);
                    Self::predict_dots_into(h, &dots[n_base..], inv, slot(&mut r.heads, n_heads));
                    n_heads += 1;
                    at += k;
                }
                r.heads.truncate(n_heads);
                r.actor.clear();
                r.actor.push_str(name);
                r.alias.clear();
                r.alias.push_str(first.span.of(text));
                r.span = Some(Span { start: first.span.start + offset, end: first.span.end + offset });
                n_actors += 1;
            }
        }
        // Rows beyond this sentence's actors keep their allocations for later sentences.
        s.spare_actors.extend(out.actors.drain(n_actors..));
        s.order = order;
        s.base_row = base_row;
        s.dots = dots;
        s.base_dots = base_dots;
    }

    /// Classifies a (sentence, actor) pair as given, without segmentation or detection.
    pub fn classify_pair(&self, text: &str, actor: &str, s: &mut Scratch) -> SentenceResult {
        let mut row = std::mem::take(&mut s.row);
        self.sentence_row(text, s, &mut row);
        let heads = self.heads.iter().filter(|h| h.scope == Scope::Sentence).map(|h| self.predict(h, &row, s)).collect();
        let mut actors = Vec::new();
        if !actor.is_empty() {
            let span = self.actor_row(text, actor, None, s, &mut row);
            let preds = self.heads.iter().filter(|h| h.scope == Scope::Actor).map(|h| self.predict(h, &row, s)).collect();
            actors.push(ActorResult { actor: actor.to_owned(), alias: span.map(|sp| sp.of(text).to_owned()).unwrap_or_default(), span, heads: preds });
        }
        s.row = row;
        SentenceResult { index: 0, span: Span { start: 0, end: text.len() }, heads, actors }
    }

    /// Splits a document into sentences and classifies each.
    pub fn classify_document(&self, text: &str, s: &mut Scratch) -> Vec<SentenceResult> {
        let mut spans = std::mem::take(&mut s.spans);
        self.splitter.split_into(text, &mut spans);
        let out = spans.iter().enumerate().map(|(i, sp)| self.classify_sentence(sp.of(text), i, sp.start, s)).collect();
        s.spans = spans;
        out
    }

    /// Classifies many documents in parallel (rayon), results in input order.
    pub fn classify_batch<T: AsRef<str> + Sync>(&self, docs: &[T]) -> Vec<Vec<SentenceResult>> {
        self.classify_batch_with(docs, |_, r| r.to_vec()).into_iter().map(|units| units.into_iter().flatten().collect()).collect()
    }

    /// Classifies many documents in parallel and maps each unit of work (a run of at most
    /// [`UNIT_SENTENCES`] consecutive sentences of one document) with `f(document index,
    /// results)` on the worker that classified it. Returns each document's mapped units in
    /// order (none for a document without sentences).
    ///
    /// Work is shared out by sentence runs rather than by document, so that a batch of a
    /// few long documents keeps every worker busy to its end.
    pub fn classify_batch_with<T, R, F>(&self, docs: &[T], f: F) -> Vec<Vec<R>>
    where
        T: AsRef<str> + Sync,
        R: Send,
        F: Fn(usize, &[SentenceResult]) -> R + Sync,
    {
        let splits: Vec<Vec<Span>> = docs.par_iter().map(|d| self.splitter.split(d.as_ref())).collect();
        let units: Vec<(usize, usize, &[Span])> = splits
            .iter()
            .enumerate()
            .flat_map(|(d, spans)| spans.chunks(UNIT_SENTENCES).enumerate().map(move |(c, ch)| (d, c * UNIT_SENTENCES, ch)))
            .collect();
        let mapped: Vec<R> = units.par_iter().map(|&(d, first, spans)| self.classify_run_with(docs[d].as_ref(), spans, first, |res| f(d, res))).collect();
        let mut out: Vec<Vec<R>> = docs.iter().map(|_| Vec::new()).collect();
        for (&(d, _, _), r) in units.iter().zip(mapped) {
            out[d].push(r);
        }
        out
    }

    /// Classifies the sentences `spans` of `text` (the first of them being sentence number
    /// `first`) on this thread and maps their results with `f`. The thread's scratch space
    /// and results are reused: a worker that classifies run after run keeps its stem cache
    /// warm and does not allocate per sentence.
    pub fn classify_run_with<R>(&self, text: &str, spans: &[Span], first: usize, f: impl FnOnce(&[SentenceResult]) -> R) -> R {
        // Results are recycled, never dropped: their allocations (strings, prediction
        // vectors) serve the thread's next run.
        let mut res = WORKER_RESULTS.with(|c| c.take());
        if res.len() < spans.len() {
            res.resize_with(spans.len(), SentenceResult::default);
        }
        with_worker_scratch(|s| {
            for ((i, sp), r) in spans.iter().enumerate().zip(res.iter_mut()) {
                self.classify_sentence_into(sp.of(text), first + i, sp.start, s, r);
            }
        });
        let mapped = f(&res[..spans.len()]);
        WORKER_RESULTS.with(|c| c.replace(res));
        mapped
    }

    /// [`classify_pair`](Self::classify_pair) with this thread's scratch space.
    pub fn classify_pair_here(&self, text: &str, actor: &str) -> SentenceResult {
        with_worker_scratch(|s| self.classify_pair(text, actor, s))
    }
}

/// Element `i` of `v`, appending defaults up to it: results reuse their old elements.
fn slot<T: Default>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

thread_local! {
    /// Each worker thread's scratch space, kept across batches so that its stem cache stays warm.
    static WORKER_SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
    /// Each worker thread's recycled results (taken while a unit uses them, so a nested
    /// call starts from an empty set rather than failing).
    static WORKER_RESULTS: std::cell::Cell<Vec<SentenceResult>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Runs `f` with this thread's scratch space (a fresh one if it is already in use).
fn with_worker_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    WORKER_SCRATCH.with(|c| match c.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Sentences per unit of parallel work in [`Pipeline::classify_batch_with`].
pub const UNIT_SENTENCES: usize = 256;

/// [`actor_hash`] of every actor of `g`, by id.
fn actor_hashes(g: &Gazetteer) -> Vec<u64> {
    g.actors().iter().map(|a| actor_hash(a)).collect()
}

/// Hash of an actor's canonical name for target-conjoined features (lowercased FNV-1a).
fn actor_hash(actor: &str) -> u64 {
    if actor.is_ascii() {
        let mut h = crate::features::hashing::FNV_OFFSET;
        for b in actor.bytes() {
            h ^= b.to_ascii_lowercase() as u64;
            h = h.wrapping_mul(crate::features::hashing::FNV_PRIME);
        }
        h
    } else {
        fnv1a64(actor.to_lowercase().as_bytes())
    }
}

/// ASCII case-insensitive search for `needle` on word boundaries.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<Span> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len() - n.len()).find_map(|i| {
        let window = &h[i..i + n.len()];
        let hit = window.eq_ignore_ascii_case(n)
            && hay.is_char_boundary(i)
            && hay.is_char_boundary(i + n.len())
            && (i == 0 || !h[i - 1].is_ascii_alphanumeric())
            && h.get(i + n.len()).is_none_or(|b| !b.is_ascii_alphanumeric());
        hit.then_some(Span { start: i, end: i + n.len() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_targets_case_insensitively_on_word_boundaries() {
        assert_eq!(find_ascii_ci("I back hillary clinton now", "Hillary Clinton"), Some(Span { start: 7, end: 22 }));
        assert_eq!(find_ascii_ci("Hillaryclinton", "Hillary"), None);
        assert_eq!(find_ascii_ci("", "x"), None);
    }

    /// Compile-time check: pipelines and models can be shared across rayon workers.
    #[test]
    fn pipeline_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pipeline>();
        assert_send_sync::<LinearModel>();
    }
}
