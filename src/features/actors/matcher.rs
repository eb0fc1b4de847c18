//! Finding a gazetteer's actors in an article's tokens, with the longest match, the case
//! rules, the ambiguous rule and the caps of [`MatchSettings`].

use super::index::{CaseRule, Pattern};
use super::{ActorId, Field, Gazetteer, Mention};
use crate::text::tokenizer::{hash, Tokenizer};

/// What an `ambiguous` pattern's mention counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmbiguousRule {
    /// Only where the article also names the actor by an unambiguous pattern.
    Supported,
    /// Always, as an unambiguous pattern.
    Always,
    /// Never.
    Never,
}

/// The matcher's rules and caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchSettings {
    /// When an ambiguous name counts.
    pub ambiguous: AmbiguousRule,
    /// The most actors an article's answer lists (most-mentioned first): an article naming
    /// every country still gets a short answer. 32 is far above the most distinct actors a
    /// story of `data/news` names (25).
    pub max_actors: usize,
    /// The most mentions kept for one actor (its first ones); all are counted.
    pub max_mentions: usize,
}

impl Default for MatchSettings {
    fn default() -> Self {
        Self { ambiguous: AmbiguousRule::Supported, max_actors: 32, max_mentions: 32 }
    }
}

/// An actor with how often the article names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorCount {
    /// The actor.
    pub actor: ActorId,
    /// All its counted mentions, including those past [`MatchSettings::max_mentions`].
    pub mentions: u32,
}

/// The actors of one article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleActors {
    /// Most-mentioned first (ties: the one named first), at most
    /// [`MatchSettings::max_actors`].
    pub actors: Vec<ActorCount>,
    /// The kept mentions of those actors, title first, in text order.
    pub mentions: Vec<Mention>,
}

/// Per-actor tallies of the article being read.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    unambiguous: u32,
    ambiguous: u32,
    /// The order in which the article first named it, for ties.
    first: u32,
}

/// A mention as found, before the ambiguous rule and the caps.
#[derive(Debug, Clone, Copy)]
struct Found {
    mention: Mention,
    ambiguous: bool,
}

/// Finds actors in articles, reusing its buffers from one article to the next: feed each
/// field's tokens with [`ActorMatcher::push_token`] and close the field with
/// [`ActorMatcher::end_field`], then take the answer with [`ActorMatcher::finish`]; or
/// call [`ActorMatcher::find`].
#[derive(Debug)]
pub struct ActorMatcher<'g> {
    gazetteer: &'g Gazetteer,
    settings: MatchSettings,
    /// The keys and byte ranges of the tokens pushed for the current field.
    keys: Vec<u64>,
    spans: Vec<(usize, usize)>,
    tallies: Vec<Tally>,
    named: u32,
    found: Vec<Found>,
}

impl<'g> ActorMatcher<'g> {
    pub(super) fn new(gazetteer: &'g Gazetteer, settings: MatchSettings) -> Self {
        let tallies = vec![Tally::default(); gazetteer.actors().len()];
        Self { gazetteer, settings, keys: Vec::new(), spans: Vec::new(), tallies, named: 0, found: Vec::new() }
    }

    /// The actors of an article's title and text, tokenized with `tokenizer`.
    pub fn find(&mut self, tokenizer: &Tokenizer, title: &str, text: &str) -> ArticleActors {
        for (field, source) in [(Field::Title, title), (Field::Text, text)] {
            tokenizer.for_each(source, |start, end, normalized| self.push_token(start, end, normalized));
            self.end_field(field, source);
        }
        self.finish()
    }

    /// One token of the current field, as [`Tokenizer::for_each`] gives it.
    #[inline]
    pub fn push_token(&mut self, start: usize, end: usize, normalized: &str) {
        self.push_key(start, end, hash::token(normalized));
    }

    /// One token of the current field by its key (the tokenizer's 64-bit token hash).
    #[inline]
    pub fn push_key(&mut self, start: usize, end: usize, key: u64) {
        self.keys.push(key);
        self.spans.push((start, end));
    }

    /// Matches the tokens pushed since the last field against `text`, the field's text.
    pub fn end_field(&mut self, field: Field, text: &str) {
        let (keys, spans) = (std::mem::take(&mut self.keys), std::mem::take(&mut self.spans));
        self.match_field(field, &keys, &spans, text);
        (self.keys, self.spans) = (keys, spans);
        self.keys.clear();
        self.spans.clear();
    }

