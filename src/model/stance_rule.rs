//! Stance for a whole article, from its sentences and its topic.
//!
//! The stance head is trained on single sentences, where "neutral" means a plain statement.
//! For an article, neutral mostly means "reports no relation between countries at all": a
//! sports result, company figures, a science story. So an article of two or more sentences
//! gets its stance from
//! - the mean of its sentences' stance probabilities, which says which way the relations it
//!   reports lean (a few tense sentences in a cooperative story do not flip it), and
//! - the topic head's probability that it is about world affairs, `w`: the article reports a
//!   relation with probability `w ^ exponent`, and is neutral otherwise.
//!
//! A one-sentence input keeps the stance head's own answer. The exponent is chosen on the
//! hand-labeled articles in `data/articles` by cross-validation (see `validation`).

use serde::{Deserialize, Serialize};

/// The least probability of the neutral label for an article of two or more sentences in
/// which no pair of actors reads as a relation (with a model that has an actor gazetteer):
/// enough that it is the answer. "No relation → neutral" took the article stance's 3-class
/// macro-F1 on the news stories of `data/news` from 0.47 to 0.72, where making the main
/// pair's stance the article's lowered it (0.60): `cargo run --release --example
/// relations_eval`, docs/model.md, "Relations".
pub const NO_RELATION_NEUTRAL: f32 = 0.6;

/// Which heads and labels the rule combines, and how strongly the topic gates the stance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleStance {
    /// The head whose answer the rule replaces.
    pub stance_head: String,
    /// The head whose relation label gates the stance.
    pub topic_head: String,
    /// The topic label that means "about relations between countries".
    pub relation_label: String,
    /// The stance label for "no relation either way".
    pub neutral_label: String,
    /// `P(relation) = P(topic = relation_label) ^ exponent`.
    pub exponent: f32,
}

impl Default for ArticleStance {
    fn default() -> Self {
        Self {
            stance_head: "stance".into(),
            topic_head: "topic".into(),
            relation_label: "world".into(),
            neutral_label: "neutral".into(),
            exponent: 0.5,
        }
    }
}

impl ArticleStance {
    /// The article's stance probabilities, in the order of `stance_labels`, from the mean
    /// sentence probabilities (same order) and the probability of the relation topic.
    pub fn combine(&self, stance_labels: &[String], sentence_mean: &[f32], relation: f32) -> Vec<f32> {
        let neutral = stance_labels.iter().position(|label| *label == self.neutral_label);
        let mut probabilities = vec![0.0; stance_labels.len().min(sentence_mean.len())];
        self.combine_into(neutral, sentence_mean, relation, &mut probabilities);
        probabilities
    }

    /// [`ArticleStance::combine`] with the neutral label's position (if the labels have it)
    /// already found, written to `out`: what the served model does once per article.
    pub(crate) fn combine_into(&self, neutral: Option<usize>, sentence_mean: &[f32], relation: f32, out: &mut [f32]) {
        let related = relation.clamp(0.0, 1.0).powf(self.exponent);
        let is_neutral = |label: usize| Some(label) == neutral;
        let leaning: f32 =
            sentence_mean.iter().enumerate().filter(|(label, _)| !is_neutral(*label)).map(|(_, p)| p).sum();
        let share = (0..out.len()).filter(|&label| !is_neutral(label)).count().max(1) as f32;
        for (label, (probability, p)) in out.iter_mut().zip(sentence_mean).enumerate() {
            *probability = match (is_neutral(label), leaning > 0.0) {
                (true, _) => 1.0 - related,
                (false, true) => related * p / leaning,
                (false, false) => related / share,
            };
        }
    }
}

/// Makes the stance probabilities of an article in which no pair of actors reads as a
/// relation lean neutral: neutral gets at least [`NO_RELATION_NEUTRAL`], the other labels
/// keep their ratio within what is left.
pub fn lean_neutral(probabilities: &mut [f32], neutral: usize) {
    let leaning: f32 = probabilities.iter().enumerate().filter(|(i, _)| *i != neutral).map(|(_, p)| p).sum();
    let cap = 1.0 - NO_RELATION_NEUTRAL;
    if leaning > cap {
        let scale = cap / leaning;
        for (i, p) in probabilities.iter_mut().enumerate() {
            *p = if i == neutral { NO_RELATION_NEUTRAL } else { *p * scale };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["cooperation", "neutral", "tension"].map(String::from).to_vec()
    }

    #[test]
    fn an_article_about_world_affairs_leans_the_way_its_sentences_do() {
        let p = ArticleStance::default().combine(&labels(), &[0.5, 0.3, 0.2], 1.0);
        assert!((p[0] - 0.5 / 0.7).abs() < 1e-6 && (p[2] - 0.2 / 0.7).abs() < 1e-6);
        assert_eq!(p[1], 0.0);
    }

    #[test]
    fn an_article_off_world_affairs_is_neutral() {
        let p = ArticleStance::default().combine(&labels(), &[0.6, 0.1, 0.3], 0.04);
        assert!((p[1] - 0.8).abs() < 1e-6, "{p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn no_leaning_splits_the_relation_evenly() {
        let p = ArticleStance::default().combine(&labels(), &[0.0, 1.0, 0.0], 1.0);
        assert_eq!(p, vec![0.5, 0.0, 0.5]);
    }
}
