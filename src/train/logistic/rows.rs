//! A head's training rows: some rows of a shared store of compressed sparse rows, read
//! through the head's own column numbering. Every head of a fit reads the one store, so that
//! memory is the non-zeros once, never once per head, and never rows × columns.

use std::borrow::Cow;

use linfa::dataset::Records;

use crate::features::vectorizer::SparseVector;

/// Marks a store column that a [`SparseRows`] leaves out.
const LEFT_OUT: u32 = u32::MAX;

/// Compressed sparse rows: row `r` is `columns[offsets[r]..offsets[r + 1]]` with the values at
/// the same positions, columns ascending.
#[derive(Debug, Clone, Default)]
pub struct RowStore {
    offsets: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<f32>,
    width: usize,
}

impl RowStore {
    /// No rows yet, over `width` columns.
    pub fn new(width: usize) -> Self {
        RowStore { offsets: vec![0], columns: Vec::new(), values: Vec::new(), width }
    }

    /// Room for `entries` more entries and `rows` more rows, allocated once.
    pub fn reserve(&mut self, entries: usize, rows: usize) {
        self.columns.reserve_exact(entries);
        self.values.reserve_exact(entries);
        self.offsets.reserve_exact(rows);
    }

    /// Appends a row; its columns must be ascending and below the width.
    pub fn push(&mut self, row: &SparseVector) {
        self.columns.extend_from_slice(&row.indices);
        self.values.extend_from_slice(&row.values);
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

    /// Row `r`'s columns and values.
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.entries(r);
        (&self.columns[range.clone()], &self.values[range])
    }

    /// Where row `r`'s entries are among every row's, in order.
    pub fn entries(&self, r: usize) -> std::ops::Range<usize> {
        self.offsets[r]..self.offsets[r + 1]
    }

    /// Every row's columns, row after row.
    pub fn columns(&self) -> &[u32] {
        &self.columns
    }

    /// Every row's values, row after row.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// Row `r` as a vector of its entries on the columns below `end`.
    pub fn vector(&self, r: usize, end: usize) -> SparseVector {
        let (columns, values) = self.row(r);
        let kept = columns.partition_point(|&c| (c as usize) < end);
        SparseVector { indices: columns[..kept].to_vec(), values: values[..kept].to_vec() }
    }
}

/// The rows a fit reads: the store's rows `selected` (all, in order, when none), each entry's
/// column renumbered through `position` (store column → own column, or left out), or kept as
/// it is when there is no renumbering. An entry's order within its row is the store's.
#[derive(Debug, Clone)]
pub struct SparseRows<'a> {
    store: Cow<'a, RowStore>,
    selected: Option<Vec<u32>>,
    position: Option<Vec<u32>>,
    width: usize,
}

impl<'a> SparseRows<'a> {
    /// The store's rows `selected`, on the store columns for which `keep` holds, numbered as
    /// in the store.
    pub fn select(store: &'a RowStore, selected: Vec<u32>, keep: impl Fn(usize) -> bool) -> Self {
        let position = (0..store.width).map(|c| if keep(c) { c as u32 } else { LEFT_OUT }).collect();
        SparseRows {
            store: Cow::Borrowed(store),
            selected: Some(selected),
            position: Some(position),
            width: store.width,
        }
    }

