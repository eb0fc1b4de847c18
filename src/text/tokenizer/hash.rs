//! 64-bit token keys: the vocabulary table is keyed by these instead of by strings.
//!
//! A unigram's key is [`bytes`] of its normalized text; a bigram `"a b"`'s key is
//! [`bigram`]`(key(a), key(b))`. The fast tokenizer computes a token's key straight from the
//! source text ([`ascii_lowercased`]), lowercasing on the fly, and gives the same value as
//! [`bytes`] of the normalized token (tested).
//!
//! The mixing step is the folded 64×64→128-bit multiply of wyhash. A word is XORed with
//! [`P0`] (or [`P1`]) before it is mixed; `P0`'s bytes (`2f 64 bd …`) put a continuation
//! byte after an ASCII byte, and `P1`'s (`db 28 …`) a lead byte before an ASCII byte, which
//! valid UTF-8 never does, so no word of a token cancels to zero.

/// Mixing constants (wyhash's).
const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;
const SEED: u64 = 0x1d8e_4e27_c47d_124f;

/// ASCII lowercasing of the bytes a token can hold (letters, digits, `-`, `.`, `,`): every
/// one of them but `A..=Z` already has bit 5 set, so OR-ing it in lowercases the whole word.
pub(crate) const LOWERCASE_ASCII: u64 = 0x2020_2020_2020_2020;

#[inline(always)]
fn mum(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

#[inline(always)]
fn absorb(state: u64, word: u64) -> u64 {
    mum(word ^ P0, state ^ P1)
}

#[inline(always)]
fn finish(state: u64, len: usize) -> u64 {
    mum(state ^ len as u64, P2)
}

/// The key of a normalized token (or of any byte string). Up to 16 bytes (nearly every
/// token): the two zero-padded little-endian 8-byte words, the length XORed into the second,
/// through one folded multiply. Longer: the words chained, then the length.
pub(crate) fn bytes(bytes: &[u8]) -> u64 {
    let word = |chunk: &[u8]| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(word)
    };
    if bytes.len() <= 16 {
        let (first, second) = bytes.split_at(bytes.len().min(8));
        return short(u128::from(word(first)) | (u128::from(word(second)) << 64), bytes.len());
    }
    let mut state = SEED;
    for chunk in bytes.chunks(8) {
        state = absorb(state, word(chunk));
    }
    finish(state, bytes.len())
}

/// The key of a token of at most 16 bytes given as [`ascii16`] gives it. Neither factor can
/// be zero: `P0`, and `P1` with a length up to 16 in its low byte, each hold a byte
/// sequence that valid UTF-8 never has.
#[inline(always)]
pub(crate) fn short(word: u128, len: usize) -> u64 {
    mum(word as u64 ^ P0, (word >> 64) as u64 ^ P1 ^ len as u64)
}

/// The ASCII token `text[start..start + len]` (`2 <= len <= 16`) lowercased by OR-ing
/// `lowercase` into every byte (see [`LOWERCASE_ASCII`]; 0 keeps the case), zero-padded to
/// 16 bytes, little-endian; `None` if fewer than 16 bytes of the text start at `start`, or
/// if `len` is over 16 (the mask would overflow: found by the tokenizer fuzz target).
#[inline(always)]
pub(crate) fn ascii16(text: &[u8], start: usize, len: usize, lowercase: u64) -> Option<u128> {
    /// The mask of the first `len` bytes, by `len`: one load instead of a 128-bit shift.
    static KEEP: [u128; 17] = {
        let mut keep = [0u128; 17];
        let mut len = 1;
        while len <= 16 {
            keep[len] = u128::MAX >> (128 - 8 * len);
            len += 1;
        }
        keep
    };
    let keep = *KEEP.get(len)?;
    let block: [u8; 16] = text.get(start..start + 16)?.try_into().ok()?;
    let lowercase = u128::from(lowercase) | (u128::from(lowercase) << 64);
    Some((u128::from_le_bytes(block) | lowercase) & keep)
}

/// The key of the ASCII token `text[start..end]`, lowercased on the fly with `lowercase` as
/// in [`ascii16`]: equal to [`bytes`] of the normalized token.
#[inline(always)]
pub(crate) fn ascii_lowercased(text: &[u8], start: usize, end: usize, lowercase: u64) -> u64 {
    let len = end - start;
    if (2..=16).contains(&len) {
        if let Some(word) = ascii16(text, start, len, lowercase) {
            return short(word, len);
        }
    }
    ascii_lowercased_slow(&text[start..end], lowercase)
}

/// [`ascii_lowercased`] for long tokens and tokens at the very end of the text.
#[inline(never)]
fn ascii_lowercased_slow(token: &[u8], lowercase: u64) -> u64 {
    // As `bytes` on the lowercased token, a word at a time: nothing is allocated.
    let word = |chunk: &[u8]| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        let padding = 8 * (8 - chunk.len() as u32);
        u64::MAX.checked_shr(padding).map_or(0, |keep| (u64::from_le_bytes(word) | lowercase) & keep)
    };
    if token.len() <= 16 {
        let (first, second) = token.split_at(token.len().min(8));
        return short(u128::from(word(first)) | (u128::from(word(second)) << 64), token.len());
    }
    let mut state = SEED;
    for chunk in token.chunks(8) {
        state = absorb(state, word(chunk));
    }
    finish(state, token.len())
}

/// The key of the bigram `"a b"` from the keys of `a` and `b`.
#[inline(always)]
pub(crate) fn bigram(first: u64, second: u64) -> u64 {
    mum(first ^ P2, second ^ P3)
}

/// The key of a token (as [`term`] gives it, without looking for a space).
#[inline]
pub(crate) fn token(token: &str) -> u64 {
    bytes(token.as_bytes())
}

/// The key of a vocabulary term: a bigram if it holds a space (tokens never do), else a
/// unigram.
pub(crate) fn term(term: &str) -> u64 {
    match term.split_once(' ') {
        Some((first, second)) => bigram(bytes(first.as_bytes()), bytes(second.as_bytes())),
        None => bytes(term.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_keys_equal_keys_of_the_lowercased_text() {
        let text = b"Hello WORLD-wide 1,000.5 x antidisestablishmentarianism ab";
        for (start, end) in [(0, 5), (6, 16), (17, 24), (25, 26), (27, 55), (56, 58), (0, 58)] {
            let lowered = text[start..end].to_ascii_lowercase();
            assert_eq!(ascii_lowercased(text, start, end, LOWERCASE_ASCII), bytes(&lowered));
            assert_eq!(ascii_lowercased(text, start, end, 0), bytes(&text[start..end]));
        }
    }

    #[test]
    fn keys_tell_apart_lengths_orders_and_bigrams() {
        assert_ne!(bytes(b"ab"), bytes(b"ab\0"));
        assert_ne!(bytes(b""), bytes(b"\0"));
        assert_ne!(term("a b"), term("b a"));
        assert_ne!(term("ab"), term("a b"));
        assert_eq!(term("new york"), bigram(bytes(b"new"), bytes(b"york")));
    }

    #[test]
    fn ascii16_refuses_tokens_over_16_bytes() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        assert!(ascii16(text, 0, 16, 0).is_some());
        for len in [17, 32, 100] {
            assert_eq!(ascii16(text, 0, len, 0), None, "{len}");
        }
    }
}
