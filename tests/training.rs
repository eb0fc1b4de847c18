//! Training end to end on a small slice of the shipped corpus, through the library's public
//! interface: the result classifies, is reproducible to the byte, records its figures, and
//! refuses bad settings by name. How each head agrees with the models it is made of is
//! checked inside the crate (`src/train/tests.rs`).

use std::path::PathBuf;

use std::collections::BTreeMap;

use accord::train::{train, Baseline, FoldScore, Silent, TrainConfig};
use accord::Validation;
use accord::{Corpus, Document, Model, ModelError};

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
    let results = model.classify(&sports, &accord::Options { explain: 3, sentences: false, relations: false }).heads;
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
fn calibration_divides_each_head_by_the_temperature_it_records() {
    let corpus = small_corpus();
    let config = TrainConfig { max_iterations: 30, ..quick_config() };
    let raw = train(&corpus, &TrainConfig { calibrate: false, ..config.clone() }, "2026-01-01", &Silent).expect("raw");
    let calibrated = train(&corpus, &config, "2026-01-01", &Silent).expect("calibrated");
    for ((raw_head, head), evaluation) in raw.heads().iter().zip(calibrated.heads()).zip(&calibrated.meta().evaluation)
    {
        let t = evaluation.temperature;
        assert!(t != 1.0 && (0.05..=20.0).contains(&t), "head {}: temperature {t}", head.name);
        for (w, raw_w) in head.weights.iter().zip(&raw_head.weights).chain(head.bias.iter().zip(&raw_head.bias)) {
            assert!(
                (f64::from(*w) - f64::from(*raw_w) / t).abs() < 1e-4,
                "head {}: {w} is not {raw_w} / {t}",
                head.name
            );
        }
    }
    let raw_figures = &raw.meta().evaluation;
    for (raw_eval, eval) in raw_figures.iter().zip(&calibrated.meta().evaluation) {
        assert_eq!(raw_eval.confusion, eval.confusion, "a temperature must not change which label wins");
        assert_eq!(raw_eval.temperature, 1.0);
    }
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
    let validation = Validation { articles: Some(&articles), ..Validation::default() };
    let model = accord::train_with_validation(&small_corpus(), &validation, &quick_config(), "2026-01-01", &Silent)
        .expect("training succeeds");
    let validation = model.meta().article_validation.as_ref().expect("validation recorded");
    assert_eq!(validation.documents, articles.len());
    let tried: Vec<f32> = validation.exponent_scores.iter().map(|&(exponent, _)| exponent).collect();
    assert!(tried.len() > 1 && tried.contains(&validation.exponent), "{} among {tried:?}", validation.exponent);
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
    assert!(model
        .classify(
            &accord::Article::text("One. Two."),
            &accord::Options { explain: 0, sentences: true, relations: false }
        )
        .sentences
        .is_empty());
}

#[test]
fn validation_articles_are_scored_by_the_baseline_trained_on_the_whole_corpus() {
    let articles_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/articles/articles.jsonl");
    let articles = Corpus::load(&[articles_path]).expect("articles load");
    let corpus = small_corpus();
    let validation = Validation { articles: Some(&articles), baseline: Some(&MajorityLabel), folds: 0, news: None };
    let model = accord::train_with_validation(&corpus, &validation, &quick_config(), "2026-01-01", &Silent)
        .expect("training succeeds");
    let validation = model.meta().article_validation.as_ref().expect("validation recorded");
    let heads: Vec<&str> = validation.baseline.iter().map(|f| f.head.as_str()).collect();
    assert_eq!(heads, ["stance", "topic"]);
    for figure in &validation.baseline {
        // The majority label of the whole corpus, scored on the articles.
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for label in corpus.documents.iter().filter_map(|d| d.labels.get(&figure.head)) {
            *counts.entry(label).or_default() += 1;
        }
        let majority = counts.iter().max_by_key(|(_, n)| **n).map(|(l, _)| *l).expect("labels");
        let truths: Vec<&String> = articles.documents.iter().filter_map(|d| d.labels.get(&figure.head)).collect();
        let share = truths.iter().filter(|t| t.as_str() == majority).count() as f64 / truths.len() as f64;
        assert_eq!((figure.documents, figure.accuracy), (articles.len(), share), "{}", figure.head);
    }
    let reloaded = Model::from_bytes(&model.to_bytes().expect("encode")).expect("decode");
    assert_eq!(reloaded.meta(), model.meta());
    let card = accord::report::model_card::render(&model, std::time::Duration::from_secs(1));
    assert!(
        card.contains("| head | articles | accuracy | baseline accuracy | macro-F1 | baseline macro-F1 |"),
        "{card}"
    );
}

