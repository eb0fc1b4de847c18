//! Finding a gazetteer's actors in an article's tokens, with the longest match, the case
//! rules, the ambiguous rule and the caps of [`MatchSettings`].

use super::first_keys::Candidate;
use super::index::PatternIndex;
use super::mention_role::{self, MentionRole};
use super::{ActorId, Field, Gazetteer, Mention};
use crate::text::dateline;
use crate::text::tokenizer::{hash, Tokenizer};
use space::{Found, MatchSpace, Tally};

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
    /// Names in the dateline at the start of the text ("BRUSSELS (Reuters) - ", see
    /// [`crate::text::dateline`]) name no actor: they say where the story was filed.
    pub skip_dateline: bool,
}

impl Default for MatchSettings {
    fn default() -> Self {
        Self { ambiguous: AmbiguousRule::Supported, max_actors: 32, max_mentions: 32, skip_dateline: true }
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

/// Finds actors in articles, reusing its buffers from one article to the next (and the
/// thread's, from one matcher to the next): feed each field's tokens with
/// [`ActorMatcher::push_token`] and close the field with [`ActorMatcher::end_field`], then
/// take the answer with [`ActorMatcher::finish`]; or call [`ActorMatcher::find`].
#[derive(Debug)]
pub struct ActorMatcher<'g> {
    gazetteer: &'g Gazetteer,
    settings: MatchSettings,
    /// Always set; taken only when the matcher is dropped.
    space: Option<Box<MatchSpace>>,
}

impl<'g> ActorMatcher<'g> {
    pub(super) fn new(gazetteer: &'g Gazetteer, settings: MatchSettings) -> Self {
        // Taken from the thread, or made if the thread has none (a matcher made while
        // another is alive, or while the thread shuts down).
        let mut space = space::take();
        let actors = gazetteer.actors().len();
        if space.tallies.len() < actors {
            space.tallies.resize(actors, Tally::default());
        }
        Self { gazetteer, settings, space: Some(space) }
    }

    fn space(&mut self) -> &mut MatchSpace {
        self.space.get_or_insert_with(Box::default)
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
        let space = self.space();
        space.keys.push(key);
        space.spans.push((start, end));
    }

    /// Matches the tokens pushed since the last field against `text`, the field's text.
    pub fn end_field(&mut self, field: Field, text: &str) {
        let space = self.space();
        let (keys, spans) = (std::mem::take(&mut space.keys), std::mem::take(&mut space.spans));
        self.match_field(field, &keys, &spans, text);
        let space = self.space();
        (space.keys, space.spans) = (keys, spans);
        space.keys.clear();
        space.spans.clear();
    }

    /// Matches a whole field's tokens, already read: their keys and `(start, end)` byte
    /// ranges in `text` (as [`crate::text::tokens::FieldTokens`] holds them). Nothing is
    /// copied or allocated per token; a token that starts no pattern costs a bit test. The
    /// tokens of the text's dateline are passed over ([`MatchSettings::skip_dateline`]).
    ///
    /// The tokens that may start a pattern are found first, and the index's lines their
    /// lookups read are prefetched, in two rounds (the slots, then the candidates the slots
    /// point to), before any is matched: the index is out of the cache by the time an
    /// article is matched, and the lookups then wait for their loads together, not one
    /// after the other.
    pub fn match_field(&mut self, field: Field, keys: &[u64], spans: &[(usize, usize)], text: &str) {
        let index = self.gazetteer.index();
        let count = keys.len().min(spans.len());
        let (keys, spans) = (&keys[..count], &spans[..count]);
        let mut starts = std::mem::take(&mut self.space().starts);
        let found = may_start_at(index, keys, &mut starts);
        let starts_here = &mut starts[..found];
        let mut kept = 0;
        for k in 0..starts_here.len() {
            let at = starts_here[k] as usize;
            starts_here[kept] = at as u32;
            index.prefetch_slot(keys[at]);
            kept += usize::from(index.may_start_with(keys[at], first_byte(text, spans[at])));
        }
        let starts_here = &starts_here[..kept];
        for &at in starts_here {
            index.prefetch_candidates(keys[at as usize]);
        }
        // The token after the last match (or the text's dateline, which names no actor): a
        // token before it is part of that match. The dateline is looked for only at the
        // first match, and only if that match starts where a dateline may reach: a start
        // that matches nothing moves nothing on.
        let mut i = 0;
        let mut dateline_unread = field == Field::Text && self.settings.skip_dateline;
        for &at in starts_here {
            let at = at as usize;
            if at < i {
                continue;
            }
            let candidates = index.all_candidates(keys[at]);
            let winner = candidates.iter().find(|c| matches_at(index, c, &keys[at..], &spans[at..], text));
            let Some(candidate) = winner else { continue };
            if std::mem::take(&mut dateline_unread) && at < dateline::MAX_TOKENS {
                i = dateline::find(text, spans).map_or(0, |found| found.tokens);
                if at < i {
                    continue;
                }
            }
            let len = usize::from(candidate.len);
            if let Some(actor) = candidate.actor {
                let (start, end) = (spans[at].0, spans[at + len - 1].1);
                if let Some(role) = self.mention_role(candidate, actor, spans, at, text) {
                    self.record(Mention { actor, field, start, end, role }, candidate.ambiguous);
                }
            }
            i = at + len;
        }
        self.space().starts = starts;
    }

