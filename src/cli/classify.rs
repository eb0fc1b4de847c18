//! `accord classify`: JSON Lines articles in, one JSON line per article out, shaped as
//! grpcurl prints a `ClassifyResponse` (proto3 JSON).

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use accord::model::SentenceStance;
use accord::{Article, Field, HeadResult, Model, Options};
use serde::{Deserialize, Serialize};

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
}

#[derive(Deserialize)]
struct InputArticle {
    #[serde(default)]
    id: String,
    #[serde(default)]
    title: String,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    id: &'a str,
    predictions: BTreeMap<&'a str, Prediction<'a>>,
    model_version: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sentences: Vec<Sentence<'a>>,
}

#[derive(Serialize)]
struct Sentence<'a> {
    #[serde(skip_serializing_if = "is_zero")]
    start: usize,
    end: usize,
    label: &'a str,
    probability: f32,
    /// Left out for the text, as proto3 JSON leaves out a default enum value.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
}

fn is_zero(value: &usize) -> bool {
    *value == 0
}

#[derive(Serialize)]
struct Prediction<'a> {
    label: &'a str,
    probability: f32,
    probabilities: Vec<LabelProbability<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<Feature<'a>>,
}

#[derive(Serialize)]
struct LabelProbability<'a> {
    label: &'a str,
    probability: f32,
}

#[derive(Serialize)]
struct Feature<'a> {
    index: u32,
    term: &'a str,
    weight: f32,
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
    let results: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|lines| {
                scope.spawn(move || {
                    lines
                        .iter()
                        .map(|(_, line)| classify_line(model, line, args.explain, args.sentences))
                        .collect::<Vec<_>>()
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

fn classify_line(model: &Model, line: &str, explain: usize, sentences: bool) -> Result<String, String> {
    let input: InputArticle = serde_json::from_str(line).map_err(|e| format!("invalid JSON article: {e}"))?;
    if input.text.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    let article = Article { id: &input.id, title: &input.title, text: &input.text };
    let answer = model.classify(&article, &Options { explain, sentences });
    let output = Output {
        id: &input.id,
        predictions: answer.heads.iter().map(|r| (r.head, prediction(r))).collect(),
        model_version: model.version(),
        sentences: answer.sentences.iter().map(sentence).collect(),
    };
    serde_json::to_string(&output).map_err(|e| e.to_string())
}

fn sentence<'a>(stance: &SentenceStance<'a>) -> Sentence<'a> {
    Sentence {
        start: stance.range.start,
        end: stance.range.end,
        label: stance.label,
        probability: stance.probability,
        field: (stance.field == Field::Title).then_some("FIELD_TITLE"),
    }
}

fn prediction<'a>(result: &'a HeadResult<'a>) -> Prediction<'a> {
    Prediction {
        label: result.label(),
        probability: result.probability(),
        probabilities: result
            .ranked()
            .into_iter()
            .map(|(label, probability)| LabelProbability { label, probability })
            .collect(),
        evidence: result.evidence.iter().map(|e| Feature { index: e.index, term: e.term, weight: e.weight }).collect(),
    }
}
