//! What a model answers for a story: what it reads of it whatever the relation settings,
//! the pairs that settings find or that the model serves, and the co-occurrence baseline.

use super::{Answer, NewsError, NewsStory, Pair};
use crate::features::actors::{ArticleActors, Gazetteer};
use crate::model::relations::{
    article_reads_neutral, relations_with_cues, CueWords, MainBy, RelationSettings, SentenceInput, StanceLabels,
};
use crate::model::{Model, Options, SentenceProbabilities};
use crate::text::article::Article;

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
