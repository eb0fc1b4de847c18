//! Who with whom: the pairs of actors an article reports relating, each with a stance, from
//! its sentences' stance probabilities and its actor mentions. A pure function: no model,
//! no tokenizer, so that any pass that has sentences and mentions can call it.
//!
//! Evidence for a pair of distinct actors comes from every sentence that names both (and,
//! with [`RelationSettings::window`] = w ≥ 1, from two sentences of one field at most w
//! apart naming one each, at [`RelationSettings::adjacent_weight`] over the distance). A
//! sentence's evidence weighs
//! - where it is: [`RelationSettings::title_weight`] in the title,
//!   [`RelationSettings::lead_weight`] in the first [`RelationSettings::lead_sentences`]
//!   sentences of the text, 1 elsewhere;
//! - how much it reads as a relation: `1 − P(neutral)` of the sentence stance, with
//!   [`RelationSettings::neutral_discount`].
//!
//! A pair's score is the sum of its evidence; a pair is a relation when the score reaches
//! [`RelationSettings::min_score`] (the best-scored pair already at
//! [`RelationSettings::first_min_score`]). Its label is the evidence-weighted share of
//! tension against cooperation (`P(t) / (P(t) + P(c))` of each sentence), mixed with the
//! whole article's at [`RelationSettings::article_share`]; its probability is that
//! share times `1 − e^(−score)`. The pairs are capped at [`RelationSettings::max_pairs`] by
//! score; the first by [`RelationSettings::main_by`] is `main`, and so is the second when it
//! is within [`RelationSettings::main_ratio`] of the first. The defaults were
//! chosen by measurement on `data/news` (`cargo run --release --example relations_eval`,
//! `docs/model.md`, "Relations").

use std::ops::Range;

use crate::features::actors::{ActorId, ArticleActors, Field, Gazetteer, Mention};

/// One sentence: its field, bytes, and stance probabilities in the stance head's label order.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceInput<'a> {
    /// The field the sentence is in.
    pub field: Field,
    /// Its bytes in the field.
    pub range: Range<usize>,
    /// The stance head's probabilities for the sentence alone.
    pub stance: &'a [f32],
}

/// Where the stance labels are among the stance head's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StanceLabels {
    /// Where `cooperation` is.
    pub cooperation: usize,
    /// Where `tension` is.
    pub tension: usize,
    /// Where `neutral` is, if the head has it.
    pub neutral: Option<usize>,
}

impl StanceLabels {
    /// The positions of `cooperation`, `tension` and `neutral` among `labels`; `None` without
    /// the first two.
    pub fn find(labels: &[String]) -> Option<Self> {
        let at = |name: &str| labels.iter().position(|label| label == name);
        Some(Self { cooperation: at("cooperation")?, tension: at("tension")?, neutral: at("neutral") })
    }
}

/// A relation's stance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationLabel {
    /// The pair works together.
    Cooperation,
    /// The pair is in friction.
    Tension,
}

impl RelationLabel {
    /// The label's name, as the stance head names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cooperation => "cooperation",
            Self::Tension => "tension",
        }
    }
}

/// How co-mentions become relations (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelationSettings {
    /// 0: only sentences naming both; w ≥ 1: also two sentences of one field at most w apart.
    pub window: usize,
    /// The weight of a pair named across two adjacent sentences (over their distance when
    /// further apart).
    pub adjacent_weight: f32,
    /// The weight of a title sentence.
    pub title_weight: f32,
    /// How many sentences of the text count as its lead.
    pub lead_sentences: usize,
    /// The weight of a lead sentence.
    pub lead_weight: f32,
    /// Weigh each sentence by its probability of not being neutral.
    pub neutral_discount: bool,
    /// The least total weight that makes a pair a relation.
    pub min_score: f32,
    /// The least total weight that makes the best-scored pair a relation, when it is below
    /// `min_score` (a short article may name its one pair once); `min_score` or more: no
    /// exception.
    pub first_min_score: f32,
    /// How much of a pair's tension share is the whole article's: the evidence-weighted share
    /// of all its sentences (0: the pair's own sentences alone).
    pub article_share: f32,
    /// A pair is tension when its evidence-weighted tension share reaches this.
    pub tension_threshold: f32,
    /// What ranks the pairs for `main`.
    pub main_by: MainBy,
    /// A second pair is main too when its rank value is at least this share of the first's.
    pub main_ratio: f32,
    /// The most relations an article's answer lists, best-scored first.
    pub max_pairs: usize,
    /// The most evidence sentences kept for one relation (its first ones).
    pub max_evidence: usize,
}

impl Default for RelationSettings {
    /// Chosen on `data/news` by `relations_eval` (docs/model.md, "Relations").
    fn default() -> Self {
        Self {
            window: 2,
            adjacent_weight: 0.5,
            title_weight: 1.0,
            lead_sentences: 3,
            lead_weight: 1.5,
            neutral_discount: true,
            min_score: 1.5,
            first_min_score: 1.5,
            article_share: 0.0,
            tension_threshold: 0.4,
            main_by: MainBy::Score,
            main_ratio: 0.8,
            max_pairs: 16,
            max_evidence: 8,
        }
    }
}

