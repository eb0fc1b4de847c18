//! One field's lookups: every unigram and bigram key of its tokens looked up in the
//! vocabulary table and counted, in blocks, so that the loads a block needs are all in
//! flight before the first of them is used.

use super::counts::tally_all;
use super::{table, TfIdf};
use crate::text::tokenizer::hash;

/// Lookups per block: enough independent loads in flight to cover an L2 hit, few enough
/// that the prefetched lines are still in L1 when they are used.
const BLOCK: usize = 32;

impl TfIdf {
    /// Looks up every unigram and bigram of one field's token keys and counts the hits, in
    /// lookup order. `lookups[..n]` and `slots[..n]` get the `n` keys looked up
    /// (`[u0, u1, b01, u2, b12, …]` with bigrams, `[u0, u1, …]` without) and the slot each
    /// found (the table's `miss` if none). The slots first seen go to `touched` from
    /// `touched[new]` on; returns where they end. The buffers only ever grow, so nothing is
    /// allocated, cleared or zero-filled per document once they are large enough.
    ///
    /// Per block of lookups: every candidate slot is computed and its key prefetched; the
    /// previous block's hits are counted meanwhile; then the keys are compared and the
    /// counts of the slots found prefetched. Neither an unknown term nor a first occurrence
    /// takes a branch. Not inlined: in a function of its own its loops keep the table's
    /// size and pointers in registers (inlined into the analysis, one was reloaded from the
    /// stack at every lookup, or not, as the code around it changed).
    #[inline(never)]
    pub(super) fn count_keys(
        &self,
        keys: &[u64],
        lookups: &mut Vec<u64>,
        slots: &mut Vec<u32>,
        counts: &mut [u32],
        touched: &mut Vec<u32>,
        mut new: usize,
    ) -> usize {
        let n = self.fill_lookups(keys, lookups);
        if slots.len() < n {
            slots.resize(n, 0);
        }
        let (lookups, slots) = (&lookups[..n], &mut slots[..n]);
        let touched = super::counts::room(touched, new + n);
        let mut previous = 0..0;
        for start in (0..n).step_by(BLOCK) {
            let block = start..n.min(start + BLOCK);
            let (keys, found) = (&lookups[block.clone()], &mut slots[block.clone()]);
            for (slot, &key) in found.iter_mut().zip(keys) {
                *slot = self.table.candidate(key);
                self.table.prefetch(*slot);
            }
            new = tally_all(&slots[previous], counts, touched, new);
            let found = &mut slots[block.clone()];
            for (slot, &key) in found.iter_mut().zip(keys) {
                *slot = self.table.confirm(key, *slot);
                table::prefetch(&counts[*slot as usize]);
            }
            previous = block;
        }
        tally_all(&slots[previous], counts, touched, new)
    }

    /// Writes the keys to look up into `lookups[..n]` (growing it if needed) and returns `n`:
    /// the unigrams, and with bigrams each bigram after its second token.
    #[inline]
    fn fill_lookups(&self, keys: &[u64], lookups: &mut Vec<u64>) -> usize {
        let bigrams = self.settings.max_ngram >= 2;
        let n = if bigrams { (2 * keys.len()).saturating_sub(1) } else { keys.len() };
        if lookups.len() < n {
            lookups.resize(n, 0);
        }
        let out = &mut lookups[..n];
        match keys.split_first() {
            Some((&first, _)) if bigrams => {
                out[0] = first;
                for (pair, token) in out[1..].chunks_exact_mut(2).zip(keys.windows(2)) {
                    pair[0] = token[1];
                    pair[1] = hash::bigram(token[0], token[1]);
                }
            }
            _ => out.copy_from_slice(keys),
        }
        n
    }
}
