//! Raw command-line flags (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// stancer: who takes which stance, sentence by sentence.
///
/// Reads news and analysis articles and labels, for every sentence, the stance of each
/// political actor it names (supportive, cautious, hostile) and the sentence's sentiment.
#[derive(Debug, Parser)]
#[command(name = "stancer", version, about, long_about = None, after_help = "Examples:\n  stancer classify seeds/                 classify the demo articles with the shipped model\n  stancer train --data data/stance.csv    retrain the default model\n  stancer evaluate --folds 5 --json       cross-validate on data/stance.csv\n  stancer bench                           end-to-end throughput on seeds/")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model from a labelled CSV (one head per label column).
    Train(TrainArgs),
    /// Classify articles (.txt files, directories, CSV/JSONL with a text column, or - for stdin).
    Classify(ClassifyArgs),
    /// Score a model on a labelled CSV, or cross-validate training on it.
    Evaluate(EvaluateArgs),
    /// Measure end-to-end throughput and per-stage time.
    Bench(BenchArgs),
    /// List the actor mentions in texts, and capitalised names missing from the registry.
    Actors(ActorsArgs),
}

/// Column flags shared by train and evaluate.
#[derive(Debug, Args, Clone)]
pub struct ColumnArgs {
    /// Text column.
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// Actor (target) column: heads whose labels only appear on rows with an actor are per actor.
    #[arg(long, default_value = "actor")]
    pub actor_col: String,
    /// Label column; repeat for several heads. Default: stance and sentiment if present, else label.
    #[arg(long = "label-col")]
    pub label_col: Vec<String>,
    /// Columns holding the target's character offsets, as START,END (e.g. target_start,target_end).
    #[arg(long, value_name = "START,END")]
    pub span_cols: Option<String>,
    /// Column whose value groups rows for cross-validation and the --l2 auto hold-out
    /// (rows of one group stay on one side), e.g. a claim or document id. Default: the
    /// `id` column's document part (`d1234-5` -> `d1234`), else the text.
    #[arg(long, value_name = "COLUMN")]
    pub group_col: Option<String>,
}

/// Learning flags shared by train and evaluate --folds.
#[derive(Debug, Args, Clone)]
pub struct LearnArgs {
    /// Learning algorithm.
    #[arg(long, default_value = "logistic", value_parser = ["logistic", "bayes"])]
    pub algorithm: String,
    /// Seed (fold assignment; training itself is deterministic).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Actor registry CSV.
    #[arg(long, default_value = "data/actors.csv")]
    pub actors: PathBuf,
    /// L2 regularisation strength of the logistic heads, or "auto": chosen per head from
    /// 1e-3 .. 3e-6 on a held-out fifth of the training rows (grouped by document), or a
    /// comma-separated grid to choose from the same way (strongest first, e.g. 1e-4,1e-5,1e-6,1e-7).
    #[arg(long, default_value = "1e-4")]
    pub l2: String,
    /// What --l2 auto maximises: macro_f1, macro_recall, accuracy or favg:A,B.
    #[arg(long, default_value = "macro_f1")]
    pub select_metric: String,
    /// log2 of the number of hash buckets (18: 262,144; use 20 or more for large
    /// vocabularies, e.g. with character n-grams).
    #[arg(long, default_value_t = 18)]
    pub buckets: u8,
    /// Character n-gram range MIN-MAX inside words (e.g. 3-5, good for tweets), or "off".
    #[arg(long, default_value = "off")]
    pub char_ngrams: String,
    /// Weight of one character n-gram relative to a word.
    #[arg(long, default_value_t = 0.5)]
    pub char_weight: f32,
    /// Class weights of the logistic heads: balanced (n / (k * n_c)) or none.
    #[arg(long, default_value = "balanced", value_parser = ["balanced", "none"])]
    pub class_weight: String,
    /// Longest word n-gram.
    #[arg(long, default_value_t = 2)]
    pub word_ngrams: u8,
    /// Turn off target-conjoined word features.
    #[arg(long)]
    pub no_conjoin: bool,
    /// Conjoin every sentence feature with the target (per-target weights; for few, recurring targets).
    #[arg(long)]
    pub conjoin_all: bool,
    /// Words each side of the target that get side-marked window features (0..16).
    #[arg(long, default_value_t = 4)]
    pub target_window: u8,
    /// Weight of the sentence-level features in per-actor rows, relative to the
    /// target-aware ones (0 < W <= 4; lower = lean on the target's context).
    #[arg(long, value_name = "W", default_value_t = 1.0)]
    pub sentence_weight: f32,
    /// Refutation / reporting cue features ("hoax", "denies", "not" / "reportedly",
    /// "claims", "may", a closing "?") for rows whose target does not occur in the text: a
    /// headline judged against a claim. Raised Emergent's cross-validated accuracy by 0.9-2.2
    /// points (3 fold seeds); slightly lowered tweet stance, so off by default.
    #[arg(long)]
    pub claim_cues: bool,
    /// Distance-weighted word features around the target, with this scale length in words
    /// (0 = off): every word before the target's first mention or after its last gets weight
    /// exp(-distance / SCALE). 10 raised NewsMTSC's cross-validated macro-F1 (fold seeds 42 /
    /// 7: rw +0.9 / +0.7, mt +0.3 / +0.8 points); neutral on data/stance.csv (stance 0.760
    /// either way), so off by default.
    #[arg(long, value_name = "SCALE", default_value_t = 0.0)]
    pub proximity: f32,
    /// NB-SVM scaling of the logistic heads' features: each column is multiplied by
    /// 1 - BETA + BETA * max over classes of |naive Bayes log-count ratio| (0..1; 1 = pure
    /// NB-SVM, 0 = off). 0.5 raised cross-validated macro-F1 on data/stance.csv (stance
    /// 0.740 -> 0.760, sentiment 0.721 -> 0.732, 5 folds, seed 42).
    #[arg(long, value_name = "BETA", default_value_t = 0.5)]
    pub nb_scale: f64,
    /// Smoothing of the --nb-scale log-count ratios (row counts).
    #[arg(long, default_value_t = 1.0)]
    pub nb_alpha: f64,
    /// Blend each logistic head with a complement naive Bayes head; the Bayes weight is
    /// chosen on a held-out fifth of the training rows.
    #[arg(long)]
    pub ensemble: bool,
}

