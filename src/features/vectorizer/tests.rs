use super::*;

fn fit(texts: &[&str], settings: VectorizerSettings) -> TfIdf {
    let tokenizer = Tokenizer::default();
    let docs: Vec<Vec<Vec<String>>> =
        texts.iter().map(|t| vec![tokenizer.tokenize(t).into_iter().map(|tok| tok.text).collect()]).collect();
    TfIdf::fit(settings, &docs)
}

fn all_terms() -> VectorizerSettings {
    VectorizerSettings { min_df: 1, ..VectorizerSettings::default() }
}

/// Expected values come from scikit-learn 1.x:
/// `TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)` on the same three texts.
#[test]
fn matches_scikit_learn_on_a_small_corpus() {
    let vectorizer = fit(&["apple banana", "apple cherry", "apple banana banana cherry"], all_terms());
    let expected_terms =
        ["apple", "apple banana", "apple cherry", "banana", "banana banana", "banana cherry", "cherry"];
    assert_eq!(vectorizer.terms(), expected_terms);
    let expected_idf = [1.0, 1.287_682, 1.693_147, 1.287_682, 1.693_147, 1.693_147, 1.287_682];
    for (got, want) in vectorizer.idf().iter().zip(expected_idf) {
        assert!((got - want).abs() < 1e-6, "idf {got} != {want}");
    }
    let vector = vectorizer.transform(&Tokenizer::default(), &Article::text("Apple banana banana cherry"));
    let expected = [0.2599098, 0.3346812, 0.0, 0.5666645, 0.4400655, 0.4400655, 0.3346812];
    let mut dense = [0.0f32; 7];
    vector.iter().for_each(|(i, v)| dense[i as usize] = v);
    for (got, want) in dense.iter().zip(expected) {
        assert!((got - want).abs() < 1e-6, "weight {got} != {want}");
    }
}

#[test]
fn min_df_and_max_features_cut_the_vocabulary() {
    let texts = ["red blue", "red green", "red blue yellow"];
    let min2 = fit(&texts, VectorizerSettings { max_ngram: 1, min_df: 2, ..all_terms() });
    assert_eq!(min2.terms(), ["blue", "red"]);
    let top1 = fit(&texts, VectorizerSettings { max_ngram: 1, max_features: 1, ..all_terms() });
    assert_eq!(top1.terms(), ["red"]);
}

