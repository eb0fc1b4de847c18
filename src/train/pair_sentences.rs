//! Fits the pair-in-sentence head ([`PairHead`]) on labeled sentence pairs
//! (`data/relation-sentences/pairs.jsonl`), and cross-validates it by document.
//!
//! Each labeled row is one sentence, two actors it names (their bytes in the sentence and
//! kinds) and the label `none`, `cooperation` or `tension`. The sentence is read as the
//! served model reads an article's field ([`Tokens`]), so the features are the ones the head
//! meets when it serves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use linfa::dataset::DatasetBase;
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::Array1;
use serde::Deserialize;

use super::logistic::{LogisticError, RowStore, SparseLogisticRegression, SparseRows};
use crate::features::actors::{ActorKind, Field, Gazetteer, MatchSettings};
use crate::features::pair_context::{for_each_feature, PairMention, PairSentence};
use crate::features::vectorizer::SparseVector;
use crate::model::relations::{PairHead, PairHeadError, PAIR_LABELS};
use crate::model::Model;
use crate::text::article::Article;
use crate::text::tokenizer::Tokenizer;
use crate::text::tokens::Tokens;

/// Why the pairs could not be read or the head fitted.
#[derive(Debug, thiserror::Error)]
pub enum PairTrainError {
    /// The file could not be read.
    #[error("cannot read labeled pairs {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line is not a labeled pair.
    #[error("{path} line {line}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The fit failed.
    #[error(transparent)]
    Fit(#[from] LogisticError),
    /// The fitted head is not servable.
    #[error(transparent)]
    Head(#[from] PairHeadError),
}

/// One actor of a labeled pair.
#[derive(Debug, Clone, Deserialize)]
pub struct LabeledActor {
    /// The actor's code.
    pub code: String,
    /// Its kind.
    pub kind: ActorKind,
    /// First byte of its mention in the sentence.
    pub start: usize,
    /// The byte after it.
    pub end: usize,
}

/// One labeled sentence pair.
#[derive(Debug, Clone, Deserialize)]
pub struct LabeledPair {
    /// The candidate's id.
    pub id: String,
    /// The document the sentence is from (cross-validation folds keep a document whole).
    pub doc: String,
    /// `title` or `text`.
    pub field: String,
    /// The sentence.
    pub sentence: String,
    /// One actor.
    pub a: LabeledActor,
    /// The other.
    pub b: LabeledActor,
    /// `none`, `cooperation` or `tension`.
    pub label: String,
}

/// The labeled pairs of a file, each with its label's place in [`PAIR_LABELS`].
pub fn load(path: &Path) -> Result<Vec<(LabeledPair, usize)>, PairTrainError> {
    let text = std::fs::read_to_string(path).map_err(|source| PairTrainError::Io { path: path.into(), source })?;
    let row_error = |line: usize, message: String| PairTrainError::Row { path: path.into(), line, message };
    let mut rows = Vec::new();
    for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let pair: LabeledPair = serde_json::from_str(line).map_err(|e| row_error(number + 1, e.to_string()))?;
        let label = PAIR_LABELS
            .iter()
            .position(|&l| l == pair.label)
            .ok_or_else(|| row_error(number + 1, format!("unknown label {:?}", pair.label)))?;
        let inside = |a: &LabeledActor| a.start < a.end && pair.sentence.get(a.start..a.end).is_some();
        if !(inside(&pair.a) && inside(&pair.b)) {
            return Err(row_error(number + 1, "a mention is not inside the sentence".into()));
        }
        rows.push((pair, label));
    }
    Ok(rows)
}

/// A named feature and its value.
pub type NamedFeature = (&'static str, String, f32);

/// The stance head's probabilities for the pair's sentence, in
/// [`crate::features::pair_context::STANCES`] order, as the served model gives them for a
/// sentence of an article; `None` for a model without an article-stance rule.
pub fn sentence_stance(model: &Model, pair: &LabeledPair) -> Option<[f32; 3]> {
    let (_, labels) = super::news::stance_labels(model).ok()?;
    let article = match pair.field.as_str() {
        "title" => Article { id: "", title: &pair.sentence, text: "" },
        _ => Article { id: "", title: "", text: &pair.sentence },
    };
    let sentences = model.sentence_probabilities(&article)?;
    // The sentence alone may split in two; its probabilities are the mean of its parts'.
    let mut mean = [0.0; 3];
    for (_, _, p) in &sentences {
        let at = |i: Option<usize>| i.and_then(|i| p.get(i).copied()).unwrap_or(0.0);
        let parts = [at(labels.neutral), at(Some(labels.cooperation)), at(Some(labels.tension))];
        mean.iter_mut().zip(parts).for_each(|(m, x)| *m += x / sentences.len() as f32);
    }
    (!sentences.is_empty()).then_some(mean)
}

/// The named features of one labeled pair, read as the served model reads a field, with
/// the sentence stance's probabilities if given.
pub fn features(
    tokenizer: &Tokenizer,
    gazetteer: &Gazetteer,
    pair: &LabeledPair,
    stance: Option<[f32; 3]>,
) -> Vec<NamedFeature> {
    let field = if pair.field == "title" { Field::Title } else { Field::Text };
    let article = match field {
        Field::Title => Article { id: "", title: &pair.sentence, text: "" },
        Field::Text => Article { id: "", title: "", text: &pair.sentence },
    };
    let mut tokens = Tokens::new();
    tokens.read(tokenizer, &article);
    let read = tokens.field(field);
    let mut names = BTreeMap::new();
    tokenizer.for_each(&pair.sentence, |start, end, token| {
        names.insert(start, (end, token.to_owned()));
    });
    let found = gazetteer.matcher(MatchSettings::default()).find(tokenizer, article.title, article.text);
    let (first, second) = if pair.a.start <= pair.b.start { (&pair.a, &pair.b) } else { (&pair.b, &pair.a) };
    // Each other actor's first mention, as the served reader counts them.
    let between = found
        .actors
        .iter()
        .filter_map(|count| found.mentions.iter().find(|m| m.actor == count.actor))
        .filter(|m| m.start >= first.end && m.end <= second.start)
        .count();
    let mention = |a: &LabeledActor| PairMention { start: a.start, end: a.end, kind: a.kind };
    let sentence = PairSentence {
        tokens: 0..read.len(),
        a: mention(&pair.a),
        b: mention(&pair.b),
        actors: found.actors.len().max(2),
        between,
        stance,
        field,
    };
    let mut out = Vec::new();
    for_each_feature(read.span_pairs(), &sentence, |feature, value| {
        let (region, name) = feature.name(|index| {
            let start = read.span(index).map_or(usize::MAX, |span| span.start);
            names.get(&start).map_or("", |(_, token)| token.as_str())
        });
        out.push((region, name.to_owned(), value));
    });
    out
}

/// How the head is fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairFitSettings {
    /// The L2 penalty (scikit-learn's `1 / C`).
    pub l2: f64,
    /// The fewest rows a feature must appear in to be kept.
    pub min_rows: usize,
    /// L-BFGS iterations.
    pub max_iterations: u64,
}

impl Default for PairFitSettings {
    /// Chosen by [`cross_validate`] on `data/relation-sentences` (docs/decisions.md, "Relations").
    fn default() -> Self {
        Self { l2: 1.0, min_rows: 2, max_iterations: 200 }
    }
}

/// Fits the head on rows of named features with labels.
pub fn fit(settings: &PairFitSettings, rows: &[(Vec<NamedFeature>, usize)]) -> Result<PairHead, PairTrainError> {
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (features, _) in rows {
        let mut distinct: Vec<(&str, &str)> = features.iter().map(|(r, v, _)| (*r, v.as_str())).collect();
        distinct.sort_unstable();
        distinct.dedup();
        for feature in distinct {
            *seen.entry(feature).or_default() += 1;
        }
    }
    let kept: Vec<(&str, &str)> =
        seen.into_iter().filter(|(_, count)| *count >= settings.min_rows).map(|(f, _)| f).collect();
    let column = |feature: (&str, &str)| kept.binary_search(&feature).ok();
    let mut store = RowStore::new(kept.len());
    for (features, _) in rows {
        let mut counts: BTreeMap<usize, f32> = BTreeMap::new();
        for (region, name, value) in features {
            if let Some(c) = column((region, name.as_str())) {
                *counts.entry(c).or_default() += value;
            }
        }
        let vector = SparseVector {
            indices: counts.keys().map(|&c| c as u32).collect(),
            values: counts.values().copied().collect(),
        };
        store.push(&vector);
    }
    let targets = Array1::from_iter(rows.iter().map(|(_, label)| *label));
    let all = (0..store.len() as u32).collect();
    let dataset = DatasetBase::new(SparseRows::select(&store, all, |_| true), targets);
    let fitted = SparseLogisticRegression::multinomial(PAIR_LABELS.len())
        .l2(settings.l2)
        .max_iterations(settings.max_iterations)
        .check()?
        .fit(&dataset)?;
    let weights: Vec<f32> = fitted.weights.iter().map(|&w| w as f32).collect();
    let bias = [0, 1, 2].map(|k| fitted.intercepts[k] as f32);
    let features = kept.into_iter().map(|(r, v)| (r.to_owned(), v.to_owned())).collect();
    let reads_stance = rows.iter().any(|(features, _)| features.iter().any(|(region, _, _)| *region == "stance"));
    Ok(PairHead::new(features, weights, bias, reads_stance)?)
}

/// Cross-validated figures of the head on the labeled pairs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PairFigures {
    /// Rows scored.
    pub rows: usize,
    /// Share of rows whose label is the most probable.
    pub accuracy: f64,
    /// Macro-F1 over the three labels.
    pub macro_f1: f64,
    /// F1 of "a relation" (cooperation or tension) against none.
    pub relation_f1: f64,
    /// On rows labeled cooperation or tension: share whose likelier of the two is the label.
    pub stance_accuracy: f64,
}

