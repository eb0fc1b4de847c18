//! TF-IDF over unigrams and bigrams, with the numbers scikit-learn's
//! `TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), smooth_idf=True, norm="l2")` gives.
//!
//! Vocabulary and IDF are learned once by [`TfIdf::fit`]; [`TfIdf::transform`] applies them to
//! one article at a time and returns a sparse vector. A document is never densified.
//!
//! Serving never compares strings: the tokenizer gives each token's 64-bit key
//! (`text/tokenizer/hash.rs`), a bigram's key is mixed from its two tokens' keys, and the
//! keys are looked up in a perfect hash table built from the terms (`table.rs`). An article
//! is read and looked up once (`analysis.rs`); counts go to thread-local
//! scratch space, so a document allocates nothing per token. The result is
//! exactly what looking the strings up gives (`reference.rs`, tested).

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::text::article::Article;
use crate::text::tokenizer::{hash, Tokenizer};

mod analysis;
mod counts;
mod lookups;
/// The plain vectorizer the fast path is tested against. Public but hidden: the in-process
/// benchmark's plain peer vectorizes with it.
#[doc(hidden)]
pub mod reference;
mod table;

pub(crate) use analysis::Analysis;
use counts::{tally, tally_all};
pub(crate) use counts::{term_frequencies, TermCounts};

pub(crate) use table::prefetch;
use table::{TableProblem, VocabularyTable};

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
    /// Feature indices, ascending.
    pub indices: Vec<u32>,
    /// The value of each feature of `indices`.
    pub values: Vec<f32>,
}

impl SparseVector {
    /// Number of features with a value.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// True if no feature has a value.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// `(index, value)` of every feature, by ascending index.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.indices.iter().copied().zip(self.values.iter().copied())
    }

    /// Appends `block`, a vector of a block of features numbered after this vector's, its
    /// indices moved up by `offset` (the dimensions before the block), so that they stay
    /// ascending.
    pub fn push_block(&mut self, offset: usize, block: &SparseVector) {
        self.indices.extend(block.indices.iter().map(|&i| i + offset as u32));
        self.values.extend_from_slice(&block.values);
    }
}

/// A fitted TF-IDF vectorizer.
#[derive(Debug, Clone)]
pub struct TfIdf {
    settings: VectorizerSettings,
    terms: Vec<String>,
    idf: Vec<f32>,
    table: VocabularyTable,
}

impl TfIdf {
    /// Learns vocabulary and IDF from tokenized documents (each a list of token lists, one
    /// per field, so that no bigram spans a title and its text).
    pub fn fit(settings: VectorizerSettings, documents: &[Vec<Vec<String>>]) -> Self {
        let mut frequency = DocumentFrequency::new(settings.max_ngram);
        for fields in documents {
            frequency.add(fields.iter().map(|tokens| tokens.iter().map(String::as_str)));
        }
        frequency.into_vectorizer(settings)
    }

    /// Rebuilds a vectorizer from the parts a model file stores.
    pub fn from_parts(settings: VectorizerSettings, terms: Vec<String>, idf: Vec<f32>) -> Self {
        let table = VocabularyTable::build(&terms);
        Self { settings, terms, idf, table }
    }

    /// [`TfIdf::from_parts`] with another key function: tests make keys collide with it,
    /// and a block whose terms carry a mark keys them by the bare word (then look terms up
    /// with [`TfIdf::index_of_key`], not [`TfIdf::index_of`]).
    pub(crate) fn from_parts_keyed(
        settings: VectorizerSettings,
        terms: Vec<String>,
        idf: Vec<f32>,
        key_of: impl Fn(&str) -> u64,
    ) -> Self {
        let table = VocabularyTable::build_keyed(&terms, key_of);
        Self { settings, terms, idf, table }
    }

    /// The settings the vocabulary was learned with.
    pub fn settings(&self) -> &VectorizerSettings {
        &self.settings
    }

