//! Pretrained word vectors for the single-sentence head, folded into one weight per word.
//!
//! The sentences that head answers are written apart from the ones it learns from, in words
//! its training sentences may never use ("bombarded" where they say "shelled"). Beside its
//! TF-IDF features it therefore gets a second, small model: a multinomial logistic regression
//! on the mean of the sentence's word vectors (`data/word-vectors`, from spaCy's CC0
//! vectors), whose scores are added to the head's. A linear model of a mean is the mean of
//! each word's own score, so the pair is served as one linear head: every word with a vector
//! is a feature of a block of its own, worth `count / n` in a sentence of `n` words with
//! vectors, whose weights are that model's scores for the word's vector. Serving needs no
//! vectors, only the words.

use std::path::{Path, PathBuf};

use crate::features::vectorizer::{SparseVector, TfIdf, VectorizerSettings};
use crate::text::article::{Article, Field};
use crate::text::tokenizer::{hash, Tokenizer};
use crate::text::tokens::Tokens;

/// Ends every word-vector term in evidence, so that a reader tells `bombarded≈` (the word's
/// vector) from `bombarded` (the vocabulary's term).
pub const MARK: char = '≈';

/// Why the word vectors could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WordVectorsError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file is not in the expected format.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// Word vectors as `data/word-vectors` stores them (see `scripts/extract_word_vectors.py`):
/// each word's row, and rows of `dimensions` values.
#[derive(Clone)]
pub struct WordVectors {
    /// Words, sorted, and the row of each.
    words: Vec<String>,
    rows_of_words: Vec<u32>,
    /// The words as the block that serves them, which also finds a word's position.
    block: WordVectorBlock,
    dimensions: usize,
    /// Row-major, `dimensions` values a row.
    values: Vec<f32>,
}

impl WordVectors {
    /// Reads `words.tsv` and `vectors.bin` from `directory`.
    pub fn load(directory: &Path) -> Result<Self, WordVectorsError> {
        let read = |name: &str| {
            let path = directory.join(name);
            std::fs::read(&path).map_err(|source| WordVectorsError::Io { path, source })
        };
        let invalid = |name: &str, message: String| WordVectorsError::Invalid { path: directory.join(name), message };
        let (dimensions, values) = parse_vectors(&read("vectors.bin")?).map_err(|m| invalid("vectors.bin", m))?;
        let words = String::from_utf8(read("words.tsv")?).map_err(|e| invalid("words.tsv", e.to_string()))?;
        let rows = values.len() / dimensions.max(1);
        let (words, rows_of_words) = parse_words(&words, rows).map_err(|m| invalid("words.tsv", m))?;
        Ok(Self::new(words, rows_of_words, dimensions, values))
    }

    /// Vectors from their parts: `words` sorted and distinct, `rows_of_words` below
    /// `values.len() / dimensions` (what [`WordVectors::load`] checks).
    pub fn new(words: Vec<String>, rows_of_words: Vec<u32>, dimensions: usize, values: Vec<f32>) -> Self {
        let block = WordVectorBlock::from_terms(words.iter().map(|word| format!("{word}{MARK}")).collect());
        Self { words, rows_of_words, block, dimensions, values }
    }

    /// The words, in row order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Dimensions of each vector.
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// The vector of `word`, if it has one.
    pub fn vector(&self, word: &str) -> Option<&[f32]> {
        let row = self.rows_of_words[self.block.index_of(word)? as usize] as usize;
        Some(&self.values[row * self.dimensions..(row + 1) * self.dimensions])
    }

