//! What a model records about itself: where it came from, the settings it was trained
//! with and the figures training measured. Plain data, filled in by training
//! (the `train` layer) and stored in the model file; nothing here trains or scores.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::features::vectorizer::VectorizerSettings;
use crate::model::stance_rule::ArticleStance;
use crate::text::tokenizer::TokenizerSettings;

/// What a model says about itself: where it came from and how well it did on held-out data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// `v<date>-<digest>`: the training date and a digest of the corpus and settings.
    pub version: String,
    /// Training date, `YYYY-MM-DD`.
    pub created: String,
    /// SHA-256 of the training corpus, hex.
    pub corpus_digest: String,
    /// Documents in the training corpus.
    pub corpus_documents: usize,
    /// The recipe the model was trained with.
    pub config: TrainConfig,
    /// Per-head figures on the held-out split.
    pub evaluation: Vec<HeadEvaluation>,
    /// Figures on hand-labeled whole articles, when training was given them.
    pub article_validation: Option<ArticleValidation>,
    /// K-fold cross-validation of the recipe, when training was asked for it.
    pub cross_validation: Option<CrossValidation>,
    /// The single-sentence head's figures, when the model has one.
    pub sentence_evaluation: Option<SentenceEvaluation>,
    /// Relation figures on hand-labeled news stories, when training was given them.
    pub relation_validation: Option<RelationValidation>,
}

/// Everything that decides the trained model besides the corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Seed of the held-out split.
    pub seed: u64,
    /// Share of each label group held out for evaluation.
    pub test_fraction: f64,
    /// How text is tokenized.
    pub tokenizer: TokenizerSettings,
    /// How the vocabulary is learned.
    pub vectorizer: VectorizerSettings,
    /// Features each head trains on: the most frequent among its training documents.
    pub head_features: usize,
    /// L2 penalty of the logistic loss (scikit-learn's `1 / C`) of heads not in `l2_by_head`.
    pub l2: f32,
    /// The L2 penalty of each head named here.
    pub l2_by_head: BTreeMap<String, f32>,
    /// Most optimizer iterations per head.
    pub max_iterations: u64,
    /// The learner of each head by name; heads not named use the default [`Learner`].
    pub learners: BTreeMap<String, Learner>,
    /// After evaluation, fit the shipped model on all documents (the held-out figures then
    /// describe the same recipe trained on less data).
    pub refit_on_all: bool,
    /// Divide each head's scores by a softmax temperature chosen on the held-out split.
    pub calibrate: bool,
    /// How a whole article's stance is decided; dropped when the corpus lacks its heads.
    pub article_stance: Option<ArticleStance>,
    /// Also fit the rule's stance head with the documents' sentence weights, to answer inputs
    /// of one sentence; done only when some sentence weight differs from the weight.
    pub sentence_head: bool,
    /// Weigh the single-sentence head's labels equally (see `single_sentence::fit_weights`).
    pub balance_sentence_labels: bool,
    /// Fit the single-sentence head without name-like terms (see `train/names.rs`).
    pub sentence_head_without_names: bool,
    /// Heads fitted without name-like terms.
    pub heads_without_names: BTreeSet<String>,
    /// Characters of the word prefixes the single-sentence head also reads (see
    /// [`crate::features::word_prefixes`]); 0 for none.
    pub sentence_head_prefixes: usize,
    /// Weight of the single-sentence head's model of the mean word vector (see
    /// [`crate::features::word_vectors`]), when the corpus has word vectors; 0 for none.
    pub sentence_head_word_vectors: f32,
    /// The L2 penalty of that model (scikit-learn's `1 / C`).
    pub word_vectors_l2: f32,
}

/// How a head's weights are learned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Learner {
    /// One multinomial logistic regression over all labels.
    Multinomial,
    /// One binary logistic regression per label, on features scaled by their naive-Bayes
    /// log-count ratio for that label (NB-LR, Wang & Manning 2012); the scores are combined by
    /// softmax. The scaling folds into the weights, so serving costs the same.
    #[default]
    NaiveBayesOneVsRest,
    /// NB-LR's binary models and plain binary logistic regressions on the unscaled features,
    /// their log-odds summed per label: a two-member ensemble that is still one linear head.
    NaiveBayesPlusPlain,
}

/// A head's figures on held-out documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadEvaluation {
    /// The head's name.
    pub head: String,
    /// Its labels, in the order of `confusion`.
    pub labels: Vec<String>,
    /// Documents it was trained on.
    pub train_documents: usize,
    /// Held-out documents it was scored on.
    pub test_documents: usize,
    /// Share of held-out documents labeled right.
    pub accuracy: f64,
    /// Mean F1 over the labels.
    pub macro_f1: f64,
    /// `confusion[true][predicted]`, in the order of `labels`.
    pub confusion: Vec<Vec<u32>>,
    /// Expected calibration error of the top label's probability on the held-out split:
    /// over ten equal-width probability bins, each bin's gap between mean probability and
    /// accuracy, weighted by its share of the documents (0: perfectly calibrated).
    pub calibration_error: f64,
    /// The softmax temperature the head's scores were divided by (1: none).
    pub temperature: f64,
}

/// The single-sentence head's figures on the held-out documents it counts (sentence weight
/// above 0), beside the stance head's own on the same documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceEvaluation {
    /// The single-sentence head on those documents.
    pub head: HeadEvaluation,
    /// The stance head (calibrated) on the same documents.
    pub stance_head: Option<HeadEvaluation>,
}

