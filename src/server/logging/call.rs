//! A call as its handler sees it ([`CallLog`]), how it ended ([`Outcome`]), and its closing
//! line, written once per call with its count in the metrics.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tonic::Code;
use tracing::{Instrument, Span};

use super::origin::call_span;
use super::{CallOrigin, CallSize, Ledger};
use crate::server::error::ServiceError;
use crate::server::metrics::{code_name, Metrics};
use crate::server::traces::CallTrace;

/// One call being served by its handler: its span, its size, and how the handler ended it.
///
/// When the call came through the [`crate::server::outcome`] layer, the handler's outcome is noted
/// in the call's [`Ledger`], and the closing line is written there once the answer has gone
/// out (or was abandoned): what the client got, not what the handler returned. Otherwise
/// (a handler called directly) the closing line is written when the handler ends, or, if it
/// is dropped unfinished, as CANCELLED.
pub struct CallLog {
    metrics: Arc<Metrics>,
    method: &'static str,
    span: Span,
    started: Instant,
    size: CallSize,
    finished: bool,
    ledger: Option<Arc<Ledger>>,
    /// The exported span, when the call has no ledger (which holds it otherwise).
    trace: Option<CallTrace>,
}

impl CallLog {
    /// Opens the span of a call to `method` from `origin` carrying `size`.
    pub fn start(metrics: &Arc<Metrics>, method: &'static str, origin: &CallOrigin<'_>, size: CallSize) -> Self {
        let mut call = Self::start_streaming(metrics, method, origin);
        call.size = size;
        call
    }

    /// Opens the span of a streaming call to `method`, whose size is known at its end.
    pub fn start_streaming(metrics: &Arc<Metrics>, method: &'static str, origin: &CallOrigin<'_>) -> Self {
        let ledger = origin.ledger.clone();
        let span = ledger.as_ref().map_or_else(|| call_span(method, origin), |ledger| ledger.span.clone());
        let trace = ledger.is_none().then(|| origin.trace(method));
        let (metrics, size) = (Arc::clone(metrics), CallSize::default());
        Self { metrics, method, span, started: Instant::now(), size, finished: false, ledger, trace }
    }

    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Counts one more article of a stream.
    pub fn add(&mut self, bytes: usize) {
        self.size.articles += 1;
        self.size.bytes += bytes;
    }

    /// Runs a unary call's work inside the span and notes its outcome.
    pub async fn observe<T>(mut self, work: impl Future<Output = Result<T, ServiceError>>) -> Result<T, ServiceError> {
        let result = work.instrument(self.span.clone()).await;
        self.finish(result.as_ref().err());
        result
    }

    /// The handler's outcome: OK when `error` is `None`.
    pub fn finish(&mut self, error: Option<&ServiceError>) {
        self.finished = true;
        let outcome = Outcome::of(error);
        match &self.ledger {
            Some(ledger) => ledger.note(self.size, Some(outcome)),
            None => {
                let closing = Closing { method: self.method, span: &self.span, elapsed: self.started.elapsed() };
                closing.write(&self.metrics, self.size, outcome, self.trace.take());
            }
        }
    }
}

impl Drop for CallLog {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        match &self.ledger {
            // The layer knows what the client got (a deadline's status, a reset).
            Some(ledger) => ledger.note(self.size, None),
            None => {
                let closing = Closing { method: self.method, span: &self.span, elapsed: self.started.elapsed() };
                closing.write(&self.metrics, self.size, Outcome::abandoned(), self.trace.take());
            }
        }
    }
}

/// A call's status code and message, and whether it is the server's fault (logged at ERROR).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub code: Code,
    pub message: Option<String>,
    pub severe: bool,
}

impl Outcome {
    fn of(error: Option<&ServiceError>) -> Self {
        let code = error.map_or(Code::Ok, ServiceError::code);
        let severe = matches!(error, Some(ServiceError::Internal { .. }));
        Self { code, message: error.map(ToString::to_string), severe }
    }

    /// A call whose answer was not sent to its end: the client reset it or its connection
    /// closed.
    pub fn abandoned() -> Self {
        let message = "the client reset the call or closed its connection before the whole answer was sent";
        Self { code: Code::Cancelled, message: Some(message.into()), severe: false }
    }
}

/// The closing line of a call, its count in the metrics, and the end of its exported span.
pub(super) struct Closing<'a> {
    pub(super) method: &'static str,
    pub(super) span: &'a Span,
    pub(super) elapsed: Duration,
}

impl Closing<'_> {
    pub(super) fn write(&self, metrics: &Metrics, size: CallSize, outcome: Outcome, trace: Option<CallTrace>) {
        let Outcome { code, message, severe } = outcome;
        metrics.call(self.method, code, self.elapsed);
        if let Some(trace) = trace {
            trace.close(code, size.articles);
        }
        let duration_ms = self.elapsed.as_secs_f64() * 1000.0;
        let code = code_name(code);
        let (articles, bytes) = (size.articles, size.bytes);
        let _entered = self.span.enter();
        match (message, severe) {
            (None, _) => tracing::info!(%code, duration_ms, articles, bytes, "call finished"),
            (Some(error), true) => tracing::error!(%code, duration_ms, articles, bytes, error, "call failed"),
            (Some(error), false) => tracing::info!(%code, duration_ms, articles, bytes, error, "call failed"),
        }
    }
}
