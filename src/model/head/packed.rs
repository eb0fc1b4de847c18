//! Every head packed into one table of rows by vocabulary slot, and the scoring loops that
//! read it: the fast path by which a model scores an article and its sentences.

use super::scoring::head_softmax;
use super::{argmax, HeadPrediction, LinearHead};

/// Every head's weights for one feature in one row, already multiplied by the feature's IDF,
/// with the IDF itself in the row's last value: scoring a document reads one row per
/// feature it has. Rows are whole 32-byte lanes (8 values), so the two shipped heads (3 + 4
/// labels) and the IDF fill exactly one lane, and they are in the order of the vocabulary
/// table's slots, which is how term counts come. Derived from the heads and the IDF when a
/// model is assembled; never stored.
#[derive(Clone)]
pub(crate) struct PackedHeads {
    lanes: usize,
    rows: Vec<Lane>,
    /// Where each head's labels start in a row.
    offsets: Vec<usize>,
}

/// How many terms ahead of its use a row is prefetched: enough loads in flight to cover a
/// miss to memory while the rows before it are added.
const PREFETCH_AHEAD: usize = 32;

#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Lane([f32; 8]);

impl std::fmt::Debug for PackedHeads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackedHeads")
            .field("lanes", &self.lanes)
            .field("slots", &(self.rows.len() / self.lanes))
            .finish()
    }
}

impl PackedHeads {
    /// One row per slot: `slot_features[slot]` is the feature whose weights and IDF go there
    /// (none if it is out of range).
    pub(crate) fn build(heads: &[LinearHead], idf: &[f32], slot_features: &[u32]) -> Self {
        let labels: usize = heads.iter().map(LinearHead::label_count).sum();
        let lanes = (labels + 1).div_ceil(8);
        let mut rows = vec![Lane::default(); slot_features.len() * lanes];
        for (row, &feature) in rows.chunks_exact_mut(lanes).zip(slot_features) {
            // A spare slot of the table has no feature, and no document ever counts it.
            let Some(&idf) = idf.get(feature as usize) else { continue };
            let weights = heads.iter().flat_map(|head| head.row(feature));
            for (j, &weight) in weights.enumerate() {
                row[j / 8].0[j % 8] = weight * idf;
            }
            row[lanes - 1].0[7] = idf;
        }
        let offsets = heads
            .iter()
            .scan(0, |start, head| {
                let offset = *start;
                *start += head.label_count();
                Some(offset)
            })
            .collect();
        Self { lanes, rows, offsets }
    }

    /// Every head's prediction for the document whose terms are `slots` (by vocabulary table
    /// slot, see [`PackedHeads::build`]), in any order, with TF weights `tf(slot)`:
    /// `bias + x · W`, with `x` the L2-normalized TF-IDF vector, then softmax. The same as
    /// [`LinearHead::predict`] on that vector, up to float rounding. `tf` is called exactly
    /// once for each slot, in order.
    #[inline]
    pub(crate) fn predict(
        &self,
        heads: &[LinearHead],
        slots: &[u32],
        tf: impl FnMut(u32) -> f32,
    ) -> Vec<HeadPrediction> {
        let mut predictions = Vec::with_capacity(heads.len());
        self.predict_into(heads, slots, tf, &mut predictions);
        predictions
    }

    /// [`PackedHeads::predict`], appended to `predictions`: a caller that keeps the vector
    /// from one document to the next allocates only the probabilities.
    #[inline]
    pub(crate) fn predict_into(
        &self,
        heads: &[LinearHead],
        slots: &[u32],
        tf: impl FnMut(u32) -> f32,
        predictions: &mut Vec<HeadPrediction>,
    ) {
        #[cfg(target_arch = "x86_64")]
        if with_avx() {
            // SAFETY: the processor has AVX, all that `predict_with_avx` enables.
            return unsafe { self.predict_with_avx(heads, slots, tf, predictions) };
        }
        self.predict_here(heads, slots, tf, predictions)
    }

