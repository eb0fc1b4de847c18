//! The labeled corpus: documents from any mix of sources, each carrying labels for some heads.
//!
//! A corpus directory holds a `corpus.toml` manifest naming its files, their format and how
//! their labels map to heads; a `.jsonl` file is read as the user format
//! `{"id", "title"?, "text", "labels": {"<head>": "<label>"}}`. Heads and label sets come
//! from the data, never from code.

mod formats;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use formats::Source;

use crate::features::actors::{Gazetteer, GazetteerError};
use crate::features::word_vectors::{WordVectors, WordVectorsError};

/// One labeled document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The document's id in its source (not interpreted).
    pub id: String,
    /// The title; empty when the source has none.
    #[serde(default)]
    pub title: String,
    /// The body text.
    pub text: String,
    /// Head name to label.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Documents with the source each came from.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Every document, in the order of the sources and of each source's records.
    pub documents: Vec<Document>,
    /// `sources[i]` names the source of `documents[i]`.
    pub sources: Vec<String>,
    /// `weights[i]` is how much `documents[i]` counts in training (its source's weight).
    pub weights: Vec<f64>,
    /// `sentence_weights[i]` is how much `documents[i]` counts in the single-sentence stance
    /// head (its source's `sentence_weight`).
    pub sentence_weights: Vec<f64>,
    /// Pretrained word vectors for the single-sentence head, if the manifest names them.
    pub word_vectors: Option<Arc<WordVectors>>,
    /// The actor gazetteer the model stores and finds actors with, if the manifest names one.
    pub actors: Option<Arc<Gazetteer>>,
}

