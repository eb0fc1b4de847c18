//! The heads fitted on the training split, scored on the held-out split and calibrated
//! there; and, when the recipe asks for it, fitted again on every document with the
//! temperatures the held-out split chose.

use std::collections::BTreeMap;

use super::evaluation::{evaluate, Split};
use super::jobs::{fit_all, Fits, Job};
use super::{calibration, single_sentence, Observer, Prepared, TrainConfig, TrainError};
use crate::features::vectorizer::TfIdf;
use crate::features::word_prefixes::WordPrefixes;
use crate::model::head::LinearHead;
use crate::model::meta::{HeadEvaluation, SentenceEvaluation};

/// The fitted parts a model is built from.
pub(super) struct Fitted {
    pub(super) vectorizer: TfIdf,
    pub(super) prefixes: Option<WordPrefixes>,
    /// The article heads, in the order of the corpus's heads.
    pub(super) heads: Vec<LinearHead>,
    /// The single-sentence head, if the recipe has one.
    pub(super) sentence_head: Option<LinearHead>,
}

/// Each head's calibration temperature, by head name: the article heads' and the
/// single-sentence head's.
pub(super) struct Temperatures {
    heads: BTreeMap<String, f64>,
    sentence: BTreeMap<String, f64>,
}

/// The fit on the training split and its figures on the held-out split.
pub(super) struct SplitFit {
    /// Calibrated with [`Self::temperatures`].
    pub(super) fitted: Fitted,
    pub(super) evaluation: Vec<HeadEvaluation>,
    pub(super) sentence_evaluation: Option<SentenceEvaluation>,
    pub(super) temperatures: Temperatures,
}

/// Fits `jobs` (the `head_count` article heads, then the single-sentence head if any) on
/// the documents not `held_out`, scores them on the held-out ones, and calibrates them with
/// the temperatures chosen there.
pub(super) fn fit_and_evaluate(
    prepared: &Prepared,
    jobs: &[Job],
    head_count: usize,
    held_out: &[bool],
    config: &TrainConfig,
    observer: &dyn Observer,
) -> Result<SplitFit, TrainError> {
    let train_docs: Vec<usize> = (0..held_out.len()).filter(|&i| !held_out[i]).collect();
    let test_docs: Vec<usize> = (0..held_out.len()).filter(|&i| held_out[i]).collect();
    observer.step("fitting on the training split");
    let Fits { vectorizer, prefixes, heads: mut fitted, rows } =
        fit_all(prepared, jobs, &train_docs, config, observer)?;
    let mut sentence_fit = fitted.split_off(head_count).pop();
    observer.step("evaluating on the held-out split");
    let split = Split { train: &train_docs, test: &test_docs };
    let head_row = |doc| rows.head_row(doc);
    let evaluation: Vec<HeadEvaluation> =
        fitted.iter().map(|head| evaluate(prepared, head, &head_row, split, config.calibrate)).collect();
    let heads: BTreeMap<String, f64> = evaluation.iter().map(|e| (e.head.clone(), e.temperature)).collect();
    calibration::apply(&mut fitted, &heads);
    let sentence_row = |doc| rows.sentence_row(prepared, doc);
    let sentence_evaluation = sentence_fit.as_ref().map(|fit| {
        single_sentence::evaluate(prepared, fit, &fitted, [&head_row, &sentence_row], split, &heads, config)
    });
    drop(rows);
    let sentence = single_sentence::temperatures(sentence_evaluation.as_ref());
    calibration::apply(sentence_fit.as_mut_slice(), &sentence);
    Ok(SplitFit {
        fitted: Fitted { vectorizer, prefixes, heads: fitted, sentence_head: sentence_fit },
        evaluation,
        sentence_evaluation,
        temperatures: Temperatures { heads, sentence },
    })
}

/// `jobs` fitted again on every document, calibrated with the held-out split's
/// `temperatures`.
pub(super) fn refit_on_all(
    prepared: &Prepared,
    jobs: &[Job],
    head_count: usize,
    temperatures: &Temperatures,
    config: &TrainConfig,
    observer: &dyn Observer,
) -> Result<Fitted, TrainError> {
    observer.step("refitting on all documents");
    let all: Vec<usize> = (0..prepared.corpus.len()).collect();
    let Fits { vectorizer, prefixes, heads: mut fitted, .. } = fit_all(prepared, jobs, &all, config, observer)?;
    let mut sentence_head = fitted.split_off(head_count).pop();
    calibration::apply(&mut fitted, &temperatures.heads);
    calibration::apply(sentence_head.as_mut_slice(), &temperatures.sentence);
    Ok(Fitted { vectorizer, prefixes, heads: fitted, sentence_head })
}
