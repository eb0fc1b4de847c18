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

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{ready, Context, Poll};

use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::body::Body;
use tonic::codegen::http::{Request, Response};
use tonic::codegen::Bytes;
use tonic::Status;
use tower::{Layer, Service};

use super::budget::{ByteBudget, Charge};
use super::deadline::CallDeadline;
use super::unsent::{Shared, Unsent, UnsentAnswer};

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

/// What a call's answer body takes over from its request: the call's [`Hold`], the budget
/// its answer is charged to, and its deadline.
struct AnswerHold {
    held: Held,
    budget: Arc<ByteBudget>,
    deadline: Option<CallDeadline>,
    unary: bool,
}

impl AnswerHold {
    fn body(self, body: Body) -> AnswerBody {
        let Self { held, budget, deadline, unary } = self;
        // A stream's answers are bounded by its own deadline and queue (see `stream`).
        match unary {
            true => AnswerBody::Unary(UnsentAnswer::new(body, held, budget, deadline, unary)),
            false => AnswerBody::Streaming(Holding { inner: body, _held: held }),
        }
    }
}

/// A call's answer body as this layer hands it on: a concrete type rather than a boxed
/// [`Body`], so that the layers above wrap it without boxing it again (tonic boxes the
/// outermost body once).
pub enum AnswerBody {
    /// A unary call's answer, charged until HTTP/2 has written it.
    Unary(UnsentAnswer<Hold>),
    /// A streaming call's answers, holding the call's charge.
    Streaming(Holding),
    /// An answer made before this layer took the call (a deadline's status), as it is.
    Untouched(Body),
}

impl Default for AnswerBody {
    fn default() -> Self {
        Self::Untouched(Body::empty())
    }
}

impl HttpBody for AnswerBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        match self.get_mut() {
            Self::Unary(body) => Pin::new(body).poll_frame(cx),
            Self::Streaming(body) => Pin::new(body).poll_frame(cx),
            Self::Untouched(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Unary(body) => body.is_end_stream(),
            Self::Streaming(body) => body.is_end_stream(),
            Self::Untouched(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Unary(body) => body.size_hint(),
            Self::Streaming(body) => body.size_hint(),
            Self::Untouched(body) => body.size_hint(),
        }
    }
}

pin_project! {
    /// A call's answer, whose body keeps holding the call's bytes once it is ready.
    pub struct AnswerHeld<F> {
        #[pin]
        answer: F,
        hold: Option<AnswerHold>,
    }
}

impl<F, E> Future for AnswerHeld<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<AnswerBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.answer.poll(cx))?;
        Poll::Ready(Ok(match this.hold.take() {
            Some(hold) => response.map(|body| hold.body(body)),
            None => response.map(AnswerBody::Untouched),
        }))
    }
}

/// Follows the gRPC frames of a request body and admits each message as its header arrives.
struct Meter {
    budget: Arc<ByteBudget>,
    max_message: usize,
    held: Held,
    one_message_at_a_time: bool,
    /// A unary call: a second message is a protocol violation.
    one_message_only: bool,
    messages: usize,
    header: [u8; FRAME_HEADER],
    header_filled: usize,
    message_left: usize,
}

impl Meter {
    fn count(&mut self, mut data: &[u8]) -> Result<(), Status> {
        while !data.is_empty() {
            if self.message_left > 0 {
                let taken = self.message_left.min(data.len());
                self.message_left -= taken;
                data = &data[taken..];
                continue;
            }
            let taken = (FRAME_HEADER - self.header_filled).min(data.len());
            self.header[self.header_filled..self.header_filled + taken].copy_from_slice(&data[..taken]);
            self.header_filled += taken;
            data = &data[taken..];
            if self.header_filled == FRAME_HEADER {
                self.header_filled = 0;
                self.messages += 1;
                if self.one_message_only && self.messages > 1 {
                    return Err(Status::internal(
                        "a unary call sent more than one request message (the client broke the gRPC protocol)",
                    ));
                }
                let length = [self.header[1], self.header[2], self.header[3], self.header[4]];
                self.message_left = u32::from_be_bytes(length) as usize;
                let inflated = match self.header[0] {
                    0 => 0,
                    _ => self.message_left.saturating_mul(DEFLATE_MAX_RATIO).min(self.max_message),
                };
                self.admit(FRAME_HEADER + self.message_left + inflated)?;
            }
        }
        Ok(())
    }

