//! `accord info`: a model's summary, either the served model's (`--server`, asked with
//! GetModelInfo) or one read from the models folder (the default).

use accord::grpc::v1::{ModelInfo, PairFigures, RelationValidation};
use accord::grpc::{convert, json};
use accord::Model;

use super::client::{self, TlsArgs};
use super::ModelArgs;

#[derive(clap::Args, Debug)]
#[command(after_help = "Without --server, info reads the model from the models folder \
    (--models-dir, --model or --model-file), not the one a server is serving.")]
pub struct InfoArgs {
    /// Ask a running server for the model it serves (GetModelInfo) instead of reading the
    /// models folder: `HOST:PORT` or a URL, `http://HOST:PORT` or `https://HOST:PORT`.
    #[arg(long, value_name = "ADDR", conflicts_with = "model_file")]
    server: Option<String>,
    #[command(flatten)]
    tls: TlsArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Print what `GetModelInfo` returns for the model (its `ModelInfo`, in the proto3 JSON
    /// mapping, as grpcurl prints it) instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    if let Some(server) = &args.server {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let info = runtime.block_on(async { client::model_info(client::connect(server, &args.tls).await?).await })?;
        return super::print_line(if args.json { json::to_pretty(&info)? } else { served_summary(&info) });
    }
    anyhow::ensure!(
        args.tls.ca_cert.is_none() && !args.tls.tls,
        "--tls and --ca-cert are for --server: without it, info reads the models folder"
    );
    let model = args.model.load()?;
    super::print_line(if args.json { json::to_pretty(&convert::model_info(&model))? } else { summary(&model) })
}

/// The served model's summary, from what GetModelInfo returns: version, vocabulary, heads
/// and their held-out figures.
pub fn served_summary(info: &ModelInfo) -> String {
    let mut lines = vec![
        format!("served model {} (trained {}, {} documents)", info.version, info.created, info.corpus_documents),
        format!("vocabulary: {} terms", info.dimensions),
    ];
    for head in &info.heads {
        let figures = head.metrics.as_ref().map(|m| (m.accuracy, m.macro_f1, m.test_documents as usize));
        lines.push(head_line(&head.name, &head.labels, figures));
    }
    lines.extend(info.relation_validation.iter().flat_map(relation_lines));
    lines.join("\n")
}

/// The relation figures a model records, one line per method and per article-stance rule,
/// as MODEL.md's "Who with whom" shows them.
pub fn relation_lines(validation: &RelationValidation) -> Vec<String> {
    let mut lines = vec![format!("relations on {} hand-labeled news stories:", validation.stories)];
    let methods = [("accord", &validation.relations), ("baseline", &validation.baseline)];
    for (method, figures) in methods {
        if let Some(figures) = figures {
            lines.push(format!("  {method}: {}", pair_line(figures)));
        }
    }
    for figure in &validation.article_stance {
        lines.push(format!(
            "  article stance, {} relations, {}: macro-F1 {:.4}, cooperation-vs-tension {:.4}",
            figure.relations, figure.rule, figure.macro_f1, figure.cooperation_vs_tension
        ));
    }
    lines
}

fn pair_line(f: &PairFigures) -> String {
    format!(
        "pair precision {:.4}, recall {:.4}, F1 {:.4} ({} predicted, {} labeled); main pair first {}/{}; \
         stance right on {}/{} found pairs; {}/{} relation-free stories answered with none",
        f.precision,
        f.recall,
        f.f1,
        f.predicted,
        f.labeled,
        f.main_found,
        f.with_main,
        f.stance_right,
        f.true_pairs,
        f.answered_none,
        f.without_relation
    )
}

/// One head's line: its name, labels and, when known, held-out accuracy, macro-F1 and the
/// number of test documents.
fn head_line(name: &str, labels: &[String], figures: Option<(f64, f64, usize)>) -> String {
    let figures = figures
        .map(|(accuracy, macro_f1, documents)| {
            format!("held-out accuracy {accuracy:.3}, macro-F1 {macro_f1:.3} on {documents} documents")
        })
        .unwrap_or_default();
    format!("head {name}: [{}] {figures}", labels.join(", "))
}

