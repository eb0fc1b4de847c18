//! Sentence splitting for news text, as byte ranges into the caller's text.
//!
//! A sentence ends at a line break, or at `.`, `!` or `?` (and their CJK forms), with any
//! closing quotes or brackets, when what follows starts a new sentence: whitespace, then a
//! capital letter, a digit or an opening quote. A period after a known abbreviation
//! (`Gen.`, `Mr.`, `Jan.`), a single letter (`J. Smith`) or a letter-dot abbreviation
//! (`U.S.`) does not end a sentence. Scraped page text (menus, one item a line) splits at
//! its line breaks.

use std::ops::Range;

/// Abbreviations whose period rarely ends a sentence, lowercase, without the period.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "rev", "hon", "sen", "sens", "rep", "reps", "gov", "pres", "gen", "gens", "col",
    "lt", "sgt", "capt", "cpt", "maj", "adm", "cmdr", "brig", "st", "mt", "ft", "jr", "sr", "inc", "corp", "ltd", "co",
    "no", "nos", "vs", "etc", "dept", "univ", "approx", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "fig", "vol", "op", "al",
];

/// The sentences of `text`, in order, trimmed of surrounding whitespace; never empty.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let mut sentences = Vec::new();
    split_each(text, |range| sentences.push(range));
    sentences
}

/// Calls `each` with every sentence [`split`] gives, in order, so that callers collecting
/// them in their own form allocate once.
pub fn split_each(text: &str, each: impl FnMut(Range<usize>)) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, all that `split_each_with_avx2` enables.
        return unsafe { split_each_with_avx2(text, each) };
    }
    split_each_by(text, each, may_end_block);
}

/// [`split_each`] compiled with AVX2, its candidates found 32 bytes at a time
/// ([`may_end_block_avx2`]) rather than 16: the same sentences.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn split_each_with_avx2(text: &str, each: impl FnMut(Range<usize>)) {
    // SAFETY: this runs only where the processor has AVX2.
    split_each_by(text, each, |block| unsafe { may_end_block_avx2(block) });
}

/// [`split_each`], with the candidate ends of a 64-byte block found by `block_mask` (a
/// [`may_end_block`]).
#[inline(always)]
fn split_each_by(text: &str, mut each: impl FnMut(Range<usize>), block_mask: impl Fn(&[u8; 64]) -> u64) {
    let mut start = 0;
    let bytes = text.as_bytes();
    // Only at the bytes a sentence end starts with, found 64 at a time: ASCII bytes and the
    // lead bytes of `。！？` are always at a character boundary, so this visits the same
    // positions, in the same order, as walking the characters, many times faster.
    for block in (0..bytes.len()).step_by(64) {
        let mut candidates = may_end_mask_by(bytes, block, &block_mask);
        while candidates != 0 {
            let i = block + candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            if i < start {
                continue;
            }
            let end = match (bytes[i], &bytes[i..]) {
                (b'\n' | b'\r', _) => Some(i),
                (b @ (b'.' | b'!' | b'?'), _) => terminal_end(text, i, char::from(b)),
                (_, rest) => ['。', '！', '？']
                    .into_iter()
                    .find(|c| rest.starts_with(c.encode_utf8(&mut [0; 4]).as_bytes()))
                    .and_then(|c| terminal_end(text, i, c)),
            };
            if let Some(end) = end {
                if let Some(sentence) = trimmed(text, start..end) {
                    each(sentence);
                }
                start = end;
            }
        }
    }
    if let Some(sentence) = trimmed(text, start..text.len()) {
        each(sentence);
    }
}

/// The bytes a sentence end can start with: `\n`, `\r`, `.`, `!`, `?`, and the lead bytes
/// of `。` (E3) and of `！` and `？` (EF).
static MAY_END: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let bytes = [b'\n', b'\r', b'.', b'!', b'?', 0xE3, 0xEF];
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// Bit `j` set if byte `start + j` is in [`MAY_END`] (bytes past the end are not).
#[cfg(test)]
fn may_end_mask(bytes: &[u8], start: usize) -> u64 {
    may_end_mask_by(bytes, start, may_end_block)
}