    /// The mean vector of the tokens that have one; zeros if none has.
    pub fn mean<'t>(&self, tokens: impl IntoIterator<Item = &'t str>) -> Vec<f32> {
        let mut sum = vec![0.0f32; self.dimensions];
        let mut count = 0usize;
        for vector in tokens.into_iter().filter_map(|token| self.vector(token)) {
            sum.iter_mut().zip(vector).for_each(|(s, v)| *s += v);
            count += 1;
        }
        if count > 0 {
            sum.iter_mut().for_each(|s| *s /= count as f32);
        }
        sum
    }

    /// Feeds every word, its row and every value to `hasher` (the corpus digest).
    pub fn hash_into(&self, hasher: &mut impl sha2::Digest) {
        hasher.update(b"word vectors");
        for (word, row) in self.words.iter().zip(&self.rows_of_words) {
            hasher.update((word.len() as u64).to_le_bytes());
            hasher.update(word.as_bytes());
            hasher.update(row.to_le_bytes());
        }
        hasher.update((self.dimensions as u64).to_le_bytes());
        self.values.iter().for_each(|v| hasher.update(v.to_le_bytes()));
    }

    /// The block that serves a model of the mean vector: these words, as features, in this
    /// order.
    pub fn block(&self) -> &WordVectorBlock {
        &self.block
    }

    /// Each word's scores under the linear model `weights` (`dimensions` rows of `labels`
    /// values, row-major) times `scale`, in the order of [`WordVectors::words`]: the weights
    /// of [`WordVectors::block`] that serve `scale × (mean vector · weights)`.
    pub fn fold(&self, weights: &[f32], labels: usize, scale: f32) -> Vec<f32> {
        let mut folded = Vec::with_capacity(self.words.len() * labels);
        for &row in &self.rows_of_words {
            let vector = &self.values[row as usize * self.dimensions..(row as usize + 1) * self.dimensions];
            for label in 0..labels {
                let score: f32 = vector.iter().enumerate().map(|(d, v)| v * weights[d * labels + label]).sum();
                folded.push(scale * score);
            }
        }
        folded
    }
}

impl std::fmt::Debug for WordVectors {
    /// The sizes, not the quarter million words (a corpus carries these).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordVectors")
            .field("words", &self.words.len())
            .field("vectors", &(self.values.len() / self.dimensions.max(1)))
            .field("dimensions", &self.dimensions)
            .finish()
    }
}

/// `vectors.bin`: u32 rows, u32 dimensions, a f32 scale per row, then the rows as i8.
fn parse_vectors(bytes: &[u8]) -> Result<(usize, Vec<f32>), String> {
    let word = |at: usize| bytes.get(at..at + 4).map(|b| [b[0], b[1], b[2], b[3]]);
    let (Some(rows), Some(dimensions)) = (word(0), word(4)) else { return Err("shorter than its header".into()) };
    let (rows, dimensions) = (u32::from_le_bytes(rows) as usize, u32::from_le_bytes(dimensions) as usize);
    let expected = rows.checked_mul(dimensions + 4).and_then(|n| n.checked_add(8));
    if expected != Some(bytes.len()) || dimensions == 0 {
        return Err(format!("{} bytes do not hold {rows} rows of {dimensions} dimensions", bytes.len()));
    }
    let scales: Vec<f32> = (0..rows).filter_map(|r| word(8 + 4 * r).map(f32::from_le_bytes)).collect();
    let quantized = &bytes[8 + 4 * rows..];
    let values = quantized
        .chunks_exact(dimensions)
        .zip(&scales)
        .flat_map(|(row, &scale)| row.iter().map(move |&b| f32::from(b as i8) * scale))
        .collect();
    Ok((dimensions, values))
}

/// `words.tsv`: `word<TAB>row` lines, words sorted and distinct, rows below `rows`.
fn parse_words(text: &str, rows: usize) -> Result<(Vec<String>, Vec<u32>), String> {
    let mut words: Vec<String> = Vec::new();
    let mut rows_of_words = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fail = |what: &str| format!("line {}: {what}", number + 1);
        let (word, row) = line.split_once('\t').ok_or_else(|| fail("no tab"))?;
        let row: u32 = row.parse().map_err(|_| fail("the row is not a number"))?;
        if row as usize >= rows {
            return Err(fail(&format!("row {row} of {rows}")));
        }
        if words.last().is_some_and(|last| last.as_str() >= word) || word.is_empty() {
            return Err(fail("words must be non-empty, sorted and distinct"));
        }
        words.push(word.to_owned());
        rows_of_words.push(row);
    }
    Ok((words, rows_of_words))
}

