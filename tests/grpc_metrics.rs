//! Prometheus metrics as a scraper sees them: the real binary, a real HTTP client, and the
//! counters compared before and after known calls; the gauges read at scrape time (load and
//! process) compared with what the test holds open and with /proc; and every metric served
//! compared with the tables that document them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::pb::admin_client::AdminClient;
use common::pb::{self, ReloadModelRequest};
use common::raw_grpc;
use common::{classify_request, Server, SPORTS_COOPERATION, WORLD_TENSION};
use tokio_stream::StreamExt;
use tonic::{Code, Request};

const TOKEN: &str = "metrics-test-token";

/// One scrape: each series (name and labels, as printed) and its value.
type Scrape = BTreeMap<String, f64>;

/// A blocking HTTP client that never goes through a proxy (the server is on loopback) and
/// returns 4xx answers as responses.
fn http() -> ureq::Agent {
    ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().new_agent()
}

/// `GET url`: the status, content type and body.
fn get(url: &str) -> (u16, String, String) {
    let mut response = http().get(url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = response.body_mut().read_to_string().expect("a text body");
    (response.status().as_u16(), content_type, body)
}

/// The address the server logged as `metrics listening on IP:PORT`.
fn metrics_addr(server: &Server) -> String {
    let log = server.log();
    let (_, rest) = log.split_once("metrics listening on ").unwrap_or_else(|| panic!("no metrics address:\n{log}"));
    rest.split_whitespace().next().expect("an address").to_owned()
}

/// The OpenMetrics text of one scrape.
fn scrape_text(addr: &str) -> String {
    let (status, content_type, body) = get(&format!("http://{addr}/metrics"));
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
    assert!(body.ends_with("# EOF\n"), "{body}");
    body
}

fn scrape(addr: &str) -> Scrape {
    scrape_text(addr)
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
            (series.to_owned(), value.parse().unwrap_or_else(|e| panic!("{line}: {e}")))
        })
        .collect()
}

/// How much `series` grew between two scrapes (absent counts as 0).
fn delta(before: &Scrape, after: &Scrape, series: &str) -> f64 {
    after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
}

fn calls(method: &str, code: &str) -> String {
    format!("accord_rpc_calls_total{{method=\"{method}\",code=\"{code}\"}}")
}

