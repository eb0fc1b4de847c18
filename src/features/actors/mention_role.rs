//! What a mention does in its sentence, read off the tokens around it: a state named as the
//! place where something happens ("talks in Geneva", "arrived in Moscow", "in Berlin,
//! Germany"), a demonym describing a person ("a Syrian child", "Chinese tourists"), or an
//! actor; or no actor at all ("US$3 billion" is an amount). Run only at a matched mention,
//! never per token.
//!
//! LABELS.md counts a capital "used for the government" as the state ("Beijing said"), not
//! a place where a meeting is held; the relation tally weighs a place or a descriptor by
//! its own setting (`RelationSettings::place_weight`, `descriptor_weight`), and the actor
//! stays listed and counted either way.

use super::{ActorKind, Role};

/// How a mention names its actor in its sentence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MentionRole {
    /// The actor itself, or a name read as one.
    #[default]
    Actor,
    /// A state's name, seat or acronym after a locative preposition ("in", "at", "near", …,
    /// optionally with "the"), or after such a place and a comma ("in Wuhan, China.").
    Place,
    /// A demonym right before a word for a person ("a French journalist").
    Descriptor,
}

/// Prepositions that make the name after them a place.
const LOCATIVE: [&str; 9] = ["in", "at", "near", "inside", "outside", "within", "throughout", "across", "around"];

/// Words for people that a demonym before them describes rather than stands for its state.
const PERSONS: [&str; 40] = [
    "man",
    "men",
    "woman",
    "women",
    "child",
    "children",
    "boy",
    "boys",
    "girl",
    "girls",
    "toddler",
    "baby",
    "people",
    "citizen",
    "citizens",
    "national",
    "nationals",
    "tourist",
    "tourists",
    "journalist",
    "journalists",
    "reporter",
    "reporters",
    "student",
    "students",
    "worker",
    "workers",
    "migrant",
    "migrants",
    "refugee",
    "refugees",
    "family",
    "families",
    "passenger",
    "passengers",
    "author",
    "writer",
    "businessman",
    "athlete",
    "athletes",
];

/// The length and first letter of some words, as a set: bit `letter` of `lengths[len]`, for
/// a word of `len` bytes starting with the lowercase ASCII letter `b'a' + letter`. A token
/// whose shape is not in the set is none of the words, known without comparing it to any.
struct Shapes {
    lengths: [u32; Shapes::LONGEST + 1],
}

impl Shapes {
    /// The longest word a set holds, in bytes.
    const LONGEST: usize = 15;

    /// The shapes of `words`, each of lowercase ASCII letters and at most
    /// [`Shapes::LONGEST`] bytes long.
    const fn of(words: &[&str]) -> Self {
        let mut lengths = [0u32; Self::LONGEST + 1];
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_bytes();
            assert!(!word.is_empty() && word.len() <= Self::LONGEST && word[0].is_ascii_lowercase());
            lengths[word.len()] |= 1 << (word[0] - b'a');
            i += 1;
        }
        Self { lengths }
    }

    /// The set with `word` added too.
    const fn with(self, word: &str) -> Self {
        let mut lengths = self.lengths;
        let more = Self::of(&[word]);
        let mut len = 0;
        while len <= Self::LONGEST {
            lengths[len] |= more.lengths[len];
            len += 1;
        }
        Self { lengths }
    }

    /// Whether a word of the set may be `token` written in any ASCII case.
    #[inline]
    fn may_hold_any_case(&self, token: &str) -> bool {
        self.may_hold(token.len(), token.as_bytes().first().map_or(0, |byte| byte | 0x20))
    }

    /// Whether a word of the set may be `token` as written.
    #[inline]
    fn may_hold_as_written(&self, token: &str) -> bool {
        self.may_hold(token.len(), token.as_bytes().first().copied().unwrap_or(0))
    }

    /// Whether a word of the set has `len` bytes and starts with `first`.
    #[inline]
    fn may_hold(&self, len: usize, first: u8) -> bool {
        let letter = first.wrapping_sub(b'a');
        letter < 26 && self.lengths.get(len).is_some_and(|letters| letters & (1 << letter) != 0)
    }
}

/// The shapes of [`LOCATIVE`] and "the": the words a walk back from a mention goes on at.
static WALK_SHAPES: Shapes = Shapes::of(&LOCATIVE).with("the");