/// Predicts each head's most common training label: a baseline any recipe must beat.
struct MajorityLabel;

impl Baseline for MajorityLabel {
    fn describe(&self) -> String {
        "the majority label".into()
    }

    fn score(&self, train: &[&Document], test: &[&Document]) -> Result<BTreeMap<String, FoldScore>, String> {
        let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for (head, label) in train.iter().flat_map(|d| &d.labels) {
            *counts.entry(head).or_default().entry(label).or_default() += 1;
        }
        let score = |head: &str, labels: &BTreeMap<&str, usize>| {
            let majority = labels.iter().max_by_key(|(_, n)| **n).map(|(l, _)| *l).unwrap_or_default();
            let truths: Vec<&str> = test.iter().filter_map(|d| d.labels.get(head).map(String::as_str)).collect();
            let right = truths.iter().filter(|&&t| t == majority).count();
            let accuracy = right as f64 / truths.len() as f64;
            // One label predicted: its F1 is 2a / (1 + a), the others' 0.
            let macro_f1 = 2.0 * accuracy / (1.0 + accuracy) / labels.len() as f64;
            FoldScore { documents: truths.len(), accuracy, macro_f1 }
        };
        Ok(counts.iter().map(|(head, labels)| (head.to_string(), score(head, labels))).collect())
    }
}

#[test]
fn cross_validation_scores_every_fold_beside_the_baseline() {
    let corpus = small_corpus();
    let validation = Validation { folds: 3, baseline: Some(&MajorityLabel), ..Validation::default() };
    let model = accord::train_with_validation(&corpus, &validation, &quick_config(), "2026-01-01", &Silent)
        .expect("training succeeds");
    let cv = model.meta().cross_validation.as_ref().expect("cross-validation recorded");
    assert_eq!(cv.folds, 3);
    assert_eq!(cv.heads.iter().map(|h| h.head.as_str()).collect::<Vec<_>>(), ["stance", "topic"]);
    for head in &cv.heads {
        assert_eq!((head.accord.len(), head.baseline.len()), (3, 3), "{}", head.head);
        let labeled = corpus.documents.iter().filter(|d| d.labels.contains_key(&head.head)).count();
        assert_eq!(head.accord.iter().map(|s| s.documents).sum::<usize>(), labeled, "every document scored once");
        let mean = |folds: &[FoldScore]| folds.iter().map(|s| s.macro_f1).sum::<f64>() / folds.len() as f64;
        let (ours, theirs) = (mean(&head.accord), mean(&head.baseline));
        // Clearly better than always answering the majority label: 1.5 times its macro-F1
        // (each fold trains on some 600 documents with 3,000 features, so not much more).
        assert!(ours > 1.5 * theirs, "{}: macro-F1 {ours} against the majority label's {theirs}", head.head);
    }
    let single = cv.single_sentences.as_ref().expect("the single-sentence head cross-validated");
    let counted = (0..corpus.len()).filter(|&i| corpus.sentence_weights[i] > 0.0);
    let sentences = counted.filter(|&i| corpus.documents[i].labels.contains_key("stance")).count();
    for scores in [&single.accord, &single.stance_head, &single.baseline] {
        assert_eq!(scores.len(), 3);
        assert_eq!(scores.iter().map(|s| s.documents).sum::<usize>(), sentences, "each counted sentence once");
    }
    assert!(single.accord != single.stance_head, "the two heads score alike");
    let card = accord::report::model_card::render(&model, std::time::Duration::ZERO);
    assert!(card.contains("## Cross-validation") && card.contains("the majority label"), "{card}");
    assert!(card.contains("| `stance`, single sentences: single-sentence head | "), "{card}");
    assert!(card.contains(" ± "), "the card gives the spread: {card}");
}

