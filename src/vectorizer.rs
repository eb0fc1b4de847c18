//! TF-IDF over unigrams and bigrams, with the numbers scikit-learn's
//! `TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), smooth_idf=True, norm="l2")` gives.
//!
//! Vocabulary and IDF are learned once by [`TfIdf::fit`]; [`TfIdf::transform`] applies them to
//! one article at a time and returns a sparse vector. A document is never densified.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::article::Article;
use crate::tokenizer::Tokenizer;

/// How the vocabulary is learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorizerSettings {
    /// Largest n-gram length: 1 (unigrams) or 2 (unigrams and bigrams).
    pub max_ngram: usize,
    /// A term must occur in at least this many training documents.
    pub min_df: usize,
    /// Keep at most this many terms, the most frequent by document frequency.
    pub max_features: usize,
    /// Use `1 + ln(tf)` instead of raw counts.
    pub sublinear_tf: bool,
}

impl Default for VectorizerSettings {
    fn default() -> Self {
        Self { max_ngram: 2, min_df: 2, max_features: 200_000, sublinear_tf: true }
    }
}

/// A sparse, L2-normalized TF-IDF vector: `indices` ascending, one `values` entry each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVector {
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.indices.iter().copied().zip(self.values.iter().copied())
    }
}

/// A fitted TF-IDF vectorizer.
#[derive(Debug, Clone)]
pub struct TfIdf {
    settings: VectorizerSettings,
    terms: Vec<String>,
    idf: Vec<f32>,
    lookup: FxHashMap<Box<str>, u32>,
}

impl TfIdf {
    /// Learns vocabulary and IDF from tokenized documents (each a list of token lists, one
    /// per field, so that no bigram spans a title and its text).
    pub fn fit(settings: VectorizerSettings, documents: &[Vec<Vec<String>>]) -> Self {
        let mut document_frequency: HashMap<String, u32> = HashMap::new();
        for fields in documents {
            let mut seen: Vec<String> = Vec::new();
            for tokens in fields {
                for_each_term(tokens.iter().map(String::as_str), settings.max_ngram, |term| seen.push(term.to_owned()));
            }
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                *document_frequency.entry(term).or_default() += 1;
            }
        }
        let (terms, idf) = select_terms(&settings, document_frequency, documents.len());
        Self::from_parts(settings, terms, idf)
    }

    /// Rebuilds a vectorizer from the parts a model file stores.
    pub fn from_parts(settings: VectorizerSettings, terms: Vec<String>, idf: Vec<f32>) -> Self {
        let lookup = terms.iter().enumerate().map(|(i, t)| (t.as_str().into(), i as u32)).collect();
        Self { settings, terms, idf, lookup }
    }

    pub fn settings(&self) -> &VectorizerSettings {
        &self.settings
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    /// Number of features (the vocabulary size).
    pub fn dimensions(&self) -> usize {
        self.terms.len()
    }

    /// The term behind a feature index.
    pub fn term(&self, index: u32) -> Option<&str> {
        self.terms.get(index as usize).map(String::as_str)
    }

    /// The feature index of a term, if it is in the vocabulary.
    pub fn index_of(&self, term: &str) -> Option<u32> {
        self.lookup.get(term).copied()
    }

    /// The TF-IDF vector of one article.
    pub fn transform(&self, tokenizer: &Tokenizer, article: &Article) -> SparseVector {
        let mut hits = Vec::new();
        for field in article.fields() {
            self.collect_hits(tokenizer, field, &mut hits);
        }
        self.weigh(hits)
    }

    fn collect_hits(&self, tokenizer: &Tokenizer, text: &str, hits: &mut Vec<u32>) {
        let mut previous = String::new();
        let mut bigram = String::new();
        tokenizer.for_each(text, |_, _, token| {
            if let Some(&index) = self.lookup.get(token) {
                hits.push(index);
            }
            if self.settings.max_ngram >= 2 && !previous.is_empty() {
                bigram.clear();
                bigram.push_str(&previous);
                bigram.push(' ');
                bigram.push_str(token);
                if let Some(&index) = self.lookup.get(bigram.as_str()) {
                    hits.push(index);
                }
            }
            previous.clear();
            previous.push_str(token);
        });
    }

    /// Turns raw term hits into sublinear, IDF-weighted, L2-normalized values.
    fn weigh(&self, mut hits: Vec<u32>) -> SparseVector {
        hits.sort_unstable();
        let mut vector = SparseVector::default();
        for run in hits.chunk_by(|a, b| a == b) {
            let index = run[0];
            let tf = run.len() as f32;
            let tf = if self.settings.sublinear_tf { 1.0 + tf.ln() } else { tf };
            vector.indices.push(index);
            vector.values.push(tf * self.idf[index as usize]);
        }
        let norm = vector.values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            vector.values.iter_mut().for_each(|v| *v /= norm);
        }
        vector
    }
}

/// Calls `visit` with every unigram and, if `max_ngram >= 2`, every bigram (`"a b"`).
pub fn for_each_term<'a>(tokens: impl Iterator<Item = &'a str>, max_ngram: usize, mut visit: impl FnMut(&str)) {
    let mut previous: Option<&str> = None;
    let mut bigram = String::new();
    for token in tokens {
        visit(token);
        if let (Some(prev), true) = (previous, max_ngram >= 2) {
            bigram.clear();
            bigram.push_str(prev);
            bigram.push(' ');
            bigram.push_str(token);
            visit(&bigram);
        }
        previous = Some(token);
    }
}

/// Applies `min_df` and `max_features`; returns terms in lexicographic order (as scikit-learn
/// does) and their smoothed IDF, `ln((1 + n) / (1 + df)) + 1`.
fn select_terms(settings: &VectorizerSettings, df: HashMap<String, u32>, documents: usize) -> (Vec<String>, Vec<f32>) {
    let mut kept: Vec<(String, u32)> = df.into_iter().filter(|(_, count)| *count as usize >= settings.min_df).collect();
    // Most frequent first; ties by term so that the cut is deterministic.
    kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kept.truncate(settings.max_features);
    kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let n = documents as f64;
    let idf = kept.iter().map(|(_, count)| (((1.0 + n) / (1.0 + *count as f64)).ln() + 1.0) as f32).collect();
    (kept.into_iter().map(|(term, _)| term).collect(), idf)
}

#[cfg(test)]
mod tests;