/// What makes a pair the article's main one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MainBy {
    /// The highest score.
    Score,
    /// The most sentences naming both, weighted by place only (title, lead), not by how
    /// much they read as a relation.
    Prominence,
}

/// A pair of distinct actors the article reports relating, `a` before `b` by code.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// The actor whose code sorts first.
    pub a: ActorId,
    /// The other actor.
    pub b: ActorId,
    /// Cooperation or tension.
    pub label: RelationLabel,
    /// The probability of `label`.
    pub probability: f32,
    /// One of the one or two pairs the article is mainly about.
    pub main: bool,
    /// The sum of the pair's evidence weights.
    pub score: f32,
    /// The sum of its evidence's place weights alone.
    pub prominence: f32,
    /// The sentences that support it: field and byte range.
    pub evidence: Vec<(Field, usize, usize)>,
}

/// What the article stance can use: whether the article reports a relation, and the main
/// pair's stance if so.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RelationSummary {
    /// No pair of actors reads as a relation.
    NoRelation,
    /// The main pair's stance.
    Main {
        /// Cooperation or tension.
        label: RelationLabel,
        /// The probability of `label`.
        probability: f32,
    },
}

/// An article's relations, main first, and their summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Relations {
    /// The pairs, main first, then by score.
    pub pairs: Vec<Relation>,
    /// What the article stance can use.
    pub summary: RelationSummary,
}

/// The most actors whose pairs are tallied: the first of [`ArticleActors::actors`] (most
/// mentioned first). The matcher lists at most [`crate::features::actors::MatchSettings`]'s
/// `max_actors` (32); mentions of actors past this are not read.
pub const MAX_PAIRED_ACTORS: usize = 64;

/// Evidence gathered for one pair.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    score: f32,
    prominence: f32,
    tension: f32,
}

