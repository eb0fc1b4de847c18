//! `accord reload`: ask a running server to load a model version and swap it in.

use super::client::ServerArgs;

#[derive(clap::Args, Debug)]
pub struct ReloadArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The version to load; by default the one the models directory's CURRENT names.
    #[arg(long, default_value = "")]
    version: String,
}

pub fn run(args: ReloadArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let response = runtime.block_on(args.server.reload(&args.version))?;
    super::print_line(format_args!("reloaded: {} -> {}", response.previous_version, response.version))
}
