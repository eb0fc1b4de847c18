//! The model file: a fixed header, then a postcard-encoded body.
//!
//! ```text
//! bytes 0..8    magic "ACCORDMF"
//! bytes 8..12   format version, u32 little-endian
//! bytes 12..20  body length, u64 little-endian
//! bytes 20..52  SHA-256 of the body
//! bytes 52..    body: tokenizer settings, vectorizer settings, vocabulary, IDF, heads,
//!               the single-sentence stance head (optional), its word-prefix block
//!               (optional), its word-vector block's words (optional), metadata, the
//!               actor gazetteer's rows (optional; the matcher's index is rebuilt from them)
//! ```
//! The header lets a loader name the problem with a bad file (not a model, another format
//! version, truncated, corrupted) before decoding anything; validation then checks every
//! dimension, number and label set.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::features::actors::{Gazetteer, GazetteerData, GazetteerError};
use crate::features::vectorizer::{TfIdf, VectorizerSettings};
use crate::features::word_prefixes::{WordPrefixes, MARK};
use crate::features::word_vectors::{WordVectorBlock, MARK as VECTOR_MARK};
use crate::model::head::LinearHead;
use crate::model::{ModelMeta, SentenceHead};
use crate::text::tokenizer::{TokenizerSettings, UnsupportedTokenizer};

const MAGIC: &[u8; 8] = b"ACCORDMF";
/// The version of the file layout this build reads and writes; bumped when the body's
/// layout changes.
pub const FORMAT_VERSION: u32 = 14;
const HEADER_LEN: usize = 52;
/// Bounds on IDF values and weights, far beyond any trained model's (IDF is `1 + ln(n/df)`,
/// regularized weights are tens at most), so that a weight times an IDF, summed over a long
/// article, can never overflow into an infinite logit and NaN probabilities (found by the
/// model_file fuzz target).
const MAX_IDF: f32 = 1e3;
const MAX_WEIGHT: f32 = 1e6;

