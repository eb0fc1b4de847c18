//! Fitting in the span of the rows.
//!
//! linfa's learners take a dense matrix, and over 30,000 mostly empty columns every pass of
//! the optimizer is a pass over gigabytes of zeros. A logistic regression with an L2 penalty
//! and an unpenalized intercept has its optimal weights in the span of its rows, and L-BFGS
//! started at zero never leaves that span (every step is a combination of gradients, which lie
//! in it). So linfa fits on the rows' coordinates in an orthonormal basis of that span: one
//! column per distinct row instead of one per feature, with the same penalty, the same
//! iterates up to rounding and the same optimum.
//!
//! The basis comes from the Cholesky factor of the distinct rows' Gram matrix,
//! `X Xᵀ = L Lᵀ`: a row's coordinates are its row of `L`, and coordinates `z` are the
//! weights `Xᵀ L⁻ᵀ z` over the features.

use faer::linalg::solvers::Llt;
use faer::linalg::triangular_solve::solve_upper_triangular_in_place;
use faer::{Mat, MatRef, Par, Side};
use ndarray::{Array1, Array2, ArrayView2, ShapeBuilder};
use rustc_hash::FxHashMap;

use crate::features::vectorizer::SparseVector;

/// A head's training rows restricted to its columns, each distinct row kept once.
pub struct DistinctRows {
    /// (column position, value) pairs of each distinct row, by ascending column.
    rows: Vec<Vec<(u32, f32)>>,
    /// For each training row in order, the distinct row it is.
    row_of: Vec<u32>,
    columns: usize,
}

impl DistinctRows {
    /// `rows` over the vocabulary indices in `columns` (ascending) only.
    pub fn new(rows: &[&SparseVector], columns: &[u32], dimensions: usize) -> Self {
        let mut position = vec![u32::MAX; dimensions];
        columns.iter().enumerate().for_each(|(p, &c)| position[c as usize] = p as u32);
        let mut seen: FxHashMap<Vec<(u32, u32)>, u32> = FxHashMap::default();
        let mut distinct = Vec::new();
        let row_of = rows
            .iter()
            .map(|row| {
                let restricted: Vec<(u32, f32)> = row
                    .iter()
                    .map(|(feature, value)| (position[feature as usize], value))
                    .filter(|&(p, _)| p != u32::MAX)
                    .collect();
                let key = restricted.iter().map(|&(p, v)| (p, v.to_bits())).collect();
                *seen.entry(key).or_insert_with(|| {
                    distinct.push(restricted);
                    distinct.len() as u32 - 1
                })
            })
            .collect();
        DistinctRows { rows: distinct, row_of, columns: columns.len() }
    }

    /// The number of training rows (with repeats).
    pub fn len(&self) -> usize {
        self.row_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row_of.is_empty()
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    /// The training rows in order, each as its (column position, value) pairs.
    pub fn iter(&self) -> impl Iterator<Item = &[(u32, f32)]> {
        self.row_of.iter().map(|&d| self.rows[d as usize].as_slice())
    }
}

/// The Gram matrix is factored with this much added to its diagonal (relative to the mean
/// diagonal), so that rows that are nearly linearly dependent still factor; the coordinates then
/// carry a tiny per-row feature of their own, which the weights leave out.
const RELATIVE_JITTER: f64 = 1e-9;

/// The rows of one head, each column scaled, in an orthonormal basis of their span.
pub struct RowSpace<'a> {
    rows: &'a DistinctRows,
    scaling: Array1<f32>,
    /// `L Lᵀ`: the Cholesky factorization of the scaled rows' Gram matrix.
    factor: Llt<f64>,
}

/// The Gram matrix of the scaled rows could not be factored.
#[derive(Debug, thiserror::Error)]
#[error("the Gram matrix of {rows} distinct training rows is not positive definite even with jitter")]
pub struct NotFactorable {
    pub rows: usize,
}

impl<'a> RowSpace<'a> {
    /// The span of `rows` with each column multiplied by its entry of `scaling`.
    pub fn new(rows: &'a DistinctRows, scaling: Array1<f32>) -> Result<Self, NotFactorable> {
        let mut gram = gram(rows, &scaling);
        let n = rows.rows.len();
        let mean_diagonal = (0..n).map(|i| gram[i * n + i]).sum::<f64>() / n.max(1) as f64;
        let mut jitter = RELATIVE_JITTER * mean_diagonal.max(f64::MIN_POSITIVE);
        let mut added = 0.0;
        for _ in 0..4 {
            (0..n).for_each(|i| gram[i * n + i] += jitter - added);
            added = jitter;
            if let Ok(factor) = MatRef::from_column_major_slice(&gram, n, n).llt(Side::Upper) {
                return Ok(RowSpace { rows, scaling, factor });
            }
            jitter *= 1e3;
        }
        Err(NotFactorable { rows: n })
    }

    /// The scaling of each column.
    pub fn scaling(&self) -> &Array1<f32> {
        &self.scaling
    }

    /// Every training row's coordinates (rows × distinct rows), stored column by column:
    /// linfa's binary gradient multiplies the transposed matrix by a vector, which without BLAS
    /// walks rows of the transpose, so they must be contiguous.
    pub fn coordinates(&self) -> Array2<f32> {
        let factor = self.factor.L();
        let n = factor.ncols();
        let mut coordinates = Array2::zeros((self.rows.len(), n).f());
        for (k, mut column) in coordinates.columns_mut().into_iter().enumerate() {
            let factor_column = factor.col(k);
            for (cell, &d) in column.iter_mut().zip(&self.rows.row_of) {
                *cell = factor_column[d as usize] as f32;
            }
        }
        coordinates
    }

    /// The weights over the (scaled) columns that `coordinates` (distinct rows × labels) stand
    /// for: `Xᵀ L⁻ᵀ z`.
    pub fn weights(&self, coordinates: ArrayView2<f32>) -> Array2<f32> {
        let (n, labels) = coordinates.dim();
        let mut dual = Mat::<f64>::from_fn(n, labels, |i, j| f64::from(coordinates[(i, j)]));
        solve_upper_triangular_in_place(self.factor.L().transpose(), dual.as_mut(), Par::Seq);
        let mut weights = Array2::<f64>::zeros((self.rows.columns, labels));
        for (i, row) in self.rows.rows.iter().enumerate() {
            for &(p, value) in row {
                let scaled = f64::from(value * self.scaling[p as usize]);
                for label in 0..labels {
                    weights[(p as usize, label)] += scaled * dual[(i, label)];
                }
            }
        }
        weights.mapv(|w| w as f32)
    }
}

/// The upper triangle of `X Xᵀ` over the scaled distinct rows, column-major: each pair of rows
/// meets only through the columns they share, found from each column's list of rows.
fn gram(rows: &DistinctRows, scaling: &Array1<f32>) -> Vec<f64> {
    let n = rows.rows.len();
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); rows.columns];
    for (i, row) in rows.rows.iter().enumerate() {
        for &(p, value) in row {
            postings[p as usize].push((i as u32, f64::from(value * scaling[p as usize])));
        }
    }
    let mut gram = vec![0.0f64; n * n];
    for (i, row) in rows.rows.iter().enumerate() {
        let column = &mut gram[i * n..i * n + i + 1];
        for &(p, value) in row {
            let value = f64::from(value * scaling[p as usize]);
            for &(j, other) in postings[p as usize].iter().take_while(|&&(j, _)| j as usize <= i) {
                column[j as usize] += value * other;
            }
        }
    }
    gram
}
