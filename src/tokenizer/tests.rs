use super::*;
use proptest::prelude::*;

fn texts(input: &str) -> Vec<String> {
    Tokenizer::default().tokenize(input).into_iter().map(|t| t.text).collect()
}

#[test]
fn lowercases_words_and_keeps_offsets() {
    let input = "China and Israel";
    let tokens = Tokenizer::default().tokenize(input);
    assert_eq!(texts(input), ["china", "and", "israel"]);
    assert_eq!(&input[tokens[2].start..tokens[2].end], "Israel");
}

#[test]
fn keeps_hyphenated_words_and_numbers_whole() {
    assert_eq!(texts("long-term deal worth 1,000.50 and 3.5%"), ["long-term", "deal", "worth", "1,000.50", "and", "3.5"]);
    assert_eq!(texts("a 2022-05-18 date"), ["2022-05-18", "date"]);
    assert_eq!(texts("end. 2,x"), ["end"]);
}

#[test]
fn keeps_letter_dot_abbreviations() {
    assert_eq!(texts("The U.S. and U.N. agreed"), ["the", "u.s.", "and", "u.n.", "agreed"]);
    assert_eq!(texts("plan B. Then"), ["plan", "then"]);
}

#[test]
fn folds_html_entity_debris() {
    assert_eq!(texts("China#39;s  #36;10 million"), ["china", "10", "million"]);
    assert_eq!(texts("said  quot;no quot; &lt;b&gt;bold&lt;/b&gt; &amp; &#x27;x&#39;"), ["said", "no", "bold"]);
    assert_eq!(texts("second\\team"), ["second", "team"]);
}

#[test]
fn entity_like_words_that_are_not_entities_stay() {
    assert_eq!(texts("forecast; quotas #1 hashtag"), ["forecast", "quotas", "hashtag"]);
}

#[test]
fn drops_single_ascii_characters_and_apostrophes_split() {
    assert_eq!(texts("Israel's a don’t"), ["israel", "don"]);
}

#[test]
fn handles_other_scripts() {
    assert_eq!(texts("中国外交 Москва Ελλάδα café"), ["中", "国", "外", "交", "москва", "ελλάδα", "café"]);
    assert_eq!(texts("مرحبا بالعالم"), ["مرحبا", "بالعالم"]);
    let combining = "cafe\u{301} ok";
    assert_eq!(texts(combining), ["cafe\u{301}", "ok"]);
}

#[test]
fn drops_overlong_tokens() {
    let long = "x".repeat(101);
    assert_eq!(texts(&format!("a {long} word")), ["word"]);
}

#[test]
fn refuses_unknown_rules_version() {
    let settings = TokenizerSettings { version: TOKENIZER_VERSION + 1, ..TokenizerSettings::default() };
    assert!(Tokenizer::new(settings).is_err());
}

proptest! {
    #[test]
    fn offsets_slice_the_source_on_char_boundaries(input in "\\PC*") {
        for token in Tokenizer::default().tokenize(&input) {
            prop_assert!(input.is_char_boundary(token.start) && input.is_char_boundary(token.end));
            prop_assert!(token.start < token.end);
            let source = &input[token.start..token.end];
            prop_assert_eq!(source.to_lowercase(), token.text);
        }
    }

    #[test]
    fn tokens_are_ordered_and_disjoint(input in any::<String>()) {
        let tokens = Tokenizer::default().tokenize(&input);
        for pair in tokens.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
    }

    #[test]
    fn never_panics_on_entity_soup(input in "[&#;a-z0-9 .,\\-'\\\\]{0,64}") {
        let _ = Tokenizer::default().tokenize(&input);
    }
}
