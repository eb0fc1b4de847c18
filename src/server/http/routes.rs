//! The HTTP routes and their handlers.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, Response, StatusCode};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tonic::Code;
use tonic_health::pb::health_server::Health;
use tonic_health::pb::{health_check_response, HealthCheckRequest};
use tonic_health::ServingStatus;
use tower::util::MapResponseLayer;

use super::{body, status, HttpApi};
use crate::server::classifier::ClassifierService;
use crate::server::deadline::DeadlineLayer;
use crate::server::request_id::RequestIdLayer;
use crate::server::traces::HttpRoute;
use accord::grpc::v1 as pb;
use pb::classifier_server::Classifier;

/// What a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// A unary `accord.v1.Classifier` method, named as in the proto.
    Rpc(&'static str),
    /// Liveness: the process answers.
    Healthz,
    /// Readiness: the gRPC health status of the Classifier.
    Readyz,
    /// This API's OpenAPI document.
    OpenApi,
}

/// One route: method, path, what it serves, and (for the methods with a body) a request
/// that the OpenAPI document shows as its example and the tests send.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub endpoint: Endpoint,
    pub example: Option<&'static str>,
}

/// Every route served; anything else is answered 404 (or 405 for a known path).
pub const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        path: "/v1/classify",
        endpoint: Endpoint::Rpc("Classify"),
        example: Some(concat!(
            r#"{"article": {"id": "a1", "title": "Ministers meet", "text": "The two governments signed a trade agreement on Tuesday."}, "#,
            r#""explain": 2}"#
        )),
    },
    Route {
        method: "POST",
        path: "/v1/classify:batch",
        endpoint: Endpoint::Rpc("ClassifyBatch"),
        example: Some(concat!(
            r#"{"requests": [{"article": {"id": "a1", "text": "The two governments signed a trade agreement."}}, "#,
            r#"{"article": {"id": "a2", "text": "The striker scored twice in the final."}, "sentences": true}]}"#
        )),
    },
    Route { method: "POST", path: "/v1/tokenize", endpoint: Endpoint::Rpc("Tokenize"), example: Some(ARTICLE_REQUEST) },
    Route {
        method: "POST",
        path: "/v1/vectorize",
        endpoint: Endpoint::Rpc("Vectorize"),
        example: Some(ARTICLE_REQUEST),
    },
    Route { method: "GET", path: "/v1/model", endpoint: Endpoint::Rpc("GetModelInfo"), example: None },
    Route { method: "GET", path: "/healthz", endpoint: Endpoint::Healthz, example: None },
    Route { method: "GET", path: "/readyz", endpoint: Endpoint::Readyz, example: None },
    Route { method: "GET", path: "/openapi.json", endpoint: Endpoint::OpenApi, example: None },
];

/// The request of Tokenize and Vectorize: one article.
const ARTICLE_REQUEST: &str = concat!(
    r#"{"article": {"id": "a1", "title": "Ministers meet", "#,
    r#""text": "The two governments signed a trade agreement on Tuesday."}}"#
);

/// The router of [`ROUTES`], inside the deadline layer of the gRPC port.
pub fn router(api: Arc<HttpApi>, document: String, request_timeout: Duration) -> Router {
    let routes =
        ROUTES.iter().fold(Router::new(), |router, route| router.route(route.path, method_router(route, &document)));
    routes
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .with_state(api)
        .layer(DeadlineLayer::new(request_timeout))
        .layer(MapResponseLayer::new(status::grpc_status_as_json))
        .layer(RequestIdLayer)
}

fn method_router(route: &Route, document: &str) -> MethodRouter<Arc<HttpApi>> {
    let filter = if route.method == Method::GET { MethodFilter::GET } else { MethodFilter::POST };
    match route.endpoint {
        Endpoint::Rpc("Classify") => on(filter, classify),
        Endpoint::Rpc("ClassifyBatch") => on(filter, classify_batch),
        Endpoint::Rpc("Tokenize") => on(filter, tokenize),
        Endpoint::Rpc("Vectorize") => on(filter, vectorize),
        Endpoint::Rpc(_) => on(filter, model_info),
        Endpoint::Healthz => on(filter, healthz),
        Endpoint::Readyz => on(filter, readyz),
        Endpoint::OpenApi => {
            let document = document.to_owned();
            on(filter, move || std::future::ready(status::json_response(StatusCode::OK, document)))
        }
    }
}

async fn classify(State(api): State<Arc<HttpApi>>, request: Request) -> Response<Body> {
    unary(&api, request, |service, call| async move { service.classify(call).await }).await
}

async fn classify_batch(State(api): State<Arc<HttpApi>>, request: Request) -> Response<Body> {
    unary(&api, request, |service, call| async move { service.classify_batch(call).await }).await
}

