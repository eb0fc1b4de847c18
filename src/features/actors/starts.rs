//! The tokens of a field that may start a pattern: every token's key tested against the
//! index's first keys ([`may_start_at`]), or, when the tokenizer marked the tokens that may
//! start with a capital, only those and the few that may start a name written without one
//! ([`may_start_marked`]).

use super::index::PatternIndex;

/// The first bytes of the patterns' first tokens, as the tokenizer normalizes them, where
/// the pattern may be written without a capital ("al-Shabaab": `a`): a token whose first
/// byte in the text is ASCII and not a capital may start a pattern only if its first byte is
/// one of these (its normalized first byte is that byte itself). Up to [`Self::HELD`] bytes
/// are held and tested at once; past that, every such token is let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LowerFirstBytes {
    /// The bytes, then [`Self::UNUSED`] in the free places.
    bytes: [u8; Self::HELD],
    /// More bytes were inserted than are held: every byte may start a pattern.
    all: bool,
}

impl Default for LowerFirstBytes {
    fn default() -> Self {
        Self { bytes: [Self::UNUSED; Self::HELD], all: false }
    }
}

impl LowerFirstBytes {
    /// How many bytes are held.
    const HELD: usize = 4;
    /// A byte a free place holds: not ASCII, so a token starting with it is let through
    /// whatever the set holds.
    const UNUSED: u8 = 0x80;

    /// Adds `byte`.
    pub(super) fn insert(&mut self, byte: u8) {
        if byte >= Self::UNUSED || self.bytes.contains(&byte) {
            return;
        }
        match self.bytes.iter_mut().find(|held| **held == Self::UNUSED) {
            Some(free) => *free = byte,
            None => self.all = true,
        }
    }

    /// Whether a token whose first byte is `byte` may start a pattern by its case: a
    /// capital, a non-ASCII byte, or one of the set.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    #[inline(always)]
    fn lets_through(self, byte: u8) -> bool {
        is_capital(byte) | self.all | self.bytes.contains(&byte)
    }
}

/// Whether a token whose first byte is `byte` may start with a capital: an ASCII capital,
/// or not ASCII (a character that may be one).
#[inline(always)]
fn is_capital(byte: u8) -> bool {
    (byte.wrapping_sub(b'A') < 26) | (byte >= 0x80)
}

/// Bit `j` of the first mask: token `j` of `firsts` (at most 16) may start a pattern by
/// its case ([`LowerFirstBytes::lets_through`]); of the second: it may start with a
/// capital ([`is_capital`]).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn marks(firsts: &[u8], lower: LowerFirstBytes) -> (u32, u32) {
    firsts.iter().enumerate().fold((0, 0), |(through, capital), (j, &byte)| {
        (through | u32::from(lower.lets_through(byte)) << j, capital | u32::from(is_capital(byte)) << j)
    })
}

/// [`marks`] with SSE2, sixteen tokens at once.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn marks(firsts: &[u8], lower: LowerFirstBytes) -> (u32, u32) {
    use std::arch::x86_64::*;
    let mut block = [0u8; 16];
    let n = firsts.len().min(16);
    block[..n].copy_from_slice(&firsts[..n]);
    // SAFETY: SSE2 is part of the x86-64 baseline; `block` is 16 readable bytes and
    // `_mm_loadu_si128` has no alignment requirement.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let letter = _mm_sub_epi8(v, _mm_set1_epi8(b'A' as i8));
        let upper = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(25)), letter);
        // The sign bit of `v` itself marks the non-ASCII bytes.
        let capital = _mm_movemask_epi8(_mm_or_si128(upper, v)) as u32;
        let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let [a, b, c, d] = lower.bytes;
        let held = _mm_or_si128(_mm_or_si128(is(a), is(b)), _mm_or_si128(is(c), is(d)));
        let through = capital | _mm_movemask_epi8(held) as u32 | if lower.all { u32::MAX } else { 0 };
        let within = (1u32 << n) - 1;
        (through & within, capital & within)
    }
}