/// The fold of a document among `folds`: a fixed hash of its name, so a document's rows stay
/// together and the folds do not depend on the row order.
fn fold_of(doc: &str, folds: usize) -> usize {
    let hash = doc.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash % folds as u64) as usize
}

/// `folds`-fold cross-validation by document: each fold's rows read by a head fitted on the
/// others. Returns the figures and every row's probabilities.
pub fn cross_validate(
    settings: &PairFitSettings,
    rows: &[(Vec<NamedFeature>, usize)],
    docs: &[&str],
    folds: usize,
) -> Result<(PairFigures, Vec<[f32; 3]>), PairTrainError> {
    let mut predicted = vec![[0.0; 3]; rows.len()];
    for fold in 0..folds {
        let train: Vec<_> =
            rows.iter().zip(docs).filter(|(_, d)| fold_of(d, folds) != fold).map(|(r, _)| r.clone()).collect();
        let head = fit(settings, &train)?;
        for ((row, doc), out) in rows.iter().zip(docs).zip(&mut predicted) {
            if fold_of(doc, folds) == fold {
                *out = head.read_named(&row.0);
            }
        }
    }
    let gold: Vec<usize> = rows.iter().map(|(_, label)| *label).collect();
    Ok((figures(&gold, &predicted), predicted))
}

