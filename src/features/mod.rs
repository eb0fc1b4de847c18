//! The feature layer: what the model reads off an article's tokens (TF-IDF terms, word
//! prefixes, word vectors, the actors it names). Imports only [`crate::text`].

#![warn(missing_docs)]

pub mod actors;
pub mod vectorizer;
pub mod word_prefixes;
pub mod word_vectors;
