//! Starting, logging, sharing the CPU, and stopping: the server as an operator sees it.

mod common;

use std::time::Duration;

use common::{classify_request, pb, Server, SPORTS_COOPERATION};
use tokio_stream::StreamExt;
use tonic_health::pb::{health_check_response::ServingStatus, HealthCheckRequest};

#[tokio::test]
async fn logs_one_line_per_call_and_never_the_article() {
    let server = Server::start(&["--log-format", "json"]);
    let mut client = server.client().await;
    let secret = "Zanzibarquux";
    let request = pb::ClassifyRequest {
        article: common::article("id-1", secret, &format!("{SPORTS_COOPERATION} {secret}")),
        explain: 5,
        sentences: true,
        relations: false,
    };
    client.classify(request).await.expect("classify");
    let tokenize = pb::TokenizeRequest { article: common::article("id-2", "", secret) };
    client.tokenize(tokenize).await.expect("tokenize");
    let _ = client.classify(classify_request("bad", " ", 0)).await.expect_err("empty text");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let log = server.log();
    assert!(!log.to_lowercase().contains(&secret.to_lowercase()), "the article leaked into the log:\n{log}");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let calls: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["fields"]["message"].as_str().is_some_and(|m| m.starts_with("call "))).collect();
    let summary: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c["span"]["method"].as_str().unwrap_or(""), c["fields"]["code"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(summary, [("Classify", "OK"), ("Tokenize", "OK"), ("Classify", "INVALID_ARGUMENT")], "{log}");
    let first = calls[0];
    assert_eq!(first["fields"]["articles"], 1);
    assert_eq!(first["fields"]["bytes"], (2 * secret.len() + 1 + SPORTS_COOPERATION.len()) as u64);
    assert!(first["fields"]["duration_ms"].as_f64().is_some_and(|d| d >= 0.0));
    assert_eq!(first["span"]["name"], "rpc");
    assert!(lines
        .iter()
        .any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.starts_with("listening on 127.0.0.1:"))));
}

/// A call's line carries the client's address and the `x-request-id` it sent; an id that is
/// not printable ASCII of at most 128 bytes, or none, is replaced by a generated one.
#[tokio::test]
async fn the_call_line_names_the_peer_and_the_request_id() {
    let server = Server::start(&["--log-format", "json"]);
    let mut client = server.client().await;
    for (article_id, request_id) in [("with", "req-7f3a"), ("spaces", "a b"), ("long", &"x".repeat(129))] {
        let mut request = tonic::Request::new(classify_request(article_id, SPORTS_COOPERATION, 0));
        request.metadata_mut().insert("x-request-id", request_id.parse().expect("a header value"));
        client.classify(request).await.expect("classify");
    }
    client.classify(classify_request("none", SPORTS_COOPERATION, 0)).await.expect("classify");
    let spans: Vec<serde_json::Value> = server.finished_calls().await.into_iter().map(|l| l["span"].clone()).collect();
    let log = server.log();
    assert_eq!(spans.len(), 4, "{log}");
    let ids: Vec<Option<&str>> = spans.iter().map(|span| span["request_id"].as_str()).collect();
    assert_eq!(ids[0], Some("req-7f3a"), "{log}");
    for id in &ids[1..] {
        let id = id.unwrap_or_else(|| panic!("no request id:\n{log}"));
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id} is not a generated id");
    }
    for span in &spans {
        let peer = span["peer"].as_str().unwrap_or_default();
        assert!(peer.starts_with("127.0.0.1:") && peer != server.addr, "{peer:?} is not the client's address");
    }
}

