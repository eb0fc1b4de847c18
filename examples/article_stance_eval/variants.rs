//! Ways to split an article that reports a relation between cooperation and tension, each
//! a tension share `P(t) / (P(t) + P(c))` read off what the served model computes anyway.

use accord::model::relations::StanceLabels;

/// What the variants read of one article.
#[derive(Clone)]
pub struct Read {
    /// Every sentence's stance probabilities, title first.
    pub sentences: Vec<Vec<f32>>,
    /// Whether each sentence is evidence of one of the served relations.
    pub evidence: Vec<bool>,
    /// The stance head on the whole article's vector.
    pub whole: Vec<f32>,
}

/// A way to split, with at most one weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Variant {
    /// (a) The mean of the sentences' probabilities (what the model serves).
    Mean,
    /// (b) The stance head on the whole article's vector.
    Whole,
    /// (c) The sentence mean, each sentence weighted by `1 − P(neutral)`.
    Weighted,
    /// (d) The mean of the relations' evidence sentences alone, else (a).
    Evidence,
    /// (e) `w · (b) + (1 − w) · (a)`, on the probabilities.
    WholeWithMean(f32),
    /// (e′) `w · (b) + (1 − w) · (c)`, on the probabilities.
    WholeWithWeighted(f32),
    /// (f) (a) with tension from this share on, in place of 0.5.
    MeanThreshold(f32),
}

impl Variant {
    /// The variants without a weight.
    pub const FIXED: [Variant; 4] = [Self::Mean, Self::Whole, Self::Weighted, Self::Evidence];

    /// Each family with a weight, by name, with the weights tried.
    pub fn families() -> Vec<(&'static str, Vec<Variant>)> {
        let steps = |n: usize, from: f32, step: f32| (0..=n).map(move |i| from + step * i as f32);
        vec![
            ("(e) whole + mean", steps(10, 0.0, 0.1).map(Self::WholeWithMean).collect()),
            ("(e') whole + weighted", steps(10, 0.0, 0.1).map(Self::WholeWithWeighted).collect()),
            ("(f) mean, tension threshold", steps(8, 0.3, 0.025).map(Self::MeanThreshold).collect()),
        ]
    }

    /// The variant in a few words.
    pub fn name(self) -> String {
        match self {
            Self::Mean => "(a) sentence mean (served)".into(),
            Self::Whole => "(b) whole-article vector".into(),
            Self::Weighted => "(c) mean weighted by 1 - P(neutral)".into(),
            Self::Evidence => "(d) relation evidence sentences, else (a)".into(),
            Self::WholeWithMean(w) => format!("(e) {w:.1} whole + {:.1} mean", 1.0 - w),
            Self::WholeWithWeighted(w) => format!("(e') {w:.1} whole + {:.1} weighted", 1.0 - w),
            Self::MeanThreshold(t) => format!("(f) mean, tension from {t:.3}"),
        }
    }

    /// The article's tension share under this variant, and the share from which it is
    /// tension.
    pub fn share(self, labels: StanceLabels, read: &Read) -> (f32, f32) {
        let share = |p: &[f32]| tension_share(labels, p);
        let whole = || read.whole.clone();
        let mean = || weighted_mean(&read.sentences, &|_| 1.0);
        let weighted = || {
            let neutral = labels.neutral;
            weighted_mean(&read.sentences, &|p| 1.0 - neutral.map_or(0.0, |n| p[n]))
        };
        let blend = |w: f32, x: Vec<f32>, y: Vec<f32>| -> Vec<f32> {
            x.iter().zip(&y).map(|(x, y)| w * x + (1.0 - w) * y).collect()
        };
        match self {
            Self::Mean => (share(&mean()), 0.5),
            Self::Whole => (share(&whole()), 0.5),
            Self::Weighted => (share(&weighted()), 0.5),
            Self::Evidence => {
                let chosen: Vec<Vec<f32>> =
                    read.sentences.iter().zip(&read.evidence).filter(|(_, e)| **e).map(|(p, _)| p.clone()).collect();
                let p = if chosen.is_empty() { mean() } else { weighted_mean(&chosen, &|_| 1.0) };
                (share(&p), 0.5)
            }
            Self::WholeWithMean(w) => (share(&blend(w, whole(), mean())), 0.5),
            Self::WholeWithWeighted(w) => (share(&blend(w, whole(), weighted())), 0.5),
            Self::MeanThreshold(t) => (share(&mean()), t),
        }
    }

    /// `cooperation` or `tension` under this variant.
    pub fn binary(self, labels: StanceLabels, read: &Read) -> &'static str {
        let (share, threshold) = self.share(labels, read);
        if share >= threshold {
            "tension"
        } else {
            "cooperation"
        }
    }
}

/// `P(t) / (P(t) + P(c))`, one half when both are 0.
fn tension_share(labels: StanceLabels, p: &[f32]) -> f32 {
    let (t, c) = (p[labels.tension], p[labels.cooperation]);
    if t + c > 0.0 {
        t / (t + c)
    } else {
        0.5
    }
}

/// The mean of `rows` weighted by `weight` of each (the plain mean when the weights sum to 0).
fn weighted_mean(rows: &[Vec<f32>], weight: &dyn Fn(&[f32]) -> f32) -> Vec<f32> {
    let width = rows.first().map_or(0, Vec::len);
    let mut sum = vec![0.0; width];
    let mut total = 0.0;
    for row in rows {
        let w = weight(row);
        total += w;
        sum.iter_mut().zip(row).for_each(|(s, p)| *s += w * p);
    }
    if total > 0.0 {
        sum.iter().map(|s| s / total).collect()
    } else if rows.is_empty() {
        sum
    } else {
        weighted_mean(rows, &|_| 1.0)
    }
}
