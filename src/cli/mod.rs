//! The command-line layer: validated configuration and the subcommands. Only this module
//! (and `main.rs`) prints.

pub mod args;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;

use crate::actors::gazetteer::{parse_date, Gazetteer};
use crate::error::{Error, Result};
use crate::features::vectorizer::FeatureParams;
use crate::io::csv::{read_labelled, Columns};
use crate::io::input::{DocText, InputColumns, InputDoc, InputStream};
use crate::io::model_file;
use crate::io::output::{Format, RowWriter};
use crate::model::labels::LabelSet;
use crate::model::linear::{argmax, softmax};
use crate::model::nb_scale::NbScaleParams;
use crate::pipeline::train::{cross_validate, train, TrainConfig};
use crate::pipeline::ordered::for_each_ordered;
use crate::pipeline::{Pipeline, Scope, Scratch, SentenceResult, UNIT_SENTENCES};
use crate::text::segment::Span;
use crate::report::metrics::Metrics;
use crate::report::throughput::{StageTimes, Throughput};
use args::{ActorsArgs, BenchArgs, ClassifyArgs, ColumnArgs, Command, EvaluateArgs, LearnArgs, TrainArgs};

/// Exit status when `--strict` finds skipped documents.
pub const EXIT_SKIPPED: u8 = 3;

/// The shipped default model path: `models/stancer.model` under the current directory,
/// else under the source tree the binary was built from.
pub fn default_model() -> PathBuf {
    let local = PathBuf::from("models/stancer.model");
    if local.exists() {
        return local;
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/stancer.model");
    if built.exists() {
        built
    } else {
        local
    }
}

fn default_path(p: &Path) -> PathBuf {
    if p.exists() || p.is_absolute() {
        return p.to_owned();
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
    if built.exists() {
        built
    } else {
        p.to_owned()
    }
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let n = threads.unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| Error::InvalidParam { name: "threads", message: e.to_string() })
}

fn columns(c: &ColumnArgs) -> Result<Columns> {
    let span = match &c.span_cols {
        None => None,
        Some(s) => match s.split_once(',') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => Some((a.trim().to_owned(), b.trim().to_owned())),
            _ => return Err(Error::InvalidParam { name: "span-cols", message: format!("'{s}' (expected START,END column names)") }),
        },
    };
    Ok(Columns { text: c.text_col.clone(), actor: c.actor_col.clone(), actor_required: c.actor_col != "actor", labels: c.label_col.clone(), span, group: c.group_col.clone() })
}

fn train_config(l: &LearnArgs) -> Result<TrainConfig> {
    let (char_min, char_max) = if l.char_ngrams == "off" {
        (0, 0)
    } else {
        match l.char_ngrams.split_once('-').map(|(a, b)| (a.parse::<u8>(), b.parse::<u8>())) {
            Some((Ok(a), Ok(b))) => (a, b),
            _ => return Err(Error::InvalidParam { name: "char-ngrams", message: format!("'{}' (expected MIN-MAX such as 3-5, or off)", l.char_ngrams) }),
        }
    };
    let features = FeatureParams {
        buckets_log2: l.buckets,
        char_min: char_min.max(if char_max == 0 { 0 } else { 1 }),
        char_max,
        word_ngrams: l.word_ngrams,
        target_conjoin: !l.no_conjoin,
        conjoin_all: l.conjoin_all,
        char_weight: l.char_weight,
        target_window: l.target_window,
        sentence_weight: l.sentence_weight,
        claim_cues: l.claim_cues,
        proximity: l.proximity,
        ..FeatureParams::default()
    };
    let features = features.check()?.get().clone();
    let (l2, l2_grid) = if l.l2 == "auto" {
        (1e-4, crate::pipeline::train::L2_GRID.to_vec())
    } else if l.l2.contains(',') {
        let grid: Option<Vec<f64>> = l.l2.split(',').map(|v| v.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)).collect();
        match grid {
            Some(g) => (g[0], g),
            None => return Err(Error::InvalidParam { name: "l2", message: format!("'{}' (expected numbers >= 0 separated by commas)", l.l2) }),
        }
    } else {
        match l.l2.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => (v, Vec::new()),
            _ => return Err(Error::InvalidParam { name: "l2", message: format!("'{}' (expected a number >= 0 or auto)", l.l2) }),
        }
    };
    let select = l.select_metric.parse().map_err(|m| Error::InvalidParam { name: "select-metric", message: m })?;
    let algorithm = l.algorithm.parse().map_err(|m| Error::InvalidParam { name: "algorithm", message: m })?;
    let nb = NbScaleParams::new(l.nb_scale).alpha(l.nb_alpha).check()?.get().clone();
    let nb_scale = (nb.beta > 0.0).then_some(nb);
    Ok(TrainConfig { features, algorithm, l2, seed: l.seed, l2_grid, select, balanced: l.class_weight == "balanced", nb_scale, ensemble: l.ensemble, ..TrainConfig::default() })
}

