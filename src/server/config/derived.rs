//! What the server takes from its flags: the per-request limits, the durations in seconds
//! as [`Duration`]s, the admin token, the model store and the worker count.

use std::time::Duration;

use super::{ServeArgs, MAX_EXPLAIN};
use crate::server::admin::AdminToken;

/// The environment variable that may hold the admin token itself.
const ADMIN_TOKEN_VAR: &str = "ACCORD_ADMIN_TOKEN";

/// Per-request limits, checked before any work starts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_text_bytes: usize,
    pub max_batch: usize,
    pub max_explain: u32,
    /// The largest answer of one call (one message of a stream), encoded.
    pub max_answer_bytes: usize,
    /// The longest a call may take (`--request-timeout-secs`).
    pub request_timeout: Duration,
}

impl ServeArgs {
    /// The admin token, from `--admin-token-file` or else ACCORD_ADMIN_TOKEN; `None` if
    /// neither is given.
    pub fn admin_token(&self) -> anyhow::Result<Option<AdminToken>> {
        use anyhow::Context;
        let token = match &self.admin_token_file {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the admin token file {}", path.display()))?,
            None => match std::env::var(ADMIN_TOKEN_VAR) {
                Ok(token) => token,
                Err(std::env::VarError::NotPresent) => return Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("{ADMIN_TOKEN_VAR} is not UTF-8"),
            },
        };
        let token = token.trim();
        anyhow::ensure!(!token.is_empty(), "the admin token must not be empty");
        Ok(Some(AdminToken::new(token)))
    }

    /// The models directory, loading models up to `--max-model-bytes`.
    pub fn model_store(&self) -> accord::ModelStore {
        accord::ModelStore::new(&self.models_dir).with_max_model_bytes(self.max_model_bytes)
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_text_bytes: self.max_text_bytes as usize,
            max_batch: self.max_batch as usize,
            max_explain: MAX_EXPLAIN,
            max_answer_bytes: self.max_answer_bytes as usize,
            request_timeout: self.request_timeout(),
        }
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_secs)
    }

    pub fn drain(&self) -> Duration {
        Duration::from_secs(self.drain_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The interval of keepalive PINGs, `None` if they are off.
    pub fn keepalive(&self) -> Option<Duration> {
        (self.keepalive_secs > 0).then(|| Duration::from_secs(self.keepalive_secs))
    }

    pub fn keepalive_timeout(&self) -> Duration {
        Duration::from_secs(self.keepalive_timeout_secs)
    }

    pub fn max_connection_age(&self) -> Option<Duration> {
        self.max_connection_age_secs.map(Duration::from_secs)
    }

    pub fn max_connection_age_grace(&self) -> Duration {
        Duration::from_secs(self.max_connection_age_grace_secs)
    }

    /// The number of concurrent CPU jobs: `--workers`, else the number of cores.
    pub fn worker_count(&self) -> usize {
        match self.workers {
            Some(workers) => workers as usize,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}
