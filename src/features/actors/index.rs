//! The patterns of a gazetteer as token-key sequences, in a hash map from the key of a
//! pattern's first token to its candidate patterns, longest first.

use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::UnicodeNormalization;

use super::first_keys::{Candidate, FirstKeyTable};
use super::gazetteer::{row_error, ActorKind, GazetteerData, GazetteerError, Role, SourceFiles, MAX_PATTERN_TOKENS};
use super::ActorId;
use crate::features::vectorizer::prefetch;
use crate::text::tokenizer::{hash, Tokenizer};

/// How a pattern's words must be written in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CaseRule {
    /// Each token exactly as written in the pattern (acronyms).
    Exact(Box<[Box<str>]>),
    /// Bit `k` set: token `k` starts with a capital in the pattern, so it must in the text.
    Capitalized(u64),
}

/// One pattern: `actor` is `None` for a stop name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    pub actor: Option<ActorId>,
    pub ambiguous: bool,
    /// The row's role (`None` for a stop name): what [`super::mention_role`] reads.
    pub role: Option<Role>,
    pub keys: Box<[u64]>,
    pub case: CaseRule,
}

/// Words in a [`KeyBits`]: 2^16 bits, 8 KiB, so that it stays in cache.
const KEY_WORDS: usize = 1 << 10;

/// A set of 64-bit keys that may answer "maybe" for a key it does not hold (a one-hash
/// Bloom filter: bit `key mod 2^16`), never "no" for one it holds. A fixed-size array, so
/// that a test is a mask, a load and a bit test, with no bounds check.
#[derive(Debug, Clone)]
pub(super) struct KeyBits(Box<[u64; KEY_WORDS]>);

impl Default for KeyBits {
    fn default() -> Self {
        Self(Box::new([0; KEY_WORDS]))
    }
}

impl KeyBits {
    /// The word and the bit of `key`.
    #[inline]
    fn place(key: u64) -> (usize, u64) {
        let bit = key as usize % (KEY_WORDS * 64);
        (bit / 64, 1 << (bit % 64))
    }

    /// Adds `key`.
    pub(super) fn insert(&mut self, key: u64) {
        let (word, bit) = Self::place(key);
        self.0[word] |= bit;
    }

    /// False only if `key` was never inserted.
    #[inline]
    pub(super) fn may_hold(&self, key: u64) -> bool {
        let (word, bit) = Self::place(key);
        self.0[word] & bit != 0
    }
}

/// Every pattern, and the candidates of each first-token key.
#[derive(Debug, Clone, Default)]
pub(super) struct PatternIndex {
    patterns: Vec<Pattern>,
    /// Each actor's kind by id, one byte each: read at every matched mention, and small
    /// enough to stay in cache where the actors' records are not.
    kinds: Box<[ActorKind]>,
    /// The candidates of each first key, in one flat table the matcher reads without
    /// following a pointer per pattern (see [`FirstKeyTable`]).
    by_first: FirstKeyTable,
    /// The first key of every pattern: most tokens of an article start no pattern, and
    /// one bit test turns them away before a hash lookup.
    first_keys: KeyBits,
    /// The same for the patterns whose first word may be written in the text without a
    /// capital ([`Pattern::needs_capital_first`] false: "al-Shabaab"). A token that starts
    /// with an ASCII byte other than a capital is tested against these: the common words
    /// that begin names ("new", "international", "south", "united") are turned away too.
    lower_first_keys: KeyBits,
}

impl Pattern {
    /// True if the pattern matches only where the text's first word starts with a capital:
    /// its case rule asks for that word capitalized, or for it exactly as written with a
    /// capital.
    fn needs_capital_first(&self) -> bool {
        match &self.case {
            CaseRule::Exact(written) => {
                written.first().and_then(|word| word.chars().next()).is_some_and(char::is_uppercase)
            }
            CaseRule::Capitalized(mask) => mask & 1 != 0,
        }
    }
}

/// A pattern's tokens: normalized keys and the source words as written.
fn pattern_tokens(tokenizer: &Tokenizer, pattern: &str) -> (Vec<u64>, Vec<Box<str>>) {
    let (mut keys, mut written) = (Vec::new(), Vec::new());
    tokenizer.for_each(pattern, |start, end, normalized| {
        keys.push(hash::token(normalized));
        written.push(Box::from(&pattern[start..end]));
    });
    (keys, written)
}

/// `pattern` without its accents ("Côte d'Ivoire" → "Cote d'Ivoire"): canonical
/// decomposition with the combining marks dropped.
fn without_accents(pattern: &str) -> String {
    pattern.nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).collect()
}

fn case_rule(role: Option<Role>, pattern: &str, written: Vec<Box<str>>) -> CaseRule {
    let all_upper = pattern.chars().any(char::is_alphabetic) && !pattern.chars().any(char::is_lowercase);
    match role {
        Some(Role::Acronym) => CaseRule::Exact(written.into()),
        Some(Role::Ambiguous) if all_upper => CaseRule::Exact(written.into()),
        _ => {
            CaseRule::Capitalized(written.iter().enumerate().fold(0, |mask, (k, word)| {
                mask | (u64::from(word.chars().next().is_some_and(char::is_uppercase)) << k)
            }))
        }
    }
}

