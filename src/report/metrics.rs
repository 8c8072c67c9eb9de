//! Confusion matrix and per-class precision, recall and F1, with macro averages.
//!
//! ```
//! use stancer::Metrics;
//! let labels = vec!["a".to_string(), "b".to_string()];
//! let m = Metrics::from_predictions(&labels, &[0, 0, 1, 1], &[0, 1, 1, 1]);
//! assert_eq!(m.accuracy, 0.75);
//! assert_eq!(m.confusion, vec![vec![1, 1], vec![0, 2]]);
//! assert!((m.per_class[1].f1 - 0.8).abs() < 1e-12);
//! ```

use serde::Serialize;
use serde_json::{json, Value};

/// Scores of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScores {
    /// Label.
    pub label: String,
    /// Precision (0 when nothing was predicted as this class).
    pub precision: f64,
    /// Recall (0 when the class has no support).
    pub recall: f64,
    /// F1 (0 when precision + recall is 0).
    pub f1: f64,
    /// True rows of this class.
    pub support: usize,
}

/// All scores of one head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Labels, in matrix order.
    pub labels: Vec<String>,
    /// Share of rows predicted right.
    pub accuracy: f64,
    /// Mean F1 over classes.
    pub macro_f1: f64,
    /// Mean recall over classes.
    pub macro_recall: f64,
    /// Per class.
    pub per_class: Vec<ClassScores>,
    /// `confusion[truth][predicted]`.
    pub confusion: Vec<Vec<usize>>,
}

impl Metrics {
    /// Scores predictions against truth (class indices into `labels`).
    pub fn from_predictions(labels: &[String], truth: &[usize], predicted: &[usize]) -> Self {
        let k = labels.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (&t, &p) in truth.iter().zip(predicted) {
            if t < k && p < k {
                confusion[t][p] += 1;
            }
        }
        let n: usize = confusion.iter().flatten().sum();
        let correct: usize = (0..k).map(|i| confusion[i][i]).sum();
        let per_class: Vec<ClassScores> = (0..k)
            .map(|c| {
                let tp = confusion[c][c] as f64;
                let support: usize = confusion[c].iter().sum();
                let predicted: usize = (0..k).map(|t| confusion[t][c]).sum();
                let precision = if predicted > 0 { tp / predicted as f64 } else { 0.0 };
                let recall = if support > 0 { tp / support as f64 } else { 0.0 };
                let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
                ClassScores { label: labels[c].clone(), precision, recall, f1, support }
            })
            .collect();
        let kf = k.max(1) as f64;
        Metrics {
            labels: labels.to_vec(),
            accuracy: if n > 0 { correct as f64 / n as f64 } else { 0.0 },
            macro_f1: per_class.iter().map(|c| c.f1).sum::<f64>() / kf,
            macro_recall: per_class.iter().map(|c| c.recall).sum::<f64>() / kf,
            per_class,
            confusion,
        }
    }

    /// Mean F1 of the named classes (SemEval-2016 task 6 F_avg with FAVOR and AGAINST),
    /// computed from the pooled confusion matrix. Unknown names are ignored.
    pub fn f_avg(&self, classes: &[&str]) -> f64 {
        let f: Vec<f64> = self.per_class.iter().filter(|c| classes.iter().any(|x| x.eq_ignore_ascii_case(&c.label))).map(|c| c.f1).collect();
        if f.is_empty() {
            0.0
        } else {
            f.iter().sum::<f64>() / f.len() as f64
        }
    }

    /// The `evaluate --json` object of one head.
    pub fn to_json(&self) -> Value {
        let per_class: serde_json::Map<String, Value> = self
            .per_class
            .iter()
            .map(|c| (c.label.clone(), json!({"precision": c.precision, "recall": c.recall, "f1": c.f1, "support": c.support})))
            .collect();
        json!({
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "macro_recall": self.macro_recall,
            "per_class": per_class,
            "confusion": {"labels": self.labels, "matrix": self.confusion},
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    /// Hand-computed reference: 3 classes, 10 rows.
    #[test]
    fn matches_hand_computed_scores() {
        let l = labels(&["FAVOR", "AGAINST", "NONE"]);
        let truth = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2];
        let pred = [0, 1, 0, 1, 1, 2, 1, 2, 0, 2];
        let m = Metrics::from_predictions(&l, &truth, &pred);
        assert_eq!(m.confusion, vec![vec![2, 1, 0], vec![0, 3, 1], vec![1, 0, 2]]);
        assert!((m.accuracy - 0.7).abs() < 1e-12);
        // FAVOR: p = 2/3, r = 2/3; AGAINST: p = 3/4, r = 3/4; NONE: p = 2/3, r = 2/3.
        assert!((m.per_class[0].f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.per_class[1].f1 - 0.75).abs() < 1e-12);
        assert!((m.f_avg(&["FAVOR", "AGAINST"]) - (2.0 / 3.0 + 0.75) / 2.0).abs() < 1e-12);
        assert!((m.macro_recall - (2.0 / 3.0 + 0.75 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_classes_score_zero_not_nan() {
        let m = Metrics::from_predictions(&labels(&["a", "b", "c"]), &[0, 0], &[0, 0]);
        assert_eq!(m.per_class[1].f1, 0.0);
        assert!(m.macro_f1.is_finite());
        let j = m.to_json();
        assert_eq!(j["per_class"]["a"]["support"], 2);
        assert_eq!(j["confusion"]["matrix"][0][0], 2);
    }
}
