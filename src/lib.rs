//! accord's classification core: tokenizer, TF-IDF vectorizer, linear heads trained with
//! linfa, the model file, and training. No gRPC here: the service in `accord serve` is a
//! thin layer over this library, and so is the command line.
//!
//! ```no_run
//! use accord::{Article, Model, Options};
//! let model = Model::load(std::path::Path::new("models/default/model.bin"))?;
//! let options = Options { explain: 3, ..Options::default() };
//! for head in model.classify(&Article::text("China and Israel signed a trade deal."), &options).heads {
//!     println!("{}: {} ({:.2})", head.head, head.label(), head.probability());
//! }
//! # Ok::<(), accord::ModelError>(())
//! ```

#![warn(missing_docs)]

pub mod features;
#[cfg(feature = "cli")]
pub mod grpc;
pub mod model;
pub mod report;
pub mod text;
pub mod train;

pub use features::vectorizer::{SparseVector, TfIdf, VectorizerSettings};
pub use model::file::ModelError;
pub use model::store::{ModelStore, StoreError};
pub use model::{
    Classification, Evidence, HeadResult, LabelTerms, Model, ModelMeta, Options, SentenceHead, TooManySentences,
};
pub use text::article::{Article, Field};
pub use text::tokenizer::{Token, Tokenizer, TokenizerSettings};
pub use train::corpus::{Corpus, CorpusError, Document};
pub use train::{train, train_with_validation, TrainConfig, TrainError, Validation};
