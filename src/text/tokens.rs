//! One reading of an article: every token of each field (its key and its bytes) and, when
//! asked for, the sentences as ranges of those tokens. Everything the model reads off an
//! article comes from this one token stream.

use std::ops::Range;

use crate::text::article::{Article, Field};
use crate::text::sentences;
use crate::text::tokenizer::Tokenizer;

/// The tokens of one field, in order: the 64-bit key of each
/// ([`crate::text::tokenizer::Tokenizer::tokenize`]'s text, hashed) and its byte range in
/// the field.
#[derive(Debug, Clone, Default)]
pub struct FieldTokens {
    /// The keys of the field's tokens, then stale entries: the buffer keeps the length of
    /// the longest field read, so that reading writes into it without a push per token.
    keys: Vec<u64>,
    /// `(start, end)` of each token beside its key, then stale entries as in `keys`.
    spans: Vec<(usize, usize)>,
    /// How many tokens the field has.
    len: usize,
}

impl FieldTokens {
    const fn new() -> Self {
        Self { keys: Vec::new(), spans: Vec::new(), len: 0 }
    }

    /// The key of each token: equal keys, equal normalized tokens (a 64-bit hash).
    pub fn keys(&self) -> &[u64] {
        self.keys.get(..self.len).unwrap_or_default()
    }

    /// The byte range of token `index` in its field.
    pub fn span(&self, index: usize) -> Option<Range<usize>> {
        self.span_pairs().get(index).map(|&(start, end)| start..end)
    }

    /// The byte range of every token, in order.
    pub fn spans(&self) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        self.span_pairs().iter().map(|&(start, end)| start..end)
    }

    /// `(start, end)` of every token, in order, as stored.
    pub fn span_pairs(&self) -> &[(usize, usize)] {
        self.spans.get(..self.len).unwrap_or_default()
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if the field has no token.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads `text`'s tokens in place of the field's.
    fn read(&mut self, tokenizer: &Tokenizer, text: &str, buffer: &mut String) {
        self.len = tokenizer.keys_and_spans(text, &mut self.keys, &mut self.spans, buffer);
    }
}

/// One sentence of an article: its field, its bytes in that field (trimmed, as
/// [`sentences::split`] gives them) and the tokens that start in those bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The field the sentence is in.
    pub field: Field,
    /// Byte range in the field.
    pub bytes: Range<usize>,
    /// Range of the field's tokens ([`Tokens::field`]).
    pub tokens: Range<usize>,
}

/// An article read once: each field's tokens and, after [`Tokens::split_sentences`], its
/// sentences. A buffer: reading another article reuses its space, so that a reader that
/// keeps one allocates nothing per article once it is large enough.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    fields: [FieldTokens; 2],
    sentences: Vec<Sentence>,
    /// A non-ASCII token while it is normalized.
    buffer: String,
}

impl Tokens {
    /// No article read yet.
    pub const fn new() -> Self {
        Self { fields: [FieldTokens::new(), FieldTokens::new()], sentences: Vec::new(), buffer: String::new() }
    }

    /// Reads every token of `article`, one pass of `tokenizer` over each field; forgets the
    /// previous article, sentences included.
    pub fn read(&mut self, tokenizer: &Tokenizer, article: &Article) {
        self.sentences.clear();
        for (field, text) in article.fields() {
            self.fields[field.index()].read(tokenizer, text, &mut self.buffer);
        }
    }

    /// Splits the article just read ([`Tokens::read`], the same `article`) into sentences,
    /// each with the range of its tokens; the sentences of the title come first.
    pub fn split_sentences(&mut self, article: &Article) {
        self.sentences.clear();
        // Room for sentences of about 80 bytes, so that a typical article's list never regrows.
        self.sentences.reserve((article.title.len() + article.text.len()) / 80 + 2);
        for (field, text) in article.fields() {
            let spans = self.fields[field.index()].span_pairs();
            // Sentences come in order, so each one's tokens are found by walking on from the
            // previous one's end.
            let mut cursor = 0;
            sentences::split_each(text, |bytes| {
                let first = first_at(spans, cursor, bytes.start);
                // The tokens from `first` on start at distinct bytes from `bytes.start` on:
                // at most `bytes.len()` of them start in the sentence.
                let end = first_at_within(spans, first, bytes.end, bytes.len());
                cursor = end;
                self.sentences.push(Sentence { field, bytes, tokens: first..end });
            });
        }
    }