    /// The vocabulary, in feature order (lexicographic).
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The IDF of each term, in feature order.
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
        let slot = self.table.get(hash::term(term));
        let index = (slot != self.table.miss()).then(|| self.table.feature(slot))?;
        (self.terms[index as usize] == term).then_some(index)
    }

    /// The feature index of the term whose key is `key`, comparing keys only: no two terms
    /// share one (see [`TfIdf::table_problem`]), so a key found is its term's.
    pub(crate) fn index_of_key(&self, key: u64) -> Option<u32> {
        let slot = self.table.get(key);
        (slot != self.table.miss()).then(|| self.table.feature(slot))
    }

    /// Why the vocabulary cannot be served, if it cannot: two terms share a 64-bit key (the
    /// lookup table could not tell them apart), or (never seen) the table could not be built.
    pub fn table_problem(&self) -> Option<String> {
        let term = |index: u32| self.terms[index as usize].as_str();
        self.table.problem().map(|problem| match problem {
            TableProblem::Collision(first, second) => format!(
                "vocabulary terms `{}` and `{}` have the same 64-bit key; the lookup table cannot tell them apart",
                term(first),
                term(second)
            ),
            TableProblem::Unplaced(index) => {
                format!("no perfect hash table places the key of vocabulary term `{}`", term(index))
            }
        })
    }

    /// The feature index of each slot of the vocabulary table, in slot order: the order of
    /// [`TermCounts`]' slots. A spare slot, which never holds a count, has an index out of
    /// range.
    pub(crate) fn slot_features(&self) -> &[u32] {
        self.table.features()
    }

    /// The TF-IDF vector of one article.
    pub fn transform(&self, tokenizer: &Tokenizer, article: &Article) -> SparseVector {
        self.weigh(&self.analyse(tokenizer, article, false).article_counts())
    }

    /// How many first occurrences [`TfIdf::tally_part`] may put in `touched` for the tokens
    /// `tokens`: at most one for each of their lookups.
    #[inline]
    fn part_room(tokens: Range<usize>) -> usize {
        2 * tokens.end.saturating_sub(tokens.start) + 1
    }

    /// Tallies the terms of the tokens `tokens` of a field (a sentence's) from the slots
    /// the field's lookups found (`slots`), as [`TfIdf::count_keys`] would tally those
    /// tokens alone, in the same order; returns how many slots it put in `touched`. The
    /// unknown terms' slot (the table's `miss`) must be counted already, so that it is never
    /// a first occurrence, and `touched` at least [`TfIdf::part_room`] long: parts are
    /// tallied one after another, and that is set up once for them all.
    #[inline(always)]
    fn tally_part(&self, slots: &[u32], tokens: Range<usize>, counts: &mut [u32], touched: &mut [u32]) -> usize {
        let (first, end) = (tokens.start, tokens.end);
        let bigrams = self.settings.max_ngram >= 2;
        let mut new = 0;
        // The field's lookups are `[u0, u1, b01, u2, b12, …]` with bigrams, `[u0, u1, …]`
        // without. So the part's own lookups, in order, are its first token's unigram, then
        // one run: `u(first + 1), b(first, first + 1), …, u(end - 1), b(end - 2, end - 1)`.
        if first < end {
            let (head, run) = match (bigrams, first) {
                (true, 0) => (0, 1..2 * end - 1),
                (true, _) => (2 * first - 1, 2 * first + 1..2 * end - 1),
                (false, _) => (first, first + 1..end),
            };
            tally(slots[head], counts, touched, &mut new);
            new = tally_all(&slots[run], counts, touched, new);
        }
        new
    }

    /// Turns term counts into sublinear, IDF-weighted, L2-normalized values, in feature order.
    pub(crate) fn weigh(&self, counts: &TermCounts<'_>) -> SparseVector {
        self.weigh_features(counts.iter().map(|(slot, count)| (self.table.feature(slot), count)).collect())
    }

    /// [`TfIdf::weigh`] of a document's features, each with its count (each feature once, in
    /// any order).
    pub(crate) fn weigh_features(&self, mut features: Vec<(u32, u32)>) -> SparseVector {
        // Sorted as one 64-bit number each (feature above count): the order of the pairs,
        // found by comparisons of single integers, which cost a third of the pairs'.
        let packed = |&(feature, count): &(u32, u32)| (u64::from(feature) << 32) | u64::from(count);
        features.sort_unstable_by_key(packed);
        let mut vector =
            SparseVector { indices: Vec::with_capacity(features.len()), values: Vec::with_capacity(features.len()) };
        let weight = term_frequencies(self.settings.sublinear_tf);
        for (index, count) in features {
            vector.indices.push(index);
            vector.values.push(weight(count) * self.idf[index as usize]);
        }
        let norm = vector.values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            vector.values.iter_mut().for_each(|v| *v /= norm);
        }
        vector
    }
}

