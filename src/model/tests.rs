//! Tests of the model on the shipped model file, by topic; the helpers they share are here.

use std::path::Path;

use super::*;
use crate::text::article::Field;

fn shipped() -> Model {
    Model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin")).expect("shipped model loads")
}

fn corpus() -> crate::Corpus {
    crate::Corpus::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("data")]).expect("data/ loads")
}

fn news_stories() -> Vec<crate::Document> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/news/articles.jsonl");
    let text = std::fs::read_to_string(path).expect("data/news");
    text.lines().map(|line| serde_json::from_str(line).expect("a story")).collect()
}

/// The sentences of title and text, as the sentence splitter gives them, title first.
fn sentences_of(article: &Article) -> Vec<(Field, std::ops::Range<usize>)> {
    let split = |(field, text)| crate::text::sentences::split(text).into_iter().map(move |range| (field, range));
    article.fields().into_iter().flat_map(split).collect()
}

mod answers;
mod fast_path;
mod parts;
mod sentences;
