//! The prediction-time layout of a pipeline's weights: the columns that carry a weight in
//! any head, every head's weights of a column side by side, behind one column map.
//!
//! A [`LinearModel`] holds its weights dense, one row per hash bucket, so that training
//! and storage stay simple. Most buckets carry no weight (the shipped model: 58,461 of
//! 262,144), and the dense tables (3 MiB a head) do not fit a core's L2 cache with the rest
//! of the working set: scoring waited on their loads. [`PackedHeads`] keeps only the
//! weighted rows (in bucket order), reached through a column map of `u16` (`u32` when more
//! than 65,535 columns carry weights). A packed row holds every head's weights for its
//! column, head after head, so scoring a sentence's features in all heads at once
//! ([`PackedHeads::accumulate_all`]) costs one row load per feature, not one per head. The
//! sums are the same as the dense ones, term for term in the same order, so predictions
//! are bit-identical.

use crate::error::{Error, Result};
use crate::model::linear::LinearModel;

/// A bucket's row in the packed tables; row 0 is all zeros (no head weighs the bucket).
trait RowIndex: Copy {
    fn row(self) -> usize;
}

impl RowIndex for u16 {
    #[inline(always)]
    fn row(self) -> usize {
        self as usize
    }
}

impl RowIndex for u32 {
    #[inline(always)]
    fn row(self) -> usize {
        self as usize
    }
}

/// Bucket to packed row, as narrow as the number of rows allows.
#[derive(Debug, Clone, PartialEq)]
enum ColumnMap {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// The weighted rows of several same-width [`LinearModel`]s behind one column map.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedHeads {
    map: ColumnMap,
    /// `(rows + 1) * stride` weights: a row holds every head's weights of one column, head
    /// after head; row 0 is zero.
    rows: Vec<f32>,
    /// Weights per row: the heads' classes summed.
    stride: usize,
    /// Per head: where its weights start in a row, and how many there are.
    heads: Vec<(usize, usize)>,
}

impl PackedHeads {
    /// Packs `models`, which must all have the same number of feature columns.
    ///
    /// # Errors
    /// [`Error::Dimension`] when the models differ in width.
    pub fn new(models: &[&LinearModel]) -> Result<Self> {
        let n_features = models.first().map_or(0, |m| m.n_features());
        if let Some(m) = models.iter().find(|m| m.n_features() != n_features) {
            return Err(Error::Dimension { expected: n_features, found: m.n_features() });
        }
        let mut used = vec![false; n_features];
        for m in models {
            for (j, w) in m.dense_rows().enumerate() {
                used[j] |= w.iter().any(|&x| x != 0.0);
            }
        }
        let columns: Vec<usize> = used.iter().enumerate().filter(|(_, &u)| u).map(|(j, _)| j).collect();
        let map = if columns.len() < usize::from(u16::MAX) {
            let mut map = vec![0u16; n_features];
            for (r, &j) in columns.iter().enumerate() {
                map[j] = (r + 1) as u16;
            }
            ColumnMap::Narrow(map)
        } else {
            let mut map = vec![0u32; n_features];
            for (r, &j) in columns.iter().enumerate() {
                map[j] = (r + 1) as u32;
            }
            ColumnMap::Wide(map)
        };
        let mut heads = Vec::with_capacity(models.len());
        let mut stride = 0;
        for m in models {
            heads.push((stride, m.n_classes()));
            stride += m.n_classes();
        }
        let mut rows = vec![0.0f32; stride];
        rows.reserve(columns.len() * stride);
        for &j in &columns {
            for m in models {
                rows.extend_from_slice(m.dense_row(j));
            }
        }
        Ok(Self { map, rows, stride, heads })
    }

    /// Number of columns that carry a weight in some head.
    pub fn weighted_columns(&self) -> usize {
        if self.stride == 0 {
            return 0;
        }
        self.rows.len() / self.stride - 1
    }

    /// Length of the output of [`accumulate_all`](Self::accumulate_all): every head's classes.
    pub fn width(&self) -> usize {
        self.stride
    }

    /// Where head `head`'s sums sit in the output of [`accumulate_all`](Self::accumulate_all).
    pub fn head_range(&self, head: usize) -> std::ops::Range<usize> {
        self.heads.get(head).map_or(0..0, |&(at, k)| at..at + k)
    }

    /// Adds `w . x` of one (partial) row to `out` for head `head`, exactly as
    /// [`LinearModel::accumulate`] does with the dense weights. Indices outside the
    /// table and heads out of range add nothing.
    #[inline]
    pub fn accumulate(&self, head: usize, indices: &[u32], values: &[f32], out: &mut [f32]) {
        let Some(&(at, k)) = self.heads.get(head) else { return };
        match &self.map {
            ColumnMap::Narrow(map) => accumulate(map, &self.rows, self.stride, at, k, indices, values, out),
            ColumnMap::Wide(map) => accumulate(map, &self.rows, self.stride, at, k, indices, values, out),
        }
    }

    /// [`accumulate`](Self::accumulate) for every head in one pass over the row: `out`
    /// (at least [`width`](Self::width) long) gets head `h`'s sums at
    /// [`head_range(h)`](Self::head_range). Each sum is the same as one head's on its own.
    #[inline]
    pub fn accumulate_all(&self, indices: &[u32], values: &[f32], out: &mut [f32]) {
        match &self.map {
            ColumnMap::Narrow(map) => accumulate(map, &self.rows, self.stride, 0, self.stride, indices, values, out),
            ColumnMap::Wide(map) => accumulate(map, &self.rows, self.stride, 0, self.stride, indices, values, out),
        }
    }
}

