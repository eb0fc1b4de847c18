//! The tallies behind [`super::relations`] and [`super::has_relation`]: each sentence's
//! weight, the paired actors each sentence names, and every pair's evidence, in one pass over
//! the sentences.

use std::cell::Cell;

use super::{ActorPlaces, CueWords, RelationSettings, SentenceInput, StanceLabels, MAX_PAIRED_ACTORS};
use crate::features::actors::{ArticleActors, Field};

mod evidence;
mod named;

use named::{places_by_sentence, NamedBySentence};

/// Evidence gathered for one pair.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tally {
    pub(super) score: f32,
    pub(super) prominence: f32,
    pub(super) tension: f32,
}

/// The tallies of the pairs of an article's first [`MAX_PAIRED_ACTORS`] actors that have
/// evidence: pair `(i, j)`, `i < j`, of the actors' places in [`ArticleActors::actors`],
/// found through a triangular table of slots. Only the slots are as many as the pairs (two
/// bytes each); a tally is made when the pair's first evidence comes.
pub(super) struct PairTallies {
    actors: usize,
    buffers: PairBuffers,
}

/// What [`PairTallies`] holds, kept by the thread between articles (see [`Spare`]).
#[derive(Default)]
struct PairBuffers {
    /// Each pair's place in `entries`, plus one; 0: no evidence yet.
    slots: Vec<u16>,
    /// The pairs with evidence, in the order of their first.
    entries: Vec<Entry>,
}

/// Buffers a thread keeps from one article's tally to the next, so that a tally allocates
/// nothing once they are large enough: taken when a tally starts (or made, if the thread
/// has none, or is shutting down) and given back when it is dropped. They stay bounded:
/// no more pairs than [`MAX_PAIRED_ACTORS`] make, no more named sentences than kept
/// mentions.
trait Spare: Default + Sized + 'static {
    /// The thread's spare, if it has one.
    fn slot() -> &'static std::thread::LocalKey<Cell<Option<Self>>>;

    /// The thread's spare, or new buffers.
    fn take() -> Self {
        Self::slot().try_with(Cell::take).ok().flatten().unwrap_or_default()
    }

    /// Kept as the thread's spare.
    fn give_back(self) {
        let _ = Self::slot().try_with(|spare| spare.set(Some(self)));
    }
}

thread_local! {
    static SPARE_PAIRS: Cell<Option<PairBuffers>> = const { Cell::new(None) };
    static SPARE_NAMED: Cell<Option<NamedBySentence>> = const { Cell::new(None) };
}

impl Spare for PairBuffers {
    fn slot() -> &'static std::thread::LocalKey<Cell<Option<Self>>> {
        &SPARE_PAIRS
    }
}

impl Spare for NamedBySentence {
    fn slot() -> &'static std::thread::LocalKey<Cell<Option<Self>>> {
        &SPARE_NAMED
    }
}

impl Drop for PairTallies {
    fn drop(&mut self) {
        std::mem::take(&mut self.buffers).give_back();
    }
}

/// A pair with evidence: its actors' places `(i, j)`, `i < j`, and its tally.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) places: (u8, u8),
    pub(super) tally: Tally,
}

// Every pair's slot fits in a `u16`.
const _: () = assert!(MAX_PAIRED_ACTORS * (MAX_PAIRED_ACTORS - 1) / 2 < u16::MAX as usize);

impl PairTallies {
    fn new(actors: usize) -> Self {
        let pairs = actors * actors.saturating_sub(1) / 2;
        let mut buffers = PairBuffers::take();
        buffers.slots.clear();
        buffers.slots.resize(pairs, 0);
        buffers.entries.clear();
        Self { actors, buffers }
    }

    /// The pairs with evidence, in the order of their first.
    pub(super) fn entries(&self) -> &[Entry] {
        &self.buffers.entries
    }

    /// The place of pair `(i, j)`, `i < j < actors`, in the triangular table.
    fn pair(&self, i: usize, j: usize) -> usize {
        i * (2 * self.actors - i - 1) / 2 + (j - i - 1)
    }

