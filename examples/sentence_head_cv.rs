//! The single-sentence stance head on one source's sentences, cross-validated over folds
//! that are the same for every corpus given, so that corpora differing in what else trains
//! the head (a new source, another `sentence_weight`) are compared on the same sentences.
//! The card's cross-validated rows cannot do that: they score every document with a
//! sentence weight above 0, so a new source is also in what they score.
//!
//! `cargo run --release --example sentence_head_cv -- SOURCE FOLDS CORPUS_DIR...`
//! e.g. `multi-coped 5 data /tmp/corpus-with-new-rows`
//!
//! For each fold, trains on the whole corpus without that fold's sentences of SOURCE (dealt
//! out in turn within each label, in file order), answers each of them as a one-sentence
//! input and prints, per corpus, the mean ± standard deviation over the folds of the
//! 3-class macro-F1, the accuracy and the cooperation-vs-tension macro-F1 (on the sentences
//! labeled either, predicted by the larger of the two).

use std::collections::BTreeMap;
use std::path::PathBuf;

use accord::train::Silent;
use accord::{Article, Corpus, Options, TrainConfig};

const HEAD: &str = "stance";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, folds, corpora @ ..] = args.as_slice() else {
        return Err("usage: sentence_head_cv SOURCE FOLDS CORPUS_DIR...".into());
    };
    let folds: usize = folds.parse()?;
    if folds < 2 || corpora.is_empty() {
        return Err("FOLDS must be 2 or more, and at least one CORPUS_DIR".into());
    }
    for directory in corpora {
        let corpus = Corpus::load(&[PathBuf::from(directory)])?;
        let assignment = deal(&corpus, source, folds);
        let mut scores = Vec::new();
        for fold in 0..folds {
            scores.push(score_fold(&corpus, &assignment, fold)?);
        }
        let spread = |pick: fn(&Scores) -> f64| summary(scores.iter().map(pick));
        println!(
            "{directory}: {} sentences of `{source}`; macro-F1 {}, accuracy {}, cooperation-vs-tension macro-F1 {}",
            assignment.values().count(),
            spread(|s| s.macro_f1),
            spread(|s| s.accuracy),
            spread(|s| s.binary_f1),
        );
    }
    Ok(())
}

/// The fold of each stance-labeled document of `source`, by its index in the corpus.
fn deal(corpus: &Corpus, source: &str, folds: usize) -> BTreeMap<usize, usize> {
    let mut dealt: BTreeMap<&str, usize> = BTreeMap::new();
    let mut assignment = BTreeMap::new();
    for (index, document) in corpus.documents.iter().enumerate() {
        let Some(label) = document.labels.get(HEAD) else { continue };
        if corpus.sources[index] == source {
            let count = dealt.entry(label).or_default();
            assignment.insert(index, *count % folds);
            *count += 1;
        }
    }
    assignment
}

struct Scores {
    macro_f1: f64,
    accuracy: f64,
    binary_f1: f64,
}

fn score_fold(corpus: &Corpus, assignment: &BTreeMap<usize, usize>, fold: usize) -> Result<Scores, accord::TrainError> {
    let held_out = |index: usize| assignment.get(&index) == Some(&fold);
    let keep: Vec<usize> = (0..corpus.len()).filter(|&i| !held_out(i)).collect();
    let training = Corpus {
        documents: keep.iter().map(|&i| corpus.documents[i].clone()).collect(),
        sources: keep.iter().map(|&i| corpus.sources[i].clone()).collect(),
        weights: keep.iter().map(|&i| corpus.weights[i]).collect(),
        sentence_weights: keep.iter().map(|&i| corpus.sentence_weights[i]).collect(),
        word_vectors: corpus.word_vectors.clone(),
        actors: corpus.actors.clone(),
    };
    let config = TrainConfig { refit_on_all: false, test_fraction: 0.05, ..TrainConfig::default() };
    let model = accord::train(&training, &config, "2026-12-07", &Silent)?;
    let options = Options { explain: 0, sentences: false, relations: false };
    let mut pairs = Vec::new();
    for (&index, _) in assignment.iter().filter(|(_, &f)| f == fold) {
        let document = &corpus.documents[index];
        let classification = model.classify(&Article::text(&document.text), &options);
        let Some(result) = classification.heads.iter().find(|h| h.head == HEAD) else { continue };
        let binary = binary_label(result.labels, &result.prediction.probabilities);
        pairs.push((document.labels[HEAD].clone(), result.label().to_owned(), binary));
    }
    let three: Vec<(&str, &str)> = pairs.iter().map(|(t, p, _)| (t.as_str(), p.as_str())).collect();
    let two: Vec<(&str, &str)> =
        pairs.iter().filter(|(t, _, _)| t != "neutral").map(|(t, _, b)| (t.as_str(), b.as_str())).collect();
    Ok(Scores {
        macro_f1: macro_f1(&three),
        accuracy: three.iter().filter(|(t, p)| t == p).count() as f64 / three.len().max(1) as f64,
        binary_f1: macro_f1(&two),
    })
}

/// Cooperation or tension, whichever is likelier.
fn binary_label(labels: &[String], probabilities: &[f32]) -> String {
    let p = |name: &str| labels.iter().position(|l| l == name).map_or(0.0, |i| probabilities[i]);
    if p("tension") > p("cooperation") { "tension" } else { "cooperation" }.to_owned()
}

/// Macro-F1 over the true labels present.
fn macro_f1(pairs: &[(&str, &str)]) -> f64 {
    let labels: std::collections::BTreeSet<&str> = pairs.iter().map(|(t, _)| *t).collect();
    let f1 = |label: &str| {
        let tp = pairs.iter().filter(|(t, p)| *t == label && *p == label).count() as f64;
        let predicted = pairs.iter().filter(|(_, p)| *p == label).count() as f64;
        let actual = pairs.iter().filter(|(t, _)| *t == label).count() as f64;
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (predicted + actual)
        }
    };
    labels.iter().map(|l| f1(l)).sum::<f64>() / labels.len().max(1) as f64
}

fn summary(values: impl Iterator<Item = f64>) -> String {
    let values: Vec<f64> = values.collect();
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let spread = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len().max(1) as f64).sqrt();
    format!("{mean:.4} ± {spread:.4}")
}