fn reload_request(version: &str, token: &str) -> Request<ReloadModelRequest> {
    let mut request = Request::new(ReloadModelRequest { version: version.into() });
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("ascii"));
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_move_by_the_calls_made() {
    let (dir, first, second) = common::reload_models_dir();
    let server = Server::start_with(dir.path(), &["--metrics-addr", "127.0.0.1:0"], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let addr = metrics_addr(&server);
    let before = scrape(&addr);
    assert_eq!(before.get(&format!("accord_model_info{{version=\"{first}\"}}")), Some(&1.0), "{before:?}");

    let mut client = server.client().await;
    let mut answered = Vec::new();
    answered.push(client.classify(classify_request("a", SPORTS_COOPERATION, 0)).await.expect("classify").into_inner());
    let batch = [WORLD_TENSION, SPORTS_COOPERATION, WORLD_TENSION].map(|text| classify_request("b", text, 0));
    let batch = pb::ClassifyBatchRequest { requests: batch.to_vec() };
    answered.extend(client.classify_batch(batch).await.expect("batch").into_inner().responses);
    let feed = tokio_stream::iter([classify_request("s1", WORLD_TENSION, 0), classify_request("s2", "Goal!", 0)]);
    let mut stream = client.classify_stream(feed).await.expect("stream").into_inner();
    while let Some(response) = stream.next().await {
        answered.push(response.expect("stream answer"));
    }
    let empty = client.classify(classify_request("bad", "  ", 0)).await.expect_err("empty text");
    assert_eq!(empty.code(), Code::InvalidArgument);
    client.tokenize(pb::TokenizeRequest { article: common::article("t", "", WORLD_TENSION) }).await.expect("tokenize");

    let mut admin = AdminClient::new(server.channel().await);
    admin.reload_model(reload_request("second", TOKEN)).await.expect("good model reloads");
    let corrupt = admin.reload_model(reload_request("corrupt", TOKEN)).await.expect_err("corrupt refused");
    assert_eq!(corrupt.code(), Code::FailedPrecondition);
    let stranger = admin.reload_model(reload_request("second", "wrong")).await.expect_err("wrong token");
    assert_eq!(stranger.code(), Code::Unauthenticated);

    // Calls are counted before their answer leaves, so the scrape sees all of them.
    let after = scrape(&addr);
    let expected_calls = [
        ("Classify", "OK", 1.0),
        ("Classify", "INVALID_ARGUMENT", 1.0),
        ("ClassifyBatch", "OK", 1.0),
        ("ClassifyStream", "OK", 1.0),
        ("Tokenize", "OK", 1.0),
        ("ReloadModel", "OK", 1.0),
        ("ReloadModel", "FAILED_PRECONDITION", 1.0),
        ("ReloadModel", "UNAUTHENTICATED", 1.0),
        ("Vectorize", "OK", 0.0),
    ];
    for (method, code, count) in expected_calls {
        assert_eq!(delta(&before, &after, &calls(method, code)), count, "{method} {code}: {after:#?}");
    }
    let timed = delta(&before, &after, "accord_rpc_duration_seconds_count{method=\"Classify\"}");
    assert_eq!(timed, 2.0, "both Classify calls are timed, the failed one too");
    let in_last_bucket = delta(&before, &after, "accord_rpc_duration_seconds_bucket{le=\"+Inf\",method=\"Classify\"}");
    assert_eq!(in_last_bucket, 2.0);

    assert_eq!(answered.len(), 6);
    let mut labels: BTreeMap<String, f64> = BTreeMap::new();
    for (head, prediction) in answered.iter().flat_map(|response| &response.predictions) {
        let series = format!("accord_articles_classified_total{{head=\"{head}\",label=\"{}\"}}", prediction.label);
        *labels.entry(series).or_default() += 1.0;
    }
    assert!(labels.keys().any(|series| series.contains("label=\"world\"")), "{labels:?}");
    assert!(labels.keys().any(|series| series.contains("label=\"sports\"")), "{labels:?}");
    for (series, count) in &labels {
        assert_eq!(delta(&before, &after, series), *count, "{series}: {after:#?}");
    }
    let all_articles: f64 =
        after.iter().filter(|(series, _)| series.starts_with("accord_articles_classified_total")).map(|(_, v)| v).sum();
    assert_eq!(all_articles, 12.0, "6 articles answered by 2 heads; the refused one is not counted");

    assert_eq!(after.get(&format!("accord_model_info{{version=\"{second}\"}}")), Some(&1.0), "{after:#?}");
    assert!(!after.contains_key(&format!("accord_model_info{{version=\"{first}\"}}")), "the old version is gone");
    assert_eq!(delta(&before, &after, "accord_model_reloads_total"), 1.0);
    assert_eq!(delta(&before, &after, "accord_model_reload_failures_total"), 1.0, "a wrong token reloads nothing");
}

#[test]
fn only_metrics_is_served_on_the_metrics_port() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let addr = metrics_addr(&server);
    let (status, _, body) = get(&format!("http://{addr}/"));
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("/metrics"), "the answer says where the metrics are: {body}");
    let post = http().post(&format!("http://{addr}/metrics")).send("").expect("POST answered");
    assert_eq!(post.status().as_u16(), 405);
    assert_eq!(listening_ports(server.pid()).len(), 2, "gRPC and metrics");
}

#[test]
fn without_metrics_addr_only_grpc_listens() {
    let server = Server::start(&[]);
    assert!(!server.log().contains("metrics listening"), "{}", server.log());
    let grpc_port: u16 = server.addr.rsplit_once(':').and_then(|(_, port)| port.parse().ok()).expect("a port");
    assert_eq!(listening_ports(server.pid()), [grpc_port]);
}