    /// Adds a piece of evidence to the pair of actor places `x` and `y`; the pair's score
    /// after it. Inlined into the tally's two pair loops: a call would cost as much again.
    #[inline(always)]
    fn add(&mut self, x: u8, y: u8, (weight, tension, place): (f32, f32, f32)) -> f32 {
        if x == y {
            return 0.0;
        }
        let places = (x.min(y), x.max(y));
        let pair = self.pair(usize::from(places.0), usize::from(places.1));
        let buffers = &mut self.buffers;
        let slot = match buffers.slots[pair] {
            0 => {
                // At most as many entries as pairs, and those fit in a u16 (checked above).
                buffers.entries.push(Entry { places, tally: Tally::default() });
                buffers.slots[pair] = buffers.entries.len() as u16;
                buffers.entries.len() - 1
            }
            slot => usize::from(slot) - 1,
        };
        let tally = &mut buffers.entries[slot].tally;
        tally.score += weight;
        tally.prominence += place;
        tally.tension += weight * tension;
        tally.score
    }
}

/// Every pair's tallies over an article's sentences.
pub(super) struct Tallied {
    /// The actors tallied, most mentioned first: a tally's pair holds places in it.
    pub(super) paired: ActorPlaces,
    pub(super) tallies: PairTallies,
    /// True if the tally stopped early, at the first pair whose score reached the stop.
    pub(super) stopped: bool,
    /// The sentences that name a paired actor, when kept for [`Tallied::evidence`]: only the
    /// few pairs found need their evidence, read again here rather than kept for every pair.
    named: Option<NamedBySentence>,
}

impl Drop for Tallied {
    fn drop(&mut self) {
        if let Some(named) = self.named.take() {
            named.give_back();
        }
    }
}

/// The tallies of every pair of `actors`' first [`MAX_PAIRED_ACTORS`] actors over
/// `sentences`, keeping what [`Tallied::evidence`] reads if `keep_evidence`; stopped at the
/// first pair whose score reaches `stop_at` (and is above zero), if given. With `cues`, a
/// sentence naming both of a pair with no cue word between them weighs
/// [`RelationSettings::uncued_weight`].
pub(super) fn tally(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    (keep_evidence, stop_at): (bool, Option<f32>),
    cues: Option<&CueWords<'_>>,
) -> Tallied {
    let paired = ActorPlaces::new(&actors.actors);
    let mut tallies = PairTallies::new(paired.actors().len());
    let named = places_by_sentence(settings, labels, sentences, actors, &paired);
    let stopped = tally_sentences(settings, &named, &mut tallies, stop_at, cues.map(|cues| (cues, sentences)));
    let named = if keep_evidence {
        Some(named)
    } else {
        named.give_back();
        None
    };
    Tallied { paired, tallies, stopped, named }
}

