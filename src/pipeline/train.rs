//! Training and cross-validation from labelled rows.

use rayon::prelude::*;

use crate::actors::gazetteer::Gazetteer;
use crate::error::{Error, Result};
use crate::features::sparse::{SparseRecords, SparseRow};
use crate::features::vectorizer::FeatureParams;
use crate::io::csv::LabelledData;
use crate::model::bayes::BayesParams;
use crate::model::labels::LabelSet;
use crate::model::linear::{argmax, LinearModel};
use crate::model::logistic::LogisticParams;
use crate::model::nb_scale::{scale_records, NbScaleParams};
use crate::pipeline::{Algorithm, Head, Pipeline, Scope, Scratch};
use crate::report::metrics::Metrics;
use crate::text::analyzer::AnalyzerParams;

/// Everything that shapes a trained model besides the data.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Analyzer settings.
    pub analyzer: AnalyzerParams,
    /// Feature settings.
    pub features: FeatureParams,
    /// Algorithm for every head.
    pub algorithm: Algorithm,
    /// L2 strength of the logistic heads.
    pub l2: f64,
    /// Seed for fold assignment (training itself has no randomness).
    pub seed: u64,
    /// When non-empty, the L2 strength of each logistic head is chosen from these values
    /// on a held-out fifth of the training rows (grouped, stratified), then the head is
    /// refitted on all rows.
    pub l2_grid: Vec<f64>,
    /// What the L2 choice maximises.
    pub select: SelectMetric,
    /// Balanced class weights in the logistic heads.
    pub balanced: bool,
    /// NB-SVM style column scaling of the logistic heads' rows, learned from the training
    /// rows (None: off; default beta 0.5).
    pub nb_scale: Option<NbScaleParams>,
    /// Blend each logistic head with a complement naive Bayes head fitted on the same rows:
    /// the scores are `(1 - w) * logistic + w * bayes`, `w` chosen from [`BLEND_GRID`] on a
    /// held-out fifth of the training rows (together with the L2 strength under `--l2 auto`).
    pub ensemble: bool,
}

/// The Bayes weights `--ensemble` chooses from: dense near 0, because the Bayes scores are
/// an order of magnitude larger than the logistic ones (at 0.1 they already dominate).
pub const BLEND_GRID: [f64; 12] = [0.0, 0.003, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5];

/// The score that `--l2 auto` maximises on the validation split.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectMetric {
    /// Macro-averaged F1.
    MacroF1,
    /// Macro-averaged recall.
    MacroRecall,
    /// Accuracy.
    Accuracy,
    /// Mean F1 of the named classes (F_avg).
    FAvg(Vec<String>),
}

impl std::str::FromStr for SelectMetric {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "macro_f1" => Ok(Self::MacroF1),
            "macro_recall" => Ok(Self::MacroRecall),
            "accuracy" => Ok(Self::Accuracy),
            _ => match s.strip_prefix("favg:") {
                Some(list) if !list.is_empty() => Ok(Self::FAvg(list.split(',').map(|x| x.trim().to_owned()).collect())),
                _ => Err(format!("'{s}' (expected macro_f1, macro_recall, accuracy or favg:A,B)")),
            },
        }
    }
}

impl SelectMetric {
    fn score(&self, m: &Metrics) -> f64 {
        match self {
            Self::MacroF1 => m.macro_f1,
            Self::MacroRecall => m.macro_recall,
            Self::Accuracy => m.accuracy,
            Self::FAvg(c) => m.f_avg(&c.iter().map(String::as_str).collect::<Vec<_>>()),
        }
    }
}

