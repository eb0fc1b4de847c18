//! `--http-addr`: the Classifier as HTTP/1.1 JSON, beside gRPC.
//!
//! Each route decodes its JSON body (the proto3 JSON mapping, as grpcurl writes it) into the
//! gRPC request message and calls the gRPC service's own method with it, so that validation,
//! limits, load shedding, logs and metrics are the same code for both encodings; the answer
//! is written as grpcurl prints it, an error as a `google.rpc.Status` object (see
//! [`status`]). The deadline layer of the gRPC port wraps these routes too: a client may
//! send `grpc-timeout` (e.g. `grpc-timeout: 500m`). Every route is listed in [`ROUTES`],
//! from which both the router and the OpenAPI document at `/openapi.json` are made.

mod body;
mod openapi;
mod routes;
mod serve;
pub mod status;

pub use routes::ROUTES;
pub use serve::{bind, serve, HttpListener};

use std::sync::Arc;

use tonic_health::server::HealthService;

use super::classifier::ClassifierService;
use super::inflight::InFlightLayer;

/// What the HTTP routes share with the gRPC services.
pub struct HttpApi {
    /// The gRPC service itself, called by every Classifier route.
    pub classifier: ClassifierService,
    /// The gRPC health statuses, which `/readyz` reports.
    pub health: HealthService,
    /// The bytes-in-flight budget of the gRPC port.
    pub budget: InFlightLayer,
    /// `--max-message-bytes`: the largest body.
    pub max_body_bytes: usize,
    /// `--request-timeout-secs`, for the deadline layer.
    pub request_timeout: std::time::Duration,
}

/// The routes, with the shared layers, ready to serve.
pub fn router(api: HttpApi) -> anyhow::Result<axum::Router> {
    let document = openapi::document(ROUTES)?;
    let timeout = api.request_timeout;
    Ok(routes::router(Arc::new(api), document.to_string(), timeout))
}
