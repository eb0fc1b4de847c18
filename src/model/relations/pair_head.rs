//! The pair-in-sentence head: for one sentence and two actors it names, the probabilities
//! that it reports no relation between them, cooperation, or tension — a linear model over
//! the features of [`crate::features::pair_context`], fitted on labeled sentence pairs
//! (`data/relation-sentences/`).

use serde::{Deserialize, Serialize};

use super::PairReader;
use crate::features::actors::{Gazetteer, Mention};
use crate::features::pair_context::{feature_key, for_each_feature, PairMention, PairSentence};
use crate::model::head::softmax_in_place;
use crate::text::tokens::Tokens;

/// The head's labels, in the order of its probabilities.
pub const PAIR_LABELS: [&str; 3] = ["none", "cooperation", "tension"];

/// One fitted pair head: a row of [`PAIR_LABELS`]-many weights per named feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairHead {
    /// Each feature's name: region (or kind of feature) and value.
    pub features: Vec<(String, String)>,
    /// One row of 3 weights per feature, row after row.
    pub weights: Vec<f32>,
    /// One bias per label.
    pub bias: [f32; 3],
    /// Whether the head reads the sentence stance's probabilities as features.
    pub reads_stance: bool,
    /// Each feature's key and row, sorted by key: built from `features`.
    #[serde(skip)]
    rows: Vec<(u64, u32)>,
}

/// Why a pair head cannot be served.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairHeadError {
    /// The weights are not one row of 3 per feature.
    #[error("pair head has {weights} weights for {features} features (3 per feature)")]
    Shape {
        /// Weights found.
        weights: usize,
        /// Features named.
        features: usize,
    },
    /// A weight or bias is not finite or is past the bound.
    #[error("pair head weight {0} is not finite or past ±{1}")]
    Weight(f32, f32),
    /// Two features have one key.
    #[error("pair head names feature {0}:{1} twice")]
    Duplicate(String, String),
}

/// The bound on a pair head's weights, far past any fitted one's.
pub const MAX_PAIR_WEIGHT: f32 = 1e3;

/// A sentence's reading of a pair: the head's three probabilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairReading {
    /// `P(none)`, `P(cooperation)`, `P(tension)`.
    pub probabilities: [f32; 3],
}

impl PairReading {
    /// The probability that the sentence reports a relation between the pair.
    pub fn relation(&self) -> f32 {
        1.0 - self.probabilities[0]
    }

    /// `P(tension) / (P(tension) + P(cooperation))`, or ½ when both are 0.
    pub fn tension_share(&self) -> f32 {
        let [_, cooperation, tension] = self.probabilities;
        if cooperation + tension > 0.0 {
            tension / (cooperation + tension)
        } else {
            0.5
        }
    }
}

impl PairHead {
    /// A head with these features, weights and biases, checked.
    pub fn new(
        features: Vec<(String, String)>,
        weights: Vec<f32>,
        bias: [f32; 3],
        reads_stance: bool,
    ) -> Result<Self, PairHeadError> {
        let mut head = Self { features, weights, bias, reads_stance, rows: Vec::new() };
        head.index()?;
        Ok(head)
    }

    /// Checks the head read from a file and builds its lookup.
    pub fn index(&mut self) -> Result<(), PairHeadError> {
        if self.weights.len() != 3 * self.features.len() {
            return Err(PairHeadError::Shape { weights: self.weights.len(), features: self.features.len() });
        }
        if let Some(&bad) =
            self.weights.iter().chain(&self.bias).find(|w| !(w.is_finite() && w.abs() <= MAX_PAIR_WEIGHT))
        {
            return Err(PairHeadError::Weight(bad, MAX_PAIR_WEIGHT));
        }
        let mut rows: Vec<(u64, u32)> = self
            .features
            .iter()
            .enumerate()
            .map(|(row, (region, value))| (feature_key(region, value), row as u32))
            .collect();
        rows.sort_unstable();
        if let Some(pair) = rows.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            let (region, value) = self.features[pair[1].1 as usize].clone();
            return Err(PairHeadError::Duplicate(region, value));
        }
        self.rows = rows;
        Ok(())
    }

    /// The head's probabilities for a row of named features with values (as training
    /// names them).
    pub fn read_named(&self, features: &[(&str, String, f32)]) -> [f32; 3] {
        let mut logits = self.bias;
        for (region, name, value) in features {
            self.add(&mut logits, feature_key(region, name), *value);
        }
        softmax_in_place(&mut logits);
        logits
    }

    /// The head's reading of `sentence`, whose field has these token `keys` and `spans`.
    pub fn read(&self, keys: &[u64], spans: &[(usize, usize)], sentence: &PairSentence) -> PairReading {
        let mut logits = self.bias;
        for_each_feature(spans, sentence, |feature, value| self.add(&mut logits, feature.key(keys), value));
        softmax_in_place(&mut logits);
        PairReading { probabilities: logits }
    }

    /// Adds feature `key`'s weights times `value` to `logits`, if the head has the feature.
    fn add(&self, logits: &mut [f32; 3], key: u64, value: f32) {
        if let Ok(found) = self.rows.binary_search_by_key(&key, |&(k, _)| k) {
            let start = 3 * self.rows[found].1 as usize;
            for (logit, weight) in logits.iter_mut().zip(&self.weights[start..start + 3]) {
                *logit += value * weight;
            }
        }
    }
}

/// A [`PairReader`] over an article read into [`Tokens`] (sentences split): the pair head
/// reads each sentence's features off the article's one token stream.
pub struct TokenPairReader<'a> {
    /// The head.
    pub head: &'a PairHead,
    /// The gazetteer the mentions' actors are in.
    pub gazetteer: &'a Gazetteer,
    /// The article's tokens and sentences, in the order the relations are given them.
    pub tokens: &'a Tokens,
}

impl PairReader for TokenPairReader<'_> {
    fn read(
        &self,
        sentence: usize,
        (first, second): (&Mention, &Mention),
        named: &[Mention],
        stance: [f32; 3],
    ) -> Option<PairReading> {
        let sentence = self.tokens.sentences().get(sentence)?;
        let field = self.tokens.field(sentence.field);
        let mention = |m: &Mention| {
            let kind = self.gazetteer.actor(m.actor)?.kind;
            Some(PairMention { start: m.start, end: m.end, kind })
        };
        let pair = PairSentence {
            tokens: sentence.tokens.clone(),
            a: mention(first)?,
            b: mention(second)?,
            actors: named.len(),
            between: named.iter().filter(|m| m.start >= first.end && m.end <= second.start).count(),
            stance: self.head.reads_stance.then_some(stance),
            field: sentence.field,
        };
        Some(self.head.read(field.keys(), field.span_pairs(), &pair))
    }
}