    /// The tokens of one field.
    pub fn field(&self, field: Field) -> &FieldTokens {
        &self.fields[field.index()]
    }

    /// The sentences found by the last [`Tokens::split_sentences`], title first; empty if
    /// it was not called for this article.
    pub fn sentences(&self) -> &[Sentence] {
        &self.sentences
    }
}

/// The index of the first of the ascending token `spans` that starts at or after `offset`,
/// walking on from `from` (every token before `from` starts before `offset`).
fn first_at(spans: &[(usize, usize)], from: usize, offset: usize) -> usize {
    let rest = spans.get(from..).unwrap_or_default();
    from + rest.iter().take_while(|&&(start, _)| start < offset).count()
}

/// [`first_at`] when it is at most `from + most`, by bisection over those spans: its steps
/// select without branching, so that where a sentence ends costs no mispredicted branch
/// (a walk mispredicts its exit once a sentence).
fn first_at_within(spans: &[(usize, usize)], from: usize, offset: usize, most: usize) -> usize {
    let window = spans.get(from..spans.len().min(from.saturating_add(most))).unwrap_or_default();
    from + window.partition_point(|&(start, _)| start < offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sentence_holds_the_tokens_that_start_in_it() {
        let tokenizer = Tokenizer::default();
        let article = Article { id: "", title: "Talks resume", text: "Leaders met in Geneva. They signed a deal." };
        let mut tokens = Tokens::default();
        tokens.read(&tokenizer, &article);
        tokens.split_sentences(&article);
        let words = |sentence: &Sentence| -> Vec<&str> {
            let text = article.field(sentence.field);
            let field = tokens.field(sentence.field);
            sentence.tokens.clone().filter_map(|i| field.span(i)).map(|span| &text[span]).collect()
        };
        let found: Vec<(Field, Vec<&str>)> = tokens.sentences().iter().map(|s| (s.field, words(s))).collect();
        assert_eq!(
            found,
            [
                (Field::Title, vec!["Talks", "resume"]),
                (Field::Text, vec!["Leaders", "met", "in", "Geneva"]),
                (Field::Text, vec!["They", "signed", "deal"]),
            ]
        );
        let spans: Vec<Range<usize>> = tokens.field(Field::Text).spans().collect();
        let alone: Vec<Range<usize>> = tokenizer.tokenize(article.text).iter().map(|t| t.start..t.end).collect();
        assert_eq!(spans, alone, "the spans are the tokenizer's");
    }

    /// One-byte tokens, each `gap` bytes after the one before.
    fn one_byte_spans(gaps: &[usize]) -> Vec<(usize, usize)> {
        gaps.iter()
            .scan(0, |at, gap| {
                *at += gap + 1;
                Some((*at, *at + 1))
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn first_at_finds_what_bisection_finds(
            gaps in proptest::collection::vec(0usize..5, 0..40),
            from in 0usize..45,
            offset in 0usize..120,
        ) {
            let spans = one_byte_spans(&gaps);
            let expected = spans.partition_point(|&(start, _)| start < offset);
            proptest::prop_assert_eq!(first_at(&spans, from.min(expected), offset), expected);
        }

        #[test]
        fn first_at_within_finds_what_bisection_finds(
            gaps in proptest::collection::vec(0usize..5, 0..40),
            start in 0usize..120,
            len in 0usize..40,
        ) {
            // As `split_sentences` asks: from the first token at or after a sentence's start,
            // for the first at or after its end, at most its length on.
            let spans = one_byte_spans(&gaps);
            let from = spans.partition_point(|&(s, _)| s < start);
            let expected = spans.partition_point(|&(s, _)| s < start + len);
            proptest::prop_assert_eq!(first_at_within(&spans, from, start + len, len), expected);
        }
    }
}
