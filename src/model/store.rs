//! The models directory: one folder per version (`models/<version>/model.bin` and its
//! `MODEL.md`), and a `CURRENT` file naming the version to serve. Without `CURRENT`, the
//! shipped `default` version is served.
//!
//! Versions are looked up by name only: a name that could leave the directory is refused,
//! and so is a `CURRENT`, version folder or model file that is a symlink to somewhere
//! outside it, or that is not a regular file (a FIFO, a device). `CURRENT` is read up to
//! 256 bytes (`MAX_POINTER_BYTES`), and a model file up to its header's length, itself bounded by the
//! store's limit.

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
pub(crate) const DEFAULT_VERSION: &str = "default";
/// The longest `CURRENT` read: a version name and a newline.
pub(crate) const MAX_POINTER_BYTES: u64 = 256;

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
    /// `CURRENT` leads out of the models directory (a link).
    #[error("{path} resolves to {real}, outside the models directory {directory}")]
    PointerOutside {
        /// The pointer file.
        path: PathBuf,
        /// Where it leads.
        real: PathBuf,
        /// The models directory.
        directory: PathBuf,
    },
    /// `CURRENT` is empty, too long or not a version name.
    #[error("the pointer file {path} {problem}")]
    BadPointer {
        /// The pointer file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A model file or pointer is not a regular file.
    #[error("{path} is not a regular file")]
    NotARegularFile {
        /// The file.
        path: PathBuf,
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
    max_model_bytes: u64,
}

impl ModelStore {
    /// A store over `directory` (nothing is read yet).
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        Self { directory: directory.into(), max_model_bytes: crate::model::DEFAULT_MAX_MODEL_BYTES }
    }

    /// The same store, loading model files whose body is at most `bytes`.
    pub fn with_max_model_bytes(self, bytes: u64) -> Self {
        Self { max_model_bytes: bytes, ..self }
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
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.symlink_metadata().is_err() => {
                return Ok(DEFAULT_VERSION.to_owned())
            }
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let root = self.root()?;
        if !real.starts_with(&root) {
            return Err(StoreError::PointerOutside { path, real, directory: root });
        }
        let bad = |problem: &str| StoreError::BadPointer { path: path.clone(), problem: problem.to_owned() };
        let mut text = Vec::new();
        let file = self.open_regular(&real)?;
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_POINTER_BYTES + 1), &mut text)
            .map_err(|source| StoreError::Io { path: path.clone(), source })?;
        if text.len() as u64 > MAX_POINTER_BYTES {
            return Err(bad(&format!("is longer than {MAX_POINTER_BYTES} bytes")));
        }
        let text = String::from_utf8(text).map_err(|_| bad("is not UTF-8 text"))?;
        let version = text.trim();
        if version.is_empty() {
            return Err(bad("is empty; it must name a version folder"));
        }
        Self::validate_name(version).map_err(|_| bad(&format!("names {version:?}, not a plain folder name")))?;
        Ok(version.to_owned())
    }

    /// The directory with every symlink resolved.
    fn root(&self) -> Result<PathBuf, StoreError> {
        self.directory.canonicalize().map_err(|source| StoreError::Io { path: self.directory.clone(), source })
    }

    fn open_regular(&self, path: &Path) -> Result<std::fs::File, StoreError> {
        crate::model::fsutil::open_regular_file(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::InvalidInput => StoreError::NotARegularFile { path: path.to_owned() },
            _ => StoreError::Io { path: path.to_owned(), source },
        })
    }

    /// The model file of `version`, which must be a regular file inside the directory, with
    /// every symlink resolved (the path returned is the one checked, and the one to read).
    pub fn model_path(&self, version: &str) -> Result<PathBuf, StoreError> {
        Self::validate_name(version)?;
        let path = self.directory.join(version).join(MODEL_FILE);
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound { version: version.to_owned(), directory: self.directory.clone() })
            }
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let root = self.root()?;
        if !real.starts_with(&root) {
            return Err(StoreError::OutsideDirectory { version: version.to_owned(), path: real, directory: root });
        }
        let metadata = std::fs::metadata(&real).map_err(|source| StoreError::Io { path: real.clone(), source })?;
        if metadata.is_file() {
            Ok(real)
        } else {
            Err(StoreError::NotARegularFile { path: real })
        }
    }

    /// Loads `version`, or the current one when `None`.
    pub fn load(&self, version: Option<&str>) -> Result<Model, StoreError> {
        let version = match version {
            Some(v) => v.to_owned(),
            None => self.current()?,
        };
        let path = self.model_path(&version)?;
        Model::load_bounded(&path, self.max_model_bytes).map_err(|source| StoreError::Model { version, source })
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

    fn mkfifo(path: &Path) {
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    /// A models directory with a loadable-looking version `v1` (not a real model).
    fn store_with_version() -> (tempfile::TempDir, ModelStore) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("v1")).expect("mkdir");
        std::fs::write(dir.path().join("v1").join(MODEL_FILE), b"x").expect("write");
        let store = ModelStore::new(dir.path());
        (dir, store)
    }

    #[test]
    fn a_pointer_outside_the_directory_or_not_a_file_fails_at_once() {
        let (dir, store) = store_with_version();
        let current = dir.path().join(CURRENT);
        std::os::unix::fs::symlink("/dev/zero", &current).expect("symlink");
        assert!(matches!(store.current(), Err(StoreError::PointerOutside { .. })), "{:?}", store.current());
        std::fs::remove_file(&current).expect("rm");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &current).expect("symlink");
        assert!(matches!(store.current(), Err(StoreError::Io { .. })), "a dangling pointer is not `default`");
        std::fs::remove_file(&current).expect("rm");
        mkfifo(&current);
        assert!(matches!(store.current(), Err(StoreError::NotARegularFile { .. })), "{:?}", store.current());
        std::fs::remove_file(&current).expect("rm");
        std::fs::write(&current, vec![b'v'; 10_000]).expect("write");
        assert!(matches!(store.current(), Err(StoreError::BadPointer { .. })), "{:?}", store.current());
        std::fs::write(&current, b" \n").expect("write");
        let empty = store.current().expect_err("an empty pointer");
        assert!(matches!(empty, StoreError::BadPointer { .. }) && empty.to_string().contains("CURRENT"), "{empty}");
        std::fs::write(&current, b"v1\n").expect("write");
        assert_eq!(store.current().expect("a good pointer"), "v1");
    }

    #[test]
    fn a_model_file_that_is_not_a_regular_file_fails_at_once() {
        let (dir, store) = store_with_version();
        let model = dir.path().join("v1").join(MODEL_FILE);
        std::fs::remove_file(&model).expect("rm");
        mkfifo(&model);
        assert!(matches!(store.load(Some("v1")), Err(StoreError::NotARegularFile { .. })));
        std::fs::remove_file(&model).expect("rm");
        std::os::unix::fs::symlink("/dev/zero", &model).expect("symlink");
        assert!(matches!(store.load(Some("v1")), Err(StoreError::OutsideDirectory { .. })));
    }

    /// A header promising more than the limit is refused before the body is read: the file
    /// here is sparse, 300 MiB long without taking the disk space or the reading time.
    #[test]
    fn a_body_over_the_limit_is_refused_from_its_header() {
        let (dir, store) = store_with_version();
        let body: u64 = 300 << 20;
        let mut header = Vec::from(*b"ACCORDMF");
        header.extend_from_slice(&crate::model::file::FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&body.to_le_bytes());
        header.extend_from_slice(&[0; 32]);
        let path = dir.path().join("v1").join(MODEL_FILE);
        std::fs::write(&path, &header).expect("write");
        std::fs::OpenOptions::new().write(true).open(&path).expect("open").set_len(52 + body).expect("sparse");
        let started = std::time::Instant::now();
        let error = store.load(Some("v1")).expect_err("too large");
        assert!(matches!(&error, StoreError::Model { source: ModelError::TooLarge { .. }, .. }), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_millis(100), "the body was read");
        assert!(error.to_string().contains("--max-model-bytes"), "{error}");
        // Under a lower limit, a header promising more than the file holds is refused too.
        std::fs::OpenOptions::new().write(true).open(&path).expect("open").set_len(52 + 10).expect("cut");
        let error = store.with_max_model_bytes(1 << 40).load(Some("v1")).expect_err("truncated");
        assert!(matches!(&error, StoreError::Model { source: ModelError::Truncated { .. }, .. }), "{error}");
    }
}
