//! The binary models of a one-vs-rest head fitted side by side, each evaluation of every
//! label's loss made in one pass over the rows.
//!
//! Each label's L-BFGS runs on a thread of its own and asks for its loss and gradient; the
//! calling thread waits until every label still running has asked, then reads each entry
//! once for all of them (its column, its value, and one cell holding every asking label's
//! weight and multiplier for that column) instead of once per label. Each label's numbers
//! are the ones its own [`Objective`](super::objective::Objective) computes, to the bit:
//! the same fixed row ranges, each row's score summed in its entries' order from `-0.0`,
//! each entry's value times its column's multiplier taken in `f64` (exact for two `f32`s),
//! the ranges added up in order, then the penalty.

use std::ops::Range;
use std::sync::{Condvar, Mutex, MutexGuard};

use argmin::core::{CostFunction, Gradient};
use ndarray::Array1;
use rayon::prelude::*;

use super::objective::{sigmoid, softplus, LastEvaluation, CHUNKS, PARALLEL_FROM_ROWS};
use super::rows::RowStore;

/// The most labels one pass serves: a column's cell is then 4 weights and 4 multipliers, 48
/// bytes (the multipliers kept as the `f32`s they are, widened exactly where used). More
/// labels take more passes.
const LABELS_A_PASS: usize = 4;

/// One label's binary model: the label its rows' targets must be to count as positive, and
/// each column's multiplier (1 without a scaling).
pub struct BinaryLabel {
    pub positive: usize,
    pub multipliers: Vec<f32>,
}

/// What the labels ask for and what they are answered, behind one lock.
struct Exchange {
    /// Each label's parameters, while it waits for their loss and gradient.
    asked: Vec<Option<Array1<f64>>>,
    /// Each label's answer, until it takes it.
    answers: Vec<Option<(f64, Array1<f64>)>>,
    /// How many labels' optimizers are still running.
    running: usize,
}

/// The binary losses of several labels on the same rows, evaluated together.
pub struct Together<'a> {
    rows: &'a RowStore,
    targets: &'a [usize],
    weights: Option<&'a [f32]>,
    l2: f64,
    labels: Vec<BinaryLabel>,
    exchange: Mutex<Exchange>,
    /// Signalled when a label asks or stops.
    asked: Condvar,
    /// Signalled when answers are ready.
    answered: Condvar,
    /// Each row range's gradients, kept from one evaluation to the next.
    partials: Mutex<Vec<Vec<f64>>>,
}

impl<'a> Together<'a> {
    pub fn new(
        rows: &'a RowStore,
        targets: &'a [usize],
        weights: Option<&'a [f32]>,
        l2: f64,
        labels: Vec<BinaryLabel>,
    ) -> Self {
        let count = labels.len();
        let exchange = Exchange { asked: vec![None; count], answers: vec![None; count], running: count };
        Together {
            rows,
            targets,
            weights,
            l2,
            labels,
            exchange: Mutex::new(exchange),
            asked: Condvar::new(),
            answered: Condvar::new(),
            partials: Mutex::new(vec![Vec::new(); CHUNKS]),
        }
    }

    /// Runs `fit` for every label, each on a thread of its own with the label's objective,
    /// and answers their evaluations on this thread until every one has returned.
    pub fn run<T: Send>(&self, fit: impl Fn(LabelObjective<'_, 'a>) -> T + Sync) -> Vec<T> {
        std::thread::scope(|scope| {
            let fit = &fit;
            let threads: Vec<_> = (0..self.labels.len())
                .map(|label| {
                    let objective = LabelObjective { together: self, label, last: LastEvaluation::default() };
                    scope.spawn(move || {
                        let _stopped = Stopped { together: self };
                        fit(objective)
                    })
                })
                .collect();
            self.answer_until_all_stop();
            threads.into_iter().map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        })
    }

