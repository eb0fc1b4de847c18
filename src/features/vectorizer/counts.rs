//! Counting one document's terms in per-thread scratch space, by vocabulary table slot, so
//! that nothing is allocated per token.

/// `buffer`, grown to at least `len` entries (never shrunk: what is past the part in use
/// is stale and only ever overwritten), so that tallying needs no zero-filling.
#[inline]
pub(super) fn room(buffer: &mut Vec<u32>, len: usize) -> &mut [u32] {
    if buffer.len() < len {
        buffer.resize(len, 0);
    }
    buffer
}

/// Counts one occurrence of the term in `slot`; a first occurrence is kept at
/// `touched[*new]`.
#[inline(always)]
pub(super) fn tally(slot: u32, counts: &mut [u32], touched: &mut [u32], new: &mut usize) {
    let count = &mut counts[slot as usize];
    // Written every time, kept (by moving `new` on) only the first time: no branch. The
    // count saturates, so that the count of unknown terms never comes back to zero.
    touched[*new] = slot;
    *new += usize::from(*count == 0);
    *count = count.saturating_add(1);
}

/// [`tally`] of every slot of `slots`, in order; returns where the first occurrences in
/// `touched` end. Not inlined: in a function of its own the loop keeps its pointers in
/// registers (inlined into the lookups' loop, it reloaded three of them from the stack at
/// every slot).
#[inline(never)]
pub(super) fn tally_all(slots: &[u32], counts: &mut [u32], touched: &mut [u32], mut new: usize) -> usize {
    for &slot in slots {
        tally(slot, counts, touched, &mut new);
    }
    new
}

/// The TF weight of a term seen `count` times, as a function of the count: `1 + ln(count)`
/// if sublinear. Small counts (nearly all of them) come from a table of the same values,
/// found once here, so that loops over a document's terms neither check the table's
/// initialization nor test `sublinear` per term.
#[inline]
pub(crate) fn term_frequencies(sublinear: bool) -> impl Fn(u32) -> f32 + Copy {
    type Table = std::sync::LazyLock<[f32; 64]>;
    static SUBLINEAR: Table = Table::new(|| std::array::from_fn(|count| 1.0 + (count as f32).ln()));
    static LINEAR: Table = Table::new(|| std::array::from_fn(|count| count as f32));
    let table: &'static [f32; 64] = if sublinear { &SUBLINEAR } else { &LINEAR };
    move |count| match table.get(count as usize) {
        Some(&tf) => tf,
        None if sublinear => 1.0 + (count as f32).ln(),
        None => count as f32,
    }
}

/// One document's term counts, by vocabulary table slot, borrowed from the scratch space;
/// cleared when dropped.
pub(crate) struct TermCounts<'s> {
    pub(super) counts: &'s mut [u32],
    pub(super) touched: &'s [u32],
}

impl TermCounts<'_> {
    /// The terms the document has, in first-seen order, by their slot in the vocabulary
    /// table (heads premultiplied for serving keep their rows in this order). A slot's feature index is
    /// [`super::TfIdf::slot_features`]`[slot]`.
    #[inline]
    pub(crate) fn features(&self) -> &[u32] {
        self.touched
    }

    /// The count of the term in `slot`.
    #[inline]
    pub(crate) fn count(&self, slot: u32) -> u32 {
        self.counts[slot as usize]
    }

    /// `(slot, count)` of every term the document has, in first-seen order. A slot's
    /// feature index is [`super::TfIdf::slot_features`]`[slot]`.
    #[inline]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.touched.iter().map(|&slot| (slot, self.counts[slot as usize]))
    }
}

impl<'s> TermCounts<'s> {
    /// The terms' slots (as [`TermCounts::features`]) and their TF weights, read once each
    /// through the returned function, which zeroes each count as it reads it: the counts'
    /// cache lines are then written while they are in the cache, not again when the counts
    /// are dropped (those stores missed the cache once the rows had been read). The caller
    /// must call the function exactly once for every slot of the slice (a count read twice
    /// is zero); afterwards these counts hold no terms.
    #[inline]
    pub(crate) fn drain_tf(&mut self, sublinear: bool) -> (&'s [u32], impl FnMut(u32) -> f32 + '_) {
        let slots = std::mem::take(&mut self.touched);
        let counts = &mut *self.counts;
        let weight = term_frequencies(sublinear);
        (slots, move |slot| weight(std::mem::take(&mut counts[slot as usize])))
    }
}

impl Drop for TermCounts<'_> {
    fn drop(&mut self) {
        self.touched.iter().for_each(|&slot| self.counts[slot as usize] = 0);
    }
}
