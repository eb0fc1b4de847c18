//! K-fold cross-validation of the whole training recipe (vocabulary and heads refitted on
//! each fold's complement), optionally beside a baseline learner scored on the same folds.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{evaluate, fit_all, label_groups, Job, Observer, Prepared, Split, TrainConfig, TrainError};
use crate::corpus::{Corpus, Document};

/// One fold's score for one head.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FoldScore {
    /// Documents of the fold that carry the head's label.
    pub documents: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
}

/// One head's scores, fold by fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadFolds {
    pub head: String,
    pub accord: Vec<FoldScore>,
    /// The baseline's scores on the same folds (empty without a baseline).
    pub baseline: Vec<FoldScore>,
}

/// What cross-validation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    pub folds: usize,
    /// What the baseline is, in a few words; `None` without one.
    pub baseline: Option<String>,
    pub heads: Vec<HeadFolds>,
}

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

pub(super) fn cross_validate(
    prepared: &Prepared,
    heads: &[String],
    folds: usize,
    baseline: Option<&dyn Baseline>,
    config: &TrainConfig,
    observer: &dyn Observer,
) -> Result<CrossValidation, TrainError> {
    let assignment = fold_of_each(prepared.corpus, folds, config.seed);
    let mut results: Vec<HeadFolds> =
        heads.iter().map(|h| HeadFolds { head: h.clone(), accord: vec![], baseline: vec![] }).collect();
    for fold in 0..folds {
        let (test, train): (Vec<usize>, Vec<usize>) = (0..assignment.len()).partition(|&i| assignment[i] == fold);
        observer.step(&format!("cross-validation fold {} of {folds}", fold + 1));
        let (vectorizer, fitted) = fit_all(prepared, &Job::every_head(prepared, heads), &train, config, observer)?;
        let vectors = prepared.vectors(&vectorizer);
        for (result, head) in results.iter_mut().zip(&fitted) {
            let evaluation = evaluate(prepared, head, &vectors, Split { train: &train, test: &test }, false);
            let score = FoldScore {
                documents: evaluation.test_documents,
                accuracy: evaluation.accuracy,
                macro_f1: evaluation.macro_f1,
            };
            result.accord.push(score);
        }
        if let Some(baseline) = baseline {
            observer.step(&format!("baseline on fold {} of {folds}", fold + 1));
            let documents = |ids: &[usize]| ids.iter().map(|&i| &prepared.corpus.documents[i]).collect::<Vec<_>>();
            let scores = baseline
                .score(&documents(&train), &documents(&test))
                .map_err(|reason| TrainError::Baseline { fold: fold + 1, reason })?;
            for result in &mut results {
                let score = scores.get(&result.head).ok_or_else(|| TrainError::Baseline {
                    fold: fold + 1,
                    reason: format!("no score for head `{}`", result.head),
                })?;
                result.baseline.push(*score);
            }
        }
    }
    Ok(CrossValidation { folds, baseline: baseline.map(Baseline::describe), heads: results })
}