/// Writes to the start of `starts` (grown if needed) the positions of the tokens of `keys`
/// that may start a pattern, in order, and returns how many there are. Each token's test
/// moves the end on or not, without a branch: few tokens pass, and a loop that stops at
/// each of them mispredicts its exit there. Out of line, so that the loop's pointers stay
/// in registers rather than share them with the rest of the matcher.
#[inline(never)]
pub(super) fn may_start_at(index: &PatternIndex, keys: &[u64], starts: &mut Vec<u32>) -> usize {
    if starts.len() < keys.len() {
        starts.resize(keys.len(), 0);
    }
    let starts = &mut starts[..keys.len()];
    let mut found = 0;
    for (at, &key) in keys.iter().enumerate() {
        // Written every time, kept (by moving `found` on) only if the token may start one.
        starts[found] = at as u32;
        found += usize::from(index.may_start(key));
    }
    found
}

/// As [`may_start_at`] followed by [`PatternIndex::may_start_with`] at each token found,
/// given each token's first byte in the text as `firsts`: the same positions, for less.
/// Only the tokens that may start with a capital, and those whose first byte is one of
/// [`PatternIndex::lower_first_bytes`], are tested against the index's first keys (sixteen
/// tokens' bytes at once): the others start no pattern, since every pattern of their key
/// needs a capital there.
#[inline(never)]
pub(super) fn may_start_marked(index: &PatternIndex, keys: &[u64], firsts: &[u8], starts: &mut Vec<u32>) -> usize {
    if starts.len() < keys.len() {
        starts.resize(keys.len(), 0);
    }
    let starts = &mut starts[..keys.len()];
    let lower = index.lower_first_bytes();
    let mut found = 0;
    for (block, (keys, firsts)) in keys.chunks(16).zip(firsts.chunks(16)).enumerate() {
        let (mut pending, capital) = marks(firsts, lower);
        while pending != 0 {
            let j = pending.trailing_zeros() as usize;
            pending &= pending - 1;
            let Some(&key) = keys.get(j) else { break };
            starts[found] = (block * 16 + j) as u32;
            found += usize::from(index.may_start_marked(key, (capital >> j) & 1 != 0));
        }
    }
    found
}

/// The first byte of the token at `(start, end)` in `text`, if any.
#[inline]
pub(super) fn first_byte(text: &str, (start, _): (usize, usize)) -> Option<u8> {
    text.as_bytes().get(start).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_marks_are_each_bytes_own(
            firsts in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
            held in proptest::collection::vec(proptest::num::u8::ANY, 0..6),
        ) {
            let mut lower = LowerFirstBytes::default();
            held.iter().for_each(|&byte| lower.insert(byte));
            let firsts = &firsts[..firsts.len().min(16)];
            let (through, capital) = marks(firsts, lower);
            for (j, &byte) in firsts.iter().enumerate() {
                let capitalized = byte.is_ascii_uppercase() || !byte.is_ascii();
                proptest::prop_assert_eq!(capital >> j & 1 != 0, capitalized);
                proptest::prop_assert_eq!(through >> j & 1 != 0, lower.lets_through(byte));
                // Never turned away: a capital, or a byte of the set.
                if capitalized || held.contains(&byte) {
                    proptest::prop_assert!(through >> j & 1 != 0);
                }
            }
            proptest::prop_assert_eq!(through >> firsts.len(), 0);
            proptest::prop_assert_eq!(capital >> firsts.len(), 0);
        }
    }

    #[test]
    fn a_few_lower_first_bytes_turn_the_other_lower_case_tokens_away() {
        let mut lower = LowerFirstBytes::default();
        lower.insert(b'a');
        let (through, capital) = marks(b"aXbaZ\xC3z.", lower);
        assert_eq!((through, capital), (0b11_1011, 0b11_0010));
        for byte in *b"bcdefg" {
            lower.insert(byte);
        }
        assert!(lower.lets_through(b'z'), "past the bytes held, every byte is let through");
    }
}
