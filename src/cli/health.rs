//! `accord health`: asks a server's `grpc.health.v1.Health` service whether it is serving,
//! and exits 0 only for SERVING. The container's HEALTHCHECK runs it, and it works as a
//! Kubernetes exec probe where the native gRPC probe is not available.

use std::time::Duration;

use tonic::transport::Endpoint;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

#[derive(clap::Args, Debug)]
pub struct HealthArgs {
    /// The server to ask: a URL or `IP:PORT`.
    #[arg(long, env = "ACCORD_SERVER", default_value = "http://127.0.0.1:50051")]
    server: String,
    /// The service to ask about (`accord.v1.Classifier`); empty asks about the server as a
    /// whole.
    #[arg(long, default_value = "")]
    service: String,
    /// Longest wait for the answer, connecting included, in seconds.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_secs: u64,
}

/// Why the server is not healthy, in the words an operator reads in `docker ps` or a
/// probe's event.
#[derive(Debug, thiserror::Error)]
pub enum Unhealthy {
    #[error("{0:?} is not a server address: {1}")]
    BadAddress(String, String),
    #[error("cannot reach {server}: {reason}")]
    Unreachable { server: String, reason: String },
    #[error("{server} gave no health answer within {seconds} s")]
    TimedOut { server: String, seconds: u64 },
    #[error("{server} refused the health check of {service}: {status}")]
    Refused { server: String, service: String, status: tonic::Status },
    #[error("{server} reports {status} for {service}")]
    NotServing { server: String, service: String, status: &'static str },
}

pub fn run(args: HealthArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(check(&args))?;
    println!("SERVING");
    Ok(())
}

async fn check(args: &HealthArgs) -> Result<(), Unhealthy> {
    let server = if args.server.contains("://") { args.server.clone() } else { format!("http://{}", args.server) };
    let service = if args.service.is_empty() { "the server as a whole".to_owned() } else { args.service.clone() };
    let timeout = Duration::from_secs(args.timeout_secs);
    let endpoint = Endpoint::from_shared(server.clone())
        .map_err(|e| Unhealthy::BadAddress(args.server.clone(), e.to_string()))?
        .connect_timeout(timeout)
        .timeout(timeout);
    let ask = async {
        let channel = endpoint
            .connect()
            .await
            .map_err(|e| Unhealthy::Unreachable { server: server.clone(), reason: source_chain(&e) })?;
        let request = HealthCheckRequest { service: args.service.clone() };
        HealthClient::new(channel).check(request).await.map_err(|status| Unhealthy::Refused {
            server: server.clone(),
            service: service.clone(),
            status,
        })
    };
    let response = tokio::time::timeout(timeout, ask)
        .await
        .map_err(|_| Unhealthy::TimedOut { server: server.clone(), seconds: args.timeout_secs })??;
    match response.into_inner().status() {
        ServingStatus::Serving => Ok(()),
        other => Err(Unhealthy::NotServing { server, service, status: other.as_str_name() }),
    }
}

/// An error with its causes, which is where a transport error says what went wrong
/// ("Connection refused").
fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
