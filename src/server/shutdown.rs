//! Graceful shutdown on SIGINT or SIGTERM: report NOT_SERVING, wait the drain time, then
//! stop accepting calls and let the ones in flight finish, for at most the grace time. A
//! second signal exits at once.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::oneshot;
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

/// How the server stops.
pub struct Plan {
    pub health: HealthReporter,
    /// The served services to report NOT_SERVING (besides the server as a whole, `""`).
    pub services: Vec<&'static str>,
    /// Time between reporting NOT_SERVING and closing the listener.
    pub drain: Duration,
    /// Longest wait for calls in flight once the listener is closed.
    pub grace: Duration,
}

/// The future that tells the server to stop accepting calls.
pub type StopSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs `serve`, handing it the future that resolves when the server should stop accepting
/// calls; returns when `serve` returns, or once the grace time has passed after that.
pub async fn serve_until_stopped<F, E>(
    signals: Signals,
    plan: Plan,
    serve: impl FnOnce(StopSignal) -> F,
) -> Result<(), E>
where
    F: Future<Output = Result<(), E>>,
{
    let (stopping_tx, stopping_rx) = oneshot::channel();
    let grace = plan.grace;
    let stop = Box::pin(async move {
        requested(signals, plan).await;
        let _ = stopping_tx.send(());
    });
    let grace_over = async move {
        match stopping_rx.await {
            Ok(()) => tokio::time::sleep(grace).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = serve(stop) => served,
        () = grace_over => {
            tracing::warn!(grace_secs = grace.as_secs(), "calls still in flight after the grace time; stopping without them");
            Ok(())
        }
    }
}

/// Resolves when the server should stop accepting calls: after a signal, with every
/// service reported NOT_SERVING and the drain time spent.
async fn requested(mut signals: Signals, plan: Plan) {
    let name = signals.next().await;
    tracing::info!(signal = name, "shutting down: reporting NOT_SERVING");
    for service in std::iter::once("").chain(plan.services) {
        plan.health.set_service_status(service, ServingStatus::NotServing).await;
    }
    tokio::spawn(exit_on_second_signal(signals));
    if !plan.drain.is_zero() {
        tracing::info!(drain_secs = plan.drain.as_secs(), "draining before closing the listener");
        tokio::time::sleep(plan.drain).await;
    }
    tracing::info!("closing the listener; finishing calls in flight");
}

/// A second signal means "now": exit without waiting for calls in flight.
async fn exit_on_second_signal(mut signals: Signals) {
    let name = signals.next().await;
    tracing::warn!(signal = name, "second signal: exiting without waiting for calls in flight");
    std::process::exit(130);
}