/// [`may_end_mask`] with the blocks' masks found by `block_mask`.
#[inline(always)]
fn may_end_mask_by(bytes: &[u8], start: usize, block_mask: impl Fn(&[u8; 64]) -> u64) -> u64 {
    // One call of `block_mask`, on the text or on the last bytes copied and padded: with a
    // call on each way, the compiler merged the two masks bit by bit.
    let mut padded = [0u8; 64];
    let block = match bytes.get(start..start + 64).and_then(|block| block.try_into().ok()) {
        Some(block) => block,
        None => {
            let rest = &bytes[start..bytes.len().min(start + 64)];
            padded[..rest.len()].copy_from_slice(rest);
            &padded
        }
    };
    block_mask(block)
}

/// [`may_end_mask`] of one 64-byte block, with SSE2.
#[cfg(target_arch = "x86_64")]
#[inline]
fn may_end_block(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    let mut mask = 0u64;
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline, and `chunk` is 16 readable bytes
        // (`_mm_loadu_si128` has no alignment requirement).
        let found = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let ascii = _mm_or_si128(_mm_or_si128(is(b'\n'), is(b'\r')), _mm_or_si128(is(b'.'), is(b'!')));
            let other = _mm_or_si128(_mm_or_si128(is(b'?'), is(0xE3)), is(0xEF));
            _mm_movemask_epi8(_mm_or_si128(ascii, other)) as u16
        };
        mask |= u64::from(found) << (16 * k);
    }
    mask
}

/// [`may_end_block`] with AVX2: 32 bytes a comparison.
///
/// # Safety
///
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn may_end_block_avx2(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    // Each half's mask as a whole 32-bit word, the two joined once.
    let half = |offset: usize| {
        // SAFETY: the 32 bytes from `offset` (0 or 32) are in `block`, and
        // `_mm256_loadu_si256` has no alignment requirement; the processor has AVX2.
        let found = unsafe {
            let v = _mm256_loadu_si256(block.as_ptr().add(offset).cast());
            let is = |b: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8));
            let ascii = _mm256_or_si256(_mm256_or_si256(is(b'\n'), is(b'\r')), _mm256_or_si256(is(b'.'), is(b'!')));
            let other = _mm256_or_si256(_mm256_or_si256(is(b'?'), is(0xE3)), is(0xEF));
            _mm256_movemask_epi8(_mm256_or_si256(ascii, other))
        };
        u64::from(found.cast_unsigned())
    };
    half(0) | (half(32) << 32)
}

/// [`may_end_mask`] of one 64-byte block, a byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
fn may_end_block_scalar(block: &[u8; 64]) -> u64 {
    block.iter().enumerate().fold(0, |mask, (j, &b)| mask | (u64::from(MAY_END[usize::from(b)]) << j))
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn may_end_block(block: &[u8; 64]) -> u64 {
    may_end_block_scalar(block)
}

/// Where the sentence ends if the terminal `c` at `i` ends it: after `c` and any closing
/// quotes or brackets. Walks bytes, decoding a character only at a non-ASCII byte: the same
/// answer as walking the characters (`terminal_end_by_chars` in the tests, compared on the
/// corpus and on arbitrary text).
fn terminal_end(text: &str, i: usize, c: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = i + c.len_utf8();
    loop {
        match bytes.get(end) {
            Some(b'"' | b'\'' | b')' | b']') => end += 1,
            Some(&b) if b >= 0x80 => match text[end..].chars().next() {
                Some(c @ ('”' | '’' | '»')) => end += c.len_utf8(),
                _ => break,
            },
            _ => break,
        }
    }
    if matches!(c, '。' | '！' | '？') {
        return Some(end);
    }
    // Spaces, tabs and no-break spaces (C2 A0 in UTF-8).
    let mut next = end;
    loop {
        match (bytes.get(next), bytes.get(next + 1)) {
            (Some(b' ' | b'\t'), _) => next += 1,
            (Some(0xC2), Some(0xA0)) => next += 2,
            _ => break,
        }
    }
    if next == end && next < bytes.len() {
        return None; // no space after: "3.5", "e.g.x", ".com"
    }
    let starts_sentence = match bytes.get(next) {
        None => true,
        Some(&b) if b < 0x80 => {
            b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'"' | b'\'' | b'(' | b'[' | b'\n' | b'\r')
        }
        Some(_) => text[next..].chars().next().is_some_and(|n| n.is_uppercase() || matches!(n, '“' | '‘')),
    };
    (starts_sentence && !(c == '.' && ends_with_abbreviation(&text[..i]))).then_some(end)
}

