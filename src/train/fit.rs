//! One head fitted with linfa: the dense, capped feature matrix linfa needs, and the fitted
//! weights scattered back into the sparse vocabulary that serving uses.

use linfa::prelude::*;
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};

use super::{TrainConfig, TrainError};
use crate::head::LinearHead;
use crate::vectorizer::SparseVector;

/// A fitted head together with what linfa produced, so that tests can compare the two.
pub struct HeadFit {
    pub head: LinearHead,
    pub linfa: MultiFittedLogisticRegression<f32, usize>,
    /// The vocabulary indices of the dense columns linfa saw, ascending.
    pub columns: Vec<u32>,
}

/// Fits one head with linfa's multinomial logistic regression on the capped feature set.
pub fn fit_head(
    name: &str,
    rows: &[&SparseVector],
    labels: &[&str],
    dimensions: usize,
    config: &TrainConfig,
) -> Result<HeadFit, TrainError> {
    let mut label_names: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    label_names.sort();
    label_names.dedup();
    if label_names.len() < 2 {
        return Err(TrainError::TooFewLabels { head: name.into(), labels: label_names.len() });
    }
    let columns = select_columns(rows, dimensions, config.head_features);
    let records = dense_rows(rows, &columns, dimensions);
    let targets: Array1<usize> = labels.iter().map(|l| label_names.iter().position(|n| n == l).unwrap_or(0)).collect();
    let linfa = MultiLogisticRegression::default()
        .alpha(config.l2)
        .max_iterations(config.max_iterations)
        .fit(&Dataset::new(records, targets))
        .map_err(|source| TrainError::Fit { head: name.into(), source })?;
    let head = scatter_weights(name, label_names, &linfa, &columns, dimensions);
    Ok(HeadFit { head, linfa, columns })
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

/// The rows as a dense matrix over `columns` only.
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

fn scatter_weights(
    name: &str,
    labels: Vec<String>,
    linfa: &MultiFittedLogisticRegression<f32, usize>,
    columns: &[u32],
    dimensions: usize,
) -> LinearHead {
    let k = labels.len();
    // linfa orders its classes by value; map each back to our label index.
    let classes = linfa.classes();
    let mut weights = vec![0.0f32; dimensions * k];
    let mut bias = vec![0.0f32; k];
    for (class_position, &label) in classes.iter().enumerate() {
        bias[label] = linfa.intercept()[class_position];
        for (p, &feature) in columns.iter().enumerate() {
            weights[feature as usize * k + label] = linfa.params()[(p, class_position)];
        }
    }
    LinearHead { name: name.into(), labels, weights, bias }
}
