//! Classification figures: accuracy, macro-F1, confusion matrix.

pub use crate::model::meta::HeadEvaluation;

/// Expected calibration error over `(probability of the predicted label, whether it was
/// right)` pairs: the pairs fall in ten equal-width probability bins, and each bin's gap
/// between mean probability and accuracy counts by its share of the pairs. 0 is perfectly
/// calibrated.
pub fn calibration_error(predictions: &[(f32, bool)]) -> f64 {
    const BINS: usize = 10;
    let mut bins = [(0.0f64, 0.0f64, 0usize); BINS];
    for &(probability, correct) in predictions {
        let bin = ((probability.clamp(0.0, 1.0) * BINS as f32) as usize).min(BINS - 1);
        bins[bin].0 += f64::from(probability);
        bins[bin].1 += f64::from(u8::from(correct));
        bins[bin].2 += 1;
    }
    let total = predictions.len().max(1) as f64;
    bins.iter().map(|(p, c, _)| (p - c).abs() / total).sum()
}

/// A confusion matrix over `labels` label indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Confusion {
    pub counts: Vec<Vec<u32>>,
}

impl Confusion {
    pub fn new(labels: usize) -> Self {
        Self { counts: vec![vec![0; labels]; labels] }
    }

    pub fn from_pairs(labels: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut confusion = Self::new(labels);
        for (truth, predicted) in pairs {
            confusion.counts[truth][predicted] += 1;
        }
        confusion
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let correct: u32 = (0..self.counts.len()).map(|i| self.counts[i][i]).sum();
        ratio(correct, self.total())
    }

    /// F1 of each label; 0 for a label never true and never predicted.
    pub fn f1_per_label(&self) -> Vec<f64> {
        (0..self.counts.len())
            .map(|label| {
                let tp = self.counts[label][label];
                let actual: u32 = self.counts[label].iter().sum();
                let predicted: u32 = self.counts.iter().map(|row| row[label]).sum();
                ratio(2 * tp, actual + predicted)
            })
            .collect()
    }

    /// Unweighted mean of the per-label F1, as scikit-learn's `f1_score(average="macro")`.
    pub fn macro_f1(&self) -> f64 {
        let f1 = self.f1_per_label();
        if f1.is_empty() {
            0.0
        } else {
            f1.iter().sum::<f64>() / f1.len() as f64
        }
    }
}

fn ratio(numerator: u32, denominator: u32) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_match_hand_computation() {
        // truth a,a,a,b,b ; predicted a,a,b,b,a
        let confusion = Confusion::from_pairs(2, [(0, 0), (0, 0), (0, 1), (1, 1), (1, 0)]);
        assert_eq!(confusion.counts, vec![vec![2, 1], vec![1, 1]]);
        assert!((confusion.accuracy() - 0.6).abs() < 1e-12);
        // F1(a) = 2*2/(3+3) = 0.6667; F1(b) = 2*1/(2+2) = 0.5
        assert!((confusion.macro_f1() - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn calibration_error_matches_hand_computation() {
        // Bin 0.9: probabilities 0.9, 0.9, right once -> |1.8 - 1| / 4 = 0.2;
        // bin 0.6: 0.6, 0.6, both right -> |1.2 - 2| / 4 = 0.2.
        let pairs = [(0.9, true), (0.9, false), (0.6, true), (0.6, true)];
        assert!((calibration_error(&pairs) - 0.4).abs() < 1e-6);
        assert!(calibration_error(&[(1.0, true), (1.0, true)]).abs() < 1e-12);
        assert_eq!(calibration_error(&[]), 0.0);
    }

    #[test]
    fn empty_matrix_scores_zero_without_dividing_by_zero() {
        let confusion = Confusion::new(3);
        assert_eq!(confusion.accuracy(), 0.0);
        assert_eq!(confusion.macro_f1(), 0.0);
    }
}
