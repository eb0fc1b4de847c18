//! The TLS settings of an `https://` --otlp-endpoint: the CA trusted (`--otlp-ca-cert`, else
//! the system's roots) and, for a collector that requires client certificates, the identity
//! presented (`--otlp-client-cert` and `--otlp-client-key`). Every file is read and checked
//! here, at start, so that one that cannot be used stops the server, named, before it
//! listens: a certificate file must hold certificates that parse, a key file a private key
//! the TLS library can sign with, and that key must be the certificate's.

use std::path::Path;

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use tonic::transport::{Certificate, ClientTlsConfig, Identity};
use x509_parser::pem::Pem;

use super::config::{ClientIdentity, OtlpTarget};

/// The TLS settings of `target`'s collector: only the CA in `--otlp-ca-cert` trusted when it
/// is given, else the system's roots; with the client identity when one is given.
pub fn client_tls(target: &OtlpTarget<'_>) -> anyhow::Result<ClientTlsConfig> {
    let config = match target.ca_cert {
        Some(path) => ClientTlsConfig::new().ca_certificate(Certificate::from_pem(certificates(path, "CA")?)),
        None => ClientTlsConfig::new().with_native_roots(),
    };
    Ok(match target.client_identity {
        Some(identity) => config.identity(client_identity(identity)?),
        None => config,
    })
}

/// The PEM file at `path` (the OTLP `what` certificate), if it holds at least one
/// certificate and every certificate in it parses.
fn certificates(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let shown = path.display();
    let pem = std::fs::read(path).with_context(|| format!("cannot read the OTLP {what} certificate {shown}"))?;
    let unreadable = || format!("the OTLP {what} certificate {shown} holds no readable certificate");
    let mut certificates = 0;
    for block in Pem::iter_from_buffer(&pem) {
        let block = block.with_context(unreadable)?;
        if block.label == "CERTIFICATE" {
            block.parse_x509().with_context(unreadable)?;
            certificates += 1;
        }
    }
    anyhow::ensure!(certificates > 0, unreadable());
    Ok(pem)
}

/// The client certificate and key, checked as the TLS library will use them: the key
/// loads with the ring provider tonic's TLS runs on, and matches the first certificate.
fn client_identity(identity: ClientIdentity<'_>) -> anyhow::Result<Identity> {
    let cert_pem = certificates(identity.cert, "client")?;
    let key_shown = identity.key.display();
    let key_pem =
        std::fs::read(identity.key).with_context(|| format!("cannot read the OTLP client key {key_shown}"))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .with_context(|| format!("the OTLP client key {key_shown} holds no readable private key"))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem).collect::<Result<Vec<_>, _>>();
    let chain =
        chain.with_context(|| format!("the OTLP client certificate {} cannot be read", identity.cert.display()))?;
    CertifiedKey::from_der(chain, key, &rustls::crypto::ring::default_provider()).with_context(|| {
        format!("the OTLP client key {key_shown} cannot be used with the certificate {}", identity.cert.display())
    })?;
    Ok(Identity::from_pem(cert_pem, key_pem))
}