/// RUST_LOG picks levels per target: `warn` hides healthy calls and startup; naming the call
/// log's target brings back its lines alone.
#[tokio::test]
async fn rust_log_filters_by_level_and_target() {
    for (filter, calls_logged) in [("warn", false), ("warn,accord::server::logging=info", true)] {
        let server = Server::start_with(common::fixture_models_dir(), &[], &[("RUST_LOG", filter)]);
        server.client().await.classify(classify_request("c", SPORTS_COOPERATION, 0)).await.expect("classify");
        let log = server.log();
        assert_eq!(log.contains("call finished"), calls_logged, "RUST_LOG={filter}:\n{log}");
        assert!(!log.contains("listening on") && !log.contains("model loaded"), "RUST_LOG={filter}:\n{log}");
    }
}

/// Even at the most verbose level, from every crate (tonic, h2, hyper), no article text or
/// token reaches the log.
#[tokio::test]
async fn trace_level_logs_never_hold_the_article() {
    let server = Server::start_with(common::fixture_models_dir(), &[], &[("RUST_LOG", "trace")]);
    let mut client = server.client().await;
    let secret = "Qwertzuiopxyz";
    let text = format!("{SPORTS_COOPERATION} {secret}");
    client.classify(classify_request("c", &text, 5)).await.expect("classify");
    client.tokenize(pb::TokenizeRequest { article: common::article("t", secret, &text) }).await.expect("tokenize");
    let batch = pb::ClassifyBatchRequest { requests: vec![classify_request("b", &text, 0)] };
    client.classify_batch(batch).await.expect("batch");
    let log = server.log();
    assert!(log.contains("call finished") && log.contains("TRACE"), "trace logging is on:\n{log}");
    assert!(!log.to_lowercase().contains(&secret.to_lowercase()), "the article leaked into the log:\n{log}");
}

