//! `accord serve` settings: every flag also reads an `ACCORD_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

pub use derived::Limits;
use otlp::otlp_endpoint;
pub use otlp::{ClientIdentity, OtlpTarget};

/// Most evidence terms one call may ask for per head.
pub const MAX_EXPLAIN: u32 = 100;

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Serve the model over gRPC.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (`IP:PORT`); port 0 picks a free port. The bound address is
    /// logged as `listening on IP:PORT`.
    #[arg(long, env = "ACCORD_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: SocketAddr,

    /// The models directory: one folder per version, and a CURRENT pointer.
    #[arg(long, env = "ACCORD_MODELS_DIR", default_value = "models")]
    pub models_dir: PathBuf,

    /// The model version (a folder in the models directory) to serve [default: the one
    /// CURRENT names, else `default`].
    #[arg(long, env = "ACCORD_MODEL")]
    pub model: Option<String>,

    /// Longest accepted article title or text, in bytes.
    #[arg(long, env = "ACCORD_MAX_TEXT_BYTES", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_text_bytes: u32,

    /// Most articles in one ClassifyBatch call.
    #[arg(long, env = "ACCORD_MAX_BATCH", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_batch: u32,

    /// Largest accepted request message, in bytes; larger ones get RESOURCE_EXHAUSTED.
    #[arg(long, env = "ACCORD_MAX_MESSAGE_BYTES", default_value_t = 64 << 20,
          value_parser = clap::value_parser!(u32).range(1024..))]
    pub max_message_bytes: u32,

    /// Largest answer one call may return, in bytes (encoded, before compression); a call
    /// whose answer would be larger ends with RESOURCE_EXHAUSTED as soon as it is known,
    /// before the rest is computed. For ClassifyStream it bounds each answer message. The
    /// default, 4 MiB, is what gRPC clients accept by default (grpc-go, grpc-java, grpcio).
    #[arg(long, env = "ACCORD_MAX_ANSWER_BYTES", default_value_t = 4 << 20,
          value_parser = clap::value_parser!(u32).range(1024..))]
    pub max_answer_bytes: u32,

    /// Most bytes held by the calls in progress, all connections together: requests from
    /// their arrival until their answer is ready, answers until they are written to the
    /// client. A call whose request would take the total past it is refused with
    /// RESOURCE_EXHAUSTED while its bytes arrive, before they are decoded; so is one whose
    /// answer would. ClassifyStream calls count the request messages they have not yet
    /// classified.
    #[arg(long, env = "ACCORD_MAX_BYTES_IN_FLIGHT", default_value_t = 64 << 20,
          value_parser = clap::value_parser!(u32).range(1024..))]
    pub max_bytes_in_flight: u32,

    /// Most concurrent calls (HTTP/2 streams) one connection may open, advertised to the
    /// client as SETTINGS_MAX_CONCURRENT_STREAMS.
    #[arg(long, env = "ACCORD_MAX_CONCURRENT_STREAMS", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_streams: u32,

    /// Longest wait, in seconds, for a new connection's first bytes (the HTTP/2 preface or
    /// the TLS hello); a connection that sends fewer by then is closed.
    #[arg(long, env = "ACCORD_HANDSHAKE_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub handshake_timeout_secs: u64,

    /// Longest a call may take, in seconds, ClassifyStream included; a shorter
    /// `grpc-timeout` from the client wins.
    #[arg(long, env = "ACCORD_REQUEST_TIMEOUT_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Most classification jobs running at once [default: the number of CPU cores].
    #[arg(long, env = "ACCORD_WORKERS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub workers: Option<u32>,

    /// Most classification jobs waiting for a worker; a job beyond that is refused with
    /// RESOURCE_EXHAUSTED at once, so that overload sheds calls instead of queueing them
    /// without bound.
    #[arg(long, env = "ACCORD_MAX_PENDING", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pending: u32,

    /// Seconds between reporting NOT_SERVING and closing the listener on shutdown, so that
    /// load balancers stop sending new calls first.
    #[arg(long, env = "ACCORD_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,

    /// Longest wait, in seconds, for calls in flight once the listener is closed.
    #[arg(long, env = "ACCORD_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,

    /// Seconds between the HTTP/2 PINGs the server sends on each connection; a client that
    /// does not answer one within --keepalive-timeout-secs is disconnected, so that the
    /// connection of a client that vanished without closing it (and any call it left
    /// running) does not linger. 0 sends none.
    #[arg(long, env = "ACCORD_KEEPALIVE_SECS", default_value_t = 60)]
    pub keepalive_secs: u64,

    /// Longest wait, in seconds, for the answer to a keepalive PING.
    #[arg(long, env = "ACCORD_KEEPALIVE_TIMEOUT_SECS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub keepalive_timeout_secs: u64,

    /// Compress answers with gzip for the clients that accept it (grpc-accept-encoding).
    /// Off by default: Python's grpcio, among others, says it accepts gzip on every call, and
    /// compressing small answers costs more time than it saves. Requests compressed with
    /// gzip are accepted either way.
    #[arg(long, env = "ACCORD_GZIP_ANSWERS")]
    pub gzip_answers: bool,

    /// Close each connection after this many seconds (HTTP/2 GOAWAY: calls in flight
    /// finish, new calls go to a new connection), so that clients that balance per
    /// connection spread over replicas started since they connected. Off unless given.
    #[arg(long, env = "ACCORD_MAX_CONNECTION_AGE_SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connection_age_secs: Option<u64>,

    /// Longest wait, in seconds, for the calls in flight on a connection past its
    /// --max-connection-age-secs before it is closed anyway.
    #[arg(long, env = "ACCORD_MAX_CONNECTION_AGE_GRACE_SECS", default_value_t = 30)]
    pub max_connection_age_grace_secs: u64,

    /// Serve Prometheus metrics at `http://IP:PORT/metrics`; off unless given. Port 0 picks a
    /// free port; the bound address is logged as `metrics listening on IP:PORT`.
    #[arg(long, env = "ACCORD_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Serve the Classifier as HTTP/1.1 JSON on this address too (`IP:PORT`; port 0 picks
    /// one, logged as `http listening on IP:PORT`): `POST /v1/classify` and the rest, listed
    /// with their schemas at `/openapi.json`, with the same limits, deadlines, logs and
    /// metrics as gRPC. Off unless given; plaintext only.
    #[arg(long, env = "ACCORD_HTTP_ADDR")]
    pub http_addr: Option<SocketAddr>,

    /// Export one OpenTelemetry span per call over OTLP/gRPC to the collector at this URL,
    /// named after the method, with the request id and status; the caller's W3C
    /// `traceparent` is its parent. `http://HOST:PORT` speaks plaintext (a collector beside
    /// the server, e.g. on port 4317); `https://HOST:PORT` speaks TLS, trusting the system's
    /// root certificates or --otlp-ca-cert. Off unless given.
    #[arg(long, env = "ACCORD_OTLP_ENDPOINT", value_parser = otlp_endpoint)]
    pub otlp_endpoint: Option<String>,

    /// PEM certificate(s) of the CA that signed an `https://` --otlp-endpoint's
    /// certificate, trusted instead of the system's roots (a private CA).
    #[arg(long, env = "ACCORD_OTLP_CA_CERT", requires = "otlp_endpoint")]
    pub otlp_ca_cert: Option<PathBuf>,

    /// PEM certificate (chain) the server presents to an `https://` --otlp-endpoint that
    /// requires client certificates (mTLS); needs --otlp-client-key.
    #[arg(long, env = "ACCORD_OTLP_CLIENT_CERT", requires_all = ["otlp_endpoint", "otlp_client_key"])]
    pub otlp_client_cert: Option<PathBuf>,

    /// PEM private key of --otlp-client-cert.
    #[arg(long, env = "ACCORD_OTLP_CLIENT_KEY", requires_all = ["otlp_endpoint", "otlp_client_cert"])]
    pub otlp_client_key: Option<PathBuf>,

    /// Once listening, write the bound address (`IP:PORT` and a newline) to this file.
    #[arg(long, env = "ACCORD_READY_FILE")]
    pub ready_file: Option<PathBuf>,

    /// PEM certificate (chain) to serve TLS with; needs --tls-key. Without both, the server
    /// speaks plaintext HTTP/2.
    #[arg(long, env = "ACCORD_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(long, env = "ACCORD_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Log format; the level comes from RUST_LOG (default `info`).
    #[arg(long, env = "ACCORD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest model file body loaded, in bytes (at start and on reload); a model whose
    /// header promises more is refused before its body is read.
    #[arg(long, env = "ACCORD_MAX_MODEL_BYTES", default_value_t = accord::model::DEFAULT_MAX_MODEL_BYTES,
          value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_model_bytes: u64,

    /// Let a reload (Admin.ReloadModel, SIGHUP) serve a model whose heads, labels or
    /// per-sentence stance differ from the served model's; without it such a model is
    /// refused with FAILED_PRECONDITION naming the difference.
    #[arg(long, env = "ACCORD_ALLOW_HEAD_CHANGE")]
    pub allow_head_change: bool,

    /// File holding the bearer token the Admin service (model reload) requires (surrounding
    /// whitespace ignored); the token may instead come from the ACCORD_ADMIN_TOKEN
    /// environment variable. Without either, Admin is not served. The token is never taken
    /// on the command line, where `ps` shows it to every user, and never logged.
    #[arg(long, env = "ACCORD_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
}

mod derived;
mod otlp;
#[cfg(test)]
mod tests;
