//! One call as the [`crate::server::outcome`] layer sees it, from its request's arrival to
//! the status the client was sent, closed once whether or not a handler ran.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use tonic::codegen::http;
use tonic::Code;
use tracing::Span;

use super::call::{Closing, Outcome};
use super::origin::call_span;
use super::{CallOrigin, CallSize};
use crate::server::deadline::CallDeadline;
use crate::server::metrics::Metrics;
use crate::server::traces::CallTrace;

/// One call as the [`crate::server::outcome`] layer sees it: opened when its request arrives,
/// closed once, with the status the client was sent (or CANCELLED when the answer was
/// abandoned), whether or not a handler ever ran. A request extension, which the handler's
/// [`CallLog`](super::CallLog) finds through [`CallOrigin`].
#[derive(Debug)]
pub struct Ledger {
    method: &'static str,
    pub(super) span: Span,
    started: Instant,
    metrics: Arc<Metrics>,
    /// Set once by [`crate::server::deadline`], before the handler runs; read without a lock.
    deadline: OnceLock<CallDeadline>,
    state: Mutex<LedgerState>,
}

#[derive(Debug, Default)]
struct LedgerState {
    size: CallSize,
    noted: Option<Outcome>,
    closed: bool,
    trace: Option<CallTrace>,
}

impl Ledger {
    /// Opens the call to `method` that `request` makes. Its origin (the headers and the peer,
    /// [`CallOrigin::of_http`]) is read only when something may record it: the call's span
    /// (never enabled when `RUST_LOG` enables no `info` level) or the exported spans.
    pub fn open<B>(metrics: &Arc<Metrics>, method: &'static str, request: &http::Request<B>) -> Self {
        // No `info` span is enabled anywhere (`RUST_LOG` at `warn` or less) and none is
        // exported: the origin would be recorded nowhere.
        let recorded = tracing::level_enabled!(tracing::Level::INFO) || crate::server::traces::exporting();
        let origin = if recorded { CallOrigin::of_http(request) } else { CallOrigin::unknown() };
        let span = call_span(method, &origin);
        let state = Mutex::new(LedgerState { trace: Some(origin.trace(method)), ..LedgerState::default() });
        let deadline = OnceLock::new();
        Self { method, span, started: Instant::now(), metrics: Arc::clone(metrics), deadline, state }
    }

    /// What the handler knew: the call's size, and the outcome it returned (`None` when it
    /// was dropped unfinished).
    /// A deadline the handler reached closes the call at once: the server has ended it,
    /// though the status may wait behind answers the client does not read.
    pub(super) fn note(&self, size: CallSize, outcome: Option<Outcome>) {
        let deadline = outcome.as_ref().filter(|noted| noted.code == Code::DeadlineExceeded).cloned();
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.size = size;
            state.noted = outcome;
        }
        if let Some(deadline) = deadline {
            self.close(deadline);
        }
    }

    /// Holds the call's deadline, set once by [`crate::server::deadline`]: the call's handler and
    /// its answer find it here rather than in a request extension of its own.
    pub fn set_deadline(&self, deadline: CallDeadline) {
        let _ = self.deadline.set(deadline);
    }

    /// The call's deadline, once [`crate::server::deadline`] has set it.
    pub fn deadline(&self) -> Option<CallDeadline> {
        self.deadline.get().copied()
    }

    /// Closes a call whose answer was dropped before its status was sent: DEADLINE_EXCEEDED
    /// past its deadline, else CANCELLED.
    pub fn abandon(&self) {
        if self.deadline().is_some_and(|deadline| tokio::time::Instant::now() >= deadline.at) {
            let message = "deadline exceeded before the whole answer was sent";
            self.close(Outcome { code: Code::DeadlineExceeded, message: Some(message.into()), severe: false });
        } else {
            self.close(Outcome::abandoned());
        }
    }

    /// Writes the closing line, once: `sent` is the status the client was sent. The
    /// handler's message and severity are kept when its code is the one sent.
    pub fn close(&self, sent: Outcome) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if std::mem::replace(&mut state.closed, true) {
            return;
        }
        let outcome = match state.noted.take() {
            Some(noted) if noted.code == sent.code => noted,
            _ => sent,
        };
        let closing = Closing { method: self.method, span: &self.span, elapsed: self.started.elapsed() };
        closing.write(&self.metrics, state.size, outcome, state.trace.take());
    }
}
