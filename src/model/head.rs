//! A classification head: a multinomial linear model served from sparse TF-IDF vectors.

use serde::{Deserialize, Serialize};

use crate::features::vectorizer::SparseVector;
pub(crate) use packed::{HeadScorer, PackedHeads};
use scoring::add_rows;
#[cfg(test)]
use scoring::{any_softmax, fixed_softmax};

/// One fitted head. `weights` is row-major, one row of `labels.len()` values per feature, so
/// that a document touches only the rows of the features it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearHead {
    /// The head's name (`topic`, `stance`, …).
    pub name: String,
    /// Its labels, in the order of its probabilities.
    pub labels: Vec<String>,
    /// One row of `labels.len()` weights per input feature, row after row.
    pub weights: Vec<f32>,
    /// One bias per label.
    pub bias: Vec<f32>,
}

/// A head's answer for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadPrediction {
    /// Probabilities in the order of [`LinearHead::labels`].
    pub probabilities: Vec<f32>,
    /// Index of the most likely label.
    pub best: usize,
}

impl LinearHead {
    /// Number of labels.
    pub fn label_count(&self) -> usize {
        self.labels.len()
    }

    /// Number of features the head was built for.
    pub fn dimensions(&self) -> usize {
        self.weights.len() / self.labels.len().max(1)
    }

    /// The weights of `feature`, one per label.
    pub fn row(&self, feature: u32) -> &[f32] {
        let k = self.labels.len();
        let start = feature as usize * k;
        &self.weights[start..start + k]
    }

    /// Raw scores: `bias + x · W`.
    pub fn logits(&self, x: &SparseVector) -> Vec<f32> {
        let mut logits = self.bias.clone();
        match (self.labels.len(), logits.as_mut_slice()) {
            (3, logits @ [_, _, _]) => add_rows::<3>(&self.weights, x, logits),
            (4, logits @ [_, _, _, _]) => add_rows::<4>(&self.weights, x, logits),
            (_, logits) => {
                for (feature, value) in x.iter() {
                    for (logit, weight) in logits.iter_mut().zip(self.row(feature)) {
                        *logit += value * weight;
                    }
                }
            }
        }
        logits
    }

    /// The probability of each label for the input `x` (`bias + x · W`, then softmax), and the best one.
    pub fn predict(&self, x: &SparseVector) -> HeadPrediction {
        let mut probabilities = self.logits(x);
        softmax_in_place(&mut probabilities);
        let best = argmax(&probabilities);
        HeadPrediction { probabilities, best }
    }

    /// The `limit` features that pushed most toward `label`: each feature's contribution to
    /// that label's score beyond its average contribution to all labels (softmax ignores a
    /// shift common to every label, so only the difference moves the probability).
    pub fn evidence(&self, x: &SparseVector, label: usize, limit: usize) -> Vec<(u32, f32)> {
        if limit == 0 {
            return Vec::new();
        }
        let k = self.labels.len() as f32;
        let mut contributions: Vec<(u32, f32)> = x
            .iter()
            .map(|(feature, value)| {
                let row = self.row(feature);
                let mean = row.iter().sum::<f32>() / k;
                (feature, value * (row[label] - mean))
            })
            .filter(|(_, contribution)| *contribution > 0.0)
            .collect();
        contributions.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        contributions.truncate(limit);
        contributions
    }

    /// The `limit` features whose weight favours `label` most over the head's other labels,
    /// whatever the document: the weight for `label` minus the row's mean (the part softmax
    /// does not cancel), strongest first, ties by feature index. The same measure as
    /// [`LinearHead::evidence`] for a document holding every feature at value 1.
    pub fn strongest_terms(&self, label: usize, limit: usize) -> Vec<(u32, f32)> {
        if label >= self.labels.len() {
            return Vec::new();
        }
        let k = self.labels.len() as f32;
        let mut margins: Vec<(u32, f32)> = (0..self.dimensions() as u32)
            .map(|feature| {
                let row = self.row(feature);
                (feature, row[label] - row.iter().sum::<f32>() / k)
            })
            .filter(|(_, margin)| *margin > 0.0)
            .collect();
        margins.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        margins.truncate(limit);
        margins
    }
}

/// Numerically stable softmax.
pub fn softmax_in_place(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    values.iter_mut().for_each(|v| *v /= sum);
}

/// Index of the largest value; the first on ties.
pub fn argmax(values: &[f32]) -> usize {
    values.iter().enumerate().fold(0, |best, (i, v)| if *v > values[best] { i } else { best })
}

mod packed;
mod scoring;
#[cfg(test)]
mod tests;
