//! NB-SVM style feature scaling (Wang & Manning, 2012): each column is multiplied by how
//! strongly it separates the classes under naive Bayes, before the logistic fit.
//!
//! Per class `c` (one-vs-rest) and column `j`, with `p` the smoothed count of class-`c`
//! rows holding the column and `q` the same over the other rows, both normalised over
//! the columns seen in training, `r_cj = ln((p_cj / |p_c|) / (q_cj / |q_c|))`. The scale
//! of column `j` is `1 - beta + beta * max_c |r_cj|`.
//!
//! Because the scale multiplies already normalised row values, a model fitted on scaled
//! rows is the same linear function as that model with its weights multiplied by the
//! scale ([`LinearModel::scale_columns`]): classification needs no extra step and the
//! model file no extra field.
//!
//! ```
//! use stancer::{NbScaleParams, SparseRecords, SparseRow};
//! let mut x = SparseRecords::new(4);
//! for i in [0u32, 0, 1, 1] {
//!     x.push(&SparseRow { indices: vec![i, 3], values: vec![0.7, 0.7] });
//! }
//! let s = NbScaleParams::new(1.0).check()?.fit(&x, &[0, 0, 1, 1], 2)?;
//! // Columns 0 and 1 separate the classes, column 3 (in every row) does not.
//! assert!(s[0] > 1.0 && s[1] > 1.0 && s[3] < 0.1);
//! # Ok::<(), stancer::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::sparse::SparseRecords;

/// NB scaling settings.
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `beta` | (required) | interpolation between no scaling (0) and the pure log-count ratio (1) | finite, 0..=1 |
/// | `alpha` | 1.0 | additive smoothing of the per-class row counts (Wang & Manning use 1) | finite, > 0 |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NbScaleParams {
    /// Interpolation weight of the log-count ratio.
    pub beta: f64,
    /// Smoothing.
    pub alpha: f64,
}

impl NbScaleParams {
    /// Settings with interpolation `beta` and the default smoothing.
    pub fn new(beta: f64) -> Self {
        Self { beta, alpha: 1.0 }
    }

    /// Sets the smoothing.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Validates.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the bad field.
    pub fn check(self) -> Result<NbScaleValidParams> {
        if !(self.beta.is_finite() && (0.0..=1.0).contains(&self.beta)) {
            return Err(Error::InvalidParam { name: "nb-scale", message: format!("{} must be within 0..=1", self.beta) });
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(Error::InvalidParam { name: "nb-alpha", message: format!("{} must be finite and > 0", self.alpha) });
        }
        Ok(NbScaleValidParams(self))
    }
}

/// Validated [`NbScaleParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct NbScaleValidParams(NbScaleParams);

impl NbScaleValidParams {
    /// The checked values.
    pub fn get(&self) -> &NbScaleParams {
        &self.0
    }

    /// The per-column scale learned from rows `x` with classes `y` (`k` classes): one
    /// value per column; columns never seen get 0 (they carry no weight anyway).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] on mismatched lengths or out-of-range classes.
    pub fn fit(&self, x: &SparseRecords, y: &[usize], k: usize) -> Result<Vec<f32>> {
        use linfa::dataset::Records;
        let p = &self.0;
        let (n, d) = (x.n_rows(), x.nfeatures());
        if n == 0 || y.len() != n {
            return Err(Error::InvalidParam { name: "targets", message: format!("{} rows but {} targets", n, y.len()) });
        }
        if let Some(&bad) = y.iter().find(|&&c| c >= k) {
            return Err(Error::InvalidParam { name: "targets", message: format!("class {bad} out of range for {k} classes") });
        }
        // Binarised counts: rows of each class holding the column.
        let mut count = vec![0u32; d * k];
        let mut seen = vec![false; d];
        for (i, &c) in y.iter().enumerate() {
            let (idx, val) = x.row_slices(i);
            for (&j, &v) in idx.iter().zip(val) {
                if v != 0.0 {
                    count[j as usize * k + c] += 1;
                    seen[j as usize] = true;
                }
            }
        }
        let used = seen.iter().filter(|&&s| s).count() as f64;
        let mut class_total = vec![0f64; k];
        for j in (0..d).filter(|&j| seen[j]) {
            for c in 0..k {
                class_total[c] += count[j * k + c] as f64;
            }
        }
        let all: f64 = class_total.iter().sum();
        let mut scale = vec![0f32; d];
        for j in (0..d).filter(|&j| seen[j]) {
            let row = &count[j * k..j * k + k];
            let tot: f64 = row.iter().map(|&v| v as f64).sum();
            let mut best = 0f64;
            for c in 0..k {
                let pc = (row[c] as f64 + p.alpha) / (class_total[c] + p.alpha * used);
                let qc = (tot - row[c] as f64 + p.alpha) / (all - class_total[c] + p.alpha * used);
                best = best.max((pc / qc).ln().abs());
                if k == 2 {
                    break; // both one-vs-rest ratios have the same magnitude
                }
            }
            scale[j] = (1.0 - p.beta + p.beta * best) as f32;
        }
        Ok(scale)
    }
}

