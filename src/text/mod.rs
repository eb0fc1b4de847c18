//! The text layer: an article, its tokens and its sentences. Imports nothing else of the
//! crate.

pub mod article;
pub mod sentences;
pub mod tokenizer;
pub mod tokens;
