//! A fitted head's figures on the documents it did not train on.

use super::{cross_fitted, top_probabilities, Prepared};
use crate::features::vectorizer::SparseVector;
use crate::model::head::{argmax, LinearHead};
use crate::train::scores::{calibration_error, Confusion, HeadEvaluation};

/// The documents a head was fitted on and those it is scored on.
#[derive(Clone, Copy)]
pub(super) struct Split<'a> {
    pub(super) train: &'a [usize],
    pub(super) test: &'a [usize],
}

/// A document's row, by its index, as a head reads it.
pub(super) type RowOf<'a> = &'a dyn Fn(usize) -> SparseVector;

/// The head's figures on the split's test documents, each read by `row`; with `calibrate`,
/// also the temperature chosen on them and the cross-fitted calibration error (see
/// [`super::calibration`]).
pub(super) fn evaluate(
    prepared: &Prepared,
    head: &LinearHead,
    row: RowOf,
    split: Split,
    calibrate: bool,
) -> HeadEvaluation {
    let labelled = |docs: &[usize]| docs.iter().filter(|&&i| prepared.label(i, &head.name).is_some()).count();
    let scored: Vec<(Vec<f32>, usize)> = split
        .test
        .iter()
        .filter_map(|&i| {
            let truth = prepared.label(i, &head.name)?;
            Some((head.logits(&row(i)), head.labels.iter().position(|l| l == truth)?))
        })
        .collect();
    let confusion = Confusion::from_pairs(head.labels.len(), scored.iter().map(|(s, truth)| (*truth, argmax(s))));
    let (temperature, calibration) =
        if calibrate { cross_fitted(&scored) } else { (1.0, calibration_error(&top_probabilities(&scored, 1.0))) };
    HeadEvaluation {
        head: head.name.clone(),
        labels: head.labels.clone(),
        train_documents: labelled(split.train),
        test_documents: labelled(split.test),
        accuracy: confusion.accuracy(),
        macro_f1: confusion.macro_f1(),
        confusion: confusion.counts,
        calibration_error: calibration,
        temperature,
    }
}
