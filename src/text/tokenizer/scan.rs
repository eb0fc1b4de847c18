//! The fast span scanner: the same spans as [`reference::for_each_span`], found 64 bytes at a
//! time.
//!
//! Each 64-byte window of the text is classified at once into two bit masks: ASCII
//! alphanumeric bytes (`word`), and the bytes where something can start (`interesting`:
//! alphanumerics, non-ASCII bytes, `&` and `#`). Every other byte is a separator that the
//! reference skips one at a time, so the scanner jumps straight to the next interesting byte,
//! and a run of ASCII alphanumerics ends at the next zero of `word`. A run whose next byte
//! cannot join, start an abbreviation or end a bare entity name is a whole token; everything
//! else (joiners, `;`, non-ASCII, entity debris) is handed to the reference functions, which
//! return where the reference would continue. So the two agree by construction, and the
//! property tests in `tests.rs` check that they do.

use super::reference;

/// Calls `emit(start, end, ascii)` for every raw word span (before length filtering), exactly
/// the spans of [`reference::for_each_span`]; `ascii` tells that the span is all ASCII.
///
/// One window of 64 bytes at a time, [`STRIDE`] bytes apart: the interesting bytes of the
/// window's first `STRIDE` bytes are visited through their mask, and a run of ASCII
/// alphanumerics that ends inside the window is a whole token, emitted straight from the
/// masks, if the byte after it is in [`Window::ends`] (a space, most punctuation) or
/// [`ends_plain_token`] says so (`.`, `,` or `-` that neither joins nor abbreviates).
/// Windows overlap so that a run starting in the first `STRIDE` bytes ends inside the window
/// unless it is longer than `64 - STRIDE` bytes. Everything else (longer runs, joiners,
/// `;`, non-ASCII, entity debris) takes [`general`], which returns where to go on.
#[inline]
pub(crate) fn for_each_span(text: &str, mut emit: impl FnMut(usize, usize, bool)) {
    for_each_span_with(text, (), |(), start, end, ascii| emit(start, end, ascii));
}

/// [`for_each_span`] with the state `emit` writes to handed in as `state`, beside `emit`
/// rather than captured by it, and handed back at the end: a local of the scan, its fields
/// can stay in registers through the scan's loop, where a closure's captured references
/// would be read and written through memory at every token.
#[inline]
pub(crate) fn for_each_span_with<S>(text: &str, state: S, emit: impl FnMut(&mut S, usize, usize, bool)) -> S {
    #[cfg(target_arch = "x86_64")]
    if with_bit_instructions() {
        // SAFETY: the processor has every feature `scan_with_bit_instructions` enables.
        return unsafe { scan_with_bit_instructions(text, state, emit) };
    }
    scan(text, state, emit)
}

/// Whether the processor has the bit-manipulation instructions (BMI1, BMI2, LZCNT) and AVX2
/// that [`scan_with_bit_instructions`] is compiled for; detected once, then a load.
#[cfg(target_arch = "x86_64")]
#[inline]
fn with_bit_instructions() -> bool {
    std::arch::is_x86_feature_detected!("bmi1")
        && std::arch::is_x86_feature_detected!("bmi2")
        && std::arch::is_x86_feature_detected!("lzcnt")
        && std::arch::is_x86_feature_detected!("avx2")
}

/// [`scan`] compiled with BMI1, BMI2, LZCNT and AVX2: the mask loops' `trailing_zeros`,
/// shifts and lowest-bit clears become single instructions, and the SSE2 classification
/// takes the three-operand forms.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi1,bmi2,lzcnt,avx2")]
unsafe fn scan_with_bit_instructions<S>(text: &str, state: S, emit: impl FnMut(&mut S, usize, usize, bool)) -> S {
    scan(text, state, emit)
}

