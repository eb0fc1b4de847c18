//! The client subcommands (`health`, `info --server`, `reload`) against a live server: each
//! takes `HOST:PORT` or a URL, reaches a TLS server with `--ca-cert` (or `--tls` and the
//! system's roots), and ends quietly with status 0 when its standard output is closed.

mod common;

use std::process::{Command, Output, Stdio};

use common::{fixture_version, reload_models_dir, Server};

const TOKEN: &str = "cli-admin-token";

fn accord(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.args(args).env_remove("ACCORD_SERVER").env_remove("ACCORD_ADMIN_TOKEN").env_remove("SSL_CERT_FILE");
    command
}

fn run(mut command: impl std::borrow::BorrowMut<Command>) -> Output {
    command.borrow_mut().output().expect("accord runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `command` with its standard output a pipe whose reader is already gone, as after
/// `| head -1` has read its line: the first write fails with EPIPE.
fn run_into_closed_pipe(command: &mut Command) -> Output {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("accord starts");
    drop(child.stdout.take());
    child.wait_with_output().expect("accord finishes")
}

fn assert_quiet_success(what: &str, output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{what} into a closed pipe: {}", stderr(output));
    assert_eq!(stderr(output), "", "{what} into a closed pipe said something");
}

/// A self-signed certificate for `localhost`, as PEM files in a folder.
struct SelfSigned {
    dir: tempfile::TempDir,
}

impl SelfSigned {
    fn new() -> Self {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("cert.pem"), certified.cert.pem()).expect("write cert");
        std::fs::write(dir.path().join("key.pem"), certified.signing_key.serialize_pem()).expect("write key");
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

#[test]
fn every_client_subcommand_takes_an_address_or_a_url() {
    let (dir, first, _) = reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    for address in [server.addr.clone(), server.endpoint()] {
        let health = run(accord(&["health", "--server", &address]));
        assert!(health.status.success(), "health --server {address}: {}", stderr(&health));
        let info = run(accord(&["info", "--server", &address]));
        assert!(info.status.success(), "info --server {address}: {}", stderr(&info));
        assert!(stdout(&info).starts_with(&format!("served model {first} ")), "{}", stdout(&info));
        let reload =
            run(accord(&["reload", "--server", &address, "--version", "default"]).env("ACCORD_ADMIN_TOKEN", TOKEN));
        assert!(reload.status.success(), "reload --server {address}: {}", stderr(&reload));
        assert_eq!(stdout(&reload).trim(), format!("reloaded: {first} -> {first}"));
    }
    let refused = run(accord(&["reload", "--server", &server.addr]).env("ACCORD_ADMIN_TOKEN", "wrong"));
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("UNAUTHENTICATED"), "{}", stderr(&refused));
}

#[test]
fn info_asks_the_server_with_server_and_reads_the_folder_without() {
    // The server serves the fixture model; the folder given holds the shipped one.
    let server = Server::start(&[]);
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let served = run(accord(&["info", "--server", &server.addr, "--json"]));
    assert!(served.status.success(), "{}", stderr(&served));
    let served: serde_json::Value = serde_json::from_slice(&served.stdout).expect("ModelInfo JSON");
    assert_eq!(served["version"], fixture_version().as_str());
    let local = run(accord(&["info", "--models-dir", shipped, "--json"]));
    assert!(local.status.success(), "{}", stderr(&local));
    let local: serde_json::Value = serde_json::from_slice(&local.stdout).expect("ModelInfo JSON");
    let shipped_version = accord::ModelStore::new(shipped).load(None).expect("shipped model").version().to_owned();
    assert_eq!(local["version"], shipped_version.as_str());
    assert_ne!(local["version"], served["version"]);
    let help = stdout(&run(accord(&["info", "--help"])));
    assert!(help.contains("--server") && help.contains("GetModelInfo"), "{help}");
    assert!(help.contains("Without --server, info reads the model from the models folder"), "{help}");
}

#[test]
fn a_tls_server_is_reached_with_its_ca_certificate_or_the_system_roots() {
    let certificate = SelfSigned::new();
    let (cert, key) = (certificate.path("cert.pem"), certificate.path("key.pem"));
    let dir = reload_models_dir().0;
    let server =
        Server::start_with(dir.path(), &["--tls-cert", &cert, "--tls-key", &key], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let port = server.addr.rsplit(':').next().expect("a port");
    let (address, url) = (format!("localhost:{port}"), format!("https://localhost:{port}"));

    for target in [&address, &url] {
        let health = run(accord(&["health", "--server", target, "--ca-cert", &cert]));
        assert!(health.status.success(), "health --server {target} --ca-cert: {}", stderr(&health));
        let info = run(accord(&["info", "--server", target, "--ca-cert", &cert]));
        assert!(info.status.success(), "info --server {target} --ca-cert: {}", stderr(&info));
        let reload = run(accord(&["reload", "--server", target, "--ca-cert", &cert]).env("ACCORD_ADMIN_TOKEN", TOKEN));
        assert!(reload.status.success(), "reload --server {target} --ca-cert: {}", stderr(&reload));
    }
    // --tls trusts the system's roots, which SSL_CERT_FILE names.
    let system = run(accord(&["health", "--server", &address, "--tls"]).env("SSL_CERT_FILE", &cert));
    assert!(system.status.success(), "health --tls with SSL_CERT_FILE: {}", stderr(&system));

    // Without TLS, or trusting another certificate, the server is not reached.
    let plain = run(accord(&["health", "--server", &address, "--timeout-secs", "5"]));
    assert!(!plain.status.success(), "a plaintext health check reached the TLS server");
    let other = SelfSigned::new();
    let untrusting = run(accord(&["info", "--server", &address, "--ca-cert", &other.path("cert.pem")]));
    assert_eq!(untrusting.status.code(), Some(1), "{}", stderr(&untrusting));
    assert!(stderr(&untrusting).contains("cannot reach https://localhost:"), "{}", stderr(&untrusting));
    let missing = run(accord(&["health", "--server", &address, "--ca-cert", "/no/such/ca.pem"]));
    assert!(stderr(&missing).contains("/no/such/ca.pem"), "{}", stderr(&missing));
    let mixed = run(accord(&["health", "--server", &server.endpoint(), "--ca-cert", &cert]));
    assert!(!mixed.status.success() && stderr(&mixed).contains("https://"), "{}", stderr(&mixed));
}

#[test]
fn a_closed_standard_output_ends_every_printing_subcommand_quietly() {
    let (dir, _, _) = reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let cases: Vec<(&str, Command)> = vec![
        ("info", accord(&["info", "--models-dir", shipped])),
        ("info --json", accord(&["info", "--models-dir", shipped, "--json"])),
        ("info --server", accord(&["info", "--server", &server.addr])),
        ("health", accord(&["health", "--server", &server.addr])),
        ("reload", {
            let mut reload = accord(&["reload", "--server", &server.addr]);
            reload.env("ACCORD_ADMIN_TOKEN", TOKEN);
            reload
        }),
        ("--help", accord(&["--help"])),
    ];
    for (what, mut command) in cases {
        assert_quiet_success(what, &run_into_closed_pipe(&mut command));
    }
}
