//! accord's classification core: tokenizer, TF-IDF vectorizer, linear heads trained with
//! linfa, the model file, and training. No gRPC here: the service in `accord serve` is a
//! thin layer over this library, and so is the command line.
//!
//! ```no_run
//! use accord::{Article, Model};
//! let model = Model::load(std::path::Path::new("models/default/model.bin"))?;
//! for head in model.classify(&Article::text("China and Israel signed a trade deal."), 3) {
//!     println!("{}: {} ({:.2})", head.head, head.label(), head.probability());
//! }
//! # Ok::<(), accord::ModelError>(())
//! ```

pub mod article;
pub mod article_stance;
pub mod charts;
pub mod corpus;
pub mod fsutil;
pub mod head;
pub mod metrics;
pub mod model;
pub mod model_card;
pub mod model_file;
pub mod promotion;
pub mod sentences;
pub mod store;
pub mod tokenizer;
pub mod train;
pub mod validation;
pub mod vectorizer;
pub mod word_prefixes;
pub mod word_vectors;

pub use article::Article;
pub use corpus::{Corpus, CorpusError, Document};
pub use model::{Evidence, HeadResult, LabelTerms, Model, ModelMeta, SentenceHead};
pub use model_file::ModelError;
pub use store::{ModelStore, StoreError};
pub use tokenizer::{Token, Tokenizer, TokenizerSettings};
pub use train::{train, train_with_validation, TrainConfig, TrainError, Validation};
pub use vectorizer::{SparseVector, TfIdf, VectorizerSettings};
