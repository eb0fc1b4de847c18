//! The stance of the words around two actors of one sentence ([`ClauseStance`]), scored by
//! the stance head from the article's one analysis as its sentences are: the clause's term
//! counts are tallied from the lookups the analysis already made.

use std::cell::RefCell;
use std::ops::Range;

use super::sentence_stance::label_buffer;
use super::Model;
use crate::features::vectorizer::PartCounts;
use crate::model::relations::{ClauseStance, StanceLabels};
use crate::text::article::Article;
use crate::text::tokens::Tokens;

/// A [`ClauseStance`] over one analysed article.
pub(super) struct ClauseScorer<'a> {
    model: &'a Model,
    /// The stance head's place among the model's heads.
    stance: usize,
    labels: StanceLabels,
    tokens: &'a Tokens,
    parts: RefCell<PartCounts<'a>>,
}

impl<'a> ClauseScorer<'a> {
    /// The clauses of the article read into `tokens`, counted by `parts`, scored by head
    /// `stance` of `model`.
    pub(super) fn new(
        model: &'a Model,
        (stance, labels): (usize, StanceLabels),
        tokens: &'a Tokens,
        parts: PartCounts<'a>,
    ) -> Self {
        Self { model, stance, labels, tokens, parts: RefCell::new(parts) }
    }

    /// The tokens of sentence `sentence` that start in `between`, widened by `margin` each
    /// side within the sentence, and their field; `None` if there are none.
    fn clause_tokens(
        &self,
        sentence: usize,
        between: Range<usize>,
        margin: usize,
    ) -> Option<(crate::features::actors::Field, Range<usize>)> {
        let sentence = self.tokens.sentences().get(sentence)?;
        let spans = self.tokens.field(sentence.field).span_pairs().get(sentence.tokens.clone())?;
        let first = spans.partition_point(|span| span.0 < between.start);
        let end = spans.partition_point(|span| span.0 < between.end).max(first);
        let (from, to) = (first.saturating_sub(margin), end.saturating_add(margin).min(spans.len()));
        let offset = sentence.tokens.start;
        (from < to).then(|| (sentence.field, offset + from..offset + to))
    }
}

impl ClauseStance for ClauseScorer<'_> {
    fn tension_share(&self, sentence: usize, between: Range<usize>, margin: usize) -> Option<f32> {
        let (field, tokens) = self.clause_tokens(sentence, between, margin)?;
        // Not reentrant: a second borrow while one is scored has no answer.
        let mut parts = self.parts.try_borrow_mut().ok()?;
        let mut counts = parts.of(field, tokens);
        let (slots, tf) = counts.drain_tf(self.model.vectorizer.settings().sublinear_tf);
        let labels = self.model.heads[self.stance].label_count();
        let (mut stack, mut heap) = ([0.0; 8], Vec::new());
        let probabilities = label_buffer(labels, &mut stack, &mut heap);
        self.model.packed.head_probabilities(&self.model.heads, self.stance, slots, tf, probabilities);
        let p = |i: usize| probabilities.get(i).copied().filter(|p| p.is_finite()).unwrap_or(0.0);
        let (tension, cooperation) = (p(self.labels.tension), p(self.labels.cooperation));
        (tension + cooperation > 0.0).then(|| tension / (tension + cooperation))
    }
}

impl Model {
    /// [`ClauseStance::tension_share`] of `article`'s sentence `sentence` (its place among
    /// the sentences [`Model::sentence_probabilities`] lists), as [`Model::classify`] scores
    /// it; `None` without an article-stance rule with cooperation and tension. For measuring
    /// relation settings on the same clauses (`accord::train::news`).
    #[doc(hidden)]
    pub fn clause_tension(
        &self,
        article: &Article,
        sentence: usize,
        between: Range<usize>,
        margin: usize,
    ) -> Option<f32> {
        let bound = self.stance_rule.as_ref()?;
        let labels = bound.labels?;
        let mut analysis = self.vectorizer.analyse(&self.tokenizer, article, true);
        let (tokens, parts) = analysis.tokens_and_parts();
        ClauseScorer::new(self, (bound.stance, labels), tokens, parts).tension_share(sentence, between, margin)
    }
}
