//! The shipped model through the fast path against the plain path it replaced: reference
//! tokenizer, string-keyed vocabulary, [`LinearHead::predict`] on the sparse vector.

use std::path::Path;

use super::*;
use crate::tokenizer::reference;
use crate::vectorizer::reference::Reference;

fn shipped() -> Model {
    Model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin")).expect("shipped model loads")
}

fn corpus() -> crate::Corpus {
    crate::Corpus::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("data")]).expect("data/ loads")
}

#[test]
fn shipped_model_classifies_as_the_plain_path_does() {
    let model = shipped();
    let reference = Reference::new(model.vectorizer());
    let mut worst = 0.0f32;
    for document in corpus().documents.iter() {
        let article = Article { id: &document.id, title: &document.title, text: &document.text };
        let vector = reference.transform(model.tokenizer(), &article);
        assert_eq!(model.vectorize(&article), vector, "{}", document.id);
        let expected = model.classify_vector(&vector, 5);
        let got = model.classify(&article, 5);
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(got.head, expected.head);
            for (p, q) in got.prediction.probabilities.iter().zip(&expected.prediction.probabilities) {
                worst = worst.max((p - q).abs());
            }
            assert_eq!(got.prediction.best, expected.prediction.best, "{} {}", document.id, got.head);
            assert_eq!(got.evidence, expected.evidence, "{} {}", document.id, got.head);
        }
    }
    assert!(worst < 1e-6, "largest probability difference {worst}");
}

/// Articles of about 100 KB (some 9,000 features): the plain path sums the squares for the
/// norm in f32, which alone moves its probabilities by up to ~1e-6 from the exact values; the
/// fast path sums in f64. So the two agree to a few 1e-6 here, and to 1e-6 on news-sized
/// articles (above).
#[test]
fn long_articles_classify_as_the_plain_path_does() {
    let model = shipped();
    let reference = Reference::new(model.vectorizer());
    let documents = corpus().documents;
    for chunk in documents.chunks(400).step_by(4) {
        let text: String = chunk.iter().map(|d| format!("{}\n{}\n", d.title, d.text)).collect();
        let article = Article::text(&text);
        let expected = model.classify_vector(&reference.transform(model.tokenizer(), &article), 3);
        for (got, expected) in model.classify(&article, 3).iter().zip(&expected) {
            for (p, q) in got.prediction.probabilities.iter().zip(&expected.prediction.probabilities) {
                assert!((p - q).abs() < 4e-6, "{p} != {q}");
            }
            assert_eq!(got.evidence, expected.evidence);
        }
    }
}

#[test]
fn an_article_without_known_terms_gets_the_bias_alone() {
    let model = shipped();
    for article in [Article::text(""), Article::text("zzqx qqzx"), Article { id: "", title: "", text: "  ;;; " }] {
        let expected = model.classify_vector(&SparseVector::default(), 2);
        let got = model.classify(&article, 2);
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(got.prediction.best, expected.prediction.best);
            for (p, q) in got.prediction.probabilities.iter().zip(&expected.prediction.probabilities) {
                assert!((p - q).abs() < 1e-7, "{p} != {q}");
            }
            assert!(got.evidence.is_empty());
        }
    }
}

#[test]
fn tokenize_gives_the_reference_tokens() {
    let model = shipped();
    for document in corpus().documents.iter().step_by(7) {
        let mut expected = Vec::new();
        reference::for_each(model.tokenizer().settings(), &document.text, |start, end, text| {
            expected.push(Token { text: text.to_owned(), start, end })
        });
        assert_eq!(model.tokenize(&document.text), expected);
    }
}

#[test]
fn a_vocabulary_whose_keys_collide_is_refused() {
    let model = shipped();
    let terms = vec!["alpha".to_owned(), "beta".to_owned()];
    let vectorizer = TfIdf::from_parts_keyed(VectorizerSettings::default(), terms, vec![1.0, 1.0], |_| 42);
    let heads = vec![LinearHead {
        name: "h".into(),
        labels: vec!["a".into(), "b".into()],
        weights: vec![0.0; 4],
        bias: vec![0.0; 2],
    }];
    let error = Model::from_parts(model.meta().clone(), TokenizerSettings::default(), vectorizer, heads)
        .expect_err("colliding keys are refused");
    let message = error.to_string();
    assert!(message.contains("`alpha` and `beta` have the same 64-bit key"), "{message}");
}