/// The default grid of `--l2 auto`, strongest first (a warm-started path).
pub const L2_GRID: [f64; 6] = [1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6];

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            analyzer: AnalyzerParams::default(),
            features: FeatureParams::default(),
            algorithm: Algorithm::Logistic,
            l2: 1e-4,
            seed: 42,
            l2_grid: Vec::new(),
            select: SelectMetric::MacroF1,
            balanced: true,
            // Half-way NB-SVM scaling: +1 to +2 points of cross-validated macro-F1 on the
            // news set and on every public benchmark tried (see `--nb-scale`).
            nb_scale: Some(NbScaleParams::new(0.5)),
            ensemble: false,
        }
    }
}

/// The featurised examples of one head.
#[derive(Debug, Clone)]
pub struct HeadData {
    /// Head name (label column).
    pub name: String,
    /// Scope.
    pub scope: Scope,
    /// Class order.
    pub labels: LabelSet,
    /// Feature rows.
    pub x: SparseRecords,
    /// Class index per row.
    pub y: Vec<usize>,
    /// Group (document) per row.
    pub groups: Vec<String>,
}

/// Decides each label column's scope: per actor when an actor column is in use and the
/// column is empty on every row without an actor; otherwise per sentence.
pub fn head_scopes(data: &LabelledData) -> Vec<Scope> {
    (0..data.label_columns.len())
        .map(|h| {
            let actor_only = data.rows.iter().all(|r| !r.actor.is_empty() || r.labels[h].is_empty());
            let any_actor = data.rows.iter().any(|r| !r.actor.is_empty() && !r.labels[h].is_empty());
            if data.has_actor && actor_only && any_actor {
                Scope::Actor
            } else {
                Scope::Sentence
            }
        })
        .collect()
}

/// The rows of label column `h` that a head of `scope` learns from or is scored on: rows
/// with an actor for a per-actor head, one row per distinct sentence (document group +
/// text) for a per-sentence head; rows without a label are left out.
pub fn head_rows(data: &LabelledData, h: usize, scope: Scope) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    (0..data.rows.len())
        .filter(|&i| {
            let r = &data.rows[i];
            !r.labels[h].is_empty()
                && match scope {
                    Scope::Actor => !r.actor.is_empty(),
                    Scope::Sentence => seen.insert((r.group.as_str(), r.text.as_str())),
                }
        })
        .collect()
}

/// A pipeline with no heads, used to featurise.
pub fn base_pipeline(cfg: &TrainConfig, gazetteer: Gazetteer) -> Result<Pipeline> {
    Pipeline::from_parts(cfg.analyzer.clone(), cfg.features.clone(), gazetteer, Vec::new())
}

/// Featurises every head's examples (in parallel, in row order).
///
/// # Errors
/// [`Error::BadTrainingData`] when a head has no rows or only one class.
pub fn head_data(base: &Pipeline, data: &LabelledData, warnings: &mut Vec<String>) -> Result<Vec<HeadData>> {
    let scopes = head_scopes(data);
    let mut out = Vec::new();
    let mut unknown: Vec<&str> = data.rows.iter().filter(|r| !r.actor.is_empty() && base.gazetteer.actor_id(&r.actor).is_none()).map(|r| r.actor.as_str()).collect();
    unknown.sort();
    unknown.dedup();
    if !unknown.is_empty() && scopes.contains(&Scope::Actor) {
        let shown: Vec<&str> = unknown.iter().take(8).copied().collect();
        warnings.push(format!(
            "{}: {} actor name(s) not in the registry ({}{}); their targets are located by name search",
            data.path.display(),
            unknown.len(),
            shown.join(", "),
            if unknown.len() > 8 { ", ..." } else { "" }
        ));
    }
    for (h, (name, scope)) in data.label_columns.iter().zip(&scopes).enumerate() {
        let picked = head_rows(data, h, *scope);
        let labels = LabelSet::from_observed(picked.iter().map(|&i| data.rows[i].labels[h].as_str()));
        if labels.len() < 2 {
            return Err(Error::BadTrainingData {
                path: data.path.clone(),
                head: name.clone(),
                message: format!("needs at least 2 classes, found {} ({}) in {} rows", labels.len(), labels.names().join(", "), picked.len()),
            });
        }
        let rows: Vec<SparseRow> = picked
            .par_iter()
            .with_min_len(32)
            .map_init(Scratch::default, |s, &i| {
                let r = &data.rows[i];
                let mut row = SparseRow::default();
                match scope {
                    Scope::Actor => {
                        base.actor_row(&r.text, &r.actor, r.span, s, &mut row);
                    }
                    Scope::Sentence => base.sentence_row(&r.text, s, &mut row),
                }
                row
            })
            .collect();
        let x = SparseRecords::from_rows(base.vectorizer.n_features(), &rows);
        let y = picked.iter().map(|&i| labels.index(&data.rows[i].labels[h]).unwrap_or(0)).collect();
        let groups = picked.iter().map(|&i| data.rows[i].group.clone()).collect();
        out.push(HeadData { name: name.clone(), scope: *scope, labels, x, y, groups });
    }
    Ok(out)
}

