//! The tallies behind [`super::relations`] and [`super::has_relation`]: each sentence's
//! weight, the paired actors each sentence names, and every pair's evidence, in one pass over
//! the sentences.

use std::ops::Range;

use super::{RelationSettings, SentenceInput, StanceLabels, MAX_EVIDENCE, MAX_PAIRED_ACTORS};
use crate::features::actors::{ActorId, ArticleActors, Field, Mention, MentionRole};

/// Evidence gathered for one pair.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tally {
    pub(super) score: f32,
    pub(super) prominence: f32,
    pub(super) tension: f32,
}

/// A pair's evidence sentences, in the order found.
#[derive(Debug, Default, Clone, Copy)]
struct Evidence {
    len: u8,
    sentences: [u32; MAX_EVIDENCE],
}

impl Evidence {
    fn as_slice(&self) -> &[u32] {
        &self.sentences[..usize::from(self.len)]
    }
}

/// The tallies of every pair of an article's first [`MAX_PAIRED_ACTORS`] actors, in one
/// triangular array: pair `(i, j)`, `i < j`, of the actors' places in
/// [`ArticleActors::actors`].
pub(super) struct PairTallies {
    actors: usize,
    pub(super) tallies: Vec<Tally>,
    /// Each pair's evidence, beside its tally; only when evidence is kept (else empty).
    evidence: Vec<Evidence>,
}

impl PairTallies {
    fn new(actors: usize, keep_evidence: bool) -> Self {
        let pairs = actors * actors.saturating_sub(1) / 2;
        let evidence = if keep_evidence { vec![Evidence::default(); pairs] } else { Vec::new() };
        Self { actors, tallies: vec![Tally::default(); pairs], evidence }
    }

    /// The place of pair `(i, j)`, `i < j < actors`, in `tallies`.
    fn pair(&self, i: usize, j: usize) -> usize {
        i * (2 * self.actors - i - 1) / 2 + (j - i - 1)
    }

    /// Adds a piece of evidence, from `sentences`, to the pair of actor places `x` and `y`;
    /// the pair's score after it.
    fn add(
        &mut self,
        x: u8,
        y: u8,
        (weight, tension, place): (f32, f32, f32),
        sentences: &[u32],
        max_evidence: usize,
    ) -> f32 {
        if x == y {
            return 0.0;
        }
        let pair = self.pair(usize::from(x.min(y)), usize::from(x.max(y)));
        let tally = &mut self.tallies[pair];
        tally.score += weight;
        tally.prominence += place;
        tally.tension += weight * tension;
        if let Some(evidence) = self.evidence.get_mut(pair) {
            for &sentence in sentences {
                let len = usize::from(evidence.len);
                if len < max_evidence.min(MAX_EVIDENCE) && !evidence.as_slice().contains(&sentence) {
                    evidence.sentences[len] = sentence;
                    evidence.len += 1;
                }
            }
        }
        tally.score
    }
}

/// Every pair's tallies over an article's sentences.
pub(super) struct Tallied {
    /// The actors tallied, most mentioned first: a tally's pair holds places in it.
    pub(super) paired: Vec<ActorId>,
    pub(super) tallies: PairTallies,
    /// The evidence-weighted tension share of all the sentences.
    pub(super) article_tension: f32,
    /// True if the tally stopped early, at the first pair whose score reached the stop.
    pub(super) stopped: bool,
}

/// The tallies of every pair of `actors`' first [`MAX_PAIRED_ACTORS`] actors over
/// `sentences`, with evidence if `keep_evidence`; stopped at the first pair whose score
/// reaches `stop_at` (and is above zero), if given.
pub(super) fn tally(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    keep_evidence: bool,
    stop_at: Option<f32>,
) -> Tallied {
    let paired: Vec<ActorId> = actors.actors.iter().take(MAX_PAIRED_ACTORS).map(|count| count.actor).collect();
    let mut tallies = PairTallies::new(paired.len(), keep_evidence);
    // Scores only grow, so a pair that reaches the stop is past it at the end too.
    let reaches = |score: f32| stop_at.is_some_and(|stop| score >= stop && score > 0.0);
    let named = places_by_sentence(settings, sentences, actors, &paired);
    let weights = sentence_weights(settings, labels, sentences);
    let max_evidence = settings.max_evidence;
    // Only the sentences that name a paired actor: the others add nothing, and skipping
    // them spares a few hard-to-predict branches per sentence.
    for (k, first) in named.sentences.iter().enumerate() {
        let (s, here) = (first.index, named.places_of(first));
        let strength = named.strengths_of(first);
        for (i, &x) in here.iter().enumerate() {
            for (j, &y) in here.iter().enumerate().skip(i + 1) {
                let weights = scaled(weights[s], strength[i] * strength[j]);
                if reaches(tallies.add(x, y, weights, &[s as u32], max_evidence)) {
                    return Tallied { paired, tallies, article_tension: 0.5, stopped: true };
                }
            }
        }
        // Two sentences of one field at most `window` apart, each naming one of the pair.
        for second in &named.sentences[k + 1..] {
            let (next, distance) = (second.index, second.index - s);
            if distance > settings.window || second.run != first.run {
                break;
            }
            let ((w1, t1, p1), (w2, t2, p2)) = (weights[s], weights[next]);
            let half = settings.adjacent_weight / (2.0 * distance as f32);
            let apart = (half * (w1 + w2), (t1 + t2) / 2.0, half * (p1 + p2));
            let there = named.places_of(second).iter().zip(named.strengths_of(second));
            for (&x, &sx) in here.iter().zip(strength) {
                for (&y, &sy) in there.clone().filter(|(&y, _)| !first.holds(y)) {
                    let apart = scaled(apart, sx * sy);
                    if reaches(tallies.add(x, y, apart, &[s as u32, next as u32], max_evidence)) {
                        return Tallied { paired, tallies, article_tension: 0.5, stopped: true };
                    }
                }
            }
        }
    }
    let (weighted, tension) =
        weights.iter().fold((0.0, 0.0), |(w, t), &(weight, share, _)| (w + weight, t + weight * share));
    let article_tension = if weighted > 0.0 { tension / weighted } else { 0.5 };
    Tallied { paired, tallies, article_tension, stopped: false }
}

