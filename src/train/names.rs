//! Name-like terms: words that the training texts write with a capital inside a sentence most
//! of the times they occur (people, places, organisations, parties). A head can train without
//! them so that it learns what its sentences say actors do rather than who the actors are:
//! the sentences it will be asked about come from other years and name other actors.

use std::collections::{HashMap, HashSet};

use crate::features::vectorizer::{SparseVector, TfIdf};
use crate::text::sentences;
use crate::text::tokenizer::Tokenizer;

/// The share of a word's occurrences inside sentences (not first in one) that must be
/// capitalized for it to count as a name. 5-fold cross-validation of the single-sentence head
/// with scikit-learn on multi-coped's news sentences (four fold seeds, 20 folds): macro-F1
/// 0.855 with names, 0.868 without those at 0.7 (higher in 17 of the 20 folds), 0.867 at 0.9
/// and 0.866 at 0.5.
pub const NAME_SHARE: f64 = 0.7;

/// For each feature of `vectorizer`, whether its term is or contains a name-like word of
/// `texts` (each word counted inside sentences only, its first word left out).
pub(crate) fn name_features<'t>(
    texts: impl Iterator<Item = &'t str>,
    tokenizer: &Tokenizer,
    vectorizer: &TfIdf,
) -> Vec<bool> {
    let names = name_like_words(texts, tokenizer);
    vectorizer.terms().iter().map(|term| term.split(' ').any(|word| names.contains(word))).collect()
}

/// The words of `texts` capitalized in at least [`NAME_SHARE`] of their occurrences inside
/// sentences, lowercase.
pub(crate) fn name_like_words<'t>(texts: impl Iterator<Item = &'t str>, tokenizer: &Tokenizer) -> HashSet<String> {
    let mut seen: HashMap<String, (u32, u32)> = HashMap::new();
    for text in texts {
        for range in sentences::split(text) {
            let sentence = &text[range];
            let mut first = true;
            tokenizer.for_each(sentence, |start, _, token| {
                if std::mem::take(&mut first) {
                    return;
                }
                let capital = sentence[start..].chars().next().is_some_and(char::is_uppercase);
                let (capitalized, total) = seen.entry(token.to_owned()).or_default();
                *capitalized += u32::from(capital);
                *total += 1;
            });
        }
    }
    let is_name = |&(capitalized, total): &(u32, u32)| f64::from(capitalized) / f64::from(total) >= NAME_SHARE;
    seen.into_iter().filter(|(_, counts)| is_name(counts)).map(|(word, _)| word).collect()
}

/// `vector` without the features marked in `excluded`; the other values are kept as they
/// are (not normalized again), as serving computes them with the names in the norm.
pub(crate) fn without(vector: &SparseVector, excluded: &[bool]) -> SparseVector {
    let kept = |&(index, _): &(&u32, &f32)| !excluded.get(*index as usize).copied().unwrap_or(false);
    let (indices, values) = vector.indices.iter().zip(&vector.values).filter(kept).unzip();
    SparseVector { indices, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_capitalized_inside_sentences_are_names_and_sentence_starts_do_not_count() {
        let texts = [
            "Officials in Ankara met envoys from Brussels. Talks went well.",
            "The envoys said Ankara and Brussels agreed. Talks resume in May.",
            "Brussels may talk again, the talks said.",
        ];
        let words = name_like_words(texts.into_iter(), &Tokenizer::default());
        // "Talks" starts two sentences and is lowercase inside one: not a name.
        assert!(words.contains("ankara") && words.contains("brussels"));
        assert!(!words.contains("talks") && !words.contains("envoys") && !words.contains("officials"));
        // "may" is capitalized in one of its two occurrences inside a sentence: share 0.5.
        let texts = ["They met in May.", "They may meet."];
        assert!(!name_like_words(texts.into_iter(), &Tokenizer::default()).contains("may"));
    }

    #[test]
    fn without_drops_the_excluded_features_and_keeps_the_other_values() {
        let vector = SparseVector { indices: vec![0, 2, 5], values: vec![0.6, 0.0, 0.8] };
        let excluded = [true, false, false, false, false, false];
        let kept = without(&vector, &excluded);
        assert_eq!(kept, SparseVector { indices: vec![2, 5], values: vec![0.0, 0.8] });
        assert_eq!(without(&vector, &[]), vector, "features past the mask are kept");
    }
}
