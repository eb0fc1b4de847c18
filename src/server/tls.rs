//! TLS (rustls, through tonic) when `--tls-cert` and `--tls-key` are given.

use std::path::Path;

use anyhow::Context;
use tonic::transport::{Identity, ServerTlsConfig};
use x509_parser::pem::Pem;
use x509_parser::time::ASN1Time;

use super::metrics::Metrics;
use super::ServeArgs;

/// The TLS settings, or `None` to serve plaintext. Reads both PEM files now, so that a
/// missing or unreadable file stops startup with its name. A certificate that has expired or
/// is not valid yet is served (the operator may have reasons) with a warning; the metrics
/// learn its expiry date.
pub fn server_config(args: &ServeArgs, metrics: &Metrics) -> anyhow::Result<Option<ServerTlsConfig>> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    let read = |path: &Path, what: &str| {
        std::fs::read(path).with_context(|| format!("cannot read the TLS {what} {}", path.display()))
    };
    let cert_pem = read(cert, "certificate")?;
    check_validity(cert, &cert_pem, metrics)?;
    let identity = Identity::from_pem(cert_pem, read(key, "key")?);
    Ok(Some(ServerTlsConfig::new().identity(identity)))
}

/// Reads the first certificate of `pem` (the server's own, before any chain), warns if it
/// is not valid now, and hands its expiry to the metrics.
fn check_validity(path: &Path, pem: &[u8], metrics: &Metrics) -> anyhow::Result<()> {
    let unreadable = || format!("the TLS certificate {} holds no readable certificate", path.display());
    let first = Pem::iter_from_buffer(pem).next().with_context(unreadable)?.with_context(unreadable)?;
    let certificate = first.parse_x509().with_context(unreadable)?;
    let validity = certificate.validity();
    let now = ASN1Time::now();
    metrics.tls_certificate_expires(path.display().to_string(), validity.not_after.timestamp());
    let path = path.display();
    if now > validity.not_after {
        let expired = validity.not_after;
        tracing::warn!("the TLS certificate {path} expired on {expired}: clients that check it will refuse to connect");
    } else if now < validity.not_before {
        let from = validity.not_before;
        tracing::warn!(
            "the TLS certificate {path} is not valid before {from}: clients that check it will refuse to connect"
        );
    }
    Ok(())
}
