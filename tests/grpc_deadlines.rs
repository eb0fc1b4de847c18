//! Deadlines everywhere: a `ClassifyStream` ends with DEADLINE_EXCEEDED at its
//! `grpc-timeout` or `--request-timeout-secs` whether the client keeps sending, stays
//! silent, or never reads its answers; and a connection that never starts HTTP/2 is closed
//! after `--handshake-timeout-secs`.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::raw_grpc::{self, frame};
use common::{classify_request, pb, repo_root, Server, SPORTS_COOPERATION};
use prost::Message;
use tokio::io::AsyncReadExt;
use tonic::Code;

const STREAM: &str = "/accord.v1.Classifier/ClassifyStream";

/// Opens a ClassifyStream over raw HTTP/2 with `headers`, sends `body` and leaves the request
/// side open; returns the response (headers and body) and the request side.
async fn open_stream(
    addr: &str,
    body: Bytes,
    headers: &[(&str, &str)],
) -> (h2::client::ResponseFuture, h2::SendStream<Bytes>, tokio::task::JoinHandle<Result<(), h2::Error>>) {
    let (client, connection) = raw_grpc::connect(addr).await;
    let (response, mut outbound) = raw_grpc::open(client, addr, STREAM, headers).await;
    if !body.is_empty() {
        outbound.send_data(body, false).expect("sends the body");
    }
    (response, outbound, connection)
}

/// The grpc-status and grpc-message of an answer read to its end.
async fn status_of(response: h2::client::ResponseFuture) -> (Option<String>, String) {
    let (parts, mut body) = response.await.expect("an HTTP/2 response").into_parts();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.expect("body chunk");
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    let trailers = body.trailers().await.expect("trailers").unwrap_or(parts.headers);
    let text = |name: &str| trailers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    (text("grpc-status"), text("grpc-message").unwrap_or_default())
}

/// A client that keeps sending, one article every 100 ms, is stopped at its 1 s deadline
/// (before, the stream was still answering at 10 s with a 2 s timeout).
#[tokio::test]
async fn a_stream_still_sending_at_its_grpc_timeout_ends_with_deadline_exceeded() {
    let server = Server::start(&[]);
    let (requests, outbound) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        while requests.send(classify_request("s", SPORTS_COOPERATION, 0)).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut request = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(outbound));
    request.set_timeout(Duration::from_secs(1));
    let started = Instant::now();
    let mut inbound = server.client().await.classify_stream(request).await.expect("opens").into_inner();
    let mut answered = 0;
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match inbound.message().await {
                Ok(Some(_)) => answered += 1,
                Ok(None) => panic!("the stream ended OK after {answered} answers"),
                Err(status) => return status,
            }
        }
    })
    .await
    .expect("the stream ended within 5 s");
    assert_eq!(ended.code(), Code::DeadlineExceeded, "{ended:?}");
    assert!(ended.message().contains("grpc-timeout"), "{ended:?}");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(answered >= 3, "only {answered} answers before the deadline");
    server.assert_still_serving().await;
}

/// A stream that never sends anything ends at `--request-timeout-secs`.
#[tokio::test]
async fn an_idle_stream_ends_at_the_server_timeout() {
    let server = Server::start(&["--request-timeout-secs", "1"]);
    let (response, _outbound, _connection) = open_stream(&server.addr, Bytes::new(), &[]).await;
    let (code, message) =
        tokio::time::timeout(Duration::from_secs(5), status_of(response)).await.expect("the stream ended within 5 s");
    assert_eq!(code.as_deref(), Some("4"), "{message}");
    assert!(message.contains("--request-timeout-secs"), "{message}");
}

/// A client that sends requests and never reads the answers: at the deadline the server
/// stops working on the call and logs it as DEADLINE_EXCEEDED, though the answers wait
/// unread.
#[tokio::test]
async fn a_stream_whose_answers_are_never_read_ends_at_its_deadline() {
    let server = Server::start_with(&repo_root().join("models"), &["--log-format", "json"], &[]);
    // about 1.2 MB of answer each: far more than the client's 64 KiB window holds
    let request = pb::ClassifyRequest { sentences: true, ..classify_request("a", &"a\n".repeat(50_000), 0) };
    let frames: Vec<u8> = (0..20).flat_map(|_| frame(&request.encode_to_vec()).to_vec()).collect();
    let (response, _outbound, _connection) = open_stream(&server.addr, frames.into(), &[("grpc-timeout", "1S")]).await;
    let _unread = response.await.expect("response headers");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let log = server.log();
    let ended = log.lines().find(|line| line.contains("\"ClassifyStream\"") && line.contains("call failed"));
    let ended = ended.unwrap_or_else(|| panic!("the stream call is still running:\n{log}"));
    assert!(ended.contains("DEADLINE_EXCEEDED"), "{ended}");
    server.assert_still_serving().await;
}

/// A connection that sends nothing is closed after the handshake timeout; one that started
/// HTTP/2 is not, however long it then stays idle.
#[tokio::test]
async fn a_connection_that_never_starts_http2_is_closed() {
    let server = Server::start(&["--handshake-timeout-secs", "1"]);
    let started = Instant::now();
    let mut silent = tokio::net::TcpStream::connect(&server.addr).await.expect("connects");
    let (idle_client, _connection) = raw_grpc::connect(&server.addr).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 1024];
        // The server's SETTINGS may come first; then the end of the connection.
        while matches!(silent.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await;
    assert!(closed.is_ok(), "the silent connection is still open after 5 s");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(900), "closed after {elapsed:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let body = frame(&classify_request("ok", SPORTS_COOPERATION, 0).encode_to_vec());
    let answer = raw_grpc::call_on(idle_client, &server.addr, "/accord.v1.Classifier/Classify", body, &[]).await;
    assert_eq!(answer.code, Some(Code::Ok), "{answer:?}");
}