/// What cross-validation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Number of folds.
    pub folds: usize,
    /// What the baseline is, in a few words; `None` without one.
    pub baseline: Option<String>,
    /// Each head's scores, fold by fold.
    pub heads: Vec<HeadFolds>,
    /// With a single-sentence head.
    pub single_sentences: Option<SentenceFolds>,
}

/// One fold's score for one head.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FoldScore {
    /// Documents of the fold that carry the head's label.
    pub documents: usize,
    /// Share labeled right.
    pub accuracy: f64,
    /// Mean F1 over the labels.
    pub macro_f1: f64,
}

/// One head's scores, fold by fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadFolds {
    /// The head's name.
    pub head: String,
    /// The recipe's scores.
    pub accord: Vec<FoldScore>,
    /// The baseline's scores on the same folds (empty without a baseline).
    pub baseline: Vec<FoldScore>,
}

/// The single-sentence head's scores, fold by fold, on each fold's documents with a sentence
/// weight above 0, beside the stance head's and the baseline's on the same documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceFolds {
    /// The single-sentence head's name.
    pub head: String,
    /// The single-sentence head's scores.
    pub accord: Vec<FoldScore>,
    /// The stance head's scores on the same documents.
    pub stance_head: Vec<FoldScore>,
    /// The baseline, trained on the fold's whole complement as for the heads (empty without
    /// a baseline).
    pub baseline: Vec<FoldScore>,
}

/// What the validation articles said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleValidation {
    /// Number of validation articles.
    pub documents: usize,
    /// SHA-256 of the validation articles.
    pub digest: String,
    /// Every head with labels in the set; the stance head's figure is nested cross-validation.
    pub heads: Vec<ValidationFigure>,
    /// Articles labeled with a non-neutral stance, scored on the larger non-neutral probability.
    pub stance_non_neutral: Option<ValidationFigure>,
    /// The exponent chosen on all the articles.
    pub exponent: f32,
    /// Stance macro-F1 on all the articles for each exponent tried (chosen on these, so
    /// optimistic; the nested figure above is the one to quote).
    pub exponent_scores: Vec<(f32, f64)>,
    /// A baseline learner's figures on the same articles, trained on the whole corpus, by
    /// the names of [`ArticleValidation::heads`] and `stance_non_neutral` (empty without one).
    pub baseline: Vec<ValidationFigure>,
}

/// One head's figures on the validation articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationFigure {
    /// The head's name (or `stance_non_neutral`).
    pub head: String,
    /// Articles labeled for it.
    pub documents: usize,
    /// Share labeled right.
    pub accuracy: f64,
    /// Mean F1 over the labels.
    pub macro_f1: f64,
}

/// What the hand-labeled news stories said about the actor relations and the article stance
/// that reads them, beside a co-occurrence baseline on the same stories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationValidation {
    /// Number of stories.
    pub stories: usize,
    /// SHA-256 of the stories file.
    pub digest: String,
    /// The model's relations, as it serves them.
    pub relations: PairCounts,
    /// Every pair named in one sentence, stance from the sentence, main the most co-mentioned.
    pub baseline: PairCounts,
    /// The article stance under each rule, with the model's relations and with the baseline's.
    pub article_stance: Vec<StanceFigure>,
}

/// Pair, main-pair, stance and no-relation counts over stories.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairCounts {
    /// Predicted pairs that are labeled pairs of their story.
    pub true_pairs: usize,
    /// Pairs predicted.
    pub predicted: usize,
    /// Pairs labeled.
    pub labeled: usize,
    /// Found pairs whose stance is the labeled one.
    pub stance_right: usize,
    /// Stories with a labeled main pair.
    pub with_main: usize,
    /// Of those, stories whose first predicted pair is a labeled main pair.
    pub main_found: usize,
    /// Stories labeled with no relation.
    pub without_relation: usize,
    /// Of those, stories answered with no relation.
    pub answered_none: usize,
}

impl PairCounts {
    /// Share of predicted pairs that are labeled.
    pub fn precision(&self) -> f64 {
        ratio(self.true_pairs, self.predicted)
    }

    /// Share of labeled pairs that are predicted.
    pub fn recall(&self) -> f64 {
        ratio(self.true_pairs, self.labeled)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }

    /// Share of stories with a main pair whose first predicted pair is one.
    pub fn main_recall(&self) -> f64 {
        ratio(self.main_found, self.with_main)
    }

    /// Share of found pairs with the labeled stance.
    pub fn stance_accuracy(&self) -> f64 {
        ratio(self.stance_right, self.true_pairs)
    }

    /// Share of relation-free stories answered with none.
    pub fn none_share(&self) -> f64 {
        ratio(self.answered_none, self.without_relation)
    }
}

/// `a / b`, 0 when `b` is 0.
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The article stance under one rule, with one method's relations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceFigure {
    /// Whose relations the rule read: `accord` or `baseline`.
    pub relations: String,
    /// The rule, in a few words.
    pub rule: String,
    /// 3-class macro-F1 over all stories.
    pub macro_f1: f64,
    /// Cooperation-vs-tension macro-F1 over the stories labeled with either.
    pub cooperation_vs_tension: f64,
}
