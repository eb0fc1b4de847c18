//! The tokens of a field that may start a pattern, found before any is matched, each with
//! the index slot its lookup reads first prefetched: from the index's bit sets
//! ([`bit_set_starts`]), or from the marks the vectorizer's analysis read for the tokens
//! ([`marked_starts`], see [`super::Gazetteer::first_key_marks`]).

use super::index::PatternIndex;
use crate::features::vectorizer::MarkedToken;

/// Writes to the start of `starts` (grown if needed) the positions of the tokens of `keys`
/// (with byte ranges `spans` in `text`) that may start a pattern by the index's bit sets
/// ([`PatternIndex::may_start_with`]), in order, and returns how many there are.
pub(super) fn bit_set_starts(
    index: &PatternIndex,
    keys: &[u64],
    spans: &[(usize, usize)],
    text: &str,
    starts: &mut Vec<u32>,
) -> usize {
    let found = may_start_at(index, keys, starts);
    let starts = &mut starts[..found];
    let mut kept = 0;
    for k in 0..starts.len() {
        let at = starts[k] as usize;
        starts[kept] = at as u32;
        index.prefetch_slot(keys[at]);
        kept += usize::from(index.may_start_with(keys[at], first_byte(text, spans[at])));
    }
    kept
}

/// [`bit_set_starts`] from the tokens the analysis marked with the gazetteer's first-key
/// marks (`marked`, in order; positions past `keys` are passed over): a bit set is read
/// only for a token outside the vectorizer's vocabulary, whose mark is unknown.
pub(super) fn marked_starts(
    index: &PatternIndex,
    keys: &[u64],
    spans: &[(usize, usize)],
    text: &str,
    marked: &[MarkedToken],
    starts: &mut Vec<u32>,
) -> usize {
    if starts.len() < marked.len() {
        starts.resize(marked.len(), 0);
    }
    let mut kept = 0;
    for token in marked {
        let at = token.at as usize;
        let (Some(&key), Some(&span)) = (keys.get(at), spans.get(at)) else { continue };
        starts[kept] = token.at;
        index.prefetch_slot(key);
        let first_byte = first_byte(text, span);
        let may_start = match token.mark {
            MarkedToken::OUTSIDE => index.may_start_with(key, first_byte),
            mark => PatternIndex::may_start_marked(mark, first_byte),
        };
        kept += usize::from(may_start);
    }
    kept
}

/// Writes to the start of `starts` (grown if needed) the positions of the tokens of `keys`
/// that may start a pattern, in order, and returns how many there are. Each token's test
/// moves the end on or not, without a branch: few tokens pass, and a loop that stops at
/// each of them mispredicts its exit there. Out of line, so that the loop's pointers stay
/// in registers rather than share them with the rest of the matcher.
#[inline(never)]
fn may_start_at(index: &PatternIndex, keys: &[u64], starts: &mut Vec<u32>) -> usize {
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

/// The first byte of the token at `(start, end)` in `text`, if any.
#[inline]
fn first_byte(text: &str, (start, _): (usize, usize)) -> Option<u8> {
    text.as_bytes().get(start).copied()
}
