//! `accord retrain` (behind `scripts/retrain`): train a new version, compare it with the
//! served model, promote it by renaming the `CURRENT` pointer, and have the server reload.
//!
//! Every step leaves a consistent state if the process dies: the new version is written to a
//! staging folder and renamed into place, the pointer is replaced by rename, and the server
//! is only asked to reload once the pointer names a complete version.

use std::path::Path;

use accord::train::promotion::Comparison;
use accord::{Model, ModelStore};

use super::client::{evaluations, ServerArgs};
use super::train::TrainSettings;

#[derive(clap::Args, Debug)]
pub struct RetrainArgs {
    #[command(flatten)]
    training: TrainSettings,
    #[command(flatten)]
    server: ServerArgs,
    /// The models directory the server loads from.
    #[arg(long, env = "ACCORD_MODELS_DIR", default_value = "models")]
    models_dir: std::path::PathBuf,
    /// Refuse a model whose held-out macro-F1 is lower than the served one's by more than this
    /// (0..1; 0.01 is one point) on any head.
    #[arg(long, default_value_t = 0.01)]
    margin: f64,
    /// Promote even a worse model.
    #[arg(long)]
    force: bool,
}

pub fn run(args: RetrainArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let served = runtime.block_on(args.server.model_info())?;
    eprintln!("served: {}", served.version);
    let store = ModelStore::new(&args.models_dir);
    let corpus = args.training.corpus()?;
    let model = train_version(&args.training, &corpus, &store)?;
    let comparison = Comparison::new(&evaluations(&served), &model.meta().evaluation);
    print_comparison(&served.version, model.version(), &comparison)?;
    let regressions = comparison.regressions(args.margin);
    if !regressions.is_empty() && !args.force {
        anyhow::bail!("not promoted ({}); use --force to promote anyway", regressions.join("; "));
    }
    store.promote(model.version())?;
    let reloaded = runtime.block_on(args.server.reload(""))?;
    let confirmed = runtime.block_on(args.server.model_info())?;
    anyhow::ensure!(
        confirmed.version == model.version(),
        "the server reports {} after reloading, not {}",
        confirmed.version,
        model.version()
    );
    super::print_line(format_args!("promoted: {} -> {}", reloaded.previous_version, reloaded.version))
}

/// Trains into a staging folder and renames it to `models/<version>`.
fn train_version(training: &TrainSettings, corpus: &accord::Corpus, store: &ModelStore) -> anyhow::Result<Model> {
    let staging = tempfile::Builder::new().prefix(".staging-").tempdir_in(store.directory())?;
    let model = training.train_into(corpus, staging.path())?;
    let target = store.directory().join(model.version());
    if target.join(accord::model::store::MODEL_FILE).is_file() {
        eprintln!("version {} already exists; keeping it", model.version());
    } else {
        std::fs::rename(staging.path(), &target)?;
        sync_directory(store.directory());
    }
    Ok(model)
}

fn sync_directory(directory: &Path) {
    if let Ok(dir) = std::fs::File::open(directory) {
        // Best effort: the rename happened; fsync makes it durable where the platform allows.
        let _ = dir.sync_all();
    }
}

fn print_comparison(old: &str, new: &str, comparison: &Comparison) -> anyhow::Result<()> {
    let mut lines = vec![format!("{old} -> {new}")];
    for head in &comparison.heads {
        match (head.old_macro_f1, head.delta()) {
            (Some(before), Some(delta)) => {
                lines.push(format!("  {}: macro-F1 {before:.4} -> {:.4} ({delta:+.4})", head.head, head.new_macro_f1))
            }
            _ => lines.push(format!("  {}: macro-F1 {:.4} (new head)", head.head, head.new_macro_f1)),
        }
    }
    for head in &comparison.dropped_heads {
        lines.push(format!("  {head}: missing from the new model"));
    }
    super::print_line(lines.join("\n"))
}
