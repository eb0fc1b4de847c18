//! `accord classify`: JSON Lines articles in, one JSON line per article out: the
//! `ClassifyResponse` the service would return for it, printed in the proto3 JSON mapping
//! as grpcurl prints it.
//!
//! A line that cannot be an article (not UTF-8, not JSON, not a JSON object, a title or text
//! over the server's limit, empty text) is named on standard error with its file and line
//! number, and every other line is still classified and printed in input order.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use accord::grpc::v1 as pb;
use accord::grpc::{convert, json};
use accord::{Model, Options};

use super::{stdout_error, LinesFailed, ModelArgs};

#[derive(clap::Args, Debug)]
#[command(after_help = "Exit status: 0 when every article was classified; 3 when some lines \
    could not be (each is named on standard error with its file and line number) and the \
    others were printed; 1 when the run stopped (no model, an unreadable file); 2 for a \
    usage error. A closed standard output (`| head -1`) ends the run quietly with status 0.")]
pub struct ClassifyArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// JSON Lines files, `{"id", "title"?, "text"}` per line, read in turn; `-` or nothing
    /// reads standard input.
    inputs: Vec<PathBuf>,
    /// Evidence terms to list per head.
    #[arg(long, default_value_t = 0)]
    explain: usize,
    /// Also list each sentence's stance, with its byte offsets.
    #[arg(long)]
    sentences: bool,
    /// Longest accepted article title or text, in bytes: longer ones are refused as the
    /// server refuses them (the same setting and default as `accord serve`).
    #[arg(long, env = "ACCORD_MAX_TEXT_BYTES", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_text_bytes: u32,
    /// Also list the actors the article names and the relations between them.
    #[arg(long)]
    relations: bool,
}

/// Lines read and classified together: enough to keep every core busy, few enough that a
/// long feed streams through in bounded memory.
const BATCH_LINES: usize = 1024;

/// An input line: its number, and the article it holds or why it holds none.
type Line = (usize, Result<pb::Article, String>);

pub fn run(args: ClassifyArgs) -> anyhow::Result<()> {
    let model = args.model.load()?;
    let stdin = [PathBuf::from("-")];
    let inputs = if args.inputs.is_empty() { &stdin[..] } else { &args.inputs[..] };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failures = 0;
    for path in inputs {
        failures += classify_input(&model, &args, path, &mut out)?;
    }
    out.flush().map_err(stdout_error)?;
    if failures > 0 {
        return Err(LinesFailed(failures).into());
    }
    Ok(())
}

/// Classifies one input file (`-`: standard input); returns the number of lines that failed.
fn classify_input(model: &Model, args: &ClassifyArgs, path: &Path, out: &mut impl Write) -> anyhow::Result<usize> {
    let is_stdin = path.as_os_str() == "-";
    let name = if is_stdin { "standard input".to_owned() } else { path.display().to_string() };
    let mut input: Box<dyn BufRead> = if is_stdin {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
        Box::new(std::io::BufReader::new(file))
    };
    let limit = args.max_text_bytes as usize;
    let mut reader = LineReader { longest: longest_line(limit), buffer: Vec::new() };
    let (mut failures, mut articles, mut number) = (0, 0, 0);
    let mut batch: Vec<Line> = Vec::with_capacity(BATCH_LINES);
    while let Some(read) = reader.next(&mut input).with_context(|| format!("cannot read {name}"))? {
        number += 1;
        let article = match read {
            LineRead::Line(bytes) if bytes.trim_ascii().is_empty() => continue,
            LineRead::Line(bytes) => parse_article(bytes, limit),
            LineRead::TooLong(bytes) => Err(format!(
                "the line is {bytes} bytes or more, longer than an article within --max-text-bytes {limit} can be"
            )),
        };
        articles += 1;
        batch.push((number, article));
        if batch.len() == BATCH_LINES {
            failures += write_batch(model, args, &name, &std::mem::take(&mut batch), out)?;
        }
    }
    failures += write_batch(model, args, &name, &batch, out)?;
    if articles == 0 {
        eprintln!("accord classify: {name}: no articles (the input is empty)");
    }
    Ok(failures)
}

