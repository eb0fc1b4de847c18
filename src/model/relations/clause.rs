//! A pair's stance from its own clause. A pair's tension share in a sentence naming both is
//! the sentence's, so a sentence about a third relation misleads every pair it names
//! ("ministers denounced the memoranda in which Turkey and Libya agreed": the sentence reads
//! the agreement, and Cyprus–Turkey takes it). With a [`ClauseStance`] given, the share of
//! such a sentence is mixed with the stance of the words between the two names (and
//! [`super::RelationSettings::clause_margin`] tokens either side) at
//! [`super::RelationSettings::clause_share`]. Only the label reads it: a pair's score, and so
//! [`super::has_relation`], are unchanged.

use std::ops::Range;

use super::RelationSettings;

/// The stance of a stretch of one sentence, scored as the stance head scores a sentence: by
/// the model, from the article's one token stream. [`super::relations_in_context`] asks it
/// for the words around two actors named in one sentence.
pub trait ClauseStance {
    /// The tension share `P(t) / (P(t) + P(c))` the stance head gives the tokens of sentence
    /// `sentence` (its place among the article's sentences) that start in the bytes
    /// `between`, widened by `margin` tokens each side within the sentence; `None` without
    /// such tokens.
    fn tension_share(&self, sentence: usize, between: Range<usize>, margin: usize) -> Option<f32>;
}

/// The tension share of a pair named at `between` in sentence `sentence`: the sentence's
/// `share`, mixed with the clause's at [`RelationSettings::clause_share`] (the sentence's
/// alone without one, or when the clause has no tokens).
pub(super) fn pair_share(
    settings: &RelationSettings,
    clauses: &dyn ClauseStance,
    sentence: usize,
    between: Range<usize>,
    share: f32,
) -> f32 {
    let mix = settings.clause_share;
    if mix <= 0.0 {
        return share;
    }
    match clauses.tension_share(sentence, between, settings.clause_margin) {
        Some(clause) if clause.is_finite() => (1.0 - mix) * share + mix * clause.clamp(0.0, 1.0),
        _ => share,
    }
}
