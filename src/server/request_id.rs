//! Request ids: every call, gRPC or HTTP, has an `x-request-id`. The client's is kept when it
//! is one the log takes as it is (printable ASCII, at most 128 bytes); otherwise a generated
//! one (32 hex digits, unique within the process: see [`generated`]) replaces it. Either way
//! it reaches the call's log line (through the request headers, which the handlers read) and
//! goes back to the client in the response headers (the gRPC response metadata, or the HTTP
//! header).
//!
//! The id goes back marked sensitive, which HTTP/2 encodes as a literal never entered in
//! the connection's header table: an id differs from call to call, and indexing each one
//! would evict the entries that do repeat (and cost a search of the table every call).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;
use tonic::codegen::http::header::Entry;
use tonic::codegen::http::{HeaderName, HeaderValue, Request, Response};
use tonic::codegen::Bytes;
use tower::{Layer, Service};

/// The header that carries the id both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const MAX_REQUEST_ID_BYTES: usize = 128;

/// Adds [`RequestId`] around a service.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestId<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestId { inner }
    }
}

/// A service whose calls all carry an `x-request-id`, returned with the answer.
#[derive(Debug, Clone)]
pub struct RequestId<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestId<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = IdReturned<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // One look-up finds the client's id and, when it is missing or unusable, puts the
        // generated one in its place (replacing every value of the header, as `insert` does).
        let mut id = match request.headers_mut().entry(REQUEST_ID) {
            Entry::Occupied(sent) if usable(sent.get()) => sent.get().clone(),
            Entry::Occupied(mut sent) => {
                let id = generated();
                sent.insert(id.clone());
                id
            }
            Entry::Vacant(missing) => missing.insert(generated()).clone(),
        };
        id.set_sensitive(true);
        IdReturned { answer: self.inner.call(request), id: Some(id) }
    }
}

pin_project! {
    /// A call's answer, which gets its request id in its headers when it is ready.
    pub struct IdReturned<F> {
        #[pin]
        answer: F,
        id: Option<HeaderValue>,
    }
}

impl<F, ResBody, E> Future for IdReturned<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.answer.poll(cx))?;
        if let Some(id) = this.id.take() {
            response.headers_mut().insert(REQUEST_ID, id);
        }
        Poll::Ready(Ok(response))
    }
}

/// An id the call's log takes as it is: printable ASCII, not empty, not too long.
fn usable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID_BYTES && bytes.iter().all(u8::is_ascii_graphic)
}

/// A fresh id: 32 lowercase hex digits, the first 16 drawn at random once per process, the
/// last 16 a per-process call counter put through a bijective mix, so that no two ids of a
/// process are alike (for 2^64 calls) and two processes' ids differ with overwhelming odds,
/// for an atomic add and a few shifts a call instead of a random draw. The value owns its
/// digits in one shared allocation, so that the copy for the answer is a reference count,
/// not a second buffer.
fn generated() -> HeaderValue {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    static PREFIX: OnceLock<[u8; 16]> = OnceLock::new();
    let prefix = PREFIX.get_or_init(|| hex_digits(rand::random::<u64>()));
    let mut id = [0u8; 32];
    id[..16].copy_from_slice(prefix);
    id[16..].copy_from_slice(&hex_digits(mix(CALLS.fetch_add(1, Ordering::Relaxed))));
    HeaderValue::from_maybe_shared(Bytes::from_owner(id)).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// `value` as 16 lowercase hex digits, most significant first.
fn hex_digits(value: u64) -> [u8; 16] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    std::array::from_fn(|i| HEX[((value >> (60 - 4 * i)) & 0xf) as usize])
}

/// SplitMix64's finalizer: a bijection on `u64` (each step is invertible), so distinct
/// counts give distinct ids, while consecutive calls' ids do not look consecutive.
fn mix(count: u64) -> u64 {
    let mut z = count.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), if it is
/// well formed and not all zeros.
pub fn trace_id(traceparent: &str) -> Option<&str> {
    let mut parts = traceparent.split('-');
    let (version, trace, parent, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex =
        |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let well_formed = hex(version, 2) && version != "ff" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2);
    // Version 00 has exactly four parts; later versions may append more.
    let complete = version != "00" || parts.next().is_none();
    (well_formed && complete && trace.bytes().any(|b| b != b'0') && parent.bytes().any(|b| b != b'0')).then_some(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo(request: Request<()>) -> Result<Response<String>, std::convert::Infallible> {
        let seen = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Ok(Response::new(seen))
    }

    async fn call(id: Option<&str>) -> (String, String) {
        let mut service = RequestIdLayer.layer(tower::service_fn(echo));
        let mut request = Request::new(());
        if let Some(id) = id {
            request.headers_mut().insert(REQUEST_ID, HeaderValue::from_str(id).expect("a header value"));
        }
        let response = service.call(request).await.expect("answered");
        let sensitive = response.headers().get(REQUEST_ID).is_some_and(HeaderValue::is_sensitive);
        assert!(sensitive, "the returned id is not marked sensitive (HTTP/2 would index it)");
        let returned = response.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (response.into_body(), returned)
    }

    #[tokio::test]
    async fn a_clients_id_is_kept_and_a_missing_or_unusable_one_generated() {
        assert_eq!(call(Some("abc-123")).await, ("abc-123".into(), "abc-123".into()));
        for sent in [None, Some("has space"), Some(&*"x".repeat(129))] {
            let (seen, returned) = call(sent).await;
            assert_eq!(seen, returned, "{sent:?}");
            assert_eq!(returned.len(), 32, "{returned}");
            assert!(returned.bytes().all(|b| b.is_ascii_hexdigit()), "{returned}");
        }
        assert_ne!(call(None).await.1, call(None).await.1);
    }

    #[test]
    fn generated_ids_are_unique_across_threads() {
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..20_000).map(|_| generated().as_bytes().to_vec()).collect::<Vec<_>>()))
            .collect();
        let ids: Vec<Vec<u8>> = threads.into_iter().flat_map(|t| t.join().expect("no panic")).collect();
        assert!(ids
            .iter()
            .all(|id| id.len() == 32 && id.iter().all(|&b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))));
        assert!(ids.iter().all(|id| id[..16] == ids[0][..16]), "one prefix a process");
        let distinct: std::collections::HashSet<&[u8]> = ids.iter().map(|id| &id[16..]).collect();
        assert_eq!(distinct.len(), ids.len(), "an id repeated");
        // The mix is a bijection: a few counts far apart never meet either.
        let far: std::collections::HashSet<u64> = (0..64).map(|i| mix(i << 58 | i)).collect();
        assert_eq!(far.len(), 64);
    }

    #[test]
    fn only_well_formed_traceparents_give_a_trace_id() {
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(trace_id(&format!("00-{trace}-00f067aa0ba902b7-01")), Some(trace));
        assert_eq!(trace_id(&format!("01-{trace}-00f067aa0ba902b7-01-later")), Some(trace));
        for bad in [
            format!("00-{trace}-00f067aa0ba902b7-01-extra"),
            format!("ff-{trace}-00f067aa0ba902b7-01"),
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01".to_owned(),
            format!("00-{trace}-0000000000000000-01"),
            format!("00-{}-00f067aa0ba902b7-01", trace.to_uppercase()),
            format!("00-{trace}-00f067aa0ba902b7"),
            String::new(),
        ] {
            assert_eq!(trace_id(&bad), None, "{bad}");
        }
    }
}
