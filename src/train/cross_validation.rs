//! K-fold cross-validation of the whole training recipe (vocabulary and heads refitted on
//! each fold's complement), optionally beside a baseline learner scored on the same folds.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::evaluation::RowOf;
use super::single_sentence::SentencePlan;
use super::{evaluate, fit_all, label_groups, Fits, Job, Observer, Prepared, Split, TrainConfig, TrainError};
use crate::model::head::LinearHead;
use crate::train::corpus::{Corpus, Document};

pub use crate::model::meta::FoldScore;

pub use crate::model::meta::HeadFolds;

pub use crate::model::meta::SentenceFolds;

pub use crate::model::meta::CrossValidation;

/// Mean and (population) standard deviation.
pub fn mean_and_spread(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let values: Vec<f64> = values.into_iter().collect();
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, variance.sqrt())
}

/// Another learner, trained and scored on the same folds for comparison.
pub trait Baseline: Sync {
    /// What it is, for the model card.
    fn describe(&self) -> String;
    /// Trains on `train` and scores every head it can on `test`, by head name.
    fn score(&self, train: &[&Document], test: &[&Document]) -> Result<BTreeMap<String, FoldScore>, String>;
}

/// Assigns each document a fold: within each group of documents with the same labels, a
/// seeded shuffle deals them out in turn, so every fold keeps the label mix.
pub fn fold_of_each(corpus: &Corpus, folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0; corpus.len()];
    // The deal goes on from group to group, so that the groups' remainders spread over the
    // folds instead of all landing in the first.
    let mut dealt = 0;
    for members in label_groups(corpus).values_mut() {
        members.shuffle(&mut rng);
        for &doc in members.iter() {
            fold[doc] = dealt % folds;
            dealt += 1;
        }
    }
    fold
}

/// Cross-validates every head, and the single-sentence head when `sentence_plan` names the
/// head it stands in for (with its weights).
pub(super) fn cross_validate(
    prepared: &Prepared,
    heads: &[String],
    sentence_plan: Option<&SentencePlan>,
    folds: usize,
    baseline: Option<&dyn Baseline>,
    config: &TrainConfig,
    observer: &dyn Observer,
) -> Result<CrossValidation, TrainError> {
    let corpus = prepared.corpus;
    let assignment = fold_of_each(corpus, folds, config.seed);
    let mut results: Vec<HeadFolds> =
        heads.iter().map(|h| HeadFolds { head: h.clone(), accord: vec![], baseline: vec![] }).collect();
    let mut single = sentence_plan.map(|plan| SentenceFolds {
        head: plan.head.to_owned(),
        accord: vec![],
        stance_head: vec![],
        baseline: vec![],
    });
    let mut jobs = Job::every_head(prepared, heads, config);
    jobs.extend(sentence_plan.map(SentencePlan::job));
    let documents = |ids: &[usize]| ids.iter().map(|&i| &corpus.documents[i]).collect::<Vec<_>>();
    for fold in 0..folds {
        let (test, train): (Vec<usize>, Vec<usize>) = (0..assignment.len()).partition(|&i| assignment[i] == fold);
        observer.step(&format!("cross-validation fold {} of {folds}", fold + 1));
        let Fits { heads: mut fitted, rows, .. } = fit_all(prepared, &jobs, &train, config, observer)?;
        let sentence_fit = fitted.split_off(heads.len()).pop();
        let (head_row, sentence_row) = (|doc| rows.head_row(doc), |doc| rows.sentence_row(prepared, doc));
        let score = |head, test: &[usize]| fold_score(prepared, head, &head_row, Split { train: &train, test });
        for (result, head) in results.iter_mut().zip(&fitted) {
            result.accord.push(score(head, &test));
        }
        if let (Some(single), Some(sentence_fit)) = (single.as_mut(), sentence_fit.as_ref()) {
            let counted: Vec<usize> = test.iter().copied().filter(|&i| corpus.sentence_weights[i] > 0.0).collect();
            let split = Split { train: &train, test: &counted };
            single.accord.push(fold_score(prepared, sentence_fit, &sentence_row, split));
            if let Some(stance) = fitted.iter().find(|h| h.name == single.head) {
                single.stance_head.push(score(stance, &counted));
            }
            if let Some(baseline) = baseline {
                observer.step(&format!("baseline on fold {} of {folds}, single sentences", fold + 1));
                let scores = baseline_scores(baseline, fold, &documents(&train), &documents(&counted))?;
                single.baseline.push(pick(&scores, &single.head, fold)?);
            }
        }
        if let Some(baseline) = baseline {
            observer.step(&format!("baseline on fold {} of {folds}", fold + 1));
            let scores = baseline_scores(baseline, fold, &documents(&train), &documents(&test))?;
            for result in &mut results {
                result.baseline.push(pick(&scores, &result.head, fold)?);
            }
        }
    }
    Ok(CrossValidation { folds, baseline: baseline.map(Baseline::describe), heads: results, single_sentences: single })
}

fn fold_score(prepared: &Prepared, head: &LinearHead, row: RowOf, split: Split) -> FoldScore {
    let evaluation = evaluate(prepared, head, row, split, false);
    FoldScore { documents: evaluation.test_documents, accuracy: evaluation.accuracy, macro_f1: evaluation.macro_f1 }
}

fn baseline_scores(
    baseline: &dyn Baseline,
    fold: usize,
    train: &[&Document],
    test: &[&Document],
) -> Result<BTreeMap<String, FoldScore>, TrainError> {
    baseline.score(train, test).map_err(|reason| TrainError::Baseline { fold: fold + 1, reason })
}

fn pick(scores: &BTreeMap<String, FoldScore>, head: &str, fold: usize) -> Result<FoldScore, TrainError> {
    scores
        .get(head)
        .copied()
        .ok_or_else(|| TrainError::Baseline { fold: fold + 1, reason: format!("no score for head `{head}`") })
}
