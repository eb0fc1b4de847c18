//! `--otlp-endpoint`: one OpenTelemetry span per call, exported over OTLP/gRPC.
//!
//! An `https://` endpoint is reached over TLS, trusting the system's root certificates, or
//! only the CA of `--otlp-ca-cert` when it is given, and presenting the client certificate
//! of `--otlp-client-cert` to a collector that requires one (see [`super::otlp_tls`]); those
//! files are read at start, and one that cannot be used stops the server before it listens,
//! as do system roots that hold no certificate when no CA is given (the exporter's TLS
//! settings are built at start). A collector whose certificate is not trusted, or that
//! requires a client certificate the server does not have, gets no span, and is logged like
//! one that is down.
//!
//! A call's span opens with the call and ends when its closing line is written, named after
//! the gRPC method (`accord.v1.Classifier/Classify`) or the HTTP route (`POST /v1/classify`),
//! with the request id, the status code's name and the number of articles. The caller's W3C
//! `traceparent` is its parent, so that it joins the caller's trace; without one it starts a
//! trace of its own. Spans go to the collector in batches from a thread of their own (the
//! SDK's batch processor, tuned by the standard `OTEL_BSP_*` variables); a failed export is
//! logged, at most once a minute, and never touches a call. The remaining spans are sent on
//! shutdown.
//!
//! These spans have a target of their own ([`TARGET`]): the exporting layer sees nothing
//! else, and the log lines never show them. Without `--otlp-endpoint` no layer is installed
//! and no span is made: a call pays one check of a flag.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use tonic::Code;
use tracing::{field, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::config::OtlpTarget;
use super::metrics::code_name;

/// The target of the exported spans, and of nothing else.
pub const TARGET: &str = "accord::exported_call";

/// Whether spans are exported: set once, when the exporting layer is installed.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Whether spans are exported (an exporter is installed).
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// The least time between two log lines about failed exports.
const FAILURE_LOG_INTERVAL: Duration = Duration::from_secs(60);

/// How long shutdown waits for the last spans to reach the collector.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The exporting side of the tracing subscriber; [`Exporter::shutdown`] sends what is left.
#[derive(Debug)]
pub struct Exporter {
    provider: SdkTracerProvider,
}

impl Exporter {
    /// Starts exporting to `target`, and returns the layer that turns the call spans into
    /// OpenTelemetry spans. Must run inside the tokio runtime, which carries the exporter's
    /// connection.
    pub fn start<S>(target: OtlpTarget<'_>) -> anyhow::Result<(Self, impl Layer<S>)>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        let endpoint = target.endpoint;
        let mut builder = opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(endpoint);
        if target.is_tls() {
            builder = builder.with_tls_config(super::otlp_tls::client_tls(&target)?);
        }
        let exporter = builder.build().with_context(|| format!("cannot export traces to {endpoint}"))?;
        let resource = Resource::builder()
            .with_service_name("accord")
            .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(FailuresLogged::new(exporter, endpoint))
            .with_resource(resource)
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("accord"))
            .with_location(false)
            .with_threads(false)
            .with_level(false)
            .with_target(false)
            .with_tracked_inactivity(false)
            .with_filter(tracing_subscriber::filter::Targets::new().with_target(TARGET, tracing::Level::INFO));
        EXPORTING.store(true, Ordering::Relaxed);
        Ok((Self { provider }, layer))
    }

    /// Sends the spans not yet exported, waiting a few seconds at most. Blocks: call it
    /// outside the runtime's tasks, while the runtime still runs.
    pub fn shutdown(self) {
        EXPORTING.store(false, Ordering::Relaxed);
        if let Err(error) = self.provider.shutdown_with_timeout(SHUTDOWN_TIMEOUT) {
            tracing::warn!(%error, "the last spans may not have reached the trace collector");
        }
    }
}

/// The exported span of one call; an empty one when nothing is exported.
#[derive(Debug)]
pub struct CallTrace(Span);

/// What a call's span is named after: its gRPC method, or the HTTP route that called it.
#[derive(Debug, Clone, Copy)]
pub struct CallName {
    /// The `accord.v1` method, e.g. `Classify`.
    pub method: &'static str,
    /// The HTTP route (method and path), for a call that came over HTTP.
    pub route: Option<HttpRoute>,
}

