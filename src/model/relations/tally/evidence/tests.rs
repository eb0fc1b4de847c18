use proptest::prelude::*;

use super::super::super::MAX_EVIDENCE;
use super::super::named::NamedSentence;
use super::evidence_in;

/// The evidence as its definition reads: every sentence naming both of the pair, and every
/// sentence naming one followed within reach (same run, at most `window` on) by one naming
/// the other, listed in the order met; then the first `max` distinct ones.
fn walked(sentences: &[NamedSentence], window: usize, (x, y): (u8, u8), max: usize) -> Vec<u32> {
    let mut met = Vec::new();
    for (k, first) in sentences.iter().enumerate() {
        match (first.holds(x), first.holds(y)) {
            (true, true) => met.push(first.index),
            (false, false) => {}
            (names_x, _) => {
                let other = if names_x { y } else { x };
                let reach = sentences[k + 1..]
                    .iter()
                    .take_while(|second| second.index - first.index <= window && second.run == first.run);
                for second in reach.filter(|second| second.holds(other)) {
                    met.extend([first.index, second.index]);
                }
            }
        }
    }
    let mut kept: Vec<u32> = Vec::new();
    for index in met.into_iter().map(|index| index as u32) {
        if !kept.contains(&index) && kept.len() < max.min(MAX_EVIDENCE) {
            kept.push(index);
        }
    }
    kept
}

/// Named sentences in article order: each a gap after the last, maybe a new run, naming the
/// actors of its set (of six places).
fn sentences(steps: &[(usize, bool, u8)]) -> Vec<NamedSentence> {
    let (mut index, mut run) = (0, 0);
    steps
        .iter()
        .map(|&(gap, new_run, set)| {
            index += gap;
            run += usize::from(new_run);
            NamedSentence { index, run, places: 0..0, set: u64::from(set & 0b11_1111), weights: (1.0, 0.5, 1.0) }
        })
        .collect()
}

proptest! {
    #[test]
    fn the_evidence_is_what_a_walk_of_every_sentence_finds(
        steps in prop::collection::vec((1usize..4, prop::bool::weighted(0.1), any::<u8>()), 0..300),
        (x, y) in (0u8..5).prop_flat_map(|x| (Just(x), x + 1..6)),
        window in 0usize..4,
        max in 1usize..=8,
    ) {
        let sentences = sentences(&steps);
        let (found, expected) = (evidence_in(&sentences, window, (x, y), max), walked(&sentences, window, (x, y), max));
        prop_assert_eq!(found.as_slice(), expected.as_slice());
    }
}

#[test]
fn a_pair_named_late_in_a_long_article_has_its_evidence() {
    let mut steps = vec![(1, false, 0b100); 70];
    steps[66] = (1, false, 0b011);
    steps[68] = (1, false, 0b001);
    steps[69] = (1, false, 0b010);
    let found = evidence_in(&sentences(&steps), 1, (0, 1), 8);
    // Sentence k is the (k + 1)-th of the article.
    assert_eq!(found.as_slice(), &[67, 69, 70]);
}