    fn admit(&mut self, bytes: usize) -> Result<(), Status> {
        let mut held = self.held.request.lock().unwrap_or_else(PoisonError::into_inner);
        if self.one_message_at_a_time {
            *held = None;
        }
        let charge = admit(&self.budget, bytes)?;
        match held.as_mut() {
            Some(earlier) => earlier.merge(charge),
            None => *held = Some(charge),
        }
        Ok(())
    }
}

/// A request body whose messages are admitted by [`Meter`]; a refused one ends the body
/// with the refusal, which tonic answers with.
struct Metered {
    inner: Body,
    meter: Meter,
}

impl HttpBody for Metered {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(data) = frame.as_ref().and_then(|f| f.as_ref().ok()).and_then(Frame::data_ref) {
            self.meter.count(data)?;
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

/// A streaming call's answer body, which keeps the call's charge until it is dropped.
pub struct Holding {
    inner: Body,
    _held: Held,
}

impl HttpBody for Holding {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(limit: usize, streaming: bool) -> Meter {
        Meter {
            budget: ByteBudget::new(limit),
            max_message: 1000,
            held: Arc::new(Hold::new(&Arc::default())),
            one_message_at_a_time: streaming,
            one_message_only: false,
            messages: 0,
            header: [0; FRAME_HEADER],
            header_filled: 0,
            message_left: 0,
        }
    }

    fn message(flag: u8, len: u32) -> Vec<u8> {
        let mut framed = vec![flag];
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend(std::iter::repeat_n(7, len as usize));
        framed
    }

    #[test]
    fn each_message_is_charged_when_its_header_arrives_even_split_across_chunks() {
        let mut meter = meter(100, false);
        let two = [message(0, 10), message(0, 20)].concat();
        for chunk in two.chunks(3) {
            meter.count(chunk).expect("within the budget");
        }
        assert_eq!(meter.budget.limit() - meter.budget.held(), 100 - 15 - 25);
        let refused = meter.count(&message(0, 60)).expect_err("over the budget");
        assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
        assert!(refused.message().contains("--max-bytes-in-flight"), "{refused:?}");
        drop(meter);
    }

    #[test]
    fn a_stream_holds_only_its_latest_message_and_compressed_ones_pay_for_inflating() {
        let mut meter = meter(20_000, true);
        meter.max_message = 5000;
        meter.count(&message(0, 10)).expect("admitted");
        meter.count(&message(0, 20)).expect("admitted");
        assert_eq!(meter.budget.limit() - meter.budget.held(), 20_000 - 25);
        // 1 byte may inflate to 1032; 10 bytes to 10,320, but tonic stops at the 5000-byte limit.
        meter.count(&message(1, 1)).expect("admitted");
        assert_eq!(meter.budget.limit() - meter.budget.held(), 20_000 - 6 - 1032);
        meter.count(&message(1, 10)).expect("admitted");
        assert_eq!(meter.budget.limit() - meter.budget.held(), 20_000 - 15 - 5000);
    }

    #[test]
    fn a_unary_call_may_send_one_message_only() {
        let mut unary = meter(100, false);
        unary.one_message_only = true;
        let two = [message(0, 10), message(0, 20)].concat();
        let refused = unary.count(&two).expect_err("a second message");
        assert_eq!(refused.code(), tonic::Code::Internal);
        assert!(is_unary("/accord.v1.Classifier/Classify") && is_unary("/grpc.health.v1.Health/Check"));
        assert!(!is_unary(STREAMING_PATH) && !is_unary("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
    }

    #[test]
    fn the_charges_are_given_back_when_the_call_ends() {
        let mut meter = meter(100, false);
        meter.count(&message(0, 50)).expect("admitted");
        let budget = Arc::clone(&meter.budget);
        assert_eq!(budget.limit() - budget.held(), 45);
        drop(meter);
        assert_eq!(budget.limit() - budget.held(), 100);
    }
}
