//! A softmax temperature per head. The naive-Bayes-scaled heads rank labels well but are
//! overconfident; dividing a head's scores by one number fixes most of that without changing
//! which label wins. The number is chosen on the held-out split's scores, which the fitted
//! head never saw, and the calibration reported for it is cross-fitted: each half of the split
//! is scored with the temperature chosen on the other half, never on itself.

use std::collections::BTreeMap;

use crate::model::head::{softmax_in_place, LinearHead};
use crate::train::scores::calibration_error;

/// The temperature range searched: beyond it a head is either nearly uniform or nearly hard.
const LOWEST: f64 = 0.05;
const HIGHEST: f64 = 20.0;

/// Fewer held-out documents than this choose no temperature: a handful of them, all right,
/// would drive it to the lowest and the head to certainty.
const MIN_DOCUMENTS: usize = 50;

/// A head's scores on documents it did not train on, each with the index of the true label.
pub type Scored = [(Vec<f32>, usize)];

/// The temperature to ship (chosen on all of `scored`) and the expected calibration error it
/// is reported with (each half scored with the other half's temperature); 1 and the plain
/// error when there are too few documents to choose on.
pub fn cross_fitted(scored: &Scored) -> (f64, f64) {
    if scored.len() < MIN_DOCUMENTS {
        return (1.0, calibration_error(&top_probabilities(scored, 1.0)));
    }
    let (even, odd): (Vec<_>, Vec<_>) = scored.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let half = |part: Vec<(usize, &(Vec<f32>, usize))>| -> Vec<(Vec<f32>, usize)> {
        part.into_iter().map(|(_, pair)| pair.clone()).collect()
    };
    let (even, odd) = (half(even), half(odd));
    let (t_even, t_odd) = (best_temperature(&even), best_temperature(&odd));
    let mut pairs = top_probabilities(&even, t_odd);
    pairs.extend(top_probabilities(&odd, t_even));
    (best_temperature(scored), calibration_error(&pairs))
}

/// (probability of the top label, whether it is the true one) under `temperature`.
pub fn top_probabilities(scored: &Scored, temperature: f64) -> Vec<(f32, bool)> {
    scored
        .iter()
        .map(|(scores, truth)| {
            let mut probabilities: Vec<f32> = scores.iter().map(|&s| (f64::from(s) / temperature) as f32).collect();
            softmax_in_place(&mut probabilities);
            let best = crate::model::head::argmax(&probabilities);
            (probabilities[best], best == *truth)
        })
        .collect()
}

/// The temperature in [`LOWEST`, `HIGHEST`] with the least mean negative log-likelihood of
/// the true labels, by golden-section search on its logarithm (the likelihood is unimodal
/// there: it is convex in 1/T). 1 when there is nothing to score.
pub fn best_temperature(scored: &Scored) -> f64 {
    if scored.is_empty() {
        return 1.0;
    }
    let loss = |log_t: f64| negative_log_likelihood(scored, log_t.exp());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut low, mut high) = (LOWEST.ln(), HIGHEST.ln());
    let mut a = high - ratio * (high - low);
    let mut b = low + ratio * (high - low);
    let (mut loss_a, mut loss_b) = (loss(a), loss(b));
    for _ in 0..60 {
        if loss_a <= loss_b {
            (high, b, loss_b) = (b, a, loss_a);
            a = high - ratio * (high - low);
            loss_a = loss(a);
        } else {
            (low, a, loss_a) = (a, b, loss_b);
            b = low + ratio * (high - low);
            loss_b = loss(b);
        }
    }
    ((low + high) / 2.0).exp()
}

/// Mean negative log-likelihood of the true labels under softmax(scores / temperature).
pub fn negative_log_likelihood(scored: &Scored, temperature: f64) -> f64 {
    let total: f64 = scored
        .iter()
        .map(|(scores, truth)| {
            let scaled: Vec<f64> = scores.iter().map(|&s| f64::from(s) / temperature).collect();
            let top = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = top + scaled.iter().map(|s| (s - top).exp()).sum::<f64>().ln();
            log_sum - scaled[*truth]
        })
        .sum();
    total / scored.len() as f64
}

/// Divides every head's scores by its temperature, folded into its weights and bias so that
/// serving costs nothing more.
pub fn apply(heads: &mut [LinearHead], temperatures: &BTreeMap<String, f64>) {
    for head in heads {
        if let Some(&t) = temperatures.get(&head.name) {
            let factor = (1.0 / t) as f32;
            head.weights.iter_mut().chain(head.bias.iter_mut()).for_each(|w| *w *= factor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores that are right 75% of the time (in the even and the odd positions alike) but
    /// claim near-certainty, scaled by `confidence`.
    fn overconfident(confidence: f32) -> Vec<(Vec<f32>, usize)> {
        (0..400).map(|i| (vec![confidence, 0.0], usize::from(i % 8 < 2))).collect()
    }

    #[test]
    fn temperature_matches_the_observed_accuracy() {
        // Right 3 times in 4: the calibrated margin is ln 3, so T = margin / ln 3.
        let t = best_temperature(&overconfident(8.0));
        assert!((t - 8.0 / 3f64.ln()).abs() < 1e-3, "temperature {t}");
        let loss = |t| negative_log_likelihood(&overconfident(8.0), t);
        assert!(loss(t) < loss(1.0) && loss(t) < loss(t * 1.1) && loss(t) < loss(t / 1.1));
    }

    #[test]
    fn underconfident_scores_get_a_temperature_below_one() {
        let scored: Vec<(Vec<f32>, usize)> = (0..100).map(|i| (vec![0.5, 0.0], usize::from(i == 0))).collect();
        assert!(best_temperature(&scored) < 0.2);
        assert_eq!(best_temperature(&[]), 1.0);
    }

    #[test]
    fn cross_fitting_reports_the_calibration_of_the_other_halfs_temperature() {
        let scored = overconfident(8.0);
        let (t, error) = cross_fitted(&scored);
        assert!((t - 8.0 / 3f64.ln()).abs() < 1e-3);
        // Both halves are alike, so either temperature calibrates the other half.
        assert!(error < 0.01, "calibrated error {error}");
        let raw = calibration_error(&top_probabilities(&scored, 1.0));
        assert!((raw - 0.25).abs() < 0.01, "uncalibrated error {raw}: claims ~1.0, right 0.75");
        let (t, error) = cross_fitted(&scored[..MIN_DOCUMENTS - 1]);
        assert_eq!(t, 1.0, "too few documents to choose a temperature on");
        assert_eq!(error, calibration_error(&top_probabilities(&scored[..MIN_DOCUMENTS - 1], 1.0)));
    }

    #[test]
    fn applying_a_temperature_scales_scores_not_ranking() {
        let mut heads = vec![LinearHead {
            name: "h".into(),
            labels: vec!["a".into(), "b".into()],
            weights: vec![2.0, -1.0, 0.5, 0.25],
            bias: vec![1.0, -3.0],
        }];
        apply(&mut heads, &BTreeMap::from([("h".to_string(), 2.0)]));
        assert_eq!(heads[0].weights, [1.0, -0.5, 0.25, 0.125]);
        assert_eq!(heads[0].bias, [0.5, -1.5]);
    }
}
