//! Rows out to another learning engine, and a head's fitted weights back in, so that a head
//! can be fitted by any engine that reads svmlight (Spark MLlib, Vowpal Wabbit, liblinear,
//! XGBoost, scikit-learn) while the model file, its card and the server stay accord's.
//!
//! `accord vectorize --format svmlight` writes one row per document carrying the head's
//! label, in corpus order: `LABEL FEATURE:VALUE ...`, where LABEL is the label's position
//! (from 0) in the head's labels sorted by name, and FEATURE is the vocabulary term's
//! position plus 1 (svmlight numbers features from 1), ascending. No `qid` is written: the
//! rows are for classification, and liblinear refuses `qid`. Two comment lines (`#`) come
//! first: the labels with their numbers, and the vocabulary's digest.
//!
//! `accord train --weights HEAD=FILE` reads the weights format:
//!
//! ```text
//! accord-weights 1
//! vocabulary <digest from the svmlight file's header>
//! <label> <bias> <feature>:<weight> <feature>:<weight> ...
//! ```
//!
//! one line per label of the head, by name, in any order; features numbered as in the
//! svmlight file; features left out weigh 0. A label's score is `bias + Σ weight × value`
//! and the probabilities are their softmax, as served. Blank lines and lines starting with
//! `#` are skipped.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::features::vectorizer::{SparseVector, TfIdf};
use crate::model::file::ModelError;
use crate::model::head::LinearHead;
use crate::text::tokenizer::Tokenizer;
use crate::train::corpus::{hex, Corpus};
use crate::train::{names, Observer, Prepared, TrainConfig, TrainError};

/// The first line of a weights file.
pub const WEIGHTS_HEADER: &str = "accord-weights 1";

/// One head's rows over the vocabulary `accord train` fits on every document.
pub struct HeadRows {
    /// The vocabulary the rows are over.
    pub vectorizer: TfIdf,
    /// The head's labels, sorted: a row's label is its position here.
    pub labels: Vec<String>,
    /// Each labelled document's label position and row, in corpus order.
    pub rows: Vec<(usize, SparseVector)>,
    /// Documents without a label for the head, left out.
    pub unlabelled: usize,
}

/// The rows of every document labelled for `head`, vectorized as `accord train` with `config`
/// vectorizes them for its fit on everything (name-like terms left out for a head in
/// `heads_without_names`).
pub fn head_rows(
    corpus: &Corpus,
    config: &TrainConfig,
    head: &str,
    observer: &dyn Observer,
) -> Result<HeadRows, TrainError> {
    let labels = corpus.heads().remove(head).ok_or_else(|| TrainError::InvalidConfig {
        field: "head",
        reason: format!("no document of the corpus has a label for head `{head}`"),
    })?;
    let tokenizer = Tokenizer::new(config.tokenizer.clone()).map_err(ModelError::from)?;
    let prepared = Prepared::new(corpus, tokenizer, false, observer);
    let all: Vec<usize> = (0..corpus.len()).collect();
    let (vectorizer, _) = prepared.fit_vocabulary(&all, &config.vectorizer, None);
    let mut vectors = prepared.vectors(&vectorizer);
    if config.heads_without_names.contains(head) {
        let texts = corpus.documents.iter().flat_map(|d| [d.title.as_str(), d.text.as_str()]);
        let excluded = names::name_features(texts, &prepared.tokenizer, &vectorizer);
        vectors.iter_mut().for_each(|vector| *vector = names::without(vector, &excluded));
    }
    let mut rows = Vec::new();
    for (document, vector) in corpus.documents.iter().zip(vectors) {
        if let Some(label) = document.labels.get(head) {
            rows.push((labels.iter().position(|l| l == label).unwrap_or_default(), vector));
        }
    }
    let unlabelled = corpus.len() - rows.len();
    Ok(HeadRows { vectorizer, labels, rows, unlabelled })
}

/// The digest that ties weights to the vocabulary they were fitted over: SHA-256 over every
/// term and its IDF, in order.
pub fn vocabulary_digest(vectorizer: &TfIdf) -> String {
    let mut hasher = Sha256::new();
    for (term, idf) in vectorizer.terms().iter().zip(vectorizer.idf()) {
        hasher.update((term.len() as u64).to_le_bytes());
        hasher.update(term.as_bytes());
        hasher.update(idf.to_le_bytes());
    }
    hex(&hasher.finalize())
}