/// Why a model could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read or written.
    #[error("cannot access model file {path}: {source}")]
    Io {
        /// The model file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The bytes are not a model file.
    #[error("not an accord model file (bad magic bytes)")]
    NotAModel,
    /// The file's layout is another version's.
    #[error("model file format version {found} is not supported (this build reads version {FORMAT_VERSION})")]
    UnsupportedFormat {
        /// The file's format version.
        found: u32,
    },
    /// The file ends before its body does.
    #[error("model file is truncated: header promises {expected} body bytes, found {found}")]
    Truncated {
        /// Body bytes the header promises.
        expected: u64,
        /// Body bytes there are.
        found: u64,
    },
    /// The model file is not a regular file (a FIFO, a device, a directory).
    #[error("model file {path} is not a regular file")]
    NotARegularFile {
        /// The file.
        path: PathBuf,
    },
    /// The header promises a body over the limit.
    #[error("model file body is {bytes} bytes, over the limit of {limit} bytes (--max-model-bytes)")]
    TooLarge {
        /// Body bytes the header promises.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The body's checksum is not the header's.
    #[error("model file is corrupted: body checksum does not match")]
    ChecksumMismatch,
    /// The body is not a model's parts.
    #[error("model file body cannot be decoded: {0}")]
    Decode(#[from] postcard::Error),
    /// The model needs tokenizer rules this build does not have.
    #[error(transparent)]
    Tokenizer(#[from] UnsupportedTokenizer),
    /// The parts do not make a model that can be served (said why).
    #[error("invalid model: {0}")]
    Invalid(String),
    /// The stored actor gazetteer is not a valid one (said why).
    #[error("invalid model: actor gazetteer: {0}")]
    Actors(#[from] GazetteerError),
}

/// The most name patterns a stored gazetteer may hold: the shipped one has a few thousand,
/// and the index built from them at load grows with their number.
pub const MAX_ACTOR_NAMES: usize = 1 << 20;

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

/// A body behind its header: magic, format version, length, checksum.
fn with_header(body: Vec<u8>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&Sha256::digest(&body));
    bytes.extend_from_slice(&body);
    bytes
}

/// A model file of these parts, unchecked: what a hand-edited file could hold.
#[cfg(test)]
pub(crate) fn encode_parts(parts: &ModelParts) -> Result<Vec<u8>, ModelError> {
    Ok(with_header(postcard::to_allocvec(parts)?))
}

/// The body length the header promises, once the magic bytes and format version are
/// checked; `header` may be shorter than a whole header.
fn body_length(header: &[u8]) -> Result<u64, ModelError> {
    if header.len() < 12 || &header[..8] != MAGIC {
        return Err(ModelError::NotAModel);
    }
    let version = u32::from_le_bytes(header[8..12].try_into().map_err(|_| ModelError::NotAModel)?);
    if version != FORMAT_VERSION {
        return Err(ModelError::UnsupportedFormat { found: version });
    }
    let found = header.len().saturating_sub(HEADER_LEN) as u64;
    let Some(length) = header.get(12..20) else {
        return Err(ModelError::Truncated { expected: 0, found });
    };
    Ok(u64::from_le_bytes(length.try_into().map_err(|_| ModelError::NotAModel)?))
}

/// Reads a model file whose body is at most `max_body` bytes: the header first, then as
/// many body bytes as it promises, if the file holds exactly that many. Nothing is read
/// from a file that is not a regular file, and no more than the header promises.
pub(crate) fn read_bounded(path: &Path, max_body: u64) -> Result<Vec<u8>, ModelError> {
    let io = |source| ModelError::Io { path: path.to_owned(), source };
    let file = crate::model::fsutil::open_regular_file(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::InvalidInput {
            ModelError::NotARegularFile { path: path.to_owned() }
        } else {
            io(source)
        }
    })?;
    let size = file.metadata().map_err(io)?.len();
    let mut reader = file.take(HEADER_LEN as u64);
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    reader.read_to_end(&mut bytes).map_err(io)?;
    let expected = body_length(&bytes)?;
    if bytes.len() < HEADER_LEN {
        return Err(ModelError::Truncated { expected, found: 0 });
    }
    if expected > max_body {
        return Err(ModelError::TooLarge { bytes: expected, limit: max_body });
    }
    let found = size.saturating_sub(HEADER_LEN as u64);
    if found != expected {
        return Err(ModelError::Truncated { expected, found });
    }
    let mut reader = reader.into_inner().take(expected);
    bytes.reserve_exact(
        usize::try_from(expected).map_err(|_| ModelError::TooLarge { bytes: expected, limit: max_body })?,
    );
    reader.read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

pub(crate) fn decode(bytes: &[u8]) -> Result<ModelParts, ModelError> {
    let expected = body_length(bytes)?;
    let found = bytes.len().saturating_sub(HEADER_LEN) as u64;
    let header = &bytes[..HEADER_LEN.min(bytes.len())];
    if expected != found || header.len() < HEADER_LEN {
        return Err(ModelError::Truncated { expected, found });
    }
    let body = &bytes[HEADER_LEN..];
    if Sha256::digest(body).as_slice() != &header[20..52] {
        return Err(ModelError::ChecksumMismatch);
    }
    Ok(postcard::from_bytes(body)?)
}

/// Checks everything a hand-edited or mismatched file could get wrong.
pub(crate) fn validate(
    meta: &ModelMeta,
    vectorizer: &TfIdf,
    heads: &[LinearHead],
    sentence: Option<&SentenceHead>,
) -> Result<(), ModelError> {
    let invalid = |reason: String| Err(ModelError::Invalid(reason));
    if meta.version.is_empty() {
        return invalid("model version is empty".into());
    }
    let dimensions = vectorizer.dimensions();
    validate_vocabulary(vectorizer, 2).map_err(ModelError::Invalid)?;
    if heads.is_empty() {
        return invalid("the model has no heads".into());
    }
    let mut names = HashSet::new();
    for head in heads {
        if !names.insert(head.name.as_str()) {
            return invalid(format!("head `{}` appears twice", head.name));
        }
        validate_head(head, dimensions)
            .map_err(|reason| ModelError::Invalid(format!("head `{}`: {reason}", head.name)))?;
    }
    let Some(SentenceHead { head, prefixes, word_vectors }) = sentence else { return Ok(()) };
    if let Some(prefixes) = prefixes {
        validate_prefixes(prefixes).map_err(|reason| ModelError::Invalid(format!("word-prefix block: {reason}")))?;
    }
    if let Some(block) = word_vectors {
        validate_word_vectors(block).map_err(|reason| ModelError::Invalid(format!("word-vector block: {reason}")))?;
    }
    let dimensions = dimensions
        + prefixes.as_ref().map_or(0, WordPrefixes::dimensions)
        + word_vectors.as_ref().map_or(0, WordVectorBlock::dimensions);
    validate_sentence_head(meta, heads, head, dimensions)
        .map_err(|reason| ModelError::Invalid(format!("single-sentence head: {reason}")))
}

/// Terms of words with the block's mark. A term stored twice has its twin's key, which the
/// lookup table reports.
fn validate_word_vectors(block: &WordVectorBlock) -> Result<(), String> {
    if !block.terms().iter().all(|term| term.len() > VECTOR_MARK.len_utf8() && term.ends_with(VECTOR_MARK)) {
        return Err(format!("a term is not a word and `{VECTOR_MARK}`"));
    }
    block.table_problem().map_or(Ok(()), Err)
}

/// The checks a vocabulary needs whatever reads it: one IDF value per term, each in bounds,
/// n-grams up to `max_ngram`, no term twice.
fn validate_vocabulary(vectorizer: &TfIdf, max_ngram: usize) -> Result<(), String> {
    let dimensions = vectorizer.dimensions();
    if vectorizer.idf().len() != dimensions {
        return Err(format!("{} IDF values for {dimensions} terms", vectorizer.idf().len()));
    }
    if vectorizer.idf().iter().any(|v| !v.is_finite() || *v <= 0.0 || *v > MAX_IDF) {
        return Err(format!("an IDF value is not a positive number up to {MAX_IDF}"));
    }
    let ngram = vectorizer.settings().max_ngram;
    if !(1..=max_ngram).contains(&ngram) {
        return Err(format!("max_ngram {ngram} is not between 1 and {max_ngram}"));
    }
    if vectorizer.terms().iter().collect::<HashSet<_>>().len() != dimensions {
        return Err("the vocabulary repeats a term".into());
    }
    Ok(())
}

fn validate_prefixes(prefixes: &WordPrefixes) -> Result<(), String> {
    if prefixes.length() == 0 {
        return Err("prefix length 0".into());
    }
    let vectorizer = prefixes.vectorizer();
    validate_vocabulary(vectorizer, 1)?;
    if vectorizer.terms().iter().any(|term| !term.ends_with(MARK) || term.contains(' ')) {
        return Err(format!("a term does not end with `{MARK}` or holds a space"));
    }
    vectorizer.table_problem().map_or(Ok(()), Err)
}

/// The single-sentence head stands in for the article-stance rule's stance head, so it must
/// have that head's name and labels.
fn validate_sentence_head(
    meta: &ModelMeta,
    heads: &[LinearHead],
    head: &LinearHead,
    dimensions: usize,
) -> Result<(), String> {
    let rule = meta.config.article_stance.as_ref().ok_or("the model has no article-stance rule")?;
    let stance = heads.iter().find(|h| h.name == rule.stance_head).ok_or("the rule's stance head is missing")?;
    if head.name != stance.name || head.labels != stance.labels {
        return Err(format!("it must be head `{}` with labels {:?}", stance.name, stance.labels));
    }
    validate_head(head, dimensions)
}

fn validate_head(head: &LinearHead, dimensions: usize) -> Result<(), String> {
    let labels = head.labels.len();
    if head.name.is_empty() {
        return Err("empty head name".into());
    }
    if labels < 2 {
        return Err(format!("{labels} labels; a head needs at least two"));
    }
    if head.labels.iter().collect::<HashSet<_>>().len() != labels || head.labels.iter().any(String::is_empty) {
        return Err("labels are empty or repeated".into());
    }
    if head.weights.len() != dimensions * labels {
        return Err(format!("{} weights, expected {dimensions} features x {labels} labels", head.weights.len()));
    }
    if head.bias.len() != labels {
        return Err(format!("{} biases for {labels} labels", head.bias.len()));
    }
    if head.weights.iter().chain(&head.bias).any(|w| !w.is_finite() || w.abs() > MAX_WEIGHT) {
        return Err(format!("a weight is not a finite number within ±{MAX_WEIGHT}"));
    }
    Ok(())
}
