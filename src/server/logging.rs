//! Logs to standard error, as text or JSON, filtered by `RUST_LOG` (default `info`); and one
//! span and one closing line per call.
//!
//! A call's log says which method, how many articles and bytes, the status code and the
//! duration. It never holds article text or tokens. The closing line is also where the call
//! is counted and timed in the metrics, so that the two always agree.

use std::borrow::Cow;
use std::future::Future;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tonic::codegen::http;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
use tonic::{Code, Request};
use tracing::{field, Instrument, Span};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use super::config::{LogFormat, OtlpTarget};
use super::deadline::CallDeadline;
use super::error::ServiceError;
use super::metrics::{code_name, Metrics};
use super::traces::{CallName, CallTrace, Exporter, HttpRoute};

/// Installs the global subscriber: the log lines, and with `otlp` the spans exported there
/// (see [`super::traces`]), whose [`Exporter`] is returned to be shut down. With a target it
/// must run inside the tokio runtime.
pub fn init(format: LogFormat, otlp: Option<OtlpTarget<'_>>) -> anyhow::Result<Option<Exporter>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let Some(otlp) = otlp else {
        let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
        let installed = match format {
            LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
            LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
        };
        installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))?;
        return Ok(None);
    };
    // The exported spans stay out of the log lines, whatever RUST_LOG says.
    let filter = filter.add_directive(format!("{}=off", super::traces::TARGET).parse()?);
    let lines = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let lines = match format {
        LogFormat::Text => lines.with_ansi(std::io::stderr().is_terminal()).boxed(),
        LogFormat::Json => lines.json().with_current_span(true).with_span_list(false).boxed(),
    };
    let (exporter, spans) = Exporter::start(otlp)?;
    let installed = tracing_subscriber::registry().with(lines.with_filter(filter)).with(spans).try_init();
    installed.map_err(|error| anyhow::anyhow!("cannot install the logger: {error}"))?;
    Ok(Some(exporter))
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
/// (`grpc-encoding`), so that an operator sees which clients send gzip. It also carries the
/// call's [`Ledger`], when the call has one, and the HTTP route of a call made over HTTP.
///
/// The headers are borrowed from the request while it lives ([`CallOrigin::of_http`], which
/// the ledger reads once per call) and copied only where the origin outlives it.
#[derive(Debug, Clone)]
pub struct CallOrigin<'a> {
    peer: Option<SocketAddr>,
    request_id: Option<Cow<'a, str>>,
    traceparent: Option<Cow<'a, str>>,
    encoding: Option<Cow<'a, str>>,
    ledger: Option<Arc<Ledger>>,
    route: Option<HttpRoute>,
}

/// The headers a call's origin reads, named once rather than parsed from text at each call.
const TRACEPARENT: http::HeaderName = http::HeaderName::from_static("traceparent");
const GRPC_ENCODING: http::HeaderName = http::HeaderName::from_static("grpc-encoding");

/// The longest header value logged (`x-request-id`, `grpc-encoding`).
const MAX_LOGGED_HEADER_BYTES: usize = 128;

impl CallOrigin<'static> {
    /// The origin of a request as a handler sees it; it outlives the request.
    pub fn of<T>(request: &Request<T>) -> Self {
        let ledger = request.extensions().get::<Arc<Ledger>>().cloned();
        let route = request.extensions().get::<HttpRoute>().copied();
        if ledger.is_some() {
            // The ledger's span and trace already hold the headers: the handler needs nothing else.
            return Self { peer: None, request_id: None, traceparent: None, encoding: None, ledger, route };
        }
        let header = |name: &str| {
            let value = request.metadata().get(name).and_then(|value| value.to_str().ok());
            value.and_then(loggable_header).map(|value| Cow::Owned(value.to_owned()))
        };
        Self {
            peer: request.remote_addr(),
            request_id: header("x-request-id"),
            traceparent: header("traceparent").filter(|value| super::request_id::trace_id(value).is_some()),
            encoding: header("grpc-encoding"),
            ledger,
            route,
        }
    }
}

