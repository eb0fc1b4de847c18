//! gRPC load on loopback: a client drives the release `accord serve` with the shipped
//! model, and reports articles/s, calls/s, p50/p99 latency, failed calls by gRPC status and
//! the server's resident memory.
//!
//! Runs (`--runs batch|unary|both|large`; `both` is the first two), each after a warm-up and
//! for a fixed time:
//! - `ClassifyBatch`: batches of `--batch` articles of about `--article-bytes` bytes, with
//!   `--batch-calls` calls in flight;
//! - `Classify` (unary): `--streams` concurrent HTTP/2 streams on one connection, one
//!   article a call;
//! - `large`: unary `Classify` calls one at a time while a second client, on a thread and a
//!   connection of its own, sends batches of 60 MB of text that the server decodes and then
//!   refuses (their last article is empty): how long small calls wait while large
//!   messages are decoded. Its row's max is the figure to read.
//!
//! The client (`--client`) is `raw` (the default: requests encoded once and sent over h2,
//! as h2load sends a gRPC-framed body; see `grpc_load/raw_client.rs`) or `tonic` (a
//! `ClassifierClient` that builds and encodes every request, as an application would).
//!
//! The client runs on `--client-threads` runtime threads (default 1, as h2load runs by
//! default): on two shared cores a second client thread cost the server more in thread
//! wake-ups than it gave the client.
//!
//! A call fails if it returns a non-OK gRPC status (counted by code) or a batch answers with
//! fewer responses than it had requests. The server is started from this build
//! (`--models-dir models --model default`, `RUST_LOG=warn`: no line per call) unless
//! `--connect http://ADDR` names a running one; load generator and server share the machine.
//!
//! The server's CPU time (user and system, all threads, from `/proc/PID/stat`) over each
//! measured run is reported per call and per article below the table, for the server the
//! bench starts, or for a `--connect`ed one whose process id `--server-pid` gives. The
//! started server is this build's, or with `--server-checkout DIR` the release build of
//! another checkout (`DIR/target/release/accord`, with `DIR/models`): two builds measured
//! in one sitting by the same client. `--actors off` serves this build's shipped model
//! with its gazetteer removed (written to a temporary models directory): the same heads
//! without actor matching or the relation rule.
//!
//! `cargo bench --bench grpc_load -- --secs 10`
//! `cargo bench --bench grpc_load -- --runs unary --article-bytes 64 --server-log info --server-checkout ../base`
//!
//! Runs only under `cargo bench` (`harness = false`, and benches are not built by
//! `cargo test`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use prost::Message;
use tonic::transport::Channel;

mod common;
#[path = "grpc_load/raw_client.rs"]
mod raw_client;
/// gRPC framing, shared with the tests' raw HTTP/2 calls.
#[allow(dead_code)]
#[path = "../tests/common/raw_grpc.rs"]
mod raw_grpc;

use accord::grpc::v1 as pb;

