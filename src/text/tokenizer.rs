//! Unicode-aware word tokenizer with byte offsets into the caller's text.
//!
//! Rules, applied in one left-to-right pass over the bytes:
//! - a word is a run of alphanumeric characters (any script); a hyphen between two word
//!   characters joins them (`long-term`), and so do `.` and `,` between digits (`3.5`, `1,000`);
//! - letter-dot abbreviations stay whole (`U.S.`, `e.g.`);
//! - each CJK ideograph or kana is a token of its own, since those scripts use no spaces;
//! - HTML-entity debris (`&lt;`, `&#39;`, `#39;`, a bare `quot;`) is skipped, never a token;
//! - everything else (spaces, punctuation, apostrophes, backslashes) separates words;
//! - tokens are lowercased; one-character ASCII tokens are dropped, as are tokens longer
//!   than [`TokenizerSettings::max_token_bytes`].

use std::mem::MaybeUninit;

use serde::{Deserialize, Serialize};

pub(crate) mod hash;
pub(crate) mod reference;
mod scan;

/// Version of the tokenization rules. Bump it whenever a rule changes: a model records the
/// version it was trained with, and loading refuses a model made with another.
pub const TOKENIZER_VERSION: u32 = 1;

/// Settings a model records so that serving tokenizes exactly as training did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerSettings {
    /// The version of the rules ([`TOKENIZER_VERSION`]).
    pub version: u32,
    /// Lowercase every token.
    pub lowercase: bool,
    /// Tokens longer than this many bytes are dropped (base64 blobs, URLs run together).
    pub max_token_bytes: usize,
}

impl Default for TokenizerSettings {
    fn default() -> Self {
        Self { version: TOKENIZER_VERSION, lowercase: true, max_token_bytes: 100 }
    }
}

/// One token: `text` is the normalized form, `start..end` the bytes of the source it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalized (lowercased) token.
    pub text: String,
    /// Byte offset of its first byte in the source text.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
}

/// The tokenizer. Cheap to clone, `Send + Sync`, no allocation per token on the
/// [`Tokenizer::for_each`] path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokenizer {
    settings: TokenizerSettings,
}

impl Tokenizer {
    /// A tokenizer with the given settings; fails on a rules version this build does not have.
    pub fn new(settings: TokenizerSettings) -> Result<Self, UnsupportedTokenizer> {
        if settings.version != TOKENIZER_VERSION {
            return Err(UnsupportedTokenizer { found: settings.version });
        }
        Ok(Self { settings })
    }

    /// The settings this tokenizer applies.
    pub fn settings(&self) -> &TokenizerSettings {
        &self.settings
    }

