//! The article-level parts of a [`Model`]'s answer: sentences, and the stance rule of
//! [`crate::model::stance_rule`] bound to this model's heads.

use std::ops::Range;

use super::{Model, ModelError};
use crate::features::vectorizer::TermCounts;
use crate::model::head::{argmax, HeadPrediction, LinearHead};
use crate::model::stance_rule::ArticleStance;
use crate::text::article::Article;

/// The article-stance rule with the positions of its heads and labels in this model.
#[derive(Debug, Clone)]
pub(super) struct BoundStance {
    rule: ArticleStance,
    pub(super) stance: usize,
    topic: usize,
    relation: usize,
    /// The neutral label's position among the stance head's labels.
    neutral: usize,
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
        Ok(Self { rule: rule.clone(), stance, topic, relation, neutral })
    }
}

/// Which field of an article a sentence or token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Text,
}

/// One sentence of an article and the stance head's answer for it alone.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceStance<'m> {
    pub field: Field,
    /// Byte range in `field`.
    pub range: Range<usize>,
    pub label: &'m str,
    pub probability: f32,
}

/// What the article rule reads off an article: the mean of its sentences' stance
/// probabilities, and how many sentences there were.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceMean {
    pub mean: Vec<f32>,
    pub sentences: usize,
}

/// The sentences of title (field 0) and text (field 1), as the vectorizer's parts.
pub(super) fn sentence_parts(article: &Article) -> Vec<(usize, Range<usize>)> {
    // Room for sentences of about 80 bytes, so that a typical article's list never regrows.
    let mut parts = Vec::with_capacity((article.title.len() + article.text.len()) / 80 + 2);
    for (field, text) in article.fields().into_iter().enumerate() {
        crate::text::sentences::split_each(text, |range| parts.push((field, range)));
    }
    parts
}

/// A buffer of `labels` values: the start of `stack` when they fit (the usual few labels:
/// these buffers are per article, and allocating them cost more than the sums they hold),
/// else `heap`, grown to `labels` zeros.
fn label_buffer<'a>(labels: usize, stack: &'a mut [f32; 8], heap: &'a mut Vec<f32>) -> &'a mut [f32] {
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

    /// The sentences of title and text, in order.
    pub fn sentences(article: &Article) -> Vec<(Field, Range<usize>)> {
        let field = |part: usize| if part == 0 { Field::Title } else { Field::Text };
        sentence_parts(article).into_iter().map(|(part, range)| (field(part), range)).collect()
    }

    /// Every sentence with the stance head's answer for it; empty without a stance rule. The
    /// one sentence of a single-sentence input gets the single-sentence head's answer, as
    /// [`Model::classify`] does.
    pub fn sentence_stances(&self, article: &Article) -> Vec<SentenceStance<'_>> {
        let Some(bound) = &self.stance_rule else { return Vec::new() };
        let labels = &self.heads[bound.stance].labels;
        let mut sentences = self.stance_by_sentence(article, bound.stance);
        if let (Some(head), [(_, _, prediction)]) = (self.sentence_head(), sentences.as_mut_slice()) {
            *prediction = head.predict(&self.sentence_vector(article, &self.vectorize(article)));
        }
        sentences
            .into_iter()
            .map(|(field, range, prediction)| {
                let best = prediction.best;
                SentenceStance { field, range, label: &labels[best], probability: prediction.probabilities[best] }
            })
            .collect()
    }

    /// The mean stance probabilities of the article's sentences; `None` without a rule.
    pub fn sentence_mean(&self, article: &Article) -> Option<SentenceMean> {
        self.stance_rule.as_ref()?;
        let sentences: Vec<Vec<HeadPrediction>> =
            self.sentence_predictions(article).into_iter().map(|(_, _, heads)| heads).collect();
        self.mean_of(&sentences)
    }

    /// The mean stance probabilities from every head's predictions for each sentence;
    /// `None` without a rule.
    pub(super) fn mean_of(&self, sentences: &[Vec<HeadPrediction>]) -> Option<SentenceMean> {
        let bound = self.stance_rule.as_ref()?;
        let mut mean = vec![0.0f32; self.heads[bound.stance].labels.len()];
        for heads in sentences {
            mean.iter_mut().zip(&heads[bound.stance].probabilities).for_each(|(m, p)| *m += p);
        }
        let count = sentences.len().max(1) as f32;
        mean.iter_mut().for_each(|m| *m /= count);
        Some(SentenceMean { mean, sentences: sentences.len() })
    }

    /// `whole` on the article's term counts, and the mean of the stance probabilities of its
    /// sentences (`parts`, from [`sentence_parts`]), to the bit what [`Model::mean_of`] gives on
    /// [`Model::sentence_predictions`] (tested), from one tokenization and one pass of lookups:
    /// each sentence's counts are tallied from the article's lookups and only the stance
    /// head is scored, without allocating per sentence. An article of fewer than two
    /// sentences, which the rule leaves alone, gets no sentence pass and no mean (`None`).
    pub(super) fn with_sentence_mean<R>(
        &self,
        bound: &BoundStance,
        article: &Article,
        mut parts: Vec<(usize, Range<usize>)>,
        whole: impl FnOnce(&mut TermCounts<'_>) -> R,
    ) -> (R, Option<SentenceMean>) {
        if parts.len() < 2 {
            parts.clear();
        }
        let labels = self.heads[bound.stance].label_count();
        let (mut sum_stack, mut sum_heap, mut stack, mut heap) = ([0.0; 8], Vec::new(), [0.0; 8], Vec::new());
        let (sum, probabilities) =
            (label_buffer(labels, &mut sum_stack, &mut sum_heap), label_buffer(labels, &mut stack, &mut heap));
        let sublinear = self.vectorizer.settings().sublinear_tf;
        let result = self.vectorizer.with_counts_and_parts(&self.tokenizer, article, &parts, whole, |_, counts| {
            let (slots, tf) = counts.drain_tf(sublinear);
            self.packed.head_probabilities(&self.heads, bound.stance, slots, tf, probabilities);
            sum.iter_mut().zip(&*probabilities).for_each(|(m, p)| *m += p);
        });
        if parts.is_empty() {
            return (result, None);
        }
        let count = parts.len() as f32;
        let mean = sum.iter().map(|m| m / count).collect();
        (result, Some(SentenceMean { mean, sentences: parts.len() }))
    }

    /// Each sentence with the prediction of head `head` for that sentence alone.
    fn stance_by_sentence(&self, article: &Article, head: usize) -> Vec<(Field, Range<usize>, HeadPrediction)> {
        let sentences = self.sentence_predictions(article).into_iter();
        sentences.map(|(field, range, mut heads)| (field, range, heads.swap_remove(head))).collect()
    }

    /// Replaces the stance prediction of an article of two or more sentences by the rule's,
    /// given the sentences' mean ([`Model::mean_of`]).
    pub(super) fn apply_article_stance(&self, parts: Option<SentenceMean>, predictions: &mut [HeadPrediction]) {
        let (Some(bound), Some(parts)) = (&self.stance_rule, parts) else { return };
        if parts.sentences < 2 {
            return;
        }
        let relation = predictions[bound.topic].probabilities[bound.relation];
        let stance = &mut predictions[bound.stance];
        bound.rule.combine_into(Some(bound.neutral), &parts.mean, relation, &mut stance.probabilities);
        stance.best = argmax(&stance.probabilities);
    }

    /// Every head's own prediction for one article, before the article-stance rule.
    pub fn predict_plain(&self, article: &Article) -> Vec<HeadPrediction> {
        self.vectorizer.with_counts(&self.tokenizer, article, |counts| self.predict_counts(counts))
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