    fn lock(&self) -> MutexGuard<'_, Exchange> {
        self.exchange.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn answer_until_all_stop(&self) {
        loop {
            let mut exchange = self.lock();
            while exchange.running > 0 && exchange.asked.iter().flatten().count() < exchange.running {
                exchange = self.asked.wait(exchange).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if exchange.running == 0 {
                return;
            }
            let asked: Vec<(usize, Array1<f64>)> =
                exchange.asked.iter_mut().enumerate().filter_map(|(label, at)| Some((label, at.take()?))).collect();
            drop(exchange);
            let answers = self.evaluate(&asked);
            let mut exchange = self.lock();
            for ((label, _), answer) in asked.iter().zip(answers) {
                exchange.answers[*label] = Some(answer);
            }
            self.answered.notify_all();
        }
    }

    /// Label `label`'s loss and gradient at `at`, evaluated with the other labels'.
    fn ask(&self, label: usize, at: &Array1<f64>) -> (f64, Array1<f64>) {
        let mut exchange = self.lock();
        exchange.asked[label] = Some(at.clone());
        self.asked.notify_one();
        loop {
            if let Some(answer) = exchange.answers[label].take() {
                return answer;
            }
            exchange = self.answered.wait(exchange).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Each asking label's loss and gradient at its parameters, in the order asked.
    fn evaluate(&self, asked: &[(usize, Array1<f64>)]) -> Vec<(f64, Array1<f64>)> {
        let mut answers = Vec::with_capacity(asked.len());
        for group in asked.chunks(LABELS_A_PASS) {
            match group.len() {
                1 => answers.extend(self.evaluate_group::<1>(group)),
                2 => answers.extend(self.evaluate_group::<2>(group)),
                3 => answers.extend(self.evaluate_group::<3>(group)),
                _ => answers.extend(self.evaluate_group::<4>(group)),
            }
        }
        answers
    }

    /// The answers to `M` labels, from one pass over the rows.
    fn evaluate_group<const M: usize>(&self, group: &[(usize, Array1<f64>)]) -> [(f64, Array1<f64>); M] {
        let width = self.rows.width();
        let at = |j: usize, c: usize| group[j].1.get(c).copied().unwrap_or(0.0);
        let cells: Vec<Cell<M>> = (0..width)
            .map(|c| Cell {
                weights: std::array::from_fn(|j| at(j, c)),
                multipliers: std::array::from_fn(|j| self.labels[group[j].0].multipliers[c]),
            })
            .collect();
        let pass = Pass::<M> {
            bias: std::array::from_fn(|j| at(j, width)),
            positive: std::array::from_fn(|j| self.labels[group[j].0].positive),
            cells,
        };
        let mut partials = self.partials.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let chunk = |(chunk, gradient): (usize, &mut Vec<f64>)| {
            gradient.clear();
            gradient.resize((width + 1) * M, 0.0);
            let n = self.rows.len();
            self.pass(&pass, chunk * n / CHUNKS..(chunk + 1) * n / CHUNKS, gradient.as_chunks_mut::<M>().0)
        };
        let losses: Vec<[f64; M]> = if self.rows.len() >= PARALLEL_FROM_ROWS {
            partials.par_iter_mut().enumerate().map(chunk).collect()
        } else {
            partials.iter_mut().enumerate().map(chunk).collect()
        };
        std::array::from_fn(|j| {
            let mut loss = 0.0;
            let mut gradient = vec![0.0f64; width + 1];
            for (chunk_loss, partial) in losses.iter().zip(partials.iter()) {
                loss += chunk_loss[j];
                gradient.iter_mut().zip(partial.as_chunks::<M>().0).for_each(|(g, c)| *g += c[j]);
            }
            for (c, g) in gradient.iter_mut().enumerate().take(width) {
                let w = at(j, c);
                loss += 0.5 * self.l2 * w * w;
                *g += self.l2 * w;
            }
            (loss, Array1::from(gradient))
        })
    }

    /// The unpenalized losses of `rows` for the pass's labels; their gradients are added to
    /// `gradient` (one cell a column, then the intercepts').
    // Label `j`'s numbers sit at `j` of several arrays at once, read by index.
    #[allow(clippy::needless_range_loop)]
    fn pass<const M: usize>(&self, pass: &Pass<M>, rows: Range<usize>, gradient: &mut [[f64; M]]) -> [f64; M] {
        let mut loss = [0.0f64; M];
        let bias = self.rows.width();
        for r in rows {
            let weight = self.weights.map_or(1.0, |w| f64::from(w[r]));
            if weight == 0.0 {
                continue;
            }
            let (columns, values) = self.rows.row(r);
            let mut sums = [-0.0f64; M];
            for (&c, &v) in columns.iter().zip(values) {
                let cell = &pass.cells[c as usize];
                let v = f64::from(v);
                for j in 0..M {
                    sums[j] += v * f64::from(cell.multipliers[j]) * cell.weights[j];
                }
            }
            let mut slopes = [0.0f64; M];
            for j in 0..M {
                let z = pass.bias[j] + sums[j];
                let y = if self.targets[r] == pass.positive[j] { 1.0 } else { -1.0 };
                loss[j] += weight * softplus(-y * z);
                slopes[j] = -y * weight * sigmoid(-y * z);
            }
            for (&c, &v) in columns.iter().zip(values) {
                let (cell, g) = (&pass.cells[c as usize], &mut gradient[c as usize]);
                let v = f64::from(v);
                for j in 0..M {
                    g[j] += slopes[j] * (v * f64::from(cell.multipliers[j]));
                }
            }
            for j in 0..M {
                gradient[bias][j] += slopes[j];
            }
        }
        loss
    }
}

/// One column's weight and multiplier for each label of a pass, read together.
#[derive(Clone, Copy)]
struct Cell<const M: usize> {
    weights: [f64; M],
    multipliers: [f32; M],
}

/// What one pass over the rows reads besides them.
struct Pass<const M: usize> {
    bias: [f64; M],
    positive: [usize; M],
    cells: Vec<Cell<M>>,
}

/// Marks a label's optimizer as stopped when its thread ends, however it ends.
struct Stopped<'t, 'a> {
    together: &'t Together<'a>,
}

impl Drop for Stopped<'_, '_> {
    fn drop(&mut self) {
        self.together.lock().running -= 1;
        self.together.asked.notify_one();
    }
}

/// One label's loss and gradient, as its optimizer asks for them.
pub struct LabelObjective<'t, 'a> {
    together: &'t Together<'a>,
    label: usize,
    /// The last parameters asked for, with their loss and gradient.
    last: LastEvaluation,
}

impl LabelObjective<'_, '_> {
    /// The label's position among those fitted together.
    pub fn label(&self) -> usize {
        self.label
    }

    fn remembered(&self, at: &Array1<f64>) -> (f64, Array1<f64>) {
        self.last.at(at, || self.together.ask(self.label, at))
    }
}

impl CostFunction for LabelObjective<'_, '_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, parameters: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.remembered(parameters).0)
    }
}

