//! The sentences that name a paired actor, each with the distinct paired actors it names and
//! how strongly, read in one walk over an article's mentions.

use std::borrow::Cow;
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

/// The walk that finds the distinct actors of `paired` each sentence names wholly inside it,
/// in order of first mention, and the weights of those sentences, read one sentence at a
/// time: a tally that stops at its first relation reads no sentence further than it needs.
/// The mentions are walked once in order of field and start (sorted first if they are
/// not), sentence by sentence; a sentence before the last one read is found by bisection.
pub(super) struct Grouping<'r, 'a> {
    settings: &'r RelationSettings,
    labels: StanceLabels,
    sentences: &'r [SentenceInput<'a>],
    mentions: Cow<'r, [Mention]>,
    paired: &'r ActorPlaces,
    place_weights: PlaceWeights<'r>,
    /// The next sentence to read.
    index: usize,
    /// The first mention not yet read.
    next: usize,
    run: usize,
    last_field: Option<Field>,
}

impl<'r, 'a> Grouping<'r, 'a> {
    /// The walk over `sentences`, and the thread's spare lists it fills, emptied and sized.
    pub(super) fn new(
        settings: &'r RelationSettings,
        labels: StanceLabels,
        sentences: &'r [SentenceInput<'a>],
        actors: &'r ArticleActors,
        paired: &'r ActorPlaces,
    ) -> (Self, NamedBySentence) {
        let mentions: Cow<'r, [Mention]> = if actors.mentions.is_sorted_by_key(by_place) {
            Cow::Borrowed(&actors.mentions)
        } else {
            let mut sorted = actors.mentions.clone();
            sorted.sort_by_key(by_place);
            Cow::Owned(sorted)
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
        let last_field = sentences.first().map(|sentence| sentence.field);
        let place_weights = PlaceWeights::new(settings);
        let walk = Self {
            settings,
            labels,
            sentences,
            mentions,
            paired,
            place_weights,
            index: 0,
            next: 0,
            run: 0,
            last_field,
        };
        (walk, named)
    }

    /// Reads sentences into `named` until it holds the `k`th named sentence (from 0) and every
    /// sentence up to [`RelationSettings::window`] past it, or none is left; at least
    /// [`CHUNK`] sentences a call, so that a tally that reads them all calls this a few
    /// times only.
    #[inline]
    pub(super) fn read_for(&mut self, k: usize, named: &mut NamedBySentence) {
        if self.index < self.sentences.len()
            && named.sentences.get(k).is_none_or(|first| first.index.saturating_add(self.settings.window) >= self.index)
        {
            self.read_chunks(k, named);
        }
    }

    /// Reads every sentence left into `named`.
    pub(super) fn read_all(&mut self, named: &mut NamedBySentence) {
        self.read_through(usize::MAX, named);
    }

    fn read_chunks(&mut self, k: usize, named: &mut NamedBySentence) {
        let mut last = self.index.saturating_add(CHUNK - 1);
        loop {
            self.read_through(last, named);
            if self.index >= self.sentences.len() {
                return;
            }
            let needed = named.sentences.get(k).map(|first| first.index.saturating_add(self.settings.window));
            match needed {
                Some(needed) if needed < self.index => return,
                needed => last = needed.unwrap_or(0).max(self.index.saturating_add(CHUNK - 1)),
            }
        }
    }

    /// Reads every sentence up to `last` (its index) into `named`.
    fn read_through(&mut self, last: usize, named: &mut NamedBySentence) {
        let (settings, mentions, sentences) = (self.settings, &self.mentions, self.sentences);
        let (mut next, mut run, mut last_field) = (self.next, self.run, self.last_field);
        let last = last.min(sentences.len().saturating_sub(1));
        for (index, sentence) in sentences.iter().enumerate().take(last.saturating_add(1)).skip(self.index) {
            let (field, range) = (sentence.field, &sentence.range);
            if last_field != Some(field) {
                (run, last_field) = (run + 1, Some(field));
            }
            let place_weight = self.place_weights.next(field);
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
                if let (Some(place), true, true) =
                    (self.paired.place(mention.actor), mention.end <= range.end, strength > 0.0)
                {
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
                let weights = sentence_weights(settings, self.labels, sentence, place_weight);
                named.sentences.push(NamedSentence { index, run, places: first..named.places.len(), set, weights });
            }
        }
        (self.next, self.run, self.last_field) = (next, run, last_field);
        self.index = self.index.max(last.saturating_add(1).min(sentences.len()));
    }
}

/// The fewest sentences [`Grouping::read_for`] reads at a time.
const CHUNK: usize = 8;

/// Where a mention starts, as one number ([`place_key`]).
fn by_place(mention: &Mention) -> u64 {
    place_key(mention.field, mention.start)
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
