//! The text layer: an article, its tokens and its sentences. Imports nothing else of the
//! crate.

#![warn(missing_docs)]

pub mod article;
pub mod dateline;
pub mod sentences;
pub mod tokenizer;
pub mod tokens;
