//! The corpus tokenized once, and the rows every fit and evaluation reads from it.

use std::collections::HashMap;

use crate::features::vectorizer::{DocumentFrequency, SparseVector, TfIdf};
use crate::features::word_prefixes::WordPrefixes;
use crate::features::word_vectors::WordVectorBlock;
use crate::text::tokenizer::Tokenizer;
use crate::train::corpus::Corpus;
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

    /// A document's tokens, one iterator per field (title, text).
    fn fields_of(&self, doc: usize) -> [impl Iterator<Item = &str>; 2] {
        let DocumentTokens { numbers, title_length } = &self.tokens[doc];
        let (title, text) = numbers.split_at(*title_length);
        [title, text].map(|part| part.iter().map(|&n| self.token_texts[n as usize].as_str()))
    }

    /// The vocabulary fitted on `docs` and, with `prefixes` (a prefix length), the word-prefix
    /// block: their document frequencies counted in one pass, on every core.
    pub(super) fn fit_vocabulary(
        &self,
        docs: &[usize],
        settings: &crate::features::vectorizer::VectorizerSettings,
        prefixes: Option<usize>,
    ) -> (TfIdf, Option<WordPrefixes>) {
        let progress = Progress::start(self.observer, "counting the vocabulary", docs.len());
        let counted = parallel::per_chunk(docs, |chunk| {
            let mut terms = DocumentFrequency::new(settings.max_ngram);
            let mut prefix_terms = WordPrefixes::frequency();
            for &doc in chunk {
                terms.add(self.fields_of(doc));
                if let Some(length) = prefixes {
                    WordPrefixes::count(length, &mut prefix_terms, self.tokens_of(doc));
                }
                progress.tick();
            }
            (terms, prefix_terms)
        });
        let (mut terms, mut prefix_terms) = (DocumentFrequency::new(settings.max_ngram), WordPrefixes::frequency());
        for (chunk_terms, chunk_prefixes) in counted {
            terms.merge(chunk_terms);
            prefix_terms.merge(chunk_prefixes);
        }
        let prefixes = prefixes.map(|length| WordPrefixes::from_frequency(length, settings, prefix_terms));
        (terms.into_vectorizer(settings.clone()), prefixes)
    }

    /// The mean word vector of a document's tokens (zeros without vectors).
    pub(super) fn mean_vector(&self, doc: usize) -> Vec<f32> {
        self.corpus.word_vectors.as_ref().map_or_else(Vec::new, |vectors| vectors.mean(self.tokens_of(doc)))
    }

    /// Every document's TF-IDF row under `vectorizer`, computed on every core, in order.
    pub(super) fn vectors(&self, vectorizer: &TfIdf) -> Vec<SparseVector> {
        let progress = Progress::start(self.observer, "vectorizing", self.corpus.len());
        parallel::map(&self.corpus.documents, |d| {
            let article = crate::Article { id: &d.id, title: &d.title, text: &d.text };
            let vector = vectorizer.transform(&self.tokenizer, &article);
            progress.tick();
            vector
        })
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
