//! The corpus tokenized once, and the rows every fit and evaluation reads from it.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::features::vectorizer::{SparseVector, TfIdf};
use crate::features::word_prefixes::WordPrefixes;
use crate::features::word_vectors::WordVectorBlock;
use crate::text::tokenizer::Tokenizer;
use crate::train::corpus::Corpus;
use crate::train::logistic::RowStore;
use crate::train::numbered_terms::NumberedTerms;
use crate::train::parallel::{self, Progress};
use crate::train::Observer;

/// How many documents are tokenized at once before their tokens are numbered: the owned
/// token strings of one batch are all training holds beside the numbered tokens.
const TOKENIZE_BATCH: usize = 4096;

/// Documents tokenized once, reused by every fit. Each distinct token is stored once and a
/// document holds its tokens' numbers, so that a document costs 4 bytes a token.
pub(crate) struct Prepared<'c> {
    pub(super) corpus: &'c Corpus,
    tokens: Vec<DocumentTokens>,
    /// Token number to token.
    token_texts: Vec<String>,
    pub(super) tokenizer: Tokenizer,
    /// The single-sentence head's word-vector block, when it reads one: the same for every
    /// fit, for it depends on the word vectors alone.
    pub(super) word_block: Option<WordVectorBlock>,
    observer: &'c dyn Observer,
}

/// One document's token numbers, its title's first.
struct DocumentTokens {
    numbers: Box<[u32]>,
    title_length: usize,
}

impl<'c> Prepared<'c> {
    /// The corpus tokenized on every core; `word_vectors`: whether the single-sentence head
    /// reads the corpus's word vectors, if it has them.
    pub(super) fn new(
        corpus: &'c Corpus,
        tokenizer: Tokenizer,
        word_vectors: bool,
        observer: &'c dyn Observer,
    ) -> Self {
        let progress = Progress::start(observer, "tokenizing", corpus.len());
        let (mut tokens, mut token_texts) = (Vec::with_capacity(corpus.len()), Vec::new());
        let mut numbers: HashMap<String, u32> = HashMap::new();
        for batch in corpus.documents.chunks(TOKENIZE_BATCH) {
            let tokenized = parallel::map(batch, |d| {
                let fields: [Vec<String>; 2] =
                    [&d.title, &d.text].map(|f| tokenizer.tokenize(f).into_iter().map(|t| t.text).collect());
                progress.tick();
                fields
            });
            for [title, text] in tokenized {
                let title_length = title.len();
                let mut number = |token: String| {
                    *numbers.entry(token).or_insert_with_key(|token| {
                        token_texts.push(token.clone());
                        (token_texts.len() - 1) as u32
                    })
                };
                let numbers: Box<[u32]> = title.into_iter().chain(text).map(&mut number).collect();
                tokens.push(DocumentTokens { numbers, title_length });
            }
        }
        let word_block = corpus.word_vectors.as_ref().filter(|_| word_vectors).map(|vectors| vectors.block().clone());
        Self { corpus, tokens, token_texts, tokenizer, word_block, observer }
    }

    /// A document's tokens, field after field.
    fn tokens_of(&self, doc: usize) -> impl Iterator<Item = &str> {
        self.tokens[doc].numbers.iter().map(|&n| self.token_texts[n as usize].as_str())
    }

    /// The vocabulary fitted on `docs` and, with `prefixes` (a prefix length), the word-prefix
    /// block: their document frequencies counted in one pass, on every core (the
    /// vocabulary's over token numbers, see [`NumberedTerms`]).
    pub(super) fn fit_vocabulary(
        &self,
        docs: &[usize],
        settings: &crate::features::vectorizer::VectorizerSettings,
        prefixes: Option<usize>,
    ) -> (TfIdf, Option<WordPrefixes>) {
        let progress = Progress::start(self.observer, "counting the vocabulary", docs.len());
        let counted = parallel::per_chunk(docs, |chunk| {
            let mut terms = NumberedTerms::new(settings.max_ngram);
            let mut prefix_terms = WordPrefixes::frequency();
            for &doc in chunk {
                terms.add(self.number_fields(doc));
                if let Some(length) = prefixes {
                    WordPrefixes::count(length, &mut prefix_terms, self.tokens_of(doc));
                }
                progress.tick();
            }
            (terms, prefix_terms)
        });
        let (mut terms, mut prefix_terms) = (NumberedTerms::new(settings.max_ngram), WordPrefixes::frequency());
        for (chunk_terms, chunk_prefixes) in counted {
            terms.merge(chunk_terms);
            prefix_terms.merge(chunk_prefixes);
        }
        let prefixes = prefixes.map(|length| WordPrefixes::from_frequency(length, settings, prefix_terms));
        let terms = terms.spelled(&self.token_texts, settings.max_ngram, settings.min_df);
        (terms.into_vectorizer(settings.clone()), prefixes)
    }

    /// The mean word vector of a document's tokens (zeros without vectors).
    pub(super) fn mean_vector(&self, doc: usize) -> Vec<f32> {
        self.corpus.word_vectors.as_ref().map_or_else(Vec::new, |vectors| vectors.mean(self.tokens_of(doc)))
    }