/// The shapes of [`PERSONS`].
static PERSON_SHAPES: Shapes = Shapes::of(&PERSONS);

/// The most tokens walked back from a mention to its preposition ("in the", "at Wuhan ,").
const MAX_WALK_BACK: usize = 3;

/// The role of the mention of `len` tokens at token `at` of a field, whose tokens have byte
/// ranges `spans` in `text`; `role` is the matched row's, `kind` its actor's. `None`: the
/// words name no actor at all, an acronym written as a currency's prefix ("US$3 billion").
pub(super) fn classify(
    role: Option<Role>,
    kind: ActorKind,
    spans: &[(usize, usize)],
    at: usize,
    len: usize,
    text: &str,
) -> Option<MentionRole> {
    let end = spans.get(at + len - 1).map_or(0, |span| span.1);
    if role == Some(Role::Acronym) && text.get(end..).is_some_and(|rest| rest.starts_with('$')) {
        return None;
    }
    let place_roles = matches!(role, Some(Role::Name | Role::Seat | Role::Acronym | Role::Ambiguous));
    Some(if role == Some(Role::Adjective) {
        if describes_a_person(spans, at + len, text) {
            MentionRole::Descriptor
        } else {
            MentionRole::Actor
        }
    } else if place_roles && kind == ActorKind::State && names_a_place(spans, at, at + len, text) {
        MentionRole::Place
    } else {
        MentionRole::Actor
    })
}

fn word(text: &str, (start, end): (usize, usize)) -> &str {
    text.get(start..end).unwrap_or("")
}

fn gap(text: &str, before: (usize, usize), after: (usize, usize)) -> &str {
    text.get(before.1..after.0).unwrap_or("")
}

/// Whether the token after the mention (at `next`) is a person word, with only blanks
/// between.
fn describes_a_person(spans: &[(usize, usize)], next: usize, text: &str) -> bool {
    let (Some(&last), Some(&after)) = (next.checked_sub(1).and_then(|i| spans.get(i)), spans.get(next)) else {
        return false;
    };
    let after_word = word(text, after);
    PERSON_SHAPES.may_hold_as_written(after_word) && is_blank(gap(text, last, after)) && PERSONS.contains(&after_word)
}

/// Whether the mention from token `at` to `end` follows a locative preposition: right
/// before it, before "the", or before a capitalized word and a comma when the mention ends
/// its clause ("in Wuhan, China." but not "In Syria, Turkey said").
fn names_a_place(spans: &[(usize, usize)], at: usize, end: usize, text: &str) -> bool {
    let mut next = at;
    for _ in 0..MAX_WALK_BACK {
        let Some(before) = next.checked_sub(1) else { return false };
        let between = gap(text, spans[before], spans[next]);
        let token = word(text, spans[before]);
        // Only blanks between: a preposition ends the walk, "the" goes on past itself.
        // Else only a comma after a capitalized word, where the mention ends its clause. A
        // token of neither's shape (most) goes on only past such a comma, which is no blank.
        let goes_on = if WALK_SHAPES.may_hold_any_case(token) && is_blank(between) {
            if is_locative(token) {
                return true;
            }
            token.eq_ignore_ascii_case("the")
        } else {
            between.as_bytes().contains(&b',')
                && between.trim() == ","
                && token.chars().next().is_some_and(char::is_uppercase)
                && ends_its_clause(spans, end, text)
        };
        if !goes_on {
            return false;
        }
        next = before;
    }
    false
}

/// Whether `between` is only whitespace (`char::is_whitespace`), read byte by byte when it
/// is ASCII, as the bytes between two words nearly always are.
fn is_blank(between: &str) -> bool {
    let ascii_blank = |byte: &u8| matches!(byte, b' ' | b'\t'..=b'\r');
    if between.is_ascii() {
        between.as_bytes().iter().all(ascii_blank)
    } else {
        between.chars().all(char::is_whitespace)
    }
}

/// Whether `token` is one of [`LOCATIVE`] in any ASCII case.
fn is_locative(token: &str) -> bool {
    LOCATIVE.iter().any(|word| word.eq_ignore_ascii_case(token))
}