fn warn_all(lines: &[String], limit: usize) {
    for l in lines.iter().take(limit) {
        if l.starts_with("note: ") {
            eprintln!("{l}");
        } else {
            eprintln!("warning: {l}");
        }
    }
    if lines.len() > limit {
        eprintln!("warning: ... and {} more", lines.len() - limit);
    }
}

fn progress(len: Option<u64>, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})").unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{spinner} {msg} {pos} ({per_sec})").unwrap_or_else(|_| ProgressStyle::default_spinner())),
    };
    bar.set_message(what.to_owned());
    bar
}

/// Runs a parsed command line; returns the process exit status.
///
/// # Errors
/// Any error of the command; `main` prints it.
pub fn run(cmd: Command) -> Result<u8> {
    match cmd {
        Command::Train(a) => cmd_train(a),
        Command::Classify(a) => cmd_classify(a),
        Command::Evaluate(a) => cmd_evaluate(a),
        Command::Bench(a) => cmd_bench(a),
        Command::Actors(a) => cmd_actors(a),
    }
}

fn cmd_train(a: TrainArgs) -> Result<u8> {
    let cfg = train_config(&a.learn)?;
    let cols = columns(&a.cols)?;
    let pool = pool(a.learn.threads)?;
    let started = Instant::now();
    let data = read_labelled(&default_path(&a.data), &cols)?;
    warn_all(&data.warnings, 10);
    warn_all(&data.skipped, 10);
    let gaz = Gazetteer::from_path(&default_path(&a.learn.actors))?;
    let mut warnings = Vec::new();
    let bar = progress(None, "training");
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let p = pool.install(|| train(&data, &cfg, gaz, &mut warnings))?;
    bar.finish_and_clear();
    warn_all(&warnings, 10);
    model_file::save(&p, &a.out)?;
    let heads: Vec<String> = p
        .heads()
        .iter()
        .map(|h| format!("{} ({}, {}: {})", h.name, if h.scope == Scope::Actor { "per actor" } else { "per sentence" }, h.labels.len(), h.labels.names().join("/")))
        .collect();
    eprintln!(
        "trained {} from {} rows of {} ({} skipped) in {:.1}s; heads: {}",
        a.out.display(),
        data.rows.len(),
        data.path.display(),
        data.skipped.len(),
        started.elapsed().as_secs_f64(),
        heads.join("; ")
    );
    Ok(0)
}

/// Parses a `--date YYYY-MM-DD` flag.
fn date_arg(date: Option<&String>) -> Result<Option<u32>> {
    date.map(|d| parse_date(d).ok_or_else(|| Error::InvalidParam { name: "date", message: format!("'{d}' (expected YYYY-MM-DD)") })).transpose()
}