use pb::classifier_client::ClassifierClient;
use raw_client::RawClient;

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
    /// A checkout whose release build and models are served instead of this build's.
    server_checkout: Option<PathBuf>,
    /// The process id of a `--connect`ed server, whose CPU time is then reported.
    server_pid: Option<u32>,
    server_log: String,
    /// `on`, or `off` to serve this build's shipped model with its gazetteer removed (no
    /// actor matching, no relation rule): what the server costs apart from the actors.
    actors: String,
    /// Which runs to make: `batch`, `unary`, or `both`.
    runs: String,
    /// `raw` or `tonic`.
    client: String,
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
            client_threads: 1,
            connect: None,
            server_checkout: None,
            server_pid: None,
            server_log: "warn".into(),
            actors: "on".into(),
            runs: "both".into(),
            client: "raw".into(),
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
                "--server-checkout" => settings.server_checkout = Some(PathBuf::from(value)),
                "--server-pid" => settings.server_pid = Some(number()? as u32),
                "--server-log" => settings.server_log = value,
                "--actors" if ["on", "off"].contains(&value.as_str()) => settings.actors = value,
                "--actors" => return Err(format!("--actors is on or off, not `{value}`")),
                "--runs" if ["batch", "unary", "both", "large"].contains(&value.as_str()) => settings.runs = value,
                "--runs" => return Err(format!("--runs is batch, unary, both or large, not `{value}`")),
                "--client" if ["raw", "tonic"].contains(&value.as_str()) => settings.client = value,
                "--client" => return Err(format!("--client is raw or tonic, not `{value}`")),
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        if settings.actors == "off" && (settings.server_checkout.is_some() || settings.connect.is_some()) {
            return Err("--actors off serves this build's model: not with --server-checkout or --connect".into());
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

    /// The server's CPU time over the run, per call and per article.
    fn server_cpu(&self, call: &str, concurrency: &str, cpu_seconds: f64) -> String {
        let per = |n: u64| if n == 0 { f64::NAN } else { cpu_seconds * 1e6 / n as f64 };
        format!(
            "server CPU, {call} ({concurrency}): {:.1} µs a call, {:.2} µs an article ({cpu_seconds:.2} s over {} calls)",
            per(self.calls),
            per(self.articles),
            self.calls
        )
    }

    fn row(mut self, call: &str, concurrency: &str, elapsed: Duration) -> String {
        self.latencies.sort_unstable();
        let secs = elapsed.as_secs_f64();
        let failed: u64 = self.failures.values().sum();
        let by_code = self.failures.iter().map(|(code, n)| format!(" {code}: {n}")).collect::<String>();
        format!(
            "| {call} | {concurrency} | {:.0} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {failed}{} |",
            self.articles as f64 / secs,
            self.calls as f64 / secs,
            Self::percentile(&self.latencies, 0.50),
            Self::percentile(&self.latencies, 0.99),
            Self::percentile(&self.latencies, 1.0),
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

/// The calls' content: the articles, and each call's request encoded once for the raw client.
struct Workload {
    articles: Vec<String>,
    batch: usize,
    /// Batch `k` holds articles `k * batch ..` (wrapping); call `n` sends batch `n % len`.
    batch_frames: Vec<Bytes>,
    /// Call `n` sends article `n % len`.
    unary_frames: Vec<Bytes>,
}

impl Workload {
    fn new(articles: Vec<String>, batch: usize) -> Self {
        let mut workload = Self { articles, batch, batch_frames: Vec::new(), unary_frames: Vec::new() };
        let distinct_batches = workload.articles.len().div_ceil(batch);
        workload.batch_frames = (0..distinct_batches)
            .map(|k| {
                raw_grpc::frame(&pb::ClassifyBatchRequest { requests: workload.batch_requests(k) }.encode_to_vec())
            })
            .collect();
        workload.unary_frames =
            (0..workload.articles.len()).map(|i| raw_grpc::frame(&workload.unary_request(i).encode_to_vec())).collect();
        workload
    }

    fn batch_requests(&self, n: usize) -> Vec<pb::ClassifyRequest> {
        let first = (n % self.batch_frames.len().max(1)) * self.batch;
        (first..first + self.batch).map(|i| self.unary_request(i)).collect()
    }

    fn unary_request(&self, n: usize) -> pb::ClassifyRequest {
        let i = n % self.articles.len();
        let article = pb::Article { id: i.to_string(), title: String::new(), text: self.articles[i].clone() };
        pb::ClassifyRequest { article: Some(article), explain: 0, sentences: false, relations: false }
    }
}

/// The client making the calls: clones share one HTTP/2 connection.
#[derive(Clone)]
enum Caller {
    Tonic(ClassifierClient<Channel>),
    Raw(RawClient),
}

impl Caller {
    async fn connect(addr: &str, kind: &str) -> Result<Self, String> {
        if kind == "raw" {
            return RawClient::connect(addr).await.map(Self::Raw);
        }
        let channel = Channel::from_shared(addr.to_owned())
            .map_err(|e| format!("{addr}: {e}"))?
            .tcp_nodelay(true)
            .connect()
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        Ok(Self::Tonic(ClassifierClient::new(channel).max_decoding_message_size(256 << 20)))
    }

    /// Call `n` of a ClassifyBatch run: the number of articles answered.
    async fn batch(self, workload: &Workload, n: usize) -> Result<u64, String> {
        let answered = match self {
            Self::Tonic(mut client) => {
                let request = pb::ClassifyBatchRequest { requests: workload.batch_requests(n) };
                let response = client.classify_batch(request).await.map_err(|status| format!("{:?}", status.code()))?;
                response.into_inner().responses.len()
            }
            Self::Raw(client) => {
                let framed = workload.batch_frames[n % workload.batch_frames.len()].clone();
                let message = client.call("/accord.v1.Classifier/ClassifyBatch", framed).await?;
                pb::ClassifyBatchResponse::decode(message)
                    .map_err(|e| format!("undecodable answer: {e}"))?
                    .responses
                    .len()
            }
        };
        if answered == workload.batch {
            Ok(answered as u64)
        } else {
            Err("short batch".into())
        }
    }

    /// Call `n` of a unary Classify run.
    async fn unary(self, workload: &Workload, n: usize) -> Result<u64, String> {
        let response = match self {
            Self::Tonic(mut client) => {
                let response = client.classify(workload.unary_request(n)).await;
                response.map_err(|status| format!("{:?}", status.code()))?.into_inner()
            }
            Self::Raw(client) => {
                let framed = workload.unary_frames[n % workload.unary_frames.len()].clone();
                let message = client.call("/accord.v1.Classifier/Classify", framed).await?;
                pb::ClassifyResponse::decode(message).map_err(|e| format!("undecodable answer: {e}"))?
            }
        };
        if response.predictions.is_empty() {
            return Err("no predictions".into());
        }
        Ok(1)
    }
}

/// One ClassifyBatch run: `settings.batch_calls` calls in flight.
async fn batch_run(caller: &Caller, workload: &Arc<Workload>, s: &Settings, secs: u64) -> Outcome {
    let (caller, workload) = (caller.clone(), Arc::clone(workload));
    let until = Instant::now() + Duration::from_secs(secs);
    drive(s.batch_calls, until, move |n| {
        let (caller, workload) = (caller.clone(), Arc::clone(&workload));
        async move { caller.batch(&workload, n).await }
    })
    .await
}

/// One unary Classify run: `settings.streams` calls in flight.
async fn unary_run(caller: &Caller, workload: &Arc<Workload>, s: &Settings, secs: u64) -> Outcome {
    let (caller, workload) = (caller.clone(), Arc::clone(workload));
    let until = Instant::now() + Duration::from_secs(secs);
    drive(s.streams, until, move |n| {
        let (caller, workload) = (caller.clone(), Arc::clone(&workload));
        async move { caller.unary(&workload, n).await }
    })
    .await
}

/// The `large` run: unary calls one at a time while [`send_large_batches`] runs beside them.
async fn large_run(caller: &Caller, workload: &Arc<Workload>, addr: &str, s: &Settings, secs: u64) -> (Outcome, u64) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let (addr, stop) = (addr.to_owned(), Arc::clone(&stop));
        std::thread::spawn(move || send_large_batches(&addr, &stop))
    };
    let one_stream = Settings { streams: 1, ..s.clone() };
    let outcome = unary_run(caller, workload, &one_stream, secs).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    (outcome, sender.join().unwrap_or(0))
}

/// Sends a refused 60 MB ClassifyBatch again and again until `stop`, on a runtime and a
/// connection of its own; returns how many the server refused as asked.
fn send_large_batches(addr: &str, stop: &std::sync::atomic::AtomicBool) -> u64 {
    let texts = common::texts();
    let mut requests: Vec<pb::ClassifyRequest> = common::articles(&texts, 60 * 1024, 60 << 20)
        .into_iter()
        .map(|text| pb::ClassifyRequest {
            article: Some(pb::Article { text, ..Default::default() }),
            ..Default::default()
        })
        .collect();
    requests.push(pb::ClassifyRequest { article: Some(pb::Article::default()), ..Default::default() });
    let framed = raw_grpc::frame(&pb::ClassifyBatchRequest { requests }.encode_to_vec());
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return 0 };
    runtime.block_on(async {
        let Ok(client) = RawClient::connect(addr).await else { return 0 };
        let mut refused = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let answer = client.call("/accord.v1.Classifier/ClassifyBatch", framed.clone()).await;
            refused += u64::from(answer.is_err_and(|e| e.contains("InvalidArgument")));
        }
        refused
    })
}

