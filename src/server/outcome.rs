//! The one place a call to `accord.v1` is counted and its closing line written: when its
//! status is handed to HTTP/2 (in the trailers, or in the headers of an answer without a
//! body), or, if its answer is dropped before that (the client reset the call, its
//! connection closed), as CANCELLED; as DEADLINE_EXCEEDED when that happens past the call's
//! deadline.
//!
//! Calls ended before any handler ran (a deadline passed while the request arrived, the
//! bytes in flight were full, a message was too large, a unary call sent two messages) are
//! counted like the others, with the status the client got.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::body::Body;
use tonic::codegen::http::{HeaderMap, Request, Response};
use tonic::codegen::Bytes;
use tonic::{Code, Status};
use tower::{Layer, Service};

use super::logging::{Ledger, Outcome};
use super::metrics::{Metrics, METHODS};
use super::oversize::GRPC_STATUS;

/// The method name of an `accord.v1` call's path, if it is one of [`METHODS`].
fn counted_method(path: &str) -> Option<&'static str> {
    let method = path.strip_prefix("/accord.v1.Classifier/").or_else(|| path.strip_prefix("/accord.v1.Admin/"))?;
    METHODS.iter().copied().find(|&known| known == method)
}

/// Adds [`CallOutcomes`] around the services.
#[derive(Debug, Clone)]
pub struct CallOutcomesLayer {
    metrics: Arc<Metrics>,
}

impl CallOutcomesLayer {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for CallOutcomesLayer {
    type Service = CallOutcomes<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallOutcomes { inner, metrics: Arc::clone(&self.metrics) }
    }
}

/// A service whose `accord.v1` calls are counted and logged with the status sent.
#[derive(Debug, Clone)]
pub struct CallOutcomes<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B> Service<Request<Body>> for CallOutcomes<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
{
    type Response = Response<Watched<B>>;
    type Error = S::Error;
    type Future = Counted<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let Some(method) = counted_method(request.uri().path()) else {
            return Counted { answer: self.inner.call(request), call: OpenCall(None) };
        };
        let ledger = Arc::new(Ledger::open(&self.metrics, method, &request));
        request.extensions_mut().insert(Arc::clone(&ledger));
        Counted { answer: self.inner.call(request), call: OpenCall(Some(ledger)) }
    }
}

pin_project! {
    /// A call's answer, whose status closes the call when it is sent; dropped before its
    /// answer is ready, the call is closed as abandoned.
    pub struct Counted<F> {
        #[pin]
        answer: F,
        call: OpenCall,
    }
}

impl<F, B, E> Future for Counted<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<Watched<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.answer.poll(cx))?;
        let mut open = OpenCall(this.call.0.take());
        if open.0.is_some() {
            if let Some(outcome) = sent_in(response.headers()) {
                open.close(outcome);
            }
        }
        Poll::Ready(Ok(response.map(|body| Watched { inner: body, call: open })))
    }
}

/// The status in `headers` (a trailers-only answer's headers, or an answer's trailers), if
/// they hold one, as the closing line reports it. An OK status is read from its code alone:
/// tonic's full parse copies the whole map to keep the other headers, which the closing line
/// does not report.
fn sent_in(headers: &HeaderMap) -> Option<Outcome> {
    match Code::from_bytes(headers.get(GRPC_STATUS)?.as_bytes()) {
        Code::Ok => Some(Outcome { code: Code::Ok, message: None, severe: false }),
        _ => Status::from_header_map(headers).map(|status| sent(&status)),
    }
}

/// The status a client was sent, as the closing line reports it.
fn sent(status: &Status) -> Outcome {
    let message = (status.code() != Code::Ok).then(|| status.message().to_owned());
    Outcome { code: status.code(), message, severe: false }
}

/// A call whose status has not been sent yet; dropped open, it is closed as abandoned.
/// `None` for a call that is not counted, or once closed.
pub struct OpenCall(Option<Arc<Ledger>>);

impl OpenCall {
    fn close(&mut self, outcome: Outcome) {
        if let Some(ledger) = self.0.take() {
            ledger.close(outcome);
        }
    }
}

impl Drop for OpenCall {
    fn drop(&mut self) {
        if let Some(ledger) = self.0.take() {
            ledger.abandon();
        }
    }
}

/// An answer body that closes its call when the trailers go out; a call not counted, or
/// already closed, passes through it as it is. Not boxed: the inner body is a concrete type,
/// and tonic boxes the outermost body once.
pub struct Watched<B> {
    inner: B,
    call: OpenCall,
}

impl<B> HttpBody for Watched<B>
where
    B: HttpBody<Data = Bytes, Error = Status> + Unpin,
{
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if self.call.0.is_none() {
            return Poll::Ready(frame);
        }
        match &frame {
            Some(Ok(frame)) => {
                if let Some(outcome) = frame.trailers_ref().and_then(sent_in) {
                    self.call.close(outcome);
                }
            }
            Some(Err(status)) => self.call.close(sent(status)),
            None => self.call.close(Outcome {
                code: Code::Unknown,
                message: Some("the answer ended without a status".into()),
                severe: true,
            }),
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