fn load_model(path: Option<&PathBuf>, actors: Option<&PathBuf>, date: Option<&String>) -> Result<Pipeline> {
    let path = path.cloned().unwrap_or_else(default_model);
    let mut p = model_file::load(&path)?;
    let date = date_arg(date)?;
    if let Some(reg) = actors {
        let g = Gazetteer::from_path(reg)?;
        if g.fingerprint() != p.gazetteer().fingerprint() {
            return Err(Error::RegistryMismatch { path: reg.clone(), expected: p.gazetteer().fingerprint(), found: g.fingerprint() });
        }
    }
    if date.is_some() {
        let g = p.gazetteer().clone().with_date(date);
        p.set_gazetteer(g);
    }
    Ok(p)
}

/// Documents per batch read ahead and the byte budget that also closes a batch: bounds
/// the input held in memory.
const BATCH_DOCS: usize = 256;
const BATCH_BYTES: usize = 4 << 20;
/// Documents above this size travel in a batch of their own.
const BIG_DOC: usize = 1 << 20;

/// Reads `stream` into batches of at most [`BATCH_DOCS`] documents and [`BATCH_BYTES`]
/// bytes (a document over [`BIG_DOC`] travels alone) and sends them, until the input ends
/// or the receiver hangs up.
fn read_batches(stream: InputStream, tx: &std::sync::mpsc::SyncSender<Vec<InputDoc>>) {
    let mut stream = stream.peekable();
    loop {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_DOCS && bytes < BATCH_BYTES {
            if !batch.is_empty() && stream.peek().is_some_and(|d| d.bytes > BIG_DOC) {
                break;
            }
            let Some(d) = stream.next() else { break };
            bytes += d.bytes;
            batch.push(d);
        }
        if batch.is_empty() || tx.send(batch).is_err() {
            return;
        }
    }
}

/// Renders the rows of some sentences of document `id` into a buffer from the pool.
fn render(p: &Pipeline, buffers: &Buffers, format: Format, id: &str, text: &str, res: &[SentenceResult]) -> std::io::Result<Piece> {
    let mut w = RowWriter::without_header(buffers.take(), format, p.heads());
    res.iter().try_for_each(|r| w.write_sentence(id, text, r))?;
    Ok(Piece { sentences: res.len(), rows: w.rows(), bytes: w.into_inner() })
}

/// Output buffers that the writer hands back for the workers to render into again: fresh
/// buffers for every unit of work cost a page fault per 4 KiB of output.
#[derive(Default)]
struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// Most buffers kept for reuse.
    const KEEP: usize = 64;

    fn take(&self) -> Vec<u8> {
        self.0.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default()
    }

    fn give(&self, mut b: Vec<u8>) {
        b.clear();
        if let Ok(mut v) = self.0.lock() {
            if v.len() < Self::KEEP {
                v.push(b);
            }
        }
    }
}

/// One unit of work rendered: its sentence and row counts and the rows' bytes.
struct Piece {
    sentences: usize,
    rows: u64,
    bytes: Vec<u8>,
}

/// One job of a batch's output, in output order. Every document has at least one, so that
/// each is accounted for (written, or reported as skipped) in input order.
struct Job<'a> {
    doc: usize,
    /// The first and the last job of its document.
    first: bool,
    last: bool,
    work: Work<'a>,
}

enum Work<'a> {
    /// A run of at most [`UNIT_SENTENCES`] sentences of an article, the first of them being
    /// sentence number `first`.
    Run { text: &'a str, first: usize, spans: &'a [Span] },
    /// A (sentence, actor) pair from a CSV or JSONL row.
    Pair { text: &'a str, actor: &'a str },
    /// Nothing to classify: an article without sentences, or a skipped document.
    Nothing,
}

/// The jobs of a batch whose articles were split into `splits`.
fn jobs<'a>(batch: &'a [InputDoc], splits: &'a [Vec<Span>]) -> Vec<Job<'a>> {
    let mut jobs = Vec::new();
    for (doc, (d, spans)) in batch.iter().zip(splits).enumerate() {
        let start = jobs.len();
        match &d.text {
            Ok(DocText::Article(text)) => {
                for (c, run) in spans.chunks(UNIT_SENTENCES).enumerate() {
                    jobs.push(Job { doc, first: false, last: false, work: Work::Run { text, first: c * UNIT_SENTENCES, spans: run } });
                }
            }
            Ok(DocText::Pair { text, actor }) => jobs.push(Job { doc, first: false, last: false, work: Work::Pair { text, actor } }),
            Err(_) => {}
        }
        if jobs.len() == start {
            jobs.push(Job { doc, first: false, last: false, work: Work::Nothing });
        }
        jobs[start].first = true;
        if let Some(j) = jobs.last_mut() {
            j.last = true;
        }
    }
    jobs
}