#[tokio::test]
async fn text_log_names_the_bound_address() {
    let server = Server::start(&[]);
    let log = server.log();
    assert!(log.contains(&format!("listening on {}", server.addr)), "{log}");
    assert!(log.contains("model loaded"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_reports_not_serving_finishes_calls_in_flight_and_exits_cleanly() {
    let mut server = Server::start(&["--drain-secs", "2"]);
    let mut health = server.health().await;
    let mut client = server.client().await;
    // A stream open across the signal: it must be answered to its end.
    let (sender, mut inbound) = open_answered_stream(&mut client, "before").await;

    server.signal("TERM");
    let status = poll_health(&mut health, ServingStatus::NotServing).await;
    assert_eq!(status, ServingStatus::NotServing as i32);
    let classifier = HealthCheckRequest { service: "accord.v1.Classifier".into() };
    assert_eq!(health.check(classifier).await.expect("check").into_inner().status, ServingStatus::NotServing as i32);

    sender.send(classify_request("during", SPORTS_COOPERATION, 0)).await.expect("send");
    assert_eq!(inbound.next().await.expect("answer").expect("ok").id, "during");
    drop(sender);
    assert!(inbound.next().await.is_none());
    drop((inbound, client, health));
    let exit = server.wait(Duration::from_secs(20));
    assert!(exit.success(), "exit status {exit}:\n{}", server.log());
    let log = server.log();
    assert!(log.contains("signal=\"SIGTERM\"") && log.contains("stopped"), "{log}");
}

#[tokio::test]
async fn sigint_stops_an_idle_server() {
    let mut server = Server::start(&[]);
    server.signal("INT");
    let exit = server.wait(Duration::from_secs(20));
    assert!(exit.success(), "exit status {exit}:\n{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_gives_up_on_calls_still_open_after_the_grace_time() {
    let mut server = Server::start(&["--shutdown-grace-secs", "1"]);
    let mut client = server.client().await;
    let (sender, _inbound) = open_answered_stream(&mut client, "open").await;
    server.signal("TERM");
    let exit = server.wait(Duration::from_secs(20)); // the stream is never closed
    assert!(exit.success(), "exit status {exit}:\n{}", server.log());
    assert!(server.log().contains("after the grace time"), "{}", server.log());
    drop(sender);
}

/// Opens a ClassifyStream, sends one request with `id` and checks its answer: the stream is
/// then open across whatever the test does next.
async fn open_answered_stream(
    client: &mut common::ClassifierClient<tonic::transport::Channel>,
    id: &str,
) -> (tokio::sync::mpsc::Sender<pb::ClassifyRequest>, tonic::Streaming<pb::ClassifyResponse>) {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let mut inbound = client
        .classify_stream(tokio_stream::wrappers::ReceiverStream::new(receiver))
        .await
        .expect("stream opens")
        .into_inner();
    sender.send(classify_request(id, SPORTS_COOPERATION, 0)).await.expect("send");
    assert_eq!(inbound.next().await.expect("answer").expect("ok").id, id);
    (sender, inbound)
}

/// Checks overall health until it reports `wanted` (or 5 s pass); returns the last status.
async fn poll_health(
    health: &mut tonic_health::pb::health_client::HealthClient<tonic::transport::Channel>,
    wanted: ServingStatus,
) -> i32 {
    let mut status = -1;
    for _ in 0..100 {
        status = health.check(HealthCheckRequest { service: String::new() }).await.expect("check").into_inner().status;
        if status == wanted as i32 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    status
}

#[tokio::test]
async fn serves_the_version_named_by_flag_or_current_pointer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = common::fixture_models_dir().join("default").join("model.bin");
    for version in ["v1", "v2"] {
        std::fs::create_dir(dir.path().join(version)).expect("mkdir");
        std::fs::copy(&fixture, dir.path().join(version).join("model.bin")).expect("copy");
    }
    std::fs::write(dir.path().join("CURRENT"), "v2\n").expect("pointer");
    let server = Server::start_with(dir.path(), &["--model", "v1"], &[]);
    assert!(server.log().contains("model loaded"));
    let info = server.client().await.get_model_info(pb::GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(info.version, common::fixture_version());
    drop(server);
    let pointed = Server::start_with(dir.path(), &[], &[]);
    pointed.client().await.classify(classify_request("c", SPORTS_COOPERATION, 0)).await.expect("serves CURRENT");
}

#[test]
fn a_missing_model_stops_startup_with_a_clear_message() {
    let empty = tempfile::tempdir().expect("tempdir");
    let (mut child, dir) = Server::spawn(empty.path(), &[], &[]);
    let status = child.wait().expect("exits");
    assert!(!status.success());
    let log = common::read_log(dir.path());
    assert!(log.contains("cannot load the model") && log.contains("`default` is not in"), "{log}");
    assert!(!dir.path().join("ready").exists(), "never reported ready");
}

#[test]
fn a_version_name_that_leaves_the_directory_is_refused() {
    let (mut child, dir) = Server::spawn(common::fixture_models_dir(), &["--model", "../default"], &[]);
    assert!(!child.wait().expect("exits").success());
    assert!(common::read_log(dir.path()).contains("invalid model version name"));
}

/// Text logs: a call's status named as gRPC and the metrics name it (`OK`,
/// `INVALID_ARGUMENT`), and no field written twice on a line (once in the call's span, once
/// in the event; or once in the message and again as a field).
#[tokio::test]
async fn text_log_lines_name_codes_as_grpc_does_and_repeat_no_field() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    client.classify(classify_request("ok", SPORTS_COOPERATION, 0)).await.expect("classify");
    let _ = client.classify(classify_request("bad", " ", 0)).await.expect_err("empty text");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log();
    let calls: Vec<&str> = log.lines().filter(|line| line.contains(" call ")).collect();
    assert_eq!(calls.len(), 2, "{log}");
    assert!(calls[0].contains("code=OK "), "{log}");
    assert!(calls[1].contains("code=INVALID_ARGUMENT "), "{log}");
    for line in log.lines() {
        let names: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == '{' || c == '}')
            .filter_map(|word| word.split_once('=').map(|(name, _)| name))
            .collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "a field repeated: {line}");
    }
    let listening = log.lines().find(|line| line.contains("listening on")).expect("a listening line");
    assert!(!listening.contains("addr="), "{listening}");
}