/// A few lines a person reads: version, vocabulary, heads and their held-out figures.
pub fn summary(model: &Model) -> String {
    let meta = model.meta();
    let mut lines = vec![
        format!("model {} (trained {}, {} documents)", meta.version, meta.created, meta.corpus_documents),
        format!("vocabulary: {} terms", model.vectorizer().dimensions()),
    ];
    for head in model.heads() {
        let evaluation = meta.evaluation.iter().find(|e| e.head == head.name);
        let figures = evaluation.map(|e| (e.accuracy, e.macro_f1, e.test_documents));
        lines.push(head_line(&head.name, &head.labels, figures));
    }
    if let Some(sentence) = &meta.sentence_evaluation {
        let e = &sentence.head;
        let stance = sentence.stance_head.as_ref().map(|s| format!(" (head {}: {:.3})", s.head, s.macro_f1));
        lines.push(format!(
            "single-sentence head {}: held-out accuracy {:.3}, macro-F1 {:.3}{} on {} documents",
            e.head,
            e.accuracy,
            e.macro_f1,
            stance.unwrap_or_default(),
            e.test_documents
        ));
    }
    if let Some(prefixes) = model.sentence_prefixes() {
        let (length, terms) = (prefixes.length(), prefixes.dimensions());
        lines.push(format!("single-sentence word prefixes: {terms} terms of {length} characters"));
    }
    if let Some(words) = model.sentence_word_vectors() {
        lines.push(format!("single-sentence word vectors: {} words", words.dimensions()));
    }
    lines.extend(convert::model_info(model).relation_validation.iter().flat_map(relation_lines));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_heads_and_the_single_sentence_blocks() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin");
        let model = Model::load(&path).expect("the shipped model loads");
        let summary = summary(&model);
        let prefixes = model.sentence_prefixes().expect("the shipped model has word prefixes");
        let line = format!("single-sentence word prefixes: {} terms of 6 characters", prefixes.dimensions());
        assert!(summary.lines().any(|l| l == line), "{summary}");
        let words = model.sentence_word_vectors().expect("the shipped model has word vectors");
        let line = format!("single-sentence word vectors: {} words", words.dimensions());
        assert!(summary.lines().any(|l| l == line), "{summary}");
        assert!(summary.contains("head topic: [business, sci_tech, sports, world]"), "{summary}");
    }

    #[test]
    fn both_summaries_show_the_relation_figures_the_model_records() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin");
        let model = Model::load(&path).expect("the shipped model loads");
        let recorded = model.meta().relation_validation.as_ref().expect("the shipped model records relation figures");
        let (accord, baseline) = (&recorded.relations, &recorded.baseline);
        let expected = [
            format!("relations on {} hand-labeled news stories:", recorded.stories),
            format!(
                "  accord: pair precision {:.4}, recall {:.4}, F1 {:.4} ({} predicted, {} labeled); main pair first \
                 {}/{}; stance right on {}/{} found pairs; {}/{} relation-free stories answered with none",
                accord.precision(),
                accord.recall(),
                accord.f1(),
                accord.predicted,
                accord.labeled,
                accord.main_found,
                accord.with_main,
                accord.stance_right,
                accord.true_pairs,
                accord.answered_none,
                accord.without_relation
            ),
            format!("  baseline: pair precision {:.4}, recall {:.4}", baseline.precision(), baseline.recall()),
        ];
        let stance = recorded.article_stance.first().expect("an article-stance figure");
        let stance = format!(
            "  article stance, {} relations, {}: macro-F1 {:.4}, cooperation-vs-tension {:.4}",
            stance.relations, stance.rule, stance.macro_f1, stance.cooperation_vs_tension
        );
        for summary in [summary(&model), served_summary(&convert::model_info(&model))] {
            let lines: Vec<&str> = summary.lines().collect();
            assert!(expected.iter().all(|e| lines.iter().any(|l| l.starts_with(e.as_str()))), "{summary}");
            assert!(lines.contains(&stance.as_str()), "{summary}");
        }
    }
}
