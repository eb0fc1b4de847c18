//! The matcher on the tokenizer's first bytes ([`ActorMatcher::match_tokens`]) against the
//! matcher on keys and spans alone ([`ActorMatcher::find`]): the same answers.

use super::tests::{shipped, written};
use super::*;
use crate::text::article::Article;
use crate::text::tokenizer::Tokenizer;
use crate::text::tokens::Tokens;

fn both_ways(title: &str, text: &str) -> (ArticleActors, ArticleActors) {
    let gazetteer = shipped();
    let tokenizer = Tokenizer::default();
    let by_keys = gazetteer.matcher(MatchSettings::default()).find(&tokenizer, title, text);
    let article = Article { id: "", title, text };
    let mut tokens = Tokens::new();
    tokens.read(&tokenizer, &article);
    let mut matcher = gazetteer.matcher(MatchSettings::default());
    for (field, source) in article.fields() {
        matcher.match_tokens(field, tokens.field(field), source);
    }
    (matcher.finish(), by_keys)
}

/// Every row and stop name of the shipped gazetteer, written in each way of [`written`]
/// after a few words, and sentences of each, give the same mentions both ways.
#[test]
fn the_first_bytes_turn_away_no_match() {
    let data = shipped().data();
    let patterns = data.names.iter().map(|row| row.pattern.as_str()).chain(data.stopnames.iter().map(String::as_str));
    let mut found = 0;
    for pattern in patterns {
        for way in 0..4 {
            let name = written(pattern, way);
            let text = format!("the {name} and In {name}, (ex-{name}) 2024 {name} said \u{e9}{name}");
            let (marked, by_keys) = both_ways(&name, &text);
            assert_eq!(marked, by_keys, "{text:?}");
            found += by_keys.mentions.len();
        }
    }
    assert!(found >= data.names.len(), "{found}");
}

proptest::proptest! {
    /// Texts of names, common words and punctuation in any case.
    #[test]
    fn texts_of_names_give_the_same_mentions_both_ways(
        words in proptest::collection::vec(proptest::sample::select(&[
            "al", "Al", "AL", "al-Qaeda", "Al-Qaeda", "al Shabaab", "qaeda", "France", "france",
            "US", "us", "U.S.", "the", "in", "South", "Sudan", "Élysée", "élysée", "and", ",",
            "-", "(Reuters)", "BRUSSELS", "Georgia", "Jordan", "WHO", "who", "123", "Côte d'Ivoire",
        ][..]), 0..40),
    ) {
        let text = words.join(" ");
        let (marked, by_keys) = both_ways("", &text);
        proptest::prop_assert_eq!(marked, by_keys);
    }
}
