//! The penalized (NB-)logistic loss and its gradient over sparse rows, as argmin's L-BFGS
//! asks for them.
//!
//! The rows are cut into [`CHUNKS`] fixed ranges whatever the number of cores; each range's
//! loss and gradient start from zero and are added up in range order, so the result is the
//! same to the bit on one core or many, and the same corpus and seed give the same model.
//! The ranges run on rayon's pool: the heads' labels are fitted on that pool too, so the
//! nested work shares one thread per core instead of starting threads per evaluation.

use std::sync::Mutex;

use argmin::core::{CostFunction, Gradient};
use ndarray::Array1;
use rayon::prelude::*;

use super::rows::RowStore;

/// The fixed number of row ranges each evaluation is cut into.
pub(super) const CHUNKS: usize = 16;

/// Below this many rows an evaluation runs on the calling thread: handing ranges to the
/// pool would cost more than the pass.
pub const PARALLEL_FROM_ROWS: usize = 2_048;

/// How many rows' scores are summed side by side: each row's sum is a chain of dependent
/// additions, so summing several rows at once keeps the core busy while each chain waits.
const ROWS_AT_ONCE: usize = 4;

/// What the scores are fitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// One score, the log-odds that a row's target is `positive`.
    Binary { positive: usize },
    /// One score per label, their softmax the labels' probabilities.
    Multinomial { labels: usize },
}

impl Task {
    /// Scores per row.
    pub fn outputs(self) -> usize {
        match self {
            Task::Binary { .. } => 1,
            Task::Multinomial { labels } => labels,
        }
    }
}

/// The last parameters evaluated, with their loss and gradient: argmin's line search asks
/// for the cost and then the gradient at the same point, which is evaluated once.
#[derive(Debug, Default)]
pub(super) struct LastEvaluation(Mutex<Option<Evaluated>>);

/// Parameters with their loss and gradient.
type Evaluated = (Array1<f64>, f64, Array1<f64>);

impl LastEvaluation {
    /// The loss and gradient at `parameters`: remembered if they were the last asked for,
    /// else from `evaluate`, then remembered.
    pub(super) fn at(
        &self,
        parameters: &Array1<f64>,
        evaluate: impl FnOnce() -> (f64, Array1<f64>),
    ) -> (f64, Array1<f64>) {
        let mut last = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, loss, gradient)) = last.as_ref().filter(|(at, _, _)| at == parameters) {
            return (*loss, gradient.clone());
        }
        let (loss, gradient) = evaluate();
        *last = Some((parameters.clone(), loss, gradient.clone()));
        (loss, gradient)
    }
}

/// The loss of a head's parameters on its rows: the weighted sum of the rows' negative
/// log-likelihoods plus `l2 / 2` times the squared weights (the intercepts unpenalized).
/// Parameters are laid out column after column, `outputs` weights each, then the
/// `outputs` intercepts.
pub struct Objective<'a> {
    pub rows: &'a RowStore,
    pub targets: &'a [usize],
    pub weights: Option<&'a [f32]>,
    pub task: Task,
    pub l2: f64,
    /// Whether an evaluation may hand its ranges to the pool (otherwise it computes them in
    /// order on the calling thread; the result is the same to the bit).
    pub parallel: bool,
    /// Each range's gradient, kept from one evaluation to the next so that an evaluation
    /// allocates nothing of the parameters' size but the gradient it returns.
    pub(super) partials: Mutex<Vec<Vec<f64>>>,
    /// The last parameters evaluated, with their loss and gradient.
    pub(super) last: LastEvaluation,
    /// Every entry's value as the fit sees it, in the store's order: times its column's
    /// multiplier, if any. Each pass reads one number an entry instead of the value and its
    /// column's multiplier; the same numbers (a product of two `f32`s is exact in `f64`), at
    /// 8 bytes an entry while the fit lasts.
    pub(super) scaled_values: Vec<f64>,
}

impl<'a> Objective<'a> {
    /// The loss on `rows`, each column times its multiplier in `scaling` (the naive-Bayes
    /// ratios), or as it is without one.
    pub fn new(rows: &'a RowStore, targets: &'a [usize], task: Task, l2: f64, scaling: Option<&[f32]>) -> Self {
        let scaled_values = match scaling {
            Some(scaling) => {
                let entries = rows.columns().iter().zip(rows.values());
                entries.map(|(&c, &v)| f64::from(v) * f64::from(scaling[c as usize])).collect()
            }
            None => rows.values().iter().map(|&v| f64::from(v)).collect(),
        };
        Objective {
            rows,
            targets,
            weights: None,
            task,
            l2,
            parallel: true,
            partials: Mutex::new(vec![Vec::new(); CHUNKS]),
            last: LastEvaluation::default(),
            scaled_values,
        }
    }

    /// The number of parameters.
    pub fn parameters(&self) -> usize {
        (self.rows.width() + 1) * self.task.outputs()
    }

