//! HTTP/JSON load on loopback, beside `grpc_load`: `--connections` client threads, each on
//! one keep-alive HTTP/1.1 connection, call `POST /v1/classify` (one article a call) or,
//! with `--batch N`, `POST /v1/classify:batch` (N articles a call) on the release
//! `accord serve` with the shipped model, for `--secs` after a one-second warm-up; reports
//! articles/s, calls/s, p50/p99/max latency and failed calls by HTTP status.
//!
//! The server is started from this build (`--http-addr` on a free port, `RUST_LOG=warn`)
//! unless `--connect http://IP:PORT` names a running one's HTTP address.
//!
//! `cargo bench --bench http_load -- --secs 10` (unary), `-- --secs 10 --batch 64`.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

struct Options {
    secs: u64,
    connections: usize,
    batch: usize,
    article_bytes: usize,
    connect: Option<String>,
}

fn options() -> Options {
    let mut options = Options { secs: 10, connections: 8, batch: 0, article_bytes: 2000, connect: None };
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    for pair in args.chunks(2) {
        let value = || pair.get(1).cloned().unwrap_or_else(|| panic!("{} needs a value", pair[0]));
        let number = || value().parse::<usize>().unwrap_or_else(|e| panic!("{}: {e}", pair[0]));
        match pair[0].as_str() {
            "--secs" => options.secs = number() as u64,
            "--connections" => options.connections = number(),
            "--batch" => options.batch = number(),
            "--article-bytes" => options.article_bytes = number(),
            "--connect" => options.connect = Some(value()),
            other => panic!("unknown option {other}"),
        }
    }
    options
}

/// The request bodies the clients take in turn.
fn bodies(options: &Options) -> Vec<String> {
    let articles = common::articles(&common::texts(), options.article_bytes, 4 << 20);
    let request = |i: usize, text: &String| serde_json::json!({ "article": { "id": i.to_string(), "text": text } });
    if options.batch == 0 {
        return articles.iter().enumerate().map(|(i, text)| request(i, text).to_string()).collect();
    }
    let batches = articles.chunks(options.batch).filter(|chunk| chunk.len() == options.batch);
    batches
        .map(|chunk| {
            let requests: Vec<_> = chunk.iter().enumerate().map(|(i, text)| request(i, text)).collect();
            serde_json::json!({ "requests": requests }).to_string()
        })
        .collect()
}

/// One client thread's calls: latencies of the answered ones, failures by status.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failed: BTreeMap<String, u64>,
}

fn drive(url: &str, bodies: &[String], offset: usize, warm_until: Instant, until: Instant) -> Tally {
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().new_agent();
    let mut tally = Tally::default();
    for body in bodies.iter().cycle().skip(offset) {
        let started = Instant::now();
        if started >= until {
            break;
        }
        let answer = agent.post(url).content_type("application/json").send(body.as_str());
        let outcome = match answer {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let read = response.body_mut().with_config().limit(256 << 20).read_to_vec();
                match (status, read) {
                    (200, Ok(_)) => None,
                    (status, _) => Some(status.to_string()),
                }
            }
            Err(error) => Some(error.to_string()),
        };
        if started < warm_until {
            continue;
        }
        match outcome {
            None => tally.latencies.push(started.elapsed()),
            Some(failure) => *tally.failed.entry(failure).or_default() += 1,
        }
    }
    tally
}

/// A server started by this bench, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server() -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "--addr", "127.0.0.1:0", "--model", "default", "--http-addr", &addr, "--models-dir"])
        .arg(common::root().join("models"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("accord serve starts");
    let server = Server(child);
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().new_agent();
    let deadline = Instant::now() + Duration::from_secs(30);
    while agent.get(format!("{base}/readyz")).call().is_err() {
        assert!(Instant::now() < deadline, "accord serve did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, base)
}

fn main() {
    let options = options();
    let (_server, base) = match &options.connect {
        Some(base) => (None, base.trim_end_matches('/').to_owned()),
        None => {
            let (server, base) = start_server();
            (Some(server), base)
        }
    };
    let path = if options.batch == 0 { "/v1/classify" } else { "/v1/classify:batch" };
    let url = format!("{base}{path}");
    let bodies = Arc::new(bodies(&options));
    let warm_until = Instant::now() + Duration::from_secs(1);
    let until = warm_until + Duration::from_secs(options.secs);
    let threads: Vec<_> = (0..options.connections)
        .map(|i| {
            let (url, bodies) = (url.clone(), Arc::clone(&bodies));
            std::thread::spawn(move || drive(&url, &bodies, i * 7, warm_until, until))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failed = BTreeMap::new();
    for thread in threads {
        let tally = thread.join().expect("a client thread");
        latencies.extend(tally.latencies);
        for (status, count) in tally.failed {
            *failed.entry(status).or_insert(0) += count;
        }
    }
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
    let calls = latencies.len() as f64 / options.secs as f64;
    let per_call = options.batch.max(1) as f64;
    println!(
        "{path} x{} connections, {}-byte articles{}: {:.0} articles/s, {:.0} calls/s, p50 {:?}, p99 {:?}, max {:?}, failed {:?}",
        options.connections,
        options.article_bytes,
        if options.batch == 0 { String::new() } else { format!(", {} a call", options.batch) },
        calls * per_call,
        calls,
        at(0.5).copied().unwrap_or_default(),
        at(0.99).copied().unwrap_or_default(),
        latencies.last().copied().unwrap_or_default(),
        failed
    );
}
