//! The served model: tokenizer, TF-IDF vectorizer and classification heads, with what is
//! known about how it was made.

#![warn(missing_docs)]

use std::path::Path;

pub use meta::ModelMeta;

use self::file::ModelError;
use crate::features::actors::Gazetteer;
use crate::features::vectorizer::{term_frequencies, SparseVector, TermCounts, TfIdf, VectorizerSettings};
use crate::features::word_prefixes::WordPrefixes;
use crate::features::word_vectors::WordVectorBlock;
use crate::model::head::{HeadPrediction, LinearHead, PackedHeads};
use crate::text::article::Article;
use crate::text::tokenizer::{Token, Tokenizer, TokenizerSettings};

/// The largest model body read unless told otherwise: the shipped model is 9 MB, and a
/// vocabulary of a million terms with three heads stays well under this.
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 256 << 20;

/// A loaded, validated model. Immutable and `Sync`: share it behind an `Arc`.
///
/// Load the shipped model and classify a sentence:
///
/// ```
/// use std::path::Path;
/// use accord::{Article, Model, Options};
///
/// let model = Model::load(Path::new("models/default/model.bin"))?;
/// let article = Article::text("China and Israel signed a trade agreement on Monday.");
/// let answer = model.classify(&article, &Options { explain: 2, sentences: true, relations: false });
/// for head in &answer.heads {
///     let terms: Vec<&str> = head.evidence.iter().map(|evidence| evidence.term).collect();
///     println!("{}: {} ({:.2}), for {terms:?}", head.head, head.label(), head.probability());
/// }
/// let label = |name: &str| answer.heads.iter().find(|head| head.head == name).map(|head| head.label());
/// assert_eq!(label("topic"), Some("world"));
/// assert_eq!(label("stance"), Some("cooperation"));
/// assert_eq!(answer.sentences.len(), 1, "one sentence, with its stance");
/// # Ok::<(), accord::ModelError>(())
/// ```
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
    /// The actors the model finds, stored with it so that a served model and its actors
    /// always agree; `None` for a model trained without them.
    actors: Option<Gazetteer>,
}

/// The single-sentence head and the blocks it reads after the vocabulary, in this order:
/// word prefixes and word vectors, each if any.
#[derive(Debug, Clone)]
pub struct SentenceHead {
    /// The head: one row of weights per vocabulary term, then per block feature.
    pub head: LinearHead,
    /// The word-prefix block, if the head reads one.
    pub prefixes: Option<WordPrefixes>,
    /// The word-vector block, if the head reads one.
    pub word_vectors: Option<WordVectorBlock>,
}

/// One evidence term: a feature and how much it pushed toward the predicted label.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence<'m> {
    /// The feature's index in the head's input.
    pub index: u32,
    /// The feature's term ([`Model::feature_term`]).
    pub term: &'m str,
    /// Its value times its weight margin for the predicted label over the head's mean.
    pub weight: f32,
}

/// A label of a head with the terms that favour it most (see [`LinearHead::strongest_terms`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelTerms<'m> {
    /// The label.
    pub label: &'m str,
    /// Each term with its weight margin over the head's mean, strongest first.
    pub terms: Vec<(&'m str, f32)>,
}

/// One head's answer for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadResult<'m> {
    /// The head's name (`topic`, `stance`, …).
    pub head: &'m str,
    /// The head's labels, in the order of the prediction's probabilities.
    pub labels: &'m [String],
    /// The probability of each label and the best one.
    pub prediction: HeadPrediction,
    /// The features that pushed most toward the predicted label, strongest first (as many
    /// as asked for with [`Options::explain`]).
    pub evidence: Vec<Evidence<'m>>,
}

impl HeadResult<'_> {
    /// The predicted label.
    pub fn label(&self) -> &str {
        &self.labels[self.prediction.best]
    }

    /// The predicted label's probability.
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
    /// The model with `head` in place of its head of the same name, checked as a loaded
    /// model's heads are: how a head fitted by another engine enters a model.
    pub fn with_head(self, head: LinearHead) -> Result<Self, ModelError> {
        let mut heads = self.heads.clone();
        let slot = heads
            .iter_mut()
            .find(|h| h.name == head.name)
            .ok_or_else(|| ModelError::Invalid(format!("the model has no head `{}`", head.name)))?;
        *slot = head;
        file::validate(&self.meta, &self.vectorizer, &heads, self.sentence_head.as_ref())?;
        let packed = PackedHeads::build(&heads, self.vectorizer.idf(), self.vectorizer.slot_features());
        let stance_rule = self
            .meta
            .config
            .article_stance
            .as_ref()
            .map(|rule| sentence_stance::BoundStance::bind(rule, &heads))
            .transpose()?;
        Ok(Self { heads, packed, stance_rule, ..self })
    }

    /// Assembles and validates a model from its parts (training does).
    pub(crate) fn from_parts(
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
        Ok(Self { meta, tokenizer, vectorizer, heads, sentence_head, packed, stance_rule, actors: None })
    }

    /// The model with this actor gazetteer (training gives it the corpus's).
    pub fn with_actors(mut self, actors: Option<Gazetteer>) -> Self {
        self.actors = actors;
        self
    }

    /// The actor gazetteer the model finds actors with, if it has one.
    pub fn actors(&self) -> Option<&Gazetteer> {
        self.actors.as_ref()
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

    /// Checks and validates a model file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut parts = file::decode(bytes)?;
        let sentence_head = parts.sentence_head()?;
        let actors = parts.actors()?;
        let vectorizer = TfIdf::from_parts(parts.vectorizer, parts.terms, parts.idf);
        Ok(Self::from_parts(parts.meta, parts.tokenizer, vectorizer, parts.heads, sentence_head)?.with_actors(actors))
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let sentence = self.sentence_head.as_ref();
        let actors = self.actors.as_ref();
        file::encode(&self.meta, self.tokenizer.settings(), &self.vectorizer, &self.heads, sentence, actors)
    }

    /// Writes the model file atomically: a temporary file beside it, fsync, rename.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        crate::model::fsutil::write_atomically(path, &self.to_bytes()?)
            .map_err(|source| ModelError::Io { path: path.to_owned(), source })
    }

    /// What the model records about how it was made and how well it did.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// The model's version (`vYYYYMMDD-…`).
    pub fn version(&self) -> &str {
        &self.meta.version
    }

    /// The classification heads, in the order [`Classification::heads`] answers them.
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

    /// The TF-IDF vectorizer.
    pub fn vectorizer(&self) -> &TfIdf {
        &self.vectorizer
    }

    /// The settings the vocabulary was learned with.
    pub fn vectorizer_settings(&self) -> &VectorizerSettings {
        self.vectorizer.settings()
    }

    /// The tokenizer, with the settings the model was trained with.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Tokens of one text, exactly as the model sees them.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        self.tokenizer.tokenize(text)
    }

    /// The article's TF-IDF vector: the input of every head but the single-sentence one.
    pub fn vectorize(&self, article: &Article) -> SparseVector {
        self.vectorizer.transform(&self.tokenizer, article)
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
    #[cfg(test)]
    pub(crate) fn classify_vector(&self, vector: &SparseVector, explain: usize) -> Vec<HeadResult<'_>> {
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

mod classify;
pub mod contract;
pub mod file;
pub mod fsutil;
pub mod head;
pub mod meta;
pub mod relations;
mod sentence_stance;
pub mod stance_rule;
pub mod store;
pub mod who;

pub use classify::{Classification, Options, SentenceProbabilities, TooManySentences};
pub use sentence_stance::{SentenceMean, SentenceStance};

#[cfg(test)]
mod tests;
