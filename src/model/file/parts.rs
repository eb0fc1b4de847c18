//! What a model file's body holds: the model's parts, owned when read and borrowed when
//! written, and their encoding behind the header.

use serde::{Deserialize, Serialize};

use super::{with_header, ModelError, MAX_ACTOR_NAMES};
use crate::features::actors::{Gazetteer, GazetteerData};
use crate::features::vectorizer::{TfIdf, VectorizerSettings};
use crate::features::word_prefixes::WordPrefixes;
use crate::features::word_vectors::WordVectorBlock;
use crate::model::head::LinearHead;
use crate::model::{ModelMeta, SentenceHead};
use crate::text::tokenizer::TokenizerSettings;

/// Everything the body holds, owned.
#[derive(Serialize, Deserialize)]
pub(crate) struct ModelParts {
    pub tokenizer: TokenizerSettings,
    pub vectorizer: VectorizerSettings,
    pub terms: Vec<String>,
    pub idf: Vec<f32>,
    pub heads: Vec<LinearHead>,
    pub sentence_head: Option<LinearHead>,
    pub sentence_prefixes: Option<PrefixParts>,
    pub sentence_word_vectors: Option<Vec<String>>,
    pub meta: ModelMeta,
    pub actors: Option<GazetteerData>,
}

impl ModelParts {
    /// The single-sentence head with the blocks it reads; an error for a block stored
    /// without a head to read it.
    pub fn sentence_head(&mut self) -> Result<Option<SentenceHead>, ModelError> {
        let prefixes = self.sentence_prefixes.take().map(PrefixParts::into_prefixes);
        let word_vectors = self.sentence_word_vectors.take().map(WordVectorBlock::from_terms);
        match self.sentence_head.take() {
            Some(head) => Ok(Some(SentenceHead { head, prefixes, word_vectors })),
            None if prefixes.is_some() || word_vectors.is_some() => {
                Err(ModelError::Invalid("a single-sentence block without a single-sentence head to read it".into()))
            }
            None => Ok(None),
        }
    }

    /// The stored gazetteer with its matcher index rebuilt; an error for one over the bounds
    /// or with a bad row.
    pub fn actors(&mut self) -> Result<Option<Gazetteer>, ModelError> {
        let Some(data) = self.actors.take() else { return Ok(None) };
        let patterns = data.names.len() + data.stopnames.len();
        if patterns > MAX_ACTOR_NAMES {
            return Err(ModelError::Invalid(format!(
                "actor gazetteer: {patterns} name patterns, more than {MAX_ACTOR_NAMES}"
            )));
        }
        Ok(Some(Gazetteer::try_from(data)?))
    }
}

/// The word-prefix block as stored: prefix length, vectorizer settings, terms and IDF.
#[derive(Serialize, Deserialize)]
pub(crate) struct PrefixParts {
    pub length: u32,
    pub settings: VectorizerSettings,
    pub terms: Vec<String>,
    pub idf: Vec<f32>,
}

impl PrefixParts {
    pub fn of(prefixes: &WordPrefixes) -> Self {
        let vectorizer = prefixes.vectorizer();
        Self {
            length: u32::try_from(prefixes.length()).unwrap_or(u32::MAX),
            settings: vectorizer.settings().clone(),
            terms: vectorizer.terms().to_vec(),
            idf: vectorizer.idf().to_vec(),
        }
    }

    pub(crate) fn into_prefixes(self) -> WordPrefixes {
        WordPrefixes::from_parts(self.length as usize, self.settings, self.terms, self.idf)
    }
}

#[derive(Serialize)]
struct ModelPartsRef<'a> {
    tokenizer: &'a TokenizerSettings,
    vectorizer: &'a VectorizerSettings,
    terms: &'a [String],
    idf: &'a [f32],
    heads: &'a [LinearHead],
    sentence_head: Option<&'a LinearHead>,
    sentence_prefixes: Option<PrefixParts>,
    sentence_word_vectors: Option<&'a [String]>,
    meta: &'a ModelMeta,
    actors: Option<&'a GazetteerData>,
}

pub(crate) fn encode(
    meta: &ModelMeta,
    tokenizer: &TokenizerSettings,
    vectorizer: &TfIdf,
    heads: &[LinearHead],
    sentence: Option<&SentenceHead>,
    actors: Option<&Gazetteer>,
) -> Result<Vec<u8>, ModelError> {
    let body = postcard::to_allocvec(&ModelPartsRef {
        tokenizer,
        vectorizer: vectorizer.settings(),
        terms: vectorizer.terms(),
        idf: vectorizer.idf(),
        heads,
        sentence_head: sentence.map(|s| &s.head),
        sentence_prefixes: sentence.and_then(|s| s.prefixes.as_ref()).map(PrefixParts::of),
        sentence_word_vectors: sentence.and_then(|s| s.word_vectors.as_ref()).map(WordVectorBlock::terms),
        meta,
        actors: actors.map(Gazetteer::data),
    })?;
    Ok(with_header(body))
}

/// A model file of these parts, unchecked: what a hand-edited file could hold.
#[cfg(test)]
pub(crate) fn encode_parts(parts: &ModelParts) -> Result<Vec<u8>, ModelError> {
    Ok(with_header(postcard::to_allocvec(parts)?))
}
