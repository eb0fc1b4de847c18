//! The model's answers as gRPC messages: the one conversion the service and the command line
//! both call, so that `accord classify` prints (in the messages' proto3 JSON mapping) exactly
//! what the service returns. Each function takes a model and an article and returns a
//! response.

use prost::Message;

use crate::grpc::record;
use crate::grpc::v1 as pb;
use crate::model::meta::{HeadEvaluation, SentenceEvaluation};
use crate::model::who::{ActorRelation, NamedActor};
use crate::model::{Classification, HeadResult, Model, Options, SentenceStance, TooManySentences};
use crate::text::article::{Article, Field};
use crate::text::tokenizer::Token;

/// The article's tokens, title first; offsets are into the field each token comes from.
pub fn tokenize(model: &Model, article: &Article) -> pb::TokenizeResponse {
    let fields = [(article.title, pb::Field::Title), (article.text, pb::Field::Text)];
    let tokens = fields
        .into_iter()
        .flat_map(|(text, field)| model.tokenize(text).into_iter().map(move |token| self::token(&token, field)))
        .collect();
    pb::TokenizeResponse { tokens, model_version: model.version().to_owned() }
}

/// The article's TF-IDF features, by ascending index.
pub fn vectorize(model: &Model, article: &Article) -> pb::VectorizeResponse {
    let vector = model.vectorize(article);
    let features = vector
        .iter()
        .map(|(index, weight)| feature(index, model.vectorizer().term(index).unwrap_or_default(), weight))
        .collect();
    pb::VectorizeResponse {
        features,
        dimensions: saturating_u32(model.vectorizer().dimensions()),
        model_version: model.version().to_owned(),
    }
}

/// Every head's prediction for the article, with up to `options.explain` evidence terms
/// each, each sentence's stance if `options.sentences` is set, and the actors and their
/// relations if `options.relations` is.
pub fn classify(model: &Model, article: &Article, options: &Options) -> pb::ClassifyResponse {
    response(model, article, &model.classify(article, options))
}

/// [`classify`] within `max_answer_bytes`: refused before the sentences are scored when
/// `options.sentences` asks for more of them than such an answer can hold (each takes at
/// least [`least_sentence_entry_bytes`]).
pub fn classify_within(
    model: &Model,
    article: &Article,
    options: &Options,
    max_answer_bytes: usize,
) -> Result<pb::ClassifyResponse, TooManySentences> {
    // The entries' least size is looked up only when sentences are asked for: it is no
    // part of an ordinary call.
    let max_sentences =
        if options.sentences { max_answer_bytes / least_sentence_entry_bytes(model) } else { usize::MAX };
    Ok(response(model, article, &model.classify_within(article, options, max_sentences)?))
}

/// The fewest bytes one entry of `ClassifyResponse.sentences` takes: a sentence of the text
/// field starting at 0 and ending at 1, with the model's shortest label and a probability
/// (never 0: it is its label's, the likeliest).
pub fn least_sentence_entry_bytes(model: &Model) -> usize {
    let shortest = model.heads().iter().flat_map(|head| &head.labels).min_by_key(|label| label.len());
    let entry = pb::SentenceStance {
        start: 0,
        end: 1,
        label: shortest.cloned().unwrap_or_default(),
        probability: f32::MIN_POSITIVE,
        field: pb::Field::Text.into(),
    };
    let bytes = entry.encoded_len();
    1 + prost::length_delimiter_len(bytes) + bytes
}

fn response(model: &Model, article: &Article, answer: &Classification) -> pb::ClassifyResponse {
    let predictions = answer.heads.iter().map(|result| (result.head.to_owned(), prediction(result))).collect();
    let sentences = answer.sentences.iter().map(sentence).collect();
    pb::ClassifyResponse {
        id: article.id.to_owned(),
        predictions,
        model_version: model.version().to_owned(),
        sentences,
        actors: answer.actors.iter().map(actor).collect(),
        relations: answer.relations.iter().map(relation).collect(),
    }
}

fn field(field: Field) -> pb::Field {
    match field {
        Field::Title => pb::Field::Title,
        Field::Text => pb::Field::Text,
    }
}

fn span(&(field, start, end): &(Field, usize, usize)) -> pb::TextSpan {
    pb::TextSpan { start: saturating_u32(start), end: saturating_u32(end), field: self::field(field).into() }
}

