//! Word prefixes: the first few characters of every longer token, as features of their own.
//!
//! The single-sentence head reads them beside the vocabulary's terms, so that the forms of a
//! word ("attacked", "attacks", "attacking": `attack…`) share a feature that each form's
//! examples teach. The sentences that head answers are written apart from the ones it
//! learns from, and on such a change of writing the prefixes carried it better
//! (docs/model.md, "The single-sentence head"). They are a TF-IDF block of their own, L2-normalized by itself and
//! numbered after the vocabulary's features.

use crate::features::vectorizer::{reference, DocumentFrequency, SparseVector, TfIdf, VectorizerSettings};
use crate::text::article::Article;
use crate::text::tokenizer::{hash, Tokenizer};
use crate::text::tokens::Tokens;

/// Ends every prefix term, so that a reader of the evidence tells `attack…` from `attack`.
pub const MARK: char = '…';

/// The prefix block: how many characters a prefix keeps, and its own TF-IDF vectorizer over
/// the prefix terms (unigrams only).
#[derive(Debug, Clone)]
pub struct WordPrefixes {
    length: usize,
    vectorizer: TfIdf,
}

impl WordPrefixes {
    /// Learns the prefix terms and their IDF from tokenized documents (token lists per
    /// field), with `settings`' `min_df`, `max_features` and `sublinear_tf`.
    pub fn fit(length: usize, settings: &VectorizerSettings, documents: &[Vec<Vec<String>>]) -> Self {
        let mut frequency = Self::frequency();
        for fields in documents {
            Self::count(length, &mut frequency, fields.iter().flatten().map(String::as_str));
        }
        Self::from_frequency(length, settings, frequency)
    }

    /// An empty count of prefix terms, for [`WordPrefixes::count`].
    pub fn frequency() -> DocumentFrequency {
        DocumentFrequency::new(1)
    }

    /// Counts the prefix terms of one document's tokens into `frequency`.
    pub fn count<'t>(length: usize, frequency: &mut DocumentFrequency, tokens: impl IntoIterator<Item = &'t str>) {
        let made = prefixes(length, tokens);
        frequency.add([made.iter().map(String::as_str)]);
    }

    /// The block learned from the prefix terms [`WordPrefixes::count`] counted.
    pub fn from_frequency(length: usize, settings: &VectorizerSettings, frequency: DocumentFrequency) -> Self {
        let settings = VectorizerSettings { max_ngram: 1, ..settings.clone() };
        let fitted = frequency.into_vectorizer(settings.clone());
        Self::from_parts(length, settings, fitted.terms().to_vec(), fitted.idf().to_vec())
    }

    /// Rebuilds the block from the parts a model file stores. Its lookup table is keyed by
    /// the bare prefix, so that a token's prefix is found by the key of its first characters.
    pub fn from_parts(length: usize, settings: VectorizerSettings, terms: Vec<String>, idf: Vec<f32>) -> Self {
        let key_of = |term: &str| hash::token(term.strip_suffix(MARK).unwrap_or(term));
        Self { length, vectorizer: TfIdf::from_parts_keyed(settings, terms, idf, key_of) }
    }

    /// The feature of a prefix term (`attack…`), if the block has it.
    pub fn index_of(&self, term: &str) -> Option<u32> {
        self.vectorizer.index_of_key(hash::token(term.strip_suffix(MARK)?))
    }

    /// Characters a prefix keeps; shorter tokens give none.
    pub fn length(&self) -> usize {
        self.length
    }

    /// The prefix terms (`attack…`), in feature order.
    pub fn terms(&self) -> &[String] {
        self.vectorizer.terms()
    }

    /// The prefix term of feature `index`, if the block has one.
    pub fn term(&self, index: u32) -> Option<&str> {
        self.vectorizer.term(index)
    }

    /// The prefix terms, their IDF and settings, for the model file. Not public: its table is
    /// keyed by the bare prefix, so its own `index_of` would miss every term
    /// ([`WordPrefixes::index_of`] finds them).
    pub(crate) fn vectorizer(&self) -> &TfIdf {
        &self.vectorizer
    }

    /// Number of prefix features.
    pub fn dimensions(&self) -> usize {
        self.vectorizer.dimensions()
    }

    /// The prefix block of tokens already made (a document's tokens, field after field).
    pub fn vector_of_tokens<'t>(&self, tokens: impl IntoIterator<Item = &'t str>) -> SparseVector {
        let mut hits = Vec::new();
        tokens.into_iter().for_each(|token| self.hit(token, &mut hits));
        self.vector_of_hits(hits)
    }

    /// The prefix block of an article, from the tokens the model sees.
    pub fn vector(&self, tokenizer: &Tokenizer, article: &Article) -> SparseVector {
        let mut tokens = Tokens::new();
        tokens.read(tokenizer, article);
        self.vector_of_read(tokenizer, article, &tokens)
    }

    /// The prefix block of an article already read into `tokens` (with `tokenizer`): each
    /// token normalized again from its bytes, not tokenized again.
    pub(crate) fn vector_of_read(&self, tokenizer: &Tokenizer, article: &Article, tokens: &Tokens) -> SparseVector {
        // Room for a prefix every 8 bytes, so that the list does not regrow.
        let mut hits = Vec::with_capacity((article.title.len() + article.text.len()) / 8 + 1);
        let mut buffer = String::new();
        for (field, text) in article.fields() {
            for span in tokens.field(field).spans() {
                self.hit(tokenizer.normalize(&text[span], &mut buffer), &mut hits);
            }
        }
        self.vector_of_hits(hits)
    }

    /// Adds the feature of `token`'s prefix to `hits`, if it has a known one: found by the
    /// key of the token's first characters, no term built.
    pub(crate) fn hit(&self, token: &str, hits: &mut Vec<u32>) {
        if let Some(end) = prefix_end(self.length, token) {
            hits.extend(self.vectorizer.index_of_key(hash::token(&token[..end])));
        }
    }

    /// The block of the features [`WordPrefixes::hit`] found, one entry per occurrence.
    pub(crate) fn vector_of_hits(&self, hits: Vec<u32>) -> SparseVector {
        reference::weigh(&self.vectorizer, hits)
    }
}

