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

use serde::{Deserialize, Serialize};

/// Version of the tokenization rules. Bump it whenever a rule changes: a model records the
/// version it was trained with, and loading refuses a model made with another.
pub const TOKENIZER_VERSION: u32 = 1;

/// Entity names seen without their leading `&` in scraped news (`quot;`, `amp;`).
const BARE_ENTITY_NAMES: &[&[u8]] = &[
    b"quot", b"amp", b"lt", b"gt", b"apos", b"nbsp", b"hellip", b"mdash", b"ndash", b"rsquo",
    b"lsquo", b"rdquo", b"ldquo",
];

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
    pub text: String,
    pub start: usize,
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
        let mut buffer = String::new();
        for_each_span(text, |start, end| {
            let source = &text[start..end];
            if end - start > self.settings.max_token_bytes || is_single_ascii(source) {
                return;
            }
            buffer.clear();
            normalize_into(source, self.settings.lowercase, &mut buffer);
            visit(start, end, &buffer);
        });
    }
}

/// A model asks for tokenization rules this build does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tokenizer rules version {found} is not supported (this build has version {TOKENIZER_VERSION})")]
pub struct UnsupportedTokenizer {
    pub found: u32,
}

fn is_single_ascii(source: &str) -> bool {
    source.len() == 1
}

fn normalize_into(source: &str, lowercase: bool, out: &mut String) {
    if !lowercase {
        out.push_str(source);
    } else if source.is_ascii() {
        out.extend(source.bytes().map(|b| b.to_ascii_lowercase() as char));
    } else {
        // `str::to_lowercase` knows context rules (final sigma) that per-char mapping does not.
        out.push_str(&source.to_lowercase());
    }
}

/// Calls `emit(start, end)` for every raw word span, before length filtering.
fn for_each_span(text: &str, mut emit: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            i = scan_ascii_start(text, i, &mut emit);
        } else if b >= 0x80 {
            i = scan_non_ascii_start(text, i, &mut emit);
        } else if b == b'&' || b == b'#' {
            i = entity_end(bytes, i).unwrap_or(i + 1);
        } else {
            i += 1;
        }
    }
}

fn scan_ascii_start(text: &str, i: usize, emit: &mut impl FnMut(usize, usize)) -> usize {
    let bytes = text.as_bytes();
    if let Some(end) = bare_entity_end(bytes, i) {
        return end;
    }
    if let Some(end) = abbreviation_end(bytes, i) {
        emit(i, end);
        return end;
    }
    let end = word_end(text, i);
    emit(i, end);
    end
}

fn scan_non_ascii_start(text: &str, i: usize, emit: &mut impl FnMut(usize, usize)) -> usize {
    let c = char_at(text, i);
    let next = i + c.len_utf8();
    if is_ideographic(c) {
        emit(i, next);
        next
    } else if is_word_char(c) {
        let end = word_end(text, i);
        emit(i, end);
        end
    } else {
        next
    }
}

/// End of the word starting at `start`, following the joining rules.
fn word_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    loop {
        i = run_end(text, i);
        let Some(&joiner) = bytes.get(i) else { return i };
        let previous = bytes[i - 1];
        let joins = match joiner {
            b'-' => starts_word_run(text, i + 1),
            b'.' | b',' => previous.is_ascii_digit() && bytes.get(i + 1).is_some_and(u8::is_ascii_digit),
            _ => false,
        };
        if !joins {
            return i;
        }
        i += 1;
    }
}

/// End of a run of word characters (no joiners) starting at `start`.
fn run_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            i += 1;
        } else if b >= 0x80 {
            let c = char_at(text, i);
            if !is_word_char(c) || is_ideographic(c) {
                break;
            }
            i += c.len_utf8();
        } else {
            break;
        }
    }
    i
}

fn starts_word_run(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(&b) if b >= 0x80 => {
            let c = char_at(text, i);
            is_word_char(c) && !is_ideographic(c)
        }
        _ => false,
    }
}

/// `U.S.`, `e.g.`: two or more single letters each followed by a dot.
fn abbreviation_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    let mut pairs = 0;
    while i + 1 < bytes.len() && bytes[i].is_ascii_alphabetic() && bytes[i + 1] == b'.' {
        i += 2;
        pairs += 1;
    }
    let followed_by_word = bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    (pairs >= 2 && !followed_by_word).then_some(i)
}

/// `&lt;`, `&#39;`, `&#x27;` or `#39;` starting at `start`.
fn entity_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    if bytes[i] == b'&' {
        i += 1;
        if bytes.get(i) != Some(&b'#') {
            let name_end = count_while(bytes, i, u8::is_ascii_alphabetic);
            return (2..=8).contains(&(name_end - i)).then_some(name_end).and_then(|e| semicolon_after(bytes, e));
        }
    }
    i += 1; // the '#'
    let hex = matches!(bytes.get(i), Some(b'x' | b'X')) && bytes[start] == b'&';
    let digits_start = i + hex as usize;
    let digits_end = if hex {
        count_while(bytes, digits_start, u8::is_ascii_hexdigit)
    } else {
        count_while(bytes, digits_start, u8::is_ascii_digit)
    };
    (1..=7).contains(&(digits_end - digits_start)).then_some(digits_end).and_then(|e| semicolon_after(bytes, e))
}

/// A known entity name without its `&` (`quot;`), at the start of a word.
fn bare_entity_end(bytes: &[u8], start: usize) -> Option<usize> {
    let name_end = count_while(bytes, start, u8::is_ascii_lowercase);
    let name = &bytes[start..name_end];
    if bytes.get(name_end) == Some(&b';') && BARE_ENTITY_NAMES.contains(&name) {
        Some(name_end + 1)
    } else {
        None
    }
}

fn semicolon_after(bytes: &[u8], i: usize) -> Option<usize> {
    (bytes.get(i) == Some(&b';')).then_some(i + 1)
}

fn count_while(bytes: &[u8], start: usize, pred: impl Fn(&u8) -> bool) -> usize {
    start + bytes[start..].iter().take_while(|b| pred(b)).count()
}

fn char_at(text: &str, i: usize) -> char {
    // `i` is always on a char boundary: we only ever advance by whole chars or ASCII bytes.
    text[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&c)
}

fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FFFF) // CJK extensions B and later
}

#[cfg(test)]
mod tests;
