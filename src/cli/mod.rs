//! The command-line subcommands other than `serve`. Each is a thin shell over the core.

pub mod baseline;
pub mod classify;
pub mod client;
pub mod health;
pub mod info;
pub mod progress;
pub mod reload;
pub mod retrain;
pub mod train;
pub mod vectorize;

use std::fmt::Display;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use accord::{Model, ModelStore};

/// Standard output was closed by its reader (`accord info | head -1`): the program ends
/// quietly with status 0, as Unix tools do.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
pub struct StdoutClosed;

/// Some input lines could not be classified (each was named on standard error); the others
/// were printed. Ends the program with [`SOME_LINES_FAILED`].
#[derive(Debug, thiserror::Error)]
#[error("{0} line(s) could not be classified; the others were printed")]
pub struct LinesFailed(pub usize);

/// Exit status of `accord classify` when some lines could not be classified and the others
/// were printed (1 is a run that stopped, 2 a usage error).
pub const SOME_LINES_FAILED: u8 = 3;

/// A failed write to standard output: [`StdoutClosed`] for a closed pipe, which `main` ends
/// quietly on.
pub fn stdout_error(error: std::io::Error) -> anyhow::Error {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        StdoutClosed.into()
    } else {
        anyhow::Error::new(error).context("cannot write to standard output")
    }
}

/// Prints `text` and a newline on standard output (and flushes it); a closed pipe is
/// [`StdoutClosed`] instead of a panic.
pub fn print_line(text: impl Display) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|()| out.flush()).map_err(stdout_error)
}

/// The process's exit status for a subcommand's result, with the error on standard error:
/// 0 also when standard output was closed, [`SOME_LINES_FAILED`] when some input lines
/// could not be classified, 1 for any other error.
pub fn exit_status(result: anyhow::Result<()>) -> ExitCode {
    let Err(error) = result else { return ExitCode::SUCCESS };
    if error.downcast_ref::<StdoutClosed>().is_some() {
        return ExitCode::SUCCESS;
    }
    // Standard error may be closed too; there is nowhere left to say so.
    let _ = writeln!(std::io::stderr(), "accord: {error:#}");
    if error.downcast_ref::<LinesFailed>().is_some() {
        ExitCode::from(SOME_LINES_FAILED)
    } else {
        ExitCode::FAILURE
    }
}

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