/// The most evidence sentences a relation can keep, whatever
/// [`RelationSettings::max_evidence`] asks.
pub const MAX_EVIDENCE: usize = 8;

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
struct PairTallies {
    actors: usize,
    tallies: Vec<Tally>,
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

/// The relations of an article with these sentences (in order, title first) and actors,
/// each with the sentences that support it.
pub fn relations(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
) -> Relations {
    let tallied = tally(settings, labels, sentences, actors, true, None);
    finish(gazetteer, settings, sentences, tallied)
}

/// Whether [`relations`] would find a pair: the same tallies, without evidence, labels or
/// ranking, and stopped at the first pair that reaches the threshold. What the article stance
/// needs of an answer that does not list the relations.
pub fn has_relation(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
) -> bool {
    let least = settings.min_score.min(settings.first_min_score);
    tally(settings, labels, sentences, actors, false, Some(least)).stopped
}

/// Every pair's tallies over an article's sentences.
struct Tallied {
    /// The actors tallied, most mentioned first: a tally's pair holds places in it.
    paired: Vec<ActorId>,
    tallies: PairTallies,
    /// The evidence-weighted tension share of all the sentences.
    article_tension: f32,
    /// True if the tally stopped early, at the first pair whose score reached the stop.
    stopped: bool,
}

/// The tallies of every pair of `actors`' first [`MAX_PAIRED_ACTORS`] actors over
/// `sentences`, with evidence if `keep_evidence`; stopped at the first pair whose score
/// reaches `stop_at` (and is above zero), if given.
fn tally(
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
    let named = places_by_sentence(sentences, actors, &paired);
    let weights = sentence_weights(settings, labels, sentences);
    let max_evidence = settings.max_evidence;
    for s in 0..sentences.len() {
        for (i, &x) in named[s].iter().enumerate() {
            for &y in &named[s][i + 1..] {
                if reaches(tallies.add(x, y, weights[s], &[s as u32], max_evidence)) {
                    return Tallied { paired, tallies, article_tension: 0.5, stopped: true };
                }
            }
        }
        // Two sentences of one field at most `window` apart, each naming one of the pair.
        for distance in 1..=settings.window {
            let next = s + distance;
            if next >= sentences.len() || sentences[next].field != sentences[s].field {
                break;
            }
            let ((w1, t1, p1), (w2, t2, p2)) = (weights[s], weights[next]);
            let half = settings.adjacent_weight / (2.0 * distance as f32);
            let apart = (half * (w1 + w2), (t1 + t2) / 2.0, half * (p1 + p2));
            for &x in &named[s] {
                for &y in named[next].iter().filter(|y| !named[s].contains(y)) {
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

/// The distinct paired actors each sentence names (their places in the paired list), in
/// order of first mention: sentence `s`'s are `named[s]`. Two vectors for the whole
/// article, not one per sentence.
struct NamedBySentence {
    places: Vec<u8>,
    /// Where each sentence's places end in `places`.
    ends: Vec<usize>,
}

impl std::ops::Index<usize> for NamedBySentence {
    type Output = [u8];

    fn index(&self, sentence: usize) -> &[u8] {
        let start = sentence.checked_sub(1).map_or(0, |previous| self.ends[previous]);
        &self.places[start..self.ends[sentence]]
    }
}

/// The distinct actors of `paired` each sentence names wholly inside it, in order of first
/// mention. The mentions are walked once in order of field and start (sorted here first if
/// they are not), sentence by sentence; a sentence before the last one read is found by
/// bisection.
fn places_by_sentence(sentences: &[SentenceInput<'_>], actors: &ArticleActors, paired: &[ActorId]) -> NamedBySentence {
    let by_place = |m: &Mention| (m.field, m.start);
    let mentions: std::borrow::Cow<'_, [Mention]> = if actors.mentions.is_sorted_by_key(by_place) {
        std::borrow::Cow::Borrowed(&actors.mentions)
    } else {
        let mut sorted = actors.mentions.clone();
        sorted.sort_by_key(by_place);
        std::borrow::Cow::Owned(sorted)
    };
    let mut named = NamedBySentence { places: Vec::new(), ends: Vec::with_capacity(sentences.len()) };
    let mut next = 0;
    for sentence in sentences {
        let (field, range) = (sentence.field, &sentence.range);
        let start = (field, range.start);
        if next > 0 && mentions.get(next - 1).is_some_and(|m| by_place(m) >= start) {
            next = mentions.partition_point(|m| by_place(m) < start);
        }
        while mentions.get(next).is_some_and(|m| by_place(m) < start) {
            next += 1;
        }
        let first = named.places.len();
        while let Some(mention) = mentions.get(next).filter(|m| m.field == field && m.start < range.end) {
            next += 1;
            let place = paired.iter().position(|&actor| actor == mention.actor);
            if let (Some(place), true) = (place, mention.end <= range.end) {
                if !named.places[first..].contains(&(place as u8)) {
                    named.places.push(place as u8);
                }
            }
        }
        named.ends.push(named.places.len());
    }
    named
}

/// The pairs that reach the threshold, best first and capped, with labels, `main` and the
/// summary.
fn finish(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    sentences: &[SentenceInput<'_>],
    tallied: Tallied,
) -> Relations {
    let Tallied { paired, tallies, article_tension, .. } = tallied;
    let least = settings.min_score.min(settings.first_min_score);
    let places = (0..paired.len()).flat_map(|i| (i + 1..paired.len()).map(move |j| (i, j)));
    let mut pairs: Vec<Relation> = places
        .zip(tallies.tallies.iter().enumerate())
        .filter(|(_, (_, tally))| tally.score >= least && tally.score > 0.0)
        .map(|((i, j), (pair, tally))| {
            let (x, y) = (paired[i], paired[j]);
            let (a, b) = if gazetteer.code(x) <= gazetteer.code(y) { (x, y) } else { (y, x) };
            let own = tally.tension / tally.score;
            let share = (1.0 - settings.article_share) * own + settings.article_share * article_tension;
            let (label, share) = if share >= settings.tension_threshold {
                (RelationLabel::Tension, share)
            } else {
                (RelationLabel::Cooperation, 1.0 - share)
            };
            let probability = share * (1.0 - (-tally.score).exp());
            let (score, prominence) = (tally.score, tally.prominence);
            let evidence = evidence_of(&tallies, pair, sentences);
            Relation { a, b, label, probability, main: false, score, prominence, evidence }
        })
        .collect();
    // Best score first; ties by codes, so the answer does not depend on hashing.
    pairs.sort_by(|p, q| {
        q.score
            .total_cmp(&p.score)
            .then_with(|| gazetteer.code(p.a).cmp(gazetteer.code(q.a)))
            .then_with(|| gazetteer.code(p.b).cmp(gazetteer.code(q.b)))
    });
    // Below `min_score`, only the best-scored pair may stay (at `first_min_score`).
    let mut index = 0;
    pairs.retain(|pair| {
        index += 1;
        pair.score >= settings.min_score || index == 1
    });
    pairs.truncate(settings.max_pairs);
    if settings.main_by == MainBy::Prominence {
        // Stable: equal prominence keeps the score order.
        pairs.sort_by(|p, q| q.prominence.total_cmp(&p.prominence));
    }
    let rank = |pair: &Relation| if settings.main_by == MainBy::Score { pair.score } else { pair.prominence };
    let top = pairs.first().map_or(0.0, rank);
    for i in 0..pairs.len().min(2) {
        pairs[i].main = i == 0 || rank(&pairs[i]) >= settings.main_ratio * top;
    }
    let summary = match pairs.first() {
        Some(main) => RelationSummary::Main { label: main.label, probability: main.probability },
        None => RelationSummary::NoRelation,
    };
    Relations { pairs, summary }
}

/// The evidence sentences recorded for tally `pair`, in the order found.
fn evidence_of(tallies: &PairTallies, pair: usize, sentences: &[SentenceInput<'_>]) -> Vec<(Field, usize, usize)> {
    let Some(evidence) = tallies.evidence.get(pair) else { return Vec::new() };
    evidence
        .as_slice()
        .iter()
        .filter_map(|&sentence| sentences.get(sentence as usize))
        .map(|sentence| (sentence.field, sentence.range.start, sentence.range.end))
        .collect()
}

#[cfg(test)]
mod tests;