/// What `classify` has done so far, for its summary line.
#[derive(Default)]
struct Tally {
    docs_ok: usize,
    sentences: usize,
    skipped: Vec<String>,
    warnings: usize,
}

/// Classifies a batch and writes its rows in input order. Runs of sentences are classified
/// and rendered on the workers while this thread writes the rendered runs as they come in
/// ([`for_each_ordered`]): only a few runs' output is in memory at once, even for one huge
/// document.
#[allow(clippy::too_many_arguments)]
fn stream_batch<W: Write>(p: &Pipeline, pool: &rayon::ThreadPool, batch: &[InputDoc], writer: &mut RowWriter<W>, buffers: &Buffers, tally: &mut Tally, quiet: bool, bar: &ProgressBar) -> std::io::Result<()> {
    let splits: Vec<Vec<Span>> = pool.install(|| {
        batch
            .par_iter()
            .map(|d| match &d.text {
                Ok(DocText::Article(text)) => p.splitter.split(text),
                _ => Vec::new(),
            })
            .collect()
    });
    let jobs = jobs(batch, &splits);
    let format = writer.format();
    writer.write_header()?;
    let window = 4 * pool.current_num_threads();
    let work = |_: usize, job: &Job<'_>| -> std::io::Result<Option<Piece>> {
        let id = &batch[job.doc].id;
        match job.work {
            Work::Run { text, first, spans } => p.classify_run_with(text, spans, first, |res| render(p, buffers, format, id, text, res)).map(Some),
            Work::Pair { text, actor } => render(p, buffers, format, id, text, &[p.classify_pair_here(text, actor)]).map(Some),
            Work::Nothing => Ok(None),
        }
    };
    for_each_ordered(pool, &jobs, window, work, |j, piece| {
        let job = &jobs[j];
        let doc = &batch[job.doc];
        if job.first {
            tally.warnings += report_warnings(doc, quiet, bar);
        }
        if let Some(pc) = piece? {
            tally.sentences += pc.sentences;
            writer.write_rendered(&pc.bytes, pc.rows)?;
            buffers.give(pc.bytes);
        }
        if job.last {
            match &doc.text {
                Ok(_) => tally.docs_ok += 1,
                Err(reason) => {
                    if !quiet {
                        bar.suspend(|| eprintln!("skipped: {}: {reason}", doc.id));
                    }
                    tally.skipped.push(doc.id.clone());
                }
            }
            bar.inc(1);
        }
        Ok(())
    })
}

/// Prints a document's reading warnings (unless `quiet`); how many there were.
fn report_warnings(doc: &InputDoc, quiet: bool, bar: &ProgressBar) -> usize {
    if !quiet {
        for w in &doc.warnings {
            bar.suspend(|| eprintln!("warning: {w}"));
        }
    }
    doc.warnings.len()
}

/// The outcome of a failed write to the output: a closed pipe (`stancer classify | head`)
/// ends the run quietly, anything else is an error naming the output.
fn output_failed(e: std::io::Error, out_name: &str) -> Result<u8> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(0);
    }
    Err(Error::io(out_name, e))
}

