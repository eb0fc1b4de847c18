//! Who with whom in a [`Model::classify`] answer: the actors an article names and the
//! relations between them, found from the article's one token stream and its sentences'
//! stances (see [`crate::features::actors`] and [`crate::model::relations`]).

use super::Model;
use crate::features::actors::{Actor, ActorId, ArticleActors, Field, Gazetteer, MatchSettings};
use crate::model::relations::{
    article_reads_neutral, has_relation_with_cues, relations_with_cues, ActorPlaces, CueWords, RelationLabel,
    RelationSettings, RelationSummary, Relations, SentenceInput, StanceLabels,
};
use crate::text::article::Article;
use crate::text::tokens::Tokens;

/// An actor the article names, with where.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedActor<'m> {
    /// The actor: code, kind, name.
    pub actor: &'m Actor,
    /// How many times the article names it (all of them, past the kept mentions).
    pub count: u32,
    /// Where: field and bytes, title first, at most [`MatchSettings::max_mentions`].
    pub mentions: Vec<(Field, usize, usize)>,
}

/// A pair of actors the article reports relating, `a` before `b` by code.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorRelation<'m> {
    /// The actor whose code sorts first.
    pub a: &'m Actor,
    /// The other.
    pub b: &'m Actor,
    /// Cooperation or tension.
    pub label: RelationLabel,
    /// The probability of `label`.
    pub probability: f32,
    /// One of the one or two pairs the article is mainly about.
    pub main: bool,
    /// The sentences that support it: field and bytes.
    pub evidence: Vec<(Field, usize, usize)>,
}

/// The caps of an answer's actors: [`MatchSettings::default`]'s 32 actors (most-mentioned
/// first), 32 mentions each.
pub fn match_settings() -> MatchSettings {
    MatchSettings::default()
}

/// The actors of an article already read into `tokens`: the matcher reads each field's
/// token keys and byte ranges as the tokenizer left them, tokenizing nothing again.
pub(super) fn find_actors(gazetteer: &Gazetteer, tokens: &Tokens, article: &Article) -> ArticleActors {
    let mut matcher = gazetteer.matcher(match_settings());
    for (field, text) in article.fields() {
        let read = tokens.field(field);
        matcher.match_field(field, read.keys(), read.span_pairs(), text);
    }
    matcher.finish()
}

/// The relations of an article whose sentences (in order, title first) have these stance
/// probabilities, `label_count` long each, in `stances`; none when the article's own stance
/// (`article_stance`, before the relation rule) reads as neutral ([`article_reads_neutral`]).
pub(super) fn find_relations(
    gazetteer: &Gazetteer,
    labels: StanceLabels,
    tokens: &Tokens,
    (article_stance, stances): (&[f32], &[f32]),
    label_count: usize,
    actors: &ArticleActors,
) -> Relations {
    let settings = RelationSettings::default();
    if article_reads_neutral(&settings, labels, article_stance) {
        return Relations { pairs: Vec::new(), summary: RelationSummary::NoRelation };
    }
    let sentences = sentence_inputs(tokens, stances, label_count);
    let cues = cue_words(&settings, tokens);
    relations_with_cues(gazetteer, &settings, labels, &sentences, actors, cues.as_ref())
}

/// Whether [`find_relations`] would find a pair, found without building them.
pub(super) fn finds_relation(
    labels: StanceLabels,
    tokens: &Tokens,
    (article_stance, stances): (&[f32], &[f32]),
    label_count: usize,
    actors: &ArticleActors,
) -> bool {
    let settings = RelationSettings::default();
    if article_reads_neutral(&settings, labels, article_stance) {
        return false;
    }
    let sentences = sentence_inputs(tokens, stances, label_count);
    let cues = cue_words(&settings, tokens);
    has_relation_with_cues(&settings, labels, &sentences, actors, cues.as_ref())
}

/// The cue words among the article's token keys, when the settings weigh by them.
fn cue_words<'t>(settings: &RelationSettings, tokens: &'t Tokens) -> Option<CueWords<'t>> {
    (settings.uncued_weight != 1.0).then(|| CueWords::of(tokens))
}

/// The sentences of `tokens` with their stance probabilities, `label_count` of `stances` each.
fn sentence_inputs<'a>(tokens: &Tokens, stances: &'a [f32], label_count: usize) -> Vec<SentenceInput<'a>> {
    tokens
        .sentences()
        .iter()
        .zip(stances.chunks_exact(label_count.max(1)))
        .map(|(sentence, stance)| SentenceInput { field: sentence.field, range: sentence.bytes.clone(), stance })
        .collect()
}

impl Model {
    /// The answer's actors, most-mentioned first, each with its mentions in the article's
    /// order: one walk over the mentions, each put in its actor's list.
    pub(super) fn named_actors<'m>(&'m self, gazetteer: &'m Gazetteer, actors: &ArticleActors) -> Vec<NamedActor<'m>> {
        let places = ActorPlaces::new(&actors.actors);
        let cap = match_settings().max_mentions;
        let mut lists: Vec<Vec<(Field, usize, usize)>> =
            actors.actors.iter().map(|count| Vec::with_capacity((count.mentions as usize).min(cap))).collect();
        let paired = places.actors().len();
        for mention in &actors.mentions {
            let beyond = || actors.actors[paired..].iter().position(|count| count.actor == mention.actor);
            if let Some(place) = places.place(mention.actor).or_else(|| beyond().map(|place| paired + place)) {
                lists[place].push((mention.field, mention.start, mention.end));
            }
        }
        actors
            .actors
            .iter()
            .zip(lists)
            .filter_map(|(count, mentions)| {
                Some(NamedActor { actor: gazetteer.actor(count.actor)?, count: count.mentions, mentions })
            })
            .collect()
    }

    /// The answer's relations, main first.
    pub(super) fn actor_relations<'m>(&'m self, gazetteer: &'m Gazetteer, found: Relations) -> Vec<ActorRelation<'m>> {
        let actor = |id: ActorId| gazetteer.actor(id);
        found
            .pairs
            .into_iter()
            .filter_map(|pair| {
                Some(ActorRelation {
                    a: actor(pair.a)?,
                    b: actor(pair.b)?,
                    label: pair.label,
                    probability: pair.probability,
                    main: pair.main,
                    evidence: pair.evidence,
                })
            })
            .collect()
    }
}
