//! The patterns of a gazetteer as token-key sequences, in a hash map from the key of a
//! pattern's first token to its candidate patterns, longest first.

use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::UnicodeNormalization;

use super::gazetteer::{row_error, GazetteerData, GazetteerError, Role, SourceFiles, MAX_PATTERN_TOKENS};
use super::ActorId;
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
    pub keys: Box<[u64]>,
    pub case: CaseRule,
}

/// Bits in [`PatternIndex::first_bits`]: 8 KiB, so that it stays in cache.
const FIRST_BITS: usize = 1 << 16;

/// Every pattern, and the candidates of each first-token key.
#[derive(Debug, Clone, Default)]
pub(super) struct PatternIndex {
    patterns: Vec<Pattern>,
    by_first: FxHashMap<u64, Box<[u32]>>,
    /// Bit `key % FIRST_BITS` set for the first key of every pattern: most tokens of an
    /// article start no pattern, and one bit test turns them away before a hash lookup.
    first_bits: Box<[u64]>,
    /// The same for the patterns whose first word may be written in the text without a
    /// capital ([`Pattern::needs_capital_first`] false: "al-Shabaab"). A token that starts
    /// with an ASCII byte other than a capital is tested against these: the common words
    /// that begin names ("new", "international", "south", "united") are turned away too.
    lower_first_bits: Box<[u64]>,
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

/// The bit of `key` in [`PatternIndex::first_bits`]: word and mask.
#[inline]
fn first_bit(key: u64) -> (usize, u64) {
    let bit = (key as usize) % FIRST_BITS;
    (bit / 64, 1 << (bit % 64))
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
        let mut index = Self::default();
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
        for &(file, line, actor, role, pattern) in &rows {
            let (keys, written) = pattern_tokens(&tokenizer, pattern);
            if keys.is_empty() || keys.len() > MAX_PATTERN_TOKENS {
                let problem =
                    format!("pattern `{pattern}` has {} tokens, expected 1 to {MAX_PATTERN_TOKENS}", keys.len());
                return Err(row_error(file, line, problem));
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
        index.sort_candidates();
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
        self.patterns.push(Pattern { actor, ambiguous, keys: keys.into(), case });
    }

    /// Groups the patterns by first key, longest first (stop names before names of the same
    /// length, then in row order).
    fn sort_candidates(&mut self) {
        let mut groups: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (i, pattern) in self.patterns.iter().enumerate() {
            groups.entry(pattern.keys[0]).or_default().push(i as u32);
        }
        self.by_first = groups
            .into_iter()
            .map(|(key, mut candidates)| {
                // A stable sort keeps row order (stop names were pushed first) among equals.
                candidates.sort_by_key(|&i| std::cmp::Reverse(self.patterns[i as usize].keys.len()));
                (key, candidates.into_boxed_slice())
            })
            .collect();
        let mut bits = vec![0u64; FIRST_BITS / 64];
        let mut lower_bits = vec![0u64; FIRST_BITS / 64];
        for pattern in &self.patterns {
            let (word, mask) = first_bit(pattern.keys[0]);
            bits[word] |= mask;
            if !pattern.needs_capital_first() {
                lower_bits[word] |= mask;
            }
        }
        self.first_bits = bits.into_boxed_slice();
        self.lower_first_bits = lower_bits.into_boxed_slice();
    }

    /// The patterns (positions for [`PatternIndex::pattern`]) that may start at a token with
    /// key `first` whose first byte in the text is `first_byte`, longest first. Empty,
    /// without a hash lookup, for most tokens: those whose key starts no pattern, and
    /// those that start with an ASCII byte other than a capital where every pattern of the
    /// key needs one.
    #[inline]
    pub(super) fn candidates(&self, first: u64, first_byte: Option<u8>) -> &[u32] {
        let (word, mask) = first_bit(first);
        let bits = match first_byte {
            Some(byte) if byte.is_ascii() && !byte.is_ascii_uppercase() => &self.lower_first_bits,
            _ => &self.first_bits,
        };
        if bits.get(word).is_some_and(|bits| bits & mask != 0) {
            self.by_first.get(&first).map_or(&[], |candidates| &**candidates)
        } else {
            &[]
        }
    }

    /// The pattern at `position`, as [`PatternIndex::candidates`] gives it.
    #[inline]
    pub(super) fn pattern(&self, position: u32) -> &Pattern {
        &self.patterns[position as usize]
    }

    /// Every pattern whose first token has key `first`, longest first, without the filters
    /// of [`PatternIndex::candidates`]: what they are tested against.
    #[cfg(test)]
    pub(super) fn all_candidates(&self, first: u64) -> &[u32] {
        self.by_first.get(&first).map_or(&[], |candidates| &**candidates)
    }
}