/// Adds the weights `at..at + k` of each listed column's row (`stride` wide), times its
/// value, to `out[..k]`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn accumulate<R: RowIndex>(map: &[R], rows: &[f32], stride: usize, at: usize, k: usize, indices: &[u32], values: &[f32], out: &mut [f32]) {
    let out = &mut out[..k];
    match k {
        // The common cases, unrolled: one head of three classes (stance, sentiment), and
        // two such heads at once.
        3 => {
            let (mut a, mut b, mut c) = (out[0], out[1], out[2]);
            for (&j, &v) in indices.iter().zip(values) {
                let Some(r) = map.get(j as usize) else { continue };
                let base = r.row() * stride + at;
                if let Some(w) = rows.get(base..base + 3) {
                    a += v * w[0];
                    b += v * w[1];
                    c += v * w[2];
                }
            }
            out.copy_from_slice(&[a, b, c]);
        }
        6 => {
            let mut acc = [out[0], out[1], out[2], out[3], out[4], out[5]];
            for (&j, &v) in indices.iter().zip(values) {
                let Some(r) = map.get(j as usize) else { continue };
                let base = r.row() * stride + at;
                if let Some(w) = rows.get(base..base + 6) {
                    for (a, w) in acc.iter_mut().zip(w) {
                        *a += v * w;
                    }
                }
            }
            out.copy_from_slice(&acc);
        }
        _ => {
            for (&j, &v) in indices.iter().zip(values) {
                let Some(r) = map.get(j as usize) else { continue };
                let base = r.row() * stride + at;
                if let Some(w) = rows.get(base..base + k) {
                    for (o, wc) in out.iter_mut().zip(w) {
                        *o += v * wc;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model whose weights are non-zero on a pseudo-random fifth of the columns.
    fn model(k: usize, d: usize, seed: u64) -> LinearModel {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        let mut dense = vec![0.0f32; d * k];
        for j in 0..d {
            if next() % 5 == 0 {
                for c in 0..k {
                    dense[j * k + c] = (next() % 2001) as f32 / 1000.0 - 1.0;
                }
            }
        }
        LinearModel::from_dense(k, d, vec![0.0; k], dense).expect("shape")
    }

    fn check(models: &[LinearModel]) {
        let refs: Vec<&LinearModel> = models.iter().collect();
        let p = PackedHeads::new(&refs).expect("same width");
        let d = models[0].n_features();
        // Every column once, then some repeated, with varied values.
        let indices: Vec<u32> = (0..d as u32).chain((0..d as u32).step_by(7)).collect();
        let values: Vec<f32> = (0..indices.len()).map(|i| 0.25 + (i % 13) as f32 / 7.0).collect();
        for (h, m) in models.iter().enumerate() {
            let k = m.n_classes();
            let (mut dense, mut packed) = (vec![0.5f32; k], vec![0.5f32; k]);
            m.accumulate(&indices, &values, &mut dense);
            p.accumulate(h, &indices, &values, &mut packed);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&dense), bits(&packed), "head {h}");
        }
        // All heads in one pass: each head's sums are the same bits again.
        let mut all = vec![0.5f32; p.width()];
        p.accumulate_all(&indices, &values, &mut all);
        for (h, m) in models.iter().enumerate() {
            let mut dense = vec![0.5f32; m.n_classes()];
            m.accumulate(&indices, &values, &mut dense);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&dense), bits(&all[p.head_range(h)]), "head {h} in accumulate_all");
        }
    }

    #[test]
    fn packed_sums_are_bit_identical_to_dense_ones() {
        check(&[model(3, 4096, 1), model(3, 4096, 2)]);
        check(&[model(2, 1000, 3), model(5, 1000, 4), model(3, 1000, 5)]);
        check(&[model(3, 1000, 8)]);
        check(&[model(4, 1000, 9), model(2, 1000, 10)]);
    }

    #[test]
    fn more_than_65535_weighted_columns_use_the_wide_map() {
        let models = [model(3, 400_000, 6), model(3, 400_000, 7)];
        let refs: Vec<&LinearModel> = models.iter().collect();
        let p = PackedHeads::new(&refs).expect("same width");
        assert!(p.weighted_columns() > 65_535, "{} columns", p.weighted_columns());
        assert!(matches!(p.map, ColumnMap::Wide(_)));
        check(&models);
    }

    #[test]
    fn only_weighted_columns_are_kept() {
        let mut dense = vec![0.0f32; 10 * 3];
        dense[3 * 3 + 1] = 1.5;
        dense[7 * 3] = -2.0;
        let m = LinearModel::from_dense(3, 10, vec![0.0; 3], dense).expect("shape");
        let p = PackedHeads::new(&[&m]).expect("one model");
        assert_eq!(p.weighted_columns(), 2);
        assert_eq!(p.head_range(0), 0..3);
        let mut out = vec![0.0f32; 3];
        p.accumulate(0, &[3, 7, 5, 99], &[2.0, 1.0, 4.0, 1.0], &mut out);
        assert_eq!(out, vec![-2.0, 3.0, 0.0]);
    }

    #[test]
    fn models_of_different_widths_are_refused() {
        let (a, b) = (model(3, 100, 1), model(3, 200, 2));
        assert!(PackedHeads::new(&[&a, &b]).is_err());
    }
}
