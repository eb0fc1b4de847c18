//! Marks on token keys, read by the lookups the analysis makes anyway: a caller that
//! tests every token of an article against a small set of keys (the actors' first keys)
//! gives the vectorizer those keys with a two-bit mark each ([`TfIdf::mark_tokens`]), and
//! the analysis lists the tokens whose key may carry a mark ([`super::Analysis::marked`]),
//! with no load of its own.
//!
//! A vocabulary term's mark is kept in the low bits of its key in the lookup table
//! ([`super::table::MARK_BITS`]): the lookup loads that line already, so the mark of a token
//! found there is exact and costs a conditional move and a byte store. A token the table
//! does not find (about 3% of a news story's) is listed with [`MarkedToken::OUTSIDE`]: its
//! key may carry any mark, and the caller tests it its own way.

use super::TfIdf;

/// A token whose key may carry a mark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkedToken {
    /// Its position among its field's tokens.
    pub at: u32,
    /// Its key's mark (never 0 in [`super::Analysis::marked`]), or
    /// [`MarkedToken::OUTSIDE`].
    pub mark: u8,
}

impl MarkedToken {
    /// The mark of a token whose key is not in the vocabulary: whether its key was given a
    /// mark is unknown.
    pub const OUTSIDE: u8 = 4;
}

/// The marks a vectorizer carries: none until [`TfIdf::mark_tokens`] gives some.
#[derive(Debug, Clone, Default)]
pub(super) struct TokenMarks {
    /// The marked vocabulary keys, so that their marks can be taken away.
    in_table: Vec<u64>,
    /// Whether any key was given a mark: only then does the analysis list tokens.
    pub(super) any: bool,
}

impl TfIdf {
    /// Marks each key of `marks` with its mark (the low two bits; several marks of one key
    /// add up), taking away the marks given before: from then on each analysis lists the
    /// tokens that may carry a mark ([`super::Analysis::marked`]). No mark: the analysis
    /// lists nothing.
    pub(crate) fn mark_tokens(&mut self, marks: impl IntoIterator<Item = (u64, u8)>) {
        for key in std::mem::take(&mut self.marks.in_table) {
            self.table.set_mark(key, 0);
        }
        self.marks.any = false;
        for (key, mark) in marks {
            let mark = mark & super::table::MARK_BITS as u8;
            self.marks.any |= mark != 0;
            let slot = self.table.get(key);
            if slot != self.table.miss() {
                self.table.set_mark(key, self.table.mark_at(slot, key) | mark);
                self.marks.in_table.push(key);
            }
        }
    }

    /// Whether the analysis lists marked tokens ([`TfIdf::mark_tokens`] gave some).
    pub(crate) fn marks_tokens(&self) -> bool {
        self.marks.any
    }
}

/// Lists at the start of `list` (as long as the field's tokens and one more) the tokens
/// that may carry a mark, from the marks of a field's lookups (`marks`: with `bigrams`,
/// token `t`'s unigram is lookup `max(2t - 1, 0)`, else lookup `t`), and returns how many.
///
/// Most tokens have no mark: the marks are read eight at a time, and only the marked ones
/// of each eight are visited. Out of line, so that the loop keeps its pointers in
/// registers.
#[inline(never)]
pub(super) fn list_marked(marks: &[u8], bigrams: bool, list: &mut [MarkedToken]) -> usize {
    // Bit 7 of each byte that holds a unigram's mark.
    let unigrams: u64 = if bigrams { 0x8000_8000_8000_8000 } else { 0x8080_8080_8080_8080 };
    let token = |lookup: usize| if bigrams { lookup.div_ceil(2) } else { lookup };
    let mut len = 0;
    let mut push = |lookup: usize, mark: u8| {
        if let Some(entry) = list.get_mut(len) {
            *entry = MarkedToken { at: token(lookup) as u32, mark };
            len += 1;
        }
    };
    // With bigrams, lookup 0 (an even one) is token 0's.
    match marks.first() {
        Some(&mark) if bigrams && mark != 0 => push(0, mark),
        _ => {}
    }
    let eights = marks.chunks_exact(8);
    let rest = (marks.len() - eights.remainder().len())..marks.len();
    for (k, eight) in eights.enumerate() {
        let Ok(bytes) = <[u8; 8]>::try_from(eight) else { continue };
        // A mark is at most `MarkedToken::OUTSIDE` (4): adding 0x7f to each byte carries
        // into no other, and sets bit 7 of the byte exactly when it is not 0.
        let mut found = u64::from_le_bytes(bytes).wrapping_add(0x7f7f_7f7f_7f7f_7f7f) & unigrams;
        while found != 0 {
            let lookup = 8 * k + found.trailing_zeros() as usize / 8;
            push(lookup, eight[lookup % 8]);
            found &= found - 1;
        }
    }
    for lookup in rest {
        let mark = marks[lookup];
        if mark != 0 && (!bigrams || lookup % 2 == 1) {
            push(lookup, mark);
        }
    }
    len
}
