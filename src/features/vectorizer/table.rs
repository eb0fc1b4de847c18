//! The vocabulary as a perfect hash table keyed by the 64-bit term key
//! ([`crate::text::tokenizer::hash`]), built when a vectorizer is made from its terms.
//!
//! The table is perfect (after PTHash, Pibiri and Trani, SIGIR 2021): the `n` term keys are
//! spread over `n / 4` buckets, and each bucket has a *pilot*, found at build time, that
//! sends every key of the bucket to its own one of about `1.03 n` slots. A lookup is
//! therefore branch-free: the bucket's pilot, the slot, one key compare.
//! Slot `s` holds the key of one term; everything a document needs per term (its count, its
//! premultiplied head weights) is laid out by slot too. The keys take 8 bytes a term and the
//! pilots half a byte a term on average, so a 60,000-term vocabulary's table is about 530 KB and
//! stays in a core's L2 cache, where a classic hash table with room to spare would not.
//!
//! A lookup compares keys only, never strings: an unknown token whose key equals a term's
//! key counts as that term. With well-mixed 64-bit keys that happens with probability
//! `1 / 2^64` per lookup (only the key in the one slot the token maps to is compared): about
//! once in 10^15 articles of 4 KB. Two vocabulary terms with the same key are found when the
//! table is built, and a model with such a vocabulary is refused
//! ([`crate::Model::from_parts`]).

use crate::text::tokenizer::hash;

/// Average keys per bucket: fewer make the table larger, more make the build slower.
const KEYS_PER_BUCKET: usize = 4;

/// One spare slot per this many keys.
const SPARE: usize = 32;

/// Term key → slot, and slot → feature index.
#[derive(Clone)]
pub(crate) struct VocabularyTable {
    /// The term key at each slot, and at a spare slot a key that no lookup landing there
    /// can match; one entry more, never compared, for the slot of unknown keys,
    /// [`VocabularyTable::miss`].
    keys: Box<[u64]>,
    /// The feature index of the term at each slot (`miss()` at a spare slot).
    features: Box<[u32]>,
    /// Per bucket, the pilot that places the bucket's keys: 2 bytes a bucket, so that the
    /// pilots (30 KB for 60,000 terms) stay in the L1 cache more of the time.
    pilots: Box<[u16]>,
    problem: Option<TableProblem>,
}

/// Why a vocabulary cannot be served from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableProblem {
    /// Two features whose terms have the same key.
    Collision(u32, u32),
    /// No pilot placed the keys of the bucket that holds this feature's term, in any of
    /// [`ATTEMPTS`] tables (which takes [`MAX_PILOT`] unlucky draws in a row, several times
    /// over: it does not happen).
    Unplaced(u32),
}

impl std::fmt::Debug for VocabularyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VocabularyTable")
            .field("slots", &self.features.len())
            .field("buckets", &self.pilots.len())
            .field("problem", &self.problem)
            .finish()
    }
}

/// `x * n / 2^64`: maps a well-mixed `x` onto `0..n` without a division.
#[inline(always)]
fn fastrange(x: u64, n: usize) -> usize {
    ((u128::from(x) * n as u128) >> 64) as usize
}

