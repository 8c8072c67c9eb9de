//! The prediction-time layout of a pipeline's weights: the columns that carry a weight in
//! any head, packed side by side, behind one shared column map.
//!
//! A [`LinearModel`] holds its weights dense, one row per hash bucket, so that training
//! and storage stay simple. Most buckets carry no weight (the shipped model: 58,461 of
//! 262,144), and the dense tables (3 MiB a head) do not fit a core's L2 cache with the rest
//! of the working set: scoring waited on their loads. [`PackedHeads`] keeps only the
//! weighted rows (in bucket order), reached through a column map of `u16` (`u32` when more
//! than 65,535 columns carry weights) that every head shares. The sums are the same as the
//! dense ones, term for term in the same order, so predictions are bit-identical.

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
    /// Per head: `(rows + 1) * n_classes` weights, row-major, row 0 zero.
    rows: Vec<Vec<f32>>,
    classes: Vec<usize>,
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
        let rows = models
            .iter()
            .map(|m| {
                let k = m.n_classes();
                let mut packed = vec![0.0f32; k];
                packed.reserve(columns.len() * k);
                for &j in &columns {
                    packed.extend_from_slice(m.dense_row(j));
                }
                packed
            })
            .collect();
        Ok(Self { map, rows, classes: models.iter().map(|m| m.n_classes()).collect() })
    }

    /// Number of packed heads.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no head is packed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Number of columns that carry a weight in some head.
    pub fn weighted_columns(&self) -> usize {
        self.rows.first().zip(self.classes.first()).map_or(0, |(r, &k)| r.len() / k - 1)
    }

    /// Adds `w . x` of one (partial) row to `out` for head `head`, exactly as
    /// [`LinearModel::accumulate`] does with the dense weights. Indices outside the
    /// table and heads out of range add nothing.
    #[inline]
    pub fn accumulate(&self, head: usize, indices: &[u32], values: &[f32], out: &mut [f32]) {
        let (Some(rows), Some(&k)) = (self.rows.get(head), self.classes.get(head)) else { return };
        match &self.map {
            ColumnMap::Narrow(map) => accumulate(map, rows, k, indices, values, out),
            ColumnMap::Wide(map) => accumulate(map, rows, k, indices, values, out),
        }
    }
}

#[inline(always)]
fn accumulate<R: RowIndex>(map: &[R], rows: &[f32], k: usize, indices: &[u32], values: &[f32], out: &mut [f32]) {
    let out = &mut out[..k];
    if k == 3 {
        // The common case (three stances, three sentiments), unrolled.
        let (mut a, mut b, mut c) = (out[0], out[1], out[2]);
        for (&j, &v) in indices.iter().zip(values) {
            let Some(r) = map.get(j as usize) else { continue };
            let base = r.row() * 3;
            if let Some(w) = rows.get(base..base + 3) {
                a += v * w[0];
                b += v * w[1];
                c += v * w[2];
            }
        }
        out.copy_from_slice(&[a, b, c]);
        return;
    }
    for (&j, &v) in indices.iter().zip(values) {
        let Some(r) = map.get(j as usize) else { continue };
        let base = r.row() * k;
        if let Some(w) = rows.get(base..base + k) {
            for (o, wc) in out.iter_mut().zip(w) {
                *o += v * wc;
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
    }

    #[test]
    fn packed_sums_are_bit_identical_to_dense_ones() {
        check(&[model(3, 4096, 1), model(3, 4096, 2)]);
        check(&[model(2, 1000, 3), model(5, 1000, 4), model(3, 1000, 5)]);
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
