//! Training end to end on a small slice of the shipped corpus: the result classifies, is
//! reproducible to the byte, and the sparse serving path agrees with linfa's own predict.

use std::path::PathBuf;

use accord::train::{fit_head, train, Silent, TrainConfig};
use accord::{Corpus, Model, ModelError};

fn small_corpus() -> Corpus {
    let full = Corpus::load(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")]).expect("data/ loads");
    // Every 15th document keeps every head and label while staying quick to train.
    let keep = |i: &usize| i.is_multiple_of(15) || full.sources[*i] == "seeds";
    full.subset((0..full.len()).filter(keep))
}

fn quick_config() -> TrainConfig {
    TrainConfig { head_features: 3_000, max_iterations: 60, ..TrainConfig::default() }
}

#[test]
fn trains_a_model_that_classifies_and_reports_held_out_figures() {
    let corpus = small_corpus();
    let model = train(&corpus, &quick_config(), "2026-01-01", &Silent).expect("training succeeds");
    let heads: Vec<&str> = model.heads().iter().map(|h| h.name.as_str()).collect();
    assert_eq!(heads, ["stance", "topic"]);
    assert_eq!(model.meta().evaluation.len(), 2);
    let topic = &model.meta().evaluation[1];
    assert!(topic.test_documents > 50, "held-out topic documents: {}", topic.test_documents);
    assert!(topic.accuracy > 0.5, "topic accuracy {} is no better than chance", topic.accuracy);
    let sports = accord::Article::text(
        "The striker scored twice as the home team won the league match and the coach praised the goalkeeper.",
    );
    let results = model.classify(&sports, 3);
    assert_eq!(results[1].label(), "sports");
    assert!(!results[1].evidence.is_empty());
    assert!(model.version().starts_with("v20260101-"));
}

#[test]
fn same_corpus_and_seed_give_a_byte_identical_model() {
    let corpus = small_corpus();
    let config = TrainConfig { max_iterations: 20, ..quick_config() };
    let first = train(&corpus, &config, "2026-01-01", &Silent).expect("first").to_bytes().expect("encode");
    let second = train(&corpus, &config, "2026-01-01", &Silent).expect("second").to_bytes().expect("encode");
    assert!(first == second, "two trainings on the same input differ");
    let other_seed = TrainConfig { seed: 7, ..config };
    let third = train(&corpus, &other_seed, "2026-01-01", &Silent).expect("third").to_bytes().expect("encode");
    assert!(first != third, "the seed has no effect");
}

#[test]
fn sparse_inference_matches_linfa_predict() {
    let corpus = small_corpus();
    let tokenizer = accord::Tokenizer::default();
    let tokens: Vec<Vec<Vec<String>>> = corpus
        .documents
        .iter()
        .map(|d| {
            [&d.title, &d.text].iter().map(|f| tokenizer.tokenize(f).into_iter().map(|t| t.text).collect()).collect()
        })
        .collect();
    let vectorizer = accord::TfIdf::fit(Default::default(), &tokens);
    let (rows, labels): (Vec<_>, Vec<_>) = corpus
        .documents
        .iter()
        .filter_map(|d| {
            d.labels.get("stance").map(|l| {
                (
                    vectorizer.transform(&tokenizer, &accord::Article { id: "", title: &d.title, text: &d.text }),
                    l.as_str(),
                )
            })
        })
        .unzip();
    let row_refs: Vec<_> = rows.iter().collect();
    let fit = fit_head("stance", &row_refs, &labels, vectorizer.dimensions(), &quick_config()).expect("fit");
    let dense = accord::train::dense_rows(&row_refs, &fit.columns, vectorizer.dimensions());
    let expected = fit.linfa.predict_probabilities(&dense);
    let classes = fit.linfa.classes();
    let mut largest = 0.0f32;
    for (r, row) in rows.iter().enumerate() {
        let ours = fit.head.predict(row).probabilities;
        for (position, &label) in classes.iter().enumerate() {
            largest = largest.max((ours[label] - expected[(r, position)]).abs());
        }
    }
    assert!(largest <= 1e-6, "sparse and linfa probabilities differ by {largest}");
}

#[test]
fn invalid_settings_are_refused_by_name() {
    let config = TrainConfig { test_fraction: 1.5, ..TrainConfig::default() };
    let error = train(&small_corpus(), &config, "2026-01-01", &Silent).expect_err("bad fraction");
    assert!(error.to_string().contains("test_fraction"), "{error}");
}

#[test]
fn damaged_model_files_are_refused_with_the_reason() {
    let model = train(&small_corpus(), &TrainConfig { max_iterations: 5, ..quick_config() }, "2026-01-01", &Silent)
        .expect("train");
    let bytes = model.to_bytes().expect("encode");
    assert!(Model::from_bytes(&bytes).is_ok());
    assert!(matches!(Model::from_bytes(&bytes[..bytes.len() - 10]), Err(ModelError::Truncated { .. })));
    assert!(matches!(Model::from_bytes(&bytes[..30]), Err(ModelError::Truncated { .. })));
    assert!(matches!(Model::from_bytes(b"garbage"), Err(ModelError::NotAModel)));
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x55;
    assert!(matches!(Model::from_bytes(&flipped), Err(ModelError::ChecksumMismatch)));
    let mut future = bytes.clone();
    future[8] = 99;
    assert!(matches!(Model::from_bytes(&future), Err(ModelError::UnsupportedFormat { found: 99 })));
}

#[test]
fn validation_articles_choose_the_exponent_and_are_reported() {
    let articles_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/articles/articles.jsonl");
    let articles = Corpus::load(&[articles_path]).expect("articles load");
    let model = accord::train_with_validation(&small_corpus(), Some(&articles), &quick_config(), "2026-01-01", &Silent)
        .expect("training succeeds");
    let validation = model.meta().article_validation.as_ref().expect("validation recorded");
    assert_eq!(validation.documents, articles.len());
    assert!(accord::validation::EXPONENTS.contains(&validation.exponent));
    assert_eq!(model.article_stance().map(|rule| rule.exponent), Some(validation.exponent));
    let heads: Vec<&str> = validation.heads.iter().map(|f| f.head.as_str()).collect();
    assert_eq!(heads, ["topic", "stance"]);
    assert!(validation.heads.iter().all(|f| f.documents == articles.len() && (0.0..=1.0).contains(&f.macro_f1)));
    let reloaded = Model::from_bytes(&model.to_bytes().expect("encode")).expect("decode");
    assert_eq!(reloaded.meta(), model.meta());
}

#[test]
fn a_corpus_without_a_neutral_stance_gets_no_article_rule() {
    let mut corpus = small_corpus();
    let keep: Vec<usize> = (0..corpus.len())
        .filter(|&i| corpus.documents[i].labels.get("stance").is_none_or(|l| l != "neutral"))
        .collect();
    corpus = corpus.subset(keep);
    let model = train(&corpus, &quick_config(), "2026-01-01", &Silent).expect("training succeeds");
    assert!(model.article_stance().is_none());
    assert!(model.sentence_stances(&accord::Article::text("One. Two.")).is_empty());
}