fn actor(named: &NamedActor) -> pb::Actor {
    pb::Actor {
        code: named.actor.code.clone(),
        name: named.actor.name.clone(),
        kind: named.actor.kind.as_str().to_owned(),
        mentions: named.mentions.iter().map(span).collect(),
        mention_count: named.count,
    }
}

fn relation(relation: &ActorRelation) -> pb::Relation {
    pb::Relation {
        a: relation.a.code.clone(),
        b: relation.b.code.clone(),
        label: relation.label.as_str().to_owned(),
        probability: relation.probability,
        main: relation.main,
        evidence: relation.evidence.iter().map(span).collect(),
    }
}

fn sentence(stance: &SentenceStance) -> pb::SentenceStance {
    let field = self::field(stance.field);
    pb::SentenceStance {
        start: saturating_u32(stance.range.start),
        end: saturating_u32(stance.range.end),
        label: stance.label.to_owned(),
        probability: stance.probability,
        field: field.into(),
    }
}

/// The model's version, provenance, vocabulary size, heads with their held-out figures, and
/// what training recorded: its settings, validation, cross-validation and relation figures.
pub fn model_info(model: &Model) -> pb::ModelInfo {
    let meta = model.meta();
    let heads = model
        .heads()
        .iter()
        .map(|head| pb::HeadInfo {
            name: head.name.clone(),
            labels: head.labels.clone(),
            metrics: meta.evaluation.iter().find(|e| e.head == head.name).map(metrics),
            single_sentence_metrics: single_sentence(model, &head.name).map(|e| metrics(&e.head)),
            metrics_on_single_sentences: single_sentence(model, &head.name)
                .and_then(|e| e.stance_head.as_ref())
                .map(metrics),
        })
        .collect();
    pb::ModelInfo {
        version: meta.version.clone(),
        created: meta.created.clone(),
        corpus_digest: meta.corpus_digest.clone(),
        corpus_documents: saturating_u32(meta.corpus_documents),
        dimensions: saturating_u32(model.vectorizer().dimensions()),
        heads,
        config: Some(record::train_config(&meta.config)),
        article_validation: meta.article_validation.as_ref().map(record::article_validation),
        cross_validation: meta.cross_validation.as_ref().map(record::cross_validation),
        relation_validation: meta.relation_validation.as_ref().map(record::relation_validation),
    }
}

/// The single-sentence head's figures, when `head` has a single-sentence head beside it.
fn single_sentence<'a>(model: &'a Model, head: &str) -> Option<&'a SentenceEvaluation> {
    model.sentence_head().filter(|sentence| sentence.name == head).and(model.meta().sentence_evaluation.as_ref())
}

/// One head's answer: best label, every label ranked, and the evidence.
pub fn prediction(result: &HeadResult) -> pb::Prediction {
    let probabilities = result
        .ranked()
        .into_iter()
        .map(|(label, probability)| pb::LabelProbability { label: label.to_owned(), probability })
        .collect();
    let evidence = result.evidence.iter().map(|e| feature(e.index, e.term, e.weight)).collect();
    pb::Prediction { label: result.label().to_owned(), probability: result.probability(), probabilities, evidence }
}

fn token(token: &Token, field: pb::Field) -> pb::Token {
    pb::Token {
        text: token.text.clone(),
        start: saturating_u32(token.start),
        end: saturating_u32(token.end),
        field: field.into(),
    }
}

fn feature(index: u32, term: &str, weight: f32) -> pb::Feature {
    pb::Feature { index, term: term.to_owned(), weight }
}

fn metrics(evaluation: &HeadEvaluation) -> pb::HeadMetrics {
    let confusion = evaluation
        .labels
        .iter()
        .zip(&evaluation.confusion)
        .map(|(label, row)| pb::ConfusionRow { label: label.clone(), predicted: row.clone() })
        .collect();
    pb::HeadMetrics {
        accuracy: evaluation.accuracy,
        macro_f1: evaluation.macro_f1,
        train_documents: saturating_u32(evaluation.train_documents),
        test_documents: saturating_u32(evaluation.test_documents),
        confusion,
        expected_calibration_error: evaluation.calibration_error,
        temperature: evaluation.temperature,
    }
}

/// Sizes and offsets fit in `u32` under the text limit; saturate rather than wrap if not.
pub(crate) fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
