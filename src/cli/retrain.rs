//! `accord retrain` (behind `scripts/retrain`): train a new version, compare it with the
//! served model, promote it by renaming the `CURRENT` pointer, and have the server reload.
//!
//! Every step leaves a consistent state if the process dies: the new version is written to a
//! staging folder and renamed into place, the pointer is replaced by rename, and the server
//! is only asked to reload once the pointer names a complete version.

use std::path::Path;

use accord::train::promotion::Comparison;
use accord::{Model, ModelStore};

use accord::grpc::convert;
use accord::grpc::v1::ModelInfo;

use super::client::{evaluations, ServerArgs};
use super::info::relation_lines;
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
    super::print_line(comparison_lines(&served, &model, &comparison).join("\n"))?;
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

/// The served and the new model's held-out macro-F1 per head, then the relation figures each
/// records (the new model's first).
fn comparison_lines(served: &ModelInfo, model: &Model, comparison: &Comparison) -> Vec<String> {
    let mut lines = vec![format!("{} -> {}", served.version, model.version())];
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
    let relations = [
        (model.version(), convert::model_info(model).relation_validation),
        (&served.version, served.relation_validation.clone()),
    ];
    for (version, validation) in relations {
        if let Some(validation) = validation {
            lines.push(format!("{version}:"));
            lines.extend(relation_lines(&validation).into_iter().map(|line| format!("  {line}")));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_shows_the_relation_figures_of_the_new_and_the_served_model() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin");
        let model = Model::load(&path).expect("the shipped model loads");
        let recorded = model.meta().relation_validation.as_ref().expect("the shipped model records relation figures");
        let served_without = ModelInfo { version: "v-served".into(), ..ModelInfo::default() };
        let comparison = Comparison::new(&[], &model.meta().evaluation);
        let lines = comparison_lines(&served_without, &model, &comparison);
        let f1 = format!("F1 {:.4} ({} predicted", recorded.relations.f1(), recorded.relations.predicted);
        let at = lines.iter().position(|l| l == &format!("{}:", model.version())).expect("the new model's block");
        assert!(lines[at + 1].starts_with(&format!("  relations on {} ", recorded.stories)), "{lines:#?}");
        assert!(lines[at + 2].starts_with("    accord: ") && lines[at + 2].contains(&f1), "{lines:#?}");
        assert!(!lines.iter().any(|l| l == "v-served:"), "{lines:#?}");

        let served_with = ModelInfo { version: "v-served".into(), ..convert::model_info(&model) };
        let lines = comparison_lines(&served_with, &model, &comparison);
        let at = lines.iter().position(|l| l == "v-served:").expect("the served model's block");
        assert!(lines[at + 2].contains(&f1), "{lines:#?}");
    }
}