/// The scan itself, for any x86-64 processor (and others).
#[inline(always)]
pub(super) fn scan<S>(text: &str, mut state: S, mut emit: impl FnMut(&mut S, usize, usize, bool)) -> S {
    let bytes = text.as_bytes();
    let mut base = 0;
    // Where the scan goes on: at or after `base`, below `base + STRIDE` inside the window.
    let mut i = 0;
    while base < bytes.len() {
        let window = Window::at(bytes, base);
        let starts = window.interesting & (u64::MAX >> (64 - STRIDE));
        let mut pending = starts & (u64::MAX << (i - base));
        while pending != 0 {
            let p = pending.trailing_zeros();
            let run = !(window.word >> p);
            // Zeros shifted in at the top become ones: a run that reaches the window's end
            // ends at 64 here, and goes the general way.
            let e = p + run.trailing_zeros();
            let (start, end) = (base + p as usize, base + e as usize);
            if run & 1 == 0 && e < 64 && ((window.ends >> e) & 1 != 0 || ends_plain_token(bytes, start, end)) {
                emit(&mut state, start, end, true);
                i = end;
            } else {
                let (next, token) = general(text, start);
                if let Some((start, end, ascii)) = token {
                    emit(&mut state, start, end, ascii);
                }
                i = next;
            }
            if i >= base + STRIDE {
                break;
            }
            pending = starts & (u64::MAX << (i - base));
        }
        base = i.max(base + STRIDE);
        i = base;
    }
    state
}

/// Bytes between the starts of consecutive windows.
const STRIDE: usize = 48;

/// What the scan does at the interesting byte `i` the masks do not settle: the ASCII run
/// from `i` measured byte by byte and, if the byte after it does not join or start anything,
/// taken as a token; an all-ASCII word of runs joined by `-` or by `.` `,` between digits
/// ([`joined_ascii_end`]) as well; otherwise the reference's own functions. Returns where
/// the scan goes on, and the token found there if any (at most one: each of the reference's
/// functions gives at most one), as `(start, end, ascii)`. Returned rather than handed to
/// the scan's `emit`, so that `emit` never leaves the scan's loop and its state can stay in
/// registers there.
#[inline(never)]
fn general(text: &str, i: usize) -> (usize, Option<(usize, usize, bool)>) {
    let bytes = text.as_bytes();
    let b = bytes[i];
    let mut token = None;
    let next = if b.is_ascii_alphanumeric() {
        let end = ascii_run_end(bytes, i);
        if ends_plain_token(bytes, i, end) || is_general_punctuation(bytes, end) {
            token = Some((i, end, true));
            end
        } else if let Some(end) = joined_ascii_end(bytes, end) {
            token = Some((i, end, true));
            end
        } else {
            reference::scan_ascii_start(text, i, &mut |s, e| token = Some((s, e, bytes[s..e].is_ascii())))
        }
    } else if is_general_punctuation(bytes, i) {
        i + 3
    } else if b >= 0x80 {
        reference::scan_non_ascii_start(text, i, &mut |s, e| token = Some((s, e, false)))
    } else {
        reference::entity_end(bytes, i).unwrap_or(i + 1)
    };
    (next, token)
}

/// Whether the character at `i` is one of U+2000 to U+203F (UTF-8 `E2 80 xx`): spaces,
/// dashes, curly quotes, bullets and ellipses, the non-ASCII bytes of most English news.
/// None of them is a word character or joins one, so each is a separator, as in the
/// reference (tested), found here without decoding it or looking it up.
#[inline]
fn is_general_punctuation(bytes: &[u8], i: usize) -> bool {
    bytes.get(i) == Some(&0xE2) && bytes.get(i + 1) == Some(&0x80)
}

/// The end of the run of ASCII alphanumerics from `start`.
#[inline(always)]
fn ascii_run_end(bytes: &[u8], start: usize) -> usize {
    start + bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count()
}