impl Gradient for LabelObjective<'_, '_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, parameters: &Self::Param) -> Result<Array1<f64>, argmin::core::Error> {
        Ok(self.remembered(parameters).1)
    }
}

#[cfg(test)]
mod tests {
    use linfa::dataset::DatasetBase;
    use linfa::traits::Fit;
    use linfa::ParamGuard;

    use super::super::{FittedSparseLogistic, SparseLogisticRegression, SparseRows, ValidSparseLogisticRegression};
    use super::*;

    #[test]
    fn labels_fitted_together_have_the_weights_of_their_own_fits_to_the_bit() {
        // Enough rows for the evaluations to take the pool; five labels take two passes.
        let labels = 5;
        let dense: Vec<Vec<f32>> = (0..3_000)
            .map(|i| {
                (0..9).map(|c| if (i + c) % 3 == 0 { 0.0 } else { ((i * 31 + c * 17) % 13) as f32 / 10.0 }).collect()
            })
            .collect();
        let rows = SparseRows::from_dense(dense.iter().map(Vec::as_slice), 9);
        let targets: Array1<usize> = (0..3_000).map(|i| (i * 7 + i / 3) % labels).collect();
        let weights: Array1<f32> = (0..3_000).map(|i| (i % 4) as f32 * 0.5).collect();
        let dataset = DatasetBase::new(rows, targets).with_weights(weights);
        let models: Vec<ValidSparseLogisticRegression> = (0..labels)
            .map(|label| {
                let model = SparseLogisticRegression::binary(label, labels).l2(0.3).max_iterations(30);
                let scaled = model.clone().column_scaling((0..9).map(|c| 0.25 + (c * label) as f32 * 0.125).collect());
                (if label == 2 { model } else { scaled }).check().expect("valid settings")
            })
            .collect();
        let together = ValidSparseLogisticRegression::fit_binary_together(&models, &dataset).expect("fitted");
        assert_eq!(together.len(), labels);
        for (label, (model, fitted)) in models.iter().zip(&together).enumerate() {
            let alone = model.fit(&dataset).expect("fitted alone");
            let bits = |m: &FittedSparseLogistic| {
                m.weights.iter().chain(&m.intercepts).map(|w| w.to_bits()).collect::<Vec<_>>()
            };
            assert!(alone.weights.iter().any(|&w| w != 0.0), "label {label} learned nothing");
            assert_eq!(bits(fitted), bits(&alone), "label {label}");
            assert_eq!(fitted.scaling, alone.scaling);
        }
    }
}
