//! `--otlp-endpoint https://…`: spans reach a collector that serves TLS when its certificate
//! is trusted, through `--otlp-ca-cert` or the system's roots (`SSL_CERT_FILE` stands in for
//! them here, `SSL_CERT_DIR` emptied), and never reach one that is not, while calls are
//! answered either way. A collector that requires a client certificate (mTLS) gets spans
//! from a server given one its CA signed (`--otlp-client-cert`, `--otlp-client-key`), and
//! nothing from a server without one. A CA, certificate or key file that cannot be used
//! stops the server before it listens; `--otlp-ca-cert` or `--otlp-client-cert` with a
//! plaintext endpoint, or a client certificate without its key, is a usage error. The
//! collector and its CAs are made inside the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use common::otlp::{classify, span_of, start_mtls_collector, start_tls_collector, ARRIVAL};
use common::Server;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use tonic::transport::{Certificate, Identity};

/// A CA made for one test, and the folder its files are written to.
struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    dir: tempfile::TempDir,
}

impl TestCa {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().expect("a CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("a CA certificate");
        Self { issuer, dir: tempfile::tempdir().expect("tempdir") }
    }

    /// The CA's certificate, written as PEM to `name`.
    fn write_certificate(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, self.issuer.pem()).expect("write the CA certificate");
        path
    }

    /// A server certificate for 127.0.0.1 signed by this CA, with its key.
    fn collector_identity(&self) -> Identity {
        let params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("server parameters");
        let key = KeyPair::generate().expect("a server key");
        let certificate = params.signed_by(&key, &self.issuer).expect("a server certificate");
        Identity::from_pem(certificate.pem(), key.serialize_pem())
    }

    /// The CA's certificate, as a collector that requires client certificates trusts it.
    fn certificate(&self) -> Certificate {
        Certificate::from_pem(self.issuer.pem())
    }

    /// A client certificate signed by this CA and its key, written as PEM to `NAME.pem` and
    /// `NAME.key`.
    fn write_client_identity(&self, name: &str) -> (PathBuf, PathBuf) {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client parameters");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().expect("a client key");
        let certificate = params.signed_by(&key, &self.issuer).expect("a client certificate");
        let (cert_path, key_path) =
            (self.dir.path().join(format!("{name}.pem")), self.dir.path().join(format!("{name}.key")));
        std::fs::write(&cert_path, certificate.pem()).expect("write the client certificate");
        std::fs::write(&key_path, key.serialize_pem()).expect("write the client key");
        (cert_path, key_path)
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// The environment that makes the certificates in `file` the system's roots, and nothing
/// else (an empty `SSL_CERT_DIR` names no folder).
fn system_roots(file: &Path) -> [(&'static str, &str); 2] {
    [("SSL_CERT_FILE", path_str(file)), ("SSL_CERT_DIR", "")]
}

/// Serves the fixture model exporting to `collector` with `flags`, spans sent within 100 ms,
/// the system's roots being the certificates in `roots`.
fn serve(collector: &str, flags: &[&str], roots: &Path) -> Server {
    let flags = [&["--otlp-endpoint", collector][..], flags].concat();
    let env = [&[("OTEL_BSP_SCHEDULE_DELAY", "100")][..], &system_roots(roots)].concat();
    Server::start_with(common::fixture_models_dir(), &flags, &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_span_reaches_a_tls_collector_signed_by_the_ca_given() {
    let (ca, elsewhere) = (TestCa::new(), TestCa::new());
    let (collector, mut received) = start_tls_collector(ca.collector_identity()).await;
    assert!(collector.starts_with("https://127.0.0.1:"), "{collector}");
    let ca_file = ca.write_certificate("ca.pem");
    let server = serve(&collector, &["--otlp-ca-cert", path_str(&ca_file)], &elsewhere.write_certificate("roots.pem"));
    assert_eq!(classify(&server, "tls-1", None).await, "tls-1");
    let span = span_of(&mut received, "tls-1").await;
    assert_eq!(span.name, "accord.v1.Classifier/Classify", "{span:?}");
    assert_eq!(span.attributes.get("status_code").map(String::as_str), Some("OK"), "{span:?}");
    assert!(!server.log().contains("cannot export spans"), "{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_ca_file_the_system_roots_are_trusted() {
    let ca = TestCa::new();
    let (collector, mut received) = start_tls_collector(ca.collector_identity()).await;
    let server = serve(&collector, &[], &ca.write_certificate("roots.pem"));
    classify(&server, "roots-1", None).await;
    let span = span_of(&mut received, "roots-1").await;
    assert_eq!(span.attributes.get("status_code").map(String::as_str), Some("OK"), "{span:?}");
}

/// A collector whose certificate neither the system's roots nor `--otlp-ca-cert` vouch
/// for gets nothing: the failed handshake is logged as a failed export, and the calls are
/// answered all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_collector_receives_nothing_and_calls_are_answered() {
    let (ca, other) = (TestCa::new(), TestCa::new());
    let roots = other.write_certificate("roots.pem");
    let other_ca = other.write_certificate("other-ca.pem");
    for flags in [&[][..], &["--otlp-ca-cert", path_str(&other_ca)][..]] {
        let (collector, mut received) = start_tls_collector(ca.collector_identity()).await;
        let server = serve(&collector, flags, &roots);
        for i in 0..3 {
            let request_id = format!("untrusted-{i}");
            assert_eq!(classify(&server, &request_id, None).await, request_id, "{flags:?}");
        }
        let deadline = Instant::now() + ARRIVAL;
        while !server.log().contains("cannot export spans") {
            assert!(Instant::now() < deadline, "{flags:?}: no export failure logged:\n{}", server.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(received.try_recv().is_err(), "{flags:?}: the untrusted collector received a span");
        server.assert_still_serving().await;
    }
}

/// A collector that requires a client certificate signed by its CA gets the spans of a
/// server given one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_span_reaches_a_collector_that_requires_the_client_certificate_given() {
    let ca = TestCa::new();
    let (collector, mut received) = start_mtls_collector(ca.collector_identity(), ca.certificate()).await;
    let (cert, key) = ca.write_client_identity("client");
    let ca_file = ca.write_certificate("ca.pem");
    let flags = ["--otlp-ca-cert", path_str(&ca_file)];
    let identity = ["--otlp-client-cert", path_str(&cert), "--otlp-client-key", path_str(&key)];
    let server = serve(&collector, &[&flags[..], &identity].concat(), &ca_file);
    assert_eq!(classify(&server, "mtls-1", None).await, "mtls-1");
    let span = span_of(&mut received, "mtls-1").await;
    assert_eq!(span.name, "accord.v1.Classifier/Classify", "{span:?}");
    assert!(!server.log().contains("cannot export spans"), "{}", server.log());
}

/// Without a client certificate, or with one its CA did not sign, a collector that requires
/// one gets nothing: the refused handshake is logged as a failed export, and the calls are
/// answered all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_requires_a_client_certificate_receives_nothing_without_one() {
    let (ca, other) = (TestCa::new(), TestCa::new());
    let ca_file = ca.write_certificate("ca.pem");
    let (foreign_cert, foreign_key) = other.write_client_identity("foreign");
    let with_ca = ["--otlp-ca-cert", path_str(&ca_file)];
    let foreign = ["--otlp-client-cert", path_str(&foreign_cert), "--otlp-client-key", path_str(&foreign_key)];
    for flags in [with_ca.to_vec(), [&with_ca[..], &foreign].concat()] {
        let (collector, mut received) = start_mtls_collector(ca.collector_identity(), ca.certificate()).await;
        let server = serve(&collector, &flags, &ca_file);
        for i in 0..3 {
            let request_id = format!("no-client-cert-{i}");
            assert_eq!(classify(&server, &request_id, None).await, request_id, "{flags:?}");
        }
        let deadline = Instant::now() + ARRIVAL;
        while !server.log().contains("cannot export spans") {
            assert!(Instant::now() < deadline, "{flags:?}: no export failure logged:\n{}", server.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(received.try_recv().is_err(), "{flags:?}: the collector received a span");
        server.assert_still_serving().await;
    }
}

/// How a server that should not start ended, with its log and whether it wrote its ready
/// file; it must end within 30 s.
fn refused_start(flags: &[&str], env: &[(&str, &str)]) -> (ExitStatus, String, bool) {
    let (mut child, dir) = Server::spawn(common::fixture_models_dir(), flags, env);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server kept running with {flags:?}:\n{}", common::read_log(dir.path()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, common::read_log(dir.path()), dir.path().join("ready").exists())
}

#[test]
fn a_ca_file_that_cannot_be_used_stops_the_server_before_it_listens_naming_the_file() {
    let files = tempfile::tempdir().expect("tempdir");
    let key = KeyPair::generate().expect("a key");
    let cases = [
        ("missing.pem", None),
        ("garbage.pem", Some("not a certificate\n".to_owned())),
        ("broken.pem", Some("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n".to_owned())),
        ("key-only.pem", Some(key.serialize_pem())),
    ];
    for (name, contents) in cases {
        let path = files.path().join(name);
        if let Some(contents) = contents {
            std::fs::write(&path, contents).expect("write the CA file");
        }
        let flags = ["--otlp-endpoint", "https://127.0.0.1:4317", "--otlp-ca-cert", path_str(&path)];
        let (status, log, ready) = refused_start(&flags, &[]);
        assert!(!status.success(), "{name}: the server started:\n{log}");
        assert!(log.contains(path_str(&path)), "{name}: the error does not name the file:\n{log}");
        assert!(!ready, "{name}: the ready file was written before the CA was checked");
    }
}

/// Without `--otlp-ca-cert`, system roots that hold no certificate would fail every
/// export: the server stops at start instead, naming the endpoint.
#[test]
fn without_a_ca_file_empty_system_roots_stop_the_server_before_it_listens() {
    let files = tempfile::tempdir().expect("tempdir");
    let empty = files.path().join("empty.pem");
    std::fs::write(&empty, "").expect("write the empty roots");
    let flags = ["--otlp-endpoint", "https://127.0.0.1:4317"];
    let (status, log, ready) = refused_start(&flags, &system_roots(&empty));
    assert!(!status.success(), "the server started:\n{log}");
    assert!(log.contains("cannot export traces to https://127.0.0.1:4317"), "{log}");
    assert!(!ready, "the ready file was written before the roots were counted");
}

#[test]
fn a_ca_file_with_a_plaintext_endpoint_is_a_usage_error() {
    let ca = TestCa::new();
    let ca_file = ca.write_certificate("ca.pem");
    let flags = ["--otlp-endpoint", "http://127.0.0.1:4317", "--otlp-ca-cert", path_str(&ca_file)];
    let (status, log, ready) = refused_start(&flags, &[]);
    assert_eq!(status.code(), Some(2), "a usage error:\n{log}");
    assert!(log.contains("--otlp-ca-cert") && log.contains("https://"), "{log}");
    assert!(!ready);
}

/// A client certificate or key that cannot be used (missing, not PEM, a key that is not the
/// certificate's) stops the server before it listens, naming the file.
#[test]
fn a_client_identity_that_cannot_be_used_stops_the_server_before_it_listens_naming_the_file() {
    let ca = TestCa::new();
    let (cert, key) = ca.write_client_identity("client");
    let (_, other_key) = ca.write_client_identity("other");
    let dir = ca.dir.path();
    let missing = dir.join("missing.pem");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not PEM at all\n").expect("write the garbage file");
    let broken_cert = dir.join("broken.pem");
    std::fs::write(&broken_cert, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
        .expect("write");
    let broken_key = dir.join("broken.key");
    std::fs::write(&broken_key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
        .expect("write");
    // (certificate, key, the file the error must name)
    let cases = [
        (&missing, &key, &missing),
        (&cert, &missing, &missing),
        (&garbage, &key, &garbage),
        (&broken_cert, &key, &broken_cert),
        (&cert, &garbage, &garbage),
        (&cert, &broken_key, &broken_key),
        (&cert, &other_key, &other_key),
    ];
    for (cert, key, named) in cases {
        let flags = [
            "--otlp-endpoint",
            "https://127.0.0.1:4317",
            "--otlp-client-cert",
            path_str(cert),
            "--otlp-client-key",
            path_str(key),
        ];
        let (status, log, ready) = refused_start(&flags, &[]);
        let case = format!("{} with {}", cert.display(), key.display());
        assert!(!status.success(), "{case}: the server started:\n{log}");
        assert_ne!(status.code(), Some(2), "{case}: not a usage error:\n{log}");
        assert!(log.contains(path_str(named)), "{case}: the error does not name {}:\n{log}", named.display());
        assert!(!ready, "{case}: the ready file was written before the identity was checked");
    }
}

#[test]
fn a_client_certificate_without_its_key_or_over_plaintext_is_a_usage_error() {
    let ca = TestCa::new();
    let (cert, key) = ca.write_client_identity("client");
    let tls = ["--otlp-endpoint", "https://127.0.0.1:4317"];
    let cases = [
        ([&tls[..], &["--otlp-client-cert", path_str(&cert)]].concat(), "--otlp-client-key"),
        ([&tls[..], &["--otlp-client-key", path_str(&key)]].concat(), "--otlp-client-cert"),
    ];
    for (flags, missing) in cases {
        let (status, log, ready) = refused_start(&flags, &[]);
        assert_eq!(status.code(), Some(2), "{flags:?}: a usage error:\n{log}");
        assert!(log.contains(missing), "{flags:?}: the error does not name {missing}:\n{log}");
        assert!(!ready);
    }
    let identity = ["--otlp-client-cert", path_str(&cert), "--otlp-client-key", path_str(&key)];
    let plaintext = [&["--otlp-endpoint", "http://127.0.0.1:4317"][..], &identity].concat();
    let (status, log, ready) = refused_start(&plaintext, &[]);
    assert_eq!(status.code(), Some(2), "a usage error:\n{log}");
    assert!(log.contains("--otlp-client-cert") && log.contains("https://"), "{log}");
    assert!(!ready);
}