/// Fits one head on a subset of its rows (all when `rows` is None).
///
/// # Errors
/// Parameter errors from the trainers.
pub fn fit_head(hd: &HeadData, rows: Option<&[usize]>, cfg: &TrainConfig, notes: &mut Vec<String>) -> Result<LinearModel> {
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..hd.y.len()).collect();
            &all
        }
    };
    let k = hd.labels.len();
    let x = hd.x.select(rows);
    let y: Vec<usize> = rows.iter().map(|&i| hd.y[i]).collect();
    if cfg.algorithm == Algorithm::Bayes {
        return BayesParams::new(k).check()?.fit_rows(&x, &y);
    }
    let (l2, blend) = if cfg.l2_grid.is_empty() && !cfg.ensemble { (cfg.l2, 0.0) } else { choose_l2(hd, rows, cfg, notes)? };
    let mut model = fit_logistic_path(&x, &y, k, cfg, &[l2])?.remove(0);
    if cfg.ensemble && blend > 0.0 {
        let nb = BayesParams::new(k).check()?.fit_rows(&x, &y)?;
        model = model.blend(&nb, blend as f32)?;
    }
    Ok(model)
}

/// Fits the logistic models of an L2 path on rows `x`, with NB scaling when configured
/// (the scale is learned from these rows and folded into the returned weights).
fn fit_logistic_path(x: &SparseRecords, y: &[usize], k: usize, cfg: &TrainConfig, grid: &[f64]) -> Result<Vec<LinearModel>> {
    let params = LogisticParams::new(k).balanced(cfg.balanced).check()?;
    match &cfg.nb_scale {
        None => params.fit_path(x, y, None, grid),
        Some(nb) => {
            let scale = nb.clone().check()?.fit(x, y, k)?;
            let mut models = params.fit_path(&scale_records(x, &scale), y, None, grid)?;
            for m in &mut models {
                m.scale_columns(&scale)?;
            }
            Ok(models)
        }
    }
}

