//! Counts and logs that tell the truth: every `accord.v1` call is counted and logged once,
//! with the status its client was sent: DEADLINE_EXCEEDED for a deadline (passed in the
//! handler or before it), CANCELLED for an answer the client reset or a connection that
//! dropped (at INFO, not ERROR), INTERNAL for a unary call with two messages. And a TLS
//! certificate's expiry: a warning at start when it has passed, and a metric of the days left.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::raw_grpc::{self, frame, gzip_frame};
use common::scrape::{calls, closed_calls, metrics_addr, scrape, Closed};
use common::{classify_request, pb, Server, SPORTS_COOPERATION};
use prost::Message;
use tonic::Code;

const CLASSIFY: &str = "/accord.v1.Classifier/Classify";
const BATCH: &str = "/accord.v1.Classifier/ClassifyBatch";
const STREAM: &str = "/accord.v1.Classifier/ClassifyStream";

fn start(extra: &[&str]) -> (Server, String) {
    let flags = [&["--metrics-addr", "127.0.0.1:0", "--log-format", "json"], extra].concat();
    let server = Server::start(&flags);
    let metrics = metrics_addr(&server);
    (server, metrics)
}

/// Waits until `count` closing lines for `method` are logged, and returns every closing
/// line a moment later (a second line for the same call would show there).
async fn closed_after(server: &Server, method: &str, count: usize) -> Vec<Closed> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if closed_calls(server).iter().filter(|line| line.method == method).count() >= count {
            tokio::time::sleep(Duration::from_millis(300)).await;
            return closed_calls(server);
        }
        assert!(Instant::now() < deadline, "no closing line for {method}:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn line(method: &str, code: &str) -> Closed {
    Closed { method: method.into(), code: code.into(), level: "INFO".into() }
}

/// A batch of eight articles of 15,000 thirteen-word sentences each (1 MB each, under the
/// text limit), answered sentence by sentence, gzipped to a few kilobytes. With `explain`
/// over its maximum on the last article, the same batch is refused as soon as it is decoded.
fn long_batch(refused: bool) -> bytes::Bytes {
    let text = "The striker scored a late goal for the home side in the cup final. ".repeat(15_000);
    let explain = |i| if refused && i == 7 { 1_000_000 } else { 0 };
    let request = |i| pb::ClassifyRequest {
        sentences: true,
        explain: explain(i),
        ..classify_request(&format!("b{i}"), &text, 0)
    };
    gzip_frame(&pb::ClassifyBatchRequest { requests: (0..8).map(request).collect() }.encode_to_vec())
}

/// A batch whose deadline passes while the one worker classifies it: DEADLINE_EXCEEDED in
/// the answer, the metrics and the log, not CANCELLED.
///
/// The deadline must fall after the request has been decoded (the handler logs its eight
/// articles) and before its work ends. On a warm server (the same batch, refused once as
/// it is decoded) decoding takes tens of milliseconds and the work hundreds; a loaded host
/// stretches both. So the deadline is searched for, each try on a fresh server: longer when
/// the handler never ran, shorter when the answer came first. A server that answered
/// CANCELLED, or never DEADLINE_EXCEEDED from a running handler, fails the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_passed_in_the_handler_is_counted_and_logged_deadline_exceeded() {
    // The answer (8 × 15,000 sentences) is over the default answer limit; the deadline is the point.
    let flags =
        ["--metrics-addr", "127.0.0.1:0", "--log-format", "json", "--workers", "1", "--max-answer-bytes", "67108864"];
    let (body, warm_up) = (long_batch(false), long_batch(true));
    let mut deadline_ms = 150.0_f64;
    let mut tries = Vec::new();
    for _ in 0..12 {
        let server = Server::start_with(&common::repo_root().join("models"), &flags, &[]);
        let metrics = metrics_addr(&server);
        let refused = raw_grpc::call(&server.addr, BATCH, warm_up.clone(), &[("grpc-encoding", "gzip")]).await;
        assert_eq!(refused.code, Some(Code::InvalidArgument), "{}", refused.message);
        let timeout = format!("{}m", deadline_ms.round());
        let headers = [("grpc-timeout", timeout.as_str()), ("grpc-encoding", "gzip")];
        let answer = raw_grpc::call(&server.addr, BATCH, body.clone(), &headers).await;
        tries.push((timeout, answer.code));
        if answer.code == Some(Code::Ok) {
            deadline_ms /= 1.5;
            continue;
        }
        assert_eq!(answer.code, Some(Code::DeadlineExceeded), "{tries:?} {}", answer.message);
        let closed = closed_after(&server, "ClassifyBatch", 2).await;
        assert_eq!(closed, [line("ClassifyBatch", "INVALID_ARGUMENT"), line("ClassifyBatch", "DEADLINE_EXCEEDED")]);
        let scraped = scrape(&metrics);
        assert_eq!(calls(&scraped, "ClassifyBatch", "DEADLINE_EXCEEDED"), 1.0, "{scraped:#?}");
        assert_eq!(calls(&scraped, "ClassifyBatch", "CANCELLED"), 0.0, "{scraped:#?}");
        let deadline_line = server.log().lines().rfind(|l| l.contains("DEADLINE_EXCEEDED")).map(str::to_owned);
        if deadline_line.is_some_and(|l| l.contains("\"articles\":8")) {
            return;
        }
        deadline_ms *= 1.5;
    }
    panic!("no deadline fell between the request's decoding and the end of its work: {tries:?}");
}

