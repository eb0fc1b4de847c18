//! Tests of the news figures: the pair counts, and the rule that makes relation-free stories
//! neutral.

use super::*;

fn pair(a: &str, b: &str, stance: &str, main: bool) -> Pair {
    Pair { a: a.into(), b: b.into(), stance: stance.into(), main }
}

#[test]
fn counts_pairs_main_stance_and_none() {
    let gold_one = [pair("CHN", "USA", "tension", true), pair("CHN", "RUS", "cooperation", false)];
    let answers = [
        // One right pair with the wrong stance, one wrong pair; the main pair is first.
        Answer {
            gold_stance: "tension",
            gold: &gold_one,
            predicted: vec![pair("CHN", "USA", "cooperation", true), pair("FRA", "USA", "tension", false)],
            model_stance: "tension",
            model_binary: "tension",
        },
        // No relation labeled, none answered.
        Answer {
            gold_stance: "neutral",
            gold: &[],
            predicted: vec![],
            model_stance: "tension",
            model_binary: "tension",
        },
        // No relation labeled, one answered.
        Answer {
            gold_stance: "neutral",
            gold: &[],
            predicted: vec![pair("FRA", "USA", "cooperation", true)],
            model_stance: "cooperation",
            model_binary: "cooperation",
        },
    ];
    let counts = count(&answers);
    assert_eq!((counts.true_pairs, counts.predicted, counts.labeled), (1, 3, 2));
    assert_eq!((counts.main_found, counts.with_main, counts.stance_right), (1, 1, 0));
    assert_eq!((counts.answered_none, counts.without_relation), (1, 2));
    assert!((counts.f1() - 0.4).abs() < 1e-9, "P 1/3, R 1/2: F1 0.4, not {}", counts.f1());
}

#[test]
fn no_relation_rule_makes_relation_free_stories_neutral() {
    let gold = [pair("CHN", "USA", "tension", true)];
    let answers = [
        Answer {
            gold_stance: "neutral",
            gold: &[],
            predicted: vec![],
            model_stance: "tension",
            model_binary: "tension",
        },
        Answer {
            gold_stance: "tension",
            gold: &gold,
            predicted: gold.to_vec(),
            model_stance: "tension",
            model_binary: "tension",
        },
    ];
    let (before, _) = stance_scores(&answers, StanceRule::Model);
    let (after, _) = stance_scores(&answers, StanceRule::NoRelationNeutral);
    // Before: tension F1 2/3, neutral 0, cooperation 0; after: all right on two labels.
    assert!((before - 2.0 / 9.0).abs() < 1e-9, "{before}");
    assert!((after - 2.0 / 3.0).abs() < 1e-9, "{after}");
}
