//! `--otlp-endpoint`: every call reaches an OTLP collector as one span, in the caller's trace
//! when it sent a `traceparent` and in a trace of its own otherwise, with the request id,
//! the status and the service's name; the spans still buffered are sent on shutdown. The
//! collector is an OTLP/gRPC trace service run inside the test.

mod common;

use std::time::Duration;

use common::otlp::{classify, span_of, start_collector, ARRIVAL};
use common::{classify_request, pb, Server, SPORTS_COOPERATION};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

/// Serves the fixture model exporting to `collector`, spans sent within `delay_ms`.
fn serve(collector: &str, delay_ms: &str) -> Server {
    Server::start_with(
        common::fixture_models_dir(),
        &["--otlp-endpoint", collector],
        &[("OTEL_BSP_SCHEDULE_DELAY", delay_ms)],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_reaches_the_collector_in_the_callers_trace_with_its_request_id() {
    let (collector, mut received) = start_collector().await;
    let server = serve(&collector, "200");
    let (trace, parent) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let returned = classify(&server, "trace-me-1", Some(&format!("00-{trace}-{parent}-01"))).await;
    assert_eq!(returned, "trace-me-1");

    let span = span_of(&mut received, "trace-me-1").await;
    assert_eq!(span.trace_id, trace, "{span:?}");
    assert_eq!(span.parent_span_id, parent, "{span:?}");
    assert_eq!(span.name, "accord.v1.Classifier/Classify", "{span:?}");
    let attribute = |key: &str| span.attributes.get(key).map(String::as_str);
    assert_eq!(attribute("rpc.system"), Some("grpc"), "{span:?}");
    assert_eq!(attribute("rpc.method"), Some("Classify"), "{span:?}");
    assert_eq!(attribute("status_code"), Some("OK"), "{span:?}");
    assert_eq!(attribute("articles"), Some("1"), "{span:?}");
    assert_ne!(span.status, Some(StatusCode::Error), "{span:?}");
    assert_eq!(span.resource.get("service.name").map(String::as_str), Some("accord"), "{span:?}");
    assert_eq!(span.resource.get("service.version").map(String::as_str), Some(env!("CARGO_PKG_VERSION")));
    assert!(!server.log().contains("exported_call"), "the exported spans stay out of the log:\n{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_without_a_traceparent_starts_a_trace_of_its_own() {
    let (collector, mut received) = start_collector().await;
    let server = serve(&collector, "200");
    classify(&server, "untraced-1", None).await;
    classify(&server, "untraced-2", None).await;
    let (first, second) = (span_of(&mut received, "untraced-1").await, span_of(&mut received, "untraced-2").await);
    for span in [&first, &second] {
        assert_eq!(span.trace_id.len(), 32, "{span:?}");
        assert_ne!(span.trace_id, "0".repeat(32), "{span:?}");
        assert_eq!(span.parent_span_id, "", "a root span: {span:?}");
    }
    assert_ne!(first.trace_id, second.trace_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_call_is_exported_with_its_status_and_a_batch_with_its_articles() {
    let (collector, mut received) = start_collector().await;
    let server = serve(&collector, "200");
    let mut client = server.client().await;
    let mut empty = tonic::Request::new(pb::ClassifyRequest::default());
    empty.metadata_mut().insert("x-request-id", "refused-1".parse().expect("ascii"));
    let refused = client.classify(empty).await.expect_err("an article is required");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    let requests = (0..3).map(|i| classify_request(&format!("b{i}"), SPORTS_COOPERATION, 0)).collect();
    let mut batch = tonic::Request::new(pb::ClassifyBatchRequest { requests });
    batch.metadata_mut().insert("x-request-id", "batch-1".parse().expect("ascii"));
    client.classify_batch(batch).await.expect("the batch is answered");

    let span = span_of(&mut received, "refused-1").await;
    assert_eq!(span.attributes.get("status_code").map(String::as_str), Some("INVALID_ARGUMENT"), "{span:?}");
    assert_eq!(span.attributes.get("rpc.grpc.status_code").map(String::as_str), Some("3"), "{span:?}");
    let span = span_of(&mut received, "batch-1").await;
    assert_eq!(span.name, "accord.v1.Classifier/ClassifyBatch", "{span:?}");
    assert_eq!(span.attributes.get("articles").map(String::as_str), Some("3"), "{span:?}");
}

/// An HTTP call's span is named after its route, in the caller's trace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_call_is_named_after_its_route() {
    let (collector, mut received) = start_collector().await;
    let flags = ["--otlp-endpoint", &collector, "--http-addr", "127.0.0.1:0"];
    let server = Server::start_with(common::fixture_models_dir(), &flags, &[("OTEL_BSP_SCHEDULE_DELAY", "200")]);
    let log = server.log();
    let (_, rest) = log.split_once("http listening on ").unwrap_or_else(|| panic!("no HTTP address:\n{log}"));
    let addr = rest.split(|c: char| c.is_whitespace() || c == '"').next().expect("an address");
    let trace = "0af7651916cd43dd8448eb211c80319c";
    let body = format!(r#"{{"article": {{"id": "h1", "text": "{SPORTS_COOPERATION}"}}}}"#);
    let sent = tokio::task::block_in_place(|| {
        ureq::post(format!("http://{addr}/v1/classify"))
            .header("x-request-id", "http-1")
            .header("traceparent", format!("00-{trace}-b7ad6b7169203331-01"))
            .content_type("application/json")
            .send(body)
    });
    assert_eq!(sent.expect("the HTTP call is answered").status(), 200);
    let span = span_of(&mut received, "http-1").await;
    assert_eq!(span.name, "POST /v1/classify", "{span:?}");
    assert_eq!(span.trace_id, trace, "{span:?}");
    assert_eq!(span.attributes.get("http.route").map(String::as_str), Some("/v1/classify"), "{span:?}");
    assert_eq!(span.attributes.get("status_code").map(String::as_str), Some("OK"), "{span:?}");
}

/// With a batch delay longer than the test, a span reaches the collector only because
/// shutdown sends what is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spans_left_are_sent_on_shutdown() {
    let (collector, mut received) = start_collector().await;
    let mut server = serve(&collector, "600000");
    classify(&server, "last-1", None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(received.try_recv().is_err(), "nothing is sent before the batch delay or shutdown");
    server.signal("TERM");
    let status = tokio::task::block_in_place(|| server.wait(Duration::from_secs(20)));
    assert!(status.success(), "{status}:\n{}", server.log());
    let span = span_of(&mut received, "last-1").await;
    assert_eq!(span.attributes.get("status_code").map(String::as_str), Some("OK"), "{span:?}");
}

/// A collector that is not there costs no call: each is answered, and the failure is
/// logged once, not once per export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_answered_when_the_collector_is_down_and_the_failure_is_logged_once() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let collector = format!("http://{}", unused.local_addr().expect("an address"));
    drop(unused);
    let server = serve(&collector, "50");
    classify(&server, "lost-0", None).await;
    let deadline = std::time::Instant::now() + ARRIVAL;
    while !server.log().contains("cannot export spans") {
        assert!(std::time::Instant::now() < deadline, "no export failure logged:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each of these is exported (and fails) on its own: an export that fails takes about
    // a second here, while the client's connection is refused.
    for i in 1..=3 {
        assert_eq!(classify(&server, &format!("lost-{i}"), None).await, format!("lost-{i}"));
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    assert_eq!(server.log().matches("cannot export spans").count(), 1, "{}", server.log());
    server.assert_still_serving().await;
}
