//! `--max-bytes-in-flight`: admission by bytes, beside the CPU pool's admission by count.
//!
//! Each request message is admitted when its gRPC frame header (flag and length) arrives,
//! before tonic reserves room for it or any of its bytes are decoded: it takes its bytes from
//! one process-wide [`ByteBudget`], or the call ends at once with RESOURCE_EXHAUSTED. A
//! unary call holds its charge until its answer is ready (the decoded request lives that
//! long); a `ClassifyStream` call holds it for the message it is receiving, giving back the
//! previous message's charge when the next one starts (the
//! previous one has been decoded and handed to its job by then). A unary call's answer is
//! charged to the same budget until HTTP/2 has written it, and dropped at the call's
//! deadline ([`super::unsent`]).
//!
//! A compressed message is charged for what it can inflate to: deflate expands at most
//! 1032 times, and tonic stops inflating at `--max-message-bytes`, so it is charged its own
//! bytes plus the smaller of the two.
//!
//! The calls in progress are counted too (a relaxed add when one arrives, a subtraction when
//! its answer is dropped), and so are the budget's bytes held: both are read only by the
//! metrics, at each scrape.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::codegen::http::{Request, Response};
use tonic::Status;
use tower::{Layer, Service};

use super::budget::{ByteBudget, Charge};
use super::deadline::CallDeadline;
use super::unsent::{Shared, Unsent};
use answer_body::AnswerHold;
pub use answer_body::{AnswerBody, AnswerHeld};
use metered::{Meter, Metered};

/// The one client-streaming method: its messages are admitted one at a time.
const STREAMING_PATH: &str = "/accord.v1.Classifier/ClassifyStream";
/// Whether `path` names a method that takes exactly one request message. Tonic reads the
/// request body to its end before calling such a handler and would accept (and decode) any
/// further messages; gRPC's other servers (grpc-go, grpc-java) answer INTERNAL, and so does
/// this one. Reflection's calls stream, and other paths are answered UNIMPLEMENTED anyway.
fn is_unary(path: &str) -> bool {
    (path.starts_with("/accord.v1.") && path != STREAMING_PATH) || path.starts_with("/grpc.health.v1.")
}

/// A gRPC message's frame header: compressed flag, then a big-endian u32 length.
const FRAME_HEADER: usize = 5;
/// The most a deflate stream (gzip's body) can expand: 258 bytes from two bits.
const DEFLATE_MAX_RATIO: usize = 1032;

/// Adds [`InFlight`] around the services, all sharing one budget.
#[derive(Debug, Clone)]
pub struct InFlightLayer {
    budget: Arc<ByteBudget>,
    max_message: usize,
    calls: Arc<AtomicUsize>,
}

impl InFlightLayer {
    /// A budget of `limit` bytes; `max_message` is the decoding limit, which bounds what a
    /// compressed message inflates to.
    pub fn new(limit: usize, max_message: usize) -> Self {
        Self { budget: ByteBudget::new(limit), max_message, calls: Arc::default() }
    }

    /// Bytes the calls in progress hold now: requests, and answers not yet written.
    pub fn held_bytes(&self) -> usize {
        self.budget.held()
    }

    /// Calls in progress now: gRPC calls from their request's arrival until their answer is
    /// sent, HTTP/JSON requests from their body's arrival until their answer is written.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// Counts one call in progress until the returned guard is dropped.
    pub fn call_started(&self) -> CallInFlight {
        CallInFlight::new(&self.calls)
    }
}

/// One call counted in progress; dropping it ends the count. Relaxed: the count is only read
/// by the metrics and orders nothing else.
#[derive(Debug)]
pub struct CallInFlight(Arc<AtomicUsize>);

impl CallInFlight {
    fn new(calls: &Arc<AtomicUsize>) -> Self {
        calls.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(calls))
    }
}

impl Drop for CallInFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl InFlightLayer {
    /// Takes `bytes` from the shared budget for a request that is not framed as gRPC (an
    /// HTTP/JSON body), refused as a gRPC message would be; the bytes return when the charge
    /// is dropped.
    pub fn try_admit(&self, bytes: usize) -> Result<Charge, Status> {
        admit(&self.budget, bytes)
    }
}

/// `bytes` taken from `budget` for a request, or its refusal when the budget cannot hold
/// them now.
fn admit(budget: &Arc<ByteBudget>, bytes: usize) -> Result<Charge, Status> {
    budget.try_take(bytes).ok_or_else(|| {
        Status::resource_exhausted(format!(
            "the server cannot take a {bytes}-byte request now: the calls in progress hold up to {} bytes of requests (--max-bytes-in-flight); retry with backoff",
            budget.limit()
        ))
    })
}

impl<S> Layer<S> for InFlightLayer {
    type Service = InFlight<S>;

    fn layer(&self, inner: S) -> Self::Service {
        InFlight {
            inner,
            budget: Arc::clone(&self.budget),
            max_message: self.max_message,
            calls: Arc::clone(&self.calls),
        }
    }
}

/// A service whose requests' bytes are admitted against the shared budget.
#[derive(Debug, Clone)]
pub struct InFlight<S> {
    inner: S,
    budget: Arc<ByteBudget>,
    max_message: usize,
    calls: Arc<AtomicUsize>,
}

/// What a call holds until both its request body and its answer's body are dropped: its
/// request's charge, its answer's part not yet handed to HTTP/2, and its place in the count
/// of calls in progress.
pub struct Hold {
    request: Mutex<Option<Charge>>,
    unsent: Mutex<Unsent>,
    _call: CallInFlight,
}

impl Hold {
    fn new(calls: &Arc<AtomicUsize>) -> Self {
        Self { request: Mutex::new(None), unsent: Mutex::default(), _call: CallInFlight::new(calls) }
    }
}

impl Shared for Hold {
    fn unsent(&self) -> &Mutex<Unsent> {
        &self.unsent
    }

    fn release_request(&self) {
        let released = self.request.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(released);
    }
}

/// A call's [`Hold`], shared by its request body and its answer's body.
type Held = Arc<Hold>;

impl<S> Service<Request<Body>> for InFlight<S>
where
    S: Service<Request<Body>, Response = Response<Body>>,
{
    type Response = Response<AnswerBody>;
    type Error = S::Error;
    type Future = AnswerHeld<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let held = Arc::new(Hold::new(&self.calls));
        let deadline = CallDeadline::of_http(request.extensions());
        let unary = is_unary(request.uri().path());
        let budget = Arc::clone(&self.budget);
        let meter = Meter {
            budget: Arc::clone(&self.budget),
            max_message: self.max_message,
            held: Arc::clone(&held),
            one_message_at_a_time: request.uri().path() == STREAMING_PATH,
            one_message_only: unary,
            messages: 0,
            header: [0; FRAME_HEADER],
            header_filled: 0,
            message_left: 0,
        };
        let request = request.map(|body| Body::new(Metered { inner: body, meter }));
        AnswerHeld { answer: self.inner.call(request), hold: Some(AnswerHold { held, budget, deadline, unary }) }
    }
}

mod answer_body;
mod metered;
#[cfg(test)]
mod tests;