    /// All tokens of `text`, in order.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        self.for_each(text, |start, end, normalized| {
            tokens.push(Token { text: normalized.to_owned(), start, end });
        });
        tokens
    }

    /// Calls `visit(start, end, normalized)` for every token, reusing one buffer.
    pub fn for_each(&self, text: &str, mut visit: impl FnMut(usize, usize, &str)) {
        #[cfg(test)]
        passes::count();
        let mut buffer = String::new();
        let max = self.settings.max_token_bytes;
        scan::for_each_span(text, |start, end, ascii| {
            let len = end - start;
            if len > max || len == 1 {
                return;
            }
            if ascii && self.settings.lowercase && len <= 16 {
                if let Some(word) = hash::ascii16(text.as_bytes(), start, len, hash::LOWERCASE_ASCII) {
                    // Short ASCII tokens (nearly all) are lowercased into a word on the stack.
                    let word = word.to_le_bytes();
                    // SAFETY: `word[..len]` is the ASCII token with bit 5 set in every byte,
                    // which keeps each byte ASCII (below 0x80): valid UTF-8, the token's
                    // lowercase form.
                    visit(start, end, unsafe { std::str::from_utf8_unchecked(&word[..len]) });
                    return;
                }
            }
            self.visit_normalized(text, start, end, ascii, &mut buffer, &mut visit);
        });
    }

    /// [`Tokenizer::for_each`] by the plain definition of the rules, one byte at a time: the
    /// same tokens, several times slower. The fast path is tested against it, and the
    /// in-process benchmark's plain peer tokenizes with it (hence public, hidden).
    #[doc(hidden)]
    pub fn for_each_plain(&self, text: &str, visit: impl FnMut(usize, usize, &str)) {
        reference::for_each(&self.settings, text, visit);
    }

    /// [`Tokenizer::for_each`] for the tokens that are not short ASCII: normalized into
    /// `buffer`. Kept out of line, so that the scanner's loop stays small.
    #[inline(never)]
    fn visit_normalized(
        &self,
        text: &str,
        start: usize,
        end: usize,
        ascii: bool,
        buffer: &mut String,
        visit: &mut impl FnMut(usize, usize, &str),
    ) {
        buffer.clear();
        if ascii && self.settings.lowercase {
            let source = &text.as_bytes()[start..end];
            // SAFETY: every byte pushed is ASCII (an ASCII token's byte with bit 5 set, or
            // the NUL padding of `ascii16`), and the padding is cut off before the buffer
            // is read, so it holds the token's lowercase form, valid UTF-8.
            let bytes = unsafe { buffer.as_mut_vec() };
            // `ascii16` takes at most 16 bytes (found by the tokenizer fuzz target: a
            // longer token overflowed its mask in debug builds).
            let short = (end - start <= 16)
                .then(|| hash::ascii16(text.as_bytes(), start, end - start, hash::LOWERCASE_ASCII))
                .flatten();
            match short {
                Some(word) => {
                    bytes.extend_from_slice(&word.to_le_bytes());
                    bytes.truncate(end - start);
                }
                _ => bytes.extend(source.iter().map(|&b| b | hash::LOWERCASE_ASCII as u8)),
            }
        } else {
            normalize_into(&text[start..end], self.settings.lowercase, buffer);
        }
        visit(start, end, buffer);
    }

    /// Replaces `keys` with the 64-bit key ([`hash`]) of every token of `text` and `spans`
    /// with its byte range, `(start, end)`: the tokens [`Tokenizer::for_each`] gives, in
    /// order. Returns how many. The buffers are grown when `text` could hold more tokens
    /// than they have room for, and never shrunk, so that a caller that keeps them allocates
    /// nothing per text once they are large enough; the room is written only where a token
    /// is, so that a text with few tokens touches little of it. ASCII tokens are hashed
    /// straight from the text; `buffer` holds a non-ASCII token while it is normalized.
    pub(crate) fn keys_and_spans(
        &self,
        text: &str,
        keys: &mut Vec<u64>,
        spans: &mut Vec<(usize, usize)>,
        buffer: &mut String,
    ) -> usize {
        keys.clear();
        spans.clear();
        // Every token is two bytes or more and no two overlap: a text of `n` bytes holds at
        // most `n / 2` of them.
        let mut room = text.len() / 2 + 1;
        loop {
            keys.reserve_exact(room);
            spans.reserve_exact(room);
            let (key_room, span_room) = (keys.spare_capacity_mut(), spans.spare_capacity_mut());
            let fits = key_room.len().min(span_room.len());
            let written = self.write_keys_and_spans(text, key_room, span_room, buffer);
            if written <= fits {
                // SAFETY: `write_keys_and_spans` wrote the key and the span of each of the
                // `written` tokens at its index, and all of them fit both buffers' room.
                unsafe {
                    keys.set_len(written);
                    spans.set_len(written);
                }
                return written;
            }
            // Not reached (see `room`); if it were, the buffers grow and the text is read again.
            room = written;
        }
    }

    /// The normalized form of the token whose source is `source` (a span the tokenizer
    /// gave), written into `buffer`: the text [`Tokenizer::for_each`] gives for it.
    pub(crate) fn normalize<'b>(&self, source: &str, buffer: &'b mut String) -> &'b str {
        buffer.clear();
        normalize_into(source, self.settings.lowercase, buffer);
        buffer
    }

    /// The keys and spans of [`Tokenizer::keys_and_spans`], written into `keys` and `spans`
    /// from their first entries on, as far as both have room (token `i` at index `i` of
    /// both); returns how many tokens `text` has.
    fn write_keys_and_spans(
        &self,
        text: &str,
        keys: &mut [MaybeUninit<u64>],
        spans: &mut [MaybeUninit<(usize, usize)>],
        buffer: &mut String,
    ) -> usize {
        #[cfg(test)]
        passes::count();
        let settings = &self.settings;
        let lowercase = if settings.lowercase { hash::LOWERCASE_ASCII } else { 0 };
        let sink = KeySink { text, keys, spans, written: 0, max: settings.max_token_bytes, lowercase, buffer };
        let sink = scan::for_each_span_with(text, sink, |sink, start, end, ascii| {
            if end - start > sink.max || end - start == 1 {
                return;
            }
            let key = if ascii {
                hash::ascii_lowercased(sink.text.as_bytes(), start, end, sink.lowercase)
            } else {
                sink.buffer.clear();
                normalize_into(&sink.text[start..end], sink.lowercase != 0, sink.buffer);
                hash::bytes(sink.buffer.as_bytes())
            };
            if let (Some(k), Some(span)) = (sink.keys.get_mut(sink.written), sink.spans.get_mut(sink.written)) {
                k.write(key);
                span.write((start, end));
            }
            sink.written += 1;
        });
        sink.written
    }
}

