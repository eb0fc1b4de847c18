//! The shipped model through the fast path against the plain path it replaced: reference
//! tokenizer, string-keyed vocabulary, [`LinearHead::predict`] on the sparse vector.

use super::*;
use crate::features::vectorizer::reference::Reference;
use crate::text::tokenizer::{passes, reference};

/// Every head's own prediction (before the article-stance rule) and the evidence terms, the
/// fast path against the plain one.
fn check_article(model: &Model, reference: &Reference<'_>, article: &Article, tolerance: f32) {
    let vector = reference.transform(model.tokenizer(), article);
    assert_eq!(model.vectorize(article), vector, "{}", article.id);
    let expected = model.classify_vector(&vector, 0);
    for (got, expected) in model.predict_plain(article).iter().zip(&expected) {
        for (p, q) in got.probabilities.iter().zip(&expected.prediction.probabilities) {
            assert!((p - q).abs() < tolerance, "{}: {p} != {q}", article.id);
        }
        assert_eq!(got.best, expected.prediction.best, "{}", article.id);
    }
    let one_sentence = sentences_of(article).len() < 2;
    let options = Options { explain: 5, ..Options::default() };
    for (head, result) in model.heads().iter().zip(model.classify(article, &options).heads) {
        let (head, vector) = match model.sentence_head().filter(|h| one_sentence && h.name == head.name) {
            Some(sentence_head) => (sentence_head, reference_sentence_vector(model, article, &vector)),
            None => (head, vector.clone()),
        };
        let evidence: Vec<(u32, f32)> = result.evidence.iter().map(|e| (e.index, e.weight)).collect();
        assert_eq!(evidence, head.evidence(&vector, result.prediction.best, 5), "{}", article.id);
        assert!(result.evidence.iter().all(|e| feature_index(model, e.term) == Some(e.index)), "{}", article.id);
    }
}

/// The single-sentence head's input from the plain tokenizer's tokens.
fn reference_sentence_vector(model: &Model, article: &Article, vector: &SparseVector) -> SparseVector {
    let mut tokens = Vec::new();
    for (_, field) in article.fields() {
        model.tokenizer().for_each_plain(field, |_, _, token| tokens.push(token.to_owned()));
    }
    let tokens = || tokens.iter().map(String::as_str);
    let mut joined = vector.clone();
    let mut offset = model.vectorizer().dimensions();
    if let Some(prefixes) = model.sentence_prefixes() {
        joined.push_block(offset, &prefixes.vector_of_tokens(tokens()));
        offset += prefixes.dimensions();
    }
    if let Some(words) = model.sentence_word_vectors() {
        joined.push_block(offset, &words.vector_of_tokens(tokens()));
    }
    joined
}

/// The feature index of a vocabulary term, a word-prefix term or a word-vector term.
fn feature_index(model: &Model, term: &str) -> Option<u32> {
    let dimensions = model.vectorizer().dimensions();
    let prefixes = model.sentence_prefixes();
    if term.ends_with(crate::features::word_vectors::MARK) {
        let words = model.sentence_word_vectors()?;
        let index = words.terms().iter().position(|t| t == term)?;
        return u32::try_from(dimensions + prefixes.map_or(0, |p| p.dimensions()) + index).ok();
    }
    match prefixes {
        Some(prefixes) if term.ends_with(crate::features::word_prefixes::MARK) => {
            Some(dimensions as u32 + prefixes.index_of(term)?)
        }
        _ => model.vectorizer().index_of(term),
    }
}

#[test]
fn shipped_model_classifies_as_the_plain_path_does() {
    let model = shipped();
    let reference = Reference::new(model.vectorizer());
    for document in corpus().documents.iter() {
        let article = Article { id: &document.id, title: &document.title, text: &document.text };
        check_article(&model, &reference, &article, 1e-6);
    }
}

/// Articles of about 100 KB (some 9,000 features): the plain path sums the squares for the
/// norm in f32, which alone moves its probabilities by up to ~1e-6 from the exact values; the
/// fast path sums in f64. So the two agree to a few 1e-6 here, and to 1e-6 on news-sized
/// articles (above).
#[test]
fn long_articles_classify_as_the_plain_path_does() {
    let model = shipped();
    let reference = Reference::new(model.vectorizer());
    let documents = corpus().documents;
    for chunk in documents.chunks(400).step_by(4) {
        let text: String = chunk.iter().map(|d| format!("{}\n{}\n", d.title, d.text)).collect();
        check_article(&model, &reference, &Article::text(&text), 4e-6);
    }
}

#[test]
fn an_article_without_known_terms_gets_the_bias_alone() {
    let model = shipped();
    for article in [Article::text(""), Article::text("zzqx qqzx"), Article { id: "", title: "", text: "  ;;; " }] {
        let expected = model.classify_vector(&SparseVector::default(), 2);
        for (got, expected) in model.predict_plain(&article).iter().zip(&expected) {
            assert_eq!(got.best, expected.prediction.best);
            for (p, q) in got.probabilities.iter().zip(&expected.prediction.probabilities) {
                assert!((p - q).abs() < 1e-7, "{p} != {q}");
            }
        }
        let options = Options { explain: 2, sentences: true, relations: false };
        assert!(model.classify(&article, &options).heads.iter().all(|result| result.evidence.is_empty()));
    }
}

/// The whole answer (every head with evidence, each sentence's stance, the single-sentence
/// head's blocks) comes from one reading of each field: the tokenizer passes over a text
/// are counted on this thread.
#[test]
fn classify_reads_each_field_of_an_article_once() {
    let model = shipped();
    let several = "China and Israel signed a trade deal. Talks resume in Geneva on Monday.\nThe ministers left.";
    let articles = [
        Article { id: "several", title: "Trade talks resume", text: several },
        Article::text("Militants attacked a border post, killing four soldiers."),
    ];
    for (article, sentences) in articles.iter().zip([4, 1]) {
        let before = passes::so_far();
        let answer = model.classify(article, &Options { explain: 3, sentences: true, relations: true });
        assert_eq!(passes::so_far() - before, 2, "{}: one pass over the title, one over the text", article.id);
        assert_eq!(answer.sentences.len(), sentences, "{}", article.id);
        let codes: Vec<&str> = answer.actors.iter().map(|a| a.actor.code.as_str()).collect();
        assert_eq!(codes, if sentences == 4 { vec!["CHN", "ISR"] } else { vec![] }, "{}", article.id);
        assert!(answer.heads.iter().all(|head| !head.evidence.is_empty()), "{}", article.id);
    }
}

#[test]
fn tokenize_gives_the_reference_tokens() {
    let model = shipped();
    for document in corpus().documents.iter().step_by(7) {
        let mut expected = Vec::new();
        reference::for_each(model.tokenizer().settings(), &document.text, |start, end, text| {
            expected.push(Token { text: text.to_owned(), start, end })
        });
        assert_eq!(model.tokenize(&document.text), expected);
    }
}
