//! [`ActorMatcher::match_marked_field`], starting at the tokens a vectorizer's analysis
//! marked with the gazetteer's first keys, against [`ActorMatcher::match_field`], which
//! tests every token against the index's bit sets.

use super::starts::{bit_set_starts, marked_starts};
use super::tests::shipped;
use super::*;
use crate::features::vectorizer::{Analysis, TfIdf, VectorizerSettings};
use crate::text::article::Article;
use crate::text::tokenizer::Tokenizer;

const TEXTS: [&str; 8] = [
    "South Sudan and Sudan, and Papua New Guinea",
    "ships in the South China Sea, China said",
    "BRUSSELS (Reuters) - The European Union and NATO met; US and U.S. officials, the WHO and who",
    "the united nations said new york was calm; united states officials in new delhi and south africa",
    "al-Shabaab fighters and Al-Shabaab; Mahdi Army fighters clashed with Iraqi troops",
    "Cote d'Ivoire and Côte d'Ivoire; a French journalist in Geneva",
    "Turkey and turkey, Jordan and Georgia; the Holy See and Pope John Paul II",
    "New Zealand and new zealand; the United States, the United Kingdom and the Gulf",
];

/// A vectorizer whose vocabulary holds the words of the first texts only (so that some
/// first keys are in it and others are not), marked with the shipped gazetteer's first keys.
fn marked_vectorizer() -> TfIdf {
    let tokenizer = Tokenizer::default();
    let documents: Vec<Vec<Vec<String>>> = TEXTS[..4]
        .iter()
        .map(|text| vec![tokenizer.tokenize(text).into_iter().map(|token| token.text).collect()])
        .collect();
    let mut vectorizer = TfIdf::fit(VectorizerSettings { min_df: 1, ..VectorizerSettings::default() }, &documents);
    vectorizer.mark_tokens(shipped().first_key_marks());
    vectorizer
}

/// The actors of an analysed article, starting at its marked tokens or at every token.
fn actors_of(analysis: &Analysis<'_>, article: &Article<'_>, marked: bool) -> ArticleActors {
    let mut matcher = shipped().matcher(MatchSettings::default());
    for (field, text) in article.fields() {
        let read = analysis.tokens().field(field);
        if marked {
            matcher.match_marked_field(field, read.keys(), read.span_pairs(), text, analysis.marked(field));
        } else {
            matcher.match_field(field, read.keys(), read.span_pairs(), text);
        }
    }
    matcher.finish()
}

/// Every pair of texts as title and text: the same actors and mentions either way, and
/// the marked starts are among the bit sets' (which a bit collision may add to), so that
/// the marks test the case of a token's first letter as the bit sets do.
#[test]
fn marked_tokens_find_what_the_bit_sets_find() {
    let (vectorizer, tokenizer, index) = (marked_vectorizer(), Tokenizer::default(), shipped().index());
    let mut found = 0;
    for title in TEXTS {
        for text in TEXTS {
            let article = Article { id: "", title, text };
            let analysis = vectorizer.analyse(&tokenizer, &article, false);
            let expected = actors_of(&analysis, &article, false);
            assert_eq!(actors_of(&analysis, &article, true), expected, "{title} | {text}");
            found += expected.mentions.len();
            for (field, source) in article.fields() {
                let read = analysis.tokens().field(field);
                let (keys, spans) = (read.keys(), read.span_pairs());
                let (mut by_marks, mut by_bits) = (Vec::new(), Vec::new());
                let marked = marked_starts(index, keys, spans, source, analysis.marked(field), &mut by_marks);
                let bits = bit_set_starts(index, keys, spans, source, &mut by_bits);
                let by_bits = &by_bits[..bits];
                let stray: Vec<u32> = by_marks[..marked].iter().copied().filter(|at| !by_bits.contains(at)).collect();
                assert!(stray.is_empty(), "{source}: {stray:?} start by the marks only");
            }
        }
    }
    assert!(found > 300, "{found}");
}