    /// The loss and its gradient at `parameters`.
    pub fn evaluate(&self, parameters: &Array1<f64>) -> (f64, Array1<f64>) {
        let size = self.parameters();
        let at = parameters.as_slice().unwrap_or(&[]);
        let mut partials = self.partials.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let range = |(chunk, gradient): (usize, &mut Vec<f64>)| {
            gradient.clear();
            gradient.resize(size, 0.0);
            self.chunk(chunk, at, gradient)
        };
        let losses: Vec<f64> = if self.parallel && self.rows.len() >= PARALLEL_FROM_ROWS {
            partials.par_iter_mut().enumerate().map(range).collect()
        } else {
            partials.iter_mut().enumerate().map(range).collect()
        };
        let mut loss = 0.0;
        let mut gradient = vec![0.0f64; size];
        for (chunk_loss, partial) in losses.into_iter().zip(partials.iter()) {
            loss += chunk_loss;
            gradient.iter_mut().zip(partial).for_each(|(g, c)| *g += c);
        }
        let width = self.rows.width() * self.task.outputs();
        for (g, &w) in gradient.iter_mut().zip(parameters.iter()).take(width) {
            loss += 0.5 * self.l2 * w * w;
            *g += self.l2 * w;
        }
        (loss, Array1::from(gradient))
    }

    /// The unpenalized loss of chunk `chunk`'s rows; their gradient is added to `gradient`.
    fn chunk(&self, chunk: usize, parameters: &[f64], gradient: &mut [f64]) -> f64 {
        let n = self.rows.len();
        let rows = chunk * n / CHUNKS..(chunk + 1) * n / CHUNKS;
        match self.task {
            Task::Binary { positive } => self.binary(rows, positive, parameters, gradient),
            Task::Multinomial { labels } => self.multinomial(rows, labels, parameters, gradient),
        }
    }

    fn weight(&self, row: usize) -> f64 {
        self.weights.map_or(1.0, |w| f64::from(w[row]))
    }

    /// Each row of `rows` with a weight above zero, with its weight, in order.
    fn weighted_rows(&self, rows: std::ops::Range<usize>) -> impl Iterator<Item = (usize, f64)> + '_ {
        rows.map(|r| (r, self.weight(r))).filter(|&(_, weight)| weight != 0.0)
    }

    /// Row `r`'s columns and scaled values.
    fn entries(&self, r: usize) -> (&[u32], &[f64]) {
        let range = self.rows.entries(r);
        (&self.rows.columns()[range.clone()], &self.scaled_values[range])
    }

    /// The sum of each row's scaled entries (`entries`: their columns and scaled values)
    /// times their weights in `w`, each row's terms added in its entries' order (from -0.0,
    /// as `Iterator::sum` does); the rows' chains of additions run side by side.
    fn dot_products(entries: [(&[u32], &[f64]); ROWS_AT_ONCE], count: usize, w: &[f64]) -> [f64; ROWS_AT_ONCE] {
        let mut sums = [-0.0f64; ROWS_AT_ONCE];
        let shortest = entries[..count].iter().map(|(columns, _)| columns.len()).min().unwrap_or(0);
        if count == ROWS_AT_ONCE {
            for i in 0..shortest {
                for k in 0..ROWS_AT_ONCE {
                    sums[k] += entries[k].1[i] * w[entries[k].0[i] as usize];
                }
            }
        } else {
            for i in 0..shortest {
                for k in 0..count {
                    sums[k] += entries[k].1[i] * w[entries[k].0[i] as usize];
                }
            }
        }
        for k in 0..count {
            let (columns, values) = entries[k];
            for (&c, &x) in columns[shortest..].iter().zip(&values[shortest..]) {
                sums[k] += x * w[c as usize];
            }
        }
        sums
    }

    fn binary(&self, rows: std::ops::Range<usize>, positive: usize, w: &[f64], gradient: &mut [f64]) -> f64 {
        let bias = self.rows.width();
        let entries = |r: usize| self.entries(r);
        let mut loss = 0.0;
        let mut weighted = self.weighted_rows(rows).peekable();
        while weighted.peek().is_some() {
            let mut block = [(0usize, 0.0f64); ROWS_AT_ONCE];
            let mut count = 0;
            while count < ROWS_AT_ONCE {
                let Some(row) = weighted.next() else { break };
                block[count] = row;
                count += 1;
            }
            let sums = Self::dot_products(block.map(|(r, _)| entries(r)), count, w);
            for (&(r, weight), sum) in block[..count].iter().zip(sums) {
                let z = w[bias] + sum;
                let y = if self.targets[r] == positive { 1.0 } else { -1.0 };
                loss += weight * softplus(-y * z);
                let dz = -y * weight * sigmoid(-y * z);
                let (columns, values) = entries(r);
                for (&c, &x) in columns.iter().zip(values) {
                    gradient[c as usize] += dz * x;
                }
                gradient[bias] += dz;
            }
        }
        loss
    }

    fn multinomial(&self, rows: std::ops::Range<usize>, labels: usize, w: &[f64], gradient: &mut [f64]) -> f64 {
        let bias = self.rows.width() * labels;
        let mut scores = vec![0.0f64; labels];
        let mut loss = 0.0;
        for (r, weight) in self.weighted_rows(rows) {
            let (columns, values) = self.entries(r);
            let entries = columns.iter().zip(values).map(|(&c, &x)| (c as usize, x));
            scores.copy_from_slice(&w[bias..bias + labels]);
            for (c, x) in entries.clone() {
                scores.iter_mut().zip(&w[c * labels..(c + 1) * labels]).for_each(|(s, wk)| *s += x * wk);
            }
            let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_total = max + scores.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
            let target = self.targets[r];
            loss += weight * (log_total - scores[target]);
            for (k, s) in scores.iter_mut().enumerate() {
                *s = weight * ((*s - log_total).exp() - if k == target { 1.0 } else { 0.0 });
            }
            for (c, x) in entries {
                gradient[c * labels..(c + 1) * labels].iter_mut().zip(&scores).for_each(|(g, d)| *g += x * d);
            }
            gradient[bias..bias + labels].iter_mut().zip(&scores).for_each(|(g, d)| *g += d);
        }
        loss
    }

    fn remembered(&self, parameters: &Array1<f64>) -> (f64, Array1<f64>) {
        self.last.at(parameters, || self.evaluate(parameters))
    }
}

