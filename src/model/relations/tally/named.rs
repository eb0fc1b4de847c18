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
/// mention, and the weights of those sentences. The mentions are read in order of field and
/// start (sorted here first if they are not).
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
    let reading = Reading { settings, labels, sentences, paired };
    if in_order(sentences) {
        reading.by_mention(&mentions, &mut named);
    } else {
        reading.by_sentence(&mentions, &mut named);
    }
    named
}

/// What [`places_by_sentence`] reads the mentions against.
struct Reading<'r, 'a> {
    settings: &'r RelationSettings,
    labels: StanceLabels,
    sentences: &'r [SentenceInput<'a>],
    paired: &'r ActorPlaces,
}

impl Reading<'_, '_> {
    /// The paired actor a mention names and how strongly, if it counts at all.
    fn place_of(&self, mention: &Mention) -> Option<(usize, f32)> {
        let strength = role_weight(self.settings, mention.role);
        self.paired.place(mention.actor).filter(|_| strength > 0.0).map(|place| (place, strength))
    }

    /// For sentences in order ([`in_order`]): each mention is found in the one sentence that
    /// can hold it, by bisection from the last one found, so that the sentences naming no
    /// paired actor cost nothing. In that order the title's sentences come first, so a
    /// sentence's run and place weight follow from its index alone.
    fn by_mention(&self, mentions: &[Mention], named: &mut NamedBySentence) {
        let sentences = self.sentences;
        let titles = sentences.partition_point(|sentence| sentence.field == Field::Title);
        let first_field = sentences.first().map(|sentence| sentence.field);
        let end_key = |sentence: &SentenceInput<'_>| place_key(sentence.field, sentence.range.end);
        // The sentence being read (its index, its first place and its set), if any.
        let mut open: Option<(usize, usize, u64)> = None;
        let mut at = 0;
        for mention in mentions {
            let Some((place, strength)) = self.place_of(mention) else { continue };
            let key = place_key(mention.field, mention.start);
            if sentences.get(at).is_some_and(|sentence| end_key(sentence) <= key) {
                at += 1 + sentences[at + 1..].partition_point(|sentence| end_key(sentence) <= key);
            }
            let Some(sentence) = sentences.get(at) else { break };
            if key < place_key(sentence.field, sentence.range.start) || mention.end > sentence.range.end {
                continue;
            }
            let (index, first, set) = match open {
                Some(open) if open.0 == at => open,
                _ => {
                    if let Some(done) = open {
                        self.close(done, (titles, first_field), named);
                    }
                    (at, named.places.len(), 0)
                }
            };
            open = Some((index, first, add(named, (first, set), (place, strength), mention)));
        }
        if let Some(done) = open {
            self.close(done, (titles, first_field), named);
        }
    }

    /// Ends the named sentence `index`, whose places start at `first` and form `set`: its
    /// run and place weight read from its index, with `titles` title sentences first and
    /// the first sentence in `first_field`.
    fn close(
        &self,
        (index, first, set): (usize, usize, u64),
        (titles, first_field): (usize, Option<Field>),
        named: &mut NamedBySentence,
    ) {
        let sentence = &self.sentences[index];
        let run = usize::from(first_field != Some(sentence.field));
        let place_weight = match sentence.field {
            Field::Title => self.settings.title_weight,
            Field::Text if index - titles < self.settings.lead_sentences => self.settings.lead_weight,
            Field::Text => 1.0,
        };
        let weights = sentence_weights(self.settings, self.labels, sentence, place_weight);
        named.sentences.push(NamedSentence { index, run, places: first..named.places.len(), set, weights });
    }

    /// For sentences in any order: the mentions are walked once, sentence by sentence; a
    /// sentence before the last one read is found by bisection.
    fn by_sentence(&self, mentions: &[Mention], named: &mut NamedBySentence) {
        let (settings, sentences) = (self.settings, self.sentences);
        let by_place = |m: &Mention| place_key(m.field, m.start);
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
                if let (Some(counted), true) = (self.place_of(mention), mention.end <= range.end) {
                    set = add(named, (first, set), counted, mention);
                }
            }
            if set != 0 {
                let weights = sentence_weights(settings, self.labels, sentence, place_weight);
                named.sentences.push(NamedSentence { index, run, places: first..named.places.len(), set, weights });
            }
        }
    }
}

/// Adds a mention of the actor at `place` with `strength` to the sentence whose places start
/// at `first` and form `set`; the set after it.
fn add(
    named: &mut NamedBySentence,
    (first, set): (usize, u64),
    (place, strength): (usize, f32),
    mention: &Mention,
) -> u64 {
    if set & (1 << place) == 0 {
        // Below MAX_PAIRED_ACTORS ≤ 64: fits a u8.
        named.places.push(place as u8);
        named.strengths.push(strength);
        named.bounds.push((mention.end, mention.start));
    } else if let Some(k) = named.places[first..].iter().position(|&p| usize::from(p) == place) {
        let kept = &mut named.strengths[first + k];
        *kept = kept.max(strength);
        named.bounds[first + k].1 = mention.start;
    }
    set | 1 << place
}

/// Whether each sentence starts at or after the end of the one before it, and ends at or
/// after its own start (by [`place_key`]): then each byte is in one sentence at most, and
/// the title's sentences come first.
fn in_order(sentences: &[SentenceInput<'_>]) -> bool {
    let mut last = 0;
    let mut ordered = true;
    for sentence in sentences {
        let (start, end) =
            (place_key(sentence.field, sentence.range.start), place_key(sentence.field, sentence.range.end));
        ordered &= last <= start && start <= end;
        last = end;
    }
    ordered
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
