//! Logs to standard error, as text or JSON, filtered by `RUST_LOG` (default `info`); and one
//! span and one closing line per call.
//!
//! A call's log says which method, how many articles and bytes, the status code and the
//! duration. It never holds article text or tokens. The closing line is also where the call
//! is counted and timed in the metrics, so that the two always agree.

use std::future::Future;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tonic::{Code, Request};
use tracing::{field, Instrument, Span};
use tracing_subscriber::EnvFilter;

use super::config::LogFormat;
use super::error::ServiceError;
use super::metrics::Metrics;

/// Installs the global subscriber.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))
}

/// How much a call carries: articles and bytes of title and text.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallSize {
    pub articles: usize,
    pub bytes: usize,
}

/// Who made a call: the client's address, and the `x-request-id` it sent (or the server
/// made, see [`super::request_id`]) and the trace id of its W3C `traceparent`, so that a
/// call's log line can be found from the caller's side; and how its request was compressed
/// (`grpc-encoding`), so that an operator sees which clients send gzip.
#[derive(Debug, Clone)]
pub struct CallOrigin {
    peer: Option<SocketAddr>,
    request_id: Option<String>,
    trace_id: Option<String>,
    encoding: Option<String>,
}

/// The longest header value logged (`x-request-id`, `grpc-encoding`).
const MAX_LOGGED_HEADER_BYTES: usize = 128;

impl CallOrigin {
    pub fn of<T>(request: &Request<T>) -> Self {
        let header = |name: &str| {
            let value = request.metadata().get(name).and_then(|value| value.to_str().ok());
            value.and_then(loggable_header).map(str::to_owned)
        };
        let trace_id = header("traceparent").as_deref().and_then(super::request_id::trace_id).map(str::to_owned);
        let (request_id, encoding) = (header("x-request-id"), header("grpc-encoding"));
        Self { peer: request.remote_addr(), request_id, trace_id, encoding }
    }
}

/// A header's value (the request id, the encoding) if it is safe to log as it is: printable
/// ASCII, not too long. Anything else (a caller's mistake, or an attempt to forge log lines)
/// is left out.
fn loggable_header(value: &str) -> Option<&str> {
    let printable = value.bytes().all(|b| b.is_ascii_graphic());
    (!value.is_empty() && value.len() <= MAX_LOGGED_HEADER_BYTES && printable).then_some(value)
}

/// One call being served: its span, and the closing log line, written when the call ends
/// or, if it is dropped unfinished (deadline passed, client gone), as CANCELLED.
pub struct CallLog {
    metrics: Arc<Metrics>,
    method: &'static str,
    span: Span,
    started: Instant,
    size: CallSize,
    finished: bool,
    /// The size goes into the span at the end rather than the start.
    streaming: bool,
}

impl CallLog {
    /// Opens the span of a call to `method` from `origin` carrying `size`.
    pub fn start(metrics: &Arc<Metrics>, method: &'static str, origin: &CallOrigin, size: CallSize) -> Self {
        let span = call_span(method, origin);
        span.record("articles", size.articles);
        span.record("bytes", size.bytes);
        let metrics = Arc::clone(metrics);
        Self { metrics, method, span, started: Instant::now(), size, finished: false, streaming: false }
    }

    /// Opens the span of a streaming call to `method`, whose size is known at its end.
    pub fn start_streaming(metrics: &Arc<Metrics>, method: &'static str, origin: &CallOrigin) -> Self {
        let span = call_span(method, origin);
        let (metrics, size) = (Arc::clone(metrics), CallSize::default());
        Self { metrics, method, span, started: Instant::now(), size, finished: false, streaming: true }
    }

    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Counts one more article of a stream.
    pub fn add(&mut self, bytes: usize) {
        self.size.articles += 1;
        self.size.bytes += bytes;
    }

    /// Runs a unary call's work inside the span and logs its outcome.
    pub async fn observe<T>(mut self, work: impl Future<Output = Result<T, ServiceError>>) -> Result<T, ServiceError> {
        let result = work.instrument(self.span.clone()).await;
        self.finish(result.as_ref().err());
        result
    }

    /// Logs the closing line: the status code (OK when `error` is `None`) and duration.
    pub fn finish(&mut self, error: Option<&ServiceError>) {
        let code = error.map_or(Code::Ok, ServiceError::code);
        self.close(code, error.map(ToString::to_string));
    }

    fn close(&mut self, code: Code, message: Option<String>) {
        self.finished = true;
        if self.streaming {
            self.span.record("articles", self.size.articles);
            self.span.record("bytes", self.size.bytes);
        }
        self.span.record("code", field::debug(code));
        let elapsed = self.started.elapsed();
        self.metrics.call(self.method, code, elapsed);
        let duration_ms = elapsed.as_secs_f64() * 1000.0;
        let (method, articles, bytes) = (self.method, self.size.articles, self.size.bytes);
        let _entered = self.span.enter();
        match code {
            Code::Ok => tracing::info!(method, ?code, duration_ms, articles, bytes, "call finished"),
            Code::Internal | Code::Unknown => {
                tracing::error!(method, ?code, duration_ms, articles, bytes, error = message, "call failed")
            }
            _ => tracing::info!(method, ?code, duration_ms, articles, bytes, error = message, "call failed"),
        }
    }
}

fn call_span(method: &'static str, origin: &CallOrigin) -> Span {
    let span = tracing::info_span!(
        "rpc",
        method,
        articles = field::Empty,
        bytes = field::Empty,
        code = field::Empty,
        peer = field::Empty,
        request_id = field::Empty,
        trace_id = field::Empty,
        encoding = field::Empty
    );
    if let Some(peer) = origin.peer {
        span.record("peer", field::display(peer));
    }
    if let Some(id) = &origin.request_id {
        span.record("request_id", id.as_str());
    }
    if let Some(trace) = &origin.trace_id {
        span.record("trace_id", trace.as_str());
    }
    if let Some(encoding) = &origin.encoding {
        span.record("encoding", encoding.as_str());
    }
    span
}

impl Drop for CallLog {
    fn drop(&mut self) {
        if !self.finished {
            self.close(Code::Cancelled, Some("the call ended before its answer (deadline or client gone)".into()));
        }
    }
}
