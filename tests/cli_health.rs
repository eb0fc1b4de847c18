//! `accord health`, the container's HEALTHCHECK, against a live server: exit 0 and SERVING
//! while it serves; non-zero with the reason while it drains, for an unknown service, and
//! once it has stopped.

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use common::Server;

fn health(server: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["health", "--server", server, "--timeout-secs", "5"])
        .args(extra)
        .env_remove("ACCORD_SERVER")
        .output()
        .expect("accord health runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_serving_server_is_healthy_and_a_stopped_one_is_not() {
    let mut server = Server::start(&[]);
    // A bare IP:PORT works, as in a HEALTHCHECK line.
    let whole = health(&server.addr, &[]);
    assert!(whole.status.success(), "a serving server reported unhealthy: {}", stderr(&whole));
    assert_eq!(String::from_utf8_lossy(&whole.stdout).trim(), "SERVING");
    let classifier = health(&server.endpoint(), &["--service", "accord.v1.Classifier"]);
    assert!(classifier.status.success(), "{}", stderr(&classifier));

    let unknown = health(&server.addr, &["--service", "no.such.Service"]);
    assert!(!unknown.status.success(), "an unknown service was reported healthy");
    assert!(stderr(&unknown).contains("no.such.Service"), "{}", stderr(&unknown));

    server.signal("TERM");
    server.wait(Duration::from_secs(30));
    let stopped = health(&server.addr, &[]);
    assert!(!stopped.status.success(), "a stopped server was reported healthy");
    assert!(stderr(&stopped).contains("cannot reach"), "{}", stderr(&stopped));
}

#[test]
fn a_draining_server_is_reported_not_serving() {
    // While it drains, the server still answers, with NOT_SERVING: the probe must fail so
    // that load balancers stop sending it calls.
    let server = Server::start(&["--drain-secs", "20"]);
    server.signal("TERM");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let output = loop {
        let output = health(&server.addr, &["--service", "accord.v1.Classifier"]);
        if !output.status.success() || std::time::Instant::now() > deadline {
            break output;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!output.status.success(), "a draining server was still reported healthy");
    assert!(stderr(&output).contains("NOT_SERVING"), "{}", stderr(&output));
}
