//! `accord info`: a model's summary.

use accord::Model;

use super::ModelArgs;

#[derive(clap::Args, Debug)]
pub struct InfoArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Print the model's metadata as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    let model = args.model.load()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(model.meta())?);
    } else {
        println!("{}", summary(&model));
    }
    Ok(())
}

/// A few lines a person reads: version, vocabulary, heads and their held-out figures.
pub fn summary(model: &Model) -> String {
    let meta = model.meta();
    let mut lines = vec![
        format!("model {} (trained {}, {} documents)", meta.version, meta.created, meta.corpus_documents),
        format!("vocabulary: {} terms", model.vectorizer().dimensions()),
    ];
    for head in model.heads() {
        let figures = meta
            .evaluation
            .iter()
            .find(|e| e.head == head.name)
            .map(|e| {
                format!(
                    "held-out accuracy {:.3}, macro-F1 {:.3} on {} documents",
                    e.accuracy, e.macro_f1, e.test_documents
                )
            })
            .unwrap_or_default();
        lines.push(format!("head {}: [{}] {figures}", head.name, head.labels.join(", ")));
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
    lines.join("\n")
}