fn cmd_classify(a: ClassifyArgs) -> Result<u8> {
    let format: Format = a.format.parse().map_err(|m| Error::InvalidParam { name: "format", message: m })?;
    let p = load_model(a.model.as_ref(), a.actors.as_ref(), a.date.as_ref())?;
    let pool = pool(a.threads)?;
    let out: Box<dyn Write> = match &a.output {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.is_dir() {
                    return Err(Error::io(path, std::io::Error::new(std::io::ErrorKind::NotFound, format!("directory {} does not exist", dir.display()))));
                }
            }
            Box::new(std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| Error::io(path, e))?))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut writer = RowWriter::new(out, format, p.heads());
    let buffers = Buffers::default();
    let cols = InputColumns { text: a.text_col.clone(), actor: a.actor_col.clone(), id: a.id_col.clone() };
    let stream = InputStream::new(&a.inputs, cols);
    let bar = if a.quiet { ProgressBar::hidden() } else { progress(None, "documents") };
    let mut tally = Tally::default();
    let out_name = a.output.as_ref().map_or("standard output".to_owned(), |p| p.display().to_string());
    // Input is read into batches on a thread of its own, one batch ahead of the workers.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<InputDoc>>(1);
        scope.spawn(move || read_batches(stream, &tx));
        for batch in rx {
            if let Err(e) = stream_batch(&p, &pool, &batch, &mut writer, &buffers, &mut tally, a.quiet, &bar) {
                return output_failed(e, &out_name);
            }
        }
        if let Err(e) = writer.flush() {
            return output_failed(e, &out_name);
        }
        bar.finish_and_clear();
        if !a.quiet {
            eprintln!(
                "summary: {} documents read, {} classified, {} sentences, {} rows written, {} skipped, {} warnings",
                tally.docs_ok + tally.skipped.len(),
                tally.docs_ok,
                tally.sentences,
                writer.rows(),
                tally.skipped.len(),
                tally.warnings
            );
        }
        if a.strict && !tally.skipped.is_empty() {
            return Ok(EXIT_SKIPPED);
        }
        Ok(0)
    })
}

fn cmd_evaluate(a: EvaluateArgs) -> Result<u8> {
    let cols = columns(&a.cols)?;
    let data_path = default_path(&a.data);
    let favg: Vec<String> = a.favg.as_deref().map(|s| s.split(',').map(|x| x.trim().to_owned()).collect()).unwrap_or_default();
    let pool = pool(a.learn.threads)?;
    let mut results: Vec<(String, Metrics)> = Vec::new();
    let mut warnings = Vec::new();
    let data;
    if let Some(pred_path) = &a.predictions {
        data = read_labelled(&data_path, &cols)?;
        let preds = read_predictions(pred_path)?;
        for (h, name) in data.label_columns.iter().enumerate() {
            let mut truth_names = Vec::new();
            let mut pred_names = Vec::new();
            for r in data.rows.iter().filter(|r| !r.labels[h].is_empty()) {
                let Some(p) = preds.get(r.record) else {
                    return Err(Error::BadRow { path: pred_path.clone(), line: r.record as u64 + 2, message: format!("no prediction for data record {} ({} predictions)", r.record + 1, preds.len()) });
                };
                truth_names.push(r.labels[h].as_str());
                pred_names.push(p.as_str());
            }
            let labels = LabelSet::from_observed(truth_names.iter().chain(&pred_names));
            let idx = |n: &&str| labels.index(n).unwrap_or(0);
            let truth: Vec<usize> = truth_names.iter().map(idx).collect();
            let pred: Vec<usize> = pred_names.iter().map(idx).collect();
            results.push((name.clone(), Metrics::from_predictions(labels.names(), &truth, &pred)));
        }
    } else if let Some(k) = a.folds {
        let cfg = train_config(&a.learn)?;
        data = read_labelled(&data_path, &cols)?;
        let gaz = Gazetteer::from_path(&default_path(&a.learn.actors))?;
        let folds = pool.install(|| cross_validate(&data, &cfg, gaz, k, &mut warnings))?;
        for f in folds {
            results.push((f.name.clone(), Metrics::from_predictions(f.labels.names(), &f.truth, &f.predicted)));
        }
    } else {
        let p = load_model(a.model.as_ref(), None, None)?;
        let mut cols = cols;
        if cols.labels.is_empty() {
            // Score every head whose column the file has.
            let header = csv_header(&data_path)?;
            cols.labels = p.heads().iter().map(|h| h.name.clone()).filter(|n| header.contains(n)).collect();
            if cols.labels.is_empty() {
                return Err(Error::MissingColumn { path: data_path.clone(), column: p.heads().iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join(" or "), found: header.join(",") });
            }
        }
        data = read_labelled(&data_path, &cols)?;
        results = pool.install(|| score_model(&p, &data));
    }
    warn_all(&data.warnings, 5);
    warn_all(&data.skipped, 5);
    warn_all(&warnings, 5);
    if a.json {
        let mut o = serde_json::Map::new();
        for (name, m) in &results {
            let mut j = m.to_json();
            if !favg.is_empty() {
                let names: Vec<&str> = favg.iter().map(String::as_str).collect();
                j["f_avg"] = json!(m.f_avg(&names));
            }
            o.insert(name.clone(), j);
        }
        println!("{}", serde_json::Value::Object(o));
    } else {
        for (name, m) in &results {
            println!("head {name}: accuracy {:.4}  macro-F1 {:.4}  macro-recall {:.4}", m.accuracy, m.macro_f1, m.macro_recall);
            if !favg.is_empty() {
                let names: Vec<&str> = favg.iter().map(String::as_str).collect();
                println!("  F_avg({}) {:.4}", favg.join(","), m.f_avg(&names));
            }
            println!("  {:<14} {:>9} {:>9} {:>9} {:>8}", "class", "precision", "recall", "f1", "support");
            for c in &m.per_class {
                println!("  {:<14} {:>9.4} {:>9.4} {:>9.4} {:>8}", c.label, c.precision, c.recall, c.f1, c.support);
            }
            println!("  confusion (rows = truth): {}", m.labels.join(" / "));
            for (l, row) in m.labels.iter().zip(&m.confusion) {
                println!("  {:<14} {:?}", l, row);
            }
        }
    }
    Ok(0)
}

