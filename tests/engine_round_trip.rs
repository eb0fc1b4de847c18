//! A head fitted by another engine: `accord vectorize --format svmlight` writes the rows,
//! scikit-learn (standing in for Spark, liblinear or Vowpal Wabbit) fits a logistic
//! regression on them and writes its weights in accord's weights format, and
//! `accord train --weights` ships them: the model accord writes then answers as
//! scikit-learn does on the same documents.

mod common;

use std::path::Path;
use std::process::Command;

use accord::{Article, Model, Options};
use common::fixture_corpus;

/// Fits scikit-learn on the svmlight rows, writes the weights file and, per row, its
/// predicted label and that label's probability.
const SKLEARN: &str = r##"
import sys
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression
rows, weights_path, predictions_path = sys.argv[1:4]
header = [line for line in open(rows) if line.startswith("#")]
labels = dict(item.split("=", 1) for item in header[0].split("labels ", 1)[1].split())
vocabulary, features = header[1].split()[2], int(header[1].split("(")[1].split()[0])
X, y = load_svmlight_file(rows, n_features=features)
model = LogisticRegression(C=10, max_iter=2000).fit(X, y)
with open(weights_path, "w") as out:
    out.write("accord-weights 1\nvocabulary %s\n" % vocabulary)
    for row, cls in enumerate(model.classes_):
        pairs = " ".join("%d:%r" % (f + 1, float(w)) for f, w in enumerate(model.coef_[row]) if w != 0.0)
        out.write("%s %r %s\n" % (labels[str(int(cls))], float(model.intercept_[row]), pairs))
with open(predictions_path, "w") as out:
    for cls, probabilities in zip(model.predict(X), model.predict_proba(X)):
        out.write("%s %r\n" % (labels[str(int(cls))], float(max(probabilities))))
"##;

fn accord(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord")).args(args).output().expect("accord runs");
    assert!(output.status.success(), "accord {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn weights_fitted_by_scikit_learn_on_vectorized_rows_serve_as_scikit_learn_predicts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = fixture_corpus();
    let corpus_file = dir.path().join("corpus.jsonl");
    let lines: Vec<String> = corpus.documents.iter().map(|d| serde_json::to_string(d).expect("json")).collect();
    std::fs::write(&corpus_file, lines.join("\n")).expect("write corpus");
    let (rows, weights, predictions) =
        (dir.path().join("topic.svm"), dir.path().join("topic.weights"), dir.path().join("predicted.txt"));
    accord(&[
        "vectorize",
        "--corpus",
        path(&corpus_file),
        "--head",
        "topic",
        "--format",
        "svmlight",
        "--out",
        path(&rows),
    ]);

    let fitted = Command::new("python3")
        .args(["-c", SKLEARN, path(&rows), path(&weights), path(&predictions)])
        .output()
        .expect("python3 runs");
    assert!(fitted.status.success(), "scikit-learn failed:\n{}", String::from_utf8_lossy(&fitted.stderr));

    let out = dir.path().join("model");
    let weights_arg = format!("topic={}", path(&weights));
    accord(&["train", "--corpus", path(&corpus_file), "--out", path(&out), "--weights", &weights_arg]);
    accord(&["train", "--corpus", path(&corpus_file), "--out", path(&dir.path().join("own")), "--date", "2026-01-01"]);

    let model = Model::load(&out.join("model.bin")).expect("the model loads");
    let own = Model::load(&dir.path().join("own/model.bin")).expect("accord's own model loads");
    let expected = std::fs::read_to_string(&predictions).expect("predictions");
    let labelled = corpus.documents.iter().filter(|d| d.labels.contains_key("topic"));
    let mut own_differs = 0;
    for (document, line) in labelled.zip(expected.lines()) {
        let (label, probability) = line.split_once(' ').expect("label and probability");
        let probability: f32 = probability.parse().expect("a probability");
        let article = Article { id: &document.id, title: &document.title, text: &document.text };
        let topic_of = |model: &Model| {
            let answer = model.classify(&article, &Options::default());
            let head = answer.heads.iter().find(|h| h.head == "topic").expect("a topic head");
            (head.label().to_owned(), head.probability())
        };
        let (served, served_probability) = topic_of(&model);
        assert_eq!(served, label, "{}: served `{served}`, scikit-learn `{label}`", document.id);
        assert!(
            (served_probability - probability).abs() < 1e-4,
            "{}: served probability {served_probability}, scikit-learn {probability}",
            document.id
        );
        own_differs += usize::from((topic_of(&own).1 - probability).abs() >= 1e-4);
    }
    assert!(own_differs > 0, "accord's own head answers as scikit-learn's: the test cannot tell them apart");
}

#[test]
fn a_bad_corpus_line_stops_training_before_any_file_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus_file = dir.path().join("corpus.jsonl");
    let mut lines: Vec<String> =
        fixture_corpus().documents.iter().map(|d| serde_json::to_string(d).expect("json")).collect();
    lines.insert(5, "{\"id\": \"broken\", \"text\": ".into());
    std::fs::write(&corpus_file, lines.join("\n")).expect("write corpus");
    let out = dir.path().join("model");
    for command in [&["train", "--out"][..], &["vectorize", "--head", "topic", "--out"][..]] {
        let output = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(command)
            .arg(&out)
            .arg("--corpus")
            .arg(&corpus_file)
            .output()
            .expect("accord runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(stderr.contains("corpus.jsonl:6:"), "{command:?} does not name the line:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "{command:?} wrote {}", out.display());
    }
}
