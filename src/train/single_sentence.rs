//! The single-sentence head: the article-stance rule's stance head fitted again with each
//! document's sentence weight, which answers inputs of one sentence (see [`crate::Model::classify`]).

use std::collections::BTreeMap;

use ndarray::Array1;

use super::evaluation::{evaluate as evaluate_head, RowOf, Split};
use super::fit::fit_multinomial;
use super::logistic::SparseRows;
use super::{Job, Prepared, TrainConfig, TrainError};
use crate::model::head::LinearHead;
use crate::train::corpus::Corpus;
use crate::train::scores::HeadEvaluation;

pub use crate::model::meta::SentenceEvaluation;

/// The single-sentence head to fit: its name, and each document's weight in its fit.
pub(super) struct SentencePlan<'c> {
    pub head: &'c str,
    pub weights: Vec<f64>,
    pub without_names: bool,
    pub with_prefixes: bool,
}

impl SentencePlan<'_> {
    /// The fit that makes the head.
    pub fn job(&self) -> Job<'_> {
        Job {
            head: self.head,
            weights: &self.weights,
            without_names: self.without_names,
            with_prefixes: self.with_prefixes,
            with_word_vectors: true,
        }
    }
}

/// The plan for the rule's stance head, if some document carrying its label has a sentence
/// weight other than its weight (otherwise a single-sentence head would be the stance head
/// again).
pub(super) fn sentence_plan<'c>(corpus: &Corpus, config: &'c TrainConfig) -> Option<SentencePlan<'c>> {
    let head = config.article_stance.as_ref()?.stance_head.as_str();
    let differs =
        |i: usize| corpus.documents[i].labels.contains_key(head) && corpus.sentence_weights[i] != corpus.weights[i];
    (0..corpus.len()).any(differs).then(|| SentencePlan {
        head,
        weights: fit_weights(corpus, head, config),
        without_names: config.sentence_head_without_names,
        with_prefixes: config.sentence_head_prefixes > 0,
    })
}

/// Iterations of the word-vector model's fit: it has a few dozen weights per label, and
/// converges long before this.
const WORD_VECTOR_ITERATIONS: u64 = 300;

/// `head`, fitted on the documents `rows` (each with its number of copies; repeated by
/// weight, `repeat_factor` times over) with `labels`, widened by the word-vector block (see
/// [`crate::features::word_vectors`]): a multinomial logistic regression on the same rows'
/// mean word vectors, whose scores, times `config.sentence_head_word_vectors`, are added to
/// the head's. Unchanged when the corpus has no word vectors or the head reads none.
pub(super) fn with_word_vector_model(
    prepared: &Prepared,
    mut head: LinearHead,
    rows: &[(usize, f32)],
    labels: &[&str],
    repeat_factor: f64,
    config: &TrainConfig,
) -> Result<LinearHead, TrainError> {
    let (Some(vectors), Some(_)) = (&prepared.corpus.word_vectors, &prepared.word_block) else { return Ok(head) };
    let dimensions = vectors.dimensions();
    let means: Vec<Vec<f32>> = rows.iter().map(|&(doc, _)| prepared.mean_vector(doc)).collect();
    let means = SparseRows::from_dense(means.iter().map(Vec::as_slice), dimensions);
    let copies: Array1<f32> = rows.iter().map(|&(_, copies)| copies).collect();
    let targets: Array1<usize> =
        labels.iter().map(|label| head.labels.iter().position(|l| l == label).unwrap_or(0)).collect();
    let l2 = config.word_vectors_l2 * repeat_factor as f32;
    let fail = |source| TrainError::Fit { head: head.name.clone(), source };
    let (weights, bias) =
        fit_multinomial(means, targets, copies, head.label_count(), l2, WORD_VECTOR_ITERATIONS).map_err(fail)?;
    let scale = config.sentence_head_word_vectors;
    head.weights.extend(vectors.fold(&weights, head.label_count(), scale));
    head.bias.iter_mut().zip(bias).for_each(|(b, extra)| *b += scale * extra);
    Ok(head)
}

