use super::*;

fn head() -> LinearHead {
    LinearHead {
        name: "t".into(),
        labels: vec!["a".into(), "b".into()],
        // feature 0 favours a, feature 1 favours b, feature 2 is neutral
        weights: vec![2.0, -2.0, -1.0, 1.0, 0.5, 0.5],
        bias: vec![0.1, -0.1],
    }
}

#[test]
fn probabilities_follow_the_weights_and_sum_to_one() {
    let x = SparseVector { indices: vec![0, 2], values: vec![0.6, 0.8] };
    let prediction = head().predict(&x);
    let expected_margin = 0.2 + 0.6 * 4.0; // logit(a) - logit(b)
    let expected_a = 1.0 / (1.0 + (-expected_margin as f32).exp());
    assert_eq!(prediction.best, 0);
    assert!((prediction.probabilities[0] - expected_a).abs() < 1e-6);
    assert!((prediction.probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-6);
}

#[test]
fn evidence_lists_only_features_pushing_toward_the_label() {
    let x = SparseVector { indices: vec![0, 1, 2], values: vec![0.5, 0.5, 0.7] };
    assert_eq!(head().evidence(&x, 0, 5), vec![(0, 1.0)]);
    assert_eq!(head().evidence(&x, 1, 5), vec![(1, 0.5)]);
    assert!(head().evidence(&x, 1, 0).is_empty());
}

#[test]
fn strongest_terms_rank_by_margin_over_the_row_mean() {
    let head = head();
    assert_eq!(head.strongest_terms(0, 5), vec![(0, 2.0)], "only feature 0 favours a");
    assert_eq!(head.strongest_terms(1, 5), vec![(1, 1.0)], "only feature 1 favours b");
    assert!(head.strongest_terms(1, 0).is_empty());
    assert!(head.strongest_terms(2, 5).is_empty(), "an unknown label has no terms");
}

#[test]
fn softmax_survives_large_logits() {
    let mut v = vec![1000.0, 0.0];
    softmax_in_place(&mut v);
    assert!(v.iter().all(|p| p.is_finite()));
    assert!((v[0] - 1.0).abs() < 1e-6);
}
