//! The codec's hand-over of the worker thread. Here rather than in `codec.rs`, which the
//! tests and benches include too, so that these run once.

use std::sync::mpsc;
use std::time::Duration;

use super::codec::off_the_worker;

/// On a runtime of one worker, large work that waits for another task still lets that
/// task run: the worker is handed over. Without `block_in_place` the other task could
/// never run, and the wait would time out.
#[test]
fn large_work_hands_its_worker_over_to_the_other_tasks() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().expect("a runtime");
    runtime.block_on(async {
        let (sender, receiver) = mpsc::channel();
        let waiting =
            tokio::spawn(async move { off_the_worker(true, || receiver.recv_timeout(Duration::from_secs(10))) });
        tokio::task::yield_now().await;
        let sending = tokio::spawn(async move { sender.send("ran meanwhile") });
        let answer = waiting.await.expect("the waiting task ends");
        assert_eq!(answer, Ok("ran meanwhile"), "the other task never ran while the large work waited");
        drop(sending.await);
    });
}

#[test]
fn small_work_and_work_outside_a_runtime_run_in_place() {
    let thread = std::thread::current().id();
    assert_eq!(off_the_worker(true, || std::thread::current().id()), thread);
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    assert_eq!(runtime.block_on(async { off_the_worker(true, || 7) }), 7, "no panic on a current-thread runtime");
}

/// build.rs has every generated client and server use this codec, not tonic-prost's.
#[test]
fn the_generated_services_use_the_offloading_codec() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/accord.v1.rs"));
    assert!(generated.contains("super::codec::OffloadingCodec::default()"));
    assert!(!generated.contains("ProstCodec"), "some generated code still uses tonic-prost's codec");
}
