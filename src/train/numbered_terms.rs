//! Document frequencies counted over token numbers: a document's unigrams and bigrams are
//! 64-bit keys made of its tokens' numbers, so that counting builds no string and hashes no
//! text; the terms are spelled out once, at the end, and only those a vocabulary can keep.
//!
//! A bigram's key spells as its two tokens joined by a space, as
//! [`crate::features::vectorizer::for_each_term`] spells it; tokens hold no spaces (the
//! tokenizer splits on them), so no two keys spell the same term and the counts are the
//! ones counting the strings gives.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::features::vectorizer::DocumentFrequency;

/// How many documents hold each unigram and bigram, keyed by token numbers.
#[derive(Default)]
pub(super) struct NumberedTerms {
    bigrams: bool,
    counts: FxHashMap<u64, u32>,
    documents: usize,
    /// The current document's keys, kept to count each once.
    seen: Vec<u64>,
}

/// A unigram's key: its token's number (below 2³²).
fn unigram(token: u32) -> u64 {
    u64::from(token)
}

/// A bigram's key: its first token's number plus one in the high half, so that it is 2³² or
/// more and never a unigram's.
fn bigram(first: u32, second: u32) -> u64 {
    (u64::from(first) + 1) << 32 | u64::from(second)
}

impl NumberedTerms {
    /// No documents yet; bigrams counted when `max_ngram` is 2 or more.
    pub(super) fn new(max_ngram: usize) -> Self {
        Self { bigrams: max_ngram >= 2, ..Self::default() }
    }

    /// Counts one document, given as its fields' token numbers (no bigram spans two fields).
    pub(super) fn add(&mut self, fields: [&[u32]; 2]) {
        self.seen.clear();
        for field in fields {
            self.seen.extend(field.iter().map(|&token| unigram(token)));
            if self.bigrams {
                self.seen.extend(field.windows(2).map(|pair| bigram(pair[0], pair[1])));
            }
        }
        self.seen.sort_unstable();
        self.seen.dedup();
        for &key in &self.seen {
            *self.counts.entry(key).or_default() += 1;
        }
        self.documents += 1;
    }

    /// Adds the counts of other documents.
    pub(super) fn merge(&mut self, other: NumberedTerms) {
        self.documents += other.documents;
        for (key, count) in other.counts {
            *self.counts.entry(key).or_default() += count;
        }
    }

    /// The counts by term (`token_texts`: token number to token), without the terms held by
    /// fewer than `min_df` documents, which no vocabulary keeps.
    pub(super) fn spelled(self, token_texts: &[String], max_ngram: usize, min_df: usize) -> DocumentFrequency {
        let spell = |key: u64| match key >> 32 {
            0 => token_texts[key as usize].clone(),
            first => {
                let (first, second) = (&token_texts[first as usize - 1], &token_texts[(key & 0xffff_ffff) as usize]);
                let mut term = String::with_capacity(first.len() + 1 + second.len());
                term.push_str(first);
                term.push(' ');
                term.push_str(second);
                term
            }
        };
        let counts: HashMap<String, u32> = self
            .counts
            .into_iter()
            .filter(|&(_, count)| count as usize >= min_df)
            .map(|(key, count)| (spell(key), count))
            .collect();
        DocumentFrequency::from_counts(max_ngram, counts, self.documents)
    }
}
