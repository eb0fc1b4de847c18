//! Relations measured on hand-labeled news stories (`data/news/articles.jsonl`, labeled under
//! `../shared/LABELS.md`): pair precision, recall and F1, main-pair recall, stance accuracy on
//! found pairs, relation-free stories answered with none, and the article stance under the
//! relation rules, beside a co-occurrence baseline (every pair named in one sentence, stance
//! from the sentence, main the most co-mentioned). `accord train --validate-news` records
//! them in the model card; `examples/relations_eval` chooses [`RelationSettings`] with them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::features::actors::{ArticleActors, Gazetteer};
use crate::model::meta::{PairCounts, RelationValidation, StanceFigure};
use crate::model::relations::{
    article_reads_neutral, relations_with_cues, CueWords, MainBy, RelationSettings, SentenceInput, StanceLabels,
};
use crate::model::{Model, Options, SentenceProbabilities};
use crate::text::article::Article;
use crate::train::corpus::hex;

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

/// One story's gold labels and one method's answer for it.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    /// The labeled article stance.
    pub gold_stance: &'a str,
    /// The labeled pairs.
    pub gold: &'a [Pair],
    /// Best first: the first is the main (else most probable) pair.
    pub predicted: Vec<Pair>,
    /// The model's article stance without the relation rule, and its
    /// cooperation-vs-tension choice.
    pub model_stance: &'a str,
    /// `cooperation` or `tension`, whichever the model finds likelier.
    pub model_binary: &'a str,
}

/// The counts of `answers`.
pub fn count(answers: &[Answer<'_>]) -> PairCounts {
    let mut counts = PairCounts::default();
    answers.iter().for_each(|answer| add(&mut counts, answer));
    counts
}

fn add(counts: &mut PairCounts, answer: &Answer<'_>) {
    let key = |p: &Pair| (p.a.clone(), p.b.clone());
    let gold: BTreeSet<_> = answer.gold.iter().map(key).collect();
    counts.labeled += gold.len();
    counts.predicted += answer.predicted.len();
    for pair in &answer.predicted {
        if let Some(g) = answer.gold.iter().find(|g| key(g) == key(pair)) {
            counts.true_pairs += 1;
            counts.stance_right += usize::from(g.stance == pair.stance);
        }
    }
    if answer.gold.iter().any(|g| g.main) {
        counts.with_main += 1;
        let first = answer.predicted.first();
        counts.main_found += usize::from(first.is_some_and(|p| answer.gold.iter().any(|g| g.main && key(g) == key(p))));
    }
    if answer.gold.is_empty() {
        counts.without_relation += 1;
        counts.answered_none += usize::from(answer.predicted.is_empty());
    }
}

/// What relation settings are chosen by: the mean of the four relation figures (pair F1,
/// main-pair recall, stance accuracy on found pairs, share of relation-free stories answered
/// with none).
pub fn objective(counts: &PairCounts) -> f64 {
    (counts.f1() + counts.main_recall() + counts.stance_accuracy() + counts.none_share()) / 4.0
}

/// The counts on one line.
pub fn line(c: &PairCounts) -> String {
    format!(
        "pairs P {:.2} R {:.2} F1 {:.2} ({} of {} predicted, {} labeled) | main {}/{} = {:.2} | stance on found {}/{} = {:.2} | none {}/{}",
        c.precision(),
        c.recall(),
        c.f1(),
        c.true_pairs,
        c.predicted,
        c.labeled,
        c.main_found,
        c.with_main,
        c.main_recall(),
        c.stance_right,
        c.true_pairs,
        c.stance_accuracy(),
        c.answered_none,
        c.without_relation,
    )
}

/// How an article's stance is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanceRule {
    /// The model's article stance without relations.
    Model,
    /// Neutral without a relation, else the model's (the rule the model serves).
    NoRelationNeutral,
    /// Neutral without a relation, else the main pair's stance.
    MainPair,
}

impl StanceRule {
    /// Every rule.
    pub const ALL: [StanceRule; 3] = [Self::Model, Self::NoRelationNeutral, Self::MainPair];

    /// The rule in a few words.
    pub fn name(self) -> &'static str {
        match self {
            Self::Model => "model without relations",
            Self::NoRelationNeutral => "no relation → neutral",
            Self::MainPair => "main pair's stance",
        }
    }

    /// The 3-class answer and the cooperation-vs-tension answer.
    pub fn decide<'a>(self, answer: &'a Answer<'a>) -> (&'a str, &'a str) {
        match (self, answer.predicted.first()) {
            (Self::Model, _) => (answer.model_stance, answer.model_binary),
            (_, None) => ("neutral", answer.model_binary),
            (Self::NoRelationNeutral, Some(_)) => (answer.model_stance, answer.model_binary),
            (Self::MainPair, Some(pair)) => (pair.stance.as_str(), pair.stance.as_str()),
        }
    }
}

/// Macro-F1 of `(gold, predicted)` pairs over `labels`.
pub fn macro_f1(pairs: &[(&str, &str)], labels: &[&str]) -> f64 {
    let f1 = |label: &str| {
        let tp = pairs.iter().filter(|(g, p)| *g == label && *p == label).count() as f64;
        let predicted = pairs.iter().filter(|(_, p)| *p == label).count() as f64;
        let gold = pairs.iter().filter(|(g, _)| *g == label).count() as f64;
        if predicted + gold > 0.0 {
            2.0 * tp / (predicted + gold)
        } else {
            0.0
        }
    };
    labels.iter().map(|l| f1(l)).sum::<f64>() / labels.len() as f64
}