/// A call whose message never arrives whole: its deadline passes before any handler runs,
/// and it is counted and logged all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_passed_before_the_handler_is_counted() {
    let (server, metrics) = start(&[]);
    let (client, _connection) = raw_grpc::connect(&server.addr).await;
    let (response, mut outbound) = raw_grpc::open(client, &server.addr, CLASSIFY, &[("grpc-timeout", "200m")]).await;
    let whole = frame(&classify_request("half", SPORTS_COOPERATION, 0).encode_to_vec());
    outbound.send_data(whole.slice(..whole.len() / 2), false).expect("half a message, never the rest");
    let response = tokio::time::timeout(Duration::from_secs(5), response).await.expect("answered").expect("response");
    let code = response.headers().get("grpc-status").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(code.as_deref(), Some("4"), "{response:?}");
    let closed = closed_after(&server, "Classify", 1).await;
    assert_eq!(closed, [line("Classify", "DEADLINE_EXCEEDED")]);
    assert_eq!(calls(&scrape(&metrics), "Classify", "DEADLINE_EXCEEDED"), 1.0);
}

/// A stream whose client sent its requests, closed its side, and reset the call before
/// reading the (large) answers: CANCELLED, although the handler produced every answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_reset_by_the_client_is_counted_cancelled() {
    // The shipped model: it has the sentence-level heads, whose answers are large.
    let flags = ["--metrics-addr", "127.0.0.1:0", "--log-format", "json"];
    let server = Server::start_with(&common::repo_root().join("models"), &flags, &[]);
    let metrics = metrics_addr(&server);
    let (client, _connection) = raw_grpc::connect(&server.addr).await;
    let (response, mut outbound) = raw_grpc::open(client, &server.addr, STREAM, &[]).await;
    // Two answers of 20,000 sentences each (hundreds of kilobytes each), more than the
    // client's 64 KiB flow-control window, which it never opens further: the handler
    // produces both, but the second never leaves.
    let mut many_sentences = classify_request("r", &"Goal. ".repeat(20_000), 0);
    many_sentences.sentences = true;
    let two = [frame(&many_sentences.encode_to_vec()), frame(&many_sentences.encode_to_vec())].concat();
    outbound.send_data(two.into(), true).expect("sends, and closes its side");
    let response = response.await.expect("response headers");
    tokio::time::sleep(Duration::from_secs(3)).await; // both answers are computed and waiting
    outbound.send_reset(h2::Reason::CANCEL);
    drop(response);
    let closed = closed_after(&server, "ClassifyStream", 1).await;
    assert_eq!(closed, [line("ClassifyStream", "CANCELLED")], "{}", server.log());
    let scraped = scrape(&metrics);
    assert_eq!(calls(&scraped, "ClassifyStream", "CANCELLED"), 1.0, "{scraped:#?}");
    assert_eq!(calls(&scraped, "ClassifyStream", "OK"), 0.0, "{scraped:#?}");
}

