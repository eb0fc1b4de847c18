//! Call deadlines: the client's `grpc-timeout` or `--request-timeout-secs`, whichever is
//! shorter, answered with DEADLINE_EXCEEDED.
//!
//! Tonic's own `Server::timeout` answers an expired deadline with CANCELLED ("Timeout
//! expired"), which clients cannot tell from a call they cancelled themselves; gRPC says
//! DEADLINE_EXCEEDED. When the deadline passes, the handler's future is dropped: a job still
//! queued for a worker never runs (see [`super::pool`]). This layer's timer covers a call up
//! to its response headers; it also hands the deadline ([`CallDeadline`]) to the handler
//! and the answer's body, with which `ClassifyStream` ends its answer stream too: in the
//! call's [`Ledger`] when the call has one, else as a request extension of its own. A
//! counted call's request so carries three extensions (tonic's connection info, the ledger,
//! axum's route parameters), which fit the extension table's first allocation; a fourth
//! would grow it on every call. [`CallDeadline::of`] finds the deadline either way.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tonic::codegen::http::{Extensions, HeaderMap, HeaderName, Request, Response};
use tonic::Status;
use tower::{Layer, Service};

use super::error::ServiceError;
use super::logging::Ledger;

/// When a call must end, and which limit set that; a request extension.
#[derive(Debug, Clone, Copy)]
pub struct CallDeadline {
    pub at: tokio::time::Instant,
    pub limit: Duration,
    pub set_by: &'static str,
}

impl CallDeadline {
    /// The deadline `limit` from now, set by `--request-timeout-secs`.
    pub fn server_default(limit: Duration) -> Self {
        Self { at: tokio::time::Instant::now() + limit, limit, set_by: SERVER_LIMIT }
    }

    /// A call's deadline, from its request's extensions: `own` (a [`CallDeadline`]
    /// extension) or, for a call the outcome layer counts, its `ledger`'s.
    pub fn of(own: Option<&CallDeadline>, ledger: Option<&Arc<Ledger>>) -> Option<CallDeadline> {
        own.copied().or_else(|| ledger.and_then(|ledger| ledger.deadline()))
    }

    /// [`CallDeadline::of`] a request as the HTTP layers see it: the ledger is looked up
    /// first, so that a counted call (which has no extension of its own) costs one look-up.
    pub fn of_http(extensions: &Extensions) -> Option<CallDeadline> {
        match extensions.get::<Arc<Ledger>>() {
            Some(ledger) => ledger.deadline(),
            None => extensions.get::<CallDeadline>().copied(),
        }
    }

    pub fn exceeded(&self) -> ServiceError {
        ServiceError::DeadlineExceeded { limit: self.limit, set_by: self.set_by }
    }
}

const SERVER_LIMIT: &str = "--request-timeout-secs";

/// Adds [`Deadline`] around the services.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    server_limit: Duration,
}

impl DeadlineLayer {
    pub fn new(server_limit: Duration) -> Self {
        Self { server_limit }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline { inner, server_limit: self.server_limit }
    }
}

/// A service whose calls end with DEADLINE_EXCEEDED when their deadline passes.
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    server_limit: Duration,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Deadline<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = WithinDeadline<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let (limit, set_by) = match client_timeout(request.headers()) {
            Some(client) if client < self.server_limit => (client, "its grpc-timeout"),
            _ => (self.server_limit, SERVER_LIMIT),
        };
        let deadline = CallDeadline { at: tokio::time::Instant::now() + limit, limit, set_by };
        match request.extensions().get::<Arc<Ledger>>() {
            Some(ledger) => ledger.set_deadline(deadline),
            None => {
                request.extensions_mut().insert(deadline);
            }
        }
        WithinDeadline { call: tokio::time::timeout_at(deadline.at, self.inner.call(request)), deadline }
    }
}

pin_project! {
    /// A call's answer, or DEADLINE_EXCEEDED if its deadline passes first.
    pub struct WithinDeadline<F> {
        #[pin]
        call: tokio::time::Timeout<F>,
        deadline: CallDeadline,
    }
}

impl<F, ResBody, E> Future for WithinDeadline<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: Default,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        Poll::Ready(match std::task::ready!(this.call.poll(cx)) {
            Ok(answer) => answer,
            Err(_) => Ok(Status::from(this.deadline.exceeded()).into_http()),
        })
    }
}

/// The `grpc-timeout` header: up to 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`).
/// A malformed header is ignored, as the gRPC spec's servers do.
fn client_timeout(headers: &HeaderMap) -> Option<Duration> {
    const GRPC_TIMEOUT: HeaderName = HeaderName::from_static("grpc-timeout");
    let value = headers.get(GRPC_TIMEOUT)?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-timeout", value.parse().expect("header value"));
        client_timeout(&headers)
    }

    #[test]
    fn parses_every_unit_and_refuses_malformed_values() {
        assert_eq!(parse("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse("5S"), Some(Duration::from_secs(5)));
        assert_eq!(parse("150m"), Some(Duration::from_millis(150)));
        assert_eq!(parse("7u"), Some(Duration::from_micros(7)));
        assert_eq!(parse("99999999n"), Some(Duration::from_nanos(99_999_999)));
        for bad in ["", "m", "123456789S", "12x", "-5S", "1.5S", "5 S"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(client_timeout(&HeaderMap::new()), None);
    }

    /// A service that answers after 30 s.
    async fn slow(_: Request<()>) -> Result<Response<String>, std::convert::Infallible> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(Response::new("too late".to_owned()))
    }

    fn status_of(response: &Response<String>) -> (&str, &str) {
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        (header("grpc-status"), header("grpc-message"))
    }

    #[tokio::test]
    async fn the_shorter_of_the_two_limits_ends_the_call_with_deadline_exceeded() {
        let mut service = DeadlineLayer::new(Duration::from_millis(20)).layer(tower::service_fn(slow));
        let answer = service.call(Request::new(())).await.expect("answered");
        let (code, message) = status_of(&answer);
        assert_eq!(code, "4");
        assert!(message.contains("--request-timeout-secs"), "{message}");
        assert!(answer.body().is_empty());

        let mut service = DeadlineLayer::new(Duration::from_secs(60)).layer(tower::service_fn(slow));
        let mut request = Request::new(());
        request.headers_mut().insert("grpc-timeout", "20m".parse().expect("header value"));
        let answer = service.call(request).await.expect("answered");
        let (code, message) = status_of(&answer);
        assert_eq!(code, "4");
        assert!(message.contains("grpc-timeout"), "{message}");
    }
}
