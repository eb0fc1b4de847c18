//! [`Model::classify`]: everything the model answers for an article, from one analysis of
//! it. The article is tokenized once; its term counts, its sentences' counts, and the
//! single-sentence head's blocks all come from that one token stream, and so do the actors
//! the article names (see [`super::who`]).

use std::cell::Cell;

use super::sentence_stance::{label_buffer, BoundStance, SentenceMean, SentenceStance};
use super::who::{find_actors, find_relations, finds_relation, ActorRelation, NamedActor};
use super::{HeadResult, Model};
use crate::features::actors::Gazetteer;
use crate::features::vectorizer::{Analysis, SparseVector};
use crate::model::head::argmax;
use crate::model::head::{HeadPrediction, HeadScorer};
use crate::model::relations::{article_reads_neutral, RelationSettings, StanceLabels};
use crate::text::article::Article;
use crate::text::tokens::{keep_within, Sentence, Tokens, KEPT_TOKENS};

thread_local! {
    /// The sentences' stance probabilities of the thread's last [`Model::classify`] that
    /// read them, kept for the next: as large as the longest article's sentences times the
    /// stance labels.
    static SPARE_PROBABILITIES: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
    /// The vector the thread's last [`Model::classify`] held every head's prediction in
    /// before its answer took them, kept empty for the next.
    static SPARE_PREDICTIONS: Cell<Vec<HeadPrediction>> = const { Cell::new(Vec::new()) };
}

/// A sentence's field, bytes, and the stance head's probabilities for it alone.
pub type SentenceProbabilities = (crate::features::actors::Field, std::ops::Range<usize>, Vec<f32>);

/// What [`Model::classify`] computes beyond every head's prediction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Evidence terms to list per head (0: none).
    pub explain: usize,
    /// Also give each sentence's stance ([`Classification::sentences`]).
    pub sentences: bool,
    /// Also give the actors the article names and the relations between them
    /// ([`Classification::actors`], [`Classification::relations`]).
    pub relations: bool,
}

/// An answer that would list more sentences than its caller can take
/// ([`Model::classify_within`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the article has {sentences} sentences, over the {limit} an answer can list")]
pub struct TooManySentences {
    /// The article's sentences, title included.
    pub sentences: usize,
    /// The most the caller would take.
    pub limit: usize,
}

/// The model's answer for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification<'m> {
    /// Every head's answer, in the order of [`Model::heads`].
    pub heads: Vec<HeadResult<'m>>,
    /// Each sentence with the stance head's answer for it alone, title first, if
    /// [`Options::sentences`] asked for them and the model has an article-stance rule;
    /// else empty. The one sentence of a single-sentence input gets the answer the article
    /// gets.
    pub sentences: Vec<SentenceStance<'m>>,
    /// The actors the article names, most-mentioned first, if [`Options::relations`] asked
    /// for them and the model has an actor gazetteer; else empty.
    pub actors: Vec<NamedActor<'m>>,
    /// The pairs of actors the article reports relating, main first, under the same
    /// conditions as [`Classification::actors`].
    pub relations: Vec<ActorRelation<'m>>,
}

