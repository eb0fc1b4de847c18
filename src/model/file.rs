//! The model file: a fixed header, then a postcard-encoded body.
//!
//! ```text
//! bytes 0..8    magic "ACCORDMF"
//! bytes 8..12   format version, u32 little-endian
//! bytes 12..20  body length, u64 little-endian
//! bytes 20..52  SHA-256 of the body
//! bytes 52..    body: tokenizer settings, vectorizer settings, vocabulary, IDF, heads,
//!               the single-sentence stance head (optional), its word-prefix block
//!               (optional), its word-vector block's words (optional), metadata, the
//!               actor gazetteer's rows (optional; the matcher's index is rebuilt from them)
//! ```
//! The header lets a loader name the problem with a bad file (not a model, another format
//! version, truncated, corrupted) before decoding anything; validation then checks every
//! dimension, number and label set.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::features::actors::GazetteerError;
use crate::text::tokenizer::UnsupportedTokenizer;
#[cfg(test)]
pub(crate) use parts::encode_parts;
pub(crate) use parts::{encode, ModelParts};
pub(crate) use validate::validate;

const MAGIC: &[u8; 8] = b"ACCORDMF";
/// The version of the file layout this build reads and writes; bumped when the body's
/// layout changes.
pub const FORMAT_VERSION: u32 = 14;
const HEADER_LEN: usize = 52;

/// Why a model could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read or written.
    #[error("cannot access model file {path}: {source}")]
    Io {
        /// The model file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The bytes are not a model file.
    #[error("not an accord model file (bad magic bytes)")]
    NotAModel,
    /// The file's layout is another version's.
    #[error("model file format version {found} is not supported (this build reads version {FORMAT_VERSION})")]
    UnsupportedFormat {
        /// The file's format version.
        found: u32,
    },
    /// The file ends before its body does.
    #[error("model file is truncated: header promises {expected} body bytes, found {found}")]
    Truncated {
        /// Body bytes the header promises.
        expected: u64,
        /// Body bytes there are.
        found: u64,
    },
    /// The model file is not a regular file (a FIFO, a device, a directory).
    #[error("model file {path} is not a regular file")]
    NotARegularFile {
        /// The file.
        path: PathBuf,
    },
    /// The header promises a body over the limit.
    #[error("model file body is {bytes} bytes, over the limit of {limit} bytes (--max-model-bytes)")]
    TooLarge {
        /// Body bytes the header promises.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The body's checksum is not the header's.
    #[error("model file is corrupted: body checksum does not match")]
    ChecksumMismatch,
    /// The body is not a model's parts.
    #[error("model file body cannot be decoded: {0}")]
    Decode(#[from] postcard::Error),
    /// The model needs tokenizer rules this build does not have.
    #[error(transparent)]
    Tokenizer(#[from] UnsupportedTokenizer),
    /// The parts do not make a model that can be served (said why).
    #[error("invalid model: {0}")]
    Invalid(String),
    /// The stored actor gazetteer is not a valid one (said why).
    #[error("invalid model: actor gazetteer: {0}")]
    Actors(#[from] GazetteerError),
}

/// The most name patterns a stored gazetteer may hold: the shipped one has a few thousand,
/// and the index built from them at load grows with their number.
pub const MAX_ACTOR_NAMES: usize = 1 << 20;
/// A body behind its header: magic, format version, length, checksum.
fn with_header(body: Vec<u8>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&Sha256::digest(&body));
    bytes.extend_from_slice(&body);
    bytes
}

/// The body length the header promises, once the magic bytes and format version are
/// checked; `header` may be shorter than a whole header.
fn body_length(header: &[u8]) -> Result<u64, ModelError> {
    if header.len() < 12 || &header[..8] != MAGIC {
        return Err(ModelError::NotAModel);
    }
    let version = u32::from_le_bytes(header[8..12].try_into().map_err(|_| ModelError::NotAModel)?);
    if version != FORMAT_VERSION {
        return Err(ModelError::UnsupportedFormat { found: version });
    }
    let found = header.len().saturating_sub(HEADER_LEN) as u64;
    let Some(length) = header.get(12..20) else {
        return Err(ModelError::Truncated { expected: 0, found });
    };
    Ok(u64::from_le_bytes(length.try_into().map_err(|_| ModelError::NotAModel)?))
}

/// Reads a model file whose body is at most `max_body` bytes: the header first, then as
/// many body bytes as it promises, if the file holds exactly that many. Nothing is read
/// from a file that is not a regular file, and no more than the header promises.
pub(crate) fn read_bounded(path: &Path, max_body: u64) -> Result<Vec<u8>, ModelError> {
    let io = |source| ModelError::Io { path: path.to_owned(), source };
    let file = crate::model::fsutil::open_regular_file(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::InvalidInput {
            ModelError::NotARegularFile { path: path.to_owned() }
        } else {
            io(source)
        }
    })?;
    let size = file.metadata().map_err(io)?.len();
    let mut reader = file.take(HEADER_LEN as u64);
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    reader.read_to_end(&mut bytes).map_err(io)?;
    let expected = body_length(&bytes)?;
    if bytes.len() < HEADER_LEN {
        return Err(ModelError::Truncated { expected, found: 0 });
    }
    if expected > max_body {
        return Err(ModelError::TooLarge { bytes: expected, limit: max_body });
    }
    let found = size.saturating_sub(HEADER_LEN as u64);
    if found != expected {
        return Err(ModelError::Truncated { expected, found });
    }
    let mut reader = reader.into_inner().take(expected);
    bytes.reserve_exact(
        usize::try_from(expected).map_err(|_| ModelError::TooLarge { bytes: expected, limit: max_body })?,
    );
    reader.read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

pub(crate) fn decode(bytes: &[u8]) -> Result<ModelParts, ModelError> {
    let expected = body_length(bytes)?;
    let found = bytes.len().saturating_sub(HEADER_LEN) as u64;
    let header = &bytes[..HEADER_LEN.min(bytes.len())];
    if expected != found || header.len() < HEADER_LEN {
        return Err(ModelError::Truncated { expected, found });
    }
    let body = &bytes[HEADER_LEN..];
    if Sha256::digest(body).as_slice() != &header[20..52] {
        return Err(ModelError::ChecksumMismatch);
    }
    Ok(postcard::from_bytes(body)?)
}

mod parts;
mod validate;
