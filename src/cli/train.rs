//! `accord train`: corpus in, model file and model card out.

use std::path::{Path, PathBuf};

use accord::model::store::{MODEL_CARD, MODEL_FILE};
use accord::train::{Baseline, Learner};
use accord::{Corpus, Model, TrainConfig, Validation};

use super::progress::TrainingProgress;

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    settings: TrainSettings,
    /// The version folder to write (model.bin, MODEL.md and its PNG pictures).
    #[arg(long)]
    out: PathBuf,
    /// Also write the held-out split as DIR/train.jsonl and DIR/test.jsonl (user format), so
    /// that another learner can be compared on exactly the same documents.
    #[arg(long, value_name = "DIR")]
    export_split: Option<PathBuf>,
}

/// The corpus and every training setting; shared by `train` and `retrain`.
#[derive(clap::Args, Debug)]
pub struct TrainSettings {
    /// Corpus inputs: directories with a corpus.toml, or .jsonl files of your own articles.
    #[arg(long, required = true, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// Hand-labeled whole articles (.jsonl, user format) that train no head: they choose the
    /// article-stance exponent and give article-level figures for the model card.
    #[arg(long, value_name = "JSONL")]
    validate_articles: Option<PathBuf>,
    /// Hand-labeled news stories (.jsonl with `labels.stance` and `relations`, see
    /// data/news) on which the trained model's actor relations and the article stance that
    /// reads them are scored, beside a co-occurrence baseline, for the model card. Needs a
    /// corpus with an actor gazetteer.
    #[arg(long, value_name = "JSONL")]
    validate_news: Option<PathBuf>,
    /// Also cross-validate the whole recipe in K folds and record each head's figures, with
    /// their spread, in the model card.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(2..=20))]
    cv: Option<u32>,
    /// With --cv: a command that trains another learner on each fold and prints its scores
    /// (see scripts/sklearn_baseline.py), recorded beside ours.
    #[arg(long, value_name = "COMMAND", requires = "cv")]
    cv_baseline: Option<String>,
    /// Seed of the held-out split.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Share of the corpus held out for evaluation.
    #[arg(long, default_value_t = TrainConfig::default().test_fraction)]
    test_fraction: f64,
    /// Vocabulary cap (unigrams and bigrams, most frequent first).
    #[arg(long, default_value_t = TrainConfig::default().vectorizer.max_features)]
    max_features: usize,
    /// Minimum number of training documents a term must occur in.
    #[arg(long, default_value_t = TrainConfig::default().vectorizer.min_df)]
    min_df: usize,
    /// Features each head trains on: the most frequent among its training documents.
    #[arg(long, default_value_t = TrainConfig::default().head_features)]
    head_features: usize,
    /// L2 penalty (scikit-learn's 1/C) of heads not named by --head-l2.
    #[arg(long, default_value_t = TrainConfig::default().l2)]
    l2: f32,
    /// A head's own L2 penalty, as HEAD=L2; repeatable. By default `topic` uses 0.333.
    #[arg(long = "head-l2", value_name = "HEAD=L2", value_parser = parse_head_l2)]
    head_l2: Vec<(String, f32)>,
    #[arg(long, default_value_t = TrainConfig::default().max_iterations)]
    max_iterations: u64,
    /// A head's learner, as HEAD=LEARNER (`multinomial`, `nb-one-vs-rest` or `nb-plus-plain`);
    /// repeatable. Heads not named use nb-one-vs-rest.
    #[arg(long = "learner", value_name = "HEAD=LEARNER", value_parser = parse_learner)]
    learners: Vec<(String, Learner)>,
    /// Ship the model fitted on the training split only, instead of refitting on everything.
    #[arg(long)]
    no_refit: bool,
    /// Keep each head's raw softmax instead of dividing its scores by a temperature chosen on
    /// the held-out split.
    #[arg(long)]
    no_calibration: bool,
    /// Answer single sentences with the stance head itself, instead of a head fitted with the
    /// sources' `sentence_weight`s.
    #[arg(long)]
    no_sentence_head: bool,
    /// Fit the single-sentence head with the sentence weights as they are, instead of
    /// weighing its labels equally.
    #[arg(long)]
    unbalanced_sentence_head: bool,
    /// Fit the single-sentence head with name-like terms too (people, places, organisations),
    /// instead of without them.
    #[arg(long)]
    sentence_head_with_names: bool,
    /// Characters of the word prefixes the single-sentence head reads beside the vocabulary
    /// (`attack…` for attacked, attacks, attacking); 0 for none.
    #[arg(long, value_name = "CHARS", default_value_t = TrainConfig::default().sentence_head_prefixes)]
    sentence_head_prefixes: usize,
    /// Weight of the single-sentence head's model of the mean word vector, when the corpus
    /// names word vectors (`word_vectors` in `corpus.toml`); 0 for none.
    #[arg(long, value_name = "WEIGHT", default_value_t = TrainConfig::default().sentence_head_word_vectors)]
    sentence_head_word_vectors: f32,
    /// Fit this head without name-like terms, as the single-sentence head is; repeatable.
    #[arg(long = "without-names", value_name = "HEAD")]
    without_names: Vec<String>,
    /// A head's weights fitted by another engine, as HEAD=FILE (the format in
    /// docs/scaling.md; rows from `accord vectorize --format svmlight`), shipped in place of
    /// the head accord fits on everything; repeatable.
    #[arg(long = "weights", value_name = "HEAD=FILE", value_parser = parse_weights)]
    weights: Vec<(String, PathBuf)>,
    /// Training date recorded in the model (YYYY-MM-DD); defaults to today (UTC).
    #[arg(long)]
    date: Option<String>,
}

