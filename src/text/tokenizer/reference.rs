//! The plain tokenizer: one byte at a time, exactly the rules in the parent module's docs.
//!
//! This is the definition of the rules. The fast scanner ([`super::scan`]) handles the common
//! ASCII cases itself and calls back into these functions everywhere else (joiners,
//! abbreviations, entity debris, non-ASCII text); the property tests compare the two on
//! arbitrary strings, spans and normalized text alike.

use super::TokenizerSettings;

/// Entity names seen without their leading `&` in scraped news (`quot;`, `amp;`).
const BARE_ENTITY_NAMES: &[&[u8]] = &[
    b"quot", b"amp", b"lt", b"gt", b"apos", b"nbsp", b"hellip", b"mdash", b"ndash", b"rsquo", b"lsquo", b"rdquo",
    b"ldquo",
];

/// The reference tokenizer: `visit(start, end, normalized)` for every token.
pub(crate) fn for_each(settings: &TokenizerSettings, text: &str, mut visit: impl FnMut(usize, usize, &str)) {
    let mut buffer = String::new();
    for_each_span(text, |start, end| {
        let source = &text[start..end];
        if end - start > settings.max_token_bytes || is_single_ascii(source) {
            return;
        }
        buffer.clear();
        normalize_into(source, settings.lowercase, &mut buffer);
        visit(start, end, &buffer);
    });
}

fn is_single_ascii(source: &str) -> bool {
    source.len() == 1
}

pub(crate) fn normalize_into(source: &str, lowercase: bool, out: &mut String) {
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
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn for_each_span(text: &str, mut emit: impl FnMut(usize, usize)) {
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

pub(crate) fn scan_ascii_start(text: &str, i: usize, emit: &mut impl FnMut(usize, usize)) -> usize {
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

pub(crate) fn scan_non_ascii_start(text: &str, i: usize, emit: &mut impl FnMut(usize, usize)) -> usize {
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
pub(crate) fn entity_end(bytes: &[u8], start: usize) -> Option<usize> {
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
