//! One head fitted on its sparse rows (see [`super::logistic`]), and the fitted weights
//! scattered back into the sparse vocabulary that serving uses.

use linfa::prelude::*;
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::logistic::{
    FittedSparseLogistic, LogisticError, SparseDataset, SparseLogisticRegression, SparseRows,
    ValidSparseLogisticRegression, PARALLEL_FROM_ROWS,
};
use super::{TrainConfig, TrainError};
use crate::model::head::LinearHead;

pub use crate::model::meta::Learner;

impl Learner {
    /// The name used on the command line and in the model card.
    pub fn name(self) -> &'static str {
        match self {
            Learner::Multinomial => "multinomial",
            Learner::NaiveBayesOneVsRest => "nb-one-vs-rest",
            Learner::NaiveBayesPlusPlain => "nb-plus-plain",
        }
    }

    /// The learner with this [`name`](Self::name), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [Learner::Multinomial, Learner::NaiveBayesOneVsRest, Learner::NaiveBayesPlusPlain]
            .into_iter()
            .find(|l| l.name() == name)
    }
}

/// Why a head could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The logistic regression refused its settings or did not fit.
    #[error(transparent)]
    Logistic(#[from] LogisticError),
}

/// The models a head was made from, kept so that the unit tests can compare the head with
/// them (only they read it).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Members {
    /// One multinomial model.
    Multinomial(FittedSparseLogistic),
    /// One binary model per label, in label order, fitted to the log-odds of the label.
    OneVsRest(Vec<FittedSparseLogistic>),
    /// Per label, NB-LR's binary models and the plain ones (without a scaling).
    Ensemble { naive_bayes: Vec<FittedSparseLogistic>, plain: Vec<FittedSparseLogistic> },
}

/// A fitted head together with the models it was made from (read by the unit tests).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct HeadFit<'a> {
    /// The head, weights scattered over the whole vocabulary.
    pub head: LinearHead,
    /// The models it was made from.
    pub members: Members,
    /// The training rows over the columns the head was fitted on.
    pub rows: SparseRows<'a>,
}

/// Fits one head with `learner` on the capped feature set of `rows` (one per document, on the
/// columns the head may read, numbered over `dimensions`); `weights` are the rows' weights in
/// the loss (how many times each counts).
pub(crate) fn fit_head<'a>(
    name: &str,
    rows: &SparseRows<'a>,
    weights: &[f32],
    labels: &[&str],
    dimensions: usize,
    learner: Learner,
    config: &TrainConfig,
) -> Result<HeadFit<'a>, TrainError> {
    let mut label_names: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    label_names.sort();
    label_names.dedup();
    if label_names.len() < 2 {
        return Err(TrainError::TooFewLabels { head: name.into(), labels: label_names.len() });
    }
    let columns = select_columns(rows, weights, config.head_features);
    let targets: Array1<usize> = labels.iter().map(|l| label_names.iter().position(|n| n == l).unwrap_or(0)).collect();
    let dataset = DatasetBase::new(rows.restricted(&columns), targets).with_weights(Array1::from(weights.to_vec()));
    let fail = |source: LogisticError| TrainError::Fit { head: name.into(), source: source.into() };
    let labels = label_names.len();
    let settings = Settings { l2: f64::from(config.l2), max_iterations: config.max_iterations, labels };
    let (weights, bias, members) = match learner {
        Learner::Multinomial => {
            let model = settings.multinomial().check().and_then(|p| p.fit(&dataset)).map_err(fail)?;
            let bias = model.intercepts.to_vec();
            (model.weights.clone(), bias, Members::Multinomial(model))
        }
        Learner::NaiveBayesOneVsRest => {
            let models = one_vs_rest(&dataset, settings, Scaling::NaiveBayes).map_err(fail)?;
            let (weights, bias) = one_vs_rest_weights(&models, dataset.records().width());
            (weights, bias, Members::OneVsRest(models))
        }
        Learner::NaiveBayesPlusPlain => {
            let naive_bayes = one_vs_rest(&dataset, settings, Scaling::NaiveBayes).map_err(fail)?;
            let plain = one_vs_rest(&dataset, settings, Scaling::None).map_err(fail)?;
            let (nb_weights, nb_bias) = one_vs_rest_weights(&naive_bayes, dataset.records().width());
            let (plain_weights, plain_bias) = one_vs_rest_weights(&plain, dataset.records().width());
            let bias = nb_bias.iter().zip(&plain_bias).map(|(a, b)| a + b).collect();
            (nb_weights + plain_weights, bias, Members::Ensemble { naive_bayes, plain })
        }
    };
    let head = scatter(name, label_names, &weights, &bias, &columns, dimensions);
    Ok(HeadFit { head, members, rows: dataset.records })
}

