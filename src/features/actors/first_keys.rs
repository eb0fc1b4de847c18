//! The candidates of every first key of a gazetteer's patterns, in one flat table the
//! matcher reads without following a pointer per pattern (see [`FirstKeyTable`]).

use super::gazetteer::{GazetteerError, Role};
use super::index::{CaseRule, Pattern};
use super::ActorId;

/// A pattern as the matcher reads it: its fields inline, its keys after the first at
/// [`Candidate::rest`] of [`FirstKeyTable::rest_keys`], and, for a pattern matched
/// exactly as written, its words at [`Candidate::written`] of [`FirstKeyTable::written`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Candidate {
    /// Its position among the index's patterns.
    pub pattern: u32,
    /// Where its keys after the first start in `rest_keys`.
    pub rest: u32,
    /// Where its written words start in `written`, if [`Candidate::exact`].
    pub written: u32,
    /// Bit `k`: token `k` must start with a capital (unless [`Candidate::exact`]).
    pub capitals: u32,
    /// Its second key (0 if it has one token): most candidates that fail, fail on it, and
    /// it is tested without reading `rest_keys`.
    pub second: u64,
    /// Its number of tokens.
    pub len: u8,
    /// Matched only where the text has exactly the written case ([`CaseRule::Exact`]).
    pub exact: bool,
    /// Whether the pattern is `ambiguous`.
    pub ambiguous: bool,
    /// The actor named; `None` for a stop name.
    pub actor: Option<ActorId>,
    /// The row's role (`None` for a stop name), inline: read at every matched mention.
    pub role: Option<Role>,
}

/// One first key's entry in [`FirstKeyTable::slots`]: its candidates are
/// `candidates[start..start + count]` and their keys after the first start at
/// `rest_keys[rest]`. `count` 0: an empty slot.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Slot {
    key: u64,
    pub rest: u32,
    pub start: u16,
    count: u16,
}

/// The candidates of every first key, laid out for the matcher: an open-addressing table
/// of 16-byte slots (at most half full, probed from the key's high bits, linearly), the
/// candidates of each key side by side, longest first, then their other keys side by side,
/// and the words of the exact patterns in one buffer. A lookup that finds patterns reads a
/// slot, the key's candidates and their keys, usually a cache line each, and each can be
/// prefetched ([`super::index::PatternIndex::prefetch_slot`],
/// [`super::index::PatternIndex::prefetch_candidates`])
/// before it is read.
#[derive(Debug, Clone)]
pub(super) struct FirstKeyTable {
    pub slots: Box<[Slot]>,
    pub candidates: Box<[Candidate]>,
    pub rest_keys: Box<[u64]>,
    /// Each exact pattern's words as written, each as its length (one byte) then its bytes.
    pub written: Box<[u8]>,
}

impl Default for FirstKeyTable {
    fn default() -> Self {
        Self {
            slots: Box::new([Slot::default()]),
            candidates: Box::new([]),
            rest_keys: Box::new([]),
            written: Box::new([]),
        }
    }
}

impl FirstKeyTable {
    /// The slot `key`'s probe starts at.
    #[inline(always)]
    pub fn home(&self, key: u64) -> usize {
        (key >> 32) as usize & (self.slots.len() - 1)
    }

    /// The slot of `key`, if it is a first key.
    #[inline]
    pub fn find(&self, key: u64) -> Option<&Slot> {
        let mask = self.slots.len() - 1;
        let mut at = self.home(key);
        // The table is at most half full, so the probe ends at an empty slot.
        loop {
            let slot = self.slots.get(at)?;
            if slot.count == 0 {
                return None;
            }
            if slot.key == key {
                return Some(slot);
            }
            at = (at + 1) & mask;
        }
    }

    /// The candidates of the key in `slot`.
    #[inline]
    pub fn candidates(&self, slot: &Slot) -> &[Candidate] {
        let start = usize::from(slot.start);
        self.candidates.get(start..start + usize::from(slot.count)).unwrap_or_default()
    }