/// How many documents hold each term, counted one document at a time, so that a caller can
/// stream the documents (and count parts of them on separate threads, then [`merge`] the
/// counts: the result does not depend on how they were split).
///
/// [`merge`]: DocumentFrequency::merge
#[derive(Debug, Clone, Default)]
pub struct DocumentFrequency {
    max_ngram: usize,
    counts: HashMap<String, u32>,
    documents: usize,
    /// The current document's terms, kept to count each once.
    seen: Vec<String>,
}

impl DocumentFrequency {
    /// No documents yet; terms up to `max_ngram` tokens long.
    pub fn new(max_ngram: usize) -> Self {
        Self { max_ngram, ..Self::default() }
    }

    /// Counts one document, given as its fields' tokens (no bigram spans two fields).
    pub fn add<'t, F, T>(&mut self, fields: F)
    where
        F: IntoIterator<Item = T>,
        T: IntoIterator<Item = &'t str>,
    {
        let mut seen = std::mem::take(&mut self.seen);
        seen.clear();
        for tokens in fields {
            for_each_term(tokens.into_iter(), self.max_ngram, |term| seen.push(term.to_owned()));
        }
        seen.sort_unstable();
        seen.dedup();
        for term in seen.drain(..) {
            match self.counts.get_mut(&term) {
                Some(count) => *count += 1,
                None => {
                    self.counts.insert(term, 1);
                }
            }
        }
        self.seen = seen;
        self.documents += 1;
    }

    /// Adds the counts of other documents.
    pub fn merge(&mut self, other: DocumentFrequency) {
        self.documents += other.documents;
        for (term, count) in other.counts {
            *self.counts.entry(term).or_default() += count;
        }
    }

    /// Counts made elsewhere: each term with the number of documents holding it, over
    /// `documents` documents.
    pub(crate) fn from_counts(max_ngram: usize, counts: HashMap<String, u32>, documents: usize) -> Self {
        Self { max_ngram, counts, documents, seen: Vec::new() }
    }

    /// How many documents were counted.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// The vocabulary and IDF these counts give under `settings`' `min_df` and `max_features`.
    pub fn into_vectorizer(self, settings: VectorizerSettings) -> TfIdf {
        let (terms, idf) = select_terms(&settings, self.counts, self.documents);
        TfIdf::from_parts(settings, terms, idf)
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
#[test]
fn a_pushed_block_follows_the_vector_past_its_features() {
    let mut vector = SparseVector { indices: vec![1, 7], values: vec![0.6, 0.8] };
    vector.push_block(10, &SparseVector { indices: vec![0, 2], values: vec![1.0, 0.5] });
    assert_eq!(vector.indices, [1, 7, 10, 12]);
    assert_eq!(vector.values, [0.6, 0.8, 1.0, 0.5]);
}

#[cfg(test)]
#[test]
fn term_frequency_table_holds_the_computed_values() {
    let (sublinear, linear) = (term_frequencies(true), term_frequencies(false));
    for count in 1..200u32 {
        assert_eq!(sublinear(count).to_bits(), (1.0 + (count as f32).ln()).to_bits());
        assert_eq!(linear(count), count as f32);
    }
}
#[cfg(test)]
mod tests;
