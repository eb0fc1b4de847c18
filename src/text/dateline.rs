//! News datelines: where a story was filed, written before its first sentence —
//! "BRUSSELS (Reuters) - ", "CANBERRA, Australia (AP) -- ", "WASHINGTON — ",
//! "UNITED NATIONS (AFP) ", "MOSCOW: ". A dateline names a place, not a party to the story.
//!
//! Read off a field's token spans as the tokenizer left them (no second tokenization) and
//! the bytes between them. At the start of the field, after any whitespace:
//! - optionally the feed's credit, one to three capitalized words and a dash
//!   ("Canadian Press - ", "SPACE.com - "), kept only when a dateline follows it;
//! - the place: one to five words written in capitals ("UNITED NATIONS", "ST. LOUIS",
//!   "BRUSSELS/SAO PAULO");
//! - up to three parts after a comma, each one to four words that start with a capital or
//!   a digit (", Australia", ", Colo.", ", N.Y., June 19, 2016"), the first of which may be
//!   a date without a comma ("JERUSALEM Aug. 23, 2004");
//! - then an agency in brackets, one to four words that start with a capital, or one word
//!   in lowercase ("(AP)", "(Sports Network)", "(dpa)"), optionally followed by a dash or a
//!   colon; or a dash (`-`, `--`, `—`, `–`) or a colon alone.
//!
//! A place in capitalized words ("Athens, Greece (Sports Network) - ") counts only with a
//! comma part and an agency or a dash. Nothing else is a dateline: "CHINA and Japan agreed"
//! has no dash or agency after its place, and the words of a dateline stay on one line.

mod reach;
mod words;

use words::{capitals, starts_digit, starts_upper, MONTHS};

/// The dateline at the start of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dateline {
    /// How many of the field's first tokens it holds.
    pub tokens: usize,
    /// The byte just past it: past its dash or colon and the spaces after, or past its
    /// agency's `)` without one.
    pub end: usize,
}

/// The most words of a place written in capitals.
const MAX_PLACE_WORDS: usize = 5;
/// The most words of a place in capitalized words, or of a credit.
const MAX_WORDS: usize = 3;
/// The most comma parts after the place.
const MAX_PARTS: usize = 3;
/// The most words of one comma part or of an agency.
const MAX_PART_WORDS: usize = 4;
/// The most tokens a dateline holds: a credit, a place, its parts (a date is two tokens)
/// and an agency, each at its most. No token at or past it is in a dateline, so a reader
/// that cares only about tokens past it need not look for one.
pub const MAX_TOKENS: usize =
    MAX_WORDS + larger(MAX_PLACE_WORDS, MAX_WORDS) + MAX_PARTS * larger(MAX_PART_WORDS, DATE_TOKENS) + MAX_PART_WORDS;
/// The tokens of a date part: a month and a day.
const DATE_TOKENS: usize = 2;

const fn larger(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// The longest agency, brackets included, in bytes.
const MAX_AGENCY_BYTES: usize = 40;

/// The dateline at the start of `text`, whose tokens are at `spans` (the tokenizer's
/// `(start, end)` byte ranges, in order), if it has one.
pub fn find(text: &str, spans: &[(usize, usize)]) -> Option<Dateline> {
    if !reach::closing_mark_in_reach(text, spans) {
        return None;
    }
    find_in_full(text, spans)
}

/// [`find`] without its quick test: the dateline read from the start.
fn find_in_full(text: &str, spans: &[(usize, usize)]) -> Option<Dateline> {
    let start = Reader { text, spans, at: 0, token: 0 };
    let mut after_credit = start;
    if after_credit.credit() {
        if let Some(dateline) = after_credit.dateline() {
            return Some(dateline);
        }
    }
    start.dateline()
}

/// How a place is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceCase {
    /// Every word in capitals: "UNITED NATIONS".
    Capitals,
    /// Every word capitalized, not all in capitals: "Athens".
    Capitalized,
}