/// The TCP ports process `pid` listens on, from Linux's /proc: the inodes of its sockets
/// matched against the listening sockets of /proc/net/tcp and tcp6.
fn listening_ports(pid: u32) -> Vec<u16> {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).expect("the server's descriptors");
    let inodes: Vec<String> = fds
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            Some(target.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for fields in text.lines().skip(1).map(|line| line.split_whitespace().collect::<Vec<_>>()) {
            // sl, local_address (hex IP:hex port), rem_address, st (0A is LISTEN), ..., inode (10th)
            let (Some(local), Some(state), Some(inode)) = (fields.get(1), fields.get(3), fields.get(9)) else {
                continue;
            };
            if *state == "0A" && inodes.iter().any(|own| own == inode) {
                let port = local.rsplit_once(':').and_then(|(_, hex)| u16::from_str_radix(hex, 16).ok());
                ports.extend(port);
            }
        }
    }
    ports.sort_unstable();
    ports
}

/// Scrapes until `wanted` holds (at most 10 s), and returns that scrape.
fn scrape_until(addr: &str, what: &str, wanted: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let scraped = scrape(addr);
        if wanted(&scraped) {
            return scraped;
        }
        assert!(Instant::now() < deadline, "never {what}: {scraped:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A sample without labels, which must be there.
fn value(scraped: &Scrape, name: &str) -> f64 {
    *scraped.get(name).unwrap_or_else(|| panic!("no {name} in {scraped:#?}"))
}

const BATCH: &str = "/accord.v1.Classifier/ClassifyBatch";

/// A call that announced a `length`-byte message and sent only its first kilobyte: the
/// server admits it against the budget and waits for the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_progress_is_counted_in_flight_with_its_bytes_until_it_ends() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let addr = metrics_addr(&server);
    let idle = scrape(&addr);
    assert_eq!((value(&idle, "accord_inflight_calls"), value(&idle, "accord_inflight_bytes")), (0.0, 0.0));

    let length: u32 = 300_000;
    let (client, _connection) = raw_grpc::connect(&server.addr).await;
    let (_answer, mut stream) = raw_grpc::open(client, &server.addr, BATCH, &[]).await;
    let mut start = vec![0u8];
    start.extend_from_slice(&length.to_be_bytes());
    start.extend_from_slice(&[0x0a; 1024]);
    stream.send_data(start.into(), false).expect("sends the start of the message");
    // Charged for the frame header and the whole announced message, as soon as it arrives.
    let charge = f64::from(length) + 5.0;
    let held = scrape_until(&addr, "charged", |s| s.get("accord_inflight_bytes") == Some(&charge));
    assert_eq!(value(&held, "accord_inflight_calls"), 1.0, "{held:#?}");

    stream.send_reset(h2::Reason::CANCEL);
    let ended = scrape_until(&addr, "released", |s| s.get("accord_inflight_calls") == Some(&0.0));
    assert_eq!(value(&ended, "accord_inflight_bytes"), 0.0, "the budget is given back with the call");
}

/// 16 articles of 1 MB answered sentence by sentence: one chunk, one job, that keeps the
/// only worker busy for a few hundred milliseconds.
fn long_batch() -> pb::ClassifyBatchRequest {
    let text = "The striker scored a late goal for the home side in the cup final. ".repeat(15_000);
    let request = |i| pb::ClassifyRequest { sentences: true, ..classify_request(&format!("b{i}"), &text, 0) };
    pb::ClassifyBatchRequest { requests: (0..16).map(request).collect() }
}

/// While one long batch holds the only worker, three short calls wait in the queue. When the
/// batch's job starts depends on timing, so rounds of three short calls are sent until a
/// round is seen queued behind it (with a new batch, at most five times).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_waiting_for_the_busy_worker_are_the_queue_depth() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0", "--workers", "1", "--max-pending", "8"]);
    let addr = metrics_addr(&server);
    assert_eq!(value(&scrape(&addr), "accord_queue_depth"), 0.0);
    let client = server.client().await;
    let mut deepest = 0.0_f64;
    for _attempt in 0..5 {
        let mut batch_client = client.clone();
        let batch = tokio::spawn(async move { batch_client.classify_batch(long_batch()).await });
        while !batch.is_finished() && deepest < 3.0 {
            let short: Vec<_> = (0..3)
                .map(|i| {
                    let mut client = client.clone();
                    let request = classify_request(&i.to_string(), WORLD_TENSION, 0);
                    tokio::spawn(async move { client.classify(request).await })
                })
                .collect();
            while !short.iter().all(|call| call.is_finished()) {
                let addr = addr.clone();
                let depth = tokio::task::spawn_blocking(move || value(&scrape(&addr), "accord_queue_depth"));
                deepest = deepest.max(depth.await.expect("join"));
            }
            for call in short {
                call.await.expect("join").expect("a queued call is answered");
            }
        }
        batch.await.expect("join").expect("the batch is answered");
        if deepest == 3.0 {
            break;
        }
    }
    assert_eq!(deepest, 3.0, "three calls were never seen waiting behind the batch");
    assert_eq!(value(&scrape(&addr), "accord_queue_depth"), 0.0, "the queue drained");
}

