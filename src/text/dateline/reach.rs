//! A quick test that a field can have no dateline: every dateline ends in an agency's `(`,
//! a dash or a colon, read between its tokens, so a field with none of those bytes between
//! its first [`MAX_TOKENS`] tokens and the one after has none.

use super::MAX_TOKENS;

/// False only if the field `text`, with its tokens at `spans`, has no dateline: no byte
/// that may begin a dateline's closing mark ([`may_close`]) lies between its tokens before
/// the start of token [`MAX_TOKENS`] (or, with fewer tokens, before the text's end). The
/// dateline's reader moves past a token only by reading it, and reads its marks only
/// between tokens, after at most [`MAX_TOKENS`] of them; the bytes inside tokens (the
/// hyphens of "long-term") are not looked at. True for spans out of order or out of
/// `text`.
pub(super) fn closing_mark_in_reach(text: &str, spans: &[(usize, usize)]) -> bool {
    let bytes = text.as_bytes();
    let mut gap_start = 0;
    for &(start, end) in spans.iter().take(MAX_TOKENS + 1) {
        let Some(gap) = bytes.get(gap_start..start) else { return true };
        if gap.iter().any(|&byte| may_close(byte)) {
            return true;
        }
        gap_start = end;
    }
    spans.len() <= MAX_TOKENS && bytes.get(gap_start..).is_none_or(|rest| rest.iter().any(|&byte| may_close(byte)))
}

/// Whether `byte` may begin a dateline's closing mark: an agency's `(`, a hyphen, a colon,
/// or the first byte of `—` and `–` (and of the other marks of U+2000 to U+2FFF).
#[inline]
fn may_close(byte: u8) -> bool {
    matches!(byte, b'(' | b'-' | b':' | 0xE2)
}
