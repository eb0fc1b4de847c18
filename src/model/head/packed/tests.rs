//! Tests of the packed heads' scoring loops.

use super::*;
use crate::model::head::tests::packed_heads;

/// The AVX build of the scoring loops gives the sums of the plain build to the bit: the same
/// operations in the same order, only wider.
#[test]
fn scoring_with_avx_equals_scoring_without_to_the_bit() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        let (heads, packed) = packed_heads();
        let slots: Vec<u32> = (0..400).map(|i| (i * 37 % 500) as u32).collect();
        let tf = |slot: u32| 1.0 + (slot % 5) as f32 * 0.35;
        let bits = |predictions: Vec<HeadPrediction>| -> Vec<u32> {
            predictions.iter().flat_map(|p| p.probabilities.iter().map(|v| v.to_bits())).collect()
        };
        // SAFETY: the processor has AVX (tested above).
        let (mut wide, mut plain) = (Vec::new(), Vec::new());
        unsafe { packed.predict_with_avx(&heads, &slots, tf, &mut wide) };
        packed.predict_here(&heads, &slots, tf, &mut plain);
        assert_eq!(bits(wide), bits(plain));
        for (head, &offset) in heads.iter().zip(&packed.offsets) {
            let (mut plain, mut avx) = (vec![0.0f32; head.label_count()], vec![0.0f32; head.label_count()]);
            let scorer = HeadScorer { packed: &packed, head, offset };
            scorer.probabilities(&slots[..30], tf, &mut plain);
            // SAFETY: as above.
            unsafe { with_avx_compiled(scorer, |scorer| scorer.probabilities(&slots[..30], tf, &mut avx)) };
            assert_eq!(
                avx.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                plain.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}

/// A head scored alone, through [`PackedHeads::scoring_head`], gets what every head's
/// prediction gives it, to the bit, document after document.
#[test]
fn one_head_scored_alone_equals_its_prediction_to_the_bit() {
    let (heads, packed) = packed_heads();
    let documents: Vec<Vec<u32>> =
        (1..6).map(|n| (0..n * 7).map(|i| ((i * 53 + n * 11) % 500) as u32).collect()).collect();
    let tf = |slot: u32| 1.0 + (slot % 3) as f32 * 0.5;
    for index in 0..heads.len() {
        let alone: Vec<Vec<f32>> = packed.scoring_head(&heads, index, |scorer| {
            let scored = documents.iter().map(|slots| {
                let mut out = vec![0.0f32; heads[index].label_count()];
                scorer.probabilities(slots, tf, &mut out);
                out
            });
            scored.collect()
        });
        for (slots, alone) in documents.iter().zip(alone) {
            let expected = &packed.predict(&heads, slots, tf)[index].probabilities;
            let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&alone), bits(expected), "head {index}, {} terms", slots.len());
        }
    }
}
