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

use rustc_hash::FxHashMap;

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

/// Evidence gathered for one pair.
#[derive(Debug, Default)]
struct Tally {
    score: f32,
    prominence: f32,
    tension: f32,
    evidence: Vec<(Field, usize, usize)>,
}

/// The relations of an article with these sentences (in order, title first) and actors.
pub fn relations(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
) -> Relations {
    let named = actors_by_sentence(sentences, actors);
    let mut tallies: FxHashMap<(ActorId, ActorId), Tally> = FxHashMap::default();
    let mut text_index = 0;
    let weights: Vec<(f32, f32, f32)> = sentences
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
        .collect();
    let mut add =
        |x: ActorId, y: ActorId, (weight, tension, place): (f32, f32, f32), evidence: &[&SentenceInput<'_>]| {
            if x == y {
                return;
            }
            let tally = tallies.entry((x.min(y), x.max(y))).or_default();
            tally.score += weight;
            tally.prominence += place;
            tally.tension += weight * tension;
            for sentence in evidence {
                let range = (sentence.field, sentence.range.start, sentence.range.end);
                if tally.evidence.len() < settings.max_evidence && !tally.evidence.contains(&range) {
                    tally.evidence.push(range);
                }
            }
        };
    for (s, sentence) in sentences.iter().enumerate() {
        for (i, &x) in named[s].iter().enumerate() {
            for &y in &named[s][i + 1..] {
                add(x, y, weights[s], &[sentence]);
            }
        }
        for distance in 1..=settings.window {
            let next = s + distance;
            if next >= sentences.len() || sentences[next].field != sentence.field {
                break;
            }
            let ((w1, t1, p1), (w2, t2, p2)) = (weights[s], weights[next]);
            let half = settings.adjacent_weight / (2.0 * distance as f32);
            let apart = (half * (w1 + w2), (t1 + t2) / 2.0, half * (p1 + p2));
            for &x in &named[s] {
                for &y in named[next].iter().filter(|y| !named[s].contains(y)) {
                    add(x, y, apart, &[sentence, &sentences[next]]);
                }
            }
        }
    }
    let (weighted, tension) =
        weights.iter().fold((0.0, 0.0), |(w, t), &(weight, share, _)| (w + weight, t + weight * share));
    let article_tension = if weighted > 0.0 { tension / weighted } else { 0.5 };
    finish(gazetteer, settings, tallies, article_tension)
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

/// The distinct actors each sentence names, in order of first mention: sentence `s`'s are
/// `named[s]`. Two vectors for the whole article, not one per sentence.
struct NamedBySentence {
    actors: Vec<ActorId>,
    /// Where each sentence's actors end in `actors`.
    ends: Vec<usize>,
}

impl std::ops::Index<usize> for NamedBySentence {
    type Output = [ActorId];

    fn index(&self, sentence: usize) -> &[ActorId] {
        let start = sentence.checked_sub(1).map_or(0, |previous| self.ends[previous]);
        &self.actors[start..self.ends[sentence]]
    }
}

/// The distinct actors each sentence names, in order of first mention. With the mentions
/// in order (field, then start; as the matcher gives them, else sorted here first), each
/// sentence's are found by bisection.
fn actors_by_sentence(sentences: &[SentenceInput<'_>], actors: &ArticleActors) -> NamedBySentence {
    let by_place = |m: &Mention| (m.field, m.start);
    let mentions: std::borrow::Cow<'_, [Mention]> = if actors.mentions.is_sorted_by_key(by_place) {
        std::borrow::Cow::Borrowed(&actors.mentions)
    } else {
        let mut sorted = actors.mentions.clone();
        sorted.sort_by_key(by_place);
        std::borrow::Cow::Owned(sorted)
    };
    let mut named = NamedBySentence { actors: Vec::new(), ends: Vec::with_capacity(sentences.len()) };
    for sentence in sentences {
        let (field, range) = (sentence.field, &sentence.range);
        let first = mentions.partition_point(|m| by_place(m) < (field, range.start));
        let inside = mentions[first..]
            .iter()
            .take_while(|m| m.field == field && m.start < range.end)
            .filter(|m| m.end <= range.end);
        let start = named.actors.len();
        for mention in inside {
            if !named.actors[start..].contains(&mention.actor) {
                named.actors.push(mention.actor);
            }
        }
        named.ends.push(named.actors.len());
    }
    named
}

/// The pairs that reach the threshold, best first and capped, with labels, `main` and the
/// summary.
fn finish(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    tallies: FxHashMap<(ActorId, ActorId), Tally>,
    article_tension: f32,
) -> Relations {
    let least = settings.min_score.min(settings.first_min_score);
    let mut pairs: Vec<Relation> = tallies
        .into_iter()
        .filter(|(_, tally)| tally.score >= least && tally.score > 0.0)
        .map(|((x, y), tally)| {
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
            Relation { a, b, label, probability, main: false, score, prominence, evidence: tally.evidence }
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

#[cfg(test)]
mod tests;
