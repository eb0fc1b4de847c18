//! `accord classify`: JSON Lines articles in, one JSON line per article out: the
//! `ClassifyResponse` the service would return for it, printed in the proto3 JSON mapping
//! as grpcurl prints it.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use accord::grpc::v1 as pb;
use accord::grpc::{convert, json};
use accord::{Model, Options};

use super::ModelArgs;

#[derive(clap::Args, Debug)]
pub struct ClassifyArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// JSON Lines input, `{"id", "title"?, "text"}` per line; `-` or nothing reads stdin.
    input: Option<PathBuf>,
    /// Evidence terms to list per head.
    #[arg(long, default_value_t = 0)]
    explain: usize,
    /// Also list each sentence's stance, with its byte offsets.
    #[arg(long)]
    sentences: bool,
    /// Also list the actors the article names and the relations between them.
    #[arg(long)]
    relations: bool,
}

/// Lines read and classified together: enough to keep every core busy, few enough that a
/// long feed streams through in bounded memory.
const BATCH_LINES: usize = 1024;

pub fn run(args: ClassifyArgs) -> anyhow::Result<()> {
    let model = args.model.load()?;
    let input: Box<dyn BufRead> = match args.input.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(std::io::BufReader::new(std::fs::File::open(path)?)),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failures = 0usize;
    let mut batch: Vec<(usize, String)> = Vec::with_capacity(BATCH_LINES);
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        if !line.trim().is_empty() {
            batch.push((index + 1, line));
        }
        if batch.len() == BATCH_LINES {
            failures += write_batch(&model, &args, &std::mem::take(&mut batch), &mut out)?;
        }
    }
    failures += write_batch(&model, &args, &batch, &mut out)?;
    out.flush()?;
    anyhow::ensure!(failures == 0, "{failures} line(s) could not be classified");
    Ok(())
}

/// Classifies `batch` on every core and writes the results in input order; returns the
/// number of lines that failed (each reported on stderr with its line number).
fn write_batch(
    model: &Model,
    args: &ClassifyArgs,
    batch: &[(usize, String)],
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = batch.len().div_ceil(workers).max(1);
    let options = Options { explain: args.explain, sentences: args.sentences, relations: args.relations };
    let options = &options;
    let results: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|lines| {
                scope.spawn(move || {
                    lines.iter().map(|(_, line)| classify_line(model, line, options)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut failures = 0;
    for ((number, _), result) in batch.iter().zip(results) {
        match result {
            Ok(json) => writeln!(out, "{json}")?,
            Err(message) => {
                failures += 1;
                eprintln!("accord classify: line {number}: {message}");
            }
        }
    }
    Ok(failures)
}

/// One input line (an `Article` in its proto3 JSON mapping) classified, as one JSON line.
fn classify_line(model: &Model, line: &str, options: &Options) -> Result<String, String> {
    let input: pb::Article = serde_json::from_str(line).map_err(|e| format!("invalid JSON article: {e}"))?;
    if input.text.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    let article = accord::Article { id: &input.id, title: &input.title, text: &input.text };
    let response = convert::classify(model, &article, options);
    json::to_line(&response).map_err(|e| e.to_string())
}
