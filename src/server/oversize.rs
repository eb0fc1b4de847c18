//! Status code for request messages over the size limit.
//!
//! Tonic refuses a message over `max_decoding_message_size` with OUT_OF_RANGE; gRPC's
//! convention (and what grpc-go, grpc-java and grpc-core clients expect) is
//! RESOURCE_EXHAUSTED. For unary calls the refusal happens before any handler runs and is
//! sent as a trailers-only response, so this layer rewrites the status in its headers. None
//! of the served methods returns OUT_OF_RANGE for another reason. (Streamed requests are
//! mapped by [`super::error::ServiceError::inbound`].)

use tonic::codegen::http::{HeaderName, HeaderValue, Response};
use tonic::Code;

/// The trailer (or trailers-only header) that carries a call's status code.
pub(super) const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");

/// The response, with a trailers-only OUT_OF_RANGE status turned into RESOURCE_EXHAUSTED.
pub fn resource_exhausted_for_oversize<B>(mut response: Response<B>) -> Response<B> {
    let headers = response.headers_mut();
    let out_of_range =
        headers.get(GRPC_STATUS).is_some_and(|code| Code::from_bytes(code.as_bytes()) == Code::OutOfRange);
    if out_of_range {
        headers.insert(GRPC_STATUS, HeaderValue::from(Code::ResourceExhausted as i32));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_status(code: Option<Code>) -> Response<()> {
        let mut response = Response::new(());
        if let Some(code) = code {
            response.headers_mut().insert("grpc-status", HeaderValue::from(code as i32));
        }
        response
    }

    fn status_of(response: &Response<()>) -> Option<&str> {
        response.headers().get("grpc-status").and_then(|v| v.to_str().ok())
    }

    #[test]
    fn only_out_of_range_is_rewritten() {
        assert_eq!(status_of(&resource_exhausted_for_oversize(with_status(Some(Code::OutOfRange)))), Some("8"));
        assert_eq!(status_of(&resource_exhausted_for_oversize(with_status(Some(Code::InvalidArgument)))), Some("3"));
        assert_eq!(status_of(&resource_exhausted_for_oversize(with_status(None))), None);
    }
}