    /// The table of `groups`: each first key with its patterns' positions, longest first.
    pub fn build(patterns: &[Pattern], groups: &[(u64, Vec<u32>)]) -> Result<Self, GazetteerError> {
        let size = (2 * groups.len()).next_power_of_two().max(2);
        let mut table = Self { slots: vec![Slot::default(); size].into(), ..Self::default() };
        let (mut candidates, mut rest_keys, mut written) = (Vec::new(), Vec::new(), Vec::new());
        let too_many = || GazetteerError::TooManyPatterns(patterns.len());
        for (key, members) in groups {
            let slot = Slot {
                key: *key,
                rest: u32::try_from(rest_keys.len()).map_err(|_| too_many())?,
                start: u16::try_from(candidates.len()).map_err(|_| too_many())?,
                count: u16::try_from(members.len()).map_err(|_| too_many())?,
            };
            for &position in members {
                let pattern = &patterns[position as usize];
                let (exact, capitals) = match &pattern.case {
                    CaseRule::Exact(words) => {
                        let at = written.len();
                        for word in words.iter() {
                            // A token is at most `max_token_bytes` long (100): one byte holds it.
                            written.push(u8::try_from(word.len()).map_err(|_| too_many())?);
                            written.extend_from_slice(word.as_bytes());
                        }
                        (Some(at), 0)
                    }
                    CaseRule::Capitalized(mask) => (None, *mask as u32),
                };
                candidates.push(Candidate {
                    pattern: position,
                    rest: u32::try_from(rest_keys.len()).map_err(|_| too_many())?,
                    written: u32::try_from(exact.unwrap_or(0)).map_err(|_| too_many())?,
                    capitals,
                    second: pattern.keys.get(1).copied().unwrap_or(0),
                    len: pattern.keys.len() as u8,
                    exact: exact.is_some(),
                    ambiguous: pattern.ambiguous,
                    actor: pattern.actor,
                    role: pattern.role,
                });
                rest_keys.extend_from_slice(&pattern.keys[1..]);
            }
            let mask = size - 1;
            let mut at = table.home(*key);
            while table.slots[at].count != 0 {
                at = (at + 1) & mask;
            }
            table.slots[at] = slot;
        }
        (table.candidates, table.rest_keys, table.written) = (candidates.into(), rest_keys.into(), written.into());
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::FirstKeyTable;
    use crate::features::actors::index::{CaseRule, Pattern};
    use crate::features::actors::ActorId;

    fn pattern(keys: &[u64], actor: u16) -> Pattern {
        Pattern {
            actor: Some(ActorId(actor)),
            ambiguous: false,
            role: None,
            keys: keys.into(),
            case: CaseRule::Capitalized(1),
        }
    }

    /// Keys whose home slots coincide (the same high bits) and keys next to them: every
    /// first key finds its own candidates, in the order given, past the others in its
    /// probe, and a key that is no first key finds none.
    #[test]
    fn the_first_key_table_finds_each_keys_candidates_and_no_other() {
        let same_home = |low: u64| (7u64 << 32) | low;
        let patterns: Vec<Pattern> = (0..40u64)
            .map(|i| pattern(&[same_home(i % 20), 100 + i], i as u16))
            .chain((0..20u64).map(|i| pattern(&[(8u64 << 32) | i], 50 + i as u16)))
            .collect();
        let mut groups: Vec<(u64, Vec<u32>)> = Vec::new();
        for (position, pattern) in patterns.iter().enumerate() {
            match groups.iter_mut().find(|(key, _)| *key == pattern.keys[0]) {
                Some((_, members)) => members.push(position as u32),
                None => groups.push((pattern.keys[0], vec![position as u32])),
            }
        }
        let table = FirstKeyTable::build(&patterns, &groups).expect("a small table");
        for (key, members) in &groups {
            let slot = table.find(*key).expect("every first key is found");
            let found: Vec<u32> = table.candidates(slot).iter().map(|c| c.pattern).collect();
            assert_eq!(&found, members, "{key:#x}");
            for candidate in table.candidates(slot) {
                let rest = &table.rest_keys[candidate.rest as usize..][..usize::from(candidate.len) - 1];
                let keys = &patterns[candidate.pattern as usize].keys;
                assert_eq!(rest, &keys[1..]);
                assert_eq!(candidate.second, keys.get(1).copied().unwrap_or(0));
            }
        }
        for absent in [same_home(20), (8u64 << 32) | 20, 0, u64::MAX] {
            assert!(table.find(absent).is_none(), "{absent:#x}");
        }
        assert!(FirstKeyTable::default().find(0).is_none());
    }
}