/// Where the word ends whose first run of ASCII alphanumerics ends at `end`, if that run is
/// joined to the next (`long-term`, `1,000.5`) and the whole word is ASCII: what the
/// reference's `word_end` gives. The reference's other rules at a word's start cannot apply
/// then: a bare entity name needs `;` after its letters, and an abbreviation a single letter
/// followed by `.` (a digit, here). `None` (the reference decides) if the first run is not
/// joined, or if a non-ASCII byte follows a run or a hyphen (a word may go on in another
/// script).
#[inline]
fn joined_ascii_end(bytes: &[u8], mut end: usize) -> Option<usize> {
    let mut joined = false;
    loop {
        let next = bytes.get(end).copied().unwrap_or(b' ');
        let after = bytes.get(end + 1).copied().unwrap_or(b' ');
        let joins = match next {
            b'-' if after >= 0x80 => return None,
            b'-' => after.is_ascii_alphanumeric(),
            b'.' | b',' => bytes[end - 1].is_ascii_digit() && after.is_ascii_digit(),
            b if b >= 0x80 => return None,
            _ => false,
        };
        if !joins {
            return joined.then_some(end);
        }
        joined = true;
        end = ascii_run_end(bytes, end + 1);
    }
}

/// Whether the ASCII alphanumeric run `start..end` is a whole token by itself: the byte after
/// it neither joins it to more (`-` before a word, `.` or `,` between digits), nor makes it
/// an abbreviation (`U.S.`) or an entity name (`quot;`), nor continues it (non-ASCII).
/// Computed without branches: which way it goes depends on the text and would mispredict.
#[inline(always)]
fn ends_plain_token(bytes: &[u8], start: usize, end: usize) -> bool {
    let next = bytes.get(end).copied().unwrap_or(b' ');
    let after = bytes.get(end + 1).copied().unwrap_or(b' ');
    let class = NEXT_CLASS[usize::from(next)];
    let between_digits = bytes[end - 1].is_ascii_digit() & after.is_ascii_digit();
    let abbreviation = (next == b'.') & (end - start == 1);
    let before_word = after.is_ascii_alphanumeric() | (after >= 0x80);
    (class == ENDS) | ((class == POINT) & !between_digits & !abbreviation) | ((class == HYPHEN) & !before_word)
}

/// What the byte after an alphanumeric run means: it ends the token ([`ENDS`]), it may join
/// digits or end an abbreviation ([`POINT`]: `.` `,`), it may join words ([`HYPHEN`]), or the
/// reference has to look ([`LOOK`]: `;` and non-ASCII bytes).
const ENDS: u8 = 0;
const POINT: u8 = 1;
const HYPHEN: u8 = 2;
const LOOK: u8 = 3;
static NEXT_CLASS: [u8; 256] = {
    let mut table = [ENDS; 256];
    let mut b = 0x80;
    while b < 256 {
        table[b] = LOOK;
        b += 1;
    }
    table[b'.' as usize] = POINT;
    table[b',' as usize] = POINT;
    table[b'-' as usize] = HYPHEN;
    table[b';' as usize] = LOOK;
    table
};

/// The masks of the 64 bytes from a start; bit `j` is byte `start + j`.
struct Window {
    /// ASCII alphanumerics.
    word: u64,
    /// Where something can start: alphanumerics, non-ASCII bytes, `&` and `#`.
    interesting: u64,
    /// The bytes after which a run of alphanumerics is a whole token whatever surrounds it
    /// ([`ENDS`] in [`NEXT_CLASS`]): ASCII, neither alphanumeric nor `.` `,` `-` `;`.
    ends: u64,
}

impl Window {
    #[inline(always)]
    fn at(bytes: &[u8], start: usize) -> Self {
        let (word, interesting, ends) = match bytes.get(start..start + 64) {
            Some(block) => classify(block.try_into().unwrap_or(&[0; 64])),
            None => {
                // The text's last bytes, padded with NULs (a separator).
                let mut block = [0u8; 64];
                let rest = &bytes[start.min(bytes.len())..];
                block[..rest.len()].copy_from_slice(rest);
                classify(&block)
            }
        };
        Self { word, interesting, ends }
    }
}

