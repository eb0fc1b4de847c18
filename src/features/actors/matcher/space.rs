//! The space an [`ActorMatcher`] works in, kept by the thread between articles, and the
//! answer lists a caller gives back to it.

use std::cell::Cell;

use super::super::{ActorId, Mention};
#[cfg(doc)]
use super::ActorMatcher;
use super::{ActorCount, ArticleActors};
use crate::text::tokens::{keep_within, KEPT_TOKENS};

/// Per-actor tallies of the article being read.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tally {
    pub(super) unambiguous: u32,
    pub(super) ambiguous: u32,
    /// Set by [`ActorMatcher::finish`] on the actors its answer lists.
    pub(super) listed: bool,
}

/// A mention as found, before the ambiguous rule and the caps.
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) mention: Mention,
    pub(super) ambiguous: bool,
}

/// The space a matcher works in, kept by the thread between matchers so that an article
/// allocates nothing in it once it is large enough. Between articles every tally is zero,
/// and `named`, `found`, `keys` and `spans` are empty.
#[derive(Debug, Default)]
pub(super) struct MatchSpace {
    /// The keys and byte ranges of the tokens pushed for the current field.
    pub(super) keys: Vec<u64>,
    pub(super) spans: Vec<(usize, usize)>,
    /// One per actor of the gazetteer (or more, left by a larger one): zero except at the
    /// actors of `named`.
    pub(super) tallies: Vec<Tally>,
    /// The actors the article names, in the order it first names them: the only tallies
    /// [`ActorMatcher::finish`] reads and resets.
    pub(super) named: Vec<ActorId>,
    pub(super) found: Vec<Found>,
    /// The tokens of the field being matched that may start a pattern, at its start; what
    /// is past them is stale and only ever overwritten.
    pub(super) starts: Vec<u32>,
    /// The lists of an answer its caller is done with ([`ArticleActors::recycle`]), empty:
    /// what [`ActorMatcher::finish`] fills next instead of allocating.
    pub(super) spare: Option<(Vec<ActorCount>, Vec<Mention>)>,
}

impl MatchSpace {
    /// Back to the state between articles: only the named actors' tallies are reset.
    pub(super) fn clear(&mut self) {
        for actor in self.named.drain(..) {
            if let Some(tally) = self.tallies.get_mut(usize::from(actor.0)) {
                *tally = Tally::default();
            }
        }
        self.found.clear();
        self.keys.clear();
        self.spans.clear();
    }
}

impl MatchSpace {
    /// Frees the buffers sized by an article larger than
    /// [`crate::text::tokens::KEPT_ARTICLE_BYTES`]: one entry
    /// per token at most. The tallies, one per actor of the gazetteer, stay.
    pub(super) fn keep_small(&mut self) {
        keep_within(&mut self.keys, KEPT_TOKENS);
        keep_within(&mut self.spans, KEPT_TOKENS);
        keep_within(&mut self.starts, KEPT_TOKENS);
        keep_within(&mut self.found, KEPT_TOKENS);
    }
}

thread_local! {
    static SPACE: Cell<Option<Box<MatchSpace>>> = const { Cell::new(None) };
}

/// The thread's space, or a new one if the thread has none (a matcher made while another is
/// alive, or while the thread shuts down).
pub(super) fn take() -> Box<MatchSpace> {
    SPACE.try_with(Cell::take).ok().flatten().unwrap_or_default()
}

/// Gives `space` back to the thread, cleared and cut back to the size kept between articles.
pub(super) fn give_back(mut space: Box<MatchSpace>) {
    space.clear();
    space.keep_small();
    let _ = SPACE.try_with(|cell| cell.set(Some(space)));
}

impl ArticleActors {
    /// Gives the answer's memory to the thread's matcher space, for the next article's
    /// [`ActorMatcher::finish`] on this thread to fill instead of allocating: for a caller
    /// done with the answer. Nothing happens if the thread holds no space (a matcher is
    /// alive, or the thread is shutting down).
    pub fn recycle(self) {
        let Self { actors, mentions } = self;
        let _ = SPACE.try_with(|cell| {
            if let Some(mut space) = cell.take() {
                space.spare = Some((actors, mentions));
                cell.set(Some(space));
            }
        });
    }
}