/// The process metrics agree with what /proc says of the server and with its resource limit;
/// open descriptors follow the connections a client opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_metrics_describe_the_server_process() {
    let now = || SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64();
    let spawned = now();
    let server = Server::start_with_open_files(900, &["--metrics-addr", "127.0.0.1:0"]);
    let addr = metrics_addr(&server);
    // Some CPU work, for the CPU time to be more than its starting zero.
    server.client().await.classify_batch(long_batch()).await.expect("the batch is answered");
    let ticks_before = common::cpu_ticks(server.pid());
    let before = scrape(&addr);
    let ticks_after = common::cpu_ticks(server.pid());
    let rss = common::rss_kib(server.pid()) as f64 * 1024.0;

    assert_eq!(value(&before, "process_max_fds"), 900.0);
    // /proc gives the start in clock ticks after a boot time in whole seconds.
    let start = value(&before, "process_start_time_seconds");
    assert!(start > spawned - 2.0 && start < now() + 1.0, "started at {start}, spawned at {spawned}");
    let cpu = value(&before, "process_cpu_seconds_total");
    let ticks = ticks_before as f64 / 100.0..=ticks_after as f64 / 100.0;
    assert!(cpu > 0.0 && ticks.contains(&cpu), "{cpu} s of CPU, /proc says {ticks:?}");
    let resident = value(&before, "process_resident_memory_bytes");
    assert!(resident > rss / 2.0 && resident < rss * 2.0, "resident {resident} bytes, VmRSS {rss}");
    assert!(value(&before, "process_virtual_memory_bytes") > resident);

    let open = value(&before, "process_open_fds");
    let on_disk = std::fs::read_dir(format!("/proc/{}/fd", server.pid())).expect("fd").count() as f64;
    // Connections of earlier calls may still be closing between the scrape and the listing.
    assert!((open - on_disk).abs() <= 5.0, "{open} open, /proc lists {on_disk}");
    let mut connections = Vec::new();
    for _ in 0..20 {
        connections.push(raw_grpc::connect(&server.addr).await);
    }
    // 20 more, less a few for the batch's connection and the like, which may close meanwhile.
    scrape_until(&addr, "15 more descriptors", |s| s.get("process_open_fds") >= Some(&(open + 15.0)));
    drop(connections);
    scrape_until(&addr, "the descriptors closed", |s| s.get("process_open_fds") < Some(&(open + 15.0)));
}

