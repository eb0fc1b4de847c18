//! At the open-files limit the server pauses its listener instead of spinning on failed
//! accepts: it serves the connections it has, logs the failures at most once a second, and
//! takes new connections again once descriptors are freed.

mod common;

use std::time::Duration;

use common::{classify_request, cpu_ticks, Server, SPORTS_COOPERATION};

/// The server's open-files limit: its own descriptors (standard streams, listener, runtime,
/// model file) take about a dozen, so the connections below exhaust it.
const OPEN_FILES: u64 = 64;
/// Connections opened against it, each never sending a byte.
const CONNECTIONS: usize = 150;
/// How long the server's CPU time is watched while its descriptors are exhausted.
const WATCH: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptor_exhaustion_neither_spins_nor_stops_service() {
    let server = Server::start_with_open_files(OPEN_FILES, &[]);
    let mut established = server.client().await;
    let silent: Vec<std::net::TcpStream> =
        (0..CONNECTIONS).map(|_| std::net::TcpStream::connect(&server.addr).expect("the backlog takes it")).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let before = cpu_ticks(server.pid());
    tokio::time::sleep(WATCH).await;
    let spent = cpu_ticks(server.pid()) - before;
    // A spinning accept loop spends the whole interval (200 ticks); a paused one next to none.
    assert!(spent <= 20, "the server used {spent} ticks of CPU in {WATCH:?} while out of descriptors");

    let answer = established.classify(classify_request("during", SPORTS_COOPERATION, 0)).await;
    assert!(answer.is_ok(), "a connection the server already had is served: {answer:?}");
    let log = server.log();
    let warnings = log.lines().filter(|line| line.contains("cannot accept connections")).count();
    assert!((1..=4).contains(&warnings), "{warnings} accept warnings in {WATCH:?}:\n{log}");

    drop(silent);
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.assert_still_serving().await;
}
