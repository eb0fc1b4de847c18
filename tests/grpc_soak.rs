//! A bounded soak: many concurrent clients on loopback for `ACCORD_SOAK_SECS` seconds
//! (default 20; docs/guarantees.md gives a 60 s run's figures), every method, below the shedding limit. No
//! call may fail, and the server's resident memory must stay flat from start to end.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{article, classify_request, pb, Server, SPORTS_COOPERATION, WORLD_TENSION};
use tokio_stream::StreamExt;

const CONNECTIONS: usize = 8;
const CLIENTS_PER_CONNECTION: usize = 16;

/// One client's loop: a mix of every Classifier method, round after round, until `until`.
async fn client_loop(
    mut client: common::ClassifierClient<tonic::transport::Channel>,
    seed: usize,
    until: Instant,
    calls: Arc<AtomicU64>,
    failures: Arc<AtomicU64>,
) {
    let texts = [SPORTS_COOPERATION, WORLD_TENSION];
    let mut round = seed;
    while Instant::now() < until {
        let text = format!("{} {}", texts[round % 2], texts[(round / 2) % 2].repeat(1 + round % 7));
        let ok = match round % 5 {
            0 => client.tokenize(pb::TokenizeRequest { article: article("t", "", &text) }).await.is_ok(),
            1 => client.vectorize(pb::VectorizeRequest { article: article("v", "", &text) }).await.is_ok(),
            2 => {
                let requests = (0..8).map(|i| classify_request(&i.to_string(), &text, 2)).collect();
                let answer = client.classify_batch(pb::ClassifyBatchRequest { requests }).await;
                answer.is_ok_and(|a| a.into_inner().responses.len() == 8)
            }
            3 => {
                let text = text.clone();
                let requests = (0..4).map(move |i| classify_request(&format!("s{i}"), &text, 0));
                match client.classify_stream(tokio_stream::iter(requests)).await {
                    Ok(inbound) => {
                        let answers: Vec<_> = inbound.into_inner().collect().await;
                        answers.len() == 4 && answers.iter().all(Result::is_ok)
                    }
                    Err(_) => false,
                }
            }
            _ => {
                let request = pb::ClassifyRequest { sentences: true, ..classify_request("c", &text, 3) };
                client.classify(request).await.is_ok_and(|a| a.into_inner().id == "c")
            }
        };
        calls.fetch_add(1, Ordering::Relaxed);
        if !ok {
            failures.fetch_add(1, Ordering::Relaxed);
        }
        round += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_at_high_concurrency_fails_no_call_and_keeps_memory_flat() {
    let seconds: u64 = std::env::var("ACCORD_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let server = Server::start(&[]);
    let (calls, failures) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut channels = Vec::new();
    for _ in 0..CONNECTIONS {
        channels.push(server.client().await);
    }
    // A short warm-up under the same load, so that the start figure is the server's working
    // size (allocator arenas, thread stacks), not its idle size.
    let warm_up = Duration::from_secs(seconds.min(60) / 10 + 1);
    let until = Instant::now() + warm_up + Duration::from_secs(seconds);
    let mut clients = Vec::new();
    for (c, client) in channels.iter().enumerate() {
        for k in 0..CLIENTS_PER_CONNECTION {
            let (calls, failures) = (Arc::clone(&calls), Arc::clone(&failures));
            clients.push(tokio::spawn(client_loop(client.clone(), c * 31 + k, until, calls, failures)));
        }
    }
    tokio::time::sleep(warm_up).await;
    let (rss_start, calls_at_start) = (common::rss_kib(server.pid()), calls.load(Ordering::Relaxed));
    for client in clients {
        client.await.expect("a client loop panicked");
    }
    let rss_end = common::rss_kib(server.pid());
    let (calls, failures) = (calls.load(Ordering::Relaxed) - calls_at_start, failures.load(Ordering::Relaxed));
    eprintln!(
        "soak: {seconds} s, {} concurrent clients, {calls} calls, {failures} failed, RSS {rss_start} KiB at start, {rss_end} KiB at end",
        CONNECTIONS * CLIENTS_PER_CONNECTION
    );
    assert_eq!(failures, 0, "{failures} of {calls} calls failed");
    assert!(calls > 0);
    // Generous, so that allocator noise never fails it; a leak per call would not fit.
    assert!(rss_end <= rss_start + rss_start / 2 + 16 * 1024, "RSS grew from {rss_start} KiB to {rss_end} KiB");
    server.assert_still_serving().await;
}
