//! Connection management: keepalive PINGs drop a client that stopped answering and keep one
//! that answers, and `--max-connection-age-secs` closes a connection gracefully while the
//! server goes on serving new ones.

mod common;

use std::time::{Duration, Instant};

use common::raw_grpc::{call_on, connect, frame};
use common::{classify_request, Server};
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLASSIFY: &str = "/accord.v1.Classifier/Classify";

/// How long a connection that should stay open is watched.
const WATCH: Duration = Duration::from_secs(3);

/// A PING after a second without a frame from the client, and two seconds to answer it.
const KEEPALIVE: &[&str] = &["--keepalive-secs", "1", "--keepalive-timeout-secs", "2"];

/// Longer than a PING's interval and timeout together: a client that did not answer would
/// have been disconnected by then.
const KEEPALIVE_WATCH: Duration = Duration::from_secs(4);

/// The HTTP/2 frame type of PING.
const PING: u8 = 0x6;

/// One Classify on the connection `client` of [`connect`], answered OK.
async fn classify_on(client: h2::client::SendRequest<bytes::Bytes>, server: &Server) {
    let request = classify_request("c", "The minister signed the treaty at the embassy.", 0);
    let answer = call_on(client, &server.addr, CLASSIFY, frame(&request.encode_to_vec()), &[]).await;
    assert_eq!(answer.code, Some(tonic::Code::Ok), "{answer:?}");
}

/// A client that says hello in HTTP/2 and then only reads: it never answers a PING. Returns
/// the types of the frames it got before the server closed the connection, or `None` if the
/// connection was still open after `within`.
async fn silent_client(addr: &str, within: Duration) -> Option<Vec<u8>> {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connects");
    // The client preface, then an empty SETTINGS frame.
    tcp.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00").await.expect("writes");
    let mut types = Vec::new();
    let read_all = async {
        let mut header = [0u8; 9];
        while tcp.read_exact(&mut header).await.is_ok() {
            let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
            let mut payload = vec![0u8; length];
            if tcp.read_exact(&mut payload).await.is_err() {
                break;
            }
            types.push(header[3]);
        }
    };
    tokio::time::timeout(within, read_all).await.ok()?;
    Some(types)
}

#[tokio::test]
async fn a_client_that_stops_answering_pings_is_disconnected() {
    let server = Server::start(KEEPALIVE);
    let frames = silent_client(&server.addr, Duration::from_secs(20)).await;
    let frames = frames.expect("the server closed the connection of a client that does not answer PINGs");
    assert!(frames.contains(&PING), "the server pinged before closing: frame types {frames:?}");
    server.assert_still_serving().await;
}

#[tokio::test]
async fn without_keepalive_a_silent_client_is_not_disconnected() {
    let server = Server::start(&["--keepalive-secs", "0"]);
    let frames = silent_client(&server.addr, WATCH).await;
    assert_eq!(frames, None, "the connection stayed open for {WATCH:?}");
}

#[tokio::test]
async fn a_client_that_answers_pings_keeps_its_connection() {
    let server = Server::start(KEEPALIVE);
    let (client, connection) = connect(&server.addr).await;
    classify_on(client.clone(), &server).await;
    tokio::time::sleep(KEEPALIVE_WATCH).await;
    assert!(!connection.is_finished(), "an idle client that answers PINGs is not disconnected");
    classify_on(client, &server).await;
}

#[tokio::test]
async fn a_connection_past_its_max_age_is_closed_and_the_server_serves_on() {
    let server = Server::start(&["--max-connection-age-secs", "1", "--max-connection-age-grace-secs", "1"]);
    let started = Instant::now();
    let (client, connection) = connect(&server.addr).await;
    // The handle is kept: an h2 connection whose handles are all dropped closes by itself.
    classify_on(client.clone(), &server).await;
    let ended = tokio::time::timeout(Duration::from_secs(20), connection).await;
    assert!(ended.is_ok(), "the connection was closed once past its age");
    drop(client);
    assert!(started.elapsed() >= Duration::from_millis(900), "not before its age: {:?}", started.elapsed());
    server.assert_still_serving().await;
}

#[tokio::test]
async fn without_a_max_age_a_connection_stays_open() {
    let server = Server::start(&[]);
    let (client, connection) = connect(&server.addr).await;
    classify_on(client.clone(), &server).await;
    tokio::time::sleep(WATCH).await;
    assert!(!connection.is_finished(), "the connection is still open after {WATCH:?}");
    classify_on(client, &server).await;
}
