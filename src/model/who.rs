//! Who with whom in a [`Model::classify`] answer: the actors an article names and the
//! relations between them, found from the article's one token stream and its sentences'
//! stances (see [`crate::features::actors`] and [`crate::model::relations`]).

use std::cell::Cell;

use super::Model;
use crate::features::actors::{Actor, ActorId, ArticleActors, Field, Gazetteer, MatchSettings};
use crate::model::relations::{
    article_reads_neutral, has_relation_with_cues, relations_with_cues, ActorPlaces, CueWords, RelationLabel,
    RelationSettings, RelationSummary, Relations, SentenceInput, StanceLabels,
};
use crate::text::article::Article;
use crate::text::tokens::{keep_within, Tokens, KEPT_TOKENS};

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
    with_sentences(&settings, tokens, stances, label_count, |sentences, cues| {
        relations_with_cues(gazetteer, &settings, labels, sentences, actors, cues)
    })
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
    with_sentences(&settings, tokens, stances, label_count, |sentences, cues| {
        has_relation_with_cues(&settings, labels, sentences, actors, cues)
    })
}

/// `read` of the article's sentences with their stance probabilities (`label_count` of
/// `stances` each) and its cue words, in the thread's spare sentence list, given back after.
#[inline]
fn with_sentences<R>(
    settings: &RelationSettings,
    tokens: &Tokens,
    stances: &[f32],
    label_count: usize,
    read: impl FnOnce(&[SentenceInput<'_>], Option<&CueWords<'_>>) -> R,
) -> R {
    let sentences = sentence_inputs(tokens, stances, label_count);
    let cues = cue_words(settings, tokens);
    let found = read(&sentences, cues.as_ref());
    give_back(sentences);
    found
}

/// The cue words among the article's token keys, when the settings weigh by them.
fn cue_words<'t>(settings: &RelationSettings, tokens: &'t Tokens) -> Option<CueWords<'t>> {
    (settings.uncued_weight != 1.0).then(|| CueWords::of(tokens))
}

thread_local! {
    /// The sentence list of the thread's last relation tally, kept empty for the next: as
    /// long as the longest article's sentences.
    static SPARE_SENTENCES: Cell<Vec<SentenceInput<'static>>> = const { Cell::new(Vec::new()) };
}

/// The sentences of `tokens` with their stance probabilities, `label_count` of `stances` each,
/// in the thread's spare list (give it back with [`give_back`]).
fn sentence_inputs<'a>(tokens: &Tokens, stances: &'a [f32], label_count: usize) -> Vec<SentenceInput<'a>> {
    let mut sentences: Vec<SentenceInput<'a>> = SPARE_SENTENCES.try_with(Cell::take).unwrap_or_default();
    sentences.clear();
    let read = tokens.sentences();
    sentences.reserve(read.len());
    sentences.extend(
        read.iter().zip(stances.chunks_exact(label_count.max(1))).map(|(sentence, stance)| SentenceInput {
            field: sentence.field(),
            range: sentence.bytes(),
            stance,
        }),
    );
    sentences
}

/// Keeps `sentences`' memory as the thread's spare list. Emptied first, the list borrows
/// nothing: collected in place under the spare's type, it keeps its memory.
fn give_back(mut sentences: Vec<SentenceInput<'_>>) {
    sentences.clear();
    let unborrowed = |sentence: SentenceInput<'_>| SentenceInput { stance: &[], ..sentence };
    let mut empty: Vec<SentenceInput<'static>> = sentences.into_iter().map(unborrowed).collect();
    keep_within(&mut empty, KEPT_TOKENS);
    let _ = SPARE_SENTENCES.try_with(|spare| spare.set(empty));
}

impl Model {
    /// The answer's actors, most-mentioned first, each with its mentions in the article's
    /// order: one walk over the mentions, each put in its actor's list, every list sized
    /// once. An actor the gazetteer lacks holds its place, empty, until the end.
    // `flatten` in place of `filter_map` would not collect in place: a new list, grown as
    // it fills, for every answer.
    #[allow(clippy::filter_map_identity)]
    pub(super) fn named_actors<'m>(&'m self, gazetteer: &'m Gazetteer, actors: &ArticleActors) -> Vec<NamedActor<'m>> {
        let cap = match_settings().max_mentions;
        let mut named: Vec<Option<NamedActor<'m>>> = (actors.actors.iter())
            .map(|count| {
                let mentions = Vec::with_capacity((count.mentions as usize).min(cap));
                Some(NamedActor { actor: gazetteer.actor(count.actor)?, count: count.mentions, mentions })
            })
            .collect();
        let places = ActorPlaces::new(&actors.actors);
        let paired = places.actors().len();
        for mention in &actors.mentions {
            let beyond = || actors.actors[paired..].iter().position(|count| count.actor == mention.actor);
            let place = places.place(mention.actor).or_else(|| beyond().map(|place| paired + place));
            if let Some(Some(named)) = place.and_then(|place| named.get_mut(place)) {
                named.mentions.push((mention.field, mention.start, mention.end));
            }
        }
        // Collected in place: an `Option<NamedActor>` is the size of a `NamedActor`.
        named.into_iter().filter_map(|named| named).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenizer::Tokenizer;

    #[test]
    fn the_sentence_list_is_filled_in_the_memory_given_back() {
        let (mut tokens, article) =
            (Tokens::default(), Article::text("France met Germany. Russia warned Ukraine. It rained."));
        tokens.read(&Tokenizer::default(), &article);
        tokens.split_sentences(&article);
        let stances = [0.5_f32; 9];
        let sentences = sentence_inputs(&tokens, &stances, 3);
        assert_eq!(sentences.len(), 3);
        assert_eq!(sentences[1].stance, [0.5; 3]);
        let mut sentences = sentences;
        sentences.reserve(64);
        let room = sentences.capacity();
        give_back(sentences);
        let again = sentence_inputs(&tokens, &stances[..6], 3);
        assert_eq!(again.len(), 2, "as many as the stances give");
        assert_eq!(again.capacity(), room, "the list given back is reused");
        give_back(again);
    }
}