/// Reads the `label` column of a predictions CSV.
fn read_predictions(path: &Path) -> Result<Vec<String>> {
    let mut r = ::csv::Reader::from_path(path).map_err(|e| Error::csv(path, e))?;
    let header: Vec<String> = r.headers().map_err(|e| Error::csv(path, e))?.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
    let col = header.iter().position(|h| h == "label").ok_or_else(|| Error::MissingColumn { path: path.to_owned(), column: "label".into(), found: header.join(",") })?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::csv(path, e))?;
        out.push(rec.get(col).unwrap_or("").trim().to_owned());
    }
    Ok(out)
}

fn csv_header(path: &Path) -> Result<Vec<String>> {
    let mut r = ::csv::Reader::from_path(path).map_err(|e| Error::csv(path, e))?;
    Ok(r.headers().map_err(|e| Error::csv(path, e))?.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect())
}

/// Scores every head of `p` on the rows of `data` whose column matches the head's name.
fn score_model(p: &Pipeline, data: &crate::io::csv::LabelledData) -> Vec<(String, Metrics)> {
    let mut out = Vec::new();
    for (h_i, col) in data.label_columns.iter().enumerate() {
        let Some(head) = p.heads().iter().find(|h| &h.name == col) else { continue };
        let picked = crate::pipeline::train::head_rows(data, h_i, head.scope);
        // Labels the model does not know are appended, so those rows count as errors.
        let mut names = head.labels.names().to_vec();
        for &i in &picked {
            let l = &data.rows[i].labels[h_i];
            if !names.contains(l) {
                names.push(l.clone());
            }
        }
        let preds: Vec<usize> = picked
            .par_iter()
            .map_init(Scratch::default, |s, &i| {
                let r = &data.rows[i];
                let mut row = crate::features::sparse::SparseRow::default();
                match head.scope {
                    Scope::Actor => {
                        p.actor_row(&r.text, &r.actor, r.span, s, &mut row);
                    }
                    Scope::Sentence => p.sentence_row(&r.text, s, &mut row),
                }
                let mut probs = vec![0f32; head.model.n_classes()];
                head.model.predict_proba_row(&row, &mut probs);
                argmax(&probs)
            })
            .collect();
        let truth: Vec<usize> = picked.iter().map(|&i| names.iter().position(|n| n == &data.rows[i].labels[h_i]).unwrap_or(0)).collect();
        out.push((head.name.clone(), Metrics::from_predictions(&names, &truth, &preds)));
    }
    out
}

