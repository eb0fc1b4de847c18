//! What every call shares: the served model, the limits, the CPU pool and the metrics.

use std::sync::Arc;

use accord::Model;
use arc_swap::ArcSwap;

use super::config::Limits;
use super::metrics::Metrics;
use super::pool::CpuPool;

/// Shared by all calls. The model sits behind an [`ArcSwap`] so that a reload can swap it
/// without stopping the server: a call takes the model once, with [`ServiceState::model`],
/// and uses that one to its end, and its responses name that model's version. The metrics
/// learn the served version here, where it changes.
#[derive(Debug)]
pub struct ServiceState {
    model: ArcSwap<Model>,
    pub limits: Limits,
    pub pool: CpuPool,
    pub metrics: Arc<Metrics>,
}

impl ServiceState {
    pub fn new(model: Model, limits: Limits, pool: CpuPool, metrics: Arc<Metrics>) -> Self {
        metrics.model_served(model.version());
        Self { model: ArcSwap::from_pointee(model), limits, pool, metrics }
    }

    /// The model to use for one whole call.
    pub fn model(&self) -> Arc<Model> {
        self.model.load_full()
    }

    /// Serves `model` from now on; calls that already hold the old one finish with it.
    pub fn swap(&self, model: Model) -> Arc<Model> {
        self.metrics.model_served(model.version());
        self.model.swap(Arc::new(model))
    }
}