/// Whether the word before a period is an abbreviation, an initial or a letter-dot form.
fn ends_with_abbreviation(before: &str) -> bool {
    let word = last_word(before);
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let single_letter = letters.next().is_some() && letters.next().is_none() && !word.contains(char::is_numeric);
    let dotted = word.contains('.') && word.split('.').all(|part| part.chars().count() <= 1);
    single_letter || dotted || is_abbreviation(word)
}

/// What follows the last whitespace, `(`, `"` or `“` of `before`: bytes walked backwards
/// while they are ASCII, the characters from the first non-ASCII one on.
fn last_word(before: &str) -> &str {
    let bytes = before.as_bytes();
    let mut start = bytes.len();
    while let Some(&b) = start.checked_sub(1).and_then(|i| bytes.get(i)) {
        if b >= 0x80 {
            return before.rsplit(|c: char| c.is_whitespace() || matches!(c, '(' | '"' | '“')).next().unwrap_or("");
        }
        if char::from(b).is_whitespace() || matches!(b, b'(' | b'"') {
            break;
        }
        start -= 1;
    }
    &before[start..]
}

/// Whether `word` lowercases to one of [`ABBREVIATIONS`]. An ASCII word lowercases byte by
/// byte, without allocating, into a 64-bit word found by binary search; others go through
/// Unicode lowercasing (the Kelvin sign lowercases to an ASCII `k`).
fn is_abbreviation(word: &str) -> bool {
    static PACKED: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
        let mut packed: Vec<u64> = ABBREVIATIONS.iter().filter_map(|a| pack_lowercase(a)).collect();
        packed.sort_unstable();
        packed
    });
    if word.is_ascii() {
        pack_lowercase(word).is_some_and(|key| PACKED.binary_search(&key).is_ok())
    } else {
        ABBREVIATIONS.contains(&word.to_lowercase().as_str())
    }
}

/// An ASCII word of 1 to 8 bytes lowercased into a little-endian word (zero-padded, so that
/// the length is part of it); `None` for others, which no abbreviation is.
fn pack_lowercase(word: &str) -> Option<u64> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut packed = [0u8; 8];
    packed[..bytes.len()].copy_from_slice(bytes);
    packed.make_ascii_lowercase();
    Some(u64::from_le_bytes(packed))
}

/// `range` of `text` without its leading and trailing whitespace, if anything is left. ASCII
/// whitespace is trimmed byte by byte; only when a non-ASCII byte is at an edge do the `str`
/// methods (Unicode whitespace) go on from there.
fn trimmed(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    // What `char::is_whitespace` says of ASCII bytes (with the vertical tab, unlike
    // `u8::is_ascii_whitespace`).
    let space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let bytes = text.as_bytes();
    let (mut start, mut end) = (range.start, range.end);
    while start < end && space(bytes[start]) {
        start += 1;
    }
    while end > start && space(bytes[end - 1]) {
        end -= 1;
    }
    if start < end && (bytes[start] >= 0x80 || bytes[end - 1] >= 0x80) {
        let slice = &text[start..end];
        let trimmed = slice.trim_start();
        start += slice.len() - trimmed.len();
        end = start + trimmed.trim_end().len();
    }
    (end > start).then_some(start..end)
}

#[cfg(test)]
mod tests;
