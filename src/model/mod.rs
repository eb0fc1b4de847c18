//! The served model: tokenizer, TF-IDF vectorizer and classification heads, with what is
//! known about how it was made.

use std::ops::Range;
use std::path::Path;

pub use meta::ModelMeta;

use self::file::ModelError;
use crate::features::vectorizer::{term_frequencies, SparseVector, TermCounts, TfIdf, VectorizerSettings};
use crate::features::word_prefixes::WordPrefixes;
use crate::features::word_vectors::{self, WordVectorBlock};
use crate::model::head::{HeadPrediction, LinearHead, PackedHeads};
use crate::text::article::Article;
use crate::text::tokenizer::{Token, Tokenizer, TokenizerSettings};

/// The largest model body read unless told otherwise: the shipped model is 9 MB, and a
/// vocabulary of a million terms with three heads stays well under this.
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 256 << 20;

/// A loaded, validated model. Immutable and `Sync`: share it behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Model {
    meta: ModelMeta,
    tokenizer: Tokenizer,
    vectorizer: TfIdf,
    heads: Vec<LinearHead>,
    /// The stance head's stand-in for inputs of one sentence (see [`Model::classify`]).
    sentence_head: Option<SentenceHead>,
    /// The heads' weights premultiplied by the IDF, one row per vocabulary table slot
    /// (derived, not stored).
    packed: PackedHeads,
    /// The whole-article stance rule, bound to the heads (derived from the config).
    stance_rule: Option<sentence_stance::BoundStance>,
}

/// The single-sentence head and the blocks it reads after the vocabulary, in this order:
/// word prefixes and word vectors, each if any.
#[derive(Debug, Clone)]
pub struct SentenceHead {
    pub head: LinearHead,
    pub prefixes: Option<WordPrefixes>,
    pub word_vectors: Option<WordVectorBlock>,
}

/// One evidence term: a feature and how much it pushed toward the predicted label.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence<'m> {
    pub index: u32,
    pub term: &'m str,
    pub weight: f32,
}

/// A label of a head with the terms that favour it most (see [`LinearHead::strongest_terms`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelTerms<'m> {
    pub label: &'m str,
    /// Each term with its weight margin over the head's mean, strongest first.
    pub terms: Vec<(&'m str, f32)>,
}

/// One head's answer for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadResult<'m> {
    pub head: &'m str,
    pub labels: &'m [String],
    pub prediction: HeadPrediction,
    pub evidence: Vec<Evidence<'m>>,
}

impl HeadResult<'_> {
    pub fn label(&self) -> &str {
        &self.labels[self.prediction.best]
    }

    pub fn probability(&self) -> f32 {
        self.prediction.probabilities[self.prediction.best]
    }

    /// Every label with its probability, most likely first.
    pub fn ranked(&self) -> Vec<(&str, f32)> {
        let mut ranked: Vec<(&str, f32)> =
            self.labels.iter().map(String::as_str).zip(self.prediction.probabilities.iter().copied()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ranked
    }
}

impl Model {
    /// Assembles and validates a model from its parts.
    pub fn from_parts(
        meta: ModelMeta,
        tokenizer: TokenizerSettings,
        vectorizer: TfIdf,
        heads: Vec<LinearHead>,
        sentence_head: Option<SentenceHead>,
    ) -> Result<Self, ModelError> {
        let tokenizer = Tokenizer::new(tokenizer)?;
        file::validate(&meta, &vectorizer, &heads, sentence_head.as_ref())?;
        if let Some(problem) = vectorizer.table_problem() {
            return Err(ModelError::Invalid(problem));
        }
        let packed = PackedHeads::build(&heads, vectorizer.idf(), vectorizer.slot_features());
        let stance_rule = meta
            .config
            .article_stance
            .as_ref()
            .map(|rule| sentence_stance::BoundStance::bind(rule, &heads))
            .transpose()?;
        Ok(Self { meta, tokenizer, vectorizer, heads, sentence_head, packed, stance_rule })
    }