#[test]
fn one_fold_is_refused() {
    let validation = Validation { folds: 1, ..Validation::default() };
    let error = accord::train_with_validation(&small_corpus(), &validation, &quick_config(), "2026-01-01", &Silent)
        .expect_err("one fold");
    assert!(error.to_string().contains("folds"), "{error}");
}

#[test]
fn a_single_sentence_is_answered_by_the_single_sentence_head() {
    let corpus = small_corpus();
    assert!(corpus.sentence_weights.contains(&0.0), "the shipped corpus leaves a source out of the sentence head");
    let model = train(&corpus, &quick_config(), "2026-01-01", &Silent).expect("train");
    let head = model.sentence_head().expect("a single-sentence head");
    let stance = model.heads().iter().position(|h| h.name == "stance").expect("stance head");
    assert_eq!((head.name.as_str(), &head.labels), ("stance", &model.heads()[stance].labels));
    let evaluation = model.meta().sentence_evaluation.as_ref().expect("its figures");
    assert!(evaluation.head.test_documents < model.meta().evaluation[stance].test_documents);
    assert!(evaluation.stance_head.is_some(), "the stance head on the same documents");

    let sentences = [
        "Beijing lodged a formal protest with Tokyo over the visit.",
        "The spokesman said the minister would travel to Brussels next week.",
        "The two countries signed a trade agreement on Monday.",
        "Militants attacked a border post, killing four soldiers.",
    ];
    let mut differs = false;
    for text in sentences {
        let article = accord::Article::text(text);
        let vector = model.vectorize(&article);
        let sentence_vector = model.sentence_vector(&article, &vector);
        let answer = model
            .classify(&article, &accord::Options { explain: 3, sentences: false, relations: false })
            .heads
            .swap_remove(stance);
        assert_eq!(answer.prediction, head.predict(&sentence_vector), "{text}");
        assert_eq!(
            answer.evidence.iter().map(|e| (e.index, e.weight)).collect::<Vec<_>>(),
            head.evidence(&sentence_vector, answer.prediction.best, 3)
        );
        let sentence =
            model.classify(&article, &accord::Options { explain: 0, sentences: true, relations: false }).sentences;
        assert_eq!(sentence.len(), 1);
        assert_eq!(sentence[0].label, answer.label(), "{text}: the sentence list agrees with the answer");
        differs |= model.heads()[stance].predict(&vector).probabilities != answer.prediction.probabilities;
    }
    assert!(differs, "the single-sentence head answers like the stance head");

    let joined = sentences.join(" ");
    let article = accord::Article::text(&joined);
    let rule_answer = model
        .classify(&article, &accord::Options { explain: 0, sentences: false, relations: false })
        .heads
        .swap_remove(stance);
    let mean = model.sentence_mean(&article).expect("a mean of four sentences");
    assert_eq!(mean.sentences, 4);
    let whole = model.sentence_vector(&article, &model.vectorize(&article));
    assert!(rule_answer.prediction != head.predict(&whole), "longer inputs follow the rule");

    let without = TrainConfig { sentence_head: false, ..quick_config() };
    let plain = train(&corpus, &without, "2026-01-01", &Silent).expect("train");
    assert!(plain.sentence_head().is_none() && plain.meta().sentence_evaluation.is_none());
    let copy = Model::from_bytes(&model.to_bytes().expect("encode")).expect("decode");
    assert_eq!(copy.sentence_head(), model.sentence_head(), "the model file keeps the head");
}

