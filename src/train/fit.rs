//! One head fitted with linfa: the training rows' coordinates in the span of the rows (see
//! [`super::row_space`]), which linfa fits on densely, and the fitted weights scattered back
//! into the sparse vocabulary that serving uses.

use linfa::prelude::*;
use linfa_logistic::{
    FittedLogisticRegression, LogisticRegression, MultiFittedLogisticRegression, MultiLogisticRegression,
};
use ndarray::{Array1, Array2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::row_space::{DistinctRows, NotFactorable, RowSpace};
use super::{TrainConfig, TrainError};
use crate::features::vectorizer::SparseVector;
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

    pub fn from_name(name: &str) -> Option<Self> {
        [Learner::Multinomial, Learner::NaiveBayesOneVsRest, Learner::NaiveBayesPlusPlain]
            .into_iter()
            .find(|l| l.name() == name)
    }
}

/// Why a head could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error(transparent)]
    Linfa(#[from] linfa_logistic::error::Error),
    #[error(transparent)]
    Factor(#[from] NotFactorable),
}

/// What linfa fitted, and on what, kept so that tests can compare it with the sparse head.
pub enum Fitted {
    /// The model and the coordinates of the training rows it was fitted on.
    Multinomial { model: MultiFittedLogisticRegression<f32, usize>, coordinates: Array2<f32> },
    /// One binary model per label, in label order, whose positive class is `true`.
    OneVsRest(Vec<BinaryFit>),
    /// Per label, NB-LR's binary models and the plain ones (whose scaling is all ones).
    Ensemble { naive_bayes: Vec<BinaryFit>, plain: Vec<BinaryFit> },
}

/// One label's binary model, fitted in the span of the scaled training rows.
pub struct BinaryFit {
    /// Each column's scaling.
    pub scaling: Array1<f32>,
    /// The training rows' coordinates that linfa was fitted on.
    pub coordinates: Array2<f32>,
    pub model: FittedLogisticRegression<f32, bool>,
    /// The model's weights over the scaled columns.
    pub weights: Array1<f32>,
}

/// A fitted head together with what linfa produced, so that tests can compare the two.
pub struct HeadFit {
    pub head: LinearHead,
    pub linfa: Fitted,
    /// The vocabulary indices of the columns the head was fitted on, ascending.
    pub columns: Vec<u32>,
}

/// Fits one head with `learner` on the capped feature set.
pub fn fit_head(
    name: &str,
    rows: &[&SparseVector],
    labels: &[&str],
    dimensions: usize,
    learner: Learner,
    config: &TrainConfig,
) -> Result<HeadFit, TrainError> {
    let mut label_names: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    label_names.sort();
    label_names.dedup();
    if label_names.len() < 2 {
        return Err(TrainError::TooFewLabels { head: name.into(), labels: label_names.len() });
    }
    let columns = select_columns(rows, dimensions, config.head_features);
    let distinct = DistinctRows::new(rows, &columns, dimensions);
    let targets: Array1<usize> = labels.iter().map(|l| label_names.iter().position(|n| n == l).unwrap_or(0)).collect();
    let fail = |source| TrainError::Fit { head: name.into(), source };
    let labels = label_names.len();
    let (weights, bias, linfa) = match learner {
        Learner::Multinomial => {
            let space = RowSpace::new(&distinct, Array1::ones(distinct.columns())).map_err(|e| fail(e.into()))?;
            let coordinates = space.coordinates();
            let model = MultiLogisticRegression::default()
                .alpha(config.l2)
                .max_iterations(config.max_iterations)
                .fit(&DatasetBase::new(coordinates.view(), targets))
                .map_err(|e| fail(e.into()))?;
            let (dual, bias) = multinomial_weights(&model, labels);
            (space.weights(dual.view()), bias, Fitted::Multinomial { model, coordinates })
        }
        Learner::NaiveBayesOneVsRest => {
            let models = one_vs_rest(&distinct, &targets, labels, Scaling::NaiveBayes, config).map_err(fail)?;
            let (weights, bias) = one_vs_rest_weights(&models);
            (weights, bias, Fitted::OneVsRest(models))
        }
        Learner::NaiveBayesPlusPlain => {
            let naive_bayes = one_vs_rest(&distinct, &targets, labels, Scaling::NaiveBayes, config).map_err(fail)?;
            let plain = one_vs_rest(&distinct, &targets, labels, Scaling::None, config).map_err(fail)?;
            let (nb_weights, nb_bias) = one_vs_rest_weights(&naive_bayes);
            let (plain_weights, plain_bias) = one_vs_rest_weights(&plain);
            let bias = nb_bias.iter().zip(&plain_bias).map(|(a, b)| a + b).collect();
            (nb_weights + plain_weights, bias, Fitted::Ensemble { naive_bayes, plain })
        }
    };
    let head = scatter(name, label_names, &weights, bias, &columns, dimensions);
    Ok(HeadFit { head, linfa, columns })
}

/// A multinomial logistic regression on dense rows (`targets` are label positions): its
/// weights, one row of `labels` values per column, row-major, and its bias per label.
pub fn fit_dense_multinomial(
    rows: Array2<f32>,
    targets: Array1<usize>,
    labels: usize,
    l2: f32,
    max_iterations: u64,
) -> Result<(Vec<f32>, Vec<f32>), FitError> {
    let model = MultiLogisticRegression::default()
        .alpha(l2)
        .max_iterations(max_iterations)
        .fit(&DatasetBase::new(rows.view(), targets))?;
    let (weights, bias) = multinomial_weights(&model, labels);
    Ok((weights.iter().copied().collect(), bias))
}

/// The `cap` features that occur in the most rows (ties: lower index), ascending.
fn select_columns(rows: &[&SparseVector], dimensions: usize, cap: usize) -> Vec<u32> {
    let mut frequency = vec![0u32; dimensions];
    rows.iter().flat_map(|r| &r.indices).for_each(|&i| frequency[i as usize] += 1);
    let mut present: Vec<u32> = (0..dimensions as u32).filter(|&i| frequency[i as usize] > 0).collect();
    present.sort_by(|a, b| frequency[*b as usize].cmp(&frequency[*a as usize]).then(a.cmp(b)));
    present.truncate(cap);
    present.sort_unstable();
    present
}

/// The rows as a dense matrix over `columns` only: what a direct linfa fit would take (tests
/// compare the fit in the span of the rows with one).
pub fn dense_rows(rows: &[&SparseVector], columns: &[u32], dimensions: usize) -> Array2<f32> {
    let mut position = vec![u32::MAX; dimensions];
    columns.iter().enumerate().for_each(|(p, &c)| position[c as usize] = p as u32);
    let mut dense = Array2::zeros((rows.len(), columns.len()));
    for (r, row) in rows.iter().enumerate() {
        for (feature, value) in row.iter() {
            let p = position[feature as usize];
            if p != u32::MAX {
                dense[(r, p as usize)] = value;
            }
        }
    }
    dense
}

/// Weights as (column, label) and the bias per label, from linfa's class order.
fn multinomial_weights(linfa: &MultiFittedLogisticRegression<f32, usize>, labels: usize) -> (Array2<f32>, Vec<f32>) {
    let mut weights = Array2::zeros((linfa.params().nrows(), labels));
    let mut bias = vec![0.0f32; labels];
    for (class_position, &label) in linfa.classes().iter().enumerate() {
        bias[label] = linfa.intercept()[class_position];
        weights.column_mut(label).assign(&linfa.params().column(class_position));
    }
    (weights, bias)
}

/// The naive-Bayes log-count ratio of each column for rows with `positive` set against the
/// others: log of the smoothed share of positive rows holding the feature over the same share
/// among negative rows.
pub fn log_count_ratio(rows: &DistinctRows, positive: &[bool]) -> Array1<f32> {
    let mut counts = [vec![1.0f64; rows.columns()], vec![1.0f64; rows.columns()]];
    for (row, &is_positive) in rows.iter().zip(positive) {
        row.iter().filter(|(_, v)| *v != 0.0).for_each(|&(p, _)| counts[usize::from(is_positive)][p as usize] += 1.0);
    }
    let [negative_counts, positive_counts] = counts.map(Array1::from);
    let positive_share = &positive_counts / positive_counts.sum();
    let negative_share = &negative_counts / negative_counts.sum();
    (positive_share / negative_share).mapv(|r| r.ln() as f32)
}

/// How a label's binary model sees the features.
#[derive(Clone, Copy)]
enum Scaling {
    /// Each column times its naive-Bayes log-count ratio for the label.
    NaiveBayes,
    /// As they are (a scaling of all ones).
    None,
}

/// One binary model per label, fitted on separate threads: the labels are independent, and
/// each fit is bound by passes over its own coordinates.
fn one_vs_rest(
    rows: &DistinctRows,
    targets: &Array1<usize>,
    labels: usize,
    scaling: Scaling,
    config: &TrainConfig,
) -> Result<Vec<BinaryFit>, FitError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..labels).map(|label| scope.spawn(move || fit_binary(rows, targets, label, scaling, config))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

fn fit_binary(
    rows: &DistinctRows,
    targets: &Array1<usize>,
    label: usize,
    scaling: Scaling,
    config: &TrainConfig,
) -> Result<BinaryFit, FitError> {
    let positive: Vec<bool> = targets.iter().map(|&t| t == label).collect();
    let scaling = match scaling {
        Scaling::NaiveBayes => log_count_ratio(rows, &positive),
        Scaling::None => Array1::ones(rows.columns()),
    };
    let space = RowSpace::new(rows, scaling)?;
    let coordinates = space.coordinates();
    let model = LogisticRegression::default()
        .alpha(config.l2)
        .max_iterations(config.max_iterations)
        .fit(&DatasetBase::new(coordinates.view(), Array1::from(positive)))?;
    let dual = model.params().view().insert_axis(Axis(1));
    let weights = space.weights(dual).remove_axis(Axis(1));
    Ok(BinaryFit { scaling: space.scaling().clone(), coordinates, model, weights })
}

/// The binary models as one linear head: each label's weights times its feature scaling, and
/// its decision score (log-odds of `true`) as the label's score.
fn one_vs_rest_weights(models: &[BinaryFit]) -> (Array2<f32>, Vec<f32>) {
    let columns = models.first().map_or(0, |fit| fit.scaling.len());
    let mut weights = Array2::zeros((columns, models.len()));
    let mut bias = Vec::with_capacity(models.len());
    for (label, fit) in models.iter().enumerate() {
        // linfa fits toward its "positive" class; flip the sign when that class is `false`.
        let sign = if fit.model.labels().pos.class { 1.0 } else { -1.0 };
        weights.column_mut(label).assign(&(&fit.weights * &fit.scaling * sign));
        bias.push(fit.model.intercept() * sign);
    }
    (weights, bias)
}

fn scatter(
    name: &str,
    labels: Vec<String>,
    weights: &Array2<f32>,
    bias: Vec<f32>,
    columns: &[u32],
    dimensions: usize,
) -> LinearHead {
    let k = labels.len();
    let mut sparse = vec![0.0f32; dimensions * k];
    for (p, &feature) in columns.iter().enumerate() {
        for label in 0..k {
            sparse[feature as usize * k + label] = weights[(p, label)];
        }
    }
    LinearHead { name: name.into(), labels, weights: sparse, bias }
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