/// The single-sentence head's word-vector block: its features are words, each worth
/// `count / n` in a document of `n` tokens that are among them. Its terms are the words
/// with [`MARK`].
#[derive(Debug, Clone)]
pub struct WordVectorBlock {
    /// The terms as a vocabulary (unigrams; its IDF is unused), for lookups by text.
    words: TfIdf,
}

impl WordVectorBlock {
    /// The block of `terms` (words with [`MARK`]), distinct, in feature order. Its lookup
    /// table is keyed by the words, so that a token is found by its own key.
    pub fn from_terms(terms: Vec<String>) -> Self {
        let settings = VectorizerSettings { max_ngram: 1, min_df: 1, max_features: terms.len(), sublinear_tf: false };
        let idf = vec![1.0; terms.len()];
        let key_of = |term: &str| hash::term(term.strip_suffix(MARK).unwrap_or(term));
        Self { words: TfIdf::from_parts_keyed(settings, terms, idf, key_of) }
    }

    /// The terms, in feature order.
    pub fn terms(&self) -> &[String] {
        self.words.terms()
    }

    /// Number of features: one per word.
    pub fn dimensions(&self) -> usize {
        self.words.dimensions()
    }

    /// The term of a feature.
    pub fn term(&self, index: u32) -> Option<&str> {
        self.words.term(index)
    }

    /// Why the words cannot be served, if they cannot (see [`TfIdf::table_problem`]).
    pub fn table_problem(&self) -> Option<String> {
        self.words.table_problem()
    }

    /// The block of tokens already made (a document's tokens, field after field).
    pub fn vector_of_tokens<'t>(&self, tokens: impl IntoIterator<Item = &'t str>) -> SparseVector {
        let mut hits: Vec<u32> = tokens.into_iter().filter_map(|token| self.index_of(token)).collect();
        vector_of_hits(&mut hits)
    }

    /// The block of an article, from the tokens the model sees.
    pub fn vector(&self, tokenizer: &Tokenizer, article: &Article) -> SparseVector {
        let mut tokens = Tokens::new();
        tokens.read(tokenizer, article);
        self.vector_of_read(&tokens)
    }

    /// The block of an article already read into `tokens`: its words found by the tokens'
    /// keys.
    pub(crate) fn vector_of_read(&self, tokens: &Tokens) -> SparseVector {
        let keys = Field::ALL.map(|field| tokens.field(field).keys());
        // Room for every token, so that the list never regrows.
        let mut hits = Vec::with_capacity(keys.iter().map(|keys| keys.len()).sum());
        hits.extend(keys.iter().flat_map(|keys| keys.iter()).filter_map(|&key| self.words.index_of_key(key)));
        vector_of_hits(&mut hits)
    }

    /// The feature of `token`, if it is one of the words: found by the token's key alone.
    pub(crate) fn index_of(&self, token: &str) -> Option<u32> {
        self.words.index_of_key(hash::token(token))
    }
}

