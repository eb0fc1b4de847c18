//! The `accord` command: train a model, inspect it, classify files, or serve it over gRPC.

mod cli;
mod server;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "accord", version, about = "News classification: tokens, TF-IDF features, topic and stance")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the model over gRPC (with health checking and reflection).
    Serve(server::ServeArgs),
    /// Train a model from a labeled corpus and write it with its model card.
    Train(cli::train::TrainArgs),
    /// Write a corpus's TF-IDF rows for one head (svmlight), for another learning engine.
    Vectorize(cli::vectorize::VectorizeArgs),
    /// Print a model's summary: the served one's with --server, else one in the models folder.
    Info(cli::info::InfoArgs),
    /// Train a new version, compare it with the served model, promote it and reload the server.
    Retrain(cli::retrain::RetrainArgs),
    /// Ask a running server to reload its model (the version CURRENT names, or --version).
    Reload(cli::reload::ReloadArgs),
    /// Classify JSON Lines articles from a file or stdin, one JSON line out per article.
    Classify(cli::classify::ClassifyArgs),
    /// Ask a running server's grpc.health.v1 service whether it serves; exit 0 only if so.
    Health(cli::health::HealthArgs),
}

fn main() -> std::process::ExitCode {
    let result = match Cli::parse().command {
        Command::Serve(args) => server::run(args),
        Command::Train(args) => cli::train::run(args),
        Command::Vectorize(args) => cli::vectorize::run(args),
        Command::Info(args) => cli::info::run(args),
        Command::Classify(args) => cli::classify::run(args),
        Command::Retrain(args) => cli::retrain::run(args),
        Command::Reload(args) => cli::reload::run(args),
        Command::Health(args) => cli::health::run(args),
    };
    cli::exit_status(result)
}
