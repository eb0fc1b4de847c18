//! The plain vectorizer the fast path is tested against: the plain tokenizer's tokens, each
//! unigram and bigram built as a string and looked up by string in a `HashMap`, hits sorted
//! and counted. It gives [`TfIdf::transform`]'s vector several times slower; the in-process
//! benchmark times it beside the fast path as the plain implementation a user would write.

use std::collections::HashMap;

use super::{SparseVector, TfIdf};
use crate::text::article::Article;
use crate::text::tokenizer::Tokenizer;

/// A vectorizer's terms in a string-keyed map.
pub struct Reference<'v> {
    vectorizer: &'v TfIdf,
    lookup: HashMap<&'v str, u32>,
}

impl<'v> Reference<'v> {
    /// The plain lookup of `vectorizer`'s terms.
    pub fn new(vectorizer: &'v TfIdf) -> Self {
        let lookup = vectorizer.terms().iter().enumerate().map(|(i, t)| (t.as_str(), i as u32)).collect();
        Self { vectorizer, lookup }
    }

    /// The TF-IDF vector of `article`, by string lookups over the reference tokenizer's tokens.
    pub fn transform(&self, tokenizer: &Tokenizer, article: &Article) -> SparseVector {
        transform(self.vectorizer, &self.lookup, tokenizer, article)
    }
}

fn transform(
    vectorizer: &TfIdf,
    lookup: &HashMap<&str, u32>,
    tokenizer: &Tokenizer,
    article: &Article,
) -> SparseVector {
    let mut hits = Vec::new();
    for (_, field) in article.fields() {
        let mut previous = String::new();
        let mut bigram = String::new();
        tokenizer.for_each_plain(field, |_, _, token| {
            if let Some(&index) = lookup.get(token) {
                hits.push(index);
            }
            if vectorizer.settings().max_ngram >= 2 && !previous.is_empty() {
                bigram.clear();
                bigram.push_str(&previous);
                bigram.push(' ');
                bigram.push_str(token);
                if let Some(&index) = lookup.get(bigram.as_str()) {
                    hits.push(index);
                }
            }
            previous.clear();
            previous.push_str(token);
        });
    }
    weigh(vectorizer, hits)
}

/// The TF-IDF vector of the feature `hits` (one per occurrence, any order).
pub(crate) fn weigh(vectorizer: &TfIdf, mut hits: Vec<u32>) -> SparseVector {
    hits.sort_unstable();
    let distinct = hits.chunk_by(|a, b| a == b).count();
    let mut vector = SparseVector { indices: Vec::with_capacity(distinct), values: Vec::with_capacity(distinct) };
    for run in hits.chunk_by(|a, b| a == b) {
        let index = run[0];
        let tf = run.len() as f32;
        let tf = if vectorizer.settings().sublinear_tf { 1.0 + tf.ln() } else { tf };
        vector.indices.push(index);
        vector.values.push(tf * vectorizer.idf()[index as usize]);
    }
    let norm = vector.values.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.values.iter_mut().for_each(|v| *v /= norm);
    }
    vector
}