    /// The hook to [`mention_role::classify`], at a matched mention only: the mention's role,
    /// or `None` if its words name no actor there.
    fn mention_role(
        &self,
        candidate: &Candidate,
        actor: ActorId,
        spans: &[(usize, usize)],
        at: usize,
        text: &str,
    ) -> Option<MentionRole> {
        let kind = self.gazetteer.index().kind(actor)?;
        mention_role::classify(candidate.role, kind, spans, at, usize::from(candidate.len), text)
    }

    fn record(&mut self, mention: Mention, ambiguous: bool) {
        let max_mentions = self.settings.max_mentions;
        let space = self.space();
        let Some(tally) = space.tallies.get_mut(usize::from(mention.actor.0)) else { return };
        let kept = tally.unambiguous + tally.ambiguous;
        if kept == 0 {
            space.named.push(mention.actor);
        }
        if ambiguous {
            tally.ambiguous = tally.ambiguous.saturating_add(1);
        } else {
            tally.unambiguous = tally.unambiguous.saturating_add(1);
        }
        // Only the first mentions are kept, so memory stays bounded by actors × cap.
        if (kept as usize) < max_mentions {
            space.found.push(Found { mention, ambiguous });
        }
    }

    /// The article's actors and mentions under the ambiguous rule and the caps; the matcher
    /// is ready for the next article. Reads only the tallies of the actors the article names.
    pub fn finish(&mut self) -> ArticleActors {
        let (rule, max_actors) = (self.settings.ambiguous, self.settings.max_actors);
        let space = self.space();
        let supported = |tally: &Tally| match rule {
            AmbiguousRule::Always => true,
            AmbiguousRule::Supported => tally.unambiguous > 0,
            AmbiguousRule::Never => false,
        };
        let counted = |tally: &Tally| tally.unambiguous + if supported(tally) { tally.ambiguous } else { 0 };
        // Both lists are sized once, for everything that may go in (a filtered collect
        // would grow them by doubling, copying them each time), in a recycled answer's
        // memory if there is one.
        let (mut actors, mut mentions) = space.spare.take().unwrap_or_default();
        actors.clear();
        mentions.clear();
        actors.reserve(space.named.len());
        actors.extend(space.named.iter().filter_map(|&actor| {
            let mentions = counted(space.tallies.get(usize::from(actor.0))?);
            (mentions > 0).then_some(ActorCount { actor, mentions })
        }));
        // A stable sort: ties stay in the order the article first named them.
        actors.sort_by_key(|count| std::cmp::Reverse(count.mentions));
        actors.truncate(max_actors);
        for count in &actors {
            space.tallies[usize::from(count.actor.0)].listed = true;
        }
        let keeps = |found: &Found| {
            let tally = &space.tallies[usize::from(found.mention.actor.0)];
            tally.listed && (!found.ambiguous || supported(tally))
        };
        mentions.reserve(space.found.len());
        mentions.extend(space.found.iter().filter(|f| keeps(f)).map(|f| f.mention));
        // Found in that order already (title, then text, each in order): checked, so that
        // the stable sort's scratch buffer is allocated only if it is not.
        let place = |m: &Mention| (m.field, m.start);
        if !mentions.is_sorted_by_key(place) {
            mentions.sort_by_key(place);
        }
        space.clear();
        ArticleActors { actors, mentions }
    }
}

impl Drop for ActorMatcher<'_> {
    fn drop(&mut self) {
        // A space left by a panic may hold tallies: it is dropped, not given back.
        if std::thread::panicking() {
            return;
        }
        if let Some(space) = self.space.take() {
            space::give_back(space);
        }
    }
}

/// Writes to the start of `starts` (grown if needed) the positions of the tokens of `keys`
/// that may start a pattern, in order, and returns how many there are. Each token's test
/// moves the end on or not, without a branch: few tokens pass, and a loop that stops at
/// each of them mispredicts its exit there. Out of line, so that the loop's pointers stay
/// in registers rather than share them with the rest of [`ActorMatcher::match_field`].
#[inline(never)]
fn may_start_at(index: &PatternIndex, keys: &[u64], starts: &mut Vec<u32>) -> usize {
    if starts.len() < keys.len() {
        starts.resize(keys.len(), 0);
    }
    let starts = &mut starts[..keys.len()];
    let mut found = 0;
    for (at, &key) in keys.iter().enumerate() {
        // Written every time, kept (by moving `found` on) only if the token may start one.
        starts[found] = at as u32;
        found += usize::from(index.may_start(key));
    }
    found
}

/// The first byte of the token at `(start, end)` in `text`, if any.
#[inline]
fn first_byte(text: &str, (start, _): (usize, usize)) -> Option<u8> {
    text.as_bytes().get(start).copied()
}

/// Whether `candidate` matches the tokens from the first of `keys` (with byte ranges
/// `spans` in `text`) on, keys and case. The first key is not compared: `candidate` is one
/// of the candidates of the first token's key ([`PatternIndex::all_candidates`]). The
/// second is compared first, from the candidate itself.
#[inline]
pub(super) fn matches_at(
    index: &PatternIndex,
    candidate: &Candidate,
    keys: &[u64],
    spans: &[(usize, usize)],
    text: &str,
) -> bool {
    let len = usize::from(candidate.len);
    let (Some(keys), Some(spans)) = (keys.get(..len), spans.get(..len)) else { return false };
    if len > 1 && keys[1] != candidate.second {
        return false;
    }
    // Element by element: most patterns are a word or two, shorter than a memcmp call.
    let more = |rest: &[u64]| rest.len() + 1 == len && rest.iter().zip(&keys[1..]).skip(1).all(|(p, k)| p == k);
    (len <= 2 || more(index.rest_keys(candidate))) && index.case_matches(candidate, spans, text)
}

mod space;
