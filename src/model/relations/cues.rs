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
use crate::text::tokenizer::{hash, Tokenizer};

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
    /// The cue words among the title's and the text's token keys (`keys` with their byte
    /// ranges `spans`, one per key).
    pub fn new(title: (&'a [u64], &'a [(usize, usize)]), text: (&'a [u64], &'a [(usize, usize)])) -> Self {
        let field = |(keys, spans): (&'a [u64], &'a [(usize, usize)])| FieldKeys { keys, spans };
        Self { title: field(title), text: field(text) }
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

/// An article's token keys and byte ranges, for a caller that has only its title and text
/// (the evaluation harness): [`ArticleKeys::cue_words`] reads them as the served path reads
/// the keys its one tokenizer pass left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleKeys {
    title: (Vec<u64>, Vec<(usize, usize)>),
    text: (Vec<u64>, Vec<(usize, usize)>),
}

impl ArticleKeys {
    /// The keys of `title` and `text`, tokenized by `tokenizer`.
    pub fn read(tokenizer: &Tokenizer, title: &str, text: &str) -> Self {
        let field = |source: &str| {
            let (mut keys, mut spans) = (Vec::new(), Vec::new());
            tokenizer.for_each(source, |start, end, normalized| {
                keys.push(hash::token(normalized));
                spans.push((start, end));
            });
            (keys, spans)
        };
        Self { title: field(title), text: field(text) }
    }

    /// The cue words among these keys.
    pub fn cue_words(&self) -> CueWords<'_> {
        CueWords::new((&self.title.0, &self.title.1), (&self.text.0, &self.text.1))
    }
}