#[test]
fn the_single_sentence_head_learns_nothing_from_names() {
    let corpus = small_corpus();
    let weights = |model: &Model, head: &accord::model::head::LinearHead, term: &str| -> Vec<f32> {
        let index = model.vectorizer().index_of(term).unwrap_or_else(|| panic!("`{term}` is in the vocabulary"));
        head.row(index).to_vec()
    };
    let model = train(&corpus, &quick_config(), "2026-01-01", &Silent).expect("train");
    let head = model.sentence_head().expect("a single-sentence head");
    let stance = model.heads().iter().find(|h| h.name == "stance").expect("stance head");
    let (names, words) = (["china", "trump", "israel", "russia"], ["attacked", "agreement", "said"]);
    for name in names {
        assert!(weights(&model, head, name).iter().all(|&w| w == 0.0), "`{name}` weighs in the sentence head");
    }
    assert!(
        names.iter().any(|name| weights(&model, stance, name).iter().any(|&w| w != 0.0)),
        "the stance head has names"
    );
    for word in words {
        assert!(weights(&model, head, word).iter().any(|&w| w != 0.0), "`{word}` lost its weight");
    }

    let config = TrainConfig { sentence_head_without_names: false, ..quick_config() };
    let with_names = train(&corpus, &config, "2026-01-01", &Silent).expect("train");
    let head = with_names.sentence_head().expect("a single-sentence head");
    assert!(names.iter().any(|name| weights(&with_names, head, name).iter().any(|&w| w != 0.0)));
}

#[test]
fn the_single_sentence_head_reads_word_prefixes_beside_the_vocabulary() {
    let corpus = small_corpus();
    // The prefixes alone: the word-vector block, which comes after them, has its own test.
    let config = TrainConfig { sentence_head_word_vectors: 0.0, ..quick_config() };
    let model = train(&corpus, &config, "2026-01-01", &Silent).expect("train");
    let (head, prefixes) = (model.sentence_head().expect("a head"), model.sentence_prefixes().expect("prefixes"));
    let dimensions = model.vectorizer().dimensions();
    assert_eq!(prefixes.length(), 6);
    assert_eq!(head.weights.len(), (dimensions + prefixes.dimensions()) * head.labels.len());
    let attack = prefixes.index_of("attack…").expect("`attack…` is a prefix term");
    let row = head.row(dimensions as u32 + attack);
    assert!(row.iter().any(|&w| w != 0.0), "the head learned from `attack…`: {row:?}");

    // "attackers" is no vocabulary term of this slice: only its prefix speaks for it.
    let article = accord::Article::text("Attackers shelled the ministry overnight.");
    assert_eq!(model.vectorizer().index_of("attackers"), None);
    let vector = model.vectorize(&article);
    let sentence_vector = model.sentence_vector(&article, &vector);
    assert!(sentence_vector.indices.contains(&(dimensions as u32 + attack)));
    let stance = model.heads().iter().position(|h| h.name == "stance").expect("stance head");
    let answer = model
        .classify(&article, &accord::Options { explain: 50, sentences: false, relations: false })
        .heads
        .swap_remove(stance);
    assert_eq!(answer.prediction, head.predict(&sentence_vector));
    assert_ne!(answer.prediction, head.predict(&vector), "the prefixes move the answer");
    assert!(answer.evidence.iter().any(|e| e.term == "attack…" && e.index == dimensions as u32 + attack));

    let copy = Model::from_bytes(&model.to_bytes().expect("encode")).expect("decode");
    assert_eq!(copy.sentence_prefixes().map(|p| p.terms()), Some(prefixes.terms()));
    assert_eq!(
        copy.classify(&article, &accord::Options { explain: 5, sentences: false, relations: false }).heads,
        model.classify(&article, &accord::Options { explain: 5, sentences: false, relations: false }).heads,
        "the model file keeps the block"
    );

    let config = TrainConfig { sentence_head_prefixes: 0, sentence_head_word_vectors: 0.0, ..quick_config() };
    let without = train(&corpus, &config, "2026-01-01", &Silent).expect("train");
    assert!(without.sentence_prefixes().is_none());
    let head = without.sentence_head().expect("a head");
    assert_eq!(head.weights.len(), without.vectorizer().dimensions() * head.labels.len());
}

