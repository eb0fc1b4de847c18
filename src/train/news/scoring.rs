//! The figures of the news stories: pair counts (precision, recall, main pair, stance on
//! found pairs, relation-free stories) and the article stance's macro-F1 under each rule.

use std::collections::BTreeSet;

use super::Pair;
use crate::model::meta::PairCounts;

/// One story's gold labels and one method's answer for it.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    /// The labeled article stance.
    pub gold_stance: &'a str,
    /// The labeled pairs.
    pub gold: &'a [Pair],
    /// Best first: the first is the main (else most probable) pair.
    pub predicted: Vec<Pair>,
    /// The model's article stance without the relation rule, and its
    /// cooperation-vs-tension choice.
    pub model_stance: &'a str,
    /// `cooperation` or `tension`, whichever the model finds likelier.
    pub model_binary: &'a str,
}

/// The counts of `answers`.
pub fn count(answers: &[Answer<'_>]) -> PairCounts {
    let mut counts = PairCounts::default();
    answers.iter().for_each(|answer| add(&mut counts, answer));
    counts
}

fn add(counts: &mut PairCounts, answer: &Answer<'_>) {
    let key = |p: &Pair| (p.a.clone(), p.b.clone());
    let gold: BTreeSet<_> = answer.gold.iter().map(key).collect();
    counts.labeled += gold.len();
    counts.predicted += answer.predicted.len();
    for pair in &answer.predicted {
        if let Some(g) = answer.gold.iter().find(|g| key(g) == key(pair)) {
            counts.true_pairs += 1;
            counts.stance_right += usize::from(g.stance == pair.stance);
        }
    }
    if answer.gold.iter().any(|g| g.main) {
        counts.with_main += 1;
        let first = answer.predicted.first();
        counts.main_found += usize::from(first.is_some_and(|p| answer.gold.iter().any(|g| g.main && key(g) == key(p))));
    }
    if answer.gold.is_empty() {
        counts.without_relation += 1;
        counts.answered_none += usize::from(answer.predicted.is_empty());
    }
}

/// What relation settings are chosen by: the mean of the four relation figures (pair F1,
/// main-pair recall, stance accuracy on found pairs, share of relation-free stories answered
/// with none).
pub fn objective(counts: &PairCounts) -> f64 {
    (counts.f1() + counts.main_recall() + counts.stance_accuracy() + counts.none_share()) / 4.0
}

/// The counts on one line.
pub fn line(c: &PairCounts) -> String {
    format!(
        "pairs P {:.2} R {:.2} F1 {:.2} ({} of {} predicted, {} labeled) | main {}/{} = {:.2} | stance on found {}/{} = {:.2} | none {}/{}",
        c.precision(),
        c.recall(),
        c.f1(),
        c.true_pairs,
        c.predicted,
        c.labeled,
        c.main_found,
        c.with_main,
        c.main_recall(),
        c.stance_right,
        c.true_pairs,
        c.stance_accuracy(),
        c.answered_none,
        c.without_relation,
    )
}

/// How an article's stance is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanceRule {
    /// The model's article stance without relations.
    Model,
    /// Neutral without a relation, else the model's (the rule the model serves).
    NoRelationNeutral,
    /// Neutral without a relation, else the main pair's stance.
    MainPair,
}

impl StanceRule {
    /// Every rule.
    pub const ALL: [StanceRule; 3] = [Self::Model, Self::NoRelationNeutral, Self::MainPair];

    /// The rule in a few words.
    pub fn name(self) -> &'static str {
        match self {
            Self::Model => "model without relations",
            Self::NoRelationNeutral => "no relation → neutral",
            Self::MainPair => "main pair's stance",
        }
    }

    /// The 3-class answer and the cooperation-vs-tension answer.
    pub fn decide<'a>(self, answer: &'a Answer<'a>) -> (&'a str, &'a str) {
        match (self, answer.predicted.first()) {
            (Self::Model, _) => (answer.model_stance, answer.model_binary),
            (_, None) => ("neutral", answer.model_binary),
            (Self::NoRelationNeutral, Some(_)) => (answer.model_stance, answer.model_binary),
            (Self::MainPair, Some(pair)) => (pair.stance.as_str(), pair.stance.as_str()),
        }
    }
}

/// Macro-F1 of `(gold, predicted)` pairs over `labels`.
pub fn macro_f1(pairs: &[(&str, &str)], labels: &[&str]) -> f64 {
    let f1 = |label: &str| {
        let tp = pairs.iter().filter(|(g, p)| *g == label && *p == label).count() as f64;
        let predicted = pairs.iter().filter(|(_, p)| *p == label).count() as f64;
        let gold = pairs.iter().filter(|(g, _)| *g == label).count() as f64;
        if predicted + gold > 0.0 {
            2.0 * tp / (predicted + gold)
        } else {
            0.0
        }
    };
    labels.iter().map(|l| f1(l)).sum::<f64>() / labels.len() as f64
}

/// 3-class macro-F1 over all stories, and cooperation-vs-tension macro-F1 over the stories
/// labeled with either.
pub fn stance_scores(answers: &[Answer<'_>], rule: StanceRule) -> (f64, f64) {
    let decided: Vec<(&str, (&str, &str))> = answers.iter().map(|a| (a.gold_stance, rule.decide(a))).collect();
    let three: Vec<(&str, &str)> = decided.iter().map(|(g, (p, _))| (*g, *p)).collect();
    let binary: Vec<(&str, &str)> =
        decided.iter().filter(|(g, _)| *g != "neutral").map(|(g, (_, b))| (*g, *b)).collect();
    (macro_f1(&three, &["cooperation", "neutral", "tension"]), macro_f1(&binary, &["cooperation", "tension"]))
}
