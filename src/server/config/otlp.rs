//! Where spans are exported: `--otlp-endpoint` checked as a URL, the TLS files beside it,
//! and the settings clap accepts one by one but not together.

use std::path::Path;

use super::ServeArgs;

/// An OTLP collector's URL: `http://` or `https://` and an authority the URI parser takes.
pub(super) fn otlp_endpoint(value: &str) -> Result<String, String> {
    let uri: tonic::codegen::http::Uri = value.parse().map_err(|error| format!("not a URL: {error}"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.authority().is_none() {
        return Err("expected http://HOST:PORT (plaintext) or https://HOST:PORT (TLS)".into());
    }
    Ok(value.to_owned())
}

/// Where spans are exported: `--otlp-endpoint`, and the CA to trust when it speaks TLS.
#[derive(Debug, Clone, Copy)]
pub struct OtlpTarget<'a> {
    /// The collector's URL, `http://` or `https://`.
    pub endpoint: &'a str,
    /// `--otlp-ca-cert`: the PEM file of the CA to trust instead of the system's roots.
    pub ca_cert: Option<&'a Path>,
    /// `--otlp-client-cert` and `--otlp-client-key`: the identity presented to a collector
    /// that requires one.
    pub client_identity: Option<ClientIdentity<'a>>,
}

/// The PEM files of a client certificate (chain) and its private key.
#[derive(Debug, Clone, Copy)]
pub struct ClientIdentity<'a> {
    /// The certificate, the client's own first.
    pub cert: &'a Path,
    /// Its private key.
    pub key: &'a Path,
}

impl OtlpTarget<'_> {
    /// Whether the collector is reached over TLS: an `https` scheme, in any case, as the
    /// exporter reads it.
    pub fn is_tls(&self) -> bool {
        let uri = self.endpoint.parse::<tonic::codegen::http::Uri>();
        uri.is_ok_and(|uri| uri.scheme_str() == Some("https"))
    }
}

impl ServeArgs {
    /// Settings that clap accepts one by one but not together: `--otlp-ca-cert` or
    /// `--otlp-client-cert` with a plaintext `--otlp-endpoint`, which would never use them.
    pub fn usage_error(&self) -> Option<String> {
        let otlp = self.otlp()?;
        if otlp.is_tls() {
            return None;
        }
        let flag = match (otlp.ca_cert, otlp.client_identity) {
            (Some(_), _) => "--otlp-ca-cert",
            (None, Some(_)) => "--otlp-client-cert",
            (None, None) => return None,
        };
        Some(format!(
            "{flag} needs an https:// --otlp-endpoint (the collector at an http:// one is reached in plaintext)"
        ))
    }

    /// Where spans are exported, if anywhere.
    pub fn otlp(&self) -> Option<OtlpTarget<'_>> {
        let endpoint = self.otlp_endpoint.as_deref()?;
        let client_identity = match (&self.otlp_client_cert, &self.otlp_client_key) {
            (Some(cert), Some(key)) => Some(ClientIdentity { cert, key }),
            _ => None,
        };
        Some(OtlpTarget { endpoint, ca_cert: self.otlp_ca_cert.as_deref(), client_identity })
    }
}