/// The prefix terms of `tokens`, in order.
pub fn prefixes<'t>(length: usize, tokens: impl IntoIterator<Item = &'t str>) -> Vec<String> {
    let mut term = String::new();
    let mut made = Vec::new();
    for token in tokens {
        if prefix_into(length, token, &mut term) {
            made.push(term.clone());
        }
    }
    made
}

/// Writes the prefix term of `token` (its first `length` characters and [`MARK`]) into
/// `term`; false, leaving `term` alone, if the token is shorter than `length` characters.
fn prefix_into(length: usize, token: &str, term: &mut String) -> bool {
    let Some(end) = prefix_end(length, token) else { return false };
    term.clear();
    term.push_str(&token[..end]);
    term.push(MARK);
    true
}

/// Where the first `length` characters of `token` end; `None` if it is shorter.
fn prefix_end(length: usize, token: &str) -> Option<usize> {
    let (start, last) = token.char_indices().nth(length.saturating_sub(1))?;
    Some(start + last.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn a_prefix_keeps_the_first_characters_of_a_long_enough_token() {
        let made = prefixes(6, ["attacked", "attack", "attac", "négociation", "ünterbrücken"]);
        assert_eq!(made, ["attack…", "attack…", "négoci…", "ünterb…"]);
        assert!(prefixes(6, ["short", "words"]).is_empty());
    }

    #[test]
    fn the_forms_of_a_word_share_one_prefix_feature() {
        let documents: Vec<Vec<Vec<String>>> =
            vec![vec![tokens("troops attacked the town")], vec![tokens("rebels attacking troops")]];
        let block = WordPrefixes::fit(6, &VectorizerSettings { min_df: 2, ..Default::default() }, &documents);
        assert_eq!(block.terms(), ["attack…", "troops…"]);
        let vector = block.vector_of_tokens(["attacks", "attacker", "the"]);
        assert_eq!(vector.indices, [0], "both forms counted on the one feature");
        assert!((vector.values[0] - 1.0).abs() < 1e-6, "normalized by itself: {:?}", vector.values);
    }

    #[test]
    fn the_block_of_an_article_is_the_block_of_its_tokens() {
        let tokenizer = Tokenizer::new(Default::default()).expect("default tokenizer");
        let article = Article { id: "a", title: "Ministers Negotiate", text: "Negotiations stalled; ministers left." };
        let documents = vec![vec![tokens("ministers negotiate"), tokens("negotiations stalled ministers left")]];
        let block = WordPrefixes::fit(6, &VectorizerSettings { min_df: 1, ..Default::default() }, &documents);
        let mut seen = Vec::new();
        for (_, field) in article.fields() {
            tokenizer.for_each(field, |_, _, token| seen.push(token.to_owned()));
        }
        assert_eq!(block.vector(&tokenizer, &article), block.vector_of_tokens(seen.iter().map(String::as_str)));
        assert_eq!(block.vector(&tokenizer, &article).len(), 3, "minist…, negoti…, stalle…");
    }
}
