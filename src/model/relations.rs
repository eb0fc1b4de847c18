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

use crate::features::actors::{ActorId, ArticleActors, Field, Gazetteer};
pub use cues::CueWords;
pub use gate::article_reads_neutral;
pub(crate) use places::ActorPlaces;
pub use tally::text_capacity;
use tally::{article_tension, evidence_of, tally, Entry, Tallied};

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
    /// How much a sentence's evidence counts for an actor it names only as a place ("talks in
    /// Geneva": [`crate::features::actors::MentionRole::Place`]); 0: not at all.
    pub place_weight: f32,
    /// The same for an actor named only by a demonym describing a person ("a French
    /// journalist": [`crate::features::actors::MentionRole::Descriptor`]).
    pub descriptor_weight: f32,
    /// A pair whose score is under this share of the best pair's is not a relation (0: no
    /// such test).
    pub min_share_of_best: f32,
    /// How much `min_score` rises for each actor the article names past two: an article
    /// naming many actors names many pairs together by chance.
    pub min_score_per_actor: f32,
    /// An article whose whole-article stance gives neutral at least this probability reports
    /// no relation ([`article_reads_neutral`]); above 1: no such gate. Applied by the
    /// caller, which has the article's stance: [`relations`] reads sentences only.
    pub neutral_article_gate: f32,
    /// How much a sentence naming both of a pair counts when no cue word stands between the
    /// two ([`CueWords`]; only where the caller gives the cue words); 1: no such weight.
    pub uncued_weight: f32,
    /// The most `min_score` and `first_min_score` may be, as a share of the evidence the
    /// text can hold (the sum of its sentences' place weights, [`text_capacity`]): a text of
    /// one sentence holds less than a story's threshold, and its one pair named once is its
    /// relation. At the defaults, from two text sentences on, the thresholds as set; 0: no
    /// cap.
    pub short_text_share: f32,
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
            place_weight: 0.5,
            descriptor_weight: 1.0,
            min_share_of_best: 0.0,
            min_score_per_actor: 0.0,
            neutral_article_gate: 0.5,
            uncued_weight: 0.75,
            short_text_share: 0.5,
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

/// The most evidence sentences a relation can keep, whatever
/// [`RelationSettings::max_evidence`] asks.
pub const MAX_EVIDENCE: usize = 8;

/// The relations of an article with these sentences (in order, title first) and actors,
/// each with the sentences that support it.
pub fn relations(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
) -> Relations {
    relations_with_cues(gazetteer, settings, labels, sentences, actors, None)
}

/// [`relations`], with a sentence naming both of a pair weighed by whether a cue word stands
/// between them ([`CueWords`], [`RelationSettings::uncued_weight`]); without `cues`, no
/// such weight.
pub fn relations_with_cues(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    cues: Option<&CueWords<'_>>,
) -> Relations {
    let tallied = tally(settings, labels, sentences, actors, (true, None), cues);
    // The article's share matters only when mixed in.
    let article_tension =
        if settings.article_share != 0.0 { article_tension(settings, labels, sentences) } else { 0.5 };
    finish(gazetteer, settings, sentences, tallied, article_tension)
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
    has_relation_with_cues(settings, labels, sentences, actors, None)
}

/// [`has_relation`] with the cue words of [`relations_with_cues`].
pub fn has_relation_with_cues(
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    cues: Option<&CueWords<'_>>,
) -> bool {
    let least = Thresholds::of(settings, sentences).least();
    tally(settings, labels, sentences, actors, (false, Some(least)), cues).stopped
}

/// The least scores that make a relation in one article: [`RelationSettings::min_score`]
/// and [`RelationSettings::first_min_score`], each capped at
/// [`RelationSettings::short_text_share`] of the text's capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Thresholds {
    /// Any pair's.
    min: f32,
    /// The best-scored pair's.
    first: f32,
}

impl Thresholds {
    fn of(settings: &RelationSettings, sentences: &[SentenceInput<'_>]) -> Self {
        let (min, first) = (settings.min_score, settings.first_min_score);
        if settings.short_text_share <= 0.0 {
            return Self { min, first };
        }
        // Past this capacity the cap is above both thresholds: no need to add further.
        let enough = min.max(first) / settings.short_text_share;
        let cap = settings.short_text_share * text_capacity(settings, sentences, enough);
        Self { min: min.min(cap), first: first.min(cap) }
    }

    /// The least score any pair may have.
    fn least(self) -> f32 {
        self.min.min(self.first)
    }
}

/// The pairs that reach the threshold, best first and capped, with labels, `main` and the
/// summary; `article_tension` is the whole article's tension share.
fn finish(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    sentences: &[SentenceInput<'_>],
    tallied: Tallied,
    article_tension: f32,
) -> Relations {
    let (paired, tallies) = (&tallied.paired, &tallied.tallies);
    let crowd = settings.min_score_per_actor * paired.actors().len().saturating_sub(2) as f32;
    let thresholds = Thresholds::of(settings, sentences);
    let least = thresholds.least() + crowd;
    let mut found: Vec<&Entry> =
        tallies.entries().iter().filter(|entry| entry.tally.score >= least && entry.tally.score > 0.0).collect();
    // In the order of the pairs' places, so that equal keys below keep one order.
    found.sort_unstable_by_key(|entry| entry.places);
    let paired = paired.actors();
    let mut pairs: Vec<Relation> = found
        .into_iter()
        .map(|entry| {
            let (tally, (i, j)) = (&entry.tally, entry.places);
            let (x, y) = (paired[usize::from(i)], paired[usize::from(j)]);
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
            let evidence =
                evidence_of(tallied.evidence(settings, entry.places, settings.max_evidence).as_slice(), sentences);
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
    // Below `min_score`, only the best-scored pair may stay (at `first_min_score`); none
    // under `min_share_of_best` of the best.
    let mut index = 0;
    let best = pairs.first().map_or(0.0, |pair| pair.score);
    pairs.retain(|pair| {
        index += 1;
        (pair.score >= thresholds.min + crowd || index == 1) && pair.score >= settings.min_share_of_best * best
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

mod cues;
mod gate;
mod places;
mod tally;

#[cfg(test)]
mod tests;
