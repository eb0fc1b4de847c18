//! TLS: with `--tls-cert` and `--tls-key` the server speaks only TLS, with the certificate
//! given; a client that trusts it is served, a plaintext client or one that does not trust
//! the certificate is not.

mod common;

use std::time::Duration;

use common::{classify_request, Server, SPORTS_COOPERATION};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

/// A self-signed certificate for `localhost`, written as PEM files in a folder.
struct SelfSigned {
    dir: tempfile::TempDir,
    cert_pem: String,
}

impl SelfSigned {
    fn new() -> Self {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
        let dir = tempfile::tempdir().expect("tempdir");
        let cert_pem = certified.cert.pem();
        std::fs::write(dir.path().join("cert.pem"), &cert_pem).expect("write cert");
        std::fs::write(dir.path().join("key.pem"), certified.signing_key.serialize_pem()).expect("write key");
        Self { dir, cert_pem }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn start_server(&self) -> Server {
        let (cert, key) = (self.path("cert.pem"), self.path("key.pem"));
        Server::start(&["--tls-cert", &cert, "--tls-key", &key])
    }
}

fn endpoint(url: String) -> Endpoint {
    Endpoint::from_shared(url)
        .expect("endpoint")
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(5))
}

/// `https://localhost:<port>`, for the certificate's name.
fn tls_url(server: &Server) -> String {
    let port = server.addr.rsplit(':').next().expect("a port");
    format!("https://localhost:{port}")
}

async fn classify_over(channel: Result<Channel, tonic::transport::Error>) -> Result<String, String> {
    let channel = channel.map_err(|e| format!("connect: {e}"))?;
    let mut client = common::ClassifierClient::new(channel);
    let answer = client.classify(classify_request("tls", SPORTS_COOPERATION, 0)).await;
    answer.map(|a| a.into_inner().id).map_err(|status| format!("call: {status:?}"))
}

#[tokio::test]
async fn a_client_trusting_the_certificate_is_served_over_tls() {
    let certificate = SelfSigned::new();
    let server = certificate.start_server();
    let tls =
        ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&certificate.cert_pem)).domain_name("localhost");
    let channel = endpoint(tls_url(&server)).tls_config(tls).expect("TLS settings").connect().await;
    assert_eq!(classify_over(channel).await, Ok("tls".to_owned()));
    assert!(server.log().contains("tls=true"), "{}", server.log());
}

#[tokio::test]
async fn plaintext_and_untrusting_clients_are_refused() {
    let certificate = SelfSigned::new();
    let server = certificate.start_server();
    let plaintext = endpoint(server.endpoint()).connect().await;
    assert!(classify_over(plaintext).await.is_err(), "a plaintext client was served by the TLS server");

    let other = SelfSigned::new(); // a different self-signed certificate
    let tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&other.cert_pem)).domain_name("localhost");
    let untrusting = endpoint(tls_url(&server)).tls_config(tls).expect("TLS settings").connect().await;
    assert!(classify_over(untrusting).await.is_err(), "a client that does not trust the certificate was served");

    let tls =
        ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&certificate.cert_pem)).domain_name("localhost");
    let trusting = endpoint(tls_url(&server)).tls_config(tls).expect("TLS settings").connect().await;
    assert_eq!(classify_over(trusting).await, Ok("tls".to_owned()), "the server is still serving");
}

#[test]
fn a_certificate_without_its_key_or_an_unreadable_one_stops_startup() {
    let certificate = SelfSigned::new();
    let cert = certificate.path("cert.pem");
    let (mut child, dir) = Server::spawn(common::fixture_models_dir(), &["--tls-cert", &cert], &[]);
    assert!(!child.wait().expect("exits").success());
    assert!(common::read_log(dir.path()).contains("--tls-key"), "{}", common::read_log(dir.path()));

    let missing = certificate.path("missing.pem");
    let (mut child, dir) =
        Server::spawn(common::fixture_models_dir(), &["--tls-cert", &missing, "--tls-key", &cert], &[]);
    assert!(!child.wait().expect("exits").success());
    let log = common::read_log(dir.path());
    assert!(log.contains("cannot read the TLS certificate") && log.contains("missing.pem"), "{log}");
    assert!(!dir.path().join("ready").exists());
}
