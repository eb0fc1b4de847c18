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
    /// Where its places are in [`NamedBySentence::places`].
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

/// The distinct paired actors each sentence names (their places in the paired list), in
/// order of first mention, for the sentences that name any. Two vectors for the whole
/// article, not one per sentence.
#[derive(Default)]
pub(super) struct NamedBySentence {
    pub(super) places: Vec<u8>,
    /// Beside each place, how strongly the sentence names that actor: the largest weight of
    /// its mentions' roles there (never 0: an actor named with weight 0 is not a place).
    pub(super) strengths: Vec<f32>,
    /// Beside each place, the end of the actor's first mention in the sentence and the start
    /// of its last: where a cue word between it and another actor may stand.
    pub(super) bounds: Vec<(usize, usize)>,
    /// The sentences that name a paired actor, in order.
    pub(super) sentences: Vec<NamedSentence>,
}

impl NamedBySentence {
    pub(super) fn places_of(&self, sentence: &NamedSentence) -> &[u8] {
        &self.places[sentence.places.clone()]
    }

    pub(super) fn strengths_of(&self, sentence: &NamedSentence) -> &[f32] {
        &self.strengths[sentence.places.clone()]
    }

    pub(super) fn bounds_of(&self, sentence: &NamedSentence) -> &[(usize, usize)] {
        &self.bounds[sentence.places.clone()]
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
    named.places.clear();
    named.strengths.clear();
    named.bounds.clear();
    named.sentences.clear();
    named.places.reserve(room);
    named.strengths.reserve(room);
    named.bounds.reserve(room);
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
        let (first, mut set) = (named.places.len(), 0u64);
        while let Some(mention) = mentions.get(next).filter(|m| by_place(m) < end && m.field == field) {
            next += 1;
            let strength = role_weight(settings, mention.role);
            if let (Some(place), true, true) = (paired.place(mention.actor), mention.end <= range.end, strength > 0.0) {
                if set & (1 << place) == 0 {
                    set |= 1 << place;
                    // Below MAX_PAIRED_ACTORS ≤ 64: fits a u8.
                    named.places.push(place as u8);
                    named.strengths.push(strength);
                    named.bounds.push((mention.end, mention.start));
                } else if let Some(k) = named.places[first..].iter().position(|&p| usize::from(p) == place) {
                    let kept = &mut named.strengths[first + k];
                    *kept = kept.max(strength);
                    named.bounds[first + k].1 = mention.start;
                }
            }
        }
        if set != 0 {
            let weights = sentence_weights(settings, labels, sentence, place_weight);
            named.sentences.push(NamedSentence { index, run, places: first..named.places.len(), set, weights });
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
