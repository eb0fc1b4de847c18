//! The command-line subcommands other than `serve`. Each is a thin shell over the core.

pub mod baseline;
pub mod classify;
pub mod client;
pub mod health;
pub mod info;
pub mod reload;
pub mod retrain;
pub mod train;
pub mod vectorize;

use std::path::PathBuf;

use accord::{Model, ModelStore};

/// Which model to use: a version in a models directory, or a model file.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// The models directory (one folder per version, and a CURRENT pointer).
    #[arg(long, env = "ACCORD_MODELS_DIR", default_value = "models")]
    pub models_dir: PathBuf,
    /// The version to use; defaults to the one CURRENT names, else `default`.
    #[arg(long, env = "ACCORD_MODEL")]
    pub model: Option<String>,
    /// A model file to use instead of a version in the models directory.
    #[arg(long, conflicts_with = "model")]
    pub model_file: Option<PathBuf>,
}

impl ModelArgs {
    pub fn load(&self) -> anyhow::Result<Model> {
        Ok(match &self.model_file {
            Some(path) => Model::load(path)?,
            None => ModelStore::new(&self.models_dir).load(self.model.as_deref())?,
        })
    }
}
