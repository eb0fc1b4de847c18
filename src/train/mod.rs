//! Training: corpus → held-out split → TF-IDF → one logistic regression per head →
//! evaluation → (refit on everything) → [`Model`].
//!
//! Each head trains on a capped set of features (the `head_features` most frequent among its
//! training documents), fitted on its compressed sparse rows (`train/logistic/`, a linfa
//! algorithm over argmin's L-BFGS), and the weights are scattered back into the full
//! vocabulary, so that serving stays sparse.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use crate::model::file::ModelError;
use crate::model::{Model, ModelMeta, SentenceHead};
use crate::text::tokenizer::Tokenizer;
use crate::train::corpus::hex;

mod calibration;
mod config;
pub(crate) mod corpus;
mod cross_validation;
mod evaluation;
pub mod exchange;
mod fit;
mod jobs;
pub(crate) mod logistic;
mod names;
pub mod news;
mod numbered_terms;
mod parallel;
mod prepared;
pub mod promotion;
pub(crate) mod scores;
mod single_sentence;
mod split_fit;
#[cfg(test)]
mod tests;
pub(crate) mod validation;

pub use crate::model::meta::{
    ArticleValidation, CrossValidation, FoldScore, HeadEvaluation, HeadFolds, Learner, SentenceEvaluation,
    SentenceFolds, ValidationFigure,
};
pub(crate) use calibration::{cross_fitted, top_probabilities};
pub use config::TrainConfig;
pub use corpus::{Corpus, CorpusError, Document};
pub(crate) use cross_validation::mean_and_spread;
pub use cross_validation::Baseline;
use evaluation::{evaluate, Split};
pub use fit::FitError;
use jobs::{fit_all, Fits, Job};
pub use logistic::LogisticError;
pub(crate) use names::NAME_SHARE;
pub(crate) use prepared::Prepared;
use single_sentence::{sentence_plan, SentencePlan};
use split_fit::{Fitted, SplitFit};

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A [`TrainConfig`] or [`Validation`] setting is out of its range.
    #[error("invalid training setting `{field}`: {reason}")]
    InvalidConfig {
        /// The setting's name.
        field: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// No document carries a label, so there is no head to train.
    #[error("the corpus has no labeled documents")]
    NoHeads,
    /// A head's training documents carry fewer than two of its labels.
    #[error("head `{head}` has only {labels} label(s) among its training documents; it needs two")]
    TooFewLabels {
        /// The head's name.
        head: String,
        /// How many labels its training documents carry.
        labels: usize,
    },
    /// The [`Baseline`] failed on a cross-validation fold.
    #[error("the baseline failed on cross-validation fold {fold}: {reason}")]
    Baseline {
        /// The fold, from 0.
        fold: usize,
        /// The baseline's own message.
        reason: String,
    },
    /// The [`Baseline`] failed on the validation articles.
    #[error("the baseline failed on the validation articles: {0}")]
    BaselineOnArticles(String),
    /// A head's logistic regression did not fit.
    #[error("fitting head `{head}` failed: {source}")]
    Fit {
        /// The head's name.
        head: String,
        /// Why the fit failed.
        source: fit::FitError,
    },
    /// The news stories could not be scored.
    #[error(transparent)]
    News(#[from] news::NewsError),
    /// The trained model could not be built (its tokenizer settings, its encoding).
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Told about each step, for progress display.
pub trait Observer: Sync {
    /// Training has started `message` (a few words, e.g. "fitting on the training split").
    fn step(&self, message: &str);

    /// `done` of `total` items of a long phase (tokenizing, counting the vocabulary,
    /// vectorizing) are through; may be told from several threads.
    fn progress(&self, _phase: &str, _done: usize, _total: usize) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn step(&self, _: &str) {}
}

/// Trains a model on `corpus`; `created` is the training date (`YYYY-MM-DD`), recorded in the
/// model and its version, so that the same inputs give a byte-identical file.
pub fn train(
    corpus: &Corpus,
    config: &TrainConfig,
    created: &str,
    observer: &dyn Observer,
) -> Result<Model, TrainError> {
    train_with_validation(corpus, &Validation::default(), config, created, observer)
}

/// What a model is measured on besides its held-out split.
#[derive(Clone, Copy, Default)]
pub struct Validation<'a> {
    /// Hand-labeled whole articles, which train no head: they choose the article-stance
    /// exponent and give article-level figures.
    pub articles: Option<&'a Corpus>,
    /// Folds of a cross-validation of the whole recipe on the corpus; 0 for none.
    pub folds: usize,
    /// Another learner scored on the same folds.
    pub baseline: Option<&'a dyn Baseline>,
    /// Hand-labeled news stories on which the relations and the article stance that reads
    /// them are scored, beside a co-occurrence baseline.
    pub news: Option<&'a news::NewsStories>,
}

/// [`train`], then the measurements `validation` asks for, recorded in the model's metadata.
pub fn train_with_validation(
    corpus: &Corpus,
    validation: &Validation,
    config: &TrainConfig,
    created: &str,
    observer: &dyn Observer,
) -> Result<Model, TrainError> {
    config.check()?;
    if validation.folds == 1 {
        return Err(TrainError::InvalidConfig { field: "folds", reason: "cross-validation needs 2 or more".into() });
    }
    let config = &applicable(config, corpus);
    let heads: Vec<String> = corpus.heads().into_keys().collect();
    if heads.is_empty() {
        return Err(TrainError::NoHeads);
    }
    observer.step("tokenizing");
    let tokenizer = Tokenizer::new(config.tokenizer.clone()).map_err(ModelError::from)?;
    let word_vectors = config.sentence_head && config.sentence_head_word_vectors > 0.0;
    let prepared = Prepared::new(corpus, tokenizer, word_vectors, observer);
    let held_out = stratified_split(corpus, config);
    let mut jobs = Job::every_head(&prepared, &heads, config);
    let sentence_plan = config.sentence_head.then(|| sentence_plan(corpus, config)).flatten();
    jobs.extend(sentence_plan.as_ref().map(SentencePlan::job));

    let SplitFit { fitted, evaluation, sentence_evaluation, temperatures } =
        split_fit::fit_and_evaluate(&prepared, &jobs, heads.len(), &held_out, config, observer)?;
    let cross_validation = match validation.folds {
        0 => None,
        folds => {
            let baseline = validation.baseline;
            Some(cross_validation::cross_validate(
                &prepared,
                &heads,
                sentence_plan.as_ref(),
                folds,
                baseline,
                config,
                observer,
            )?)
        }
    };
    let Fitted { vectorizer, prefixes, heads: fitted, sentence_head: sentence_fit } = match config.refit_on_all {
        true => split_fit::refit_on_all(&prepared, &jobs, heads.len(), &temperatures, config, observer)?,
        false => fitted,
    };
    let word_vectors = prepared.word_block.clone();
    let sentence_head = sentence_fit.map(|head| SentenceHead { head, prefixes, word_vectors });
    let mut meta = model_meta(
        corpus,
        [validation.articles.map(Corpus::digest), validation.news.map(|n| n.digest.clone())],
        config,
        created,
        evaluation,
    );
    meta.cross_validation = cross_validation;
    meta.sentence_evaluation = sentence_evaluation;
    let actors = corpus.actors.as_deref().cloned();
    let parts = |meta| {
        Model::from_parts(meta, config.tokenizer.clone(), vectorizer.clone(), fitted.clone(), sentence_head.clone())
            .map(|model| model.with_actors(actors.clone()))
    };
    measured_on(validation, corpus, meta, &parts, config.seed, observer)
}

/// The model built by `parts` from `meta`, then measured on the validation articles and
/// news stories, each figure recorded in its metadata: the articles' figures first, since
/// they choose the article-stance exponent that the relations' scoring then reads.
fn measured_on(
    validation: &Validation,
    corpus: &Corpus,
    mut meta: ModelMeta,
    parts: &dyn Fn(ModelMeta) -> Result<Model, ModelError>,
    seed: u64,
    observer: &dyn Observer,
) -> Result<Model, TrainError> {
    let mut model = parts(meta.clone())?;
    if let Some(articles) = validation.articles {
        observer.step(&format!("validating on {} whole articles", articles.len()));
        if let Some(mut article_validation) = crate::train::validation::validate(&model, articles, seed) {
            if let Some(baseline) = validation.baseline {
                observer.step("baseline on the validation articles");
                article_validation.baseline = baseline_on_articles(baseline, corpus, articles)?;
            }
            if let Some(rule) = meta.config.article_stance.as_mut() {
                rule.exponent = article_validation.exponent;
            }
            meta.article_validation = Some(article_validation);
            model = parts(meta.clone())?;
        }
    }
    if let Some(news) = validation.news {
        observer.step(&format!("scoring relations on {} news stories", news.stories.len()));
        meta.relation_validation = Some(news::validate(&model, news)?);
        model = parts(meta)?;
    }
    Ok(model)
}

/// `baseline` trained on the whole corpus and scored on the validation articles.
fn baseline_on_articles(
    baseline: &dyn Baseline,
    corpus: &Corpus,
    articles: &Corpus,
) -> Result<Vec<ValidationFigure>, TrainError> {
    let (train, test): (Vec<&Document>, Vec<&Document>) =
        (corpus.documents.iter().collect(), articles.documents.iter().collect());
    let scores = baseline.score(&train, &test).map_err(TrainError::BaselineOnArticles)?;
    Ok(scores
        .into_iter()
        .map(|(head, score)| ValidationFigure {
            head,
            documents: score.documents,
            accuracy: score.accuracy,
            macro_f1: score.macro_f1,
        })
        .collect())
}

/// The config without an article-stance rule whose heads or labels the corpus lacks.
fn applicable(config: &TrainConfig, corpus: &Corpus) -> TrainConfig {
    let heads = corpus.heads();
    let has = |head: &str, label: &str| heads.get(head).is_some_and(|labels| labels.iter().any(|l| l == label));
    let keep = config
        .article_stance
        .as_ref()
        .is_some_and(|rule| has(&rule.stance_head, &rule.neutral_label) && has(&rule.topic_head, &rule.relation_label));
    TrainConfig { article_stance: config.article_stance.clone().filter(|_| keep), ..config.clone() }
}

fn model_meta(
    corpus: &Corpus,
    [articles, news]: [Option<String>; 2],
    config: &TrainConfig,
    created: &str,
    evaluation: Vec<HeadEvaluation>,
) -> ModelMeta {
    let corpus_digest = corpus.digest();
    let mut hasher = Sha256::new();
    hasher.update(corpus_digest.as_bytes());
    hasher.update(articles.unwrap_or_default().as_bytes());
    // Only when given, so that a model trained without stories keeps its version.
    if let Some(news) = news {
        hasher.update(news.as_bytes());
    }
    hasher.update(serde_json::to_string(config).unwrap_or_default().as_bytes());
    let digest = hex(&hasher.finalize());
    ModelMeta {
        version: format!("v{}-{}", created.replace('-', ""), &digest[..12]),
        created: created.to_owned(),
        corpus_digest,
        corpus_documents: corpus.len(),
        config: config.clone(),
        evaluation,
        article_validation: None,
        cross_validation: None,
        sentence_evaluation: None,
        relation_validation: None,
    }
}

/// Marks `test_fraction` of each group of documents with the same labels as held out, chosen
/// by a seeded shuffle. Groups too small to spare a document keep all of theirs for training.
pub fn stratified_split(corpus: &Corpus, config: &TrainConfig) -> Vec<bool> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut held_out = vec![false; corpus.len()];
    for members in label_groups(corpus).values_mut() {
        members.shuffle(&mut rng);
        let take = (members.len() as f64 * config.test_fraction).floor() as usize;
        members[..take].iter().for_each(|&i| held_out[i] = true);
    }
    held_out
}

/// The documents grouped by their labels on every head, in a fixed order.
fn label_groups(corpus: &Corpus) -> BTreeMap<String, Vec<usize>> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, document) in corpus.documents.iter().enumerate() {
        let key = document.labels.iter().map(|(h, l)| format!("{h}={l};")).collect::<String>();
        groups.entry(key).or_default().push(i);
    }
    groups
}
