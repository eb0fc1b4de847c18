//! A small gRPC client for the commands that talk to a running server: the address
//! (`HOST:PORT` or a URL), TLS, and the admin token.

use std::path::PathBuf;
use std::time::Duration;

use accord::train::HeadEvaluation;
use anyhow::Context as _;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use accord::grpc::v1::admin_client::AdminClient;
use accord::grpc::v1::classifier_client::ClassifierClient;
use accord::grpc::v1::{GetModelInfoRequest, ModelInfo, ReloadModelRequest, ReloadModelResponse};

/// The address help shared by every client subcommand.
pub const SERVER_HELP: &str =
    "The server: `HOST:PORT` (plaintext, or TLS with --tls or --ca-cert) or a URL, `http://HOST:PORT` or `https://HOST:PORT`";

/// How to speak TLS to the server.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TlsArgs {
    /// Speak TLS and trust the server's certificate if this CA certificate (PEM) signed it.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Speak TLS and trust the system's certificate authorities (the file SSL_CERT_FILE
    /// names, when set). Implied by an `https://` URL and by --ca-cert.
    #[arg(long)]
    pub tls: bool,
}

/// Where a server is and how to reach it.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectArgs {
    #[arg(long, env = "ACCORD_SERVER", default_value = "127.0.0.1:50051", help = SERVER_HELP)]
    pub server: String,
    #[command(flatten)]
    pub tls: TlsArgs,
}

impl ConnectArgs {
    /// The endpoint to connect to, with `timeout` for connecting and for each call.
    pub fn endpoint(&self, timeout: Duration) -> anyhow::Result<Endpoint> {
        endpoint(&self.server, &self.tls, timeout)
    }

    /// A connected channel, or an error naming the server and why it cannot be reached.
    pub async fn channel(&self) -> anyhow::Result<Channel> {
        connect(&self.server, &self.tls).await
    }
}

/// The URL of `server` (`HOST:PORT` or a URL): `https://` when TLS is asked for.
pub fn server_url(server: &str, tls: &TlsArgs) -> anyhow::Result<String> {
    let wants_tls = tls.tls || tls.ca_cert.is_some();
    match server.split_once("://") {
        None if server.is_empty() => anyhow::bail!("the server address is empty: give HOST:PORT or a URL"),
        None => Ok(format!("{}://{server}", if wants_tls { "https" } else { "http" })),
        Some(("https", _)) => Ok(server.to_owned()),
        Some(("http", _)) if wants_tls => {
            anyhow::bail!("{server} is a plaintext URL but TLS was asked for (--tls or --ca-cert): write https://")
        }
        Some(("http", _)) => Ok(server.to_owned()),
        Some((scheme, _)) => anyhow::bail!("{server}: the scheme {scheme}:// is not http:// or https://"),
    }
}

/// The endpoint for `server` with its TLS settings, `timeout` for connecting and per call.
pub fn endpoint(server: &str, tls: &TlsArgs, timeout: Duration) -> anyhow::Result<Endpoint> {
    let url = server_url(server, tls)?;
    let mut endpoint = Endpoint::from_shared(url.clone())
        .with_context(|| format!("{server:?} is not a server address"))?
        .connect_timeout(timeout)
        .timeout(timeout);
    if url.starts_with("https://") {
        let config = match &tls.ca_cert {
            Some(path) => {
                let pem = std::fs::read(path)
                    .with_context(|| format!("cannot read the CA certificate {}", path.display()))?;
                ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem))
            }
            None => ClientTlsConfig::new().with_native_roots(),
        };
        endpoint = endpoint.tls_config(config).with_context(|| format!("TLS settings for {url}"))?;
    }
    Ok(endpoint)
}

/// Longest wait for a connection or an answer from the commands other than `health`.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// A channel to `server`, or an error naming it and the cause ("Connection refused").
pub async fn connect(server: &str, tls: &TlsArgs) -> anyhow::Result<Channel> {
    let endpoint = endpoint(server, tls, CALL_TIMEOUT)?;
    let url = server_url(server, tls)?;
    endpoint.connect().await.map_err(|e| anyhow::anyhow!("cannot reach {url}: {}", source_chain(&e)))
}

