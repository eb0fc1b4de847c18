//! gzip on the wire: a compressed request is answered like a plain one, a client that
//! accepts gzip gets a compressed answer when the server is started with `--gzip-answers`,
//! and a request that inflates past the size limit is refused with RESOURCE_EXHAUSTED
//! without harming the server.

mod common;

use std::io::Write;

use common::raw_grpc;
use common::{classify_request, pb, Server, SPORTS_COOPERATION};
use flate2::write::GzEncoder;
use prost::Message;
use tonic::codec::CompressionEncoding;
use tonic::Code;

const CLASSIFY: &str = "/accord.v1.Classifier/Classify";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compresses");
    encoder.finish().expect("compresses")
}

/// One gRPC frame of the gzipped message, its flag set to "compressed".
fn compressed_frame(message: &[u8]) -> bytes::Bytes {
    let mut framed = raw_grpc::frame(&gzip(message)).to_vec();
    framed[0] = 1;
    framed.into()
}

/// The same answer, and the call's log line names the request's encoding (a plain call's
/// names none).
#[tokio::test]
async fn a_gzip_request_gets_the_same_answer_as_a_plain_one() {
    let server = Server::start(&["--log-format", "json"]);
    let request = || classify_request("g", &SPORTS_COOPERATION.repeat(20), 3);
    let plain = server.client().await.classify(request()).await.expect("plain call").into_inner();
    let mut gzip_client = server.client().await.send_compressed(CompressionEncoding::Gzip);
    let compressed = gzip_client.classify(request()).await.expect("a gzip request is accepted").into_inner();
    assert_eq!(compressed, plain);
    let calls = server.finished_calls().await;
    let encodings: Vec<Option<&str>> = calls.iter().map(|line| line["span"]["encoding"].as_str()).collect();
    assert_eq!(encodings, [None, Some("gzip")]);
}

#[tokio::test]
async fn a_gzip_frame_sent_by_hand_is_inflated_and_answered() {
    let server = Server::start(&[]);
    let message = classify_request("h", SPORTS_COOPERATION, 0).encode_to_vec();
    let answer = raw_grpc::call(&server.addr, CLASSIFY, compressed_frame(&message), &[("grpc-encoding", "gzip")]).await;
    assert_eq!(answer.code, Some(Code::Ok), "{answer:?}");
    let response = pb::ClassifyResponse::decode(&answer.body[5..]).expect("an uncompressed answer");
    assert_eq!(response.id, "h");
}

const ACCEPTS_GZIP: (&str, &str) = ("grpc-accept-encoding", "gzip");

/// Without `--gzip-answers`, answers are plain whatever the client accepts.
#[tokio::test]
async fn answers_are_plain_by_default() {
    let server = Server::start(&[]);
    let message = raw_grpc::frame(&classify_request("a", &SPORTS_COOPERATION.repeat(20), 5).encode_to_vec());
    let answer = raw_grpc::call(&server.addr, CLASSIFY, message, &[ACCEPTS_GZIP]).await;
    assert_eq!((answer.code, answer.body.first()), (Some(Code::Ok), Some(&0)), "{answer:?}");
}

#[tokio::test]
async fn with_gzip_answers_a_client_that_accepts_gzip_gets_a_compressed_answer() {
    let server = Server::start(&["--gzip-answers"]);
    let message = raw_grpc::frame(&classify_request("a", &SPORTS_COOPERATION.repeat(20), 5).encode_to_vec());
    let plain = raw_grpc::call(&server.addr, CLASSIFY, message.clone(), &[]).await;
    assert_eq!((plain.code, plain.body.first()), (Some(Code::Ok), Some(&0)), "not accepted, not compressed");
    let answer = raw_grpc::call(&server.addr, CLASSIFY, message, &[ACCEPTS_GZIP]).await;
    assert_eq!(answer.code, Some(Code::Ok), "{answer:?}");
    assert_eq!(answer.body.first(), Some(&1), "the answer's frame is marked compressed");
    let mut inflated = Vec::new();
    let mut decoder = flate2::write::GzDecoder::new(&mut inflated);
    decoder.write_all(&answer.body[5..]).and_then(|()| decoder.finish().map(|_| ())).expect("gzip");
    assert_eq!(pb::ClassifyResponse::decode(inflated.as_slice()).expect("decodes"), {
        pb::ClassifyResponse::decode(&plain.body[5..]).expect("decodes")
    });
    assert!(answer.body.len() < plain.body.len(), "{} bytes compressed, {} plain", answer.body.len(), plain.body.len());
}

/// 8 MiB of zeros in a text field compress to about 8 KB; the server's limit is 1 MiB after
/// inflating, so it stops inflating there.
#[tokio::test]
async fn a_request_that_inflates_past_the_limit_is_resource_exhausted() {
    let server = Server::start(&["--max-message-bytes", "1048576"]);
    let message = classify_request("bomb", &"\0".repeat(8 << 20), 0).encode_to_vec();
    let frame = compressed_frame(&message);
    assert!(frame.len() < 64 * 1024, "{} bytes on the wire", frame.len());
    let answer = raw_grpc::call(&server.addr, CLASSIFY, frame, &[("grpc-encoding", "gzip")]).await;
    assert_eq!(answer.code, Some(Code::ResourceExhausted), "{answer:?}");
    assert!(answer.message.contains("1048576"), "{answer:?}");
    server.assert_still_serving().await;
}
