//! Logistic regression on sparse rows, as a linfa algorithm.
//!
//! linfa's learners take a dense `Array2` of rows × features, and linfa has no sparse learner
//! (rust-ml/linfa issue 192, open). A TF-IDF head has tens of thousands of columns of which a
//! document fills a hundred or two, so a dense matrix — or any n × n stand-in for it — grows
//! far past the data. This learner keeps linfa's shape (hyperparameters checked by
//! [`ParamGuard`], [`Fit`] on a [`DatasetBase`] returning the fitted model) and linfa-logistic's
//! objective and optimizer (argmin's L-BFGS with a More–Thuente line search, 10 corrections,
//! gradient tolerance 1e-4, from zero): the weighted sum of the rows' negative log-likelihoods
//! plus `l2 / 2` times the squared weights, the intercept unpenalized — scikit-learn's
//! objective with `C = 1 / l2`. The loss and gradient are computed over compressed sparse
//! rows, so memory is the non-zeros plus columns × labels.

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::{Array1, Array2};

mod objective;
mod rows;
mod together;

use objective::Objective;
pub use objective::{Task, PARALLEL_FROM_ROWS};
pub use rows::{RowStore, SparseRows};
use together::{BinaryLabel, Together};

/// Why a sparse logistic regression could not be set up or fitted.
#[derive(Debug, thiserror::Error)]
pub enum LogisticError {
    /// The L2 penalty is negative or not finite.
    #[error("l2 must be a finite number, 0 or more (got {0})")]
    L2(f64),
    /// The gradient tolerance is not a positive finite number.
    #[error("gradient_tolerance must be a positive finite number (got {0})")]
    GradientTolerance(f64),
    /// No iteration allowed.
    #[error("max_iterations must be at least 1")]
    MaxIterations,
    /// Fewer than two labels to tell apart.
    #[error("a logistic regression needs 2 or more labels (got {0})")]
    TooFewLabels(usize),
    /// A binary task names a positive label outside the labels.
    #[error("the positive label {positive} is not one of the {labels} labels")]
    PositiveLabel {
        /// The positive label's position.
        positive: usize,
        /// How many labels there are.
        labels: usize,
    },
    /// A column multiplier is not finite.
    #[error("column scaling must be finite")]
    Scaling,
    /// Rows and targets disagree (counts, label positions, weights).
    #[error("the data do not fit the task: {0}")]
    Data(String),
    /// L-BFGS stopped with an error.
    #[error("the optimizer failed: {0}")]
    Optimizer(String),
    /// linfa refused the dataset.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

/// Settings of a sparse logistic regression, checked before fitting.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseLogisticRegression(ValidSparseLogisticRegression);

/// Settings that passed [`ParamGuard::check`]; these fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSparseLogisticRegression {
    task: Task,
    /// The number of labels the targets are numbered in.
    labels: usize,
    l2: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
    scaling: Option<Vec<f32>>,
}

impl SparseLogisticRegression {
    /// The log-odds of a row's target (one of `labels`) being `positive`.
    pub fn binary(positive: usize, labels: usize) -> Self {
        Self::new(Task::Binary { positive }, labels)
    }

    /// One score per label of `labels`.
    pub fn multinomial(labels: usize) -> Self {
        Self::new(Task::Multinomial { labels }, labels)
    }

    fn new(task: Task, labels: usize) -> Self {
        SparseLogisticRegression(ValidSparseLogisticRegression {
            task,
            labels,
            l2: 1.0,
            max_iterations: 100,
            gradient_tolerance: 1e-4,
            scaling: None,
        })
    }

    /// The L2 penalty on the weights (scikit-learn's `1 / C`).
    pub fn l2(mut self, l2: f64) -> Self {
        self.0.l2 = l2;
        self
    }

    pub fn max_iterations(mut self, max_iterations: u64) -> Self {
        self.0.max_iterations = max_iterations;
        self
    }