/// What every model of one head shares.
#[derive(Clone, Copy)]
struct Settings {
    l2: f64,
    max_iterations: u64,
    labels: usize,
}

impl Settings {
    fn multinomial(self) -> SparseLogisticRegression {
        SparseLogisticRegression::multinomial(self.labels).l2(self.l2).max_iterations(self.max_iterations)
    }

    fn binary(self, positive: usize) -> SparseLogisticRegression {
        SparseLogisticRegression::binary(positive, self.labels).l2(self.l2).max_iterations(self.max_iterations)
    }
}

/// A multinomial logistic regression on `rows` (`targets` are label positions, `weights`
/// each row's weight): its weights, one row of `labels` values per column, row-major, and
/// its bias per label.
pub(crate) fn fit_multinomial(
    rows: SparseRows<'_>,
    targets: Array1<usize>,
    weights: Array1<f32>,
    labels: usize,
    l2: f32,
    max_iterations: u64,
) -> Result<(Vec<f32>, Vec<f32>), FitError> {
    let dataset = DatasetBase::new(rows, targets).with_weights(weights);
    let settings = Settings { l2: f64::from(l2), max_iterations, labels };
    let model = settings.multinomial().check()?.fit(&dataset)?;
    let weights = model.weights.iter().map(|&w| w as f32).collect();
    Ok((weights, model.intercepts.iter().map(|&b| b as f32).collect()))
}

/// The `cap` columns that occur in the most rows, each row counted by its weight (ties:
/// lower index), ascending.
fn select_columns(rows: &SparseRows, weights: &[f32], cap: usize) -> Vec<u32> {
    let mut frequency = vec![0.0f64; rows.width()];
    for (r, &weight) in weights.iter().enumerate().take(rows.len()) {
        rows.row(r).for_each(|(i, _)| frequency[i as usize] += f64::from(weight));
    }
    let mut present: Vec<u32> = (0..rows.width() as u32).filter(|&i| frequency[i as usize] > 0.0).collect();
    present.sort_by(|a, b| frequency[*b as usize].total_cmp(&frequency[*a as usize]).then(a.cmp(b)));
    present.truncate(cap);
    present.sort_unstable();
    present
}

/// The naive-Bayes log-count ratio of each column for rows with `positive` set against the
/// others: log of the smoothed share of positive rows holding the feature over the same share
/// among negative rows, each row counted by its weight (1 without weights).
pub(crate) fn log_count_ratio(rows: &SparseRows, weights: Option<&[f32]>, positive: &[bool]) -> Vec<f32> {
    let mut counts = [vec![1.0f64; rows.width()], vec![1.0f64; rows.width()]];
    for (r, &is_positive) in positive.iter().enumerate().take(rows.len()) {
        let weight = weights.map_or(1.0, |w| f64::from(w[r]));
        let count = &mut counts[usize::from(is_positive)];
        rows.row(r).filter(|&(_, v)| v != 0.0).for_each(|(c, _)| count[c as usize] += weight);
    }
    let [negative_counts, positive_counts] = counts;
    let (positive_total, negative_total) = (positive_counts.iter().sum::<f64>(), negative_counts.iter().sum::<f64>());
    positive_counts
        .iter()
        .zip(&negative_counts)
        .map(|(p, n)| ((p / positive_total) / (n / negative_total)).ln() as f32)
        .collect()
}

/// How a label's binary model sees the features.
#[derive(Clone, Copy)]
enum Scaling {
    /// Each column times its naive-Bayes log-count ratio for the label.
    NaiveBayes,
    /// As they are.
    None,
}

/// One binary model per label. Rows enough for a fit to spread its passes over every core:
/// the labels side by side, each evaluation one pass over the rows for all of them
/// ([`ValidSparseLogisticRegression::fit_binary_together`]). Fewer: each label fitted on its
/// own, the labels side by side on rayon's pool. Each label's fit is the same either way.
fn one_vs_rest(
    dataset: &SparseDataset,
    settings: Settings,
    scaling: Scaling,
) -> Result<Vec<FittedSparseLogistic>, LogisticError> {
    let model = |label| binary_model(dataset, settings, label, scaling);
    match dataset.records().len() >= PARALLEL_FROM_ROWS {
        true => {
            let models = (0..settings.labels).map(model).collect::<Result<Vec<_>, _>>()?;
            ValidSparseLogisticRegression::fit_binary_together(&models, dataset)
        }
        false => (0..settings.labels).into_par_iter().map(|label| model(label)?.fit(dataset)).collect(),
    }
}

/// Label `label`'s binary model against the others, its columns scaled as `scaling` says.
fn binary_model(
    dataset: &SparseDataset,
    settings: Settings,
    label: usize,
    scaling: Scaling,
) -> Result<ValidSparseLogisticRegression, LogisticError> {
    let params = settings.binary(label);
    let params = match scaling {
        Scaling::NaiveBayes => {
            let positive: Vec<bool> = dataset.targets().iter().map(|&t| t == label).collect();
            params.column_scaling(log_count_ratio(dataset.records(), dataset.weights(), &positive))
        }
        Scaling::None => params,
    };
    params.check()
}

