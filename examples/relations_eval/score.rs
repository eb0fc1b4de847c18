//! The figures the harness prints: pair precision/recall/F1, main-pair recall, stance
//! accuracy on found pairs, relation-free stories answered with none, and article stance
//! macro-F1 under the relation rules.

use std::collections::BTreeSet;

/// A labeled or predicted pair: codes in order, stance, main.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub stance: String,
    pub main: bool,
}

/// One story's gold labels and one method's answer for it.
pub struct Answer<'a> {
    pub gold_stance: &'a str,
    pub gold: &'a [Pair],
    /// Best first: the first is the main (else most probable) pair.
    pub predicted: Vec<Pair>,
    /// The model's article stance, and its cooperation-vs-tension choice.
    pub model_stance: &'a str,
    pub model_binary: &'a str,
}

/// Pair, main, stance and no-relation counts over stories.
#[derive(Debug, Default, Clone, Copy)]
pub struct PairScores {
    pub true_pairs: usize,
    pub predicted: usize,
    pub gold: usize,
    pub stance_right: usize,
    pub with_main: usize,
    pub main_found: usize,
    pub without_relation: usize,
    pub answered_none: usize,
}

impl PairScores {
    pub fn add(&mut self, answer: &Answer<'_>) {
        let key = |p: &Pair| (p.a.clone(), p.b.clone());
        let gold: BTreeSet<_> = answer.gold.iter().map(key).collect();
        self.gold += gold.len();
        self.predicted += answer.predicted.len();
        for pair in &answer.predicted {
            if let Some(g) = answer.gold.iter().find(|g| key(g) == key(pair)) {
                self.true_pairs += 1;
                self.stance_right += usize::from(g.stance == pair.stance);
            }
        }
        if answer.gold.iter().any(|g| g.main) {
            self.with_main += 1;
            let first = answer.predicted.first();
            self.main_found +=
                usize::from(first.is_some_and(|p| answer.gold.iter().any(|g| g.main && key(g) == key(p))));
        }
        if answer.gold.is_empty() {
            self.without_relation += 1;
            self.answered_none += usize::from(answer.predicted.is_empty());
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(self.true_pairs, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_pairs, self.gold)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }

    /// What the settings are chosen by: the mean of the four relation figures (pair
    /// F1, main-pair recall, stance accuracy on found pairs, share of relation-free stories
    /// answered with none).
    pub fn objective(&self) -> f64 {
        let main = ratio(self.main_found, self.with_main);
        let stance = ratio(self.stance_right, self.true_pairs);
        let none = ratio(self.answered_none, self.without_relation);
        (self.f1() + main + stance + none) / 4.0
    }

    pub fn line(&self) -> String {
        format!(
            "pairs P {:.2} R {:.2} F1 {:.2} ({} of {} predicted, {} labeled) | main {}/{} = {:.2} | stance on found {}/{} = {:.2} | none {}/{}",
            self.precision(),
            self.recall(),
            self.f1(),
            self.true_pairs,
            self.predicted,
            self.gold,
            self.main_found,
            self.with_main,
            ratio(self.main_found, self.with_main),
            self.stance_right,
            self.true_pairs,
            ratio(self.stance_right, self.true_pairs),
            self.answered_none,
            self.without_relation,
        )
    }
}

pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// How an article's stance is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanceRule {
    /// The model's article stance as it is.
    Model,
    /// Neutral without a relation, else the model's.
    NoRelationNeutral,
    /// Neutral without a relation, else the main pair's stance.
    MainPair,
}

impl StanceRule {
    pub const ALL: [StanceRule; 3] = [Self::Model, Self::NoRelationNeutral, Self::MainPair];

    pub fn name(self) -> &'static str {
        match self {
            Self::Model => "model as is",
            Self::NoRelationNeutral => "no relation → neutral",
            Self::MainPair => "main pair's stance",
        }
    }

    /// The 3-class answer and the cooperation-vs-tension answer.
    pub fn decide<'a>(self, answer: &'a Answer<'a>) -> (&'a str, &'a str) {
        let main = answer.predicted.first();
        match (self, main) {
            (Self::Model, _) => (answer.model_stance, answer.model_binary),
            (_, None) => ("neutral", answer.model_binary),
            (Self::NoRelationNeutral, Some(_)) => (answer.model_stance, answer.model_binary),
            (Self::MainPair, Some(pair)) => (pair.stance.as_str(), pair.stance.as_str()),
        }
    }
}

/// Macro-F1 of `predicted` against `gold` over `labels`.
pub fn macro_f1(pairs: &[(&str, &str)], labels: &[&str]) -> f64 {
    let f1 = |label: &str| {
        let tp = pairs.iter().filter(|(g, p)| *g == label && *p == label).count();
        let predicted = pairs.iter().filter(|(_, p)| *p == label).count();
        let gold = pairs.iter().filter(|(g, _)| *g == label).count();
        let (p, r) = (ratio(tp, predicted), ratio(tp, gold));
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
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