fn cmd_bench(a: BenchArgs) -> Result<u8> {
    let p = load_model(a.model.as_ref(), None, None)?;
    let inputs = if a.inputs.is_empty() { vec![default_path(Path::new("seeds"))] } else { a.inputs.clone() };
    let mut docs: Vec<String> = Vec::new();
    for d in InputStream::new(&inputs, InputColumns::default()) {
        if let Ok(DocText::Article(t)) | Ok(DocText::Pair { text: t, .. }) = d.text {
            docs.push(t);
        }
    }
    if docs.is_empty() {
        return Err(Error::Empty { path: inputs[0].clone(), message: "no readable documents to benchmark".into() });
    }
    let one: usize = docs.iter().map(String::len).sum();
    let reps = ((a.min_mb * 1e6) / one as f64).ceil().max(1.0) as usize;
    let corpus: Vec<&str> = (0..reps).flat_map(|_| docs.iter().map(String::as_str)).collect();
    let bytes = one * reps;
    let pool = pool(a.threads)?;
    let threads = pool.current_num_threads();
    // End-to-end: segmentation, analysis, actors, both heads, JSONL rows to a sink.
    let started = Instant::now();
    let (sentences, actor_rows) = pool.install(|| {
        let units = p.classify_batch_with(&corpus, |d, res| {
            let mut w = RowWriter::new(std::io::sink(), Format::Jsonl, p.heads());
            for r in res {
                let _ = w.write_sentence("bench", corpus[d], r);
            }
            (res.len(), res.iter().map(|r| r.actors.len()).sum::<usize>())
        });
        units.iter().flatten().fold((0, 0), |x, y| (x.0 + y.0, x.1 + y.1))
    });
    let seconds = started.elapsed().as_secs_f64();
    let stages = stage_times(&p, &docs, reps.min(20));
    let t = Throughput { documents: corpus.len(), sentences, actor_rows, bytes, threads, seconds, stages, ..Default::default() }.finish();
    if a.json {
        println!("{}", serde_json::to_string(&t).unwrap_or_default());
    } else {
        println!(
            "{} documents, {} sentences, {} actor rows, {:.2} MB in {:.3}s on {} threads: {:.0} sentences/s, {:.2} MB/s",
            t.documents, t.sentences, t.actor_rows, bytes as f64 / 1e6, seconds, threads, t.sentences_per_sec, t.mb_per_sec
        );
        let st = &t.stages;
        let total = st.segment + st.analyze + st.actors + st.featurize + st.predict + st.write;
        println!("per-stage time of one pass over the input (not repeated), one thread, {:.2} ms in all:", total * 1e3);
        for (name, v) in [("segment", st.segment), ("analyze", st.analyze), ("actors", st.actors), ("featurize", st.featurize), ("predict", st.predict), ("write", st.write)] {
            println!("  {:<10} {:>8.2} ms {:>5.1}%", name, v * 1e3, 100.0 * v / total.max(1e-12));
        }
    }
    Ok(0)
}