impl<'a> CallOrigin<'a> {
    /// The origin of a request as the HTTP layers see it, before tonic has decoded it,
    /// borrowing its headers.
    pub fn of_http<B>(request: &'a http::Request<B>) -> Self {
        let [request_id, traceparent, encoding] = first_values(request.headers(), ORIGIN_HEADERS);
        let header = |value: Option<&'a http::HeaderValue>| {
            value.and_then(|value| value.to_str().ok()).and_then(loggable_header).map(Cow::Borrowed)
        };
        let extensions = request.extensions();
        let tcp = extensions.get::<TcpConnectInfo>();
        let tls = extensions.get::<TlsConnectInfo<TcpConnectInfo>>().map(TlsConnectInfo::get_ref);
        let peer = tcp.or(tls).and_then(TcpConnectInfo::remote_addr);
        Self {
            peer,
            request_id: header(request_id),
            traceparent: header(traceparent).filter(|value| super::request_id::trace_id(value).is_some()),
            encoding: header(encoding),
            ledger: None,
            route: None,
        }
    }

    /// An origin not read: every field unknown.
    fn unknown() -> Self {
        Self { peer: None, request_id: None, traceparent: None, encoding: None, ledger: None, route: None }
    }

    /// The trace id of the caller's `traceparent`, when it sent a valid one.
    fn trace_id(&self) -> Option<&str> {
        self.traceparent.as_deref().and_then(super::request_id::trace_id)
    }

    /// The exported span of a call to `method` from here (an empty one when none is
    /// exported).
    fn trace(&self, method: &'static str) -> CallTrace {
        let name = CallName { method, route: self.route };
        CallTrace::open(name, self.request_id.as_deref(), self.traceparent.as_deref())
    }
}

/// The headers [`CallOrigin::of_http`] reads.
const ORIGIN_HEADERS: [http::HeaderName; 3] = [super::request_id::REQUEST_ID, TRACEPARENT, GRPC_ENCODING];

/// The first value of each of `names` in `headers`, as `HeaderMap::get` gives it, found in
/// one walk over the few headers of a call rather than a hashed look-up per name.
fn first_values<const N: usize>(
    headers: &http::HeaderMap,
    names: [http::HeaderName; N],
) -> [Option<&http::HeaderValue>; N] {
    let mut found = [None; N];
    for (name, value) in headers {
        if let Some(index) = names.iter().position(|wanted| wanted == name) {
            found[index].get_or_insert(value);
        }
    }
    found
}

/// A header's value (the request id, the encoding) if it is safe to log as it is: printable
/// ASCII, not too long. Anything else (a caller's mistake, or an attempt to forge log lines)
/// is left out.
fn loggable_header(value: &str) -> Option<&str> {
    let printable = value.bytes().all(|b| b.is_ascii_graphic());
    (!value.is_empty() && value.len() <= MAX_LOGGED_HEADER_BYTES && printable).then_some(value)
}

/// One call being served by its handler: its span, its size, and how the handler ended it.
///
/// When the call came through the [`super::outcome`] layer, the handler's outcome is noted
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
struct Closing<'a> {
    method: &'static str,
    span: &'a Span,
    elapsed: Duration,
}

impl Closing<'_> {
    fn write(&self, metrics: &Metrics, size: CallSize, outcome: Outcome, trace: Option<CallTrace>) {
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

/// One call as the [`super::outcome`] layer sees it: opened when its request arrives,
/// closed once, with the status the client was sent (or CANCELLED when the answer was
/// abandoned), whether or not a handler ever ran. A request extension, which the handler's
/// [`CallLog`] finds through [`CallOrigin`].
#[derive(Debug)]
pub struct Ledger {
    method: &'static str,
    span: Span,
    started: Instant,
    metrics: Arc<Metrics>,
    /// Set once by [`super::deadline`], before the handler runs; read without a lock.
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
        let recorded = tracing::level_enabled!(tracing::Level::INFO) || super::traces::exporting();
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
    fn note(&self, size: CallSize, outcome: Option<Outcome>) {
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

    /// Holds the call's deadline, set once by [`super::deadline`]: the call's handler and
    /// its answer find it here rather than in a request extension of its own.
    pub fn set_deadline(&self, deadline: CallDeadline) {
        let _ = self.deadline.set(deadline);
    }

    /// The call's deadline, once [`super::deadline`] has set it.
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

fn call_span(method: &'static str, origin: &CallOrigin<'_>) -> Span {
    // The fields are given when the span is made, in one call to the subscriber (a missing
    // one is left out), rather than recorded one by one after it, each a call of its own.
    tracing::info_span!(
        "rpc",
        method,
        peer = origin.peer.map(field::display),
        request_id = origin.request_id.as_deref(),
        trace_id = origin.trace_id(),
        encoding = origin.encoding.as_deref()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_headers_are_read_as_header_map_get_reads_them() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/grpc"));
        headers.append(GRPC_ENCODING, http::HeaderValue::from_static("gzip"));
        headers.append(GRPC_ENCODING, http::HeaderValue::from_static("identity"));
        headers.insert(super::super::request_id::REQUEST_ID, http::HeaderValue::from_static("id-1"));
        let found = first_values(&headers, ORIGIN_HEADERS);
        let expected = ORIGIN_HEADERS.map(|name| headers.get(name));
        assert_eq!(found, expected);
        assert_eq!(found.map(|value| value.map(|v| v.as_bytes())), [Some(&b"id-1"[..]), None, Some(&b"gzip"[..])]);
    }
}
