//! Validation on hand-labeled whole articles, and the choice of the article-stance exponent.
//!
//! The articles never train a head. They choose one number, the exponent of the article
//! stance rule, and that choice is scored honestly by nested cross-validation: each fold's
//! articles are predicted with the exponent that did best on the other folds. Articles are
//! answered as the served model answers them: with an actor gazetteer, one of two or more
//! sentences that reports no relation leans neutral
//! ([`crate::model::stance_rule::lean_neutral`]).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::model::head::argmax;
use crate::model::stance_rule::{lean_neutral, ArticleStance};
use crate::model::Model;
use crate::model::Options;
use crate::text::article::Article;
use crate::train::corpus::Corpus;
use crate::train::scores::Confusion;

/// The exponents tried for the article-stance rule.
pub const EXPONENTS: &[f32] = &[0.25, 0.5, 0.75, 1.0, 1.5, 2.0];
const FOLDS: usize = 5;

pub use crate::model::meta::ValidationFigure;

pub use crate::model::meta::ArticleValidation;

/// An article as the rule sees it.
struct Scored {
    truth: Option<usize>,
    plain: Vec<f32>,
    mean: Vec<f32>,
    sentences: usize,
    relation: f32,
    /// Whether some pair of actors reads as a relation (true for a model without actors).
    related: bool,
}

/// Scores `model` on `articles` and chooses the stance exponent; `None` without a stance rule.
pub fn validate(model: &Model, articles: &Corpus, seed: u64) -> Option<ArticleValidation> {
    let rule = model.article_stance()?.clone();
    let stance = model.heads().iter().position(|h| h.name == rule.stance_head)?;
    let labels = &model.heads()[stance].labels;
    let scored = score_articles(model, articles, &rule, stance);
    let macro_f1 = |exponent: f32, docs: &[usize]| {
        let rule = ArticleStance { exponent, ..rule.clone() };
        let pairs = docs.iter().filter_map(|&i| Some((scored[i].truth?, predict(&rule, labels, &scored[i]))));
        Confusion::from_pairs(labels.len(), pairs).macro_f1()
    };
    let all: Vec<usize> = (0..scored.len()).filter(|&i| scored[i].truth.is_some()).collect();
    let exponent_scores: Vec<(f32, f64)> = EXPONENTS.iter().map(|&e| (e, macro_f1(e, &all))).collect();
    let exponent = best(&exponent_scores);
    let mut pairs = Vec::new();
    for fold in folds(&scored, seed) {
        let others: Vec<usize> = all.iter().copied().filter(|i| !fold.contains(i)).collect();
        let chosen = best(&EXPONENTS.iter().map(|&e| (e, macro_f1(e, &others))).collect::<Vec<_>>());
        let rule = ArticleStance { exponent: chosen, ..rule.clone() };
        pairs.extend(fold.iter().filter_map(|&i| Some((scored[i].truth?, predict(&rule, labels, &scored[i])))));
    }
    let mut heads = plain_figures(model, articles, &rule.stance_head);
    heads.push(figure(&rule.stance_head, &Confusion::from_pairs(labels.len(), pairs)));
    Some(ArticleValidation {
        documents: articles.len(),
        digest: articles.digest(),
        heads,
        stance_non_neutral: non_neutral(&rule, labels, &scored),
        exponent,
        exponent_scores,
        baseline: Vec::new(),
    })
}

fn score_articles(model: &Model, articles: &Corpus, rule: &ArticleStance, stance: usize) -> Vec<Scored> {
    let labels = &model.heads()[stance].labels;
    let topic = model.heads().iter().position(|h| h.name == rule.topic_head);
    articles
        .documents
        .iter()
        .map(|d| {
            let article = Article { id: &d.id, title: &d.title, text: &d.text };
            let predictions = model.predict_plain(&article);
            let relation = topic
                .and_then(|t| {
                    let head = &model.heads()[t];
                    let r = head.labels.iter().position(|l| *l == rule.relation_label)?;
                    Some(predictions[t].probabilities[r])
                })
                .unwrap_or(1.0);
            let parts = model.sentence_mean(&article);
            let relations = Options { relations: true, ..Options::default() };
            let related = model.actors().is_none() || !model.classify(&article, &relations).relations.is_empty();
            Scored {
                truth: d.labels.get(&rule.stance_head).and_then(|l| labels.iter().position(|x| x == l)),
                plain: predictions[stance].probabilities.clone(),
                mean: parts.as_ref().map(|p| p.mean.clone()).unwrap_or_default(),
                sentences: parts.map_or(0, |p| p.sentences),
                relation,
                related,
            }
        })
        .collect()
}

fn stance_probabilities(rule: &ArticleStance, labels: &[String], article: &Scored) -> Vec<f32> {
    if article.sentences < 2 {
        return article.plain.clone();
    }
    let mut probabilities = rule.combine(labels, &article.mean, article.relation);
    if let (false, Some(neutral)) = (article.related, labels.iter().position(|l| *l == rule.neutral_label)) {
        lean_neutral(&mut probabilities, neutral);
    }
    probabilities
}

