//! One reading of an article: every token of each field (its key and its bytes) and, when
//! asked for, the sentences as ranges of those tokens. Everything the model reads off an
//! article comes from this one token stream.

use std::ops::Range;

use crate::text::article::{Article, Field};
use crate::text::sentences;
use crate::text::tokenizer::Tokenizer;

/// The largest article (title and text, in bytes) whose working space a thread keeps for
/// the next: the per-thread spare buffers that a larger one grew beyond what an article
/// of this size can need are freed once it is answered ([`keep_within`]). Far above a
/// news story (the longest of `data/news` is under 20 KB), so that those keep reusing
/// their space; small enough that what a thread keeps stays a few MiB, whatever it read.
pub const KEPT_ARTICLE_BYTES: usize = 64 << 10;

/// The most tokens, or sentences, an article of [`KEPT_ARTICLE_BYTES`] can have (each is two
/// bytes or more, or a byte and a break, and none overlap; one more per field).
pub const KEPT_TOKENS: usize = KEPT_ARTICLE_BYTES / 2 + 2;

/// Frees `buffer`, a spare kept for the next article, if it has room for more than `most`
/// entries; else leaves it as it is.
pub fn keep_within<T>(buffer: &mut Vec<T>, most: usize) {
    if buffer.capacity() > most {
        *buffer = Vec::new();
    }
}

/// The tokens of one field, in order: the 64-bit key of each
/// ([`crate::text::tokenizer::Tokenizer::tokenize`]'s text, hashed) and its byte range in
/// the field.
#[derive(Debug, Clone, Default)]
pub struct FieldTokens {
    /// The keys of the field's tokens.
    keys: Vec<u64>,
    /// `(start, end)` of each token beside its key.
    spans: Vec<(usize, usize)>,
}

impl FieldTokens {
    const fn new() -> Self {
        Self { keys: Vec::new(), spans: Vec::new() }
    }

    /// The key of each token: equal keys, equal normalized tokens (a 64-bit hash).
    pub fn keys(&self) -> &[u64] {
        &self.keys
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
        &self.spans
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True if the field has no token.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Frees what [`keep_within`] frees of a field's buffers.
    fn keep_within(&mut self, most: usize) {
        keep_within(&mut self.keys, most);
        keep_within(&mut self.spans, most);
    }

    /// Reads `text`'s tokens in place of the field's.
    fn read(&mut self, tokenizer: &Tokenizer, text: &str, buffer: &mut String) {
        tokenizer.keys_and_spans(text, &mut self.keys, &mut self.spans, buffer);
    }
}

/// One sentence of an article: its field, its bytes in that field (trimmed, as
/// [`sentences::split`] gives them) and the tokens that start in those bytes. Kept in 20
/// bytes (32-bit offsets: see [`MAX_FIELD_BYTES`]), since a text of one-letter lines has a
/// sentence every two bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    field: Field,
    /// `start..end` in the field.
    bytes: [u32; 2],
    /// `start..end` among the field's tokens.
    tokens: [u32; 2],
}

const _: () = assert!(std::mem::size_of::<Sentence>() == 20);

impl Sentence {
    /// A sentence of `field` at `bytes`, holding the field's `tokens`. The offsets must be
    /// at most [`MAX_FIELD_BYTES`], as those [`Tokens::split_sentences`] finds are; one past
    /// it is stored as [`MAX_FIELD_BYTES`].
    pub fn new(field: Field, bytes: Range<usize>, tokens: Range<usize>) -> Self {
        Self {
            field,
            bytes: [offset(bytes.start), offset(bytes.end)],
            tokens: [offset(tokens.start), offset(tokens.end)],
        }
    }

    /// [`Sentence::new`] of a sentence of a field [`readable`] cut: every offset is at most
    /// [`MAX_FIELD_BYTES`], so that none needs saturating.
    fn within(field: Field, bytes: Range<usize>, tokens: Range<usize>) -> Self {
        debug_assert!(bytes.end <= MAX_FIELD_BYTES && tokens.end <= MAX_FIELD_BYTES);
        Self { field, bytes: [bytes.start as u32, bytes.end as u32], tokens: [tokens.start as u32, tokens.end as u32] }
    }

    /// The field the sentence is in.
    pub fn field(&self) -> Field {
        self.field
    }

    /// Byte range in the field.
    pub fn bytes(&self) -> Range<usize> {
        self.bytes[0] as usize..self.bytes[1] as usize
    }

    /// Range of the field's tokens ([`Tokens::field`]).
    pub fn tokens(&self) -> Range<usize> {
        self.tokens[0] as usize..self.tokens[1] as usize
    }
}

/// The longest field whose sentences are read: a longer title or text (only a library
/// caller can pass one; the service's `--max-text-bytes` is a 32-bit number) is split into
/// sentences up to its last character boundary at or before this many bytes, so that every
/// offset a [`Sentence`] keeps fits in 32 bits. Its tokens, and so its term counts, are
/// all read.
pub const MAX_FIELD_BYTES: usize = u32::MAX as usize;

/// `at` as a 32-bit offset, [`MAX_FIELD_BYTES`] if it is beyond.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// The part of `text` split into sentences: all of it, or its first [`MAX_FIELD_BYTES`]
/// bytes cut back to a character boundary.
pub fn readable(text: &str) -> &str {
    readable_within(text, MAX_FIELD_BYTES)
}

/// The longest prefix of `text` of at most `most` bytes that ends at a character boundary.
fn readable_within(text: &str, most: usize) -> &str {
    if text.len() <= most {
        return text;
    }
    let end = (0..=most).rev().find(|&end| text.is_char_boundary(end)).unwrap_or(0);
    text.get(..end).unwrap_or_default()
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
    /// Bytes of the last article read (title and text).
    article_bytes: usize,
}

