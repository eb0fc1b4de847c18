//! Startup that tells the truth: a SIGHUP while the model loads does not kill the process,
//! TLS material that cannot be used stops the server before its ready file is written, and
//! the admin token never appears on the command line.

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::pb::admin_client::AdminClient;
use common::pb::ReloadModelRequest;
use common::{repo_root, Server};
use tonic::Request;

/// Waits for `child` to exit, for at most ten seconds.
fn exit_status(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether `pid` has a handler for SIGHUP (bit 0 of `SigCgt` in /proc/<pid>/status).
fn catches_sighup(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let caught = status.lines().find_map(|line| line.strip_prefix("SigCgt:"));
    caught.and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok()).is_some_and(|mask| mask & 1 == 1)
}

#[test]
fn a_sighup_while_the_model_loads_does_not_kill_the_server() {
    // The shipped model takes tens of milliseconds to load. The signal is sent once the process
    // handles SIGHUP (before that, the kernel's default ends any process) and before its ready
    // file exists; on a machine so slow that the model loaded first, the server is started again.
    for _ in 0..5 {
        let (mut child, dir) = Server::spawn(&repo_root().join("models"), &[], &[]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !catches_sighup(child.id()) {
            assert!(child.try_wait().expect("try_wait").is_none(), "{}", common::read_log(dir.path()));
            assert!(Instant::now() < deadline, "the server never handled SIGHUP");
            std::thread::sleep(Duration::from_micros(200));
        }
        let loading = !dir.path().join("ready").exists();
        let sent = std::process::Command::new("kill").args(["-s", "HUP", &child.id().to_string()]).status();
        assert!(sent.expect("kill runs").success());
        while !dir.path().join("ready").exists() {
            if let Some(status) = child.try_wait().expect("try_wait") {
                panic!("the server died of an early SIGHUP: {status}\n{}", common::read_log(dir.path()));
            }
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(child.try_wait().expect("try_wait").is_none(), "the server is running");
        let _ = child.kill();
        let _ = child.wait();
        if loading {
            return;
        }
    }
    panic!("the model loaded before SIGHUP could be sent, five times");
}

#[test]
fn unusable_tls_material_stops_the_server_before_the_ready_file() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
    let other = rcgen::KeyPair::generate().expect("another key");
    let keys = tempfile::tempdir().expect("tempdir");
    let cert = keys.path().join("cert.pem");
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    let cases = [("garbage.pem", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n".to_owned())];
    let cases = cases.into_iter().chain([("other.pem", other.serialize_pem())]);
    for (name, pem) in cases {
        let key = keys.path().join(name);
        std::fs::write(&key, pem).expect("write key");
        let flags = ["--tls-cert", cert.to_str().expect("utf-8"), "--tls-key", key.to_str().expect("utf-8")];
        let (mut child, dir) = Server::spawn(common::fixture_models_dir(), &flags, &[]);
        let status = exit_status(&mut child);
        assert!(!status.success(), "{name}: the server started with an unusable key");
        assert!(!dir.path().join("ready").exists(), "{name}: the ready file was written before the TLS check");
    }
}

#[tokio::test]
async fn the_admin_token_comes_from_a_file_and_never_from_the_command_line() {
    const TOKEN: &str = "token-from-a-file";
    let file = tempfile::NamedTempFile::new().expect("token file");
    std::fs::write(file.path(), format!("{TOKEN}\n")).expect("write token");
    let path = file.path().to_str().expect("utf-8");
    let server = Server::start(&["--admin-token-file", path]);
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", server.pid())).expect("cmdline");
    assert!(!String::from_utf8_lossy(&cmdline).contains(TOKEN), "the token is visible in ps");
    let mut request = Request::new(ReloadModelRequest { version: "default".into() });
    request.metadata_mut().insert("authorization", format!("Bearer {TOKEN}").parse().expect("ascii"));
    let mut admin = AdminClient::new(server.channel().await);
    admin.reload_model(request).await.expect("the token from the file is accepted");

    let (mut child, _dir) = Server::spawn(common::fixture_models_dir(), &["--admin-token", TOKEN], &[]);
    assert!(!exit_status(&mut child).success(), "--admin-token on the command line is refused");
}
