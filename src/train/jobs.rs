//! The heads' fits on one set of documents: the vocabulary fitted on them, then each job's
//! head on those documents that carry its label, all reading one set of rows.

use super::fit::{counted, fit_head, repeated_by_weight};
use super::logistic::SparseRows;
use super::prepared::FitRows;
use super::single_sentence::with_word_vector_model;
use super::{names, Observer, Prepared, TrainConfig, TrainError};
use crate::features::vectorizer::TfIdf;
use crate::features::word_prefixes::WordPrefixes;
use crate::model::head::LinearHead;

/// One head to fit: its name and how much each document counts.
pub(super) struct Job<'a> {
    pub(super) head: &'a str,
    pub(super) weights: &'a [f64],
    /// Fit without name-like terms (see `train/names.rs`).
    pub(super) without_names: bool,
    /// Fit on the word-prefix block too (see [`crate::features::word_prefixes`]).
    pub(super) with_prefixes: bool,
    /// Add a model of the mean word vector (see [`crate::features::word_vectors`]), if the corpus
    /// has word vectors.
    pub(super) with_word_vectors: bool,
}

impl<'a> Job<'a> {
    /// Every head, with the documents' weights, without names if the config says so.
    pub(super) fn every_head(prepared: &Prepared<'a>, heads: &'a [String], config: &TrainConfig) -> Vec<Self> {
        let weights = &prepared.corpus.weights;
        heads
            .iter()
            .map(|head| Job {
                head,
                weights,
                without_names: config.heads_without_names.contains(head),
                with_prefixes: false,
                with_word_vectors: false,
            })
            .collect()
    }
}

/// What [`fit_all`] gives: the vocabulary, the word-prefix block when a job reads one, each
/// job's head in job order, and the rows every head read (every document's).
pub(super) struct Fits {
    pub(super) vectorizer: TfIdf,
    pub(super) prefixes: Option<WordPrefixes>,
    pub(super) heads: Vec<LinearHead>,
    pub(super) rows: FitRows,
}

/// Fits the vocabulary (and the word-prefix block, if a job reads it) on `docs`, then each
/// job's head on those of `docs` that carry its label, in job order. Every head reads one
/// row set, each through its own columns: a head without names leaves the name-like terms'
/// columns out, and only a head with prefixes reads the word-prefix block's.
pub(super) fn fit_all(
    prepared: &Prepared,
    jobs: &[Job],
    docs: &[usize],
    config: &TrainConfig,
    observer: &dyn Observer,
) -> Result<Fits, TrainError> {
    let prefix_length = jobs.iter().any(|job| job.with_prefixes).then_some(config.sentence_head_prefixes);
    let (vectorizer, prefixes) = prepared.fit_vocabulary(docs, &config.vectorizer, prefix_length);
    let rows = prepared.rows(&vectorizer, prefixes.as_ref());
    let dimensions = vectorizer.dimensions();
    let names = jobs.iter().any(|job| job.without_names).then(|| {
        let texts = docs.iter().flat_map(|&i| {
            let document = &prepared.corpus.documents[i];
            [document.title.as_str(), document.text.as_str()]
        });
        names::name_features(texts, &prepared.tokenizer, &vectorizer)
    });
    let (store, names) = (&rows.store, names.as_deref());
    // One head after another: each head's fit spreads its labels and its passes over the
    // rows across every core already, and a head holds a copy of its rows while it fits.
    let fitted: Vec<Result<LinearHead, TrainError>> = jobs
        .iter()
        .map(|&Job { head, weights, without_names, with_prefixes, with_word_vectors }| {
            let prefixed = with_prefixes && prefixes.is_some();
            let head_dimensions = if prefixed { store.width() } else { dimensions };
            let keep = move |column: usize| match column < dimensions {
                true => !(without_names && names.is_some_and(|names| names[column])),
                false => prefixed,
            };
            let labelled: Vec<usize> = docs.iter().copied().filter(|&i| prepared.label(i, head).is_some()).collect();
            // Each document counts as many times as it is repeated (its weight in the loss).
            let (repeats, repeat_factor) = repeated_by_weight(&labelled, weights, config.seed);
            let counted = counted(&repeats);
            let (selected, labels): (Vec<u32>, Vec<&str>) =
                counted.iter().filter_map(|&(i, _)| prepared.label(i, head).map(|l| (i as u32, l))).unzip();
            let copies: Vec<f32> = counted.iter().map(|&(_, copies)| copies).collect();
            observer.step(&format!("fitting head `{head}` on {} documents", repeats.len()));
            // Repeating every document `repeat_factor` times over scales the loss by it;
            // the penalty must scale alike for the optimum to stay the weighted one.
            let fit_config = TrainConfig { l2: config.l2(head) * repeat_factor as f32, ..config.clone() };
            let learner = config.learner(head);
            let rows = SparseRows::select(store, selected, keep);
            let fitted = fit_head(head, &rows, &copies, &labels, head_dimensions, learner, &fit_config)?.head;
            if !with_word_vectors {
                return Ok(fitted);
            }
            with_word_vector_model(prepared, fitted, &counted, &labels, repeat_factor, config)
        })
        .collect();
    let heads = fitted.into_iter().collect::<Result<_, _>>()?;
    Ok(Fits { vectorizer, prefixes, heads, rows })
}