/// `stancer train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled CSV (id,text,actor,stance,sentiment per ANNOTATION.md, or any text/label columns).
    #[arg(long, default_value = "data/stance.csv")]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "models/stancer.model")]
    pub out: PathBuf,
    /// Columns.
    #[command(flatten)]
    pub cols: ColumnArgs,
    /// Learning.
    #[command(flatten)]
    pub learn: LearnArgs,
}

/// `stancer classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Model file (default: the shipped models/stancer.model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"])]
    pub format: String,
    /// Output file (default: standard output).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Inputs: .txt files, directories (recursive), .csv/.jsonl with a text column, or -.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Text column of CSV/JSONL inputs.
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// Actor column of CSV/JSONL inputs (rows with it are classified as given pairs).
    #[arg(long, default_value = "actor")]
    pub actor_col: String,
    /// Id column of CSV/JSONL inputs.
    #[arg(long, default_value = "id")]
    pub id_col: String,
    /// Use this registry instead of the model's own (must have the same fingerprint).
    #[arg(long)]
    pub actors: Option<PathBuf>,
    /// Resolve dated official aliases as of this day (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
    /// Exit with status 3 when any document was skipped.
    #[arg(long)]
    pub strict: bool,
    /// No progress bar or summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `stancer evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Labelled CSV to score on.
    #[arg(long, default_value = "data/stance.csv")]
    pub data: PathBuf,
    /// Score this model (default when --folds is absent: the shipped model).
    #[arg(long, conflicts_with = "folds")]
    pub model: Option<PathBuf>,
    /// Cross-validate with K stratified folds, grouped by document id.
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
    /// Score a predictions CSV (a `label` column, one row per data row, in order) instead of a model.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "folds"])]
    pub predictions: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also report F_avg, the mean F1 of these classes (e.g. FAVOR,AGAINST), pooled.
    #[arg(long, value_name = "A,B")]
    pub favg: Option<String>,
    /// Columns.
    #[command(flatten)]
    pub cols: ColumnArgs,
    /// Learning (with --folds).
    #[command(flatten)]
    pub learn: LearnArgs,
}

/// `stancer bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Model file (default: the shipped model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Repeat the input until it reaches this many megabytes.
    #[arg(long, default_value_t = 4.0)]
    pub min_mb: f64,
    /// Inputs (default: seeds/).
    pub inputs: Vec<PathBuf>,
}

/// `stancer actors`.
#[derive(Debug, Args)]
pub struct ActorsArgs {
    /// Registry CSV (default: the shipped model's registry).
    #[arg(long)]
    pub registry: Option<PathBuf>,
    /// Model whose registry to use.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Resolve dated official aliases as of this day (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
    /// Texts: files or directories; - for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}
