//! The corpus tokenized once, and the rows every fit and evaluation reads from it.

use crate::features::vectorizer::{SparseVector, TfIdf};
use crate::features::word_prefixes::WordPrefixes;
use crate::features::word_vectors::WordVectorBlock;
use crate::text::tokenizer::Tokenizer;
use crate::train::corpus::Corpus;

/// Documents tokenized once, reused by every fit.
pub(crate) struct Prepared<'c> {
    pub(super) corpus: &'c Corpus,
    pub(super) tokens: Vec<Vec<Vec<String>>>,
    pub(super) tokenizer: Tokenizer,
    /// The single-sentence head's word-vector block, when it reads one: the same for every
    /// fit, for it depends on the word vectors alone.
    pub(super) word_block: Option<WordVectorBlock>,
}

impl<'c> Prepared<'c> {
    /// The corpus tokenized; `word_vectors`: whether the single-sentence head reads the
    /// corpus's word vectors, if it has them.
    pub(super) fn new(corpus: &'c Corpus, tokenizer: Tokenizer, word_vectors: bool) -> Self {
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
        let word_block = corpus.word_vectors.as_ref().filter(|_| word_vectors).map(|vectors| vectors.block().clone());
        Self { corpus, tokens, tokenizer, word_block }
    }

    /// A document's tokens, field after field.
    fn tokens_of(&self, doc: usize) -> impl Iterator<Item = &str> {
        self.tokens[doc].iter().flatten().map(String::as_str)
    }

    /// The mean word vector of a document's tokens (zeros without vectors).
    pub(super) fn mean_vector(&self, doc: usize) -> Vec<f32> {
        self.corpus.word_vectors.as_ref().map_or_else(Vec::new, |vectors| vectors.mean(self.tokens_of(doc)))
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
    /// there is a block: the rows the single-sentence head's own fit reads.
    pub(super) fn with_prefixes(
        &self,
        vectors: &[SparseVector],
        offset: usize,
        prefixes: Option<&WordPrefixes>,
    ) -> Vec<SparseVector> {
        let mut rows = vectors.to_vec();
        if let Some(prefixes) = prefixes {
            let block = |doc: usize| prefixes.vector_of_tokens(self.tokens_of(doc));
            rows.iter_mut().enumerate().for_each(|(doc, vector)| vector.push_block(offset, &block(doc)));
        }
        rows
    }

    /// The single-sentence head's rows as it is served: [`Prepared::with_prefixes`], then
    /// the word-vector block when there is one.
    pub(super) fn sentence_rows(
        &self,
        vectors: &[SparseVector],
        offset: usize,
        prefixes: Option<&WordPrefixes>,
    ) -> Vec<SparseVector> {
        let prefixed = self.with_prefixes(vectors, offset, prefixes);
        let Some(block) = &self.word_block else { return prefixed };
        let offset = offset + prefixes.map_or(0, WordPrefixes::dimensions);
        let words = |doc: usize| block.vector_of_tokens(self.tokens_of(doc));
        let mut rows = prefixed;
        rows.iter_mut().enumerate().for_each(|(doc, vector)| vector.push_block(offset, &words(doc)));
        rows
    }

    pub(super) fn label(&self, doc: usize, head: &str) -> Option<&str> {
        self.corpus.documents[doc].labels.get(head).map(String::as_str)
    }
}
