//! Who does what to whom, read cheaply: whether a word that names an interaction ("met",
//! "signed", "accused", "sanctions", "against", ...) stands between two actors named in one
//! sentence. "France accused Russia" has one between its names; "French and Russian
//! fans", "the United States, Britain and France" or a story's background naming two
//! states side by side mostly have none. The tally weighs a sentence whose pair has no such
//! word by [`super::RelationSettings::uncued_weight`].
//!
//! The words are read off the token keys the tokenizer already left (no second
//! tokenization), and only between the two actors of a pair in a sentence naming both.

use std::sync::OnceLock;

use crate::features::actors::Field;
use crate::text::tokenizer::hash;
use crate::text::tokens::Tokens;

/// Words that name an interaction between two actors, cooperative or hostile (lowercase).
const CUE_WORDS: &[&str] = &[
    // Cooperation.
    "meet",
    "met",
    "meets",
    "meeting",
    "talks",
    "talked",
    "agree",
    "agreed",
    "agrees",
    "agreement",
    "deal",
    "signed",
    "sign",
    "signs",
    "pact",
    "accord",
    "treaty",
    "support",
    "supported",
    "supports",
    "backed",
    "aid",
    "help",
    "helped",
    "helps",
    "praised",
    "welcome",
    "welcomed",
    "invited",
    "visit",
    "visited",
    "visits",
    "cooperation",
    "cooperate",
    "partnership",
    "alliance",
    "allied",
    "ally",
    "joined",
    "join",
    "ties",
    "relations",
    "thank",
    "thanked",
    // Tension.
    "accused",
    "accuse",
    "accuses",
    "condemned",
    "condemn",
    "condemns",
    "criticised",
    "criticized",
    "criticism",
    "attack",
    "attacked",
    "attacks",
    "strike",
    "strikes",
    "struck",
    "war",
    "fighting",
    "fought",
    "against",
    "sanction",
    "sanctions",
    "sanctioned",
    "threatened",
    "threaten",
    "threat",
    "warned",
    "warn",
    "warns",
    "demanded",
    "demand",
    "expelled",
    "expel",
    "rejected",
    "reject",
    "protest",
    "protested",
    "blamed",
    "blame",
    "denounced",
    "invaded",
    "invasion",
    "bombed",
    "detained",
    "arrested",
    "seized",
    "banned",
    "ban",
    "dispute",
    "tensions",
    "clash",
    "clashed",
];

/// The cue words' token keys, sorted, and a 4,096-bit filter of their top 12 bits: a token
/// whose bit is clear (nearly all) is no cue word, known in a few instructions.
struct CueKeys {
    sorted: Vec<u64>,
    filter: [u64; 64],
}

impl CueKeys {
    fn get() -> &'static Self {
        static KEYS: OnceLock<CueKeys> = OnceLock::new();
        KEYS.get_or_init(|| {
            let mut sorted: Vec<u64> = CUE_WORDS.iter().map(|word| hash::token(word)).collect();
            sorted.sort_unstable();
            sorted.dedup();
            let mut filter = [0u64; 64];
            for &key in &sorted {
                let bit = Self::bit(key);
                filter[bit >> 6] |= 1 << (bit & 63);
            }
            Self { sorted, filter }
        })
    }

    /// The key's place in the filter: its top 12 bits.
    fn bit(key: u64) -> usize {
        (key >> 52) as usize
    }

    fn contains(&self, key: u64) -> bool {
        self.may_contain(key) && self.sorted.binary_search(&key).is_ok()
    }

    /// Whether the key's bit is set in the filter: false for nearly every token that is no
    /// cue word, true for every cue word.
    #[inline]
    fn may_contain(&self, key: u64) -> bool {
        let bit = Self::bit(key);
        self.filter[bit >> 6] & (1 << (bit & 63)) != 0
    }
}

/// One field's token keys and their byte ranges, as the tokenizer left them.
#[derive(Debug, Clone, Copy, Default)]
struct FieldKeys<'a> {
    keys: &'a [u64],
    spans: &'a [(usize, usize)],
}

/// Where an article's cue words are: read lazily off its token keys, only between the two
/// actors of a pair in a sentence that names both (no pass over the other tokens).
#[derive(Debug, Clone, Copy, Default)]
pub struct CueWords<'a> {
    title: FieldKeys<'a>,
    text: FieldKeys<'a>,
}

impl<'a> CueWords<'a> {
    /// The cue words among the token keys of an article read once ([`Tokens::read`]).
    pub fn of(tokens: &'a Tokens) -> Self {
        let field = |field: Field| {
            let read = tokens.field(field);
            FieldKeys { keys: read.keys(), spans: read.span_pairs() }
        };
        Self { title: field(Field::Title), text: field(Field::Text) }
    }

    /// Whether a cue word starts in `field` at a byte in `start..end`.
    pub fn any_between(&self, field: Field, start: usize, end: usize) -> bool {
        let FieldKeys { keys, spans } = match field {
            Field::Title => self.title,
            Field::Text => self.text,
        };
        let first = spans.partition_point(|span| span.0 < start);
        let cues = CueKeys::get();
        let count = keys.len().min(spans.len());
        let (keys, spans) = (keys.get(first..count).unwrap_or(&[]), spans.get(first..count).unwrap_or(&[]));
        // A chunk of tokens at a time: how many of them start before `end` is counted, and
        // their keys are tested against the filter, without a branch per token; only a
        // token through the filter (rare) is looked up.
        for (keys, spans) in keys.chunks(CHUNK).zip(spans.chunks(CHUNK)) {
            let inside = spans.iter().map(|span| usize::from(span.0 < end)).sum::<usize>();
            let keys = &keys[..inside];
            if keys.iter().fold(false, |any, &key| any | cues.may_contain(key))
                && keys.iter().any(|&key| cues.contains(key))
            {
                return true;
            }
            if inside < spans.len() {
                return false;
            }
        }
        false
    }
}

/// The tokens [`CueWords::any_between`] tests together.
const CHUNK: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::article::Article;
    use crate::text::tokenizer::Tokenizer;

    /// Whether a cue word starts between two bytes, chunk boundaries and the field's end
    /// included: each answer against a plain scan of the tokens.
    #[test]
    fn a_cue_word_is_found_between_any_two_bytes() {
        let text = "France and Germany met in Paris, then the two signed a pact against piracy near \
                    Spain and Italy while Portugal watched the talks from afar at last.";
        let mut tokens = Tokens::new();
        tokens.read(&Tokenizer::default(), &Article::text(text));
        let cues = CueWords::of(&tokens);
        let read = tokens.field(Field::Text);
        let (keys, spans) = (read.keys(), read.span_pairs());
        let plain = |start: usize, end: usize| {
            spans.iter().zip(keys).any(|(span, &key)| span.0 >= start && span.0 < end && CueKeys::get().contains(key))
        };
        let mut found = 0;
        for start in 0..=text.len() {
            for end in start..=text.len() + 1 {
                let expected = plain(start, end);
                assert_eq!(cues.any_between(Field::Text, start, end), expected, "{start}..{end}");
                found += usize::from(expected);
            }
        }
        assert!(found > 0);
        assert!(!cues.any_between(Field::Text, 0, text.find(" met").unwrap_or(0)));
    }
}
