//! Article pools made from the texts in `data/`, shared by the benches.
//!
//! The seed articles and every corpus source are taken round-robin, so that each article
//! mixes news, UN text and sentences, and joined by blank lines into articles of a given
//! size.

#![allow(dead_code)] // Each bench uses its own part of this module.

use std::path::PathBuf;

use accord::Corpus;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Corpus texts, round-robin over the sources so that neighbours come from different sources.
pub fn texts() -> Vec<String> {
    let corpus = Corpus::load(&[root().join("data")]).expect("data/ loads");
    let mut by_source: Vec<(String, Vec<String>)> = Vec::new();
    for (document, source) in corpus.documents.iter().zip(&corpus.sources) {
        let text = if document.title.is_empty() {
            document.text.clone()
        } else {
            format!("{}. {}", document.title, document.text)
        };
        match by_source.iter_mut().find(|(name, _)| name == source) {
            Some((_, texts)) => texts.push(text),
            None => by_source.push((source.clone(), vec![text])),
        }
    }
    let longest = by_source.iter().map(|(_, t)| t.len()).max().unwrap_or(0);
    (0..longest).flat_map(|i| by_source.iter().filter_map(move |(_, t)| t.get(i).cloned())).collect()
}

/// Articles of about `size` bytes (whole texts joined by blank lines), `pool_bytes` in all.
pub fn articles(texts: &[String], size: usize, pool_bytes: usize) -> Vec<String> {
    let mut articles = Vec::new();
    let mut total = 0;
    let mut current = String::new();
    for text in texts.iter().cycle() {
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(text);
        if current.len() >= size {
            let mut end = size.min(current.len());
            while !current.is_char_boundary(end) {
                end -= 1;
            }
            current.truncate(end);
            total += current.len();
            articles.push(std::mem::take(&mut current));
            if total >= pool_bytes {
                return articles;
            }
        }
    }
    unreachable!("the corpus is not empty")
}