/// A position in a field: a byte and the index of the first token not yet read.
#[derive(Debug, Clone, Copy)]
struct Reader<'a> {
    text: &'a str,
    spans: &'a [(usize, usize)],
    at: usize,
    token: usize,
}

impl<'a> Reader<'a> {
    /// The dateline from here: place, comma parts, then an agency, a dash or a colon.
    fn dateline(mut self) -> Option<Dateline> {
        self.blank();
        let case = self.place()?;
        let parts = self.parts();
        self.spaces();
        let closed = if self.agency() {
            let before = self;
            self.spaces();
            if !(self.dash() || self.colon()) {
                self = before;
            }
            true
        } else {
            match case {
                PlaceCase::Capitals => self.dash() || self.colon(),
                PlaceCase::Capitalized => self.dash(),
            }
        };
        let counts = closed && (case == PlaceCase::Capitals || parts > 0);
        counts.then_some(Dateline { tokens: self.token, end: self.at })
    }

    /// The feed's credit and its dash, read if there; whether it was. A word after the
    /// first starts with a capital or follows a `.` with no space ("SPACE.com").
    fn credit(&mut self) -> bool {
        let mut reader = *self;
        reader.blank();
        let mut words = 0;
        while words < MAX_WORDS {
            let before = reader;
            let joined = words > 0 && reader.eat(".");
            if !joined {
                reader.spaces();
            }
            match reader.word() {
                Some(word) if joined || starts_upper(word) => reader.take_word(),
                _ => {
                    reader = before;
                    break;
                }
            }
            words += 1;
        }
        let found = words > 0 && reader.dash();
        if found {
            *self = reader;
        }
        found
    }

    /// The place's words, read; how it is written, if it has one to [`MAX_PLACE_WORDS`]
    /// words in capitals or one to [`MAX_WORDS`] capitalized words.
    fn place(&mut self) -> Option<PlaceCase> {
        let first = self.word()?;
        let (case, most) = if capitals(first) {
            (PlaceCase::Capitals, MAX_PLACE_WORDS)
        } else if starts_upper(first) {
            (PlaceCase::Capitalized, MAX_WORDS)
        } else {
            return None;
        };
        let fits = |word: &str| match case {
            PlaceCase::Capitals => capitals(word),
            PlaceCase::Capitalized => starts_upper(word),
        };
        self.take_word();
        let mut words = 1;
        loop {
            let before = *self;
            self.eat(".");
            if !self.eat("/") {
                self.spaces();
            }
            if !self.word().is_some_and(fits) {
                *self = before;
                break;
            }
            if words == most {
                return None;
            }
            self.take_word();
            words += 1;
        }
        Some(case)
    }

    /// The parts after the place, read; how many. Each follows a comma ("Australia",
    /// "N.Y.", "June 19", "2016"), except a date right after the place ("JERUSALEM Aug. 23,
    /// 2004 - "). A comma after the last part is read too ("KANSAS CITY, Mo., (Sports
    /// Network)").
    fn parts(&mut self) -> usize {
        let mut parts = 0;
        while parts < MAX_PARTS {
            let before = *self;
            self.eat(".");
            self.spaces();
            let counts = if self.eat(",") {
                self.spaces();
                self.words(MAX_PART_WORDS, true, |word| starts_upper(word) || starts_digit(word)) > 0
            } else {
                parts == 0 && self.date()
            };
            if !counts {
                *self = before;
                break;
            }
            parts += 1;
        }
        self.eat(".");
        let before = *self;
        self.spaces();
        if !self.eat(",") {
            *self = before;
        }
        parts
    }

    /// A month and a day ("Aug. 23", "Sept 9"), read if there; whether it was.
    fn date(&mut self) -> bool {
        let before = *self;
        let month = self.word().is_some_and(|word| MONTHS.iter().any(|month| month.eq_ignore_ascii_case(word)));
        if month {
            self.take_word();
            self.eat(".");
            self.spaces();
            let day = if self.word().is_some_and(starts_digit) {
                self.take_word();
                true
            } else {
                self.one_digit()
            };
            if day {
                return true;
            }
        }
        *self = before;
        false
    }