    /// The same rows on the columns `kept` (ascending, numbered as in the store, among those
    /// these rows keep), which become columns `0..kept.len()` in the same order. The rows are
    /// gathered into a store of their own, so that a fit reads each entry directly instead of
    /// through the renumbering (one copy per head, of the entries the head keeps).
    pub fn restricted(&self, kept: &[u32]) -> SparseRows<'static> {
        let mut position = vec![LEFT_OUT; self.store.width];
        kept.iter().enumerate().for_each(|(p, &c)| position[c as usize] = p as u32);
        if let Some(own) = &self.position {
            position.iter_mut().zip(own).filter(|(_, &o)| o == LEFT_OUT).for_each(|(p, _)| *p = LEFT_OUT);
        }
        let renumbered = SparseRows {
            store: Cow::Borrowed(&*self.store),
            selected: self.selected.clone(),
            position: Some(position),
            width: kept.len(),
        };
        SparseRows::owned(renumbered.gathered())
    }

    /// The rows as a store: the store itself when every row and column is read as stored,
    /// otherwise a gathered copy.
    pub fn as_store(&self) -> Cow<'_, RowStore> {
        match (&self.selected, &self.position) {
            (None, None) => Cow::Borrowed(&*self.store),
            _ => Cow::Owned(self.gathered()),
        }
    }

    /// A store of these rows, on these columns, each row's entries in the store's order.
    fn gathered(&self) -> RowStore {
        let mut gathered = RowStore::new(self.width);
        // Sized exactly first: growing by doubling would hold up to twice the entries.
        let entries = (0..self.len()).map(|r| self.row(r).count()).sum();
        gathered.offsets.reserve_exact(self.len());
        gathered.columns.reserve_exact(entries);
        gathered.values.reserve_exact(entries);
        for r in 0..self.len() {
            for (c, v) in self.row(r) {
                gathered.columns.push(c);
                gathered.values.push(v);
            }
            gathered.offsets.push(gathered.columns.len());
        }
        gathered
    }

    /// `rows`, owned, over `width` columns.
    #[cfg(test)]
    pub fn from_vectors(rows: &[&SparseVector], width: usize) -> SparseRows<'static> {
        let mut store = RowStore::new(width);
        rows.iter().for_each(|row| store.push(row));
        SparseRows::owned(store)
    }

    /// Dense rows of `width` values each, kept as they are (zeros left out).
    pub fn from_dense<'r>(rows: impl IntoIterator<Item = &'r [f32]>, width: usize) -> SparseRows<'static> {
        let mut store = RowStore::new(width);
        for row in rows {
            let (indices, values) =
                row.iter().take(width).enumerate().filter(|&(_, &v)| v != 0.0).map(|(c, &v)| (c as u32, v)).unzip();
            store.push(&SparseVector { indices, values });
        }
        SparseRows::owned(store)
    }

    fn owned(store: RowStore) -> SparseRows<'static> {
        let width = store.width;
        SparseRows { store: Cow::Owned(store), selected: None, position: None, width }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.selected.as_ref().map_or(self.store.len(), Vec::len)
    }

    /// The number of columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The number of entries the rows hold.
    #[cfg(test)]
    pub fn non_zeros(&self) -> usize {
        (0..self.len()).map(|r| self.row(r).count()).sum()
    }

    /// Row `r`'s entries, (column, value), by ascending column.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (u32, f32)> + Clone + '_ {
        let source = self.selected.as_ref().map_or(r, |selected| selected[r] as usize);
        let (columns, values) = self.store.row(source);
        let position = self.position.as_deref();
        columns.iter().zip(values).filter_map(move |(&c, &v)| match position {
            None => Some((c, v)),
            Some(position) => Some((position[c as usize], v)).filter(|&(p, _)| p != LEFT_OUT),
        })
    }

    /// Whether every value is finite.
    pub fn all_finite(&self) -> bool {
        (0..self.len()).all(|r| self.row(r).all(|(_, v)| v.is_finite()))
    }
}

impl Records for SparseRows<'_> {
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

    fn entries(rows: &SparseRows, r: usize) -> Vec<(u32, f32)> {
        rows.row(r).collect()
    }

    #[test]
    fn restriction_keeps_only_the_chosen_columns_renumbered() {
        let row = SparseVector { indices: vec![1, 4, 7], values: vec![0.5, 0.25, 2.0] };
        let rows = SparseRows::from_vectors(&[&row, &row], 9).restricted(&[4, 7]);
        assert_eq!((rows.len(), rows.width(), rows.non_zeros()), (2, 2, 4));
        assert_eq!(entries(&rows, 1), [(0, 0.25), (1, 2.0)]);
    }

    #[test]
    fn a_selection_reads_its_rows_and_columns_of_the_store_and_restricts_within_them() {
        let mut store = RowStore::new(9);
        store.push(&SparseVector { indices: vec![1, 4, 7], values: vec![0.5, 0.25, 2.0] });
        store.push(&SparseVector { indices: vec![0, 4], values: vec![1.0, 3.0] });
        store.push(&SparseVector { indices: vec![2, 8], values: vec![4.0, 5.0] });
        let selection = SparseRows::select(&store, vec![2, 0], |c| c != 4);
        assert_eq!((selection.len(), selection.width()), (2, 9));
        assert_eq!(entries(&selection, 0), [(2, 4.0), (8, 5.0)]);
        assert_eq!(entries(&selection, 1), [(1, 0.5), (7, 2.0)], "column 4 is left out");
        // Column 4 stays out even when asked for: the selection left it out.
        let restricted = selection.restricted(&[4, 7, 8]);
        assert_eq!(entries(&restricted, 0), [(2, 5.0)]);
        assert_eq!(entries(&restricted, 1), [(1, 2.0)]);
        assert_eq!(store.vector(0, 5), SparseVector { indices: vec![1, 4], values: vec![0.5, 0.25] });
    }

    #[test]
    fn dense_rows_leave_zeros_out() {
        let rows = SparseRows::from_dense([&[0.0f32, 3.0, 0.0][..], &[1.0, 0.0, 0.0][..]], 3);
        assert_eq!(entries(&rows, 0), [(1, 3.0)]);
        assert_eq!(entries(&rows, 1), [(0, 1.0)]);
    }
}