impl Tokens {
    /// No article read yet.
    pub const fn new() -> Self {
        Self {
            fields: [FieldTokens::new(), FieldTokens::new()],
            sentences: Vec::new(),
            buffer: String::new(),
            article_bytes: 0,
        }
    }

    /// Reads every token of `article`, one pass of `tokenizer` over each field; forgets the
    /// previous article, sentences included.
    #[inline]
    pub fn read(&mut self, tokenizer: &Tokenizer, article: &Article) {
        self.sentences.clear();
        self.article_bytes = article.title.len() + article.text.len();
        for (field, text) in article.fields() {
            self.fields[field.index()].read(tokenizer, text, &mut self.buffer);
        }
    }

    /// Splits the article just read ([`Tokens::read`], the same `article`) into sentences,
    /// each with the range of its tokens; the sentences of the title come first.
    pub fn split_sentences(&mut self, article: &Article) {
        self.sentences.clear();
        let fields = article.fields().map(|(field, text)| (field, readable(text)));
        // Each sentence is a byte or more and ends at a break of one byte or more: a field
        // of `n` bytes holds at most `n / 2 + 1`.
        let most: usize = fields.iter().map(|(_, text)| text.len() / 2 + 1).sum();
        if most <= KEPT_TOKENS {
            // Room for the most, reserved once (a doubling's slack would be as large as
            // the list on one-letter lines) and kept: small enough to keep untouched.
            self.sentences.reserve_exact(most);
            for (field, text) in fields {
                self.split_field(field, text, |_, _| {});
            }
        } else {
            self.split_large(article, &fields);
        }
    }

    /// [`Tokens::split_sentences`] of an article that may have more than
    /// [`KEPT_TOKENS`] sentences: room for sentences of about 40 bytes, and if it has more,
    /// they are counted once and the list grown to their count exactly. Room for the most
    /// would be ten bytes per byte of text, and the allocator makes much of a large block
    /// resident even where it is never written (measured). Out of line, so that the common
    /// path compiles as if this one were not there.
    #[cold]
    #[inline(never)]
    fn split_large(&mut self, article: &Article, fields: &[(Field, &str); 2]) {
        self.sentences.reserve_exact((article.title.len() + article.text.len()) / 40 + 2);
        for (at, &(field, text)) in fields.iter().enumerate() {
            self.split_field(field, text, |sentences, pushed| {
                if sentences.len() == sentences.capacity() {
                    reserve_the_rest(sentences, &fields[at..], pushed);
                }
            });
        }
    }

    /// [`Tokens::split_sentences`] of one field, its list's room made by `make_room(list,
    /// pushed)` before each sentence is pushed (`pushed`: how many of the field's are in).
    /// Sentences come in order, so each one's tokens are found by walking on from the
    /// previous one's end.
    #[inline(always)]
    fn split_field(&mut self, field: Field, text: &str, mut make_room: impl FnMut(&mut Vec<Sentence>, usize)) {
        let spans = self.fields[field.index()].span_pairs();
        let sentences = &mut self.sentences;
        let (mut cursor, before) = (0, sentences.len());
        sentences::split_each(text, |bytes| {
            make_room(sentences, sentences.len() - before);
            let (tokens, end) = tokens_of(spans, cursor, &bytes);
            cursor = end;
            sentences.push(Sentence::within(field, bytes, tokens));
        });
    }

    /// Whether the last article read was over [`KEPT_ARTICLE_BYTES`]: only such an article
    /// grows the buffers of its reading (tokens, sentences, and those sized by them)
    /// beyond what [`keep_within`] keeps.
    pub fn read_large(&self) -> bool {
        self.article_bytes > KEPT_ARTICLE_BYTES
    }

    /// Frees the buffers that an article over [`KEPT_ARTICLE_BYTES`] grew beyond what one
    /// of that size needs ([`keep_within`]), so that a buffer kept for the next article
    /// stays small whatever this one was.
    pub fn keep_small(&mut self) {
        self.fields.iter_mut().for_each(|field| field.keep_within(KEPT_TOKENS));
        keep_within(&mut self.sentences, KEPT_TOKENS);
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

/// Grows `sentences`, full, by the count of those still to come: those of `fields[0]` past
/// the first `pushed` of it, and all of the later fields'. Out of line: only a large
/// article of short sentences comes here.
#[cold]
#[inline(never)]
fn reserve_the_rest(sentences: &mut Vec<Sentence>, fields: &[(Field, &str)], pushed: usize) {
    let mut counts = fields.iter().map(|(_, text)| sentence_count(text));
    let left = counts.next().unwrap_or(0).saturating_sub(pushed);
    sentences.reserve_exact(left + counts.sum::<usize>());
}

/// How many sentences [`sentences::split_each`] finds in `text`.
fn sentence_count(text: &str) -> usize {
    let mut count = 0;
    sentences::split_each(text, |_| count += 1);
    count
}

/// The range of the ascending token `spans` that start in `bytes`, found walking on from
/// `from` (every token before it starts before `bytes`), and its end again.
#[inline(always)]
fn tokens_of(spans: &[(usize, usize)], from: usize, bytes: &Range<usize>) -> (Range<usize>, usize) {
    let first = first_at(spans, from, bytes.start);
    // The tokens from `first` on start at distinct bytes from `bytes.start` on: at most
    // `bytes.len()` of them start in the sentence.
    let end = first_at_within(spans, first, bytes.end, bytes.len());
    (first..end, end)
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
mod tests;