/// The HTTP route of a call made over `--http-addr`, a request extension.
#[derive(Debug, Clone, Copy)]
pub struct HttpRoute {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The route's path, e.g. `/v1/classify`.
    pub path: &'static str,
}

impl CallTrace {
    /// Opens the span of a call, a child of `traceparent` when it is a valid one.
    pub fn open(name: CallName, request_id: Option<&str>, traceparent: Option<&str>) -> Self {
        if !EXPORTING.load(Ordering::Relaxed) {
            return Self(Span::none());
        }
        let service = service_of(name.method);
        let span = tracing::info_span!(
            target: TARGET,
            parent: None,
            "call",
            otel.name = field::Empty,
            otel.kind = "server",
            otel.status_code = field::Empty,
            rpc.system = field::Empty,
            rpc.service = service,
            rpc.method = name.method,
            rpc.grpc.status_code = field::Empty,
            http.route = field::Empty,
            http.request.method = field::Empty,
            request_id = request_id,
            status_code = field::Empty,
            articles = field::Empty,
        );
        match name.route {
            Some(route) => {
                span.record("otel.name", format!("{} {}", route.method, route.path));
                span.record("http.route", route.path);
                span.record("http.request.method", route.method);
            }
            None => {
                span.record("otel.name", format!("{service}/{}", name.method));
                span.record("rpc.system", "grpc");
            }
        }
        if let Some(traceparent) = traceparent {
            let parent = TraceContextPropagator::new().extract(&Traceparent(traceparent));
            // A traceparent the propagator cannot read leaves the span a root.
            let _ = span.set_parent(parent);
        }
        Self(span)
    }

    /// Ends the span with the status the client got and the number of articles the call
    /// carried.
    pub fn close(self, code: Code, articles: usize) {
        let span = self.0;
        if span.is_none() {
            return;
        }
        span.record("status_code", code_name(code));
        span.record("rpc.grpc.status_code", code as i64);
        span.record("articles", articles as u64);
        // The server's faults, as OpenTelemetry's conventions for gRPC servers count them;
        // a client's mistake (INVALID_ARGUMENT, NOT_FOUND, ...) is not the server's error.
        let server_error = matches!(
            code,
            Code::Unknown
                | Code::DeadlineExceeded
                | Code::Unimplemented
                | Code::Internal
                | Code::Unavailable
                | Code::DataLoss
        );
        span.record("otel.status_code", if server_error { "error" } else { "unset" });
    }
}

/// The gRPC service of an `accord.v1` method.
fn service_of(method: &str) -> &'static str {
    if method == "ReloadModel" {
        "accord.v1.Admin"
    } else {
        "accord.v1.Classifier"
    }
}

/// A lone `traceparent` header, as the propagator reads headers.
struct Traceparent<'a>(&'a str);

impl Extractor for Traceparent<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == "traceparent").then_some(self.0)
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent"]
    }
}

/// An exporter whose failures are logged, at most once per [`FAILURE_LOG_INTERVAL`], with
/// the number of spans lost since the last such line.
#[derive(Debug)]
struct FailuresLogged<E> {
    inner: E,
    endpoint: String,
    last_logged: Mutex<Option<Instant>>,
    spans_lost: AtomicU64,
}

impl<E> FailuresLogged<E> {
    fn new(inner: E, endpoint: &str) -> Self {
        Self { inner, endpoint: endpoint.to_owned(), last_logged: Mutex::new(None), spans_lost: AtomicU64::new(0) }
    }

    fn failed(&self, spans: usize, error: &dyn std::fmt::Display) {
        self.spans_lost.fetch_add(spans as u64, Ordering::Relaxed);
        let mut last_logged = self.last_logged.lock().unwrap_or_else(PoisonError::into_inner);
        if last_logged.is_some_and(|at| at.elapsed() < FAILURE_LOG_INTERVAL) {
            return;
        }
        *last_logged = Some(Instant::now());
        let spans_lost = self.spans_lost.swap(0, Ordering::Relaxed);
        let endpoint = &self.endpoint;
        tracing::warn!(%error, spans_lost, endpoint, "cannot export spans to the trace collector");
    }
}

impl<E: SpanExporter> SpanExporter for FailuresLogged<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        let result = self.inner.export(batch).await;
        if let Err(error) = &result {
            self.failed(spans, error);
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
