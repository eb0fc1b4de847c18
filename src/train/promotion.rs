//! Whether a retrained model may replace the served one: no head may lose more than a margin
//! of held-out macro-F1.

use crate::train::scores::HeadEvaluation;

/// One head's figures, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadDelta {
    /// The head's name.
    pub head: String,
    /// `None` for a head the served model does not have.
    pub old_macro_f1: Option<f64>,
    /// The candidate's held-out macro-F1.
    pub new_macro_f1: f64,
}

impl HeadDelta {
    /// New minus old macro-F1; `None` for a new head.
    pub fn delta(&self) -> Option<f64> {
        self.old_macro_f1.map(|old| self.new_macro_f1 - old)
    }
}

/// The comparison of a candidate model with the served one.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Each head of the candidate, in its order.
    pub heads: Vec<HeadDelta>,
    /// Heads the served model has and the candidate lacks.
    pub dropped_heads: Vec<String>,
}

impl Comparison {
    /// Compares the candidate's held-out figures with the served model's, head by head.
    pub fn new(served: &[HeadEvaluation], candidate: &[HeadEvaluation]) -> Self {
        let heads = candidate
            .iter()
            .map(|new| HeadDelta {
                head: new.head.clone(),
                old_macro_f1: served.iter().find(|old| old.head == new.head).map(|old| old.macro_f1),
                new_macro_f1: new.macro_f1,
            })
            .collect();
        let dropped_heads = served
            .iter()
            .filter(|old| !candidate.iter().any(|new| new.head == old.head))
            .map(|old| old.head.clone())
            .collect();
        Self { heads, dropped_heads }
    }

    /// Reasons to refuse promotion: heads worse by more than `margin` (macro-F1, 0..1), and
    /// heads the candidate dropped. Empty means the candidate may be promoted.
    pub fn regressions(&self, margin: f64) -> Vec<String> {
        let worse = self.heads.iter().filter_map(|h| {
            let delta = h.delta()?;
            (delta < -margin)
                .then(|| format!("head `{}` macro-F1 falls by {:.4} (more than {margin:.4})", h.head, -delta))
        });
        let dropped = self.dropped_heads.iter().map(|h| format!("head `{h}` is missing from the new model"));
        worse.chain(dropped).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(head: &str, macro_f1: f64) -> HeadEvaluation {
        HeadEvaluation {
            head: head.into(),
            labels: vec![],
            train_documents: 0,
            test_documents: 0,
            accuracy: 0.0,
            macro_f1,
            confusion: vec![],
            calibration_error: 0.0,
            temperature: 1.0,
        }
    }

    #[test]
    fn refuses_a_head_worse_by_more_than_the_margin() {
        let served = [evaluation("topic", 0.80), evaluation("stance", 0.70)];
        let candidate = [evaluation("topic", 0.795), evaluation("stance", 0.68)];
        let comparison = Comparison::new(&served, &candidate);
        let reasons = comparison.regressions(0.01);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].contains("stance"));
        assert!(comparison.regressions(0.05).is_empty());
    }

    #[test]
    fn new_heads_are_welcome_and_dropped_heads_are_refused() {
        let served = [evaluation("topic", 0.80), evaluation("stance", 0.70)];
        let candidate = [evaluation("topic", 0.81), evaluation("domain", 0.5)];
        let comparison = Comparison::new(&served, &candidate);
        assert_eq!(comparison.heads[1].delta(), None);
        assert_eq!(comparison.regressions(0.01), vec!["head `stance` is missing from the new model".to_string()]);
    }
}