/// 3-class macro-F1 over all stories, and cooperation-vs-tension macro-F1 over the stories
/// labeled with either.
pub fn stance_scores(answers: &[Answer<'_>], rule: StanceRule) -> (f64, f64) {
    let decided: Vec<(&str, (&str, &str))> = answers.iter().map(|a| (a.gold_stance, rule.decide(a))).collect();
    let three: Vec<(&str, &str)> = decided.iter().map(|(g, (p, _))| (*g, *p)).collect();
    let binary: Vec<(&str, &str)> =
        decided.iter().filter(|(g, _)| *g != "neutral").map(|(g, (_, b))| (*g, *b)).collect();
    (macro_f1(&three, &["cooperation", "neutral", "tension"]), macro_f1(&binary, &["cooperation", "tension"]))
}

/// The co-occurrence baseline: every pair named in one sentence, stance from the sentence,
/// main the most co-mentioned.
pub fn baseline_settings() -> RelationSettings {
    RelationSettings {
        window: 0,
        title_weight: 1.0,
        lead_sentences: 0,
        lead_weight: 1.0,
        neutral_discount: false,
        min_score: f32::MIN_POSITIVE,
        tension_threshold: 0.5,
        main_by: MainBy::Score,
        main_ratio: 1.0,
        place_weight: 1.0,
        descriptor_weight: 1.0,
        neutral_article_gate: f32::INFINITY,
        max_pairs: usize::MAX,
        ..RelationSettings::default()
    }
}

/// What the model reads of a story that relation settings do not change.
pub struct Reading {
    /// The stance head's position among the model's heads.
    pub stance_head: usize,
    /// Where the stance labels are.
    pub labels: StanceLabels,
    /// The model's article stance without relations.
    pub model_stance: String,
    /// Cooperation or tension, whichever the model finds likelier.
    pub model_binary: String,
    /// The model's article stance probabilities without relations, in the head's label order.
    pub model_probabilities: Vec<f32>,
    /// Every sentence with its stance probabilities.
    pub sentences: Vec<SentenceProbabilities>,
}

/// The stance head and its labels; an error without them.
pub fn stance_labels(model: &Model) -> Result<(usize, StanceLabels), NewsError> {
    let rule = model.article_stance().ok_or(NewsError::Unscorable("article-stance rule"))?;
    let head =
        model.heads().iter().position(|h| h.name == rule.stance_head).ok_or(NewsError::Unscorable("stance head"))?;
    let labels = StanceLabels::find(&model.heads()[head].labels).ok_or(NewsError::Unscorable("cooperation/tension"))?;
    Ok((head, labels))
}

/// What `model` reads of `story`, its article stance taken from `without_actors` (the same
/// model with no gazetteer, so without the relation rule).
pub fn read(model: &Model, without_actors: &Model, story: &NewsStory) -> Result<Reading, NewsError> {
    let (stance_head, labels) = stance_labels(model)?;
    let article = Article { id: &story.id, title: &story.title, text: &story.text };
    let stance = &without_actors.classify(&article, &Options::default()).heads[stance_head];
    let p = &stance.prediction.probabilities;
    let binary = if p[labels.tension] >= p[labels.cooperation] { "tension" } else { "cooperation" };
    let mut sentences = model.sentence_probabilities(&article).ok_or(NewsError::Unscorable("article-stance rule"))?;
    // A text of one sentence: classify hands the relations the article's own probabilities
    // (the single-sentence head's, when the model has one), not the stance head's.
    if let [(_, _, one)] = sentences.as_mut_slice() {
        one.clone_from(p);
    }
    Ok(Reading {
        stance_head,
        labels,
        model_stance: stance.label().to_owned(),
        model_binary: binary.to_owned(),
        model_probabilities: p.clone(),
        sentences,
    })
}

/// The pairs `settings` find among `sentences` and `actors` (with the article's cue words,
/// if given: [`relations_with_cues`]), best first; none when the
/// article's own stance probabilities (`article_stance`, before the relation rule) read as
/// neutral by [`RelationSettings::neutral_article_gate`].
pub fn found_pairs(
    gazetteer: &Gazetteer,
    settings: &RelationSettings,
    labels: StanceLabels,
    (article_stance, sentences): (&[f32], &[SentenceProbabilities]),
    (actors, cues): (&ArticleActors, Option<&CueWords<'_>>),
) -> Vec<Pair> {
    if article_reads_neutral(settings, labels, article_stance) {
        return Vec::new();
    }
    let inputs: Vec<SentenceInput<'_>> = sentences
        .iter()
        .map(|(field, range, stance)| SentenceInput { field: *field, range: range.clone(), stance })
        .collect();
    relations_with_cues(gazetteer, settings, labels, &inputs, actors, cues)
        .pairs
        .iter()
        .map(|r| Pair {
            a: gazetteer.code(r.a).to_owned(),
            b: gazetteer.code(r.b).to_owned(),
            stance: r.label.as_str().to_owned(),
            main: r.main,
        })
        .collect()
}

/// The pairs `model` serves for `story`, main first.
pub fn served_pairs(model: &Model, story: &NewsStory) -> Vec<Pair> {
    let article = Article { id: &story.id, title: &story.title, text: &story.text };
    let options = Options { relations: true, ..Options::default() };
    model
        .classify(&article, &options)
        .relations
        .iter()
        .map(|r| Pair { a: r.a.code.clone(), b: r.b.code.clone(), stance: r.label.as_str().to_owned(), main: r.main })
        .collect()
}

/// `story`'s labels beside `predicted`, with the model's article stance from `reading`.
pub fn answer<'a>(story: &'a NewsStory, reading: &'a Reading, predicted: Vec<Pair>) -> Answer<'a> {
    Answer {
        gold_stance: &story.labels.stance,
        gold: &story.relations,
        predicted,
        model_stance: &reading.model_stance,
        model_binary: &reading.model_binary,
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

#[cfg(test)]
mod tests;
