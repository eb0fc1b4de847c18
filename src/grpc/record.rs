//! What training recorded in a model (its settings, validation, cross-validation and relation
//! figures) as the messages of `ModelInfo`.

use crate::grpc::convert::saturating_u32;
use crate::grpc::v1 as pb;
use crate::model::meta::{
    ArticleValidation, CrossValidation, FoldScore, HeadFolds, Learner, PairCounts, RelationValidation, SentenceFolds,
    StanceFigure, TrainConfig, ValidationFigure,
};

pub fn train_config(config: &TrainConfig) -> pb::TrainConfig {
    pb::TrainConfig {
        seed: config.seed,
        test_fraction: config.test_fraction,
        tokenizer: Some(pb::TokenizerSettings {
            version: config.tokenizer.version,
            lowercase: config.tokenizer.lowercase,
            max_token_bytes: saturating_u32(config.tokenizer.max_token_bytes),
        }),
        vectorizer: Some(pb::VectorizerSettings {
            max_ngram: saturating_u32(config.vectorizer.max_ngram),
            min_df: saturating_u32(config.vectorizer.min_df),
            max_features: saturating_u32(config.vectorizer.max_features),
            sublinear_tf: config.vectorizer.sublinear_tf,
        }),
        head_features: saturating_u32(config.head_features),
        l2: config.l2,
        l2_by_head: config.l2_by_head.clone(),
        max_iterations: config.max_iterations,
        learners: config
            .learners
            .iter()
            .map(|(head, learner)| (head.clone(), self::learner(*learner).into()))
            .collect(),
        refit_on_all: config.refit_on_all,
        calibrate: config.calibrate,
        article_stance: config.article_stance.as_ref().map(|rule| pb::ArticleStanceRule {
            stance_head: rule.stance_head.clone(),
            topic_head: rule.topic_head.clone(),
            relation_label: rule.relation_label.clone(),
            neutral_label: rule.neutral_label.clone(),
            exponent: rule.exponent,
        }),
        sentence_head: config.sentence_head,
        balance_sentence_labels: config.balance_sentence_labels,
        sentence_head_without_names: config.sentence_head_without_names,
        heads_without_names: config.heads_without_names.iter().cloned().collect(),
        sentence_head_prefixes: saturating_u32(config.sentence_head_prefixes),
        sentence_head_word_vectors: config.sentence_head_word_vectors,
        word_vectors_l2: config.word_vectors_l2,
    }
}

fn learner(learner: Learner) -> pb::Learner {
    match learner {
        Learner::Multinomial => pb::Learner::Multinomial,
        Learner::NaiveBayesOneVsRest => pb::Learner::NaiveBayesOneVsRest,
        Learner::NaiveBayesPlusPlain => pb::Learner::NaiveBayesPlusPlain,
    }
}

pub fn article_validation(validation: &ArticleValidation) -> pb::ArticleValidation {
    pb::ArticleValidation {
        documents: saturating_u32(validation.documents),
        digest: validation.digest.clone(),
        heads: validation.heads.iter().map(figure).collect(),
        stance_non_neutral: validation.stance_non_neutral.as_ref().map(figure),
        exponent: validation.exponent,
        exponent_scores: validation
            .exponent_scores
            .iter()
            .map(|&(exponent, macro_f1)| pb::ExponentScore { exponent, macro_f1 })
            .collect(),
        baseline: validation.baseline.iter().map(figure).collect(),
    }
}

fn figure(figure: &ValidationFigure) -> pb::ValidationFigure {
    pb::ValidationFigure {
        head: figure.head.clone(),
        documents: saturating_u32(figure.documents),
        accuracy: figure.accuracy,
        macro_f1: figure.macro_f1,
    }
}

pub fn cross_validation(validation: &CrossValidation) -> pb::CrossValidation {
    pb::CrossValidation {
        folds: saturating_u32(validation.folds),
        baseline: validation.baseline.clone().unwrap_or_default(),
        heads: validation.heads.iter().map(head_folds).collect(),
        single_sentences: validation.single_sentences.as_ref().map(sentence_folds),
    }
}

fn head_folds(folds: &HeadFolds) -> pb::HeadFolds {
    pb::HeadFolds { head: folds.head.clone(), accord: scores(&folds.accord), baseline: scores(&folds.baseline) }
}

fn sentence_folds(folds: &SentenceFolds) -> pb::SentenceFolds {
    pb::SentenceFolds {
        head: folds.head.clone(),
        accord: scores(&folds.accord),
        stance_head: scores(&folds.stance_head),
        baseline: scores(&folds.baseline),
    }
}

fn scores(scores: &[FoldScore]) -> Vec<pb::FoldScore> {
    scores
        .iter()
        .map(|score| pb::FoldScore {
            documents: saturating_u32(score.documents),
            accuracy: score.accuracy,
            macro_f1: score.macro_f1,
        })
        .collect()
}

pub fn relation_validation(validation: &RelationValidation) -> pb::RelationValidation {
    pb::RelationValidation {
        stories: saturating_u32(validation.stories),
        digest: validation.digest.clone(),
        relations: Some(pair_figures(&validation.relations)),
        baseline: Some(pair_figures(&validation.baseline)),
        article_stance: validation.article_stance.iter().map(stance_figure).collect(),
    }
}

fn pair_figures(counts: &PairCounts) -> pb::PairFigures {
    pb::PairFigures {
        true_pairs: saturating_u32(counts.true_pairs),
        predicted: saturating_u32(counts.predicted),
        labeled: saturating_u32(counts.labeled),
        stance_right: saturating_u32(counts.stance_right),
        with_main: saturating_u32(counts.with_main),
        main_found: saturating_u32(counts.main_found),
        without_relation: saturating_u32(counts.without_relation),
        answered_none: saturating_u32(counts.answered_none),
        precision: counts.precision(),
        recall: counts.recall(),
        f1: counts.f1(),
        main_recall: counts.main_recall(),
        stance_accuracy: counts.stance_accuracy(),
        none_share: counts.none_share(),
    }
}

fn stance_figure(figure: &StanceFigure) -> pb::StanceFigure {
    pb::StanceFigure {
        relations: figure.relations.clone(),
        rule: figure.rule.clone(),
        macro_f1: figure.macro_f1,
        cooperation_vs_tension: figure.cooperation_vs_tension,
    }
}