#[test]
fn unknown_words_give_an_empty_vector_and_vectors_are_unit_length() {
    let vectorizer = fit(&["alpha beta", "beta gamma"], all_terms());
    let tokenizer = Tokenizer::default();
    assert!(vectorizer.transform(&tokenizer, &Article::text("zeta eta")).is_empty());
    let vector = vectorizer.transform(&tokenizer, &Article::text("alpha beta gamma beta"));
    let norm: f32 = vector.values.iter().map(|v| v * v).sum();
    assert!((norm - 1.0).abs() < 1e-5);
    assert!(vector.indices.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn no_bigram_spans_title_and_text() {
    let vectorizer = fit(&["alpha beta", "alpha beta"], all_terms());
    let tokenizer = Tokenizer::default();
    let split = vectorizer.transform(&tokenizer, &Article { id: "", title: "alpha", text: "beta" });
    let bigram = vectorizer.index_of("alpha beta").expect("bigram in vocabulary");
    assert!(!split.indices.contains(&bigram));
}

// The fast path (keys and table) against the reference (strings and a map).

use super::reference::Reference;
use proptest::prelude::*;

fn corpus_texts() -> Vec<(String, String)> {
    let corpus =
        crate::Corpus::load(&[std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")]).expect("data/ loads");
    corpus.documents.into_iter().map(|d| (d.title, d.text)).collect()
}

fn corpus_vectorizer(texts: &[(String, String)], settings: VectorizerSettings) -> TfIdf {
    let tokenizer = Tokenizer::default();
    let tokens = |text: &str| tokenizer.tokenize(text).into_iter().map(|t| t.text).collect::<Vec<_>>();
    let docs: Vec<Vec<Vec<String>>> =
        texts.iter().step_by(3).map(|(title, text)| vec![tokens(title), tokens(text)]).collect();
    TfIdf::fit(settings, &docs)
}

fn assert_same(fast: &SparseVector, reference: &SparseVector, what: &str) {
    assert_eq!(fast.indices, reference.indices, "{what}");
    // Same operations in the same order: equal to the bit.
    let bits = |v: &SparseVector| v.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(fast), bits(reference), "{what}");
}

#[test]
fn fast_transform_equals_string_lookups_on_the_corpus() {
    let texts = corpus_texts();
    let tokenizer = Tokenizer::default();
    for settings in [
        VectorizerSettings::default(),
        VectorizerSettings { max_ngram: 1, sublinear_tf: false, ..VectorizerSettings::default() },
    ] {
        let vectorizer = corpus_vectorizer(&texts, settings);
        assert!(vectorizer.dimensions() > 5_000, "{} terms", vectorizer.dimensions());
        assert!(vectorizer.table_problem().is_none());
        let reference = Reference::new(&vectorizer);
        for (title, text) in &texts {
            let article = Article { id: "", title, text };
            let fast = vectorizer.transform(&tokenizer, &article);
            assert_same(&fast, &reference.transform(&tokenizer, &article), text);
        }
        // Whole files as one article: long documents, every count above one.
        let joined = texts.iter().take(500).map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
        let article = Article::text(&joined);
        assert_same(&vectorizer.transform(&tokenizer, &article), &reference.transform(&tokenizer, &article), "joined");
    }
}

#[test]
fn index_of_finds_exactly_the_vocabulary() {
    let vectorizer = fit(&["alpha beta", "beta gamma", "new york city"], all_terms());
    for (index, term) in vectorizer.terms().iter().enumerate() {
        assert_eq!(vectorizer.index_of(term), Some(index as u32));
    }
    for absent in ["", " ", "alpha  beta", "gamma beta", "Alpha", "york new", "new york city"] {
        assert_eq!(vectorizer.index_of(absent), None, "{absent:?}");
    }
}

#[test]
fn a_vocabulary_of_odd_terms_still_indexes_every_term() {
    // Terms no tokenizer gives (two spaces, empty halves) must still be found by `index_of`.
    let terms: Vec<String> = ["", " ", "a b c", " a", "a ", "x"].iter().map(|t| t.to_string()).collect();
    let vectorizer = TfIdf::from_parts(all_terms(), terms.clone(), vec![1.0; terms.len()]);
    assert!(vectorizer.table_problem().is_none());
    for (index, term) in terms.iter().enumerate() {
        assert_eq!(vectorizer.index_of(term), Some(index as u32), "{term:?}");
    }
}

#[test]
fn counts_are_cleared_between_documents_and_vectorizers() {
    let small = fit(&["alpha beta", "beta gamma"], all_terms());
    let large = fit(&["alpha beta delta epsilon", "beta gamma zeta eta theta"], all_terms());
    let tokenizer = Tokenizer::default();
    let article = Article::text("alpha beta beta gamma");
    let first = small.transform(&tokenizer, &article);
    let _ = large.transform(&tokenizer, &Article::text("zeta eta theta alpha alpha"));
    assert_eq!(small.transform(&tokenizer, &article), first);
    assert_same(
        &large.transform(&tokenizer, &article),
        &Reference::new(&large).transform(&tokenizer, &article),
        "large",
    );
}

#[test]
fn threads_vectorize_independently() {
    let texts = corpus_texts();
    let vectorizer = corpus_vectorizer(&texts, VectorizerSettings::default());
    let tokenizer = Tokenizer::default();
    let expected: Vec<SparseVector> = texts
        .iter()
        .take(400)
        .map(|(title, text)| vectorizer.transform(&tokenizer, &Article { id: "", title, text }))
        .collect();
    std::thread::scope(|scope| {
        for offset in 0..4 {
            let (vectorizer, tokenizer, texts, expected) = (&vectorizer, &tokenizer, &texts, &expected);
            scope.spawn(move || {
                for i in (offset..400).step_by(3) {
                    let (title, text) = &texts[i];
                    assert_eq!(vectorizer.transform(tokenizer, &Article { id: "", title, text }), expected[i]);
                }
            });
        }
    });
}

/// Words that the arbitrary strings below are built from, so that they hit the vocabulary.
const WORDS: &[&str] = &[
    "the",
    "The",
    "THE",
    "u.s.",
    "U.S.",
    "china",
    "China's",
    "trade",
    "deal",
    "long-term",
    "talks",
    "peace",
    "war",
    "1,000",
    "3.5",
    "2022-05-18",
    "&amp;",
    "#39;",
    "quot;",
    "café",
    "Ελλάδα",
    "ΣΑΣ",
    "中国",
    "a",
    "x",
    " ",
    ". ",
    ", ",
    "\n",
    "-",
    "’s",
    "\u{301}",
    "minister",
    "foreign",
    "said",
    "on",
    "monday",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fast_transform_equals_string_lookups_on_arbitrary_text(
        words in proptest::collection::vec(proptest::sample::select(WORDS), 0..80),
        noise in "\\PC{0,40}",
        title in "\\PC{0,20}",
    ) {
        let vectorizer = fit(&["the u.s. and china said on monday", "china trade deal long-term talks", "peace war 1,000 3.5 café",
            "foreign minister said the deal", "中国 Ελλάδα σας minister"], all_terms());
        let tokenizer = Tokenizer::default();
        let text = format!("{}{noise}{}", words.join(" "), words.concat());
        let article = Article { id: "", title: &title, text: &text };
        let fast = vectorizer.transform(&tokenizer, &article);
        let expected = Reference::new(&vectorizer).transform(&tokenizer, &article);
        prop_assert_eq!(fast, expected);
    }
}