async fn tokenize(State(api): State<Arc<HttpApi>>, request: Request) -> Response<Body> {
    unary(&api, request, |service, call| async move { service.tokenize(call).await }).await
}

async fn vectorize(State(api): State<Arc<HttpApi>>, request: Request) -> Response<Body> {
    unary(&api, request, |service, call| async move { service.vectorize(call).await }).await
}

async fn model_info(State(api): State<Arc<HttpApi>>, request: Request) -> Response<Body> {
    unary(&api, request, |service, call| async move { service.get_model_info(call).await }).await
}

/// Reads and decodes the body, calls the gRPC method with it (the request's headers as its
/// metadata, the peer address as its connection), and writes the answer or the error.
async fn unary<Req, Res, Fut>(
    api: &HttpApi,
    request: Request,
    call: impl FnOnce(ClassifierService, tonic::Request<Req>) -> Fut,
) -> Response<Body>
where
    Req: DeserializeOwned,
    Res: Serialize,
    Fut: Future<Output = Result<tonic::Response<Res>, tonic::Status>>,
{
    let (parts, body) = request.into_parts();
    let admitted = match body::read(body, &parts.headers, &api.budget, api.max_body_bytes).await {
        Ok(admitted) => admitted,
        Err(refusal) => return *refusal,
    };
    let message = match decode::<Req>(&admitted.bytes) {
        Ok(message) => message,
        Err(error) => return status::with_http_status(StatusCode::BAD_REQUEST, Code::InvalidArgument, &error),
    };
    let mut extensions = parts.extensions;
    if let Some(route) = ROUTES.iter().find(|route| route.path == parts.uri.path()) {
        extensions.insert(HttpRoute { method: route.method, path: route.path });
    }
    let metadata = tonic::metadata::MetadataMap::from_headers(parts.headers);
    let answer = call(api.classifier.clone(), tonic::Request::from_parts(metadata, extensions, message)).await;
    let written = answer.map(|response| accord::grpc::json::to_line(response.get_ref()));
    drop(admitted);
    match written {
        Ok(Ok(json)) => status::json_response(StatusCode::OK, json),
        Ok(Err(error)) => {
            tracing::error!(%error, "cannot write an answer as JSON");
            status::with_http_status(StatusCode::INTERNAL_SERVER_ERROR, Code::Internal, "internal error")
        }
        Err(error) => status::from_status(&error),
    }
}

/// A request message from its proto3 JSON; an empty body is the empty message. A mistake
/// is named by its path in the body (`requests[0].explain: invalid type: ...`).
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let message = serde_path_to_error::deserialize(&mut json).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." {
            format!("the request body is not a valid request: {inner}")
        } else {
            format!("{path}: {inner}")
        }
    })?;
    json.end().map_err(|error| format!("the request body has more after its JSON object: {error}"))?;
    Ok(message)
}

async fn healthz() -> Response<Body> {
    status::json_response(StatusCode::OK, serving_json(ServingStatus::Serving))
}

/// 200 while the gRPC health service reports the Classifier SERVING; 503 from the start of
/// shutdown (the drain time included), so that load balancers stop sending calls.
async fn readyz(State(api): State<Arc<HttpApi>>) -> Response<Body> {
    let service = <pb::classifier_server::ClassifierServer<ClassifierService> as tonic::server::NamedService>::NAME;
    let check = HealthCheckRequest { service: service.to_owned() };
    let serving = match api.health.check(tonic::Request::new(check)).await {
        Ok(answer) => answer.into_inner().status == health_check_response::ServingStatus::Serving as i32,
        Err(_) => false,
    };
    let (http, reported) = match serving {
        true => (StatusCode::OK, ServingStatus::Serving),
        false => (StatusCode::SERVICE_UNAVAILABLE, ServingStatus::NotServing),
    };
    status::json_response(http, serving_json(reported))
}

fn serving_json(status: ServingStatus) -> String {
    let name = match status {
        ServingStatus::Serving => "SERVING",
        _ => "NOT_SERVING",
    };
    serde_json::json!({ "status": name }).to_string()
}

async fn no_route(request: Request) -> Response<Body> {
    let message =
        format!("no route {} {}; the routes are listed at /openapi.json", request.method(), request.uri().path());
    status::with_http_status(StatusCode::NOT_FOUND, Code::NotFound, &message)
}

async fn wrong_method(request: Request) -> Response<Body> {
    let message = format!("{} does not take {}; see /openapi.json", request.uri().path(), request.method());
    status::with_http_status(StatusCode::METHOD_NOT_ALLOWED, Code::Unimplemented, &message)
}
