//! Who does what to whom, read cheaply: whether a word that names an interaction ("met",
//! "signed", "accused", "sanctions", "against", ...) stands between two actors named in one
//! sentence. "France accused Russia" has one between its names; "French and Russian
//! fans", "the United States, Britain and France" or a story's background naming two
//! states side by side mostly have none. The tally weighs a sentence whose pair has no such
//! word by [`super::RelationSettings::uncued_weight`].
//!
//! The words are found once per article, from the token keys the tokenizer already left
//! (no second tokenization); only the byte offsets of the cue words are kept, per field.

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

/// The cue words' token keys, sorted.
fn cue_keys() -> &'static [u64] {
    static KEYS: OnceLock<Vec<u64>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<u64> = CUE_WORDS.iter().map(|word| hash::token(word)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    })
}

/// The byte offsets of an article's cue words, per field, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CuePositions {
    title: Vec<usize>,
    text: Vec<usize>,
}

impl CuePositions {
    /// The cue words among a field's token keys (`keys`, with their byte ranges `spans`).
    pub fn add_field(&mut self, field: Field, keys: &[u64], spans: &[(usize, usize)]) {
        let cues = cue_keys();
        let found = keys.iter().zip(spans).filter(|(key, _)| cues.binary_search(key).is_ok()).map(|(_, span)| span.0);
        self.field_mut(field).extend(found);
    }

    /// The cue words of a title and text, tokenized by `tokenizer` (what a caller without the
    /// article's token keys uses: the evaluation harness).
    pub fn read(tokenizer: &Tokenizer, title: &str, text: &str) -> Self {
        let cues = cue_keys();
        let mut positions = Self::default();
        for (field, source) in [(Field::Title, title), (Field::Text, text)] {
            let list = positions.field_mut(field);
            tokenizer.for_each(source, |start, _, normalized| {
                if cues.binary_search(&hash::token(normalized)).is_ok() {
                    list.push(start);
                }
            });
        }
        positions
    }

    /// Whether a cue word starts in `field` at a byte in `start..end`.
    pub fn any_between(&self, field: Field, start: usize, end: usize) -> bool {
        let list = match field {
            Field::Title => &self.title,
            Field::Text => &self.text,
        };
        let first = list.partition_point(|&at| at < start);
        list.get(first).is_some_and(|&at| at < end)
    }

    fn field_mut(&mut self, field: Field) -> &mut Vec<usize> {
        match field {
            Field::Title => &mut self.title,
            Field::Text => &mut self.text,
        }
    }
}