/// Adds the evidence of the sentences of `named` to `tallies`, as [`tally`] describes, with
/// the cue words of the article's `sentences` if given; whether it stopped at a pair whose
/// score reached `stop_at`.
fn tally_sentences(
    settings: &RelationSettings,
    named: &NamedBySentence,
    tallies: &mut PairTallies,
    stop_at: Option<f32>,
    cues: Option<(&CueWords<'_>, &[SentenceInput<'_>])>,
) -> bool {
    // Scores only grow, so a pair that reaches the stop is past it at the end too.
    let reaches = |score: f32| stop_at.is_some_and(|stop| score >= stop && score > 0.0);
    // Only the sentences that name a paired actor: the others add nothing, and skipping
    // them spares a few hard-to-predict branches per sentence.
    for (k, first) in named.sentences.iter().enumerate() {
        let (s, here) = (first.index, named.named_in(first));
        for (i, x) in here.iter().enumerate() {
            for y in &here[i + 1..] {
                let cued = cues.map_or(1.0, |(cues, sentences)| {
                    cue_weight(settings, cues, sentences[s].field, x.bounds, y.bounds)
                });
                let weights = scaled(first.weights, x.strength * y.strength * cued);
                if reaches(tallies.add(x.place, y.place, weights)) {
                    return true;
                }
            }
        }
        // Two sentences of one field at most `window` apart, each naming one of the pair.
        for second in &named.sentences[k + 1..] {
            let distance = second.index - s;
            if distance > settings.window || second.run != first.run {
                break;
            }
            let ((w1, t1, p1), (w2, t2, p2)) = (first.weights, second.weights);
            let half = settings.adjacent_weight / (2.0 * distance as f32);
            let apart = (half * (w1 + w2), (t1 + t2) / 2.0, half * (p1 + p2));
            let there = named.named_in(second);
            for x in here {
                for y in there.iter().filter(|y| !first.holds(y.place)) {
                    let apart = scaled(apart, x.strength * y.strength);
                    if reaches(tallies.add(x.place, y.place, apart)) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// 1 if a cue word stands between two actors of one sentence (each named from the end of its
/// first mention to the start of its last there, `x` and `y`), else
/// [`RelationSettings::uncued_weight`]: the span from the earlier first mention's end to the
/// later last mention's start.
fn cue_weight(
    settings: &RelationSettings,
    cues: &CueWords<'_>,
    field: Field,
    x: (usize, usize),
    y: (usize, usize),
) -> f32 {
    let (from, to) = (x.0.min(y.0), x.1.max(y.1));
    if cues.any_between(field, from, to) {
        1.0
    } else {
        settings.uncued_weight
    }
}

/// A piece of evidence with its weight (not its tension share or place) scaled by the
/// strength of the pair's mentions.
#[inline]
fn scaled((weight, tension, place): (f32, f32, f32), strength: f32) -> (f32, f32, f32) {
    (weight * strength, tension, place)
}

/// The evidence-weighted tension share of all of an article's sentences (0.5 without weight).
pub(super) fn article_tension(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
) -> f32 {
    let mut places = PlaceWeights::new(settings);
    let (weighted, tension) = sentences.iter().fold((0.0, 0.0), |(w, t), sentence| {
        let (weight, share, _) = sentence_weights(settings, labels, sentence, places.next(sentence.field));
        (w + weight, t + weight * share)
    });
    if weighted > 0.0 {
        tension / weighted
    } else {
        0.5
    }
}

/// The sum of the place weights of `sentences` (a title sentence's, a lead sentence's, else
/// 1): the most evidence one pair can gather in the text. Counted up to `enough` only.
pub fn text_capacity(settings: &RelationSettings, sentences: &[SentenceInput<'_>], enough: f32) -> f32 {
    let mut places = PlaceWeights::new(settings);
    let mut capacity = 0.0;
    for sentence in sentences {
        if capacity >= enough {
            break;
        }
        capacity += places.next(sentence.field);
    }
    capacity
}

/// The place weight of each sentence in turn: the title's, the lead's for the first
/// [`RelationSettings::lead_sentences`] sentences of the text, else 1.
struct PlaceWeights<'s> {
    settings: &'s RelationSettings,
    text_index: usize,
}

impl<'s> PlaceWeights<'s> {
    fn new(settings: &'s RelationSettings) -> Self {
        Self { settings, text_index: 0 }
    }

    /// The place weight of the next sentence, which is in `field`.
    fn next(&mut self, field: Field) -> f32 {
        match field {
            Field::Title => self.settings.title_weight,
            Field::Text => {
                self.text_index += 1;
                if self.text_index <= self.settings.lead_sentences {
                    self.settings.lead_weight
                } else {
                    1.0
                }
            }
        }
    }
}

/// A sentence's evidence weight (place times weight as a relation), its tension share,
/// and its place weight.
fn sentence_weights(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentence: &SentenceInput<'_>,
    place: f32,
) -> (f32, f32, f32) {
    let (weight, tension) = sentence_weight(settings, labels, sentence.stance);
    (place * weight, tension, place)
}

/// A sentence's weight as a relation (`1 − P(neutral)`, or 1) and its share of tension.
fn sentence_weight(settings: &RelationSettings, labels: StanceLabels, stance: &[f32]) -> (f32, f32) {
    let p = |i: usize| stance.get(i).copied().filter(|p| p.is_finite()).unwrap_or(0.0).clamp(0.0, 1.0);
    let weight = match (settings.neutral_discount, labels.neutral) {
        (true, Some(neutral)) => 1.0 - p(neutral),
        _ => 1.0,
    };
    let (tension, cooperation) = (p(labels.tension), p(labels.cooperation));
    let share = if tension + cooperation > 0.0 { tension / (tension + cooperation) } else { 0.5 };
    (weight, share)
}

/// The field and bytes of the evidence `sentences` (places in `all`).
pub(super) fn evidence_of(sentences: &[u32], all: &[SentenceInput<'_>]) -> Vec<(Field, usize, usize)> {
    sentences
        .iter()
        .filter_map(|&sentence| all.get(sentence as usize))
        .map(|sentence| (sentence.field, sentence.range.start, sentence.range.end))
        .collect()
}