/// The figures of `predicted` probabilities against `gold` labels.
pub fn figures(gold: &[usize], predicted: &[[f32; 3]]) -> PairFigures {
    let best = |p: &[f32; 3]| (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b });
    let guesses: Vec<usize> = predicted.iter().map(best).collect();
    let f1 = |is: &dyn Fn(usize) -> bool| {
        let tp = gold.iter().zip(&guesses).filter(|(&g, &p)| is(g) && is(p)).count() as f64;
        let fp = gold.iter().zip(&guesses).filter(|(&g, &p)| !is(g) && is(p)).count() as f64;
        let fn_ = gold.iter().zip(&guesses).filter(|(&g, &p)| is(g) && !is(p)).count() as f64;
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        }
    };
    let n = gold.len().max(1) as f64;
    let accuracy = gold.iter().zip(&guesses).filter(|(g, p)| g == p).count() as f64 / n;
    let macro_f1 = (0..3).map(|k| f1(&|l| l == k)).sum::<f64>() / 3.0;
    let relation_f1 = f1(&|l| l != 0);
    let related: Vec<(usize, &[f32; 3])> = gold.iter().copied().zip(predicted).filter(|(g, _)| *g != 0).collect();
    let right = related.iter().filter(|(g, p)| (if p[2] > p[1] { 2 } else { 1 }) == *g).count();
    let stance_accuracy = right as f64 / related.len().max(1) as f64;
    PairFigures { rows: gold.len(), accuracy, macro_f1, relation_f1, stance_accuracy }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer() -> Gazetteer {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/actors");
        Gazetteer::load(&dir).unwrap_or_else(|e| panic!("the shipped gazetteer loads: {e}"))
    }

    /// A labeled row: the two actors are the first two names of `names` found in `sentence`.
    fn row(doc: &str, sentence: &str, names: [&str; 2], label: &str) -> String {
        let at = |name: &str| sentence.find(name).map(|s| (s, s + name.len())).unwrap_or((0, 0));
        let actor = |name: &str| {
            let (start, end) = at(name);
            serde_json::json!({"code": name, "kind": "state", "start": start, "end": end})
        };
        serde_json::json!({"id": doc, "doc": doc, "field": "text", "sentence": sentence,
            "a": actor(names[0]), "b": actor(names[1]), "label": label})
        .to_string()
    }

    fn rows() -> Vec<String> {
        let mut rows = Vec::new();
        for (i, (x, y)) in [("France", "Germany"), ("Spain", "Portugal"), ("Japan", "Canada"), ("Chile", "Peru")]
            .into_iter()
            .enumerate()
        {
            rows.push(row(&format!("t{i}"), &format!("{x} accused {y} of spying."), [x, y], "tension"));
            rows.push(row(&format!("c{i}"), &format!("{x} signed a trade deal with {y}."), [x, y], "cooperation"));
            rows.push(row(&format!("n{i}"), &format!("{x}, Italy and {y} reported new cases."), [x, y], "none"));
        }
        rows
    }

    #[test]
    fn a_head_fitted_on_a_few_rows_reads_an_unseen_pair_by_its_words() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
        let path = dir.path().join("pairs.jsonl");
        std::fs::write(&path, rows().join("\n")).unwrap_or_else(|e| panic!("written: {e}"));
        let labeled = load(&path).unwrap_or_else(|e| panic!("the rows load: {e}"));
        let (tokenizer, gazetteer) = (Tokenizer::default(), gazetteer());
        let featured: Vec<_> =
            labeled.iter().map(|(pair, label)| (features(&tokenizer, &gazetteer, pair, None), *label)).collect();
        let settings = PairFitSettings { l2: 0.1, min_rows: 1, max_iterations: 100 };
        let head = fit(&settings, &featured).unwrap_or_else(|e| panic!("the head fits: {e}"));
        let unseen = |sentence: &str, label: &str| {
            let line = row("u", sentence, ["Egypt", "Kenya"], label);
            let pair: LabeledPair = serde_json::from_str(&line).unwrap_or_else(|e| panic!("a row: {e}"));
            let p = head.read_named(&features(&tokenizer, &gazetteer, &pair, None));
            (0..3).fold(0, |best, k| if p[k] > p[best] { k } else { best })
        };
        assert_eq!(PAIR_LABELS[unseen("Egypt accused Kenya of spying.", "tension")], "tension");
        assert_eq!(PAIR_LABELS[unseen("Egypt, Italy and Kenya reported new cases.", "none")], "none");
        assert_eq!(PAIR_LABELS[unseen("Egypt signed a trade deal with Kenya.", "cooperation")], "cooperation");
    }

    #[test]
    fn a_row_whose_mention_is_outside_its_sentence_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
        let path = dir.path().join("pairs.jsonl");
        let bad = row("b", "France accused Germany.", ["France", "Atlantis"], "tension");
        std::fs::write(&path, [rows()[0].clone(), bad].join("\n")).unwrap_or_else(|e| panic!("written: {e}"));
        let error = load(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("line 2") && error.contains("not inside"), "{error}");
    }
}