/// Why a corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The reason is in the message and not a `source`, so that a caller printing the chain
    /// of causes does not say it twice.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The file system's error.
        reason: std::io::Error,
    },
    /// `corpus.toml` is not a valid manifest.
    #[error("{path}: invalid manifest: {message}")]
    Manifest {
        /// The manifest's path.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A record of a source could not be read as a document.
    #[error("{path}:{line}: {message}")]
    Record {
        /// The source file.
        path: PathBuf,
        /// The record's line, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// An input that is neither a corpus directory nor a JSON Lines file.
    #[error("{0} is neither a corpus directory (with corpus.toml) nor a .jsonl file")]
    UnknownInput(PathBuf),
    /// The word vectors a manifest names could not be read.
    #[error(transparent)]
    WordVectors(#[from] WordVectorsError),
    /// A second manifest names word vectors too.
    #[error("{0}: a second set of word vectors; a corpus can have one")]
    SecondWordVectors(PathBuf),
    /// The actor gazetteer a manifest names cannot be read.
    #[error(transparent)]
    Actors(#[from] GazetteerError),
    /// A second manifest names an actor gazetteer too.
    #[error("{0}: a second actor gazetteer; a corpus can have one")]
    SecondActors(PathBuf),
}

/// `corpus.toml`: the list of sources in a corpus directory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    /// A directory of word vectors (see [`crate::features::word_vectors`]), relative to the manifest.
    word_vectors: Option<PathBuf>,
    /// A directory holding an actor gazetteer (see [`crate::features::actors`]), relative to
    /// the manifest.
    actors: Option<PathBuf>,
    source: Vec<Source>,
}

impl Corpus {
    /// Reads every input in order: a directory through its `corpus.toml`, a `.jsonl` file as
    /// user data.
    pub fn load(inputs: &[PathBuf]) -> Result<Self, CorpusError> {
        let mut corpus = Self::default();
        for input in inputs {
            if input.is_dir() {
                corpus.load_directory(input)?;
            } else if input.extension().is_some_and(|e| e == "jsonl") {
                let name = input.display().to_string();
                corpus.extend(&name, [1.0, 1.0], formats::read_jsonl(input)?);
            } else {
                return Err(CorpusError::UnknownInput(input.clone()));
            }
        }
        Ok(corpus)
    }

    fn load_directory(&mut self, directory: &Path) -> Result<(), CorpusError> {
        let path = directory.join("corpus.toml");
        let text = read_to_string(&path)?;
        let manifest: Manifest =
            toml::from_str(&text).map_err(|e| CorpusError::Manifest { path: path.clone(), message: e.to_string() })?;
        if let Some(vectors) = manifest.word_vectors {
            if self.word_vectors.is_some() {
                return Err(CorpusError::SecondWordVectors(path));
            }
            self.word_vectors = Some(Arc::new(WordVectors::load(&directory.join(vectors))?));
        }
        if let Some(actors) = manifest.actors {
            if self.actors.is_some() {
                return Err(CorpusError::SecondActors(path));
            }
            self.actors = Some(Arc::new(Gazetteer::load(&directory.join(actors))?));
        }
        for source in &manifest.source {
            let documents = source.read(directory)?;
            let weights = [source.weight, source.sentence_weight.unwrap_or(source.weight)];
            self.extend(&source.name, weights, documents);
        }
        Ok(())
    }

    /// Appends a source's documents with its weight and sentence weight.
    fn extend(&mut self, source: &str, [weight, sentence_weight]: [f64; 2], documents: Vec<Document>) {
        self.sources.extend(std::iter::repeat_n(source.to_owned(), documents.len()));
        self.weights.extend(std::iter::repeat_n(weight, documents.len()));
        self.sentence_weights.extend(std::iter::repeat_n(sentence_weight, documents.len()));
        self.documents.extend(documents);
    }

    /// The number of documents.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether the corpus has no document.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// Every head named by some document, with its labels, sorted.
    pub fn heads(&self) -> BTreeMap<String, Vec<String>> {
        let mut heads: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (head, label) in self.documents.iter().flat_map(|d| &d.labels) {
            heads.entry(head.clone()).or_default().push(label.clone());
        }
        heads.values_mut().for_each(|labels| {
            labels.sort();
            labels.dedup();
        });
        heads
    }

    /// A corpus of documents that all count once.
    pub fn from_documents(documents: Vec<Document>, source: &str) -> Self {
        let mut corpus = Self::default();
        corpus.extend(source, [1.0, 1.0], documents);
        corpus
    }

    /// The documents at `indices`, with their sources and weights.
    pub fn subset(&self, indices: impl IntoIterator<Item = usize>) -> Self {
        let mut corpus =
            Self { word_vectors: self.word_vectors.clone(), actors: self.actors.clone(), ..Self::default() };
        for i in indices {
            corpus.documents.push(self.documents[i].clone());
            corpus.sources.push(self.sources[i].clone());
            corpus.weights.push(self.weights[i]);
            corpus.sentence_weights.push(self.sentence_weights[i]);
        }
        corpus
    }

    /// SHA-256 over every document's id, title, text, labels and weights, in order, and the
    /// word vectors if any: equal digests mean equal training input.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        if let Some(vectors) = &self.word_vectors {
            vectors.hash_into(&mut hasher);
        }
        if let Some(actors) = &self.actors {
            let data = actors.data();
            let rows = data.actors.iter().map(|a| [a.code.as_str(), a.name.as_str(), a.kind.as_str()]);
            let names = data.names.iter().map(|n| [n.code.as_str(), n.pattern.as_str(), n.role.as_str()]);
            let stops = data.stopnames.iter().map(|s| [s.as_str(), "", "stop"]);
            for field in rows.chain(names).chain(stops).flatten() {
                hasher.update((field.len() as u64).to_le_bytes());
                hasher.update(field.as_bytes());
            }
        }
        for (i, document) in self.documents.iter().enumerate() {
            hasher.update(self.weights[i].to_le_bytes());
            hasher.update(self.sentence_weights[i].to_le_bytes());
            for field in [&document.id, &document.title, &document.text] {
                hasher.update((field.len() as u64).to_le_bytes());
                hasher.update(field.as_bytes());
            }
            for (head, label) in &document.labels {
                hasher.update(format!("{}:{head}={}:{label};", head.len(), label.len()).as_bytes());
            }
        }
        hex(&hasher.finalize())
    }
}

pub(crate) fn read_to_string(path: &Path) -> Result<String, CorpusError> {
    std::fs::read_to_string(path).map_err(|reason| CorpusError::Io { path: path.to_owned(), reason })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