impl PatternIndex {
    /// The index of `data`'s names and stop names; a row that names an unknown actor, holds
    /// no token or too many fails, naming its file and line.
    pub(super) fn build(data: &GazetteerData, files: &SourceFiles) -> Result<Self, GazetteerError> {
        if data.actors.len() > usize::from(u16::MAX) {
            return Err(GazetteerError::TooManyActors(data.actors.len()));
        }
        let mut ids = FxHashMap::default();
        for (i, actor) in data.actors.iter().enumerate() {
            if ids.insert(actor.code.as_str(), ActorId(i as u16)).is_some() {
                return Err(row_error(&files.actors, i + 2, format!("code `{}` is listed twice", actor.code)));
            }
        }
        let tokenizer = Tokenizer::default();
        let mut index = Self { kinds: data.actors.iter().map(|actor| actor.kind).collect(), ..Self::default() };
        // Rows as written first; then their accent-free spellings, unless a row has those tokens.
        let rows = data.names.iter().enumerate().map(|(i, row)| {
            let actor = ids
                .get(row.code.as_str())
                .copied()
                .ok_or_else(|| row_error(&files.names, i + 2, format!("unknown actor code `{}`", row.code)))?;
            Ok((&files.names, i + 2, Some(actor), Some(row.role), row.pattern.as_str()))
        });
        let stops =
            data.stopnames.iter().enumerate().map(|(i, p)| Ok((&files.stopnames, i + 2, None, None, p.as_str())));
        let rows: Vec<_> = stops.chain(rows).collect::<Result<_, GazetteerError>>()?;
        let mut seen = FxHashSet::default();
        let mut stop_keys = FxHashMap::default();
        for &(file, line, actor, role, pattern) in &rows {
            let (keys, written) = pattern_tokens(&tokenizer, pattern);
            if keys.is_empty() || keys.len() > MAX_PATTERN_TOKENS {
                let problem =
                    format!("pattern `{pattern}` has {} tokens, expected 1 to {MAX_PATTERN_TOKENS}", keys.len());
                return Err(row_error(file, line, problem));
            }
            // A stop name with a name's very tokens would win wherever the name is written
            // ("US $" reads as the token `us`: every "US" would name nothing).
            if actor.is_none() {
                stop_keys.entry(keys.clone()).or_insert((line, pattern));
            } else if let Some(&(stop_line, stop)) = stop_keys.get(&keys) {
                let problem = format!(
                    "stop name `{stop}` has the same tokens as pattern `{pattern}` ({}:{line}), so it would silence it",
                    files.names
                );
                return Err(row_error(&files.stopnames, stop_line, problem));
            }
            seen.insert(keys.clone());
            index.push(actor, role, pattern, keys, written);
        }
        for &(_, _, actor, role, pattern) in &rows {
            let plain = without_accents(pattern);
            if plain != pattern {
                let (keys, written) = pattern_tokens(&tokenizer, &plain);
                if !keys.is_empty() && seen.insert(keys.clone()) {
                    index.push(actor, role, &plain, keys, written);
                }
            }
        }
        index.sort_candidates()?;
        Ok(index)
    }

    fn push(
        &mut self,
        actor: Option<ActorId>,
        role: Option<Role>,
        pattern: &str,
        keys: Vec<u64>,
        written: Vec<Box<str>>,
    ) {
        let case = case_rule(role, pattern, written);
        let ambiguous = role == Some(Role::Ambiguous);
        self.patterns.push(Pattern { actor, ambiguous, role, keys: keys.into(), case });
    }

    /// Groups the patterns by first key, longest first (stop names before names of the same
    /// length, then in row order).
    fn sort_candidates(&mut self) -> Result<(), GazetteerError> {
        let mut groups: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (i, pattern) in self.patterns.iter().enumerate() {
            groups.entry(pattern.keys[0]).or_default().push(i as u32);
        }
        let mut groups: Vec<(u64, Vec<u32>)> = groups.into_iter().collect();
        // In key order, so that the table's layout does not depend on the map's.
        groups.sort_unstable_by_key(|&(key, _)| key);
        for (_, candidates) in &mut groups {
            // A stable sort keeps row order (stop names were pushed first) among equals.
            candidates.sort_by_key(|&i| std::cmp::Reverse(self.patterns[i as usize].keys.len()));
        }
        self.by_first = FirstKeyTable::build(&self.patterns, &groups)?;
        for pattern in &self.patterns {
            self.first_keys.insert(pattern.keys[0]);
            if !pattern.needs_capital_first() {
                self.lower_first_keys.insert(pattern.keys[0]);
            }
        }
        Ok(())
    }

    /// False if no pattern starts with a token of key `first` (true may be a collision).
    #[inline]
    pub(super) fn may_start(&self, first: u64) -> bool {
        self.first_keys.may_hold(first)
    }