/// Writes `rows` as svmlight (see the module's documentation).
pub fn write_svmlight(rows: &HeadRows, head: &str, out: &mut impl Write) -> std::io::Result<()> {
    let numbered: Vec<String> = rows.labels.iter().enumerate().map(|(i, l)| format!("{i}={l}")).collect();
    writeln!(out, "# accord vectorize: head {head}, labels {}", numbered.join(" "))?;
    writeln!(
        out,
        "# vocabulary {} ({} features; feature F is vocabulary term F-1)",
        vocabulary_digest(&rows.vectorizer),
        rows.vectorizer.dimensions()
    )?;
    for (label, row) in &rows.rows {
        write!(out, "{label}")?;
        for (index, value) in row.iter() {
            write!(out, " {}:{value}", index + 1)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Why a weights file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// The file could not be read. The reason is in the message, not a `source`, so that
    /// it is printed once.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The weights file.
        path: PathBuf,
        /// What reading it answered.
        reason: std::io::Error,
    },
    /// A line of the file is wrong.
    #[error("{path}:{line}: {message}")]
    Line {
        /// The weights file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The file as a whole is wrong (its header, or a label of the head missing).
    #[error("{path}: {message}")]
    File {
        /// The weights file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// The head `expected` with the weights read from `path` in its place: same name, labels
/// and width, the weights and biases of the file. The file must name the vocabulary
/// `vectorizer` (by [`vocabulary_digest`]) and give every label of the head once.
pub fn read_weights(path: &Path, expected: &LinearHead, vectorizer: &TfIdf) -> Result<LinearHead, WeightsError> {
    let text = std::fs::read_to_string(path).map_err(|reason| WeightsError::Io { path: path.to_owned(), reason })?;
    let file_error = |message: String| WeightsError::File { path: path.to_owned(), message };
    let (dimensions, k) = (vectorizer.dimensions(), expected.labels.len());
    let mut head = LinearHead { weights: vec![0.0; dimensions * k], bias: vec![0.0; k], ..expected.clone() };
    let mut given = vec![false; k];
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    match lines.next() {
        Some((_, WEIGHTS_HEADER)) => {}
        _ => return Err(file_error(format!("the first line must be `{WEIGHTS_HEADER}`"))),
    }
    let digest = vocabulary_digest(vectorizer);
    match lines.next() {
        Some((_, line)) if line.strip_prefix("vocabulary ") == Some(digest.as_str()) => {}
        Some((number, line)) => {
            let message = format!("`{line}`: the model's vocabulary is `vocabulary {digest}` (write the rows with `accord vectorize` and the same settings)");
            return Err(WeightsError::Line { path: path.to_owned(), line: number, message });
        }
        None => return Err(file_error("no `vocabulary` line".into())),
    }
    for (number, line) in lines {
        let error = |message: String| WeightsError::Line { path: path.to_owned(), line: number, message };
        let mut fields = line.split_whitespace();
        let name = fields.next().unwrap_or_default();
        let label = expected.labels.iter().position(|l| l == name).ok_or_else(|| {
            error(format!(
                "head `{}` has no label `{name}` (its labels: {})",
                expected.name,
                expected.labels.join(", ")
            ))
        })?;
        if std::mem::replace(&mut given[label], true) {
            return Err(error(format!("label `{name}` is given twice")));
        }
        head.bias[label] = number_of(fields.next().ok_or_else(|| error("no bias".into()))?).map_err(&error)?;
        for pair in fields {
            let (feature, weight) =
                pair.split_once(':').ok_or_else(|| error(format!("`{pair}` is not FEATURE:WEIGHT")))?;
            let feature: usize = feature
                .parse()
                .ok()
                .filter(|f| (1..=dimensions).contains(f))
                .ok_or_else(|| error(format!("feature `{feature}` is not between 1 and {dimensions}")))?;
            head.weights[(feature - 1) * k + label] = number_of(weight).map_err(&error)?;
        }
    }
    if let Some(missing) = given.iter().position(|g| !g) {
        return Err(file_error(format!("no line for label `{}`", expected.labels[missing])));
    }
    Ok(head)
}

fn number_of(text: &str) -> Result<f32, String> {
    text.parse::<f32>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("`{text}` is not a finite number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::vectorizer::VectorizerSettings;

    fn vocabulary() -> TfIdf {
        TfIdf::from_parts(VectorizerSettings::default(), vec!["peace".into(), "war".into()], vec![1.0, 1.5])
    }

    fn head() -> LinearHead {
        let labels = vec!["cooperation".into(), "tension".into()];
        LinearHead { name: "stance".into(), labels, weights: vec![0.0; 4], bias: vec![0.0; 2] }
    }

    fn read(contents: &str) -> Result<LinearHead, WeightsError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("stance.weights");
        std::fs::write(&path, contents).expect("write");
        read_weights(&path, &head(), &vocabulary())
    }

    fn file(lines: &[&str]) -> String {
        format!("{WEIGHTS_HEADER}\nvocabulary {}\n{}\n", vocabulary_digest(&vocabulary()), lines.join("\n"))
    }

    #[test]
    fn weights_land_on_their_feature_and_label() {
        let head = read(&file(&["# a comment", "tension 0.5 2:1.25", "cooperation -0.5 1:2 2:-1"])).expect("valid");
        assert_eq!(head.weights, [2.0, 0.0, -1.0, 1.25], "row per feature, one weight per label");
        assert_eq!(head.bias, [-0.5, 0.5]);
    }

    #[test]
    fn bad_weights_are_refused_by_file_and_line() {
        let cases = [
            (file(&["cooperation 0", "peace 0 1:1"]), "stance.weights:4: head `stance` has no label `peace`"),
            (file(&["cooperation 0", "tension 0 3:1"]), "stance.weights:4: feature `3` is not between 1 and 2"),
            (file(&["cooperation 0", "tension 0 1:NaN"]), "stance.weights:4: `NaN` is not a finite number"),
            (file(&["cooperation 0", "cooperation 1"]), "stance.weights:4: label `cooperation` is given twice"),
            (file(&["cooperation 0"]), "stance.weights: no line for label `tension`"),
            (
                format!("{WEIGHTS_HEADER}\nvocabulary 00\ncooperation 0\ntension 0\n"),
                "stance.weights:2: `vocabulary 00`",
            ),
            ("cooperation 0\n".into(), "the first line must be `accord-weights 1`"),
        ];
        for (contents, expected) in cases {
            let error = read(&contents).expect_err(expected).to_string();
            assert!(error.contains(expected), "{error}\ndoes not say: {expected}");
        }
        let missing = read_weights(Path::new("/nonexistent/stance.weights"), &head(), &vocabulary());
        let error = missing.expect_err("a missing file").to_string();
        assert!(error.starts_with("cannot read /nonexistent/stance.weights:"), "{error}");
    }
}