    /// Every document's TF-IDF row under `vectorizer`, followed by its word-prefix block
    /// when there is one, computed from the document's tokens on every core, in order: the
    /// one row set every head of a fit reads.
    pub(super) fn rows(&self, vectorizer: &TfIdf, prefixes: Option<&WordPrefixes>) -> FitRows {
        let progress = Progress::start(self.observer, "vectorizing", self.corpus.len());
        let dimensions = vectorizer.dimensions();
        let lookup = TermLookup::new(vectorizer, &self.token_texts);
        let mut store = RowStore::new(dimensions + prefixes.map_or(0, WordPrefixes::dimensions));
        let documents: Vec<usize> = (0..self.tokens.len()).collect();
        // In batches, so that beside the store only one batch of rows is held at a time.
        for batch in documents.chunks(TOKENIZE_BATCH) {
            let rows = parallel::map(batch, |&doc| {
                let mut row = vectorizer.weigh_features(lookup.features(self.number_fields(doc)));
                if let Some(prefixes) = prefixes {
                    row.push_block(dimensions, &prefixes.vector_of_tokens(self.tokens_of(doc)));
                }
                progress.tick();
                row
            });
            if store.len() == 0 {
                // The first batch's entries a row, a tenth over, for every row: the store is
                // allocated once instead of copied as it doubles (room never written to
                // takes no memory).
                let entries: usize = rows.iter().map(SparseVector::len).sum();
                let estimate = entries.div_ceil(rows.len().max(1)) * documents.len() * 11 / 10;
                store.reserve(estimate, documents.len());
            }
            rows.iter().for_each(|row| store.push(row));
        }
        FitRows { store, dimensions }
    }

    /// Every document's TF-IDF row under `vectorizer`, in order.
    pub(super) fn vectors(&self, vectorizer: &TfIdf) -> Vec<SparseVector> {
        let rows = self.rows(vectorizer, None);
        (0..rows.store.len()).map(|doc| rows.head_row(doc)).collect()
    }

    /// A document's token numbers, one slice per field (title, text).
    fn number_fields(&self, doc: usize) -> [&[u32]; 2] {
        let DocumentTokens { numbers, title_length } = &self.tokens[doc];
        let (title, text) = numbers.split_at(*title_length);
        [title, text]
    }

    pub(super) fn label(&self, doc: usize, head: &str) -> Option<&str> {
        self.corpus.documents[doc].labels.get(head).map(String::as_str)
    }
}

/// Every document's rows under one fitted vocabulary: the vocabulary's `dimensions` columns,
/// then the word-prefix block's when the fit reads one.
pub(super) struct FitRows {
    pub(super) store: RowStore,
    pub(super) dimensions: usize,
}

impl FitRows {
    /// A document's row as a head over the vocabulary reads it.
    pub(super) fn head_row(&self, doc: usize) -> SparseVector {
        self.store.vector(doc, self.dimensions)
    }

    /// A document's row as the single-sentence head is served it: the vocabulary's columns,
    /// the word-prefix block's (if the fit has one), then the word-vector block's (if
    /// `prepared` reads one).
    pub(super) fn sentence_row(&self, prepared: &Prepared, doc: usize) -> SparseVector {
        let mut row = self.store.vector(doc, self.store.width());
        if let Some(block) = &prepared.word_block {
            row.push_block(self.store.width(), &block.vector_of_tokens(prepared.tokens_of(doc)));
        }
        row
    }
}

/// A vocabulary's features by token number: what a document's unigrams and bigrams are,
/// found without building a string.
struct TermLookup {
    /// Token number to its unigram's feature, [`TermLookup::NONE`] if it has none.
    unigrams: Vec<u32>,
    /// The two token numbers of a bigram (first in the high half) to its feature.
    bigrams: FxHashMap<u64, u32>,
    max_ngram: usize,
}

impl TermLookup {
    const NONE: u32 = u32::MAX;

    fn new(vectorizer: &TfIdf, token_texts: &[String]) -> Self {
        let numbers: FxHashMap<&str, u32> =
            token_texts.iter().enumerate().map(|(n, token)| (token.as_str(), n as u32)).collect();
        let mut lookup = TermLookup {
            unigrams: vec![Self::NONE; token_texts.len()],
            bigrams: FxHashMap::default(),
            max_ngram: vectorizer.settings().max_ngram,
        };
        for (feature, term) in vectorizer.terms().iter().enumerate() {
            let number = |token: &str| numbers.get(token).copied();
            match term.split_once(' ') {
                None => {
                    if let Some(n) = number(term) {
                        lookup.unigrams[n as usize] = feature as u32;
                    }
                }
                Some((first, second)) => {
                    if let (Some(a), Some(b)) = (number(first), number(second)) {
                        lookup.bigrams.insert(u64::from(a) << 32 | u64::from(b), feature as u32);
                    }
                }
            }
        }
        lookup
    }

    /// The features of a document's fields (no bigram spans two) with their counts, as
    /// [`TfIdf::transform`] counts them.
    fn features(&self, fields: [&[u32]; 2]) -> Vec<(u32, u32)> {
        let mut hits = Vec::new();
        for field in fields {
            let mut previous: Option<u32> = None;
            for &token in field {
                let unigram = self.unigrams[token as usize];
                if unigram != Self::NONE {
                    hits.push(unigram);
                }
                if let (Some(first), true) = (previous, self.max_ngram >= 2) {
                    if let Some(&bigram) = self.bigrams.get(&(u64::from(first) << 32 | u64::from(token))) {
                        hits.push(bigram);
                    }
                }
                previous = Some(token);
            }
        }
        hits.sort_unstable();
        hits.chunk_by(|a, b| a == b).map(|run| (run[0], run.len() as u32)).collect()
    }
}