#[test]
fn the_build_is_reported_with_its_version_and_revision() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    // What build.rs recorded for this build (the server binary's and this test's alike).
    let revision = env!("ACCORD_REVISION");
    let series = format!(
        "accord_build_info{{version=\"{}\",profile=\"{profile}\",revision=\"{revision}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    let scraped = scrape(&metrics_addr(&server));
    assert_eq!(scraped.get(&series), Some(&1.0), "no {series} in {scraped:#?}");
    let builds = scraped.keys().filter(|series| series.starts_with("accord_build_info")).count();
    assert_eq!(builds, 1);
    // Unless the builder gave ACCORD_REVISION: HEAD's commit in a git checkout, else unknown.
    match (env!("ACCORD_REVISION_SOURCE"), checkout_head()) {
        ("variable", _) => {}
        (source, Some(head)) => {
            assert_eq!(source, "git", "built in a git checkout, but the revision came from {source}");
            assert!(revision.len() >= 7 && head.starts_with(revision), "revision {revision}, HEAD {head}");
        }
        (_, None) => assert_eq!(revision, "unknown"),
    }
}

/// HEAD's full commit hash, when the repository root is the top of a git work tree.
fn checkout_head() -> Option<String> {
    let root = common::repo_root();
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel", "HEAD"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|output| output.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (top, head) = text.trim().split_once('\n')?;
    let same = std::fs::canonicalize(top).ok()? == std::fs::canonicalize(&root).ok()?;
    same.then(|| head.trim().to_owned())
}

/// The names a scrape shows, as the tables write them: a counter with its `_total`, an info
/// metric with its `_info`, the others (histograms too) by their family name.
fn metric_names(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|declared| declared.split_once(' '))
        .map(|(name, kind)| match kind {
            "counter" => format!("{name}_total"),
            "info" => format!("{name}_info"),
            _ => name.to_owned(),
        })
        .collect()
}

/// Every metric a table row names in a cell of its own (`` | `name` | ``), in `markdown`
/// under the heading `section` up to the next heading of its level.
fn documented_metrics(markdown: &str, section: &str) -> BTreeSet<String> {
    let level = section.chars().take_while(|&c| c == '#').count();
    let start = markdown.find(&format!("\n{section}\n")).unwrap_or_else(|| panic!("no {section}"));
    let body = &markdown[start + section.len() + 2..];
    let next = format!("\n{} ", "#".repeat(level));
    let body = &body[..body.find(&next).unwrap_or(body.len())];
    body.lines()
        .filter(|line| line.starts_with('|'))
        .flat_map(|row| row.split('|').map(str::trim))
        .filter_map(|cell| cell.strip_prefix('`')?.strip_suffix('`'))
        .filter(|name| name.starts_with("accord_") || name.starts_with("process_"))
        .map(str::to_owned)
        .collect()
}

/// Every metric a live server exports is a row of the metrics table in docs/operations.md and
/// of the README's, and neither table lists one it does not. The certificate-expiry gauge has
/// no series (and so no `# TYPE` line) without `--tls-cert`; tests/grpc_call_outcomes.rs
/// scrapes it with TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_served_is_in_the_operations_and_readme_tables() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    // Families get their first series from a call.
    server.client().await.classify(classify_request("a", WORLD_TENSION, 0)).await.expect("classify");
    let mut served = metric_names(&scrape_text(&metrics_addr(&server)));
    served.insert("accord_tls_certificate_expiry_days".to_owned());
    for (document, section) in [("docs/operations.md", "## Metrics"), ("README.md", "## Operations")] {
        let text = std::fs::read_to_string(common::repo_root().join(document)).expect("readable");
        let documented = documented_metrics(&text, section);
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let not_served: Vec<_> = documented.difference(&served).collect();
        assert!(undocumented.is_empty(), "{document} has no row for {undocumented:?}");
        assert!(not_served.is_empty(), "{document} lists {not_served:?}, which the server does not export");
    }
}
