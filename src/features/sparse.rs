//! Sparse rows and the CSR records type that classifiers train on.

use linfa::dataset::Records;

/// One sparse feature row: unique indices (in a deterministic order) with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRow {
    /// Feature indices, unique.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f32>,
}

impl SparseRow {
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
    /// Clears the row, keeping its allocation.
    pub fn clear(&mut self) {
        self.indices.clear();
        self.values.clear();
    }
    /// Iterates `(index, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.indices.iter().copied().zip(self.values.iter().copied())
    }
}

/// A compressed-sparse-row matrix of feature rows: linfa's `Records` for our classifiers.
///
/// ```
/// use linfa::dataset::Records;
/// use stancer::{SparseRecords, SparseRow};
/// let mut m = SparseRecords::new(8);
/// m.push(&SparseRow { indices: vec![1, 5], values: vec![0.6, 0.8] });
/// m.push(&SparseRow::default());
/// assert_eq!((m.nsamples(), m.nfeatures()), (2, 8));
/// assert_eq!(m.row(0).collect::<Vec<_>>(), [(1, 0.6), (5, 0.8)]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRecords {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    n_features: usize,
}

impl SparseRecords {
    /// An empty matrix with `n_features` columns.
    pub fn new(n_features: usize) -> Self {
        Self { indptr: vec![0], indices: Vec::new(), values: Vec::new(), n_features }
    }

    /// Appends a row. Indices at or beyond `n_features` are a caller bug (debug-checked).
    pub fn push(&mut self, row: &SparseRow) {
        debug_assert!(row.indices.iter().all(|&i| (i as usize) < self.n_features));
        self.indices.extend_from_slice(&row.indices);
        self.values.extend_from_slice(&row.values);
        self.indptr.push(self.indices.len());
    }

    /// Builds from rows.
    pub fn from_rows<'a>(n_features: usize, rows: impl IntoIterator<Item = &'a SparseRow>) -> Self {
        let mut m = Self::new(n_features);
        for r in rows {
            m.push(r);
        }
        m
    }

    /// Row `i` as `(index, value)` pairs (empty when out of range).
    pub fn row(&self, i: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        let (s, e) = match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&s), Some(&e)) => (s, e),
            _ => (0, 0),
        };
        self.indices[s..e].iter().copied().zip(self.values[s..e].iter().copied())
    }

    /// Raw slices of row `i`.
    pub fn row_slices(&self, i: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&s), Some(&e)) => (&self.indices[s..e], &self.values[s..e]),
            _ => (&[], &[]),
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Column indices of every stored entry, row after row.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// Total stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Multiplies every stored value by its column's entry in `scale` (columns beyond
    /// `scale` are left as they are).
    pub fn scale_columns(&mut self, scale: &[f32]) {
        for (v, &j) in self.values.iter_mut().zip(&self.indices) {
            if let Some(s) = scale.get(j as usize) {
                *v *= s;
            }
        }
    }

    /// A new matrix with the given rows, in the given order.
    pub fn select(&self, rows: &[usize]) -> Self {
        let mut m = Self::new(self.n_features);
        for &i in rows {
            let (idx, val) = self.row_slices(i);
            m.indices.extend_from_slice(idx);
            m.values.extend_from_slice(val);
            m.indptr.push(m.indices.len());
        }
        m
    }
}

impl Records for SparseRecords {
    type Elem = f32;
    fn nsamples(&self) -> usize {
        self.n_rows()
    }
    fn nfeatures(&self) -> usize {
        self.n_features
    }
}
