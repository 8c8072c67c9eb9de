//! The fitted linear scorer that both trainers produce: per-class weights over hashed
//! features plus a bias, turned into probabilities by a max-shifted softmax.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::sparse::{SparseRecords, SparseRow};

/// A fitted linear classifier over `n_features` hashed columns and `n_classes` classes.
///
/// Weights are held dense (`n_features * n_classes`, feature-major) for constant-time
/// lookup, and serialised sparse: only the columns seen in training are stored.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    n_classes: usize,
    n_features: usize,
    bias: Vec<f32>,
    dense: Vec<f32>,
}

/// Largest weight table a model may have (2^24 buckets x 4 classes, 256 MiB of f32).
pub const MAX_WEIGHTS: usize = 1 << 26;

/// The serialised form of a [`LinearModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLinear {
    /// Classes.
    pub n_classes: u32,
    /// Hashed feature columns.
    pub n_features: u32,
    /// Per-class bias.
    pub bias: Vec<f32>,
    /// Columns with a non-zero weight, increasing.
    pub columns: Vec<u32>,
    /// `columns.len() * n_classes` weights, column-major by class.
    pub weights: Vec<f32>,
}

impl LinearModel {
    /// Builds a model from dense weights. `dense.len()` must be `n_features * n_classes`.
    pub fn from_dense(n_classes: usize, n_features: usize, bias: Vec<f32>, dense: Vec<f32>) -> Result<Self> {
        if dense.len() != n_features * n_classes || bias.len() != n_classes {
            return Err(Error::Dimension { expected: n_features * n_classes, found: dense.len() });
        }
        Ok(Self { n_classes, n_features, bias, dense })
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The dense weight rows, one per feature column (`n_classes` weights each).
    pub fn dense_rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.dense.chunks_exact(self.n_classes)
    }

    /// The weights of column `j` (`n_classes` of them); empty when `j` is out of range.
    pub fn dense_row(&self, j: usize) -> &[f32] {
        self.dense.get(j * self.n_classes..(j + 1) * self.n_classes).unwrap_or(&[])
    }

    /// Multiplies each column's weights by `scale[column]`: a model fitted on rows whose
    /// values were scaled by `scale` becomes the same function of the unscaled rows.
    ///
    /// # Errors
    /// [`Error::Dimension`] when `scale` does not have one entry per column.
    pub fn scale_columns(&mut self, scale: &[f32]) -> Result<()> {
        if scale.len() != self.n_features {
            return Err(Error::Dimension { expected: self.n_features, found: scale.len() });
        }
        for (w, &s) in self.dense.chunks_mut(self.n_classes).zip(scale) {
            for v in w {
                *v *= s;
            }
        }
        Ok(())
    }

