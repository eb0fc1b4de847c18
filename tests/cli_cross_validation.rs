//! `accord train --cv K --cv-baseline "python3 scripts/sklearn_baseline.py"`: the binary
//! cross-validates, runs scikit-learn's baseline on the same folds and on the validation
//! articles, and the model card carries both (scikit-learn is installed by scripts/test).

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Trains on the fixture corpus with three folds and `baseline`, validated on the shipped
/// hand-labeled articles; the model goes to `dir/model`.
fn train_with_baseline(dir: &Path, baseline: &str) -> Output {
    let corpus_file = dir.join("corpus.jsonl");
    let mut documents = common::fixture_corpus().documents;
    documents.extend(neutral_documents());
    let lines: Vec<String> = documents.iter().map(|d| serde_json::to_string(d).expect("document serializes")).collect();
    std::fs::write(&corpus_file, lines.join("\n")).expect("write corpus");
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["train", "--date", "2026-01-01", "--cv", "3", "--cv-baseline", baseline, "--corpus"])
        .arg(&corpus_file)
        .arg("--validate-articles")
        .arg(common::repo_root().join("data/articles/articles.jsonl"))
        .arg("--out")
        .arg(dir.join("model"))
        .output()
        .expect("accord runs")
}

/// Neutral statements, so that the model has an article-stance rule to validate.
fn neutral_documents() -> Vec<accord::Document> {
    let words = ["said", "statement", "announced", "reported", "noted", "added", "spokesman", "briefing"];
    (0..8)
        .map(|i| accord::Document {
            id: format!("neutral-{i}"),
            title: format!("Minister {}", words[i]),
            text: format!("The minister {} and the diplomat {} today.", words[i], words[(i + 3) % words.len()]),
            labels: [("topic", "world"), ("stance", "neutral")].map(|(h, l)| (h.to_owned(), l.to_owned())).into(),
        })
        .collect()
}

#[test]
fn train_cross_validates_beside_scikit_learn_and_writes_both_in_the_card() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = format!("python3 {}", common::repo_root().join("scripts/sklearn_baseline.py").display());
    let output = train_with_baseline(dir.path(), &baseline);
    let out = dir.path().join("model");
    assert!(output.status.success(), "accord train failed: {}", String::from_utf8_lossy(&output.stderr));
    let card = std::fs::read_to_string(out.join("MODEL.md")).expect("MODEL.md written");
    let section = card.split("## Cross-validation").nth(1).expect("a cross-validation section");
    assert!(section.contains("sklearn_baseline.py"), "the baseline is named: {section}");
    for head in ["stance", "topic"] {
        let row = section.lines().find(|l| l.starts_with(&format!("| {head} |"))).expect("a row per head");
        // accuracy, baseline accuracy, macro-F1, baseline macro-F1: each "mean ± spread".
        let figures: Vec<f64> = row
            .split('|')
            .filter_map(|cell| cell.trim().split(" ± ").next()?.parse().ok())
            .filter(|v: &f64| (0.0..=1.0).contains(v))
            .collect();
        assert_eq!(figures.len(), 4, "four figures in {row}");
        let folds = section.lines().find(|l| l.starts_with(&format!("- `{head}`"))).expect("per-fold line");
        assert_eq!(folds.matches(" / ").count(), 3, "three folds, each beside the baseline: {folds}");
    }
    let articles = card.split("## Whole articles").nth(1).expect("a whole-articles section");
    for head in ["topic", "stance", "stance (non-neutral)"] {
        let row = articles.lines().find(|l| l.starts_with(&format!("| {head} |"))).expect("a row per figure");
        // articles, then accuracy, baseline accuracy, macro-F1, baseline macro-F1.
        let cells: Vec<&str> = row.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        let figures: Vec<f64> = cells[2..].iter().filter_map(|c| c.parse().ok()).collect();
        assert_eq!(figures.len(), 4, "four figures, the baseline's among them, in {row}");
        assert!(figures.iter().all(|f| (0.0..=1.0).contains(f)), "{row}");
    }
}

#[test]
fn a_failing_baseline_stops_training_with_its_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = train_with_baseline(dir.path(), "python3 -c raise(SystemExit('no-scikit-learn-here'))");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("baseline failed on cross-validation fold 1"), "{stderr}");
    assert!(stderr.contains("no-scikit-learn-here"), "the baseline's own message is passed on: {stderr}");
    assert!(!dir.path().join("model/model.bin").exists(), "no model written after a failed baseline");
}
