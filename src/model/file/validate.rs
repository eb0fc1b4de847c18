//! The checks a model's parts pass before it is served: everything a hand-edited or
//! mismatched file could get wrong, with the bounds on its numbers.

use std::collections::HashSet;

use super::ModelError;
use crate::features::vectorizer::TfIdf;
use crate::features::word_prefixes::{WordPrefixes, MARK};
use crate::features::word_vectors::{WordVectorBlock, MARK as VECTOR_MARK};
use crate::model::head::LinearHead;
use crate::model::{ModelMeta, SentenceHead};

/// Bounds on IDF values and weights, far beyond any trained model's (IDF is `1 + ln(n/df)`,
/// regularized weights are tens at most), so that a weight times an IDF, summed over a long
/// article, can never overflow into an infinite logit and NaN probabilities (found by the
/// model_file fuzz target).
const MAX_IDF: f32 = 1e3;
const MAX_WEIGHT: f32 = 1e6;

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