    /// Matches a whole field's tokens, already read: their keys and `(start, end)` byte
    /// ranges in `text` (as [`crate::text::tokens::FieldTokens`] holds them). Nothing is
    /// copied or allocated per token; a token whose key starts no pattern costs one bit test.
    pub fn match_field(&mut self, field: Field, keys: &[u64], spans: &[(usize, usize)], text: &str) {
        let index = self.gazetteer.index();
        let count = keys.len().min(spans.len());
        let mut i = 0;
        while i < count {
            let winner = index.candidates(keys[i]).find(|p| matches_at(p, &keys[i..count], &spans[i..count], text));
            let Some(pattern) = winner else {
                i += 1;
                continue;
            };
            let len = pattern.keys.len();
            if let Some(actor) = pattern.actor {
                let (start, end) = (spans[i].0, spans[i + len - 1].1);
                self.record(Mention { actor, field, start, end }, pattern.ambiguous);
            }
            i += len;
        }
    }

    fn record(&mut self, mention: Mention, ambiguous: bool) {
        let Some(tally) = self.tallies.get_mut(usize::from(mention.actor.0)) else { return };
        if tally.unambiguous + tally.ambiguous == 0 {
            tally.first = self.named;
            self.named += 1;
        }
        let kept = tally.unambiguous + tally.ambiguous;
        if ambiguous {
            tally.ambiguous = tally.ambiguous.saturating_add(1);
        } else {
            tally.unambiguous = tally.unambiguous.saturating_add(1);
        }
        // Only the first mentions are kept, so memory stays bounded by actors × cap.
        if (kept as usize) < self.settings.max_mentions {
            self.found.push(Found { mention, ambiguous });
        }
    }

    /// The article's actors and mentions under the ambiguous rule and the caps; the matcher
    /// is ready for the next article.
    pub fn finish(&mut self) -> ArticleActors {
        let rule = self.settings.ambiguous;
        let counted = |tally: &Tally| match rule {
            AmbiguousRule::Always => tally.unambiguous + tally.ambiguous,
            AmbiguousRule::Supported if tally.unambiguous > 0 => tally.unambiguous + tally.ambiguous,
            _ => tally.unambiguous,
        };
        let mut actors: Vec<(ActorCount, u32)> = Vec::new();
        for (i, tally) in self.tallies.iter().enumerate() {
            let mentions = counted(tally);
            if mentions > 0 {
                actors.push((ActorCount { actor: ActorId(i as u16), mentions }, tally.first));
            }
        }
        actors.sort_by_key(|(count, first)| (std::cmp::Reverse(count.mentions), *first));
        actors.truncate(self.settings.max_actors);
        let listed = |actor: ActorId| actors.iter().any(|(count, _)| count.actor == actor);
        let keeps = |found: &Found| {
            let tally = &self.tallies[usize::from(found.mention.actor.0)];
            listed(found.mention.actor)
                && (!found.ambiguous
                    || rule == AmbiguousRule::Always
                    || (rule == AmbiguousRule::Supported && tally.unambiguous > 0))
        };
        let mut mentions: Vec<Mention> = self.found.iter().filter(|f| keeps(f)).map(|f| f.mention).collect();
        mentions.sort_by_key(|m| (m.field, m.start));
        self.found.clear();
        self.tallies.iter_mut().for_each(|tally| *tally = Tally::default());
        self.named = 0;
        ArticleActors { actors: actors.into_iter().map(|(count, _)| count).collect(), mentions }
    }
}

/// Whether `pattern` matches the tokens from the first of `keys` (with byte ranges `spans`
/// in `text`) on, keys and case.
#[inline]
fn matches_at(pattern: &Pattern, keys: &[u64], spans: &[(usize, usize)], text: &str) -> bool {
    let len = pattern.keys.len();
    let (Some(keys), Some(spans)) = (keys.get(..len), spans.get(..len)) else { return false };
    if keys != &*pattern.keys {
        return false;
    }
    let source = |&(start, end): &(usize, usize)| text.get(start..end).unwrap_or("");
    match &pattern.case {
        CaseRule::Exact(written) => spans.iter().zip(written.iter()).all(|(span, word)| source(span) == &**word),
        CaseRule::Capitalized(mask) => spans
            .iter()
            .enumerate()
            .all(|(k, span)| mask & (1 << k) == 0 || source(span).chars().next().is_some_and(char::is_uppercase)),
    }
}
