//! gRPC load on loopback: a tonic client drives the release `accord serve` with the shipped
//! model, and reports articles/s, calls/s, p50/p99 latency, failed calls by gRPC status and
//! the server's resident memory.
//!
//! Two runs, each after a warm-up and for a fixed time:
//! - `ClassifyBatch`: batches of `--batch` articles of about `--article-bytes` bytes, with
//!   `--batch-calls` calls in flight;
//! - `Classify` (unary): `--streams` concurrent HTTP/2 streams on one connection, one
//!   article a call.
//!
//! A call fails if it returns a non-OK gRPC status (counted by code) or a batch answers with
//! fewer responses than it had requests. The server is started from this build
//! (`--models-dir models --model default`, `RUST_LOG=warn`: no line per call) unless
//! `--connect http://ADDR` names a running one; load generator and server share the machine.
//!
//! `cargo bench --bench grpc_load -- --secs 10`
//!
//! Runs only under `cargo bench` (`harness = false`, and benches are not built by
//! `cargo test`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tonic::transport::Channel;

mod common;

mod pb {
    tonic::include_proto!("accord.v1");
}

use pb::classifier_client::ClassifierClient;

/// The load to apply; every field has a `--flag value` of the same name (dashes).
#[derive(Debug, Clone)]
struct Settings {
    secs: u64,
    warmup_secs: u64,
    article_bytes: usize,
    batch: usize,
    batch_calls: usize,
    streams: usize,
    client_threads: usize,
    connect: Option<String>,
    server_log: String,
}

impl Settings {
    fn from_args() -> Result<Self, String> {
        let mut settings = Self {
            secs: 10,
            warmup_secs: 2,
            article_bytes: 4096,
            batch: 128,
            batch_calls: 4,
            streams: 16,
            client_threads: 2,
            connect: None,
            server_log: "warn".into(),
        };
        let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.parse::<usize>().map_err(|_| format!("{flag}: `{value}` is not a number"));
            match flag.as_str() {
                "--secs" => settings.secs = number()? as u64,
                "--warmup-secs" => settings.warmup_secs = number()? as u64,
                "--article-bytes" => settings.article_bytes = number()?.max(1),
                "--batch" => settings.batch = number()?.max(1),
                "--batch-calls" => settings.batch_calls = number()?.max(1),
                "--streams" => settings.streams = number()?.max(1),
                "--client-threads" => settings.client_threads = number()?.max(1),
                "--connect" => settings.connect = Some(value),
                "--server-log" => settings.server_log = value,
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        Ok(settings)
    }
}

/// What one run measured.
#[derive(Default)]
struct Outcome {
    calls: u64,
    articles: u64,
    /// Latency of each successful call, microseconds.
    latencies: Vec<u32>,
    /// Failed calls by gRPC status code name.
    failures: BTreeMap<String, u64>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.calls += other.calls;
        self.articles += other.articles;
        self.latencies.extend(other.latencies);
        for (code, count) in other.failures {
            *self.failures.entry(code).or_default() += count;
        }
    }

    fn percentile(sorted: &[u32], p: f64) -> f64 {
        let Some(last) = sorted.len().checked_sub(1) else { return f64::NAN };
        f64::from(sorted[((last as f64) * p).round() as usize]) / 1000.0
    }

    fn row(mut self, call: &str, concurrency: &str, elapsed: Duration) -> String {
        self.latencies.sort_unstable();
        let secs = elapsed.as_secs_f64();
        let failed: u64 = self.failures.values().sum();
        let by_code = self.failures.iter().map(|(code, n)| format!(" {code}: {n}")).collect::<String>();
        format!(
            "| {call} | {concurrency} | {:.0} | {:.0} | {:.2} ms | {:.2} ms | {failed}{} |",
            self.articles as f64 / secs,
            self.calls as f64 / secs,
            Self::percentile(&self.latencies, 0.50),
            Self::percentile(&self.latencies, 0.99),
            if by_code.is_empty() { String::new() } else { format!(" ({})", by_code.trim()) },
        )
    }
}

/// Runs `tasks` copies of `call` until `until`, each call timed; `call` returns the number
/// of articles answered or the failure's name.
async fn drive<F, Fut>(tasks: usize, until: Instant, call: F) -> Outcome
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<u64, String>> + Send,
{
    let call = Arc::new(call);
    let mut handles = Vec::new();
    for task in 0..tasks {
        let call = Arc::clone(&call);
        handles.push(tokio::spawn(async move {
            let mut outcome = Outcome::default();
            let mut n = task;
            while Instant::now() < until {
                let started = Instant::now();
                let result = call(n).await;
                let micros = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                outcome.calls += 1;
                match result {
                    Ok(articles) => {
                        outcome.articles += articles;
                        outcome.latencies.push(micros);
                    }
                    Err(failure) => *outcome.failures.entry(failure).or_default() += 1,
                }
                n += tasks;
            }
            outcome
        }));
    }
    let mut total = Outcome::default();
    for handle in handles {
        match handle.await {
            Ok(outcome) => total.merge(outcome),
            Err(error) => *total.failures.entry(format!("client task: {error}")).or_default() += 1,
        }
    }
    total
}