    /// Each column's multiplier (NB-LR's log-count ratios): the fit sees column `c` of every
    /// row times `scaling[c]`, and its weights are over the scaled columns.
    pub fn column_scaling(mut self, scaling: Vec<f32>) -> Self {
        self.0.scaling = Some(scaling);
        self
    }
}

impl ParamGuard for SparseLogisticRegression {
    type Checked = ValidSparseLogisticRegression;
    type Error = LogisticError;

    fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
        let p = &self.0;
        if !(p.l2.is_finite() && p.l2 >= 0.0) {
            return Err(LogisticError::L2(p.l2));
        }
        if !(p.gradient_tolerance.is_finite() && p.gradient_tolerance > 0.0) {
            return Err(LogisticError::GradientTolerance(p.gradient_tolerance));
        }
        if p.max_iterations == 0 {
            return Err(LogisticError::MaxIterations);
        }
        if p.labels < 2 {
            return Err(LogisticError::TooFewLabels(p.labels));
        }
        if let Task::Binary { positive } = p.task {
            if positive >= p.labels {
                return Err(LogisticError::PositiveLabel { positive, labels: p.labels });
            }
        }
        if p.scaling.as_ref().is_some_and(|s| !s.iter().all(|v| v.is_finite())) {
            return Err(LogisticError::Scaling);
        }
        Ok(p)
    }

    fn check(self) -> Result<Self::Checked, Self::Error> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted sparse logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedSparseLogistic {
    /// Weights over the (scaled) columns, one row per column and one column per score.
    pub weights: Array2<f64>,
    /// The intercept of each score.
    pub intercepts: Array1<f64>,
    /// The column scaling the weights are over, if any.
    pub scaling: Option<Vec<f32>>,
}

impl FittedSparseLogistic {
    /// Each row's scores (rows × scores), on the rows as given (the scaling applied here).
    #[cfg(test)]
    pub fn scores(&self, rows: &SparseRows) -> Array2<f64> {
        let mut scores = Array2::zeros((rows.len(), self.intercepts.len()));
        for (r, mut out) in scores.rows_mut().into_iter().enumerate() {
            out.assign(&self.intercepts);
            for (c, v) in rows.row(r) {
                let x = f64::from(v) * self.scaling.as_ref().map_or(1.0, |s| f64::from(s[c as usize]));
                out.scaled_add(x, &self.weights.row(c as usize));
            }
        }
        scores
    }
}

/// The dataset a sparse logistic regression fits: rows, each row's target label position,
/// and optionally each row's weight.
pub type SparseDataset<'a> = DatasetBase<SparseRows<'a>, Array1<usize>>;

impl<'a> Fit<SparseRows<'a>, Array1<usize>, LogisticError> for ValidSparseLogisticRegression {
    type Object = FittedSparseLogistic;

    fn fit(&self, dataset: &SparseDataset<'a>) -> Result<FittedSparseLogistic, LogisticError> {
        let (rows, targets) = (dataset.records(), dataset.targets());
        self.check_data(dataset)?;
        let targets = targets.as_slice().ok_or_else(|| LogisticError::Data("targets are not contiguous".into()))?;
        let store = rows.as_store();
        let objective = Objective {
            weights: dataset.weights(),
            ..Objective::new(&store, targets, self.task, self.l2, self.scaling.as_deref())
        };
        let best = self.minimize(objective.parameters(), objective)?;
        let outputs = self.task.outputs();
        let width = rows.width();
        let intercepts = best.slice(ndarray::s![width * outputs..]).to_owned();
        let weights = best
            .slice_move(ndarray::s![..width * outputs])
            .into_shape_with_order((width, outputs))
            .map_err(|e| LogisticError::Data(e.to_string()))?;
        Ok(FittedSparseLogistic { weights, intercepts, scaling: self.scaling.clone() })
    }
}