#[test]
fn the_single_sentence_head_adds_a_model_of_the_mean_word_vector() {
    let corpus = small_corpus();
    let vectors = corpus.word_vectors.clone().expect("data/ names its word vectors");
    let model = train(&corpus, &quick_config(), "2026-01-01", &Silent).expect("train");
    let head = model.sentence_head().expect("a head");
    let block = model.sentence_word_vectors().expect("a word-vector block");
    assert_eq!(block.dimensions(), vectors.words().len());
    let offset = model.vectorizer().dimensions() + model.sentence_prefixes().map_or(0, |p| p.dimensions());
    assert_eq!(head.weights.len(), (offset + block.dimensions()) * head.labels.len());
    let feature = |word: &str| {
        let index = block.terms().iter().position(|t| *t == format!("{word}≈")).expect("a word with a vector");
        (offset + index) as u32
    };
    // Words that share a vector share their weights: the block serves a model of the vector.
    assert_eq!(vectors.vector("attack"), vectors.vector("attacked"));
    assert_eq!(head.row(feature("attack")), head.row(feature("attacked")));
    assert_ne!(head.row(feature("attack")), head.row(feature("treaty")));

    // "bombarded" is in neither the vocabulary nor the prefix block: its vector speaks for it.
    let article = accord::Article::text("Artillery bombarded the garrison.");
    assert_eq!(model.vectorizer().index_of("bombarded"), None);
    assert!(model.sentence_prefixes().is_some_and(|p| p.index_of("bombar…").is_none()));
    let vector = model.vectorize(&article);
    let sentence_vector = model.sentence_vector(&article, &vector);
    assert!(sentence_vector.indices.contains(&feature("bombarded")));
    let stance = model.heads().iter().position(|h| h.name == "stance").expect("stance head");
    let answer = model
        .classify(&article, &accord::Options { explain: 500, sentences: false, relations: false })
        .heads
        .swap_remove(stance);
    assert_eq!(answer.prediction, head.predict(&sentence_vector));
    let words_cut = accord::SparseVector {
        indices: sentence_vector.indices.iter().copied().filter(|&i| (i as usize) < offset).collect(),
        values: sentence_vector.iter().filter(|&(i, _)| (i as usize) < offset).map(|(_, v)| v).collect(),
    };
    assert_ne!(answer.prediction, head.predict(&words_cut), "the word vectors move the answer");
    assert!(answer.evidence.iter().any(|e| e.term.ends_with('≈')), "{:?}", answer.evidence);

    let copy = Model::from_bytes(&model.to_bytes().expect("encode")).expect("decode");
    assert_eq!(copy.sentence_word_vectors().map(|b| b.terms()), Some(block.terms()));
    assert_eq!(
        copy.classify(&article, &accord::Options { explain: 5, sentences: false, relations: false }).heads,
        model.classify(&article, &accord::Options { explain: 5, sentences: false, relations: false }).heads,
        "the model file keeps the block"
    );

    let without_vectors = Corpus { word_vectors: None, ..corpus.clone() };
    let plain = train(&without_vectors, &quick_config(), "2026-01-01", &Silent).expect("train");
    assert!(plain.sentence_word_vectors().is_none(), "no block without word vectors in the corpus");
    assert_eq!(plain.sentence_head().expect("a head").weights.len(), offset * head.labels.len());
}
