//! The model card's pictures: per head, the held-out confusion matrix and the terms that
//! favour each label most, drawn in memory and encoded as PNG.
//!
//! Every figure comes from the model (its held-out evaluation and its heads' weights, see
//! [`Model::strongest_terms`]); nothing here computes one. Text is drawn with DejaVu Sans
//! compiled into the binary (`assets/fonts`), so the pictures need no system fonts and the
//! same model gives the same bytes on every machine.

mod canvas;
mod confusion;
mod terms;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::Model;

/// Terms shown per label in the strongest-terms chart.
pub(crate) const TERMS_PER_LABEL: usize = 12;

/// One picture of the model card: its file name beside `MODEL.md` (the card gives its text
/// alternative) and the PNG bytes.
#[derive(Debug, Clone)]
pub(crate) struct Picture {
    /// The file name, e.g. `confusion-topic.png`.
    pub file: String,
    /// The encoded PNG.
    pub png: Vec<u8>,
}

/// Why a picture could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The font compiled into the binary did not load.
    #[error("the charts' built-in font could not be read")]
    Font,
    /// plotters failed to draw a chart.
    #[error("drawing {chart} failed: {reason}")]
    Draw {
        /// The chart's file name.
        chart: String,
        /// plotters' message.
        reason: String,
    },
    /// The drawn pixels could not be encoded as PNG.
    #[error("encoding {chart} as PNG failed: {source}")]
    Encode {
        /// The chart's file name.
        chart: String,
        /// The encoder's error.
        source: png::EncodingError,
    },
    /// A picture could not be written to its file.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The picture's path.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
}

/// The file name of `head`'s confusion matrix picture.
pub(crate) fn confusion_file(head: &str) -> String {
    format!("confusion-{}.png", file_stem(head))
}

/// The file name of `head`'s strongest-terms picture.
pub(crate) fn terms_file(head: &str) -> String {
    format!("terms-{}.png", file_stem(head))
}

/// Every picture of the model card: a confusion matrix for each evaluated head, then a
/// strongest-terms chart for each head.
pub(crate) fn model_pictures(model: &Model) -> Result<Vec<Picture>, ChartError> {
    let mut pictures = Vec::new();
    for evaluation in &model.meta().evaluation {
        pictures.push(Picture { file: confusion_file(&evaluation.head), png: confusion::draw(evaluation)? });
    }
    for head in model.heads() {
        pictures.push(Picture {
            file: terms_file(&head.name),
            png: terms::draw(&head.name, &model.strongest_terms(head, TERMS_PER_LABEL))?,
        });
    }
    Ok(pictures)
}

/// Draws the model card's pictures and writes each into `directory` (atomically), returning
/// their paths.
pub fn write_pictures(model: &Model, directory: &Path) -> Result<Vec<PathBuf>, ChartError> {
    model_pictures(model)?
        .into_iter()
        .map(|picture| {
            let path = directory.join(&picture.file);
            crate::model::fsutil::write_atomically(&path, &picture.png)
                .map(|()| path.clone())
                .map_err(|source| ChartError::Io { path, source })
        })
        .collect()
}

/// A head name as a file-name part: kept when it is plain ASCII letters, digits, `-` and
/// `_`; otherwise those characters with the rest as `_`, and a digest of the whole name so
/// that two heads never share a file.
fn file_stem(head: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !head.is_empty() && head.chars().all(plain) {
        return head.to_owned();
    }
    let kept: String = head.chars().take(40).map(|c| if plain(c) { c } else { '_' }).collect();
    let digest = crate::train::corpus::hex(&Sha256::digest(head.as_bytes()));
    format!("{kept}-{}", &digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_inside_the_folder_and_apart() {
        assert_eq!(confusion_file("topic"), "confusion-topic.png");
        assert_eq!(terms_file("stance_v2"), "terms-stance_v2.png");
        let odd = confusion_file("../etc/passwd");
        assert!(!odd.contains('/') && !odd.contains(".."), "{odd}");
        assert_ne!(file_stem("a b"), file_stem("a_b"), "two heads must not share a file");
        assert_ne!(file_stem(""), "");
    }
}
