//! Prometheus metrics: calls by method and status code, call latency, articles classified by
//! head and label, the served model version, model reloads, the certificate's expiry, the
//! build; and, read at each scrape (see [`collectors`]), the load (queue depth, calls and
//! bytes in flight) and the standard process metrics.
//!
//! The counters are recorded whether or not anyone scrapes them (a few atomic adds a call),
//! and everything is served as OpenMetrics text on `--metrics-addr` only when it is given
//! (see [`endpoint`]).

mod collectors;
pub mod endpoint;

use std::sync::atomic::AtomicU64;
use std::sync::{OnceLock, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};
use rustc_hash::FxHashMap;
use tonic::Code;

use accord::grpc::v1 as pb;

use super::inflight::InFlightLayer;
use super::pool::CpuPool;

/// Upper bounds of the latency buckets, in seconds: a short article takes tens of
/// microseconds, a full batch of long ones seconds, and `--request-timeout-secs` is 60 by
/// default.
const LATENCY_BUCKETS: [f64; 16] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The methods counted, by the last part of their path: `accord.v1.Classifier`'s and
/// `accord.v1.Admin`'s. Anything else (a method that does not exist) would give the metrics
/// a label per name a client invents.
pub const METHODS: [&str; 7] =
    ["Tokenize", "Vectorize", "Classify", "ClassifyBatch", "ClassifyStream", "GetModelInfo", "ReloadModel"];

/// gRPC status codes: 0 (OK) to 16 (UNAUTHENTICATED).
const CODES: usize = 17;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: &'static str,
    code: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ArticleLabels {
    head: String,
    label: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CertificateLabels {
    file: String,
}

type LatencyFamily = Family<MethodLabels, Histogram, fn() -> Histogram>;

/// Every metric the server keeps, and the registry that encodes them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    latency: LatencyFamily,
    articles: Family<ArticleLabels, Counter>,
    model: Family<VersionLabels, Gauge>,
    reloads: Counter,
    reload_failures: Counter,
    /// Days until the TLS certificate expires (negative once it has), as of each scrape.
    tls_expiry_days: Family<CertificateLabels, Gauge<f64, AtomicU64>>,
    /// The certificate's file and expiry (seconds since the Unix epoch), when serving TLS.
    tls_not_after: OnceLock<(CertificateLabels, i64)>,
    /// Handles of the series above, each resolved on first use: a call then adds to its
    /// series without hashing labels, taking a family's lock or allocating the labels' text.
    /// A handle shares its series' value with the family, which encodes it.
    handles: Handles,
}

/// Series handles by [`METHODS`] index and status code, and by head and label.
#[derive(Debug)]
struct Handles {
    calls: [[OnceLock<Counter>; CODES]; METHODS.len()],
    latency: [OnceLock<Histogram>; METHODS.len()],
    /// Hashed with Fx: the keys are the model's own short head and label names, looked up
    /// at every answer.
    articles: RwLock<FxHashMap<String, FxHashMap<String, Counter>>>,
}

impl Default for Handles {
    fn default() -> Self {
        Self {
            calls: std::array::from_fn(|_| std::array::from_fn(|_| OnceLock::new())),
            latency: std::array::from_fn(|_| OnceLock::new()),
            articles: RwLock::default(),
        }
    }
}

/// The build profile the binary was compiled with.
const PROFILE: &str = if cfg!(debug_assertions) { "debug" } else { "release" };

/// The source revision the binary was built from: build.rs records the short git commit, the
/// `ACCORD_REVISION` variable's value, or `unknown`.
const REVISION: &str = env!("ACCORD_REVISION");

