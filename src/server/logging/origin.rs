//! Who made a call, read from its request's headers and connection, and the call's span,
//! which carries it into every log line of the call.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use tonic::codegen::http;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
use tonic::Request;
use tracing::{field, Span};

use super::Ledger;
use crate::server::traces::{CallName, CallTrace, HttpRoute};

/// Who made a call: the client's address, and the `x-request-id` it sent (or the server
/// made, see [`crate::server::request_id`]) and the trace id of its W3C `traceparent`, so that a
/// call's log line can be found from the caller's side; and how its request was compressed
/// (`grpc-encoding`), so that an operator sees which clients send gzip. It also carries the
/// call's [`Ledger`], when the call has one, and the HTTP route of a call made over HTTP.
///
/// The headers are borrowed from the request while it lives ([`CallOrigin::of_http`], which
/// the ledger reads once per call) and copied only where the origin outlives it.
#[derive(Debug, Clone)]
pub struct CallOrigin<'a> {
    peer: Option<SocketAddr>,
    request_id: Option<Cow<'a, str>>,
    traceparent: Option<Cow<'a, str>>,
    encoding: Option<Cow<'a, str>>,
    pub(super) ledger: Option<Arc<Ledger>>,
    route: Option<HttpRoute>,
}

/// The headers a call's origin reads, named once rather than parsed from text at each call.
const TRACEPARENT: http::HeaderName = http::HeaderName::from_static("traceparent");
const GRPC_ENCODING: http::HeaderName = http::HeaderName::from_static("grpc-encoding");

/// The longest header value logged (`x-request-id`, `grpc-encoding`).
const MAX_LOGGED_HEADER_BYTES: usize = 128;

impl CallOrigin<'static> {
    /// The origin of a request as a handler sees it; it outlives the request.
    pub fn of<T>(request: &Request<T>) -> Self {
        let ledger = request.extensions().get::<Arc<Ledger>>().cloned();
        let route = request.extensions().get::<HttpRoute>().copied();
        if ledger.is_some() {
            // The ledger's span and trace already hold the headers: the handler needs nothing else.
            return Self { peer: None, request_id: None, traceparent: None, encoding: None, ledger, route };
        }
        let header = |name: &str| {
            let value = request.metadata().get(name).and_then(|value| value.to_str().ok());
            value.and_then(loggable_header).map(|value| Cow::Owned(value.to_owned()))
        };
        Self {
            peer: request.remote_addr(),
            request_id: header("x-request-id"),
            traceparent: header("traceparent").filter(|value| crate::server::request_id::trace_id(value).is_some()),
            encoding: header("grpc-encoding"),
            ledger,
            route,
        }
    }
}

impl<'a> CallOrigin<'a> {
    /// The origin of a request as the HTTP layers see it, before tonic has decoded it,
    /// borrowing its headers.
    pub fn of_http<B>(request: &'a http::Request<B>) -> Self {
        let [request_id, traceparent, encoding] = first_values(request.headers(), ORIGIN_HEADERS);
        let header = |value: Option<&'a http::HeaderValue>| {
            value.and_then(|value| value.to_str().ok()).and_then(loggable_header).map(Cow::Borrowed)
        };
        let extensions = request.extensions();
        let tcp = extensions.get::<TcpConnectInfo>();
        let tls = extensions.get::<TlsConnectInfo<TcpConnectInfo>>().map(TlsConnectInfo::get_ref);
        let peer = tcp.or(tls).and_then(TcpConnectInfo::remote_addr);
        Self {
            peer,
            request_id: header(request_id),
            traceparent: header(traceparent).filter(|value| crate::server::request_id::trace_id(value).is_some()),
            encoding: header(encoding),
            ledger: None,
            route: None,
        }
    }

    /// An origin not read: every field unknown.
    pub(super) fn unknown() -> Self {
        Self { peer: None, request_id: None, traceparent: None, encoding: None, ledger: None, route: None }
    }

    /// The trace id of the caller's `traceparent`, when it sent a valid one.
    fn trace_id(&self) -> Option<&str> {
        self.traceparent.as_deref().and_then(crate::server::request_id::trace_id)
    }

    /// The exported span of a call to `method` from here (an empty one when none is
    /// exported).
    pub(super) fn trace(&self, method: &'static str) -> CallTrace {
        let name = CallName { method, route: self.route };
        CallTrace::open(name, self.request_id.as_deref(), self.traceparent.as_deref())
    }
}

/// The headers [`CallOrigin::of_http`] reads.
const ORIGIN_HEADERS: [http::HeaderName; 3] = [crate::server::request_id::REQUEST_ID, TRACEPARENT, GRPC_ENCODING];

/// The first value of each of `names` in `headers`, as `HeaderMap::get` gives it, found in
/// one walk over the few headers of a call rather than a hashed look-up per name.
fn first_values<const N: usize>(
    headers: &http::HeaderMap,
    names: [http::HeaderName; N],
) -> [Option<&http::HeaderValue>; N] {
    let mut found = [None; N];
    for (name, value) in headers {
        if let Some(index) = names.iter().position(|wanted| wanted == name) {
            found[index].get_or_insert(value);
        }
    }
    found
}

/// A header's value (the request id, the encoding) if it is safe to log as it is: printable
/// ASCII, not too long. Anything else (a caller's mistake, or an attempt to forge log lines)
/// is left out.
fn loggable_header(value: &str) -> Option<&str> {
    let printable = value.bytes().all(|b| b.is_ascii_graphic());
    (!value.is_empty() && value.len() <= MAX_LOGGED_HEADER_BYTES && printable).then_some(value)
}

pub(super) fn call_span(method: &'static str, origin: &CallOrigin<'_>) -> Span {
    // The fields are given when the span is made, in one call to the subscriber (a missing
    // one is left out), rather than recorded one by one after it, each a call of its own.
    tracing::info_span!(
        "rpc",
        method,
        peer = origin.peer.map(field::display),
        request_id = origin.request_id.as_deref(),
        trace_id = origin.trace_id(),
        encoding = origin.encoding.as_deref()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_headers_are_read_as_header_map_get_reads_them() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/grpc"));
        headers.append(GRPC_ENCODING, http::HeaderValue::from_static("gzip"));
        headers.append(GRPC_ENCODING, http::HeaderValue::from_static("identity"));
        headers.insert(crate::server::request_id::REQUEST_ID, http::HeaderValue::from_static("id-1"));
        let found = first_values(&headers, ORIGIN_HEADERS);
        let expected = ORIGIN_HEADERS.map(|name| headers.get(name));
        assert_eq!(found, expected);
        assert_eq!(found.map(|value| value.map(|v| v.as_bytes())), [Some(&b"id-1"[..]), None, Some(&b"gzip"[..])]);
    }
}
