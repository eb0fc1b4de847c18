//! Relations measured on hand-labeled news stories (`data/news/articles.jsonl`, labeled under
//! `../shared/LABELS.md`): pair precision, recall and F1, main-pair recall, stance accuracy on
//! found pairs, relation-free stories answered with none, and the article stance under the
//! relation rules, beside a co-occurrence baseline (every pair named in one sentence, stance
//! from the sentence, main the most co-mentioned). `accord train --validate-news` records
//! them in the model card; `examples/relations_eval` chooses
//! [`RelationSettings`](crate::model::relations::RelationSettings) with them.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::model::meta::{RelationValidation, StanceFigure};
use crate::model::Model;
use crate::train::corpus::hex;
pub use reading::{answer, baseline_settings, found_pairs, read, served_pairs, stance_labels, Reading};
pub use scoring::{count, line, macro_f1, objective, stance_scores, Answer, StanceRule};

/// Why the news stories could not be read or scored.
#[derive(Debug, thiserror::Error)]
pub enum NewsError {
    /// The file could not be read.
    #[error("cannot read news stories {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line is not a labeled story.
    #[error("{path}:{line}: not a labeled news story: {source}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What the decoder said.
        source: serde_json::Error,
    },
    /// The model cannot find relations (said what it lacks).
    #[error("the model cannot be scored on news relations: it has no {0}")]
    Unscorable(&'static str),
}

/// A labeled or predicted pair: codes in order, stance, main.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pair {
    /// The code that sorts first.
    pub a: String,
    /// The other code.
    pub b: String,
    /// `cooperation` or `tension`.
    pub stance: String,
    /// One of the pairs the story is mainly about.
    pub main: bool,
}

/// One hand-labeled story.
#[derive(Debug, Clone, Deserialize)]
pub struct NewsStory {
    /// The story's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub text: String,
    /// Its labels: the article stance.
    pub labels: StoryLabels,
    /// The labeled relations.
    pub relations: Vec<Pair>,
}

/// A story's article-level labels that are scored here.
#[derive(Debug, Clone, Deserialize)]
pub struct StoryLabels {
    /// `cooperation`, `neutral` or `tension`.
    pub stance: String,
}

/// The stories of one file, with its digest.
#[derive(Debug, Clone)]
pub struct NewsStories {
    /// The stories, in file order.
    pub stories: Vec<NewsStory>,
    /// SHA-256 of the file, hex.
    pub digest: String,
}

impl NewsStories {
    /// Reads a `.jsonl` file of labeled stories.
    pub fn load(path: &Path) -> Result<Self, NewsError> {
        let bytes = std::fs::read(path).map_err(|source| NewsError::Io { path: path.to_owned(), source })?;
        let text = String::from_utf8_lossy(&bytes);
        let stories = text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                serde_json::from_str(line).map_err(|source| NewsError::Line {
                    path: path.to_owned(),
                    line: i + 1,
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { stories, digest: hex(&Sha256::digest(&bytes)) })
    }
}

/// `model`'s relations and article stance on `news`, beside the co-occurrence baseline.
pub fn validate(model: &Model, news: &NewsStories) -> Result<RelationValidation, NewsError> {
    let gazetteer = model.actors().ok_or(NewsError::Unscorable("actor gazetteer"))?;
    let without_actors = model.clone().with_actors(None);
    let readings: Vec<Reading> =
        news.stories.iter().map(|story| read(model, &without_actors, story)).collect::<Result<_, _>>()?;
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for (story, reading) in news.stories.iter().zip(&readings) {
        ours.push(answer(story, reading, served_pairs(model, story)));
        let mut matcher = gazetteer.matcher(crate::model::who::match_settings());
        let actors = matcher.find(model.tokenizer(), &story.title, &story.text);
        let pairs = found_pairs(
            gazetteer,
            &baseline_settings(),
            reading.labels,
            (&reading.model_probabilities, &reading.sentences),
            (&actors, None),
        );
        base.push(answer(story, reading, pairs));
    }
    let mut article_stance = Vec::new();
    for (name, answers) in [("accord", &ours), ("baseline", &base)] {
        for rule in StanceRule::ALL {
            let (macro_f1, cooperation_vs_tension) = stance_scores(answers, rule);
            let relations = name.to_owned();
            article_stance.push(StanceFigure {
                relations,
                rule: rule.name().to_owned(),
                macro_f1,
                cooperation_vs_tension,
            });
        }
    }
    Ok(RelationValidation {
        stories: news.stories.len(),
        digest: news.digest.clone(),
        relations: count(&ours),
        baseline: count(&base),
        article_stance,
    })
}

mod reading;
mod scoring;
#[cfg(test)]
mod tests;