impl Metrics {
    /// The server's metrics; the queue depth is read from `pool` and the calls and bytes in
    /// flight from `in_flight` at each scrape.
    pub fn new(pool: CpuPool, in_flight: InFlightLayer) -> Self {
        let mut root = Registry::default();
        #[cfg(target_os = "linux")]
        root.register_collector(Box::new(collectors::ProcessCollector::default()));
        let registry = root.sub_registry_with_prefix("accord");
        registry.register_collector(Box::new(collectors::LoadCollector { pool, in_flight }));
        let build = Info::new([("version", env!("CARGO_PKG_VERSION")), ("profile", PROFILE), ("revision", REVISION)]);
        registry.register("build", "The running build: its crate version, build profile and source revision", build);
        let calls = Family::<CallLabels, Counter>::default();
        registry.register("rpc_calls", "Finished accord.v1 calls, by method and gRPC status code", calls.clone());
        let latency: LatencyFamily = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "rpc_duration",
            "Time from a call's start to its status, by method",
            Unit::Seconds,
            latency.clone(),
        );
        let articles = Family::<ArticleLabels, Counter>::default();
        registry.register("articles_classified", "Articles answered, by head and predicted label", articles.clone());
        let model = Family::<VersionLabels, Gauge>::default();
        registry.register("model_info", "The served model: 1 for its version", model.clone());
        let reloads = Counter::default();
        registry.register("model_reloads", "Models loaded and swapped in by a reload", reloads.clone());
        let reload_failures = Counter::default();
        registry.register(
            "model_reload_failures",
            "Reloads refused (bad name, unknown version, corrupt model); the old model served on",
            reload_failures.clone(),
        );
        let tls_expiry_days = Family::<CertificateLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "tls_certificate_expiry_days",
            "Days until the served TLS certificate expires, negative once it has (no series without TLS)",
            tls_expiry_days.clone(),
        );
        let tls_not_after = OnceLock::new();
        Self {
            registry: root,
            calls,
            latency,
            articles,
            model,
            reloads,
            reload_failures,
            tls_expiry_days,
            tls_not_after,
            handles: Handles::default(),
        }
    }

    /// One finished call to `method` with status `code`, after `elapsed`.
    pub fn call(&self, method: &'static str, code: Code, elapsed: Duration) {
        let calls = || self.calls.get_or_create(&CallLabels { method, code: code_name(code) }).clone();
        let latency = || self.latency.get_or_create(&MethodLabels { method }).clone();
        // The outcome layer names its calls by the entries of METHODS themselves: found by
        // address first, without comparing the text.
        let index = METHODS.iter().position(|&known| std::ptr::eq(known, method));
        let Some(index) = index.or_else(|| METHODS.iter().position(|&known| known == method)) else {
            calls().inc();
            latency().observe(elapsed.as_secs_f64());
            return;
        };
        match self.handles.calls[index].get(code as usize) {
            Some(handle) => handle.get_or_init(calls).inc(),
            None => calls().inc(),
        };
        self.handles.latency[index].get_or_init(latency).observe(elapsed.as_secs_f64());
    }

    /// Articles answered: each response's label per head.
    pub fn classified(&self, responses: &[pb::ClassifyResponse]) {
        // One answer names each head once: its pairs are counted as they are. A batch's are
        // tallied first, so that it costs one look-up per label, not per article.
        match responses {
            [response] => {
                self.articles_counted(response.predictions.iter().map(|(head, p)| (head.as_str(), p.label.as_str(), 1)))
            }
            _ => self.articles_counted(tally(responses).into_iter()),
        }
    }

    /// Adds each count to the series of its head and label, under one read of the handles;
    /// a series met for the first time is resolved after it.
    fn articles_counted<'a>(&self, counts: impl Iterator<Item = (&'a str, &'a str, u64)>) {
        let mut unresolved = Vec::new();
        {
            let handles = self.handles.articles.read().unwrap_or_else(PoisonError::into_inner);
            for (head, label, count) in counts {
                match handles.get(head).and_then(|labels| labels.get(label)) {
                    Some(counter) => _ = counter.inc_by(count),
                    None => unresolved.push((head, label, count)),
                }
            }
        }
        for (head, label, count) in unresolved {
            self.first_articles_counted(head, label, count);
        }
    }

    /// Adds `count` to the series of `head` and `label`, whose handle is not resolved yet.
    fn first_articles_counted(&self, head: &str, label: &str, count: u64) {
        let counter = self.articles.get_or_create(&ArticleLabels { head: head.into(), label: label.into() }).clone();
        counter.inc_by(count);
        let mut handles = self.handles.articles.write().unwrap_or_else(PoisonError::into_inner);
        handles.entry(head.to_owned()).or_default().insert(label.to_owned(), counter);
    }

    /// The model now served: only its version is reported.
    pub fn model_served(&self, version: &str) {
        self.model.clear();
        self.model.get_or_create(&VersionLabels { version: version.into() }).set(1);
    }

    pub fn reload_succeeded(&self) {
        self.reloads.inc();
    }

    pub fn reload_failed(&self) {
        self.reload_failures.inc();
    }

    /// The served TLS certificate, read from `file`, expires at `not_after` (seconds since
    /// the Unix epoch).
    pub fn tls_certificate_expires(&self, file: String, not_after: i64) {
        let _ = self.tls_not_after.set((CertificateLabels { file }, not_after));
    }

    /// Every metric in the OpenMetrics text format, ending with `# EOF`.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        if let Some((labels, not_after)) = self.tls_not_after.get() {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |since| since.as_secs_f64());
            self.tls_expiry_days.get_or_create(labels).set((*not_after as f64 - now) / 86_400.0);
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// A status code as the gRPC specification names it (`OK`, `INVALID_ARGUMENT`, ...).
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// Each (head, label) pair of `responses` with how many of them name it.
fn tally(responses: &[pb::ClassifyResponse]) -> Vec<(&str, &str, u64)> {
    let mut tally: Vec<(&str, &str, u64)> = Vec::new();
    for (head, prediction) in responses.iter().flat_map(|response| &response.predictions) {
        match tally.iter_mut().find(|(h, l, _)| h == head && *l == prediction.label) {
            Some((_, _, count)) => *count += 1,
            None => tally.push((head, &prediction.label, 1)),
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Metrics {
        Metrics::new(CpuPool::new(1, 1).expect("pool"), InFlightLayer::new(1000, 1000))
    }

    fn response(topic: &str, stance: &str) -> pb::ClassifyResponse {
        let prediction = |label: &str| pb::Prediction { label: label.into(), ..Default::default() };
        let predictions = [("topic", topic), ("stance", stance)].map(|(h, l)| (h.to_owned(), prediction(l)));
        pb::ClassifyResponse { predictions: predictions.into_iter().collect(), ..Default::default() }
    }

    #[test]
    fn calls_are_counted_by_method_and_code_and_timed() {
        let metrics = metrics();
        metrics.call("Classify", Code::Ok, Duration::from_millis(3));
        metrics.call("Classify", Code::Ok, Duration::from_millis(4));
        metrics.call("Classify", Code::InvalidArgument, Duration::from_secs(100));
        let text = metrics.encode().expect("encodes");
        assert!(text.contains("accord_rpc_calls_total{method=\"Classify\",code=\"OK\"} 2\n"), "{text}");
        assert!(text.contains("accord_rpc_calls_total{method=\"Classify\",code=\"INVALID_ARGUMENT\"} 1\n"), "{text}");
        assert!(text.contains("accord_rpc_duration_seconds_count{method=\"Classify\"} 3\n"), "{text}");
        assert!(text.contains("accord_rpc_duration_seconds_bucket{le=\"0.005\",method=\"Classify\"} 2\n"), "{text}");
        assert!(text.contains("accord_rpc_duration_seconds_bucket{le=\"+Inf\",method=\"Classify\"} 3\n"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn a_method_outside_the_served_ones_is_counted_all_the_same() {
        let metrics = metrics();
        metrics.call("Unlisted", Code::Ok, Duration::from_millis(3));
        metrics.call("Classify", Code::Unauthenticated, Duration::from_millis(3));
        let text = metrics.encode().expect("encodes");
        assert!(text.contains("accord_rpc_calls_total{method=\"Unlisted\",code=\"OK\"} 1\n"), "{text}");
        assert!(text.contains("accord_rpc_duration_seconds_count{method=\"Unlisted\"} 1\n"), "{text}");
        assert!(text.contains("accord_rpc_calls_total{method=\"Classify\",code=\"UNAUTHENTICATED\"} 1\n"), "{text}");
    }

    #[test]
    fn articles_are_counted_by_head_and_label() {
        let metrics = metrics();
        metrics.classified(&[response("world", "tension"), response("world", "cooperation")]);
        metrics.classified(&[response("sports", "tension")]);
        let text = metrics.encode().expect("encodes");
        for (head, label, count) in
            [("topic", "world", 2), ("topic", "sports", 1), ("stance", "tension", 2), ("stance", "cooperation", 1)]
        {
            let line = format!("accord_articles_classified_total{{head=\"{head}\",label=\"{label}\"}} {count}\n");
            assert!(text.contains(&line), "no {line} in\n{text}");
        }
    }

    #[test]
    fn only_the_served_version_is_reported_and_reloads_are_counted() {
        let metrics = metrics();
        metrics.model_served("v1");
        metrics.model_served("v2");
        metrics.reload_succeeded();
        metrics.reload_failed();
        metrics.reload_failed();
        let text = metrics.encode().expect("encodes");
        assert!(text.contains("accord_model_info{version=\"v2\"} 1\n"), "{text}");
        assert!(!text.contains("version=\"v1\""), "{text}");
        assert!(text.contains("accord_model_reloads_total 1\n"), "{text}");
        assert!(text.contains("accord_model_reload_failures_total 2\n"), "{text}");
    }
}
