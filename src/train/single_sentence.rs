//! The single-sentence head: the article-stance rule's stance head fitted again with each
//! document's sentence weight, which answers inputs of one sentence (see [`crate::Model::classify`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::evaluation::{evaluate as evaluate_head, Split};
use super::{Prepared, TrainConfig};
use crate::corpus::Corpus;
use crate::head::LinearHead;
use crate::metrics::HeadEvaluation;
use crate::vectorizer::SparseVector;

/// The single-sentence head's figures on the held-out documents it counts (sentence weight
/// above 0), beside the stance head's own on the same documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceEvaluation {
    pub head: HeadEvaluation,
    /// The stance head (calibrated) on the same documents.
    pub stance_head: Option<HeadEvaluation>,
}

/// The rule's stance head, if some document carrying its label has a sentence weight other
/// than its weight (otherwise a single-sentence head would be the stance head again).
pub(super) fn sentence_head<'c>(corpus: &Corpus, config: &'c TrainConfig) -> Option<&'c str> {
    let head = config.article_stance.as_ref()?.stance_head.as_str();
    let differs =
        |i: usize| corpus.documents[i].labels.contains_key(head) && corpus.sentence_weights[i] != corpus.weights[i];
    (0..corpus.len()).any(differs).then_some(head)
}

/// `sentence_fit` and the (calibrated) head of the same name among `heads` on the documents
/// of `split` with a sentence weight above 0; `temperatures` are the heads' own.
pub(super) fn evaluate(
    prepared: &Prepared,
    sentence_fit: &LinearHead,
    heads: &[LinearHead],
    vectors: &[SparseVector],
    split: Split,
    temperatures: &BTreeMap<String, f64>,
    config: &TrainConfig,
) -> SentenceEvaluation {
    let weights = &prepared.corpus.sentence_weights;
    let counted = |docs: &[usize]| -> Vec<usize> { docs.iter().copied().filter(|&i| weights[i] > 0.0).collect() };
    let (train, test) = (counted(split.train), counted(split.test));
    let split = Split { train: &train, test: &test };
    let stance = heads.iter().find(|h| h.name == sentence_fit.name);
    SentenceEvaluation {
        head: evaluate_head(prepared, sentence_fit, vectors, split, config.calibrate),
        stance_head: stance.map(|h| HeadEvaluation {
            temperature: temperatures.get(&h.name).copied().unwrap_or(1.0),
            ..evaluate_head(prepared, h, vectors, split, false)
        }),
    }
}

/// The temperature `evaluation` chose for the single-sentence head, by the head's name.
pub(super) fn temperatures(evaluation: Option<&SentenceEvaluation>) -> BTreeMap<String, f64> {
    evaluation.iter().map(|e| (e.head.head.clone(), e.head.temperature)).collect()
}
