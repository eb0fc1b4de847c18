//! Answers a client does not read stay charged to `--max-bytes-in-flight` until HTTP/2 has
//! written them, and are dropped at the call's deadline: slow readers cannot hold memory the
//! budget does not see, nor hold it past their deadline. The budget's bytes held are read
//! from the metrics endpoint (`accord_inflight_bytes`).

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::raw_grpc::{self, frame};
use common::scrape::{metrics_addr, scrape};
use common::{article, pb, Server};
use prost::Message;
use tonic::Code;

const TOKENIZE: &str = "/accord.v1.Classifier/Tokenize";
const BATCH: &str = "/accord.v1.Classifier/ClassifyBatch";
/// The most bytes of an answer the server hands to HTTP/2 at once (`server::unsent::PIECE`).
const PIECE: f64 = (64 << 10) as f64;

/// A Tokenize request of about 400 KB whose answer is about 2 MB (a token entry per three
/// bytes of text).
fn tokenize_body() -> Bytes {
    let request = pb::TokenizeRequest { article: article("t", "", &"ab ".repeat(135_000)) };
    frame(&request.encode_to_vec())
}

fn inflight_bytes(metrics: &str) -> f64 {
    scrape(metrics).get("accord_inflight_bytes").copied().expect("accord_inflight_bytes")
}

/// Waits up to `seconds` for the bytes held to satisfy `ok`; returns the last value read.
async fn wait_for_inflight(metrics: &str, seconds: u64, ok: impl Fn(f64) -> bool) -> f64 {
    let until = Instant::now() + Duration::from_secs(seconds);
    loop {
        let held = inflight_bytes(metrics);
        if ok(held) || Instant::now() > until {
            return held;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A call whose answer is never read: its connection stays up (PINGs answered), but the
/// client never opens its window past HTTP/2's initial 64 KiB.
struct SlowReader {
    answer: h2::client::ResponseFuture,
    connection: tokio::task::JoinHandle<Result<(), h2::Error>>,
}

impl SlowReader {
    async fn start(addr: &str, headers: &[(&str, &str)]) -> Self {
        let (client, connection) = raw_grpc::connect(addr).await;
        let (answer, mut request) = raw_grpc::open(client, addr, TOKENIZE, headers).await;
        request.send_data(tokenize_body(), true).expect("sends the request");
        Self { answer, connection }
    }

    /// Closes the connection: the client goes away without reading.
    fn vanish(self) {
        self.connection.abort();
    }
}

/// While three slow readers hold about 2 MB of answer each, an 8 MiB budget has no room for
/// a 3 MiB request: it is refused naming `--max-bytes-in-flight`. Once the readers go, the
/// budget is whole again and the same request is answered.
#[tokio::test]
async fn unread_answers_hold_the_budget_until_their_readers_go() {
    let server = Server::start(&["--max-bytes-in-flight", &(8 << 20).to_string(), "--metrics-addr", "127.0.0.1:0"]);
    let metrics = metrics_addr(&server);
    let mut readers = Vec::new();
    for _ in 0..3 {
        readers.push(SlowReader::start(&server.addr, &[]).await);
    }
    // Until the three answers are computed and held, or for 10 s.
    let held = wait_for_inflight(&metrics, 10, |held| held >= 5.5e6).await;

    let request =
        pb::ClassifyRequest { article: article("b", "", &"Coach and striker. ".repeat(21_000)), ..Default::default() };
    let three_mib = frame(&pb::ClassifyBatchRequest { requests: vec![request; 8] }.encode_to_vec());
    assert!(three_mib.len() > 3 << 20, "{} bytes", three_mib.len());
    let answer = raw_grpc::call(&server.addr, BATCH, three_mib.clone(), &[]).await;
    assert_eq!(answer.code, Some(Code::ResourceExhausted), "{}", answer.message);
    assert!(answer.message.contains("--max-bytes-in-flight"), "{answer:?}");
    assert!(held >= 5.5e6, "three unread 2 MB answers hold {held} bytes of the budget");

    for reader in readers {
        reader.vanish();
    }
    let held = wait_for_inflight(&metrics, 20, |held| held == 0.0).await;
    assert_eq!(held, 0.0, "the answers' charge was given back when their connections closed");
    let answer = raw_grpc::call(&server.addr, BATCH, three_mib, &[]).await;
    assert_eq!(answer.code, Some(Code::Ok), "{}", answer.message);
}

/// An answer unread at its 2 s grpc-timeout is dropped: the budget keeps at most the two
/// pieces HTTP/2 already holds (one sent into the client's window, one waiting for it). A
/// client that reads afterwards gets those pieces and DEADLINE_EXCEEDED, and nothing stays
/// charged.
#[tokio::test]
async fn an_answer_unread_at_its_deadline_is_dropped() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let metrics = metrics_addr(&server);
    let started = Instant::now();
    let reader = SlowReader::start(&server.addr, &[("grpc-timeout", "2S")]).await;
    let held = wait_for_inflight(&metrics, 2, |held| held >= 1.8e6).await;
    assert!(held >= 1.8e6, "the unread 2 MB answer holds {held} bytes of the budget");
    let held = wait_for_inflight(&metrics, 10, |held| held <= 2.0 * PIECE).await;
    assert!(held <= 2.0 * PIECE, "{held} bytes still held after the deadline");
    assert!(started.elapsed() >= Duration::from_secs(2), "dropped before its deadline: {:?}", started.elapsed());

    let answer = raw_grpc::answer(reader.answer).await;
    assert_eq!(answer.code, Some(Code::DeadlineExceeded), "{answer:?}");
    assert!(answer.message.contains("grpc-timeout"), "{answer:?}");
    assert!(answer.body.len() as f64 <= 2.0 * PIECE, "{} bytes of the answer were sent", answer.body.len());
    let held = wait_for_inflight(&metrics, 5, |held| held == 0.0).await;
    assert_eq!(held, 0.0, "the pieces' charge was given back once they were written");
    drop(reader.connection);
    server.assert_still_serving().await;
}

/// An answer read at once is whole, in order, and gives back all it was charged.
#[tokio::test]
async fn an_answer_read_at_once_is_whole_and_gives_back_its_charge() {
    let server = Server::start(&["--metrics-addr", "127.0.0.1:0"]);
    let metrics = metrics_addr(&server);
    let answer = raw_grpc::call(&server.addr, TOKENIZE, tokenize_body(), &[]).await;
    assert_eq!(answer.code, Some(Code::Ok), "{}", answer.message);
    let tokens = pb::TokenizeResponse::decode(&answer.body[5..]).expect("one whole answer message");
    assert_eq!(tokens.tokens.len(), 135_000);
    assert!(tokens.tokens.windows(2).all(|pair| pair[0].start < pair[1].start), "tokens in order");
    let held = wait_for_inflight(&metrics, 5, |held| held == 0.0).await;
    assert_eq!(held, 0.0);
}
