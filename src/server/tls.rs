//! TLS (rustls, through tonic) when `--tls-cert` and `--tls-key` are given.

use std::path::Path;

use anyhow::Context;
use tonic::transport::{Identity, ServerTlsConfig};

use super::ServeArgs;

/// The TLS settings, or `None` to serve plaintext. Reads both PEM files now, so that a
/// missing or unreadable file stops startup with its name.
pub fn server_config(args: &ServeArgs) -> anyhow::Result<Option<ServerTlsConfig>> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    let read = |path: &Path, what: &str| {
        std::fs::read(path).with_context(|| format!("cannot read the TLS {what} {}", path.display()))
    };
    let identity = Identity::from_pem(read(cert, "certificate")?, read(key, "key")?);
    Ok(Some(ServerTlsConfig::new().identity(identity)))
}
