//! The sentences that name a paired actor, each with the distinct paired actors it names and
//! how strongly, read in one walk over an article's mentions.

use std::cell::Cell;
use std::ops::Range;

use super::super::{ActorPlaces, RelationSettings, SentenceInput, StanceLabels, MAX_PAIRED_ACTORS};
use super::{sentence_weights, PlaceWeights, Spare};
use crate::features::actors::{Field, Mention, MentionRole, RoleReader};

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
    /// its mentions' roles there (never 0: an actor named with weight 0 is not a place). NaN
    /// until read ([`Strengths::of`]) when the roles are read only where a pair needs them.
    pub(super) strengths: Vec<Cell<f32>>,
    /// Beside each place, the indices of the actor's first and last mentions in the
    /// sentence, among the article's mentions: its strength is read from those between.
    pub(super) members: Vec<(u32, u32)>,
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

    pub(super) fn bounds_of(&self, sentence: &NamedSentence) -> &[(usize, usize)] {
        &self.bounds[sentence.places.clone()]
    }
}

/// Whether the places' strengths may be read only where a pair needs them
/// ([`Strengths::of`]): when no role weighs 0 or less, no role keeps a mention from naming
/// its actor, and which sentences name which actors does not depend on the roles.
pub(super) fn strengths_read_lazily(settings: &RelationSettings) -> bool {
    settings.place_weight > 0.0 && settings.descriptor_weight > 0.0
}

/// The distinct actors of `paired` each sentence names wholly inside it, in order of first
/// mention, and the weights of those sentences. `mentions` (the article's, in order of field
/// and start) are walked once, sentence by sentence; a sentence before the last one read is
/// found by bisection. Each place's strength is read here unless `lazy`
/// ([`strengths_read_lazily`]); then it is left NaN for [`Strengths::of`].
pub(super) fn places_by_sentence(
    strengths: &Strengths<'_, '_>,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    lazy: bool,
) -> NamedBySentence {
    let (settings, mentions, paired) = (strengths.settings, strengths.mentions, strengths.paired);
    // No more named sentences, nor places, than mentions.
    let room = mentions.len();
    let mut named = NamedBySentence::take();
    named.places.clear();
    named.strengths.clear();
    named.bounds.clear();
    named.members.clear();
    named.sentences.clear();
    named.places.reserve(room);
    named.strengths.reserve(room);
    named.bounds.reserve(room);
    named.members.reserve(room);
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
            // Fewer mentions than `u32::MAX`: a matcher keeps at most actors × its cap.
            let at = next as u32;
            next += 1;
            let strength = if lazy { f32::NAN } else { strengths.weight(mention) };
            if let (Some(place), true, true) =
                (paired.place(mention.actor), mention.end <= range.end, lazy || strength > 0.0)
            {
                if set & (1 << place) == 0 {
                    set |= 1 << place;
                    // Below MAX_PAIRED_ACTORS ≤ 64: fits a u8.
                    named.places.push(place as u8);
                    named.strengths.push(Cell::new(strength));
                    named.bounds.push((mention.end, mention.start));
                    named.members.push((at, at));
                } else if let Some(k) = named.places[first..].iter().position(|&p| usize::from(p) == place) {
                    let kept = &named.strengths[first + k];
                    kept.set(kept.get().max(strength));
                    named.bounds[first + k].1 = mention.start;
                    named.members[first + k].1 = at;
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

/// The places' strengths: what they are read from, and how.
pub(in crate::model::relations) struct Strengths<'x, 'a> {
    pub(in crate::model::relations) settings: &'x RelationSettings,
    /// The article's mentions, in order of field and start.
    pub(in crate::model::relations) mentions: &'x [Mention],
    /// Reads the roles the matcher deferred (a deferred role without one weighs as an actor).
    pub(in crate::model::relations) roles: Option<&'x RoleReader<'a>>,
    pub(in crate::model::relations) paired: &'x ActorPlaces,
    /// The article's sentences.
    pub(in crate::model::relations) sentences: &'x [SentenceInput<'x>],
}

impl Strengths<'_, '_> {
    /// How much `mention` names its actor in its sentence: its role's weight.
    fn weight(&self, mention: &Mention) -> f32 {
        let role = self.roles.map_or(mention.role, |roles| roles.role(mention));
        role_weight(self.settings, role)
    }

    /// The strength of the `k`th place of `sentence` (one of `named`'s), read from its
    /// mentions' roles the first time it is asked for.
    #[inline]
    pub(super) fn of(&self, named: &NamedBySentence, sentence: &NamedSentence, k: usize) -> f32 {
        let at = sentence.places.start + k;
        let known = named.strengths[at].get();
        if known.is_nan() {
            self.read(named, sentence, at)
        } else {
            known
        }
    }

    /// [`Strengths::of`] the first time: the strength of the place at `at` in `named`, one
    /// of `sentence`'s, read from its mentions' roles and kept.
    #[inline(never)]
    #[cold]
    fn read(&self, named: &NamedBySentence, sentence: &NamedSentence, at: usize) -> f32 {
        let actor = self.paired.actors()[usize::from(named.places[at])];
        let end = self.sentences[sentence.index].range.end;
        let (first, last) = named.members[at];
        let mentions = &self.mentions[first as usize..=last as usize];
        let strength = mentions
            .iter()
            .filter(|m| m.actor == actor && m.end <= end)
            .map(|m| self.weight(m))
            .reduce(f32::max)
            .unwrap_or(0.0);
        named.strengths[at].set(strength);
        strength
    }
}

/// The key [`places_by_sentence`] walks the mentions in: field, then start.
pub(super) fn by_place(mention: &Mention) -> u64 {
    place_key(mention.field, mention.start)
}

/// How much a mention in `role` names its actor in its sentence.
fn role_weight(settings: &RelationSettings, role: MentionRole) -> f32 {
    match role {
        MentionRole::Actor => 1.0,
        MentionRole::Place => settings.place_weight,
        MentionRole::Descriptor => settings.descriptor_weight,
        // Not read, for want of a reader: as the actor itself.
        MentionRole::Deferred => 1.0,
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