/// The served model's description.
pub async fn model_info(channel: Channel) -> anyhow::Result<ModelInfo> {
    let mut client = ClassifierClient::new(channel);
    let answer = client.get_model_info(GetModelInfoRequest {}).await;
    Ok(answer.map_err(|status| anyhow::anyhow!("GetModelInfo failed: {}", status_text(&status)))?.into_inner())
}

/// A gRPC status as `CODE: message`, the way grpcurl and the logs name codes.
pub fn status_text(status: &tonic::Status) -> String {
    format!("{}: {}", grpc_code_name(status.code()), status.message())
}

/// The gRPC name of a status code (`INVALID_ARGUMENT`).
fn grpc_code_name(code: tonic::Code) -> String {
    let words = format!("{code:?}");
    let mut name = String::with_capacity(words.len() + 4);
    for (i, c) in words.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    if code == tonic::Code::Ok {
        name = "OK".into();
    }
    name
}

/// Where the server is and how to authenticate as its operator.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Bearer token for the Admin service (the server's --admin-token).
    #[arg(long, env = "ACCORD_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

impl ServerArgs {
    /// The served model's description.
    pub async fn model_info(&self) -> anyhow::Result<ModelInfo> {
        model_info(self.connect.channel().await?).await
    }

    /// Asks the server to load `version` (empty: the CURRENT pointer) and swap it in.
    pub async fn reload(&self, version: &str) -> anyhow::Result<ReloadModelResponse> {
        let token = self
            .admin_token
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("an admin token is needed (--admin-token or ACCORD_ADMIN_TOKEN)"))?;
        let mut request = tonic::Request::new(ReloadModelRequest { version: version.to_owned() });
        let value: MetadataValue<_> = format!("Bearer {token}").parse()?;
        request.metadata_mut().insert("authorization", value);
        let mut client = AdminClient::new(self.connect.channel().await?);
        let answer = client.reload_model(request).await;
        Ok(answer.map_err(|status| anyhow::anyhow!("ReloadModel failed: {}", status_text(&status)))?.into_inner())
    }
}

/// An error with its causes, which is where a transport error says what went wrong
/// ("Connection refused", "invalid peer certificate").
pub fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The held-out figures a served model reports, in the core's terms.
pub fn evaluations(info: &ModelInfo) -> Vec<HeadEvaluation> {
    info.heads
        .iter()
        .filter_map(|head| {
            let metrics = head.metrics.as_ref()?;
            Some(HeadEvaluation {
                head: head.name.clone(),
                labels: head.labels.clone(),
                train_documents: metrics.train_documents as usize,
                test_documents: metrics.test_documents as usize,
                accuracy: metrics.accuracy,
                macro_f1: metrics.macro_f1,
                confusion: Vec::new(),
                calibration_error: metrics.expected_calibration_error,
                temperature: metrics.temperature,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_becomes_a_url_with_the_scheme_tls_asks_for() {
        let plain = TlsArgs::default();
        let tls = TlsArgs { tls: true, ca_cert: None };
        assert_eq!(server_url("127.0.0.1:50051", &plain).ok().as_deref(), Some("http://127.0.0.1:50051"));
        assert_eq!(server_url("localhost:1", &tls).ok().as_deref(), Some("https://localhost:1"));
        assert_eq!(server_url("https://h:1", &plain).ok().as_deref(), Some("https://h:1"));
        assert!(server_url("http://h:1", &tls).is_err());
        assert!(server_url("ftp://h:1", &plain).is_err());
    }

    #[test]
    fn status_codes_have_their_grpc_names() {
        assert_eq!(grpc_code_name(tonic::Code::InvalidArgument), "INVALID_ARGUMENT");
        assert_eq!(grpc_code_name(tonic::Code::Ok), "OK");
        assert_eq!(grpc_code_name(tonic::Code::Unauthenticated), "UNAUTHENTICATED");
    }
}