fn request(id: usize, text: &str) -> pb::ClassifyRequest {
    let article = pb::Article { id: id.to_string(), title: String::new(), text: text.to_owned() };
    pb::ClassifyRequest { article: Some(article), explain: 0, sentences: false }
}

/// One ClassifyBatch run: `settings.batch_calls` calls in flight.
async fn batch_run(
    client: &ClassifierClient<Channel>,
    articles: &Arc<Vec<String>>,
    s: &Settings,
    secs: u64,
) -> Outcome {
    let (client, articles, batch) = (client.clone(), Arc::clone(articles), s.batch);
    let until = Instant::now() + Duration::from_secs(secs);
    drive(s.batch_calls, until, move |n| {
        let mut client = client.clone();
        let requests = (0..batch).map(|i| (n * batch + i) % articles.len()).map(|i| request(i, &articles[i])).collect();
        async move {
            match client.classify_batch(pb::ClassifyBatchRequest { requests }).await {
                Ok(response) if response.get_ref().responses.len() == batch => Ok(batch as u64),
                Ok(_) => Err("short batch".into()),
                Err(status) => Err(format!("{:?}", status.code())),
            }
        }
    })
    .await
}

/// One unary Classify run: `settings.streams` calls in flight.
async fn unary_run(
    client: &ClassifierClient<Channel>,
    articles: &Arc<Vec<String>>,
    s: &Settings,
    secs: u64,
) -> Outcome {
    let (client, articles) = (client.clone(), Arc::clone(articles));
    let until = Instant::now() + Duration::from_secs(secs);
    drive(s.streams, until, move |n| {
        let mut client = client.clone();
        let request = request(n, &articles[n % articles.len()]);
        async move {
            match client.classify(request).await {
                Ok(_) => Ok(1),
                Err(status) => Err(format!("{:?}", status.code())),
            }
        }
    })
    .await
}

/// A server started by this bench, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(log_level: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let ready = dir.path().join("ready");
        let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["serve", "--addr", "127.0.0.1:0", "--model", "default", "--models-dir"])
            .arg(common::root().join("models"))
            .arg("--ready-file")
            .arg(&ready)
            .env("RUST_LOG", log_level)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start accord serve: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(text) = std::fs::read_to_string(&ready) {
                return Ok(Self { child, addr: format!("http://{}", text.trim()), _dir: dir });
            }
            if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
                let _ = child.kill();
                return Err("accord serve did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `VmRSS` and `VmHWM` (peak) from `/proc/<pid>/status`.
    fn memory(&self) -> String {
        let status = std::fs::read_to_string(Path::new("/proc").join(self.child.id().to_string()).join("status"));
        let status = status.unwrap_or_default();
        let field = |name: &str| {
            status.lines().find_map(|l| l.strip_prefix(name)).map_or("?".to_owned(), |v| v.trim().to_owned())
        };
        format!("resident {} (peak {})", field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn main() -> Result<(), String> {
    let settings = Settings::from_args()?;
    let texts = common::texts();
    let articles = Arc::new(common::articles(&texts, settings.article_bytes, 4 << 20));
    let server = match &settings.connect {
        Some(_) => None,
        None => Some(Server::start(&settings.server_log)?),
    };
    let addr = settings.connect.clone().or_else(|| server.as_ref().map(|s| s.addr.clone())).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(settings.client_threads)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let s = settings.clone();
    let rows = runtime.block_on(async move {
        let channel = Channel::from_shared(addr.clone())
            .map_err(|e| format!("{addr}: {e}"))?
            .tcp_nodelay(true)
            .connect()
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        let client = ClassifierClient::new(channel).max_decoding_message_size(256 << 20);
        let mut rows = Vec::new();
        batch_run(&client, &articles, &s, s.warmup_secs).await;
        let started = Instant::now();
        let outcome = batch_run(&client, &articles, &s, s.secs).await;
        let concurrency = format!("{} calls × {} articles", s.batch_calls, s.batch);
        rows.push(outcome.row("ClassifyBatch", &concurrency, started.elapsed()));
        unary_run(&client, &articles, &s, s.warmup_secs).await;
        let started = Instant::now();
        let outcome = unary_run(&client, &articles, &s, s.secs).await;
        rows.push(outcome.row("Classify (unary)", &format!("{} streams", s.streams), started.elapsed()));
        Ok::<_, String>(rows)
    })?;
    println!(
        "accord gRPC load: articles of about {} bytes, {} s a run after {} s of warm-up, {} client threads",
        settings.article_bytes, settings.secs, settings.warmup_secs, settings.client_threads
    );
    println!("| call | in flight | articles/s | calls/s | p50 | p99 | failed (by gRPC status) |");
    println!("|---|---|---|---|---|---|---|");
    rows.iter().for_each(|row| println!("{row}"));
    if let Some(server) = &server {
        println!("server (log level {}): {}", settings.server_log, server.memory());
    }
    Ok(())
}