/// A connection that drops in the middle of streams: each is CANCELLED, logged at INFO once,
/// and none is UNKNOWN or an ERROR.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_cancelled_not_an_error() {
    let (server, metrics) = start(&[]);
    let requests: Vec<u8> = (0..3)
        .flat_map(|i| frame(&classify_request(&format!("d{i}"), SPORTS_COOPERATION, 0).encode_to_vec()))
        .collect();
    for _ in 0..3 {
        raw_grpc::vanish_mid_call(&server.addr, STREAM, Bytes::from(requests.clone())).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while closed_calls(&server).len() < 3 {
        assert!(Instant::now() < deadline, "not every stream was closed:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(closed_calls(&server), vec![line("ClassifyStream", "CANCELLED"); 3], "{}", server.log());
    assert!(!server.log().contains("\"ERROR\""), "{}", server.log());
    assert_eq!(calls(&scrape(&metrics), "ClassifyStream", "CANCELLED"), 3.0);
    server.assert_still_serving().await;
}

/// Two messages on a unary call: INTERNAL, as grpc-go and grpc-java answer; counted so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_message_on_a_unary_call_is_internal() {
    let (server, metrics) = start(&[]);
    let one = frame(&classify_request("one", SPORTS_COOPERATION, 0).encode_to_vec());
    let two = [one.clone(), one.clone()].concat();
    let answer = raw_grpc::call(&server.addr, CLASSIFY, two.into(), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(answer.message.contains("more than one request message"), "{answer:?}");
    let single = raw_grpc::call(&server.addr, CLASSIFY, one, &[]).await;
    assert_eq!(single.code, Some(Code::Ok), "{single:?}");
    let scraped = scrape(&metrics);
    assert_eq!(calls(&scraped, "Classify", "INTERNAL"), 1.0, "{scraped:#?}");
    assert_eq!(calls(&scraped, "Classify", "OK"), 1.0, "{scraped:#?}");
}

/// A self-signed certificate for `localhost` valid over `years` (from, to), as PEM files.
fn certificate(dir: &std::path::Path, years: (i32, i32)) -> (String, String) {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params.not_before = rcgen::date_time_ymd(years.0, 1, 1);
    params.not_after = rcgen::date_time_ymd(years.1, 1, 1);
    let key = rcgen::KeyPair::generate().expect("a key");
    let cert = params.self_signed(&key).expect("a certificate");
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).expect("write cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("write key");
    (cert_path.display().to_string(), key_path.display().to_string())
}

/// An expired certificate, one not valid yet, and a good one: a warning at start for the
/// first two, and the days to expiry as a metric for each (negative once expired).
#[tokio::test]
async fn a_certificate_out_of_its_dates_is_warned_about_and_its_expiry_measured() {
    for (years, warning, days_sign) in [
        ((2020, 2021), Some("expired on"), -1.0),
        ((2090, 2091), Some("is not valid before"), 1.0),
        ((2020, 2090), None, 1.0),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, key) = certificate(dir.path(), years);
        let (server, metrics) = start(&["--tls-cert", &cert, "--tls-key", &key]);
        let log = server.log();
        let warned = log.lines().find(|line| line.contains("\"WARN\"") && line.contains("TLS certificate"));
        match warning {
            Some(words) => assert!(warned.is_some_and(|line| line.contains(words)), "{years:?}: {log}"),
            None => assert!(warned.is_none(), "{years:?}: {log}"),
        }
        let series = format!("accord_tls_certificate_expiry_days{{file=\"{cert}\"}}");
        let days = scrape(&metrics).get(&series).copied().unwrap_or_else(|| panic!("no {series}"));
        assert_eq!(days.signum(), days_sign, "{years:?}: {days}");
        let expected = match years.1 {
            2021 => -(days_since_2021()),
            _ => days, // a future date: only its sign is checked
        };
        assert!((days - expected).abs() < 2.0, "{years:?}: {days} days, expected about {expected}");
    }
}

/// Days from 2021-01-01 to now.
fn days_since_2021() -> f64 {
    const JAN_1_2021: u64 = 1_609_459_200;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    (now - JAN_1_2021) as f64 / 86_400.0
}