/// `(word, interesting, ends)` masks of a 64-byte block, with SSE2.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64]) -> (u64, u64, u64) {
    // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 processor has it.
    unsafe { classify_sse2(block) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn classify_sse2(block: &[u8; 64]) -> (u64, u64, u64) {
    use std::arch::x86_64::*;
    let mut word = 0u64;
    let mut interesting = 0u64;
    let mut not_ends = 0u64;
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` is 16 readable bytes; `_mm_loadu_si128` has no alignment requirement.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) };
        let digit = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
        let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit);
        let letter = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(b'a' as i8));
        let is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(25)), letter);
        let alnum = _mm_or_si128(is_digit, is_letter);
        let entity =
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'&' as i8)), _mm_cmpeq_epi8(v, _mm_set1_epi8(b'#' as i8)));
        // The sign bit of `v` itself marks the non-ASCII bytes.
        let starts = _mm_or_si128(_mm_or_si128(alnum, entity), v);
        let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let joins = _mm_or_si128(_mm_or_si128(is(b'.'), is(b',')), _mm_or_si128(is(b'-'), is(b';')));
        let not_end = _mm_or_si128(_mm_or_si128(alnum, joins), v);
        word |= u64::from(_mm_movemask_epi8(alnum) as u16) << (16 * k);
        interesting |= u64::from(_mm_movemask_epi8(starts) as u16) << (16 * k);
        not_ends |= u64::from(_mm_movemask_epi8(not_end) as u16) << (16 * k);
    }
    (word, interesting, !not_ends)
}

/// `(word, interesting, ends)` masks of a 64-byte block, one byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn classify_scalar(block: &[u8; 64]) -> (u64, u64, u64) {
    let mut word = 0u64;
    let mut interesting = 0u64;
    let mut ends = 0u64;
    for (j, &b) in block.iter().enumerate() {
        let alnum = b.is_ascii_alphanumeric();
        word |= u64::from(alnum) << j;
        interesting |= u64::from(alnum || b >= 0x80 || b == b'&' || b == b'#') << j;
        ends |= u64::from(!alnum && NEXT_CLASS[usize::from(b)] == ENDS) << j;
    }
    (word, interesting, ends)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn classify(block: &[u8; 64]) -> (u64, u64, u64) {
    classify_scalar(block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn simd_masks_equal_scalar_masks(block in proptest::array::uniform32(any::<u8>()), other in proptest::array::uniform32(any::<u8>())) {
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(&block);
            bytes[32..].copy_from_slice(&other);
            prop_assert_eq!(classify(&bytes), classify_scalar(&bytes));
        }
    }

    #[test]
    fn general_punctuation_separates_words_as_in_the_reference() {
        // The block and its neighbours, whose letters (`ⁱ`, `ℕ`) are words.
        for c in '\u{1F00}'..='\u{2200}' {
            let text = format!("ab{c}cd {c} 1{c}2 x{c}y. {c}U.S.{c}e");
            let mut fast = Vec::new();
            for_each_span(&text, |start, end, ascii| fast.push((start, end, ascii)));
            let mut reference = Vec::new();
            reference::for_each_span(&text, |start, end| reference.push((start, end, text[start..end].is_ascii())));
            assert_eq!(fast, reference, "{c:?}");
            let in_block = ('\u{2000}'..='\u{203F}').contains(&c);
            assert_eq!(is_general_punctuation(text.as_bytes(), 2), in_block, "{c:?}");
        }
    }

    #[test]
    fn every_byte_value_is_classified_as_the_scalar_code_does() {
        for start in (0..=255u8).step_by(64) {
            let block: [u8; 64] = std::array::from_fn(|j| start.wrapping_add(j as u8));
            assert_eq!(classify(&block), classify_scalar(&block));
        }
    }
}
