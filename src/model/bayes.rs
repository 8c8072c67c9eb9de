//! Complement naive Bayes (Rennie et al., 2003) over the same hashed features, for
//! comparison with the logistic head (`--algorithm bayes`).
//!
//! ```
//! use linfa::prelude::*;
//! use ndarray::array;
//! use stancer::{BayesParams, SparseRecords, SparseRow};
//! let mut x = SparseRecords::new(4);
//! for i in [0u32, 1, 2, 3] {
//!     x.push(&SparseRow { indices: vec![i], values: vec![1.0] });
//! }
//! let ds = linfa::DatasetBase::new(x, array![0usize, 0, 1, 1]);
//! let model = BayesParams::new(2).check()?.fit(&ds)?;
//! let predicted: ndarray::Array1<usize> = model.predict(&ds);
//! assert_eq!(predicted.to_vec(), [0, 0, 1, 1]);
//! # Ok::<(), stancer::Error>(())
//! ```

use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::sparse::SparseRecords;
use crate::model::linear::LinearModel;

/// Complement naive Bayes settings.
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `n_classes` | (required) | number of classes | >= 2 |
/// | `alpha` | 0.3 | additive smoothing | finite, > 0 |
/// | `scale` | 20.0 | multiplies the log-likelihood scores before the softmax, so that the probabilities are not all near uniform | finite, > 0 |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesParams {
    /// Number of classes.
    pub n_classes: usize,
    /// Smoothing.
    pub alpha: f64,
    /// Score scale.
    pub scale: f64,
}

impl BayesParams {
    /// Defaults for `n_classes` classes.
    pub fn new(n_classes: usize) -> Self {
        Self { n_classes, alpha: 0.3, scale: 20.0 }
    }
    /// Validates.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the bad field.
    pub fn check(self) -> Result<BayesValidParams> {
        if self.n_classes < 2 {
            return Err(Error::InvalidParam { name: "n_classes", message: format!("{} (need at least 2)", self.n_classes) });
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(Error::InvalidParam { name: "alpha", message: format!("{} must be finite and > 0", self.alpha) });
        }
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(Error::InvalidParam { name: "scale", message: format!("{} must be finite and > 0", self.scale) });
        }
        Ok(BayesValidParams(self))
    }
}

/// Validated [`BayesParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct BayesValidParams(BayesParams);

impl BayesValidParams {
    /// Fits on rows with class indices.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] on mismatched lengths or out-of-range classes.
    pub fn fit_rows(&self, x: &SparseRecords, y: &[usize]) -> Result<LinearModel> {
        use linfa::dataset::Records;
        let p = &self.0;
        let (n, k, d) = (x.n_rows(), p.n_classes, x.nfeatures());
        if n == 0 || y.len() != n {
            return Err(Error::InvalidParam { name: "targets", message: format!("{} rows but {} targets", n, y.len()) });
        }
        if let Some(&bad) = y.iter().find(|&&c| c >= k) {
            return Err(Error::InvalidParam { name: "targets", message: format!("class {bad} out of range for {k} classes") });
        }
        // Per-class feature mass, only over columns that occur.
        let mut count = vec![0f64; d * k];
        let mut seen = vec![false; d];
        for (i, &c) in y.iter().enumerate() {
            let (idx, val) = x.row_slices(i);
            for (&j, &v) in idx.iter().zip(val) {
                count[j as usize * k + c] += v.max(0.0) as f64;
                seen[j as usize] = true;
            }
        }
        let used = seen.iter().filter(|&&s| s).count() as f64;
        let mut class_total = vec![0f64; k];
        for j in 0..d {
            for c in 0..k {
                class_total[c] += count[j * k + c];
            }
        }
        let all: f64 = class_total.iter().sum();
        let mut dense = vec![0f32; d * k];
        for j in 0..d {
            if !seen[j] {
                continue;
            }
            let tot_j: f64 = count[j * k..j * k + k].iter().sum();
            for c in 0..k {
                let comp = tot_j - count[j * k + c] + p.alpha;
                let comp_total = all - class_total[c] + p.alpha * used;
                // Complement log-likelihood; a class scores high when its complement
                // makes the features unlikely, hence the minus sign.
                dense[j * k + c] = (-(comp / comp_total).ln() * p.scale) as f32;
            }
        }
        // Centre per column so unseen-in-class effects do not dominate, keep the ranking.
        for j in 0..d {
            if !seen[j] {
                continue;
            }
            let w = &mut dense[j * k..j * k + k];
            let mean = w.iter().sum::<f32>() / k as f32;
            for v in w.iter_mut() {
                *v -= mean;
            }
        }
        LinearModel::from_dense(k, d, vec![0.0; k], dense)
    }
}

impl Fit<SparseRecords, Array1<usize>, Error> for BayesValidParams {
    type Object = LinearModel;

    fn fit(&self, ds: &DatasetBase<SparseRecords, Array1<usize>>) -> Result<LinearModel> {
        self.fit_rows(&ds.records, &ds.targets.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::sparse::SparseRow;
    use crate::model::linear::argmax;

    #[test]
    fn separates_word_classes() {
        let mut x = SparseRecords::new(8);
        let mut y = Vec::new();
        for i in 0..30usize {
            let c = i % 2;
            x.push(&SparseRow { indices: vec![c as u32 * 3, c as u32 * 3 + 1, 7], values: vec![0.5, 0.5, 0.7] });
            y.push(c);
        }
        let m = BayesParams::new(2).check().unwrap().fit_rows(&x, &y).unwrap();
        for (i, p) in m.predict_proba(&x).unwrap().chunks(2).enumerate() {
            assert_eq!(argmax(p), y[i]);
        }
    }

    #[test]
    fn rejects_bad_params() {
        assert!(matches!(BayesParams { alpha: 0.0, ..BayesParams::new(2) }.check(), Err(Error::InvalidParam { name: "alpha", .. })));
        assert!(matches!(BayesParams::new(1).check(), Err(Error::InvalidParam { name: "n_classes", .. })));
    }
}