/// `ln(1 + eˣ)` without overflow.
pub(super) fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// `1 / (1 + e⁻ˣ)` without overflow.
pub(super) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl CostFunction for Objective<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, parameters: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.remembered(parameters).0)
    }
}

impl Gradient for Objective<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, parameters: &Self::Param) -> Result<Array1<f64>, argmin::core::Error> {
        Ok(self.remembered(parameters).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::logistic::SparseRows;

    fn problem() -> (RowStore, Vec<usize>, Vec<f32>) {
        // Enough rows to take the parallel path, with a pattern so that chunks differ.
        let dense: Vec<Vec<f32>> =
            (0..5_000).map(|i| (0..7).map(|c| ((i * 31 + c * 17) % 11) as f32 / 10.0 - 0.3).collect()).collect();
        let rows = SparseRows::from_dense(dense.iter().map(Vec::as_slice), 7).as_store().into_owned();
        let targets = (0..5_000).map(|i| (i * 7 + i / 3) % 3).collect();
        let weights = (0..5_000).map(|i| 1.0 + (i % 4) as f32 * 0.25).collect();
        (rows, targets, weights)
    }

    #[test]
    fn evaluations_are_the_same_to_the_bit_on_any_number_of_threads() {
        let (rows, targets, weights) = problem();
        for task in [Task::Binary { positive: 1 }, Task::Multinomial { labels: 3 }] {
            let objective = |parallel| Objective {
                parallel,
                weights: Some(&weights),
                ..Objective::new(&rows, &targets, task, 0.5, None)
            };
            let at = Array1::from_iter((0..objective(false).parameters()).map(|i| (i as f64 * 0.37).sin()));
            let (loss, gradient) = objective(false).evaluate(&at);
            for threads in [1, 2, 3, 16] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
                let (other_loss, other_gradient) = pool.install(|| objective(true).evaluate(&at));
                assert_eq!(loss.to_bits(), other_loss.to_bits(), "{task:?} on {threads} threads");
                assert!(gradient.iter().zip(&other_gradient).all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }

    #[test]
    fn the_gradient_is_the_slope_of_the_loss() {
        let (rows, targets, weights) = problem();
        let scaling = [0.5f32, 2.0, 1.0, -1.0, 3.0, 0.25, 1.5];
        for task in [Task::Binary { positive: 2 }, Task::Multinomial { labels: 3 }] {
            let objective =
                Objective { weights: Some(&weights), ..Objective::new(&rows, &targets, task, 0.7, Some(&scaling)) };
            let at = Array1::from_iter((0..objective.parameters()).map(|i| (i as f64 * 0.61).cos() * 0.3));
            let (_, gradient) = objective.evaluate(&at);
            for i in 0..objective.parameters() {
                let step = 1e-5;
                let (mut up, mut down) = (at.clone(), at.clone());
                up[i] += step;
                down[i] -= step;
                let slope = (objective.evaluate(&up).0 - objective.evaluate(&down).0) / (2.0 * step);
                assert!(
                    (slope - gradient[i]).abs() <= 1e-4 * slope.abs().max(1.0),
                    "{task:?} parameter {i}: {slope} against {}",
                    gradient[i]
                );
            }
        }
    }
}