/// Where [`Tokenizer::write_keys_and_spans`] writes, and what it reads per token: handed to
/// the scan beside its `emit` ([`scan::for_each_span_with`]), so that these stay in registers
/// through the scan's loop.
struct KeySink<'a> {
    text: &'a str,
    keys: &'a mut [MaybeUninit<u64>],
    spans: &'a mut [MaybeUninit<(usize, usize)>],
    /// Tokens found so far (some past the buffers' room, if they had too little).
    written: usize,
    max: usize,
    /// [`hash::LOWERCASE_ASCII`] if tokens are lowercased, else 0.
    lowercase: u64,
    buffer: &'a mut String,
}

/// Appends the normalized form of a token to `out`, without allocating: what
/// [`reference::normalize_into`] gives (tested).
fn normalize_into(source: &str, lowercase: bool, out: &mut String) {
    if !lowercase {
        out.push_str(source);
    } else if source.is_ascii() {
        // ASCII lowercases byte by byte, as `char::to_lowercase` lowercases it.
        let start = out.len();
        out.push_str(source);
        out[start..].make_ascii_lowercase();
    } else if source.contains('\u{3A3}') {
        // Capital sigma lowercases by context (final `ς`), which only `str::to_lowercase` knows.
        out.push_str(&source.to_lowercase());
    } else {
        // Without a sigma, `str::to_lowercase` maps char by char, as this does.
        source.chars().for_each(|c| out.extend(c.to_lowercase()));
    }
}

/// A model asks for tokenization rules this build does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tokenizer rules version {found} is not supported (this build has version {TOKENIZER_VERSION})")]
pub struct UnsupportedTokenizer {
    /// The version the model asks for.
    pub found: u32,
}

/// How many times this thread's tokenizers have read a text (a field), so that tests can
/// hold the model to one reading per field of an article.
#[cfg(test)]
pub(crate) mod passes {
    use std::cell::Cell;

    thread_local! {
        static PASSES: Cell<usize> = const { Cell::new(0) };
    }

    pub(super) fn count() {
        PASSES.with(|passes| passes.set(passes.get() + 1));
    }

    /// Texts read on this thread so far by the fast paths ([`super::Tokenizer::for_each`]
    /// and the keys the model reads).
    pub(crate) fn so_far() -> usize {
        PASSES.with(Cell::get)
    }
}

#[cfg(test)]
mod tests;
