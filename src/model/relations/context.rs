//! What an article offers its relations beyond its sentences' stances and its mentions,
//! read off its one token stream: the cue words ([`CueWords`]) and the stance of the words
//! around two actors ([`ClauseStance`]).

use super::tally::{article_tension, tally};
use super::{finish, ClauseStance, CueWords, RelationSettings, Relations, SentenceInput, StanceLabels};
use crate::features::actors::{ArticleActors, Gazetteer};

/// [`super::relations`], with a sentence naming both of a pair weighed by whether a cue word stands
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
    relations_in_context(gazetteer, settings, labels, sentences, actors, PairContext { cues, clauses: None })
}

/// What an article offers the relations beyond its sentences' stances and its mentions,
/// read off its one token stream: each is used only when given.
#[derive(Clone, Copy, Default)]
pub struct PairContext<'a> {
    /// The cue words ([`RelationSettings::uncued_weight`], [`RelationSettings::cue_reach`]).
    pub cues: Option<&'a CueWords<'a>>,
    /// The stance of the words around two actors of one sentence
    /// ([`RelationSettings::clause_share`]).
    pub clauses: Option<&'a dyn ClauseStance>,
}

/// [`super::relations`] with the article's `context`: cue words weigh a sentence naming both of a
/// pair ([`relations_with_cues`]), and a clause stance mixes into the pair's tension share
/// there ([`ClauseStance`]).
pub fn relations_in_context(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    sentences: &[SentenceInput<'_>],
    actors: &ArticleActors,
    context: PairContext<'_>,
) -> Relations {
    let tallied = tally(settings, labels, sentences, actors, (true, None), context);
    // The article's share matters only when mixed in.
    let article_tension =
        if settings.article_share != 0.0 { article_tension(settings, labels, sentences) } else { 0.5 };
    finish(gazetteer, settings, sentences, tallied, article_tension)
}