    /// [`PackedHeads::predict_into`] compiled with AVX: a row's eight `f32` weights become
    /// `f64` and are multiplied and added four at a time rather than two, in the same order
    /// and with the same roundings (no operation is fused), so the sums are the same to the
    /// bit.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn predict_with_avx(
        &self,
        heads: &[LinearHead],
        slots: &[u32],
        tf: impl FnMut(u32) -> f32,
        predictions: &mut Vec<HeadPrediction>,
    ) {
        self.predict_here(heads, slots, tf, predictions)
    }

    #[inline(always)]
    fn predict_here(
        &self,
        heads: &[LinearHead],
        slots: &[u32],
        mut tf: impl FnMut(u32) -> f32,
        predictions: &mut Vec<HeadPrediction>,
    ) {
        if self.lanes == 1 {
            let (sums, norm) = self.sums::<1>(slots, tf);
            self.softmax(heads, &sums[0], norm, predictions)
        } else {
            let (sums, norm) = self.sums_wide(slots.iter().map(|&slot| (slot, tf(slot))));
            self.softmax(heads, &sums, norm, predictions)
        }
    }

    /// Each head's probabilities from the row sums and the norm, appended to `predictions`.
    fn softmax(&self, heads: &[LinearHead], sums: &[f64], norm: f64, predictions: &mut Vec<HeadPrediction>) {
        let each = heads.iter().zip(&self.offsets).map(|(head, &offset)| {
            let mut probabilities = vec![0.0f32; head.label_count()];
            head_softmax(&head.bias, &sums[offset..], norm, &mut probabilities);
            let best = argmax(&probabilities);
            HeadPrediction { probabilities, best }
        });
        predictions.extend(each);
    }

    /// Runs `pass` with a scorer of head `index` alone (`heads[index]`), for documents one
    /// after another (an article's sentences). `pass` is compiled with AVX where the
    /// processor has it, and so is the scoring inlined into it (to the bit the same, see
    /// [`PackedHeads::predict_with_avx`]): the processor is asked once for all the documents,
    /// and the head, its labels' place in a row and the sums it needs are settled once.
    #[inline]
    pub(crate) fn scoring_head<R>(
        &self,
        heads: &[LinearHead],
        index: usize,
        pass: impl FnOnce(HeadScorer<'_>) -> R,
    ) -> R {
        let scorer = HeadScorer { packed: self, head: &heads[index], offset: self.offsets[index] };
        #[cfg(target_arch = "x86_64")]
        if with_avx() {
            // SAFETY: the processor has AVX, all that `with_avx_compiled` enables.
            return unsafe { with_avx_compiled(scorer, pass) };
        }
        pass(scorer)
    }

    /// [`PackedHeads::sums_in_cache`] of one-lane rows for the row's first four values only,
    /// with the sum of squares: each sum is added up alone, so these four are the same, to
    /// the bit, as there.
    #[inline(always)]
    fn first_half_sums(&self, terms: impl Iterator<Item = (u32, f32)>) -> ([f64; 4], f64) {
        let mut sums = [0.0f64; 4];
        let mut squares = 0.0f64;
        // Read once: the counts the terms' weights come from are written in the loop.
        let rows = self.rows.as_slice();
        for (slot, tf) in terms {
            let tf = f64::from(tf);
            let row = &rows[slot as usize].0;
            for (s, &w) in sums.iter_mut().zip(&row[..4]) {
                *s += tf * f64::from(w);
            }
            let value = tf * f64::from(row[7]);
            squares += value * value;
        }
        (sums, squares)
    }

    /// Adds one term's row, times its term frequency, to the sums, and its TF-IDF value's
    /// square (the IDF sits in the last lane's last weight) to `squares`.
    #[inline(always)]
    fn accumulate<const LANES: usize>(
        rows: &[Lane],
        sums: &mut [[f64; 8]; LANES],
        squares: &mut f64,
        slot: u32,
        tf: f32,
    ) {
        let tf = f64::from(tf);
        let start = slot as usize * LANES;
        let row = &rows[start..start + LANES];
        for (sum, lane) in sums.iter_mut().zip(row) {
            for (s, w) in sum.iter_mut().zip(lane.0) {
                *s += tf * f64::from(w);
            }
        }
        let value = tf * f64::from(row[LANES - 1].0[7]);
        *squares += value * value;
    }

    /// [`PackedHeads::sums`] without prefetching, for rows already in the cache; returns
    /// the sum of squares rather than the norm.
    #[inline(always)]
    fn sums_in_cache<const LANES: usize>(&self, tf: impl Iterator<Item = (u32, f32)>) -> ([[f64; 8]; LANES], f64) {
        let mut sums = [[0.0f64; 8]; LANES];
        let mut squares = 0.0f64;
        let rows = self.rows.as_slice();
        for (slot, tf) in tf {
            Self::accumulate(rows, &mut sums, &mut squares, slot, tf);
        }
        (sums, squares)
    }

    /// `Σ tf · row` over the terms and the L2 norm of the TF-IDF values, for rows of `LANES`
    /// lanes (fixed, so that the sums stay in registers). The rows are scattered over
    /// megabytes and mostly not in the cache: each is prefetched [`PREFETCH_AHEAD`] terms
    /// before it is added, so that some tens of loads are always in flight (prefetching a
    /// block and then using it waited a whole memory latency at each block's first row). The
    /// arithmetic is f64, so the order of the sums does not matter: long articles (thousands
    /// of features) come out as close to the exact value as the plain path's sorted f32 sums,
    /// or closer.
    #[inline(always)]
    fn sums<const LANES: usize>(&self, slots: &[u32], mut tf: impl FnMut(u32) -> f32) -> ([[f64; 8]; LANES], f64) {
        let mut sums = [[0.0f64; 8]; LANES];
        let mut squares = 0.0f64;
        let row = |slot: u32| slot as usize * LANES;
        for &slot in slots.iter().take(PREFETCH_AHEAD) {
            crate::features::vectorizer::prefetch(&self.rows[row(slot)]);
        }
        for (i, &slot) in slots.iter().enumerate() {
            if let Some(&ahead) = slots.get(i + PREFETCH_AHEAD) {
                crate::features::vectorizer::prefetch(&self.rows[row(ahead)]);
            }
            Self::accumulate(&self.rows, &mut sums, &mut squares, slot, tf(slot));
        }
        (sums, squares.sqrt())
    }

    fn sums_wide(&self, tf: impl Iterator<Item = (u32, f32)>) -> (Vec<f64>, f64) {
        let mut sums = vec![0.0f64; self.lanes * 8];
        let mut squares = 0.0f64;
        for (slot, tf) in tf {
            let tf = f64::from(tf);
            let start = slot as usize * self.lanes;
            let row = &self.rows[start..start + self.lanes];
            for (s, w) in sums.iter_mut().zip(row.iter().flat_map(|lane| lane.0)) {
                *s += tf * f64::from(w);
            }
            let value = tf * f64::from(row[self.lanes - 1].0[7]);
            squares += value * value;
        }
        (sums, squares.sqrt())
    }
}