impl Model {
    /// Every head's prediction for `article`, with up to `options.explain` evidence terms
    /// each, and each sentence's stance if `options.sentences` is set.
    ///
    /// Scores straight from the term counts with the premultiplied rows; the sparse vector is
    /// built only for evidence. The probabilities equal [`LinearHead::predict`]'s on
    /// [`Model::vectorize`]'s vector up to float rounding (the sums run in another order).
    ///
    /// With an article-stance rule, the stance of an article of two or more sentences comes
    /// from its sentences and its topic (see [`crate::model::stance_rule`]), and that of a
    /// single sentence from the single-sentence head, when the model has one. With an actor
    /// gazetteer too, an article of two or more sentences in which no pair of actors reads
    /// as a relation leans neutral ([`crate::model::stance_rule::NO_RELATION_NEUTRAL`]),
    /// whatever `options` asks for.
    ///
    /// [`LinearHead::predict`]: crate::model::head::LinearHead::predict
    pub fn classify(&self, article: &Article, options: &Options) -> Classification<'_> {
        let analysis = self.analyse(article);
        self.classify_analysis(analysis, article, options)
    }

    /// [`Model::classify`], unless `options.sentences` asks for more than `max_sentences`
    /// sentences: then the error, found once the article is split and before any
    /// sentence is scored, so that an answer too large to send is never computed.
    pub fn classify_within(
        &self,
        article: &Article,
        options: &Options,
        max_sentences: usize,
    ) -> Result<Classification<'_>, TooManySentences> {
        let analysis = self.analyse(article);
        let sentences = analysis.tokens().sentences().len();
        if options.sentences && sentences > max_sentences {
            return Err(TooManySentences { sentences, limit: max_sentences });
        }
        Ok(self.classify_analysis(analysis, article, options))
    }

    /// The article read once: split into sentences when the model has an article-stance
    /// rule, which reads them.
    fn analyse(&self, article: &Article) -> Analysis<'_> {
        self.vectorizer.analyse(&self.tokenizer, article, self.stance_rule.is_some())
    }

    fn classify_analysis(
        &self,
        mut analysis: Analysis<'_>,
        article: &Article,
        options: &Options,
    ) -> Classification<'_> {
        let rule = self.stance_rule.as_ref();
        let sentence_count = analysis.tokens().sentences().len();
        let one_sentence = match (rule, self.sentence_head()) {
            (Some(bound), Some(head)) if sentence_count < 2 => Some((bound.stance, head)),
            _ => None,
        };
        // The gazetteer with the stance labels the relations read, when the model has both.
        let gazetteer = self.actors.as_ref().zip(rule.and_then(|bound| bound.labels));
        let (mut predictions, vector) = {
            let mut counts = analysis.article_counts();
            let wanted = options.explain > 0 || one_sentence.is_some();
            let vector = if wanted { self.vectorizer.weigh(&counts) } else { SparseVector::default() };
            // The counts are read for the last time here, and zeroed as they are.
            let (slots, tf) = counts.drain_tf(self.vectorizer.settings().sublinear_tf);
            let mut predictions = SPARE_PREDICTIONS.try_with(Cell::take).unwrap_or_default();
            predictions.clear();
            self.packed.predict_into(&self.heads, slots, tf, &mut predictions);
            (predictions, vector)
        };
        let mut sentences = Vec::new();
        // Every sentence's stance probabilities when the relations read them: sized once, in
        // the thread's spare buffer (given back below).
        let stance_labels = rule.map_or(0, |bound| self.heads[bound.stance].label_count());
        // Kept whenever the model could find relations: whether it looks for them is known
        // only once the article's stance is.
        let mut sentence_probabilities = SPARE_PROBABILITIES.try_with(Cell::take).unwrap_or_default();
        sentence_probabilities.clear();
        let keeping = gazetteer.is_some();
        sentence_probabilities.reserve(if keeping { sentence_count * stance_labels } else { 0 });
        if let Some(bound) = rule.filter(|_| sentence_count >= 2) {
            let stances = options.sentences.then_some(&mut sentences);
            let probabilities = keeping.then_some(&mut sentence_probabilities);
            let (mut stack, mut heap) = ([0.0; 8], Vec::new());
            let mean = label_buffer(stance_labels, &mut stack, &mut heap);
            let count = self.sentence_pass(bound, &mut analysis, stances, probabilities, mean);
            self.apply_article_stance(mean, count, &mut predictions);
        }
        let sentence_vector = one_sentence.map(|(stance, head)| {
            let sentence_vector = self.with_sentence_blocks(analysis.tokens(), article, &vector);
            predictions[stance] = head.predict(&sentence_vector);
            sentence_vector
        });
        if let (Some(bound), true, [sentence]) = (rule, options.sentences, analysis.tokens().sentences()) {
            let prediction = &predictions[bound.stance];
            sentences.push(self.sentence_stance(bound, sentence, &prediction.probabilities));
        }
        if let (Some(bound), true, 1) = (rule, keeping, sentence_count) {
            sentence_probabilities.extend_from_slice(&predictions[bound.stance].probabilities);
        }
        // The actors, when the caller asks for them or the article stance reads them: an
        // article of two sentences or more whose own stance does not already read neutral
        // (one that does reports no relation whatever it names: `article_reads_neutral`).
        let stance_reads_actors = |(_, labels): &(&Gazetteer, StanceLabels)| {
            let article_stance = rule.map_or(&[][..], |bound| &predictions[bound.stance].probabilities[..]);
            sentence_count >= 2 && !article_reads_neutral(&RelationSettings::default(), *labels, article_stance)
        };
        let reading = gazetteer.filter(|gazetteer| options.relations || stance_reads_actors(gazetteer));
        let actors = reading.map(|(gazetteer, _)| find_actors(gazetteer, analysis.tokens(), article));
        let relating = actors.as_ref().is_some_and(|actors| actors.actors.len() >= 2);
        // The relations themselves only when the answer lists them; else only whether
        // there is one, for the article stance.
        let (related, found) = match (reading, &actors, rule) {
            (Some((gazetteer, labels)), Some(actors), Some(bound)) if relating => {
                let label_count = self.heads[bound.stance].label_count();
                let (tokens, stances) = (analysis.tokens(), &sentence_probabilities);
                // The article's own stance, before the relation rule leans it to neutral.
                let stances = (predictions[bound.stance].probabilities.as_slice(), stances.as_slice());
                if options.relations {
                    let found = find_relations(gazetteer, labels, tokens, stances, label_count, actors);
                    (!found.pairs.is_empty(), Some(found))
                } else {
                    (finds_relation(labels, tokens, stances, label_count, actors), None)
                }
            }
            _ => (false, None),
        };
        keep_within(&mut sentence_probabilities, KEPT_TOKENS * stance_labels);
        let _ = SPARE_PROBABILITIES.try_with(|spare| spare.set(sentence_probabilities));
        if gazetteer.is_some() && sentence_count >= 2 && !related {
            self.apply_no_relation(&mut predictions);
        }
        let (named, relations) = match (reading, &actors) {
            (Some((gazetteer, _)), Some(actors)) if options.relations => {
                let relations = found.map(|found| self.actor_relations(gazetteer, found)).unwrap_or_default();
                (self.named_actors(gazetteer, actors), relations)
            }
            _ => (Vec::new(), Vec::new()),
        };
        if let Some(actors) = actors {
            actors.recycle();
        }
        let answering = |i: usize| match (one_sentence, &sentence_vector) {
            (Some((stance, head)), Some(sentence_vector)) if stance == i => (head, sentence_vector),
            _ => (&self.heads[i], &vector),
        };
        let heads = predictions
            .drain(..)
            .enumerate()
            .map(|(i, prediction)| {
                let (head, vector) = answering(i);
                self.head_result(head, prediction, vector, options.explain)
            })
            .collect();
        let _ = SPARE_PREDICTIONS.try_with(|spare| spare.set(predictions));
        Classification { heads, sentences, actors: named, relations }
    }

    /// The single-sentence head's input: the article's vector `main`, then its word-prefix
    /// block and its word-vector block, each when the model has one.
    pub fn sentence_vector(&self, article: &Article, main: &SparseVector) -> SparseVector {
        let mut tokens = Tokens::new();
        tokens.read(&self.tokenizer, article);
        self.with_sentence_blocks(&tokens, article, main)
    }

    /// [`Model::sentence_vector`] of an article already read into `tokens`.
    fn with_sentence_blocks(&self, tokens: &Tokens, article: &Article, main: &SparseVector) -> SparseVector {
        let prefixes =
            self.sentence_prefixes().map(|p| (p.dimensions(), p.vector_of_read(&self.tokenizer, article, tokens)));
        let words = self.sentence_word_vectors().map(|words| words.vector_of_read(tokens));
        // Sized once for the three blocks.
        let len = main.indices.len()
            + prefixes.as_ref().map_or(0, |(_, block)| block.indices.len())
            + words.as_ref().map_or(0, |block| block.indices.len());
        let mut vector = SparseVector { indices: Vec::with_capacity(len), values: Vec::with_capacity(len) };
        vector.push_block(0, main);
        let mut offset = self.vectorizer.dimensions();
        if let Some((dimensions, block)) = prefixes {
            vector.push_block(offset, &block);
            offset += dimensions;
        }
        if let Some(block) = words {
            vector.push_block(offset, &block);
        }
        vector
    }

    /// The mean of the stance probabilities of the article's sentences (each scored as if
    /// alone), and how many sentences there were; `None` without an article-stance rule.
    pub fn sentence_mean(&self, article: &Article) -> Option<SentenceMean> {
        let bound = self.stance_rule.as_ref()?;
        let mut analysis = self.vectorizer.analyse(&self.tokenizer, article, true);
        let mut mean = vec![0.0; self.heads[bound.stance].label_count()];
        let sentences = self.sentence_pass(bound, &mut analysis, None, None, &mut mean);
        Some(SentenceMean { mean, sentences })
    }

    /// Every sentence of `article` (title first) with its field, bytes and the stance head's
    /// probabilities for it alone: what [`Model::classify`] hands the relations on articles of
    /// two sentences or more. `None` without an article-stance rule. For measuring other
    /// relation settings on the same sentences (`accord::train::news`).
    #[doc(hidden)]
    pub fn sentence_probabilities(&self, article: &Article) -> Option<Vec<SentenceProbabilities>> {
        let bound = self.stance_rule.as_ref()?;
        let mut analysis = self.vectorizer.analyse(&self.tokenizer, article, true);
        let (mut probabilities, mut mean) = (Vec::new(), vec![0.0; self.heads[bound.stance].label_count()]);
        self.sentence_pass(bound, &mut analysis, None, Some(&mut probabilities), &mut mean);
        let labels = self.heads[bound.stance].label_count().max(1);
        let sentences = analysis.tokens().sentences().iter().zip(probabilities.chunks_exact(labels));
        Some(sentences.map(|(s, p)| (s.field(), s.bytes(), p.to_vec())).collect())
    }

    /// The stance head's probabilities for every sentence of the analysis as if it alone
    /// were an article, their mean written to `mean` (one per stance label); returns how
    /// many sentences there were. Each sentence's stance is pushed to `stances` if given,
    /// and its probabilities appended to `per_sentence` if given. Each sentence's counts are
    /// tallied from the article's lookups and only the stance head is scored, without
    /// allocating per sentence or per article.
    fn sentence_pass<'m>(
        &'m self,
        bound: &BoundStance,
        analysis: &mut Analysis<'_>,
        mut stances: Option<&mut Vec<SentenceStance<'m>>>,
        mut per_sentence: Option<&mut Vec<f32>>,
        mean: &mut [f32],
    ) -> usize {
        let count = analysis.tokens().sentences().len();
        let labels = self.heads[bound.stance].label_count();
        let (mut stack, mut heap) = ([0.0; 8], Vec::new());
        let probabilities = label_buffer(labels, &mut stack, &mut heap);
        let sublinear = self.vectorizer.settings().sublinear_tf;
        if let Some(stances) = stances.as_deref_mut() {
            stances.reserve(count);
        }
        mean.fill(0.0);
        // One pass over the sentences, compiled with AVX where the processor has it: the
        // closures are inlined into it, or they would be compiled without.
        self.packed.scoring_head(
            &self.heads,
            bound.stance,
            #[inline(always)]
            |scorer: HeadScorer<'_>| {
                analysis.each_sentence_counts(
                    #[inline(always)]
                    |sentence, mut counts| {
                        let (slots, tf) = counts.drain_tf(sublinear);
                        scorer.probabilities(slots, tf, probabilities);
                        mean.iter_mut().zip(&*probabilities).for_each(|(m, p)| *m += p);
                        if let Some(per_sentence) = per_sentence.as_deref_mut() {
                            per_sentence.extend_from_slice(probabilities);
                        }
                        if let Some(stances) = stances.as_deref_mut() {
                            stances.push(self.sentence_stance(bound, sentence, probabilities));
                        }
                    },
                )
            },
        );
        let divisor = count.max(1) as f32;
        mean.iter_mut().for_each(|m| *m /= divisor);
        count
    }

    /// A sentence with the stance head's best label for it, given its probabilities.
    fn sentence_stance(&self, bound: &BoundStance, sentence: &Sentence, probabilities: &[f32]) -> SentenceStance<'_> {
        let best = argmax(probabilities);
        SentenceStance {
            field: sentence.field(),
            range: sentence.bytes(),
            label: &self.heads[bound.stance].labels[best],
            probability: probabilities[best],
        }
    }
}