    /// The model whose scores are `(1 - w) * self + w * other` (same shape required).
    ///
    /// # Errors
    /// [`Error::Dimension`] when the two models differ in shape.
    pub fn blend(&self, other: &LinearModel, w: f32) -> Result<LinearModel> {
        if other.n_classes != self.n_classes || other.n_features != self.n_features {
            return Err(Error::Dimension { expected: self.dense.len(), found: other.dense.len() });
        }
        let mix = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| (1.0 - w) * x + w * y).collect::<Vec<f32>>();
        Ok(Self { n_classes: self.n_classes, n_features: self.n_features, bias: mix(&self.bias, &other.bias), dense: mix(&self.dense, &other.dense) })
    }

    /// Writes class scores (logits) for one row into `out` (length `n_classes`).
    #[inline]
    pub fn scores(&self, indices: &[u32], values: &[f32], out: &mut [f32]) {
        let k = self.n_classes;
        out[..k].fill(0.0);
        self.accumulate(indices, values, out);
        for (o, b) in out[..k].iter_mut().zip(&self.bias) {
            *o += b;
        }
    }

    /// Adds `w . x` of one (partial) row to `out` (length `n_classes`), without the bias:
    /// a row split into blocks is scored block by block.
    #[inline]
    pub fn accumulate(&self, indices: &[u32], values: &[f32], out: &mut [f32]) {
        let k = self.n_classes;
        let out = &mut out[..k];
        if k == 3 {
            // The common case (three stances, three sentiments), unrolled.
            let (mut a, mut b, mut c) = (out[0], out[1], out[2]);
            for (&j, &v) in indices.iter().zip(values) {
                let base = j as usize * 3;
                if let Some(w) = self.dense.get(base..base + 3) {
                    a += v * w[0];
                    b += v * w[1];
                    c += v * w[2];
                }
            }
            out.copy_from_slice(&[a, b, c]);
            return;
        }
        for (&j, &v) in indices.iter().zip(values) {
            let base = j as usize * k;
            if let Some(w) = self.dense.get(base..base + k) {
                for (o, wc) in out.iter_mut().zip(w) {
                    *o += v * wc;
                }
            }
        }
    }

    /// Class probabilities from accumulated dot products of an unnormalised row:
    /// `softmax(bias + scale * dots)`, written into `out`.
    #[inline]
    pub fn proba_from_dots(&self, dots: &[f32], scale: f32, out: &mut [f32]) {
        let k = self.n_classes;
        for ((o, d), b) in out[..k].iter_mut().zip(dots).zip(&self.bias) {
            *o = b + scale * d;
        }
        softmax(&mut out[..k]);
    }

    /// Writes class probabilities for one row into `out`.
    #[inline]
    pub fn predict_proba_row(&self, row: &SparseRow, out: &mut [f32]) {
        self.scores(&row.indices, &row.values, out);
        softmax(&mut out[..self.n_classes]);
    }

    /// Probabilities for every row of a matrix, row-major `n_rows * n_classes`.
    ///
    /// # Errors
    /// [`Error::Dimension`] when the matrix has a different number of columns.
    pub fn predict_proba(&self, x: &SparseRecords) -> Result<Vec<f32>> {
        use linfa::dataset::Records;
        if x.nfeatures() != self.n_features {
            return Err(Error::Dimension { expected: self.n_features, found: x.nfeatures() });
        }
        let k = self.n_classes;
        let mut out = vec![0.0; x.n_rows() * k];
        for (i, chunk) in out.chunks_mut(k).enumerate() {
            let (idx, val) = x.row_slices(i);
            self.scores(idx, val, chunk);
            softmax(chunk);
        }
        Ok(out)
    }

    /// The sparse, serialisable form.
    pub fn to_stored(&self) -> StoredLinear {
        let k = self.n_classes;
        let mut columns = Vec::new();
        let mut weights = Vec::new();
        for (j, w) in self.dense.chunks(k).enumerate() {
            if w.iter().any(|&x| x != 0.0) {
                columns.push(j as u32);
                weights.extend_from_slice(w);
            }
        }
        StoredLinear { n_classes: k as u32, n_features: self.n_features as u32, bias: self.bias.clone(), columns, weights }
    }

    /// Rebuilds from the stored form, checking every dimension.
    ///
    /// # Errors
    /// A message describing the inconsistency (the caller wraps it with the file name).
    pub fn from_stored(s: StoredLinear) -> std::result::Result<Self, String> {
        let (k, d) = (s.n_classes as usize, s.n_features as usize);
        // Bound the dense table before allocating it: a damaged or crafted file must not
        // be able to ask for gigabytes (found by fuzzing, issue 6).
        if k < 2 || k > 1024 || d == 0 || d > (1 << 24) || d.saturating_mul(k) > MAX_WEIGHTS {
            return Err(format!("implausible shape: {k} classes, {d} features"));
        }
        if s.bias.len() != k || s.weights.len() != s.columns.len() * k {
            return Err(format!("weights do not match shape ({} bias, {} weights for {} columns)", s.bias.len(), s.weights.len(), s.columns.len()));
        }
        let mut dense = vec![0.0f32; d * k];
        let mut prev: Option<u32> = None;
        for (n, &j) in s.columns.iter().enumerate() {
            if j as usize >= d || prev.is_some_and(|p| p >= j) {
                return Err(format!("column {j} out of order or out of range"));
            }
            prev = Some(j);
            dense[j as usize * k..(j as usize + 1) * k].copy_from_slice(&s.weights[n * k..(n + 1) * k]);
        }
        if s.bias.iter().chain(&s.weights).any(|w| !w.is_finite()) {
            return Err("non-finite weight".into());
        }
        Ok(Self { n_classes: k, n_features: d, bias: s.bias, dense })
    }
}

/// In-place softmax with the max shift (linfa-logistic's `log_sum_exp` trick).
#[inline]
pub fn softmax(x: &mut [f32]) {
    let m = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - m).exp();
        sum += *v;
    }
    if sum > 0.0 {
        for v in x.iter_mut() {
            *v /= sum;
        }
    }
}

/// Index of the largest value (first on ties).
pub fn argmax(x: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in x.iter().enumerate() {
        if v > x[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_and_sums_to_one() {
        let mut x = [1000.0, 1001.0, 999.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[1] > x[0] && x[0] > x[2]);
    }

    #[test]
    fn stored_round_trip() {
        let m = LinearModel::from_dense(2, 4, vec![0.1, -0.1], vec![0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 0.5, 0.25]).unwrap();
        let s = m.to_stored();
        assert_eq!(s.columns, [1, 3]);
        assert_eq!(LinearModel::from_stored(s).unwrap(), m);
    }

    #[test]
    fn blend_mixes_weights_and_bias() {
        let a = LinearModel::from_dense(2, 2, vec![1.0, 0.0], vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        let b = LinearModel::from_dense(2, 2, vec![0.0, 1.0], vec![0.0, 2.0, 2.0, 0.0]).unwrap();
        let m = a.blend(&b, 0.25).unwrap();
        assert_eq!(m, LinearModel::from_dense(2, 2, vec![0.75, 0.25], vec![0.75, 0.5, 0.5, 0.75]).unwrap());
        assert_eq!(a.blend(&b, 0.0).unwrap(), a);
        let c = LinearModel::from_dense(3, 2, vec![0.0; 3], vec![0.0; 6]).unwrap();
        assert!(a.blend(&c, 0.5).is_err());
    }

    #[test]
    fn rejects_damaged_stored_models() {
        let m = LinearModel::from_dense(2, 4, vec![0.0, 0.0], vec![1.0; 8]).unwrap();
        let mut s = m.to_stored();
        s.columns[0] = 9;
        assert!(LinearModel::from_stored(s).is_err());
        let mut s = m.to_stored();
        s.weights.pop();
        assert!(LinearModel::from_stored(s).is_err());
        let mut s = m.to_stored();
        s.weights[0] = f32::NAN;
        assert!(LinearModel::from_stored(s).is_err());
        // Regression (fuzzing): a huge claimed shape is refused before any allocation.
        let huge = StoredLinear { n_classes: 1024, n_features: 1 << 24, bias: vec![0.0; 1024], columns: vec![], weights: vec![] };
        assert!(LinearModel::from_stored(huge).unwrap_err().contains("implausible shape"));
    }
}
