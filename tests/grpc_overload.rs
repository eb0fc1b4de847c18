//! More work than the server can do: deadlines end calls with DEADLINE_EXCEEDED and their
//! queued work is dropped (the server's own `--request-timeout-secs` is tested in
//! `src/server/deadline.rs`, where a slow service needs no heavy batch), and a full queue sheds calls with RESOURCE_EXHAUSTED, after which
//! the server serves normally again.

mod common;

use std::time::{Duration, Instant};

use common::raw_grpc::{self, frame};
use common::{classify_request, pb, Server, SPORTS_COOPERATION};
use prost::Message;
use tonic::Code;

/// 1,024 articles of about 96 KB of seed articles, with every sentence's stance and ten
/// evidence terms: about 100 MB, half a second or more of work on one worker (the path has
/// grown fast enough that 32 MB took only 150–350 ms, too close to a call's fixed costs for
/// the deadline test to choose a deadline shorter than the work but longer than those).
fn heavy_batch() -> pb::ClassifyBatchRequest {
    let files = ["000_19dc4173db7db05b.txt", "001_96522f9657979dbd.txt", "004_aefd203c532625bc.txt"];
    let seeds = files.map(common::seed_text).join("\n\n");
    let text = seeds.repeat(96 * 1024 / seeds.len() + 1);
    let request = |i: usize| pb::ClassifyRequest { sentences: true, ..classify_request(&i.to_string(), &text, 10) };
    pb::ClassifyBatchRequest { requests: (0..1024).map(request).collect() }
}

/// Held by each test of this file for its whole run: each starts a server and loads it with
/// a heavy batch, and the deadline test measures its batch's length to choose a deadline,
/// which the other test's batch would stretch.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Room for [`heavy_batch`] and its answer (the default limits are 64 MiB a message, 64 MiB
/// in flight and 4 MiB an answer).
const HEAVY_MESSAGE_BYTES: &str = "134217728";

/// A `grpc-timeout` shorter than the work: DEADLINE_EXCEEDED naming it, and the work is
/// abandoned: the server's CPU time stops growing once the call ends, instead of growing by
/// the rest of the batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_shorter_than_the_work_is_deadline_exceeded_and_the_work_is_dropped() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = Server::start(&[
        "--workers",
        "1",
        "--max-message-bytes",
        HEAVY_MESSAGE_BYTES,
        "--max-bytes-in-flight",
        HEAVY_MESSAGE_BYTES,
        "--max-answer-bytes",
        HEAVY_MESSAGE_BYTES,
    ]);
    let batch = heavy_batch();
    let (cpu_before, started) = (common::cpu_ticks(server.pid()), Instant::now());
    let whole = server.client().await.classify_batch(batch.clone()).await.expect("without a deadline it completes");
    let (whole_cpu, whole_wall) = (common::cpu_ticks(server.pid()) - cpu_before, started.elapsed());
    assert_eq!(whole.into_inner().responses.len(), 1024);
    assert!(whole_cpu >= 10, "the batch should take measurable CPU time, took {whole_cpu} ticks");

    // A fifth of the batch's length, or of its CPU time if that is shorter (a busy machine
    // stretches the wall clock, not the work).
    let length = whole_wall.min(Duration::from_millis(whole_cpu * 10));
    let timeout = format!("{}m", (length / 5).as_millis().max(50));
    let headers = [("grpc-timeout", timeout.as_str())];
    let answer =
        raw_grpc::call(&server.addr, "/accord.v1.Classifier/ClassifyBatch", frame(&batch.encode_to_vec()), &headers)
            .await;
    assert_eq!(answer.code, Some(Code::DeadlineExceeded), "{answer:?}");
    assert!(answer.message.contains("longer than its grpc-timeout"), "{answer:?}");

    // The chunk running when the deadline passed finishes; nothing after it may run.
    let cpu_at_deadline = common::cpu_ticks(server.pid());
    tokio::time::sleep(whole_wall + Duration::from_millis(500)).await;
    let cpu_after = common::cpu_ticks(server.pid()) - cpu_at_deadline;
    eprintln!("whole batch: {whole_cpu} ticks in {whole_wall:?}; after the deadline: {cpu_after} ticks");
    assert!(cpu_after < whole_cpu / 4, "the abandoned batch kept running: {cpu_after} of {whole_cpu} ticks");
    server.assert_still_serving().await;
}

/// One worker, two queue places: while a large batch keeps the worker busy, a crowd of
/// small calls finds the queue full and is shed with RESOURCE_EXHAUSTED (none waits without
/// bound, none fails otherwise); the batch, admitted first, completes; then every call is
/// served again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_sheds_with_resource_exhausted_and_recovers() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = Server::start(&[
        "--workers",
        "1",
        "--max-pending",
        "2",
        "--max-message-bytes",
        HEAVY_MESSAGE_BYTES,
        "--max-bytes-in-flight",
        HEAVY_MESSAGE_BYTES,
        "--max-answer-bytes",
        HEAVY_MESSAGE_BYTES,
    ]);
    let mut batch_client = server.client().await;
    let batch = tokio::spawn(async move { batch_client.classify_batch(heavy_batch()).await });
    let client = server.client().await;
    let (mut served, mut shed) = (0, 0);
    while !batch.is_finished() && shed == 0 {
        let crowd = (0..16).map(|i| {
            let mut client = client.clone();
            tokio::spawn(async move { client.classify(classify_request(&i.to_string(), SPORTS_COOPERATION, 0)).await })
        });
        for call in crowd.collect::<Vec<_>>() {
            match call.await.expect("join") {
                Ok(_) => served += 1,
                Err(status) => {
                    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                    assert!(status.message().contains("--max-pending"), "{status:?}");
                    shed += 1;
                }
            }
        }
    }
    eprintln!("during the batch: {served} small calls served, {shed} shed");
    assert!(shed > 0, "no call was shed while the queue was full ({served} served)");
    let responses = batch.await.expect("join").expect("the admitted batch completes").into_inner().responses;
    assert_eq!(responses.len(), 1024);

    let mut client = client.clone();
    for i in 0..20 {
        client.classify(classify_request(&i.to_string(), SPORTS_COOPERATION, 0)).await.expect("served once idle");
    }
    server.assert_still_serving().await;
}