    /// Reads, checks and validates a model file whose body is at most
    /// [`DEFAULT_MAX_MODEL_BYTES`].
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        Self::load_bounded(path, DEFAULT_MAX_MODEL_BYTES)
    }

    /// Reads, checks and validates a model file whose body is at most `max_bytes`: the header
    /// is checked before the body is read, and only a regular file is read.
    pub fn load_bounded(path: &Path, max_bytes: u64) -> Result<Self, ModelError> {
        Self::from_bytes(&file::read_bounded(path, max_bytes)?)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut parts = file::decode(bytes)?;
        let sentence_head = parts.sentence_head()?;
        let vectorizer = TfIdf::from_parts(parts.vectorizer, parts.terms, parts.idf);
        Self::from_parts(parts.meta, parts.tokenizer, vectorizer, parts.heads, sentence_head)
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let sentence = self.sentence_head.as_ref();
        file::encode(&self.meta, self.tokenizer.settings(), &self.vectorizer, &self.heads, sentence)
    }

    /// Writes the model file atomically: a temporary file beside it, fsync, rename.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        crate::model::fsutil::write_atomically(path, &self.to_bytes()?)
            .map_err(|source| ModelError::Io { path: path.to_owned(), source })
    }

    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    pub fn version(&self) -> &str {
        &self.meta.version
    }

    pub fn heads(&self) -> &[LinearHead] {
        &self.heads
    }

    /// The head that answers for the stance head on inputs of one sentence, if any.
    pub fn sentence_head(&self) -> Option<&LinearHead> {
        self.sentence_head.as_ref().map(|sentence| &sentence.head)
    }

    /// The word-prefix block the single-sentence head reads, if it reads one.
    pub fn sentence_prefixes(&self) -> Option<&WordPrefixes> {
        self.sentence_head.as_ref()?.prefixes.as_ref()
    }

    /// The word-vector block the single-sentence head reads, if it reads one.
    pub fn sentence_word_vectors(&self) -> Option<&WordVectorBlock> {
        self.sentence_head.as_ref()?.word_vectors.as_ref()
    }

    /// The single-sentence head's input: the article's vector `main`, then its word-prefix
    /// block and its word-vector block, each when the model has one.
    ///
    /// One tokenization serves both blocks (each block's own `vector` gives the same).
    pub fn sentence_vector(&self, article: &Article, main: &SparseVector) -> SparseVector {
        let (prefixes, words) = (self.sentence_prefixes(), self.sentence_word_vectors());
        // Room for a prefix every 8 bytes and a word every 6.
        let bytes = article.title.len() + article.text.len();
        let (mut prefix_hits, mut word_hits) = (Vec::with_capacity(bytes / 8 + 1), Vec::with_capacity(bytes / 6 + 1));
        for field in article.fields().into_iter().filter(|_| prefixes.is_some() || words.is_some()) {
            self.tokenizer.for_each(field, |_, _, token| {
                prefixes.inspect(|p| p.hit(token, &mut prefix_hits));
                word_hits.extend(words.and_then(|w| w.index_of(token)));
            });
        }
        let mut vector = main.clone();
        let mut offset = self.vectorizer.dimensions();
        if let Some(prefixes) = prefixes {
            vector.push_block(offset, &prefixes.vector_of_hits(prefix_hits));
            offset += prefixes.dimensions();
        }
        if words.is_some() {
            vector.push_block(offset, &word_vectors::vector_of_hits(&mut word_hits));
        }
        vector
    }

    /// The term behind a feature index of any head: the vocabulary's, then the word-prefix
    /// block's, then the word-vector block's.
    pub fn feature_term(&self, index: u32) -> &str {
        let mut index = index as usize;
        if let Some(term) = self.vectorizer.term(index as u32) {
            return term;
        }
        index -= self.vectorizer.dimensions();
        if let Some(prefixes) = self.sentence_prefixes() {
            if let Some(term) = prefixes.term(index as u32) {
                return term;
            }
            index -= prefixes.dimensions();
        }
        self.sentence_word_vectors().and_then(|words| words.term(index as u32)).unwrap_or_default()
    }

    pub fn vectorizer(&self) -> &TfIdf {
        &self.vectorizer
    }

    pub fn vectorizer_settings(&self) -> &VectorizerSettings {
        self.vectorizer.settings()
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Tokens of one text, exactly as the model sees them.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        self.tokenizer.tokenize(text)
    }

    pub fn vectorize(&self, article: &Article) -> SparseVector {
        self.vectorizer.transform(&self.tokenizer, article)
    }

    /// Every head's prediction, with up to `explain` evidence terms each.
    ///
    /// Scores straight from the term counts with the premultiplied rows; the sparse vector is
    /// built only for evidence. The probabilities equal [`Model::classify_vector`]'s on
    /// [`Model::vectorize`]'s vector up to float rounding (the sums run in another order).
    ///
    /// With an article-stance rule, the stance of an article of two or more sentences comes
    /// from its sentences and its topic (see [`crate::model::stance_rule`]), and that of a single
    /// sentence from the single-sentence head, when the model has one.
    pub fn classify(&self, article: &Article, explain: usize) -> Vec<HeadResult<'_>> {
        let parts = self.stance_rule.as_ref().map(|_| sentence_stance::sentence_parts(article)).unwrap_or_default();
        let one_sentence = match (&self.stance_rule, self.sentence_head()) {
            (Some(bound), Some(head)) if parts.len() < 2 => Some((bound.stance, head)),
            _ => None,
        };
        let whole = |counts: &mut TermCounts<'_>| {
            let wanted = explain > 0 || one_sentence.is_some();
            let vector = if wanted { self.vectorizer.weigh(counts) } else { SparseVector::default() };
            // The counts are read for the last time here, and zeroed as they are.
            let (slots, tf) = counts.drain_tf(self.vectorizer.settings().sublinear_tf);
            (self.packed.predict(&self.heads, slots, tf), vector)
        };
        // The sentences feed the article-stance rule; they are counted in the same pass.
        let (mut predictions, vector) = match &self.stance_rule {
            Some(bound) => {
                let (result, mean) = self.with_sentence_mean(bound, article, parts, whole);
                let (mut predictions, vector) = result;
                self.apply_article_stance(mean, &mut predictions);
                (predictions, vector)
            }
            None => self.vectorizer.with_counts(&self.tokenizer, article, whole),
        };
        let sentence_vector = one_sentence.map(|(stance, head)| {
            let sentence_vector = self.sentence_vector(article, &vector);
            predictions[stance] = head.predict(&sentence_vector);
            sentence_vector
        });
        let answering = |i: usize| match (one_sentence, &sentence_vector) {
            (Some((stance, head)), Some(sentence_vector)) if stance == i => (head, sentence_vector),
            _ => (&self.heads[i], &vector),
        };
        predictions
            .into_iter()
            .enumerate()
            .map(|(i, prediction)| {
                let (head, vector) = answering(i);
                self.head_result(head, prediction, vector, explain)
            })
            .collect()
    }

    /// Every sentence of the article ([`Model::sentences`]) with every head's own prediction
    /// for that sentence alone, as [`Model::predict_plain`] gives it on the sentence's text,
    /// but from one tokenization and one pass of lookups over the article (tested).
    pub fn sentence_predictions(&self, article: &Article) -> Vec<(Field, Range<usize>, Vec<HeadPrediction>)> {
        let sentences = Self::sentences(article);
        let ((), predictions) = self.predict_sentences(article, &sentences, |_| ());
        sentences.into_iter().zip(predictions).map(|((field, range), heads)| (field, range, heads)).collect()
    }

    /// `whole` on the article's term counts, and every head's own prediction for each of the
    /// `sentences` as if it were an article by itself, from one tokenization and one pass of
    /// lookups (tested against tokenizing each sentence alone).
    fn predict_sentences<R>(
        &self,
        article: &Article,
        sentences: &[(Field, Range<usize>)],
        whole: impl FnOnce(&mut TermCounts<'_>) -> R,
    ) -> (R, Vec<Vec<HeadPrediction>>) {
        let parts: Vec<(usize, Range<usize>)> =
            sentences.iter().map(|(field, range)| (usize::from(*field == Field::Text), range.clone())).collect();
        let mut predictions = Vec::with_capacity(parts.len());
        let result = self.vectorizer.with_counts_and_parts(&self.tokenizer, article, &parts, whole, |_, counts| {
            predictions.push(self.predict_counts(counts));
        });
        (result, predictions)
    }

    /// Every head's own prediction from term counts.
    pub(super) fn predict_counts(&self, counts: &TermCounts<'_>) -> Vec<HeadPrediction> {
        let weight = term_frequencies(self.vectorizer.settings().sublinear_tf);
        let tf = |slot| weight(counts.count(slot));
        self.packed.predict(&self.heads, counts.features(), tf)
    }

    /// Each label of `head` with its `limit` strongest terms, whatever the document.
    pub fn strongest_terms<'m>(&'m self, head: &'m LinearHead, limit: usize) -> Vec<LabelTerms<'m>> {
        (0..head.label_count())
            .map(|label| LabelTerms {
                label: &head.labels[label],
                terms: head
                    .strongest_terms(label, limit)
                    .into_iter()
                    .map(|(index, margin)| (self.feature_term(index), margin))
                    .collect(),
            })
            .collect()
    }

    /// Every head's prediction for a vector already made, with up to `explain` evidence terms.
    pub fn classify_vector(&self, vector: &SparseVector, explain: usize) -> Vec<HeadResult<'_>> {
        self.heads.iter().map(|head| self.head_result(head, head.predict(vector), vector, explain)).collect()
    }

    fn head_result<'m>(
        &'m self,
        head: &'m LinearHead,
        prediction: HeadPrediction,
        vector: &SparseVector,
        explain: usize,
    ) -> HeadResult<'m> {
        let evidence = head
            .evidence(vector, prediction.best, explain)
            .into_iter()
            .map(|(index, weight)| Evidence { index, term: self.feature_term(index), weight })
            .collect();
        HeadResult { head: &head.name, labels: &head.labels, prediction, evidence }
    }
}

pub mod contract;
pub mod file;
pub mod fsutil;
pub mod head;
pub mod meta;
mod sentence_stance;
pub mod stance_rule;
pub mod store;

pub use sentence_stance::{Field, SentenceMean, SentenceStance};

#[cfg(test)]
mod tests;