impl TrainSettings {
    /// The training settings these flags give.
    pub fn config(&self) -> TrainConfig {
        let mut config = TrainConfig {
            seed: self.seed,
            test_fraction: self.test_fraction,
            head_features: self.head_features,
            l2: self.l2,
            max_iterations: self.max_iterations,
            refit_on_all: !self.no_refit,
            calibrate: !self.no_calibration,
            sentence_head: !self.no_sentence_head,
            balance_sentence_labels: !self.unbalanced_sentence_head,
            sentence_head_without_names: !self.sentence_head_with_names,
            sentence_head_prefixes: self.sentence_head_prefixes,
            sentence_head_word_vectors: self.sentence_head_word_vectors,
            ..TrainConfig::default()
        };
        config.heads_without_names.extend(self.without_names.iter().cloned());
        config.learners.extend(self.learners.iter().cloned());
        config.l2_by_head.extend(self.head_l2.iter().cloned());
        config.vectorizer.max_features = self.max_features;
        config.vectorizer.min_df = self.min_df;
        config
    }
}

fn parse_weights(value: &str) -> Result<(String, PathBuf), String> {
    let (head, file) = value.split_once('=').ok_or("expected HEAD=FILE, e.g. topic=topic.weights")?;
    Ok((head.to_owned(), PathBuf::from(file)))
}

fn parse_head_l2(value: &str) -> Result<(String, f32), String> {
    let (head, l2) = value.split_once('=').ok_or("expected HEAD=L2, e.g. topic=0.5")?;
    let l2: f32 = l2.parse().map_err(|_| format!("`{l2}` is not a number"))?;
    Ok((head.to_owned(), l2))
}

fn parse_learner(value: &str) -> Result<(String, Learner), String> {
    let (head, name) = value.split_once('=').ok_or("expected HEAD=LEARNER, e.g. topic=nb-one-vs-rest")?;
    let learner = Learner::from_name(name).ok_or_else(|| {
        format!("unknown learner `{name}`: expected `multinomial`, `nb-one-vs-rest` or `nb-plus-plain`")
    })?;
    Ok((head.to_owned(), learner))
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let corpus = args.settings.corpus()?;
    if let Some(directory) = &args.export_split {
        export_split(&corpus, &args.settings.config(), directory)?;
    }
    let model = args.settings.train_into(&corpus, &args.out)?;
    eprintln!("{}", super::info::summary(&model));
    Ok(())
}

impl TrainSettings {
    /// Reads the corpus inputs.
    pub fn corpus(&self) -> anyhow::Result<Corpus> {
        let corpus = Corpus::load(&self.corpus)?;
        eprintln!("accord train: {} documents, heads {:?}", corpus.len(), corpus.heads().keys().collect::<Vec<_>>());
        Ok(corpus)
    }

    /// Trains on `corpus` and writes `out/model.bin`, the card's pictures and `out/MODEL.md`,
    /// each atomically.
    pub fn train_into(&self, corpus: &Corpus, out: &Path) -> anyhow::Result<Model> {
        let config = self.config();
        config.check()?;
        let date = self.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
        let progress = TrainingProgress::on_stderr();
        let started = std::time::Instant::now();
        let articles =
            self.validate_articles.as_ref().map(|path| Corpus::load(std::slice::from_ref(path))).transpose()?;
        let baseline = self.cv_baseline.as_deref().map(super::baseline::CommandBaseline::new).transpose()?;
        let news = self.validate_news.as_deref().map(accord::train::news::NewsStories::load).transpose()?;
        let validation = Validation {
            news: news.as_ref(),
            articles: articles.as_ref(),
            folds: self.cv.unwrap_or(0) as usize,
            baseline: baseline.as_ref().map(|b| b as &dyn Baseline),
        };
        let model = accord::train_with_validation(corpus, &validation, &config, &date, &progress)?;
        progress.finish();
        let model = self.with_imported_weights(model)?;
        std::fs::create_dir_all(out)?;
        model.save(&out.join(MODEL_FILE))?;
        // The pictures first: the card links them, so it is written once they are in place.
        accord::report::charts::write_pictures(&model, out)?;
        let card = accord::report::model_card::render(&model, started.elapsed());
        accord::model::fsutil::write_atomically(&out.join(MODEL_CARD), card.as_bytes())?;
        eprintln!("wrote {} in {:.1?}", out.display(), started.elapsed());
        Ok(model)
    }
}

impl TrainSettings {
    /// `model` with each head named by `--weights` replaced by the file's weights.
    fn with_imported_weights(&self, mut model: Model) -> anyhow::Result<Model> {
        for (head, path) in &self.weights {
            let Some(expected) = model.heads().iter().find(|h| &h.name == head) else {
                let heads: Vec<&str> = model.heads().iter().map(|h| h.name.as_str()).collect();
                anyhow::bail!(
                    "--weights {head}={}: the model has no head `{head}` (its heads: {})",
                    path.display(),
                    heads.join(", ")
                );
            };
            let imported = accord::train::exchange::read_weights(path, expected, model.vectorizer())?;
            model = model.with_head(imported)?;
            eprintln!("head `{head}`: weights from {}", path.display());
        }
        Ok(model)
    }
}

fn export_split(corpus: &Corpus, config: &TrainConfig, directory: &Path) -> anyhow::Result<()> {
    let held_out = accord::train::stratified_split(corpus, config);
    let mut files = [String::new(), String::new()];
    for (document, &test) in corpus.documents.iter().zip(&held_out) {
        files[test as usize].push_str(&serde_json::to_string(document)?);
        files[test as usize].push('\n');
    }
    std::fs::create_dir_all(directory)?;
    std::fs::write(directory.join("train.jsonl"), &files[0])?;
    std::fs::write(directory.join("test.jsonl"), &files[1])?;
    Ok(())
}
