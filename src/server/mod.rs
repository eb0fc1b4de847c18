//! `accord serve`: the model over gRPC, with health checking and server reflection.
//!
//! Served: `accord.v1.Classifier`, `grpc.health.v1.Health` (SERVING once the model is
//! loaded, NOT_SERVING from the start of shutdown), and reflection v1 and v1alpha.
//! `accord.v1.Admin` (model reload) is served only when an admin token is configured; SIGHUP
//! reloads the model the `CURRENT` pointer names either way. Prometheus metrics are served
//! over HTTP on `--metrics-addr`, when it is given; the Classifier also as HTTP/1.1 JSON on
//! `--http-addr`, when it is given (see [`http`]).

mod accept;
mod admin;
mod answer;
mod budget;
mod classifier;
pub mod config;
mod deadline;
mod error;
mod handshake;
mod http;
mod inflight;
mod logging;
mod metrics;
mod otlp_tls;
mod outcome;
mod oversize;
mod pool;
mod reload;
mod request_id;
mod shutdown;
mod state;
mod stream;
mod tls;
mod traces;
mod unsent;
mod validate;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use accord::Model;
use anyhow::Context;
use tokio_stream::StreamExt;
use tonic::codec::CompressionEncoding;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tower::util::MapResponseLayer;

pub use config::ServeArgs;

use classifier::ClassifierService;
use metrics::Metrics;
use pool::CpuPool;
use state::ServiceState;

use accord::grpc::v1::admin_server::AdminServer;
use accord::grpc::v1::classifier_server::ClassifierServer;

/// HTTP/2 flow-control windows: how much a client may send on one call, and on one
/// connection, before the server has read it.
const STREAM_WINDOW: u32 = 2 << 20;
const CONNECTION_WINDOW: u32 = 8 << 20;
/// The largest HTTP/2 frame a client may send: a 512 KiB batch arrives in two frames
/// instead of 32 of the default 16 KiB, fewer to receive and reassemble (the measurements
/// are in docs/performance-log.md, "Fifth round"). A frame this size holds up other calls
/// on the connection for well under a millisecond.
const MAX_FRAME: u32 = 256 << 10;

/// Loads the model, then serves until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    if let Some(message) = args.usage_error() {
        // A usage error, as clap reports its own: the message, and exit status 2.
        clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, format!("{message}\n")).exit();
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    // The trace exporter's connection lives on the runtime.
    let exporter = {
        let _entered = runtime.enter();
        logging::init(args.log_format, args.otlp())?
    };
    let served = runtime.block_on(async {
        // The signal handlers come before anything slow: a SIGHUP, SIGINT or SIGTERM while
        // the model loads must not kill the process with the signal's default action.
        let signals = shutdown::Signals::install()?;
        let hangups = reload::listen_for_sighup()?;
        let admin_token = args.admin_token()?;
        let model = load_model(&args)?;
        serve(args, model, Started { signals, hangups, admin_token }).await
    });
    // The spans not yet exported are sent while the runtime still runs.
    if let Some(exporter) = exporter {
        exporter.shutdown();
    }
    served
}

/// What is set up before the model loads.
struct Started {
    signals: shutdown::Signals,
    hangups: tokio::signal::unix::Signal,
    admin_token: Option<admin::AdminToken>,
}

/// The model `--model` names, else the store's current one.
fn load_model(args: &ServeArgs) -> anyhow::Result<Model> {
    let store = args.model_store();
    let model = store
        .load(args.model.as_deref())
        .with_context(|| format!("cannot load the model from {}", args.models_dir.display()))?;
    tracing::info!(
        version = model.version(),
        heads = model.heads().len(),
        dimensions = model.vectorizer().dimensions(),
        "model loaded"
    );
    Ok(model)
}