/// The binary models as one linear head: each label's weights times its feature scaling, and
/// its decision score (log-odds of the label) as the label's score.
fn one_vs_rest_weights(models: &[FittedSparseLogistic], columns: usize) -> (Array2<f64>, Vec<f64>) {
    let mut weights = Array2::zeros((columns, models.len()));
    for (label, model) in models.iter().enumerate() {
        let scaling = |c: usize| model.scaling.as_ref().map_or(1.0, |s| f64::from(s[c]));
        for (c, cell) in weights.column_mut(label).iter_mut().enumerate() {
            *cell = model.weights[(c, 0)] * scaling(c);
        }
    }
    (weights, models.iter().map(|m| m.intercepts[0]).collect())
}

fn scatter(
    name: &str,
    labels: Vec<String>,
    weights: &Array2<f64>,
    bias: &[f64],
    columns: &[u32],
    dimensions: usize,
) -> LinearHead {
    let k = labels.len();
    let mut sparse = vec![0.0f32; dimensions * k];
    for (p, &feature) in columns.iter().enumerate() {
        for label in 0..k {
            sparse[feature as usize * k + label] = weights[(p, label)] as f32;
        }
    }
    let bias = bias.iter().map(|&b| b as f32).collect();
    LinearHead { name: name.into(), labels, weights: sparse, bias }
}

/// A run of repeats of one document (as [`repeated_by_weight`] lays them out) as the
/// document and its number of copies, in order.
pub(super) fn counted(repeats: &[usize]) -> Vec<(usize, f32)> {
    let mut counted: Vec<(usize, f32)> = Vec::new();
    for &doc in repeats {
        match counted.last_mut() {
            Some((last, copies)) if *last == doc => *copies += 1.0,
            _ => counted.push((doc, 1.0)),
        }
    }
    counted
}

/// The most a document is repeated to stand for the lightest weight.
const MAX_REPEAT_FACTOR: f64 = 10.0;

/// linfa's learners take no sample weights, so weighting is done on the rows themselves:
/// every weight is multiplied by a factor that makes the lightest positive weight count once
/// (at most [`MAX_REPEAT_FACTOR`]; 1 when no weight is below 1), and each document appears
/// `floor(w)` times that, plus once more with probability `fract(w)`, drawn from a generator
/// seeded by `seed`. Returns the rows and the factor, by which the caller scales the L2
/// penalty so that the optimum is the weighted loss's.
pub(super) fn repeated_by_weight(docs: &[usize], weights: &[f64], seed: u64) -> (Vec<usize>, f64) {
    let weight = |doc: usize| weights.get(doc).copied().unwrap_or(1.0);
    let lightest = docs.iter().map(|&d| weight(d)).filter(|&w| w > 0.0).fold(1.0, f64::min);
    let factor = (1.0 / lightest).min(MAX_REPEAT_FACTOR);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = Vec::with_capacity(docs.len());
    for &doc in docs {
        // Rounded first, so that 0.2 x 5 is one copy and not one plus a coin toss.
        let scaled = (weight(doc) * factor * 1e9).round() / 1e9;
        let copies = scaled.floor() as usize + usize::from(rng.gen::<f64>() < scaled.fract());
        rows.extend(std::iter::repeat_n(doc, copies));
    }
    (rows, factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_repeat_and_drop_rows() {
        let docs: Vec<usize> = (0..4).collect();
        assert_eq!(repeated_by_weight(&docs, &[0.0, 1.0, 2.0, 3.0], 1), (vec![1, 2, 2, 3, 3, 3], 1.0));
        // The lightest weight counts once, the rest in proportion.
        assert_eq!(repeated_by_weight(&docs, &[0.2, 1.0, 0.2, 0.4], 1), (vec![0, 1, 1, 1, 1, 1, 2, 3, 3], 5.0));
    }

    #[test]
    fn fractional_repeats_are_drawn_from_the_seed() {
        let many: Vec<usize> = (0..10_000).collect();
        let mut weights = vec![0.25; 10_000];
        weights[0] = 0.1;
        let (rows, factor) = repeated_by_weight(&many, &weights, 7);
        assert_eq!(factor, 10.0);
        assert!((24_500..25_500).contains(&rows.len()), "{} rows for 9,999 documents at 2.5 copies", rows.len());
        assert_eq!(rows, repeated_by_weight(&many, &weights, 7).0, "the same seed must give the same rows");
        assert!(repeated_by_weight(&many, &[0.01; 10_000], 7).1 == MAX_REPEAT_FACTOR);
    }
}