/// Whether the mention ending before token `end` is followed by punctuation or the end of
/// the field, not by a word (a verb, say).
fn ends_its_clause(spans: &[(usize, usize)], end: usize, text: &str) -> bool {
    let Some(&last) = end.checked_sub(1).and_then(|i| spans.get(i)) else { return false };
    let rest = text.get(last.1..).unwrap_or("");
    rest.trim_start().chars().next().is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenizer::{Tokenizer, TokenizerSettings};

    /// The role of the first mention of `name` in `text`, tokenized as the matcher's tokens.
    fn role_of(text: &str, name: &str, role: Role) -> MentionRole {
        let tokenizer = Tokenizer::new(TokenizerSettings::default()).expect("the default tokenizer");
        let spans: Vec<(usize, usize)> = tokenizer.tokenize(text).iter().map(|t| (t.start, t.end)).collect();
        let start = text.find(name).expect("the name is in the text");
        let at = spans.iter().position(|s| s.0 == start).expect("the name starts a token");
        let len = spans[at..].iter().take_while(|s| s.1 <= start + name.len()).count();
        classify(Some(role), ActorKind::State, &spans, at, len, text).unwrap_or(MentionRole::Actor)
    }

    #[test]
    fn an_acronym_before_a_dollar_sign_names_no_actor() {
        let text = "Trade will reach US$3 billion, the US said.";
        let tokenizer = Tokenizer::new(TokenizerSettings::default()).expect("the default tokenizer");
        let spans: Vec<(usize, usize)> = tokenizer.tokenize(text).iter().map(|t| (t.start, t.end)).collect();
        let at = |start: usize| spans.iter().position(|s| s.0 == start).expect("a token starts there");
        let currency = at(text.find("US$").expect("in the text"));
        let state = at(text.rfind("US").expect("in the text"));
        assert_eq!(classify(Some(Role::Acronym), ActorKind::State, &spans, currency, 1, text), None);
        assert_eq!(classify(Some(Role::Acronym), ActorKind::State, &spans, state, 1, text), Some(MentionRole::Actor));
    }

    #[test]
    fn a_state_after_a_locative_preposition_is_a_place() {
        assert_eq!(role_of("Talks were held in Geneva on Monday.", "Geneva", Role::Seat), MentionRole::Place);
        assert_eq!(role_of("He died in the United States.", "United States", Role::Name), MentionRole::Place);
        assert_eq!(role_of("He fell ill in Wuhan, China.", "China", Role::Name), MentionRole::Place);
    }

    /// The shape sets hold every word they stand for (a word they miss would never be
    /// compared, and its role would change), in every ASCII case for the walk's words and
    /// as written for the person words; most other tokens are turned away.
    #[test]
    fn the_shape_sets_hold_their_words() {
        let capitalized = |word: &str| word[..1].to_ascii_uppercase() + &word[1..];
        for word in LOCATIVE.iter().chain(&["the"]) {
            for written in [word.to_string(), word.to_ascii_uppercase(), capitalized(word)] {
                assert!(WALK_SHAPES.may_hold_any_case(&written), "{written}");
            }
        }
        for word in PERSONS {
            assert!(PERSON_SHAPES.may_hold_as_written(word), "{word}");
            assert!(!PERSON_SHAPES.may_hold_as_written(&capitalized(word)), "{word}");
        }
        for other in ["said", "China", "inn", "", "\u{e9}t\u{e9}", "1n", "@t"] {
            assert!(!WALK_SHAPES.may_hold_any_case(other), "{other}");
        }
        assert_eq!(role_of("Talks were held IN Geneva.", "Geneva", Role::Seat), MentionRole::Place);
        assert_eq!(role_of("He died Within The United States.", "United States", Role::Name), MentionRole::Place);
    }

    #[test]
    fn a_state_acting_is_an_actor() {
        assert_eq!(role_of("Beijing said it would retaliate.", "Beijing", Role::Seat), MentionRole::Actor);
        assert_eq!(role_of("In Syria, Turkey attacked the Kurds.", "Turkey", Role::Name), MentionRole::Actor);
        assert_eq!(role_of("A visit to China was planned.", "China", Role::Name), MentionRole::Actor);
    }

    #[test]
    fn a_demonym_before_a_person_word_is_a_descriptor() {
        assert_eq!(role_of("A Syrian toddler drowned.", "Syrian", Role::Adjective), MentionRole::Descriptor);
        assert_eq!(role_of("Syrian troops advanced.", "Syrian", Role::Adjective), MentionRole::Actor);
    }
}
