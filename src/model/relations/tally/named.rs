//! The sentences that name a paired actor, each with the distinct paired actors it names and
//! how strongly, read in one walk over an article's mentions.

use std::ops::Range;

use super::super::{ActorPlaces, RelationSettings, SentenceInput, StanceLabels, MAX_PAIRED_ACTORS};
use super::{sentence_weights, PlaceWeights, Spare};
use crate::features::actors::{ArticleActors, Field, Mention, MentionRole};

/// A sentence that names at least one paired actor.
pub(super) struct NamedSentence {
    /// Its place in the article's sentences.
    pub(super) index: usize,
    /// Its run of sentences of one field: sentences of two runs are never paired.
    pub(super) run: usize,
    /// Where its actors are in [`NamedBySentence::named`].
    pub(super) places: Range<usize>,
    /// The same places as a set: bit `place`.
    pub(super) set: u64,
    /// Its evidence weight, tension share and place weight.
    pub(super) weights: (f32, f32, f32),
}

impl NamedSentence {
    /// Whether the sentence names the paired actor at `place`.
    pub(super) fn holds(&self, place: u8) -> bool {
        self.set & (1 << place) != 0
    }
}

// A sentence's places fit in one `u64` set.
const _: () = assert!(MAX_PAIRED_ACTORS <= 64);

/// A paired actor one sentence names.
#[derive(Debug, Clone, Copy)]
pub(super) struct Named {
    /// Its place in the paired list.
    pub(super) place: u8,
    /// How strongly the sentence names it: the largest weight of its mentions' roles there
    /// (never 0: an actor named with weight 0 is not counted).
    pub(super) strength: f32,
    /// The end of its first mention in the sentence and the start of its last: where a cue
    /// word between it and another actor may stand.
    pub(super) bounds: (usize, usize),
}

/// The distinct paired actors each sentence names, in order of first mention, for the
/// sentences that name any. Two vectors for the whole article, not one per sentence.
#[derive(Default)]
pub(super) struct NamedBySentence {
    /// Each named sentence's actors, one sentence after the other.
    pub(super) named: Vec<Named>,
    /// The sentences that name a paired actor, in order.
    pub(super) sentences: Vec<NamedSentence>,
}

impl NamedBySentence {
    /// The paired actors `sentence` names.
    pub(super) fn named_in(&self, sentence: &NamedSentence) -> &[Named] {
        &self.named[sentence.places.clone()]
    }
}

/// The distinct actors of `paired` each sentence names wholly inside it, in order of first
/// mention, and the weights of those sentences. The mentions are walked once in order of
/// field and start (sorted here first if they are not), sentence by sentence; a sentence
/// before the last one read is found by bisection.
pub(super) fn places_by_sentence(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    paired: &ActorPlaces,
) -> NamedBySentence {
    let by_place = |m: &Mention| place_key(m.field, m.start);
    let mentions: std::borrow::Cow<'_, [Mention]> = if actors.mentions.is_sorted_by_key(by_place) {
        std::borrow::Cow::Borrowed(&actors.mentions)
    } else {
        let mut sorted = actors.mentions.clone();
        sorted.sort_by_key(by_place);
        std::borrow::Cow::Owned(sorted)
    };
    // No more named sentences, nor places, than mentions.
    let room = mentions.len();
    let mut named = NamedBySentence::take();
    named.named.clear();
    named.sentences.clear();
    named.named.reserve(room);
    named.sentences.reserve(room.min(sentences.len()));
    let mut place_weights = PlaceWeights::new(settings);
    let (mut next, mut run) = (0, 0);
    let mut last_field = sentences.first().map(|sentence| sentence.field);
    for (index, sentence) in sentences.iter().enumerate() {
        let (field, range) = (sentence.field, &sentence.range);
        if last_field != Some(field) {
            (run, last_field) = (run + 1, Some(field));
        }
        let place_weight = place_weights.next(field);
        let (start, end) = (place_key(field, range.start), place_key(field, range.end));
        if next > 0 && mentions.get(next - 1).is_some_and(|m| by_place(m) >= start) {
            next = mentions.partition_point(|m| by_place(m) < start);
        }
        while mentions.get(next).is_some_and(|m| by_place(m) < start) {
            next += 1;
        }
        let (first, mut set) = (named.named.len(), 0u64);
        while let Some(mention) = mentions.get(next).filter(|m| by_place(m) < end && m.field == field) {
            next += 1;
            let strength = role_weight(settings, mention.role);
            if let (Some(place), true, true) = (paired.place(mention.actor), mention.end <= range.end, strength > 0.0) {
                if set & (1 << place) == 0 {
                    set |= 1 << place;
                    // Below MAX_PAIRED_ACTORS ≤ 64: fits a u8.
                    let bounds = (mention.end, mention.start);
                    named.named.push(Named { place: place as u8, strength, bounds });
                } else if let Some(kept) = named.named[first..].iter_mut().find(|n| usize::from(n.place) == place) {
                    kept.strength = kept.strength.max(strength);
                    kept.bounds.1 = mention.start;
                }
            }
        }
        if set != 0 {
            let weights = sentence_weights(settings, labels, sentence, place_weight);
            named.sentences.push(NamedSentence { index, run, places: first..named.named.len(), set, weights });
        }
    }
    named
}

/// How much a mention in `role` names its actor in its sentence.
fn role_weight(settings: &RelationSettings, role: MentionRole) -> f32 {
    match role {
        MentionRole::Actor => 1.0,
        MentionRole::Place => settings.place_weight,
        MentionRole::Descriptor => settings.descriptor_weight,
    }
}

/// A byte of a field as one number that sorts as `(field, at)`: the field in the top bit
/// (a byte offset is below `isize::MAX`, so never has it).
fn place_key(field: Field, at: usize) -> u64 {
    let field = match field {
        Field::Title => 0,
        Field::Text => 1 << 63,
    };
    field | at as u64
}