/// A server started by this bench, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts this build's server, or `checkout`'s release build with its models; with
    /// `actors` false, this build's shipped model without its gazetteer.
    fn start(log_level: &str, checkout: Option<&Path>, actors: bool) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let ready = dir.path().join("ready");
        let (binary, models) = match checkout {
            Some(checkout) => (checkout.join("target/release/accord"), checkout.join("models")),
            None if actors => (PathBuf::from(env!("CARGO_BIN_EXE_accord")), common::root().join("models")),
            None => (PathBuf::from(env!("CARGO_BIN_EXE_accord")), without_actors(dir.path())?),
        };
        let mut child = Command::new(&binary)
            .args(["serve", "--addr", "127.0.0.1:0", "--model", "default", "--models-dir"])
            .arg(models)
            .arg("--ready-file")
            .arg(&ready)
            .env("RUST_LOG", log_level)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
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

/// Writes this build's shipped model without its gazetteer as `default` in a models
/// directory under `dir`, and returns that directory.
fn without_actors(dir: &Path) -> Result<PathBuf, String> {
    let model = accord::Model::load(&common::root().join("models/default/model.bin"))
        .map_err(|e| format!("the shipped model: {e}"))?;
    let models = dir.join("models");
    let file = models.join("default/model.bin");
    std::fs::create_dir_all(models.join("default")).map_err(|e| format!("{}: {e}", models.display()))?;
    model.with_actors(None).save(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(models)
}

/// CPU time a process has used, in seconds: user and system time of all its threads, from
/// `/proc/PID/stat` (fields 14 and 15, in clock ticks).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after it follow its `)`.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let used = ticks(14)? + ticks(15)?;
    (per_second > 0).then(|| used as f64 / per_second as f64)
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
    let workload = Arc::new(Workload::new(common::articles(&texts, settings.article_bytes, 4 << 20), settings.batch));
    let server = match &settings.connect {
        Some(_) => None,
        None => {
            Some(Server::start(&settings.server_log, settings.server_checkout.as_deref(), settings.actors == "on")?)
        }
    };
    let server_pid = server.as_ref().map(|server| server.child.id()).or(settings.server_pid);
    let cpu = move || server_pid.and_then(cpu_seconds);
    let addr = settings.connect.clone().or_else(|| server.as_ref().map(|s| s.addr.clone())).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(settings.client_threads)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let s = settings.clone();
    let rows = runtime.block_on(async move {
        let caller = Caller::connect(&addr, &s.client).await?;
        let (mut rows, mut cpu_lines) = (Vec::new(), Vec::new());
        let mut report =
            |outcome: Outcome, call: &str, concurrency: &str, started: Instant, cpu_before: Option<f64>| {
                if let (Some(before), Some(after)) = (cpu_before, cpu()) {
                    cpu_lines.push(outcome.server_cpu(call, concurrency, after - before));
                }
                rows.push(outcome.row(call, concurrency, started.elapsed()));
            };
        if s.runs == "batch" || s.runs == "both" {
            batch_run(&caller, &workload, &s, s.warmup_secs).await;
            let (started, cpu_before) = (Instant::now(), cpu());
            let outcome = batch_run(&caller, &workload, &s, s.secs).await;
            let concurrency = format!("{} calls × {} articles", s.batch_calls, s.batch);
            report(outcome, "ClassifyBatch", &concurrency, started, cpu_before);
        }
        if s.runs == "unary" || s.runs == "both" {
            unary_run(&caller, &workload, &s, s.warmup_secs).await;
            let (started, cpu_before) = (Instant::now(), cpu());
            let outcome = unary_run(&caller, &workload, &s, s.secs).await;
            report(outcome, "Classify (unary)", &format!("{} streams", s.streams), started, cpu_before);
        }
        if s.runs == "large" {
            large_run(&caller, &workload, &addr, &s, s.warmup_secs).await;
            let (started, cpu_before) = (Instant::now(), cpu());
            let (outcome, refused) = large_run(&caller, &workload, &addr, &s, s.secs).await;
            let beside = format!("1 stream, beside {refused} refused 60 MB batches");
            report(outcome, "Classify (unary)", &beside, started, cpu_before);
        }
        Ok::<_, String>((rows, cpu_lines))
    })?;
    let (rows, cpu_lines) = rows;
    println!(
        "accord gRPC load: articles of about {} bytes, {} s a run after {} s of warm-up, {} client, {} client threads",
        settings.article_bytes, settings.secs, settings.warmup_secs, settings.client, settings.client_threads
    );
    println!("| call | in flight | articles/s | calls/s | p50 | p99 | max | failed (by gRPC status) |");
    println!("|---|---|---|---|---|---|---|---|");
    rows.iter().for_each(|row| println!("{row}"));
    cpu_lines.iter().for_each(|line| println!("{line}"));
    if let Some(server) = &server {
        println!("server (log level {}): {}", settings.server_log, server.memory());
    }
    Ok(())
}
