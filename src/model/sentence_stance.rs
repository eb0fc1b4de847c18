//! The article-level parts of a [`Model`]'s answer: sentences, and the stance rule of
//! [`crate::model::stance_rule`] bound to this model's heads.

use std::ops::Range;

use super::{Model, ModelError};
use crate::model::head::{argmax, HeadPrediction, LinearHead};
use crate::model::relations::StanceLabels;
use crate::model::stance_rule::{lean_neutral, ArticleStance};
use crate::text::article::{Article, Field};

/// The article-stance rule with the positions of its heads and labels in this model.
#[derive(Debug, Clone)]
pub(super) struct BoundStance {
    rule: ArticleStance,
    pub(super) stance: usize,
    topic: usize,
    relation: usize,
    /// The neutral label's position among the stance head's labels.
    neutral: usize,
    /// Where cooperation, tension and neutral are among the stance head's labels, if it has
    /// the first two: relations are found only then.
    pub(super) labels: Option<StanceLabels>,
}

impl BoundStance {
    pub(super) fn bind(rule: &ArticleStance, heads: &[LinearHead]) -> Result<Self, ModelError> {
        let invalid = |what: String| ModelError::Invalid(format!("article stance rule: {what}"));
        let head =
            |name: &str| heads.iter().position(|h| h.name == name).ok_or_else(|| invalid(format!("no head `{name}`")));
        let (stance, topic) = (head(&rule.stance_head)?, head(&rule.topic_head)?);
        let relation = heads[topic].labels.iter().position(|l| *l == rule.relation_label);
        let relation = relation
            .ok_or_else(|| invalid(format!("head `{}` has no label `{}`", rule.topic_head, rule.relation_label)))?;
        let neutral = heads[stance].labels.iter().position(|l| *l == rule.neutral_label);
        let neutral = neutral
            .ok_or_else(|| invalid(format!("head `{}` has no label `{}`", rule.stance_head, rule.neutral_label)))?;
        if !(rule.exponent.is_finite() && rule.exponent > 0.0) {
            return Err(invalid(format!("exponent {} is not a positive number", rule.exponent)));
        }
        let labels = StanceLabels::find(&heads[stance].labels);
        Ok(Self { rule: rule.clone(), stance, topic, relation, neutral, labels })
    }
}

/// One sentence of an article and the stance head's answer for it alone.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceStance<'m> {
    /// The field the sentence is in.
    pub field: Field,
    /// Byte range in `field`.
    pub range: Range<usize>,
    /// The stance head's best label for the sentence.
    pub label: &'m str,
    /// That label's probability.
    pub probability: f32,
}

/// What the article rule reads off an article: the mean of its sentences' stance
/// probabilities, and how many sentences there were.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceMean {
    /// The mean probability of each stance label.
    pub mean: Vec<f32>,
    /// How many sentences the mean is over.
    pub sentences: usize,
}

/// A buffer of `labels` values: the start of `stack` when they fit (the usual few labels:
/// these buffers are per article, and allocating them cost more than the sums they hold),
/// else `heap`, grown to `labels` zeros.
pub(super) fn label_buffer<'a>(labels: usize, stack: &'a mut [f32; 8], heap: &'a mut Vec<f32>) -> &'a mut [f32] {
    match stack.get_mut(..labels) {
        Some(buffer) => buffer,
        None => {
            heap.resize(labels, 0.0);
            heap
        }
    }
}

impl Model {
    /// The stance rule for whole articles, if this model has one.
    pub fn article_stance(&self) -> Option<&ArticleStance> {
        self.stance_rule.as_ref().map(|bound| &bound.rule)
    }

    /// Replaces the stance prediction of an article of two or more sentences by the rule's,
    /// given the mean of its `sentences` sentences' stance probabilities (as
    /// [`Model::sentence_mean`] gives it).
    pub(super) fn apply_article_stance(&self, mean: &[f32], sentences: usize, predictions: &mut [HeadPrediction]) {
        let Some(bound) = &self.stance_rule else { return };
        if sentences < 2 {
            return;
        }
        let relation = predictions[bound.topic].probabilities[bound.relation];
        let stance = &mut predictions[bound.stance];
        bound.rule.combine_into(Some(bound.neutral), mean, relation, &mut stance.probabilities);
        stance.best = argmax(&stance.probabilities);
    }

    /// Makes the stance of an article in which no pair of actors reads as a relation lean
    /// neutral: the other labels keep their ratio, and together at most
    /// `1 − NO_RELATION_NEUTRAL` of the probability.
    pub(super) fn apply_no_relation(&self, predictions: &mut [HeadPrediction]) {
        let Some(bound) = &self.stance_rule else { return };
        let stance = &mut predictions[bound.stance];
        lean_neutral(&mut stance.probabilities, bound.neutral);
        stance.best = argmax(&stance.probabilities);
    }

    /// Every head's own prediction for one article, before the article-stance rule.
    ///
    /// Public but hidden: the in-process benchmark times it beside the whole path, and
    /// checks it against its plain peer; a user calls [`Model::classify`].
    #[doc(hidden)]
    pub fn predict_plain(&self, article: &Article) -> Vec<HeadPrediction> {
        self.predict_counts(&self.vectorizer.analyse(&self.tokenizer, article, false).article_counts())
    }
}

#[cfg(test)]
mod label_buffer_tests {
    use super::label_buffer;

    #[test]
    fn a_label_buffer_holds_one_zero_per_label_on_the_stack_or_the_heap() {
        let (mut stack, mut heap) = ([1.0; 8], Vec::new());
        assert_eq!(label_buffer(3, &mut stack, &mut heap), &[1.0; 3][..], "the start of the stack");
        assert!(heap.is_empty(), "three labels fit on the stack");
        let (mut stack, mut heap) = ([0.0; 8], Vec::new());
        let buffer = label_buffer(12, &mut stack, &mut heap);
        assert_eq!(buffer, &[0.0; 12][..]);
        assert_eq!(heap.len(), 12);
    }
}
