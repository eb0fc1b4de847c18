//! Errors as HTTP answers: a `google.rpc.Status` JSON body (`{"code": 3, "message": "...",
//! "details": []}`) under the HTTP status that Google's API design guide maps each gRPC code
//! to (`google/rpc/code.proto`).

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Response, StatusCode};
use tonic::{Code, Status};

/// The content type of every JSON answer.
pub const JSON: &str = "application/json";

/// The HTTP status of a gRPC code.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        // 499 "client closed request" (nginx), as code.proto maps CANCELLED.
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => StatusCode::BAD_REQUEST,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A gRPC status as its HTTP answer.
pub fn from_status(status: &Status) -> Response<Body> {
    with_http_status(http_status(status.code()), status.code(), status.message())
}

/// A `google.rpc.Status` body under `http` (which may differ from the code's own mapping, as
/// 413 does for a body over the size limit).
pub fn with_http_status(http: StatusCode, code: Code, message: &str) -> Response<Body> {
    let body = RpcStatus { code: code as i32, message, details: [] };
    json_response(http, serde_json::to_string(&body).unwrap_or_default())
}

/// `google.rpc.Status` in its JSON mapping; no details are sent.
#[derive(serde::Serialize)]
struct RpcStatus<'a> {
    code: i32,
    message: &'a str,
    details: [(); 0],
}

/// `text` (JSON) under `http`.
pub fn json_response(http: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = http;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

/// An answer the shared gRPC layers wrote as a trailers-only gRPC status (the deadline
/// layer's DEADLINE_EXCEEDED) turned into its JSON answer; other answers pass unchanged.
pub fn grpc_status_as_json(response: Response<Body>) -> Response<Body> {
    match Status::from_header_map(response.headers()) {
        Some(status) => from_status(&status),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_the_standard_http_statuses() {
        let expected = [
            (Code::InvalidArgument, 400),
            (Code::Unauthenticated, 401),
            (Code::NotFound, 404),
            (Code::ResourceExhausted, 429),
            (Code::Internal, 500),
            (Code::Unavailable, 503),
            (Code::DeadlineExceeded, 504),
            (Code::FailedPrecondition, 400),
            (Code::Cancelled, 499),
        ];
        for (code, http) in expected {
            assert_eq!(http_status(code).as_u16(), http, "{code:?}");
        }
    }

    #[test]
    fn a_trailers_only_grpc_answer_becomes_a_json_status() {
        let grpc = Status::deadline_exceeded("took longer than 1s").into_http::<Body>();
        let answer = grpc_status_as_json(grpc);
        assert_eq!(answer.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(answer.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some(JSON));
        let plain = grpc_status_as_json(Response::new(Body::empty()));
        assert_eq!(plain.status(), StatusCode::OK);
    }
}
