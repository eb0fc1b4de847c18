//! The settings that decide a trained model besides the corpus, and their checks.

use std::collections::{BTreeMap, BTreeSet};

use super::{Learner, TrainError};
use crate::features::vectorizer::VectorizerSettings;
use crate::model::stance_rule::ArticleStance;
use crate::text::tokenizer::{Tokenizer, TokenizerSettings};

pub use crate::model::meta::TrainConfig;

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            test_fraction: 0.2,
            tokenizer: TokenizerSettings::default(),
            vectorizer: VectorizerSettings::default(),
            head_features: 30_000,
            l2: 0.1,
            // Topic wants a stronger penalty (C = 3) than stance (C = 10), as cross-validation
            // chose (docs/decisions.md, Training).
            l2_by_head: BTreeMap::from([("topic".to_owned(), 1.0 / 3.0)]),
            // More iterations reach the same held-out figures and take longer.
            max_iterations: 50,
            learners: BTreeMap::new(),
            refit_on_all: true,
            calibrate: true,
            article_stance: Some(ArticleStance::default()),
            sentence_head: true,
            // The rarer neutral sentences count as much as the others.
            balance_sentence_labels: true,
            // A sentence's stance should follow what its actors do, not who they are.
            sentence_head_without_names: true,
            heads_without_names: BTreeSet::new(),
            // Forms of a word share what the head learns, which carries across a change of writing.
            sentence_head_prefixes: 6,
            // Other words for the same act (by their pretrained vectors) count too.
            sentence_head_word_vectors: 1.0,
            word_vectors_l2: 10.0,
        }
    }
}

impl TrainConfig {
    /// The L2 penalty `head` trains with.
    pub fn l2(&self, head: &str) -> f32 {
        self.l2_by_head.get(head).copied().unwrap_or(self.l2)
    }

    /// The learner `head` trains with.
    pub fn learner(&self, head: &str) -> Learner {
        self.learners.get(head).copied().unwrap_or_default()
    }

    /// Checks every setting before any work starts, naming the first bad one.
    pub fn check(&self) -> Result<(), TrainError> {
        let bad = |field, reason: &str| Err(TrainError::InvalidConfig { field, reason: reason.into() });
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return bad("test_fraction", "must be between 0 and 1, exclusive");
        }
        if !std::iter::once(&self.l2).chain(self.l2_by_head.values()).all(|l2| l2.is_finite() && *l2 > 0.0) {
            return bad("l2", "must be a positive finite number");
        }
        if self.head_features == 0 || self.vectorizer.max_features == 0 {
            return bad("head_features / max_features", "must be at least 1");
        }
        if self.max_iterations == 0 {
            return bad("max_iterations", "must be at least 1");
        }
        if !(1..=2).contains(&self.vectorizer.max_ngram) {
            return bad("max_ngram", "must be 1 or 2");
        }
        if !(self.sentence_head_word_vectors.is_finite() && self.sentence_head_word_vectors >= 0.0) {
            return bad("sentence_head_word_vectors", "must be a finite number, 0 or more");
        }
        if !(self.word_vectors_l2.is_finite() && self.word_vectors_l2 > 0.0) {
            return bad("word_vectors_l2", "must be a positive finite number");
        }
        if self.vectorizer.min_df == 0 {
            return bad("min_df", "must be at least 1");
        }
        Tokenizer::new(self.tokenizer.clone())
            .map(|_| ())
            .map_err(|e| TrainError::InvalidConfig { field: "tokenizer.version", reason: e.to_string() })
    }
}
