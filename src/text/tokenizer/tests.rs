use super::*;
use crate::text::tokenizer::{hash, reference, scan};
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
    assert_eq!(
        texts("long-term deal worth 1,000.50 and 3.5%"),
        ["long-term", "deal", "worth", "1,000.50", "and", "3.5"]
    );
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

// The fast path against the reference tokenizer (`reference.rs`), spans and normalized text.

/// Pieces that exercise every rule, and the window boundaries once joined.
const FRAGMENTS: &[&str] = &[
    " ",
    "  ",
    "\t",
    "\n",
    ".",
    ",",
    "-",
    "--",
    ";",
    "&",
    "#",
    "'",
    "’",
    "\\",
    "/",
    "(",
    ")",
    "%",
    "\"",
    "a",
    "B",
    "x",
    "Hello",
    "WORLD",
    "long",
    "term",
    "Mid-East",
    "e.g.",
    "U.S.",
    "U.N.",
    "i.e",
    "B.",
    "3",
    "42",
    "1,000",
    "2.5",
    "2022-05-18",
    "1.",
    ",5",
    "3-",
    "-x",
    "x-",
    "&amp;",
    "&lt;",
    "&#39;",
    "&#x27;",
    "&#X27;",
    "#39;",
    "#36;",
    "quot;",
    "amp;",
    "nbsp;",
    "hellip;",
    "quotx;",
    "Quot;",
    "&quot",
    "&#;",
    "&toolongname;",
    "#12345678;",
    "é",
    "É",
    "ß",
    "cafe\u{301}",
    "\u{301}",
    "\u{300}x",
    "中",
    "国",
    "日本語",
    "カタカナ",
    "ひらがな",
    "𠀀",
    "Москва",
    "ΣΑΣ",
    "ΟΔΥΣΣΕΥΣ",
    "σ",
    "İstanbul",
    "ǅ",
    "Ⅻ",
    "٣",
    "مرحبا",
    "🙂",
    "\u{200b}",
    "\u{a0}",
    "\u{feff}",
    "ﬁ",
    "Ⓐ",
    "x\u{301}-y",
    "é-x",
    "x-é",
    "1.é",
    "9,٣",
];

fn fast_tokens(tokenizer: &Tokenizer, input: &str) -> Vec<(usize, usize, String)> {
    let mut tokens = Vec::new();
    tokenizer.for_each(input, |start, end, text| tokens.push((start, end, text.to_owned())));
    tokens
}

fn reference_tokens(tokenizer: &Tokenizer, input: &str) -> Vec<(usize, usize, String)> {
    let mut tokens = Vec::new();
    reference::for_each(tokenizer.settings(), input, |start, end, text| tokens.push((start, end, text.to_owned())));
    tokens
}

fn fast_spans(input: &str) -> Vec<(usize, usize, bool)> {
    let mut spans = Vec::new();
    scan::for_each_span(input, |start, end, ascii| spans.push((start, end, ascii)));
    spans
}

/// The scan without the bit instructions [`scan::for_each_span`] uses where it can, so that
/// both are checked whatever the processor.
fn baseline_spans(input: &str) -> Vec<(usize, usize, bool)> {
    scan::scan(input, Vec::new(), |spans, start, end, ascii| spans.push((start, end, ascii)))
}

fn reference_spans(input: &str) -> Vec<(usize, usize, bool)> {
    let mut spans = Vec::new();
    reference::for_each_span(input, |start, end| spans.push((start, end, input[start..end].is_ascii())));
    spans
}

/// Every way the fast path can differ from the reference, checked on one input.
fn check_against_reference(input: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(fast_spans(input), reference_spans(input));
    prop_assert_eq!(baseline_spans(input), reference_spans(input));
    let settings = [
        TokenizerSettings::default(),
        TokenizerSettings { lowercase: false, ..TokenizerSettings::default() },
        TokenizerSettings { max_token_bytes: 3, ..TokenizerSettings::default() },
    ];
    for settings in settings {
        let tokenizer = Tokenizer::new(settings).expect("supported");
        let expected = reference_tokens(&tokenizer, input);
        prop_assert_eq!(fast_tokens(&tokenizer, input), expected.clone());
        // Buffers left longer by an earlier text: what is past the tokens written is stale.
        let (mut keys, mut spans, mut buffer) = (vec![7; 40], vec![(7, 7); 40], String::new());
        let written = tokenizer.keys_and_spans(input, &mut keys, &mut spans, &mut buffer);
        prop_assert!(keys.len() >= written && spans.len() >= written);
        keys.truncate(written);
        spans.truncate(written);
        let expected_keys: Vec<u64> = expected.iter().map(|(_, _, text)| hash::bytes(text.as_bytes())).collect();
        prop_assert_eq!(keys, expected_keys);
        prop_assert_eq!(spans, expected.iter().map(|(start, end, _)| (*start, *end)).collect::<Vec<_>>());
        for (start, end, text) in &expected {
            prop_assert_eq!(tokenizer.normalize(&input[*start..*end], &mut buffer), text.as_str());
        }
    }
    Ok(())
}

fn fragments() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn fast_path_equals_reference_on_printable_strings(input in "\\PC{0,200}") {
        check_against_reference(&input)?;
    }

    #[test]
    fn fast_path_equals_reference_on_any_string(input in any::<String>()) {
        check_against_reference(&input)?;
    }

    #[test]
    fn fast_path_equals_reference_on_rule_fragments(input in fragments()) {
        check_against_reference(&input)?;
    }

    #[test]
    fn fast_path_equals_reference_on_entity_soup(input in "[&#;a-zA-Z0-9 .,\\-'\\\\xX]{0,200}") {
        check_against_reference(&input)?;
    }

    #[test]
    fn fast_path_equals_reference_on_long_ascii_runs(input in "([a-zA-Z0-9]{1,130}[ .,;\\-&#é]{0,2}){0,8}") {
        check_against_reference(&input)?;
    }
}

#[test]
fn fast_path_equals_reference_on_the_corpus() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut files = vec![
        data.join("ag-news/train.csv"),
        data.join("multi-coped/train.tsv"),
        data.join("un-quadclass/en_annotations_quad_multiclass.tsv"),
    ];
    files.extend(std::fs::read_dir(data.join("seeds")).expect("seeds").map(|e| e.expect("entry").path()));
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for line in text.lines() {
            check_against_reference(line).unwrap_or_else(|e| panic!("{}: {e}\n{line}", file.display()));
        }
        check_against_reference(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[test]
fn sigma_and_special_lowercasing_match_the_reference() {
    for input in ["ΟΔΥΣΣΕΥΣ ΣΑΣ Σ σΣ ΑΣ.", "İSTANBUL İ", "ǅungla ǈ", "ΣΑΣ\u{301}", "ẞ ß", "Σ1 1Σ Σ-Σ"]
    {
        check_against_reference(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    }
}
