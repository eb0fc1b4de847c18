//! The article-level gate: an article whose whole-article stance reads as neutral reports no
//! relation, whatever its co-mentions score. A relation-free story (a domestic one, say)
//! still names foreign actors side by side; the article stance head, which reads every
//! word of the story, is the better judge of whether it characterizes a relation at all.

use super::{RelationSettings, StanceLabels};

/// Whether the article's own stance probabilities (`article_stance`, the stance head's label
/// order, before the relation rule) give neutral at least
/// [`RelationSettings::neutral_article_gate`]: then the article reports no relation. Never
/// without a neutral label, or with the gate above 1.
pub fn article_reads_neutral(settings: &RelationSettings, labels: StanceLabels, article_stance: &[f32]) -> bool {
    let neutral = labels.neutral.and_then(|n| article_stance.get(n)).copied().filter(|p| p.is_finite());
    neutral.is_some_and(|p| p >= settings.neutral_article_gate)
}