/// The longest line that can hold an article within `limit`: title and text of `limit`
/// bytes each, every byte escaped as `\u00XX` at worst, and room for the id and the rest.
fn longest_line(limit: usize) -> usize {
    limit.saturating_mul(12).saturating_add(64 << 10)
}

/// What one read of a line gives.
enum LineRead<'a> {
    /// A whole line, without its line end.
    Line(&'a [u8]),
    /// A line longer than the longest accepted, skipped to its end; at least this many bytes.
    TooLong(usize),
}

/// Reads lines of bytes, holding at most `longest` bytes of one line in memory.
struct LineReader {
    longest: usize,
    buffer: Vec<u8>,
}

impl LineReader {
    /// The next line, or `None` at the end of the input.
    fn next(&mut self, input: &mut impl BufRead) -> std::io::Result<Option<LineRead<'_>>> {
        self.buffer.clear();
        let cap = self.longest as u64 + 1;
        let read = std::io::Read::take(&mut *input, cap).read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        if self.buffer.last() == Some(&b'\n') {
            self.buffer.pop();
            if self.buffer.last() == Some(&b'\r') {
                self.buffer.pop();
            }
        } else if self.buffer.len() > self.longest {
            let skipped = skip_line(input)?;
            return Ok(Some(LineRead::TooLong(self.buffer.len() + skipped)));
        }
        Ok(Some(LineRead::Line(&self.buffer)))
    }
}

/// Skips the rest of a line, its line end included; returns the bytes skipped before it.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<usize> {
    let mut skipped = 0;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(skipped);
        }
        if let Some(end) = available.iter().position(|&b| b == b'\n') {
            input.consume(end + 1);
            return Ok(skipped + end);
        }
        let length = available.len();
        skipped += length;
        input.consume(length);
    }
}

/// One input line as an `Article` (its proto3 JSON mapping), or why it is not one.
fn parse_article(bytes: &[u8], limit: usize) -> Result<pb::Article, String> {
    let line = std::str::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 (byte {} of the line is not)", e.valid_up_to() + 1))?;
    let invalid = |e: serde_json::Error| format!("invalid JSON: {e}");
    if !line.trim_start().starts_with('{') {
        serde_json::from_str::<serde::de::IgnoredAny>(line).map_err(invalid)?;
        return Err(r#"not a JSON object: an article is {"id", "title"?, "text"}"#.into());
    }
    let article: pb::Article = serde_json::from_str(line).map_err(invalid)?;
    for (field, value) in [("title", &article.title), ("text", &article.text)] {
        if value.len() > limit {
            return Err(format!(
                "`{field}` is {} bytes, over the limit of {limit} bytes (--max-text-bytes)",
                value.len()
            ));
        }
    }
    if article.text.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    Ok(article)
}

/// Classifies `batch` on every core and writes the results in input order; returns the
/// number of lines that failed (each reported on stderr with its file and line number).
fn write_batch(
    model: &Model,
    args: &ClassifyArgs,
    name: &str,
    batch: &[Line],
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
                    lines
                        .iter()
                        .map(|(_, article)| {
                            let article = article.as_ref().map_err(String::clone)?;
                            classify(model, article, options)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut failures = 0;
    for ((number, _), result) in batch.iter().zip(results) {
        match result {
            Ok(json) => writeln!(out, "{json}").map_err(stdout_error)?,
            Err(message) => {
                failures += 1;
                eprintln!("accord classify: {name}: line {number}: {message}");
            }
        }
    }
    Ok(failures)
}

/// One article classified, as one JSON line.
fn classify(model: &Model, input: &pb::Article, options: &Options) -> Result<String, String> {
    let article = accord::Article { id: &input.id, title: &input.title, text: &input.text };
    let response = convert::classify(model, &article, options);
    json::to_line(&response).map_err(|e| e.to_string())
}
