//! Prometheus metrics as a scraper sees them: the real binary, a real HTTP client, and the
//! counters compared before and after known calls.

mod common;

use std::collections::BTreeMap;

use common::pb::admin_client::AdminClient;
use common::pb::{self, ReloadModelRequest};
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

fn scrape(addr: &str) -> Scrape {
    let (status, content_type, body) = get(&format!("http://{addr}/metrics"));
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
    assert!(body.ends_with("# EOF\n"), "{body}");
    body.lines()
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