/// A piece of evidence with its weight (not its tension share or place) scaled by the
/// strength of the pair's mentions.
#[inline]
fn scaled((weight, tension, place): (f32, f32, f32), strength: f32) -> (f32, f32, f32) {
    (weight * strength, tension, place)
}

/// Each sentence's evidence weight (place times weight as a relation), its tension share,
/// and its place weight.
fn sentence_weights(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
) -> Vec<(f32, f32, f32)> {
    let mut text_index = 0;
    sentences
        .iter()
        .map(|sentence| {
            let place = match sentence.field {
                Field::Title => settings.title_weight,
                Field::Text => {
                    text_index += 1;
                    if text_index <= settings.lead_sentences {
                        settings.lead_weight
                    } else {
                        1.0
                    }
                }
            };
            let (weight, tension) = sentence_weight(settings, labels, sentence.stance);
            (place * weight, tension, place)
        })
        .collect()
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

/// A sentence that names at least one paired actor.
struct NamedSentence {
    /// Its place in the article's sentences.
    index: usize,
    /// Its run of sentences of one field: sentences of two runs are never paired.
    run: usize,
    /// Where its places are in [`NamedBySentence::places`].
    places: Range<usize>,
    /// The same places as a set: bit `place`.
    set: u64,
}

impl NamedSentence {
    /// Whether the sentence names the paired actor at `place`.
    fn holds(&self, place: u8) -> bool {
        self.set & (1 << place) != 0
    }
}

// A sentence's places fit in one `u64` set.
const _: () = assert!(MAX_PAIRED_ACTORS <= 64);

/// The distinct paired actors each sentence names (their places in the paired list), in
/// order of first mention, for the sentences that name any. Two vectors for the whole
/// article, not one per sentence.
struct NamedBySentence {
    places: Vec<u8>,
    /// Beside each place, how strongly the sentence names that actor: the largest weight of
    /// its mentions' roles there (never 0: an actor named with weight 0 is not a place).
    strengths: Vec<f32>,
    /// The sentences that name a paired actor, in order.
    sentences: Vec<NamedSentence>,
}

impl NamedBySentence {
    fn places_of(&self, sentence: &NamedSentence) -> &[u8] {
        &self.places[sentence.places.clone()]
    }

    fn strengths_of(&self, sentence: &NamedSentence) -> &[f32] {
        &self.strengths[sentence.places.clone()]
    }
}

/// The distinct actors of `paired` each sentence names wholly inside it, in order of first
/// mention. The mentions are walked once in order of field and start (sorted here first if
/// they are not), sentence by sentence; a sentence before the last one read is found by
/// bisection.
fn places_by_sentence(
    settings: &RelationSettings,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    paired: &[ActorId],
) -> NamedBySentence {
    let by_place = |m: &Mention| (m.field, m.start);
    let mentions: std::borrow::Cow<'_, [Mention]> = if actors.mentions.is_sorted_by_key(by_place) {
        std::borrow::Cow::Borrowed(&actors.mentions)
    } else {
        let mut sorted = actors.mentions.clone();
        sorted.sort_by_key(by_place);
        std::borrow::Cow::Owned(sorted)
    };
    let mut named =
        NamedBySentence { places: Vec::new(), strengths: Vec::new(), sentences: Vec::with_capacity(sentences.len()) };
    let (mut next, mut run) = (0, 0);
    for (index, sentence) in sentences.iter().enumerate() {
        let (field, range) = (sentence.field, &sentence.range);
        if index > 0 && sentences[index - 1].field != field {
            run += 1;
        }
        let start = (field, range.start);
        if next > 0 && mentions.get(next - 1).is_some_and(|m| by_place(m) >= start) {
            next = mentions.partition_point(|m| by_place(m) < start);
        }
        while mentions.get(next).is_some_and(|m| by_place(m) < start) {
            next += 1;
        }
        let (first, mut set) = (named.places.len(), 0u64);
        while let Some(mention) = mentions.get(next).filter(|m| m.field == field && m.start < range.end) {
            next += 1;
            let place = paired.iter().position(|&actor| actor == mention.actor);
            let strength = role_weight(settings, mention.role);
            if let (Some(place), true, true) = (place, mention.end <= range.end, strength > 0.0) {
                if set & (1 << place) == 0 {
                    set |= 1 << place;
                    named.places.push(place as u8);
                    named.strengths.push(strength);
                } else if let Some(k) = named.places[first..].iter().position(|&p| usize::from(p) == place) {
                    let kept = &mut named.strengths[first + k];
                    *kept = kept.max(strength);
                }
            }
        }
        if set != 0 {
            named.sentences.push(NamedSentence { index, run, places: first..named.places.len(), set });
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

/// The evidence sentences recorded for tally `pair`, in the order found.
pub(super) fn evidence_of(
    tallies: &PairTallies,
    pair: usize,
    sentences: &[SentenceInput<'_>],
) -> Vec<(Field, usize, usize)> {
    let Some(evidence) = tallies.evidence.get(pair) else { return Vec::new() };
    evidence
        .as_slice()
        .iter()
        .filter_map(|&sentence| sentences.get(sentence as usize))
        .map(|sentence| (sentence.field, sentence.range.start, sentence.range.end))
        .collect()
}
