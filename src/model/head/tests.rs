//! Tests of a plain head: its prediction, evidence and strongest terms, the softmax, and the
//! fixed-count arithmetic against the general loops.

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

/// Heads of 3 and 4 labels over 500 features (one lane, as shipped), with weights and IDF
/// that are not round numbers.
pub(super) fn packed_heads() -> (Vec<LinearHead>, PackedHeads) {
    let features = 500;
    let value = |i: usize, scale: f32| ((i as f32 * 0.618_034).fract() - 0.5) * scale;
    let head = |name: &str, labels: usize, seed: usize| LinearHead {
        name: name.into(),
        labels: (0..labels).map(|l| l.to_string()).collect(),
        weights: (0..features * labels).map(|i| value(i + seed, 3.0)).collect(),
        bias: (0..labels).map(|l| value(l + seed, 1.0)).collect(),
    };
    let heads = vec![head("stance", 3, 7), head("topic", 4, 11)];
    let idf: Vec<f32> = (0..features).map(|i| 1.0 + value(i, 4.0).abs()).collect();
    let slots: Vec<u32> = (0..features as u32).collect();
    let packed = PackedHeads::build(&heads, &idf, &slots);
    (heads, packed)
}

/// The softmax of a fixed label count gives the general one's probabilities to the bit, for
/// scores of every size and sign, a zero norm included.
#[test]
fn the_fixed_count_softmax_equals_the_general_one_to_the_bit() {
    let value = |i: usize, scale: f64| ((i as f64 * 0.618_034).fract() - 0.5) * scale;
    for case in 0..200 {
        let bias: Vec<f32> = (0..4).map(|l| value(case * 7 + l, 4.0) as f32).collect();
        let sums: Vec<f64> = (0..4).map(|l| value(case * 13 + l + 1, 60.0)).collect();
        let norm = if case % 10 == 0 { 0.0 } else { value(case, 8.0).abs() + 0.01 };
        let bits = |p: &[f32]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let (mut fixed3, mut any3) = ([0.0f32; 3], [0.0f32; 3]);
        fixed_softmax::<3>(&bias, &sums, norm, &mut fixed3);
        any_softmax(&bias[..3], &sums, norm, &mut any3);
        assert_eq!(bits(&fixed3), bits(&any3), "three labels, case {case}");
        let (mut fixed4, mut any4) = ([0.0f32; 4], [0.0f32; 4]);
        fixed_softmax::<4>(&bias, &sums, norm, &mut fixed4);
        any_softmax(&bias, &sums, norm, &mut any4);
        assert_eq!(bits(&fixed4), bits(&any4), "four labels, case {case}");
    }
}

/// A head of three or four labels sums its rows into the logits as the general loop does,
/// to the bit.
#[test]
fn fixed_count_logits_equal_the_general_sums_to_the_bit() {
    let (heads, _) = packed_heads();
    let indices: Vec<u32> = (0..60).map(|i| (i * 7 + 3) as u32).collect();
    let values: Vec<f32> = (0..60).map(|i| ((i as f32 * 0.618_034).fract() - 0.3) * 0.4).collect();
    let x = SparseVector { indices, values };
    for head in &heads {
        let mut expected = head.bias.clone();
        for (feature, value) in x.iter() {
            for (logit, weight) in expected.iter_mut().zip(head.row(feature)) {
                *logit += value * weight;
            }
        }
        let bits = |v: &[f32]| v.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&head.logits(&x)), bits(&expected), "{} labels", head.label_count());
    }
}
