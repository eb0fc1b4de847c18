//! `accord train`: corpus in, model file and model card out.

use std::path::PathBuf;
use std::time::Duration;

use accord::store::{MODEL_CARD, MODEL_FILE};
use accord::train::Observer;
use accord::{Corpus, TrainConfig};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// Corpus inputs: directories with a corpus.toml, or .jsonl files of your own articles.
    #[arg(long, required = true, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// The version folder to write (model.bin and MODEL.md).
    #[arg(long)]
    out: PathBuf,
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
    /// Features each head trains on (bounds training memory and time).
    #[arg(long, default_value_t = TrainConfig::default().head_features)]
    head_features: usize,
    /// L2 penalty (scikit-learn's 1/C).
    #[arg(long, default_value_t = TrainConfig::default().l2)]
    l2: f32,
    #[arg(long, default_value_t = TrainConfig::default().max_iterations)]
    max_iterations: u64,
    /// Ship the model fitted on the training split only, instead of refitting on everything.
    #[arg(long)]
    no_refit: bool,
    /// Also write the held-out split as DIR/train.jsonl and DIR/test.jsonl (user format), so
    /// that another learner can be compared on exactly the same documents.
    #[arg(long, value_name = "DIR")]
    export_split: Option<PathBuf>,
    /// Training date recorded in the model (YYYY-MM-DD); defaults to today (UTC).
    #[arg(long)]
    date: Option<String>,
}

impl TrainArgs {
    fn config(&self) -> TrainConfig {
        let mut config = TrainConfig {
            seed: self.seed,
            test_fraction: self.test_fraction,
            head_features: self.head_features,
            l2: self.l2,
            max_iterations: self.max_iterations,
            refit_on_all: !self.no_refit,
            ..TrainConfig::default()
        };
        config.vectorizer.max_features = self.max_features;
        config.vectorizer.min_df = self.min_df;
        config
    }
}

struct Spinner(ProgressBar);

impl Observer for Spinner {
    fn step(&self, message: &str) {
        self.0.println(format!("  {message}"));
        self.0.set_message(message.to_owned());
    }
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let config = args.config();
    config.check()?;
    let date = args.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let corpus = Corpus::load(&args.corpus)?;
    if let Some(directory) = &args.export_split {
        export_split(&corpus, &config, directory)?;
    }
    eprintln!("accord train: {} documents, heads {:?}", corpus.len(), corpus.heads().keys().collect::<Vec<_>>());
    let spinner = ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}")?);
    spinner.enable_steady_tick(Duration::from_millis(120));
    let started = std::time::Instant::now();
    let model = accord::train(&corpus, &config, &date, &Spinner(spinner.clone()))?;
    spinner.finish_and_clear();
    std::fs::create_dir_all(&args.out)?;
    model.save(&args.out.join(MODEL_FILE))?;
    let card = accord::model_card::render(&model, started.elapsed());
    accord::fsutil::write_atomically(&args.out.join(MODEL_CARD), card.as_bytes())?;
    eprintln!("{}", super::info::summary(&model));
    eprintln!("wrote {} in {:.1?}", args.out.display(), started.elapsed());
    Ok(())
}

fn export_split(corpus: &Corpus, config: &TrainConfig, directory: &std::path::Path) -> anyhow::Result<()> {
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