    /// Whether a token with key `first` whose first byte in the text is `first_byte` may
    /// start a pattern: false, without a hash lookup, for most tokens: those whose key starts
    /// no pattern, and those that start with an ASCII byte other than a capital where every
    /// pattern of the key needs one.
    #[inline]
    pub(super) fn may_start_with(&self, first: u64, first_byte: Option<u8>) -> bool {
        let keys = match first_byte {
            Some(byte) if byte.is_ascii() && !byte.is_ascii_uppercase() => &self.lower_first_keys,
            _ => &self.first_keys,
        };
        keys.may_hold(first)
    }

    /// The patterns that may start at a token with key `first` whose first byte in the text
    /// is `first_byte`, longest first: none if [`PatternIndex::may_start_with`] says so.
    #[cfg(test)]
    pub(super) fn candidates(&self, first: u64, first_byte: Option<u8>) -> &[Candidate] {
        if self.may_start_with(first, first_byte) {
            self.all_candidates(first)
        } else {
            &[]
        }
    }

    /// Every pattern whose first token has key `first`, longest first, without the filters
    /// of [`PatternIndex::candidates`].
    #[inline]
    pub(super) fn all_candidates(&self, first: u64) -> &[Candidate] {
        self.by_first.find(first).map_or(&[], |slot| self.by_first.candidates(slot))
    }

    /// Starts loading the table slot a lookup of `first` reads first.
    #[inline]
    pub(super) fn prefetch_slot(&self, first: u64) {
        if let Some(slot) = self.by_first.slots.get(self.by_first.home(first)) {
            prefetch(slot);
        }
    }

    /// Starts loading the candidates of `first` and their keys, if it is a first key (its
    /// slot should be in the cache: [`PatternIndex::prefetch_slot`]).
    #[inline]
    pub(super) fn prefetch_candidates(&self, first: u64) {
        if let Some(slot) = self.by_first.find(first) {
            if let Some(candidate) = self.by_first.candidates.get(usize::from(slot.start)) {
                prefetch(candidate);
            }
            if let Some(key) = self.by_first.rest_keys.get(slot.rest as usize) {
                prefetch(key);
            }
        }
    }

    /// The kind of `actor`, from the index's one-byte-each copy.
    pub(super) fn kind(&self, actor: ActorId) -> Option<ActorKind> {
        self.kinds.get(usize::from(actor.0)).copied()
    }

    /// The keys of `candidate` after its first.
    #[inline]
    pub(super) fn rest_keys(&self, candidate: &Candidate) -> &[u64] {
        let start = candidate.rest as usize;
        self.by_first.rest_keys.get(start..start + usize::from(candidate.len).saturating_sub(1)).unwrap_or_default()
    }

    /// Whether the tokens at `spans` of `text` are written as `candidate` asks: exactly as
    /// its words, or capitalized where its words are.
    #[inline]
    pub(super) fn case_matches(&self, candidate: &Candidate, spans: &[(usize, usize)], text: &str) -> bool {
        if !candidate.exact {
            let capitals = candidate.capitals;
            return spans.iter().enumerate().all(|(k, span)| capitals & (1 << k) == 0 || starts_upper(text, *span));
        }
        let mut written = self.by_first.written.get(candidate.written as usize..).unwrap_or_default();
        spans.iter().all(|&(start, end)| {
            let Some((&len, rest)) = written.split_first() else { return false };
            let Some((word, rest)) = rest.split_at_checked(usize::from(len)) else { return false };
            written = rest;
            text.as_bytes().get(start..end) == Some(word)
        })
    }
}

/// Whether the token at `(start, end)` in `text` starts with an uppercase letter: from its
/// first byte when that is ASCII (nearly always), else from its first character.
#[inline]
fn starts_upper(text: &str, (start, end): (usize, usize)) -> bool {
    match text.as_bytes().get(start) {
        Some(byte) if byte.is_ascii() => byte.is_ascii_uppercase(),
        _ => text.get(start..end).and_then(|token| token.chars().next()).is_some_and(char::is_uppercase),
    }
}

#[cfg(test)]
mod tests {
    use super::KeyBits;

    proptest::proptest! {
        #[test]
        fn key_bits_hold_every_key_inserted(keys in proptest::collection::vec(proptest::num::u64::ANY, 0..3000)) {
            let mut bits = KeyBits::default();
            keys.iter().for_each(|&key| bits.insert(key));
            proptest::prop_assert!(keys.iter().all(|&key| bits.may_hold(key)));
        }
    }

    #[test]
    fn empty_key_bits_hold_nothing_and_a_few_keys_leave_most_bits_clear() {
        let mut bits = KeyBits::default();
        assert!(!(0..10_000u64).any(|key| bits.may_hold(key.wrapping_mul(0x9e37_79b9_7f4a_7c15))));
        (0..100u64).for_each(|key| bits.insert(key));
        assert_eq!((0..65_536u64).filter(|&key| bits.may_hold(key)).count(), 100);
    }
}