/// The block of the features found for a document's tokens (one entry per occurrence):
/// `count / n` for each distinct feature of the `n` hits, in feature order.
pub(crate) fn vector_of_hits(hits: &mut [u32]) -> SparseVector {
    hits.sort_unstable();
    let share = 1.0 / hits.len().max(1) as f32;
    let distinct = hits.chunk_by(|a, b| a == b).count();
    let mut vector = SparseVector { indices: Vec::with_capacity(distinct), values: Vec::with_capacity(distinct) };
    for run in hits.chunk_by(|a, b| a == b) {
        vector.indices.push(run[0]);
        vector.values.push(run.len() as f32 * share);
    }
    vector
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three words on two rows of two dimensions.
    fn vectors() -> WordVectors {
        let words = ["attacked", "shelled", "signed"].map(String::from).to_vec();
        WordVectors::new(words, vec![0, 0, 1], 2, vec![1.0, 0.0, 0.0, 2.0])
    }

    #[test]
    fn the_stored_format_reads_back_with_each_row_scaled() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bytes = [2u32.to_le_bytes(), 3u32.to_le_bytes(), 0.5f32.to_le_bytes(), 2.0f32.to_le_bytes()].concat();
        bytes.extend([2u8, 0xFE, 0, 1, 0, 0xFF]); // rows (2, -2, 0) and (1, 0, -1)
        std::fs::write(dir.path().join("vectors.bin"), &bytes).expect("write");
        std::fs::write(dir.path().join("words.tsv"), "accord\t1\npact\t1\nwar\t0\n").expect("write");
        let loaded = WordVectors::load(dir.path()).expect("loads");
        assert_eq!(loaded.vector("war"), Some(&[1.0, -1.0, 0.0][..]));
        assert_eq!(loaded.vector("pact"), Some(&[2.0, 0.0, -2.0][..]));
        assert_eq!(loaded.vector("peace"), None);
        std::fs::write(dir.path().join("words.tsv"), "war\t0\naccord\t1\n").expect("write");
        let error = WordVectors::load(dir.path()).expect_err("unsorted").to_string();
        assert!(error.contains("words.tsv") && error.contains("line 2"), "{error}");
        std::fs::write(dir.path().join("vectors.bin"), &bytes[..bytes.len() - 1]).expect("write");
        assert!(WordVectors::load(dir.path()).expect_err("short").to_string().contains("vectors.bin"));
    }

    #[test]
    fn the_mean_counts_only_the_words_with_a_vector() {
        assert_eq!(vectors().mean(["shelled", "the", "signed", "signed"]), [1.0 / 3.0, 4.0 / 3.0]);
        assert_eq!(vectors().mean(["nothing", "known"]), [0.0, 0.0]);
        assert_eq!(format!("{:?}", vectors()), "WordVectors { words: 3, vectors: 2, dimensions: 2 }");
    }

    #[test]
    fn the_block_with_folded_weights_scores_what_the_model_of_the_mean_does() {
        let vectors = vectors();
        // Two labels: weights row-major by dimension.
        let weights = [0.5, -1.0, 2.0, 0.25];
        let folded = vectors.fold(&weights, 2, 3.0);
        let tokens = ["shelled", "the", "signed", "attacked", "shelled"];
        let block = vectors.block().vector_of_tokens(tokens);
        assert_eq!(block.indices, [0, 1, 2], "attacked, shelled, signed");
        assert_eq!(vectors.block().term(1), Some("shelled≈"));
        assert_eq!(block.values, [0.25, 0.5, 0.25], "count over the 4 words with a vector");
        let mean = vectors.mean(tokens);
        for label in 0..2 {
            let direct: f32 = 3.0 * (0..2).map(|d| mean[d] * weights[d * 2 + label]).sum::<f32>();
            let served: f32 = block.iter().map(|(word, value)| value * folded[word as usize * 2 + label]).sum();
            assert!((direct - served).abs() < 1e-5, "label {label}: {direct} against {served}");
        }
    }

    #[test]
    fn the_block_of_an_article_is_the_block_of_its_tokens() {
        let tokenizer = Tokenizer::new(Default::default()).expect("default tokenizer");
        let vectors = vectors();
        let block = vectors.block();
        let article = Article { id: "a", title: "Shelled", text: "Troops shelled, then SIGNED." };
        let mut seen = Vec::new();
        for (_, field) in article.fields() {
            tokenizer.for_each(field, |_, _, token| seen.push(token.to_owned()));
        }
        assert_eq!(block.vector(&tokenizer, &article), block.vector_of_tokens(seen.iter().map(String::as_str)));
        assert_eq!(block.vector(&tokenizer, &article).indices, [1, 2]);
    }
}