fn predict(rule: &ArticleStance, labels: &[String], article: &Scored) -> usize {
    argmax(&stance_probabilities(rule, labels, article))
}

/// The exponent with the highest score; the first on ties.
fn best(scores: &[(f32, f64)]) -> f32 {
    scores.iter().fold(scores[0], |best, &s| if s.1 > best.1 { s } else { best }).0
}

/// Labeled articles in `FOLDS` folds, stratified by label, by a seeded shuffle.
fn folds(scored: &[Scored], seed: u64) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut folds = vec![Vec::new(); FOLDS];
    let labels: std::collections::BTreeSet<usize> = scored.iter().filter_map(|s| s.truth).collect();
    let mut next = 0;
    for label in labels {
        let mut members: Vec<usize> = (0..scored.len()).filter(|&i| scored[i].truth == Some(label)).collect();
        members.shuffle(&mut rng);
        for i in members {
            folds[next % FOLDS].push(i);
            next += 1;
        }
    }
    folds
}

/// Figures of every head but the stance head, from its plain prediction.
fn plain_figures(model: &Model, articles: &Corpus, stance_head: &str) -> Vec<ValidationFigure> {
    model
        .heads()
        .iter()
        .enumerate()
        .filter(|(_, head)| head.name != stance_head)
        .filter_map(|(index, head)| {
            let pairs: Vec<(usize, usize)> = articles
                .documents
                .iter()
                .filter_map(|d| {
                    let truth = head.labels.iter().position(|l| Some(l) == d.labels.get(&head.name))?;
                    let article = Article { id: &d.id, title: &d.title, text: &d.text };
                    Some((truth, model.predict_plain(&article)[index].best))
                })
                .collect();
            (!pairs.is_empty()).then(|| figure(&head.name, &Confusion::from_pairs(head.labels.len(), pairs)))
        })
        .collect()
}

/// Non-neutral articles, predicted as the larger of their non-neutral probabilities.
fn non_neutral(rule: &ArticleStance, labels: &[String], scored: &[Scored]) -> Option<ValidationFigure> {
    let neutral = labels.iter().position(|l| *l == rule.neutral_label)?;
    let pairs: Vec<(usize, usize)> = scored
        .iter()
        .filter(|s| s.truth.is_some_and(|t| t != neutral))
        .filter_map(|s| {
            let mut p = stance_probabilities(rule, labels, s);
            p[neutral] = f32::NEG_INFINITY;
            Some((s.truth?, argmax(&p)))
        })
        .collect();
    let confusion = Confusion::from_pairs(labels.len(), pairs);
    let mut figure = figure(&format!("{} (non-neutral)", rule.stance_head), &confusion);
    // Macro-F1 over the non-neutral labels only: neutral is neither true nor predicted here.
    let f1 = confusion.f1_per_label();
    figure.macro_f1 = f1.iter().enumerate().filter(|(i, _)| *i != neutral).map(|(_, f)| f).sum::<f64>()
        / (labels.len() - 1).max(1) as f64;
    Some(figure)
}

fn figure(head: &str, confusion: &Confusion) -> ValidationFigure {
    ValidationFigure {
        head: head.to_owned(),
        documents: confusion.total() as usize,
        accuracy: confusion.accuracy(),
        macro_f1: confusion.macro_f1(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::Options;

    /// The figure an exponent scores is the one the served model, with that exponent, earns
    /// on the same articles: the relation gate included.
    #[test]
    fn articles_are_scored_as_the_served_model_answers_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let model = Model::load(&root.join("models/default/model.bin")).expect("shipped model loads");
        let articles = Corpus::load(&[root.join("data/articles/articles.jsonl")]).expect("articles load");
        let validation = validate(&model, &articles, 7).expect("the shipped model has a stance rule");
        let rule = model.article_stance().expect("a stance rule");
        let &(_, scored) =
            validation.exponent_scores.iter().find(|(e, _)| *e == rule.exponent).expect("the exponent was tried");
        let stance = model.heads().iter().position(|h| h.name == rule.stance_head).expect("a stance head");
        let labels = &model.heads()[stance].labels;
        let served = articles.documents.iter().filter_map(|d| {
            let truth = labels.iter().position(|l| Some(l) == d.labels.get(&rule.stance_head))?;
            let article = Article { id: &d.id, title: &d.title, text: &d.text };
            let answer = model.classify(&article, &Options::default());
            Some((truth, labels.iter().position(|l| l == answer.heads[stance].label())?))
        });
        let served = Confusion::from_pairs(labels.len(), served).macro_f1();
        assert!((served - scored).abs() < 1e-12, "validation scores {scored}, the served answers {served}");
    }
}
