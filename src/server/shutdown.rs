//! Graceful shutdown on SIGINT or SIGTERM: report NOT_SERVING, wait the drain time, then
//! stop accepting calls and let the ones in flight finish. A second signal exits at once.

use std::time::Duration;

use anyhow::Context;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;

/// The signals that stop the server, listened to from the start so that one arriving early
/// still shuts down gracefully instead of killing the process.
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

impl Signals {
    /// Starts listening for SIGINT and SIGTERM. Needs a running tokio runtime.
    pub fn install() -> anyhow::Result<Self> {
        let interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        let terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        Ok(Self { interrupt, terminate })
    }

    /// Waits for the next signal and names it.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Resolves when the server should stop accepting calls: after a signal, with every
/// service reported NOT_SERVING and the drain time spent.
pub async fn requested(mut signals: Signals, health: HealthReporter, services: Vec<&'static str>, drain: Duration) {
    let name = signals.next().await;
    tracing::info!(signal = name, "shutting down: reporting NOT_SERVING");
    for service in std::iter::once("").chain(services) {
        health.set_service_status(service, ServingStatus::NotServing).await;
    }
    tokio::spawn(exit_on_second_signal(signals));
    if !drain.is_zero() {
        tracing::info!(drain_secs = drain.as_secs(), "draining before closing the listener");
        tokio::time::sleep(drain).await;
    }
    tracing::info!("closing the listener; finishing calls in flight");
}

/// A second signal means "now": exit without waiting for calls in flight.
async fn exit_on_second_signal(mut signals: Signals) {
    let name = signals.next().await;
    tracing::warn!(signal = name, "second signal: exiting without waiting for calls in flight");
    std::process::exit(130);
}
