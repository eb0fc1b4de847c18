//! `accord vectorize`: a corpus's TF-IDF rows for one head, in a format other learning engines
//! read, so that a head can be fitted elsewhere and brought back with `accord train --weights`.

use std::path::PathBuf;

use accord::train::exchange::{head_rows, write_svmlight};

use super::progress::TrainingProgress;
use super::train::TrainSettings;

/// The formats `accord vectorize` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RowFormat {
    /// `LABEL FEATURE:VALUE ...` per document (labels from 0, features from 1).
    Svmlight,
}

#[derive(clap::Args, Debug)]
pub struct VectorizeArgs {
    /// The same corpus and settings as the `accord train` run the weights will go into: the
    /// rows are over the vocabulary it fits on every document.
    #[command(flatten)]
    settings: TrainSettings,
    /// The head whose labels the rows carry; documents without its label are left out.
    #[arg(long)]
    head: String,
    #[arg(long, value_enum, default_value = "svmlight")]
    format: RowFormat,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: VectorizeArgs) -> anyhow::Result<()> {
    let corpus = args.settings.corpus()?;
    let config = args.settings.config();
    config.check()?;
    let spinner = TrainingProgress::hidden();
    let rows = head_rows(&corpus, &config, &args.head, &spinner)?;
    let RowFormat::Svmlight = args.format;
    let mut bytes = Vec::new();
    write_svmlight(&rows, &args.head, &mut bytes)?;
    accord::model::fsutil::write_atomically(&args.out, &bytes)?;
    eprintln!(
        "wrote {} rows over {} features to {} ({} documents without a `{}` label left out)",
        rows.rows.len(),
        rows.vectorizer.dimensions(),
        args.out.display(),
        rows.unlabelled,
        args.head
    );
    Ok(())
}