/// One instrumented single-thread pass: each stage timed separately over the same input.
fn stage_times(p: &Pipeline, docs: &[String], reps: usize) -> StageTimes {
    use crate::features::sparse::SparseRow;
    let mut st = StageTimes::default();
    let mut s = Scratch::default();
    let mut spans = Vec::new();
    let mut a = crate::text::analyzer::AnalyzerScratch::default();
    let mut mentions = Vec::new();
    let mut pairs = Vec::new();
    let mut row = SparseRow::default();
    let mut sink = RowWriter::new(std::io::sink(), Format::Jsonl, p.heads());
    let mut probs = vec![0f32; 16];
    for _ in 0..reps.max(1) {
        for d in docs {
            let t = Instant::now();
            p.splitter.split_into(d, &mut spans);
            st.segment += t.elapsed().as_secs_f64();
            for sp in &spans {
                let text = sp.of(d);
                let t = Instant::now();
                p.analyzer.analyze(text, &mut a);
                st.analyze += t.elapsed().as_secs_f64();
                let t = Instant::now();
                p.gazetteer.find_into(text, &mut mentions);
                st.actors += t.elapsed().as_secs_f64();
                let t = Instant::now();
                p.vectorizer.sentence_features(&a, &mut pairs);
                p.vectorizer.merge(&pairs, &mut row);
                pairs.clear();
                st.featurize += t.elapsed().as_secs_f64();
                let t = Instant::now();
                // Every head's scores of the sentence block in one pass, as classify does.
                probs.clear();
                probs.resize(p.packed().width(), 0.0);
                p.packed().accumulate_all(&row.indices, &row.values, &mut probs);
                for i in 0..p.heads().len() {
                    softmax(&mut probs[p.packed().head_range(i)]);
                }
                st.predict += t.elapsed().as_secs_f64();
                // Actor rows: each distinct actor's target block (featurize) and its score
                // in every actor head (predict), as classify_sentence does them.
                mentions.sort_by_key(|m| m.actor);
                mentions.dedup_by_key(|m| m.actor);
                if !mentions.is_empty() {
                    p.prepare_sentence(text, &mut s);
                }
                for m in &mentions {
                    let t = Instant::now();
                    p.registry_target_block(text, m.actor, &mut s);
                    st.featurize += t.elapsed().as_secs_f64();
                    let t = Instant::now();
                    for (i, _) in p.heads().iter().enumerate().filter(|(_, h)| h.scope == Scope::Actor) {
                        let tb = s.target_block();
                        p.packed().accumulate(i, &tb.indices, &tb.values, &mut probs);
                    }
                    st.predict += t.elapsed().as_secs_f64();
                }
                let res = p.classify_sentence(text, 0, sp.start, &mut s);
                let t = Instant::now();
                let _ = sink.write_sentence("bench", d, &res);
                st.write += t.elapsed().as_secs_f64();
            }
        }
    }
    let k = reps.max(1) as f64;
    StageTimes { segment: st.segment / k, analyze: st.analyze / k, actors: st.actors / k, featurize: st.featurize / k, predict: st.predict / k, write: st.write / k }
}

fn cmd_actors(a: ActorsArgs) -> Result<u8> {
    let date = date_arg(a.date.as_ref())?;
    let gaz = match &a.registry {
        Some(r) => Gazetteer::from_path(r)?,
        None => load_model(a.model.as_ref(), None, None)?.gazetteer().clone(),
    }
    .with_date(date);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut unknown: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for doc in InputStream::new(&a.inputs, InputColumns::default()) {
        let text = match &doc.text {
            Ok(DocText::Article(t)) | Ok(DocText::Pair { text: t, .. }) => t,
            Err(reason) => {
                eprintln!("skipped: {}: {reason}", doc.id);
                continue;
            }
        };
        for m in gaz.find(text) {
            let kind = gaz.row(m.row).map_or("", |r| r.kind.as_str());
            let line = format!("{}\t{}..{}\t{}\t{}\t{}", doc.id, m.span.start, m.span.end, m.span.of(text), gaz.actor_name(m.actor), kind);
            if writeln!(out, "{line}").is_err() {
                return Ok(0);
            }
        }
        for sp in gaz.unknown_names(text) {
            *unknown.entry(sp.of(text).to_owned()).or_default() += 1;
        }
    }
    if !unknown.is_empty() {
        let mut v: Vec<(String, usize)> = unknown.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        eprintln!("capitalised names not in the registry (check whether any is a political actor):");
        for (name, n) in v.iter().take(40) {
            eprintln!("  {n:>4}  {name}");
        }
    }
    Ok(0)
}