/// Chooses the L2 strength (from the grid, or the fixed value) and, with `ensemble`, the
/// Bayes blend weight, on a held-out fifth of `rows` (grouped by document, stratified).
fn choose_l2(hd: &HeadData, rows: &[usize], cfg: &TrainConfig, notes: &mut Vec<String>) -> Result<(f64, f64)> {
    let groups: Vec<String> = rows.iter().map(|&i| hd.groups[i].clone()).collect();
    let ys: Vec<usize> = rows.iter().map(|&i| hd.y[i]).collect();
    let folds = assign_folds(&groups, &ys, 5, cfg.seed ^ 0x5eed);
    let fit_rows: Vec<usize> = rows.iter().zip(&folds).filter(|(_, &f)| f != 0).map(|(&i, _)| i).collect();
    let val_rows: Vec<usize> = rows.iter().zip(&folds).filter(|(_, &f)| f == 0).map(|(&i, _)| i).collect();
    let present: std::collections::BTreeSet<usize> = fit_rows.iter().map(|&i| hd.y[i]).collect();
    if val_rows.is_empty() || present.len() < 2 {
        return Ok((cfg.l2, 0.0));
    }
    let k = hd.labels.len();
    let x = hd.x.select(&fit_rows);
    let y: Vec<usize> = fit_rows.iter().map(|&i| hd.y[i]).collect();
    let grid = if cfg.l2_grid.is_empty() { vec![cfg.l2] } else { cfg.l2_grid.clone() };
    let models = fit_logistic_path(&x, &y, k, cfg, &grid)?;
    let nb = if cfg.ensemble { Some(BayesParams::new(k).check()?.fit_rows(&x, &y)?) } else { None };
    let blends: &[f64] = if cfg.ensemble { &BLEND_GRID } else { &[0.0] };
    let xv = hd.x.select(&val_rows);
    let truth: Vec<usize> = val_rows.iter().map(|&i| hd.y[i]).collect();
    let mut best = (f64::NEG_INFINITY, cfg.l2, 0.0);
    let mut scores = Vec::new();
    for (m, &l2) in models.iter().zip(&grid) {
        for &w in blends {
            let probs = match &nb {
                Some(nb) if w > 0.0 => m.blend(nb, w as f32)?.predict_proba(&xv)?,
                _ => m.predict_proba(&xv)?,
            };
            let pred: Vec<usize> = probs.chunks(k).map(argmax).collect();
            let score = cfg.select.score(&Metrics::from_predictions(hd.labels.names(), &truth, &pred));
            scores.push(if cfg.ensemble { format!("{l2:e}/{w}: {score:.4}") } else { format!("{l2:e}: {score:.4}") });
            // Strictly better only: ties keep the stronger penalty and the smaller blend.
            if score > best.0 {
                best = (score, l2, w);
            }
        }
    }
    let what = if cfg.ensemble { format!("l2 {:e}, bayes weight {}", best.1, best.2) } else { format!("l2 {:e}", best.1) };
    notes.push(format!("note: head '{}': {what} chosen on a validation fifth of {} rows ({})", hd.name, rows.len(), scores.join(", ")));
    Ok((best.1, best.2))
}

/// Trains every head on all of `data`.
///
/// # Errors
/// Data errors ([`Error::BadTrainingData`]) and parameter errors.
pub fn train(data: &LabelledData, cfg: &TrainConfig, gazetteer: Gazetteer, warnings: &mut Vec<String>) -> Result<Pipeline> {
    let mut p = base_pipeline(cfg, gazetteer)?;
    let hds = head_data(&p, data, warnings)?;
    let mut heads = Vec::new();
    for hd in &hds {
        let model = fit_head(hd, None, cfg, warnings)?;
        heads.push(Head { name: hd.name.clone(), scope: hd.scope, labels: hd.labels.clone(), algorithm: cfg.algorithm, model });
    }
    p.set_heads(heads)?;
    Ok(p)
}

/// Out-of-fold predictions of one head.
#[derive(Debug, Clone)]
pub struct FoldResult {
    /// Head name.
    pub name: String,
    /// Class order.
    pub labels: LabelSet,
    /// True class per row.
    pub truth: Vec<usize>,
    /// Out-of-fold predicted class per row.
    pub predicted: Vec<usize>,
}

/// splitmix64 step: the deterministic generator behind fold assignment.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    crate::features::hashing::mix(*state)
}

