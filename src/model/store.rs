//! The models directory: one folder per version (`models/<version>/model.bin` and its
//! `MODEL.md`), and a `CURRENT` file naming the version to serve. Without `CURRENT`, the
//! shipped `default` version is served.
//!
//! Versions are looked up by name only: a name that could leave the directory is refused,
//! and so is a version folder or model file that is a symlink to somewhere outside it.

use std::path::{Path, PathBuf};

use crate::model::file::ModelError;
use crate::model::Model;

/// File name of a model inside its version folder.
pub const MODEL_FILE: &str = "model.bin";
/// File name of the model card inside its version folder.
pub const MODEL_CARD: &str = "MODEL.md";
/// The pointer file naming the served version.
pub const CURRENT: &str = "CURRENT";
/// The version served when there is no pointer.
pub const DEFAULT_VERSION: &str = "default";

/// Why a version could not be resolved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The name is not a plain folder name.
    #[error("invalid model version name {0:?}: it must be a plain folder name (no '/', '\\', '..' or NUL)")]
    InvalidName(String),
    /// The version leads out of the models directory (a link).
    #[error("model version `{version}` resolves to {path}, outside the models directory {directory}")]
    OutsideDirectory {
        /// The version asked for.
        version: String,
        /// Where it leads.
        path: PathBuf,
        /// The models directory.
        directory: PathBuf,
    },
    /// No such version.
    #[error("model version `{version}` is not in {directory}")]
    NotFound {
        /// The version asked for.
        version: String,
        /// The models directory.
        directory: PathBuf,
    },
    /// A file of the store could not be read or written.
    #[error("cannot read or write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The version's model file could not be loaded.
    #[error("model version `{version}`: {source}")]
    Model {
        /// The version.
        version: String,
        /// Why its model could not be loaded.
        source: ModelError,
    },
}

/// A models directory.
#[derive(Debug, Clone)]
pub struct ModelStore {
    directory: PathBuf,
}

impl ModelStore {
    /// A store over `directory` (nothing is read yet).
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        Self { directory: directory.into() }
    }

    /// The store's directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Checks that `version` names a folder directly inside the directory.
    pub fn validate_name(version: &str) -> Result<(), StoreError> {
        let bad = version.is_empty() || version == "." || version.contains(['/', '\\', '\0']) || version.contains("..");
        if bad {
            Err(StoreError::InvalidName(version.to_owned()))
        } else {
            Ok(())
        }
    }

    /// The version `CURRENT` names, or `default` when there is no pointer.
    pub fn current(&self) -> Result<String, StoreError> {
        let path = self.directory.join(CURRENT);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let version = text.trim().to_owned();
                Self::validate_name(&version)?;
                Ok(version)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DEFAULT_VERSION.to_owned()),
            Err(source) => Err(StoreError::Io { path, source }),
        }
    }

    /// The model file of `version`, which must exist inside the directory, with every
    /// symlink resolved (the path returned is the one checked, and the one to read).
    pub fn model_path(&self, version: &str) -> Result<PathBuf, StoreError> {
        Self::validate_name(version)?;
        let path = self.directory.join(version).join(MODEL_FILE);
        if !path.is_file() {
            return Err(StoreError::NotFound { version: version.to_owned(), directory: self.directory.clone() });
        }
        let canonical =
            |path: &Path| path.canonicalize().map_err(|source| StoreError::Io { path: path.to_owned(), source });
        let (root, real) = (canonical(&self.directory)?, canonical(&path)?);
        if real.starts_with(&root) {
            Ok(real)
        } else {
            Err(StoreError::OutsideDirectory { version: version.to_owned(), path: real, directory: root })
        }
    }

    /// Loads `version`, or the current one when `None`.
    pub fn load(&self, version: Option<&str>) -> Result<Model, StoreError> {
        let version = match version {
            Some(v) => v.to_owned(),
            None => self.current()?,
        };
        let path = self.model_path(&version)?;
        Model::load(&path).map_err(|source| StoreError::Model { version, source })
    }

    /// Points `CURRENT` at `version` by writing a new pointer and renaming it into place.
    pub fn promote(&self, version: &str) -> Result<(), StoreError> {
        self.model_path(version)?;
        let path = self.directory.join(CURRENT);
        crate::model::fsutil::write_atomically(&path, format!("{version}\n").as_bytes())
            .map_err(|source| StoreError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_names_that_leave_the_directory() {
        for name in ["", ".", "..", "../x", "a/b", "a\\b", "a\0b", "x..y"] {
            assert!(ModelStore::validate_name(name).is_err(), "{name:?} accepted");
        }
        assert!(ModelStore::validate_name("v20261123-abc").is_ok());
    }

    #[test]
    fn current_defaults_and_follows_the_pointer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ModelStore::new(dir.path());
        assert_eq!(store.current().expect("current"), DEFAULT_VERSION);
        assert!(matches!(store.promote("missing"), Err(StoreError::NotFound { .. })));
        std::fs::create_dir(dir.path().join("v2")).expect("mkdir");
        std::fs::write(dir.path().join("v2").join(MODEL_FILE), b"x").expect("write");
        store.promote("v2").expect("promote");
        assert_eq!(store.current().expect("current"), "v2");
        assert!(matches!(store.load(None), Err(StoreError::Model { .. })));
    }

    #[test]
    fn symlinks_out_of_the_directory_are_refused() {
        let (models, outside) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
        std::fs::create_dir(outside.path().join("v9")).expect("mkdir");
        std::fs::write(outside.path().join("v9").join(MODEL_FILE), b"x").expect("write");
        std::os::unix::fs::symlink(outside.path().join("v9"), models.path().join("linked-folder")).expect("symlink");
        std::fs::create_dir(models.path().join("linked-file")).expect("mkdir");
        let target = outside.path().join("v9").join(MODEL_FILE);
        std::os::unix::fs::symlink(target, models.path().join("linked-file").join(MODEL_FILE)).expect("symlink");
        let store = ModelStore::new(models.path());
        for version in ["linked-folder", "linked-file"] {
            let error = store.load(Some(version)).expect_err("outside the directory");
            assert!(matches!(error, StoreError::OutsideDirectory { .. }), "{version}: {error}");
        }
        // A symlink that stays inside is fine.
        std::os::unix::fs::symlink(models.path().join("linked-file"), models.path().join("alias")).expect("symlink");
        std::fs::remove_file(models.path().join("linked-file").join(MODEL_FILE)).expect("rm");
        std::fs::write(models.path().join("linked-file").join(MODEL_FILE), b"x").expect("write");
        assert!(store.model_path("alias").expect("inside").starts_with(models.path().canonicalize().expect("real")));
    }
}