/// `key` times an odd constant: a bijection, so distinct keys stay distinct, that spreads
/// keys which differ in a few bits (small integers in tests) over many bits.
#[inline(always)]
fn spread(key: u64) -> u64 {
    key.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The bucket of `key` among `buckets`.
#[inline(always)]
fn bucket_of(key: u64, buckets: usize) -> usize {
    fastrange(spread(key), buckets)
}

/// The slot of `key` in a table of `n` slots, given its bucket's pilot: the pilot XORed into
/// the spread key's low bits, then one multiply, whose high bits (which `fastrange` takes)
/// depend on every bit below them. For two keys of a bucket, whose spread forms `a` and `b`
/// differ in many bits, `(a ^ p) - (b ^ p)` takes many values as the pilot `p` changes, and
/// so does the distance of their products: some pilot separates them. (SplitMix64's whole
/// finalizer did the same in three multiplies and three shifts; this is the lookup's inner
/// loop, and the spread key's multiply is shared with the bucket's.)
#[inline(always)]
fn slot_of(key: u64, pilot: u16, n: usize) -> usize {
    fastrange((spread(key) ^ u64::from(pilot)).wrapping_mul(0xbf58_476d_1ce4_e5b9), n)
}

/// Pilots tried per bucket before the build gives up on a table of this size: every value of
/// a pilot's 16 bits. The last buckets, placed into an almost full table, need some tens to
/// some thousands of tries; a bucket that finds no pilot makes the build try again with more
/// spare slots.
const MAX_PILOT: u16 = u16::MAX;

/// Tables built, each with twice the spare slots of the one before, before the build gives up.
const ATTEMPTS: usize = 4;

/// The keys, features and pilots of a table of `n` slots for `entries` (grouped by bucket,
/// `ranges` per bucket), placing the buckets in `order`, and which slots hold a key; or the
/// feature of an entry of a bucket that no pilot up to [`MAX_PILOT`] places.
#[allow(clippy::type_complexity)]
fn place(
    entries: &[(u64, u32)],
    ranges: &[(usize, usize)],
    order: &[usize],
    n: usize,
) -> Result<(Box<[u64]>, Box<[u32]>, Box<[u16]>, Vec<bool>), u32> {
    let mut keys = vec![0u64; n + 1].into_boxed_slice();
    let mut features = vec![n as u32; n].into_boxed_slice();
    let mut pilots = vec![0u16; ranges.len()].into_boxed_slice();
    let mut taken = vec![false; n];
    let mut slots = Vec::new();
    for &bucket in order {
        let members = &entries[ranges[bucket].0..ranges[bucket].1];
        if members.is_empty() {
            continue;
        }
        let placed = (0..=MAX_PILOT).find(|&pilot| {
            slots.clear();
            for &(key, _) in members {
                let slot = slot_of(key, pilot, n);
                if taken[slot] || slots.contains(&slot) {
                    return false;
                }
                slots.push(slot);
            }
            true
        });
        let pilot = placed.ok_or(members[0].1)?;
        pilots[bucket] = pilot;
        for (&slot, &(key, feature)) in slots.iter().zip(members) {
            taken[slot] = true;
            keys[slot] = key;
            features[slot] = feature;
        }
    }
    Ok((keys, features, pilots, taken))
}

impl VocabularyTable {
    pub(crate) fn build(terms: &[String]) -> Self {
        Self::build_keyed(terms, hash::term)
    }

    /// A table with another key function (tests make keys collide with it).
    pub(crate) fn build_keyed(terms: &[String], key_of: impl Fn(&str) -> u64) -> Self {
        let mut entries: Vec<(u64, u32)> = terms.iter().enumerate().map(|(i, t)| (key_of(t), i as u32)).collect();
        entries.sort_unstable();
        let mut problem =
            entries.windows(2).find(|w| w[0].0 == w[1].0).map(|w| TableProblem::Collision(w[0].1, w[1].1));
        entries.dedup_by_key(|entry| entry.0);
        let buckets = entries.len().div_ceil(KEYS_PER_BUCKET).max(1);
        // The entries of each bucket, together: sorted by bucket, then by key.
        entries.sort_unstable_by_key(|&(key, _)| (bucket_of(key, buckets), key));
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(buckets);
        let mut start = 0;
        for bucket in 0..buckets {
            let end = start + entries[start..].iter().take_while(|(key, _)| bucket_of(*key, buckets) == bucket).count();
            ranges.push((start, end));
            start = end;
        }
        // Largest buckets first, while the table is emptiest.
        let mut order: Vec<usize> = (0..buckets).collect();
        order.sort_by_key(|&b| std::cmp::Reverse(ranges[b].1 - ranges[b].0));
        // A few spare slots: the last buckets, placed when the table is almost full, then
        // still find room in some tens of tries. If some bucket finds no pilot below
        // [`MAX_PILOT`] (never seen: the shipped vocabulary's largest pilot is about 4,000),
        // the table is built again with twice the spare slots, up to [`ATTEMPTS`] times.
        // (No slots for no keys: then every lookup lands on the miss slot.)
        let mut spare = entries.len() / SPARE + 1;
        let mut attempt = 1;
        let (keys, features, pilots, taken) = loop {
            let n = if entries.is_empty() { 0 } else { entries.len() + spare };
            match place(&entries, &ranges, &order, n) {
                Ok(placed) => break placed,
                Err(feature) if attempt >= ATTEMPTS => {
                    problem.get_or_insert(TableProblem::Unplaced(feature));
                    break (vec![0u64; n + 1].into(), vec![n as u32; n].into(), vec![0; buckets].into(), vec![true; n]);
                }
                Err(_) => (attempt, spare) = (attempt + 1, 2 * spare),
            }
        };
        let mut table = Self { keys, features, pilots, problem };
        // A spare slot holds a key that the lookup of that key does not take to this slot, so
        // no lookup that lands here matches.
        // (With two slots or more, some key lands elsewhere within a few tries.)
        for slot in (0..taken.len()).filter(|&slot| !taken[slot]) {
            table.keys[slot] = (0..u64::MAX).find(|&key| table.candidate(key) as usize != slot).unwrap_or_default();
        }
        table
    }

    /// Why this table cannot serve its vocabulary, if it cannot.
    pub(crate) fn problem(&self) -> Option<TableProblem> {
        self.problem
    }

    /// The number of slots, which is also the slot lookups of unknown keys give.
    #[inline(always)]
    pub(crate) fn miss(&self) -> u32 {
        self.features.len() as u32
    }

    /// The feature index of the term in `slot` (`slot < miss()`).
    #[inline(always)]
    pub(crate) fn feature(&self, slot: u32) -> u32 {
        self.features[slot as usize]
    }

    /// The feature index of each slot's term, in slot order.
    pub(crate) fn features(&self) -> &[u32] {
        &self.features
    }

    /// The one slot `key` can be in.
    #[inline(always)]
    pub(crate) fn candidate(&self, key: u64) -> u32 {
        let pilot = self.pilots[bucket_of(key, self.pilots.len())];
        slot_of(key, pilot, self.features.len()) as u32
    }

    /// The slot of the term with this key, or [`VocabularyTable::miss`]: no branch.
    #[inline(always)]
    pub(crate) fn get(&self, key: u64) -> u32 {
        self.confirm(key, self.candidate(key))
    }

    /// [`VocabularyTable::get`] with the key's candidate slot already computed.
    #[inline(always)]
    pub(crate) fn confirm(&self, key: u64, candidate: u32) -> u32 {
        std::hint::select_unpredictable(self.keys[candidate as usize] == key, candidate, self.miss())
    }

    /// Asks the processor to start loading the key a lookup in `candidate` compares: lookups
    /// are independent and may miss the cache, so issuing the loads some keys ahead overlaps
    /// the misses.
    #[inline(always)]
    pub(crate) fn prefetch(&self, candidate: u32) {
        prefetch(&self.keys[candidate as usize]);
    }
}

/// Hints the processor to bring the cache line of `value` closer.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint: it never faults and changes no data, and the address
        // comes from a reference.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(table: &VocabularyTable, key: u64) -> Option<u32> {
        let slot = table.get(key);
        (slot != table.miss()).then(|| table.feature(slot))
    }

    #[test]
    fn finds_every_term_and_nothing_else() {
        for size in [0, 1, 2, 3, 5, 17, 1000, 50_000] {
            let terms: Vec<String> = (0..size).map(|i| format!("term{i}")).chain(["new york".into()]).collect();
            let table = VocabularyTable::build(&terms);
            assert!(table.problem().is_none());
            assert!(table.miss() as usize > terms.len());
            for (feature, term) in terms.iter().enumerate() {
                assert_eq!(lookup(&table, hash::term(term)), Some(feature as u32), "{term}");
            }
            for absent in ["term50000", "york new", "", "Term1"] {
                assert_eq!(lookup(&table, hash::term(absent)), None, "{absent}");
            }
            for key in [0, 1, u64::MAX] {
                assert_eq!(lookup(&table, key), None);
            }
        }
    }

    #[test]
    fn an_empty_vocabulary_finds_nothing() {
        let table = VocabularyTable::build(&[]);
        for key in [0, 1, hash::term("anything")] {
            assert_eq!(table.get(key), table.miss());
        }
    }

    #[test]
    fn colliding_keys_are_reported() {
        let terms: Vec<String> = ["a", "b", "c"].iter().map(|t| t.to_string()).collect();
        let table = VocabularyTable::build_keyed(&terms, |t| if t == "a" { 1 } else { 7 });
        assert_eq!(table.problem(), Some(TableProblem::Collision(1, 2)));
        let table = VocabularyTable::build_keyed(&terms, |t| t.len() as u64);
        assert!(matches!(table.problem(), Some(TableProblem::Collision(_, _))));
    }

    #[test]
    fn small_and_clustered_keys_are_placed() {
        // Keys that are far from random (consecutive integers) still get a perfect table.
        let terms: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
        let key_of = |t: &str| t.parse::<u64>().unwrap_or(0);
        let table = VocabularyTable::build_keyed(&terms, key_of);
        assert_eq!(table.problem(), None);
        for (feature, term) in terms.iter().enumerate() {
            assert_eq!(lookup(&table, key_of(term)), Some(feature as u32));
        }
        assert_eq!(lookup(&table, 5000), None);
    }

    #[test]
    fn a_bucket_no_pilot_places_names_its_feature() {
        // Three keys in one bucket cannot share a table of two slots, whatever the pilot:
        // this is what sends the build on to a larger table.
        let entries = [(11u64, 4u32), (12, 5), (13, 6)];
        assert_eq!(place(&entries, &[(0, 3)], &[0], 2).err(), Some(4));
        let (keys, features, _, taken) = place(&entries, &[(0, 3)], &[0], 8).expect("room for three");
        assert_eq!(taken.iter().filter(|&&t| t).count(), 3);
        for (key, feature) in entries {
            let slot = keys.iter().position(|&k| k == key).expect("placed");
            assert_eq!(features[slot], feature);
        }
    }
}
