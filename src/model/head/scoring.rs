//! The arithmetic at the end of a head's scoring, with the label count fixed where it is
//! three or four (both shipped heads): a plain head's logits from its rows, and a packed
//! head's softmax from its row sums, which [`super::PackedHeads`] takes for every head of
//! an article and for the stance head of every sentence.

use crate::features::vectorizer::SparseVector;

/// One head's probabilities, into `out` (one per label), from its row sums (`sums`, from
/// the head's first label on) and the norm of the TF-IDF values: `bias + sum / norm`, then
/// softmax. Heads of three or four labels (the shipped ones) take a copy of the same steps
/// with the count fixed, which the compiler unrolls: the general loops cost more than the
/// few labels' arithmetic, and this runs for every sentence too.
#[inline]
pub(super) fn head_softmax(bias: &[f32], sums: &[f64], norm: f64, out: &mut [f32]) {
    match out.len() {
        3 => fixed_softmax::<3>(bias, sums, norm, out),
        4 => fixed_softmax::<4>(bias, sums, norm, out),
        _ => any_softmax(bias, sums, norm, out),
    }
}

/// [`head_softmax`] of exactly `N` labels: the same operations in the same order, so the
/// same bits.
#[inline(always)]
pub(super) fn fixed_softmax<const N: usize>(bias: &[f32], sums: &[f64], norm: f64, out: &mut [f32]) {
    let (Some(bias), Some(sums), Some(out)) =
        (bias.first_chunk::<N>(), sums.first_chunk::<N>(), out.first_chunk_mut::<N>())
    else {
        return any_softmax(bias, sums, norm, out);
    };
    let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
    let scores: [f64; N] = std::array::from_fn(|i| f64::from(bias[i]) + sums[i] * scale);
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    exponentiate(out, scores, max);
}

/// [`head_softmax`] of any number of labels.
#[inline]
pub(super) fn any_softmax(bias: &[f32], sums: &[f64], norm: f64, out: &mut [f32]) {
    let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
    // Each score is computed twice (for the maximum, then for its exponential) rather than
    // kept: a buffer for them cost more than the few multiplications.
    let score = |(&bias, &sum): (&f32, &f64)| f64::from(bias) + sum * scale;
    let sums = &sums[..out.len()];
    let scores = || bias.iter().zip(sums).map(score);
    let max = scores().fold(f64::NEG_INFINITY, f64::max);
    exponentiate(out, scores(), max);
}

/// The softmax's last steps, shared by both copies: each score's exponential less the
/// largest, `max`, into `out`, then divided by their sum. In f32: the probabilities are f32,
/// and `f32::exp` costs half of `f64::exp`.
#[inline(always)]
fn exponentiate(out: &mut [f32], scores: impl IntoIterator<Item = f64>, max: f64) {
    let mut total = 0.0f32;
    for (p, score) in out.iter_mut().zip(scores) {
        *p = ((score - max) as f32).exp();
        total += *p;
    }
    out.iter_mut().for_each(|p| *p /= total);
}

/// [`super::LinearHead::logits`]' sums for a head of exactly `K` labels (both shipped heads): the
/// same additions in the same order, so the same bits, with the row's length known to the
/// compiler (the general loop slices and zips a row of any length for every feature, which
/// is most of the single-sentence head's scoring).
#[inline]
pub(super) fn add_rows<const K: usize>(weights: &[f32], x: &SparseVector, logits: &mut [f32]) {
    let logits = &mut logits[..K];
    for (feature, value) in x.iter() {
        let start = feature as usize * K;
        let row = &weights[start..start + K];
        for (logit, weight) in logits.iter_mut().zip(row) {
            *logit += value * weight;
        }
    }
}
