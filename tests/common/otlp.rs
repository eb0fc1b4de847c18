//! An OTLP/gRPC trace collector run inside a test, in plaintext or over TLS, and the spans
//! it receives.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::{any_value, KeyValue};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use tokio::sync::mpsc;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

use super::{classify_request, Server, SPORTS_COOPERATION};

/// How long a span may take to reach the collector once its call is answered.
pub const ARRIVAL: Duration = Duration::from_secs(10);

/// One span as the collector received it, with its resource's attributes.
#[derive(Debug, Clone)]
pub struct Received {
    pub name: String,
    pub trace_id: String,
    pub parent_span_id: String,
    pub attributes: HashMap<String, String>,
    pub resource: HashMap<String, String>,
    pub status: Option<StatusCode>,
}

/// An OTLP trace service that hands every span it receives to the test.
struct Collector {
    spans: mpsc::UnboundedSender<Received>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        for resource_spans in request.into_inner().resource_spans {
            let resource = attributes(resource_spans.resource.map(|resource| resource.attributes).unwrap_or_default());
            for span in resource_spans.scope_spans.into_iter().flat_map(|scope| scope.spans) {
                let _ = self.spans.send(Received {
                    name: span.name,
                    trace_id: hex(&span.trace_id),
                    parent_span_id: hex(&span.parent_span_id),
                    attributes: attributes(span.attributes),
                    resource: resource.clone(),
                    status: span.status.and_then(|status| StatusCode::try_from(status.code).ok()),
                });
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

/// Attributes as text: strings as they are, numbers written out.
fn attributes(list: Vec<KeyValue>) -> HashMap<String, String> {
    let text = |value: any_value::Value| match value {
        any_value::Value::StringValue(text) => text,
        any_value::Value::IntValue(number) => number.to_string(),
        any_value::Value::BoolValue(flag) => flag.to_string(),
        other => format!("{other:?}"),
    };
    list.into_iter().filter_map(|kv| Some((kv.key, text(kv.value?.value?)))).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Starts a plaintext collector on a free port of 127.0.0.1; returns its `http://` URL and
/// what it receives.
pub async fn start_collector() -> (String, mpsc::UnboundedReceiver<Received>) {
    start(None).await
}

/// Starts a collector serving TLS with `identity` (a certificate for 127.0.0.1) on a free
/// port of 127.0.0.1; returns its `https://` URL and what it receives.
pub async fn start_tls_collector(identity: Identity) -> (String, mpsc::UnboundedReceiver<Received>) {
    start(Some(ServerTlsConfig::new().identity(identity))).await
}

/// Starts a collector serving TLS with `identity` that requires every client to present a
/// certificate signed by `client_ca` (mTLS): a client without one fails the handshake.
pub async fn start_mtls_collector(
    identity: Identity,
    client_ca: Certificate,
) -> (String, mpsc::UnboundedReceiver<Received>) {
    start(Some(ServerTlsConfig::new().identity(identity).client_ca_root(client_ca).client_auth_optional(false))).await
}

async fn start(tls: Option<ServerTlsConfig>) -> (String, mpsc::UnboundedReceiver<Received>) {
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().expect("an address")).expect("the collector binds");
    let addr = incoming.local_addr().expect("a bound address");
    let (spans, received) = mpsc::unbounded_channel();
    let service = TraceServiceServer::new(Collector { spans });
    let mut server = tonic::transport::Server::builder();
    let scheme = match tls {
        Some(tls) => {
            server = server.tls_config(tls).expect("the TLS settings");
            "https"
        }
        None => "http",
    };
    tokio::spawn(server.add_service(service).serve_with_incoming(incoming));
    (format!("{scheme}://{addr}"), received)
}

/// The next span received within [`ARRIVAL`] whose request id is `request_id`.
pub async fn span_of(received: &mut mpsc::UnboundedReceiver<Received>, request_id: &str) -> Received {
    let wait = async {
        loop {
            let span = received.recv().await.expect("the collector runs");
            if span.attributes.get("request_id").map(String::as_str) == Some(request_id) {
                return span;
            }
        }
    };
    tokio::time::timeout(ARRIVAL, wait).await.unwrap_or_else(|_| panic!("no span of {request_id} within {ARRIVAL:?}"))
}

/// A Classify call with `x-request-id` and, when given, `traceparent`; returns the request
/// id the server answered with.
pub async fn classify(server: &Server, request_id: &str, traceparent: Option<&str>) -> String {
    let mut request = tonic::Request::new(classify_request("a1", SPORTS_COOPERATION, 0));
    request.metadata_mut().insert("x-request-id", request_id.parse().expect("ascii"));
    if let Some(traceparent) = traceparent {
        request.metadata_mut().insert("traceparent", traceparent.parse().expect("ascii"));
    }
    let answer = server.client().await.classify(request).await.expect("Classify answers");
    answer.metadata().get("x-request-id").and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
}
