//! A head's training rows as compressed sparse rows over its own columns: memory in
//! proportion to the non-zeros, never to rows × columns.

use linfa::dataset::Records;

use crate::features::vectorizer::SparseVector;

/// Rows of (column, value) pairs, one after another: row `r` is
/// `columns[offsets[r]..offsets[r + 1]]` with the values at the same positions.
#[derive(Debug, Clone, Default)]
pub struct SparseRows {
    offsets: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<f32>,
    width: usize,
}

impl SparseRows {
    /// `rows` restricted to the vocabulary indices in `kept` (ascending), which become columns
    /// `0..kept.len()` in the same order; `dimensions` is the vocabulary's size.
    pub fn restricted(rows: &[&SparseVector], kept: &[u32], dimensions: usize) -> Self {
        let mut position = vec![u32::MAX; dimensions];
        kept.iter().enumerate().for_each(|(p, &c)| position[c as usize] = p as u32);
        let mut built = SparseRows { width: kept.len(), ..Self::empty() };
        for row in rows {
            built.push(
                row.iter()
                    .filter_map(|(feature, value)| position.get(feature as usize).map(|&p| (p, value)))
                    .filter(|&(p, _)| p != u32::MAX),
            );
        }
        built
    }

    /// Dense rows of `width` values each, kept as they are (zeros left out).
    pub fn from_dense<'a>(rows: impl IntoIterator<Item = &'a [f32]>, width: usize) -> Self {
        let mut built = SparseRows { width, ..Self::empty() };
        for row in rows {
            built.push(row.iter().take(width).enumerate().map(|(c, &v)| (c as u32, v)).filter(|&(_, v)| v != 0.0));
        }
        built
    }

    fn empty() -> Self {
        SparseRows { offsets: vec![0], columns: Vec::new(), values: Vec::new(), width: 0 }
    }

    fn push(&mut self, entries: impl Iterator<Item = (u32, f32)>) {
        for (column, value) in entries {
            self.columns.push(column);
            self.values.push(value);
        }
        self.offsets.push(self.columns.len());
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The number of columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The number of stored entries.
    #[cfg(test)]
    pub fn non_zeros(&self) -> usize {
        self.values.len()
    }

    /// Row `r`'s columns and values.
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[r]..self.offsets[r + 1];
        (&self.columns[range.clone()], &self.values[range])
    }

    /// Whether every value is finite.
    pub fn all_finite(&self) -> bool {
        self.values.iter().all(|v| v.is_finite())
    }
}

impl Records for SparseRows {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.len()
    }

    fn nfeatures(&self) -> usize {
        self.width
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restriction_keeps_only_the_chosen_columns_renumbered() {
        let row = SparseVector { indices: vec![1, 4, 7], values: vec![0.5, 0.25, 2.0] };
        let rows = SparseRows::restricted(&[&row, &row], &[4, 7], 9);
        assert_eq!((rows.len(), rows.width(), rows.non_zeros()), (2, 2, 4));
        assert_eq!(rows.row(1), (&[0u32, 1][..], &[0.25f32, 2.0][..]));
    }

    #[test]
    fn dense_rows_leave_zeros_out() {
        let rows = SparseRows::from_dense([&[0.0f32, 3.0, 0.0][..], &[1.0, 0.0, 0.0][..]], 3);
        assert_eq!(rows.row(0), (&[1u32][..], &[3.0f32][..]));
        assert_eq!(rows.row(1), (&[0u32][..], &[1.0f32][..]));
    }
}
