//! A found pair's evidence sentences: read again from the sentences the tally kept, in the
//! order the tally met them, for the few pairs found rather than kept for every pair.

use super::super::{RelationSettings, MAX_EVIDENCE};
use super::named::NamedSentence;
use super::Tallied;

/// A pair's evidence sentences, in the order found.
#[derive(Debug, Default, Clone, Copy)]
pub(in crate::model::relations) struct Evidence {
    len: u8,
    sentences: [u32; MAX_EVIDENCE],
}

impl Evidence {
    pub(in crate::model::relations) fn as_slice(&self) -> &[u32] {
        &self.sentences[..usize::from(self.len)]
    }

    /// Adds `sentence` unless it is there already or `max` (at most [`MAX_EVIDENCE`]) are.
    fn push(&mut self, sentence: u32, max: usize) {
        let len = usize::from(self.len);
        if len < max.min(MAX_EVIDENCE) && !self.as_slice().contains(&sentence) {
            self.sentences[len] = sentence;
            self.len += 1;
        }
    }

    /// Whether `max` sentences (at most [`MAX_EVIDENCE`]) are in: no push adds any more.
    fn is_full(&self, max: usize) -> bool {
        usize::from(self.len) >= max.min(MAX_EVIDENCE)
    }
}

impl Tallied {
    /// The evidence sentences of the pair of places `(x, y)`, `x < y`, in the order the tally
    /// met them, at most `max` (none unless the named sentences were kept): the sentences
    /// naming both, and each sentence naming one of the pair followed by one of the same
    /// run at most [`RelationSettings::window`] further naming the other but not the first.
    pub(in crate::model::relations) fn evidence(
        &self,
        settings: &RelationSettings,
        (x, y): (u8, u8),
        max: usize,
    ) -> Evidence {
        match &self.named {
            Some(named) => evidence_in(&named.sentences, settings.window, (x, y), max),
            None => Evidence::default(),
        }
    }
}

/// [`Tallied::evidence`] among `sentences`, those a sentence of the same run at most `window`
/// further may complete.
fn evidence_in(sentences: &[NamedSentence], window: usize, (x, y): (u8, u8), max: usize) -> Evidence {
    let mut evidence = Evidence::default();
    for (k, first) in sentences.iter().enumerate() {
        // The first ones are kept: once full, the rest of the walk would add nothing.
        if evidence.is_full(max) {
            break;
        }
        let (s, has_x, has_y) = (first.index as u32, first.holds(x), first.holds(y));
        if has_x && has_y {
            evidence.push(s, max);
        }
        if has_x == has_y {
            continue;
        }
        let other = if has_x { y } else { x };
        for second in &sentences[k + 1..] {
            if second.index - first.index > window || second.run != first.run {
                break;
            }
            if second.holds(other) {
                evidence.push(s, max);
                evidence.push(second.index as u32, max);
            }
        }
    }
    evidence
}

#[cfg(test)]
mod tests;
