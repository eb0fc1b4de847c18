//! The corpus tokenized once, and the rows every fit and evaluation reads from it.

use crate::corpus::Corpus;
use crate::tokenizer::Tokenizer;
use crate::vectorizer::{SparseVector, TfIdf};
use crate::word_prefixes::{self, WordPrefixes};

/// Documents tokenized once, reused by every fit.
pub(crate) struct Prepared<'c> {
    pub(super) corpus: &'c Corpus,
    pub(super) tokens: Vec<Vec<Vec<String>>>,
    pub(super) tokenizer: Tokenizer,
}

impl<'c> Prepared<'c> {
    pub(super) fn new(corpus: &'c Corpus, tokenizer: Tokenizer) -> Self {
        let tokens = corpus
            .documents
            .iter()
            .map(|d| {
                [&d.title, &d.text]
                    .iter()
                    .map(|f| tokenizer.tokenize(f).into_iter().map(|t| t.text).collect())
                    .collect()
            })
            .collect();
        Self { corpus, tokens, tokenizer }
    }

    pub(super) fn vectors(&self, vectorizer: &TfIdf) -> Vec<SparseVector> {
        self.corpus
            .documents
            .iter()
            .map(|d| {
                vectorizer.transform(&self.tokenizer, &crate::Article { id: &d.id, title: &d.title, text: &d.text })
            })
            .collect()
    }

    /// `vectors` (one per document) with each document's word-prefix block appended, when
    /// there is a block: the single-sentence head's rows.
    pub(super) fn with_prefixes(
        &self,
        vectors: &[SparseVector],
        offset: usize,
        prefixes: Option<&WordPrefixes>,
    ) -> Vec<SparseVector> {
        let Some(prefixes) = prefixes else { return vectors.to_vec() };
        let block = |doc: usize| prefixes.vector_of_tokens(self.tokens[doc].iter().flatten().map(String::as_str));
        vectors.iter().enumerate().map(|(doc, vector)| word_prefixes::append(vector, offset, &block(doc))).collect()
    }

    pub(super) fn label(&self, doc: usize, head: &str) -> Option<&str> {
        self.corpus.documents[doc].labels.get(head).map(String::as_str)
    }
}