impl ValidSparseLogisticRegression {
    /// Fits every model of `models` (binary ones, sharing their L2 penalty) on the same
    /// `dataset`, as each one's [`Fit`] would, to the bit, with one pass over the rows for
    /// all of them at each evaluation (see [`together`]).
    pub fn fit_binary_together(
        models: &[ValidSparseLogisticRegression],
        dataset: &SparseDataset<'_>,
    ) -> Result<Vec<FittedSparseLogistic>, LogisticError> {
        let Some(first) = models.first() else { return Ok(Vec::new()) };
        let mut labels = Vec::with_capacity(models.len());
        for model in models {
            model.check_data(dataset)?;
            let Task::Binary { positive } = model.task else {
                return Err(LogisticError::Data("only binary models fit together".into()));
            };
            if model.l2.to_bits() != first.l2.to_bits() {
                return Err(LogisticError::Data("models fitted together share their L2 penalty".into()));
            }
            let width = dataset.records().width();
            let multipliers = match &model.scaling {
                Some(scaling) => scaling.clone(),
                None => vec![1.0; width],
            };
            labels.push(BinaryLabel { positive, multipliers });
        }
        let targets =
            dataset.targets().as_slice().ok_or_else(|| LogisticError::Data("targets are not contiguous".into()))?;
        let store = dataset.records().as_store();
        let together = Together::new(&store, targets, dataset.weights(), first.l2, labels);
        let width = dataset.records().width();
        let fitted = together.run(|objective| {
            let model = &models[objective.label()];
            let best = model.minimize(width + 1, objective)?;
            let intercepts = best.slice(ndarray::s![width..]).to_owned();
            let weights = best
                .slice_move(ndarray::s![..width])
                .into_shape_with_order((width, 1))
                .map_err(|e| LogisticError::Data(e.to_string()))?;
            Ok(FittedSparseLogistic { weights, intercepts, scaling: model.scaling.clone() })
        });
        fitted.into_iter().collect()
    }

    /// The parameters L-BFGS reaches on `problem` from zero (`parameters` of them).
    fn minimize<P>(&self, parameters: usize, problem: P) -> Result<Array1<f64>, LogisticError>
    where
        P: CostFunction<Param = Array1<f64>, Output = f64> + Gradient<Param = Array1<f64>, Gradient = Array1<f64>>,
    {
        let start = Array1::zeros(parameters);
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
            .with_tolerance_grad(self.gradient_tolerance)
            .map_err(|e| LogisticError::Optimizer(e.to_string()))?;
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(start.clone()).max_iters(self.max_iterations))
            .timer(false)
            .run()
            .map_err(|e| LogisticError::Optimizer(e.to_string()))?;
        Ok(result.state().get_best_param().cloned().unwrap_or(start))
    }

    fn check_data(&self, dataset: &SparseDataset) -> Result<(), LogisticError> {
        let rows = dataset.records();
        let bad = |reason: String| Err(LogisticError::Data(reason));
        if dataset.targets().len() != rows.len() {
            return bad(format!("{} targets for {} rows", dataset.targets().len(), rows.len()));
        }
        if let Some(&target) = dataset.targets().iter().find(|&&t| t >= self.labels) {
            return bad(format!("target {target} is not one of the {} labels", self.labels));
        }
        if let Some(weights) = dataset.weights() {
            if weights.len() != rows.len() || !weights.iter().all(|w| w.is_finite() && *w >= 0.0) {
                return bad(format!("{} weights for {} rows, each finite and 0 or more", weights.len(), rows.len()));
            }
        }
        if self.scaling.as_ref().is_some_and(|s| s.len() != rows.width()) {
            return bad(format!(
                "a column scaling for {} columns is not one for {}",
                self.scaling.as_ref().map_or(0, Vec::len),
                rows.width()
            ));
        }
        if !rows.all_finite() {
            return bad("a row holds a value that is not finite".into());
        }
        Ok(())
    }
}