async fn serve(args: ServeArgs, model: Model, started: Started) -> anyhow::Result<()> {
    let Started { signals, hangups, admin_token } = started;
    let pool =
        CpuPool::new(args.worker_count(), args.max_pending as usize).context("cannot start the worker threads")?;
    accord::grpc::batch_scan::set_max_batch_entries(args.max_batch as usize);
    let in_flight = inflight::InFlightLayer::new(args.max_bytes_in_flight as usize, args.max_message_bytes as usize);
    let metrics = Arc::new(Metrics::new(pool.clone(), in_flight.clone()));
    let state = Arc::new(ServiceState::new(model, args.limits(), pool, Arc::clone(&metrics)));
    let reloader = Arc::new(reload::Reloader::new(state.clone(), args.model_store(), args.allow_head_change));
    reload::reload_on_sighup(reloader.clone(), hangups);
    let admin = admin_token.map(|token| AdminServer::new(admin::AdminService::new(reloader, token)));
    // Requests compressed with gzip, which every gRPC client library can send, are inflated
    // within the same size limit (counted after inflating).
    let service = ClassifierService::new(state);
    let mut classifier = ClassifierServer::new(service.clone())
        .max_decoding_message_size(args.max_message_bytes as usize)
        .accept_compressed(CompressionEncoding::Gzip);
    if args.gzip_answers {
        classifier = classifier.send_compressed(CompressionEncoding::Gzip);
    }
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<ClassifierServer<ClassifierService>>().await;

    // Metrics listen first, so that they are up once the ready file says the server is.
    if let Some(addr) = args.metrics_addr {
        let (listener, local) = metrics::endpoint::bind(addr).await?;
        tracing::info!("metrics listening on {local}");
        metrics::endpoint::spawn(listener, Arc::clone(&metrics));
    }
    let http = match args.http_addr {
        Some(addr) => Some(bind_http(addr, &args, service, &health, &in_flight).await?),
        None => None,
    };
    let incoming = TcpIncoming::bind(args.addr)
        .with_context(|| format!("cannot listen on {}", args.addr))?
        .with_nodelay(Some(true));
    let local = incoming.local_addr().context("cannot read the bound address")?;
    let handshake_timeout = args.handshake_timeout();

    let plan = shutdown::Plan {
        health,
        services: vec![<ClassifierServer<ClassifierService> as NamedService>::NAME],
        drain: args.drain(),
        grace: args.shutdown_grace(),
    };
    let mut builder = Server::builder()
        .max_concurrent_streams(args.max_concurrent_streams)
        .http2_keepalive_interval(args.keepalive())
        .http2_keepalive_timeout(Some(args.keepalive_timeout()));
    if let Some(age) = args.max_connection_age() {
        builder = builder.max_connection_age(age).max_connection_age_grace(args.max_connection_age_grace());
    }
    // TLS material is parsed and checked before the ready file says the server is up.
    let tls = tls::server_config(&args, &metrics)?;
    let tls_on = tls.is_some();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls).context("the TLS certificate or key cannot be used")?;
    }
    let router = builder
        .layer(request_id::RequestIdLayer)
        .layer(outcome::CallOutcomesLayer::new(Arc::clone(&metrics)))
        .layer(deadline::DeadlineLayer::new(args.request_timeout()))
        // Windows large enough for a batch of articles in one round trip: the HTTP/2
        // default (64 KiB) makes a 512 KiB ClassifyBatch wait on window updates.
        .initial_stream_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .max_frame_size(MAX_FRAME)
        .layer(MapResponseLayer::new(oversize::resource_exhausted_for_oversize::<inflight::AnswerBody>))
        .layer(in_flight)
        .add_service(health_service)
        .add_service(reflection::v1(admin.is_some())?)
        .add_service(reflection::v1alpha(admin.is_some())?)
        .add_service(classifier)
        .add_optional_service(admin);
    announce(local, tls_on, args.ready_file.as_deref())?;
    shutdown::serve_until_stopped(signals, plan, |stop| async move {
        let incoming = accept::PacedIncoming::new(incoming)
            .map(move |accepted| accepted.map(|stream| handshake::HandshakeDeadline::new(stream, handshake_timeout)));
        let Some((listener, http_router)) = http else {
            return router.serve_with_incoming_shutdown(incoming, stop).await.context("the gRPC server failed");
        };
        // One stop signal for both listeners.
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let grpc_stop = async move {
            stop.await;
            let _ = stopping.send(true);
        };
        let http_stop = async move {
            let mut stopped = stopped;
            let _ = stopped.wait_for(|stopped| *stopped).await;
        };
        let (grpc, ()) = tokio::join!(
            router.serve_with_incoming_shutdown(incoming, grpc_stop),
            http::serve(listener, http_router, handshake_timeout, http_stop)
        );
        grpc.context("the gRPC server failed")
    })
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Binds `--http-addr` and makes the HTTP routes over the gRPC service, its health statuses
/// and its bytes-in-flight budget.
async fn bind_http(
    addr: SocketAddr,
    args: &ServeArgs,
    service: ClassifierService,
    health: &tonic_health::server::HealthReporter,
    in_flight: &inflight::InFlightLayer,
) -> anyhow::Result<(http::HttpListener, axum::Router)> {
    anyhow::ensure!(
        args.tls_cert.is_none(),
        "--http-addr serves plaintext only; with --tls-cert, terminate TLS for HTTP in front of the server or leave --http-addr out"
    );
    let router = http::router(http::HttpApi {
        classifier: service,
        health: tonic_health::server::HealthService::from_health_reporter(health.clone()),
        budget: in_flight.clone(),
        max_body_bytes: args.max_message_bytes as usize,
        request_timeout: args.request_timeout(),
    })?;
    let listener = http::bind(addr).await?;
    tracing::info!("http listening on {}", listener.local);
    Ok((listener, router))
}

/// Logs the bound address and, if asked, writes it to the ready file.
fn announce(local: SocketAddr, tls: bool, ready_file: Option<&Path>) -> anyhow::Result<()> {
    tracing::info!(tls, "listening on {local}");
    if let Some(path) = ready_file {
        accord::model::fsutil::write_atomically(path, format!("{local}\n").as_bytes())
            .with_context(|| format!("cannot write the ready file {}", path.display()))?;
    }
    Ok(())
}

/// Server reflection, so that grpcurl and other tools can list and describe the services
/// without the proto files. grpcurl 1.8 asks v1alpha; newer tools ask v1.
mod reflection {
    use tonic_reflection::server::{v1, v1alpha, Builder, Error};

    /// The services always served; `accord.v1.Admin` joins them when it is served.
    const SERVED: &[&str] = &[
        "accord.v1.Classifier",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ];

    fn builder(admin: bool) -> Builder<'static> {
        let builder = Builder::configure()
            .include_reflection_service(false)
            .register_encoded_file_descriptor_set(accord::grpc::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET);
        let admin = admin.then_some("accord.v1.Admin");
        SERVED.iter().copied().chain(admin).fold(builder, |builder, name| builder.with_service_name(name))
    }

    pub fn v1(admin: bool) -> Result<v1::ServerReflectionServer<impl v1::ServerReflection>, Error> {
        builder(admin).build_v1()
    }

    pub fn v1alpha(admin: bool) -> Result<v1alpha::ServerReflectionServer<impl v1alpha::ServerReflection>, Error> {
        builder(admin).build_v1alpha()
    }
}
