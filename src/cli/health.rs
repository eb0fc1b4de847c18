//! `accord health`: asks a server's `grpc.health.v1.Health` service whether it is serving,
//! and exits 0 only for SERVING. The container's HEALTHCHECK runs it, and it works as a
//! Kubernetes exec probe where the native gRPC probe is not available.

use std::time::Duration;

use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use super::client::{source_chain, ConnectArgs};

#[derive(clap::Args, Debug)]
pub struct HealthArgs {
    #[command(flatten)]
    connect: ConnectArgs,
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
    #[error("{0:#}")]
    BadAddress(anyhow::Error),
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
    super::print_line("SERVING")
}

async fn check(args: &HealthArgs) -> Result<(), Unhealthy> {
    let service = if args.service.is_empty() { "the server as a whole".to_owned() } else { args.service.clone() };
    let timeout = Duration::from_secs(args.timeout_secs);
    let endpoint = args.connect.endpoint(timeout).map_err(Unhealthy::BadAddress)?;
    let server = super::client::server_url(&args.connect.server, &args.connect.tls).map_err(Unhealthy::BadAddress)?;
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