/// A copy of `x` with every value multiplied by its column's scale.
pub fn scale_records(x: &SparseRecords, scale: &[f32]) -> SparseRecords {
    let mut out = x.clone();
    out.scale_columns(scale);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::sparse::SparseRow;

    #[test]
    fn uninformative_columns_shrink_and_beta_interpolates() {
        let mut x = SparseRecords::new(8);
        let mut y = Vec::new();
        for i in 0..30usize {
            let c = i % 3;
            x.push(&SparseRow { indices: vec![c as u32, 7], values: vec![0.7, 0.7] });
            y.push(c);
        }
        let full = NbScaleParams::new(1.0).check().unwrap().fit(&x, &y, 3).unwrap();
        // Column 7 is in every row: only the smoothing keeps its ratio off zero.
        assert!(full[0] > 1.0 && full[7] < 0.1, "{full:?}");
        assert_eq!(full[5], 0.0, "unseen column");
        let half = NbScaleParams::new(0.5).check().unwrap().fit(&x, &y, 3).unwrap();
        assert!((half[7] - (0.5 + 0.5 * full[7])).abs() < 1e-6);
        assert!((half[0] - (0.5 + 0.5 * full[0])).abs() < 1e-5);
        let none = NbScaleParams::new(0.0).check().unwrap().fit(&x, &y, 3).unwrap();
        assert_eq!(none[0], 1.0);
    }

    /// Folding the scale into the weights gives the model fitted on scaled rows, applied
    /// to unscaled rows: the same probabilities.
    #[test]
    fn folded_scale_matches_scaled_rows() {
        use crate::model::logistic::LogisticParams;
        let mut x = SparseRecords::new(16);
        let mut y = Vec::new();
        for i in 0..60usize {
            let c = i % 3;
            x.push(&SparseRow { indices: vec![(c * 2) as u32, (c * 2 + 1) as u32, 10 + (i % 4) as u32], values: vec![0.6, 0.6, 0.5] });
            y.push(c);
        }
        let scale = NbScaleParams::new(0.5).check().unwrap().fit(&x, &y, 3).unwrap();
        let xs = scale_records(&x, &scale);
        let mut m = LogisticParams::new(3).check().unwrap().fit_rows(&xs, &y, None).unwrap();
        let on_scaled = m.predict_proba(&xs).unwrap();
        m.scale_columns(&scale).unwrap();
        let folded = m.predict_proba(&x).unwrap();
        for (a, b) in on_scaled.iter().zip(&folded) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        assert!(m.scale_columns(&scale[..3]).is_err());
    }

    #[test]
    fn rejects_bad_params() {
        assert!(matches!(NbScaleParams::new(1.5).check(), Err(Error::InvalidParam { name: "nb-scale", .. })));
        assert!(matches!(NbScaleParams::new(0.5).alpha(0.0).check(), Err(Error::InvalidParam { name: "nb-alpha", .. })));
    }
}
