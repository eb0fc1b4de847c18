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
        let bit = Self::bit(key);
        self.filter[bit >> 6] & (1 << (bit & 63)) != 0 && self.sorted.binary_search(&key).is_ok()
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
        spans.iter().zip(keys).skip(first).take_while(|(span, _)| span.0 < end).any(|(_, &key)| cues.contains(key))
    }
}