/// One head of [`PackedHeads`], scoring documents one at a time (see
/// [`PackedHeads::scoring_head`]).
#[derive(Clone, Copy)]
pub(crate) struct HeadScorer<'p> {
    packed: &'p PackedHeads,
    head: &'p LinearHead,
    /// Where the head's labels start in a row.
    offset: usize,
}

impl HeadScorer<'_> {
    /// The head's probabilities, written to `out` (one per label), for the terms `slots`
    /// with TF weights `tf(slot)` (called exactly once for each slot, in order): what
    /// [`PackedHeads::predict`] gives for that head, to the bit (the same sums in the same
    /// order, only of this head's values), without allocating. For the sentences of an
    /// article, whose rows the article's own scoring has just brought into the cache.
    #[inline(always)]
    pub(crate) fn probabilities(&self, slots: &[u32], mut tf: impl FnMut(u32) -> f32, out: &mut [f32]) {
        let (packed, head, offset) = (self.packed, self.head, self.offset);
        let terms = slots.iter().map(|&slot| (slot, tf(slot)));
        if packed.lanes == 1 && offset + head.label_count() <= 4 {
            // The head's labels are in the row's first half: only those sums, and the IDF.
            let (sums, squares) = packed.first_half_sums(terms);
            head_softmax(&head.bias, &sums[offset..], squares.sqrt(), out);
        } else if packed.lanes == 1 {
            let (sums, squares) = packed.sums_in_cache::<1>(terms);
            head_softmax(&head.bias, &sums[0][offset..], squares.sqrt(), out);
        } else {
            let (sums, norm) = packed.sums_wide(terms);
            head_softmax(&head.bias, &sums[offset..], norm, out);
        }
    }
}

/// `pass(scorer)`, compiled with AVX (see [`PackedHeads::scoring_head`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn with_avx_compiled<R>(scorer: HeadScorer<'_>, pass: impl FnOnce(HeadScorer<'_>) -> R) -> R {
    pass(scorer)
}

/// Whether the processor has AVX, which the scoring loops are also compiled for; detected
/// once, then a load.
#[cfg(target_arch = "x86_64")]
#[inline]
fn with_avx() -> bool {
    std::arch::is_x86_feature_detected!("avx")
}

#[cfg(test)]
mod tests;