    /// An agency in brackets, read if there; whether it was.
    fn agency(&mut self) -> bool {
        let mut reader = *self;
        let opened = reader.at;
        if !reader.eat("(") {
            return false;
        }
        reader.spaces();
        let capitalized = reader.word().is_some_and(starts_upper);
        let words = reader.words(MAX_PART_WORDS, false, |word| word.chars().next().is_some_and(char::is_alphabetic));
        reader.eat(".");
        reader.spaces();
        let closed = words > 0 && reader.eat(")") && reader.at - opened <= MAX_AGENCY_BYTES;
        // A lowercase agency is one word ("(dpa)", "(newratings.com)"), not an aside.
        let one_word = || reader.text.get(opened..reader.at).is_some_and(|agency| !agency.contains(' '));
        let found = closed && (capitalized || one_word());
        if found {
            *self = reader;
        }
        found
    }

    /// Up to `most` words that pass `fits` (and one-digit numbers, which are no tokens, if
    /// `numbers`), separated by spaces, `.`, `/` or `-`: how many were read. A separator
    /// after the last word is left unread.
    fn words(&mut self, most: usize, numbers: bool, fits: impl Fn(&str) -> bool) -> usize {
        let mut words = 0;
        while words < most {
            let before = *self;
            if words > 0 {
                let joined = self.eat(".") | self.eat("/") | self.eat("-");
                if !joined || self.word().is_none() {
                    self.spaces();
                }
            }
            if self.word().is_some_and(&fits) {
                self.take_word();
            } else if !(numbers && self.one_digit()) {
                *self = before;
                break;
            }
            words += 1;
        }
        words
    }

    /// A number of one digit ("9" of "Sept. 9"; the tokenizer drops one-character tokens),
    /// read if there; whether it was.
    fn one_digit(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let digit = bytes.get(self.at).is_some_and(u8::is_ascii_digit);
        let alone = !bytes.get(self.at + 1).is_some_and(u8::is_ascii_alphanumeric);
        if digit && alone {
            self.at += 1;
        }
        digit && alone
    }

    /// The next token's text, if it starts here.
    fn word(&self) -> Option<&'a str> {
        let &(start, end) = self.spans.get(self.token)?;
        (start == self.at).then(|| self.text.get(start..end)).flatten()
    }

    /// Moves past the next token.
    fn take_word(&mut self) {
        if let Some(&(_, end)) = self.spans.get(self.token) {
            self.at = end;
            self.token += 1;
        }
    }

    /// Reads `literal` if it comes next; whether it did.
    fn eat(&mut self, literal: &str) -> bool {
        let here = self.text.get(self.at..).is_some_and(|rest| rest.starts_with(literal));
        if here {
            self.at += literal.len();
        }
        here
    }

    /// A dash (`-`, `--`, `---`, `—`, `–`) after any spaces, read if there; whether it was.
    fn dash(&mut self) -> bool {
        let before = *self;
        self.spaces();
        let found = self.eat("—") || self.eat("–") || {
            let hyphens = (0..3).take_while(|_| self.eat("-")).count();
            hyphens > 0
        };
        if found {
            self.spaces();
        } else {
            *self = before;
        }
        found
    }

    /// A colon after any spaces, read if there; whether it was.
    fn colon(&mut self) -> bool {
        let before = *self;
        self.spaces();
        let found = self.eat(":");
        if found {
            self.spaces();
        } else {
            *self = before;
        }
        found
    }

    /// Skips any whitespace, line breaks included (before the dateline).
    fn blank(&mut self) {
        let rest = self.text.get(self.at..).unwrap_or_default();
        self.at += rest.len() - rest.trim_start().len();
    }

    /// Skips spaces and tabs: a dateline stays on one line.
    fn spaces(&mut self) {
        let rest = self.text.get(self.at..).unwrap_or_default();
        let skipped: usize =
            rest.chars().take_while(|&c| c == ' ' || c == '\t' || c == '\u{a0}').map(char::len_utf8).sum();
        self.at += skipped;
    }
}

#[cfg(test)]
mod tests;
