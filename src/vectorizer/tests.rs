use super::*;

fn fit(texts: &[&str], settings: VectorizerSettings) -> TfIdf {
    let tokenizer = Tokenizer::default();
    let docs: Vec<Vec<Vec<String>>> = texts
        .iter()
        .map(|t| vec![tokenizer.tokenize(t).into_iter().map(|tok| tok.text).collect()])
        .collect();
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
    let expected_terms = ["apple", "apple banana", "apple cherry", "banana", "banana banana", "banana cherry", "cherry"];
    assert_eq!(vectorizer.terms(), expected_terms);
    let expected_idf = [1.0, 1.287_682_1, 1.693_147_2, 1.287_682_1, 1.693_147_2, 1.693_147_2, 1.287_682_1];
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