/// Assigns groups to `k` folds: groups are shuffled by `seed`, ordered by their majority
/// class (stable), then dealt round-robin, which stratifies by class while keeping every
/// group on one side.
pub fn assign_folds(groups: &[String], y: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let mut names: Vec<&str> = groups.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let mut state = seed;
    let mut keyed: Vec<(u64, &str)> = names.iter().map(|g| (splitmix(&mut state), *g)).collect();
    keyed.sort_unstable();
    let n_classes = y.iter().copied().max().map_or(1, |m| m + 1);
    let mut majority: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (g, &c) in groups.iter().zip(y) {
        majority.entry(g.as_str()).or_insert_with(|| vec![0; n_classes])[c] += 1;
    }
    let maj = |g: &str| majority.get(g).map_or(0, |v| argmax_usize(v));
    keyed.sort_by_key(|&(_, g)| maj(g));
    let fold_of: std::collections::HashMap<&str, usize> = keyed.iter().enumerate().map(|(i, &(_, g))| (g, i % k)).collect();
    groups.iter().map(|g| fold_of.get(g.as_str()).copied().unwrap_or(0)).collect()
}

fn argmax_usize(v: &[usize]) -> usize {
    let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    argmax(&f)
}

/// Stratified, group-aware k-fold cross-validation of every head.
///
/// # Errors
/// [`Error::InvalidParam`] for `k < 2` or more folds than groups; training errors.
pub fn cross_validate(data: &LabelledData, cfg: &TrainConfig, gazetteer: Gazetteer, k: usize, warnings: &mut Vec<String>) -> Result<Vec<FoldResult>> {
    if k < 2 {
        return Err(Error::InvalidParam { name: "folds", message: format!("{k} (need at least 2)") });
    }
    let base = base_pipeline(cfg, gazetteer)?;
    let hds = head_data(&base, data, warnings)?;
    let mut out = Vec::new();
    for hd in &hds {
        let n_groups = {
            let mut g: Vec<&String> = hd.groups.iter().collect();
            g.sort();
            g.dedup();
            g.len()
        };
        if n_groups < k {
            return Err(Error::InvalidParam { name: "folds", message: format!("{k} folds but head '{}' has only {n_groups} groups", hd.name) });
        }
        let folds = assign_folds(&hd.groups, &hd.y, k, cfg.seed);
        let mut predicted = vec![0usize; hd.y.len()];
        for f in 0..k {
            let train_rows: Vec<usize> = (0..hd.y.len()).filter(|&i| folds[i] != f).collect();
            let test_rows: Vec<usize> = (0..hd.y.len()).filter(|&i| folds[i] == f).collect();
            let present: std::collections::BTreeSet<usize> = train_rows.iter().map(|&i| hd.y[i]).collect();
            if present.len() < 2 {
                return Err(Error::BadTrainingData { path: data.path.clone(), head: hd.name.clone(), message: format!("fold {f} has a single class in training") });
            }
            let mut fold_notes = Vec::new();
            let model = fit_head(hd, Some(&train_rows), cfg, &mut fold_notes)?;
            let test = hd.x.select(&test_rows);
            let probs = model.predict_proba(&test)?;
            for (j, &i) in test_rows.iter().enumerate() {
                predicted[i] = argmax(&probs[j * hd.labels.len()..(j + 1) * hd.labels.len()]);
            }
        }
        out.push(FoldResult { name: hd.name.clone(), labels: hd.labels.clone(), truth: hd.y.clone(), predicted });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_keep_groups_together_and_balance_sizes() {
        let groups: Vec<String> = (0..100).map(|i| format!("d{}", i / 4)).collect();
        let y: Vec<usize> = (0..100).map(|i| (i / 4) % 3).collect();
        let f = assign_folds(&groups, &y, 5, 7);
        for i in 0..100 {
            assert_eq!(f[i], f[(i / 4) * 4], "group split across folds");
        }
        let mut sizes = [0; 5];
        for &x in &f {
            sizes[x] += 1;
        }
        assert!(sizes.iter().all(|&s| s == 20), "{sizes:?}");
        assert_eq!(assign_folds(&groups, &y, 5, 7), f, "deterministic for a seed");
        assert_ne!(assign_folds(&groups, &y, 5, 8), f, "the seed matters");
    }
}