/// Each document's sentence weight, times, when `config.balance_sentence_labels`, the
/// total weight of the documents labeled for `head` over (labels × its own label's total),
/// so that every label weighs the same in the fit. The totals are the whole corpus's, as
/// the sources' weights are, in every fit (held-out split, refit and cross-validation folds).
fn fit_weights(corpus: &Corpus, head: &str, config: &TrainConfig) -> Vec<f64> {
    let mut weights = corpus.sentence_weights.clone();
    if !config.balance_sentence_labels {
        return weights;
    }
    let label = |i: usize| corpus.documents[i].labels.get(head);
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, &weight) in weights.iter().enumerate() {
        if let Some(label) = label(i) {
            *totals.entry(label.as_str()).or_default() += weight;
        }
    }
    let total: f64 = totals.values().sum();
    let labels = totals.values().filter(|&&t| t > 0.0).count() as f64;
    for (i, weight) in weights.iter_mut().enumerate() {
        if let Some(&own) = label(i).and_then(|l| totals.get(l.as_str())).filter(|&&t| t > 0.0) {
            *weight *= total / (labels * own);
        }
    }
    weights
}

/// `sentence_fit` and the (calibrated) head of the same name among `heads` on the documents
/// of `split` with a sentence weight above 0; `temperatures` are the heads' own. `rows` read
/// a document's row as the heads read it, then as the single-sentence head does (with the
/// word-prefix and word-vector blocks).
pub(super) fn evaluate(
    prepared: &Prepared,
    sentence_fit: &LinearHead,
    heads: &[LinearHead],
    [head_row, sentence_row]: [RowOf; 2],
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
        head: evaluate_head(prepared, sentence_fit, sentence_row, split, config.calibrate),
        stance_head: stance.map(|h| HeadEvaluation {
            temperature: temperatures.get(&h.name).copied().unwrap_or(1.0),
            ..evaluate_head(prepared, h, head_row, split, false)
        }),
    }
}

/// The temperature `evaluation` chose for the single-sentence head, by the head's name.
pub(super) fn temperatures(evaluation: Option<&SentenceEvaluation>) -> BTreeMap<String, f64> {
    evaluation.iter().map(|e| (e.head.head.clone(), e.head.temperature)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::corpus::Document;

    /// Documents labeled `stance` (or `topic` for "sports") with the given sentence weights.
    fn corpus(labeled: &[(&str, f64)]) -> Corpus {
        let mut corpus = Corpus::default();
        for (i, &(label, sentence_weight)) in labeled.iter().enumerate() {
            let head = if label == "sports" { "topic" } else { "stance" };
            let labels = BTreeMap::from([(head.to_owned(), label.to_owned())]);
            corpus.documents.push(Document { id: i.to_string(), title: String::new(), text: "x".into(), labels });
            corpus.sources.push("s".into());
            corpus.weights.push(1.0);
            corpus.sentence_weights.push(sentence_weight);
        }
        corpus
    }

    #[test]
    fn balanced_sentence_weights_give_every_label_the_same_total() {
        let corpus = corpus(&[
            ("cooperation", 1.0),
            ("cooperation", 1.0),
            ("cooperation", 1.0),
            ("tension", 1.0),
            ("neutral", 0.5),
            ("neutral", 0.0),
            ("sports", 1.0),
        ]);
        let weights = fit_weights(&corpus, "stance", &TrainConfig::default());
        let total = |label: &str| -> f64 {
            (0..corpus.len())
                .filter(|&i| corpus.documents[i].labels.get("stance").is_some_and(|l| l == label))
                .map(|i| weights[i])
                .sum()
        };
        // 4.5 in all over three labels: each label's documents sum to 1.5.
        for label in ["cooperation", "tension", "neutral"] {
            assert!((total(label) - 1.5).abs() < 1e-12, "{label}: {}", total(label));
        }
        assert_eq!(weights[5], 0.0, "a document left out stays out");
        assert_eq!(weights[6], 1.0, "a document without the head keeps its weight");

        let unbalanced = TrainConfig { balance_sentence_labels: false, ..TrainConfig::default() };
        assert_eq!(fit_weights(&corpus, "stance", &unbalanced), corpus.sentence_weights);
    }
}
