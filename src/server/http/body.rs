//! Reading a JSON request body within the limits a gRPC message has: at most
//! `--max-message-bytes` (413 beyond), and admitted against `--max-bytes-in-flight`, the
//! budget gRPC calls share (429 when it is spent). A body that declares its length is
//! admitted before any of it is read, as a gRPC message is when its frame header arrives; a
//! chunked one is admitted chunk by chunk as it arrives.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Response, StatusCode};
use http_body_util::BodyExt;
use tonic::Code;

use super::status;
use crate::server::budget::Charge;
use crate::server::inflight::{CallInFlight, InFlightLayer};

/// A request body read whole, and the share of the bytes-in-flight budget it holds (and its
/// place in the count of calls in progress) until the call's answer is written.
pub struct Admitted {
    pub bytes: Bytes,
    _held: Option<Charge>,
    _call: CallInFlight,
}

/// The answer refusing a body (boxed: a response is large beside the `Ok` side).
pub type Refusal = Box<Response<Body>>;

/// The body's bytes, or the answer refusing it.
pub async fn read(
    body: Body,
    headers: &HeaderMap,
    budget: &InFlightLayer,
    max_bytes: usize,
) -> Result<Admitted, Refusal> {
    let call = budget.call_started();
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared.filter(|&length| length > max_bytes as u64) {
        return Err(too_large(length.to_string(), max_bytes));
    }
    let mut held = match declared {
        Some(length) => Some(admit(budget, length as usize)?),
        None => None,
    };
    let mut bytes = Vec::new();
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            let message = format!("cannot read the request body: {error}");
            Box::new(status::with_http_status(StatusCode::BAD_REQUEST, Code::InvalidArgument, &message))
        })?;
        let Ok(data) = frame.into_data() else { continue };
        if bytes.len() + data.len() > max_bytes {
            return Err(too_large(format!("more than {max_bytes}"), max_bytes));
        }
        if declared.is_none() {
            let charge = admit(budget, data.len())?;
            match held.as_mut() {
                Some(earlier) => earlier.merge(charge),
                None => held = Some(charge),
            }
        }
        bytes.extend_from_slice(&data);
    }
    Ok(Admitted { bytes: Bytes::from(bytes), _held: held, _call: call })
}

fn admit(budget: &InFlightLayer, bytes: usize) -> Result<Charge, Refusal> {
    budget.try_admit(bytes).map_err(|refusal| Box::new(status::from_status(&refusal)))
}

/// 413, with RESOURCE_EXHAUSTED as gRPC answers a message over the limit.
fn too_large(bytes: String, max_bytes: usize) -> Refusal {
    let message =
        format!("the request body is {bytes} bytes, over the limit of {max_bytes} bytes (--max-message-bytes)");
    Box::new(status::with_http_status(StatusCode::PAYLOAD_TOO_LARGE, Code::ResourceExhausted, &message))
}
