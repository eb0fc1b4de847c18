//! The vocabulary as an open-addressing table keyed by the 64-bit term key
//! ([`crate::tokenizer::hash`]), built when a vectorizer is made from its terms.
//!
//! Each slot is 16 bytes (the key and the feature index), so a lookup touches one cache line;
//! the table is at most half full and probes linearly. A lookup compares keys only, never
//! strings: an unknown token whose key equals a term's key would count as that term. With
//! well-mixed 64-bit keys that happens with probability about `n / 2^64` per lookup for `n`
//! terms: about 1e-14 for a 200,000-term vocabulary, once in some 10^13 articles of 4 KB.
//! Two vocabulary terms with the same key are found when the table is built, and a model
//! with such a vocabulary is refused ([`crate::Model::from_parts`]).

use crate::tokenizer::hash;

/// An empty slot's key. A term whose key is 0 is refused like a collision.
const EMPTY: u64 = 0;

#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    feature: u32,
}

/// Term key → feature index.
#[derive(Clone)]
pub(crate) struct VocabularyTable {
    slots: Box<[Slot]>,
    /// `slots.len() - 1`; the length is a power of two.
    mask: usize,
    /// `64 - log2(slots.len())`: a key's home slot is its top bits after a multiply.
    shift: u32,
    /// Two terms (or one term and the empty key) that share a key, if any.
    collision: Option<(u32, Option<u32>)>,
}

impl std::fmt::Debug for VocabularyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VocabularyTable").field("slots", &self.slots.len()).field("collision", &self.collision).finish()
    }
}

impl VocabularyTable {
    pub(crate) fn build(terms: &[String]) -> Self {
        Self::build_keyed(terms, hash::term)
    }

    /// A table with another key function (tests make keys collide with it).
    pub(crate) fn build_keyed(terms: &[String], key_of: impl Fn(&str) -> u64) -> Self {
        let capacity = (terms.len() * 2).next_power_of_two().max(16);
        let mut table = Self {
            slots: vec![Slot::default(); capacity].into_boxed_slice(),
            mask: capacity - 1,
            shift: 64 - capacity.trailing_zeros(),
            collision: None,
        };
        for (feature, term) in terms.iter().enumerate() {
            let feature = feature as u32;
            let key = key_of(term);
            if key == EMPTY {
                table.collision.get_or_insert((feature, None));
                continue;
            }
            let mut i = table.home(key);
            loop {
                let slot = &mut table.slots[i];
                if slot.key == EMPTY {
                    *slot = Slot { key, feature };
                    break;
                }
                if slot.key == key {
                    table.collision.get_or_insert((slot.feature, Some(feature)));
                    break;
                }
                i = (i + 1) & table.mask;
            }
        }
        table
    }

    /// Two features whose terms share a key (the second `None`: the first's key is the
    /// reserved empty key), if the vocabulary has any.
    pub(crate) fn collision(&self) -> Option<(u32, Option<u32>)> {
        self.collision
    }

    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The feature whose term has this key.
    #[inline(always)]
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if key == EMPTY {
            return None;
        }
        let mut i = self.home(key);
        loop {
            let slot = self.slots[i];
            if slot.key == key {
                return Some(slot.feature);
            }
            if slot.key == EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Asks the processor to start loading the home slot of `key`: lookups are independent
    /// and mostly miss the cache, so issuing the loads some keys ahead overlaps the misses.
    #[inline(always)]
    pub(crate) fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let slot: *const Slot = &self.slots[self.home(key)];
            // SAFETY: a prefetch is a hint that never faults, and the address is a slot's.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(slot.cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_term_and_nothing_else() {
        let terms: Vec<String> = (0..5000).map(|i| format!("term{i}")).chain(["new york".into()]).collect();
        let table = VocabularyTable::build(&terms);
        assert!(table.collision().is_none());
        for (feature, term) in terms.iter().enumerate() {
            assert_eq!(table.get(hash::term(term)), Some(feature as u32), "{term}");
        }
        assert_eq!(table.get(hash::term("term5000")), None);
        assert_eq!(table.get(hash::term("york new")), None);
        assert_eq!(table.get(EMPTY), None);
    }

    #[test]
    fn colliding_keys_are_reported() {
        let terms: Vec<String> = ["a", "b", "c"].iter().map(|t| t.to_string()).collect();
        let table = VocabularyTable::build_keyed(&terms, |t| if t == "a" { 1 } else { 7 });
        assert_eq!(table.collision(), Some((1, Some(2))));
        let table =
            VocabularyTable::build_keyed(&terms, |t| if t == "c" { EMPTY } else { t.len() as u64 + (t == "b") as u64 });
        assert_eq!(table.collision(), Some((2, None)));
    }

    #[test]
    fn an_empty_vocabulary_finds_nothing() {
        let table = VocabularyTable::build(&[]);
        assert_eq!(table.get(hash::term("anything")), None);
    }
}
