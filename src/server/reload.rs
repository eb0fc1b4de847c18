//! Swapping the served model without a restart, for `Admin.ReloadModel` and SIGHUP.
//!
//! The new model is loaded and validated on a blocking thread, off the request path; only
//! then is it swapped in. Calls in flight keep the model they started with; a model that
//! fails to load changes nothing, and so does one whose heads, labels or per-sentence stance
//! differ from the served model's (see [`accord::model::contract`]), unless the server was
//! started with `--allow-head-change`. Every reload, by either route, is counted in the metrics as
//! done or failed.

use std::sync::Arc;

use tokio::signal::unix::{signal, Signal, SignalKind};

use accord::model::contract::contract_changes;
use accord::{ModelStore, StoreError};

use super::error::ServiceError;
use super::state::ServiceState;

/// Loads versions from the models directory into the shared state, one reload at a time.
#[derive(Debug)]
pub struct Reloader {
    state: Arc<ServiceState>,
    store: ModelStore,
    /// Whether a model with other heads or labels may replace the served one.
    allow_head_change: bool,
    one_at_a_time: tokio::sync::Mutex<()>,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    pub previous: String,
    pub version: String,
}

impl Reloader {
    pub fn new(state: Arc<ServiceState>, store: ModelStore, allow_head_change: bool) -> Self {
        Self { state, store, allow_head_change, one_at_a_time: tokio::sync::Mutex::new(()) }
    }

    pub fn state(&self) -> &Arc<ServiceState> {
        &self.state
    }

    /// Loads `version` (the `CURRENT` pointer's when `None`) and swaps it in.
    pub async fn reload(&self, version: Option<String>) -> Result<Reloaded, ServiceError> {
        let outcome = self.load_and_swap(version).await;
        match outcome {
            Ok(_) => self.state.metrics.reload_succeeded(),
            Err(_) => self.state.metrics.reload_failed(),
        }
        outcome
    }

    async fn load_and_swap(&self, version: Option<String>) -> Result<Reloaded, ServiceError> {
        let _guard = self.one_at_a_time.lock().await;
        if let Some(name) = &version {
            ModelStore::validate_name(name).map_err(refusal)?;
        }
        let store = self.store.clone();
        let model = tokio::task::spawn_blocking(move || store.load(version.as_deref()))
            .await
            .map_err(ServiceError::worker)?
            .map_err(refusal)?;
        let version = model.version().to_owned();
        let changes = contract_changes(&self.state.model(), &model);
        if !changes.is_empty() {
            if !self.allow_head_change {
                return Err(ServiceError::ModelRefused(format!(
                    "model version `{version}` changes what callers get: {}; start the server with \
                     --allow-head-change to serve it anyway",
                    changes.join("; ")
                )));
            }
            tracing::warn!(version, changes = changes.join("; "), "the reloaded model changes heads or labels");
        }
        let previous = self.state.swap(model);
        tracing::info!(previous = previous.version(), version, "model reloaded");
        Ok(Reloaded { previous: previous.version().to_owned(), version })
    }
}

fn refusal(error: StoreError) -> ServiceError {
    match error {
        StoreError::InvalidName(_) => ServiceError::InvalidVersion(error.to_string()),
        StoreError::NotFound { .. } => ServiceError::UnknownVersion(error.to_string()),
        StoreError::Io { .. }
        | StoreError::Model { .. }
        | StoreError::OutsideDirectory { .. }
        | StoreError::PointerOutside { .. }
        | StoreError::BadPointer { .. }
        | StoreError::NotARegularFile { .. } => ServiceError::ModelRefused(error.to_string()),
    }
}

/// Starts listening for SIGHUP, so that one arriving before the server is up is held for
/// [`reload_on_sighup`] instead of killing the process. Needs a running tokio runtime.
pub fn listen_for_sighup() -> anyhow::Result<Signal> {
    use anyhow::Context;
    signal(SignalKind::hangup()).context("cannot listen for SIGHUP")
}

/// Reloads the `CURRENT` version on every SIGHUP, for as long as the server runs.
pub fn reload_on_sighup(reloader: Arc<Reloader>, mut hangups: Signal) {
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the current model");
            if let Err(error) = reloader.reload(None).await {
                tracing::warn!(%error, "SIGHUP reload refused; the previous model keeps serving");
            }
        }
    });
}
